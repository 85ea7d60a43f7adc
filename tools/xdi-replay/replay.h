/*
 * replay.h - shared declarations of xdi-replay (docs/replay.md).
 *
 * extract: packets (packet.c: link layers, IPv4/IPv6, TCP) are gathered
 * per TCP connection and direction, each direction's byte stream is
 * rebuilt from its segments (stream.c: retransmissions, duplicates,
 * reordering, overlaps, holes), and the streams are cut into NACCBs and
 * written as `naccb decode` lines (extract.c).
 */
#ifndef XDI_REPLAY_H
#define XDI_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (docs/replay.md, "Exit codes"). */
enum replay_exit {
    REPLAY_EXIT_OK = 0,      /* every conversation complete, every NACCB valid */
    REPLAY_EXIT_INVALID = 1, /* a NACCB broke a rule, a hole, a resync, or no
                                XDI conversation at all */
    REPLAY_EXIT_USAGE = 2,
    REPLAY_EXIT_IO = 3,      /* the capture cannot be read */
};

/* One endpoint: address (4 or 16 bytes) and port (host order). */
struct endpoint {
    uint8_t addr[16];
    uint16_t port;
};

/* One TCP segment of one direction, as captured. */
struct segment {
    uint32_t seq;
    uint32_t len;       /* payload bytes captured */
    uint8_t flags;      /* TCP flags */
    double time;        /* capture time, seconds */
    uint64_t order;     /* arrival order in the file */
    uint8_t *data;      /* len bytes, owned */
};

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04

/* One direction of a connection. */
struct direction {
    struct endpoint src, dst;
    struct segment *segs;
    size_t n_segs, cap_segs;
};

/* A hole: bytes never captured. */
struct hole {
    uint64_t offset, len;
};

/* Where each part of a rebuilt stream came from in time. */
struct piece {
    uint64_t offset;
    double time;
};

/* A direction's rebuilt byte stream (stream.c). */
struct stream {
    uint8_t *data;       /* holes hold zeros */
    uint64_t len;
    bool from_syn;       /* starts at the SYN: offset 0 is the first byte */
    struct hole *holes;
    size_t n_holes;
    struct piece *pieces;
    size_t n_pieces;
    uint64_t retransmitted; /* bytes seen more than once */
};

/* A TCP connection: dir[0] is the direction of its first packet. */
struct flow {
    bool v6;
    struct direction dir[2];
    double first_time;
    uint64_t first_order;
};

struct flows {
    struct flow *v;
    size_t n, cap;
};

/* ---- packet.c ---- */

/* Reads every TCP packet of the capture into flows.  Returns 0, or an
 * exit code with the message said on stderr. */
int packets_read(const char *path, struct flows *out);
void flows_free(struct flows *f);
/* "1.2.3.4:5" or "[::1]:5". */
void endpoint_format(const struct endpoint *e, bool v6, char *out, size_t len);

/* ---- stream.c ---- */

/* Rebuilds d's stream. Returns 0 or -1 (out of memory). */
int stream_build(struct direction *d, struct stream *out);
void stream_free(struct stream *s);
/* The capture time of the byte at offset. */
double stream_time(const struct stream *s, uint64_t offset);
/* The first hole overlapping [offset, offset + len), or NULL. */
const struct hole *stream_hole_in(const struct stream *s, uint64_t offset,
                                  uint64_t len);

/* ---- extract.c ---- */

struct extract_options {
    int port;            /* -1: any */
    int cp;              /* enum naccb_codepage */
    uint32_t max_size;
    const char *file;
};

int cmd_extract(const struct extract_options *opt);

#endif /* XDI_REPLAY_H */
