/*
 * test_fixture.c - the fixture loader (server/core/fixture*.c): the shipped
 * sets load with the values fixtures/test/README.md promises; every kind of
 * error is reported at its exact FILE:LINE, all of them in one load, and a
 * failed load returns NULL (LeakSanitizer checks that it frees
 * everything); CIDR matching; holidays; the dump round trip.
 *
 * Small fixtures are written into a fresh temporary directory per test, so
 * each error test states its YAML and its expected line side by side.
 */
/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture.h"
#include "fixture_dump.h"

/* ======================================================================
 * helpers: temporary fixture dirs and collected errors
 * ==================================================================== */

#define MAX_ERRORS 32

struct error {
    char file[512];
    int line;
    char message[512];
};

struct errors {
    int n;
    struct error e[MAX_ERRORS];
};

static void collect(void *ctx, const char *file, int line, const char *msg)
{
    struct errors *errs = ctx;

    if (errs->n < MAX_ERRORS) {
        struct error *e = &errs->e[errs->n];
        snprintf(e->file, sizeof e->file, "%s", file);
        e->line = line;
        snprintf(e->message, sizeof e->message, "%s", msg);
    }
    errs->n++;
}

struct tmp {
    char dir[64];
    struct errors errs;
    struct xdi_fixture_set *set;
};

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);

    if (t == NULL)
        return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/xdi-test-fixture-XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

