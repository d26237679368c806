// Poll timeouts: null and InfiniteTimeSpan wait without limit, others round up to milliseconds.
using System;
using System.Diagnostics;
using System.Threading;
using Xunit;

namespace Miowin.Tests
{
    public class TimeoutTests
    {
        [Fact]
        public void Timeouts_round_up_to_whole_milliseconds()
        {
            Assert.Equal(-1, Timeouts.ToMilliseconds(null));
            Assert.Equal(-1, Timeouts.ToMilliseconds(Timeout.InfiniteTimeSpan));
            Assert.Equal(0, Timeouts.ToMilliseconds(TimeSpan.Zero));
            Assert.Equal(1, Timeouts.ToMilliseconds(TimeSpan.FromTicks(1)));
            Assert.Equal(1, Timeouts.ToMilliseconds(TimeSpan.FromMilliseconds(1)));
            Assert.Equal(2, Timeouts.ToMilliseconds(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond + 1)));
            Assert.Equal(1500, Timeouts.ToMilliseconds(TimeSpan.FromSeconds(1.5)));
            Assert.Equal(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond + 1, Timeouts.ToMilliseconds(TimeSpan.MaxValue));
            Assert.Throws<ArgumentOutOfRangeException>(() => Timeouts.ToMilliseconds(TimeSpan.FromTicks(-1)));
            Assert.Throws<ArgumentOutOfRangeException>(() => Timeouts.ToMilliseconds(TimeSpan.FromMilliseconds(-2)));
        }

        [Fact]
        public void Poll_waits_at_least_the_timeout()
        {
            using var selector = new Selector();
            var clock = Stopwatch.StartNew();
            Assert.Empty(Support.PollOnce(selector, TimeSpan.FromMilliseconds(50)));
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(50), $"returned after {clock.Elapsed}");

            // A sub-millisecond timeout is a 1 ms wait, not a non-blocking poll.
            clock.Restart();
            Assert.Empty(Support.PollOnce(selector, TimeSpan.FromTicks(1)));
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(1), $"returned after {clock.Elapsed}");
        }

        [Fact]
        public void Zero_timeout_returns_at_once()
        {
            using var selector = new Selector();
            var clock = Stopwatch.StartNew();
            Assert.Empty(Support.PollOnce(selector, TimeSpan.Zero));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        }

        [Fact]
        public void InfiniteTimeSpan_waits_for_an_event()
        {
            using var selector = new Selector();
            using var waker = selector.CreateWaker(3);
            var wake = Support.Background(() =>
            {
                Thread.Sleep(50);
                waker.Wake();
            });
            wake.Start();
            MiowEvent e = Assert.Single(WakerTests.PollBounded(selector, Timeout.InfiniteTimeSpan));
            Assert.True(wake.Join(Support.EventLimit));
            Assert.Equal(3UL, e.Token);
        }
    }
}
