#!/usr/bin/env bash
# The async layer's benchmark (bench/Miowin.Bench): a TCP echo on MiowLoop/MiowStream against
# the same echo on System.Net.Sockets' NetworkStream, both in one process, at 100 and 2,000
# connections; natively against build/linux/src/libmiowin.so, and under Wine (the host's Wine 8,
# prefix build/mingw64/wineprefix) as a self-contained win-x64 program against
# build/mingw64/src/miowin.dll. Prints every run and a table of the best runs, with ratios to
# NetworkStream. About 75 s natively and 6 minutes under Wine (most of it one round of 2,000
# connections on MiowStream) on two cores; the machine should be otherwise quiet. --smoke checks that it still runs (bindings/dotnet/test.sh
# runs that natively).
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: bindings/dotnet/bench.sh [--native | --wine] [--smoke] [-- Miowin.Bench options]
  --native   only the native run (default: native, then Wine)
  --wine     only the Wine run
  --smoke    a short run of each, to check that it works
Options after -- go to Miowin.Bench (see: -- --help), for example -- --repeats 3 --seconds 2
USAGE
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
project="$here/bench/Miowin.Bench/Miowin.Bench.csproj"
linux_lib="$root/build/linux/src/libmiowin.so"
win_dll="$root/build/mingw64/src/miowin.dll"
native=1
wine=1
options=()
while [ $# -gt 0 ]; do
  case "$1" in
    --native) wine=0 ;;
    --wine) native=0 ;;
    --smoke) options+=(--smoke) ;;
    -h | --help) usage; exit 0 ;;
    --) shift; options+=("$@"); break ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
msbuild_opts=(-m:1 -p:BuildInParallel=false --nologo -v q)

if [ "$native" -eq 1 ]; then
  [ -f "$linux_lib" ] || { echo "bench.sh: $linux_lib is missing: cmake --preset linux && cmake --build --preset linux" >&2; exit 1; }
  dotnet build "$project" -c Release "${msbuild_opts[@]}" >&2
  echo "=== native (linux-x64), $(date -u '+%Y-%m-%d %H:%M UTC')"
  MIOWIN_LIBRARY="$linux_lib" timeout 600 dotnet "$root/build/dotnet/bin/Miowin.Bench/release/Miowin.Bench.dll" "${options[@]}"
fi

if [ "$wine" -eq 1 ]; then
  [ -f "$win_dll" ] || { echo "bench.sh: $win_dll is missing: cmake --preset mingw64 && cmake --build --preset mingw64" >&2; exit 1; }
  command -v wine >/dev/null || { echo "bench.sh: wine is not installed (scripts/bootstrap.sh installs it)" >&2; exit 1; }
  dotnet publish "$project" -c Release -r win-x64 "${msbuild_opts[@]}" >&2
  program="$root/build/dotnet/publish/Miowin.Bench/release_win-x64/Miowin.Bench.exe"
  prefix=${WINEPREFIX:-$root/build/mingw64/wineprefix}
  # As in test.sh: DOTNET_EnableWriteXorExecute=0 keeps Wine 8 from crashing the runtime (see
  # docs/dotnet.md); Wine's drive Z: is the Unix root.
  wine_env=(env WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mshtml=" DOTNET_EnableWriteXorExecute=0)
  if [ ! -d "$prefix" ]; then "${wine_env[@]}" timeout 300 wine wineboot.exe --init >/dev/null 2>&1 || true; fi
  echo "=== Wine ($(wine --version), win-x64), $(date -u '+%Y-%m-%d %H:%M UTC')"
  # Under Wine a run has fewer round trips: longer runs, fewer of them (options given override).
  "${wine_env[@]}" MIOWIN_LIBRARY="Z:${win_dll//\//\\}" timeout 900 wine "$program" --seconds 3 --repeats 3 --timeout 840 "${options[@]}"
fi
