/*
 * evblok.c - the 230-byte EVBLOK, one entry of an EMS table
 * (docs/protocol.md §8): encode, decode, the "always" time frame and
 * the validation of every rule of that section.
 *
 * Encode and decode copy every byte (reserved and user area included), so
 * decode -> encode is the identity on any 230 bytes; checking is
 * naccb_evblok_validate's job alone.
 */
#include "naccb/evblok.h"

#include <string.h>

#include "naccb/bytes.h"
#include "naccb/errors.h"
#include "naccb/packed.h"

void naccb_evblok_encode(const struct naccb_evblok *e,
                         uint8_t out[NACCB_EVBLOK_SIZE])
{
    memcpy(out + NACCB_EVB_SYSTEM_NAME, e->system_name, NACCB_NAME_SIZE);
    memcpy(out + NACCB_EVB_EVENT_KEY, e->event_key, NACCB_KEY_SIZE);
    memcpy(out + NACCB_EVB_ADDITIONAL_TEXT, e->additional_text,
           NACCB_ADDTEXT_SIZE);
    naccb_put_u16be(out + NACCB_EVB_IL, e->il);
    naccb_put_u16be(out + NACCB_EVB_KL, e->kl);
    naccb_put_u16be(out + NACCB_EVB_VL, e->vl);
    naccb_put_u32be(out + NACCB_EVB_SDATE, e->sdate);
    naccb_put_u32be(out + NACCB_EVB_EDATE, e->edate);
    naccb_put_u32be(out + NACCB_EVB_STIME, e->stime);
    naccb_put_u32be(out + NACCB_EVB_STSEC, e->stsec);
    naccb_put_u32be(out + NACCB_EVB_ETIME, e->etime);
    naccb_put_u32be(out + NACCB_EVB_ETSEC, e->etsec);
    memcpy(out + NACCB_EVB_DAY_LIST, e->day_list, sizeof e->day_list);
    out[NACCB_EVB_EVENT_TYPE] = e->event_type;
    memcpy(out + NACCB_EVB_RESERVED, e->reserved, sizeof e->reserved);
    naccb_put_u32be(out + NACCB_EVB_SSDT, e->ssdt);
    naccb_put_u32be(out + NACCB_EVB_ESDT, e->esdt);
    memcpy(out + NACCB_EVB_USER_AREA, e->user_area, sizeof e->user_area);
}

void naccb_evblok_decode(const uint8_t in[NACCB_EVBLOK_SIZE],
                         struct naccb_evblok *out)
{
    memcpy(out->system_name, in + NACCB_EVB_SYSTEM_NAME, NACCB_NAME_SIZE);
    memcpy(out->event_key, in + NACCB_EVB_EVENT_KEY, NACCB_KEY_SIZE);
    memcpy(out->additional_text, in + NACCB_EVB_ADDITIONAL_TEXT,
           NACCB_ADDTEXT_SIZE);
    out->il = naccb_get_u16be(in + NACCB_EVB_IL);
    out->kl = naccb_get_u16be(in + NACCB_EVB_KL);
    out->vl = naccb_get_u16be(in + NACCB_EVB_VL);
    out->sdate = naccb_get_u32be(in + NACCB_EVB_SDATE);
    out->edate = naccb_get_u32be(in + NACCB_EVB_EDATE);
    out->stime = naccb_get_u32be(in + NACCB_EVB_STIME);
    out->stsec = naccb_get_u32be(in + NACCB_EVB_STSEC);
    out->etime = naccb_get_u32be(in + NACCB_EVB_ETIME);
    out->etsec = naccb_get_u32be(in + NACCB_EVB_ETSEC);
    memcpy(out->day_list, in + NACCB_EVB_DAY_LIST, sizeof out->day_list);
    out->event_type = in[NACCB_EVB_EVENT_TYPE];
    memcpy(out->reserved, in + NACCB_EVB_RESERVED, sizeof out->reserved);
    out->ssdt = naccb_get_u32be(in + NACCB_EVB_SSDT);
    out->esdt = naccb_get_u32be(in + NACCB_EVB_ESDT);
    memcpy(out->user_area, in + NACCB_EVB_USER_AREA, sizeof out->user_area);
}

void naccb_evblok_set_always(struct naccb_evblok *e)
{
    e->sdate = NACCB_ALWAYS_SDATE;
    e->edate = NACCB_ALWAYS_EDATE;
    e->stime = NACCB_ALWAYS_STIME;
    e->stsec = NACCB_ALWAYS_STSEC;
    e->etime = NACCB_ALWAYS_ETIME;
    e->etsec = NACCB_ALWAYS_ETSEC;
    e->ssdt = NACCB_ALWAYS_SSDT;
    e->esdt = NACCB_ALWAYS_ESDT;
    memset(e->day_list, 1, sizeof e->day_list);
}

/* Records the failing field's offset for the caller; passes rc through. */
static int fail(int rc, size_t offset, size_t *err_offset)
{
    if (rc != 0 && err_offset != NULL)
        *err_offset = offset;
    return rc;
}

/* IL, KL, VL (offsets 136..141).  IL = 8 + KL is checked once KL is known
 * to be in range, and reported at IL: IL is the field that is wrong. */
