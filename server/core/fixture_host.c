/*
 * fixture_host.c - one `hosts:` entry of a fixture: system name, allowed
 * networks, password, and its `ems:` and `scd:` sections (whose events and
 * jobs fixture_event.c and fixture_job.c build).
 */
#include "fixture_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ======================================================================
 * system name, allowed networks, password
 * ==================================================================== */

static void parse_system(struct fx_ctx *c, struct xdi_host *h,
                         const yaml_node_t *node, const struct fx_field *f)
{
    const struct xdi_fixture_set *set = c->ld->set;

    if (f->value == NULL) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(node),
                      "host has no 'system' (its system name)");
        return;
    }
    if (xdi__fx_get_name(c, f, h->system_name) != 0)
        return;
    /* Hosts before this one are complete; names are unique set-wide. */
    for (const struct xdi_host *o = set->hosts; o < h; o++) {
        if (strcmp(o->system_name, h->system_name) == 0) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                          "system: host %s is already defined at %s:%d",
                          h->system_name, o->source_file, o->line);
            h->system_name[0] = '\0'; /* keep lookups on the first one */
            return;
        }
    }
}

/* The prefix after '/', or the family's full length without one. */
static int parse_prefix(const char *slash, unsigned max, unsigned *out)
{
    unsigned long v = 0;

    if (slash == NULL) {
        *out = max;
        return 0;
    }
    if (slash[1] == '\0' || strlen(slash + 1) > 3)
        return -1;
    for (const char *p = slash + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* 1 when some bit past the prefix is set. */
static int host_bits_set(const struct xdi_cidr *n)
{
    size_t len = n->family == AF_INET ? 4 : 16;

    for (size_t i = 0; i < len; i++) {
        unsigned keep = n->prefix >= (i + 1) * 8 ? 8
                        : n->prefix <= i * 8     ? 0
                                                 : n->prefix - (unsigned)i * 8;
        uint8_t mask = (uint8_t)(0xFFu >> keep);
        if (n->addr[i] & mask)
            return 1;
    }
    return 0;
}

/* An IPv4-mapped network (::ffff:a.b.c.d/96+) is stored as the IPv4
 * network it means: peers on a dual-stack socket are matched as IPv4. */
static void unmap_v4(struct xdi_cidr *n)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xFF, 0xFF};

    if (n->family != AF_INET6 || n->prefix < 96 ||
        memcmp(n->addr, mapped, sizeof mapped) != 0)
        return;
    memmove(n->addr, n->addr + 12, 4);
    memset(n->addr + 4, 0, 12);
    n->family = AF_INET;
    n->prefix -= 96;
}

/* "10.0.0.0/8", "::1/128", "192.0.2.7" (one address).  -1 not a network,
 * -2 host bits set. */
static int parse_cidr(const char *s, struct xdi_cidr *out)
{
    char addr[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);

    if (len == 0 || len >= sizeof addr)
        return -1;
    memcpy(addr, s, len);
    addr[len] = '\0';
    memset(out, 0, sizeof *out);
    out->family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
    if (inet_pton(out->family, addr, out->addr) != 1)
        return -1;
    if (parse_prefix(slash, out->family == AF_INET ? 32 : 128, &out->prefix) !=
        0)
        return -1;
    if (host_bits_set(out))
        return -2;
    unmap_v4(out);
    return 0;
}

static void parse_one_allow(struct fx_ctx *c, struct xdi_host *h,
                            yaml_node_t *item)
{
    struct fx_field f = {.name = "allow", .value = item};
    char *s;
    size_t len;
    int rc;

    if (xdi__fx_get_string(c, &f, &s, &len) != 0)
        return;
    rc = parse_cidr(s, &h->allowed[h->n_allowed]);
    if (rc == -1)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "allow: '%s' is not an IPv4 or IPv6 network (write "
                      "192.0.2.0/24, 2001:db8::/32, or one address)",
                      s);
    else if (rc == -2)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "allow: '%s' has bits set after the /prefix; write the "
                      "network's first address",
                      s);
    else
        h->n_allowed++;
    free(s);
}

