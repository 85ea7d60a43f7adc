/*
 * zosmf_json.c - the JSON documents of the z/OSMF face, in the shapes the
 * z/OSMF REST services document and Zowe CLI 8 reads (docs/zosmf.md): the
 * job document, spool files and their records, the jobs error report and
 * feedback, /zosmf/info, the TSO/E servlet object and the stateless TSO
 * answer, and the multisystem routing answer.
 *
 * A job comes in as the control plane's job object (docs/control.md), so
 * what z/OSMF shows is derived from what the host saw: the exec job it
 * sent, the agent's EOJ/EOS texts and EOTINFO reports.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zosmf.h"

/* ---- small helpers ---------------------------------------------------- */

static const char *str_of(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *str_or(const json_t *obj, const char *key, const char *dflt)
{
    const char *s = str_of(obj, key);
    return s != NULL ? s : dflt;
}

/* A number field (or a numeric string); false when absent or null. */
static bool int_of(const json_t *obj, const char *key, json_int_t *out)
{
    const json_t *v = json_object_get(obj, key);

    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return true;
    }
    if (json_is_string(v)) {
        char *end;
        long long n = strtoll(json_string_value(v), &end, 10);
        if (end != json_string_value(v) && *end == '\0') {
            *out = (json_int_t)n;
            return true;
        }
    }
    return false;
}

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* printf into a new string (asprintf is not POSIX). */
static char *dup_vprintf(const char *fmt, va_list ap)
    __attribute__((format(printf, 1, 0)));

static char *dup_vprintf(const char *fmt, va_list ap)
{
    va_list again;
    int n;
    char *s;

    va_copy(again, ap);
    n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) {
        va_end(again);
        return NULL;
    }
    s = malloc((size_t)n + 1);
    if (s != NULL)
        vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

static char *dup_printf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = dup_vprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* A growing text buffer; on out of memory it stays failed and the
 * result is NULL. */
struct text {
    char *s;
    size_t len, cap;
    bool failed;
};

