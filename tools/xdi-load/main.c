/*
 * main.c - xdi-load: a bounded load generator for an xdi-server on the
 * loopback address (docs/performance.md).
 *
 * A run has two phases against the same server, so the figures are read
 * against a baseline taken minutes, not days, apart on the same machine:
 *   1. baseline: the agents one after another (one connection at a time);
 *   2. load: all N agents at once.  At most --window of them set up
 *      (connect, login, acquires) at the same time; each then holds its
 *      session open with both tables received until every agent has, the
 *      server's memory is read (N sessions holding their tables), and all
 *      send their infos and log out together.
 * --rounds R repeats the pair, alternating, for medians and ranges
 * (report.c).  Every reply is checked (agent.c); the exit status is 0 only
 * when every agent completed and no reply was unexpected.
 *
 * --mode flood|fixed|rr runs a throughput mode instead (mode.c): the agents
 * set up as above, hold their tables, and then flood info NACCBs, send a
 * fixed total of them, or repeat acquire EMS -> table; the rates are
 * counted at the server (count.c).  --rounds R then runs R such phases.
 *
 * Refuses any target but 127.0.0.1 and ::1: load is only ever generated
 * against this machine.  Bounded in count (every option has a maximum) and
 * in time (--timeout, after which every agent is closed and the run fails).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "naccb.h"
#include "load.h"

struct options {
    const char *make_dir;
    const char *fixtures;
    const char *connect;
    struct manifest make;
    uint32_t agents; /* 0: min(1000, hosts) */
    uint32_t infos;
    uint32_t texts;
    uint32_t window;
    int64_t baseline; /* -1: as many as agents */
    long server_pid;
    unsigned timeout_s;
    unsigned rounds;
    enum load_mode mode;
    uint32_t batch;
    uint64_t total;
    uint64_t backlog;
    uint64_t duration_ms;
    struct counter counter;
};

static const char usage_text[] =
    "Usage: xdi-load --make-fixtures DIR [--hosts N] [--events E] [--jobs J]\n"
    "                [--text-length L]\n"
    "       xdi-load --connect ADDR:PORT --fixtures DIR [--agents N] [options]\n"
    "       xdi-load --connect ADDR:PORT --fixtures DIR --mode flood|fixed|rr\n"
    "                [--count-journal FILE | --count-file FILE | --count-read PID]\n"
    "                [options]\n"
    "\n"
    "A load generator for xdi-server on this machine (127.0.0.1 or ::1\n"
    "only).  The first form writes a fixture set of N hosts (LD000001..), each\n"
    "with E EVBLOKs and J EOTINFOs in raw tables, and a manifest for the\n"
    "second form.  The second runs, against a server serving that set, first\n"
    "a baseline (the agents one at a time), then N agents at once: each logs\n"
    "in, acquires EMS and SCD, waits until all hold their tables (the server's\n"
    "memory is read then), sends K info NACCBs of T matching texts and logs\n"
    "out.  It checks every reply and reports rates, latency percentiles,\n"
    "bytes and the server's memory.\n"
    "\n"
    "  --make-fixtures DIR  write the fixture set into DIR (created)\n"
    "  --hosts N            hosts in the set (default 1000; at most 100000)\n"
    "  --events E           EVBLOKs per host (default 1000; at most 20000)\n"
    "  --jobs J             EOTINFOs per host (default 10; at most 20000)\n"
    "  --text-length L      bytes per info text (default 40; 8..128)\n"
    "\n"
    "  --connect ADDR:PORT  the server: 127.0.0.1:PORT or [::1]:PORT\n"
    "  --fixtures DIR       the set the server serves (made as above)\n"
    "  --agents N           concurrent agents (default 1000, at most the set's\n"
    "                       hosts and 10000)\n"
    "  --infos K            info NACCBs per agent (default 20; at most 10000)\n"
    "  --texts T            texts per info NACCB (default 2; 1..64)\n"
    "  --window W           agents setting up at the same time (default 100)\n"
    "  --baseline-agents M  agents run one at a time first (default: N;\n"
    "                       0 skips the baseline)\n"
    "  --rounds R           run the baseline + load pair R times, alternating\n"
    "                       (default 1; at most 10): medians and ranges\n"
    "  --server-pid PID     read the server's memory and CPU time from /proc\n"
    "  --timeout S          give up after S seconds (default 120; at most 600)\n"
    "\n"
    "Throughput modes (docs/performance.md): the agents set up as above and\n"
    "hold their tables; then, instead of the sessions' infos:\n"
    "  --mode MODE          sessions (the default, above); flood: info MSG\n"
    "                       NACCBs of one text flat out for --duration;\n"
    "                       fixed: exactly --total of them in all, then wait\n"
    "                       until the server has handled every one; rr: each\n"
    "                       agent acquires EMS and waits for the table, again\n"
    "                       and again, for --duration (round trips/s)\n"
    "                       (default agents: 256 for flood and fixed, 64 rr;\n"
    "                       no baseline; --rounds phases of the mode)\n"
    "  --duration S         flood / rr window in seconds (default 5; at\n"
    "                       most 600; fractions allowed: 0.5)\n"
    "  --total M            fixed: info NACCBs in all (default 100000; at\n"
    "                       most 1000000000)\n"
    "  --batch B            info NACCBs per write (default 512; at most 4096)\n"
    "  --backlog N          write only while fewer than max(N, 50 ms at the\n"
    "                       rate counted so far) NACCBs are written and not\n"
    "                       yet counted by the server (default 4096)\n"
    "  --count-journal FILE count what the server handled by the \"info\"\n"
    "                       records in its journal FILE (xdi-server)\n"
    "  --count-file FILE    ... by the count a sink writes to FILE\n"
    "                       (tools/bench/sink.c, sink.py)\n"
    "  --count-read PID     ... by the bytes process PID has read\n"
    "                       (/proc/PID/io rchar; xdi-server --journal none)\n"
    "                       flood and fixed need one of the three\n"
    "  -h, --help           this text\n"
    "  -V, --version        xdi-load's and libnaccb's versions\n"
    "\n"
    "Exit status: 0 every agent completed and every reply was the expected\n"
    "one; 1 an agent failed, a reply was unexpected or the time ran out;\n"
    "2 usage error (also: a target other than 127.0.0.1 / ::1).\n";

