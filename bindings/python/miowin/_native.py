"""The C ABI of miowin as ctypes sees it: the event record, the constants, and one prototype per
export of ``def/miowin.def``, with exact argument and result types.

Everything here is a thin mirror of ``include/miow/*.h``; nothing converts results or raises
on error codes. The objects in :mod:`miowin._objects` are built on it.

    lib.miow_selector_new(ctypes.byref(handle)) -> int32 (0 or a negative MIOW_E* code)
"""

from __future__ import annotations

import ctypes
import platform
import sys
from typing import FrozenSet
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_size_t, c_uint32, c_uint64, c_void_p

from . import _loader, _version

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
MIOW_EWOULDBLOCK = -10
MIOW_ECONNREFUSED = -11
MIOW_ECONNRESET = -12
MIOW_ECONNABORTED = -13
MIOW_ENOTCONN = -14
MIOW_EADDRINUSE = -15
MIOW_EADDRNOTAVAIL = -16
MIOW_EMSGSIZE = -17
MIOW_ESHUTDOWN = -18
MIOW_ETIMEDOUT = -19
MIOW_ENOTSUP = -20
MIOW_EPIPE = -21
MIOW_EPIPEBUSY = -22
MIOW_ENOTFOUND = -23

# --- io.h and net.h ---------------------------------------------------------------------------

#: Bytes that hold any address the library writes, with its NUL.
MIOW_ADDRESS_SIZE = 64
#: The most buffers one vectored call takes.
MIOW_BUFFERS_MAX = 1024

MIOW_SHUT_READ = 1
MIOW_SHUT_WRITE = 2
MIOW_SHUT_BOTH = 3

MIOW_OPT_NODELAY = 1
MIOW_OPT_TTL = 2
MIOW_OPT_BROADCAST = 3
MIOW_OPT_MULTICAST_LOOP_V4 = 4
MIOW_OPT_MULTICAST_TTL_V4 = 5
MIOW_OPT_MULTICAST_LOOP_V6 = 6
MIOW_OPT_ONLY_V6 = 7

# --- pipe.h -----------------------------------------------------------------------------------

#: The read buffer and pipe buffer size miow_pipe_create() uses when given 0.
#: net.h, 1.2: the creation flag of miow_tcp_listen_ex() and miow_udp_bind_ex().
MIOW_NET_DUAL_STACK = 0x1
#: pipe.h, 1.2: miow_pipe_create_ex()'s flag, and its limit of instances per name.
MIOW_PIPE_FIRST_INSTANCE = 0x1
MIOW_PIPE_INSTANCES_MAX = 254
MIOW_PIPE_BUFFER_SIZE = 4096
#: The most bytes one write call takes on a pipe.
MIOW_PIPE_WRITE_MAX = 1024 * 1024


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


class Buffer(ctypes.Structure):
    """``miow_buffer``: one buffer of a vectored read or write,
    ``{void *data; uint64_t length;}``."""

    _fields_ = [("data", c_void_p), ("length", c_uint64)]


# Pointer then a 64-bit length: 16 bytes wherever a pointer is 8 bytes, and the length at 8.
if ctypes.sizeof(c_void_p) == 8 and (ctypes.sizeof(Buffer) != 16 or Buffer.length.offset != 8):
    raise ImportError("miowin: ctypes lays out miow_buffer differently from the C ABI (16 bytes)")


class EpollEvent(ctypes.Structure):
    """``struct epoll_event`` of ``miow/epoll.h``, the wepoll-compatible layer: the layout the
    platform's own epoll uses, packed to 12 bytes on Linux x86-64 and 16 bytes on Windows."""

    _pack_ = 4 if sys.platform.startswith("linux") and platform.machine() in ("x86_64", "i686") else 8
    _fields_ = [("events", c_uint32), ("data", c_uint64)]


#: ``miow_socket_t`` is ``uintptr_t``: a SOCKET on Windows, a file descriptor elsewhere.
c_socket = {8: c_uint64, 4: c_uint32}[ctypes.sizeof(c_void_p)]

_handle_out = POINTER(c_void_p)

