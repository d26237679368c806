#!/usr/bin/env bash
# Installs what building and testing miowin needs on a fresh Debian machine (the mingw-w64
# cross toolchains for x64 and x86, Wine, debootstrap for the Wine 10 root of
# scripts/wine10.sh, the native toolchain with cmocka and valgrind, clang with libFuzzer, CMake,
# Doxygen), and cross-builds cmocka for both mingw-w64 targets into a cache outside the work
# tree. Safe to run again: every step checks first whether its result is already there.
set -euo pipefail

CACHE_DIR=${MIOWIN_CACHE:-$HOME/.cache/miowin}

log() { printf 'bootstrap: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

need_packages=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_cmd x86_64-w64-mingw32-gcc || need_packages+=(gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64)
have_cmd i686-w64-mingw32-gcc || need_packages+=(gcc-mingw-w64-i686 binutils-mingw-w64-i686)
# Makes the Debian trixie root with Wine 10 and wine32 (scripts/wine10.sh).
have_cmd debootstrap || need_packages+=(debootstrap)
have_cmd wine || need_packages+=(wine)
dpkg -s wine64 >/dev/null 2>&1 || need_packages+=(wine64)
have_cmd cmake || need_packages+=(cmake)
have_cmd doxygen || need_packages+=(doxygen)
have_cmd python3 || need_packages+=(python3)
have_cmd dpkg-source || need_packages+=(dpkg-dev)
# The native Linux build: compiler, cmocka, valgrind; binutils gives nm and readelf.
have_cmd gcc || need_packages+=(gcc libc6-dev)
have_cmd make || need_packages+=(make)
have_cmd nm || need_packages+=(binutils)
have_cmd valgrind || need_packages+=(valgrind)
# The misuse fuzzer's libFuzzer entry point (scripts/fuzz.sh --libfuzzer): clang and its
# runtime libraries.
have_cmd clang-14 || need_packages+=(clang-14)
dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || need_packages+=(libclang-rt-14-dev)
# llvm-dlltool writes the MSVC import library; pkg-config checks miowin.pc.
have_cmd llvm-dlltool || need_packages+=(llvm)
have_cmd pkg-config || need_packages+=(pkg-config)
have_cmd unzip || need_packages+=(unzip)
[ -f /usr/include/cmocka.h ] || need_packages+=(libcmocka-dev)
# The Python binding's tests and wheels, with Debian's own Python (no PyPI here).
# python3-aiohttp: a framework that makes its loop through the policy; mypy: the type check;
# python3-exceptiongroup and python3-tomli: what pytest needs on the pyenv Pythons before 3.11.
for pkg in python3-pytest python3-pytest-timeout libpython3.11-testsuite python3-setuptools \
           python3-wheel python3-pip python3-venv python3-aiohttp mypy python3-exceptiongroup \
           python3-tomli; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_packages+=("$pkg")
done

if [ ${#need_packages[@]} -gt 0 ]; then
  log "installing ${need_packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${need_packages[@]}" >/dev/null
fi

# Debian ships cmocka only for the host; its source package builds unchanged for mingw.
# cross_build_cmocka TRIPLE PREFIX: cmocka for that mingw-w64 target, installed into PREFIX.
cross_build_cmocka() {
  local triple=$1 prefix=$2
  if [ -f "$prefix/lib/libcmocka-static.a" ] || [ -f "$prefix/lib/libcmocka.a" ]; then
    return
  fi
  log "cross-building cmocka for $triple into $prefix"
  local work="$CACHE_DIR/cmocka-src"
  rm -rf "$work"
  mkdir -p "$work/lists/partial"

  # A private deb-src list built from the machine's own deb entries, so no mirror is named here.
  local src_list="$work/sources.list" f uri key
  : >"$src_list"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
    key=$(awk '/^Signed-By:/ {print $2; exit}' "$f")
    case "$uri" in *security*|"") continue ;; esac
    echo "deb-src [signed-by=$key] $uri bookworm main" >>"$src_list"
  done
  if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) \([a-z]*\) .*/deb-src \1\2 \3 main/p' \
      /etc/apt/sources.list | grep -v security >>"$src_list" || true
  fi
  local apt_opts=(-o "Dir::Etc::SourceList=$src_list" -o Dir::Etc::SourceParts=/dev/null
                  -o APT::Sandbox::User=root -o "Dir::State::Lists=$work/lists")
  as_root apt-get "${apt_opts[@]}" update -qq
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only cmocka >/dev/null)
  local dsc
  dsc=$(ls "$work"/cmocka_*.dsc | head -n 1)
  (cd "$work" && dpkg-source --no-check -x "$dsc" tree >/dev/null)

  cmake -S "$work/tree" -B "$work/build" \
    -DCMAKE_SYSTEM_NAME=Windows \
    -DCMAKE_C_COMPILER="$triple-gcc" \
    -DCMAKE_RC_COMPILER="$triple-windres" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DWITH_STATIC_LIB=ON -DUNIT_TESTING=OFF -DWITH_EXAMPLES=OFF >/dev/null
  cmake --build "$work/build" -j2 >/dev/null
  cmake --install "$work/build" >/dev/null
  rm -rf "$work"
}
cross_build_cmocka x86_64-w64-mingw32 "$CACHE_DIR/cmocka-mingw64"
cross_build_cmocka i686-w64-mingw32 "$CACHE_DIR/cmocka-mingw32"

# The .NET binding needs the .NET SDK, which is not a Debian package: the machine provides it.
if ! have_cmd dotnet; then
  echo "bootstrap: the .NET SDK (dotnet) is missing; the .NET binding cannot be tested" >&2
  exit 1
fi

log "ready (cmocka for mingw in $CACHE_DIR/cmocka-mingw64 and cmocka-mingw32)"
