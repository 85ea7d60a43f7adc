/*
 * extract.c - `xdi-replay extract CAPTURE`: every NACCB of every XDI
 * conversation of a capture, one `naccb decode` JSON object per line
 * (the naccb tool's own mapping, naccb_json), plus where it was in the
 * capture: "conversation", "from", "time", "src", "dst" (docs/replay.md).
 *
 * A stream is cut at each NACCB's 4-byte total length (docs/protocol.md,
 * framing).  Where framing cannot be trusted (a capture that starts
 * mid-connection, a hole, a length no NACCB can have) the stream is
 * searched for the next plausible header: a direction of 0x0102 or
 * 0x0201 whose length fields agree (naccb_header_check_length).  The
 * agent is the side whose NACCBs say 0x0201 (to the server).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "tool.h"

/* How far into a stream a conversation's first header is looked for when
 * the capture began mid-connection. */
#define SCAN_LIMIT (1u << 20)

struct item {
    int conv;
    int side;       /* index into flow->dir */
    double time;    /* absolute, of the NACCB's last byte */
    uint64_t offset;
    json_t *line;
};

struct items {
    struct item *v;
    size_t n, cap;
};

struct ctx {
    const struct extract_options *opt;
    struct items items;
    int invalid;
};

/* A plausible NACCB header at s->data + off (36 bytes available, no hole
 * in them); 0x0102/0x0201 in *dir. */
static bool plausible(const struct ctx *c, const struct stream *s, uint64_t off,
                      uint16_t *dir)
{
    if (off + NACCB_HEADER_SIZE > s->len ||
        stream_hole_in(s, off, NACCB_HEADER_SIZE))
        return false;
    struct naccb_header h;
    naccb_header_decode(s->data + off, NACCB_HEADER_SIZE, &h);
    if (h.direction != NACCB_DIR_TO_AGENT && h.direction != NACCB_DIR_TO_SERVER)
        return false;
    if (naccb_header_check_length(&h, c->opt->max_size, NULL) < 0)
        return false;
    if (dir)
        *dir = h.direction;
    return true;
}

/* The next plausible header at or after off, or s->len. */
static uint64_t resync(const struct ctx *c, const struct stream *s, uint64_t off)
{
    for (; off + NACCB_HEADER_SIZE <= s->len; off++)
        if (plausible(c, s, off, NULL))
            return off;
    return s->len;
}

/* The direction value (0x0201: the agent sends) of a stream's first
 * plausible header, 0 when none within SCAN_LIMIT. */
static uint16_t stream_direction(const struct ctx *c, const struct stream *s)
{
    for (uint64_t off = 0; off < SCAN_LIMIT && off + NACCB_HEADER_SIZE <= s->len;
         off++) {
        uint16_t dir;
        if (plausible(c, s, off, &dir))
            return dir;
        if (s->from_syn && !stream_hole_in(s, 0, off + 1))
            break; /* a stream from its SYN must begin with a header */
    }
    return 0;
}

static int push_item(struct ctx *c, struct item it)
{
    if (c->items.n == c->items.cap) {
        size_t cap = c->items.cap ? c->items.cap * 2 : 64;
        struct item *v = realloc(c->items.v, cap * sizeof *v);
        if (!v)
            return -1;
        c->items.v = v;
        c->items.cap = cap;
    }
    c->items.v[c->items.n++] = it;
    return 0;
}

/* Cuts one direction's stream into NACCBs.  *incomplete is set when
 * something had to be skipped. */
