/*
 * jdecode.c - one framed NACCB to its JSON object, the line format of
 * `naccb decode` (docs/naccb-tool.md): shared by the naccb tool and
 * xdi-replay extract (static library naccb_json), so that both write
 * exactly the same members.  A NACCB that breaks a rule is still shown as
 * far as it decodes, with an "errors" array naming each rule; each broken
 * rule is also said on stderr.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* ---- errors ---- */

/* One broken rule: on stderr for the person, and in the line's "errors"
 * array for programs.  object < 0 means the header. */
static int add_error(struct jd_ctx *d, json_t *errors, uint64_t offset,
                     long object, const char *kind, const char *field, int rc)
{
    if (object < 0)
        fprintf(stderr, "%s: offset %" PRIu64 ": header field %s: %s: %s\n",
                d->prog, offset, field, naccb_err_name(rc), naccb_strerror(rc));
    else
        fprintf(stderr,
                "%s: offset %" PRIu64 ": object %ld (%s) field %s: %s: %s\n",
                d->prog, offset, object, kind, field, naccb_err_name(rc),
                naccb_strerror(rc));
    d->invalid = 1;
    json_t *e = json_object();
    int r = e ? 0 : -1;
    r |= jf_put_uint(e, "offset", offset);
    if (object >= 0)
        r |= json_object_set_new(e, "object", json_integer(object));
    r |= jf_put_str(e, "field", field);
    r |= jf_put_str(e, "rule", naccb_err_name(rc));
    r |= jf_put_str(e, "message", naccb_strerror(rc));
    if (r != 0 || json_array_append_new(errors, e) != 0)
        return -1;
    return 0;
}

/* ---- one NACCB ---- */

/* The content rules of one object: EVBLOK (docs/protocol.md §8),
 * EOTINFO as a table entry or as an agent's report (§9). */
static int validate_object(const struct jd_ctx *d, enum obj_kind kind,
                           uint32_t key, const uint8_t *obj, size_t *eoff,
                           const char **field)
{
    int rc = 0;
    if (kind == KIND_EVBLOK) {
        struct naccb_evblok e;
        naccb_evblok_decode(obj, &e);
        rc = naccb_evblok_validate(&e, eoff);
        *field = jn_evblok_field(*eoff);
    } else if (kind == KIND_EOTINFO) {
        struct naccb_eotinfo e;
        naccb_eotinfo_decode(obj, &e);
        enum naccb_eotinfo_role role = key == NACCB_KEY_INFO_EOT
                                           ? NACCB_EOTINFO_REPORT
                                           : NACCB_EOTINFO_TABLE_ENTRY;
        rc = naccb_eotinfo_validate(&e, role, d->cp, eoff);
        *field = jn_eotinfo_field(*eoff);
    }
    return rc;
}

static int objects_to_json(struct jd_ctx *d, json_t *line, json_t *errors,
                           const struct naccb_message *m, uint64_t offset)
{
    const struct naccb_header *h = &m->header;
    enum obj_kind kind = jn_object_kind(h);
    json_t *arr = json_array();
    if (arr == NULL || json_object_set_new(line, "objects", arr) != 0)
        return -1;
    for (uint32_t i = 0; i < h->count; i++) {
        const uint8_t *obj = naccb_message_object(m, i);
        uint64_t at = offset + NACCB_HEADER_SIZE + (uint64_t)i * h->size;
        if (json_array_append_new(
                arr, jn_object_to_json(kind, obj, h->size, at, d->cp)) != 0)
            return -1;
        size_t eoff = 0;
        const char *field = "?";
        int rc = validate_object(d, kind, naccb_header_key(h), obj, &eoff,
                                 &field);
        if (rc < 0 &&
            add_error(d, errors, at + eoff, i, jn_kind_name(kind), field, rc) != 0)
            return -1;
    }
    return 0;
}

