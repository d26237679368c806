// A TCP connection the library creates, by connecting or accepting: non-blocking reads and
// writes, shutdown, the peer's address and TCP_NODELAY.
using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace Miowin
{
    /// <summary>
    /// A TCP connection, from <see cref="Connect(string)"/> or <see cref="MiowTcpListener.TryAccept"/>,
    /// as mio's <c>TcpStream</c>. The <c>Try</c> methods return false when the call would block.
    /// </summary>
    public sealed partial class MiowTcpStream : MiowSocket
    {
        internal MiowTcpStream(SourceHandle handle) : base(handle)
        {
        }

        /// <summary>
        /// Starts a connection and returns at once, with the connect in progress (<c>miow_tcp_connect</c>).
        /// Register it for <see cref="Interest.Writable"/>: when that is reported the connect has ended,
        /// <see cref="MiowSocket.TakeError"/> returns why it failed (null if it did not), and
        /// <see cref="PeerAddress"/> throws <see cref="MiowErrorCode.NotConnected"/> unless it is connected.
        /// </summary>
        /// <param name="endpoint">The peer's address and port.</param>
        /// <returns>The stream, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="MiowSocketException"><see cref="System.Net.Sockets.SocketError.AddressNotAvailable"/>
        /// for an address that cannot be connected to, or another failure.</exception>
        public static unsafe MiowTcpStream Connect(IPEndPoint endpoint)
        {
            byte[] text = Endpoints.Encode(endpoint, nameof(endpoint));
            MiowLibrary.EnsureCompatible();
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_tcp_connect(out handle, p);
            return new MiowTcpStream(Created(rc, handle, ErrorSite.Socket));
        }

        /// <summary>Starts a connection to an address given as text; see <see cref="Connect(IPEndPoint)"/>.</summary>
        /// <param name="address">The peer's numeric address, for instance <c>"127.0.0.1:8080"</c> or <c>"[::1]:8080"</c>.</param>
        /// <returns>The stream, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with a port (a host name is refused).</exception>
        /// <exception cref="MiowSocketException">As <see cref="Connect(IPEndPoint)"/>.</exception>
        public static MiowTcpStream Connect(string address) => Connect(Endpoints.Parse(address, nameof(address)));

        /// <summary>The connected peer's address (<c>miow_source_peer_address</c>).</summary>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowSocketException"><see cref="System.Net.Sockets.SocketError.NotConnected"/> while a connect is
        /// in progress or after it failed.</exception>
        public IPEndPoint PeerAddress => Address(peer: true);

        /// <summary><c>TCP_NODELAY</c> (<c>MIOW_OPT_NODELAY</c>).</summary>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException">The OS refused.</exception>
        public bool NoDelay
        {
            get => GetOption(NativeMethods.MIOW_OPT_NODELAY) != 0;
            set => SetOption(NativeMethods.MIOW_OPT_NODELAY, value ? 1 : 0);
        }

        /// <summary>Reads what is available, without waiting (<c>miow_source_read</c>).</summary>
        /// <param name="buffer">Where to store the bytes.</param>
        /// <param name="received">How many bytes were read: 0 (with true) is the peer's end of stream.</param>
        /// <returns>true if the read completed; false if nothing is available yet.</returns>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.ConnectionReset"/>,
        /// <see cref="MiowErrorCode.NotConnected"/>, or another failure.</exception>
        public bool TryRead(Span<byte> buffer, out int received) => TryTransfer(Transfer.Read, buffer, out received);

        /// <summary>Like <see cref="TryRead(Span{byte}, out int)"/>, but the bytes stay queued (<c>miow_source_peek</c>).</summary>
        /// <param name="buffer">Where to copy the bytes.</param>
        /// <param name="received">How many bytes were copied.</param>
        /// <returns>true if the peek completed; false if nothing is available yet.</returns>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException">The peek failed.</exception>
        public bool TryPeek(Span<byte> buffer, out int received) => TryTransfer(Transfer.Peek, buffer, out received);

        /// <summary>Writes what fits in the send buffer, without waiting (<c>miow_source_write</c>).</summary>
        /// <param name="buffer">The bytes to send.</param>
        /// <param name="sent">How many were accepted; a write may be partial.</param>
        /// <returns>true if the write completed; false if the send buffer is full.</returns>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.ConnectionReset"/>,
        /// <see cref="MiowErrorCode.BrokenPipe"/>, <see cref="MiowErrorCode.Shutdown"/>, or another failure.</exception>
        public bool TryWrite(ReadOnlySpan<byte> buffer, out int sent) => TryWriteSpan(buffer, out sent);

        /// <summary>Reads what is available into part of an array, without waiting (<c>miow_source_read</c>).</summary>
        /// <param name="buffer">Where to store the bytes.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">How many bytes were read: 0 (with true) is the peer's end of stream.</param>
        /// <returns>true if the read completed; false if nothing is available yet.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException">The read failed.</exception>
        public bool TryRead(byte[] buffer, int offset, int count, out int received) =>
            TryTransfer(Transfer.Read, buffer, offset, count, out received);

        /// <summary>Like <see cref="TryRead(byte[], int, int, out int)"/>, but the bytes stay queued (<c>miow_source_peek</c>).</summary>
        /// <param name="buffer">Where to copy the bytes.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">How many bytes were copied.</param>
        /// <returns>true if the peek completed; false if nothing is available yet.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException">The peek failed.</exception>
        public bool TryPeek(byte[] buffer, int offset, int count, out int received) =>
            TryTransfer(Transfer.Peek, buffer, offset, count, out received);

        /// <summary>Writes what fits of part of an array, without waiting (<c>miow_source_write</c>).</summary>
        /// <param name="buffer">The bytes to send.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> they start.</param>
        /// <param name="count">How many.</param>
        /// <param name="sent">How many were accepted; a write may be partial.</param>
        /// <returns>true if the write completed; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException">The write failed.</exception>
        public bool TryWrite(byte[] buffer, int offset, int count, out int sent) =>
            TryTransfer(Transfer.Write, buffer, offset, count, out sent);

        /// <summary>Reads into several buffers, filled in order (<c>miow_source_readv</c>).</summary>
        /// <param name="buffers">The buffers; at most 1024.</param>
        /// <param name="received">The total number of bytes read: 0 (with true) is the peer's end of stream.</param>
        /// <returns>true if the read completed; false if nothing is available yet.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffers"/> is null.</exception>
        /// <exception cref="ArgumentException">A segment has no array.</exception>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for more than 1024
        /// buffers, or another failure.</exception>
        public bool TryRead(IList<ArraySegment<byte>> buffers, out int received) =>
            TryTransferVector(write: false, buffers, out received);

        /// <summary>Writes several buffers in order, what fits (<c>miow_source_writev</c>).</summary>
        /// <param name="buffers">The buffers; at most 1024.</param>
        /// <param name="sent">How many bytes were accepted in all.</param>
        /// <returns>true if the write completed; false if the send buffer is full.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffers"/> is null.</exception>
        /// <exception cref="ArgumentException">A segment has no array.</exception>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for more than 1024
        /// buffers, or another failure.</exception>
        public bool TryWrite(IList<ArraySegment<byte>> buffers, out int sent) =>
            TryTransferVector(write: true, buffers, out sent);

        /// <summary>Shuts down one or both directions (<c>miow_source_shutdown</c>).</summary>
        /// <param name="how"><see cref="SocketShutdown.Send"/> makes the peer read end of stream.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="how"/> is not a <see cref="SocketShutdown"/> value.</exception>
        /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotConnected"/> if it is not connected.</exception>
        public void Shutdown(SocketShutdown how)
        {
            int value = how switch
            {
                SocketShutdown.Receive => NativeMethods.MIOW_SHUT_READ,
                SocketShutdown.Send => NativeMethods.MIOW_SHUT_WRITE,
                SocketShutdown.Both => NativeMethods.MIOW_SHUT_BOTH,
                _ => throw new ArgumentOutOfRangeException(nameof(how), how, "Not a SocketShutdown value."),
            };
            ThrowIfDisposed();
            int rc = NativeMethods.miow_source_shutdown(Handle, value);
            if (rc != 0) throw Failure(rc, null);
        }
    }
}
