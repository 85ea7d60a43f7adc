/*
 * test_automation.c - what the fake host does on its own (server/core
 * automation.c and reload.c): EMS actions (exec command 01020104), SCD
 * triggers (exec job 01020108), triggers held for hosts that are not
 * logged in, and hot reload (replace EMS / SCD 01020301 / 01020302).
 *
 * Driven like tests/test_server.c, with the same scaffolding
 * (tests/support/core_harness.c): a fake output that keeps what each
 * connection is sent and every journal record in memory, and a fake clock
 * (settable per test).  The fixture sets are small YAML
 * files written into a temporary directory and loaded with the real
 * loader, because reload is about exactly that path (a set loaded from a
 * directory, then another one).
 *
 * Every NACCB expected is hex written by hand from docs/protocol.md
 * §3, §7, §8 and §9 (EBCDIC IBM-037: SYSA = E2E8E2C1, blank = 40; "CANCEL
 * U=JOKO" = C3C1D5C3C5D3 40 E4 7E D1D6D2D6).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core_harness.h"
#include "server.h"

/* Monday 2026-11-23 10:00:00 UTC (TZ is UTC, set in main()). */
#define MONDAY_1000 1795428000
#define MONDAY_0829_59 1795422599
#define MONDAY_0830 1795422600
#define MONDAY_1700 1795453200
#define MONDAY_1700_01 1795453201

/* ---- hex literals ------------------------------------------------------- */

/* SYSA..SYSC, B8, Z8, Z24, Z40, EXT0, NOOBJ, LOGIN, ACCEPT, ACQ_EMS,
 * ACQ_SCD, SHUTDOWN and ERR come from tests/support/core_harness.h. */
#define Z32 Z8 Z8 Z8 Z8
/* no-EMS / no-SCD: 01020B01 / 01020B02 with extended byte 0 = 08. */
#define NO_EMS(id, sys) "00000024 " id " " sys " 01020B01 08000000 " NOOBJ
#define NO_SCD(id, sys) "00000024 " id " " sys " 01020B02 08000000 " NOOBJ

/* Exec job (§7): one 8-byte object, the job name blank padded;
 * total length 36 + 8 = 0x2C. */
#define EXEC_JOB(id, sys, job)                                                 \
    "0000002C " id " " sys " 01020108 " EXT0 " 00000000 00000001 00000008 " job
#define PAYROLL1 "D7C1E8D9D6D3D3F1"
#define PAYROLL2 "D7C1E8D9D6D3D3F2"
#define NOTIFY "D5D6E3C9C6E84040"
#define STEPJOB "E2E3C5D7D1D6C240"
#define RUN "D9E4D54040404040"
#define STEP2 "E2E3C5D7F2404040"
#define STEP3 "E2E3C5D7F3404040"

/* "KILL JOKO" (9 bytes) and the exec command it fires, "CANCEL U=JOKO"
 * (13 bytes: total length 36 + 13 = 0x31). */
#define TXT_KILL_JOKO "D2C9D3D340D1D6D2D6"
#define EXEC_CANCEL_JOKO(id, sys)                                              \
    "00000031 " id " " sys " 01020104 " EXT0 " 00000000 00000001 0000000D"   \
    " C3C1D5C3C5D3 40 E4 7E D1D6D2D6"

/*
 * An EOTINFO report (§9) against an entry with flag2 80 (job name
 * only): work areas and flag1 zero, reserved zero, job-id blank, the
 * system, job and step names, proc-step blank, then step number, SCC,
 * UCC, max CC (4 hex digits each), notes (4 EBCDIC letters), reserved.
 */
#define EOT(sys, job, step, stepno, scc, ucc, maxcc, notes)                    \
    Z40 Z40 "00 80" Z24 B8 sys job step B8 stepno scc ucc maxcc notes          \
    "00000000"
/* End of job: step number 0, notes J blank N/A/C R. */
#define EOJ(job, maxcc, notes) EOT(SYSA, job, B8, "0000", "0000", "0000", maxcc, notes)
#define NOTES_JN "D140D5D9"
#define NOTES_JA "D140C1D9"
#define NOTES_JC "D140C3D9"
#define NOTES_SN "E240D5D9"
#define INFO_EOT(id, sys)                                                      \
    "000000C6 " id " " sys " 02010A07 " EXT0 " 00000000 00000001 000000A2 "

/* ---- the fixture sets ----------------------------------------------------- */

#define X10 "XXXXXXXXXX"

/*
 * SYSA events (EMS table index = list index, all "always" unless said):
 *  0 KILL     CMD VL 4 -> CANCEL U=&arg (reporting host)
 *  1 IEF450I  MSG      -> D A,L to SYSB
 *  2 BIG      CMD VL 3 -> 120 X's + &arg: an 8-byte argument makes 128
 *  3 ARG      CMD VL 3 -> &arg (empty without an argument)
 *  4 OFFICE   MSG 08:30:00..17:00:00 -> D T
 *  5 DUP      MSG -> ONE;  6 DUPE MSG -> TWO ("DUPE" matches both)
 *  7 PAYROLL1 EOJ;  8 PAYROLL1STEP2 EOS;  9 NOACT MSG, no action
 * SYSA jobs (flag2 80): PAYROLL1 (triggers 0: EOJ max_cc <= 4 -> PAYROLL2;
 * 1: EOJ -> NOTIFY on SYSB; 2: EOS step STEP2 -> STEPJOB), then one job
 * per condition, each running RUN on SYSA.
 */
