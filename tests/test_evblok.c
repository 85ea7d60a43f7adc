/*
 * test_evblok.c - the 230-byte EVBLOK (docs/protocol.md §8): the
 * golden vector, decode/encode, the "always" frame, and every validation
 * rule failing alone with its exact error code and field offset.
 *
 * The golden EVBLOK is written by hand from the notes' table; every field
 * holds a non-trivial value so a misplaced or mis-ordered field shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "naccb/errors.h"
#include "naccb/evblok.h"

#define BLANKS8 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40
#define BLANKS16 BLANKS8, BLANKS8
#define BLANKS31 BLANKS16, BLANKS8, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40

/*
 * System SYSA, key KILL (KL 4, VL 4, IL 12), text "CANCEL TSO USER",
 * from 2026-11-21 (day 325) 08:30:00 to 2027-03-15 (day 074) 17:45:30,
 * Monday..Friday and holidays, ET 02 (command), user area 01..20.
 */
static const uint8_t golden[NACCB_EVBLOK_SIZE] = {
    /* 0: system name "SYSA" */
    0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40, 0x40,
    /* 8: event key "KILL" + 16 blanks */
    0xD2, 0xC9, 0xD3, 0xD3, BLANKS16,
    /* 28: additional text "CANCEL TSO USER" + 93 blanks */
    0xC3, 0xC1, 0xD5, 0xC3, 0xC5, 0xD3, 0x40, 0xE3, 0xE2, 0xD6, 0x40, 0xE4,
    0xE2, 0xC5, 0xD9, BLANKS31, BLANKS31, BLANKS31,
    /* 136: IL 12, 138: KL 4, 140: VL 4 */
    0x00, 0x0C, 0x00, 0x04, 0x00, 0x04,
    /* 142: SDATE 2026-325, 146: EDATE 2027-074 */
    0x02, 0x02, 0x63, 0x25, 0x02, 0x02, 0x70, 0x74,
    /* 150: STIME 08:30:00, 154: STSEC 30600 */
    0x08, 0x30, 0x00, 0x00, 0x00, 0x00, 0x77, 0x88,
    /* 158: ETIME 17:45:30, 162: ETSEC 63930 */
    0x17, 0x45, 0x30, 0x00, 0x00, 0x00, 0xF9, 0xBA,
    /* 166: day-list Sun..Sat, holiday */
    0x00, 0x01, 0x01, 0x01, 0x01, 0x01, 0x00, 0x01,
    /* 174: ET command */
    0x02,
    /* 175: reserved */
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00,
    /* 190: SSDT 2026-11-21, 194: ESDT 2027-03-15 */
    0x20, 0x26, 0x11, 0x21, 0x20, 0x27, 0x03, 0x15,
    /* 198: user working area */
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C,
    0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
    0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20,
};

/* A literal shorter than 230 would be zero-filled silently: catch it. */
static void test_evblok_golden_is_230_bytes(void **state)
{
    (void)state;
    assert_int_equal(sizeof golden, 230);
    assert_int_equal(golden[NACCB_EVB_USER_AREA], 0x01);
    assert_int_equal(golden[NACCB_EVBLOK_SIZE - 1], 0x20);
    assert_int_equal(golden[NACCB_EVB_EVENT_TYPE], 0x02);
}

static void test_evblok_offsets(void **state)
{
    (void)state;
    assert_int_equal(NACCB_EVB_IL, 136);
    assert_int_equal(NACCB_EVB_SDATE, 142);
    assert_int_equal(NACCB_EVB_DAY_LIST, 166);
    assert_int_equal(NACCB_EVB_EVENT_TYPE, 174);
    assert_int_equal(NACCB_EVB_SSDT, 190);
    assert_int_equal(NACCB_EVB_USER_AREA, 198);
    assert_int_equal(NACCB_EVB_USER_AREA + 32, NACCB_EVBLOK_SIZE);
}

