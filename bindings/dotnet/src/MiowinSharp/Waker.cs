// A waker: makes a poll on its selector return an event, from any thread.
using System;
using System.Threading;

namespace Miowin
{
    /// <summary>
    /// Wakes a <see cref="Selector"/>'s poll from any thread with an event carrying
    /// <see cref="Token"/> and <see cref="Readiness.Readable"/>.
    /// </summary>
    /// <remarks>
    /// Wakes coalesce: however often <see cref="Wake"/> is called before a poll delivers the
    /// wake-up, that poll sees one event; a wake after the delivery produces a new one.
    /// </remarks>
    public sealed class Waker : IDisposable
    {
        private readonly WakerHandle _handle;
        private int _disposed;

        /// <summary>Creates a waker for a selector (<c>miow_waker_new</c>).</summary>
        /// <param name="selector">The selector to wake. The waker keeps it reachable.</param>
        /// <param name="token">The token of the wake-up events.</param>
        /// <exception cref="ArgumentNullException"><paramref name="selector"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The selector was disposed.</exception>
        /// <exception cref="MiowException">The library could not create it.</exception>
        public Waker(Selector selector, ulong token)
        {
            if (selector == null) throw new ArgumentNullException(nameof(selector));
            MiowLibrary.EnsureCompatible();
            selector.ThrowIfDisposed();
            int rc = NativeMethods.miow_waker_new(selector.Handle, token, out WakerHandle handle);
            if (rc != 0)
            {
                Exception error = MiowErrors.FromResult(rc, ErrorSite.General);
                handle.Dispose();
                if (selector.IsDisposed) throw new ObjectDisposedException(nameof(Selector));
                throw error;
            }
            _handle = handle;
            Selector = selector;
            Token = token;
        }

        /// <summary>The selector this waker wakes.</summary>
        public Selector Selector { get; }

        /// <summary>The token of the wake-up events.</summary>
        public ulong Token { get; }

        /// <summary>
        /// The native handle, for passing the waker to other native code. It stays owned by this
        /// object: do not dispose it.
        /// </summary>
        public WakerHandle Handle => _handle;

        /// <summary>Whether <see cref="Dispose"/> was called.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Wakes the selector (<c>miow_waker_wake</c>). Callable from any thread.</summary>
        /// <exception cref="ObjectDisposedException">The waker or its selector was disposed.</exception>
        /// <exception cref="MiowException">The wake-up could not be posted.</exception>
        public void Wake()
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(Waker));
            int rc = NativeMethods.miow_waker_wake(_handle);
            if (rc == 0) return;
            Exception error = MiowErrors.FromResult(rc, ErrorSite.General);
            if (rc == (int)MiowErrorCode.BadHandle && IsDisposed) throw new ObjectDisposedException(nameof(Waker));
            if (rc == (int)MiowErrorCode.Closed && Selector.IsDisposed) throw new ObjectDisposedException(nameof(Selector));
            throw error;
        }

        /// <summary>
        /// Frees the waker (<c>miow_waker_free</c>). A wake-up it already queued is not delivered.
        /// Calling it again does nothing.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            _handle.Dispose();
        }
    }
}
