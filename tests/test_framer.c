/*
 * test_framer.c - unit tests of framer.c, the NACCB stream reassembler
 * (docs/protocol.md §3: the stream's only framing is each NACCB's
 * total length; §11: bad framing).
 *
 * Streams of hand-written NACCBs are fed whole, one byte at a time, split
 * at every point into two chunks and at every pair of points into three.
 * Every chunk is copied to the very end of a page followed by a PROT_NONE
 * guard page (support/guard.h), so reading one byte past a chunk faults
 * even without ASan.
 * Each yielded NACCB must equal the original, and must point into the
 * chunk exactly when it lay whole in that chunk (zero copy).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

#include "naccb.h"

#define SYSA 0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40, 0x40
#define ZERO4 0x00, 0x00, 0x00, 0x00
#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_DEFAULT (16u * 1024u * 1024u)

/* ---- hand-written NACCBs ------------------------------------------------ */

/* Login of SYSA, no password: 36 bytes. */
#define LOGIN                                                                 \
    0x00, 0x00, 0x00, 0x24, ZERO4, SYSA, 0x02, 0x01, 0x05, 0x00, ZERO4,       \
        ZERO4, ZERO4, ZERO4

/* Acquire EMS from agent 7: 36 bytes. */
#define ACQ_EMS                                                               \
    0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x09,   \
        0x01, ZERO4, ZERO4, ZERO4, ZERO4

/* Info MSG from agent 7, texts "HELLO" and "WORLD" (EBCDIC-037):
 * 36 + 2 * 5 = 46 = 0x2E. */
#define INFO_MSG                                                              \
    0x00, 0x00, 0x00, 0x2E, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,   \
        0x03, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05,   \
        0xC8, 0xC5, 0xD3, 0xD3, 0xD6, 0xE6, 0xD6, 0xD9, 0xD3, 0xC4

/* A header declaring total length L (4 big-endian bytes), agent 7, info
 * MSG, count 1, size 5: hostile when L is not 41. */
#define HOSTILE(b0, b1, b2, b3)                                               \
    b0, b1, b2, b3, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A, 0x03,     \
        ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05

/* Info CMD with one 64-byte text: 36 + 64 = 100 = 0x64. */
#define INFO_CMD_100                                                          \
    0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x07, SYSA, 0x02, 0x01, 0x0A,   \
        0x04, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40

static const uint8_t three[] = {LOGIN, ACQ_EMS, INFO_MSG};
static const size_t three_starts[] = {0, 36, 72, 118};

static const uint8_t len0[] = {HOSTILE(0x00, 0x00, 0x00, 0x00)};
static const uint8_t len35[] = {HOSTILE(0x00, 0x00, 0x00, 0x23)};
static const uint8_t login_len0[] = {LOGIN, HOSTILE(0x00, 0x00, 0x00, 0x00),
                                     ACQ_EMS};
static const uint8_t login_len35[] = {LOGIN, HOSTILE(0x00, 0x00, 0x00, 0x23),
                                      ACQ_EMS};
/* with max_size 100: 101 = 0x65 is max + 1 */
static const uint8_t len101[] = {HOSTILE(0x00, 0x00, 0x00, 0x65)};
static const uint8_t login_len101[] = {LOGIN,
                                       HOSTILE(0x00, 0x00, 0x00, 0x65)};
static const uint8_t len_ffffffff[] = {HOSTILE(0xFF, 0xFF, 0xFF, 0xFF)};
static const uint8_t login_len_ffffffff[] = {
    LOGIN, HOSTILE(0xFF, 0xFF, 0xFF, 0xFF)};
/* default maximum + 1: 0x01000001 */
static const uint8_t len_default_max1[] = {HOSTILE(0x01, 0x00, 0x00, 0x01)};

static int points_into(const uint8_t *p, const uint8_t *base, size_t len)
{
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)base;
    return a >= b && a < b + len;
}

/* ---- the feeding harness ------------------------------------------------ */

/*
 * A stream and what the framer must make of it: nmsg good NACCBs starting
 * at starts[0..nmsg-1]; starts[nmsg] is where the next one starts (the
 * stream's end, or the bad NACCB when err is a lost-framing error, which
 * must then be reported with error_offset starts[nmsg]).
 */
struct stream {
    const uint8_t *bytes;
    size_t len;
    const size_t *starts;
    size_t nmsg;
    int err;
    uint32_t max;
};

/* Checks one yielded NACCB: content, and zero copy exactly when it lay
 * whole in the chunk [cs, ce) that now sits at chunk. */
