/*
 * test_zosmf.c - the z/OSMF face (docs/zosmf.md).  Its pure parts
 * (server/core/zosmf.h): what is read of a submitted JCL and the errors it
 * gets (with their lines), the fixture's cancel template, the job-name
 * patterns, and every JSON document the face answers with, each compared
 * with the document written out by hand from z/OSMF's documentation and
 * from what Zowe CLI 8 reads.  Its routes (server/core/zosmf.c) on the
 * control core with a fake transport and clock, for what only a clock can
 * show: waits that end, and a held job sent when its agent logs in.
 */
/* cmocka needs these first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>
#include <unistd.h>

#include "control.h"
#include "core_harness.h"
#include "fixture.h"
#include "server.h"
#include "zosmf.h"

/* ---- helpers ------------------------------------------------------------ */

/* actual (taken over) equals the JSON text expected. */
static void check_json(json_t *actual, const char *expected)
{
    json_error_t e;
    json_t *want = json_loads(expected, 0, &e);

    if (want == NULL)
        fail_msg("bad expected JSON at %d: %s", e.position, e.text);
    assert_non_null(actual);
    if (!json_equal(actual, want)) {
        char *got = json_dumps(actual, JSON_SORT_KEYS);
        char *exp = json_dumps(want, JSON_SORT_KEYS);
        print_error("got:  %s\nwant: %s\n", got, exp);
        free(got);
        free(exp);
        fail();
    }
    json_decref(actual);
    json_decref(want);
}

static json_t *load(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    if (j == NULL)
        fail_msg("bad JSON at %d: %s", e.position, e.text);
    return j;
}

static int parse(const char *jcl, struct xdi__jcl_info *info, char *err,
                 size_t size)
{
    return xdi__zosmf_jcl_parse(jcl, strlen(jcl), info, err, size);
}

static void parse_fails(const char *jcl, const char *want)
{
    struct xdi__jcl_info info;
    char err[256];

    assert_int_equal(parse(jcl, &info, err, sizeof err), -1);
    if (strstr(err, want) == NULL)
        fail_msg("error '%s' does not contain '%s'", err, want);
}

/* ---- JCL ------------------------------------------------------------------ */

static void test_zosmf_jcl_job_and_sysaff(void **state)
{
    struct xdi__jcl_info info;
    char err[256];
    (void)state;

    assert_int_equal(parse("//PAYROLL2 JOB (ACCT),'PAY ROLL',CLASS=B,"
                           "MSGCLASS=X\n"
                           "/*JOBPARM SYSAFF=SYSB\n"
                           "//STEP1 EXEC PGM=IEFBR14\n",
                           &info, err, sizeof err),
                     0);
    assert_string_equal(info.jobname, "PAYROLL2");
    assert_string_equal(info.jobclass, "B");
    assert_string_equal(info.system, "SYSB");
    assert_int_equal(info.system_line, 2);
    assert_int_equal(info.lines, 3);
}

static void test_zosmf_jcl_defaults(void **state)
{
    struct xdi__jcl_info info;
    char err[256];
    (void)state;

    /* No class, no routing: class A and the user's default system. */
    assert_int_equal(
        parse("//IEFBR14 JOB\n//S EXEC PGM=IEFBR14", &info, err, sizeof err),
        0);
    assert_string_equal(info.jobname, "IEFBR14");
    assert_string_equal(info.jobclass, "A");
    assert_string_equal(info.system, "");
    assert_int_equal(info.system_line, 0);
}

static void test_zosmf_jcl_xeq_main_route(void **state)
{
    struct xdi__jcl_info info;
    char err[256];
    (void)state;

    assert_int_equal(parse("//A JOB\n/*XEQ SYSC\n", &info, err, sizeof err), 0);
    assert_string_equal(info.system, "SYSC");
    assert_int_equal(
        parse("//A JOB\n//*MAIN SYSTEM=SY3,CLASS=X\n", &info, err, sizeof err),
        0);
    assert_string_equal(info.system, "SY3");
    assert_int_equal(
        parse("//A JOB\n/*ROUTE XEQ NODE2\n", &info, err, sizeof err), 0);
    assert_string_equal(info.system, "NODE2");
    /* S= is SYSAFF's short form; a list takes its first member; '*' and
     * ANY mean "where it was submitted". */
    assert_int_equal(parse("//A JOB\n/*JOBPARM LINES=5,S=(SYSD,SYSE)\n", &info,
                           err, sizeof err),
                     0);
    assert_string_equal(info.system, "SYSD");
    assert_int_equal(
        parse("//A JOB\n/*JOBPARM SYSAFF=*\n", &info, err, sizeof err), 0);
    assert_string_equal(info.system, "");
    assert_int_equal(
        parse("//A JOB\n/*JOBPARM SYSAFF=ANY\n", &info, err, sizeof err), 0);
    assert_string_equal(info.system, "");
}

static void test_zosmf_jcl_continuation_crlf_columns(void **state)
{
    struct xdi__jcl_info info;
    char err[256];
    char jcl[512];
    (void)state;

    /* CRLF, leading blank lines, a continued JOB statement (a quoted
     * comma does not continue it, the trailing one does) whose class is
     * on the second line, after which a comment follows. */
    assert_int_equal(parse("\r\n   \r\n"
                           "//payjob   JOB (1),'A, B C',\r\n"
                           "//             CLASS=C             comment\r\n"
                           "/*JOBPARM SYSAFF=sysa\r\n",
                           &info, err, sizeof err),
                     0);
    assert_string_equal(info.jobname, "PAYJOB");
    assert_string_equal(info.jobclass, "C");
    assert_string_equal(info.system, "SYSA");
    assert_int_equal(info.system_line, 5);
    /* A quoted CLASS= is the programmer's name, not the class. */
    assert_int_equal(parse("//Q JOB 1,'CLASS=Z'\n", &info, err, sizeof err), 0);
    assert_string_equal(info.jobclass, "A");
    /* Columns 73-80 are the sequence number. */
    snprintf(jcl, sizeof jcl, "//SEQ JOB CLASS=D%-55s%s\n", "", "CLASS=EE");
    assert_int_equal(strlen(jcl), 81);
    assert_int_equal(parse(jcl, &info, err, sizeof err), 0);
    assert_string_equal(info.jobclass, "D");
}

