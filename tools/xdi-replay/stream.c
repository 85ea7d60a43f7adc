/*
 * stream.c - one direction's byte stream rebuilt from its captured TCP
 * segments.
 *
 * Sequence numbers are unwrapped against the previous segment in arrival
 * order (so a stream may cross 2^32 and segments may come in any order
 * within 2 GiB).  The stream begins after the SYN when the SYN was
 * captured, else at the lowest sequence number seen (a capture started
 * mid-connection; extract.c then looks for the first plausible NACCB).
 * Segments are laid down in stream order, earlier arrival first at equal
 * offsets: a retransmission or duplicate adds nothing, an overlap adds
 * only its new bytes, and what no segment covers is a hole.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

struct placed {
    int64_t rel; /* unwrapped sequence number of the first payload byte */
    const struct segment *seg;
};

static int by_rel(const void *a, const void *b)
{
    const struct placed *x = a, *y = b;
    if (x->rel != y->rel)
        return x->rel < y->rel ? -1 : 1;
    return x->seg->order < y->seg->order ? -1 : x->seg->order > y->seg->order;
}

static int push_hole(struct stream *s, uint64_t offset, uint64_t len)
{
    struct hole *v = realloc(s->holes, (s->n_holes + 1) * sizeof *v);
    if (!v)
        return -1;
    s->holes = v;
    s->holes[s->n_holes++] = (struct hole){offset, len};
    return 0;
}

static int push_piece(struct stream *s, uint64_t offset, double time)
{
    struct piece *v = realloc(s->pieces, (s->n_pieces + 1) * sizeof *v);
    if (!v)
        return -1;
    s->pieces = v;
    s->pieces[s->n_pieces++] = (struct piece){offset, time};
    return 0;
}

int stream_build(struct direction *d, struct stream *out)
{
    memset(out, 0, sizeof *out);
    if (d->n_segs == 0)
        return 0;
    struct placed *p = malloc(d->n_segs * sizeof *p);
    if (!p)
        return -1;
    int64_t rel = 0, syn_rel = 0;
    uint32_t prev = d->segs[0].seq;
    bool syn = false;
    for (size_t i = 0; i < d->n_segs; i++) {
        rel += (int32_t)(d->segs[i].seq - prev);
        prev = d->segs[i].seq;
        p[i] = (struct placed){rel, &d->segs[i]};
        if ((d->segs[i].flags & TCPF_SYN) && !syn) {
            syn = true;
            syn_rel = rel + 1; /* the SYN takes one sequence number */
        }
    }
    qsort(p, d->n_segs, sizeof *p, by_rel);
    int64_t base = syn_rel;
    if (!syn) {
        base = INT64_MAX;
        for (size_t i = 0; i < d->n_segs; i++)
            if (p[i].seg->len && p[i].rel < base)
                base = p[i].rel;
        if (base == INT64_MAX)
            base = 0;
    }
    out->from_syn = syn;
    uint64_t end = 0;
    for (size_t i = 0; i < d->n_segs; i++) {
        const struct segment *sg = p[i].seg;
        if (!sg->len)
            continue;
        int64_t at = p[i].rel - base;
        if (at + (int64_t)sg->len <= 0)
            continue; /* before the stream began (data on a SYN, or junk) */
        uint64_t from = at < 0 ? (uint64_t)-at : 0; /* bytes of sg to skip */
        uint64_t off = (uint64_t)(at < 0 ? 0 : at);
        uint64_t seg_end = off + (sg->len - from);
        if (seg_end <= end) {
            out->retransmitted += sg->len;
            continue;
        }
        if (off > end && push_hole(out, end, off - end) != 0)
            goto oom;
        if (off < end) {
            out->retransmitted += end - off;
            from += end - off;
            off = end;
        }
        uint8_t *nd = realloc(out->data, seg_end);
        if (!nd)
            goto oom;
        out->data = nd;
        if (off > end)
            memset(out->data + end, 0, off - end);
        memcpy(out->data + off, sg->data + from, seg_end - off);
        if (push_piece(out, off, sg->time) != 0)
            goto oom;
        end = seg_end;
    }
    out->len = end;
    free(p);
    return 0;
oom:
    free(p);
    stream_free(out);
    return -1;
}

void stream_free(struct stream *s)
{
    free(s->data);
    free(s->holes);
    free(s->pieces);
    memset(s, 0, sizeof *s);
}

double stream_time(const struct stream *s, uint64_t offset)
{
    size_t lo = 0, hi = s->n_pieces;
    if (hi == 0)
        return 0;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->pieces[mid].offset <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return s->pieces[lo].time;
}

const struct hole *stream_hole_in(const struct stream *s, uint64_t offset,
                                  uint64_t len)
{
    for (size_t i = 0; i < s->n_holes; i++)
        if (s->holes[i].offset < offset + len &&
            offset < s->holes[i].offset + s->holes[i].len)
            return &s->holes[i];
    return NULL;
}
