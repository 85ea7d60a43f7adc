/*
 * naccb/ebcdic.h - EBCDIC code pages and blank-padded character fields.
 *
 * Character fields on the wire are EBCDIC, left-justified, padded with the
 * code page's blank (0x40; 0x20 in the ascii page).  The library converts
 * between those bytes and ISO-8859-1 (Latin-1) on the host side.  Each code
 * page is a pair of 256-byte tables that are exact inverses, so every byte
 * value round-trips (docs/protocol.md §1).  The tables are checked
 * against glibc's iconv in tests/test_ebcdic.c.
 *
 * Host-side strings are Latin-1 bytes, not UTF-8: callers that print JSON
 * convert Latin-1 to UTF-8 themselves.
 */
#ifndef NACCB_EBCDIC_H
#define NACCB_EBCDIC_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum naccb_codepage {
    NACCB_CP_037 = 0,  /* IBM-037, the default */
    NACCB_CP_1047 = 1, /* IBM-1047 (z/OS Open Systems Latin-1) */
    NACCB_CP_500 = 2,  /* IBM-500 (international) */
    NACCB_CP_ASCII = 3 /* identity on ISO-8859-1, for agents that do not
                          convert */
};

/* "037", "1047", "500", "ascii" (also accepted: "IBM037", "IBM-037",
 * "cp037", any case).  Returns 0 or NACCB_ECODEPAGE. */
NACCB_API int naccb_codepage_parse(const char *name, enum naccb_codepage *out);

/* "037", "1047", "500", "ascii"; NULL for an unknown value. */
NACCB_API const char *naccb_codepage_name(enum naccb_codepage cp);

/* One byte each way.  An unknown code page behaves as 037. */
NACCB_API uint8_t naccb_ebcdic_from_latin1(enum naccb_codepage cp, uint8_t c);
NACCB_API uint8_t naccb_ebcdic_to_latin1(enum naccb_codepage cp, uint8_t c);

/* n bytes each way; src and dst may be the same buffer. */
NACCB_API void naccb_ebcdic_encode(enum naccb_codepage cp, const uint8_t *src,
                                   size_t n, uint8_t *dst);
NACCB_API void naccb_ebcdic_decode(enum naccb_codepage cp, const uint8_t *src,
                                   size_t n, uint8_t *dst);

/* The blank of the code page: 0x40, or 0x20 for ascii. */
NACCB_API uint8_t naccb_ebcdic_blank(enum naccb_codepage cp);

/*
 * Fill a fixed field of `width` bytes from a Latin-1 string of `len` bytes:
 * converted, left-justified, padded with blanks.  Returns 0, or
 * NACCB_ENOBUFS (field left untouched) when len > width.
 */
NACCB_API int naccb_field_put(enum naccb_codepage cp, uint8_t *field,
                              size_t width, const char *str, size_t len);

/*
 * Read a fixed field into out (at least width + 1 bytes): converted to
 * Latin-1, trailing blanks removed, NUL-terminated.  Returns the length.
 */
NACCB_API size_t naccb_field_get(enum naccb_codepage cp, const uint8_t *field,
                                 size_t width, char *out);

/* 1 when every byte of the field is the code page's blank, else 0. */
NACCB_API int naccb_field_is_blank(enum naccb_codepage cp,
                                   const uint8_t *field, size_t width);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_EBCDIC_H */
