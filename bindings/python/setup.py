"""Build hook for the miowin wheel: a wheel that bundles the native library in miowin/_lib is
tagged py3-none-<platform of that library> (linux_x86_64, win_amd64, ...), not py3-none-any.
Everything else is declared in pyproject.toml.

The platform comes from the library's own header (ELF e_machine, PE Machine), so a Windows
wheel can be built on Linux; MIOWIN_WHEEL_PLATFORM overrides it.
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


def _elf_platform(path):
    with open(path, "rb") as f:
        header = f.read(20)
    if header[:4] != b"\x7fELF":
        raise SystemExit(f"{path} is not an ELF file")
    order = "<" if header[5] == 1 else ">"
    (machine,) = struct.unpack_from(order + "H", header, 18)
    return "linux_" + _ELF_MACHINES[machine]


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
if bdist_wheel is not None:

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
