"""The ctypes layer: every export of def/miowin.def bound with the C types of the headers, the
event record's layout, and raw calls returning the documented codes."""

import ctypes
import errno
import os
import re
import socket
import sys

import pytest

import miowin
from miowin import _native
from conftest import REPO

lib = _native.lib

DEF_FILE = os.path.join(REPO, "def", "miowin.def")

# What include/miow/*.h declares, spelled independently of _native.PROTOTYPES.
EXPECTED = {
    "miow_version": ("uint32", []),
    "miow_version_string": ("char*", []),
    "miow_strerror": ("char*", ["int32"]),
    "miow_last_os_error": ("int32", []),
    "miow_selector_new": ("int32", ["handle*"]),
    "miow_selector_free": ("int32", ["handle"]),
    "miow_selector_poll": ("int32", ["handle", "event*", "size", "size*", "int64"]),
    "miow_selector_post": ("int32", ["handle", "uint64", "uint32"]),
    "miow_source_new": ("int32", ["handle*", "uintptr"]),
    "miow_source_free": ("int32", ["handle"]),
    "miow_source_register": ("int32", ["handle", "handle", "uint64", "uint32"]),
    "miow_source_reregister": ("int32", ["handle", "handle", "uint64", "uint32"]),
    "miow_source_deregister": ("int32", ["handle", "handle"]),
    "miow_source_rearm": ("int32", ["handle"]),
    "miow_waker_new": ("int32", ["handle", "uint64", "handle*"]),
    "miow_waker_wake": ("int32", ["handle"]),
    "miow_waker_free": ("int32", ["handle"]),
    "miow_epoll_create": ("handle", ["int32"]),
    "miow_epoll_create1": ("handle", ["int32"]),
    "miow_epoll_close": ("int32", ["handle"]),
    "miow_epoll_ctl": ("int32", ["handle", "int32", "uintptr", "epoll_event*"]),
    "miow_epoll_wait": ("int32", ["handle", "epoll_event*", "int32", "int32"]),
    "miow_tcp_listen": ("int32", ["handle*", "char*", "int32"]),
    "miow_tcp_connect": ("int32", ["handle*", "char*"]),
    "miow_tcp_accept": ("int32", ["handle", "handle*", "char*", "size"]),
    "miow_udp_bind": ("int32", ["handle*", "char*"]),
    "miow_udp_connect": ("int32", ["handle", "char*"]),
    "miow_udp_recv_from": ("int32", ["handle", "void*", "size", "size*", "char*", "size"]),
    "miow_udp_peek_from": ("int32", ["handle", "void*", "size", "size*", "char*", "size"]),
    "miow_udp_send_to": ("int32", ["handle", "void*", "size", "char*", "size*"]),
    "miow_udp_join_multicast_v4": ("int32", ["handle", "char*", "char*"]),
    "miow_udp_leave_multicast_v4": ("int32", ["handle", "char*", "char*"]),
    "miow_udp_join_multicast_v6": ("int32", ["handle", "char*", "uint32"]),
    "miow_udp_leave_multicast_v6": ("int32", ["handle", "char*", "uint32"]),
    "miow_source_read": ("int32", ["handle", "void*", "size", "size*"]),
    "miow_source_peek": ("int32", ["handle", "void*", "size", "size*"]),
    "miow_source_write": ("int32", ["handle", "void*", "size", "size*"]),
    "miow_source_readv": ("int32", ["handle", "buffer*", "size", "size*"]),
    "miow_source_writev": ("int32", ["handle", "buffer*", "size", "size*"]),
    "miow_source_shutdown": ("int32", ["handle", "int32"]),
    "miow_source_take_error": ("int32", ["handle", "int32*", "int32*"]),
    "miow_source_local_address": ("int32", ["handle", "char*", "size"]),
    "miow_source_peer_address": ("int32", ["handle", "char*", "size"]),
    "miow_source_set_option": ("int32", ["handle", "int32", "int32"]),
    "miow_source_get_option": ("int32", ["handle", "int32", "int32*"]),
    "miow_source_socket": ("int32", ["handle", "uintptr*"]),
    "miow_pipe_create": ("int32", ["handle*", "char*", "uint32"]),
    "miow_pipe_open": ("int32", ["handle*", "char*"]),
    "miow_pipe_connect": ("int32", ["handle"]),
    "miow_pipe_disconnect": ("int32", ["handle"]),
    "miow_source_new_waitable": ("int32", ["handle*", "uintptr"]),
    "miow_tcp_listen_ex": ("int32", ["handle*", "char*", "int32", "uint32"]),
    "miow_udp_bind_ex": ("int32", ["handle*", "char*", "uint32"]),
    "miow_pipe_create_ex": ("int32", ["handle*", "char*", "uint32", "uint32", "uint32"]),
    "miow_source_adopt_socket": ("int32", ["handle*", "uintptr"]),
    "miow_pipe_adopt": ("int32", ["handle*", "uintptr"]),
    "miow_source_release": ("int32", ["handle", "uintptr*"]),
}


