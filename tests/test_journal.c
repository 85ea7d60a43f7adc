/*
 * test_journal.c - xdi-server's journal file (server/uv/journal_sink.c, the
 * application's sink for the core's records): one line per record, written
 * at once so that every complete line parses even when the process dies, a
 * torn line never swallows the record after it, and write errors are
 * counted and logged.  The lines themselves ("ts" first) are the core's
 * (server/core/record.c, tested through tests/test_server.c).
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

#include "journal_sink.h"

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

/* Writes fields (taken over) as the core hands a record over: the object
 * and its compact line, at instant ts.  Returns what the sink returned. */
static int put_at(struct xdi_journal_sink *s, json_t *fields,
                  const struct timespec *ts)
{
    struct xdi_record rec = {0};
    char *line = json_dumps(fields, JSON_COMPACT);
    int rc;

    assert_non_null(line);
    rec.fields = fields;
    rec.line = line;
    rec.len = strlen(line);
    rec.ts = ts;
    rc = xdi_journal_sink_write(s, &rec);
    free(line);
    json_decref(fields);
    return rc;
}

static int put(struct xdi_journal_sink *s, json_t *fields)
{
    return put_at(s, fields, &when);
}

/* A record as the core writes its busiest ones: a line and no tree. */
static int put_line(struct xdi_journal_sink *s, const char *line,
                    const struct timespec *ts)
{
    struct xdi_record rec = {.line = line, .len = strlen(line), .ts = ts};

    return xdi_journal_sink_write(s, &rec);
}

static size_t count_lines(const char *text)
{
    size_t n = 0;

    for (; *text != '\0'; text++)
        n += *text == '\n';
    return n;
}

/* The line as given and a newline: one line per record. */
static void test_journal_write_one_line_per_record(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    char *text;

    assert_non_null(j);
    assert_int_equal(put(j, record("connect", 1)), 0);
    assert_int_equal(put(j, record("login", 2)), 0);
    xdi_journal_sink_close(j);
    text = slurp(e->path);
    assert_string_equal(text, "{\"event\":\"connect\",\"n\":1}\n"
                              "{\"event\":\"login\",\"n\":2}\n");
    free(text);
}

/* The echo is one human line per record with the fields a person needs;
 * the journal file still gets the JSON line.  TZ is UTC for the clock. */
