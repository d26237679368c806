// What the socket types the library creates share: addresses, the pending error and the options
// every kind has. Their read and write plumbing is Source's (SourceIo.cs), shared with the pipes.
using System;
using System.Net;

namespace Miowin
{
    /// <summary>
    /// A <see cref="Source"/> whose socket the library created and owns: a
    /// <see cref="MiowTcpListener"/>, <see cref="MiowTcpStream"/> or <see cref="MiowUdpSocket"/>.
    /// It registers with a <see cref="Selector"/> like any source; <see cref="Source.Dispose"/>
    /// closes the socket.
    /// </summary>
    /// <remarks>
    /// <para>The socket is non-blocking. The I/O methods are <c>Try</c> methods: they return
    /// <c>false</c> when the call would block (<c>MIOW_EWOULDBLOCK</c>) and throw
    /// <see cref="MiowException"/> for every other failure. After a <c>false</c>, wait for the
    /// source's next event: the library has re-armed an edge registration already (as mio's
    /// <c>do_io</c> does), so edge mode never goes deaf; a oneshot registration is left for
    /// <see cref="Source.Rearm"/>.</para>
    /// <para>Addresses go in and out as <see cref="System.Net.IPEndPoint"/>; port 0 asks the OS
    /// for a free one. Overloads taking numeric text remain for convenience (<c>"127.0.0.1:8080"</c>,
    /// <c>"[::1]:8080"</c>, <c>"[fe80::1%3]:80"</c>; a host name is an <see cref="ArgumentException"/>).
    /// A call that does not apply to the kind of socket throws
    /// <see cref="MiowErrorCode.NotSupported"/>.</para>
    /// </remarks>
    public abstract class MiowSocket : Source
    {
        private protected MiowSocket(SourceHandle handle) : base(handle)
        {
        }

        /// <summary>The local address (<c>miow_source_local_address</c>), with the port the OS chose for port 0.</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowSocketException">The OS call failed.</exception>
        public IPEndPoint LocalAddress => Address(peer: false);

        /// <summary>The unicast time-to-live / hop limit, 1-255 (<c>MIOW_OPT_TTL</c>).</summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for a value out of range.</exception>
        public int Ttl
        {
            get => GetOption(NativeMethods.MIOW_OPT_TTL);
            set => SetOption(NativeMethods.MIOW_OPT_TTL, value);
        }

        /// <summary>
        /// <c>IPV6_V6ONLY</c> (<c>MIOW_OPT_ONLY_V6</c>): true for every IPv6 socket the library
        /// creates, false for a dual-stack one (<see cref="MiowTcpListener.Bind(IPEndPoint, bool, int)"/>);
        /// an IPv4 socket throws <see cref="MiowErrorCode.NotSupported"/>.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotSupported"/> on an IPv4 socket.</exception>
        public bool OnlyV6 => GetOption(NativeMethods.MIOW_OPT_ONLY_V6) != 0;

        /// <summary>
        /// Reads and clears the socket's pending error, <c>SO_ERROR</c> (<c>miow_source_take_error</c>).
        /// After a connect was reported, this tells a failed connect from a successful one.
        /// </summary>
        /// <returns>null if no error was pending; otherwise the error, returned rather than thrown:
        /// a <see cref="MiowSocketException"/> (<see cref="System.Net.Sockets.SocketError.ConnectionRefused"/>
        /// after a refused connect, for instance).</returns>
        /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
        /// <exception cref="MiowSocketException">The OS call failed.</exception>
        public Exception? TakeError() => TakeErrorCore();

        private protected unsafe IPEndPoint Address(bool peer)
        {
            ThrowIfDisposed();
            const int size = NativeMethods.MIOW_ADDRESS_SIZE;
            byte* buffer = stackalloc byte[size];
            int rc = peer
                ? NativeMethods.miow_source_peer_address(Handle, buffer, (UIntPtr)size)
                : NativeMethods.miow_source_local_address(Handle, buffer, (UIntPtr)size);
            if (rc != 0) throw Failure(rc, null);
            return Endpoints.Decode(buffer, size);
        }

        private protected int GetOption(int option)
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_source_get_option(Handle, option, out int value);
            if (rc != 0) throw Failure(rc, null);
            return value;
        }

        private protected void SetOption(int option, int value)
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_source_set_option(Handle, option, value);
            if (rc != 0) throw Failure(rc, null);
        }
    }
}
