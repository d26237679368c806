"""Checks that miowin.dll imports only DLLs every Windows host has, so loading it never needs
libgcc's or winpthread's DLL or anything else shipped beside it.

Usage: check_imports.py OBJDUMP MIOWIN.DLL"""

import re
import sys

from abi_common import fail_if, objdump, parse_imports, run_check

ALLOWED = re.compile(r"kernel32\.dll|ws2_32\.dll|msvcrt\.dll|ucrtbase\.dll"
                     r"|api-ms-win-crt-[a-z0-9-]+\.dll", re.I)
# Named separately so the failure says what went wrong.
MINGW_RUNTIME = {
    re.compile(r"libgcc.*", re.I): "the link lost -static-libgcc",
    re.compile(r"libwinpthread.*", re.I): "something uses pthreads: use Win32 threads instead",
}


def check(objdump_path, dll):
    imports = parse_imports(objdump(objdump_path, dll))
    print(f"{dll} imports from {len(imports)} DLLs:")
    for name, symbols in imports.items():
        print(f"  {name}: {', '.join(symbols)}")
    problems = []
    if not imports:
        problems.append("found no imports at all: objdump's output was not understood")
    for name in imports:
        runtime = [why for pattern, why in MINGW_RUNTIME.items() if pattern.fullmatch(name)]
        if runtime:
            problems.append(f"{name} is a mingw runtime DLL hosts do not have: {runtime[0]}")
        elif not ALLOWED.fullmatch(name):
            problems.append(f"{name} is not allowed: only KERNEL32, WS2_32, msvcrt or the UCRT")
    fail_if(problems, f"{dll} imports DLLs a host may not have")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
