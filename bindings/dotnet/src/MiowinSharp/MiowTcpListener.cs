// A listening TCP socket the library creates: bind, then accept until it would block.
using System;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Miowin
{
    /// <summary>
    /// A listening TCP socket (<c>miow_tcp_listen</c>), as mio's <c>TcpListener</c>. Register it for
    /// <see cref="Interest.Readable"/>; on each event call <see cref="TryAccept"/> until it returns
    /// false (in edge mode the listener is reported again only after that).
    /// </summary>
    public sealed partial class MiowTcpListener : MiowSocket
    {
        private MiowTcpListener(SourceHandle handle) : base(handle)
        {
        }

        /// <summary>
        /// Creates a listener bound to <paramref name="endpoint"/> (<c>miow_tcp_listen</c>). A second
        /// listener on the same address fails: on Windows the socket is bound with
        /// <c>SO_EXCLUSIVEADDRUSE</c>.
        /// </summary>
        /// <param name="endpoint">The local address and port; port 0 asks the OS for a free one.</param>
        /// <param name="backlog">The queue of pending connections; 0 or less means the OS maximum.</param>
        /// <returns>The listener, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="endpoint"/> is null.</exception>
        /// <exception cref="MiowSocketException"><see cref="System.Net.Sockets.SocketError.AddressAlreadyInUse"/>,
        /// <see cref="System.Net.Sockets.SocketError.AddressNotAvailable"/>, or another failure.</exception>
        public static unsafe MiowTcpListener Bind(IPEndPoint endpoint, int backlog = 0)
        {
            byte[] text = Endpoints.Encode(endpoint, nameof(endpoint));
            MiowLibrary.EnsureCompatible();
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_tcp_listen(out handle, p, backlog);
            return new MiowTcpListener(Created(rc, handle, ErrorSite.Socket));
        }

        /// <summary>Creates a listener bound to an address given as text; see <see cref="Bind(IPEndPoint, int)"/>.</summary>
        /// <param name="address">The local numeric address, for instance <c>"127.0.0.1:0"</c> or <c>"[::1]:0"</c>.</param>
        /// <param name="backlog">The queue of pending connections; 0 or less means the OS maximum.</param>
        /// <returns>The listener, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="address"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="address"/> is not a numeric address with a port (a host name is refused).</exception>
        /// <exception cref="MiowSocketException">As <see cref="Bind(IPEndPoint, int)"/>.</exception>
        public static MiowTcpListener Bind(string address, int backlog = 0) => Bind(Endpoints.Parse(address, nameof(address)), backlog);

        /// <summary>Accepts one pending connection, if one is waiting (<c>miow_tcp_accept</c>).</summary>
        /// <param name="stream">The new connection, not registered; null when false is returned.</param>
        /// <param name="peerAddress">The peer's address; null when false is returned.</param>
        /// <returns>true if a connection was accepted; false if none is waiting (the listener was
        /// re-armed: wait for its next event).</returns>
        /// <exception cref="ObjectDisposedException">The listener was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.ConnectionAborted"/> for a
        /// connection reset before it was accepted, or another failure.</exception>
        public unsafe bool TryAccept([NotNullWhen(true)] out MiowTcpStream? stream, [NotNullWhen(true)] out IPEndPoint? peerAddress)
        {
            stream = null;
            peerAddress = null;
            ThrowIfDisposed();
            const int size = NativeMethods.MIOW_ADDRESS_SIZE;
            byte* peer = stackalloc byte[size];
            int rc = NativeMethods.miow_tcp_accept(Handle, out SourceHandle handle, peer, (UIntPtr)size);
            if (rc != 0)
            {
                Exception? error = rc == (int)MiowErrorCode.WouldBlock ? null : Failure(rc, null);
                handle.Dispose();
                if (error != null) throw error;
                return false;
            }
            stream = new MiowTcpStream(handle);
            peerAddress = Endpoints.Decode(peer, size);
            return true;
        }
    }
}
