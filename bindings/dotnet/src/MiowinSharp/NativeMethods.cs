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

        // net.h and io.h constants.
        internal const int MIOW_ADDRESS_SIZE = 64;
        internal const int MIOW_BUFFERS_MAX = 1024;
        internal const int MIOW_SHUT_READ = 1;
        internal const int MIOW_SHUT_WRITE = 2;
        internal const int MIOW_SHUT_BOTH = 3;
        internal const int MIOW_OPT_NODELAY = 1;
        internal const int MIOW_OPT_TTL = 2;
        internal const int MIOW_OPT_BROADCAST = 3;
        internal const int MIOW_OPT_MULTICAST_LOOP_V4 = 4;
        internal const int MIOW_OPT_MULTICAST_TTL_V4 = 5;
        internal const int MIOW_OPT_MULTICAST_LOOP_V6 = 6;
        internal const int MIOW_OPT_ONLY_V6 = 7;

        // pipe.h constants.
        internal const int MIOW_PIPE_BUFFER_SIZE = 4096;
        internal const int MIOW_PIPE_WRITE_MAX = 1024 * 1024;

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

        // net.h and io.h: sockets the library creates. Address text is passed as NUL-terminated
        // UTF-8 bytes the caller pins (Utf8.Encode), the same on both targets, and written back into
        // MIOW_ADDRESS_SIZE-byte buffers.
        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_tcp_listen(out SourceHandle @out, byte* address, int backlog);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_tcp_connect(out SourceHandle @out, byte* address);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_tcp_accept(SourceHandle listener, out SourceHandle @out, byte* peer, UIntPtr peerSize);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_bind(out SourceHandle @out, byte* address);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_connect(SourceHandle src, byte* address);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_recv_from(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received,
                                                       byte* from, UIntPtr fromSize);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_peek_from(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received,
                                                       byte* from, UIntPtr fromSize);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_send_to(SourceHandle src, byte* buffer, UIntPtr length, byte* address,
                                                     out UIntPtr sent);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_join_multicast_v4(SourceHandle src, byte* group, byte* interfaceAddress);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_leave_multicast_v4(SourceHandle src, byte* group, byte* interfaceAddress);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_join_multicast_v6(SourceHandle src, byte* group, uint interfaceIndex);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_udp_leave_multicast_v6(SourceHandle src, byte* group, uint interfaceIndex);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_read(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_peek(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_write(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr sent);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_readv(SourceHandle src, MiowBuffer* buffers, UIntPtr count, out UIntPtr received);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_writev(SourceHandle src, MiowBuffer* buffers, UIntPtr count, out UIntPtr sent);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_shutdown(SourceHandle src, int how);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_take_error(SourceHandle src, out int error, out int osError);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_local_address(SourceHandle src, byte* buffer, UIntPtr size);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_peer_address(SourceHandle src, byte* buffer, UIntPtr size);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_set_option(SourceHandle src, int option, int value);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_get_option(SourceHandle src, int option, out int value);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_source_socket(SourceHandle src, out UIntPtr socket);

        // pipe.h: named pipes. The name is pinned NUL-terminated UTF-8, as addresses are; the I/O
        // is the io.h calls above.
        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_pipe_create(out SourceHandle @out, byte* name, uint bufferSize);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_pipe_open(out SourceHandle @out, byte* name);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_pipe_connect(SourceHandle server);

        [LibraryImport(Library, SetLastError = true)]
        [UnmanagedCallConv(CallConvs = new[] { typeof(CallConvCdecl) })]
        internal static partial int miow_pipe_disconnect(SourceHandle server);
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

        // net.h and io.h, bound as the .NET 8 declarations above.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_tcp_listen(out SourceHandle @out, byte* address, int backlog);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_tcp_connect(out SourceHandle @out, byte* address);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_tcp_accept(SourceHandle listener, out SourceHandle @out, byte* peer, UIntPtr peerSize);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_bind(out SourceHandle @out, byte* address);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_connect(SourceHandle src, byte* address);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_recv_from(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received,
                                                      byte* from, UIntPtr fromSize);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_peek_from(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received,
                                                      byte* from, UIntPtr fromSize);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_send_to(SourceHandle src, byte* buffer, UIntPtr length, byte* address,
                                                    out UIntPtr sent);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_join_multicast_v4(SourceHandle src, byte* group, byte* interfaceAddress);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_leave_multicast_v4(SourceHandle src, byte* group, byte* interfaceAddress);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_join_multicast_v6(SourceHandle src, byte* group, uint interfaceIndex);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_udp_leave_multicast_v6(SourceHandle src, byte* group, uint interfaceIndex);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_read(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_peek(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr received);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_write(SourceHandle src, byte* buffer, UIntPtr length, out UIntPtr sent);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_readv(SourceHandle src, MiowBuffer* buffers, UIntPtr count, out UIntPtr received);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_writev(SourceHandle src, MiowBuffer* buffers, UIntPtr count, out UIntPtr sent);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_shutdown(SourceHandle src, int how);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_take_error(SourceHandle src, out int error, out int osError);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_local_address(SourceHandle src, byte* buffer, UIntPtr size);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_peer_address(SourceHandle src, byte* buffer, UIntPtr size);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_set_option(SourceHandle src, int option, int value);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_get_option(SourceHandle src, int option, out int value);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_source_socket(SourceHandle src, out UIntPtr socket);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_pipe_create(out SourceHandle @out, byte* name, uint bufferSize);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_pipe_open(out SourceHandle @out, byte* name);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_pipe_connect(SourceHandle server);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true, SetLastError = true)]
        internal static extern int miow_pipe_disconnect(SourceHandle server);
#endif

        /// <summary>Reads a static NUL-terminated ASCII string the library returned.</summary>
        internal static string StaticString(IntPtr p) => p == IntPtr.Zero ? string.Empty : Marshal.PtrToStringAnsi(p)!;
    }
}
