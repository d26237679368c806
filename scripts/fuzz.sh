#!/usr/bin/env bash
# Long runs of the misuse fuzzer (tests/fuzz), and reproducing a failure.
#
#   scripts/fuzz.sh [--minutes M]                 seeds from the clock for M minutes (default 10),
#                                                 native, under ASan and UBSan
#   scripts/fuzz.sh --seeds FIRST:COUNT [--steps N]   a range of seeds
#   scripts/fuzz.sh --seed N [--steps N]          one seed again, printing every call
#   scripts/fuzz.sh --wine ...                    any of the above against miowin.dll under Wine
#   scripts/fuzz.sh --libfuzzer [--seconds S] [-- OPTIONS]
#                                                 coverage-guided, with clang's libFuzzer; crash
#                                                 inputs land in build/linux-libfuzzer/crashes,
#                                                 and passing one as OPTIONS replays it
#
# A failing seed prints the call that disagreed with the model, the calls before it, and the
# command that reproduces it. Builds go to build/linux-asan, build/mingw64 or
# build/linux-libfuzzer; run scripts/bootstrap.sh first on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

wine=0 libfuzzer=0 minutes=10 seconds=60 steps=2000 seeds="" seed=""
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --wine) wine=1 ;;
    --libfuzzer) libfuzzer=1 ;;
    --minutes) minutes=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --steps) steps=$2; shift ;;
    --seeds) seeds=$2; shift ;;
    --seed) seed=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
  shift
done

if [ "$libfuzzer" = 1 ]; then
  cmake --preset linux-libfuzzer >/dev/null
  cmake --build build/linux-libfuzzer --target fuzz_miowin_libfuzzer
  mkdir -p build/linux-libfuzzer/crashes build/linux-libfuzzer/corpus
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  if [ ${#extra[@]} -gt 0 ]; then
    exec build/linux-libfuzzer/tests/fuzz/fuzz_miowin_libfuzzer "${extra[@]}"
  fi
  exec build/linux-libfuzzer/tests/fuzz/fuzz_miowin_libfuzzer -max_total_time="$seconds" \
    -max_len=4096 -artifact_prefix=build/linux-libfuzzer/crashes/ build/linux-libfuzzer/corpus
fi

args=(--steps "$steps")
if [ -n "$seed" ]; then
  args+=(--seed "$seed" --trace)
elif [ -n "$seeds" ]; then
  args+=(--seeds "$seeds")
else
  args+=(--minutes "$minutes")
fi

if [ "$wine" = 1 ]; then
  cmake --preset mingw64 >/dev/null
  cmake --build build/mingw64 --target fuzz_miowin
  export WINEDEBUG=-all WINEPREFIX="$PWD/build/mingw64/wineprefix"
  wineboot --init >/dev/null 2>&1 || true
  exec wine build/mingw64/tests/fuzz/fuzz_miowin.exe "${args[@]}"
fi
cmake --preset linux-asan >/dev/null
cmake --build build/linux-asan --target fuzz_miowin
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
exec build/linux-asan/tests/fuzz/fuzz_miowin "${args[@]}"
