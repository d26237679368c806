// Named pipe servers of several instances (miowin 1.2, miow_pipe_create_ex): one name served to
// several clients at once, with an instance kept listening while others are connected.
using System;

namespace Miowin
{
    public sealed partial class MiowNamedPipeServer
    {
        /// <summary><c>maxInstances</c> for as many instances as the OS allows (<c>PIPE_UNLIMITED_INSTANCES</c>).</summary>
        public const int UnlimitedInstances = 0;

        /// <summary>The highest instance limit <see cref="Create(string, int, bool, int)"/> takes (<c>MIOW_PIPE_INSTANCES_MAX</c>).</summary>
        public const int MaxInstancesLimit = NativeMethods.MIOW_PIPE_INSTANCES_MAX;

        /// <summary>
        /// Creates one server instance of the pipe <paramref name="name"/>, of a name that may have
        /// several (<c>miow_pipe_create_ex</c>, miowin 1.2). Each instance serves one client: register
        /// it and call <see cref="TryConnect"/>, as for a pipe from <see cref="Create(string, int)"/>.
        /// A client's <see cref="MiowNamedPipeClient.Open"/> is bound to an instance that is
        /// listening, or fails with <see cref="MiowErrorCode.PipeBusy"/> when every instance has a
        /// client or is between clients; so create the next instance before the last free one is taken.
        /// </summary>
        /// <param name="name">The name, <c>\\.\pipe\</c> followed by at least one character.</param>
        /// <param name="maxInstances">The most instances the name may have at once, 1 to
        /// <see cref="MaxInstancesLimit"/>, or <see cref="UnlimitedInstances"/>. The name's first
        /// instance sets it; later instances' values are ignored, as Windows does.</param>
        /// <param name="firstInstance">true to fail with <see cref="MiowErrorCode.AddressInUse"/> if the
        /// name exists already (<c>FILE_FLAG_FIRST_PIPE_INSTANCE</c>): pass true for the first
        /// instance, so that a server never joins a name another process owns, and false for the others.</param>
        /// <param name="bufferSize">As for <see cref="Create(string, int)"/>.</param>
        /// <returns>The instance, listening and not registered.</returns>
        /// <remarks>On Linux the instances of a name share one listening socket and must live in one
        /// process: a name served by another process fails with <see cref="MiowErrorCode.AddressInUse"/>.</remarks>
        /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="name"/> contains a NUL or lacks the prefix.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxInstances"/> is negative or
        /// above <see cref="MaxInstancesLimit"/>, or <paramref name="bufferSize"/> is negative.</exception>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        /// <exception cref="MiowIOException"><see cref="MiowErrorCode.AddressInUse"/> for
        /// <paramref name="firstInstance"/> and an existing name; <see cref="MiowErrorCode.PipeBusy"/>
        /// (<c>ERROR_PIPE_BUSY</c>) when the name has its limit of instances already; or another failure.</exception>
        public static unsafe MiowNamedPipeServer Create(string name, int maxInstances, bool firstInstance, int bufferSize = 0)
        {
            if (maxInstances < 0 || maxInstances > MaxInstancesLimit)
            {
                throw new ArgumentOutOfRangeException(nameof(maxInstances), maxInstances,
                    $"The instance limit is 1 to {MaxInstancesLimit}, or UnlimitedInstances (0).");
            }
            if (bufferSize < 0) throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "The buffer size must not be negative.");
            byte[] text = Utf8.Encode(name, nameof(name));
            NativeMethods.RequireVersion12("Create with an instance count");
            uint flags = firstInstance ? NativeMethods.MIOW_PIPE_FIRST_INSTANCE : 0;
            int rc;
            SourceHandle handle;
            fixed (byte* p = text) rc = NativeMethods.miow_pipe_create_ex(out handle, p, (uint)bufferSize, (uint)maxInstances, flags);
            return new MiowNamedPipeServer(Created(rc, handle, ErrorSite.Pipe), name);
        }
    }
}
