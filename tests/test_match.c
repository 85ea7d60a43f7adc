/*
 * test_match.c - event matching, the time frame and verb substitution
 * (docs/protocol.md §8, "Matching and the time frame" and "Verb
 * substitution").  Texts are EBCDIC-037 bytes written by hand; instants
 * are fixed dates checked against a calendar (weekdays noted beside them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "naccb/codes.h"
#include "naccb/errors.h"
#include "naccb/match.h"

/* "KILL" and "KILL JOKO" in EBCDIC-037. */
static const uint8_t kill_joko[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40,
                                    0xD1, 0xD6, 0xD2, 0xD6};
/* "CANCEL U=&arg" and "CANCEL U=JOKO" in EBCDIC-037. */
static const uint8_t cancel_arg[] = {0xC3, 0xC1, 0xD5, 0xC3, 0xC5, 0xD3, 0x40,
                                     0xE4, 0x7E, 0x50, 0x81, 0x99, 0x87};
static const uint8_t cancel_joko[] = {0xC3, 0xC1, 0xD5, 0xC3, 0xC5, 0xD3, 0x40,
                                      0xE4, 0x7E, 0xD1, 0xD6, 0xD2, 0xD6};

/*
 * Key KILL (KL 4, VL 4), ET 02 command, 2024-01-02 (day 002, a Tuesday)
 * to 2024-12-31 (day 366, a Tuesday), 08:30:00 to 17:45:30, Monday to
 * Friday and holidays.
 */
static struct naccb_evblok make_evblok(void)
{
    struct naccb_evblok e;

    memset(&e, 0, sizeof e);
    memset(e.event_key, 0x40, sizeof e.event_key);
    memcpy(e.event_key, "\xD2\xC9\xD3\xD3", 4);
    e.il = 12;
    e.kl = 4;
    e.vl = 4;
    e.sdate = 0x02024002u;
    e.edate = 0x02024366u;
    e.stime = 0x08300000u;
    e.stsec = 30600u;
    e.etime = 0x17453000u;
    e.etsec = 63930u;
    memcpy(e.day_list, "\x00\x01\x01\x01\x01\x01\x00\x01", 8);
    e.event_type = NACCB_ET_COMMAND;
    return e;
}

static struct naccb_local_time at(int y, int mo, int d, int h, int mi, int s)
{
    struct naccb_local_time t = {{y, mo, d}, {h, mi, s}};

    return t;
}

/* Holiday calendar of one date, counting its calls. */
struct one_holiday {
    struct naccb_date date;
    int calls;
};

static int is_one_holiday(void *ctx, const struct naccb_date *date)
{
    struct one_holiday *h = ctx;

    h->calls++;
    return date->year == h->date.year && date->month == h->date.month &&
           date->day == h->date.day;
}

static int in_frame(const struct naccb_evblok *e, struct naccb_local_time t)
{
    return naccb_evblok_in_frame(e, &t, NULL, NULL);
}

static int in_frame_holiday(const struct naccb_evblok *e,
                            struct naccb_local_time t,
                            struct one_holiday *h)
{
    return naccb_evblok_in_frame(e, &t, is_one_holiday, h);
}

/* --- rules 1 and 2: key and event type -------------------------------- */

static void test_match_key_and_type(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(naccb_evblok_matches(&e, NACCB_ET_COMMAND, kill_joko,
                                          sizeof kill_joko), 1);
}

static void test_match_text_exactly_kl(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, kill_joko, 4), 1);
}

static void test_match_text_shorter_than_kl(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, kill_joko, 3), 0);
    assert_int_equal(naccb_evblok_matches(&e, 0x02, kill_joko, 0), 0);
}

/* Bytes after KL are ignored in the text and in the key field alike. */
static void test_match_bytes_after_kl_ignored(void **state)
{
    static const uint8_t killx[] = {0xD2, 0xC9, 0xD3, 0xD3, 0xE7};
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, killx, sizeof killx), 1);
    memset(e.event_key + 4, 0xFF, 16);
    assert_int_equal(naccb_evblok_matches(&e, 0x02, killx, sizeof killx), 1);
}