_NATIVE = {
    "size": f"uint{8 * ctypes.sizeof(ctypes.c_size_t)}",
    "uintptr": f"uint{8 * ctypes.sizeof(ctypes.c_void_p)}",
}


def _spell(t):
    """A ctypes type spelled as in EXPECTED: integers by signedness and width (so c_size_t and
    c_uint64, the same type on LP64, are told apart by nothing but what the header means)."""
    if t is ctypes.c_char_p:
        return "char*"
    if t is ctypes.c_void_p:
        return "handle"
    if t is _native.Event:
        return "event"
    if t is _native.EpollEvent:
        return "epoll_event"
    if t is _native.Buffer:
        return "buffer"
    if hasattr(t, "contents"):  # a POINTER(...) type
        target = _spell(t._type_)
        return "handle*" if target == "handle" else target + "*"
    bits = ctypes.sizeof(t) * 8
    signed = t(-1).value < 0
    return f"{'int' if signed else 'uint'}{bits}"


def _expected(spelling):
    if spelling == "void*":
        return "handle"  # ctypes has one c_void_p for handles and untyped buffers alike
    pointer = spelling.endswith("*")
    base = spelling.rstrip("*")
    return _NATIVE.get(base, base) + ("*" if pointer else "")


def _def_exports():
    names = []
    with open(DEF_FILE) as f:
        for line in f:
            m = re.match(r"\s+(miow_\w+)\s+@(\d+)", line)
            if m:
                names.append((int(m.group(2)), m.group(1)))
    return [name for _, name in sorted(names)]


def test_every_export_of_the_def_file_is_bound():
    assert os.path.exists(DEF_FILE), DEF_FILE
    exports = _def_exports()
    assert len(exports) == 57
    # 1-50 are required; 51-57 (1.2) are bound when the loaded library has them.
    assert exports == list(_native.PROTOTYPES) + list(_native.OPTIONAL_PROTOTYPES)
    assert set(exports) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_export_has_the_header_types(name):
    fn = getattr(lib, name)
    restype, argtypes = EXPECTED[name]
    assert _spell(fn.restype) == _expected(restype)
    assert [_spell(t) for t in fn.argtypes] == [_expected(a) for a in argtypes]


def test_epoll_wrapper_round_trip_through_the_bound_calls():
    ep = lib.miow_epoll_create1(0)
    assert ep
    ev = _native.EpollEvent()
    assert lib.miow_epoll_wait(ep, ctypes.byref(ev), 1, 0) == 0
    assert lib.miow_epoll_close(ep) == 0
    assert lib.miow_epoll_close(ep) == -1


def test_buffer_layout_matches_the_abi():
    assert _native.Buffer.data.offset == 0
    if ctypes.sizeof(ctypes.c_void_p) == 8:
        assert ctypes.sizeof(_native.Buffer) == 16
        assert _native.Buffer.length.offset == 8


def test_socket_type_is_pointer_sized():
    assert ctypes.sizeof(_native.c_socket) == ctypes.sizeof(ctypes.c_void_p)


def test_event_layout_matches_the_abi():
    assert ctypes.sizeof(_native.Event) == 16
    assert _native.Event.token.offset == 0
    assert _native.Event.readiness.offset == 8
    assert _native.Event.reserved.offset == 12
    assert miowin.Event is _native.Event


def test_constants_match_the_header():
    assert (miowin.READABLE, miowin.WRITABLE, miowin.PRIORITY) == (0x01, 0x02, 0x04)
    assert (miowin.ERROR, miowin.READ_CLOSED, miowin.WRITE_CLOSED) == (0x08, 0x10, 0x20)
    assert (miowin.EDGE, miowin.ONESHOT) == (0x100, 0x200)
    assert [int(c) for c in miowin.Code] == list(range(0, -24, -1))
    assert (_native.MIOW_ADDRESS_SIZE, _native.MIOW_BUFFERS_MAX) == (64, 1024)
    assert (_native.MIOW_PIPE_BUFFER_SIZE, _native.MIOW_PIPE_WRITE_MAX) == (4096, 1 << 20)
    assert (miowin.SHUT_READ, miowin.SHUT_WRITE, miowin.SHUT_BOTH) == (1, 2, 3)
    options = [
        _native.MIOW_OPT_NODELAY,
        _native.MIOW_OPT_TTL,
        _native.MIOW_OPT_BROADCAST,
        _native.MIOW_OPT_MULTICAST_LOOP_V4,
        _native.MIOW_OPT_MULTICAST_TTL_V4,
        _native.MIOW_OPT_MULTICAST_LOOP_V6,
        _native.MIOW_OPT_ONLY_V6,
    ]
    assert options == [1, 2, 3, 4, 5, 6, 7]


def test_version_is_abi_major_1():
    v = lib.miow_version()
    assert v >> 16 == miowin.ABI_MAJOR == 1
    assert miowin.version() == (v >> 16, (v >> 8) & 0xFF, v & 0xFF)
    assert miowin.version_string() == "%d.%d.%d" % miowin.version()