/* ---- options ------------------------------------------------------------------- */

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "xdi-load: %s%s%s\nTry 'xdi-load --help'.\n", msg,
            arg ? ": " : "", arg ? arg : "");
    return 2;
}

/*
 * ADDR:PORT with ADDR exactly 127.0.0.1 or ::1 (as [::1]).  Anything else is
 * refused, names included: the workplace forbids generating load against
 * any other address.
 */
static int parse_target(const char *s, struct sockaddr_storage *out)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    uint64_t port;
    size_t n;
    int rc = -1;

    if (colon == NULL || xdi_cli_uint(colon + 1, 1, 65535, &port) != 0)
        return -1;
    n = (size_t)(colon - s);
    if (n >= sizeof host)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    memset(out, 0, sizeof *out);
    if (strcmp(host, "127.0.0.1") == 0)
        rc = uv_ip4_addr(host, (int)port, (struct sockaddr_in *)out);
    else if (strcmp(host, "[::1]") == 0)
        rc = uv_ip6_addr("::1", (int)port, (struct sockaddr_in6 *)out);
    return rc == 0 ? 0 : -1;
}

enum {
    OPT_MAKE = 256,
    OPT_HOSTS,
    OPT_EVENTS,
    OPT_JOBS,
    OPT_TEXT_LENGTH,
    OPT_CONNECT,
    OPT_FIXTURES,
    OPT_AGENTS,
    OPT_INFOS,
    OPT_TEXTS,
    OPT_WINDOW,
    OPT_BASELINE,
    OPT_PID,
    OPT_TIMEOUT,
    OPT_ROUNDS,
    OPT_MODE,
    OPT_DURATION,
    OPT_TOTAL,
    OPT_BATCH,
    OPT_COUNT_JOURNAL,
    OPT_COUNT_FILE,
    OPT_COUNT_READ,
    OPT_BACKLOG
};