static void test_match_key_differs(void **state)
{
    static const uint8_t xill[] = {0xE7, 0xC9, 0xD3, 0xD3};
    static const uint8_t kilm[] = {0xD2, 0xC9, 0xD3, 0xD4};
    static const uint8_t ascii_kill[] = {0x4B, 0x49, 0x4C, 0x4C};
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, xill, 4), 0);
    assert_int_equal(naccb_evblok_matches(&e, 0x02, kilm, 4), 0);
    /* Compared as wire bytes: the ASCII spelling is a different key. */
    assert_int_equal(naccb_evblok_matches(&e, 0x02, ascii_kill, 4), 0);
}

/* Matching always uses KL; VL only splits verb from argument. */
static void test_match_uses_kl_not_vl(void **state)
{
    static const uint8_t kixx[] = {0xD2, 0xC9, 0xE7, 0xE7};
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.vl = 2;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, kixx, 4), 0);
    assert_int_equal(naccb_evblok_matches(&e, 0x02, kill_joko, 2), 0);
}

/* KL 20: all twenty bytes count. */
static void test_match_kl_20(void **state)
{
    uint8_t text[20];
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.kl = 20;
    e.il = 28;
    memcpy(text, e.event_key, 20);
    assert_int_equal(naccb_evblok_matches(&e, 0x02, text, 20), 1);
    text[19] = 0xE7;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, text, 20), 0);
    assert_int_equal(naccb_evblok_matches(&e, 0x02, text, 19), 0);
}

/* An unvalidated KL of 0 or 21+ matches nothing (and reads nothing). */
static void test_match_invalid_kl_never_matches(void **state)
{
    uint8_t text[64];
    struct naccb_evblok e = make_evblok();

    (void)state;
    memset(text, 0x40, sizeof text);
    memcpy(text, e.event_key, 20);
    e.kl = 0;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, text, sizeof text), 0);
    e.kl = 21;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, text, sizeof text), 0);
    e.kl = 0xFFFF;
    assert_int_equal(naccb_evblok_matches(&e, 0x02, text, sizeof text), 0);
}

static void test_match_event_type_differs(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(naccb_evblok_matches(&e, NACCB_ET_MESSAGE, kill_joko,
                                          sizeof kill_joko), 0);
    assert_int_equal(naccb_evblok_matches(&e, 0x0102, kill_joko,
                                          sizeof kill_joko), 0);
}

/*
 * The EOJ/EOS trap (§5): info object 05 is EOJ and matches ET 06;
 * object 06 is EOS and matches ET 05.
 */
static void test_match_eoj_eos_trap(void **state)
{
    /* job name "PAYROLL " */
    static const uint8_t job[] = {0xD7, 0xC1, 0xE8, 0xD9,
                                  0xD6, 0xD3, 0xD3, 0x40};
    struct naccb_evblok eoj = make_evblok();
    struct naccb_evblok eos;
    unsigned et_obj05 = naccb_event_type_for_object(0x05);
    unsigned et_obj06 = naccb_event_type_for_object(0x06);

    (void)state;
    assert_int_equal(et_obj05, 0x06);
    assert_int_equal(et_obj06, 0x05);
    memcpy(eoj.event_key, job, 8);
    eoj.kl = 8;
    eoj.event_type = 0x06;
    eos = eoj;
    eos.event_type = 0x05;
    assert_int_equal(naccb_evblok_matches(&eoj, et_obj05, job, 8), 1);
    assert_int_equal(naccb_evblok_matches(&eoj, et_obj06, job, 8), 0);
    assert_int_equal(naccb_evblok_matches(&eos, et_obj06, job, 8), 1);
    assert_int_equal(naccb_evblok_matches(&eos, et_obj05, job, 8), 0);
}

/* --- rule 3: dates, inclusive both ends --------------------------------- */

static void test_match_frame_inside(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 12, 0, 0)), 1); /* Mon */
}

