// Waitable sources (miowin 1.2, miow_source_new_waitable): a Windows kernel object (an event, a
// process, a semaphore, a timer) or, on Linux, any pollable descriptor (a pipe, an eventfd, a
// pidfd), registered with a selector like a socket and reported Readable when signalled or ready.
using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;

namespace Miowin
{
    public partial class Source
    {
        /// <summary>
        /// A source for a waitable handle (Windows) or a pollable descriptor (Linux) given as its raw
        /// value (<c>miow_source_new_waitable</c>, miowin 1.2). The value stays yours: the source never
        /// closes it, and it must stay open while the source is registered.
        /// </summary>
        /// <param name="value">Windows: a handle to an event, semaphore, process, thread or waitable
        /// timer, with <c>SYNCHRONIZE</c> access. Linux: a descriptor that epoll accepts (a pipe,
        /// FIFO, tty, eventfd, timerfd, signalfd, pidfd, inotify, a socket).</param>
        /// <returns>The source, not registered. Register it for <see cref="Interest.Readable"/> (on
        /// Windows the only interest taken: any other is an <see cref="ArgumentException"/>); what a
        /// reported wait consumes and what each mode means are in docs/waitable.md.</returns>
        /// <exception cref="ArgumentException">The value is not a waitable object: null, closed, a file,
        /// a mutex (Windows); closed, or a regular file or directory (Linux; <c>EPERM</c>).</exception>
        /// <exception cref="NotSupportedException">A socket on Windows (wrap it with
        /// <see cref="Source(System.Net.Sockets.Socket)"/>); or the library is older than 1.2.</exception>
        public static Source FromWaitable(IntPtr value) => WaitableSource.Create(value, null, null, -1);

        /// <summary>
        /// A source for the handle or descriptor in <paramref name="handle"/>, as
        /// <see cref="FromWaitable(IntPtr)"/>. The source holds a reference on
        /// <paramref name="handle"/> until it is disposed, so the handle is not closed under it even if
        /// you dispose <paramref name="handle"/> first.
        /// </summary>
        /// <param name="handle">Windows: a <c>SafeWaitHandle</c>, <c>SafeProcessHandle</c> or another
        /// handle to a waitable object. Linux: a handle whose value is a descriptor (a
        /// <c>SafeFileHandle</c> or <c>SafePipeHandle</c>, say).</param>
        /// <returns>The source, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="handle"/> is null.</exception>
        /// <exception cref="ArgumentException">As <see cref="FromWaitable(IntPtr)"/>, or the handle is closed.</exception>
        /// <exception cref="PlatformNotSupportedException">Linux: a <c>SafeWaitHandle</c> or
        /// <c>SafeProcessHandle</c>, which there hold no descriptor (use <see cref="FromProcess"/>
        /// for a process).</exception>
        /// <exception cref="NotSupportedException">As <see cref="FromWaitable(IntPtr)"/>.</exception>
        public static Source FromWaitable(SafeHandle handle) => WaitableSource.Create(handle, null);

        /// <summary>
        /// Windows: a source that reports <see cref="Readiness.Readable"/> while <paramref name="waitHandle"/> is
        /// signalled: a <see cref="ManualResetEvent"/> until it is reset; an <see cref="AutoResetEvent"/>
        /// or a <see cref="Semaphore"/> once per signal, since each reported wait consumes it (see
        /// docs/waitable.md). The source keeps <paramref name="waitHandle"/> and its OS handle alive
        /// until it is disposed.
        /// </summary>
        /// <param name="waitHandle">An event, semaphore or other <see cref="WaitHandle"/> (a
        /// <see cref="Mutex"/> is refused: a wait would take it over).</param>
        /// <returns>The source, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="waitHandle"/> is null.</exception>
        /// <exception cref="ArgumentException">A <see cref="Mutex"/>, or a disposed wait handle.</exception>
        /// <exception cref="PlatformNotSupportedException">Not on Windows: a .NET wait handle is no OS
        /// object there (use <see cref="FromWaitable(IntPtr)"/> with an eventfd or a pipe).</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        public static Source FromWaitHandle(WaitHandle waitHandle)
        {
            if (waitHandle == null) throw new ArgumentNullException(nameof(waitHandle));
            if (!OsHandles.IsWindows) throw WaitableSource.NoWaitHandles();
            return WaitableSource.Create(waitHandle.SafeWaitHandle, waitHandle);
        }

