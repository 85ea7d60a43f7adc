/*
 * test_agent_sim.c - the simulation script parser of xdi-agent
 * (tools/xdi-agent/core/sim.h): delays, the five event kinds, the
 * defaults of eos/eoj, and one error per rule with its line number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

static int parse(const char *text, struct xdi_sim_script *s, char *err,
                 size_t errlen)
{
    return xdi_sim_parse(text, strlen(text), s, err, errlen);
}

static void test_agent_sim_all_kinds(void **state)
{
    static const char text[] =
        "# a comment\n"
        "\n"
        "+0.5 msg IEF450I  two blanks kept \n"
        "+1 cmd KILL JOKO\r\n"
        "+0 eos PAYROLL1 STEP1 rc=4\n"
        "+0 eos PAYROLL1 STEP2 rc=2 scc=196\n"
        "+0.25 eoj PAYROLL1\n"
        "+0.001 eoj PAYROLL2 maxcc=8 status=C\n"
        "+2 shutdown\n";
    struct xdi_sim_script s;
    char err[128] = "";

    (void)state;
    assert_int_equal(parse(text, &s, err, sizeof err), 0);
    assert_int_equal(s.n, 7);
    assert_int_equal(s.events[0].kind, XDI_SIM_MSG);
    assert_int_equal(s.events[0].at_ms, 500);
    assert_string_equal(s.events[0].text, "IEF450I  two blanks kept ");
    assert_int_equal(s.events[0].text_len, 25);
    assert_int_equal(s.events[0].line, 3);
    assert_int_equal(s.events[1].kind, XDI_SIM_CMD);
    assert_int_equal(s.events[1].at_ms, 1500);
    assert_string_equal(s.events[1].text, "KILL JOKO"); /* CR dropped */

    const struct xdi_job_end *e = &s.events[2].end;
    assert_int_equal(s.events[2].kind, XDI_SIM_JOB_END);
    assert_string_equal(e->job, "PAYROLL1");
    assert_string_equal(e->step, "STEP1");
    assert_int_equal(e->step_number, 1);
    assert_int_equal(e->ucc, 4);
    assert_int_equal(e->max_cc, 4);
    assert_int_equal(e->status, 'N');

    e = &s.events[3].end;
    assert_int_equal(e->step_number, 2);
    assert_int_equal(e->ucc, 2);
    assert_int_equal(e->max_cc, 4); /* the job's highest so far */
    assert_int_equal(e->scc, 196);
    assert_int_equal(e->status, 'A'); /* scc given: abend */

    e = &s.events[4].end;
    assert_int_equal(s.events[4].at_ms, 1750);
    assert_string_equal(e->step, "");
    assert_int_equal(e->step_number, 0);
    assert_int_equal(e->ucc, 0);
    assert_int_equal(e->max_cc, 4); /* from its steps */
    assert_int_equal(e->status, 'N');

    e = &s.events[5].end;
    assert_int_equal(s.events[5].at_ms, 1751);
    assert_int_equal(e->ucc, 8); /* ucc defaults to maxcc */
    assert_int_equal(e->max_cc, 8);
    assert_int_equal(e->status, 'C');

    assert_int_equal(s.events[6].kind, XDI_SIM_SHUTDOWN);
    assert_int_equal(s.events[6].at_ms, 3751);
    xdi_sim_free(&s);
}

/* After an eoj the job's next eos is step 1 again, max CC from zero. */
static void test_agent_sim_eoj_resets_steps(void **state)
{
    static const char text[] = "+0 eos J S1 rc=8\n+0 eoj J\n+0 eos J S1\n";
    struct xdi_sim_script s;
    char err[128];

    (void)state;
    assert_int_equal(parse(text, &s, err, sizeof err), 0);
    assert_int_equal(s.events[1].end.max_cc, 8);
    assert_int_equal(s.events[2].end.step_number, 1);
    assert_int_equal(s.events[2].end.max_cc, 0);
    xdi_sim_free(&s);
}

/* One broken rule per line; the message names the line. */
static void test_agent_sim_errors(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"msg X\n", "line 1: expected a delay"},
        {"+x msg X\n", "line 1: expected a delay"},
        {"+1.2345 msg X\n", "line 1: expected a delay"},
        {"+86400.001 msg X\n", "line 1: expected a delay"},
        {"\n+1 msg\n", "line 2: the text is missing"},
        {"+1 msg \n", "line 1: the text is missing"},
        {"+1 say X\n", "line 1: unknown event 'say'"},
        {"+0 eoj payroll\n", "line 1: the job name must be"},
        {"+0 eoj ABCDEFGHI\n", "line 1: the job name must be"},
        {"+0 eos J\n", "line 1: the step name must be"},
        {"+0 eoj J rc=1\n", "line 1: rc is not an option of eoj"},
        {"+0 eos J S maxcc=1\n", "line 1: maxcc is not an option of eos"},
        {"+0 eoj J maxcc=65536\n", "line 1: maxcc must be a number 0..65535"},
        {"+0 eos J S step=0\n", "line 1: step must be a number 1..256"},
        {"+0 eos J S step=257\n", "line 1: step must be a number 1..256"},
        {"+0 eoj J status=X\n", "line 1: status must be N, A or C"},
        {"+0 eoj J what=1\n", "line 1: unknown option 'what'"},
        {"+0 eoj J maxcc\n", "line 1: expected key=value"},
        {"+0 shutdown now\n", "line 1: shutdown takes no arguments"},
    };
    struct xdi_sim_script s;
    char err[160];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        assert_int_equal(parse(cases[i].text, &s, err, sizeof err), -1);
        if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
            fail_msg("case %zu: got '%s', want '%s...'", i, err,
                     cases[i].want);
        assert_null(s.events);
        assert_int_equal(s.n, 0);
    }
}

/* 128 bytes is the longest text; 129 is refused. */
static void test_agent_sim_text_128(void **state)
{
    char text[160];
    struct xdi_sim_script s;
    char err[128];

    (void)state;
    memcpy(text, "+0 msg ", 7);
    memset(text + 7, 'A', 129);
    text[7 + 128] = '\0';
    assert_int_equal(parse(text, &s, err, sizeof err), 0);
    assert_int_equal(s.events[0].text_len, 128);
    xdi_sim_free(&s);
    text[7 + 128] = 'A';
    text[7 + 129] = '\0';
    assert_int_equal(parse(text, &s, err, sizeof err), -1);
    assert_string_equal(err, "line 1: the text is longer than 128 bytes");
}

/* Step 256 is fine; a 257th eos without step= is refused. */
static void test_agent_sim_step_limit(void **state)
{
    static const char ok[] = "+0 eos J S step=256\n";
    static const char over[] = "+0 eos J S step=256\n+0 eos J S\n";
    struct xdi_sim_script s;
    char err[128];

    (void)state;
    assert_int_equal(parse(ok, &s, err, sizeof err), 0);
    assert_int_equal(s.events[0].end.step_number, 256);
    xdi_sim_free(&s);
    assert_int_equal(parse(over, &s, err, sizeof err), -1);
    assert_string_equal(err, "line 2: more than 256 steps in job J");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_sim_all_kinds),
        cmocka_unit_test(test_agent_sim_eoj_resets_steps),
        cmocka_unit_test(test_agent_sim_errors),
        cmocka_unit_test(test_agent_sim_text_128),
        cmocka_unit_test(test_agent_sim_step_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
