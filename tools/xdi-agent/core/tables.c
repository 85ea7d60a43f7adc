/*
 * tables.c - the EMS and SCD tables of the session, and what the events
 * listener does with them: match message, command, EOJ and EOS events
 * against the EVBLOKs (protocol.md §8, with libnaccb's
 * naccb_evblok_match, the very code the server checks info NACCBs with)
 * and turn job ends into EOTINFO reports (§11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"

void xdi_agent__tables_clear(struct xdi_agent *a)
{
    free(a->ems);
    free(a->scd);
    a->ems = NULL;
    a->scd = NULL;
    a->n_ems = a->n_scd = 0;
    a->ems_state = a->scd_state = XDI_AGENT__T_NONE;
}

/*
 * One EVBLOK: kept when it passes every rule of §9 and its ET is
 * one an agent handles (03 and 04 are "not applicable for agent": ignored).
 * Returns 1 kept, 0 skipped (ET 03/04), or a negative codec error.
 */
static int take_evblok(const uint8_t *obj, struct naccb_evblok *e,
                       size_t *err_offset)
{
    int rc;

    naccb_evblok_decode(obj, e);
    rc = naccb_evblok_validate(e, err_offset);
    if (rc != 0)
        return rc;
    return naccb_event_type_for_agent(e->event_type);
}

static int take_eotinfo(const struct xdi_agent *a, const uint8_t *obj,
                        struct naccb_eotinfo *e, size_t *err_offset)
{
    naccb_eotinfo_decode(obj, e);
    int rc = naccb_eotinfo_validate(e, NACCB_EOTINFO_TABLE_ENTRY,
                                    a->cfg.codepage, err_offset);
    return rc == 0 ? 1 : rc;
}

/* Queued info objects still match the new table?  (They were queued in an
 * earlier session or against the previous table.) */
static bool keep_text(struct xdi_agent *a, const struct xdi_agent__item *it)
{
    unsigned et = naccb_event_type_for_object(it->key & 0xFFu);

    for (size_t i = 0; i < a->n_ems; i++)
        if (naccb_evblok_matches(&a->ems[i], et, it->data, it->len))
            return true;
    return false;
}

static bool keep_eot(struct xdi_agent *a, const struct xdi_agent__item *it)
{
    struct naccb_eotinfo rep;

    naccb_eotinfo_decode(it->data, &rep);
    for (size_t i = 0; i < a->n_scd; i++)
        if (naccb_eotinfo_matches_entry(&a->scd[i], &rep))
            return true;
    return false;
}

/* Decodes every entry of the table NACCB into out (count entries). */
static size_t decode_entries(struct xdi_agent *a, const struct naccb_message *m,
                             bool scd, void *out)
{
    size_t kept = 0, bad = 0;
    const char *what = scd ? "EOTINFO" : "EVBLOK";

    for (uint32_t i = 0; i < m->header.count; i++) {
        const uint8_t *obj = naccb_message_object(m, i);
        size_t off = 0;
        int rc = scd ? take_eotinfo(a, obj, (struct naccb_eotinfo *)out + kept,
                                    &off)
                     : take_evblok(obj, (struct naccb_evblok *)out + kept, &off);
        if (rc == 1) {
            kept++;
        } else if (rc == 0) {
            xdi_agent__log(a, "%s %u: event type not for agents, ignored", what,
                           (unsigned)i + 1);
        } else {
            xdi_agent__log(a, "%s %u dropped: %s (offset %zu)", what,
                           (unsigned)i + 1, naccb_err_name(rc), off);
            /* §8: drop it, keep the rest, and (once per table)
             * tell the host with agent error 05. */
            if (bad++ == 0) {
                char why[NACCB_TEXT_MAX + 1];
                snprintf(why, sizeof why, "%s %u invalid: %s at offset %zu",
                         what, (unsigned)i + 1, naccb_err_name(rc), off);
                xdi_agent__queue_agent_error(a, m->header.object,
                                             NACCB_ERR_INFORMATION, why);
            }
        }
    }
    return kept;
}

