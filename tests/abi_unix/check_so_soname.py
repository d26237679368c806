"""Checks that libmiowin.so's SONAME carries the ABI major version of miow/common.h, and that the
build made the link chain libmiowin.so -> libmiowin.so.MAJOR -> libmiowin.so.MAJOR.MINOR.PATCH.

Usage: check_so_soname.py READELF LIBMIOWIN.SO INCLUDE_DIR  (the unversioned link name)"""

import os
import pathlib
import sys

from elf_common import fail_if, dynamic_entries, header_version, run_check

LINK_NAME = "libmiowin.so"


def check(readelf, link, include_dir):
    major, minor, patch = header_version(include_dir)
    link = pathlib.Path(link)
    soname = f"{LINK_NAME}.{major}"
    real = f"{soname}.{minor}.{patch}"
    problems = []
    if link.name != LINK_NAME:
        problems.append(f"{link} is not named {LINK_NAME}")
    # Each link must point at the next name, relative and in the same directory.
    for name, target in ((link.name, soname), (soname, real)):
        path = link.parent / name
        if not path.is_symlink():
            problems.append(f"{path} is not a symbolic link")
        elif os.readlink(path) != target:
            problems.append(f"{path} points at {os.readlink(path)}, not {target}")
    real_path = link.parent / real
    if real_path.is_symlink() or not real_path.is_file():
        problems.append(f"{real_path} is not a regular file")
    fail_if(problems, f"{link.parent} lacks the link chain {LINK_NAME} -> {soname} -> {real}")
    sonames = dynamic_entries(readelf, real_path, "SONAME")
    print(f"{real_path}: SONAME {sonames}")
    fail_if([] if sonames == [soname] else [f"SONAME is {sonames or 'missing'}, not [{soname}]"],
            f"{real_path} does not carry the ABI major version {major} of {include_dir}")
    print(f"  ok {LINK_NAME} -> {soname} -> {real}, SONAME {soname}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    run_check(lambda: check(*sys.argv[1:]))