static const struct option long_options[] = {
    {"make-fixtures", required_argument, NULL, OPT_MAKE},
    {"hosts", required_argument, NULL, OPT_HOSTS},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"jobs", required_argument, NULL, OPT_JOBS},
    {"text-length", required_argument, NULL, OPT_TEXT_LENGTH},
    {"connect", required_argument, NULL, OPT_CONNECT},
    {"fixtures", required_argument, NULL, OPT_FIXTURES},
    {"agents", required_argument, NULL, OPT_AGENTS},
    {"infos", required_argument, NULL, OPT_INFOS},
    {"texts", required_argument, NULL, OPT_TEXTS},
    {"window", required_argument, NULL, OPT_WINDOW},
    {"baseline-agents", required_argument, NULL, OPT_BASELINE},
    {"server-pid", required_argument, NULL, OPT_PID},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"rounds", required_argument, NULL, OPT_ROUNDS},
    {"mode", required_argument, NULL, OPT_MODE},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"total", required_argument, NULL, OPT_TOTAL},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"count-journal", required_argument, NULL, OPT_COUNT_JOURNAL},
    {"count-file", required_argument, NULL, OPT_COUNT_FILE},
    {"count-read", required_argument, NULL, OPT_COUNT_READ},
    {"backlog", required_argument, NULL, OPT_BACKLOG},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* A numeric option: its bounds and where it goes (the 32-bit counts
 * through the table, the four fields of other types below it). */
static int apply_number(int c, const char *arg, struct options *o)
{
    const struct {
        int opt;
        uint64_t min, max;
        uint32_t *count; /* NULL: a field of another type */
    } numbers[] = {
        {OPT_HOSTS, 1, LOAD_MAX_HOSTS, &o->make.hosts},
        {OPT_EVENTS, 1, LOAD_MAX_EVENTS, &o->make.events},
        {OPT_JOBS, 1, LOAD_MAX_JOBS, &o->make.jobs},
        {OPT_TEXT_LENGTH, LOAD_KEY_LEN, NACCB_TEXT_MAX, &o->make.text_length},
        {OPT_AGENTS, 1, LOAD_MAX_AGENTS, &o->agents},
        {OPT_INFOS, 0, LOAD_MAX_INFOS, &o->infos},
        {OPT_TEXTS, 1, LOAD_MAX_TEXTS, &o->texts},
        {OPT_WINDOW, 1, LOAD_MAX_AGENTS, &o->window},
        {OPT_BASELINE, 0, LOAD_MAX_AGENTS, NULL},
        {OPT_PID, 1, 1u << 30, NULL},
        {OPT_TIMEOUT, 1, 600, NULL},
        {OPT_ROUNDS, 1, LOAD_MAX_ROUNDS, NULL},
        {OPT_BATCH, 1, LOAD_MAX_BATCH, &o->batch},
        {OPT_BACKLOG, 1, 100000000, NULL},
        {OPT_TOTAL, 1, 1000000000, NULL},
        {OPT_COUNT_READ, 1, 1u << 30, NULL},
    };
    size_t n = sizeof numbers / sizeof numbers[0], i = 0;
    uint64_t v;

    while (i < n && numbers[i].opt != c)
        i++;
    if (i == n || xdi_cli_uint(arg, numbers[i].min, numbers[i].max, &v) != 0)
        return -1;
    if (numbers[i].count != NULL)
        *numbers[i].count = (uint32_t)v;
    else if (c == OPT_BASELINE)
        o->baseline = (int64_t)v;
    else if (c == OPT_PID)
        o->server_pid = (long)v;
    else if (c == OPT_TIMEOUT)
        o->timeout_s = (unsigned)v;
    else if (c == OPT_TOTAL)
        o->total = v;
    else if (c == OPT_BACKLOG)
        o->backlog = v;
    else if (c == OPT_COUNT_READ) {
        o->counter.kind = COUNT_READ;
        o->counter.pid = (long)v;
    }
    else
        o->rounds = (unsigned)v;
    return 0;
}

static void defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->make = (struct manifest){1000, 1000, 10, 40};
    o->infos = 20;
    o->texts = 2;
    o->window = 100;
    o->baseline = -1;
    o->timeout_s = 120;
    o->rounds = 1;
    o->mode = MODE_SESSIONS;
    o->batch = 512;
    o->total = 100000;
    o->backlog = 4096;
    o->duration_ms = 5000;
}

