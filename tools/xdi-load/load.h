/*
 * load.h - what the files of xdi-load share (private to this tool).
 *
 * xdi-load is a load generator for a running xdi-server on the loopback
 * address: N agents on generated hosts each log in, acquire EMS and SCD,
 * send K info NACCBs whose texts match their host's EVBLOKs, and log out.
 * It checks every reply against what the generated fixture set says the
 * server must send, and reports rates, latencies and the server's memory.
 * fixtures.c writes and reads that fixture set, agent.c runs one agent's
 * session over libuv, stats.c holds the numbers, main.c the rest.
 * Besides those sessions (--mode sessions), three throughput modes run on
 * agents that hold their tables (mode.c): flood (info NACCBs flat out for
 * a time), fixed (exactly M info NACCBs, then wait until the server has
 * handled all of them) and rr (acquire EMS, wait for the table, repeat);
 * their rates are counted where the work is done, at the server
 * (count.c: its journal, a count file, or the bytes it has read).
 */
#ifndef XDI_LOAD_H
#define XDI_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "naccb/codes.h"
#include "naccb/framer.h"

/* Hard bounds: a run is bounded in size as well as in time. */
enum {
    LOAD_MAX_HOSTS = 100000,
    LOAD_MAX_AGENTS = 10000,
    LOAD_MAX_EVENTS = 20000, /* 230 * 20000 = 4.6 MB per EMS table */
    LOAD_MAX_JOBS = 20000,
    LOAD_MAX_INFOS = 10000,
    LOAD_MAX_TEXTS = 64,  /* texts per info NACCB */
    LOAD_KEY_LEN = 8,     /* "EV000001": KL of every generated EVBLOK */
    LOAD_MAX_ROUNDS = 10, /* baseline + load pairs in one run */
    LOAD_MAX_BATCH = 4096, /* info NACCBs per write in flood / fixed */
};

/* What a run does once its agents hold their tables (--mode). */
enum load_mode {
    MODE_SESSIONS, /* K infos and a logout each, checked (the default) */
    MODE_FLOOD,    /* info NACCBs flat out for --duration */
    MODE_FIXED,    /* exactly --total info NACCBs, until the server has them */
    MODE_RR,       /* acquire EMS -> table, again and again, for --duration */
};

/* ---- fixtures.c -------------------------------------------------------- */

/* What a generated fixture set holds (its manifest, xdi-load.txt). */
struct manifest {
    uint32_t hosts;
    uint32_t events;      /* EVBLOKs per host */
    uint32_t jobs;        /* EOTINFOs per host */
    uint32_t text_length; /* bytes of each info text */
};

/* Writes DIR/hosts.yaml, DIR/raw/<host>.ems and .scd and DIR/xdi-load.txt.
 * Returns 0, or -1 with the reason on stderr. */
int fixtures_make(const char *dir, const struct manifest *m);

/* Reads DIR/xdi-load.txt.  Returns 0, or -1 with the reason on stderr. */
int fixtures_read(const char *dir, struct manifest *out);

/* Host i's system name, Latin-1 ("LD000001" for i = 0) and EBCDIC. */
void host_name(uint32_t i, char out[NACCB_NAME_SIZE + 1]);
void host_wire_name(uint32_t i, uint8_t out[NACCB_NAME_SIZE]);

/*
 * The tables every host serves, in wire form with host 0's system name:
 * ems (events * 230 bytes) and scd (jobs * 162 bytes).  Host i's tables
 * differ only in the system name of each entry (tables_match()).
 */
struct tables {
    uint8_t *ems;
    uint8_t *scd;
    uint32_t ems_count;
    uint32_t scd_count;
};

int tables_build(const struct manifest *m, struct tables *out);
void tables_free(struct tables *t);

/* 1 when objects (count * size bytes) are exactly host i's EMS (size 230)
 * or SCD (162) table. */
int tables_match(const struct tables *t, uint32_t host, uint32_t size,
                 uint32_t count, const uint8_t *objects);

/* Info text `n` for host i: an EVBLOK's key then filler, text_length bytes
 * of EBCDIC; it matches that EVBLOK (docs/protocol.md §8, rule 1). */
void info_text(const struct manifest *m, uint32_t host, uint32_t n,
               uint8_t *out);

/* ---- stats.c ------------------------------------------------------------- */

/* Latency samples in nanoseconds. */
struct samples {
    uint64_t *v;
    size_t n;
    size_t cap;
};

