/*
 * test_packed.c - packed decimal without sign zone and the calendar
 * (docs/protocol.md §1 and §8).  Expected values are written by hand
 * from the notes and a wall calendar, never computed by the code under
 * test.  Leap-year and century boundaries each get their own case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "naccb/errors.h"
#include "naccb/packed.h"

/* Decodes a Julian date that must be valid and checks its parts. */
static void assert_julian(uint32_t packed, int want_year, int want_yday)
{
    int year = -1, yday = -1;

    assert_int_equal(naccb_julian_decode(packed, &year, &yday), 0);
    assert_int_equal(year, want_year);
    assert_int_equal(yday, want_yday);
}

static void assert_julian_error(uint32_t packed, int want)
{
    int year = -1, yday = -1;

    assert_int_equal(naccb_julian_decode(packed, &year, &yday), want);
    /* Outputs are written only on success. */
    assert_int_equal(year, -1);
    assert_int_equal(yday, -1);
}

static void assert_date_error(uint32_t packed, int want)
{
    struct naccb_date d = {-1, -1, -1};

    assert_int_equal(naccb_date_decode(packed, &d), want);
    assert_int_equal(d.year, -1);
}

static void assert_time_error(uint32_t packed, int want)
{
    struct naccb_time t = {-1, -1, -1};

    assert_int_equal(naccb_time_decode(packed, &t), want);
    assert_int_equal(t.hour, -1);
}

/* --- BCD ------------------------------------------------------------- */

static void test_packed_bcd_decode_digits(void **state)
{
    uint32_t v = 0;

    (void)state;
    assert_int_equal(naccb_bcd_decode(0x12345678u, &v), 0);
    assert_int_equal(v, 12345678u);
    assert_int_equal(naccb_bcd_decode(0x99999999u, &v), 0);
    assert_int_equal(v, 99999999u);
    assert_int_equal(naccb_bcd_decode(0x00000000u, &v), 0);
    assert_int_equal(v, 0u);
}

/* Every nibble position is checked, the lowest and the highest included. */
static void test_packed_bcd_nibble_above_9(void **state)
{
    uint32_t v = 7;

    (void)state;
    for (int shift = 0; shift < 32; shift += 4) {
        assert_int_equal(naccb_bcd_decode(0xAu << shift, &v),
                         NACCB_EBCD_DIGIT);
        assert_int_equal(naccb_bcd_decode(0xFu << shift, &v),
                         NACCB_EBCD_DIGIT);
    }
    assert_int_equal(v, 7u);
}

static void test_packed_bcd_encode(void **state)
{
    (void)state;
    assert_int_equal(naccb_bcd_encode(12345678u), 0x12345678u);
    assert_int_equal(naccb_bcd_encode(99999999u), 0x99999999u);
    assert_int_equal(naccb_bcd_encode(2026325u), 0x02026325u);
    assert_int_equal(naccb_bcd_encode(0u), 0u);
}

/* --- leap years ------------------------------------------------------ */

static void test_packed_leap_years(void **state)
{
    (void)state;
    assert_true(naccb_is_leap_year(2000));
    assert_true(naccb_is_leap_year(2024));
    assert_true(naccb_is_leap_year(2400));
    assert_false(naccb_is_leap_year(1900));
    assert_false(naccb_is_leap_year(2100));
    assert_false(naccb_is_leap_year(2023));
    assert_false(naccb_is_leap_year(9999));
    assert_int_equal(naccb_days_in_year(2024), 366);
    assert_int_equal(naccb_days_in_year(2100), 365);
}

static void test_packed_days_in_month(void **state)
{
    (void)state;
    assert_int_equal(naccb_days_in_month(2024, 2), 29);
    assert_int_equal(naccb_days_in_month(2000, 2), 29);
    assert_int_equal(naccb_days_in_month(1900, 2), 28);
    assert_int_equal(naccb_days_in_month(2100, 2), 28);
    assert_int_equal(naccb_days_in_month(2023, 2), 28);
    assert_int_equal(naccb_days_in_month(2026, 1), 31);
    assert_int_equal(naccb_days_in_month(2026, 4), 30);
    assert_int_equal(naccb_days_in_month(2026, 11), 30);
    assert_int_equal(naccb_days_in_month(2026, 12), 31);
    assert_int_equal(naccb_days_in_month(2026, 0), 0);
    assert_int_equal(naccb_days_in_month(2026, 13), 0);
}