static void test_zosmf_jcl_errors_name_lines(void **state)
{
    (void)state;

    parse_fails("", "line 1: the JCL is empty");
    parse_fails("\n\n", "line 2: the JCL is empty");
    parse_fails("hello\n", "line 1: the JCL must begin with the JOB statement");
    parse_fails("\n//* comment\n//A JOB\n",
                "line 2: the JCL must begin with the JOB statement");
    parse_fails("// JOB\n", "line 1: the JOB statement has no job name");
    parse_fails("//1PAY JOB\n", "line 1: '1PAY' is not a valid job name");
    parse_fails("//PAYROLL12 JOB\n",
                "line 1: 'PAYROLL12' is not a valid job name");
    parse_fails("//PAY EXEC PGM=X\n",
                "line 1: the first statement is not a JOB statement (its "
                "operation is 'EXEC')");
    parse_fails("//A JOB\n//S EXEC PGM=X\n//B JOB\n",
                "line 3: a second JOB statement");
    parse_fails("//A JOB\n/*JOBPARM SYSAFF=TOOLONGNAME\n",
                "line 2: SYSAFF= 'TOOLONGNAME' is not a system name");
    parse_fails("//A JOB\n/*XEQ\n", "line 2: XEQ '' is not a system name");
    parse_fails("//A JOB CLASS=+\n", "line 1: CLASS= of the JOB statement");
    parse_fails("//A JOB 'OPEN\n", "line 1: a quoted operand");
    parse_fails("//A JOB\n//S EXEC\x01\n",
                "line 2: column 9 holds the control character 0x01");
}

static void test_zosmf_valid_name(void **state)
{
    (void)state;
    assert_true(xdi__zosmf_valid_name("SYSA"));
    assert_true(xdi__zosmf_valid_name("$#@12345"));
    assert_false(xdi__zosmf_valid_name(""));
    assert_false(xdi__zosmf_valid_name("9SYS"));
    assert_false(xdi__zosmf_valid_name("sysa"));
    assert_false(xdi__zosmf_valid_name("ABCDEFGHI"));
    assert_false(xdi__zosmf_valid_name("A-B"));
}

/* ---- the cancel template ------------------------------------------------- */

static void test_zosmf_cancel_command(void **state)
{
    char out[140];
    char tmpl[140];
    (void)state;

    assert_int_equal(xdi__zosmf_cancel_command("CANCEL &job", "PAYROLL2",
                                               "JOB00007", 128, out,
                                               sizeof out),
                     15);
    assert_string_equal(out, "CANCEL PAYROLL2");
    /* &jobid is not &job followed by "id". */
    assert_int_equal(xdi__zosmf_cancel_command("$CJ(&jobid) &job,&jobs", "PAY",
                                               "JOB00007", 128, out,
                                               sizeof out),
                     22);
    assert_string_equal(out, "$CJ(JOB00007) PAY,PAYs");
    assert_int_equal(
        xdi__zosmf_cancel_command("C U=X", "PAY", "J", 128, out, sizeof out),
        5);
    /* 123 + 8 > 128: never truncated; 123 + 5 fits exactly. */
    memset(tmpl, 'X', 123);
    memcpy(tmpl + 123, "&job", 5);
    assert_int_equal(
        xdi__zosmf_cancel_command(tmpl, "PAYROLL2", "J", 128, out, sizeof out),
        -1);
    assert_int_equal(
        xdi__zosmf_cancel_command(tmpl, "PAYROL", "J", 128, out, sizeof out),
        -1);
    assert_int_equal(
        xdi__zosmf_cancel_command(tmpl, "PAYRO", "J", 128, out, sizeof out),
        128);
    assert_int_equal(
        xdi__zosmf_cancel_command("&job", "", "J", 128, out, sizeof out), -1);
}

/* The fixture option: loaded as written, refused (at its line) when an
 * 8-character job name would not fit 128 bytes. */
struct fx_errors {
    int n;
    int line;
    char msg[256];
};

static void fx_collect(void *ctx, const char *file, int line,
                       const char *message)
{
    struct fx_errors *e = ctx;
    (void)file;
    if (e->n++ == 0) {
        e->line = line;
        snprintf(e->msg, sizeof e->msg, "%s", message);
    }
}

static int load_fixture(const char *yaml, struct xdi_fixture_set **set,
                        struct fx_errors *errs)
{
    char dir[] = "/tmp/test_zosmf.XXXXXX";
    char path[64];
    FILE *f;
    int rc;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/hosts.yaml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(yaml, f);
    fclose(f);
    rc = xdi_fixture_load(dir, set, fx_collect, errs);
    unlink(path);
    rmdir(dir);
    return rc;
}

static void test_zosmf_fixture_cancel_command(void **state)
{
    struct xdi_fixture_set *set = NULL;
    struct fx_errors errs = {0};
    char yaml[512];
    (void)state;

    assert_int_equal(load_fixture("hosts:\n"
                                  "  - system: SYSA\n"
                                  "    cancel_command: \"CANCEL &job\"\n"
                                  "  - system: SYSB\n",
                                  &set, &errs),
                     0);
    assert_string_equal(xdi_fixture_find_host(set, "SYSA")->cancel_command,
                        "CANCEL &job");
    assert_null(xdi_fixture_find_host(set, "SYSB")->cancel_command);
    xdi_fixture_free(set);

    /* 121 + 8 > 128. */
    snprintf(yaml, sizeof yaml,
             "hosts:\n  - system: SYSA\n    cancel_command: \"%0121d&job\"\n",
             0);
    assert_int_equal(load_fixture(yaml, &set, &errs), 1);
    assert_null(set);
    assert_int_equal(errs.line, 3);
    assert_non_null(strstr(errs.msg, "cancel_command: with an 8-character job "
                                     "name it is 129 bytes"));
}

/* ---- patterns ------------------------------------------------------------- */

static void test_zosmf_match(void **state)
{
    (void)state;
    assert_true(xdi__zosmf_match("*", "PAYROLL2"));
    assert_true(xdi__zosmf_match("PAY*", "PAYROLL2"));
    assert_true(xdi__zosmf_match("pay*", "PAYROLL2"));
    assert_true(xdi__zosmf_match("PAY*", "PAY"));
    assert_true(xdi__zosmf_match("P%Y*2", "PAYROLL2"));
    assert_true(xdi__zosmf_match("*ROLL*", "PAYROLL2"));
    assert_true(xdi__zosmf_match("PAYROLL2", "PAYROLL2"));
    assert_false(xdi__zosmf_match("PAY", "PAYROLL2"));
    assert_false(xdi__zosmf_match("PAY*", "BACKUP"));
    assert_false(xdi__zosmf_match("P%Y", "PY"));
    assert_false(xdi__zosmf_match("", "A"));
}

/* ---- the job document ------------------------------------------------- */

static const char *job_ended =
    "{\"jobid\":\"JOB00003\",\"name\":\"PAYROLL2\",\"system\":\"SYSA\","
    "\"state\":\"ended\",\"submitted\":\"2026-12-02T14:31:00.000Z\","
    "\"ended\":\"2026-12-02T14:31:05.250Z\",\"by\":\"zosmf\",\"max_cc\":4,"
    "\"abend\":null,"
    "\"steps\":[{\"step\":\"STEP1\",\"proc_step\":\"\",\"cc\":0,\"scc\":0,"
    "\"ucc\":0,\"notes\":\"S NR\",\"ts\":\"2026-12-02T14:31:02.000Z\"},"
    "{\"step\":\"STEP2\",\"proc_step\":\"COMPILE\",\"cc\":4,\"scc\":0,"
    "\"ucc\":4,\"notes\":\"J NR\",\"ts\":\"2026-12-02T14:31:05.250Z\"}],"
    "\"history\":[{\"ts\":\"2026-12-02T14:31:00.000Z\",\"event\":\"sent\","
    "\"text\":\"exec job PAYROLL2\"},{\"ts\":\"2026-12-02T14:31:05.250Z\","
    "\"event\":\"eoj\",\"text\":\"\"}]}";

