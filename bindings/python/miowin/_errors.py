"""miowin's error codes as Python exceptions.

Every exception is a :class:`miowin.Error`, itself an :class:`OSError`, so ``except OSError``
catches them all; each also derives from the built-in exception a Python programmer would
reach for first:

================================  ========================  ================================
miowin code                       exception                 also an instance of
================================  ========================  ================================
``MIOW_EINVAL``                   InvalidArgumentError      ValueError
``MIOW_EBADHANDLE``               BadHandleError            ValueError
``MIOW_ENOMEM``                   OutOfMemoryError          MemoryError
``MIOW_EEXIST``                   AlreadyRegisteredError    KeyError
``MIOW_ENOENT``                   NotRegisteredError        KeyError
``MIOW_EBUSY``                    BusyError                 RuntimeError
``MIOW_ENOTSOCK``                 NotSocketError            (OSError only)
``MIOW_ECLOSED``                  SelectorClosedError       ValueError
``MIOW_EWOULDBLOCK``              WouldBlockError           BlockingIOError
``MIOW_EOS``, would block         WouldBlockError           BlockingIOError
``MIOW_EOS``, anything else       Error                     (OSError only)
``MIOW_ECONNREFUSED``             RefusedError              ConnectionRefusedError
``MIOW_ECONNRESET``               ResetError                ConnectionResetError
``MIOW_ECONNABORTED``             AbortedError              ConnectionAbortedError
``MIOW_ENOTCONN``                 NotConnectedError         (OSError only)
``MIOW_EADDRINUSE``               AddressInUseError         (OSError only)
``MIOW_EADDRNOTAVAIL``            AddressNotAvailableError  (OSError only)
``MIOW_EMSGSIZE``                 MessageTooLargeError      (OSError only)
``MIOW_ESHUTDOWN``                ShutdownError             BrokenPipeError
``MIOW_ETIMEDOUT``                TimedOutError             TimeoutError
``MIOW_ENOTSUP``                  NotSupportedError         io.UnsupportedOperation
``MIOW_EPIPE``                    PeerClosedError           BrokenPipeError
``MIOW_EPIPEBUSY``                PipeBusyError             (OSError only)
``MIOW_ENOTFOUND``                PipeNotFoundError         FileNotFoundError
================================  ========================  ================================

The built-in classes are the ones Python's own sockets raise for the same OS errors
(``ESHUTDOWN`` is a ``BrokenPipeError`` there too), so ``except ConnectionResetError`` or
``except BlockingIOError`` catches a socket's and a miowin call's failure alike. The miowin
classes are named apart from the built-ins on purpose: ``from miowin import *`` must not shadow
``ConnectionRefusedError`` with a narrower class.
"""

from __future__ import annotations

import enum
import errno as _errno
import io
import sys
from typing import Any, Dict, Optional, Tuple, Type, Union

from . import _native


class Code(enum.IntEnum):
    """The ``MIOW_E*`` result codes of include/miow/errors.h."""

    OK = _native.MIOW_OK
    EINVAL = _native.MIOW_EINVAL
    EBADHANDLE = _native.MIOW_EBADHANDLE
    ENOMEM = _native.MIOW_ENOMEM
    EEXIST = _native.MIOW_EEXIST
    ENOENT = _native.MIOW_ENOENT
    EBUSY = _native.MIOW_EBUSY
    ENOTSOCK = _native.MIOW_ENOTSOCK
    ECLOSED = _native.MIOW_ECLOSED
    EOS = _native.MIOW_EOS
    EWOULDBLOCK = _native.MIOW_EWOULDBLOCK
    ECONNREFUSED = _native.MIOW_ECONNREFUSED
    ECONNRESET = _native.MIOW_ECONNRESET
    ECONNABORTED = _native.MIOW_ECONNABORTED
    ENOTCONN = _native.MIOW_ENOTCONN
    EADDRINUSE = _native.MIOW_EADDRINUSE
    EADDRNOTAVAIL = _native.MIOW_EADDRNOTAVAIL
    EMSGSIZE = _native.MIOW_EMSGSIZE
    ESHUTDOWN = _native.MIOW_ESHUTDOWN
    ETIMEDOUT = _native.MIOW_ETIMEDOUT
    ENOTSUP = _native.MIOW_ENOTSUP
    EPIPE = _native.MIOW_EPIPE
    EPIPEBUSY = _native.MIOW_EPIPEBUSY
    ENOTFOUND = _native.MIOW_ENOTFOUND


