/*
 * journal_sink.h - xdi-server's journal: the records the protocol core hands
 * over (server/core/output.h, struct xdi_record) written to a file or a
 * descriptor, one JSON line each (docs/journal.md).
 *
 * Each line is written with a single write(2) of the whole line, so after a
 * kill -9 every complete line still parses and every record the sink has
 * returned from is in the kernel.  Write errors are counted and logged; the
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

/* Closes (nothing is buffered: there is nothing to flush).  When writes
 * failed, one summary line goes to the log.  NULL-safe. */
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
 * Writes rec->line and a newline as one line.  A line that went out only in
 * part (disk full) is ended by a newline in front of the next one, so it
 * never swallows the record after it.  Returns 0, or -1 with errno set
 * (EINVAL for a record without a line, ENOMEM, or write(2)'s error): the
 * failure is counted and logged.
 */
int xdi_journal_sink_write(struct xdi_journal_sink *s,
                           const struct xdi_record *rec);

/* Records that could not be written so far. */
uint64_t xdi_journal_sink_errors(const struct xdi_journal_sink *s);

#endif /* XDI_JOURNAL_SINK_H */
