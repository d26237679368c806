// The SafeHandle that owns a miow_source handle.
using System;
using System.Runtime.InteropServices;

namespace Miowin
{
    /// <summary>Owns a native <c>miow_source</c> handle and frees it with <c>miow_source_free</c>.</summary>
    /// <remarks>
    /// The release may run on the finalizer thread: the C library is thread-safe and recognises a
    /// handle that was already freed (it returns <c>MIOW_EBADHANDLE</c> instead of touching
    /// freed memory), so a stale value is harmless.
    /// </remarks>
    public sealed class SourceHandle : SafeHandle
    {
        /// <summary>Creates an invalid handle, to be filled in by <c>miow_source_new</c>.</summary>
        public SourceHandle() : base(IntPtr.Zero, ownsHandle: true) { }

        /// <summary>Wraps a source handle obtained elsewhere, for example from native code.</summary>
        /// <param name="preexistingHandle">The <c>miow_source*</c> value.</param>
        /// <param name="ownsHandle">Whether disposing this object frees the source.</param>
        public SourceHandle(IntPtr preexistingHandle, bool ownsHandle) : base(IntPtr.Zero, ownsHandle)
        {
            SetHandle(preexistingHandle);
        }

        /// <inheritdoc />
        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <inheritdoc />
        protected override bool ReleaseHandle() => NativeMethods.miow_source_free(handle) == 0;
    }
}