/* The temp dirs hold only plain files (and one level of them). */
static int tmp_teardown(void **state)
{
    struct tmp *t = *state;
    DIR *d = opendir(t->dir);
    struct dirent *de;

    while (d != NULL && (de = readdir(d)) != NULL) {
        char path[600];
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", t->dir, de->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(t->dir);
    xdi_fixture_free(t->set);
    free(t);
    return 0;
}

static void write_bytes(const struct tmp *t, const char *name, const void *data,
                        size_t len)
{
    char path[600];
    FILE *fp;

    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static void write_text(const struct tmp *t, const char *name, const char *s)
{
    write_bytes(t, name, s, strlen(s));
}

static void remove_file(const struct tmp *t, const char *name)
{
    char path[600];

    snprintf(path, sizeof path, "%s/%s", t->dir, name);
    assert_int_equal(unlink(path), 0);
}

static int load_tmp(struct tmp *t)
{
    memset(&t->errs, 0, sizeof t->errs);
    xdi_fixture_free(t->set);
    t->set = NULL;
    return xdi_fixture_load(t->dir, &t->set, collect, &t->errs);
}

/* Writes hosts.yaml and loads; expects exactly one error, at line, whose
 * message contains `what`. */
static void expect_one_error(void **state, const char *yaml, int line,
                             const char *what)
{
    struct tmp *t = *state;
    char file[600];

    write_text(t, "hosts.yaml", yaml);
    assert_int_equal(load_tmp(t), 1);
    assert_null(t->set);
    assert_int_equal(t->errs.n, 1);
    snprintf(file, sizeof file, "%s/hosts.yaml", t->dir);
    assert_string_equal(t->errs.e[0].file, file);
    if (t->errs.e[0].line != line || strstr(t->errs.e[0].message, what) == NULL)
        print_error("got line %d: %s\n", t->errs.e[0].line,
                    t->errs.e[0].message);
    assert_int_equal(t->errs.e[0].line, line);
    assert_non_null(strstr(t->errs.e[0].message, what));
}

static struct xdi_fixture_set *load_shipped(const char *name)
{
    char dir[512];
    struct errors errs = {0};
    struct xdi_fixture_set *set = NULL;
    int rc;

    snprintf(dir, sizeof dir, "%s/fixtures/%s", XDI_SOURCE_DIR, name);
    rc = xdi_fixture_load(dir, &set, collect, &errs);
    for (int i = 0; i < errs.n && i < MAX_ERRORS; i++)
        print_error("%s:%d: %s\n", errs.e[i].file, errs.e[i].line,
                    errs.e[i].message);
    assert_int_equal(rc, 0);
    assert_non_null(set);
    return set;
}

static const struct xdi_host *host(const struct xdi_fixture_set *set,
                                   const char *name)
{
    const struct xdi_host *h = xdi_fixture_find_host(set, name);

    assert_non_null(h);
    return h;
}

/* ======================================================================
 * the shipped sets
 * ==================================================================== */

static void test_fixture_demo_loads(void **state)
{
    struct xdi_fixture_set *set = load_shipped("demo");
    const struct xdi_host *a = host(set, "SYSA");
    const struct xdi_host *b = host(set, "SYSB");
    const struct xdi_host *c = host(set, "SYSC");

    (void)state;
    assert_int_equal(set->n_hosts, 3);
    assert_int_equal(set->codepage, NACCB_CP_037);
    assert_int_equal(set->n_holidays, 4);
    assert_true(a->ems_ready && a->scd_ready);
    assert_true(b->ems_ready && !b->scd_ready);
    assert_true(!c->ems_ready && !c->scd_ready);
    assert_string_equal(a->password, "DEMO");
    /* the seed's KILL / CANCEL U=&arg command event */
    assert_int_equal(a->events[0].evblok.event_type, NACCB_ET_COMMAND);
    assert_int_equal(a->events[0].evblok.vl, 4);
    assert_string_equal(a->events[0].action, "CANCEL U=&arg");
    /* a trigger chain: PAYROLL1 -> PAYROLL2 -> PAYPRINT on SYSB */
    assert_string_equal(a->jobs[0].triggers[0].run_job, "PAYROLL2");
    assert_string_equal(a->jobs[1].triggers[0].run_job, "PAYPRINT");
    assert_string_equal(a->jobs[1].triggers[0].target_host, "SYSB");
    xdi_fixture_free(set);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = calloc(1, 1 << 20);

    assert_non_null(fp);
    assert_non_null(buf);
    assert_true(fread(buf, 1, (1 << 20) - 1, fp) > 0);
    fclose(fp);
    return buf;
}

/* docs/fixtures.md shows fixtures/demo "copied": keep them equal. */
static void test_fixture_docs_example_is_demo(void **state)
{
    static const char *const files[] = {"settings.yaml", "hosts.yaml"};
    char path[512];
    char *docs;

    (void)state;
    snprintf(path, sizeof path, "%s/docs/fixtures.md", XDI_SOURCE_DIR);
    docs = slurp(path);
    for (size_t i = 0; i < 2; i++) {
        char *yaml;
        snprintf(path, sizeof path, "%s/fixtures/demo/%s", XDI_SOURCE_DIR,
                 files[i]);
        yaml = slurp(path);
        assert_true(strlen(yaml) > 100);
        if (strstr(docs, yaml) == NULL)
            print_error("docs/fixtures.md lacks fixtures/demo/%s\n",
                        files[i]);
        assert_non_null(strstr(docs, yaml));
        free(yaml);
    }
    free(docs);
}

/* Every value fixtures/test/README.md promises. */
static void test_fixture_test_set_matches_readme(void **state)
{
    static const char *const names[] = {"TESTA", "TESTP", "TESTX",
                                        "TEST6", "TESTR", "TESTE",
                                        "TESTS", "TESTN", "TESTZ"};
    struct xdi_fixture_set *set = load_shipped("test");

    (void)state;
    assert_int_equal(set->n_hosts, 9);
    for (size_t i = 0; i < 9; i++)
        assert_string_equal(set->hosts[i].system_name, names[i]);
    assert_null(host(set, "TESTA")->password);
    assert_int_equal(host(set, "TESTA")->n_events, 7);
    assert_int_equal(host(set, "TESTA")->n_jobs, 2);
    assert_string_equal(host(set, "TESTP")->password, "SECRET");
    assert_int_equal(host(set, "TESTP")->n_allowed, 2);
    assert_int_equal(host(set, "TESTX")->n_allowed, 1);
    assert_int_equal(host(set, "TESTR")->ems_raw_len, 2 * 230);
    assert_int_equal(host(set, "TESTR")->scd_raw_len, 162);
    assert_null(host(set, "TESTR")->events);
    assert_true(host(set, "TESTE")->ems_ready);
    assert_false(host(set, "TESTE")->scd_ready);
    assert_false(host(set, "TESTS")->ems_ready);
    assert_true(host(set, "TESTS")->scd_ready);
    assert_false(host(set, "TESTN")->ems_ready);
    assert_false(host(set, "TESTN")->scd_ready);
    assert_true(host(set, "TESTZ")->ems_ready);
    assert_int_equal(host(set, "TESTZ")->n_events, 0);
    assert_int_equal(set->n_holidays, 2);
    assert_int_equal(host(set, "TESTA")->events[6].evblok.kl, 4);
    assert_memory_equal(host(set, "TESTA")->events[3].evblok.day_list,
                        "\0\0\0\0\0\0\0\1", 8);
    assert_string_equal(host(set, "TESTA")->events[1].action_target, "TESTE");
    assert_null(host(set, "TESTA")->events[0].action_target);
    assert_int_equal(host(set, "TESTS")->jobs[0].entry.flag2, 0xA0);
    assert_int_equal(host(set, "TESTP")->jobs[0].entry.flag2, 0x80);
    /* the two YAML files and the two raw tables, for watching */
    assert_int_equal(set->n_files, 4);
    xdi_fixture_free(set);
}

/* TESTA's KILL event, byte for byte (docs/protocol.md §8). */
static void test_fixture_kill_evblok_bytes(void **state)
{
    static const uint8_t expected[230] = {
        /* 0 system name TESTA */
        0xE3,
        0xC5,
        0xE2,
        0xE3,
        0xC1,
        0x40,
        0x40,
        0x40,
        /* 8 event key KILL */
        0xD2,
        0xC9,
        0xD3,
        0xD3,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        /* 28 additional text "cancel a TSO user" + 91 blanks */
        0x83,
        0x81,
        0x95,
        0x83,
        0x85,
        0x93,
        0x40,
        0x81,
        0x40,
        0xE3,
        0xE2,
        0xD6,
        0x40,
        0xA4,
        0xA2,
        0x85,
        0x99,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        0x40,
        /* 136 IL = 8 + KL, KL 4, VL 4 */
        0x00,
        0x0C,
        0x00,
        0x04,
        0x00,
        0x04,
        /* 142 the "always" frame: SDATE EDATE STIME STSEC ETIME ETSEC */
        0x01,
        0x90,
        0x00,
        0x01,
        0x09,
        0x99,
        0x93,
        0x65,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x23,
        0x59,
        0x59,
        0x00,
        0x00,
        0x01,
        0x51,
        0x7F,
        /* 166 day-list: every day and holidays */
        0x01,
        0x01,
        0x01,
        0x01,
        0x01,
        0x01,
        0x01,
        0x01,
        /* 174 ET 02 command, 175 reserved (15) */
        0x02,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        /* 190 SSDT 1900-01-01, 194 ESDT 9999-12-31 */
        0x19,
        0x00,
        0x01,
        0x01,
        0x99,
        0x99,
        0x12,
        0x31,
        /* 198 user working area (32) */
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
        0x00,
    };
    struct xdi_fixture_set *set = load_shipped("test");
    uint8_t out[230];

    (void)state;
    naccb_evblok_encode(&host(set, "TESTA")->events[0].evblok, out);
    assert_memory_equal(out, expected, sizeof expected);
    xdi_fixture_free(set);
}

/* TESTA's BUSY event: 2026-11-02..30, 08:30:00-17:00:00, Mon-Fri, not on
 * holidays.  2026-11-02 is day 306, 2026-11-30 day 334. */
static void test_fixture_time_frame_fields(void **state)
{
    static const uint8_t days[8] = {0, 1, 1, 1, 1, 1, 0, 0};
    struct xdi_fixture_set *set = load_shipped("test");
    const struct naccb_evblok *e = &host(set, "TESTA")->events[2].evblok;

    (void)state;
    assert_int_equal(e->sdate, 0x02026306);
    assert_int_equal(e->edate, 0x02026334);
    assert_int_equal(e->ssdt, 0x20261102);
    assert_int_equal(e->esdt, 0x20261130);
    assert_int_equal(e->stime, 0x08300000);
    assert_int_equal(e->stsec, 30600);
    assert_int_equal(e->etime, 0x17000000);
    assert_int_equal(e->etsec, 61200);
    assert_memory_equal(e->day_list, days, 8);
    xdi_fixture_free(set);
}

/* The raw table is served as its file's bytes: the second EVBLOK of
 * raw/testr.ems starts with system name TESTR and key RAWCMD. */
static void test_fixture_raw_table_bytes(void **state)
{
    static const uint8_t head[16] = {0xE3, 0xC5, 0xE2, 0xE3, 0xD9, 0x40,
                                     0x40, 0x40, 0xD9, 0xC1, 0xE6, 0xC3,
                                     0xD4, 0xC4, 0x40, 0x40};
    struct xdi_fixture_set *set = load_shipped("test");
    const struct xdi_host *r = host(set, "TESTR");

    (void)state;
    assert_memory_equal(r->ems_raw + 230, head, sizeof head);
    /* its SDATE is the protocol notes' example, 2026-11-21 */
    assert_int_equal(r->ems_raw[230 + 142], 0x02);
    assert_int_equal(r->ems_raw[230 + 145], 0x25);
    xdi_fixture_free(set);
}

static void test_fixture_trigger_defaults_to_own_host(void **state)
{
    struct xdi_fixture_set *set = load_shipped("test");
    const struct xdi_host *a = host(set, "TESTA");
    const struct xdi_trigger *t0 = &a->jobs[0].triggers[0];
    const struct xdi_trigger *t1 = &a->jobs[1].triggers[0];

    (void)state;
    assert_int_equal(t0->on, XDI_TRIGGER_EOJ);
    assert_string_equal(t0->target_host, "TESTA");
    assert_int_equal(t0->n_conditions, 1);
    assert_int_equal(t0->conditions[0].field, XDI_COND_MAX_CC);
    assert_int_equal(t0->conditions[0].op, XDI_OP_LE);
    assert_int_equal(t0->conditions[0].value, 4);
    assert_int_equal(t1->on, XDI_TRIGGER_EOS);
    assert_string_equal(t1->step_name, "STEP2");
    assert_string_equal(t1->target_host, "TESTS");
    assert_int_equal(t1->conditions[0].field, XDI_COND_NOTES);
    assert_int_equal(t1->conditions[0].value, 'A');
    /* flag2: job name and job-id given, so both captured */
    assert_int_equal(a->jobs[1].entry.flag2, 0xC0);
    xdi_fixture_free(set);
}

/* Each fixtures/bad/<dir> holds one error at a known line
 * (fixtures/bad/README.md). */
static void test_fixture_bad_dirs(void **state)
{
    static const struct {
        const char *dir;
        int line;
        const char *what;
    } cases[] = {
        {"unknown-key", 3, "unknown key 'passwd' in host (did you mean "
                           "'password'? known keys: "},
        {"wrong-type", 4, "expected true or false"},
        {"bad-date", 8, "2100-02-29 is not a valid date"},
        {"frame-order", 9, "EDATE is before SDATE"},
        {"kl-too-long", 6, "KL outside 1..20"},
        {"vl-over-kl", 6, "VL greater than KL"},
        {"time-of-day", 6, "not for agents"},
        {"duplicate-host", 4, "already defined"},
        {"long-system", 2, "at most 8"},
        {"long-password", 3, "1 to 8"},
        {"bad-cidr", 5, "10.0.0.0/33"},
        {"unknown-target", 9, "SYSX is not defined"},
        {"bad-job-name", 8, "'payroll2' is not a name"},
        {"yaml-syntax", 4, "YAML"},
        {"raw-size", 4, "229 bytes"},
        {"raw-invalid", 4, "byte offset 230"},
        {"raw-absolute", 4, "is an absolute path outside the fixture"},
        {"raw-dotdot", 4, "goes up with '..' outside the fixture"},
        {"alias-bomb", 707, "aliases expand the fixture set past 100000"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[512], file[600];
        struct errors errs = {0};
        struct xdi_fixture_set *set = NULL;
        snprintf(dir, sizeof dir, "%s/fixtures/bad/%s", XDI_SOURCE_DIR,
                 cases[i].dir);
        snprintf(file, sizeof file, "%s/hosts.yaml", dir);
        print_message("fixtures/bad/%s\n", cases[i].dir);
        assert_int_equal(xdi_fixture_load(dir, &set, collect, &errs), 1);
        assert_null(set);
        assert_string_equal(errs.e[0].file, file);
        assert_int_equal(errs.e[0].line, cases[i].line);
        assert_non_null(strstr(errs.e[0].message, cases[i].what));
    }
}

/* ======================================================================
 * one error each, at its exact line
 * ==================================================================== */

static void test_fixture_error_unknown_key(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          colour: red\n",
                     7, "unknown key 'colour' in event (known keys: ");
}

/* A key one or two edits from a known one names it; swapped neighbours
 * are one edit. */
static void test_fixture_error_unknown_key_suggests_the_nearest(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          targte: SYSA\n",
                     7, "unknown key 'targte' in event (did you mean "
                        "'target'? ");
}

static void test_fixture_error_unknown_top_level_key(void **state)
{
    expect_one_error(state,
                     "host:\n"
                     "  - system: SYSA\n",
                     1, "unknown key 'host' in a fixture file (did you "
                        "mean 'hosts'? ");
}

static void test_fixture_error_wrong_type_list(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events: HELLO\n",
                     4, "events: expected a list");
}