static const char *const automation_yaml =
    "settings:\n"
    "  codepage: \"037\"\n"
    "hosts:\n"
    "  - system: SYSA\n"
    "    ems:\n"
    "      events:\n"
    "        - {key: KILL, vl: 4, type: command, action: \"CANCEL U=&arg\"}\n"
    "        - {key: IEF450I, type: message, action: \"D A,L\", target: SYSB}\n"
    "        - key: BIG\n"
    "          vl: 3\n"
    "          type: command\n"
    "          action: \"" X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
    "&arg\"\n"
    "        - {key: ARG, vl: 3, type: command, action: \"&arg\"}\n"
    "        - key: OFFICE\n"
    "          type: message\n"
    "          action: \"D T\"\n"
    "          frame: {start_time: \"08:30:00\", end_time: \"17:00:00\"}\n"
    "        - {key: DUP, type: message, action: ONE}\n"
    "        - {key: DUPE, type: message, action: TWO}\n"
    "        - {key: PAYROLL1, type: eoj}\n"
    "        - {key: PAYROLL1STEP2, type: eos}\n"
    "        - {key: NOACT, type: message}\n"
    "    scd:\n"
    "      jobs:\n"
    "        - job: PAYROLL1\n"
    "          triggers:\n"
    "            - {on: eoj, when: {max_cc: \"<= 4\"}, run: PAYROLL2}\n"
    "            - {on: eoj, run: NOTIFY, host: SYSB}\n"
    "            - {on: eos, step: STEP2, run: STEPJOB}\n"
    "        - {job: OPEQ, triggers: [{on: eoj, when: {max_cc: \"== 4\"}, run: RUN}]}\n"
    "        - {job: OPNE, triggers: [{on: eoj, when: {max_cc: \"!= 4\"}, run: RUN}]}\n"
    "        - {job: OPLT, triggers: [{on: eoj, when: {max_cc: \"< 4\"}, run: RUN}]}\n"
    "        - {job: OPLE, triggers: [{on: eoj, when: {max_cc: \"<= 4\"}, run: RUN}]}\n"
    "        - {job: OPGT, triggers: [{on: eoj, when: {max_cc: \"> 4\"}, run: RUN}]}\n"
    "        - {job: OPGE, triggers: [{on: eoj, when: {max_cc: \">= 4\"}, run: RUN}]}\n"
    "        - {job: FSCC, triggers: [{on: eoj, when: {scc: \"== 0x0C4\"}, run: RUN}]}\n"
    "        - {job: FUCC, triggers: [{on: eoj, when: {ucc: \">= 8\"}, run: RUN}]}\n"
    "        - {job: FABEND, triggers: [{on: eoj, when: {notes: abend}, run: RUN}]}\n"
    "        - {job: FNOTN, triggers: [{on: eoj, when: {notes: \"!= normal\"}, run: RUN}]}\n"
    "        - {job: FRANGE, triggers: [{on: eoj, when: {max_cc: [\">= 8\", \"< 16\"]}, run: RUN}]}\n"
    "  - system: SYSB\n"
    "    ems:\n"
    "      events:\n"
    "        - {key: HELLO, type: message}\n"
    "    scd:\n"
    "      jobs:\n"
    "        - job: NOTIFY\n";

/* The reload tests' set: small enough to write its tables out by hand.
 * SYSA: EMS KILL (VL 4, action CANCEL U=&arg), SCD PAYROLL1 (EOJ ->
 * NOTIFY on SYSB); SYSB: EMS HELLO, SCD NOTIFY. */
#define RELOAD_HEAD                                                            \
    "settings:\n"                                                              \
    "  codepage: \"037\"\n"                                                    \
    "hosts:\n"
/* scd: a whole "    scd:" section, or "" for none. */
#define RELOAD_SYSA(kill_extra, scd)                                           \
    "  - system: SYSA\n"                                                       \
    "    ems:\n"                                                               \
    "      events:\n"                                                          \
    "        - {key: KILL, vl: 4, type: command" kill_extra "}\n" scd
#define RELOAD_SYSA_SCD                                                        \
    "    scd:\n"                                                               \
    "      jobs:\n"                                                            \
    "        - job: PAYROLL1\n"                                                \
    "          triggers: [{on: eoj, run: NOTIFY, host: SYSB}]\n"
/* The same job without its trigger (for sets without SYSB). */
#define RELOAD_SYSA_SCD_PLAIN "    scd: {jobs: [{job: PAYROLL1}]}\n"
#define RELOAD_SYSB                                                            \
    "  - system: SYSB\n"                                                       \
    "    ems:\n"                                                               \
    "      events: [{key: HELLO, type: message}]\n"                            \
    "    scd:\n"                                                               \
    "      jobs: [{job: NOTIFY}]\n"

static const char *const reload_yaml =
    RELOAD_HEAD RELOAD_SYSA(", action: \"CANCEL U=&arg\"", RELOAD_SYSA_SCD)
        RELOAD_SYSB;

/* The EVBLOK of KILL (§8): system SYSA, key KILL, the additional
 * text given (hex, 108 bytes), IL 12, KL 4, VL 4, the "always" frame,
 * ET 02, reserved zero, SSDT/ESDT, user area zero. */
#define EVBLOK_KILL(text108)                                                   \
    SYSA "D2C9D3D3" B8 B8 text108 "000C 0004 0004"                           \
    " 01900001 09999365 00000000 00000000 23595900 0001517F"                \
    " 0101010101010101 02" "00000000000000" Z8 " 19000101 99991231" Z32
#define TEXT_BLANK B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 "40404040"
#define TEXT_V2 "E5F2" B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 "4040"
/* Replace EMS with one EVBLOK: total length 36 + 230 = 0x10A. */
#define REPLACE_EMS_1(id, sys)                                                 \
    "0000010A " id " " sys " 01020301 " EXT0 " 00000000 00000001 000000E6 "

/* ---- the fake clock ------------------------------------------------------ */

/* What the fake clock reads (core_harness.c): tests move time by assigning
 * it; setup puts it back to Monday 10:00. */
static time_t fake_now = MONDAY_1000;

/* ---- the environment -------------------------------------------------------- */

#define NCONN 4

struct env {
    struct xdi_config cfg;
    char dir[64];   /* the fixture directory */
    char yaml[96];  /* dir/hosts.yaml */
    struct xdi_server *srv;
    struct th_journal journal;
    struct th_io io[NCONN];
    struct xdi_conn *conn[NCONN];
};

