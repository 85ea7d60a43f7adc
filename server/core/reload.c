/*
 * reload.c - hot reload: a new fixture set swapped in under live sessions
 * (xdi_server_reload in server.h; docs/protocol.md §7 "replace EMS /
 * SCD" and §11.1 step 5).
 *
 * The network layer only watches the files, loads the new set and calls
 * in; what changed and what each agent is sent is decided here, all or
 * nothing: every allocation happens before the first byte goes out, so an
 * out-of-memory leaves the old set, the old tables and every session as
 * they were.
 *
 * A host of the new set is "the same host" as an old one when its system
 * name is the same both as text and on the wire (a new code page changes
 * the wire name, which the agent's session uses in every NACCB: that is a
 * removed host and a new one).  Its tables are compared by their bytes
 * (tables.c).  Decisions where the notes are silent, in docs/fixtures.md
 * "Reload": a session whose host is gone gets shutdown and is closed (it
 * could not send a NACCB that passes the system-name check any more);
 * only a session that acquired a table gets its replacement (one that
 * never asked gets the current table when it asks); held triggers for a
 * host that is gone are dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define NO_HOST ((size_t)-1)
/* The loader's messages a refused reload's record keeps. */
#define MAX_MESSAGES 20

/* What happens to the hosts: old -> new index, and per new host whether
 * its tables differ from its old host's. */
struct plan {
    size_t *new_of;   /* per old host: the new host, or NO_HOST */
    bool *ems_changed; /* per new host */
    bool *scd_changed;
    bool *existed;    /* per new host: had an old host */
};

static void plan_free(struct plan *p)
{
    free(p->new_of);
    free(p->ems_changed);
    free(p->scd_changed);
    free(p->existed);
}

/* The new host that continues old host o, or NO_HOST. */
static size_t continued_by(const struct xdi__host *o,
                           const struct xdi_fixture_set *set,
                           const struct xdi__host *nh)
{
    const struct xdi_host *fh =
        xdi_fixture_find_host(set, o->fixture->system_name);
    size_t j;

    if (fh == NULL || fh < set->hosts || fh >= set->hosts + set->n_hosts)
        return NO_HOST;
    j = (size_t)(fh - set->hosts);
    if (nh[j].name_ok != o->name_ok ||
        memcmp(nh[j].wire_name, o->wire_name, NACCB_NAME_SIZE) != 0)
        return NO_HOST;
    return j;
}

static int plan_make(const struct xdi_server *srv,
                     const struct xdi_fixture_set *set,
                     const struct xdi__host *nh, size_t nn, struct plan *p)
{
    memset(p, 0, sizeof(*p));
    p->new_of = calloc(srv->n_hosts ? srv->n_hosts : 1, sizeof(*p->new_of));
    p->ems_changed = calloc(nn ? nn : 1, sizeof(bool));
    p->scd_changed = calloc(nn ? nn : 1, sizeof(bool));
    p->existed = calloc(nn ? nn : 1, sizeof(bool));
    if (p->new_of == NULL || p->ems_changed == NULL ||
        p->scd_changed == NULL || p->existed == NULL) {
        plan_free(p);
        return -1;
    }
    for (size_t i = 0; i < srv->n_hosts; i++) {
        const struct xdi__host *o = &srv->hosts[i];
        size_t j = continued_by(o, set, nh);
        p->new_of[i] = j;
        if (j == NO_HOST)
            continue;
        p->existed[j] = true;
        p->ems_changed[j] = !xdi__table_same(&o->ems, &nh[j].ems);
        p->scd_changed[j] = !xdi__table_same(&o->scd, &nh[j].scd);
    }
    return 0;
}

/* ---- the record ----------------------------------------------------------- */

static void add_name(json_t *list, const char *name)
{
    if (list != NULL)
        json_array_append_new(list, json_string(name));
}

static json_t *reload_record(const char *cause, const char *outcome)
{
    json_t *rec = json_object();

    xdi__rec_str(rec, "event", "reload");
    xdi__rec_str(rec, "cause", cause != NULL ? cause : "api");
    xdi__rec_str(rec, "outcome", outcome);
    return rec;
}

/* What changed, host by host (system names, in fixture order). */
static void record_changes(json_t *rec, const struct xdi_server *srv,
                           const struct xdi__host *nh, size_t nn,
                           const struct plan *p)
{
    json_t *added = json_array(), *removed = json_array();
    json_t *ems = json_array(), *scd = json_array();

    for (size_t i = 0; i < srv->n_hosts; i++)
        if (p->new_of[i] == NO_HOST)
            add_name(removed, srv->hosts[i].fixture->system_name);
    for (size_t j = 0; j < nn; j++) {
        const char *name = nh[j].fixture->system_name;
        if (!p->existed[j])
            add_name(added, name);
        if (p->ems_changed[j])
            add_name(ems, name);
        if (p->scd_changed[j])
            add_name(scd, name);
    }
    xdi__rec_int(rec, "hosts", (json_int_t)nn);
    if (rec != NULL) {
        json_object_set_new(rec, "hosts_added", added);
        json_object_set_new(rec, "hosts_removed", removed);
        json_object_set_new(rec, "ems_changed", ems);
        json_object_set_new(rec, "scd_changed", scd);
    } else {
        json_decref(added);
        json_decref(removed);
        json_decref(ems);
        json_decref(scd);
    }
}