static void text_add(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        n = vsnprintf(t->s != NULL ? t->s + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap * 2 + (size_t)n + 64;
        char *p = realloc(t->s, cap);
        if (p == NULL) {
            t->failed = true;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
}

static char *text_done(struct text *t)
{
    if (t->failed) {
        free(t->s);
        return NULL;
    }
    if (t->s == NULL)
        return strdup("");
    return t->s;
}

/* "2026-12-02T14:31:00.000Z" -> "14.31.00" (JES's clock in job logs). */
static void hhmmss(const char *ts, char out[9])
{
    if (ts != NULL && strlen(ts) >= 19 && ts[10] == 'T') {
        snprintf(out, 9, "%.2s.%.2s.%.2s", ts + 11, ts + 14, ts + 17);
        return;
    }
    strcpy(out, "00.00.00");
}

/* ---- errors ------------------------------------------------------------ */

json_t *xdi__zosmf_error(int category, int rc, int reason, const char *message)
{
    return json_pack("{s:i, s:i, s:i, s:s}", "rc", rc, "reason", reason,
                     "category", category, "message", message);
}

/* ---- the job document -------------------------------------------------- */

const char *xdi__zosmf_status(const char *state)
{
    if (state == NULL)
        return "INPUT";
    /* "sent": the agent has the job (exec job written) and runs it as its
     * scheduler sees fit; z/OSMF has no state between queued and
     * running, and the host can no longer take it back. */
    if (strcmp(state, "sent") == 0 || strcmp(state, "running") == 0)
        return "ACTIVE";
    if (strcmp(state, "ended") == 0 || strcmp(state, "abended") == 0 ||
        strcmp(state, "not_run") == 0)
        return "OUTPUT";
    return "INPUT";
}

const char *xdi__zosmf_retcode(const json_t *job, bool canceled, char *buf,
                               size_t size)
{
    const char *state = str_of(job, "state");
    const char *abend = str_of(job, "abend");
    json_int_t cc = 0;

    if (state == NULL)
        return NULL;
    if (strcmp(state, "abended") == 0 ||
        (abend != NULL && strcmp(state, "ended") == 0)) {
        /* "S0C4", "U0100" as the EOTINFO said it. */
        snprintf(buf, size, "ABEND %s", abend != NULL ? abend : "S000");
        return buf;
    }
    if (canceled &&
        (strcmp(state, "ended") == 0 || strcmp(state, "not_run") == 0))
        return "CANCELED";
    if (strcmp(state, "not_run") == 0)
        return "JCL ERROR"; /* the agent would not or could not run it */
    if (strcmp(state, "ended") == 0) {
        int_of(job, "max_cc", &cc);
        snprintf(buf, size, "CC %04lld", (long long)(cc < 0 ? 0 : cc));
        return buf;
    }
    return NULL;
}

/* JES2's phases for the three statuses. */
static void phase_of(const char *status, int *phase, const char **name)
{
    if (strcmp(status, "OUTPUT") == 0) {
        *phase = 20;
        *name = "Job is on the hard copy queue";
    } else if (strcmp(status, "ACTIVE") == 0) {
        *phase = 14;
        *name = "Job is actively executing";
    } else {
        *phase = 10;
        *name = "Job is queued for execution";
    }
}

/* A correlator of z/OSMF's form: 31 characters of system portion, a
 * colon, the (empty) user portion. */
static void correlator(const char *jobid, const char *system, char out[40])
{
    char sys[32];

    snprintf(sys, sizeof sys, "%-8.8s%-8.8s%-15s", jobid, system, "XDIEMU");
    for (char *p = sys; *p != '\0'; p++)
        if (*p == ' ')
            *p = '.';
    snprintf(out, 40, "%.31s:", sys);
}

json_t *xdi__zosmf_job(const json_t *job, const char *jobclass, bool canceled,
                       const char *base)
{
    const char *jobid = str_or(job, "jobid", "");
    const char *name = str_or(job, "name", "");
    const char *system = str_or(job, "system", "");
    const char *status = xdi__zosmf_status(str_of(job, "state"));
    const char *submitted = str_of(job, "submitted");
    const char *ended = str_of(job, "ended");
    char rcbuf[32], corr[40];
    const char *retcode =
        xdi__zosmf_retcode(job, canceled, rcbuf, sizeof rcbuf);
    const char *phase_name;
    int phase;
    char *url = NULL, *files = NULL;
    json_t *out;

    phase_of(status, &phase, &phase_name);
    correlator(jobid, system, corr);
    url = dup_printf("%s/zosmf/restjobs/jobs/%s/%s", base, name, jobid);
    files = url != NULL ? dup_printf("%s/files", url) : NULL;
    if (files == NULL) {
        free(url);
        return NULL;
    }
    out = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:i, s:s, "
        "s:s, s:s, s:o, s:o, s:o}",
        "jobid", jobid, "jobname", name, "subsystem", "JES2", "owner", system,
        "status", status, "type", "JOB", "class",
        jobclass != NULL ? jobclass : "A", "retcode", str_or_null(retcode),
        "url", url, "files-url", files, "job-correlator", corr, "phase", phase,
        "phase-name", phase_name, "exec-system", system, "exec-member", system,
        "exec-submitted", str_or_null(submitted), "exec-started",
        str_or_null(strcmp(status, "INPUT") == 0 ? NULL : submitted),
        "exec-ended",
        str_or_null(strcmp(status, "OUTPUT") == 0 ? ended : NULL));
    free(url);
    free(files);
    return out;
}

json_t *xdi__zosmf_feedback(const char *jobname, const char *jobid,
                            const char *system, int status, const char *message)
{
    char corr[40];
    json_t *out;

    correlator(jobid, system, corr);
    out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "jobid", jobid,
                    "jobname", jobname, "original-jobid", jobid, "owner",
                    system, "member", "JES2", "sysname", system,
                    "job-correlator", corr, "status", status);
    if (out != NULL && status != 0) {
        json_object_set_new(out, "internal-code", json_string("XDI"));
        json_object_set_new(out, "message",
                            json_string(message != NULL ? message : ""));
    }
    return out;
}

/* ---- spool files -------------------------------------------------------- */

static void jesmsglg(struct text *t, const json_t *job)
{
    const char *system = str_or(job, "system", "");
    const char *jobid = str_or(job, "jobid", "");
    const json_t *hist = json_object_get(job, "history");
    size_t i;
    const json_t *h;
    char tm[9];

    text_add(t,
             "                    J E S 2  J O B  L O G  --  S Y S T E M  "
             "%s  --  N O D E  X D I E M U\n",
             system);
    text_add(t, "\n");
    json_array_foreach(hist, i, h)
    {
        const char *ev = str_or(h, "event", "");
        const char *tx = str_of(h, "text");
        hhmmss(str_of(h, "ts"), tm);
        text_add(t, "%s %-8s  XDI %s%s%s\n", tm, jobid, ev,
                 tx != NULL && tx[0] != '\0' ? ": " : "", tx != NULL ? tx : "");
    }
}

