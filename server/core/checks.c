/*
 * checks.c - the content checks of info objects (docs/protocol.md §11
 * step 4, §8 "Matching and the time frame", §9).
 *
 * Pure decisions, no I/O: session.c journals each verdict and sends the
 * error.  Texts are matched with libnaccb's naccb_evblok_match, at the
 * server's local time (localtime_r of the injected wall clock) and with the
 * fixture set's holiday calendar, against the EVBLOKs the agent was sent.
 * EOTINFOs are checked against the SCD entries the agent was sent (raw
 * tables included: they are decoded too).
 */
#include <string.h>
#include <time.h>

#include "core.h"

bool xdi__verdict_ok(enum xdi__verdict_kind kind)
{
    return kind == XDI__V_IN_FRAME || kind == XDI__V_OUT_OF_FRAME ||
           kind == XDI__V_OK;
}

const char *xdi__verdict_name(enum xdi__verdict_kind kind)
{
    switch (kind) {
    case XDI__V_IN_FRAME:
        return "in_frame";
    case XDI__V_OUT_OF_FRAME:
        return "out_of_frame";
    case XDI__V_UNMATCHED:
        return "unmatched";
    case XDI__V_NO_TABLE:
        return "table_not_sent";
    case XDI__V_OK:
        return "ok";
    case XDI__V_WRONG_SYSTEM:
        return "wrong_system";
    case XDI__V_NO_ENTRY:
        return "unmatched";
    case XDI__V_INVALID:
        return "invalid";
    }
    return "unknown";
}

void xdi__local_time(const struct xdi_server *srv, struct naccb_local_time *t)
{
    struct timespec now;
    struct tm tm;
    time_t secs;

    xdi__now(srv, &now);
    secs = now.tv_sec;
    memset(&tm, 0, sizeof(tm));
    if (localtime_r(&secs, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    naccb_local_time_from_tm(&tm, t);
}

/*
 * A text against the EVBLOKs of the host it can match (the index gives
 * those whose key and event type are the text's, in table order; all of
 * them when more than fit here): in frame wins over out of frame, and the
 * first EVBLOK of the better kind is the one named.  Every EVBLOK the text
 * matches in frame fires its own action (automation.c): v->fires says
 * whether any would, so that the automation pass, which matches again,
 * runs only when there is something to do.
 */
void xdi__check_text(const struct xdi_server *srv, const struct xdi__host *h,
                     unsigned object, const uint8_t *text, size_t len,
                     const struct naccb_local_time *t, struct xdi__verdict *v)
{
    unsigned et = naccb_event_type_for_object(object);
    bool eoj_eos = object == NACCB_OBJ_EOJ || object == NACCB_OBJ_EOS;
    uint32_t found[XDI__MATCH_CANDIDATES];
    size_t n = xdi__evindex_find(&h->ems_index, h->evbloks, et, text, len,
                                 found, XDI__MATCH_CANDIDATES);
    bool scan = n > XDI__MATCH_CANDIDATES;

    memset(v, 0, sizeof(*v));
    v->kind = XDI__V_UNMATCHED;
    for (size_t j = 0; j < (scan ? h->ems.count : n); j++) {
        uint32_t i = scan ? (uint32_t)j : found[j];
        enum naccb_match_result r =
            naccb_evblok_match(&h->evbloks[i], et, text, len, t,
                               xdi_fixture_is_holiday, srv->fixtures);
        if (r == NACCB_MATCH_IN_FRAME) {
            const struct xdi_event *ev = h->evblok_events[i];
            if (v->kind != XDI__V_IN_FRAME) {
                v->kind = XDI__V_IN_FRAME;
                v->index = i;
            }
            if (eoj_eos || (ev != NULL && ev->action != NULL)) {
                v->fires = true;
                return; /* the verdict is final, and something fires */
            }
        } else if (r == NACCB_MATCH_OUT_OF_FRAME &&
                   v->kind == XDI__V_UNMATCHED) {
            v->kind = XDI__V_OUT_OF_FRAME;
            v->index = i;
        }
    }
}

/*
 * §11.1 step 4, in its order: the EOTINFO names this host, its job
 * matches an SCD entry on the name fields that entry's flag2 marks, then
 * the rules of a reported EOTINFO (reserved bytes zero, notes letters valid,
 * notes[3] R, ...: naccb_eotinfo_validate with NACCB_EOTINFO_REPORT).
 */
void xdi__check_eotinfo(const struct xdi_server *srv,
                        const struct xdi__host *h,
                        const struct naccb_eotinfo *e, struct xdi__verdict *v)
{
    memset(v, 0, sizeof(*v));
    if (memcmp(e->system_name, h->wire_name, NACCB_NAME_SIZE) != 0) {
        v->kind = XDI__V_WRONG_SYSTEM;
        v->err_offset = NACCB_EOT_SYSTEM_NAME;
        return;
    }
    v->kind = XDI__V_NO_ENTRY;
    for (uint32_t i = 0; i < h->scd.count; i++) {
        if (naccb_eotinfo_matches_entry(&h->entries[i], e)) {
            v->kind = XDI__V_OK;
            v->index = i;
            break;
        }
    }
    if (v->kind != XDI__V_OK)
        return;
    v->err = naccb_eotinfo_validate(e, NACCB_EOTINFO_REPORT,
                                    srv->fixtures->codepage, &v->err_offset);
    if (v->err != 0)
        v->kind = XDI__V_INVALID;
    v->fires = v->kind == XDI__V_OK;
}
