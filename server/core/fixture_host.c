/*
 * fixture_host.c - one `hosts:` entry of a fixture: system name, allowed
 * networks, password, and the EMS events and SCD jobs it serves.
 *
 * Each EVBLOK and EOTINFO is built field by field from the YAML, then
 * checked by the codec's own validator (naccb_evblok_validate,
 * naccb_eotinfo_validate as a table entry), so the loader and the codec
 * cannot disagree on what is valid to send.  A rule the validator finds is
 * reported at the line of the YAML key that produced the failing field.
 */
#include "fixture_internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))

static size_t seq_len(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top -
                    seq->data.sequence.items.start);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);

    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

/* Array of n zeroed elements; n == 0 gives NULL without an error. */
static void *alloc_array(struct fx_ctx *c, size_t n, size_t size, int line)
{
    void *p;

    if (n == 0)
        return NULL;
    p = calloc(n, size);
    if (p == NULL)
        xdi__fx_nomem(c->ld, c->file, line);
    return p;
}

/* A Latin-1 text of at most max characters (and at least 1), converted
 * with the set's code page into a blank-padded field of width bytes when
 * field is not NULL.  *out (may be NULL) receives the text. */
static int get_text(struct fx_ctx *c, const struct fx_field *f, size_t max,
                    uint8_t *field, size_t width, char **out)
{
    char *s;
    size_t len;

    if (xdi__fx_get_string(c, f, &s, &len) != 0)
        return -1;
    if (len == 0 || len > max) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: %zu characters long; it must have 1 to %zu "
                      "(never truncated)",
                      f->name, len, max);
        free(s);
        return -1;
    }
    if (field != NULL)
        naccb_field_put(c->ld->set->codepage, field, width, s, len);
    if (out != NULL)
        *out = s;
    else
        free(s);
    return 0;
}

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
        h->allowed = alloc_array(c, 1, sizeof *h->allowed, xdi__fx_line(v));
        if (h->allowed != NULL)
            parse_one_allow(c, h, v);
        return;
    }
    if (xdi__fx_expect_sequence(c, v, "allow") != 0)
        return;
    if (seq_len(v) == 0) {
        /* "No entry" reads as "nobody" as easily as "anybody": make the
         * person say which by leaving the key out. */
        xdi__fx_error(c->ld, c->file, xdi__fx_line(v),
                      "allow: empty list; leave 'allow' out to accept any "
                      "source address");
        return;
    }
    h->allowed =
        alloc_array(c, seq_len(v), sizeof *h->allowed, xdi__fx_line(v));
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

    /* The login object is 8 EBCDIC bytes (protocol-notes section 9). */
    get_text(c, f, NACCB_PASSWORD_SIZE, field, sizeof field, &h->password);
}

/* ======================================================================
 * EMS events
 * ==================================================================== */

/* Lines of the YAML values behind the EVBLOK's fields, so that a rule the
 * validator finds is reported where the person wrote the value. */
struct evblok_lines {
    int entry, key, kl, vl, text, type, start_date, end_date, start_time,
        end_time, days;
};

struct evblok_field {
    size_t offset;
    const char *name;
};

/* Field names as protocol-notes section 7 writes them, by offset. */
static const struct evblok_field evblok_fields[] = {
    {NACCB_EVB_SYSTEM_NAME, "system name"},
    {NACCB_EVB_EVENT_KEY, "event key"},
    {NACCB_EVB_ADDITIONAL_TEXT, "additional text"},
    {NACCB_EVB_IL, "IL"},
    {NACCB_EVB_KL, "KL"},
    {NACCB_EVB_VL, "VL"},
    {NACCB_EVB_SDATE, "SDATE"},
    {NACCB_EVB_EDATE, "EDATE"},
    {NACCB_EVB_STIME, "STIME"},
    {NACCB_EVB_STSEC, "STSEC"},
    {NACCB_EVB_ETIME, "ETIME"},
    {NACCB_EVB_ETSEC, "ETSEC"},
    {NACCB_EVB_DAY_LIST, "day-list"},
    {NACCB_EVB_EVENT_TYPE, "ET"},
    {NACCB_EVB_RESERVED, "reserved"},
    {NACCB_EVB_SSDT, "SSDT"},
    {NACCB_EVB_ESDT, "ESDT"},
    {NACCB_EVB_USER_AREA, "user working area"},
};

const char *xdi__fx_evblok_field_name(size_t offset)
{
    const char *name = "?";

    for (size_t i = 0; i < COUNT_(evblok_fields); i++)
        if (evblok_fields[i].offset <= offset)
            name = evblok_fields[i].name;
    return name;
}