static void write_yaml(struct env *e, const char *text)
{
    FILE *f = fopen(e->yaml, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The set in e->dir; it must load. */
static struct xdi_fixture_set *load(struct env *e)
{
    struct xdi_fixture_set *set = NULL;

    assert_int_equal(xdi_fixture_load(e->dir, &set, NULL, NULL), 0);
    assert_non_null(set);
    return set;
}

static void boot(struct env *e, const char *yaml)
{
    write_yaml(e, yaml);
    th_journal_init(&e->journal);
    e->srv = th_server_new(&e->cfg, load(e), &e->journal, &fake_now);
}

static void env_stop(struct env *e)
{
    th_server_stop(&e->srv, e->conn, e->io, NCONN);
    th_journal_free(&e->journal);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    xdi_config_defaults(&e->cfg);
    snprintf(e->dir, sizeof(e->dir), "/tmp/test_automation_XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->yaml, sizeof(e->yaml), "%s/hosts.yaml", e->dir);
    fake_now = MONDAY_1000;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;

    env_stop(e);
    unlink(e->yaml);
    rmdir(e->dir);
    free(e);
    return 0;
}

/* Boots the server on the automation set. */
static void boot_automation(struct env *e)
{
    boot(e, automation_yaml);
}

/* The drivers below address connection i of the environment; the work is
 * done in tests/support/core_harness.c. */

static void open_conn(struct env *e, size_t i)
{
    e->conn[i] = th_open_from(e->srv, &e->io[i], TH_PEER);
}

static void feed(struct env *e, size_t i, const char *hex)
{
    th_feed(e->conn[i], hex, 0);
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

/* Connection i logs in as sys (wire hex), expecting agent-ID id (hex). */
static void login(struct env *e, size_t i, const char *sys, const char *id)
{
    th_login(e->srv, &e->conn[i], &e->io[i], sys, id);
}

/* Login and acquire both tables; what they answered is discarded. */
static void login_tables(struct env *e, size_t i, const char *sys,
                         const char *id)
{
    char buf[160];

    login(e, i, sys, id);
    snprintf(buf, sizeof(buf), ACQ_EMS("%s", "%s"), id, sys);
    feed(e, i, buf);
    snprintf(buf, sizeof(buf), ACQ_SCD("%s", "%s"), id, sys);
    feed(e, i, buf);
    e->io[i].len = 0;
}

/* One info text: key 02010A<obj>, the text's own length as size. */
static void feed_text(struct env *e, size_t i, const char *id, const char *sys,
                      const char *obj, const char *text)
{
    size_t n;
    uint8_t *t = th_unhex(text, &n);
    char buf[1024];

    free(t);
    snprintf(buf, sizeof(buf), "%08zX %s %s 02010A%s " EXT0 " 00000000 "
             "00000001 %08zX %s", 36 + n, id, sys, obj, n, text);
    feed(e, i, buf);
}

/* The EOT macro with run-time fields (job, step: 16 hex digits; the
 * halfwords: 4; notes: 8), into buf. */
static void eot_hex(char *buf, size_t cap, const char *job, const char *step,
                    const char *stepno, const char *scc, const char *ucc,
                    const char *maxcc, const char *notes)
{
    snprintf(buf, cap, Z40 Z40 "00 80" Z24 B8 SYSA "%s%s" B8 "%s%s%s%s%s"
             "00000000", job, step, stepno, scc, ucc, maxcc, notes);
}

/* One EOTINFO from SYSA on connection i (agent-ID 1). */
static void feed_eot(struct env *e, size_t i, const char *eot)
{
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s%s", INFO_EOT("00000001", SYSA), eot);
    feed(e, i, buf);
}

/* ---- the journal ------------------------------------------------------------- */

/* This suite reads the journal only for its records (the fake output
 * checks every line as it comes, core_harness.h). */
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

/* The names in array field of rec, joined with ",". */
static void jnames(const json_t *rec, const char *field, char *out,
                   size_t cap)
{
    json_t *a = json_object_get(rec, field), *v;
    size_t i;

    assert_true(json_is_array(a));
    out[0] = '\0';
    json_array_foreach(a, i, v) {
        if (i > 0)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, json_string_value(v), cap - strlen(out) - 1);
    }
}

/* The nth record's field, checked against want. */
static void assert_rec_str(const struct env *e, const char *event, size_t nth,
                           const char *field, const char *want)
{
    json_t *rec = jrec(e, event, nth);

    if (rec == NULL)
        fail_msg("no %s record #%zu", event, nth);
    assert_string_equal(jstr(rec, field), want);
    json_decref(rec);
}

/* ======================================================================
 * EMS actions: exec command (§7 and §8)
 * ==================================================================== */

/* The seed's example: KILL JOKO -> exec command CANCEL U=JOKO to the
 * reporting host, byte for byte; journalled as an action and a send. */
static void test_automation_exec_command_cancel_u_joko(void **state)
{
    struct env *e = *state;
    json_t *rec;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "04", TXT_KILL_JOKO);
    expect(e, 0, EXEC_CANCEL_JOKO("00000001", SYSA));
    rec = jrec(e, "action", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "sent");
    assert_string_equal(jstr(rec, "command"), "CANCEL U=JOKO");
    assert_string_equal(jstr(rec, "action"), "CANCEL U=&arg");
    assert_string_equal(jstr(rec, "text"), "KILL JOKO");
    assert_string_equal(jstr(rec, "event_key"), "KILL");
    assert_string_equal(jstr(rec, "target"), "SYSA");
    assert_int_equal(jint(rec, "evblok"), 0);
    assert_int_equal(jint(rec, "length"), 13);
    assert_int_equal(jint(rec, "target_conn"), 1);
    json_decref(rec);
    /* The send record of the exec command carries its object. */
    rec = jrec(e, "send", 2);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "key"), "01020104");
    assert_string_equal(jstr(rec, "name"), "exec command");
    assert_string_equal(jstr(rec, "object"), "C3C1D5C3C5D340E47ED1D6D2D6");
    json_decref(rec);
}

/* The argument loses its leading and trailing blanks (§8). */
static void test_automation_exec_command_blanks_trimmed(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    /* "KILL   JOKO  " */
    feed_text(e, 0, "00000001", SYSA, "04", "D2C9D3D3 404040 D1D6D2D6 4040");
    expect(e, 0, EXEC_CANCEL_JOKO("00000001", SYSA));
}

/* An action with a target goes to that host's session, not the
 * reporter's: D A,L to SYSB (agent-ID 2). */
static void test_automation_action_to_named_target(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    login(e, 1, SYSB, "00000002");
    feed_text(e, 0, "00000001", SYSA, "03", "C9C5C6F4F5F0C9"); /* IEF450I */
    expect_nothing(e, 0);
    expect(e, 1, "00000029 00000002 " SYSB " 01020104 " EXT0
                 " 00000000 00000001 00000005 C440C16BD3");
    assert_rec_str(e, "action", 0, "target", "SYSB");
}

/* The record of an action says what became of its exec command, and comes
 * once that is known, just before the send's own record: a send the
 * output dropped is "send_dropped", never "sent", and the connection it
 * was dropped on is closed (its host free). */
static void test_automation_action_outcome_is_the_send_result(void **state)
{
    struct env *e = *state;
    json_t *all, *rec;
    size_t i, action_at = 0, send_at = 0;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    login(e, 1, SYSB, "00000002");
    e->io[1].drop_send = 1;
    feed_text(e, 0, "00000001", SYSA, "03", "C9C5C6F4F5F0C9"); /* IEF450I */
    expect_nothing(e, 1);
    rec = jrec(e, "action", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "send_dropped");
    assert_int_equal(jint(rec, "target_conn"), 2);
    json_decref(rec);
    all = th_journal_lines(&e->journal);
    json_array_foreach(all, i, rec) {
        const char *ev = jstr(rec, "event");
        if (strcmp(ev, "action") == 0)
            action_at = i;
        if (strcmp(ev, "send") == 0 &&
            strcmp(jstr(rec, "key"), "01020104") == 0) {
            send_at = i;
            assert_string_equal(jstr(rec, "outcome"), "dropped");
            assert_int_equal(jint(rec, "conn"), 2);
        }
    }
    json_decref(all);
    assert_true(action_at > 0);
    assert_int_equal(send_at, action_at + 1);
    assert_int_equal(e->io[1].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    /* written: "sent" */
    e->io[1].drop_send = 0;
    login(e, 2, SYSB, "00000003");
    feed_text(e, 0, "00000001", SYSA, "03", "C9C5C6F4F5F0C9");
    expect(e, 2, "00000029 00000003 " SYSB " 01020104 " EXT0
                 " 00000000 00000001 00000005 C440C16BD3");
    assert_rec_str(e, "action", 1, "outcome", "sent");
}

/* The target host has no live session: journalled, not sent, not held. */
static void test_automation_action_target_not_connected(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "03", "C9C5C6F4F5F0C9");
    expect_nothing(e, 0);
    assert_rec_str(e, "action", 0, "outcome", "target_not_connected");
    assert_rec_str(e, "action", 0, "command", "D A,L");
    assert_int_equal(xdi_server_held_triggers(e->srv), 0);
    /* SYSB logging in later gets only its accept. */
    login(e, 1, SYSB, "00000002");
    expect_nothing(e, 1);
}

