/*
 * control_api.c - the routes under /xdi (docs/control.md): the route
 * table (xdi_control_routes(), what server/control/openapi.json
 * describes, checked by tests/test_control.c), the router and one handler
 * per route.
 *
 * Every answer is {"rc": status, "message": [...], ...}; an error adds
 * "msgid".  Message ids:
 *   XDIC001I logon ok              XDIC002E authentication failed
 *   XDIC003I logoff ok             XDIC004E no such route
 *   XDIC005E method not allowed    XDIC006E bad request (what, where)
 *   XDIC007E no such system        XDIC008E system has no agent connected
 *   XDIC009E no such job           XDIC010E host stopping
 *   XDIC011E out of memory         XDIC012E send failed
 *   XDIC013E password change       XDIC014E reload failed
 *   XDIC015E not supported here    XDIC016E body too large (413; the
 *                                           HTTP layer answers it)
 *   XDIC020I ... done (informational)
 * Every action (not a GET) is journalled as a "control" record with the
 * user, the client's address and what it did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_internal.h"

/* Longest wait a request may ask for, seconds. */
#define MAX_WAIT_S 3600

/* ---- the route table -------------------------------------------------------- */

enum route_id {
    R_LOGON_GET,
    R_LOGON,
    R_LOGOFF,
    R_OPENAPI,
    R_SYSTEMS,
    R_SYSTEM,
    R_COMMANDS,
    R_SUBMIT,
    R_REPLACE,
    R_SHUTDOWN,
    R_JOBS,
    R_JOB,
    R_JOB_PURGE,
    R_JOB_RERUN,
    R_HOST,
    R_HOST_DOWN,
    R_HOST_UP,
    R_HOST_RELOAD,
    R_HOST_RESET,
    R_JOURNAL,
    R_STREAM,
    R_METRICS,
    R_COUNT
};

static const struct xdi_control_route routes[R_COUNT] = {
    [R_LOGON_GET] = {"GET", "/xdi/logon", false},
    [R_LOGON] = {"POST", "/xdi/logon", false},
    [R_LOGOFF] = {"POST", "/xdi/logoff", true},
    [R_OPENAPI] = {"GET", "/xdi/openapi.json", false},
    [R_SYSTEMS] = {"GET", "/xdi/systems", true},
    [R_SYSTEM] = {"GET", "/xdi/systems/{name}", true},
    [R_COMMANDS] = {"POST", "/xdi/systems/{name}/commands", true},
    [R_SUBMIT] = {"POST", "/xdi/systems/{name}/jobs", true},
    [R_REPLACE] = {"POST", "/xdi/systems/{name}/replace", true},
    [R_SHUTDOWN] = {"POST", "/xdi/systems/{name}/shutdown", true},
    [R_JOBS] = {"GET", "/xdi/jobs", true},
    [R_JOB] = {"GET", "/xdi/jobs/{system}/{jobid}", true},
    [R_JOB_PURGE] = {"DELETE", "/xdi/jobs/{system}/{jobid}", true},
    [R_JOB_RERUN] = {"POST", "/xdi/jobs/{system}/{jobid}/rerun", true},
    [R_HOST] = {"GET", "/xdi/host", true},
    [R_HOST_DOWN] = {"POST", "/xdi/host/down", true},
    [R_HOST_UP] = {"POST", "/xdi/host/up", true},
    [R_HOST_RELOAD] = {"POST", "/xdi/host/reload", true},
    [R_HOST_RESET] = {"POST", "/xdi/host/reset", true},
    [R_JOURNAL] = {"GET", "/xdi/journal", true},
    [R_STREAM] = {"GET", "/xdi/journal/stream", true},
    [R_METRICS] = {"GET", "/xdi/metrics", true},
};

const struct xdi_control_route *xdi_control_routes(size_t *n)
{
    *n = R_COUNT;
    return routes;
}

#define MAX_PARAMS 2

/* One request being handled. */
struct call {
    struct xdi_control *ctl;
    const struct xdi_http_request *req;
    struct xdi_http_response *resp;
    struct xdi__who who;
    char params[MAX_PARAMS][64]; /* the {..} segments, decoded */
};