static void test_fixture_error_wrong_type_number(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: KILL\n"
                     "          type: command\n"
                     "          vl: four\n",
                     7, "vl: expected a whole number");
}

static void test_fixture_error_quoted_bool_is_a_string(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      ready: \"true\"\n",
                     4, "expected true or false");
}

static void test_fixture_error_key_twice(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    password: ONE\n"
                     "    password: TWO\n",
                     4, "given twice in host (first at line 3)");
}

static void test_fixture_error_missing_type(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          text: no type\n",
                     5, "event has no 'type'");
}

static void test_fixture_error_missing_system(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - password: X\n",
                     2, "host has no 'system'");
}

/* 2100 is not a leap year (divisible by 100, not by 400). */
static void test_fixture_error_bad_date_2100_02_29(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          frame:\n"
                     "            end_date: 2100-02-29\n",
                     8, "end_date: 2100-02-29 is not a valid date");
}

/* 2000 is (divisible by 400): the same day loads. */
static void test_fixture_leap_day_2000_loads(void **state)
{
    struct tmp *t = *state;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    ems:\n"
               "      events:\n"
               "        - key: HELLO\n"
               "          type: message\n"
               "          frame:\n"
               "            start_date: 2000-02-29\n"
               "            end_date: 2000-12-31\n");
    assert_int_equal(load_tmp(t), 0);
    /* day 60 of 2000; Dec 31 of a leap year is day 366 */
    assert_int_equal(t->set->hosts[0].events[0].evblok.sdate, 0x02000060);
    assert_int_equal(t->set->hosts[0].events[0].evblok.edate, 0x02000366);
    /* keys left out of a frame keep the "always" values */
    assert_int_equal(t->set->hosts[0].events[0].evblok.etime, 0x23595900);
    assert_memory_equal(t->set->hosts[0].events[0].evblok.day_list,
                        "\1\1\1\1\1\1\1\1", 8);
}

static void test_fixture_error_bad_date_syntax(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          frame:\n"
                     "            start_date: 21.11.2026\n",
                     8, "write YYYY-MM-DD");
}

static void test_fixture_error_frame_dates_reversed(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          frame:\n"
                     "            start_date: 2026-11-21\n"
                     "            end_date: 2026-11-20\n",
                     9, "EDATE is before SDATE");
}

static void test_fixture_error_frame_times_reversed(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          frame:\n"
                     "            end_time: \"06:00:00\"\n"
                     "            start_time: \"22:00:00\"\n",
                     8, "ETIME is before STIME");
}

static void test_fixture_error_bad_time(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          frame:\n"
                     "            start_time: \"24:00:00\"\n",
                     8, "hour above 23");
}

static void test_fixture_error_kl_21(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          kl: 21\n",
                     7, "kl: KL outside 1..20");
}

static void test_fixture_error_kl_0(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          kl: 0\n",
                     7, "KL outside 1..20");
}

static void test_fixture_error_kl_longer_than_key(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          kl: 6\n"
                     "          type: message\n",
                     6, "longer than the key");
}

static void test_fixture_error_key_21_characters(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: ABCDEFGHIJKLMNOPQRSTU\n"
                     "          type: message\n",
                     5, "key: 21 characters long");
}

/* 20 is the boundary that fits. */
static void test_fixture_key_20_characters_loads(void **state)
{
    struct tmp *t = *state;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    ems:\n"
               "      events:\n"
               "        - key: ABCDEFGHIJKLMNOPQRST\n"
               "          type: message\n");
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->hosts[0].events[0].evblok.kl, 20);
    assert_int_equal(t->set->hosts[0].events[0].evblok.il, 28);
}

static void test_fixture_error_vl_over_kl(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: KILL\n"
                     "          type: command\n"
                     "          vl: 5\n",
                     7, "vl: VL greater than KL");
}

static void test_fixture_error_time_of_day_event(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: TICK\n"
                     "          type: time-of-day\n",
                     6, "not for agents");
}

static void test_fixture_error_end_of_task_event(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: TICK\n"
                     "          type: end-of-task\n",
                     6, "not for agents");
}

static void test_fixture_error_arg_without_verb(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: KILL\n"
                     "          type: command\n"
                     "          action: \"CANCEL U=&arg\"\n",
                     7, "uses &arg, but vl is 0");
}

static void test_fixture_error_action_129(void **state)
{
    char yaml[512];

    snprintf(yaml, sizeof yaml,
             "hosts:\n"
             "  - system: SYSA\n"
             "    ems:\n"
             "      events:\n"
             "        - key: KILL\n"
             "          type: command\n"
             "          action: %0129d\n",
             0);
    expect_one_error(state, yaml, 7, "action: 129 characters long");
}

static void test_fixture_error_duplicate_host(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "  - system: SYSB\n"
                     "  - system: SYSA\n",
                     4, "host SYSA is already defined at");
}

/* Names are unique across files too, and the message names the first. */
static void test_fixture_error_duplicate_host_across_files(void **state)
{
    struct tmp *t = *state;
    char first[600], second[600];

    write_text(t, "a.yaml", "hosts:\n  - system: SYSA\n");
    write_text(t, "b.yaml", "\nhosts:\n  - system: SYSA\n");
    assert_int_equal(load_tmp(t), 1);
    snprintf(first, sizeof first, "%s/a.yaml:2", t->dir);
    snprintf(second, sizeof second, "%s/b.yaml", t->dir);
    assert_string_equal(t->errs.e[0].file, second);
    assert_int_equal(t->errs.e[0].line, 3);
    assert_non_null(strstr(t->errs.e[0].message, first));
}

static void test_fixture_error_system_name_9(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSTEMABC\n",
                     2, "at most 8");
}

static void test_fixture_error_system_name_syntax(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: sysa\n",
                     2, "'sysa' is not a name");
}

static void test_fixture_error_password_9(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "\n"
                     "    password: TOOLONGPW\n",
                     4, "password: 9 characters long");
}

static void test_fixture_password_8_loads(void **state)
{
    struct tmp *t = *state;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    password: EIGHTCHR\n");
    assert_int_equal(load_tmp(t), 0);
    assert_string_equal(t->set->hosts[0].password, "EIGHTCHR");
}

static void test_fixture_error_bad_cidr(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    allow:\n"
                     "      - 10.0.0.0/8\n"
                     "      - 10.0.0.300/32\n",
                     5, "not an IPv4 or IPv6 network");
}

static void test_fixture_error_cidr_prefix_129(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    allow: [\"::1/129\"]\n",
                     3, "::1/129");
}

static void test_fixture_error_cidr_host_bits(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    allow: [10.1.2.3/8]\n",
                     3, "bits set after the /prefix");
}

static void test_fixture_error_empty_allow(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    allow: []\n",
                     3, "empty list");
}

static void test_fixture_error_trigger_unknown_host(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          triggers:\n"
                     "            - on: eoj\n"
                     "              run: PAYROLL2\n"
                     "              host: SYSX\n",
                     9, "host: host SYSX is not defined");
}

