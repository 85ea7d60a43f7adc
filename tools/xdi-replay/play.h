/*
 * play.h - `xdi-replay agent` and `xdi-replay host`: one side of each
 * captured conversation played against a live peer (play.c), the
 * differences said as they are found, a progress line, a summary and a
 * JUnit file (report.c).
 */
#ifndef XDI_REPLAY_PLAY_H
#define XDI_REPLAY_PLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agentcmd.h"
#include "replay.h"

enum play_role {
    PLAY_AGENT, /* we send what the agent sent, to a live host */
    PLAY_HOST,  /* we answer as the host did, to a live agent */
};

struct play_options {
    enum play_role role;
    const char *connect; /* agent: HOST:PORT */
    const char *listen;  /* host: ADDR:PORT (NULL with --agent: 127.0.0.1:0) */
    const char *agent_cmd; /* host: the agent's command template */
    const char *agent_log; /* host: the agent's output (NULL: stderr) */
    int logout_signal;     /* host: asks --agent for a logout of its own */
    bool have_agent_id;    /* host: --agent-id: issue this ID instead */
    uint32_t agent_id;
    double timeout;    /* seconds to wait for each NACCB of the peer */
    double factor;     /* --timing: 0 none, else captured delays / factor */
    bool timing_given; /* --timing was given */
    unsigned loop;
    const int *convs; /* --conversations; NULL: all */
    size_t n_convs;
    const char *junit;
    struct diff_ctx diff; /* --ignore */
    int cp;
    uint32_t max_size;
    bool progress; /* stderr is a terminal */
};

/* One play of one conversation. */
struct run {
    const struct conv *conv;
    unsigned iteration; /* 1..loop */
    size_t naccbs;      /* NACCBs sent and received */
    size_t diffs;
    bool error;    /* could not run (connect, start the agent) */
    char why[256]; /* of error */
    char *log;     /* the differences, for the JUnit file */
    size_t loglen, logcap;
    double seconds;
};

/* What all runs share (report.c). */
struct play {
    const struct play_options *opt;
    pthread_mutex_t lock;
    struct run *runs;
    size_t n_runs;
    size_t done, naccbs, diffs;
    double last_progress;
    int listen_fd; /* host --listen without --agent: one listener */
    int log_fd;
};

/* Plays the conversations; returns the exit code (0 same, 1 different,
 * 3 could not run). */
int play_run(const struct play_options *opt, struct convs *convs);

/* The live peer of one run. */
struct peer {
    int fd;
    bool has_agent; /* host --agent: we started it */
    struct agentproc agent;
    bool signalled; /* the logout signal was sent */
};

/* play_agent.c: connects to the host.  0, or -1 with the run's error
 * reported. */
int play_agent_open(struct play *p, struct run *r, struct peer *peer);
/* play_host.c: waits for the agent (starting it with --agent).  0, or -1
 * with the error or difference reported. */
int play_host_open(struct play *p, struct run *r, struct peer *peer);
/* Closes the connection; stops the agent it started. */
void play_peer_close(struct play *p, struct run *r, struct peer *peer);

/* ---- report.c (each takes p->lock itself) ---- */

/* A difference of NACCB `index` (0-based) of run r. */
void report_diff(struct play *p, struct run *r, size_t index,
                 const struct step *s, const char *field, const char *captured,
                 const char *now);
/* A run could not be played. */
void report_error(struct play *p, struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* One NACCB more went through. */
void report_naccb(struct play *p, struct run *r);
void report_run_done(struct play *p, struct run *r);
/* The summary line (stdout) and the JUnit file; returns the exit code. */
int report_finish(struct play *p, double seconds);

#endif /* XDI_REPLAY_PLAY_H */
