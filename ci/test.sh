#!/bin/sh
# The README's test command: installs what is missing, builds, and runs
# every test (the cmocka suites and the pytest scenarios) through ctest.
# Usage: ci/test.sh [PRESET]   PRESET is dev (default), asan or coverage.
# Every preset sets XDI_WERROR=ON (CMakePresets.json): here a warning fails
# the build, while a plain `cmake -S . -B build` only prints it.
set -eu
cd "$(dirname "$0")/.."
preset=${1:-dev}
ci/deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
ctest --preset "$preset" -j "$(nproc)"
