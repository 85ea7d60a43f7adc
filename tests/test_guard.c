/*
 * test_guard.c - what keeps one peer from guessing logins or crowding out
 * the others (server/core/guard.c, docs/security.md "Logins"): the
 * failure budget per connection and per address, the reject held back
 * and the input that waits behind it, answering every failure alike, the
 * connections per address, the takeover policy, and the rate limit of
 * violation records.
 *
 * The core is driven with byte arrays through tests/support/core_harness;
 * time moves by assigning the fake clock, and the DELAY timer "fires"
 * when the test calls xdi_conn_timeout(), as the network layer would: no
 * sleeps.  Hex is written from docs/protocol.md §3 and §7 (IBM-037).
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core_harness.h"
#include "server.h"

#define SYSZ "E2E8E2E940404040"
/* SYSB's password, SECRET, and a wrong one, WRONG (8 bytes, blank padded). */
#define PW_SECRET "E2C5C3D9C5E34040"
#define PW_WRONG "E6D9D6D5C7404040"
#define LOGIN_PW(sys, pw)                                                      \
    "0000002C 00000000 " sys " 02010500 " EXT0 " 00000000 00000001 00000008 " \
    pw
#define REJECT(sys, err)                                                       \
    "00000024 00000000 " sys " 01020800 " err "000000 " NOOBJ

/* 2026-11-23 10:00:00 UTC. */
#define T0 1795428000
static time_t fake_now = T0;

static const char *const yaml =
    "settings:\n"
    "  codepage: \"037\"\n"
    "hosts:\n"
    "  - system: SYSA\n"
    "    ems: {events: [{key: HELLO, type: message}]}\n"
    "  - system: SYSB\n"
    "    password: SECRET\n"
    "    ems: {events: [{key: HELLO, type: message}]}\n";

#define NCONN 6

struct env {
    struct xdi_config cfg;
    char dir[64];
    struct xdi_server *srv;
    struct th_journal journal;
    struct th_io io[NCONN];
    struct xdi_conn *conn[NCONN];
};

