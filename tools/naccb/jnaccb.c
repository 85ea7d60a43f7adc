/*
 * jnaccb.c - a NACCB's header and objects <-> the JSON members of one
 * `naccb decode` line (docs/naccb-tool.md, "The JSON format").
 *
 * Field layout and byte order are libnaccb's (naccb_header_decode,
 * naccb_evblok_decode, naccb_eotinfo_decode and their encoders); this file
 * only names the fields and picks each one's JSON form through jfield.c.
 * The member names here are the ones the docs list: keep them in step.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tool.h"

/* ---- which kind of object a NACCB carries ---- */

static enum obj_kind sized(uint32_t size, uint32_t want, enum obj_kind k)
{
    return size == want ? k : KIND_RAW;
}

/* From the key (libnaccb's table of docs/protocol.md §7) and, for
 * fixed-size objects, the object size: an object of the wrong size cannot
 * be split into fields and is shown as raw hex. */
enum obj_kind jn_object_kind(const struct naccb_header *h)
{
    switch (naccb_key_object_kind(naccb_header_key(h))) {
    case NACCB_KIND_EVBLOK:
        return sized(h->size, NACCB_EVBLOK_SIZE, KIND_EVBLOK);
    case NACCB_KIND_EOTINFO:
        return sized(h->size, NACCB_EOTINFO_SIZE, KIND_EOTINFO);
    case NACCB_KIND_TEXT:
        return KIND_TEXT;
    case NACCB_KIND_JOB_NAME:
        return sized(h->size, NACCB_NAME_SIZE, KIND_JOB_NAME);
    case NACCB_KIND_PASSWORD:
        return sized(h->size, NACCB_PASSWORD_SIZE, KIND_PASSWORD);
    case NACCB_KIND_NONE:
        break;
    }
    return KIND_RAW;
}

/* libnaccb's kind names; its "none" is shown as "raw" (the bytes as hex). */
const char *jn_kind_name(enum obj_kind kind)
{
    return kind == KIND_RAW ? "raw" : naccb_object_kind_name(kind);
}

/* The kind a JSON "kind" member names; -1 for none. */
static int kind_from_name(const char *name)
{
    size_t n;
    const struct naccb_code_info *t = naccb_object_kind_table(&n);

    if (name == NULL)
        return -1;
    if (strcmp(name, "raw") == 0)
        return KIND_RAW;
    for (size_t i = 0; i < n; i++)
        if (t[i].code != NACCB_KIND_NONE && strcmp(name, t[i].name) == 0)
            return (int)t[i].code;
    return -1;
}

/* ---- field names by offset, for error reports ---- */

struct field_at {
    size_t off;
    const char *name;
};

/* The entry whose range holds off: entries are sorted by offset and each
 * field runs to the next entry's offset. */
static const char *field_at(const struct field_at *t, size_t n, size_t off)
{
    const char *name = "?";
    for (size_t i = 0; i < n && t[i].off <= off; i++)
        name = t[i].name;
    return name;
}

static const struct field_at header_fields[] = {
    {NACCB_OFF_TOTAL_LENGTH, "total_length"}, {NACCB_OFF_AGENT_ID, "agent_id"},
    {NACCB_OFF_SYSTEM_NAME, "system_name"},   {NACCB_OFF_DIRECTION, "direction"},
    {NACCB_OFF_REQUEST, "request"},           {NACCB_OFF_OBJECT, "object"},
    {NACCB_OFF_ERROR_CODE, "error_code"},     {NACCB_OFF_OS_CODE, "os_code"},
    {NACCB_OFF_CODING, "coding"},             {NACCB_OFF_UNUSED, "unused"},
    {NACCB_OFF_FORWARD, "forward"},           {NACCB_OFF_COUNT, "count"},
    {NACCB_OFF_SIZE, "size"},
};

