// One buffer of a vectored read or write, as the C API lays it out.
using System;
using System.Runtime.InteropServices;

namespace Miowin
{
    /// <summary><c>miow_buffer</c>: <c>{ void *data; uint64_t length; }</c>, 16 bytes on 64-bit platforms.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MiowBuffer
    {
        internal IntPtr Data;
        internal ulong Length;

        internal MiowBuffer(IntPtr data, ulong length)
        {
            Data = data;
            Length = length;
        }
    }
}
