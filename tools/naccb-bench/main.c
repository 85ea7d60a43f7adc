/*
 * main.c - naccb-bench: how fast libnaccb takes NACCBs off a byte stream
 * and matches event texts, read against plain memcpy/memchr/memcmp passes
 * over the same bytes in the same run (the machine is shared and noisy:
 * only the ratio to the baseline carries across runs).  See
 * docs/performance.md for what each figure means and the command that
 * produced the published ones.
 *
 * Every measurement is repeated and reported as median, min..max and
 * spread; the inputs come from a fixed seed.  Every run of every pass is
 * also checked (all NACCBs out and valid, match counts as generated): the
 * exit status is 1 when one is not, so the smoke test
 * (scenarios/tests/test_bench_smoke.py) keeps this program honest.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "naccb.h"
#include "naccb/codes.h"
#include "naccb/ebcdic.h"

#ifndef XDI_BUILD_TYPE
#define XDI_BUILD_TYPE "unknown"
#endif

enum { MAX_CHUNKS = 8, MAX_REPS = 100 };

/* ---- allocation count ---------------------------------------------------------
 * The design rule "the codec does not allocate on decode" is measured, not
 * assumed: the link wraps malloc, calloc and realloc (CMakeLists.txt,
 * -Wl,--wrap) for every object of this program, libnaccb's included, and
 * a decode pass reports how many calls it made.  Only the framer may
 * allocate, to hold NACCBs split across chunks; its buffer only grows
 * (doubling, or to the length of a split NACCB larger than any before), so
 * a pass makes a few dozen calls at most, while one allocation per NACCB
 * or per object would make thousands: the check fails above this. */
enum { DECODE_MAX_ALLOCS = 64 };

static unsigned long alloc_calls;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n)
{
    alloc_calls++;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    alloc_calls++;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    alloc_calls++;
    return __real_realloc(p, n);
}

enum what {
    DO_DECODE = 1,   /* framer + decode + validate, and its memcpy baseline */
    DO_MATCH = 2,    /* matching, and its memcmp baseline */
    DO_BASELINE = 4, /* the memcpy / memchr / memcmp baselines */
};

struct options {
    size_t stream_bytes;
    uint32_t table_size;
    uint32_t scd_size;
    uint32_t infos;
    uint32_t texts;
    size_t chunks[MAX_CHUNKS];
    size_t nchunks;
    unsigned reps;
    unsigned warmup;
    uint64_t seed;
    unsigned what;
    int streams; /* bit 0 sessions, bit 1 events */
};

static const char usage_text[] =
    "Usage: naccb-bench [OPTIONS]\n"
    "\n"
    "Measures libnaccb in one run: (a) framer + message decode + object\n"
    "validation over generated NACCB streams fed in chunks, in MB/s and\n"
    "NACCBs/s; (b) matching event texts against an EMS table; (c) the\n"
    "baseline: memcpy (same chunks), memchr and memcmp passes over the same\n"
    "bytes, so figures read relative to the machine's state.  Inputs come\n"
    "from a fixed seed; each measurement is repeated (median, min..max).\n"
    "\n"
    "Options:\n"
    "  --stream-size N   bytes of each generated stream, K/M suffix\n"
    "                    (default 32M; at most 1G)\n"
    "  --streams LIST    sessions, events or sessions,events (default both):\n"
    "                    sessions = login, accept, acquires, the whole EMS and\n"
    "                    SCD tables, info NACCBs, logout per agent session;\n"
    "                    events = info NACCBs only (texts and EOT reports)\n"
    "  --table-size N    EVBLOKs per EMS table, and in the matching table\n"
    "                    (default 1000; 1..50000)\n"
    "  --scd-size N      EOTINFOs per SCD table (default 50; 1..50000)\n"
    "  --infos N         info NACCBs per session (default 64; 0..100000)\n"
    "  --texts N         texts matched against the table (default 20000;\n"
    "                    1..10000000)\n"
    "  --chunks LIST     chunk sizes the stream is fed in, comma separated,\n"
    "                    K/M suffix (default 1,1460,64K; at most 8)\n"
    "  --reps N          timed repetitions of each measurement (default 5)\n"
    "  --warmup N        untimed runs before them (default 1)\n"
    "  --seed N          PRNG seed of the inputs (default 1)\n"
    "  --only LIST       decode, match and/or baseline (default all); used\n"
    "                    with callgrind (tools/bench.sh)\n"
    "  -h, --help        this text\n"
    "  -V, --version     naccb-bench's and libnaccb's versions\n"
    "\n"
    "Exit status: 0 measured and every pass checked out; 1 a pass gave a\n"
    "wrong result (a NACCB lost or invalid, a match count off); 2 usage.\n";

