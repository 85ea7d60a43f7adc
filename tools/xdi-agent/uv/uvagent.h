/*
 * uvagent.h - the libuv layer of xdi-agent: what its files share.
 *
 * The layer does the I/O the core must not: main.c (command line, signals,
 * the action pump, stopping), net.c (the TCP client: resolve, connect,
 * read, one write at a time, graceful close), follow.c (message events
 * from followed files and standard input), proc.c (commands and jobs as
 * child processes, the job step side channel), simrun.c (the simulation
 * script's timers).  Everything runs on one uv loop; the core is called
 * from the callbacks and app_pump() then carries out what it asked for.
 */
#ifndef XDI_AGENT_UV_H
#define XDI_AGENT_UV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "agent.h"
#include "sim.h"

struct follower;
struct child;

struct app {
    uv_loop_t *loop;
    struct xdi_agent *agent;
    bool in_pump;
    bool stopping;
    int exit_code;

    /* net.c */
    char *host, *port;
    uv_getaddrinfo_t *resolving; /* in flight, or NULL */
    struct conn *conn;           /* the connection, or NULL */
    uv_timer_t backoff_timer;

    /* main.c */
    uv_signal_t sigint, sigterm;
    unsigned signals;

    /* follow.c */
    struct follower *followers;
    unsigned poll_ms;

    /* proc.c */
    const char *jobs_dir;
    struct child *children;
    size_t n_children;

    /* simrun.c */
    struct xdi_sim_script script;
    bool sim_loaded, sim_started;
    size_t sim_next;
    uint64_t sim_t0;
    uv_timer_t sim_timer;
};

/* Runs the core's actions and writes its output until it wants nothing
 * more; re-entrant calls return at once (the outer loop carries on). */
void app_pump(struct app *app);
/* Ends the loop: every handle is closed, children are sent SIGTERM. */
void app_stop(struct app *app, int exit_code);
/* One log line on stderr. */
void app_log(struct app *app, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A whole input file (holidays, script), at most 16 MiB, NUL-terminated
 * for convenience (len excludes it).  0, or -1 with errno set. */
int app_read_file(const char *path, char **out, size_t *len);
/* The core's log hook. */
void app_core_log(void *ctx, const char *line);

/* ---- net.c -------------------------------------------------------------- */
/* "HOST:PORT" or "[v6]:PORT" -> app->host, app->port.  0 or -1. */
int net_parse_server(struct app *app, const char *text, char *err,
                     size_t errlen);
int net_init(struct app *app);
void net_connect(struct app *app);
/* Close the connection once the output is written (XDI_ACT_CLOSE). */
void net_close_requested(struct app *app);
/* Writes what the core has, when no write is in flight. */
void net_flush(struct app *app);
void net_stop(struct app *app);

/* ---- follow.c ----------------------------------------------------------- */
/* path "-" is standard input.  0, or -1 with a message logged. */
int follow_add(struct app *app, const char *path);
/* The agent is running: read what is new (and start reading stdin). */
void follow_ready(struct app *app);
void follow_stop(struct app *app);

/* ---- proc.c ------------------------------------------------------------- */
void proc_run_command(struct app *app, const char *cmd);
void proc_run_job(struct app *app, const char *job);
void proc_stop(struct app *app);

/* ---- simrun.c ----------------------------------------------------------- */
/* Reads and parses the script file.  0, or -1 with a message logged. */
int sim_load(struct app *app, const char *path);
/* The agent is running: start the script's clock (once). */
void sim_ready(struct app *app);
void sim_stop(struct app *app);

#endif /* XDI_AGENT_UV_H */
