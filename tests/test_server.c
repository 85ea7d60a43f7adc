/*
 * test_server.c - the protocol core of the fake XDI host (server/core),
 * driven with byte arrays: a fake transport that keeps what is sent to each
 * connection, a fake clock at a fixed instant, and a fixture set built by
 * hand in C (no YAML loader).
 *
 * Every NACCB fed and every reply expected is a hex literal written from
 * docs/protocol.md §3 to §11 (EBCDIC IBM-037: SYSA = E2E8E2C1, blank =
 * 40); replies are compared byte for byte.  The journal records are caught
 * in memory by the fake output, each line parsed back as it comes.  The
 * output, clock, drivers and journal reader are shared with
 * test_automation.c in tests/support/core_harness.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core_harness.h"
#include "server.h"

/* 2026-11-21 08:30:00 UTC: a Saturday, day 325 (docs/protocol.md §8's
 * example).  TZ is set to UTC in main(), so local time is the same. */
#define FIXED_TIME 1795249800
/* What the fake clock reads (core_harness.c); never changed. */
static time_t fixed_now = FIXED_TIME;

/* ---- hex literals ------------------------------------------------------- */

/* SYSA..SYSC, B8, Z8, Z24, Z40, EXT0, NOOBJ, LOGIN, ACCEPT, ACQ_EMS,
 * ACQ_SCD, SHUTDOWN and ERR come from tests/support/core_harness.h. */
#define SYSZ "E2E8E2E940404040"

#define LOGIN_SYSA LOGIN(SYSA)
#define ACCEPT_SYSA(id) ACCEPT(id, SYSA)
#define LOGOUT(id, sys) "00000024 " id " " sys " 02010600 " EXT0 " " NOOBJ
#define REJECT(sys, err)                                                       \
    "00000024 00000000 " sys " 01020800 " err "000000 " NOOBJ

/* "IEF450I PAYROLL", 15 bytes: matches EVBLOK 0 (MSG, key IEF450I). */
#define TXT_IEF450I "C9C5C6F4F5F0C940D7C1E8D9D6D3D3"
#define INFO_MSG_IEF450I(id)                                                   \
    "00000033 " id " " SYSA " 02010A03 " EXT0 " 00000000 00000001 0000000F " \
    TXT_IEF450I

/* An EOTINFO report (§9) for job PAYROLL: flag2 80 (job name
 * captured), notes J / blank / N / R. */
#define EOT(sys, job, notes, res1, res2)                                       \
    Z40 Z40 "00 80" res1 B8 sys job B8 B8 "0000 0000 0000 0000" notes res2
#define PAYROLL "D7C1E8D9D6D3D340"
#define EOT_OK EOT(SYSA, PAYROLL, "D140D5D9", Z24, "00000000")
#define INFO_EOT(id, sys, obj)                                                 \
    "000000C6 " id " " sys " 02010A07 " EXT0 " 00000000 00000001 000000A2 " obj

/* ---- the fixture set, by hand ------------------------------------------- */

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    assert_non_null(p);
    return p;
}

static void put(uint8_t *field, size_t width, const char *s)
{
    assert_int_equal(naccb_field_put(NACCB_CP_037, field, width, s, strlen(s)),
                     0);
}

static struct naccb_evblok make_evblok(const char *sys, const char *key,
                                       unsigned vl, uint8_t et)
{
    struct naccb_evblok e;

    memset(&e, 0, sizeof(e));
    put(e.system_name, sizeof(e.system_name), sys);
    put(e.event_key, sizeof(e.event_key), key);
    put(e.additional_text, sizeof(e.additional_text), "");
    e.kl = (uint16_t)strlen(key);
    e.il = (uint16_t)(8 + e.kl);
    e.vl = (uint16_t)vl;
    naccb_evblok_set_always(&e);
    e.event_type = et;
    assert_int_equal(naccb_evblok_validate(&e, NULL), 0);
    return e;
}

static struct naccb_eotinfo make_entry(const char *sys, const char *job,
                                       const char *step, uint8_t flag2)
{
    struct naccb_eotinfo e;

    memset(&e, 0, sizeof(e));
    put(e.job_id, sizeof(e.job_id), "");
    put(e.system_name, sizeof(e.system_name), sys);
    put(e.job_name, sizeof(e.job_name), job);
    put(e.step_name, sizeof(e.step_name), step);
    put(e.proc_step_name, sizeof(e.proc_step_name), "");
    e.flag2 = flag2;
    return e;
}

/*
 * SYSA: EMS events (index in the fixture -> index in the agent's table)
 *   0 -> 0  MSG IEF450I, always
 *   1 -> 1  CMD KILL (VL 4, action CANCEL U=&arg), always
 *   2 -> -  ET 03 time-of-day: never sent to an agent
 *   3 -> 2  MSG OUTFRAME, 09:00:00..10:00:00 (out of frame at 08:30)
 *   4 -> 3  ET 06 (EOJ) PAYROLL, always
 *   5 -> 4  MSG WORKDAY, every weekday, not on holidays
 *   6 -> 5  MSG HOLI, holidays only
 * SCD jobs: 0 PAYROLL (flag2 80: job name), 1 BACKUP step STEP1 (flag2 A0:
 * job name and step name).  No password, any source address.
 * SYSB: password SECRET, only 10.0.0.0/8, EMS not ready, SCD ready but
 * empty.
 * SYSC: raw tables: EMS IEF999I (MSG) and SYS1 (CMD), SCD PAYROLL.
 */
#define SYSA_EVENTS 7
#define SYSA_TABLE_EVENTS 6
static const size_t sysa_sent_events[SYSA_TABLE_EVENTS] = {0, 1, 3, 4, 5, 6};

static void make_sysa(struct xdi_host *h)
{
    struct xdi_event *ev = calloc(SYSA_EVENTS, sizeof(*ev));

    assert_non_null(ev);
    strcpy(h->system_name, "SYSA");
    h->ems_ready = true;
    h->events = ev;
    h->n_events = SYSA_EVENTS;
    ev[0].evblok = make_evblok("SYSA", "IEF450I", 0, NACCB_ET_MESSAGE);
    ev[1].evblok = make_evblok("SYSA", "KILL", 4, NACCB_ET_COMMAND);
    ev[1].action = xstrdup("CANCEL U=&arg");
    ev[2].evblok = make_evblok("SYSA", "TOD0800", 0, NACCB_ET_TIME_OF_DAY);
    ev[3].evblok = make_evblok("SYSA", "OUTFRAME", 0, NACCB_ET_MESSAGE);
    ev[3].evblok.stime = 0x09000000;
    ev[3].evblok.stsec = 32400;
    ev[3].evblok.etime = 0x10000000;
    ev[3].evblok.etsec = 36000;
    ev[4].evblok = make_evblok("SYSA", "PAYROLL", 0, NACCB_ET_EOJ);
    ev[5].evblok = make_evblok("SYSA", "WORKDAY", 0, NACCB_ET_MESSAGE);
    ev[5].evblok.day_list[7] = 0;
    ev[6].evblok = make_evblok("SYSA", "HOLI", 0, NACCB_ET_MESSAGE);
    memset(ev[6].evblok.day_list, 0, 7);
    for (size_t i = 0; i < SYSA_EVENTS; i++)
        assert_int_equal(naccb_evblok_validate(&ev[i].evblok, NULL), 0);
    h->scd_ready = true;
    h->jobs = calloc(2, sizeof(*h->jobs));
    assert_non_null(h->jobs);
    h->n_jobs = 2;
    h->jobs[0].entry = make_entry("SYSA", "PAYROLL", "", 0x80);
    h->jobs[1].entry = make_entry("SYSA", "BACKUP", "STEP1", 0xA0);
}

static void make_sysb(struct xdi_host *h)
{
    strcpy(h->system_name, "SYSB");
    h->password = xstrdup("SECRET");
    h->allowed = calloc(1, sizeof(*h->allowed));
    assert_non_null(h->allowed);
    h->allowed[0].family = AF_INET;
    h->allowed[0].addr[0] = 10;
    h->allowed[0].prefix = 8;
    h->n_allowed = 1;
    h->ems_ready = false;
    h->scd_ready = true; /* ready, but no job: "empty" */
}

static void make_sysc(struct xdi_host *h)
{
    struct naccb_evblok a = make_evblok("SYSC", "IEF999I", 0, NACCB_ET_MESSAGE);
    struct naccb_evblok b = make_evblok("SYSC", "SYS1", 0, NACCB_ET_COMMAND);
    struct naccb_eotinfo e = make_entry("SYSC", "PAYROLL", "", 0x80);

    strcpy(h->system_name, "SYSC");
    h->ems_ready = true;
    h->ems_raw = malloc(2 * NACCB_EVBLOK_SIZE);
    assert_non_null(h->ems_raw);
    naccb_evblok_encode(&a, h->ems_raw);
    naccb_evblok_encode(&b, h->ems_raw + NACCB_EVBLOK_SIZE);
    h->ems_raw_len = 2 * NACCB_EVBLOK_SIZE;
    h->scd_ready = true;
    h->scd_raw = malloc(NACCB_EOTINFO_SIZE);
    assert_non_null(h->scd_raw);
    naccb_eotinfo_encode(&e, h->scd_raw);
    h->scd_raw_len = NACCB_EOTINFO_SIZE;
}

static struct xdi_fixture_set *make_fixtures(bool holiday)
{
    struct xdi_fixture_set *set = calloc(1, sizeof(*set));

    assert_non_null(set);
    set->codepage = NACCB_CP_037;
    if (holiday) {
        set->holidays = calloc(1, sizeof(*set->holidays));
        assert_non_null(set->holidays);
        set->holidays[0] = (struct naccb_date){2026, 11, 21};
        set->n_holidays = 1;
    }
    set->hosts = calloc(3, sizeof(*set->hosts));
    assert_non_null(set->hosts);
    set->n_hosts = 3;
    make_sysa(&set->hosts[0]);
    make_sysb(&set->hosts[1]);
    make_sysc(&set->hosts[2]);
    return set;
}

/* ---- the test environment ----------------------------------------------- */

#define NCONN 4

struct env {
    struct xdi_config cfg;
    bool holiday; /* 2026-11-21 is in the holiday calendar */
    struct xdi_server *srv;
    struct th_journal journal;
    struct th_io io[NCONN];
    struct xdi_conn *conn[NCONN];
    size_t chunk; /* feed in pieces of this many bytes; 0 = whole */
};

static void env_stop(struct env *e)
{
    th_server_stop(&e->srv, e->conn, e->io, NCONN);
    th_journal_free(&e->journal);
}

static void env_boot(struct env *e)
{
    th_journal_init(&e->journal);
    e->srv = th_server_new(&e->cfg, make_fixtures(e->holiday), &e->journal,
                           &fixed_now);
}

