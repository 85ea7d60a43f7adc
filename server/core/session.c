/*
 * session.c - the session of docs/protocol.md §11, one NACCB at a time.
 *
 * Every complete NACCB from the framer goes through the order of checks of
 * §11, first failure wins:
 *   total length = 36 + count * size, size > 0 exactly when count > 0 (05)
 *   -> direction (02) -> before a session, anything but a login (01)
 *   -> a login on a connection with a session (04) -> agent-ID (01)
 *   -> system name (09) -> request and object codes (03 for acquire, 04
 *   otherwise) -> the request's own object rules (05) -> content (05).
 * A login on a connection without a session has its own order (step 2),
 * and each failure there is a reject, not an error.  Every failure is one
 * "violation" record naming the check, and one error NACCB (§7);
 * only lost framing, logout, takeover and the limits close a connection.
 * A failed login also goes through the guard (guard.c): its budgets may
 * hold the reject back or close the connection after it (§11.5 S22).
 */
#include <string.h>

#include "core.h"

/* A failed check: what the journal says and what the agent is sent. */
struct failure {
    const char *check;  /* the check's name in the journal */
    uint8_t error_code; /* §6 */
    int codec_err;      /* the libnaccb error behind it, or 0 */
    long offset;        /* offset of the offending field, or -1 */
    const char *reason; /* one line for people */
};

static struct failure failure(const char *check, uint8_t error_code,
                              int codec_err, long offset, const char *reason)
{
    struct failure f = {check, error_code, codec_err, offset, reason};
    return f;
}

/* The fields of a failure in a record. */
static void record_failure(json_t *rec, const struct failure *f)
{
    const char *name = naccb_error_code_name(f->error_code);

    xdi__rec_str(rec, "check", f->check);
    xdi__rec_int(rec, "error", f->error_code);
    xdi__rec_str(rec, "error_name", name != NULL ? name : "unknown");
    if (f->codec_err != 0)
        xdi__rec_str(rec, "codec_error", naccb_err_name(f->codec_err));
    if (f->offset >= 0)
        xdi__rec_int(rec, "offset", f->offset);
    xdi__rec_str(rec, "reason", f->reason);
}

/* Journals the violation and sends the error NACCB of §7, whose
 * object code is that of rx, or 00 when its header cannot be trusted. */
static void violation(struct xdi_conn *c, const struct xdi__rx *rx,
                      const struct failure *f, bool header_trusted)
{
    json_t *rec = xdi__rec(c, "violation", rx->h.system_name);

    xdi__rec_rx(rec, rx, false);
    record_failure(rec, f);
    xdi__journal_violation(c, rec, false);
    xdi__send_error(c, f->error_code, header_trusted ? rx->h.object : 0, rx);
}

/* ---- checks every NACCB goes through ------------------------------------ */

/*
 * The length rules of §3.  The framer has already checked the total
 * length against 36 and the maximum; a count or size that disagrees with
 * it makes the header untrustworthy, so the error names object 00.
 */
static int check_length(struct xdi_conn *c, const struct xdi__rx *rx)
{
    size_t off = 0;
    int rc = naccb_header_check_length(&rx->h, c->srv->cfg.max_naccb_size,
                                       &off);
    struct failure f;

    if (rc == 0)
        return 0;
    f = failure("length", NACCB_ERR_INFORMATION, rc, (long)off,
                naccb_strerror(rc));
    violation(c, rx, &f, false);
    return -1;
}

/* Length, direction, and "log in first": the checks that come before the
 * login's own order. */
static int check_common(struct xdi_conn *c, const struct xdi__rx *rx)
{
    struct failure f;

    if (check_length(c, rx) != 0)
        return -1;
    if (rx->h.direction != NACCB_DIR_TO_SERVER) {
        f = failure("direction", NACCB_ERR_DIRECTION, NACCB_EDIRECTION,
                    NACCB_OFF_DIRECTION,
                    "direction is not 0x0201 (agent to server)");
    } else if (c->host == NULL && rx->h.request != NACCB_REQ_LOGIN) {
        f = failure("no_session", NACCB_ERR_AGENT_ID, 0, NACCB_OFF_REQUEST,
                    "only a login is taken before a session");
    } else if (c->host != NULL && rx->h.request == NACCB_REQ_LOGIN) {
        f = failure("login_in_session", NACCB_ERR_REQUEST, 0,
                    NACCB_OFF_REQUEST,
                    "a login on a connection that holds a session");
    } else {
        return 0;
    }
    violation(c, rx, &f, true);
    return -1;
}

