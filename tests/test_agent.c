/*
 * test_agent.c - the agent core (tools/xdi-agent/core): session state
 * machine, tables, matching, the outgoing queue and batching, exec command
 * and exec job, shutdown.  Driven with byte arrays; the expected NACCBs are
 * written by hand from protocol.md §3, 7, 8 and 9 (EBCDIC-037
 * texts checked against Python's cp037 codec, not against libnaccb).
 *
 * Conventions: system SYSA (E2 E8 E2 C1 40 40 40 40), agent-ID 0A0B0C0D
 * (four different bytes, so a byte-order slip shows), local time fixed by
 * the test (the core's clock hook).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent.h"

#define SYSA 0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40, 0x40
#define AID 0x0A, 0x0B, 0x0C, 0x0D
#define Z4 0x00, 0x00, 0x00, 0x00
#define ID_VALUE 0x0A0B0C0Du

/* ---- the test's world ------------------------------------------------------ */

struct world {
    struct xdi_agent *a;
    struct naccb_local_time now;
    char log[16384];
    size_t log_len;
};

static void capture_log(void *ctx, const char *line)
{
    struct world *w = ctx;
    size_t n = strlen(line);

    if (w->log_len + n + 2 < sizeof w->log) {
        memcpy(w->log + w->log_len, line, n);
        w->log_len += n;
        w->log[w->log_len++] = '\n';
        w->log[w->log_len] = '\0';
    }
}

static void fake_time(void *ctx, struct naccb_local_time *out)
{
    *out = ((struct world *)ctx)->now;
}

static struct world *world_new(const struct xdi_agent_config *cfg)
{
    struct world *w = calloc(1, sizeof *w);
    struct xdi_agent_hooks hooks = {w, capture_log, fake_time};

    assert_non_null(w);
    /* Friday 2026-11-20 10:00:00: inside the BUSY frame below. */
    w->now = (struct naccb_local_time){{2026, 11, 20}, {10, 0, 0}};
    w->a = xdi_agent_new(cfg, &hooks);
    assert_non_null(w->a);
    return w;
}

static void default_config(struct xdi_agent_config *cfg)
{
    xdi_agent_config_defaults(cfg);
    memcpy(cfg->system_name, "SYSA", 5);
    cfg->retries = 2;
}

static int setup(void **state)
{
    struct xdi_agent_config cfg;

    default_config(&cfg);
    *state = world_new(&cfg);
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    xdi_agent_free(w->a);
    free(w);
    return 0;
}

/* ---- helpers --------------------------------------------------------------- */

static struct xdi_agent_action expect_action(struct xdi_agent *a,
                                             enum xdi_agent_action_kind kind)
{
    struct xdi_agent_action act;

    assert_int_equal(xdi_agent_next_action(a, &act), 1);
    assert_int_equal(act.kind, kind);
    return act;
}

static void expect_no_action(struct xdi_agent *a)
{
    struct xdi_agent_action act;

    assert_int_equal(xdi_agent_next_action(a, &act), 0);
}

