/*
 * jobrun.h - one running job, as the agent sees it: the steps it reports on
 * its side channel and how it ended, turned into EOS and EOJ records
 * (struct xdi_job_end, protocol.md §9).
 *
 * The side channel is a pipe the job writes lines to (fd 3, announced in
 * the environment as XDI_STEP_FD):
 *
 *     STEP name rc
 *
 * name 1..8 of [A-Za-z0-9$#@] (upper-cased), rc 0..65535.  Each valid line
 * is the end of one step: step numbers count from 1 to 256, max CC is the
 * highest rc so far.  The job's exit status gives UCC (and max CC), a
 * signal gives SCC with the abend note; a job that could not be started is
 * "not executed" (C).
 *
 * Pure: no I/O, the libuv layer feeds the bytes and the exit status.
 */
#ifndef XDI_AGENT_JOBRUN_H
#define XDI_AGENT_JOBRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"

#define XDI_JOBRUN_LINE_MAX 128u /* longer side-channel lines are bad */
#define XDI_JOBRUN_MAX_STEPS 256u /* §11: step number 1..256 */

struct xdi_jobrun {
    char job[NACCB_NAME_SIZE + 1];
    unsigned steps;  /* steps reported so far */
    uint16_t max_cc; /* highest step rc so far */
    char line[XDI_JOBRUN_LINE_MAX];
    size_t line_len;
    bool overflow; /* the current line is too long: dropped at its end */
};

/* job: a valid job name (xdi_job_name_valid). */
void xdi_jobrun_init(struct xdi_jobrun *r, const char *job);

/*
 * One side-channel line (without its newline; a trailing CR is ignored).
 * Returns 1 with *end an EOS record, or 0 with *why saying why the line
 * was not a step (a static string).
 */
int xdi_jobrun_step_line(struct xdi_jobrun *r, const char *line, size_t len,
                         struct xdi_job_end *end, const char **why);

/* Called per line fed: end is the EOS record, or NULL with why set. */
typedef void (*xdi_jobrun_fn)(void *ctx, const struct xdi_job_end *end,
                              const char *why);

/* Side-channel bytes, any amount: fn is called once per complete line.
 * Returns the number of steps reported. */
size_t xdi_jobrun_feed(struct xdi_jobrun *r, const char *bytes, size_t len,
                       xdi_jobrun_fn fn, void *ctx);

/* The channel reached EOF: a last line without a newline still counts. */
size_t xdi_jobrun_eof(struct xdi_jobrun *r, xdi_jobrun_fn fn, void *ctx);

/* The EOJ record: exit status (when term_signal is 0) or the signal. */
void xdi_jobrun_exit(const struct xdi_jobrun *r, int64_t exit_status,
                     int term_signal, struct xdi_job_end *end);

/* The EOJ record of a job that could not be started (note C). */
void xdi_jobrun_not_run(const struct xdi_jobrun *r, struct xdi_job_end *end);

#endif /* XDI_AGENT_JOBRUN_H */
