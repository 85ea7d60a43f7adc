/*
 * journal_sink.c - the journal file of journal_sink.h.
 *
 * Each record becomes one line written with write(2) straight to the file
 * descriptor: nothing sits in a user-space buffer, so a record is in the
 * kernel (and survives a kill -9 of the server) as soon as
 * xdi_journal_sink_write() returns, and every complete line parses on its
 * own.  The file is opened O_APPEND so that concurrent appenders (say, a
 * second server on the same journal) never interleave inside one line.
 */
#include "journal_sink.h"

#include <errno.h>
#include <fcntl.h>
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
};

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
    if (s->errors > 0 && s->log != NULL)
        fprintf(s->log,
                "xdi-server: journal: %llu record%s could not be written\n",
                (unsigned long long)s->errors, s->errors == 1 ? "" : "s");
    /* Lines went out with write(2): there is no buffer left to flush. */
    if (s->owns_fd)
        close(s->fd);
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

/*
 * Writes text (len bytes, no newline) as one line with one write(2).  A
 * line that went out only in part must be ended before the next one, so a
 * newline goes in front of the next line; a line that did not go out at
 * all leaves the file as it was.
 */
static int write_line(struct xdi_journal_sink *s, const char *text, size_t len)
{
    size_t off = s->torn ? 1 : 0;
    size_t done = 0;
    char *buf = malloc(len + 2);
    int rc;

    if (buf == NULL) {
        errno = ENOMEM;
        return -1;
    }
    buf[0] = '\n';
    memcpy(buf + off, text, len);
    buf[off + len] = '\n';
    rc = write_all(s->fd, buf, off + len + 1, &done);
    free(buf);
    if (rc != 0 && off == 1)
        s->torn = done != 1; /* only the repairing newline went out: clean */
    else
        s->torn = rc != 0 && done > 0;
    return rc;
}

/* Fields worth showing a person, in the order shown, when present. */
static const char *const echo_fields[] = {
    "name", "key",  "check", "verdict", "command", "target", "outcome",
    "job",  "text", "error", "reason",  "cause",   "detail", NULL,
};

static const char *string_or(json_t *v, const char *fallback)
{
    const char *s = json_string_value(v);
    return s ? s : fallback;
}

/* "13:12:19.024 conn 1 127.0.0.1:45042 SYSA #1 login key=02010500 ..." */
static void echo_record(FILE *out, json_t *rec, const struct timespec *now)
{
    struct tm tm;
    time_t secs = now->tv_sec;
    const char *system = json_string_value(json_object_get(rec, "system"));
    json_t *conn = json_object_get(rec, "conn");
    json_t *agent = json_object_get(rec, "agent_id");

    if (localtime_r(&secs, &tm) == NULL)
        memset(&tm, 0, sizeof tm);
    fprintf(out, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec,
            now->tv_nsec / 1000000L);
    if (json_is_integer(conn))
        fprintf(out, " conn %lld %s", (long long)json_integer_value(conn),
                string_or(json_object_get(rec, "peer"), ""));
    if (system && *system)
        fprintf(out, " %s", system);
    if (json_is_integer(agent) && json_integer_value(agent) != 0)
        fprintf(out, " #%lld", (long long)json_integer_value(agent));
    fprintf(out, " %s", string_or(json_object_get(rec, "event"), "?"));
    for (int i = 0; echo_fields[i]; i++) {
        json_t *v = json_object_get(rec, echo_fields[i]);
        if (json_is_string(v))
            fprintf(out, " %s=%s", echo_fields[i], json_string_value(v));
        else if (json_is_integer(v))
            fprintf(out, " %s=%lld", echo_fields[i],
                    (long long)json_integer_value(v));
    }
    fputc('\n', out);
}

/* Counts a failure and logs it when its count is a power of two: a full
 * disk fails every record, and the log must not fill what is left. */
static void failed(struct xdi_journal_sink *s, int err)
{
    s->errors++;
    s->failing++;
    if (s->log != NULL && (s->failing & (s->failing - 1)) == 0)
        fprintf(s->log,
                "xdi-server: journal: a record could not be written: %s "
                "(%llu failed in a row, %llu in all)\n",
                strerror(err), (unsigned long long)s->failing,
                (unsigned long long)s->errors);
}

int xdi_journal_sink_write(struct xdi_journal_sink *s,
                           const struct xdi_record *rec)
{
    int rc;

    if (s == NULL || rec == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (s->echo != NULL && rec->fields != NULL && rec->ts != NULL)
        echo_record(s->echo, rec->fields, rec->ts);
    if (rec->line == NULL) {
        /* The core had no memory to serialize it. */
        failed(s, ENOMEM);
        errno = ENOMEM;
        return -1;
    }
    rc = write_line(s, rec->line, rec->len);
    if (rc != 0) {
        int saved = errno;
        failed(s, saved);
        errno = saved;
        return -1;
    }
    if (s->failing > 0 && s->log != NULL)
        fprintf(s->log,
                "xdi-server: journal: records are written again after %llu "
                "failed\n",
                (unsigned long long)s->failing);
    s->failing = 0;
    return 0;
}
