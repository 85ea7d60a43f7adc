/*
 * registry.c - who is logged in: agent-IDs and the live session of each
 * host (docs/protocol.md §11.1 step 2).
 *
 * Agent-IDs are non-zero and never reused during the server's life:
 * sequential from 1 by default; with random_ids, drawn from a seeded
 * splitmix64 and kept in a set so a draw that was handed out before is
 * drawn again.  A host has at most one live session; takeover itself (the
 * shutdown and close of the old connection) is session.c's business.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* splitmix64 (Steele, Lea, Flood): small, seedable, good enough to make
 * IDs an agent cannot predict from the previous one. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int xdi__ids_init(struct xdi__ids *ids, const struct xdi_config *cfg)
{
    memset(ids, 0, sizeof(*ids));
    ids->random = cfg->random_ids;
    ids->next = 1;
    ids->rng = cfg->id_seed;
    return 0;
}

void xdi__ids_free(struct xdi__ids *ids)
{
    free(ids->used);
    ids->used = NULL;
    ids->used_cap = ids->used_n = 0;
}

/* Fibonacci hashing into a power-of-two table. */
static size_t slot_of(uint32_t id, size_t cap)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* The slot holding id, or the empty slot where it would go. */
static size_t probe(const struct xdi__ids *ids, uint32_t id)
{
    size_t i = slot_of(id, ids->used_cap);

    while (ids->used[i] != 0 && ids->used[i] != id)
        i = (i + 1) & (ids->used_cap - 1);
    return i;
}

/* Doubles the set (keeps it at most half full, so probes stay short). */
static int grow(struct xdi__ids *ids)
{
    size_t cap = ids->used_cap ? ids->used_cap * 2 : 64;
    uint32_t *old = ids->used;
    size_t old_cap = ids->used_cap;

    if (cap > SIZE_MAX / sizeof(uint32_t))
        return -1;
    ids->used = calloc(cap, sizeof(uint32_t));
    if (ids->used == NULL) {
        ids->used = old;
        return -1;
    }
    ids->used_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i] != 0)
            ids->used[probe(ids, old[i])] = old[i];
    free(old);
    return 0;
}

static int next_random(struct xdi__ids *ids, uint32_t *id)
{
    /* Past 2^31 IDs the draws would get slow: call it exhausted. */
    if (ids->used_n >= (size_t)1 << 31)
        return -1;
    if (ids->used_n * 2 >= ids->used_cap && grow(ids) != 0)
        return -1;
    for (;;) {
        uint32_t cand = (uint32_t)(splitmix64(&ids->rng) >> 32);
        size_t i;
        if (cand == 0)
            continue;
        i = probe(ids, cand);
        if (ids->used[i] == cand)
            continue; /* handed out before: never reuse */
        ids->used[i] = cand;
        ids->used_n++;
        *id = cand;
        return 0;
    }
}

int xdi__ids_next(struct xdi__ids *ids, uint32_t *id)
{
    if (ids->exhausted)
        return -1;
    if (ids->random)
        return next_random(ids, id);
    *id = ids->next;
    if (ids->next == UINT32_MAX)
        ids->exhausted = true; /* wrapping would reuse 1, 2, ... */
    else
        ids->next++;
    return 0;
}

struct xdi__host *xdi__host_find(struct xdi_server *srv,
                                 const uint8_t name[NACCB_NAME_SIZE])
{
    enum naccb_codepage cp = srv->fixtures->codepage;
    char latin1[NACCB_NAME_SIZE + 1];
    const struct xdi_host *fh;
    struct xdi__host *h;

    /* The fixture set looks the name up; the wire bytes must then be
     * exactly the host's (blank padded, no stray NULs behind the name). */
    naccb_field_get(cp, name, NACCB_NAME_SIZE, latin1);
    fh = xdi_fixture_find_host(srv->fixtures, latin1);
    if (fh == NULL || fh < srv->fixtures->hosts ||
        fh >= srv->fixtures->hosts + srv->n_hosts)
        return NULL;
    h = &srv->hosts[fh - srv->fixtures->hosts];
    if (!h->name_ok || memcmp(h->wire_name, name, NACCB_NAME_SIZE) != 0)
        return NULL;
    return h;
}

struct xdi__host *xdi__host_by_name(struct xdi_server *srv, const char *name)
{
    const struct xdi_host *fh = xdi_fixture_find_host(srv->fixtures, name);

    if (fh == NULL || fh < srv->fixtures->hosts ||
        fh >= srv->fixtures->hosts + srv->n_hosts)
        return NULL;
    return &srv->hosts[fh - srv->fixtures->hosts];
}

void xdi__session_begin(struct xdi_conn *c, struct xdi__host *host,
                        uint32_t agent_id)
{
    c->host = host;
    c->had_session = true;
    snprintf(c->had_system, sizeof(c->had_system), "%s",
             host->fixture->system_name);
    c->agent_id = agent_id;
    c->ems_sent = c->scd_sent = false;
    c->ems_acquired = c->scd_acquired = false;
    host->session = c;
    xdi__now(c->srv, &c->login_ts);
    c->srv->n_sessions++;
}

void xdi__session_end(struct xdi_conn *c)
{
    if (c->host == NULL)
        return;
    if (c->host->session == c)
        c->host->session = NULL;
    c->host = NULL; /* agent_id and had_system stay, for the journal */
    c->srv->n_sessions--;
}
