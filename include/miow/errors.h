/**
 * @file miow/errors.h
 * @brief Error codes, their descriptions, and the OS error behind the last failure.
 */
#ifndef MIOW_ERRORS_H
#define MIOW_ERRORS_H

#include "common.h"

/**
 * @defgroup miow_errors Errors
 * @brief Every function returns 0 on success or one of these negative codes.
 *
 * A code never changes meaning once released; new codes are only appended. On every failure the
 * library also records an OS error code for the calling thread: the Win32 or Winsock code that
 * caused it, or for a failure the library detected itself, the closest Win32 code (listed with
 * each constant). It is readable with miow_last_os_error() and is also stored as the thread's
 * last error (`SetLastError`, or `errno` off Windows), so that ctypes `use_last_error=True` and
 * .NET `SetLastError = true` see it.
 * @{
 */

/** Success. */
#define MIOW_OK 0
/** An argument is invalid: a NULL out-parameter, a bad interest set, capacity 0 and the like
 *  (OS code `ERROR_INVALID_PARAMETER`). */
#define MIOW_EINVAL (-1)
/** A handle is NULL, freed, of the wrong kind or made up (OS code `ERROR_INVALID_HANDLE`). */
#define MIOW_EBADHANDLE (-2)
/** Out of memory (OS code `ERROR_NOT_ENOUGH_MEMORY`). */
#define MIOW_ENOMEM (-3)
/** The source is already registered (OS code `ERROR_ALREADY_EXISTS`). */
#define MIOW_EEXIST (-4)
/** The source is not registered with that selector (OS code `ERROR_NOT_FOUND`). */
#define MIOW_ENOENT (-5)
/** Another thread is already polling this selector (OS code `ERROR_BUSY`). */
#define MIOW_EBUSY (-6)
/** The value given as a socket is not a socket (OS code `WSAENOTSOCK`, or the Winsock error
 *  that revealed it). */
#define MIOW_ENOTSOCK (-7)
/** The selector was freed while the call was using it, or, for a pipe's I/O, before it (see
 *  @ref miow_pipe) (OS code `ERROR_OPERATION_ABORTED`). */
#define MIOW_ECLOSED (-8)
/** An OS call failed; miow_last_os_error() tells which error it returned. */
#define MIOW_EOS (-9)
/** The operation would block: nothing to read yet, the send buffer is full, no connection is
 *  waiting. The source is re-armed; wait for its next event (OS code `WSAEWOULDBLOCK`). */
#define MIOW_EWOULDBLOCK (-10)
/** The peer refused the connection (OS code `WSAECONNREFUSED`). */
#define MIOW_ECONNREFUSED (-11)
/** The peer reset the connection (OS code `WSAECONNRESET`). */
#define MIOW_ECONNRESET (-12)
/** The connection was aborted on this side (OS code `WSAECONNABORTED`). */
#define MIOW_ECONNABORTED (-13)
/** The socket is not connected (OS code `WSAENOTCONN`). */
#define MIOW_ENOTCONN (-14)
/** The address is already in use (OS code `WSAEADDRINUSE`). */
#define MIOW_EADDRINUSE (-15)
/** The address is not available on this machine (OS code `WSAEADDRNOTAVAIL`). */
#define MIOW_EADDRNOTAVAIL (-16)
/** The datagram is larger than the buffer or than the protocol allows (OS code
 *  `WSAEMSGSIZE`). */
#define MIOW_EMSGSIZE (-17)
/** That direction of the socket was shut down (OS code `WSAESHUTDOWN`). */
#define MIOW_ESHUTDOWN (-18)
/** The operation or connection timed out (OS code `WSAETIMEDOUT`). */
#define MIOW_ETIMEDOUT (-19)
/** The call does not apply to this kind of source: UDP calls on a TCP source, I/O on a
 *  listener, or a library call on a socket the caller owns (OS code `ERROR_NOT_SUPPORTED`). */
#define MIOW_ENOTSUP (-20)
/** The other end is gone: a write on a connection the peer closed or reset (OS code
 *  `ERROR_BROKEN_PIPE`, or `EPIPE` off Windows). */
#define MIOW_EPIPE (-21)
/** Every instance of the named pipe is busy serving another client; try again later (OS code
 *  `ERROR_PIPE_BUSY`). */
#define MIOW_EPIPEBUSY (-22)
/** No named pipe of that name exists (OS code `ERROR_FILE_NOT_FOUND`; on Linux the `errno` of
 *  the failed connect, `ECONNREFUSED`). */
#define MIOW_ENOTFOUND (-23)

MIOW_BEGIN_DECLS

/**
 * @brief A short English description of an error code.
 * @param code A value returned by a miowin function.
 * @return A static NUL-terminated string; "unknown error" for a code the library does not define.
 *         Never NULL.
 */
MIOW_EXTERN const char *MIOW_CALL miow_strerror(int32_t code);

/**
 * @brief The OS error code behind the calling thread's most recent failed miowin call.
 *
 * Successful calls leave it unchanged. It is per thread.
 * @return A Win32 or Winsock error code (an `errno` value off Windows), or 0 if no call on
 *         this thread has failed yet.
 */
MIOW_EXTERN int32_t MIOW_CALL miow_last_os_error(void);

MIOW_END_DECLS

/** @} */

#endif
