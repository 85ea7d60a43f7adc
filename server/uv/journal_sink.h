/*
 * journal_sink.h - xdi-server's journal: the records the protocol core hands
 * over (server/core/output.h, struct xdi_record) written to a file or a
 * descriptor, one JSON line each (docs/journal.md).
 *
 * Unbuffered (the default), each line is written with one write(2) before
 * xdi_journal_sink_write() returns.  Buffered, lines are gathered and
 * written together by xdi_journal_sink_flush() (or once 64 KiB wait): the
 * caller flushes before anything it answers goes out.  Only whole lines
 * are handed to write(2), so after a kill -9 every complete line still
 * parses.  Write errors are counted and logged; the
 * caller decides whether one is fatal (xdi-server's --journal-errors).
 * No libuv here: the sink is plain file I/O, tested on its own
 * (tests/test_journal.c).
 */
#ifndef XDI_JOURNAL_SINK_H
#define XDI_JOURNAL_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "output.h"

struct xdi_journal_sink;

/* Opens path for appending (O_APPEND, created 0644; "-" = standard
 * output, which close leaves open).  NULL on failure with errno set. */
struct xdi_journal_sink *xdi_journal_sink_open(const char *path);

/* A sink on descriptor fd, already open for writing; owns: close it with
 * the sink.  NULL when out of memory or fd < 0 (errno set). */
struct xdi_journal_sink *xdi_journal_sink_fdopen(int fd, bool owns);

/* Goes on in a new file: path opened as by xdi_journal_sink_open() (a
 * rotated journal's new file; the caller renamed the old one), the old
 * descriptor closed if the sink owned it.  On failure (-1, errno set) the
 * sink keeps writing where it did. */
int xdi_journal_sink_reopen(struct xdi_journal_sink *s, const char *path);

/* Flushes, then closes.  When writes failed, one summary line goes to the
 * log.  NULL-safe. */
void xdi_journal_sink_close(struct xdi_journal_sink *s);

/*
 * Also print a one-line human-readable summary of every record to out
 * (NULL: stop).  The summary is for people watching a terminal; the JSON
 * line stays the record.  out is borrowed.
 */
void xdi_journal_sink_set_echo(struct xdi_journal_sink *s, FILE *out);

/* Where write errors are reported (borrowed; default stderr, NULL: not
 * at all).  The first failure is logged, then every failure whose count is
 * a power of two, and the first success after failures. */
void xdi_journal_sink_set_log(struct xdi_journal_sink *s, FILE *log);

/*
 * Writes rec->line and a newline as one line (buffered: gathers it; a
 * failure then shows at the flush).  A line that went out only in part
 * (disk full) is ended by a newline in front of the next one, so it never
 * swallows the record after it.  Returns 0, or -1 with errno set
 * (EINVAL for a record without a line, ENOMEM, or write(2)'s error): the
 * failure is counted and logged.
 */
int xdi_journal_sink_write(struct xdi_journal_sink *s,
                           const struct xdi_record *rec);

/*
 * Buffered or not (above; default not).  Turning it off flushes.
 */
void xdi_journal_sink_set_buffered(struct xdi_journal_sink *s, bool on);
/* Writes the lines gathered so far.  0, or -1 with errno set: the lines
 * that did not go out whole are counted lost and logged as write errors
 * are.  Nothing gathered: 0 at once. */
int xdi_journal_sink_flush(struct xdi_journal_sink *s);
/* Bytes gathered and not yet written. */
size_t xdi_journal_sink_pending(const struct xdi_journal_sink *s);
/* At most per_second echo lines in one second of the records' clock (0,
 * the default: no limit); the lines held back are counted, and the count
 * is echoed when the next second begins (and at close). */
void xdi_journal_sink_set_echo_rate(struct xdi_journal_sink *s,
                                    unsigned per_second);
/* Records that could not be written so far. */
uint64_t xdi_journal_sink_errors(const struct xdi_journal_sink *s);

#endif /* XDI_JOURNAL_SINK_H */
