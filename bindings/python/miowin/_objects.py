"""Selector, Source and Waker: Python objects that own one miowin handle each.

Each object frees its handle in close(), on leaving a ``with`` block, or when it is collected.
Closing twice is harmless, and ``__del__`` never raises. A closed object keeps no handle: calls
on it pass NULL, which the library rejects with ``MIOW_EBADHANDLE`` (:class:`BadHandleError`).

A Source keeps a reference to the object it wraps (so a socket cannot be collected, and its
descriptor closed and reused, while it is wrapped) and to the selector it is registered with;
a Waker keeps its selector. The library would survive any order of frees anyway (stale handles
are recognised, not dereferenced); the references only make the Python objects' lifetimes
match what the handles need.
"""

from __future__ import annotations

import ctypes
import math
import os
import struct
import sys
import threading
import time
from typing import Any, List, Optional, Protocol, Tuple, Type, TypeVar, Union


class HasFileno(Protocol):
    """Anything with a ``fileno()`` method, as the :mod:`selectors` module takes."""

    def fileno(self) -> int: ...


#: A socket (or other object with ``fileno()``), or a descriptor / SOCKET value.
FileDescriptorLike = Union[int, HasFileno]

_Self = TypeVar("_Self", bound="_NativeObject")
_Source = TypeVar("_Source", bound="Source")

from . import _errors
from . import _fast
from . import _native

_lib = _native.lib
_EVENT = struct.Struct("=QII")

#: Events fetched per call to miow_selector_poll (the library returns at most this many).
DEFAULT_CAPACITY = 256

#: How long a poll in the main thread may stay inside the library before Python gets a chance
#: to run signal handlers (seconds). See Selector.
DEFAULT_SIGNAL_INTERVAL = 0.1

_MAX_TIMEOUT_MS = 2**62


def timeout_ms(timeout: Optional[float]) -> int:
    """Seconds (float or None) to the library's milliseconds: None blocks (-1), <= 0 polls (0),
    a positive value is rounded up to a whole millisecond so a wait never ends early."""
    if timeout is None:
        return -1
    if timeout <= 0:
        return 0
    # round() first, to the nanosecond, so that float noise such as (0.1 + 0.2) * 1000 =
    # 300.00000000000006 does not cost a whole extra millisecond.
    ms = timeout * 1000.0
    if ms >= _MAX_TIMEOUT_MS:
        return _MAX_TIMEOUT_MS
    return max(1, math.ceil(round(ms, 6)))


_SOCKET_LIMIT = 2 ** (8 * ctypes.sizeof(ctypes.c_void_p))


def _fileno(obj: FileDescriptorLike) -> int:
    if isinstance(obj, int):
        fd = obj
    else:
        try:
            fd = int(obj.fileno())
        except (AttributeError, TypeError, ValueError):
            raise ValueError(f"Invalid file object: {obj!r}") from None
    if not 0 <= fd < _SOCKET_LIMIT:
        raise ValueError(f"Invalid file descriptor: {fd}")
    return fd


# ctypes truncates integers that do not fit silently; these checks make that a ValueError.
def _u64(name: str, value: int) -> int:
    if not 0 <= value < 2**64:
        raise ValueError(f"{name} must fit in 64 unsigned bits: {value!r}")
    return value


def _u32(name: str, value: int) -> int:
    if not 0 <= value < 2**32:
        raise ValueError(f"{name} must fit in 32 unsigned bits: {value!r}")
    return value


def _selector_handle(selector: Selector) -> Optional[int]:
    if not isinstance(selector, Selector):
        raise TypeError(f"expected a miowin.Selector, got {type(selector).__name__}")
    return selector._handle


def _is_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


#: pidfd_open(2)'s number: one for every architecture but alpha (the syscall table was unified
#: from Linux 5.1 on).
_SYS_PIDFD_OPEN = 434


