// IPEndPoint in and out of every call that takes or returns an address, IPv4 and IPv6.
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Miowin.Tests
{
    public class EndpointTests
    {
        [Fact]
        public void Tcp_endpoints_round_trip_on_IPv4()
        {
            using var selector = new Selector();
            using var listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            IPEndPoint local = listener.LocalAddress;
            Assert.Equal(IPAddress.Loopback, local.Address);
            Assert.NotEqual(0, local.Port);
            listener.Register(selector, 0, Interest.Readable);
            using MiowTcpStream client = MiowTcpStream.Connect(local);
            Support.WaitFor(selector, 0);
            Assert.True(listener.TryAccept(out MiowTcpStream? server, out IPEndPoint? peer));
            using (server)
            {
                Assert.Equal(client.LocalAddress, peer);
                Assert.Equal(peer, server.PeerAddress);
                Assert.Equal(local, server.LocalAddress);
                client.Register(selector, 1, Interest.Writable);
                Support.WaitFor(selector, 1);
                Assert.Equal(local, client.PeerAddress);
            }
        }

        [Fact]
        public void Tcp_and_udp_endpoints_round_trip_on_IPv6()
        {
            MiowTcpListener listener;
            try
            {
                listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                return; // no IPv6 loopback here
            }
            using var selector = new Selector();
            using (listener)
            {
                IPEndPoint local = listener.LocalAddress;
                Assert.Equal(AddressFamily.InterNetworkV6, local.AddressFamily);
                Assert.Equal(IPAddress.IPv6Loopback, local.Address);
                listener.Register(selector, 0, Interest.Readable);
                using MiowTcpStream client = MiowTcpStream.Connect(local);
                Support.WaitFor(selector, 0);
                Assert.True(listener.TryAccept(out MiowTcpStream? server, out IPEndPoint? peer));
                using (server)
                {
                    Assert.Equal(client.LocalAddress, peer);
                    Assert.Equal(AddressFamily.InterNetworkV6, peer.AddressFamily);
                }
            }
            using var a = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            using var b = MiowUdpSocket.Bind("[::1]:0");
            b.Register(selector, 2, Interest.Readable);
            Assert.True(a.TrySendTo(new byte[] { 1, 2, 3 }, 0, 3, b.LocalAddress, out int sent));
            Assert.Equal(3, sent);
            Support.WaitFor(selector, 2);
            var buffer = new byte[8];
            Assert.True(b.TryReceiveFrom(buffer, 0, buffer.Length, out int n, out IPEndPoint? from));
            Assert.Equal(3, n);
            Assert.Equal(a.LocalAddress, from);
            a.Connect(b.LocalAddress);
            Assert.Equal(b.LocalAddress, a.PeerAddress);
        }

        [Fact]
        public void Udp_endpoints_round_trip_on_IPv4()
        {
            using var selector = new Selector();
            using var a = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using var b = MiowUdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            b.Register(selector, 1, Interest.Readable);
            Assert.True(a.TrySendTo(new byte[] { 7 }, 0, 1, b.LocalAddress, out _));
            Support.WaitFor(selector, 1);
            var buffer = new byte[8];
            Assert.True(b.TryPeekFrom(buffer, 0, buffer.Length, out _, out IPEndPoint? peeked));
            Assert.True(b.TryReceiveFrom(buffer, 0, buffer.Length, out _, out IPEndPoint? from));
            Assert.Equal(a.LocalAddress, peeked);
            Assert.Equal(a.LocalAddress, from);
            b.Connect(from);
            Assert.Equal(a.LocalAddress, b.PeerAddress);
        }

        [Fact]
        public void Text_and_endpoint_forms_agree()
        {
            Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 80), Endpoints.Parse("10.1.2.3:80", "a"));
            Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 443), Endpoints.Parse("[::1]:443", "a"));
            IPEndPoint scoped = Endpoints.Parse("[fe80::1%3]:80", "a");
            Assert.Equal(3, scoped.Address.ScopeId);
            Assert.Equal("[fe80::1%3]:80\0", System.Text.Encoding.UTF8.GetString(Endpoints.Encode(scoped, "a")));
            Assert.Equal("127.0.0.1:0\0", System.Text.Encoding.UTF8.GetString(Endpoints.Encode(new IPEndPoint(IPAddress.Loopback, 0), "a")));
        }
    }
}