static void test_evblok_decode_golden(void **state)
{
    static const uint8_t name[8] = {0xE2, 0xE8, 0xE2, 0xC1,
                                    0x40, 0x40, 0x40, 0x40};
    static const uint8_t key[20] = {0xD2, 0xC9, 0xD3, 0xD3, BLANKS16};
    static const uint8_t text[15] = {0xC3, 0xC1, 0xD5, 0xC3, 0xC5,
                                     0xD3, 0x40, 0xE3, 0xE2, 0xD6,
                                     0x40, 0xE4, 0xE2, 0xC5, 0xD9};
    static const uint8_t days[8] = {0, 1, 1, 1, 1, 1, 0, 1};
    static const uint8_t zeros[15] = {0};
    struct naccb_evblok e;

    (void)state;
    naccb_evblok_decode(golden, &e);
    assert_memory_equal(e.system_name, name, 8);
    assert_memory_equal(e.event_key, key, 20);
    assert_memory_equal(e.additional_text, text, 15);
    assert_int_equal(e.additional_text[15], 0x40);
    assert_int_equal(e.additional_text[107], 0x40);
    assert_int_equal(e.il, 12);
    assert_int_equal(e.kl, 4);
    assert_int_equal(e.vl, 4);
    assert_int_equal(e.sdate, 0x02026325u);
    assert_int_equal(e.edate, 0x02027074u);
    assert_int_equal(e.stime, 0x08300000u);
    assert_int_equal(e.stsec, 30600u);
    assert_int_equal(e.etime, 0x17453000u);
    assert_int_equal(e.etsec, 63930u);
    assert_memory_equal(e.day_list, days, 8);
    assert_int_equal(e.event_type, NACCB_ET_COMMAND);
    assert_memory_equal(e.reserved, zeros, 15);
    assert_int_equal(e.ssdt, 0x20261121u);
    assert_int_equal(e.esdt, 0x20270315u);
    assert_int_equal(e.user_area[0], 0x01);
    assert_int_equal(e.user_area[15], 0x10);
    assert_int_equal(e.user_area[31], 0x20);
}

/* The struct is filled field by field by hand, not by decode. */
static void test_evblok_encode_golden(void **state)
{
    struct naccb_evblok e;
    uint8_t out[NACCB_EVBLOK_SIZE];

    (void)state;
    memset(&e, 0, sizeof e);
    memset(out, 0xEE, sizeof out);
    memcpy(e.system_name, "\xE2\xE8\xE2\xC1\x40\x40\x40\x40", 8);
    memset(e.event_key, 0x40, sizeof e.event_key);
    memcpy(e.event_key, "\xD2\xC9\xD3\xD3", 4);
    memset(e.additional_text, 0x40, sizeof e.additional_text);
    memcpy(e.additional_text,
           "\xC3\xC1\xD5\xC3\xC5\xD3\x40\xE3\xE2\xD6\x40\xE4\xE2\xC5\xD9", 15);
    e.il = 12;
    e.kl = 4;
    e.vl = 4;
    e.sdate = 0x02026325u;
    e.edate = 0x02027074u;
    e.stime = 0x08300000u;
    e.stsec = 30600u;
    e.etime = 0x17453000u;
    e.etsec = 63930u;
    memcpy(e.day_list, "\x00\x01\x01\x01\x01\x01\x00\x01", 8);
    e.event_type = 0x02;
    e.ssdt = 0x20261121u;
    e.esdt = 0x20270315u;
    for (size_t i = 0; i < sizeof e.user_area; i++)
        e.user_area[i] = (uint8_t)(i + 1);
    naccb_evblok_encode(&e, out);
    assert_memory_equal(out, golden, NACCB_EVBLOK_SIZE);
}

static void test_evblok_golden_round_trip(void **state)
{
    struct naccb_evblok e;
    uint8_t out[NACCB_EVBLOK_SIZE];

    (void)state;
    naccb_evblok_decode(golden, &e);
    naccb_evblok_encode(&e, out);
    assert_memory_equal(out, golden, NACCB_EVBLOK_SIZE);
}