/* The YAML key and its line for a failing EVBLOK field. */
static int evblok_line(const struct evblok_lines *l, size_t offset,
                       const char **key)
{
    switch (offset) {
    case NACCB_EVB_EVENT_KEY:
        *key = "key";
        return l->key;
    case NACCB_EVB_ADDITIONAL_TEXT:
        *key = "text";
        return l->text;
    case NACCB_EVB_IL:
    case NACCB_EVB_KL:
        *key = "kl";
        return l->kl;
    case NACCB_EVB_VL:
        *key = "vl";
        return l->vl;
    case NACCB_EVB_SDATE:
    case NACCB_EVB_SSDT:
        *key = "start_date";
        return l->start_date;
    case NACCB_EVB_EDATE:
    case NACCB_EVB_ESDT:
        *key = "end_date";
        return l->end_date;
    case NACCB_EVB_STIME:
    case NACCB_EVB_STSEC:
        *key = "start_time";
        return l->start_time;
    case NACCB_EVB_ETIME:
    case NACCB_EVB_ETSEC:
        *key = "end_time";
        return l->end_time;
    case NACCB_EVB_DAY_LIST:
        *key = "days";
        return l->days;
    case NACCB_EVB_EVENT_TYPE:
        *key = "type";
        return l->type;
    default:
        *key = "event";
        return l->entry;
    }
}

static void validate_evblok(struct fx_ctx *c, const struct naccb_evblok *e,
                            const struct evblok_lines *l)
{
    size_t off = 0;
    const char *key;
    int rc = naccb_evblok_validate(e, &off);
    int line;

    if (rc == 0)
        return;
    line = evblok_line(l, off, &key);
    xdi__fx_error(c->ld, c->file, line,
                  "%s: %s (EVBLOK field %s at offset %zu)%s", key,
                  naccb_strerror(rc), xdi__fx_evblok_field_name(off), off,
                  rc == NACCB_ETIME_ORDER
                      ? "; a frame cannot span midnight: use two events"
                      : "");
}

struct event_type_name {
    const char *name;
    unsigned et;
};

/* The short names people write, and the codec's long ones. */
static const struct event_type_name event_type_names[] = {
    {"message", NACCB_ET_MESSAGE},
    {"command", NACCB_ET_COMMAND},
    {"time-of-day", NACCB_ET_TIME_OF_DAY},
    {"end-of-task", NACCB_ET_END_OF_TASK},
    {"eos", NACCB_ET_EOS},
    {"end-of-jobstep", NACCB_ET_EOS},
    {"eoj", NACCB_ET_EOJ},
    {"end-of-job", NACCB_ET_EOJ},
};

static int parse_event_type(struct fx_ctx *c, const struct fx_field *f,
                            uint8_t *et)
{
    char *s;
    size_t len;
    unsigned found = 0;

    if (xdi__fx_get_string(c, f, &s, &len) != 0)
        return -1;
    for (size_t i = 0; i < COUNT_(event_type_names); i++)
        if (strcmp(s, event_type_names[i].name) == 0)
            found = event_type_names[i].et;
    if (found == 0)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "type: unknown event type '%.40s' (use message, command, "
                      "eos or eoj)",
                      s);
    else if (!naccb_event_type_for_agent(found))
        xdi__fx_error(
            c->ld, c->file, xdi__fx_line(f->value),
            "type: %s events are not for agents (protocol-notes "
            "section 7); an agent's table holds message, command, eos "
            "and eoj events",
            s);
    free(s);
    if (found == 0 || !naccb_event_type_for_agent(found))
        return -1;
    *et = (uint8_t)found;
    return 0;
}

struct day_name {
    const char *short_name, *long_name;
};

/* Day-list order: byte 0 is Sunday (protocol-notes section 7). */
static const struct day_name day_names[7] = {
    {"sun", "sunday"},    {"mon", "monday"},   {"tue", "tuesday"},
    {"wed", "wednesday"}, {"thu", "thursday"}, {"fri", "friday"},
    {"sat", "saturday"},
};

static int day_index(const char *s)
{
    for (int i = 0; i < 7; i++)
        if (strcmp(s, day_names[i].short_name) == 0 ||
            strcmp(s, day_names[i].long_name) == 0)
            return i;
    return -1;
}

/* all, weekdays, weekend, none: the sets people name most. */
static int parse_day_word(const char *s, uint8_t days[7])
{
    static const struct {
        const char *word;
        uint8_t days[7];
    } words[] = {
        {"all", {1, 1, 1, 1, 1, 1, 1}},
        {"weekdays", {0, 1, 1, 1, 1, 1, 0}},
        {"weekend", {1, 0, 0, 0, 0, 0, 1}},
        {"none", {0, 0, 0, 0, 0, 0, 0}},
    };

    for (size_t i = 0; i < COUNT_(words); i++) {
        if (strcmp(s, words[i].word) == 0) {
            memcpy(days, words[i].days, 7);
            return 0;
        }
    }
    return -1;
}

