/*
 * packet.c - the packets of a capture (pcap or pcapng: libpcap reads
 * both) down to TCP segments, gathered per connection and direction.
 *
 * Link types: Ethernet (with 802.1Q/802.1ad tags), Linux cooked v1 and
 * v2, raw IP (and its IPv4/IPv6-only variants), BSD loopback (null and
 * loop).  IPv4 fragments cannot carry a whole segment's header and are
 * skipped with a note; IPv6 extension headers before TCP are walked.
 */
#define _DEFAULT_SOURCE /* libpcap's headers use u_char and u_int */

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void endpoint_format(const struct endpoint *e, bool v6, char *out, size_t len)
{
    if (v6) {
        char a[64];
        /* inet_ntop needs <arpa/inet.h>; written by hand to stay in C11. */
        size_t k = 0;
        for (int i = 0; i < 16; i += 2)
            k += (size_t)snprintf(a + k, sizeof a - k, "%s%x", i ? ":" : "",
                                  get16(e->addr + i));
        /* The longest run of zero groups as "::" (RFC 5952). */
        unsigned g[8];
        for (int i = 0; i < 8; i++)
            g[i] = get16(e->addr + 2 * i);
        int best = -1, best_len = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0)
                j++;
            if (j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j > i ? j : i + 1;
        }
        if (best >= 0) {
            k = 0;
            for (int i = 0; i < best; i++)
                k += (size_t)snprintf(a + k, sizeof a - k, "%s%x", i ? ":" : "", g[i]);
            k += (size_t)snprintf(a + k, sizeof a - k, "::");
            for (int i = best + best_len; i < 8; i++)
                k += (size_t)snprintf(a + k, sizeof a - k, "%s%x",
                                      i > best + best_len ? ":" : "", g[i]);
        }
        snprintf(out, len, "[%s]:%u", a, e->port);
    } else {
        snprintf(out, len, "%u.%u.%u.%u:%u", e->addr[0], e->addr[1], e->addr[2],
                 e->addr[3], e->port);
    }
}

static bool endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
    return a->port == b->port && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

/* The flow and direction of a segment from src to dst; a new flow when
 * none matches (a SYN after a FIN of the same ports starts a new one). */
static int flow_add(struct flows *f, bool v6, const struct endpoint *src,
                    const struct endpoint *dst, struct segment *seg)
{
    struct flow *fl = NULL;
    int dir = 0;
    for (size_t i = f->n; i-- > 0;) {
        struct flow *c = &f->v[i];
        if (c->v6 != v6)
            continue;
        if (endpoint_eq(&c->dir[0].src, src) && endpoint_eq(&c->dir[0].dst, dst))
            dir = 0;
        else if (endpoint_eq(&c->dir[1].src, src) && endpoint_eq(&c->dir[1].dst, dst))
            dir = 1;
        else
            continue;
        /* A new SYN (not a SYN-ACK) on a flow that already has data in
         * this direction: the ports were reused for a new connection. */
        bool reuse = (seg->flags & TCPF_SYN) && c->dir[dir].n_segs > 0 &&
                     !(c->dir[dir].segs[0].flags & TCPF_SYN && c->dir[dir].segs[0].seq == seg->seq);
        if (!reuse)
            fl = c;
        break;
    }
    if (!fl) {
        if (f->n == f->cap) {
            size_t cap = f->cap ? f->cap * 2 : 16;
            struct flow *v = realloc(f->v, cap * sizeof *v);
            if (!v)
                return -1;
            f->v = v;
            f->cap = cap;
        }
        fl = &f->v[f->n++];
        memset(fl, 0, sizeof *fl);
        fl->v6 = v6;
        fl->dir[0].src = fl->dir[1].dst = *src;
        fl->dir[0].dst = fl->dir[1].src = *dst;
        fl->first_time = seg->time;
        fl->first_order = seg->order;
        dir = 0;
    }
    struct direction *d = &fl->dir[dir];
    if (d->n_segs == d->cap_segs) {
        size_t cap = d->cap_segs ? d->cap_segs * 2 : 64;
        struct segment *v = realloc(d->segs, cap * sizeof *v);
        if (!v)
            return -1;
        d->segs = v;
        d->cap_segs = cap;
    }
    d->segs[d->n_segs++] = *seg;
    return 0;
}

/* A TCP segment at p (n bytes captured, wire_len its length by the IP
 * header). */
static int tcp_segment(struct flows *f, bool v6, const uint8_t *saddr,
                       const uint8_t *daddr, const uint8_t *p, size_t n,
                       size_t wire_len, double time, uint64_t order)
{
    if (n < 20 || wire_len < 20)
        return 0;
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < 20 || hl > n || hl > wire_len)
        return 0;
    struct endpoint src = {.port = get16(p)}, dst = {.port = get16(p + 2)};
    memcpy(src.addr, saddr, v6 ? 16 : 4);
    memcpy(dst.addr, daddr, v6 ? 16 : 4);
    size_t len = (n < wire_len ? n : wire_len) - hl;
    struct segment seg = {.seq = get32(p + 4), .len = (uint32_t)len,
                          .flags = p[13], .time = time, .order = order};
    if (len) {
        seg.data = malloc(len);
        if (!seg.data)
            return -1;
        memcpy(seg.data, p + hl, len);
    }
    if (flow_add(f, v6, &src, &dst, &seg) != 0) {
        free(seg.data);
        return -1;
    }
    return 0;
}

