/*
 * net.c - the libuv layer of xdi-server.
 *
 * Accepts TCP connections, feeds what they send to the protocol core,
 * writes what the core sends (struct xdi_output_ops: send and close; the
 * journal records go on to the application's sink), runs the timers the
 * core asks for, tells the core when a peer ends its stream, and
 * closes connections when the core, the peer or a limit says so.  No
 * protocol logic lives here (see server/core/server.h for the seam).
 *
 * Memory: one shared read buffer (libuv calls alloc and read back to back,
 * and the core copies whatever it keeps, so one buffer serves every
 * connection); one heap write request per NACCB sent, holding a copy of
 * the 36-byte header and a reference to the shared table blob, freed in
 * its write callback.  While a connection has a write in flight, small
 * replies are copied into one pending chunk instead (see output_send), so
 * a peer that never reads pins one allocation per CHUNK_MAX bytes, not one
 * of some 250 bytes per 36-byte reply.  What a request really holds (the
 * request, its copy, malloc's overhead and the body it keeps alive) is
 * what counts against max_output_queue: an agent that never reads is cut
 * off, not buffered.  Across all connections, output held plus partially
 * received input is bounded by max_memory (xdi_net_set_max_memory): over
 * it, the connection holding most is cut off (cause memory_limit).
 */
#include "net.h"

#include "addr.h"

#include "capture.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_BUFFER_SIZE (64u * 1024u)
/* Replies of at most COALESCE_MAX bytes join the pending chunk; a chunk
 * starts at CHUNK_MIN bytes and doubles up to CHUNK_MAX. */
#define COALESCE_MAX 512u
#define CHUNK_MIN 1024u
#define CHUNK_MAX (64u * 1024u)
/* What malloc keeps besides the bytes asked for (glibc: a size word and
 * rounding to 16), counted so that many small requests are not free. */
#define MALLOC_OVERHEAD 16u
/* How long a closing connection may take to flush its queued output. */
#define FLUSH_TIMEOUT_MS 5000u

enum conn_state {
    CONN_OPEN,     /* reading and writing */
    CONN_FLUSHING, /* close asked: no more reads, queued output drains */
    CONN_CLOSED,   /* uv_close called on every handle */
};

/* Timer slots; the first four match enum xdi_timer bits 1, 2, 4, 8. */
enum {
    TIMER_LOGIN,
    TIMER_PARTIAL,
    TIMER_IDLE,
    TIMER_DELAY,
    TIMER_FLUSH,
    N_TIMERS
};

struct net_conn {
    uv_tcp_t tcp; /* first: the handle's address is the connection's */
    struct xdi_net *net;
    struct xdi_conn *core;        /* NULL for a refused connection */
    struct xdi_capture_conn *cap; /* --capture: NULL when not captured */
    struct net_conn *prev, *next;
    uv_timer_t timers[N_TIMERS];
    unsigned running;       /* enum xdi_timer bits whose timer runs */
    uint64_t partial_epoch; /* xdi_conn_partial_epoch() when PARTIAL began */
    bool paused;   /* read budget spent this turn: resumed by the check */
    size_t queued;      /* bytes held by output not yet written: requests,
                           copies, bodies and the pending chunk */
    size_t partial;     /* input the core may hold as a partial NACCB (an
                           upper bound: bytes fed since one completed) */
    size_t held_in;     /* input the core holds behind a delayed reject */
    bool held_back;     /* not reading: the core holds a reject back */
    unsigned in_flight; /* write requests handed to uv_write */
    struct write_req *chunk; /* small replies not yet handed to uv_write */
    bool counted;  /* queued and partial are in net->held */
    enum conn_state state;
    bool overflow; /* output queue limit hit: close without flushing */
    bool mem_cut;  /* cut off for max_memory (the cause journalled) */
    enum xdi_close_cause cause;
    char detail[96];
    int handles_open;
    uv_shutdown_t shutdown_req;
};

struct listener {
    uv_tcp_t tcp;
    struct xdi_net *net;
    bool initialised;
};