static void test_journal_echo_summarises(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
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
    xdi_journal_sink_set_echo(j, out);
    assert_int_equal(put(j, rec), 0);
    fclose(out);
    xdi_journal_sink_close(j);
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
    struct xdi_journal_sink *j;
    char *text, *line, *save = NULL;
    int n = 0;

    for (int round = 0; round < 2; round++) {
        j = xdi_journal_sink_open(e->path);
        assert_non_null(j);
        for (int i = 0; i < 5; i++)
            assert_int_equal(put(j, record("info", round * 5 + i)), 0);
        xdi_journal_sink_close(j);
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

/* A descriptor sink writes to that descriptor; owns closes it with the
 * sink, a borrowed one stays open. */
static void test_journal_fd_sink(void **state)
{
    struct jenv *e = *state;
    int fd = open(e->path, O_WRONLY | O_APPEND);
    struct xdi_journal_sink *j;
    char *text;

    assert_true(fd >= 0);
    j = xdi_journal_sink_fdopen(fd, false);
    assert_non_null(j);
    assert_int_equal(put(j, record("connect", 1)), 0);
    xdi_journal_sink_close(j);
    assert_true(fcntl(fd, F_GETFD) != -1);
    j = xdi_journal_sink_fdopen(fd, true);
    assert_non_null(j);
    assert_int_equal(put(j, record("connect", 2)), 0);
    xdi_journal_sink_close(j);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    text = slurp(e->path);
    assert_string_equal(text, "{\"event\":\"connect\",\"n\":1}\n"
                              "{\"event\":\"connect\",\"n\":2}\n");
    free(text);
}

static void test_journal_open_fails_with_errno(void **state)
{
    (void)state;
    errno = 0;
    assert_null(xdi_journal_sink_open("/nonexistent-dir/journal.jsonl"));
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_null(xdi_journal_sink_open(NULL));
    assert_int_equal(errno, EINVAL);
    /* a descriptor that is not open fails at once, not at the first record */
    errno = 0;
    assert_null(xdi_journal_sink_fdopen(-1, true));
    assert_int_equal(errno, EBADF);
    assert_null(xdi_journal_sink_fdopen(1000, true));
    assert_int_equal(errno, EBADF);
    xdi_journal_sink_close(NULL); /* NULL-safe */
}

/* Nothing to write to, or a record the core had no memory to serialize:
 * -1 with errno; the second is counted as a record lost. */
static void test_journal_write_bad_arguments(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    struct xdi_record rec = {.ts = &when};

    errno = 0;
    assert_int_equal(put(NULL, record("x", 0)), -1);
    assert_int_equal(errno, EINVAL);
    assert_non_null(j);
    xdi_journal_sink_set_log(j, NULL);
    errno = 0;
    assert_int_equal(xdi_journal_sink_write(j, &rec), -1);
    assert_int_equal(errno, ENOMEM);
    assert_int_equal(xdi_journal_sink_errors(j), 1);
    xdi_journal_sink_close(j);
}

/* A full disk is -1 with errno, counted, and logged: the first failure,
 * then each one whose count is a power of two (a full disk fails every
 * record), and once at close. */
static void test_journal_write_error_counted_and_logged(void **state)
{
    struct xdi_journal_sink *j = xdi_journal_sink_open("/dev/full");
    char log[2048] = "";
    FILE *out = fmemopen(log, sizeof log - 1, "w");
    size_t lines = 0;

    (void)state;
    if (j == NULL)
        skip();
    assert_non_null(out);
    xdi_journal_sink_set_log(j, out);
    for (int i = 0; i < 5; i++) {
        errno = 0;
        assert_int_equal(put(j, record("x", i)), -1);
        assert_int_equal(errno, ENOSPC);
    }
    assert_int_equal(xdi_journal_sink_errors(j), 5);
    xdi_journal_sink_close(j);
    fclose(out);
    for (const char *p = log; *p != '\0'; p++)
        lines += *p == '\n';
    /* failures 1, 2 and 4, then the summary */
    assert_int_equal(lines, 4);
    assert_non_null(strstr(log, "No space left on device (1 failed in a "
                                "row, 1 in all)"));
    assert_non_null(strstr(log, "(4 failed in a row, 4 in all)"));
    assert_non_null(strstr(log, "5 records could not be written"));
}

/* "-" is standard output, which close leaves open. */
static void test_journal_stdout_not_closed(void **state)
{
    struct xdi_journal_sink *j = xdi_journal_sink_open("-");

    (void)state;
    assert_non_null(j);
    xdi_journal_sink_close(j);
    assert_true(fcntl(STDOUT_FILENO, F_GETFD) != -1);
}

/*
 * A line cut short (here by the file-size limit, as a full disk would) is
 * ended by a newline in front of the next record, so the next record
 * still parses as a line of its own; the sink logs that it recovered.
 */
static void test_journal_torn_line_does_not_swallow_next(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    struct rlimit old, lim;
    char log[512] = "";
    FILE *out = fmemopen(log, sizeof log - 1, "w");
    char *text, *nl;
    json_t *rec;
    size_t first = strlen("{\"event\":\"first\",\"n\":1}\n");

    assert_non_null(j);
    assert_non_null(out);
    xdi_journal_sink_set_log(j, out);
    assert_int_equal(put(j, record("first", 1)), 0);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = first + 10; /* the second line tears */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    assert_int_equal(put(j, record("second", 2)), -1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(put(j, record("third", 3)), 0);
    assert_int_equal(xdi_journal_sink_errors(j), 1);
    xdi_journal_sink_close(j);
    fclose(out);
    assert_non_null(strstr(log, "written again after 1 failed"));
    text = slurp(e->path);
    assert_int_equal(strlen(text), first + 10 + 1 + first);
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

/*
 * The echo is made from the line alone (no tree): top-level fields only,
 * a nested object's fields are not taken for the record's own, and string
 * values keep their JSON escapes, so a text with a newline or a quote
 * stays on its one log line.
 */
static void test_journal_echo_from_line(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    char echo[512] = "";
    FILE *out = fmemopen(echo, sizeof echo - 1, "w");

    assert_non_null(j);
    assert_non_null(out);
    setenv("TZ", "UTC", 1);
    tzset();
    xdi_journal_sink_set_echo(j, out);
    assert_int_equal(
        put_line(j,
                 "{\"ts\":\"x\",\"jseq\":9,\"event\":\"info\",\"conn\":12,"
                 "\"peer\":\"[::1]:5\",\"agent_id\":7,\"system\":\"SYS\\u00C9\","
                 "\"eotinfo\":{\"job\":\"INNER\",\"x\":[1,{\"text\":\"}\"}]},"
                 "\"verdict\":\"in_frame\",\"text\":\"A\\nB \\\"q\\\"\"}",
                 &when),
        0);
    fclose(out);
    xdi_journal_sink_close(j);
    assert_string_equal(echo, "08:30:00.123 conn 12 [::1]:5 SYS\\u00C9 #7 info "
                              "verdict=in_frame text=A\\nB \\\"q\\\"\n");
}

/*
 * The echo's rate limit: within one second of the records' clock only the
 * first N lines are shown; the next second begins with how many were
 * held back, and close says the rest.  The journal keeps every record.
 */
static void test_journal_echo_rate_limited(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    char echo[2048] = "";
    FILE *out = fmemopen(echo, sizeof echo - 1, "w");
    struct timespec next = {when.tv_sec + 1, 0};
    char *text;

    assert_non_null(j);
    assert_non_null(out);
    setenv("TZ", "UTC", 1);
    tzset();
    xdi_journal_sink_set_echo(j, out);
    xdi_journal_sink_set_echo_rate(j, 2);
    for (int i = 0; i < 5; i++)
        assert_int_equal(put(j, record("a", i)), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(put_at(j, record("b", i), &next), 0);
    xdi_journal_sink_close(j); /* says what the last second held back */
    fclose(out);
    assert_string_equal(
        echo, "08:30:00.123 a\n"
              "08:30:00.123 a\n"
              "08:30:01.000 log: 3 records not shown (more than 2 a second; "
              "the journal has every one)\n"
              "08:30:01.000 b\n"
              "08:30:01.000 b\n"
              "log: 1 record not shown (more than 2 a second; the journal has "
              "every one)\n");
    text = slurp(e->path);
    assert_int_equal(count_lines(text), 8);
    free(text);
}

/* Buffered, lines wait for the flush (or close), then go out whole and in
 * order. */
static void test_journal_buffered_until_flush(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    char *text;

    assert_non_null(j);
    xdi_journal_sink_set_buffered(j, true);
    for (int i = 0; i < 3; i++)
        assert_int_equal(put(j, record("x", i)), 0);
    assert_true(xdi_journal_sink_pending(j) > 0);
    text = slurp(e->path);
    assert_string_equal(text, "");
    free(text);
    assert_int_equal(xdi_journal_sink_flush(j), 0);
    assert_int_equal(xdi_journal_sink_pending(j), 0);
    text = slurp(e->path);
    assert_string_equal(text, "{\"event\":\"x\",\"n\":0}\n"
                              "{\"event\":\"x\",\"n\":1}\n"
                              "{\"event\":\"x\",\"n\":2}\n");
    free(text);
    assert_int_equal(put(j, record("y", 3)), 0);
    xdi_journal_sink_close(j);
    text = slurp(e->path);
    assert_int_equal(count_lines(text), 4);
    free(text);
}

/*
 * A batch torn by a full disk: the lines that went out whole stay, the
 * ones that did not are counted lost (not the whole batch), and the next
 * batch begins with a newline so its first record parses.
 */
static void test_journal_buffered_torn_batch(void **state)
{
    struct jenv *e = *state;
    struct xdi_journal_sink *j = xdi_journal_sink_open(e->path);
    size_t one = strlen("{\"event\":\"x\",\"n\":0}\n");
    struct rlimit old, lim;
    char log[512] = "";
    FILE *out = fmemopen(log, sizeof log - 1, "w");
    char *text, *nl;
    json_t *rec;

    assert_non_null(j);
    assert_non_null(out);
    xdi_journal_sink_set_log(j, out);
    xdi_journal_sink_set_buffered(j, true);
    for (int i = 0; i < 3; i++)
        assert_int_equal(put(j, record("x", i)), 0);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = one + 5; /* the first line whole, the second torn */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    assert_int_equal(xdi_journal_sink_flush(j), -1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(xdi_journal_sink_errors(j), 2);
    assert_int_equal(put(j, record("z", 9)), 0);
    assert_int_equal(xdi_journal_sink_flush(j), 0);
    xdi_journal_sink_close(j);
    fclose(out);
    assert_non_null(strstr(log, "records could not be written"));
    text = slurp(e->path);
    assert_int_equal(strlen(text), one + 5 + 1 + one);
    nl = strrchr(text, '\n');
    *nl = '\0';
    nl = strrchr(text, '\n');
    rec = json_loads(nl + 1, 0, NULL);
    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(rec, "event")), "z");
    json_decref(rec);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_journal_write_one_line_per_record,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_appends_lines, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_echo_from_line, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_echo_rate_limited, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_buffered_until_flush,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_buffered_torn_batch,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_journal_echo_summarises, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_journal_fd_sink, setup, teardown),
        cmocka_unit_test(test_journal_open_fails_with_errno),
        cmocka_unit_test_setup_teardown(test_journal_write_bad_arguments,
                                        setup, teardown),
        cmocka_unit_test(test_journal_write_error_counted_and_logged),
        cmocka_unit_test(test_journal_stdout_not_closed),
        cmocka_unit_test_setup_teardown(
            test_journal_torn_line_does_not_swallow_next, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