static void test_zosmf_job_ended_cc(void **state)
{
    json_t *job = load(job_ended);
    (void)state;

    check_json(
        xdi__zosmf_job(job, "B", false, "http://127.0.0.1:8080"),
        "{\"jobid\":\"JOB00003\",\"jobname\":\"PAYROLL2\",\"subsystem\":\"JES2\","
        "\"owner\":\"SYSA\",\"status\":\"OUTPUT\",\"type\":\"JOB\","
        "\"class\":\"B\",\"retcode\":\"CC 0004\","
        "\"url\":\"http://127.0.0.1:8080/zosmf/restjobs/jobs/PAYROLL2/"
        "JOB00003\","
        "\"files-url\":\"http://127.0.0.1:8080/zosmf/restjobs/jobs/PAYROLL2/"
        "JOB00003/files\","
        "\"job-correlator\":\"JOB00003SYSA....XDIEMU.........:\","
        "\"phase\":20,\"phase-name\":\"Job is on the hard copy queue\","
        "\"exec-system\":\"SYSA\",\"exec-member\":\"SYSA\","
        "\"exec-submitted\":\"2026-12-02T14:31:00.000Z\","
        "\"exec-started\":\"2026-12-02T14:31:00.000Z\","
        "\"exec-ended\":\"2026-12-02T14:31:05.250Z\"}");
    json_decref(job);
}

/* The retcode and status for a job object of the given state. */
static void check_codes(const char *job_text, bool canceled, const char *status,
                        const char *retcode)
{
    json_t *job = load(job_text);
    json_t *z = xdi__zosmf_job(job, NULL, canceled, "");

    assert_non_null(z);
    assert_string_equal(json_string_value(json_object_get(z, "status")),
                        status);
    if (retcode == NULL)
        assert_true(json_is_null(json_object_get(z, "retcode")));
    else
        assert_string_equal(json_string_value(json_object_get(z, "retcode")),
                            retcode);
    assert_string_equal(json_string_value(json_object_get(z, "class")), "A");
    json_decref(z);
    json_decref(job);
}

static void test_zosmf_job_states(void **state)
{
    (void)state;
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"input\"}",
                false, "INPUT", NULL);
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"sent\"}",
                false, "ACTIVE", NULL);
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"running\",\"max_cc\":8}",
                false, "ACTIVE", NULL);
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"abended\",\"max_cc\":null,\"abend\":\"S0C4\"}",
                false, "OUTPUT", "ABEND S0C4");
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"abended\",\"abend\":\"U0100\"}",
                true, "OUTPUT", "ABEND U0100");
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"not_run\"}",
                false, "OUTPUT", "JCL ERROR");
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"ended\",\"max_cc\":0}",
                true, "OUTPUT", "CANCELED");
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"ended\",\"max_cc\":12}",
                false, "OUTPUT", "CC 0012");
    check_codes("{\"jobid\":\"J1\",\"name\":\"A\",\"system\":\"S\","
                "\"state\":\"ended\"}",
                false, "OUTPUT", "CC 0000");
}

static void test_zosmf_job_input_has_no_start(void **state)
{
    json_t *job = load("{\"jobid\":\"JOB00009\",\"name\":\"HELD\","
                       "\"system\":\"SYSZ\",\"state\":\"input\","
                       "\"submitted\":\"2026-12-02T14:00:00.000Z\","
                       "\"ended\":null}");
    (void)state;

    check_json(xdi__zosmf_job(job, NULL, false, ""),
               "{\"jobid\":\"JOB00009\",\"jobname\":\"HELD\","
               "\"subsystem\":\"JES2\",\"owner\":\"SYSZ\",\"status\":\"INPUT\","
               "\"type\":\"JOB\",\"class\":\"A\",\"retcode\":null,"
               "\"url\":\"/zosmf/restjobs/jobs/HELD/JOB00009\","
               "\"files-url\":\"/zosmf/restjobs/jobs/HELD/JOB00009/files\","
               "\"job-correlator\":\"JOB00009SYSZ....XDIEMU.........:\","
               "\"phase\":10,\"phase-name\":\"Job is queued for execution\","
               "\"exec-system\":\"SYSZ\",\"exec-member\":\"SYSZ\","
               "\"exec-submitted\":\"2026-12-02T14:00:00.000Z\","
               "\"exec-started\":null,\"exec-ended\":null}");
    json_decref(job);
}

/* ---- spool -------------------------------------------------------------- */

static const char *jcl_text = "//PAYROLL2 JOB CLASS=B\r\n"
                              "/*JOBPARM SYSAFF=SYSA\n"
                              "//STEP1 EXEC PGM=PAYROLL\n";

static void test_zosmf_files_list(void **state)
{
    json_t *job = load(job_ended);
    (void)state;

    check_json(
        xdi__zosmf_files(job, jcl_text, "B", ""),
        "[{\"jobid\":\"JOB00003\",\"jobname\":\"PAYROLL2\",\"recfm\":\"UA\","
        "\"byte-count\":166,\"record-count\":4,"
        "\"job-correlator\":\"JOB00003SYSA....XDIEMU.........:\","
        "\"class\":\"B\",\"id\":2,\"ddname\":\"JESMSGLG\","
        "\"records-url\":\"/zosmf/restjobs/jobs/PAYROLL2/JOB00003/files/2/"
        "records\",\"lrecl\":133,\"subsystem\":\"JES2\",\"stepname\":\"JES2\","
        "\"procstep\":null},"
        "{\"jobid\":\"JOB00003\",\"jobname\":\"PAYROLL2\",\"recfm\":\"V\","
        "\"byte-count\":103,\"record-count\":3,"
        "\"job-correlator\":\"JOB00003SYSA....XDIEMU.........:\","
        "\"class\":\"B\",\"id\":3,\"ddname\":\"JESJCL\","
        "\"records-url\":\"/zosmf/restjobs/jobs/PAYROLL2/JOB00003/files/3/"
        "records\",\"lrecl\":136,\"subsystem\":\"JES2\",\"stepname\":\"JES2\","
        "\"procstep\":null},"
        "{\"jobid\":\"JOB00003\",\"jobname\":\"PAYROLL2\",\"recfm\":\"VA\","
        "\"byte-count\":274,\"record-count\":6,"
        "\"job-correlator\":\"JOB00003SYSA....XDIEMU.........:\","
        "\"class\":\"B\",\"id\":4,\"ddname\":\"JESYSMSG\","
        "\"records-url\":\"/zosmf/restjobs/jobs/PAYROLL2/JOB00003/files/4/"
        "records\",\"lrecl\":137,\"subsystem\":\"JES2\",\"stepname\":\"JES2\","
        "\"procstep\":null}]");
    json_decref(job);
}

