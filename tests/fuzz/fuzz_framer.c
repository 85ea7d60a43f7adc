/*
 * fuzz_framer.c - the framer (naccb/framer.h) fed arbitrary bytes in
 * arbitrary chunkings.
 *
 * Input: byte 0 picks the maximum NACCB size (low 2 bits) and how many of
 * the next bytes are chunk sizes (the other 6 bits, k); the k bytes are the
 * chunk sizes, used in turn and again from the first (a 0 means one byte);
 * the rest is the stream.  With k = 0 the stream comes in one piece.
 *
 * Beyond ASan/UBSan it checks what the framer promises (protocol.md
 * section 2, framing): every NACCB it returns is at least a header long,
 * no longer than the maximum, exactly as long as its total length field,
 * and the bytes of the stream in order; and the chunking changes nothing:
 * the stream fed in one piece gives the same NACCBs and the same end
 * (incomplete, or the same sticky error at the same offset).  Any
 * difference aborts, which the fuzzer reports as a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "naccb.h"

static const uint32_t max_sizes[4] = {0, NACCB_HEADER_SIZE, 300, 65536};

struct run {
    uint8_t *out; /* the NACCBs returned, one after the other */
    size_t len, cap;
    size_t count;
    int end;             /* NACCB_EINCOMPLETE or the sticky error */
    uint64_t stream_offset, error_offset;
    size_t pending;
};

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_framer: %s\n", what);
        abort();
    }
}

static void keep(struct run *r, const uint8_t *msg, size_t len, uint32_t max)
{
    check(len >= NACCB_HEADER_SIZE, "a NACCB shorter than its header");
    check(naccb_get_u32be(msg) == len, "length field differs from NACCB");
    check(len <= (max ? max : NACCB_DEFAULT_MAX_SIZE), "NACCB above maximum");
    if (r->len + len > r->cap) {
        r->cap = (r->len + len) * 2;
        r->out = realloc(r->out, r->cap);
        check(r->out != NULL, "out of memory");
    }
    memcpy(r->out + r->len, msg, len);
    r->len += len;
    r->count++;
}

/* Feeds stream[0..n) in the chunks sizes[0..k) (k = 0: whole) into r. */
static void run(struct run *r, uint32_t max, const uint8_t *stream, size_t n,
                const uint8_t *sizes, size_t k)
{
    struct naccb_framer f;
    size_t off = 0, turn = 0;
    int rc = NACCB_EINCOMPLETE;

    memset(r, 0, sizeof(*r));
    naccb_framer_init(&f, max);
    while (off < n) {
        size_t want = n;
        if (k != 0) {
            want = sizes[turn % k] ? sizes[turn % k] : 1;
            turn++;
        }
        if (want > n - off)
            want = n - off;
        /* Each chunk in its own allocation: an over-read is caught. */
        uint8_t *piece = malloc(want ? want : 1);
        check(piece != NULL, "out of memory");
        memcpy(piece, stream + off, want);
        const uint8_t *p = piece;
        size_t left = want;
        for (;;) {
            const uint8_t *msg;
            size_t msg_len;
            rc = naccb_framer_next(&f, &p, &left, &msg, &msg_len);
            if (rc != 1)
                break;
            keep(r, msg, msg_len, max);
        }
        free(piece);
        off += want;
        if (rc != NACCB_EINCOMPLETE)
            break;
        check(left == 0, "incomplete with bytes of the chunk left");
    }
    r->end = rc;
    r->stream_offset = naccb_framer_stream_offset(&f);
    r->error_offset = naccb_framer_error_offset(&f);
    r->pending = naccb_framer_pending(&f);
    naccb_framer_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz in = {data, size};
    uint8_t mode = fz_u8(&in);
    uint32_t max = max_sizes[mode & 3];
    size_t k;
    const uint8_t *sizes = fz_bytes(&in, mode >> 2, &k);
    struct run whole, chunked;

    run(&whole, max, in.p, in.n, NULL, 0);
    run(&chunked, max, in.p, in.n, sizes, k);
    check(whole.end == chunked.end, "the chunking changed the end");
    check(whole.count == chunked.count, "the chunking changed the NACCBs");
    check(whole.len == chunked.len &&
              (whole.len == 0 || memcmp(whole.out, chunked.out, whole.len) == 0),
          "the chunking changed the bytes of the NACCBs");
    check(whole.len <= in.n && (whole.len == 0 ||
                                memcmp(whole.out, in.p, whole.len) == 0),
          "the NACCBs are not the stream's bytes in order");
    if (whole.end != NACCB_EINCOMPLETE) {
        check(whole.error_offset == chunked.error_offset,
              "the chunking moved the error");
        check(whole.error_offset == whole.len, "error not after the last NACCB");
    } else {
        check(whole.pending == chunked.pending, "the chunking changed pending");
        check(whole.len + whole.pending == in.n, "bytes lost by the framer");
    }
    free(whole.out);
    free(chunked.out);
    return 0;
}
