#!/usr/bin/env bash
# Sets up a fresh machine, cross-builds miowin and runs every test under Wine: the cmocka suites,
# the ABI checks, the demo and the docs build. Ends with "N passed, N failed"; exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh

build=build/mingw64
cmake --preset mingw64 >/dev/null
cmake --build --preset mingw64

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
ctest --preset mingw64 -j2 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

summary=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
if [ -z "$summary" ]; then
  echo "test.sh: ctest printed no summary (build dir $build)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
failed=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")
total=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$summary")
passed=$((total - failed))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
