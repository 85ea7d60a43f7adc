/*
 * match.c - does an event match an EVBLOK, is it inside the EVBLOK's time
 * frame, and verb substitution into an EMS action (docs/protocol.md
 * §8, "Matching and the time frame" and "Verb substitution").
 *
 * Pure functions: the caller supplies the local time and the holiday
 * calendar, so the server and an agent share exactly one implementation.
 */
#include "naccb/match.h"

#include <limits.h>

#include <string.h>

#include "naccb/codes.h"
#include "naccb/errors.h"

int naccb_evblok_matches(const struct naccb_evblok *e, unsigned event_type,
                         const uint8_t *text, size_t text_len)
{
    /* Rule 1 always uses KL (VL only splits verb from argument).  A KL
     * outside 1..20 comes from an unvalidated EVBLOK: it matches nothing
     * rather than reading past the key field. */
    if (e->kl < 1 || e->kl > NACCB_KEY_SIZE || text_len < e->kl)
        return 0;
    if (memcmp(text, e->event_key, e->kl) != 0)
        return 0;
    return event_type == e->event_type; /* rule 2 */
}

/* Rule 3: SDATE <= date <= EDATE, both ends inclusive. */
static int date_in_frame(const struct naccb_evblok *e,
                         const struct naccb_date *date)
{
    int syear, sday, eyear, eday, yday;
    int rc = naccb_julian_decode(e->sdate, &syear, &sday);

    if (rc == 0)
        rc = naccb_julian_decode(e->edate, &eyear, &eday);
    if (rc == 0)
        rc = naccb_date_to_julian(date, &yday);
    if (rc != 0)
        return rc;
    long now = (long)date->year * 1000 + yday;
    return now >= (long)syear * 1000 + sday && now <= (long)eyear * 1000 + eday;
}

static int check_time(const struct naccb_time *t)
{
    if (t->hour < 0 || t->hour > 23)
        return NACCB_EHOUR;
    if (t->minute < 0 || t->minute > 59)
        return NACCB_EMINUTE;
    if (t->second < 0 || t->second > 59)
        return NACCB_ESECOND;
    return 0;
}

/* Rule 4: STIME <= time <= ETIME, to the second, both ends inclusive. */
static int time_in_frame(const struct naccb_evblok *e,
                         const struct naccb_time *time)
{
    struct naccb_time start, end;
    int rc = naccb_time_decode(e->stime, &start);

    if (rc == 0)
        rc = naccb_time_decode(e->etime, &end);
    if (rc == 0)
        rc = check_time(time);
    if (rc != 0)
        return rc;
    uint32_t now = naccb_time_seconds(time);
    return now >= naccb_time_seconds(&start) &&
           now <= naccb_time_seconds(&end);
}

/* Rule 5: on a holiday only byte 7 counts (decision in §8), else
 * the weekday's byte.  No predicate means no holidays. */
static int day_in_frame(const struct naccb_evblok *e,
                        const struct naccb_date *date,
                        naccb_holiday_fn is_holiday, void *ctx)
{
    int wday = naccb_weekday(date);

    if (wday < 0)
        return wday;
    if (is_holiday != NULL && is_holiday(ctx, date))
        return e->day_list[7] == 1;
    return e->day_list[wday] == 1;
}

int naccb_evblok_in_frame(const struct naccb_evblok *e,
                          const struct naccb_local_time *t,
                          naccb_holiday_fn is_holiday, void *ctx)
{
    int rc = date_in_frame(e, &t->date);

    if (rc == 1)
        rc = time_in_frame(e, &t->time);
    if (rc == 1)
        rc = day_in_frame(e, &t->date, is_holiday, ctx);
    return rc;
}

/* An EVBLOK whose frame cannot be read is treated as out of frame: the
 * event did match, but no action may follow from it. */
