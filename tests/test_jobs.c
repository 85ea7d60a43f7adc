/*
 * test_jobs.c - the job registry (server/core/jobs.h) fed journal records
 * written by hand in the form docs/journal.md gives them: exec job sends
 * and why they were sent, held and dropped triggers, EOJ / EOS texts,
 * EOTINFO reports (steps, codes, abends, the agent's job-id), agent
 * errors; and its queries (filters, wildcards, newest first, limit),
 * purge and clear.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jobs.h"

static unsigned jseq;

/* One record: the JSON text given with "ts" and "jseq" put in front. */
static void feed(struct xdi_jobs *jobs, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    json_t *rec, *body;
    json_error_t err;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    body = json_loads(text, 0, &err);
    if (body == NULL)
        fail_msg("bad test record %s: %s", text, err.text);
    rec = json_pack("{s:s,s:i}", "ts", "2026-11-23T10:00:00.000Z", "jseq",
                    (json_int_t)++jseq);
    json_object_update(rec, body);
    xdi_jobs_record(jobs, rec);
    json_decref(body);
    json_decref(rec);
}

#define SEND_JOB(sys, job, outcome)                                            \
    "{\"event\":\"send\",\"conn\":1,\"system\":\"" sys "\",\"key\":"           \
    "\"01020108\",\"job\":\"" job "\",\"outcome\":\"" outcome "\"}"
#define CONTROL(iface)                                                         \
    "{\"event\":\"control\",\"user\":\"u\",\"client\":\"::1\","                \
    "\"interface\":\"" iface                                                   \
    "\",\"action\":\"exec_job\",\"outcome\":\"sent\"}"
#define EOT(sys, job, jobid, step, notes, scc, ucc, maxcc)                     \
    "{\"event\":\"info\",\"system\":\"" sys "\",\"kind\":\"EOT\","             \
    "\"verdict\":\"ok\",\"eotinfo\":{\"system\":\"" sys                        \
    "\",\"job_name\":\"" job "\",\"job_id\":\"" jobid                          \
    "\",\"step_name\":\"" step "\","                                           \
    "\"proc_step_name\":\"\",\"step_number\":1,\"scc\":" #scc ",\"ucc\":" #ucc \
    ",\"max_cc\":" #maxcc ",\"notes\":\"" notes "\"}}"

static json_t *only(struct xdi_jobs *jobs)
{
    json_t *a = xdi_jobs_list(jobs, NULL, NULL, NULL, 0);
    json_t *j;

    assert_int_equal(json_array_size(a), 1);
    j = json_incref(json_array_get(a, 0));
    json_decref(a);
    return j;
}

static const char *s(const json_t *o, const char *f)
{
    const char *v = json_string_value(json_object_get(o, f));
    if (v == NULL)
        fail_msg("no string %s", f);
    return v;
}

static void test_jobs_trigger_send_and_eotinfo_end(void **state)
{
    struct xdi_jobs *jobs = xdi_jobs_new();
    json_t *j;

    (void)state;
    jseq = 0;
    feed(jobs, "{\"event\":\"trigger\",\"outcome\":\"sent\",\"run_job\":"
               "\"PAYROLL2\",\"target\":\"SYSA\"}");
    feed(jobs, SEND_JOB("SYSA", "PAYROLL2", "written"));
    j = only(jobs);
    assert_string_equal(s(j, "jobid"), "JOB00001");
    assert_string_equal(s(j, "state"), "sent");
    assert_string_equal(s(j, "by"), "trigger");
    assert_string_equal(s(j, "system"), "SYSA");
    assert_true(json_is_null(json_object_get(j, "ended")));
    assert_true(json_is_null(json_object_get(j, "max_cc")));
    json_decref(j);
    /* The job created by the send record (jseq 2) is reachable by it. */
    j = xdi_jobs_created_by(jobs, 2);
    assert_non_null(j);
    json_decref(j);
    assert_null(xdi_jobs_created_by(jobs, 1));

    /* A step, then the end, with the agent's job-id. */
    feed(jobs, EOT("SYSA", "PAYROLL2", "J0000042", "STEP1", "SINR", 0, 4, 4));
    j = only(jobs);
    assert_string_equal(s(j, "state"), "running");
    assert_string_equal(s(j, "jobid"), "J0000042");
    assert_int_equal(json_array_size(json_object_get(j, "steps")), 1);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(j, "steps"), 0), "cc")),
                     4);
    json_decref(j);
    feed(jobs, EOT("SYSA", "PAYROLL2", "J0000042", "", "JINR", 0, 0, 4));
    j = only(jobs);
    assert_string_equal(s(j, "state"), "ended");
    assert_int_equal(json_integer_value(json_object_get(j, "max_cc")), 4);
    assert_string_equal(s(j, "ended"), "2026-11-23T10:00:00.000Z");
    assert_true(json_is_null(json_object_get(j, "abend")));
    /* sent, step, end */
    assert_int_equal(json_array_size(json_object_get(j, "history")), 3);
    json_decref(j);
    /* Found by the agent's id now, the host's is gone. */
    j = xdi_jobs_get(jobs, "SYSA", "J0000042");
    assert_non_null(j);
    json_decref(j);
    assert_null(xdi_jobs_get(jobs, "SYSA", "JOB00001"));
    assert_null(xdi_jobs_get(jobs, "SYSB", "J0000042"));
    xdi_jobs_free(jobs);
}