/* A trigger may name a host defined further down, even in a later file. */
static void test_fixture_trigger_forward_host(void **state)
{
    struct tmp *t = *state;

    write_text(t, "a.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    scd:\n"
               "      jobs:\n"
               "        - job: PAYROLL1\n"
               "          triggers:\n"
               "            - {on: eoj, run: PAYROLL2, host: SYSB}\n");
    write_text(t, "b.yaml", "hosts:\n  - system: SYSB\n");
    assert_int_equal(load_tmp(t), 0);
    assert_string_equal(t->set->hosts[0].jobs[0].triggers[0].target_host,
                        "SYSB");
}

static void test_fixture_error_trigger_job_syntax(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          triggers:\n"
                     "            - on: eoj\n"
                     "              run: PAY-ROLL\n",
                     8, "'PAY-ROLL' is not a name");
}

static void test_fixture_error_trigger_job_9(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          triggers:\n"
                     "            - on: eoj\n"
                     "              run: PAYROLL12\n",
                     8, "at most 8");
}

static void test_fixture_error_event_target_unknown(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: HELLO\n"
                     "          type: message\n"
                     "          action: D A,L\n"
                     "          target: SYSQ\n",
                     8, "target: host SYSQ is not defined");
}

static void test_fixture_error_step_on_eoj(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          triggers:\n"
                     "            - on: eoj\n"
                     "              step: STEP1\n"
                     "              run: PAYROLL2\n",
                     8, "only an 'on: eos' trigger");
}

static void test_fixture_error_bad_condition(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          triggers:\n"
                     "            - on: eoj\n"
                     "              run: PAYROLL2\n"
                     "              when:\n"
                     "                max_cc: \"=< 4\"\n",
                     10, "is not a condition");
}

static void test_fixture_error_condition_above_halfword(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          triggers:\n"
                     "            - on: eoj\n"
                     "              run: PAYROLL2\n"
                     "              when: {ucc: \"> 0x10000\"}\n",
                     9, "is not a condition");
}

static void test_fixture_conditions_parse(void **state)
{
    struct tmp *t = *state;
    const struct xdi_trigger *tr;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    scd:\n"
               "      jobs:\n"
               "        - job: PAYROLL1\n"
               "          triggers:\n"
               "            - on: eoj\n"
               "              run: PAYROLL2\n"
               "              when:\n"
               "                scc: \"== 0x0C4\"\n"
               "                ucc: [\">= 8\", \"<16\"]\n"
               "                notes: \"!= normal\"\n"
               "                max_cc: 4\n");
    assert_int_equal(load_tmp(t), 0);
    tr = &t->set->hosts[0].jobs[0].triggers[0];
    assert_int_equal(tr->n_conditions, 5);
    /* in key order: max_cc, scc, ucc, ucc, notes */
    assert_int_equal(tr->conditions[0].field, XDI_COND_MAX_CC);
    assert_int_equal(tr->conditions[0].op, XDI_OP_EQ);
    assert_int_equal(tr->conditions[0].value, 4);
    assert_int_equal(tr->conditions[1].field, XDI_COND_SCC);
    assert_int_equal(tr->conditions[1].value, 0xC4);
    assert_int_equal(tr->conditions[2].op, XDI_OP_GE);
    assert_int_equal(tr->conditions[3].op, XDI_OP_LT);
    assert_int_equal(tr->conditions[3].value, 16);
    assert_int_equal(tr->conditions[4].field, XDI_COND_NOTES);
    assert_int_equal(tr->conditions[4].op, XDI_OP_NE);
    assert_int_equal(tr->conditions[4].value, 'N');
}

/* A captured name must be there (naccb_eotinfo_validate, table entry):
 * reported at the `capture:` line. */
static void test_fixture_error_capture_blank_name(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          capture: [job, step]\n",
                     6, "job-step name at offset 130");
}

static void test_fixture_error_capture_nothing(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "          capture: []\n",
                     6, "flag2 marks no name field");
}

static void test_fixture_error_duplicate_job(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      jobs:\n"
                     "        - job: PAYROLL1\n"
                     "        - job: PAYROLL1\n",
                     6, "same entry as at line 5");
}

static void test_fixture_error_events_and_raw(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events: []\n"
                     "      raw: x.ems\n",
                     5, "not both");
}

static void test_fixture_error_not_latin1(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems:\n"
                     "      events:\n"
                     "        - key: \"PRICE \xE2\x82\xAC\"\n"
                     "          type: message\n",
                     5, "U+20AC is not in ISO-8859-1");
}

static void test_fixture_error_yaml_syntax(void **state)
{
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    ems: {ready: true\n"
                     "  - system: SYSB\n",
                     4, "YAML");
}

static void test_fixture_error_settings_twice(void **state)
{
    struct tmp *t = *state;
    char file[600];

    write_text(t, "a.yaml", "settings:\n  codepage: \"037\"\n");
    write_text(t, "b.yaml",
               "hosts:\n  - system: SYSA\nsettings:\n  codepage: \"500\"\n");
    assert_int_equal(load_tmp(t), 1);
    snprintf(file, sizeof file, "%s/b.yaml", t->dir);
    assert_string_equal(t->errs.e[0].file, file);
    assert_int_equal(t->errs.e[0].line, 4);
    assert_non_null(strstr(t->errs.e[0].message, "already given"));
}

static void test_fixture_error_unknown_codepage(void **state)
{
    expect_one_error(state,
                     "settings:\n"
                     "  codepage: \"285\"\n"
                     "hosts:\n"
                     "  - system: SYSA\n",
                     2, "unknown code page '285'");
}

/* ---- raw tables --------------------------------------------------------- */

/* A valid EVBLOK of host SYSA in code page 037, written by hand: key
 * HELLO, message, the "always" frame. */
static void hand_evblok(uint8_t b[230])
{
    static const uint8_t head[13] = {0xE2, 0xE8, 0xE2, 0xC1, 0x40, 0x40, 0x40,
                                     0x40, 0xC8, 0xC5, 0xD3, 0xD3, 0xD6};
    static const uint8_t tail[] = {
        0x00, 0x0D, 0x00, 0x05, 0x00, 0x00,             /* IL KL VL */
        0x01, 0x90, 0x00, 0x01, 0x09, 0x99, 0x93, 0x65, /* SDATE EDATE */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* STIME STSEC */
        0x23, 0x59, 0x59, 0x00, 0x00, 0x01, 0x51, 0x7F, /* ETIME ETSEC */
        0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, /* day-list */
        0x01,                                           /* ET message */
    };
    static const uint8_t std[8] = {0x19, 0x00, 0x01, 0x01,
                                   0x99, 0x99, 0x12, 0x31};

    memset(b, 0x40, 136);
    memset(b + 136, 0, 230 - 136);
    memcpy(b, head, sizeof head);
    memcpy(b + 136, tail, sizeof tail);
    memcpy(b + 190, std, sizeof std);
}

static const char raw_yaml[] = "hosts:\n"
                               "  - system: SYSA\n"
                               "    ems:\n"
                               "      raw: t.ems\n";

static void test_fixture_raw_loads(void **state)
{
    struct tmp *t = *state;
    uint8_t table[460];

    hand_evblok(table);
    hand_evblok(table + 230);
    write_bytes(t, "t.ems", table, sizeof table);
    write_text(t, "hosts.yaml", raw_yaml);
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->hosts[0].ems_raw_len, 460);
    assert_memory_equal(t->set->hosts[0].ems_raw, table, sizeof table);
}

/* ---- raw paths stay inside the set (docs/fixtures.md) ------------------ */

static void test_fixture_error_raw_absolute_path(void **state)
{
    struct tmp *t = *state;
    uint8_t table[230];
    char yaml[400];

    hand_evblok(table);
    write_bytes(t, "t.ems", table, sizeof table);
    /* even a file of the set, named by its absolute path */
    snprintf(yaml, sizeof yaml,
             "hosts:\n  - system: SYSA\n    ems:\n      raw: %s/t.ems\n",
             t->dir);
    expect_one_error(state, yaml, 4, "is an absolute path outside the fixture");
}

