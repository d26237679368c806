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
    if hasattr(t, "contents"):  # a POINTER(...) type
        target = _spell(t._type_)
        return "handle*" if target == "handle" else target + "*"
    bits = ctypes.sizeof(t) * 8
    signed = t(-1).value < 0
    return f"{'int' if signed else 'uint'}{bits}"


def _expected(spelling):
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
    assert len(exports) == 22
    assert exports == list(_native.PROTOTYPES)
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
    assert [int(c) for c in miowin.Code] == [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]


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
