/*
 * fixture_event.c - one EMS event of a fixture host: the EVBLOK it becomes
 * (key, KL, VL, type, text, time frame) and the host-side action.
 *
 * The EVBLOK is built field by field from the YAML, then checked by the
 * codec's own validator (naccb_evblok_validate), so the loader and the
 * codec cannot disagree on what is valid to send.  A rule the validator
 * finds is reported at the line of the YAML key that produced the failing
 * field (docs/protocol.md §8 names the fields).
 */
#include "fixture_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))

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

/* Field names as docs/protocol.md §8 writes them, by offset. */
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
            "type: %s events are not for agents (docs/protocol.md "
            "section 8); an agent's table holds message, command, eos "
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

/* Day-list order: byte 0 is Sunday (docs/protocol.md §8). */
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
    if (xdi__fx_get_text(c, &f[EV_KEY], NACCB_KEY_SIZE, e->event_key,
                         NACCB_KEY_SIZE, &key) != 0)
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
    e->il = (uint16_t)(NACCB_NAME_SIZE + kl); /* docs/protocol.md §8 */
    return 0;
}

/* Action text (exec command, 1..128 bytes) and its target host. */
static int parse_action(struct fx_ctx *c, struct fx_field *f,
                        struct xdi_event *ev)
{
    if (f[EV_ACTION].value != NULL) {
        if (xdi__fx_get_text(c, &f[EV_ACTION], NACCB_TEXT_MAX, NULL, 0,
                             &ev->action) != 0)
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
        ev->action_target = strdup(name);
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
 * and text, the "always" frame, zeros elsewhere (§8). */
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
    l->start_date = l->end_date = l->start_time = l->end_time = l->days = entry;
}

void xdi__fx_parse_event(struct fx_ctx *c, const struct xdi_host *h,
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
    ev->source_file = strdup(c->file);
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
        bad |= xdi__fx_get_text(c, &f[EV_TEXT], NACCB_ADDTEXT_SIZE,
                                e->additional_text, NACCB_ADDTEXT_SIZE, NULL);
    if (f[EV_FRAME].value != NULL)
        bad |= parse_frame(c, &f[EV_FRAME], e, &l);
    bad |= parse_action(c, f, ev);
    /* A field already reported would only repeat itself through the
     * validator; an entry that parsed cleanly gets the codec's check. */
    if (!bad)
        validate_evblok(c, e, &l);
}
