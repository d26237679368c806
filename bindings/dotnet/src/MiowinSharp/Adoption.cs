// Adoption and release (miowin 1.2, mio's from_std and into_raw_socket): a host's Socket or pipe
// handle becomes a source the library owns, and a library source gives its socket or pipe back.
//
// Adoption takes a duplicate of the host's socket or handle and, only once the library has taken
// that duplicate, disposes the host's Socket or SafeHandle. Handing the library the host's own
// value would leave .NET's Socket owning it too: its Dispose would close the library's socket,
// and SafeHandle.SetHandleAsInvalid, the usual way to take a handle from a SafeHandle, makes
// Socket.Dispose spin for ever (SafeSocketHandle.CloseAsIs waits for a release that never runs).
using System;
using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;

namespace Miowin
{
    public partial class Source
    {
        /// <summary>
        /// Frees the source and gives its socket or pipe handle back, open, instead of closing it
        /// (<c>miow_source_release</c>, miowin 1.2; mio's <c>into_raw_socket</c>). The source is
        /// deregistered and disposed as by <see cref="Dispose"/>; a poll on another thread reports
        /// nothing more for it.
        /// </summary>
        /// <returns>The socket (a <c>SOCKET</c> on Windows, a descriptor on Linux) or the pipe's
        /// <c>HANDLE</c> (on Linux the descriptor of the pipe's Unix-domain socket: a server's
        /// connection if it has a client, else its listening socket). It is yours from now on, to
        /// use and to close, and stays non-blocking: wrap a socket with
        /// <c>new Socket(new SafeSocketHandle(handle, ownsHandle: true))</c>, a Windows pipe with
        /// <c>new SafePipeHandle(handle, ownsHandle: true)</c>.</returns>
        /// <remarks>On failure nothing changes: the source still owns its socket or pipe.</remarks>
        /// <exception cref="ObjectDisposedException">The source was disposed or released.</exception>
        /// <exception cref="NotSupportedException">The source wraps a socket you own
        /// (<see cref="Source(System.Net.Sockets.Socket)"/>): there is nothing to give back; or a
        /// pipe cannot leave its completion port (Windows before 8.1); or the library is older than 1.2.</exception>
        /// <exception cref="InvalidOperationException">A Windows pipe has bytes buffered unread or a
        /// write in flight (<see cref="MiowErrorCode.Busy"/>): read them, or wait for the pipe to be
        /// writable, and call again.</exception>
        public IntPtr Release()
        {
            ThrowIfDisposed();
            if (!(this is MiowSocket) && !(this is MiowNamedPipe))
            {
                throw new NotSupportedException(
                    $"This {GetType().Name} wraps a socket or handle that stays yours; Release() gives back a socket or pipe the library owns (a MiowSocket or MiowNamedPipe).");
            }
            NativeMethods.RequireVersion12("Release");
            int rc = NativeMethods.miow_source_release(_handle, out UIntPtr value);
            if (rc != 0) throw Failure(rc, null);
            // The native handle is dead already: nothing may free it again.
            Interlocked.Exchange(ref _disposed, 1);
            _handle.SetHandleAsInvalid();
            unsafe
            {
                return new IntPtr(value.ToPointer());
            }
        }

        /// <summary>
        /// miow_source_adopt_socket on a duplicate of <paramref name="socket"/>; disposes
        /// <paramref name="socket"/> once the library owns the duplicate.
        /// </summary>
        private protected static SourceHandle AdoptSocket(Socket socket, string kind, bool listening, SocketType type)
        {
            if (socket == null) throw new ArgumentNullException(nameof(socket));
            if (socket.AddressFamily != AddressFamily.InterNetwork && socket.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new ArgumentException($"{kind}.Adopt takes an IPv4 or IPv6 socket, not {socket.AddressFamily}.", nameof(socket));
            }
            // The socket type, not ProtocolType, which a socket made with ProtocolType.Unspecified leaves 0.
            if (socket.SocketType != type || (type == SocketType.Stream && IsListening(socket) != listening))
            {
                throw new ArgumentException($"{kind}.Adopt was given a {KindOf(socket)} socket.", nameof(socket));
            }
            if (socket.Blocking)
            {
                throw new ArgumentException(
                    "The socket is blocking: set socket.Blocking = false before adopting it.", nameof(socket));
            }
            NativeMethods.RequireVersion12(kind + ".Adopt");
            return AdoptDuplicate(socket.Handle, isSocket: true, ErrorSite.Socket, socket);
        }

