/*
 * play_agent.c - `xdi-replay agent`: each run is a new connection to the
 * live host (--connect); play.c then sends what the captured agent sent.
 */
#include <stdio.h>
#include <unistd.h>

#include "net.h"
#include "play.h"

int play_agent_open(struct play *p, struct run *r, struct peer *peer)
{
    char err[300];
    peer->fd = net_connect(p->opt->connect, p->opt->timeout, err, sizeof err);
    if (peer->fd < 0) {
        report_error(p, r, "%s", err);
        return -1;
    }
    return 0;
}

void play_peer_close(struct play *p, struct run *r, struct peer *peer)
{
    (void)r;
    if (peer->fd >= 0)
        close(peer->fd);
    peer->fd = -1;
    if (peer->has_agent) {
        /* The agent had its logout; what remains is its exit (or its
         * reconnecting to a listener that is gone). */
        agentcmd_stop(&peer->agent, p->opt->timeout < 2 ? p->opt->timeout : 2);
        peer->has_agent = false;
    }
}