int samples_init(struct samples *s, size_t cap);
void samples_add(struct samples *s, uint64_t ns);
void samples_free(struct samples *s);
/* p in 0..100 (nearest rank); 0 when there are no samples.  Sorts. */
uint64_t samples_pct(struct samples *s, double p);

/* A process's VmRSS and VmHWM (peak) from /proc/PID/status, in KiB.
 * Returns 0, or -1 when unreadable. */
int proc_rss(long pid, uint64_t *rss_kib, uint64_t *hwm_kib);

/* A process's CPU time so far (user + system), in seconds, from
 * /proc/PID/stat; -1 when unreadable. */
double proc_cpu(long pid);

/* This process's CPU time so far (user + system), in seconds. */
double self_cpu(void);

/* ---- agent.c / main.c ------------------------------------------------------ */

enum agent_state {
    A_IDLE, /* not started */
    A_CONNECTING,
    A_LOGIN,   /* login sent, waiting for the accept */
    A_ACQ_EMS, /* acquire EMS sent, waiting for the table */
    A_ACQ_SCD, /* acquire SCD sent, waiting for the table */
    A_HOLD,    /* both tables in; waiting for every agent to get here */
    A_INFO,    /* infos and logout sent, waiting for the server to close */
    A_FLOOD,   /* writing info NACCBs (flood, fixed) */
    A_RR,      /* acquire EMS sent, waiting for the table (rr) */
    A_CLOSING,
    A_DONE, /* closed: done or failed */
};

struct load;

struct agent {
    uv_tcp_t tcp; /* first: the handle's address is the agent's */
    uv_connect_t connect_req;
    struct load *load;
    uint32_t host;
    uint8_t system[NACCB_NAME_SIZE];
    uint32_t agent_id;
    enum agent_state state;
    bool failed;
    bool in_window; /* counted in load->in_window (still setting up) */
    bool held;      /* counted in load->holding */
    bool tcp_open;  /* uv_tcp_init done: must be closed */
    struct naccb_framer framer;
    uint64_t t_start, t_sent, t_info;
    /* flood / fixed: one write of the prebuilt batch at a time */
    uv_write_t flood_req;
    uint8_t *batch;      /* LOAD_MAX_BATCH info NACCBs at most, owned */
    uint32_t in_flight;  /* NACCBs of the write outstanding */
    uint64_t quota;      /* fixed: NACCBs still to send */
    bool writing;        /* counted in load->writers */
    bool parked;         /* waiting for the server to catch up */
};

/* ---- count.c -------------------------------------------------------------- */

/* Where a throughput mode counts what the server has handled. */
enum count_kind {
    COUNT_NONE,
    COUNT_JOURNAL, /* "info" records in an xdi-server journal file */
    COUNT_FILE,    /* a decimal count in a file the sink rewrites */
    COUNT_READ,    /* bytes the process has read (/proc/PID/io rchar) */
};

struct counter {
    enum count_kind kind;
    const char *path; /* journal or count file */
    long pid;         /* COUNT_READ */
    uint32_t naccb_size; /* COUNT_READ: bytes per info NACCB */
    int fd;           /* journal: open, read on from offset */
    uint64_t offset;
    uint64_t raw;  /* journal records / file count / bytes read, so far */
    uint64_t base; /* raw at counter_mark() */
    char *buf;     /* journal: read buffer */
};

/* Opens the source.  Returns 0, or -1 with the reason on stderr. */
int counter_open(struct counter *c);
void counter_close(struct counter *c);
/* Takes the count now as the zero point. */
int counter_mark(struct counter *c);
/* Info NACCBs the server has handled since counter_mark().  -1 when the
 * source cannot be read (reason on stderr). */
int counter_since(struct counter *c, uint64_t *out);
const char *counter_describe(const struct counter *c);

/* One phase's figures. */
struct phase {
    const char *name;
    unsigned round; /* from 1 */
    uint32_t agents;
    uint32_t window;
    bool hold; /* agents wait for each other before their infos */
    uint64_t t_begin, t_end, t_last_accept, t_release;
    uint64_t naccbs_sent, naccbs_received, bytes_sent, bytes_received;
    uint64_t texts_sent;
    uint32_t done, failed, unexpected, accepted;
    struct samples connect, login, acq_ems, acq_scd, info_close;
    double server_cpu, client_cpu; /* seconds used during the phase */
    double info_time; /* s the server spent on infos + logouts (below) */
    /* throughput modes (mode.c) */
    uint64_t sent;          /* info NACCBs written (flood, fixed) */
    uint64_t sent_at_stop;  /* written when the time was up (flood) */
    uint64_t counted;       /* handled by the server in the window */
    uint64_t round_trips;   /* rr: tables received in the window */
    double mode_secs;       /* s: flood/rr --duration as measured; fixed:
                               first write to the last NACCB counted */
    double drain;           /* s from the stop to the last NACCB counted */
    double window_cpu;      /* s of server CPU in the window + drain */
    uint64_t rss_before, rss_hold, rss_after, hwm_after; /* KiB */
};

