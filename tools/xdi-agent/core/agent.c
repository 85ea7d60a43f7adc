/*
 * agent.c - the agent's session: connect, log in (retrying with backoff),
 * acquire both tables, run, and shut down with a logout.  This is the
 * seed's "Interaction Steps" (2) to (14) seen from the agent, with the
 * byte-level rules of protocol.md §3, 7 and 11.1.
 *
 * Received bytes go through libnaccb's framer; every NACCB is decoded and
 * checked with naccb_message_decode() and naccb_message_check_objects()
 * before it is acted on.  A NACCB the agent cannot use (wrong direction,
 * unknown code, another agent-ID, an error) is logged and skipped: nothing
 * the host sends can stop the agent except shutdown and lost framing.
 */
#include <stdlib.h>
#include <string.h>

#include "priv.h"

void xdi_agent_config_defaults(struct xdi_agent_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->codepage = NACCB_CP_037;
    cfg->retries = XDI_AGENT_DEFAULT_RETRIES;
    cfg->backoff_ms = XDI_AGENT_DEFAULT_BACKOFF_MS;
    cfg->backoff_max_ms = XDI_AGENT_DEFAULT_BACKOFF_MAX_MS;
    cfg->max_batch = XDI_AGENT_DEFAULT_MAX_BATCH;
    cfg->max_queue = XDI_AGENT_DEFAULT_MAX_QUEUE;
}

const char *xdi_agent_config_check(const struct xdi_agent_config *cfg)
{
    size_t n = strnlen(cfg->system_name, sizeof cfg->system_name);

    if (n == 0 || n > NACCB_NAME_SIZE)
        return "the system name must be 1 to 8 characters";
    if (strnlen(cfg->password, sizeof cfg->password) > NACCB_PASSWORD_SIZE)
        return "the password must be at most 8 characters";
    if (naccb_codepage_name(cfg->codepage) == NULL)
        return "unknown code page";
    if (cfg->max_batch == 0)
        return "max_batch must be at least 1";
    if (cfg->max_queue == 0)
        return "max_queue must be at least 1";
    if (cfg->max_naccb_size != 0 && cfg->max_naccb_size < NACCB_HEADER_SIZE)
        return "the maximum NACCB size is below the 36-byte header";
    return NULL;
}

struct xdi_agent *xdi_agent_new(const struct xdi_agent_config *cfg,
                                const struct xdi_agent_hooks *hooks)
{
    struct xdi_agent *a;

    if (xdi_agent_config_check(cfg) != NULL)
        return NULL;
    a = calloc(1, sizeof *a);
    if (a == NULL)
        return NULL;
    a->cfg = *cfg;
    if (hooks != NULL)
        a->hooks = *hooks;
    naccb_field_put(cfg->codepage, a->wire_name, NACCB_NAME_SIZE,
                    cfg->system_name, strlen(cfg->system_name));
    naccb_framer_init(&a->framer, cfg->max_naccb_size);
    a->q_tail = &a->q_head;
    a->act_tail = &a->act_head;
    a->state = XDI_AGENT_IDLE;
    return a;
}

void xdi_agent_free(struct xdi_agent *a)
{
    struct xdi_agent_action act;

    if (a == NULL)
        return;
    while (xdi_agent_next_action(a, &act))
        ;
    naccb_framer_free(&a->framer);
    xdi_agent__queue_free(a);
    xdi_agent__tables_clear(a);
    for (size_t i = 0; i < a->n_allow; i++)
        regfree(&a->allow[i]);
    free(a->allow);
    free(a->holidays);
    free(a);
}

/* ---- attempts, backoff, stopping --------------------------------------- */

/* backoff_ms doubled for each failure after the first, capped. */
static unsigned backoff_delay(const struct xdi_agent *a)
{
    uint64_t d = a->cfg.backoff_ms;

    for (unsigned i = 1; i < a->failures && d < a->cfg.backoff_max_ms; i++)
        d *= 2;
    return d > a->cfg.backoff_max_ms ? a->cfg.backoff_max_ms : (unsigned)d;
}

