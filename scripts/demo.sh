#!/usr/bin/env bash
# Shows miowin working on a fresh Debian machine: installs what is missing, builds, and runs the
# UDP ping-pong (docs/examples/udp_ping.c), the named-pipe echo (docs/examples/pipe_echo.c), the
# many-client named-pipe server (docs/examples/pipe_server.c), child-process wait
# (docs/examples/child_wait.c),
# then the TCP echo demo (docs/examples/echo_demo.c), whose last line, "echo demo: OK", is the
# verdict (each example fails the script if it fails). Safe to run again: bootstrap skips what is
# installed, and the build only redoes what changed.
#
#   scripts/demo.sh            the Windows build (mingw64 preset), run under Wine
#   scripts/demo.sh --native   the native Linux build (linux preset, epoll backend), run directly
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

log() { printf 'demo: %s\n' "$*"; }

native=0
case "${1:-}" in
  "") ;;
  --native) native=1 ;;
  -h|--help)
    sed -n '2,8s/^# \{0,1\}//p' "$0"
    exit 0
    ;;
  *)
    printf 'usage: %s [--native]\n' "$0" >&2
    exit 2
    ;;
esac
if [ $# -gt 1 ]; then
  printf 'usage: %s [--native]\n' "$0" >&2
  exit 2
fi

if [ "$native" -eq 1 ]; then
  PRESET=linux
else
  PRESET=mingw64
fi
BUILD_DIR=build/$PRESET

scripts/bootstrap.sh

log "configuring $BUILD_DIR"
cmake --preset "$PRESET" >/dev/null
log "building the library and the examples"
cmake --build --preset "$PRESET" --target udp_ping pipe_echo pipe_server child_wait echo_demo

if [ "$native" -eq 1 ]; then
  log "running the UDP ping-pong natively"
  "$BUILD_DIR/docs/udp_ping"
  log "running the named-pipe echo natively"
  "$BUILD_DIR/docs/pipe_echo"
  log "running the many-client named-pipe server natively"
  "$BUILD_DIR/docs/pipe_server"
  log "running the child-process wait natively"
  "$BUILD_DIR/docs/child_wait"
  log "running the echo demo natively"
  exec "$BUILD_DIR/docs/echo_demo"
fi

# The same private prefix, and the same settings, as the toolchain file gives the tests.
export WINEDEBUG=-all WINEPREFIX="$PWD/$BUILD_DIR/wineprefix" WINEDLLOVERRIDES=mscoree,mshtml=
if [ ! -f "$WINEPREFIX/.update-timestamp" ]; then
  log "creating the Wine prefix $WINEPREFIX (a few seconds, once)"
  wine wineboot.exe --init >/dev/null 2>&1
fi
log "running the UDP ping-pong under Wine"
wine "$BUILD_DIR/docs/udp_ping.exe"
log "running the named-pipe echo under Wine"
wine "$BUILD_DIR/docs/pipe_echo.exe"
log "running the many-client named-pipe server under Wine"
wine "$BUILD_DIR/docs/pipe_server.exe"
log "running the child-process wait under Wine"
wine "$BUILD_DIR/docs/child_wait.exe"
log "running the echo demo under Wine"
wine "$BUILD_DIR/docs/echo_demo.exe"
