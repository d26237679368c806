#!/usr/bin/env bash
# Shows miowin working on a fresh Debian machine: installs what is missing, builds with the
# mingw64 preset, and runs the echo demo (docs/examples/echo_demo.c) under Wine. Safe to run
# again: bootstrap skips what is installed, and the build only redoes what changed.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

BUILD_DIR=build/mingw64

log() { printf 'demo: %s\n' "$*"; }

scripts/bootstrap.sh

log "configuring $BUILD_DIR"
cmake --preset mingw64 >/dev/null
log "building the library and the demo"
cmake --build --preset mingw64 --target echo_demo

# The same private prefix, and the same settings, as the toolchain file gives the tests.
export WINEDEBUG=-all WINEPREFIX="$PWD/$BUILD_DIR/wineprefix" WINEDLLOVERRIDES=mscoree,mshtml=
if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
  log "creating the Wine prefix $WINEPREFIX (a few seconds, once)"
  wine wineboot.exe --init >/dev/null 2>&1
fi
log "running the echo demo under Wine"
wine "$BUILD_DIR/docs/echo_demo.exe"
