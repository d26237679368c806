// A selector: polls the sources registered with it, takes posted events and is woken by wakers.
using System;
using System.Threading;

namespace Miowin
{
    /// <summary>
    /// A miowin selector: polls the <see cref="Source"/>s registered with it for readiness.
    /// </summary>
    /// <remarks>
    /// <para>Every member may be called from any thread, but only one thread at a time may be inside
    /// <c>Poll</c> for a given selector; a second one gets a <see cref="MiowException"/> with
    /// <see cref="MiowErrorCode.Busy"/>.</para>
    /// <para><see cref="Dispose"/> frees the native selector at once, even while another thread is
    /// blocked in <c>Poll</c>: that poll then throws <see cref="ObjectDisposedException"/>. This is
    /// how an event loop blocked without a timeout is stopped without a waker.</para>
    /// <para>Sources registered with a disposed selector stay usable objects, but stay counted as
    /// registered (<see cref="MiowErrorCode.AlreadyRegistered"/> for another selector) until they
    /// are disposed.</para>
    /// </remarks>
    public sealed class Selector : IDisposable
    {
        private readonly SelectorHandle _handle;
        private int _disposed;
        private int _polling;

        /// <summary>Creates a selector (<c>miow_selector_new</c>).</summary>
        /// <exception cref="MiowException">The library could not create it.</exception>
        /// <exception cref="DllNotFoundException">The native library could not be loaded.</exception>
        public Selector()
        {
            MiowLibrary.EnsureCompatible();
            int rc = NativeMethods.miow_selector_new(out SelectorHandle handle);
            if (rc != 0)
            {
                Exception error = MiowErrors.FromResult(rc, ErrorSite.General);
                handle.Dispose();
                throw error;
            }
            _handle = handle;
        }

        /// <summary>
        /// The native handle, for passing the selector to other native code. It stays owned by
        /// this object: do not dispose it.
        /// </summary>
        public SelectorHandle Handle => _handle;

        /// <summary>Whether <see cref="Dispose"/> was called.</summary>
        public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>
        /// Waits for events and stores them at the start of <paramref name="events"/>
        /// (<c>miow_selector_poll</c>).
        /// </summary>
        /// <param name="events">Where to store the events; at least one element.</param>
        /// <param name="timeout">
        /// How long to wait: null or <see cref="Timeout.InfiniteTimeSpan"/> waits without limit,
        /// <see cref="TimeSpan.Zero"/> does not wait, any other value is rounded up to whole
        /// milliseconds and is a lower bound.
        /// </param>
        /// <returns>How many events were stored; 0 when the timeout expired.</returns>
        /// <exception cref="ArgumentException"><paramref name="events"/> is empty.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
        /// <exception cref="ObjectDisposedException">The selector is or was being disposed.</exception>
        /// <exception cref="MiowException">The poll failed, for example <see cref="MiowErrorCode.Busy"/>.</exception>
        public unsafe int Poll(Span<MiowEvent> events, TimeSpan? timeout)
        {
            if (events.IsEmpty) throw new ArgumentException("The event buffer must hold at least one event.", nameof(events));
            long ms = Timeouts.ToMilliseconds(timeout);
            fixed (MiowEvent* p = events) return PollCore(p, events.Length, ms);
        }

        /// <summary>
        /// Polls without waiting: the non-blocking form of <see cref="Poll(Span{MiowEvent}, TimeSpan?)"/>.
        /// </summary>
        /// <param name="events">Where to store the events; at least one element.</param>
        /// <param name="count">How many events were stored.</param>
        /// <returns>true if at least one event was stored; false if waiting would have been needed.</returns>
        public bool TryPoll(Span<MiowEvent> events, out int count)
        {
            count = Poll(events, TimeSpan.Zero);
            return count != 0;
        }

