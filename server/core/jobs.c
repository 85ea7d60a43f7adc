/*
 * jobs.c - the job registry (jobs.h): jobs learnt from journal records.
 *
 * Kept as an array in creation order (the newest last, shown first); a
 * registry of at most XDI_JOBS_MAX jobs, searched from the newest end, is
 * small enough for linear scans.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"

enum job_state { S_INPUT, S_SENT, S_RUNNING, S_ENDED, S_ABENDED, S_NOT_RUN };

static const char *const state_names[] = {"input", "sent",    "running",
                                          "ended", "abended", "not_run"};

struct job {
    char jobid[16];
    char name[16];
    char system[16];
    enum job_state state;
    char submitted[40];
    char ended[40]; /* "" while it has not ended */
    char by[16];
    json_int_t max_cc; /* -1: not known */
    char abend[8];     /* "" when none */
    json_t *steps;     /* array */
    json_t *history;   /* array */
    uint64_t jseq;     /* the record that created it */
    /* How its end was heard of: an agent reports one end twice, as an
     * EOJ text and as an EOTINFO (notes J), in either order. */
    bool end_text, end_eot;
};

struct xdi_jobs {
    struct job **v;
    size_t n, cap;
    unsigned next_id;
    /* The record before the current one: an exec job's "send" follows the
     * record that says why it was sent (docs/journal.md). */
    char prev_event[32];
    char prev_interface[16];
    uint64_t last_created_jseq;
};

struct xdi_jobs *xdi_jobs_new(void)
{
    return calloc(1, sizeof(struct xdi_jobs));
}

static void job_free(struct job *j)
{
    if (j == NULL)
        return;
    json_decref(j->steps);
    json_decref(j->history);
    free(j);
}

void xdi_jobs_clear(struct xdi_jobs *jobs)
{
    for (size_t i = 0; i < jobs->n; i++)
        job_free(jobs->v[i]);
    jobs->n = 0;
    jobs->next_id = 0;
    jobs->prev_event[0] = '\0';
    jobs->last_created_jseq = 0;
}

void xdi_jobs_free(struct xdi_jobs *jobs)
{
    if (jobs == NULL)
        return;
    xdi_jobs_clear(jobs);
    free(jobs->v);
    free(jobs);
}

size_t xdi_jobs_count(const struct xdi_jobs *jobs)
{
    return jobs->n;
}

