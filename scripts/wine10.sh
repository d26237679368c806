#!/usr/bin/env bash
# The second Wine: Wine 10 with wine32, in a Debian trixie root made once with debootstrap and
# cached outside the work tree (Debian 12's own wine32 cannot be installed here; see
# docs/building.md). The build stays on the host; programs run inside the root.
#
#   scripts/wine10.sh root                      make the root if it is not there yet; print it
#   scripts/wine10.sh run PREFIX ARCH PROG...   run PROG under Wine 10 with WINEPREFIX=PREFIX
#                                               (ARCH win64 or win32, used when PREFIX is new)
#   scripts/wine10.sh x86                       exit 0 if 32-bit Wine can run here, else say why
#                                               and exit 3
#
# MIOW_WINE10_ENV="NAME=VALUE ..." adds to (and overrides) the environment of the run: a .NET
# program needs mscoree, which the C tests keep disabled (WINEDLLOVERRIDES=mshtml= turns it back
# on).
#
# 32-bit Wine needs the kernel to run 32-bit x86 code (IA32 emulation). A kernel built with it
# may still have it off (ia32_emulation=off, or a VM that disables it): then every 32-bit
# process fails with "Exec format error", and no Wine, old or new WoW64, can run x86 code.
#
# Every mount lives in a private mount namespace (unshare), so the kernel removes them when the
# last process in it ends, whether the run passed, failed or was killed: nothing is left mounted
# on the host and no cleanup step can be skipped.
set -euo pipefail

CACHE_DIR=${MIOW_CACHE:-$HOME/.cache/miowin}
ROOT="$CACHE_DIR/wine10-trixie"
READY="$ROOT/.miowin-ready"
LOG="$CACHE_DIR/wine10-trixie.log"
TREE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="$TREE/scripts/wine10.sh"
SUITE=trixie

die() { printf 'wine10: %s\n' "$*" >&2; exit 1; }

# The Debian registry and its key, from the machine's own apt sources (no mirror named here).
wine10__registry() {
  local f uri key
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '/^URIs:/ {print $2; exit}' "$f")
    key=$(awk '/^Signed-By:/ {print $2; exit}' "$f")
    case "$uri" in *security*|"") continue ;; esac
    printf '%s %s\n' "$uri" "${key:-/usr/share/keyrings/debian-archive-keyring.gpg}"
    return 0
  done
  if [ -f /etc/apt/sources.list ]; then
    uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' /etc/apt/sources.list |
          grep -v security | head -n 1)
    [ -n "$uri" ] && printf '%s %s\n' "$uri" /usr/share/keyrings/debian-archive-keyring.gpg && return 0
  fi
  return 1
}

# Mounts what apt and Wine need inside DIR (called inside the private namespace).
wine10__mount_system() {
  local dir=$1
  mount -t proc proc "$dir/proc"
  mount --rbind /dev "$dir/dev"   # with /dev/pts and /dev/shm
}

# Runs in a private mount namespace: debootstrap, then Wine 10 with wine32 from the same registry.
# A finished debootstrap is kept (.miowin-debootstrapped) so a later attempt resumes with apt.
wine10__make_inside() {
  local dir=$1 uri=$2 key=$3
  export DEBIAN_FRONTEND=noninteractive LC_ALL=C
  if [ ! -f "$dir/.miowin-debootstrapped" ]; then
    rm -rf "$dir"
    debootstrap --variant=minbase --keyring="$key" "$SUITE" "$dir" "$uri"
    touch "$dir/.miowin-debootstrapped"
  fi
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  wine10__mount_system "$dir"
  local in=(chroot "$dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive
            LC_ALL=C HOME=/root)
  "${in[@]}" apt-get update -qq
  "${in[@]}" apt-get install -y -qq --no-install-recommends wine wine64
  "${in[@]}" dpkg --add-architecture i386
  "${in[@]}" apt-get update -qq
  "${in[@]}" apt-get install -y -qq --no-install-recommends wine32:i386
  "${in[@]}" apt-get clean
  "${in[@]}" dpkg-query -W -f '${Version}\n' wine wine32:i386 >"$dir/.miowin-wine-version"
}

