/*
 * sim.c - parser of the simulation script (format: sim.h).  The script is
 * what makes the agent deterministic in tests: every event, its time and
 * every status field is written down, nothing depends on the machine.
 */
#include "sim.h"

#include "jobrun.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the script said so far about one job: its steps since its last
 * eoj, for the defaults of eos and eoj. */
struct job_track {
    char job[NACCB_NAME_SIZE + 1];
    unsigned steps;
    uint16_t max_cc;
};

struct parser {
    struct xdi_sim_script *out;
    size_t cap;
    struct job_track *jobs;
    size_t n_jobs;
    uint64_t now_ms;
    int line;
    char *err;
    size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err, p->errlen, "line %d: ", p->line);

    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "+S", "+S.f", "+S.ff", "+S.fff" -> milliseconds. */
static int parse_delay(const char *s, size_t len, uint64_t *ms)
{
    uint64_t whole = 0, frac = 0;
    size_t i = 1, digits = 0, fdigits = 0;

    if (len < 2 || s[0] != '+')
        return -1;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        if (whole <= XDI_SIM_MAX_DELAY_MS)
            whole = whole * 10 + (uint64_t)(s[i] - '0');
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9' && fdigits < 3;
             i++, fdigits++)
            frac = frac * 10 + (uint64_t)(s[i] - '0');
    }
    if (i != len || (digits == 0 && fdigits == 0))
        return -1;
    while (fdigits++ < 3)
        frac *= 10;
    *ms = whole * 1000 + frac;
    return *ms <= XDI_SIM_MAX_DELAY_MS ? 0 : -1;
}

static struct job_track *track(struct parser *p, const char *job)
{
    for (size_t i = 0; i < p->n_jobs; i++)
        if (strcmp(p->jobs[i].job, job) == 0)
            return &p->jobs[i];
    struct job_track *j = realloc(p->jobs, (p->n_jobs + 1) * sizeof *j);
    if (j == NULL)
        return NULL;
    p->jobs = j;
    j = &p->jobs[p->n_jobs++];
    memset(j, 0, sizeof *j);
    memcpy(j->job, job, strlen(job) + 1);
    return j;
}

/* A name argument: [A-Z0-9$#@]{1,8}, copied into out. */
static int take_name(struct parser *p, const char *what, const char *w,
                     size_t len, char out[NACCB_NAME_SIZE + 1])
{
    if (!xdi_job_name_valid(w, len))
        return fail(p, "%s must be [A-Z0-9$#@]{1,8}", what);
    memcpy(out, w, len);
    out[len] = '\0';
    return 0;
}

/* The key=value options of eoj / eos; -1 (or '\0') = not given. */
struct options {
    long maxcc, ucc, scc, rc, step;
    char status;
};

struct option_def {
    const char *name;
    bool on_eoj, on_eos;
    long min, max;
    size_t offset; /* of its long in struct options */
};

static const struct option_def option_defs[] = {
    {"maxcc", true, false, 0, 65535, offsetof(struct options, maxcc)},
    {"ucc", true, false, 0, 65535, offsetof(struct options, ucc)},
    {"scc", true, true, 0, 65535, offsetof(struct options, scc)},
    {"rc", false, true, 0, 65535, offsetof(struct options, rc)},
    {"step", false, true, 1, XDI_JOBRUN_MAX_STEPS, offsetof(struct options, step)},
};

