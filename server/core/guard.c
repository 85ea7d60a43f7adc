/*
 * guard.c - what keeps one peer from guessing logins or crowding out the
 * others (docs/security.md, "Logins"):
 *
 * - a failure budget per connection and per source address.  The reject
 *   of a failed login is held back (0 for the first, then login_delay_ms,
 *   doubling up to login_delay_max_ms, by the count of the connection or
 *   of its address, whichever is higher), and until it has gone out the
 *   connection's input waits, so a peer cannot pipeline its guesses past
 *   the delay.  The login_failures'th failure on a connection closes it;
 *   an address with login_failures_per_address failures (none more than
 *   the window apart) has every login refused until the window passes, so
 *   reconnecting resets nothing;
 * - a bound on connections open from one address;
 * - the takeover policy (a new login for a host with a live session);
 * - a rate limit on the violation records of one connection.
 *
 * Sans-IO like the rest of the core: the delay is a timer the network
 * layer runs (XDI_TIMER_DELAY), time is the injected clock.  Memory is
 * bounded: one entry per address with a connection open, and at most
 * XDI__ADDR_FAILED_MAX kept for their failures alone.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- time ---------------------------------------------------------------- */

/* Milliseconds from a to b; 0 when the clock went back. */
static uint64_t elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    int64_t ms = ((int64_t)b->tv_sec - (int64_t)a->tv_sec) * 1000 +
                 ((int64_t)b->tv_nsec - (int64_t)a->tv_nsec) / 1000000;
    return ms > 0 ? (uint64_t)ms : 0;
}

/* ---- addresses ------------------------------------------------------------ */

/* The key of an address: IPv4 whole, IPv6 by its /64 (the prefix one site
 * is given: a peer that holds a /64 has 2^64 addresses to try from). */
static void addr_key(const struct sockaddr_storage *ss, bool has_addr,
                     struct xdi__addr_key *k)
{
    memset(k, 0, sizeof(*k));
    if (!has_addr)
        return;
    if (ss->ss_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, ss, sizeof(in));
        k->family = AF_INET;
        memcpy(k->bytes, &in.sin_addr, 4);
    } else if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, ss, sizeof(in6));
        k->family = AF_INET6;
        memcpy(k->bytes, &in6.sin6_addr, 8);
    } else {
        k->family = (uint8_t)ss->ss_family;
    }
}

static size_t key_bucket(const struct xdi__addr_key *k)
{
    return (size_t)(xdi__fnv1a64((const uint8_t *)k, sizeof(*k)) %
                    XDI__ADDR_BUCKETS);
}

/* The entry of key k, made when make and there is none (NULL when out of
 * memory, or when not make and there is none). */
static struct xdi__addr *addr_find(struct xdi__guard *g,
                                   const struct xdi__addr_key *k, bool make)
{
    size_t b = key_bucket(k);
    struct xdi__addr *a;

    for (a = g->buckets[b]; a != NULL; a = a->next)
        if (memcmp(&a->key, k, sizeof(*k)) == 0)
            return a;
    if (!make)
        return NULL;
    a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->key = *k;
    a->next = g->buckets[b];
    g->buckets[b] = a;
    return a;
}

static void unlist(struct xdi__guard *g, struct xdi__addr *a)
{
    if (!a->listed)
        return;
    if (a->older != NULL)
        a->older->newer = a->newer;
    else
        g->oldest = a->newer;
    if (a->newer != NULL)
        a->newer->older = a->older;
    else
        g->newest = a->older;
    a->older = a->newer = NULL;
    a->listed = false;
    g->n_listed--;
}

/* Frees a when nothing keeps it: no connection open, no failure counted. */
static void addr_release(struct xdi__guard *g, struct xdi__addr *a)
{
    struct xdi__addr **pp;

    if (a->open > 0 || a->listed)
        return;
    for (pp = &g->buckets[key_bucket(&a->key)]; *pp != NULL;
         pp = &(*pp)->next) {
        if (*pp == a) {
            *pp = a->next;
            free(a);
            return;
        }
    }
}

/* a's failures no longer count. */
static void forget_failures(struct xdi__guard *g, struct xdi__addr *a)
{
    a->failures = 0;
    unlist(g, a);
    addr_release(g, a);
}

static bool expired(const struct xdi_server *srv, const struct xdi__addr *a,
                    const struct timespec *now)
{
    return elapsed_ms(&a->last_failure, now) >
           srv->cfg.login_failure_window_ms;
}

/* Forgets the failures that no longer count, oldest first, and the oldest
 * beyond XDI__ADDR_FAILED_MAX.  keep is spared (the caller holds it). */
