/*
 * capture.c - xdi-server's --capture (capture.h): pcap records of raw IP
 * packets (LINKTYPE_RAW) around the bytes each connection read and wrote.
 *
 * Each connection gets fixed initial sequence numbers; every payload byte
 * advances its sender's sequence number and each segment acknowledges all
 * the other side has sent, as a real stack's would after delivery, so
 * tshark's reassembly sees an ordered, gapless stream.  Checksums are
 * computed (a capture checked with checksum validation on stays clean).
 */
/* libpcap's headers use the BSD u_char/u_int types, which glibc hides
 * under _POSIX_C_SOURCE alone. */
#define _DEFAULT_SOURCE
#include "capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* Big enough for the file's largest record: IPv6 + TCP + a segment. */
#define SNAPLEN            262144u
#define PCAP_FILE_HEADER   24u
#define PCAP_RECORD_HEADER 16u

struct xdi_capture {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    uint64_t max_bytes; /* 0: unbounded */
    uint64_t bytes;
    bool stopped;
    void (*on_stopped)(void *ctx, uint64_t bytes);
    void *ctx;
    uint32_t next_isn;
    uint8_t pkt[40 + 20 + XDI_CAPTURE_MAX_SEGMENT];
};

/* One side of a connection: its address, port and next sequence number. */
struct side {
    uint8_t addr[16];
    uint16_t port; /* network order */
    uint32_t seq;
    bool fin;
};

struct xdi_capture_conn {
    struct xdi_capture *cap;
    bool v6;
    struct side peer, local;
};

struct xdi_capture *xdi_capture_open(const char *path, uint64_t max_bytes,
                                     void (*stopped)(void *ctx, uint64_t bytes),
                                     void *ctx, char *err, size_t errlen)
{
    struct xdi_capture *cap = calloc(1, sizeof *cap);

    if (!cap) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cap->dead = pcap_open_dead_with_tstamp_precision(
        DLT_RAW, (int)SNAPLEN, PCAP_TSTAMP_PRECISION_MICRO);
    if (!cap->dead) {
        snprintf(err, errlen, "pcap_open_dead failed");
        free(cap);
        return NULL;
    }
    cap->dumper = pcap_dump_open(cap->dead, path);
    if (!cap->dumper) {
        snprintf(err, errlen, "%s: %s", path, pcap_geterr(cap->dead));
        pcap_close(cap->dead);
        free(cap);
        return NULL;
    }
    cap->max_bytes = max_bytes;
    cap->bytes = PCAP_FILE_HEADER;
    cap->on_stopped = stopped;
    cap->ctx = ctx;
    /* Arbitrary but distinct per connection, and far from 0 so that a
     * reader that mistakes relative for absolute numbers shows it. */
    cap->next_isn = 0x1000a000u;
    return cap;
}

void xdi_capture_close(struct xdi_capture *cap)
{
    if (!cap)
        return;
    pcap_dump_close(cap->dumper);
    pcap_close(cap->dead);
    free(cap);
}

bool xdi_capture_stopped(const struct xdi_capture *cap)
{
    return cap && cap->stopped;
}

uint64_t xdi_capture_bytes(const struct xdi_capture *cap)
{
    return cap ? cap->bytes : 0;
}

/* ---- checksums ------------------------------------------------------------ */

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t n)
{
    while (n > 1) {
        acc += (uint32_t)p[0] << 8 | p[1];
        p += 2;
        n -= 2;
    }
    if (n)
        acc += (uint32_t)p[0] << 8;
    return acc;
}

static uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xFFFFu) + (acc >> 16);
    return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* ---- packets -------------------------------------------------------------- */