/* ---- what the sessions are sent ------------------------------------------ */

/* The host of c's session is gone: shutdown, then close. */
static void host_gone(struct xdi_conn *c)
{
    struct xdi__out out = {.key = NACCB_KEY_SHUTDOWN};
    json_t *rec = xdi__rec(c, "host_removed", NULL);

    xdi__rec_str(rec, "reason", "the reloaded fixture set has no host of "
                                "this system name (as sent on the wire)");
    xdi__journal(c->srv, rec);
    xdi__send(c, &out, NULL, NULL, NULL);
    xdi__conn_close(c);
}

static bool target_exists(struct xdi_server *srv, const struct xdi__held *h)
{
    return xdi__host_by_name(srv, h->target) != NULL;
}

/* ---- the swap ------------------------------------------------------------- */

/* Sessions of hosts that are gone are ended; the others move to their new
 * host (still before the swap: the old hosts are valid). */
static void move_sessions(struct xdi_server *srv, struct xdi__host *nh,
                          const struct plan *p)
{
    for (struct xdi_conn *c = srv->conns; c != NULL; c = c->next) {
        size_t j;
        if (c->host == NULL)
            continue;
        j = p->new_of[c->host - srv->hosts];
        if (j == NO_HOST) {
            host_gone(c);
            continue;
        }
        c->host = &nh[j];
        nh[j].session = c;
    }
}

static void send_replacements(struct xdi_server *srv, struct xdi__host *nh,
                              const struct plan *p)
{
    for (struct xdi_conn *c = srv->conns; c != NULL; c = c->next) {
        size_t j;
        if (c->host == NULL)
            continue;
        j = (size_t)(c->host - nh);
        if (p->ems_changed[j] && c->ems_acquired)
            xdi__send_table(c, true, true, NULL);
        if (c->host != NULL && p->scd_changed[j] && c->scd_acquired)
            xdi__send_table(c, false, true, NULL);
    }
}

int xdi_server_reload(struct xdi_server *srv, struct xdi_fixture_set *new_set,
                      const char *cause)
{
    struct xdi__host *nh = NULL, *old_hosts;
    struct xdi_fixture_set *old_set;
    size_t nn = 0, old_n;
    struct plan p;
    json_t *rec;

    if (srv == NULL || new_set == NULL)
        return -1;
    if (srv->stopping) {
        rec = reload_record(cause, "refused");
        xdi__rec_str(rec, "reason", "the server is stopping");
        xdi__journal(srv, rec);
        return -1;
    }
    if (xdi__hosts_build(new_set, &nh, &nn) != 0 ||
        plan_make(srv, new_set, nh, nn, &p) != 0) {
        xdi__hosts_free(nh, nn);
        rec = reload_record(cause, "refused");
        xdi__rec_str(rec, "reason", "out of memory");
        xdi__journal(srv, rec);
        return -1;
    }
    rec = reload_record(cause, "applied");
    record_changes(rec, srv, nh, nn, &p);
    xdi__journal(srv, rec);
    move_sessions(srv, nh, &p);
    old_hosts = srv->hosts;
    old_n = srv->n_hosts;
    old_set = srv->fixtures;
    srv->hosts = nh;
    srv->n_hosts = nn;
    srv->fixtures = new_set;
    send_replacements(srv, nh, &p);
    xdi__held_drop(srv, target_exists, "host_removed");
    /* Sent tables are referenced by the network layer (the send callback
     * took its own references), not by the old hosts. */
    xdi__hosts_free(old_hosts, old_n);
    xdi_fixture_free(old_set);
    plan_free(&p);
    return 0;
}

void xdi_server_reload_refused(struct xdi_server *srv, const char *cause,
                               int errors, const char *const *messages,
                               size_t n_messages)
{
    json_t *rec = reload_record(cause, "refused");
    json_t *list = json_array();

    xdi__rec_int(rec, "errors", errors);
    for (size_t i = 0; i < n_messages && i < MAX_MESSAGES; i++)
        if (messages[i] != NULL)
            add_name(list, messages[i]);
    if (rec != NULL)
        json_object_set_new(rec, "messages", list);
    else
        json_decref(list);
    xdi__rec_str(rec, "reason", "the fixture set did not load; the old "
                                "set stays in force");
    xdi__journal(srv, rec);
}
