#!/bin/sh
# The README's run command: installs what is missing, builds, and starts the
# fake XDI host on the demo fixtures, with its control plane (HTTP API and
# dashboard) on 127.0.0.1:7080 and a generated token in
# build/demo/control-token (docs/control.md).  Extra arguments go to
# xdi-server (e.g. --listen 0.0.0.0:7012).  Stop it with Ctrl-C.
set -eu
cd "$(dirname "$0")/.."
ci/build.sh
mkdir -p build/demo
exec build/dev/server/xdi-server --fixtures fixtures/demo \
  --journal build/demo/journal.jsonl \
  --control 127.0.0.1:7080 --control-token-file build/demo/control-token "$@"
