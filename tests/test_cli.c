/*
 * test_cli.c - the option values the programs share (tools/common/cli.h):
 * counts, K/M/G sizes, durations and {name} templates; and HOST:PORT
 * (tools/common/addr.h), split and resolved.  Expected values are
 * written by hand; each boundary (the largest value, one past it, the
 * suffix that overflows) has its own case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>

#include "addr.h"
#include "cli.h"

#define SENTINEL 0xDEADBEEFu

/* A refused text leaves the output alone. */
static void assert_size_refused(const char *text, uint64_t min, uint64_t max)
{
    uint64_t v = SENTINEL;

    assert_int_equal(xdi_cli_size(text, min, max, &v), -1);
    assert_int_equal(v, SENTINEL);
}

static uint64_t size_of(const char *text)
{
    uint64_t v = SENTINEL;

    assert_int_equal(xdi_cli_size(text, 0, UINT64_MAX, &v), 0);
    return v;
}

static void assert_duration_refused(const char *text, uint64_t max)
{
    uint64_t v = SENTINEL;

    assert_int_equal(xdi_cli_duration_ms(text, max, &v), -1);
    assert_int_equal(v, SENTINEL);
}

/* --- counts ---------------------------------------------------------- */

static void test_cli_uint_bounds(void **state)
{
    uint64_t v = SENTINEL;

    (void)state;
    assert_int_equal(xdi_cli_uint("1", 1, 65535, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(xdi_cli_uint("65535", 1, 65535, &v), 0);
    assert_int_equal(v, 65535);
    v = SENTINEL;
    assert_int_equal(xdi_cli_uint("0", 1, 65535, &v), -1);
    assert_int_equal(xdi_cli_uint("65536", 1, 65535, &v), -1);
    assert_int_equal(v, SENTINEL);
}

static void test_cli_uint_largest(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(xdi_cli_uint("18446744073709551615", 0, UINT64_MAX, &v),
                     0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(xdi_cli_uint("18446744073709551616", 0, UINT64_MAX, &v),
                     -1);
    assert_int_equal(xdi_cli_uint("99999999999999999999", 0, UINT64_MAX, &v),
                     -1);
}

static void test_cli_uint_refuses_what_strtoull_takes(void **state)
{
    static const char *const bad[] = {
        "", "-1", "+1", " 1", "1 ", "0x10", "1K", "1.0", "12a",
    };
    uint64_t v = SENTINEL;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(xdi_cli_uint(bad[i], 0, UINT64_MAX, &v), -1);
        assert_int_equal(v, SENTINEL);
    }
}

/* --- sizes ----------------------------------------------------------- */

static void test_cli_size_suffixes(void **state)
{
    (void)state;
    assert_int_equal(size_of("0"), 0);
    assert_int_equal(size_of("4096"), 4096);
    assert_int_equal(size_of("64K"), 65536);
    assert_int_equal(size_of("64k"), 65536);
    assert_int_equal(size_of("16M"), 16777216);
    assert_int_equal(size_of("16m"), 16777216);
    assert_int_equal(size_of("1G"), 1073741824);
    assert_int_equal(size_of("3g"), 3221225472u);
}

static void test_cli_size_bounds_after_suffix(void **state)
{
    uint64_t v = 0;

    (void)state;
    /* A bound of 4G-1: 4G itself is refused. */
    assert_int_equal(xdi_cli_size("4194303K", 36, UINT32_MAX, &v), 0);
    assert_int_equal(v, 4294966272u);
    assert_size_refused("4G", 36, UINT32_MAX);
    assert_size_refused("4194304K", 36, UINT32_MAX);
    assert_size_refused("35", 36, UINT32_MAX);
    assert_int_equal(xdi_cli_size("36", 36, UINT32_MAX, &v), 0);
    assert_int_equal(v, 36);
}

static void test_cli_size_overflow_refused(void **state)
{
    (void)state;
    /* 2^34 G = 2^64: one past the largest value, caught before shifting. */
    assert_int_equal(size_of("17179869183G"), 17179869183ull << 30);
    assert_size_refused("17179869184G", 0, UINT64_MAX);
    assert_size_refused("18014398509481984K", 0, UINT64_MAX);
}

static void test_cli_size_malformed(void **state)
{
    static const char *const bad[] = {
        "", "K", "-1", "+4", " 4", "4 ", "4KB", "4T", "4.5M", "0x10", "4KK",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_size_refused(bad[i], 0, UINT64_MAX);
}

/* --- durations ------------------------------------------------------- */

/* Each accepted text and its milliseconds, written by hand. */
static const struct {
    const char *text;
    uint64_t ms;
} durations[] = {
    /* without a unit: seconds, as xdi-server's options always took them */
    {"0", 0},
    {"30", 30000},
    {"0.5", 500},
    {"2.5", 2500},
    {".5", 500},
    {"0.05", 50},
    /* units */
    {"250ms", 250},
    {"30s", 30000},
    {"2m", 120000},
    {"1.5m", 90000},
    {"1h", 3600000},
    {"0.25h", 900000},
    /* rounded to the nearest millisecond */
    {"0.0004", 0},
    {"0.0005", 1},
    {"0.0015", 2},
    {"1.4ms", 1},
    {"1.5ms", 2},
    /* digits past the ninth do not count (nor overflow) */
    {"1.0000000009999999999", 1000},
};

static void test_cli_duration_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof durations / sizeof durations[0]; i++) {
        uint64_t v = SENTINEL;
        int rc = xdi_cli_duration_ms(durations[i].text, UINT64_MAX, &v);
        if (rc != 0 || v != durations[i].ms)
            fail_msg("\"%s\": rc %d, %llu ms, expected %llu", durations[i].text,
                     rc, (unsigned long long)v,
                     (unsigned long long)durations[i].ms);
    }
}

static void test_cli_duration_max(void **state)
{
    uint64_t v = 0;

    (void)state;
    /* xdi-server keeps milliseconds in an unsigned int. */
    assert_int_equal(xdi_cli_duration_ms("4294967.295", UINT32_MAX, &v), 0);
    assert_int_equal(v, UINT32_MAX);
    assert_duration_refused("4294967.296", UINT32_MAX);
    assert_duration_refused("50d", UINT32_MAX);
    assert_duration_refused("5124095576030432h", UINT64_MAX);
    assert_duration_refused("18446744073709551616ms", UINT64_MAX);
}

static void test_cli_duration_malformed(void **state)
{
    static const char *const bad[] = {
        "",    ".",   "1.",  "s",    "-1", "+1",    " 1",  "1 ",
        "1e3", "inf", "nan", "1sec", "1M", "1.5.5", "1 s", "1S",
    };

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_duration_refused(bad[i], UINT64_MAX);
}

/* --- templates ------------------------------------------------------- */

static const struct xdi_cli_var vars[] = {
    {"host", "127.0.0.1"},
    {"port", "7012"},
    {"system", "SYSA"},
};

static void test_cli_expand_placeholders(void **state)
{
    char out[128];

    (void)state;
    assert_int_equal(
        xdi_cli_expand("agent --server {host}:{port} --system {system}", vars,
                       3, out, sizeof out, NULL),
        43);
    assert_string_equal(out, "agent --server 127.0.0.1:7012 --system SYSA");
    assert_int_equal(
        xdi_cli_expand("{port}{port}", vars, 3, out, sizeof out, NULL), 8);
    assert_string_equal(out, "70127012");
}

static void test_cli_expand_other_braces_literal(void **state)
{
    char out[64];

    (void)state;
    /* Not a placeholder: empty, upper case, unclosed, a blank inside. */
    assert_int_equal(xdi_cli_expand("{} {HOST} {host awk '{print $1}'", vars, 3,
                                    out, sizeof out, NULL),
                     32);
    assert_string_equal(out, "{} {HOST} {host awk '{print $1}'");
}

static void test_cli_expand_unknown_placeholder(void **state)
{
    char out[64] = "untouched";
    size_t at = 99;

    (void)state;
    assert_int_equal(
        xdi_cli_expand("run {host} {workdir}", vars, 3, out, sizeof out, &at),
        -1);
    assert_int_equal(at, 11);
    assert_int_equal(xdi_cli_expand("{port}", vars, 1, out, sizeof out, NULL),
                     -1);
}

static void test_cli_expand_truncates_like_snprintf(void **state)
{
    char out[8];

    (void)state;
    memset(out, 'x', sizeof out);
    assert_int_equal(
        xdi_cli_expand("{host}:{port}", vars, 3, out, sizeof out, NULL), 14);
    assert_string_equal(out, "127.0.0");
    /* Size 0 measures only. */
    assert_int_equal(xdi_cli_expand("{system}!", vars, 3, NULL, 0, NULL), 5);
    assert_int_equal(xdi_cli_expand("{system}", vars, 3, out, 5, NULL), 4);
    assert_string_equal(out, "SYSA");
}

/* ---- HOST:PORT (addr.h) -------------------------------------------------- */

static void test_addr_split_forms(void **state)
{
    char host[64], err[128];
    unsigned port = 1;

    (void)state;
    assert_int_equal(xdi_addr_split("localhost:7012", host, sizeof host,
                                    &port, err, sizeof err), 0);
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 7012);
    assert_int_equal(xdi_addr_split("0.0.0.0:0", host, sizeof host, &port,
                                    err, sizeof err), 0);
    assert_string_equal(host, "0.0.0.0");
    assert_int_equal(port, 0);
    assert_int_equal(xdi_addr_split("[::1]:65535", host, sizeof host, &port,
                                    err, sizeof err), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 65535);
}

