#!/usr/bin/env bash
# Builds the readiness-scaling benchmark, runs it under Wine and prints its tables: miowin
# against WSAPoll, select() and a bare AFD loop (the floor) at N = 10 to 10,000 sockets, then
# miowin at several poll-group sizes (MIOW_POLL_GROUP_SIZE), each built in build/bench-g<size>.
# All runs share one Wine prefix, build/bench/wineprefix, so their numbers are comparable.
# --wine 10 runs them under Wine 10 in the Debian trixie root of scripts/wine10.sh instead of
# the host's Wine 8 (prefix build/bench/wineprefix-wine10), to compare the two Wines.
# The default run takes about 5 minutes on a 2-core machine; --quick is a smoke test.
# --net runs the network benchmark instead (bench_net: TCP echo and UDP ping-pong on miowin's own
# sockets against the same workloads on Winsock with WSAPoll), in about 2 minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() {
  cat <<'EOF'
usage: scripts/bench.sh [options] [-- bench_scaling or bench_net options]
  --quick          smoke test: N = 10,100, a few events each, one group size
  --groups "A B"   poll-group sizes to compare (default "1 32 256")
  --no-groups      skip the group-size comparison
  --no-main        skip the main table (miowin, floor, WSAPoll, select)
  --wine 8|10      the Wine to run under: 8, the host's (default), or 10 (scripts/wine10.sh)
  --dll            time miowin through miowin.dll (bench_scaling) instead of the static
                   build (bench_scaling_static); the DLL build cannot count miowin's AFD calls
  --native         instead of all that: build with the linux preset and compare miowin's
                   poll path with raw epoll_wait on the same sockets (bench_epoll); it
                   starts at once and takes no further options
  --epoll          instead of all that: the epoll API benchmark (bench_epoll_api) under Wine:
                   µs per event at N = 10 to 10,000 for the native API, the epoll API, the
                   floor, WSAPoll and select; the ONESHOT + MOD ping pattern at 10,000
                   sockets; epoll_ctl per operation against the floor's request and cancel;
                   AFD requests per event and per operation. Draws docs/img/epoll-scaling.svg
                   and docs/img/epoll-requests.svg with gnuplot (about 10 minutes)
  --net            instead of all that: the network benchmark (bench_net) under Wine, a TCP
                   echo (100 connections, 64-byte messages, one in flight on each: round
                   trips per second) and a UDP ping-pong (1 and 4 pairs: round-trip latency),
                   each on miowin's TCP/UDP calls and on Winsock with WSAPoll, alternating;
                   with --quick, a smoke run of a few seconds
  -h, --help       this text
Options after -- go to every bench_scaling run (see: bench_scaling -h), or with --net to
bench_net (see: bench_net -h), for example
  scripts/bench.sh -- -n 10,1000 -t 5
  scripts/bench.sh --net -- -c 200 -r 9
EOF
}

groups="1 32 256"
wine_version=${MIOW_WINE:-8}
run_main=1
quick=0
net=0
epoll=0
program=bench_scaling_static
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --groups) groups=${2:?--groups needs a list}; shift ;;
    --no-groups) groups="" ;;
    --no-main) run_main=0 ;;
    --dll) program=bench_scaling ;;
    --wine)
      wine_version=${2:?--wine needs 8 or 10}; shift
      case "$wine_version" in 8 | 10) ;; *) usage >&2; exit 2 ;; esac ;;
    --net) net=1 ;;
    --epoll) epoll=1 ;;
    --native)
      bash scripts/bootstrap.sh >&2
      cmake --preset linux >/dev/null
      cmake --build --preset linux --target bench_epoll >&2
      exec build/linux/tests/bench_native/bench_epoll 20000 7 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done

# Iteration counts: cheap cases stop at -i events; expensive ones (WSAPoll and select at large
# N, ~170 ms per event at 10,000 under Wine) stop at the -t time budget once they have -m.
if [ "$quick" -eq 1 ]; then
  main_args=(-n 10,100 -i 60 -m 6 -t 1 -r 2)
  group_args=(-M miowin,floor -n 10,100 -i 60 -m 6 -t 1 -r 2)
  [ -n "$groups" ] && groups=${groups%% *}
else
  main_args=(-i 3000 -m 20 -t 10 -r 5)
  group_args=(-M miowin,floor -i 2000 -m 20 -t 6 -r 4)
fi

log() { printf 'bench: %s\n' "$*" >&2; }

bash scripts/bootstrap.sh >&2

# wineserver keeps a descriptor per socket: 10,000 sockets need a higher limit than the
# usual 1,024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 11000 ]; then
  log "warning: open-file limit $(ulimit -n) is below 11,000; N=10,000 may fail"