/* Restart with e->cfg / e->holiday as the test changed them. */
static void env_reboot(struct env *e)
{
    env_stop(e);
    env_boot(e);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    xdi_config_defaults(&e->cfg);
    e->holiday = true;
    env_boot(e);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;

    env_stop(e);
    free(e);
    return 0;
}

/* The drivers below address connection i of the environment; the work is
 * done in tests/support/core_harness.c. */

/* Connection i from an IPv4 or IPv6 address, port 40000. */
static void open_from(struct env *e, size_t i, const char *ip)
{
    e->conn[i] = th_open_from(e->srv, &e->io[i], ip);
}

static void open_conn(struct env *e, size_t i)
{
    open_from(e, i, TH_PEER);
}

/* The network layer's side of a close the core asked for. */
static void closed(struct env *e, size_t i, enum xdi_close_cause cause)
{
    xdi_conn_closed(e->conn[i], cause, NULL);
    e->conn[i] = NULL;
}

/* Fed in pieces of e->chunk bytes when the test set it. */
static void feed_bytes(struct env *e, size_t i, const uint8_t *b, size_t n)
{
    th_feed_bytes(e->conn[i], b, n, e->chunk);
}

static void feed(struct env *e, size_t i, const char *hex)
{
    th_feed(e->conn[i], hex, e->chunk);
}

/* What connection i was sent since the last expect is exactly hex. */
static void expect(struct env *e, size_t i, const char *hex)
{
    th_expect(&e->io[i], hex);
}

static void expect_nothing(struct env *e, size_t i)
{
    th_expect_nothing(&e->io[i]);
}

/* Open connection i and log SYSA in, expecting agent-ID id (hex). */
static void login_sysa(struct env *e, size_t i, const char *id)
{
    th_login(e->srv, &e->conn[i], &e->io[i], SYSA, id);
}

/* ---- reading the journal ------------------------------------------------- */

/* Every record the core handed over (each line checked as one JSON object
 * as it came, core_harness.h). */
static json_t *journal_lines(const struct env *e)
{
    return th_journal_lines(&e->journal);
}

static json_t *jrec(const struct env *e, const char *event, size_t nth)
{
    return th_jrec(&e->journal, event, nth);
}

static size_t jcount(const struct env *e, const char *event)
{
    return th_jcount(&e->journal, event);
}

static const char *jstr(const json_t *rec, const char *field)
{
    return th_jstr(rec, field);
}

static json_int_t jint(const json_t *rec, const char *field)
{
    return th_jint(rec, field);
}

/* hex repeated n times, in a fresh string. */
static char *hexrep(const char *unit, size_t n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * n + 1);

    assert_non_null(s);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * u, unit, u);
    s[u * n] = '\0';
    return s;
}

/* ---- blob --------------------------------------------------------------- */

static void test_server_blob_copies_and_counts(void **state)
{
    static const uint8_t data[3] = {1, 2, 3};
    struct xdi_blob *b = xdi_blob_new(data, sizeof(data));

    (void)state;
    assert_non_null(b);
    assert_int_equal(b->len, 3);
    assert_int_equal(b->refs, 1);
    assert_memory_equal(b->data, data, 3);
    assert_ptr_equal(xdi_blob_ref(b), b);
    assert_int_equal(b->refs, 2);
    xdi_blob_unref(b);
    assert_int_equal(b->refs, 1);
    xdi_blob_unref(b); /* freed: ASan reports a leak otherwise */
    assert_null(xdi_blob_ref(NULL));
    xdi_blob_unref(NULL);
}

static void test_server_blob_null_data_is_zero_filled(void **state)
{
    static const uint8_t zeros[16];
    struct xdi_blob *b = xdi_blob_new(NULL, sizeof(zeros));

    (void)state;
    assert_non_null(b);
    assert_memory_equal(b->data, zeros, sizeof(zeros));
    xdi_blob_unref(b);
    b = xdi_blob_new(NULL, 0);
    assert_non_null(b);
    assert_int_equal(b->len, 0);
    xdi_blob_unref(b);
}

/* ---- login: accept and agent-IDs (§11.1 step 2) --------------------- */

static void test_server_login_accept_first_id_1(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    assert_int_equal(xdi_conn_timers(e->conn[0]), XDI_TIMER_LOGIN);
    feed(e, 0, LOGIN_SYSA);
    expect(e, 0, ACCEPT_SYSA("00000001"));
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    assert_int_equal(xdi_server_connections(e->srv), 1);
    assert_int_equal(e->io[0].closes, 0);
}

/* Sequential from 1, and never reused: not after a logout, not after a
 * takeover, not for another host. */
static void test_server_login_ids_sequential_never_reused(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, LOGOUT("00000001", SYSA));
    assert_int_equal(e->io[0].closes, 1);
    closed(e, 0, XDI_CLOSE_REQUESTED);
    th_io_reset(&e->io[0]);
    login_sysa(e, 0, "00000002");
    login_sysa(e, 1, "00000003"); /* takes over from connection 0 */
    open_conn(e, 2);
    feed(e, 2, "00000024 00000000 " SYSC " 02010500 " EXT0 " " NOOBJ);
    expect(e, 2, "00000024 00000004 " SYSC " 01020700 " EXT0 " " NOOBJ);
    assert_int_equal(xdi_server_sessions(e->srv), 2);
}

/* Logs SYSA in n times, each new login taking over the last; collects the
 * agent-IDs of the accepts. */
static void collect_ids(struct env *e, uint32_t *ids, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        size_t slot = k % 2;
        struct th_io *io = &e->io[slot];
        static const uint8_t accept_key[4] = {0x01, 0x02, 0x07, 0x00};
        open_conn(e, slot);
        feed(e, slot, LOGIN_SYSA);
        assert_int_equal(io->len, 36);
        assert_memory_equal(io->out + 16, accept_key, 4);
        ids[k] = (uint32_t)io->out[4] << 24 | (uint32_t)io->out[5] << 16 |
                 (uint32_t)io->out[6] << 8 | io->out[7];
        io->len = 0;
        if (k > 0) { /* the previous login was taken over */
            assert_int_equal(e->io[1 - slot].closes, 1);
            closed(e, 1 - slot, XDI_CLOSE_REQUESTED);
            th_io_reset(&e->io[1 - slot]);
        }
    }
}

static void test_server_login_random_ids_unique_nonzero(void **state)
{
    struct env *e = *state;
    enum { N = 300 };
    uint32_t ids[N];
    bool sequential = true;

    e->cfg.random_ids = true;
    e->cfg.id_seed = 42;
    env_reboot(e);
    collect_ids(e, ids, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_not_equal(ids[i], 0);
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(ids[i], ids[j]);
        if (ids[i] != i + 1)
            sequential = false;
    }
    assert_false(sequential);
}

/* The seed makes them reproducible; another seed gives others. */
static void test_server_login_random_ids_follow_seed(void **state)
{
    struct env *e = *state;
    uint32_t a[4], b[4], c[4];

    e->cfg.random_ids = true;
    e->cfg.id_seed = 7;
    env_reboot(e);
    collect_ids(e, a, 4);
    env_reboot(e);
    collect_ids(e, b, 4);
    e->cfg.id_seed = 8;
    env_reboot(e);
    collect_ids(e, c, 4);
    assert_memory_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, c, sizeof(a));
}

/* ---- login: the reject order of §11.1 step 2 ------------------------ */

/* Each step fails with every earlier step passing and every later step
 * failing too, so the test also proves the order. */
static void test_server_reject_step1_agent_id(void **state)
{
    struct env *e = *state;
    json_t *rec;

    e->cfg.xdi_down = true;
    env_reboot(e);
    open_conn(e, 0);
    /* agent-ID 5, object 01, XDI down, unknown system SYSZ */
    feed(e, 0, "00000024 00000005 " SYSZ " 02010501 " EXT0 " " NOOBJ);
    expect(e, 0, REJECT(SYSZ, "01"));
    assert_int_equal(e->io[0].closes, 0);
    rec = jrec(e, "reject", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "check"), "agent_id");
    json_decref(rec);
}

static void test_server_reject_step2_object(void **state)
{
    struct env *e = *state;

    e->cfg.xdi_down = true;
    env_reboot(e);
    open_conn(e, 0);
    feed(e, 0, "00000024 00000000 " SYSZ " 02010501 " EXT0 " " NOOBJ);
    expect(e, 0, REJECT(SYSZ, "04"));
}

static void test_server_reject_step3_xdi_down(void **state)
{
    struct env *e = *state;

    e->cfg.xdi_down = true;
    env_reboot(e);
    open_conn(e, 0);
    feed(e, 0, "00000024 00000000 " SYSZ " 02010500 " EXT0 " " NOOBJ);
    expect(e, 0, REJECT(SYSZ, "06"));
    /* A known host is rejected the same way while XDI is down. */
    feed(e, 0, LOGIN_SYSA);
    expect(e, 0, REJECT(SYSA, "06"));
    assert_int_equal(xdi_server_sessions(e->srv), 0);
}

static void test_server_reject_step4_unknown_system(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    /* SYSZ, with two 8-byte objects (which step 6 would refuse too) */
    feed(e, 0, "00000034 00000000 " SYSZ " 02010500 " EXT0 " 00000000 "
               "00000002 00000008 " Z8 Z8);
    expect(e, 0, REJECT(SYSZ, "09"));
}

/* The name is compared as wire bytes: "SYSA" padded with NULs instead of
 * blanks is not SYSA. */
static void test_server_reject_system_name_not_blank_padded(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    feed(e, 0, "00000024 00000000 E2E8E2C100000000 02010500 " EXT0 " " NOOBJ);
    expect(e, 0, REJECT("E2E8E2C100000000", "09"));
}

static void test_server_reject_step5_source_address(void **state)
{
    struct env *e = *state;
    json_t *rec;

    open_from(e, 0, "192.0.2.7"); /* SYSB allows 10.0.0.0/8 only */
    /* and no password, which step 6 would refuse too */
    feed(e, 0, "00000024 00000000 " SYSB " 02010500 " EXT0 " " NOOBJ);
    expect(e, 0, REJECT(SYSB, "05"));
    rec = jrec(e, "reject", 0);
    assert_string_equal(jstr(rec, "check"), "source_address");
    json_decref(rec);
}

/* Step 6 from an allowed address: password missing, wrong, not
 * configured, or objects other than one of 8 bytes. */
static void reject_step6(struct env *e, const char *ip, const char *login,
                         const char *reply, const char *check)
{
    json_t *rec;

    open_from(e, 0, ip);
    feed(e, 0, login);
    expect(e, 0, reply);
    assert_int_equal(e->io[0].closes, 0);
    rec = jrec(e, "reject", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "check"), check);
    assert_int_equal(jint(rec, "error"), 5);
    json_decref(rec);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
}