/* The codec's object-rule error, as the wire error code of §6. */
static struct failure object_failure(const struct xdi__rx *rx, int rc,
                                     size_t off)
{
    if (rc == NACCB_EREQUEST)
        return failure("request", NACCB_ERR_REQUEST, rc, (long)off,
                       "request code not taken from an agent");
    if (rc == NACCB_EOBJECT && rx->h.request == NACCB_REQ_ACQUIRE)
        return failure("object", NACCB_ERR_ACQUIRED_OBJECT, rc, (long)off,
                       "acquire names neither 01 (EMS) nor 02 (SCD)");
    if (rc == NACCB_EOBJECT)
        return failure("object", NACCB_ERR_REQUEST, rc, (long)off,
                       "object code not valid for the request");
    if (rc == NACCB_EDIRECTION)
        return failure("direction", NACCB_ERR_DIRECTION, rc, (long)off,
                       naccb_strerror(rc));
    return failure("objects", NACCB_ERR_INFORMATION, rc, (long)off,
                   naccb_strerror(rc));
}

/* In a session: agent-ID, system name, request/object codes, the
 * request's object rules. */
static int check_session(struct xdi_conn *c, const struct xdi__rx *rx)
{
    size_t off = 0;
    int rc;
    struct failure f;

    if (rx->h.agent_id != c->agent_id) {
        f = failure("agent_id", NACCB_ERR_AGENT_ID, 0, NACCB_OFF_AGENT_ID,
                    "agent-ID is not this session's");
    } else if (memcmp(rx->h.system_name, c->host->wire_name,
                      NACCB_NAME_SIZE) != 0) {
        f = failure("system_name", NACCB_ERR_SYSTEM_NAME, 0,
                    NACCB_OFF_SYSTEM_NAME,
                    "system name is not this session's host");
    } else if ((rc = naccb_message_check_objects(&rx->h, &off)) != 0) {
        f = object_failure(rx, rc, off);
    } else {
        return 0;
    }
    violation(c, rx, &f, true);
    return -1;
}

/* ---- login (§11.1 step 2) ------------------------------------------- */

/* Step 2's last check: no objects, or one 8-byte password, exactly as the
 * host's fixture says.  0 when it passes, else -1 with *f. */
static int check_password(const struct xdi_server *srv,
                          const struct xdi__host *host,
                          const struct xdi__rx *rx, struct failure *f)
{
    const char *pw = host->fixture->password;
    uint8_t want[NACCB_PASSWORD_SIZE];

    if (rx->h.count > 1 ||
        (rx->h.count == 1 && rx->h.size != NACCB_PASSWORD_SIZE)) {
        *f = failure("objects", NACCB_ERR_INFORMATION, 0, NACCB_OFF_COUNT,
                     "a login carries no object or one 8-byte password");
        return -1;
    }
    if (pw == NULL && rx->h.count == 1) {
        *f = failure("password_not_configured", NACCB_ERR_INFORMATION, 0,
                     NACCB_OFF_COUNT, "a password for a host that has none");
        return -1;
    }
    if (pw == NULL)
        return 0;
    if (rx->h.count == 0) {
        *f = failure("password_missing", NACCB_ERR_INFORMATION, 0,
                     NACCB_OFF_COUNT, "the host requires a password");
        return -1;
    }
    /* Compared byte for byte as it goes on the wire: EBCDIC, blank
     * padded. */
    if (naccb_field_put(srv->fixtures->codepage, want, sizeof(want), pw,
                        strlen(pw)) != 0 ||
        memcmp(want, rx->bytes + NACCB_HEADER_SIZE, sizeof(want)) != 0) {
        *f = failure("password_wrong", NACCB_ERR_INFORMATION, 0,
                     NACCB_HEADER_SIZE, "wrong password");
        return -1;
    }
    return 0;
}