/* Does path match the template?  The {..} segments go to params. */
static bool match_path(const char *tpl, const char *path,
                       char params[MAX_PARAMS][64])
{
    size_t np = 0;

    while (*tpl != '\0' && *path != '\0') {
        if (*tpl != '/' || *path != '/')
            return false;
        tpl++;
        path++;
        {
            const char *te = strchr(tpl, '/');
            const char *pe = strchr(path, '/');
            size_t tl = te != NULL ? (size_t)(te - tpl) : strlen(tpl);
            size_t pl = pe != NULL ? (size_t)(pe - path) : strlen(path);
            if (tl > 0 && tpl[0] == '{') {
                if (pl == 0 || np >= MAX_PARAMS ||
                    !xdi__url_decode(path, pl, params[np], 64, false))
                    return false;
                np++;
            } else if (tl != pl || strncmp(tpl, path, tl) != 0) {
                return false;
            }
            tpl += tl;
            path += pl;
        }
    }
    /* One trailing slash is forgiven ("/xdi/systems/"). */
    if (*tpl == '\0' && path[0] == '/' && path[1] == '\0')
        return true;
    return *tpl == '\0' && *path == '\0';
}

/* ---- helpers ------------------------------------------------------------------ */

/* UTF-8 (from JSON) to Latin-1, what the wire's code pages hold; false
 * when a character is beyond U+00FF or the result does not fit cap. */
static bool utf8_to_latin1(const char *s, char *out, size_t cap)
{
    size_t k = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
        unsigned ch;
        if (*p < 0x80) {
            ch = *p++;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            ch = ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
            p += 2;
        } else {
            return false;
        }
        if (ch > 0xFF || k + 1 >= cap)
            return false;
        out[k++] = (char)ch;
    }
    out[k] = '\0';
    return true;
}

static enum xdi_control_verdict done(void)
{
    return XDI_CONTROL_DONE;
}

/* The body's "wait": absent 0, else 0..MAX_WAIT_S seconds (a number).
 * -1 with a 400 in resp. */
static long wait_ms(struct call *c, const json_t *body)
{
    const json_t *w = json_object_get(body, "wait");
    double s;

    if (w == NULL || json_is_null(w) || json_is_false(w))
        return 0;
    if (json_is_true(w))
        s = 30;
    else if (json_is_number(w))
        s = json_number_value(w);
    else
        s = -1;
    if (s < 0 || s > MAX_WAIT_S) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"wait\" must be a number of seconds, 0 to %d",
                        MAX_WAIT_S);
        return -1;
    }
    return (long)(s * 1000.0 + 0.5);
}

/* The HTTP answer of an on-demand result that is not "sent". */
static void od_error(struct call *c, enum xdi_od_result r, const char *system)
{
    switch (r) {
    case XDI_OD_NO_SYSTEM:
        xdi__resp_error(c->resp, 404, "XDIC007E", "no such system: %s", system);
        break;
    case XDI_OD_NOT_CONNECTED:
        xdi__resp_error(c->resp, 409, "XDIC008E",
                        "system %s has no agent connected", system);
        break;
    case XDI_OD_BAD_REQUEST:
        xdi__resp_error(c->resp, 400, "XDIC006E", "not valid to send");
        break;
    case XDI_OD_DROPPED:
    case XDI_OD_SENT:
        xdi__resp_error(c->resp, 502, "XDIC012E",
                        "the NACCB to %s could not be written (its "
                        "connection is closing)",
                        system);
        break;
    }
}

/* 404 for a system the fixture set does not have, 503 while stopping;
 * true when the request may go on. */
static bool system_ok(struct call *c, const char *system)
{
    json_t *st;

    if (xdi_server_stopping(c->ctl->srv)) {
        xdi__resp_error(c->resp, 503, "XDIC010E", "the host is stopping");
        return false;
    }
    st = xdi_server_host_status(c->ctl->srv, system);
    if (st == NULL) {
        xdi__resp_error(c->resp, 404, "XDIC007E", "no such system: %s", system);
        return false;
    }
    json_decref(st);
    return true;
}

json_t *xdi__control_rec(const struct xdi__who *who, const char *interface,
                         const char *action)
{
    json_t *rec = json_object();

    json_object_set_new(rec, "event", json_string("control"));
    json_object_set_new(rec, "user", json_string(who->user));
    json_object_set_new(rec, "client", json_string(who->client));
    json_object_set_new(rec, "interface", json_string(interface));
    json_object_set_new(rec, "action", json_string(action));
    return rec;
}

static void journal_action(struct call *c, json_t *rec)
{
    if (json_object_get(rec, "outcome") == NULL)
        json_object_set_new(rec, "outcome", json_string("done"));
    xdi_server_journal(c->ctl->srv, rec);
}

enum xdi_od_result xdi__od_command(struct xdi_control *ctl,
                                   const struct xdi__who *who,
                                   const char *interface, const char *system,
                                   const char *command, uint64_t *conn,
                                   uint64_t *jseq)
{
    json_t *why = xdi__control_rec(who, interface, "exec_command");
    enum xdi_od_result r;

    json_object_set_new(why, "system", json_string(system));
    json_object_set_new(why, "command", json_string(command));
    *jseq = 0;
    {
        /* The wire takes Latin-1; the record keeps the UTF-8. */
        char latin1[NACCB_TEXT_MAX + 2];
        if (!utf8_to_latin1(command, latin1, sizeof latin1))
            latin1[0] = '\0';
        r = xdi_server_exec_command(ctl->srv, system, latin1, why, conn);
    }
    if (r == XDI_OD_SENT)
        *jseq = xdi_server_last_jseq(ctl->srv);
    return r;
}