static void jesjcl(struct text *t, const char *jcl)
{
    size_t no = 0;
    const char *p = jcl != NULL ? jcl : "";

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        text_add(t, "%10zu %.*s\n", ++no, (int)len, p);
        p = nl != NULL ? nl + 1 : p + strlen(p);
    }
}

/* The IEF messages z/OS writes for each step end and the job's end, from
 * the EOTINFO reports (docs/protocol.md §10: SCC is the system completion
 * code, 12 bits, UCC the user one). */
static void jesysmsg(struct text *t, const json_t *job)
{
    const char *name = str_or(job, "name", "");
    const char *state = str_or(job, "state", "");
    const char *abend = str_of(job, "abend");
    const json_t *steps = json_object_get(job, "steps");
    const json_t *st;
    size_t i;
    char tm[9];

    json_array_foreach(steps, i, st)
    {
        const char *step = str_or(st, "step", "");
        const char *proc = str_or(st, "proc_step", "");
        json_int_t cc = 0, scc = 0, ucc = 0;
        const char *label = step[0] != '\0' ? step : proc;
        int_of(st, "cc", &cc);
        int_of(st, "scc", &scc);
        int_of(st, "ucc", &ucc);
        const char *nt = str_of(st, "notes");
        /* The agent puts a step's return code into UCC (and CC); only
         * notes[2] 'A' or a system code makes it an abend. */
        bool abended =
            scc != 0 || (nt != NULL && strlen(nt) > 2 && nt[2] == 'A');
        if (abended)
            text_add(t,
                     "IEF472I %s %s - COMPLETION CODE - SYSTEM=%03llX "
                     "USER=%04lld\n",
                     name, label, (long long)scc, (long long)ucc);
        else
            text_add(t,
                     "IEF142I %s %s - STEP WAS EXECUTED - COND CODE "
                     "%04lld\n",
                     name, label, (long long)cc);
        if (proc[0] != '\0' && step[0] != '\0')
            text_add(t, "        PROCSTEP %s\n", proc);
        if (nt != NULL && nt[0] != '\0')
            text_add(t, "XDI100I %s %s - EOTINFO NOTES %s\n", name, label, nt);
    }
    hhmmss(str_of(job, "ended"), tm);
    if (strcmp(state, "ended") == 0 && abend == NULL)
        text_add(t, "IEF404I %s - ENDED - TIME=%s\n", name, tm);
    else if (strcmp(state, "abended") == 0 ||
             (strcmp(state, "ended") == 0 && abend != NULL))
        text_add(t, "IEF450I %s - ABEND=%s - TIME=%s\n", name,
                 abend != NULL ? abend : "S000", tm);
    else if (strcmp(state, "not_run") == 0)
        text_add(t, "IEF453I %s - JOB FAILED - JCL ERROR - TIME=%s\n", name,
                 tm);
}

char *xdi__zosmf_spool(const json_t *job, const char *jcl, int id)
{
    struct text t = {0};

    switch (id) {
    case XDI_SPOOL_JESMSGLG:
        jesmsglg(&t, job);
        break;
    case XDI_SPOOL_JESJCL:
        jesjcl(&t, jcl);
        break;
    case XDI_SPOOL_JESYSMSG:
        jesysmsg(&t, job);
        break;
    default:
        return NULL;
    }
    return text_done(&t);
}

char *xdi__zosmf_jcl_for(const json_t *job, const char *jcl,
                         const char *jobclass)
{
    struct text t = {0};

    if (jcl != NULL)
        return strdup(jcl);
    /* A job the host ran on its own (a trigger, the control plane): the
     * JCL that asks for the same run. */
    text_add(&t, "//%-8s JOB CLASS=%s\n", str_or(job, "name", ""),
             jobclass != NULL ? jobclass : "A");
    text_add(&t, "/*JOBPARM SYSAFF=%s\n", str_or(job, "system", ""));
    text_add(&t,
             "//* run by the XDI host (%s): the agent's scheduler "
             "holds its steps\n",
             str_or(job, "by", "host"));
    return text_done(&t);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        if (*s == '\n')
            n++;
    return n;
}