static void assert_split_refused(const char *text, const char *why)
{
    char host[16], err[128];
    unsigned port = 77;

    assert_int_equal(xdi_addr_split(text, host, sizeof host, &port, err,
                                    sizeof err), -1);
    assert_int_equal(port, 77);
    /* The message quotes the text, then says what is wrong. */
    assert_non_null(strstr(err, text));
    assert_non_null(strstr(err, why));
}

static void test_addr_split_refused(void **state)
{
    (void)state;
    assert_split_refused("localhost", "expected HOST:PORT");
    assert_split_refused(":7012", "no host");
    assert_split_refused("localhost:", "port");
    assert_split_refused("localhost:65536", "port");
    assert_split_refused("localhost:-1", "port");
    assert_split_refused("localhost:70x", "port");
    assert_split_refused("::1:7012", "[ADDR]:PORT");
    assert_split_refused("[::1]7012", "[ADDR]:PORT");
    assert_split_refused("[::1:7012", "[ADDR]:PORT");
    assert_split_refused("a-name-longer-than-16:1", "too long");
}

static void test_addr_resolve_localhost(void **state)
{
    struct xdi_addr a[4];
    size_t n = 99;
    char err[256];

    (void)state;
    assert_int_equal(xdi_addr_resolve("localhost:7012", true, a, 4, &n, err,
                                      sizeof err), 0);
    assert_true(n >= 1 && n <= 4);
    for (size_t i = 0; i < n; i++) {
        if (a[i].sa.ss_family == AF_INET) {
            const struct sockaddr_in *s4 = (const void *)&a[i].sa;
            assert_int_equal(ntohs(s4->sin_port), 7012);
            assert_int_equal(ntohl(s4->sin_addr.s_addr), INADDR_LOOPBACK);
        } else {
            const struct sockaddr_in6 *s6 = (const void *)&a[i].sa;
            assert_int_equal(a[i].sa.ss_family, AF_INET6);
            assert_int_equal(ntohs(s6->sin6_port), 7012);
            assert_true(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
        }
    }
    /* Numeric addresses, and at most max of them. */
    assert_int_equal(xdi_addr_resolve("0.0.0.0:1", true, a, 1, &n, err,
                                      sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(a[0].sa.ss_family, AF_INET);
    assert_int_equal(xdi_addr_resolve("[::1]:2", false, a, 4, &n, err,
                                      sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(a[0].sa.ss_family, AF_INET6);
}

static void test_addr_resolve_bad_name(void **state)
{
    struct xdi_addr a[4];
    size_t n = 99;
    char err[256];

    (void)state;
    /* .invalid never resolves (RFC 6761). */
    assert_int_equal(xdi_addr_resolve("nosuchhost.invalid:7012", true, a, 4,
                                      &n, err, sizeof err), -1);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err, "'nosuchhost.invalid:7012': cannot resolve "
                                "'nosuchhost.invalid': "));
    /* A split error comes first, without a look-up. */
    assert_int_equal(xdi_addr_resolve("nosuchhost.invalid", true, a, 4, &n,
                                      err, sizeof err), -1);
    assert_non_null(strstr(err, "expected HOST:PORT"));
}

static void test_cli_size_format(void **state)
{
    char out[32];

    (void)state;
    assert_int_equal(xdi_cli_size_format(16u << 20, out, sizeof out), 3);
    assert_string_equal(out, "16M");
    xdi_cli_size_format(1u << 30, out, sizeof out);
    assert_string_equal(out, "1G");
    xdi_cli_size_format(1536u << 10, out, sizeof out);
    assert_string_equal(out, "1536K");
    xdi_cli_size_format(1000, out, sizeof out);
    assert_string_equal(out, "1000");
    xdi_cli_size_format(0, out, sizeof out);
    assert_string_equal(out, "0");
}

/* --max-naccb-size in every tool: 36 to 2G-1. */
static void test_cli_naccb_size_range(void **state)
{
    uint32_t v = 7;

    (void)state;
    assert_int_equal(xdi_cli_naccb_size("36", &v), 0);
    assert_int_equal(v, 36);
    assert_int_equal(xdi_cli_naccb_size("16M", &v), 0);
    assert_int_equal(v, 16u << 20);
    assert_int_equal(xdi_cli_naccb_size("2147483647", &v), 0);
    assert_int_equal(v, 2147483647u);
    v = 7;
    assert_int_equal(xdi_cli_naccb_size("35", &v), -1);
    assert_int_equal(xdi_cli_naccb_size("2G", &v), -1);
    assert_int_equal(xdi_cli_naccb_size("16MB", &v), -1);
    assert_int_equal(v, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_uint_bounds),
        cmocka_unit_test(test_cli_uint_largest),
        cmocka_unit_test(test_cli_uint_refuses_what_strtoull_takes),
        cmocka_unit_test(test_cli_size_suffixes),
        cmocka_unit_test(test_cli_size_bounds_after_suffix),
        cmocka_unit_test(test_cli_size_overflow_refused),
        cmocka_unit_test(test_cli_size_malformed),
        cmocka_unit_test(test_cli_duration_values),
        cmocka_unit_test(test_cli_duration_max),
        cmocka_unit_test(test_cli_duration_malformed),
        cmocka_unit_test(test_cli_expand_placeholders),
        cmocka_unit_test(test_cli_expand_other_braces_literal),
        cmocka_unit_test(test_cli_expand_unknown_placeholder),
        cmocka_unit_test(test_cli_expand_truncates_like_snprintf),
        cmocka_unit_test(test_cli_size_format),
        cmocka_unit_test(test_cli_naccb_size_range),
        cmocka_unit_test(test_addr_split_forms),
        cmocka_unit_test(test_addr_split_refused),
        cmocka_unit_test(test_addr_resolve_localhost),
        cmocka_unit_test(test_addr_resolve_bad_name),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
