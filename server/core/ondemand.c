/*
 * ondemand.c - what the control plane asks of the host now (server.h, "on
 * demand"): exec command, exec job, replace EMS / SCD and shutdown to one
 * agent, XDI down / up, a reset to a clean slate, and the status of each
 * host as the control plane shows it.
 *
 * The NACCBs are those of docs/protocol.md §7, built and journalled as the
 * automation's are (automation.c, reply.c): the control record that says
 * who asked is the "why" of the send, journalled with its outcome just
 * before the send's own record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

const char *xdi_od_result_name(enum xdi_od_result r)
{
    switch (r) {
    case XDI_OD_SENT:
        return "sent";
    case XDI_OD_NO_SYSTEM:
        return "no_such_system";
    case XDI_OD_NOT_CONNECTED:
        return "not_connected";
    case XDI_OD_BAD_REQUEST:
        return "bad_request";
    case XDI_OD_DROPPED:
        return "send_dropped";
    }
    return "unknown";
}

void xdi_server_journal(struct xdi_server *srv, json_t *rec)
{
    xdi__journal(srv, rec);
}

/* A request that went nowhere: why says so. */
static enum xdi_od_result not_sent(struct xdi_server *srv, json_t *why,
                                   enum xdi_od_result r)
{
    xdi__rec_str(why, "outcome", xdi_od_result_name(r));
    xdi__journal(srv, why);
    return r;
}

/* The live session of the host named system, or a failure in *r. */
static struct xdi_conn *target(struct xdi_server *srv, const char *system,
                               enum xdi_od_result *r)
{
    struct xdi__host *h =
        system != NULL ? xdi__host_by_name(srv, system) : NULL;
    struct xdi_conn *c;

    if (h == NULL) {
        *r = XDI_OD_NO_SYSTEM;
        return NULL;
    }
    c = xdi__live(h);
    *r = c == NULL ? XDI_OD_NOT_CONNECTED : XDI_OD_SENT;
    return c;
}

/* After a send on c: did a NACCB go out (the count moved)? */
static enum xdi_od_result sent_result(const struct xdi_conn *c, uint64_t before)
{
    return c->traffic.naccbs_out > before ? XDI_OD_SENT : XDI_OD_DROPPED;
}

enum xdi_od_result xdi_server_exec_command(struct xdi_server *srv,
                                           const char *system, const char *text,
                                           json_t *why, uint64_t *conn)
{
    enum xdi_od_result r;
    struct xdi_conn *c = target(srv, system, &r);
    size_t len = text != NULL ? strlen(text) : 0;
    uint8_t cmd[NACCB_TEXT_MAX];
    uint64_t before;

    if (c == NULL)
        return not_sent(srv, why, r);
    /* §7: one command text of 1..128 bytes; never cut. */
    if (len == 0 || len > sizeof(cmd))
        return not_sent(srv, why, XDI_OD_BAD_REQUEST);
    naccb_ebcdic_encode(srv->fixtures->codepage, (const uint8_t *)text, len,
                        cmd);
    if (conn != NULL)
        *conn = c->id;
    xdi__rec_int(why, "target_conn", (json_int_t)c->id);
    before = c->traffic.naccbs_out;
    xdi__send_one(c, NACCB_KEY_EXEC_CMD, cmd, len, NULL, why);
    return sent_result(c, before);
}

/* [A-Z0-9$#@]{1,8}: what a job name may be (docs/fixtures.md). */
static bool job_name_ok(const char *job)
{
    size_t n = job != NULL ? strlen(job) : 0;

    if (n == 0 || n > NACCB_NAME_SIZE)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = job[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '$' || ch == '#' || ch == '@'))
            return false;
    }
    return true;
}

