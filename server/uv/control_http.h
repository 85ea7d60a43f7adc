/*
 * control_http.h - the control plane's HTTP server on xdi-server's libuv
 * loop (docs/control.md).
 *
 * H2O (compiled with libuv) parses HTTP/1.1 and keeps connections
 * persistent; this layer turns each request under /xdi and /zosmf into a
 * struct xdi_http_request for the control core (server/core/control.h) and
 * sends back what the core answers, now (DONE), later (PENDING, through
 * env->respond) or as a stream of Server-Sent Events (STREAM).  It also
 * serves the dashboard's files and /xdi/openapi.json with H2O's file
 * handler.  What a request does is the core's business, never this
 * layer's: here are only sockets, timeouts and buffers.
 *
 * Everything runs on the one loop the NACCB connections use, so every step
 * is bounded: a request is handled at once or parked, a stream's output is
 * queued up to a bound per client (a client that reads too slowly is
 * dropped), and a client that sends its request too slowly is cut off.
 */
#ifndef XDI_CONTROL_HTTP_H
#define XDI_CONTROL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "control.h"
#include "net.h"

struct xdi_control_http;

struct xdi_control_http_config {
    /* A request body larger than this: 413 (1 MiB). */
    size_t max_body;
    /* A request must arrive whole within this of the connect or of the
     * previous answer (10000). */
    unsigned request_timeout_ms;
    /* Server-Sent Events queued for one client at most; more: the client
     * is dropped (1 MiB). */
    size_t stream_buffer;
    const char *www_dir;      /* the dashboard's files, or NULL */
    const char *openapi_path; /* served as /xdi/openapi.json, or NULL */
};

void xdi_control_http_config_defaults(struct xdi_control_http_config *cfg);

/* What the control core asks of the application (the rest of
 * struct xdi_control_env is this layer's). */
struct xdi_control_app {
    void *ctx;
    int (*reload)(void *ctx, char *msg, size_t msg_size);
    int (*rotate_journal)(void *ctx, char *msg, size_t msg_size); /* or NULL */
};

/* A control plane over srv on loop: the core (created inside from ccfg) and
 * its HTTP server.  Nothing listens yet.  NULL with a message in err. */
struct xdi_control_http *xdi_control_http_new(
    uv_loop_t *loop, struct xdi_server *srv,
    const struct xdi_control_config *ccfg,
    const struct xdi_control_http_config *hcfg,
    const struct xdi_control_app *app, char *err, size_t errlen);

/* The core inside (for xdi_control_load_users). */
struct xdi_control *xdi_control_http_core(struct xdi_control_http *h);

/* Binds and listens on each address, then prints "control on ADDR:PORT"
 * per listener on stdout (the bound port) and flushes.  0, or -1 with a
 * message in err (nothing printed). */
int xdi_control_http_listen(struct xdi_control_http *h,
                            const struct xdi_listen_addr *addrs, size_t n,
                            char *err, size_t errlen);

/* "--control" text to an address: "127.0.0.1:8080", "[::1]:0", and ":8080"
 * or "8080" for the loopback 127.0.0.1.  0, or -1 with a message. */
int xdi_control_addr_parse(const char *text, struct xdi_listen_addr *out,
                           size_t max, size_t *n, char *err, size_t errlen);

/* Hands a record of the server core to the control core (from the
 * application's record callback). */
void xdi_control_http_record(struct xdi_control_http *h,
                             const struct xdi_record *rec);

/* Stops: listeners close, open streams end, waiting requests get 503 and
 * idle connections are closed, so the loop can end.  A second call cuts
 * every connection at once. */
void xdi_control_http_stop(struct xdi_control_http *h);

/* Frees everything (after uv_run() returned).  NULL-safe. */
void xdi_control_http_free(struct xdi_control_http *h);

/* n random bytes from the kernel (getrandom). */
void xdi_control_random(uint8_t *buf, size_t n);

#endif /* XDI_CONTROL_HTTP_H */