struct load {
    uv_loop_t *loop;
    struct sockaddr_storage addr;
    struct manifest man;
    struct tables tables;
    struct agent *agents;
    uint32_t n_agents;
    uint32_t infos;      /* info NACCBs per agent */
    uint32_t texts;      /* texts per info NACCB */
    long server_pid;     /* 0: not given */
    struct phase *phase; /* the phase running */
    uint32_t next;       /* next agent to start */
    uint32_t in_window;  /* agents setting up */
    uint32_t holding;
    uint32_t closed;
    uint32_t reported; /* unexpected replies printed so far */
    bool timed_out;
    /* throughput modes (mode.c) */
    enum load_mode mode;
    uint32_t batch;       /* info NACCBs per write */
    uint64_t total;       /* fixed: info NACCBs in all */
    uint64_t duration_ms; /* flood, rr */
    struct counter counter;
    uv_timer_t mode_timer; /* the window's end */
    uv_timer_t poll_timer; /* reads the count: flow control, then drain */
    uint64_t backlog_min;  /* --backlog */
    uint64_t backlog_cap;  /* NACCBs written and not yet counted, at most */
    uint64_t issued;       /* NACCBs handed to uv_write in this phase */
    uint64_t counted_now;  /* the count at the last poll */
    bool stopping;         /* the window is over: no new writes/acquires */
    uint32_t writers;      /* agents still writing */
    uint64_t t_mode, t_stop; /* release, end of the window */
    double cpu_mode;       /* server CPU at release */
    uint8_t
        read_buf[64 * 1024]; /* shared: libuv reads into it, we parse at once */
};

/* The whole run: its phases (baseline, load, baseline, load, ...). */
struct run {
    struct load load; /* first: the load's address is the run's */
    struct phase phases[2 * LOAD_MAX_ROUNDS];
    size_t nphases;
    size_t current;
    size_t ran; /* phases that ran to their end */
    uv_timer_t deadline;
    const char *target;
    const char *fixtures;
    unsigned timeout_s;
};

/* ---- report.c -------------------------------------------------------------- */

void report_header(const struct run *r);
/* Prints the figures; returns the exit status (0: every agent completed,
 * no reply unexpected, in time). */
int report(struct run *r);
/* The closing lines every report ends with ("replies: ...", "result: ok"
 * or "FAILED"); returns the exit status, 0 only when all went as it must. */
int report_result(const struct run *r, uint32_t unexpected, uint32_t failed,
                  uint32_t done, uint32_t expected);

/* Resets agent i for a new session of the phase. */
void agent_reset(struct load *l, uint32_t i);

/* Connects agent a and runs its session. */
void agent_start(struct agent *a);

/* Sends agent a's infos and logout (it is holding). */
void agent_release(struct agent *a);

/* Closes agent a now, as failed (the run's deadline passed). */
void agent_abort(struct agent *a);

/* Builds agent a's batch of l->batch info NACCBs (one text each). */
int agent_build_batch(struct agent *a);
/* Closes agent a as failed, saying why on stderr (the first few). */
void agent_fail(struct agent *a, const char *why, const char *detail);
/* Sends an acquire EMS (rr). */
void agent_acquire(struct agent *a);
/* Sends a logout and waits for the server to close. */
void agent_logout(struct agent *a);

/* ---- mode.c ------------------------------------------------------------------ */

/* Every agent holds its tables: start the mode's traffic. */
void mode_release(struct load *l);
/* Called by agent.c: the table an rr agent asked for is in. */
void mode_round_trip(struct agent *a);
/* Called at the end of a phase. */
void mode_phase_end(struct load *l);
/* The throughput modes' report; returns the exit status. */
int mode_report(struct run *r);
const char *mode_name(enum load_mode m);

/* Called by agent.c: a left the setup window (holds or closed). */
void load_left_window(struct load *l, struct agent *a);
/* Called by agent.c: a reached A_HOLD. */
void load_holding(struct load *l);
/* Called by agent.c: a's handle is closed (done or failed). */
void load_closed(struct load *l, struct agent *a);

#endif /* XDI_LOAD_H */