wine10_root() {
  [ -f "$READY" ] && { printf '%s\n' "$ROOT"; return 0; }
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/wine10-trixie.lock"
  flock 9   # a second caller waits for the first, then finds the root made
  [ -f "$READY" ] && { printf '%s\n' "$ROOT"; return 0; }
  [ "$(id -u)" -eq 0 ] || die "cannot make the Wine 10 root: debootstrap and chroot need root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1 ||
      die "cannot make the Wine 10 root: debootstrap is missing and could not be installed"
  fi
  local reg uri key
  reg=$(wine10__registry) || die "cannot make the Wine 10 root: no Debian registry in the apt sources"
  read -r uri key <<<"$reg"
  local partial="$ROOT.partial"
  rm -rf "$ROOT"
  printf 'wine10: making the Debian %s root with Wine 10 and wine32 in %s (about 6 min; log %s)\n' \
    "$SUITE" "$ROOT" "$LOG" >&2
  if ! unshare --mount --propagation private -- "$SELF" __make "$partial" "$uri" "$key" >"$LOG" 2>&1; then
    die "cannot make the Wine 10 root (Debian $SUITE with wine32) from the Debian registry $uri: is it reachable? Last lines of $LOG:
$(tail -n 5 "$LOG")"
  fi
  mv "$partial" "$ROOT"
  touch "$READY"
  printf 'wine10: ready: wine %s\n' "$(tr '\n' ' ' <"$ROOT/.miowin-wine-version")" >&2
  printf '%s\n' "$ROOT"
}

# Runs in a private mount namespace: the tree (and the prefix, if outside it) at the same paths.
wine10__run_inside() {
  local prefix=$1 arch=$2 cwd=$3
  shift 3
  wine10__mount_system "$ROOT"
  local dir
  for dir in "$TREE" "$(dirname "$prefix")" "$cwd"; do
    mountpoint -q "$ROOT$dir" 2>/dev/null && continue
    case "$dir/" in "$TREE"/*) [ "$dir" != "$TREE" ] && continue ;; esac
    mkdir -p "$ROOT$dir"
    mount --bind "$dir" "$ROOT$dir"
  done
  # Debian's wine wrapper prefers the 32-bit loader whenever wine32 is installed: a win64
  # prefix gets the 64-bit loader by name.
  local loader=/usr/lib/wine/wine64
  [ "$arch" = win32 ] && loader=/usr/lib/wine/wine
  local extra=()
  read -r -a extra <<<"${MIOW_WINE10_ENV:-}"
  exec chroot "$ROOT" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    WINEDEBUG=-all WINEPREFIX="$prefix" WINEARCH="$arch" WINEDLLOVERRIDES=mscoree,mshtml= \
    WINELOADER="$loader" "${extra[@]}" /bin/sh -c 'cd "$1" && shift && exec "$WINELOADER" "$@"' sh "$cwd" "$@"
}

# Runs the 32-bit loader once (inside the private namespace of wine10_x86).
wine10__probe_inside() {
  mount -t proc proc "$ROOT/proc"
  exec chroot "$ROOT" /usr/lib/wine/wine --version
}

wine10_x86() {
  [ -f "$READY" ] || die "the Wine 10 root is not made yet: run scripts/wine10.sh root"
  local out reason
  # The loader finds ntdll.so through /proc/self/exe, so the probe runs with /proc mounted, as
  # real runs do.
  out=$(unshare --mount --propagation private -- "$SELF" __probe 2>&1) && [[ "$out" == wine-* ]] &&
    return 0
  # The kernel refuses a 32-bit ELF with ENOEXEC (the shell then misreads it as a script).
  reason=$(dmesg 2>/dev/null | grep -m 1 -i '32-bit emulation disabled' || true)
  reason=${reason#\[*\] }
  if [ -n "$reason" ]; then
    reason="the kernel has IA32 emulation off ($reason)"
  else
    reason="the 32-bit loader fails: $out"
  fi
  printf 'wine10: 32-bit Wine cannot run on this machine: %s\n' "$reason" >&2
  return 3
}

wine10_run() {
  [ $# -ge 3 ] || die "usage: wine10.sh run PREFIX win64|win32 PROGRAM [ARGS...]"
  [ -f "$READY" ] || die "the Wine 10 root is not made yet: run scripts/wine10.sh root (scripts/test.sh does)"
  local prefix=$1 arch=$2
  shift 2
  if [ "$arch" = win32 ]; then wine10_x86 || exit 3; fi
  mkdir -p "$(dirname "$prefix")"
  exec unshare --mount --propagation private -- "$SELF" __run "$prefix" "$arch" "$PWD" "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
  root) wine10_root ;;
  run) wine10_run "$@" ;;
  x86) wine10_x86 ;;
  __make) wine10__make_inside "$@" ;;
  __run) wine10__run_inside "$@" ;;
  __probe) wine10__probe_inside ;;
  *) die "usage: wine10.sh root | x86 | run PREFIX win64|win32 PROGRAM [ARGS...]" ;;
esac