struct xdi_net {
    uv_loop_t *loop;
    struct xdi_server *srv;
    struct xdi_config cfg;
    struct listener *listeners;
    size_t n_listeners;
    struct net_conn *conns; /* every connection not yet freed */
    size_t n_conns;
    uv_timer_t grace_timer;
    bool grace_closed;
    /* Resumes the connections whose read budget ran out (fairness). */
    uv_check_t resume;
    size_t n_paused;
    /* The record sink's flush (xdi_net_set_flush): before output is
     * handed to a socket, and once a loop turn. */
    void (*flush)(void *ctx);
    void *flush_ctx;
    uv_prepare_t turn_end;
    int stopping; /* 0 running, 1 graceful stop, 2 closing everything */
    /* The application's journal sink (the core's records go there). */
    void (*record)(void *ctx, const struct xdi_record *rec);
    void *record_ctx;
    struct xdi_capture *capture; /* --capture, borrowed; NULL: none */
    size_t max_memory; /* output held + partial input, all connections */
    size_t held;       /* ... now (connections not closed) */
    uint8_t read_buf[READ_BUFFER_SIZE];
};

struct write_req {
    uv_write_t req;
    struct net_conn *conn;
    struct xdi_blob *body;
    size_t len;    /* bytes written by this request */
    size_t charge; /* what it holds: counted in queued */
    size_t cap;    /* head[]'s size (a chunk grows up to CHUNK_MAX) */
    uint8_t head[]; /* the header bytes, copied (a chunk: many replies) */
};

static size_t req_charge(size_t cap, size_t body_len)
{
    return sizeof(struct write_req) + cap + MALLOC_OVERHEAD + body_len;
}

static void conn_close(struct net_conn *c, enum xdi_close_cause cause,
                       const char *detail, bool hard);
static void maybe_finish_stop(struct xdi_net *net);
static int chunk_submit(struct net_conn *c);

/* ---- listen addresses ---------------------------------------------------- */

