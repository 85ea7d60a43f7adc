/*
 * outq.c - the outgoing queue: every NACCB the agent sends waits here until
 * the socket can take it, and info objects that pile up meanwhile are
 * batched.
 *
 * The seed's "forward pointer" paragraph describes exactly this: the
 * listener is faster than the socket, so NACCBs wait on a chain and the
 * socket client sends them one after another.  The chain is the list of
 * struct xdi_agent__item; the header's forward field is sent as 0
 * (protocol.md §3: a 31-bit address means nothing to the peer).
 *
 * Batching (§6, "several texts of the same length may share one
 * NACCB"): when a NACCB is built, the first sendable item takes along every
 * later queued item with the same key and object length, up to max_batch
 * objects and the maximum NACCB size.  Objects of one key and length keep
 * their order; a NACCB is placed where its first object was queued.
 */
#include <stdlib.h>
#include <string.h>

#include "priv.h"

int xdi_agent__queue(struct xdi_agent *a, uint32_t key, uint8_t error_code,
                     const uint8_t *obj, uint32_t len, bool batch)
{
    struct xdi_agent__item *it;

    /* After the logout (or once stopping) nothing more may follow it. */
    if (a->state == XDI_AGENT_CLOSING || a->state == XDI_AGENT_STOPPED) {
        xdi_agent__log(a, "shutting down: %s not sent",
                       xdi_agent__key_name(key, error_code));
        return -1;
    }
    if (a->q_len >= a->cfg.max_queue) {
        xdi_agent__log(a, "queue full (%zu NACCBs): %s dropped", a->q_len,
                       xdi_agent__key_name(key, error_code));
        return -1;
    }
    it = malloc(sizeof *it + len);
    if (it == NULL) {
        xdi_agent__log(a, "out of memory: %s dropped",
                       xdi_agent__key_name(key, error_code));
        return -1;
    }
    it->next = NULL;
    it->key = key;
    it->error_code = error_code;
    it->batch = batch;
    it->len = len;
    if (len > 0)
        memcpy(it->data, obj, len);
    *a->q_tail = it;
    a->q_tail = &it->next;
    a->q_len++;
    return 0;
}

void xdi_agent__queue_agent_error(struct xdi_agent *a, uint8_t object,
                                  uint8_t error_code, const char *why)
{
    uint8_t text[NACCB_TEXT_MAX];
    size_t len = strlen(why);
    char q[XDI_AGENT__QUOTE_SIZE];

    /* The text object is 1..128 bytes (§8): a longer reason is
     * cut, an empty one leaves the NACCB without objects. */
    if (len > sizeof text)
        len = sizeof text;
    naccb_ebcdic_encode(a->cfg.codepage, (const uint8_t *)why, len, text);
    xdi_agent__log(a, "agent error %02X for object %02X: %s", error_code,
                   object, xdi_agent__quote(q, why, len));
    xdi_agent__queue(a,
                     NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER, NACCB_REQ_ERROR,
                                    object),
                     error_code, text, (uint32_t)len, false);
}

/* Unlinks the item *link points to and returns it. */
static struct xdi_agent__item *unlink_item(struct xdi_agent *a,
                                           struct xdi_agent__item **link)
{
    struct xdi_agent__item *it = *link;

    *link = it->next;
    if (a->q_tail == &it->next)
        a->q_tail = link;
    it->next = NULL;
    a->q_len--;
    return it;
}

void xdi_agent__queue_drop_control(struct xdi_agent *a)
{
    struct xdi_agent__item **link = &a->q_head;

    while (*link != NULL) {
        if (!(*link)->batch)
            free(unlink_item(a, link));
        else
            link = &(*link)->next;
    }
}

static bool is_eot(const struct xdi_agent__item *it)
{
    return (it->key & 0xFFu) == NACCB_OBJ_EOTINFO;
}

size_t xdi_agent__queue_filter(
    struct xdi_agent *a, bool scd_kind,
    bool (*keep)(struct xdi_agent *a, const struct xdi_agent__item *it))
{
    struct xdi_agent__item **link = &a->q_head;
    size_t dropped = 0;

    while (*link != NULL) {
        struct xdi_agent__item *it = *link;
        if (it->batch && is_eot(it) == scd_kind && !keep(a, it)) {
            free(unlink_item(a, link));
            dropped++;
        } else {
            link = &it->next;
        }
    }
    return dropped;
}

void xdi_agent__queue_free(struct xdi_agent *a)
{
    while (a->q_head != NULL)
        free(unlink_item(a, &a->q_head));
}

/*
 * May this item go out now?  The login needs only a connection; anything
 * else needs the session's agent-ID; an info object also needs its table
 * to have been received in this session (section 11.1 step 4: the server
 * checks that it was sent on this session).
 */
static bool sendable(const struct xdi_agent *a,
                     const struct xdi_agent__item *it)
{
    if (!a->connected)
        return false;
    if (it->key == (uint32_t)NACCB_KEY_LOGIN)
        return true;
    if (a->agent_id == 0)
        return false;
    if (!it->batch)
        return true;
    return is_eot(it) ? a->scd_state == XDI_AGENT__T_READY
                      : a->ems_state == XDI_AGENT__T_READY;
}

