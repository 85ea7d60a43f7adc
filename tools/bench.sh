#!/bin/bash
# bench.sh - build the Release configuration and run the benchmark programs
# with their default sizes: the codec (naccb-bench), the server's sessions
# (xdi-load against xdi-server), the ingest path and request/response
# (xdi-load's flood and rr modes against xdi-server in four configurations
# and against the two baselines, tools/bench/sink.c and sink.py, in the same
# run, pinned with taskset, several rounds interleaved), then count
# instructions of naccb-bench's decode path with callgrind (repeatable
# whatever the machine's load).  What each figure means:
# docs/performance.md.  About four minutes on 2 cores; --short about 75 s.
#
# Usage: tools/bench.sh [--short] [--rounds N] [--duration S] [--only PARTS]
#                       [BUILD_DIR]                (default build/release)
#   --short        about 75 s: 2 rounds of 1 s, smaller codec and session
#                  runs, no callgrind
#   --rounds N     ingest rounds, interleaved over the targets (default 3)
#   --duration S   seconds of each flood / rr window (default 3)
#   --only PARTS   comma-separated subset of codec,sessions,ingest,callgrind
# Environment: BENCH_SKIP_CALLGRIND=1 skips the callgrind part.
#
# Everything it starts is its own and is stopped on exit: each server or
# sink listens on 127.0.0.1 with a kernel-chosen port.  Temporary files
# (fixture sets, journals, logs) live in a mktemp directory removed on exit.
set -eu

usage() {
    sed -n '12,18p' "$0" | sed 's/^# \{0,1\}//'
}
bad_usage() {
    echo "bench.sh: $1" >&2
    echo "Try 'tools/bench.sh --help'." >&2
    exit 2
}

short=0
rounds=3
duration=3
parts=codec,sessions,ingest,callgrind
build=
while [ $# -gt 0 ]; do
    case $1 in
    -h | --help) usage; exit 0 ;;
    --short) short=1; rounds=2; duration=1; parts=codec,sessions,ingest ;;
    --rounds) [ $# -ge 2 ] || bad_usage "--rounds needs a number"
        case $2 in [1-9] | 10) rounds=$2 ;; *) bad_usage "--rounds is 1..10: $2" ;; esac
        shift ;;
    --duration) [ $# -ge 2 ] || bad_usage "--duration needs seconds"
        case $2 in [1-9] | [1-5][0-9] | 60) duration=$2 ;; *) bad_usage "--duration is 1..60 s: $2" ;; esac
        shift ;;
    --only) [ $# -ge 2 ] || bad_usage "--only needs parts"
        for p in $(echo "$2" | tr , ' '); do
            case $p in codec | sessions | ingest | callgrind) ;; *) bad_usage "--only: no part '$p'" ;; esac
        done
        parts=$2; shift ;;
    -*) bad_usage "unknown option: $1" ;;
    *) [ -z "$build" ] || bad_usage "one build directory only: $1"; build=$1 ;;
    esac
    shift
done
want() { case ",$parts," in *",$1,"*) return 0 ;; esac; return 1; }

