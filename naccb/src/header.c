/*
 * header.c - the 36-byte NACCB header (docs/protocol.md §3) and the
 * whole-NACCB view: raw encode/decode, the framing checks of the total
 * length, message decode/encode, and the per-key object rules of sections
 * 4, 6 and 9.
 *
 * Encode and decode move every field exactly as it is (hostile headers
 * included); checking is the job of naccb_header_check_length() and
 * naccb_message_check_objects() alone.  Nothing here allocates.
 */
#include "naccb/header.h"

#include <limits.h>
#include <string.h>

#include "naccb/bytes.h"
#include "naccb/errors.h"

/* Records the failing field's offset for the caller; passes rc through. */
static int fail(int rc, size_t offset, size_t *err_offset)
{
    if (err_offset)
        *err_offset = offset;
    return rc;
}

uint32_t naccb_header_key(const struct naccb_header *h)
{
    return NACCB_MAKE_KEY(h->direction, h->request, h->object);
}

void naccb_header_set_key(struct naccb_header *h, uint32_t key)
{
    h->direction = (uint16_t)(key >> 16);
    h->request = (uint8_t)(key >> 8);
    h->object = (uint8_t)key;
}

int naccb_header_encode(const struct naccb_header *h,
                        uint8_t out[NACCB_HEADER_SIZE])
{
    naccb_put_u32be(out + NACCB_OFF_TOTAL_LENGTH, h->total_length);
    naccb_put_u32be(out + NACCB_OFF_AGENT_ID, h->agent_id);
    memcpy(out + NACCB_OFF_SYSTEM_NAME, h->system_name, NACCB_NAME_SIZE);
    naccb_put_u16be(out + NACCB_OFF_DIRECTION, h->direction);
    out[NACCB_OFF_REQUEST] = h->request;
    out[NACCB_OFF_OBJECT] = h->object;
    out[NACCB_OFF_ERROR_CODE] = h->error_code;
    out[NACCB_OFF_OS_CODE] = h->os_code;
    out[NACCB_OFF_CODING] = h->coding;
    out[NACCB_OFF_UNUSED] = h->unused;
    naccb_put_u32be(out + NACCB_OFF_FORWARD, h->forward);
    naccb_put_u32be(out + NACCB_OFF_COUNT, h->count);
    naccb_put_u32be(out + NACCB_OFF_SIZE, h->size);
    return NACCB_HEADER_SIZE;
}

int naccb_header_decode(const uint8_t *buf, size_t len,
                        struct naccb_header *out)
{
    if (len < NACCB_HEADER_SIZE)
        return NACCB_EINCOMPLETE;
    out->total_length = naccb_get_u32be(buf + NACCB_OFF_TOTAL_LENGTH);
    out->agent_id = naccb_get_u32be(buf + NACCB_OFF_AGENT_ID);
    memcpy(out->system_name, buf + NACCB_OFF_SYSTEM_NAME, NACCB_NAME_SIZE);
    out->direction = naccb_get_u16be(buf + NACCB_OFF_DIRECTION);
    out->request = buf[NACCB_OFF_REQUEST];
    out->object = buf[NACCB_OFF_OBJECT];
    out->error_code = buf[NACCB_OFF_ERROR_CODE];
    out->os_code = buf[NACCB_OFF_OS_CODE];
    out->coding = buf[NACCB_OFF_CODING];
    out->unused = buf[NACCB_OFF_UNUSED];
    out->forward = naccb_get_u32be(buf + NACCB_OFF_FORWARD);
    out->count = naccb_get_u32be(buf + NACCB_OFF_COUNT);
    out->size = naccb_get_u32be(buf + NACCB_OFF_SIZE);
    return NACCB_HEADER_SIZE;
}

uint64_t naccb_message_length(uint32_t count, uint32_t size)
{
    /* At most 36 + (2^32 - 1)^2 < 2^64: the product cannot wrap. */
    return NACCB_HEADER_SIZE + (uint64_t)count * size;
}

/*
 * The bounds every reader checks first, from the total length alone
 * (docs/protocol.md §11, "bad framing").  A NACCB whose length does
 * not fit an int cannot be reported as a byte count by the functions of
 * this file, so it is over any maximum too.
 */
static int check_total(uint32_t total, uint32_t max_size, size_t *err_offset)
{
    if (max_size == 0)
        max_size = NACCB_DEFAULT_MAX_SIZE;
    if (total < NACCB_HEADER_SIZE)
        return fail(NACCB_ELENGTH_SHORT, NACCB_OFF_TOTAL_LENGTH, err_offset);
    if (total > max_size || total > INT_MAX)
        return fail(NACCB_ELENGTH_MAX, NACCB_OFF_TOTAL_LENGTH, err_offset);
    return 0;
}

