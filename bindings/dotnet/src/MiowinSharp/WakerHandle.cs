// The SafeHandle that owns a miow_waker handle.
using System;

namespace Miowin
{
    /// <summary>Owns a native <c>miow_waker</c> handle and frees it with <c>miow_waker_free</c>.</summary>
    public sealed class WakerHandle : MiowHandle
    {
        /// <summary>Creates an invalid handle, to be filled in by <c>miow_waker_new</c>.</summary>
        public WakerHandle() { }

        /// <summary>Wraps a waker handle obtained elsewhere, for example from native code.</summary>
        /// <param name="preexistingHandle">The <c>miow_waker*</c> value.</param>
        /// <param name="ownsHandle">Whether disposing this object frees the waker.</param>
        public WakerHandle(IntPtr preexistingHandle, bool ownsHandle) : base(preexistingHandle, ownsHandle) { }

        /// <inheritdoc />
        protected override bool ReleaseHandle() => NativeMethods.miow_waker_free(handle) == 0;
    }
}