def strerror(code: int) -> str:
    """The library's description of a code (``miow_strerror``)."""
    text: bytes = _native.lib.miow_strerror(int(code))
    return text.decode("utf-8", "replace")


def last_os_error() -> int:
    """The OS error behind this thread's last failed miowin call (``miow_last_os_error``)."""
    code: int = _native.lib.miow_last_os_error()
    return code


class Error(OSError):
    """A failed miowin call.

    ``code`` is the miowin code (a :class:`Code` member, or an int the binding does not know);
    ``os_error`` is the OS error the library recorded for it (an ``errno`` value, or a Win32 /
    Winsock code on Windows, where ``winerror`` holds it too and ``errno`` is Python's
    translation); ``function`` names the C function that failed.
    """

    code: Union[Code, int]
    os_error: int
    function: Optional[str]

    def __init__(
        self,
        code: int,
        os_error: int = 0,
        message: Optional[str] = None,
        function: Optional[str] = None,
    ) -> None:
        try:
            self.code = Code(code)
        except ValueError:
            self.code = code
        self.os_error = os_error
        self.function = function
        self._message = message
        code = self.code
        text = strerror(code) if message is None else message
        if function:
            text = f"{function}: {text}"
        if isinstance(code, Code):
            text = f"{text} (MIOW_{code.name})"
        if sys.platform == "win32":
            super().__init__(0, text, None, os_error or None)
        else:
            super().__init__(os_error, text)

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (int(self.code), self.os_error, self._message, self.function))


class InvalidArgumentError(Error, ValueError):
    """``MIOW_EINVAL``: a bad interest set, readiness, capacity or timeout."""


class BadHandleError(Error, ValueError):
    """``MIOW_EBADHANDLE``: the object was closed already (or the handle is not one)."""


class OutOfMemoryError(Error, MemoryError):
    """``MIOW_ENOMEM``: out of memory, or the library's handle table is full."""


class AlreadyRegisteredError(Error, KeyError):
    """``MIOW_EEXIST``: the source is registered already (with this selector or another)."""


class NotRegisteredError(Error, KeyError):
    """``MIOW_ENOENT``: the source is not registered with that selector, or its socket was
    closed and the library dropped the registration."""


class BusyError(Error, RuntimeError):
    """``MIOW_EBUSY``: another thread is polling this selector."""


class NotSocketError(Error):
    """``MIOW_ENOTSOCK``: the value is not an open socket (``errno`` says why: ``ENOTSOCK`` for
    a file or pipe, ``EBADF`` for a closed descriptor)."""


class SelectorClosedError(Error, ValueError):
    """``MIOW_ECLOSED``: the selector was closed while the call was using it."""


class WouldBlockError(Error, BlockingIOError):
    """``MIOW_EWOULDBLOCK``: nothing to read yet, the send buffer is full, no connection is
    waiting; the library re-armed the source, so wait for its next event. Also ``MIOW_EOS``
    from an OS call that would have blocked (``EAGAIN``, ``EWOULDBLOCK``, ``EINPROGRESS``,
    ``EALREADY``, or their Winsock equivalents)."""


class RefusedError(Error, ConnectionRefusedError):
    """``MIOW_ECONNREFUSED``: the peer refused the connection."""


class ResetError(Error, ConnectionResetError):
    """``MIOW_ECONNRESET``: the peer reset the connection."""


