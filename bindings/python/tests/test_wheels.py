"""The wheels that build_wheels.sh made carry honest tags and complete metadata, read back from
the files. test.sh sets MIOWIN_WHEEL_DIR for the run against the installed wheel; without it
(a run on the source tree alone) there are no wheels to read and these tests skip."""

import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile

import pytest

WHEEL_DIR = os.environ.get("MIOWIN_WHEEL_DIR")
#: Set by test.sh when the 32-bit DLL (build/mingw32) was built: the win32 wheel must be there.
EXPECT_WIN32 = os.environ.get("MIOWIN_EXPECT_WIN32") == "1"
pytestmark = [
    pytest.mark.skipif(not WHEEL_DIR, reason="no wheels built in this run (MIOWIN_WHEEL_DIR)"),
    pytest.mark.timeout(60),
]

NAME = re.compile(r"^miowin-(?P<version>[^-]+)-py3-none-(?P<platform>[a-z0-9_]+)\.whl$")


def wheels():
    found = {}
    for name in sorted(os.listdir(WHEEL_DIR)):
        if name.endswith(".whl"):
            m = NAME.match(name)
            assert m, f"unexpected wheel name {name}"
            found[m.group("platform")] = os.path.join(WHEEL_DIR, name)
    return found


def read(wheel, suffix):
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(suffix)]
        return z.read(name)


def highest_glibc(library_bytes, tmp_path):
    """The highest GLIBC_x.y that readelf lists among the library's needed versions."""
    path = tmp_path / "libmiowin.so.1"
    path.write_bytes(library_bytes)
    out = subprocess.run(
        ["readelf", "-V", str(path)], capture_output=True, text=True, check=True
    ).stdout
    versions = {tuple(map(int, v.split("."))) for v in re.findall(r"Name: GLIBC_(\d+\.\d+)", out)}
    return max(versions)


def test_one_manylinux_and_one_win_amd64_wheel():
    platforms = set(wheels())
    linux = [p for p in platforms if p.startswith("manylinux_")]
    assert len(linux) == 1 and re.match(r"^manylinux_2_\d+_x86_64$", linux[0]), platforms
    assert "win_amd64" in platforms
    assert platforms - {linux[0], "win_amd64", "win32"} == set()


@pytest.mark.skipif(shutil.which("readelf") is None, reason="needs binutils' readelf")
def test_manylinux_tag_is_the_glibc_the_library_needs(tmp_path):
    (platform,) = [p for p in wheels() if p.startswith("manylinux_")]
    library = read(wheels()[platform], "miowin/_lib/libmiowin.so.1")
    major, minor = highest_glibc(library, tmp_path)
    assert platform == f"manylinux_{major}_{minor}_x86_64"


def test_the_manylinux_wheel_installs_here():
    # What pip checks before installing: the tag is among this interpreter's supported ones.
    tags = pytest.importorskip("packaging.tags")
    (platform,) = [p for p in wheels() if p.startswith("manylinux_")]
    supported = {str(t) for t in tags.sys_tags()}
    if sys.platform.startswith("linux"):
        assert f"py3-none-{platform}" in supported


@pytest.mark.parametrize("platform", ["manylinux", "win_amd64", "win32"])
def test_wheel_metadata(platform):
    matches = [p for p in wheels() if p.startswith(platform)]
    if not matches:
        assert platform == "win32", f"no {platform} wheel"
        assert not EXPECT_WIN32, "the 32-bit DLL was built, but there is no win32 wheel"
        pytest.skip("no win32 wheel (no 32-bit DLL built)")
    wheel = wheels()[matches[0]]
    meta = read(wheel, ".dist-info/WHEEL").decode()
    assert f"Tag: py3-none-{matches[0]}" in meta.splitlines()
    assert "Root-Is-Purelib: false" in meta.splitlines()
    metadata = read(wheel, ".dist-info/METADATA").decode()
    headers, _, readme = metadata.partition("\n\n")
    assert "License: MIT" in headers.splitlines()
    assert "License-File: LICENSE" in headers.splitlines()
    assert "Requires-Python: >=3.8" in headers.splitlines()
    assert b"Permission is hereby granted" in read(wheel, ".dist-info/LICENSE")
    assert read(wheel, "miowin/py.typed") == b""
    # The README works outside the repository: no relative links or images.
    targets = re.findall(r"\]\(([^)]*)\)", readme)
    assert readme.startswith("# miowin for Python")
    assert [t for t in targets if not t.startswith(("https://", "http://"))] == []


def pe_machine(dll):
    """The COFF machine and optional-header magic of a PE file: (0x8664, 0x20B) for x64 (PE32+),
    (0x14C, 0x10B) for i386 (PE32)."""
    assert dll[:2] == b"MZ", "not a PE file"
    (pe,) = struct.unpack_from("<I", dll, 0x3C)
    assert dll[pe:pe + 4] == b"PE\0\0", "no PE signature"
    (machine,) = struct.unpack_from("<H", dll, pe + 4)
    (magic,) = struct.unpack_from("<H", dll, pe + 24)
    return machine, magic


@pytest.mark.parametrize(
    "platform, machine, magic", [("win_amd64", 0x8664, 0x20B), ("win32", 0x14C, 0x10B)]
)
def test_windows_wheel_bundles_the_dll_of_its_machine(platform, machine, magic):
    if platform not in wheels():
        assert platform == "win32" and not EXPECT_WIN32, f"no {platform} wheel"
        pytest.skip("no win32 wheel (no 32-bit DLL built)")
    dll = read(wheels()[platform], "miowin/_lib/miowin.dll")
    assert pe_machine(dll) == (machine, magic)
