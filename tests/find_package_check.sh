#!/bin/sh
# Installs the build tree into a temporary prefix, moves the prefix (the
# package must be relocatable), and builds a small agent-author CMake
# project against it with nothing but find_package(naccb CONFIG REQUIRED)
# and CMAKE_PREFIX_PATH: one program on naccb::shared, one on naccb::naccb
# (static).  Both must run and report the version the package declares.
# Usage: find_package_check.sh BUILD_DIR VERSION
set -eu
build=$1
version=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/installed" >/dev/null
mv "$tmp/installed" "$tmp/moved"
prefix=$tmp/moved
config=$(find "$prefix" -name naccbConfig.cmake)
[ -n "$config" ] || { echo "naccbConfig.cmake was not installed" >&2; exit 1; }
# Nothing in the package may point back at the build or the source tree.
if grep -rl -e "$build" -e "$(cd "$(dirname "$0")/.." && pwd)" "$(dirname "$config")"; then
  echo "the package above names the build or source tree" >&2; exit 1
fi

mkdir "$tmp/consumer"
cat > "$tmp/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(naccb_consumer LANGUAGES C)
find_package(naccb 0.1 CONFIG REQUIRED)
add_executable(agent-shared agent.c)
target_link_libraries(agent-shared PRIVATE naccb::shared)
add_executable(agent-static agent.c)
target_link_libraries(agent-static PRIVATE naccb::naccb)
file(WRITE ${CMAKE_BINARY_DIR}/found-version "${naccb_VERSION}")
CMAKE
cat > "$tmp/consumer/agent.c" <<'C'
#include <naccb.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    /* login for SYSA, hand-written from docs/protocol.md */
    static const unsigned char login[36] = {
        0x00,0x00,0x00,0x24, 0,0,0,0, 0xE2,0xE8,0xE2,0xC1,0x40,0x40,0x40,0x40,
        0x02,0x01,0x05,0x00, 0,0,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0};
    struct naccb_message m;
    if (naccb_message_decode(login, sizeof login, 0, &m, NULL) != 36) return 1;
    if (strcmp(naccb_key_name(naccb_header_key(&m.header), 0), "login") != 0) return 2;
    printf("%s\n", naccb_version());
    return 0;
}
C
# No package registry, no system copy: only the moved prefix may answer.
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
  -DCMAKE_C_FLAGS="-Wall -Werror" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
found=$(cat "$tmp/consumer/build/found-version")
[ "$found" = "$version" ] || { echo "package version $found, expected $version" >&2; exit 1; }
for kind in shared static; do
  out=$("$tmp/consumer/build/agent-$kind")
  [ "$out" = "$version" ] || { echo "agent-$kind: '$out', expected $version" >&2; exit 1; }
done
# The shared program really loads the moved library.
ldd "$tmp/consumer/build/agent-shared" | grep -q "$prefix/.*libnaccb.so" ||
  { echo "agent-shared does not load the installed libnaccb.so" >&2; exit 1; }
echo "ok find_package(naccb) $found: shared and static"