static void test_evblok_golden_is_valid(void **state)
{
    struct naccb_evblok e;
    size_t off = 999;

    (void)state;
    naccb_evblok_decode(golden, &e);
    assert_int_equal(naccb_evblok_validate(&e, &off), 0);
    assert_int_equal(naccb_evblok_validate(&e, NULL), 0);
}

/* decode -> encode is the identity on any bytes, valid or not. */
static void test_evblok_round_trip_arbitrary_bytes(void **state)
{
    uint8_t in[NACCB_EVBLOK_SIZE], out[NACCB_EVBLOK_SIZE];
    struct naccb_evblok e;
    uint32_t x = 0x2545F491u;

    (void)state;
    for (int round = 0; round < 64; round++) {
        for (size_t i = 0; i < sizeof in; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            in[i] = (uint8_t)(round == 0 ? 0xFF : round == 1 ? i : x);
        }
        naccb_evblok_decode(in, &e);
        memset(out, round == 0 ? 0x00 : 0xFF, sizeof out);
        naccb_evblok_encode(&e, out);
        assert_memory_equal(out, in, sizeof in);
    }
}

/* Integers are big-endian: a byte moved by the decoder shows here. */
static void test_evblok_decode_big_endian(void **state)
{
    uint8_t in[NACCB_EVBLOK_SIZE];
    struct naccb_evblok e;

    (void)state;
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (uint8_t)i;
    naccb_evblok_decode(in, &e);
    assert_int_equal(e.il, 0x8889);
    assert_int_equal(e.kl, 0x8A8B);
    assert_int_equal(e.vl, 0x8C8D);
    assert_int_equal(e.sdate, 0x8E8F9091u);
    assert_int_equal(e.etsec, 0xA2A3A4A5u);
    assert_int_equal(e.event_type, 0xAE);
    assert_int_equal(e.ssdt, 0xBEBFC0C1u);
    assert_int_equal(e.esdt, 0xC2C3C4C5u);
    assert_int_equal(e.user_area[0], 0xC6);
}

/* The notes' "always" frame, as bytes 142..173 and 190..197. */
static void test_evblok_set_always_bytes(void **state)
{
    static const uint8_t frame[32] = {
        0x01, 0x90, 0x00, 0x01, /* SDATE 1900-001 */
        0x09, 0x99, 0x93, 0x65, /* EDATE 9999-365 */
        0x00, 0x00, 0x00, 0x00, /* STIME 00:00:00 */
        0x00, 0x00, 0x00, 0x00, /* STSEC 0 */
        0x23, 0x59, 0x59, 0x00, /* ETIME 23:59:59 */
        0x00, 0x01, 0x51, 0x7F, /* ETSEC 86399 */
        0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01,
    };
    static const uint8_t std[8] = {0x19, 0x00, 0x01, 0x01,
                                   0x99, 0x99, 0x12, 0x31};
    struct naccb_evblok e;
    uint8_t out[NACCB_EVBLOK_SIZE];

    (void)state;
    naccb_evblok_decode(golden, &e);
    /* Start from a frame unlike the "always" one in every byte. */
    memset(e.day_list, 0, sizeof e.day_list);
    e.stime = e.stsec = 0xFFFFFFFFu;
    naccb_evblok_set_always(&e);
    naccb_evblok_encode(&e, out);
    assert_memory_equal(out + NACCB_EVB_SDATE, frame, sizeof frame);
    assert_memory_equal(out + NACCB_EVB_SSDT, std, sizeof std);
    /* Nothing outside the frame changed. */
    assert_memory_equal(out, golden, NACCB_EVB_SDATE);
    assert_memory_equal(out + NACCB_EVB_EVENT_TYPE,
                        golden + NACCB_EVB_EVENT_TYPE, 16);
    assert_memory_equal(out + NACCB_EVB_USER_AREA,
                        golden + NACCB_EVB_USER_AREA, 32);
    assert_int_equal(naccb_evblok_validate(&e, NULL), 0);
}