static const struct field_at evblok_fields[] = {
    {NACCB_EVB_SYSTEM_NAME, "system_name"},
    {NACCB_EVB_EVENT_KEY, "event_key"},
    {NACCB_EVB_ADDITIONAL_TEXT, "additional_text"},
    {NACCB_EVB_IL, "il"},
    {NACCB_EVB_KL, "kl"},
    {NACCB_EVB_VL, "vl"},
    {NACCB_EVB_SDATE, "sdate"},
    {NACCB_EVB_EDATE, "edate"},
    {NACCB_EVB_STIME, "stime"},
    {NACCB_EVB_STSEC, "stsec"},
    {NACCB_EVB_ETIME, "etime"},
    {NACCB_EVB_ETSEC, "etsec"},
    {NACCB_EVB_DAY_LIST, "day_list"},
    {NACCB_EVB_EVENT_TYPE, "event_type"},
    {NACCB_EVB_RESERVED, "reserved"},
    {NACCB_EVB_SSDT, "ssdt"},
    {NACCB_EVB_ESDT, "esdt"},
    {NACCB_EVB_USER_AREA, "user_area"},
};

static const struct field_at eotinfo_fields[] = {
    {NACCB_EOT_WORK_AREA1, "work_area1"},
    {NACCB_EOT_WORK_AREA2, "work_area2"},
    {NACCB_EOT_FLAG1, "flag1"},
    {NACCB_EOT_FLAG2, "flag2"},
    {NACCB_EOT_RESERVED1, "reserved1"},
    {NACCB_EOT_JOB_ID, "job_id"},
    {NACCB_EOT_SYSTEM_NAME, "system_name"},
    {NACCB_EOT_JOB_NAME, "job_name"},
    {NACCB_EOT_STEP_NAME, "step_name"},
    {NACCB_EOT_PROC_STEP_NAME, "proc_step_name"},
    {NACCB_EOT_STEP_NUMBER, "step_number"},
    {NACCB_EOT_SCC, "scc"},
    {NACCB_EOT_UCC, "ucc"},
    {NACCB_EOT_MAX_CC, "max_cc"},
    {NACCB_EOT_NOTES, "notes"},
    {NACCB_EOT_RESERVED2, "reserved2"},
};

#define N_(a) (sizeof(a) / sizeof((a)[0]))

const char *jn_header_field(size_t off)
{
    return field_at(header_fields, N_(header_fields), off);
}

const char *jn_evblok_field(size_t off)
{
    return field_at(evblok_fields, N_(evblok_fields), off);
}

const char *jn_eotinfo_field(size_t off)
{
    return field_at(eotinfo_fields, N_(eotinfo_fields), off);
}

/* ---- decode: bytes -> JSON ---- */

static const char *direction_name(uint16_t d)
{
    return d == NACCB_DIR_TO_AGENT    ? "to agent"
           : d == NACCB_DIR_TO_SERVER ? "to server"
                                      : NULL;
}

json_t *jn_header_to_json(const struct naccb_header *h, uint64_t offset,
                          enum naccb_codepage cp)
{
    json_t *o = json_object();
    char key[16];
    uint32_t k = naccb_header_key(h);
    snprintf(key, sizeof key, "%08" PRIX32, k);
    int rc = o ? 0 : -1;
    rc |= jf_put_uint(o, "offset", offset);
    rc |= jf_put_uint(o, "total_length", h->total_length);
    rc |= jf_put_uint(o, "agent_id", h->agent_id);
    rc |= jf_put_fixed_text(o, "system_name", cp, h->system_name,
                            NACCB_NAME_SIZE);
    rc |= jf_put_uint(o, "direction", h->direction);
    rc |= jf_put_uint(o, "request", h->request);
    rc |= jf_put_uint(o, "object", h->object);
    rc |= jf_put_uint(o, "error_code", h->error_code);
    rc |= jf_put_uint(o, "os_code", h->os_code);
    rc |= jf_put_uint(o, "coding", h->coding);
    rc |= jf_put_uint(o, "unused", h->unused);
    rc |= jf_put_uint(o, "forward", h->forward);
    rc |= jf_put_uint(o, "count", h->count);
    rc |= jf_put_uint(o, "size", h->size);
    rc |= jf_put_str(o, "key", key);
    rc |= jf_put_str(o, "key_name", naccb_key_name(k, h->error_code));
    rc |= jf_put_str(o, "direction_name", direction_name(h->direction));
    rc |= jf_put_str(o, "request_name", naccb_request_name(h->request));
    rc |= jf_put_str(o, "object_name", naccb_object_name(h->object));
    rc |= jf_put_str(o, "error_name", naccb_error_code_name(h->error_code));
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int day_list_to_json(json_t *o, const uint8_t days[8])
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < 8; i++)
        if (json_array_append_new(a, json_integer(days[i])) != 0) {
            json_decref(a);
            return -1;
        }
    return a ? json_object_set_new(o, "day_list", a) : -1;
}