bool xdi_agent_want_write(const struct xdi_agent *a)
{
    for (const struct xdi_agent__item *it = a->q_head; it != NULL;
         it = it->next)
        if (sendable(a, it))
            return true;
    return false;
}

/* A growing output buffer. */
struct outbuf {
    uint8_t *bytes;
    size_t len, cap;
    bool failed;
};

static uint8_t *outbuf_room(struct outbuf *o, size_t need)
{
    if (o->failed)
        return NULL;
    if (o->cap - o->len < need) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap - o->len < need)
            cap *= 2;
        uint8_t *p = realloc(o->bytes, cap);
        if (p == NULL) {
            o->failed = true;
            return NULL;
        }
        o->bytes = p;
        o->cap = cap;
    }
    return o->bytes + o->len;
}

/* The header every agent NACCB carries (§4): this session's
 * agent-ID (0 in a login), the system name, forward pointer 0. */
static void make_header(const struct xdi_agent *a,
                        const struct xdi_agent__item *it, uint32_t count,
                        struct naccb_header *h)
{
    memset(h, 0, sizeof *h);
    h->agent_id = it->key == (uint32_t)NACCB_KEY_LOGIN ? 0 : a->agent_id;
    memcpy(h->system_name, a->wire_name, NACCB_NAME_SIZE);
    naccb_header_set_key(h, it->key);
    h->error_code = it->error_code;
    h->count = count;
    h->size = count > 0 ? it->len : 0;
    h->total_length = (uint32_t)naccb_message_length(h->count, h->size);
}

/*
 * Moves the items that share a NACCB with `first` (already unlinked) from
 * the queue to the list *batch (first included), and returns their count.
 */
static uint32_t gather(struct xdi_agent *a, struct xdi_agent__item *first,
                       struct xdi_agent__item **batch)
{
    struct xdi_agent__item **tail = &first->next;
    struct xdi_agent__item **link = &a->q_head;
    uint32_t count = 1;
    uint64_t limit = a->cfg.max_naccb_size ? a->cfg.max_naccb_size
                                           : NACCB_DEFAULT_MAX_SIZE;

    *batch = first;
    if (!first->batch || first->len == 0)
        return 1;
    while (*link != NULL && count < a->cfg.max_batch &&
           naccb_message_length(count + 1, first->len) <= limit) {
        struct xdi_agent__item *it = *link;
        if (it->batch && it->key == first->key && it->len == first->len) {
            *tail = unlink_item(a, link);
            tail = &(*tail)->next;
            count++;
        } else {
            link = &it->next;
        }
    }
    return count;
}

static void log_sent(struct xdi_agent *a, const struct naccb_header *h,
                     const struct xdi_agent__item *first)
{
    uint32_t key = naccb_header_key(h);
    const char *name = xdi_agent__key_name(key, h->error_code);
    char q[XDI_AGENT__QUOTE_SIZE];

    if (h->count == 0)
        xdi_agent__log(a, "send %s (%08X)", name, (unsigned)key);
    else if (h->count == 1 && first->batch && (key & 0xFFu) != NACCB_OBJ_EOTINFO)
        xdi_agent__log(a, "send %s: %s", name,
                       xdi_agent__quote_wire(a, q, first->data, first->len));
    else
        xdi_agent__log(a, "send %s (%08X): %u object(s) of %u bytes",
                       name, (unsigned)key, (unsigned)h->count,
                       (unsigned)h->size);
}

/* Encodes one NACCB from the batch list into o; frees the items. */
static void emit(struct xdi_agent *a, struct xdi_agent__item *batch,
                 uint32_t count, struct outbuf *o)
{
    struct naccb_header h;
    uint8_t *p;

    /* An item without an object is a NACCB with count 0 and size 0. */
    make_header(a, batch, batch->len == 0 ? 0 : count, &h);
    p = outbuf_room(o, h.total_length);
    if (p != NULL) {
        naccb_header_encode(&h, p);
        p += NACCB_HEADER_SIZE;
        for (const struct xdi_agent__item *it = batch; it != NULL;
             it = it->next) {
            memcpy(p, it->data, it->len);
            p += it->len;
        }
        o->len += h.total_length;
        log_sent(a, &h, batch);
    }
    while (batch != NULL) {
        struct xdi_agent__item *next = batch->next;
        free(batch);
        batch = next;
    }
}

uint8_t *xdi_agent_take_output(struct xdi_agent *a, size_t *len)
{
    struct outbuf o = {NULL, 0, 0, false};
    struct xdi_agent__item **link = &a->q_head;

    *len = 0;
    while (*link != NULL && o.len < XDI_AGENT_OUTPUT_CHUNK && !o.failed) {
        if (!sendable(a, *link)) {
            link = &(*link)->next;
            continue;
        }
        struct xdi_agent__item *first = unlink_item(a, link), *batch;
        uint32_t count = gather(a, first, &batch);
        /* gather() may have unlinked the item *link pointed to: restart
         * the walk from the head, which holds only unsent items. */
        emit(a, batch, count, &o);
        link = &a->q_head;
    }
    if (o.failed) {
        xdi_agent__log(a, "out of memory building output: NACCBs lost");
        free(o.bytes);
        return NULL;
    }
    *len = o.len;
    return o.bytes;
}
