// A source: a socket the caller owns, wrapped so that it can be registered with a selector; the
// base of the sources the library creates (MiowSocket, MiowNamedPipe), whose I/O plumbing is in
// SourceIo.cs.
using System;
using System.Net.Sockets;
using System.Threading;

namespace Miowin
{
    /// <summary>
    /// A socket wrapped for registration with one <see cref="Selector"/> at a time. A source made
    /// by its constructors never closes the socket; the <see cref="MiowSocket"/> and
    /// <see cref="MiowNamedPipe"/> types, sources whose socket or pipe the library created, close
    /// theirs on <see cref="Dispose"/>.
    /// </summary>
    /// <remarks>
    /// <para>The socket must be non-blocking (<c>socket.Blocking = false</c>; <see cref="Source(System.Net.Sockets.Socket)"/>
    /// refuses a blocking one) so that your own I/O after an event returns
    /// <see cref="SocketError.WouldBlock"/> instead of stalling the loop. A raw handle is taken as it is.</para>
    /// <para>Dispose the source (or deregister it) before closing the socket: the OS reuses socket
    /// values. If the socket is closed first, the library notices at the next poll and from then
    /// on <see cref="Reregister"/>, <see cref="Deregister"/> and <see cref="Rearm"/> report
    /// <see cref="MiowErrorCode.NotRegistered"/>.</para>
    /// </remarks>
    public partial class Source : IDisposable
    {
        private readonly SourceHandle _handle;
        private int _disposed;

        /// <summary>Wraps a .NET socket (<c>miow_source_new</c> with <see cref="System.Net.Sockets.Socket.Handle"/>).</summary>
        /// <param name="socket">The socket. The source keeps it reachable but never closes it.</param>
        /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="socket"/> is blocking (<see cref="System.Net.Sockets.Socket.Blocking"/>).</exception>
        /// <exception cref="MiowSocketException">The handle is not an open socket
        /// (<see cref="MiowErrorCode.NotSocket"/>), or the library is out of memory.</exception>
        public Source(Socket socket)
            : this(NonBlocking(socket).Handle, socket)
        {
        }

        // A blocking socket would stall the event loop in the caller's own I/O after an event.
        private static Socket NonBlocking(Socket socket)
        {
            if (socket == null) throw new ArgumentNullException(nameof(socket));
            if (socket.Blocking)
            {
                throw new ArgumentException(
                    "The socket is blocking: set socket.Blocking = false before wrapping it, so that I/O after an event returns WouldBlock instead of stalling the loop.",
                    nameof(socket));
            }
            return socket;
        }

        /// <summary>
        /// Wraps an OS socket given as its raw value: a <c>SOCKET</c> on Windows, a file
        /// descriptor elsewhere (<c>miow_source_new</c>).
        /// </summary>
        /// <param name="socketHandle">The socket. The caller keeps owning it and keeps it open.</param>
        /// <exception cref="MiowException">The value is not an open socket
        /// (<see cref="MiowErrorCode.NotSocket"/>), or the library is out of memory.</exception>
        public Source(IntPtr socketHandle) : this(socketHandle, null)
        {
        }

        private unsafe Source(IntPtr socketHandle, Socket? socket)
        {
            MiowLibrary.EnsureCompatible();
            int rc = NativeMethods.miow_source_new(out SourceHandle handle, (UIntPtr)socketHandle.ToPointer());
            if (rc != 0)
            {
                Exception error = MiowErrors.FromResult(rc, ErrorSite.Socket);
                handle.Dispose();
                throw error;
            }
            _handle = handle;
            Socket = socket;
        }

        /// <summary>Takes over a handle the library created (the <see cref="MiowSocket"/> and <see cref="MiowNamedPipe"/> types).</summary>
        private protected Source(SourceHandle handle)
        {
            _handle = handle;
        }

        /// <summary>
        /// The socket given to the constructor, or null if a raw handle was given or the library
        /// created the socket or pipe.
        /// </summary>
        public Socket? Socket { get; }

        /// <summary>
        /// The OS socket behind the source (<c>miow_source_socket</c>): a <c>SOCKET</c> on Windows,
        /// a file descriptor elsewhere. For a <see cref="MiowSocket"/> the library still owns it:
        /// do not close it, and do its I/O through the library, or an edge registration is not
        /// re-armed. For a <see cref="MiowNamedPipe"/> it is the pipe's <c>HANDLE</c> on Windows, and
        /// on Linux the descriptor behind it at the moment (a server's changes as clients come and go).
        /// </summary>
        /// <exception cref="ObjectDisposedException">The source was disposed.</exception>
        public unsafe IntPtr SocketHandle
        {
            get
            {
                ThrowIfDisposed();
                int rc = NativeMethods.miow_source_socket(_handle, out UIntPtr socket);
                if (rc != 0) throw Failure(rc, null);
                return new IntPtr(socket.ToPointer());
            }
        }