static bool peer_allowed(const struct xdi_conn *c, const struct xdi__host *h)
{
    if (!c->has_addr)
        return h->fixture->n_allowed == 0;
    return xdi_host_allows_peer(h->fixture,
                                (const struct sockaddr *)&c->addr) != 0;
}

/* Step 2's checks in their order; 0 with *host, or -1 with *f. */
static int check_login(struct xdi_conn *c, const struct xdi__rx *rx,
                       struct xdi__host **host, struct failure *f)
{
    struct xdi_server *srv = c->srv;

    if (rx->h.agent_id != 0) {
        *f = failure("agent_id", NACCB_ERR_AGENT_ID, 0, NACCB_OFF_AGENT_ID,
                     "a login carries agent-ID 0");
        return -1;
    }
    if (rx->h.object != NACCB_OBJ_NONE) {
        *f = failure("object", NACCB_ERR_REQUEST, NACCB_EOBJECT,
                     NACCB_OFF_OBJECT, "a login carries object code 00");
        return -1;
    }
    if (srv->cfg.xdi_down || srv->stopping) {
        *f = failure("xdi_down", NACCB_ERR_RESOURCE_MANAGER, 0, -1,
                     srv->stopping ? "the emulated XDI is stopping"
                                   : "the emulated XDI is marked down");
        return -1;
    }
    *host = xdi__host_find(srv, rx->h.system_name);
    if (*host == NULL) {
        *f = failure("system_name", NACCB_ERR_SYSTEM_NAME, 0,
                     NACCB_OFF_SYSTEM_NAME, "no fixture defines this host");
        return -1;
    }
    if (!peer_allowed(c, *host)) {
        *f = failure("source_address", NACCB_ERR_INFORMATION, 0, -1,
                     "source address not allowed for this host");
        return -1;
    }
    return check_password(srv, *host, rx, f);
}

/* A reject for the server's state (down, stopping, no agent-ID left):
 * not the peer's failure, so it costs no budget and is never delayed. */
static void reject(struct xdi_conn *c, const struct xdi__rx *rx,
                   const struct failure *f)
{
    struct xdi__out out = {.key = NACCB_KEY_REJECT,
                           .error_code = f->error_code};
    json_t *rec = xdi__rec(c, "reject", rx->h.system_name);

    record_failure(rec, f);
    /* The connection stays open: the agent may log in again. */
    xdi__send(c, &out, rx->h.system_name, rx, rec);
}

/* A failed login: the peer's failure, counted against its budgets
 * (guard.c), which decide when the reject goes out and whether the
 * connection stays open.  With login_failures_alike every one is error
 * 05 on the wire, so that the code tells nothing about which check failed
 * (the record keeps the faithful code as "faithful_error"). */
static void login_failed(struct xdi_conn *c, const struct xdi__rx *rx,
                         struct failure f)
{
    json_t *rec = xdi__rec(c, "reject", rx->h.system_name);

    if (c->srv->cfg.login_failures_alike &&
        f.error_code != NACCB_ERR_INFORMATION) {
        xdi__rec_int(rec, "faithful_error", f.error_code);
        f.error_code = NACCB_ERR_INFORMATION;
    }
    record_failure(rec, &f);
    xdi__guard_login_failed(c, rx, f.error_code, rec);
}

/* The new login wins: the old connection gets shutdown and is closed. */
static void take_over(struct xdi_conn *old, const struct xdi_conn *by)
{
    struct xdi__out out = {.key = NACCB_KEY_SHUTDOWN};
    json_t *rec = xdi__rec(old, "takeover", NULL);

    xdi__rec_int(rec, "by_conn", (json_int_t)by->id);
    xdi__rec_str(rec, "by_peer", by->peer);
    xdi__journal(old->srv, rec);
    xdi__send(old, &out, NULL, NULL, NULL);
    xdi__conn_close(old);
}