static void test_match_frame_sdate_inclusive(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 1, 2, 12, 0, 0)), 1); /* Tue */
    assert_int_equal(in_frame(&e, at(2024, 1, 1, 12, 0, 0)), 0); /* Mon */
    assert_int_equal(in_frame(&e, at(2023, 6, 5, 12, 0, 0)), 0); /* Mon */
}

/* EDATE is day 366: 2024-12-31 is the last day in, 2025-01-01 is out. */
static void test_match_frame_edate_day_366(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 12, 31, 12, 0, 0)), 1); /* Tue */
    assert_int_equal(in_frame(&e, at(2024, 12, 30, 12, 0, 0)), 1); /* Mon */
    assert_int_equal(in_frame(&e, at(2025, 1, 1, 12, 0, 0)), 0);   /* Wed */
}

/* A frame across New Year: 2024-366 .. 2025-001. */
static void test_match_frame_across_year_end(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.sdate = 0x02024366u;
    e.edate = 0x02025001u;
    assert_int_equal(in_frame(&e, at(2024, 12, 30, 12, 0, 0)), 0); /* Mon */
    assert_int_equal(in_frame(&e, at(2024, 12, 31, 12, 0, 0)), 1); /* Tue */
    assert_int_equal(in_frame(&e, at(2025, 1, 1, 12, 0, 0)), 1);   /* Wed */
    assert_int_equal(in_frame(&e, at(2025, 1, 2, 12, 0, 0)), 0);   /* Thu */
}

/* --- rule 4: times to the second, inclusive both ends ------------------- */

static void test_match_frame_stime_boundary(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 8, 29, 59)), 0);
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 8, 30, 0)), 1);
}

static void test_match_frame_etime_boundary(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 17, 45, 30)), 1);
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 17, 45, 31)), 0);
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 17, 46, 0)), 0);
}

/* 23:59:59 is inside a frame ending 23:59:59 and outside one ending a
 * second earlier; 00:00:00 is inside one starting then. */
static void test_match_frame_23_59_59(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.stime = 0x00000000u;
    e.etime = 0x23595900u;
    assert_int_equal(in_frame(&e, at(2024, 12, 31, 23, 59, 59)), 1);
    assert_int_equal(in_frame(&e, at(2024, 12, 31, 0, 0, 0)), 1);
    e.etime = 0x23595800u;
    assert_int_equal(in_frame(&e, at(2024, 12, 31, 23, 59, 59)), 0);
    assert_int_equal(in_frame(&e, at(2024, 12, 31, 23, 59, 58)), 1);
}

/* --- rule 5: weekday and holiday ---------------------------------------- */

static void test_match_frame_sunday(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 6, 2, 12, 0, 0)), 0); /* Sun */
    e.day_list[0] = 1;
    assert_int_equal(in_frame(&e, at(2024, 6, 2, 12, 0, 0)), 1);
    /* Monday's byte is not Sunday's. */
    e.day_list[1] = 0;
    assert_int_equal(in_frame(&e, at(2024, 6, 2, 12, 0, 0)), 1);
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 12, 0, 0)), 0); /* Mon */
}

static void test_match_frame_saturday(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 6, 8, 12, 0, 0)), 0); /* Sat */
    e.day_list[6] = 1;
    assert_int_equal(in_frame(&e, at(2024, 6, 8, 12, 0, 0)), 1);
}

/* Each weekday byte selects exactly its own day (2024-06-02 is a Sunday). */
static void test_match_frame_each_weekday_byte(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    for (int byte = 0; byte < 7; byte++) {
        memset(e.day_list, 0, 8);
        e.day_list[byte] = 1;
        for (int day = 0; day < 7; day++)
            assert_int_equal(in_frame(&e, at(2024, 6, 2 + day, 12, 0, 0)),
                             day == byte);
    }
}

/* On a holiday only byte 7 counts, even when the weekday byte is 1. */
static void test_match_frame_holiday_weekday_byte_ignored(void **state)
{
    struct one_holiday xmas = {{2024, 12, 25}, 0}; /* Wednesday */
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.day_list[7] = 0;
    assert_int_equal(e.day_list[3], 1);
    assert_int_equal(in_frame_holiday(&e, at(2024, 12, 25, 12, 0, 0), &xmas),
                     0);
    assert_true(xmas.calls > 0);
    /* The day before is no holiday: Tuesday's byte admits it. */
    assert_int_equal(in_frame_holiday(&e, at(2024, 12, 24, 12, 0, 0), &xmas),
                     1);
}

