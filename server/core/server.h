/*
 * server.h - the protocol core of the fake XDI host.
 *
 * The core takes bytes received on a connection and decides everything:
 * replies, journal records, takeovers, closes.  It knows nothing of libuv
 * and does no I/O: the network layer (server/uv) calls the functions below
 * and gives the core a struct xdi_output_ops (output.h) through which it
 * sends bytes, hands over journal records and closes connections.  The
 * core is single-threaded and may be driven entirely from tests with byte
 * arrays and a fake output.
 *
 * Lifetimes: the network layer creates one struct xdi_conn per accepted
 * socket with xdi_conn_open() and, once the socket is really gone, calls
 * xdi_conn_closed() exactly once, which journals the disconnect and frees
 * the xdi_conn.  Between the two, the core may ask for a close through
 * ops->close(); it then ignores further input on that connection.  When
 * the peer ends its stream, the network layer calls xdi_conn_eof() at once
 * (before the socket is gone), so the session's host is free at once.
 */
#ifndef XDI_SERVER_H
#define XDI_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "blob.h"
#include "fixture.h"
#include "output.h"
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
    uint32_t max_info_objects;     /* 4096: objects in one info NACCB; more
                                      is error 05 (too_many_objects) */
    size_t max_held_triggers;      /* 10000: exec jobs waiting for their
                                      host's login; more are dropped */
    size_t journal_max_raw;        /* 4096: bytes of a received NACCB a
                                      record keeps (as hex); the rest is
                                      summarised by length and hash; 0 =
                                      keep all (docs/journal.md) */
    /* What one peer may do (guard.c, docs/security.md).  A failed login
     * is one rejected by a check that depends on who logs in (not the
     * server's state: xdi_down, no agent-ID left). */
    unsigned login_failures;       /* 10: failed logins on one connection;
                                      the last one's reject is sent, then
                                      the connection is closed; 0 = none */
    unsigned login_failures_per_address; /* 100: failed logins from one
                                      source address (an IPv6 /64) with
                                      none more than the window apart;
                                      then every login from it is refused
                                      until a window passes; 0 = none */
    unsigned login_failure_window_ms; /* 600000 */
    unsigned login_delay_ms;       /* 100: the reject of the 2nd failure
                                      (on the connection or from its
                                      address, whichever has more) is held
                                      back this long, each later one twice
                                      as long as the one before; 0 = none */
    unsigned login_delay_max_ms;   /* 5000: the longest hold */
    bool login_failures_alike;     /* every failed login gets error 05, so
                                      an unknown host (09) cannot be told
                                      from a wrong password (05) */
    unsigned max_connections_per_address; /* 2000; 0 = no bound */
    enum xdi_takeover {
        XDI_TAKEOVER_ANY = 0,      /* a new login for a host with a live
                                      session takes it over (the protocol) */
        XDI_TAKEOVER_SAME_ADDRESS, /* ... only from the session's address */
        XDI_TAKEOVER_PASSWORD,     /* ... from the session's address, or
                                      with the host's password */
    } takeover;
    unsigned violation_rate;       /* 100: violation records per second
                                      per connection; 0 = no bound */
    unsigned violation_burst;      /* 1000: ... of which at once */
};

void xdi_config_defaults(struct xdi_config *cfg);

/* The clock, injectable for tests; NULL fields mean the real clock.
 * wall: CLOCK_REALTIME (journal stamps, and local time for time frames). */
struct xdi_clock {
    void *ctx;
    void (*wall)(void *ctx, struct timespec *now);
};

struct xdi_server;
struct xdi_conn;

/*
 * A server over a loaded fixture set (ownership passes to the server), with
 * its output (send and close required, record may be NULL) and a clock
 * (both copied; clock may be NULL).  NULL when out of memory or when ops
 * lacks send or close; the fixture set then stays the caller's.
 */
struct xdi_server *xdi_server_new(const struct xdi_config *cfg,
                                  struct xdi_fixture_set *fixtures,
                                  const struct xdi_output_ops *ops,
                                  const struct xdi_clock *clock);
void xdi_server_free(struct xdi_server *srv);

