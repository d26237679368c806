#!/usr/bin/env bash
# The test launcher of the Windows builds (CMAKE_CROSSCOMPILING_EMULATOR): runs a program under
# the Wine that MIOW_WINE names (default: the toolchain's), in a prefix of the build tree.
#   scripts/wine.sh BUILD_DIR DEFAULT_WINE WINEARCH PROGRAM [ARGS...]
# Wine 8 is the host's (prefix BUILD_DIR/wineprefix); Wine 10 runs in the Debian trixie root of
# scripts/wine10.sh (prefix BUILD_DIR/wineprefix-wine10), and is the only one with 32-bit support.
set -euo pipefail
build_dir=$1 wine=${MIOW_WINE:-$2} arch=$3
shift 3
if [ "$wine" = 8 ] && [ "$arch" = win32 ]; then
  echo "wine.sh: the host's Wine 8 cannot run 32-bit programs (no wine32 on Debian 12 here): use Wine 10" >&2
  exit 2
fi
case "$wine" in
  8) exec env WINEDEBUG=-all WINEPREFIX="$build_dir/wineprefix" WINEDLLOVERRIDES=mscoree,mshtml= \
       wine "$@" ;;
  10) exec "$(dirname "${BASH_SOURCE[0]}")/wine10.sh" run "$build_dir/wineprefix-wine10" "$arch" "$@" ;;
  *) echo "wine.sh: MIOW_WINE must be 8 or 10, not '$wine'" >&2; exit 2 ;;
esac