static int parse_mode(const char *s, enum load_mode *out)
{
    for (int m = MODE_SESSIONS; m <= MODE_RR; m++) {
        if (strcmp(s, mode_name((enum load_mode)m)) == 0) {
            *out = (enum load_mode)m;
            return 0;
        }
    }
    return -1;
}

/* 0 go on, 1 help printed, 2 usage error. */
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
            printf("xdi-load (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
                   naccb_version());
            return 1;
        }
        if (c == OPT_MAKE)
            o->make_dir = optarg;
        else if (c == OPT_CONNECT)
            o->connect = optarg;
        else if (c == OPT_FIXTURES)
            o->fixtures = optarg;
        else if (c == OPT_MODE) {
            if (parse_mode(optarg, &o->mode) != 0)
                return usage_error("--mode is sessions, flood, fixed or rr",
                                   optarg);
        }
        else if (c == OPT_DURATION) {
            if (xdi_cli_duration_ms(optarg, 600000, &o->duration_ms) != 0 ||
                o->duration_ms == 0)
                return usage_error("bad value", argv[optind - 1]);
        }
        else if (c == OPT_COUNT_JOURNAL || c == OPT_COUNT_FILE) {
            o->counter.kind = c == OPT_COUNT_FILE ? COUNT_FILE : COUNT_JOURNAL;
            o->counter.path = optarg;
        }
        else if (c == '?') {
            fputs("Try 'xdi-load --help'.\n", stderr); /* getopt said why */
            return 2;
        }
        else if (apply_number(c, optarg, o) != 0)
            return usage_error("bad value", argv[optind - 1]);
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    if (!o->make_dir == !o->connect)
        return usage_error(
            "give either --make-fixtures DIR or --connect ADDR:PORT", NULL);
    if (o->connect && !o->fixtures)
        return usage_error("--connect needs --fixtures DIR", NULL);
    if ((o->mode == MODE_FLOOD || o->mode == MODE_FIXED) &&
        o->counter.kind == COUNT_NONE)
        return usage_error("--mode flood and fixed count at the server: give "
                           "--count-journal, --count-file or --count-read",
                           NULL);
    return 0;
}

/* ---- phases --------------------------------------------------------------------- */

static struct run *run_of(struct load *l)
{
    return (struct run *)l; /* load is the first member */
}

static void sample_rss(const struct load *l, uint64_t *rss, uint64_t *hwm)
{
    uint64_t h = 0;

    if (l->server_pid == 0 || proc_rss(l->server_pid, rss, &h) != 0)
        *rss = 0;
    if (hwm != NULL)
        *hwm = h;
}

/* Starts agents while the window has room. */
static void start_more(struct load *l)
{
    struct phase *ph = l->phase;

    while (!l->timed_out && l->in_window < ph->window && l->next < ph->agents) {
        struct agent *a = &l->agents[l->next++];
        a->in_window = true;
        l->in_window++;
        agent_start(a);
    }
}

static void start_phase(struct run *r);

void load_left_window(struct load *l, struct agent *a)
{
    a->in_window = false;
    l->in_window--;
    start_more(l);
}

/* Once every agent of a holding phase holds its tables or has failed, N
 * sessions hold them at once: read the server's memory, then release. */
static void maybe_release(struct load *l)
{
    struct phase *ph = l->phase;

    if (!ph->hold || ph->t_release != 0 || l->holding == 0 ||
        l->holding + l->closed < ph->agents)
        return;
    sample_rss(l, &ph->rss_hold, NULL);
    ph->t_release = uv_hrtime();
    if (l->mode != MODE_SESSIONS) {
        mode_release(l);
        return;
    }
    for (uint32_t i = 0; i < ph->agents; i++)
        if (l->agents[i].state == A_HOLD)
            agent_release(&l->agents[i]);
}

void load_holding(struct load *l)
{
    l->holding++;
    maybe_release(l);
}