static int evblok_to_json(json_t *o, const uint8_t *p, enum naccb_codepage cp)
{
    struct naccb_evblok e;
    naccb_evblok_decode(p, &e);
    int rc = 0;
    rc |= jf_put_fixed_text(o, "system_name", cp, e.system_name,
                            sizeof e.system_name);
    rc |= jf_put_fixed_text(o, "event_key", cp, e.event_key, sizeof e.event_key);
    rc |= jf_put_fixed_text(o, "additional_text", cp, e.additional_text,
                            sizeof e.additional_text);
    rc |= jf_put_uint(o, "il", e.il);
    rc |= jf_put_uint(o, "kl", e.kl);
    rc |= jf_put_uint(o, "vl", e.vl);
    rc |= jf_put_julian(o, "sdate", e.sdate);
    rc |= jf_put_julian(o, "edate", e.edate);
    rc |= jf_put_time(o, "stime", e.stime);
    rc |= jf_put_uint(o, "stsec", e.stsec);
    rc |= jf_put_time(o, "etime", e.etime);
    rc |= jf_put_uint(o, "etsec", e.etsec);
    rc |= day_list_to_json(o, e.day_list);
    rc |= jf_put_uint(o, "event_type", e.event_type);
    rc |= jf_put_str(o, "event_type_name", naccb_event_type_name(e.event_type));
    rc |= jf_put_hex(o, "reserved", e.reserved, sizeof e.reserved);
    rc |= jf_put_date(o, "ssdt", e.ssdt);
    rc |= jf_put_date(o, "esdt", e.esdt);
    rc |= jf_put_hex(o, "user_area", e.user_area, sizeof e.user_area);
    return rc;
}

/* flag2's capture bits by name (docs/protocol.md §9), for reading. */
static int flag2_to_json(json_t *o, uint8_t flag2)
{
    static const struct {
        uint8_t bit;
        const char *name;
    } bits[] = {{NACCB_FLAG2_JOB_NAME, "job_name"},
                {NACCB_FLAG2_JOB_ID, "job_id"},
                {NACCB_FLAG2_STEP_NAME, "step_name"},
                {NACCB_FLAG2_PROC_STEP_NAME, "proc_step_name"}};
    json_t *a = json_array();
    for (size_t i = 0; a && i < N_(bits); i++)
        if ((flag2 & bits[i].bit) &&
            json_array_append_new(a, json_string(bits[i].name)) != 0) {
            json_decref(a);
            return -1;
        }
    return a ? json_object_set_new(o, "flag2_captured", a) : -1;
}

static int eotinfo_to_json(json_t *o, const uint8_t *p, enum naccb_codepage cp)
{
    struct naccb_eotinfo e;
    naccb_eotinfo_decode(p, &e);
    int rc = 0;
    rc |= jf_put_hex(o, "work_area1", e.work_area1, sizeof e.work_area1);
    rc |= jf_put_hex(o, "work_area2", e.work_area2, sizeof e.work_area2);
    rc |= jf_put_uint(o, "flag1", e.flag1);
    rc |= jf_put_uint(o, "flag2", e.flag2);
    rc |= flag2_to_json(o, e.flag2);
    rc |= jf_put_hex(o, "reserved1", e.reserved1, sizeof e.reserved1);
    rc |= jf_put_fixed_text(o, "job_id", cp, e.job_id, sizeof e.job_id);
    rc |= jf_put_fixed_text(o, "system_name", cp, e.system_name,
                            sizeof e.system_name);
    rc |= jf_put_fixed_text(o, "job_name", cp, e.job_name, sizeof e.job_name);
    rc |= jf_put_fixed_text(o, "step_name", cp, e.step_name,
                            sizeof e.step_name);
    rc |= jf_put_fixed_text(o, "proc_step_name", cp, e.proc_step_name,
                            sizeof e.proc_step_name);
    rc |= jf_put_uint(o, "step_number", e.step_number);
    rc |= jf_put_uint(o, "scc", e.scc);
    rc |= jf_put_uint(o, "ucc", e.ucc);
    rc |= jf_put_uint(o, "max_cc", e.max_cc);
    rc |= jf_put_notes(o, "notes", e.notes);
    rc |= jf_put_hex(o, "reserved2", e.reserved2, sizeof e.reserved2);
    return rc;
}