static void test_evblok_always_constants(void **state)
{
    (void)state;
    assert_int_equal(NACCB_ALWAYS_SDATE, 0x01900001u);
    assert_int_equal(NACCB_ALWAYS_EDATE, 0x09999365u);
    assert_int_equal(NACCB_ALWAYS_STIME, 0x00000000u);
    assert_int_equal(NACCB_ALWAYS_STSEC, 0x00000000u);
    assert_int_equal(NACCB_ALWAYS_ETIME, 0x23595900u);
    assert_int_equal(NACCB_ALWAYS_ETSEC, 0x0001517Fu);
    assert_int_equal(NACCB_ALWAYS_SSDT, 0x19000101u);
    assert_int_equal(NACCB_ALWAYS_ESDT, 0x99991231u);
}

static void test_evblok_event_type_for_agent(void **state)
{
    (void)state;
    assert_int_equal(naccb_event_type_for_agent(0x00), 0);
    assert_int_equal(naccb_event_type_for_agent(0x01), 1);
    assert_int_equal(naccb_event_type_for_agent(0x02), 1);
    assert_int_equal(naccb_event_type_for_agent(0x03), 0);
    assert_int_equal(naccb_event_type_for_agent(0x04), 0);
    assert_int_equal(naccb_event_type_for_agent(0x05), 1);
    assert_int_equal(naccb_event_type_for_agent(0x06), 1);
    assert_int_equal(naccb_event_type_for_agent(0x07), 0);
    assert_int_equal(naccb_event_type_for_agent(0x102), 0);
}

/* --- validation: one broken field at a time ----------------------------- */

/*
 * Copies the golden EVBLOK, overwrites n bytes at offset with patch (up to
 * two patches), decodes and validates.  Returns the code; *off gets the
 * reported offset (SIZE_MAX when none was reported).
 */
struct patch {
    size_t offset;
    const char *bytes;
    size_t n;
};

static int validate_patched(const struct patch *p, size_t np, size_t *off)
{
    uint8_t in[NACCB_EVBLOK_SIZE];
    struct naccb_evblok e;

    memcpy(in, golden, sizeof in);
    for (size_t i = 0; i < np; i++)
        memcpy(in + p[i].offset, p[i].bytes, p[i].n);
    naccb_evblok_decode(in, &e);
    *off = SIZE_MAX;
    return naccb_evblok_validate(&e, off);
}

static void assert_rule(size_t offset, const char *bytes, size_t n, int want,
                        size_t want_off)
{
    const struct patch p = {offset, bytes, n};
    size_t off;

    assert_int_equal(validate_patched(&p, 1, &off), want);
    if (want != 0)
        assert_int_equal(off, want_off);
}

static void assert_valid(const struct patch *p, size_t np)
{
    size_t off;

    assert_int_equal(validate_patched(p, np, &off), 0);
}

/* KL 0 with IL 8, VL 0: only the key length is wrong. */
static void test_evblok_validate_kl_0(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_IL, "\x00\x08\x00\x00\x00\x00", 6,
                NACCB_EKEY_LENGTH, NACCB_EVB_KL);
}

static void test_evblok_validate_kl_1_valid(void **state)
{
    const struct patch p = {NACCB_EVB_IL, "\x00\x09\x00\x01\x00\x01", 6};

    (void)state;
    assert_valid(&p, 1);
}

static void test_evblok_validate_kl_20_valid(void **state)
{
    const struct patch p = {NACCB_EVB_IL, "\x00\x1C\x00\x14\x00\x14", 6};

    (void)state;
    assert_valid(&p, 1);
}

/* KL 21 with a consistent IL 29. */
static void test_evblok_validate_kl_21(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_IL, "\x00\x1D\x00\x15", 4, NACCB_EKEY_LENGTH,
                NACCB_EVB_KL);
    assert_rule(NACCB_EVB_IL, "\xFF\xFF\xFF\xFF", 4, NACCB_EKEY_LENGTH,
                NACCB_EVB_KL);
}

