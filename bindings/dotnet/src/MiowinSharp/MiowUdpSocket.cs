// A UDP socket the library creates: datagrams to and from any address, a default peer for the
// connected calls, multicast membership and the UDP options.
using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Miowin
{
    /// <summary>
    /// A UDP socket (<c>miow_udp_bind</c>), as mio's <c>UdpSocket</c>.
    /// <see cref="TryReceiveFrom(byte[], int, int, out int, out IPEndPoint?)"/> and
    /// <see cref="TrySendTo(byte[], int, int, IPEndPoint, out int)"/> work at any time; after
    /// <see cref="Connect(string)"/> so do <c>TryRead</c>, <c>TryPeek</c> and <c>TryWrite</c>, with the
    /// default peer. The <c>Try</c> methods return false when the call would block.
    /// </summary>
    public sealed partial class MiowUdpSocket : MiowSocket
    {
        private MiowUdpSocket(SourceHandle handle) : base(handle)
        {
        }

        /// <summary>
        /// Creates a UDP socket bound to <paramref name="endpoint"/> (<c>miow_udp_bind</c>). On
        /// Windows an ICMP port-unreachable caused by an earlier send does not fail later receives.
        /// </summary>
        /// <param name="endpoint">The local address and port; port 0 asks the OS for a free one.</param>
        /// <returns>The socket, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="MiowSocketException"><see cref="System.Net.Sockets.SocketError.AddressAlreadyInUse"/>,
        /// <see cref="System.Net.Sockets.SocketError.AddressNotAvailable"/>, or another failure.</exception>
        public static unsafe MiowUdpSocket Bind(IPEndPoint endpoint)
        {
            byte[] text = Endpoints.Encode(endpoint, nameof(endpoint));
            MiowLibrary.EnsureCompatible();
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_udp_bind(out handle, p);
            return new MiowUdpSocket(Created(rc, handle, ErrorSite.Socket));
        }

        /// <summary>Creates a UDP socket bound to an address given as text; see <see cref="Bind(IPEndPoint)"/>.</summary>
        /// <param name="address">The local numeric address, for instance <c>"127.0.0.1:0"</c>.</param>
        /// <returns>The socket, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with a port (a host name is refused).</exception>
        /// <exception cref="MiowSocketException">As <see cref="Bind(IPEndPoint)"/>.</exception>
        public static MiowUdpSocket Bind(string address) => Bind(Endpoints.Parse(address, nameof(address)));

        /// <summary>
        /// Sets (or replaces) the default peer (<c>miow_udp_connect</c>): the connected calls exchange
        /// datagrams with it, and the OS drops datagrams from other addresses.
        /// </summary>
        /// <param name="endpoint">The peer's address and port.</param>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowArgumentException">An address of the other family.</exception>
        /// <exception cref="MiowSocketException">Another failure.</exception>
        public unsafe void Connect(IPEndPoint endpoint)
        {
            byte[] text = Endpoints.Encode(endpoint, nameof(endpoint));
            ThrowIfDisposed();
            int rc;
            fixed (byte* p = text) rc = NativeMethods.miow_udp_connect(Handle, p);
            if (rc != 0) throw Failure(rc, null);
        }

        /// <summary>Sets the default peer to an address given as text; see <see cref="Connect(IPEndPoint)"/>.</summary>
        /// <param name="address">The peer's numeric address, for instance <c>"127.0.0.1:5000"</c>.</param>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with a port.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowSocketException">As <see cref="Connect(IPEndPoint)"/>.</exception>
        public void Connect(string address) => Connect(Endpoints.Parse(address, nameof(address)));

        /// <summary>The default peer's address (<c>miow_source_peer_address</c>).</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotConnected"/> without a default peer.</exception>
        public IPEndPoint PeerAddress => Address(peer: true);

        /// <summary><c>SO_BROADCAST</c> (<c>MIOW_OPT_BROADCAST</c>).</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">The OS refused.</exception>
        public bool Broadcast
        {
            get => GetOption(NativeMethods.MIOW_OPT_BROADCAST) != 0;
            set => SetOption(NativeMethods.MIOW_OPT_BROADCAST, value ? 1 : 0);
        }

        /// <summary><c>IP_MULTICAST_LOOP</c> (<c>MIOW_OPT_MULTICAST_LOOP_V4</c>), IPv4 sockets only.</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotSupported"/> on an IPv6 socket.</exception>
        public bool MulticastLoopV4
        {
            get => GetOption(NativeMethods.MIOW_OPT_MULTICAST_LOOP_V4) != 0;
            set => SetOption(NativeMethods.MIOW_OPT_MULTICAST_LOOP_V4, value ? 1 : 0);
        }

        /// <summary><c>IP_MULTICAST_TTL</c>, 0-255 (<c>MIOW_OPT_MULTICAST_TTL_V4</c>), IPv4 sockets only.</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotSupported"/> on an IPv6 socket,
        /// <see cref="MiowErrorCode.InvalidArgument"/> for a value out of range.</exception>
        public int MulticastTtlV4
        {
            get => GetOption(NativeMethods.MIOW_OPT_MULTICAST_TTL_V4);
            set => SetOption(NativeMethods.MIOW_OPT_MULTICAST_TTL_V4, value);
        }

        /// <summary><c>IPV6_MULTICAST_LOOP</c> (<c>MIOW_OPT_MULTICAST_LOOP_V6</c>), IPv6 sockets only.</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotSupported"/> on an IPv4 socket.</exception>
        public bool MulticastLoopV6
        {
            get => GetOption(NativeMethods.MIOW_OPT_MULTICAST_LOOP_V6) != 0;
            set => SetOption(NativeMethods.MIOW_OPT_MULTICAST_LOOP_V6, value ? 1 : 0);
        }

        /// <summary>Receives one datagram and says who sent it (<c>miow_udp_recv_from</c>).</summary>
        /// <param name="buffer">Where to store the datagram.</param>
        /// <param name="received">Its length; 0 for an empty datagram.</param>
        /// <param name="from">The sender's address; null when false is returned.</param>
        /// <returns>true if a datagram was received; false if none is queued.</returns>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.MessageSize"/> for a datagram larger
        /// than <paramref name="buffer"/> (it is consumed), or another failure.</exception>
        public unsafe bool TryReceiveFrom(Span<byte> buffer, out int received, [NotNullWhen(true)] out IPEndPoint? from)
        {
            fixed (byte* p = buffer) return TryReceive(peek: false, p, buffer.Length, out received, out from);
        }

        /// <summary>
        /// Like <see cref="TryReceiveFrom(Span{byte}, out int, out IPEndPoint?)"/>, but the datagram
        /// stays queued (<c>miow_udp_peek_from</c>).
        /// </summary>
        /// <param name="buffer">Where to copy the datagram.</param>
        /// <param name="received">Its length.</param>
        /// <param name="from">The sender's address; null when false is returned.</param>
        /// <returns>true if a datagram was copied; false if none is queued.</returns>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.MessageSize"/> for a datagram larger
        /// than <paramref name="buffer"/> (it stays queued), or another failure.</exception>
        public unsafe bool TryPeekFrom(Span<byte> buffer, out int received, [NotNullWhen(true)] out IPEndPoint? from)
        {
            fixed (byte* p = buffer) return TryReceive(peek: true, p, buffer.Length, out received, out from);
        }

        /// <summary>Sends one datagram to <paramref name="address"/> (<c>miow_udp_send_to</c>).</summary>
        /// <param name="buffer">The datagram; empty sends an empty datagram.</param>
        /// <param name="address">Where to send it.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.MessageSize"/> for a datagram too large
        /// for UDP, <see cref="MiowErrorCode.InvalidArgument"/> for a bad address, or another failure.</exception>
        public unsafe bool TrySendTo(ReadOnlySpan<byte> buffer, IPEndPoint address, out int sent)
        {
            byte[] text = Endpoints.Encode(address, nameof(address));
            fixed (byte* p = buffer) return TrySend(p, buffer.Length, text, out sent);
        }

        /// <summary>Sends one datagram to an address given as text; see <see cref="TrySendTo(ReadOnlySpan{byte}, IPEndPoint, out int)"/>.</summary>
        /// <param name="buffer">The datagram; empty sends an empty datagram.</param>
        /// <param name="address">Where to send it, numeric: <c>"127.0.0.1:5000"</c>, <c>"[::1]:5000"</c>.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with a port.</exception>
        public bool TrySendTo(ReadOnlySpan<byte> buffer, string address, out int sent) =>
            TrySendTo(buffer, Endpoints.Parse(address, nameof(address)), out sent);

        /// <summary>Receives one datagram from the default peer (<c>miow_source_read</c>).</summary>
        /// <param name="buffer">Where to store the datagram.</param>
        /// <param name="received">Its length; 0 for an empty datagram.</param>
        /// <returns>true if a datagram was received; false if none is queued.</returns>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotConnected"/> without a default
        /// peer, <see cref="MiowErrorCode.MessageSize"/>, or another failure.</exception>
        public bool TryRead(Span<byte> buffer, out int received) => TryTransfer(Transfer.Read, buffer, out received);

        /// <summary>Like <see cref="TryRead(Span{byte}, out int)"/>, but the datagram stays queued (<c>miow_source_peek</c>).</summary>
        /// <param name="buffer">Where to copy the datagram.</param>
        /// <param name="received">Its length.</param>
        /// <returns>true if a datagram was copied; false if none is queued.</returns>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">The peek failed.</exception>
        public bool TryPeek(Span<byte> buffer, out int received) => TryTransfer(Transfer.Peek, buffer, out received);

        /// <summary>Sends one datagram to the default peer (<c>miow_source_write</c>).</summary>
        /// <param name="buffer">The datagram.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotConnected"/> without a default
        /// peer, or another failure.</exception>
        public bool TryWrite(ReadOnlySpan<byte> buffer, out int sent) => TryWriteSpan(buffer, out sent);

        /// <summary>Receives one datagram into part of an array and says who sent it (<c>miow_udp_recv_from</c>).</summary>
        /// <param name="buffer">Where to store the datagram.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">Its length; 0 for an empty datagram.</param>
        /// <param name="from">The sender's address; null when false is returned.</param>
        /// <returns>true if a datagram was received; false if none is queued.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.MessageSize"/> for a datagram larger
        /// than the room (it is consumed), or another failure.</exception>
        public unsafe bool TryReceiveFrom(byte[] buffer, int offset, int count, out int received, [NotNullWhen(true)] out IPEndPoint? from)
        {
            CheckRange(buffer, offset, count);
            fixed (byte* p = buffer) return TryReceive(peek: false, p == null ? null : p + offset, count, out received, out from);
        }

        /// <summary>
        /// Like <see cref="TryReceiveFrom(byte[], int, int, out int, out IPEndPoint?)"/>, but the datagram
        /// stays queued (<c>miow_udp_peek_from</c>).
        /// </summary>
        /// <param name="buffer">Where to copy the datagram.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">Its length.</param>
        /// <param name="from">The sender's address; null when false is returned.</param>
        /// <returns>true if a datagram was copied; false if none is queued.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.MessageSize"/> for a datagram larger
        /// than the room (it stays queued), or another failure.</exception>
        public unsafe bool TryPeekFrom(byte[] buffer, int offset, int count, out int received, [NotNullWhen(true)] out IPEndPoint? from)
        {
            CheckRange(buffer, offset, count);
            fixed (byte* p = buffer) return TryReceive(peek: true, p == null ? null : p + offset, count, out received, out from);
        }

        /// <summary>Sends part of an array as one datagram to <paramref name="address"/> (<c>miow_udp_send_to</c>).</summary>
        /// <param name="buffer">The datagram's bytes.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> they start.</param>
        /// <param name="count">How many; 0 sends an empty datagram.</param>
        /// <param name="address">Where to send it.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> or <paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.MessageSize"/> for a datagram too large
        /// for UDP, <see cref="MiowErrorCode.InvalidArgument"/> for a bad address, or another failure.</exception>
        public unsafe bool TrySendTo(byte[] buffer, int offset, int count, IPEndPoint address, out int sent)
        {
            CheckRange(buffer, offset, count);
            byte[] text = Endpoints.Encode(address, nameof(address));
            fixed (byte* p = buffer) return TrySend(p == null ? null : p + offset, count, text, out sent);
        }

        /// <summary>Sends part of an array as one datagram to an address given as text; see <see cref="TrySendTo(byte[], int, int, IPEndPoint, out int)"/>.</summary>
        /// <param name="buffer">The datagram's bytes.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> they start.</param>
        /// <param name="count">How many; 0 sends an empty datagram.</param>
        /// <param name="address">Where to send it, numeric: <c>"127.0.0.1:5000"</c>, <c>"[::1]:5000"</c>.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with a port.</exception>
        public bool TrySendTo(byte[] buffer, int offset, int count, string address, out int sent) =>
            TrySendTo(buffer, offset, count, Endpoints.Parse(address, nameof(address)), out sent);

        /// <summary>Receives one datagram from the default peer into part of an array (<c>miow_source_read</c>).</summary>
        /// <param name="buffer">Where to store the datagram.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">Its length; 0 for an empty datagram.</param>
        /// <returns>true if a datagram was received; false if none is queued.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotConnected"/> without a default
        /// peer, or another failure.</exception>
        public bool TryRead(byte[] buffer, int offset, int count, out int received) =>
            TryTransfer(Transfer.Read, buffer, offset, count, out received);

        /// <summary>Like <see cref="TryRead(byte[], int, int, out int)"/>, but the datagram stays queued (<c>miow_source_peek</c>).</summary>
        /// <param name="buffer">Where to copy the datagram.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">Its length.</param>
        /// <returns>true if a datagram was copied; false if none is queued.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">The peek failed.</exception>
        public bool TryPeek(byte[] buffer, int offset, int count, out int received) =>
            TryTransfer(Transfer.Peek, buffer, offset, count, out received);

        /// <summary>Sends part of an array as one datagram to the default peer (<c>miow_source_write</c>).</summary>
        /// <param name="buffer">The datagram's bytes.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> they start.</param>
        /// <param name="count">How many.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotConnected"/> without a default
        /// peer, or another failure.</exception>
        public bool TryWrite(byte[] buffer, int offset, int count, out int sent) =>
            TryTransfer(Transfer.Write, buffer, offset, count, out sent);

        /// <summary>Receives one datagram from the default peer into several buffers, in order (<c>miow_source_readv</c>).</summary>
        /// <param name="buffers">The buffers; at most 1024.</param>
        /// <param name="received">The datagram's length.</param>
        /// <returns>true if a datagram was received; false if none is queued.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffers"/> is null.</exception>
        /// <exception cref="ArgumentException">A segment has no array.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">The read failed.</exception>
        public bool TryRead(IList<ArraySegment<byte>> buffers, out int received) =>
            TryTransferVector(write: false, buffers, out received);

        /// <summary>Sends several buffers as one datagram to the default peer (<c>miow_source_writev</c>).</summary>
        /// <param name="buffers">The buffers; at most 1024.</param>
        /// <param name="sent">How many bytes were sent.</param>
        /// <returns>true if it was sent; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffers"/> is null.</exception>
        /// <exception cref="ArgumentException">A segment has no array.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">The write failed.</exception>
        public bool TryWrite(IList<ArraySegment<byte>> buffers, out int sent) =>
            TryTransferVector(write: true, buffers, out sent);

        /// <summary>Joins an IPv4 multicast group (<c>miow_udp_join_multicast_v4</c>).</summary>
        /// <param name="group">The group's address without a port, for instance <c>"239.255.0.1"</c>.</param>
        /// <param name="interfaceAddress">The address of the interface to join on; null or <c>"0.0.0.0"</c> lets the OS choose.</param>
        /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for a bad address,
        /// <see cref="MiowErrorCode.NotSupported"/> on an IPv6 socket, or another failure.</exception>
        public void JoinMulticastV4(string group, string? interfaceAddress = null) => MulticastV4(join: true, group, interfaceAddress);

        /// <summary>Leaves a group joined with <see cref="JoinMulticastV4"/> (<c>miow_udp_leave_multicast_v4</c>).</summary>
        /// <param name="group">The group's address.</param>
        /// <param name="interfaceAddress">The interface it was joined on; null lets the OS choose.</param>
        /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">As <see cref="JoinMulticastV4"/>.</exception>
        public void LeaveMulticastV4(string group, string? interfaceAddress = null) => MulticastV4(join: false, group, interfaceAddress);

        /// <summary>Joins an IPv6 multicast group (<c>miow_udp_join_multicast_v6</c>).</summary>
        /// <param name="group">The group's address without brackets or port, for instance <c>"ff02::1:3"</c>.</param>
        /// <param name="interfaceIndex">The interface's index; 0 lets the OS choose.</param>
        /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for a bad address,
        /// <see cref="MiowErrorCode.NotSupported"/> on an IPv4 socket, or another failure.</exception>
        public void JoinMulticastV6(string group, uint interfaceIndex = 0) => MulticastV6(join: true, group, interfaceIndex);

        /// <summary>Leaves a group joined with <see cref="JoinMulticastV6"/> (<c>miow_udp_leave_multicast_v6</c>).</summary>
        /// <param name="group">The group's address.</param>
        /// <param name="interfaceIndex">The interface it was joined on.</param>
        /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException">As <see cref="JoinMulticastV6"/>.</exception>
        public void LeaveMulticastV6(string group, uint interfaceIndex = 0) => MulticastV6(join: false, group, interfaceIndex);

        private unsafe bool TryReceive(bool peek, byte* buffer, int length, out int received, out IPEndPoint? from)
        {
            from = null;
            ThrowIfDisposed();
            const int size = NativeMethods.MIOW_ADDRESS_SIZE;
            byte* sender = stackalloc byte[size];
            UIntPtr n;
            int rc = peek
                ? NativeMethods.miow_udp_peek_from(Handle, buffer, (UIntPtr)(uint)length, out n, sender, (UIntPtr)size)
                : NativeMethods.miow_udp_recv_from(Handle, buffer, (UIntPtr)(uint)length, out n, sender, (UIntPtr)size);
            if (!Completed(rc, n, out received)) return false;
            from = Endpoints.Decode(sender, size);
            return true;
        }

        private unsafe bool TrySend(byte* buffer, int length, byte[] text, out int sent)
        {
            ThrowIfDisposed();
            UIntPtr n;
            int rc;
            fixed (byte* p = text) rc = NativeMethods.miow_udp_send_to(Handle, buffer, (UIntPtr)(uint)length, p, out n);
            return Completed(rc, n, out sent);
        }

        private unsafe void MulticastV4(bool join, string group, string? interfaceAddress)
        {
            byte[] groupText = Utf8.Encode(group, nameof(group));
            byte[]? interfaceText = interfaceAddress == null ? null : Utf8.Encode(interfaceAddress, nameof(interfaceAddress));
            ThrowIfDisposed();
            int rc;
            fixed (byte* g = groupText)
            fixed (byte* i = interfaceText)
            {
                rc = join
                    ? NativeMethods.miow_udp_join_multicast_v4(Handle, g, i)
                    : NativeMethods.miow_udp_leave_multicast_v4(Handle, g, i);
            }
            if (rc != 0) throw Failure(rc, null);
        }

        private unsafe void MulticastV6(bool join, string group, uint interfaceIndex)
        {
            byte[] groupText = Utf8.Encode(group, nameof(group));
            ThrowIfDisposed();
            int rc;
            fixed (byte* g = groupText)
            {
                rc = join
                    ? NativeMethods.miow_udp_join_multicast_v6(Handle, g, interfaceIndex)
                    : NativeMethods.miow_udp_leave_multicast_v6(Handle, g, interfaceIndex);
            }
            if (rc != 0) throw Failure(rc, null);
        }
    }
}
