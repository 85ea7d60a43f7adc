/*
 * agent.c - one load agent's session over libuv: connect, login (key
 * 02010500), acquire EMS and SCD (02010901 / 02010902), then, once the
 * phase says so, K info MSG NACCBs (02010A03) and a logout (02010600) in
 * one write, and wait for the server to close (docs/protocol.md §11).
 *
 * Every NACCB the server sends is checked against what the generated
 * fixture set makes the only right answer: an accept for this host, the
 * host's exact EMS table, its exact SCD table, and then nothing at all
 * (info NACCBs are never acknowledged, §11.1 step 4, and the texts
 * trigger no action).  Anything else is an unexpected reply: counted,
 * printed (the first few), and the agent stops.
 *
 * Memory: one heap write request per write, holding its bytes, freed in
 * the write callback; the read buffer is shared (struct load), since the
 * framer copies what it keeps across reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "naccb/errors.h"
#include "naccb/header.h"

enum { REPORT_MAX = 10 }; /* unexpected replies / failures printed */

struct wreq {
    uv_write_t req; /* first: the request's address is the wreq's */
    struct agent *agent;
    size_t len;
    uint8_t data[];
};

static const char *state_name(enum agent_state s)
{
    static const char *const names[] = {
        "idle",
        "connecting",
        "waiting for the accept",
        "waiting for the EMS table",
        "waiting for the SCD table",
        "holding",
        "waiting for the close after logout",
        "flooding",
        "waiting for the EMS table (rr)",
        "closing",
        "done",
    };

    return names[s];
}

static void on_close(uv_handle_t *h)
{
    struct agent *a = (struct agent *)h;

    a->state = A_DONE;
    a->tcp_open = false;
    naccb_framer_free(&a->framer);
    free(a->batch);
    a->batch = NULL;
    load_closed(a->load, a);
}

static void close_agent(struct agent *a)
{
    if (a->state == A_CLOSING || a->state == A_DONE)
        return;
    a->state = A_CLOSING;
    if (a->in_window)
        load_left_window(a->load, a);
    uv_read_stop((uv_stream_t *)&a->tcp);
    uv_close((uv_handle_t *)&a->tcp, on_close);
}

static void fail(struct agent *a, const char *why, const char *detail)
{
    struct load *l = a->load;
    char name[NACCB_NAME_SIZE + 1];

    if (a->failed || a->state == A_CLOSING || a->state == A_DONE)
        return;
    a->failed = true;
    if (l->reported++ < REPORT_MAX) {
        host_name(a->host, name);
        fprintf(stderr, "xdi-load: %s agent %s, %s: %s%s%s\n", l->phase->name,
                name, state_name(a->state), why, detail ? ": " : "",
                detail ? detail : "");
    }
    close_agent(a);
}

static void on_write(uv_write_t *req, int status)
{
    struct wreq *w = (struct wreq *)req;

    if (status < 0)
        fail(w->agent, "write failed", uv_strerror(status));
    free(w);
}

static struct wreq *wreq_new(struct agent *a, size_t len)
{
    struct wreq *w = malloc(sizeof *w + len);

    if (w == NULL) {
        fail(a, "out of memory", NULL);
        return NULL;
    }
    w->agent = a;
    w->len = len;
    return w;
}

/* Hands w to libuv; it is freed in on_write (or here on failure). */
static void wreq_send(struct agent *a, struct wreq *w, uint32_t naccbs)
{
    uv_buf_t b = uv_buf_init((char *)w->data, (unsigned)w->len);
    int rc = uv_write(&w->req, (uv_stream_t *)&a->tcp, &b, 1, on_write);

    if (rc < 0) {
        free(w);
        fail(a, "write failed", uv_strerror(rc));
        return;
    }
    a->load->phase->bytes_sent += w->len;
    a->load->phase->naccbs_sent += naccbs;
}

/* One NACCB from this agent (§3): agent-ID 0 only in the login. */
static int encode(const struct agent *a, uint32_t key, uint32_t count,
                  uint32_t size, const uint8_t *objects, uint8_t *out,
                  size_t cap)
{
    struct naccb_header h;

    memset(&h, 0, sizeof h);
    naccb_header_set_key(&h, key);
    h.agent_id = key == NACCB_KEY_LOGIN ? 0 : a->agent_id;
    memcpy(h.system_name, a->system, NACCB_NAME_SIZE);
    h.count = count;
    h.size = size;
    return naccb_message_encode(&h, objects, out, cap);
}

/* A NACCB without objects (login, acquire, logout). */
static void send_plain(struct agent *a, uint32_t key, enum agent_state next)
{
    struct wreq *w = wreq_new(a, NACCB_HEADER_SIZE);

    if (w == NULL)
        return;
    (void)encode(a, key, 0, 0, NULL, w->data, w->len);
    a->state = next;
    a->t_sent = uv_hrtime();
    wreq_send(a, w, 1);
}

