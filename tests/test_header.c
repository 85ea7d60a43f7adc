/*
 * test_header.c - unit tests of header.c: raw header encode/decode, the
 * framing checks of the total length (docs/protocol.md §2 and §11.4),
 * whole-NACCB decode/encode, and the per-key object rules of §5, §7
 * and 9 (naccb_message_check_objects), each rule failing alone with its
 * exact error code and offset.
 *
 * Golden vectors are hex literals written by hand from the notes.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guard.h"

#include "naccb.h"

#define SYSA 0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40, 0x40
#define ZERO4 0x00, 0x00, 0x00, 0x00
#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_DEFAULT (16u * 1024u * 1024u)

/* Every header byte different, to catch any swapped or shifted field. */
static const uint8_t distinct[36] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
    0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
    0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24,
};

/* Info MSG from agent 7 of SYSA with two 5-byte texts, "HELLO" and
 * "WORLD" in EBCDIC-037: 36 + 2 * 5 = 46 = 0x2E. */
static const uint8_t info_msg[46] = {
    0x00, 0x00, 0x00, 0x2E, 0x00, 0x00, 0x00, 0x07, SYSA,
    0x02, 0x01, 0x0A, 0x03, ZERO4, ZERO4, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x05,
    0xC8, 0xC5, 0xD3, 0xD3, 0xD6, /* HELLO */
    0xE6, 0xD6, 0xD9, 0xD3, 0xC4, /* WORLD */
};

/* Login of SYSA with password "SECRET" (EBCDIC, blank padded):
 * 36 + 8 = 44 = 0x2C. */
static const uint8_t login_pw[44] = {
    0x00, 0x00, 0x00, 0x2C, ZERO4, SYSA, 0x02, 0x01, 0x05, 0x00, ZERO4,
    ZERO4, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
    0xE2, 0xC5, 0xC3, 0xD9, 0xC5, 0xE3, 0x40, 0x40,
};

/* ---- helpers ----------------------------------------------------------- */

/* A header with the given key and objects and a consistent length. */
static struct naccb_header make(uint32_t key, uint32_t count, uint32_t size)
{
    static const uint8_t sysa[8] = {SYSA};
    struct naccb_header h;

    memset(&h, 0, sizeof h);
    h.total_length = (uint32_t)(36 + (uint64_t)count * size);
    h.agent_id = 7;
    memcpy(h.system_name, sysa, sizeof sysa);
    naccb_header_set_key(&h, key);
    h.count = count;
    h.size = size;
    return h;
}

/* A header with raw length fields (the check of the length is the test). */
static struct naccb_header raw(uint32_t total, uint32_t count, uint32_t size)
{
    struct naccb_header h = make(0x02010A03u, 0, 0);

    h.total_length = total;
    h.count = count;
    h.size = size;
    return h;
}

static void expect_length(struct naccb_header h, uint32_t max, int rc,
                          size_t off)
{
    size_t got = 999;

    assert_int_equal(naccb_header_check_length(&h, max, &got), rc);
    if (rc == 0)
        assert_int_equal(got, 999); /* untouched on success */
    else
        assert_int_equal(got, off);
    assert_int_equal(naccb_header_check_length(&h, max, NULL), rc);
}

static void expect_objects(struct naccb_header h, int rc, size_t off)
{
    size_t got = 999;

    assert_int_equal(naccb_message_check_objects(&h, &got), rc);
    if (rc == 0)
        assert_int_equal(got, 999);
    else
        assert_int_equal(got, off);
    assert_int_equal(naccb_message_check_objects(&h, NULL), rc);
}

static void expect_ok(uint32_t key, uint32_t count, uint32_t size)
{
    expect_objects(make(key, count, size), 0, 0);
}

/* ---- key ------------------------------------------------------------- */

static void test_header_key_get_set(void **state)
{
    struct naccb_header h;
    (void)state;

    memset(&h, 0, sizeof h);
    naccb_header_set_key(&h, 0x0201A5C3u);
    assert_int_equal(h.direction, 0x0201);
    assert_int_equal(h.request, 0xA5);
    assert_int_equal(h.object, 0xC3);
    assert_int_equal(naccb_header_key(&h), 0x0201A5C3u);
    h.direction = 0xFFFF;
    h.request = 0x00;
    h.object = 0xFF;
    assert_int_equal(naccb_header_key(&h), 0xFFFF00FFu);
}

/* ---- raw header ------------------------------------------------------ */

static void test_header_decode_every_field(void **state)
{
    static const uint8_t name[8] = {0x09, 0x0A, 0x0B, 0x0C,
                                    0x0D, 0x0E, 0x0F, 0x10};
    struct naccb_header h;
    (void)state;

    assert_int_equal(naccb_header_decode(distinct, 36, &h), 36);
    assert_int_equal(h.total_length, 0x01020304u);
    assert_int_equal(h.agent_id, 0x05060708u);
    assert_memory_equal(h.system_name, name, 8);
    assert_int_equal(h.direction, 0x1112);
    assert_int_equal(h.request, 0x13);
    assert_int_equal(h.object, 0x14);
    assert_int_equal(h.error_code, 0x15);
    assert_int_equal(h.os_code, 0x16);
    assert_int_equal(h.coding, 0x17);
    assert_int_equal(h.unused, 0x18);
    assert_int_equal(h.forward, 0x191A1B1Cu);
    assert_int_equal(h.count, 0x1D1E1F20u);
    assert_int_equal(h.size, 0x21222324u);
}

