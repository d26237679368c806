#!/usr/bin/env bash
# Backward compatibility, proven: builds the cmocka suites of the newest release in def/releases
# from that release's own sources and headers (git archive of its commit), puts HEAD's
# miowin.dll beside them in place of the release's, and runs them under Wine 8. That is what a
# host relies on when it upgrades the DLL in place. A failing case passes only if
# def/compat-exceptions lists it for that release, with the reason its behaviour changed.
#   scripts/compat.sh [HEAD_BUILD_DIR]    (default build/mingw64, which must be built)
# Ends with "compat: N passed, N failed" (one count per suite); exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tree=$PWD
head_build=$(cd "${1:-build/mingw64}" && pwd)
head_dll="$head_build/src/miowin.dll"
cache=${MIOW_CACHE:-$HOME/.cache/miowin}

die() { printf 'compat: %s\n' "$*" >&2; echo "compat: 0 passed, 1 failed"; exit 1; }
[ -f "$head_dll" ] || die "no $head_dll: build the mingw64 preset first"

read -r version commit < <(grep -v '^#' def/releases | awk 'NF == 2' | tail -n 1)
[ -n "${commit:-}" ] || die "def/releases lists no release"
if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
  # A shallow clone may lack the release commit: fetch just that one.
  git fetch -q --depth=1 origin "$commit" 2>/dev/null ||
    die "release $version's commit $commit is not in this clone and could not be fetched"
fi

# exceptions: "SUITE CASE" for this release, from def/compat-exceptions.
declare -A excepted=()
while read -r rel suite case reason; do
  [ "$rel" = "$version" ] || continue
  [ -n "$reason" ] || die "def/compat-exceptions: $suite $case has no reason"
  excepted["$suite $case"]=$reason
done < <(grep -v '^[[:space:]]*#' def/compat-exceptions | awk 'NF > 0')

work="$tree/build/compat-$version"
src="$work/src"
build="$work/build"
if [ "$(cat "$work/commit" 2>/dev/null)" != "$commit" ]; then
  rm -rf "$work"
  mkdir -p "$src"
  git archive "$commit" | tar -x -C "$src"
  echo "$commit" >"$work/commit"
fi

echo "compat: the cmocka suites of release $version ($commit) against $head_dll"
cmake -S "$src" -B "$build" --toolchain "$src/cmake/toolchain-mingw64.cmake" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMIOW_BUILD_DOCS=OFF \
  -DCMOCKA_ROOT="$cache/cmocka-mingw64" >/dev/null
mapfile -t suites < <(ctest --test-dir "$build" -N | sed -n 's/^ *Test *#[0-9]*: \(test_[a-z0-9_]*\)$/\1/p')
[ ${#suites[@]} -gt 0 ] || die "release $version has no test_* suites"
cmake --build "$build" -j2 --target "${suites[@]}" >/dev/null

# The release's own DLL is replaced by HEAD's beside every suite, and checked to be HEAD's.
for suite in "${suites[@]}"; do
  exe=$(find "$build" -name "$suite.exe" -print -quit)
  cp "$head_dll" "$(dirname "$exe")/miowin.dll"
  cmp -s "$head_dll" "$(dirname "$exe")/miowin.dll" || die "could not put HEAD's DLL beside $exe"
done

run=("$tree/scripts/wine.sh" "$build" 8 win64)
"${run[@]}" wineboot.exe --init >/dev/null 2>&1
passed=0
failed=0
for suite in "${suites[@]}"; do
  exe=$(find "$build" -name "$suite.exe" -print -quit)
  out="$work/$suite.log"
  set +e
  (cd "$(dirname "$exe")" && timeout 300 "${run[@]}" "$exe") >"$out" 2>&1
  status=$?
  set -e
  sed -i 's/\r$//' "$out"   # Wine's console writes CRLF
  started=$(grep -c '^\[==========\] Running' "$out" || true)
  finished=$(grep -cE '^\[==========\] [0-9]+ test\(s\) run\.' "$out" || true)
  mapfile -t bad < <(sed -nE 's/^\[  (FAILED|ERROR)   ?\] ([A-Za-z_][A-Za-z0-9_]*)$/\2/p' "$out" | sort -u)
  verdict=pass
  if [ "$status" -ne 0 ]; then
    verdict=fail
    # Failed cases that are all excepted pass, if every group ran to its end.
    if [ "$started" -gt 0 ] && [ "$started" -eq "$finished" ] && [ ${#bad[@]} -gt 0 ]; then
      verdict=excepted
      for case in "${bad[@]}"; do
        [ -n "${excepted["$suite $case"]:-}" ] || verdict=fail
      done
    fi
  fi
  for key in "${!excepted[@]}"; do
    [ "${key%% *}" = "$suite" ] || continue
    case " ${bad[*]:-} " in
      *" ${key#* } "*) ;;
      *) echo "compat: note: excepted $key passes again; its line in def/compat-exceptions can go" ;;
    esac
  done
  case "$verdict" in
    pass) passed=$((passed + 1)); echo "compat: $suite passed" ;;
    excepted)
      passed=$((passed + 1))
      echo "compat: $suite passed; excepted failures: ${bad[*]}" ;;
    *)
      failed=$((failed + 1))
      echo "compat: $suite FAILED (exit $status; failed cases: ${bad[*]:-none reported})"
      tail -n 30 "$out" ;;
  esac
done
echo "compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