/* --- Julian 0YYYYDDD -------------------------------------------------- */

/* The notes' example: 2026-11-21 is day 325. */
static void test_packed_julian_example(void **state)
{
    (void)state;
    assert_julian(0x02026325u, 2026, 325);
    assert_int_equal(naccb_julian_encode(2026, 325), 0x02026325u);
}

static void test_packed_julian_2000_day_366_valid(void **state)
{
    (void)state;
    assert_julian(0x02000366u, 2000, 366);
}

static void test_packed_julian_2100_day_366_invalid(void **state)
{
    (void)state;
    assert_julian(0x02100365u, 2100, 365);
    assert_julian_error(0x02100366u, NACCB_EDAY_OF_YEAR);
}

static void test_packed_julian_1900_day_366_invalid(void **state)
{
    (void)state;
    assert_julian_error(0x01900366u, NACCB_EDAY_OF_YEAR);
}

static void test_packed_julian_2024_day_366_valid(void **state)
{
    (void)state;
    assert_julian(0x02024366u, 2024, 366);
    assert_julian_error(0x02024367u, NACCB_EDAY_OF_YEAR);
    assert_julian_error(0x02023366u, NACCB_EDAY_OF_YEAR);
}

static void test_packed_julian_day_000_invalid(void **state)
{
    (void)state;
    assert_julian_error(0x02026000u, NACCB_EDAY_OF_YEAR);
}

static void test_packed_julian_year_1899_invalid(void **state)
{
    (void)state;
    assert_julian_error(0x01899365u, NACCB_EYEAR);
    assert_julian_error(0x00000001u, NACCB_EYEAR);
}

static void test_packed_julian_first_day_1900_valid(void **state)
{
    (void)state;
    assert_julian(0x01900001u, 1900, 1);
}

static void test_packed_julian_9999_day_365_valid(void **state)
{
    (void)state;
    assert_julian(0x09999365u, 9999, 365);
    assert_julian_error(0x09999366u, NACCB_EDAY_OF_YEAR);
}

static void test_packed_julian_bcd_digit(void **state)
{
    (void)state;
    assert_julian_error(0x0202A325u, NACCB_EBCD_DIGIT);
    assert_julian_error(0x0202632Fu, NACCB_EBCD_DIGIT);
}

/* The leading zone nibble must be 0 even when the rest is a good date. */
static void test_packed_julian_bcd_zone(void **state)
{
    (void)state;
    assert_julian_error(0x12026325u, NACCB_EBCD_ZONE);
    assert_julian_error(0x92026325u, NACCB_EBCD_ZONE);
}

static void test_packed_julian_encode(void **state)
{
    (void)state;
    assert_int_equal(naccb_julian_encode(1900, 1), 0x01900001u);
    assert_int_equal(naccb_julian_encode(9999, 365), 0x09999365u);
    assert_int_equal(naccb_julian_encode(2024, 60), 0x02024060u);
}

/* --- calendar YYYYMMDD ------------------------------------------------ */

static void test_packed_date_example(void **state)
{
    struct naccb_date d = {0, 0, 0};
    const struct naccb_date want = {2026, 11, 21};

    (void)state;
    assert_int_equal(naccb_date_decode(0x20261121u, &d), 0);
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.month, 11);
    assert_int_equal(d.day, 21);
    assert_int_equal(naccb_date_encode(&want), 0x20261121u);
}

static void test_packed_date_2024_02_29_valid(void **state)
{
    struct naccb_date d = {0, 0, 0};

    (void)state;
    assert_int_equal(naccb_date_decode(0x20240229u, &d), 0);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.day, 29);
}

static void test_packed_date_2023_02_29_invalid(void **state)
{
    (void)state;
    assert_date_error(0x20230229u, NACCB_EDAY_OF_MONTH);
    assert_date_error(0x19000229u, NACCB_EDAY_OF_MONTH);
}