static void expect_output(struct xdi_agent *a, const uint8_t *want,
                          size_t want_len)
{
    size_t len = 0;
    uint8_t *got = xdi_agent_take_output(a, &len);

    assert_non_null(got);
    assert_int_equal(len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
}

static void expect_no_output(struct xdi_agent *a)
{
    size_t len = 99;

    assert_false(xdi_agent_want_write(a));
    assert_null(xdi_agent_take_output(a, &len));
    assert_int_equal(len, 0);
}

/* Output whose bytes the test does not check here (checked elsewhere). */
static void drain_output(struct xdi_agent *a)
{
    size_t len;

    free(xdi_agent_take_output(a, &len));
}

static void drain_actions(struct xdi_agent *a)
{
    struct xdi_agent_action act;

    while (xdi_agent_next_action(a, &act))
        ;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A to-agent header, written field by field as §4 lays it out. */
static void to_agent(uint8_t *p, uint32_t key, uint8_t err, uint32_t count,
                     uint32_t size)
{
    static const uint8_t sysa[8] = {SYSA};

    memset(p, 0, 36);
    put32(p, 36 + count * size);
    put32(p + 4, ID_VALUE);
    memcpy(p + 8, sysa, 8);
    put32(p + 16, key);
    p[20] = err;
    put32(p + 28, count);
    put32(p + 32, size);
}

/* An EVBLOK (§9) of SYSA with a key of kl EBCDIC bytes and the
 * "always" frame. */
static void evblok_always(uint8_t *e, const uint8_t *key, uint16_t kl,
                          uint8_t et)
{
    static const uint8_t sysa[8] = {SYSA};

    memset(e, 0, 230);
    memcpy(e, sysa, 8);
    memset(e + 8, 0x40, 20 + 108);
    memcpy(e + 8, key, kl);
    put16(e + 136, (uint16_t)(8 + kl));
    put16(e + 138, kl);
    put32(e + 142, 0x01900001u);
    put32(e + 146, 0x09999365u);
    put32(e + 150, 0x00000000u);
    put32(e + 154, 0);
    put32(e + 158, 0x23595900u);
    put32(e + 162, 86399);
    memset(e + 166, 0x01, 8);
    e[174] = et;
    put32(e + 190, 0x19000101u);
    put32(e + 194, 0x99991231u);
}

/* BUSY, message: 2026-11-02 (day 306) .. 2026-11-30 (day 334), 08:30:00 ..
 * 17:00:00, Monday to Friday, not on holidays. */
static void evblok_busy(uint8_t *e)
{
    static const uint8_t busy[4] = {0xC2, 0xE4, 0xE2, 0xE8};
    static const uint8_t days[8] = {0, 1, 1, 1, 1, 1, 0, 0};

    evblok_always(e, busy, 4, 0x01);
    put32(e + 142, 0x02026306u);
    put32(e + 146, 0x02026334u);
    put32(e + 150, 0x08300000u);
    put32(e + 154, 30600);
    put32(e + 158, 0x17000000u);
    put32(e + 162, 61200);
    memcpy(e + 166, days, 8);
    put32(e + 190, 0x20261102u);
    put32(e + 194, 0x20261130u);
}

/* The default EMS table: IEF450I (message), KILL (command), PAYROLL1
 * (EOJ, ET 06), PAYROLL1STEP2 (EOS, ET 05), BUSY (framed message), HOLI
 * (message, holidays only). */
static const uint8_t k_ief450i[] = {0xC9, 0xC5, 0xC6, 0xF4, 0xF5, 0xF0, 0xC9};
static const uint8_t k_kill[] = {0xD2, 0xC9, 0xD3, 0xD3};
static const uint8_t k_payroll1[] = {0xD7, 0xC1, 0xE8, 0xD9,
                                     0xD6, 0xD3, 0xD3, 0xF1};
/* PAYROLL1 + STEP2 padded: the 16-byte EOS text's key (KL 13). */
static const uint8_t k_payroll1_step2[] = {0xD7, 0xC1, 0xE8, 0xD9, 0xD6,
                                           0xD3, 0xD3, 0xF1, 0xE2, 0xE3,
                                           0xC5, 0xD7, 0xF2};

#define EMS_N 6
static size_t ems_naccb(uint8_t *out)
{
    static const uint8_t holi[4] = {0xC8, 0xD6, 0xD3, 0xC9};
    uint8_t *e = out + 36;

    to_agent(out, 0x01020201u, 0, EMS_N, 230);
    evblok_always(e, k_ief450i, 7, 0x01);
    evblok_always(e + 230, k_kill, 4, 0x02);
    evblok_always(e + 460, k_payroll1, 8, 0x06);
    evblok_always(e + 690, k_payroll1_step2, 13, 0x05);
    evblok_busy(e + 920);
    evblok_always(e + 1150, holi, 4, 0x01);
    memset(e + 1150 + 166, 0x00, 7); /* only byte 7, holidays */
    return 36 + EMS_N * 230;
}

/* An SCD entry (§11) of SYSA for job PAYROLL1, flag2 = job name. */
static void scd_entry(uint8_t *e, uint8_t flag2, const uint8_t *step)
{
    static const uint8_t sysa[8] = {SYSA};

    memset(e, 0, 162);
    e[81] = flag2;
    memset(e + 106, 0x40, 8);
    memcpy(e + 114, sysa, 8);
    memcpy(e + 122, k_payroll1, 8);
    memset(e + 130, 0x40, 16);
    if (step != NULL)
        memcpy(e + 130, step, 5);
}

static const uint8_t k_step2[5] = {0xE2, 0xE3, 0xC5, 0xD7, 0xF2};

/* Two entries: PAYROLL1 (job name), PAYROLL1 + STEP2 (job and step). */
static size_t scd_naccb(uint8_t *out)
{
    to_agent(out, 0x01020202u, 0, 2, 162);
    scd_entry(out + 36, 0x80, NULL);
    scd_entry(out + 36 + 162, 0xA0, k_step2);
    return 36 + 2 * 162;
}

static const uint8_t login_bytes[] = {
    0x00, 0x00, 0x00, 0x24, Z4, SYSA, 0x02, 0x01, 0x05, 0x00,
    Z4, Z4, Z4, Z4};

static const uint8_t accept_bytes[] = {
    0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x07, 0x00,
    Z4, Z4, Z4, Z4};

static const uint8_t acquires_bytes[] = {
    0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x02, 0x01, 0x09, 0x01, Z4, Z4, Z4, Z4,
    0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x02, 0x01, 0x09, 0x02, Z4, Z4, Z4, Z4};

static const uint8_t logout_bytes[] = {
    0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x02, 0x01, 0x06, 0x00,
    Z4, Z4, Z4, Z4};

/* no EMS / no SCD: 01020B01 / 01020B02 with error 08 (§8). */
static const uint8_t no_ems_bytes[] = {
    0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x0B, 0x01,
    0x08, 0x00, 0x00, 0x00, Z4, Z4, Z4};
static const uint8_t no_scd_bytes[] = {
    0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x0B, 0x02,
    0x08, 0x00, 0x00, 0x00, Z4, Z4, Z4};

static void connect_and_login(struct world *w)
{
    xdi_agent_start(w->a);
    expect_action(w->a, XDI_ACT_CONNECT);
    xdi_agent_connected(w->a);
    expect_output(w->a, login_bytes, sizeof login_bytes);
}

static void accepted(struct world *w)
{
    connect_and_login(w);
    xdi_agent_feed(w->a, accept_bytes, sizeof accept_bytes);
    expect_output(w->a, acquires_bytes, sizeof acquires_bytes);
}

/* Logged in, both tables received, running. */
static void running(struct world *w)
{
    static uint8_t ems[36 + EMS_N * 230], scd[36 + 2 * 162];
    size_t ems_len = ems_naccb(ems), scd_len = scd_naccb(scd);

    accepted(w);
    xdi_agent_feed(w->a, ems, ems_len);
    xdi_agent_feed(w->a, scd, scd_len);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    expect_action(w->a, XDI_ACT_READY);
    expect_no_action(w->a);
    expect_no_output(w->a);
}

/* ---- login ------------------------------------------------------------------ */

/* §11.1 step 2: 36 bytes, agent-ID 0, the system name, key 02010500,
 * count 0, size 0. */
static void test_agent_login_bytes_exact(void **state)
{
    struct world *w = *state;

    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_IDLE);
    connect_and_login(w);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_LOGIN);
    expect_no_output(w->a);
}

/* With a password: count 1, size 8, "DEMO" in EBCDIC blank padded. */
static void test_agent_login_with_password_bytes(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x2C, Z4, SYSA, 0x02, 0x01, 0x05, 0x00, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
        0xC4, 0xC5, 0xD4, 0xD6, 0x40, 0x40, 0x40, 0x40};
    struct xdi_agent_config cfg;
    struct world *w;

    (void)state;
    default_config(&cfg);
    memcpy(cfg.password, "DEMO", 5);
    w = world_new(&cfg);
    xdi_agent_start(w->a);
    expect_action(w->a, XDI_ACT_CONNECT);
    xdi_agent_connected(w->a);
    expect_output(w->a, want, sizeof want);
    xdi_agent_free(w->a);
    free(w);
}

/* Step (3): the accept's agent-ID goes into both acquires (04..07). */
static void test_agent_accept_id_in_acquires(void **state)
{
    struct world *w = *state;

    accepted(w);
    assert_int_equal(xdi_agent_id(w->a), ID_VALUE);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_ACQUIRING);
}

/* ... and into every later NACCB: an info NACCB and the logout. */
static void test_agent_accept_id_in_every_later_naccb(void **state)
{
    static const uint8_t want_info[] = {
        0x00, 0x00, 0x00, 0x2B, AID, SYSA, 0x02, 0x01, 0x0A, 0x03, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,
        0xC9, 0xC5, 0xC6, 0xF4, 0xF5, 0xF0, 0xC9};
    struct world *w = *state;

    running(w);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_QUEUED);
    expect_output(w->a, want_info, sizeof want_info);
    xdi_agent_shutdown(w->a, "test");
    expect_output(w->a, logout_bytes, sizeof logout_bytes);
}

/* A reject: retry the login on the same connection after backoff_ms, then
 * twice that; once more than `retries` attempts failed, close and stop
 * with 12. */