/* Writes one packet from `from` to `to` carrying n payload bytes. */
static void emit(struct xdi_capture_conn *cc, const struct side *from,
                 const struct side *to, uint8_t flags, const uint8_t *p,
                 size_t n)
{
    struct xdi_capture *cap = cc->cap;
    size_t iph = cc->v6 ? 40 : 20;
    size_t len = iph + 20 + n;
    uint8_t *ip = cap->pkt, *tcp = cap->pkt + iph;

    if (cap->stopped)
        return;
    if (cap->max_bytes &&
        cap->bytes + PCAP_RECORD_HEADER + len > cap->max_bytes) {
        cap->stopped = true;
        pcap_dump_flush(cap->dumper);
        if (cap->on_stopped)
            cap->on_stopped(cap->ctx, cap->bytes);
        return;
    }
    memset(ip, 0, iph + 20);
    if (cc->v6) {
        ip[0] = 0x60;
        put16(ip + 4, (uint32_t)(20 + n));
        ip[6] = IPPROTO_TCP;
        ip[7] = 64;
        memcpy(ip + 8, from->addr, 16);
        memcpy(ip + 24, to->addr, 16);
    } else {
        ip[0] = 0x45;
        put16(ip + 2, (uint32_t)len);
        ip[6] = 0x40; /* don't fragment */
        ip[8] = 64;
        ip[9] = IPPROTO_TCP;
        memcpy(ip + 12, from->addr, 4);
        memcpy(ip + 16, to->addr, 4);
        put16(ip + 10, fold(sum16(0, ip, 20)));
    }
    memcpy(tcp, &from->port, 2);
    memcpy(tcp + 2, &to->port, 2);
    put32(tcp + 4, from->seq);
    put32(tcp + 8, (flags & TCP_ACK) ? to->seq : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (n)
        memcpy(tcp + 20, p, n);
    /* The pseudo-header: addresses, protocol, TCP length. */
    size_t alen = cc->v6 ? 16 : 4;
    uint32_t acc = sum16(0, from->addr, alen);
    acc = sum16(acc, to->addr, alen);
    acc += IPPROTO_TCP + (uint32_t)(20 + n);
    put16(tcp + 16, fold(sum16(acc, tcp, 20 + n)));

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct pcap_pkthdr h = {.caplen = (bpf_u_int32)len,
                            .len = (bpf_u_int32)len};
    h.ts.tv_sec = now.tv_sec;
    h.ts.tv_usec = now.tv_nsec / 1000;
    pcap_dump((u_char *)cap->dumper, &h, cap->pkt);
    cap->bytes += PCAP_RECORD_HEADER + len;
}

static int side_from(struct side *s, const struct sockaddr *sa, bool v6)
{
    memset(s, 0, sizeof *s);
    if (v6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        memcpy(s->addr, &a->sin6_addr, 16);
        s->port = a->sin6_port;
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        memcpy(s->addr, &a->sin_addr, 4);
        s->port = a->sin_port;
    }
    return 0;
}

struct xdi_capture_conn *xdi_capture_conn_open(struct xdi_capture *cap,
                                               const struct sockaddr *peer,
                                               const struct sockaddr *local)
{
    if (!cap || cap->stopped || peer->sa_family != local->sa_family ||
        (peer->sa_family != AF_INET && peer->sa_family != AF_INET6))
        return NULL;
    struct xdi_capture_conn *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    cc->cap = cap;
    cc->v6 = peer->sa_family == AF_INET6;
    side_from(&cc->peer, peer, cc->v6);
    side_from(&cc->local, local, cc->v6);
    cc->peer.seq = cap->next_isn;
    cc->local.seq = cap->next_isn ^ 0x5A5A0000u;
    cap->next_isn += 0x01000193u;
    /* The handshake: each SYN takes one sequence number. */
    emit(cc, &cc->peer, &cc->local, TCP_SYN, NULL, 0);
    cc->peer.seq++;
    emit(cc, &cc->local, &cc->peer, TCP_SYN | TCP_ACK, NULL, 0);
    cc->local.seq++;
    emit(cc, &cc->peer, &cc->local, TCP_ACK, NULL, 0);
    return cc;
}

void xdi_capture_data(struct xdi_capture_conn *cc, bool from_peer,
                      const uint8_t *p, size_t n)
{
    if (!cc)
        return;
    struct side *from = from_peer ? &cc->peer : &cc->local;
    struct side *to = from_peer ? &cc->local : &cc->peer;
    while (n > 0) {
        size_t k = n < XDI_CAPTURE_MAX_SEGMENT ? n : XDI_CAPTURE_MAX_SEGMENT;
        emit(cc, from, to, TCP_ACK | TCP_PSH, p, k);
        from->seq += (uint32_t)k;
        p += k;
        n -= k;
    }
}

static void fin(struct xdi_capture_conn *cc, struct side *from, struct side *to)
{
    if (from->fin)
        return;
    emit(cc, from, to, TCP_FIN | TCP_ACK, NULL, 0);
    from->seq++;
    from->fin = true;
}

void xdi_capture_peer_fin(struct xdi_capture_conn *cc)
{
    if (cc)
        fin(cc, &cc->peer, &cc->local);
}

void xdi_capture_conn_close(struct xdi_capture_conn *cc)
{
    if (!cc)
        return;
    bool peer_first = cc->peer.fin;
    fin(cc, &cc->local, &cc->peer);
    if (!peer_first)
        fin(cc, &cc->peer, &cc->local);
    /* The last FIN's acknowledgement. */
    if (peer_first)
        emit(cc, &cc->peer, &cc->local, TCP_ACK, NULL, 0);
    else
        emit(cc, &cc->local, &cc->peer, TCP_ACK, NULL, 0);
    /* A conversation is complete in the file once it ended. */
    if (!cc->cap->stopped)
        pcap_dump_flush(cc->cap->dumper);
    free(cc);
}