enum xdi_od_result xdi__od_job(struct xdi_control *ctl,
                               const struct xdi__who *who,
                               const char *interface, const char *system,
                               const char *name, uint64_t *conn, uint64_t *jseq,
                               json_t **job)
{
    json_t *why = xdi__control_rec(who, interface, "exec_job");
    enum xdi_od_result r;

    json_object_set_new(why, "system", json_string(system));
    json_object_set_new(why, "job", json_string(name));
    *jseq = 0;
    if (job != NULL)
        *job = NULL;
    r = xdi_server_exec_job(ctl->srv, system, name, why, conn);
    /* The send record is the last one (or the record after "control"
     * when it was dropped): either way it created the job. */
    if (r == XDI_OD_SENT || r == XDI_OD_DROPPED) {
        *jseq = xdi_server_last_jseq(ctl->srv);
        if (job != NULL)
            *job = xdi_jobs_created_by(ctl->jobs, *jseq);
    }
    return r;
}

/* ---- waiting for the agent ----------------------------------------------------- */

enum wait_kind { W_COMMAND, W_JOB, W_SHUTDOWN };

struct agent_wait {
    enum wait_kind kind;
    uint64_t conn;
    uint64_t job_jseq; /* W_JOB: the job's handle in the registry */
    char system[16];
    char name[16]; /* W_JOB: the job name */
    /* W_JOB: the agent will send an EOTINFO for the end (its SCD table
     * lists the job): its EOJ text, which comes first, is not the answer
     * (the report has the codes). */
    bool want_eotinfo;
    json_t *body; /* the answer so far ("sent", "job", ...) */
};

static json_int_t rec_int(const json_t *rec, const char *f)
{
    return json_integer_value(json_object_get(rec, f));
}

static const char *rec_str(const json_t *rec, const char *f)
{
    const char *s = json_string_value(json_object_get(rec, f));
    return s != NULL ? s : "";
}

static bool agent_match(void *arg, const struct xdi_record *r)
{
    const struct agent_wait *w = arg;
    const json_t *rec = r->fields;
    const char *ev = rec_str(rec, "event");
    bool same_conn = (uint64_t)rec_int(rec, "conn") == w->conn;

    /* The session ended: nothing more will come from that agent. */
    if (same_conn && strcmp(ev, "disconnect") == 0)
        return true;
    switch (w->kind) {
    case W_COMMAND:
        /* §7: the agent reports the command as a command event (object
         * 04), or says it could not (agent error about object 04). */
        return same_conn && ((strcmp(ev, "info") == 0 &&
                              strcmp(rec_str(rec, "kind"), "CMD") == 0) ||
                             (strcmp(ev, "agent_error") == 0 &&
                              rec_int(rec, "object") == 4));
    case W_JOB: {
        const json_t *e = json_object_get(rec, "eotinfo");
        char head[16];
        if (same_conn && strcmp(ev, "agent_error") == 0 &&
            rec_int(rec, "object") == 8)
            return true;
        if (strcmp(ev, "info") != 0 ||
            strcmp(rec_str(rec, "system"), w->system) != 0)
            return false;
        if (strcmp(rec_str(rec, "kind"), "EOT") == 0)
            return strcmp(rec_str(e, "job_name"), w->name) == 0 &&
                   rec_str(e, "notes")[0] == 'J';
        if (strcmp(rec_str(rec, "kind"), "EOJ") == 0 && !w->want_eotinfo) {
            const char *t = rec_str(rec, "text");
            size_t n = strlen(t) < 8 ? strlen(t) : 8;
            memcpy(head, t, n);
            while (n > 0 && head[n - 1] == ' ')
                n--;
            head[n] = '\0';
            return strcmp(head, w->name) == 0;
        }
        return false;
    }
    case W_SHUTDOWN:
        return same_conn && strcmp(ev, "logout") == 0;
    }
    return false;
}

static void agent_done(void *arg, struct xdi_control *ctl,
                       const struct xdi_record *r,
                       struct xdi_http_response *resp)
{
    struct agent_wait *w = arg;
    json_t *body = w->body;

