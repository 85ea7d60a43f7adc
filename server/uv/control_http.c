/*
 * control_http.c - the control plane's HTTP server (control_http.h).
 *
 * H2O does the HTTP: parsing, persistent connections, the request-size
 * limit (413) and the request timeout.  This file adapts requests to the
 * control core and back, and manages the requests the core parks:
 *
 * - A parked request has a struct reply, which H2O's request and the core
 *   both hold.  H2O's side ends when the request's memory pool is cleared
 *   (a hook in the pool tells us: the connection closed, or the answer was
 *   sent); the core's side ends with env->respond, env->stream_write
 *   returning false, or xdi_control_cancel().  The reply is freed when both
 *   let go.
 * - The core must never be re-entered from one of its callbacks, so a
 *   client that goes away while the core is on the stack is cancelled once
 *   the outermost core call has returned (the deferred list).
 * - H2O stops reading a connection once it has a request, so it would only
 *   learn that a client of a long wait or a stream went away at the next
 *   write; a one-second timer peeks at the parked requests' sockets
 *   instead.
 * - Stream output goes through two buffers: the one H2O is writing and the
 *   one filling up behind it, bounded by stream_buffer; a client that lets
 *   it overflow is dropped rather than letting the server's memory grow.
 */
#include "control_http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include <h2o.h>
#include <h2o/http1.h>

/* Connections to the control plane open at once, at most: a client that
 * opens more is refused (closed at accept). */
#define MAX_CONNS 256
/* The kernel's send buffer of a control connection: fixed (no autotuning
 * up to megabytes), so that stream_buffer is what bounds a slow reader. */
#define SNDBUF_BYTES (256 * 1024)
/* How often parked requests are checked for clients that went away. */
#define LIVENESS_MS 1000u

struct xdi_control_http;

struct listener {
    uv_tcp_t tcp;
    struct xdi_control_http *h;
    bool initialised;
};

/* One accepted TCP connection (H2O owns it once accepted). */
struct http_conn {
    uv_tcp_t tcp; /* first: H2O's close callback gets its address */
    struct xdi_control_http *h;
    struct http_conn *prev, *next;
    h2o_socket_t *sock;
};

struct handler {
    h2o_handler_t super;
    struct xdi_control_http *h;
};

struct json_error_filter {
    h2o_filter_t super;
    struct xdi_control_http *h;
};

struct reply {
    struct xdi_control_http *h;
    h2o_req_t *req;  /* NULL once H2O disposed of the request */
    bool core_holds; /* the core may still call back with it */
    bool in_handle;  /* xdi_control_handle() for it has not returned */
    bool stream;
    bool started;   /* the response head went to H2O */
    bool finished;  /* the final part went to H2O */
    bool inflight;  /* H2O is writing out[]; wait for proceed */
    bool end_after; /* send the final part once out[] is written */
    struct xdi_http_response *early; /* answered inside its own handle()
                                        (ours, malloc'd) */
    h2o_generator_t gen;             /* streams */
    char *out;
    size_t out_len;
    char *queue;
    size_t queue_len, queue_cap;
    struct reply *prev, *next; /* h->parked */
    struct reply *next_deferred;
};

struct xdi_control_http {
    uv_loop_t *loop;
    struct xdi_control *ctl;
    struct xdi_control_env env;
    struct xdi_control_app app;
    struct xdi_control_http_config cfg;
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    bool ctx_inited;
    struct listener *listeners;
    size_t n_listeners;
    struct http_conn *conns;
    size_t n_conns;
    struct reply *parked;   /* core_holds && req != NULL */
    struct reply *deferred; /* client gone while the core was busy */
    unsigned busy;          /* core calls on the stack */
    uv_timer_t deadline;
    uv_timer_t liveness;
    int stopping; /* 0, 1: stopping, 2: cut everything */
};

/* ---- small helpers ---------------------------------------------------------- */

void xdi_control_random(uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = getrandom(buf, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            /* Without the kernel's randomness there is no safe token. */
            fprintf(stderr, "xdi-server: getrandom: %s\n", strerror(errno));
            abort();
        }
        buf += got;
        n -= (size_t)got;
    }
}

