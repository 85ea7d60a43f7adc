/*
 * util.c - naccb-bench's small helpers: a seeded PRNG (so inputs are the
 * same on every run and machine), a growable buffer, clocks and the
 * median/min/max of repeated measurements.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

void rng_seed(struct rng *r, uint64_t seed)
{
    r->state = seed;
}

/* splitmix64 (Steele, Lea, Flood 2014): passes BigCrush, one add and three
 * multiply-xorshifts. */
uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15u);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* The modulo bias is below 2^-32 for the small n used here: irrelevant
 * for generating test data. */
uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

uint32_t rng_range(struct rng *r, uint32_t lo, uint32_t hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

int buf_reserve(struct buf *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 4096;
    uint8_t *p;

    if (b->len + n <= b->cap)
        return 0;
    while (cap < b->len + n)
        cap *= 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

void buf_free(struct buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

static double seconds(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_wall(void)
{
    return seconds(CLOCK_MONOTONIC);
}

double clock_cpu(void)
{
    return seconds(CLOCK_THREAD_CPUTIME_ID);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void summarize(double *samples, size_t n, struct summary *out)
{
    qsort(samples, n, sizeof *samples, cmp_double);
    out->min = samples[0];
    out->max = samples[n - 1];
    out->median = n % 2 ? samples[n / 2]
                        : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
}