    w->body = NULL;
    json_object_set(body, "answer", r != NULL ? r->fields : json_null());
    json_object_set_new(body, "timed_out", json_boolean(r == NULL));
    if (w->kind == W_JOB) {
        json_t *job = xdi_jobs_created_by(ctl->jobs, w->job_jseq);
        if (job != NULL)
            json_object_set_new(body, "job", job);
    }
    xdi__resp_json(resp, 200, body);
}

static void agent_free(void *arg)
{
    struct agent_wait *w = arg;

    json_decref(w->body);
    free(w);
}

static const struct xdi__wait_ops agent_ops = {agent_match, agent_done,
                                               agent_free};

/* Answers now (ms 0) or registers the wait; body is owned. */
static enum xdi_control_verdict reply_or_wait(struct call *c,
                                              enum wait_kind kind, long ms,
                                              uint64_t conn, uint64_t job_jseq,
                                              const char *system,
                                              const char *name, json_t *body)
{
    struct agent_wait *w;

    if (ms <= 0 || c->req->reply == NULL) {
        json_object_set_new(body, "answer", json_null());
        xdi__resp_json(c->resp, 200, body);
        return done();
    }
    w = calloc(1, sizeof(*w));
    if (w == NULL) {
        json_decref(body);
        xdi__resp_error(c->resp, 500, "XDIC011E", "out of memory");
        return done();
    }
    w->kind = kind;
    w->conn = conn;
    w->job_jseq = job_jseq;
    snprintf(w->system, sizeof w->system, "%s", system);
    snprintf(w->name, sizeof w->name, "%s", name != NULL ? name : "");
    w->want_eotinfo =
        kind == W_JOB && xdi_server_reports_eotinfo(c->ctl->srv, system, name);
    w->body = body;
    if (xdi__wait_start(c->ctl, c->req->reply, (unsigned)ms, &agent_ops, w) !=
        0) {
        agent_free(w);
        xdi__resp_error(c->resp, 500, "XDIC011E", "out of memory");
        return done();
    }
    return XDI_CONTROL_PENDING;
}

static json_t *sent_obj(const char *key, uint64_t conn, uint64_t jseq)
{
    json_t *o = json_object();

    json_object_set_new(o, "key", json_string(key));
    json_object_set_new(o, "conn", json_integer((json_int_t)conn));
    json_object_set_new(o, "jseq", json_integer((json_int_t)jseq));
    return o;
}

/* ---- handlers ---------------------------------------------------------------------- */

static enum xdi_control_verdict h_systems(struct call *c)
{
    json_t *body = json_object();

    json_object_set_new(body, "systems", xdi_server_hosts_status(c->ctl->srv));
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_system(struct call *c)
{
    json_t *st = xdi_server_host_status(c->ctl->srv, c->params[0]);
    json_t *body;

    if (st == NULL) {
        xdi__resp_error(c->resp, 404, "XDIC007E", "no such system: %s",
                        c->params[0]);
        return done();
    }
    body = json_object();
    json_object_set_new(body, "system", st);
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_commands(struct call *c, json_t *in)
{
    const char *system = c->params[0];
    const json_t *cmd = json_object_get(in, "command");
    const char *text = json_string_value(cmd);
    char latin1[NACCB_TEXT_MAX + 2];
    long ms = wait_ms(c, in);
    uint64_t conn = 0, jseq = 0;
    enum xdi_od_result r;
    json_t *body;
    char msg[200];

    if (ms < 0)
        return done();
    if (text == NULL || text[0] == '\0') {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"command\" must be a string of 1 to 128 "
                        "characters");
        return done();
    }
    if (!utf8_to_latin1(text, latin1, sizeof latin1) ||
        strlen(latin1) > NACCB_TEXT_MAX) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"command\" must be 1 to 128 characters of "
                        "Latin-1 (exec command is never cut)");
        return done();
    }
    if (!system_ok(c, system))
        return done();
    r = xdi__od_command(c->ctl, &c->who, "control", system, text, &conn, &jseq);
    if (r != XDI_OD_SENT) {
        od_error(c, r, system);
        return done();
    }
    body = json_object();
    snprintf(msg, sizeof msg, "XDIC020I exec command sent to %s", system);
    json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(body, "sent", sent_obj("01020104", conn, jseq));
    return reply_or_wait(c, W_COMMAND, ms, conn, 0, system, NULL, body);
}

static bool job_name_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '$' || s[i] == '#' || s[i] == '@'))
            return false;
    return true;
}

