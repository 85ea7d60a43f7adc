/*
 * jobrun.c - steps and ends of one job (see jobrun.h): the side-channel
 * line protocol, and the status fields of protocol.md §9 from an
 * exit status.
 */
#include "jobrun.h"

#include <stdio.h>
#include <string.h>

void xdi_jobrun_init(struct xdi_jobrun *r, const char *job)
{
    memset(r, 0, sizeof *r);
    snprintf(r->job, sizeof r->job, "%s", job);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* The next blank-separated word of line[*pos..len). */
static size_t next_word(const char *line, size_t len, size_t *pos,
                        const char **word)
{
    size_t start;

    while (*pos < len && is_space(line[*pos]))
        (*pos)++;
    start = *pos;
    while (*pos < len && !is_space(line[*pos]))
        (*pos)++;
    *word = line + start;
    return *pos - start;
}

/* A decimal 0..65535. */
static int parse_cc(const char *s, size_t len, uint16_t *out)
{
    uint32_t v = 0;

    if (len == 0 || len > 5)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v > UINT16_MAX)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

static void base_end(const struct xdi_jobrun *r, struct xdi_job_end *end)
{
    memset(end, 0, sizeof *end);
    memcpy(end->job, r->job, sizeof end->job);
    end->status = 'N';
}

int xdi_jobrun_step_line(struct xdi_jobrun *r, const char *line, size_t len,
                         struct xdi_job_end *end, const char **why)
{
    const char *w[4];
    size_t wl[4], pos = 0;
    char name[NACCB_NAME_SIZE + 1];
    uint16_t rc;

    if (len > 0 && line[len - 1] == '\r')
        len--;
    for (int i = 0; i < 4; i++)
        wl[i] = next_word(line, len, &pos, &w[i]);
    if (wl[0] != 4 || memcmp(w[0], "STEP", 4) != 0 || wl[3] != 0) {
        *why = "not a 'STEP name rc' line";
        return 0;
    }
    if (wl[1] == 0 || wl[1] > NACCB_NAME_SIZE) {
        *why = "step name is not 1 to 8 characters";
        return 0;
    }
    for (size_t i = 0; i < wl[1]; i++) {
        char c = w[1][i];
        name[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    name[wl[1]] = '\0';
    if (!xdi_job_name_valid(name, wl[1])) {
        *why = "step name is not [A-Z0-9$#@]{1,8}";
        return 0;
    }
    if (parse_cc(w[2], wl[2], &rc) != 0) {
        *why = "rc is not a number 0..65535";
        return 0;
    }
    if (r->steps >= XDI_JOBRUN_MAX_STEPS) {
        *why = "more than 256 steps";
        return 0;
    }
    r->steps++;
    if (rc > r->max_cc)
        r->max_cc = rc;
    base_end(r, end);
    memcpy(end->step, name, wl[1] + 1);
    end->step_number = r->steps;
    end->ucc = rc;
    end->max_cc = r->max_cc;
    *why = NULL;
    return 1;
}

static size_t finish_line(struct xdi_jobrun *r, xdi_jobrun_fn fn, void *ctx)
{
    struct xdi_job_end end;
    const char *why = "line longer than 128 bytes";
    int got = 0;

    if (!r->overflow)
        got = xdi_jobrun_step_line(r, r->line, r->line_len, &end, &why);
    if (fn != NULL)
        fn(ctx, got ? &end : NULL, why);
    r->line_len = 0;
    r->overflow = false;
    return (size_t)got;
}

size_t xdi_jobrun_feed(struct xdi_jobrun *r, const char *bytes, size_t len,
                       xdi_jobrun_fn fn, void *ctx)
{
    size_t steps = 0;

    for (size_t i = 0; i < len; i++) {
        if (bytes[i] == '\n') {
            steps += finish_line(r, fn, ctx);
        } else if (r->line_len < sizeof r->line) {
            r->line[r->line_len++] = bytes[i];
        } else {
            r->overflow = true;
        }
    }
    return steps;
}

size_t xdi_jobrun_eof(struct xdi_jobrun *r, xdi_jobrun_fn fn, void *ctx)
{
    if (r->line_len == 0 && !r->overflow)
        return 0;
    return finish_line(r, fn, ctx);
}

void xdi_jobrun_exit(const struct xdi_jobrun *r, int64_t exit_status,
                     int term_signal, struct xdi_job_end *end)
{
    base_end(r, end);
    end->max_cc = r->max_cc;
    if (term_signal != 0) {
        /* Killed: an abend with the signal as system completion code. */
        end->status = 'A';
        end->scc = (uint16_t)term_signal;
        return;
    }
    end->ucc = (uint16_t)(exit_status < 0 ? 0 : exit_status & 0xFFFF);
    if (end->ucc > end->max_cc)
        end->max_cc = end->ucc;
}

void xdi_jobrun_not_run(const struct xdi_jobrun *r, struct xdi_job_end *end)
{
    base_end(r, end);
    end->status = 'C';
}
