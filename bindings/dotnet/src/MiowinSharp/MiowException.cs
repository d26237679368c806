// The exception that every failed miowin call becomes.
using System;
using System.Net.Sockets;

namespace Miowin
{
    /// <summary>
    /// A miowin call failed. <see cref="Code"/> is the library's error code and
    /// <see cref="OsError"/> the OS error behind it: a Win32 or Winsock code on Windows, an
    /// <c>errno</c> value elsewhere.
    /// </summary>
    /// <remarks>
    /// Argument errors that the binding detects itself (a null array, a negative timeout) are
    /// the usual <see cref="ArgumentException"/> types, and calls on a disposed object throw
    /// <see cref="ObjectDisposedException"/>; everything the C library rejects is a
    /// <see cref="MiowException"/>.
    /// </remarks>
    public class MiowException : Exception
    {
        /// <summary>Creates the exception for a code and an OS error.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowException(MiowErrorCode code, int osError)
            : base($"miowin: {MiowLibrary.Describe(code)} ({CName(code)}, OS error {osError})")
        {
            Code = code;
            OsError = osError;
        }

        /// <summary>The library's error code.</summary>
        public MiowErrorCode Code { get; }

        /// <summary>
        /// The OS error behind the failure, as <c>miow_last_os_error()</c> reported it right after
        /// the call (the same value <c>Marshal.GetLastPInvokeError()</c> holds then).
        /// </summary>
        public int OsError { get; }

        /// <summary>
        /// The <see cref="System.Net.Sockets.SocketError"/> that .NET's own sockets report for the
        /// same failure (as <see cref="SocketException.SocketErrorCode"/>), so that code handling
        /// both can branch on one value; <see cref="SocketError.SocketError"/> for a code with no
        /// socket counterpart.
        /// </summary>
        public SocketError SocketErrorCode => Code switch
        {
            MiowErrorCode.InvalidArgument => SocketError.InvalidArgument,
            MiowErrorCode.NotSocket => SocketError.NotSocket,
            MiowErrorCode.WouldBlock => SocketError.WouldBlock,
            MiowErrorCode.ConnectionRefused => SocketError.ConnectionRefused,
            MiowErrorCode.ConnectionReset => SocketError.ConnectionReset,
            MiowErrorCode.ConnectionAborted => SocketError.ConnectionAborted,
            MiowErrorCode.NotConnected => SocketError.NotConnected,
            MiowErrorCode.AddressInUse => SocketError.AddressAlreadyInUse,
            MiowErrorCode.AddressNotAvailable => SocketError.AddressNotAvailable,
            MiowErrorCode.MessageSize => SocketError.MessageSize,
            MiowErrorCode.Shutdown => SocketError.Shutdown,
            MiowErrorCode.TimedOut => SocketError.TimedOut,
            MiowErrorCode.NotSupported => SocketError.OperationNotSupported,
            // .NET reports EPIPE on Unix as Shutdown too.
            MiowErrorCode.BrokenPipe => SocketError.Shutdown,
            // The pipe codes have none: .NET's pipes throw IOException, FileNotFoundException or
            // TimeoutException instead.
            _ => SocketError.SocketError,
        };

        /// <summary>The C name of a code, for messages.</summary>
        internal static string CName(MiowErrorCode code) => code switch
        {
            MiowErrorCode.InvalidArgument => "MIOW_EINVAL",
            MiowErrorCode.BadHandle => "MIOW_EBADHANDLE",
            MiowErrorCode.OutOfMemory => "MIOW_ENOMEM",
            MiowErrorCode.AlreadyRegistered => "MIOW_EEXIST",
            MiowErrorCode.NotRegistered => "MIOW_ENOENT",
            MiowErrorCode.Busy => "MIOW_EBUSY",
            MiowErrorCode.NotSocket => "MIOW_ENOTSOCK",
            MiowErrorCode.Closed => "MIOW_ECLOSED",
            MiowErrorCode.OsError => "MIOW_EOS",
            MiowErrorCode.WouldBlock => "MIOW_EWOULDBLOCK",
            MiowErrorCode.ConnectionRefused => "MIOW_ECONNREFUSED",
            MiowErrorCode.ConnectionReset => "MIOW_ECONNRESET",
            MiowErrorCode.ConnectionAborted => "MIOW_ECONNABORTED",
            MiowErrorCode.NotConnected => "MIOW_ENOTCONN",
            MiowErrorCode.AddressInUse => "MIOW_EADDRINUSE",
            MiowErrorCode.AddressNotAvailable => "MIOW_EADDRNOTAVAIL",
            MiowErrorCode.MessageSize => "MIOW_EMSGSIZE",
            MiowErrorCode.Shutdown => "MIOW_ESHUTDOWN",
            MiowErrorCode.TimedOut => "MIOW_ETIMEDOUT",
            MiowErrorCode.NotSupported => "MIOW_ENOTSUP",
            MiowErrorCode.BrokenPipe => "MIOW_EPIPE",
            MiowErrorCode.PipeBusy => "MIOW_EPIPEBUSY",
            MiowErrorCode.PipeNotFound => "MIOW_ENOTFOUND",
            _ => "code " + (int)code,
        };

        /// <summary>Builds the exception for a failed call, reading the OS error at once.</summary>
        internal static MiowException FromResult(int result) =>
            new MiowException((MiowErrorCode)result, NativeMethods.miow_last_os_error());
    }
}
