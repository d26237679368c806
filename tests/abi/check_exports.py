"""Checks that miowin.dll's export table (names and ordinals) is exactly what def/miowin.def
lists: nothing missing, nothing extra, nothing renumbered, no ordinal-only or forwarded export.

Usage: check_exports.py OBJDUMP MIOWIN.DLL MIOWIN.DEF"""

import sys

from abi_common import AbiError, fail_if, objdump, parse_def, parse_exports, run_check


def check(objdump_path, dll, def_path):
    library, entries = parse_def(def_path)
    expected = dict(entries)
    dll_name, names, address_table = parse_exports(objdump(objdump_path, dll))
    print(f"{dll}: export name {dll_name}, {len(names)} names, {len(address_table)} addresses")
    print(f"{def_path}: LIBRARY {library}, {len(expected)} exports")

    problems = []
    if dll_name.lower() != library.lower():
        problems.append(f"the DLL calls itself {dll_name}, the .def says LIBRARY {library}")
    for name, ordinal in entries:
        if name not in names:
            problems.append(f"missing: {name} @{ordinal}")
        elif names[name] != ordinal:
            problems.append(f"renumbered: {name} is @{names[name]} in the DLL, "
                            f"@{ordinal} in the .def")
    for name, ordinal in sorted(names.items(), key=lambda item: item[1]):
        if name not in expected:
            problems.append(f"extra: {name} @{ordinal} is exported but not in the .def")
    named_ordinals = set(names.values())
    for ordinal, kind in sorted(address_table.items()):
        if ordinal not in named_ordinals:
            problems.append(f"extra: ordinal {ordinal} is exported without a name")
        if kind != "Export":
            problems.append(f"ordinal {ordinal} is a {kind} entry, not code in miowin.dll")
    fail_if(problems, f"{dll} does not export what {def_path} lists")
    for name, ordinal in entries:
        print(f"  ok @{ordinal:<3} {name}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
