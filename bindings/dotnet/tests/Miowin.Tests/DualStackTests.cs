// Dual-stack IPv6 sockets (miowin 1.2): one IPv6 listener or UDP socket that IPv4 peers reach too,
// their addresses coming back as IPv4-mapped IPEndPoints (::ffff:a.b.c.d).
using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Miowin.Tests
{
    public class DualStackTests
    {
        private const int Limit = 30_000;

        private static Task Bounded(Action body) => Task.Run(body);

        private static Socket ConnectFrom(IPAddress address, int port)
        {
            var client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(new IPEndPoint(address, port));
            return client;
        }

        [Fact(Timeout = Limit)]
        public Task DualStackListenerAcceptsAnIPv4AndAnIPv6Client() => Bounded(() =>
        {
            using var selector = new Selector();
            using MiowTcpListener listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.IPv6Any, 0), dualStack: true);
            Assert.False(listener.OnlyV6);
            int port = listener.LocalAddress.Port;
            listener.Register(selector, 1, Interest.Readable);

            using Socket v4 = ConnectFrom(IPAddress.Loopback, port);
            using MiowTcpStream fromV4 = NetTests.AcceptOne(selector, listener, 1, out IPEndPoint peerV4);
            Assert.Equal(AddressFamily.InterNetworkV6, peerV4.AddressFamily);
            Assert.True(peerV4.Address.IsIPv4MappedToIPv6, $"{peerV4} is not IPv4-mapped");
            Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), peerV4.Address);
            Assert.Equal(IPAddress.Loopback, peerV4.Address.MapToIPv4());
            Assert.Equal(((IPEndPoint)v4.LocalEndPoint!).Port, peerV4.Port);

            using Socket v6 = ConnectFrom(IPAddress.IPv6Loopback, port);
            using MiowTcpStream fromV6 = NetTests.AcceptOne(selector, listener, 1, out IPEndPoint peerV6);
            Assert.Equal(IPAddress.IPv6Loopback, peerV6.Address);
            Assert.Equal(((IPEndPoint)v6.LocalEndPoint!).Port, peerV6.Port);

            // Both accepted streams carry data.
            fromV4.Register(selector, 2, Interest.Writable);
            Support.WaitFor(selector, 2);
            Assert.True(fromV4.TryWrite(Encoding.ASCII.GetBytes("v4"), 0, 2, out int sent));
            Assert.Equal(2, sent);
            var buffer = new byte[2];
            Assert.Equal(2, v4.Receive(buffer));
            Assert.Equal("v4", Encoding.ASCII.GetString(buffer));
        });

        [Fact(Timeout = Limit)]
        public Task PlainIPv6ListenerStaysV6Only() => Bounded(() =>
        {
            using MiowTcpListener plain = MiowTcpListener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            Assert.True(plain.OnlyV6);
            using MiowTcpListener notDual = MiowTcpListener.Bind("[::1]:0", dualStack: false);
            Assert.True(notDual.OnlyV6);
            using MiowUdpSocket udp = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0), dualStack: false);
            Assert.True(udp.OnlyV6);
        });

        [Fact(Timeout = Limit)]
        public Task DualStackWithAnIPv4AddressIsAnArgumentException() => Bounded(() =>
        {
            Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument,
                () => MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), dualStack: true));
            Support.AssertMiowError<ArgumentException>(MiowErrorCode.InvalidArgument,
                () => MiowUdpSocket.Bind("127.0.0.1:0", dualStack: true));
            Assert.Throws<ArgumentNullException>(() => MiowTcpListener.Bind((IPEndPoint)null!, dualStack: true));
            Assert.Throws<ArgumentException>(() => MiowUdpSocket.Bind("localhost:0", dualStack: true));
        });

        [Fact(Timeout = Limit)]
        public Task DualStackUdpSocketExchangesWithAnIPv4Peer() => Bounded(() =>
        {
            using var selector = new Selector();
            using MiowUdpSocket dual = MiowUdpSocket.Bind("[::]:0", dualStack: true);
            using MiowUdpSocket v4 = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Assert.False(dual.OnlyV6);
            int port = dual.LocalAddress.Port;
            dual.Register(selector, 1, Interest.Readable);
            v4.Register(selector, 2, Interest.Readable);

            Assert.True(v4.TrySendTo(Encoding.ASCII.GetBytes("ping"), 0, 4, new IPEndPoint(IPAddress.Loopback, port), out _));
            Support.WaitFor(selector, 1);
            var buffer = new byte[16];
            Assert.True(dual.TryReceiveFrom(buffer, 0, buffer.Length, out int n, out IPEndPoint? from));
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer, 0, n));
            Assert.Equal(new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), v4.LocalAddress.Port), from);

            // An IPv4 endpoint is sent to as its IPv4-mapped form.
            Assert.True(dual.TrySendTo(Encoding.ASCII.GetBytes("pong"), 0, 4, v4.LocalAddress, out _));
            Support.WaitFor(selector, 2);
            Assert.True(v4.TryReceiveFrom(buffer, 0, buffer.Length, out n, out from));
            Assert.Equal("pong", Encoding.ASCII.GetString(buffer, 0, n));
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), from);
        });
    }
}