static void sweep(struct xdi_server *srv, const struct timespec *now,
                  const struct xdi__addr *keep)
{
    struct xdi__guard *g = srv->guard;

    while (g->oldest != NULL && g->oldest != keep &&
           (expired(srv, g->oldest, now) || g->n_listed > XDI__ADDR_FAILED_MAX))
        forget_failures(g, g->oldest);
}

/* The failures of a that count now. */
static unsigned addr_failures(struct xdi_server *srv, struct xdi__addr *a,
                              const struct timespec *now)
{
    if (a == NULL || !a->listed)
        return 0;
    if (expired(srv, a, now)) {
        /* The caller's connection keeps a alive (open > 0). */
        a->failures = 0;
        unlist(srv->guard, a);
        return 0;
    }
    return a->failures;
}

/* One more failure from a, now the newest in the list. */
static void addr_fail(struct xdi_server *srv, struct xdi__addr *a,
                      const struct timespec *now)
{
    struct xdi__guard *g = srv->guard;

    addr_failures(srv, a, now); /* an old count starts again */
    if (a->failures < UINT32_MAX)
        a->failures++;
    a->last_failure = *now;
    unlist(g, a);
    a->older = g->newest;
    if (g->newest != NULL)
        g->newest->newer = a;
    else
        g->oldest = a;
    g->newest = a;
    a->listed = true;
    g->n_listed++;
    sweep(srv, now, a);
}

void xdi__guard_forget(struct xdi_server *srv)
{
    while (srv->guard->oldest != NULL)
        forget_failures(srv->guard, srv->guard->oldest);
}

int xdi__guard_init(struct xdi_server *srv)
{
    srv->guard = calloc(1, sizeof(*srv->guard));
    return srv->guard != NULL ? 0 : -1;
}

void xdi__guard_free(struct xdi_server *srv)
{
    struct xdi__guard *g = srv->guard;

    if (g == NULL)
        return;
    for (size_t b = 0; b < XDI__ADDR_BUCKETS; b++) {
        while (g->buckets[b] != NULL) {
            struct xdi__addr *a = g->buckets[b];
            g->buckets[b] = a->next;
            free(a);
        }
    }
    free(g);
    srv->guard = NULL;
}

void xdi__guard_conn_open(struct xdi_conn *c)
{
    struct xdi__addr_key k;

    addr_key(&c->addr, c->has_addr, &k);
    /* Out of memory: the connection goes unguarded rather than refused. */
    c->addr_entry = addr_find(c->srv->guard, &k, true);
    if (c->addr_entry != NULL)
        c->addr_entry->open++;
}

void xdi__guard_conn_free(struct xdi_conn *c)
{
    xdi__guard_drop(c);
    if (c->addr_entry == NULL)
        return;
    c->addr_entry->open--;
    addr_release(c->srv->guard, c->addr_entry);
    c->addr_entry = NULL;
}

/* A peer's address as the core keeps it (server.c's format_peer does the
 * same for connections). */
static void peer_storage(const struct sockaddr *peer,
                         struct sockaddr_storage *ss, bool *has)
{
    memset(ss, 0, sizeof(*ss));
    *has = peer != NULL;
    if (peer == NULL)
        return;
    if (peer->sa_family == AF_INET)
        memcpy(ss, peer, sizeof(struct sockaddr_in));
    else if (peer->sa_family == AF_INET6)
        memcpy(ss, peer, sizeof(struct sockaddr_in6));
    else
        ss->ss_family = peer->sa_family;
}

int xdi_server_admit(const struct xdi_server *srv, const struct sockaddr *peer)
{
    struct sockaddr_storage ss;
    struct xdi__addr_key k;
    struct xdi__addr *a;
    bool has;

    if (srv->cfg.max_connections_per_address == 0)
        return 0;
    peer_storage(peer, &ss, &has);
    addr_key(&ss, has, &k);
    a = addr_find(srv->guard, &k, false);
    return a != NULL && a->open >= srv->cfg.max_connections_per_address ? -1
                                                                        : 0;
}

unsigned xdi_server_address_failures(struct xdi_server *srv,
                                     const struct sockaddr *peer)
{
    struct sockaddr_storage ss;
    struct xdi__addr_key k;
    struct timespec now;
    bool has;
    struct xdi__addr *a;

    peer_storage(peer, &ss, &has);
    addr_key(&ss, has, &k);
    a = addr_find(srv->guard, &k, false);
    if (a == NULL)
        return 0;
    xdi__now(srv, &now);
    return a->listed && !expired(srv, a, &now) ? a->failures : 0;
}

bool xdi__guard_address_blocked(struct xdi_conn *c, unsigned *failures)
{
    struct xdi_server *srv = c->srv;
    struct timespec now;

    *failures = 0;
    if (srv->cfg.login_failures_per_address == 0 || c->addr_entry == NULL)
        return false;
    xdi__now(srv, &now);
    *failures = addr_failures(srv, c->addr_entry, &now);
    return *failures >= srv->cfg.login_failures_per_address;
}

