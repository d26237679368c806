"""Where the library comes from: MIOWIN_LIBRARY, then the copy bundled in the package, then the
system search; and the refusal of a library whose ABI major is not 1. Each case imports a
fresh copy of the package in a subprocess."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import miowin
from miowin import _loader
from conftest import HERE

PACKAGE_DIR = os.path.dirname(os.path.abspath(miowin.__file__))
SOURCE_PACKAGE = os.path.normpath(os.path.join(HERE, "..", "miowin"))
LIB_NAME = "libmiowin.so.1"

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="the subprocess cases use the Linux library names"
)


def test_loaded_from_where_the_runner_said():
    """test.sh runs the suite twice: against the source tree with MIOWIN_LIBRARY set, and
    against the installed wheel with it unset (MIOWIN_EXPECT_BUNDLED=1)."""
    if os.environ.get("MIOWIN_EXPECT_BUNDLED") == "1":
        assert "MIOWIN_LIBRARY" not in os.environ
        assert miowin.library_origin == "bundled"
        assert miowin.library_path == os.path.join(PACKAGE_DIR, "_lib", LIB_NAME)
        assert PACKAGE_DIR != SOURCE_PACKAGE, "imported the source tree, not the wheel"
    elif os.environ.get("MIOWIN_LIBRARY"):
        assert miowin.library_origin == "env"
        assert miowin.library_path == os.environ["MIOWIN_LIBRARY"]


@pytest.fixture
def package(tmp_path):
    """A copy of the miowin package without any bundled library; returns (root, lib dir)."""
    root = tmp_path / "site"
    shutil.copytree(
        PACKAGE_DIR,
        root / "miowin",
        ignore=shutil.ignore_patterns("__pycache__", "_lib"),
    )
    return root, root / "miowin" / "_lib"


def real_library():
    return os.path.realpath(miowin.library_path)


def load(root, **env):
    """Imports miowin from ``root`` in a subprocess; returns (returncode, output)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MIOWIN_LIBRARY", "PYTHONPATH", "LD_LIBRARY_PATH")
    }
    clean.update({k: str(v) for k, v in env.items()})
    clean["PYTHONPATH"] = str(root)
    clean["PYTHONDONTWRITEBYTECODE"] = "1"
    code = textwrap.dedent(
        """
        import miowin
        print(miowin.library_origin, miowin.library_path, miowin.version_string())
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=str(root),
        env=clean,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.returncode, (proc.stdout + proc.stderr).strip()


def test_the_bundled_copy_is_used_without_the_variable(package):
    root, lib_dir = package
    lib_dir.mkdir()
    shutil.copy(real_library(), lib_dir / LIB_NAME)
    rc, out = load(root)
    assert rc == 0, out
    assert out == f"bundled {lib_dir / LIB_NAME} {miowin.version_string()}"


def test_the_variable_wins_over_the_bundled_copy(package, tmp_path):
    root, lib_dir = package
    lib_dir.mkdir()
    shutil.copy(real_library(), lib_dir / LIB_NAME)
    other = tmp_path / "elsewhere" / LIB_NAME
    other.parent.mkdir()
    shutil.copy(real_library(), other)
    rc, out = load(root, MIOWIN_LIBRARY=other)
    assert rc == 0, out
    assert out.startswith(f"env {other} ")


def test_the_system_search_comes_last(package, tmp_path):
    root, _ = package
    system = tmp_path / "system"
    system.mkdir()
    shutil.copy(real_library(), system / LIB_NAME)
    rc, out = load(root, LD_LIBRARY_PATH=system)
    assert rc == 0, out
    assert out.startswith(f"system {LIB_NAME} ")


def test_nothing_found_is_an_import_error(package):
    root, _ = package
    rc, out = load(root)
    assert rc != 0
    assert "LibraryError" in out and "cannot find the miowin library" in out
    assert "MIOWIN_LIBRARY" in out


def test_a_bad_variable_is_an_error_not_a_fallback(package):
    root, lib_dir = package
    lib_dir.mkdir()
    shutil.copy(real_library(), lib_dir / LIB_NAME)
    rc, out = load(root, MIOWIN_LIBRARY="/nonexistent/libmiowin.so.1")
    assert rc != 0
    assert "named by MIOWIN_LIBRARY" in out and "/nonexistent/libmiowin.so.1" in out


def test_a_broken_bundled_copy_is_an_error_not_a_fallback(package, tmp_path):
    root, lib_dir = package
    lib_dir.mkdir()
    (lib_dir / LIB_NAME).write_bytes(b"not a shared object")
    system = tmp_path / "system"
    system.mkdir()
    shutil.copy(real_library(), system / LIB_NAME)
    rc, out = load(root, LD_LIBRARY_PATH=system)
    assert rc != 0
    assert "cannot load the bundled miowin library" in out


def test_a_library_without_miow_version_is_refused(package):
    root, _ = package
    libc = "libc.so.6"
    rc, out = load(root, MIOWIN_LIBRARY=libc)
    assert rc != 0
    assert "is not a miowin library" in out


class FakeFunction:
    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value


class FakeLibrary:
    def __init__(self, version):
        self.miow_version = FakeFunction(version)
        self.miow_version_string = FakeFunction(
            b"%d.%d.%d" % (version >> 16, (version >> 8) & 0xFF, version & 0xFF)
        )


@pytest.mark.parametrize("version", [0x000900, 0x020000, 0x030102])
def test_another_abi_major_is_refused(version):
    with pytest.raises(ImportError) as ei:
        _loader.check_version(FakeLibrary(version), "/some/libmiowin.so")
    assert isinstance(ei.value, miowin.LibraryError)
    text = str(ei.value)
    assert f"ABI major {version >> 16}" in text and "ABI major 1" in text
    assert "/some/libmiowin.so" in text


@pytest.mark.parametrize("version", [0x010000, 0x010203, 0x01FFFF])
def test_any_version_with_major_1_is_accepted(version):
    assert _loader.check_version(FakeLibrary(version), "x") == version


def test_a_real_library_of_another_major_is_refused(package, tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build a stand-in library of ABI major 2")
    src = tmp_path / "fake.c"
    src.write_text(
        "unsigned miow_version(void) { return 2u << 16; }\n"
        'const char *miow_version_string(void) { return "2.0.0"; }\n'
    )
    fake = tmp_path / "libmiowin.so.2"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(fake), str(src)], check=True, timeout=60)
    root, _ = package
    rc, out = load(root, MIOWIN_LIBRARY=fake)
    assert rc != 0
    assert "LibraryError" in out
    assert "miowin 2.0.0 (ABI major 2)" in out and "ABI major 1" in out
