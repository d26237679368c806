#!/usr/bin/env bash
# Sets up a fresh machine, builds miowin and runs every test: the x64 Windows build under the
# host's Wine 8 and again under Wine 10 (the cmocka suites, the ABI checks, the examples, the
# install tree, the docs build, the seeded misuse fuzzer, the stress and leak tests), the x86
# build under 32-bit Wine 10 (scripts/wine10.sh makes the Debian trixie root once), the previous
# release's suites against the new DLL (scripts/compat.sh), then the native Linux build plain,
# under AddressSanitizer and UndefinedBehaviorSanitizer, under valgrind, the stress tests under
# ThreadSanitizer, a short coverage-guided run of the fuzzer's libFuzzer entry point, and the
# bindings. Each run prints its counts and time; the last line is "N passed, N failed"; exits
# non-zero on any failure. A test that fails under Wine is run once more alone (rerun_alone).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh

total_passed=0
total_failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

notes=()
timings=()
# timed LABEL COMMAND...: runs the command and records how long it took; keeps its status.
timed() {
  local label=$1 start=$SECONDS status=0
  shift
  "$@" || status=$?
  timings+=("$(printf '%-34s %5ds' "$label" $((SECONDS - start)))")
  echo "test.sh: time: ${timings[-1]}"
  return "$status"
}

# build_preset NAME: configure and build one preset; a failure counts once.
build_preset() {
  echo "=== build $1"
  if ! cmake --preset "$1" >/dev/null || ! cmake --build --preset "$1"; then
    echo "test.sh: $1 failed to build" >&2
    total_failed=$((total_failed + 1))
    return 1
  fi
}

# run_ctest LABEL PRESET [CTEST ARGS...]: test a built preset, adding its counts to the totals.
run_ctest() {
  local label=$1 preset=$2 status summary failed total
  shift 2
  echo "=== $label"
  set +e
  ctest --preset "$preset" -j2 "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "test.sh: ctest printed no summary for $label" >&2
    total_failed=$((total_failed + 1))
    return
  fi
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  case "$preset" in mingw*) if [ "$failed" -gt 0 ]; then rerun_alone "$label" "$preset"; fi ;; esac
  echo "$label: $((total - failed)) passed, $failed failed"
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
}

# rerun_alone LABEL PRESET: under Wine only, the tests that failed in the parallel run are run
# once more, alone. About one Wine run in two had one test die of the prefix's wineserver and not
# of the library (a "wine client error" reset, a process that printed its last test's result and
# never exited), never the same test twice, and never reproduced alone. A test that passes alone
# counts as passed, and is named in the closing lines with its first output above; one that fails
# again counts as failed. Sets failed (run_ctest's) to the failures of the rerun.
rerun_alone() {
  local label=$1 preset=$2 names summary again
  names=$(sed -n -E 's/^[[:space:]]+[0-9]+ - ([A-Za-z0-9_]+) .*/\1/p' "$log" | tr '\n' ' ')
  echo "=== $label: run again alone: $names"
  set +e
  ctest --preset "$preset" --rerun-failed --output-on-failure 2>&1 | tee "$log"
  set -e
  summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  [ -n "$summary" ] || return 0
  again=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  if [ "$again" -lt "$failed" ]; then
    notes+=("FLAKY under $label: failed in the parallel run and passed alone: $names(failed again: $again)")
  fi
  failed=$again
}

# run_preset NAME: configure, build and test one preset.
run_preset() {
  if build_preset "$1"; then run_ctest "$1" "$1"; fi
}

# run_binding NAME SCRIPT: a binding's own test script, which ends with "NAME: N passed, N failed".
run_binding() {
  local name=$1 script=$2 status summary
  echo "=== $name"
  set +e
  bash "$script" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  summary=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "test.sh: $script printed no summary" >&2
    total_failed=$((total_failed + 1))
    return
  fi
  local passed failed
  passed=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$summary")
  failed=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$summary")
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

# run_libfuzzer SECONDS: the misuse fuzzer's libFuzzer entry point for a bounded time; one
# check, failed by any mismatch with the model, sanitizer report or crash.
run_libfuzzer() {
  echo "=== libfuzzer ($1 s)"
  if bash scripts/fuzz.sh --libfuzzer --seconds "$1" >"$log" 2>&1; then
    tail -n 2 "$log"
    total_passed=$((total_passed + 1))
  else
    tail -n 40 "$log"
    echo "test.sh: the libFuzzer run failed" >&2
    total_failed=$((total_failed + 1))
  fi
}

# The second Wine: made once (about 6 minutes, from the Debian registry), then reused.
wine10_ready=0
if timed "wine10 root" bash scripts/wine10.sh root >/dev/null; then
  wine10_ready=1
else
  echo "test.sh: the Wine 10 root (Debian trixie with wine32) cannot be made, so nothing runs under Wine 10" >&2
  notes+=("FAILED: the Wine 10 root cannot be made (see above); no Wine 10 runs")
  total_failed=$((total_failed + 1))
fi

timed "mingw64 (build, Wine 8)" run_preset mingw64
if [ "$wine10_ready" -eq 1 ]; then
  export MIOW_WINE=10   # scripts/wine.sh: the same binaries, under Wine 10
  timed "mingw64 under Wine 10" run_ctest "mingw64 under Wine 10" mingw64
  unset MIOW_WINE
fi
timed "compat (release suites)" run_binding compat scripts/compat.sh
if timed "build mingw32" build_preset mingw32; then
  export MIOWIN_MINGW32_BUILT=1   # bindings/python/test.sh: the win32 wheel is then required
  echo "wine10: the Wine 10 root is missing" >"$log"
  if [ "$wine10_ready" -eq 1 ] && bash scripts/wine10.sh x86 2>"$log"; then
    timed "mingw32 under 32-bit Wine 10" run_ctest "mingw32 under 32-bit Wine 10" mingw32
  else
    # The kernel cannot run 32-bit code: the x86 build is checked on the host only, and the
    # closing lines say so.
    reason=$(sed 's/^wine10: //' "$log")
    echo "test.sh: $reason" >&2
    timed "mingw32 host checks" run_ctest "mingw32 host checks (no 32-bit Wine)" mingw32 -L host
    notes+=("NOT RUN: the x86 build under 32-bit Wine 10: $reason")
  fi
fi
timed linux run_preset linux
timed linux-asan run_preset linux-asan
timed linux-valgrind run_preset linux-valgrind
timed linux-tsan run_preset linux-tsan
timed libfuzzer run_libfuzzer 20
timed python run_binding python bindings/python/test.sh
timed dotnet run_binding dotnet bindings/dotnet/test.sh

echo "=== times"
printf '%s\n' "${timings[@]}"
for note in "${notes[@]}"; do echo "test.sh: $note"; done
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