static void test_fixture_error_raw_dotdot(void **state)
{
    struct tmp *t = *state;
    uint8_t table[230];
    char yaml[400];
    const char *base = strrchr(t->dir, '/') + 1;

    hand_evblok(table);
    write_bytes(t, "t.ems", table, sizeof table);
    /* back into the set itself: still refused, '..' is never followed */
    snprintf(yaml, sizeof yaml,
             "hosts:\n  - system: SYSA\n    ems:\n      raw: ../%s/t.ems\n",
             base);
    expect_one_error(state, yaml, 4, "goes up with '..'");
}

/* A symbolic link inside the set to a file outside it. */
static void test_fixture_error_raw_symlink_outside(void **state)
{
    struct tmp *t = *state;
    uint8_t table[230];
    char outside[128], link_path[600];
    FILE *fp;

    hand_evblok(table);
    snprintf(outside, sizeof outside, "%s.outside.ems", t->dir);
    fp = fopen(outside, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(table, 1, sizeof table, fp), sizeof table);
    assert_int_equal(fclose(fp), 0);
    snprintf(link_path, sizeof link_path, "%s/t.ems", t->dir);
    assert_int_equal(symlink(outside, link_path), 0);
    expect_one_error(state, raw_yaml, 4, "symbolic link");
    unlink(outside);
}

/* settings: raw_outside: true lets the set name any file. */
static void test_fixture_raw_outside_allowed_by_setting(void **state)
{
    struct tmp *t = *state;
    uint8_t table[230];
    char yaml[400];

    hand_evblok(table);
    write_bytes(t, "t.ems", table, sizeof table);
    write_text(t, "settings.yaml", "settings:\n  raw_outside: true\n");
    snprintf(yaml, sizeof yaml,
             "hosts:\n  - system: SYSA\n    ems:\n      raw: %s/t.ems\n",
             t->dir);
    write_text(t, "hosts.yaml", yaml);
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->hosts[0].ems_raw_len, 230);
}

/* ---- alias expansion is bounded ------------------------------------------ */

/* Aliases within the bound are fine: a shared list of events. */
static void test_fixture_aliases_within_bound_load(void **state)
{
    struct tmp *t = *state;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    ems:\n"
               "      events: &ev\n"
               "        - {key: HELLO, type: message}\n"
               "        - {key: BYE, type: message}\n"
               "  - {system: SYSB, ems: {events: *ev}}\n");
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->n_hosts, 2);
    assert_int_equal(t->set->hosts[1].n_events, 2);
}

/* One list of 100 events reused through an alias by 1,199 hosts: 119,900
 * events from a file of about 45 KB.  The first 1,000 reuses (100,000
 * events) are within the bound; the host after them is refused, once, at
 * the line of its `ems:`. */
static void test_fixture_error_alias_expansion_bounded(void **state)
{
    size_t cap = 64 * 1024, n = 0;
    char *yaml = malloc(cap);

    assert_non_null(yaml);
    n += (size_t)snprintf(yaml + n, cap - n,
                          "hosts:\n  - system: H0\n    ems:\n"
                          "      events: &l\n");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(yaml + n, cap - n,
                              "        - {key: K%d, type: message}\n", i);
    for (int h = 1; h < 1200; h++)
        n += (size_t)snprintf(yaml + n, cap - n,
                              "  - {system: H%d, ems: {events: *l}}\n", h);
    assert_true(n < cap);
    /* line 105 is H1, so H1001 is at line 1105 */
    expect_one_error(state, yaml, 1105, "aliases expand the fixture set");
    free(yaml);
}

static void test_fixture_error_raw_wrong_size(void **state)
{
    struct tmp *t = *state;
    uint8_t table[231];

    hand_evblok(table);
    table[230] = 0;
    write_bytes(t, "t.ems", table, sizeof table);
    expect_one_error(state, raw_yaml, 4, "231 bytes, not a whole number");
}

/* The error names the table file and the byte offsets of the object and
 * of the failing field. */
static void test_fixture_error_raw_invalid_evblok(void **state)
{
    struct tmp *t = *state;
    uint8_t table[690];
    char path[600];

    hand_evblok(table);
    hand_evblok(table + 230);
    hand_evblok(table + 460);
    table[460 + 140 + 1] = 6; /* third EVBLOK: VL 6 > KL 5 */
    write_bytes(t, "t.ems", table, sizeof table);
    expect_one_error(state, raw_yaml, 4,
                     "EVBLOK 2 at byte offset 460: VL greater than KL "
                     "(field VL, byte offset 600)");
    snprintf(path, sizeof path, "%s/t.ems", t->dir);
    assert_non_null(strstr(t->errs.e[0].message, path));
}

static void test_fixture_error_raw_other_system(void **state)
{
    struct tmp *t = *state;
    uint8_t table[230];

    hand_evblok(table);
    table[3] = 0xC2; /* SYSB */
    write_bytes(t, "t.ems", table, sizeof table);
    expect_one_error(state, raw_yaml, 4, "system name is not this host's");
}

static void test_fixture_error_raw_missing(void **state)
{
    expect_one_error(state, raw_yaml, 4, "cannot read");
}

static void test_fixture_error_raw_eotinfo_size(void **state)
{
    struct tmp *t = *state;
    uint8_t table[163] = {0};

    write_bytes(t, "t.scd", table, sizeof table);
    expect_one_error(state,
                     "hosts:\n"
                     "  - system: SYSA\n"
                     "    scd:\n"
                     "      raw: t.scd\n",
                     4, "not a whole number of EOTINFOs");
}

/* ---- all errors, not only the first -------------------------------------- */

static void test_fixture_reports_all_errors(void **state)
{
    struct tmp *t = *state;
    char b[600];

    write_text(t, "a.yaml",
               "hosts:\n"
               "  - system: SYSTEMABC\n" /* 2: too long */
               "    ems:\n"
               "      events:\n"
               "        - key: KILL\n"
               "          type: command\n"
               "          vl: 5\n" /* 7: VL > KL */
               "        - key: TICK\n"
               "          type: time-of-day\n"); /* 9 */
    write_text(t, "b.yaml",
               "hosts:\n"
               "  - system: SYSB\n"
               "    passwd: X\n"); /* 3: unknown key */
    assert_int_equal(load_tmp(t), 4);
    assert_null(t->set);
    assert_int_equal(t->errs.n, 4);
    assert_int_equal(t->errs.e[0].line, 2);
    assert_int_equal(t->errs.e[1].line, 7);
    assert_int_equal(t->errs.e[2].line, 9);
    assert_int_equal(t->errs.e[3].line, 3);
    snprintf(b, sizeof b, "%s/b.yaml", t->dir);
    assert_string_equal(t->errs.e[3].file, b);
}

static void test_fixture_error_dir_missing(void **state)
{
    struct tmp *t = *state;
    struct xdi_fixture_set *set = (struct xdi_fixture_set *)1;
    struct errors errs = {0};
    char dir[600];

    snprintf(dir, sizeof dir, "%s/nope", t->dir);
    assert_int_equal(xdi_fixture_load(dir, &set, collect, &errs), -1);
    assert_null(set);
    assert_int_equal(errs.n, 1);
    assert_int_equal(errs.e[0].line, 0);
}

static void test_fixture_error_no_files(void **state)
{
    struct tmp *t = *state;

    write_text(t, "README.md", "not a fixture\n");
    assert_int_equal(load_tmp(t), 1);
    assert_non_null(strstr(t->errs.e[0].message, "no fixture files"));
}

static void test_fixture_error_no_hosts(void **state)
{
    struct tmp *t = *state;

    write_text(t, "settings.yaml", "settings:\n  codepage: \"037\"\n");
    assert_int_equal(load_tmp(t), 1);
    assert_non_null(strstr(t->errs.e[0].message, "defines no hosts"));
}

/* ======================================================================
 * code pages, files, defaults
 * ==================================================================== */

/* settings may come from a later file: it still converts earlier hosts.
 * '[' is 0xBA in 037 and 0xAD in 1047. */