src=$(cd "$(dirname "$0")/.." && pwd)
build=${build:-build/release}
case $build in /*) ;; *) build=$src/$build ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdi-bench.XXXXXX")
server_pid=
load_rc=0
server_rc=0
ingest_rc=0

cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() {
    printf '\n==== %s ====\n' "$*"
}

section "build: $build (Release)"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target naccb-bench xdi-load xdi-server xdi-bench-sink >/dev/null
bench=$build/tools/naccb-bench/naccb-bench
load=$build/tools/xdi-load/xdi-load
server=$build/server/xdi-server
csink=$build/tools/bench/xdi-bench-sink
pysink=$src/tools/bench/sink.py
echo "ok: $bench, $load, $server, $csink"

section "machine"
date -u '+date: %Y-%m-%d %H:%M:%S UTC'
echo "cpus: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "load average: $(cat /proc/loadavg)"

if want codec; then
section "naccb-bench (codec; baseline memcpy/memchr/memcmp in the same run)"
reps=7
[ "$short" = 0 ] || reps=3
echo "\$ naccb-bench --reps $reps"
"$bench" --reps "$reps"
fi

if want sessions; then
section "xdi-load (server; baseline: the same sessions one at a time)"
fixtures=$tmp/fixtures
agents=1000
[ "$short" = 0 ] || agents=200
echo "\$ xdi-load --make-fixtures DIR --hosts $agents --events 1000 --jobs 10"
"$load" --make-fixtures "$fixtures" --hosts "$agents" --events 1000 --jobs 10
echo "\$ xdi-server --fixtures DIR --listen 127.0.0.1:0 --journal FILE --quiet --no-watch"
mkfifo "$tmp/server.out"
"$server" --fixtures "$fixtures" --listen 127.0.0.1:0 --journal "$tmp/journal.jsonl" \
    --quiet --no-watch >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
exec 3<"$tmp/server.out"
# The server prints "listening on ADDR:PORT" once its fixtures are loaded.
if ! read -t 60 -r line <&3 || [ "${line#listening on }" = "$line" ]; then
    echo "bench.sh: xdi-server did not start:" >&2
    cat "$tmp/server.err" >&2
    exit 1
fi
addr=${line#listening on }
echo "$line (pid $server_pid)"
echo "\$ xdi-load --connect $addr --fixtures DIR --agents $agents --rounds 3 --server-pid $server_pid"
"$load" --connect "$addr" --fixtures "$fixtures" --agents "$agents" --rounds 3 \
    --server-pid "$server_pid" || load_rc=$?
kill -TERM "$server_pid"
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=
exec 3<&-
echo "xdi-server stopped with exit status $server_rc; journal: $(wc -l <"$tmp/journal.jsonl") records, $(du -h "$tmp/journal.jsonl" | cut -f1)"
fi

# ---- ingest and request/response: xdi-server against its baselines -------
#
# Each target is started pinned to CPU 1 and xdi-load to CPU 0, so neither
# steals the other's core; the figures are counted at the target (xdi-load
# --count-*), and each round runs every target once, so every ratio below
# is between figures of the same round.

# start_target NAME FIXTURES -> sets target_pid, target_addr, count_opt
start_target() {
    name=$1 set=$2
    out=$tmp/$name.out
    rm -f "$out" "$tmp/$name.journal" "$tmp/$name.count"
    mkfifo "$out"
    case $name in
    server-file-q) count_opt="--count-journal $tmp/$name.journal"
        $pin_server "$server" --fixtures "$set" --listen 127.0.0.1:0 \
            --journal "$tmp/$name.journal" --quiet --no-watch >"$out" 2>"$tmp/$name.err" & ;;
    server-file-log) count_opt="--count-journal $tmp/$name.journal"
        $pin_server "$server" --fixtures "$set" --listen 127.0.0.1:0 \
            --journal "$tmp/$name.journal" --no-watch >"$out" 2>"$tmp/$name.err" & ;;
    server-devnull-q) count_opt="--count-read PID"
        $pin_server "$server" --fixtures "$set" --listen 127.0.0.1:0 \
            --journal /dev/null --quiet --no-watch >"$out" 2>"$tmp/$name.err" & ;;
    server-none-q) count_opt="--count-read PID"
        $pin_server "$server" --fixtures "$set" --listen 127.0.0.1:0 \
            --journal none --quiet --no-watch >"$out" 2>"$tmp/$name.err" & ;;
    sink-c) count_opt="--count-file $tmp/$name.count"
        $pin_server "$csink" --fixtures "$set" --count-file "$tmp/$name.count" \
            >"$out" 2>"$tmp/$name.err" & ;;
    sink-py) count_opt="--count-file $tmp/$name.count"
        $pin_server /usr/bin/python3 "$pysink" --fixtures "$set" \
            --count-file "$tmp/$name.count" >"$out" 2>"$tmp/$name.err" & ;;
    esac
    server_pid=$!
    target_pid=$server_pid
    count_opt=${count_opt/PID/$target_pid}
    exec 3<"$out"
    if ! read -t 60 -r line <&3 || [ "${line#listening on }" = "$line" ]; then
        echo "bench.sh: $name did not start:" >&2
        cat "$tmp/$name.err" >&2
        exit 1
    fi
    target_addr=${line#listening on }
    cat <&3 >"$tmp/$name.rest" &   # what it prints at exit (the sinks' counts)
    exec 3<&-
}

stop_target() {
    stop_status=0
    kill -TERM "$target_pid"
    wait "$target_pid" || stop_status=$?
    server_pid=
    wait # the cat of its output
    if [ "$stop_status" -ne 0 ]; then
        echo "bench.sh: $name exited with status $stop_status" >&2
        ingest_rc=1
    fi
}

# run_mode NAME MODE ROUND: one xdi-load run, its figure line into results
run_mode() {
    name=$1 mode=$2 round=$3
    if [ "$mode" = flood ]; then set=$flood_set; else set=$rr_set; fi
    start_target "$name" "$set"
    load_status=0
    # shellcheck disable=SC2086 # count_opt is two words
    if [ "$mode" = flood ]; then
        $pin_load "$load" --connect "$target_addr" --fixtures "$set" --mode flood \
            --duration "$duration" $count_opt --server-pid "$target_pid" \
            --timeout 120 >"$tmp/load.out" 2>"$tmp/load.err" || load_status=$?
    else
        $pin_load "$load" --connect "$target_addr" --fixtures "$set" --mode rr \
            --duration "$duration" --server-pid "$target_pid" \
            --timeout 120 >"$tmp/load.out" 2>"$tmp/load.err" || load_status=$?
    fi
    stop_target
    if [ "$load_status" -ne 0 ]; then
        echo "bench.sh: xdi-load --mode $mode against $name failed (exit $load_status):" >&2
        tail -5 "$tmp/load.out" "$tmp/load.err" >&2
        ingest_rc=1
        return
    fi
    sed -n "s/^figure: /$round $name /p" "$tmp/load.out" >>"$tmp/results"
}

targets="server-file-q server-file-log server-devnull-q server-none-q sink-c sink-py"

if want ingest; then
section "ingest and request/response: xdi-server and its baselines, $rounds rounds of ${duration} s"
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    pin_server="taskset -c 1"
    pin_load="taskset -c 0"
    echo "pinned: the server or sink on CPU 1, xdi-load on CPU 0 (taskset)"
else
    pin_server='' pin_load=''
    echo "NOT pinned: taskset missing or fewer than 2 CPUs; the figures share cores"
fi
flood_set=$tmp/flood-fixtures
rr_set=$tmp/rr-fixtures
echo "\$ xdi-load --make-fixtures FLOOD --hosts 256 --events 100 --jobs 10 --text-length 80"
"$load" --make-fixtures "$flood_set" --hosts 256 --events 100 --jobs 10 --text-length 80
echo "\$ xdi-load --make-fixtures RR --hosts 64 --events 1 --jobs 1 --text-length 80"
"$load" --make-fixtures "$rr_set" --hosts 64 --events 1 --jobs 1 --text-length 80
cat <<TXT
targets (each started fresh for each run, pinned to CPU 1):
  server-file-q     xdi-server --journal FILE --quiet       counted: --count-journal FILE
  server-file-log   xdi-server --journal FILE (log on, to a file)  --count-journal FILE
  server-devnull-q  xdi-server --journal /dev/null --quiet  counted: --count-read PID
  server-none-q     xdi-server --journal none --quiet       counted: --count-read PID
  sink-c            xdi-bench-sink --count-file FILE        counted: --count-file FILE
  sink-py           /usr/bin/python3 sink.py --count-file FILE   (the same)
each round, every target:
  \$ xdi-load --connect ADDR --fixtures FLOOD --mode flood --duration $duration COUNT --server-pid PID
      (256 agents, 116-byte info MSG NACCBs: header + one 80-byte text)
  \$ xdi-load --connect ADDR --fixtures RR --mode rr --duration $duration --server-pid PID
      (64 agents, acquire EMS of a 1-EVBLOK table, wait, repeat)
TXT
: >"$tmp/results"
for round in $(seq 1 "$rounds"); do
    for mode in flood rr; do
        for t in $targets; do
            run_mode "$t" "$mode" "$round"
        done
    done
done
# results: ROUND TARGET mode=M round=R rate=X cpu_us=Y counted=... sent=... window=...
awk -v rounds="$rounds" '
function val(s, k) { sub("^" k "=", "", s); return s + 0 }
{
    mode = $3; sub("mode=", "", mode)
    rate[$1, $2, mode] = val($5, "rate"); cpu[$1, $2, mode] = val($6, "cpu_us")
    seen[$2] = 1
}
function median(a, n,    i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function show(mode, title, unit, cpuunit,    k, r, t, n, a, b, c, d, e, line) {
    printf "\n%s\n", title
    printf "  %-17s %12s  %-21s %10s %10s   %s\n", "target", unit, "[min .. max]", "x sink-c", "x sink-py", cpuunit
    split("server-file-q server-file-log server-devnull-q server-none-q sink-c sink-py", order, " ")
    for (k = 1; k <= 6; k++) {
        t = order[k]; n = 0
        for (r = 1; r <= rounds; r++) {
            if (!((r, t, mode) in rate)) continue
            n++; a[n] = rate[r, t, mode]; c[n] = cpu[r, t, mode]
            b[n] = ((r, "sink-c", mode) in rate) && rate[r, "sink-c", mode] > 0 ? a[n] / rate[r, "sink-c", mode] : 0
            d[n] = ((r, "sink-py", mode) in rate) && rate[r, "sink-py", mode] > 0 ? a[n] / rate[r, "sink-py", mode] : 0
            line = line sprintf("  %-17s round %d: %10.0f/s  x sink-c %7.4f  x sink-py %7.3f  %8.3f us\n", t, r, a[n], b[n], d[n], c[n])
        }
        if (n == 0) { printf "  %-17s (no figure: the run failed)\n", t; continue }
        for (r = 1; r <= n; r++) e[r] = a[r]
        lo = e[1]; hi = e[1]; for (r = 1; r <= n; r++) { if (e[r] < lo) lo = e[r]; if (e[r] > hi) hi = e[r] }
        printf "  %-17s %12.0f  [%8.0f .. %8.0f] %9.4fx %9.3fx   %.3f\n", t, median(a, n), lo, hi, median(b, n), median(d, n), median(c, n)
    }
    printf "  per round (every ratio against the baselines of its own round):\n%s", line
}
END {
    show("flood", "flood: info NACCBs/s handled by the target (median over rounds), ratio to the baselines of the same round (median of the per-round ratios), target CPU per NACCB", "NACCBs/s", "us CPU/NACCB")
    show("rr", "rr: acquire EMS -> table round trips/s (64 agents, 1-EVBLOK table)", "trips/s", "us CPU/trip")
}' "$tmp/results"
fi

# Instructions counted by callgrind for exactly one pass (--toggle-collect
# on the pass function; --warmup 0 --reps 1): the same on every run of the
# same binary, so a regression shows even on a busy machine.
callgrind_count() { # FUNCTION ARGS... -> prints "Ir ITEMS BYTES"
    fn=$1; shift
    out=$tmp/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$out" --collect-atstart=no \
        --toggle-collect="$fn" "$bench" --warmup 0 --reps 1 "$@" >"$tmp/cg.stdout" 2>"$tmp/cg.stderr"
    ir=$(sed -n 's/^totals: *//p' "$out")
    echo "$ir"
}

