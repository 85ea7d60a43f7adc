#!/bin/bash
# bench.sh - build the Release configuration and run the benchmark programs
# with their default sizes, then count instructions of naccb-bench's decode
# path with callgrind (repeatable whatever the machine's load).  What each
# figure means: docs/performance.md.  Takes well under two minutes on 2 cores.
#
# Usage: tools/bench.sh [BUILD_DIR]      (default build/release)
# Environment: BENCH_SKIP_CALLGRIND=1 skips the callgrind part.
#
# Everything it starts is its own and is stopped on exit: the xdi-server it
# runs listens on 127.0.0.1 with a kernel-chosen port.  Temporary files
# (fixture set, journal) live in a mktemp directory removed on exit.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build/release}
case $build in /*) ;; *) build=$src/$build ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xdi-bench.XXXXXX")
server_pid=

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
cmake --build "$build" -j"$(nproc)" --target naccb-bench xdi-load xdi-server >/dev/null
bench=$build/tools/naccb-bench/naccb-bench
load=$build/tools/xdi-load/xdi-load
server=$build/server/xdi-server
echo "ok: $bench, $load, $server"

section "machine"
date -u '+date: %Y-%m-%d %H:%M:%S UTC'
echo "cpus: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "load average: $(cat /proc/loadavg)"

section "naccb-bench (codec; baseline memcpy/memchr/memcmp in the same run)"
echo "\$ naccb-bench --reps 7"
"$bench" --reps 7

section "xdi-load (server; baseline: the same sessions one at a time)"
fixtures=$tmp/fixtures
echo "\$ xdi-load --make-fixtures DIR --hosts 1000 --events 1000 --jobs 10"
"$load" --make-fixtures "$fixtures" --hosts 1000 --events 1000 --jobs 10
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
echo "\$ xdi-load --connect $addr --fixtures DIR --agents 1000 --rounds 3 --server-pid $server_pid"
load_rc=0
"$load" --connect "$addr" --fixtures "$fixtures" --agents 1000 --rounds 3 \
    --server-pid "$server_pid" || load_rc=$?
kill -TERM "$server_pid"
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=
exec 3<&-
echo "xdi-server stopped with exit status $server_rc; journal: $(wc -l <"$tmp/journal.jsonl") records, $(du -h "$tmp/journal.jsonl" | cut -f1)"

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
if [ "${BENCH_SKIP_CALLGRIND:-0}" = 1 ] || ! command -v valgrind >/dev/null; then
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
if [ "$load_rc" -ne 0 ] || [ "$server_rc" -ne 0 ]; then
    echo "FAILED: xdi-load exit $load_rc, xdi-server exit $server_rc"
    exit 1
fi
echo "ok: every pass checked out, every reply was the expected one, the server stopped cleanly"