static void login(struct xdi_conn *c, const struct xdi__rx *rx)
{
    struct xdi__out out = {.key = NACCB_KEY_ACCEPT};
    struct xdi__host *host = NULL;
    struct failure f;
    uint64_t old_conn = 0;
    uint32_t id;
    unsigned failures = 0;
    const char *why = NULL;
    json_t *rec = xdi__rec(c, "login", rx->h.system_name);

    xdi__rec_rx(rec, rx, false);
    xdi__rec_int(rec, "os_code", rx->h.os_code);
    xdi__journal(c->srv, rec);
    if (xdi__guard_address_blocked(c, &failures)) {
        /* Whatever the login says: the right password must not get in
         * either, or the budget would only slow the guessing down. */
        f = failure("address_budget", NACCB_ERR_RESOURCE_MANAGER, 0, -1,
                    "too many failed logins from this address; refused "
                    "until none has come for --login-failure-window");
        login_failed(c, rx, f);
        return;
    }
    if (check_login(c, rx, &host, &f) != 0) {
        if (strcmp(f.check, "xdi_down") == 0)
            reject(c, rx, &f);
        else
            login_failed(c, rx, f);
        return;
    }
    if (!xdi__guard_takeover_allowed(c, host, &why)) {
        f = failure("takeover_refused", NACCB_ERR_RESOURCE_MANAGER, 0, -1,
                    why);
        login_failed(c, rx, f);
        return;
    }
    if (xdi__ids_next(&c->srv->ids, &id) != 0) {
        f = failure("agent_ids", NACCB_ERR_RESOURCE_MANAGER, 0, -1,
                    "no agent-ID left to hand out");
        reject(c, rx, &f);
        return;
    }
    if (host->session != NULL) {
        old_conn = host->session->id;
        take_over(host->session, c);
    }
    xdi__session_begin(c, host, id);
    rec = xdi__rec(c, "accept", NULL);
    if (old_conn != 0)
        xdi__rec_int(rec, "takeover_of", (json_int_t)old_conn);
    /* §11.1 step 5: exec job only after accept, so the triggers held
     * for this host follow it. */
    if (xdi__send(c, &out, NULL, rx, rec) == XDI_SEND_WRITTEN)
        xdi__auto_release(c);
}

/* ---- requests in a session ---------------------------------------------- */

/* Step 6: journalled, then closed (journal lines are written at once). */
static void logout(struct xdi_conn *c, const struct xdi__rx *rx)
{
    json_t *rec = xdi__rec(c, "logout", NULL);

    xdi__rec_rx(rec, rx, false);
    xdi__journal(c->srv, rec);
    xdi__conn_close(c);
}

/* Step 3: the whole table, or no-EMS / no-SCD with error 08. */
static void acquire(struct xdi_conn *c, const struct xdi__rx *rx)
{
    bool ems = rx->h.object == NACCB_OBJ_EMS;
    const struct xdi__table *t = ems ? &c->host->ems : &c->host->scd;
    json_t *rec = xdi__rec(c, "acquire", NULL);

    /* Asked for, whatever the answer: a reload that changes the table
     * sends this session its replacement (xdi_server_reload). */
    if (ems)
        c->ems_acquired = true;
    else
        c->scd_acquired = true;
    xdi__rec_rx(rec, rx, false);
    xdi__rec_str(rec, "table", naccb_object_id(rx->h.object));
    if (rec != NULL)
        json_object_set_new(rec, "available", json_boolean(t->blob != NULL));
    xdi__journal(c->srv, rec);
    xdi__send_table(c, ems, false, rx);
}

/* The decoded fields of a reported EOTINFO (§9), as the record's
 * "eotinfo" object. */