static void test_zosmf_spool_texts(void **state)
{
    json_t *job = load(job_ended);
    char *s;
    (void)state;

    s = xdi__zosmf_spool(job, jcl_text, XDI_SPOOL_JESJCL);
    assert_string_equal(s, "         1 //PAYROLL2 JOB CLASS=B\n"
                           "         2 /*JOBPARM SYSAFF=SYSA\n"
                           "         3 //STEP1 EXEC PGM=PAYROLL\n");
    free(s);
    s = xdi__zosmf_spool(job, jcl_text, XDI_SPOOL_JESYSMSG);
    assert_string_equal(
        s, "IEF142I PAYROLL2 STEP1 - STEP WAS EXECUTED - COND CODE 0000\n"
           "XDI100I PAYROLL2 STEP1 - EOTINFO NOTES S NR\n"
           "IEF142I PAYROLL2 STEP2 - STEP WAS EXECUTED - COND CODE 0004\n"
           "        PROCSTEP COMPILE\n"
           "XDI100I PAYROLL2 STEP2 - EOTINFO NOTES J NR\n"
           "IEF404I PAYROLL2 - ENDED - TIME=14.31.05\n");
    free(s);
    s = xdi__zosmf_spool(job, jcl_text, XDI_SPOOL_JESMSGLG);
    assert_string_equal(
        s, "                    J E S 2  J O B  L O G  --  S Y S T E M  SYSA  "
           "--  N O D E  X D I E M U\n"
           "\n"
           "14.31.00 JOB00003  XDI sent: exec job PAYROLL2\n"
           "14.31.05 JOB00003  XDI eoj\n");
    free(s);
    assert_null(xdi__zosmf_spool(job, jcl_text, 7));
    json_decref(job);
}

static void test_zosmf_spool_abend_and_not_run(void **state)
{
    json_t *job = load("{\"jobid\":\"J2\",\"name\":\"BAD\",\"system\":\"S\","
                       "\"state\":\"abended\",\"abend\":\"S0C4\","
                       "\"ended\":\"2026-12-02T01:02:03.000Z\","
                       "\"steps\":[{\"step\":\"STEP1\",\"proc_step\":\"\","
                       "\"cc\":0,\"scc\":196,\"ucc\":0,\"notes\":\"\"},"
                       "{\"step\":\"STEP2\",\"proc_step\":\"\","
                       "\"cc\":100,\"scc\":0,\"ucc\":100,\"notes\":"
                       "\"S AR\"}]}");
    char *s;
    (void)state;

    s = xdi__zosmf_spool(job, NULL, XDI_SPOOL_JESYSMSG);
    assert_string_equal(
        s, "IEF472I BAD STEP1 - COMPLETION CODE - SYSTEM=0C4 USER=0000\n"
           "IEF472I BAD STEP2 - COMPLETION CODE - SYSTEM=000 USER=0100\n"
           "XDI100I BAD STEP2 - EOTINFO NOTES S AR\n"
           "IEF450I BAD - ABEND=S0C4 - TIME=01.02.03\n");
    free(s);
    json_decref(job);
    job = load("{\"jobid\":\"J3\",\"name\":\"NOPE\",\"system\":\"S\","
               "\"state\":\"not_run\",\"ended\":\"2026-12-02T01:02:03.000Z\"}");
    s = xdi__zosmf_spool(job, NULL, XDI_SPOOL_JESYSMSG);
    assert_string_equal(
        s, "IEF453I NOPE - JOB FAILED - JCL ERROR - TIME=01.02.03\n");
    free(s);
    json_decref(job);
}

static void test_zosmf_jcl_for_rerun(void **state)
{
    json_t *job = load("{\"jobid\":\"J4\",\"name\":\"PAYFIX\","
                       "\"system\":\"SYSB\",\"state\":\"ended\","
                       "\"by\":\"trigger\"}");
    char *s;
    struct xdi__jcl_info info;
    char err[128];
    (void)state;

    s = xdi__zosmf_jcl_for(job, "//X JOB\n", NULL);
    assert_string_equal(s, "//X JOB\n");
    free(s);
    /* A job the host ran itself: JCL that runs it again, where it ran. */
    s = xdi__zosmf_jcl_for(job, NULL, NULL);
    assert_string_equal(s, "//PAYFIX   JOB CLASS=A\n"
                           "/*JOBPARM SYSAFF=SYSB\n"
                           "//* run by the XDI host (trigger): the agent's "
                           "scheduler holds its steps\n");
    assert_int_equal(xdi__zosmf_jcl_parse(s, strlen(s), &info, err, sizeof err),
                     0);
    assert_string_equal(info.jobname, "PAYFIX");
    assert_string_equal(info.system, "SYSB");
    free(s);
    json_decref(job);
}

/* ---- errors, feedback, info ---------------------------------------------- */

static void test_zosmf_error_and_feedback(void **state)
{
    (void)state;
    check_json(xdi__zosmf_error(6, 4, 10,
                                "No job found for reference: "
                                "'PAY(JOB00001)'"),
               "{\"rc\":4,\"reason\":10,\"category\":6,\"message\":"
               "\"No job found for reference: 'PAY(JOB00001)'\"}");
    check_json(xdi__zosmf_feedback("PAY", "JOB00001", "SYSA", 0, NULL),
               "{\"jobid\":\"JOB00001\",\"jobname\":\"PAY\","
               "\"original-jobid\":\"JOB00001\",\"owner\":\"SYSA\","
               "\"member\":\"JES2\",\"sysname\":\"SYSA\","
               "\"job-correlator\":\"JOB00001SYSA....XDIEMU.........:\","
               "\"status\":0}");
    check_json(xdi__zosmf_feedback("PAY", "JOB00001", "SYSA", 1, "no agent"),
               "{\"jobid\":\"JOB00001\",\"jobname\":\"PAY\","
               "\"original-jobid\":\"JOB00001\",\"owner\":\"SYSA\","
               "\"member\":\"JES2\",\"sysname\":\"SYSA\","
               "\"job-correlator\":\"JOB00001SYSA....XDIEMU.........:\","
               "\"status\":1,\"internal-code\":\"XDI\",\"message\":"
               "\"no agent\"}");
}

