#!/usr/bin/env bash
# Builds the miowin wheels offline with Debian's pip and setuptools: a Linux wheel bundling
# build/linux/src/libmiowin.so.1 (tag py3-none-linux_<arch>) and a Windows wheel bundling
# build/mingw64/src/miowin.dll (tag py3-none-win_amd64). Each is built from a copy of the
# package staged in a temporary directory, so the source tree is never written to.
#
# Usage: build_wheels.sh [OUTDIR]   (default: build/python/wheels)
# Environment: PYTHON (default /usr/bin/python3), MIOWIN_LINUX_LIB, MIOWIN_WINDOWS_DLL.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
out=${1:-$root/build/python/wheels}
linux_lib=${MIOWIN_LINUX_LIB:-$root/build/linux/src/libmiowin.so.1}
windows_dll=${MIOWIN_WINDOWS_DLL:-$root/build/mingw64/src/miowin.dll}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$out"
export PYTHONDONTWRITEBYTECODE=1

# build_one LIBRARY NAME: stages the package with LIBRARY as miowin/_lib/NAME and builds a wheel.
build_one() {
  local lib=$1 name=$2 src="$stage/$2" before after wheel
  if [ ! -f "$lib" ]; then
    echo "build_wheels.sh: $lib not found; build it first" >&2
    return 1
  fi
  mkdir -p "$src/miowin/_lib"
  cp "$here/pyproject.toml" "$here/setup.py" "$here/README.md" "$src/"
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
  "$python" - "$out/$wheel" "$name" <<'EOF'
import sys, zipfile
path, lib = sys.argv[1], sys.argv[2]
tag = path.rsplit("/", 1)[-1][:-4].split("-")[-3:]
if tag[2] == "any":
    sys.exit(f"build_wheels.sh: {path} is not platform-tagged")
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