/* ---- takeover ------------------------------------------------------------- */

/* The same IP address (the whole of it; the port does not count). */
static bool same_ip(const struct xdi_conn *a, const struct xdi_conn *b)
{
    if (!a->has_addr || !b->has_addr ||
        a->addr.ss_family != b->addr.ss_family)
        return false;
    if (a->addr.ss_family == AF_INET) {
        struct sockaddr_in x, y;
        memcpy(&x, &a->addr, sizeof(x));
        memcpy(&y, &b->addr, sizeof(y));
        return memcmp(&x.sin_addr, &y.sin_addr, sizeof(x.sin_addr)) == 0;
    }
    if (a->addr.ss_family == AF_INET6) {
        struct sockaddr_in6 x, y;
        memcpy(&x, &a->addr, sizeof(x));
        memcpy(&y, &b->addr, sizeof(y));
        return memcmp(&x.sin6_addr, &y.sin6_addr, sizeof(x.sin6_addr)) == 0;
    }
    return false;
}

bool xdi__guard_takeover_allowed(const struct xdi_conn *c,
                                 const struct xdi__host *host,
                                 const char **why)
{
    enum xdi_takeover t = c->srv->cfg.takeover;

    *why = NULL;
    if (t == XDI_TAKEOVER_ANY || host->session == NULL ||
        same_ip(c, host->session))
        return true;
    /* The login passed check_password: with a password configured, it
     * carried it. */
    if (t == XDI_TAKEOVER_PASSWORD && host->fixture->password != NULL)
        return true;
    *why = t == XDI_TAKEOVER_PASSWORD
               ? "the host has a live session from another address, and "
                 "the host has no password that could prove the right to "
                 "take it over (--takeover password)"
               : "the host has a live session from another address "
                 "(--takeover same-address)";
    return false;
}

const char *xdi_takeover_name(enum xdi_takeover t)
{
    switch (t) {
    case XDI_TAKEOVER_ANY:
        return "any";
    case XDI_TAKEOVER_SAME_ADDRESS:
        return "same-address";
    case XDI_TAKEOVER_PASSWORD:
        return "password";
    }
    return "unknown";
}

int xdi_takeover_parse(const char *name, enum xdi_takeover *t)
{
    static const enum xdi_takeover all[] = {
        XDI_TAKEOVER_ANY, XDI_TAKEOVER_SAME_ADDRESS, XDI_TAKEOVER_PASSWORD};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        if (strcmp(name, xdi_takeover_name(all[i])) == 0) {
            *t = all[i];
            return 0;
        }
    }
    return -1;
}

/* ---- failed logins -------------------------------------------------------- */

/* The hold of the reject of the nth failure: 0 for the first, then
 * login_delay_ms, doubling, at most login_delay_max_ms. */
static unsigned delay_for(const struct xdi_config *cfg, unsigned nth)
{
    uint64_t d;

    if (nth < 2 || cfg->login_delay_ms == 0)
        return 0;
    d = (uint64_t)cfg->login_delay_ms << (nth - 2 > 20 ? 20 : nth - 2);
    return d > cfg->login_delay_max_ms ? cfg->login_delay_max_ms : (unsigned)d;
}

/* Sends the reject described by d on c (its record d->rec goes with it),
 * then, when a budget ran out, journals "login_budget" and closes c. */
static void send_reject(struct xdi_conn *c, struct xdi__delayed *d)
{
    struct xdi__out out = {.key = NACCB_KEY_REJECT,
                           .error_code = d->error_code};
    struct xdi__rx answering;
    json_t *rec = d->rec;

    memset(&answering, 0, sizeof(answering));
    answering.seq = d->seq; /* all xdi__send takes from it */
    d->rec = NULL;
    xdi__send(c, &out, d->echo, &answering, rec);
    if (d->close_scope != NULL && !c->closing) {
        json_t *b = xdi__rec(c, "login_budget", d->echo);
        xdi__rec_str(b, "scope", d->close_scope);
        xdi__rec_int(b, "failures", d->close_failures);
        xdi__rec_int(b, "limit", d->close_limit);
        xdi__journal(c->srv, b);
        xdi__conn_close(c);
    }
}

