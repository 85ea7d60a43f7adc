/*
 * reply.c - building, sending and journalling the NACCBs the server sends.
 *
 * Every NACCB the server sends follows docs/protocol.md §3: agent-ID 0
 * before a session and the session's ID after; the system name echoed from
 * the NACCB being answered before a session, the session host's after;
 * extended bytes 1..3 zero; forward pointer 0.  A table goes out as a fresh
 * 36-byte header plus the host's shared blob (the send callback takes
 * its own reference): no per-agent copy.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

/* The header of out on connection c (§3). */
static void build_header(const struct xdi_conn *c, const struct xdi__out *out,
                         const uint8_t *echo, uint8_t head[NACCB_HEADER_SIZE])
{
    struct naccb_header h;
    uint8_t blank = naccb_ebcdic_blank(c->srv->fixtures->codepage);

    memset(&h, 0, sizeof(h));
    naccb_header_set_key(&h, out->key);
    h.error_code = out->error_code;
    h.count = out->body != NULL ? out->count : 0;
    h.size = out->body != NULL ? out->size : 0;
    h.total_length = (uint32_t)naccb_message_length(h.count, h.size);
    if (c->host != NULL) {
        h.agent_id = c->agent_id;
        memcpy(h.system_name, c->host->wire_name, NACCB_NAME_SIZE);
    } else if (echo != NULL) {
        memcpy(h.system_name, echo, NACCB_NAME_SIZE);
    } else {
        memset(h.system_name, blank, NACCB_NAME_SIZE);
    }
    naccb_header_encode(&h, head);
}

/* The fields of a sent NACCB: its key, name, error byte and bytes.  A
 * table is the host's, the same for every agent: its objects are written
 * whole ("table_objects") in the first record that sends that blob, and
 * every record that sends it names it by "table_fnv1a64", so that a
 * journal holds every byte sent once and no more (docs/journal.md). */
static void record_out(json_t *rec, const struct xdi__out *out,
                       const uint8_t head[NACCB_HEADER_SIZE],
                       const struct xdi__rx *answering)
{
    char key[9];
    const char *name = naccb_key_name(out->key, out->error_code);

    snprintf(key, sizeof(key), "%08X", (unsigned)out->key);
    if (answering != NULL)
        xdi__rec_int(rec, "seq", (json_int_t)answering->seq);
    xdi__rec_str(rec, "key", key);
    xdi__rec_str(rec, "name", name != NULL ? name : "unknown");
    xdi__rec_int(rec, "error", out->error_code);
    xdi__rec_hex(rec, "naccb", head, NACCB_HEADER_SIZE);
    if (out->body != NULL) {
        xdi__rec_int(rec, "count", out->count);
        xdi__rec_int(rec, "size", out->size);
        xdi__rec_int(rec, "body_len", (json_int_t)out->body->len);
        if (out->table && rec != NULL) {
            char hash[17];

            snprintf(hash, sizeof hash, "%016llX",
                     (unsigned long long)xdi__fnv1a64(out->body->data,
                                                      out->body->len));
            xdi__rec_str(rec, "table_fnv1a64", hash);
            if (!out->body->journalled) {
                xdi__rec_hex(rec, "table_objects", out->body->data,
                             out->body->len);
                out->body->journalled = true;
            }
        }
    }
}

/* The "outcome" of a record saying why a NACCB was sent. */
static const char *why_outcome(enum xdi_send_result r)
{
    switch (r) {
    case XDI_SEND_WRITTEN:
        return "sent";
    case XDI_SEND_DROPPED:
        return "send_dropped";
    case XDI_SEND_OVER_LIMIT:
        return "send_over_limit";
    }
    return "unknown";
}

enum xdi_send_result xdi__send(struct xdi_conn *c, const struct xdi__out *out,
                               const uint8_t *echo,
                               const struct xdi__rx *answering, json_t *rec)
{
    struct xdi_server *srv = c->srv;
    uint8_t head[NACCB_HEADER_SIZE];
    enum xdi_send_result r = XDI_SEND_DROPPED;

    build_header(c, out, echo, head);
    if (!c->closing)
        r = srv->ops.send(srv->ops.ctx, c->io, head, sizeof(head), out->body);
    if (r == XDI_SEND_WRITTEN) {
        uint64_t n = sizeof(head) + (out->body != NULL ? out->body->len : 0);
        c->traffic.naccbs_out++;
        c->traffic.bytes_out += n;
        srv->traffic.naccbs_out++;
        srv->traffic.bytes_out += n;
    }
    /* Only now is it known what became of the NACCB: the records say
     * that, never what was meant to happen. */
    if (out->why != NULL) {
        xdi__rec_str(out->why, "outcome", why_outcome(r));
        xdi__journal(srv, out->why);
    }
    if (r == XDI_SEND_OVER_LIMIT) {
        /* The agent does not read what it is sent: journal the NACCB that
         * did not fit, and close (server.h: the output limit). */
        json_decref(rec);
        rec = xdi__rec(c, "output_limit", echo);
        record_out(rec, out, head, answering);
        xdi__rec_str(rec, "outcome", xdi_send_result_name(r));
        xdi__rec_int(rec, "max_output_queue",
                     (json_int_t)srv->cfg.max_output_queue);
        xdi__journal(srv, rec);
        xdi__conn_close(c);
        return r;
    }
    if (rec == NULL)
        rec = xdi__rec(c, "send", echo);
    record_out(rec, out, head, answering);
    xdi__rec_str(rec, "outcome", xdi_send_result_name(r));
    xdi__journal(srv, rec);
    /* A NACCB missing from the middle of the stream leaves nothing the
     * agent could follow: the connection ends here (output.h). */
    if (r == XDI_SEND_DROPPED)
        xdi__conn_close(c);
    return r;
}

void xdi__send_table(struct xdi_conn *c, bool ems, bool replacement,
                     const struct xdi__rx *answering)
{
    const struct xdi__table *t = ems ? &c->host->ems : &c->host->scd;
    bool *sent = ems ? &c->ems_sent : &c->scd_sent;
    struct xdi__out out = {0};

    if (t->blob == NULL) {
        out.key = ems ? NACCB_KEY_NO_EMS : NACCB_KEY_NO_SCD;
        out.error_code = NACCB_ERR_NOT_AVAILABLE;
        xdi__send(c, &out, NULL, answering, NULL);
        /* Events need a table sent: "not available" withdraws it. */
        *sent = false;
        return;
    }
    if (replacement)
        out.key = ems ? NACCB_KEY_REP_EMS : NACCB_KEY_REP_SCD;
    else
        out.key = ems ? NACCB_KEY_RCV_EMS : NACCB_KEY_RCV_SCD;
    out.body = t->blob;
    out.table = true;
    out.count = t->count;
    out.size = t->size;
    *sent = xdi__send(c, &out, NULL, answering, NULL) == XDI_SEND_WRITTEN;
}

enum xdi_send_result xdi__send_error(struct xdi_conn *c, uint8_t error_code,
                                     uint8_t object, const struct xdi__rx *rx)
{
    struct xdi__out out = {
        .key = NACCB_MAKE_KEY(NACCB_DIR_TO_AGENT, NACCB_REQ_ERROR, object),
        .error_code = error_code,
    };

    return xdi__send(c, &out, rx != NULL ? rx->h.system_name : NULL, rx,
                     NULL);
}