/* 120 X's + an 8-byte argument: exactly 128 bytes, sent (0x80; total
 * length 36 + 128 = 0xA4). */
#define X10_HEX "E7E7E7E7E7E7E7E7E7E7"
#define X120_HEX X10_HEX X10_HEX X10_HEX X10_HEX X10_HEX X10_HEX X10_HEX       \
    X10_HEX X10_HEX X10_HEX X10_HEX X10_HEX
static void test_automation_command_128_bytes_sent(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    /* "BIG 12345678" */
    feed_text(e, 0, "00000001", SYSA, "04", "C2C9C7 40 F1F2F3F4F5F6F7F8");
    expect(e, 0, "000000A4 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 00000080 " X120_HEX " F1F2F3F4F5F6F7F8");
}

/* One more byte would be 129: journalled as an error, nothing sent, never
 * truncated. */
static void test_automation_command_129_bytes_not_sent(void **state)
{
    struct env *e = *state;
    json_t *rec;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "04", "C2C9C7 40 F1F2F3F4F5F6F7F8F9");
    expect_nothing(e, 0);
    rec = jrec(e, "action", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "too_long");
    assert_int_equal(jint(rec, "length"), 129);
    assert_null(json_object_get(rec, "command"));
    json_decref(rec);
    /* The info itself passed: no error NACCB either. */
    assert_int_equal(jcount(e, "violation"), 0);
}

/* "&arg" with no argument (only blanks after the verb) is empty: not a
 * command (1..128 bytes), journalled. */
static void test_automation_command_empty_not_sent(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "04", "C1D9C7");        /* ARG */
    feed_text(e, 0, "00000001", SYSA, "04", "C1D9C7 404040"); /* ARG + 3 */
    expect_nothing(e, 0);
    assert_rec_str(e, "action", 0, "outcome", "empty");
    assert_rec_str(e, "action", 1, "outcome", "empty");
    /* With an argument, the command is the argument alone. */
    feed_text(e, 0, "00000001", SYSA, "04", "C1D9C7 40 D1D6D2D6");
    expect(e, 0, "00000028 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 00000004 D1D6D2D6");
}

/* OFFICE is in frame 08:30:00..17:00:00 to the second: the action fires
 * only in frame; out of frame is journalled only. */
static void test_automation_action_only_in_frame(void **state)
{
    static const struct {
        time_t t;
        bool in;
    } cases[] = {
        {MONDAY_0829_59, false},
        {MONDAY_0830, true},
        {MONDAY_1700, true},
        {MONDAY_1700_01, false},
    };
    struct env *e = *state;
    size_t fired = 0;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *rec;
        fake_now = cases[i].t;
        feed_text(e, 0, "00000001", SYSA, "03", "D6C6C6C9C3C5");
        rec = jrec(e, "info", i);
        assert_non_null(rec);
        assert_string_equal(jstr(rec, "verdict"),
                            cases[i].in ? "in_frame" : "out_of_frame");
        json_decref(rec);
        if (cases[i].in) {
            expect(e, 0, "00000027 00000001 " SYSA " 01020104 " EXT0
                         " 00000000 00000001 00000003 C440E3");
            fired++;
        } else {
            expect_nothing(e, 0);
        }
        assert_int_equal(jcount(e, "action"), fired);
    }
}

/* A text that matches several EVBLOKs in frame fires each action, in
 * table order: DUPE matches DUP (ONE) and DUPE (TWO). */
static void test_automation_every_matching_evblok_fires(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "03", "C4E4D7C5");
    expect(e, 0, "00000027 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 00000003 D6D5C5"
                 "00000027 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 00000003 E3E6D6");
}

/* Several texts in one NACCB fire in object order. */
static void test_automation_objects_fire_in_order(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    /* "KILL AAAA", "KILL BBBB": count 2, size 9 (total 36 + 18 = 0x36) */
    feed(e, 0, "00000036 00000001 " SYSA " 02010A04 " EXT0
               " 00000000 00000002 00000009"
               " D2C9D3D340C1C1C1C1 D2C9D3D340C2C2C2C2");
    expect(e, 0, "00000031 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 0000000D C3C1D5C3C5D340E47E C1C1C1C1"
                 "00000031 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 0000000D C3C1D5C3C5D340E47E C2C2C2C2");
}

/* An info NACCB with a failed object is answered with error 05 and fires
 * nothing, not even for its good objects. */
static void test_automation_failed_naccb_fires_nothing(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    /* "KILL" (matches, argument empty -> would be "CANCEL U=") and
     * "QQQQ" (matches nothing) */
    feed(e, 0, "0000002C 00000001 " SYSA " 02010A04 " EXT0
               " 00000000 00000002 00000004 D2C9D3D3 D8D8D8D8");
    expect(e, 0, ERR("00000001", SYSA, "04", "05"));
    assert_int_equal(jcount(e, "action"), 0);
    /* The same good text alone does fire. */
    feed_text(e, 0, "00000001", SYSA, "04", "D2C9D3D3");
    expect(e, 0, "0000002D 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 00000009 C3C1D5C3C5D340E47E");
}

/* An EVBLOK without an action fires nothing. */
static void test_automation_no_action_nothing_sent(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "03", "D5D6C1C3E3"); /* NOACT */
    expect_nothing(e, 0);
    assert_int_equal(jcount(e, "action"), 0);
    assert_int_equal(jcount(e, "violation"), 0);
}

/* ======================================================================
 * SCD triggers: exec job (§7 and §9)
 * ==================================================================== */

/* PAYROLL1 ends with max CC 4: trigger 0 (max_cc <= 4) sends exec job
 * PAYROLL2 to SYSA; trigger 1 (NOTIFY on SYSB) is held: SYSB is not
 * logged in. */