#define PW_SECRET "E2C5C3D9C5E34040"
#define LOGIN_SYSB_PW(pw)                                                      \
    "0000002C 00000000 " SYSB " 02010500 " EXT0 " 00000000 00000001 "         \
    "00000008 " pw

static void test_server_reject_step6_password_missing(void **state)
{
    reject_step6(*state, "10.1.2.3",
                 "00000024 00000000 " SYSB " 02010500 " EXT0 " " NOOBJ,
                 REJECT(SYSB, "05"), "password_missing");
}

static void test_server_reject_step6_password_wrong(void **state)
{
    /* "SECRET" with one byte off, then the right word NUL-padded */
    reject_step6(*state, "10.1.2.3", LOGIN_SYSB_PW("E2C5C3D9C5E34041"),
                 REJECT(SYSB, "05"), "password_wrong");
}

static void test_server_reject_step6_password_not_blank_padded(void **state)
{
    reject_step6(*state, "10.1.2.3", LOGIN_SYSB_PW("E2C5C3D9C5E30000"),
                 REJECT(SYSB, "05"), "password_wrong");
}

static void test_server_reject_step6_password_not_configured(void **state)
{
    reject_step6(*state, "192.0.2.7",
                 "0000002C 00000000 " SYSA " 02010500 " EXT0
                 " 00000000 00000001 00000008 " PW_SECRET,
                 REJECT(SYSA, "05"), "password_not_configured");
}

static void test_server_reject_step6_two_objects(void **state)
{
    reject_step6(*state, "10.1.2.3",
                 "00000034 00000000 " SYSB " 02010500 " EXT0
                 " 00000000 00000002 00000008 " PW_SECRET PW_SECRET,
                 REJECT(SYSB, "05"), "objects");
}

static void test_server_reject_step6_object_size_7(void **state)
{
    reject_step6(*state, "10.1.2.3",
                 "0000002B 00000000 " SYSB " 02010500 " EXT0
                 " 00000000 00000001 00000007 E2C5C3D9C5E340",
                 REJECT(SYSB, "05"), "objects");
}

/* Every check passing: the password host from an allowed address. */
static void test_server_login_password_and_address_accepted(void **state)
{
    struct env *e = *state;

    open_from(e, 0, "10.1.2.3");
    feed(e, 0, LOGIN_SYSB_PW(PW_SECRET));
    expect(e, 0, "00000024 00000001 " SYSB " 01020700 " EXT0 " " NOOBJ);
}

/* After a reject the connection stays open and the agent may retry. */
static void test_server_reject_then_login_again(void **state)
{
    struct env *e = *state;

    open_from(e, 0, "10.1.2.3");
    feed(e, 0, LOGIN_SYSB_PW("E6D9D6D5C7404040")); /* WRONG */
    expect(e, 0, REJECT(SYSB, "05"));
    feed(e, 0, LOGIN_SYSB_PW(PW_SECRET));
    expect(e, 0, "00000024 00000001 " SYSB " 01020700 " EXT0 " " NOOBJ);
    assert_int_equal(e->io[0].closes, 0);
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
}

/* A new login for a host with a live session wins: the old connection
 * gets shutdown with its own agent-ID and is closed. */
static void test_server_takeover(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    login_sysa(e, 1, "00000002");
    expect(e, 0, SHUTDOWN("00000001", SYSA));
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(e->io[1].closes, 0);
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    /* the old connection is closing: its input is ignored */
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect_nothing(e, 0);
    /* the new one works */
    feed(e, 1, LOGOUT("00000002", SYSA));
    assert_int_equal(e->io[1].closes, 1);
    rec = jrec(e, "takeover", 0);
    assert_int_equal(jint(rec, "conn"), 1);
    assert_int_equal(jint(rec, "by_conn"), 2);
    assert_int_equal(jint(rec, "agent_id"), 1);
    json_decref(rec);
    rec = jrec(e, "accept", 1);
    assert_int_equal(jint(rec, "takeover_of"), 1);
    assert_int_equal(jint(rec, "agent_id"), 2);
    json_decref(rec);
    closed(e, 0, XDI_CLOSE_REQUESTED);
    closed(e, 1, XDI_CLOSE_REQUESTED);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    assert_int_equal(xdi_server_connections(e->srv), 0);
}

/* The peer ended its stream: its host is free at once, while the socket
 * may still be draining, so the next login for it is a plain login (no
 * takeover, no shutdown to the dead connection); the disconnect comes when
 * the network layer says the socket is gone. */
static void test_server_eof_releases_host_at_once(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000024"); /* part of a NACCB: dropped with the stream */
    xdi_conn_eof(e->conn[0]);
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
    xdi_conn_eof(e->conn[0]); /* a second one changes nothing */
    assert_int_equal(e->io[0].closes, 1);
    login_sysa(e, 1, "00000002");
    expect_nothing(e, 0);
    assert_int_equal(jcount(e, "takeover"), 0);
    rec = jrec(e, "accept", 1);
    assert_null(json_object_get(rec, "takeover_of"));
    assert_int_equal(jint(rec, "agent_id"), 2);
    json_decref(rec);
    assert_int_equal(jcount(e, "disconnect"), 0);
    closed(e, 0, XDI_CLOSE_PEER);
    rec = jrec(e, "disconnect", 0);
    assert_int_equal(jint(rec, "conn"), 1);
    assert_string_equal(jstr(rec, "cause"), "peer");
    assert_int_equal(jint(rec, "agent_id"), 1);
    json_decref(rec);
    assert_int_equal(xdi_server_sessions(e->srv), 1);
}

/* Every record of a send says what became of it: "written" when the
 * output took it. */
static void test_server_send_records_say_written(void **state)
{
    struct env *e = *state;
    json_t *all, *rec;
    size_t i, n = 0;

    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    feed(e, 0, ACQ_EMS("00000002", SYSA)); /* error 01 */
    open_conn(e, 1);
    feed(e, 1, LOGIN(SYSZ)); /* reject */
    all = journal_lines(e);
    json_array_foreach(all, i, rec) {
        const char *ev = jstr(rec, "event");
        if (strcmp(ev, "send") == 0 || strcmp(ev, "accept") == 0 ||
            strcmp(ev, "reject") == 0) {
            assert_string_equal(jstr(rec, "outcome"), "written");
            n++;
        }
    }
    json_decref(all);
    assert_int_equal(n, 4); /* accept, receive EMS, error, reject */
}

/* The output dropped a NACCB (a write error): the record says "dropped",
 * and the connection ends there, its host free for a new login (a NACCB
 * missing from the stream leaves nothing the agent could follow). */
static void test_server_dropped_send_journalled_and_closes(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    e->io[0].drop_send = 1;
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect_nothing(e, 0);
    rec = jrec(e, "send", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "name"), "receive EMS");
    assert_string_equal(jstr(rec, "outcome"), "dropped");
    json_decref(rec);
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    /* closing: later input is ignored, nothing more is tried */
    feed(e, 0, ACQ_SCD("00000001", SYSA));
    assert_int_equal(jcount(e, "send"), 1);
    login_sysa(e, 1, "00000002");
    assert_int_equal(jcount(e, "takeover"), 0);
}

/* ---- §6, error by error ------------------------------------------ */

/* 01: a NACCB other than a login before a session; the error echoes the
 * NACCB's system name with agent-ID 0 (§3). */
static void test_server_err01_before_login(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    feed(e, 0, ACQ_EMS("00000000", SYSZ));
    expect(e, 0, ERR("00000000", SYSZ, "01", "01"));
    feed(e, 0, LOGOUT("00000000", SYSA));
    expect(e, 0, ERR("00000000", SYSA, "00", "01"));
    assert_int_equal(e->io[0].closes, 0);
}

/* 01: an agent-ID that is not this session's; it is checked before the
 * system name. */
static void test_server_err01_wrong_agent_id(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_EMS("00000002", SYSA));
    expect(e, 0, ERR("00000001", SYSA, "01", "01"));
    feed(e, 0, ACQ_EMS("00000000", SYSZ));
    expect(e, 0, ERR("00000001", SYSA, "01", "01"));
    assert_int_equal(e->io[0].closes, 0);
}

/* 02: direction not 0201, in a session and before one (where it comes
 * before "log in first" and before the login's own checks). */
static void test_server_err02_direction(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000024 00000001 " SYSA " 01020901 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "01", "02"));
    /* before the agent-ID check */
    feed(e, 0, "00000024 00000009 " SYSA " 00000901 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "01", "02"));
}

static void test_server_err02_direction_before_login(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    /* a "login" going the wrong way is an error, not a reject */
    feed(e, 0, "00000024 00000000 " SYSA " 01020500 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000000", SYSA, "00", "02"));
    feed(e, 0, "00000024 00000000 " SYSA " 01020901 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000000", SYSA, "01", "02"));
}

/* 03: acquire with an object other than 01 or 02. */
static void test_server_err03_acquire_object(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000024 00000001 " SYSA " 02010903 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "03", "03"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010900 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "03"));
    feed(e, 0, "00000024 00000001 " SYSA " 020109FF " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "FF", "03"));
}

