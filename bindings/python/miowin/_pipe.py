"""NamedPipeServer and NamedPipeClient: the two ends of a named pipe, as mio's ``named_pipe``.

A pipe is a :class:`miowin.Source` like the sockets of :mod:`miowin._net`: it registers,
reregisters, deregisters and re-arms with a :class:`miowin.Selector`, closing it closes the
pipe, and its reads and writes are the same ``read``/``readinto``/``peek``/``write``/``readv``/
``writev`` calls, raising :class:`miowin.WouldBlockError` (a :class:`BlockingIOError`) when
they would wait. On Windows it is an overlapped named pipe; on Linux a Unix-domain socket in
the abstract namespace. Names have the Windows form ``\\\\.\\pipe\\<name>`` on both.

Two rules come from how the library drives a pipe (see ``docs/pipes.md``):

- Its I/O, and :meth:`NamedPipeServer.connect`, need the pipe to have been registered once:
  before that they raise :class:`miowin.NotRegisteredError`. After a deregistration they keep
  working; only the events stop.
- On Windows a pipe stays tied to the first selector it was registered with; registering it
  with another raises :class:`miowin.NotSupportedError`.

A pipe has no socket descriptor to hand out: ``fileno()`` raises
:class:`io.UnsupportedOperation`.
"""

from __future__ import annotations

import ctypes
import io
from typing import Any, Optional, Type, TypeVar

from . import _native
from ._net import _Io, _LibrarySource, _require

_lib = _native.lib

_P = TypeVar("_P", bound="_NamedPipe")


def _u32(what: str, value: int) -> int:
    number = int(value)
    if not 0 <= number < 2**32:
        raise ValueError(f"{what} must fit in 32 unsigned bits: {number}")
    return number


def _name_bytes(name: str) -> bytes:
    if not isinstance(name, str):
        raise TypeError(f"a pipe name is a str, not {type(name).__name__}")
    if "\0" in name:
        raise ValueError("a pipe name cannot contain NUL")
    return name.encode("utf-8")


class _NamedPipe(_LibrarySource, _Io):
    """What both ends share: the name, the I/O of :class:`_Io`, ``take_error()``."""

    _name: Optional[str] = None

    @classmethod
    def _open(cls: Type[_P], function: str, name: str, *args: Any) -> _P:
        self = cls._create(function, _name_bytes(name), *args)
        self._name = name
        return self

    @property
    def name(self) -> Optional[str]:
        """The name the pipe was created or opened with."""
        return self._name

    @classmethod
    def adopt(cls: Type[_P], handle: int, name: Optional[str] = None) -> _P:
        """Takes a pipe end the caller opened into a source the library owns
        (``miow_pipe_adopt``, miowin 1.2; mio's ``NamedPipe::from_raw_handle``). On Windows
        ``handle`` is a named pipe ``HANDLE`` opened for overlapped I/O (a server end for
        :class:`NamedPipeServer`, a client end for :class:`NamedPipeClient`); on Linux a
        Unix-domain stream socket's descriptor, listening for a server, connected for a
        client. On success the source owns it (closing the source closes it; :meth:`release`
        gives it back); on failure it stays the caller's. ``name`` is only recorded."""
        _require("miow_pipe_adopt")
        value = int(handle)
        if not 0 <= value < 2 ** (8 * ctypes.sizeof(_native.c_socket)):
            raise ValueError(f"invalid pipe handle: {value}")
        self = cls._create("miow_pipe_adopt", value)
        self._name = name
        return self

    def fileno(self) -> int:
        """Raises :class:`io.UnsupportedOperation`: a pipe is not a socket, and on Linux the
        descriptor behind a server changes as clients come and go."""
        raise io.UnsupportedOperation(f"{type(self).__name__} has no socket descriptor")

    def __repr__(self) -> str:
        return f"<miowin.{type(self).__name__} name={self._name!r} {self._state()}>"


class NamedPipeServer(_NamedPipe):
    """The server end of a named pipe (``miow_pipe_create``), accepting one client at a time.

    Register it, then :meth:`connect`: True when a client is connected, False while the
    connect is pending, which the pipe's next WRITABLE event ends (check :meth:`take_error`
    then; :meth:`connect` returns True from there on). :meth:`disconnect` drops the client so
    that :meth:`connect` can take the next one.
    """

    _factories = "create()"

    @classmethod
    def create(
        cls,
        name: str,
        buffer_size: int = 0,
        *,
        max_instances: int = 1,
        first_instance: bool = True,
    ) -> NamedPipeServer:
        """Creates the pipe ``name`` (``"\\\\.\\pipe\\<name>"``), not yet connected.
        ``buffer_size`` sizes the read buffer and the OS pipe buffers on Windows (0: 4 KiB,
        ``MIOW_PIPE_BUFFER_SIZE``). A name without the prefix raises
        :class:`InvalidArgumentError`.

        By default the pipe is the only instance of its name: a second ``create()`` of it
        raises :class:`AddressInUseError`. For a server of several clients at once (miowin 1.2,
        ``miow_pipe_create_ex``), create the first instance with ``max_instances`` (1 to
        ``MIOW_PIPE_INSTANCES_MAX``, 254, or 0 for unlimited; the first instance sets it) and
        the others with ``first_instance=False``; one instance too many raises
        :class:`PipeBusyError`. On Linux every instance of a name lives in one process."""
        size = _u32("buffer_size", buffer_size)
        count = _u32("max_instances", max_instances)
        if count == 1 and first_instance:
            return cls._open("miow_pipe_create", name, size)
        _require("miow_pipe_create_ex")
        flags = _native.MIOW_PIPE_FIRST_INSTANCE if first_instance else 0
        return cls._open("miow_pipe_create_ex", name, size, count, flags)

    def connect(self) -> bool:
        """Accepts a client (``miow_pipe_connect``): True if one is connected, False if the
        connect is pending (also when it already was). Raises :class:`NotRegisteredError`
        before the first registration."""
        rc = _lib.miow_pipe_connect(self._handle)
        if rc == _native.MIOW_EWOULDBLOCK:
            return False
        self._check(rc, "miow_pipe_connect")
        return True

    def disconnect(self) -> None:
        """Drops the client (``miow_pipe_disconnect``); unread data is discarded. Harmless
        without a client. Call :meth:`connect` to accept the next one."""
        self._check(_lib.miow_pipe_disconnect(self._handle), "miow_pipe_disconnect")


class NamedPipeClient(_NamedPipe):
    """The client end of a named pipe (``miow_pipe_open``), connected from the start."""

    _factories = "open()"

    @classmethod
    def open(cls, name: str) -> NamedPipeClient:
        """Opens the pipe ``name``. Raises :class:`PipeNotFoundError` (a
        :class:`FileNotFoundError`) when there is no such pipe, and :class:`PipeBusyError` when
        it is serving another client or is between two; then try again later."""
        return cls._open("miow_pipe_open", name)
