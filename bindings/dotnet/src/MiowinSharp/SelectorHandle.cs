// The SafeHandle that owns a miow_selector handle.
using System;
using System.Threading;

namespace Miowin
{
    /// <summary>Owns a native <c>miow_selector</c> handle and frees it with <c>miow_selector_free</c>.</summary>
    public sealed class SelectorHandle : MiowHandle
    {
        private int _freed;

        /// <summary>Creates an invalid handle, to be filled in by <c>miow_selector_new</c>.</summary>
        public SelectorHandle() { }

        /// <summary>Wraps a selector handle obtained elsewhere, for example from native code.</summary>
        /// <param name="preexistingHandle">The <c>miow_selector*</c> value.</param>
        /// <param name="ownsHandle">Whether disposing this object frees the selector.</param>
        public SelectorHandle(IntPtr preexistingHandle, bool ownsHandle) : base(preexistingHandle, ownsHandle) { }

        /// <summary>
        /// Frees the native selector now, even while a poll holds a reference to this handle, so
        /// that a poll blocked on another thread returns promptly (<c>MIOW_ECLOSED</c>). The
        /// SafeHandle's own release then has nothing left to do.
        /// </summary>
        internal void FreeNow()
        {
            if (Interlocked.Exchange(ref _freed, 1) == 0) NativeMethods.miow_selector_free(handle);
        }

        /// <inheritdoc />
        protected override bool ReleaseHandle()
        {
            if (Interlocked.Exchange(ref _freed, 1) != 0) return true;
            return NativeMethods.miow_selector_free(handle) == 0;
        }
    }
}
