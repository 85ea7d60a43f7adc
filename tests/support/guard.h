/*
 * guard.h - bytes placed against a guard page, for the codec suites: a read
 * one byte past them faults even without a sanitizer (the picohttpparser
 * and llhttp way of proving a parser never over-reads).
 */
#ifndef XDI_TEST_GUARD_H
#define XDI_TEST_GUARD_H

#include <stddef.h>
#include <stdint.h>

struct guarded {
    uint8_t *map;
    size_t map_len;
    uint8_t *data; /* the n bytes copied, ending where PROT_NONE begins */
};

/* Copies n bytes (any n) to the very end of the pages before a PROT_NONE
 * page.  A failed mapping fails the test. */
struct guarded guard(const uint8_t *src, size_t n);

/* Unmaps what guard() mapped. */
void unguard(struct guarded *g);

#endif
