/*
 * server.c - the public entry points of server.h: creating the server,
 * opening, feeding, timing out and closing connections, and the graceful
 * stop.
 *
 * Bytes go through libnaccb's framer (one per connection); each complete
 * NACCB goes to session.c.  Nothing here touches a socket or a clock of
 * its own: the application's output (output.h) and the injected clock do.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void xdi_config_defaults(struct xdi_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->max_naccb_size = NACCB_DEFAULT_MAX_SIZE;
    cfg->max_output_queue = (size_t)64 * 1024 * 1024;
    cfg->max_connections = 10000;
    cfg->login_timeout_ms = 30000;
    cfg->partial_timeout_ms = 30000;
    cfg->idle_timeout_ms = 0;
    cfg->grace_ms = 5000;
    cfg->random_ids = false;
    cfg->id_seed = 0;
    cfg->xdi_down = false;
    cfg->max_held_triggers = 10000;
    cfg->max_info_objects = 4096;
    cfg->journal_max_raw = 4096;
    cfg->login_failures = 10;
    cfg->login_failures_per_address = 100;
    cfg->login_failure_window_ms = 600000;
    cfg->login_delay_ms = 100;
    cfg->login_delay_max_ms = 5000;
    cfg->login_failures_alike = false;
    cfg->max_connections_per_address = 2000;
    cfg->takeover = XDI_TAKEOVER_ANY;
    cfg->violation_rate = 100;
    cfg->violation_burst = 1000;
}

void xdi__now(const struct xdi_server *srv, struct timespec *now)
{
    if (srv->clock.wall != NULL)
        srv->clock.wall(srv->clock.ctx, now);
    else
        clock_gettime(CLOCK_REALTIME, now);
}

void xdi__conn_close(struct xdi_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    /* A reject held back will not go out now (journalled as dropped). */
    xdi__guard_drop(c);
    /* A closing connection holds no session: its host is free at once
     * for a new login. */
    xdi__session_end(c);
    c->srv->ops.close(c->srv->ops.ctx, c->io);
}

/* A record that belongs to no connection. */
static json_t *server_record(const char *event)
{
    json_t *rec = json_object();

    xdi__rec_str(rec, "event", event);
    return rec;
}

struct xdi_server *xdi_server_new(const struct xdi_config *cfg,
                                  struct xdi_fixture_set *fixtures,
                                  const struct xdi_output_ops *ops,
                                  const struct xdi_clock *clock)
{
    struct xdi_server *srv;

    if (fixtures == NULL || ops == NULL || ops->send == NULL ||
        ops->close == NULL)
        return NULL;
    srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return NULL;
    if (cfg != NULL)
        srv->cfg = *cfg;
    else
        xdi_config_defaults(&srv->cfg);
    if (srv->cfg.max_naccb_size == 0)
        srv->cfg.max_naccb_size = NACCB_DEFAULT_MAX_SIZE;
    srv->ops = *ops;
    if (clock != NULL)
        srv->clock = *clock;
    srv->fixtures = fixtures;
    srv->held_tail = &srv->held;
    xdi__ids_init(&srv->ids, &srv->cfg);
    if (xdi__guard_init(srv) != 0 || xdi__tables_build(srv) != 0) {
        /* Failure leaves the fixture set with the caller. */
        xdi__guard_free(srv);
        xdi__tables_free(srv);
        xdi__ids_free(&srv->ids);
        free(srv);
        return NULL;
    }
    return srv;
}

static void conn_unlink(struct xdi_conn *c)
{
    struct xdi_server *srv = c->srv;

    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    srv->n_conns--;
}

static const char *cause_name(enum xdi_close_cause cause)
{
    switch (cause) {
    case XDI_CLOSE_PEER:
        return "peer";
    case XDI_CLOSE_ERROR:
        return "error";
    case XDI_CLOSE_REQUESTED:
        return "requested";
    case XDI_CLOSE_SERVER_STOP:
        return "server_stop";
    case XDI_CLOSE_OUTPUT_LIMIT:
        return "output_limit";
    case XDI_CLOSE_MEMORY_LIMIT:
        return "memory_limit";
    }
    return "unknown";
}

/* Journals the disconnect, ends the session and frees c. */
static void conn_free(struct xdi_conn *c, enum xdi_close_cause cause,
                      const char *detail)
{
    json_t *rec;

    /* A reject still held back is journalled (dropped) before the
     * disconnect it did not outlive. */
    xdi__guard_drop(c);
    rec = xdi__rec(c, "disconnect", NULL);

    xdi__rec_str(rec, "cause", cause_name(cause));
    if (detail != NULL)
        xdi__rec_str(rec, "detail", detail);
    xdi__rec_int(rec, "received", (json_int_t)c->received);
    if (c->vio_suppressed_total > 0)
        xdi__rec_int(rec, "violations_suppressed",
                     (json_int_t)c->vio_suppressed_total);
    xdi__journal(c->srv, rec);
    xdi__session_end(c);
    xdi__guard_conn_free(c);
    conn_unlink(c);
    naccb_framer_free(&c->framer);
    free(c->last_text);
    free(c);
}

