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
        /// <summary>The token given at registration, or the waker's or the posted event's token.</summary>
        public readonly ulong Token;

        /// <summary>What is ready. Never <see cref="Readiness.None"/> in an event the library filled.</summary>
        public readonly Readiness Readiness;

        /// <summary>Always 0.</summary>
        public readonly uint Reserved;

        /// <summary>Creates an event, for example to fake one in a test of your own event loop.</summary>
        /// <param name="token">The token.</param>
        /// <param name="readiness">The readiness.</param>
        public MiowEvent(ulong token, Readiness readiness)
        {
            Token = token;
            Readiness = readiness;
            Reserved = 0;
        }

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.Readable"/>.</summary>
        public bool IsReadable => (Readiness & Readiness.Readable) != 0;

        /// <summary>Whether <see cref="Readiness"/> has <see cref="Readiness.Writable"/>.</summary>
        public bool IsWritable => (Readiness & Readiness.Writable) != 0;

        /// <inheritdoc />
        public override string ToString() => $"MiowEvent(Token={Token}, Readiness={Readiness})";
    }
}