/* An IP packet (version from its first nibble). */
static int ip_packet(struct flows *f, const uint8_t *p, size_t n, double time,
                     uint64_t order)
{
    if (n < 1)
        return 0;
    if (p[0] >> 4 == 4) {
        if (n < 20)
            return 0;
        size_t ihl = (size_t)(p[0] & 15) * 4;
        size_t total = get16(p + 2);
        if (ihl < 20 || ihl > n || total < ihl || p[9] != 6)
            return 0;
        if ((get16(p + 6) & 0x3FFF) != 0) {
            static bool said;
            if (!said)
                fprintf(stderr, "xdi-replay: packet %" PRIu64
                                ": IPv4 fragment skipped (not reassembled)\n",
                        order + 1);
            said = true;
            return 0;
        }
        return tcp_segment(f, false, p + 12, p + 16, p + ihl, n - ihl,
                           total - ihl, time, order);
    }
    if (p[0] >> 4 == 6) {
        if (n < 40)
            return 0;
        size_t plen = get16(p + 4);
        uint8_t next = p[6];
        size_t off = 40;
        /* Hop-by-hop, routing, destination options: skipped over. */
        while ((next == 0 || next == 43 || next == 60) && off + 8 <= n) {
            size_t el = ((size_t)p[off + 1] + 1) * 8;
            next = p[off];
            off += el;
            if (plen < el)
                return 0;
            plen -= el;
        }
        if (next != 6 || off > n)
            return 0;
        return tcp_segment(f, true, p + 8, p + 24, p + off, n - off, plen, time,
                           order);
    }
    return 0;
}

/* The link layer down to IP; returns the IP packet's offset or -1. */
static long link_offset(int dlt, const uint8_t *p, size_t n)
{
    switch (dlt) {
    case DLT_EN10MB: {
        size_t off = 12;
        while (off + 2 <= n && (get16(p + off) == 0x8100 || get16(p + off) == 0x88A8))
            off += 4;
        if (off + 2 > n)
            return -1;
        uint16_t et = get16(p + off);
        return et == 0x0800 || et == 0x86DD ? (long)(off + 2) : -1;
    }
    case DLT_LINUX_SLL:
        return n >= 16 && (get16(p + 14) == 0x0800 || get16(p + 14) == 0x86DD) ? 16 : -1;
    case DLT_LINUX_SLL2:
        return n >= 20 && (get16(p) == 0x0800 || get16(p) == 0x86DD) ? 20 : -1;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
#ifdef DLT_RAW_ALT
    case DLT_RAW_ALT:
#endif
        return 0;
    case DLT_NULL:
    case DLT_LOOP:
        /* A 4-byte address family (host order for null, network order
         * for loop); the IP version nibble says the same, more simply. */
        return n >= 4 ? 4 : -1;
    default:
        return -1;
    }
}

int packets_read(const char *path, struct flows *out)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(
        path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (!pc) {
        fprintf(stderr, "xdi-replay: %s: %s\n", path, errbuf);
        return REPLAY_EXIT_IO;
    }
    int dlt = pcap_datalink(pc);
    if (link_offset(dlt, (const uint8_t *)"", 0) == -1 && dlt != DLT_EN10MB &&
        dlt != DLT_LINUX_SLL && dlt != DLT_LINUX_SLL2 && dlt != DLT_NULL &&
        dlt != DLT_LOOP) {
        fprintf(stderr,
                "xdi-replay: %s: link type %s (%d) is not supported (Ethernet, "
                "Linux cooked v1/v2, raw IP, BSD loopback are)\n",
                path, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?",
                dlt);
        pcap_close(pc);
        return REPLAY_EXIT_INVALID;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t order = 0;
    int rc;
    while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
        long off = link_offset(dlt, data, h->caplen);
        double time = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e9;
        if (off >= 0 &&
            ip_packet(out, data + off, h->caplen - (size_t)off, time, order) != 0) {
            fprintf(stderr, "xdi-replay: out of memory\n");
            pcap_close(pc);
            return REPLAY_EXIT_IO;
        }
        order++;
    }
    if (rc == PCAP_ERROR) {
        /* A capture cut short (tcpdump killed) is still read up to there. */
        fprintf(stderr, "xdi-replay: %s: after packet %" PRIu64 ": %s\n", path,
                order, pcap_geterr(pc));
    }
    pcap_close(pc);
    return REPLAY_EXIT_OK;
}

void flows_free(struct flows *f)
{
    for (size_t i = 0; i < f->n; i++)
        for (int d = 0; d < 2; d++) {
            for (size_t k = 0; k < f->v[i].dir[d].n_segs; k++)
                free(f->v[i].dir[d].segs[k].data);
            free(f->v[i].dir[d].segs);
        }
    free(f->v);
    memset(f, 0, sizeof *f);
}
