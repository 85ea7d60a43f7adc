/*
 * naccb/match.h - does an event match an EVBLOK, and is it in its frame?
 *
 * One pure implementation (no clock, no globals) shared by the server's info
 * checks and the agent's events listener, so the two sides cannot disagree.
 * The rules are docs/protocol.md §8, "Matching and the time frame".
 */
#ifndef NACCB_MATCH_H
#define NACCB_MATCH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "naccb/ebcdic.h"
#include "naccb/evblok.h"
#include "naccb/export.h"
#include "naccb/packed.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A broken-down local time, to the second. */
struct naccb_local_time {
    struct naccb_date date;
    struct naccb_time time;
};

/*
 * The local time of a broken-down struct tm (from the caller's
 * localtime_r(): the codec reads no clock).  A leap second (tm_sec 60)
 * counts as second 59 of its minute: the wire's HHMMSS00 has no 60.
 */
NACCB_API void naccb_local_time_from_tm(const struct tm *tm,
                                        struct naccb_local_time *out);

/* Returns non-zero when date is a holiday.  ctx is the caller's. */
typedef int (*naccb_holiday_fn)(void *ctx, const struct naccb_date *date);

enum naccb_match_result {
    NACCB_NO_MATCH = 0,
    NACCB_MATCH_OUT_OF_FRAME = 1,
    NACCB_MATCH_IN_FRAME = 2,
};

/*
 * Rules 1 and 2: the text's first KL bytes equal the key's first KL bytes
 * (a text shorter than KL never matches; bytes compared as on the wire,
 * EBCDIC), and event_type equals the EVBLOK's ET.  event_type is an ET
 * value (use naccb_event_type_for_object() for an info object code).
 * Returns 1 or 0.
 */
NACCB_API int naccb_evblok_matches(const struct naccb_evblok *e,
                                   unsigned event_type, const uint8_t *text,
                                   size_t text_len);

/*
 * Rules 3 to 5: SDATE <= date <= EDATE; STIME <= time <= ETIME to the
 * second, both inclusive; on a holiday (is_holiday non-NULL and true) only
 * day-list byte 7 counts, otherwise the weekday's byte.  Returns 1 (in
 * frame), 0 (out), or a negative packed-decimal error when the EVBLOK's
 * SDATE/EDATE/STIME/ETIME are invalid.
 */
NACCB_API int naccb_evblok_in_frame(const struct naccb_evblok *e,
                                    const struct naccb_local_time *t,
                                    naccb_holiday_fn is_holiday, void *ctx);

/* Rules 1 to 5 together. */
NACCB_API enum naccb_match_result naccb_evblok_match(
    const struct naccb_evblok *e, unsigned event_type, const uint8_t *text,
    size_t text_len, const struct naccb_local_time *t,
    naccb_holiday_fn is_holiday, void *ctx);

/*
 * Verb substitution (docs/protocol.md §8, "Verb substitution"): the
 * argument is the event text after its first vl bytes, leading and trailing
 * blanks (the code page's blank) removed; every "&arg" in the action is
 * replaced by it.  action, text and out are wire (EBCDIC) bytes; "&arg" is
 * looked for in the code page's encoding.  vl 0 copies the action as is.
 * The snprintf contract, without truncation:
 *   - out NULL and cap 0: nothing is written; returns the length the
 *     result has, whatever it is (0, or past 128), to report a command
 *     that cannot be sent;
 *   - otherwise NACCB_ETEXT_LENGTH when the result is empty or longer than
 *     128 bytes (never truncated, nothing written), else the result's
 *     length, written to out only when it fits cap: a return value above
 *     cap means "out too small", nothing was written.
 * NACCB_EINVAL for a NULL pointer with a non-zero length.
 */
NACCB_API int naccb_substitute_verb(enum naccb_codepage cp,
                                   const uint8_t *action, size_t action_len,
                                   const uint8_t *text, size_t text_len,
                                   unsigned vl, uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_MATCH_H */