int xdi_listen_addr_parse(const char *text, struct xdi_listen_addr *out,
                          size_t max, size_t *n, char *err, size_t errlen)
{
    struct xdi_addr addrs[16];

    *n = 0;
    if (max > sizeof addrs / sizeof addrs[0])
        max = sizeof addrs / sizeof addrs[0];
    /* tools/common/addr.h: the parser and resolver every program uses. */
    if (xdi_addr_resolve(text, true, addrs, max, n, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < *n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        memcpy(&out[i].addr, &addrs[i].sa, addrs[i].len);
        snprintf(out[i].text, sizeof out[i].text, "%s", text);
    }
    return 0;
}

/* "127.0.0.1:7012" or "[::1]:7012". */
static void format_addr(const struct sockaddr *sa, char *out, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "?";

    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 =
            (const struct sockaddr_in6 *)(const void *)sa;
        uv_ip6_name(s6, ip, sizeof ip);
        snprintf(out, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 =
            (const struct sockaddr_in *)(const void *)sa;
        uv_ip4_name(s4, ip, sizeof ip);
        snprintf(out, len, "%s:%u", ip, ntohs(s4->sin_port));
    }
}

/* ---- connection list ----------------------------------------------------- */

static void conn_link(struct xdi_net *net, struct net_conn *c)
{
    c->next = net->conns;
    if (net->conns)
        net->conns->prev = c;
    net->conns = c;
    net->n_conns++;
}

static void conn_unlink(struct xdi_net *net, struct net_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        net->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    net->n_conns--;
}

/* ---- closing ------------------------------------------------------------- */

/* Every handle of a connection reports here; the last one frees it. */
static void on_conn_handle_closed(uv_handle_t *h)
{
    struct net_conn *c = h->data;

    if (h == (uv_handle_t *)&c->tcp && c->core) {
        /* The socket is gone: the core journals it and frees its side. */
        xdi_conn_closed(c->core, c->cause, c->detail[0] ? c->detail : NULL);
        c->core = NULL;
    }
    if (h == (uv_handle_t *)&c->tcp) {
        xdi_capture_conn_close(c->cap);
        c->cap = NULL;
    }
    if (--c->handles_open > 0)
        return;
    struct xdi_net *net = c->net;
    conn_unlink(net, c);
    free(c);
    maybe_finish_stop(net);
}

static void conn_close_handles(struct net_conn *c)
{
    if (c->state == CONN_CLOSED)
        return;
    c->state = CONN_CLOSED;
    /* What it holds is freed as the handles close (writes cancelled): no
     * longer counted against max_memory, so no second victim is chosen
     * for memory that is already on its way out. */
    if (c->counted) {
        c->net->held -= c->queued + c->partial + c->held_in;
        c->counted = false;
    }
    if (c->chunk) {
        c->queued -= c->chunk->charge;
        free(c->chunk);
        c->chunk = NULL;
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    for (int i = 0; i < N_TIMERS; i++)
        uv_close((uv_handle_t *)&c->timers[i], on_conn_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
}

static void on_flush_timeout(uv_timer_t *t)
{
    conn_close_handles(t->data);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    struct net_conn *c = req->data;
    (void)status; /* flushed or failed: either way the socket closes now */
    conn_close_handles(c);
}

/*
 * Closes a connection.  The first cause given is the one journalled.  A
 * soft close lets queued output drain first (bounded by FLUSH_TIMEOUT_MS);
 * a hard one, or a connection whose output overflowed, closes at once.
 */
static void conn_close(struct net_conn *c, enum xdi_close_cause cause,
                       const char *detail, bool hard)
{
    if (c->state == CONN_CLOSED)
        return;
    if (c->state == CONN_OPEN) {
        c->cause = cause;
        if (detail && detail != c->detail)
            snprintf(c->detail, sizeof c->detail, "%s", detail);
    }
    if (hard || c->overflow || (c->in_flight == 0 && !c->chunk)) {
        conn_close_handles(c);
        return;
    }
    if (c->state == CONN_FLUSHING)
        return;
    /* The pending chunk goes out before the shutdown, which waits for
     * the writes handed to libuv. */
    if (c->chunk && chunk_submit(c) < 0)
        return;
    c->state = CONN_FLUSHING;
    uv_read_stop((uv_stream_t *)&c->tcp);
    for (int i = 0; i < TIMER_FLUSH; i++)
        uv_timer_stop(&c->timers[i]);
    uv_timer_start(&c->timers[TIMER_FLUSH], on_flush_timeout, FLUSH_TIMEOUT_MS,
                   0);
    c->shutdown_req.data = c;
    if (uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
        conn_close_handles(c);
}

/* ---- writing (the core's output: send and close) ------------------------- */

/* Output or partial input held by c changed by delta bytes. */
static void conn_hold(struct net_conn *c, size_t *field, size_t add,
                      size_t sub)
{
    *field += add;
    *field -= sub;
    if (c->counted) {
        c->net->held += add;
        c->net->held -= sub;
    }
}

/*
 * Keeps all connections together within max_memory once extra more bytes
 * are held: while they would be over, the open connection holding most is
 * cut off (journalled with cause memory_limit).  Returns false when that
 * is self (the caller then refuses what it was about to hold).
 */
static bool memory_admit(struct xdi_net *net, struct net_conn *self,
                         size_t extra)
{
    while (net->max_memory && net->held + extra > net->max_memory) {
        struct net_conn *worst = NULL;
        for (struct net_conn *c = net->conns; c; c = c->next)
            if (c->counted &&
                (!worst || c->queued + c->partial + c->held_in >
                               worst->queued + worst->partial +
                                   worst->held_in))
                worst = c;
        if (!worst)
            return true;
        char detail[96];
        snprintf(detail, sizeof detail,
                 "held %zu bytes; all connections %zu, --max-memory %zu",
                 worst->queued + worst->partial + worst->held_in,
                 net->held + extra,
                 net->max_memory);
        if (worst == self) {
            /* The core is in the middle of a send: refuse it (journalled
             * as output_limit), and the close that follows is ours. */
            self->mem_cut = true;
            self->overflow = true;
            if (self->state == CONN_OPEN)
                snprintf(self->detail, sizeof self->detail, "%s", detail);
            return false;
        }
        worst->mem_cut = true;
        conn_close(worst, XDI_CLOSE_MEMORY_LIMIT, detail, true);
    }
    return true;
}

static void on_write(uv_write_t *req, int status)
{
    struct write_req *w = (struct write_req *)req;
    struct net_conn *c = w->conn;

    c->in_flight--;
    conn_hold(c, &c->queued, 0, w->charge);
    xdi_blob_unref(w->body);
    free(w);
    if (status < 0 && status != UV_ECANCELED && c->state != CONN_CLOSED) {
        char detail[64];
        snprintf(detail, sizeof detail, "write: %s", uv_strerror(status));
        conn_close(c, XDI_CLOSE_ERROR, detail, true);
        return;
    }
    if (c->in_flight == 0 && c->chunk && c->state != CONN_CLOSED)
        chunk_submit(c);
}

/* Before anything goes to a socket: what the journal gathered is written
 * first, so nothing an agent reads is missing from the journal. */
static void flush_records(struct xdi_net *net)
{
    if (net->flush)
        net->flush(net->flush_ctx);
}

/* Hands the pending chunk to uv_write.  -1: the connection was closed. */
static int chunk_submit(struct net_conn *c)
{
    struct write_req *w = c->chunk;
    uv_buf_t buf = uv_buf_init((char *)w->head, (unsigned)w->len);

    flush_records(c->net);
    c->chunk = NULL;
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc < 0) {
        conn_hold(c, &c->queued, 0, w->charge);
        free(w);
        char detail[64];
        snprintf(detail, sizeof detail, "write: %s", uv_strerror(rc));
        conn_close(c, XDI_CLOSE_ERROR, detail, true);
        return -1;
    }
    c->in_flight++;
    return 0;
}

static bool over_output(const struct net_conn *c, size_t extra)
{
    size_t max = c->net->cfg.max_output_queue;
    return extra > max || c->queued > max - extra;
}

/*
 * Copies a small reply into the pending chunk (c has a write in flight, so
 * it could not go out before that one anyway), growing or replacing the
 * chunk as needed.  Returns the send's result.
 */
static enum xdi_send_result coalesce(struct net_conn *c, const uint8_t *head,
                                     size_t head_len, const uint8_t *body,
                                     size_t body_len)
{
    size_t total = head_len + body_len;
    struct write_req *w = c->chunk;

    if (w && w->len + total > w->cap && w->cap >= CHUNK_MAX) {
        if (chunk_submit(c) < 0)
            return XDI_SEND_DROPPED;
        w = NULL;
    }
    if (!w || w->len + total > w->cap) {
        size_t cap = w ? w->cap : CHUNK_MIN;
        size_t old = w ? w->charge : 0;
        while (cap < (w ? w->len : 0) + total)
            cap *= 2;
        size_t charge = req_charge(cap, 0);
        if (over_output(c, charge - old)) {
            c->overflow = true;
            return XDI_SEND_OVER_LIMIT;
        }
        if (!memory_admit(c->net, c, charge - old))
            return XDI_SEND_OVER_LIMIT;
        struct write_req *n = realloc(w, sizeof *w + cap);
        if (!n) {
            conn_close(c, XDI_CLOSE_ERROR, "out of memory queueing output",
                       true);
            return XDI_SEND_DROPPED;
        }
        if (!w) {
            n->conn = c;
            n->body = NULL;
            n->len = 0;
        }
        n->cap = cap;
        n->charge = charge;
        conn_hold(c, &c->queued, charge, old);
        c->chunk = w = n;
    }
    memcpy(w->head + w->len, head, head_len);
    if (body_len)
        memcpy(w->head + w->len + head_len, body, body_len);
    w->len += total;
    return XDI_SEND_WRITTEN;
}

/* struct xdi_output_ops.send.  Whatever is not queued is said so: the core
 * journals what became of each NACCB, so "written" must mean it. */
static enum xdi_send_result output_send(void *ctx, void *conn_io,
                                        const uint8_t *head, size_t head_len,
                                        struct xdi_blob *body)
{
    struct xdi_net *net = ctx;
    struct net_conn *c = conn_io;
    size_t body_len = body ? body->len : 0;
    size_t total = head_len + body_len;
    uv_buf_t bufs[2];
    unsigned n = 0;
    enum xdi_send_result res;

    if (c->state != CONN_OPEN)
        return XDI_SEND_DROPPED; /* closing: nothing more goes out */
    if (total <= COALESCE_MAX && (c->in_flight > 0 || c->chunk)) {
        res = coalesce(c, head, head_len, body_len ? body->data : NULL,
                       body_len);
        goto sent;
    }
    /* In order: what is pending goes before this one. */
    if (c->chunk && chunk_submit(c) < 0)
        return XDI_SEND_DROPPED;
    size_t charge = req_charge(head_len, body_len);
    if (over_output(c, charge)) {
        c->overflow = true;
        return XDI_SEND_OVER_LIMIT;
    }
    if (!memory_admit(net, c, charge))
        return XDI_SEND_OVER_LIMIT;
    struct write_req *w = malloc(sizeof *w + head_len);
    if (!w) {
        conn_close(c, XDI_CLOSE_ERROR, "out of memory queueing output", true);
        return XDI_SEND_DROPPED;
    }
    w->conn = c;
    w->len = total;
    w->cap = head_len;
    w->charge = charge;
    w->body = body_len ? xdi_blob_ref(body) : NULL;
    memcpy(w->head, head, head_len);
    if (head_len)
        bufs[n++] = uv_buf_init((char *)w->head, (unsigned)head_len);
    if (body_len)
        bufs[n++] = uv_buf_init((char *)body->data, (unsigned)body_len);
    flush_records(net);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, n, on_write);
    if (rc < 0) {
        xdi_blob_unref(w->body);
        free(w);
        char detail[64];
        snprintf(detail, sizeof detail, "write: %s", uv_strerror(rc));
        conn_close(c, XDI_CLOSE_ERROR, detail, true);
        return XDI_SEND_DROPPED;
    }
    c->in_flight++;
    conn_hold(c, &c->queued, charge, 0);
    res = XDI_SEND_WRITTEN;
sent:
    if (res == XDI_SEND_WRITTEN && c->cap) {
        xdi_capture_data(c->cap, false, head, head_len);
        if (body_len)
            xdi_capture_data(c->cap, false, body->data, body_len);
    }
    return res;
}

/* struct xdi_output_ops.close. */
static void output_close(void *ctx, void *conn_io)
{
    struct net_conn *c = conn_io;
    (void)ctx;
    conn_close(c,
               c->mem_cut    ? XDI_CLOSE_MEMORY_LIMIT
               : c->overflow ? XDI_CLOSE_OUTPUT_LIMIT
                             : XDI_CLOSE_REQUESTED,
               c->mem_cut ? c->detail : NULL, false);
}

/* struct xdi_output_ops.record: one ctx serves the whole output, so the
 * application's sink is reached through this layer. */
static void output_record(void *ctx, const struct xdi_record *rec)
{
    struct xdi_net *net = ctx;
    net->record(net->record_ctx, rec);
}

/* ---- timers -------------------------------------------------------------- */

static unsigned timer_ms(const struct net_conn *c, int slot)
{
    const struct xdi_net *net = c->net;

    switch (slot) {
    case TIMER_LOGIN:
        return net->cfg.login_timeout_ms;
    case TIMER_PARTIAL:
        return net->cfg.partial_timeout_ms;
    case TIMER_IDLE:
        return net->cfg.idle_timeout_ms;
    case TIMER_DELAY:
        return xdi_conn_delay_ms(c->core);
    default:
        return 0;
    }
}

static void on_timer(uv_timer_t *t);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

/* What the core holds behind a delayed reject, counted against
 * max_memory (bounded by one read: the connection is not read
 * meanwhile). */
static void sync_held_in(struct net_conn *c)
{
    if (c->state == CONN_OPEN && c->core)
        conn_hold(c, &c->held_in, xdi_conn_held_input(c->core), c->held_in);
}

/* Starts and stops timers to match what the core wants now.  The idle
 * timer restarts whenever input arrived (fed).  While the core holds a
 * reject back (DELAY) the connection is not read: the core would only
 * have to hold what came. */
static void sync_timers(struct net_conn *c, bool fed)
{
    unsigned wanted;

    if (c->state != CONN_OPEN || !c->core)
        return;
    wanted = xdi_conn_timers(c->core);
    if ((wanted & XDI_TIMER_DELAY) && !c->held_back) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->held_back = true;
    } else if (!(wanted & XDI_TIMER_DELAY) && c->held_back) {
        c->held_back = false;
        if (!c->paused)
            uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    }
    for (int slot = TIMER_LOGIN; slot <= TIMER_DELAY; slot++) {
        unsigned bit = 1u << slot;
        unsigned ms = timer_ms(c, slot);
        if ((wanted & bit) && ms > 0) {
            bool restart = !(c->running & bit) || (slot == TIMER_IDLE && fed);
            /* A NACCB completed since the partial timer started: the part
             * held now is a new NACCB, with a deadline of its own. */
            if (slot == TIMER_PARTIAL &&
                xdi_conn_partial_epoch(c->core) != c->partial_epoch)
                restart = true;
            if (restart) {
                uv_timer_start(&c->timers[slot], on_timer, ms, 0);
                c->running |= bit;
                if (slot == TIMER_PARTIAL)
                    c->partial_epoch = xdi_conn_partial_epoch(c->core);
            }
        } else if (c->running & bit) {
            uv_timer_stop(&c->timers[slot]);
            c->running &= ~bit;
        }
    }
}

static void on_timer(uv_timer_t *t)
{
    struct net_conn *c = t->data;
    int slot = (int)(t - c->timers);
    unsigned bit = 1u << slot;

    c->running &= ~bit;
    if (c->state != CONN_OPEN || !c->core)
        return;
    size_t held = c->held_in;
    xdi_conn_timeout(c->core, (enum xdi_timer)bit);
    if (c->state != CONN_OPEN || !c->core)
        return;
    if (bit == XDI_TIMER_DELAY) {
        /* The held input was handled: what is left of it may be a part
         * of a NACCB in the framer now. */
        size_t partial = xdi_conn_timers(c->core) & XDI_TIMER_PARTIAL
                             ? c->partial + held
                             : 0;
        conn_hold(c, &c->partial, partial, c->partial);
        sync_held_in(c);
    }
    sync_timers(c, false);
}

/* ---- reading ------------------------------------------------------------- */

static void on_resume(uv_check_t *h);

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct net_conn *c = h->data;
    (void)suggested;
    /* Shared: libuv calls on_read right after, and the core keeps copies
     * of whatever it holds on to. */
    *buf = uv_buf_init((char *)c->net->read_buf, READ_BUFFER_SIZE);
}