static void eotinfo_fields(struct xdi__line *l, const struct naccb_eotinfo *e)
{
    char notes[4];

    xdi__line_open(l, "eotinfo");
    xdi__line_ebcdic(l, "system", e->system_name, NACCB_NAME_SIZE, true);
    xdi__line_ebcdic(l, "job_name", e->job_name, NACCB_NAME_SIZE, true);
    xdi__line_ebcdic(l, "job_id", e->job_id, NACCB_NAME_SIZE, true);
    xdi__line_ebcdic(l, "step_name", e->step_name, NACCB_NAME_SIZE, true);
    xdi__line_ebcdic(l, "proc_step_name", e->proc_step_name, NACCB_NAME_SIZE,
                     true);
    xdi__line_int(l, "flag1", e->flag1);
    xdi__line_int(l, "flag2", e->flag2);
    xdi__line_int(l, "step_number", e->step_number);
    xdi__line_int(l, "scc", e->scc);
    xdi__line_int(l, "ucc", e->ucc);
    xdi__line_int(l, "max_cc", e->max_cc);
    /* Notes letters are EBCDIC in every code page, ascii included. */
    naccb_ebcdic_decode(NACCB_CP_037, e->notes, 4, (uint8_t *)notes);
    xdi__line_latin1(l, "notes", notes, 4);
    xdi__line_close(l);
}

/* One "info" record per object, with its own verdict (step 4): written
 * straight as its line, the one record made for every object received
 * (record_line.c). */
static void record_object(struct xdi_conn *c, const struct xdi__rx *rx,
                          uint32_t i, const struct xdi__verdict *v,
                          const struct naccb_eotinfo *e, bool padded)
{
    const uint8_t *obj = rx->bytes + NACCB_HEADER_SIZE + (size_t)i * rx->h.size;
    const char *kind = naccb_info_kind_name(rx->h.object);
    struct xdi__line *l = xdi__line_begin(c, "info", NULL);

    xdi__line_rx(l, rx, true);
    xdi__line_int(l, "index", i);
    xdi__line_int(l, "count", rx->h.count);
    xdi__line_str(l, "kind", kind);
    xdi__line_hex(l, "object", obj, rx->h.size);
    xdi__line_str(l, "verdict", xdi__verdict_name(v->kind));
    if (e != NULL)
        eotinfo_fields(l, e);
    else
        xdi__line_ebcdic(l, "text", obj, rx->h.size, false);
    xdi__conn_last_event(c, kind, e != NULL ? NULL : obj,
                         e != NULL ? 0 : rx->h.size);
    if (v->kind == XDI__V_IN_FRAME || v->kind == XDI__V_OUT_OF_FRAME) {
        const struct naccb_evblok *b = &c->host->evbloks[v->index];
        xdi__line_int(l, "evblok", (long long)v->index);
        xdi__line_ebcdic(l, "event_key", b->event_key, b->kl, false);
    } else if (v->kind == XDI__V_OK) {
        xdi__line_int(l, "entry", (long long)v->index);
    } else if (v->kind == XDI__V_INVALID) {
        xdi__line_str(l, "codec_error", naccb_err_name(v->err));
        xdi__line_int(l, "offset", (long long)v->err_offset);
    }
    if (padded)
        xdi__line_str(l, "warning", "padded_text");
    xdi__line_end(l);
}

/*
 * Texts go at their own length (docs/protocol.md §4): all texts of a
 * NACCB share one size, so the shorter ones are blank-padded to the
 * longest, but when every text of the NACCB ends in a blank, the size is
 * longer than any text needed: an agent that pads to a fixed length (say
 * 128).  Not an error of the protocol (the server matches the key, and
 * answers nothing for it); a warning on each of its info records, which
 * the conformance suite turns into a failed check.  EOTINFOs are of fixed
 * size and never padded.
 */
static bool texts_padded(const struct xdi_server *srv,
                         const struct xdi__rx *rx)
{
    uint8_t blank = naccb_ebcdic_blank(srv->fixtures->codepage);

    if (rx->h.object == NACCB_OBJ_EOTINFO || rx->h.size == 0 ||
        rx->h.count == 0)
        return false;
    for (uint32_t i = 0; i < rx->h.count; i++) {
        const uint8_t *obj =
            rx->bytes + NACCB_HEADER_SIZE + (size_t)i * rx->h.size;
        if (obj[rx->h.size - 1] != blank)
            return false;
    }
    return true;
}