        /// <summary>
        /// The native handle, for passing the source to other native code. It stays owned by this
        /// object: do not dispose it.
        /// </summary>
        public SourceHandle Handle => _handle;

        /// <summary>Whether <see cref="Dispose"/> was called.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Registers the source with a selector (<c>miow_source_register</c>).</summary>
        /// <param name="selector">The selector.</param>
        /// <param name="token">Reported in every event of this registration.</param>
        /// <param name="interests">Interest bits and at most one mode bit.</param>
        /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The source or the selector was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.AlreadyRegistered"/> if it is
        /// registered already (with any selector), <see cref="MiowErrorCode.InvalidArgument"/> for
        /// bad interests, <see cref="MiowErrorCode.NotSocket"/> if the socket was closed.</exception>
        public void Register(Selector selector, ulong token, Interest interests)
        {
            CheckUsable(selector);
            int rc = NativeMethods.miow_source_register(_handle, selector.Handle, token, (uint)interests);
            if (rc != 0) throw Failure(rc, selector);
        }

        /// <summary>
        /// Replaces the token and interests of the registration and re-arms it
        /// (<c>miow_source_reregister</c>). No event with the old token is delivered afterwards.
        /// </summary>
        /// <param name="selector">The selector it is registered with.</param>
        /// <param name="token">The new token.</param>
        /// <param name="interests">The new interest bits and mode.</param>
        /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The source or the selector was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotRegistered"/> if it is not
        /// registered, <see cref="MiowErrorCode.AlreadyRegistered"/> if it is registered with another
        /// selector, <see cref="MiowErrorCode.InvalidArgument"/> for bad interests.</exception>
        public void Reregister(Selector selector, ulong token, Interest interests)
        {
            CheckUsable(selector);
            int rc = NativeMethods.miow_source_reregister(_handle, selector.Handle, token, (uint)interests);
            if (rc != 0) throw Failure(rc, selector);
        }

        /// <summary>
        /// Ends the registration (<c>miow_source_deregister</c>). No event for the source is
        /// delivered afterwards, except one that a poll on another thread had already taken.
        /// </summary>
        /// <param name="selector">The selector it is registered with.</param>
        /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The source or the selector was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotRegistered"/> if it is not
        /// registered with <paramref name="selector"/>.</exception>
        public void Deregister(Selector selector)
        {
            CheckUsable(selector);
            int rc = NativeMethods.miow_source_deregister(_handle, selector.Handle);
            if (rc != 0) throw Failure(rc, selector);
        }

        /// <summary>
        /// Restores the registered interests after they were reported (<c>miow_source_rearm</c>):
        /// in edge mode after your own I/O would block, in oneshot mode to arm it again with the
        /// same token. In level mode it changes nothing.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The source was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotRegistered"/> if it is not registered.</exception>
        public void Rearm()
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_source_rearm(_handle);
            if (rc != 0) throw Failure(rc, null);
        }

        /// <summary>
        /// Frees the source (<c>miow_source_free</c>), deregistering it first if needed. A socket
        /// the caller owns stays open; one the library created (<see cref="MiowSocket"/>) is closed,
        /// and so is a pipe (<see cref="MiowNamedPipe"/>).
        /// Calling it again does nothing.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _handle.Dispose();
            OnDisposed();
        }

        private protected void ThrowIfDisposed()
        {
            if (IsDisposed) throw new ObjectDisposedException(GetType().Name);
        }

        private void CheckUsable(Selector selector)
        {
            if (selector == null) throw new ArgumentNullException(nameof(selector));
            ThrowIfDisposed();
            selector.ThrowIfDisposed();
        }

        /// <summary>Whether failures are pipe failures (<see cref="System.IO.IOException"/>) rather than socket ones.</summary>
        private protected virtual ErrorSite Site => ErrorSite.Socket;

        private protected Exception Failure(int rc, Selector? selector)
        {
            Exception error = MiowErrors.FromResult(rc, Site);
            if (rc == (int)MiowErrorCode.BadHandle || rc == (int)MiowErrorCode.Closed)
            {
                if (IsDisposed) return new ObjectDisposedException(GetType().Name);
                if (selector != null && selector.IsDisposed) return new ObjectDisposedException(nameof(Selector));
            }
            return error;
        }
    }
}