/* Ends the agent: with a connection, close it first (the STOP follows the
 * disconnect); without, stop now. */
static void finish(struct xdi_agent *a, int exit_code)
{
    a->exit_code = exit_code;
    if (a->connected) {
        a->state = XDI_AGENT_CLOSING;
        xdi_agent__act(a, XDI_ACT_CLOSE, 0, 0, NULL);
    } else {
        a->state = XDI_AGENT_STOPPED;
        xdi_agent__act(a, XDI_ACT_STOP, 0, exit_code, NULL);
    }
}

/* Step (13): logout, then close once it is written. */
static void begin_logout(struct xdi_agent *a, int exit_code)
{
    if (xdi_agent__queue(a, (uint32_t)NACCB_KEY_LOGOUT, 0, NULL, 0,
                         false) == 0)
        a->logging_out = true;
    finish(a, exit_code);
}

/* A failed attempt (reject, lost or refused connection): retry after a
 * backoff, or give up once more than `retries` attempts failed in a row. */
static void fail_attempt(struct xdi_agent *a, enum xdi_agent__failure kind)
{
    a->failures++;
    a->last_failure = kind;
    if (a->failures > a->cfg.retries) {
        xdi_agent__log(a, "giving up after %u failed attempt(s)", a->failures);
        finish(a, kind == XDI_AGENT__FAIL_REJECTED ? XDI_EXIT_REJECTED
                                             : XDI_EXIT_LOST);
        return;
    }
    unsigned delay = backoff_delay(a);
    xdi_agent__log(a, "retry %u of %u in %u ms", a->failures, a->cfg.retries,
                   delay);
    a->state = a->connected ? XDI_AGENT_LOGIN_BACKOFF
                            : XDI_AGENT_RECONNECT_BACKOFF;
    xdi_agent__act(a, XDI_ACT_TIMER, delay, 0, NULL);
}

/* ---- connection events --------------------------------------------------- */

static void queue_login(struct xdi_agent *a)
{
    uint8_t pw[NACCB_PASSWORD_SIZE];
    size_t n = strlen(a->cfg.password);

    /* §11.1 step 2: count 0, or one 8-byte blank-padded password. */
    naccb_field_put(a->cfg.codepage, pw, sizeof pw, a->cfg.password, n);
    xdi_agent__queue(a, (uint32_t)NACCB_KEY_LOGIN, 0, n > 0 ? pw : NULL,
                     n > 0 ? (uint32_t)sizeof pw : 0, false);
    a->state = XDI_AGENT_LOGIN;
}

void xdi_agent_start(struct xdi_agent *a)
{
    if (a->state != XDI_AGENT_IDLE)
        return;
    a->state = XDI_AGENT_CONNECTING;
    xdi_agent__act(a, XDI_ACT_CONNECT, 0, 0, NULL);
}

void xdi_agent_connected(struct xdi_agent *a)
{
    if (a->state != XDI_AGENT_CONNECTING)
        return;
    a->connected = true;
    a->input_lost = false;
    naccb_framer_free(&a->framer);
    naccb_framer_init(&a->framer, a->cfg.max_naccb_size);
    xdi_agent__log(a, "connected: logging in as %s", a->cfg.system_name);
    queue_login(a);
}

/* The session is gone with its connection: its agent-ID, its tables and
 * its control NACCBs; info objects wait for the next session (they are
 * re-checked against the tables it brings). */
static void end_session(struct xdi_agent *a)
{
    a->connected = false;
    a->agent_id = 0;
    xdi_agent__tables_clear(a);
    xdi_agent__queue_drop_control(a);
}

void xdi_agent_connect_failed(struct xdi_agent *a, const char *why)
{
    if (a->state != XDI_AGENT_CONNECTING)
        return;
    xdi_agent__log(a, "cannot connect: %s", why);
    fail_attempt(a, XDI_AGENT__FAIL_LOST);
}