        /// <summary>
        /// Waits for events and stores them at the start of <paramref name="events"/>
        /// (<c>miow_selector_poll</c>).
        /// </summary>
        /// <param name="events">Where to store the events; at least one element.</param>
        /// <param name="timeout">
        /// How long to wait: null or <see cref="Timeout.InfiniteTimeSpan"/> waits without limit,
        /// <see cref="TimeSpan.Zero"/> does not wait, any other value is rounded up to whole
        /// milliseconds and is a lower bound.
        /// </param>
        /// <returns>How many events were stored; 0 when the timeout expired.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="events"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="events"/> is empty.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
        /// <exception cref="ObjectDisposedException">The selector is or was being disposed.</exception>
        /// <exception cref="MiowException">The poll failed, for example <see cref="MiowErrorCode.Busy"/>.</exception>
        public unsafe int Poll(MiowEvent[] events, TimeSpan? timeout)
        {
            if (events == null) throw new ArgumentNullException(nameof(events));
            if (events.Length == 0) throw new ArgumentException("The event buffer must hold at least one event.", nameof(events));
            long ms = Timeouts.ToMilliseconds(timeout);
            fixed (MiowEvent* p = events) return PollCore(p, events.Length, ms);
        }

        /// <summary>
        /// Polls without waiting: the non-blocking form of <see cref="Poll(MiowEvent[], TimeSpan?)"/>.
        /// </summary>
        /// <param name="events">Where to store the events; at least one element.</param>
        /// <param name="count">How many events were stored.</param>
        /// <returns>true if at least one event was stored; false if waiting would have been needed.</returns>
        public bool TryPoll(MiowEvent[] events, out int count)
        {
            count = Poll(events, TimeSpan.Zero);
            return count != 0;
        }

        private unsafe int PollCore(MiowEvent* events, int length, long timeoutMs)
        {
            // Counted before the disposed check, and Dispose sets the flag before it reads the
            // count: one of the two always sees the other, so a poll that gets past the check is
            // one that Dispose knows to interrupt.
            Interlocked.Increment(ref _polling);
            try
            {
                ThrowIfDisposed();
                int rc = NativeMethods.miow_selector_poll(_handle, events, (UIntPtr)(uint)length, out UIntPtr count, timeoutMs);
                if (rc != 0) throw Failure(rc);
                return (int)count.ToUInt32();
            }
            finally
            {
                Interlocked.Decrement(ref _polling);
            }
        }

        /// <summary>
        /// Queues one user event that a later (or the current) poll delivers
        /// (<c>miow_selector_post</c>). Posted events do not coalesce.
        /// </summary>
        /// <param name="token">The token the event carries.</param>
        /// <param name="readiness">A non-empty combination of readiness bits.</param>
        /// <exception cref="ObjectDisposedException">The selector was disposed.</exception>
        /// <exception cref="MiowException"><paramref name="readiness"/> is empty or has an unknown bit
        /// (<see cref="MiowErrorCode.InvalidArgument"/>), or the post failed.</exception>
        public void Post(ulong token, Readiness readiness)
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_selector_post(_handle, token, (uint)readiness);
            if (rc != 0) throw Failure(rc);
        }

        /// <summary>Creates a <see cref="Waker"/> for this selector.</summary>
        /// <param name="token">The token of its wake-up events.</param>
        /// <returns>The new waker.</returns>
        public Waker CreateWaker(ulong token) => new Waker(this, token);

        /// <summary>
        /// Frees the native selector (<c>miow_selector_free</c>). A poll blocked on another thread
        /// returns promptly with <see cref="ObjectDisposedException"/>. Calling it again does nothing.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            // A running poll holds a reference on the SafeHandle, which would postpone its release
            // until the poll returns on its own: free the native selector now instead.
            if (Volatile.Read(ref _polling) != 0) _handle.FreeNow();
            _handle.Dispose();
        }

        internal void ThrowIfDisposed()
        {
            if (IsDisposed) throw new ObjectDisposedException(nameof(Selector));
        }

        // A stale handle or a close during the call is the result of Dispose when this object was
        // disposed; only otherwise is it the library's error to report.
        private Exception Failure(int rc)
        {
            Exception error = MiowErrors.FromResult(rc, ErrorSite.General);
            if (IsDisposed && (rc == (int)MiowErrorCode.BadHandle || rc == (int)MiowErrorCode.Closed))
            {
                return new ObjectDisposedException(nameof(Selector));
            }
            return error;
        }
    }
}