void xdi_agent__table_load(struct xdi_agent *a, const struct naccb_message *m)
{
    bool scd = m->header.object == NACCB_OBJ_SCD;
    size_t esize = scd ? sizeof(struct naccb_eotinfo)
                       : sizeof(struct naccb_evblok);
    /* count is bounded by the framer's maximum NACCB size. */
    void *entries = calloc(m->header.count, esize);
    size_t kept, dropped;

    if (entries == NULL) {
        xdi_agent__log(a, "out of memory for a table of %u entries: not taken",
                       (unsigned)m->header.count);
        return;
    }
    kept = decode_entries(a, m, scd, entries);
    if (scd) {
        free(a->scd);
        a->scd = entries;
        a->n_scd = kept;
        a->scd_state = XDI_AGENT__T_READY;
        dropped = xdi_agent__queue_filter(a, true, keep_eot);
    } else {
        free(a->ems);
        a->ems = entries;
        a->n_ems = kept;
        a->ems_state = XDI_AGENT__T_READY;
        dropped = xdi_agent__queue_filter(a, false, keep_text);
    }
    xdi_agent__log(a, "%s table: %u entries received, %zu kept",
                   scd ? "SCD" : "EMS", (unsigned)m->header.count, kept);
    if (dropped > 0)
        xdi_agent__log(a, "%zu queued event(s) no longer match the new table: "
                    "dropped", dropped);
}

enum xdi_event_result xdi_agent__match_text(struct xdi_agent *a,
                                            unsigned object,
                                            const uint8_t *wire, size_t len)
{
    struct naccb_local_time now;
    unsigned et = naccb_event_type_for_object(object);
    enum xdi_event_result best = XDI_EV_UNMATCHED;

    if (!xdi_agent__events_open(a) || a->ems_state != XDI_AGENT__T_READY ||
        len == 0)
        return XDI_EV_IGNORED;
    xdi_agent__local_time(a, &now);
    for (size_t i = 0; i < a->n_ems; i++) {
        enum naccb_match_result r = naccb_evblok_match(
            &a->ems[i], et, wire, len, &now,
            a->n_holidays > 0 ? xdi_agent__is_holiday : NULL, a);
        if (r == NACCB_MATCH_IN_FRAME)
            return XDI_EV_QUEUED;
        if (r == NACCB_MATCH_OUT_OF_FRAME)
            best = XDI_EV_OUT_OF_FRAME;
    }
    return best;
}

static const char *result_name(enum xdi_event_result r)
{
    switch (r) {
    case XDI_EV_QUEUED: return "queued";
    case XDI_EV_IGNORED: return "ignored (no EMS table)";
    case XDI_EV_UNMATCHED: return "unmatched: not sent";
    case XDI_EV_OUT_OF_FRAME: return "out of frame: not sent";
    case XDI_EV_DROPPED: return "dropped";
    }
    return "?";
}

enum xdi_event_result xdi_agent__text_event(struct xdi_agent *a,
                                            unsigned object,
                                            const uint8_t *wire, size_t len)
{
    enum xdi_event_result r = xdi_agent__match_text(a, object, wire, len);
    char q[XDI_AGENT__QUOTE_SIZE];

    if (r == XDI_EV_QUEUED &&
        xdi_agent__queue(a, NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER, NACCB_REQ_INFO,
                                           object),
                         0, wire, (uint32_t)len, true) != 0)
        r = XDI_EV_DROPPED;
    xdi_agent__log(a, "event %s %s: %s", naccb_object_name(object),
                   xdi_agent__quote_wire(a, q, wire, len), result_name(r));
    return r;
}

enum xdi_event_result xdi_agent_event(struct xdi_agent *a,
                                      enum xdi_event_kind kind,
                                      const char *text, size_t len)
{
    uint8_t wire[NACCB_TEXT_MAX];

    /* Only the first KL (<= 20) bytes are ever matched, and an info text
     * is at most 128 bytes (§6): a longer line is cut, not lost. */
    if (len > sizeof wire)
        len = sizeof wire;
    naccb_ebcdic_encode(a->cfg.codepage, (const uint8_t *)text, len, wire);
    return xdi_agent__text_event(a, (unsigned)kind, wire, len);
}

/* ---- job ends: EOJ/EOS texts and EOTINFO reports ------------------------ */

/* What the agent captured about the job, as an EOTINFO to match SCD
 * entries with (naccb_eotinfo_matches_entry): this host, the job, the step
 * (blank for EOJ), no proc-step and a blank job-id (no JES here). */
static void captured(const struct xdi_agent *a, const struct xdi_job_end *e,
                     struct naccb_eotinfo *c)
{
    enum naccb_codepage cp = a->cfg.codepage;

    memset(c, 0, sizeof *c);
    memcpy(c->system_name, a->wire_name, NACCB_NAME_SIZE);
    naccb_field_put(cp, c->job_id, NACCB_NAME_SIZE, "", 0);
    naccb_field_put(cp, c->job_name, NACCB_NAME_SIZE, e->job, strlen(e->job));
    naccb_field_put(cp, c->step_name, NACCB_NAME_SIZE, e->step,
                    strlen(e->step));
    naccb_field_put(cp, c->proc_step_name, NACCB_NAME_SIZE, "", 0);
}

