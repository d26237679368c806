// The few OS calls the binding makes itself, outside miowin: duplicating a host's socket or pipe
// handle for adoption (so that the host's own Socket or SafeHandle can be disposed normally
// afterwards), closing such a duplicate, and opening a pidfd for a child process on Linux.
using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Miowin
{
    internal static unsafe class OsHandles
    {
        internal static bool IsWindows => RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        /// <summary>A second socket for the same connection or listener, not inheritable.</summary>
        /// <exception cref="Win32Exception">The OS refused.</exception>
        internal static IntPtr DuplicateSocket(IntPtr socket)
        {
            if (!IsWindows) return DuplicateDescriptor(socket);
            // WSAPROTOCOL_INFOW is 628 bytes; the buffer leaves room to spare.
            byte* info = stackalloc byte[1024];
            if (WSADuplicateSocketW(socket, GetCurrentProcessId(), info) != 0) throw LastError("WSADuplicateSocketW");
            IntPtr copy = WSASocketW(FromProtocolInfo, FromProtocolInfo, FromProtocolInfo, info, 0,
                                     WsaFlagOverlapped | WsaFlagNoHandleInherit);
            if (copy == InvalidSocket) throw LastError("WSASocketW");
            return copy;
        }

        /// <summary>A second handle (Windows) or descriptor (Linux) for the same pipe end, not inheritable.</summary>
        /// <exception cref="Win32Exception">The OS refused.</exception>
        internal static IntPtr DuplicateHandle(IntPtr handle)
        {
            if (!IsWindows) return DuplicateDescriptor(handle);
            IntPtr self = GetCurrentProcess();
            if (!DuplicateHandle(self, handle, self, out IntPtr copy, 0, false, DuplicateSameAccess)) throw LastError("DuplicateHandle");
            return copy;
        }

        /// <summary>Closes a duplicate made here, after a failed adoption.</summary>
        internal static void CloseSocket(IntPtr socket)
        {
            if (IsWindows) closesocket(socket);
            else close((int)socket);
        }

        /// <summary>Closes a duplicate made here, after a failed adoption.</summary>
        internal static void CloseHandle(IntPtr handle)
        {
            if (IsWindows) CloseHandleWin32(handle);
            else close((int)handle);
        }

        /// <summary>Closes a descriptor the binding opened (Linux).</summary>
        internal static void CloseDescriptor(int fd) => close(fd);

        /// <summary>A pidfd for <paramref name="pid"/> (Linux 5.3+): readable once the process has exited.</summary>
        /// <exception cref="Win32Exception">No such process (<c>ESRCH</c>), or the kernel lacks pidfds.</exception>
        internal static int OpenPidfd(int pid)
        {
            int fd;
            try
            {
                fd = pidfd_open(pid, 0);
            }
            catch (EntryPointNotFoundException)
            {
                // glibc before 2.36 has no wrapper; the system call is the same.
                fd = (int)syscall(SysPidfdOpen, pid, 0);
            }
            if (fd < 0) throw LastError("pidfd_open");
            return fd;
        }

        private static IntPtr DuplicateDescriptor(IntPtr fd)
        {
            int copy = fcntl((int)fd, FDupfdCloexec, 0);
            if (copy < 0) throw LastError("fcntl(F_DUPFD_CLOEXEC)");
            return new IntPtr(copy);
        }

        private static Win32Exception LastError(string call)
        {
            int error = Marshal.GetLastWin32Error();
            return new Win32Exception(error, $"{call} failed: {new Win32Exception(error).Message} (OS error {error})");
        }

        private const int FromProtocolInfo = -1;
        private const uint WsaFlagOverlapped = 0x01;
        private const uint WsaFlagNoHandleInherit = 0x80;
        private const uint DuplicateSameAccess = 0x2;
        private static readonly IntPtr InvalidSocket = new IntPtr(-1);
        private const int FDupfdCloexec = 1030;
        private const long SysPidfdOpen = 434; // the same number on every Linux architecture

        [DllImport("ws2_32", SetLastError = true, ExactSpelling = true)]
        private static extern int WSADuplicateSocketW(IntPtr socket, uint processId, byte* protocolInfo);

        [DllImport("ws2_32", SetLastError = true, ExactSpelling = true)]
        private static extern IntPtr WSASocketW(int af, int type, int protocol, byte* protocolInfo, uint group, uint flags);

        [DllImport("ws2_32", SetLastError = true, ExactSpelling = true)]
        private static extern int closesocket(IntPtr socket);

        [DllImport("kernel32", ExactSpelling = true)]
        private static extern uint GetCurrentProcessId();

        [DllImport("kernel32", ExactSpelling = true)]
        private static extern IntPtr GetCurrentProcess();

        [DllImport("kernel32", SetLastError = true, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool DuplicateHandle(IntPtr sourceProcess, IntPtr source, IntPtr targetProcess, out IntPtr target,
                                                   uint access, [MarshalAs(UnmanagedType.Bool)] bool inherit, uint options);

        [DllImport("kernel32", EntryPoint = "CloseHandle", SetLastError = true, ExactSpelling = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        private static extern bool CloseHandleWin32(IntPtr handle);

        [DllImport("libc", SetLastError = true, ExactSpelling = true)]
        private static extern int fcntl(int fd, int command, int argument);

        [DllImport("libc", SetLastError = true, ExactSpelling = true)]
        private static extern int close(int fd);

        [DllImport("libc", SetLastError = true, ExactSpelling = true)]
        private static extern int pidfd_open(int pid, uint flags);

        [DllImport("libc", SetLastError = true, ExactSpelling = true)]
        private static extern long syscall(long number, int pid, uint flags);
    }
}
