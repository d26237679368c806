"""The exports on the hot paths of Selector and MiowSelector, bound a second time without
argtypes.

With argtypes, ctypes converts every argument on every call (``from_param`` for the handle, the
event array, the count pointer...), which cost as much as the library's poll itself. These
function objects are separate from the typed prototypes of :mod:`miowin._native` (which stay as
they are for everyone else) and take only ctypes objects that their callers build once: a
``c_void_p`` per handle, the event array, ``byref`` of the count, ``c_uint64`` / ``c_uint32`` /
``c_int64`` values. A plain Python int must never be passed to them: without argtypes it would
travel as a C int.
"""

from __future__ import annotations

import ctypes
from typing import Any, Dict

from . import _native


def _raw(name: str) -> Any:
    fn: Any = _native.lib[name]  # indexing makes a new function object each time
    fn.restype = ctypes.c_int32
    fn.argtypes = None  # None: no conversion at all
    return fn


selector_poll = _raw("miow_selector_poll")
source_new = _raw("miow_source_new")
source_register = _raw("miow_source_register")
source_reregister = _raw("miow_source_reregister")
source_deregister = _raw("miow_source_deregister")
source_free = _raw("miow_source_free")

#: ``miow_socket_t`` values are pointer-sized.
c_socket = _native.c_socket

#: The timeouts a poll passes most (no wait, no limit), made once.
TIMEOUTS: Dict[int, ctypes.c_int64] = {0: ctypes.c_int64(0), -1: ctypes.c_int64(-1)}
