/*
 * install_consumer.c - an agent author's first program, built against the
 * installed libnaccb by tests/install_check.sh (with pkg-config and with
 * find_package): decodes a login and prints naccb_version(), which the
 * script compares with project()'s version.
 */
#include <naccb.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    /* login for SYSA, hand-written from docs/protocol.md */
    static const unsigned char login[36] = {
        0x00, 0x00, 0x00, 0x24, 0, 0, 0, 0, 0xE2, 0xE8, 0xE2, 0xC1,
        0x40, 0x40, 0x40, 0x40, 0x02, 0x01, 0x05, 0x00, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    struct naccb_message m;

    if (naccb_message_decode(login, sizeof login, 0, &m, NULL) != 36)
        return 1;
    if (strcmp(naccb_key_name(naccb_header_key(&m.header), 0), "login") != 0)
        return 2;
    printf("%s\n", naccb_version());
    return 0;
}