cg_stream() { # STREAM CHUNK
    ir=$(callgrind_count decode_pass --only decode --streams "$1" --chunks "$2" --stream-size 2M)
    set -- "$1" "$2" "$ir" $(awk -v s="$1" '$1 == s && $3 == "bytes" {print $2, $4; exit}' "$tmp/cg.stdout")
    awk -v s="$1" -v c="$2" -v ir="$3" -v bytes="$4" -v n="$5" 'BEGIN {
        printf "  %-8s %6s %14s %8s %9s %12.1f %9.2f\n", s, c, ir, n, bytes, ir / n, ir / bytes }'
}

section "callgrind: instructions of the decode path (framer + decode + validate)"
if ! want callgrind; then
    echo "skipped (not in --only, or --short)"
elif [ "${BENCH_SKIP_CALLGRIND:-0}" = 1 ] || ! command -v valgrind >/dev/null; then
    echo "skipped (valgrind not installed, or BENCH_SKIP_CALLGRIND=1)"
else
    echo "\$ valgrind --tool=callgrind --collect-atstart=no --toggle-collect=decode_pass \\"
    echo "      naccb-bench --only decode --streams S --chunks C --stream-size 2M --warmup 0 --reps 1"
    printf '  %-8s %6s %14s %8s %9s %12s %9s\n' stream chunk instructions NACCBs bytes "Ir/NACCB" "Ir/byte"
    cg_stream sessions 65536
    cg_stream sessions 1460
    cg_stream events 65536
    cg_stream events 1460
    cg_stream events 1
    ir=$(callgrind_count match_pass --only match --texts 20000)
    echo "\$ valgrind ... --toggle-collect=match_pass naccb-bench --only match --texts 20000 ..."
    awk -v ir="$ir" 'BEGIN { printf "  matching: %s instructions for 20000 texts against 1000 EVBLOKs: %.0f per text\n", ir, ir / 20000 }'
fi

section "summary"
if [ "$load_rc" -ne 0 ] || [ "$server_rc" -ne 0 ] || [ "$ingest_rc" -ne 0 ]; then
    echo "FAILED: xdi-load exit $load_rc, xdi-server exit $server_rc, ingest runs $ingest_rc"
    exit 1
fi
echo "ok: every pass checked out, every reply was the expected one, the server stopped cleanly"