/* 04: requests the server does not take from an agent. */
static void test_server_err04_requests(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    /* execute (exec command) */
    feed(e, 0, "0000002A 00000001 " SYSA " 02010104 " EXT0
               " 00000000 00000001 00000006 D2C9D3D340D1");
    expect(e, 0, ERR("00000001", SYSA, "04", "04"));
    /* save, replace, shutdown, accept, reject */
    feed(e, 0, "00000024 00000001 " SYSA " 02010201 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "01", "04"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010302 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "02", "04"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010400 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010700 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010800 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    /* unknown codes */
    feed(e, 0, "00000024 00000001 " SYSA " 02010C00 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010000 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    assert_int_equal(e->io[0].closes, 0);
}

/* 04: an object code not valid for the request. */
static void test_server_err04_objects_for_request(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    /* logout with object 01: same key bytes as no-EMS, but error 04 */
    feed(e, 0, "00000024 00000001 " SYSA " 02010601 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "01", "04"));
    /* info with object 08, 02, 00 */
    feed(e, 0, "0000002C 00000001 " SYSA " 02010A08 " EXT0
               " 00000000 00000001 00000008 " PAYROLL);
    expect(e, 0, ERR("00000001", SYSA, "08", "04"));
    feed(e, 0, "0000002C 00000001 " SYSA " 02010A02 " EXT0
               " 00000000 00000001 00000008 " PAYROLL);
    expect(e, 0, ERR("00000001", SYSA, "02", "04"));
    feed(e, 0, "0000002C 00000001 " SYSA " 02010A00 " EXT0
               " 00000000 00000001 00000008 " PAYROLL);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    /* agent error with object 09 and 00 */
    feed(e, 0, "00000024 00000001 " SYSA " 02010B09 04000000 " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "09", "04"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010B00 04000000 " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    assert_int_equal(xdi_server_sessions(e->srv), 1);
}

/* 04: a login on a connection that already holds a session (even with a
 * wrong agent-ID: this check comes first). */
static void test_server_err04_login_in_session(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, LOGIN_SYSA);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    feed(e, 0, "00000024 00000007 " SYSZ " 02010500 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    assert_int_equal(e->io[0].closes, 0);
}

/* 05: total length not 36 + count * size; the header cannot be trusted, so
 * the error names object 00.  It comes before the direction check. */
static void test_server_err05_length_mismatch(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    feed(e, 0, "00000028 00000000 " SYSA " 01020500 " EXT0 " " NOOBJ
               " 00000000");
    expect(e, 0, ERR("00000000", SYSA, "00", "05"));
    feed(e, 0, LOGIN_SYSA);
    expect(e, 0, ACCEPT_SYSA("00000001"));
    /* 36 + 1 * 8 = 44, but 45 bytes */
    feed(e, 0, "0000002D 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000008 " PAYROLL "40");
    expect(e, 0, ERR("00000001", SYSA, "00", "05"));
    assert_int_equal(e->io[0].closes, 0);
}

/* 05: size must be > 0 exactly when count > 0. */
static void test_server_err05_count_size(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000024 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000000");
    expect(e, 0, ERR("00000001", SYSA, "00", "05"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000000 00000005");
    expect(e, 0, ERR("00000001", SYSA, "00", "05"));
}

/* 05: the request's own object rules. */
static void test_server_err05_object_rules(void **state)
{
    struct env *e = *state;
    char *t129 = hexrep("40", 129);
    char *eot161 = hexrep("00", 161);
    char buf[1024];

    login_sysa(e, 0, "00000001");
    /* info with no object */
    feed(e, 0, "00000024 00000001 " SYSA " 02010A03 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "03", "05"));
    /* a text of 129 bytes */
    snprintf(buf, sizeof(buf),
             "000000A5 00000001 " SYSA " 02010A04 " EXT0
             " 00000000 00000001 00000081 %s", t129);
    feed(e, 0, buf);
    expect(e, 0, ERR("00000001", SYSA, "04", "05"));
    /* an EOTINFO of 161 bytes */
    snprintf(buf, sizeof(buf),
             "000000C5 00000001 " SYSA " 02010A07 " EXT0
             " 00000000 00000001 000000A1 %s", eot161);
    feed(e, 0, buf);
    expect(e, 0, ERR("00000001", SYSA, "07", "05"));
    /* acquire and logout carry no objects */
    feed(e, 0, "00000028 00000001 " SYSA " 02010901 " EXT0
               " 00000000 00000001 00000004 00000000");
    expect(e, 0, ERR("00000001", SYSA, "01", "05"));
    feed(e, 0, "00000025 00000001 " SYSA " 02010600 " EXT0
               " 00000000 00000001 00000001 40");
    expect(e, 0, ERR("00000001", SYSA, "00", "05"));
    /* an agent error with two texts */
    feed(e, 0, "00000026 00000001 " SYSA " 02010B04 04000000 00000000 "
               "00000002 00000001 4040");
    expect(e, 0, ERR("00000001", SYSA, "04", "05"));
    /* still logged in: the bad logout did not log out */
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    assert_int_equal(e->io[0].closes, 0);
    free(t129);
    free(eot161);
}

/* 08: no-EMS / no-SCD: EMS not ready, SCD ready but empty. */
static void test_server_err08_no_ems_no_scd(void **state)
{
    struct env *e = *state;
    json_t *rec;

    open_from(e, 0, "10.9.9.9");
    feed(e, 0, LOGIN_SYSB_PW(PW_SECRET));
    expect(e, 0, "00000024 00000001 " SYSB " 01020700 " EXT0 " " NOOBJ);
    feed(e, 0, ACQ_EMS("00000001", SYSB));
    expect(e, 0, ERR("00000001", SYSB, "01", "08"));
    feed(e, 0, ACQ_SCD("00000001", SYSB));
    expect(e, 0, ERR("00000001", SYSB, "02", "08"));
    assert_int_equal(e->io[0].n_blobs, 0);
    rec = jrec(e, "acquire", 1);
    assert_string_equal(jstr(rec, "table"), "SCD");
    assert_true(json_is_false(json_object_get(rec, "available")));
    json_decref(rec);
    rec = jrec(e, "send", 1);
    assert_string_equal(jstr(rec, "name"), "no SCD");
    assert_int_equal(jint(rec, "error"), 8);
    json_decref(rec);
}

/* 09: a NACCB whose system name differs from the session's; it comes
 * before the request and object checks. */
static void test_server_err09_system_name(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_EMS("00000001", SYSB));
    expect(e, 0, ERR("00000001", SYSA, "01", "09"));
    feed(e, 0, "00000024 00000001 " SYSZ " 02010C05 " EXT0 " " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "05", "09"));
}

/* The request check comes before the object rules: an unknown request
 * with objects is 04, not 05. */
static void test_server_order_request_before_object_rules(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000025 00000001 " SYSA " 02010D00 " EXT0
               " 00000000 00000001 00000001 40");
    expect(e, 0, ERR("00000001", SYSA, "00", "04"));
    /* and acquire with a bad object and objects is 03 */
    feed(e, 0, "00000025 00000001 " SYSA " 02010907 " EXT0
               " 00000000 00000001 00000001 40");
    expect(e, 0, ERR("00000001", SYSA, "07", "03"));
}

/* ---- tables (§11.1 step 3) ------------------------------------------ */

/* The bytes every SYSA agent must get as its EMS table. */
static uint8_t *sysa_ems_table(size_t *len)
{
    struct xdi_fixture_set *set = make_fixtures(true);
    uint8_t *t = malloc(SYSA_TABLE_EVENTS * NACCB_EVBLOK_SIZE);

    assert_non_null(t);
    for (size_t i = 0; i < SYSA_TABLE_EVENTS; i++)
        naccb_evblok_encode(&set->hosts[0].events[sysa_sent_events[i]].evblok,
                            t + i * NACCB_EVBLOK_SIZE);
    xdi_fixture_free(set);
    *len = SYSA_TABLE_EVENTS * NACCB_EVBLOK_SIZE;
    return t;
}

/* Receive EMS: 36 + 6 * 230 = 1416 = 0x588, count 6, size 230 (0xE6); the
 * time-of-day EVBLOK (ET 03) is not in it. */
static void test_server_acquire_ems_receive(void **state)
{
    struct env *e = *state;
    size_t hn, tn;
    uint8_t *head = th_unhex("00000588 00000001 " SYSA " 01020201 " EXT0
                             " 00000000 00000006 000000E6", &hn);
    uint8_t *table = sysa_ems_table(&tn);
    json_t *rec;

    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    assert_int_equal(e->io[0].len, 0x588);
    assert_memory_equal(e->io[0].out, head, hn);
    assert_memory_equal(e->io[0].out + 36, table, tn);
    /* the first EVBLOK names SYSA and carries KL 7 at offset 138 */
    assert_memory_equal(e->io[0].out + 36, "\xE2\xE8\xE2\xC1\x40\x40\x40\x40",
                        8);
    assert_int_equal(e->io[0].out[36 + 139], 7);
    assert_int_equal(e->io[0].n_blobs, 1);
    assert_int_equal(e->io[0].blobs[0]->len, tn);
    rec = jrec(e, "acquire", 0);
    assert_string_equal(jstr(rec, "table"), "EMS");
    assert_true(json_is_true(json_object_get(rec, "available")));
    json_decref(rec);
    free(head);
    free(table);
}

/* Receive SCD: 36 + 2 * 162 = 360 = 0x168, count 2, size 162 (0xA2). */
static void test_server_acquire_scd_receive(void **state)
{
    struct env *e = *state;
    struct naccb_eotinfo a = make_entry("SYSA", "PAYROLL", "", 0x80);
    struct naccb_eotinfo b = make_entry("SYSA", "BACKUP", "STEP1", 0xA0);
    uint8_t table[2 * NACCB_EOTINFO_SIZE];
    size_t hn;
    uint8_t *head = th_unhex("00000168 00000001 " SYSA " 01020202 " EXT0
                             " 00000000 00000002 000000A2", &hn);

    naccb_eotinfo_encode(&a, table);
    naccb_eotinfo_encode(&b, table + NACCB_EOTINFO_SIZE);
    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_SCD("00000001", SYSA));
    assert_int_equal(e->io[0].len, 0x168);
    assert_memory_equal(e->io[0].out, head, hn);
    assert_memory_equal(e->io[0].out + 36, table, sizeof(table));
    free(head);
}

/* Either order, any number of times; every receive of a host's table sends
 * the same blob, to every agent: no copy, no re-encoding. */
static void test_server_tables_shared_blob(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_SCD("00000001", SYSA));
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    assert_int_equal(e->io[0].n_blobs, 3);
    assert_ptr_equal(e->io[0].blobs[1], e->io[0].blobs[2]);
    assert_ptr_not_equal(e->io[0].blobs[0], e->io[0].blobs[1]);
    assert_int_equal(e->io[0].len, 0x168 + 2 * 0x588);
    login_sysa(e, 1, "00000002"); /* a second agent of SYSA */
    feed(e, 1, ACQ_EMS("00000002", SYSA));
    feed(e, 1, ACQ_SCD("00000002", SYSA));
    assert_ptr_equal(e->io[1].blobs[0], e->io[0].blobs[1]);
    assert_ptr_equal(e->io[1].blobs[1], e->io[0].blobs[0]);
    /* the server's reference plus the five the transport took */
    assert_int_equal(e->io[0].blobs[1]->refs, 1 + 3);
    assert_int_equal(e->io[0].blobs[0]->refs, 1 + 2);
}

#define LOGIN_SYSC LOGIN(SYSC)

/* A raw table goes out byte for byte. */
static void test_server_acquire_raw_tables(void **state)
{
    struct env *e = *state;
    struct naccb_evblok a = make_evblok("SYSC", "IEF999I", 0, NACCB_ET_MESSAGE);
    struct naccb_evblok b = make_evblok("SYSC", "SYS1", 0, NACCB_ET_COMMAND);
    struct naccb_eotinfo j = make_entry("SYSC", "PAYROLL", "", 0x80);
    uint8_t ems[2 * NACCB_EVBLOK_SIZE], scd[NACCB_EOTINFO_SIZE];
    size_t n;
    uint8_t *head;

    naccb_evblok_encode(&a, ems);
    naccb_evblok_encode(&b, ems + NACCB_EVBLOK_SIZE);
    naccb_eotinfo_encode(&j, scd);
    open_conn(e, 0);
    feed(e, 0, LOGIN_SYSC);
    expect(e, 0, "00000024 00000001 " SYSC " 01020700 " EXT0 " " NOOBJ);
    feed(e, 0, ACQ_EMS("00000001", SYSC));
    head = th_unhex("000001F0 00000001 " SYSC " 01020201 " EXT0
                    " 00000000 00000002 000000E6", &n);
    assert_int_equal(e->io[0].len, 0x1F0);
    assert_memory_equal(e->io[0].out, head, n);
    assert_memory_equal(e->io[0].out + 36, ems, sizeof(ems));
    free(head);
    e->io[0].len = 0;
    feed(e, 0, ACQ_SCD("00000001", SYSC));
    head = th_unhex("000000C6 00000001 " SYSC " 01020202 " EXT0
                    " 00000000 00000001 000000A2", &n);
    assert_int_equal(e->io[0].len, 0xC6);
    assert_memory_equal(e->io[0].out, head, n);
    assert_memory_equal(e->io[0].out + 36, scd, sizeof(scd));
    free(head);
}

/* ---- info texts (§11.1 step 4, §8 matching) ------------------ */

/* Logs SYSA in on connection 0 and acquires the EMS table. */
static void sysa_with_ems(struct env *e)
{
    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    e->io[0].len = 0;
}

/* The verdict of the nth info record. */
static void assert_info(struct env *e, size_t nth, const char *verdict)
{
    json_t *rec = jrec(e, "info", nth);

    assert_non_null(rec);
    assert_string_equal(jstr(rec, "verdict"), verdict);
    json_decref(rec);
}

/* Before the EMS table was sent, an info text is error 05, even one that
 * would match. */
static void test_server_info_before_table_is_05(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, INFO_MSG_IEF450I("00000001"));
    expect(e, 0, ERR("00000001", SYSA, "03", "05"));
    assert_info(e, 0, "table_not_sent");
    /* a no-EMS answer does not count as the table: SCD is not EMS */
    feed(e, 0, ACQ_SCD("00000001", SYSA));
    e->io[0].len = 0;
    feed(e, 0, INFO_MSG_IEF450I("00000001"));
    expect(e, 0, ERR("00000001", SYSA, "03", "05"));
}

/* Matched and in frame: journalled, never acknowledged. */
static void test_server_info_in_frame_no_reply(void **state)
{
    struct env *e = *state;
    json_t *rec;

    sysa_with_ems(e);
    feed(e, 0, INFO_MSG_IEF450I("00000001"));
    expect_nothing(e, 0);
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "verdict"), "in_frame");
    assert_string_equal(jstr(rec, "kind"), "MSG");
    assert_string_equal(jstr(rec, "text"), "IEF450I PAYROLL");
    assert_string_equal(jstr(rec, "event_key"), "IEF450I");
    assert_int_equal(jint(rec, "evblok"), 0);
    assert_string_equal(jstr(rec, "object"), TXT_IEF450I);
    json_decref(rec);
    assert_int_equal(jcount(e, "violation"), 0);
}