/*
 * §3: size is 0 exactly when count is 0.  Either field may be the
 * wrong one; the report names the size field (offset 32) in both cases,
 * since the count is what the reader loops on.
 */
static int check_count_size(uint32_t count, uint32_t size, size_t *err_offset)
{
    if ((count == 0) != (size == 0))
        return fail(NACCB_ECOUNT_SIZE, NACCB_OFF_SIZE, err_offset);
    return 0;
}

int naccb_header_check_length(const struct naccb_header *h, uint32_t max_size,
                              size_t *err_offset)
{
    int rc = check_total(h->total_length, max_size, err_offset);

    if (rc < 0)
        return rc;
    /* 64-bit arithmetic: count 0x10000 * size 0x10000 must not wrap to 0. */
    if (naccb_message_length(h->count, h->size) != h->total_length)
        return fail(NACCB_ELENGTH_MISMATCH, NACCB_OFF_TOTAL_LENGTH,
                    err_offset);
    return check_count_size(h->count, h->size, err_offset);
}

/*
 * The total length is checked as soon as its 4 bytes are there, so a
 * hostile length is reported at once rather than as "need more bytes"
 * forever; *out is filled only once the whole header is held.
 */
int naccb_message_decode(const uint8_t *buf, size_t len, uint32_t max_size,
                         struct naccb_message *out, size_t *err_offset)
{
    int rc;

    if (len < 4)
        return NACCB_EINCOMPLETE;
    rc = check_total(naccb_get_u32be(buf), max_size, err_offset);
    if (rc < 0)
        return rc;
    if (len < NACCB_HEADER_SIZE)
        return NACCB_EINCOMPLETE;
    naccb_header_decode(buf, len, &out->header);
    rc = naccb_header_check_length(&out->header, max_size, err_offset);
    if (rc < 0)
        return rc;
    if (len < out->header.total_length)
        return NACCB_EINCOMPLETE;
    out->objects = buf + NACCB_HEADER_SIZE;
    return (int)out->header.total_length;
}

const uint8_t *naccb_message_object(const struct naccb_message *m,
                                    uint32_t i)
{
    if (i >= m->header.count || m->objects == NULL)
        return NULL;
    return m->objects + (size_t)i * m->header.size;
}

int naccb_message_encode(const struct naccb_header *h, const uint8_t *objects,
                         uint8_t *out, size_t cap)
{
    uint64_t total = naccb_message_length(h->count, h->size);
    struct naccb_header hdr = *h;
    int rc = check_count_size(h->count, h->size, NULL);

    if (rc < 0)
        return rc;
    /* The result is returned as an int byte count: that bounds it too. */
    if (total > UINT32_MAX || total > INT_MAX)
        return NACCB_ELENGTH_MAX;
    if (cap < total)
        return NACCB_ENOBUFS;
    if (h->count > 0 && objects == NULL)
        return NACCB_EINVAL;
    hdr.total_length = (uint32_t)total;
    naccb_header_encode(&hdr, out);
    if (total > NACCB_HEADER_SIZE)
        memcpy(out + NACCB_HEADER_SIZE, objects,
               (size_t)(total - NACCB_HEADER_SIZE));
    return (int)total;
}

/* ---- object rules (docs/protocol.md §5, §7 and §11) ---------------- */

/* Counts and sizes one key allows; size bounds apply only when count > 0. */
struct object_rule {
    uint32_t min_count, max_count;
    uint32_t min_size, max_size;
};

static const struct object_rule no_objects = {0, 0, 0, 0};

/* §4: which request codes each direction carries. */
static int request_valid(uint16_t direction, uint8_t request)
{
    if (direction == NACCB_DIR_TO_SERVER)
        return request == NACCB_REQ_LOGIN || request == NACCB_REQ_LOGOUT ||
               request == NACCB_REQ_ACQUIRE || request == NACCB_REQ_INFO ||
               request == NACCB_REQ_ERROR;
    return request == NACCB_REQ_EXECUTE || request == NACCB_REQ_SAVE ||
           request == NACCB_REQ_REPLACE || request == NACCB_REQ_SHUTDOWN ||
           request == NACCB_REQ_ACCEPT || request == NACCB_REQ_REJECT ||
           request == NACCB_REQ_ERROR;
}

static int is_table(uint8_t object)
{
    return object == NACCB_OBJ_EMS || object == NACCB_OBJ_SCD;
}