static int parse_day_list(struct fx_ctx *c, const yaml_node_t *v,
                          uint8_t days[7])
{
    int rc = 0;

    memset(days, 0, 7);
    for (yaml_node_item_t *i = v->data.sequence.items.start;
         i < v->data.sequence.items.top; i++) {
        yaml_node_t *item = xdi__fx_node(c, *i);
        int d = item != NULL && item->type == YAML_SCALAR_NODE
                    ? day_index((const char *)item->data.scalar.value)
                    : -1;
        if (item == NULL)
            continue;
        if (d < 0) {
            xdi__fx_error(
                c->ld, c->file, xdi__fx_line(item),
                "days: not a day of the week (use sun, mon, tue, wed, "
                "thu, fri, sat)");
            rc = -1;
        } else if (days[d]) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                          "days: %s is listed twice", day_names[d].short_name);
            rc = -1;
        }
        if (d >= 0)
            days[d] = 1;
    }
    return rc;
}

static int parse_days(struct fx_ctx *c, const struct fx_field *f,
                      uint8_t days[7])
{
    const yaml_node_t *v = f->value;

    if (v->type == YAML_SEQUENCE_NODE)
        return parse_day_list(c, v, days);
    if (v->type == YAML_SCALAR_NODE &&
        parse_day_word((const char *)v->data.scalar.value, days) == 0)
        return 0;
    xdi__fx_error(
        c->ld, c->file, xdi__fx_line(v),
        "days: expected a list of days ([mon, tue, ...]) or one of all, "
        "weekdays, weekend, none");
    return -1;
}

enum { FR_SDATE, FR_EDATE, FR_STIME, FR_ETIME, FR_DAYS, FR_HOLIDAYS, FR_N };

/* Dates as both forms the EVBLOK carries: Julian and calendar. */
static void put_date(const struct naccb_date *d, uint32_t *julian,
                     uint32_t *std)
{
    int yday = 0;

    naccb_date_to_julian(d, &yday);
    *julian = naccb_julian_encode(d->year, yday);
    *std = naccb_date_encode(d);
}

static void put_time(const struct naccb_time *t, uint32_t *packed,
                     uint32_t *seconds)
{
    *packed = naccb_time_encode(t);
    *seconds = naccb_time_seconds(t);
}

/* One frame date or time key: parsed into its two wire forms, and its
 * line noted for the validator's messages.  0 when absent. */
static int frame_date(struct fx_ctx *c, const struct fx_field *f,
                      uint32_t *julian, uint32_t *std, int *line)
{
    struct naccb_date d;

    if (f->value == NULL)
        return 0;
    *line = xdi__fx_line(f->value);
    if (xdi__fx_get_date(c, f, &d) != 0)
        return -1;
    put_date(&d, julian, std);
    return 0;
}

static int frame_time(struct fx_ctx *c, const struct fx_field *f,
                      uint32_t *packed, uint32_t *seconds, int *line)
{
    struct naccb_time t;

    if (f->value == NULL)
        return 0;
    *line = xdi__fx_line(f->value);
    if (xdi__fx_get_time(c, f, &t) != 0)
        return -1;
    put_time(&t, packed, seconds);
    return 0;
}

static int frame_holidays(struct fx_ctx *c, const struct fx_field *f,
                          uint8_t *flag)
{
    bool holidays;

    if (f->value == NULL)
        return 0;
    if (xdi__fx_get_bool(c, f, &holidays) != 0)
        return -1;
    *flag = holidays ? 1 : 0;
    return 0;
}

/* Every key is optional and defaults to the "always" frame's value.  The
 * defaults are the extremes (1900-01-01, 23:59:59, ...), so a rule that
 * relates two fields can only fail at a key that was written. */
static int parse_frame(struct fx_ctx *c, const struct fx_field *frame,
                       struct naccb_evblok *e, struct evblok_lines *l)
{
    struct fx_field f[FR_N] = {
        {.name = "start_date"}, {.name = "end_date"}, {.name = "start_time"},
        {.name = "end_time"},   {.name = "days"},     {.name = "holidays"},
    };
    int bad = 0;

    naccb_evblok_set_always(e);
    if (xdi__fx_expect_mapping(c, frame->value, "frame") != 0)
        return -1;
    xdi__fx_fields(c, frame->value, "frame", f, FR_N);
    bad |= frame_date(c, &f[FR_SDATE], &e->sdate, &e->ssdt, &l->start_date);
    bad |= frame_date(c, &f[FR_EDATE], &e->edate, &e->esdt, &l->end_date);
    bad |= frame_time(c, &f[FR_STIME], &e->stime, &e->stsec, &l->start_time);
    bad |= frame_time(c, &f[FR_ETIME], &e->etime, &e->etsec, &l->end_time);
    if (f[FR_DAYS].value != NULL) {
        l->days = xdi__fx_line(f[FR_DAYS].value);
        bad |= parse_days(c, &f[FR_DAYS], e->day_list);
    }
    bad |= frame_holidays(c, &f[FR_HOLIDAYS], &e->day_list[7]);
    return bad ? -1 : 0;
}

enum {
    EV_KEY,
    EV_KL,
    EV_VL,
    EV_TYPE,
    EV_TEXT,
    EV_FRAME,
    EV_ACTION,
    EV_TARGET,
    EV_N
};