static void boot(struct env *e)
{
    char path[96];
    struct xdi_fixture_set *set = NULL;
    FILE *f;

    snprintf(path, sizeof(path), "%s/hosts.yaml", e->dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(yaml, f) >= 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(xdi_fixture_load(e->dir, &set, NULL, NULL), 0);
    th_journal_init(&e->journal);
    e->srv = th_server_new(&e->cfg, set, &e->journal, &fake_now);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    xdi_config_defaults(&e->cfg);
    snprintf(e->dir, sizeof(e->dir), "/tmp/test_guard_XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    fake_now = T0;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    char path[96];

    th_server_stop(&e->srv, e->conn, e->io, NCONN);
    th_journal_free(&e->journal);
    snprintf(path, sizeof(path), "%s/hosts.yaml", e->dir);
    unlink(path);
    rmdir(e->dir);
    free(e);
    return 0;
}

static void open_from(struct env *e, size_t i, const char *ip)
{
    e->conn[i] = th_open_from(e->srv, &e->io[i], ip);
}

static void feed(struct env *e, size_t i, const char *hex)
{
    th_feed(e->conn[i], hex, 0);
}

static void expect(struct env *e, size_t i, const char *hex)
{
    th_expect(&e->io[i], hex);
}

/* The network layer's DELAY timer ran out. */
static void fire_delay(struct env *e, size_t i)
{
    assert_true(xdi_conn_timers(e->conn[i]) & XDI_TIMER_DELAY);
    xdi_conn_timeout(e->conn[i], XDI_TIMER_DELAY);
}

static void closed(struct env *e, size_t i)
{
    xdi_conn_closed(e->conn[i], XDI_CLOSE_REQUESTED, NULL);
    e->conn[i] = NULL;
}

/* The nth "reject" record's integer field. */
static json_int_t reject_int(struct env *e, size_t nth, const char *field)
{
    json_t *r = th_jrec(&e->journal, "reject", nth);
    json_int_t v;

    assert_non_null(r);
    v = th_jint(r, field);
    json_decref(r);
    return v;
}

static struct sockaddr_in ipv4(const char *ip)
{
    struct sockaddr_in in;

    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons(40001);
    assert_int_equal(inet_pton(AF_INET, ip, &in.sin_addr), 1);
    return in;
}

/* ---- the budget per connection -------------------------------------------- */

/* 0 for the first failure, then 100, 200, capped at 250; the 4th failure
 * closes the connection after its reject, with "login_budget". */
static void test_guard_delay_grows_then_closes(void **state)
{
    struct env *e = *state;

    e->cfg.login_failures = 4;
    e->cfg.login_delay_ms = 100;
    e->cfg.login_delay_max_ms = 250;
    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSZ));
    expect(e, 0, REJECT(SYSZ, "09"));
    assert_false(xdi_conn_timers(e->conn[0]) & XDI_TIMER_DELAY);
    assert_int_equal(reject_int(e, 0, "delay_ms"), 0);
    assert_int_equal(reject_int(e, 0, "failures"), 1);

    feed(e, 0, LOGIN(SYSZ));
    th_expect_nothing(&e->io[0]); /* held back */
    assert_int_equal(xdi_conn_delay_ms(e->conn[0]), 100);
    assert_int_equal(th_jcount(&e->journal, "reject"), 1);
    fire_delay(e, 0);
    expect(e, 0, REJECT(SYSZ, "09"));
    assert_int_equal(reject_int(e, 1, "delay_ms"), 100);
    assert_int_equal(reject_int(e, 1, "failures"), 2);

    feed(e, 0, LOGIN(SYSZ));
    assert_int_equal(xdi_conn_delay_ms(e->conn[0]), 200);
    fire_delay(e, 0);
    expect(e, 0, REJECT(SYSZ, "09"));

    /* The fourth with more behind it: what waits is never handled. */
    feed(e, 0, LOGIN(SYSZ) LOGIN(SYSA));
    assert_int_equal(xdi_conn_held_input(e->conn[0]), 36);
    assert_int_equal(xdi_conn_delay_ms(e->conn[0]), 250); /* the cap */
    assert_int_equal(e->io[0].closes, 0);
    fire_delay(e, 0);
    expect(e, 0, REJECT(SYSZ, "09"));
    assert_int_equal(e->io[0].closes, 1);
    json_t *b = th_jrec(&e->journal, "login_budget", 0);
    assert_non_null(b);
    assert_string_equal(th_jstr(b, "scope"), "connection");
    assert_int_equal(th_jint(b, "failures"), 4);
    assert_int_equal(th_jint(b, "limit"), 4);
    json_decref(b);
    /* Closing: nothing more is taken, no timer is wanted. */
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
    assert_int_equal(xdi_conn_held_input(e->conn[0]), 0);
    assert_int_equal(th_jcount(&e->journal, "login"), 4);
    assert_int_equal(th_jcount(&e->journal, "accept"), 0);
}

/* Logins sent back to back wait behind the held reject: the peer cannot
 * pipeline its guesses past the delay, and the right password that comes
 * third is answered only after the second reject's hold. */
static void test_guard_pipelined_logins_wait_for_the_delay(void **state)
{
    struct env *e = *state;

    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN_PW(SYSB, PW_WRONG) LOGIN_PW(SYSB, PW_WRONG)
                   LOGIN_PW(SYSB, PW_SECRET));
    expect(e, 0, REJECT(SYSB, "05"));
    assert_int_equal(xdi_conn_delay_ms(e->conn[0]), 100);
    assert_int_equal(xdi_conn_held_input(e->conn[0]), 44);
    assert_int_equal(th_jcount(&e->journal, "login"), 2);
    /* More input while held is kept too, in order. */
    feed(e, 0, ACQ_EMS("00000001", SYSB));
    assert_int_equal(xdi_conn_held_input(e->conn[0]), 80);
    assert_int_equal(th_jcount(&e->journal, "login"), 2);
    fire_delay(e, 0);
    assert_int_equal(xdi_conn_held_input(e->conn[0]), 0);
    assert_int_equal(th_jcount(&e->journal, "accept"), 1);
    assert_int_equal(th_jcount(&e->journal, "acquire"), 1);
    assert_false(xdi_conn_timers(e->conn[0]) & XDI_TIMER_DELAY);
}