/* Byte 7 = 1 admits a holiday even when its weekday byte is 0. */
static void test_match_frame_holiday_on_sunday(void **state)
{
    struct one_holiday h = {{2024, 12, 29}, 0}; /* Sunday */
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(e.day_list[0], 0);
    assert_int_equal(in_frame_holiday(&e, at(2024, 12, 29, 12, 0, 0), &h), 1);
    e.day_list[7] = 0;
    assert_int_equal(in_frame_holiday(&e, at(2024, 12, 29, 12, 0, 0), &h), 0);
}

/* The holiday still has to be inside the dates and times. */
static void test_match_frame_holiday_outside_time(void **state)
{
    struct one_holiday h = {{2024, 12, 29}, 0};
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame_holiday(&e, at(2024, 12, 29, 8, 29, 59), &h),
                     0);
}

/* A NULL predicate means no holidays: only the weekday bytes count. */
static void test_match_frame_null_holiday_predicate(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    assert_int_equal(in_frame(&e, at(2024, 12, 29, 12, 0, 0)), 0); /* Sun */
    e.day_list[7] = 0;
    assert_int_equal(in_frame(&e, at(2024, 12, 25, 12, 0, 0)), 1); /* Wed */
}

static void test_match_frame_invalid_evblok_dates(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.sdate = 0x0202A002u;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 12, 0, 0)), NACCB_EBCD_DIGIT);
    e = make_evblok();
    e.edate = 0x02023366u;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 12, 0, 0)),
                     NACCB_EDAY_OF_YEAR);
}

static void test_match_frame_invalid_evblok_times(void **state)
{
    struct naccb_evblok e = make_evblok();

    (void)state;
    e.stime = 0x24000000u;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 12, 0, 0)), NACCB_EHOUR);
    e = make_evblok();
    e.etime = 0x17453001u;
    assert_int_equal(in_frame(&e, at(2024, 6, 3, 12, 0, 0)),
                     NACCB_ETIME_FILLER);
}

/* --- rules 1 to 5 together ---------------------------------------------- */

static void test_match_result_values(void **state)
{
    struct naccb_evblok e = make_evblok();
    struct naccb_local_time in = at(2024, 6, 3, 12, 0, 0);   /* Mon */
    struct naccb_local_time out = at(2024, 6, 2, 12, 0, 0);  /* Sun */

    (void)state;
    assert_int_equal(naccb_evblok_match(&e, 0x02, kill_joko, sizeof kill_joko,
                                        &in, NULL, NULL),
                     NACCB_MATCH_IN_FRAME);
    assert_int_equal(naccb_evblok_match(&e, 0x02, kill_joko, sizeof kill_joko,
                                        &out, NULL, NULL),
                     NACCB_MATCH_OUT_OF_FRAME);
    assert_int_equal(naccb_evblok_match(&e, 0x01, kill_joko, sizeof kill_joko,
                                        &in, NULL, NULL),
                     NACCB_NO_MATCH);
    assert_int_equal(naccb_evblok_match(&e, 0x02, kill_joko, 3, &in, NULL,
                                        NULL),
                     NACCB_NO_MATCH);
}

static void test_match_result_holiday(void **state)
{
    struct one_holiday xmas = {{2024, 12, 25}, 0};
    struct naccb_evblok e = make_evblok();
    struct naccb_local_time t = at(2024, 12, 25, 12, 0, 0);

    (void)state;
    e.day_list[7] = 0;
    assert_int_equal(naccb_evblok_match(&e, 0x02, kill_joko, sizeof kill_joko,
                                        &t, is_one_holiday, &xmas),
                     NACCB_MATCH_OUT_OF_FRAME);
    assert_int_equal(naccb_evblok_match(&e, 0x02, kill_joko, sizeof kill_joko,
                                        &t, NULL, NULL),
                     NACCB_MATCH_IN_FRAME);
}

