#!/bin/sh
# Installs the build tree into a temporary prefix and builds an agent
# author's first program (install_consumer.c) against it, shared and
# static, the way an agent author would:
#   pkgconfig     with nothing but `pkg-config naccb` (the generated naccb.pc),
#                 the shared program running without LD_LIBRARY_PATH (the
#                 .pc's rpath; none in a /usr install);
#   find_package  as a CMake project with find_package(naccb CONFIG
#                 REQUIRED) and CMAKE_PREFIX_PATH, after moving the prefix
#                 (the package must be relocatable).
# Each program must run and print VERSION, project()'s version.
# Usage: install_check.sh BUILD_DIR VERSION pkgconfig|find_package
set -eu
build=$1
version=$2
mode=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "install_check.sh $mode: $*" >&2; exit 1; }

# Runs program $1, which must print the version.
expect_version() {
  out=$("$1") || fail "$1 exited with $?"
  [ "$out" = "$version" ] || fail "$1 printed '$out', expected $version"
}

with_pkgconfig() {
  cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
  pc=$(find "$tmp/prefix" -name naccb.pc)
  [ -n "$pc" ] || fail "naccb.pc was not installed"
  PKG_CONFIG_PATH=$(dirname "$pc")
  export PKG_CONFIG_PATH
  [ "$(pkg-config --modversion naccb)" = "$version" ] ||
    fail "naccb.pc: version $(pkg-config --modversion naccb), expected $version"
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Werror "$here/install_consumer.c" $(pkg-config --cflags naccb) \
     $(pkg-config --libs naccb) -o "$tmp/agent-shared"
  # The .pc gives an rpath for a prefix the dynamic linker does not search:
  # the program runs as linked, with no LD_LIBRARY_PATH, and loads the
  # prefix's library.
  (unset LD_LIBRARY_PATH; expect_version "$tmp/agent-shared")
  env -u LD_LIBRARY_PATH ldd "$tmp/agent-shared" | grep -q "$tmp/prefix/.*libnaccb.so" ||
    fail "agent-shared does not load the installed libnaccb.so (no rpath from naccb.pc?)"
  # Installed into /usr (a package build, DESTDIR), the .pc gives no rpath:
  # there the system's search path finds the library.
  DESTDIR=$tmp/destdir cmake --install "$build" --prefix /usr >/dev/null
  syspc=$(find "$tmp/destdir" -name naccb.pc)
  [ -n "$syspc" ] || fail "naccb.pc was not installed under DESTDIR"
  if grep -q rpath "$syspc"; then
    fail "$syspc: an rpath in the .pc of a /usr install"
  fi
  # The static library alone must also be enough.
  # shellcheck disable=SC2046
  cc -std=c11 -Wall -Werror "$here/install_consumer.c" $(pkg-config --cflags naccb) \
     "$(pkg-config --variable=libdir naccb)/libnaccb.a" -o "$tmp/agent-static"
  expect_version "$tmp/agent-static"
}

with_find_package() {
  cmake --install "$build" --prefix "$tmp/installed" >/dev/null
  mv "$tmp/installed" "$tmp/moved"
  prefix=$tmp/moved
  config=$(find "$prefix" -name naccbConfig.cmake)
  [ -n "$config" ] || fail "naccbConfig.cmake was not installed"
  # Nothing in the package may point back at the build or the source tree.
  if grep -rl -e "$build" -e "$(dirname "$here")" "$(dirname "$config")"; then
    fail "the files above name the build or the source tree"
  fi
  src=$tmp/consumer
  mkdir "$src"
  cp "$here/install_consumer.c" "$src/agent.c"
  cat > "$src/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.25)
project(naccb_consumer LANGUAGES C)
find_package(naccb $version CONFIG REQUIRED)
add_executable(agent-shared agent.c)
target_link_libraries(agent-shared PRIVATE naccb::shared)
add_executable(agent-static agent.c)
target_link_libraries(agent-static PRIVATE naccb::naccb)
file(WRITE \${CMAKE_BINARY_DIR}/found-version "\${naccb_VERSION}")
CMAKE
  # No package registry: only the moved prefix may answer.
  cmake -S "$src" -B "$src/build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF \
    -DCMAKE_C_FLAGS="-Wall -Werror" >/dev/null
  cmake --build "$src/build" >/dev/null
  [ "$(cat "$src/build/found-version")" = "$version" ] ||
    fail "found naccb $(cat "$src/build/found-version"), expected $version"
  expect_version "$src/build/agent-shared"
  expect_version "$src/build/agent-static"
  # The shared program loads the moved library; the static one needs none.
  ldd "$src/build/agent-shared" | grep -q "$prefix/.*libnaccb.so" ||
    fail "agent-shared does not load the installed libnaccb.so"
  if ldd "$src/build/agent-static" | grep -q libnaccb; then
    fail "agent-static is linked to libnaccb.so, not libnaccb.a"
  fi
}

case $mode in
  pkgconfig) with_pkgconfig ;;
  find_package) with_find_package ;;
  *) fail "unknown mode (pkgconfig or find_package)" ;;
esac
echo "ok $mode: naccb $version, shared and static"