static void test_zosmf_info(void **state)
{
    (void)state;
    check_json(
        xdi__zosmf_info("localhost", "8080", "1.2.3"),
        "{\"zos_version\":\"04.27.00\",\"zosmf_port\":\"8080\","
        "\"zosmf_version\":\"27\",\"zosmf_hostname\":\"localhost\","
        "\"zosmf_saf_realm\":\"SAFRealm\",\"zosmf_full_version\":\"27.0\","
        "\"api_version\":\"1\",\"plugins\":["
        "{\"pluginVersion\":\"XDIEMU;1.2.3\",\"pluginDefaultName\":"
        "\"z/OS Jobs REST interface\",\"pluginStatus\":\"ACTIVE\"},"
        "{\"pluginVersion\":\"XDIEMU;1.2.3\",\"pluginDefaultName\":"
        "\"TSO/E address space services\",\"pluginStatus\":\"ACTIVE\"},"
        "{\"pluginVersion\":\"XDIEMU;1.2.3\",\"pluginDefaultName\":"
        "\"Multisystem routing services\",\"pluginStatus\":\"ACTIVE\"}]}");
}

/* ---- TSO ------------------------------------------------------------------- */

static void test_zosmf_tso_object(void **state)
{
    const char *lines[] = {"IKJ56455I XDI LOGON IN PROGRESS", "READY "};
    (void)state;

    check_json(xdi__zosmf_tso("XDI-1-abcdefgh", "1", lines, 2, true, false, -1),
               "{\"servletKey\":\"XDI-1-abcdefgh\",\"queueID\":\"1\","
               "\"ver\":\"0100\",\"tsoData\":["
               "{\"TSO MESSAGE\":{\"VERSION\":\"0100\",\"DATA\":"
               "\"IKJ56455I XDI LOGON IN PROGRESS\"}},"
               "{\"TSO MESSAGE\":{\"VERSION\":\"0100\",\"DATA\":\"READY \"}},"
               "{\"TSO PROMPT\":{\"VERSION\":\"0100\",\"HIDDEN\":\"FALSE\"}}],"
               "\"timeout\":false}");
    /* Nothing to say (a send with readReply=false, a ping): no tsoData. */
    check_json(xdi__zosmf_tso("K", NULL, NULL, 0, false, false, -1),
               "{\"servletKey\":\"K\",\"ver\":\"0100\",\"timeout\":false}");
    /* A reconnect (appsessid given, session found). */
    check_json(xdi__zosmf_tso("K", "7", NULL, 0, false, true, 1),
               "{\"servletKey\":\"K\",\"queueID\":\"7\",\"ver\":\"0100\","
               "\"reused\":true,\"timeout\":true}");
    check_json(xdi__zosmf_tso_error("K", "IZUG1126E", "no such servlet"),
               "{\"servletKey\":\"K\",\"ver\":\"0100\",\"msgData\":"
               "[{\"messageText\":\"no such servlet\","
               "\"messageId\":\"IZUG1126E\"}]}");
}

static void test_zosmf_tso_v1(void **state)
{
    const char *lines[] = {"IEE114I 14.31.00 2026.336 ACTIVITY", "READY "};
    (void)state;

    check_json(xdi__zosmf_tso_v1(lines, 2, true, NULL),
               "{\"cmdResponse\":[{\"message\":"
               "\"IEE114I 14.31.00 2026.336 ACTIVITY\"},"
               "{\"message\":\"READY \"}],\"tsoPromptReceived\":\"Y\","
               "\"keywordDetected\":\"N\"}");
    check_json(xdi__zosmf_tso_v1(lines, 1, false, "XDI-2-k"),
               "{\"cmdResponse\":[{\"message\":"
               "\"IEE114I 14.31.00 2026.336 ACTIVITY\"}],"
               "\"tsoPromptReceived\":\"N\",\"keywordDetected\":\"N\","
               "\"servletKey\":\"XDI-2-k\"}");
}

static void test_zosmf_tso_lines(void **state)
{
    char **lines;
    json_t *ans;
    int n;
    (void)state;

    ans = load("{\"event\":\"info\",\"kind\":\"CMD\",\"text\":\"IEE114I "
               "ACTIVITY 3 JOBS\"}");
    n = xdi__zosmf_tso_lines("D A,L", ans, false, 5, &lines);
    assert_int_equal(n, 1);
    assert_string_equal(lines[0], "IEE114I ACTIVITY 3 JOBS");
    xdi__zosmf_lines_free(lines, n);
    json_decref(ans);

    ans = load("{\"event\":\"agent_error\",\"error\":4,\"error_name\":"
               "\"invalid request\",\"text\":\"NOT ALLOWED\"}");
    n = xdi__zosmf_tso_lines("KILL", ans, false, 5, &lines);
    assert_int_equal(n, 1);
    assert_string_equal(lines[0], "XDI202E KILL: the agent refused it: error "
                                  "04 invalid request: NOT ALLOWED");
    xdi__zosmf_lines_free(lines, n);
    json_decref(ans);

    ans = load("{\"event\":\"disconnect\",\"conn\":3}");
    n = xdi__zosmf_tso_lines("D T", ans, false, 5, &lines);
    assert_int_equal(n, 1);
    assert_string_equal(lines[0], "XDI203E D T: the agent's session ended "
                                  "before it answered");
    xdi__zosmf_lines_free(lines, n);
    json_decref(ans);

    n = xdi__zosmf_tso_lines("D T", NULL, true, 1, &lines);
    assert_int_equal(n, 1);
    assert_string_equal(
        lines[0], "XDI201W D T: no answer from the agent within 1 second");
    xdi__zosmf_lines_free(lines, n);
}

/* ---- gateway ------------------------------------------------------------ */

static void test_zosmf_gateway(void **state)
{
    struct xdi__gw_output out[2] = {
        {.system = "SYSA", .rc = "OK", .output = "{\"a\":1}", .output_len = 7},
        {.system = "SYSB",
         .rc = "HttpConnectionFailed",
         .msgid = "XDIZ401E",
         .msgtxt = "SYSB has no agent connected"},
    };
    (void)state;

    check_json(
        xdi__zosmf_gateway(out, 2, XDI_ZOSMF_SYSPLEX),
        "{\"primaryAPIVersion\":\"1\",\"numOfSystems\":2,\"systemsOutput\":["
        "{\"systemName\":\"SYSA\",\"rc\":\"OK\",\"error\":null,"
        "\"systemOutput\":\"{\\\"a\\\":1}\",\"secondaryApiVersion\":\"1\","
        "\"systemVersion\":{\"zosNode\":\"SYSA\",\"zosVrm\":\"04.27.00\","
        "\"zosSysplex\":\"XDIPLEX\"}},"
        "{\"systemName\":\"SYSB\",\"rc\":\"HttpConnectionFailed\","
        "\"error\":{\"msgid\":\"XDIZ401E\",\"msgtxt\":"
        "\"SYSB has no agent connected\"},\"systemOutput\":null,"
        "\"secondaryApiVersion\":\"1\",\"systemVersion\":{\"zosNode\":"
        "\"SYSB\",\"zosVrm\":\"04.27.00\",\"zosSysplex\":\"XDIPLEX\"}}]}");
}

