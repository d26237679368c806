#!/usr/bin/env bash
# Builds the miowin wheels offline with Debian's pip and setuptools, each bundling one library:
#   - build/linux/src/libmiowin.so.1   -> py3-none-manylinux_2_<N>_x86_64, where 2.<N> is the
#     highest GLIBC_ symbol version the library needs (setup.py reads it from the ELF file; this
#     script checks it against readelf, and that the library needs nothing but glibc);
#   - build/mingw64/src/miowin.dll     -> py3-none-win_amd64;
#   - build/mingw32/src/miowin.dll     -> py3-none-win32, when that 32-bit build exists.
# Each is built from a copy of the package staged in a temporary directory (with the
# repository's LICENSE), so the source tree is never written to.
#
# Usage: build_wheels.sh [OUTDIR]   (default: build/python/wheels)
# Environment: PYTHON (default /usr/bin/python3), MIOWIN_LINUX_LIB, MIOWIN_WINDOWS_DLL,
#   MIOWIN_WINDOWS_X86_DLL.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
out=${1:-$root/build/python/wheels}
linux_lib=${MIOWIN_LINUX_LIB:-$root/build/linux/src/libmiowin.so.1}
windows_dll=${MIOWIN_WINDOWS_DLL:-$root/build/mingw64/src/miowin.dll}
windows_x86_dll=${MIOWIN_WINDOWS_X86_DLL:-$root/build/mingw32/src/miowin.dll}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
export PYTHONDONTWRITEBYTECODE=1

# expected_tag LIBRARY: the platform tag the wheel of LIBRARY must carry, found with binutils
# (independently of setup.py, which parses the files itself).
expected_tag() {
  local lib=$1 glibc needed
  case "$(od -An -c -N4 "$lib" | tr -d ' ')" in
    177ELF)
      needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
               grep -vxE 'libc\.so\.6|ld-linux-x86-64\.so\.2' || true)
      if [ -n "$needed" ]; then
        echo "build_wheels.sh: $lib needs $needed besides glibc: no manylinux tag fits" >&2
        return 1
      fi
      glibc=$(readelf -V "$lib" | grep -oE 'Name: GLIBC_[0-9]+\.[0-9]+' | grep -oE '[0-9]+\.[0-9]+' |
              sort -t. -k1,1n -k2,2n | tail -n 1)
      [ -n "$glibc" ] || { echo "build_wheels.sh: no GLIBC_ version in $lib" >&2; return 1; }
      echo "manylinux_${glibc%%.*}_${glibc#*.}_x86_64" ;;
    MZ*)
      case "$(objdump -f "$lib" 2>/dev/null | sed -n 's/.*file format //p')" in
        pei-x86-64) echo win_amd64 ;;
        pei-i386) echo win32 ;;
        *) echo "build_wheels.sh: $lib: unknown PE machine" >&2; return 1 ;;
      esac ;;
    *) echo "build_wheels.sh: $lib is neither ELF nor PE" >&2; return 1 ;;
  esac
}

# build_one LIBRARY NAME: stages the package with LIBRARY as miowin/_lib/NAME and builds a wheel.
build_one() {
  local lib=$1 name=$2 src="$stage/$(basename "$(dirname "$(dirname "$1")")")" before after wheel tag
  if [ ! -f "$lib" ]; then
    echo "build_wheels.sh: $lib not found; build it first" >&2
    return 1
  fi
  tag=$(expected_tag "$lib")
  mkdir -p "$src/miowin/_lib"
  cp "$here/pyproject.toml" "$here/setup.py" "$here/README.md" "$root/LICENSE" "$src/"
  cp "$here"/miowin/*.py "$here/miowin/py.typed" "$src/miowin/"
  cp -L "$lib" "$src/miowin/_lib/$name"
  before=$(ls "$out")
  "$python" -m pip wheel --no-build-isolation --no-deps --no-index --no-cache-dir \
    --disable-pip-version-check --quiet --wheel-dir "$out" "$src"
  after=$(ls "$out")
  wheel=$(comm -13 <(echo "$before") <(echo "$after") | grep '\.whl$' || true)
  if [ -z "$wheel" ]; then
    # Rebuilt over an identical name: find it by its expected library.
    wheel=$(cd "$out" && ls -t miowin-*.whl | head -n 1)
  fi
  "$python" - "$out/$wheel" "$name" "$tag" <<'EOF'
import sys, zipfile
path, lib, expected = sys.argv[1], sys.argv[2], sys.argv[3]
tag = path.rsplit("/", 1)[-1][:-4].split("-")[-3:]
if tag != ["py3", "none", expected]:
    sys.exit(f"build_wheels.sh: {path} is tagged {'-'.join(tag)}, expected py3-none-{expected}")
with zipfile.ZipFile(path) as z:
    names = z.namelist()
    if f"miowin/_lib/{lib}" not in names:
        sys.exit(f"build_wheels.sh: {path} does not bundle miowin/_lib/{lib}")
    wheel_meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
    meta = z.read(wheel_meta).decode()
    if f"Tag: {'-'.join(tag)}" not in meta or "Root-Is-Purelib: false" not in meta:
        sys.exit(f"build_wheels.sh: {path} has inconsistent WHEEL metadata:\n{meta}")
    libs = [n for n in names if n.startswith("miowin/_lib/")]
    if libs != [f"miowin/_lib/{lib}"]:
        sys.exit(f"build_wheels.sh: {path} bundles {libs}")
print(f"built {path} ({'-'.join(tag)}, bundles miowin/_lib/{lib})")
EOF
}

rm -f "$out"/miowin-*.whl
build_one "$linux_lib" libmiowin.so.1
build_one "$windows_dll" miowin.dll
if [ -f "$windows_x86_dll" ]; then
  build_one "$windows_x86_dll" miowin.dll
fi