class AbortedError(Error, ConnectionAbortedError):
    """``MIOW_ECONNABORTED``: the connection was aborted on this side (or reset before it was
    accepted)."""


class NotConnectedError(Error):
    """``MIOW_ENOTCONN``: the socket is not connected (a connect still in progress or failed,
    a UDP socket without a default peer)."""


class AddressInUseError(Error):
    """``MIOW_EADDRINUSE``: another socket is bound to the address."""


class AddressNotAvailableError(Error):
    """``MIOW_EADDRNOTAVAIL``: the address is not one of this machine's, or cannot be
    connected to."""


class MessageTooLargeError(Error):
    """``MIOW_EMSGSIZE``: the datagram is larger than the buffer, or than UDP allows."""


class ShutdownError(Error, BrokenPipeError):
    """``MIOW_ESHUTDOWN``: that direction of the socket was shut down."""


class TimedOutError(Error, TimeoutError):
    """``MIOW_ETIMEDOUT``: the connection timed out."""


class NotSupportedError(Error, io.UnsupportedOperation):
    """``MIOW_ENOTSUP``: the call does not apply to this kind of source (a UDP call on a TCP
    stream, I/O on a listener, an option of another kind of socket, a library call on a socket
    the caller owns)."""


class PeerClosedError(Error, BrokenPipeError):
    """``MIOW_EPIPE``: a write on a connection or pipe the peer closed or reset."""


class PipeBusyError(Error):
    """``MIOW_EPIPEBUSY``: the named pipe exists but is serving another client (or is between
    two); open it again later. Not a :class:`BlockingIOError`: no event will announce that it
    is free."""


class PipeNotFoundError(Error, FileNotFoundError):
    """``MIOW_ENOTFOUND``: no named pipe of that name exists (``open()`` of a missing file
    raises :class:`FileNotFoundError` too)."""


_BY_CODE: Dict[int, Type[Error]] = {
    Code.EINVAL: InvalidArgumentError,
    Code.EBADHANDLE: BadHandleError,
    Code.ENOMEM: OutOfMemoryError,
    Code.EEXIST: AlreadyRegisteredError,
    Code.ENOENT: NotRegisteredError,
    Code.EBUSY: BusyError,
    Code.ENOTSOCK: NotSocketError,
    Code.ECLOSED: SelectorClosedError,
    Code.EWOULDBLOCK: WouldBlockError,
    Code.ECONNREFUSED: RefusedError,
    Code.ECONNRESET: ResetError,
    Code.ECONNABORTED: AbortedError,
    Code.ENOTCONN: NotConnectedError,
    Code.EADDRINUSE: AddressInUseError,
    Code.EADDRNOTAVAIL: AddressNotAvailableError,
    Code.EMSGSIZE: MessageTooLargeError,
    Code.ESHUTDOWN: ShutdownError,
    Code.ETIMEDOUT: TimedOutError,
    Code.ENOTSUP: NotSupportedError,
    Code.EPIPE: PeerClosedError,
    Code.EPIPEBUSY: PipeBusyError,
    Code.ENOTFOUND: PipeNotFoundError,
}

_WOULD_BLOCK = {_errno.EAGAIN, _errno.EWOULDBLOCK, _errno.EINPROGRESS, _errno.EALREADY}


def _python_errno(os_error: int) -> int:
    if sys.platform == "win32":
        return OSError(0, "", None, os_error).errno if os_error else 0
    return os_error


def error_class(code: int, os_error: int) -> Type[Error]:
    """The exception class for a code and the OS error recorded with it."""
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls
    if code == Code.EOS and _python_errno(os_error) in _WOULD_BLOCK:
        return WouldBlockError
    return Error


def make_error(code: int, function: Optional[str] = None, os_error: Optional[int] = None) -> Error:
    """Builds the exception for a failed call; reads the thread's OS error unless given."""
    if os_error is None:
        os_error = last_os_error()
    return error_class(code, os_error)(code, os_error, None, function)