static void check_msg(const struct stream *s, size_t k, const uint8_t *msg,
                      size_t msg_len, const uint8_t *chunk, size_t cs,
                      size_t ce)
{
    size_t ms = s->starts[k], me = s->starts[k + 1];

    assert_true(k < s->nmsg);
    assert_int_equal(msg_len, me - ms);
    assert_memory_equal(msg, s->bytes + ms, msg_len);
    if (ms >= cs && me <= ce)
        assert_ptr_equal(msg, chunk + (ms - cs));
    else
        assert_false(points_into(msg, chunk, ce - cs));
}

/* After lost framing: where, how little is held, and that it sticks
 * without consuming anything more. */
static void check_error(const struct stream *s, struct naccb_framer *fr,
                        int rc, size_t k, const uint8_t **p, size_t *n)
{
    const uint8_t *msg = NULL;
    size_t msg_len = 0, left = *n;
    uint64_t consumed = fr->stream_offset;
    static const uint8_t good[] = {LOGIN};
    const uint8_t *gp = good;
    size_t gn = sizeof good;

    assert_int_equal(rc, s->err);
    assert_int_equal(k, s->nmsg);
    assert_true(fr->error_offset == s->starts[s->nmsg]);
    assert_true(naccb_framer_pending(fr) <= 4);
    assert_int_equal(naccb_framer_next(fr, p, n, &msg, &msg_len), rc);
    assert_int_equal(*n, left);
    assert_int_equal(naccb_framer_next(fr, &gp, &gn, &msg, &msg_len), rc);
    assert_int_equal(gn, sizeof good);
    assert_true(fr->stream_offset == consumed);
    assert_true(fr->error_offset == s->starts[s->nmsg]);
}

/* Feeds s in chunks cut at cuts[0..ncuts-1] (strictly increasing). */
static void feed(const struct stream *s, const size_t *cuts, size_t ncuts)
{
    struct naccb_framer fr;
    size_t k = 0, cs = 0;

    assert_int_equal(naccb_framer_init(&fr, s->max), 0);
    for (size_t c = 0; c <= ncuts; c++) {
        size_t ce = c < ncuts ? cuts[c] : s->len;
        struct guarded g = guard(s->bytes + cs, ce - cs);
        const uint8_t *p = g.data, *msg = NULL;
        size_t n = ce - cs, msg_len = 0;
        int rc;

        while ((rc = naccb_framer_next(&fr, &p, &n, &msg, &msg_len)) == 1)
            check_msg(s, k++, msg, msg_len, g.data, cs, ce);
        if (rc != NACCB_EINCOMPLETE) {
            check_error(s, &fr, rc, k, &p, &n);
            unguard(&g);
            naccb_framer_free(&fr);
            return;
        }
        assert_int_equal(n, 0);
        assert_ptr_equal(p, g.data + (ce - cs));
        assert_true(fr.stream_offset == ce);
        assert_int_equal(naccb_framer_pending(&fr), ce - s->starts[k]);
        unguard(&g);
        cs = ce;
    }
    assert_int_equal(s->err, 0);
    assert_int_equal(k, s->nmsg);
    assert_int_equal(naccb_framer_pending(&fr), 0);
    naccb_framer_free(&fr);
}

static void feed_whole(const struct stream *s)
{
    feed(s, NULL, 0);
}

static void feed_bytewise(const struct stream *s)
{
    size_t *cuts = malloc(s->len * sizeof *cuts);

    assert_non_null(cuts);
    for (size_t i = 1; i < s->len; i++)
        cuts[i - 1] = i;
    feed(s, cuts, s->len - 1);
    free(cuts);
}

static void feed_every_split(const struct stream *s)
{
    for (size_t c = 1; c < s->len; c++)
        feed(s, &c, 1);
}

static void feed_every_pair(const struct stream *s)
{
    for (size_t c1 = 1; c1 < s->len; c1++)
        for (size_t c2 = c1 + 1; c2 < s->len; c2++) {
            size_t cuts[2] = {c1, c2};
            feed(s, cuts, 2);
        }
}

static void feed_all_ways(const struct stream *s)
{
    feed_whole(s);
    feed_bytewise(s);
    feed_every_split(s);
    feed_every_pair(s);
}

static const struct stream three_stream = {three, sizeof three, three_starts,
                                           3, 0, 0};

/* ---- the three-NACCB stream --------------------------------------------- */

static void test_framer_three_whole(void **state)
{
    (void)state;
    feed_whole(&three_stream);
}

static void test_framer_three_bytewise(void **state)
{
    (void)state;
    feed_bytewise(&three_stream);
}

static void test_framer_three_every_split(void **state)
{
    (void)state;
    feed_every_split(&three_stream);
}