static int parse_number(const char *s, size_t len, long *out)
{
    long v = 0;

    if (len == 0 || len > 6)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int parse_option(struct parser *p, const char *w, size_t len, bool eos,
                        struct options *o)
{
    const char *eq = memchr(w, '=', len);
    size_t klen = eq != NULL ? (size_t)(eq - w) : len;
    const char *v = w + klen + 1;
    size_t vlen = eq != NULL ? len - klen - 1 : 0;
    const char *verb = eos ? "eos" : "eoj";

    if (eq == NULL)
        return fail(p, "expected key=value, got '%.*s'", (int)len, w);
    if (klen == 6 && memcmp(w, "status", 6) == 0) {
        if (vlen != 1 || strchr("NAC", v[0]) == NULL)
            return fail(p, "status must be N, A or C");
        o->status = v[0];
        return 0;
    }
    for (size_t i = 0; i < sizeof option_defs / sizeof option_defs[0]; i++) {
        const struct option_def *d = &option_defs[i];
        long *slot = (long *)(void *)((char *)o + d->offset);
        if (strlen(d->name) != klen || memcmp(w, d->name, klen) != 0)
            continue;
        if (!(eos ? d->on_eos : d->on_eoj))
            return fail(p, "%s is not an option of %s", d->name, verb);
        if (parse_number(v, vlen, slot) != 0 || *slot < d->min ||
            *slot > d->max)
            return fail(p, "%s must be a number %ld..%ld", d->name, d->min,
                        d->max);
        return 0;
    }
    return fail(p, "unknown option '%.*s' of %s", (int)klen, w, verb);
}

/* A cursor over one line's blank-separated words. */
struct words {
    const char *s;
    size_t len, pos;
};

static size_t next_word(struct words *w, const char **word)
{
    size_t start;

    while (w->pos < w->len && (w->s[w->pos] == ' ' || w->s[w->pos] == '\t'))
        w->pos++;
    start = w->pos;
    while (w->pos < w->len && w->s[w->pos] != ' ' && w->s[w->pos] != '\t')
        w->pos++;
    *word = w->s + start;
    return w->pos - start;
}

static int parse_options(struct parser *p, struct words *w, bool eos,
                         struct options *o)
{
    const char *word;
    size_t len;

    o->maxcc = o->ucc = o->scc = o->rc = o->step = -1;
    o->status = '\0';
    while ((len = next_word(w, &word)) > 0)
        if (parse_option(p, word, len, eos, o) != 0)
            return -1;
    return 0;
}

static char default_status(const struct options *o)
{
    if (o->status != '\0')
        return o->status;
    return o->scc > 0 ? 'A' : 'N';
}

static int parse_eos(struct parser *p, struct words *w, struct xdi_job_end *e)
{
    const char *word;
    size_t len = next_word(w, &word);
    struct options o;
    struct job_track *t;

    if (take_name(p, "the job name", word, len, e->job) != 0)
        return -1;
    len = next_word(w, &word);
    if (take_name(p, "the step name", word, len, e->step) != 0 ||
        parse_options(p, w, true, &o) != 0)
        return -1;
    if ((t = track(p, e->job)) == NULL)
        return fail(p, "out of memory");
    e->step_number = o.step > 0 ? (unsigned)o.step : t->steps + 1;
    if (e->step_number > XDI_JOBRUN_MAX_STEPS)
        return fail(p, "more than %u steps in job %s", XDI_JOBRUN_MAX_STEPS,
                    e->job);
    e->ucc = (uint16_t)(o.rc > 0 ? o.rc : 0);
    e->scc = (uint16_t)(o.scc > 0 ? o.scc : 0);
    t->steps = e->step_number;
    if (e->ucc > t->max_cc)
        t->max_cc = e->ucc;
    e->max_cc = t->max_cc;
    e->status = default_status(&o);
    return 0;
}

static int parse_eoj(struct parser *p, struct words *w, struct xdi_job_end *e)
{
    const char *word;
    size_t len = next_word(w, &word);
    struct options o;
    struct job_track *t;

    if (take_name(p, "the job name", word, len, e->job) != 0 ||
        parse_options(p, w, false, &o) != 0)
        return -1;
    if ((t = track(p, e->job)) == NULL)
        return fail(p, "out of memory");
    e->ucc = (uint16_t)(o.ucc >= 0 ? o.ucc : o.maxcc >= 0 ? o.maxcc : 0);
    if (o.maxcc >= 0)
        e->max_cc = (uint16_t)o.maxcc;
    else
        e->max_cc = e->ucc > t->max_cc ? e->ucc : t->max_cc;
    e->scc = (uint16_t)(o.scc > 0 ? o.scc : 0);
    e->status = default_status(&o);
    t->steps = 0; /* the next run of the job starts at step 1 */
    t->max_cc = 0;
    return 0;
}

/* msg / cmd: the rest of the line after one blank, as is. */
static int parse_text(struct parser *p, struct words *w,
                      struct xdi_sim_event *ev)
{
    size_t start = w->pos + 1;

    if (w->pos >= w->len || start >= w->len)
        return fail(p, "the text is missing");
    ev->text_len = w->len - start;
    if (ev->text_len > NACCB_TEXT_MAX)
        return fail(p, "the text is longer than %d bytes", NACCB_TEXT_MAX);
    memcpy(ev->text, w->s + start, ev->text_len);
    ev->text[ev->text_len] = '\0';
    return 0;
}

static struct xdi_sim_event *new_event(struct parser *p)
{
    struct xdi_sim_script *s = p->out;

    if (s->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        struct xdi_sim_event *e = realloc(s->events, cap * sizeof *e);
        if (e == NULL)
            return NULL;
        s->events = e;
        p->cap = cap;
    }
    struct xdi_sim_event *ev = &s->events[s->n++];
    memset(ev, 0, sizeof *ev);
    return ev;
}

static int parse_verb(struct parser *p, struct words *w,
                      struct xdi_sim_event *ev)
{
    const char *verb, *extra;
    size_t len = next_word(w, &verb);

#define IS(word) (len == strlen(word) && memcmp(verb, word, len) == 0)
    if (IS("msg") || IS("cmd")) {
        ev->kind = IS("msg") ? XDI_SIM_MSG : XDI_SIM_CMD;
        return parse_text(p, w, ev);
    }
    if (IS("eoj") || IS("eos")) {
        ev->kind = XDI_SIM_JOB_END;
        return IS("eos") ? parse_eos(p, w, &ev->end) : parse_eoj(p, w, &ev->end);
    }
    if (IS("shutdown")) {
        ev->kind = XDI_SIM_SHUTDOWN;
        if (next_word(w, &extra) > 0)
            return fail(p, "shutdown takes no arguments");
        return 0;
    }
#undef IS
    return fail(p, "unknown event '%.*s' (msg, cmd, eoj, eos, shutdown)",
                (int)len, verb);
}

static int parse_line(struct parser *p, const char *s, size_t len)
{
    struct words w = {s, len, 0};
    const char *word;
    size_t wl;
    uint64_t delay;
    struct xdi_sim_event *ev;

    if (len > 0 && s[len - 1] == '\r')
        w.len = --len;
    wl = next_word(&w, &word);
    if (wl == 0 || word[0] == '#')
        return 0;
    if (parse_delay(word, wl, &delay) != 0)
        return fail(p, "expected a delay +SECONDS (at most 86400, 3 "
                       "decimals), got '%.*s'", (int)wl, word);
    if ((ev = new_event(p)) == NULL)
        return fail(p, "out of memory");
    p->now_ms += delay;
    ev->at_ms = p->now_ms;
    ev->line = p->line;
    return parse_verb(p, &w, ev);
}

int xdi_sim_parse(const char *text, size_t len, struct xdi_sim_script *out,
                  char *err, size_t errlen)
{
    struct parser p = {out, 0, NULL, 0, 0, 0, err, errlen};
    size_t pos = 0;
    int rc = 0;

    out->events = NULL;
    out->n = 0;
    while (pos < len && rc == 0) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t l = nl != NULL ? (size_t)(nl - s) : len - pos;
        pos += l + 1;
        p.line++;
        rc = parse_line(&p, s, l);
    }
    free(p.jobs);
    if (rc != 0)
        xdi_sim_free(out);
    return rc;
}

void xdi_sim_free(struct xdi_sim_script *s)
{
    free(s->events);
    s->events = NULL;
    s->n = 0;
}