def test_strerror_describes_every_code():
    texts = {code: miowin.strerror(code) for code in miowin.Code}
    assert texts[miowin.Code.OK] == "success"
    assert len(set(texts.values())) == len(texts)
    assert miowin.strerror(-1000) == "unknown error"
    assert miowin.strerror(12345) == "unknown error"


def _errno_after(call):
    rc = call()
    return rc, lib.miow_last_os_error(), ctypes.get_errno()


def test_raw_calls_return_codes_and_record_the_os_error():
    rc, os_error, saved = _errno_after(lambda: lib.miow_selector_new(None))
    assert rc == _native.MIOW_EINVAL
    if sys.platform != "win32":
        # The library records errno, and ctypes (use_errno) saw the same value.
        assert os_error == saved == errno.EINVAL

    rc, os_error, saved = _errno_after(lambda: lib.miow_selector_free(None))
    assert rc == _native.MIOW_EBADHANDLE
    if sys.platform != "win32":
        assert os_error == saved == errno.EBADF


def test_raw_selector_lifecycle_and_poll():
    handle = ctypes.c_void_p()
    assert lib.miow_selector_new(ctypes.byref(handle)) == 0
    assert handle.value
    events = (_native.Event * 4)()
    count = ctypes.c_size_t(99)
    assert lib.miow_selector_poll(handle, events, 4, ctypes.byref(count), 0) == 0
    assert count.value == 0
    assert lib.miow_selector_post(handle, 2**64 - 1, _native.WRITE_CLOSED) == 0
    assert lib.miow_selector_poll(handle, events, 4, ctypes.byref(count), -1) == 0
    assert count.value == 1
    assert (events[0].token, events[0].readiness, events[0].reserved) == (
        2**64 - 1,
        _native.WRITE_CLOSED,
        0,
    )
    # Bad arguments, each EINVAL.
    assert lib.miow_selector_poll(handle, events, 0, ctypes.byref(count), 0) == -1
    assert lib.miow_selector_poll(handle, None, 4, ctypes.byref(count), 0) == -1
    assert lib.miow_selector_poll(handle, events, 4, None, 0) == -1
    assert lib.miow_selector_poll(handle, events, 4, ctypes.byref(count), -2) == -1
    assert lib.miow_selector_post(handle, 1, 0) == -1
    assert lib.miow_selector_post(handle, 1, 0x40) == -1
    assert lib.miow_selector_free(handle) == 0
    assert lib.miow_selector_free(handle) == _native.MIOW_EBADHANDLE
    assert lib.miow_selector_poll(handle, events, 4, ctypes.byref(count), 0) == -2


def test_raw_source_and_waker():
    a, b = socket.socketpair()
    with a, b:
        sel = ctypes.c_void_p()
        src = ctypes.c_void_p()
        waker = ctypes.c_void_p()
        assert lib.miow_selector_new(ctypes.byref(sel)) == 0
        assert lib.miow_source_new(ctypes.byref(src), a.fileno()) == 0
        assert lib.miow_source_register(src, sel, 7, _native.READABLE) == 0
        assert lib.miow_source_register(src, sel, 7, _native.READABLE) == _native.MIOW_EEXIST
        assert lib.miow_waker_new(sel, 9, ctypes.byref(waker)) == 0
        assert lib.miow_waker_new(sel, 9, None) == _native.MIOW_EINVAL
        b.send(b"x")
        assert lib.miow_waker_wake(waker) == 0
        events = (_native.Event * 8)()
        count = ctypes.c_size_t()
        assert lib.miow_selector_poll(sel, events, 8, ctypes.byref(count), 1000) == 0
        got = sorted((events[i].token, events[i].readiness) for i in range(count.value))
        assert got == [(7, _native.READABLE), (9, _native.READABLE)]
        assert lib.miow_source_rearm(src) == 0
        assert lib.miow_source_deregister(src, sel) == 0
        assert lib.miow_source_deregister(src, sel) == _native.MIOW_ENOENT
        assert lib.miow_source_reregister(src, sel, 1, _native.READABLE) == _native.MIOW_ENOENT
        assert lib.miow_source_free(src) == 0
        assert lib.miow_source_free(src) == _native.MIOW_EBADHANDLE
        assert lib.miow_waker_free(waker) == 0
        assert lib.miow_waker_wake(waker) == _native.MIOW_EBADHANDLE
        assert lib.miow_selector_free(sel) == 0


def test_raw_source_new_rejects_a_non_socket():
    r, w = os.pipe()
    try:
        src = ctypes.c_void_p()
        assert lib.miow_source_new(ctypes.byref(src), r) == _native.MIOW_ENOTSOCK
        if sys.platform != "win32":
            assert lib.miow_last_os_error() == errno.ENOTSOCK
        assert src.value is None  # left unchanged on failure
    finally:
        os.close(r)
        os.close(w)