static int check_lengths(const struct naccb_evblok *e, size_t *err_offset)
{
    if (e->kl < 1 || e->kl > NACCB_KEY_SIZE)
        return fail(NACCB_EKEY_LENGTH, NACCB_EVB_KL, err_offset);
    if (e->il != NACCB_NAME_SIZE + e->kl)
        return fail(NACCB_EID_LENGTH, NACCB_EVB_IL, err_offset);
    if (e->vl > e->kl)
        return fail(NACCB_EVERB_LENGTH, NACCB_EVB_VL, err_offset);
    return 0;
}

/* SDATE, EDATE (142..149): valid Julian dates, EDATE >= SDATE.  Valid
 * 0YYYYDDD values order as plain fullwords, BCD keeping digit order. */
static int check_julian_dates(const struct naccb_evblok *e,
                              size_t *err_offset)
{
    int year, yday;
    int rc = naccb_julian_decode(e->sdate, &year, &yday);

    if (rc != 0)
        return fail(rc, NACCB_EVB_SDATE, err_offset);
    rc = naccb_julian_decode(e->edate, &year, &yday);
    if (rc != 0)
        return fail(rc, NACCB_EVB_EDATE, err_offset);
    if (e->edate < e->sdate)
        return fail(NACCB_EDATE_ORDER, NACCB_EVB_EDATE, err_offset);
    return 0;
}

/* One HHMMSS00 time and its seconds twin (STIME/STSEC or ETIME/ETSEC). */
static int check_time_pair(uint32_t packed, uint32_t seconds,
                           size_t time_offset, size_t *err_offset)
{
    struct naccb_time t;
    int rc = naccb_time_decode(packed, &t);

    if (rc != 0)
        return fail(rc, time_offset, err_offset);
    if (naccb_time_seconds(&t) != seconds)
        return fail(NACCB_ESECONDS_MISMATCH, time_offset + 4, err_offset);
    return 0;
}

/* STIME..ETSEC (150..165).  ETIME >= STIME is checked at ETIME, before
 * ETSEC, keeping offset order. */
static int check_times(const struct naccb_evblok *e, size_t *err_offset)
{
    struct naccb_time t;
    int rc = check_time_pair(e->stime, e->stsec, NACCB_EVB_STIME,
                             err_offset);

    if (rc != 0)
        return rc;
    rc = naccb_time_decode(e->etime, &t);
    if (rc != 0)
        return fail(rc, NACCB_EVB_ETIME, err_offset);
    if (e->etime < e->stime)
        return fail(NACCB_ETIME_ORDER, NACCB_EVB_ETIME, err_offset);
    return check_time_pair(e->etime, e->etsec, NACCB_EVB_ETIME, err_offset);
}

/* Day-list, ET and reserved (166..189). */
static int check_flags(const struct naccb_evblok *e, size_t *err_offset)
{
    for (size_t i = 0; i < sizeof e->day_list; i++)
        if (e->day_list[i] > 1)
            return fail(NACCB_EDAY_LIST, NACCB_EVB_DAY_LIST, err_offset);
    if (e->event_type < NACCB_ET_MESSAGE || e->event_type > NACCB_ET_EOJ)
        return fail(NACCB_EEVENT_TYPE, NACCB_EVB_EVENT_TYPE, err_offset);
    for (size_t i = 0; i < sizeof e->reserved; i++)
        if (e->reserved[i] != 0)
            return fail(NACCB_ERESERVED, NACCB_EVB_RESERVED, err_offset);
    return 0;
}

/* One YYYYMMDD date that must name the same day as a valid 0YYYYDDD. */
static int check_std_date(uint32_t std, uint32_t julian, size_t offset,
                          size_t *err_offset)
{
    struct naccb_date d;
    int yday;
    int rc = naccb_date_decode(std, &d);

    if (rc != 0)
        return fail(rc, offset, err_offset);
    rc = naccb_date_to_julian(&d, &yday);
    if (rc != 0 || naccb_julian_encode(d.year, yday) != julian)
        return fail(NACCB_ESTDDATE_MISMATCH, offset, err_offset);
    return 0;
}

int naccb_evblok_validate(const struct naccb_evblok *e, size_t *err_offset)
{
    int rc = check_lengths(e, err_offset);

    if (rc == 0)
        rc = check_julian_dates(e, err_offset);
    if (rc == 0)
        rc = check_times(e, err_offset);
    if (rc == 0)
        rc = check_flags(e, err_offset);
    if (rc == 0)
        rc = check_std_date(e->ssdt, e->sdate, NACCB_EVB_SSDT, err_offset);
    if (rc == 0)
        rc = check_std_date(e->esdt, e->edate, NACCB_EVB_ESDT, err_offset);
    return rc;
}

int naccb_event_type_for_agent(unsigned event_type)
{
    /* ET 03 and 04 are "not applicable for agent" (§8). */
    return event_type == NACCB_ET_MESSAGE || event_type == NACCB_ET_COMMAND ||
           event_type == NACCB_ET_EOS || event_type == NACCB_ET_EOJ;
}