json_t *jn_object_to_json(enum obj_kind kind, const uint8_t *obj, size_t size,
                          uint64_t offset, enum naccb_codepage cp)
{
    json_t *o = json_object();
    int rc = o ? 0 : -1;
    rc |= jf_put_str(o, "kind", jn_kind_name(kind));
    rc |= jf_put_uint(o, "offset", offset);
    switch (kind) {
    case KIND_EVBLOK:
        rc |= evblok_to_json(o, obj, cp);
        break;
    case KIND_EOTINFO:
        rc |= eotinfo_to_json(o, obj, cp);
        break;
    case KIND_TEXT:
        rc |= jf_put_text(o, "text", cp, obj, size);
        break;
    case KIND_JOB_NAME:
        rc |= jf_put_fixed_text(o, "job_name", cp, obj, size);
        break;
    case KIND_PASSWORD:
        rc |= jf_put_fixed_text(o, "password", cp, obj, size);
        break;
    case KIND_RAW:
        rc |= jf_put_hex(o, "data", obj, size);
        break;
    }
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- encode: JSON -> bytes ---- */

static int get_u8(const struct jf_ctx *c, json_t *o, const char *name,
                  int optional, uint8_t *v)
{
    uint64_t x = *v;
    int rc = jf_get_uint(c, o, name, UINT8_MAX, optional, &x);
    *v = (uint8_t)x;
    return rc < 0 ? -1 : 0;
}

static int get_u16(const struct jf_ctx *c, json_t *o, const char *name,
                   uint16_t *v)
{
    uint64_t x = 0;
    int rc = jf_get_uint(c, o, name, UINT16_MAX, 0, &x);
    *v = (uint16_t)x;
    return rc;
}

static int get_u32(const struct jf_ctx *c, json_t *o, const char *name,
                   int optional, uint32_t *v)
{
    uint64_t x = *v;
    int rc = jf_get_uint(c, o, name, UINT32_MAX, optional, &x);
    *v = (uint32_t)x;
    return rc < 0 ? -1 : 0;
}

static int day_list_from_json(const struct jf_ctx *c, json_t *o,
                              uint8_t days[8])
{
    json_t *a = json_object_get(o, "day_list");
    if (!json_is_array(a) || json_array_size(a) != 8) {
        jf_fail(c->err, c->prefix, "day_list",
                "must be an array of 8 integers (Sunday..Saturday, holiday)");
        return -1;
    }
    for (size_t i = 0; i < 8; i++) {
        json_t *v = json_array_get(a, i);
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) > 255) {
            jf_fail(c->err, c->prefix, "day_list",
                    "element %zu must be an integer 0..255", i);
            return -1;
        }
        days[i] = (uint8_t)json_integer_value(v);
    }
    return 0;
}

static const char *const evblok_members[] = {
    "kind", "offset", "system_name+hex", "event_key+hex",
    "additional_text+hex", "il", "kl", "vl", "sdate+hex", "edate+hex",
    "stime+hex", "stsec", "etime+hex", "etsec", "day_list", "event_type",
    "event_type_name", "reserved_hex", "ssdt+hex", "esdt+hex",
    "user_area_hex", NULL};

static int evblok_from_json(const struct jf_ctx *c, json_t *o, struct buf *out)
{
    struct naccb_evblok e;
    memset(&e, 0, sizeof e);
    if (jf_check_members(c, o, evblok_members) != 0 ||
        jf_get_fixed_text(c, o, "system_name", e.system_name,
                          sizeof e.system_name) != 0 ||
        jf_get_fixed_text(c, o, "event_key", e.event_key,
                          sizeof e.event_key) != 0 ||
        jf_get_fixed_text(c, o, "additional_text", e.additional_text,
                          sizeof e.additional_text) != 0 ||
        get_u16(c, o, "il", &e.il) != 0 || get_u16(c, o, "kl", &e.kl) != 0 ||
        get_u16(c, o, "vl", &e.vl) != 0 ||
        jf_get_julian(c, o, "sdate", &e.sdate) != 0 ||
        jf_get_julian(c, o, "edate", &e.edate) != 0 ||
        jf_get_time(c, o, "stime", &e.stime) != 0 ||
        get_u32(c, o, "stsec", 0, &e.stsec) != 0 ||
        jf_get_time(c, o, "etime", &e.etime) != 0 ||
        get_u32(c, o, "etsec", 0, &e.etsec) != 0 ||
        day_list_from_json(c, o, e.day_list) != 0 ||
        get_u8(c, o, "event_type", 0, &e.event_type) != 0 ||
        jf_get_hex(c, o, "reserved", e.reserved, sizeof e.reserved, 1) != 0 ||
        jf_get_date(c, o, "ssdt", &e.ssdt) != 0 ||
        jf_get_date(c, o, "esdt", &e.esdt) != 0 ||
        jf_get_hex(c, o, "user_area", e.user_area, sizeof e.user_area, 1) != 0)
        return -1;
    uint8_t wire[NACCB_EVBLOK_SIZE];
    naccb_evblok_encode(&e, wire);
    return buf_append(out, wire, sizeof wire);
}

