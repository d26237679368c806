// The three trigger modes: level reports until drained, edge once per rearm, oneshot once per
// rearm or reregister.
using Xunit;

namespace Miowin.Tests
{
    public class ModeTests
    {
        private static readonly byte[] Data = { 10, 20, 30, 40 };

        [Fact]
        public void Level_reports_again_until_the_data_is_read()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 1, Interest.Readable);
            Support.SendAll(pair.Client, Data);

            Support.WaitFor(selector, 1);
            Support.WaitFor(selector, 1);
            Support.WaitFor(selector, 1);

            Assert.Equal(Data.Length, Support.Drain(pair.Server));
            Support.AssertSilent(selector, 1);
        }

        [Fact]
        public void Edge_reports_once_until_rearmed()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 2, Interest.Readable | Interest.Edge);
            Support.SendAll(pair.Client, Data);

            Assert.True(Support.WaitFor(selector, 2).IsReadable);
            // Unread data and even new data stay silent: the interest was reported.
            Support.AssertSilent(selector, 2);
            Support.SendAll(pair.Client, Data);
            Support.AssertSilent(selector, 2);

            // Rearm reports again what is still ready.
            source.Rearm();
            Assert.True(Support.WaitFor(selector, 2).IsReadable);

            // The documented loop: read until it would block, then rearm; new data is reported.
            Assert.Equal(2 * Data.Length, Support.Drain(pair.Server));
            source.Rearm();
            Support.AssertSilent(selector, 2);
            Support.SendAll(pair.Client, Data);
            Assert.True(Support.WaitFor(selector, 2).IsReadable);
        }

        [Fact]
        public void Edge_disarms_only_the_interest_it_reported()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 3, Interest.Readable | Interest.Writable | Interest.Edge);

            // Writable comes first (nothing to read yet) and disarms writable only.
            MiowEvent first = Support.WaitFor(selector, 3);
            Assert.True(first.IsWritable);
            Assert.False(first.IsReadable);

            Support.SendAll(pair.Client, Data);
            MiowEvent second = Support.WaitFor(selector, 3);
            Assert.True(second.IsReadable);
            Assert.False(second.IsWritable, "writable was reported already and not rearmed");
        }

        [Fact]
        public void Oneshot_reports_once_then_waits_for_rearm_or_reregister()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 4, Interest.Readable | Interest.Oneshot);
            Support.SendAll(pair.Client, Data);

            Assert.True(Support.WaitFor(selector, 4).IsReadable);
            Support.AssertSilent(selector, 4);

            // Disarmed, but still registered.
            Support.AssertMiowError(MiowErrorCode.AlreadyRegistered, () => source.Register(selector, 4, Interest.Readable));

            source.Rearm();
            Assert.True(Support.WaitFor(selector, 4).IsReadable);
            Support.AssertSilent(selector, 4);

            source.Reregister(selector, 5, Interest.Readable | Interest.Oneshot);
            Assert.True(Support.WaitFor(selector, 5).IsReadable);
            Support.AssertSilent(selector, 5);
            Support.AssertSilent(selector, 4);
        }

        [Fact]
        public void Peer_close_is_reported_as_read_closed()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 6, Interest.Readable);
            pair.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

            MiowEvent e = Support.WaitFor(selector, 6);
            Assert.True(e.IsReadable);
            Assert.Equal(Readiness.ReadClosed, e.Readiness & Readiness.ReadClosed);
        }
    }
}
