/*
 * blob.h - an immutable, reference-counted byte buffer.
 *
 * A host's EMS and SCD tables are encoded once, when fixtures load, into
 * blobs holding the objects of the receive NACCB (count * size bytes).
 * Every agent that acquires the table is sent its own 36-byte header
 * followed by the same blob: no per-agent copy, no per-request encoding.
 * Single-threaded: the count is a plain integer.
 */
#ifndef XDI_BLOB_H
#define XDI_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xdi_blob {
    size_t refs;
    size_t len;
    /* The journal holds its bytes already (docs/journal.md, "send"): a
     * host table is written out whole once per server life, and its later
     * sends name it by hash. */
    bool journalled;
    uint8_t data[]; /* len bytes */
};

/* A blob of len bytes copied from data (data may be NULL: zero-filled),
 * with one reference.  NULL when out of memory. */
struct xdi_blob *xdi_blob_new(const uint8_t *data, size_t len);

/* Takes one more reference; returns b.  NULL-safe. */
struct xdi_blob *xdi_blob_ref(struct xdi_blob *b);

/* Drops one reference, freeing the blob with the last.  NULL-safe. */
void xdi_blob_unref(struct xdi_blob *b);

#endif /* XDI_BLOB_H */