/* A frame that cannot be read never lets an action through. */
static void test_match_result_invalid_frame_is_out(void **state)
{
    struct naccb_evblok e = make_evblok();
    struct naccb_local_time t = at(2024, 6, 3, 12, 0, 0);

    (void)state;
    e.etime = 0x99000000u;
    assert_int_equal(naccb_evblok_match(&e, 0x02, kill_joko, sizeof kill_joko,
                                        &t, NULL, NULL),
                     NACCB_MATCH_OUT_OF_FRAME);
}

/* --- verb substitution -------------------------------------------------- */

static int subst(const uint8_t *action, size_t action_len,
                 const uint8_t *text, size_t text_len, unsigned vl,
                 uint8_t *out, size_t cap)
{
    return naccb_substitute_verb(NACCB_CP_037, action, action_len, text,
                                 text_len, vl, out, cap);
}

/* The seed's example: KILL JOKO, VL 4, CANCEL U=&arg -> CANCEL U=JOKO. */
static void test_match_substitute_seed_example(void **state)
{
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko,
                           sizeof kill_joko, 4, out, sizeof out),
                     sizeof cancel_joko);
    assert_memory_equal(out, cancel_joko, sizeof cancel_joko);
}

static void test_match_substitute_trims_blanks(void **state)
{
    /* "KILL   JOKO  " */
    static const uint8_t text[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40, 0x40, 0x40,
                                   0xD1, 0xD6, 0xD2, 0xD6, 0x40, 0x40};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, text, sizeof text,
                           4, out, sizeof out),
                     sizeof cancel_joko);
    assert_memory_equal(out, cancel_joko, sizeof cancel_joko);
}

/* Blanks inside the argument stay. "KILL JO KO" -> "CANCEL U=JO KO". */
static void test_match_substitute_inner_blank_kept(void **state)
{
    static const uint8_t text[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40,
                                   0xD1, 0xD6, 0x40, 0xD2, 0xD6};
    static const uint8_t want[] = {0xC3, 0xC1, 0xD5, 0xC3, 0xC5,
                                   0xD3, 0x40, 0xE4, 0x7E, 0xD1,
                                   0xD6, 0x40, 0xD2, 0xD6};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, text, sizeof text,
                           4, out, sizeof out),
                     sizeof want);
    assert_memory_equal(out, want, sizeof want);
}

/* "&arg,&arg" -> "JOKO,JOKO" */
static void test_match_substitute_several_args(void **state)
{
    static const uint8_t action[] = {0x50, 0x81, 0x99, 0x87, 0x6B,
                                     0x50, 0x81, 0x99, 0x87};
    static const uint8_t want[] = {0xD1, 0xD6, 0xD2, 0xD6, 0x6B,
                                   0xD1, 0xD6, 0xD2, 0xD6};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(action, sizeof action, kill_joko, sizeof kill_joko,
                           4, out, sizeof out),
                     sizeof want);
    assert_memory_equal(out, want, sizeof want);
}

/* "&&arg" -> "&JOKO"; a trailing "&ar" and "&ARG" are plain text. */
static void test_match_substitute_partial_patterns(void **state)
{
    static const uint8_t action[] = {0x50, 0x50, 0x81, 0x99, 0x87, 0x40,
                                     0x50, 0xC1, 0xD9, 0xC7, 0x40, 0x50,
                                     0x81, 0x99};
    static const uint8_t want[] = {0x50, 0xD1, 0xD6, 0xD2, 0xD6, 0x40, 0x50,
                                   0xC1, 0xD9, 0xC7, 0x40, 0x50, 0x81, 0x99};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(action, sizeof action, kill_joko, sizeof kill_joko,
                           4, out, sizeof out),
                     sizeof want);
    assert_memory_equal(out, want, sizeof want);
}

