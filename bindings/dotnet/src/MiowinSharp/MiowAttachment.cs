// A source attached to a MiowLoop: readiness awaits, and the async forms of accept and connect.
#if NET8_0_OR_GREATER
using System;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace Miowin
{
    /// <summary>
    /// A source attached to a <see cref="MiowLoop"/> (<see cref="MiowLoop.Attach"/>). A readiness
    /// await completes at once if an event for its direction came since the last await completed,
    /// otherwise at the next one; so the pattern "try the call; on false, await; try again" never
    /// misses an event. Disposing it deregisters the source (which stays open).
    /// </summary>
    public sealed class MiowAttachment : IDisposable
    {
        private readonly MiowLoop.Attachment _state;

        internal MiowAttachment(MiowLoop.Attachment state) => _state = state;

        /// <summary>The attached source.</summary>
        public Source Source => _state.Source;

        /// <summary>Waits until the source was reported readable (or closed, or in error).</summary>
        /// <param name="cancellationToken">Cancels the wait; the source stays attached.</param>
        /// <returns>A task that completes on the event.</returns>
        /// <exception cref="ObjectDisposedException">The loop or the attachment was disposed (also while waiting).</exception>
        /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
        /// <exception cref="InvalidOperationException">Another read-side wait is pending on this source.</exception>
        public ValueTask WaitReadableAsync(CancellationToken cancellationToken = default) =>
            _state.WaitAsync(write: false, cancellationToken);

        /// <summary>Waits until the source was reported writable (or closed, or in error).</summary>
        /// <param name="cancellationToken">Cancels the wait; the source stays attached.</param>
        /// <returns>A task that completes on the event.</returns>
        /// <exception cref="ObjectDisposedException">The loop or the attachment was disposed (also while waiting).</exception>
        /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
        /// <exception cref="InvalidOperationException">Another write-side wait is pending on this source.</exception>
        public ValueTask WaitWritableAsync(CancellationToken cancellationToken = default) =>
            _state.WaitAsync(write: true, cancellationToken);

        /// <summary>Accepts one connection, waiting for it if none is queued (the source must be a <see cref="MiowTcpListener"/>).</summary>
        /// <param name="cancellationToken">Cancels the wait.</param>
        /// <returns>The connection, not registered, and its peer.</returns>
        public async ValueTask<(MiowTcpStream Stream, IPEndPoint Peer)> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var listener = (MiowTcpListener)Source;
            while (true)
            {
                if (listener.TryAccept(out MiowTcpStream? stream, out IPEndPoint? peer)) return (stream, peer);
                await WaitReadableAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Waits until a connect started by <see cref="MiowTcpStream.Connect(IPEndPoint)"/> has ended, and throws if it failed.</summary>
        /// <param name="cancellationToken">Cancels the wait.</param>
        /// <returns>A task that completes when the stream is connected.</returns>
        /// <exception cref="System.Net.Sockets.SocketException">The connect failed (refused, timed out, ...).</exception>
        public async ValueTask ConnectedAsync(CancellationToken cancellationToken = default)
        {
            var stream = (MiowTcpStream)Source;
            while (true)
            {
                await WaitWritableAsync(cancellationToken).ConfigureAwait(false);
                if (stream.TakeError() is Exception failed) throw failed;
                if (IsConnected(stream)) return;
            }
        }

        /// <summary>Waits until a client connects to a pipe server.</summary>
        /// <param name="cancellationToken">Cancels the wait.</param>
        /// <returns>A task that completes when a client is connected.</returns>
        public async ValueTask PipeConnectedAsync(CancellationToken cancellationToken = default)
        {
            var server = (MiowNamedPipeServer)Source;
            while (!server.TryConnect())
            {
                await WaitWritableAsync(cancellationToken).ConfigureAwait(false);
                if (server.TakeError() is Exception failed) throw failed;
            }
        }

        /// <summary>Deregisters the source from the loop (it stays open); pending awaits end with <see cref="ObjectDisposedException"/>.</summary>
        public void Dispose() => _state.Loop.Detach(_state);

        [SuppressMessage("Design", "CA1031", Justification = "probing")]
        private static bool IsConnected(MiowTcpStream stream)
        {
            try
            {
                _ = stream.PeerAddress;
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                return false;
            }
        }
    }
}
#endif
