/*
 * server.h - the protocol core of the fake XDI host.
 *
 * The core takes bytes received on a connection and decides everything:
 * replies, journal records, takeovers, closes.  It knows nothing of libuv:
 * the network layer (server/uv) calls the functions below and gives the
 * core a struct xdi_transport to send bytes and close connections.  The
 * core is single-threaded and may be driven entirely from tests with byte
 * arrays and a fake transport.
 *
 * Lifetimes: the network layer creates one struct xdi_conn per accepted
 * socket with xdi_conn_open() and, once the socket is really gone, calls
 * xdi_conn_closed() exactly once, which journals the disconnect and frees
 * the xdi_conn.  Between the two, the core may ask for a close through
 * transport->close(); it then ignores further input on that connection.
 */
#ifndef XDI_SERVER_H
#define XDI_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "blob.h"
#include "fixture.h"
#include "journal.h"
#include "naccb.h"

/* Every limit and timeout, with its default (xdi_config_defaults()). */
struct xdi_config {
    uint32_t max_naccb_size;       /* 16 MiB; larger is lost framing */
    size_t max_output_queue;       /* per connection, bytes; 64 MiB */
    unsigned max_connections;      /* 10000 */
    unsigned login_timeout_ms;     /* 30000: no session within it -> close */
    unsigned partial_timeout_ms;   /* 30000: partial NACCB not completed */
    unsigned idle_timeout_ms;      /* 0 = off: no input within it -> close */
    unsigned grace_ms;             /* 5000: after shutdown, wait for logouts */
    bool random_ids;               /* agent-IDs random instead of 1, 2, ... */
    uint64_t id_seed;              /* seed for random_ids */
    bool xdi_down;                 /* logins rejected with error 06 */
};

void xdi_config_defaults(struct xdi_config *cfg);

/* How the core reaches the network layer.  conn_io is the opaque handle the
 * network layer gave xdi_conn_open(). */
struct xdi_transport {
    void *ctx;
    /*
     * Queue head (head_len bytes, copied) followed by body (may be NULL; the
     * callee takes its own reference with xdi_blob_ref) for sending.
     * Returns 0, or -1 when the connection's output queue would exceed
     * max_output_queue: the core then journals it and closes.
     */
    int (*send)(void *ctx, void *conn_io, const uint8_t *head, size_t head_len,
                struct xdi_blob *body);
    /* Close the connection once the queued output is written.  The network
     * layer later calls xdi_conn_closed(). */
    void (*close)(void *ctx, void *conn_io);
};

/* The clock, injectable for tests; NULL fields mean the real clock.
 * wall: CLOCK_REALTIME (journal stamps, and local time for time frames). */
struct xdi_clock {
    void *ctx;
    void (*wall)(void *ctx, struct timespec *now);
};

struct xdi_server;
struct xdi_conn;

/*
 * A server over a loaded fixture set (ownership passes to the server), a
 * journal (borrowed; may be NULL for none), a transport and a clock (both
 * copied; clock may be NULL).  NULL when out of memory.
 */
struct xdi_server *xdi_server_new(const struct xdi_config *cfg,
                                  struct xdi_fixture_set *fixtures,
                                  struct xdi_journal *journal,
                                  const struct xdi_transport *transport,
                                  const struct xdi_clock *clock);
void xdi_server_free(struct xdi_server *srv);

/* A new connection from peer (its address), with the network layer's
 * handle.  Journals "connect".  NULL when out of memory. */
struct xdi_conn *xdi_conn_open(struct xdi_server *srv, void *conn_io,
                               const struct sockaddr *peer);

/* Bytes received on the connection, any amount. */
void xdi_conn_feed(struct xdi_conn *c, const uint8_t *bytes, size_t len);

/* Which timers the network layer should have running for this connection
 * now (ask after open, after every feed, and after a timer fired).  A timer
 * that was running and is still wanted keeps its original deadline, except
 * IDLE, which restarts on every feed. */
enum xdi_timer {
    XDI_TIMER_LOGIN = 1,   /* connected, no session yet */
    XDI_TIMER_PARTIAL = 2, /* part of a NACCB is held */
    XDI_TIMER_IDLE = 4,    /* idle timeout configured and connection open */
};
unsigned xdi_conn_timers(const struct xdi_conn *c);

/* A timer fired: the core journals the timeout and closes. */
void xdi_conn_timeout(struct xdi_conn *c, enum xdi_timer which);

/* Why a connection ended, for the journal. */
enum xdi_close_cause {
    XDI_CLOSE_PEER,         /* the agent closed (EOF) */
    XDI_CLOSE_ERROR,        /* read/write error: detail says which */
    XDI_CLOSE_REQUESTED,    /* the core asked for it (logout, takeover, ...) */
    XDI_CLOSE_SERVER_STOP,  /* the server is stopping */
    XDI_CLOSE_OUTPUT_LIMIT, /* the agent does not read its output */
};

/* The socket is gone.  Journals "disconnect" with cause and detail (may
 * be NULL), ends the session if any, and frees c. */
void xdi_conn_closed(struct xdi_conn *c, enum xdi_close_cause cause,
                     const char *detail);

/* The network layer refused a connection (max_connections): journalled. */
void xdi_server_refused(struct xdi_server *srv, const struct sockaddr *peer,
                        const char *reason);

/* Begin a graceful stop: every live session is sent shutdown (01020400).
 * The network layer then waits up to grace_ms for the connections to
 * close, closes the rest, and frees the server. */
void xdi_server_stop(struct xdi_server *srv);

/* Connections open / sessions logged in, for the network layer and tests. */
size_t xdi_server_connections(const struct xdi_server *srv);
size_t xdi_server_sessions(const struct xdi_server *srv);

const struct xdi_config *xdi_server_config(const struct xdi_server *srv);

#endif /* XDI_SERVER_H */