void xdi_agent_disconnected(struct xdi_agent *a, const char *why)
{
    enum xdi_agent_state was = a->state;

    if (!a->connected)
        return;
    end_session(a);
    if (was == XDI_AGENT_CLOSING) {
        xdi_agent__log(a, "connection closed: stopping with exit code %d",
                       a->exit_code);
        a->state = XDI_AGENT_STOPPED;
        xdi_agent__act(a, XDI_ACT_STOP, 0, a->exit_code, NULL);
        return;
    }
    xdi_agent__log(a, "connection lost: %s", why);
    if (was == XDI_AGENT_LOGIN_BACKOFF) {
        /* The reject was counted; its timer now reconnects. */
        a->state = XDI_AGENT_RECONNECT_BACKOFF;
        return;
    }
    fail_attempt(a, XDI_AGENT__FAIL_LOST);
}

void xdi_agent_timer(struct xdi_agent *a)
{
    if (a->state == XDI_AGENT_LOGIN_BACKOFF) {
        xdi_agent__log(a, "logging in again");
        queue_login(a);
    } else if (a->state == XDI_AGENT_RECONNECT_BACKOFF) {
        a->state = XDI_AGENT_CONNECTING;
        xdi_agent__act(a, XDI_ACT_CONNECT, 0, 0, NULL);
    }
}

void xdi_agent_shutdown(struct xdi_agent *a, const char *why)
{
    xdi_agent__log(a, "local shutdown: %s", why);
    switch (a->state) {
    case XDI_AGENT_ACQUIRING:
    case XDI_AGENT_RUNNING:
        begin_logout(a, XDI_EXIT_OK);
        break;
    case XDI_AGENT_CLOSING:
    case XDI_AGENT_STOPPED:
        break;
    default: /* no session: nothing to log out of */
        finish(a, XDI_EXIT_OK);
        break;
    }
}

/* ---- received NACCBs ------------------------------------------------------ */

static void on_accept(struct xdi_agent *a, const struct naccb_header *h)
{
    if (h->agent_id == 0) {
        xdi_agent__log(a, "accept without an agent-ID: taken as a reject");
        fail_attempt(a, XDI_AGENT__FAIL_REJECTED);
        return;
    }
    /* Step (3): this ID goes into every later NACCB. */
    a->agent_id = h->agent_id;
    a->failures = 0;
    xdi_agent__log(a, "accepted: agent-ID %u", (unsigned)a->agent_id);
    /* Steps (4) and (5), both at once: the answers may come in any order. */
    xdi_agent__queue(a, (uint32_t)NACCB_KEY_ACQ_EMS, 0, NULL, 0, false);
    xdi_agent__queue(a, (uint32_t)NACCB_KEY_ACQ_SCD, 0, NULL, 0, false);
    a->ems_state = a->scd_state = XDI_AGENT__T_PENDING;
    a->state = XDI_AGENT_ACQUIRING;
}

static const char *table_word(enum xdi_agent__table_state s)
{
    return s == XDI_AGENT__T_READY ? "ready" : "not available";
}

/* Steps (6) to (8): once both tables are answered, run without the
 * missing one, or shut down when both are missing. */
static void check_tables(struct xdi_agent *a)
{
    if (a->state != XDI_AGENT_ACQUIRING && a->state != XDI_AGENT_RUNNING)
        return;
    if (a->ems_state == XDI_AGENT__T_PENDING ||
        a->scd_state == XDI_AGENT__T_PENDING)
        return;
    if (a->ems_state == XDI_AGENT__T_MISSING &&
        a->scd_state == XDI_AGENT__T_MISSING) {
        xdi_agent__log(a, "neither EMS nor SCD is available: shutting down");
        begin_logout(a, XDI_EXIT_NO_TABLES);
        return;
    }
    if (a->state == XDI_AGENT_ACQUIRING) {
        a->state = XDI_AGENT_RUNNING;
        xdi_agent__log(a, "running: EMS %s (%zu entries), SCD %s (%zu entries)",
                       table_word(a->ems_state), a->n_ems,
                       table_word(a->scd_state), a->n_scd);
        xdi_agent__act(a, XDI_ACT_READY, 0, 0, NULL);
    }
}

static bool keep_none(struct xdi_agent *a, const struct xdi_agent__item *it)
{
    (void)a;
    (void)it;
    return false;
}