void xdi_server_free(struct xdi_server *srv)
{
    if (srv == NULL)
        return;
    /* The network layer should have closed every connection; any left are
     * journalled as ended by the stop. */
    while (srv->conns != NULL)
        conn_free(srv->conns, XDI_CLOSE_SERVER_STOP, "server freed");
    /* A held trigger lives only in memory: say which ones the stop loses. */
    xdi__held_drop(srv, NULL, "server_stop");
    xdi__tables_free(srv);
    xdi__ids_free(&srv->ids);
    xdi__guard_free(srv);
    xdi_fixture_free(srv->fixtures);
    xdi__line_free(&srv->line);
    free(srv);
}

/* "192.0.2.7:40000", "[2001:db8::7]:40000", or what the family is.  The
 * address is copied (memcpy, no casts of the caller's pointer) into
 * c->addr for the source-address check of the login. */
static void format_peer(struct xdi_conn *c, const struct sockaddr *peer)
{
    char ip[INET6_ADDRSTRLEN];

    snprintf(c->peer, sizeof(c->peer), "unknown");
    if (peer == NULL)
        return;
    c->has_addr = true;
    if (peer->sa_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, peer, sizeof(in));
        memcpy(&c->addr, &in, sizeof(in));
        if (inet_ntop(AF_INET, &in.sin_addr, ip, sizeof(ip)) != NULL)
            snprintf(c->peer, sizeof(c->peer), "%s:%u", ip,
                     (unsigned)ntohs(in.sin_port));
    } else if (peer->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, peer, sizeof(in6));
        memcpy(&c->addr, &in6, sizeof(in6));
        if (inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof(ip)) != NULL)
            snprintf(c->peer, sizeof(c->peer), "[%s]:%u", ip,
                     (unsigned)ntohs(in6.sin6_port));
    } else {
        /* Only the family is kept: no allowed network matches it. */
        c->addr.ss_family = peer->sa_family;
        snprintf(c->peer, sizeof(c->peer), "family-%d", (int)peer->sa_family);
    }
}

struct xdi_conn *xdi_conn_open(struct xdi_server *srv, void *conn_io,
                               const struct sockaddr *peer)
{
    struct xdi_conn *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    c->srv = srv;
    c->io = conn_io;
    c->id = ++srv->next_conn_id;
    format_peer(c, peer);
    naccb_framer_init(&c->framer, srv->cfg.max_naccb_size);
    c->next = srv->conns;
    if (srv->conns != NULL)
        srv->conns->prev = c;
    srv->conns = c;
    srv->n_conns++;
    xdi__guard_conn_open(c);
    xdi__journal(srv, xdi__rec(c, "connect", NULL));
    return c;
}

void xdi__conn_process(struct xdi_conn *c, const uint8_t *p, size_t n)
{
    while (!c->closing && !c->delaying) {
        const uint8_t *msg;
        size_t msg_len;
        int rc = naccb_framer_next(&c->framer, &p, &n, &msg, &msg_len);
        if (rc == NACCB_EINCOMPLETE)
            return;
        if (rc < 0) {
            xdi__lost_framing(c, rc);
            return;
        }
        xdi__handle(c, msg, msg_len);
    }
    /* A reject is held back (guard.c): what came after the login waits
     * for it, or the peer could pipeline its guesses past the delay. */
    if (!c->closing && c->delaying && !xdi__guard_hold(c, p, n)) {
        json_t *rec = xdi__rec(c, "internal_error", NULL);
        xdi__rec_str(rec, "reason",
                     "out of memory for input held behind a delayed reject");
        xdi__journal(c->srv, rec);
        xdi__conn_close(c);
    }
}

void xdi_conn_feed(struct xdi_conn *c, const uint8_t *bytes, size_t len)
{
    if (!c->closing) {
        c->traffic.bytes_in += len;
        c->srv->traffic.bytes_in += len;
    }
    xdi__conn_process(c, bytes, len);
}

void xdi_conn_eof(struct xdi_conn *c)
{
    /* The agent is gone as far as the protocol goes: its host must not
     * stay "live" while the socket drains, or a new login in that window
     * would be a takeover of a dead connection.  Closing ends the session
     * (xdi__conn_close) and makes the core ignore anything later. */
    xdi__conn_close(c);
}

