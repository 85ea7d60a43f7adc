/*
 * addr.c - HOST:PORT: split, then resolved with getaddrinfo (addr.h).
 */
#include "addr.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int xdi_addr_split(const char *text, char *host, size_t hlen,
                   unsigned *port, char *err, size_t errlen)
{
    const char *h = text, *port_text;
    size_t n;
    uint64_t p;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':') {
            snprintf(err, errlen,
                     "'%s': an IPv6 address is written [ADDR]:PORT", text);
            return -1;
        }
        h = text + 1;
        n = (size_t)(close - h);
        port_text = close + 2;
    } else {
        const char *colon = strchr(text, ':');
        if (colon == NULL) {
            snprintf(err, errlen,
                     "'%s': expected HOST:PORT, e.g. localhost:7012", text);
            return -1;
        }
        if (strchr(colon + 1, ':') != NULL) {
            snprintf(err, errlen,
                     "'%s': an IPv6 address is written [ADDR]:PORT", text);
            return -1;
        }
        n = (size_t)(colon - text);
        port_text = colon + 1;
    }
    if (n == 0) {
        snprintf(err, errlen,
                 "'%s': no host before the port, e.g. localhost:7012", text);
        return -1;
    }
    if (n >= hlen) {
        snprintf(err, errlen, "'%s': the host name is too long", text);
        return -1;
    }
    if (xdi_cli_uint(port_text, 0, 65535, &p) != 0) {
        snprintf(err, errlen, "'%s': the port must be a number 0..65535",
                 text);
        return -1;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    *port = (unsigned)p;
    return 0;
}

int xdi_addr_resolve(const char *text, bool passive, struct xdi_addr *out,
                     size_t max, size_t *n, char *err, size_t errlen)
{
    char host[256], port[8];
    unsigned p;
    struct addrinfo hints, *res, *ai;
    int rc;

    *n = 0;
    if (xdi_addr_split(text, host, sizeof host, &p, err, errlen) != 0)
        return -1;
    snprintf(port, sizeof port, "%u", p);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "'%s': cannot resolve '%s': %s", text, host,
                 gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL && *n < max; ai = ai->ai_next) {
        size_t i;
        if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
            ai->ai_addrlen > sizeof out->sa)
            continue;
        for (i = 0; i < *n; i++)
            if (out[i].len == ai->ai_addrlen &&
                memcmp(&out[i].sa, ai->ai_addr, ai->ai_addrlen) == 0)
                break;
        if (i < *n)
            continue;
        memset(&out[*n], 0, sizeof out[*n]);
        memcpy(&out[*n].sa, ai->ai_addr, ai->ai_addrlen);
        out[*n].len = (socklen_t)ai->ai_addrlen;
        (*n)++;
    }
    freeaddrinfo(res);
    if (*n == 0) {
        snprintf(err, errlen, "'%s': '%s' has no IPv4 or IPv6 address", text,
                 host);
        return -1;
    }
    return 0;
}
