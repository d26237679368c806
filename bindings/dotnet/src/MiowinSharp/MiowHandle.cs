// The SafeHandle base of the library's handle types: a native pointer, invalid when null.
using System;
using System.Runtime.InteropServices;

namespace Miowin
{
    /// <summary>
    /// The base of <see cref="SelectorHandle"/>, <see cref="SourceHandle"/> and
    /// <see cref="WakerHandle"/>: owns one native miowin handle, which is invalid when null. Each
    /// subclass frees its handle with the C library's free call for its kind.
    /// </summary>
    /// <remarks>
    /// The release may run on the finalizer thread: the C library is thread-safe and recognises a
    /// handle that was already freed (it returns <c>MIOW_EBADHANDLE</c> instead of touching
    /// freed memory), so a stale value is harmless.
    /// </remarks>
    public abstract class MiowHandle : SafeHandle
    {
        /// <summary>Creates an invalid handle, to be filled in by the C library's create call.</summary>
        protected MiowHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        /// <summary>Wraps a handle obtained elsewhere, for example from native code.</summary>
        /// <param name="preexistingHandle">The native handle value.</param>
        /// <param name="ownsHandle">Whether disposing this object frees the native handle.</param>
        protected MiowHandle(IntPtr preexistingHandle, bool ownsHandle) : base(IntPtr.Zero, ownsHandle)
        {
            SetHandle(preexistingHandle);
        }

        /// <inheritdoc />
        public override bool IsInvalid => handle == IntPtr.Zero;
    }
}