static void test_packed_date_limits(void **state)
{
    struct naccb_date d = {0, 0, 0};

    (void)state;
    assert_int_equal(naccb_date_decode(0x19000101u, &d), 0);
    assert_int_equal(d.year, 1900);
    assert_int_equal(naccb_date_decode(0x99991231u, &d), 0);
    assert_int_equal(d.year, 9999);
    assert_int_equal(d.month, 12);
    assert_int_equal(d.day, 31);
}

static void test_packed_date_bcd_digit(void **state)
{
    (void)state;
    assert_date_error(0x2026112Au, NACCB_EBCD_DIGIT);
    assert_date_error(0xA0261121u, NACCB_EBCD_DIGIT);
}

static void test_packed_date_year(void **state)
{
    (void)state;
    assert_date_error(0x18991231u, NACCB_EYEAR);
}

static void test_packed_date_month(void **state)
{
    (void)state;
    assert_date_error(0x20261321u, NACCB_EMONTH);
    assert_date_error(0x20260021u, NACCB_EMONTH);
}

static void test_packed_date_day_of_month(void **state)
{
    (void)state;
    assert_date_error(0x20261131u, NACCB_EDAY_OF_MONTH);
    assert_date_error(0x20261100u, NACCB_EDAY_OF_MONTH);
    assert_date_error(0x20260132u, NACCB_EDAY_OF_MONTH);
}

/* --- time HHMMSS00 ---------------------------------------------------- */

/* The notes' example: 08:30:00 = 0x08300000 = 30600 seconds. */
static void test_packed_time_example(void **state)
{
    struct naccb_time t = {-1, -1, -1};
    const struct naccb_time want = {8, 30, 0};

    (void)state;
    assert_int_equal(naccb_time_decode(0x08300000u, &t), 0);
    assert_int_equal(t.hour, 8);
    assert_int_equal(t.minute, 30);
    assert_int_equal(t.second, 0);
    assert_int_equal(naccb_time_seconds(&t), 30600u);
    assert_int_equal(naccb_time_encode(&want), 0x08300000u);
}

static void test_packed_time_23_59_59(void **state)
{
    struct naccb_time t = {-1, -1, -1};
    const struct naccb_time want = {23, 59, 59};

    (void)state;
    assert_int_equal(naccb_time_decode(0x23595900u, &t), 0);
    assert_int_equal(t.hour, 23);
    assert_int_equal(t.minute, 59);
    assert_int_equal(t.second, 59);
    assert_int_equal(naccb_time_seconds(&t), 86399u);
    assert_int_equal(naccb_time_encode(&want), 0x23595900u);
}

static void test_packed_time_midnight(void **state)
{
    struct naccb_time t = {-1, -1, -1};

    (void)state;
    assert_int_equal(naccb_time_decode(0x00000000u, &t), 0);
    assert_int_equal(naccb_time_seconds(&t), 0u);
}

static void test_packed_time_seconds_mixed(void **state)
{
    const struct naccb_time t = {12, 34, 56};

    (void)state;
    assert_int_equal(naccb_time_seconds(&t), 45296u);
    assert_int_equal(naccb_time_encode(&t), 0x12345600u);
}

static void test_packed_time_bcd_digit(void **state)
{
    (void)state;
    assert_time_error(0x08A00000u, NACCB_EBCD_DIGIT);
}

static void test_packed_time_hour(void **state)
{
    (void)state;
    assert_time_error(0x24000000u, NACCB_EHOUR);
}

static void test_packed_time_minute(void **state)
{
    (void)state;
    assert_time_error(0x08600000u, NACCB_EMINUTE);
}

static void test_packed_time_second(void **state)
{
    (void)state;
    assert_time_error(0x08306000u, NACCB_ESECOND);
}

static void test_packed_time_filler(void **state)
{
    (void)state;
    assert_time_error(0x08300001u, NACCB_ETIME_FILLER);
    assert_time_error(0x08300090u, NACCB_ETIME_FILLER);
}

/* --- Julian <-> calendar ---------------------------------------------- */

static void assert_julian_to_date(int year, int yday, int month, int day)
{
    struct naccb_date d = {0, 0, 0};

    assert_int_equal(naccb_julian_to_date(year, yday, &d), 0);
    assert_int_equal(d.year, year);
    assert_int_equal(d.month, month);
    assert_int_equal(d.day, day);
}