/* A new connection from peer (its address), with the network layer's
 * handle.  Journals "connect".  NULL when out of memory. */
struct xdi_conn *xdi_conn_open(struct xdi_server *srv, void *conn_io,
                               const struct sockaddr *peer);

/* Bytes received on the connection, any amount. */
void xdi_conn_feed(struct xdi_conn *c, const uint8_t *bytes, size_t len);

/*
 * The peer ended its stream (EOF): no more input will come.  The session,
 * if any, ends now, so a new login for its host is a plain login and not a
 * takeover of a connection that is already gone; a partial NACCB held is
 * dropped; the core asks for the close (ops->close), and the network layer
 * calls xdi_conn_closed() once the socket is gone, as for any close.
 * Nothing is journalled until then ("disconnect", with the cause the
 * network layer gives).  A connection already closing is left as it is.
 */
void xdi_conn_eof(struct xdi_conn *c);

/* Which timers the network layer should have running for this connection
 * now (ask after open, after every feed, and after a timer fired).  A timer
 * that was running and is still wanted keeps its original deadline, except
 * IDLE, which restarts on every feed, and PARTIAL, which restarts whenever
 * xdi_conn_partial_epoch() changed: a NACCB completed, so the part held now
 * belongs to a new one (an agent streaming flat out, with a NACCB split at
 * the end of every read, is healthy however long it streams). */
enum xdi_timer {
    XDI_TIMER_LOGIN = 1,   /* connected, no session yet */
    XDI_TIMER_PARTIAL = 2, /* part of a NACCB is held */
    XDI_TIMER_IDLE = 4,    /* idle timeout configured and connection open */
    XDI_TIMER_DELAY = 8,   /* a failed login's reject is held back for
                              xdi_conn_delay_ms(); until it fires the core
                              takes no input from this connection, so the
                              network layer stops reading it (what it fed
                              meanwhile is held: xdi_conn_held_input) */
};
unsigned xdi_conn_timers(const struct xdi_conn *c);

/* How long the DELAY timer is to run (0 when it is not wanted). */
unsigned xdi_conn_delay_ms(const struct xdi_conn *c);

/* Bytes received but not yet handled because a reply is held back (for
 * the network layer's memory accounting). */
size_t xdi_conn_held_input(const struct xdi_conn *c);

/* How many NACCBs were completed on the connection so far: the deadline of
 * the PARTIAL timer counts from the last change of this number. */
uint64_t xdi_conn_partial_epoch(const struct xdi_conn *c);

/* A timer fired: the core journals the timeout and closes. */
void xdi_conn_timeout(struct xdi_conn *c, enum xdi_timer which);

/* Why a connection ended, for the journal. */
enum xdi_close_cause {
    XDI_CLOSE_PEER,         /* the agent closed (EOF) */
    XDI_CLOSE_ERROR,        /* read/write error: detail says which */
    XDI_CLOSE_REQUESTED,    /* the core asked for it (logout, takeover, ...) */
    XDI_CLOSE_SERVER_STOP,  /* the server is stopping */
    XDI_CLOSE_OUTPUT_LIMIT, /* the agent does not read its output */
    XDI_CLOSE_MEMORY_LIMIT, /* the heaviest when all connections together
                               held more than the network layer's bound */
};

/* The socket is gone.  Journals "disconnect" with cause and detail (may
 * be NULL), ends the session if any, and frees c. */
void xdi_conn_closed(struct xdi_conn *c, enum xdi_close_cause cause,
                     const char *detail);

/* May a new connection from peer be opened?  0, or -1 when its address
 * already has max_connections_per_address connections open (the network
 * layer then refuses it with xdi_server_refused). */
int xdi_server_admit(const struct xdi_server *srv, const struct sockaddr *peer);

/* The network layer refused a connection (max_connections): journalled. */
void xdi_server_refused(struct xdi_server *srv, const struct sockaddr *peer,
                        const char *reason);

/* The network layer's capture (xdi-server --capture FILE) reached its
 * bound of max bytes at bytes and stopped: journalled ("capture_stopped"),
 * so that a short capture is never mistaken for a short session. */
