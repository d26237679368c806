#!/usr/bin/env bash
# The test launcher of the Windows builds (CMAKE_CROSSCOMPILING_EMULATOR): runs a program under
# the Wine that MIOW_WINE names (default: the toolchain's), in a prefix of the build tree.
#   scripts/wine.sh BUILD_DIR DEFAULT_WINE WINEARCH PROGRAM [ARGS...]
# Wine 8 is the host's (prefix BUILD_DIR/wineprefix); Wine 10 runs in the Debian trixie root of
# scripts/wine10.sh (prefix BUILD_DIR/wineprefix-wine10), and is the only one with 32-bit support.
# A program still running after MIOW_WINE_HANG_DUMP seconds (default 105, before ctest's 120 s
# timeout kills it) gets the backtraces of every Wine process of its prefix written to stderr
# (winedbg "bt all"), once, so that a hang that ctest then reports says where it hung; 0 turns
# this off. The program is not stopped.
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
build_dir=$1 wine=${MIOW_WINE:-$2} arch=$3
shift 3
if [ "$wine" = 8 ] && [ "$arch" = win32 ]; then
  echo "wine.sh: the host's Wine 8 cannot run 32-bit programs (no wine32 on Debian 12 here): use Wine 10" >&2
  exit 2
fi
# wine_run PROGRAM [ARGS...]: the program under the chosen Wine, in the foreground.
wine_run() {
  case "$wine" in
    8) env WINEDEBUG=-all WINEPREFIX="$build_dir/wineprefix" WINEDLLOVERRIDES=mscoree,mshtml= \
         wine "$@" ;;
    10) "$here/wine10.sh" run "$build_dir/wineprefix-wine10" "$arch" "$@" ;;
  esac
}
case "$wine" in
  8 | 10) ;;
  *) echo "wine.sh: MIOW_WINE must be 8 or 10, not '$wine'" >&2; exit 2 ;;
esac
dump_after=${MIOW_WINE_HANG_DUMP:-105}
if [ "$dump_after" = 0 ] || [ "$(basename "$1")" = wineboot.exe ]; then
  wine_run "$@"
  exit
fi
wine_run "$@" &
program=$!
# The watchdog ends within 0.1 s of the program, and its sleeps hold none of the test's pipes,
# which ctest waits for.
(
  for ((tenths = 0; tenths < dump_after * 10; tenths++)); do
    kill -0 "$program" 2>/dev/null || exit 0
    sleep 0.1 </dev/null >/dev/null 2>&1
  done
  echo "wine.sh: $(basename "$1") still runs after $dump_after s; every Wine process's backtrace:" >&2
  export -f wine_run
  export wine build_dir arch here
  timeout 60 bash -c 'wine_run winedbg --command "bt all"' </dev/null >&2 2>&1 || true
) &
watchdog=$!
status=0
wait "$program" || status=$?
wait "$watchdog" || true
exit "$status"
