// Disposal: twice is harmless, use afterwards is ObjectDisposedException, the finalizer frees
// what was not disposed, and disposing a selector ends a poll blocked on it.
using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Xunit;

namespace Miowin.Tests
{
    public class DisposalTests
    {
        [Fact]
        public void Dispose_twice_is_harmless()
        {
            using var pair = Support.ConnectedPair();
            var selector = new Selector();
            var source = new Source(pair.Server);
            var waker = selector.CreateWaker(1);
            source.Register(selector, 1, Interest.Readable);

            waker.Dispose();
            waker.Dispose();
            source.Dispose();
            source.Dispose();
            selector.Dispose();
            selector.Dispose();
            Assert.True(selector.IsDisposed && source.IsDisposed && waker.IsDisposed);
            Assert.True(selector.Handle.IsClosed && source.Handle.IsClosed && waker.Handle.IsClosed);
        }

        [Fact]
        public void Use_after_dispose_is_ObjectDisposedException()
        {
            using var pair = Support.ConnectedPair();
            var selector = new Selector();
            var source = new Source(pair.Server);
            var waker = selector.CreateWaker(1);
            source.Dispose();
            waker.Dispose();

            Assert.Throws<ObjectDisposedException>(() => source.Register(selector, 1, Interest.Readable));
            Assert.Throws<ObjectDisposedException>(() => source.Reregister(selector, 1, Interest.Readable));
            Assert.Throws<ObjectDisposedException>(() => source.Deregister(selector));
            Assert.Throws<ObjectDisposedException>(() => source.Rearm());
            Assert.Throws<ObjectDisposedException>(() => waker.Wake());

            selector.Dispose();
            Assert.Throws<ObjectDisposedException>(() => selector.Poll(new MiowEvent[1], TimeSpan.Zero));
            Assert.Throws<ObjectDisposedException>(() => selector.TryPoll(new MiowEvent[1], out _));
            Assert.Throws<ObjectDisposedException>(() => selector.Post(1, Readiness.Readable));
            Assert.Throws<ObjectDisposedException>(() => selector.CreateWaker(2));

            using var live = new Source(pair.Client);
            ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => live.Register(selector, 1, Interest.Readable));
            Assert.Equal(nameof(Selector), e.ObjectName);
        }

        [Fact]
        public void Waker_of_a_disposed_selector_throws_ObjectDisposedException()
        {
            var selector = new Selector();
            using var waker = selector.CreateWaker(1);
            selector.Dispose();
            ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => waker.Wake());
            Assert.Equal(nameof(Selector), e.ObjectName);
        }

        [Fact]
        public void Waker_of_a_selector_freed_elsewhere_reports_closed()
        {
            var selector = new Selector();
            using var waker = selector.CreateWaker(1);
            new SelectorHandle(selector.Handle.DangerousGetHandle(), ownsHandle: true).Dispose();
            Support.AssertMiowError(MiowErrorCode.Closed, () => waker.Wake());
            selector.Dispose();
        }

        [Fact]
        public void Source_registered_with_a_disposed_selector_stays_registered_until_disposed()
        {
            using var pair = Support.ConnectedPair();
            var selector = new Selector();
            using var other = new Selector();
            var source = new Source(pair.Server);
            source.Register(selector, 1, Interest.Readable);
            selector.Dispose();

            Support.AssertMiowError(MiowErrorCode.AlreadyRegistered, () => source.Register(other, 2, Interest.Readable));
            Assert.Throws<ObjectDisposedException>(() => source.Deregister(selector));
            source.Dispose();

            using var again = new Source(pair.Server);
            again.Register(other, 2, Interest.Readable);
            Support.SendAll(pair.Client, new byte[] { 1 });
            Support.WaitFor(other, 2);
        }

        [Fact]
        public void Dispose_ends_a_poll_blocked_on_another_thread()
        {
            var selector = new Selector();
            Exception? error = null;
            int count = -1;
            var poller = Support.Background(() =>
            {
                try { count = Support.PollPatiently(selector, new MiowEvent[4], null); }
                catch (Exception e) { error = e; }
            });
            poller.Start();
            try
            {
                WaitUntilPolling(selector, poller);
            }
            catch
            {
                selector.Dispose();
                poller.Join(Support.EventLimit);
                throw new Xunit.Sdk.XunitException($"poller: count {count}, error {error}");
            }

            selector.Dispose();
            Assert.True(poller.Join(Support.EventLimit), "the blocked poll did not return after Dispose");
            Assert.IsType<ObjectDisposedException>(error);
            Assert.Equal(-1, count);
        }

        [Fact]
        public void Finalizers_free_the_native_objects()
        {
            (IntPtr selector, IntPtr source, IntPtr waker) = CreateAndDrop();
            CollectEverything();

            // Each value was freed by its finalizer: a second free is rejected as stale.
            Assert.Equal((int)MiowErrorCode.BadHandle, NativeMethods.miow_waker_free(waker));
            Assert.Equal((int)MiowErrorCode.BadHandle, NativeMethods.miow_source_free(source));
            Assert.Equal((int)MiowErrorCode.BadHandle, NativeMethods.miow_selector_free(selector));
        }

        [Fact]
        public void Finalized_source_is_deregistered()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            RegisterAndDrop(pair, selector, 77);
            Support.SendAll(pair.Client, new byte[] { 1, 2 });
            CollectEverything();
            Support.AssertSilent(selector, 77);
        }

        [Fact]
        public void Finalized_waker_delivers_no_queued_wake()
        {
            using var selector = new Selector();
            WakeAndDrop(selector, 55);
            CollectEverything();
            Support.AssertSilent(selector, 55);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static (IntPtr, IntPtr, IntPtr) CreateAndDrop()
        {
            using var pair = Support.ConnectedPair();
            var selector = new Selector();
            var source = new Source(pair.Server);
            var waker = new Waker(selector, 1);
            source.Register(selector, 1, Interest.Readable);
            return (selector.Handle.DangerousGetHandle(), source.Handle.DangerousGetHandle(), waker.Handle.DangerousGetHandle());
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void RegisterAndDrop(SocketPair pair, Selector selector, ulong token)
        {
            var source = new Source(pair.Server.Handle);
            source.Register(selector, token, Interest.Readable);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void WakeAndDrop(Selector selector, ulong token)
        {
            var waker = new Waker(selector, token);
            waker.Wake();
        }

        private static void CollectEverything()
        {
            for (int i = 0; i < 3; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        // A poll from this thread gets Busy once the other thread is inside its poll.
        private static void WaitUntilPolling(Selector selector, Thread poller)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < Support.EventLimit && poller.IsAlive)
            {
                try
                {
                    selector.Poll(new MiowEvent[1], TimeSpan.Zero);
                }
                catch (MiowInvalidOperationException e) when (e.Code == MiowErrorCode.Busy)
                {
                    return;
                }
                Thread.Sleep(5);
            }
            throw new Xunit.Sdk.XunitException("the poller thread never was seen polling");
        }
    }
}
