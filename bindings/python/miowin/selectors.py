"""MiowSelector: a :class:`selectors.BaseSelector` over a miowin selector.

It follows the contract of the standard library's selectors (register / unregister / modify /
select / get_key / get_map / close, context manager), level-triggered as asyncio expects, and
reports a socket's hang-up and error conditions the way EpollSelector does: to a reader and to
a writer alike.

Each registered file object gets a miowin Source whose token is its descriptor (its SOCKET
value on Windows). Sockets can always be registered. Any other descriptor (a pipe, a tty) needs
a library that can watch it (:data:`ANY_DESCRIPTOR`: Linux with miowin 1.2); without one,
registration raises :class:`miowin.NotSocketError` at once. A regular file or a directory is
never pollable: with such a library it raises :class:`PermissionError` (``EPERM``), as
EpollSelector does, and :class:`miowin.NotSocketError` otherwise.
"""

from __future__ import annotations

import ctypes
import errno
import selectors
import sys
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

from . import _errors, _fast, _native
from ._errors import NotSocketError
from ._objects import (
    _EVENT,
    DEFAULT_SIGNAL_INTERVAL,
    FileDescriptorLike,
    Selector,
    Source,
    _fileno,
    timeout_ms,
)

EVENT_READ = selectors.EVENT_READ
EVENT_WRITE = selectors.EVENT_WRITE
SelectorKey = selectors.SelectorKey

_ALL_EVENTS = EVENT_READ | EVENT_WRITE

#: Whether MiowSelector takes any pollable descriptor (pipes, FIFOs, ttys, ptys), not only
#: sockets: on Linux, when the loaded library exports ``miow_source_new_waitable``. (On Windows
#: that call takes waitable handles, which are not what a selector is handed.)
ANY_DESCRIPTOR = sys.platform.startswith("linux") and _native.has_export(
    "miow_source_new_waitable"
)

# Which readiness bits wake a reader and which a writer. An error wakes both, as a hang-up
# does (the library reports EPOLLHUP / AFD_POLL_ABORT as READABLE | WRITABLE anyway).
_READ_BITS = _native.READABLE | _native.READ_CLOSED | _native.ERROR
_WRITE_BITS = _native.WRITABLE | _native.WRITE_CLOSED | _native.ERROR


def _interests(events: int) -> int:
    interests = 0
    if events & EVENT_READ:
        interests |= _native.READABLE
    if events & EVENT_WRITE:
        interests |= _native.WRITABLE
    return interests


_poll_now = _fast.selector_poll_now

#: events (1-3) -> the interests argument, made once for the raw calls (as a prepared
#: parameter, which ctypes copies as it is instead of making one from a c_uint32 each call).
_INTERESTS = {events: ctypes.c_uint32.from_param(_interests(events)) for events in (1, 2, 3)}

#: A socket's source as the raw calls take it: its handle and its token (the descriptor), each
#: a ctypes prepared parameter made once.
_SourceArgs = Tuple[Any, Any]


def _source_args(handle: Optional[int], fd: int) -> _SourceArgs:
    return ctypes.c_void_p.from_param(handle), ctypes.c_uint64.from_param(fd)


def _events_of(readiness: int) -> int:
    events = 0
    if readiness & _READ_BITS:
        events |= EVENT_READ
    if readiness & _WRITE_BITS:
        events |= EVENT_WRITE
    return events


#: The six readiness bits (0x01-0x20) -> the selector events they report, as a table.
_EVENTS = tuple(_events_of(readiness) for readiness in range(64))


def _check_events(events: int) -> None:
    if not isinstance(events, int) or not events or events & ~_ALL_EVENTS:
        raise ValueError(f"Invalid events: {events!r}")


def _new_source(fd: int) -> Source:
    try:
        return Source(fd)
    except NotSocketError as e:
        if e.errno == errno.EBADF:
            raise  # a closed descriptor: the library's own error says so
        if ANY_DESCRIPTOR:
            return _new_waitable(fd)
        raise NotSocketError(
            e.code,
            e.os_error,
            f"FD {fd} is not a socket, and this miowin library watches sockets only (pipes, "
            "ttys and files need miow_source_new_waitable, on Linux)",
            "MiowSelector.register",
        ) from None


def _new_waitable(fd: int) -> Source:
    try:
        return Source.waitable(fd)
    except _errors.InvalidArgumentError as e:
        if e.os_error != errno.EPERM:
            raise
        # epoll refuses regular files and directories with EPERM; EpollSelector lets that
        # PermissionError through, and so does this selector, saying why.
        raise PermissionError(
            errno.EPERM,
            f"FD {fd} cannot be watched: epoll refuses regular files and directories "
            "(miow_source_new_waitable: MIOW_EINVAL)",
        ) from e