/* The key, and KL: by default the key's length; shorter makes only the
 * first KL characters significant.  Longer is an error: the blanks it
 * would make significant belong in the key, where a reader sees them. */
static int parse_key(struct fx_ctx *c, const yaml_node_t *node,
                     struct fx_field *f, struct naccb_evblok *e)
{
    char *key;
    size_t len;
    unsigned long kl;

    if (f[EV_KEY].value == NULL) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(node), "event has no 'key'");
        return -1;
    }
    if (get_text(c, &f[EV_KEY], NACCB_KEY_SIZE, e->event_key, NACCB_KEY_SIZE,
                 &key) != 0)
        return -1;
    len = strlen(key);
    free(key);
    kl = len;
    if (f[EV_KL].value != NULL &&
        xdi__fx_get_uint(c, &f[EV_KL], UINT16_MAX - NACCB_NAME_SIZE, &kl) != 0)
        return -1;
    if (kl > len && kl <= NACCB_KEY_SIZE) {
        xdi__fx_error(
            c->ld, c->file, xdi__fx_line(f[EV_KL].value),
            "kl: %lu is longer than the key (%zu characters); put the "
            "significant blanks into the quoted key",
            kl, len);
        return -1;
    }
    e->kl = (uint16_t)kl;
    e->il = (uint16_t)(NACCB_NAME_SIZE + kl); /* protocol-notes section 7 */
    return 0;
}

/* Action text (exec command, 1..128 bytes) and its target host. */
static int parse_action(struct fx_ctx *c, struct fx_field *f,
                        struct xdi_event *ev)
{
    if (f[EV_ACTION].value != NULL) {
        if (get_text(c, &f[EV_ACTION], NACCB_TEXT_MAX, NULL, 0, &ev->action) !=
            0)
            return -1;
        /* With VL 0 the codec copies the action as is: an "&arg" would
         * reach the agent literally. */
        if (ev->evblok.vl == 0 && strstr(ev->action, "&arg") != NULL) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(f[EV_ACTION].value),
                          "action: uses &arg, but vl is 0 (no verb, so no "
                          "argument); set vl to the verb's length");
            return -1;
        }
    }
    if (f[EV_TARGET].value != NULL) {
        char name[NACCB_NAME_SIZE + 1];
        if (xdi__fx_get_name(c, &f[EV_TARGET], name) != 0)
            return -1;
        ev->action_target = dup_str(name);
        if (ev->action_target == NULL) {
            xdi__fx_nomem(c->ld, c->file, xdi__fx_line(f[EV_TARGET].value));
            return -1;
        }
        xdi__fx_check_target_later(c, name, xdi__fx_line(f[EV_TARGET].value),
                                   "target");
        if (f[EV_ACTION].value == NULL) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(f[EV_TARGET].value),
                          "target: names a host for an action, but the event "
                          "has no 'action'");
            return -1;
        }
    }
    return 0;
}

/* An EVBLOK before the YAML fills it: the host's system name, blank key
 * and text, the "always" frame, zeros elsewhere (section 7). */
static void blank_evblok(enum naccb_codepage cp, const struct xdi_host *h,
                         struct naccb_evblok *e)
{
    memset(e, 0, sizeof *e);
    naccb_field_put(cp, e->system_name, NACCB_NAME_SIZE, h->system_name,
                    strlen(h->system_name));
    memset(e->event_key, naccb_ebcdic_blank(cp), NACCB_KEY_SIZE);
    memset(e->additional_text, naccb_ebcdic_blank(cp), NACCB_ADDTEXT_SIZE);
    naccb_evblok_set_always(e);
}

/* Where each field was written; the entry's line for defaulted ones (KL
 * defaults from the key, so it points at the key). */
static void event_lines(const struct fx_field *f, int entry,
                        struct evblok_lines *l)
{
    l->entry = entry;
    l->key = f[EV_KEY].value ? xdi__fx_line(f[EV_KEY].value) : entry;
    l->kl = f[EV_KL].value ? xdi__fx_line(f[EV_KL].value) : l->key;
    l->vl = f[EV_VL].value ? xdi__fx_line(f[EV_VL].value) : entry;
    l->text = f[EV_TEXT].value ? xdi__fx_line(f[EV_TEXT].value) : entry;
    l->type = f[EV_TYPE].value ? xdi__fx_line(f[EV_TYPE].value) : entry;
    l->start_date = l->end_date = l->start_time = l->end_time = l->days =
        entry;
}