static const char *const eotinfo_members[] = {
    "kind", "offset", "work_area1_hex", "work_area2_hex", "flag1", "flag2",
    "flag2_captured", "reserved1_hex", "job_id+hex", "system_name+hex",
    "job_name+hex", "step_name+hex", "proc_step_name+hex", "step_number",
    "scc", "ucc", "max_cc", "notes+hex", "reserved2_hex", NULL};

static int eotinfo_from_json(const struct jf_ctx *c, json_t *o,
                             struct buf *out)
{
    struct naccb_eotinfo e;
    memset(&e, 0, sizeof e);
    if (jf_check_members(c, o, eotinfo_members) != 0 ||
        jf_get_hex(c, o, "work_area1", e.work_area1, sizeof e.work_area1,
                   1) != 0 ||
        jf_get_hex(c, o, "work_area2", e.work_area2, sizeof e.work_area2,
                   1) != 0 ||
        get_u8(c, o, "flag1", 0, &e.flag1) != 0 ||
        get_u8(c, o, "flag2", 0, &e.flag2) != 0 ||
        jf_get_hex(c, o, "reserved1", e.reserved1, sizeof e.reserved1, 1) != 0 ||
        jf_get_fixed_text(c, o, "job_id", e.job_id, sizeof e.job_id) != 0 ||
        jf_get_fixed_text(c, o, "system_name", e.system_name,
                          sizeof e.system_name) != 0 ||
        jf_get_fixed_text(c, o, "job_name", e.job_name, sizeof e.job_name) != 0 ||
        jf_get_fixed_text(c, o, "step_name", e.step_name,
                          sizeof e.step_name) != 0 ||
        jf_get_fixed_text(c, o, "proc_step_name", e.proc_step_name,
                          sizeof e.proc_step_name) != 0 ||
        get_u16(c, o, "step_number", &e.step_number) != 0 ||
        get_u16(c, o, "scc", &e.scc) != 0 || get_u16(c, o, "ucc", &e.ucc) != 0 ||
        get_u16(c, o, "max_cc", &e.max_cc) != 0 ||
        jf_get_notes(c, o, "notes", e.notes) != 0 ||
        jf_get_hex(c, o, "reserved2", e.reserved2, sizeof e.reserved2, 1) != 0)
        return -1;
    uint8_t wire[NACCB_EOTINFO_SIZE];
    naccb_eotinfo_encode(&e, wire);
    return buf_append(out, wire, sizeof wire);
}

/* Job name and password: one fixed 8-byte character field. */
static int name8_from_json(const struct jf_ctx *c, json_t *o,
                           const char *name, struct buf *out)
{
    char entry[64];
    snprintf(entry, sizeof entry, "%s+hex", name);
    const char *const known[] = {"kind", "offset", entry, NULL};
    uint8_t field[NACCB_NAME_SIZE];
    if (jf_check_members(c, o, known) != 0 ||
        jf_get_fixed_text(c, o, name, field, sizeof field) != 0)
        return -1;
    return buf_append(out, field, sizeof field);
}