/* A name field the entry does not mark gets the captured value when the
 * agent captured one; a marked field already equals it. */
static void fill_name(enum naccb_codepage cp, uint8_t *field,
                      const uint8_t *cap, bool marked)
{
    if (!marked && !naccb_field_is_blank(cp, cap, NACCB_NAME_SIZE))
        memcpy(field, cap, NACCB_NAME_SIZE);
}

/* The report for one matched entry: a copy with the status fields set
 * (§11): notes J/S, blank (no JES job type here), N/A/C, R. */
static void make_report(const struct xdi_agent *a,
                        const struct naccb_eotinfo *entry,
                        const struct naccb_eotinfo *cap,
                        const struct xdi_job_end *e, struct naccb_eotinfo *r)
{
    enum naccb_codepage cp = a->cfg.codepage;
    bool eos = e->step[0] != '\0';

    *r = *entry;
    fill_name(cp, r->job_name, cap->job_name,
              entry->flag2 & NACCB_FLAG2_JOB_NAME);
    fill_name(cp, r->step_name, cap->step_name,
              entry->flag2 & NACCB_FLAG2_STEP_NAME);
    r->step_number = eos ? (uint16_t)e->step_number : 0;
    r->scc = e->scc;
    r->ucc = e->ucc;
    r->max_cc = e->max_cc;
    r->notes[0] = eos ? NACCB_NOTE_S : NACCB_NOTE_J;
    r->notes[1] = NACCB_NOTE_BLANK;
    r->notes[2] = e->status == 'A'   ? NACCB_NOTE_A
                  : e->status == 'C' ? NACCB_NOTE_C
                                     : NACCB_NOTE_N;
    r->notes[3] = NACCB_NOTE_R;
}

static int queue_reports(struct xdi_agent *a, const struct xdi_job_end *e)
{
    struct naccb_eotinfo cap, rep;
    uint8_t wire[NACCB_EOTINFO_SIZE];
    int queued = 0;

    if (!xdi_agent__events_open(a) || a->scd_state != XDI_AGENT__T_READY)
        return 0;
    captured(a, e, &cap);
    for (size_t i = 0; i < a->n_scd; i++) {
        size_t off = 0;
        if (!naccb_eotinfo_matches_entry(&a->scd[i], &cap))
            continue;
        make_report(a, &a->scd[i], &cap, e, &rep);
        int rc = naccb_eotinfo_validate(&rep, NACCB_EOTINFO_REPORT,
                                        a->cfg.codepage, &off);
        if (rc != 0) {
            xdi_agent__log(a,
                           "EOTINFO for SCD entry %zu not sent: %s (offset %zu)",
                           i + 1, naccb_err_name(rc), off);
            continue;
        }
        naccb_eotinfo_encode(&rep, wire);
        if (xdi_agent__queue(a, (uint32_t)NACCB_KEY_INFO_EOT, 0, wire,
                             sizeof wire, true) == 0)
            queued++;
    }
    return queued;
}

int xdi_agent_job_end(struct xdi_agent *a, const struct xdi_job_end *e)
{
    uint8_t text[2 * NACCB_NAME_SIZE];
    bool eos = e->step[0] != '\0';
    size_t jl = strlen(e->job), sl = strlen(e->step);
    int queued = 0;

    if (!xdi_job_name_valid(e->job, jl) || sl > NACCB_NAME_SIZE) {
        xdi_agent__log(a, "job end with a bad job or step name: ignored");
        return 0;
    }
    /* The EOJ text is the 8-byte job name, the EOS text job + step name
     * (§6, decision). */
    naccb_field_put(a->cfg.codepage, text, NACCB_NAME_SIZE, e->job, jl);
    if (eos)
        naccb_field_put(a->cfg.codepage, text + NACCB_NAME_SIZE,
                        NACCB_NAME_SIZE, e->step, sl);
    xdi_agent__log(a, "%s %s%s%s step=%u scc=%u ucc=%u maxcc=%u status=%c",
                   eos ? "EOS" : "EOJ", e->job, eos ? " " : "", e->step,
                   e->step_number, (unsigned)e->scc, (unsigned)e->ucc,
                   (unsigned)e->max_cc, e->status);
    if (xdi_agent__text_event(a, eos ? NACCB_OBJ_EOS : NACCB_OBJ_EOJ, text,
                              eos ? sizeof text : NACCB_NAME_SIZE) ==
        XDI_EV_QUEUED)
        queued++;
    int reports = queue_reports(a, e);
    xdi_agent__log(a, "%d EOTINFO report(s) queued%s", reports,
                   a->scd_state == XDI_AGENT__T_READY ? "" : " (no SCD table)");
    return queued + reports;
}