/* The table is not available (any more) in this session: objects queued
 * for it could never be sent now. */
static void table_missing(struct xdi_agent *a, bool scd)
{
    size_t dropped = xdi_agent__queue_filter(a, scd, keep_none);

    if (dropped > 0)
        xdi_agent__log(a, "%zu queued object(s) dropped: their table is gone",
                       dropped);
    if (scd) {
        free(a->scd);
        a->scd = NULL;
        a->n_scd = 0;
        a->scd_state = XDI_AGENT__T_MISSING;
    } else {
        free(a->ems);
        a->ems = NULL;
        a->n_ems = 0;
        a->ems_state = XDI_AGENT__T_MISSING;
    }
    xdi_agent__log(a, "%s not available: running without it",
                   scd ? "SCD" : "EMS");
    check_tables(a);
}

/* 01020Bxx: "no EMS/SCD" only with error 08 (§8); anything else is
 * an error about a NACCB the agent sent, logged and survived.  An error
 * about a pending acquire means that table will not come. */
static void on_error(struct xdi_agent *a, const struct naccb_header *h)
{
    const char *name = naccb_error_code_name(h->error_code);
    bool table = h->object == NACCB_OBJ_EMS || h->object == NACCB_OBJ_SCD;

    if (table && h->error_code == NACCB_ERR_NOT_AVAILABLE) {
        table_missing(a, h->object == NACCB_OBJ_SCD);
        return;
    }
    xdi_agent__log(a, "recv error %02X (%s) about object %02X", h->error_code,
                   name != NULL ? name : "unknown", h->object);
    if (table) {
        enum xdi_agent__table_state s =
            h->object == NACCB_OBJ_SCD ? a->scd_state : a->ems_state;
        if (s == XDI_AGENT__T_PENDING)
            table_missing(a, h->object == NACCB_OBJ_SCD);
    }
}

static void on_shutdown(struct xdi_agent *a)
{
    xdi_agent__log(a, "the host asks for shutdown");
    if (a->agent_id != 0)
        begin_logout(a, XDI_EXIT_HOST_SHUTDOWN);
    else
        finish(a, XDI_EXIT_HOST_SHUTDOWN);
}

/* Requests that need the session (the accept came). */
static void dispatch_session(struct xdi_agent *a, const struct naccb_message *m)
{
    const struct naccb_header *h = &m->header;

    switch (h->request) {
    case NACCB_REQ_SAVE:    /* receive EMS / SCD, step (6)/(7) */
    case NACCB_REQ_REPLACE: /* a whole new table (§8) */
        xdi_agent__table_load(a, m);
        check_tables(a);
        break;
    case NACCB_REQ_EXECUTE:
        if (h->object == NACCB_OBJ_CMD)
            xdi_agent__exec_command(a, m);
        else
            xdi_agent__exec_job(a, m);
        break;
    default:
        xdi_agent__log(a, "recv %08X: not expected in a session, ignored",
                       (unsigned)naccb_header_key(h));
        break;
    }
}

static void dispatch(struct xdi_agent *a, const struct naccb_message *m)
{
    const struct naccb_header *h = &m->header;

    switch (h->request) {
    case NACCB_REQ_ACCEPT:
    case NACCB_REQ_REJECT:
        if (a->state != XDI_AGENT_LOGIN) {
            xdi_agent__log(a, "recv %s while not logging in: ignored",
                           h->request == NACCB_REQ_ACCEPT ? "accept"
                                                          : "reject");
        } else if (h->request == NACCB_REQ_ACCEPT) {
            on_accept(a, h);
        } else {
            const char *name = naccb_error_code_name(h->error_code);
            xdi_agent__log(a, "login rejected: error %02X (%s)", h->error_code,
                           name != NULL ? name : "unknown");
            fail_attempt(a, XDI_AGENT__FAIL_REJECTED);
        }
        break;
    case NACCB_REQ_ERROR:
        on_error(a, h);
        break;
    case NACCB_REQ_SHUTDOWN:
        on_shutdown(a);
        break;
    default:
        if (a->agent_id == 0)
            xdi_agent__log(a, "recv %08X before the session: ignored",
                           (unsigned)naccb_header_key(h));
        else
            dispatch_session(a, m);
        break;
    }
}

