/*
 * evindex.c - an index of a host's EVBLOKs by what rules 1 and 2 of the
 * matching compare (docs/protocol.md §8): the key's KL bytes and the event
 * type.
 *
 * A text matches an EVBLOK when its first KL bytes are the key and its
 * event type is the EVBLOK's.  Scanning the table costs a compare per
 * EVBLOK per text; the index groups the EVBLOKs by (KL, event type, key)
 * in a hash table, so that a text costs one lookup per distinct KL in the
 * table (at most 20) whatever the table's size.  EVBLOKs of one group are
 * chained in table order, and the candidates of all groups come out in
 * table order too, so that the verdicts are exactly those of a scan
 * ("first in frame wins", actions fire in table order).  An EVBLOK whose
 * KL is outside 1..20 matches nothing (naccb_evblok_matches) and is left
 * out.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static uint32_t group_hash(unsigned kl, unsigned et, const uint8_t *key)
{
    uint32_t h = 2166136261u;

    h = (h ^ kl) * 16777619u;
    h = (h ^ et) * 16777619u;
    for (unsigned i = 0; i < kl; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

static bool indexable(const struct naccb_evblok *e)
{
    return e->kl >= 1 && e->kl <= NACCB_KEY_SIZE;
}

static bool same_group(const struct naccb_evblok *e, unsigned kl, unsigned et,
                       const uint8_t *key)
{
    return e->kl == kl && e->event_type == et &&
           memcmp(e->event_key, key, kl) == 0;
}

int xdi__evindex_build(struct xdi__evindex *ix,
                       const struct naccb_evblok *evbloks, uint32_t n)
{
    size_t cap = 16;
    uint32_t *tail; /* per slot: the last EVBLOK of its chain, + 1 */

    memset(ix, 0, sizeof *ix);
    if (n == 0)
        return 0;
    while (cap < (size_t)n * 2)
        cap *= 2;
    ix->slots = calloc(cap, sizeof *ix->slots);
    ix->next = calloc(n, sizeof *ix->next);
    tail = calloc(cap, sizeof *tail);
    if (ix->slots == NULL || ix->next == NULL || tail == NULL) {
        free(tail);
        xdi__evindex_free(ix);
        return -1;
    }
    ix->mask = cap - 1;
    for (uint32_t i = 0; i < n; i++) {
        const struct naccb_evblok *e = &evbloks[i];
        if (!indexable(e))
            continue;
        bool seen = false;
        for (unsigned k = 0; k < ix->n_kls; k++)
            seen = seen || ix->kls[k] == e->kl;
        if (!seen) {
            /* Kept ascending: a text shorter than a KL stops the walk. */
            unsigned k = ix->n_kls++;
            while (k > 0 && ix->kls[k - 1] > e->kl) {
                ix->kls[k] = ix->kls[k - 1];
                k--;
            }
            ix->kls[k] = e->kl;
        }
        size_t s = group_hash(e->kl, e->event_type, e->event_key) & ix->mask;
        while (ix->slots[s] != 0 &&
               !same_group(&evbloks[ix->slots[s] - 1], e->kl, e->event_type,
                           e->event_key))
            s = (s + 1) & ix->mask;
        if (ix->slots[s] == 0)
            ix->slots[s] = i + 1;
        else
            ix->next[tail[s] - 1] = i + 1;
        tail[s] = i + 1;
    }
    free(tail);
    return 0;
}

void xdi__evindex_free(struct xdi__evindex *ix)
{
    free(ix->slots);
    free(ix->next);
    memset(ix, 0, sizeof *ix);
}

/* The head (+1) of the group a text's first kl bytes and et name, or 0. */
static uint32_t group_of(const struct xdi__evindex *ix,
                         const struct naccb_evblok *evbloks, unsigned kl,
                         unsigned et, const uint8_t *text)
{
    size_t s = group_hash(kl, et, text) & ix->mask;

    while (ix->slots[s] != 0) {
        if (same_group(&evbloks[ix->slots[s] - 1], kl, et, text))
            return ix->slots[s];
        s = (s + 1) & ix->mask;
    }
    return 0;
}

size_t xdi__evindex_find(const struct xdi__evindex *ix,
                         const struct naccb_evblok *evbloks, unsigned et,
                         const uint8_t *text, size_t len, uint32_t *out,
                         size_t cap)
{
    uint32_t head[NACCB_KEY_SIZE];
    unsigned n_heads = 0;
    size_t n = 0;

    if (ix->slots == NULL)
        return 0;
    for (unsigned k = 0; k < ix->n_kls && ix->kls[k] <= len; k++) {
        uint32_t h = group_of(ix, evbloks, ix->kls[k], et, text);
        if (h != 0)
            head[n_heads++] = h;
    }
    /* Merged in table order: the smallest head of the chains goes next. */
    for (;;) {
        unsigned best = n_heads;
        for (unsigned i = 0; i < n_heads; i++)
            if (head[i] != 0 && (best == n_heads || head[i] < head[best]))
                best = i;
        if (best == n_heads)
            break;
        if (n < cap)
            out[n] = head[best] - 1;
        n++;
        head[best] = ix->next[head[best] - 1];
    }
    return n;
}
