"""Checks that def/miowin.def keeps every released export of def/miowin.abi under the same
ordinal, and that no ordinal in the .def is used twice.

Usage: check_baseline.py MIOWIN.ABI MIOWIN.DEF"""

import sys

from abi_common import fail_if, parse_baseline, parse_def, run_check


def check(abi_path, def_path):
    # parse_def also rejects a name or ordinal listed twice.
    _, entries = parse_def(def_path)
    released = parse_baseline(abi_path)
    print(f"{def_path}: {len(entries)} exports, ordinals unique")
    print(f"{abi_path}: {len(released)} released exports")
    by_name = dict(entries)
    by_ordinal = {ordinal: name for name, ordinal in entries}
    problems = []
    for ordinal, name in released:
        if by_name.get(name) == ordinal:
            continue
        if name not in by_name:
            problems.append(f"released export {ordinal} {name} was removed from the .def")
        else:
            problems.append(f"released export {name} moved from @{ordinal} to @{by_name[name]}")
        if ordinal in by_ordinal and by_ordinal[ordinal] != name:
            problems.append(f"released ordinal {ordinal} ({name}) is reused by "
                            f"{by_ordinal[ordinal]}")
    fail_if(problems, f"{def_path} breaks the released ABI in {abi_path}")
    for ordinal, name in released:
        print(f"  ok @{ordinal:<3} {name}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
