// The SafeHandle that owns a miow_source handle.
using System;

namespace Miowin
{
    /// <summary>Owns a native <c>miow_source</c> handle and frees it with <c>miow_source_free</c>.</summary>
    public sealed class SourceHandle : MiowHandle
    {
        /// <summary>Creates an invalid handle, to be filled in by <c>miow_source_new</c>.</summary>
        public SourceHandle() { }

        /// <summary>Wraps a source handle obtained elsewhere, for example from native code.</summary>
        /// <param name="preexistingHandle">The <c>miow_source*</c> value.</param>
        /// <param name="ownsHandle">Whether disposing this object frees the source.</param>
        public SourceHandle(IntPtr preexistingHandle, bool ownsHandle) : base(preexistingHandle, ownsHandle) { }

        /// <inheritdoc />
        protected override bool ReleaseHandle() => NativeMethods.miow_source_free(handle) == 0;
    }
}