/* The peer goes while its reject is held: the record says it was never
 * sent. */
static void test_guard_held_reject_dropped_on_close(void **state)
{
    struct env *e = *state;

    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSZ) LOGIN(SYSZ));
    expect(e, 0, REJECT(SYSZ, "09"));
    xdi_conn_eof(e->conn[0]);
    th_expect_nothing(&e->io[0]);
    json_t *r = th_jrec(&e->journal, "reject", 1);
    assert_non_null(r);
    assert_string_equal(th_jstr(r, "outcome"), "dropped");
    json_decref(r);
    assert_int_equal(xdi_conn_timers(e->conn[0]), 0);
}

/* Not the peer's failure: a server marked down rejects (06) at once and
 * counts nothing. */
static void test_guard_xdi_down_costs_no_budget(void **state)
{
    struct env *e = *state;

    e->cfg.xdi_down = true;
    e->cfg.login_failures = 2;
    boot(e);
    open_from(e, 0, TH_PEER);
    for (int i = 0; i < 5; i++) {
        feed(e, 0, LOGIN(SYSA));
        expect(e, 0, REJECT(SYSA, "06"));
    }
    assert_int_equal(e->io[0].closes, 0);
    struct sockaddr_in peer = ipv4(TH_PEER);
    assert_int_equal(
        xdi_server_address_failures(e->srv, (struct sockaddr *)&peer), 0);
}

/* ---- the budget per address ------------------------------------------------- */

/* Reconnecting resets nothing: the delay counts the address's failures,
 * and once its budget is used up even the right password is refused, from
 * that address only, until a window passes without a failure. */
static void test_guard_address_budget_survives_reconnects(void **state)
{
    struct env *e = *state;
    struct sockaddr_in peer = ipv4(TH_PEER);

    e->cfg.login_failures_per_address = 3;
    e->cfg.login_failure_window_ms = 60000;
    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN_PW(SYSB, PW_WRONG));
    expect(e, 0, REJECT(SYSB, "05"));
    closed(e, 0);

    /* A new connection's first failure is the address's second. */
    open_from(e, 1, TH_PEER);
    feed(e, 1, LOGIN_PW(SYSB, PW_WRONG));
    th_expect_nothing(&e->io[1]);
    assert_int_equal(xdi_conn_delay_ms(e->conn[1]), 100);
    fire_delay(e, 1);
    expect(e, 1, REJECT(SYSB, "05"));
    assert_int_equal(reject_int(e, 1, "failures"), 1);
    assert_int_equal(reject_int(e, 1, "address_failures"), 2);

    /* The third uses the budget up: closed after the reject. */
    fake_now += 30;
    feed(e, 1, LOGIN_PW(SYSB, PW_WRONG));
    fire_delay(e, 1);
    expect(e, 1, REJECT(SYSB, "05"));
    assert_int_equal(e->io[1].closes, 1);
    json_t *b = th_jrec(&e->journal, "login_budget", 0);
    assert_non_null(b);
    assert_string_equal(th_jstr(b, "scope"), "address");
    assert_int_equal(th_jint(b, "failures"), 3);
    json_decref(b);
    closed(e, 1);
    assert_int_equal(
        xdi_server_address_failures(e->srv, (struct sockaddr *)&peer), 3);

    /* The right password from there is refused (06, address_budget)... */
    open_from(e, 2, TH_PEER);
    feed(e, 2, LOGIN_PW(SYSB, PW_SECRET));
    fire_delay(e, 2);
    expect(e, 2, REJECT(SYSB, "06"));
    json_t *r = th_jrec(&e->journal, "reject", 3);
    assert_string_equal(th_jstr(r, "check"), "address_budget");
    json_decref(r);
    assert_int_equal(e->io[2].closes, 1);
    closed(e, 2);

    /* ... but not from another address. */
    open_from(e, 3, "192.0.2.99");
    feed(e, 3, LOGIN_PW(SYSB, PW_SECRET));
    expect(e, 3, ACCEPT("00000001", SYSB));

    /* A window after the last failure the address starts afresh. */
    fake_now += 61;
    assert_int_equal(
        xdi_server_address_failures(e->srv, (struct sockaddr *)&peer), 0);
    open_from(e, 4, TH_PEER);
    feed(e, 4, LOGIN(SYSA));
    expect(e, 4, ACCEPT("00000002", SYSA));
}