/* Exec job name on system, answered (or waited for) in c. */
static enum xdi_control_verdict submit(struct call *c, const char *system,
                                       const char *name, long ms)
{
    uint64_t conn = 0, jseq = 0;
    json_t *job = NULL, *body;
    enum xdi_od_result r;
    char msg[200];

    if (!system_ok(c, system))
        return done();
    r = xdi__od_job(c->ctl, &c->who, "control", system, name, &conn, &jseq,
                    &job);
    if (r != XDI_OD_SENT) {
        json_decref(job);
        od_error(c, r, system);
        return done();
    }
    body = json_object();
    snprintf(msg, sizeof msg, "XDIC020I exec job %s sent to %s", name, system);
    json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(body, "sent", sent_obj("01020108", conn, jseq));
    json_object_set_new(body, "job", job != NULL ? job : json_null());
    return reply_or_wait(c, W_JOB, ms, conn, jseq, system, name, body);
}

static enum xdi_control_verdict h_submit(struct call *c, json_t *in)
{
    const char *name = json_string_value(json_object_get(in, "job"));
    long ms = wait_ms(c, in);

    if (ms < 0)
        return done();
    if (!job_name_ok(name)) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"job\" must be a job name: 1 to 8 of A-Z 0-9 $ # @");
        return done();
    }
    return submit(c, c->params[0], name, ms);
}

static enum xdi_control_verdict h_replace(struct call *c, json_t *in)
{
    const char *system = c->params[0];
    const char *table = json_string_value(json_object_get(in, "table"));
    bool ems;
    uint64_t conn = 0;
    enum xdi_od_result r;
    json_t *why, *body, *entries;
    char msg[200];

    if (table == NULL ||
        (strcmp(table, "ems") != 0 && strcmp(table, "scd") != 0)) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"table\" must be \"ems\" or \"scd\"");
        return done();
    }
    ems = strcmp(table, "ems") == 0;
    entries = json_object_get(in, "entries");
    if (entries != NULL && !json_is_array(entries)) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"entries\" must be a list of %s in the fixture "
                        "format",
                        ems ? "events" : "jobs");
        return done();
    }
    if (!system_ok(c, system))
        return done();
    why = xdi__control_rec(&c->who, "control", "replace");
    json_object_set_new(why, "system", json_string(system));
    json_object_set_new(why, "table", json_string(table));
    if (entries != NULL) {
        char err[512];
        json_object_set_new(why, "given", json_true());
        r = xdi_server_replace_entries(c->ctl->srv, system, ems, entries, why,
                                       &conn, err, sizeof err);
        if (r == XDI_OD_BAD_REQUEST) {
            xdi__resp_error(c->resp, 400, "XDIC006E", "%s", err);
            return done();
        }
    } else {
        r = xdi_server_replace_table(c->ctl->srv, system, ems, why, &conn);
    }
    if (r != XDI_OD_SENT) {
        od_error(c, r, system);
        return done();
    }
    body = json_object();
    snprintf(msg, sizeof msg, "XDIC020I %s table sent to %s",
             ems ? "EMS" : "SCD", system);
    json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(body, "sent",
                        sent_obj(ems ? "01020301" : "01020302", conn,
                                 xdi_server_last_jseq(c->ctl->srv)));
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_shutdown(struct call *c, json_t *in)
{
    const char *system = c->params[0];
    long ms = wait_ms(c, in);
    uint64_t conn = 0;
    enum xdi_od_result r;
    json_t *why, *body;
    char msg[200];

    if (ms < 0 || !system_ok(c, system))
        return done();
    why = xdi__control_rec(&c->who, "control", "shutdown");
    json_object_set_new(why, "system", json_string(system));
    r = xdi_server_shutdown_agent(c->ctl->srv, system, why, &conn);
    if (r != XDI_OD_SENT) {
        od_error(c, r, system);
        return done();
    }
    body = json_object();
    snprintf(msg, sizeof msg, "XDIC020I shutdown sent to %s", system);
    json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(
        body, "sent",
        sent_obj("01020400", conn, xdi_server_last_jseq(c->ctl->srv)));
    return reply_or_wait(c, W_SHUTDOWN, ms, conn, 0, system, NULL, body);
}

static const char *const states[] = {"input", "sent",    "running",
                                     "ended", "abended", "not_run"};

static enum xdi_control_verdict h_jobs(struct call *c)
{
    char system[64] = "", prefix[64] = "", status[32] = "", limit[32] = "";
    const char *q = c->req->query;
    unsigned long lim = 0;
    bool known = false;
    json_t *body;

