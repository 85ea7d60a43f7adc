/*
 * sim.h - the simulation script: timed host events for tests and demos.
 *
 * One event per line, the time being the delay after the previous event
 * (the first: after the agent is running), in seconds with up to three
 * decimals:
 *
 *     +0.5 msg TEXT                          a message event (log line)
 *     +1   cmd TEXT                          a command event
 *     +0   eoj JOB [maxcc=N] [ucc=N] [scc=N] [status=N|A|C]
 *     +0   eos JOB STEP [rc=N] [scc=N] [step=N] [status=N|A|C]
 *     +2   shutdown                          local shutdown (logout, exit 0)
 *
 * Blank lines and lines starting with '#' are skipped.  TEXT is the rest of
 * the line after one blank, 1..128 bytes, taken as is.  Defaults: an eos
 * is the job's next step (counted since its last eoj) with rc 0; its max
 * CC is the highest rc of the job's steps so far; an eoj's ucc is its
 * maxcc, its maxcc the highest of ucc and the steps' rc; scc > 0 means
 * status A unless given.  Parsing is pure (no I/O).
 */
#ifndef XDI_AGENT_SIM_H
#define XDI_AGENT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "agent.h"

/* Longest delay of one line: a day. */
#define XDI_SIM_MAX_DELAY_MS (86400u * 1000u)

enum xdi_sim_kind {
    XDI_SIM_MSG,
    XDI_SIM_CMD,
    XDI_SIM_JOB_END, /* eoj or eos */
    XDI_SIM_SHUTDOWN,
};

struct xdi_sim_event {
    uint64_t at_ms; /* since the script started */
    enum xdi_sim_kind kind;
    char text[NACCB_TEXT_MAX + 1]; /* MSG, CMD: Latin-1, NUL-terminated */
    size_t text_len;
    struct xdi_job_end end; /* JOB_END */
    int line;               /* in the script, 1-based */
};

struct xdi_sim_script {
    struct xdi_sim_event *events;
    size_t n;
};

/* Returns 0 and *out, or -1 with "line N: why" in err. */
int xdi_sim_parse(const char *text, size_t len, struct xdi_sim_script *out,
                  char *err, size_t errlen);

void xdi_sim_free(struct xdi_sim_script *s);

#endif /* XDI_AGENT_SIM_H */
