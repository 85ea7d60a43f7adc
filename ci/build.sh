#!/bin/sh
# Installs what is missing and builds the dev preset (used by ci/run.sh).
set -eu
cd "$(dirname "$0")/.."
ci/deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$(nproc)" >/dev/null