enum xdi_od_result xdi_server_exec_job(struct xdi_server *srv,
                                       const char *system, const char *job,
                                       json_t *why, uint64_t *conn)
{
    enum xdi_od_result r;
    struct xdi_conn *c = target(srv, system, &r);
    uint64_t before;

    if (c == NULL)
        return not_sent(srv, why, r);
    if (!job_name_ok(job))
        return not_sent(srv, why, XDI_OD_BAD_REQUEST);
    if (conn != NULL)
        *conn = c->id;
    xdi__rec_int(why, "target_conn", (json_int_t)c->id);
    before = c->traffic.naccbs_out;
    xdi__send_exec_job(c, job, why);
    return sent_result(c, before);
}

/* why journalled with the outcome, then the NACCB sent by send(). */
static enum xdi_od_result send_after_why(struct xdi_conn *c, json_t *why,
                                         bool ems, bool table)
{
    struct xdi__out out = {.key = NACCB_KEY_SHUTDOWN};
    uint64_t before = c->traffic.naccbs_out;

    /* The outcome of a table or shutdown is known before the send: the
     * connection is live; a failed send has its own record after. */
    xdi__rec_int(why, "target_conn", (json_int_t)c->id);
    xdi__rec_str(why, "outcome", "sent");
    xdi__journal(c->srv, why);
    if (table)
        xdi__send_table(c, ems, true, NULL);
    else
        xdi__send(c, &out, NULL, NULL, NULL);
    return sent_result(c, before);
}

enum xdi_od_result xdi_server_replace_table(struct xdi_server *srv,
                                            const char *system, bool ems,
                                            json_t *why, uint64_t *conn)
{
    enum xdi_od_result r;
    struct xdi_conn *c = target(srv, system, &r);

    if (c == NULL)
        return not_sent(srv, why, r);
    if (conn != NULL)
        *conn = c->id;
    /* Like a reload's replacement (server.h): the agent acquired it. */
    if (ems)
        c->ems_acquired = true;
    else
        c->scd_acquired = true;
    return send_after_why(c, why, ems, true);
}

/* ---- a table given in the request ---------------------------------------- */

/* The first error of the loader, as "entries[i]: message". */
struct entries_err {
    char *buf;
    size_t cap;
    int n;
};

/* The line of the document built below on which entry 0 stands. */
#define FIRST_ENTRY_LINE 3

static void entries_error(void *ctx, const char *file, int line,
                          const char *message)
{
    struct entries_err *e = ctx;

    (void)file;
    if (e->n++ > 0 || e->cap == 0)
        return;
    if (line >= FIRST_ENTRY_LINE)
        snprintf(e->buf, e->cap, "entries[%d]: %s", line - FIRST_ENTRY_LINE,
                 message);
    else
        snprintf(e->buf, e->cap, "entries: %s", message);
}

/* A JSON string of a Latin-1 name, malloc'd ("\"SYSA\""), or NULL. */
static char *name_json(const char *latin1)
{
    json_t *k = json_object();
    json_t *v;
    char *out = NULL;

    xdi__rec_latin1(k, "n", latin1, strlen(latin1));
    v = json_object_get(k, "n");
    if (v != NULL)
        out = json_dumps(v, JSON_ENCODE_ANY);
    json_decref(k);
    return out;
}

struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void add(struct text *t, const char *s)
{
    size_t n = strlen(s);

    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *b = realloc(t->buf, cap);
        if (b == NULL) {
            t->failed = true;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

/*
 * A fixture document with the host's table made of entries, one per line
 * from FIRST_ENTRY_LINE on, so that the loader's line says which entry it
 * means; every other host of the set is named (without tables), so that a
 * trigger or action target may name it as in a fixture file.
 */
static char *entries_document(const struct xdi_server *srv,
                              const struct xdi__host *h, bool ems,
                              const json_t *entries)
{
    struct text t = {NULL, 0, 0, false};
    char *name = name_json(h->fixture->system_name);
    char head[128];

    snprintf(head, sizeof head, "{\"settings\": {\"codepage\": \"%s\"},\n",
             naccb_codepage_name(srv->fixtures->codepage));
    add(&t, head);
    add(&t, "\"hosts\": [{\"system\": ");
    add(&t, name != NULL ? name : "\"\"");
    add(&t, ems ? ", \"ems\": {\"ready\": true, \"events\": [\n"
                : ", \"scd\": {\"ready\": true, \"jobs\": [\n");
    free(name);
    for (size_t i = 0; i < json_array_size(entries); i++) {
        char *line = json_dumps(json_array_get(entries, i),
                                JSON_COMPACT | JSON_ENCODE_ANY);
        if (line == NULL) {
            t.failed = true;
            break;
        }
        add(&t, line);
        add(&t, i + 1 < json_array_size(entries) ? ",\n" : "\n");
        free(line);
    }
    add(&t, "]}}");
    for (size_t i = 0; i < srv->n_hosts; i++) {
        if (&srv->hosts[i] == h)
            continue;
        name = name_json(srv->hosts[i].fixture->system_name);
        add(&t, ",\n{\"system\": ");
        add(&t, name != NULL ? name : "\"\"");
        add(&t, "}");
        free(name);
    }
    add(&t, "]}\n");
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    return t.buf;
}

enum xdi_od_result xdi_server_replace_entries(struct xdi_server *srv,
                                              const char *system, bool ems,
                                              const json_t *entries,
                                              json_t *why, uint64_t *conn,
                                              char *err, size_t err_size)
{
    enum xdi_od_result r;
    struct xdi_conn *c = target(srv, system, &r);
    struct xdi_fixture_set *set = NULL;
    struct entries_err e = {err, err_size, 0};
    const struct xdi_host *from;
    char *doc;

    if (err_size > 0)
        err[0] = '\0';
    if (c == NULL)
        return not_sent(srv, why, r);
    if (!json_is_array(entries)) {
        snprintf(err, err_size, "entries: must be a list of %s",
                 ems ? "events" : "jobs");
        return not_sent(srv, why, XDI_OD_BAD_REQUEST);
    }
    doc = entries_document(srv, c->host, ems, entries);
    if (doc == NULL) {
        snprintf(err, err_size, "out of memory");
        return not_sent(srv, why, XDI_OD_DROPPED);
    }
    /* The fixture loader itself: the body is checked exactly as a file. */
    if (xdi_fixture_load_text("request", doc, strlen(doc), &set, entries_error,
                              &e) != 0) {
        free(doc);
        xdi__rec_str(why, "reason", err);
        return not_sent(srv, why, XDI_OD_BAD_REQUEST);
    }
    free(doc);
    from = xdi_fixture_find_host(set, c->host->fixture->system_name);
    if (from == NULL || xdi__table_override(c->host, ems, set, from) != 0) {
        xdi_fixture_free(set);
        snprintf(err, err_size, "out of memory");
        return not_sent(srv, why, XDI_OD_DROPPED);
    }
    xdi__rec_int(why, "entries",
                 (json_int_t)(ems ? c->host->ems.count : c->host->scd.count));
    if (conn != NULL)
        *conn = c->id;
    if (ems)
        c->ems_acquired = true;
    else
        c->scd_acquired = true;
    return send_after_why(c, why, ems, true);
}

enum xdi_od_result xdi_server_shutdown_agent(struct xdi_server *srv,
                                             const char *system, json_t *why,
                                             uint64_t *conn)
{
    enum xdi_od_result r;
    struct xdi_conn *c = target(srv, system, &r);

    if (c == NULL)
        return not_sent(srv, why, r);
    if (conn != NULL)
        *conn = c->id;
    return send_after_why(c, why, false, false);
}

void xdi_server_set_down(struct xdi_server *srv, bool down)
{
    srv->cfg.xdi_down = down;
}

size_t xdi_server_reset(struct xdi_server *srv)
{
    struct xdi__out out = {.key = NACCB_KEY_SHUTDOWN};
    size_t n = 0;

    /* Closing does not unlink (the network layer calls
     * xdi_conn_closed() later), so the list can be walked. */
    for (struct xdi_conn *c = srv->conns; c != NULL; c = c->next) {
        if (c->closing)
            continue;
        if (c->host != NULL)
            xdi__send(c, &out, NULL, NULL, NULL);
        xdi__conn_close(c);
        n++;
    }
    xdi__held_drop(srv, NULL, "reset");
    /* A clean slate for the next test: no address starts it with the
     * failed logins of the one before (the connections' own went with
     * them). */
    xdi__guard_forget(srv);
    /* Tables given on demand give way to the fixture's again (no session
     * is left to be sent them).  Out of memory keeps the given one. */
    for (size_t i = 0; i < srv->n_hosts; i++) {
        struct xdi__host *h = &srv->hosts[i];
        if (h->ems_set != NULL)
            xdi__table_override(h, true, NULL, h->fixture);
        if (h->scd_set != NULL)
            xdi__table_override(h, false, NULL, h->fixture);
    }
    return n;
}

/* "2026-11-21T08:30:00.123Z", as the journal's "ts". */
static json_t *iso_time(const struct timespec *t)
{
    struct tm tm;
    char buf[64];
    long ms = t->tv_nsec / 1000000L;

    if (gmtime_r(&t->tv_sec, &tm) == NULL)
        return json_null();
    if (ms < 0 || ms > 999)
        ms = 0;
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ms);
    return json_string(buf);
}

void xdi__conn_last_event(struct xdi_conn *c, const char *kind,
                          const uint8_t *text, size_t len)
{
    xdi__now(c->srv, &c->last_ts);
    c->last_kind = kind != NULL ? kind : "unknown";
    c->has_last_text = text != NULL;
    if (text == NULL)
        return;
    if (len > c->last_text_cap) {
        uint8_t *p = realloc(c->last_text, len);
        if (p == NULL) {
            /* No memory: the status says there was a text, not which. */
            c->last_text_len = 0;
            c->has_last_text = false;
            return;
        }
        c->last_text = p;
        c->last_text_cap = len;
    }
    if (len > 0)
        memcpy(c->last_text, text, len);
    c->last_text_len = len;
}

/* {"ts","event","text"} of the last event c's agent reported, or null. */
static json_t *last_event_json(const struct xdi_conn *c)
{
    json_t *ev;

    if (c->last_kind == NULL)
        return json_null();
    ev = json_object();
    json_object_set_new(ev, "ts", iso_time(&c->last_ts));
    xdi__rec_str(ev, "event", c->last_kind);
    if (c->has_last_text)
        xdi__rec_ebcdic(ev, c->srv, "text", c->last_text, c->last_text_len,
                        false);
    else
        json_object_set_new(ev, "text", json_null());
    return ev;
}

/* entries: what the fixture holds (sent or not); sent_entries: what an
 * agent is sent now (0 when the table is not ready). */
static json_t *table_status(bool ready, size_t entries,
                            const struct xdi__table *t)
{
    json_t *o = json_object();

    json_object_set_new(o, "ready", json_boolean(ready));
    json_object_set_new(o, "entries", json_integer((json_int_t)entries));
    json_object_set_new(o, "available", json_boolean(t->blob != NULL));
    json_object_set_new(o, "sent_entries", json_integer(t->count));
    return o;
}

static size_t ems_entries(const struct xdi_host *fh)
{
    size_t n = 0;

    if (fh->ems_raw != NULL)
        return fh->ems_raw_len / NACCB_EVBLOK_SIZE;
    /* §8: ET 03 and 04 never go into an agent's table. */
    for (size_t i = 0; i < fh->n_events; i++)
        n += naccb_event_type_for_agent(fh->events[i].evblok.event_type) != 0;
    return n;
}

static size_t scd_entries(const struct xdi_host *fh)
{
    if (fh->scd_raw != NULL)
        return fh->scd_raw_len / NACCB_EOTINFO_SIZE;
    return fh->n_jobs;
}

static json_t *host_json(struct xdi_server *srv, const struct xdi__host *h)
{
    const char *name = h->fixture->system_name;
    json_t *o = json_object();
    json_t *tables = json_object();
    struct xdi_conn *c = xdi__live(h);
    size_t held = 0;

    xdi__rec_latin1(o, "name", name, strlen(name));
    {
        /* A table given on demand is what is in force (and ready). */
        const struct xdi_host *ge =
            h->ems_set != NULL ? xdi_fixture_find_host(h->ems_set, name) : NULL;
        const struct xdi_host *gs =
            h->scd_set != NULL ? xdi_fixture_find_host(h->scd_set, name) : NULL;
        json_t *te =
            table_status(ge != NULL || h->fixture->ems_ready,
                         ems_entries(ge != NULL ? ge : h->fixture), &h->ems);
        json_t *ts =
            table_status(gs != NULL || h->fixture->scd_ready,
                         scd_entries(gs != NULL ? gs : h->fixture), &h->scd);
        json_object_set_new(te, "given", json_boolean(ge != NULL));
        json_object_set_new(ts, "given", json_boolean(gs != NULL));
        json_object_set_new(tables, "ems", te);
        json_object_set_new(tables, "scd", ts);
    }
    json_object_set_new(o, "tables", tables);
    if (c == NULL) {
        json_object_set_new(o, "agent", json_null());
    } else {
        json_t *a = json_object();
        xdi__rec_int(a, "agent_id", c->agent_id);
        xdi__rec_int(a, "conn", (json_int_t)c->id);
        xdi__rec_str(a, "peer", c->peer);
        json_object_set_new(a, "login", iso_time(&c->login_ts));
        xdi__rec_int(a, "naccbs_in", (json_int_t)c->traffic.naccbs_in);
        xdi__rec_int(a, "naccbs_out", (json_int_t)c->traffic.naccbs_out);
        xdi__rec_int(a, "bytes_in", (json_int_t)c->traffic.bytes_in);
        xdi__rec_int(a, "bytes_out", (json_int_t)c->traffic.bytes_out);
        json_object_set_new(a, "ems_sent", json_boolean(c->ems_sent));
        json_object_set_new(a, "scd_sent", json_boolean(c->scd_sent));
        json_object_set_new(a, "last_event", last_event_json(c));
        json_object_set_new(o, "agent", a);
    }
    for (const struct xdi__held *p = srv->held; p != NULL; p = p->next)
        held += strcmp(p->target, name) == 0;
    xdi__rec_int(o, "held_triggers", (json_int_t)held);
    return o;
}

json_t *xdi_server_host_status(struct xdi_server *srv, const char *system)
{
    const struct xdi__host *h =
        system != NULL ? xdi__host_by_name(srv, system) : NULL;

    return h != NULL ? host_json(srv, h) : NULL;
}

json_t *xdi_server_hosts_status(struct xdi_server *srv)
{
    json_t *a = json_array();

    for (size_t i = 0; i < srv->n_hosts; i++)
        json_array_append_new(a, host_json(srv, &srv->hosts[i]));
    return a;
}

void xdi_server_totals(const struct xdi_server *srv, struct xdi_traffic *t)
{
    *t = srv->traffic;
}

uint64_t xdi_server_last_jseq(const struct xdi_server *srv)
{
    return srv->next_jseq;
}

bool xdi_server_stopping(const struct xdi_server *srv)
{
    return srv->stopping;
}

bool xdi_server_reports_eotinfo(struct xdi_server *srv, const char *system,
                                const char *job)
{
    struct xdi__host *h =
        system != NULL ? xdi__host_by_name(srv, system) : NULL;
    struct xdi_conn *c = xdi__live(h);
    uint8_t name[NACCB_NAME_SIZE];

    if (c == NULL || !c->scd_sent || job == NULL ||
        naccb_field_put(srv->fixtures->codepage, name, sizeof name, job,
                        strlen(job)) != 0)
        return false;
    /* §9: the agent reports the end of a job its SCD table lists. */
    for (uint32_t i = 0; i < h->scd.count; i++)
        if (memcmp(h->entries[i].job_name, name, NACCB_NAME_SIZE) == 0)
            return true;
    return false;
}