void xdi_control_http_config_defaults(struct xdi_control_http_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->max_body = 1u << 20;
    cfg->request_timeout_ms = 10000;
    cfg->stream_buffer = 1u << 20;
}

int xdi_control_addr_parse(const char *text, struct xdi_listen_addr *out,
                           size_t max, size_t *n, char *err, size_t errlen)
{
    char buf[96];
    const char *p = text;

    /* "8080" and ":8080" mean the loopback: the control plane is not meant
     * to be reachable from elsewhere unless asked for by address. */
    if (*p == ':')
        p++;
    if (*p != '\0' && strspn(p, "0123456789") == strlen(p)) {
        snprintf(buf, sizeof buf, "127.0.0.1:%s", p);
        if (xdi_listen_addr_parse(buf, out, max, n, err, errlen) < 0)
            return -1;
        for (size_t i = 0; i < *n; i++)
            snprintf(out[i].text, sizeof out[i].text, "%s", text);
        return 0;
    }
    return xdi_listen_addr_parse(text, out, max, n, err, errlen);
}

static void format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
    char host[64] = "?";
    int port = 0;

    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(a, host, sizeof host);
        port = ntohs(a->sin6_port);
        snprintf(buf, len, "[%s]:%d", host, port);
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        uv_ip4_name(a, host, sizeof host);
        port = ntohs(a->sin_port);
        snprintf(buf, len, "%s:%d", host, port);
    }
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return status < 300 ? "OK" : status < 500 ? "Error" : "Failure";
    }
}

static int req_fd(h2o_req_t *req)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
    return sock ? h2o_socket_get_fd(sock) : -1;
}

/* ---- core calls: never re-entered, timer re-armed after each -------------- */

static void free_reply(struct reply *r)
{
    if (r->early)
        xdi_http_response_free(r->early);
    free(r->early);
    free(r->out);
    free(r->queue);
    free(r);
}

static void unpark(struct reply *r)
{
    struct xdi_control_http *h = r->h;

    if (r->prev)
        r->prev->next = r->next;
    else if (h->parked == r)
        h->parked = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->prev = r->next = NULL;
}

static void on_deadline(uv_timer_t *t);

static void core_enter(struct xdi_control_http *h)
{
    h->busy++;
}

static void rearm(struct xdi_control_http *h)
{
    struct timespec when, now;

    if (h->stopping) {
        return;
    }
    if (!xdi_control_deadline(h->ctl, &when)) {
        uv_timer_stop(&h->deadline);
        return;
    }
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t ms = (int64_t)(when.tv_sec - now.tv_sec) * 1000 +
                 (when.tv_nsec - now.tv_nsec + 999999) / 1000000;
    uv_timer_start(&h->deadline, on_deadline, ms > 0 ? (uint64_t)ms : 0, 0);
}

static void core_leave(struct xdi_control_http *h)
{
    if (--h->busy > 0)
        return;
    /* Clients that went away during the call: the core forgets them now. */
    while (h->deferred) {
        struct reply *r = h->deferred;
        h->deferred = r->next_deferred;
        if (r->core_holds) {
            r->core_holds = false;
            h->busy++;
            xdi_control_cancel(h->ctl, r);
            h->busy--;
        }
        free_reply(r);
    }
    rearm(h);
}

static void on_deadline(uv_timer_t *t)
{
    struct xdi_control_http *h = t->data;

    core_enter(h);
    xdi_control_expire(h->ctl);
    core_leave(h);
}

/* ---- answers ---------------------------------------------------------------- */

static void set_head(h2o_req_t *req, const struct xdi_http_response *resp)
{
    const char *ct =
        resp->content_type ? resp->content_type : "application/json";

    req->res.status = resp->status;
    req->res.reason = reason_phrase(resp->status);
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   ct, strlen(ct));
    for (size_t i = 0; i < resp->n_headers && i < XDI_HTTP_MAX_HEADERS; i++) {
        const struct xdi_http_header *hd = &resp->headers[i];
        if (!hd->name || !hd->value)
            continue;
        h2o_iovec_t name = h2o_strdup(&req->pool, hd->name, SIZE_MAX);
        h2o_strtolower(name.base, name.len);
        h2o_iovec_t value = h2o_strdup(&req->pool, hd->value, SIZE_MAX);
        h2o_add_header_by_str(&req->pool, &req->res.headers, name.base,
                              name.len, 1, NULL, value.base, value.len);
    }
}

