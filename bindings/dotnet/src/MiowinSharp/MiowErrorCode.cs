// The library's negative MIOW_E* result codes as an enum.
namespace Miowin
{
    /// <summary>
    /// The error codes of miowin (the C <c>MIOW_E*</c> constants). A code never changes meaning;
    /// new codes are only appended, so a value outside this list can still arrive from a newer
    /// library.
    /// </summary>
    public enum MiowErrorCode
    {
        /// <summary>An argument is invalid: a bad interest or readiness set and the like (<c>MIOW_EINVAL</c>).</summary>
        InvalidArgument = -1,

        /// <summary>A handle is freed, of the wrong kind or made up (<c>MIOW_EBADHANDLE</c>).</summary>
        BadHandle = -2,

        /// <summary>Out of memory, or the handle table is full (<c>MIOW_ENOMEM</c>).</summary>
        OutOfMemory = -3,

        /// <summary>The source is already registered, with any selector (<c>MIOW_EEXIST</c>).</summary>
        AlreadyRegistered = -4,

        /// <summary>The source is not registered with that selector (<c>MIOW_ENOENT</c>).</summary>
        NotRegistered = -5,

        /// <summary>Another thread is already polling this selector (<c>MIOW_EBUSY</c>).</summary>
        Busy = -6,

        /// <summary>The value given as a socket is not (or no longer) a socket (<c>MIOW_ENOTSOCK</c>).</summary>
        NotSocket = -7,

        /// <summary>The selector was freed while the call was using it (<c>MIOW_ECLOSED</c>).</summary>
        Closed = -8,

        /// <summary>An OS call failed; <see cref="MiowException.OsError"/> says which error it returned (<c>MIOW_EOS</c>).</summary>
        OsError = -9,

        /// <summary>
        /// The operation would block: nothing to read yet, the send buffer is full, no connection is
        /// waiting (<c>MIOW_EWOULDBLOCK</c>). The socket types return <c>false</c> from their
        /// <c>Try</c> methods for it rather than throwing.
        /// </summary>
        WouldBlock = -10,

        /// <summary>The peer refused the connection (<c>MIOW_ECONNREFUSED</c>).</summary>
        ConnectionRefused = -11,

        /// <summary>The peer reset the connection (<c>MIOW_ECONNRESET</c>).</summary>
        ConnectionReset = -12,

        /// <summary>The connection was aborted on this side (<c>MIOW_ECONNABORTED</c>).</summary>
        ConnectionAborted = -13,

        /// <summary>The socket is not connected (<c>MIOW_ENOTCONN</c>).</summary>
        NotConnected = -14,

        /// <summary>The address is already in use (<c>MIOW_EADDRINUSE</c>).</summary>
        AddressInUse = -15,

        /// <summary>The address is not available on this machine (<c>MIOW_EADDRNOTAVAIL</c>).</summary>
        AddressNotAvailable = -16,

        /// <summary>The datagram is larger than the buffer or than UDP allows (<c>MIOW_EMSGSIZE</c>).</summary>
        MessageSize = -17,

        /// <summary>That direction of the socket was shut down (<c>MIOW_ESHUTDOWN</c>).</summary>
        Shutdown = -18,

        /// <summary>The operation or connection timed out (<c>MIOW_ETIMEDOUT</c>).</summary>
        TimedOut = -19,

        /// <summary>
        /// The call does not apply to this kind of source: a UDP call on a TCP stream, I/O on a
        /// listener, an option of another kind of socket, a library call on a socket the caller owns
        /// (<c>MIOW_ENOTSUP</c>).
        /// </summary>
        NotSupported = -20,

        /// <summary>A write on a connection or pipe the peer closed or reset (<c>MIOW_EPIPE</c>).</summary>
        BrokenPipe = -21,

        /// <summary>
        /// The named pipe exists but is serving another client, or is between two
        /// (<c>MIOW_EPIPEBUSY</c>): open it again later. No event announces when it is free.
        /// </summary>
        PipeBusy = -22,

        /// <summary>No named pipe of that name exists (<c>MIOW_ENOTFOUND</c>).</summary>
        PipeNotFound = -23,
    }
}