static void test_framer_three_every_pair(void **state)
{
    (void)state;
    feed_every_pair(&three_stream);
}

/* Fed whole, every NACCB is handed out in place, in order. */
static void test_framer_zero_copy_whole(void **state)
{
    struct naccb_framer fr;
    const uint8_t *p = three, *msg;
    size_t n = sizeof three, msg_len;
    (void)state;

    naccb_framer_init(&fr, 0);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
        assert_ptr_equal(msg, three + three_starts[k]);
        assert_int_equal(msg_len, three_starts[k + 1] - three_starts[k]);
        assert_ptr_equal(p, three + three_starts[k + 1]);
        assert_true(fr.stream_offset == three_starts[k + 1]);
        assert_int_equal(naccb_framer_pending(&fr), 0);
    }
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    assert_int_equal(n, 0);
    naccb_framer_free(&fr);
}

/* A split NACCB is a copy; the whole ones after it in the same chunk are
 * in place again. */
static void test_framer_copy_then_zero_copy(void **state)
{
    struct naccb_framer fr;
    const uint8_t *p = three, *msg;
    size_t n = 10, msg_len;
    (void)state;

    naccb_framer_init(&fr, 0);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    assert_int_equal(naccb_framer_pending(&fr), 10);
    n = sizeof three - 10;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_false(points_into(msg, three, sizeof three));
    assert_memory_equal(msg, three, 36);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_ptr_equal(msg, three + 36);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_ptr_equal(msg, three + 72);
    assert_int_equal(msg_len, 46);
    naccb_framer_free(&fr);
}

/* An empty chunk (even a NULL one) changes nothing. */
static void test_framer_empty_chunk(void **state)
{
    struct naccb_framer fr;
    const uint8_t *p = NULL, *msg = NULL;
    size_t n = 0, msg_len = 0;
    (void)state;

    naccb_framer_init(&fr, 0);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    assert_null(p);
    assert_true(fr.stream_offset == 0);
    p = three;
    n = 2;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    n = 0;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    assert_int_equal(naccb_framer_pending(&fr), 2);
    assert_true(fr.stream_offset == 2);
    naccb_framer_free(&fr);
}

/* ---- hostile lengths ---------------------------------------------------- */

static const size_t at0[] = {0};
static const size_t at36[] = {0, 36};

static void test_framer_length_0(void **state)
{
    struct stream s = {len0, sizeof len0, at0, 0, NACCB_ELENGTH_SHORT, 0};
    (void)state;
    feed_all_ways(&s);
}

static void test_framer_length_35(void **state)
{
    struct stream s = {len35, sizeof len35, at0, 0, NACCB_ELENGTH_SHORT, 0};
    (void)state;
    feed_all_ways(&s);
}

static void test_framer_length_0_after_good(void **state)
{
    struct stream s = {login_len0, sizeof login_len0, at36, 1,
                       NACCB_ELENGTH_SHORT, 0};
    (void)state;
    feed_all_ways(&s);
}

static void test_framer_length_35_after_good(void **state)
{
    struct stream s = {login_len35, sizeof login_len35, at36, 1,
                       NACCB_ELENGTH_SHORT, 0};
    (void)state;
    feed_all_ways(&s);
}

/* max + 1: refused from its 4 length bytes, nothing more held. */
static void test_framer_length_max_plus_one(void **state)
{
    struct stream s = {len101, sizeof len101, at0, 0, NACCB_ELENGTH_MAX, 100};
    struct stream s2 = {login_len101, sizeof login_len101, at36, 1,
                        NACCB_ELENGTH_MAX, 100};
    (void)state;
    feed_all_ways(&s);
    feed_all_ways(&s2);
}

static void test_framer_length_ffffffff(void **state)
{
    struct stream s = {len_ffffffff, sizeof len_ffffffff, at0, 0,
                       NACCB_ELENGTH_MAX, 0};
    struct stream s2 = {login_len_ffffffff, sizeof login_len_ffffffff, at36,
                        1, NACCB_ELENGTH_MAX, 0};
    struct stream s3 = {len_ffffffff, sizeof len_ffffffff, at0, 0,
                        NACCB_ELENGTH_MAX, 0xFFFFFFFFu};
    (void)state;
    feed_all_ways(&s);
    feed_all_ways(&s2);
    feed_all_ways(&s3); /* above INT_MAX: over any maximum */
}

static void test_framer_length_default_max_plus_one(void **state)
{
    struct stream s = {len_default_max1, sizeof len_default_max1, at0, 0,
                       NACCB_ELENGTH_MAX, 0};
    (void)state;
    feed_all_ways(&s);
}

