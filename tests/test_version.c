/*
 * test_version.c - libnaccb's version (naccb.h, naccb/version.h generated
 * from project() by naccb/CMakeLists.txt).  XDI_PROJECT_VERSION is
 * project()'s number passed by tests/CMakeLists.txt, so a header written by
 * hand again, or a stale generated one, fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "naccb.h"

static void test_version_string_is_project_version(void **state)
{
    (void)state;
    assert_string_equal(naccb_version(), XDI_PROJECT_VERSION);
    assert_string_equal(NACCB_VERSION_STRING, XDI_PROJECT_VERSION);
}

static void test_version_numbers_match_string(void **state)
{
    char buf[32];

    (void)state;
    snprintf(buf, sizeof buf, "%d.%d.%d", NACCB_VERSION_MAJOR,
             NACCB_VERSION_MINOR, NACCB_VERSION_PATCH);
    assert_string_equal(buf, naccb_version());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_string_is_project_version),
        cmocka_unit_test(test_version_numbers_match_string),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
