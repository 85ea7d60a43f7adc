/*
 * journal_sink.c - the journal file of journal_sink.h.
 *
 * Each record becomes one line.  Unbuffered (the default), the line goes
 * out with one write(2) before xdi_journal_sink_write() returns.  Buffered
 * (xdi_journal_sink_set_buffered), lines are gathered in one buffer and
 * written together by xdi_journal_sink_flush(), which xdi-server calls
 * before it sends anything and at the end of each loop turn: one write(2)
 * per batch instead of one per record, and still nothing answered that is
 * not in the kernel first.  Either way only whole lines are handed to
 * write(2), so after a kill -9 every complete line parses on its own.  The
 * file is opened O_APPEND so that concurrent appenders (say, a second
 * server on the same journal) never interleave inside one line.
 *
 * The human-readable echo is made from the line itself (the core writes
 * its busiest records without a JSON tree), formatted into one buffer and
 * written with one call, and limited to a number of lines per second: a
 * flood would otherwise spend more on the terminal than on the journal.
 */
#include "journal_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct xdi_journal_sink {
    int fd;
    bool owns_fd;     /* false for standard output, which is not closed */
    bool torn;        /* the last line was written only in part */
    FILE *echo;       /* human-readable summaries, or NULL */
    FILE *log;        /* write errors, or NULL */
    uint64_t errors;  /* records not written, in all */
    uint64_t failing; /* failures since the last success */
    /* Buffered: lines waiting for xdi_journal_sink_flush. */
    bool buffered;
    char *buf;
    size_t len, cap;
    size_t lines; /* lines in buf */
    /* The echo's rate limit: at most echo_rate lines in one second of the
     * records' clock (0: no limit), the rest counted. */
    unsigned echo_rate;
    time_t echo_sec;
    unsigned echo_in_sec;
    uint64_t echo_hidden;
};

/* Lines are written once this much is waiting, whatever the caller's
 * rhythm. */
#define FLUSH_AT (64 * 1024)

static void echo_hidden_note(struct xdi_journal_sink *s,
                             const struct timespec *now);

struct xdi_journal_sink *xdi_journal_sink_fdopen(int fd, bool owns)
{
    struct xdi_journal_sink *s;

    /* A descriptor that is not open fails here, not at the first record. */
    if (fd < 0 || fcntl(fd, F_GETFL) < 0) {
        errno = EBADF;
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->fd = fd;
    s->owns_fd = owns;
    s->log = stderr;
    return s;
}

struct xdi_journal_sink *xdi_journal_sink_open(const char *path)
{
    struct xdi_journal_sink *s;
    int fd;

    if (path == NULL) {
        errno = EINVAL;
        return NULL;
    }
    if (strcmp(path, "-") == 0)
        return xdi_journal_sink_fdopen(STDOUT_FILENO, false);
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return NULL;
    s = xdi_journal_sink_fdopen(fd, true);
    if (s == NULL) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return s;
}

int xdi_journal_sink_reopen(struct xdi_journal_sink *s, const char *path)
{
    int fd;

    if (s == NULL || path == NULL) {
        errno = EINVAL;
        return -1;
    }
    /* What was gathered belongs to the old file. */
    if (xdi_journal_sink_flush(s) != 0)
        return -1;
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (s->owns_fd)
        close(s->fd);
    s->fd = fd;
    s->owns_fd = true;
    /* A torn line belonged to the old file. */
    s->torn = false;
    return 0;
}

void xdi_journal_sink_close(struct xdi_journal_sink *s)
{
    if (s == NULL)
        return;
    xdi_journal_sink_flush(s);
    echo_hidden_note(s, NULL);
    if (s->errors > 0 && s->log != NULL)
        fprintf(s->log,
                "xdi-server: journal: %llu record%s could not be written\n",
                (unsigned long long)s->errors, s->errors == 1 ? "" : "s");
    if (s->owns_fd)
        close(s->fd);
    free(s->buf);
    free(s);
}

void xdi_journal_sink_set_echo(struct xdi_journal_sink *s, FILE *out)
{
    if (s != NULL)
        s->echo = out;
}

void xdi_journal_sink_set_log(struct xdi_journal_sink *s, FILE *log)
{
    if (s != NULL)
        s->log = log;
}

uint64_t xdi_journal_sink_errors(const struct xdi_journal_sink *s)
{
    return s != NULL ? s->errors : 0;
}

/* Writes all len bytes, retrying after signals and short writes; *done
 * gets the bytes that did go out. */
static int write_all(int fd, const char *buf, size_t len, size_t *done)
{
    *done = 0;
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
        *done += (size_t)n;
    }
    return 0;
}

