/*
 * net.c - the sockets of agent and host: blocking sockets, each wait
 * bounded by poll().
 *
 * Why not libuv, as xdi-load and xdi-agent use: a replayer is a script,
 * "send this, then wait at most T for that", once per conversation; on a
 * loop it would be a state machine per step kind, here it is the order
 * of the statements.  Conversations played at once each get their own
 * thread (play.c), so one slow peer does not hold up another.
 */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "addr.h"
#include "net.h"

double net_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int ms_left(double deadline)
{
    double left = deadline - net_now();
    if (left <= 0)
        return 0;
    return left > 1e6 ? 1000000000 : (int)(left * 1000.0) + 1;
}

int net_split(const char *text, char *host, size_t hlen, char *port,
              size_t plen)
{
    char err[128];
    unsigned p;

    /* tools/common/addr.h: HOST:PORT as every program takes it. */
    if (xdi_addr_split(text, host, hlen, &p, err, sizeof err) != 0 ||
        snprintf(port, plen, "%u", p) >= (int)plen)
        return -1;
    return 0;
}

static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int net_connect(const char *hostport, double timeout, char *err, size_t elen)
{
    char host[256], port[8];
    if (net_split(hostport, host, sizeof host, port, sizeof port) != 0) {
        snprintf(err, elen, "'%s' is not HOST:PORT", hostport);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, elen, "%s: %s", host, gai_strerror(rc));
        return -1;
    }
    double deadline = net_now() + timeout;
    int fd = -1;
    snprintf(err, elen, "%s: no address", hostport);
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0)
            continue;
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (poll(&p, 1, ms_left(deadline)) == 1 &&
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0) {
                rc = soerr ? -1 : 0;
                errno = soerr;
            } else {
                errno = ETIMEDOUT;
            }
        }
        if (rc != 0) {
            snprintf(err, elen, "cannot connect to %s: %s", hostport,
                     strerror(errno));
            close(fd);
            fd = -1;
            continue;
        }
        fcntl(fd, F_SETFL, fl);
        set_nodelay(fd);
    }
    freeaddrinfo(res);
    return fd;
}

int net_listen(const char *addrport, char *bound, size_t blen, char *err,
               size_t elen)
{
    char host[256], port[8];
    if (net_split(addrport, host, sizeof host, port, sizeof port) != 0) {
        snprintf(err, elen, "'%s' is not ADDR:PORT", addrport);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
                    *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, elen, "%s: %s", host, gai_strerror(rc));
        return -1;
    }
    /* Non-blocking: threads sharing one listener (--listen) all wake for
     * a connection only one of them gets; the others must go back to
     * poll() and their deadline, not block in accept(). */
    int fd = socket(res->ai_family,
                    res->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 16) != 0) {
        snprintf(err, elen, "cannot listen on %s: %s", addrport,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char a[INET6_ADDRSTRLEN] = "?";
    int p = 0;
    if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof a);
        p = ntohs(s6->sin6_port);
        snprintf(bound, blen, "[%s]:%d", a, p);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &s4->sin_addr, a, sizeof a);
        p = ntohs(s4->sin_port);
        snprintf(bound, blen, "%s:%d", a, p);
    }
    return fd;
}

int net_accept(int lfd, double timeout)
{
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    double deadline = net_now() + timeout;
    for (;;) {
        int r = poll(&p, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            set_nodelay(fd);
            return fd;
        }
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
            return -1;
    }
}

int net_send(int fd, const uint8_t *p, size_t n, double timeout)
{
    double deadline = net_now() + timeout;
    while (n > 0) {
        struct pollfd pf = {.fd = fd, .events = POLLOUT};
        int r = poll(&pf, 1, ms_left(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

void reader_init(struct reader *r, int fd, uint32_t max_size)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->max_size = max_size;
}

void reader_free(struct reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

/* Reads what is there (waiting until the deadline for something).
 * 1: bytes added, 0: end of stream, NET_TIMEOUT, NET_ERROR. */
static int fill(struct reader *r, double deadline)
{
    if (r->cap - r->len < 65536) {
        size_t cap = r->cap ? r->cap * 2 : 131072;
        uint8_t *nb = realloc(r->buf, cap);
        if (!nb)
            return NET_ERROR;
        r->buf = nb;
        r->cap = cap;
    }
    for (;;) {
        struct pollfd pf = {.fd = r->fd, .events = POLLIN};
        int p = poll(&pf, 1, ms_left(deadline));
        if (p < 0 && errno == EINTR)
            continue;
        if (p == 0)
            return NET_TIMEOUT;
        if (p < 0)
            return NET_ERROR;
        ssize_t n = recv(r->fd, r->buf + r->len, r->cap - r->len, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n < 0)
            return errno == ECONNRESET ? 0 : NET_ERROR;
        r->len += (size_t)n;
        return n > 0;
    }
}

int reader_next(struct reader *r, double timeout, const uint8_t **msg,
                size_t *len)
{
    /* Drop the NACCB handed out last time. */
    if (r->taken) {
        memmove(r->buf, r->buf + r->taken, r->len - r->taken);
        r->len -= r->taken;
        r->taken = 0;
    }
    double deadline = net_now() + timeout;
    for (;;) {
        if (r->len >= 4) {
            uint32_t total = naccb_get_u32be(r->buf);
            /* docs/protocol.md §2: a length outside 36..max loses framing. */
            if (total < NACCB_HEADER_SIZE || total > r->max_size)
                return NET_FRAMING;
            if (r->len >= total) {
                *msg = r->buf;
                *len = total;
                r->taken = total;
                return 1;
            }
            if (r->cap < total) {
                uint8_t *nb = realloc(r->buf, total);
                if (!nb)
                    return NET_ERROR;
                r->buf = nb;
                r->cap = total;
            }
        }
        int f = fill(r, deadline);
        if (f == 0)
            return r->len ? NET_PARTIAL : 0;
        if (f < 0)
            return f;
    }
}
