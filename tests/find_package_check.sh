#!/bin/sh
# Installs the build tree into a temporary prefix, moves the prefix (the
# package must be relocatable), and builds a small agent-author CMake
# project against it with nothing but find_package(naccb CONFIG REQUIRED)
# and CMAKE_PREFIX_PATH: install_consumer.c once on naccb::shared, once on
# naccb::naccb (static).  Both must run and print the version given, which
# find_package must also have asked for and found.
# Usage: find_package_check.sh BUILD_DIR VERSION
set -eu
build=$1
version=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/installed" >/dev/null
mv "$tmp/installed" "$tmp/moved"
prefix=$tmp/moved
config=$(find "$prefix" -name naccbConfig.cmake)
[ -n "$config" ] || { echo "naccbConfig.cmake was not installed" >&2; exit 1; }
# Nothing in the package may point back at the build or the source tree.
if grep -rl -e "$build" -e "$(dirname "$here")" "$(dirname "$config")"; then
  echo "the package above names the build or source tree" >&2; exit 1
fi

mkdir "$tmp/consumer"
cat > "$tmp/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(naccb_consumer LANGUAGES C)
find_package(naccb @VERSION@ CONFIG REQUIRED)
add_executable(agent-shared agent.c)
target_link_libraries(agent-shared PRIVATE naccb::shared)
add_executable(agent-static agent.c)
target_link_libraries(agent-static PRIVATE naccb::naccb)
file(WRITE ${CMAKE_BINARY_DIR}/found-version "${naccb_VERSION}")
CMAKE
sed -i "s/@VERSION@/$version/" "$tmp/consumer/CMakeLists.txt"
cp "$here/install_consumer.c" "$tmp/consumer/agent.c"
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
# ... and the static one does not need it.
if ldd "$tmp/consumer/build/agent-static" | grep -q libnaccb; then
  echo "agent-static is linked to libnaccb.so, not libnaccb.a" >&2; exit 1
fi
echo "ok find_package(naccb) $found: shared and static"