void xdi_server_capture_stopped(struct xdi_server *srv, const char *file,
                                uint64_t bytes, uint64_t max);

/* Begin a graceful stop: every live session is sent shutdown (01020400).
 * The network layer then waits up to grace_ms for the connections to
 * close, closes the rest, and frees the server. */
void xdi_server_stop(struct xdi_server *srv);

/*
 * Hot reload: swap in a new fixture set under live sessions (the network
 * layer loads it from the watched directory, on a file change or SIGHUP).
 * All or nothing: nothing is sent or changed unless it returns 0.
 *
 * On success the server owns new_set and has freed the old set, and:
 * - every live session whose host is in new_set keeps going; if its EMS
 *   (SCD) table changed (other bytes, or available <-> not) and the agent
 *   acquired that table on this session, it is sent replace EMS / SCD
 *   (01020301 / 01020302) with the whole new table, or no-EMS / no-SCD
 *   with error 08 when the table became empty or not ready (docs/protocol.md
 *   §7).  Unchanged tables send nothing.  Actions, triggers,
 *   passwords, allowed networks and holidays take effect at once (the
 *   last two for the next login and the next event);
 * - a live session whose host is gone (or whose system name changed on the
 *   wire: a new code page) is sent shutdown and closed;
 * - held triggers for a host that is gone are dropped;
 * - one "reload" record says what changed (docs/journal.md).
 * cause ("sighup", "watch", ...) goes into the record; may be NULL.
 * Returns -1 (new_set stays the caller's, nothing changed) when out of
 * memory or when the server is stopping.
 */
int xdi_server_reload(struct xdi_server *srv, struct xdi_fixture_set *new_set,
                      const char *cause);

/* A reload whose set did not load: journalled ("reload", outcome
 * "refused", with up to the first 20 messages, each "FILE:LINE: text");
 * the old set stays in force.  errors is the loader's count. */
void xdi_server_reload_refused(struct xdi_server *srv, const char *cause,
                               int errors, const char *const *messages,
                               size_t n_messages);

/* The fixture set in force (it changes with each reload; valid until the
 * next reload or xdi_server_free). */
const struct xdi_fixture_set *xdi_server_fixtures(const struct xdi_server *srv);

/* Triggers held for hosts that are not logged in (for tests). */
size_t xdi_server_held_triggers(const struct xdi_server *srv);

/* Connections open / sessions logged in, for the network layer and tests. */
size_t xdi_server_connections(const struct xdi_server *srv);
size_t xdi_server_sessions(const struct xdi_server *srv);

const struct xdi_config *xdi_server_config(const struct xdi_server *srv);

/* The failed logins counted for peer's address now (0 when none, or when
 * the last one is older than the window), for tests. */
unsigned xdi_server_address_failures(struct xdi_server *srv,
                                     const struct sockaddr *peer);

/* The journal name of a takeover policy ("any", "same-address",
 * "password"), and back: 0, or -1 for an unknown name. */
const char *xdi_takeover_name(enum xdi_takeover t);
int xdi_takeover_parse(const char *name, enum xdi_takeover *t);

/* ---- on demand: the control plane's requests (ondemand.c) ----------------
 *
 * What the control plane (control.h) asks of the host now, rather than
 * when a fixture's automation says so.  Each request names a host by its
 * system name (Latin-1, unpadded) and goes to its live session.  why
 * (owned; may be NULL) is the record that says who asked ("control",
 * docs/journal.md): it is journalled with an "outcome" once the result is
 * known, just before the record of the NACCB sent (as "action" and
 * "trigger" records are); on a failure it is journalled with the failure
 * as outcome ("no_such_system", "not_connected", "bad_request").
 * *conn (may be NULL) gets the connection id the NACCB went to.
 */

/* What became of an on-demand request. */
enum xdi_od_result {
    XDI_OD_SENT = 0,          /* written to the agent's connection */
    XDI_OD_NO_SYSTEM = -1,    /* no host of that name in the fixture set */
    XDI_OD_NOT_CONNECTED = -2, /* the host has no live session */
    XDI_OD_BAD_REQUEST = -3,  /* the text or name is not valid to send */
    XDI_OD_DROPPED = -4,      /* the send failed (connection closing) */
};

