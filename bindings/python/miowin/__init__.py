"""miowin for Python: readiness polling for sockets over the miowin C library, through ctypes.

Three layers:

- :mod:`miowin._native`: the C ABI itself (``lib``, ``Event``, the constants).
- :class:`Selector`, :class:`Source`, :class:`Waker`: one Python object per library handle,
  raising :class:`Error` subclasses on failure.
- :mod:`miowin.selectors` (``MiowSelector``, a standard ``selectors.BaseSelector``) and
  :mod:`miowin.asyncio` (``new_event_loop()`` for asyncio).

Importing the package loads the library: from ``MIOWIN_LIBRARY`` if set, else the copy bundled
in the package, else the system's search path. It refuses a library whose ABI major is not 1.
"""

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
    AlreadyRegisteredError,
    BadHandleError,
    BusyError,
    Code,
    Error,
    InvalidArgumentError,
    NotRegisteredError,
    NotSocketError,
    OutOfMemoryError,
    SelectorClosedError,
    WouldBlockError,
    last_os_error,
    strerror,
)
from ._objects import Selector, Source, Waker


def version():
    """The loaded library's version as ``(major, minor, patch)``."""
    v = _native.lib.miow_version()
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def version_string():
    """The loaded library's version text, such as ``"1.0.0"``."""
    return _native.lib.miow_version_string().decode("ascii", "replace")


__all__ = [
    "ABI_MAJOR",
    "AlreadyRegisteredError",
    "BadHandleError",
    "BusyError",
    "Code",
    "EDGE",
    "ERROR",
    "Error",
    "Event",
    "InvalidArgumentError",
    "LibraryError",
    "NotRegisteredError",
    "NotSocketError",
    "ONESHOT",
    "OutOfMemoryError",
    "PRIORITY",
    "READABLE",
    "READ_CLOSED",
    "Selector",
    "SelectorClosedError",
    "Source",
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
    AlreadyRegisteredError,
    BadHandleError,
    BusyError,
    Code,
    Error,
    InvalidArgumentError,
    LibraryError,
    NotRegisteredError,
    NotSocketError,
    OutOfMemoryError,
    SelectorClosedError,
    WouldBlockError,
    Selector,
    Source,
    Waker,
):
    _cls.__module__ = __name__
del _cls
