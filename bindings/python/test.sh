#!/usr/bin/env bash
# Tests the Python binding, after build/linux (and build/mingw64, for the Windows wheel) exist:
#   1. pytest against the source tree, with MIOWIN_LIBRARY=build/linux/src/libmiowin.so.1;
#   1b. CPython's asyncio tests on the default and the miowin loop (cpython/run_asyncio_suite.py);
#   2. build_wheels.sh: the Linux and Windows wheels, into build/python/wheels (win32 too when
#      build/mingw32 is built; it must then be there, and so it must when scripts/test.sh says
#      it built mingw32, with MIOWIN_MINGW32_BUILT=1);
#   3. pytest again from a fresh venv with the Linux wheel installed and MIOWIN_LIBRARY unset,
#      so the installed package and its bundled library are what is tested.
# Everything it writes goes under build/python; the source tree is left as it was. Prints each
# pytest summary line, ends with "python: N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${PYTHON:-/usr/bin/python3}
out=$root/build/python
lib=$root/build/linux/src/libmiowin.so.1

if [ ! -e "$lib" ]; then
  echo "python/test.sh: $lib not found; build the linux preset first" >&2
  exit 1
fi

# No __pycache__ or .pytest_cache in the source tree.
export PYTHONDONTWRITEBYTECODE=1
unset PYTHONPATH MIOWIN_LIBRARY MIOWIN_EXPECT_BUNDLED MIOWIN_EXPECT_WIN32

# The win32 wheel is required, not optional, once the 32-bit DLL exists or was just built.
expect_win32=0
if [ -e "$root/build/mingw32/src/miowin.dll" ] || [ "${MIOWIN_MINGW32_BUILT:-0}" = 1 ]; then
  expect_win32=1
fi

rm -rf "$out"
mkdir -p "$out"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

passed=0
failed=0
summaries=()

# run_pytest LABEL PYTHON [ENV...]: runs the suite from $out (so that the working directory puts
# nothing from the source tree on sys.path) and adds its counts to the totals.
run_pytest() {
  local label=$1 py=$2 status summary n
  shift 2
  echo "=== python: $label"
  set +e
  (cd "$out" && env "$@" "$py" -m pytest -p no:cacheprovider -c "$here/pytest.ini" \
    --rootdir "$here" "$here/tests") 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  summary=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* in [0-9.]+s' "$log" |
    tail -n 1 || true)
  summary=$(sed -E 's/^=+ //; s/ =+$//' <<<"$summary")
  summaries+=("$label: ${summary:-no pytest summary}")
  n=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
  passed=$((passed + n))
  n=0
  for count in $(grep -oE '[0-9]+ (failed|errors?)' <<<"$summary" | grep -oE '[0-9]+' || true); do
    n=$((n + count))
  done
  if [ "$status" -ne 0 ] && [ "$n" -eq 0 ]; then n=1; fi
  failed=$((failed + n))
}

# check LABEL COMMAND...: runs a one-verdict step and counts it as one pass or one failure.
check() {
  local label=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    summaries+=("$label: ok")
  else
    failed=$((failed + 1))
    summaries+=("$label: FAILED (see above)")
  fi
}

# The type check (Debian's mypy): the package under --strict for the oldest Python it claims,
# on Linux and on Windows, and a program using its public API (typecheck/usage.py), whose
# misuses the hints must catch.
mypy_source() {
  local platform
  for platform in linux win32; do
    (cd "$here" && "$python" -m mypy --strict --cache-dir "$out/mypy-cache" --python-version 3.8 \
      --platform "$platform" miowin) || return 1
  done
  (cd "$here" && MYPYPATH="$here" "$python" -m mypy --strict --cache-dir "$out/mypy-cache" \
    typecheck/usage.py)
}

# The installed wheel carries its hints: the usage program type-checks against it alone.
mypy_wheel() {
  cp "$here/typecheck/usage.py" "$out/usage.py"
  (cd "$out" && "$out/venv/bin/python" -m mypy --strict --cache-dir "$out/mypy-cache-wheel" \
    usage.py)
}

