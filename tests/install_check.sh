#!/bin/sh
# Installs the build tree into a temporary prefix and builds a small agent-
# author program against it with nothing but `pkg-config naccb`: proves the
# installed headers, the libraries and the generated naccb.pc work together.
# Usage: install_check.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(find "$tmp/prefix" -name naccb.pc)
[ -n "$pc" ] || { echo "naccb.pc was not installed" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc")
cat > "$tmp/agent.c" <<'C'
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
    printf("ok %s\n", naccb_version());
    return 0;
}
C
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$tmp/agent.c" $(pkg-config --cflags naccb) \
   $(pkg-config --libs naccb) -o "$tmp/agent"
LD_LIBRARY_PATH=$(pkg-config --variable=libdir naccb) "$tmp/agent"
# The static library alone must also be enough.
cc -std=c11 "$tmp/agent.c" $(pkg-config --cflags naccb) \
   "$(pkg-config --variable=libdir naccb)/libnaccb.a" -o "$tmp/agent-static"
"$tmp/agent-static"
