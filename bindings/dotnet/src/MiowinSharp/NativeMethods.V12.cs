// The P/Invoke declarations of the miowin 1.2 exports (def/miowin.def ordinals 51-57): waitable
// sources, dual-stack sockets, pipe instances, adoption and release. Kept apart from
// NativeMethods.cs so that a host on an older DLL fails with a clear NotSupportedException
// (RequireVersion12) instead of an EntryPointNotFoundException.
using System;
using System.Runtime.InteropServices;
#if NET7_0_OR_GREATER
using System.Runtime.CompilerServices;
#endif

namespace Miowin
{
    internal static unsafe partial class NativeMethods
    {
        // net.h and pipe.h 1.2 constants.
        internal const uint MIOW_NET_DUAL_STACK = 0x1;
        internal const uint MIOW_PIPE_FIRST_INSTANCE = 0x1;
        internal const int MIOW_PIPE_INSTANCES_MAX = 254;

        /// <summary>Throws unless the loaded library has the 1.2 exports that <paramref name="call"/> needs.</summary>
        /// <exception cref="NotSupportedException">The library is older than 1.2.</exception>
        internal static void RequireVersion12(string call)
        {
            MiowLibrary.EnsureCompatible();
            if (MiowLibrary.VersionNumber < 0x010200)
            {
                throw new NotSupportedException(
                    $"{call} needs miowin 1.2 or later, but miowin {MiowLibrary.VersionString} was loaded.");
            }
        }

#if NET7_0_OR_GREATER
        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_new_waitable(out SourceHandle @out, UIntPtr value);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_tcp_listen_ex(out SourceHandle @out, byte* address, int backlog, uint flags);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_bind_ex(out SourceHandle @out, byte* address, uint flags);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_pipe_create_ex(out SourceHandle @out, byte* name, uint bufferSize,
                                                        uint maxInstances, uint flags);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_adopt_socket(out SourceHandle @out, UIntPtr socket);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_pipe_adopt(out SourceHandle @out, UIntPtr handle);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_release(SourceHandle src, out UIntPtr @out);
#else
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_new_waitable(out SourceHandle @out, UIntPtr value);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_tcp_listen_ex(out SourceHandle @out, byte* address, int backlog, uint flags);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_bind_ex(out SourceHandle @out, byte* address, uint flags);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_pipe_create_ex(out SourceHandle @out, byte* name, uint bufferSize,
                                                       uint maxInstances, uint flags);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_adopt_socket(out SourceHandle @out, UIntPtr socket);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_pipe_adopt(out SourceHandle @out, UIntPtr handle);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_release(SourceHandle src, out UIntPtr @out);
#endif
    }
}
