"""Build hook for the miowin wheel: a wheel that bundles the native library in miowin/_lib is
tagged py3-none-<platform of that library>, not py3-none-any. Everything else is declared in
pyproject.toml.

The platform comes from the library itself, so a Windows wheel can be built on Linux:

- Windows: the PE header's Machine (win_amd64, win32, win_arm64);
- Linux: manylinux_2_<N>_<arch>, where 2.<N> is the highest GLIBC_ symbol version that the
  library's .gnu.version_r section says it needs (the oldest glibc it loads with, which is
  what the manylinux tag promises), and the ELF e_machine. Only libc and the dynamic loader
  may be needed (DT_NEEDED), as manylinux allows no other dependency here.

MIOWIN_WHEEL_PLATFORM overrides the result.
"""

import os
import struct

from setuptools import Distribution, setup

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1 keeps it in the wheel package
    try:
        from wheel.bdist_wheel import bdist_wheel
    except ImportError:  # no wheel support at all: setuptools will say so if one is built
        bdist_wheel = None

LIB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "miowin", "_lib")

_ELF_MACHINES = {3: "i686", 62: "x86_64", 183: "aarch64"}
_PE_MACHINES = {0x14C: "win32", 0x8664: "win_amd64", 0xAA64: "win_arm64"}


_SHT_GNU_VERNEED = 0x6FFFFFFE
_SHT_DYNAMIC = 6
_DT_NEEDED = 1
#: What a manylinux wheel's library may need from the system besides glibc's own libraries.
_ALLOWED_NEEDED = ("libc.so.6", "ld-linux-x86-64.so.2", "ld-linux.so.2", "ld-linux-aarch64.so.1")


def _elf_dependencies(path):
    """``(machine, needed libraries, GLIBC_x.y versions needed)`` of a 64-bit little-endian ELF
    shared object, read from its section headers, .dynamic and .gnu.version_r."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        raise SystemExit(f"{path} is not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise SystemExit(f"{path}: only 64-bit little-endian ELF is supported")
    (machine,) = struct.unpack_from("<H", data, 18)
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = []
    for i in range(shnum):
        name, kind, _flags, _addr, offset, size, link = struct.unpack_from(
            "<IIQQQQI", data, shoff + i * shentsize
        )
        sections.append((kind, offset, size, link))

    def string(table, at):
        start = sections[table][1] + at
        return data[start : data.index(b"\0", start)].decode("ascii")

    needed, versions = [], set()
    for kind, offset, size, link in sections:
        if kind == _SHT_DYNAMIC:
            for at in range(offset, offset + size, 16):
                tag, value = struct.unpack_from("<qQ", data, at)
                if tag == _DT_NEEDED:
                    needed.append(string(link, value))
        elif kind == _SHT_GNU_VERNEED:
            at = offset
            while True:
                _version, count, _file, aux, following = struct.unpack_from("<HHIII", data, at)
                entry = at + aux
                for _ in range(count):
                    _hash, _flags, _other, name, next_aux = struct.unpack_from("<IHHII", data, entry)
                    versions.add(string(link, name))
                    entry += next_aux
                if not following:
                    break
                at += following
    return machine, needed, versions


def glibc_needed(path):
    """The highest ``(2, N)`` among the GLIBC_ versions the library needs, and its needed
    libraries; raises SystemExit for anything a manylinux wheel cannot carry."""
    machine, needed, versions = _elf_dependencies(path)
    extra = [n for n in needed if n not in _ALLOWED_NEEDED]
    if extra:
        raise SystemExit(f"{path} needs {extra}: a manylinux wheel may only need glibc")
    glibc = []
    for v in versions:
        if v.startswith("GLIBC_") and v[6:].replace(".", "").isdigit():
            glibc.append(tuple(int(p) for p in v[6:].split(".")))
    if not glibc:
        raise SystemExit(f"{path} needs no GLIBC_ symbol version: cannot tag it")
    return max(glibc)[:2], machine


def _elf_platform(path):
    (major, minor), machine = glibc_needed(path)
    return f"manylinux_{major}_{minor}_{_ELF_MACHINES[machine]}"


def _pe_platform(path):
    with open(path, "rb") as f:
        data = f.read(4096)
    if data[:2] != b"MZ":
        raise SystemExit(f"{path} is not a PE file")
    (pe_offset,) = struct.unpack_from("<I", data, 0x3C)
    if data[pe_offset : pe_offset + 4] != b"PE\0\0":
        raise SystemExit(f"{path} has no PE header")
    (machine,) = struct.unpack_from("<H", data, pe_offset + 4)
    return _PE_MACHINES[machine]


def bundled_platform():
    override = os.environ.get("MIOWIN_WHEEL_PLATFORM")
    if override:
        return override
    dll = os.path.join(LIB_DIR, "miowin.dll")
    so = os.path.join(LIB_DIR, "libmiowin.so.1")
    if os.path.exists(dll) and os.path.exists(so):
        raise SystemExit("miowin/_lib holds both a Linux and a Windows library: stage one only")
    if os.path.exists(dll):
        return _pe_platform(dll)
    if os.path.exists(so):
        return _elf_platform(so)
    return None


class PlatformDistribution(Distribution):
    """With a bundled library the package is platform-specific: installed into platlib."""

    def has_ext_modules(self):
        return bundled_platform() is not None


cmdclass = {}
if bdist_wheel is None:
    from setuptools import Command

    class NoBdistWheel(Command):
        """Stands in for bdist_wheel where neither setuptools (70.1+) nor the wheel package
        provides it, so that pip says what to do instead of "invalid command". setuptools'
        own dist_info command creates it too, so it stops as soon as it is created."""

        user_options = []

        def initialize_options(self):
            raise SystemExit(
                "building a miowin wheel needs setuptools 70.1 or later, or the 'wheel' "
                "package, in this interpreter. Either build the wheels with Debian's python3 "
                "(bindings/python/build_wheels.sh) and pip install the .whl file, or install "
                "python3-wheel and use a venv made with --system-site-packages"
            )

        def finalize_options(self):
            pass

        def run(self):
            pass

    cmdclass["bdist_wheel"] = NoBdistWheel
else:

    class BdistWheel(bdist_wheel):
        def finalize_options(self):
            self.miowin_platform = bundled_platform()
            super().finalize_options()

        def get_tag(self):
            if self.miowin_platform:
                return ("py3", "none", self.miowin_platform)
            return super().get_tag()

    cmdclass["bdist_wheel"] = BdistWheel


setup(distclass=PlatformDistribution, cmdclass=cmdclass)