/* The object rules of the key (docs/protocol.md §5, §7, §11). */
static int check_objects(struct jd_ctx *d, json_t *errors,
                         const struct naccb_header *h, uint64_t offset)
{
    size_t eoff = 0;
    int rc = naccb_message_check_objects(h, &eoff);
    if (rc >= 0)
        return 0;
    if (eoff < NACCB_HEADER_SIZE || h->size == 0)
        return add_error(d, errors, offset + eoff, -1, NULL,
                         jn_header_field(eoff), rc);
    long i = (long)((eoff - NACCB_HEADER_SIZE) / h->size);
    return add_error(d, errors, offset + eoff, i,
                     jn_kind_name(jn_object_kind(h)), "(object)", rc);
}

/* The whole objects of `size` bytes that the body of an inconsistent NACCB
 * holds, decoded as the key says (derived: body_hex stays what encodes
 * back).  Whether the count or the total length is wrong, these are the
 * objects the agent most likely meant. */
static int present_to_json(struct jd_ctx *d, json_t *line,
                           const struct naccb_header *h, const uint8_t *msg,
                           size_t len, uint64_t offset)
{
    size_t body = len - NACCB_HEADER_SIZE;
    if (h->size == 0 || h->size > body)
        return 0;
    size_t n = body / h->size;
    enum obj_kind kind = jn_object_kind(h);
    json_t *arr = json_array();
    if (arr == NULL || json_object_set_new(line, "objects_present", arr) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint64_t at = offset + NACCB_HEADER_SIZE + (uint64_t)i * h->size;
        if (json_array_append_new(
                arr, jn_object_to_json(kind, msg + NACCB_HEADER_SIZE +
                                                 i * h->size,
                                       h->size, at, d->cp)) != 0)
            return -1;
    }
    fprintf(stderr,
            "%s: offset %" PRIu64 ": the body holds %zu whole object(s) of "
            "%" PRIu32 " bytes%s: decoded in objects_present\n",
            d->prog, offset, n, h->size,
            body % h->size ? " and a partial one" : "");
    return 0;
}

/* A NACCB whose total length is not 36 + count * size: its body cannot be
 * split into objects, so it is shown (and re-encoded) as one hex string. */
static json_t *inconsistent_to_json(struct jd_ctx *d, const uint8_t *msg,
                                    size_t len, uint64_t offset, size_t eoff,
                                    int rc, json_t *errors)
{
    struct naccb_header h;
    naccb_header_decode(msg, len, &h);
    fprintf(stderr,
            "%s: offset %" PRIu64 ": total length %" PRIu32 ", count %" PRIu32
            ", size %" PRIu32 ": objects shown as body_hex\n",
            d->prog, offset, h.total_length, h.count, h.size);
    json_t *line = jn_header_to_json(&h, offset, d->cp);
    if (line == NULL ||
        jf_put_hex(line, "body", msg + NACCB_HEADER_SIZE,
                   len - NACCB_HEADER_SIZE) != 0 ||
        present_to_json(d, line, &h, msg, len, offset) != 0 ||
        add_error(d, errors, offset + eoff, -1, NULL, jn_header_field(eoff),
                  rc) != 0) {
        json_decref(line);
        return NULL;
    }
    return line;
}

static json_t *naccb_to_json(struct jd_ctx *d, const uint8_t *msg, size_t len,
                             uint64_t offset, json_t *errors)
{
    struct naccb_message m;
    size_t eoff = 0;
    int rc = naccb_message_decode(msg, len, d->max_size, &m, &eoff);
    if (rc < 0)
        return inconsistent_to_json(d, msg, len, offset, eoff, rc, errors);
    json_t *line = jn_header_to_json(&m.header, offset, d->cp);
    if (line == NULL || check_objects(d, errors, &m.header, offset) != 0 ||
        objects_to_json(d, line, errors, &m, offset) != 0) {
        json_decref(line);
        return NULL;
    }
    return line;
}

json_t *jd_naccb_json(struct jd_ctx *d, const uint8_t *msg, size_t len,
                      uint64_t offset)
{
    json_t *errors = json_array();
    json_t *line = errors ? naccb_to_json(d, msg, len, offset, errors) : NULL;
    if (line != NULL && json_array_size(errors) > 0 &&
        json_object_set(line, "errors", errors) != 0) {
        json_decref(line);
        line = NULL;
    }
    json_decref(errors);
    return line;
}
