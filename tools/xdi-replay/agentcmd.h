/*
 * agentcmd.h - the agent under test of `xdi-replay host --agent COMMAND`
 * (agentcmd.c: the placeholders and quoting of xdi-conform).
 */
#ifndef XDI_REPLAY_AGENTCMD_H
#define XDI_REPLAY_AGENTCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct agentproc {
    pid_t pid; /* also its process group */
    bool running;
    int status; /* waitpid's, once it ended */
};

/* 0, or -1 with err naming a placeholder other than {host} {port}
 * {system}. */
int agentcmd_check(const char *tmpl, char *err, size_t elen);
/* The command line with each placeholder replaced by its value, shell
 * quoted; NULL when out of memory (malloc'd). */
char *agentcmd_render(const char *tmpl, const char *host, const char *port,
                      const char *system);
/* Runs command under /bin/sh -c in a new process group, stdout and
 * stderr to log_fd.  0 or -1 (fork failed). */
int agentcmd_start(struct agentproc *a, const char *command, int log_fd);
/* Whether it still runs (reaps it when not). */
bool agentcmd_poll(struct agentproc *a);
/* A signal to its whole process group. */
void agentcmd_signal(struct agentproc *a, int sig);
/* SIGTERM to the group, up to grace seconds, then SIGKILL. */
void agentcmd_stop(struct agentproc *a, double grace);
/* On SIGINT, SIGTERM and SIGHUP, first kill every agent still running
 * (its whole process group), then die of the signal. */
void agentcmd_cleanup_on_signals(void);
/* "exited with code 2", "was killed by signal 9", "running". */
void agentcmd_describe(const struct agentproc *a, char *out, size_t len);

#endif /* XDI_REPLAY_AGENTCMD_H */
