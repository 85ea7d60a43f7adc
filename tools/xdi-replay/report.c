/*
 * report.c - what agent and host say: each difference on stdout as it is
 * found (one line: conversation, NACCB number, key name, field, both
 * values), a progress line on stderr when it is a terminal, a summary
 * line at the end, and --junit FILE with one testcase per run of a
 * conversation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "play.h"

static void log_append(struct run *r, const char *text)
{
    size_t n = strlen(text);
    if (r->loglen + n + 2 > r->logcap) {
        size_t cap = (r->logcap ? r->logcap * 2 : 1024) + n;
        char *nl = realloc(r->log, cap);
        if (!nl)
            return;
        r->log = nl;
        r->logcap = cap;
    }
    memcpy(r->log + r->loglen, text, n);
    r->loglen += n;
    r->log[r->loglen++] = '\n';
    r->log[r->loglen] = '\0';
}

static void clear_progress(struct play *p)
{
    if (p->opt->progress)
        fputs("\r\033[K", stderr);
}

/* Under the lock. */
static void progress(struct play *p, bool force)
{
    if (!p->opt->progress)
        return;
    double t = net_now();
    if (!force && t - p->last_progress < 0.1)
        return;
    p->last_progress = t;
    fprintf(stderr,
            "\r\033[KNACCBs %zu  conversations %zu/%zu  differences %zu",
            p->naccbs, p->done, p->n_runs, p->diffs);
    fflush(stderr);
}

static void run_name(const struct play *p, const struct run *r, char *out,
                     size_t len)
{
    if (p->opt->loop > 1)
        snprintf(out, len, "conversation %d (run %u)", r->conv->number,
                 r->iteration);
    else
        snprintf(out, len, "conversation %d", r->conv->number);
}

void report_diff(struct play *p, struct run *r, size_t index,
                 const struct step *s, const char *field, const char *captured,
                 const char *now)
{
    char name[64], kn[32];
    run_name(p, r, name, sizeof name);
    size_t n = strlen(captured) + strlen(now) + strlen(field) + 160;
    char *line = malloc(n);
    if (!line)
        return;
    snprintf(line, n,
             "%s: NACCB %zu (%s, from the %s): %s: captured %s, now %s", name,
             index + 1, step_key_name(s, kn, sizeof kn),
             s->from_agent ? "agent" : "host", field, captured, now);
    pthread_mutex_lock(&p->lock);
    r->diffs++;
    p->diffs++;
    log_append(r, line);
    clear_progress(p);
    printf("%s\n", line);
    fflush(stdout);
    progress(p, true);
    pthread_mutex_unlock(&p->lock);
    free(line);
}

void report_error(struct play *p, struct run *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&p->lock);
    r->error = true;
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    char name[64];
    run_name(p, r, name, sizeof name);
    clear_progress(p);
    fprintf(stderr, "xdi-replay: %s: %s\n", name, r->why);
    progress(p, true);
    pthread_mutex_unlock(&p->lock);
    va_end(ap);
}

void report_naccb(struct play *p, struct run *r)
{
    pthread_mutex_lock(&p->lock);
    r->naccbs++;
    p->naccbs++;
    progress(p, false);
    pthread_mutex_unlock(&p->lock);
}

void report_run_done(struct play *p, struct run *r)
{
    (void)r;
    pthread_mutex_lock(&p->lock);
    p->done++;
    progress(p, true);
    pthread_mutex_unlock(&p->lock);
}

static void xml_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '&')
            fputs("&amp;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c < 0x20 && c != '\n' && c != '\t')
            fprintf(f, "&#xFFFD;"); /* not allowed in XML 1.0 */
        else
            fputc(c, f);
    }
}

static int write_junit(struct play *p, double seconds)
{
    FILE *f = fopen(p->opt->junit, "w");
    if (!f) {
        fprintf(stderr, "xdi-replay: --junit %s: cannot write it\n",
                p->opt->junit);
        return -1;
    }
    size_t failures = 0, errors = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        if (p->runs[i].error)
            errors++;
        else if (p->runs[i].diffs)
            failures++;
    }
    const char *suite =
        p->opt->role == PLAY_AGENT ? "xdi-replay agent" : "xdi-replay host";
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" "
            "errors=\"%zu\" time=\"%.3f\">\n",
            suite, p->n_runs, failures, errors, seconds);
    for (size_t i = 0; i < p->n_runs; i++) {
        struct run *r = &p->runs[i];
        char name[64];
        run_name(p, r, name, sizeof name);
        fprintf(f, "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\"",
                suite, name, r->seconds);
        if (r->error) {
            fputs(">\n    <error message=\"", f);
            xml_text(f, r->why);
            fputs("\">", f);
            if (r->log)
                xml_text(f, r->log);
            fputs("</error>\n  </testcase>\n", f);
        } else if (r->diffs) {
            fprintf(f, ">\n    <failure message=\"%zu difference%s\">",
                    r->diffs, r->diffs == 1 ? "" : "s");
            xml_text(f, r->log ? r->log : "");
            fputs("</failure>\n  </testcase>\n", f);
        } else {
            fputs("/>\n", f);
        }
    }
    fputs("</testsuite>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

int report_finish(struct play *p, double seconds)
{
    size_t errors = 0, differing = 0;
    for (size_t i = 0; i < p->n_runs; i++) {
        if (p->runs[i].error)
            errors++;
        else if (p->runs[i].diffs)
            differing++;
    }
    clear_progress(p);
    const char *verdict = errors     ? "could not run"
                          : p->diffs ? "different"
                                     : "same";
    char in[64] = "", err[48] = "", runs[48] = "";
    if (p->diffs)
        snprintf(in, sizeof in, " (in %zu)", differing);
    if (errors)
        snprintf(err, sizeof err, ", %zu could not run", errors);
    if (p->opt->loop > 1)
        snprintf(runs, sizeof runs, " run%s", p->n_runs == 1 ? "" : "s");
    printf("xdi-replay %s: %zu conversation%s%s, %zu NACCBs, %zu "
           "difference%s%s%s, %.2f s: %s\n",
           p->opt->role == PLAY_AGENT ? "agent" : "host", p->n_runs,
           runs[0]          ? ""
           : p->n_runs == 1 ? ""
                            : "s",
           runs, p->naccbs, p->diffs, p->diffs == 1 ? "" : "s", in, err,
           seconds, verdict);
    fflush(stdout);
    int rc = errors     ? REPLAY_EXIT_IO
             : p->diffs ? REPLAY_EXIT_INVALID
                        : REPLAY_EXIT_OK;
    if (p->opt->junit && write_junit(p, seconds) != 0)
        rc = REPLAY_EXIT_IO;
    return rc;
}