static void parse_event(struct fx_ctx *c, const struct xdi_host *h,
                        const yaml_node_t *node, struct xdi_event *ev)
{
    struct fx_field f[EV_N] = {
        {.name = "key"},    {.name = "kl"},     {.name = "vl"},
        {.name = "type"},   {.name = "text"},   {.name = "frame"},
        {.name = "action"}, {.name = "target"},
    };
    struct naccb_evblok *e = &ev->evblok;
    struct evblok_lines l;
    unsigned long vl = 0;
    int bad = 0;

    ev->line = xdi__fx_line(node);
    ev->source_file = dup_str(c->file);
    if (ev->source_file == NULL)
        xdi__fx_nomem(c->ld, c->file, ev->line);
    if (xdi__fx_expect_mapping(c, node, "event") != 0)
        return;
    xdi__fx_fields(c, node, "event", f, EV_N);
    blank_evblok(c->ld->set->codepage, h, e);
    event_lines(f, ev->line, &l);
    bad |= parse_key(c, node, f, e);
    if (f[EV_VL].value != NULL)
        bad |= xdi__fx_get_uint(c, &f[EV_VL], UINT16_MAX, &vl);
    e->vl = (uint16_t)vl;
    if (f[EV_TYPE].value == NULL) {
        xdi__fx_error(c->ld, c->file, ev->line,
                      "event has no 'type' (message, command, eos or eoj)");
        bad = -1;
    } else {
        bad |= parse_event_type(c, &f[EV_TYPE], &e->event_type);
    }
    if (f[EV_TEXT].value != NULL)
        bad |= get_text(c, &f[EV_TEXT], NACCB_ADDTEXT_SIZE, e->additional_text,
                        NACCB_ADDTEXT_SIZE, NULL);
    if (f[EV_FRAME].value != NULL)
        bad |= parse_frame(c, &f[EV_FRAME], e, &l);
    bad |= parse_action(c, f, ev);
    /* A field already reported would only repeat itself through the
     * validator; an entry that parsed cleanly gets the codec's check. */
    if (!bad)
        validate_evblok(c, e, &l);
}

/* ======================================================================
 * SCD jobs and their triggers
 * ==================================================================== */

struct cond_key {
    const char *name;
    enum xdi_cond_field field;
};

static const struct cond_key cond_keys[] = {
    {"max_cc", XDI_COND_MAX_CC},
    {"scc", XDI_COND_SCC},
    {"ucc", XDI_COND_UCC},
    {"notes", XDI_COND_NOTES},
};

struct op_name {
    const char *text;
    enum xdi_cond_op op;
};

/* Two-character operators first, so "<=" is not read as "<". */
static const struct op_name op_names[] = {
    {"==", XDI_OP_EQ}, {"!=", XDI_OP_NE}, {"<=", XDI_OP_LE},
    {">=", XDI_OP_GE}, {"<", XDI_OP_LT},  {">", XDI_OP_GT},
};

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "<= 4" -> LE and "4"; no operator means ==. */
static const char *parse_op(const char *s, enum xdi_cond_op *op)
{
    s = skip_blanks(s);
    *op = XDI_OP_EQ;
    for (size_t i = 0; i < COUNT_(op_names); i++) {
        size_t n = strlen(op_names[i].text);
        if (strncmp(s, op_names[i].text, n) == 0) {
            *op = op_names[i].op;
            return skip_blanks(s + n);
        }
    }
    return s;
}

/* notes[2]: normal / abend / not-executed (protocol-notes section 8). */
static int parse_note_value(const char *s, uint32_t *letter)
{
    static const struct {
        const char *a, *b;
        char letter;
    } notes[] = {
        {"normal", "N", 'N'},
        {"abend", "A", 'A'},
        {"not-executed", "C", 'C'},
    };

    for (size_t i = 0; i < COUNT_(notes); i++) {
        if (strcmp(s, notes[i].a) == 0 || strcmp(s, notes[i].b) == 0) {
            *letter = (uint32_t)notes[i].letter;
            return 0;
        }
    }
    return -1;
}

static int parse_condition(struct fx_ctx *c, const yaml_node_t *item,
                           const struct cond_key *k, struct xdi_condition *out)
{
    char buf[64];
    const char *s;
    unsigned long v;

    if (item->type != YAML_SCALAR_NODE || xdi__fx_is_null(item)) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "%s: expected a condition such as \"<= 4\"", k->name);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", (const char *)item->data.scalar.value);
    for (size_t n = strlen(buf);
         n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'); n--)
        buf[n - 1] = '\0';
    out->field = k->field;
    s = parse_op(buf, &out->op);
    if (k->field == XDI_COND_NOTES) {
        if (out->op != XDI_OP_EQ && out->op != XDI_OP_NE) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                          "notes: compares only with == or !=");
            return -1;
        }
        if (parse_note_value(s, &out->value) != 0) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                          "notes: '%s' is not normal, abend or not-executed",
                          s);
            return -1;
        }
        return 0;
    }
    if (xdi__fx_parse_uint(s, UINT16_MAX, &v) != 0) {
        xdi__fx_error(
            c->ld, c->file, xdi__fx_line(item),
            "%s: '%s' is not a condition: write an operator (==, !=, "
            "<, <=, >, >=) and a number from 0 to 65535 (0x hex allowed)",
            k->name, buf);
        return -1;
    }
    out->value = (uint32_t)v;
    return 0;
}