static void assert_date_to_julian(int year, int month, int day, int want)
{
    const struct naccb_date d = {year, month, day};
    int yday = -1;

    assert_int_equal(naccb_date_to_julian(&d, &yday), 0);
    assert_int_equal(yday, want);
}

static void test_packed_julian_to_date(void **state)
{
    (void)state;
    assert_julian_to_date(2026, 325, 11, 21);
    assert_julian_to_date(2026, 1, 1, 1);
    assert_julian_to_date(2026, 32, 2, 1);
    assert_julian_to_date(2024, 60, 2, 29);
    assert_julian_to_date(2023, 60, 3, 1);
    assert_julian_to_date(2100, 60, 3, 1);
    assert_julian_to_date(2000, 366, 12, 31);
    assert_julian_to_date(9999, 365, 12, 31);
}

static void test_packed_2024_12_31_is_day_366(void **state)
{
    (void)state;
    assert_julian_to_date(2024, 366, 12, 31);
    assert_date_to_julian(2024, 12, 31, 366);
    assert_date_to_julian(2023, 12, 31, 365);
}

static void test_packed_date_to_julian(void **state)
{
    (void)state;
    assert_date_to_julian(2026, 11, 21, 325);
    assert_date_to_julian(2024, 3, 1, 61);
    assert_date_to_julian(2100, 3, 1, 60);
    assert_date_to_julian(1900, 1, 1, 1);
}

static void test_packed_julian_date_errors(void **state)
{
    struct naccb_date d = {0, 0, 0};
    struct naccb_date bad;
    int yday = -1;

    (void)state;
    assert_int_equal(naccb_julian_to_date(2100, 366, &d), NACCB_EDAY_OF_YEAR);
    assert_int_equal(naccb_julian_to_date(2026, 0, &d), NACCB_EDAY_OF_YEAR);
    assert_int_equal(naccb_julian_to_date(1899, 1, &d), NACCB_EYEAR);
    assert_int_equal(naccb_julian_to_date(10000, 1, &d), NACCB_EYEAR);
    bad = (struct naccb_date){2023, 2, 29};
    assert_int_equal(naccb_date_to_julian(&bad, &yday), NACCB_EDAY_OF_MONTH);
    bad = (struct naccb_date){2026, 13, 1};
    assert_int_equal(naccb_date_to_julian(&bad, &yday), NACCB_EMONTH);
    bad = (struct naccb_date){1899, 12, 31};
    assert_int_equal(naccb_date_to_julian(&bad, &yday), NACCB_EYEAR);
    assert_int_equal(yday, -1);
}

/*
 * Every day from 1900-001 to 9999-365 converts to a calendar date and
 * back, and each is the calendar day after the one before: catches a
 * month-length or leap-year slip anywhere in the range.
 */
static void test_packed_julian_round_trip_all_days(void **state)
{
    struct naccb_date prev = {1899, 12, 31};

    (void)state;
    for (int year = 1900; year <= 9999; year++) {
        for (int yday = 1; yday <= naccb_days_in_year(year); yday++) {
            struct naccb_date d;
            int back = 0;
            assert_int_equal(naccb_julian_to_date(year, yday, &d), 0);
            if (d.day == 1)
                assert_true(d.month == prev.month % 12 + 1);
            else
                assert_true(d.month == prev.month && d.day == prev.day + 1);
            assert_int_equal(naccb_date_to_julian(&d, &back), 0);
            assert_int_equal(back, yday);
            prev = d;
        }
    }
    assert_int_equal(prev.month, 12);
    assert_int_equal(prev.day, 31);
}

/* --- weekday ---------------------------------------------------------- */

static int weekday_of(int year, int month, int day)
{
    const struct naccb_date d = {year, month, day};

    return naccb_weekday(&d);
}