/* Texts at their own length: a text with trailing blanks beyond what any
 * text of its NACCB needs is journalled with a warning, and still matched
 * and not answered (docs/protocol.md §4). */
static void test_server_info_padded_text_warned(void **state)
{
    struct env *e = *state;
    json_t *rec;

    sysa_with_ems(e);
    feed(e, 0, "00000035 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000011 " TXT_IEF450I " 4040");
    expect_nothing(e, 0);
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "verdict"), "in_frame");
    assert_string_equal(jstr(rec, "warning"), "padded_text");
    json_decref(rec);
    /* Two texts, the shorter padded to the longer: no warning. */
    feed(e, 0, "00000042 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000002 0000000F " TXT_IEF450I
               " C9C5C6F4F5F0C940404040404040 40");
    expect_nothing(e, 0);
    rec = jrec(e, "info", 1);
    assert_null(json_object_get(rec, "warning"));
    json_decref(rec);
    rec = jrec(e, "info", 2);
    assert_null(json_object_get(rec, "warning"));
    json_decref(rec);
    /* A text at its own length: none either. */
    feed(e, 0, INFO_MSG_IEF450I("00000001"));
    rec = jrec(e, "info", 3);
    assert_null(json_object_get(rec, "warning"));
    json_decref(rec);
}

/* Matched, out of frame by the server's clock (08:30, frame 09:00-10:00):
 * journalled only, no error. */
static void test_server_info_out_of_frame_no_reply(void **state)
{
    struct env *e = *state;

    sysa_with_ems(e);
    feed(e, 0, "0000002C 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000008 D6E4E3C6D9C1D4C5");
    expect_nothing(e, 0);
    assert_info(e, 0, "out_of_frame");
}

/* A text that matches no EVBLOK is a real agent bug: error 05. */
static void test_server_info_unmatched_is_05(void **state)
{
    struct env *e = *state;

    sysa_with_ems(e);
    feed(e, 0, "0000002B 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000007 C9C5C6F9F9F9C9"); /* IEF999I */
    expect(e, 0, ERR("00000001", SYSA, "03", "05"));
    assert_info(e, 0, "unmatched");
    /* shorter than KL (IEF450, 6 of 7 bytes) never matches */
    feed(e, 0, "0000002A 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000006 C9C5C6F4F5F0");
    expect(e, 0, ERR("00000001", SYSA, "03", "05"));
    /* the right key with the wrong event type: a command, not a message */
    feed(e, 0, "0000002B 00000001 " SYSA " 02010A04 " EXT0
               " 00000000 00000001 00000007 C9C5C6F4F5F0C9");
    expect(e, 0, ERR("00000001", SYSA, "04", "05"));
}

/* §5's trap: info object 05 (EOJ text) matches ET 06, object 06
 * (EOS text) matches ET 05. */
static void test_server_info_eoj_object_matches_et06(void **state)
{
    struct env *e = *state;
    json_t *rec;

    sysa_with_ems(e);
    feed(e, 0, "0000002B 00000001 " SYSA " 02010A05 " EXT0
               " 00000000 00000001 00000007 D7C1E8D9D6D3D3");
    expect_nothing(e, 0);
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "kind"), "EOJ");
    assert_string_equal(jstr(rec, "verdict"), "in_frame");
    assert_int_equal(jint(rec, "evblok"), 3);
    json_decref(rec);
    feed(e, 0, "0000002B 00000001 " SYSA " 02010A06 " EXT0
               " 00000000 00000001 00000007 D7C1E8D9D6D3D3");
    expect(e, 0, ERR("00000001", SYSA, "06", "05"));
}

/* The command with VL: the key KILL matches "KILL JOKO" (KL 4).  No
 * acknowledgement; the only reply is the EVBLOK's action, exec command
 * "CANCEL U=JOKO" (13 bytes; tests/test_automation.c covers actions). */
static void test_server_info_command_matches_by_kl(void **state)
{
    struct env *e = *state;
    json_t *rec;

    sysa_with_ems(e);
    feed(e, 0, "0000002D 00000001 " SYSA " 02010A04 " EXT0
               " 00000000 00000001 00000009 D2C9D3D340D1D6D2D6");
    expect(e, 0, "00000031 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 0000000D C3C1D5C3C5D340E47ED1D6D2D6");
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "verdict"), "in_frame");
    assert_int_equal(jint(rec, "evblok"), 1);
    assert_string_equal(jstr(rec, "text"), "KILL JOKO");
    json_decref(rec);
}

/* 2026-11-21 is a holiday in the calendar: only day-list byte 7 counts. */
static void test_server_info_holiday_uses_byte7(void **state)
{
    struct env *e = *state;

    sysa_with_ems(e);
    /* WORKDAY: every weekday 1, holiday 0 -> out of frame */
    feed(e, 0, "0000002B 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000007 E6D6D9D2C4C1E8");
    expect_nothing(e, 0);
    assert_info(e, 0, "out_of_frame");
    /* HOLI: holiday byte only -> in frame */
    feed(e, 0, "00000028 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000004 C8D6D3C9");
    expect_nothing(e, 0);
    assert_info(e, 1, "in_frame");
}

/* The same day without the holiday: the Saturday byte counts. */
static void test_server_info_no_holiday_uses_weekday(void **state)
{
    struct env *e = *state;

    e->holiday = false;
    env_reboot(e);
    sysa_with_ems(e);
    feed(e, 0, "0000002B 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000007 E6D6D9D2C4C1E8");
    assert_info(e, 0, "in_frame");
    feed(e, 0, "00000028 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000001 00000004 C8D6D3C9");
    assert_info(e, 1, "out_of_frame");
    expect_nothing(e, 0);
}

/* Several texts in one NACCB: each journalled with its own verdict, one
 * error 05 for the NACCB. */
static void test_server_info_several_texts_one_error(void **state)
{
    struct env *e = *state;
    json_t *rec;

    sysa_with_ems(e);
    feed(e, 0, "00000040 00000001 " SYSA " 02010A03 " EXT0
               " 00000000 00000004 00000007 C9C5C6F4F5F0C9 C9C5C6F9F9F9C9"
               " E6D6D9D2C4C1E8 C9C5C6F9F9F9C9");
    expect(e, 0, ERR("00000001", SYSA, "03", "05"));
    assert_info(e, 0, "in_frame");
    assert_info(e, 1, "unmatched");
    assert_info(e, 2, "out_of_frame");
    assert_info(e, 3, "unmatched");
    rec = jrec(e, "info", 3);
    assert_int_equal(jint(rec, "index"), 3);
    assert_int_equal(jint(rec, "count"), 4);
    json_decref(rec);
    rec = jrec(e, "violation", 0);
    assert_string_equal(jstr(rec, "check"), "content");
    assert_int_equal(jint(rec, "failed"), 2);
    json_decref(rec);
    assert_int_equal(jcount(e, "violation"), 1);
}

/* A raw EMS table is decoded for matching too. */
static void test_server_info_raw_table(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    feed(e, 0, LOGIN_SYSC);
    feed(e, 0, ACQ_EMS("00000001", SYSC));
    e->io[0].len = 0;
    feed(e, 0, "0000002B 00000001 " SYSC " 02010A03 " EXT0
               " 00000000 00000001 00000007 C9C5C6F9F9F9C9");
    expect_nothing(e, 0);
    assert_info(e, 0, "in_frame");
    feed(e, 0, "0000002B 00000001 " SYSC " 02010A03 " EXT0
               " 00000000 00000001 00000007 C9C5C6F4F5F0C9");
    expect(e, 0, ERR("00000001", SYSC, "03", "05"));
}

