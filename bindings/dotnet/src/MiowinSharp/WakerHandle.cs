// The SafeHandle that owns a miow_waker handle.
using System;
using System.Runtime.InteropServices;

namespace Miowin
{
    /// <summary>Owns a native <c>miow_waker</c> handle and frees it with <c>miow_waker_free</c>.</summary>
    /// <remarks>
    /// The release may run on the finalizer thread: the C library is thread-safe and recognises a
    /// handle that was already freed (it returns <c>MIOW_EBADHANDLE</c> instead of touching
    /// freed memory), so a stale value is harmless.
    /// </remarks>
    public sealed class WakerHandle : SafeHandle
    {
        /// <summary>Creates an invalid handle, to be filled in by <c>miow_waker_new</c>.</summary>
        public WakerHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        /// <summary>Wraps a waker handle obtained elsewhere, for example from native code.</summary>
        /// <param name="preexistingHandle">The <c>miow_waker*</c> value.</param>
        /// <param name="ownsHandle">Whether disposing this object frees the waker.</param>
        public WakerHandle(IntPtr preexistingHandle, bool ownsHandle) : base(IntPtr.Zero, ownsHandle)
        {
            SetHandle(preexistingHandle);
        }

        /// <inheritdoc />
        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <inheritdoc />
        protected override bool ReleaseHandle() => NativeMethods.miow_waker_free(handle) == 0;
    }
}