    xdi__query_get(q, "system", system, sizeof system);
    xdi__query_get(q, "prefix", prefix, sizeof prefix);
    xdi__query_get(q, "status", status, sizeof status);
    if (xdi__query_get(q, "limit", limit, sizeof limit) && limit[0] != '\0') {
        char *end;
        lim = strtoul(limit, &end, 10);
        if (*end != '\0' || limit[0] == '-') {
            xdi__resp_error(c->resp, 400, "XDIC006E",
                            "limit must be a number: %s", limit);
            return done();
        }
    }
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        known |= strcmp(status, states[i]) == 0;
    if (status[0] != '\0' && !known) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "status must be input, sent, running, ended, "
                        "abended or not_run: %s",
                        status);
        return done();
    }
    body = json_object();
    json_object_set_new(
        body, "jobs",
        xdi_jobs_list(c->ctl->jobs, system, prefix, status, (size_t)lim));
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict no_job(struct call *c)
{
    xdi__resp_error(c->resp, 404, "XDIC009E", "no job %s on %s", c->params[1],
                    c->params[0]);
    return done();
}

static enum xdi_control_verdict h_job(struct call *c)
{
    json_t *job = xdi_jobs_get(c->ctl->jobs, c->params[0], c->params[1]);
    json_t *body;

