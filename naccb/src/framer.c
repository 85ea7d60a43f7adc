/*
 * framer.c - reassembles whole NACCBs from a TCP byte stream.
 *
 * The stream's only framing is each NACCB's own total length (docs/protocol.md
 * §3).  A NACCB lying whole in the chunk is handed out in
 * place; only one split across chunks is copied.  The declared length is checked
 * against 36 and the maximum (§11, "bad framing") before a single
 * byte of payload is held: until its 4 bytes are all in, a split length
 * waits in the fixed f->head array and nothing is allocated.  The copy
 * buffer then grows with the bytes received, up to the declared length.
 *
 * States, told apart by buf_len:
 *   0          between NACCBs
 *   1..3       part of the total length, in f->head
 *   4..need-1  the NACCB so far, in f->buf (need = its total length)
 */
#include "naccb/framer.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "naccb/bytes.h"
#include "naccb/codes.h"
#include "naccb/errors.h"

/* The total-length field: the first fullword of the header. */
enum { LENGTH_FIELD_SIZE = 4 };

int naccb_framer_init(struct naccb_framer *f, uint32_t max_size)
{
    memset(f, 0, sizeof *f);
    f->buf = NULL;
    f->max_size = max_size ? max_size : NACCB_DEFAULT_MAX_SIZE;
    return 0;
}

/* Leaves a framer that still works (and stays in error if it was): the
 * next split NACCB simply allocates again. */
void naccb_framer_free(struct naccb_framer *f)
{
    free(f->buf);
    f->buf = NULL;
    f->buf_cap = 0;
    f->buf_len = 0;
    f->need = 0;
}

size_t naccb_framer_pending(const struct naccb_framer *f)
{
    return f->buf_len;
}

uint64_t naccb_framer_stream_offset(const struct naccb_framer *f)
{
    return f->stream_offset;
}

uint64_t naccb_framer_error_offset(const struct naccb_framer *f)
{
    return f->error_offset;
}

struct naccb_framer *naccb_framer_new(uint32_t max_size)
{
    struct naccb_framer *f = malloc(sizeof *f);

    if (f != NULL)
        naccb_framer_init(f, max_size);
    return f;
}

void naccb_framer_delete(struct naccb_framer *f)
{
    if (f == NULL)
        return;
    naccb_framer_free(f);
    free(f);
}

/* Makes the error sticky and records where the bad NACCB began. */
static int set_error(struct naccb_framer *f, int rc, uint64_t start)
{
    f->error = rc;
    f->error_offset = start;
    return rc;
}

/* §11 framing bounds.  Like naccb_message_decode(), a length that
 * does not fit an int is over any maximum. */
static int check_total(const struct naccb_framer *f, uint32_t total)
{
    if (total < NACCB_HEADER_SIZE)
        return NACCB_ELENGTH_SHORT;
    if (total > f->max_size || total > INT_MAX)
        return NACCB_ELENGTH_MAX;
    return 0;
}

/* First allocation for a split NACCB; the buffer then doubles. */
enum { INITIAL_CAPACITY = 4096 };

/*
 * Makes buf hold at least want bytes (want <= need), keeping its contents.
 * The buffer grows with the bytes that actually arrived, doubling, and never
 * beyond the declared total: a peer that announces 16 MiB and sends 4 bytes
 * pins 4 KiB, not 16 MiB.  A buffer kept from an earlier NACCB is reused.
 */
static int reserve(struct naccb_framer *f, size_t want)
{
    size_t cap;
    uint8_t *p;

    if (f->buf_cap >= want)
        return 0;
    cap = f->buf_cap ? f->buf_cap : INITIAL_CAPACITY;
    while (cap < want)
        cap *= 2;
    /* Never beyond the declared total, but never below 4 KiB either: a
     * small first NACCB must not make every later one start tiny. */
    if (cap > f->need && cap > INITIAL_CAPACITY)
        cap = f->need > INITIAL_CAPACITY ? f->need : INITIAL_CAPACITY;
    p = realloc(f->buf, cap);
    if (p == NULL)
        return NACCB_ENOMEM;
    f->buf = p;
    f->buf_cap = cap;
    return 0;
}