/* ======================================================================
 * the routes (server/core/zosmf.c) on the control core, with the fake
 * transport of tests/support/core_harness.c and a fake clock: what the
 * scenarios cannot time (waits that end, deferred sends)
 * ==================================================================== */

#define T0    1795428000 /* Monday 2026-11-23 10:00:00 UTC */
#define TOKEN "ci-token-0123456789abcdefghijklmnop"
/* "Basic " and base64 of "xdi:" TOKEN. */
#define AUTH "Basic eGRpOmNpLXRva2VuLTAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9w"
/* ibmuser:secret, a user whose default system is SYSA. */
#define AUTH_IBMUSER "Basic aWJtdXNlcjpzZWNyZXQ="
/* "TIME" and "LISTCAT" in EBCDIC 037. */
#define TXT_TIME    "E3C9D4C5"
#define TXT_LISTCAT "D3C9E2E3C3C1E3"
#define EXEC_CMD(id, sys, len, n, txt)                                         \
    len " " id " " sys " 01020104 " EXT0 " 00000000 00000001 " n " " txt
#define INFO_CMD(id, sys, len, n, txt)                                         \
    len " " id " " sys " 02010A04 " EXT0 " 00000000 00000001 " n " " txt
#define PAYROLL2_E "D7C1E8D9D6D3D3F2"
#define EXEC_JOB(id, sys, job)                                                 \
    "0000002C " id " " sys " 01020108 " EXT0 " 00000000 00000001 00000008 " job

static const char *const routes_yaml = "hosts:\n"
                                       "  - system: SYSA\n"
                                       "    cancel_command: \"CANCEL &job\"\n"
                                       "    ems:\n"
                                       "      events:\n"
                                       "        - {key: TIME, type: command}\n"
                                       "    scd:\n"
                                       "      jobs:\n"
                                       "        - job: PAYROLL2\n"
                                       "  - system: SYSB\n";

static time_t fake_now = T0;

struct zenv {
    char dir[64], yaml[96];
    struct xdi_server *srv;
    struct xdi_control *ctl;
    struct th_journal journal;
    struct th_io io[1];
    struct xdi_conn *conn[1];
    struct xdi_http_response answers[4];
    size_t n_answers;
    uint8_t rnd;
};

static int reply_tag;

static void z_respond(void *ctx, void *reply, struct xdi_http_response *resp)
{
    struct zenv *e = ctx;

    assert_ptr_equal(reply, &reply_tag);
    assert_true(e->n_answers < 4);
    e->answers[e->n_answers++] = *resp;
    memset(resp, 0, sizeof *resp);
}

static void z_random(void *ctx, uint8_t *buf, size_t len)
{
    struct zenv *e = ctx;

    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(e->rnd++ * 7u);
}

static void z_tap(void *ctx, const struct xdi_record *rec)
{
    struct zenv *e = ctx;

    if (e->ctl != NULL)
        xdi_control_record(e->ctl, rec);
}

static void z_wall(void *ctx, struct timespec *now)
{
    now->tv_sec = *(const time_t *)ctx;
    now->tv_nsec = 0;
}

static int z_setup(void **state)
{
    struct zenv *e = calloc(1, sizeof *e);
    struct xdi_fixture_set *set = NULL;
    struct xdi_control_config cfg;
    struct xdi_control_env env = {e, z_respond, NULL, NULL, NULL, z_random};
    struct xdi_clock clock = {&fake_now, z_wall};
    FILE *f;

    assert_non_null(e);
    snprintf(e->dir, sizeof e->dir, "/tmp/test_zosmf_XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->yaml, sizeof e->yaml, "%s/hosts.yaml", e->dir);
    f = fopen(e->yaml, "w");
    assert_non_null(f);
    fputs(routes_yaml, f);
    fclose(f);
    assert_int_equal(xdi_fixture_load(e->dir, &set, NULL, NULL), 0);
    fake_now = T0;
    th_journal_init(&e->journal);
    e->journal.tap = z_tap;
    e->journal.tap_ctx = e;
    e->srv = th_server_new(NULL, set, &e->journal, &fake_now);
    xdi_control_config_defaults(&cfg);
    cfg.token = TOKEN;
    e->ctl = xdi_control_new(e->srv, &cfg, &env, &clock);
    assert_non_null(e->ctl);
    *state = e;
    return 0;
}

static int z_teardown(void **state)
{
    struct zenv *e = *state;

    xdi_control_free(e->ctl);
    e->ctl = NULL;
    th_server_stop(&e->srv, e->conn, e->io, 1);
    th_journal_free(&e->journal);
    for (size_t i = 0; i < e->n_answers; i++)
        xdi_http_response_free(&e->answers[i]);
    unlink(e->yaml);
    rmdir(e->dir);
    free(e);
    return 0;
}

static void z_login_sysa(struct zenv *e)
{
    th_login(e->srv, &e->conn[0], &e->io[0], SYSA, "00000001");
    th_feed(e->conn[0], ACQ_EMS("00000001", SYSA), 0);
    th_feed(e->conn[0], ACQ_SCD("00000001", SYSA), 0);
    e->io[0].len = 0;
}

struct zanswer {
    enum xdi_control_verdict verdict;
    struct xdi_http_response resp;
};

static struct zanswer zcall(struct zenv *e, const char *method,
                            const char *path, const char *query,
                            const char *body, const char *auth, bool csrf)
{
    struct xdi_http_request req;
    struct zanswer a;

    memset(&req, 0, sizeof req);
    memset(&a, 0, sizeof a);
    req.method = method;
    req.path = path;
    req.query = query != NULL ? query : "";
    req.authorization = auth;
    req.csrf_header = csrf;
    req.content_type =
        body != NULL && body[0] == '{' ? "application/json" : "text/plain";
    req.body = (const uint8_t *)body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.client = "127.0.0.1";
    req.host = "127.0.0.1:8443";
    req.reply = &reply_tag;
    a.verdict = xdi_control_handle(e->ctl, &req, &a.resp);
    return a;
}

/* The JSON of a DONE answer with that status (a new reference). */
static json_t *zdone(struct zanswer a, int status)
{
    json_t *j;

    assert_int_equal(a.verdict, XDI_CONTROL_DONE);
    assert_int_equal(a.resp.status, status);
    j = json_loadb(a.resp.body, a.resp.body_len, 0, NULL);
    assert_non_null(j);
    xdi_http_response_free(&a.resp);
    return j;
}

static json_t *answer_json(struct zenv *e, size_t i, int status)
{
    json_t *j;

    assert_true(e->n_answers > i);
    assert_int_equal(e->answers[i].status, status);
    j = json_loadb(e->answers[i].body, e->answers[i].body_len, 0, NULL);
    assert_non_null(j);
    return j;
}

static void test_zosmf_routes_auth_and_csrf(void **state)
{
    struct zenv *e = *state;
    struct zanswer a;
    json_t *j;

    z_login_sysa(e);
    /* No credentials: 401 with z/OSMF's realm. */
    a = zcall(e, "GET", "/zosmf/info", NULL, NULL, NULL, false);
    assert_int_equal(a.resp.status, 401);
    assert_true(a.resp.n_headers >= 1);
    assert_string_equal(a.resp.headers[a.resp.n_headers - 1].name,
                        "WWW-Authenticate");
    assert_string_equal(a.resp.headers[a.resp.n_headers - 1].value,
                        "Basic realm=\"zosmf/SAFRealm\"");
    xdi_http_response_free(&a.resp);
    /* A change without the CSRF header: 403, nothing sent. */
    j = zdone(zcall(e, "PUT", "/zosmf/restjobs/jobs", NULL,
                    "//PAYROLL2 JOB\n/*XEQ SYSA\n", AUTH, false),
              403);
    assert_non_null(strstr(json_string_value(json_object_get(j, "message")),
                           "X-CSRF-ZOSMF-HEADER"));
    json_decref(j);
    th_expect_nothing(&e->io[0]);
    /* With it the exec job goes out, and the answer is the job. */
    j = zdone(zcall(e, "PUT", "/zosmf/restjobs/jobs", NULL,
                    "//PAYROLL2 JOB CLASS=C\n/*XEQ SYSA\n", AUTH, true),
              201);
    th_expect(&e->io[0], EXEC_JOB("00000001", SYSA, PAYROLL2_E));
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        "ACTIVE");
    assert_string_equal(json_string_value(json_object_get(j, "class")), "C");
    assert_string_equal(json_string_value(json_object_get(j, "url")),
                        "http://127.0.0.1:8443/zosmf/restjobs/jobs/PAYROLL2/"
                        "JOB00001");
    json_decref(j);
    /* /zosmf/info takes its host and port from the Host header. */
    j = zdone(zcall(e, "GET", "/zosmf/info", NULL, NULL, AUTH, false), 200);
    assert_string_equal(json_string_value(json_object_get(j, "zosmf_hostname")),
                        "127.0.0.1");
    assert_string_equal(json_string_value(json_object_get(j, "zosmf_port")),
                        "8443");
    json_decref(j);
    j = zdone(zcall(e, "GET", "/zosmf/restfiles/ds", NULL, NULL, AUTH, false),
              404);
    json_decref(j);
}

