// The server end of a named pipe: created under a name, then connected to one client at a time
// (a name can have several instances, each with its own client: PipeInstances.cs).
using System;

namespace Miowin
{
    /// <summary>
    /// One server instance of a named pipe (<c>miow_pipe_create</c>), serving one client at a time;
    /// a name with several instances (<see cref="Create(string, int, bool, int)"/>) serves several at once.
    /// Register it, then call <see cref="TryConnect"/>: true when a client is connected, false while
    /// the connect is pending, which the pipe's next <see cref="Readiness.Writable"/> event ends
    /// (<see cref="MiowNamedPipe.TakeError"/> then says whether it failed, and <see cref="TryConnect"/>
    /// returns true from there on). <see cref="Disconnect"/> drops the client so that the next one
    /// can be accepted.
    /// </summary>
    public sealed partial class MiowNamedPipeServer : MiowNamedPipe
    {
        private MiowNamedPipeServer(SourceHandle handle, string name) : base(handle, name)
        {
        }

        /// <summary>
        /// Creates the pipe <paramref name="name"/>, not yet connected (<c>miow_pipe_create</c>). It
        /// is the only instance of its name, and rejects remote clients.
        /// </summary>
        /// <param name="name">The name, <c>\\.\pipe\</c> followed by at least one character.</param>
        /// <param name="bufferSize">The size of the read buffer and of the OS pipe buffers on Windows;
        /// 0 means 4096 (<c>MIOW_PIPE_BUFFER_SIZE</c>).</param>
        /// <returns>The pipe, not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="name"/> contains a NUL.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is negative.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.AddressInUse"/> if a pipe of that
        /// name exists, <see cref="MiowErrorCode.InvalidArgument"/> for a name without the prefix, or
        /// another failure.</exception>
        public static unsafe MiowNamedPipeServer Create(string name, int bufferSize = 0)
        {
            if (bufferSize < 0) throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "The buffer size must not be negative.");
            byte[] text = Utf8.Encode(name, nameof(name));
            MiowLibrary.EnsureCompatible();
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_pipe_create(out handle, p, (uint)bufferSize);
            return new MiowNamedPipeServer(Created(rc, handle, ErrorSite.Pipe), name);
        }

        /// <summary>Accepts a client (<c>miow_pipe_connect</c>).</summary>
        /// <returns>true if a client is connected; false if the connect is pending (also when it
        /// already was): wait for the pipe's <see cref="Readiness.Writable"/> event.</returns>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.NotRegistered"/> before the first
        /// registration, or another failure.</exception>
        public bool TryConnect()
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_pipe_connect(Handle);
            if (rc == 0) return true;
            if (rc == (int)MiowErrorCode.WouldBlock) return false;
            throw Failure(rc, null);
        }

        /// <summary>
        /// Drops the client (<c>miow_pipe_disconnect</c>): unread data is discarded, and the client
        /// reads end of stream. Does nothing without a client. Call <see cref="TryConnect"/> to
        /// accept the next one.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The pipe was disposed.</exception>
        /// <exception cref="MiowException">The OS call failed.</exception>
        public void Disconnect()
        {
            ThrowIfDisposed();
            int rc = NativeMethods.miow_pipe_disconnect(Handle);
            if (rc != 0) throw Failure(rc, null);
        }
    }
}