/* The golden EVBLOK already has VL = KL = 4; VL 0 is valid too. */
static void test_evblok_validate_vl_equals_kl_valid(void **state)
{
    const struct patch p = {NACCB_EVB_VL, "\x00\x00", 2};

    (void)state;
    assert_rule(NACCB_EVB_VL, "\x00\x04", 2, 0, 0);
    assert_valid(&p, 1);
}

static void test_evblok_validate_vl_kl_plus_1(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_VL, "\x00\x05", 2, NACCB_EVERB_LENGTH, NACCB_EVB_VL);
}

/* IL = 8 + KL relates IL to the later KL: reported at KL's offset. */
static void test_evblok_validate_il(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_IL, "\x00\x0D", 2, NACCB_EID_LENGTH, NACCB_EVB_IL);
    assert_rule(NACCB_EVB_IL, "\x00\x0B", 2, NACCB_EID_LENGTH, NACCB_EVB_IL);
    assert_rule(NACCB_EVB_IL, "\x00\x04", 2, NACCB_EID_LENGTH, NACCB_EVB_IL);
    assert_rule(NACCB_EVB_IL, "\x00\x00", 2, NACCB_EID_LENGTH, NACCB_EVB_IL);
}

static void test_evblok_validate_sdate(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_SDATE, "\x02\x02\x6A\x25", 4, NACCB_EBCD_DIGIT,
                NACCB_EVB_SDATE);
    assert_rule(NACCB_EVB_SDATE, "\x12\x02\x63\x25", 4, NACCB_EBCD_ZONE,
                NACCB_EVB_SDATE);
    assert_rule(NACCB_EVB_SDATE, "\x01\x89\x93\x25", 4, NACCB_EYEAR,
                NACCB_EVB_SDATE);
    assert_rule(NACCB_EVB_SDATE, "\x02\x02\x60\x00", 4, NACCB_EDAY_OF_YEAR,
                NACCB_EVB_SDATE);
    assert_rule(NACCB_EVB_SDATE, "\x02\x02\x63\x66", 4, NACCB_EDAY_OF_YEAR,
                NACCB_EVB_SDATE);
}

static void test_evblok_validate_edate(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_EDATE, "\x02\x02\x7F\x74", 4, NACCB_EBCD_DIGIT,
                NACCB_EVB_EDATE);
    assert_rule(NACCB_EVB_EDATE, "\x22\x02\x70\x74", 4, NACCB_EBCD_ZONE,
                NACCB_EVB_EDATE);
    assert_rule(NACCB_EVB_EDATE, "\x00\x00\x00\x74", 4, NACCB_EYEAR,
                NACCB_EVB_EDATE);
    assert_rule(NACCB_EVB_EDATE, "\x02\x02\x73\x66", 4, NACCB_EDAY_OF_YEAR,
                NACCB_EVB_EDATE);
}

/* EDATE one day before SDATE (2026-324). */
static void test_evblok_validate_edate_before_sdate(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_EDATE, "\x02\x02\x63\x24", 4, NACCB_EDATE_ORDER,
                NACCB_EVB_EDATE);
    assert_rule(NACCB_EVB_EDATE, "\x02\x01\x63\x26", 4, NACCB_EDATE_ORDER,
                NACCB_EVB_EDATE);
}

/* EDATE = SDATE (and ESDT = SSDT) is a one-day frame: valid. */
static void test_evblok_validate_edate_equals_sdate(void **state)
{
    const struct patch p[2] = {
        {NACCB_EVB_EDATE, "\x02\x02\x63\x25", 4},
        {NACCB_EVB_ESDT, "\x20\x26\x11\x21", 4},
    };

    (void)state;
    assert_valid(p, 2);
}