static void parse_allow(struct fx_ctx *c, struct xdi_host *h,
                        const struct fx_field *f)
{
    yaml_node_t *v = f->value;

    /* One network may be written without the list brackets. */
    if (v->type == YAML_SCALAR_NODE && !xdi__fx_is_null(v)) {
        h->allowed =
            xdi__fx_alloc_array(c, 1, sizeof *h->allowed, xdi__fx_line(v));
        if (h->allowed != NULL)
            parse_one_allow(c, h, v);
        return;
    }
    if (xdi__fx_expect_sequence(c, v, "allow") != 0)
        return;
    if (xdi__fx_seq_len(v) == 0) {
        /* "No entry" reads as "nobody" as easily as "anybody": make the
         * person say which by leaving the key out. */
        xdi__fx_error(c->ld, c->file, xdi__fx_line(v),
                      "allow: empty list; leave 'allow' out to accept any "
                      "source address");
        return;
    }
    h->allowed = xdi__fx_alloc_array(c, xdi__fx_seq_len(v), sizeof *h->allowed,
                                     xdi__fx_line(v));
    if (h->allowed == NULL)
        return;
    for (yaml_node_item_t *i = v->data.sequence.items.start;
         i < v->data.sequence.items.top; i++) {
        yaml_node_t *item = xdi__fx_node(c, *i);
        if (item != NULL)
            parse_one_allow(c, h, item);
    }
}

static void parse_password(struct fx_ctx *c, struct xdi_host *h,
                           const struct fx_field *f)
{
    uint8_t field[NACCB_PASSWORD_SIZE];

    /* The login object is 8 EBCDIC bytes (docs/protocol.md §11). */
    xdi__fx_get_text(c, f, NACCB_PASSWORD_SIZE, field, sizeof field,
                     &h->password);
}

/* The exec command that cancels one of this host's jobs (z/OSMF's cancel,
 * docs/zosmf.md): 1..128 bytes like every exec command (docs/protocol.md
 * §8), &job and &jobid replaced when it is sent.  An 8-character job name
 * must still fit: the template is checked with the longest one. */
static void parse_cancel_command(struct fx_ctx *c, struct xdi_host *h,
                                 const struct fx_field *f)
{
    size_t len = 0;

    if (xdi__fx_get_text(c, f, NACCB_TEXT_MAX, NULL, 0, &h->cancel_command) !=
        0)
        return;
    for (const char *p = h->cancel_command; *p != '\0';) {
        if (strncmp(p, "&jobid", 6) == 0) {
            len += NACCB_NAME_SIZE;
            p += 6;
        } else if (strncmp(p, "&job", 4) == 0) {
            len += NACCB_NAME_SIZE;
            p += 4;
        } else {
            len++;
            p++;
        }
    }
    if (len > NACCB_TEXT_MAX)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "cancel_command: with an 8-character job name it is "
                      "%zu bytes, and an exec command is at most %d (never "
                      "truncated)",
                      len, NACCB_TEXT_MAX);
}

/* ======================================================================
 * the ems: and scd: sections
 * ==================================================================== */

enum { SEC_READY, SEC_LIST, SEC_RAW, SEC_N };

/* Splits a section; ready defaults to true (the section is there to be
 * served).  Returns -1 when it is not a mapping. */
static int parse_section(struct fx_ctx *c, const struct fx_field *sec,
                         struct fx_field *f, bool *ready)
{
    *ready = true;
    if (xdi__fx_expect_mapping(c, sec->value, sec->name) != 0)
        return -1;
    xdi__fx_fields(c, sec->value, sec->name, f, SEC_N);
    if (f[SEC_READY].value != NULL)
        xdi__fx_get_bool(c, &f[SEC_READY], ready);
    if (f[SEC_LIST].value != NULL && f[SEC_RAW].value != NULL) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f[SEC_RAW].key),
                      "%s: give either '%s' or 'raw', not both", sec->name,
                      f[SEC_LIST].name);
        return -1;
    }
    if (f[SEC_LIST].value != NULL &&
        xdi__fx_expect_sequence(c, f[SEC_LIST].value, f[SEC_LIST].name) != 0)
        return -1;
    return 0;
}

