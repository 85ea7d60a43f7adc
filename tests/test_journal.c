/*
 * test_journal.c - the JSON Lines journal (server/core/journal.c): one
 * line per record, "ts" first, written at once so that every complete line
 * parses even when the process dies, and a torn line never swallows the
 * record after it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "journal.h"

struct jenv {
    char path[64];
};

static int setup(void **state)
{
    struct jenv *e = calloc(1, sizeof(*e));
    int fd;

    assert_non_null(e);
    snprintf(e->path, sizeof(e->path), "/tmp/test_journal_XXXXXX");
    fd = mkstemp(e->path);
    assert_true(fd >= 0);
    close(fd);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct jenv *e = *state;

    unlink(e->path);
    free(e);
    return 0;
}

/* The whole file, NUL-terminated. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 1 << 16);
    size_t n;

    assert_non_null(f);
    assert_non_null(buf);
    n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const struct timespec when = {1795249800, 123456789};

static json_t *record(const char *event, int n)
{
    json_t *rec = json_object();

    json_object_set_new(rec, "event", json_string(event));
    json_object_set_new(rec, "n", json_integer(n));
    return rec;
}

/* "ts" is the first field, UTC with milliseconds; the record's own fields
 * follow in their order; one line, newline-terminated. */
static void test_journal_write_puts_ts_first(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal *j = xdi_journal_open(e->path);
    char *text;

    assert_non_null(j);
    assert_int_equal(xdi_journal_write(j, record("connect", 1), &when), 0);
    xdi_journal_close(j);
    text = slurp(e->path);
    assert_string_equal(text, "{\"ts\":\"2026-11-21T08:30:00.123Z\","
                              "\"event\":\"connect\",\"n\":1}\n");
    free(text);
}

/* The echo is one human line per record with the fields a person needs;
 * the journal file still gets the JSON line.  TZ is UTC for the clock. */
static void test_journal_echo_summarises(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal *j = xdi_journal_open(e->path);
    char echo[512] = "";
    FILE *out = fmemopen(echo, sizeof echo - 1, "w");
    json_t *rec = json_object();
    char *text;

    assert_non_null(j);
    assert_non_null(out);
    setenv("TZ", "UTC", 1);
    tzset();
    json_object_set_new(rec, "event", json_string("reject"));
    json_object_set_new(rec, "conn", json_integer(3));
    json_object_set_new(rec, "peer", json_string("127.0.0.1:4000"));
    json_object_set_new(rec, "agent_id", json_integer(0));
    json_object_set_new(rec, "system", json_string("SYSA"));
    json_object_set_new(rec, "check", json_string("password_wrong"));
    json_object_set_new(rec, "error", json_integer(5));
    xdi_journal_set_echo(j, out);
    assert_int_equal(xdi_journal_write(j, rec, &when), 0);
    fclose(out);
    xdi_journal_close(j);
    assert_string_equal(echo, "08:30:00.123 conn 3 127.0.0.1:4000 SYSA reject "
                              "check=password_wrong error=5\n");
    text = slurp(e->path);
    assert_non_null(strstr(text, "\"check\":\"password_wrong\""));
    free(text);
}

/* Opening again appends; every line parses on its own. */
static void test_journal_appends_lines(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal *j;
    char *text, *line, *save = NULL;
    int n = 0;

    for (int round = 0; round < 2; round++) {
        j = xdi_journal_open(e->path);
        assert_non_null(j);
        for (int i = 0; i < 5; i++)
            assert_int_equal(
                xdi_journal_write(j, record("info", round * 5 + i), &when), 0);
        xdi_journal_close(j);
    }
    text = slurp(e->path);
    for (line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *rec = json_loads(line, 0, NULL);
        assert_non_null(rec);
        assert_int_equal(json_integer_value(json_object_get(rec, "n")), n);
        json_decref(rec);
        n++;
    }
    assert_int_equal(n, 10);
    free(text);
}

/* Text that is not ASCII goes out as UTF-8 JSON and comes back the same. */
static void test_journal_utf8_round_trip(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal *j = xdi_journal_open(e->path);
    json_t *rec = json_object(), *back;
    char *text;

    json_object_set_new(rec, "text", json_string("caf\xC3\xA9 \"q\"\n"));
    assert_int_equal(xdi_journal_write(j, rec, &when), 0);
    xdi_journal_close(j);
    text = slurp(e->path);
    assert_int_equal(strchr(text, '\n') - text, (long)strlen(text) - 1);
    back = json_loads(text, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(back, "text")),
                        "caf\xC3\xA9 \"q\"\n");
    json_decref(back);
    free(text);
}

static void test_journal_open_fails_with_errno(void **state)
{
    (void)state;
    errno = 0;
    assert_null(xdi_journal_open("/nonexistent-dir/journal.jsonl"));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(xdi_journal_open(NULL));
    assert_int_equal(errno, EINVAL);
    xdi_journal_close(NULL); /* NULL-safe */
}

/* A write with nothing to write to still takes the record (no leak). */
static void test_journal_write_null_journal(void **state)
{
    (void)state;
    errno = 0;
    assert_int_equal(xdi_journal_write(NULL, record("x", 0), &when), -1);
    assert_int_equal(errno, EINVAL);
}

/* A full disk is reported as -1 with errno. */
static void test_journal_write_error_reported(void **state)
{
    struct xdi_journal *j = xdi_journal_open("/dev/full");

    (void)state;
    if (j == NULL)
        skip();
    errno = 0;
    assert_int_equal(xdi_journal_write(j, record("x", 0), &when), -1);
    assert_int_equal(errno, ENOSPC);
    xdi_journal_close(j);
}

/* "-" is standard output, which close leaves open. */
static void test_journal_stdout_not_closed(void **state)
{
    struct xdi_journal *j = xdi_journal_open("-");

    (void)state;
    assert_non_null(j);
    xdi_journal_close(j);
    assert_true(fcntl(STDOUT_FILENO, F_GETFD) != -1);
}

/*
 * A line cut short (here by the file-size limit, as a full disk would) is
 * ended by a newline in front of the next record, so the next record
 * still parses as a line of its own.
 */
static void test_journal_torn_line_does_not_swallow_next(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal *j = xdi_journal_open(e->path);
    struct rlimit old, lim;
    char *text, *nl;
    json_t *rec;

    assert_non_null(j);
    assert_int_equal(xdi_journal_write(j, record("first", 1), &when), 0);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 80; /* the first line is 56 bytes: the second tears */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    assert_int_equal(xdi_journal_write(j, record("second", 2), &when), -1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(xdi_journal_write(j, record("third", 3), &when), 0);
    xdi_journal_close(j);
    text = slurp(e->path);
    assert_int_equal(strlen(text), 80 + 1 + 56);
    /* line 2 is torn; line 3 is whole */
    nl = strrchr(text, '\n');
    *nl = '\0';
    nl = strrchr(text, '\n');
    rec = json_loads(nl + 1, 0, NULL);
    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(rec, "event")),
                        "third");
    json_decref(rec);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_journal_write_puts_ts_first,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_appends_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_utf8_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_echo_summarises, setup,
                                        teardown),
        cmocka_unit_test(test_journal_open_fails_with_errno),
        cmocka_unit_test(test_journal_write_null_journal),
        cmocka_unit_test(test_journal_write_error_reported),
        cmocka_unit_test(test_journal_stdout_not_closed),
        cmocka_unit_test_setup_teardown(
            test_journal_torn_line_does_not_swallow_next, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
