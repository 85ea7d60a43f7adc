/*
 * net.c - the TCP client of xdi-agent on libuv.
 *
 * The seed asks for non-blocking socket I/O with send and receive loops
 * that go on until the work is complete: here libuv's event loop does that,
 * reads are handed to the core in whatever pieces they arrive (its framer
 * reassembles NACCBs), and there is at most one write in flight - while it
 * is, events pile up in the core's queue and leave batched (the seed's
 * forward-pointer paragraph).
 *
 * Closing after a logout is graceful: the output is written, the write
 * side shut down, and the connection closed when the host closes its side
 * (it does after a logout, protocol.md §11.1 step 6) or after
 * CLOSE_WAIT_MS.  Closing with unread input would send a reset, which
 * could cost the host the logout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "uvagent.h"

#define READ_CHUNK 65536
#define CLOSE_WAIT_MS 3000

struct conn {
    uv_tcp_t tcp; /* first: the handle's data is not needed to find conn */
    struct app *app;
    uv_connect_t connect_req;
    uv_shutdown_t shutdown_req;
    uv_timer_t close_timer;
    bool connected;    /* the TCP connect completed */
    bool writing;      /* a write is in flight */
    bool close_asked;  /* XDI_ACT_CLOSE */
    bool shut;         /* uv_shutdown issued */
    bool closing;      /* uv_close issued */
    int handles;       /* open handles (tcp, close_timer) */
    char why[128];     /* why it closed, for the core */
};

struct write_req {
    uv_write_t req;
    struct conn *conn;
    uint8_t *bytes;
};