void agent_release(struct agent *a)
{
    struct load *l = a->load;
    uint32_t len = l->man.text_length, per = l->texts;
    size_t one = NACCB_HEADER_SIZE + (size_t)per * len;
    uint8_t texts[LOAD_MAX_TEXTS * NACCB_TEXT_MAX];
    struct wreq *w = wreq_new(a, one * l->infos + NACCB_HEADER_SIZE);
    uint8_t *p;

    if (w == NULL)
        return;
    p = w->data;
    for (uint32_t k = 0; k < l->infos; k++, p += one) {
        for (uint32_t j = 0; j < per; j++)
            info_text(&l->man, a->host, k * per + j, texts + (size_t)j * len);
        (void)encode(a, NACCB_KEY_INFO_MSG, per, len, texts, p, one);
    }
    (void)encode(a, NACCB_KEY_LOGOUT, 0, 0, NULL, p, NACCB_HEADER_SIZE);
    a->state = A_INFO;
    a->t_info = uv_hrtime();
    l->phase->texts_sent += (uint64_t)l->infos * per;
    wreq_send(a, w, l->infos + 1);
}

int agent_build_batch(struct agent *a)
{
    struct load *l = a->load;
    uint32_t len = l->man.text_length;
    size_t one = NACCB_HEADER_SIZE + (size_t)len;
    uint8_t text[NACCB_TEXT_MAX];

    a->batch = malloc(one * l->batch);
    if (a->batch == NULL) {
        fail(a, "out of memory", NULL);
        return -1;
    }
    for (uint32_t k = 0; k < l->batch; k++) {
        info_text(&l->man, a->host, k, text);
        (void)encode(a, NACCB_KEY_INFO_MSG, 1, len, text,
                     a->batch + (size_t)k * one, one);
    }
    return 0;
}

void agent_acquire(struct agent *a)
{
    send_plain(a, NACCB_KEY_ACQ_EMS, A_RR);
}

void agent_logout(struct agent *a)
{
    if (a->failed || a->state == A_CLOSING || a->state == A_DONE)
        return;
    send_plain(a, NACCB_KEY_LOGOUT, A_INFO);
    a->t_info = a->t_sent;
}

/* ---- replies ------------------------------------------------------------------ */

/* The fields every reply in a session shares (§3, "Every NACCB the
 * server sends"): no error, this host's name, this session's agent-ID. */
static int reply_is(const struct agent *a, const struct naccb_message *m,
                    uint32_t key)
{
    const struct naccb_header *h = &m->header;

    return naccb_header_key(h) == key && h->error_code == 0 &&
           h->os_code == 0 && h->coding == 0 && h->unused == 0 &&
           h->forward == 0 &&
           memcmp(h->system_name, a->system, NACCB_NAME_SIZE) == 0 &&
           (key == NACCB_KEY_ACCEPT ? h->agent_id != 0
                                    : h->agent_id == a->agent_id);
}

static void unexpected(struct agent *a, const struct naccb_message *m, int rc)
{
    char detail[128];

    a->load->phase->unexpected++;
    if (rc < 0)
        snprintf(detail, sizeof detail, "undecodable NACCB (%s)",
                 naccb_err_name(rc));
    else
        snprintf(detail, sizeof detail,
                 "key %08X error %u agent-ID %u count %u size %u",
                 (unsigned)naccb_header_key(&m->header), m->header.error_code,
                 (unsigned)m->header.agent_id, (unsigned)m->header.count,
                 (unsigned)m->header.size);
    fail(a, "unexpected reply", detail);
}

static bool table_reply(const struct agent *a, const struct naccb_message *m,
                        uint32_t key, uint32_t size)
{
    return reply_is(a, m, key) && m->header.size == size &&
           tables_match(&a->load->tables, a->host, size, m->header.count,
                        m->objects);
}

/* Both tables are in: hold for the others, or go on at once. */
static void tables_done(struct agent *a)
{
    struct load *l = a->load;

    if (l->phase->hold) {
        a->state = A_HOLD;
        a->held = true;
        if (a->in_window)
            load_left_window(l, a);
        load_holding(l);
    } else {
        agent_release(a);
    }
}

