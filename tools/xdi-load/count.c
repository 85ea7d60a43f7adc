/*
 * count.c - how many info NACCBs the server has handled, read from the
 * server's side, never from the generator's: loopback socket buffers hold
 * many times what a slow server has read, so "written by xdi-load" says
 * little about "handled by the server" (docs/performance.md, section 3).
 *
 * Three sources, one per kind of target:
 *   --count-journal FILE  xdi-server with a journal file: the "info"
 *                         records (one per text; the modes send one text
 *                         per NACCB).  Read on from where the last look
 *                         stopped, whole lines only, so each byte is
 *                         scanned once.
 *   --count-file FILE     the benchmark sinks (tools/bench/): a decimal
 *                         count of info NACCBs the sink rewrites in place.
 *   --count-read PID      any process, xdi-server with --journal none or
 *                         /dev/null included: the bytes it has read
 *                         (rchar in /proc/PID/io) divided by the NACCB's
 *                         size.  After the mode starts the agents send
 *                         nothing but info NACCBs, so the bytes read since
 *                         then are theirs; the server handles each read at
 *                         once, in the read's callback.  rchar also
 *                         counts the loop's own few-byte reads (eventfd,
 *                         signals), so this count is high by a NACCB or
 *                         two at most; mode.c takes "all sent handled" at
 *                         face value there.
 */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load.h"

enum { JOURNAL_CHUNK = 1 << 20 };

/* The record type is the third field of every journal line
 * (docs/journal.md, "Fields every record has"). */
static const char info_pattern[] = "\"event\":\"info\",";

int counter_open(struct counter *c)
{
    c->fd = -1;
    c->raw = c->base = c->offset = 0;
    if (c->kind == COUNT_JOURNAL) {
        c->fd = open(c->path, O_RDONLY | O_CLOEXEC);
        c->buf = malloc(JOURNAL_CHUNK);
        if (c->fd < 0 || c->buf == NULL) {
            fprintf(stderr, "xdi-load: cannot read the journal %s: %s\n",
                    c->path, c->fd < 0 ? strerror(errno) : "out of memory");
            return -1;
        }
    }
    return counter_mark(c);
}

void counter_close(struct counter *c)
{
    if (c->kind == COUNT_JOURNAL && c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
}

/* Counts the info records of the complete lines written since the last
 * call; a line still being written is left for the next one. */
static int read_journal(struct counter *c)
{
    for (;;) {
        ssize_t n = pread(c->fd, c->buf, JOURNAL_CHUNK, (off_t)c->offset);
        const char *p = c->buf, *end, *nl;

        if (n < 0) {
            fprintf(stderr, "xdi-load: reading the journal %s: %s\n", c->path,
                    strerror(errno));
            return -1;
        }
        end = c->buf + n;
        while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            if (memmem(p, (size_t)(nl - p), info_pattern,
                       sizeof info_pattern - 1) != NULL)
                c->raw++;
            p = nl + 1;
        }
        if (p == c->buf && n == JOURNAL_CHUNK) {
            fprintf(stderr, "xdi-load: %s: a journal line longer than %d bytes\n",
                    c->path, JOURNAL_CHUNK);
            return -1;
        }
        c->offset += (uint64_t)(p - c->buf);
        if (n < JOURNAL_CHUNK)
            return 0;
    }
}

/* The count file: the sink writes it in place, fixed width, so two equal
 * reads in a row are a count it really wrote. */
static int read_file_once(const char *path, uint64_t *out)
{
    char text[64];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    if (n <= 0)
        return -1;
    text[n] = '\0';
    return sscanf(text, "%" SCNu64, out) == 1 ? 0 : -1;
}

static int read_count_file(struct counter *c)
{
    uint64_t a, b;

    for (int tries = 0; tries < 100; tries++) {
        if (read_file_once(c->path, &a) == 0 &&
            read_file_once(c->path, &b) == 0 && a == b) {
            c->raw = a;
            return 0;
        }
    }
    fprintf(stderr, "xdi-load: cannot read a count from %s\n", c->path);
    return -1;
}

static int read_rchar(struct counter *c)
{
    char path[64], line[128];
    unsigned long long v;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/io", c->pid);
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr, "xdi-load: cannot read %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        if (sscanf(line, "rchar: %llu", &v) == 1) {
            fclose(f);
            c->raw = v;
            return 0;
        }
    }
    fclose(f);
    fprintf(stderr, "xdi-load: %s has no rchar line\n", path);
    return -1;
}

static int refresh(struct counter *c)
{
    switch (c->kind) {
    case COUNT_JOURNAL:
        return read_journal(c);
    case COUNT_FILE:
        return read_count_file(c);
    case COUNT_READ:
        return read_rchar(c);
    case COUNT_NONE:
        break;
    }
    return 0;
}

int counter_mark(struct counter *c)
{
    if (refresh(c) != 0)
        return -1;
    c->base = c->raw;
    return 0;
}

int counter_since(struct counter *c, uint64_t *out)
{
    if (refresh(c) != 0)
        return -1;
    *out = c->raw - c->base;
    if (c->kind == COUNT_READ)
        *out /= c->naccb_size;
    return 0;
}

const char *counter_describe(const struct counter *c)
{
    switch (c->kind) {
    case COUNT_JOURNAL:
        return "info records in the server's journal";
    case COUNT_FILE:
        return "the sink's count file";
    case COUNT_READ:
        return "bytes the server read (/proc/PID/io rchar) / NACCB size";
    case COUNT_NONE:
        break;
    }
    return "none";
}
