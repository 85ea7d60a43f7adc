/*
 * report.c - what xdi-load prints: one row per phase, the medians and
 * ranges over the rounds with the load/baseline ratios, latency
 * percentiles (every round's samples together), the server's memory while
 * the load phase's sessions hold their tables, and the verdict on the
 * replies.  The machine is shared and noisy: rows are always printed next
 * to the baseline taken in the same run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "load.h"

static double secs(uint64_t ns)
{
    return (double)ns / 1e9;
}

static double mib(uint64_t kib)
{
    return (double)kib / 1024.0;
}

void report_header(const struct run *r)
{
    const struct load *l = &r->load;
    char date[32] = "?";
    time_t now = time(NULL);
    struct tm tm;
    size_t ems = NACCB_HEADER_SIZE + (size_t)l->man.events * NACCB_EVBLOK_SIZE;

    if (gmtime_r(&now, &tm) != NULL)
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("xdi-load: %u agents against %s, server pid %ld\n",
           (unsigned)l->n_agents, r->target, l->server_pid);
    printf("date: %s   machine: %ld CPUs online   time limit: %u s\n", date,
           sysconf(_SC_NPROCESSORS_ONLN), r->timeout_s);
    printf(
        "fixtures: %s: %u hosts; EMS table %u EVBLOKs (receive EMS NACCB %zu bytes), "
        "SCD table %u EOTINFOs\n",
        r->fixtures, (unsigned)l->man.hosts, (unsigned)l->man.events, ems,
        (unsigned)l->man.jobs);
    printf(
        "session: connect, login, acquire EMS, acquire SCD, %u info MSG NACCBs x %u "
        "texts of %u bytes, logout, server closes\n",
        (unsigned)l->infos, (unsigned)l->texts, (unsigned)l->man.text_length);
    fflush(stdout);
}

/* ---- per phase ------------------------------------------------------------------ */

/* The figures of one phase, as rates. */
struct rates {
    double sessions; /* completed sessions per second of the phase */
    double conns;    /* logins accepted per second, phase start to the last */
    double infos;    /* info NACCBs per second of the server's info time */
    double naccbs;   /* NACCBs sent + received per second of the phase */
    double cpu_ms;   /* server CPU per completed session */
};

static void rates_of(const struct phase *ph, const struct load *l,
                     struct rates *out)
{
    double wall = secs(ph->t_end - ph->t_begin);
    double setup =
        secs((ph->t_last_accept ? ph->t_last_accept : ph->t_end) - ph->t_begin);

    out->sessions = ph->done / wall;
    out->conns = setup > 0 ? ph->accepted / setup : 0;
    out->infos =
        ph->info_time > 0 ? (double)ph->done * l->infos / ph->info_time : 0;
    out->naccbs = (double)(ph->naccbs_sent + ph->naccbs_received) / wall;
    out->cpu_ms = ph->done ? 1e3 * ph->server_cpu / ph->done : 0;
}

static void print_phase(const struct phase *ph, const struct load *l)
{
    struct rates rt;
    char cpu[16] = "n/a";

    rates_of(ph, l, &rt);
    if (l->server_pid)
        snprintf(cpu, sizeof cpu, "%.2f", ph->server_cpu);
    printf(
        "  %-9s %5u %6u %6u %7.3f %10.0f %8.0f %8.0f %9.0f %7.1f %7s %7.2f\n",
        ph->name, ph->round, (unsigned)ph->agents, (unsigned)ph->done,
        secs(ph->t_end - ph->t_begin), rt.sessions, rt.conns, rt.infos,
        rt.naccbs,
        (double)ph->bytes_received / 1e6 / secs(ph->t_end - ph->t_begin), cpu,
        ph->client_cpu);
}

static void print_phases(const struct run *r)
{
    printf("\n  %-9s %5s %6s %6s %7s %10s %8s %8s %9s %7s %7s %7s\n", "phase",
           "round", "agents", "done", "wall s", "sessions/s", "conns/s",
           "infos/s", "NACCBs/s", "MB/s", "srv cpu", "cli cpu");
    for (size_t i = 0; i < r->ran; i++)
        print_phase(&r->phases[i], &r->load);
    printf(
        "  baseline = the same sessions one at a time; load = %u at once, at most %u\n"
        "  setting up (connect to both tables) together, then holding until all have.\n"
        "  conns/s: logins accepted per second, phase start to the last accept;\n"
        "  infos/s: info NACCBs per second of server time on infos + logouts (load: from\n"
        "  the release to the last close; baseline: the sessions' infos+logout -> close\n"
        "  summed); NACCBs/s: sent + received over the phase; MB/s: received;\n"
        "  srv/cli cpu: CPU seconds (user + system) of xdi-server / xdi-load in the phase\n",
        (unsigned)r->phases[r->nphases - 1].agents,
        (unsigned)r->phases[r->nphases - 1].window);
}