static void test_automation_exec_job_payroll2(void **state)
{
    struct env *e = *state;
    json_t *rec;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOJ(PAYROLL1, "0004", NOTES_JN));
    expect(e, 0, EXEC_JOB("00000001", SYSA, PAYROLL2));
    rec = jrec(e, "trigger", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "sent");
    assert_string_equal(jstr(rec, "source"), "eotinfo");
    assert_string_equal(jstr(rec, "job"), "PAYROLL1");
    assert_string_equal(jstr(rec, "on"), "eoj");
    assert_string_equal(jstr(rec, "run_job"), "PAYROLL2");
    assert_string_equal(jstr(rec, "target"), "SYSA");
    assert_int_equal(jint(rec, "entry"), 0);
    assert_int_equal(jint(rec, "trigger"), 0);
    assert_int_equal(jint(rec, "target_conn"), 1);
    assert_non_null(strstr(jstr(rec, "fixture"), "hosts.yaml:"));
    json_decref(rec);
    rec = jrec(e, "trigger", 1);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "held");
    assert_string_equal(jstr(rec, "run_job"), "NOTIFY");
    assert_int_equal(jint(rec, "held"), 1);
    json_decref(rec);
    assert_int_equal(xdi_server_held_triggers(e->srv), 1);
}

/* The held trigger goes out when SYSB logs in, right after its accept;
 * journalled as released; a later login gets nothing more. */
static void test_automation_held_released_after_accept(void **state)
{
    struct env *e = *state;
    json_t *rec;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOJ(PAYROLL1, "0004", NOTES_JN));
    e->io[0].len = 0;
    open_conn(e, 1);
    feed(e, 1, LOGIN(SYSB));
    expect(e, 1, ACCEPT("00000002", SYSB) EXEC_JOB("00000002", SYSB, NOTIFY));
    assert_int_equal(xdi_server_held_triggers(e->srv), 0);
    rec = jrec(e, "trigger_release", 0);
    assert_non_null(rec);
    assert_int_equal(jint(rec, "held"), 1);
    assert_string_equal(jstr(rec, "run_job"), "NOTIFY");
    assert_string_equal(jstr(rec, "from_system"), "SYSA");
    assert_string_equal(jstr(rec, "from_job"), "PAYROLL1");
    assert_string_equal(jstr(rec, "system"), "SYSB");
    json_decref(rec);
    /* logout and a new login: nothing is held any more */
    feed(e, 1, "00000024 00000002 " SYSB " 02010600 " EXT0 " " NOOBJ);
    xdi_conn_closed(e->conn[1], XDI_CLOSE_REQUESTED, NULL);
    e->conn[1] = NULL;
    th_io_reset(&e->io[1]);
    login(e, 1, SYSB, "00000003");
    expect_nothing(e, 1);
}

/* Held triggers go out in the order they were held. */
static void test_automation_held_fifo(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOJ(PAYROLL1, "0004", NOTES_JN));
    /* max CC 8: only the condition-free NOTIFY fires (held again) */
    feed_eot(e, 0, EOJ(PAYROLL1, "0008", NOTES_JN));
    assert_int_equal(xdi_server_held_triggers(e->srv), 2);
    assert_rec_str(e, "trigger", 2, "outcome", "not_met");
    assert_rec_str(e, "trigger", 3, "outcome", "held");
    assert_rec_str(e, "trigger", 3, "run_job", "NOTIFY");
    open_conn(e, 1);
    feed(e, 1, LOGIN(SYSB));
    expect(e, 1, ACCEPT("00000002", SYSB) EXEC_JOB("00000002", SYSB, NOTIFY)
                     EXEC_JOB("00000002", SYSB, NOTIFY));
    {
        json_t *a = jrec(e, "trigger_release", 0);
        json_t *b = jrec(e, "trigger_release", 1);
        assert_int_equal(jint(a, "held"), 1);
        assert_int_equal(jint(b, "held"), 2);
        json_decref(a);
        json_decref(b);
    }
}

/* max_held_triggers bounds the queue: the next one is dropped,
 * journalled. */
static void test_automation_held_limit(void **state)
{
    struct env *e = *state;
    json_t *rec;

    e->cfg.max_held_triggers = 1;
    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOJ(PAYROLL1, "0008", NOTES_JN));
    feed_eot(e, 0, EOJ(PAYROLL1, "0008", NOTES_JN));
    assert_int_equal(xdi_server_held_triggers(e->srv), 1);
    rec = jrec(e, "trigger", 3);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "dropped");
    assert_string_equal(jstr(rec, "reason"), "max_held_triggers reached");
    json_decref(rec);
}

/* A trigger whose target host is logged in is sent at once, never held. */
static void test_automation_trigger_to_live_host_sent_at_once(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login(e, 1, SYSB, "00000001");
    login_tables(e, 0, SYSA, "00000002");
    /* SYSB is live: NOTIFY goes out at once */
    feed(e, 0, INFO_EOT("00000002", SYSA) EOJ(PAYROLL1, "0008", NOTES_JN));
    expect(e, 1, EXEC_JOB("00000001", SYSB, NOTIFY));
    expect_nothing(e, 0);
    assert_int_equal(xdi_server_held_triggers(e->srv), 0);
}

/* The six operators at their boundaries, on max CC 4 (one job each). */
static void test_automation_condition_operators(void **state)
{
    static const struct {
        const char *job;
        const char *maxcc;
        bool fires;
    } cases[] = {
        {"D6D7C5D840404040", "0004", true},  /* OPEQ == 4 */
        {"D6D7C5D840404040", "0003", false},
        {"D6D7C5D840404040", "0005", false},
        {"D6D7D5C540404040", "0004", false}, /* OPNE != 4 */
        {"D6D7D5C540404040", "0005", true},
        {"D6D7D3E340404040", "0003", true},  /* OPLT < 4 */
        {"D6D7D3E340404040", "0004", false},
        {"D6D7D3C540404040", "0004", true},  /* OPLE <= 4 */
        {"D6D7D3C540404040", "0005", false},
        {"D6D7C7E340404040", "0005", true},  /* OPGT > 4 */
        {"D6D7C7E340404040", "0004", false},
        {"D6D7C7C540404040", "0004", true},  /* OPGE >= 4 */
        {"D6D7C7C540404040", "0003", false},
        {"C6D9C1D5C7C54040", "0008", true},  /* FRANGE >= 8 and < 16 */
        {"C6D9C1D5C7C54040", "0007", false},
        {"C6D9C1D5C7C54040", "000F", true},
        {"C6D9C1D5C7C54040", "0010", false},
    };
    struct env *e = *state;
    size_t not_met = 0;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char eot[400];
        eot_hex(eot, sizeof(eot), cases[i].job, B8, "0000", "0000", "0000",
                cases[i].maxcc, NOTES_JN);
        feed_eot(e, 0, eot);
        if (cases[i].fires) {
            expect(e, 0, EXEC_JOB("00000001", SYSA, RUN));
        } else {
            expect_nothing(e, 0);
            assert_rec_str(e, "trigger", i, "outcome", "not_met");
            not_met++;
        }
    }
    assert_int_equal(jcount(e, "violation"), 0);
    /* The record names the condition and the value reported. */
    {
        json_t *rec = jrec(e, "trigger", 1);
        assert_string_equal(jstr(rec, "condition"), "max_cc == 4");
        assert_int_equal(jint(rec, "value"), 3);
        json_decref(rec);
        rec = jrec(e, "trigger", 14);
        assert_string_equal(jstr(rec, "condition"), "max_cc >= 8");
        json_decref(rec);
        rec = jrec(e, "trigger", 16);
        assert_string_equal(jstr(rec, "condition"), "max_cc < 16");
        assert_int_equal(jint(rec, "value"), 16);
        json_decref(rec);
    }
    assert_int_equal(not_met, 9);
}