static void end_phase(struct run *r)
{
    struct load *l = &r->load;
    struct phase *ph = l->phase;

    ph->t_end = uv_hrtime();
    sample_rss(l, &ph->rss_after, &ph->hwm_after);
    /* Time the server spent on the infos and logouts: after the release
     * when the agents held, else the sum over the sessions, one at a time. */
    if (ph->hold && ph->t_release)
        ph->info_time = (double)(ph->t_end - ph->t_release) / 1e9;
    for (size_t i = 0; !ph->hold && i < ph->info_close.n; i++)
        ph->info_time += (double)ph->info_close.v[i] / 1e9;
    ph->client_cpu += self_cpu();
    mode_phase_end(l);
    if (l->server_pid)
        ph->server_cpu += proc_cpu(l->server_pid);
    r->ran++;
    r->current++;
    if (r->current < r->nphases && !l->timed_out) {
        start_phase(r);
        return;
    }
    uv_timer_stop(&r->deadline);
    uv_close((uv_handle_t *)&r->deadline, NULL);
}

void load_closed(struct load *l, struct agent *a)
{
    struct phase *ph = l->phase;

    l->closed++;
    if (a->held && ph->t_release == 0)
        l->holding--; /* failed while holding: counted as closed now */
    if (a->failed)
        ph->failed++;
    else
        ph->done++;
    if (a->in_window)
        load_left_window(l, a);
    maybe_release(l); /* a failure may be what the holders waited for */
    if (l->closed == ph->agents)
        end_phase(run_of(l));
}

static void start_phase(struct run *r)
{
    struct load *l = &r->load;
    struct phase *ph = &r->phases[r->current];

    l->phase = ph;
    l->next = l->in_window = l->holding = l->closed = 0;
    for (uint32_t i = 0; i < ph->agents; i++)
        agent_reset(l, i);
    sample_rss(l, &ph->rss_before, NULL);
    ph->client_cpu = -self_cpu();
    ph->server_cpu = l->server_pid ? -proc_cpu(l->server_pid) : 0;
    ph->t_begin = uv_hrtime();
    start_more(l);
}

static void on_deadline(uv_timer_t *t)
{
    struct run *r = t->data;
    struct load *l = &r->load;

    fprintf(stderr, "xdi-load: the time limit passed: closing every agent\n");
    l->timed_out = true;
    for (uint32_t i = 0; i < l->n_agents; i++)
        agent_abort(&l->agents[i]);
    /* Agents never started will not close: settle the phase for them. */
    if (l->phase->agents > l->next) {
        l->phase->failed += l->phase->agents - l->next;
        l->closed += l->phase->agents - l->next;
        l->next = l->phase->agents;
        if (l->closed == l->phase->agents)
            end_phase(r);
    }
}

static int init_phase(struct phase *ph, const char *name, unsigned round,
                      uint32_t agents, uint32_t window, bool hold)
{
    memset(ph, 0, sizeof *ph);
    ph->name = name;
    ph->round = round;
    ph->agents = agents;
    ph->window = window;
    ph->hold = hold;
    if (samples_init(&ph->connect, agents) ||
        samples_init(&ph->login, agents) ||
        samples_init(&ph->acq_ems, agents) ||
        samples_init(&ph->acq_scd, agents) ||
        samples_init(&ph->info_close, agents))
        return -1;
    return 0;
}

static void free_phase(struct phase *ph)
{
    samples_free(&ph->connect);
    samples_free(&ph->login);
    samples_free(&ph->acq_ems);
    samples_free(&ph->acq_scd);
    samples_free(&ph->info_close);
}

/* ---- main ----------------------------------------------------------------------------- */

/* Two descriptors per agent would be the server's; ours is one each, plus
 * a margin.  Raise the soft limit to the hard one when needed. */
static int check_fd_limit(uint32_t agents)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)agents + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
        fprintf(
            stderr,
            "xdi-load: %u agents need %lu file descriptors; the limit is %lu\n",
            (unsigned)agents, (unsigned long)want, (unsigned long)rl.rlim_max);
        return -1;
    }
    rl.rlim_cur = want;
    return setrlimit(RLIMIT_NOFILE, &rl);
}