/* ---- over the rounds -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Median, min and max of one figure over the phases called `name`. */
struct spread {
    double median, min, max;
    size_t n;
};

enum figure { F_SESSIONS, F_CONNS, F_INFOS, F_NACCBS, F_CPU_MS };

static double figure_of(const struct rates *rt, enum figure f)
{
    switch (f) {
    case F_SESSIONS:
        return rt->sessions;
    case F_CONNS:
        return rt->conns;
    case F_INFOS:
        return rt->infos;
    case F_NACCBS:
        return rt->naccbs;
    case F_CPU_MS:
        return rt->cpu_ms;
    }
    return 0;
}

static void spread_of(const struct run *r, const char *name, enum figure field,
                      struct spread *out)
{
    double v[2 * LOAD_MAX_ROUNDS];
    size_t n = 0;

    for (size_t i = 0; i < r->ran; i++) {
        struct rates rt;
        if (strcmp(r->phases[i].name, name) != 0)
            continue;
        rates_of(&r->phases[i], &r->load, &rt);
        v[n++] = figure_of(&rt, field);
    }
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    qsort(v, n, sizeof *v, cmp_double);
    out->min = v[0];
    out->max = v[n - 1];
    out->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void print_ratio(const struct run *r, const char *label,
                        enum figure field, int decimals)
{
    struct spread b, c;
    char bs[64], cs[64];

    spread_of(r, "baseline", field, &b);
    spread_of(r, "load", field, &c);
    if (b.n == 0 || c.n == 0 || b.median == 0)
        return;
    snprintf(bs, sizeof bs, "%.*f [%.*f .. %.*f]", decimals, b.median, decimals,
             b.min, decimals, b.max);
    snprintf(cs, sizeof cs, "%.*f [%.*f .. %.*f]", decimals, c.median, decimals,
             c.min, decimals, c.max);
    printf("  %-22s %-26s %-26s %6.2fx\n", label, bs, cs, c.median / b.median);
}

static void print_rounds(const struct run *r)
{
    struct spread b;

    spread_of(r, "baseline", F_SESSIONS, &b);
    if (b.n == 0)
        return;
    printf("\nmedian [min .. max] over %zu round(s)\n  %-22s %-26s %-26s %7s\n",
           b.n, "figure", "baseline", "load", "load/base");
    print_ratio(r, "sessions/s", F_SESSIONS, 0);
    print_ratio(r, "conns/s", F_CONNS, 0);
    print_ratio(r, "infos/s", F_INFOS, 0);
    print_ratio(r, "NACCBs/s", F_NACCBS, 0);
    if (r->load.server_pid)
        print_ratio(r, "server CPU/session ms", F_CPU_MS, 3);
}

/* ---- latency -------------------------------------------------------------------------- */

enum latency { L_CONNECT, L_LOGIN, L_ACQ_EMS, L_ACQ_SCD, L_INFO_CLOSE };

static const struct samples *latency_of(const struct phase *ph, enum latency k)
{
    switch (k) {
    case L_CONNECT:
        return &ph->connect;
    case L_LOGIN:
        return &ph->login;
    case L_ACQ_EMS:
        return &ph->acq_ems;
    case L_ACQ_SCD:
        return &ph->acq_scd;
    case L_INFO_CLOSE:
        return &ph->info_close;
    }
    return &ph->connect;
}

/* Every round's samples of one kind in one array (the percentiles sort it). */
static void merged(const struct run *r, const char *name, enum latency k,
                   struct samples *out)
{
    size_t total = 0;

