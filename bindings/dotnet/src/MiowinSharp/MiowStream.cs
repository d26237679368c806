// A System.IO.Stream over a MiowTcpStream or a named pipe attached to a MiowLoop: ReadAsync and
// WriteAsync over Memory<byte> await readiness on the loop; Read and Write over Span block on it.
#if NET8_0_OR_GREATER
using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Miowin
{
    /// <summary>
    /// A <see cref="Stream"/> over a connected <see cref="MiowTcpStream"/> or
    /// <see cref="MiowNamedPipe"/>, attached to a <see cref="MiowLoop"/>. One read and one write
    /// may be pending at a time. Disposing it detaches the source and, if it owns it, disposes it.
    /// </summary>
    public sealed class MiowStream : Stream
    {
        private delegate bool ReadCall(Span<byte> buffer, out int done);

        private delegate bool WriteCall(ReadOnlySpan<byte> buffer, out int done);

        private readonly MiowAttachment _attachment;
        private readonly ReadCall _read;
        private readonly WriteCall _write;
        private readonly bool _ownsSource;
        private int _disposed;

        /// <summary>Attaches a TCP stream to <paramref name="loop"/> and wraps it.</summary>
        /// <param name="loop">The loop whose thread reports readiness.</param>
        /// <param name="stream">The connection (a connect may still be in progress).</param>
        /// <param name="ownsSource">Whether disposing this stream disposes <paramref name="stream"/>.</param>
        public MiowStream(MiowLoop loop, MiowTcpStream stream, bool ownsSource = true)
            : this(Attach(loop, stream), stream.TryRead, stream.TryWrite, ownsSource)
        {
        }

        /// <summary>Attaches a named pipe end to <paramref name="loop"/> and wraps it.</summary>
        /// <param name="loop">The loop whose thread reports readiness.</param>
        /// <param name="pipe">The pipe end.</param>
        /// <param name="ownsSource">Whether disposing this stream disposes <paramref name="pipe"/>.</param>
        public MiowStream(MiowLoop loop, MiowNamedPipe pipe, bool ownsSource = true)
            : this(Attach(loop, pipe), pipe.TryRead, pipe.TryWrite, ownsSource)
        {
        }

        private MiowStream(MiowAttachment attachment, ReadCall read, WriteCall write, bool ownsSource)
        {
            _attachment = attachment;
            _read = read;
            _write = write;
            _ownsSource = ownsSource;
        }

        /// <summary>The attachment, for readiness awaits of its own (<see cref="MiowAttachment.ConnectedAsync"/>).</summary>
        public MiowAttachment Attachment => _attachment;

        /// <inheritdoc />
        public override bool CanRead => _disposed == 0;

        /// <inheritdoc />
        public override bool CanWrite => _disposed == 0;

        /// <inheritdoc />
        public override bool CanSeek => false;

        /// <inheritdoc />
        public override long Length => throw new NotSupportedException();

        /// <inheritdoc />
        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        /// <summary>Reads what is available, waiting on the loop until something is; 0 is the end of the stream.</summary>
        /// <param name="buffer">Where to store the bytes.</param>
        /// <param name="cancellationToken">Cancels the wait; no byte is lost.</param>
        /// <returns>How many bytes were read.</returns>
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                ThrowIfDisposed();
                if (_read(buffer.Span, out int n)) return n;
                await _attachment.WaitReadableAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Writes all of <paramref name="buffer"/>, waiting on the loop while the send buffer is full.</summary>
        /// <param name="buffer">The bytes.</param>
        /// <param name="cancellationToken">Cancels the wait; part of the bytes may have been sent.</param>
        /// <returns>A task that completes when every byte was handed to the OS.</returns>
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                ThrowIfDisposed();
                if (_write(buffer.Span, out int n)) buffer = buffer.Slice(n);
                else await _attachment.WaitWritableAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <inheritdoc />
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(new Memory<byte>(buffer, offset, count), cancellationToken).AsTask();

        /// <inheritdoc />
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(new ReadOnlyMemory<byte>(buffer, offset, count), cancellationToken).AsTask();

        /// <summary>Reads what is available, blocking the calling thread until something is.</summary>
        /// <param name="buffer">Where to store the bytes.</param>
        /// <returns>How many bytes were read; 0 is the end of the stream.</returns>
        public override int Read(Span<byte> buffer)
        {
            while (true)
            {
                ThrowIfDisposed();
                if (_read(buffer, out int n)) return n;
                _attachment.WaitReadableAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        /// <summary>Writes all of <paramref name="buffer"/>, blocking the calling thread while the send buffer is full.</summary>
        /// <param name="buffer">The bytes.</param>
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                ThrowIfDisposed();
                if (_write(buffer, out int n)) buffer = buffer.Slice(n);
                else _attachment.WaitWritableAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        /// <inheritdoc />
        public override int Read(byte[] buffer, int offset, int count) => Read(new Span<byte>(buffer, offset, count));

        /// <inheritdoc />
        public override void Write(byte[] buffer, int offset, int count) => Write(new ReadOnlySpan<byte>(buffer, offset, count));

        /// <summary>Does nothing: writes go to the OS at once.</summary>
        public override void Flush()
        {
        }

        /// <inheritdoc />
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        /// <inheritdoc />
        public override void SetLength(long value) => throw new NotSupportedException();

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _attachment.Dispose();
                if (_ownsSource) _attachment.Source.Dispose();
            }
            base.Dispose(disposing);
        }

        private static MiowAttachment Attach(MiowLoop loop, Source source)
        {
            if (loop == null) throw new ArgumentNullException(nameof(loop));
            return loop.Attach(source ?? throw new ArgumentNullException(nameof(source)));
        }

        private void ThrowIfDisposed()
        {
            if (_disposed != 0) throw new ObjectDisposedException(nameof(MiowStream));
        }
    }
}
#endif
