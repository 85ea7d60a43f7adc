/*
 * naccb/framer.h - reassembles NACCBs from a TCP byte stream.
 *
 * The stream has no framing but each NACCB's own total length (docs/protocol.md
 * §3), so one recv() may hold several NACCBs or a piece of
 * one.  Feed the framer whatever arrived; it hands out whole NACCBs.
 *
 *     struct naccb_framer fr;
 *     naccb_framer_init(&fr, max_size);
 *     const uint8_t *p = chunk; size_t n = chunk_len;
 *     const uint8_t *msg; size_t msg_len;
 *     int rc;
 *     while ((rc = naccb_framer_next(&fr, &p, &n, &msg, &msg_len)) > 0)
 *         handle(msg, msg_len);      // msg valid until the next call
 *     if (rc < 0 && rc != NACCB_EINCOMPLETE) lost_framing(rc, fr.error_offset);
 *
 * A NACCB lying whole in the chunk is handed out as a pointer into the
 * chunk (no copy).  Only a NACCB split across chunks is copied, into a
 * buffer that grows (doubling from 4 KiB) with the bytes actually received,
 * never beyond the declared total length: the length is checked against 36
 * and max_size as soon as its 4 bytes are known, before any payload is
 * held, and a peer that announces a large NACCB pins only what it sent.  That check failing is
 * "lost framing": the error is sticky, every later call returns it.
 *
 * The framer allocates (only for split NACCBs); encode and decode do not.
 */
#ifndef NACCB_FRAMER_H
#define NACCB_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naccb_framer {
    /* private: use the functions */
    uint8_t *buf;      /* partial NACCB (owned) */
    size_t buf_cap;    /* allocated bytes of buf */
    size_t buf_len;    /* bytes of the partial NACCB held */
    uint32_t need;     /* its total length once known, else 0 */
    uint32_t max_size;
    int error;         /* sticky lost-framing error, 0 if none */
    uint8_t head[4];   /* a total length whose 4 bytes are not all in yet */
    /* public, read-only */
    uint64_t stream_offset; /* bytes consumed from the stream so far */
    uint64_t error_offset;  /* stream offset of the bad NACCB's first byte */
};

/* max_size 0 means NACCB_DEFAULT_MAX_SIZE.  Returns 0. */
NACCB_API int naccb_framer_init(struct naccb_framer *f, uint32_t max_size);

/* Frees the partial-NACCB buffer.  The framer may be initialised again. */
NACCB_API void naccb_framer_free(struct naccb_framer *f);

/*
 * Take bytes from *chunk / *chunk_len (advancing both) until one NACCB is
 * complete.  Returns 1 with *msg / *msg_len set (valid until the next call
 * on this framer, and while the chunk is), NACCB_EINCOMPLETE when the chunk
 * is used up without completing one, NACCB_ELENGTH_SHORT or
 * NACCB_ELENGTH_MAX on lost framing (sticky), NACCB_ENOMEM when the buffer
 * for a split NACCB cannot be allocated (sticky).
 */
NACCB_API int naccb_framer_next(struct naccb_framer *f, const uint8_t **chunk,
                                size_t *chunk_len, const uint8_t **msg,
                                size_t *msg_len);

/* Bytes of an incomplete NACCB held (0 between NACCBs). */
NACCB_API size_t naccb_framer_pending(const struct naccb_framer *f);

/* The public read-only fields, for callers that do not see the struct (a
 * binding through ctypes, or one that allocates with naccb_framer_new). */
NACCB_API uint64_t naccb_framer_stream_offset(const struct naccb_framer *f);
NACCB_API uint64_t naccb_framer_error_offset(const struct naccb_framer *f);

/*
 * A framer on the heap, initialised as naccb_framer_init() does, for
 * callers that must not depend on the struct's layout (the Python
 * harness).  NULL when memory runs out.  naccb_framer_delete() frees its
 * buffer and the framer itself; NULL is allowed.
 */
NACCB_API struct naccb_framer *naccb_framer_new(uint32_t max_size);
NACCB_API void naccb_framer_delete(struct naccb_framer *f);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_FRAMER_H */