    for (size_t i = 0; i < r->ran; i++)
        if (strcmp(r->phases[i].name, name) == 0)
            total += latency_of(&r->phases[i], k)->n;
    if (samples_init(out, total) != 0)
        return;
    for (size_t i = 0; i < r->ran; i++) {
        const struct samples *s = latency_of(&r->phases[i], k);
        if (strcmp(r->phases[i].name, name) != 0)
            continue;
        for (size_t j = 0; j < s->n; j++)
            samples_add(out, s->v[j]);
    }
}

static void print_latency_row(const struct run *r, const char *name,
                              const char *what, enum latency k)
{
    struct samples s;

    merged(r, name, k, &s);
    if (s.n > 0)
        printf("  %-9s %-22s %6zu %9.3f %9.3f %9.3f %9.3f\n", name, what, s.n,
               samples_pct(&s, 50) / 1e6, samples_pct(&s, 90) / 1e6,
               samples_pct(&s, 99) / 1e6, samples_pct(&s, 100) / 1e6);
    samples_free(&s);
}

static void print_latencies(const struct run *r)
{
    static const char *const names[] = {"baseline", "load"};

    printf(
        "\nlatency, ms (nearest rank, every round)\n  %-9s %-22s %6s %9s %9s %9s %9s\n",
        "phase", "from -> to", "n", "p50", "p90", "p99", "max");
    for (size_t i = 0; i < 2; i++) {
        print_latency_row(r, names[i], "connect", L_CONNECT);
        print_latency_row(r, names[i], "login -> accept", L_LOGIN);
        print_latency_row(r, names[i], "acquire EMS -> table", L_ACQ_EMS);
        print_latency_row(r, names[i], "acquire SCD -> table", L_ACQ_SCD);
        print_latency_row(r, names[i], "infos+logout -> close", L_INFO_CLOSE);
    }
}

/* ---- memory ----------------------------------------------------------------------------- */

/* The shared-table check: the server's growth while N sessions hold their
 * tables, against what N private copies of those tables would take. */
static void print_memory(const struct run *r)
{
    const struct load *l = &r->load;
    uint64_t table =
        NACCB_HEADER_SIZE + (uint64_t)l->man.events * NACCB_EVBLOK_SIZE +
        NACCB_HEADER_SIZE + (uint64_t)l->man.jobs * NACCB_EOTINFO_SIZE;
    const struct phase *first = &r->phases[0],
                       *last = &r->phases[r->ran ? r->ran - 1 : 0];
    double copies = (double)table * l->n_agents / 1048576.0, worst = 0;

    if (l->server_pid == 0 || first->rss_before == 0 || r->ran == 0) {
        printf(
            "\nserver memory: not measured (no --server-pid, /proc unreadable, or no "
            "phase ran to its end)\n");
        return;
    }
    printf("\nserver memory (VmRSS from /proc/%ld/status, MiB)\n"
           "  before any agent (fixtures loaded)  %9.1f\n",
           l->server_pid, mib(first->rss_before));
    for (size_t i = 0; i < r->ran; i++) {
        const struct phase *ph = &r->phases[i];
        double grow = mib(ph->rss_hold) - mib(ph->rss_before);
        if (!ph->hold)
            continue;
        printf(
            "  round %u: %5u sessions holding     %9.1f  (%+.1f since the phase began: "
            "%.1f KiB per session)\n",
            ph->round, (unsigned)ph->agents, mib(ph->rss_hold), grow,
            grow * 1024.0 / ph->agents);
        if (grow > worst)
            worst = grow;
    }
    printf(
        "  at the end                          %9.1f\n"
        "  peak of the whole run (VmHWM)       %9.1f  (%+.1f over the start)\n",
        mib(last->rss_after), mib(last->hwm_after),
        mib(last->hwm_after) - mib(first->rss_before));
    printf(
        "  each load phase's sessions received %u x %" PRIu64
        " bytes of tables = %.1f MiB:\n"
        "  per-session copies would add that much; the largest growth measured is "
        "%.1f%% of it\n",
        (unsigned)l->n_agents, table, copies, 100.0 * worst / copies);
}

int report_result(const struct run *r, uint32_t unexpected, uint32_t failed,
                  uint32_t done, uint32_t expected)
{
    int ok = unexpected == 0 && failed == 0 && done == expected &&
             !r->load.timed_out;

    printf(
        "\nreplies: unexpected replies: %u; agents completed: %u of %u; failed agents: %u%s\n",
        (unsigned)unexpected, (unsigned)done, (unsigned)expected,
        (unsigned)failed, r->load.timed_out ? " (time limit passed)" : "");
    printf("result: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int report(struct run *r)
{
    uint32_t unexpected = 0, failed = 0, done = 0, expected = 0;

    for (size_t i = 0; i < r->nphases; i++) {
        unexpected += r->phases[i].unexpected;
        failed += r->phases[i].failed;
        done += r->phases[i].done;
        expected += r->phases[i].agents;
    }
    print_phases(r);
    print_rounds(r);
    print_latencies(r);
    print_memory(r);
    return report_result(r, unexpected, failed, done, expected);
}