#: name -> (restype, argtypes), in the order of def/miowin.def (ordinals 1..50). The miow_epoll_*
#: calls are the C-source-compatible wepoll layer; they are bound for completeness (a Python
#: program wants miowin.selectors instead). ``void *`` buffers are ``c_void_p``; ``char *``,
#: both the address text passed in and the buffers addresses are written to, is ``c_char_p``
#: (ctypes passes a ``create_string_buffer`` for it as is).
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
    # net.h: sockets the library creates.
    "miow_tcp_listen": (c_int32, (_handle_out, c_char_p, c_int32)),
    "miow_tcp_connect": (c_int32, (_handle_out, c_char_p)),
    "miow_tcp_accept": (c_int32, (c_void_p, _handle_out, c_char_p, c_size_t)),
    "miow_udp_bind": (c_int32, (_handle_out, c_char_p)),
    "miow_udp_connect": (c_int32, (c_void_p, c_char_p)),
    "miow_udp_recv_from": (
        c_int32,
        (c_void_p, c_void_p, c_size_t, POINTER(c_size_t), c_char_p, c_size_t),
    ),
    "miow_udp_peek_from": (
        c_int32,
        (c_void_p, c_void_p, c_size_t, POINTER(c_size_t), c_char_p, c_size_t),
    ),
    "miow_udp_send_to": (
        c_int32,
        (c_void_p, c_void_p, c_size_t, c_char_p, POINTER(c_size_t)),
    ),
    "miow_udp_join_multicast_v4": (c_int32, (c_void_p, c_char_p, c_char_p)),
    "miow_udp_leave_multicast_v4": (c_int32, (c_void_p, c_char_p, c_char_p)),
    "miow_udp_join_multicast_v6": (c_int32, (c_void_p, c_char_p, c_uint32)),
    "miow_udp_leave_multicast_v6": (c_int32, (c_void_p, c_char_p, c_uint32)),
    # io.h: reads and writes that re-arm an edge registration on would-block.
    "miow_source_read": (c_int32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t))),
    "miow_source_peek": (c_int32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t))),
    "miow_source_write": (c_int32, (c_void_p, c_void_p, c_size_t, POINTER(c_size_t))),
    "miow_source_readv": (c_int32, (c_void_p, POINTER(Buffer), c_size_t, POINTER(c_size_t))),
    "miow_source_writev": (c_int32, (c_void_p, POINTER(Buffer), c_size_t, POINTER(c_size_t))),
    # net.h: socket control.
    "miow_source_shutdown": (c_int32, (c_void_p, c_int32)),
    "miow_source_take_error": (c_int32, (c_void_p, POINTER(c_int32), POINTER(c_int32))),
    "miow_source_local_address": (c_int32, (c_void_p, c_char_p, c_size_t)),
    "miow_source_peer_address": (c_int32, (c_void_p, c_char_p, c_size_t)),
    "miow_source_set_option": (c_int32, (c_void_p, c_int32, c_int32)),
    "miow_source_get_option": (c_int32, (c_void_p, c_int32, POINTER(c_int32))),
    "miow_source_socket": (c_int32, (c_void_p, POINTER(c_socket))),
    # pipe.h: named pipes; their I/O is the io.h calls above.
    "miow_pipe_create": (c_int32, (_handle_out, c_char_p, c_uint32)),
    "miow_pipe_open": (c_int32, (_handle_out, c_char_p)),
    "miow_pipe_connect": (c_int32, (c_void_p,)),
    "miow_pipe_disconnect": (c_int32, (c_void_p,)),
}


#: Exports that a library of this ABI major may lack (they came in a later minor version). Each
#: is bound when the loaded library has it; :func:`has_export` tells which are there.
OPTIONAL_PROTOTYPES = {
    # source.h, 1.2: a source for any pollable descriptor (Linux) or waitable handle (Windows).
    "miow_source_new_waitable": (c_int32, (_handle_out, c_socket)),
    # net.h and pipe.h, 1.2: dual-stack sockets, pipe instances, adoption and release.
    "miow_tcp_listen_ex": (c_int32, (_handle_out, c_char_p, c_int32, c_uint32)),
    "miow_udp_bind_ex": (c_int32, (_handle_out, c_char_p, c_uint32)),
    "miow_pipe_create_ex": (c_int32, (_handle_out, c_char_p, c_uint32, c_uint32, c_uint32)),
    "miow_source_adopt_socket": (c_int32, (_handle_out, c_socket)),
    "miow_pipe_adopt": (c_int32, (_handle_out, c_socket)),
    "miow_source_release": (c_int32, (c_void_p, POINTER(c_socket))),
}


def _bind(lib: ctypes.CDLL, path: str) -> FrozenSet[str]:
    for name, (restype, argtypes) in PROTOTYPES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise _loader.LibraryError(f"{path} does not export {name}") from None
        fn.restype = restype
        fn.argtypes = argtypes
    present = set()
    for name, (restype, argtypes) in OPTIONAL_PROTOTYPES.items():
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = restype
            fn.argtypes = argtypes
            present.add(name)
    return frozenset(present)


lib, library_path, library_origin = _loader.load()
_optional_exports = _bind(lib, library_path)


def has_export(name: str) -> bool:
    """Whether the loaded library exports ``name``, one of :data:`OPTIONAL_PROTOTYPES`."""
    return name in _optional_exports

ABI_MAJOR = _version.ABI_MAJOR