/*
 * The read budget: one read (up to READ_BUFFER_SIZE bytes) per connection
 * per loop turn.  libuv would otherwise read up to 32 buffers from one
 * socket before it looks at anything else; at several microseconds per
 * NACCB a turn over a few hundred flooding agents took seconds, while
 * timers, signals (SIGTERM), new logins and other agents waited.  A
 * connection that spent its budget stops reading; the check handle, which
 * runs right after the loop polled, starts it again, so its next read comes
 * in the next turn, after every other ready connection had its own.
 */
static void read_pause(struct net_conn *c)
{
    if (c->paused || c->state != CONN_OPEN)
        return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->paused = true;
    if (c->net->n_paused++ == 0)
        uv_check_start(&c->net->resume, on_resume);
}

static void on_resume(uv_check_t *h)
{
    struct xdi_net *net = h->data;

    for (struct net_conn *c = net->conns; c && net->n_paused > 0; c = c->next) {
        if (!c->paused)
            continue;
        c->paused = false;
        net->n_paused--;
        if (c->state == CONN_OPEN && !c->held_back)
            uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    }
    net->n_paused = 0;
    uv_check_stop(h);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct net_conn *c = s->data;

    if (nread > 0) {
        if (c->state != CONN_OPEN)
            return;
        xdi_capture_data(c->cap, true, (const uint8_t *)buf->base,
                         (size_t)nread);
        uint64_t epoch = xdi_conn_partial_epoch(c->core);
        xdi_conn_feed(c->core, (const uint8_t *)buf->base, (size_t)nread);
        if (c->state != CONN_OPEN || !c->core)
            return;
        /* What the core may now hold of a NACCB not yet complete: none,
         * this read's bytes (one completed in it), or more than before. */
        size_t partial = 0;
        if (xdi_conn_timers(c->core) & XDI_TIMER_PARTIAL)
            partial = xdi_conn_partial_epoch(c->core) != epoch
                          ? (size_t)nread
                          : c->partial + (size_t)nread;
        if (partial > c->partial && !memory_admit(c->net, c,
                                                  partial - c->partial)) {
            conn_close(c, XDI_CLOSE_MEMORY_LIMIT, c->detail, true);
            return;
        }
        if (c->state != CONN_OPEN)
            return;
        conn_hold(c, &c->partial, partial, c->partial);
        sync_held_in(c);
        sync_timers(c, true);
        read_pause(c);
    } else if (nread == UV_EOF) {
        /* The cause first (the first one given is journalled), then the
         * core, whose own close request then changes nothing: the host is
         * free at once, while queued output may still drain. */
        xdi_capture_peer_fin(c->cap);
        conn_close(c, XDI_CLOSE_PEER, NULL, false);
        if (c->core)
            xdi_conn_eof(c->core);
    } else if (nread < 0) {
        char detail[64];
        snprintf(detail, sizeof detail, "read: %s", uv_strerror((int)nread));
        conn_close(c, XDI_CLOSE_ERROR, detail, true);
    }
}