        /// <summary>
        /// miow_pipe_adopt on a duplicate of <paramref name="pipe"/>; disposes
        /// <paramref name="pipe"/> once the library owns the duplicate.
        /// </summary>
        private protected static SourceHandle AdoptPipe(SafeHandle pipe, string kind)
        {
            if (pipe == null) throw new ArgumentNullException(nameof(pipe));
            if (pipe.IsClosed || pipe.IsInvalid) throw new ArgumentException("The handle is closed or invalid.", nameof(pipe));
            // Disposing a Socket's SafeSocketHandle directly closes it abortively, which sets
            // SO_LINGER to 0 on the socket that the library's duplicate shares.
            if (pipe.GetType().FullName == "System.Net.Sockets.SafeSocketHandle")
            {
                throw new ArgumentException(
                    $"The handle is a Socket's: pass the Socket itself to {kind}.Adopt(Socket, string?).", nameof(pipe));
            }
            NativeMethods.RequireVersion12(kind + ".Adopt");
            bool added = false;
            try
            {
                pipe.DangerousAddRef(ref added);
                return AdoptDuplicate(pipe.DangerousGetHandle(), isSocket: false, ErrorSite.Pipe, pipe);
            }
            finally
            {
                if (added) pipe.DangerousRelease();
            }
        }

        /// <summary>miow_pipe_adopt of a Unix-domain socket (Linux), as <see cref="AdoptPipe(SafeHandle, string)"/>.</summary>
        private protected static SourceHandle AdoptPipe(Socket socket, string kind)
        {
            if (socket == null) throw new ArgumentNullException(nameof(socket));
            if (socket.Blocking)
            {
                throw new ArgumentException(
                    "The socket is blocking: set socket.Blocking = false before adopting it.", nameof(socket));
            }
            NativeMethods.RequireVersion12(kind + ".Adopt");
            return AdoptDuplicate(socket.Handle, isSocket: true, ErrorSite.Pipe, socket);
        }

        /// <summary>
        /// Duplicates <paramref name="value"/>, gives the duplicate to the library, and disposes
        /// <paramref name="owner"/> only once the library has it; on failure closes the duplicate
        /// and leaves <paramref name="owner"/> alone.
        /// </summary>
        private static SourceHandle AdoptDuplicate(IntPtr value, bool isSocket, ErrorSite site, IDisposable owner)
        {
            IntPtr copy = Duplicate(value, isSocket ? OsHandles.DuplicateSocket : OsHandles.DuplicateHandle, site);
            int rc = site == ErrorSite.Pipe
                ? NativeMethods.miow_pipe_adopt(out SourceHandle handle, ToNative(copy))
                : NativeMethods.miow_source_adopt_socket(out handle, ToNative(copy));
            if (rc != 0)
            {
                Exception error = MiowErrors.FromResult(rc, site);
                handle.Dispose();
                if (isSocket) OsHandles.CloseSocket(copy);
                else OsHandles.CloseHandle(copy);
                throw error;
            }
            owner.Dispose();
            return handle;
        }

        private static IntPtr Duplicate(IntPtr value, Func<IntPtr, IntPtr> duplicate, ErrorSite site)
        {
            try
            {
                return duplicate(value);
            }
            catch (Win32Exception e) when (site == ErrorSite.Pipe)
            {
                throw new System.IO.IOException("The pipe handle could not be duplicated for adoption: " + e.Message, e);
            }
            catch (Win32Exception e)
            {
                throw new SocketException(e.NativeErrorCode);
            }
        }

        private static unsafe UIntPtr ToNative(IntPtr value) => new UIntPtr(value.ToPointer());

        private static bool IsListening(Socket socket) =>
            socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection) is int value && value != 0;

