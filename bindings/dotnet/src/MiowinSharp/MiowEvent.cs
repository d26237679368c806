// The event record that a poll fills: a blittable mirror of the C struct miow_event.
using System.Runtime.InteropServices;

namespace Miowin
{
    /// <summary>
    /// One readiness event, laid out exactly as the C <c>miow_event</c>: 16 bytes, the token at
    /// offset 0, the readiness at 8 and a reserved field at 12. Arrays of it are passed to the
    /// library without copying.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public readonly struct MiowEvent
    {
        // The C fields, in order; the reserved one is always 0 and not exposed.
        private readonly ulong _token;
        private readonly Readiness _readiness;
        private readonly uint _reserved;

        /// <summary>Creates an event, for example to fake one in a test of your own event loop.</summary>
        /// <param name="token">The token.</param>
        /// <param name="readiness">The readiness.</param>
        public MiowEvent(ulong token, Readiness readiness)
        {
            _token = token;
            _readiness = readiness;
            _reserved = 0;
        }

        /// <summary>The token given at registration, or the waker's or the posted event's token.</summary>
        public ulong Token => _token;

        /// <summary>What is ready. Never <see cref="Miowin.Readiness.None"/> in an event the library filled.</summary>
        public Readiness Readiness => _readiness;

        /// <summary>The C struct's reserved field, for the layout tests.</summary>
        internal uint Reserved => _reserved;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.Readable"/>.</summary>
        public bool IsReadable => (_readiness & Readiness.Readable) != 0;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.Writable"/>.</summary>
        public bool IsWritable => (_readiness & Readiness.Writable) != 0;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.Priority"/> (out-of-band data).</summary>
        public bool IsPriority => (_readiness & Readiness.Priority) != 0;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.Error"/>: take the error with <c>TakeError()</c>.</summary>
        public bool IsError => (_readiness & Readiness.Error) != 0;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.ReadClosed"/>: the peer sends no more.</summary>
        public bool IsReadClosed => (_readiness & Readiness.ReadClosed) != 0;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.WriteClosed"/>: nothing more can be sent.</summary>
        public bool IsWriteClosed => (_readiness & Readiness.WriteClosed) != 0;

        /// <inheritdoc />
        public override string ToString() => $"MiowEvent(Token={Token}, Readiness={Readiness})";
    }
}
