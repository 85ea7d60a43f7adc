/*
 * journal.c - the JSON Lines journal of journal.h.
 *
 * Each record becomes one line written with write(2) straight to the file
 * descriptor: nothing sits in a user-space buffer, so a record is in the
 * kernel (and survives a kill -9 of the server) as soon as
 * xdi_journal_write() returns, and every complete line parses on its own.
 * The file is opened O_APPEND so that concurrent appenders (say, a second
 * server on the same journal) never interleave inside one line.
 */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xdi_journal {
    int fd;
    bool owns_fd; /* false for standard output, which is not closed */
    bool torn;    /* the last line was written only in part */
    FILE *echo;   /* human-readable summaries, or NULL */
};

struct xdi_journal *xdi_journal_open(const char *path)
{
    struct xdi_journal *j;
    int fd;

    if (path == NULL) {
        errno = EINVAL;
        return NULL;
    }
    j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    if (strcmp(path, "-") == 0) {
        j->fd = STDOUT_FILENO;
        return j;
    }
    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        int saved = errno;
        free(j);
        errno = saved;
        return NULL;
    }
    j->fd = fd;
    j->owns_fd = true;
    return j;
}

void xdi_journal_close(struct xdi_journal *j)
{
    if (j == NULL)
        return;
    /* Lines went out with write(2): there is no buffer left to flush. */
    if (j->owns_fd)
        close(j->fd);
    free(j);
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

/* "2026-11-21T08:30:00.123Z": UTC, ISO 8601, milliseconds. */
static json_t *iso_timestamp(const struct timespec *now)
{
    struct tm tm;
    char buf[48];
    time_t secs = now->tv_sec;
    long ms = now->tv_nsec / 1000000L;

    if (gmtime_r(&secs, &tm) == NULL)
        return json_null();
    if (ms < 0 || ms > 999)
        ms = 0;
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, ms);
    return json_string(buf);
}

/* rec's fields behind a leading "ts"; NULL when out of memory. */
static char *render_line(json_t *rec, const struct timespec *now, size_t *len)
{
    json_t *line = json_object();
    char *text = NULL;

    if (line != NULL &&
        json_object_set_new(line, "ts", iso_timestamp(now)) == 0 &&
        json_object_update(line, rec) == 0)
        text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (text != NULL)
        *len = strlen(text);
    return text;
}

/*
 * Writes text (len bytes, no newline) as one line with one write(2).  A
 * line that went out only in part must be ended before the next one, so a
 * newline goes in front of the next line; a line that did not go out at
 * all leaves the file as it was.
 */
static int write_line(struct xdi_journal *j, const char *text, size_t len)
{
    size_t off = j->torn ? 1 : 0;
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
    rc = write_all(j->fd, buf, off + len + 1, &done);
    free(buf);
    if (rc != 0 && off == 1)
        j->torn = done != 1; /* only the repairing newline went out: clean */
    else
        j->torn = rc != 0 && done > 0;
    return rc;
}

void xdi_journal_set_echo(struct xdi_journal *j, FILE *out)
{
    if (j != NULL)
        j->echo = out;
}

/* Fields worth showing a person, in the order shown, when present. */
static const char *const echo_fields[] = {
    "name",    "key",  "check", "verdict", "command", "target", "outcome",
    "job",     "text", "error", "reason",  "cause",   "detail", NULL,
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
            fprintf(out, " %s=%lld", echo_fields[i], (long long)json_integer_value(v));
    }
    fputc('\n', out);
}

int xdi_journal_write(struct xdi_journal *j, json_t *rec,
                      const struct timespec *now)
{
    char *text;
    size_t len = 0;
    int rc;

    if (j == NULL || rec == NULL || now == NULL) {
        json_decref(rec);
        errno = EINVAL;
        return -1;
    }
    text = render_line(rec, now, &len);
    if (j->echo != NULL)
        echo_record(j->echo, rec, now);
    json_decref(rec);
    if (text == NULL) {
        errno = ENOMEM;
        return -1;
    }
    rc = write_line(j, text, len);
    free(text);
    return rc;
}