int net_parse_server(struct app *app, const char *text, char *err,
                     size_t errlen)
{
    char host[256], port[8];
    unsigned p;

    /* tools/common/addr.h, as every program splits HOST:PORT; the name is
     * resolved at each connect (net_connect), so that it may change. */
    if (xdi_addr_split(text, host, sizeof host, &p, err, errlen) != 0)
        return -1;
    snprintf(port, sizeof port, "%u", p);
    app->host = strdup(host);
    app->port = strdup(port);
    if (app->host == NULL || app->port == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int net_init(struct app *app)
{
    return uv_timer_init(app->loop, &app->backoff_timer);
}

static void conn_handle_closed(uv_handle_t *h)
{
    struct conn *c = h->data;
    struct app *app = c->app;

    if (--c->handles > 0)
        return;
    if (app->conn == c)
        app->conn = NULL;
    /* Only now is the socket really gone: tell the core (which then may
     * ask for a reconnect, or stop). */
    if (c->connected && !app->stopping) {
        xdi_agent_disconnected(app->agent, c->why);
        app_pump(app);
    }
    free(c);
}

static void conn_close(struct conn *c, const char *why)
{
    if (c->closing)
        return;
    c->closing = true;
    if (c->why[0] == '\0')
        snprintf(c->why, sizeof c->why, "%s", why);
    uv_close((uv_handle_t *)&c->close_timer, conn_handle_closed);
    uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    buf->base = malloc(READ_CHUNK);
    buf->len = buf->base != NULL ? READ_CHUNK : 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = s->data;
    struct app *app = c->app;

    if (nread > 0) {
        xdi_agent_feed(app->agent, (const uint8_t *)buf->base, (size_t)nread);
    } else if (nread == UV_EOF) {
        conn_close(c, "the host closed the connection");
    } else if (nread < 0) {
        char why[96];
        snprintf(why, sizeof why, "read error: %s", uv_strerror((int)nread));
        conn_close(c, why);
    }
    /* nread == 0 is EAGAIN: nothing happened. */
    free(buf->base);
    app_pump(app);
}

static void on_close_timeout(uv_timer_t *t)
{
    conn_close(t->data, "closed by the agent (the host did not close "
                        "within 3 s)");
}

/* Output written and close asked: after a logout the agent shuts its
 * side down and waits for the host's close; any other close (lost
 * framing, giving up after a reject) is at once.  The close timer, armed
 * when the close was asked, bounds both the writing and the waiting. */
static void maybe_close(struct conn *c)
{
    struct app *app = c->app;

    if (!c->close_asked || c->writing || c->closing || c->shut ||
        xdi_agent_want_write(app->agent))
        return;
    if (!xdi_agent_logging_out(app->agent) ||
        uv_shutdown(&c->shutdown_req, (uv_stream_t *)&c->tcp, NULL) != 0) {
        conn_close(c, "closed by the agent");
        return;
    }
    c->shut = true;
    snprintf(c->why, sizeof c->why, "closed by the agent");
}

static void on_write(uv_write_t *req, int status)
{
    struct write_req *w = (struct write_req *)req;
    struct conn *c = w->conn;

    free(w->bytes);
    free(w);
    c->writing = false;
    if (status < 0) {
        char why[96];
        snprintf(why, sizeof why, "write error: %s", uv_strerror(status));
        conn_close(c, why);
    }
    app_pump(c->app);
}

void net_flush(struct app *app)
{
    struct conn *c = app->conn;
    struct write_req *w;
    size_t len;

    if (c == NULL || !c->connected || c->writing || c->closing || c->shut)
        return;
    uint8_t *bytes = xdi_agent_take_output(app->agent, &len);
    if (bytes == NULL) {
        maybe_close(c);
        return;
    }
    w = malloc(sizeof *w);
    if (w == NULL) {
        free(bytes);
        conn_close(c, "out of memory");
        return;
    }
    w->conn = c;
    w->bytes = bytes;
    uv_buf_t buf = uv_buf_init((char *)bytes, (unsigned)len);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc != 0) {
        free(bytes);
        free(w);
        conn_close(c, uv_strerror(rc));
        return;
    }
    c->writing = true;
}

void net_close_requested(struct app *app)
{
    struct conn *c = app->conn;

    if (c == NULL || c->close_asked)
        return;
    c->close_asked = true;
    uv_timer_start(&c->close_timer, on_close_timeout, CLOSE_WAIT_MS, 0);
    maybe_close(c);
}

static void on_connect(uv_connect_t *req, int status)
{
    struct conn *c = req->data;
    struct app *app = c->app;

    if (status == UV_ECANCELED || c->closing)
        return;
    if (status < 0) {
        char why[128];
        snprintf(why, sizeof why, "%s:%s: %s", app->host, app->port,
                 uv_strerror(status));
        conn_close(c, why); /* c->connected is false: no disconnect */
        xdi_agent_connect_failed(app->agent, why);
        app_pump(app);
        return;
    }
    c->connected = true;
    uv_tcp_nodelay(&c->tcp, 1);
    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    xdi_agent_connected(app->agent);
    app_pump(app);
}

static void start_connect(struct app *app, const struct sockaddr *addr)
{
    struct conn *c = calloc(1, sizeof *c);
    int rc;

    if (c == NULL) {
        xdi_agent_connect_failed(app->agent, "out of memory");
        return;
    }
    c->app = app;
    uv_tcp_init(app->loop, &c->tcp);
    uv_timer_init(app->loop, &c->close_timer);
    c->tcp.data = c;
    c->close_timer.data = c;
    c->connect_req.data = c;
    c->handles = 2;
    app->conn = c;
    rc = uv_tcp_connect(&c->connect_req, &c->tcp, addr, on_connect);
    if (rc != 0) {
        char why[128];
        snprintf(why, sizeof why, "%s:%s: %s", app->host, app->port,
                 uv_strerror(rc));
        conn_close(c, why);
        xdi_agent_connect_failed(app->agent, why);
    }
}

static void on_resolved(uv_getaddrinfo_t *req, int status,
                        struct addrinfo *res)
{
    struct app *app = req->data;

    free(req);
    if (status == UV_ECANCELED || app->stopping) {
        uv_freeaddrinfo(res);
        return;
    }
    app->resolving = NULL;
    if (status < 0) {
        char why[128];
        snprintf(why, sizeof why, "cannot resolve '%s': %s", app->host,
                 uv_strerror(status));
        xdi_agent_connect_failed(app->agent, why);
    } else {
        start_connect(app, res->ai_addr);
    }
    uv_freeaddrinfo(res);
    app_pump(app);
}

void net_connect(struct app *app)
{
    struct addrinfo hints;
    uv_getaddrinfo_t *req = malloc(sizeof *req);
    int rc;

    if (req == NULL) {
        xdi_agent_connect_failed(app->agent, "out of memory");
        return;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    req->data = app;
    app_log(app, "connecting to %s port %s", app->host, app->port);
    rc = uv_getaddrinfo(app->loop, req, on_resolved, app->host, app->port,
                        &hints);
    if (rc != 0) {
        free(req);
        xdi_agent_connect_failed(app->agent, uv_strerror(rc));
        return;
    }
    app->resolving = req;
}

void net_stop(struct app *app)
{
    if (app->resolving != NULL) {
        /* Its callback runs with UV_ECANCELED and frees it. */
        uv_cancel((uv_req_t *)app->resolving);
        app->resolving = NULL;
    }
    if (app->conn != NULL)
        conn_close(app->conn, "stopping");
    if (!uv_is_closing((uv_handle_t *)&app->backoff_timer))
        uv_close((uv_handle_t *)&app->backoff_timer, NULL);
}