/* The control plane's reset is a clean slate: the address's failures are
 * forgotten. */
static void test_guard_reset_forgets_address_failures(void **state)
{
    struct env *e = *state;
    struct sockaddr_in peer = ipv4(TH_PEER);

    e->cfg.login_delay_ms = 0;
    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSZ) LOGIN(SYSZ));
    assert_int_equal(
        xdi_server_address_failures(e->srv, (struct sockaddr *)&peer), 2);
    assert_int_equal(xdi_server_reset(e->srv), 1);
    assert_int_equal(
        xdi_server_address_failures(e->srv, (struct sockaddr *)&peer), 0);
    closed(e, 0);
    open_from(e, 1, TH_PEER);
    feed(e, 1, LOGIN(SYSZ));
    expect(e, 1, REJECT(SYSZ, "09"));
    assert_int_equal(reject_int(e, 2, "address_failures"), 1);
}

/* IPv6 peers are counted by their /64: another address of the same
 * prefix shares the budget, one of another prefix does not. */
static void test_guard_ipv6_counted_by_prefix(void **state)
{
    struct env *e = *state;

    e->cfg.login_delay_ms = 0;
    boot(e);
    open_from(e, 0, "2001:db8:1:2::7");
    feed(e, 0, LOGIN(SYSZ));
    expect(e, 0, REJECT(SYSZ, "09"));
    open_from(e, 1, "2001:db8:1:2:ffff::1");
    feed(e, 1, LOGIN(SYSZ));
    expect(e, 1, REJECT(SYSZ, "09"));
    assert_int_equal(reject_int(e, 1, "address_failures"), 2);
    open_from(e, 2, "2001:db8:1:3::7");
    feed(e, 2, LOGIN(SYSZ));
    expect(e, 2, REJECT(SYSZ, "09"));
    assert_int_equal(reject_int(e, 2, "address_failures"), 1);
}

/* ---- failures alike ----------------------------------------------------------- */

/* Faithful by default: an unknown host is 09, a wrong password 05.  With
 * login_failures_alike both are 05; the record keeps the true check and
 * the faithful code. */
static void test_guard_failures_alike(void **state)
{
    struct env *e = *state;

    e->cfg.login_delay_ms = 0;
    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSZ));
    expect(e, 0, REJECT(SYSZ, "09"));
    th_server_stop(&e->srv, e->conn, e->io, NCONN);
    th_journal_free(&e->journal);

    e->cfg.login_failures_alike = true;
    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSZ));
    expect(e, 0, REJECT(SYSZ, "05"));
    feed(e, 0, LOGIN_PW(SYSB, PW_WRONG));
    expect(e, 0, REJECT(SYSB, "05"));
    feed(e, 0, LOGIN(SYSB)); /* password missing */
    expect(e, 0, REJECT(SYSB, "05"));
    json_t *r = th_jrec(&e->journal, "reject", 0);
    assert_string_equal(th_jstr(r, "check"), "system_name");
    assert_int_equal(th_jint(r, "error"), 5);
    assert_int_equal(th_jint(r, "faithful_error"), 9);
    json_decref(r);
    r = th_jrec(&e->journal, "reject", 1);
    assert_string_equal(th_jstr(r, "check"), "password_wrong");
    assert_null(json_object_get(r, "faithful_error"));
    json_decref(r);
}

/* ---- connections per address ---------------------------------------------------- */