static int cut(struct ctx *c, int conv, const struct flow *fl, int side,
               const struct stream *s, bool agent, double t0, bool *incomplete)
{
    char src[80], dst[80], prog[128];
    endpoint_format(&fl->dir[side].src, fl->v6, src, sizeof src);
    endpoint_format(&fl->dir[side].dst, fl->v6, dst, sizeof dst);
    const char *from = agent ? "agent" : "host";
    snprintf(prog, sizeof prog, "xdi-replay: conversation %d, %s %s", conv, from, src);
    struct jd_ctx jd = {.prog = prog, .cp = (enum naccb_codepage)c->opt->cp,
                        .max_size = c->opt->max_size};

    for (size_t i = 0; i < s->n_holes; i++) {
        fprintf(stderr, "%s: hole of %" PRIu64 " bytes at stream offset %" PRIu64
                        " (never captured)\n", prog, s->holes[i].len,
                s->holes[i].offset);
        *incomplete = true;
    }
    uint64_t off = 0;
    if (!plausible(c, s, 0, NULL) && s->len > 0) {
        off = resync(c, s, 0);
        fprintf(stderr, "%s: %s; resynchronised on the first plausible NACCB "
                        "header at stream offset %" PRIu64 " (%" PRIu64
                        " bytes skipped)\n", prog,
                s->from_syn ? "the stream does not begin with a NACCB header"
                            : "the capture starts mid-connection",
                off, off);
        *incomplete = true;
    }
    while (off < s->len) {
        const struct hole *h = stream_hole_in(s, off, 4);
        uint64_t total = 0;
        if (!h) {
            total = naccb_get_u32be(s->data + off);
            h = total >= 4 ? stream_hole_in(s, off, total) : NULL;
        }
        if (h) {
            uint64_t next = resync(c, s, h->offset + h->len);
            fprintf(stderr, "%s: the NACCB at stream offset %" PRIu64
                            " is cut by the hole at %" PRIu64
                            "; not decoded; next plausible header at %" PRIu64 "\n",
                    prog, off, h->offset, next);
            *incomplete = true;
            off = next;
            continue;
        }
        if (!plausible(c, s, off, NULL) &&
            (total < NACCB_HEADER_SIZE || total > c->opt->max_size)) {
            /* Framing is lost: the length cannot be followed. */
            uint64_t next = resync(c, s, off + 1);
            fprintf(stderr, "%s: stream offset %" PRIu64 ": total length %" PRIu64
                            " cannot be a NACCB's; framing lost; next plausible "
                            "header at %" PRIu64 " (%" PRIu64 " bytes skipped)\n",
                    prog, off, total, next, next - off);
            *incomplete = true;
            c->invalid = 1;
            off = next;
            continue;
        }
        if (off + total > s->len) {
            fprintf(stderr, "%s: stream offset %" PRIu64 ": the capture ends inside "
                            "a NACCB of %" PRIu64 " bytes (%" PRIu64 " captured)\n",
                    prog, off, total, s->len - off);
            *incomplete = true;
            break;
        }
        json_t *line = jd_naccb_json(&jd, s->data + off, (size_t)total, off);
        if (!line)
            return -1;
        struct item it = {.conv = conv, .side = side,
                          .time = stream_time(s, off + total - 1), .offset = off,
                          .line = line};
        if (json_object_set_new(line, "conversation", json_integer(conv)) != 0 ||
            json_object_set_new(line, "from", json_string(from)) != 0 ||
            json_object_set_new(line, "time", json_real(it.time - t0)) != 0 ||
            json_object_set_new(line, "src", json_string(src)) != 0 ||
            json_object_set_new(line, "dst", json_string(dst)) != 0 ||
            push_item(c, it) != 0) {
            json_decref(line);
            return -1;
        }
        off += total;
    }
    if (jd.invalid)
        c->invalid = 1;
    return 0;
}

