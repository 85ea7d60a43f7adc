/*
 * jobs.h - the job registry of the control plane: every job the host asked
 * for or heard of, with its state, steps and history (docs/control.md,
 * "Jobs").
 *
 * It learns everything from journal records (xdi_jobs_record(), fed every
 * record in order), so it says exactly what the journal says:
 * - an exec job sent ("send" with key 01020108 and "job"): a job in state
 *   "sent", by "trigger" (the record before it was a "trigger" or
 *   "trigger_release") or by whoever asked (a "control" record before it:
 *   its "interface", "control" or "zosmf");
 * - a trigger held for a host that is not logged in ("trigger", outcome
 *   "held"): a job in state "input", which its release sends;
 * - an agent error about an exec job ("agent_error", object 8): the
 *   system's newest job still "sent" becomes "not_run";
 * - an EOJ / EOS text ("info" kinds EOJ / EOS): history of the newest
 *   unfinished job of that name on that system (EOS: "running", EOJ:
 *   "ended"), or a new job by "agent" when there is none;
 * - an EOTINFO report ("info" kind EOT, verdict ok or not): a step (notes
 *   S) or the end (notes J) of the job the agent names by job-id, else of
 *   the newest unfinished job of that name; the agent's job-id replaces
 *   the one the host assigned (JOB00001, ...).  Notes letter 2 A is an
 *   abend ("S0C4" from the SCC, else "U0100" from the UCC), C not run.
 * Newest first everywhere.  Single-threaded, no I/O.
 */
#ifndef XDI_JOBS_H
#define XDI_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct xdi_jobs;

/* At most this many jobs are kept (the oldest go first). */
#define XDI_JOBS_MAX 10000

struct xdi_jobs *xdi_jobs_new(void);
void xdi_jobs_free(struct xdi_jobs *jobs);

/* Forgets every job (host reset); ids start again at JOB00001. */
void xdi_jobs_clear(struct xdi_jobs *jobs);

/* One journal record (its fields, "ts" and "jseq" included). */
void xdi_jobs_record(struct xdi_jobs *jobs, const json_t *rec);

/* The job the record numbered jseq created, as JSON (JOB of
 * docs/control.md; a new reference), or NULL when that record created
 * none (or the job is gone).  The jseq stays a job's handle when the
 * agent's job-id replaces the one the host gave it. */
json_t *xdi_jobs_created_by(const struct xdi_jobs *jobs, uint64_t jseq);

/*
 * The jobs, newest first, as a JSON array of JOB: system (NULL or "": any;
 * case-sensitive), prefix (NULL or "": any; '*' matches any run of
 * characters, '?' one, else exact: "PAY*"), status (NULL or "": any, else
 * one state name), at most limit (0: all).
 */
json_t *xdi_jobs_list(const struct xdi_jobs *jobs, const char *system,
                      const char *prefix, const char *status, size_t limit);

/* One job by system and job-id, as JSON (new reference), or NULL. */
json_t *xdi_jobs_get(const struct xdi_jobs *jobs, const char *system,
                     const char *jobid);

/* The job's name (for a rerun), or NULL when there is no such job.  Valid
 * until the next call that changes the registry. */
const char *xdi_jobs_name(const struct xdi_jobs *jobs, const char *system,
                          const char *jobid);

/* Removes one job: 0, or -1 when there is no such job. */
int xdi_jobs_purge(struct xdi_jobs *jobs, const char *system,
                   const char *jobid);

size_t xdi_jobs_count(const struct xdi_jobs *jobs);

/* '*' / '?' wildcard match of a whole string (exported for the z/OSMF
 * module's filters). */
bool xdi_jobs_wildcard(const char *pattern, const char *s);

#endif /* XDI_JOBS_H */
