// Dual-stack IPv6 sockets (miowin 1.2, MIOW_NET_DUAL_STACK): one IPv6 listener or UDP socket that
// IPv4 peers reach too, seen as IPv4-mapped addresses (::ffff:a.b.c.d).
using System;
using System.Net;

namespace Miowin
{
    public sealed partial class MiowTcpListener
    {
        /// <summary>
        /// Creates a listener bound to <paramref name="endpoint"/>, dual-stack if asked
        /// (<c>miow_tcp_listen_ex</c> with <c>MIOW_NET_DUAL_STACK</c>, miowin 1.2). A dual-stack
        /// listener on <see cref="IPAddress.IPv6Any"/> accepts IPv4 clients too: their
        /// <c>peerAddress</c> from <see cref="TryAccept"/> is IPv4-mapped
        /// (<c>::ffff:127.0.0.1</c>; <see cref="IPAddress.IsIPv4MappedToIPv6"/> is true and
        /// <see cref="IPAddress.MapToIPv4"/> gives the IPv4 address), and
        /// <see cref="MiowSocket.OnlyV6"/> reads false.
        /// </summary>
        /// <param name="endpoint">The local address and port; with <paramref name="dualStack"/> an IPv6
        /// one, such as <c>new IPEndPoint(IPAddress.IPv6Any, 0)</c>.</param>
        /// <param name="dualStack">true for a dual-stack socket; false is <see cref="Bind(IPEndPoint, int)"/>.</param>
        /// <param name="backlog">The queue of pending connections; 0 or less means the OS maximum.</param>
        /// <returns>The listener, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="dualStack"/> with an IPv4 <paramref name="endpoint"/>.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="MiowSocketException">As <see cref="Bind(IPEndPoint, int)"/>; a dual-stack
        /// <c>[::]:port</c> also conflicts with an IPv4 socket on the port
        /// (<see cref="System.Net.Sockets.SocketError.AddressAlreadyInUse"/>).</exception>
        public static unsafe MiowTcpListener Bind(IPEndPoint endpoint, bool dualStack, int backlog = 0)
        {
            if (!dualStack) return Bind(endpoint, backlog);
            byte[] text = Endpoints.Encode(endpoint, nameof(endpoint));
            NativeMethods.RequireVersion12("a dual-stack Bind");
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_tcp_listen_ex(out handle, p, backlog, NativeMethods.MIOW_NET_DUAL_STACK);
            return new MiowTcpListener(Created(rc, handle, ErrorSite.Socket));
        }

        /// <summary>Creates a listener bound to an address given as text, dual-stack if asked; see <see cref="Bind(IPEndPoint, bool, int)"/>.</summary>
        /// <param name="address">The local numeric address, for instance <c>"[::]:0"</c>.</param>
        /// <param name="dualStack">true for a dual-stack socket.</param>
        /// <param name="backlog">The queue of pending connections; 0 or less means the OS maximum.</param>
        /// <returns>The listener, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with
        /// a port, or is IPv4 with <paramref name="dualStack"/>.</exception>
        /// <exception cref="MiowSocketException">As <see cref="Bind(IPEndPoint, bool, int)"/>.</exception>
        public static MiowTcpListener Bind(string address, bool dualStack, int backlog = 0) =>
            Bind(Endpoints.Parse(address, nameof(address)), dualStack, backlog);
    }

    public sealed partial class MiowUdpSocket
    {
        /// <summary>
        /// Creates a UDP socket bound to <paramref name="endpoint"/>, dual-stack if asked
        /// (<c>miow_udp_bind_ex</c> with <c>MIOW_NET_DUAL_STACK</c>, miowin 1.2). A dual-stack socket
        /// receives from IPv4 peers as IPv4-mapped addresses (<c>::ffff:a.b.c.d</c>), and takes IPv4
        /// endpoints as well as IPv6 ones in <c>TrySendTo</c> and <see cref="Connect(IPEndPoint)"/>:
        /// they are sent to as their IPv4-mapped form.
        /// </summary>
        /// <param name="endpoint">The local address and port; with <paramref name="dualStack"/> an IPv6 one.</param>
        /// <param name="dualStack">true for a dual-stack socket; false is <see cref="Bind(IPEndPoint)"/>.</param>
        /// <returns>The socket, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="dualStack"/> with an IPv4 <paramref name="endpoint"/>.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="MiowSocketException">As <see cref="Bind(IPEndPoint)"/>.</exception>
        public static unsafe MiowUdpSocket Bind(IPEndPoint endpoint, bool dualStack)
        {
            if (!dualStack) return Bind(endpoint);
            byte[] text = Endpoints.Encode(endpoint, nameof(endpoint));
            NativeMethods.RequireVersion12("a dual-stack Bind");
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_udp_bind_ex(out handle, p, NativeMethods.MIOW_NET_DUAL_STACK);
            return new MiowUdpSocket(Created(rc, handle, ErrorSite.Socket));
        }

        /// <summary>Creates a UDP socket bound to an address given as text, dual-stack if asked; see <see cref="Bind(IPEndPoint, bool)"/>.</summary>
        /// <param name="address">The local numeric address, for instance <c>"[::]:0"</c>.</param>
        /// <param name="dualStack">true for a dual-stack socket.</param>
        /// <returns>The socket, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with
        /// a port, or is IPv4 with <paramref name="dualStack"/>.</exception>
        /// <exception cref="MiowSocketException">As <see cref="Bind(IPEndPoint, bool)"/>.</exception>
        public static MiowUdpSocket Bind(string address, bool dualStack) =>
            Bind(Endpoints.Parse(address, nameof(address)), dualStack);
    }
}