static void test_jobs_abends(void **state)
{
    struct xdi_jobs *jobs = xdi_jobs_new();
    json_t *a;

    (void)state;
    feed(jobs, CONTROL("zosmf"));
    feed(jobs, SEND_JOB("SYSA", "SYSJOB", "written"));
    feed(jobs, EOT("SYSA", "SYSJOB", "", "STEP1", "SIAR", 196, 0, 0));
    feed(jobs, EOT("SYSA", "SYSJOB", "", "", "JIAR", 196, 0, 0));
    feed(jobs, CONTROL("control"));
    feed(jobs, SEND_JOB("SYSA", "USRJOB", "written"));
    feed(jobs, EOT("SYSA", "USRJOB", "", "", "JIAR", 0, 100, 0));
    a = xdi_jobs_list(jobs, NULL, NULL, NULL, 0);
    assert_int_equal(json_array_size(a), 2);
    /* Newest first. */
    assert_string_equal(s(json_array_get(a, 0), "name"), "USRJOB");
    assert_string_equal(s(json_array_get(a, 0), "abend"), "U0100");
    assert_string_equal(s(json_array_get(a, 0), "state"), "abended");
    assert_string_equal(s(json_array_get(a, 0), "by"), "control");
    assert_string_equal(s(json_array_get(a, 1), "abend"), "S0C4");
    assert_string_equal(s(json_array_get(a, 1), "by"), "zosmf");
    assert_true(json_is_null(json_object_get(
        json_array_get(json_object_get(json_array_get(a, 1), "steps"), 0),
        "cc")));
    json_decref(a);
    xdi_jobs_free(jobs);
}

