// The exception types a failed miowin call becomes, one per .NET category, all carrying the
// library's code (IMiowError); MiowErrors.Create picks the type.
using System;
using System.IO;
using System.Net.Sockets;

namespace Miowin
{
    /// <summary>
    /// The library's code and OS error, on every exception that a failed miowin call becomes
    /// (<see cref="MiowSocketException"/>, <see cref="MiowIOException"/>,
    /// <see cref="MiowArgumentException"/>, <see cref="MiowInvalidOperationException"/>,
    /// <see cref="MiowNotSupportedException"/>, <see cref="MiowObjectDisposedException"/>,
    /// <see cref="MiowException"/>).
    /// </summary>
    public interface IMiowError
    {
        /// <summary>The library's error code.</summary>
        MiowErrorCode Code { get; }

        /// <summary>
        /// The OS error behind the failure, as <c>miow_last_os_error()</c> reported it right after
        /// the call: a Win32 or Winsock code on Windows, an <c>errno</c> value elsewhere; 0 if none.
        /// </summary>
        int OsError { get; }
    }

    /// <summary>
    /// A miowin failure that no more specific .NET exception describes: <see cref="MiowErrorCode.OutOfMemory"/>,
    /// <see cref="MiowErrorCode.OsError"/> outside socket and pipe I/O, and codes unknown to this
    /// binding (a newer library).
    /// </summary>
    public class MiowException : Exception, IMiowError
    {
        /// <summary>Creates the exception with a default message and <see cref="MiowErrorCode.OsError"/>.</summary>
        public MiowException() : this(MiowErrorCode.OsError, 0)
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        /// <param name="message">The message.</param>
        public MiowException(string message) : base(message) => Code = MiowErrorCode.OsError;

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        /// <param name="message">The message.</param>
        /// <param name="innerException">The cause.</param>
        public MiowException(string message, Exception innerException) : base(message, innerException) => Code = MiowErrorCode.OsError;

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowException(MiowErrorCode code, int osError) : base(MiowErrors.Message(code, osError))
        {
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }

    /// <summary>
    /// An OS socket failure (refused, reset, aborted, address in use, timed out, ...), as the
    /// <see cref="SocketException"/> .NET's own sockets throw, with the same
    /// <see cref="SocketException.SocketErrorCode"/>; <see cref="Code"/> keeps the library's code.
    /// </summary>
    /// <remarks><see cref="SocketException"/> takes no inner exception, so neither does this type.</remarks>
    public class MiowSocketException : SocketException, IMiowError
    {
        private readonly string _message;

        /// <summary>Creates the exception for <see cref="SocketError.SocketError"/>.</summary>
        public MiowSocketException() : this(MiowErrorCode.OsError, 0)
        {
        }

        /// <summary>Creates the exception with a message, for <see cref="SocketError.SocketError"/>.</summary>
        /// <param name="message">The message.</param>
        public MiowSocketException(string message) : base((int)SocketError.SocketError)
        {
            _message = message;
            Code = MiowErrorCode.OsError;
        }

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowSocketException(MiowErrorCode code, int osError) : base((int)MiowErrors.SocketErrorOf(code))
        {
            _message = MiowErrors.Message(code, osError);
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public override string Message => _message;

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }

    /// <summary>A failure of pipe I/O, or a pipe that is busy or missing, as the <see cref="IOException"/> .NET's own pipes throw.</summary>
    public class MiowIOException : IOException, IMiowError
    {
        /// <summary>Creates the exception with a default message.</summary>
        public MiowIOException() : this(MiowErrorCode.OsError, 0)
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        /// <param name="message">The message.</param>
        public MiowIOException(string message) : base(message) => Code = MiowErrorCode.OsError;

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        /// <param name="message">The message.</param>
        /// <param name="innerException">The cause.</param>
        public MiowIOException(string message, Exception innerException) : base(message, innerException) => Code = MiowErrorCode.OsError;

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowIOException(MiowErrorCode code, int osError) : base(MiowErrors.Message(code, osError))
        {
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }

