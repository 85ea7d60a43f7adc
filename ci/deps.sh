#!/bin/sh
# Installs what xdi-emu needs to build, run and test, from Debian packages
# only.  Idempotent and quick: when every package is already installed it
# only asks dpkg and returns.  Runs as root (or through sudo when present).
set -eu

# libpcap-dev, tcpdump, tshark and python3-scapy: xdi-server --capture,
# xdi-replay and the Wireshark dissector, and their tests
# (scenarios/tests/test_replay_extract.py, test_wireshark.py).
# libh2o-dev (H2O built on libuv), libssl-dev and libcrypt-dev: the
# control plane's HTTP server and its password hashes (docs/control.md).
# chromium, chromium-driver and python3-selenium: the dashboard's test in
# a real headless browser (scenarios/tests/test_dashboard.py).
# curl: docs/control.md's examples, run as written by
# scenarios/tests/test_xdi_ctl.py.
# help2man: the tools' man pages, made from their --help at build time
# (clidoc/CMakeLists.txt; without it the build makes none).
PACKAGES="build-essential patch cmake pkg-config libuv1-dev libcmocka-dev \
libjansson-dev libyaml-dev faketime libfaketime python3 python3-pytest \
python3-yaml libpcap-dev python3-scapy tshark tcpdump \
libh2o-dev libssl-dev libcrypt-dev chromium chromium-driver python3-selenium \
curl help2man"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "ci/deps.sh: installing:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "ci/deps.sh: not root and no sudo: install as root:$missing" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
