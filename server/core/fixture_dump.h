/*
 * fixture_dump.h - a raw binary table written back as a fixture (YAML).
 *
 * Used by `xdi-fixture dump` and by the round-trip tests: a table cut from
 * a capture becomes a fixture file a person can read, edit and paste from,
 * and which loads back to the same bytes wherever YAML can say them.
 * Private to the server core and its tools (not an installed header).
 */
#ifndef XDI_FIXTURE_DUMP_H
#define XDI_FIXTURE_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "naccb.h"

/*
 * Write the EVBLOKs (len a multiple of 230) or EOTINFOs (of 162) of a raw
 * table as a complete fixture file: one host, named by the first object's
 * system name, with its `events:` or `jobs:`.  source names the table in
 * the heading comment (may be NULL).  An object that is invalid, or holds
 * bytes a fixture cannot say (a non-zero user area, another system name,
 * ...), is named in a comment and counted; invalid ones are left out.
 * Returns that count (0: the YAML loads back to exactly these bytes), or
 * -1 when len is not a whole number of objects.
 */
int xdi_fixture_dump_ems(FILE *out, const uint8_t *table, size_t len,
                         enum naccb_codepage cp, const char *source);
int xdi_fixture_dump_scd(FILE *out, const uint8_t *table, size_t len,
                         enum naccb_codepage cp, const char *source);

/* A Latin-1 string as a YAML double-quoted scalar (UTF-8, escapes for
 * quotes, backslashes and control characters). */
void xdi_fixture_write_quoted(FILE *out, const char *latin1, size_t len);

#endif /* XDI_FIXTURE_DUMP_H */
