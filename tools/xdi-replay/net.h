/*
 * net.h - blocking sockets with poll() deadlines for agent and host
 * (net.c says why not libuv).  Timeouts are in seconds.
 */
#ifndef XDI_REPLAY_NET_H
#define XDI_REPLAY_NET_H

#include <stddef.h>
#include <stdint.h>

#include "naccb.h"

/* Monotonic seconds. */
double net_now(void);

/* "host:port", "[v6]:port" into its parts; -1 when it is not that. */
int net_split(const char *text, char *host, size_t hlen, char *port,
              size_t plen);

/* A connected socket, or -1 with err filled. */
int net_connect(const char *hostport, double timeout, char *err, size_t elen);
/* A listening socket and the address it is bound to ("127.0.0.1:40000",
 * "[::1]:40000"), or -1 with err filled. */
int net_listen(const char *addrport, char *bound, size_t blen, char *err,
               size_t elen);
/* The next connection, or -1 (timeout, error). */
int net_accept(int lfd, double timeout);
/* Every byte, or -1 (timeout, error, peer gone). */
int net_send(int fd, const uint8_t *p, size_t n, double timeout);

/* NACCBs read from a socket by their total length (docs/protocol.md §2). */
struct reader {
    int fd;
    uint32_t max_size;
    uint8_t *buf;
    size_t len, cap, taken;
};

enum {
    NET_TIMEOUT = -1, /* nothing whole within the timeout */
    NET_ERROR = -2,   /* socket error, out of memory */
    NET_FRAMING = -3, /* a total length no NACCB can have */
    NET_PARTIAL = -4, /* the stream ended inside a NACCB */
};

void reader_init(struct reader *r, int fd, uint32_t max_size);
void reader_free(struct reader *r);
/* 1 with the next whole NACCB in *msg (valid until the next call), 0 at
 * the end of the stream, or one of NET_*. */
int reader_next(struct reader *r, double timeout, const uint8_t **msg,
                size_t *len);

#endif /* XDI_REPLAY_NET_H */