/* ---- info EOT (§9, §11.1 step 4) ----------------------------- */

static void sysa_with_scd(struct env *e)
{
    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_SCD("00000001", SYSA));
    e->io[0].len = 0;
}

/* One EOT report that fails with verdict and, for invalid ones, the
 * codec's error and offset. */
static void eot_fails(struct env *e, const char *object, const char *verdict,
                      const char *codec_error, json_int_t offset)
{
    char buf[1024];
    json_t *rec;

    sysa_with_scd(e);
    snprintf(buf, sizeof(buf), "%s", INFO_EOT("00000001", SYSA, ""));
    strncat(buf, object, sizeof(buf) - strlen(buf) - 1);
    feed(e, 0, buf);
    expect(e, 0, ERR("00000001", SYSA, "07", "05"));
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "verdict"), verdict);
    if (codec_error != NULL) {
        assert_string_equal(jstr(rec, "codec_error"), codec_error);
        assert_int_equal(jint(rec, "offset"), offset);
    }
    json_decref(rec);
}

static void test_server_eot_valid_no_reply(void **state)
{
    struct env *e = *state;
    json_t *rec, *o;

    sysa_with_scd(e);
    feed(e, 0, INFO_EOT("00000001", SYSA, EOT_OK));
    expect_nothing(e, 0);
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "verdict"), "ok");
    assert_string_equal(jstr(rec, "kind"), "EOT");
    assert_int_equal(jint(rec, "entry"), 0);
    o = json_object_get(rec, "eotinfo");
    assert_string_equal(jstr(o, "job_name"), "PAYROLL");
    assert_string_equal(jstr(o, "system"), "SYSA");
    assert_string_equal(jstr(o, "notes"), "J NR");
    assert_int_equal(jint(o, "flag2"), 0x80);
    json_decref(rec);
}

static void test_server_eot_before_scd_is_05(void **state)
{
    struct env *e = *state;

    sysa_with_ems(e); /* EMS, not SCD */
    feed(e, 0, INFO_EOT("00000001", SYSA, EOT_OK));
    expect(e, 0, ERR("00000001", SYSA, "07", "05"));
    assert_info(e, 0, "table_not_sent");
}

static void test_server_eot_names_other_host(void **state)
{
    eot_fails(*state, EOT(SYSB, PAYROLL, "D140D5D9", Z24, "00000000"),
              "wrong_system", NULL, 0);
}

static void test_server_eot_unmatched_job(void **state)
{
    /* BACKUP, but the BACKUP entry also marks the step name STEP1 */
    eot_fails(*state,
              EOT(SYSA, "C2C1C3D2E4D74040", "D140D5D9", Z24, "00000000"),
              "unmatched", NULL, 0);
}

/* The name fields the ENTRY's flag2 marks decide: BACKUP/STEP1 matches
 * whatever job-id the agent captured; BACKUP/STEP2 does not. */
#define EOT_STEP(jobid, step)                                                  \
    Z40 Z40 "00 A0" Z24 jobid SYSA "C2C1C3D2E4D74040" step B8                  \
    "0001 0000 0000 0000 E240D5D9 00000000"
static void test_server_eot_entry_flag2_decides(void **state)
{
    struct env *e = *state;
    json_t *rec;

    sysa_with_scd(e);
    feed(e, 0, INFO_EOT("00000001", SYSA,
                        EOT_STEP("D1F0F0F0F1404040", "E2E3C5D7F1404040")));
    expect_nothing(e, 0);
    rec = jrec(e, "info", 0);
    assert_string_equal(jstr(rec, "verdict"), "ok");
    assert_int_equal(jint(rec, "entry"), 1);
    json_decref(rec);
    feed(e, 0, INFO_EOT("00000001", SYSA,
                        EOT_STEP("D1F0F0F0F1404040", "E2E3C5D7F2404040")));
    expect(e, 0, ERR("00000001", SYSA, "07", "05"));
    assert_info(e, 1, "unmatched");
}

static void test_server_eot_reserved1_not_zero(void **state)
{
    eot_fails(*state,
              EOT(SYSA, PAYROLL, "D140D5D9", "01" Z8 Z8 "00000000000000",
                  "00000000"),
              "invalid", "NACCB_ERESERVED", 82);
}

static void test_server_eot_reserved2_not_zero(void **state)
{
    eot_fails(*state, EOT(SYSA, PAYROLL, "D140D5D9", Z24, "00000001"),
              "invalid", "NACCB_ERESERVED", 158);
}

static void test_server_eot_notes_not_remote(void **state)
{
    eot_fails(*state, EOT(SYSA, PAYROLL, "D140D5D3", Z24, "00000000"),
              "invalid", "NACCB_ENOT_REMOTE", 157);
}

static void test_server_eot_notes_bad_letter(void **state)
{
    eot_fails(*state, EOT(SYSA, PAYROLL, "E740D5D9", Z24, "00000000"),
              "invalid", "NACCB_ENOTES", 154);
}

static void test_server_eot_raw_table(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    feed(e, 0, LOGIN_SYSC);
    feed(e, 0, ACQ_SCD("00000001", SYSC));
    e->io[0].len = 0;
    feed(e, 0, INFO_EOT("00000001", SYSC,
                        EOT(SYSC, PAYROLL, "D140D5D9", Z24, "00000000")));
    expect_nothing(e, 0);
    assert_info(e, 0, "ok");
}

/* ---- agent error 02010Bxx (§7) ----------------------------------- */

static void test_server_agent_error_journalled_no_reply(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    /* may not run the command: "NOT ALLOWED" */
    feed(e, 0, "0000002F 00000001 " SYSA " 02010B04 04000000 00000000 "
               "00000001 0000000B D5D6E340C1D3D3D6E6C5C4");
    expect_nothing(e, 0);
    /* no such job, without a text */
    feed(e, 0, "00000024 00000001 " SYSA " 02010B08 05000000 " NOOBJ);
    expect_nothing(e, 0);
    rec = jrec(e, "agent_error", 0);
    assert_int_equal(jint(rec, "error"), 4);
    assert_int_equal(jint(rec, "object"), 4);
    assert_string_equal(jstr(rec, "text"), "NOT ALLOWED");
    json_decref(rec);
    rec = jrec(e, "agent_error", 1);
    assert_int_equal(jint(rec, "error"), 5);
    assert_int_equal(jint(rec, "object"), 8);
    assert_null(json_object_get(rec, "text"));
    json_decref(rec);
    assert_int_equal(jcount(e, "violation"), 0);
}

/* Its error byte must be 04 or 05. */
static void test_server_agent_error_bad_code_is_05(void **state)
{
    struct env *e = *state;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000024 00000001 " SYSA " 02010B08 00000000 " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "08", "05"));
    feed(e, 0, "00000024 00000001 " SYSA " 02010B04 06000000 " NOOBJ);
    expect(e, 0, ERR("00000001", SYSA, "04", "05"));
    assert_int_equal(jcount(e, "agent_error"), 0);
}

/* ---- logout, lost framing, closing -------------------------------------- */

/* Step 6: journalled, no reply, closed; later input is ignored. */
static void test_server_logout_closes(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    feed(e, 0, LOGOUT("00000001", SYSA));
    expect_nothing(e, 0);
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect_nothing(e, 0);
    assert_int_equal(e->io[0].closes, 1);
    closed(e, 0, XDI_CLOSE_REQUESTED);
    rec = jrec(e, "logout", 0);
    assert_int_equal(jint(rec, "agent_id"), 1);
    json_decref(rec);
    rec = jrec(e, "disconnect", 0);
    assert_string_equal(jstr(rec, "cause"), "requested");
    assert_int_equal(jint(rec, "agent_id"), 1);
    assert_string_equal(jstr(rec, "system"), "SYSA");
    assert_int_equal(jint(rec, "received"), 2); /* not the ignored one */
    json_decref(rec);
    /* the host is free: a new login is no takeover */
    login_sysa(e, 1, "00000002");
    expect_nothing(e, 0);
}

/* A total length below 36 loses the frame: error 05 with object 00, a
 * blank system name and agent-ID 0 before a session, then close. */
static void test_server_lost_framing_short(void **state)
{
    struct env *e = *state;
    json_t *rec;

    open_conn(e, 0);
    feed(e, 0, "00000023 00000000 " SYSA " 02010500 " EXT0
               " 00000000 00000000 000000");
    expect(e, 0, ERR("00000000", B8, "00", "05"));
    assert_int_equal(e->io[0].closes, 1);
    feed(e, 0, LOGIN_SYSA); /* too late: the frame is lost */
    expect_nothing(e, 0);
    rec = jrec(e, "violation", 0);
    assert_string_equal(jstr(rec, "check"), "framing");
    assert_string_equal(jstr(rec, "codec_error"), "NACCB_ELENGTH_SHORT");
    assert_int_equal(jint(rec, "stream_offset"), 0);
    json_decref(rec);
}

static void test_server_lost_framing_zero_length(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    feed(e, 0, "00000000");
    expect(e, 0, ERR("00000000", B8, "00", "05"));
    assert_int_equal(e->io[0].closes, 1);
}

/* Above the maximum (default 16 MiB): lost as soon as the 4 length bytes
 * are in; in a session the error carries the session's ID and host. */
static void test_server_lost_framing_over_max(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    feed(e, 0, LOGIN_SYSA);
    e->io[0].len = 0;
    feed(e, 0, "01000001");
    expect(e, 0, ERR("00000001", SYSA, "00", "05"));
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    rec = jrec(e, "violation", 1);
    assert_string_equal(jstr(rec, "codec_error"), "NACCB_ELENGTH_MAX");
    assert_int_equal(jint(rec, "stream_offset"), 72);
    json_decref(rec);
}

/* Exactly the maximum is a NACCB, not lost framing. */
static void test_server_max_size_boundary(void **state)
{
    struct env *e = *state;

    e->cfg.max_naccb_size = 44;
    env_reboot(e);
    open_conn(e, 0);
    /* 44 bytes: a login with one 8-byte object, rejected on its merits */
    feed(e, 0, "0000002C 00000000 " SYSA " 02010500 " EXT0
               " 00000000 00000001 00000008 " PW_SECRET);
    expect(e, 0, REJECT(SYSA, "05"));
    feed(e, 0, "0000002D");
    expect(e, 0, ERR("00000000", B8, "00", "05"));
    assert_int_equal(e->io[0].closes, 1);
}

/* ---- the stream: any split, several NACCBs per feed --------------------- */

/* A whole session; returns what connection 0 was sent, and how many
 * journal records of each kind there were. */