fi

prefix_root=build/bench
mkdir -p "$prefix_root"
export WINEDEBUG=-all
export WINEPREFIX="$PWD/$prefix_root/wineprefix"
export WINEDLLOVERRIDES="mscoree,mshtml="
if [ "$wine_version" = 10 ]; then
  export WINEPREFIX="$PWD/$prefix_root/wineprefix-wine10"
  bash scripts/wine10.sh root >/dev/null
fi

# wine PROGRAM [ARGS...]: under the chosen Wine, in the benchmark's prefix.
wine() {
  if [ "$wine_version" = 10 ]; then
    bash scripts/wine10.sh run "$WINEPREFIX" win64 "$@"
  else
    command wine "$@"
  fi
}
log "running under Wine $wine_version"

# build DIR [cmake -D options...]: configures DIR with the mingw64 preset and builds the
# benchmark there.
build() {
  local dir=$1
  shift
  mkdir -p "$dir"
  log "configuring $dir $*"
  if ! cmake --preset mingw64 -B "$dir" -DMIOW_BUILD_DOCS=OFF "$@" >"$dir/configure.log" 2>&1; then
    tail -n 30 "$dir/configure.log" >&2
    return 1
  fi
  log "building $program in $dir"
  if ! cmake --build "$dir" --target "$program" -j1 >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log" >&2
    return 1
  fi
}

# run DIR OUTPUT_BASENAME [bench_scaling options...]: runs the benchmark under Wine, printing
# its tables and keeping them in DIR/NAME.md and DIR/NAME.csv. Fails if a method failed or the
# program did not finish: when wineserver crashes, wine still exits with status 0, so the CSV,
# written last, is what proves the run completed.
run() {
  local dir=$1 name=$2
  shift 2
  local status=0
  rm -f "$dir/$name.csv" "$dir/$name.md"
  wine "$dir/tests/bench/$program.exe" "$@" "${extra[@]}" --csv "$dir/$name.csv" \
    >"$dir/$name.md" || status=$?
  cat "$dir/$name.md"
  if [ "$status" -eq 0 ] && [ ! -s "$dir/$name.csv" ]; then
    log "$program did not finish (no $dir/$name.csv)"
    status=1
  fi
  return "$status"
}

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  log "creating the Wine prefix $WINEPREFIX"
  wine wineboot.exe --init >/dev/null 2>&1 || true
fi

failures=0
started=$SECONDS

if [ "$epoll" -eq 1 ]; then
  program=bench_epoll_api
  command -v gnuplot >/dev/null 2>&1 || {
    log "installing gnuplot-nox for the charts"
    apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null; }
  }
  build build/bench
  dir=build/bench
  rm -f "$dir/epoll_scaling.csv" "$dir/epoll_counts.csv"
  epoll_args=(--csv "$(winepath -w "$PWD/$dir" 2>/dev/null || echo "$dir")")
  [ "$quick" -eq 1 ] && epoll_args+=(--quick)
  status=0
  wine "$dir/tests/bench/bench_epoll_api.exe" "${epoll_args[@]}" | tee "$dir/epoll.md" || status=$?
  if [ ! -s "$dir/epoll_scaling.csv" ]; then
    log "bench_epoll_api did not finish (no $dir/epoll_scaling.csv)"
    exit 1
  fi
  mkdir -p docs/img
  # µs per event against N, log-log; a method that did not run at some N (select past 1,024
  # sockets) is written as 0 and left out.
  gnuplot <<GNUPLOT
set terminal svg size 760,480 dynamic font "sans,12"
set output "docs/img/epoll-scaling.svg"
set datafile separator ","
set logscale xy
set key top left
set grid
set title "µs per ready event under Wine (one readable socket at a time)"
set xlabel "registered UDP sockets (N)"
set ylabel "µs per event"
set xrange [8:12500]
plot for [col=2:6] "$dir/epoll_scaling.csv" using 1:(column(col) > 0 ? column(col) : 1/0) \
  with linespoints lw 2 pointsize 1 title columnheader(col)
GNUPLOT
  awk -F, '$1 == "ctl" { print "\"" $2 "\"", $3, $4 }
           $1 ~ /^ping_/ { sub(/_per_event/, "", $1); print "\"" $1 " per event\"", $2, $3 }' \
    "$dir/epoll_counts.csv" >"$dir/epoll_counts.dat"
  gnuplot <<GNUPLOT