        private static string KindOf(Socket socket) => socket.SocketType switch
        {
            SocketType.Dgram => "UDP",
            SocketType.Stream => IsListening(socket) ? "listening TCP" : "TCP stream",
            _ => socket.SocketType.ToString(),
        };
    }

    public sealed partial class MiowTcpListener
    {
        /// <summary>
        /// Takes a listening TCP socket of yours into a listener the library owns
        /// (<c>miow_source_adopt_socket</c>, miowin 1.2; mio's <c>TcpListener::from_std</c>), on which
        /// <see cref="TryAccept"/> and every other call work as on a listener from <see cref="Bind(IPEndPoint, int)"/>.
        /// </summary>
        /// <param name="socket">A non-blocking IPv4 or IPv6 TCP socket that is listening.</param>
        /// <returns>The listener, not registered.</returns>
        /// <remarks>Ownership: on success the listener owns the socket (disposing it closes the
        /// socket; <see cref="Source.Release"/> gives it back) and <paramref name="socket"/> has been
        /// disposed; the library took a duplicate of it first. On any failure <paramref name="socket"/>
        /// is untouched and still yours.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="socket"/> is blocking, is not TCP over
        /// IPv4 or IPv6, or is not listening.</exception>
        /// <exception cref="ObjectDisposedException"><paramref name="socket"/> was disposed.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="SocketException">The OS refused.</exception>
        public static MiowTcpListener Adopt(Socket socket) =>
            new MiowTcpListener(AdoptSocket(socket, nameof(MiowTcpListener), listening: true, SocketType.Stream));
    }

    public sealed partial class MiowTcpStream
    {
        /// <summary>
        /// Takes a connected (or connecting) TCP socket of yours into a stream the library owns
        /// (<c>miow_source_adopt_socket</c>, miowin 1.2; mio's <c>TcpStream::from_std</c>).
        /// </summary>
        /// <param name="socket">A non-blocking IPv4 or IPv6 TCP socket that is not listening.</param>
        /// <returns>The stream, not registered.</returns>
        /// <remarks>Ownership as for <see cref="MiowTcpListener.Adopt(Socket)"/>: on success the stream
        /// owns the connection and <paramref name="socket"/> has been disposed; on failure it is yours.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="socket"/> is blocking, is not TCP over
        /// IPv4 or IPv6, or is listening.</exception>
        /// <exception cref="ObjectDisposedException"><paramref name="socket"/> was disposed.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="SocketException">The OS refused.</exception>
        public static MiowTcpStream Adopt(Socket socket) =>
            new MiowTcpStream(AdoptSocket(socket, nameof(MiowTcpStream), listening: false, SocketType.Stream));
    }

    public sealed partial class MiowUdpSocket
    {
        /// <summary>
        /// Takes a UDP socket of yours into one the library owns (<c>miow_source_adopt_socket</c>,
        /// miowin 1.2; mio's <c>UdpSocket::from_std</c>). As on the library's own UDP sockets, an ICMP
        /// port-unreachable no longer fails a later receive.
        /// </summary>
        /// <param name="socket">A non-blocking IPv4 or IPv6 UDP socket, bound or not, connected or not.</param>
        /// <returns>The socket, not registered.</returns>
        /// <remarks>Ownership as for <see cref="MiowTcpListener.Adopt(Socket)"/>.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="socket"/> is blocking or is not UDP
        /// over IPv4 or IPv6.</exception>
        /// <exception cref="ObjectDisposedException"><paramref name="socket"/> was disposed.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="SocketException">The OS refused.</exception>
        public static MiowUdpSocket Adopt(Socket socket) =>
            new MiowUdpSocket(AdoptSocket(socket, nameof(MiowUdpSocket), listening: false, SocketType.Dgram));
    }

    public sealed partial class MiowNamedPipeServer
    {
        /// <summary>
        /// Takes the server end of a named pipe that you created into a source the library owns
        /// (<c>miow_pipe_adopt</c>, miowin 1.2; mio's <c>NamedPipe::from_raw_handle</c>): a pipe made
        /// with your own security or modes. Register it, then call <see cref="TryConnect"/>, which
        /// returns true at once if a client is connected already.
        /// </summary>
        /// <param name="pipe">Windows: the pipe's handle (a <c>SafePipeHandle</c> or
        /// <c>SafeFileHandle</c>) from <c>CreateNamedPipe</c> with <c>FILE_FLAG_OVERLAPPED</c>, not
        /// bound to a completion port (so not one from a <c>NamedPipeServerStream</c> with
        /// <c>PipeOptions.Asynchronous</c>, which .NET binds to its own). Linux: the descriptor of a
        /// listening Unix-domain stream socket, the first of its address that this process serves
        /// (a <c>Socket</c>'s own handle goes to <see cref="Adopt(Socket, string?)"/>).</param>
        /// <param name="name">Recorded as <see cref="MiowNamedPipe.Name"/> only; "" if null.</param>
        /// <returns>The pipe, not registered.</returns>
        /// <remarks>Ownership: on success the source owns the pipe (disposing it closes the pipe;
        /// <see cref="Source.Release"/> gives it back) and <paramref name="pipe"/> has been disposed;
        /// the library took a duplicate of it first. On any failure <paramref name="pipe"/> is
        /// untouched and still yours.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="pipe"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="pipe"/> is closed, is a <c>Socket</c>'s
        /// <c>SafeSocketHandle</c>, or is not a pipe end as described (<see cref="MiowErrorCode.InvalidArgument"/>: for instance opened for
        /// synchronous I/O).</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="System.IO.IOException"><see cref="MiowErrorCode.AddressInUse"/> (Linux: the
        /// address is served by this process already), or another failure.</exception>
        public static MiowNamedPipeServer Adopt(SafeHandle pipe, string? name = null) =>
            new MiowNamedPipeServer(AdoptPipe(pipe, nameof(MiowNamedPipeServer)), name ?? "");

        /// <summary>
        /// Linux: takes a listening Unix-domain stream socket of yours into a pipe server the library
        /// owns (<c>miow_pipe_adopt</c>), as <see cref="Adopt(SafeHandle, string?)"/>.
        /// </summary>
        /// <param name="socket">A non-blocking, listening Unix-domain stream socket.</param>
        /// <param name="name">Recorded as <see cref="MiowNamedPipe.Name"/> only; "" if null.</param>
        /// <returns>The pipe, not registered.</returns>
        /// <remarks>Ownership: on success the source owns the socket and <paramref name="socket"/> has
        /// been disposed; on failure it is untouched and yours.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="socket"/> is blocking, or is not a
        /// listening Unix-domain stream socket (on Windows no socket is a pipe).</exception>
        /// <exception cref="System.IO.IOException"><see cref="MiowErrorCode.AddressInUse"/>: this
        /// process serves the address already; or another failure.</exception>
        public static MiowNamedPipeServer Adopt(Socket socket, string? name = null) =>
            new MiowNamedPipeServer(AdoptPipe(socket, nameof(MiowNamedPipeServer)), name ?? "");
    }

    public sealed partial class MiowNamedPipeClient
    {
        /// <summary>
        /// Takes the client end of a named pipe that you opened into a source the library owns
        /// (<c>miow_pipe_adopt</c>, miowin 1.2), connected as from <see cref="Open"/>.
        /// </summary>
        /// <param name="pipe">Windows: the handle from <c>CreateFile</c> with
        /// <c>FILE_FLAG_OVERLAPPED</c>, not bound to a completion port; or one that
        /// <see cref="Source.Release"/> gave back. Linux: a connected Unix-domain stream socket.</param>
        /// <param name="name">Recorded as <see cref="MiowNamedPipe.Name"/> only; "" if null.</param>
        /// <returns>The pipe, not registered.</returns>
        /// <remarks>Ownership as for <see cref="MiowNamedPipeServer.Adopt(SafeHandle, string?)"/>.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="pipe"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="pipe"/> is closed, or is not a pipe end
        /// opened for overlapped I/O.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="System.IO.IOException">Another failure.</exception>
        public static MiowNamedPipeClient Adopt(SafeHandle pipe, string? name = null) =>
            new MiowNamedPipeClient(AdoptPipe(pipe, nameof(MiowNamedPipeClient)), name ?? "");

        /// <summary>
        /// Linux: takes a connected Unix-domain stream socket of yours into a pipe client the library
        /// owns (<c>miow_pipe_adopt</c>), as <see cref="MiowNamedPipeServer.Adopt(Socket, string?)"/>.
        /// </summary>
        /// <param name="socket">A non-blocking, connected Unix-domain stream socket.</param>
        /// <param name="name">Recorded as <see cref="MiowNamedPipe.Name"/> only; "" if null.</param>
        /// <returns>The pipe, not registered.</returns>
        /// <remarks>Ownership as for <see cref="MiowNamedPipeServer.Adopt(Socket, string?)"/>.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="socket"/> is blocking, or is not a
        /// connected Unix-domain stream socket.</exception>
        /// <exception cref="System.IO.IOException">Another failure.</exception>
        public static MiowNamedPipeClient Adopt(Socket socket, string? name = null) =>
            new MiowNamedPipeClient(AdoptPipe(socket, nameof(MiowNamedPipeClient)), name ?? "");
    }
}