static void test_header_encode_every_field(void **state)
{
    static const uint8_t name[8] = {0x09, 0x0A, 0x0B, 0x0C,
                                    0x0D, 0x0E, 0x0F, 0x10};
    struct naccb_header h;
    uint8_t out[40];
    (void)state;

    memset(&h, 0, sizeof h);
    h.total_length = 0x01020304u; /* not computed: written as given */
    h.agent_id = 0x05060708u;
    memcpy(h.system_name, name, 8);
    h.direction = 0x1112;
    h.request = 0x13;
    h.object = 0x14;
    h.error_code = 0x15;
    h.os_code = 0x16;
    h.coding = 0x17;
    h.unused = 0x18;
    h.forward = 0x191A1B1Cu;
    h.count = 0x1D1E1F20u;
    h.size = 0x21222324u;
    memset(out, 0xEE, sizeof out);
    assert_int_equal(naccb_header_encode(&h, out), 36);
    assert_memory_equal(out, distinct, 36);
    for (size_t i = 36; i < sizeof out; i++)
        assert_int_equal(out[i], 0xEE); /* nothing written past 36 */
}

/* Hostile headers go out as they are: encode checks nothing. */
static void test_header_encode_hostile_unchecked(void **state)
{
    static const uint8_t want[36] = {
        0xFF, 0xFF, 0xFF, 0xFF, ZERO4, SYSA, 0x07, 0x07, 0x0C, 0x55, ZERO4,
        ZERO4, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    };
    struct naccb_header h = raw(0xFFFFFFFFu, 0x10000, 0x10000);
    uint8_t out[36];
    (void)state;

    h.agent_id = 0;
    h.direction = 0x0707;
    h.request = 0x0C;
    h.object = 0x55;
    assert_int_equal(naccb_header_encode(&h, out), 36);
    assert_memory_equal(out, want, 36);
}

static void test_header_decode_short_is_incomplete(void **state)
{
    struct naccb_header h;
    (void)state;

    for (size_t len = 0; len < 36; len++)
        assert_int_equal(naccb_header_decode(distinct, len, &h),
                         NACCB_EINCOMPLETE);
}

/* The raw decode takes any bytes, a hostile length included. */
static void test_header_decode_checks_nothing(void **state)
{
    uint8_t bytes[36];
    struct naccb_header h;
    (void)state;

    memset(bytes, 0xFF, sizeof bytes);
    assert_int_equal(naccb_header_decode(bytes, 36, &h), 36);
    assert_int_equal(h.total_length, 0xFFFFFFFFu);
    assert_int_equal(h.count, 0xFFFFFFFFu);
    assert_int_equal(h.direction, 0xFFFF);
}

static void test_header_decode_guard_page(void **state)
{
    struct guarded g = guard(distinct, 36);
    struct naccb_header h;
    (void)state;

    assert_int_equal(naccb_header_decode(g.data, 36, &h), 36);
    assert_int_equal(h.size, 0x21222324u);
    unguard(&g);
}

/* ---- check_length: hostile lengths ------------------------------------ */

static void test_header_length_zero(void **state)
{
    (void)state;
    expect_length(raw(0, 0, 0), 0, NACCB_ELENGTH_SHORT, 0);
}

static void test_header_length_35(void **state)
{
    (void)state;
    expect_length(raw(35, 0, 0), 0, NACCB_ELENGTH_SHORT, 0);
}

static void test_header_length_36(void **state)
{
    (void)state;
    expect_length(raw(36, 0, 0), 0, 0, 0);
}

/* Short wins over the other checks: it is lost framing. */
static void test_header_length_short_before_mismatch(void **state)
{
    (void)state;
    expect_length(raw(0, 1, 5), 0, NACCB_ELENGTH_SHORT, 0);
    expect_length(raw(35, 0, 5), 0, NACCB_ELENGTH_SHORT, 0);
}

static void test_header_length_default_max(void **state)
{
    (void)state;
    expect_length(raw(MAX_DEFAULT, 1, MAX_DEFAULT - 36), 0, 0, 0);
    expect_length(raw(MAX_DEFAULT, 1, MAX_DEFAULT - 36), MAX_DEFAULT, 0, 0);
}

static void test_header_length_default_max_plus_one(void **state)
{
    (void)state;
    expect_length(raw(MAX_DEFAULT + 1, 1, MAX_DEFAULT - 35), 0,
                  NACCB_ELENGTH_MAX, 0);
}

static void test_header_length_custom_max(void **state)
{
    (void)state;
    expect_length(raw(100, 1, 64), 100, 0, 0);
    expect_length(raw(101, 1, 65), 100, NACCB_ELENGTH_MAX, 0);
    expect_length(raw(36, 0, 0), 36, 0, 0);
    expect_length(raw(37, 1, 1), 36, NACCB_ELENGTH_MAX, 0);
}