static void test_evblok_validate_stime(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_STIME, "\x08\x3A\x00\x00", 4, NACCB_EBCD_DIGIT,
                NACCB_EVB_STIME);
    assert_rule(NACCB_EVB_STIME, "\x24\x30\x00\x00", 4, NACCB_EHOUR,
                NACCB_EVB_STIME);
    assert_rule(NACCB_EVB_STIME, "\x08\x60\x00\x00", 4, NACCB_EMINUTE,
                NACCB_EVB_STIME);
    assert_rule(NACCB_EVB_STIME, "\x08\x30\x60\x00", 4, NACCB_ESECOND,
                NACCB_EVB_STIME);
    assert_rule(NACCB_EVB_STIME, "\x08\x30\x00\x01", 4, NACCB_ETIME_FILLER,
                NACCB_EVB_STIME);
}

static void test_evblok_validate_stsec(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_STSEC, "\x00\x00\x77\x89", 4,
                NACCB_ESECONDS_MISMATCH, NACCB_EVB_STSEC);
    assert_rule(NACCB_EVB_STSEC, "\x00\x00\x77\x87", 4,
                NACCB_ESECONDS_MISMATCH, NACCB_EVB_STSEC);
    /* BCD 08300000 read as binary is not the seconds. */
    assert_rule(NACCB_EVB_STSEC, "\x08\x30\x00\x00", 4,
                NACCB_ESECONDS_MISMATCH, NACCB_EVB_STSEC);
}

static void test_evblok_validate_etime(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_ETIME, "\x1A\x45\x30\x00", 4, NACCB_EBCD_DIGIT,
                NACCB_EVB_ETIME);
    assert_rule(NACCB_EVB_ETIME, "\x25\x45\x30\x00", 4, NACCB_EHOUR,
                NACCB_EVB_ETIME);
    assert_rule(NACCB_EVB_ETIME, "\x17\x75\x30\x00", 4, NACCB_EMINUTE,
                NACCB_EVB_ETIME);
    assert_rule(NACCB_EVB_ETIME, "\x17\x45\x60\x00", 4, NACCB_ESECOND,
                NACCB_EVB_ETIME);
    assert_rule(NACCB_EVB_ETIME, "\x17\x45\x30\x10", 4, NACCB_ETIME_FILLER,
                NACCB_EVB_ETIME);
}

/* ETIME 08:29:59 (ETSEC 30599 to match) is one second before STIME. */
static void test_evblok_validate_etime_before_stime(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_ETIME, "\x08\x29\x59\x00\x00\x00\x77\x87", 8,
                NACCB_ETIME_ORDER, NACCB_EVB_ETIME);
}

/* ETIME = STIME (ETSEC 30600) is a one-second frame: valid. */
static void test_evblok_validate_etime_equals_stime(void **state)
{
    const struct patch p = {NACCB_EVB_ETIME,
                            "\x08\x30\x00\x00\x00\x00\x77\x88", 8};

    (void)state;
    assert_valid(&p, 1);
}

static void test_evblok_validate_etsec(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_ETSEC, "\x00\x00\xF9\xBB", 4,
                NACCB_ESECONDS_MISMATCH, NACCB_EVB_ETSEC);
    assert_rule(NACCB_EVB_ETSEC, "\x00\x00\x00\x00", 4,
                NACCB_ESECONDS_MISMATCH, NACCB_EVB_ETSEC);
}

/* Every one of the 8 day-list bytes is checked; 02 and FF both fail. */
static void test_evblok_validate_day_list(void **state)
{
    (void)state;
    for (size_t i = 0; i < 8; i++) {
        assert_rule(NACCB_EVB_DAY_LIST + i, "\x02", 1, NACCB_EDAY_LIST,
                    NACCB_EVB_DAY_LIST);
        assert_rule(NACCB_EVB_DAY_LIST + i, "\xFF", 1, NACCB_EDAY_LIST,
                    NACCB_EVB_DAY_LIST);
    }
}

static void test_evblok_validate_day_list_all_zero_valid(void **state)
{
    const struct patch p = {NACCB_EVB_DAY_LIST, "\0\0\0\0\0\0\0\0", 8};

    (void)state;
    assert_valid(&p, 1);
}

