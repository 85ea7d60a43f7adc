/*
 * zosmf.c - the z/OSMF face of the control plane (docs/zosmf.md): the
 * routes under /zosmf/ that Zowe CLI and z/OSMF scripts call, answered
 * over the fake host.
 *
 * - /zosmf/info: what z/OSMF says of itself;
 * - /zosmf/restjobs/jobs: the control plane's job registry (jobs.h) shown
 *   as z/OSMF's jobs; a submit sends an XDI exec job (docs/protocol.md §9)
 *   to the system the JCL names, a cancel the host's cancel template as an
 *   exec command (§8), a purge forgets the job;
 * - /zosmf/tsoApp: TSO/E address spaces whose commands go to one system's
 *   agent as exec commands; what the agent reports for a command (its
 *   command event or its agent error) comes back as TSO messages;
 * - /zosmf/gateway: one request carried out for each named system.
 *
 * Every request is authenticated (Basic with the control plane's users),
 * and one that changes anything must carry X-CSRF-ZOSMF-HEADER, as z/OSMF
 * requires.  Answers that wait for an agent use the control plane's waits
 * (control_internal.h); what the agent sends is learnt from the records
 * (xdi__zosmf_record), which run inside the server core and so only note
 * things down: nothing is sent from there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control_internal.h"
#include "naccb/version.h"
#include "zosmf.h"

/* How long a TSO command waits for the agent by default (seconds). */
#define TSO_WAIT_S 5
/* TSO address spaces kept at most (z/OSMF has a per-system limit too). */
#define TSO_MAX 64
/* Submitted jobs remembered (their JCL), the oldest forgotten first. */
#define ZJOBS_MAX 10000
/* A routed request's default timeout (ms), and its bounds. */
#define GW_TIMEOUT_MS     10000
#define GW_TIMEOUT_MAX_MS 600000
#define GW_MAX_SYSTEMS    64

/* ---- state ------------------------------------------------------------ */

/* A job submitted through z/OSMF: what the registry does not keep. */
struct zjob {
    struct zjob *next;
    char zid[16]; /* the job-id the client was given */
    char system[XDI_ZOSMF_NAME_MAX + 1];
    char name[XDI_ZOSMF_NAME_MAX + 1];
    char jobclass[XDI_ZOSMF_NAME_MAX + 1];
    char user[64];
    char client[64];
    char submitted[32];
    char *jcl;
    uint64_t jseq; /* the record that created its registry job; 0: held */
    bool canceled;
};

/* One TSO command sent to an agent, until its answer is taken. */
struct tso_cmd {
    struct tso_cmd *next;
    uint64_t id;
    uint64_t conn, jseq; /* where and after which record it was sent */
    char command[NACCB_TEXT_MAX + 1];
    char session[64]; /* the servlet's key, "" for a stateless one */
    struct timespec deadline;
    unsigned timeout_s;
    bool done;
    bool orphan;    /* its session ended: nobody takes the answer */
    json_t *answer; /* the record that answered, or NULL */
};

/* A TSO/E address space: a session bound to one system. */
struct tso {
    struct tso *next;
    char key[64];
    char queue_id[16];
    char user[64];
    char system[XDI_ZOSMF_NAME_MAX + 1];
    char appsessid[64];
    char **lines; /* TSO MESSAGE lines not yet received */
    size_t n_lines;
    bool prompt;   /* a TSO PROMPT follows them */
    uint64_t cmd;  /* the command still out, 0 when none */
    bool stateful; /* made by the stateless API with cmdState stateful */
};

struct xdi__zosmf {
    struct xdi_control *ctl;
    struct zjob *zjobs; /* newest first */
    size_t n_zjobs;
    unsigned held_no; /* J0000001... for jobs held without an agent */
    struct tso_cmd *cmds;
    uint64_t cmd_no;
    struct tso *tsos;
    size_t n_tsos;
    unsigned tso_no;
    bool release_due;      /* an agent logged in: held jobs may go */
    bool release_deferred; /* release_held is queued (xdi__control_defer) */
};

/* One request being handled. */
struct zreq {
    struct xdi__zosmf *z;
    const struct xdi_http_request *req;
    struct xdi_http_response *resp;
    struct xdi__who who;
    char path[512];     /* after /zosmf, decoded */
    char base[160];     /* "http://HOST:PORT" of the Host header, or "" */
    struct gw_slot *gw; /* a routed request: where a deferred answer goes */
};

/* ---- helpers ------------------------------------------------------------ */