/* A whole answer; the body is copied (resp stays the caller's). */
static void send_response(h2o_req_t *req, const struct xdi_http_response *resp)
{
    static h2o_generator_t generator = {NULL, NULL};
    h2o_iovec_t body = h2o_iovec_init("", 0);

    set_head(req, resp);
    if (resp->body_len > 0) {
        body.base = h2o_mem_alloc_pool(&req->pool, resp->body_len);
        memcpy(body.base, resp->body, resp->body_len);
        body.len = resp->body_len;
    }
    req->res.content_length = body.len;
    h2o_start_response(req, &generator);
    h2o_send(req, &body, 1, H2O_SEND_STATE_FINAL);
}

/* An answer of this layer's own (the core is not asked), in the core's
 * shape (control_api.c has the message ids). */
static void send_plain(h2o_req_t *req, int status, const char *msgid,
                       const char *message)
{
    char body[256];
    struct xdi_http_response resp = {.status = status,
                                     .content_type = "application/json"};

    snprintf(body, sizeof body,
             "{\"rc\":%d,\"msgid\":\"%s\",\"message\":[\"%s %s\"]}", status,
             msgid, msgid, message);
    resp.body = body;
    resp.body_len = strlen(body);
    send_response(req, &resp);
}

/* ---- streams ------------------------------------------------------------------ */