/*
 * §5, §6 and §7: the object codes a (valid) request allows.  The
 * to-agent error 01020Bxx takes every xx: it echoes the object code of the
 * offending NACCB, which may itself be the unknown byte the error is about
 * (§6, error 04); the header doc sets no bound, so none is made up.
 */
static int object_valid(uint16_t direction, uint8_t request, uint8_t object)
{
    int to_server = direction == NACCB_DIR_TO_SERVER;

    switch (request) {
    case NACCB_REQ_ACQUIRE:
    case NACCB_REQ_SAVE:
    case NACCB_REQ_REPLACE:
        return is_table(object);
    case NACCB_REQ_INFO:
        return object >= NACCB_OBJ_MSG && object <= NACCB_OBJ_EOTINFO;
    case NACCB_REQ_EXECUTE:
        return object == NACCB_OBJ_CMD || object == NACCB_OBJ_JOBNAME;
    case NACCB_REQ_ERROR:
        return !to_server ||
               (object >= NACCB_OBJ_EMS && object <= NACCB_OBJ_JOBNAME);
    default: /* login, logout, shutdown, accept, reject */
        return object == NACCB_OBJ_NONE;
    }
}

static struct object_rule rule(uint32_t min_count, uint32_t max_count,
                               uint32_t min_size, uint32_t max_size)
{
    struct object_rule r = {min_count, max_count, min_size, max_size};
    return r;
}

/* The text objects: event texts, exec command, agent error (§5). */
static struct object_rule texts(uint32_t min_count, uint32_t max_count)
{
    return rule(min_count, max_count, 1, NACCB_TEXT_MAX);
}

/* Objects of a whole table: EVBLOKs (230) or EOTINFOs (162), at least one;
 * an empty table goes out as no-EMS / no-SCD instead (§7). */
static struct object_rule table_rule(uint8_t object)
{
    uint32_t size =
        object == NACCB_OBJ_EMS ? NACCB_EVBLOK_SIZE : NACCB_EOTINFO_SIZE;
    return rule(1, UINT32_MAX, size, size);
}

static struct object_rule to_server_rule(uint8_t request, uint8_t object)
{
    switch (request) {
    case NACCB_REQ_LOGIN: /* §11.1 step 2: none, or an 8-byte password */
        return rule(0, 1, NACCB_PASSWORD_SIZE, NACCB_PASSWORD_SIZE);
    case NACCB_REQ_INFO: /* §11.1 step 4 */
        if (object == NACCB_OBJ_EOTINFO)
            return rule(1, UINT32_MAX, NACCB_EOTINFO_SIZE,
                        NACCB_EOTINFO_SIZE);
        return texts(1, UINT32_MAX);
    case NACCB_REQ_ERROR: /* agent error: nothing, or one reason text */
        return texts(0, 1);
    default: /* logout, acquire */
        return no_objects;
    }
}

static struct object_rule to_agent_rule(uint8_t request, uint8_t object)
{
    switch (request) {
    case NACCB_REQ_SAVE:
    case NACCB_REQ_REPLACE:
        return table_rule(object);
    case NACCB_REQ_EXECUTE:
        if (object == NACCB_OBJ_JOBNAME)
            return rule(1, 1, NACCB_NAME_SIZE, NACCB_NAME_SIZE);
        return texts(1, 1);
    default: /* accept, reject, shutdown, no-EMS/SCD, errors (§3) */
        return no_objects;
    }
}

/*
 * Checks run in the order of §11 (direction, request, object code,
 * then the request's own object rules), and within the object rules the
 * count before the size: a login with two 7-byte objects is a count error.
 */
int naccb_message_check_objects(const struct naccb_header *h,
                                size_t *err_offset)
{
    struct object_rule r;

    if (h->direction != NACCB_DIR_TO_SERVER &&
        h->direction != NACCB_DIR_TO_AGENT)
        return fail(NACCB_EDIRECTION, NACCB_OFF_DIRECTION, err_offset);
    if (!request_valid(h->direction, h->request))
        return fail(NACCB_EREQUEST, NACCB_OFF_REQUEST, err_offset);
    if (!object_valid(h->direction, h->request, h->object))
        return fail(NACCB_EOBJECT, NACCB_OFF_OBJECT, err_offset);
    r = h->direction == NACCB_DIR_TO_SERVER
            ? to_server_rule(h->request, h->object)
            : to_agent_rule(h->request, h->object);
    if (h->count < r.min_count || h->count > r.max_count)
        return fail(NACCB_EOBJECT_COUNT, NACCB_OFF_COUNT, err_offset);
    if (h->count > 0 && (h->size < r.min_size || h->size > r.max_size))
        return fail(NACCB_EOBJECT_SIZE, NACCB_OFF_SIZE, err_offset);
    return 0;
}