static const char *const scenario[] = {
    ACQ_EMS("00000000", SYSA), /* 01 before login */
    "00000024 00000005 " SYSA " 02010500 " EXT0 " " NOOBJ, /* reject 01 */
    LOGIN_SYSA,
    ACQ_SCD("00000001", SYSA),
    ACQ_EMS("00000001", SYSA),
    INFO_MSG_IEF450I("00000001"),
    "0000002B 00000001 " SYSA " 02010A03 " EXT0
    " 00000000 00000001 00000007 C9C5C6F9F9F9C9",
    INFO_EOT("00000001", SYSA, EOT_OK),
    "00000024 00000001 " SYSA " 02010C00 " EXT0 " " NOOBJ,
    "0000002F 00000001 " SYSA " 02010B04 04000000 00000000 "
    "00000001 0000000B D5D6E340C1D3D3D6E6C5C4",
    LOGOUT("00000001", SYSA),
};

static uint8_t *run_scenario(struct env *e, size_t chunk, bool one_feed,
                             size_t *out_len, char **events)
{
    uint8_t *all = NULL, *copy;
    size_t total = 0;
    json_t *lines, *rec;
    size_t i;

    env_reboot(e);
    e->chunk = chunk;
    open_conn(e, 0);
    for (i = 0; i < sizeof(scenario) / sizeof(scenario[0]); i++) {
        size_t n;
        uint8_t *b = th_unhex(scenario[i], &n);
        if (one_feed) {
            all = realloc(all, total + n);
            assert_non_null(all);
            memcpy(all + total, b, n);
            total += n;
        } else {
            feed_bytes(e, 0, b, n);
        }
        free(b);
    }
    if (one_feed)
        feed_bytes(e, 0, all, total);
    free(all);
    e->chunk = 0;
    assert_int_equal(e->io[0].closes, 1);
    copy = malloc(e->io[0].len);
    assert_non_null(copy);
    memcpy(copy, e->io[0].out, e->io[0].len);
    *out_len = e->io[0].len;
    /* the sequence of record kinds */
    lines = journal_lines(e);
    *events = calloc(1, 4096);
    assert_non_null(*events);
    json_array_foreach(lines, i, rec) {
        strncat(*events, jstr(rec, "event"), 4095 - strlen(*events));
        strncat(*events, ",", 4095 - strlen(*events));
    }
    json_decref(lines);
    return copy;
}

/* Whole, one byte at a time, in 7-byte pieces, and all in one feed: the
 * same replies, the same journal. */
static void test_server_stream_any_split_same_replies(void **state)
{
    struct env *e = *state;
    size_t n0, n;
    char *ev0, *ev;
    uint8_t *ref = run_scenario(e, 0, false, &n0, &ev0);
    static const struct {
        size_t chunk;
        bool one_feed;
    } ways[] = {{1, false}, {7, false}, {0, true}, {1, true}, {13, true}};

    /* the reference itself: 01, reject, accept, SCD, EMS, 05, 04 */
    assert_int_equal(n0, 36 + 36 + 36 + 0x168 + 0x588 + 36 + 36);
    assert_string_equal(ev0,
                        "connect,violation,send,login,reject,login,accept,"
                        "acquire,send,acquire,send,info,info,violation,send,"
                        "info,violation,send,agent_error,logout,");
    for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
        uint8_t *got = run_scenario(e, ways[w].chunk, ways[w].one_feed, &n,
                                    &ev);
        assert_int_equal(n, n0);
        assert_memory_equal(got, ref, n0);
        assert_string_equal(ev, ev0);
        free(got);
        free(ev);
    }
    free(ref);
    free(ev0);
}

static void test_server_stream_two_naccbs_one_feed(void **state)
{
    struct env *e = *state;
    size_t n;
    uint8_t *head = th_unhex("00000168 00000001 " SYSA " 01020202 " EXT0
                             " 00000000 00000002 000000A2", &n);

    open_conn(e, 0);
    feed(e, 0, LOGIN_SYSA " " ACQ_SCD("00000001", SYSA));
    assert_int_equal(e->io[0].len, 36 + 0x168);
    assert_memory_equal(e->io[0].out + 36, head, n);
    e->io[0].len = 36;
    expect(e, 0, ACCEPT_SYSA("00000001"));
    /* a bad NACCB between two good ones changes nothing for them */
    feed(e, 0, ACQ_EMS("00000009", SYSA) " " LOGOUT("00000001", SYSA));
    expect(e, 0, ERR("00000001", SYSA, "01", "01"));
    assert_int_equal(e->io[0].closes, 1);
    free(head);
}

/* ---- timers ------------------------------------------------------------ */

static void test_server_timers_follow_state(void **state)
{
    struct env *e = *state;

    open_conn(e, 0);
    assert_int_equal(xdi_conn_timers(e->conn[0]), XDI_TIMER_LOGIN);
    feed(e, 0, "000000");
    assert_int_equal(xdi_conn_timers(e->conn[0]),
                     XDI_TIMER_LOGIN | XDI_TIMER_PARTIAL);
    feed(e, 0, "24 00000000 " SYSA " 02010500 " EXT0 " " NOOBJ);
    expect(e, 0, ACCEPT_SYSA("00000001"));
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
    feed(e, 0, "00000024 00000001");
    assert_int_equal(xdi_conn_timers(e->conn[0]), XDI_TIMER_PARTIAL);
    /* a late LOGIN timer after the login is ignored */
    xdi_conn_timeout(e->conn[0], XDI_TIMER_LOGIN);
    assert_int_equal(e->io[0].closes, 0);
    assert_int_equal(jcount(e, "timeout"), 0);
    e->cfg.idle_timeout_ms = 60000;
    env_reboot(e);
    open_conn(e, 0);
    assert_int_equal(xdi_conn_timers(e->conn[0]),
                     XDI_TIMER_LOGIN | XDI_TIMER_IDLE);
}

/* The partial timer's deadline counts from the last completed NACCB
 * (xdi_conn_partial_epoch): a stream that always holds the start of its
 * next NACCB is healthy.  The epoch moves only when a NACCB completes, not
 * on bytes that leave the same NACCB partial. */
static void test_server_partial_epoch_moves_per_naccb(void **state)
{
    struct env *e = *state;
    uint64_t epoch;

    login_sysa(e, 0, "00000001");
    epoch = xdi_conn_partial_epoch(e->conn[0]);
    feed(e, 0, "00000024 00000001");
    assert_int_equal(xdi_conn_timers(e->conn[0]), XDI_TIMER_PARTIAL);
    /* more of the same NACCB: same epoch, the deadline stays */
    feed(e, 0, SYSA);
    assert_true(xdi_conn_partial_epoch(e->conn[0]) == epoch);
    /* it completes and the next begins in the same read: a new epoch */
    feed(e, 0, "02010901 " EXT0 " " NOOBJ " 00000024");
    assert_true(xdi_conn_partial_epoch(e->conn[0]) == epoch + 1);
    assert_int_equal(xdi_conn_timers(e->conn[0]), XDI_TIMER_PARTIAL);
    /* and a late timer for the new partial still closes: the network
     * layer restarts it, the core does not forget it */
    xdi_conn_timeout(e->conn[0], XDI_TIMER_PARTIAL);
    assert_int_equal(e->io[0].closes, 1);
}

static void test_server_timeout_login_closes(void **state)
{
    struct env *e = *state;
    json_t *rec;

    open_conn(e, 0);
    xdi_conn_timeout(e->conn[0], XDI_TIMER_LOGIN);
    expect_nothing(e, 0);
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
    rec = jrec(e, "timeout", 0);
    assert_string_equal(jstr(rec, "timer"), "login");
    assert_int_equal(jint(rec, "ms"), 30000);
    json_decref(rec);
}

static void test_server_timeout_partial_closes(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    feed(e, 0, "00000024 00000001 E2E8");
    xdi_conn_timeout(e->conn[0], XDI_TIMER_PARTIAL);
    expect_nothing(e, 0);
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    rec = jrec(e, "timeout", 0);
    assert_string_equal(jstr(rec, "timer"), "partial");
    assert_int_equal(jint(rec, "pending"), 10);
    json_decref(rec);
    /* the partial NACCB completed meanwhile is not handled */
    feed(e, 0, "E2C140404040 02010600 " EXT0 " " NOOBJ);
    expect_nothing(e, 0);
}

static void test_server_timeout_idle_closes(void **state)
{
    struct env *e = *state;

    e->cfg.idle_timeout_ms = 1000;
    env_reboot(e);
    login_sysa(e, 0, "00000001");
    assert_int_equal(xdi_conn_timers(e->conn[0]), XDI_TIMER_IDLE);
    xdi_conn_timeout(e->conn[0], XDI_TIMER_IDLE);
    assert_int_equal(e->io[0].closes, 1);
}

/* ---- limits, stop ------------------------------------------------------ */

/* The transport refuses (output queue full): journalled, closed. */
static void test_server_output_limit_closes(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    e->io[0].fail_send = 1;
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect_nothing(e, 0);
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    rec = jrec(e, "output_limit", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "name"), "receive EMS");
    assert_string_equal(jstr(rec, "outcome"), "over_limit");
    assert_int_equal(jint(rec, "body_len"), SYSA_TABLE_EVENTS * 230);
    json_decref(rec);
    assert_int_equal(jcount(e, "send"), 0);
    closed(e, 0, XDI_CLOSE_OUTPUT_LIMIT);
    rec = jrec(e, "disconnect", 0);
    assert_string_equal(jstr(rec, "cause"), "output_limit");
    json_decref(rec);
}

/* Graceful stop: shutdown to every live session (nothing to a connection
 * without one); a login after it is refused as "XDI down" (06). */
static void test_server_stop_sends_shutdown(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    open_conn(e, 1);
    feed(e, 1, LOGIN_SYSC);
    expect(e, 1, "00000024 00000002 " SYSC " 01020700 " EXT0 " " NOOBJ);
    open_conn(e, 2);
    xdi_server_stop(e->srv);
    expect(e, 0, SHUTDOWN("00000001", SYSA));
    expect(e, 1, SHUTDOWN("00000002", SYSC));
    expect_nothing(e, 2);
    /* the server waits for the agents: nothing closed yet */
    assert_int_equal(e->io[0].closes, 0);
    xdi_server_stop(e->srv); /* a second call sends nothing more */
    expect_nothing(e, 0);
    feed(e, 2, LOGIN_SYSA);
    expect(e, 2, REJECT(SYSA, "06"));
    /* the agents log out */
    feed(e, 0, LOGOUT("00000001", SYSA));
    assert_int_equal(e->io[0].closes, 1);
    rec = jrec(e, "stop", 0);
    assert_int_equal(jint(rec, "sessions"), 2);
    assert_int_equal(jint(rec, "connections"), 3);
    json_decref(rec);
}