static void stream_flush(struct reply *r)
{
    h2o_iovec_t buf;

    free(r->out);
    r->out = r->queue;
    r->out_len = r->queue_len;
    r->queue = NULL;
    r->queue_len = r->queue_cap = 0;
    r->inflight = true;
    buf = h2o_iovec_init(r->out ? r->out : "", r->out_len);
    h2o_send(r->req, &buf, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void stream_end(struct reply *r)
{
    if (r->finished || !r->req || !r->started)
        return;
    if (r->inflight) {
        r->end_after = true;
        return;
    }
    r->finished = true;
    r->req->http1_is_persistent = 0;
    h2o_send(r->req, NULL, 0, H2O_SEND_STATE_FINAL);
}

/* H2O wrote out[] (it calls this only while the request lives). */
static void stream_proceed(h2o_generator_t *gen, h2o_req_t *req)
{
    struct reply *r = H2O_STRUCT_FROM_MEMBER(struct reply, gen, gen);

    (void)req;
    r->inflight = false;
    free(r->out);
    r->out = NULL;
    r->out_len = 0;
    if (r->end_after)
        stream_end(r);
    else if (r->queue_len > 0)
        stream_flush(r);
}

static void stream_stop(h2o_generator_t *gen, h2o_req_t *req)
{
    /* The request's pool hook (on_req_disposed) does the work. */
    (void)gen;
    (void)req;
}

static int queue_append(struct reply *r, const char *data, size_t len)
{
    if (r->queue_len + len > r->queue_cap) {
        size_t cap = r->queue_cap ? r->queue_cap : 4096;
        while (cap < r->queue_len + len)
            cap *= 2;
        char *q = realloc(r->queue, cap);
        if (!q)
            return -1;
        r->queue = q;
        r->queue_cap = cap;
    }
    memcpy(r->queue + r->queue_len, data, len);
    r->queue_len += len;
    return 0;
}

/* Cuts the client's connection: H2O's pending write fails and it closes
 * the connection, which ends the request. */
static void drop_client(struct reply *r)
{
    if (!r->req)
        return;
    int fd = req_fd(r->req);
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
    r->req->http1_is_persistent = 0;
    if (r->stream)
        stream_end(r);
    else if (!r->finished) {
        r->finished = true;
        send_plain(r->req, 503, "XDIC010E", "the client went away");
    }
}

static void start_stream(struct reply *r, const struct xdi_http_response *resp)
{
    h2o_req_t *req = r->req;

    set_head(req, resp);
    /* Nothing between here and the client may keep the events back. */
    if (h2o_find_header(&req->res.headers, H2O_TOKEN_CACHE_CONTROL, -1) < 0)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL,
                       NULL, H2O_STRLIT("no-cache"));
    req->res.content_length = SIZE_MAX; /* chunked */
    r->gen.proceed = stream_proceed;
    r->gen.stop = stream_stop;
    h2o_start_response(req, &r->gen);
    r->started = true;
    /* The first bytes go in front of anything written since. */
    if (resp->body_len > 0) {
        char *q = malloc(resp->body_len + r->queue_len);
        if (q) {
            memcpy(q, resp->body, resp->body_len);
            if (r->queue_len)
                memcpy(q + resp->body_len, r->queue, r->queue_len);
            free(r->queue);
            r->queue = q;
            r->queue_len += resp->body_len;
            r->queue_cap = r->queue_len;
        }
    }
    /* Even without bytes: the head goes out now, so the client sees 200. */
    stream_flush(r);
}

/* ---- the core's callbacks ------------------------------------------------------ */

static void env_respond(void *ctx, void *reply, struct xdi_http_response *resp)
{
    struct xdi_control_http *h = ctx;
    struct reply *r = reply;

    (void)h;
    if (r->in_handle && !r->early) {
        /* Answered before handle() returned PENDING: sent after it.  The
         * struct is the core's, what it points to becomes ours. */
        r->early = malloc(sizeof *r->early);
        if (r->early) {
            *r->early = *resp;
            return;
        }
    }
    if (r->core_holds) {
        r->core_holds = false;
        if (r->req)
            unpark(r);
    }
    if (r->req && !r->finished && !r->stream) {
        r->finished = true;
        send_response(r->req, resp);
    }
    xdi_http_response_free(resp);
    /* Without its request the reply waits in the deferred list, which
     * frees it; with it, the pool hook does. */
}

static bool env_stream_write(void *ctx, void *reply, const char *data,
                             size_t len)
{
    struct xdi_control_http *h = ctx;
    struct reply *r = reply;

    if (!r->req || r->finished || r->end_after || h->stopping) {
        if (r->core_holds && r->req)
            unpark(r);
        r->core_holds = false;
        if (r->req)
            stream_end(r);
        return false;
    }
    if (r->queue_len + len > h->cfg.stream_buffer ||
        queue_append(r, data, len) < 0) {
        /* A reader this slow would make the server hold the whole journal
         * for it: it is dropped instead. */
        if (r->core_holds)
            unpark(r);
        r->core_holds = false;
        drop_client(r);
        return false;
    }
    if (r->started && !r->inflight)
        stream_flush(r);
    return true;
}

static int env_reload(void *ctx, char *msg, size_t msg_size)
{
    struct xdi_control_http *h = ctx;
    if (!h->app.reload) {
        snprintf(msg, msg_size, "reloading is not available");
        return -1;
    }
    return h->app.reload(h->app.ctx, msg, msg_size);
}

static int env_rotate(void *ctx, char *msg, size_t msg_size)
{
    struct xdi_control_http *h = ctx;
    if (!h->app.rotate_journal) {
        snprintf(msg, msg_size, "the journal cannot be rotated");
        return -1;
    }
    return h->app.rotate_journal(h->app.ctx, msg, msg_size);
}

static void env_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    xdi_control_random(buf, len);
}

/* ---- requests ------------------------------------------------------------------- */

static void on_liveness(uv_timer_t *t);

static void park(struct reply *r)
{
    struct xdi_control_http *h = r->h;

    r->core_holds = true;
    r->prev = NULL;
    r->next = h->parked;
    if (h->parked)
        h->parked->prev = r;
    h->parked = r;
    if (!uv_is_active((uv_handle_t *)&h->liveness) && !h->stopping)
        uv_timer_start(&h->liveness, on_liveness, LIVENESS_MS, LIVENESS_MS);
}

