// What the two ends of a named pipe share: the name, the Try reads and writes, and the pending
// error. The plumbing under them is Source's (SourceIo.cs), the same as the TCP stream's.
using System;
using System.Collections.Generic;

namespace Miowin
{
    /// <summary>
    /// One end of a named pipe the library created: a <see cref="MiowNamedPipeServer"/> or a
    /// <see cref="MiowNamedPipeClient"/>, as mio's <c>named_pipe</c>. It registers with a
    /// <see cref="Selector"/> like any source; <see cref="Source.Dispose"/> closes the pipe.
    /// </summary>
    /// <remarks>
    /// <para>Names have the Windows form <c>\\.\pipe\name</c> on every platform. On Windows the pipe
    /// is an overlapped named pipe whose completions become events; on Linux it is a Unix-domain
    /// socket in the abstract namespace.</para>
    /// <para>The I/O methods are <c>Try</c> methods, as on <see cref="MiowTcpStream"/>: <c>false</c>
    /// when the call would block (wait for the pipe's next event; the library has re-armed an edge
    /// registration), <see cref="MiowException"/> for every other failure.</para>
    /// <para>The I/O, and <see cref="MiowNamedPipeServer.TryConnect"/>, need the pipe to have been
    /// registered once: before that they throw <see cref="MiowErrorCode.NotRegistered"/>. After a
    /// deregistration they keep working; only the events stop. On Windows a pipe stays tied to the
    /// first selector it was registered with: registering it with another throws
    /// <see cref="MiowErrorCode.NotSupported"/>.</para>
    /// </remarks>
    public abstract class MiowNamedPipe : Source
    {
        private protected MiowNamedPipe(SourceHandle handle, string name) : base(handle)
        {
            Name = name;
        }

        /// <summary>The name the pipe was created or opened with.</summary>
        public string Name { get; }

        /// <summary>
        /// Reads and clears the pending error (<c>miow_source_take_error</c>): after a server's pending
        /// connect was reported writable, why it failed.
        /// </summary>
        /// <returns>null if no error was pending; otherwise the error, returned rather than thrown.</returns>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowIOException">The OS call failed.</exception>
        public Exception? TakeError() => TakeErrorCore();

        private protected override ErrorSite Site => ErrorSite.Pipe;

        /// <summary>Reads what is available, without waiting (<c>miow_source_read</c>).</summary>
        /// <param name="buffer">Where to store the bytes.</param>
        /// <param name="received">How many bytes were read: 0 (with true) is the peer's end of stream.</param>
        /// <returns>true if the read completed; false if nothing is available yet.</returns>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotRegistered"/> before the first
        /// registration, or another failure.</exception>
        public bool TryRead(Span<byte> buffer, out int received) => TryTransfer(Transfer.Read, buffer, out received);

        /// <summary>Like <see cref="TryRead(Span{byte}, out int)"/>, but the bytes stay queued (<c>miow_source_peek</c>).</summary>
        /// <param name="buffer">Where to copy the bytes.</param>
        /// <param name="received">How many bytes were copied.</param>
        /// <returns>true if the peek completed; false if nothing is available yet.</returns>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException">The peek failed.</exception>
        public bool TryPeek(Span<byte> buffer, out int received) => TryTransfer(Transfer.Peek, buffer, out received);

        /// <summary>Writes without waiting (<c>miow_source_write</c>).</summary>
        /// <param name="buffer">The bytes to send.</param>
        /// <param name="sent">How many were accepted: on Windows all of them up to 1 MiB per call, on
        /// Linux what fits in the socket buffer.</param>
        /// <returns>true if the write completed; false while an earlier write is still in flight
        /// (Windows) or the buffer is full (Linux).</returns>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.BrokenPipe"/> when the other end
        /// is gone, or another failure.</exception>
        public bool TryWrite(ReadOnlySpan<byte> buffer, out int sent) => TryWriteSpan(buffer, out sent);

        /// <summary>Reads what is available into part of an array, without waiting (<c>miow_source_read</c>).</summary>
        /// <param name="buffer">Where to store the bytes.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> to start.</param>
        /// <param name="count">The room from there.</param>
        /// <param name="received">How many bytes were read: 0 (with true) is the peer's end of stream.</param>
        /// <returns>true if the read completed; false if nothing is available yet.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotRegistered"/> before the first
        /// registration, or another failure.</exception>
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
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException">The peek failed.</exception>
        public bool TryPeek(byte[] buffer, int offset, int count, out int received) =>
            TryTransfer(Transfer.Peek, buffer, offset, count, out received);

        /// <summary>Writes part of an array without waiting (<c>miow_source_write</c>).</summary>
        /// <param name="buffer">The bytes to send.</param>
        /// <param name="offset">Where in <paramref name="buffer"/> they start.</param>
        /// <param name="count">How many.</param>
        /// <param name="sent">How many were accepted: on Windows all of them up to 1 MiB per call, on
        /// Linux what fits in the socket buffer.</param>
        /// <returns>true if the write completed; false while an earlier write is still in flight
        /// (Windows) or the buffer is full (Linux).</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException">The range is outside <paramref name="buffer"/>.</exception>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.BrokenPipe"/> when the other end
        /// is gone, or another failure.</exception>
        public bool TryWrite(byte[] buffer, int offset, int count, out int sent) =>
            TryTransfer(Transfer.Write, buffer, offset, count, out sent);

        /// <summary>Reads into several buffers, filled in order (<c>miow_source_readv</c>).</summary>
        /// <param name="buffers">The buffers; at most 1024.</param>
        /// <param name="received">The total number of bytes read: 0 (with true) is the peer's end of stream.</param>
        /// <returns>true if the read completed; false if nothing is available yet.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffers"/> is null.</exception>
        /// <exception cref="ArgumentException">A segment has no array.</exception>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for more than 1024
        /// buffers, or another failure.</exception>
        public bool TryRead(IList<ArraySegment<byte>> buffers, out int received) =>
            TryTransferVector(write: false, buffers, out received);

        /// <summary>Writes several buffers in order (<c>miow_source_writev</c>).</summary>
        /// <param name="buffers">The buffers; at most 1024.</param>
        /// <param name="sent">How many bytes were accepted in all.</param>
        /// <returns>true if the write completed; false while an earlier write is still in flight
        /// (Windows) or the buffer is full (Linux).</returns>
        /// <exception cref="ArgumentNullException"><paramref name="buffers"/> is null.</exception>
        /// <exception cref="ArgumentException">A segment has no array.</exception>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.InvalidArgument"/> for more than 1024
        /// buffers, or another failure.</exception>
        public bool TryWrite(IList<ArraySegment<byte>> buffers, out int sent) =>
            TryTransferVector(write: true, buffers, out sent);
    }
}