enum { WH_MAX_CC, WH_SCC, WH_UCC, WH_NOTES, WH_N };

/* when: {max_cc: "<= 4", scc: ["!= 0", "< 0x100"], notes: abend}: every
 * condition must hold.  A list gives several on one field (a range). */
static int parse_when(struct fx_ctx *c, const struct fx_field *when,
                      struct xdi_trigger *t)
{
    struct fx_field f[WH_N] = {
        {.name = "max_cc"},
        {.name = "scc"},
        {.name = "ucc"},
        {.name = "notes"},
    };
    size_t count = 0;
    int bad = 0;

    if (xdi__fx_expect_mapping(c, when->value, "when") != 0)
        return -1;
    xdi__fx_fields(c, when->value, "when", f, WH_N);
    for (size_t i = 0; i < WH_N; i++)
        if (f[i].value != NULL)
            count += f[i].value->type == YAML_SEQUENCE_NODE
                         ? seq_len(f[i].value)
                         : 1;
    t->conditions = alloc_array(c, count, sizeof *t->conditions, t->line);
    if (count > 0 && t->conditions == NULL)
        return -1;
    for (size_t i = 0; i < WH_N; i++) {
        const yaml_node_t *v = f[i].value;
        if (v == NULL)
            continue;
        if (v->type != YAML_SEQUENCE_NODE) {
            if (parse_condition(c, v, &cond_keys[i],
                                &t->conditions[t->n_conditions]) == 0)
                t->n_conditions++;
            else
                bad = -1;
            continue;
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++) {
            yaml_node_t *item = xdi__fx_node(c, *it);
            if (item != NULL &&
                parse_condition(c, item, &cond_keys[i],
                                &t->conditions[t->n_conditions]) == 0)
                t->n_conditions++;
            else
                bad = -1;
        }
    }
    return bad;
}

enum { TR_ON, TR_STEP, TR_WHEN, TR_RUN, TR_HOST, TR_N };

static int parse_trigger_on(struct fx_ctx *c, const struct fx_field *f,
                            struct xdi_trigger *t)
{
    char *s;
    size_t len;
    int rc = 0;

    if (xdi__fx_get_string(c, f, &s, &len) != 0)
        return -1;
    if (strcmp(s, "eoj") == 0) {
        t->on = XDI_TRIGGER_EOJ;
    } else if (strcmp(s, "eos") == 0) {
        t->on = XDI_TRIGGER_EOS;
    } else {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "on: '%.40s' is neither eoj (end of job) nor eos (end of "
                      "step)",
                      s);
        rc = -1;
    }
    free(s);
    return rc;
}

/* "When this job (step) ends and every condition holds, run job `run` on
 * host `host`" - the target host defaults to the job's own. */
static void parse_trigger(struct fx_ctx *c, const struct xdi_host *h,
                          const yaml_node_t *node, struct xdi_trigger *t)
{
    struct fx_field f[TR_N] = {
        {.name = "on"},  {.name = "step"}, {.name = "when"},
        {.name = "run"}, {.name = "host"},
    };

    t->line = xdi__fx_line(node);
    t->source_file = dup_str(c->file);
    if (t->source_file == NULL)
        xdi__fx_nomem(c->ld, c->file, t->line);
    snprintf(t->target_host, sizeof t->target_host, "%s", h->system_name);
    if (xdi__fx_expect_mapping(c, node, "trigger") != 0)
        return;
    xdi__fx_fields(c, node, "trigger", f, TR_N);
    if (f[TR_ON].value == NULL)
        xdi__fx_error(c->ld, c->file, t->line,
                      "trigger has no 'on' (eoj or eos)");
    else if (parse_trigger_on(c, &f[TR_ON], t) == 0 &&
             f[TR_STEP].value != NULL && t->on != XDI_TRIGGER_EOS)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f[TR_STEP].value),
                      "step: only an 'on: eos' trigger names a step");
    if (f[TR_STEP].value != NULL)
        xdi__fx_get_name(c, &f[TR_STEP], t->step_name);
    if (f[TR_WHEN].value != NULL)
        parse_when(c, &f[TR_WHEN], t);
    if (f[TR_RUN].value == NULL)
        xdi__fx_error(c->ld, c->file, t->line,
                      "trigger has no 'run' (the job to run)");
    else
        xdi__fx_get_name(c, &f[TR_RUN], t->run_job);
    if (f[TR_HOST].value != NULL &&
        xdi__fx_get_name(c, &f[TR_HOST], t->target_host) == 0)
        xdi__fx_check_target_later(c, t->target_host,
                                   xdi__fx_line(f[TR_HOST].value), "host");
}

enum {
    JB_JOB,
    JB_JOB_ID,
    JB_STEP,
    JB_PROC_STEP,
    JB_CAPTURE,
    JB_TRIGGERS,
    JB_N
};