static int setup(struct run *r, const struct options *o)
{
    struct load *l = &r->load;
    uint32_t baseline;

    if (fixtures_read(o->fixtures, &l->man) != 0 ||
        tables_build(&l->man, &l->tables) != 0)
        return -1;
    uint32_t want = o->mode == MODE_SESSIONS ? 1000
                    : o->mode == MODE_RR     ? 64
                                             : 256;

    l->n_agents =
        o->agents ? o->agents : (l->man.hosts < want ? l->man.hosts : want);
    l->mode = o->mode;
    l->batch = o->batch;
    l->total = o->total;
    l->backlog_min = o->backlog;
    l->duration_ms = o->duration_ms;
    l->counter = o->counter;
    l->counter.naccb_size = NACCB_HEADER_SIZE + l->man.text_length;
    if (l->mode == MODE_FIXED && l->total < l->n_agents) {
        fprintf(stderr, "xdi-load: --total %" PRIu64 " is less than the %u agents\n",
                l->total, (unsigned)l->n_agents);
        return -1;
    }
    if (l->counter.kind != COUNT_NONE && counter_open(&l->counter) != 0)
        return -1;
    if (l->n_agents > l->man.hosts) {
        fprintf(stderr, "xdi-load: %u agents need %u hosts; %s has %u\n",
                (unsigned)l->n_agents, (unsigned)l->n_agents, o->fixtures,
                (unsigned)l->man.hosts);
        return -1;
    }
    if (check_fd_limit(l->n_agents) != 0)
        return -1;
    l->infos = o->infos;
    l->texts = o->texts;
    l->server_pid = o->server_pid;
    l->agents = calloc(l->n_agents, sizeof *l->agents);
    baseline = o->baseline < 0 ? l->n_agents : (uint32_t)o->baseline;
    if (l->mode != MODE_SESSIONS)
        baseline = 0;
    if (baseline > l->n_agents)
        baseline = l->n_agents;
    if (l->agents == NULL)
        return -1;
    for (unsigned k = 1; k <= o->rounds; k++) {
        if (baseline > 0 && init_phase(&r->phases[r->nphases++], "baseline", k,
                                       baseline, 1, false) != 0)
            return -1;
        if (init_phase(&r->phases[r->nphases++],
                       l->mode == MODE_SESSIONS ? "load" : mode_name(l->mode), k,
                       l->n_agents,
                       o->window, true) != 0)
            return -1;
    }
    return 0;
}

static int run_load(const struct options *o)
{
    struct run *r = calloc(1, sizeof *r);
    int rc = 1;

    if (r == NULL)
        return 1;
    if (parse_target(o->connect, &r->load.addr) != 0) {
        free(r);
        return usage_error("only 127.0.0.1:PORT or [::1]:PORT may be loaded",
                           o->connect);
    }
    r->load.loop = uv_default_loop();
    r->target = o->connect;
    r->fixtures = o->fixtures;
    r->timeout_s = o->timeout_s;
    if (setup(r, o) == 0) {
        report_header(r);
        fflush(stdout);
        uv_timer_init(r->load.loop, &r->deadline);
        r->deadline.data = r;
        uv_timer_start(&r->deadline, on_deadline, (uint64_t)o->timeout_s * 1000,
                       0);
        uv_timer_init(r->load.loop, &r->load.mode_timer);
        r->load.mode_timer.data = &r->load;
        uv_timer_init(r->load.loop, &r->load.poll_timer);
        r->load.poll_timer.data = &r->load;
        start_phase(r);
        uv_run(r->load.loop, UV_RUN_DEFAULT);
        rc = r->load.mode == MODE_SESSIONS ? report(r) : mode_report(r);
        uv_close((uv_handle_t *)&r->load.mode_timer, NULL);
        uv_close((uv_handle_t *)&r->load.poll_timer, NULL);
        uv_run(r->load.loop, UV_RUN_DEFAULT);
    }
    counter_close(&r->load.counter);
    for (size_t i = 0; i < r->nphases; i++)
        free_phase(&r->phases[i]);
    free(r->load.agents);
    tables_free(&r->load.tables);
    uv_loop_close(r->load.loop);
    free(r);
    return rc;
}

int main(int argc, char **argv)
{
    struct options o;
    int rc = parse_options(argc, argv, &o);

    if (rc != 0)
        return rc == 1 ? 0 : rc;
    if (o.make_dir) {
        if (fixtures_make(o.make_dir, &o.make) != 0)
            return 1;
        printf(
            "xdi-load: wrote %s: %u hosts, %u EVBLOKs and %u EOTINFOs each\n",
            o.make_dir, (unsigned)o.make.hosts, (unsigned)o.make.events,
            (unsigned)o.make.jobs);
        return 0;
    }
    return run_load(&o);
}
