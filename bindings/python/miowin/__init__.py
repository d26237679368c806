"""miowin for Python: readiness polling for sockets over the miowin C library, through ctypes.

Three layers:

- :mod:`miowin._native`: the C ABI itself (``lib``, ``Event``, the constants).
- :class:`Selector`, :class:`Source`, :class:`Waker`: one Python object per library handle,
  raising :class:`Error` subclasses on failure; :class:`TcpListener`, :class:`TcpStream` and
  :class:`UdpSocket`, sources whose socket the library creates, and :class:`NamedPipeServer`
  and :class:`NamedPipeClient`, the ends of a named pipe, with their I/O (would-block raises
  :class:`WouldBlockError`, a :class:`BlockingIOError`, as on a non-blocking socket).
- :mod:`miowin.selectors` (``MiowSelector``, a standard ``selectors.BaseSelector``) and
  :mod:`miowin.asyncio` (``new_event_loop()`` for asyncio).

Importing the package loads the library: from ``MIOWIN_LIBRARY`` if set, else the copy bundled
in the package, else the system's search path. It refuses a library whose ABI major is not 1.
"""

from __future__ import annotations

from typing import Tuple

from ._version import ABI_MAJOR, __version__
from . import _native
from ._native import (
    EDGE,
    ERROR,
    ONESHOT,
    PRIORITY,
    READABLE,
    READ_CLOSED,
    WRITABLE,
    WRITE_CLOSED,
    Event,
    library_origin,
    library_path,
)
from ._loader import LibraryError
from ._errors import (
    AbortedError,
    AddressInUseError,
    AddressNotAvailableError,
    AlreadyRegisteredError,
    BadHandleError,
    BusyError,
    Code,
    Error,
    InvalidArgumentError,
    MessageTooLargeError,
    NotConnectedError,
    NotRegisteredError,
    NotSocketError,
    NotSupportedError,
    OutOfMemoryError,
    PeerClosedError,
    PipeBusyError,
    PipeNotFoundError,
    RefusedError,
    ResetError,
    SelectorClosedError,
    ShutdownError,
    TimedOutError,
    WouldBlockError,
    last_os_error,
    strerror,
)
from ._objects import Selector, Source, Waker
from ._net import (
    SHUT_BOTH,
    SHUT_READ,
    SHUT_WRITE,
    Address,
    AddressLike,
    TcpListener,
    TcpStream,
    UdpSocket,
)
from ._objects import FileDescriptorLike
from ._pipe import NamedPipeClient, NamedPipeServer


def version() -> Tuple[int, int, int]:
    """The loaded library's version as ``(major, minor, patch)``."""
    v: int = _native.lib.miow_version()
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def version_string() -> str:
    """The loaded library's version text, such as ``"1.0.0"``."""
    text: bytes = _native.lib.miow_version_string()
    return text.decode("ascii", "replace")


__all__ = [
    "ABI_MAJOR",
    "AbortedError",
    "Address",
    "AddressLike",
    "AddressInUseError",
    "AddressNotAvailableError",
    "AlreadyRegisteredError",
    "BadHandleError",
    "BusyError",
    "Code",
    "EDGE",
    "ERROR",
    "Error",
    "Event",
    "FileDescriptorLike",
    "InvalidArgumentError",
    "LibraryError",
    "MessageTooLargeError",
    "NamedPipeClient",
    "NamedPipeServer",
    "NotConnectedError",
    "NotRegisteredError",
    "NotSocketError",
    "NotSupportedError",
    "ONESHOT",
    "OutOfMemoryError",
    "PRIORITY",
    "PeerClosedError",
    "PipeBusyError",
    "PipeNotFoundError",
    "READABLE",
    "READ_CLOSED",
    "RefusedError",
    "ResetError",
    "SHUT_BOTH",
    "SHUT_READ",
    "SHUT_WRITE",
    "Selector",
    "SelectorClosedError",
    "ShutdownError",
    "Source",
    "TcpListener",
    "TcpStream",
    "TimedOutError",
    "UdpSocket",
    "WRITABLE",
    "WRITE_CLOSED",
    "Waker",
    "WouldBlockError",
    "__version__",
    "last_os_error",
    "library_origin",
    "library_path",
    "strerror",
    "version",
    "version_string",
]

# Show the public classes as miowin.X (their home modules are private).
for _cls in (
    AbortedError,
    AddressInUseError,
    AddressNotAvailableError,
    AlreadyRegisteredError,
    BadHandleError,
    BusyError,
    Code,
    Error,
    InvalidArgumentError,
    LibraryError,
    MessageTooLargeError,
    NotConnectedError,
    NotRegisteredError,
    NotSocketError,
    NotSupportedError,
    OutOfMemoryError,
    PeerClosedError,
    PipeBusyError,
    PipeNotFoundError,
    RefusedError,
    ResetError,
    SelectorClosedError,
    ShutdownError,
    TimedOutError,
    WouldBlockError,
    Selector,
    Source,
    Waker,
    TcpListener,
    TcpStream,
    UdpSocket,
    NamedPipeServer,
    NamedPipeClient,
):
    _cls.__module__ = __name__
del _cls