class _KeyMapping(Mapping[FileDescriptorLike, SelectorKey]):
    """The read-only view that get_map() returns: file object or descriptor -> SelectorKey."""

    def __init__(self, selector: MiowSelector) -> None:
        self._selector = selector

    def __len__(self) -> int:
        return len(self._selector._keys)

    def __getitem__(self, fileobj: FileDescriptorLike) -> SelectorKey:
        selector = self._selector
        try:
            return selector._keys[selector._fileobj_lookup(fileobj)]
        except (KeyError, ValueError):
            raise KeyError(f"{fileobj!r} is not registered") from None

    def __iter__(self) -> Iterator[FileDescriptorLike]:
        return iter(self._selector._keys)


class MiowSelector(selectors.BaseSelector):
    """A selector backed by miowin (AFD and a completion port on Windows, epoll on Linux).

    ``signal_interval`` is passed to :class:`miowin.Selector`: how often (in seconds) a
    select() blocked in the main thread returns to Python to run signal handlers.
    """

    # The hot paths call the library through miowin._fast with ctypes arguments made once,
    # and keep each registration's source as a bare handle (_SourceArgs) rather than a Source
    # object. A socket's source outlives its registration as a spare for the next socket
    # registered under the same descriptor number (asyncio adds and removes readers and writers
    # all the time), so that register + unregister is one library call each, as
    # EpollSelector's is one epoll_ctl each (bench_selector.py). A spare holds nothing but the
    # number: the library never closes a socket it did not make, and checks that the number is
    # a socket when a spare is registered. The kernel reuses the lowest free numbers, so the
    # spares are about as many as the most sockets ever registered at once.

    def __init__(self, *, signal_interval: Optional[float] = DEFAULT_SIGNAL_INTERVAL) -> None:
        selector = self._selector = Selector(signal_interval=signal_interval)
        #: The selector's handle as a prepared parameter; NULL once closed.
        self._c_selector = ctypes.c_void_p.from_param(selector.handle)
        self._keys: Dict[int, SelectorKey] = {}
        self._sources: Dict[int, _SourceArgs] = {}  # fd -> the registered source
        self._spares: Dict[int, _SourceArgs] = {}  # fd -> an unregistered socket source
        self._waitables: Set[int] = set()  # fds whose source is not a socket's (no spare)
        self._map: Optional[_KeyMapping] = _KeyMapping(self)
        # select(0), inlined: miow_selector_poll's arguments, the count, the events.
        self._poll_now = selector._poll_now_args
        self._count = selector._count
        self._events_address = selector._events_address

    def _fileobj_lookup(self, fileobj: FileDescriptorLike) -> int:
        """The descriptor of ``fileobj``; for an object closed since it was registered (its
        fileno() now fails or is -1), the descriptor it was registered under."""
        try:
            return _fileno(fileobj)
        except ValueError:
            for key in self._keys.values():
                if key.fileobj is fileobj:
                    return key.fd
            raise

    def register(
        self, fileobj: FileDescriptorLike, events: int, data: Any = None
    ) -> SelectorKey:
        if events.__class__ is not int or not 0 < events <= _ALL_EVENTS:
            _check_events(events)
        fd = self._fileobj_lookup(fileobj)
        if fd in self._keys:
            raise KeyError(f"{fileobj!r} (FD {fd}) is already registered")
        key = SelectorKey(fileobj, fd, events, data)
        source = self._spares.pop(fd, None)
        if source is None or _fast.source_register(
            source[0], self._c_selector, source[1], _INTERESTS[events]
        ):
            # No spare, or the number names something else now than the socket it was made
            # for (closed, or not a socket any more): a new source, with its own errors.
            if source is not None:
                _fast.source_free(source[0])
            source = self._register_new(fd, events)
        self._keys[fd] = key
        self._sources[fd] = source
        return key

    def _register_new(self, fd: int, events: int) -> _SourceArgs:
        handle = ctypes.c_void_p()
        if _fast.source_new(ctypes.byref(handle), _fast.c_socket(fd)):
            # Not a socket (or not open): the documented error, or a source for any other
            # descriptor where the library can watch one. Its handle is taken over.
            source = _new_source(fd)
            handle.value, source._handle = source._handle, None
            self._waitables.add(fd)
        else:
            self._waitables.discard(fd)
        args = _source_args(handle.value, fd)
        rc = _fast.source_register(args[0], self._c_selector, args[1], _INTERESTS[events])
        if rc:
            _fast.source_free(handle)
            raise _errors.make_error(rc, "miow_source_register")
        return args

    def _forget(self, fd: int) -> SelectorKey:
        key = self._keys.pop(fd)
        source = self._sources.pop(fd)
        handle = source[0]
        rc = _fast.source_deregister(handle, self._c_selector)
        # MIOW_ENOENT: the socket was closed (and its descriptor maybe reused) after it was
        # registered, and the library has dropped the registration already.
        if rc and rc != _native.MIOW_ENOENT:
            os_error = _errors.last_os_error()
            _fast.source_free(handle)
            raise _errors.make_error(rc, "miow_source_deregister", os_error)
        if fd in self._waitables:
            _fast.source_free(handle)
        else:
            self._spares[fd] = source
        return key

    def unregister(self, fileobj: FileDescriptorLike) -> SelectorKey:
        fd = self._fileobj_lookup(fileobj)
        if fd not in self._keys:
            raise KeyError(f"{fileobj!r} is not registered")
        return self._forget(fd)

    def _reregister(self, fd: int, events: int) -> None:
        handle, token = self._sources[fd]
        rc = _fast.source_reregister(handle, self._c_selector, token, _INTERESTS[events])
        if rc:
            raise _errors.make_error(rc, "miow_source_reregister")

    def modify(
        self, fileobj: FileDescriptorLike, events: int, data: Any = None
    ) -> SelectorKey:
        fd = self._fileobj_lookup(fileobj)
        key = self._keys.get(fd)
        if key is None:
            raise KeyError(f"{fileobj!r} is not registered")
        _check_events(events)
        if events != key.events:
            try:
                self._reregister(fd, events)
            except BaseException:
                # As the standard selectors do (bpo-30014): a failed modify leaves the file
                # object unregistered rather than half-registered.
                self._forget(fd)
                raise
        if events != key.events or data is not key.data:
            key = key._replace(events=events, data=data)
            self._keys[fd] = key
        return key

    def select(self, timeout: Optional[float] = None) -> List[Tuple[SelectorKey, int]]:
        selector = self._selector
        if timeout is None:
            raw = selector._poll_raw(-1)
        elif timeout > 0:
            raw = selector._poll_raw(timeout_ms(timeout))
        else:
            # select(0), what an event loop with work queued calls each time round: Selector's
            # _poll_once, inlined (a method call costs a fifth of what EpollSelector's whole
            # select(0) does).
            try:
                del selector._buffers_free  # the claim on its buffers (see Selector)
            except AttributeError:
                raw = selector._poll_once(0)  # another thread is polling: buffers of its own
            else:
                try:
                    rc = _poll_now(*self._poll_now)  # keeps the GIL (Linux): it never waits
                    n = self._count.value
                    raw = ctypes.string_at(self._events_address, n << 4) if n and not rc else b""
                finally:
                    selector._buffers_free = True
                if rc:
                    raise _errors.make_error(rc, "miow_selector_poll")
        if not raw:
            return []
        keys = self._keys
        ready: Iterable[Tuple[Any, ...]] = _EVENT.iter_unpack(raw)
        if len(raw) >= 16 * selector.capacity and len(keys) > len(raw) >> 4:
            ready = self._drain(raw, selector.capacity)
        result: List[Tuple[SelectorKey, int]] = []
        append = result.append
        get = keys.get
        for token, readiness, _ in ready:
            key = get(token)
            # None: unregistered from another thread after the library had taken the event.
            if key is not None:
                events = _EVENTS[readiness & 0x3F] & key.events
                if events:
                    append((key, events))
        return result

    def _drain(self, first: bytes, capacity: int) -> List[Tuple[int, int, int]]:
        """Collects more ready sockets than one library call returns, so that one select()
        reports every ready socket as the standard selectors do. The library keeps level-
        triggered sockets queued round-robin, so repeated non-blocking polls bring new tokens
        until the first repeat, or a short batch, shows the queue has been walked through."""
        merged = {token: readiness for token, readiness, _ in _EVENT.iter_unpack(first)}
        selector = self._selector
        while len(merged) < len(self._keys):
            batch = selector._poll_ms(0)
            repeated = False
            for token, readiness in batch:
                if token in merged:
                    merged[token] |= readiness
                    repeated = True
                else:
                    merged[token] = readiness
            if repeated or len(batch) < capacity:
                break
        return [(token, readiness, 0) for token, readiness in merged.items()]

    def close(self) -> None:
        if self._map is None:
            return
        handles = [source[0] for source in (*self._sources.values(), *self._spares.values())]
        self._sources.clear()
        self._spares.clear()
        self._keys.clear()
        self._map = None
        try:
            for handle in handles:
                _fast.source_free(handle)  # deregisters it too
        finally:
            self._selector.close()
            # NULL for the handle now, as the Selector passes it.
            self._c_selector = ctypes.c_void_p.from_param(None)
            self._poll_now = self._selector._poll_now_args

    def __del__(self) -> None:
        try:
            self.close()
        except BaseException:
            pass

    def get_key(self, fileobj: FileDescriptorLike) -> SelectorKey:
        mapping = self._map
        if mapping is None:
            raise RuntimeError("Selector is closed")
        return mapping[fileobj]

    def get_map(self) -> Optional[Mapping[FileDescriptorLike, SelectorKey]]:  # type: ignore[override]
        return self._map

    def __repr__(self) -> str:
        state = "closed" if self._map is None else f"{len(self._keys)} registered"
        return f"<miowin.selectors.MiowSelector {state}>"