static int object_from_json(const struct jf_ctx *c, json_t *o, struct buf *out)
{
    static const char *const text_members[] = {"kind", "offset", "text+hex",
                                               NULL};
    static const char *const raw_members[] = {"kind", "offset", "data_hex",
                                              NULL};
    if (!json_is_object(o)) {
        jf_fail(c->err, c->prefix, "kind", "an object must be a JSON object");
        return -1;
    }
    switch (kind_from_name(json_string_value(json_object_get(o, "kind")))) {
    case KIND_EVBLOK:
        return evblok_from_json(c, o, out);
    case KIND_EOTINFO:
        return eotinfo_from_json(c, o, out);
    case KIND_TEXT:
        return jf_check_members(c, o, text_members) != 0
                   ? -1
                   : jf_get_text(c, o, "text", out);
    case KIND_JOB_NAME:
        return name8_from_json(c, o, "job_name", out);
    case KIND_PASSWORD:
        return name8_from_json(c, o, "password", out);
    case KIND_RAW:
        return jf_check_members(c, o, raw_members) != 0
                   ? -1
                   : jf_get_hex_any(c, o, "data", out);
    default:
        jf_fail(c->err, c->prefix, "kind",
                "must be one of evblok, eotinfo, text, job_name, password, "
                "raw");
        return -1;
    }
}

static const char *const header_members[] = {
    "offset", "total_length", "agent_id", "system_name+hex", "direction",
    "request", "object", "error_code", "os_code", "coding", "unused",
    "forward", "count", "size", "key", "key_name", "direction_name",
    "request_name", "object_name", "error_name", "objects", "body_hex",
    "errors", "objects_present",
    /* What xdi-replay extract adds to each line (docs/replay.md): the
     * lines encode back unchanged. */
    "conversation", "from", "time", "src", "dst", "incomplete", NULL};

static int header_from_json(const struct jf_ctx *c, json_t *o,
                            struct naccb_header *h)
{
    memset(h, 0, sizeof *h);
    if (jf_check_members(c, o, header_members) != 0 ||
        get_u32(c, o, "agent_id", 0, &h->agent_id) != 0 ||
        jf_get_fixed_text(c, o, "system_name", h->system_name,
                          sizeof h->system_name) != 0 ||
        get_u16(c, o, "direction", &h->direction) != 0 ||
        get_u8(c, o, "request", 0, &h->request) != 0 ||
        get_u8(c, o, "object", 0, &h->object) != 0 ||
        get_u8(c, o, "error_code", 0, &h->error_code) != 0 ||
        get_u8(c, o, "os_code", 1, &h->os_code) != 0 ||
        get_u8(c, o, "coding", 1, &h->coding) != 0 ||
        get_u8(c, o, "unused", 1, &h->unused) != 0 ||
        get_u32(c, o, "forward", 1, &h->forward) != 0)
        return -1;
    /* "key" is derived; when given it must agree, so that editing only the
     * key cannot silently do nothing. */
    json_t *key = json_object_get(o, "key");
    if (key) {
        char want[16];
        snprintf(want, sizeof want, "%08" PRIX32, naccb_header_key(h));
        const char *s = json_string_value(key);
        if (s == NULL || strcasecmp(s, want) != 0) {
            jf_fail(c->err, c->prefix, "key",
                    "\"%s\" disagrees with direction/request/object (%s)",
                    s ? s : "(not a string)", want);
            return -1;
        }
    }
    return 0;
}

/* A header whose length fields do not describe its body (decode could not
 * split it into objects): written exactly as given. */
static int raw_body_from_json(const struct jf_ctx *c, json_t *o,
                              struct naccb_header *h, uint32_t max_size,
                              struct buf *out)
{
    struct buf body = {0};
    if (get_u32(c, o, "total_length", 0, &h->total_length) != 0 ||
        get_u32(c, o, "count", 0, &h->count) != 0 ||
        get_u32(c, o, "size", 0, &h->size) != 0 ||
        jf_get_hex_any(c, o, "body", &body) != 0) {
        buf_free(&body);
        return -1;
    }
    if ((uint64_t)h->total_length != NACCB_HEADER_SIZE + (uint64_t)body.len) {
        jf_fail(c->err, c->prefix, "total_length",
                "%" PRIu32 " is not 36 + the %zu bytes of body_hex",
                h->total_length, body.len);
        buf_free(&body);
        return -1;
    }
    if (h->total_length > max_size) {
        jf_fail(c->err, c->prefix, "total_length",
                "%" PRIu32 " is above the maximum NACCB size %" PRIu32
                " (--max-naccb-size)", h->total_length, max_size);
        buf_free(&body);
        return -1;
    }
    uint8_t head[NACCB_HEADER_SIZE];
    naccb_header_encode(h, head);
    int rc = buf_append(out, head, sizeof head);
    rc |= buf_append(out, body.data, body.len);
    buf_free(&body);
    return rc;
}

