/*
 * play_host.c - `xdi-replay host`: the agent of each run comes to us.
 * With --listen and no --agent, one listener takes the agents started by
 * hand, one connection per run.  With --agent, each run listens on a port
 * of its own (--listen's address, port 0 by default), starts the command
 * with {host} {port} {system} filled in, and waits for it to connect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "play.h"

/* How long an agent may take to connect: one we start may be starting
 * up, or in the back-off of a first failed attempt (10 s); one started by
 * hand needs a person (60 s).  --timeout when it is longer. */
static double connect_window(const struct play *p)
{
    double w = p->opt->agent_cmd ? 10 : 60;
    return p->opt->timeout < w ? w : p->opt->timeout;
}

/* The system name the agent logs in as: that of the conversation's
 * first agent NACCB, or of its first NACCB when the agent sent none (a
 * host's side alone, as xdi-fuzz writes it). */
static void conv_system(const struct play *p, const struct conv *c, char out[9])
{
    strcpy(out, "");
    bool any_agent = false;
    for (size_t i = 0; i < c->n; i++)
        any_agent |= c->steps[i].from_agent;
    for (size_t i = 0; i < c->n; i++) {
        if ((any_agent && !c->steps[i].from_agent) ||
            c->steps[i].len < NACCB_HEADER_SIZE)
            continue;
        size_t n = naccb_field_get((enum naccb_codepage)p->opt->cp,
                                   c->steps[i].bytes + 8, 8, out);
        out[n] = '\0';
        while (n > 0 && out[n - 1] == ' ')
            out[--n] = '\0';
        return;
    }
}

int play_host_open(struct play *p, struct run *r, struct peer *peer)
{
    const struct play_options *o = p->opt;
    if (!o->agent_cmd) {
        peer->fd = net_accept(p->listen_fd, connect_window(p));
        if (peer->fd < 0) {
            report_error(p, r, "no agent connected within %g s",
                         connect_window(p));
            return -1;
        }
        return 0;
    }
    char bound[96], err[300], host[80], port[8], system[9];
    int lfd = net_listen(o->listen ? o->listen : "127.0.0.1:0", bound,
                         sizeof bound, err, sizeof err);
    if (lfd < 0) {
        report_error(p, r, "%s", err);
        return -1;
    }
    net_split(bound, host, sizeof host, port, sizeof port);
    conv_system(p, r->conv, system);
    char *cmd = agentcmd_render(o->agent_cmd, host, port, system);
    if (!cmd || agentcmd_start(&peer->agent, cmd, p->log_fd) != 0) {
        report_error(p, r, "cannot start the agent command");
        free(cmd);
        close(lfd);
        return -1;
    }
    free(cmd);
    peer->has_agent = true;
    /* Wait for the connection, watching the agent: one that exits before
     * it connects is said at once, not after the whole window. */
    double deadline = net_now() + connect_window(p);
    for (;;) {
        peer->fd = net_accept(lfd, 0.05);
        if (peer->fd >= 0)
            break;
        if (!agentcmd_poll(&peer->agent) || net_now() >= deadline) {
            char st[64];
            agentcmd_describe(&peer->agent, st, sizeof st);
            if (!peer->agent.running && WIFEXITED(peer->agent.status) &&
                (WEXITSTATUS(peer->agent.status) == 126 ||
                 WEXITSTATUS(peer->agent.status) == 127))
                report_error(p, r, "the agent command could not be run (%s)",
                             st);
            else
                report_error(p, r,
                             "the agent did not connect within %g s "
                             "(it %s)",
                             connect_window(p), st);
            close(lfd);
            return -1;
        }
    }
    /* One connection per run: a reconnect after the run finds no one. */
    close(lfd);
    return 0;
}