/* Checks and journals object i; true when it passed.  *fires becomes
 * true when its automation would act (struct xdi__verdict). */
static bool info_object(struct xdi_conn *c, const struct xdi__rx *rx,
                        uint32_t i, const struct naccb_local_time *t,
                        bool padded, bool *fires)
{
    const uint8_t *obj = rx->bytes + NACCB_HEADER_SIZE + (size_t)i * rx->h.size;
    bool eot = rx->h.object == NACCB_OBJ_EOTINFO;
    bool sent = eot ? c->scd_sent : c->ems_sent;
    struct naccb_eotinfo e;
    struct xdi__verdict v = {.kind = XDI__V_NO_TABLE};

    if (eot)
        naccb_eotinfo_decode(obj, &e);
    /* The seed: events are ignored until the table is ready. */
    if (sent && eot)
        xdi__check_eotinfo(c->srv, c->host, &e, &v);
    else if (sent)
        xdi__check_text(c->srv, c->host, rx->h.object, obj, rx->h.size, t,
                        &v);
    record_object(c, rx, i, &v, eot ? &e : NULL, padded);
    if (v.fires)
        *fires = true;
    return xdi__verdict_ok(v.kind);
}

/*
 * The automation of a NACCB whose every object passed: object i again, now
 * to fire what it triggers (automation.c).  The checks are pure and t is
 * the same instant, so the verdicts are those just journalled.  It runs
 * only when a verdict said something fires (most events have no action,
 * so most texts are matched once); matching again through the EVBLOK
 * index costs less than holding every match of every object (a NACCB may
 * carry thousands of texts).
 */
static void fire_object(struct xdi_conn *c, const struct xdi__rx *rx,
                        uint32_t i, const struct naccb_local_time *t)
{
    const uint8_t *obj = rx->bytes + NACCB_HEADER_SIZE + (size_t)i * rx->h.size;
    struct naccb_eotinfo e;
    struct xdi__verdict v;

    if (rx->h.object != NACCB_OBJ_EOTINFO) {
        xdi__auto_text(c, rx->h.object, obj, rx->h.size, t);
        return;
    }
    naccb_eotinfo_decode(obj, &e);
    xdi__check_eotinfo(c->srv, c->host, &e, &v);
    if (v.kind == XDI__V_OK)
        xdi__auto_eotinfo(c, v.index, &e);
}

/*
 * Step 4: every object journalled with its verdict; any failure is one
 * error 05 for the NACCB.  The server never acknowledges an info NACCB.
 * Actions and triggers fire only when every object passed (a decision,
 * docs/journal.md "action"): the error rejects the NACCB as a whole, and
 * an agent that resends it corrected must not fire the good half twice.
 * They fire after every info record, in object order.
 */
static void info(struct xdi_conn *c, const struct xdi__rx *rx)
{
    struct naccb_local_time t;
    uint32_t failed = 0;
    bool fires = false;
    bool padded;
    struct failure f;

    /* Every object costs a match and a journal record: a bound keeps one
     * 16 MiB NACCB of 1-byte texts from stalling the server for everyone. */
    if (rx->h.count > c->srv->cfg.max_info_objects) {
        f = failure("too_many_objects", NACCB_ERR_INFORMATION, 0,
                    NACCB_OFF_COUNT,
                    "more objects in one info NACCB than the server takes "
                    "(--max-info-objects)");
        violation(c, rx, &f, true);
        return;
    }
    xdi__local_time(c->srv, &t);
    padded = texts_padded(c->srv, rx);
    for (uint32_t i = 0; i < rx->h.count; i++)
        if (!info_object(c, rx, i, &t, padded, &fires))
            failed++;
    if (failed == 0) {
        for (uint32_t i = 0; i < rx->h.count && c->host != NULL && fires; i++)
            fire_object(c, rx, i, &t);
        return;
    }
    f = failure("content", NACCB_ERR_INFORMATION, 0, -1,
                "info objects failed their checks (see the info records)");
    {
        json_t *rec = xdi__rec(c, "violation", NULL);
        xdi__rec_rx(rec, rx, true);
        record_failure(rec, &f);
        xdi__rec_int(rec, "failed", failed);
        xdi__journal_violation(c, rec, false);
    }
    xdi__send_error(c, f.error_code, rx->h.object, rx);
}

