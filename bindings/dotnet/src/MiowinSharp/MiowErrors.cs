// The one place that decides which exception a MIOW_E* code becomes (docs/dotnet.md has the
// table), from the code and the kind of object the call was on.
using System;
using System.Net.Sockets;

namespace Miowin
{
    /// <summary>What a failed call was on: it decides between <see cref="SocketException"/> and <see cref="System.IO.IOException"/>.</summary>
    internal enum ErrorSite
    {
        /// <summary>A selector, a waker, the library itself.</summary>
        General,

        /// <summary>A socket: a <see cref="Source"/> or a <see cref="MiowSocket"/>.</summary>
        Socket,

        /// <summary>A named pipe.</summary>
        Pipe,
    }

    internal static class MiowErrors
    {
        /// <summary>The exception for a failed call's result, reading the OS error at once.</summary>
        internal static Exception FromResult(int result, ErrorSite site) =>
            Create((MiowErrorCode)result, NativeMethods.miow_last_os_error(), site);

        /// <summary>The exception for a code: the table of docs/dotnet.md.</summary>
        internal static Exception Create(MiowErrorCode code, int osError, ErrorSite site)
        {
            switch (code)
            {
                case MiowErrorCode.InvalidArgument:
                    return new MiowArgumentException(code, osError);
                case MiowErrorCode.BadHandle:
                case MiowErrorCode.Closed:
                    return new MiowObjectDisposedException(code, osError);
                case MiowErrorCode.AlreadyRegistered:
                case MiowErrorCode.NotRegistered:
                case MiowErrorCode.Busy:
                    return new MiowInvalidOperationException(code, osError);
                case MiowErrorCode.NotSupported:
                    return new MiowNotSupportedException(code, osError);
                case MiowErrorCode.PipeBusy:
                case MiowErrorCode.PipeNotFound:
                    return new MiowIOException(code, osError);
                case MiowErrorCode.NotSocket:
                    return new MiowSocketException(code, osError);
                case MiowErrorCode.OsError:
                case MiowErrorCode.WouldBlock:
                case MiowErrorCode.ConnectionRefused:
                case MiowErrorCode.ConnectionReset:
                case MiowErrorCode.ConnectionAborted:
                case MiowErrorCode.NotConnected:
                case MiowErrorCode.AddressInUse:
                case MiowErrorCode.AddressNotAvailable:
                case MiowErrorCode.MessageSize:
                case MiowErrorCode.Shutdown:
                case MiowErrorCode.TimedOut:
                case MiowErrorCode.BrokenPipe:
                    if (site == ErrorSite.Pipe) return new MiowIOException(code, osError);
                    if (site == ErrorSite.Socket || code != MiowErrorCode.OsError) return new MiowSocketException(code, osError);
                    return new MiowException(code, osError);
                default: // OutOfMemory, and codes a newer library may add
                    return new MiowException(code, osError);
            }
        }

        /// <summary>
        /// The <see cref="SocketError"/> that .NET's own sockets report for the same failure;
        /// <see cref="SocketError.SocketError"/> for a code with no socket counterpart.
        /// </summary>
        internal static SocketError SocketErrorOf(MiowErrorCode code) => code switch
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
            _ => SocketError.SocketError,
        };

        /// <summary>The message of every exception: miow_strerror's text, the C name and the OS error.</summary>
        internal static string Message(MiowErrorCode code, int osError) =>
            $"miowin: {MiowLibrary.Describe(code)} ({CName(code)}, OS error {osError})";

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
    }
}