bool xdi_jobs_wildcard(const char *p, const char *s)
{
    /* Iterative glob with one backtrack point: linear enough for names. */
    const char *star = NULL, *mark = NULL;

    while (*s != '\0') {
        if (*p == '*') {
            star = p++;
            mark = s;
        } else if (*p == '?' || *p == *s) {
            p++;
            s++;
        } else if (star != NULL) {
            p = star + 1;
            s = ++mark;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static const char *str(const json_t *rec, const char *field)
{
    const char *s = json_string_value(json_object_get(rec, field));
    return s != NULL ? s : "";
}

static json_int_t num(const json_t *rec, const char *field, json_int_t dflt)
{
    const json_t *v = json_object_get(rec, field);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* Up to n characters of s, trailing blanks removed. */
static void trimmed(char *dst, size_t cap, const char *s, size_t n)
{
    size_t len = strlen(s);

    if (len > n)
        len = n;
    while (len > 0 && s[len - 1] == ' ')
        len--;
    if (len >= cap)
        len = cap - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static void history(struct job *j, const json_t *rec, const char *event,
                    const char *text)
{
    json_t *h = json_object();

    json_object_set_new(h, "ts", json_string(str(rec, "ts")));
    json_object_set_new(h, "jseq", json_integer(num(rec, "jseq", 0)));
    json_object_set_new(h, "event", json_string(event));
    json_object_set_new(h, "text",
                        text != NULL ? json_string(text) : json_null());
    json_array_append_new(j->history, h);
}

static struct job *job_new(struct xdi_jobs *jobs, const json_t *rec,
                           const char *system, const char *name, const char *by,
                           enum job_state state)
{
    struct job *j = calloc(1, sizeof(*j));

    if (j == NULL)
        return NULL;
    j->steps = json_array();
    j->history = json_array();
    if (j->steps == NULL || j->history == NULL) {
        job_free(j);
        return NULL;
    }
    if (jobs->n == jobs->cap) {
        size_t cap = jobs->cap ? jobs->cap * 2 : 64;
        struct job **v = realloc(jobs->v, cap * sizeof(*v));
        if (v == NULL) {
            job_free(j);
            return NULL;
        }
        jobs->v = v;
        jobs->cap = cap;
    }
    if (jobs->n >= XDI_JOBS_MAX) {
        job_free(jobs->v[0]);
        memmove(jobs->v, jobs->v + 1, (jobs->n - 1) * sizeof(*jobs->v));
        jobs->n--;
    }
    /* JOB00001 ... JOB99999, then JOB100000 and on: never reused until a
     * reset. */
    snprintf(j->jobid, sizeof j->jobid, "JOB%05u", ++jobs->next_id);
    copy(j->name, sizeof j->name, name);
    copy(j->system, sizeof j->system, system);
    copy(j->submitted, sizeof j->submitted, str(rec, "ts"));
    copy(j->by, sizeof j->by, by);
    j->state = state;
    j->max_cc = -1;
    j->jseq = (uint64_t)num(rec, "jseq", 0);
    jobs->last_created_jseq = j->jseq;
    jobs->v[jobs->n++] = j;
    return j;
}

/* The newest job on system named name whose state is in mask (bits of
 * enum job_state), or NULL. */
static struct job *newest(const struct xdi_jobs *jobs, const char *system,
                          const char *name, unsigned mask)
{
    for (size_t i = jobs->n; i-- > 0;) {
        struct job *j = jobs->v[i];
        if (strcmp(j->system, system) == 0 &&
            (name == NULL || strcmp(j->name, name) == 0) &&
            (mask & (1u << j->state)) != 0)
            return j;
    }
    return NULL;
}

#define UNFINISHED ((1u << S_INPUT) | (1u << S_SENT) | (1u << S_RUNNING))

static struct job *by_id(const struct xdi_jobs *jobs, const char *system,
                         const char *jobid, size_t *index)
{
    for (size_t i = jobs->n; i-- > 0;) {
        struct job *j = jobs->v[i];
        if ((system == NULL || strcmp(j->system, system) == 0) &&
            strcmp(j->jobid, jobid) == 0) {
            if (index != NULL)
                *index = i;
            return j;
        }
    }
    return NULL;
}

static void on_send(struct xdi_jobs *jobs, const json_t *rec)
{
    const char *system = str(rec, "system");
    const char *name = str(rec, "job");
    bool written = strcmp(str(rec, "outcome"), "written") == 0;
    struct job *j = NULL;

    if (strcmp(str(rec, "key"), "01020108") != 0 || name[0] == '\0')
        return;
    /* A released trigger sends the job it held. */
    if (strcmp(jobs->prev_event, "trigger_release") == 0)
        j = newest(jobs, system, name, 1u << S_INPUT);
    if (j == NULL) {
        const char *by = "trigger";
        if (strcmp(jobs->prev_event, "control") == 0)
            by = jobs->prev_interface[0] != '\0' ? jobs->prev_interface
                                                 : "control";
        j = job_new(jobs, rec, system, name, by, S_SENT);
        if (j == NULL)
            return;
    }
    j->state = written ? S_SENT : S_NOT_RUN;
    history(j, rec, written ? "sent" : "send_failed", NULL);
}

static void on_trigger(struct xdi_jobs *jobs, const json_t *rec)
{
    struct job *j;

    if (strcmp(str(rec, "outcome"), "held") != 0)
        return;
    j = job_new(jobs, rec, str(rec, "target"), str(rec, "run_job"), "trigger",
                S_INPUT);
    if (j != NULL)
        history(j, rec, "held", NULL);
}

static void on_trigger_dropped(struct xdi_jobs *jobs, const json_t *rec)
{
    struct job *j =
        newest(jobs, str(rec, "target"), str(rec, "run_job"), 1u << S_INPUT);

    if (j == NULL)
        return;
    j->state = S_NOT_RUN;
    history(j, rec, "dropped", str(rec, "reason"));
}

static void on_agent_error(struct xdi_jobs *jobs, const json_t *rec)
{
    struct job *j;

    if (num(rec, "object", -1) != 8)
        return;
    j = newest(jobs, str(rec, "system"), NULL, 1u << S_SENT);
    if (j == NULL)
        return;
    j->state = S_NOT_RUN;
    copy(j->ended, sizeof j->ended, str(rec, "ts"));
    history(j, rec, "agent_error",
            json_string_value(json_object_get(rec, "text")));
}

/* An EOJ or EOS text: job name in the first 8 bytes, step after. */
static void on_text(struct xdi_jobs *jobs, const json_t *rec, bool eoj)
{
    const char *text = str(rec, "text");
    const char *system = str(rec, "system");
    char name[16], step[16] = "";
    struct job *j;

    trimmed(name, sizeof name, text, 8);
    if (name[0] == '\0')
        return;
    if (!eoj && strlen(text) > 8)
        trimmed(step, sizeof step, text + 8, 8);
    j = newest(jobs, system, name, UNFINISHED);
    if (j == NULL && eoj) {
        /* The EOTINFO of this end came first: the text is its echo. */
        struct job *k = newest(jobs, system, name, ~UNFINISHED);
        if (k != NULL && k->end_eot && !k->end_text)
            j = k;
    }
    if (j == NULL) {
        /* Heard of, never asked for: the agent ran it on its own. */
        j = job_new(jobs, rec, system, name, "agent", S_RUNNING);
        if (j == NULL)
            return;
    }
    if (eoj) {
        j->end_text = true;
        if (!j->end_eot) {
            j->state = S_ENDED;
            copy(j->ended, sizeof j->ended, str(rec, "ts"));
        }
    } else if (j->state == S_INPUT || j->state == S_SENT) {
        j->state = S_RUNNING;
    }
    history(j, rec, eoj ? "eoj" : "eos", text);
}

/* "S0C4" from the SCC, else "U0100" from the UCC. */
static void abend_code(char *dst, size_t cap, json_int_t scc, json_int_t ucc)
{
    if (scc > 0)
        snprintf(dst, cap, "S%03llX", (unsigned long long)scc & 0xFFFu);
    else
        snprintf(dst, cap, "U%04llu", (unsigned long long)ucc % 10000u);
}

static void on_eotinfo(struct xdi_jobs *jobs, const json_t *rec)
{
    const json_t *e = json_object_get(rec, "eotinfo");
    const char *system = str(rec, "system");
    const char *name = str(e, "job_name");
    const char *agent_id = str(e, "job_id");
    const char *notes = str(e, "notes");
    bool end = notes[0] == 'J';
    char status = strlen(notes) > 2 ? notes[2] : 'N';
    json_int_t scc = num(e, "scc", 0), ucc = num(e, "ucc", 0);
    struct job *j = NULL;
    json_t *s;

    if (!json_is_object(e) || name[0] == '\0')
        return;
    if (agent_id[0] != '\0')
        j = by_id(jobs, system, agent_id, NULL);
    if (j == NULL)
        j = newest(jobs, system, name, UNFINISHED);
    if (j == NULL && end) {
        /* The EOJ text of this end came first (the reference agent sends
         * it before the EOTINFO): the report completes that job. */
        struct job *k = newest(jobs, system, name, ~UNFINISHED);
        if (k != NULL && k->end_text && !k->end_eot)
            j = k;
    }
    if (j == NULL) {
        j = job_new(jobs, rec, system, name, "agent", S_RUNNING);
        if (j == NULL)
            return;
    }
    /* The agent's job-id, when it reports one, is the job's from now on. */
    if (agent_id[0] != '\0')
        copy(j->jobid, sizeof j->jobid, agent_id);
    if (!end) {
        s = json_object();
        json_object_set_new(s, "step", json_string(str(e, "step_name")));
        json_object_set_new(s, "proc_step",
                            json_string(str(e, "proc_step_name")));
        json_object_set_new(s, "step_number",
                            json_integer(num(e, "step_number", 0)));
        json_object_set_new(s, "cc",
                            status == 'N' ? json_integer(ucc) : json_null());
        json_object_set_new(s, "scc", json_integer(scc));
        json_object_set_new(s, "ucc", json_integer(ucc));
        json_object_set_new(s, "notes", json_string(notes));
        json_object_set_new(s, "ts", json_string(str(rec, "ts")));
        json_array_append_new(j->steps, s);
        if (j->state != S_ABENDED)
            j->state = S_RUNNING;
        if (status == 'A' && j->abend[0] == '\0')
            abend_code(j->abend, sizeof j->abend, scc, ucc);
        history(j, rec, "step", str(e, "step_name"));
        return;
    }
    j->max_cc = num(e, "max_cc", -1);
    j->end_eot = true;
    copy(j->ended, sizeof j->ended, str(rec, "ts"));
    if (status == 'A') {
        j->state = S_ABENDED;
        if (j->abend[0] == '\0')
            abend_code(j->abend, sizeof j->abend, scc, ucc);
    } else if (status == 'C') {
        j->state = S_NOT_RUN;
    } else {
        j->state = j->abend[0] != '\0' ? S_ABENDED : S_ENDED;
    }
    history(j, rec, "end", notes);
}

void xdi_jobs_record(struct xdi_jobs *jobs, const json_t *rec)
{
    const char *event = str(rec, "event");

    if (strcmp(event, "send") == 0) {
        on_send(jobs, rec);
    } else if (strcmp(event, "trigger") == 0) {
        on_trigger(jobs, rec);
    } else if (strcmp(event, "trigger_dropped") == 0) {
        on_trigger_dropped(jobs, rec);
    } else if (strcmp(event, "agent_error") == 0) {
        on_agent_error(jobs, rec);
    } else if (strcmp(event, "info") == 0) {
        const char *kind = str(rec, "kind");
        if (strcmp(kind, "EOJ") == 0)
            on_text(jobs, rec, true);
        else if (strcmp(kind, "EOS") == 0)
            on_text(jobs, rec, false);
        else if (strcmp(kind, "EOT") == 0)
            on_eotinfo(jobs, rec);
    }
    copy(jobs->prev_event, sizeof jobs->prev_event, event);
    copy(jobs->prev_interface, sizeof jobs->prev_interface,
         str(rec, "interface"));
}

static json_t *job_json(const struct job *j)
{
    json_t *o = json_object();

    json_object_set_new(o, "jobid", json_string(j->jobid));
    /* The handle that stays when the agent's job-id replaces jobid. */
    json_object_set_new(o, "jseq", json_integer((json_int_t)j->jseq));
    json_object_set_new(o, "name", json_string(j->name));
    json_object_set_new(o, "system", json_string(j->system));
    json_object_set_new(o, "state", json_string(state_names[j->state]));
    json_object_set_new(o, "submitted", json_string(j->submitted));
    json_object_set_new(
        o, "ended", j->ended[0] != '\0' ? json_string(j->ended) : json_null());
    json_object_set_new(o, "by", json_string(j->by));
    json_object_set_new(o, "max_cc",
                        j->max_cc >= 0 ? json_integer(j->max_cc) : json_null());
    json_object_set_new(
        o, "abend", j->abend[0] != '\0' ? json_string(j->abend) : json_null());
    json_object_set_new(o, "steps", json_deep_copy(j->steps));
    json_object_set_new(o, "history", json_deep_copy(j->history));
    return o;
}

json_t *xdi_jobs_created_by(const struct xdi_jobs *jobs, uint64_t jseq)
{
    if (jseq == 0)
        return NULL;
    for (size_t i = jobs->n; i-- > 0;)
        if (jobs->v[i]->jseq == jseq)
            return job_json(jobs->v[i]);
    return NULL;
}

json_t *xdi_jobs_list(const struct xdi_jobs *jobs, const char *system,
                      const char *prefix, const char *status, size_t limit)
{
    json_t *a = json_array();

    for (size_t i = jobs->n; i-- > 0 && a != NULL;) {
        const struct job *j = jobs->v[i];
        if (limit > 0 && json_array_size(a) >= limit)
            break;
        if (system != NULL && system[0] != '\0' &&
            strcmp(system, j->system) != 0)
            continue;
        if (prefix != NULL && prefix[0] != '\0' &&
            !xdi_jobs_wildcard(prefix, j->name))
            continue;
        if (status != NULL && status[0] != '\0' &&
            strcmp(status, state_names[j->state]) != 0)
            continue;
        json_array_append_new(a, job_json(j));
    }
    return a;
}

json_t *xdi_jobs_get(const struct xdi_jobs *jobs, const char *system,
                     const char *jobid)
{
    const struct job *j = by_id(jobs, system, jobid, NULL);

    return j != NULL ? job_json(j) : NULL;
}

const char *xdi_jobs_name(const struct xdi_jobs *jobs, const char *system,
                          const char *jobid)
{
    const struct job *j = by_id(jobs, system, jobid, NULL);

    return j != NULL ? j->name : NULL;
}

int xdi_jobs_purge(struct xdi_jobs *jobs, const char *system, const char *jobid)
{
    size_t i = 0;
    struct job *j = by_id(jobs, system, jobid, &i);

    if (j == NULL)
        return -1;
    job_free(j);
    memmove(jobs->v + i, jobs->v + i + 1, (jobs->n - i - 1) * sizeof(*jobs->v));
    jobs->n--;
    return 0;
}