/* ---- options ---------------------------------------------------------------- */

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "naccb-bench: %s: %s\nTry 'naccb-bench --help'.\n", msg,
            arg);
    return 2;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;

    if (xdi_cli_size(s, min, max, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_chunks(char *list, struct options *o)
{
    o->nchunks = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (o->nchunks == MAX_CHUNKS || xdi_cli_size(t, 1, 16u << 20, &v) != 0)
            return -1;
        o->chunks[o->nchunks++] = (size_t)v;
    }
    return o->nchunks ? 0 : -1;
}

/* A comma-separated list of words, each a bit. */
static int parse_words(char *list, const char *const *names, size_t n, int *out)
{
    *out = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < n && strcmp(t, names[i]) != 0)
            i++;
        if (i == n)
            return -1;
        *out |= 1 << i;
    }
    return *out ? 0 : -1;
}

static void defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->stream_bytes = 32u << 20;
    o->table_size = 1000;
    o->scd_size = 50;
    o->infos = 64;
    o->texts = 20000;
    o->chunks[0] = 1, o->chunks[1] = 1460, o->chunks[2] = 64u << 10;
    o->nchunks = 3;
    o->reps = 5;
    o->warmup = 1;
    o->seed = 1;
    o->what = DO_DECODE | DO_MATCH | DO_BASELINE;
    o->streams = 3;
}

enum { OPT_STREAM_SIZE = 256, OPT_STREAMS, OPT_TABLE, OPT_SCD, OPT_INFOS,
       OPT_TEXTS, OPT_CHUNKS, OPT_REPS, OPT_WARMUP, OPT_SEED, OPT_ONLY };