/* Counts n records lost and logs it when the count of failures in a row
 * passes a power of two: a full disk fails every record, and the log must
 * not fill what is left. */
static void failed(struct xdi_journal_sink *s, int err, uint64_t n)
{
    uint64_t before = s->failing;

    s->errors += n;
    s->failing += n;
    /* Logged when the run passed a power of two (1, 2, 4, ...). */
    if (s->log != NULL && n > 0 &&
        (before == 0 || (before ^ s->failing) > before))
        fprintf(s->log,
                "xdi-server: journal: %s could not be written: %s "
                "(%llu failed in a row, %llu in all)\n",
                n == 1 ? "a record" : "records", strerror(err),
                (unsigned long long)s->failing,
                (unsigned long long)s->errors);
}

static void succeeded(struct xdi_journal_sink *s)
{
    if (s->failing > 0 && s->log != NULL)
        fprintf(s->log,
                "xdi-server: journal: records are written again after %llu "
                "failed\n",
                (unsigned long long)s->failing);
    s->failing = 0;
}

/*
 * Writes the gathered lines.  A write that went out only in part (disk
 * full) leaves a torn line: the lines it did not finish are counted lost,
 * and a newline goes in front of the next write so the torn line never
 * swallows the record after it.  A write that went out not at all leaves
 * the file as it was.
 */