/* SCC, UCC and notes[2] conditions. */
static void test_automation_condition_fields(void **state)
{
    static const struct {
        const char *job, *scc, *ucc, *notes;
        bool fires;
    } cases[] = {
        {"C6E2C3C340404040", "00C4", "0000", NOTES_JA, true},  /* FSCC */
        {"C6E2C3C340404040", "00C5", "0000", NOTES_JA, false},
        {"C6E4C3C340404040", "0000", "0008", NOTES_JN, true},  /* FUCC >= 8 */
        {"C6E4C3C340404040", "0000", "0007", NOTES_JN, false},
        {"C6C1C2C5D5C44040", "0000", "0000", NOTES_JA, true},  /* FABEND */
        {"C6C1C2C5D5C44040", "0000", "0000", NOTES_JN, false},
        {"C6D5D6E3D5404040", "0000", "0000", NOTES_JC, true},  /* FNOTN */
        {"C6D5D6E3D5404040", "0000", "0000", NOTES_JN, false},
    };
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[400];
        eot_hex(buf, sizeof(buf), cases[i].job, B8, "0000", cases[i].scc,
                cases[i].ucc, "0000", cases[i].notes);
        feed_eot(e, 0, buf);
        if (cases[i].fires)
            expect(e, 0, EXEC_JOB("00000001", SYSA, RUN));
        else
            expect_nothing(e, 0);
    }
    assert_rec_str(e, "trigger", 1, "condition", "scc == 196");
    assert_rec_str(e, "trigger", 5, "condition", "notes == A");
    assert_rec_str(e, "trigger", 7, "condition", "notes != N");
}

/* An EOS report (notes S, step number 1) fires the EOS trigger for its
 * step only, and never the EOJ ones. */
static void test_automation_eos_trigger_step(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOT(SYSA, PAYROLL1, STEP2, "0001", "0000", "0000", "0000",
                       NOTES_SN));
    expect(e, 0, EXEC_JOB("00000001", SYSA, STEPJOB));
    assert_int_equal(jcount(e, "trigger"), 1);
    assert_rec_str(e, "trigger", 0, "step", "STEP2");
    feed_eot(e, 0, EOT(SYSA, PAYROLL1, STEP3, "0002", "0000", "0000", "0000",
                       NOTES_SN));
    expect_nothing(e, 0);
    assert_rec_str(e, "trigger", 1, "outcome", "not_met");
    assert_rec_str(e, "trigger", 1, "condition", "step");
    assert_int_equal(xdi_server_held_triggers(e->srv), 0);
}

/* An EOJ event text (object 05, the job name) carries no codes: the
 * condition-free trigger fires (NOTIFY, held for SYSB), the one with a
 * condition is journalled "needs_eotinfo". */
static void test_automation_eoj_text_fires_condition_free(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "05", PAYROLL1);
    expect_nothing(e, 0);
    assert_rec_str(e, "trigger", 0, "outcome", "needs_eotinfo");
    assert_rec_str(e, "trigger", 0, "run_job", "PAYROLL2");
    assert_rec_str(e, "trigger", 1, "outcome", "held");
    assert_rec_str(e, "trigger", 1, "source", "text");
    assert_rec_str(e, "trigger", 1, "run_job", "NOTIFY");
    assert_int_equal(jcount(e, "trigger"), 2);
    assert_int_equal(xdi_server_held_triggers(e->srv), 1);
}

/* An EOS event text (object 06: job name + step name) fires the EOS
 * trigger of that step. */
static void test_automation_eos_text_fires_step_trigger(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_text(e, 0, "00000001", SYSA, "06", PAYROLL1 "E2E3C5D7F2");
    expect(e, 0, EXEC_JOB("00000001", SYSA, STEPJOB));
    assert_rec_str(e, "trigger", 0, "step", "STEP2");
    assert_int_equal(jcount(e, "trigger"), 1);
}

/* An EOTINFO NACCB with an invalid object fires nothing. */
static void test_automation_failed_eot_naccb_fires_nothing(void **state)
{
    struct env *e = *state;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    /* count 2: a good PAYROLL1 report and one whose notes[3] is L */
    feed(e, 0, "00000168 00000001 " SYSA " 02010A07 " EXT0
               " 00000000 00000002 000000A2 " EOJ(PAYROLL1, "0004", NOTES_JN)
                   EOJ(PAYROLL1, "0004", "D140D5D3"));
    expect(e, 0, ERR("00000001", SYSA, "07", "05"));
    assert_int_equal(jcount(e, "trigger"), 0);
    assert_int_equal(xdi_server_held_triggers(e->srv), 0);
}

/* Held triggers live in memory: a stop loses them, and says so. */
static void test_automation_held_dropped_at_stop(void **state)
{
    struct env *e = *state;
    json_t *rec;

    boot_automation(e);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOJ(PAYROLL1, "0008", NOTES_JN));
    /* The server goes (the core journals the connection it still had). */
    xdi_server_free(e->srv);
    e->srv = NULL;
    e->conn[0] = NULL;
    rec = jrec(e, "trigger_dropped", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "reason"), "server_stop");
    assert_string_equal(jstr(rec, "run_job"), "NOTIFY");
    assert_string_equal(jstr(rec, "target"), "SYSB");
    json_decref(rec);
}

/* ======================================================================
 * hot reload (xdi_server_reload)
 * ==================================================================== */

/* Writes yaml into the fixture directory and reloads the server with it;
 * the reload must succeed. */
static void reload_with(struct env *e, const char *yaml)
{
    struct xdi_fixture_set *set;

    write_yaml(e, yaml);
    set = load(e);
    assert_int_equal(xdi_server_reload(e->srv, set, "test"), 0);
}

/* KILL gets the additional text "V2": its EVBLOK changes, so SYSA (which
 * acquired EMS) is sent replace EMS with the whole new table; its SCD and
 * SYSB's tables did not change: nothing else is sent. */