void xdi__guard_login_failed(struct xdi_conn *c, const struct xdi__rx *rx,
                             uint8_t error_code, json_t *rec)
{
    struct xdi_server *srv = c->srv;
    const struct xdi_config *cfg = &srv->cfg;
    struct xdi__delayed d;
    struct timespec now;
    unsigned by_addr = 0, nth;

    memset(&d, 0, sizeof(d));
    xdi__now(srv, &now);
    if (c->login_failures < UINT32_MAX)
        c->login_failures++;
    if (c->addr_entry != NULL) {
        addr_fail(srv, c->addr_entry, &now);
        by_addr = c->addr_entry->failures;
    }
    nth = c->login_failures > by_addr ? c->login_failures : by_addr;
    d.rec = rec;
    d.error_code = error_code;
    memcpy(d.echo, rx->h.system_name, NACCB_NAME_SIZE);
    d.seq = rx->seq;
    d.ms = delay_for(cfg, nth);
    if (cfg->login_failures > 0 && c->login_failures >= cfg->login_failures) {
        d.close_scope = "connection";
        d.close_failures = c->login_failures;
        d.close_limit = cfg->login_failures;
    } else if (cfg->login_failures_per_address > 0 &&
               by_addr >= cfg->login_failures_per_address) {
        d.close_scope = "address";
        d.close_failures = by_addr;
        d.close_limit = cfg->login_failures_per_address;
    }
    xdi__rec_int(rec, "failures", c->login_failures);
    xdi__rec_int(rec, "address_failures", by_addr);
    xdi__rec_int(rec, "delay_ms", d.ms);
    if (d.ms == 0) {
        send_reject(c, &d);
        return;
    }
    c->delayed = d;
    c->delaying = true;
}

void xdi__guard_release(struct xdi_conn *c)
{
    uint8_t *held = c->held;
    size_t len = c->held_len;

    if (!c->delaying)
        return;
    c->delaying = false;
    /* Taken before the reject goes: a close it brings frees c's. */
    c->held = NULL;
    c->held_len = c->held_cap = 0;
    send_reject(c, &c->delayed);
    /* The input that waited is handled now, in order; it may hold back
     * another reject and keep what follows that in a new buffer. */
    if (held != NULL && !c->closing)
        xdi__conn_process(c, held, len);
    free(held);
}

bool xdi__guard_hold(struct xdi_conn *c, const uint8_t *p, size_t n)
{
    if (n == 0)
        return true;
    if (n > SIZE_MAX - c->held_len)
        return false;
    if (c->held_len + n > c->held_cap) {
        size_t cap = c->held_cap != 0 ? c->held_cap : 4096;
        while (cap < c->held_len + n)
            cap = cap > SIZE_MAX / 2 ? c->held_len + n : cap * 2;
        uint8_t *b = realloc(c->held, cap);
        if (b == NULL)
            return false;
        c->held = b;
        c->held_cap = cap;
    }
    memcpy(c->held + c->held_len, p, n);
    c->held_len += n;
    return true;
}

void xdi__guard_drop(struct xdi_conn *c)
{
    if (c->delaying) {
        struct xdi__out out = {.key = NACCB_KEY_REJECT,
                               .error_code = c->delayed.error_code};
        struct xdi__rx answering;
        json_t *rec = c->delayed.rec;

        c->delaying = false;
        c->delayed.rec = NULL;
        memset(&answering, 0, sizeof(answering));
        answering.seq = c->delayed.seq;
        /* On a closing connection nothing is sent: the record says
         * "dropped". */
        c->closing = true;
        xdi__send(c, &out, c->delayed.echo, &answering, rec);
    }
    free(c->held);
    c->held = NULL;
    c->held_len = c->held_cap = 0;
}

/* ---- violation records ---------------------------------------------------- */

void xdi__journal_violation(struct xdi_conn *c, json_t *rec, bool force)
{
    const struct xdi_config *cfg = &c->srv->cfg;
    uint64_t cap =
        (uint64_t)(cfg->violation_burst > 0 ? cfg->violation_burst : 1) * 1000;
    struct timespec now;

    if (cfg->violation_rate > 0) {
        xdi__now(c->srv, &now);
        if (!c->vio_started) {
            c->vio_started = true;
            c->vio_tokens = cap;
        } else {
            /* rate records a second is rate thousandths a millisecond. */
            uint64_t ms = elapsed_ms(&c->vio_ts, &now);
            uint64_t add = ms >= cap / cfg->violation_rate + 1
                               ? cap
                               : ms * cfg->violation_rate;
            c->vio_tokens = c->vio_tokens + add > cap ? cap
                                                      : c->vio_tokens + add;
        }
        c->vio_ts = now;
        if (c->vio_tokens < 1000 && !force) {
            c->vio_suppressed++;
            c->vio_suppressed_total++;
            json_decref(rec);
            return;
        }
        c->vio_tokens = c->vio_tokens >= 1000 ? c->vio_tokens - 1000 : 0;
    }
    if (c->vio_suppressed > 0) {
        xdi__rec_int(rec, "suppressed", (json_int_t)c->vio_suppressed);
        c->vio_suppressed = 0;
    }
    xdi__journal(c->srv, rec);
}
