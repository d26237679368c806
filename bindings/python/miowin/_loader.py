"""Finds and opens the miowin shared library, and refuses one with the wrong ABI major.

Search order: the path in ``MIOWIN_LIBRARY``; the copy shipped in the package (``miowin/_lib``);
the system's library search. A library named explicitly (the variable, or a bundled copy that
exists) must load: a failure there is an error, never a reason to try the next place.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from typing import List, Tuple

from ._version import ABI_MAJOR

ENV_VAR = "MIOWIN_LIBRARY"

_LIB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_lib")

if sys.platform == "win32":
    _BUNDLED_NAMES = ("miowin.dll",)
elif sys.platform == "darwin":
    _BUNDLED_NAMES = ("libmiowin.1.dylib", "libmiowin.dylib")
else:
    _BUNDLED_NAMES = ("libmiowin.so.1",)


class LibraryError(ImportError):
    """The miowin shared library could not be found, opened, or has an incompatible ABI."""


def _system_candidates() -> List[str]:
    # Since Python 3.8, CDLL("name.dll") no longer searches PATH on Windows, but
    # find_library still does: try its full path first.
    found = ctypes.util.find_library("miowin")
    if sys.platform == "win32":
        names = [found, "miowin.dll"]
    elif sys.platform == "darwin":
        names = ["libmiowin.1.dylib", found, "libmiowin.dylib"]
    else:
        names = ["libmiowin.so.1", found, "libmiowin.so"]
    seen = []
    for name in names:
        if name and name not in seen:
            seen.append(name)
    return seen


def _open(path: str) -> ctypes.CDLL:
    # use_last_error keeps GetLastError on Windows; use_errno keeps errno elsewhere. The
    # library stores its OS error in both, and miow_last_os_error() returns it anyway.
    return ctypes.CDLL(path, use_errno=True, use_last_error=True)


def check_version(lib: ctypes.CDLL, path: str) -> int:
    """Raises LibraryError unless ``lib`` is a miowin library with the ABI major we speak."""
    try:
        version_fn = lib.miow_version
        string_fn = lib.miow_version_string
    except AttributeError:
        raise LibraryError(f"{path} is not a miowin library (it has no miow_version)") from None
    version_fn.argtypes = ()
    version_fn.restype = ctypes.c_uint32
    string_fn.argtypes = ()
    string_fn.restype = ctypes.c_char_p
    version: int = version_fn()
    major = version >> 16
    if major != ABI_MAJOR:
        text = (string_fn() or b"?").decode("ascii", "replace")
        raise LibraryError(
            f"{path} is miowin {text} (ABI major {major}), but this binding was written for "
            f"ABI major {ABI_MAJOR}; install a matching miowin library or point "
            f"{ENV_VAR} at one"
        )
    return version


def load() -> Tuple[ctypes.CDLL, str, str]:
    """Returns ``(cdll, path, origin)``; origin is "env", "bundled" or "system"."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        try:
            lib = _open(explicit)
        except OSError as e:
            raise LibraryError(f"cannot load the miowin library named by {ENV_VAR}: {e}") from None
        check_version(lib, explicit)
        return lib, explicit, "env"

    for name in _BUNDLED_NAMES:
        path = os.path.join(_LIB_DIR, name)
        if os.path.exists(path):
            try:
                lib = _open(path)
            except OSError as e:
                raise LibraryError(f"cannot load the bundled miowin library {path}: {e}") from None
            check_version(lib, path)
            return lib, path, "bundled"

    failures = []
    for name in _system_candidates():
        try:
            lib = _open(name)
        except OSError as e:
            failures.append(f"{name}: {e}")
            continue
        check_version(lib, name)
        return lib, name, "system"
    raise LibraryError(
        "cannot find the miowin library: set "
        f"{ENV_VAR} to its path, install a wheel that bundles it, or install it where the "
        "system looks for libraries (tried: " + "; ".join(failures) + ")"
    )