static void test_guard_connections_per_address(void **state)
{
    struct env *e = *state;
    struct sockaddr_in a = ipv4(TH_PEER), b = ipv4("192.0.2.8");

    e->cfg.max_connections_per_address = 2;
    boot(e);
    assert_int_equal(xdi_server_admit(e->srv, (struct sockaddr *)&a), 0);
    open_from(e, 0, TH_PEER);
    open_from(e, 1, TH_PEER);
    assert_int_equal(xdi_server_admit(e->srv, (struct sockaddr *)&a), -1);
    assert_int_equal(xdi_server_admit(e->srv, (struct sockaddr *)&b), 0);
    closed(e, 0);
    assert_int_equal(xdi_server_admit(e->srv, (struct sockaddr *)&a), 0);

    e->cfg.max_connections_per_address = 0; /* no bound */
    th_server_stop(&e->srv, e->conn, e->io, NCONN);
    th_journal_free(&e->journal);
    boot(e);
    for (size_t i = 0; i < NCONN; i++)
        open_from(e, i, TH_PEER);
    assert_int_equal(xdi_server_admit(e->srv, (struct sockaddr *)&a), 0);
}

/* ---- takeover ------------------------------------------------------------------- */

static void test_guard_takeover_any_is_the_default(void **state)
{
    struct env *e = *state;

    boot(e);
    assert_int_equal(e->cfg.takeover, XDI_TAKEOVER_ANY);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSA));
    expect(e, 0, ACCEPT("00000001", SYSA));
    open_from(e, 1, "198.51.100.9");
    feed(e, 1, LOGIN(SYSA));
    expect(e, 1, ACCEPT("00000002", SYSA));
    assert_int_equal(e->io[0].closes, 1);
}

static void test_guard_takeover_same_address(void **state)
{
    struct env *e = *state;

    e->cfg.takeover = XDI_TAKEOVER_SAME_ADDRESS;
    boot(e);
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN(SYSA));
    expect(e, 0, ACCEPT("00000001", SYSA));
    /* From elsewhere: refused (06), the session stays. */
    open_from(e, 1, "198.51.100.9");
    feed(e, 1, LOGIN(SYSA));
    expect(e, 1, REJECT(SYSA, "06"));
    json_t *r = th_jrec(&e->journal, "reject", 0);
    assert_string_equal(th_jstr(r, "check"), "takeover_refused");
    json_decref(r);
    assert_int_equal(e->io[0].closes, 0);
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    /* From the session's own address (another port would do too). */
    open_from(e, 2, TH_PEER);
    feed(e, 2, LOGIN(SYSA));
    expect(e, 2, ACCEPT("00000002", SYSA));
    assert_int_equal(e->io[0].closes, 1);
}

static void test_guard_takeover_password(void **state)
{
    struct env *e = *state;

    e->cfg.takeover = XDI_TAKEOVER_PASSWORD;
    e->cfg.login_delay_ms = 0;
    boot(e);
    /* SYSB has a password: carrying it takes over from anywhere. */
    open_from(e, 0, TH_PEER);
    feed(e, 0, LOGIN_PW(SYSB, PW_SECRET));
    expect(e, 0, ACCEPT("00000001", SYSB));
    open_from(e, 1, "198.51.100.9");
    feed(e, 1, LOGIN_PW(SYSB, PW_SECRET));
    expect(e, 1, ACCEPT("00000002", SYSB));
    assert_int_equal(e->io[0].closes, 1);
    /* SYSA has none: only its session's address may take it over. */
    open_from(e, 2, TH_PEER);
    feed(e, 2, LOGIN(SYSA));
    expect(e, 2, ACCEPT("00000003", SYSA));
    open_from(e, 3, "198.51.100.9");
    feed(e, 3, LOGIN(SYSA));
    expect(e, 3, REJECT(SYSA, "06"));
    open_from(e, 4, TH_PEER);
    feed(e, 4, LOGIN(SYSA));
    expect(e, 4, ACCEPT("00000004", SYSA));
}

