#!/bin/sh
# Installs the build tree into a temporary prefix and builds a small agent-
# author program (install_consumer.c) against it with nothing but
# `pkg-config naccb`: proves the installed headers, the libraries and the
# generated naccb.pc work together, shared and static.
# Usage: install_check.sh BUILD_DIR VERSION
set -eu
build=$1
version=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name naccb.pc)
[ -n "$pc" ] || { echo "naccb.pc was not installed" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
[ "$(pkg-config --modversion naccb)" = "$version" ] ||
  { echo "naccb.pc: version $(pkg-config --modversion naccb), expected $version" >&2; exit 1; }
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$here/install_consumer.c" $(pkg-config --cflags naccb) \
   $(pkg-config --libs naccb) -o "$tmp/agent"
out=$(LD_LIBRARY_PATH=$(pkg-config --variable=libdir naccb) "$tmp/agent")
[ "$out" = "$version" ] || { echo "shared: '$out', expected $version" >&2; exit 1; }
# The static library alone must also be enough.
cc -std=c11 "$here/install_consumer.c" $(pkg-config --cflags naccb) \
   "$(pkg-config --variable=libdir naccb)/libnaccb.a" -o "$tmp/agent-static"
out=$("$tmp/agent-static")
[ "$out" = "$version" ] || { echo "static: '$out', expected $version" >&2; exit 1; }
echo "ok pkg-config naccb $version: shared and static"
