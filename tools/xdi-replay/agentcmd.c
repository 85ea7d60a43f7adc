/*
 * agentcmd.c - `xdi-replay host --agent COMMAND`: the agent under test,
 * started the way xdi-conform starts it (scenarios/xdi/conform/agentproc.py),
 * so that one template serves both: each {host} {port} {system} is
 * replaced by its value quoted as Python's shlex.quote quotes it (a value
 * is one shell word, never shell syntax), an unknown placeholder is an
 * error, and the result runs under /bin/sh -c, in the current directory,
 * in a process group of its own; stopping it ends the whole group.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agentcmd.h"
#include "cli.h"
#include "net.h"

/* The process groups of the agents running now, for the signal handler:
 * an interrupted xdi-replay must not leave agents behind (they are in
 * groups of their own, so a Ctrl-C on the terminal does not reach them).
 * Plain stores of pid_t, read by the handler. */
#define MAX_AGENTS 1024
static volatile pid_t running_groups[MAX_AGENTS];

static pthread_mutex_t track_lock = PTHREAD_MUTEX_INITIALIZER;

/* Replaces slot value old by pid (0 for a free slot). */
static void track(pid_t pid, pid_t old)
{
    pthread_mutex_lock(&track_lock);
    for (size_t i = 0; i < MAX_AGENTS; i++)
        if (running_groups[i] == old) {
            running_groups[i] = pid;
            break;
        }
    pthread_mutex_unlock(&track_lock);
}

static void on_signal(int sig)
{
    for (size_t i = 0; i < MAX_AGENTS; i++)
        if (running_groups[i] > 0)
            kill(-running_groups[i], SIGKILL);
    signal(sig, SIG_DFL);
    raise(sig);
}

void agentcmd_cleanup_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* shlex.quote: unchanged when only [A-Za-z0-9_@%+=:,./-], '' when empty,
 * otherwise in single quotes with each ' written as '"'"'. */
static char *shell_quote(const char *s)
{
    bool safe = *s != '\0';
    for (const char *p = s; *p && safe; p++)
        safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (*p >= '0' && *p <= '9') || strchr("_@%+=:,./-", *p);
    if (safe)
        return strdup(s);
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 5 : 1;
    char *out = malloc(n);
    if (!out)
        return NULL;
    char *o = out;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\"'\"'", 5);
            o += 5;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return out;
}

int agentcmd_check(const char *tmpl, char *err, size_t elen)
{
    static const struct xdi_cli_var vars[] = {
        {"host", "h"}, {"port", "1"}, {"system", "S"}};
    size_t bad = 0;
    if (xdi_cli_expand(tmpl, vars, 3, NULL, 0, &bad) < 0) {
        size_t n = strspn(tmpl + bad + 1, "abcdefghijklmnopqrstuvwxyz_");
        snprintf(err, elen,
                 "unknown placeholder {%.*s} (known: {host} "
                 "{port} {system})",
                 (int)n, tmpl + bad + 1);
        return -1;
    }
    return 0;
}

char *agentcmd_render(const char *tmpl, const char *host, const char *port,
                      const char *system)
{
    char *q[3] = {shell_quote(host), shell_quote(port), shell_quote(system)};
    char *out = NULL;
    if (q[0] && q[1] && q[2]) {
        struct xdi_cli_var vars[] = {
            {"host", q[0]}, {"port", q[1]}, {"system", q[2]}};
        long n = xdi_cli_expand(tmpl, vars, 3, NULL, 0, NULL);
        out = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (out)
            xdi_cli_expand(tmpl, vars, 3, out, (size_t)n + 1, NULL);
    }
    free(q[0]);
    free(q[1]);
    free(q[2]);
    return out;
}

int agentcmd_start(struct agentproc *a, const char *command, int log_fd)
{
    memset(a, 0, sizeof *a);
    a->pid = fork();
    if (a->pid < 0)
        return -1;
    if (a->pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    setpgid(a->pid, a->pid); /* both sides: no race with kill(-pid) */
    a->running = true;
    track(a->pid, 0);
    return 0;
}

bool agentcmd_poll(struct agentproc *a)
{
    if (!a->running)
        return false;
    int st;
    pid_t r = waitpid(a->pid, &st, WNOHANG);
    if (r == a->pid) {
        a->running = false;
        a->status = st;
        return false;
    }
    return true;
}

void agentcmd_signal(struct agentproc *a, int sig)
{
    if (a->running)
        kill(-a->pid, sig);
}

void agentcmd_stop(struct agentproc *a, double grace)
{
    if (!agentcmd_poll(a)) {
        kill(-a->pid, SIGKILL); /* what the shell left behind */
        track(0, a->pid);
        return;
    }
    kill(-a->pid, SIGTERM);
    double deadline = net_now() + grace;
    while (agentcmd_poll(a) && net_now() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(-a->pid, SIGKILL);
    track(0, a->pid);
    if (a->running) {
        int st;
        if (waitpid(a->pid, &st, 0) == a->pid)
            a->status = st;
        a->running = false;
    }
}

void agentcmd_describe(const struct agentproc *a, char *out, size_t len)
{
    if (a->running)
        snprintf(out, len, "running");
    else if (WIFEXITED(a->status) && WEXITSTATUS(a->status) > 128 &&
             WEXITSTATUS(a->status) < 128 + 65)
        /* /bin/sh's way of saying its child died of a signal */
        snprintf(out, len, "exited with code %d (signal %d)",
                 WEXITSTATUS(a->status), WEXITSTATUS(a->status) - 128);
    else if (WIFEXITED(a->status))
        snprintf(out, len, "exited with code %d", WEXITSTATUS(a->status));
    else if (WIFSIGNALED(a->status))
        snprintf(out, len, "was killed by signal %d", WTERMSIG(a->status));
    else
        snprintf(out, len, "ended");
}