static void test_header_length_ffffffff(void **state)
{
    (void)state;
    expect_length(raw(0xFFFFFFFFu, 0, 0), 0, NACCB_ELENGTH_MAX, 0);
    expect_length(raw(0xFFFFFFFFu, 1, 0xFFFFFFDBu), 0, NACCB_ELENGTH_MAX, 0);
}

/* Decision: a length above INT_MAX cannot come back as an int byte count
 * from naccb_message_decode(), so it is over any maximum. */
static void test_header_length_above_int_max_is_max(void **state)
{
    (void)state;
    expect_length(raw(0xFFFFFFFFu, 1, 0xFFFFFFDBu), 0xFFFFFFFFu,
                  NACCB_ELENGTH_MAX, 0);
    expect_length(raw(0x80000000u, 1, 0x7FFFFFDCu), 0xFFFFFFFFu,
                  NACCB_ELENGTH_MAX, 0);
    expect_length(raw(0x7FFFFFFFu, 1, 0x7FFFFFDBu), 0xFFFFFFFFu, 0, 0);
}

/* count * size wraps to 0 in 32 bits: 36 + 0x10000 * 0x10000 is not 36. */
static void test_header_length_count_size_overflow(void **state)
{
    (void)state;
    expect_length(raw(36, 0x10000, 0x10000), 0, NACCB_ELENGTH_MISMATCH, 0);
    expect_length(raw(36, 2, 0x80000000u), 0, NACCB_ELENGTH_MISMATCH, 0);
    /* 0x10001 * 0x10000 wraps to 0x10000: 32 bits would say it matches */
    expect_length(raw(36 + 0x10000, 0x10001, 0x10000), 0,
                  NACCB_ELENGTH_MISMATCH, 0);
    expect_length(raw(0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFFu,
                  NACCB_ELENGTH_MAX, 0);
    expect_length(raw(0x7FFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFFu,
                  NACCB_ELENGTH_MISMATCH, 0);
}

static void test_header_length_mismatch_by_one(void **state)
{
    (void)state;
    expect_length(raw(46, 2, 5), 0, 0, 0);
    expect_length(raw(45, 2, 5), 0, NACCB_ELENGTH_MISMATCH, 0);
    expect_length(raw(47, 2, 5), 0, NACCB_ELENGTH_MISMATCH, 0);
    expect_length(raw(37, 0, 0), 0, NACCB_ELENGTH_MISMATCH, 0);
}

static void test_header_length_count_0_size_5(void **state)
{
    (void)state;
    expect_length(raw(36, 0, 5), 0, NACCB_ECOUNT_SIZE, NACCB_OFF_SIZE);
}

static void test_header_length_count_3_size_0(void **state)
{
    (void)state;
    expect_length(raw(36, 3, 0), 0, NACCB_ECOUNT_SIZE, NACCB_OFF_SIZE);
}

static void test_header_message_length(void **state)
{
    (void)state;
    assert_true(naccb_message_length(0, 0) == 36);
    assert_true(naccb_message_length(2, 5) == 46);
    assert_true(naccb_message_length(0x10000, 0x10000) == 0x100000024ull);
    assert_true(naccb_message_length(0xFFFFFFFFu, 0xFFFFFFFFu) ==
                0xFFFFFFFE00000025ull);
}

/* ---- message decode ---------------------------------------------------- */

static void test_header_message_decode_info(void **state)
{
    struct naccb_message m;
    size_t off = 999;
    (void)state;

    assert_int_equal(naccb_message_decode(info_msg, 46, 0, &m, &off), 46);
    assert_int_equal(off, 999);
    assert_int_equal(m.header.total_length, 46);
    assert_int_equal(naccb_header_key(&m.header), 0x02010A03u);
    assert_int_equal(m.header.count, 2);
    assert_int_equal(m.header.size, 5);
    assert_ptr_equal(m.objects, info_msg + 36);
}

/* Object pointers point into the input, i * size apart. */
static void test_header_message_object_pointers(void **state)
{
    static const uint8_t hello[5] = {0xC8, 0xC5, 0xD3, 0xD3, 0xD6};
    static const uint8_t world[5] = {0xE6, 0xD6, 0xD9, 0xD3, 0xC4};
    struct naccb_message m;
    (void)state;

    assert_int_equal(naccb_message_decode(info_msg, 46, 0, &m, NULL), 46);
    assert_ptr_equal(naccb_message_object(&m, 0), info_msg + 36);
    assert_ptr_equal(naccb_message_object(&m, 1), info_msg + 41);
    assert_memory_equal(naccb_message_object(&m, 0), hello, 5);
    assert_memory_equal(naccb_message_object(&m, 1), world, 5);
    assert_null(naccb_message_object(&m, 2));
    assert_null(naccb_message_object(&m, 0xFFFFFFFFu));
}

static void test_header_message_object_none(void **state)
{
    static const uint8_t login[36] = {
        0x00, 0x00, 0x00, 0x24, ZERO4, SYSA, 0x02, 0x01, 0x05, 0x00,
        ZERO4, ZERO4, ZERO4, ZERO4,
    };
    struct naccb_message m;
    (void)state;

    assert_int_equal(naccb_message_decode(login, 36, 0, &m, NULL), 36);
    assert_int_equal(m.header.count, 0);
    assert_null(naccb_message_object(&m, 0));
}

/* Only the first NACCB of a buffer is decoded. */
static void test_header_message_decode_first_of_two(void **state)
{
    uint8_t two[46 + 44];
    struct naccb_message m;
    (void)state;

    memcpy(two, info_msg, 46);
    memcpy(two + 46, login_pw, 44);
    assert_int_equal(naccb_message_decode(two, sizeof two, 0, &m, NULL), 46);
    assert_int_equal(naccb_message_decode(two + 46, 44, 0, &m, NULL), 44);
    assert_int_equal(naccb_header_key(&m.header), 0x02010500u);
    assert_memory_equal(naccb_message_object(&m, 0), login_pw + 36, 8);
}

/* Every length short of the whole NACCB asks for more bytes. */
static void test_header_message_decode_short_buffer(void **state)
{
    struct naccb_message m;
    (void)state;

    for (size_t len = 0; len < 46; len++)
        assert_int_equal(naccb_message_decode(info_msg, len, 0, &m, NULL),
                         NACCB_EINCOMPLETE);
}

/* A hostile total length is reported as soon as its 4 bytes are there,
 * not as "more bytes" forever. */
static void test_header_message_decode_hostile_length_early(void **state)
{
    static const uint8_t zero[4] = {0x00, 0x00, 0x00, 0x00};
    static const uint8_t l35[4] = {0x00, 0x00, 0x00, 0x23};
    static const uint8_t big[4] = {0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t max1[4] = {0x01, 0x00, 0x00, 0x01};
    struct naccb_message m;
    size_t off = 999;
    (void)state;

    assert_int_equal(naccb_message_decode(zero, 3, 0, &m, &off),
                     NACCB_EINCOMPLETE);
    assert_int_equal(naccb_message_decode(zero, 4, 0, &m, &off),
                     NACCB_ELENGTH_SHORT);
    assert_int_equal(off, 0);
    assert_int_equal(naccb_message_decode(l35, 4, 0, &m, NULL),
                     NACCB_ELENGTH_SHORT);
    assert_int_equal(naccb_message_decode(big, 4, 0, &m, NULL),
                     NACCB_ELENGTH_MAX);
    assert_int_equal(naccb_message_decode(max1, 4, 0, &m, NULL),
                     NACCB_ELENGTH_MAX);
}

static void test_header_message_decode_mismatch(void **state)
{
    uint8_t bad[46];
    struct naccb_message m;
    size_t off = 999;
    (void)state;

    memcpy(bad, info_msg, 46);
    bad[3] = 0x2D; /* 45: one short of 36 + 2 * 5 */
    assert_int_equal(naccb_message_decode(bad, 46, 0, &m, &off),
                     NACCB_ELENGTH_MISMATCH);
    assert_int_equal(off, NACCB_OFF_TOTAL_LENGTH);
    /* the length check does not wait for the objects */
    assert_int_equal(naccb_message_decode(bad, 36, 0, &m, &off),
                     NACCB_ELENGTH_MISMATCH);
}

static void test_header_message_decode_count_size(void **state)
{
    uint8_t bad[36];
    struct naccb_message m;
    size_t off = 999;
    (void)state;

    memcpy(bad, info_msg, 36);
    bad[3] = 0x24;  /* 36 */
    bad[31] = 0x00; /* count 0, size stays 5 */
    assert_int_equal(naccb_message_decode(bad, 36, 0, &m, &off),
                     NACCB_ECOUNT_SIZE);
    assert_int_equal(off, NACCB_OFF_SIZE);
}

static void test_header_message_decode_max_size(void **state)
{
    struct naccb_message m;
    (void)state;

    assert_int_equal(naccb_message_decode(info_msg, 46, 46, &m, NULL), 46);
    assert_int_equal(naccb_message_decode(info_msg, 46, 45, &m, NULL),
                     NACCB_ELENGTH_MAX);
}

static void test_header_message_decode_guard_page(void **state)
{
    struct guarded g = guard(info_msg, 46);
    struct naccb_message m;
    (void)state;

    assert_int_equal(naccb_message_decode(g.data, 46, 0, &m, NULL), 46);
    assert_memory_equal(naccb_message_object(&m, 1), info_msg + 41, 5);
    unguard(&g);
    /* every prefix against the guard: reading past len would fault */
    for (size_t len = 0; len < 46; len++) {
        g = guard(info_msg, len);
        assert_int_equal(naccb_message_decode(g.data, len, 0, &m, NULL),
                         NACCB_EINCOMPLETE);
        unguard(&g);
    }
}

/* ---- message encode ---------------------------------------------------- */

static void test_header_message_encode_info(void **state)
{
    static const uint8_t texts[10] = {0xC8, 0xC5, 0xD3, 0xD3, 0xD6,
                                      0xE6, 0xD6, 0xD9, 0xD3, 0xC4};
    struct naccb_header h = make(0x02010A03u, 2, 5);
    uint8_t out[64];
    (void)state;

    h.total_length = 0xDEADBEEFu; /* computed by encode, not taken */
    memset(out, 0xEE, sizeof out);
    assert_int_equal(naccb_message_encode(&h, texts, out, sizeof out), 46);
    assert_memory_equal(out, info_msg, 46);
    assert_int_equal(out[46], 0xEE);
}

static void test_header_message_encode_login_password(void **state)
{
    static const uint8_t pw[8] = {0xE2, 0xC5, 0xC3, 0xD9,
                                  0xC5, 0xE3, 0x40, 0x40};
    struct naccb_header h = make(0x02010500u, 1, 8);
    uint8_t out[44];
    (void)state;

    h.agent_id = 0;
    assert_int_equal(naccb_message_encode(&h, pw, out, sizeof out), 44);
    assert_memory_equal(out, login_pw, 44);
}

static void test_header_message_encode_no_objects(void **state)
{
    static const uint8_t shutdown[36] = {
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x07, SYSA,
        0x01, 0x02, 0x04, 0x00, ZERO4, ZERO4, ZERO4, ZERO4,
    };
    struct naccb_header h = make(0x01020400u, 0, 0);
    uint8_t out[36];
    (void)state;

    h.total_length = 0;
    assert_int_equal(naccb_message_encode(&h, NULL, out, sizeof out), 36);
    assert_memory_equal(out, shutdown, 36);
}

/* Too small by one: nothing written. */
static void test_header_message_encode_enobufs(void **state)
{
    struct naccb_header h = make(0x02010A03u, 2, 5);
    uint8_t out[46];
    (void)state;

    memset(out, 0xEE, sizeof out);
    assert_int_equal(naccb_message_encode(&h, info_msg + 36, out, 45),
                     NACCB_ENOBUFS);
    assert_int_equal(naccb_message_encode(&h, info_msg + 36, out, 35),
                     NACCB_ENOBUFS);
    assert_int_equal(naccb_message_encode(&h, info_msg + 36, out, 0),
                     NACCB_ENOBUFS);
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0xEE);
    assert_int_equal(naccb_message_encode(&h, info_msg + 36, out, 46), 46);
}

static void test_header_message_encode_count_size(void **state)
{
    struct naccb_header h0 = make(0x02010A03u, 0, 5);
    struct naccb_header h3 = make(0x02010A03u, 3, 0);
    uint8_t out[64];
    (void)state;

    h0.count = 0;
    h0.size = 5;
    assert_int_equal(naccb_message_encode(&h0, info_msg, out, sizeof out),
                     NACCB_ECOUNT_SIZE);
    assert_int_equal(naccb_message_encode(&h3, info_msg, out, sizeof out),
                     NACCB_ECOUNT_SIZE);
}

/* 36 + 0x10000 * 0x10000 does not fit 32 bits, whatever the capacity. */
static void test_header_message_encode_too_long(void **state)
{
    struct naccb_header h = make(0x01020201u, 0x10000, 0x10000);
    uint8_t out[36];
    (void)state;

    assert_int_equal(naccb_message_encode(&h, out, out, SIZE_MAX),
                     NACCB_ELENGTH_MAX);
    h.count = 0xFFFFFFFFu;
    h.size = 0xFFFFFFFFu;
    assert_int_equal(naccb_message_encode(&h, out, out, SIZE_MAX),
                     NACCB_ELENGTH_MAX);
}

static void test_header_message_encode_decode_round_trip(void **state)
{
    struct naccb_message m;
    uint8_t out[46];
    (void)state;

    assert_int_equal(naccb_message_decode(info_msg, 46, 0, &m, NULL), 46);
    assert_int_equal(naccb_message_encode(&m.header, m.objects, out, 46), 46);
    assert_memory_equal(out, info_msg, 46);
}

/* ---- object rules: direction, request, object code -------------------- */

static void test_header_objects_direction(void **state)
{
    static const uint16_t bad[] = {0x0000, 0x0101, 0x0202, 0x0103,
                                   0x0200, 0x1020, 0x0120, 0xFFFF};
    (void)state;

    for (size_t i = 0; i < COUNT_(bad); i++) {
        struct naccb_header h = make(0x02010500u, 0, 0);
        h.direction = bad[i];
        expect_objects(h, NACCB_EDIRECTION, NACCB_OFF_DIRECTION);
    }
}

/* A to-server key with request 07 (accept, a server's reply). */
static void test_header_objects_to_server_accept(void **state)
{
    (void)state;
    expect_objects(make(0x02010700u, 0, 0), NACCB_EREQUEST,
                   NACCB_OFF_REQUEST);
}

/* Requests only the server sends are not valid towards it. */
static void test_header_objects_to_server_server_requests(void **state)
{
    static const uint8_t req[] = {0x01, 0x02, 0x03, 0x04, 0x07, 0x08};
    (void)state;

    for (size_t i = 0; i < COUNT_(req); i++) {
        struct naccb_header h = make(0x02010000u, 0, 0);
        h.request = req[i];
        expect_objects(h, NACCB_EREQUEST, NACCB_OFF_REQUEST);
    }
}

/* Requests only an agent sends are not valid towards it. */
static void test_header_objects_to_agent_agent_requests(void **state)
{
    (void)state;
    expect_objects(make(0x01020500u, 0, 0), NACCB_EREQUEST,
                   NACCB_OFF_REQUEST);
    expect_objects(make(0x01020600u, 0, 0), NACCB_EREQUEST,
                   NACCB_OFF_REQUEST);
    expect_objects(make(0x01020901u, 0, 0), NACCB_EREQUEST,
                   NACCB_OFF_REQUEST);
    expect_objects(make(0x01020A03u, 1, 5), NACCB_EREQUEST,
                   NACCB_OFF_REQUEST);
}

static void test_header_objects_unknown_request(void **state)
{
    static const uint8_t req[] = {0x00, 0x0C, 0x0D, 0x80, 0xFF};
    (void)state;

    for (size_t i = 0; i < COUNT_(req); i++) {
        struct naccb_header to_server = make(0x02010000u, 0, 0);
        struct naccb_header to_agent = make(0x01020000u, 0, 0);
        to_server.request = req[i];
        to_agent.request = req[i];
        expect_objects(to_server, NACCB_EREQUEST, NACCB_OFF_REQUEST);
        expect_objects(to_agent, NACCB_EREQUEST, NACCB_OFF_REQUEST);
    }
}

static void test_header_objects_login_object_01(void **state)
{
    (void)state;
    expect_ok(0x02010500u, 0, 0);
    expect_objects(make(0x02010501u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x020105FFu, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
}

static void test_header_objects_logout_object(void **state)
{
    (void)state;
    expect_ok(0x02010600u, 0, 0);
    expect_objects(make(0x02010601u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
}

static void test_header_objects_acquire_object(void **state)
{
    (void)state;
    expect_ok(0x02010901u, 0, 0);
    expect_ok(0x02010902u, 0, 0);
    expect_objects(make(0x02010903u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x02010900u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x02010908u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
}

static void test_header_objects_info_object(void **state)
{
    static const uint8_t bad[] = {0x00, 0x01, 0x02, 0x08, 0x09, 0xFF};
    (void)state;

    for (size_t i = 0; i < COUNT_(bad); i++) {
        struct naccb_header h = make(0x02010A03u, 1, 5);
        h.object = bad[i];
        expect_objects(h, NACCB_EOBJECT, NACCB_OFF_OBJECT);
    }
}

static void test_header_objects_agent_error_object(void **state)
{
    (void)state;
    for (uint32_t obj = 0x01; obj <= 0x08; obj++)
        expect_ok(0x02010B00u | obj, 0, 0);
    expect_objects(make(0x02010B09u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x02010B00u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x02010BFFu, 1, 10), NACCB_EOBJECT,
                   NACCB_OFF_OBJECT);
}

static void test_header_objects_to_agent_object(void **state)
{
    (void)state;
    expect_objects(make(0x01020101u, 1, 8), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x01020100u, 1, 8), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x01020203u, 1, 230), NACCB_EOBJECT,
                   NACCB_OFF_OBJECT);
    expect_objects(make(0x01020300u, 1, 230), NACCB_EOBJECT,
                   NACCB_OFF_OBJECT);
    expect_objects(make(0x01020701u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x01020801u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
    expect_objects(make(0x01020401u, 0, 0), NACCB_EOBJECT, NACCB_OFF_OBJECT);
}

/* Decision: 01020Bxx echoes the offending NACCB's object code, which may
 * be the unknown byte the error is about: every xx is accepted. */
static void test_header_objects_error_any_object(void **state)
{
    (void)state;
    for (uint32_t obj = 0; obj <= 0xFF; obj++)
        expect_ok(0x01020B00u | obj, 0, 0);
}

/* ---- object rules: counts and sizes ------------------------------------ */

static void test_header_objects_login_password(void **state)
{
    (void)state;
    expect_ok(0x02010500u, 1, 8);
}

static void test_header_objects_login_count_1_size_7(void **state)
{
    (void)state;
    expect_objects(make(0x02010500u, 1, 7), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
    expect_objects(make(0x02010500u, 1, 9), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
}

static void test_header_objects_login_count_2(void **state)
{
    (void)state;
    expect_objects(make(0x02010500u, 2, 8), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
}

static void test_header_objects_logout_with_objects(void **state)
{
    (void)state;
    expect_objects(make(0x02010600u, 1, 8), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
}

static void test_header_objects_acquire_with_objects(void **state)
{
    (void)state;
    expect_objects(make(0x02010901u, 1, 230), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
    expect_objects(make(0x02010902u, 1, 1), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
}

static void test_header_objects_info_count_0(void **state)
{
    (void)state;
    for (uint32_t obj = 0x03; obj <= 0x07; obj++)
        expect_objects(make(0x02010A00u | obj, 0, 0), NACCB_EOBJECT_COUNT,
                       NACCB_OFF_COUNT);
}

/* Texts are 1..128 bytes (§5), any number of them. */
static void test_header_objects_info_text_sizes(void **state)
{
    (void)state;
    for (uint32_t obj = 0x03; obj <= 0x06; obj++) {
        uint32_t key = 0x02010A00u | obj;
        expect_ok(key, 1, 1);
        expect_ok(key, 1, 128);
        expect_ok(key, 1000, 64);
        expect_objects(make(key, 1, 129), NACCB_EOBJECT_SIZE,
                       NACCB_OFF_SIZE);
        expect_objects(make(key, 1, 162), NACCB_EOBJECT_SIZE,
                       NACCB_OFF_SIZE);
    }
}

static void test_header_objects_info_text_129(void **state)
{
    (void)state;
    expect_objects(make(0x02010A03u, 2, 129), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
}

static void test_header_objects_info_eot_sizes(void **state)
{
    (void)state;
    expect_ok(0x02010A07u, 1, 162);
    expect_ok(0x02010A07u, 50, 162);
    expect_objects(make(0x02010A07u, 1, 161), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
    expect_objects(make(0x02010A07u, 1, 163), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
    expect_objects(make(0x02010A07u, 1, 122), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
    expect_objects(make(0x02010A07u, 1, 5), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
}

static void test_header_objects_agent_error_text(void **state)
{
    (void)state;
    expect_ok(0x02010B04u, 0, 0);
    expect_ok(0x02010B08u, 1, 1);
    expect_ok(0x02010B08u, 1, 128);
    expect_objects(make(0x02010B04u, 2, 10), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
    expect_objects(make(0x02010B04u, 1, 129), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
}

static void test_header_objects_exec_command(void **state)
{
    (void)state;
    expect_ok(0x01020104u, 1, 1);
    expect_ok(0x01020104u, 1, 128);
    expect_objects(make(0x01020104u, 0, 0), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
    expect_objects(make(0x01020104u, 2, 10), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
    expect_objects(make(0x01020104u, 1, 129), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
}

static void test_header_objects_exec_job_size_7(void **state)
{
    (void)state;
    expect_ok(0x01020108u, 1, 8);
    expect_objects(make(0x01020108u, 1, 7), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
    expect_objects(make(0x01020108u, 1, 9), NACCB_EOBJECT_SIZE,
                   NACCB_OFF_SIZE);
    expect_objects(make(0x01020108u, 0, 0), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
    expect_objects(make(0x01020108u, 2, 8), NACCB_EOBJECT_COUNT,
                   NACCB_OFF_COUNT);
}

/* Receive and replace: a whole table, EVBLOK 230 or EOTINFO 162. */
static void test_header_objects_tables(void **state)
{
    static const uint32_t ems[] = {0x01020201u, 0x01020301u};
    static const uint32_t scd[] = {0x01020202u, 0x01020302u};
    (void)state;

    for (size_t i = 0; i < 2; i++) {
        expect_ok(ems[i], 1, 230);
        expect_ok(ems[i], 500, 230);
        expect_ok(scd[i], 1, 162);
        expect_ok(scd[i], 500, 162);
        expect_objects(make(ems[i], 0, 0), NACCB_EOBJECT_COUNT,
                       NACCB_OFF_COUNT);
        expect_objects(make(scd[i], 0, 0), NACCB_EOBJECT_COUNT,
                       NACCB_OFF_COUNT);
        expect_objects(make(ems[i], 1, 229), NACCB_EOBJECT_SIZE,
                       NACCB_OFF_SIZE);
        expect_objects(make(ems[i], 1, 162), NACCB_EOBJECT_SIZE,
                       NACCB_OFF_SIZE);
        expect_objects(make(scd[i], 1, 230), NACCB_EOBJECT_SIZE,
                       NACCB_OFF_SIZE);
        expect_objects(make(scd[i], 1, 161), NACCB_EOBJECT_SIZE,
                       NACCB_OFF_SIZE);
    }
}

/* Accept, reject, shutdown, no-EMS/SCD and errors carry no objects. */
static void test_header_objects_replies_without_objects(void **state)
{
    static const uint32_t keys[] = {0x01020700u, 0x01020800u, 0x01020400u,
                                    0x01020B01u, 0x01020B02u, 0x01020B00u};
    (void)state;

    for (size_t i = 0; i < COUNT_(keys); i++) {
        expect_ok(keys[i], 0, 0);
        expect_objects(make(keys[i], 1, 4), NACCB_EOBJECT_COUNT,
                       NACCB_OFF_COUNT);
    }
}

/* First failure wins, in the order of §11. */
static void test_header_objects_order(void **state)
{
    struct naccb_header h;
    (void)state;

    h = make(0x0C0C0C55u, 5, 7); /* everything wrong */
    expect_objects(h, NACCB_EDIRECTION, NACCB_OFF_DIRECTION);
    h = make(0x02010C55u, 5, 7); /* request, object, count, size wrong */
    expect_objects(h, NACCB_EREQUEST, NACCB_OFF_REQUEST);
    h = make(0x02010501u, 2, 7); /* object, count, size wrong */
    expect_objects(h, NACCB_EOBJECT, NACCB_OFF_OBJECT);
    h = make(0x02010500u, 2, 7); /* count, size wrong */
    expect_objects(h, NACCB_EOBJECT_COUNT, NACCB_OFF_COUNT);
}

/* The object rules look at the key and the count/size only: error byte,
 * agent-ID and the other header bytes do not matter to them. */
static void test_header_objects_ignore_other_fields(void **state)
{
    struct naccb_header h = make(0x02010A03u, 2, 5);
    (void)state;

    h.error_code = 0x05;
    h.os_code = 0xFF;
    h.coding = 0xFF;
    h.unused = 0xFF;
    h.forward = 0xFFFFFFFFu;
    h.agent_id = 0;
    expect_objects(h, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_key_get_set),
        cmocka_unit_test(test_header_decode_every_field),
        cmocka_unit_test(test_header_encode_every_field),
        cmocka_unit_test(test_header_encode_hostile_unchecked),
        cmocka_unit_test(test_header_decode_short_is_incomplete),
        cmocka_unit_test(test_header_decode_checks_nothing),
        cmocka_unit_test(test_header_decode_guard_page),
        cmocka_unit_test(test_header_length_zero),
        cmocka_unit_test(test_header_length_35),
        cmocka_unit_test(test_header_length_36),
        cmocka_unit_test(test_header_length_short_before_mismatch),
        cmocka_unit_test(test_header_length_default_max),
        cmocka_unit_test(test_header_length_default_max_plus_one),
        cmocka_unit_test(test_header_length_custom_max),
        cmocka_unit_test(test_header_length_ffffffff),
        cmocka_unit_test(test_header_length_above_int_max_is_max),
        cmocka_unit_test(test_header_length_count_size_overflow),
        cmocka_unit_test(test_header_length_mismatch_by_one),
        cmocka_unit_test(test_header_length_count_0_size_5),
        cmocka_unit_test(test_header_length_count_3_size_0),
        cmocka_unit_test(test_header_message_length),
        cmocka_unit_test(test_header_message_decode_info),
        cmocka_unit_test(test_header_message_object_pointers),
        cmocka_unit_test(test_header_message_object_none),
        cmocka_unit_test(test_header_message_decode_first_of_two),
        cmocka_unit_test(test_header_message_decode_short_buffer),
        cmocka_unit_test(test_header_message_decode_hostile_length_early),
        cmocka_unit_test(test_header_message_decode_mismatch),
        cmocka_unit_test(test_header_message_decode_count_size),
        cmocka_unit_test(test_header_message_decode_max_size),
        cmocka_unit_test(test_header_message_decode_guard_page),
        cmocka_unit_test(test_header_message_encode_info),
        cmocka_unit_test(test_header_message_encode_login_password),
        cmocka_unit_test(test_header_message_encode_no_objects),
        cmocka_unit_test(test_header_message_encode_enobufs),
        cmocka_unit_test(test_header_message_encode_count_size),
        cmocka_unit_test(test_header_message_encode_too_long),
        cmocka_unit_test(test_header_message_encode_decode_round_trip),
        cmocka_unit_test(test_header_objects_direction),
        cmocka_unit_test(test_header_objects_to_server_accept),
        cmocka_unit_test(test_header_objects_to_server_server_requests),
        cmocka_unit_test(test_header_objects_to_agent_agent_requests),
        cmocka_unit_test(test_header_objects_unknown_request),
        cmocka_unit_test(test_header_objects_login_object_01),
        cmocka_unit_test(test_header_objects_logout_object),
        cmocka_unit_test(test_header_objects_acquire_object),
        cmocka_unit_test(test_header_objects_info_object),
        cmocka_unit_test(test_header_objects_agent_error_object),
        cmocka_unit_test(test_header_objects_to_agent_object),
        cmocka_unit_test(test_header_objects_error_any_object),
        cmocka_unit_test(test_header_objects_login_password),
        cmocka_unit_test(test_header_objects_login_count_1_size_7),
        cmocka_unit_test(test_header_objects_login_count_2),
        cmocka_unit_test(test_header_objects_logout_with_objects),
        cmocka_unit_test(test_header_objects_acquire_with_objects),
        cmocka_unit_test(test_header_objects_info_count_0),
        cmocka_unit_test(test_header_objects_info_text_sizes),
        cmocka_unit_test(test_header_objects_info_text_129),
        cmocka_unit_test(test_header_objects_info_eot_sizes),
        cmocka_unit_test(test_header_objects_agent_error_text),
        cmocka_unit_test(test_header_objects_exec_command),
        cmocka_unit_test(test_header_objects_exec_job_size_7),
        cmocka_unit_test(test_header_objects_tables),
        cmocka_unit_test(test_header_objects_replies_without_objects),
        cmocka_unit_test(test_header_objects_order),
        cmocka_unit_test(test_header_objects_ignore_other_fields),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