/* Each object's bytes, all the same length (a NACCB has one object size). */
static int objects_from_json(const struct jf_ctx *c, json_t *arr,
                             struct buf *objs, uint32_t *count, uint32_t *size)
{
    size_t n = arr ? json_array_size(arr) : 0;
    *count = 0;
    *size = 0;
    for (size_t i = 0; i < n; i++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "objects[%zu]", i);
        struct jf_ctx oc = {prefix, c->cp, c->err};
        size_t before = objs->len;
        if (object_from_json(&oc, json_array_get(arr, i), objs) != 0)
            return -1;
        size_t len = objs->len - before;
        if (len > UINT32_MAX || (i > 0 && len != *size)) {
            jf_fail(c->err, prefix, "kind",
                    "is %zu bytes, but object 0 is %" PRIu32 " bytes (all "
                    "objects of one NACCB have the same length)", len, *size);
            return -1;
        }
        *size = (uint32_t)len;
    }
    *count = (uint32_t)n;
    return 0;
}

/* An optional length member, when given, must equal what the objects make. */
static int check_given(const struct jf_ctx *c, json_t *o, const char *name,
                       uint64_t actual)
{
    uint64_t v = actual;
    int rc = jf_get_uint(c, o, name, UINT32_MAX, 1, &v);
    if (rc < 0)
        return -1;
    if (v != actual) {
        jf_fail(c->err, c->prefix, name,
                "is %llu, but the objects make it %llu (leave it out to have "
                "it computed, or use body_hex for an inconsistent header)",
                (unsigned long long)v, (unsigned long long)actual);
        return -1;
    }
    return 0;
}

int jn_naccb_from_json(json_t *line, enum naccb_codepage cp,
                       uint32_t max_size, struct buf *out,
                       struct jf_error *err)
{
    struct jf_ctx c = {"", cp, err};
    struct naccb_header h;
    if (!json_is_object(line)) {
        jf_fail(err, "", "(line)", "must be one JSON object");
        return -1;
    }
    if (header_from_json(&c, line, &h) != 0)
        return -1;
    if (json_object_get(line, "body_hex")) {
        if (json_object_get(line, "objects")) {
            jf_fail(err, "", "body_hex", "give objects or body_hex, not both");
            return -1;
        }
        return raw_body_from_json(&c, line, &h, max_size, out);
    }
    json_t *arr = json_object_get(line, "objects");
    if (arr && !json_is_array(arr)) {
        jf_fail(err, "", "objects", "must be an array");
        return -1;
    }
    struct buf objs = {0};
    int rc = objects_from_json(&c, arr, &objs, &h.count, &h.size);
    uint64_t total = naccb_message_length(h.count, h.size);
    if (rc == 0 && (check_given(&c, line, "count", h.count) != 0 ||
                    check_given(&c, line, "size", h.size) != 0 ||
                    check_given(&c, line, "total_length", total) != 0))
        rc = -1;
    if (rc == 0 && total > max_size) {
        jf_fail(err, "", "total_length",
                "%llu is above the maximum NACCB size %" PRIu32
                " (--max-naccb-size)", (unsigned long long)total, max_size);
        rc = -1;
    }
    uint8_t *msg = rc == 0 ? malloc((size_t)total) : NULL;
    if (rc == 0 && msg == NULL) {
        jf_fail(err, "", "objects", "out of memory");
        rc = -1;
    }
    if (rc == 0) {
        h.total_length = (uint32_t)total;
        int n = naccb_message_encode(&h, objs.data, msg, (size_t)total);
        if (n < 0) {
            jf_fail(err, "", "objects", "%s: %s", naccb_err_name(n),
                    naccb_strerror(n));
            rc = -1;
        } else {
            rc = buf_append(out, msg, (size_t)n);
        }
    }
    free(msg);
    buf_free(&objs);
    return rc;
}

/* `naccb encode`'s reader of one line (tool.h). */
int tool_encode_line(const struct tool_options *opt, const char *text,
                     size_t len, struct buf *out, struct jf_error *err,
                     json_error_t *jerr)
{
    json_t *line = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                              jerr);
    if (line == NULL)
        return TOOL_LINE_JSON;
    int rc = jn_naccb_from_json(line, opt->cp, opt->max_size, out, err);
    json_decref(line);
    return rc != 0 ? TOOL_LINE_FIELD : 0;
}
