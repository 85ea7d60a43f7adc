/*
 * addr.h - HOST:PORT as every program takes it (xdi-server's --listen and
 * --control, xdi-agent's --server, xdi-replay's --connect and --listen):
 * "localhost:7012", "192.0.2.1:7012", "0.0.0.0:7012", "[::1]:7012" (an
 * IPv6 address in brackets).  One parser, and one resolver on top of it
 * (getaddrinfo), so a name means the same to every program.  Part of the
 * static library xdi_cli (tools/common/CMakeLists.txt).
 */
#ifndef XDI_ADDR_H
#define XDI_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/*
 * Splits text into its host (brackets removed; at most hlen - 1 bytes)
 * and its port, decimal 0..65535.  The host is not empty; unbracketed it
 * has no ':' (an IPv6 address needs its brackets).  Returns 0, or -1 with
 * a message in err that starts with the text quoted: "'x': expected
 * HOST:PORT, e.g. localhost:7012".
 */
int xdi_addr_split(const char *text, char *host, size_t hlen,
                   unsigned *port, char *err, size_t errlen);

/* One resolved address. */
struct xdi_addr {
    struct sockaddr_storage sa;
    socklen_t len;
};

/*
 * Splits text and resolves its host with getaddrinfo() (TCP; passive: an
 * address to listen on), storing at most max of its addresses, in
 * getaddrinfo's order and without duplicates, in out and their number in
 * *n.  Returns 0, or -1 with a message in err: a split error, or "'x:7012':
 * cannot resolve 'x': Name or service not known".
 */
int xdi_addr_resolve(const char *text, bool passive, struct xdi_addr *out,
                     size_t max, size_t *n, char *err, size_t errlen);

#endif /* XDI_ADDR_H */