/* The name fields of an SCD entry: YAML key, capture word, flag2 bit
 * (protocol-notes section 8). */
struct job_name_field {
    int index;
    const char *capture;
    uint8_t bit;
    size_t offset;
};

static const struct job_name_field job_names[] = {
    {JB_JOB, "job", NACCB_FLAG2_JOB_NAME, NACCB_EOT_JOB_NAME},
    {JB_JOB_ID, "job_id", NACCB_FLAG2_JOB_ID, NACCB_EOT_JOB_ID},
    {JB_STEP, "step", NACCB_FLAG2_STEP_NAME, NACCB_EOT_STEP_NAME},
    {JB_PROC_STEP, "proc_step", NACCB_FLAG2_PROC_STEP_NAME,
     NACCB_EOT_PROC_STEP_NAME},
};

static uint8_t *eot_name(struct naccb_eotinfo *e, size_t offset)
{
    switch (offset) {
    case NACCB_EOT_JOB_NAME:
        return e->job_name;
    case NACCB_EOT_JOB_ID:
        return e->job_id;
    case NACCB_EOT_STEP_NAME:
        return e->step_name;
    default:
        return e->proc_step_name;
    }
}

/* EOTINFO field names as protocol-notes section 8 writes them. */
const char *xdi__fx_eotinfo_field_name(size_t offset)
{
    static const struct evblok_field names[] = {
        {NACCB_EOT_WORK_AREA1, "work area 1"},
        {NACCB_EOT_WORK_AREA2, "work area 2"},
        {NACCB_EOT_FLAG1, "flag1"},
        {NACCB_EOT_FLAG2, "flag2"},
        {NACCB_EOT_RESERVED1, "reserved"},
        {NACCB_EOT_JOB_ID, "job-id"},
        {NACCB_EOT_SYSTEM_NAME, "system name"},
        {NACCB_EOT_JOB_NAME, "job name"},
        {NACCB_EOT_STEP_NAME, "job-step name"},
        {NACCB_EOT_PROC_STEP_NAME, "procedure-step name"},
        {NACCB_EOT_STEP_NUMBER, "step number"},
        {NACCB_EOT_SCC, "SCC"},
        {NACCB_EOT_UCC, "UCC"},
        {NACCB_EOT_MAX_CC, "max CC"},
        {NACCB_EOT_NOTES, "notes"},
        {NACCB_EOT_RESERVED2, "reserved"},
    };
    const char *name = "?";

    for (size_t i = 0; i < COUNT_(names); i++)
        if (names[i].offset <= offset)
            name = names[i].name;
    return name;
}

static int capture_bit(const char *word)
{
    for (size_t i = 0; i < COUNT_(job_names); i++)
        if (strcmp(word, job_names[i].capture) == 0)
            return job_names[i].bit;
    return -1;
}

static int parse_capture_item(struct fx_ctx *c, const yaml_node_t *item,
                              uint8_t *flag2)
{
    int bit = item->type == YAML_SCALAR_NODE
                  ? capture_bit((const char *)item->data.scalar.value)
                  : -1;

    if (bit < 0) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "capture: expected job, job_id, step or proc_step");
        return -1;
    }
    if (*flag2 & bit) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "capture: %s is listed twice",
                      (const char *)item->data.scalar.value);
        return -1;
    }
    *flag2 |= (uint8_t)bit;
    return 0;
}

/* The names the agent must match (flag2).  A list, or one word. */
static int parse_capture(struct fx_ctx *c, const struct fx_field *f,
                         uint8_t *flag2)
{
    const yaml_node_t *v = f->value;
    int bad = 0;

    *flag2 = 0;
    if (v->type == YAML_SCALAR_NODE && !xdi__fx_is_null(v))
        return parse_capture_item(c, v, flag2);
    if (xdi__fx_expect_sequence(c, v, "capture") != 0)
        return -1;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            bad |= parse_capture_item(c, item, flag2);
    }
    return bad;
}

static void validate_eotinfo(struct fx_ctx *c, const struct xdi_job *job,
                             const struct fx_field *capture)
{
    size_t off = 0;
    int rc = naccb_eotinfo_validate(&job->entry, NACCB_EOTINFO_TABLE_ENTRY,
                                    c->ld->set->codepage, &off);
    /* flag2 and the captured names are what `capture` decides. */
    bool by_capture =
        capture->value != NULL &&
        (off == NACCB_EOT_FLAG2 || off == NACCB_EOT_JOB_ID ||
         off == NACCB_EOT_JOB_NAME || off == NACCB_EOT_STEP_NAME ||
         off == NACCB_EOT_PROC_STEP_NAME);

    if (rc == 0)
        return;
    xdi__fx_error(c->ld, c->file,
                  by_capture ? xdi__fx_line(capture->value) : job->line,
                  "%s: %s (EOTINFO field %s at offset %zu)",
                  by_capture ? "capture" : "job", naccb_strerror(rc),
                  xdi__fx_eotinfo_field_name(off), off);
}