static void test_agent_reject_retries_then_exit_12(void **state)
{
    static const uint8_t reject06[] = {
        0x00, 0x00, 0x00, 0x24, Z4, SYSA, 0x01, 0x02, 0x08, 0x00,
        0x06, 0x00, 0x00, 0x00, Z4, Z4, Z4};
    struct world *w = *state;
    struct xdi_agent_action act;

    connect_and_login(w);
    xdi_agent_feed(w->a, reject06, sizeof reject06);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_LOGIN_BACKOFF);
    act = expect_action(w->a, XDI_ACT_TIMER);
    assert_int_equal(act.delay_ms, 500);
    expect_no_output(w->a);
    xdi_agent_timer(w->a);
    expect_output(w->a, login_bytes, sizeof login_bytes);

    xdi_agent_feed(w->a, reject06, sizeof reject06);
    act = expect_action(w->a, XDI_ACT_TIMER);
    assert_int_equal(act.delay_ms, 1000);
    xdi_agent_timer(w->a);
    expect_output(w->a, login_bytes, sizeof login_bytes);

    xdi_agent_feed(w->a, reject06, sizeof reject06); /* third: retries 2 */
    expect_action(w->a, XDI_ACT_CLOSE);
    assert_false(xdi_agent_logging_out(w->a)); /* no session: no logout */
    expect_no_action(w->a);
    expect_no_output(w->a);
    xdi_agent_disconnected(w->a, "closed");
    act = expect_action(w->a, XDI_ACT_STOP);
    assert_int_equal(act.exit_code, XDI_EXIT_REJECTED);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_STOPPED);
}

/* Refused connections: reconnect after the backoff, then stop with 13. */
static void test_agent_connect_failures_then_exit_13(void **state)
{
    struct world *w = *state;
    struct xdi_agent_action act;

    xdi_agent_start(w->a);
    expect_action(w->a, XDI_ACT_CONNECT);
    for (unsigned i = 0; i < 2; i++) {
        xdi_agent_connect_failed(w->a, "refused");
        act = expect_action(w->a, XDI_ACT_TIMER);
        assert_int_equal(act.delay_ms, 500u << i);
        assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RECONNECT_BACKOFF);
        xdi_agent_timer(w->a);
        expect_action(w->a, XDI_ACT_CONNECT);
    }
    xdi_agent_connect_failed(w->a, "refused");
    act = expect_action(w->a, XDI_ACT_STOP);
    assert_int_equal(act.exit_code, XDI_EXIT_LOST);
}

/* The delay doubles up to backoff_max_ms and stays there. */
static void test_agent_backoff_capped(void **state)
{
    struct xdi_agent_config cfg;
    struct world *w;
    static const unsigned want[] = {100, 200, 400, 450, 450};

    (void)state;
    default_config(&cfg);
    cfg.retries = 10;
    cfg.backoff_ms = 100;
    cfg.backoff_max_ms = 450;
    w = world_new(&cfg);
    xdi_agent_start(w->a);
    expect_action(w->a, XDI_ACT_CONNECT);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        xdi_agent_connect_failed(w->a, "refused");
        assert_int_equal(expect_action(w->a, XDI_ACT_TIMER).delay_ms, want[i]);
        xdi_agent_timer(w->a);
        expect_action(w->a, XDI_ACT_CONNECT);
    }
    xdi_agent_free(w->a);
    free(w);
}

/* A lost session reconnects; the accept then resets the failure count. */
static void test_agent_lost_session_reconnects_and_accept_resets(void **state)
{
    struct world *w = *state;

    running(w);
    xdi_agent_disconnected(w->a, "reset by peer");
    assert_int_equal(xdi_agent_id(w->a), 0);
    assert_int_equal(xdi_agent_failures(w->a), 1);
    assert_int_equal(xdi_agent_ems_entries(w->a), -1);
    assert_int_equal(expect_action(w->a, XDI_ACT_TIMER).delay_ms, 500);
    xdi_agent_timer(w->a);
    expect_action(w->a, XDI_ACT_CONNECT);
    xdi_agent_connected(w->a);
    expect_output(w->a, login_bytes, sizeof login_bytes);
    xdi_agent_feed(w->a, accept_bytes, sizeof accept_bytes);
    assert_int_equal(xdi_agent_failures(w->a), 0);
    expect_output(w->a, acquires_bytes, sizeof acquires_bytes);
}

/* ---- tables ------------------------------------------------------------------ */

/* Both tables, then an exec job, fed one byte at a time. */
static void test_agent_tables_one_byte_at_a_time(void **state)
{
    static uint8_t stream[36 + EMS_N * 230 + 36 + 2 * 162 + 44];
    static const uint8_t exec_job[] = {
        0x00, 0x00, 0x00, 0x2C, AID, SYSA, 0x01, 0x02, 0x01, 0x08, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
        0xD7, 0xC1, 0xE8, 0xD9, 0xD6, 0xD3, 0xD3, 0xF1};
    struct world *w = *state;
    size_t n = ems_naccb(stream);

    n += scd_naccb(stream + n);
    memcpy(stream + n, exec_job, sizeof exec_job);
    n += sizeof exec_job;
    accepted(w);
    for (size_t i = 0; i < n; i++) {
        assert_int_not_equal(xdi_agent_state(w->a), XDI_AGENT_STOPPED);
        xdi_agent_feed(w->a, stream + i, 1);
    }
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    assert_int_equal(xdi_agent_ems_entries(w->a), EMS_N);
    assert_int_equal(xdi_agent_scd_entries(w->a), 2);
    expect_action(w->a, XDI_ACT_READY);
    assert_string_equal(expect_action(w->a, XDI_ACT_RUN_JOB).text, "PAYROLL1");
}

/* The SCD table coalesced with the EMS before it and a no-op after it, in
 * one feed: all three are taken. */
static void test_agent_tables_coalesced_with_next_naccb(void **state)
{
    static uint8_t stream[36 + EMS_N * 230 + 36 + 2 * 162 + 36];
    static const uint8_t shutdown[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x04, 0x00,
        Z4, Z4, Z4, Z4};
    struct world *w = *state;
    size_t n = scd_naccb(stream);

    n += ems_naccb(stream + n);
    memcpy(stream + n, shutdown, sizeof shutdown);
    n += sizeof shutdown;
    accepted(w);
    xdi_agent_feed(w->a, stream, n);
    assert_int_equal(xdi_agent_ems_entries(w->a), EMS_N);
    assert_int_equal(xdi_agent_scd_entries(w->a), 2);
    expect_action(w->a, XDI_ACT_READY);
    /* The shutdown right behind them was seen too. */
    expect_action(w->a, XDI_ACT_CLOSE);
    expect_output(w->a, logout_bytes, sizeof logout_bytes);
}

/* Step (6): no-EMS -> run without EMS: texts are not sent, EOTINFOs are. */
static void test_agent_no_ems_runs_without_it(void **state)
{
    static uint8_t scd[36 + 2 * 162];
    struct world *w = *state;
    struct xdi_job_end e = {"PAYROLL1", "", 0, 0, 0, 0, 'N'};

    accepted(w);
    xdi_agent_feed(w->a, no_ems_bytes, sizeof no_ems_bytes);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_ACQUIRING);
    xdi_agent_feed(w->a, scd, scd_naccb(scd));
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    expect_action(w->a, XDI_ACT_READY);
    assert_int_equal(xdi_agent_ems_entries(w->a), -1);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_IGNORED);
    /* EOJ of PAYROLL1: no EOJ text (no EMS), one EOTINFO (entry 1). */
    assert_int_equal(xdi_agent_job_end(w->a, &e), 1);
    assert_int_equal(xdi_agent_queued(w->a), 1);
}

