#!/bin/sh
# Installs Zowe CLI version 8 (@zowe/cli, from the npm registry) into a
# private directory for the z/OSMF tests (scenarios/tests/test_zowe.py):
# the one dependency from outside Debian, used by that test only and
# never installed system-wide.
#
# Usage: ci/zowe.sh [DIR]
#   DIR defaults to $XDI_ZOWE_DIR, else build/zowe in the source tree.
# Prints the path of the zowe program on its last line of stdout.
# Idempotent: when DIR already holds a working Zowe CLI 8 it only says so.
# Exit status: 0 installed (or already there), 77 when it cannot be
# installed here (no Node.js/npm and no way to get them, or the npm
# registry unreachable: the reason is printed), 1 on other failures.
set -eu
self="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$self")/.."
dir=${1:-${XDI_ZOWE_DIR:-$PWD/build/zowe}}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
zowe="$dir/node_modules/.bin/zowe"

skip() {
  echo "ci/zowe.sh: cannot install Zowe CLI: $*" >&2
  exit 77
}

# One installation at a time: tests may start this in parallel.
if command -v flock >/dev/null 2>&1 && [ -z "${XDI_ZOWE_LOCKED:-}" ]; then
  export XDI_ZOWE_LOCKED=1
  exec flock "$dir/.lock" sh "$self" "$dir"
fi

installed_ok() {
  [ -x "$zowe" ] || return 1
  v=$(node -p "require('$dir/node_modules/@zowe/cli/package.json').version" \
    2>/dev/null) || return 1
  case "$v" in 8.*) return 0 ;; esac
  return 1
}

if command -v node >/dev/null 2>&1 && installed_ok; then
  echo "ci/zowe.sh: Zowe CLI $v already in $dir" >&2
  echo "$zowe"
  exit 0
fi

# Node.js and npm: Debian's packages when they are missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || skip "node and npm are not installed \
(as root: apt-get install nodejs npm)"
    SUDO=sudo
  fi
  command -v apt-get >/dev/null 2>&1 || skip "node and npm are not installed"
  echo "ci/zowe.sh: installing Debian's nodejs and npm" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm >&2 ||
    skip "apt-get install nodejs npm failed"
fi

major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || skip "Zowe CLI 8 needs Node.js 18 or later, this is $(node --version)"

registry=$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
if ! timeout 60 npm view --fetch-retries=1 --fetch-timeout=20000 \
  "@zowe/cli@^8" version >/dev/null 2>&1; then
  skip "the npm registry $registry cannot be reached (or has no @zowe/cli 8)"
fi

echo "ci/zowe.sh: installing @zowe/cli@^8 into $dir (this downloads a lot)" >&2
# --no-audit/--no-fund: no further requests nobody reads.  Zowe's secure
# credential store is optional; the tests keep credentials in a profile.
if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
  "@zowe/cli@^8" >&2; then
  echo "ci/zowe.sh: npm install @zowe/cli@^8 into $dir failed" >&2
  exit 1
fi
installed_ok || { echo "ci/zowe.sh: $zowe missing after npm install" >&2; exit 1; }
echo "ci/zowe.sh: Zowe CLI $v installed in $dir" >&2
echo "$zowe"
