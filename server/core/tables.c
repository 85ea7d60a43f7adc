/*
 * tables.c - each host's EMS and SCD tables, encoded once when the server
 * is created (design: "tables encoded once per host ... shared, reference-
 * counted, by every agent that acquires them").
 *
 * A table is the objects of its receive NACCB (docs/protocol.md §7):
 * 230-byte EVBLOKs or 162-byte EOTINFOs, in one xdi_blob that every
 * acquiring agent is sent behind its own header.  A host whose table is not
 * ready, or empty, has none: its agents get no-EMS / no-SCD (error 08).
 * Raw binary tables are served byte for byte.  Each table is also decoded
 * back from its blob, so the info checks match against exactly what the
 * agents were sent.
 *
 * A reload builds a second array of hosts the same way and compares tables
 * by their bytes: what decides whether an agent gets a replacement is what
 * it would be sent, not how the fixture spelled it.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* The blob from raw bytes: whole objects only, at least one. */
static struct xdi_blob *raw_blob(const uint8_t *raw, size_t len, size_t size)
{
    if (raw == NULL || len == 0 || len % size != 0)
        return NULL;
    return xdi_blob_new(raw, len);
}

/* §8: ET 03 and 04 never go into an agent's table. */
static size_t agent_events(const struct xdi_host *fh)
{
    size_t n = 0;

    for (size_t i = 0; i < fh->n_events; i++)
        n += naccb_event_type_for_agent(fh->events[i].evblok.event_type) != 0;
    return n;
}

/* Sets t from blob (which may be NULL).  A table whose NACCB would not
 * fit the 32-bit total length cannot be sent: it is dropped, and the agent
 * gets "not available". */
static void set_table(struct xdi__table *t, struct xdi_blob *blob,
                      uint32_t size)
{
    t->size = size;
    t->blob = NULL;
    t->count = 0;
    if (blob == NULL)
        return;
    if (blob->len / size > UINT32_MAX ||
        naccb_message_length((uint32_t)(blob->len / size), size) >
            UINT32_MAX) {
        xdi_blob_unref(blob);
        return;
    }
    t->blob = blob;
    t->count = (uint32_t)(blob->len / size);
}

/* The EMS blob of a host's events: their EVBLOKs that an agent may get. */
static int events_blob(const struct xdi_host *fh, struct xdi_blob **out)
{
    size_t n = agent_events(fh);
    size_t k = 0;

    *out = NULL;
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / NACCB_EVBLOK_SIZE)
        return -1;
    *out = xdi_blob_new(NULL, n * NACCB_EVBLOK_SIZE);
    if (*out == NULL)
        return -1;
    for (size_t i = 0; i < fh->n_events; i++) {
        const struct naccb_evblok *e = &fh->events[i].evblok;
        if (naccb_event_type_for_agent(e->event_type))
            naccb_evblok_encode(e, (*out)->data + NACCB_EVBLOK_SIZE * k++);
    }
    return 0;
}

static int jobs_blob(const struct xdi_host *fh, struct xdi_blob **out)
{
    *out = NULL;
    if (fh->n_jobs == 0)
        return 0;
    if (fh->n_jobs > SIZE_MAX / NACCB_EOTINFO_SIZE)
        return -1;
    *out = xdi_blob_new(NULL, fh->n_jobs * NACCB_EOTINFO_SIZE);
    if (*out == NULL)
        return -1;
    for (size_t i = 0; i < fh->n_jobs; i++)
        naccb_eotinfo_encode(&fh->jobs[i].entry,
                             (*out)->data + NACCB_EOTINFO_SIZE * i);
    return 0;
}

/* The EMS table, decoded back, with the fixture event behind each EVBLOK
 * (NULL for a raw table). */
static int build_ems(struct xdi__host *h)
{
    const struct xdi_host *fh = h->fixture;
    struct xdi_blob *blob = NULL;
    size_t k = 0;

    if (fh->ems_ready) {
        if (fh->ems_raw != NULL)
            blob = raw_blob(fh->ems_raw, fh->ems_raw_len, NACCB_EVBLOK_SIZE);
        else if (events_blob(fh, &blob) != 0)
            return -1;
    }
    set_table(&h->ems, blob, NACCB_EVBLOK_SIZE);
    if (h->ems.blob == NULL)
        return 0;
    h->evbloks = calloc(h->ems.count, sizeof(*h->evbloks));
    h->evblok_events = calloc(h->ems.count, sizeof(*h->evblok_events));
    if (h->evbloks == NULL || h->evblok_events == NULL)
        return -1;
    for (uint32_t i = 0; i < h->ems.count; i++)
        naccb_evblok_decode(h->ems.blob->data + (size_t)i * NACCB_EVBLOK_SIZE,
                            &h->evbloks[i]);
    if (xdi__evindex_build(&h->ems_index, h->evbloks, h->ems.count) != 0)
        return -1;
    if (fh->ems_raw == NULL)
        for (size_t i = 0; i < fh->n_events; i++)
            if (naccb_event_type_for_agent(fh->events[i].evblok.event_type))
                h->evblok_events[k++] = &fh->events[i];
    return 0;
}