/* Step (7): no-SCD -> run without SCD: texts are sent, no EOTINFO. */
static void test_agent_no_scd_runs_without_it(void **state)
{
    static uint8_t ems[36 + EMS_N * 230];
    struct world *w = *state;
    struct xdi_job_end e = {"PAYROLL1", "", 0, 0, 0, 0, 'N'};

    accepted(w);
    xdi_agent_feed(w->a, ems, ems_naccb(ems));
    xdi_agent_feed(w->a, no_scd_bytes, sizeof no_scd_bytes);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    expect_action(w->a, XDI_ACT_READY);
    assert_int_equal(xdi_agent_scd_entries(w->a), -1);
    assert_int_equal(xdi_agent_job_end(w->a, &e), 1); /* the EOJ text only */
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_QUEUED);
    assert_int_equal(xdi_agent_queued(w->a), 2);
}

/* Step (7): both missing -> logout, close, and stop with 11. */
static void test_agent_both_missing_logout_then_exit_11(void **state)
{
    struct world *w = *state;

    accepted(w);
    xdi_agent_feed(w->a, no_scd_bytes, sizeof no_scd_bytes);
    expect_no_action(w->a);
    xdi_agent_feed(w->a, no_ems_bytes, sizeof no_ems_bytes);
    expect_action(w->a, XDI_ACT_CLOSE);
    expect_no_action(w->a);
    expect_output(w->a, logout_bytes, sizeof logout_bytes);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_CLOSING);
    /* Nothing may follow the logout. */
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_IGNORED);
    expect_no_output(w->a);
    xdi_agent_disconnected(w->a, "closed by the host");
    assert_int_equal(expect_action(w->a, XDI_ACT_STOP).exit_code,
                     XDI_EXIT_NO_TABLES);
}

/* Running, the host replaces both tables with nothing (no-EMS, no-SCD):
 * the same rule as at acquisition, logout and exit 11. */
static void test_agent_tables_removed_while_running_exit_11(void **state)
{
    struct world *w = *state;

    running(w);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    xdi_agent_feed(w->a, no_ems_bytes, sizeof no_ems_bytes);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    assert_int_equal(xdi_agent_queued(w->a), 0); /* no EMS: cannot go */
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_IGNORED);
    xdi_agent_feed(w->a, no_scd_bytes, sizeof no_scd_bytes);
    expect_action(w->a, XDI_ACT_CLOSE);
    assert_true(xdi_agent_logging_out(w->a));
    expect_output(w->a, logout_bytes, sizeof logout_bytes);
    xdi_agent_disconnected(w->a, "closed");
    assert_int_equal(expect_action(w->a, XDI_ACT_STOP).exit_code,
                     XDI_EXIT_NO_TABLES);
}

/* 01020B01 with error 05 is an error about the acquire, not "no EMS"
 * (§8): logged; the pending EMS counts as not coming.  An error
 * about anything else changes nothing. */
static void test_agent_errors_survived(void **state)
{
    static const uint8_t err05_ems[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x0B, 0x01,
        0x05, 0x00, 0x00, 0x00, Z4, Z4, Z4};
    static const uint8_t err05_msg[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x0B, 0x03,
        0x05, 0x00, 0x00, 0x00, Z4, Z4, Z4};
    static uint8_t scd[36 + 2 * 162];
    struct world *w = *state;

    accepted(w);
    xdi_agent_feed(w->a, err05_msg, sizeof err05_msg);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_ACQUIRING);
    xdi_agent_feed(w->a, err05_ems, sizeof err05_ems);
    assert_non_null(strstr(w->log, "recv error 05 (invalid information) "
                                   "about object 01"));
    xdi_agent_feed(w->a, scd, scd_naccb(scd));
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    assert_int_equal(xdi_agent_ems_entries(w->a), -1);
    xdi_agent_feed(w->a, err05_msg, sizeof err05_msg);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    expect_action(w->a, XDI_ACT_READY);
    expect_no_action(w->a);
    expect_no_output(w->a);
}

/* An EVBLOK failing §9 is dropped, the rest kept, and the host told
 * once with agent error 02010B01 / 05. */
static void test_agent_invalid_evblok_dropped(void **state)
{
    static uint8_t ems[36 + EMS_N * 230];
    static const uint8_t want_head[] = {
        AID, SYSA, 0x02, 0x01, 0x0B, 0x01, 0x05, 0x00, 0x00, 0x00, Z4,
        0x00, 0x00, 0x00, 0x01};
    struct world *w = *state;
    size_t len;

    accepted(w);
    ems_naccb(ems);
    put16(ems + 36 + 230 + 138, 21); /* EVBLOK 2 (KILL): KL 21 */
    xdi_agent_feed(w->a, ems, sizeof ems);
    assert_int_equal(xdi_agent_ems_entries(w->a), EMS_N - 1);
    uint8_t *out = xdi_agent_take_output(w->a, &len);
    assert_non_null(out);
    assert_memory_equal(out + 4, want_head, sizeof want_head);
    free(out);
    /* KILL is gone, IEF450I is still there. */
    xdi_agent_feed(w->a, no_scd_bytes, sizeof no_scd_bytes);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_CMD, "KILL X", 6),
                     XDI_EV_UNMATCHED);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_QUEUED);
}

/* A replacement table (01020301) takes the place of the old one. */
static void test_agent_replace_table(void **state)
{
    static uint8_t rep[36 + 230];
    struct world *w = *state;

    running(w);
    to_agent(rep, 0x01020301u, 0, 1, 230);
    evblok_always(rep + 36, k_kill, 4, 0x01); /* KILL, now a message */
    xdi_agent_feed(w->a, rep, sizeof rep);
    assert_int_equal(xdi_agent_ems_entries(w->a), 1);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_UNMATCHED);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "KILL", 4),
                     XDI_EV_QUEUED);
}

/* ---- events -------------------------------------------------------------------- */

static void test_agent_unmatched_event_not_sent(void **state)
{
    struct world *w = *state;

    running(w);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "NOPE", 4),
                     XDI_EV_UNMATCHED);
    /* Right key, wrong type: KILL is a command key. */
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "KILL X", 6),
                     XDI_EV_UNMATCHED);
    /* Shorter than KL (7): never matches. */
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450", 6),
                     XDI_EV_UNMATCHED);
    expect_no_output(w->a);
}

static void test_agent_events_ignored_before_tables(void **state)
{
    struct world *w = *state;

    accepted(w);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_IGNORED);
    expect_no_output(w->a);
}

/* Matched in frame: sent as info MSG, the text at its own length. */
static void test_agent_matched_in_frame_sent(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x28, AID, SYSA, 0x02, 0x01, 0x0A, 0x03, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04,
        0xC2, 0xE4, 0xE2, 0xE8};
    struct world *w = *state;

    running(w); /* Friday 2026-11-20 10:00:00 */
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "BUSY", 4),
                     XDI_EV_QUEUED);
    expect_output(w->a, want, sizeof want);
}

