// Wakers: waking a blocked poll from another thread, coalescing, and posted user events.
using System;
using System.Diagnostics;
using System.Threading;
using Xunit;

namespace Miowin.Tests
{
    public class WakerTests
    {
        [Fact]
        public void Wake_from_another_thread_ends_a_poll_without_timeout()
        {
            using var selector = new Selector();
            using var waker = selector.CreateWaker(99);
            Assert.Equal(99UL, waker.Token);
            Assert.Same(selector, waker.Selector);

            var wakerThread = Support.Background(() =>
            {
                Thread.Sleep(100);
                waker.Wake();
            });
            var clock = Stopwatch.StartNew();
            wakerThread.Start();
            MiowEvent[] events = PollBounded(selector, null);
            Assert.True(wakerThread.Join(Support.EventLimit));

            MiowEvent e = Assert.Single(events);
            Assert.Equal(99UL, e.Token);
            Assert.Equal(Readiness.Readable, e.Readiness);
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(90), "the poll waited for the wake");
        }

        [Fact]
        public void Wakes_coalesce_until_delivered()
        {
            using var selector = new Selector();
            using var waker = new Waker(selector, 5);
            for (int i = 0; i < 10; i++) waker.Wake();

            MiowEvent e = Assert.Single(Support.Collect(selector, Support.Quiet));
            Assert.Equal(5UL, e.Token);

            waker.Wake();
            Assert.Single(Support.Collect(selector, Support.Quiet));
        }

        [Fact]
        public void Wakes_from_many_threads_coalesce()
        {
            using var selector = new Selector();
            using var waker = new Waker(selector, 8);
            var threads = new Thread[4];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = Support.Background(() =>
                {
                    for (int i = 0; i < 100; i++) waker.Wake();
                });
                threads[t].Start();
            }
            foreach (Thread t in threads) Assert.True(t.Join(Support.EventLimit));

            var all = Support.Collect(selector, Support.Quiet);
            Assert.Single(all);
        }

        [Fact]
        public void Disposed_waker_does_not_deliver_a_queued_wake()
        {
            using var selector = new Selector();
            var waker = new Waker(selector, 4);
            waker.Wake();
            waker.Dispose();
            Support.AssertSilent(selector, 4);
        }

        [Fact]
        public void Posted_events_carry_token_and_readiness_and_do_not_coalesce()
        {
            using var selector = new Selector();
            selector.Post(42, Readiness.Readable | Readiness.Error);
            selector.Post(42, Readiness.Readable | Readiness.Error);
            selector.Post(43, Readiness.WriteClosed);

            var seen = Support.Collect(selector, Support.Quiet);
            Assert.Equal(3, seen.Count);
            Assert.Equal(2, seen.FindAll(e => e.Token == 42 && e.Readiness == (Readiness.Readable | Readiness.Error)).Count);
            Assert.Single(seen.FindAll(e => e.Token == 43 && e.Readiness == Readiness.WriteClosed));
        }

        [Fact]
        public void Poll_fills_at_most_the_buffer_and_keeps_the_rest()
        {
            using var selector = new Selector();
            for (ulong i = 0; i < 5; i++) selector.Post(i, Readiness.Readable);

            var buffer = new MiowEvent[2];
            Assert.Equal(2, selector.Poll(buffer, TimeSpan.FromSeconds(5)));
            Assert.Equal(2, selector.Poll(buffer, TimeSpan.FromSeconds(5)));
            Assert.Equal(1, selector.Poll(buffer, TimeSpan.FromSeconds(5)));
            Assert.Equal(0, selector.Poll(buffer, TimeSpan.Zero));
        }

        [Theory]
        [InlineData(0u)]
        [InlineData(0x40u)]
        [InlineData(0x100u)]
        public void Post_with_invalid_readiness_is_an_invalid_argument(uint readiness)
        {
            using var selector = new Selector();
            MiowArgumentException e = Support.AssertMiowError<MiowArgumentException>(MiowErrorCode.InvalidArgument,
                () => selector.Post(1, (Readiness)readiness));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.InvalidArgument), e.OsError);
        }

        [Fact]
        public void TryPoll_returns_false_instead_of_waiting()
        {
            using var selector = new Selector();
            var buffer = new MiowEvent[4];
            var clock = Stopwatch.StartNew();
            Assert.False(selector.TryPoll(buffer, out int count));
            Assert.Equal(0, count);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));

            selector.Post(1, Readiness.Readable);
            Assert.True(selector.TryPoll(buffer, out count));
            Assert.Equal(1, count);
            Assert.Equal(1UL, buffer[0].Token);
        }

        [Fact]
        public void Poll_into_a_span()
        {
            using var selector = new Selector();
            selector.Post(11, Readiness.Readable);
            selector.Post(12, Readiness.Writable);
            Span<MiowEvent> events = stackalloc MiowEvent[8];
            int n = selector.Poll(events, TimeSpan.FromSeconds(5));
            if (n == 1) n += selector.Poll(events.Slice(1), TimeSpan.FromSeconds(5));
            Assert.Equal(2, n);
            Assert.Equal(11UL + 12UL, events[0].Token + events[1].Token);
            Assert.True(selector.TryPoll(events, out int none) == false && none == 0);
        }

        /// <summary>Polls on a worker thread; if it has not returned in time, disposes the selector to end it.</summary>
        internal static MiowEvent[] PollBounded(Selector selector, TimeSpan? timeout)
        {
            MiowEvent[]? result = null;
            Exception? error = null;
            var poller = Support.Background(() =>
            {
                try { result = Support.PollOnce(selector, timeout); }
                catch (Exception e) { error = e; }
            });
            poller.Start();
            if (!poller.Join(Support.EventLimit))
            {
                selector.Dispose();
                poller.Join(Support.EventLimit);
                throw new Xunit.Sdk.XunitException("the poll did not return in time");
            }
            if (error != null) throw new Xunit.Sdk.XunitException("the poll failed: " + error);
            return result!;
        }
    }
}