/* An argument that itself holds "&arg" is not expanded again. */
static void test_match_substitute_no_rescan(void **state)
{
    /* "KILL &arg" */
    static const uint8_t text[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40,
                                   0x50, 0x81, 0x99, 0x87};
    static const uint8_t action[] = {0x50, 0x81, 0x99, 0x87};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(action, 4, text, sizeof text, 4, out, sizeof out),
                     4);
    assert_memory_equal(out, action, 4);
}

/* VL 0: no substitution, the action goes as written, "&arg" included. */
static void test_match_substitute_vl_0(void **state)
{
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko,
                           sizeof kill_joko, 0, out, sizeof out),
                     sizeof cancel_arg);
    assert_memory_equal(out, cancel_arg, sizeof cancel_arg);
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, NULL, 0, 0, out,
                           sizeof out),
                     sizeof cancel_arg);
}

/* The verb split is VL, not KL: VL 2 makes the argument "LL JOKO". */
static void test_match_substitute_vl_shorter_than_key(void **state)
{
    static const uint8_t action[] = {0x50, 0x81, 0x99, 0x87};
    static const uint8_t want[] = {0xD3, 0xD3, 0x40, 0xD1, 0xD6, 0xD2, 0xD6};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(action, 4, kill_joko, sizeof kill_joko, 2, out,
                           sizeof out),
                     sizeof want);
    assert_memory_equal(out, want, sizeof want);
}

/* Text with nothing after the verb: the argument is empty. */
static void test_match_substitute_empty_argument(void **state)
{
    static const uint8_t kill_blanks[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40, 0x40};
    static const uint8_t action[] = {0x50, 0x81, 0x99, 0x87};
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_blanks,
                           sizeof kill_blanks, 4, out, sizeof out),
                     9);
    assert_memory_equal(out, cancel_joko, 9); /* "CANCEL U=" */
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko, 4, 4,
                           out, sizeof out),
                     9);
    /* An action of only "&arg" with no argument leaves nothing to send. */
    assert_int_equal(subst(action, 4, kill_blanks, sizeof kill_blanks, 4, out,
                           sizeof out),
                     NACCB_ETEXT_LENGTH);
}

/* "&arg" followed by n 'X' (E7) bytes; JOKO makes it n + 4 long. */
static size_t long_action(uint8_t *action, size_t n)
{
    action[0] = 0x50;
    action[1] = 0x81;
    action[2] = 0x99;
    action[3] = 0x87;
    memset(action + 4, 0xE7, n);
    return n + 4;
}

static void test_match_substitute_result_128_ok(void **state)
{
    uint8_t action[200], out[NACCB_TEXT_MAX];
    size_t n = long_action(action, 124);

    (void)state;
    assert_int_equal(subst(action, n, kill_joko, sizeof kill_joko, 4, out,
                           sizeof out),
                     128);
    assert_memory_equal(out, kill_joko + 5, 4);
    assert_memory_equal(out + 4, action + 4, 124);
}

static void test_match_substitute_result_129_too_long(void **state)
{
    uint8_t action[200], out[200];
    size_t n = long_action(action, 125);

    (void)state;
    memset(out, 0xAA, sizeof out);
    assert_int_equal(subst(action, n, kill_joko, sizeof kill_joko, 4, out,
                           sizeof out),
                     NACCB_ETEXT_LENGTH);
    assert_int_equal(out[0], 0xAA); /* never truncated, nothing written */
    /* Too long wins over too small a buffer. */
    assert_int_equal(subst(action, n, kill_joko, sizeof kill_joko, 4, out, 4),
                     NACCB_ETEXT_LENGTH);
    /* VL 0 applies the same limit to the action as written. */
    assert_int_equal(subst(action, 129, NULL, 0, 0, out, sizeof out),
                     NACCB_ETEXT_LENGTH);
}

/* Many "&arg" with a long argument: far past 128, no overflow. */
static void test_match_substitute_many_args_too_long(void **state)
{
    uint8_t action[400], text[132], out[NACCB_TEXT_MAX];

    (void)state;
    for (size_t i = 0; i < 100; i++)
        memcpy(action + 4 * i, "\x50\x81\x99\x87", 4);
    memcpy(text, kill_joko, 4);
    memset(text + 4, 0xE7, 128);
    assert_int_equal(subst(action, 400, text, sizeof text, 4, out, sizeof out),
                     NACCB_ETEXT_LENGTH);
}