        /// <summary>
        /// A source that reports <see cref="Readiness.Readable"/> once <paramref name="process"/> has exited, and
        /// at every poll from then on in level mode (an exited process stays signalled). On Windows it
        /// waits on the process handle, which <paramref name="process"/> keeps owning; on Linux on a
        /// pidfd (Linux 5.3+) that the source opens now and closes when it is disposed.
        /// </summary>
        /// <param name="process">A process started by <see cref="Process.Start()"/> or got by id.</param>
        /// <returns>The source, not registered.</returns>
        /// <remarks>On Linux make it while the process runs, right after <see cref="Process.Start()"/>:
        /// .NET reaps a child as soon as it exits, and from then on its id may name another process.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="process"/> is null.</exception>
        /// <exception cref="InvalidOperationException"><paramref name="process"/> was not started, or
        /// (Linux) has exited already.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        public static Source FromProcess(Process process)
        {
            if (process == null) throw new ArgumentNullException(nameof(process));
            if (OsHandles.IsWindows) return WaitableSource.Create(process.SafeHandle, process);
            if (process.HasExited) throw new InvalidOperationException("The process has exited already; its id may name another process now.");
            NativeMethods.RequireVersion12(nameof(FromProcess));
            int fd;
            try
            {
                fd = OsHandles.OpenPidfd(process.Id);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException($"No pidfd for process {process.Id}: {e.Message}", e);
            }
            try
            {
                return WaitableSource.Create(new IntPtr(fd), null, process, fd);
            }
            catch
            {
                OsHandles.CloseDescriptor(fd);
                throw;
            }
        }

        /// <summary>Run once by <see cref="Dispose"/>, after the native source is freed.</summary>
        private protected virtual void OnDisposed()
        {
        }
    }

    /// <summary>The source behind <see cref="Source.FromWaitable(IntPtr)"/> and its kin: it holds what must outlive the registration.</summary>
    internal sealed class WaitableSource : Source
    {
        private readonly SafeHandle? _held;   // a reference taken with DangerousAddRef
        private readonly object? _keepAlive;  // the WaitHandle or Process the value came from
        private readonly int _ownedDescriptor; // a pidfd the source opened, or -1

        private WaitableSource(SourceHandle handle, SafeHandle? held, object? keepAlive, int ownedDescriptor) : base(handle)
        {
            _held = held;
            _keepAlive = keepAlive;
            _ownedDescriptor = ownedDescriptor;
        }

        private protected override ErrorSite Site => ErrorSite.General;

        internal static PlatformNotSupportedException NoWaitHandles() => new PlatformNotSupportedException(
            "A .NET WaitHandle is an OS object on Windows only; on Linux wrap a descriptor (an eventfd, a pipe) with Source.FromWaitable.");

        internal static Source Create(SafeHandle handle, object? keepAlive)
        {
            if (handle == null) throw new ArgumentNullException(nameof(handle));
            if (!OsHandles.IsWindows && (handle is Microsoft.Win32.SafeHandles.SafeWaitHandle ||
                                         handle.GetType().FullName == "Microsoft.Win32.SafeHandles.SafeProcessHandle"))
            {
                throw handle is Microsoft.Win32.SafeHandles.SafeWaitHandle
                    ? NoWaitHandles()
                    : new PlatformNotSupportedException("On Linux a process handle holds no descriptor: use Source.FromProcess.");
            }
            if (handle.IsClosed) throw new ArgumentException("The handle is closed.", nameof(handle));
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                Source source = Create(handle.DangerousGetHandle(), handle, keepAlive, -1);
                added = false; // the source releases it
                return source;
            }
            catch (ObjectDisposedException e)
            {
                throw new ArgumentException("The handle is closed.", nameof(handle), e);
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        internal static unsafe Source Create(IntPtr value, SafeHandle? held, object? keepAlive, int ownedDescriptor)
        {
            NativeMethods.RequireVersion12(nameof(FromWaitable));
            int rc = NativeMethods.miow_source_new_waitable(out SourceHandle handle, new UIntPtr(value.ToPointer()));
            return new WaitableSource(Created(rc, handle, ErrorSite.General), held, keepAlive, ownedDescriptor);
        }

        private protected override void OnDisposed()
        {
            _held?.DangerousRelease();
            if (_ownedDescriptor >= 0) OsHandles.CloseDescriptor(_ownedDescriptor);
            GC.KeepAlive(_keepAlive);
        }
    }
}