/* Out of frame: Saturday; Friday one second after ETIME; before SDATE. */
static void test_agent_matched_out_of_frame_not_sent(void **state)
{
    struct world *w = *state;

    running(w);
    w->now = (struct naccb_local_time){{2026, 11, 21}, {10, 0, 0}};
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "BUSY", 4),
                     XDI_EV_OUT_OF_FRAME);
    w->now = (struct naccb_local_time){{2026, 11, 20}, {17, 0, 1}};
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "BUSY", 4),
                     XDI_EV_OUT_OF_FRAME);
    w->now = (struct naccb_local_time){{2026, 11, 20}, {17, 0, 0}};
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "BUSY", 4),
                     XDI_EV_QUEUED);
    drain_output(w->a);
    w->now = (struct naccb_local_time){{2026, 10, 30}, {10, 0, 0}};
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "BUSY", 4),
                     XDI_EV_OUT_OF_FRAME);
    expect_no_output(w->a);
}

/* Holidays given: on one, only day-list byte 7 counts (§9). */
static void test_agent_holiday_uses_byte_7(void **state)
{
    static const struct naccb_date friday = {2026, 11, 20};
    struct world *w = *state;

    running(w);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "HOLI", 4),
                     XDI_EV_OUT_OF_FRAME);
    assert_int_equal(xdi_agent_set_holidays(w->a, &friday, 1), 0);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "HOLI", 4),
                     XDI_EV_QUEUED);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "BUSY", 4),
                     XDI_EV_OUT_OF_FRAME);
}

/* §5: texts of the same length share one NACCB; another length goes
 * in its own.  Order within a length is kept. */
static void test_agent_batches_same_length_texts(void **state)
{
    static const uint8_t want[] = {
        /* IEF450I, IEF450J: count 2, size 7 */
        0x00, 0x00, 0x00, 0x32, AID, SYSA, 0x02, 0x01, 0x0A, 0x03, Z4, Z4,
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07,
        0xC9, 0xC5, 0xC6, 0xF4, 0xF5, 0xF0, 0xC9,
        0xC9, 0xC5, 0xC6, 0xF4, 0xF5, 0xF0, 0xC9,
        /* IEF450I X: count 1, size 9 */
        0x00, 0x00, 0x00, 0x2D, AID, SYSA, 0x02, 0x01, 0x0A, 0x03, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,
        0xC9, 0xC5, 0xC6, 0xF4, 0xF5, 0xF0, 0xC9, 0x40, 0xE7};
    struct world *w = *state;

    running(w);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I X", 9);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    assert_int_equal(xdi_agent_queued(w->a), 3);
    expect_output(w->a, want, sizeof want);
    assert_int_equal(xdi_agent_queued(w->a), 0);
}

/* Same length but another key (MSG / CMD): not in one NACCB. */
static void test_agent_batch_needs_same_key(void **state)
{
    struct world *w = *state;
    size_t len;
    uint8_t *out;

    running(w);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    xdi_agent_event(w->a, XDI_EVENT_CMD, "KILL AB", 7);
    out = xdi_agent_take_output(w->a, &len);
    assert_non_null(out);
    assert_int_equal(len, 2 * (36 + 7));
    assert_int_equal(out[19], 0x03);
    assert_int_equal(out[43 + 19], 0x04);
    free(out);
}

/* max_batch objects per NACCB at most. */
static void test_agent_batch_respects_max_batch(void **state)
{
    struct xdi_agent_config cfg;
    struct world *w;
    size_t len;
    uint8_t *out;

    (void)state;
    default_config(&cfg);
    cfg.max_batch = 2;
    w = world_new(&cfg);
    running(w);
    for (int i = 0; i < 5; i++)
        xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    out = xdi_agent_take_output(w->a, &len);
    assert_int_equal(len, 2 * (36 + 14) + (36 + 7));
    assert_int_equal(out[31], 2);
    assert_int_equal(out[50 + 31], 2);
    assert_int_equal(out[100 + 31], 1);
    free(out);
    xdi_agent_free(w->a);
    free(w);
}

/* The queue's limit: the next event is dropped, not queued. */
static void test_agent_queue_limit(void **state)
{
    struct xdi_agent_config cfg;
    struct world *w;

    (void)state;
    default_config(&cfg);
    cfg.max_queue = 2;
    w = world_new(&cfg);
    running(w);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_QUEUED);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_QUEUED);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7),
                     XDI_EV_DROPPED);
    xdi_agent_free(w->a);
    free(w);
}

/* Texts longer than 128 bytes are cut to 128 (§6's maximum). */
static void test_agent_long_text_cut_to_128(void **state)
{
    char text[200];
    struct world *w = *state;
    size_t len;
    uint8_t *out;

    running(w);
    memset(text, 'Z', sizeof text);
    memcpy(text, "IEF450I", 7);
    assert_int_equal(xdi_agent_event(w->a, XDI_EVENT_MSG, text, sizeof text),
                     XDI_EV_QUEUED);
    out = xdi_agent_take_output(w->a, &len);
    assert_int_equal(len, 36 + 128);
    assert_int_equal(out[35], 128);
    assert_int_equal(out[36 + 127], 0xE9); /* Z */
    free(out);
}

/* Queued events wait while the connection is down, and go out once the
 * next session has its table, with the new agent-ID. */
static void test_agent_queue_survives_reconnect(void **state)
{
    static uint8_t ems[36 + EMS_N * 230];
    static const uint8_t accept2[] = {
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x09, SYSA, 0x01, 0x02,
        0x07, 0x00, Z4, Z4, Z4, Z4};
    struct world *w = *state;
    size_t len;
    uint8_t *out;

    running(w);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    xdi_agent_disconnected(w->a, "reset");
    drain_actions(w->a);
    xdi_agent_timer(w->a);
    drain_actions(w->a);
    xdi_agent_connected(w->a);
    expect_output(w->a, login_bytes, sizeof login_bytes); /* not the info */
    xdi_agent_feed(w->a, accept2, sizeof accept2);
    drain_output(w->a); /* acquires */
    ems_naccb(ems);
    put32(ems + 4, 9); /* the new session's ID */
    xdi_agent_feed(w->a, ems, sizeof ems);
    out = xdi_agent_take_output(w->a, &len);
    assert_non_null(out);
    assert_int_equal(len, 36 + 7);
    assert_int_equal(out[7], 0x09); /* the new agent-ID */
    assert_int_equal(out[19], 0x03);
    free(out);
}

/* ---- job ends -------------------------------------------------------------------- */

/* EOJ of PAYROLL1, ucc 4, max CC 4, normal: the EOJ text (object 05, the
 * 8-byte job name; EVBLOK ET 06) and an EOTINFO that is a copy of SCD
 * entry 1 with the status fields: step 0, SCC 0, UCC 4, max CC 4, notes
 * J, blank, N, R (§11).  Entry 2 (job + STEP2) does not match an
 * EOJ. */