/* The request's pool is being cleared: H2O is done with it. */
static void on_req_disposed(void *p)
{
    struct reply *r = *(struct reply **)p;
    struct xdi_control_http *h = r->h;

    if (r->core_holds)
        unpark(r);
    r->req = NULL;
    if (!r->core_holds) {
        free_reply(r);
        return;
    }
    /* The core still knows it: it must forget it, but not while one of
     * its own calls is on the stack. */
    r->next_deferred = h->deferred;
    h->deferred = r;
    if (h->busy == 0) {
        core_enter(h);
        core_leave(h);
    }
}

static const char *header_value(h2o_req_t *req, const h2o_token_t *token,
                                const char *name)
{
    ssize_t i =
        token ? h2o_find_header(&req->headers, token, -1)
              : h2o_find_header_by_str(&req->headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = req->headers.entries[i].value;
    return h2o_strdup(&req->pool, v.base, v.len).base;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    struct xdi_control_http *h = ((struct handler *)self)->h;
    struct xdi_http_request hr;
    struct xdi_http_response resp;
    struct sockaddr_storage peer;
    char client[INET6_ADDRSTRLEN] = "";
    struct reply *r;

    if (h->stopping) {
        req->http1_is_persistent = 0;
        send_plain(req, 503, "XDIC010E", "the host is stopping");
        return 0;
    }
    r = calloc(1, sizeof *r);
    if (!r) {
        send_plain(req, 503, "XDIC011E", "out of memory");
        return 0;
    }
    r->h = h;
    r->req = req;

    memset(&hr, 0, sizeof hr);
    hr.method = h2o_strdup(&req->pool, req->method.base, req->method.len).base;
    hr.path = h2o_strdup(&req->pool, req->path_normalized.base,
                         req->path_normalized.len)
                  .base;
    if (req->query_at != SIZE_MAX)
        hr.query = h2o_strdup(&req->pool, req->path.base + req->query_at + 1,
                              req->path.len - req->query_at - 1)
                       .base;
    else
        hr.query = "";
    hr.authorization = header_value(req, H2O_TOKEN_AUTHORIZATION, NULL);
    hr.content_type = header_value(req, H2O_TOKEN_CONTENT_TYPE, NULL);
    hr.last_event_id = header_value(req, NULL, "last-event-id");
    hr.csrf_header = header_value(req, NULL, "x-csrf-zosmf-header") != NULL;
    if (req->entity.base) {
        hr.body = (const uint8_t *)req->entity.base;
        hr.body_len = req->entity.len;
    }
    socklen_t plen =
        req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&peer);
    if (plen > 0 && peer.ss_family == AF_INET6)
        uv_ip6_name((struct sockaddr_in6 *)&peer, client, sizeof client);
    else if (plen > 0)
        uv_ip4_name((struct sockaddr_in *)&peer, client, sizeof client);
    hr.client = client;
    hr.reply = r;
    /* Without a Host header H2O puts its host's own name there: that is
     * no address a client could use. */
    if (req->input.authority.base && req->input.authority.len > 0 &&
        req->input.authority.base != req->hostconf->authority.hostport.base)
        hr.host = h2o_strdup(&req->pool, req->input.authority.base,
                             req->input.authority.len)
                      .base;

    memset(&resp, 0, sizeof resp);
    core_enter(h);
    r->in_handle = true;
    enum xdi_control_verdict v = xdi_control_handle(h->ctl, &hr, &resp);
    r->in_handle = false;
    switch (v) {
    case XDI_CONTROL_DONE:
        send_response(req, &resp);
        free_reply(r);
        break;
    case XDI_CONTROL_PENDING:
    case XDI_CONTROL_STREAM: {
        struct reply **slot =
            h2o_mem_alloc_shared(&req->pool, sizeof *slot, on_req_disposed);
        *slot = r;
        r->stream = v == XDI_CONTROL_STREAM;
        if (r->stream) {
            park(r);
            start_stream(r, &resp);
        } else if (r->early) {
            r->finished = true;
            send_response(req, r->early);
        } else if (!r->finished) {
            park(r);
        }
        break;
    }
    }
    xdi_http_response_free(&resp);
    core_leave(h);
    return 0;
}

/* Clients of parked requests that closed their end (or reset it) while
 * H2O was not reading: cancel in the core, end the request here. */
