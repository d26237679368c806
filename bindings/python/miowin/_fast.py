"""The exports on the hot paths of Selector and MiowSelector, bound a second time without
argtypes.

With argtypes, ctypes converts every argument on every call (``from_param`` for the handle, the
event array, the count pointer...), which cost as much as the library's poll itself. These
function objects are separate from the typed prototypes of :mod:`miowin._native` (which stay as
they are for everyone else) and take only ctypes arguments that their callers build once:
``c_void_p`` / ``c_uint64`` / ``c_uint32`` / ``c_int64`` objects, ``byref()`` of a buffer, or
best ctypes' prepared parameters (what ``c_uint64.from_param(fd)`` and ``byref()`` return),
which a call copies as they are where it makes one from a ctypes object each time. A plain
Python int must never be passed to them: without argtypes it would travel as a C int.

A poll that does not wait has a second binding, :data:`selector_poll_now`, that keeps the GIL
(see there); every poll that may wait goes through :data:`selector_poll`, which releases it.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any, Dict

from . import _native


def _raw(name: str, library: ctypes.CDLL = _native.lib) -> Any:
    fn: Any = library[name]  # indexing makes a new function object each time
    fn.restype = ctypes.c_int32
    fn.argtypes = None  # None: no conversion at all
    return fn


selector_poll = _raw("miow_selector_poll")
source_new = _raw("miow_source_new")
source_register = _raw("miow_source_register")
source_reregister = _raw("miow_source_reregister")
source_deregister = _raw("miow_source_deregister")
source_free = _raw("miow_source_free")

#: miow_selector_poll for a poll that does not wait, and for nothing else: on Linux bound
#: through a ``ctypes.PyDLL`` over the same library, so the call keeps the GIL. Handing the GIL
#: over and taking it back cost as much as the library's whole poll(0) (one ``epoll_wait(0)``),
#: and a call that never waits has no reason to let other threads run meanwhile. It must only
#: ever be given a timeout of 0 (:attr:`Selector._poll_now_args
#: <miowin._objects.Selector._poll_now_args>` holds every argument, that one included): a wait
#: made holding the GIL would stop every other thread, signal handlers included. On Windows a
#: poll that does not wait first issues an AFD request for every socket changed since the last
#: poll (under Wine, a server round trip each), so there it releases the GIL like any other.
selector_poll_now = (
    selector_poll
    if sys.platform == "win32"
    else _raw("miow_selector_poll", ctypes.PyDLL(_native.library_path, handle=_native.lib._handle))
)

#: ``miow_socket_t`` values are pointer-sized.
c_socket = _native.c_socket

#: The timeout of a poll that waits without limit, made once.
TIMEOUTS: Dict[int, ctypes.c_int64] = {-1: ctypes.c_int64(-1)}


def timeout(ms: int) -> ctypes.c_int64:
    """``ms`` as selector_poll's timeout argument."""
    return TIMEOUTS.get(ms) or ctypes.c_int64(ms)
