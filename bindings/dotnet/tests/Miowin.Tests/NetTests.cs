// The socket types the library creates (MiowTcpListener, MiowTcpStream, MiowUdpSocket): registered
// with a selector like any source, their Try I/O returning false on would-block, the edge re-arm
// the library does then, addresses as text, options, and the calls a kind of socket refuses.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace Miowin.Tests
{
    public class NetTests
    {
        // Each test runs on a pool thread under this bound (xunit honours Timeout for tests that
        // return a Task; the Wine runner does too).
        private const int Limit = 30_000;

        private static readonly Regex Ipv4Address = new Regex(@"^127\.0\.0\.1:(\d+)$");

        private static Task Bounded(Action body) => Task.Run(body);

        private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

        private static string Ascii(byte[] bytes, int count) => Encoding.ASCII.GetString(bytes, 0, count);

        /// <summary>Polls until the source reports <paramref name="token"/>, then accepts one connection.</summary>
        internal static MiowTcpStream AcceptOne(Selector selector, MiowTcpListener listener, ulong token, out IPEndPoint peer)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                if (listener.TryAccept(out MiowTcpStream? stream, out IPEndPoint? address))
                {
                    peer = address;
                    return stream;
                }
                Assert.True(clock.Elapsed < Support.EventLimit, "the connection was never accepted");
                Support.WaitFor(selector, token);
            }
        }

        /// <summary>A connected pair of streams over loopback, neither registered.</summary>
        private static (MiowTcpStream Client, MiowTcpStream Server) ConnectedPair(Selector selector, MiowTcpListener listener)
        {
            MiowTcpStream client = MiowTcpStream.Connect(listener.LocalAddress);
            listener.Register(selector, 100, Interest.Readable);
            MiowTcpStream server = AcceptOne(selector, listener, 100, out _);
            listener.Deregister(selector);
            client.Register(selector, 101, Interest.Writable);
            Support.WaitFor(selector, 101);
            client.Deregister(selector);
            Assert.Null(client.TakeError());
            return (client, server);
        }

        /// <summary>A selector, a listener and a connected pair of its streams, none registered; disposing closes them all.</summary>
        private sealed class StreamPair : IDisposable
        {
            internal StreamPair()
            {
                Selector = new Selector();
                try
                {
                    Listener = MiowTcpListener.Bind("127.0.0.1:0");
                    (Client, Server) = ConnectedPair(Selector, Listener);
                }
                catch
                {
                    Dispose();
                    throw;
                }
            }

            internal Selector Selector { get; }
            internal MiowTcpListener? Listener { get; }
            internal MiowTcpStream? Client { get; }
            internal MiowTcpStream? Server { get; }

            internal void Deconstruct(out Selector selector, out MiowTcpListener listener, out MiowTcpStream client, out MiowTcpStream server)
            {
                selector = Selector;
                listener = Listener!;
                client = Client!;
                server = Server!;
            }

            public void Dispose()
            {
                Server?.Dispose();
                Client?.Dispose();
                Listener?.Dispose();
                Selector.Dispose();
            }
        }

        /// <summary>Sets a property to each of <paramref name="values"/> in turn; each reads back equal.</summary>
        private static void AssertReadsBack<T>(Func<T> get, Action<T> set, params T[] values)
        {
            foreach (T value in values)
            {
                set(value);
                Assert.Equal(value, get());
            }
        }

        /// <summary>Reads until <paramref name="count"/> bytes came, waiting for <paramref name="token"/> between reads.</summary>
        private static byte[] ReadExactly(Selector selector, ulong token, MiowTcpStream stream, int count)
        {
            var data = new byte[count];
            int got = 0;
            var clock = Stopwatch.StartNew();
            while (got < count)
            {
                Assert.True(clock.Elapsed < Support.EventLimit, $"only {got} of {count} bytes arrived");
                if (!stream.TryRead(data, got, count - got, out int n))
                {
                    Support.WaitFor(selector, token);
                    continue;
                }
                Assert.True(n > 0, "end of stream before all the bytes arrived");
                got += n;
            }
            return data;
        }

        [Fact(Timeout = Limit)]
        public Task Tcp_echo_through_a_selector() => Bounded(() =>
        {
            using var selector = new Selector();
            using var listener = MiowTcpListener.Bind("127.0.0.1:0");
            listener.Register(selector, 1, Interest.Readable);
            using var client = MiowTcpStream.Connect(listener.LocalAddress);
            client.Register(selector, 2, Interest.Readable | Interest.Writable);
            MiowTcpStream? server = null;
            byte[] payload = Ascii(string.Concat(Enumerable.Repeat("hello, miowin ", 1000)));
            int sent = 0;
            var echoed = new List<byte>();
            var pending = new List<byte>();
            var buffer = new byte[65536];
            var events = new MiowEvent[16];
            var clock = Stopwatch.StartNew();
            try
            {
                while (echoed.Count < payload.Length)
                {
                    Assert.True(clock.Elapsed < Support.EventLimit, $"echoed {echoed.Count} of {payload.Length} bytes");
                    int count = selector.Poll(events, TimeSpan.FromMilliseconds(200));
                    for (int i = 0; i < count; i++)
                    {
                        MiowEvent ev = events[i];
                        Assert.True((ev.Readiness & Readiness.Error) == 0, ev.ToString());
                        if (ev.Token == 1)
                        {
                            Assert.True(listener.TryAccept(out server, out _));
                            server.Register(selector, 3, Interest.Readable | Interest.Writable);
                        }
                        else if (ev.Token == 2)
                        {
                            if (ev.IsWritable && sent < payload.Length && client.TryWrite(payload, sent, payload.Length - sent, out int n))
                            {
                                sent += n;
                            }
                            if (ev.IsReadable && client.TryRead(buffer, 0, buffer.Length, out n))
                            {
                                echoed.AddRange(buffer.Take(n));
                            }
                        }
                        else if (ev.Token == 3)
                        {
                            if (ev.IsReadable && server!.TryRead(buffer, 0, buffer.Length, out int n)) pending.AddRange(buffer.Take(n));
                            if (pending.Count > 0)
                            {
                                byte[] chunk = pending.ToArray();
                                if (server!.TryWrite(chunk, 0, chunk.Length, out n)) pending.RemoveRange(0, n);
                            }
                        }
                    }
                }
                Assert.Equal(payload, echoed.ToArray());
            }
            finally
            {
                server?.Dispose();
            }
        });

        [Fact(Timeout = Limit)]
        public Task Accept_until_it_would_block_in_edge_mode() => Bounded(() =>
        {
            using var selector = new Selector();
            using var listener = MiowTcpListener.Bind("127.0.0.1:0");
            listener.Register(selector, 1, Interest.Readable | Interest.Edge);
            var clients = new List<MiowTcpStream>();
            var accepted = new List<(MiowTcpStream Stream, IPEndPoint Peer)>();
            try
            {
                for (int i = 0; i < 3; i++) clients.Add(MiowTcpStream.Connect(listener.LocalAddress));
                var clock = Stopwatch.StartNew();
                while (accepted.Count < clients.Count)
                {
                    Assert.True(clock.Elapsed < Support.EventLimit, $"accepted {accepted.Count} of {clients.Count}");
                    Support.WaitFor(selector, 1);
                    // Edge mode: the listener is reported again only once accept has said would-block.
                    while (listener.TryAccept(out MiowTcpStream? stream, out IPEndPoint? peer)) accepted.Add((stream, peer));
                }
                Assert.False(listener.TryAccept(out MiowTcpStream? none, out IPEndPoint? nobody));
                Assert.Null(none);
                Assert.Null(nobody);
                foreach ((MiowTcpStream stream, IPEndPoint peer) in accepted)
                {
                    Assert.Matches(Ipv4Address, peer.ToString());
                    Assert.Equal(peer, stream.PeerAddress);
                }
                Assert.Equal(clients.Select(c => c.LocalAddress.ToString()).OrderBy(a => a, StringComparer.Ordinal),
                             accepted.Select(a => a.Peer.ToString()).OrderBy(a => a, StringComparer.Ordinal));

                // No Rearm() by the test: the would-block re-armed the listener.
                clients.Add(MiowTcpStream.Connect(listener.LocalAddress));
                Support.WaitFor(selector, 1);
                Assert.True(listener.TryAccept(out MiowTcpStream? fourth, out _));
                accepted.Add((fourth, fourth.PeerAddress));
            }
            finally
            {
                foreach (MiowTcpStream c in clients) c.Dispose();
                foreach ((MiowTcpStream stream, _) in accepted) stream.Dispose();
            }
        });

        [Fact(Timeout = Limit)]
        public Task A_refused_connect_is_reported_by_TakeError() => Bounded(() =>
        {
            IPEndPoint address;
            using (MiowTcpListener gone = MiowTcpListener.Bind("127.0.0.1:0")) address = gone.LocalAddress;
            using var selector = new Selector();
            using MiowTcpStream stream = MiowTcpStream.Connect(address);
            stream.Register(selector, 1, Interest.Writable);
            MiowEvent ev = Support.WaitFor(selector, 1);
            Assert.True((ev.Readiness & (Readiness.Error | Readiness.WriteClosed)) != 0, ev.ToString());

            // A SocketException, as .NET's own sockets report it, that keeps the miowin code.
            SocketException error = Assert.IsAssignableFrom<SocketException>(stream.TakeError());
            Assert.Equal(MiowErrorCode.ConnectionRefused, ((IMiowError)error).Code);
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
            Assert.Equal(Support.IsWindows ? 10061 : 111, ((IMiowError)error).OsError); // WSAECONNREFUSED, ECONNREFUSED
            Assert.Contains("MIOW_ECONNREFUSED", error.Message);
            // Taking it cleared it. (Not under Wine 8, whose SO_ERROR keeps a failed connect's error.)
            if (!Support.IsWindows) Assert.Null(stream.TakeError());

            MiowSocketException notConnected = Assert.Throws<MiowSocketException>(() => stream.PeerAddress);
            Assert.Equal(MiowErrorCode.NotConnected, notConnected.Code);
            Assert.Equal(SocketError.NotConnected, notConnected.SocketErrorCode);
        });

        [Fact(Timeout = Limit)]
        public Task An_edge_registration_is_rearmed_by_a_read_that_would_block() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            server.Register(selector, 7, Interest.Readable | Interest.Edge);
            Assert.True(client.TryWrite(Ascii("one"), 0, 3, out _));
            Support.WaitFor(selector, 7);
            Assert.Equal("one", Encoding.ASCII.GetString(ReadExactly(selector, 7, server, 3)));
            var buffer = new byte[100];
            Assert.False(server.TryRead(buffer, 0, buffer.Length, out int none));
            Assert.Equal(0, none);

            Assert.True(client.TryWrite(Ascii("two"), 0, 3, out _));
            Support.WaitFor(selector, 7);
            Assert.True(server.TryRead(buffer, 0, buffer.Length, out int n));
            Assert.Equal("two", Ascii(buffer, n));
        });

        [Fact(Timeout = Limit)]
        public Task Writes_until_the_send_buffer_is_full_then_writable_again() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            client.Register(selector, 5, Interest.Writable | Interest.Edge);
            Support.WaitFor(selector, 5);
            var chunk = new byte[65536];
            long total = 0;
            while (client.TryWrite(chunk, 0, chunk.Length, out int n))
            {
                total += n;
                Assert.True(total < 1L << 30, "the send buffer never filled");
            }
            Support.AssertSilent(selector, 5);

            server.Register(selector, 6, Interest.Readable);
            var buffer = new byte[1 << 20];
            long drained = 0;
            var clock = Stopwatch.StartNew();
            while (drained < total)
            {
                Assert.True(clock.Elapsed < Support.EventLimit, $"drained {drained} of {total}");
                if (server.TryRead(buffer, 0, buffer.Length, out int n)) drained += n;
                else Support.WaitFor(selector, 6);
            }
            Assert.Equal(total, drained);
            Assert.True(Support.WaitFor(selector, 5).IsWritable);
        });

        [Fact(Timeout = Limit)]
        public Task Peek_does_not_consume() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            server.Register(selector, 1, Interest.Readable);
            Assert.True(client.TryWrite(Ascii("peekaboo"), 0, 8, out int sent));
            Assert.Equal(8, sent);
            Support.WaitFor(selector, 1);
            var buffer = new byte[100];
            Assert.True(server.TryPeek(buffer, 0, 4, out int n));
            Assert.Equal("peek", Ascii(buffer, n));
            Assert.True(server.TryPeek(buffer, 0, buffer.Length, out n));
            Assert.Equal("peekaboo", Ascii(buffer, n));
            Assert.True(Support.WaitFor(selector, 1).IsReadable); // still readable: nothing consumed
            Assert.True(server.TryRead(buffer, 10, 20, out n));
            Assert.Equal("peekaboo", Encoding.ASCII.GetString(buffer, 10, n));
            Assert.False(server.TryPeek(buffer, 0, buffer.Length, out _));
        });

        [Fact(Timeout = Limit)]
        public Task Vectored_reads_and_writes_fill_the_buffers_in_order() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            server.Register(selector, 1, Interest.Readable);
            var parts = new[]
            {
                new ArraySegment<byte>(Ascii("ab")),
                new ArraySegment<byte>(Ascii("xcdex"), 1, 3),
                new ArraySegment<byte>(Array.Empty<byte>()),
                new ArraySegment<byte>(Ascii("fghi")),
            };
            Assert.True(client.TryWrite(parts, out int sent));
            Assert.Equal(9, sent);
            Support.WaitFor(selector, 1);
            byte[] one = new byte[1], three = new byte[3], rest = new byte[10];
            var into = new List<ArraySegment<byte>>
            {
                new ArraySegment<byte>(one),
                new ArraySegment<byte>(Array.Empty<byte>()),
                new ArraySegment<byte>(three),
                new ArraySegment<byte>(rest, 2, 8),
            };
            Assert.True(server.TryRead(into, out int received));
            Assert.Equal(9, received);
            Assert.Equal("a", Ascii(one, 1));
            Assert.Equal("bcd", Ascii(three, 3));
            Assert.Equal("efghi", Encoding.ASCII.GetString(rest, 2, 5));
            Assert.False(server.TryRead(into, out _));

            Assert.True(client.TryWrite(new List<ArraySegment<byte>>(), out sent));
            Assert.Equal(0, sent);
            Assert.Throws<ArgumentNullException>(() => client.TryWrite((IList<ArraySegment<byte>>)null!, out _));
            Assert.Throws<ArgumentException>(() => client.TryWrite(new[] { default(ArraySegment<byte>) }, out _));
            var tooMany = Enumerable.Repeat(new ArraySegment<byte>(one), NativeMethods.MIOW_BUFFERS_MAX + 1).ToList();
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => client.TryWrite(tooMany, out _));
        });

        [Fact(Timeout = Limit)]
        public Task Span_overloads_read_write_and_peek() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            server.Register(selector, 1, Interest.Readable);
            Assert.True(client.TryWrite("span"u8, out int sent));
            Assert.Equal(4, sent);
            Assert.True(client.TryWrite(ReadOnlySpan<byte>.Empty, out sent));
            Assert.Equal(0, sent);
            Support.WaitFor(selector, 1);
            Span<byte> buffer = stackalloc byte[16];
            Assert.True(server.TryPeek(buffer, out int n));
            Assert.Equal("span", Encoding.ASCII.GetString(buffer.Slice(0, n)));
            Assert.True(server.TryRead(buffer, out n));
            Assert.Equal("span", Encoding.ASCII.GetString(buffer.Slice(0, n)));
            Assert.False(server.TryRead(buffer, out _));

            using var a = MiowUdpSocket.Bind("127.0.0.1:0");
            using var b = MiowUdpSocket.Bind("127.0.0.1:0");
            b.Register(selector, 2, Interest.Readable);
            Assert.True(a.TrySendTo("dgram"u8, b.LocalAddress, out sent));
            Support.WaitFor(selector, 2);
            Assert.True(b.TryPeekFrom(buffer, out n, out IPEndPoint? from));
            Assert.Equal(a.LocalAddress, from);
            Assert.True(b.TryReceiveFrom(buffer, out n, out from));
            Assert.Equal("dgram", Encoding.ASCII.GetString(buffer.Slice(0, n)));
            Assert.Equal(a.LocalAddress, from);
            a.Connect(b.LocalAddress);
            b.Connect(a.LocalAddress);
            Assert.True(a.TryWrite("connected"u8, out sent));
            Support.WaitFor(selector, 2);
            Assert.True(b.TryPeek(buffer, out n));
            Assert.True(b.TryRead(buffer, out n));
            Assert.Equal("connected", Encoding.ASCII.GetString(buffer.Slice(0, n)));
        });

        [Fact(Timeout = Limit)]
        public Task Shutdown_send_ends_the_peers_stream_and_later_writes_fail() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            server.Register(selector, 1, Interest.Readable);
            client.Shutdown(SocketShutdown.Send);
            Support.WaitFor(selector, 1);
            var buffer = new byte[16];
            Assert.True(server.TryRead(buffer, 0, buffer.Length, out int n));
            Assert.Equal(0, n); // end of stream

            MiowSocketException e = Support.AssertMiowError<MiowSocketException>(MiowErrorCode.Shutdown, () => client.TryWrite(Ascii("late"), 0, 4, out _));
            Assert.Equal(SocketError.Shutdown, e.SocketErrorCode);

            client.Register(selector, 2, Interest.Readable);
            Assert.True(server.TryWrite(Ascii("still here"), 0, 10, out _));
            Support.WaitFor(selector, 2);
            Assert.True(client.TryRead(buffer, 0, buffer.Length, out n));
            Assert.Equal("still here", Ascii(buffer, n));
            Assert.Throws<ArgumentOutOfRangeException>(() => client.Shutdown((SocketShutdown)7));
        });

        [Fact(Timeout = Limit)]
        public Task Disposing_a_stream_closes_its_socket() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (Selector selector, _, MiowTcpStream client, MiowTcpStream server) = pair;
            client.Register(selector, 1, Interest.Readable);
            server.Dispose();
            server.Dispose();
            Support.WaitFor(selector, 1);
            var buffer = new byte[16];
            Assert.True(client.TryRead(buffer, 0, buffer.Length, out int n));
            Assert.Equal(0, n);
            ObjectDisposedException e = Assert.Throws<ObjectDisposedException>(() => server.TryRead(buffer, 0, 1, out _));
            Assert.Equal(nameof(MiowTcpStream), e.ObjectName);
            Assert.Throws<ObjectDisposedException>(() => server.LocalAddress);
            Assert.Throws<ObjectDisposedException>(() => server.TakeError());
            Assert.Throws<ObjectDisposedException>(() => server.SocketHandle);
            Assert.Throws<ObjectDisposedException>(() => server.Register(selector, 2, Interest.Readable));
        });

        [Fact(Timeout = Limit)]
        public Task Addresses_round_trip() => Bounded(() =>
        {
            using var selector = new Selector();
            using var listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            IPEndPoint local = listener.LocalAddress;
            Match m = Ipv4Address.Match(local.ToString());
            Assert.True(m.Success, local.ToString());
            Assert.NotEqual("0", m.Groups[1].Value);
            (MiowTcpStream client, MiowTcpStream server) = ConnectedPair(selector, listener);
            using (client)
            using (server)
            {
                Assert.Equal(local, client.PeerAddress);
                Assert.Equal(local, server.LocalAddress);
                Assert.Equal(client.LocalAddress, server.PeerAddress);
                Assert.Matches(Ipv4Address, client.LocalAddress.ToString());
                Assert.NotEqual(IntPtr.Zero, client.SocketHandle);
                Assert.NotEqual(client.SocketHandle, server.SocketHandle);
            }
            using MiowTcpStream viaEndPoint = MiowTcpStream.Connect(new IPEndPoint(IPAddress.Loopback, int.Parse(m.Groups[1].Value)));
            Assert.Null(viaEndPoint.Socket);
        });

        [Fact(Timeout = Limit)]
        public Task Ipv6_addresses_are_bracketed() => Bounded(() =>
        {
            MiowTcpListener listener;
            try
            {
                listener = MiowTcpListener.Bind("[::1]:0");
            }
            catch (MiowSocketException e) when (e.Code == MiowErrorCode.AddressNotAvailable)
            {
                return; // no IPv6 loopback here
            }
            using (listener)
            {
                Assert.Matches(@"^\[::1\]:\d+$", listener.LocalAddress.ToString());
                Assert.True(listener.OnlyV6);
                using MiowTcpStream stream = MiowTcpStream.Connect(listener.LocalAddress);
                Assert.Matches(@"^\[::1\]:\d+$", stream.LocalAddress.ToString());
                using MiowUdpSocket udp = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
                Assert.True(udp.OnlyV6);
                udp.MulticastLoopV6 = false;
                Assert.False(udp.MulticastLoopV6);
                Support.AssertMiowError(MiowErrorCode.NotSupported, () => _ = udp.MulticastTtlV4);
                Support.AssertMiowError(MiowErrorCode.NotSupported, () => udp.JoinMulticastV4("239.255.0.1"));
            }
        });

        [Theory(Timeout = Limit)]
        [InlineData("localhost:80")]
        [InlineData("127.0.0.1")]
        [InlineData("127.0.0.1:")]
        [InlineData("127.0.0.1:65536")]
        [InlineData("::1:80")]
        [InlineData("[::1]80")]
        [InlineData("")]
        [InlineData("1:80")]
        [InlineData("127.1:80")]
        public Task Addresses_that_are_not_numeric_are_argument_exceptions(string address) => Bounded(() =>
        {
            // The binding parses the text itself: the library is never asked.
            foreach (Action call in new Action[]
                     {
                         () => MiowTcpListener.Bind(address), () => MiowTcpStream.Connect(address), () => MiowUdpSocket.Bind(address),
                     })
            {
                ArgumentException e = Assert.Throws<ArgumentException>(call);
                Assert.Equal("address", e.ParamName);
                Assert.Contains($"'{address}'", e.Message);
            }
        });

        [Fact(Timeout = Limit)]
        public Task A_host_name_is_refused_with_a_pointer_to_Dns() => Bounded(() =>
        {
            ArgumentException e = Assert.Throws<ArgumentException>(() => MiowTcpListener.Bind("localhost:0"));
            Assert.Contains("names a host", e.Message);
            Assert.Contains("Dns.GetHostAddresses", e.Message);
            using var udp = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Assert.Throws<ArgumentException>(() => udp.TrySendTo(new byte[1], 0, 1, "example.com:53", out _));
        });

        [Fact(Timeout = Limit)]
        public Task Address_errors_and_argument_checks() => Bounded(() =>
        {
            using var listener = MiowTcpListener.Bind("127.0.0.1:0");
            MiowSocketException inUse = Support.AssertMiowError<MiowSocketException>(MiowErrorCode.AddressInUse, () => MiowTcpListener.Bind(listener.LocalAddress));
            Assert.Equal(SocketError.AddressAlreadyInUse, inUse.SocketErrorCode);
            // TEST-NET-1 is never a local address. (Wine 8 binds a UDP socket to it all the same.)
            Support.AssertMiowError(MiowErrorCode.AddressNotAvailable, () => MiowTcpListener.Bind("192.0.2.1:0"));
            if (!Support.IsWindows) Support.AssertMiowError(MiowErrorCode.AddressNotAvailable, () => MiowUdpSocket.Bind("192.0.2.1:0"));
            Assert.Throws<ArgumentNullException>(() => MiowTcpListener.Bind((string)null!));
            Assert.Throws<ArgumentNullException>(() => MiowTcpStream.Connect((IPEndPoint)null!));
            Assert.Throws<ArgumentException>(() => MiowUdpSocket.Bind("127.0.0.1:0\0junk"));
        });

        [Fact(Timeout = Limit)]
        public Task Udp_round_trip_with_an_empty_datagram() => Bounded(() =>
        {
            using var selector = new Selector();
            using var a = MiowUdpSocket.Bind("127.0.0.1:0");
            using var b = MiowUdpSocket.Bind("127.0.0.1:0");
            b.Register(selector, 1, Interest.Readable);
            Assert.True(a.TrySendTo(Ascii("hello"), 0, 5, b.LocalAddress, out int sent));
            Assert.Equal(5, sent);
            Support.WaitFor(selector, 1);
            var buffer = new byte[100];
            Assert.True(b.TryReceiveFrom(buffer, 0, buffer.Length, out int n, out IPEndPoint? from));
            Assert.Equal("hello", Ascii(buffer, n));
            Assert.Equal(a.LocalAddress, from);

            Assert.True(a.TrySendTo(Array.Empty<byte>(), 0, 0, b.LocalAddress, out sent));
            Assert.Equal(0, sent);
            Support.WaitFor(selector, 1);
            Assert.True(b.TryReceiveFrom(buffer, 0, buffer.Length, out n, out from));
            Assert.Equal(0, n);
            Assert.Equal(a.LocalAddress, from);

            Assert.False(b.TryReceiveFrom(buffer, 0, buffer.Length, out n, out from));
            Assert.Null(from);
        });

        [Fact(Timeout = Limit)]
        public Task Udp_peek_leaves_the_datagram_and_a_small_buffer_is_MessageSize() => Bounded(() =>
        {
            using var selector = new Selector();
            using var a = MiowUdpSocket.Bind("127.0.0.1:0");
            using var b = MiowUdpSocket.Bind("127.0.0.1:0");
            b.Register(selector, 1, Interest.Readable);
            a.TrySendTo(Ascii("0123456789"), 0, 10, b.LocalAddress, out _);
            Support.WaitFor(selector, 1);
            var buffer = new byte[100];
            Assert.True(b.TryPeekFrom(buffer, 0, buffer.Length, out int n, out IPEndPoint? from));
            Assert.Equal("0123456789", Ascii(buffer, n));
            Assert.Equal(a.LocalAddress, from);
            MiowSocketException e = Support.AssertMiowError<MiowSocketException>(MiowErrorCode.MessageSize, () => b.TryPeekFrom(buffer, 0, 4, out _, out _));
            Assert.Equal(SocketError.MessageSize, e.SocketErrorCode);
            Assert.True(b.TryReceiveFrom(buffer, 0, buffer.Length, out n, out _));
            Assert.Equal("0123456789", Ascii(buffer, n));

            // recv_from with too small a buffer consumes the datagram.
            a.TrySendTo(Ascii("0123456789"), 0, 10, b.LocalAddress, out _);
            a.TrySendTo(Ascii("next"), 0, 4, b.LocalAddress, out _);
            Support.WaitFor(selector, 1);
            Support.AssertMiowError(MiowErrorCode.MessageSize, () => b.TryReceiveFrom(buffer, 0, 4, out _, out _));
            var clock = Stopwatch.StartNew();
            while (!b.TryReceiveFrom(buffer, 0, buffer.Length, out n, out _))
            {
                Assert.True(clock.Elapsed < Support.EventLimit);
                Support.WaitFor(selector, 1);
            }
            Assert.Equal("next", Ascii(buffer, n));
        });

        [Fact(Timeout = Limit)]
        public Task Connected_udp_reads_and_writes_its_peer() => Bounded(() =>
        {
            using var selector = new Selector();
            using var a = MiowUdpSocket.Bind("127.0.0.1:0");
            using var b = MiowUdpSocket.Bind("127.0.0.1:0");
            Support.AssertMiowError(MiowErrorCode.NotConnected, () => _ = a.PeerAddress);
            MiowSocketException noPeer = Assert.Throws<MiowSocketException>(() => a.TryWrite(Ascii("x"), 0, 1, out _));
            if (Support.IsWindows && noPeer.Code == MiowErrorCode.OsError)
            {
                Assert.Equal(10022, noPeer.OsError); // Wine 8 fails the send with WSAEINVAL, not WSAENOTCONN
            }
            else
            {
                Assert.Equal(MiowErrorCode.NotConnected, noPeer.Code);
            }
            a.Connect(b.LocalAddress);
            b.Connect(a.LocalAddress);
            Assert.Equal(b.LocalAddress, a.PeerAddress);
            b.Register(selector, 1, Interest.Readable);
            Assert.True(a.TryWrite(Ascii("dgram"), 0, 5, out int sent));
            Assert.Equal(5, sent);
            Support.WaitFor(selector, 1);
            var buffer = new byte[100];
            Assert.True(b.TryPeek(buffer, 0, buffer.Length, out int n));
            Assert.True(b.TryRead(buffer, 0, buffer.Length, out n));
            Assert.Equal("dgram", Ascii(buffer, n));

            Assert.True(a.TryWrite(new[] { new ArraySegment<byte>(Ascii("two ")), new ArraySegment<byte>(Ascii("parts")) }, out sent));
            Assert.Equal(9, sent);
            Support.WaitFor(selector, 1);
            byte[] first = new byte[4], second = new byte[16];
            Assert.True(b.TryRead(new[] { new ArraySegment<byte>(first), new ArraySegment<byte>(second) }, out n));
            Assert.Equal(9, n);
            Assert.Equal("two parts", Ascii(first, 4) + Ascii(second, 5));
        });

        [Fact(Timeout = Limit)]
        public Task Options_read_back_what_was_set() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (_, MiowTcpListener listener, MiowTcpStream client, _) = pair;
            AssertReadsBack(() => client.NoDelay, v => client.NoDelay = v, true, false);
            AssertReadsBack(() => client.Ttl, v => client.Ttl = v, 42);
            AssertReadsBack(() => listener.Ttl, v => listener.Ttl = v, 17);
            foreach (int bad in new[] { 0, 256, -1 })
            {
                Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => client.Ttl = bad);
            }
            Support.AssertMiowError(MiowErrorCode.NotSupported, () => _ = client.OnlyV6); // IPv4

            using var udp = MiowUdpSocket.Bind("127.0.0.1:0");
            AssertReadsBack(() => udp.Broadcast, v => udp.Broadcast = v, true, false);
            AssertReadsBack(() => udp.MulticastLoopV4, v => udp.MulticastLoopV4 = v, false, true);
            AssertReadsBack(() => udp.MulticastTtlV4, v => udp.MulticastTtlV4 = v, 7);
            AssertReadsBack(() => udp.Ttl, v => udp.Ttl = v, 99);
            Support.AssertMiowError(MiowErrorCode.NotSupported, () => _ = udp.MulticastLoopV6);
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => udp.MulticastTtlV4 = 256);
        });

        [Fact(Timeout = Limit)]
        public Task Multicast_v4_join_and_leave() => Bounded(() =>
        {
            using var udp = MiowUdpSocket.Bind("127.0.0.1:0");
            try
            {
                udp.JoinMulticastV4("239.255.0.1", "127.0.0.1");
            }
            catch (MiowSocketException e) when (e.Code == MiowErrorCode.AddressNotAvailable || e.Code == MiowErrorCode.OsError)
            {
                return; // no multicast on the loopback interface here
            }
            udp.LeaveMulticastV4("239.255.0.1", "127.0.0.1");
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => udp.JoinMulticastV4("not-an-ip"));
            Support.AssertMiowError(MiowErrorCode.InvalidArgument, () => udp.JoinMulticastV4("239.255.0.1:80"));
            Support.AssertMiowError(MiowErrorCode.NotSupported, () => udp.JoinMulticastV6("ff02::1:3"));
            Assert.Throws<ArgumentNullException>(() => udp.JoinMulticastV4(null!));
        });

        /// <summary>One raw call of each family on a source; call name to result code.</summary>
        private static unsafe Dictionary<string, int> RawCalls(SourceHandle handle)
        {
            const int size = 64;
            byte* buffer = stackalloc byte[size];
            byte[] address = Encoding.ASCII.GetBytes("127.0.0.1:9\0");
            var results = new Dictionary<string, int>();
            fixed (byte* a = address)
            {
                results["accept"] = NativeMethods.miow_tcp_accept(handle, out SourceHandle accepted, buffer, (UIntPtr)size);
                accepted.Dispose();
                results["read"] = NativeMethods.miow_source_read(handle, buffer, (UIntPtr)size, out _);
                results["write"] = NativeMethods.miow_source_write(handle, buffer, (UIntPtr)1, out _);
                results["send_to"] = NativeMethods.miow_udp_send_to(handle, buffer, (UIntPtr)1, a, out _);
                results["recv_from"] = NativeMethods.miow_udp_recv_from(handle, buffer, (UIntPtr)size, out _, null, UIntPtr.Zero);
                results["udp_connect"] = NativeMethods.miow_udp_connect(handle, a);
                results["shutdown"] = NativeMethods.miow_source_shutdown(handle, NativeMethods.MIOW_SHUT_BOTH);
                results["nodelay"] = NativeMethods.miow_source_get_option(handle, NativeMethods.MIOW_OPT_NODELAY, out _);
                results["broadcast"] = NativeMethods.miow_source_get_option(handle, NativeMethods.MIOW_OPT_BROADCAST, out _);
            }
            return results;
        }

        private static string[] NotSupported(Dictionary<string, int> results) =>
            results.Where(r => r.Value == (int)MiowErrorCode.NotSupported).Select(r => r.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();

        [Fact(Timeout = Limit)]
        public Task Calls_of_the_wrong_kind_are_NotSupported() => Bounded(() =>
        {
            using var pair = new StreamPair();
            (_, MiowTcpListener listener, MiowTcpStream client, _) = pair;
            using var udp = MiowUdpSocket.Bind("127.0.0.1:0");
            Assert.Equal(new[] { "broadcast", "nodelay", "read", "recv_from", "send_to", "shutdown", "udp_connect", "write" },
                         NotSupported(RawCalls(listener.Handle)));
            Assert.Equal(new[] { "accept", "broadcast", "recv_from", "send_to", "udp_connect" },
                         NotSupported(RawCalls(client.Handle)));
            Assert.Equal(new[] { "accept", "nodelay", "shutdown" }, NotSupported(RawCalls(udp.Handle)));
            Assert.Equal(Support.IsWindows ? 50 : 95, MiowLibrary.LastOsError); // ERROR_NOT_SUPPORTED, EOPNOTSUPP
        });

        [Fact(Timeout = Limit)]
        public Task Library_calls_on_a_caller_owned_socket_are_NotSupported() => Bounded(() =>
        {
            using var pair = Support.ConnectedPair();
            using var source = new Source(pair.Client);
            Dictionary<string, int> results = RawCalls(source.Handle);
            Assert.All(results.Values, rc => Assert.Equal((int)MiowErrorCode.NotSupported, rc));
            Assert.Equal((int)MiowErrorCode.NotSupported, NativeMethods.miow_source_take_error(source.Handle, out _, out _));
            // miow_source_socket is the one call that works on every source.
            Assert.Equal(pair.Client.Handle, source.SocketHandle);
        });

        [Fact(Timeout = Limit)]
        public Task Socket_types_register_like_any_source() => Bounded(() =>
        {
            using var selector = new Selector();
            using var a = MiowUdpSocket.Bind("127.0.0.1:0");
            using var b = MiowUdpSocket.Bind("127.0.0.1:0");
            Source asSource = b;
            asSource.Register(selector, 9, Interest.Readable | Interest.Oneshot);
            var buffer = new byte[10];
            a.TrySendTo(Ascii("1"), 0, 1, b.LocalAddress, out _);
            Assert.True(Support.WaitFor(selector, 9).IsReadable);
            Assert.True(b.TryReceiveFrom(buffer, 0, buffer.Length, out _, out _));
            Assert.False(b.TryReceiveFrom(buffer, 0, buffer.Length, out _, out _));
            // Oneshot: the library leaves the re-arm to the host, even after a would-block.
            a.TrySendTo(Ascii("2"), 0, 1, b.LocalAddress, out _);
            Support.AssertSilent(selector, 9);
            b.Rearm();
            Assert.True(Support.WaitFor(selector, 9).IsReadable);
            b.Reregister(selector, 10, Interest.Readable);
            Assert.True(Support.WaitFor(selector, 10).IsReadable);
            b.Deregister(selector);
            Support.AssertMiowError(MiowErrorCode.NotRegistered, () => b.Rearm());
            Assert.Null(a.TakeError());
        });

        [Fact]
        public void Socket_error_codes_have_the_C_values_and_names()
        {
            var codes = new (MiowErrorCode Code, int Value, string Name, SocketError Socket)[]
            {
                (MiowErrorCode.WouldBlock, -10, "MIOW_EWOULDBLOCK", SocketError.WouldBlock),
                (MiowErrorCode.ConnectionRefused, -11, "MIOW_ECONNREFUSED", SocketError.ConnectionRefused),
                (MiowErrorCode.ConnectionReset, -12, "MIOW_ECONNRESET", SocketError.ConnectionReset),
                (MiowErrorCode.ConnectionAborted, -13, "MIOW_ECONNABORTED", SocketError.ConnectionAborted),
                (MiowErrorCode.NotConnected, -14, "MIOW_ENOTCONN", SocketError.NotConnected),
                (MiowErrorCode.AddressInUse, -15, "MIOW_EADDRINUSE", SocketError.AddressAlreadyInUse),
                (MiowErrorCode.AddressNotAvailable, -16, "MIOW_EADDRNOTAVAIL", SocketError.AddressNotAvailable),
                (MiowErrorCode.MessageSize, -17, "MIOW_EMSGSIZE", SocketError.MessageSize),
                (MiowErrorCode.Shutdown, -18, "MIOW_ESHUTDOWN", SocketError.Shutdown),
                (MiowErrorCode.TimedOut, -19, "MIOW_ETIMEDOUT", SocketError.TimedOut),
                (MiowErrorCode.NotSupported, -20, "MIOW_ENOTSUP", SocketError.OperationNotSupported),
                (MiowErrorCode.BrokenPipe, -21, "MIOW_EPIPE", SocketError.Shutdown),
            };
            var texts = new HashSet<string>();
            foreach ((MiowErrorCode code, int value, string name, SocketError socket) in codes)
            {
                Assert.Equal(value, (int)code);
                var e = new MiowSocketException(code, 0);
                Assert.Contains(name, e.Message);
                Assert.Equal(socket, e.SocketErrorCode);
                string text = MiowLibrary.Describe(code);
                Assert.NotEqual("unknown error", text);
                Assert.True(texts.Add(text), $"{code}: {text} is not distinct");
            }
            Assert.Equal(SocketError.SocketError, new MiowSocketException(MiowErrorCode.Busy, 0).SocketErrorCode);
            Assert.Equal(SocketError.InvalidArgument, new MiowSocketException(MiowErrorCode.InvalidArgument, 0).SocketErrorCode);
        }

        [Fact]
        public void Buffer_struct_matches_the_C_layout()
        {
            Assert.Equal(0, (int)Marshal.OffsetOf<MiowBuffer>(nameof(MiowBuffer.Data)));
            if (IntPtr.Size == 8)
            {
                Assert.Equal(16, Marshal.SizeOf<MiowBuffer>());
                Assert.Equal(8, (int)Marshal.OffsetOf<MiowBuffer>(nameof(MiowBuffer.Length)));
            }
        }
    }
}
