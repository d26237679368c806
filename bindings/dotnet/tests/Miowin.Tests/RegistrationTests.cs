// Register, reregister, deregister and rearm, and the errors each one reports.
using System;
using System.Collections.Generic;
using Xunit;

namespace Miowin.Tests
{
    public class RegistrationTests
    {
        private static readonly byte[] Ping = { 1, 2, 3 };

        [Fact]
        public void Registered_source_reports_readable_with_its_token()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 7, Interest.Readable);
            Support.SendAll(pair.Client, Ping);

            MiowEvent e = Support.WaitFor(selector, 7);
            Assert.Equal(Readiness.Readable, e.Readiness & Readiness.Readable);
            Assert.True(e.IsReadable);
            Assert.Equal(0u, e.Reserved);
        }

        [Fact]
        public void Connected_socket_registered_for_writing_reports_writable()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Client);
            source.Register(selector, 3, Interest.Writable);

            MiowEvent e = Support.WaitFor(selector, 3);
            Assert.True(e.IsWritable);
            Assert.False(e.IsReadable, "readable was not asked for");
        }

        [Fact]
        public void Reregister_replaces_token_and_interests()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 1, Interest.Writable);
            Support.WaitFor(selector, 1);

            source.Reregister(selector, 2, Interest.Readable);
            Support.SendAll(pair.Client, Ping);
            var others = new List<MiowEvent>();
            MiowEvent e = Support.WaitFor(selector, 2, others);
            Assert.True(e.IsReadable);
            Assert.False(e.IsWritable, "writable is no longer asked for");
            Assert.DoesNotContain(others, o => o.Token == 1);
            foreach (MiowEvent later in Support.Collect(selector, Support.Quiet)) Assert.NotEqual(1UL, later.Token);
        }

        [Fact]
        public void Deregister_stops_events_and_allows_registering_again()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var other = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 5, Interest.Readable);
            Support.SendAll(pair.Client, Ping);
            Support.WaitFor(selector, 5);

            source.Deregister(selector);
            Support.AssertSilent(selector, 5);

            source.Register(other, 6, Interest.Readable);
            Assert.True(Support.WaitFor(other, 6).IsReadable);
        }

        [Fact]
        public void Rearm_of_a_level_registration_changes_nothing()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 9, Interest.Readable);
            source.Rearm();
            Support.AssertSilent(selector, 9);
            Support.SendAll(pair.Client, Ping);
            Support.WaitFor(selector, 9);
            source.Rearm();
            Support.WaitFor(selector, 9);
        }

        [Fact]
        public void Register_twice_is_already_registered()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var other = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 1, Interest.Readable);

            MiowInvalidOperationException e = Support.AssertMiowError<MiowInvalidOperationException>(MiowErrorCode.AlreadyRegistered,
                () => source.Register(selector, 2, Interest.Readable));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.AlreadyRegistered), e.OsError);
            Support.AssertMiowError(MiowErrorCode.AlreadyRegistered, () => source.Register(other, 2, Interest.Readable));
        }

        [Fact]
        public void Reregister_with_another_selector_is_already_registered()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var other = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 1, Interest.Readable);
            Support.AssertMiowError(MiowErrorCode.AlreadyRegistered, () => source.Reregister(other, 2, Interest.Readable));
        }

        [Fact]
        public void Calls_on_an_unregistered_source_are_not_registered()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);

            MiowInvalidOperationException e = Support.AssertMiowError<MiowInvalidOperationException>(MiowErrorCode.NotRegistered, () => source.Deregister(selector));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.NotRegistered), e.OsError);
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => source.Reregister(selector, 1, Interest.Readable));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => source.Rearm());

            source.Register(selector, 1, Interest.Readable);
            source.Deregister(selector);
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => source.Deregister(selector));
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => source.Rearm());
        }

        [Fact]
        public void Deregister_from_another_selector_is_not_registered()
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var other = new Selector();
            using var source = new Source(pair.Server);
            source.Register(selector, 1, Interest.Readable);
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => source.Deregister(other));
            source.Deregister(selector);
        }

        [Theory]
        [InlineData(0u)]                       // no interest at all
        [InlineData(0x100u)]                   // a mode without an interest
        [InlineData(0x301u)]                   // edge and oneshot together
        [InlineData(0x09u)]                    // a readiness-only bit
        [InlineData(0x80000001u)]              // an unknown bit
        public void Invalid_interests_are_invalid_arguments(uint interests)
        {
            using var pair = Support.ConnectedPair();
            using var selector = new Selector();
            using var source = new Source(pair.Server);

            MiowArgumentException e = Support.AssertMiowError<MiowArgumentException>(MiowErrorCode.InvalidArgument,
                () => source.Register(selector, 1, (Interest)interests));
            Assert.Equal(Support.OsErrorFor(MiowErrorCode.InvalidArgument), e.OsError);

            source.Register(selector, 1, Interest.Readable);
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => source.Reregister(selector, 1, (Interest)interests));
        }

        [Fact]
        public void Null_selector_is_an_argument_null_exception()
        {
            using var pair = Support.ConnectedPair();
            using var source = new Source(pair.Server);
            Assert.Throws<ArgumentNullException>(() => source.Register(null!, 1, Interest.Readable));
            Assert.Throws<ArgumentNullException>(() => new Source((System.Net.Sockets.Socket)null!));
            Assert.Throws<ArgumentNullException>(() => new Waker(null!, 1));
        }

        [Fact]
        public void Source_keeps_the_socket_it_wraps()
        {
            using var pair = Support.ConnectedPair();
            using var source = new Source(pair.Server);
            Assert.Same(pair.Server, source.Socket);
            using var raw = new Source(pair.Client.Handle);
            Assert.Null(raw.Socket);
        }
    }
}
