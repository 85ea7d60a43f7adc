/*
 * journal.h - the JSON Lines journal of everything the fake host saw and did.
 *
 * One JSON object per line (jansson), one line per event.  Each line is
 * written with a single write of the whole line and flushed at once, so
 * after a kill -9 every complete line still parses and nothing acknowledged
 * is lost; a graceful stop closes the journal after the last record.
 * Record fields: see docs/journal.md.
 */
#ifndef XDI_JOURNAL_H
#define XDI_JOURNAL_H

#include <jansson.h>
#include <stdio.h>
#include <time.h>

struct xdi_journal;

/* Opens path for appending ("-" = standard output).  NULL on failure with
 * errno set. */
struct xdi_journal *xdi_journal_open(const char *path);

/* Flushes and closes (standard output is flushed, not closed).  NULL-safe. */
void xdi_journal_close(struct xdi_journal *j);

/*
 * Also print a one-line human-readable summary of every record to out
 * (NULL: stop).  The summary is for people watching a terminal; the JSON
 * line stays the record.  out is borrowed.
 */
void xdi_journal_set_echo(struct xdi_journal *j, FILE *out);

/*
 * Adds "ts" (UTC, ISO 8601 with milliseconds, from *now) as the first field
 * and writes rec as one line.  Takes ownership of rec (json_decref).
 * Returns 0, or -1 on a write error (errno set).
 */
int xdi_journal_write(struct xdi_journal *j, json_t *rec,
                      const struct timespec *now);

#endif /* XDI_JOURNAL_H */