static void test_agent_eotinfo_built_from_scd_entry(void **state)
{
    static uint8_t want[36 + 8 + 36 + 162];
    static const uint8_t eoj_head[] = {
        0x00, 0x00, 0x00, 0x2C, AID, SYSA, 0x02, 0x01, 0x0A, 0x05, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08,
        0xD7, 0xC1, 0xE8, 0xD9, 0xD6, 0xD3, 0xD3, 0xF1};
    static const uint8_t eot_head[] = {
        0x00, 0x00, 0x00, 0xC6, AID, SYSA, 0x02, 0x01, 0x0A, 0x07, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xA2};
    static const uint8_t status[] = {
        0x00, 0x00, /* step number */ 0x00, 0x00, /* SCC */
        0x00, 0x04, /* UCC */ 0x00, 0x04, /* max CC */
        0xD1, 0x40, 0xD5, 0xD9, /* J, blank, N, R */ Z4};
    struct world *w = *state;
    struct xdi_job_end e = {"PAYROLL1", "", 0, 0, 4, 4, 'N'};

    memcpy(want, eoj_head, sizeof eoj_head);
    memcpy(want + 44, eot_head, sizeof eot_head);
    scd_entry(want + 80, 0x80, NULL);
    memcpy(want + 80 + 146, status, sizeof status);
    running(w);
    assert_int_equal(xdi_agent_job_end(w->a, &e), 2);
    expect_output(w->a, want, sizeof want);
}

/* EOS of PAYROLL1 step STEP2 (number 2, rc 8, abend S0C4): the EOS text
 * (object 06, job + step, 16 bytes; ET 05) and two EOTINFOs: entry 1
 * (job name only; the agent fills in the step it captured) and entry 2
 * (job + step), each with notes S, blank, A, R. */
static void test_agent_eos_eotinfos(void **state)
{
    static const uint8_t eos_text[] = {
        0x00, 0x00, 0x00, 0x34, AID, SYSA, 0x02, 0x01, 0x0A, 0x06, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10,
        0xD7, 0xC1, 0xE8, 0xD9, 0xD6, 0xD3, 0xD3, 0xF1,
        0xE2, 0xE3, 0xC5, 0xD7, 0xF2, 0x40, 0x40, 0x40};
    static const uint8_t status[] = {
        0x00, 0x02, 0x00, 0xC4, 0x00, 0x08, 0x00, 0x08,
        0xE2, 0x40, 0xC1, 0xD9, Z4};
    static uint8_t want[sizeof eos_text + 36 + 2 * 162];
    struct world *w = *state;
    struct xdi_job_end e = {"PAYROLL1", "STEP2", 2, 0xC4, 8, 8, 'A'};
    uint8_t *p = want + sizeof eos_text;

    memcpy(want, eos_text, sizeof eos_text);
    to_agent(p, 0x02010A07u, 0, 2, 162); /* the key sets 0201 */
    scd_entry(p + 36, 0x80, k_step2);
    memcpy(p + 36 + 146, status, sizeof status);
    scd_entry(p + 36 + 162, 0xA0, k_step2);
    memcpy(p + 36 + 162 + 146, status, sizeof status);
    running(w);
    assert_int_equal(xdi_agent_job_end(w->a, &e), 3);
    expect_output(w->a, want, sizeof want);
}

/* A job the SCD table does not hold: no EOTINFO; the EOJ text only when
 * the EMS has its key (here not). */
static void test_agent_job_not_in_scd_no_report(void **state)
{
    struct world *w = *state;
    struct xdi_job_end e = {"OTHER", "", 0, 0, 0, 0, 'N'};

    running(w);
    assert_int_equal(xdi_agent_job_end(w->a, &e), 0);
    expect_no_output(w->a);
}

/* ---- exec job / exec command --------------------------------------------------- */

static void feed_exec_job(struct world *w, const uint8_t name[8])
{
    uint8_t msg[44];

    to_agent(msg, 0x01020108u, 0, 1, 8);
    memcpy(msg + 36, name, 8);
    xdi_agent_feed(w->a, msg, sizeof msg);
}

/* A valid name becomes XDI_ACT_RUN_JOB with the name without padding. */
static void test_agent_exec_job_valid_name(void **state)
{
    static const uint8_t name[8] = {0x5B, 0x7B, 0x7C, 0xC1, 0xF9,
                                    0x40, 0x40, 0x40}; /* "$#@A9" */
    struct world *w = *state;

    running(w);
    feed_exec_job(w, name);
    assert_string_equal(expect_action(w->a, XDI_ACT_RUN_JOB).text, "$#@A9");
    expect_no_output(w->a);
}

/* Not [A-Z0-9$#@]{1,8}: agent error 02010B08, extended error 05, text
 * "invalid job name"; nothing runs. */
static void test_agent_exec_job_invalid_name_bytes(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x34, AID, SYSA, 0x02, 0x01, 0x0B, 0x08,
        0x05, 0x00, 0x00, 0x00, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10,
        0x89, 0x95, 0xA5, 0x81, 0x93, 0x89, 0x84, 0x40,
        0x91, 0x96, 0x82, 0x40, 0x95, 0x81, 0x94, 0x85};
    static const uint8_t bad[][8] = {
        {0x4B, 0x4B, 0x61, 0xC1, 0x40, 0x40, 0x40, 0x40}, /* "../A" */
        {0x81, 0x82, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40}, /* "ab" */
        {0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40}, /* blank */
        {0xC1, 0x40, 0xC2, 0x40, 0x40, 0x40, 0x40, 0x40}, /* "A B" */
        {0xC1, 0x00, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40}, /* "A\0" */
    };
    struct world *w = *state;

    running(w);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        feed_exec_job(w, bad[i]);
        expect_no_action(w->a);
        expect_output(w->a, want, sizeof want);
    }
}

/* The libuv layer found no such job: 02010B08, 05, with its reason. */
static void test_agent_job_missing_bytes(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x35, AID, SYSA, 0x02, 0x01, 0x0B, 0x08,
        0x05, 0x00, 0x00, 0x00, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11,
        0x95, 0x96, 0x40, 0x91, 0x96, 0x82, 0xA2, 0x40, 0x84,
        0x89, 0x99, 0x85, 0x83, 0xA3, 0x96, 0x99, 0xA8};
    struct world *w = *state;

    running(w);
    xdi_agent_job_missing(w->a, "NOSUCH", "no jobs directory");
    expect_output(w->a, want, sizeof want);
}

/* Boundaries of the job-name rule. */
static void test_agent_job_name_rule(void **state)
{
    (void)state;
    assert_true(xdi_job_name_valid("A", 1));
    assert_true(xdi_job_name_valid("ABCDEFGH", 8));
    assert_true(xdi_job_name_valid("$#@09", 5));
    assert_false(xdi_job_name_valid("", 0));
    assert_false(xdi_job_name_valid("ABCDEFGHI", 9));
    assert_false(xdi_job_name_valid("abc", 3));
    assert_false(xdi_job_name_valid("A.B", 3));
    assert_false(xdi_job_name_valid("A/B", 3));
    assert_false(xdi_job_name_valid("A-B", 3));
    assert_false(xdi_job_name_valid("A\0B", 3));
}