static void test_evblok_validate_event_type(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_EVENT_TYPE, "\x00", 1, NACCB_EEVENT_TYPE,
                NACCB_EVB_EVENT_TYPE);
    assert_rule(NACCB_EVB_EVENT_TYPE, "\x07", 1, NACCB_EEVENT_TYPE,
                NACCB_EVB_EVENT_TYPE);
    assert_rule(NACCB_EVB_EVENT_TYPE, "\xFF", 1, NACCB_EEVENT_TYPE,
                NACCB_EVB_EVENT_TYPE);
}

/* ET 01..06 all validate, 03 and 04 included (not for agents, but valid). */
static void test_evblok_validate_event_types_01_to_06(void **state)
{
    static const char *const ets[] = {"\x01", "\x02", "\x03",
                                      "\x04", "\x05", "\x06"};

    (void)state;
    for (size_t i = 0; i < 6; i++)
        assert_rule(NACCB_EVB_EVENT_TYPE, ets[i], 1, 0, 0);
}

static void test_evblok_validate_reserved(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_RESERVED, "\x01", 1, NACCB_ERESERVED,
                NACCB_EVB_RESERVED);
    assert_rule(NACCB_EVB_RESERVED + 14, "\x80", 1, NACCB_ERESERVED,
                NACCB_EVB_RESERVED);
}

static void test_evblok_validate_ssdt(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_SSDT, "\x20\x26\x11\x2B", 4, NACCB_EBCD_DIGIT,
                NACCB_EVB_SSDT);
    assert_rule(NACCB_EVB_SSDT, "\x18\x99\x11\x21", 4, NACCB_EYEAR,
                NACCB_EVB_SSDT);
    assert_rule(NACCB_EVB_SSDT, "\x20\x26\x13\x21", 4, NACCB_EMONTH,
                NACCB_EVB_SSDT);
    assert_rule(NACCB_EVB_SSDT, "\x20\x26\x11\x31", 4, NACCB_EDAY_OF_MONTH,
                NACCB_EVB_SSDT);
}

/* A valid date, but not the day SDATE names (off by one day, one year). */
static void test_evblok_validate_ssdt_mismatch(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_SSDT, "\x20\x26\x11\x22", 4,
                NACCB_ESTDDATE_MISMATCH, NACCB_EVB_SSDT);
    assert_rule(NACCB_EVB_SSDT, "\x20\x25\x11\x21", 4,
                NACCB_ESTDDATE_MISMATCH, NACCB_EVB_SSDT);
}

static void test_evblok_validate_esdt(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_ESDT, "\x20\x27\x0C\x15", 4, NACCB_EBCD_DIGIT,
                NACCB_EVB_ESDT);
    assert_rule(NACCB_EVB_ESDT, "\x20\x27\x00\x15", 4, NACCB_EMONTH,
                NACCB_EVB_ESDT);
    assert_rule(NACCB_EVB_ESDT, "\x20\x27\x02\x29", 4, NACCB_EDAY_OF_MONTH,
                NACCB_EVB_ESDT);
}

static void test_evblok_validate_esdt_mismatch(void **state)
{
    (void)state;
    assert_rule(NACCB_EVB_ESDT, "\x20\x27\x03\x14", 4,
                NACCB_ESTDDATE_MISMATCH, NACCB_EVB_ESDT);
    /* SSDT's day in ESDT's place. */
    assert_rule(NACCB_EVB_ESDT, "\x20\x26\x11\x21", 4,
                NACCB_ESTDDATE_MISMATCH, NACCB_EVB_ESDT);
}

