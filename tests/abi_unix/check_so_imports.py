"""Checks that libmiowin.so needs only the C library (libc, and libpthread, libm or the dynamic
loader where the toolchain splits them out), plus libasan and libubsan when built sanitized.

Usage: check_so_imports.py READELF LIBMIOWIN.SO [--sanitized]"""

import re
import sys

from elf_common import fail_if, dynamic_entries, run_check

ALLOWED = re.compile(r"libc\.so\.6|libpthread\.so\.0|libm\.so\.6|ld-linux[-\w.]*\.so\.[0-9]+")
SANITIZER = re.compile(r"lib(?:asan|ubsan)\.so\.[0-9]+")
# Named separately so the failure says what went wrong.
KNOWN = {
    re.compile(r"libgcc_s\.so.*"): "needs libgcc's unwinder: something uses C++ or unwinding",
    re.compile(r"libstdc\+\+\.so.*"): "needs the C++ runtime",
    re.compile(r"lib(?:asan|ubsan)\.so.*"): "sanitizer runtime in a build without MIOW_SANITIZE",
}


def check(readelf, lib, *flags):
    if flags not in ((), ("--sanitized",)):
        sys.exit(__doc__)
    sanitized = bool(flags)
    needed = dynamic_entries(readelf, lib, "NEEDED")
    print(f"{lib} needs{' (sanitized build)' if sanitized else ''}: {', '.join(needed)}")
    problems = []
    if "libc.so.6" not in needed:
        problems.append("libc.so.6 is not among them: readelf's output was not understood")
    for name in needed:
        if ALLOWED.fullmatch(name) or sanitized and SANITIZER.fullmatch(name):
            continue
        why = [why for pattern, why in KNOWN.items() if pattern.fullmatch(name)]
        problems.append(f"{name} is not allowed: {why[0] if why else 'only the C library'}")
    fail_if(problems, f"{lib} needs libraries a host may not have")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