static void on_liveness(uv_timer_t *t)
{
    struct xdi_control_http *h = t->data;
    struct reply *r, *next;

    if (!h->parked) {
        uv_timer_stop(t);
        return;
    }
    core_enter(h);
    for (r = h->parked; r; r = next) {
        char c;
        next = r->next;
        int fd = req_fd(r->req);
        if (fd < 0)
            continue;
        ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
                                errno == EINTR)))
            continue;
        unpark(r);
        r->core_holds = false;
        xdi_control_cancel(h->ctl, r);
        drop_client(r);
    }
    core_leave(h);
}

/* ---- connections ------------------------------------------------------------------ */

static void on_conn_closed(uv_handle_t *handle)
{
    struct http_conn *c = (struct http_conn *)handle;
    struct xdi_control_http *h = c->h;

    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->n_conns--;
    free(c);
}

static void on_accept(uv_stream_t *listener, int status)
{
    struct listener *l = listener->data;
    struct xdi_control_http *h = l->h;
    struct http_conn *c;

    if (status != 0 || h->stopping)
        return;
    c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->h = h;
    uv_tcp_init(listener->loop, &c->tcp);
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 ||
        h->n_conns >= MAX_CONNS) {
        uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    int sndbuf = SNDBUF_BYTES;
    uv_send_buffer_size((uv_handle_t *)&c->tcp, &sndbuf);
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->n_conns++;
    c->sock = h2o_uv_socket_create((uv_stream_t *)&c->tcp, on_conn_closed);
    h2o_accept(&h->accept_ctx, c->sock);
}

/* ---- H2O's own error answers in the API's shape ----------------------------------- */

/*
 * H2O answers some requests before any handler sees them: a body over the
 * limit (413), a broken one (400), an unknown Expect (417), all as
 * text/plain.  A filter on the fallback path (where H2O binds such a
 * request) gives them the JSON body every other answer has.
 */
struct json_error_ostream {
    h2o_ostream_t super;
    h2o_iovec_t body;
};

static void json_error_send(h2o_ostream_t *self, h2o_req_t *req,
                            h2o_iovec_t *bufs, size_t bufcnt,
                            h2o_send_state_t state)
{
    struct json_error_ostream *o = (struct json_error_ostream *)self;

    (void)bufs;
    (void)bufcnt;
    if (h2o_send_state_is_in_progress(state)) {
        h2o_ostream_send_next(self, req, NULL, 0, state);
        return;
    }
    h2o_ostream_send_next(self, req, &o->body, 1, state);
}

static void json_error_setup(h2o_filter_t *self, h2o_req_t *req,
                             h2o_ostream_t **slot)
{
    struct xdi_control_http *h = ((struct json_error_filter *)self)->h;
    const char *msgid = NULL;
    char text[160];

    if (req->res.status == 413) {
        msgid = "XDIC016E";
        snprintf(text, sizeof text, "the request body is larger than %zu bytes",
                 h->cfg.max_body);
    } else if (req->res.status == 400 || req->res.status == 417) {
        msgid = "XDIC006E";
        snprintf(text, sizeof text, "%s",
                 req->res.status == 400 ? "the request is not valid HTTP"
                                        : "unknown Expect header");
    }
    if (msgid) {
        struct json_error_ostream *o =
            (struct json_error_ostream *)h2o_add_ostream(req, sizeof *o, slot);
        char *body = h2o_mem_alloc_pool(&req->pool, 256);
        int n = snprintf(body, 256,
                         "{\"rc\":%d,\"msgid\":\"%s\",\"message\":"
                         "[\"%s %s\"]}",
                         req->res.status, msgid, msgid, text);
        o->super.do_send = json_error_send;
        o->body = h2o_iovec_init(body, (size_t)n);
        req->res.content_length = (size_t)n;
        h2o_set_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE,
                       H2O_STRLIT("application/json"), 1);
        slot = &o->super.next;
    }
    h2o_setup_next_ostream(req, slot);
}

/* ---- life cycle ------------------------------------------------------------------- */