static void test_fixture_codepage_applies_to_every_file(void **state)
{
    struct tmp *t = *state;

    write_text(t, "a.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    ems:\n"
               "      events:\n"
               "        - {key: \"[X\", type: message}\n");
    write_text(t, "z.yaml", "settings:\n  codepage: \"1047\"\n");
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->codepage, NACCB_CP_1047);
    assert_int_equal(t->set->hosts[0].events[0].evblok.event_key[0], 0xAD);
    assert_int_equal(t->set->hosts[0].events[0].evblok.event_key[1], 0xE7);
}

/* ascii: identity, blank 0x20, in text and in the padding. */
static void test_fixture_codepage_ascii(void **state)
{
    struct tmp *t = *state;

    write_text(t, "hosts.yaml",
               "settings: {codepage: ascii}\n"
               "hosts:\n"
               "  - system: SYSA\n"
               "    ems:\n"
               "      events:\n"
               "        - {key: \"Hi\", type: message}\n");
    assert_int_equal(load_tmp(t), 0);
    assert_memory_equal(t->set->hosts[0].events[0].evblok.event_key,
                        "Hi                  ", 20);
    assert_memory_equal(t->set->hosts[0].events[0].evblok.system_name,
                        "SYSA    ", 8);
}

/* YAML is UTF-8; the set is Latin-1 host-side: "é" is 0xE9 there and
 * 0x51 in IBM-037. */
static void test_fixture_latin1_text(void **state)
{
    struct tmp *t = *state;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    password: \"caf\xC3\xA9\"\n"
               "    ems:\n"
               "      events:\n"
               "        - {key: \"\xC3\xA9\", type: message}\n");
    assert_int_equal(load_tmp(t), 0);
    assert_string_equal(t->set->hosts[0].password, "caf\xE9");
    assert_int_equal(t->set->hosts[0].events[0].evblok.event_key[0], 0x51);
    assert_int_equal(t->set->hosts[0].events[0].evblok.kl, 1);
}

static void test_fixture_defaults(void **state)
{
    struct tmp *t = *state;
    const struct xdi_host *h;

    write_text(t, "hosts.yaml",
               "hosts:\n"
               "  - system: SYSA\n"
               "    ems:\n"
               "      events:\n"
               "        - {key: HELLO, type: message}\n"
               "  - system: SYSB\n");
    assert_int_equal(load_tmp(t), 0);
    h = &t->set->hosts[0];
    assert_int_equal(t->set->codepage, NACCB_CP_037);
    assert_true(h->ems_ready);         /* a section is ready by default */
    assert_false(h->scd_ready);        /* no section: not ready */
    assert_int_equal(h->n_allowed, 0); /* any address */
    assert_null(h->password);
    assert_int_equal(h->events[0].evblok.kl, 5);
    assert_int_equal(h->events[0].evblok.il, 13);
    assert_int_equal(h->events[0].evblok.vl, 0);
    assert_int_equal(h->events[0].evblok.sdate, NACCB_ALWAYS_SDATE);
    assert_int_equal(h->events[0].evblok.etsec, NACCB_ALWAYS_ETSEC);
    assert_null(h->events[0].action);
    assert_int_equal(h->events[0].line, 5);
    assert_false(t->set->hosts[1].ems_ready);
}

static void test_fixture_find_host(void **state)
{
    struct xdi_fixture_set *set = load_shipped("test");

    (void)state;
    assert_ptr_equal(xdi_fixture_find_host(set, "TESTP"), &set->hosts[1]);
    assert_null(xdi_fixture_find_host(set, "TESTQ"));
    assert_null(xdi_fixture_find_host(set, "testp"));
    assert_null(xdi_fixture_find_host(set, ""));
    assert_null(xdi_fixture_find_host(NULL, "TESTP"));
    xdi_fixture_free(set);
    xdi_fixture_free(NULL);
}

/* ======================================================================
 * holidays
 * ==================================================================== */

static void test_fixture_holidays(void **state)
{
    struct tmp *t = *state;
    struct naccb_date d;

    write_text(t, "hosts.yaml",
               "settings:\n"
               "  holidays: [2026-12-25, 2026-01-01, 2024-02-29]\n"
               "hosts:\n"
               "  - system: SYSA\n");
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->n_holidays, 3);
    /* sorted */
    assert_int_equal(t->set->holidays[0].year, 2024);
    assert_int_equal(t->set->holidays[2].month, 12);
    d = (struct naccb_date){2026, 12, 25};
    assert_int_equal(xdi_fixture_is_holiday(t->set, &d), 1);
    d = (struct naccb_date){2024, 2, 29};
    assert_int_equal(xdi_fixture_is_holiday(t->set, &d), 1);
    d = (struct naccb_date){2026, 12, 24};
    assert_int_equal(xdi_fixture_is_holiday(t->set, &d), 0);
    d = (struct naccb_date){2025, 12, 25};
    assert_int_equal(xdi_fixture_is_holiday(t->set, &d), 0);
    assert_int_equal(xdi_fixture_is_holiday(NULL, &d), 0);
}

/* xdi_fixture_is_holiday is a naccb_holiday_fn: the frame check uses it. */
static void test_fixture_holiday_in_frame(void **state)
{
    struct xdi_fixture_set *set = load_shipped("test");
    const struct naccb_evblok *holi = &host(set, "TESTA")->events[3].evblok;
    struct naccb_local_time xmas = {{2026, 12, 25}, {12, 0, 0}};
    struct naccb_local_time eve = {{2026, 12, 24}, {12, 0, 0}};
    naccb_holiday_fn fn = xdi_fixture_is_holiday;

    (void)state;
    assert_int_equal(naccb_evblok_in_frame(holi, &xmas, fn, set), 1);
    assert_int_equal(naccb_evblok_in_frame(holi, &eve, fn, set), 0);
    xdi_fixture_free(set);
}

static void test_fixture_error_holiday_twice(void **state)
{
    expect_one_error(state,
                     "settings:\n"
                     "  holidays:\n"
                     "    - 2026-12-25\n"
                     "    - 2026-12-25\n"
                     "hosts:\n"
                     "  - system: SYSA\n",
                     4, "listed twice");
}

static void test_fixture_error_holiday_bad_date(void **state)
{
    expect_one_error(state,
                     "settings:\n"
                     "  holidays:\n"
                     "    - 2026-13-01\n"
                     "hosts:\n"
                     "  - system: SYSA\n",
                     3, "month outside 01..12");
}

/* ======================================================================
 * CIDR matching
 * ==================================================================== */

static struct sockaddr_in v4(const char *a)
{
    struct sockaddr_in s;

    memset(&s, 0, sizeof s);
    s.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
    return s;
}

static struct sockaddr_in6 v6(const char *a)
{
    struct sockaddr_in6 s;

    memset(&s, 0, sizeof s);
    s.sin6_family = AF_INET6;
    assert_int_equal(inet_pton(AF_INET6, a, &s.sin6_addr), 1);
    return s;
}

static int allows4(const struct xdi_host *h, const char *a)
{
    struct sockaddr_in s = v4(a);
    struct sockaddr sa;

    /* through a struct sockaddr, as the server holds it */
    memcpy(&sa, &s, sizeof sa);
    return xdi_host_allows_peer(h, &sa);
}

static int allows6(const struct xdi_host *h, const char *a)
{
    struct sockaddr_in6 s = v6(a);
    struct sockaddr_storage ss;

    memset(&ss, 0, sizeof ss);
    memcpy(&ss, &s, sizeof s);
    return xdi_host_allows_peer(h, (const struct sockaddr *)&ss);
}

static const struct xdi_host *load_allow(struct tmp *t, const char *allow)
{
    char yaml[512];

    snprintf(yaml, sizeof yaml, "hosts:\n  - system: SYSA\n    allow: %s\n",
             allow);
    write_text(t, "hosts.yaml", yaml);
    assert_int_equal(load_tmp(t), 0);
    return &t->set->hosts[0];
}

static void test_fixture_cidr_v4(void **state)
{
    const struct xdi_host *h = load_allow(*state, "[10.0.0.0/9]");

    assert_int_equal(allows4(h, "10.0.0.1"), 1);
    assert_int_equal(allows4(h, "10.127.255.255"), 1);
    assert_int_equal(allows4(h, "10.128.0.0"), 0); /* bit 9 differs */
    assert_int_equal(allows4(h, "11.0.0.1"), 0);
    assert_int_equal(allows6(h, "::ffff:10.1.2.3"), 1); /* v4-mapped */
    assert_int_equal(allows6(h, "::ffff:11.1.2.3"), 0);
    assert_int_equal(allows6(h, "::1"), 0);
}

