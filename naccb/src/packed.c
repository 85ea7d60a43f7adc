/*
 * packed.c - packed decimal without sign zone (plain BCD) and the Gregorian
 * calendar behind the EVBLOK's dates and times (docs/protocol.md §1
 * and 7): Julian 0YYYYDDD, calendar YYYYMMDD and time HHMMSS00.
 *
 * Every decoder checks the BCD nibbles of the whole fullword first, then the
 * fields from the most significant one down, so a value with several faults
 * reports the leftmost one.  Outputs are written only on success.
 */
#include "naccb/packed.h"

#include "naccb/errors.h"

#define YEAR_MIN 1900
#define YEAR_MAX 9999

int naccb_bcd_decode(uint32_t packed, uint32_t *value)
{
    uint32_t v = 0;

    for (int shift = 28; shift >= 0; shift -= 4) {
        uint32_t nibble = (packed >> shift) & 0xFu;
        if (nibble > 9)
            return NACCB_EBCD_DIGIT;
        v = v * 10 + nibble;
    }
    *value = v;
    return 0;
}

uint32_t naccb_bcd_encode(uint32_t value)
{
    uint32_t packed = 0;

    /* Eight digits fill the fullword; higher digits of value are dropped. */
    for (int shift = 0; shift < 32; shift += 4) {
        packed |= (value % 10) << shift;
        value /= 10;
    }
    return packed;
}

int naccb_is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int naccb_days_in_year(int year)
{
    return naccb_is_leap_year(year) ? 366 : 365;
}

/* 0 for a month outside 1..12, so a caller's range check fails safely. */
int naccb_days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};

    if (month < 1 || month > 12)
        return 0;
    if (month == 2 && naccb_is_leap_year(year))
        return 29;
    return days[month - 1];
}

static int check_year(int year)
{
    return year < YEAR_MIN || year > YEAR_MAX ? NACCB_EYEAR : 0;
}

static int check_yday(int year, int yday)
{
    int rc = check_year(year);

    if (rc == 0 && (yday < 1 || yday > naccb_days_in_year(year)))
        rc = NACCB_EDAY_OF_YEAR;
    return rc;
}

static int check_date(const struct naccb_date *d)
{
    int rc = check_year(d->year);

    if (rc == 0 && (d->month < 1 || d->month > 12))
        rc = NACCB_EMONTH;
    if (rc == 0 && (d->day < 1 || d->day > naccb_days_in_month(d->year,
                                                                d->month)))
        rc = NACCB_EDAY_OF_MONTH;
    return rc;
}

int naccb_julian_decode(uint32_t packed, int *year, int *yday)
{
    uint32_t v;
    int rc = naccb_bcd_decode(packed, &v);

    if (rc != 0)
        return rc;
    /* 0YYYYDDD: the leading nibble is the zone, always 0 (§8). */
    if (v > 9999999u)
        return NACCB_EBCD_ZONE;
    rc = check_yday((int)(v / 1000), (int)(v % 1000));
    if (rc != 0)
        return rc;
    *year = (int)(v / 1000);
    *yday = (int)(v % 1000);
    return 0;
}

uint32_t naccb_julian_encode(int year, int yday)
{
    /* Unsigned arithmetic: out-of-range input gives a defined, wrong value
     * instead of undefined behaviour. */
    return naccb_bcd_encode((uint32_t)year % 10000u * 1000u +
                            (uint32_t)yday % 1000u);
}

int naccb_date_decode(uint32_t packed, struct naccb_date *out)
{
    uint32_t v;
    struct naccb_date d;
    int rc = naccb_bcd_decode(packed, &v);

    if (rc != 0)
        return rc;
    d.year = (int)(v / 10000);
    d.month = (int)(v / 100 % 100);
    d.day = (int)(v % 100);
    rc = check_date(&d);
    if (rc == 0)
        *out = d;
    return rc;
}

uint32_t naccb_date_encode(const struct naccb_date *d)
{
    return naccb_bcd_encode((uint32_t)d->year % 10000u * 10000u +
                            (uint32_t)d->month % 100u * 100u +
                            (uint32_t)d->day % 100u);
}

int naccb_time_decode(uint32_t packed, struct naccb_time *out)
{
    uint32_t v;
    struct naccb_time t;
    int rc = naccb_bcd_decode(packed, &v);

    if (rc != 0)
        return rc;
    t.hour = (int)(v / 1000000);
    t.minute = (int)(v / 10000 % 100);
    t.second = (int)(v / 100 % 100);
    if (t.hour > 23)
        return NACCB_EHOUR;
    if (t.minute > 59)
        return NACCB_EMINUTE;
    if (t.second > 59)
        return NACCB_ESECOND;
    if (v % 100 != 0) /* HHMMSS00: the last byte is a 00 filler */
        return NACCB_ETIME_FILLER;
    *out = t;
    return 0;
}

uint32_t naccb_time_encode(const struct naccb_time *t)
{
    return naccb_bcd_encode((uint32_t)t->hour % 100u * 1000000u +
                            (uint32_t)t->minute % 100u * 10000u +
                            (uint32_t)t->second % 100u * 100u);
}

uint32_t naccb_time_seconds(const struct naccb_time *t)
{
    return (uint32_t)t->hour * 3600u + (uint32_t)t->minute * 60u +
           (uint32_t)t->second;
}

int naccb_julian_to_date(int year, int yday, struct naccb_date *out)
{
    int rc = check_yday(year, yday);
    int month = 1;

    if (rc != 0)
        return rc;
    while (yday > naccb_days_in_month(year, month)) {
        yday -= naccb_days_in_month(year, month);
        month++;
    }
    out->year = year;
    out->month = month;
    out->day = yday;
    return 0;
}

int naccb_date_to_julian(const struct naccb_date *d, int *yday)
{
    int rc = check_date(d);
    int days = d->day;

    if (rc != 0)
        return rc;
    for (int m = 1; m < d->month; m++)
        days += naccb_days_in_month(d->year, m);
    *yday = days;
    return 0;
}

/*
 * Sakamoto's method (Gregorian).  An invalid date returns its negative
 * error code rather than reading outside the month table.
 */
int naccb_weekday(const struct naccb_date *d)
{
    static const int offset[12] = {0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4};
    int rc = check_date(d);
    int y = d->year;

    if (rc != 0)
        return rc;
    if (d->month < 3)
        y--;
    return (y + y / 4 - y / 100 + y / 400 + offset[d->month - 1] + d->day) %
           7;
}