/* Holds n more bytes of the current NACCB (n <= need - buf_len). */
static int append(struct naccb_framer *f, const uint8_t *bytes, size_t n)
{
    int rc = reserve(f, f->buf_len + n);

    if (rc < 0)
        return set_error(f, rc, f->stream_offset - f->buf_len);
    memcpy(f->buf + f->buf_len, bytes, n);
    f->buf_len += n;
    return 0;
}

/* Consumes n bytes of the chunk and returns where they start. */
static const uint8_t *take(struct naccb_framer *f, const uint8_t **chunk,
                           size_t *chunk_len, size_t n)
{
    const uint8_t *p = *chunk;

    *chunk += n;
    *chunk_len -= n;
    f->stream_offset += n;
    return p;
}

/* Checks a complete total length before anything of that NACCB is held. */
static int begin_copy(struct naccb_framer *f, uint32_t total, uint64_t start)
{
    int rc = check_total(f, total);

    if (rc < 0)
        return set_error(f, rc, start);
    f->need = total;
    return 0;
}

/* A new NACCB starts at the chunk (which is not empty). */
static int start(struct naccb_framer *f, const uint8_t **chunk,
                 size_t *chunk_len, const uint8_t **msg, size_t *msg_len)
{
    uint32_t total;
    int rc;

    if (*chunk_len < LENGTH_FIELD_SIZE) {
        f->buf_len = *chunk_len;
        memcpy(f->head, take(f, chunk, chunk_len, *chunk_len), f->buf_len);
        return NACCB_EINCOMPLETE;
    }
    total = naccb_get_u32be(*chunk);
    rc = check_total(f, total);
    if (rc < 0)
        return set_error(f, rc, f->stream_offset);
    if (*chunk_len >= total) { /* whole: hand it out in place */
        *msg = take(f, chunk, chunk_len, total);
        *msg_len = total;
        return 1;
    }
    rc = begin_copy(f, total, f->stream_offset);
    if (rc == 0)
        rc = append(f, *chunk, *chunk_len);
    if (rc < 0)
        return rc;
    take(f, chunk, chunk_len, *chunk_len);
    return NACCB_EINCOMPLETE;
}

/* Adds bytes of a split total length; 0 once it is known and checked. */
static int fill_head(struct naccb_framer *f, const uint8_t **chunk,
                     size_t *chunk_len)
{
    uint64_t start_offset = f->stream_offset - f->buf_len;
    size_t n = LENGTH_FIELD_SIZE - f->buf_len;
    int rc;

    if (n > *chunk_len)
        n = *chunk_len;
    memcpy(f->head + f->buf_len, take(f, chunk, chunk_len, n), n);
    f->buf_len += n;
    if (f->buf_len < LENGTH_FIELD_SIZE)
        return NACCB_EINCOMPLETE;
    rc = begin_copy(f, naccb_get_u32be(f->head), start_offset);
    if (rc < 0)
        return rc;
    rc = reserve(f, LENGTH_FIELD_SIZE);
    if (rc < 0)
        return set_error(f, rc, start_offset);
    memcpy(f->buf, f->head, LENGTH_FIELD_SIZE); /* buf_len is already 4 */
    return 0;
}

/* Adds bytes of a split NACCB whose length is known; 1 when complete. */
static int fill_body(struct naccb_framer *f, const uint8_t **chunk,
                     size_t *chunk_len, const uint8_t **msg, size_t *msg_len)
{
    size_t n = f->need - f->buf_len;
    int rc;

    if (n > *chunk_len)
        n = *chunk_len;
    rc = append(f, *chunk, n);
    if (rc < 0)
        return rc;
    take(f, chunk, chunk_len, n);
    if (f->buf_len < f->need)
        return NACCB_EINCOMPLETE;
    *msg = f->buf;
    *msg_len = f->need;
    f->buf_len = 0;
    f->need = 0;
    return 1;
}

int naccb_framer_next(struct naccb_framer *f, const uint8_t **chunk,
                      size_t *chunk_len, const uint8_t **msg, size_t *msg_len)
{
    int rc;

    if (f->error)
        return f->error;
    if (*chunk_len == 0)
        return NACCB_EINCOMPLETE;
    if (f->buf_len == 0)
        return start(f, chunk, chunk_len, msg, msg_len);
    if (f->buf_len < LENGTH_FIELD_SIZE) {
        rc = fill_head(f, chunk, chunk_len);
        if (rc != 0)
            return rc;
    }
    return fill_body(f, chunk, chunk_len, msg, msg_len);
}