static const struct option long_options[] = {
    {"stream-size", required_argument, NULL, OPT_STREAM_SIZE},
    {"streams", required_argument, NULL, OPT_STREAMS},
    {"table-size", required_argument, NULL, OPT_TABLE},
    {"scd-size", required_argument, NULL, OPT_SCD},
    {"infos", required_argument, NULL, OPT_INFOS},
    {"texts", required_argument, NULL, OPT_TEXTS},
    {"chunks", required_argument, NULL, OPT_CHUNKS},
    {"reps", required_argument, NULL, OPT_REPS},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"seed", required_argument, NULL, OPT_SEED},
    {"only", required_argument, NULL, OPT_ONLY},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int apply_option(int c, const char *optarg_text, struct options *o)
{
    char arg[256]; /* the lists are cut up in place: keep optarg for errors */
    static const char *const stream_names[] = {"sessions", "events"};
    static const char *const only_names[] = {"decode", "match", "baseline"};
    uint64_t v = 0;
    int bits, rc = 0;

    snprintf(arg, sizeof arg, "%s", optarg_text);
    switch (c) {
    case OPT_STREAM_SIZE: rc = xdi_cli_size(arg, 1, 1u << 30, &v); o->stream_bytes = (size_t)v; break;
    case OPT_STREAMS: rc = parse_words(arg, stream_names, 2, &o->streams); break;
    case OPT_TABLE: rc = parse_u32(arg, 1, 50000, &o->table_size); break;
    case OPT_SCD: rc = parse_u32(arg, 1, 50000, &o->scd_size); break;
    case OPT_INFOS: rc = parse_u32(arg, 0, 100000, &o->infos); break;
    case OPT_TEXTS: rc = parse_u32(arg, 1, 10000000, &o->texts); break;
    case OPT_CHUNKS: rc = parse_chunks(arg, o); break;
    case OPT_REPS: rc = xdi_cli_size(arg, 1, MAX_REPS, &v); o->reps = (unsigned)v; break;
    case OPT_WARMUP: rc = xdi_cli_size(arg, 0, 10, &v); o->warmup = (unsigned)v; break;
    case OPT_SEED: rc = xdi_cli_size(arg, 0, UINT64_MAX, &o->seed); break;
    case OPT_ONLY: rc = parse_words(arg, only_names, 3, &bits); o->what = (unsigned)bits; break;
    default: return -2;
    }
    return rc;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int c;

    defaults(o);
    while ((c = getopt_long(argc, argv, "hV", long_options, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return 1;
        }
        if (c == 'V') {
            printf("naccb-bench (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
                   naccb_version());
            return 1;
        }
        int rc = apply_option(c, optarg, o);
        if (rc == -2) { /* getopt printed why */
            fputs("Try 'naccb-bench --help'.\n", stderr);
            return 2;
        }
        if (rc != 0)
            return usage_error("bad value", argv[optind - 1]);
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    return 0;
}

/* ---- the run ------------------------------------------------------------------ */

struct stream {
    const char *name;
    struct buf bytes;
    struct stream_info info;
};

/* One timed thing: its samples, and what one run of it processes. */
struct measure {
    char label[48];
    double wall[MAX_REPS];
    double cpu[MAX_REPS];
    unsigned n;
    double bytes;  /* per run */
    double items;  /* NACCBs, or texts, per run */
    double comps;  /* EVBLOK comparisons per run (matching) */
    double in_place_pct;
    unsigned long allocs; /* malloc/calloc/realloc calls in the last run */
    int baseline_of; /* index+1 of the baseline it is read against, or 0 */
};

struct run {
    const struct options *opt;
    struct stream streams[2];
    size_t nstreams;
    uint8_t *copy_dst;
    struct naccb_evblok *table;
    struct text_set texts;
    struct naccb_local_time now;
    struct measure m[64];
    size_t nm;
    int failed;
    int timing; /* 0 during warm-up */
};

static void fail(struct run *r, const char *what)
{
    if (!r->failed)
        fprintf(stderr, "naccb-bench: CHECK FAILED: %s\n", what);
    r->failed = 1;
}

static void record(struct run *r, size_t i, double wall, double cpu)
{
    struct measure *m = &r->m[i];

    if (r->timing) {
        m->wall[m->n] = wall;
        m->cpu[m->n] = cpu;
        m->n++;
    }
}

static size_t add_measure(struct run *r, const char *label, double bytes,
                          double items, int baseline_of)
{
    struct measure *m = &r->m[r->nm];

    memset(m, 0, sizeof *m);
    snprintf(m->label, sizeof m->label, "%s", label);
    m->bytes = bytes;
    m->items = items;
    m->baseline_of = baseline_of;
    return r->nm++;
}

/* One decode pass, timed and checked against what was generated. */
static void run_decode(struct run *r, const struct stream *s, size_t chunk, size_t mi)
{
    struct decode_result res;
    unsigned long a0 = alloc_calls;
    double w0 = clock_wall(), c0 = clock_cpu();
    int rc = decode_pass(s->bytes.data, s->bytes.len, chunk, &res);
    double c1 = clock_cpu(), w1 = clock_wall();

    record(r, mi, w1 - w0, c1 - c0);
    r->m[mi].allocs = alloc_calls - a0;
    if (r->m[mi].allocs > DECODE_MAX_ALLOCS)
        fail(r, "decode pass: more allocations than the framer's buffer growth");
    if (rc != 0 || res.errors != 0 || res.pending != 0 ||
        res.naccbs != s->info.naccbs || res.objects != s->info.objects)
        fail(r, "decode pass: a NACCB was lost, split wrongly or invalid");
    r->m[mi].in_place_pct = res.naccbs ? 100.0 * (double)res.in_place / (double)res.naccbs : 0;
}

static void run_memcpy(struct run *r, const struct stream *s, size_t chunk, size_t mi)
{
    double w0 = clock_wall(), c0 = clock_cpu();
    uint64_t sum = memcpy_pass(s->bytes.data, s->bytes.len, chunk, r->copy_dst);
    double c1 = clock_cpu(), w1 = clock_wall();

    record(r, mi, w1 - w0, c1 - c0);
    if (memcmp(r->copy_dst, s->bytes.data, s->bytes.len) != 0 || sum == UINT64_MAX)
        fail(r, "memcpy baseline copied wrongly");
}

static void run_memchr(struct run *r, const struct stream *s, size_t mi)
{
    double w0 = clock_wall(), c0 = clock_cpu();
    uint64_t hits = memchr_pass(s->bytes.data, s->bytes.len, 0xFF);
    double c1 = clock_cpu(), w1 = clock_wall();

    record(r, mi, w1 - w0, c1 - c0);
    r->m[mi].items = (double)hits; /* reported as a count, not a rate */
}

static void check_match(struct run *r, const struct match_result *res, int exact)
{
    uint64_t matched = res->in_frame + res->out_of_frame;

    if (matched != r->texts.expect_matched ||
        res->unmatched != r->texts.count - r->texts.expect_matched)
        fail(r, "matching: texts built to match did not, or others did");
    /* With more than a handful of texts some match an "always" EVBLOK: none
     * in frame means the time-frame path is broken. */
    if (exact && r->texts.expect_matched >= 100 && res->in_frame == 0)
        fail(r, "matching: no text was in frame");
}

static void run_match(struct run *r, size_t mi, int baseline)
{
    struct match_result res;
    double w0 = clock_wall(), c0 = clock_cpu();

    if (baseline)
        memcmp_match_pass(r->table, r->opt->table_size, &r->texts, &res);
    else
        match_pass(r->table, r->opt->table_size, &r->texts, &r->now, &res);
    double c1 = clock_cpu(), w1 = clock_wall();

    record(r, mi, w1 - w0, c1 - c0);
    r->m[mi].comps = (double)res.comparisons;
    check_match(r, &res, !baseline);
}

/* The measurements, in the order each repetition runs them: a baseline
 * right before what it is the baseline of, so both see the same machine. */
static void plan(struct run *r)
{
    const struct options *o = r->opt;
    char label[48];

    for (size_t s = 0; s < r->nstreams; s++) {
        struct stream *st = &r->streams[s];
        double bytes = (double)st->bytes.len, items = (double)st->info.naccbs;
        for (size_t c = 0; c < o->nchunks; c++) {
            size_t base = 0;
            if (o->what & DO_BASELINE) {
                snprintf(label, sizeof label, "memcpy %s/%zu", st->name, o->chunks[c]);
                base = add_measure(r, label, bytes, items, 0) + 1;
            }
            if (o->what & DO_DECODE) {
                snprintf(label, sizeof label, "decode %s/%zu", st->name, o->chunks[c]);
                add_measure(r, label, bytes, items, (int)base);
            }
        }
        if (o->what & DO_BASELINE) {
            snprintf(label, sizeof label, "memchr %s", st->name);
            add_measure(r, label, bytes, 0, 0);
        }
    }
    if (o->what & (DO_MATCH | DO_BASELINE)) {
        size_t base = 0;
        if (o->what & DO_BASELINE)
            base = add_measure(r, "memcmp match", 0, o->texts, 0) + 1;
        if (o->what & DO_MATCH)
            add_measure(r, "naccb_evblok_match", 0, o->texts, (int)base);
    }
}

/* One repetition of every measurement, in plan order. */
static void run_all(struct run *r)
{
    size_t mi = 0;
    const struct options *o = r->opt;

    for (size_t s = 0; s < r->nstreams; s++) {
        for (size_t c = 0; c < o->nchunks; c++) {
            if (o->what & DO_BASELINE)
                run_memcpy(r, &r->streams[s], o->chunks[c], mi++);
            if (o->what & DO_DECODE)
                run_decode(r, &r->streams[s], o->chunks[c], mi++);
        }
        if (o->what & DO_BASELINE)
            run_memchr(r, &r->streams[s], mi++);
    }
    if (o->what & DO_BASELINE)
        run_match(r, mi++, 1);
    if (o->what & DO_MATCH)
        run_match(r, mi++, 0);
}

/* ---- inputs ---------------------------------------------------------------------- */

static int make_streams(struct run *r)
{
    const struct options *o = r->opt;
    struct gen_params p = {o->seed, o->stream_bytes, o->table_size, o->scd_size, o->infos};
    size_t longest = 0;

    if (o->streams & 1) {
        struct stream *s = &r->streams[r->nstreams++];
        s->name = "sessions";
        if (gen_sessions_stream(&p, &s->bytes, &s->info) != 0)
            return -1;
    }
    if (o->streams & 2) {
        struct stream *s = &r->streams[r->nstreams++];
        s->name = "events";
        if (gen_events_stream(&p, &s->bytes, &s->info) != 0)
            return -1;
    }
    for (size_t i = 0; i < r->nstreams; i++)
        if (r->streams[i].bytes.len > longest)
            longest = r->streams[i].bytes.len;
    r->copy_dst = malloc(longest + 1);
    return r->copy_dst ? 0 : -1;
}

static int make_match_inputs(struct run *r)
{
    const struct options *o = r->opt;
    struct rng rng;
    uint8_t system[NACCB_NAME_SIZE];

    /* Monday 2026-11-23 10:00:00: inside the weekday frames of some
     * EVBLOKs, outside others (gen.c set_frame). */
    r->now.date = (struct naccb_date){2026, 11, 23};
    r->now.time = (struct naccb_time){10, 0, 0};
    rng_seed(&rng, o->seed ^ 0x7AB1E7AB1E7AB1E7u);
    (void)naccb_field_put(NACCB_CP_037, system, sizeof system, "SYSA", 4);
    r->table = malloc((size_t)o->table_size * sizeof *r->table);
    if (r->table == NULL || gen_table(&rng, system, o->table_size, r->table) != 0)
        return -1;
    return gen_texts(&rng, r->table, o->table_size, o->texts, &r->texts);
}

/* ---- the report --------------------------------------------------------------------- */

static void print_machine(const struct options *o)
{
    char date[32] = "?", model[128] = "?", load[64] = "?", line[256];
    time_t now = time(NULL);
    struct tm tm;
    FILE *f;

    if (gmtime_r(&now, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    if ((f = fopen("/proc/cpuinfo", "r")) != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
                snprintf(model, sizeof model, "%s", strchr(line, ':') + 2);
                model[strcspn(model, "\n")] = '\0';
                break;
            }
        fclose(f);
    }
    if ((f = fopen("/proc/loadavg", "r")) != NULL) {
        if (fgets(load, sizeof load, f) != NULL)
            load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("date: %s\nmachine: %ld CPUs online, %s\nload average before: %s\n",
           date, sysconf(_SC_NPROCESSORS_ONLN), model, load);
    printf("build: %s%s   seed: %" PRIu64 "   repetitions: %u (+%u warm-up)\n",
           XDI_BUILD_TYPE,
#ifdef XDI_SANITIZED
           " with sanitizers (figures meaningless)",
#else
           "",
#endif
           o->seed, o->reps, o->warmup);
}

static void print_streams(const struct run *r)
{
    const struct options *o = r->opt;

    printf("\ninputs\n");
    for (size_t i = 0; i < r->nstreams; i++) {
        const struct stream *s = &r->streams[i];
        printf("  %-8s %10zu bytes %9" PRIu64 " NACCBs %9" PRIu64 " objects "
               "(%" PRIu64 " EVBLOKs, %" PRIu64 " EOTINFOs, %" PRIu64 " texts)",
               s->name, s->bytes.len, s->info.naccbs, s->info.objects,
               s->info.evbloks, s->info.eotinfos, s->info.texts);
        if (s->info.sessions)
            printf(", %" PRIu64 " sessions", s->info.sessions);
        printf("\n");
    }
    if (r->nstreams && (o->streams & 1))
        printf("  sessions: per session login, accept, acquire EMS, EMS table "
               "(%u EVBLOKs), acquire SCD, SCD table (%u EOTINFOs), %u info "
               "NACCBs, logout\n", o->table_size, o->scd_size, o->infos);
    if (o->what & (DO_MATCH | DO_BASELINE))
        printf("  matching: %u texts (%u built to match) against %u EVBLOKs\n",
               r->texts.count, r->texts.expect_matched, o->table_size);
}

/* Median rate with its range, and the spread (max-min)/median in %. */
static void rate_summary(const struct measure *m, double per_run, struct summary *s)
{
    double rates[MAX_REPS];

    for (unsigned i = 0; i < m->n; i++)
        rates[i] = per_run / m->wall[i];
    summarize(rates, m->n, s);
}

static double cpu_share(const struct measure *m)
{
    double w = 0, c = 0;

    for (unsigned i = 0; i < m->n; i++)
        w += m->wall[i], c += m->cpu[i];
    return w > 0 ? 100.0 * c / w : 0;
}

static double median_wall(const struct measure *m)
{
    double t[MAX_REPS];
    struct summary s;

    memcpy(t, m->wall, m->n * sizeof *t);
    summarize(t, m->n, &s);
    return s.median;
}

static void print_stream_row(const struct run *r, const struct measure *m)
{
    struct summary mb, per;

    rate_summary(m, m->bytes / 1e6, &mb);
    printf("  %-22s %9.1f [%9.1f .. %9.1f] %5.1f%%",
           m->label, mb.median, mb.min, mb.max,
           100.0 * (mb.max - mb.min) / mb.median);
    if (strncmp(m->label, "decode", 6) != 0) {
        printf("  %12s %8s %6s", "", "", "");
    } else {
        rate_summary(m, m->items, &per);
        printf("  %12.0f", per.median);
        if (m->baseline_of)
            printf(" %7.1fx", median_wall(m) / median_wall(&r->m[m->baseline_of - 1]));
        else
            printf(" %8s", "");
        printf(" %5.1f%% %6lu", m->in_place_pct, m->allocs);
    }
    if (strncmp(m->label, "decode", 6) != 0)
        printf(" %6s", "");
    printf(" %5.0f%%\n", cpu_share(m));
}

static void print_match_row(const struct run *r, const struct measure *m)
{
    struct summary per;

    rate_summary(m, m->items, &per);
    printf("  %-22s %11.0f [%11.0f .. %11.0f] %5.1f%%  %8.2f ns",
           m->label, per.median, per.min, per.max,
           100.0 * (per.max - per.min) / per.median,
           1e9 * median_wall(m) / m->comps);
    if (m->baseline_of) {
        const struct measure *b = &r->m[m->baseline_of - 1];
        printf(" %7.1fx", (median_wall(m) / m->comps) / (median_wall(b) / b->comps));
    } else {
        printf(" %8s", "");
    }
    printf("  %12.0f %5.0f%%\n", m->comps / m->items, cpu_share(m));
}

static void print_results(const struct run *r)
{
    int header = 0;

    for (size_t i = 0; i < r->nm; i++) {
        const struct measure *m = &r->m[i];
        if (m->bytes > 0) {
            if (!header++)
                printf("\nstreams: MB/s (1 MB = 10^6 bytes) median [min .. max] "
                       "spread, NACCBs/s median,\n  time relative to the memcpy "
                       "baseline of the same bytes and chunks, NACCBs handed out\n"
                       "  in place (not copied by the framer), malloc/calloc/"
                       "realloc calls in one pass,\n  CPU time / wall time\n"
                       "  %-22s %9s %25s %6s  %12s %8s %6s %6s %6s\n",
                       "measure/chunk", "MB/s", "range", "spread", "NACCBs/s",
                       "x base", "inplc", "allocs", "cpu");
            print_stream_row(r, m);
        }
    }
    header = 0;
    for (size_t i = 0; i < r->nm; i++) {
        const struct measure *m = &r->m[i];
        if (m->bytes == 0) {
            if (!header++)
                printf("\nmatching: texts/s median [min .. max] spread, time per "
                       "EVBLOK compared,\n  relative to the memcmp baseline, "
                       "EVBLOKs compared per text, CPU / wall\n"
                       "  %-22s %11s %27s %6s  %11s %8s  %12s %6s\n",
                       "measure", "texts/s", "range", "spread", "per EVBLOK",
                       "x base", "EVBLOKs/text", "cpu");
            print_match_row(r, m);
        }
    }
}

static void free_run(struct run *r)
{
    for (size_t i = 0; i < r->nstreams; i++)
        buf_free(&r->streams[i].bytes);
    free(r->copy_dst);
    free(r->table);
    text_set_free(&r->texts);
}

int main(int argc, char **argv)
{
    struct options o;
    struct run r;
    int rc = parse_options(argc, argv, &o);
    double t0;

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    memset(&r, 0, sizeof r);
    r.opt = &o;
    printf("naccb-bench: libnaccb receive path and EVBLOK matching, with a "
           "baseline in the same run\n");
    print_machine(&o);
    t0 = clock_wall();
    if (((o.what & (DO_DECODE | DO_BASELINE)) && make_streams(&r) != 0) ||
        ((o.what & (DO_MATCH | DO_BASELINE)) && make_match_inputs(&r) != 0)) {
        fprintf(stderr, "naccb-bench: could not build the inputs\n");
        free_run(&r);
        return 1;
    }
    print_streams(&r);
    printf("  (inputs built in %.2f s)\n", clock_wall() - t0);
    fflush(stdout);
    plan(&r);
    for (unsigned i = 0; i < o.warmup; i++)
        run_all(&r);
    r.timing = 1;
    for (unsigned i = 0; i < o.reps; i++)
        run_all(&r);
    print_results(&r);
    printf("\ncheck: %s\n", r.failed ? "FAILED" : "ok (every NACCB out of the "
           "framer whole and valid; match counts as generated)");
    free_run(&r);
    return r.failed ? 1 : 0;
}
