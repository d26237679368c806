"""miowin's error codes as Python exceptions.

Every exception is a :class:`miowin.Error`, itself an :class:`OSError`, so ``except OSError``
catches them all; each also derives from the built-in exception a Python programmer would
reach for first:

============================  =======================  ==============================
miowin code                   exception                also an instance of
============================  =======================  ==============================
``MIOW_EINVAL``               InvalidArgumentError     ValueError
``MIOW_EBADHANDLE``           BadHandleError           ValueError
``MIOW_ENOMEM``               OutOfMemoryError         MemoryError
``MIOW_EEXIST``               AlreadyRegisteredError   KeyError
``MIOW_ENOENT``               NotRegisteredError       KeyError
``MIOW_EBUSY``                BusyError                RuntimeError
``MIOW_ENOTSOCK``             NotSocketError           (OSError only)
``MIOW_ECLOSED``              SelectorClosedError      ValueError
``MIOW_EOS``, would block     WouldBlockError          BlockingIOError
``MIOW_EOS``, anything else   Error                    (OSError only)
============================  =======================  ==============================
"""

import enum
import errno as _errno
import sys

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


def strerror(code):
    """The library's description of a code (``miow_strerror``)."""
    return _native.lib.miow_strerror(int(code)).decode("utf-8", "replace")


def last_os_error():
    """The OS error behind this thread's last failed miowin call (``miow_last_os_error``)."""
    return _native.lib.miow_last_os_error()


class Error(OSError):
    """A failed miowin call.

    ``code`` is the miowin code (a :class:`Code` member, or an int the binding does not know);
    ``os_error`` is the OS error the library recorded for it (an ``errno`` value, or a Win32 /
    Winsock code on Windows, where ``winerror`` holds it too and ``errno`` is Python's
    translation); ``function`` names the C function that failed.
    """

    def __init__(self, code, os_error=0, message=None, function=None):
        try:
            code = Code(code)
        except ValueError:
            pass
        self.code = code
        self.os_error = os_error
        self.function = function
        self._message = message
        text = strerror(code) if message is None else message
        if function:
            text = f"{function}: {text}"
        if isinstance(code, Code):
            text = f"{text} (MIOW_{code.name})"
        if sys.platform == "win32":
            super().__init__(0, text, None, os_error or None)
        else:
            super().__init__(os_error, text)

    def __reduce__(self):
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
    """``MIOW_EOS`` from an OS call that would have blocked (``EAGAIN``, ``EWOULDBLOCK``,
    ``EINPROGRESS``, ``EALREADY``, or their Winsock equivalents)."""


_BY_CODE = {
    Code.EINVAL: InvalidArgumentError,
    Code.EBADHANDLE: BadHandleError,
    Code.ENOMEM: OutOfMemoryError,
    Code.EEXIST: AlreadyRegisteredError,
    Code.ENOENT: NotRegisteredError,
    Code.EBUSY: BusyError,
    Code.ENOTSOCK: NotSocketError,
    Code.ECLOSED: SelectorClosedError,
}

_WOULD_BLOCK = {_errno.EAGAIN, _errno.EWOULDBLOCK, _errno.EINPROGRESS, _errno.EALREADY}


def _python_errno(os_error):
    if sys.platform == "win32":
        return OSError(0, "", None, os_error).errno if os_error else 0
    return os_error


def error_class(code, os_error):
    """The exception class for a code and the OS error recorded with it."""
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls
    if code == Code.EOS and _python_errno(os_error) in _WOULD_BLOCK:
        return WouldBlockError
    return Error


def make_error(code, function=None, os_error=None):
    """Builds the exception for a failed call; reads the thread's OS error unless given."""
    if os_error is None:
        os_error = last_os_error()
    return error_class(code, os_error)(code, os_error, None, function)