static void feed_exec_cmd(struct world *w, const uint8_t *text, size_t len)
{
    uint8_t msg[36 + 128];

    to_agent(msg, 0x01020104u, 0, 1, (uint32_t)len);
    memcpy(msg + 36, text, len);
    xdi_agent_feed(w->a, msg, 36 + len);
}

static const uint8_t kill_joko[] = {0xD2, 0xC9, 0xD3, 0xD3, 0x40,
                                    0xD1, 0xD6, 0xD2, 0xD6};

/* Without an allow-list nothing runs: the command is a command event
 * (KILL matches ET 02) - no agent error. */
static void test_agent_exec_cmd_without_allow_list_is_event(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x2D, AID, SYSA, 0x02, 0x01, 0x0A, 0x04, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,
        0xD2, 0xC9, 0xD3, 0xD3, 0x40, 0xD1, 0xD6, 0xD2, 0xD6};
    struct world *w = *state;

    running(w);
    feed_exec_cmd(w, kill_joko, sizeof kill_joko);
    expect_no_action(w->a);
    expect_output(w->a, want, sizeof want);
}

/* Allowed: XDI_ACT_RUN_COMMAND with the Latin-1 text, and the command
 * event. */
static void test_agent_exec_cmd_allowed_runs(void **state)
{
    struct world *w = *state;
    char err[128];

    assert_int_equal(xdi_agent_allow(w->a, "KILL [A-Z]+", err, sizeof err), 0);
    running(w);
    feed_exec_cmd(w, kill_joko, sizeof kill_joko);
    assert_string_equal(expect_action(w->a, XDI_ACT_RUN_COMMAND).text,
                        "KILL JOKO");
    assert_int_equal(xdi_agent_queued(w->a), 1);
}

/* §7: refused with 02010B04, extended error 04, text saying why;
 * the expression must match the whole command. */
static void test_agent_allow_list_refusal_bytes(void **state)
{
    static const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x49, AID, SYSA, 0x02, 0x01, 0x0B, 0x04,
        0x04, 0x00, 0x00, 0x00, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x25,
        0x83, 0x96, 0x94, 0x94, 0x81, 0x95, 0x84, 0x40, 0x84, 0x96, 0x85,
        0xA2, 0x40, 0x95, 0x96, 0xA3, 0x40, 0x94, 0x81, 0xA3, 0x83, 0x88,
        0x40, 0xA3, 0x88, 0x85, 0x40, 0x81, 0x93, 0x93, 0x96, 0xA6, 0x60,
        0x93, 0x89, 0xA2, 0xA3};
    static const uint8_t ls_l[] = {0x93, 0xA2, 0x40, 0x60, 0x93};
    struct world *w = *state;
    char err[128];

    assert_int_equal(xdi_agent_allow(w->a, "ls", err, sizeof err), 0);
    running(w);
    feed_exec_cmd(w, ls_l, sizeof ls_l); /* "ls -l": "ls" is not all of it */
    expect_no_action(w->a);
    expect_output(w->a, want, sizeof want);
}

/* A pattern that closes the anchoring group early cannot unanchor it. */
static void test_agent_allow_list_cannot_be_unanchored(void **state)
{
    static const uint8_t ls_l[] = {0x93, 0xA2, 0x40, 0x60, 0x93};
    struct world *w = *state;
    char err[128];

    if (xdi_agent_allow(w->a, "x)|(ls", err, sizeof err) != 0)
        return; /* refused at compile time: as good */
    running(w);
    feed_exec_cmd(w, ls_l, sizeof ls_l);
    expect_no_action(w->a);
    assert_int_equal(xdi_agent_queued(w->a), 1); /* the agent error */
}

/* A bad expression is reported, not taken. */
static void test_agent_allow_bad_regex(void **state)
{
    struct world *w = *state;
    char err[128] = "";

    assert_int_equal(xdi_agent_allow(w->a, "a[", err, sizeof err), -1);
    assert_true(strlen(err) > 0);
}

/* Control characters never reach an argv. */
static void test_agent_exec_cmd_control_chars_refused(void **state)
{
    static const uint8_t text[] = {0x93, 0xA2, 0x25, 0x93}; /* "ls\nl" */
    struct world *w = *state;
    char err[128];
    size_t len;
    uint8_t *out;

    assert_int_equal(xdi_agent_allow(w->a, ".*", err, sizeof err), 0);
    running(w);
    feed_exec_cmd(w, text, sizeof text);
    expect_no_action(w->a);
    out = xdi_agent_take_output(w->a, &len);
    assert_int_equal(out[18], 0x0B);
    assert_int_equal(out[19], 0x04);
    assert_int_equal(out[20], 0x04);
    free(out);
}

/* ---- shutdown ------------------------------------------------------------------------ */

/* The host's shutdown: logout (§8 bytes), close, exit 10. */
static void test_agent_host_shutdown_logout_bytes(void **state)
{
    static const uint8_t shutdown[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x04, 0x00,
        Z4, Z4, Z4, Z4};
    struct world *w = *state;

    running(w);
    xdi_agent_feed(w->a, shutdown, sizeof shutdown);
    expect_action(w->a, XDI_ACT_CLOSE);
    expect_output(w->a, logout_bytes, sizeof logout_bytes);
    expect_no_output(w->a);
    xdi_agent_disconnected(w->a, "closed");
    assert_int_equal(expect_action(w->a, XDI_ACT_STOP).exit_code,
                     XDI_EXIT_HOST_SHUTDOWN);
}

/* A local shutdown (signal): queued events first, then the logout; exit
 * 0. */
static void test_agent_local_shutdown_flushes_then_logout(void **state)
{
    struct world *w = *state;
    size_t len;
    uint8_t *out;

    running(w);
    xdi_agent_event(w->a, XDI_EVENT_MSG, "IEF450I", 7);
    xdi_agent_shutdown(w->a, "SIGTERM");
    expect_action(w->a, XDI_ACT_CLOSE);
    out = xdi_agent_take_output(w->a, &len);
    assert_int_equal(len, 43 + 36);
    assert_memory_equal(out + 43, logout_bytes, sizeof logout_bytes);
    free(out);
    xdi_agent_disconnected(w->a, "closed");
    assert_int_equal(expect_action(w->a, XDI_ACT_STOP).exit_code,
                     XDI_EXIT_OK);
}

/* A local shutdown without a session (waiting to reconnect): stop now. */
static void test_agent_local_shutdown_without_session(void **state)
{
    struct world *w = *state;

    xdi_agent_start(w->a);
    expect_action(w->a, XDI_ACT_CONNECT);
    xdi_agent_connect_failed(w->a, "refused");
    expect_action(w->a, XDI_ACT_TIMER);
    xdi_agent_shutdown(w->a, "SIGINT");
    assert_int_equal(expect_action(w->a, XDI_ACT_STOP).exit_code, 0);
    expect_no_output(w->a);
}