/* snprintf: too small a buffer gets the length needed, and nothing. */
static void test_match_substitute_cap_too_small(void **state)
{
    uint8_t out[16];

    (void)state;
    memset(out, 0xAA, sizeof out);
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko,
                           sizeof kill_joko, 4, out, 12),
                     13);
    assert_int_equal(out[0], 0xAA);
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko,
                           sizeof kill_joko, 4, out, 13),
                     13);
    assert_memory_equal(out, cancel_joko, 13);
    assert_int_equal(out[13], 0xAA); /* nothing past the result */
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko,
                           sizeof kill_joko, 0, out, 12),
                     13);
}

static void test_match_substitute_cap_exact_128(void **state)
{
    uint8_t action[200], out[NACCB_TEXT_MAX];
    size_t n = long_action(action, 124);

    (void)state;
    assert_int_equal(subst(action, n, kill_joko, sizeof kill_joko, 4, out,
                           127),
                     128);
    assert_int_equal(subst(action, n, kill_joko, sizeof kill_joko, 4, out,
                           128),
                     128);
}

/* out NULL, cap 0 measures: the length of any result, a command too long
 * or empty to send included, counted to its end (the journal reports it). */
static void test_match_substitute_measure(void **state)
{
    static const uint8_t kill_blanks[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40, 0x40};
    uint8_t action[400], text[132];
    size_t n = long_action(action, 125);

    (void)state;
    assert_int_equal(subst(cancel_arg, sizeof cancel_arg, kill_joko,
                           sizeof kill_joko, 4, NULL, 0),
                     13);
    assert_int_equal(subst(action, n, kill_joko, sizeof kill_joko, 4, NULL,
                           0),
                     129);
    assert_int_equal(subst(action, 4, kill_blanks, sizeof kill_blanks, 4,
                           NULL, 0),
                     0);
    assert_int_equal(subst(action, 200, NULL, 0, 0, NULL, 0), 200);
    /* 100 "&arg" of 128 bytes each: 12800, not stopped at 129. */
    for (size_t i = 0; i < 100; i++)
        memcpy(action + 4 * i, "\x50\x81\x99\x87", 4);
    memcpy(text, kill_joko, 4);
    memset(text + 4, 0xE7, 128);
    assert_int_equal(subst(action, 400, text, sizeof text, 4, NULL, 0),
                     12800);
}

/* In the ascii page "&arg" and the blank are ISO-8859-1 bytes. */
static void test_match_substitute_ascii_codepage(void **state)
{
    static const uint8_t text[] = "KILL  JOKO ";
    static const uint8_t action[] = "CANCEL U=&arg";
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(naccb_substitute_verb(NACCB_CP_ASCII, action, 13, text,
                                           11, 4, out, sizeof out),
                     13);
    assert_memory_equal(out, "CANCEL U=JOKO", 13);
    /* The EBCDIC action has no ASCII "&arg" in it. */
    assert_int_equal(naccb_substitute_verb(NACCB_CP_ASCII, cancel_arg,
                                           sizeof cancel_arg, text, 11, 4,
                                           out, sizeof out),
                     sizeof cancel_arg);
    assert_memory_equal(out, cancel_arg, sizeof cancel_arg);
}

static void test_match_substitute_null_arguments(void **state)
{
    uint8_t out[NACCB_TEXT_MAX];

    (void)state;
    assert_int_equal(subst(NULL, 4, kill_joko, 9, 4, out, sizeof out),
                     NACCB_EINVAL);
    assert_int_equal(subst(cancel_arg, 13, NULL, 9, 4, out, sizeof out),
                     NACCB_EINVAL);
    assert_int_equal(subst(cancel_arg, 13, kill_joko, 9, 4, NULL, 128),
                     NACCB_EINVAL);
    assert_int_equal(subst(NULL, 0, kill_joko, 9, 4, out, sizeof out),
                     NACCB_ETEXT_LENGTH);
}

