/*
 * net.h - the libuv layer of xdi-server: listeners, connections, bounded
 * write queues, timers and the graceful stop.
 *
 * It holds no protocol logic: bytes read go to xdi_conn_feed() (and end of
 * stream to xdi_conn_eof()), and the core answers through the send and
 * close of the struct xdi_output_ops this layer provides.  The
 * only decisions made here are about sockets and memory: how much output
 * may queue, how many connections may be open, when a timer is due.
 */
#ifndef XDI_NET_H
#define XDI_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "server.h"

struct xdi_net;

/* A listen address: "127.0.0.1:7012", "[::1]:0", "0.0.0.0:7012",
 * "localhost:7012" (one per address the name resolves to). */
struct xdi_listen_addr {
    struct sockaddr_storage addr;
    char text[80]; /* as given, for messages */
};

/* Parses text, HOST:PORT (tools/common/addr.h), and resolves its host
 * (getaddrinfo): each of its addresses, at most max, into out, their
 * number into *n.  Returns 0, or -1 with a message in err that starts with
 * the text quoted ("'x:7012': cannot resolve 'x': ..."). */
int xdi_listen_addr_parse(const char *text, struct xdi_listen_addr *out,
                          size_t max, size_t *n, char *err, size_t errlen);

/*
 * Creates the network layer on loop.  The core server is created inside
 * (with this layer's send and close) from cfg and fixtures (ownership
 * passes); its journal records go to record(record_ctx, rec) (the
 * application's sink; NULL: not kept), in the order the core makes them.
 * NULL on failure with a message in err.
 */
struct xdi_net *xdi_net_new(uv_loop_t *loop, const struct xdi_config *cfg,
                            struct xdi_fixture_set *fixtures,
                            void (*record)(void *ctx,
                                           const struct xdi_record *rec),
                            void *record_ctx, char *err, size_t errlen);

/*
 * Binds and listens on each address, then prints one line
 * "listening on ADDR:PORT" per listener on stdout (the bound port, so port
 * 0 shows the kernel's choice) and flushes it.  Returns 0, or -1 with a
 * message in err (nothing is printed then).
 */
int xdi_net_listen(struct xdi_net *net, const struct xdi_listen_addr *addrs,
                   size_t n, char *err, size_t errlen);

/*
 * Begins the graceful stop: listeners close, the core sends shutdown to
 * every session, connections get grace_ms to close; then the rest are
 * closed.  A second call closes everything at once.  When all handles are
 * closed the loop has nothing left and uv_run() returns.
 */
void xdi_net_stop(struct xdi_net *net);

/* Gives up before serving (a listener or the control plane could not be
 * set up, the loop has not run): closes the handles without a stop, so
 * nothing is sent and nothing journalled.  uv_run() then returns. */
void xdi_net_abandon(struct xdi_net *net);

/* The protocol core inside (the fixture watcher hands it reloads). */
struct xdi_server *xdi_net_server(struct xdi_net *net);

/* Output held (requests, copies and bodies) plus input held as partial
 * NACCBs, across all connections, at most max bytes: beyond it the
 * connection holding most is cut off and journalled as a disconnect with
 * cause memory_limit.  0: no bound (the default until set). */
void xdi_net_set_max_memory(struct xdi_net *net, size_t max);

struct xdi_capture;
/* --capture: every connection accepted from now on is written to cap
 * (borrowed; it must outlive the connections: close it after uv_run()
 * returned).  NULL: none. */
void xdi_net_set_capture(struct xdi_net *net, struct xdi_capture *cap);

/* flush(ctx) is called before any output is handed to a socket and once
 * per loop turn (before the loop waits): the application's buffered
 * journal is written before anything that answers what it records goes
 * out (output.h).  NULL: none. */
void xdi_net_set_flush(struct xdi_net *net, void (*flush)(void *ctx),
                       void *ctx);

/* Whether xdi_net_stop() was called: no more reloads then. */
bool xdi_net_stopping(const struct xdi_net *net);

/* Frees the layer and the core server (after uv_run() returned). */
void xdi_net_free(struct xdi_net *net);

#endif /* XDI_NET_H */