/* ---- accepting ----------------------------------------------------------- */

static struct net_conn *conn_new(struct xdi_net *net)
{
    struct net_conn *c = calloc(1, sizeof *c);

    if (!c)
        return NULL;
    c->net = net;
    uv_tcp_init(net->loop, &c->tcp);
    c->tcp.data = c;
    for (int i = 0; i < N_TIMERS; i++) {
        uv_timer_init(net->loop, &c->timers[i]);
        c->timers[i].data = c;
    }
    c->handles_open = 1 + N_TIMERS;
    c->counted = true;
    conn_link(net, c);
    return c;
}

static void on_connection(uv_stream_t *server, int status)
{
    struct listener *l = server->data;
    struct xdi_net *net = l->net;
    struct sockaddr_storage peer;
    int peer_len = sizeof peer;
    struct net_conn *c;

    if (status < 0) {
        fprintf(stderr, "xdi-server: accept: %s\n", uv_strerror(status));
        return;
    }
    c = conn_new(net);
    if (!c) {
        fprintf(stderr, "xdi-server: out of memory accepting a connection\n");
        return;
    }
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        conn_close_handles(c);
        return;
    }
    memset(&peer, 0, sizeof peer);
    uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&peer, &peer_len);
    /* n_conns already counts this one. */
    if (net->stopping || net->n_conns > net->cfg.max_connections) {
        xdi_server_refused(net->srv, (struct sockaddr *)&peer,
                           net->stopping ? "server is stopping"
                                         : "too many connections");
        conn_close_handles(c);
        return;
    }
    /* One source must not take every connection there is. */
    if (xdi_server_admit(net->srv, (struct sockaddr *)&peer) != 0) {
        xdi_server_refused(net->srv, (struct sockaddr *)&peer,
                           "too many connections from this address "
                           "(--max-connections-per-address)");
        conn_close_handles(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    if (net->capture) {
        struct sockaddr_storage local;
        int local_len = sizeof local;
        memset(&local, 0, sizeof local);
        uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&local, &local_len);
        c->cap = xdi_capture_conn_open(net->capture, (struct sockaddr *)&peer,
                                       (struct sockaddr *)&local);
    }
    c->core = xdi_conn_open(net->srv, c, (struct sockaddr *)&peer);
    if (!c->core) {
        conn_close_handles(c);
        return;
    }
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    sync_timers(c, true);
}