json_t *xdi__zosmf_files(const json_t *job, const char *jcl,
                         const char *jobclass, const char *base)
{
    static const struct {
        int id;
        const char *ddname, *recfm;
        int lrecl;
    } files[] = {
        {XDI_SPOOL_JESMSGLG, "JESMSGLG", "UA", 133},
        {XDI_SPOOL_JESJCL, "JESJCL", "V", 136},
        {XDI_SPOOL_JESYSMSG, "JESYSMSG", "VA", 137},
    };
    const char *jobid = str_or(job, "jobid", "");
    const char *name = str_or(job, "name", "");
    char corr[40];
    json_t *arr = json_array();
    char *own_jcl = xdi__zosmf_jcl_for(job, jcl, jobclass);

    correlator(jobid, str_or(job, "system", ""), corr);
    for (size_t i = 0; arr != NULL && i < sizeof files / sizeof files[0]; i++) {
        char *text = xdi__zosmf_spool(job, own_jcl, files[i].id);
        char *url = dup_printf("%s/zosmf/restjobs/jobs/%s/%s/files/%d/records",
                               base, name, jobid, files[i].id);
        json_t *f = NULL;
        if (text != NULL && url != NULL)
            f = json_pack(
                "{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:i, s:s, "
                "s:s, s:i, s:s, s:s, s:n}",
                "jobid", jobid, "jobname", name, "recfm", files[i].recfm,
                "byte-count", (json_int_t)strlen(text), "record-count",
                (json_int_t)count_lines(text), "job-correlator", corr, "class",
                jobclass != NULL ? jobclass : "A", "id", files[i].id, "ddname",
                files[i].ddname, "records-url", url, "lrecl", files[i].lrecl,
                "subsystem", "JES2", "stepname", "JES2", "procstep");
        free(text);
        free(url);
        if (f == NULL || json_array_append_new(arr, f) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    free(own_jcl);
    return arr;
}

/* ---- /zosmf/info -------------------------------------------------------- */

json_t *xdi__zosmf_info(const char *hostname, const char *port,
                        const char *version)
{
    /* The services this face answers, as z/OSMF lists its plug-ins
     * (Zowe CLI prints them in `zowe zosmf check status`). */
    static const char *const plugins[] = {
        "z/OS Jobs REST interface",
        "TSO/E address space services",
        "Multisystem routing services",
    };
    json_t *list = json_array();
    char pv[64];

    snprintf(pv, sizeof pv, "XDIEMU;%s", version);
    for (size_t i = 0; list != NULL && i < sizeof plugins / sizeof plugins[0];
         i++) {
        json_t *p = json_pack("{s:s, s:s, s:s}", "pluginVersion", pv,
                              "pluginDefaultName", plugins[i], "pluginStatus",
                              "ACTIVE");
        if (p == NULL || json_array_append_new(list, p) != 0) {
            json_decref(list);
            list = NULL;
        }
    }
    if (list == NULL)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "zos_version",
                     XDI_ZOSMF_ZOS_VERSION, "zosmf_port", port, "zosmf_version",
                     XDI_ZOSMF_VERSION, "zosmf_hostname", hostname,
                     "zosmf_saf_realm", "SAFRealm", "zosmf_full_version",
                     XDI_ZOSMF_FULL_VERSION, "api_version",
                     XDI_ZOSMF_API_VERSION, "plugins", list);
}

/* ---- TSO/E ---------------------------------------------------------------- */

static json_t *tso_item(const char *type, const char *key, const char *value)
{
    return json_pack("{s:{s:s, s:s}}", type, "VERSION", "0100", key, value);
}

json_t *xdi__zosmf_tso(const char *servlet_key, const char *queue_id,
                       const char *const *lines, size_t n, bool prompt,
                       bool timeout, int reused)
{
    json_t *out =
        json_pack("{s:s, s:s}", "servletKey", servlet_key, "ver", "0100");

    if (out == NULL)
        return NULL;
    if (queue_id != NULL)
        json_object_set_new(out, "queueID", json_string(queue_id));
    if (n > 0 || prompt) {
        json_t *data = json_array();
        for (size_t i = 0; data != NULL && i < n; i++)
            if (json_array_append_new(
                    data, tso_item("TSO MESSAGE", "DATA", lines[i])) != 0) {
                json_decref(data);
                data = NULL;
            }
        if (data != NULL && prompt &&
            json_array_append_new(
                data, tso_item("TSO PROMPT", "HIDDEN", "FALSE")) != 0) {
            json_decref(data);
            data = NULL;
        }
        if (data == NULL || json_object_set_new(out, "tsoData", data) != 0) {
            json_decref(out);
            return NULL;
        }
    }
    if (reused >= 0)
        json_object_set_new(out, "reused", json_boolean(reused > 0));
    json_object_set_new(out, "timeout", json_boolean(timeout));
    return out;
}

json_t *xdi__zosmf_tso_error(const char *servlet_key, const char *msgid,
                             const char *text)
{
    json_t *out = json_pack("{s:s, s:[{s:s, s:s}]}", "ver", "0100", "msgData",
                            "messageText", text, "messageId", msgid);

    if (out != NULL && servlet_key != NULL)
        json_object_set_new(out, "servletKey", json_string(servlet_key));
    return out;
}

json_t *xdi__zosmf_tso_v1(const char *const *lines, size_t n, bool prompt,
                          const char *servlet_key)
{
    json_t *resp = json_array();
    json_t *out;

    for (size_t i = 0; resp != NULL && i < n; i++)
        if (json_array_append_new(
                resp, json_pack("{s:s}", "message", lines[i])) != 0) {
            json_decref(resp);
            resp = NULL;
        }
    if (resp == NULL)
        return NULL;
    out = json_pack("{s:o, s:s, s:s}", "cmdResponse", resp, "tsoPromptReceived",
                    prompt ? "Y" : "N", "keywordDetected", "N");
    if (out != NULL && servlet_key != NULL)
        json_object_set_new(out, "servletKey", json_string(servlet_key));
    return out;
}

static int push_line(char ***lines, int *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int push_line(char ***lines, int *n, const char *fmt, ...)
{
    va_list ap;
    char *s;
    char **grown;

    va_start(ap, fmt);
    s = dup_vprintf(fmt, ap);
    va_end(ap);
    if (s == NULL)
        return -1;
    grown = realloc(*lines, (size_t)(*n + 1) * sizeof *grown);
    if (grown == NULL) {
        free(s);
        return -1;
    }
    grown[(*n)++] = s;
    *lines = grown;
    return 0;
}

int xdi__zosmf_tso_lines(const char *command, const json_t *answer,
                         bool timed_out, unsigned timeout_s, char ***lines)
{
    int n = 0;
    int r = 0;
    const char *event = str_of(answer, "event");

    *lines = NULL;
    if (answer == NULL || event == NULL) {
        /* The agent said nothing about it in time: TSO would sit on the
         * command; here the user is told and gets the prompt back. */
        r = push_line(lines, &n,
                      "XDI201W %s: no answer from the agent within %u "
                      "second%s%s",
                      command, timeout_s, timeout_s == 1 ? "" : "s",
                      timed_out ? "" : " (it has no session)");
    } else if (strcmp(event, "agent_error") == 0) {
        json_int_t code = 0;
        const char *text = str_of(answer, "text");
        int_of(answer, "error", &code);
        r = push_line(lines, &n,
                      "XDI202E %s: the agent refused it: error "
                      "%02lld %s%s%s",
                      command, (long long)code,
                      str_or(answer, "error_name", ""),
                      text != NULL && text[0] != '\0' ? ": " : "",
                      text != NULL ? text : "");
    } else if (strcmp(event, "info") == 0) {
        /* The command event text the agent reported (info, object 04). */
        r = push_line(lines, &n, "%s", str_or(answer, "text", ""));
    } else {
        /* The session it was sent on ended (disconnect, logout). */
        r = push_line(lines, &n,
                      "XDI203E %s: the agent's session ended before it "
                      "answered",
                      command);
    }
    if (r != 0) {
        xdi__zosmf_lines_free(*lines, n);
        *lines = NULL;
        return -1;
    }
    return n;
}

void xdi__zosmf_lines_free(char **lines, int n)
{
    for (int i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* ---- multisystem routing ---------------------------------------------- */

json_t *xdi__zosmf_gateway(struct xdi__gw_output *out, size_t n,
                           const char *sysplex)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *err =
            out[i].msgid != NULL
                ? json_pack("{s:s, s:s}", "msgid", out[i].msgid, "msgtxt",
                            out[i].msgtxt != NULL ? out[i].msgtxt : "")
                : json_null();
        json_t *body = out[i].output != NULL
                           ? json_stringn(out[i].output, out[i].output_len)
                           : json_null();
        json_t *o = json_pack(
            "{s:s, s:s, s:o, s:o, s:s, s:{s:s, s:s, s:s}}", "systemName",
            out[i].system, "rc", out[i].rc, "error", err, "systemOutput", body,
            "secondaryApiVersion", XDI_ZOSMF_API_VERSION, "systemVersion",
            "zosNode", out[i].system, "zosVrm", XDI_ZOSMF_ZOS_VERSION,
            "zosSysplex", sysplex);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (arr == NULL)
        return NULL;
    return json_pack("{s:s, s:o, s:I}", "primaryAPIVersion",
                     XDI_ZOSMF_API_VERSION, "systemsOutput", arr,
                     "numOfSystems", (json_int_t)n);
}