/* The length bytes arrive one at a time: nothing but them is held, and
 * the error comes with the fourth. */
static void test_framer_length_split_held_in_head(void **state)
{
    struct naccb_framer fr;
    const uint8_t *p = len_ffffffff, *msg;
    size_t n, msg_len;
    (void)state;

    naccb_framer_init(&fr, 0);
    for (size_t i = 1; i <= 3; i++) {
        n = 1;
        assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                         NACCB_EINCOMPLETE);
        assert_int_equal(naccb_framer_pending(&fr), i);
    }
    n = sizeof len_ffffffff - 3;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_ELENGTH_MAX);
    assert_true(naccb_framer_pending(&fr) <= 4);
    assert_int_equal(n, sizeof len_ffffffff - 4);
    assert_true(fr.error_offset == 0);
    naccb_framer_free(&fr);
}

/* Exactly max_size is a NACCB like any other. */
static void test_framer_length_exactly_max(void **state)
{
    static const uint8_t max100[] = {
        LOGIN, INFO_CMD_100,
        /* 64 text bytes: "ABCDEFGH" (EBCDIC C1..C8) eight times */
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8,
        ACQ_EMS};
    static const size_t starts[] = {0, 36, 136, 172};
    struct stream s = {max100, sizeof max100, starts, 3, 0, 100};
    struct stream s36 = {three, 36, three_starts, 1, 0, 36};
    (void)state;

    assert_int_equal(sizeof max100, 172);
    feed_all_ways(&s);
    feed_all_ways(&s36); /* max 36: a bare header is still fine */
}

/* The default maximum, 16 MiB, split in two: copied whole, exactly. */
static void test_framer_length_exactly_default_max(void **state)
{
    uint8_t *big = malloc(MAX_DEFAULT);
    struct naccb_framer fr;
    const uint8_t *p, *msg;
    size_t n, msg_len;
    (void)state;

    assert_non_null(big);
    for (size_t i = 0; i < MAX_DEFAULT; i++)
        big[i] = (uint8_t)(i * 7 + 3);
    /* header: 16 MiB, one EVBLOK-less blob (content is not the framer's) */
    big[0] = 0x01, big[1] = 0x00, big[2] = 0x00, big[3] = 0x00;
    naccb_framer_init(&fr, 0);
    p = big;
    n = 1000;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    n = MAX_DEFAULT - 1000;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_int_equal(msg_len, MAX_DEFAULT);
    assert_memory_equal(msg, big, MAX_DEFAULT);
    assert_true(fr.stream_offset == MAX_DEFAULT);
    naccb_framer_free(&fr);
    free(big);
}

/* ---- stickiness, reuse -------------------------------------------------- */

static void test_framer_error_sticky(void **state)
{
    struct naccb_framer fr;
    const uint8_t *p = login_len35, *msg;
    size_t n = sizeof login_len35, msg_len;
    (void)state;

    naccb_framer_init(&fr, 0);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_ELENGTH_SHORT);
    assert_true(fr.error_offset == 36);
    assert_true(fr.stream_offset == 36);
    for (int i = 0; i < 3; i++) {
        const uint8_t *q = three;
        size_t m = sizeof three;
        assert_int_equal(naccb_framer_next(&fr, &q, &m, &msg, &msg_len),
                         NACCB_ELENGTH_SHORT);
        assert_ptr_equal(q, three);
        assert_int_equal(m, sizeof three);
    }
    assert_true(fr.error_offset == 36);
    assert_true(fr.stream_offset == 36);
    naccb_framer_free(&fr);
}

/* free, then init: a framer as new, whatever it held. */
static void test_framer_reuse_after_free_init(void **state)
{
    struct naccb_framer fr;
    const uint8_t *p = three, *msg;
    size_t n = 50, msg_len;
    (void)state;

    naccb_framer_init(&fr, 0);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE); /* 14 bytes of acquire held */
    naccb_framer_free(&fr);
    naccb_framer_free(&fr); /* twice is harmless */
    naccb_framer_init(&fr, 0);
    assert_int_equal(naccb_framer_pending(&fr), 0);
    assert_true(fr.stream_offset == 0);
    naccb_framer_free(&fr);
    feed_all_ways(&three_stream);

    /* after lost framing too */
    p = len35;
    n = sizeof len35;
    naccb_framer_init(&fr, 0);
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_ELENGTH_SHORT);
    naccb_framer_free(&fr);
    naccb_framer_init(&fr, 0);
    p = three;
    n = sizeof three;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len), 1);
    assert_ptr_equal(msg, three);
    assert_true(fr.error_offset == 0);
    naccb_framer_free(&fr);
}