/* ---- the journal ------------------------------------------------------- */

/* Every line parses; every record has the time first and, when it is
 * about a connection, the connection id, the peer, the agent-ID and the
 * system name; a record about a NACCB has the NACCB in hex. */
static void test_server_journal_common_fields(void **state)
{
    struct env *e = *state;
    json_t *lines, *rec;
    size_t i;

    login_sysa(e, 0, "00000001");
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    feed(e, 0, INFO_MSG_IEF450I("00000001"));
    feed(e, 0, ACQ_EMS("00000002", SYSA));
    feed(e, 0, LOGOUT("00000001", SYSA));
    closed(e, 0, XDI_CLOSE_REQUESTED);
    xdi_server_stop(e->srv);
    lines = journal_lines(e);
    assert_true(json_array_size(lines) >= 10);
    json_array_foreach(lines, i, rec) {
        const char *ev = jstr(rec, "event");
        void *it = json_object_iter(rec);
        assert_string_equal(json_object_iter_key(it), "ts");
        assert_string_equal(jstr(rec, "ts"), "2026-11-21T08:30:00.000Z");
        if (strcmp(ev, "stop") == 0)
            continue;
        assert_int_equal(jint(rec, "conn"), 1);
        assert_string_equal(jstr(rec, "peer"), "192.0.2.7:40000");
        if (strcmp(ev, "connect") == 0) {
            assert_int_equal(jint(rec, "agent_id"), 0);
            assert_string_equal(jstr(rec, "system"), "");
        } else if (strcmp(ev, "login") == 0) {
            /* before the session: 0, and the name in the login */
            assert_int_equal(jint(rec, "agent_id"), 0);
            assert_string_equal(jstr(rec, "system"), "SYSA");
        } else {
            assert_int_equal(jint(rec, "agent_id"), 1);
            assert_string_equal(jstr(rec, "system"), "SYSA");
        }
        if (strcmp(ev, "connect") != 0 && strcmp(ev, "disconnect") != 0)
            assert_true(strlen(jstr(rec, "naccb")) >= 72);
    }
    json_decref(lines);
    /* the received NACCB, whole, in the login record */
    rec = jrec(e, "login", 0);
    assert_string_equal(jstr(rec, "naccb"),
                        "00000024000000" "00" SYSA "0201050000000000"
                        "000000000000000000000000");
    assert_string_equal(jstr(rec, "key"), "02010500");
    assert_int_equal(jint(rec, "seq"), 1);
    json_decref(rec);
    /* the NACCB sent, in the accept record */
    rec = jrec(e, "accept", 0);
    assert_string_equal(jstr(rec, "naccb"),
                        "00000024000000" "01" SYSA "0102070000000000"
                        "000000000000000000000000");
    json_decref(rec);
    /* the violation names its check; the error sent follows it */
    rec = jrec(e, "violation", 0);
    assert_string_equal(jstr(rec, "check"), "agent_id");
    assert_int_equal(jint(rec, "error"), 1);
    assert_int_equal(jint(rec, "offset"), 4);
    assert_int_equal(jint(rec, "seq"), 4);
    json_decref(rec);
    rec = jrec(e, "send", 1); /* 0 is the receive EMS */
    assert_string_equal(jstr(rec, "name"), "error");
    assert_string_equal(jstr(rec, "key"), "01020B01");
    assert_int_equal(jint(rec, "seq"), 4);
    json_decref(rec);
    /* the table send gives its header and the table's size */
    rec = jrec(e, "send", 0);
    assert_string_equal(jstr(rec, "name"), "receive EMS");
    assert_int_equal(jint(rec, "count"), 6);
    assert_int_equal(jint(rec, "body_len"), 6 * 230);
    assert_int_equal(strlen(jstr(rec, "naccb")), 72);
    json_decref(rec);
}

/* Before a session a record carries agent-ID 0 and the system name of the
 * NACCB it is about; a reject says why. */
static void test_server_journal_reject_record(void **state)
{
    struct env *e = *state;
    json_t *rec;

    open_from(e, 0, "2001:db8::7");
    feed(e, 0, "00000024 00000000 " SYSZ " 02010500 " EXT0 " " NOOBJ);
    rec = jrec(e, "reject", 0);
    assert_int_equal(jint(rec, "agent_id"), 0);
    assert_string_equal(jstr(rec, "system"), "SYSZ");
    assert_string_equal(jstr(rec, "peer"), "[2001:db8::7]:40000");
    assert_string_equal(jstr(rec, "check"), "system_name");
    assert_int_equal(jint(rec, "error"), 9);
    assert_string_equal(jstr(rec, "error_name"), "unknown system name");
    assert_string_equal(jstr(rec, "naccb"), "00000024" "00000000" SYSZ
                                            "01020800" "09000000" "00000000"
                                            "00000000" "00000000");
    json_decref(rec);
}

static void test_server_refused_journalled(void **state)
{
    struct env *e = *state;
    struct sockaddr_in in;
    json_t *rec;

    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons(5555);
    inet_pton(AF_INET, "198.51.100.1", &in.sin_addr);
    xdi_server_refused(e->srv, (struct sockaddr *)&in, "max_connections");
    rec = jrec(e, "refused", 0);
    assert_string_equal(jstr(rec, "peer"), "198.51.100.1:5555");
    assert_string_equal(jstr(rec, "reason"), "max_connections");
    json_decref(rec);
    assert_int_equal(xdi_server_connections(e->srv), 0);
}

/* Disconnect causes as the network layer reports them. */
static void test_server_journal_disconnect_cause(void **state)
{
    struct env *e = *state;
    json_t *rec;

    login_sysa(e, 0, "00000001");
    xdi_conn_closed(e->conn[0], XDI_CLOSE_ERROR, "ECONNRESET");
    e->conn[0] = NULL;
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    rec = jrec(e, "disconnect", 0);
    assert_string_equal(jstr(rec, "cause"), "error");
    assert_string_equal(jstr(rec, "detail"), "ECONNRESET");
    json_decref(rec);
    /* the host is free again */
    login_sysa(e, 1, "00000002");
}

static void test_server_config_defaults(void **state)
{
    struct xdi_config cfg;

    (void)state;
    memset(&cfg, 0xFF, sizeof(cfg));
    xdi_config_defaults(&cfg);
    assert_int_equal(cfg.max_naccb_size, 16u * 1024 * 1024);
    assert_int_equal(cfg.max_output_queue, 64u * 1024 * 1024);
    assert_int_equal(cfg.max_connections, 10000);
    assert_int_equal(cfg.login_timeout_ms, 30000);
    assert_int_equal(cfg.partial_timeout_ms, 30000);
    assert_int_equal(cfg.idle_timeout_ms, 0);
    assert_int_equal(cfg.grace_ms, 5000);
    assert_false(cfg.random_ids);
    assert_false(cfg.xdi_down);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_server_blob_copies_and_counts),
        T(test_server_blob_null_data_is_zero_filled),
        T(test_server_login_accept_first_id_1),
        T(test_server_login_ids_sequential_never_reused),
        T(test_server_login_random_ids_unique_nonzero),
        T(test_server_login_random_ids_follow_seed),
        T(test_server_reject_step1_agent_id),
        T(test_server_reject_step2_object),
        T(test_server_reject_step3_xdi_down),
        T(test_server_reject_step4_unknown_system),
        T(test_server_reject_system_name_not_blank_padded),
        T(test_server_reject_step5_source_address),
        T(test_server_reject_step6_password_missing),
        T(test_server_reject_step6_password_wrong),
        T(test_server_reject_step6_password_not_blank_padded),
        T(test_server_reject_step6_password_not_configured),
        T(test_server_reject_step6_two_objects),
        T(test_server_reject_step6_object_size_7),
        T(test_server_login_password_and_address_accepted),
        T(test_server_reject_then_login_again),
        T(test_server_takeover),
        T(test_server_eof_releases_host_at_once),
        T(test_server_send_records_say_written),
        T(test_server_dropped_send_journalled_and_closes),
        T(test_server_err01_before_login),
        T(test_server_err01_wrong_agent_id),
        T(test_server_err02_direction),
        T(test_server_err02_direction_before_login),
        T(test_server_err03_acquire_object),
        T(test_server_err04_requests),
        T(test_server_err04_objects_for_request),
        T(test_server_err04_login_in_session),
        T(test_server_err05_length_mismatch),
        T(test_server_err05_count_size),
        T(test_server_err05_object_rules),
        T(test_server_err08_no_ems_no_scd),
        T(test_server_err09_system_name),
        T(test_server_order_request_before_object_rules),
        T(test_server_acquire_ems_receive),
        T(test_server_acquire_scd_receive),
        T(test_server_tables_shared_blob),
        T(test_server_acquire_raw_tables),
        T(test_server_info_before_table_is_05),
        T(test_server_info_padded_text_warned),
        T(test_server_info_in_frame_no_reply),
        T(test_server_info_out_of_frame_no_reply),
        T(test_server_info_unmatched_is_05),
        T(test_server_info_eoj_object_matches_et06),
        T(test_server_info_command_matches_by_kl),
        T(test_server_info_holiday_uses_byte7),
        T(test_server_info_no_holiday_uses_weekday),
        T(test_server_info_several_texts_one_error),
        T(test_server_info_raw_table),
        T(test_server_eot_valid_no_reply),
        T(test_server_eot_before_scd_is_05),
        T(test_server_eot_names_other_host),
        T(test_server_eot_unmatched_job),
        T(test_server_eot_entry_flag2_decides),
        T(test_server_eot_reserved1_not_zero),
        T(test_server_eot_reserved2_not_zero),
        T(test_server_eot_notes_not_remote),
        T(test_server_eot_notes_bad_letter),
        T(test_server_eot_raw_table),
        T(test_server_agent_error_journalled_no_reply),
        T(test_server_agent_error_bad_code_is_05),
        T(test_server_logout_closes),
        T(test_server_lost_framing_short),
        T(test_server_lost_framing_zero_length),
        T(test_server_lost_framing_over_max),
        T(test_server_max_size_boundary),
        T(test_server_stream_any_split_same_replies),
        T(test_server_stream_two_naccbs_one_feed),
        T(test_server_timers_follow_state),
        T(test_server_partial_epoch_moves_per_naccb),
        T(test_server_timeout_login_closes),
        T(test_server_timeout_partial_closes),
        T(test_server_timeout_idle_closes),
        T(test_server_output_limit_closes),
        T(test_server_stop_sends_shutdown),
        T(test_server_journal_common_fields),
        T(test_server_journal_reject_record),
        T(test_server_refused_journalled),
        T(test_server_journal_disconnect_cause),
        T(test_server_config_defaults),
    };

    /* Time frames use the server's local time: make it UTC. */
    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
