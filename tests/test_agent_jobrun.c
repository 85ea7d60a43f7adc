/*
 * test_agent_jobrun.c - a job's steps and end as the agent records them
 * (tools/xdi-agent/core/jobrun.h): the "STEP name rc" side-channel lines,
 * step numbers 1..256, max CC, and the EOJ from an exit status, a signal,
 * or a job that never started (protocol.md §9 status fields).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "jobrun.h"

/* Records what xdi_jobrun_feed() reports. */
struct seen {
    struct xdi_job_end ends[8];
    const char *bad[8];
    size_t n_ends, n_bad;
};

static void on_line(void *ctx, const struct xdi_job_end *end, const char *why)
{
    struct seen *s = ctx;

    if (end != NULL && s->n_ends < 8)
        s->ends[s->n_ends++] = *end;
    else if (end == NULL && s->n_bad < 8)
        s->bad[s->n_bad++] = why;
}

static void test_agent_jobrun_step_line(void **state)
{
    struct xdi_jobrun r;
    struct xdi_job_end e;
    const char *why;

    (void)state;
    xdi_jobrun_init(&r, "PAYROLL1");
    assert_int_equal(xdi_jobrun_step_line(&r, "STEP step1 4", 12, &e, &why),
                     1);
    assert_string_equal(e.job, "PAYROLL1");
    assert_string_equal(e.step, "STEP1"); /* upper-cased */
    assert_int_equal(e.step_number, 1);
    assert_int_equal(e.ucc, 4);
    assert_int_equal(e.max_cc, 4);
    assert_int_equal(e.scc, 0);
    assert_int_equal(e.status, 'N');
    /* Blanks and a CR around the words are fine; max CC stays 4. */
    assert_int_equal(
        xdi_jobrun_step_line(&r, "  STEP\tSTEP2   0 \r", 18, &e, &why), 1);
    assert_int_equal(e.step_number, 2);
    assert_int_equal(e.ucc, 0);
    assert_int_equal(e.max_cc, 4);
}

static void test_agent_jobrun_bad_lines(void **state)
{
    static const char *const bad[] = {
        "STEP", "STEP A", "STEP A x", "STEP A -1", "STEP A 65536",
        "STEP ABCDEFGHI 0", "STEP A.B 0", "step A 0", "STEP A 0 extra",
        "STEPX A 0", ""};
    struct xdi_jobrun r;
    struct xdi_job_end e;
    const char *why;

    (void)state;
    xdi_jobrun_init(&r, "J");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why = NULL;
        assert_int_equal(
            xdi_jobrun_step_line(&r, bad[i], strlen(bad[i]), &e, &why), 0);
        assert_non_null(why);
    }
    assert_int_equal(r.steps, 0);
    /* The boundaries that are valid. */
    assert_int_equal(xdi_jobrun_step_line(&r, "STEP ABCDEFGH 65535", 19, &e,
                                          &why),
                     1);
    assert_int_equal(e.ucc, 65535);
}

/* Step 256 is the last one (§11: 1..256). */
static void test_agent_jobrun_256_steps(void **state)
{
    struct xdi_jobrun r;
    struct xdi_job_end e;
    const char *why;

    (void)state;
    xdi_jobrun_init(&r, "J");
    for (unsigned i = 1; i <= 256; i++) {
        assert_int_equal(xdi_jobrun_step_line(&r, "STEP S 0", 8, &e, &why), 1);
        assert_int_equal(e.step_number, i);
    }
    assert_int_equal(xdi_jobrun_step_line(&r, "STEP S 0", 8, &e, &why), 0);
    assert_string_equal(why, "more than 256 steps");
}

/* Lines split across reads, a line too long, and a last line without its
 * newline at EOF. */
static void test_agent_jobrun_feed_pieces(void **state)
{
    struct xdi_jobrun r;
    struct seen s;
    char longline[300];

    (void)state;
    memset(&s, 0, sizeof s);
    xdi_jobrun_init(&r, "J");
    assert_int_equal(xdi_jobrun_feed(&r, "STEP A", 6, on_line, &s), 0);
    assert_int_equal(xdi_jobrun_feed(&r, " 1\nSTEP B 2\nST", 14, on_line, &s),
                     2);
    memset(longline, 'X', sizeof longline);
    longline[sizeof longline - 1] = '\n';
    assert_int_equal(xdi_jobrun_feed(&r, longline, sizeof longline, on_line,
                                     &s),
                     0); /* ends the "ST..." line: too long */
    assert_int_equal(xdi_jobrun_feed(&r, "STEP C 9", 8, on_line, &s), 0);
    assert_int_equal(xdi_jobrun_eof(&r, on_line, &s), 1);
    assert_int_equal(s.n_ends, 3);
    assert_string_equal(s.ends[0].step, "A");
    assert_string_equal(s.ends[1].step, "B");
    assert_string_equal(s.ends[2].step, "C");
    assert_int_equal(s.ends[2].step_number, 3);
    assert_int_equal(s.ends[2].max_cc, 9);
    assert_int_equal(s.n_bad, 1);
    assert_string_equal(s.bad[0], "line longer than 128 bytes");
    assert_int_equal(xdi_jobrun_eof(&r, on_line, &s), 0); /* nothing left */
}

/* EOJ from an exit status: UCC = status, max CC = the highest of it and
 * the steps' rc. */
static void test_agent_jobrun_exit_status(void **state)
{
    struct xdi_jobrun r;
    struct xdi_job_end e;
    const char *why;

    (void)state;
    xdi_jobrun_init(&r, "PAYROLL1");
    xdi_jobrun_step_line(&r, "STEP A 8", 8, &e, &why);
    xdi_jobrun_exit(&r, 2, 0, &e);
    assert_string_equal(e.job, "PAYROLL1");
    assert_string_equal(e.step, "");
    assert_int_equal(e.step_number, 0);
    assert_int_equal(e.ucc, 2);
    assert_int_equal(e.max_cc, 8);
    assert_int_equal(e.scc, 0);
    assert_int_equal(e.status, 'N');
    xdi_jobrun_exit(&r, 12, 0, &e);
    assert_int_equal(e.max_cc, 12);
}

/* A signal is an abend: SCC = signal number, note A. */
static void test_agent_jobrun_signal_is_abend(void **state)
{
    struct xdi_jobrun r;
    struct xdi_job_end e;

    (void)state;
    xdi_jobrun_init(&r, "J");
    xdi_jobrun_exit(&r, 0, 9, &e);
    assert_int_equal(e.status, 'A');
    assert_int_equal(e.scc, 9);
    assert_int_equal(e.ucc, 0);
}

static void test_agent_jobrun_not_run(void **state)
{
    struct xdi_jobrun r;
    struct xdi_job_end e;

    (void)state;
    xdi_jobrun_init(&r, "J");
    xdi_jobrun_not_run(&r, &e);
    assert_int_equal(e.status, 'C');
    assert_int_equal(e.ucc, 0);
    assert_int_equal(e.max_cc, 0);
    assert_string_equal(e.job, "J");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_jobrun_step_line),
        cmocka_unit_test(test_agent_jobrun_bad_lines),
        cmocka_unit_test(test_agent_jobrun_256_steps),
        cmocka_unit_test(test_agent_jobrun_feed_pieces),
        cmocka_unit_test(test_agent_jobrun_exit_status),
        cmocka_unit_test(test_agent_jobrun_signal_is_abend),
        cmocka_unit_test(test_agent_jobrun_not_run),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