/* ---- memory ------------------------------------------------------------ */

/* A peer announcing the maximum and sending little must pin little: the
 * copy buffer grows with the bytes received, not with the declared length. */
static void test_framer_memory_follows_data(void **state)
{
    static const uint8_t big_head[] = {0x00, 0xFF, 0xFF, 0xFF}; /* 16 MiB - 1 */
    uint8_t payload[100];
    struct naccb_framer fr;
    const uint8_t *p = big_head, *msg;
    size_t n = sizeof big_head, msg_len;
    (void)state;

    memset(payload, 0x5A, sizeof payload);
    naccb_framer_init(&fr, 0); /* default maximum, 16 MiB */
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    p = payload;
    n = sizeof payload;
    assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    assert_int_equal(naccb_framer_pending(&fr), 104);
    assert_true(fr.buf_cap <= 4096);
    /* 64 KiB more: the buffer doubles, staying within twice what is held */
    for (int i = 0; i < 655; i++) {
        p = payload;
        n = sizeof payload;
        assert_int_equal(naccb_framer_next(&fr, &p, &n, &msg, &msg_len),
                         NACCB_EINCOMPLETE);
    }
    assert_int_equal(naccb_framer_pending(&fr), 104 + 65500);
    assert_true(fr.buf_cap <= 2 * naccb_framer_pending(&fr));
    assert_memory_equal(fr.buf, big_head, sizeof big_head);
    assert_int_equal(fr.buf[103], 0x5A);
    naccb_framer_free(&fr);
}

/* A heap framer works as an embedded one, and its offsets read back
 * through the accessors a binding uses (the Python harness). */
static void test_framer_new_delete_accessors(void **state)
{
    struct naccb_framer *fr = naccb_framer_new(0);
    const uint8_t *p = login_len35, *msg;
    size_t n = sizeof login_len35, msg_len;
    (void)state;

    assert_non_null(fr);
    assert_int_equal(naccb_framer_next(fr, &p, &n, &msg, &msg_len), 1);
    assert_true(naccb_framer_stream_offset(fr) == 36);
    assert_true(naccb_framer_error_offset(fr) == 0);
    assert_int_equal(naccb_framer_next(fr, &p, &n, &msg, &msg_len),
                     NACCB_ELENGTH_SHORT);
    assert_true(naccb_framer_error_offset(fr) == 36);
    assert_true(naccb_framer_stream_offset(fr) == 36);
    naccb_framer_delete(fr);
    naccb_framer_delete(NULL);
}

/* A split NACCB held by a heap framer is freed by naccb_framer_delete
 * (the sanitizer run would report the leak). */
static void test_framer_delete_frees_partial(void **state)
{
    struct naccb_framer *fr = naccb_framer_new(0);
    const uint8_t *p = three, *msg;
    size_t n = 40, msg_len;
    (void)state;

    assert_non_null(fr);
    assert_int_equal(naccb_framer_next(fr, &p, &n, &msg, &msg_len), 1);
    assert_int_equal(naccb_framer_next(fr, &p, &n, &msg, &msg_len),
                     NACCB_EINCOMPLETE);
    assert_int_equal(naccb_framer_pending(fr), 4); /* copied: allocated */
    naccb_framer_delete(fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framer_three_whole),
        cmocka_unit_test(test_framer_three_bytewise),
        cmocka_unit_test(test_framer_three_every_split),
        cmocka_unit_test(test_framer_three_every_pair),
        cmocka_unit_test(test_framer_zero_copy_whole),
        cmocka_unit_test(test_framer_copy_then_zero_copy),
        cmocka_unit_test(test_framer_empty_chunk),
        cmocka_unit_test(test_framer_length_0),
        cmocka_unit_test(test_framer_length_35),
        cmocka_unit_test(test_framer_length_0_after_good),
        cmocka_unit_test(test_framer_length_35_after_good),
        cmocka_unit_test(test_framer_length_max_plus_one),
        cmocka_unit_test(test_framer_length_ffffffff),
        cmocka_unit_test(test_framer_length_default_max_plus_one),
        cmocka_unit_test(test_framer_length_split_held_in_head),
        cmocka_unit_test(test_framer_length_exactly_max),
        cmocka_unit_test(test_framer_length_exactly_default_max),
        cmocka_unit_test(test_framer_error_sticky),
        cmocka_unit_test(test_framer_reuse_after_free_init),
        cmocka_unit_test(test_framer_memory_follows_data),
        cmocka_unit_test(test_framer_new_delete_accessors),
        cmocka_unit_test(test_framer_delete_frees_partial),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
