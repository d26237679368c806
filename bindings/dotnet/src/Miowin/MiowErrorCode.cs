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
    }
}
