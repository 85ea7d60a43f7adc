#!/bin/sh
# Installs what is missing and builds the dev preset (used by ci/run.sh and
# ci/test.sh).  It says what it is doing, a line per stage with the time it
# took and the build's progress every tenth; the whole output of configure
# and build is kept in build/ci-build.log, whose end is shown on failure.
set -eu
cd "$(dirname "$0")/.."
ci/deps.sh
mkdir -p build
log=build/ci-build.log
: >"$log"
start=$(date +%s)
stage() { echo "ci/build.sh: $*" >&2; }
elapsed() { echo "$(( $(date +%s) - start )) s"; }
failed() {
  stage "$1 failed after $(elapsed); the last lines of $log:"
  tail -n 30 "$log" >&2
  exit 1
}

stage "configuring the dev preset (build/dev)"
cmake --preset dev >>"$log" 2>&1 || failed "configure"
stage "building with $(nproc) jobs"
# The build's own "[ NN%]" lines, condensed to one per tenth.
status=$( { cmake --build --preset dev -j "$(nproc)" 2>&1; echo "rc=$?"; } |
  tee -a "$log" | awk '
    /^rc=/ { rc = substr($0, 4); next }
    match($0, /^\[ *[0-9]+%\]/) {
      pct = substr($0, 2, RLENGTH - 3) + 0
      if (pct >= shown + 10) {
        shown = pct - pct % 10
        printf "ci/build.sh:   %d%%\n", pct > "/dev/stderr"
      }
    }
    END { print rc }')
[ "$status" = 0 ] || failed "build"
stage "built in $(elapsed) (log: $log)"
