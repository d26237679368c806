"""The C ABI of miowin as ctypes sees it: the event record, the constants, and one prototype per
export of ``def/miowin.def``, with exact argument and result types.

Everything here is a thin mirror of ``include/miow/*.h``; nothing converts results or raises
on error codes. The objects in :mod:`miowin._objects` are built on it.

    lib.miow_selector_new(ctypes.byref(handle)) -> int32 (0 or a negative MIOW_E* code)
"""

import ctypes
import platform
import sys
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

from . import _loader

# --- event.h: interests, readiness, modes ------------------------------------------------------

READABLE = 0x01
WRITABLE = 0x02
PRIORITY = 0x04
ERROR = 0x08
READ_CLOSED = 0x10
WRITE_CLOSED = 0x20
EDGE = 0x100
ONESHOT = 0x200

# --- errors.h ---------------------------------------------------------------------------------

MIOW_OK = 0
MIOW_EINVAL = -1
MIOW_EBADHANDLE = -2
MIOW_ENOMEM = -3
MIOW_EEXIST = -4
MIOW_ENOENT = -5
MIOW_EBUSY = -6
MIOW_ENOTSOCK = -7
MIOW_ECLOSED = -8
MIOW_EOS = -9


class Event(ctypes.Structure):
    """``miow_event``: 16 bytes, token at 0, readiness at 8, reserved at 12."""

    _fields_ = [
        ("token", c_uint64),
        ("readiness", c_uint32),
        ("reserved", c_uint32),
    ]


# The layout is part of the ABI; refuse to run with a ctypes that lays it out differently.
if (
    ctypes.sizeof(Event) != 16
    or Event.token.offset != 0
    or Event.readiness.offset != 8
    or Event.reserved.offset != 12
):
    raise ImportError("miowin: ctypes lays out miow_event differently from the C ABI (16 bytes)")

class EpollEvent(ctypes.Structure):
    """``struct epoll_event`` of ``miow/epoll.h``, the wepoll-compatible layer: the layout the
    platform's own epoll uses, packed to 12 bytes on Linux x86-64 and 16 bytes on Windows."""

    _pack_ = 4 if sys.platform.startswith("linux") and platform.machine() in ("x86_64", "i686") else 8
    _fields_ = [("events", c_uint32), ("data", c_uint64)]


#: ``miow_socket_t`` is ``uintptr_t``: a SOCKET on Windows, a file descriptor elsewhere.
c_socket = {8: c_uint64, 4: c_uint32}[ctypes.sizeof(c_void_p)]

_handle_out = POINTER(c_void_p)

#: name -> (restype, argtypes), in the order of def/miowin.def (ordinals 1..22). The miow_epoll_*
#: calls are the C-source-compatible wepoll layer; they are bound for completeness (a Python
#: program wants miowin.selectors instead).
PROTOTYPES = {
    "miow_version": (c_uint32, ()),
    "miow_version_string": (c_char_p, ()),
    "miow_strerror": (c_char_p, (c_int32,)),
    "miow_last_os_error": (c_int32, ()),
    "miow_selector_new": (c_int32, (_handle_out,)),
    "miow_selector_free": (c_int32, (c_void_p,)),
    "miow_selector_poll": (
        c_int32,
        (c_void_p, POINTER(Event), c_size_t, POINTER(c_size_t), c_int64),
    ),
    "miow_selector_post": (c_int32, (c_void_p, c_uint64, c_uint32)),
    "miow_source_new": (c_int32, (_handle_out, c_socket)),
    "miow_source_free": (c_int32, (c_void_p,)),
    "miow_source_register": (c_int32, (c_void_p, c_void_p, c_uint64, c_uint32)),
    "miow_source_reregister": (c_int32, (c_void_p, c_void_p, c_uint64, c_uint32)),
    "miow_source_deregister": (c_int32, (c_void_p, c_void_p)),
    "miow_source_rearm": (c_int32, (c_void_p,)),
    "miow_waker_new": (c_int32, (c_void_p, c_uint64, _handle_out)),
    "miow_waker_wake": (c_int32, (c_void_p,)),
    "miow_waker_free": (c_int32, (c_void_p,)),
    "miow_epoll_create": (c_void_p, (c_int32,)),
    "miow_epoll_create1": (c_void_p, (c_int32,)),
    "miow_epoll_close": (c_int32, (c_void_p,)),
    "miow_epoll_ctl": (c_int32, (c_void_p, c_int32, c_socket, POINTER(EpollEvent))),
    "miow_epoll_wait": (c_int32, (c_void_p, POINTER(EpollEvent), c_int32, c_int32)),
}


def _bind(lib, path):
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise _loader.LibraryError(f"{path} does not export {name}") from None
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib, library_path, library_origin = _loader.load()
_bind(lib, library_path)

ABI_MAJOR = _loader.ABI_MAJOR