static void test_fixture_cidr_v4_32(void **state)
{
    const struct xdi_host *h = load_allow(*state, "192.0.2.7");

    assert_int_equal(h->allowed[0].prefix, 32);
    assert_int_equal(allows4(h, "192.0.2.7"), 1);
    assert_int_equal(allows4(h, "192.0.2.6"), 0);
    assert_int_equal(allows4(h, "192.0.2.8"), 0);
}

/* 0.0.0.0/0 is every IPv4 peer (mapped ones too) and no IPv6 one. */
static void test_fixture_cidr_v4_0(void **state)
{
    const struct xdi_host *h = load_allow(*state, "[0.0.0.0/0]");

    assert_int_equal(allows4(h, "0.0.0.0"), 1);
    assert_int_equal(allows4(h, "255.255.255.255"), 1);
    assert_int_equal(allows6(h, "::ffff:127.0.0.1"), 1);
    assert_int_equal(allows6(h, "::1"), 0);
}

/* ::/0 is every IPv6 peer; a v4-mapped peer counts as IPv4. */
static void test_fixture_cidr_v6_0(void **state)
{
    const struct xdi_host *h = load_allow(*state, "[\"::/0\"]");

    assert_int_equal(allows6(h, "::1"), 1);
    assert_int_equal(allows6(h, "2001:db8::1"), 1);
    assert_int_equal(allows6(h, "::ffff:127.0.0.1"), 0);
    assert_int_equal(allows4(h, "127.0.0.1"), 0);
}

static void test_fixture_cidr_v6_128(void **state)
{
    const struct xdi_host *h = load_allow(*state, "[\"::1/128\"]");

    assert_int_equal(allows6(h, "::1"), 1);
    assert_int_equal(allows6(h, "::2"), 0);
    assert_int_equal(allows6(h, "::"), 0);
    assert_int_equal(allows4(h, "127.0.0.1"), 0);
}

static void test_fixture_cidr_v6_prefix(void **state)
{
    const struct xdi_host *h = load_allow(*state, "[\"2001:db8::/33\"]");

    assert_int_equal(allows6(h, "2001:db8::1"), 1);
    assert_int_equal(allows6(h, "2001:db8:7fff:ffff::1"), 1);
    assert_int_equal(allows6(h, "2001:db8:8000::1"), 0);
    assert_int_equal(allows6(h, "2001:db9::1"), 0);
}

/* A v4-mapped network is stored as the IPv4 network it means. */
static void test_fixture_cidr_mapped_network(void **state)
{
    const struct xdi_host *h =
        load_allow(*state, "[\"::ffff:198.51.100.0/120\"]");

    assert_int_equal(h->allowed[0].family, AF_INET);
    assert_int_equal(h->allowed[0].prefix, 24);
    assert_int_equal(allows4(h, "198.51.100.9"), 1);
    assert_int_equal(allows6(h, "::ffff:198.51.100.9"), 1);
    assert_int_equal(allows4(h, "198.51.101.9"), 0);
}

static void test_fixture_cidr_any_and_odd_peers(void **state)
{
    struct xdi_host open_host;
    struct sockaddr_un un;
    struct sockaddr sa;
    const struct xdi_host *h = load_allow(*state, "[10.0.0.0/8]");

    memset(&open_host, 0, sizeof open_host);
    assert_int_equal(allows4(&open_host, "203.0.113.1"), 1);
    assert_int_equal(allows6(&open_host, "2001:db8::1"), 1);
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    memcpy(&sa, &un, sizeof sa);
    assert_int_equal(xdi_host_allows_peer(h, &sa), 0);
    assert_int_equal(xdi_host_allows_peer(h, NULL), 0);
    assert_int_equal(xdi_host_allows_peer(NULL, &sa), 0);
}

/* The shipped test hosts behave as fixtures/test/README.md says. */
static void test_fixture_cidr_test_set(void **state)
{
    struct xdi_fixture_set *set = load_shipped("test");

    (void)state;
    assert_int_equal(allows4(host(set, "TESTX"), "127.0.0.1"), 0);
    assert_int_equal(allows6(host(set, "TESTX"), "::1"), 0);
    assert_int_equal(allows4(host(set, "TESTX"), "192.0.2.200"), 1);
    assert_int_equal(allows4(host(set, "TEST6"), "127.0.0.1"), 0);
    assert_int_equal(allows6(host(set, "TEST6"), "::1"), 1);
    assert_int_equal(allows4(host(set, "TESTP"), "127.0.0.1"), 1);
    assert_int_equal(allows6(host(set, "TESTP"), "::1"), 1);
    assert_int_equal(allows4(host(set, "TESTA"), "203.0.113.1"), 1);
    xdi_fixture_free(set);
}

/* ======================================================================
 * dump: a table back to YAML that loads to the same bytes
 * ==================================================================== */

static uint8_t *encode_events(const struct xdi_host *h, size_t *len)
{
    uint8_t *buf = malloc(h->n_events * 230);

    assert_non_null(buf);
    for (size_t i = 0; i < h->n_events; i++)
        naccb_evblok_encode(&h->events[i].evblok, buf + i * 230);
    *len = h->n_events * 230;
    return buf;
}