static void test_automation_reload_changed_table_replaced(void **state)
{
    struct env *e = *state;
    json_t *rec;
    char names[64];

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    login_tables(e, 1, SYSB, "00000002");
    reload_with(e, RELOAD_HEAD RELOAD_SYSA(
                       ", text: V2, action: \"CANCEL U=&arg\"",
                       RELOAD_SYSA_SCD) RELOAD_SYSB);
    expect(e, 0, REPLACE_EMS_1("00000001", SYSA) EVBLOK_KILL(TEXT_V2));
    expect_nothing(e, 1);
    rec = jrec(e, "reload", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "applied");
    assert_string_equal(jstr(rec, "cause"), "test");
    jnames(rec, "ems_changed", names, sizeof(names));
    assert_string_equal(names, "SYSA");
    jnames(rec, "scd_changed", names, sizeof(names));
    assert_string_equal(names, "");
    jnames(rec, "hosts_removed", names, sizeof(names));
    assert_string_equal(names, "");
    json_decref(rec);
    assert_rec_str(e, "send", 4, "name", "replace EMS");
    /* A new acquire gets the same new table. */
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect(e, 0, "0000010A 00000001 " SYSA " 01020201 " EXT0
                 " 00000000 00000001 000000E6 " EVBLOK_KILL(TEXT_V2));
}

/* The same set again, or one that changes only host-side things (an
 * action): the tables are byte for byte the same, nothing is sent. */
static void test_automation_reload_unchanged_sends_nothing(void **state)
{
    struct env *e = *state;
    json_t *rec;
    char names[64];

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    login_tables(e, 1, SYSB, "00000002");
    reload_with(e, reload_yaml);
    reload_with(e, RELOAD_HEAD RELOAD_SYSA(", action: \"C U=&arg\"",
                                           RELOAD_SYSA_SCD) RELOAD_SYSB);
    expect_nothing(e, 0);
    expect_nothing(e, 1);
    rec = jrec(e, "reload", 1);
    jnames(rec, "ems_changed", names, sizeof(names));
    assert_string_equal(names, "");
    json_decref(rec);
    /* ... but the new action is in force at once. */
    feed_text(e, 0, "00000001", SYSA, "04", TXT_KILL_JOKO);
    expect(e, 0, "0000002C 00000001 " SYSA " 01020104 " EXT0
                 " 00000000 00000001 00000008 C340E47ED1D6D2D6");
}

/* A session that never acquired the table gets no replacement; it gets
 * the new table when it asks. */
static void test_automation_reload_not_acquired_not_replaced(void **state)
{
    struct env *e = *state;

    boot(e, reload_yaml);
    login(e, 0, SYSA, "00000001");
    reload_with(e, RELOAD_HEAD RELOAD_SYSA(", text: V2", RELOAD_SYSA_SCD)
                       RELOAD_SYSB);
    expect_nothing(e, 0);
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect(e, 0, "0000010A 00000001 " SYSA " 01020201 " EXT0
                 " 00000000 00000001 000000E6 " EVBLOK_KILL(TEXT_V2));
}

/* A table that became empty goes as no-EMS (error 08), one that became
 * not ready as no-SCD (error 08); events are then "table not sent". */
static void test_automation_reload_table_withdrawn(void **state)
{
    struct env *e = *state;

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    reload_with(e, RELOAD_HEAD
                "  - system: SYSA\n"
                "    ems: {events: []}\n"
                "    scd: {ready: false, jobs: [{job: PAYROLL1}]}\n"
                RELOAD_SYSB);
    expect(e, 0, NO_EMS("00000001", SYSA) NO_SCD("00000001", SYSA));
    feed_text(e, 0, "00000001", SYSA, "04", TXT_KILL_JOKO);
    expect(e, 0, ERR("00000001", SYSA, "04", "05"));
    assert_rec_str(e, "info", 0, "verdict", "table_not_sent");
}

/* A table that was not available and now is: the session that was told
 * no-EMS gets replace EMS. */
static void test_automation_reload_table_became_ready(void **state)
{
    struct env *e = *state;

    boot(e, RELOAD_HEAD
         "  - system: SYSA\n"
         "    ems: {ready: false, events: [{key: KILL, vl: 4, type: command}]}\n"
         RELOAD_SYSB);
    login_tables(e, 0, SYSA, "00000001");
    reload_with(e, RELOAD_HEAD
                "  - system: SYSA\n"
                "    ems: {events: [{key: KILL, vl: 4, type: command}]}\n"
                RELOAD_SYSB);
    expect(e, 0, REPLACE_EMS_1("00000001", SYSA) EVBLOK_KILL(TEXT_BLANK));
    /* and the text now matches */
    feed_text(e, 0, "00000001", SYSA, "04", TXT_KILL_JOKO);
    expect_nothing(e, 0);
    assert_rec_str(e, "info", 0, "verdict", "in_frame");
}

/* A set that does not load changes nothing: the loader names FILE:LINE,
 * the refusal is journalled, no byte is sent, the old tables stay. */
struct collected {
    char msgs[8][512];
    size_t n;
};

static void collect(void *ctx, const char *file, int line, const char *msg)
{
    struct collected *c = ctx;

    if (c->n < 8)
        snprintf(c->msgs[c->n], sizeof(c->msgs[0]), "%s:%d: %s", file, line,
                 msg);
    c->n++;
}

static void test_automation_reload_bad_set_changes_nothing(void **state)
{
    struct env *e = *state;
    struct xdi_fixture_set *set = NULL;
    struct collected got = {0};
    const char *msgs[1];
    json_t *rec;
    char want[200];
    int rc;

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    /* line 7: KL longer than the key */
    write_yaml(e, RELOAD_HEAD RELOAD_SYSA(", text: V2, kl: 5",
                                          RELOAD_SYSA_SCD) RELOAD_SYSB);
    rc = xdi_fixture_load(e->dir, &set, collect, &got);
    assert_true(rc > 0);
    assert_null(set);
    snprintf(want, sizeof(want), "%s:7: ", e->yaml);
    assert_memory_equal(got.msgs[0], want, strlen(want));
    msgs[0] = got.msgs[0];
    xdi_server_reload_refused(e->srv, "test", rc, msgs, 1);
    assert_int_equal(xdi_server_reload(e->srv, NULL, "test"), -1);
    expect_nothing(e, 0);
    rec = jrec(e, "reload", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "outcome"), "refused");
    assert_int_equal(jint(rec, "errors"), rc);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(rec, "messages"), 0)),
        got.msgs[0]);
    json_decref(rec);
    /* The old table is in force: KILL JOKO matches and fires. */
    feed_text(e, 0, "00000001", SYSA, "04", TXT_KILL_JOKO);
    expect(e, 0, EXEC_CANCEL_JOKO("00000001", SYSA));
    feed(e, 0, ACQ_EMS("00000001", SYSA));
    expect(e, 0, "0000010A 00000001 " SYSA " 01020201 " EXT0
                 " 00000000 00000001 000000E6 " EVBLOK_KILL(TEXT_BLANK));
}

