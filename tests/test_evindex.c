/*
 * test_evindex.c - the server's EVBLOK index (server/core/evindex.c)
 * against the rule it stands in for: a text is a candidate of an EVBLOK
 * exactly when naccb_evblok_matches() says so (its first KL bytes are the
 * key, its event type the EVBLOK's), and the candidates come in table
 * order.  Tables are drawn from a fixed seed with few key bytes, so keys
 * repeat, share prefixes of every length and collide; KLs outside 1..20
 * (which match nothing) are among them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static uint64_t rng_state;

static uint32_t rnd(uint32_t below)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (uint32_t)((z ^ (z >> 31)) % below);
}

static void random_table(struct naccb_evblok *t, uint32_t n)
{
    memset(t, 0, n * sizeof *t);
    for (uint32_t i = 0; i < n; i++) {
        t[i].kl = (uint16_t)rnd(23); /* 0 and 21, 22 match nothing */
        t[i].event_type = (uint8_t)(1 + rnd(3));
        for (int k = 0; k < NACCB_KEY_SIZE; k++)
            t[i].event_key[k] = (uint8_t)(0xC1 + rnd(2)); /* 'A' or 'B' */
    }
}

/* The candidates by the rule itself, in table order. */
static size_t brute(const struct naccb_evblok *t, uint32_t n, unsigned et,
                    const uint8_t *text, size_t len, uint32_t *out)
{
    size_t k = 0;

    for (uint32_t i = 0; i < n; i++)
        if (naccb_evblok_matches(&t[i], et, text, len))
            out[k++] = i;
    return k;
}

static void test_evindex_agrees_with_the_rule(void **state)
{
    enum { N = 400, CAP = N };
    struct naccb_evblok *t = calloc(N, sizeof *t);
    uint32_t want[CAP], got[CAP];
    size_t total = 0;

    (void)state;
    assert_non_null(t);
    rng_state = 7;
    for (int round = 0; round < 20; round++) {
        uint32_t n = 1 + rnd(N);
        struct xdi__evindex ix;
        random_table(t, n);
        assert_int_equal(xdi__evindex_build(&ix, t, n), 0);
        for (int q = 0; q < 500; q++) {
            uint8_t text[32];
            size_t len = rnd(sizeof text + 1);
            unsigned et = 1 + rnd(3);
            for (size_t k = 0; k < len; k++)
                text[k] = (uint8_t)(0xC1 + rnd(2));
            size_t nw = brute(t, n, et, text, len, want);
            size_t ng = xdi__evindex_find(&ix, t, et, text, len, got, CAP);
            assert_int_equal(ng, nw);
            assert_memory_equal(got, want, nw * sizeof *got);
            total += nw;
        }
        xdi__evindex_free(&ix);
    }
    /* The draw did exercise matches, not only misses. */
    assert_true(total > 1000);
    free(t);
}

/* More candidates than the caller has room for: the count is the whole
 * number (so the caller knows to scan), out holds the first ones. */
static void test_evindex_reports_overflow(void **state)
{
    struct naccb_evblok t[10];
    struct xdi__evindex ix;
    uint32_t got[4];
    const uint8_t text[] = {0xC1, 0xC2, 0xC3};

    (void)state;
    memset(t, 0, sizeof t);
    for (int i = 0; i < 10; i++) {
        t[i].kl = (uint16_t)(1 + i % 3);
        t[i].event_type = 1;
        memcpy(t[i].event_key, text, 3);
    }
    assert_int_equal(xdi__evindex_build(&ix, t, 10), 0);
    assert_int_equal(xdi__evindex_find(&ix, t, 1, text, 3, got, 4), 10);
    for (uint32_t i = 0; i < 4; i++)
        assert_int_equal(got[i], i);
    /* Another event type, a text too short for any key but KL 1. */
    assert_int_equal(xdi__evindex_find(&ix, t, 2, text, 3, got, 4), 0);
    assert_int_equal(xdi__evindex_find(&ix, t, 1, text, 1, got, 4), 4);
    xdi__evindex_free(&ix);
}

static void test_evindex_empty_table(void **state)
{
    struct xdi__evindex ix;
    uint32_t got[1];
    const uint8_t text[] = {0xC1};

    (void)state;
    assert_int_equal(xdi__evindex_build(&ix, NULL, 0), 0);
    assert_int_equal(xdi__evindex_find(&ix, NULL, 1, text, 1, got, 1), 0);
    xdi__evindex_free(&ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evindex_agrees_with_the_rule),
        cmocka_unit_test(test_evindex_reports_overflow),
        cmocka_unit_test(test_evindex_empty_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