static void now_ts(struct xdi__zosmf *z, char out[32])
{
    struct timespec now;
    struct tm tm;

    xdi__control_now(z->ctl, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
             (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
             tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
             tm.tm_sec % 100, (int)(now.tv_nsec / 1000000) % 1000);
}

static bool past(struct xdi__zosmf *z, const struct timespec *t)
{
    struct timespec now;

    xdi__control_now(z->ctl, &now);
    return now.tv_sec > t->tv_sec ||
           (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

static unsigned ms_until(struct xdi__zosmf *z, const struct timespec *t)
{
    struct timespec now;
    long long ms;

    xdi__control_now(z->ctl, &now);
    ms = (long long)(t->tv_sec - now.tv_sec) * 1000 +
         (t->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? (unsigned)ms : 0;
}

/* A JSON answer (j taken over). */
static enum xdi_control_verdict reply(struct zreq *r, int status, json_t *j)
{
    char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    if (text == NULL) {
        static const char oom[] = "{\"rc\":12,\"reason\":0,\"category\":7,"
                                  "\"message\":\"out of memory\"}";
        xdi__resp_raw(r->resp, 500, "application/json", oom, sizeof oom - 1);
    } else {
        xdi__resp_raw(r->resp, status, "application/json", text, strlen(text));
    }
    free(text);
    return XDI_CONTROL_DONE;
}

static enum xdi_control_verdict fail(struct zreq *r, int status, int category,
                                     int rc, int reason, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The jobs REST interface's error report. */
static enum xdi_control_verdict fail(struct zreq *r, int status, int category,
                                     int rc, int reason, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return reply(r, status, xdi__zosmf_error(category, rc, reason, msg));
}

static const struct xdi_fixture_set *fixtures(struct xdi__zosmf *z)
{
    return xdi_server_fixtures(xdi__control_server(z->ctl));
}

static bool host_exists(struct xdi__zosmf *z, const char *system)
{
    return system[0] != '\0' &&
           xdi_fixture_find_host(fixtures(z), system) != NULL;
}

/* true when the system's agent is logged in now. */
static bool agent_connected(struct xdi__zosmf *z, const char *system)
{
    json_t *st = xdi_server_host_status(xdi__control_server(z->ctl), system);
    bool up = st != NULL && json_is_object(json_object_get(st, "agent"));

    json_decref(st);
    return up;
}

static void journal(struct zreq *r, json_t *rec)
{
    if (rec == NULL)
        return;
    if (json_object_get(rec, "outcome") == NULL)
        json_object_set_new(rec, "outcome", json_string("done"));
    xdi_server_journal(xdi__control_server(r->z->ctl), rec);
}

/* Upper-cased copy of a query parameter, "" when absent. */
static void query_upper(const struct zreq *r, const char *name, char *buf,
                        size_t cap)
{
    if (!xdi__query_get(r->req->query, name, buf, cap))
        buf[0] = '\0';
    for (char *p = buf; *p != '\0'; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
}

/* Splits r->path ("/restjobs/jobs/A/B") after prefix into up to max
 * segments (pointers into seg_buf); returns how many, -1 when more. */
static int segments(const char *path, const char *prefix, char *buf, size_t cap,
                    char **seg, int max)
{
    size_t pl = strlen(prefix);
    int n = 0;
    char *p;

    if (strncmp(path, prefix, pl) != 0)
        return -1;
    path += pl;
    if (*path == '\0')
        return 0;
    if (*path != '/' || strlen(path) >= cap)
        return -1;
    strcpy(buf, path + 1);
    p = buf;
    while (*p != '\0') {
        if (n == max)
            return -1;
        seg[n++] = p;
        p = strchr(p, '/');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

/* ---- submitted jobs ------------------------------------------------------- */

static void zjob_free(struct zjob *j)
{
    free(j->jcl);
    free(j);
}

static void zjobs_trim(struct xdi__zosmf *z)
{
    struct zjob **pp = &z->zjobs;
    size_t n = 0;

    while (*pp != NULL) {
        if (++n > ZJOBS_MAX) {
            struct zjob *gone = *pp;
            *pp = gone->next;
            zjob_free(gone);
            z->n_zjobs--;
            continue;
        }
        pp = &(*pp)->next;
    }
}

/* The registry job of a submitted one (new reference), or NULL (held, or
 * the registry forgot it). */
static json_t *zjob_registry(struct xdi__zosmf *z, const struct zjob *j)
{
    return j->jseq != 0
               ? xdi_jobs_created_by(xdi__control_jobs(z->ctl), j->jseq)
               : NULL;
}

/* A held job as the registry would show it. */
static json_t *zjob_held_json(const struct zjob *j)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:s, s:n, s:n, s:[], "
                     "s:[{s:s, s:s, s:s}]}",
                     "jobid", j->zid, "name", j->name, "system", j->system,
                     "state", j->canceled ? "not_run" : "input", "submitted",
                     j->submitted, "ended", "by", "zosmf", "max_cc", "abend",
                     "steps", "history", "ts", j->submitted, "event", "held",
                     "text", "the system has no agent connected");
}

/* The submit whose registry job is job (same system, created by it). */
static struct zjob *zjob_of(struct xdi__zosmf *z, const json_t *job)
{
    const char *id = json_string_value(json_object_get(job, "jobid"));
    const char *sys = json_string_value(json_object_get(job, "system"));
    const json_t *jseq = json_object_get(job, "jseq");

    if (id == NULL || sys == NULL)
        return NULL;
    for (struct zjob *j = z->zjobs; j != NULL; j = j->next) {
        if (j->jseq == 0 || strcmp(j->system, sys) != 0)
            continue;
        if (json_is_integer(jseq)) {
            if ((uint64_t)json_integer_value(jseq) == j->jseq)
                return j;
            continue;
        }
        /* Without the handle in the job object: ask the registry. */
        json_t *reg = zjob_registry(z, j);
        const char *rid = json_string_value(json_object_get(reg, "jobid"));
        bool same = rid != NULL && strcmp(rid, id) == 0;
        json_decref(reg);
        if (same)
            return j;
    }
    return NULL;
}

/* A job as z/OSMF shows it (new reference): the id the client was given
 * even when the agent reported its own. */
static json_t *show_job(struct zreq *r, const json_t *job,
                        const struct zjob *zj)
{
    json_t *out = xdi__zosmf_job(job, zj != NULL ? zj->jobclass : NULL,
                                 zj != NULL && zj->canceled, r->base);

    if (out != NULL && zj != NULL &&
        strcmp(json_string_value(json_object_get(out, "jobid")), zj->zid) !=
            0) {
        json_t *fixed = json_deep_copy(job);
        json_decref(out);
        json_object_set_new(fixed, "jobid", json_string(zj->zid));
        out = xdi__zosmf_job(fixed, zj->jobclass, zj->canceled, r->base);
        json_decref(fixed);
    }
    return out;
}

/* The job of (name, id) as the registry and the held list know it: *job
 * a new reference, *zj the submit (may be NULL).  false when none. */
static bool find_job(struct xdi__zosmf *z, const char *name, const char *id,
                     json_t **job, struct zjob **zj)
{
    json_t *all;
    size_t i;
    json_t *j;

    *job = NULL;
    *zj = NULL;
    for (struct zjob *s = z->zjobs; s != NULL; s = s->next) {
        if (strcmp(s->zid, id) != 0 || (name != NULL && strcmp(s->name, name)))
            continue;
        *job = s->jseq != 0 ? zjob_registry(z, s) : zjob_held_json(s);
        if (*job == NULL)
            return false; /* the registry forgot it (reset, purge) */
        *zj = s;
        return true;
    }
    all = xdi_jobs_list(xdi__control_jobs(z->ctl), NULL, NULL, NULL, 0);
    json_array_foreach(all, i, j)
    {
        const char *jid = json_string_value(json_object_get(j, "jobid"));
        const char *jn = json_string_value(json_object_get(j, "name"));
        if (jid == NULL || strcmp(jid, id) != 0 ||
            (name != NULL && (jn == NULL || strcmp(jn, name) != 0)))
            continue;
        *job = json_incref(j);
        *zj = zjob_of(z, j);
        break;
    }
    json_decref(all);
    return *job != NULL;
}

/* Sends the exec job of a submit; false when the agent is not there. */
static bool zjob_send(struct xdi__zosmf *z, const struct xdi__who *who,
                      struct zjob *j)
{
    uint64_t conn = 0, jseq = 0;
    json_t *job = NULL;
    enum xdi_od_result res;

    res = xdi__od_job(z->ctl, who, "zosmf", j->system, j->name, &conn, &jseq,
                      &job);
    if (res != XDI_OD_SENT) {
        json_decref(job);
        return false;
    }
    j->jseq = jseq;
    if (j->zid[0] == '\0') {
        const char *id = json_string_value(json_object_get(job, "jobid"));
        snprintf(j->zid, sizeof j->zid, "%s", id != NULL ? id : "JOB00000");
    }
    json_decref(job);
    return true;
}

/* Held jobs whose agent has logged in go out now (called at a safe point:
 * never from a record). */
static void release_held(struct xdi__zosmf *z)
{
    struct zjob **held;
    size_t n = 0;

    if (!z->release_due)
        return;
    z->release_due = false;
    held = malloc((z->n_zjobs ? z->n_zjobs : 1) * sizeof *held);
    if (held == NULL) {
        z->release_due = true; /* the next request tries again */
        return;
    }
    for (struct zjob *j = z->zjobs; j != NULL; j = j->next)
        if (j->jseq == 0 && !j->canceled)
            held[n++] = j;
    /* Oldest first, as they were submitted (the list is newest first). */
    while (n-- > 0) {
        struct zjob *j = held[n];
        struct xdi__who who = {0};
        if (!agent_connected(z, j->system))
            continue;
        snprintf(who.user, sizeof who.user, "%s", j->user);
        snprintf(who.client, sizeof who.client, "%s", j->client);
        zjob_send(z, &who, j);
    }
    free(held);
}

static void release_deferred(void *arg)
{
    struct xdi__zosmf *z = arg;

    z->release_deferred = false;
    release_held(z);
}

/* ---- /zosmf/restjobs/jobs --------------------------------------------------- */

static bool status_matches(const char *want, const char *status)
{
    return want[0] == '\0' || strcmp(want, "*") == 0 ||
           strcasecmp(want, status) == 0;
}

static enum xdi_control_verdict jobs_list(struct zreq *r)
{
    struct xdi__zosmf *z = r->z;
    char owner[64], prefix[64], status[16], maxs[16], jobid[16];
    long max = 1000;
    json_t *out = json_array(), *all, *j;
    size_t i;

    query_upper(r, "owner", owner, sizeof owner);
    query_upper(r, "prefix", prefix, sizeof prefix);
    query_upper(r, "status", status, sizeof status);
    query_upper(r, "jobid", jobid, sizeof jobid);
    if (xdi__query_get(r->req->query, "max-jobs", maxs, sizeof maxs)) {
        char *end;
        max = strtol(maxs, &end, 10);
        /* z/OSMF: outside 1..1000 the default is used. */
        if (*end != '\0' || max < 1 || max > 1000)
            max = 1000;
    }
    /* The owner of a job is the system it runs on; without owner= the
     * user's default system (z/OSMF: the user's own jobs). */
    if (owner[0] == '\0')
        snprintf(owner, sizeof owner, "%s",
                 r->who.system[0] != '\0' ? r->who.system : "*");
    if (prefix[0] == '\0')
        strcpy(prefix, "*");
    if (strlen(owner) > 8 || strlen(prefix) > 8 ||
        (status[0] != '\0' && strcmp(status, "*") != 0 &&
         strcmp(status, "INPUT") != 0 && strcmp(status, "ACTIVE") != 0 &&
         strcmp(status, "OUTPUT") != 0))
        return fail(r, 400, 6, 4, 1,
                    "owner and prefix are at most 8 characters, status is "
                    "INPUT, ACTIVE, OUTPUT or *");
    release_held(z);
    /* Held jobs are the newest kind of INPUT. */
    for (struct zjob *s = z->zjobs; s != NULL && out != NULL; s = s->next) {
        if (s->jseq != 0 || (long)json_array_size(out) >= max)
            continue;
        json_t *held = zjob_held_json(s);
        json_t *shown = show_job(r, held, s);
        const char *st = json_string_value(json_object_get(shown, "status"));
        if (xdi__zosmf_match(owner, s->system) &&
            xdi__zosmf_match(prefix, s->name) &&
            (jobid[0] == '\0' || strcmp(jobid, s->zid) == 0) && st != NULL &&
            status_matches(status, st))
            json_array_append(out, shown);
        json_decref(shown);
        json_decref(held);
    }
    all = xdi_jobs_list(xdi__control_jobs(z->ctl), NULL, NULL, NULL, 0);
    json_array_foreach(all, i, j)
    {
        if (out == NULL || (long)json_array_size(out) >= max)
            break;
        const char *sys = json_string_value(json_object_get(j, "system"));
        const char *name = json_string_value(json_object_get(j, "name"));
        if (sys == NULL || name == NULL || !xdi__zosmf_match(owner, sys) ||
            !xdi__zosmf_match(prefix, name))
            continue;
        json_t *shown = show_job(r, j, zjob_of(z, j));
        const char *id = json_string_value(json_object_get(shown, "jobid"));
        const char *st = json_string_value(json_object_get(shown, "status"));
        if (id != NULL && st != NULL &&
            (jobid[0] == '\0' || strcmp(jobid, id) == 0) &&
            status_matches(status, st))
            json_array_append(out, shown);
        json_decref(shown);
    }
    json_decref(all);
    return reply(r, 200, out);
}

static enum xdi_control_verdict no_job(struct zreq *r, const char *name,
                                       const char *id)
{
    return fail(r, 400, 6, 4, 10, "No job found for reference: '%s(%s)'", name,
                id);
}

/* The step-data of a job document (?step-data=Y). */
static void add_step_data(json_t *shown, const json_t *job)
{
    json_t *steps = json_array();
    const json_t *st;
    size_t i;

    json_array_foreach(json_object_get(job, "steps"), i, st)
    {
        json_int_t cc = json_integer_value(json_object_get(st, "cc"));
        json_int_t scc = json_integer_value(json_object_get(st, "scc"));
        json_int_t ucc = json_integer_value(json_object_get(st, "ucc"));
        const char *nt = json_string_value(json_object_get(st, "notes"));
        char comp[32];
        if (scc != 0)
            snprintf(comp, sizeof comp, "ABEND S%03llX", (long long)scc);
        else if (nt != NULL && strlen(nt) > 2 && nt[2] == 'A')
            snprintf(comp, sizeof comp, "ABEND U%04lld", (long long)ucc);
        else
            snprintf(comp, sizeof comp, "CC %04lld", (long long)cc);
        json_array_append_new(
            steps,
            json_pack("{s:b, s:I, s:s, s:s, s:s, s:O}", "active", 0,
                      "step-number", (json_int_t)(i + 1), "step-name",
                      json_string_value(json_object_get(st, "step"))
                          ? json_string_value(json_object_get(st, "step"))
                          : "",
                      "proc-step-name",
                      json_string_value(json_object_get(st, "proc_step"))
                          ? json_string_value(json_object_get(st, "proc_step"))
                          : "",
                      "completion", comp, "smfid",
                      json_object_get(job, "system")));
    }
    json_object_set_new(shown, "step-data", steps);
}

static enum xdi_control_verdict job_status(struct zreq *r, const char *name,
                                           const char *id)
{
    json_t *job, *shown;
    struct zjob *zj;
    char sd[8];

    release_held(r->z);
    if (!find_job(r->z, name, id, &job, &zj))
        return no_job(r, name, id);
    shown = show_job(r, job, zj);
    if (shown != NULL &&
        xdi__query_get(r->req->query, "step-data", sd, sizeof sd) &&
        (sd[0] == 'Y' || sd[0] == 'y'))
        add_step_data(shown, job);
    json_decref(job);
    return reply(r, 200, shown);
}

static enum xdi_control_verdict job_files(struct zreq *r, const char *name,
                                          const char *id)
{
    json_t *job, *files;
    struct zjob *zj;

    if (!find_job(r->z, name, id, &job, &zj))
        return no_job(r, name, id);
    if (zj != NULL)
        json_object_set_new(job, "jobid", json_string(zj->zid));
    files = xdi__zosmf_files(job, zj != NULL ? zj->jcl : NULL,
                             zj != NULL ? zj->jobclass : NULL, r->base);
    json_decref(job);
    return reply(r, 200, files);
}

static enum xdi_control_verdict job_records(struct zreq *r, const char *name,
                                            const char *id, const char *file)
{
    json_t *job;
    struct zjob *zj;
    char *text = NULL, *end;
    char *jcl;
    long fid;

    if (!find_job(r->z, name, id, &job, &zj))
        return no_job(r, name, id);
    if (zj != NULL)
        json_object_set_new(job, "jobid", json_string(zj->zid));
    jcl = xdi__zosmf_jcl_for(job, zj != NULL ? zj->jcl : NULL,
                             zj != NULL ? zj->jobclass : NULL);
    if (strcmp(file, "JCL") == 0) {
        /* The JCL as submitted (jobs.py's restart re-submits it). */
        text = jcl;
        jcl = NULL;
    } else {
        fid = strtol(file, &end, 10);
        if (*end == '\0' && end != file)
            text = xdi__zosmf_spool(job, jcl, (int)fid);
    }
    free(jcl);
    json_decref(job);
    if (text == NULL)
        return fail(r, 400, 6, 4, 12,
                    "Job '%s(%s)' has no spool file with id %s", name, id,
                    file);
    xdi__resp_raw(r->resp, 200, "text/plain; charset=UTF-8", text,
                  strlen(text));
    free(text);
    return XDI_CONTROL_DONE;
}

/* PUT /zosmf/restjobs/jobs: the JCL in the body. */
static enum xdi_control_verdict job_submit(struct zreq *r)
{
    struct xdi__zosmf *z = r->z;
    const struct xdi_http_request *req = r->req;
    struct xdi__jcl_info info;
    char err[256];
    struct zjob *j;
    json_t *job, *shown;

    if (req->content_type != NULL &&
        strncasecmp(req->content_type, "application/json", 16) == 0)
        return fail(r, 400, 6, 4, 7,
                    "Submitting from a data set or z/OS UNIX file is not "
                    "possible here (there are none): send the JCL as "
                    "text/plain");
    if (xdi__zosmf_jcl_parse((const char *)req->body, req->body_len, &info, err,
                             sizeof err) != 0)
        return fail(r, 400, 6, 4, 7, "JCL error: %s", err);
    if (info.system[0] == '\0')
        snprintf(info.system, sizeof info.system, "%.8s", r->who.system);
    if (info.system[0] == '\0')
        return fail(r, 400, 6, 4, 7,
                    "the JCL names no system (JOBPARM SYSAFF= or XEQ) and "
                    "user %s has no default system",
                    r->who.user);
    if (!host_exists(z, info.system))
        return fail(
            r, 400, 6, 4, 7, "%s%d: system %s is not a host of the fixture set",
            info.system_line > 0 ? "JCL line " : "default system, line ",
            info.system_line > 0 ? info.system_line : 0, info.system);
    j = calloc(1, sizeof *j);
    if (j == NULL ||
        (j->jcl = strndup((const char *)req->body, req->body_len)) == NULL) {
        free(j);
        return fail(r, 500, 7, 12, 0, "out of memory");
    }
    memcpy(j->system, info.system, sizeof j->system);
    memcpy(j->name, info.jobname, sizeof j->name);
    memcpy(j->jobclass, info.jobclass, sizeof j->jobclass);
    snprintf(j->user, sizeof j->user, "%s", r->who.user);
    snprintf(j->client, sizeof j->client, "%s", r->who.client);
    now_ts(z, j->submitted);
    release_held(z);
    if (!zjob_send(z, &r->who, j)) {
        /* No agent: held as INPUT until one logs in (as JES holds a job
         * for a system that is down). */
        json_t *rec = xdi__control_rec(&r->who, "zosmf", "submit");
        snprintf(j->zid, sizeof j->zid, "J%07u", ++z->held_no % 10000000u);
        json_object_set_new(rec, "system", json_string(j->system));
        json_object_set_new(rec, "job", json_string(j->name));
        json_object_set_new(rec, "jobid", json_string(j->zid));
        json_object_set_new(rec, "outcome", json_string("held"));
        journal(r, rec);
    }
    j->next = z->zjobs;
    z->zjobs = j;
    z->n_zjobs++;
    job = j->jseq != 0 ? zjob_registry(z, j) : zjob_held_json(j);
    if (job == NULL)
        job = zjob_held_json(j);
    shown = show_job(r, job, j);
    json_decref(job);
    zjobs_trim(z);
    return reply(r, 201, shown);
}

/* Sends the host's cancel template for a job: NULL on success, else why
 * not (static text). */
static const char *send_cancel(struct zreq *r, const char *system,
                               const char *name, const char *id)
{
    const struct xdi_host *h = xdi_fixture_find_host(fixtures(r->z), system);
    char cmd[NACCB_TEXT_MAX + 1];
    uint64_t conn = 0, jseq = 0;

    if (h == NULL || h->cancel_command == NULL)
        return "has no cancel command (cancel_command in its fixture)";
    if (xdi__zosmf_cancel_command(h->cancel_command, name, id, NACCB_TEXT_MAX,
                                  cmd, sizeof cmd) < 0)
        return "cancel command would be longer than 128 bytes";
    switch (xdi__od_command(r->z->ctl, &r->who, "zosmf", system, cmd, &conn,
                            &jseq)) {
    case XDI_OD_SENT:
        return NULL;
    case XDI_OD_NOT_CONNECTED:
        return "has no agent connected";
    default:
        return "could not be sent the cancel command";
    }
}

static enum xdi_control_verdict job_cancel(struct zreq *r, const char *name,
                                           const char *id)
{
    json_t *in, *job;
    struct zjob *zj;
    const char *request, *version, *sys, *why;
    char sysbuf[16];
    bool sync;

    in = xdi__body_object(r->req, r->resp);
    if (in == NULL)
        return XDI_CONTROL_DONE;
    request = json_string_value(json_object_get(in, "request"));
    version = json_string_value(json_object_get(in, "version"));
    sync = version == NULL || strcmp(version, "1.0") != 0;
    if (request == NULL || strcmp(request, "cancel") != 0) {
        json_decref(in);
        return fail(r, 400, 6, 4, 11,
                    "request '%s' is not possible here: only \"cancel\" "
                    "(hold, release and class changes are not)",
                    request != NULL ? request : "");
    }
    json_decref(in);
    if (!find_job(r->z, name, id, &job, &zj))
        return no_job(r, name, id);
    sys = json_string_value(json_object_get(job, "system"));
    snprintf(sysbuf, sizeof sysbuf, "%s", sys != NULL ? sys : "");
    json_decref(job);
    if (zj != NULL && zj->jseq == 0) {
        /* Held, never sent: it simply never runs. */
        json_t *rec = xdi__control_rec(&r->who, "zosmf", "cancel");
        zj->canceled = true;
        json_object_set_new(rec, "system", json_string(sysbuf));
        json_object_set_new(rec, "job", json_string(name));
        json_object_set_new(rec, "jobid", json_string(id));
        json_object_set_new(rec, "outcome", json_string("held_dropped"));
        journal(r, rec);
    } else {
        why = send_cancel(r, sysbuf, name, id);
        if (why != NULL)
            return fail(r, 400, 6, 4, 13, "Cancel of %s(%s) failed: %s %s",
                        name, id, sysbuf, why);
        if (zj != NULL)
            zj->canceled = true;
    }
    return reply(r, sync ? 200 : 202,
                 xdi__zosmf_feedback(name, id, sysbuf, 0, NULL));
}

static enum xdi_control_verdict job_purge(struct zreq *r, const char *name,
                                          const char *id)
{
    struct xdi__zosmf *z = r->z;
    json_t *job, *rec;
    struct zjob *zj;
    const char *state;
    char sysbuf[16], regid[16];

    if (!find_job(z, name, id, &job, &zj))
        return no_job(r, name, id);
    snprintf(sysbuf, sizeof sysbuf, "%s",
             json_string_value(json_object_get(job, "system"))
                 ? json_string_value(json_object_get(job, "system"))
                 : "");
    snprintf(regid, sizeof regid, "%s",
             json_string_value(json_object_get(job, "jobid"))
                 ? json_string_value(json_object_get(job, "jobid"))
                 : "");
    state = xdi__zosmf_status(json_string_value(json_object_get(job, "state")));
    rec = xdi__control_rec(&r->who, "zosmf", "purge");
    json_object_set_new(rec, "system", json_string(sysbuf));
    json_object_set_new(rec, "job", json_string(name));
    json_object_set_new(rec, "jobid", json_string(id));
    /* "Cancel a job and purge its output": a running one is cancelled
     * first when the host can say how. */
    if (strcmp(state, "ACTIVE") == 0 && (zj == NULL || zj->jseq != 0))
        json_object_set_new(rec, "cancel",
                            json_string(send_cancel(r, sysbuf, name, id) == NULL
                                            ? "sent"
                                            : "not_sent"));
    json_decref(job);
    if (zj == NULL || zj->jseq != 0)
        xdi_jobs_purge(xdi__control_jobs(z->ctl), sysbuf, regid);
    if (zj != NULL) {
        for (struct zjob **pp = &z->zjobs; *pp != NULL; pp = &(*pp)->next) {
            if (*pp == zj) {
                *pp = zj->next;
                zjob_free(zj);
                z->n_zjobs--;
                break;
            }
        }
    }
    journal(r, rec);
    return reply(r, 200, xdi__zosmf_feedback(name, id, sysbuf, 0, NULL));
}

static enum xdi_control_verdict restjobs(struct zreq *r)
{
    const char *m = r->req->method;
    char buf[512];
    char *seg[6];
    int n = segments(r->path, "/restjobs/jobs", buf, sizeof buf, seg, 6);

    /* /-JESB/name/id: a secondary JES; there is one JES here. */
    if (n > 0 && seg[0][0] == '-') {
        memmove(seg, seg + 1, sizeof(char *) * (size_t)(n - 1));
        n--;
    }
    if (n == 0 && strcmp(m, "GET") == 0)
        return jobs_list(r);
    if (n == 0 && strcmp(m, "PUT") == 0)
        return job_submit(r);
    if (n == 2 && strcmp(m, "GET") == 0)
        return job_status(r, seg[0], seg[1]);
    if (n == 2 && strcmp(m, "PUT") == 0)
        return job_cancel(r, seg[0], seg[1]);
    if (n == 2 && strcmp(m, "DELETE") == 0)
        return job_purge(r, seg[0], seg[1]);
    if (n == 3 && strcmp(seg[2], "files") == 0 && strcmp(m, "GET") == 0)
        return job_files(r, seg[0], seg[1]);
    if (n == 5 && strcmp(seg[2], "files") == 0 &&
        strcmp(seg[4], "records") == 0 && strcmp(m, "GET") == 0)
        return job_records(r, seg[0], seg[1], seg[3]);
    if (n >= 0 && n <= 5)
        return fail(r, 405, 6, 4, 2, "%s is not possible on %s", m,
                    r->req->path);
    return fail(r, 404, 6, 4, 3, "no such resource: %s", r->req->path);
}

/* ---- TSO commands ------------------------------------------------------------ */

static struct tso_cmd *cmd_by_id(struct xdi__zosmf *z, uint64_t id)
{
    for (struct tso_cmd *c = z->cmds; c != NULL; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static void cmd_drop(struct xdi__zosmf *z, uint64_t id)
{
    for (struct tso_cmd **pp = &z->cmds; *pp != NULL; pp = &(*pp)->next) {
        if ((*pp)->id == id) {
            struct tso_cmd *c = *pp;
            *pp = c->next;
            json_decref(c->answer);
            free(c);
            return;
        }
    }
}

static struct tso *tso_by_key(struct xdi__zosmf *z, const char *key)
{
    for (struct tso *t = z->tsos; t != NULL; t = t->next)
        if (strcmp(t->key, key) == 0)
            return t;
    return NULL;
}

static int tso_add_line(struct tso *t, const char *line)
{
    char **grown = realloc(t->lines, (t->n_lines + 1) * sizeof *grown);
    char *s = strdup(line);

    if (grown == NULL || s == NULL) {
        free(s);
        if (grown != NULL)
            t->lines = grown;
        return -1;
    }
    t->lines = grown;
    t->lines[t->n_lines++] = s;
    return 0;
}

static void tso_clear_lines(struct tso *t)
{
    for (size_t i = 0; i < t->n_lines; i++)
        free(t->lines[i]);
    free(t->lines);
    t->lines = NULL;
    t->n_lines = 0;
    t->prompt = false;
}

/* The lines of a finished command (READY after them), into a session. */
static void cmd_to_session(struct xdi__zosmf *z, struct tso_cmd *c)
{
    struct tso *t = c->session[0] != '\0' ? tso_by_key(z, c->session) : NULL;
    char **lines = NULL;
    int n;

    if (t == NULL)
        return;
    n = xdi__zosmf_tso_lines(c->command, c->answer, !c->answer, c->timeout_s,
                             &lines);
    for (int i = 0; i < n; i++)
        tso_add_line(t, lines[i]);
    xdi__zosmf_lines_free(lines, n);
    tso_add_line(t, "READY ");
    t->prompt = true;
    if (t->cmd == c->id)
        t->cmd = 0;
    cmd_drop(z, c->id);
}

/* Commands whose time is up end without an answer. */
static void cmds_expire(struct xdi__zosmf *z)
{
    for (struct tso_cmd *c = z->cmds, *next; c != NULL; c = next) {
        next = c->next;
        if (c->done && c->orphan) {
            cmd_drop(z, c->id);
            continue;
        }
        if (c->done || !past(z, &c->deadline))
            continue;
        c->done = true;
        if (c->orphan)
            cmd_drop(z, c->id);
        else if (c->session[0] != '\0')
            cmd_to_session(z, c);
    }
}

/* Sends a TSO command to system's agent.  Returns the command's id, or 0
 * with the lines that say why in *lines / *n (not connected, ...). */
static uint64_t cmd_send(struct zreq *r, const char *system,
                         const char *command, const char *session,
                         unsigned timeout_s, char ***lines, int *n)
{
    struct xdi__zosmf *z = r->z;
    struct tso_cmd *c;
    uint64_t conn = 0, jseq = 0;
    enum xdi_od_result res;
    char why[256];

    *lines = NULL;
    *n = 0;
    res = xdi__od_command(z->ctl, &r->who, "zosmf", system, command, &conn,
                          &jseq);
    if (res == XDI_OD_SENT) {
        c = calloc(1, sizeof *c);
        if (c != NULL) {
            c->id = ++z->cmd_no;
            c->conn = conn;
            c->jseq = jseq;
            snprintf(c->command, sizeof c->command, "%s", command);
            snprintf(c->session, sizeof c->session, "%s", session);
            c->timeout_s = timeout_s;
            xdi__control_now(z->ctl, &c->deadline);
            c->deadline.tv_sec += timeout_s;
            c->next = z->cmds;
            z->cmds = c;
            return c->id;
        }
        snprintf(why, sizeof why, "XDI204E %s: out of memory", command);
    } else if (res == XDI_OD_NOT_CONNECTED) {
        snprintf(why, sizeof why, "XDI205E %s: %s has no agent connected",
                 command, system);
    } else if (res == XDI_OD_BAD_REQUEST) {
        snprintf(why, sizeof why,
                 "XDI206E the command is not a valid exec command (1 to 128 "
                 "Latin-1 characters)");
    } else {
        snprintf(why, sizeof why, "XDI207E %s: not sent to %s (%s)", command,
                 system, xdi_od_result_name(res));
    }
    *lines = malloc(sizeof **lines);
    if (*lines != NULL && ((*lines)[0] = strdup(why)) != NULL)
        *n = 1;
    return 0;
}

/* The lines a finished (or failed) command gives, READY last. */
static int cmd_lines(struct tso_cmd *c, char ***lines)
{
    int n = xdi__zosmf_tso_lines(c->command, c->answer, !c->answer,
                                 c->timeout_s, lines);
    char **grown;

    if (n < 0)
        return -1;
    grown = realloc(*lines, (size_t)(n + 1) * sizeof *grown);
    if (grown == NULL || (grown[n] = strdup("READY ")) == NULL) {
        xdi__zosmf_lines_free(grown != NULL ? grown : *lines, n);
        *lines = NULL;
        return -1;
    }
    *lines = grown;
    return n + 1;
}

/* A record that answers a command: its command event, or its agent
 * error, on its connection after it was sent; or the end of that
 * connection. */
static bool answers(const struct tso_cmd *c, const json_t *f, uint64_t jseq)
{
    const char *ev = json_string_value(json_object_get(f, "event"));
    json_int_t conn = json_integer_value(json_object_get(f, "conn"));

    if (ev == NULL || jseq <= c->jseq || (uint64_t)conn != c->conn)
        return false;
    if (strcmp(ev, "agent_error") == 0)
        return json_integer_value(json_object_get(f, "object")) == 4;
    if (strcmp(ev, "info") == 0) {
        const char *kind = json_string_value(json_object_get(f, "kind"));
        const char *text = json_string_value(json_object_get(f, "text"));
        size_t n;
        if (kind == NULL || strcmp(kind, "CMD") != 0 || text == NULL)
            return false;
        /* The command event is the command itself (the agent's event
         * text may be blank-padded). */
        n = strlen(c->command);
        if (strncmp(text, c->command, n) != 0)
            return false;
        for (text += n; *text == ' '; text++)
            ;
        return *text == '\0';
    }
    return strcmp(ev, "disconnect") == 0;
}

/* ---- TSO servlet API (seed: start, send, receive, ping, end) ---------- */

static enum xdi_control_verdict tso_fail(struct zreq *r, int status,
                                         const char *key, const char *msgid,
                                         const char *text)
{
    return reply(r, status, xdi__zosmf_tso_error(key, msgid, text));
}

/* The answer of a session: the lines waiting and the prompt, drained. */
static json_t *tso_drain(struct tso *t, bool timeout, int reused)
{
    json_t *out =
        xdi__zosmf_tso(t->key, t->queue_id, (const char *const *)t->lines,
                       t->n_lines, t->prompt, timeout, reused);

    tso_clear_lines(t);
    return out;
}

static void tso_free(struct tso *t)
{
    tso_clear_lines(t);
    free(t);
}

static void tso_remove(struct xdi__zosmf *z, struct tso *t)
{
    for (struct tso **pp = &z->tsos; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            z->n_tsos--;
            break;
        }
    }
    /* Its command, if out, is answered to nobody. */
    for (struct tso_cmd *c = z->cmds; c != NULL; c = c->next)
        if (strcmp(c->session, t->key) == 0) {
            c->session[0] = '\0';
            c->orphan = true;
        }
    tso_free(t);
}

/* A new session of user on system. */
static struct tso *tso_new(struct zreq *r, const char *system)
{
    struct xdi__zosmf *z = r->z;
    struct tso *t;
    uint8_t rnd[8];
    char letters[9];

    if (z->n_tsos >= TSO_MAX)
        return NULL;
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    xdi__control_env(z->ctl)->random(xdi__control_env(z->ctl)->ctx, rnd,
                                     sizeof rnd);
    for (size_t i = 0; i < 8; i++)
        letters[i] = (char)('a' + rnd[i] % 26);
    letters[8] = '\0';
    z->tso_no++;
    /* z/OSMF's form: USER-NN-random. */
    snprintf(t->key, sizeof t->key, "%.40s-%u-%s", r->who.user, z->tso_no,
             letters);
    snprintf(t->queue_id, sizeof t->queue_id, "%u", z->tso_no);
    snprintf(t->user, sizeof t->user, "%s", r->who.user);
    snprintf(t->system, sizeof t->system, "%s", system);
    t->next = z->tsos;
    z->tsos = t;
    z->n_tsos++;
    return t;
}

/* The system a TSO session runs on: the account when it names a host,
 * else the user's default system; "" when neither. */
static void tso_system(struct zreq *r, const char *acct, char out[16])
{
    char up[16];

    snprintf(up, sizeof up, "%s", acct != NULL ? acct : "");
    for (char *p = up; *p != '\0'; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (host_exists(r->z, up))
        snprintf(out, 16, "%s", up);
    else if (host_exists(r->z, r->who.system))
        snprintf(out, 16, "%s", r->who.system);
    else
        out[0] = '\0';
}

static void tso_journal(struct zreq *r, const char *action, const struct tso *t)
{
    json_t *rec = xdi__control_rec(&r->who, "zosmf", action);

    json_object_set_new(rec, "system", json_string(t->system));
    json_object_set_new(rec, "servlet_key", json_string(t->key));
    journal(r, rec);
}

static void tso_startup(struct zreq *r, struct tso *t)
{
    char line[200];
    char ts[32];

    now_ts(r->z, ts);
    snprintf(line, sizeof line,
             "IKJ56455I %s LOGON IN PROGRESS AT %.8s ON %.10s", t->user,
             ts + 11, ts);
    tso_add_line(t, line);
    snprintf(line, sizeof line,
             "XDI200I TSO commands go to the agent of %s as XDI exec "
             "commands%s",
             t->system,
             agent_connected(r->z, t->system) ? ""
                                              : " (no agent connected now)");
    tso_add_line(t, line);
    tso_add_line(t, "READY ");
    t->prompt = true;
}

/* POST /zosmf/tsoApp/tso?acct=..&proc=..[&appsessid=..] */
static enum xdi_control_verdict tso_start(struct zreq *r)
{
    char acct[64], appsessid[64], system[16];
    bool has_app;
    struct tso *t;

    if (!xdi__query_get(r->req->query, "acct", acct, sizeof acct))
        acct[0] = '\0';
    has_app = xdi__query_get(r->req->query, "appsessid", appsessid,
                             sizeof appsessid) &&
              appsessid[0] != '\0';
    if (has_app) {
        for (t = r->z->tsos; t != NULL; t = t->next)
            if (strcmp(t->appsessid, appsessid) == 0 &&
                strcmp(t->user, r->who.user) == 0)
                return reply(r, 200,
                             xdi__zosmf_tso(t->key, t->queue_id, NULL, 0, false,
                                            false, 1));
    }
    tso_system(r, acct, system);
    if (system[0] == '\0')
        return tso_fail(r, 400, NULL, "IKJ56429A",
                        "no system for the TSO address space: the account "
                        "names no host of the fixture set and the user has "
                        "no default system");
    t = tso_new(r, system);
    if (t == NULL)
        return tso_fail(r, 503, NULL, "IZUG1100E",
                        "too many TSO/E address spaces: end one first");
    if (has_app)
        snprintf(t->appsessid, sizeof t->appsessid, "%s", appsessid);
    tso_journal(r, "tso_start", t);
    tso_startup(r, t);
    return reply(r, 200, tso_drain(t, false, has_app ? 0 : -1));
}

/* A wait for a session's answer (send with readReply, receive). */
struct tso_wait {
    struct xdi__zosmf *z;
    char key[64];
};

static bool tso_wait_match(void *arg, const struct xdi_record *rec)
{
    struct tso_wait *w = arg;
    struct tso *t = tso_by_key(w->z, w->key);

    (void)rec;
    return t == NULL || t->n_lines > 0 || t->prompt;
}

static void tso_wait_done(void *arg, struct xdi_control *ctl,
                          const struct xdi_record *rec,
                          struct xdi_http_response *resp)
{
    struct tso_wait *w = arg;
    struct tso *t;
    struct zreq r = {.z = w->z, .resp = resp};

    (void)ctl;
    (void)rec;
    cmds_expire(w->z);
    t = tso_by_key(w->z, w->key);
    if (t == NULL) {
        tso_fail(&r, 404, w->key, "IZUG1126E", "the TSO/E address space ended");
        return;
    }
    reply(&r, 200, tso_drain(t, t->n_lines == 0 && !t->prompt, -1));
}

static enum xdi_control_verdict tso_wait(struct zreq *r, struct tso *t)
{
    static const struct xdi__wait_ops ops = {
        .match = tso_wait_match, .done = tso_wait_done, .free = free};
    struct tso_cmd *c = cmd_by_id(r->z, t->cmd);
    struct tso_wait *w;

    if (t->n_lines > 0 || t->prompt || c == NULL || r->req->reply == NULL)
        return reply(r, 200, tso_drain(t, false, -1));
    w = calloc(1, sizeof *w);
    if (w == NULL)
        return tso_fail(r, 500, t->key, "IZUG1101E", "out of memory");
    w->z = r->z;
    snprintf(w->key, sizeof w->key, "%s", t->key);
    /* A little past the command's own deadline, so that it has expired
     * when the wait ends. */
    if (xdi__wait_start(r->z->ctl, r->req->reply,
                        ms_until(r->z, &c->deadline) + 20, &ops, w) != 0) {
        free(w);
        return tso_fail(r, 500, t->key, "IZUG1101E", "out of memory");
    }
    return XDI_CONTROL_PENDING;
}

/* PUT /zosmf/tsoApp/tso/<key>[?readReply=true|false] */
static enum xdi_control_verdict tso_send(struct zreq *r, struct tso *t)
{
    json_t *in = xdi__body_object(r->req, r->resp);
    const char *data;
    char rr[8];
    bool read_reply = true;
    char **lines;
    int n;

    if (in == NULL)
        return XDI_CONTROL_DONE;
    data = json_string_value(
        json_object_get(json_object_get(in, "TSO RESPONSE"), "DATA"));
    if (data == NULL) {
        json_decref(in);
        return tso_fail(r, 400, t->key, "IZUG1110E",
                        "the body must be {\"TSO RESPONSE\":{\"VERSION\":"
                        "\"0100\",\"DATA\":\"command\"}}");
    }
    if (t->cmd != 0) {
        json_decref(in);
        return tso_fail(r, 409, t->key, "IZUG1111E",
                        "the previous command has not answered yet: receive "
                        "its answer first");
    }
    if (xdi__query_get(r->req->query, "readReply", rr, sizeof rr) &&
        strcasecmp(rr, "false") == 0)
        read_reply = false;
    t->cmd = cmd_send(r, t->system, data, t->key, TSO_WAIT_S, &lines, &n);
    json_decref(in);
    if (t->cmd == 0) {
        for (int i = 0; i < n; i++)
            tso_add_line(t, lines[i]);
        xdi__zosmf_lines_free(lines, n);
        tso_add_line(t, "READY ");
        t->prompt = true;
    }
    if (!read_reply || r->gw != NULL)
        return reply(
            r, 200,
            xdi__zosmf_tso(t->key, t->queue_id, NULL, 0, false, false, -1));
    return tso_wait(r, t);
}

static enum xdi_control_verdict tso_app(struct zreq *r)
{
    char buf[256];
    char *seg[4];
    int n = segments(r->path, "/tsoApp/tso", buf, sizeof buf, seg, 4);
    const char *m = r->req->method;
    struct tso *t;

    if (n == 0 && strcmp(m, "POST") == 0)
        return tso_start(r);
    if (n == 2 && strcmp(seg[0], "ping") == 0 && strcmp(m, "PUT") == 0) {
        t = tso_by_key(r->z, seg[1]);
        if (t == NULL)
            return tso_fail(r, 404, seg[1], "IZUG1126E",
                            "no TSO/E address space has this servlet key");
        return reply(
            r, 200,
            xdi__zosmf_tso(t->key, t->queue_id, NULL, 0, false, false, -1));
    }
    if (n != 1)
        return tso_fail(r, 404, NULL, "IZUG1125E",
                        "no such TSO/E address space resource");
    t = tso_by_key(r->z, seg[0]);
    if (t == NULL)
        return tso_fail(r, 404, seg[0], "IZUG1126E",
                        "no TSO/E address space has this servlet key");
    if (strcmp(t->user, r->who.user) != 0)
        return tso_fail(r, 403, seg[0], "IZUG1127E",
                        "this TSO/E address space belongs to another user");
    if (strcmp(m, "PUT") == 0)
        return tso_send(r, t);
    if (strcmp(m, "GET") == 0)
        return r->gw != NULL ? reply(r, 200, tso_drain(t, false, -1))
                             : tso_wait(r, t);
    if (strcmp(m, "DELETE") == 0) {
        json_t *out =
            xdi__zosmf_tso(t->key, t->queue_id, NULL, 0, false, false, -1);
        tso_journal(r, "tso_end", t);
        tso_remove(r->z, t);
        return reply(r, 200, out);
    }
    return tso_fail(r, 405, t->key, "IZUG1128E",
                    "this method is not possible on a TSO/E address space");
}

/* ---- TSO stateless API (PUT /zosmf/tsoApp/v1/tso) ---------------------- */

struct v1_wait {
    struct xdi__zosmf *z;
    uint64_t cmd;
    char key[64]; /* stateful: the session kept */
};

static bool v1_match(void *arg, const struct xdi_record *rec)
{
    struct v1_wait *w = arg;
    struct tso_cmd *c = cmd_by_id(w->z, w->cmd);

    (void)rec;
    return c == NULL || c->done;
}

/* The client went away (or the answer was given): the command and the
 * session's claim on it go. */
static void v1_free(void *arg)
{
    struct v1_wait *w = arg;
    struct tso *t = w->key[0] != '\0' ? tso_by_key(w->z, w->key) : NULL;

    if (t != NULL && t->cmd == w->cmd)
        t->cmd = 0;
    cmd_drop(w->z, w->cmd);
    free(w);
}

static json_t *v1_answer(struct xdi__zosmf *z, uint64_t id, const char *key)
{
    struct tso_cmd *c = cmd_by_id(z, id);
    char **lines = NULL;
    int n;
    json_t *out;

    if (c == NULL)
        return xdi__zosmf_tso_v1(NULL, 0, false, key);
    n = cmd_lines(c, &lines);
    out = xdi__zosmf_tso_v1((const char *const *)lines, n > 0 ? (size_t)n : 0,
                            n > 0, key);
    xdi__zosmf_lines_free(lines, n);
    cmd_drop(z, id);
    return out;
}

static void v1_done(void *arg, struct xdi_control *ctl,
                    const struct xdi_record *rec,
                    struct xdi_http_response *resp)
{
    struct v1_wait *w = arg;
    struct zreq r = {.z = w->z, .resp = resp};
    struct tso *t = w->key[0] != '\0' ? tso_by_key(w->z, w->key) : NULL;

    (void)ctl;
    (void)rec;
    cmds_expire(w->z);
    if (t != NULL && t->cmd == w->cmd)
        t->cmd = 0;
    reply(&r, 200, v1_answer(w->z, w->cmd, t != NULL ? t->key : NULL));
}

/* Starts one stateless command; the id of the command out, or 0 with the
 * answer in r (*verdict). */
static uint64_t v1_start(struct zreq *r, json_t *in, char key_out[64],
                         enum xdi_control_verdict *verdict, unsigned *wait_s)
{
    const char *cmd = json_string_value(json_object_get(in, "tsoCmd"));
    const char *state = json_string_value(json_object_get(in, "cmdState"));
    const char *key = json_string_value(json_object_get(in, "servletKey"));
    const json_t *to = json_object_get(in, "timeout");
    char system[16];
    struct tso *t = NULL;
    char **lines;
    int n;
    uint64_t id;

    key_out[0] = '\0';
    *wait_s = json_is_integer(to) && json_integer_value(to) > 0 &&
                      json_integer_value(to) <= 600
                  ? (unsigned)json_integer_value(to)
                  : TSO_WAIT_S;
    if (cmd == NULL || cmd[0] == '\0') {
        *verdict = tso_fail(r, 400, NULL, "IZUG1140E",
                            "the body must be {\"tsoCmd\":\"command\","
                            "\"cmdState\":\"stateless\"|\"stateful\"}");
        return 0;
    }
    if (key != NULL) {
        t = tso_by_key(r->z, key);
        if (t == NULL || strcmp(t->user, r->who.user) != 0) {
            *verdict = tso_fail(r, 404, key, "IZUG1126E",
                                "no TSO/E address space has this servlet key");
            return 0;
        }
        snprintf(system, sizeof system, "%s", t->system);
    } else {
        tso_system(r, NULL, system);
        if (system[0] == '\0') {
            *verdict = tso_fail(r, 400, NULL, "IKJ56429A",
                                "no system for the TSO command: the user has "
                                "no default system");
            return 0;
        }
        if (state != NULL && strcmp(state, "stateful") == 0) {
            t = tso_new(r, system);
            if (t == NULL) {
                *verdict = tso_fail(r, 503, NULL, "IZUG1100E",
                                    "too many TSO/E address spaces");
                return 0;
            }
            t->stateful = true;
            tso_journal(r, "tso_start", t);
        }
    }
    if (t != NULL)
        snprintf(key_out, 64, "%s", t->key);
    id = cmd_send(r, system, cmd, "", *wait_s, &lines, &n);
    if (id == 0) {
        char **all = realloc(lines, (size_t)(n + 1) * sizeof *all);
        if (all != NULL && (all[n] = strdup("READY ")) != NULL) {
            lines = all;
            n++;
        } else if (all != NULL) {
            lines = all;
        }
        *verdict =
            reply(r, 200,
                  xdi__zosmf_tso_v1((const char *const *)lines, (size_t)n, true,
                                    t != NULL ? t->key : NULL));
        xdi__zosmf_lines_free(lines, n);
        return 0;
    }
    if (t != NULL)
        t->cmd = id;
    return id;
}

static enum xdi_control_verdict tso_v1(struct zreq *r);

/* ---- multisystem routing --------------------------------------------------- */

/* One system of a routed request. */
struct gw_slot {
    char system[16];
    const char *rc;
    char msgid[16];
    char msgtxt[256];
    char *output;
    size_t output_len;
    uint64_t cmd; /* a stateless TSO command still out */
    char key[64];
};

struct gw_wait {
    struct xdi__zosmf *z;
    struct gw_slot *slots;
    size_t n;
};

static void gw_free(void *arg)
{
    struct gw_wait *w = arg;

    for (size_t i = 0; i < w->n; i++) {
        free(w->slots[i].output);
        if (w->slots[i].cmd != 0)
            cmd_drop(w->z, w->slots[i].cmd);
    }
    free(w->slots);
    free(w);
}

static bool gw_match(void *arg, const struct xdi_record *rec)
{
    struct gw_wait *w = arg;

    (void)rec;
    for (size_t i = 0; i < w->n; i++) {
        struct tso_cmd *c =
            w->slots[i].cmd != 0 ? cmd_by_id(w->z, w->slots[i].cmd) : NULL;
        if (c != NULL && !c->done)
            return false;
    }
    return true;
}

static json_t *gw_answer(struct gw_wait *w)
{
    struct xdi__gw_output *out = calloc(w->n ? w->n : 1, sizeof *out);
    json_t *j;

    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < w->n; i++) {
        struct gw_slot *s = &w->slots[i];
        if (s->cmd != 0) {
            struct tso_cmd *c = cmd_by_id(w->z, s->cmd);
            if (c != NULL && c->answer == NULL) {
                /* The agent did not answer in time. */
                s->rc = "HttpConnectionTimedOut";
                snprintf(s->msgid, sizeof s->msgid, "XDIZ402E");
                snprintf(s->msgtxt, sizeof s->msgtxt,
                         "XDIZ402E the agent of %s did not answer within %u "
                         "seconds",
                         s->system, c->timeout_s);
                cmd_drop(w->z, s->cmd);
            } else {
                json_t *a =
                    v1_answer(w->z, s->cmd, s->key[0] != '\0' ? s->key : NULL);
                s->output = a != NULL ? json_dumps(a, JSON_COMPACT) : NULL;
                s->output_len = s->output != NULL ? strlen(s->output) : 0;
                json_decref(a);
            }
            s->cmd = 0;
        }
        out[i].system = s->system;
        out[i].rc = s->rc;
        out[i].msgid = s->msgid[0] != '\0' ? s->msgid : NULL;
        out[i].msgtxt = s->msgtxt;
        out[i].output = s->output;
        out[i].output_len = s->output_len;
    }
    j = xdi__zosmf_gateway(out, w->n, XDI_ZOSMF_SYSPLEX);
    free(out);
    return j;
}

static void gw_done(void *arg, struct xdi_control *ctl,
                    const struct xdi_record *rec,
                    struct xdi_http_response *resp)
{
    struct gw_wait *w = arg;
    struct zreq r = {.z = w->z, .resp = resp};

    (void)ctl;
    (void)rec;
    cmds_expire(w->z);
    reply(&r, 200, gw_answer(w));
}

static enum xdi_control_verdict route(struct zreq *r);

/* The target systems of a routed request into w (names checked). */
static enum xdi_control_verdict gw_targets(struct zreq *r, const char *kind,
                                           const json_t *target,
                                           struct gw_wait *w, bool *ok)
{
    const struct xdi_fixture_set *set = fixtures(r->z);
    char names[GW_MAX_SYSTEMS][16];
    size_t n = 0;

    *ok = false;
    if (strcmp(kind, "system") == 0 || strcmp(kind, "systems") == 0) {
        /* One name, a comma-separated list, or a JSON list. */
        char list[1024] = "";
        if (json_is_string(target)) {
            snprintf(list, sizeof list, "%s", json_string_value(target));
        } else if (json_is_array(target)) {
            size_t i;
            const json_t *e;
            json_array_foreach(target, i, e)
            {
                if (!json_is_string(e))
                    continue;
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%s%s",
                         len > 0 ? "," : "", json_string_value(e));
            }
        }
        for (char *save = NULL, *tok = strtok_r(list, ", ", &save); tok != NULL;
             tok = strtok_r(NULL, ", ", &save)) {
            for (char *p = tok; *p != '\0'; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 'a' + 'A');
            if (!host_exists(r->z, tok))
                return fail(r, 404, 6, 4, 20,
                            "target %s is not a system of this z/OSMF (no "
                            "host of the fixture set has that name)",
                            tok);
            if (n == GW_MAX_SYSTEMS)
                return fail(r, 400, 6, 4, 21, "more than %d target systems",
                            GW_MAX_SYSTEMS);
            snprintf(names[n++], 16, "%.8s", tok);
        }
        if (n == 0 || (strcmp(kind, "system") == 0 && n != 1))
            return fail(r, 400, 6, 4, 22, "content's \"target\" must name %s",
                        strcmp(kind, "system") == 0 ? "one system"
                                                    : "one or more systems");
    } else {
        /* A group, a sysplex, a CPC: every host of the fixture set, one
         * sysplex (docs/zosmf.md). */
        const char *t = json_string_value(target);
        if (t == NULL || t[0] == '\0')
            return fail(r, 400, 6, 4, 22,
                        "content's \"target\" must name the %s", kind);
        if (strcmp(kind, "sysplex") == 0 &&
            strcasecmp(t, XDI_ZOSMF_SYSPLEX) != 0)
            return fail(r, 404, 6, 4, 20,
                        "sysplex %s is not known: the fixture set is "
                        "sysplex %s",
                        t, XDI_ZOSMF_SYSPLEX);
        for (size_t i = 0; i < set->n_hosts && n < GW_MAX_SYSTEMS; i++)
            snprintf(names[n++], 16, "%s", set->hosts[i].system_name);
    }
    w->slots = calloc(n, sizeof *w->slots);
    if (w->slots == NULL)
        return fail(r, 500, 7, 12, 0, "out of memory");
    w->n = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(w->slots[i].system, 16, "%.8s", names[i]);
        w->slots[i].rc = "OK";
    }
    *ok = true;
    return XDI_CONTROL_DONE;
}

/* /zosmf/gateway/{system,systems,group,sysplex,cpc} */
static enum xdi_control_verdict gateway(struct zreq *r)
{
    static const struct xdi__wait_ops ops = {
        .match = gw_match, .done = gw_done, .free = gw_free};
    const char *m = r->req->method;
    const char *kind = r->path + strlen("/gateway/");
    json_t *content = NULL, *body;
    const char *path;
    char *body_text = NULL;
    long timeout_ms = GW_TIMEOUT_MS;
    struct gw_wait *w;
    enum xdi_control_verdict v;
    bool ok, waiting = false;

    if (strcmp(kind, "system") != 0 && strcmp(kind, "systems") != 0 &&
        strcmp(kind, "group") != 0 && strcmp(kind, "sysplex") != 0 &&
        strcmp(kind, "cpc") != 0)
        return fail(r, 404, 6, 4, 3, "no such resource: %s", r->req->path);
    if (strcmp(m, "GET") == 0 || strcmp(m, "DELETE") == 0) {
        char *buf = malloc(16384);
        json_error_t e;
        if (buf == NULL)
            return fail(r, 500, 7, 12, 0, "out of memory");
        if (xdi__query_get(r->req->query, "content", buf, 16384))
            content = json_loads(buf, 0, &e);
        free(buf);
    } else if (strcmp(m, "PUT") == 0 || strcmp(m, "POST") == 0) {
        content = xdi__body_object(r->req, r->resp);
        if (content == NULL)
            return XDI_CONTROL_DONE;
    } else {
        return fail(r, 405, 6, 4, 2, "%s is not possible on %s", m,
                    r->req->path);
    }
    if (!json_is_object(content)) {
        json_decref(content);
        return fail(r, 400, 6, 4, 23,
                    "content must be a JSON object {\"target\":..., "
                    "\"resourcePath\":\"/zosmf/...\"}");
    }
    path = json_string_value(json_object_get(content, "resourcePath"));
    if (path == NULL || strncmp(path, "/zosmf/", 7) != 0 ||
        strncmp(path, "/zosmf/gateway", 14) == 0) {
        json_decref(content);
        return fail(r, 400, 6, 4, 24,
                    "resourcePath must be a z/OSMF REST path (/zosmf/...) "
                    "other than the routing services");
    }
    if (json_is_integer(json_object_get(content, "timeout"))) {
        timeout_ms =
            (long)json_integer_value(json_object_get(content, "timeout"));
        if (timeout_ms < 1 || timeout_ms > GW_TIMEOUT_MAX_MS)
            timeout_ms = GW_TIMEOUT_MS;
    }
    body = json_object_get(content, "requestBody");
    if (body == NULL)
        body = json_object_get(content, "body");
    if (json_is_string(body))
        body_text = strdup(json_string_value(body));
    else if (body != NULL && !json_is_null(body))
        body_text = json_dumps(body, JSON_COMPACT);
    w = calloc(1, sizeof *w);
    if (w == NULL) {
        free(body_text);
        json_decref(content);
        return fail(r, 500, 7, 12, 0, "out of memory");
    }
    w->z = r->z;
    v = gw_targets(r, kind, json_object_get(content, "target"), w, &ok);
    if (!ok) {
        free(body_text);
        json_decref(content);
        gw_free(w);
        return v;
    }
    for (size_t i = 0; i < w->n; i++) {
        struct gw_slot *s = &w->slots[i];
        if (!agent_connected(r->z, s->system)) {
            /* Its "z/OSMF instance" is its agent. */
            s->rc = "HttpConnectionFailed";
            snprintf(s->msgid, sizeof s->msgid, "XDIZ401E");
            snprintf(s->msgtxt, sizeof s->msgtxt,
                     "XDIZ401E %s has no agent connected", s->system);
            continue;
        }
        /* The request as that system's z/OSMF would get it: the user's
         * default system is that system. */
        char sub_path[512], *q;
        struct xdi_http_request sub = *r->req;
        struct xdi_http_response sub_resp = {0};
        struct zreq sr = {
            .z = r->z, .req = &sub, .resp = &sub_resp, .who = r->who, .gw = s};
        snprintf(sub_path, sizeof sub_path, "%s", path);
        q = strchr(sub_path, '?');
        sub.query = "";
        if (q != NULL) {
            *q = '\0';
            sub.query = q + 1;
        }
        sub.path = sub_path;
        sub.method =
            strcmp(m, "POST") == 0 && strncmp(path, "/zosmf/restjobs", 15) == 0
                ? "PUT"
                : m;
        sub.body = (const uint8_t *)(body_text != NULL ? body_text : "");
        sub.body_len = body_text != NULL ? strlen(body_text) : 0;
        sub.content_type = "application/json";
        sub.reply = NULL;
        memcpy(sr.base, r->base, sizeof sr.base);
        snprintf(sr.who.system, sizeof sr.who.system, "%s", s->system);
        snprintf(sr.path, sizeof sr.path, "%s", sub_path + 6);
        route(&sr);
        if (s->cmd != 0) {
            waiting = true;
        } else {
            s->output = sub_resp.body;
            s->output_len = sub_resp.body_len;
            sub_resp.body = NULL;
            if (sub_resp.status >= 500)
                s->rc = "FailedWithMessage";
        }
        xdi_http_response_free(&sub_resp);
    }
    free(body_text);
    json_decref(content);
    if (waiting && r->req->reply != NULL &&
        xdi__wait_start(r->z->ctl, r->req->reply, (unsigned)timeout_ms, &ops,
                        w) == 0) {
        /* The commands' own deadline is the routed request's. */
        for (size_t i = 0; i < w->n; i++) {
            struct tso_cmd *c =
                w->slots[i].cmd != 0 ? cmd_by_id(r->z, w->slots[i].cmd) : NULL;
            if (c != NULL) {
                xdi__control_now(r->z->ctl, &c->deadline);
                c->deadline.tv_sec += timeout_ms / 1000;
                c->deadline.tv_nsec += (timeout_ms % 1000) * 1000000;
                if (c->deadline.tv_nsec >= 1000000000) {
                    c->deadline.tv_sec++;
                    c->deadline.tv_nsec -= 1000000000;
                }
                c->timeout_s = (unsigned)((timeout_ms + 999) / 1000);
            }
        }
        return XDI_CONTROL_PENDING;
    }
    v = reply(r, 200, gw_answer(w));
    gw_free(w);
    return v;
}

static enum xdi_control_verdict tso_v1(struct zreq *r)
{
    static const struct xdi__wait_ops ops = {
        .match = v1_match, .done = v1_done, .free = v1_free};
    json_t *in;
    char key[64];
    enum xdi_control_verdict v = XDI_CONTROL_DONE;
    unsigned wait_s;
    uint64_t id;
    struct v1_wait *w;

    if (strcmp(r->req->method, "PUT") != 0)
        return tso_fail(r, 405, NULL, "IZUG1128E",
                        "the TSO command service takes PUT");
    in = xdi__body_object(r->req, r->resp);
    if (in == NULL)
        return XDI_CONTROL_DONE;
    id = v1_start(r, in, key, &v, &wait_s);
    json_decref(in);
    if (id == 0)
        return v;
    if (r->gw != NULL) {
        /* The routing service waits for every system at once. */
        r->gw->cmd = id;
        snprintf(r->gw->key, sizeof r->gw->key, "%s", key);
        return XDI_CONTROL_DONE;
    }
    w = calloc(1, sizeof *w);
    if (w != NULL) {
        w->z = r->z;
        w->cmd = id;
        snprintf(w->key, sizeof w->key, "%s", key);
    }
    if (w == NULL || r->req->reply == NULL ||
        xdi__wait_start(r->z->ctl, r->req->reply, wait_s * 1000 + 20, &ops,
                        w) != 0) {
        struct tso *t = key[0] != '\0' ? tso_by_key(r->z, key) : NULL;
        if (t != NULL && t->cmd == id)
            t->cmd = 0;
        free(w);
        cmd_drop(r->z, id);
        return tso_fail(r, 500, NULL, "IZUG1101E", "out of memory");
    }
    return XDI_CONTROL_PENDING;
}

/* ---- the facade ------------------------------------------------------------- */

static void fail_401(struct xdi_http_response *resp, const char *why)
{
    json_t *j = xdi__zosmf_error(6, 8, 401,
                                 why != NULL ? why
                                             : "authentication "
                                               "failed");
    char *text = json_dumps(j, JSON_COMPACT);

    json_decref(j);
    xdi__resp_raw(resp, 401, "application/json", text != NULL ? text : "{}",
                  text != NULL ? strlen(text) : 2);
    free(text);
    xdi__resp_header(resp, "WWW-Authenticate",
                     "Basic realm=\"zosmf/SAFRealm\"");
}

static bool changes(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* GET /zosmf/info: the host name and port the client used (Host). */
static enum xdi_control_verdict info(struct zreq *r)
{
    char host[128] = "localhost";
    const char *port = "";
    char *colon;

    if (r->req->host != NULL && r->req->host[0] != '\0') {
        snprintf(host, sizeof host, "%s", r->req->host);
        colon = strrchr(host, ':');
        if (colon != NULL && strchr(colon, ']') == NULL) {
            *colon = '\0';
            port = colon + 1;
        }
    }
    return reply(r, 200, xdi__zosmf_info(host, port, NACCB_VERSION_STRING));
}

/* The routes, once authenticated. */
static enum xdi_control_verdict route(struct zreq *r)
{
    const char *p = r->path;

    if (strcmp(p, "/info") == 0) {
        if (strcmp(r->req->method, "GET") != 0)
            return fail(r, 405, 6, 4, 2, "/zosmf/info takes GET");
        return info(r);
    }
    if (strncmp(p, "/restjobs/jobs", 14) == 0 &&
        (p[14] == '\0' || p[14] == '/'))
        return restjobs(r);
    if (strcmp(p, "/tsoApp/v1/tso") == 0)
        return tso_v1(r);
    if (strncmp(p, "/tsoApp/tso", 11) == 0 && (p[11] == '\0' || p[11] == '/'))
        return tso_app(r);
    if (strncmp(p, "/gateway/", 9) == 0) {
        if (r->gw != NULL)
            return fail(r, 400, 6, 4, 24, "a routed request cannot route");
        return gateway(r);
    }
    return fail(r, 404, 6, 4, 3,
                "no such z/OSMF service here: %s (there are /zosmf/info, "
                "/zosmf/restjobs, /zosmf/tsoApp and /zosmf/gateway)",
                r->req->path);
}

enum xdi_control_verdict xdi__zosmf_handle(struct xdi__zosmf *z,
                                           const struct xdi_http_request *req,
                                           struct xdi_http_response *resp)
{
    struct zreq r = {.z = z, .req = req, .resp = resp};
    enum xdi_control_verdict verdict = XDI_CONTROL_DONE;

    if (z == NULL) {
        xdi__resp_error(resp, 503, "XDIC011E", "the z/OSMF face is not there");
        return XDI_CONTROL_DONE;
    }
    if (!xdi__authenticate(z->ctl, req, &r.who, resp, &verdict, fail_401))
        return verdict;
    if (changes(req->method) && !req->csrf_header) {
        /* z/OSMF refuses what could be a cross-site request. */
        return fail(&r, 403, 6, 8, 403,
                    "IZUG846W The request was rejected: a z/OSMF REST "
                    "request that changes anything (%s) must carry the "
                    "X-CSRF-ZOSMF-HEADER header",
                    req->method);
    }
    if (!xdi__url_decode(req->path, strlen(req->path), r.path, sizeof r.path,
                         false) ||
        strncmp(r.path, "/zosmf", 6) != 0)
        return fail(&r, 404, 6, 4, 3, "no such resource");
    memmove(r.path, r.path + 6, strlen(r.path + 6) + 1);
    if (req->host != NULL && req->host[0] != '\0' &&
        strlen(req->host) < sizeof r.base - 8 &&
        strpbrk(req->host, "\"\\ /") == NULL)
        snprintf(r.base, sizeof r.base, "http://%s", req->host);
    cmds_expire(z);
    return route(&r);
}

struct xdi__zosmf *xdi__zosmf_new(struct xdi_control *ctl)
{
    struct xdi__zosmf *z = calloc(1, sizeof *z);

    if (z != NULL)
        z->ctl = ctl;
    return z;
}

void xdi__zosmf_reset(struct xdi__zosmf *z)
{
    if (z == NULL)
        return;
    while (z->zjobs != NULL) {
        struct zjob *j = z->zjobs;
        z->zjobs = j->next;
        zjob_free(j);
    }
    z->n_zjobs = 0;
    while (z->tsos != NULL) {
        struct tso *t = z->tsos;
        z->tsos = t->next;
        tso_free(t);
    }
    z->n_tsos = 0;
    /* Commands stay while a wait may still read them; those of servlet
     * sessions answer nobody now. */
    for (struct tso_cmd *c = z->cmds; c != NULL; c = c->next)
        if (c->session[0] != '\0') {
            c->session[0] = '\0';
            c->orphan = true;
        }
    z->release_due = false;
}

void xdi__zosmf_free(struct xdi__zosmf *z)
{
    if (z == NULL)
        return;
    xdi__zosmf_reset(z);
    while (z->cmds != NULL) {
        struct tso_cmd *c = z->cmds;
        z->cmds = c->next;
        json_decref(c->answer);
        free(c);
    }
    free(z);
}

void xdi__zosmf_record(struct xdi__zosmf *z, const struct xdi_record *rec)
{
    const char *ev;

    if (z == NULL || rec == NULL || rec->fields == NULL)
        return;
    ev = json_string_value(json_object_get(rec->fields, "event"));
    if (ev == NULL)
        return;
    if (strcmp(ev, "accept") == 0 || strcmp(ev, "acquire") == 0) {
        /* An agent logged in: its held jobs go out once it asked for its
         * SCD table (an agent reports the ends of the jobs that table
         * names, and only once it has it), or at the next z/OSMF request
         * for one that never asks.  Not from here: this runs inside the
         * server core. */
        const char *sys =
            json_string_value(json_object_get(rec->fields, "system"));
        const char *table =
            json_string_value(json_object_get(rec->fields, "table"));
        bool held = false;
        for (const struct zjob *j = z->zjobs; j != NULL && !held; j = j->next)
            held = j->jseq == 0 && !j->canceled && sys != NULL &&
                   strcmp(j->system, sys) == 0;
        if (!held)
            return;
        z->release_due = true;
        if (strcmp(ev, "acquire") == 0 && table != NULL &&
            strcmp(table, "SCD") == 0 && !z->release_deferred &&
            xdi__control_defer(z->ctl, release_deferred, z) == 0)
            z->release_deferred = true;
        return;
    }
    /* Oldest command first: two commands on one connection are answered
     * in the order they were sent. */
    struct tso_cmd *first = NULL;
    for (struct tso_cmd *c = z->cmds; c != NULL; c = c->next)
        if (!c->done && answers(c, rec->fields, rec->jseq) &&
            (first == NULL || c->id < first->id))
            first = c;
    if (first == NULL)
        return;
    first->done = true;
    first->answer = json_incref(rec->fields);
    if (first->orphan)
        cmd_drop(z, first->id);
    else if (first->session[0] != '\0')
        cmd_to_session(z, first);
}

bool xdi__zosmf_cancel(struct xdi__zosmf *z, void *reply)
{
    /* Every wait of the facade is one of the control plane's. */
    (void)z;
    (void)reply;
    return false;
}