def _pidfd_open(pid: int) -> int:
    """os.pidfd_open (3.9+), or the same system call through libc on Python 3.8."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        fd: int = pidfd_open(pid)
        return fd
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.syscall(ctypes.c_long(_SYS_PIDFD_OPEN), ctypes.c_int(pid), ctypes.c_uint(0))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return fd


class _NativeObject:
    """What Selector, Source and Waker share: an owned native handle freed exactly once by
    ``close()``, a context manager, and a ``__del__`` that never raises. Subclasses name their
    free function and may extend ``close()`` to drop their references."""

    _handle: Optional[int] = None
    _free: str = ""  #: the name of the library's free function for this kind of handle

    @property
    def handle(self) -> Optional[int]:
        """The raw native handle value (an int), or None once closed."""
        return self._handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            getattr(_lib, self._free)(handle)

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except BaseException:
            pass

    def _state(self) -> str:
        return "closed" if self._handle is None else f"handle={self._handle:#x}"


class Selector(_NativeObject):
    """A miowin selector (``miow_selector``).

    ``capacity`` is how many events one call into the library may return. ``signal_interval``
    (seconds, or None) bounds how long a poll made from the main thread stays in C: the
    library retries a wait that a signal interrupted, so without this Ctrl-C and other Python
    signal handlers would wait for the next event. A poll is cut into waits of at most that
    length, with Python handlers run in between; a handler that raises ends the poll with its
    exception, as with :func:`select.epoll.poll`. Polls from other threads are never cut up.
    """

    _free = "miow_selector_free"

    #: The claim on the event buffer and count: present while no poll of this object uses
    #: them. A poll takes it with ``del`` (one step under the GIL, AttributeError if another
    #: thread holds it) and sets it again after; a threading.Lock's acquire(False) and
    #: release cost a quarter of the library's whole poll(0). Nothing ever waits for it: a
    #: poll that finds it taken uses buffers of its own.
    _buffers_free: bool

    def __init__(
        self,
        capacity: int = DEFAULT_CAPACITY,
        signal_interval: Optional[float] = DEFAULT_SIGNAL_INTERVAL,
    ) -> None:
        capacity = int(capacity)
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._events = (_native.Event * capacity)()
        self._events_address = ctypes.addressof(self._events)
        self._count = ctypes.c_size_t()
        self._count_ref = ctypes.byref(self._count)
        self._c_capacity = ctypes.c_size_t(capacity)
        self._buffers_free = True
        self.signal_interval = signal_interval
        handle = ctypes.c_void_p()
        rc = _lib.miow_selector_new(ctypes.byref(handle))
        if rc:
            raise _errors.make_error(rc, "miow_selector_new")
        self._handle = handle.value
        #: The handle as the argument the raw calls of _fast take; NULL once closed.
        self._c_handle = handle
        #: miow_selector_poll's arguments but the timeout, made once.
        self._poll_args = (handle, self._events, self._c_capacity, self._count_ref)
        #: The arguments of a poll that does not wait (for _fast.selector_poll_now), timeout 0
        #: included. They are ctypes' prepared parameters, which a call copies as they are
        #: where it would make one from a ctypes object each time. close() replaces them.
        self._poll_now_args = self._prepared_poll_args(handle.value)

    def _prepared_poll_args(self, handle: Optional[int]) -> Tuple[Any, ...]:
        return (
            ctypes.c_void_p.from_param(handle),  # None for a closed selector: NULL
            ctypes.byref(self._events),
            ctypes.c_size_t.from_param(self._capacity),
            self._count_ref,
            ctypes.c_int64.from_param(0),
        )

    @property
    def capacity(self) -> int:
        return self._capacity

    def poll(self, timeout: Optional[float] = None) -> List[Tuple[int, int]]:
        """Waits for events; returns a list of ``(token, readiness)`` pairs.

        ``timeout`` is in seconds: None waits without limit, 0 or less does not wait, and a
        positive value is rounded up to whole milliseconds. Returns an empty list on timeout.
        """
        return self._poll_ms(timeout_ms(timeout))

    def _poll_ms(self, ms: int) -> List[Tuple[int, int]]:
        return [(token, readiness) for token, readiness, _ in _EVENT.iter_unpack(self._poll_raw(ms))]

    def _poll_raw(self, ms: int) -> bytes:
        """Polls; returns the events as the library wrote them, 16 bytes each (``_EVENT``)."""
        if ms != 0:
            interval = self.signal_interval
            if interval is not None and interval > 0 and _is_main_thread():
                return self._poll_sliced(ms, timeout_ms(interval))
        return self._poll_once(ms)

    def _poll_sliced(self, ms: int, slice_ms: int) -> bytes:
        deadline = None if ms < 0 else time.monotonic() + ms / 1000.0
        while True:
            last = False
            wait = slice_ms
            if deadline is not None:
                left = timeout_ms(deadline - time.monotonic())
                if left <= slice_ms:
                    wait, last = left, True
            events = self._poll_once(wait)
            # Returning to the interpreter here is what lets pending signal handlers run.
            if events or last:
                return events

    def _poll_once(self, ms: int) -> bytes:
        """One call to miow_selector_poll."""
        # The buffer is shared; a second thread polling at the same time (which the library
        # answers with MIOW_EBUSY) gets buffers of its own so it cannot clobber the first's.
        try:
            del self._buffers_free
        except AttributeError:
            return self._poll_unshared(_fast.timeout(ms))
        try:
            if ms == 0:
                rc = _fast.selector_poll_now(*self._poll_now_args)
            else:
                rc = _fast.selector_poll(*self._poll_args, _fast.timeout(ms))
            n = self._count.value
            if not rc:
                return ctypes.string_at(self._events_address, n << 4) if n else b""
        finally:
            self._buffers_free = True
        raise _errors.make_error(rc, "miow_selector_poll")

    def _poll_unshared(self, c_ms: ctypes.c_int64) -> bytes:
        events = (_native.Event * self._capacity)()
        count = ctypes.c_size_t()
        rc = _fast.selector_poll(
            self._c_handle, events, self._c_capacity, ctypes.byref(count), c_ms
        )
        if rc:
            raise _errors.make_error(rc, "miow_selector_poll")
        return ctypes.string_at(ctypes.addressof(events), count.value * 16)

    def post(self, token: int, readiness: int) -> None:
        """Queues one event with this token and readiness (``miow_selector_post``)."""
        rc = _lib.miow_selector_post(
            self._handle, _u64("token", token), _u32("readiness", readiness)
        )
        if rc:
            raise _errors.make_error(rc, "miow_selector_post")

    def close(self) -> None:
        """Frees the selector. A poll blocked in another thread ends with SelectorClosedError
        (or with BadHandleError, if that poll is the main thread's and the close falls between
        two of its waits; both are ValueError)."""
        c_handle = getattr(self, "_c_handle", None)
        if c_handle is not None:
            c_handle.value = None  # every holder of the argument now passes NULL
            self._poll_now_args = self._prepared_poll_args(None)
        super().close()

    def __repr__(self) -> str:
        return f"<miowin.Selector {self._state()}>"


class Source(_NativeObject):
    """A socket wrapped for registration (``miow_source``).

    ``sock`` is a socket object (anything with ``fileno()``) or a descriptor / SOCKET value.
    The caller keeps owning the socket: closing the Source never closes it. :meth:`waitable`
    and :meth:`process` make sources for other descriptors and for Windows waitable handles.
    """

    _free = "miow_source_free"
    _selector: Optional[Selector] = None
    _fileobj: Optional[FileDescriptorLike] = None
    _owned_fd: Optional[int] = None  #: a descriptor the source opened itself and closes
    _fd: int

    def __init__(self, sock: FileDescriptorLike, *, _new: str = "miow_source_new") -> None:
        fd = _fileno(sock)
        handle = ctypes.c_void_p()
        rc = getattr(_lib, _new)(ctypes.byref(handle), fd)
        if rc:
            raise _errors.make_error(rc, _new)
        self._handle = handle.value
        self._fd = fd
        self._fileobj = sock

    @classmethod
    def waitable(cls: Type[_Source], value: FileDescriptorLike) -> _Source:
        """A source for any pollable descriptor (Linux) or waitable handle (Windows), from a
        value the caller keeps owning (``miow_source_new_waitable``). Raises
        :class:`NotImplementedError` if the loaded library lacks that call (before 1.2)."""
        if not _native.has_export("miow_source_new_waitable"):
            raise NotImplementedError(
                f"{_native.library_path} has no miow_source_new_waitable (miowin 1.2 and later)"
            )
        return cls(value, _new="miow_source_new_waitable")

    @classmethod
    def process(cls: Type[_Source], process: Any) -> _Source:
        """A waitable source that reports ``READABLE`` once ``process`` (a
        :class:`subprocess.Popen`) has exited. On Windows it waits on the process handle
        (``Popen._handle``, which the Popen keeps owning; the source keeps the Popen alive). On
        Linux it waits on a pidfd (``pidfd_open``) that the source
        opens now and closes in :meth:`close` (Linux 5.3+); make it before anything reaps the
        child, or the pid may name another process (``ProcessLookupError`` if it is gone)."""
        if sys.platform == "win32":
            source = cls.waitable(int(getattr(process, "_handle")))
            source._fileobj = process
            return source
        fd = _pidfd_open(int(process.pid))
        try:
            source = cls.waitable(fd)
        except BaseException:
            os.close(fd)
            raise
        source._owned_fd = fd
        return source

    @property
    def selector(self) -> Optional[Selector]:
        """The Selector this source was last registered with through this object, or None."""
        return self._selector

    def fileno(self) -> int:
        return self._fd

    def register(self, selector: Selector, token: int, interests: int) -> None:
        """Registers with ``selector``; events carry ``token`` (``miow_source_register``)."""
        rc = _lib.miow_source_register(
            self._handle,
            _selector_handle(selector),
            _u64("token", token),
            _u32("interests", interests),
        )
        if rc:
            raise _errors.make_error(rc, "miow_source_register")
        self._selector = selector

    def reregister(self, selector: Selector, token: int, interests: int) -> None:
        """Replaces token and interests and re-arms (``miow_source_reregister``)."""
        rc = _lib.miow_source_reregister(
            self._handle,
            _selector_handle(selector),
            _u64("token", token),
            _u32("interests", interests),
        )
        if rc:
            if rc == _native.MIOW_ENOENT:
                self._selector = None
            raise _errors.make_error(rc, "miow_source_reregister")

    def deregister(self, selector: Selector) -> None:
        """Ends the registration with ``selector`` (``miow_source_deregister``)."""
        rc = _lib.miow_source_deregister(self._handle, _selector_handle(selector))
        if rc == 0 or rc == _native.MIOW_ENOENT:
            if self._selector is selector:
                self._selector = None
        if rc:
            raise _errors.make_error(rc, "miow_source_deregister")

    def rearm(self) -> None:
        """Arms an edge or oneshot registration again (``miow_source_rearm``)."""
        rc = _lib.miow_source_rearm(self._handle)
        if rc:
            raise _errors.make_error(rc, "miow_source_rearm")

    def close(self) -> None:
        """Frees the source, deregistering it first if needed. The socket stays open (a
        pidfd that :meth:`process` opened is closed)."""
        super().close()
        self._selector = None
        self._fileobj = None
        fd, self._owned_fd = self._owned_fd, None
        if fd is not None:
            os.close(fd)

    def __repr__(self) -> str:
        return f"<miowin.Source fd={getattr(self, '_fd', None)} {self._state()}>"


class Waker(_NativeObject):
    """Wakes ``selector``'s poll from any thread with an event carrying ``token`` and readiness
    READABLE (``miow_waker``). Wakes made before a poll delivers one coalesce into it."""

    _free = "miow_waker_free"
    _selector: Optional[Selector] = None

    def __init__(self, selector: Selector, token: int) -> None:
        handle = ctypes.c_void_p()
        rc = _lib.miow_waker_new(
            _selector_handle(selector), _u64("token", token), ctypes.byref(handle)
        )
        if rc:
            raise _errors.make_error(rc, "miow_waker_new")
        self._handle = handle.value
        self._selector = selector
        self._token = token

    @property
    def selector(self) -> Optional[Selector]:
        return self._selector

    @property
    def token(self) -> int:
        return self._token

    def wake(self) -> None:
        """Makes the selector's current or next poll return the wake-up event."""
        rc = _lib.miow_waker_wake(self._handle)
        if rc:
            raise _errors.make_error(rc, "miow_waker_wake")

    def close(self) -> None:
        """Frees the waker; a wake-up it queued and no poll delivered yet is dropped."""
        super().close()
        self._selector = None

    def __repr__(self) -> str:
        return f"<miowin.Waker token={getattr(self, '_token', None)} {self._state()}>"