/* Dumps table into dir/dump.yaml, loads it, and returns the set. */
static void dump_and_reload(struct tmp *t, const uint8_t *table, size_t len,
                            bool ems)
{
    char path[600];
    FILE *fp;

    snprintf(path, sizeof path, "%s/dump.yaml", t->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(
        ems ? xdi_fixture_dump_ems(fp, table, len, NACCB_CP_037, "test")
            : xdi_fixture_dump_scd(fp, table, len, NACCB_CP_037, "test"),
        0);
    assert_int_equal(fclose(fp), 0);
    if (load_tmp(t) != 0)
        print_error("%d:%s\n", t->errs.e[0].line, t->errs.e[0].message);
    assert_non_null(t->set);
}

static void test_fixture_dump_round_trip_events(void **state)
{
    struct tmp *t = *state;
    struct xdi_fixture_set *set = load_shipped("test");
    size_t len, len2;
    uint8_t *table = encode_events(host(set, "TESTA"), &len);
    uint8_t *again;

    dump_and_reload(t, table, len, true);
    again = encode_events(&t->set->hosts[0], &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, table, len);
    free(again);
    free(table);
    xdi_fixture_free(set);
}

static void test_fixture_dump_round_trip_raw(void **state)
{
    struct tmp *t = *state;
    struct xdi_fixture_set *set = load_shipped("test");
    const struct xdi_host *r = host(set, "TESTR");
    uint8_t out[162];

    dump_and_reload(t, r->scd_raw, r->scd_raw_len, false);
    assert_string_equal(t->set->hosts[0].system_name, "TESTR");
    naccb_eotinfo_encode(&t->set->hosts[0].jobs[0].entry, out);
    assert_memory_equal(out, r->scd_raw, 162);
    xdi_fixture_free(set);
}

/* A table whose system name no fixture name can give is not dumped as
 * exact, and what the dump wrote does not load back to other bytes: it is
 * refused.  The two reproducers (issue 14, item 4). */
static void dump_bad_system_name(void **state, const uint8_t name[8], bool ems)
{
    struct tmp *t = *state;
    struct xdi_fixture_set *set = load_shipped("test");
    const struct xdi_host *a = host(set, "TESTA");
    size_t len, size = ems ? 230 : 162;
    size_t off = ems ? NACCB_EVB_SYSTEM_NAME : NACCB_EOT_SYSTEM_NAME;
    uint8_t *table;
    char path[600], text[4096];
    FILE *fp;
    size_t n;
    int lossy;

    if (ems) {
        table = encode_events(a, &len);
    } else {
        len = a->n_jobs * 162;
        table = malloc(len);
        assert_non_null(table);
        for (size_t i = 0; i < a->n_jobs; i++)
            naccb_eotinfo_encode(&a->jobs[i].entry, table + i * 162);
    }
    for (size_t at = 0; at < len; at += size)
        memcpy(table + at + off, name, 8);
    snprintf(path, sizeof path, "%s/dump.yaml", t->dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    lossy = ems ? xdi_fixture_dump_ems(fp, table, len, NACCB_CP_037, "t")
                : xdi_fixture_dump_scd(fp, table, len, NACCB_CP_037, "t");
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(lossy, (int)(len / size));
    fp = fopen(path, "r");
    assert_non_null(fp);
    n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    assert_non_null(strstr(text, "NOT EXACT"));
    /* refused at compile time, not loaded as another host's bytes */
    assert_true(load_tmp(t) > 0);
    assert_null(t->set);
    free(table);
    xdi_fixture_free(set);
}

static void test_fixture_dump_system_name_outside_alphabet(void **state)
{
    /* "TESTR /" in IBM-037 */
    static const uint8_t name[8] = {0xE3, 0xC5, 0xE2, 0xE3,
                                    0xD9, 0x40, 0x61, 0x40};
    dump_bad_system_name(state, name, true);
}

static void test_fixture_dump_system_name_with_nul(void **state)
{
    static const uint8_t name[8] = {0xE3, 0xC5, 0xE2, 0x00,
                                    0x00, 0x00, 0x02, 0x40};
    dump_bad_system_name(state, name, true);
    dump_bad_system_name(state, name, false);
}

/* Keys with significant blanks, KL below the key's length, and Latin-1
 * text with quotes survive the trip. */
static void test_fixture_dump_round_trip_odd_keys(void **state)
{
    struct tmp *t = *state;
    size_t len, len2;
    uint8_t *table, *again;

    write_text(
        t, "hosts.yaml",
        "hosts:\n"
        "  - system: \"SYS#\"\n"
        "    ems:\n"
        "      events:\n"
        "        - {key: \"AB  \", type: message}\n"
        "        - {key: \"LONGKEY\", kl: 2, type: command}\n"
        "        - {key: \"Q\", type: eos, text: \"say \\\"h\xC3\xA9\\\"\"}\n");
    assert_int_equal(load_tmp(t), 0);
    assert_int_equal(t->set->hosts[0].events[0].evblok.kl, 4);
    table = encode_events(&t->set->hosts[0], &len);
    remove_file(t, "hosts.yaml"); /* the dump replaces it */
    dump_and_reload(t, table, len, true);
    again = encode_events(&t->set->hosts[0], &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(again, table, len);
    free(again);
    free(table);
}

/* An invalid object is left out, named in a comment, and counted. */
static void test_fixture_dump_counts_invalid(void **state)
{
    uint8_t table[460];
    char buf[4096] = {0};
    FILE *fp = fmemopen(buf, sizeof buf - 1, "w");

    (void)state;
    assert_non_null(fp);
    hand_evblok(table);
    hand_evblok(table + 230);
    table[230 + 174] = 0x03; /* time-of-day */
    assert_int_equal(
        xdi_fixture_dump_ems(fp, table, sizeof table, NACCB_CP_037, NULL), 1);
    fclose(fp);
    assert_non_null(strstr(buf, "EVBLOK 1 at byte offset 230 left out"));
    assert_non_null(strstr(buf, "- key: \"HELLO\""));
    assert_int_equal(
        xdi_fixture_dump_ems(stdout, table, 229, NACCB_CP_037, NULL), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, tmp_setup, tmp_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_fixture_demo_loads),
        T(test_fixture_docs_example_is_demo),
        T(test_fixture_test_set_matches_readme),
        T(test_fixture_kill_evblok_bytes),
        T(test_fixture_time_frame_fields),
        T(test_fixture_raw_table_bytes),
        T(test_fixture_trigger_defaults_to_own_host),
        T(test_fixture_bad_dirs),
        T(test_fixture_error_unknown_key),
        T(test_fixture_error_unknown_key_suggests_the_nearest),
        T(test_fixture_error_unknown_top_level_key),
        T(test_fixture_error_wrong_type_list),
        T(test_fixture_error_wrong_type_number),
        T(test_fixture_error_quoted_bool_is_a_string),
        T(test_fixture_error_key_twice),
        T(test_fixture_error_missing_type),
        T(test_fixture_error_missing_system),
        T(test_fixture_error_bad_date_2100_02_29),
        T(test_fixture_leap_day_2000_loads),
        T(test_fixture_error_bad_date_syntax),
        T(test_fixture_error_frame_dates_reversed),
        T(test_fixture_error_frame_times_reversed),
        T(test_fixture_error_bad_time),
        T(test_fixture_error_kl_21),
        T(test_fixture_error_kl_0),
        T(test_fixture_error_kl_longer_than_key),
        T(test_fixture_error_key_21_characters),
        T(test_fixture_key_20_characters_loads),
        T(test_fixture_error_vl_over_kl),
        T(test_fixture_error_time_of_day_event),
        T(test_fixture_error_end_of_task_event),
        T(test_fixture_error_arg_without_verb),
        T(test_fixture_error_action_129),
        T(test_fixture_error_duplicate_host),
        T(test_fixture_error_duplicate_host_across_files),
        T(test_fixture_error_system_name_9),
        T(test_fixture_error_system_name_syntax),
        T(test_fixture_error_password_9),
        T(test_fixture_password_8_loads),
        T(test_fixture_error_bad_cidr),
        T(test_fixture_error_cidr_prefix_129),
        T(test_fixture_error_cidr_host_bits),
        T(test_fixture_error_empty_allow),
        T(test_fixture_error_trigger_unknown_host),
        T(test_fixture_trigger_forward_host),
        T(test_fixture_error_trigger_job_syntax),
        T(test_fixture_error_trigger_job_9),
        T(test_fixture_error_event_target_unknown),
        T(test_fixture_error_step_on_eoj),
        T(test_fixture_error_bad_condition),
        T(test_fixture_error_condition_above_halfword),
        T(test_fixture_conditions_parse),
        T(test_fixture_error_capture_blank_name),
        T(test_fixture_error_capture_nothing),
        T(test_fixture_error_duplicate_job),
        T(test_fixture_error_events_and_raw),
        T(test_fixture_error_not_latin1),
        T(test_fixture_error_yaml_syntax),
        T(test_fixture_error_settings_twice),
        T(test_fixture_error_unknown_codepage),
        T(test_fixture_raw_loads),
        T(test_fixture_error_raw_wrong_size),
        T(test_fixture_error_raw_absolute_path),
        T(test_fixture_error_raw_dotdot),
        T(test_fixture_error_raw_symlink_outside),
        T(test_fixture_raw_outside_allowed_by_setting),
        T(test_fixture_aliases_within_bound_load),
        T(test_fixture_error_alias_expansion_bounded),
        T(test_fixture_error_raw_invalid_evblok),
        T(test_fixture_error_raw_other_system),
        T(test_fixture_error_raw_missing),
        T(test_fixture_error_raw_eotinfo_size),
        T(test_fixture_reports_all_errors),
        T(test_fixture_error_dir_missing),
        T(test_fixture_error_no_files),
        T(test_fixture_error_no_hosts),
        T(test_fixture_codepage_applies_to_every_file),
        T(test_fixture_codepage_ascii),
        T(test_fixture_latin1_text),
        T(test_fixture_defaults),
        T(test_fixture_find_host),
        T(test_fixture_holidays),
        T(test_fixture_holiday_in_frame),
        T(test_fixture_error_holiday_twice),
        T(test_fixture_error_holiday_bad_date),
        T(test_fixture_cidr_v4),
        T(test_fixture_cidr_v4_32),
        T(test_fixture_cidr_v4_0),
        T(test_fixture_cidr_v6_0),
        T(test_fixture_cidr_v6_128),
        T(test_fixture_cidr_v6_prefix),
        T(test_fixture_cidr_mapped_network),
        T(test_fixture_cidr_any_and_odd_peers),
        T(test_fixture_cidr_test_set),
        T(test_fixture_dump_round_trip_events),
        T(test_fixture_dump_round_trip_raw),
        T(test_fixture_dump_system_name_outside_alphabet),
        T(test_fixture_dump_system_name_with_nul),
        T(test_fixture_dump_round_trip_odd_keys),
        T(test_fixture_dump_counts_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