static void test_zosmf_routes_tso_wait_ends(void **state)
{
    struct zenv *e = *state;
    struct zanswer a;
    json_t *j, *data;
    char path[128];
    const char *key;

    z_login_sysa(e);
    j = zdone(zcall(e, "POST", "/zosmf/tsoApp/tso", "acct=SYSA&proc=IZUFPROC",
                    NULL, AUTH, true),
              200);
    key = json_string_value(json_object_get(j, "servletKey"));
    assert_non_null(key);
    snprintf(path, sizeof path, "/zosmf/tsoApp/tso/%s", key);
    json_decref(j);
    /* readReply=false: at once, nothing to say yet. */
    j = zdone(zcall(e, "PUT", path, "readReply=false",
                    "{\"TSO RESPONSE\":{\"VERSION\":\"0100\",\"DATA\":"
                    "\"LISTCAT\"}}",
                    AUTH, true),
              200);
    assert_null(json_object_get(j, "tsoData"));
    json_decref(j);
    th_expect(&e->io[0],
              EXEC_CMD("00000001", SYSA, "0000002B", "00000007", TXT_LISTCAT));
    /* The agent says nothing; a receive waits until the command's 5 s
     * are up, then says so and prompts. */
    a = zcall(e, "GET", path, NULL, NULL, AUTH, false);
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    xdi_http_response_free(&a.resp);
    fake_now = T0 + 6;
    xdi_control_expire(e->ctl);
    j = answer_json(e, 0, 200);
    data = json_object_get(j, "tsoData");
    assert_int_equal(json_array_size(data), 3);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(data, 0), "TSO MESSAGE"), "DATA")),
        "XDI201W LISTCAT: no answer from the agent within 5 seconds");
    assert_non_null(json_object_get(json_array_get(data, 2), "TSO PROMPT"));
    json_decref(j);
    /* readReply=true: answered when the agent reports the command. */
    a = zcall(e, "PUT", path, NULL,
              "{\"TSO RESPONSE\":{\"VERSION\":\"0100\",\"DATA\":\"TIME\"}}",
              AUTH, true);
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    xdi_http_response_free(&a.resp);
    th_expect(&e->io[0],
              EXEC_CMD("00000001", SYSA, "00000028", "00000004", TXT_TIME));
    th_feed(e->conn[0],
            INFO_CMD("00000001", SYSA, "00000028", "00000004", TXT_TIME), 0);
    j = answer_json(e, 1, 200);
    data = json_object_get(j, "tsoData");
    assert_int_equal(json_array_size(data), 3);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_array_get(data, 0), "TSO MESSAGE"), "DATA")),
        "TIME");
    json_decref(j);
    /* End: the key is gone. */
    json_decref(zdone(zcall(e, "DELETE", path, NULL, NULL, AUTH, true), 200));
    json_decref(zdone(zcall(e, "GET", path, NULL, NULL, AUTH, false), 404));
    assert_int_equal(th_jcount(&e->journal, "control"), 4);
}

static void test_zosmf_routes_held_job_released_at_login(void **state)
{
    struct zenv *e = *state;
    struct timespec when;
    json_t *j;

    j = zdone(zcall(e, "PUT", "/zosmf/restjobs/jobs", NULL,
                    "//PAYROLL2 JOB\n/*JOBPARM SYSAFF=SYSA\n", AUTH, true),
              201);
    assert_string_equal(json_string_value(json_object_get(j, "jobid")),
                        "J0000001");
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        "INPUT");
    json_decref(j);
    assert_false(xdi_control_deadline(e->ctl, &when));
    /* The agent logs in and asks for its tables: once it asked for the
     * SCD table (whose jobs it reports), the send is deferred out of the
     * record to the next expire, which is due now. */
    th_login(e->srv, &e->conn[0], &e->io[0], SYSA, "00000001");
    th_feed(e->conn[0], ACQ_EMS("00000001", SYSA), 0);
    assert_false(xdi_control_deadline(e->ctl, &when));
    th_feed(e->conn[0], ACQ_SCD("00000001", SYSA), 0);
    e->io[0].len = 0;
    assert_true(xdi_control_deadline(e->ctl, &when));
    assert_int_equal(when.tv_sec, T0);
    xdi_control_expire(e->ctl);
    th_expect(&e->io[0], EXEC_JOB("00000001", SYSA, PAYROLL2_E));
    j = zdone(zcall(e, "GET", "/zosmf/restjobs/jobs/PAYROLL2/J0000001", NULL,
                    NULL, AUTH, false),
              200);
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        "ACTIVE");
    json_decref(j);
}