static void test_packed_weekday_known_dates(void **state)
{
    (void)state;
    assert_int_equal(weekday_of(2026, 11, 21), 6); /* Saturday (the notes) */
    assert_int_equal(weekday_of(1900, 1, 1), 1);   /* Monday */
    assert_int_equal(weekday_of(2000, 1, 1), 6);   /* Saturday */
    assert_int_equal(weekday_of(2000, 2, 29), 2);  /* Tuesday */
    assert_int_equal(weekday_of(2024, 2, 29), 4);  /* Thursday */
    assert_int_equal(weekday_of(2024, 12, 31), 2); /* Tuesday */
    assert_int_equal(weekday_of(2026, 11, 22), 0); /* Sunday */
    assert_int_equal(weekday_of(2100, 3, 1), 1);   /* Monday */
    assert_int_equal(weekday_of(9999, 12, 31), 5); /* Friday */
}

/* Consecutive days step the weekday by one across the whole range. */
static void test_packed_weekday_steps_daily(void **state)
{
    int expect = 1; /* 1900-01-01 was a Monday */

    (void)state;
    for (int year = 1900; year <= 9999; year++) {
        for (int yday = 1; yday <= naccb_days_in_year(year); yday++) {
            struct naccb_date d;
            assert_int_equal(naccb_julian_to_date(year, yday, &d), 0);
            assert_int_equal(naccb_weekday(&d), expect);
            expect = (expect + 1) % 7;
        }
    }
}

static void test_packed_weekday_invalid_date(void **state)
{
    (void)state;
    assert_int_equal(weekday_of(2026, 13, 1), NACCB_EMONTH);
    assert_int_equal(weekday_of(2026, 0, 1), NACCB_EMONTH);
    assert_int_equal(weekday_of(2023, 2, 29), NACCB_EDAY_OF_MONTH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packed_bcd_decode_digits),
        cmocka_unit_test(test_packed_bcd_nibble_above_9),
        cmocka_unit_test(test_packed_bcd_encode),
        cmocka_unit_test(test_packed_leap_years),
        cmocka_unit_test(test_packed_days_in_month),
        cmocka_unit_test(test_packed_julian_example),
        cmocka_unit_test(test_packed_julian_2000_day_366_valid),
        cmocka_unit_test(test_packed_julian_2100_day_366_invalid),
        cmocka_unit_test(test_packed_julian_1900_day_366_invalid),
        cmocka_unit_test(test_packed_julian_2024_day_366_valid),
        cmocka_unit_test(test_packed_julian_day_000_invalid),
        cmocka_unit_test(test_packed_julian_year_1899_invalid),
        cmocka_unit_test(test_packed_julian_first_day_1900_valid),
        cmocka_unit_test(test_packed_julian_9999_day_365_valid),
        cmocka_unit_test(test_packed_julian_bcd_digit),
        cmocka_unit_test(test_packed_julian_bcd_zone),
        cmocka_unit_test(test_packed_julian_encode),
        cmocka_unit_test(test_packed_date_example),
        cmocka_unit_test(test_packed_date_2024_02_29_valid),
        cmocka_unit_test(test_packed_date_2023_02_29_invalid),
        cmocka_unit_test(test_packed_date_limits),
        cmocka_unit_test(test_packed_date_bcd_digit),
        cmocka_unit_test(test_packed_date_year),
        cmocka_unit_test(test_packed_date_month),
        cmocka_unit_test(test_packed_date_day_of_month),
        cmocka_unit_test(test_packed_time_example),
        cmocka_unit_test(test_packed_time_23_59_59),
        cmocka_unit_test(test_packed_time_midnight),
        cmocka_unit_test(test_packed_time_seconds_mixed),
        cmocka_unit_test(test_packed_time_bcd_digit),
        cmocka_unit_test(test_packed_time_hour),
        cmocka_unit_test(test_packed_time_minute),
        cmocka_unit_test(test_packed_time_second),
        cmocka_unit_test(test_packed_time_filler),
        cmocka_unit_test(test_packed_julian_to_date),
        cmocka_unit_test(test_packed_2024_12_31_is_day_366),
        cmocka_unit_test(test_packed_date_to_julian),
        cmocka_unit_test(test_packed_julian_date_errors),
        cmocka_unit_test(test_packed_julian_round_trip_all_days),
        cmocka_unit_test(test_packed_weekday_known_dates),
        cmocka_unit_test(test_packed_weekday_steps_daily),
        cmocka_unit_test(test_packed_weekday_invalid_date),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