enum naccb_match_result naccb_evblok_match(
    const struct naccb_evblok *e, unsigned event_type, const uint8_t *text,
    size_t text_len, const struct naccb_local_time *t,
    naccb_holiday_fn is_holiday, void *ctx)
{
    if (!naccb_evblok_matches(e, event_type, text, text_len))
        return NACCB_NO_MATCH;
    if (naccb_evblok_in_frame(e, t, is_holiday, ctx) == 1)
        return NACCB_MATCH_IN_FRAME;
    return NACCB_MATCH_OUT_OF_FRAME;
}

/* A run of wire bytes. */
struct piece {
    const uint8_t *bytes;
    size_t len;
};

/* The argument: text after its first vl bytes, blanks trimmed both ends.
 * A text shorter than vl has an empty argument. */
static struct piece find_argument(enum naccb_codepage cp, const uint8_t *text,
                                  size_t text_len, unsigned vl)
{
    uint8_t blank = naccb_ebcdic_blank(cp);
    size_t start = vl < text_len ? vl : text_len;
    size_t end = text_len;
    struct piece arg = {NULL, 0};

    while (start < end && text[start] == blank)
        start++;
    while (end > start && text[end - 1] == blank)
        end--;
    if (end > start)
        arg = (struct piece){text + start, end - start};
    return arg;
}

/*
 * Walks the action once, replacing each "&arg" (what was put in is not
 * rescanned).  Writes to out only when out is non-NULL (the caller has
 * checked the length against cap); returns the full length, so that a
 * caller can report how long a refused command would have been.  The count
 * stops once it is past INT_MAX (the length is returned as an int).
 */
static size_t substitute(const uint8_t pattern[4], struct piece action,
                         struct piece arg, uint8_t *out)
{
    size_t len = 0;
    size_t i = 0;

    while (i < action.len && len <= INT_MAX) {
        struct piece p = {action.bytes + i, 1};
        if (action.len - i >= 4 && memcmp(p.bytes, pattern, 4) == 0) {
            p = arg;
            i += 4;
        } else {
            i++;
        }
        if (out != NULL && p.len > 0)
            memcpy(out + len, p.bytes, p.len);
        len += p.len;
    }
    return len;
}

/* "&arg" as the code page writes it. */
static void arg_pattern(enum naccb_codepage cp, uint8_t pattern[4])
{
    static const uint8_t latin1[4] = {'&', 'a', 'r', 'g'};

    for (size_t i = 0; i < 4; i++)
        pattern[i] = naccb_ebcdic_from_latin1(cp, latin1[i]);
}

int naccb_substitute_verb(enum naccb_codepage cp, const uint8_t *action,
                          size_t action_len, const uint8_t *text,
                          size_t text_len, unsigned vl, uint8_t *out,
                          size_t cap)
{
    struct piece act = {action, action_len};
    struct piece arg = {NULL, 0};
    uint8_t pattern[4];
    size_t len = action_len; /* vl 0: the action goes as written */

    if ((action == NULL && action_len > 0) || (text == NULL && text_len > 0) ||
        (out == NULL && cap > 0))
        return NACCB_EINVAL;
    arg_pattern(cp, pattern);
    if (vl > 0) {
        arg = find_argument(cp, text, text_len, vl);
        len = substitute(pattern, act, arg, NULL);
    }
    if (len > INT_MAX)
        return NACCB_ETEXT_LENGTH;
    if (out == NULL) /* measuring only (cap is 0): whatever the length is */
        return (int)len;
    /* Never truncated (§8): too long or empty is not a text. */
    if (len == 0 || len > NACCB_TEXT_MAX)
        return NACCB_ETEXT_LENGTH;
    if (len > cap) /* snprintf: the length needed, nothing written */
        return (int)len;
    if (vl > 0)
        substitute(pattern, act, arg, out);
    else
        memcpy(out, action, len);
    return (int)len;
}

void naccb_local_time_from_tm(const struct tm *tm, struct naccb_local_time *out)
{
    out->date.year = tm->tm_year + 1900;
    out->date.month = tm->tm_mon + 1;
    out->date.day = tm->tm_mday;
    out->time.hour = tm->tm_hour;
    out->time.minute = tm->tm_min;
    out->time.second = tm->tm_sec > 59 ? 59 : tm->tm_sec;
}