    if (job == NULL)
        return no_job(c);
    body = json_object();
    json_object_set_new(body, "job", job);
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_job_purge(struct call *c)
{
    json_t *rec, *body;
    char msg[200];

    if (xdi_jobs_purge(c->ctl->jobs, c->params[0], c->params[1]) != 0)
        return no_job(c);
    rec = xdi__control_rec(&c->who, "control", "purge");
    json_object_set_new(rec, "system", json_string(c->params[0]));
    json_object_set_new(rec, "jobid", json_string(c->params[1]));
    journal_action(c, rec);
    body = json_object();
    snprintf(msg, sizeof msg, "XDIC020I job %s purged", c->params[1]);
    json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(body, "purged", json_string(c->params[1]));
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_job_rerun(struct call *c, json_t *in)
{
    const char *name = xdi_jobs_name(c->ctl->jobs, c->params[0], c->params[1]);
    char copy[16];
    long ms = wait_ms(c, in);

    if (ms < 0)
        return done();
    if (name == NULL)
        return no_job(c);
    /* The registry changes under the send: keep the name. */
    snprintf(copy, sizeof copy, "%s", name);
    return submit(c, c->params[0], copy, ms);
}

static json_t *host_obj(struct xdi_control *ctl)
{
    json_t *o = json_object();
    struct xdi_server *srv = ctl->srv;

    json_object_set_new(o, "down",
                        json_boolean(xdi_server_config(srv)->xdi_down));
    json_object_set_new(o, "stopping", json_boolean(xdi_server_stopping(srv)));
    json_object_set_new(o, "connections",
                        json_integer((json_int_t)xdi_server_connections(srv)));
    json_object_set_new(o, "sessions",
                        json_integer((json_int_t)xdi_server_sessions(srv)));
    json_object_set_new(
        o, "systems",
        json_integer((json_int_t)xdi_server_fixtures(srv)->n_hosts));
    json_object_set_new(
        o, "held_triggers",
        json_integer((json_int_t)xdi_server_held_triggers(srv)));
    json_object_set_new(o, "jobs",
                        json_integer((json_int_t)xdi_jobs_count(ctl->jobs)));
    json_object_set_new(o, "jseq",
                        json_integer((json_int_t)xdi_server_last_jseq(srv)));
    json_object_set_new(o, "version",
                        json_string("xdi-emu " NACCB_VERSION_STRING));
    return o;
}

static enum xdi_control_verdict host_answer(struct call *c, const char *msg)
{
    json_t *body = json_object();

    if (msg != NULL)
        json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(body, "host", host_obj(c->ctl));
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_host_down(struct call *c, bool down)
{
    json_t *rec = xdi__control_rec(&c->who, "control", down ? "down" : "up");

    json_object_set_new(rec, "was_down",
                        json_boolean(xdi_server_config(c->ctl->srv)->xdi_down));
    xdi_server_set_down(c->ctl->srv, down);
    journal_action(c, rec);
    return host_answer(c, down ? "XDIC020I XDI down: logins are rejected "
                                 "with error 06"
                               : "XDIC020I XDI up");
}

static enum xdi_control_verdict h_host_reload(struct call *c)
{
    char msg[512] = "";
    json_t *rec = xdi__control_rec(&c->who, "control", "reload");
    int rc;

    if (c->ctl->env.reload == NULL) {
        json_object_set_new(rec, "outcome", json_string("not_supported"));
        journal_action(c, rec);
        xdi__resp_error(c->resp, 400, "XDIC015E",
                        "this server cannot reload its fixtures");
        return done();
    }
    rc = c->ctl->env.reload(c->ctl->env.ctx, msg, sizeof msg);
    json_object_set_new(rec, "outcome",
                        json_string(rc == 0 ? "done" : "failed"));
    if (rc != 0)
        json_object_set_new(rec, "reason", json_string(msg));
    journal_action(c, rec);
    if (rc != 0) {
        xdi__resp_error(c->resp, 400, "XDIC014E",
                        "reload failed, the fixtures in force stay: %s", msg);
        return done();
    }
    return host_answer(c, "XDIC020I fixtures reloaded");
}

static enum xdi_control_verdict h_host_reset(struct call *c, json_t *in)
{
    const json_t *rot = json_object_get(in, "rotate_journal");
    json_t *rec;
    size_t closed;
    char msg[512] = "";

    if (rot != NULL && !json_is_boolean(rot)) {
        xdi__resp_error(c->resp, 400, "XDIC006E",
                        "\"rotate_journal\" must be true or false");
        return done();
    }
    if (json_is_true(rot) && c->ctl->env.rotate_journal == NULL) {
        xdi__resp_error(c->resp, 400, "XDIC015E",
                        "this server cannot rotate its journal");
        return done();
    }
    rec = xdi__control_rec(&c->who, "control", "reset");
    closed = xdi_server_reset(c->ctl->srv);
    xdi_jobs_clear(c->ctl->jobs);
    xdi__zosmf_reset(c->ctl->zosmf);
    json_object_set_new(rec, "closed", json_integer((json_int_t)closed));
    json_object_set_new(rec, "rotate_journal", json_boolean(json_is_true(rot)));
    journal_action(c, rec);
    /* Rotated last: the new file begins after the reset's own record. */
    if (json_is_true(rot) &&
        c->ctl->env.rotate_journal(c->ctl->env.ctx, msg, sizeof msg) != 0) {
        xdi__resp_error(c->resp, 500, "XDIC014E",
                        "reset done, but the journal was not rotated: %s", msg);
        return done();
    }
    return host_answer(c, "XDIC020I host reset");
}

/* since=: an unsigned number; false (with a 400) when it is not. */
static bool number_param(struct call *c, const char *name, const char *v,
                         uint64_t *out)
{
    char *end;

    if (v == NULL || v[0] == '\0')
        return true;
    if (v[0] == '-' || (*out = strtoull(v, &end, 10), *end != '\0')) {
        xdi__resp_error(c->resp, 400, "XDIC006E", "%s must be a number: %s",
                        name, v);
        return false;
    }
    return true;
}

static enum xdi_control_verdict h_journal(struct call *c)
{
    char since_s[32] = "", limit_s[32] = "", system[256] = "", kind[256] = "";
    uint64_t since = 0, limit = 1000, next = 0;
    const char *q = c->req->query;
    json_t *body;

    xdi__query_get(q, "since", since_s, sizeof since_s);
    xdi__query_get(q, "limit", limit_s, sizeof limit_s);
    xdi__query_get(q, "system", system, sizeof system);
    xdi__query_get(q, "kind", kind, sizeof kind);
    if (!number_param(c, "since", since_s, &since) ||
        !number_param(c, "limit", limit_s, &limit))
        return done();
    body = json_object();
    if (limit_s[0] != '\0' && limit == 0) {
        /* limit=0: no records, only where the journal is now. */
        json_object_set_new(body, "records", json_array());
        json_object_set_new(
            body, "next",
            json_integer((json_int_t)xdi_server_last_jseq(c->ctl->srv)));
        xdi__resp_json(c->resp, 200, body);
        return done();
    }
    if (limit == 0 || limit > 10000)
        limit = 10000;
    if (since > xdi_server_last_jseq(c->ctl->srv)) {
        /* A number this server never gave: the client polled another
         * server (this one was restarted, jseq begins at 1 again).  From
         * the beginning, and say so. */
        since = 0;
        json_object_set_new(body, "restarted", json_true());
    }
    json_object_set_new(
        body, "records",
        xdi__history_query(c->ctl, since, system, kind, (size_t)limit, &next));
    json_object_set_new(body, "next", json_integer((json_int_t)next));
    xdi__resp_json(c->resp, 200, body);
    return done();
}

static enum xdi_control_verdict h_stream(struct call *c)
{
    char since_s[32] = "", system[256] = "", kind[256] = "";
    uint64_t since = 0;
    const char *q = c->req->query;

    xdi__query_get(q, "since", since_s, sizeof since_s);
    xdi__query_get(q, "system", system, sizeof system);
    xdi__query_get(q, "kind", kind, sizeof kind);
    /* Last-Event-ID (a reconnecting EventSource) wins over ?since=. */
    if (c->req->last_event_id != NULL && c->req->last_event_id[0] != '\0') {
        if (!number_param(c, "Last-Event-ID", c->req->last_event_id, &since))
            return done();
    } else if (!number_param(c, "since", since_s, &since)) {
        return done();
    }
    return xdi__stream_open(c->ctl, c->req, since, system, kind, c->resp);
}

static enum xdi_control_verdict h_metrics(struct call *c)
{
    size_t len = 0;
    char *text = xdi__metrics_text(c->ctl, &len);

    if (text == NULL) {
        xdi__resp_error(c->resp, 500, "XDIC011E", "out of memory");
        return done();
    }
    c->resp->status = 200;
    c->resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    c->resp->body = text;
    c->resp->body_len = len;
    return done();
}

static enum xdi_control_verdict h_openapi(struct call *c)
{
    const struct xdi_control_config *cfg = &c->ctl->cfg;

    if (cfg->openapi_json == NULL) {
        xdi__resp_error(c->resp, 404, "XDIC004E",
                        "this server has no OpenAPI description");
        return done();
    }
    xdi__resp_raw(c->resp, 200, "application/json", cfg->openapi_json,
                  cfg->openapi_len);
    return done();
}

static enum xdi_control_verdict h_logoff(struct call *c)
{
    json_t *rec = xdi__control_rec(&c->who, "control", "logoff");

    xdi__auth_logoff(c->ctl, c->req, &c->who);
    journal_action(c, rec);
    {
        json_t *body = json_object();
        char msg[160];
        snprintf(msg, sizeof msg, "XDIC003I LOGOFF OK %s", c->who.user);
        json_object_set_new(body, "message", json_pack("[s]", msg));
        xdi__resp_json(c->resp, 200, body);
    }
    return done();
}

/* ---- the router ------------------------------------------------------------------------ */

static bool takes_body(enum route_id id)
{
    return routes[id].method[0] == 'P';
}

enum xdi_control_verdict xdi__api_handle(struct xdi_control *ctl,
                                         const struct xdi_http_request *req,
                                         struct xdi_http_response *resp)
{
    struct call c;
    enum route_id id = R_COUNT;
    bool path_known = false;
    enum xdi_control_verdict v = XDI_CONTROL_DONE;
    json_t *in = NULL;
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;

    memset(&c, 0, sizeof c);
    c.ctl = ctl;
    c.req = req;
    c.resp = resp;
    for (int i = 0; i < R_COUNT; i++) {
        char params[MAX_PARAMS][64];
        if (!match_path(routes[i].path, req->path, params))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, method) == 0) {
            id = (enum route_id)i;
            memcpy(c.params, params, sizeof params);
            break;
        }
    }
    if (id == R_COUNT) {
        if (path_known)
            xdi__resp_error(resp, 405, "XDIC005E",
                            "method %s not allowed for %s", req->method,
                            req->path);
        else
            xdi__resp_error(resp, 404, "XDIC004E", "no such route: %s %s",
                            req->method, req->path);
        return XDI_CONTROL_DONE;
    }
    if (id == R_LOGON || id == R_LOGON_GET)
        return xdi__auth_logon(ctl, req, resp);
    if (id == R_OPENAPI)
        return h_openapi(&c);
    if (!xdi__authenticate(ctl, req, &c.who, resp, &v, NULL))
        return v;
    if (takes_body(id)) {
        in = xdi__body_object(req, resp);
        if (in == NULL)
            return XDI_CONTROL_DONE;
    }
    switch (id) {
    case R_LOGOFF:
        v = h_logoff(&c);
        break;
    case R_SYSTEMS:
        v = h_systems(&c);
        break;
    case R_SYSTEM:
        v = h_system(&c);
        break;
    case R_COMMANDS:
        v = h_commands(&c, in);
        break;
    case R_SUBMIT:
        v = h_submit(&c, in);
        break;
    case R_REPLACE:
        v = h_replace(&c, in);
        break;
    case R_SHUTDOWN:
        v = h_shutdown(&c, in);
        break;
    case R_JOBS:
        v = h_jobs(&c);
        break;
    case R_JOB:
        v = h_job(&c);
        break;
    case R_JOB_PURGE:
        v = h_job_purge(&c);
        break;
    case R_JOB_RERUN:
        v = h_job_rerun(&c, in);
        break;
    case R_HOST:
        v = host_answer(&c, NULL);
        break;
    case R_HOST_DOWN:
        v = h_host_down(&c, true);
        break;
    case R_HOST_UP:
        v = h_host_down(&c, false);
        break;
    case R_HOST_RELOAD:
        v = h_host_reload(&c);
        break;
    case R_HOST_RESET:
        v = h_host_reset(&c, in);
        break;
    case R_JOURNAL:
        v = h_journal(&c);
        break;
    case R_STREAM:
        v = h_stream(&c);
        break;
    case R_METRICS:
        v = h_metrics(&c);
        break;
    case R_LOGON_GET:
    case R_LOGON:
    case R_OPENAPI:
    case R_COUNT:
        break;
    }
    json_decref(in);
    return v;
}