static void test_zosmf_routes_gateway_times_out(void **state)
{
    struct zenv *e = *state;
    struct zanswer a;
    struct timespec when;
    json_t *j, *o;

    z_login_sysa(e);
    a = zcall(e, "PUT", "/zosmf/gateway/systems", NULL,
              "{\"target\":\"SYSA,SYSB\",\"resourcePath\":"
              "\"/zosmf/tsoApp/v1/tso\",\"requestBody\":{\"tsoCmd\":"
              "\"LISTCAT\"},\"timeout\":2000}",
              AUTH, true);
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    xdi_http_response_free(&a.resp);
    th_expect(&e->io[0],
              EXEC_CMD("00000001", SYSA, "0000002B", "00000007", TXT_LISTCAT));
    assert_true(xdi_control_deadline(e->ctl, &when));
    assert_int_equal(when.tv_sec, T0 + 2);
    fake_now = T0 + 2;
    xdi_control_expire(e->ctl);
    j = answer_json(e, 0, 200);
    assert_int_equal(json_integer_value(json_object_get(j, "numOfSystems")), 2);
    o = json_array_get(json_object_get(j, "systemsOutput"), 0);
    assert_string_equal(json_string_value(json_object_get(o, "systemName")),
                        "SYSA");
    assert_string_equal(json_string_value(json_object_get(o, "rc")),
                        "HttpConnectionTimedOut");
    assert_true(json_is_null(json_object_get(o, "systemOutput")));
    o = json_array_get(json_object_get(j, "systemsOutput"), 1);
    assert_string_equal(json_string_value(json_object_get(o, "rc")),
                        "HttpConnectionFailed");
    json_decref(j);
}

static void test_zosmf_routes_tso_stateful_v1(void **state)
{
    struct zenv *e = *state;
    struct zanswer a;
    json_t *j;
    char body[160];
    const char *key;

    char users[200], err[128];
    const char *hash = crypt("secret", "$6$zosmftest$");

    assert_non_null(hash);
    snprintf(users, sizeof users, "ibmuser:%s:SYSA\n", hash);
    assert_int_equal(xdi_control_load_users(e->ctl, users, strlen(users),
                                            "users", err, sizeof err),
                     0);
    z_login_sysa(e);
    /* The token's user has no default system: no system for a command. */
    j = zdone(zcall(e, "PUT", "/zosmf/tsoApp/v1/tso", NULL,
                    "{\"tsoCmd\":\"TIME\"}", AUTH, true),
              400);
    json_decref(j);
    /* stateful: the session is kept and named in the answer. */
    a = zcall(e, "PUT", "/zosmf/tsoApp/v1/tso", NULL,
              "{\"tsoCmd\":\"TIME\",\"cmdState\":\"stateful\"}", AUTH_IBMUSER,
              true);
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    xdi_http_response_free(&a.resp);
    th_expect(&e->io[0],
              EXEC_CMD("00000001", SYSA, "00000028", "00000004", TXT_TIME));
    th_feed(e->conn[0],
            INFO_CMD("00000001", SYSA, "00000028", "00000004", TXT_TIME), 0);
    j = answer_json(e, 0, 200);
    check_json(json_deep_copy(json_object_get(j, "cmdResponse")),
               "[{\"message\":\"TIME\"},{\"message\":\"READY \"}]");
    assert_string_equal(
        json_string_value(json_object_get(j, "tsoPromptReceived")), "Y");
    key = json_string_value(json_object_get(j, "servletKey"));
    assert_non_null(key);
    /* Its key again: the same session; the agent's silence ends the wait
     * with the message that says so. */
    snprintf(body, sizeof body,
             "{\"tsoCmd\":\"LISTCAT\",\"servletKey\":\"%s\",\"timeout\":1}",
             key);
    json_decref(j);
    a = zcall(e, "PUT", "/zosmf/tsoApp/v1/tso", NULL, body, AUTH_IBMUSER, true);
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    xdi_http_response_free(&a.resp);
    th_expect(&e->io[0],
              EXEC_CMD("00000001", SYSA, "0000002B", "00000007", TXT_LISTCAT));
    fake_now = T0 + 2;
    xdi_control_expire(e->ctl);
    j = answer_json(e, 1, 200);
    check_json(json_deep_copy(json_object_get(j, "cmdResponse")),
               "[{\"message\":\"XDI201W LISTCAT: no answer from the agent "
               "within 1 second\"},{\"message\":\"READY \"}]");
    json_decref(j);
    /* A key that is no session's: 404 with msgData. */
    j = zdone(zcall(e, "PUT", "/zosmf/tsoApp/v1/tso", NULL,
                    "{\"tsoCmd\":\"TIME\",\"servletKey\":\"nope\"}",
                    AUTH_IBMUSER, true),
              404);
    assert_string_equal(
        json_string_value(json_object_get(
            json_array_get(json_object_get(j, "msgData"), 0), "messageId")),
        "IZUG1126E");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zosmf_jcl_job_and_sysaff),
        cmocka_unit_test(test_zosmf_jcl_defaults),
        cmocka_unit_test(test_zosmf_jcl_xeq_main_route),
        cmocka_unit_test(test_zosmf_jcl_continuation_crlf_columns),
        cmocka_unit_test(test_zosmf_jcl_errors_name_lines),
        cmocka_unit_test(test_zosmf_valid_name),
        cmocka_unit_test(test_zosmf_cancel_command),
        cmocka_unit_test(test_zosmf_fixture_cancel_command),
        cmocka_unit_test(test_zosmf_match),
        cmocka_unit_test(test_zosmf_job_ended_cc),
        cmocka_unit_test(test_zosmf_job_states),
        cmocka_unit_test(test_zosmf_job_input_has_no_start),
        cmocka_unit_test(test_zosmf_files_list),
        cmocka_unit_test(test_zosmf_spool_texts),
        cmocka_unit_test(test_zosmf_spool_abend_and_not_run),
        cmocka_unit_test(test_zosmf_jcl_for_rerun),
        cmocka_unit_test(test_zosmf_error_and_feedback),
        cmocka_unit_test(test_zosmf_info),
        cmocka_unit_test(test_zosmf_tso_object),
        cmocka_unit_test(test_zosmf_tso_v1),
        cmocka_unit_test(test_zosmf_tso_lines),
        cmocka_unit_test(test_zosmf_gateway),
        cmocka_unit_test_setup_teardown(test_zosmf_routes_auth_and_csrf,
                                        z_setup, z_teardown),
        cmocka_unit_test_setup_teardown(test_zosmf_routes_tso_wait_ends,
                                        z_setup, z_teardown),
        cmocka_unit_test_setup_teardown(
            test_zosmf_routes_held_job_released_at_login, z_setup, z_teardown),
        cmocka_unit_test_setup_teardown(test_zosmf_routes_gateway_times_out,
                                        z_setup, z_teardown),
        cmocka_unit_test_setup_teardown(test_zosmf_routes_tso_stateful_v1,
                                        z_setup, z_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