/* ---- hostile input ---------------------------------------------------------------- */

/* An unknown request code, a to-server direction and another agent's ID
 * are skipped; the NACCB after them still works. */
static void test_agent_unknown_and_foreign_naccbs_survived(void **state)
{
    static const uint8_t unknown[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x0F, 0x00,
        Z4, Z4, Z4, Z4};
    static const uint8_t backwards[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x02, 0x01, 0x04, 0x00,
        Z4, Z4, Z4, Z4};
    static const uint8_t other_id[] = {
        0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x01, SYSA, 0x01, 0x02,
        0x04, 0x00, Z4, Z4, Z4, Z4};
    static const uint8_t bad_size[] = { /* exec job with a 7-byte object */
        0x00, 0x00, 0x00, 0x2B, AID, SYSA, 0x01, 0x02, 0x01, 0x08, Z4, Z4,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07,
        0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1, 0xC1};
    static const uint8_t shutdown[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x04, 0x00,
        Z4, Z4, Z4, Z4};
    struct world *w = *state;

    running(w);
    xdi_agent_feed(w->a, unknown, sizeof unknown);
    xdi_agent_feed(w->a, backwards, sizeof backwards);
    xdi_agent_feed(w->a, other_id, sizeof other_id);
    xdi_agent_feed(w->a, bad_size, sizeof bad_size);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    expect_no_action(w->a);
    expect_no_output(w->a);
    xdi_agent_feed(w->a, shutdown, sizeof shutdown);
    expect_action(w->a, XDI_ACT_CLOSE);
}

/* Lost framing (total length 16 < 36): close; the disconnect retries. */
static void test_agent_lost_framing_closes_and_retries(void **state)
{
    static const uint8_t short_len[] = {0x00, 0x00, 0x00, 0x10, AID, SYSA};
    struct world *w = *state;

    running(w);
    xdi_agent_feed(w->a, short_len, sizeof short_len);
    expect_action(w->a, XDI_ACT_CLOSE);
    xdi_agent_feed(w->a, accept_bytes, sizeof accept_bytes); /* ignored */
    expect_no_action(w->a);
    xdi_agent_disconnected(w->a, "closed");
    assert_int_equal(expect_action(w->a, XDI_ACT_TIMER).delay_ms, 500);
}

/* An accept or reject outside the login is ignored. */
static void test_agent_stray_accept_ignored(void **state)
{
    static const uint8_t accept2[] = {
        0x00, 0x00, 0x00, 0x24, AID, SYSA, 0x01, 0x02, 0x07, 0x00,
        Z4, Z4, Z4, Z4};
    struct world *w = *state;

    running(w);
    xdi_agent_feed(w->a, accept2, sizeof accept2);
    assert_int_equal(xdi_agent_state(w->a), XDI_AGENT_RUNNING);
    expect_no_output(w->a);
}

/* ---- config and holidays ---------------------------------------------------------- */

static void test_agent_config_checked(void **state)
{
    struct xdi_agent_config cfg;

    (void)state;
    default_config(&cfg);
    assert_null(xdi_agent_config_check(&cfg));
    cfg.system_name[0] = '\0';
    assert_non_null(xdi_agent_config_check(&cfg));
    assert_null(xdi_agent_new(&cfg, NULL));
    default_config(&cfg);
    cfg.max_batch = 0;
    assert_non_null(xdi_agent_config_check(&cfg));
}

static void test_agent_holidays_parse(void **state)
{
    static const char text[] = "# holidays\n2026-12-25\n\n  2027-01-01 \r\n";
    struct naccb_date *d;
    size_t n;
    int line = -1;

    (void)state;
    assert_int_equal(xdi_holidays_parse(text, sizeof text - 1, &d, &n, &line),
                     0);
    assert_int_equal(n, 2);
    assert_int_equal(d[0].year, 2026);
    assert_int_equal(d[0].month, 12);
    assert_int_equal(d[0].day, 25);
    assert_int_equal(d[1].year, 2027);
    free(d);
    assert_int_equal(xdi_holidays_parse("2026-02-29\n", 11, &d, &n, &line),
                     -1);
    assert_int_equal(line, 1);
    assert_int_equal(
        xdi_holidays_parse("2024-02-29\n2026-13-01\n", 22, &d, &n, &line), -1);
    assert_int_equal(line, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_agent_login_bytes_exact),
        T(test_agent_login_with_password_bytes),
        T(test_agent_accept_id_in_acquires),
        T(test_agent_accept_id_in_every_later_naccb),
        T(test_agent_reject_retries_then_exit_12),
        T(test_agent_connect_failures_then_exit_13),
        T(test_agent_backoff_capped),
        T(test_agent_lost_session_reconnects_and_accept_resets),
        T(test_agent_tables_one_byte_at_a_time),
        T(test_agent_tables_coalesced_with_next_naccb),
        T(test_agent_no_ems_runs_without_it),
        T(test_agent_no_scd_runs_without_it),
        T(test_agent_both_missing_logout_then_exit_11),
        T(test_agent_tables_removed_while_running_exit_11),
        T(test_agent_errors_survived),
        T(test_agent_invalid_evblok_dropped),
        T(test_agent_replace_table),
        T(test_agent_unmatched_event_not_sent),
        T(test_agent_events_ignored_before_tables),
        T(test_agent_matched_in_frame_sent),
        T(test_agent_matched_out_of_frame_not_sent),
        T(test_agent_holiday_uses_byte_7),
        T(test_agent_batches_same_length_texts),
        T(test_agent_batch_needs_same_key),
        T(test_agent_batch_respects_max_batch),
        T(test_agent_queue_limit),
        T(test_agent_long_text_cut_to_128),
        T(test_agent_queue_survives_reconnect),
        T(test_agent_eotinfo_built_from_scd_entry),
        T(test_agent_eos_eotinfos),
        T(test_agent_job_not_in_scd_no_report),
        T(test_agent_exec_job_valid_name),
        T(test_agent_exec_job_invalid_name_bytes),
        T(test_agent_job_missing_bytes),
        T(test_agent_job_name_rule),
        T(test_agent_exec_cmd_without_allow_list_is_event),
        T(test_agent_exec_cmd_allowed_runs),
        T(test_agent_allow_list_refusal_bytes),
        T(test_agent_allow_list_cannot_be_unanchored),
        T(test_agent_allow_bad_regex),
        T(test_agent_exec_cmd_control_chars_refused),
        T(test_agent_host_shutdown_logout_bytes),
        T(test_agent_local_shutdown_flushes_then_logout),
        T(test_agent_local_shutdown_without_session),
        T(test_agent_unknown_and_foreign_naccbs_survived),
        T(test_agent_lost_framing_closes_and_retries),
        T(test_agent_stray_accept_ignored),
        T(test_agent_config_checked),
        T(test_agent_holidays_parse),
#undef T
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