/* The agent could not carry out a request (§7): journalled, never
 * answered, when its error byte is one of the two the notes give. */
static void agent_error(struct xdi_conn *c, const struct xdi__rx *rx)
{
    const char *obj_name = naccb_object_name(rx->h.object);
    json_t *rec;

    if (rx->h.error_code != NACCB_ERR_REQUEST &&
        rx->h.error_code != NACCB_ERR_INFORMATION) {
        struct failure f = failure(
            "agent_error_code", NACCB_ERR_INFORMATION, 0, NACCB_OFF_ERROR_CODE,
            "an agent error carries error code 04 or 05");
        violation(c, rx, &f, true);
        return;
    }
    rec = xdi__rec(c, "agent_error", NULL);
    xdi__rec_rx(rec, rx, false);
    xdi__rec_int(rec, "error", rx->h.error_code);
    xdi__rec_str(rec, "error_name", naccb_error_code_name(rx->h.error_code));
    xdi__rec_int(rec, "object", rx->h.object);
    xdi__rec_str(rec, "object_name", obj_name != NULL ? obj_name : "unknown");
    if (rx->h.count == 1)
        xdi__rec_ebcdic(rec, c->srv, "text", rx->bytes + NACCB_HEADER_SIZE,
                        rx->h.size, false);
    xdi__journal(c->srv, rec);
}

static void dispatch(struct xdi_conn *c, const struct xdi__rx *rx)
{
    switch (rx->h.request) {
    case NACCB_REQ_LOGOUT:
        logout(c, rx);
        break;
    case NACCB_REQ_ACQUIRE:
        acquire(c, rx);
        break;
    case NACCB_REQ_INFO:
        info(c, rx);
        break;
    case NACCB_REQ_ERROR:
        agent_error(c, rx);
        break;
    default: /* naccb_message_check_objects let no other request through */
        break;
    }
}

void xdi__handle(struct xdi_conn *c, const uint8_t *bytes, size_t len)
{
    struct xdi__rx rx;

    rx.bytes = bytes;
    rx.len = len;
    rx.seq = ++c->received;
    c->traffic.naccbs_in++;
    c->srv->traffic.naccbs_in++;
    rx.max_raw = c->srv->cfg.journal_max_raw;
    if (naccb_header_decode(bytes, len, &rx.h) < 0)
        return; /* the framer hands out at least 36 bytes */
    if (check_common(c, &rx) != 0)
        return;
    if (c->host == NULL) {
        login(c, &rx);
        return;
    }
    if (check_session(c, &rx) != 0)
        return;
    dispatch(c, &rx);
}

/* §11: bad framing loses the frame boundary, so nothing after it can
 * be read: error 05 with object 00 (and a blank system name before a
 * session: there is no header to echo), then close. */
void xdi__lost_framing(struct xdi_conn *c, int rc)
{
    json_t *rec;

    if (rc == NACCB_ENOMEM) {
        rec = xdi__rec(c, "internal_error", NULL);
        xdi__rec_str(rec, "reason", "out of memory for a split NACCB");
        xdi__journal(c->srv, rec);
        xdi__conn_close(c);
        return;
    }
    rec = xdi__rec(c, "violation", NULL);
    xdi__rec_str(rec, "check", "framing");
    xdi__rec_int(rec, "error", NACCB_ERR_INFORMATION);
    xdi__rec_str(rec, "error_name",
                 naccb_error_code_name(NACCB_ERR_INFORMATION));
    xdi__rec_str(rec, "codec_error", naccb_err_name(rc));
    xdi__rec_int(rec, "stream_offset", (json_int_t)c->framer.error_offset);
    xdi__rec_str(rec, "reason", naccb_strerror(rc));
    xdi__journal_violation(c, rec, true); /* the connection's last */
    xdi__send_error(c, NACCB_ERR_INFORMATION, 0, NULL);
    xdi__conn_close(c);
}