/* ---- life cycle ---------------------------------------------------------- */

struct xdi_net *xdi_net_new(uv_loop_t *loop, const struct xdi_config *cfg,
                            struct xdi_fixture_set *fixtures,
                            void (*record)(void *ctx,
                                           const struct xdi_record *rec),
                            void *record_ctx, char *err, size_t errlen)
{
    struct xdi_net *net = calloc(1, sizeof *net);

    if (!net) {
        snprintf(err, errlen, "out of memory");
        xdi_fixture_free(fixtures);
        return NULL;
    }
    net->loop = loop;
    net->cfg = *cfg;
    net->record = record;
    net->record_ctx = record_ctx;
    struct xdi_output_ops ops = {.ctx = net,
                                 .send = output_send,
                                 .record = record ? output_record : NULL,
                                 .close = output_close};
    net->srv = xdi_server_new(cfg, fixtures, &ops, NULL);
    if (!net->srv) {
        /* xdi_server_new() leaves the set with the caller on failure. */
        snprintf(err, errlen, "cannot create the server core (out of memory)");
        xdi_fixture_free(fixtures);
        free(net);
        return NULL;
    }
    uv_timer_init(loop, &net->grace_timer);
    net->grace_timer.data = net;
    uv_check_init(loop, &net->resume);
    net->resume.data = net;
    uv_prepare_init(loop, &net->turn_end);
    net->turn_end.data = net;
    return net;
}

