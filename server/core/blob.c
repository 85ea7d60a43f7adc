/*
 * blob.c - the immutable, reference-counted byte buffer of blob.h.
 *
 * A host's EMS and SCD tables are encoded into one blob each when the
 * server is created; every receive NACCB then goes out as a fresh 36-byte
 * header plus a reference to the same blob (no per-agent copy, no
 * per-request encoding).  The core is single-threaded, so the count is a
 * plain integer.
 */
#include "blob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct xdi_blob *xdi_blob_new(const uint8_t *data, size_t len)
{
    struct xdi_blob *b;

    /* The header and the flexible array must fit size_t together. */
    if (len > SIZE_MAX - sizeof(*b))
        return NULL;
    b = malloc(sizeof(*b) + len);
    if (b == NULL)
        return NULL;
    b->refs = 1;
    b->journalled = false;
    b->len = len;
    if (len > 0) {
        if (data != NULL)
            memcpy(b->data, data, len);
        else
            memset(b->data, 0, len);
    }
    return b;
}

struct xdi_blob *xdi_blob_ref(struct xdi_blob *b)
{
    if (b != NULL)
        b->refs++;
    return b;
}

void xdi_blob_unref(struct xdi_blob *b)
{
    if (b == NULL)
        return;
    if (--b->refs == 0)
        free(b);
}