/* Free-form fields are not checked: any bytes validate. */
static void test_evblok_validate_ignores_free_fields(void **state)
{
    char ff[108];
    const struct patch p[4] = {
        {NACCB_EVB_SYSTEM_NAME, ff, 8},
        {NACCB_EVB_EVENT_KEY + 4, ff, 16},
        {NACCB_EVB_ADDITIONAL_TEXT, ff, 108},
        {NACCB_EVB_USER_AREA, ff, 32},
    };

    (void)state;
    memset(ff, '\xFF', sizeof ff);
    assert_valid(p, 4);
}

/* With two broken fields the lower offset is reported. */
static void test_evblok_validate_reports_first_fault(void **state)
{
    const struct patch p[2] = {
        {NACCB_EVB_EVENT_TYPE, "\x09", 1},
        {NACCB_EVB_STSEC, "\x00\x00\x00\x01", 4},
    };
    size_t off;

    (void)state;
    assert_int_equal(validate_patched(p, 2, &off), NACCB_ESECONDS_MISMATCH);
    assert_int_equal(off, NACCB_EVB_STSEC);
}

/* The "always" frame validates, with the golden's lengths and ET. */
static void test_evblok_validate_always_frame(void **state)
{
    struct naccb_evblok e;

    (void)state;
    memset(&e, 0, sizeof e);
    e.il = 9;
    e.kl = 1;
    e.event_type = NACCB_ET_MESSAGE;
    naccb_evblok_set_always(&e);
    assert_int_equal(naccb_evblok_validate(&e, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evblok_golden_is_230_bytes),
        cmocka_unit_test(test_evblok_offsets),
        cmocka_unit_test(test_evblok_decode_golden),
        cmocka_unit_test(test_evblok_encode_golden),
        cmocka_unit_test(test_evblok_golden_round_trip),
        cmocka_unit_test(test_evblok_golden_is_valid),
        cmocka_unit_test(test_evblok_round_trip_arbitrary_bytes),
        cmocka_unit_test(test_evblok_decode_big_endian),
        cmocka_unit_test(test_evblok_set_always_bytes),
        cmocka_unit_test(test_evblok_always_constants),
        cmocka_unit_test(test_evblok_event_type_for_agent),
        cmocka_unit_test(test_evblok_validate_kl_0),
        cmocka_unit_test(test_evblok_validate_kl_1_valid),
        cmocka_unit_test(test_evblok_validate_kl_20_valid),
        cmocka_unit_test(test_evblok_validate_kl_21),
        cmocka_unit_test(test_evblok_validate_vl_equals_kl_valid),
        cmocka_unit_test(test_evblok_validate_vl_kl_plus_1),
        cmocka_unit_test(test_evblok_validate_il),
        cmocka_unit_test(test_evblok_validate_sdate),
        cmocka_unit_test(test_evblok_validate_edate),
        cmocka_unit_test(test_evblok_validate_edate_before_sdate),
        cmocka_unit_test(test_evblok_validate_edate_equals_sdate),
        cmocka_unit_test(test_evblok_validate_stime),
        cmocka_unit_test(test_evblok_validate_stsec),
        cmocka_unit_test(test_evblok_validate_etime),
        cmocka_unit_test(test_evblok_validate_etime_before_stime),
        cmocka_unit_test(test_evblok_validate_etime_equals_stime),
        cmocka_unit_test(test_evblok_validate_etsec),
        cmocka_unit_test(test_evblok_validate_day_list),
        cmocka_unit_test(test_evblok_validate_day_list_all_zero_valid),
        cmocka_unit_test(test_evblok_validate_event_type),
        cmocka_unit_test(test_evblok_validate_event_types_01_to_06),
        cmocka_unit_test(test_evblok_validate_reserved),
        cmocka_unit_test(test_evblok_validate_ssdt),
        cmocka_unit_test(test_evblok_validate_ssdt_mismatch),
        cmocka_unit_test(test_evblok_validate_esdt),
        cmocka_unit_test(test_evblok_validate_esdt_mismatch),
        cmocka_unit_test(test_evblok_validate_ignores_free_fields),
        cmocka_unit_test(test_evblok_validate_reports_first_fault),
        cmocka_unit_test(test_evblok_validate_always_frame),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
