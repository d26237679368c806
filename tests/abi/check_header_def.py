"""Checks that the functions declared in the public headers and the exports in def/miowin.def
are the same set, and that every declaration reads `MIOW_EXTERN <type> MIOW_CALL name(`.

Usage: check_header_def.py INCLUDE_DIR MIOWIN.DEF"""

import re
import sys

from abi_common import fail_if, parse_def, parse_headers, run_check


def check(include_dir, def_path):
    _, entries = parse_def(def_path)
    headers, decls = parse_headers(include_dir)
    print(f"{include_dir}: {len(headers)} headers, {len(decls)} declarations")
    problems, declared = [], {}
    for decl in decls:
        if decl.is_typedef:
            if not re.search(r"\(\s*MIOW_CALL\s*\*\s*\w+\s*\)", decl.text):
                problems.append(f"{decl.where}: function pointer type lacks MIOW_CALL")
            continue
        missing = [m for m in ("MIOW_EXTERN", "MIOW_CALL") if not re.search(rf"\b{m}\b", decl.text)]
        problems += [f"{decl.where}: declared without {macro}" for macro in missing]
        if decl.return_type is None and not missing:
            problems.append(f"{decl.where}: not of the form 'MIOW_EXTERN <type> MIOW_CALL name('")
        if decl.name in declared:
            problems.append(f"{decl.where}: also declared at {declared[decl.name].where}")
        declared[decl.name] = decl
    exported = dict(entries)
    for name, decl in declared.items():
        if name not in exported:
            problems.append(f"{decl.where}: declared but not exported by {def_path}")
    for name, ordinal in entries:
        if name not in declared:
            problems.append(f"{name} @{ordinal}: exported by the .def but declared in no header")
    fail_if(problems, "the headers and the .def disagree")
    for name, ordinal in entries:
        print(f"  ok @{ordinal:<3} {name:<24} {declared[name].path}:{declared[name].line}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