static void parse_ems(struct fx_ctx *c, struct xdi_host *h,
                      const struct fx_field *sec)
{
    struct fx_field f[SEC_N] = {
        {.name = "ready"},
        {.name = "events"},
        {.name = "raw"},
    };
    const yaml_node_t *v;

    if (parse_section(c, sec, f, &h->ems_ready) != 0)
        return;
    if (f[SEC_RAW].value != NULL) {
        xdi__fx_load_raw(c, h, &f[SEC_RAW], true);
        return;
    }
    v = f[SEC_LIST].value;
    if (v == NULL)
        return;
    h->events = xdi__fx_alloc_array(c, xdi__fx_seq_len(v), sizeof *h->events,
                                    xdi__fx_line(v));
    if (h->events == NULL)
        return;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (xdi__fx_expand(c, *it, xdi__fx_line(sec->key)) != 0)
            break;
        if (item != NULL)
            xdi__fx_parse_event(c, h, item, &h->events[h->n_events++]);
    }
}

static void parse_scd(struct fx_ctx *c, struct xdi_host *h,
                      const struct fx_field *sec)
{
    struct fx_field f[SEC_N] = {
        {.name = "ready"},
        {.name = "jobs"},
        {.name = "raw"},
    };
    const yaml_node_t *v;

    if (parse_section(c, sec, f, &h->scd_ready) != 0)
        return;
    if (f[SEC_RAW].value != NULL) {
        xdi__fx_load_raw(c, h, &f[SEC_RAW], false);
        return;
    }
    v = f[SEC_LIST].value;
    if (v == NULL)
        return;
    h->jobs = xdi__fx_alloc_array(c, xdi__fx_seq_len(v), sizeof *h->jobs,
                                  xdi__fx_line(v));
    if (h->jobs == NULL)
        return;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (xdi__fx_expand(c, *it, xdi__fx_line(sec->key)) != 0)
            break;
        if (item != NULL)
            xdi__fx_parse_job(c, h, item, &h->jobs[h->n_jobs++]);
    }
}

/* ======================================================================
 * the host
 * ==================================================================== */

/* Appends a zeroed host to the set.  The array may move: callers hold the
 * pointer only while parsing this one host. */
static struct xdi_host *new_host(struct fx_ctx *c, const yaml_node_t *node)
{
    struct fx_loader *ld = c->ld;
    struct xdi_fixture_set *set = ld->set;
    struct xdi_host *h;

    if (set->n_hosts == ld->hosts_cap) {
        size_t cap = ld->hosts_cap ? ld->hosts_cap * 2 : 8;
        h = realloc(set->hosts, cap * sizeof *h);
        if (h == NULL) {
            xdi__fx_nomem(ld, c->file, xdi__fx_line(node));
            return NULL;
        }
        set->hosts = h;
        ld->hosts_cap = cap;
    }
    h = &set->hosts[set->n_hosts++];
    memset(h, 0, sizeof *h);
    h->line = xdi__fx_line(node);
    h->source_file = strdup(c->file);
    if (h->source_file == NULL)
        xdi__fx_nomem(ld, c->file, h->line);
    return h;
}

enum { H_SYSTEM, H_ALLOW, H_PASSWORD, H_CANCEL, H_EMS, H_SCD, H_N };

void xdi__fx_parse_host(struct fx_ctx *c, const yaml_node_t *node)
{
    struct fx_field f[H_N] = {
        {.name = "system"}, {.name = "allow"}, {.name = "password"},
        {.name = "cancel_command"}, {.name = "ems"}, {.name = "scd"},
    };
    struct xdi_host *h;

    if (xdi__fx_expect_mapping(c, node, "host") != 0)
        return;
    h = new_host(c, node);
    if (h == NULL)
        return;
    xdi__fx_fields(c, node, "host", f, H_N);
    /* The system name goes into every EVBLOK and EOTINFO: first. */
    parse_system(c, h, node, &f[H_SYSTEM]);
    if (f[H_ALLOW].value != NULL)
        parse_allow(c, h, &f[H_ALLOW]);
    if (f[H_PASSWORD].value != NULL)
        parse_password(c, h, &f[H_PASSWORD]);
    if (f[H_CANCEL].value != NULL)
        parse_cancel_command(c, h, &f[H_CANCEL]);
    if (f[H_EMS].value != NULL)
        parse_ems(c, h, &f[H_EMS]);
    if (f[H_SCD].value != NULL)
        parse_scd(c, h, &f[H_SCD]);
}