static int by_conv_time(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    if (x->conv != y->conv)
        return x->conv < y->conv ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    if (x->side != y->side)
        return x->side < y->side ? -1 : 1;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int by_first(const void *a, const void *b)
{
    const struct flow *x = a, *y = b;
    return x->first_order < y->first_order ? -1 : x->first_order > y->first_order;
}

static int one_flow(struct ctx *c, struct flow *fl, int *n_conv)
{
    if (c->opt->port >= 0 && fl->dir[0].src.port != c->opt->port &&
        fl->dir[0].dst.port != c->opt->port)
        return 0;
    struct stream s[2];
    if (stream_build(&fl->dir[0], &s[0]) != 0)
        return -1;
    if (stream_build(&fl->dir[1], &s[1]) != 0) {
        stream_free(&s[0]);
        return -1;
    }
    uint16_t d0 = stream_direction(c, &s[0]), d1 = stream_direction(c, &s[1]);
    int rc = 0;
    if (d0 || d1) {
        /* The agent's side: the one whose NACCBs go to the server. */
        int agent = d0 == NACCB_DIR_TO_SERVER ? 0
                    : d1 == NACCB_DIR_TO_SERVER ? 1
                    : d0 == NACCB_DIR_TO_AGENT ? 1 : 0;
        if ((d0 && d1 && d0 == d1)) {
            char a[80];
            endpoint_format(&fl->dir[0].src, fl->v6, a, sizeof a);
            fprintf(stderr, "xdi-replay: conversation %d (%s): both sides send "
                            "direction %04X; taking %s as the agent\n",
                    *n_conv + 1, a, d0, agent == 0 ? "the first sender" : "the second");
            c->invalid = 1;
        }
        int conv = ++*n_conv;
        bool incomplete = false;
        for (int side = 0; side < 2 && rc == 0; side++)
            rc = cut(c, conv, fl, side, &s[side], side == agent, fl->first_time,
                     &incomplete);
        if (incomplete) {
            fprintf(stderr, "xdi-replay: conversation %d is incomplete\n", conv);
            c->invalid = 1;
            for (size_t i = 0; i < c->items.n; i++)
                if (c->items.v[i].conv == conv)
                    json_object_set_new(c->items.v[i].line, "incomplete", json_true());
        }
    }
    stream_free(&s[0]);
    stream_free(&s[1]);
    return rc;
}

/* Every NACCB line of every conversation of the capture, in output order
 * (replay.h). */
int extract_lines(const struct extract_options *opt, json_t ***lines,
                  size_t *n_lines, int *invalid)
{
    struct flows flows = {0};
    int rc = packets_read(opt->file, &flows);
    *lines = NULL;
    *n_lines = 0;
    if (rc != REPLAY_EXIT_OK) {
        flows_free(&flows);
        return rc;
    }
    if (flows.n > 1)
        qsort(flows.v, flows.n, sizeof *flows.v, by_first);
    struct ctx c = {.opt = opt};
    int n_conv = 0;
    for (size_t i = 0; i < flows.n && rc == 0; i++)
        if (one_flow(&c, &flows.v[i], &n_conv) != 0) {
            fprintf(stderr, "xdi-replay: out of memory\n");
            rc = REPLAY_EXIT_IO;
        }
    flows_free(&flows);
    json_t **v = rc == 0 ? malloc((c.items.n ? c.items.n : 1) * sizeof *v) : NULL;
    if (rc == 0 && v == NULL) {
        fprintf(stderr, "xdi-replay: out of memory\n");
        rc = REPLAY_EXIT_IO;
    }
    if (rc == 0) {
        if (c.items.n > 1)
            qsort(c.items.v, c.items.n, sizeof *c.items.v, by_conv_time);
        for (size_t i = 0; i < c.items.n; i++)
            v[i] = c.items.v[i].line;
        *lines = v;
        *n_lines = c.items.n;
    } else {
        for (size_t i = 0; i < c.items.n; i++)
            json_decref(c.items.v[i].line);
    }
    free(c.items.v);
    if (rc)
        return rc;
    if (n_conv == 0) {
        fprintf(stderr, "xdi-replay: %s: no XDI conversation found%s\n", opt->file,
                opt->port >= 0 ? " on that port" : "");
        return REPLAY_EXIT_INVALID;
    }
    *invalid = c.invalid;
    return REPLAY_EXIT_OK;
}

int cmd_extract(const struct extract_options *opt)
{
    json_t **lines;
    size_t n;
    int invalid = 0;
    int rc = extract_lines(opt, &lines, &n, &invalid);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (json_dumpf(lines[i], stdout, JSON_REAL_PRECISION(9)) != 0 ||
            putchar('\n') == EOF)
            rc = REPLAY_EXIT_IO;
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
        rc = REPLAY_EXIT_IO;
    if (rc == REPLAY_EXIT_IO && n > 0)
        fprintf(stderr, "xdi-replay: cannot write the output\n");
    for (size_t i = 0; i < n; i++)
        json_decref(lines[i]);
    free(lines);
    if (rc)
        return rc;
    return invalid ? REPLAY_EXIT_INVALID : REPLAY_EXIT_OK;
}