/* Once a loop turn, before the loop waits: the records of this turn's
 * reads are written together. */
static void on_turn_end(uv_prepare_t *h)
{
    flush_records(h->data);
}

void xdi_net_set_flush(struct xdi_net *net, void (*flush)(void *ctx),
                       void *ctx)
{
    net->flush = flush;
    net->flush_ctx = ctx;
    if (flush) {
        uv_prepare_start(&net->turn_end, on_turn_end);
        /* It runs while the loop does, but does not keep it running. */
        uv_unref((uv_handle_t *)&net->turn_end);
    } else {
        uv_prepare_stop(&net->turn_end);
    }
}

static void on_listener_closed(uv_handle_t *h)
{
    (void)h; /* the array is freed with the layer */
}

static void close_listeners(struct xdi_net *net)
{
    for (size_t i = 0; i < net->n_listeners; i++) {
        uv_handle_t *h = (uv_handle_t *)&net->listeners[i].tcp;
        if (net->listeners[i].initialised && !uv_is_closing(h))
            uv_close(h, on_listener_closed);
    }
}

int xdi_net_listen(struct xdi_net *net, const struct xdi_listen_addr *addrs,
                   size_t n, char *err, size_t errlen)
{
    net->listeners = calloc(n, sizeof *net->listeners);
    if (!net->listeners) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    net->n_listeners = n;
    for (size_t i = 0; i < n; i++) {
        struct listener *l = &net->listeners[i];
        const struct sockaddr *sa = (const struct sockaddr *)&addrs[i].addr;
        unsigned flags = sa->sa_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
        int rc;

        uv_tcp_init(net->loop, &l->tcp);
        l->tcp.data = l;
        l->net = net;
        l->initialised = true;
        rc = uv_tcp_bind(&l->tcp, sa, flags);
        if (rc == 0)
            rc = uv_listen((uv_stream_t *)&l->tcp, 511, on_connection);
        if (rc < 0) {
            snprintf(err, errlen, "cannot listen on %s: %s", addrs[i].text,
                     uv_strerror(rc));
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_storage bound;
        int len = sizeof bound;
        char text[80];
        uv_tcp_getsockname(&net->listeners[i].tcp, (struct sockaddr *)&bound,
                           &len);
        format_addr((struct sockaddr *)&bound, text, sizeof text);
        printf("listening on %s\n", text);
    }
    fflush(stdout);
    return 0;
}

/* Closes every connection and the grace timer: the loop then ends. */
static void finish_stop(struct xdi_net *net)
{
    net->stopping = 2;
    for (struct net_conn *c = net->conns; c; c = c->next)
        conn_close(c, XDI_CLOSE_SERVER_STOP, NULL, true);
    if (!net->grace_closed) {
        net->grace_closed = true;
        uv_close((uv_handle_t *)&net->grace_timer, NULL);
        uv_close((uv_handle_t *)&net->resume, NULL);
        uv_close((uv_handle_t *)&net->turn_end, NULL);
    }
}

static void on_grace_timeout(uv_timer_t *t)
{
    finish_stop(t->data);
}

static void maybe_finish_stop(struct xdi_net *net)
{
    if (net->stopping == 1 && net->n_conns == 0)
        finish_stop(net);
}

void xdi_net_stop(struct xdi_net *net)
{
    if (net->stopping) {
        finish_stop(net);
        return;
    }
    net->stopping = 1;
    close_listeners(net);
    xdi_server_stop(net->srv);
    if (net->n_conns == 0) {
        finish_stop(net);
        return;
    }
    uv_timer_start(&net->grace_timer, on_grace_timeout, net->cfg.grace_ms, 0);
}

void xdi_net_abandon(struct xdi_net *net)
{
    /* Nothing was served (the loop has not run: no connection was
     * accepted), so there is nothing to stop and nothing to journal: a
     * "stop" record would say a server ran that never did. */
    net->stopping = 2;
    close_listeners(net);
    if (!net->grace_closed) {
        net->grace_closed = true;
        uv_close((uv_handle_t *)&net->grace_timer, NULL);
        uv_close((uv_handle_t *)&net->resume, NULL);
        uv_close((uv_handle_t *)&net->turn_end, NULL);
    }
}

struct xdi_server *xdi_net_server(struct xdi_net *net)
{
    return net->srv;
}

void xdi_net_set_max_memory(struct xdi_net *net, size_t max)
{
    net->max_memory = max;
}

void xdi_net_set_capture(struct xdi_net *net, struct xdi_capture *cap)
{
    net->capture = cap;
}

bool xdi_net_stopping(const struct xdi_net *net)
{
    return net->stopping != 0;
}

void xdi_net_free(struct xdi_net *net)
{
    if (!net)
        return;
    xdi_server_free(net->srv);
    free(net->listeners);
    free(net);
}