/* The job's name fields; flag2 defaults to every name given. */
static int parse_job_names(struct fx_ctx *c, const yaml_node_t *node,
                           struct fx_field *f, struct xdi_job *job)
{
    enum naccb_codepage cp = c->ld->set->codepage;
    int bad = 0;

    if (f[JB_JOB].value == NULL) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(node),
                      "job entry has no 'job' (its job name)");
        bad = -1;
    }
    for (size_t i = 0; i < COUNT_(job_names); i++) {
        const struct fx_field *nf = &f[job_names[i].index];
        char name[NACCB_NAME_SIZE + 1] = "";
        uint8_t *field = eot_name(&job->entry, job_names[i].offset);
        if (nf->value != NULL && xdi__fx_get_name(c, nf, name) != 0)
            bad = -1;
        /* Absent names are blanks ("blanks if none", section 8). */
        naccb_field_put(cp, field, NACCB_NAME_SIZE, name, strlen(name));
        if (name[0] != '\0')
            job->entry.flag2 |= job_names[i].bit;
    }
    return bad;
}

/* Two equal entries would make every report match twice. */
static void check_job_unique(struct fx_ctx *c, const struct xdi_host *h,
                             const struct xdi_job *job)
{
    uint8_t a[NACCB_EOTINFO_SIZE], b[NACCB_EOTINFO_SIZE];

    naccb_eotinfo_encode(&job->entry, a);
    for (const struct xdi_job *o = h->jobs; o < job; o++) {
        naccb_eotinfo_encode(&o->entry, b);
        if (memcmp(a, b, sizeof a) == 0) {
            xdi__fx_error(c->ld, c->file, job->line,
                          "job: the same entry as at line %d (same names and "
                          "capture)",
                          o->line);
            return;
        }
    }
}

static void parse_triggers(struct fx_ctx *c, const struct xdi_host *h,
                           const struct fx_field *f, struct xdi_job *job)
{
    const yaml_node_t *v = f->value;

    if (xdi__fx_expect_sequence(c, v, "triggers") != 0)
        return;
    job->triggers =
        alloc_array(c, seq_len(v), sizeof *job->triggers, xdi__fx_line(v));
    if (job->triggers == NULL)
        return;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            parse_trigger(c, h, item, &job->triggers[job->n_triggers++]);
    }
}

static void parse_job(struct fx_ctx *c, const struct xdi_host *h,
                      const yaml_node_t *node, struct xdi_job *job)
{
    struct fx_field f[JB_N] = {
        {.name = "job"},       {.name = "job_id"},  {.name = "step"},
        {.name = "proc_step"}, {.name = "capture"}, {.name = "triggers"},
    };
    enum naccb_codepage cp = c->ld->set->codepage;
    int bad;

    job->line = xdi__fx_line(node);
    job->source_file = dup_str(c->file);
    if (job->source_file == NULL)
        xdi__fx_nomem(c->ld, c->file, job->line);
    if (xdi__fx_expect_mapping(c, node, "job entry") != 0)
        return;
    xdi__fx_fields(c, node, "job entry", f, JB_N);
    memset(&job->entry, 0, sizeof job->entry);
    naccb_field_put(cp, job->entry.system_name, NACCB_NAME_SIZE, h->system_name,
                    strlen(h->system_name));
    bad = parse_job_names(c, node, f, job);
    if (f[JB_CAPTURE].value != NULL)
        bad |= parse_capture(c, &f[JB_CAPTURE], &job->entry.flag2);
    if (!bad) {
        validate_eotinfo(c, job, &f[JB_CAPTURE]);
        check_job_unique(c, h, job);
    }
    if (f[JB_TRIGGERS].value != NULL)
        parse_triggers(c, h, &f[JB_TRIGGERS], job);
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
    h->events = alloc_array(c, seq_len(v), sizeof *h->events, xdi__fx_line(v));
    if (h->events == NULL)
        return;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            parse_event(c, h, item, &h->events[h->n_events++]);
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
    h->jobs = alloc_array(c, seq_len(v), sizeof *h->jobs, xdi__fx_line(v));
    if (h->jobs == NULL)
        return;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            parse_job(c, h, item, &h->jobs[h->n_jobs++]);
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
    h->source_file = dup_str(c->file);
    if (h->source_file == NULL)
        xdi__fx_nomem(ld, c->file, h->line);
    return h;
}

enum { H_SYSTEM, H_ALLOW, H_PASSWORD, H_EMS, H_SCD, H_N };

void xdi__fx_parse_host(struct fx_ctx *c, const yaml_node_t *node)
{
    struct fx_field f[H_N] = {
        {.name = "system"}, {.name = "allow"}, {.name = "password"},
        {.name = "ems"},    {.name = "scd"},
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
    if (f[H_EMS].value != NULL)
        parse_ems(c, h, &f[H_EMS]);
    if (f[H_SCD].value != NULL)
        parse_scd(c, h, &f[H_SCD]);
}
