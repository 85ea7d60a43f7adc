#!/bin/sh
# The CI fuzz smoke (docs/fuzzing.md): builds the in-process fuzz targets
# with the fuzz preset (clang, libFuzzer, ASan+UBSan), replays their
# regression and seed corpora (ctest --preset fuzz), then fuzzes each
# target for a bounded time and fails on any finding: a crash, a sanitizer
# report, a leak, a timeout or an out-of-memory.  The whole smoke stays
# within about 3 minutes on 2 cores with the default of 20 s a target.
#
# Usage: ci/fuzz-smoke.sh [TARGET...]      (default: every target)
# Environment: XDI_FUZZ_SECONDS (20), the time given to each target.
# A finding is left as build/fuzz/smoke/<target>-crash-* (or leak-,
# timeout-, oom-): reproduce it with build/fuzz/tests/fuzz/fuzz_<target>
# FILE, and keep it in tests/fuzz/regress/<target>/ once fixed.
set -eu
cd "$(dirname "$0")/.."
seconds=${XDI_FUZZ_SECONDS:-20}
targets=${*:-"framer objects agent naccb_json server fixture"}

ci/deps.sh
# clang is needed by this step only, so it is installed here and not by
# ci/deps.sh for every build.
if ! command -v clang >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
  echo "ci/fuzz-smoke.sh: installing clang" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends clang ||
    { $SUDO apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends clang; }
fi

start=$(date +%s)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
ctest --preset fuzz -j "$(nproc)"

bin=build/fuzz/tests/fuzz
smoke=build/fuzz/smoke
rm -rf "$smoke"
mkdir -p "$smoke"
failed=""
for t in $targets; do
  # New inputs go to a scratch corpus; the committed seeds stay as they are.
  mkdir -p "$smoke/$t"
  rc=0
  "$bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="tests/fuzz/$t.dict" -artifact_prefix="$smoke/$t-" -print_final_stats=1 \
    "$smoke/$t" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" \
    >"$smoke/$t.log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$smoke/$t.log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$smoke/$t.log")
  if [ "$rc" -ne 0 ]; then
    echo "fuzz smoke: $t: FINDING (exit $rc) after ${execs:-?} execs:" >&2
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*runtime error)' \
      "$smoke/$t.log" >&2 || tail -n 30 "$smoke/$t.log" >&2
    failed="$failed $t"
  else
    echo "fuzz smoke: $t: ${execs:-?} execs, ${rate:-?} execs/s, no finding"
  fi
done
echo "fuzz smoke: $(($(date +%s) - start)) s in all"
if [ -n "$failed" ]; then
  echo "fuzz smoke: findings in:$failed (logs in $smoke/)" >&2
  exit 1
fi
