/*
 * util.c - small pieces of the agent core: log lines, the action list, the
 * clock, the holiday calendar and job-name validation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "priv.h"

void xdi_agent__log(struct xdi_agent *a, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (a->hooks.log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    a->hooks.log(a->hooks.ctx, line);
}

bool xdi_agent__events_open(const struct xdi_agent *a)
{
    return a->state == XDI_AGENT_ACQUIRING || a->state == XDI_AGENT_RUNNING;
}

const char *xdi_agent__key_name(uint32_t key, uint8_t error_code)
{
    const char *name = naccb_key_name(key, error_code);

    return name != NULL ? name : "NACCB";
}

void xdi_agent__act(struct xdi_agent *a, enum xdi_agent_action_kind kind,
                    unsigned delay_ms, int exit_code, const char *text)
{
    struct xdi_agent__action_node *n = calloc(1, sizeof *n);

    if (n == NULL) {
        /* Losing a STOP would hang the agent: the caller of
         * xdi_agent_next_action() cannot know.  Out of memory this early
         * is fatal anyway, so say so and stop the hard way. */
        xdi_agent__log(a, "fatal: out of memory for an action");
        abort();
    }
    n->act.kind = kind;
    n->act.delay_ms = delay_ms;
    n->act.exit_code = exit_code;
    if (text != NULL)
        snprintf(n->act.text, sizeof n->act.text, "%s", text);
    *a->act_tail = n;
    a->act_tail = &n->next;
}

int xdi_agent_next_action(struct xdi_agent *a, struct xdi_agent_action *out)
{
    struct xdi_agent__action_node *n = a->act_head;

    if (n == NULL)
        return 0;
    *out = n->act;
    a->act_head = n->next;
    if (a->act_head == NULL)
        a->act_tail = &a->act_head;
    free(n);
    return 1;
}

/* Log lines must stay one line and readable whatever the peer sent. */
const char *xdi_agent__quote(char *buf, const char *s, size_t len)
{
    size_t o = 0;

    buf[o++] = '\'';
    for (size_t i = 0; i < len && i < NACCB_TEXT_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F || c == '\'' || c == '\\' || c >= 0x80)
            o += (size_t)snprintf(buf + o, XDI_AGENT__QUOTE_SIZE - o,
                                  "\\x%02X", c);
        else
            buf[o++] = (char)c;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return buf;
}

const char *xdi_agent__quote_wire(const struct xdi_agent *a, char *buf,
                                  const uint8_t *w, size_t len)
{
    char text[NACCB_TEXT_MAX];

    if (len > sizeof text)
        len = sizeof text;
    naccb_ebcdic_decode(a->cfg.codepage, w, len, (uint8_t *)text);
    return xdi_agent__quote(buf, text, len);
}

/* The real clock's local time: time() and localtime_r(), both of which
 * libfaketime intercepts, so tests can move the agent in time. */
static void real_local_time(struct naccb_local_time *t)
{
    time_t now = time(NULL);
    struct tm tm;

    memset(&tm, 0, sizeof tm);
    localtime_r(&now, &tm);
    naccb_local_time_from_tm(&tm, t);
}

void xdi_agent__local_time(struct xdi_agent *a, struct naccb_local_time *t)
{
    if (a->hooks.local_time != NULL)
        a->hooks.local_time(a->hooks.ctx, t);
    else
        real_local_time(t);
}

static int date_cmp(const void *x, const void *y)
{
    const struct naccb_date *p = x, *q = y;
    long a = (long)p->year * 10000 + p->month * 100 + p->day;
    long b = (long)q->year * 10000 + q->month * 100 + q->day;

    return (a > b) - (a < b);
}

int xdi_agent__is_holiday(void *agent, const struct naccb_date *d)
{
    const struct xdi_agent *a = agent;

    return bsearch(d, a->holidays, a->n_holidays, sizeof *a->holidays,
                   date_cmp) != NULL;
}

int xdi_agent_set_holidays(struct xdi_agent *a, const struct naccb_date *d,
                           size_t n)
{
    struct naccb_date *copy = NULL;

    if (n > 0) {
        copy = malloc(n * sizeof *copy);
        if (copy == NULL)
            return -1;
        memcpy(copy, d, n * sizeof *copy);
        qsort(copy, n, sizeof *copy, date_cmp);
    }
    free(a->holidays);
    a->holidays = copy;
    a->n_holidays = n;
    return 0;
}

/* "YYYY-MM-DD" exactly, a real calendar day. */
static int parse_date(const char *s, size_t len, struct naccb_date *out)
{
    int v[3] = {0, 0, 0};
    static const size_t widths[3] = {4, 2, 2};
    size_t pos = 0;

    if (len != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int f = 0; f < 3; f++) {
        for (size_t i = 0; i < widths[f]; i++, pos++) {
            if (s[pos] < '0' || s[pos] > '9')
                return -1;
            v[f] = v[f] * 10 + (s[pos] - '0');
        }
        pos++; /* the '-' */
    }
    out->year = v[0];
    out->month = v[1];
    out->day = v[2];
    /* The codec knows the calendar: a date that has a Julian day exists. */
    int yday;
    return naccb_date_to_julian(out, &yday) == 0 ? 0 : -1;
}

static size_t trim_len(const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                       s[len - 1] == '\r'))
        len--;
    return len;
}

int xdi_holidays_parse(const char *text, size_t len, struct naccb_date **out,
                       size_t *n, int *err_line)
{
    struct naccb_date *dates = NULL;
    size_t count = 0, cap = 0, pos = 0;
    int line = 0;

    *out = NULL;
    *n = 0;
    while (pos < len) {
        const char *s = text + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t l = nl != NULL ? (size_t)(nl - s) : len - pos;
        pos += l + 1;
        line++;
        while (l > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            l--;
        }
        l = trim_len(s, l);
        if (l == 0 || s[0] == '#')
            continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct naccb_date *p = realloc(dates, ncap * sizeof *p);
            if (p == NULL) {
                free(dates);
                *err_line = 0;
                return -1;
            }
            dates = p;
            cap = ncap;
        }
        if (parse_date(s, l, &dates[count]) != 0) {
            free(dates);
            *err_line = line;
            return -1;
        }
        count++;
    }
    *out = dates;
    *n = count;
    return 0;
}

/* Job names come from the wire and name a file: only the characters of a
 * z/OS member name, so no '/', '.', blank or control byte can get through
 * (issue text, Part A 2). */
int xdi_job_name_valid(const char *name, size_t len)
{
    if (len < 1 || len > NACCB_NAME_SIZE)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '$' ||
              c == '#' || c == '@'))
            return 0;
    }
    return 1;
}
