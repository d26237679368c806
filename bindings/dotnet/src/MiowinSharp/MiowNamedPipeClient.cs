// The client end of a named pipe: opened by name, connected from the start.
using System;

namespace Miowin
{
    /// <summary>The client end of a named pipe (<c>miow_pipe_open</c>), connected from the start.</summary>
    public sealed partial class MiowNamedPipeClient : MiowNamedPipe
    {
        private MiowNamedPipeClient(SourceHandle handle, string name) : base(handle, name)
        {
        }

        /// <summary>Opens the pipe <paramref name="name"/> (<c>miow_pipe_open</c>).</summary>
        /// <param name="name">The name, <c>\\.\pipe\</c> followed by at least one character.</param>
        /// <returns>The pipe, connected and not registered.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="name"/> contains a NUL.</exception>
        /// <exception cref="MiowException"><see cref="MiowErrorCode.PipeNotFound"/> if there is no
        /// such pipe, <see cref="MiowErrorCode.PipeBusy"/> if it is serving another client or is
        /// between two (open it again later), <see cref="MiowErrorCode.InvalidArgument"/> for a name
        /// without the prefix, or another failure.</exception>
        public static unsafe MiowNamedPipeClient Open(string name)
        {
            byte[] text = Utf8.Encode(name, nameof(name));
            MiowLibrary.EnsureCompatible();
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_pipe_open(out handle, p);
            return new MiowNamedPipeClient(Created(rc, handle, ErrorSite.Pipe), name);
        }
    }
}