static h2o_pathconf_t *add_handler(struct xdi_control_http *h,
                                   h2o_hostconf_t *host, const char *path)
{
    h2o_pathconf_t *pc = h2o_config_register_path(host, path, 0);
    struct handler *hd = (struct handler *)h2o_create_handler(pc, sizeof *hd);
    hd->super.on_req = on_req;
    hd->h = h;
    return pc;
}

struct handle_set {
    uv_handle_t **v;
    size_t n, cap;
};

static void collect_handle(uv_handle_t *handle, void *arg)
{
    struct handle_set *s = arg;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        uv_handle_t **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = handle;
}

static void unref_new_handle(uv_handle_t *handle, void *arg)
{
    struct handle_set *s = arg;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] == handle)
            return;
    uv_unref(handle);
}

struct xdi_control_http *xdi_control_http_new(
    uv_loop_t *loop, struct xdi_server *srv,
    const struct xdi_control_config *ccfg,
    const struct xdi_control_http_config *hcfg,
    const struct xdi_control_app *app, char *err, size_t errlen)
{
    struct xdi_control_http *h = calloc(1, sizeof *h);
    struct handle_set before = {0};

    if (!h) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->loop = loop;
    h->cfg = *hcfg;
    h->app = *app;
    h->env = (struct xdi_control_env){.ctx = h,
                                      .respond = env_respond,
                                      .stream_write = env_stream_write,
                                      .reload = env_reload,
                                      .rotate_journal = env_rotate,
                                      .random = env_random};
    h->ctl = xdi_control_new(srv, ccfg, &h->env, NULL);
    if (!h->ctl) {
        snprintf(err, errlen,
                 "cannot create the control plane (out of "
                 "memory)");
        free(h);
        return NULL;
    }

    h2o_config_init(&h->config);
    h->config.server_name = h2o_iovec_init(H2O_STRLIT("xdi-emu"));
    h->config.max_request_entity_size = hcfg->max_body;
    h->config.http1.req_timeout = hcfg->request_timeout_ms;
    h->config.http1.upgrade_to_http2 = 0;
    h2o_hostconf_t *host = h2o_config_register_host(
        &h->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    /* H2O takes the first path that matches, so the most specific first. */
    if (hcfg->openapi_path) {
        h2o_pathconf_t *pc =
            h2o_config_register_path(host, "/xdi/openapi.json", 0);
        h2o_file_register_file(
            pc, hcfg->openapi_path,
            h2o_mimemap_get_type_by_extension(
                h->config.mimemap, h2o_iovec_init(H2O_STRLIT("json"))),
            0);
    }
    add_handler(h, host, "/xdi");
    add_handler(h, host, "/zosmf");
    struct json_error_filter *jf =
        (struct json_error_filter *)h2o_create_filter(&host->fallback_path,
                                                      sizeof *jf);
    jf->super.on_setup_ostream = json_error_setup;
    jf->h = h;
    if (hcfg->www_dir) {
        static const char *index_files[] = {"index.html", NULL};
        h2o_file_register(h2o_config_register_path(host, "/", 0), hcfg->www_dir,
                          index_files, NULL, 0);
    }

    /* H2O's context makes timers and an async handle of its own that would
     * keep the loop running after the server stopped: the loop's life is
     * the listeners' and connections' alone. */
    uv_walk(loop, collect_handle, &before);
    h2o_context_init(&h->ctx, loop, &h->config);
    uv_walk(loop, unref_new_handle, &before);
    free(before.v);
    h->ctx_inited = true;
    h->accept_ctx.ctx = &h->ctx;
    h->accept_ctx.hosts = h->config.hosts;

    uv_timer_init(loop, &h->deadline);
    h->deadline.data = h;
    uv_unref((uv_handle_t *)&h->deadline);
    uv_timer_init(loop, &h->liveness);
    h->liveness.data = h;
    uv_unref((uv_handle_t *)&h->liveness);
    return h;
}

struct xdi_control *xdi_control_http_core(struct xdi_control_http *h)
{
    return h->ctl;
}

int xdi_control_http_listen(struct xdi_control_http *h,
                            const struct xdi_listen_addr *addrs, size_t n,
                            char *err, size_t errlen)
{
    h->listeners = calloc(n, sizeof *h->listeners);
    if (!h->listeners && n > 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    h->n_listeners = n;
    for (size_t i = 0; i < n; i++) {
        struct listener *l = &h->listeners[i];
        const struct sockaddr *sa = (const struct sockaddr *)&addrs[i].addr;
        unsigned flags = sa->sa_family == AF_INET6 ? UV_TCP_IPV6ONLY : 0;
        int rc;

        uv_tcp_init(h->loop, &l->tcp);
        l->tcp.data = l;
        l->h = h;
        l->initialised = true;
        rc = uv_tcp_bind(&l->tcp, sa, flags);
        if (rc == 0)
            rc = uv_listen((uv_stream_t *)&l->tcp, 128, on_accept);
        if (rc < 0) {
            snprintf(err, errlen, "--control: cannot listen on %s: %s",
                     addrs[i].text, uv_strerror(rc));
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_storage bound;
        int len = sizeof bound;
        char text[96];
        uv_tcp_getsockname(&h->listeners[i].tcp, (struct sockaddr *)&bound,
                           &len);
        format_addr((struct sockaddr *)&bound, text, sizeof text);
        printf("control on %s\n", text);
    }
    fflush(stdout);
    return 0;
}

void xdi_control_http_record(struct xdi_control_http *h,
                             const struct xdi_record *rec)
{
    core_enter(h);
    xdi_control_record(h->ctl, rec);
    core_leave(h);
}

void xdi_control_http_stop(struct xdi_control_http *h)
{
    struct http_conn *c;

    if (!h)
        return;
    if (h->stopping) {
        /* Second time: no more grace. */
        h->stopping = 2;
        for (c = h->conns; c; c = c->next) {
            int fd = h2o_socket_get_fd(c->sock);
            if (fd >= 0)
                shutdown(fd, SHUT_RDWR);
        }
        return;
    }
    h->stopping = 1;
    for (size_t i = 0; i < h->n_listeners; i++)
        if (h->listeners[i].initialised &&
            !uv_is_closing((uv_handle_t *)&h->listeners[i].tcp))
            uv_close((uv_handle_t *)&h->listeners[i].tcp, NULL);
    /* No answer from now on keeps its connection open.  (Not
     * h2o_context_request_shutdown(): that also arms HTTP/2's graceful
     * shutdown timer, which is not served here and would outlive the
     * loop.) */
    h->ctx.shutdown_requested = 1;
    core_enter(h);
    while (h->parked) {
        struct reply *r = h->parked;
        unpark(r);
        r->core_holds = false;
        xdi_control_cancel(h->ctl, r);
        r->req->http1_is_persistent = 0;
        if (r->stream && r->inflight) {
            /* A client still reading what came before may never finish:
             * the stop does not wait for it. */
            drop_client(r);
        } else if (r->stream) {
            stream_end(r);
        } else if (!r->finished) {
            r->finished = true;
            send_plain(r->req, 503, "XDIC010E", "the host is stopping");
        }
    }
    core_leave(h);
    /* Idle connections wait for a next request that no longer matters:
     * ending their reading side closes them; answers being written
     * still go out. */
    for (c = h->conns; c; c = c->next) {
        int fd = h2o_socket_get_fd(c->sock);
        if (fd >= 0)
            shutdown(fd, SHUT_RD);
    }
    uv_close((uv_handle_t *)&h->deadline, NULL);
    uv_close((uv_handle_t *)&h->liveness, NULL);
}

void xdi_control_http_free(struct xdi_control_http *h)
{
    if (!h)
        return;
    /* Never started or never stopped (a setup that failed): the handles
     * close now; h2o_context_dispose() below runs the loop once, which
     * completes the closes. */
    if (!h->stopping)
        xdi_control_http_stop(h);
    if (h->ctx_inited)
        h2o_context_dispose(&h->ctx);
    h2o_config_dispose(&h->config);
    while (h->deferred) {
        struct reply *r = h->deferred;
        h->deferred = r->next_deferred;
        free_reply(r);
    }
    xdi_control_free(h->ctl);
    free(h->listeners);
    free(h);
}
