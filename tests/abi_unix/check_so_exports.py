"""Checks that libmiowin.so defines exactly the dynamic symbols def/miowin.def lists, each a
global default-visibility function bound to the version node MIOWIN_<MIOW_VERSION_MAJOR>.

Usage: check_so_exports.py NM READELF LIBMIOWIN.SO MIOWIN.DEF INCLUDE_DIR"""

import re
import sys

from elf_common import AbiError, fail_if, header_version, parse_def, run_check, tool_output


def nm_defined(nm, lib):
    """Returns {name: nm type letter} for `nm -D --defined-only`, version suffixes stripped."""
    symbols = {}
    for line in tool_output(nm, "-D", "--defined-only", lib).splitlines():
        m = re.fullmatch(r"[0-9a-fA-F]*\s+([A-Za-z])\s+([^@\s]+)(@@?\S+)?", line.strip())
        if m is None:
            if line.strip():
                raise AbiError(f"cannot parse nm line {line!r}")
            continue
        symbols[m.group(2)] = m.group(1)
    return symbols


def readelf_defined(readelf, lib):
    """Returns {name: (type, bind, visibility, '@@version' or '@version' or '')} of defined
    dynamic symbols, from `readelf --dyn-syms -W`."""
    symbols = {}
    row = re.compile(r"\s*\d+:\s+[0-9a-fA-F]+\s+\S+\s+(\w+)\s+(\w+)\s+(\w+)\s+(\w+)\s+"
                     r"([^@\s]+)(@@?\S+)?(?:\s+\(\d+\))?\s*")
    for line in tool_output(readelf, "--dyn-syms", "-W", lib).splitlines():
        m = row.fullmatch(line)
        if m and m.group(4) != "UND" and m.group(5):
            symbols[m.group(5)] = (m.group(1), m.group(2), m.group(3), m.group(6) or "")
    return symbols


def check(nm, readelf, lib, def_path, include_dir):
    _, entries = parse_def(def_path)
    node = f"MIOWIN_{header_version(include_dir)[0]}"
    exported = nm_defined(nm, lib)
    attrs = readelf_defined(readelf, lib)
    print(f"{lib}: {len(exported)} defined dynamic symbols; {def_path}: {len(entries)} exports; "
          f"expected version node {node}")
    problems = []
    if exported.pop(node, None) != "A":
        problems.append(f"the version node {node} is not defined (no absolute symbol {node})")
    for name, ordinal in entries:
        if name not in exported:
            problems.append(f"missing: {name} (@{ordinal} in the .def) is not exported")
            continue
        kind, bind, vis, version = attrs.get(name, ("?", "?", "?", ""))
        if (kind, bind, vis) != ("FUNC", "GLOBAL", "DEFAULT"):
            problems.append(f"{name} is {kind} {bind} {vis}, not a FUNC GLOBAL DEFAULT")
        if version != f"@@{node}":
            problems.append(f"{name} has version '{version or 'none'}', not the default "
                            f"@@{node}")
    names = {name for name, _ in entries}
    for name, letter in sorted(exported.items()):
        if name not in names:
            problems.append(f"extra: {name} (nm type {letter}) is exported but not in the .def")
    fail_if(problems, f"{lib} does not export what {def_path} lists")
    for name, ordinal in entries:
        print(f"  ok {name}@@{node}")


if __name__ == "__main__":
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
