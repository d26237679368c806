// The P/Invoke declarations of every miowin export (def/miowin.def), one to one with the C
// prototypes: source-generated [LibraryImport] on .NET 8+, [DllImport] on netstandard2.0. Both
// state cdecl explicitly, which matters on x86 only.
using System;
using System.Runtime.InteropServices;
#if NET7_0_OR_GREATER
using System.Runtime.CompilerServices;
#endif

namespace Miowin
{
    internal static unsafe partial class NativeMethods
    {
        /// <summary>The library name: miowin.dll on Windows, libmiowin.so on Linux.</summary>
        internal const string Library = "miowin";

        // Registers the MIOWIN_LIBRARY resolver before the first call binds (a static constructor
        // makes the runtime run it before any method of this class).
        static NativeMethods() => LibraryResolver.Register();

        // Functions that can fail set SetLastError, so Marshal.GetLastPInvokeError() holds the OS
        // error too; miow_last_os_error itself does not, so reading it leaves that value alone.
#if NET7_0_OR_GREATER
        [LibraryImport(Library)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial uint miow_version();

        // A static string: returned as a pointer, never as `string`, which the marshaller would free.
        [LibraryImport(Library)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial IntPtr miow_version_string();

        [LibraryImport(Library)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial IntPtr miow_strerror(int code);

        [LibraryImport(Library)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_last_os_error();

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_selector_new(out SelectorHandle @out);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_selector_free(IntPtr sel);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_selector_poll(SelectorHandle sel, MiowEvent* events, UIntPtr capacity,
                                                       out UIntPtr count, long timeoutMs);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_selector_post(SelectorHandle sel, ulong token, uint readiness);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_new(out SourceHandle @out, UIntPtr socket);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_free(IntPtr src);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_register(SourceHandle src, SelectorHandle sel, ulong token,
                                                         uint interests);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_reregister(SourceHandle src, SelectorHandle sel, ulong token,
                                                           uint interests);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_deregister(SourceHandle src, SelectorHandle sel);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_rearm(SourceHandle src);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_waker_new(SelectorHandle sel, ulong token, out WakerHandle @out);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_waker_wake(WakerHandle w);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_waker_free(IntPtr w);

        // The wepoll-compatible layer of miow/epoll.h. It is there for C sources written against
        // wepoll; .NET code uses Selector instead, so only the raw calls are bound. The event
        // array is passed as a pointer because struct epoll_event is 12 bytes on Linux x86-64
        // and 16 on Windows.
        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial IntPtr miow_epoll_create(int size);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial IntPtr miow_epoll_create1(int flags);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_epoll_close(IntPtr ephnd);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_epoll_ctl(IntPtr ephnd, int op, nuint sock, IntPtr @event);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_epoll_wait(IntPtr ephnd, IntPtr events, int maxevents, int timeout);
#else
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern uint miow_version();

        // A static string: returned as a pointer, never as `string`, which the marshaller would free.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr miow_version_string();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr miow_strerror(int code);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int miow_last_os_error();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_selector_new(out SelectorHandle @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_selector_free(IntPtr sel);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_selector_poll(SelectorHandle sel, MiowEvent* events, UIntPtr capacity,
                                                      out UIntPtr count, long timeoutMs);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_selector_post(SelectorHandle sel, ulong token, uint readiness);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_new(out SourceHandle @out, UIntPtr socket);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_free(IntPtr src);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_register(SourceHandle src, SelectorHandle sel, ulong token,
                                                        uint interests);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_reregister(SourceHandle src, SelectorHandle sel, ulong token,
                                                          uint interests);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_deregister(SourceHandle src, SelectorHandle sel);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_rearm(SourceHandle src);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_waker_new(SelectorHandle sel, ulong token, out WakerHandle @out);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_waker_wake(WakerHandle w);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_waker_free(IntPtr w);

        // The wepoll-compatible layer of miow/epoll.h, bound raw (see the .NET 8 declarations).
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern IntPtr miow_epoll_create(int size);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern IntPtr miow_epoll_create1(int flags);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_epoll_close(IntPtr ephnd);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_epoll_ctl(IntPtr ephnd, int op, UIntPtr sock, IntPtr @event);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_epoll_wait(IntPtr ephnd, IntPtr events, int maxevents, int timeout);
#endif

        /// <summary>Reads a static NUL-terminated ASCII string the library returned.</summary>
        internal static string StaticString(IntPtr p) => p == IntPtr.Zero ? string.Empty : Marshal.PtrToStringAnsi(p)!;
    }
}