/* A host that is gone: its session gets shutdown and is closed; the
 * others carry on; its held triggers are dropped. */
static void test_automation_reload_host_removed(void **state)
{
    struct env *e = *state;
    json_t *rec;
    char names[64];

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    login_tables(e, 1, SYSB, "00000002");
    reload_with(e, RELOAD_HEAD RELOAD_SYSA(", action: \"CANCEL U=&arg\"",
                                           RELOAD_SYSA_SCD) RELOAD_SYSB
                   "  - system: SYSC\n");
    /* SYSC was added; nothing to anyone */
    expect_nothing(e, 0);
    expect_nothing(e, 1);
    reload_with(e, RELOAD_HEAD RELOAD_SYSA(", action: \"CANCEL U=&arg\"", "")
                   "  - system: SYSC\n");
    expect(e, 1, SHUTDOWN("00000002", SYSB));
    assert_int_equal(e->io[1].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 1);
    /* SYSA's SCD table became not available (no scd section) */
    expect(e, 0, NO_SCD("00000001", SYSA));
    rec = jrec(e, "reload", 1);
    jnames(rec, "hosts_removed", names, sizeof(names));
    assert_string_equal(names, "SYSB");
    jnames(rec, "scd_changed", names, sizeof(names));
    assert_string_equal(names, "SYSA");
    json_decref(rec);
    rec = jrec(e, "reload", 0);
    jnames(rec, "hosts_added", names, sizeof(names));
    assert_string_equal(names, "SYSC");
    json_decref(rec);
    assert_rec_str(e, "host_removed", 0, "system", "SYSB");
    /* The network layer closes it; the disconnect still names SYSB. */
    xdi_conn_closed(e->conn[1], XDI_CLOSE_REQUESTED, NULL);
    e->conn[1] = NULL;
    assert_rec_str(e, "disconnect", 0, "system", "SYSB");
    /* SYSB is unknown now, SYSC logs in. */
    open_conn(e, 2);
    feed(e, 2, LOGIN(SYSB));
    expect(e, 2, "00000024 00000000 " SYSB " 01020800 09000000 " NOOBJ);
    login(e, 3, SYSC, "00000003");
}

/* Triggers held for a host that stays are kept across a reload; those of
 * a host that went are dropped, journalled. */
static void test_automation_reload_held_triggers(void **state)
{
    struct env *e = *state;
    json_t *rec;

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    feed_eot(e, 0, EOJ(PAYROLL1, "0000", NOTES_JN));
    assert_int_equal(xdi_server_held_triggers(e->srv), 1);
    reload_with(e, reload_yaml);
    assert_int_equal(xdi_server_held_triggers(e->srv), 1);
    assert_int_equal(jcount(e, "trigger_dropped"), 0);
    reload_with(e, RELOAD_HEAD RELOAD_SYSA("", RELOAD_SYSA_SCD_PLAIN)
                   "  - system: SYSB2\n");
    assert_int_equal(xdi_server_held_triggers(e->srv), 0);
    rec = jrec(e, "trigger_dropped", 0);
    assert_non_null(rec);
    assert_string_equal(jstr(rec, "reason"), "host_removed");
    assert_string_equal(jstr(rec, "target"), "SYSB");
    json_decref(rec);
}

/* A new code page changes every system name on the wire (ascii: SYSA is
 * 53595341): the agents' sessions cannot go on, they get shutdown (still
 * with the old name) and are closed. */
static void test_automation_reload_codepage_change_closes(void **state)
{
    struct env *e = *state;

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    reload_with(e, "settings:\n  codepage: ascii\nhosts:\n"
                   RELOAD_SYSA("", RELOAD_SYSA_SCD) RELOAD_SYSB);
    expect(e, 0, SHUTDOWN("00000001", SYSA));
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    open_conn(e, 1);
    feed(e, 1, LOGIN("5359534120202020"));
    expect(e, 1, ACCEPT("00000002", "5359534120202020"));
}

/* While stopping, a reload is refused and the set stays the caller's. */
static void test_automation_reload_while_stopping_refused(void **state)
{
    struct env *e = *state;
    struct xdi_fixture_set *set;

    boot(e, reload_yaml);
    login_tables(e, 0, SYSA, "00000001");
    xdi_server_stop(e->srv);
    expect(e, 0, SHUTDOWN("00000001", SYSA));
    write_yaml(e, RELOAD_HEAD RELOAD_SYSA(", text: V2", RELOAD_SYSA_SCD)
                      RELOAD_SYSB);
    set = load(e);
    assert_int_equal(xdi_server_reload(e->srv, set, "test"), -1);
    xdi_fixture_free(set);
    expect_nothing(e, 0);
    assert_rec_str(e, "reload", 0, "outcome", "refused");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_automation_exec_command_cancel_u_joko),
        T(test_automation_exec_command_blanks_trimmed),
        T(test_automation_action_to_named_target),
        T(test_automation_action_outcome_is_the_send_result),
        T(test_automation_action_target_not_connected),
        T(test_automation_command_128_bytes_sent),
        T(test_automation_command_129_bytes_not_sent),
        T(test_automation_command_empty_not_sent),
        T(test_automation_action_only_in_frame),
        T(test_automation_every_matching_evblok_fires),
        T(test_automation_objects_fire_in_order),
        T(test_automation_failed_naccb_fires_nothing),
        T(test_automation_no_action_nothing_sent),
        T(test_automation_exec_job_payroll2),
        T(test_automation_held_released_after_accept),
        T(test_automation_held_fifo),
        T(test_automation_held_limit),
        T(test_automation_trigger_to_live_host_sent_at_once),
        T(test_automation_condition_operators),
        T(test_automation_condition_fields),
        T(test_automation_eos_trigger_step),
        T(test_automation_eoj_text_fires_condition_free),
        T(test_automation_eos_text_fires_step_trigger),
        T(test_automation_failed_eot_naccb_fires_nothing),
        T(test_automation_held_dropped_at_stop),
        T(test_automation_reload_changed_table_replaced),
        T(test_automation_reload_unchanged_sends_nothing),
        T(test_automation_reload_not_acquired_not_replaced),
        T(test_automation_reload_table_withdrawn),
        T(test_automation_reload_table_became_ready),
        T(test_automation_reload_bad_set_changes_nothing),
        T(test_automation_reload_host_removed),
        T(test_automation_reload_held_triggers),
        T(test_automation_reload_codepage_change_closes),
        T(test_automation_reload_while_stopping_refused),
    };

    /* Time frames use the server's local time: make it UTC. */
    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