# The 32-bit DLL was built, so build_wheels.sh must have made its wheel.
win32_wheel() {
  compgen -G "$out/wheels/miowin-*-py3-none-win32.whl" >/dev/null && return 0
  echo "python/test.sh: build/mingw32 was built, but there is no win32 wheel" >&2
  return 1
}

# CPython's asyncio suite on the default loop and on the miowin loop, compared test by test
# against the exceptions listed in docs/python-asyncio-suite.md.
asyncio_suite() {
  (cd "$out" && env MIOWIN_LIBRARY="$lib" PYTHONPATH="$here" "$python" \
    "$here/cpython/run_asyncio_suite.py" --keep "$out/asyncio-suite")
}

run_pytest "source tree" "$python" MIOWIN_LIBRARY="$lib" PYTHONPATH="$here"

echo "=== python: mypy"
check "mypy --strict, package (linux, win32) and typecheck/usage.py" mypy_source
echo "=== python: CPython asyncio suite"
check "CPython asyncio suite against docs/python-asyncio-suite.md" asyncio_suite

echo "=== python: wheels"
if bash "$here/build_wheels.sh" "$out/wheels"; then
  "$python" -m venv --system-site-packages "$out/venv"
  linux_wheel=$(ls "$out"/wheels/miowin-*-manylinux_*.whl)
  "$out/venv/bin/python" -m pip install --no-index --no-deps --no-cache-dir \
    --disable-pip-version-check --quiet "$linux_wheel"
  run_pytest "installed wheel" "$out/venv/bin/python" MIOWIN_EXPECT_BUNDLED=1 \
    MIOWIN_WHEEL_DIR="$out/wheels" MIOWIN_EXPECT_WIN32="$expect_win32"
  if [ "$expect_win32" -eq 1 ]; then
    check "win32 wheel built from build/mingw32" win32_wheel
  fi
  check "mypy --strict against the installed wheel (py.typed)" mypy_wheel

  # Every other CPython that pyenv has, from the floor of requires-python up: the wheel installed
  # in a venv of its own, then the tests (the docs' examples among them) with Debian's
  # pure-Python pytest, pytest-timeout and their dependencies lent through PYTHONPATH (pyenv's
  # interpreters have no pytest, and no package index is reachable).
  floor=$(sed -n 's/^requires-python = ">=\([0-9.]*\)"/\1/p' "$here/pyproject.toml")
  shim=$out/pytest-shim
  mkdir -p "$shim"
  for pkg in _pytest pytest pluggy iniconfig packaging py py.py pytest_timeout.py attr \
             exceptiongroup tomli; do
    [ -e "/usr/lib/python3/dist-packages/$pkg" ] && ln -s "/usr/lib/python3/dist-packages/$pkg" "$shim/"
  done
  # Their metadata too: pytest finds the pytest-timeout plugin through its entry point.
  ln -s /usr/lib/python3/dist-packages/{pytest,pytest_timeout,pluggy,iniconfig,packaging,attrs,exceptiongroup,tomli}-*info \
    "$shim/" 2>/dev/null || true
  found_floor=0
  for py in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3; do
    [ -x "$py" ] || continue
    v=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    if ! "$py" -c "import sys; sys.exit(sys.version_info[:2] < tuple(map(int, '$floor'.split('.'))))"; then
      continue
    fi
    [ "$v" = "$floor" ] && found_floor=1
    venv=$out/venv-$(basename "$(dirname "$(dirname "$py")")")
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --no-index --no-deps --no-cache-dir \
      --disable-pip-version-check --quiet "$linux_wheel"
    run_pytest "installed wheel, Python $("$py" -c 'import platform; print(platform.python_version())')" \
      "$venv/bin/python" MIOWIN_EXPECT_BUNDLED=1 PYTHONPATH="$shim"
  done
  if [ "$found_floor" -eq 0 ]; then
    echo "python/test.sh: no pyenv Python $floor here: the requires-python floor went unchecked" >&2
    summaries+=("warning: no Python $floor to check the requires-python floor on")
  fi
else
  echo "python/test.sh: building the wheels failed" >&2
  summaries+=("wheels: build failed")
  failed=$((failed + 1))
fi

for s in "${summaries[@]}"; do echo "python: $s"; done
echo "python: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