static void test_jobs_held_dropped_texts_and_errors(void **state)
{
    struct xdi_jobs *jobs = xdi_jobs_new();
    json_t *a, *j;

    (void)state;
    /* Held: input; released: the same job goes out. */
    feed(jobs, "{\"event\":\"trigger\",\"outcome\":\"held\",\"held\":1,"
               "\"run_job\":\"NOTIFY\",\"target\":\"SYSB\"}");
    j = only(jobs);
    assert_string_equal(s(j, "state"), "input");
    json_decref(j);
    feed(jobs, "{\"event\":\"trigger_release\",\"outcome\":\"sent\","
               "\"run_job\":\"NOTIFY\",\"target\":\"SYSB\"}");
    feed(jobs, SEND_JOB("SYSB", "NOTIFY", "written"));
    j = only(jobs);
    assert_string_equal(s(j, "state"), "sent");
    assert_string_equal(s(j, "jobid"), "JOB00001");
    json_decref(j);
    /* An EOS then EOJ text. */
    feed(jobs, "{\"event\":\"info\",\"system\":\"SYSB\",\"kind\":\"EOS\","
               "\"text\":\"NOTIFY  STEP1   \"}");
    j = only(jobs);
    assert_string_equal(s(j, "state"), "running");
    json_decref(j);
    feed(jobs, "{\"event\":\"info\",\"system\":\"SYSB\",\"kind\":\"EOJ\","
               "\"text\":\"NOTIFY\"}");
    j = only(jobs);
    assert_string_equal(s(j, "state"), "ended");
    json_decref(j);
    /* A text for a job nobody asked for: heard of, by the agent. */
    feed(jobs, "{\"event\":\"info\",\"system\":\"SYSB\",\"kind\":\"EOJ\","
               "\"text\":\"OWNJOB\"}");
    /* An agent error about an exec job: the newest sent job, not run. */
    feed(jobs, SEND_JOB("SYSB", "BADJOB", "written"));
    feed(jobs, "{\"event\":\"agent_error\",\"system\":\"SYSB\",\"conn\":1,"
               "\"object\":8,\"error\":5,\"text\":\"no such job\"}");
    /* A send that failed. */
    feed(jobs, SEND_JOB("SYSB", "LOSTJOB", "dropped"));
    /* Held then dropped. */
    feed(jobs, "{\"event\":\"trigger\",\"outcome\":\"held\",\"run_job\":"
               "\"LATER\",\"target\":\"SYSC\"}");
    feed(jobs, "{\"event\":\"trigger_dropped\",\"run_job\":\"LATER\","
               "\"target\":\"SYSC\",\"reason\":\"reset\"}");
    a = xdi_jobs_list(jobs, NULL, NULL, NULL, 0);
    assert_int_equal(json_array_size(a), 5);
    assert_string_equal(s(json_array_get(a, 0), "name"), "LATER");
    assert_string_equal(s(json_array_get(a, 0), "state"), "not_run");
    assert_string_equal(s(json_array_get(a, 1), "name"), "LOSTJOB");
    assert_string_equal(s(json_array_get(a, 1), "state"), "not_run");
    assert_string_equal(s(json_array_get(a, 2), "name"), "BADJOB");
    assert_string_equal(s(json_array_get(a, 2), "state"), "not_run");
    assert_string_equal(s(json_array_get(a, 3), "name"), "OWNJOB");
    assert_string_equal(s(json_array_get(a, 3), "by"), "agent");
    assert_string_equal(s(json_array_get(a, 3), "state"), "ended");
    json_decref(a);
    /* Filters: system, prefix wildcard, status, limit. */
    a = xdi_jobs_list(jobs, "SYSB", "*JOB", NULL, 0);
    assert_int_equal(json_array_size(a), 3);
    json_decref(a);
    a = xdi_jobs_list(jobs, NULL, "NOT?FY", "ended", 0);
    assert_int_equal(json_array_size(a), 1);
    json_decref(a);
    a = xdi_jobs_list(jobs, NULL, NULL, "not_run", 2);
    assert_int_equal(json_array_size(a), 2);
    json_decref(a);
    a = xdi_jobs_list(jobs, "SYSC", NULL, NULL, 0);
    assert_int_equal(json_array_size(a), 1);
    json_decref(a);
    /* Rerun needs the name; purge removes; clear restarts the ids. */
    assert_string_equal(xdi_jobs_name(jobs, "SYSB", "JOB00001"), "NOTIFY");
    assert_int_equal(xdi_jobs_purge(jobs, "SYSB", "JOB00001"), 0);
    assert_int_equal(xdi_jobs_purge(jobs, "SYSB", "JOB00001"), -1);
    assert_null(xdi_jobs_name(jobs, "SYSB", "JOB00001"));
    assert_int_equal(xdi_jobs_count(jobs), 4);
    xdi_jobs_clear(jobs);
    assert_int_equal(xdi_jobs_count(jobs), 0);
    feed(jobs, SEND_JOB("SYSA", "AGAIN", "written"));
    j = only(jobs);
    assert_string_equal(s(j, "jobid"), "JOB00001");
    json_decref(j);
    xdi_jobs_free(jobs);
}

/* The reference agent reports one end twice: the EOJ text, then the
 * EOTINFO; the other order too.  Either way one job, with the report's
 * codes and the agent's job-id. */