set terminal svg size 860,420 dynamic font "sans,11"
set output "docs/img/epoll-requests.svg"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set xtics rotate by -25
set title "AFD requests and cancels per event and per epoll_ctl operation (N = 10,000)"
set ylabel "per event / per operation"
plot "$dir/epoll_counts.dat" using 2:xtic(1) title "requests", "" using 3 title "cancels"
GNUPLOT
  log "done in $((SECONDS - started)) s; tables in $dir/epoll.md, charts in docs/img/"
  exit "$status"
fi

if [ "$net" -eq 1 ]; then
  program=bench_net
  net_args=()
  [ "$quick" -eq 1 ] && net_args=(--quick)
  build build/bench
  echo
  if ! run build/bench net "${net_args[@]}"; then
    log "the network benchmark failed: see the Failures list above"
    exit 1
  fi
  echo
  log "done in $((SECONDS - started)) s; tables kept in build/bench/net.md and net.csv"
  exit 0
fi

if [ "$run_main" -eq 1 ]; then
  build build/bench
  echo
  echo "## miowin against WSAPoll, select() and the floor"
  echo
  run build/bench main "${main_args[@]}" || { failures=$((failures + 1)); log "main run failed"; }
fi

group_csvs=()
for g in $groups; do
  dir=build/bench-g$g
  build "$dir" -DMIOW_POLL_GROUP_SIZE="$g"
  echo
  echo "## miowin built with MIOW_POLL_GROUP_SIZE=$g (floor loop at its default 32)"
  echo
  if run "$dir" groups "${group_args[@]}"; then :; else
    failures=$((failures + 1))
    log "group size $g run failed"
  fi
  [ -f "$dir/groups.csv" ] && group_csvs+=("$g=$dir/groups.csv")
done

if [ ${#group_csvs[@]} -gt 0 ]; then
  echo
  echo "## miowin by poll-group size"
  echo
  echo "Median microseconds per event for miowin (mean in brackets); x floor divides miowin's"
  echo "median by the floor loop's median in the same run; AFD calls are miowin's polls +"
  echo "cancels per event."
  echo
  # Each CSV: method,n,events,seconds,us_per_event,median_us,afd_polls,afd_cancels,
  # afd_counted,waits,stray,setup_s,teardown_s,status
  for entry in "${group_csvs[@]}"; do
    g=${entry%%=*}
    awk -F, -v g="$g" 'NR > 1 { print g "," $0 }' "${entry#*=}"
  done | awk -F, '
    {
      g = $1; method = $2; n = $3; events = $4; mean = $6; us = $7; polls = $8; cancels = $9
      counted = $10; status = $15
      if (!(g in seen_g)) { seen_g[g] = 1; gs[++ng] = g }
      if (!(n in seen_n)) { seen_n[n] = 1; ns[++nn] = n }
      key = g SUBSEP n
      if (method == "miowin") {
        if (status == "ok" && events > 0) {
          mus[key] = us
          means[key] = mean
          calls[key] = counted ? sprintf("%.2f + %.2f", polls / events, cancels / events) : "n/a"
          iters[key] = events
        } else {
          mus[key] = (status == "error") ? "ERR" : "-"
        }
      } else if (method == "floor" && status == "ok" && events > 0) {
        fus[key] = us
      }
    }
    END {
      header = "| N |"; rule = "|---:|"
      for (i = 1; i <= ng; i++) {
        header = header " g=" gs[i] " us/ev | g=" gs[i] " x floor | g=" gs[i] " AFD calls/ev |"
        rule = rule "---:|---:|---:|"
      }
      print header " iterations |"; print rule "---|"
      for (j = 1; j <= nn; j++) {
        line = "| " ns[j] " |"; it = ""
        for (i = 1; i <= ng; i++) {
          key = gs[i] SUBSEP ns[j]
          u = (key in mus) ? mus[key] : "-"
          if (u ~ /^[0-9.]+$/) {
            ratio = (key in fus && fus[key] > 0) ? sprintf("%.2f", u / fus[key]) : "-"
            u = sprintf(u >= 100 ? "%.0f (%.0f)" : "%.1f (%.1f)", u, means[key])
          } else {
            ratio = "-"
          }
          line = line " " u " | " ratio " | " ((key in calls) ? calls[key] : "-") " |"
          it = it (i > 1 ? "/" : "") ((key in iters) ? iters[key] : 0)
        }
        print line " " it " |"
      }
    }'
fi

echo
log "done in $((SECONDS - started)) s; tables kept in build/bench*/main.md and groups.md"
if [ "$failures" -gt 0 ]; then
  log "$failures run(s) reported a failed method: see the status columns above"
  exit 1
fi
