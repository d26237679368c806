// What an event reports: the interest bits plus the error and closed conditions.
using System;

namespace Miowin
{
    /// <summary>
    /// The readiness an event reports. <see cref="Readable"/>, <see cref="Writable"/> and
    /// <see cref="Priority"/> are reported only when the registration asked for them; the three
    /// condition bits come with whichever interest observed them.
    /// </summary>
    [Flags]
    public enum Readiness : uint
    {
        /// <summary>No readiness. An event from the library never carries this value.</summary>
        None = 0,

        /// <summary>Data can be read, a connection accepted, or the peer closed (<c>MIOW_READABLE</c>).</summary>
        Readable = 0x01,

        /// <summary>Data can be written, or a connect completed (<c>MIOW_WRITABLE</c>).</summary>
        Writable = 0x02,

        /// <summary>Out-of-band (urgent) data is waiting (<c>MIOW_PRIORITY</c>).</summary>
        Priority = 0x04,

        /// <summary>The socket has an error, such as a refused connect (<c>MIOW_ERROR</c>).</summary>
        Error = 0x08,

        /// <summary>The peer will send no more data: FIN or reset (<c>MIOW_READ_CLOSED</c>).</summary>
        ReadClosed = 0x10,

        /// <summary>No more data can be sent: reset or failed connect (<c>MIOW_WRITE_CLOSED</c>).</summary>
        WriteClosed = 0x20,
    }
}