static void test_guard_takeover_names(void **state)
{
    enum xdi_takeover t = XDI_TAKEOVER_ANY;

    (void)state;
    assert_int_equal(xdi_takeover_parse("same-address", &t), 0);
    assert_int_equal(t, XDI_TAKEOVER_SAME_ADDRESS);
    assert_int_equal(xdi_takeover_parse("password", &t), 0);
    assert_int_equal(t, XDI_TAKEOVER_PASSWORD);
    assert_int_equal(xdi_takeover_parse("any", &t), 0);
    assert_int_equal(t, XDI_TAKEOVER_ANY);
    assert_int_equal(xdi_takeover_parse("Any", &t), -1);
    assert_string_equal(xdi_takeover_name(XDI_TAKEOVER_SAME_ADDRESS),
                        "same-address");
}

/* ---- violation records ------------------------------------------------------------ */

/* A burst of 2, then 1 a second: every error NACCB is still sent, the
 * records beyond the rate are counted, and the next one journalled says
 * how many; the disconnect gives the total. */
static void test_guard_violation_records_rate_limited(void **state)
{
    struct env *e = *state;

    e->cfg.violation_rate = 1;
    e->cfg.violation_burst = 2;
    boot(e);
    open_from(e, 0, TH_PEER);
    for (int i = 0; i < 5; i++) {
        feed(e, 0, ACQ_EMS("00000000", SYSA)); /* before a session: error 01 */
        expect(e, 0, ERR("00000000", SYSA, "01", "01"));
    }
    assert_int_equal(th_jcount(&e->journal, "violation"), 2);
    fake_now += 1;
    feed(e, 0, ACQ_EMS("00000000", SYSA));
    expect(e, 0, ERR("00000000", SYSA, "01", "01"));
    assert_int_equal(th_jcount(&e->journal, "violation"), 3);
    json_t *v = th_jrec(&e->journal, "violation", 2);
    assert_int_equal(th_jint(v, "suppressed"), 3);
    json_decref(v);
    v = th_jrec(&e->journal, "violation", 0);
    assert_null(json_object_get(v, "suppressed"));
    json_decref(v);
    feed(e, 0, ACQ_EMS("00000000", SYSA)); /* no token left this second */
    closed(e, 0);
    json_t *d = th_jrec(&e->journal, "disconnect", 0);
    assert_int_equal(th_jint(d, "violations_suppressed"), 4);
    json_decref(d);
}

/* Rate 0: every record is kept. */
static void test_guard_violation_rate_off(void **state)
{
    struct env *e = *state;

    e->cfg.violation_rate = 0;
    e->cfg.violation_burst = 1;
    boot(e);
    open_from(e, 0, TH_PEER);
    for (int i = 0; i < 50; i++)
        feed(e, 0, ACQ_EMS("00000000", SYSA));
    assert_int_equal(th_jcount(&e->journal, "violation"), 50);
}

static void test_guard_defaults(void **state)
{
    struct xdi_config cfg;

    (void)state;
    xdi_config_defaults(&cfg);
    assert_int_equal(cfg.login_failures, 10);
    assert_int_equal(cfg.login_failures_per_address, 100);
    assert_int_equal(cfg.login_failure_window_ms, 600000);
    assert_int_equal(cfg.login_delay_ms, 100);
    assert_int_equal(cfg.login_delay_max_ms, 5000);
    assert_false(cfg.login_failures_alike);
    assert_int_equal(cfg.max_connections_per_address, 2000);
    assert_int_equal(cfg.takeover, XDI_TAKEOVER_ANY);
    assert_int_equal(cfg.violation_rate, 100);
    assert_int_equal(cfg.violation_burst, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_guard_delay_grows_then_closes),
        T(test_guard_pipelined_logins_wait_for_the_delay),
        T(test_guard_held_reject_dropped_on_close),
        T(test_guard_xdi_down_costs_no_budget),
        T(test_guard_address_budget_survives_reconnects),
        T(test_guard_reset_forgets_address_failures),
        T(test_guard_ipv6_counted_by_prefix),
        T(test_guard_failures_alike),
        T(test_guard_connections_per_address),
        T(test_guard_takeover_any_is_the_default),
        T(test_guard_takeover_same_address),
        T(test_guard_takeover_password),
        T(test_guard_violation_records_rate_limited),
        T(test_guard_violation_rate_off),
        cmocka_unit_test(test_guard_takeover_names),
        cmocka_unit_test(test_guard_defaults),
#undef T
    };

    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
