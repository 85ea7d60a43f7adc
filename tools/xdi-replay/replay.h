/*
 * replay.h - shared declarations of xdi-replay (docs/replay.md).
 *
 * extract: packets (packet.c: link layers, IPv4/IPv6, TCP) are gathered
 * per TCP connection and direction, each direction's byte stream is
 * rebuilt from its segments (stream.c: retransmissions, duplicates,
 * reordering, overlaps, holes), and the streams are cut into NACCBs and
 * written as `naccb decode` lines (extract.c).
 *
 * agent, host: a capture or those JSON Lines is read as conversations
 * (conversation.c), one side of each is played against a live peer
 * (play.c, with play_agent.c connecting to a host and play_host.c
 * listening for an agent, agentcmd.c starting it), over blocking sockets
 * with poll() deadlines (net.c), and what the peer sends is compared with
 * the capture field by field (diff.c); report.c says the differences,
 * the progress, the summary and the JUnit file.
 *
 * fixtures: the tables the host sent, as a fixture set (fixtures_out.c).
 */
#ifndef XDI_REPLAY_H
#define XDI_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

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

/* The lines cmd_extract writes, in its order, as JSON objects (owned by the
 * caller: json_decref each, free the array).  Returns 0 (*invalid set when
 * something was incomplete or broken) or an exit code. */
int extract_lines(const struct extract_options *opt, json_t ***lines,
                  size_t *n_lines, int *invalid);

/* ---- conversation.c ---- */

/* --system OLD=NEW: a system name rewritten in every NACCB, both sides. */
struct sysmap {
    char from[9], to[9];
};

/* One NACCB of a conversation, as captured. */
struct step {
    bool from_agent;
    double time;          /* seconds since the conversation's first packet */
    json_t *line;         /* its JSON (system names rewritten) */
    uint8_t *bytes;       /* its bytes, encoded from line */
    size_t len;
    uint32_t key;         /* bytes 16..19 */
    uint8_t error_code;
    uint32_t agent_id;
    unsigned long lineno; /* in a JSON Lines input; 0 for a capture */
};

struct conv {
    int number;           /* "conversation" */
    bool incomplete;
    struct step *steps;
    size_t n, cap;
};

struct convs {
    struct conv *v;
    size_t n, cap;
};

struct load_options {
    const char *file;
    int cp;               /* enum naccb_codepage */
    uint32_t max_size;
    int port;             /* extract's --port, -1: any */
    const struct sysmap *sys;
    size_t n_sys;
};

/* Reads INPUT: a pcap/pcapng capture (through extract_lines), or JSON
 * Lines as extract writes them (one NACCB a line; "conversation" defaults
 * to 1, "from" to what the direction says).  Every line is encoded here,
 * so a line that cannot be is reported with its line number before
 * anything is played.  Returns 0 or an exit code (message said). */
int convs_load(const struct load_options *opt, struct convs *out);
void convs_free(struct convs *c);
/* The conversation numbered n, or NULL. */
struct conv *convs_find(struct convs *c, int n);
/* The key name of a step: "receive EMS", "error", or the key in hex. */
const char *step_key_name(const struct step *s, char *buf, size_t len);

/* ---- diff.c ---- */

struct diff_ctx {
    const char *const *ignore; /* --ignore names */
    size_t n_ignore;
    bool id_known;             /* agent-ID templating: the captured ID */
    uint32_t id_old, id_new;   /* id_old stands for id_new */
};

/* Called for each difference: the field's path ("agent_id",
 * "objects[2].event_key") and both values as JSON text ("(none)" when a
 * side lacks the member). */
typedef void diff_fn(void *arg, const char *field, const char *captured,
                     const char *now);

/* Compares a captured NACCB's JSON with the one received now: the header
 * fields (key as one field), then each object's fields; members that only
 * name or place a value (key_name, offset, ...) are not compared.
 * Returns the number of differences reported. */
size_t diff_naccb(const struct diff_ctx *c, json_t *captured, json_t *now,
                  diff_fn *fn, void *arg);

/* Whether --ignore names this field path. */
bool diff_ignored(const struct diff_ctx *c, const char *path);

#endif /* XDI_REPLAY_H */
