// What the echo needs from a socket stack: a loopback listener whose connections come out as
// Streams, and clients that connect to it. One implementation per stack keeps the echo itself
// (Echo.cs) the same code for both, so only the stack differs between the runs.
using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Miowin;

namespace Miowin.Bench
{
    internal abstract class Transport : IDisposable
    {
        /// <summary>The queue of pending connects: room for every client of one batch and more.</summary>
        protected const int Backlog = 4096;

        internal abstract string Name { get; }

        /// <summary>The next accepted connection, TCP_NODELAY set.</summary>
        internal abstract Task<Stream> AcceptAsync();

        /// <summary>A new connected client, TCP_NODELAY set.</summary>
        internal abstract Task<Stream> ConnectAsync();

        public abstract void Dispose();
    }

    /// <summary>miowin's async layer: MiowTcpListener and MiowStream on one MiowLoop.</summary>
    internal sealed class MiowTransport : Transport
    {
        private readonly MiowLoop _loop = new MiowLoop();
        private readonly MiowTcpListener _listener;
        private readonly MiowAttachment _attachment;
        private readonly IPEndPoint _endpoint;

        internal MiowTransport()
        {
            _listener = MiowTcpListener.Bind(new IPEndPoint(IPAddress.Loopback, 0), Backlog);
            _attachment = _loop.Attach(_listener);
            _endpoint = _listener.LocalAddress;
        }

        internal override string Name => "MiowStream";

        internal override async Task<Stream> AcceptAsync()
        {
            (MiowTcpStream stream, _) = await _attachment.AcceptAsync().ConfigureAwait(false);
            stream.NoDelay = true;
            return new MiowStream(_loop, stream);
        }

        internal override async Task<Stream> ConnectAsync()
        {
            MiowTcpStream tcp = MiowTcpStream.Connect(_endpoint);
            var stream = new MiowStream(_loop, tcp);
            await stream.Attachment.ConnectedAsync().ConfigureAwait(false);
            tcp.NoDelay = true;
            return stream;
        }

        public override void Dispose()
        {
            _attachment.Dispose();
            _listener.Dispose();
            _loop.Dispose();
        }
    }

    /// <summary>The baseline: System.Net.Sockets async sockets behind NetworkStream.</summary>
    internal sealed class SocketTransport : Transport
    {
        private readonly Socket _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly IPEndPoint _endpoint;

        internal SocketTransport()
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(Backlog);
            _endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        }

        internal override string Name => "NetworkStream";

        internal override async Task<Stream> AcceptAsync()
        {
            Socket socket = await _listener.AcceptAsync().ConfigureAwait(false);
            socket.NoDelay = true;
            return new NetworkStream(socket, ownsSocket: true);
        }

        internal override async Task<Stream> ConnectAsync()
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(_endpoint).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }

        public override void Dispose() => _listener.Dispose();
    }
}