static void handle(struct agent *a, const uint8_t *msg, size_t len)
{
    struct phase *ph = a->load->phase;
    struct naccb_message m;
    int rc = naccb_message_decode(msg, len, 0, &m, NULL);
    uint64_t now = uv_hrtime();

    ph->naccbs_received++;
    if (rc < 0) {
        unexpected(a, &m, rc);
    } else if (a->state == A_LOGIN && reply_is(a, &m, NACCB_KEY_ACCEPT) &&
               m.header.count == 0) {
        a->agent_id = m.header.agent_id;
        samples_add(&ph->login, now - a->t_sent);
        ph->accepted++;
        ph->t_last_accept = now;
        send_plain(a, NACCB_KEY_ACQ_EMS, A_ACQ_EMS);
    } else if (a->state == A_ACQ_EMS &&
               table_reply(a, &m, NACCB_KEY_RCV_EMS, NACCB_EVBLOK_SIZE)) {
        samples_add(&ph->acq_ems, now - a->t_sent);
        send_plain(a, NACCB_KEY_ACQ_SCD, A_ACQ_SCD);
    } else if (a->state == A_ACQ_SCD &&
               table_reply(a, &m, NACCB_KEY_RCV_SCD, NACCB_EOTINFO_SIZE)) {
        samples_add(&ph->acq_scd, now - a->t_sent);
        tables_done(a);
    } else if (a->state == A_RR &&
               table_reply(a, &m, NACCB_KEY_RCV_EMS, NACCB_EVBLOK_SIZE)) {
        mode_round_trip(a);
    } else {
        unexpected(a, &m, 0);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    struct agent *a = (struct agent *)h;

    (void)suggested;
    *buf = uv_buf_init((char *)a->load->read_buf, sizeof a->load->read_buf);
}

/* Feeds a read to the framer; every whole NACCB goes to handle(). */
static void feed(struct agent *a, const uint8_t *p, size_t n)
{
    const uint8_t *msg;
    size_t msg_len;
    int rc;

    while ((rc = naccb_framer_next(&a->framer, &p, &n, &msg, &msg_len)) > 0) {
        handle(a, msg, msg_len);
        if (a->failed)
            return;
    }
    if (rc != NACCB_EINCOMPLETE) {
        a->load->phase->unexpected++;
        fail(a, "lost framing", naccb_err_name(rc));
        return;
    }
    /* The tables are in: give back the framer's buffer (up to a whole
     * table) while the agent holds, so a thousand agents do not each pin
     * one. */
    if ((a->state == A_HOLD || a->state == A_INFO || a->state == A_FLOOD) &&
        naccb_framer_pending(&a->framer) == 0) {
        naccb_framer_free(&a->framer);
        naccb_framer_init(&a->framer, 0);
    }
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct agent *a = (struct agent *)s;

    if (nread > 0) {
        a->load->phase->bytes_received += (uint64_t)nread;
        feed(a, (const uint8_t *)buf->base, (size_t)nread);
    } else if (nread == UV_EOF && a->state == A_INFO &&
               naccb_framer_pending(&a->framer) == 0) {
        samples_add(&a->load->phase->info_close, uv_hrtime() - a->t_info);
        close_agent(a); /* the session's happy end */
    } else if (nread == UV_EOF) {
        fail(a, "the server closed the connection", NULL);
    } else if (nread < 0) {
        fail(a, "read failed", uv_strerror((int)nread));
    }
}

static void on_connect(uv_connect_t *req, int status)
{
    struct agent *a = req->data;
    int rc;

    if (status < 0) {
        fail(a, "connect failed", uv_strerror(status));
        return;
    }
    if (a->state != A_CONNECTING)
        return; /* aborted meanwhile */
    samples_add(&a->load->phase->connect, uv_hrtime() - a->t_start);
    rc = uv_read_start((uv_stream_t *)&a->tcp, on_alloc, on_read);
    if (rc < 0) {
        fail(a, "read failed", uv_strerror(rc));
        return;
    }
    send_plain(a, NACCB_KEY_LOGIN, A_LOGIN);
}

void agent_reset(struct load *l, uint32_t i)
{
    struct agent *a = &l->agents[i];

    memset(a, 0, sizeof *a);
    a->load = l;
    a->host = i;
    host_wire_name(i, a->system);
    a->state = A_IDLE;
    naccb_framer_init(&a->framer, 0);
}

void agent_start(struct agent *a)
{
    struct load *l = a->load;
    int rc = uv_tcp_init(l->loop, &a->tcp);

    if (rc < 0) {
        /* No handle to close: settle the agent here. */
        a->failed = true;
        a->state = A_DONE;
        fprintf(stderr, "xdi-load: cannot create a socket: %s\n",
                uv_strerror(rc));
        load_closed(l, a);
        return;
    }
    a->tcp_open = true;
    a->state = A_CONNECTING;
    a->t_start = uv_hrtime();
    (void)uv_tcp_nodelay(&a->tcp, 1); /* request/reply: no Nagle delay */
    a->connect_req.data = a;
    rc = uv_tcp_connect(&a->connect_req, &a->tcp,
                        (const struct sockaddr *)&l->addr, on_connect);
    if (rc < 0)
        fail(a, "connect failed", uv_strerror(rc));
}

void agent_fail(struct agent *a, const char *why, const char *detail)
{
    fail(a, why, detail);
}

void agent_abort(struct agent *a)
{
    if (a->state != A_IDLE)
        fail(a, "the run's time limit passed", NULL);
}