unsigned xdi_conn_timers(const struct xdi_conn *c)
{
    const struct xdi_config *cfg = &c->srv->cfg;
    unsigned t = 0;

    if (c->closing)
        return 0;
    if (c->host == NULL && cfg->login_timeout_ms > 0)
        t |= XDI_TIMER_LOGIN;
    if (naccb_framer_pending(&c->framer) > 0 && cfg->partial_timeout_ms > 0)
        t |= XDI_TIMER_PARTIAL;
    if (cfg->idle_timeout_ms > 0)
        t |= XDI_TIMER_IDLE;
    if (c->delaying)
        t |= XDI_TIMER_DELAY;
    return t;
}

unsigned xdi_conn_delay_ms(const struct xdi_conn *c)
{
    return c->delaying && !c->closing ? c->delayed.ms : 0;
}

size_t xdi_conn_held_input(const struct xdi_conn *c)
{
    return c->held_len;
}

uint64_t xdi_conn_partial_epoch(const struct xdi_conn *c)
{
    /* xdi__handle counts every NACCB the framer completes, so the number
     * moves exactly when a new NACCB begins after a finished one. */
    return c->received;
}

void xdi_conn_timeout(struct xdi_conn *c, enum xdi_timer which)
{
    const struct xdi_config *cfg = &c->srv->cfg;
    const char *name = "idle";
    unsigned ms = cfg->idle_timeout_ms;
    json_t *rec;

    /* A timer that is no longer wanted (the login came, the NACCB was
     * completed) fired late: nothing to do. */
    if ((xdi_conn_timers(c) & (unsigned)which) == 0)
        return;
    if (which == XDI_TIMER_DELAY) {
        xdi__guard_release(c); /* not a timeout: the reject's hold is over */
        return;
    }
    if (which == XDI_TIMER_LOGIN) {
        name = "login";
        ms = cfg->login_timeout_ms;
    } else if (which == XDI_TIMER_PARTIAL) {
        name = "partial";
        ms = cfg->partial_timeout_ms;
    }
    rec = xdi__rec(c, "timeout", NULL);
    xdi__rec_str(rec, "timer", name);
    xdi__rec_int(rec, "ms", ms);
    xdi__rec_int(rec, "pending", (json_int_t)naccb_framer_pending(&c->framer));
    xdi__journal(c->srv, rec);
    xdi__conn_close(c);
}

void xdi_conn_closed(struct xdi_conn *c, enum xdi_close_cause cause,
                     const char *detail)
{
    conn_free(c, cause, detail);
}

void xdi_server_refused(struct xdi_server *srv, const struct sockaddr *peer,
                        const char *reason)
{
    struct xdi_conn tmp;
    json_t *rec = server_record("refused");

    /* Borrow the peer formatting of a connection that never existed. */
    memset(&tmp, 0, sizeof(tmp));
    format_peer(&tmp, peer);
    xdi__rec_str(rec, "peer", tmp.peer);
    xdi__rec_str(rec, "reason", reason != NULL ? reason : "");
    xdi__journal(srv, rec);
}

void xdi_server_capture_stopped(struct xdi_server *srv, const char *file,
                                uint64_t bytes, uint64_t max)
{
    json_t *rec = server_record("capture_stopped");

    xdi__rec_str(rec, "file", file != NULL ? file : "");
    xdi__rec_int(rec, "bytes", (json_int_t)bytes);
    xdi__rec_int(rec, "max", (json_int_t)max);
    xdi__journal(srv, rec);
}

void xdi_server_stop(struct xdi_server *srv)
{
    struct xdi__out out = {.key = NACCB_KEY_SHUTDOWN};
    json_t *rec;

    if (srv->stopping)
        return;
    srv->stopping = true;
    rec = server_record("stop");
    xdi__rec_int(rec, "connections", (json_int_t)srv->n_conns);
    xdi__rec_int(rec, "sessions", (json_int_t)srv->n_sessions);
    xdi__journal(srv, rec);
    for (struct xdi_conn *c = srv->conns; c != NULL; c = c->next)
        if (c->host != NULL)
            xdi__send(c, &out, NULL, NULL, NULL);
}

size_t xdi_server_connections(const struct xdi_server *srv)
{
    return srv->n_conns;
}

const struct xdi_fixture_set *xdi_server_fixtures(const struct xdi_server *srv)
{
    return srv->fixtures;
}

size_t xdi_server_held_triggers(const struct xdi_server *srv)
{
    return srv->n_held;
}

size_t xdi_server_sessions(const struct xdi_server *srv)
{
    return srv->n_sessions;
}

const struct xdi_config *xdi_server_config(const struct xdi_server *srv)
{
    return &srv->cfg;
}
