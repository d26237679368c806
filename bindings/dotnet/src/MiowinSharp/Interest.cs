// What a registration asks for: the MIOW_READABLE/WRITABLE/PRIORITY bits and the mode bits.
using System;

namespace Miowin
{
    /// <summary>
    /// The interests of a registration: a non-empty combination of <see cref="Readable"/>,
    /// <see cref="Writable"/> and <see cref="Priority"/>, plus at most one of <see cref="Edge"/>
    /// and <see cref="Oneshot"/>. Without a mode bit the registration is level-triggered. Any other
    /// combination is rejected by the library with <see cref="MiowErrorCode.InvalidArgument"/>.
    /// </summary>
    [Flags]
    public enum Interest : uint
    {
        /// <summary>Data can be read, a connection accepted, or the peer closed (<c>MIOW_READABLE</c>).</summary>
        Readable = 0x01,

        /// <summary>Data can be written, or a connect completed (<c>MIOW_WRITABLE</c>).</summary>
        Writable = 0x02,

        /// <summary>Out-of-band (urgent) data is waiting (<c>MIOW_PRIORITY</c>).</summary>
        Priority = 0x04,

        /// <summary>
        /// Mode: report each interest once, then stay silent for it until <see cref="Source.Rearm"/>
        /// or <see cref="Source.Reregister"/> (<c>MIOW_EDGE</c>). Rearm after your own I/O on the
        /// socket would block, or the source goes deaf.
        /// </summary>
        Edge = 0x100,

        /// <summary>
        /// Mode: report once, then stay registered but disarmed until <see cref="Source.Reregister"/>
        /// or <see cref="Source.Rearm"/> (<c>MIOW_ONESHOT</c>).
        /// </summary>
        Oneshot = 0x200,
    }
}