    /// <summary>An argument the library rejected (<see cref="MiowErrorCode.InvalidArgument"/>): bad interests, an address that is not numeric.</summary>
    public class MiowArgumentException : ArgumentException, IMiowError
    {
        /// <summary>Creates the exception with a default message.</summary>
        public MiowArgumentException() : this(MiowErrorCode.InvalidArgument, 0)
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        /// <param name="message">The message.</param>
        public MiowArgumentException(string message) : base(message) => Code = MiowErrorCode.InvalidArgument;

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        /// <param name="message">The message.</param>
        /// <param name="innerException">The cause.</param>
        public MiowArgumentException(string message, Exception innerException) : base(message, innerException) => Code = MiowErrorCode.InvalidArgument;

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowArgumentException(MiowErrorCode code, int osError) : base(MiowErrors.Message(code, osError))
        {
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }

    /// <summary>
    /// A call in the wrong state: already registered, not registered, registered with another
    /// selector, or a second thread polling (<see cref="MiowErrorCode.AlreadyRegistered"/>,
    /// <see cref="MiowErrorCode.NotRegistered"/>, <see cref="MiowErrorCode.Busy"/>).
    /// </summary>
    public class MiowInvalidOperationException : InvalidOperationException, IMiowError
    {
        /// <summary>Creates the exception with a default message.</summary>
        public MiowInvalidOperationException() : this(MiowErrorCode.NotRegistered, 0)
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        /// <param name="message">The message.</param>
        public MiowInvalidOperationException(string message) : base(message) => Code = MiowErrorCode.NotRegistered;

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        /// <param name="message">The message.</param>
        /// <param name="innerException">The cause.</param>
        public MiowInvalidOperationException(string message, Exception innerException) : base(message, innerException) => Code = MiowErrorCode.NotRegistered;

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowInvalidOperationException(MiowErrorCode code, int osError) : base(MiowErrors.Message(code, osError))
        {
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }

    /// <summary>A call that does not apply to this kind of source or socket (<see cref="MiowErrorCode.NotSupported"/>).</summary>
    public class MiowNotSupportedException : NotSupportedException, IMiowError
    {
        /// <summary>Creates the exception with a default message.</summary>
        public MiowNotSupportedException() : this(MiowErrorCode.NotSupported, 0)
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        /// <param name="message">The message.</param>
        public MiowNotSupportedException(string message) : base(message) => Code = MiowErrorCode.NotSupported;

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        /// <param name="message">The message.</param>
        /// <param name="innerException">The cause.</param>
        public MiowNotSupportedException(string message, Exception innerException) : base(message, innerException) => Code = MiowErrorCode.NotSupported;

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowNotSupportedException(MiowErrorCode code, int osError) : base(MiowErrors.Message(code, osError))
        {
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }

    /// <summary>
    /// A handle that was freed (<see cref="MiowErrorCode.BadHandle"/>), or a selector freed during
    /// the call (<see cref="MiowErrorCode.Closed"/>), when no disposed object of this binding
    /// explains it (those throw a plain <see cref="ObjectDisposedException"/>).
    /// </summary>
    public class MiowObjectDisposedException : ObjectDisposedException, IMiowError
    {
        /// <summary>Creates the exception with a default message.</summary>
        public MiowObjectDisposedException() : this(MiowErrorCode.BadHandle, 0)
        {
        }

        /// <summary>Creates the exception with a message.</summary>
        /// <param name="message">The message.</param>
        public MiowObjectDisposedException(string message) : base(null, message) => Code = MiowErrorCode.BadHandle;

        /// <summary>Creates the exception with a message and the exception that caused it.</summary>
        /// <param name="message">The message.</param>
        /// <param name="innerException">The cause.</param>
        public MiowObjectDisposedException(string message, Exception innerException) : base(message, innerException) => Code = MiowErrorCode.BadHandle;

        /// <summary>Creates the exception for a code and an OS error, with the library's message.</summary>
        /// <param name="code">The library's error code.</param>
        /// <param name="osError">The OS error code, or 0 if none was recorded.</param>
        public MiowObjectDisposedException(MiowErrorCode code, int osError) : base(null, MiowErrors.Message(code, osError))
        {
            Code = code;
            OsError = osError;
        }

        /// <inheritdoc />
        public MiowErrorCode Code { get; }

        /// <inheritdoc />
        public int OsError { get; }
    }
}