/* struct tm -> the frame rules' local time: months and years shift, and a
 * leap second (tm_sec 60) is second 59. */
static void test_match_local_time_from_tm(void **state)
{
    struct tm tm = {0};
    struct naccb_local_time t;
    (void)state;

    tm.tm_year = 124; /* 2024 */
    tm.tm_mon = 11;   /* December */
    tm.tm_mday = 31;
    tm.tm_hour = 23;
    tm.tm_min = 59;
    tm.tm_sec = 60;
    naccb_local_time_from_tm(&tm, &t);
    assert_int_equal(t.date.year, 2024);
    assert_int_equal(t.date.month, 12);
    assert_int_equal(t.date.day, 31);
    assert_int_equal(t.time.hour, 23);
    assert_int_equal(t.time.minute, 59);
    assert_int_equal(t.time.second, 59);
    tm.tm_sec = 58;
    naccb_local_time_from_tm(&tm, &t);
    assert_int_equal(t.time.second, 58);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_key_and_type),
        cmocka_unit_test(test_match_text_exactly_kl),
        cmocka_unit_test(test_match_text_shorter_than_kl),
        cmocka_unit_test(test_match_bytes_after_kl_ignored),
        cmocka_unit_test(test_match_key_differs),
        cmocka_unit_test(test_match_uses_kl_not_vl),
        cmocka_unit_test(test_match_kl_20),
        cmocka_unit_test(test_match_invalid_kl_never_matches),
        cmocka_unit_test(test_match_event_type_differs),
        cmocka_unit_test(test_match_eoj_eos_trap),
        cmocka_unit_test(test_match_frame_inside),
        cmocka_unit_test(test_match_frame_sdate_inclusive),
        cmocka_unit_test(test_match_frame_edate_day_366),
        cmocka_unit_test(test_match_frame_across_year_end),
        cmocka_unit_test(test_match_frame_stime_boundary),
        cmocka_unit_test(test_match_frame_etime_boundary),
        cmocka_unit_test(test_match_frame_23_59_59),
        cmocka_unit_test(test_match_frame_sunday),
        cmocka_unit_test(test_match_frame_saturday),
        cmocka_unit_test(test_match_frame_each_weekday_byte),
        cmocka_unit_test(test_match_frame_holiday_weekday_byte_ignored),
        cmocka_unit_test(test_match_frame_holiday_on_sunday),
        cmocka_unit_test(test_match_frame_holiday_outside_time),
        cmocka_unit_test(test_match_frame_null_holiday_predicate),
        cmocka_unit_test(test_match_frame_invalid_evblok_dates),
        cmocka_unit_test(test_match_frame_invalid_evblok_times),
        cmocka_unit_test(test_match_result_values),
        cmocka_unit_test(test_match_result_holiday),
        cmocka_unit_test(test_match_result_invalid_frame_is_out),
        cmocka_unit_test(test_match_substitute_seed_example),
        cmocka_unit_test(test_match_substitute_trims_blanks),
        cmocka_unit_test(test_match_substitute_inner_blank_kept),
        cmocka_unit_test(test_match_substitute_several_args),
        cmocka_unit_test(test_match_substitute_partial_patterns),
        cmocka_unit_test(test_match_substitute_no_rescan),
        cmocka_unit_test(test_match_substitute_vl_0),
        cmocka_unit_test(test_match_substitute_vl_shorter_than_key),
        cmocka_unit_test(test_match_substitute_empty_argument),
        cmocka_unit_test(test_match_substitute_result_128_ok),
        cmocka_unit_test(test_match_substitute_result_129_too_long),
        cmocka_unit_test(test_match_substitute_many_args_too_long),
        cmocka_unit_test(test_match_substitute_cap_too_small),
        cmocka_unit_test(test_match_substitute_cap_exact_128),
        cmocka_unit_test(test_match_substitute_measure),
        cmocka_unit_test(test_match_substitute_ascii_codepage),
        cmocka_unit_test(test_match_substitute_null_arguments),
        cmocka_unit_test(test_match_local_time_from_tm),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