static int build_scd(struct xdi__host *h)
{
    const struct xdi_host *fh = h->fixture;
    struct xdi_blob *blob = NULL;

    if (fh->scd_ready) {
        if (fh->scd_raw != NULL)
            blob = raw_blob(fh->scd_raw, fh->scd_raw_len, NACCB_EOTINFO_SIZE);
        else if (jobs_blob(fh, &blob) != 0)
            return -1;
    }
    set_table(&h->scd, blob, NACCB_EOTINFO_SIZE);
    if (h->scd.blob == NULL)
        return 0;
    h->entries = calloc(h->scd.count, sizeof(*h->entries));
    h->entry_jobs = calloc(h->scd.count, sizeof(*h->entry_jobs));
    if (h->entries == NULL || h->entry_jobs == NULL)
        return -1;
    for (uint32_t i = 0; i < h->scd.count; i++) {
        naccb_eotinfo_decode(h->scd.blob->data + (size_t)i * NACCB_EOTINFO_SIZE,
                             &h->entries[i]);
        if (fh->scd_raw == NULL)
            h->entry_jobs[i] = &fh->jobs[i];
    }
    return 0;
}

/* The system name as it goes on the wire, with the set's code page. */
static void build_name(struct xdi__host *h, enum naccb_codepage cp)
{
    const char *name = h->fixture->system_name;

    h->name_ok = naccb_field_put(cp, h->wire_name, NACCB_NAME_SIZE, name,
                                 strlen(name)) == 0 &&
                 name[0] != '\0';
}

void xdi__hosts_free(struct xdi__host *hosts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct xdi__host *h = &hosts[i];
        xdi_blob_unref(h->ems.blob);
        xdi_blob_unref(h->scd.blob);
        free(h->evbloks);
        xdi__evindex_free(&h->ems_index);
        free(h->evblok_events);
        free(h->entries);
        free(h->entry_jobs);
        xdi_fixture_free(h->ems_set);
        xdi_fixture_free(h->scd_set);
    }
    free(hosts);
}

int xdi__table_override(struct xdi__host *h, bool ems,
                        struct xdi_fixture_set *set,
                        const struct xdi_host *from)
{
    struct xdi__host t;

    memset(&t, 0, sizeof t);
    t.fixture = from;
    if ((ems ? build_ems(&t) : build_scd(&t)) != 0) {
        xdi_blob_unref(t.ems.blob);
        xdi_blob_unref(t.scd.blob);
        free(t.evbloks);
        xdi__evindex_free(&t.ems_index);
        free(t.evblok_events);
        free(t.entries);
        free(t.entry_jobs);
        return -1;
    }
    if (ems) {
        xdi_blob_unref(h->ems.blob);
        free(h->evbloks);
        xdi__evindex_free(&h->ems_index);
        free(h->evblok_events);
        xdi_fixture_free(h->ems_set);
        h->ems = t.ems;
        h->evbloks = t.evbloks;
        h->ems_index = t.ems_index;
        h->evblok_events = t.evblok_events;
        h->ems_set = set;
    } else {
        xdi_blob_unref(h->scd.blob);
        free(h->entries);
        free(h->entry_jobs);
        xdi_fixture_free(h->scd_set);
        h->scd = t.scd;
        h->entries = t.entries;
        h->entry_jobs = t.entry_jobs;
        h->scd_set = set;
    }
    return 0;
}

int xdi__hosts_build(const struct xdi_fixture_set *set,
                     struct xdi__host **out, size_t *n_out)
{
    size_t n = set->n_hosts;
    struct xdi__host *hosts = calloc(n ? n : 1, sizeof(*hosts));

    *out = NULL;
    *n_out = 0;
    if (hosts == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct xdi__host *h = &hosts[i];
        h->fixture = &set->hosts[i];
        build_name(h, set->codepage);
        if (build_ems(h) != 0 || build_scd(h) != 0) {
            /* calloc'ed: the hosts not reached yet hold nothing to free. */
            xdi__hosts_free(hosts, n);
            return -1;
        }
    }
    *out = hosts;
    *n_out = n;
    return 0;
}

int xdi__tables_build(struct xdi_server *srv)
{
    return xdi__hosts_build(srv->fixtures, &srv->hosts, &srv->n_hosts);
}

void xdi__tables_free(struct xdi_server *srv)
{
    xdi__hosts_free(srv->hosts, srv->n_hosts);
    srv->hosts = NULL;
    srv->n_hosts = 0;
}

bool xdi__table_same(const struct xdi__table *a, const struct xdi__table *b)
{
    if (a->blob == NULL || b->blob == NULL)
        return a->blob == b->blob;
    return a->blob->len == b->blob->len &&
           memcmp(a->blob->data, b->blob->data, a->blob->len) == 0;
}
