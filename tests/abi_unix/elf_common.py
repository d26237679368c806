"""Helpers shared by the libmiowin.so checks: the header's version numbers and binutils' view of
an ELF file. Builds on tests/abi/abi_common.py, which it imports unchanged."""

import os
import pathlib
import re
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "abi"))
from abi_common import AbiError, fail_if, parse_def, run_check  # noqa: E402,F401


def header_version(include_dir):
    """Returns (major, minor, patch) from the MIOW_VERSION_* macros of miow/common.h."""
    path = pathlib.Path(include_dir) / "miow" / "common.h"
    text = path.read_text()
    version = []
    for part in ("MAJOR", "MINOR", "PATCH"):
        m = re.search(rf"^[ \t]*#[ \t]*define[ \t]+MIOW_VERSION_{part}[ \t]+([0-9]+)[ \t]*$",
                      text, re.M)
        if m is None:
            raise AbiError(f"{path}: no '#define MIOW_VERSION_{part} <number>'")
        version.append(int(m.group(1)))
    return tuple(version)


def tool_output(*argv):
    """Returns the stdout of argv, run in the C locale; a failure to run it is an AbiError."""
    argv = [str(a) for a in argv]
    try:
        return subprocess.run(argv, check=True, capture_output=True, text=True,
                              env={**os.environ, "LC_ALL": "C"}).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        detail = getattr(err, "stderr", "") or ""
        raise AbiError(f"cannot run {' '.join(argv)}: {err} {detail.strip()}") from err


def dynamic_entries(readelf, lib, tag):
    """Returns the bracketed values of the `tag` (NEEDED, SONAME) entries of `readelf -d`."""
    text = tool_output(readelf, "-d", "-W", lib)
    if not re.search(r"^Dynamic section at offset", text, re.M):
        raise AbiError(f"{lib} has no dynamic section: not a shared library?")
    return re.findall(rf"^\s*0x[0-9a-fA-F]+\s+\({tag}\)\s+[^[]*\[(.*)\]\s*$", text, re.M)
