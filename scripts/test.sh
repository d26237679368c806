#!/usr/bin/env bash
# Sets up a fresh machine, builds miowin and runs every test: the Windows build under Wine (the
# cmocka suites, the ABI checks, the demo and the docs build, the seeded misuse fuzzer, the
# stress and leak tests), then the native Linux build plain, under AddressSanitizer and
# UndefinedBehaviorSanitizer, under valgrind, and the stress tests under ThreadSanitizer, then a
# short coverage-guided run of the fuzzer's libFuzzer entry point. Ends with "N passed, N
# failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh

total_passed=0
total_failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_preset NAME: configure, build and test one preset, adding its counts to the totals.
run_preset() {
  local preset=$1 status summary failed total
  echo "=== $preset"
  if ! cmake --preset "$preset" >/dev/null || ! cmake --build --preset "$preset"; then
    echo "test.sh: $preset failed to build" >&2
    total_failed=$((total_failed + 1))
    return
  fi
  set +e
  ctest --preset "$preset" -j2 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "test.sh: ctest printed no summary for $preset" >&2
    total_failed=$((total_failed + 1))
    return
  fi
  failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
  total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + total - failed))
  total_failed=$((total_failed + failed))
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

run_preset mingw64
run_preset linux
run_preset linux-asan
run_preset linux-valgrind
run_preset linux-tsan
run_libfuzzer 20
run_binding python bindings/python/test.sh
run_binding dotnet bindings/dotnet/test.sh

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