/* One whole NACCB from the framer. */
static void handle(struct xdi_agent *a, const uint8_t *bytes, size_t len)
{
    struct naccb_message m;
    size_t off = 0;
    int rc = naccb_message_decode(bytes, len, a->cfg.max_naccb_size, &m, &off);

    if (rc < 0) {
        xdi_agent__log(a, "recv bad NACCB: %s (offset %zu): ignored",
                       naccb_err_name(rc), off);
        return;
    }
    if (m.header.direction != NACCB_DIR_TO_AGENT) {
        xdi_agent__log(a, "recv NACCB with direction %04X: ignored",
                       (unsigned)m.header.direction);
        return;
    }
    rc = naccb_message_check_objects(&m.header, &off);
    if (rc != 0) {
        xdi_agent__log(a, "recv %08X: %s (offset %zu): ignored",
                       (unsigned)naccb_header_key(&m.header),
                       naccb_err_name(rc), off);
        return;
    }
    if (a->agent_id != 0 && m.header.agent_id != a->agent_id) {
        xdi_agent__log(a, "recv %08X for agent-ID %u, not ours (%u): ignored",
                       (unsigned)naccb_header_key(&m.header),
                       (unsigned)m.header.agent_id, (unsigned)a->agent_id);
        return;
    }
    const char *name = xdi_agent__key_name(naccb_header_key(&m.header),
                                           m.header.error_code);
    xdi_agent__log(a, "recv %s (%08X, error %02X, %u object(s))", name,
                   (unsigned)naccb_header_key(&m.header),
                   m.header.error_code, (unsigned)m.header.count);
    dispatch(a, &m);
}

static bool takes_input(const struct xdi_agent *a)
{
    return a->connected && !a->input_lost &&
           a->state != XDI_AGENT_CLOSING && a->state != XDI_AGENT_STOPPED;
}

void xdi_agent_feed(struct xdi_agent *a, const uint8_t *bytes, size_t len)
{
    const uint8_t *msg;
    size_t msg_len;
    int rc = NACCB_EINCOMPLETE;

    while (takes_input(a) &&
           (rc = naccb_framer_next(&a->framer, &bytes, &len, &msg,
                                   &msg_len)) == 1)
        handle(a, msg, msg_len);
    if (takes_input(a) && rc != NACCB_EINCOMPLETE && rc != 1) {
        /* The frame boundary is lost: nothing more on this stream can be
         * trusted.  Close it; the disconnect counts as a lost connection. */
        xdi_agent__log(a, "lost framing: %s at stream offset %llu: closing",
                       naccb_err_name(rc),
                       (unsigned long long)a->framer.error_offset);
        a->input_lost = true;
        xdi_agent__act(a, XDI_ACT_CLOSE, 0, 0, NULL);
    }
}

/* ---- inspection ----------------------------------------------------------- */

enum xdi_agent_state xdi_agent_state(const struct xdi_agent *a)
{
    return a->state;
}

const char *xdi_agent_state_name(enum xdi_agent_state s)
{
    static const char *const names[] = {
        "idle", "connecting", "login", "login-backoff", "reconnect-backoff",
        "acquiring", "running", "closing", "stopped"};

    return (size_t)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

uint32_t xdi_agent_id(const struct xdi_agent *a)
{
    return a->agent_id;
}

long xdi_agent_ems_entries(const struct xdi_agent *a)
{
    return a->ems_state == XDI_AGENT__T_READY ? (long)a->n_ems : -1;
}

long xdi_agent_scd_entries(const struct xdi_agent *a)
{
    return a->scd_state == XDI_AGENT__T_READY ? (long)a->n_scd : -1;
}

size_t xdi_agent_queued(const struct xdi_agent *a)
{
    return a->q_len;
}

bool xdi_agent_logging_out(const struct xdi_agent *a)
{
    return a->logging_out && a->state == XDI_AGENT_CLOSING;
}

unsigned xdi_agent_failures(const struct xdi_agent *a)
{
    return a->failures;
}