int xdi_journal_sink_flush(struct xdi_journal_sink *s)
{
    size_t done = 0;
    int rc;

    if (s == NULL || s->len == 0)
        return 0;
    rc = write_all(s->fd, s->buf, s->len, &done);
    if (rc != 0) {
        int saved = errno;
        /* Lines whose newline went out are whole in the file. */
        uint64_t whole = 0;
        for (const char *p = s->buf, *end = s->buf + done;
             (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
            whole++;
        /* The repairing newline in front, if any, is not a record. */
        if (s->torn && done > 0)
            whole--;
        if (done > 0)
            s->torn = s->buf[done - 1] != '\n';
        failed(s, saved, s->lines - whole);
        s->len = 0;
        s->lines = 0;
        errno = saved;
        return -1;
    }
    s->torn = false;
    s->len = 0;
    s->lines = 0;
    succeeded(s);
    return 0;
}

/* Gathers text (len bytes, no newline) as one line. */
static int gather(struct xdi_journal_sink *s, const char *text, size_t len)
{
    size_t need = len + 2;

    if (need > s->cap - s->len) {
        size_t cap = s->cap ? s->cap : FLUSH_AT * 2;
        while (cap - s->len < need) {
            if (cap > SIZE_MAX / 2) {
                errno = ENOMEM;
                return -1;
            }
            cap *= 2;
        }
        char *b = realloc(s->buf, cap);
        if (b == NULL) {
            errno = ENOMEM;
            return -1;
        }
        s->buf = b;
        s->cap = cap;
    }
    /* A torn line from the last write is ended first. */
    if (s->torn && s->len == 0)
        s->buf[s->len++] = '\n';
    memcpy(s->buf + s->len, text, len);
    s->len += len;
    s->buf[s->len++] = '\n';
    s->lines++;
    return 0;
}

/* ---- the echo ------------------------------------------------------------ */

/* Fields worth showing a person, in the order shown, when present. */
static const char *const echo_fields[] = {
    "name", "key",  "check", "verdict", "command", "target", "outcome",
    "job",  "text", "error", "reason",  "cause",   "detail", NULL,
};
#define N_ECHO_FIELDS (sizeof echo_fields / sizeof echo_fields[0] - 1)

/* A value of the record's top level: a string's content as written (JSON
 * escapes kept, which also keeps a text's newline from breaking the echo's
 * one line), or a number; other values are not shown. */
struct span {
    const char *p;
    size_t n;
    bool string;
};

/* Past the string whose opening quote is at p; NULL if it does not end. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Past one value at p (any kind); NULL on a malformed line. */
static const char *skip_value(const char *p, const char *end)
{
    int depth = 0;

    while (p < end) {
        char ch = *p;
        if (ch == '"') {
            p = skip_string(p, end);
            if (p == NULL)
                return NULL;
            if (depth == 0)
                return p;
            continue;
        }
        if (ch == '{' || ch == '[') {
            depth++;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0)
                return p; /* the end of the enclosing object */
            if (--depth == 0)
                return p + 1;
        } else if (ch == ',' && depth == 0) {
            return p;
        }
        p++;
    }
    return depth == 0 ? p : NULL;
}

/* The echo's fields, found in one pass over the line's top level. */
struct echo_view {
    struct span conn, peer, system, agent_id, event;
    struct span field[N_ECHO_FIELDS];
};

static void set_span(struct span *sp, const char *v, const char *vend)
{
    sp->string = *v == '"';
    if (sp->string) {
        sp->p = v + 1;
        sp->n = (size_t)(vend - v) - 2;
    } else if (*v == '-' || (*v >= '0' && *v <= '9')) {
        sp->p = v;
        sp->n = (size_t)(vend - v);
    }
}

static bool key_is(const char *k, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(k, name, n) == 0;
}

static void view_line(const char *line, size_t len, struct echo_view *v)
{
    const char *p = line, *end = line + len;

    memset(v, 0, sizeof *v);
    if (p == end || *p != '{')
        return;
    p++;
    while (p < end && *p == '"') {
        const char *k = p + 1;
        const char *kend = skip_string(p, end);
        if (kend == NULL || kend >= end || *kend != ':')
            return;
        size_t kn = (size_t)(kend - 1 - k);
        const char *val = kend + 1;
        const char *vend = skip_value(val, end);
        if (vend == NULL || vend == val)
            return;
        if (key_is(k, kn, "conn"))
            set_span(&v->conn, val, vend);
        else if (key_is(k, kn, "peer"))
            set_span(&v->peer, val, vend);
        else if (key_is(k, kn, "system"))
            set_span(&v->system, val, vend);
        else if (key_is(k, kn, "agent_id"))
            set_span(&v->agent_id, val, vend);
        else if (key_is(k, kn, "event"))
            set_span(&v->event, val, vend);
        else
            for (size_t i = 0; i < N_ECHO_FIELDS; i++)
                if (key_is(k, kn, echo_fields[i])) {
                    set_span(&v->field[i], val, vend);
                    break;
                }
        p = vend;
        if (p < end && *p == ',')
            p++;
    }
}

/* The echo line being formatted: one buffer, one write. */
struct echo_buf {
    char b[4096];
    size_t n;
};

static void eb_put(struct echo_buf *e, const char *p, size_t n)
{
    if (n > sizeof e->b - 1 - e->n)
        n = sizeof e->b - 1 - e->n; /* a long text is cut, not split */
    memcpy(e->b + e->n, p, n);
    e->n += n;
}

static void eb_printf(struct echo_buf *e, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(e->b + e->n, sizeof e->b - e->n, fmt, ap);
    va_end(ap);
    if (n > 0)
        e->n += (size_t)n < sizeof e->b - e->n ? (size_t)n
                                              : sizeof e->b - 1 - e->n;
}

static void eb_time(struct echo_buf *e, const struct timespec *now)
{
    struct tm tm;
    time_t secs = now->tv_sec;

    if (localtime_r(&secs, &tm) == NULL)
        memset(&tm, 0, sizeof tm);
    eb_printf(e, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
              now->tv_nsec / 1000000L);
}

/* "… log: N records not shown" for the second that hid them; now NULL at
 * close (no time shown). */
static void echo_hidden_note(struct xdi_journal_sink *s,
                             const struct timespec *now)
{
    struct echo_buf e = {.n = 0};

    if (s->echo == NULL || s->echo_hidden == 0)
        return;
    if (now != NULL) {
        eb_time(&e, now);
        eb_put(&e, " ", 1);
    }
    eb_printf(&e,
              "log: %llu record%s not shown (more than %u a second; the "
              "journal has every one)\n",
              (unsigned long long)s->echo_hidden,
              s->echo_hidden == 1 ? "" : "s", s->echo_rate);
    fwrite(e.b, 1, e.n, s->echo);
    s->echo_hidden = 0;
}

/* The rate limit: false when this record's line is not shown. */
static bool echo_admit(struct xdi_journal_sink *s, const struct timespec *now)
{
    if (s->echo_rate == 0)
        return true;
    if (now->tv_sec != s->echo_sec) {
        echo_hidden_note(s, now);
        s->echo_sec = now->tv_sec;
        s->echo_in_sec = 0;
    }
    if (s->echo_in_sec >= s->echo_rate) {
        s->echo_hidden++;
        return false;
    }
    s->echo_in_sec++;
    return true;
}

/* "13:12:19.024 conn 1 127.0.0.1:45042 SYSA #1 login key=02010500 ..." */
static void echo_record(struct xdi_journal_sink *s, const char *line,
                        size_t len, const struct timespec *now)
{
    struct echo_view v;
    struct echo_buf e = {.n = 0};

    if (!echo_admit(s, now))
        return;
    view_line(line, len, &v);
    eb_time(&e, now);
    if (v.conn.p != NULL && !v.conn.string) {
        eb_put(&e, " conn ", 6);
        eb_put(&e, v.conn.p, v.conn.n);
        eb_put(&e, " ", 1);
        if (v.peer.string)
            eb_put(&e, v.peer.p, v.peer.n);
    }
    if (v.system.string && v.system.n > 0) {
        eb_put(&e, " ", 1);
        eb_put(&e, v.system.p, v.system.n);
    }
    if (v.agent_id.p != NULL && !v.agent_id.string &&
        !(v.agent_id.n == 1 && v.agent_id.p[0] == '0')) {
        eb_put(&e, " #", 2);
        eb_put(&e, v.agent_id.p, v.agent_id.n);
    }
    eb_put(&e, " ", 1);
    if (v.event.string)
        eb_put(&e, v.event.p, v.event.n);
    else
        eb_put(&e, "?", 1);
    for (size_t i = 0; i < N_ECHO_FIELDS; i++) {
        if (v.field[i].p == NULL)
            continue;
        eb_printf(&e, " %s=", echo_fields[i]);
        eb_put(&e, v.field[i].p, v.field[i].n);
    }
    e.b[e.n++] = '\n';
    fwrite(e.b, 1, e.n, s->echo);
}

int xdi_journal_sink_write(struct xdi_journal_sink *s,
                           const struct xdi_record *rec)
{
    if (s == NULL || rec == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (rec->line == NULL) {
        /* The core had no memory to serialize it. */
        failed(s, ENOMEM, 1);
        errno = ENOMEM;
        return -1;
    }
    if (s->echo != NULL && rec->ts != NULL)
        echo_record(s, rec->line, rec->len, rec->ts);
    if (gather(s, rec->line, rec->len) != 0) {
        int saved = errno;
        failed(s, saved, 1);
        errno = saved;
        return -1;
    }
    if (!s->buffered || s->len >= FLUSH_AT)
        return xdi_journal_sink_flush(s);
    return 0;
}

void xdi_journal_sink_set_buffered(struct xdi_journal_sink *s, bool on)
{
    if (s == NULL)
        return;
    s->buffered = on;
    if (!on)
        xdi_journal_sink_flush(s);
}

void xdi_journal_sink_set_echo_rate(struct xdi_journal_sink *s,
                                    unsigned per_second)
{
    if (s != NULL)
        s->echo_rate = per_second;
}

size_t xdi_journal_sink_pending(const struct xdi_journal_sink *s)
{
    return s != NULL ? s->len : 0;
}
