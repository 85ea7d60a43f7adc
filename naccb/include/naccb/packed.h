/*
 * naccb/packed.h - packed decimal without sign, and the calendar.
 *
 * "Packed decimal without sign zone" is plain BCD, one digit per nibble,
 * no sign nibble (docs/protocol.md §1).  The wire forms used:
 *   Julian date    0YYYYDDD  e.g. 2026-11-21 = 0x02026325
 *   calendar date  YYYYMMDD  e.g.              0x20261121
 *   time of day    HHMMSS00  e.g. 08:30:00   = 0x08300000
 * Valid ranges: year 1900..9999, day of year 001..365 (366 in leap years),
 * month 01..12, day within its month, HH 00..23, MM and SS 00..59, the last
 * byte of a time 00.  Gregorian leap years throughout.
 */
#ifndef NACCB_PACKED_H
#define NACCB_PACKED_H

#include <stdint.h>

#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naccb_date {
    int year;  /* 1900..9999 */
    int month; /* 1..12 */
    int day;   /* 1..31 */
};

struct naccb_time {
    int hour;   /* 0..23 */
    int minute; /* 0..59 */
    int second; /* 0..59 */
};

/* The 8 nibbles of a fullword as a decimal number; NACCB_EBCD_DIGIT when a
 * nibble is above 9.  0 on success. */
NACCB_API int naccb_bcd_decode(uint32_t packed, uint32_t *value);

/* value (0..99999999) as 8 BCD nibbles. */
NACCB_API uint32_t naccb_bcd_encode(uint32_t value);

NACCB_API int naccb_is_leap_year(int year);
NACCB_API int naccb_days_in_year(int year);
NACCB_API int naccb_days_in_month(int year, int month);

/* 0YYYYDDD -> year and day of year.  Errors: NACCB_EBCD_DIGIT,
 * NACCB_EBCD_ZONE (first nibble not 0), NACCB_EYEAR, NACCB_EDAY_OF_YEAR. */
NACCB_API int naccb_julian_decode(uint32_t packed, int *year, int *yday);
/* Encodes without checking ranges (year 0..9999, yday 0..999). */
NACCB_API uint32_t naccb_julian_encode(int year, int yday);

/* YYYYMMDD.  Errors: NACCB_EBCD_DIGIT, NACCB_EYEAR, NACCB_EMONTH,
 * NACCB_EDAY_OF_MONTH. */
NACCB_API int naccb_date_decode(uint32_t packed, struct naccb_date *out);
NACCB_API uint32_t naccb_date_encode(const struct naccb_date *d);

/* HHMMSS00.  Errors: NACCB_EBCD_DIGIT, NACCB_EHOUR, NACCB_EMINUTE,
 * NACCB_ESECOND, NACCB_ETIME_FILLER. */
NACCB_API int naccb_time_decode(uint32_t packed, struct naccb_time *out);
NACCB_API uint32_t naccb_time_encode(const struct naccb_time *t);

/* Seconds since 00:00:00 (the STSEC/ETSEC form). */
NACCB_API uint32_t naccb_time_seconds(const struct naccb_time *t);

/* Julian <-> calendar.  Errors: NACCB_EYEAR, NACCB_EDAY_OF_YEAR,
 * NACCB_EMONTH, NACCB_EDAY_OF_MONTH. */
NACCB_API int naccb_julian_to_date(int year, int yday, struct naccb_date *out);
NACCB_API int naccb_date_to_julian(const struct naccb_date *d, int *yday);

/* Day of the week, 0 = Sunday .. 6 = Saturday; a negative packed error
 * (NACCB_EYEAR, NACCB_EMONTH, NACCB_EDAY_OF_MONTH) for an invalid date. */
NACCB_API int naccb_weekday(const struct naccb_date *d);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_PACKED_H */