/* The journal name of a result: "sent", "no_such_system", ... */
const char *xdi_od_result_name(enum xdi_od_result r);

/* Bytes and NACCBs each way. */
struct xdi_traffic {
    uint64_t naccbs_in, naccbs_out;
    uint64_t bytes_in, bytes_out;
};

/* Exec command (01020104): text is Latin-1, 1..128 bytes (never cut). */
enum xdi_od_result xdi_server_exec_command(struct xdi_server *srv,
                                           const char *system,
                                           const char *text, json_t *why,
                                           uint64_t *conn);
/* Exec job (01020108): job is a job name, 1..8 of [A-Z0-9$#@]. */
enum xdi_od_result xdi_server_exec_job(struct xdi_server *srv,
                                       const char *system, const char *job,
                                       json_t *why, uint64_t *conn);
/* Replace EMS / SCD (01020301 / 02) with the host's table in force, or
 * no-EMS / no-SCD with error 08 when it is not available (§7). */
enum xdi_od_result xdi_server_replace_table(struct xdi_server *srv,
                                            const char *system, bool ems,
                                            json_t *why, uint64_t *conn);
/* Replace EMS / SCD with a table given now: entries is a JSON array of
 * events (ems) or jobs in the fixture format (docs/fixtures.md), checked
 * by the fixture loader as a file would be.  The table is in force for
 * the host from then on (matching, actions, triggers of EOTINFOs) until
 * the next reload, which brings back the fixture's (and sends it).  A bad
 * entry: XDI_OD_BAD_REQUEST with "entries[i]: what" in err, nothing
 * changed or sent. */
enum xdi_od_result xdi_server_replace_entries(struct xdi_server *srv,
                                              const char *system, bool ems,
                                              const json_t *entries,
                                              json_t *why, uint64_t *conn,
                                              char *err, size_t err_size);
/* Shutdown (01020400) to the host's agent; it is expected to log out. */
enum xdi_od_result xdi_server_shutdown_agent(struct xdi_server *srv,
                                             const char *system, json_t *why,
                                             uint64_t *conn);
/* Logins rejected with error 06 while down (xdi_config.xdi_down). */
void xdi_server_set_down(struct xdi_server *srv, bool down);
/* A clean slate: every connection is sent shutdown (when it has a
 * session) and closed, every held trigger dropped ("reset"), every table
 * given on demand replaced by the fixture's again, every address's
 * failed logins forgotten.  Returns how many
 * connections were closed. */
size_t xdi_server_reset(struct xdi_server *srv);
/* Journals rec (owned): a record that belongs to no connection, such as
 * "control" (docs/journal.md). */
void xdi_server_journal(struct xdi_server *srv, json_t *rec);
/* The status of one host (NULL: no such host) or of all of them (an
 * array), as the control plane shows it (docs/control.md, SYSTEM):
 * {"name","tables":{"ems":{"ready","entries"},"scd":{...}},"agent":null |
 * {"agent_id","conn","peer","login","naccbs_in","naccbs_out","bytes_in",
 * "bytes_out","last_event"},"held_triggers"}.  New references. */
json_t *xdi_server_host_status(struct xdi_server *srv, const char *system);
json_t *xdi_server_hosts_status(struct xdi_server *srv);
/* Will the host's agent report the end of job with an EOTINFO?  True
 * when its session was sent an SCD table that lists the job (§9). */
bool xdi_server_reports_eotinfo(struct xdi_server *srv, const char *system,
                                const char *job);
/* xdi_server_stop() was called. */
bool xdi_server_stopping(const struct xdi_server *srv);
/* Totals over the server's life. */
void xdi_server_totals(const struct xdi_server *srv, struct xdi_traffic *t);
/* The number of the last record journalled ("jseq"), 0 before any. */
uint64_t xdi_server_last_jseq(const struct xdi_server *srv);

#endif /* XDI_SERVER_H */