static void test_jobs_one_end_reported_twice(void **state)
{
    struct xdi_jobs *jobs = xdi_jobs_new();
    json_t *a, *j;

    (void)state;
    jseq = 0;
    feed(jobs, CONTROL("control"));
    feed(jobs, SEND_JOB("SYSA", "PAYROLL1", "written"));
    feed(jobs, EOT("SYSA", "PAYROLL1", "JOB00101", "STEP1", "SINR", 0, 0, 0));
    feed(jobs, "{\"event\":\"info\",\"system\":\"SYSA\",\"kind\":\"EOJ\","
               "\"text\":\"PAYROLL1\"}");
    feed(jobs, EOT("SYSA", "PAYROLL1", "JOB00101", "", "JINR", 0, 0, 8));
    j = only(jobs);
    assert_string_equal(s(j, "jobid"), "JOB00101");
    assert_string_equal(s(j, "state"), "ended");
    assert_string_equal(s(j, "by"), "control");
    assert_int_equal(json_integer_value(json_object_get(j, "max_cc")), 8);
    assert_int_equal(json_integer_value(json_object_get(j, "jseq")), 2);
    json_decref(j);
    /* Report first, then the text. */
    feed(jobs, SEND_JOB("SYSA", "PAYROLL1", "written"));
    feed(jobs, EOT("SYSA", "PAYROLL1", "", "", "JIAR", 196, 0, 0));
    feed(jobs, "{\"event\":\"info\",\"system\":\"SYSA\",\"kind\":\"EOJ\","
               "\"text\":\"PAYROLL1\"}");
    a = xdi_jobs_list(jobs, NULL, NULL, NULL, 0);
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(s(json_array_get(a, 0), "state"), "abended");
    assert_string_equal(s(json_array_get(a, 0), "abend"), "S0C4");
    json_decref(a);
    /* A third end with no job of its own is a job of the agent's. */
    feed(jobs, "{\"event\":\"info\",\"system\":\"SYSA\",\"kind\":\"EOJ\","
               "\"text\":\"PAYROLL1\"}");
    assert_int_equal(xdi_jobs_count(jobs), 3);
    xdi_jobs_free(jobs);
}

static void test_jobs_wildcard(void **state)
{
    (void)state;
    assert_true(xdi_jobs_wildcard("PAY*", "PAYROLL2"));
    assert_true(xdi_jobs_wildcard("PAY*", "PAY"));
    assert_false(xdi_jobs_wildcard("PAY*", "XPAY"));
    assert_true(xdi_jobs_wildcard("*", ""));
    assert_true(xdi_jobs_wildcard("*ROLL*", "PAYROLL2"));
    assert_true(xdi_jobs_wildcard("P?Y*2", "PAYROLL2"));
    assert_false(xdi_jobs_wildcard("P?Y*3", "PAYROLL2"));
    assert_false(xdi_jobs_wildcard("PAYROLL", "PAYROLL2"));
    assert_true(xdi_jobs_wildcard("A*B*C", "AXXBYYC"));
    assert_false(xdi_jobs_wildcard("A*B*C", "AXXBYY"));
}

static void test_jobs_bounded(void **state)
{
    struct xdi_jobs *jobs = xdi_jobs_new();
    json_t *a;

    (void)state;
    for (unsigned i = 0; i < XDI_JOBS_MAX + 5; i++)
        feed(jobs, SEND_JOB("SYSA", "J", "written"));
    assert_int_equal(xdi_jobs_count(jobs), XDI_JOBS_MAX);
    a = xdi_jobs_list(jobs, NULL, NULL, NULL, 1);
    assert_string_equal(s(json_array_get(a, 0), "jobid"), "JOB10005");
    json_decref(a);
    xdi_jobs_free(jobs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_trigger_send_and_eotinfo_end),
        cmocka_unit_test(test_jobs_abends),
        cmocka_unit_test(test_jobs_held_dropped_texts_and_errors),
        cmocka_unit_test(test_jobs_one_end_reported_twice),
        cmocka_unit_test(test_jobs_wildcard),
        cmocka_unit_test(test_jobs_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
