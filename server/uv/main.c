/*
 * main.c - xdi-server: the fake zJOS-XDI host.
 *
 * Parses the command line, loads and validates the fixture set, opens the
 * journal, listens, and runs the libuv loop until SIGINT or SIGTERM has
 * stopped every connection gracefully.  The fixture directory is watched
 * and reloaded on change, and on SIGHUP (watch.c).  Exit codes: 0 stopped normally,
 * 1 bad fixtures, 2 usage error, 3 runtime error (cannot listen, cannot
 * open the journal, a journal write failed under --journal-errors fatal).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "capture.h"
#include "journal_sink.h"
#include "net.h"
#include "watch.h"

#define DEFAULT_LISTEN  "127.0.0.1:7012"
#define DEFAULT_JOURNAL "xdi-journal.jsonl"
#define MAX_LISTEN      16
/* A burst of fs events (an editor saving) is one reload once it has been
 * quiet this long. */
#define DEFAULT_RELOAD_DELAY_MS 200u

enum exit_code {
    EXIT_OK = 0,
    EXIT_FIXTURES = 1,
    EXIT_USAGE = 2,
    EXIT_RUNTIME = 3
};

static void usage(FILE *out)
{
    struct xdi_config d;
    xdi_config_defaults(&d);
    fprintf(
        out,
        "Usage: xdi-server --fixtures DIR [--listen ADDR:PORT]... [options]\n"
        "\n"
        "A fake zJOS-XDI host: XDI agents log in, acquire their EMS and SCD tables\n"
        "(from the fixture set in DIR) and report events; everything is journalled.\n"
        "\n"
        "  -f, --fixtures DIR       fixture set to serve (see docs/fixtures.md)\n"
        "  -l, --listen ADDR:PORT   listen address, repeatable; IPv6 as [::1]:PORT;\n"
        "                           port 0 lets the kernel choose (default %s)\n"
        "  -j, --journal FILE       JSON Lines journal, '-' for stdout, 'none' for\n"
        "                           no journal at all (default ./%s)\n"
        "      --journal-fd N       write the journal to open descriptor N instead\n"
        "      --journal-errors fatal|warn\n"
        "                           a journal write that fails: 'warn' counts and\n"
        "                           logs it and goes on; 'fatal' exits at once (3),\n"
        "                           before anything more is sent (default warn)\n"
        "      --random-ids         issue random agent-IDs instead of 1, 2, 3, ...\n"
        "      --seed N             seed for --random-ids (default: from the clock)\n"
        "      --xdi-down           emulate XDI being down: logins get reject 06\n"
        "      --max-naccb-size N   largest NACCB accepted, bytes (default %u)\n"
        "      --max-output N       output queued per connection before it is cut\n"
        "                           off, bytes (default %zu)\n"
        "      --max-connections N  open connections at most (default %u)\n"
        "      --max-info-objects N objects in one info NACCB at most; more is\n"
        "                           error 05 (default %u)\n"
        "      --login-timeout S    seconds to log in after connecting (default %u)\n"
        "      --partial-timeout S  seconds to complete a NACCB once begun (default %u)\n"
        "      --idle-timeout S     close a connection silent for S seconds\n"
        "                           (default 0 = never)\n"
        "      --grace S            seconds agents get to log out on stop (default %u)\n"
        "      --journal-max-raw N  bytes of a received NACCB one journal record\n"
        "                           keeps; the rest is summarised by its length and\n"
        "                           FNV-1a hash (default %zu, 0 = all)\n"
        "      --max-held-triggers N  exec jobs held for hosts not logged in, at\n"
        "                           most (default %zu; more are dropped)\n"
        "      --no-watch           do not watch the fixture files (SIGHUP still\n"
        "                           reloads)\n"
        "      --reload-delay S     wait until changes to the fixture files have\n"
        "                           been quiet S seconds (0: at once), then reload\n"
        "                           (default %.1f)\n"
        "      --capture FILE       write every byte of every connection, both\n"
        "                           directions, to FILE as a pcap (raw IP, TCP headers\n"
        "                           synthesized; see docs/replay.md)\n"
        "      --capture-max SIZE   stop capturing before FILE exceeds SIZE bytes\n"
        "                           (e.g. 100M; default: no bound); journalled as\n"
        "                           capture_stopped\n"
        "  -q, --quiet              no log lines on stderr\n"
        "  -h, --help               this text\n"
        "  -V, --version            version\n"
        "\n"
        "Sizes take a K, M or G suffix (binary); seconds may have decimals, 0 = off.\n"
        "Once listening, one line 'listening on ADDR:PORT' per listener goes to\n"
        "stdout. SIGINT/SIGTERM: shutdown NACCB to every agent, then exit 0.\n"
        "SIGHUP, or a change of a fixture file: reload the set (all or nothing;\n"
        "agents whose tables changed get replace EMS / SCD; docs/fixtures.md).\n"
        "Exit codes: 0 normal stop, 1 bad fixtures, 2 usage, 3 runtime error.\n",
        DEFAULT_LISTEN, DEFAULT_JOURNAL, d.max_naccb_size, d.max_output_queue,
        d.max_connections, d.max_info_objects, d.login_timeout_ms / 1000,
        d.partial_timeout_ms / 1000, d.grace_ms / 1000, d.journal_max_raw,
        d.max_held_triggers, DEFAULT_RELOAD_DELAY_MS / 1000.0);
}

/* "16M" -> 16777216 (tools/common/cli.h).  Returns 0 or -1. */
static int parse_size(const char *text, unsigned long long max,
                      unsigned long long *out)
{
    uint64_t v;

    if (xdi_cli_size(text, 0, max, &v) != 0)
        return -1;
    *out = v;
    return 0;
}

/* "2.5" seconds -> 2500 ms (or "250ms", "2m": cli.h).  Returns 0 or -1. */
static int parse_seconds(const char *text, unsigned *ms)
{
    uint64_t v;

    if (xdi_cli_duration_ms(text, UINT_MAX, &v) != 0)
        return -1;
    *ms = (unsigned)v;
    return 0;
}

struct options {
    const char *fixtures;
    const char *journal;
    int journal_fd;     /* -1: none; else --journal-fd */
    bool journal_fatal; /* --journal-errors fatal */
    struct xdi_listen_addr listen[MAX_LISTEN];
    size_t n_listen;
    struct xdi_config cfg;
    bool seed_given;
    bool quiet;
    bool no_watch;
    unsigned reload_delay_ms;
    const char *capture;  /* --capture FILE, or NULL */
    uint64_t capture_max; /* --capture-max; 0: unbounded */
};

enum long_only {
    OPT_RANDOM_IDS = 256,
    OPT_SEED,
    OPT_XDI_DOWN,
    OPT_MAX_NACCB,
    OPT_MAX_OUTPUT,
    OPT_MAX_CONN,
    OPT_LOGIN_TO,
    OPT_PARTIAL_TO,
    OPT_IDLE_TO,
    OPT_GRACE,
    OPT_MAX_HELD,
    OPT_JOURNAL_MAX_RAW,
    OPT_NO_WATCH,
    OPT_RELOAD_DELAY,
    OPT_MAX_INFO_OBJECTS,
    OPT_JOURNAL_FD,
    OPT_JOURNAL_ERRORS,
    OPT_CAPTURE,
    OPT_CAPTURE_MAX,
};

static int bad_value(const char *opt, const char *value, const char *what)
{
    fprintf(stderr, "xdi-server: --%s '%s': %s\n", opt, value, what);
    return -1;
}

static int apply_option(struct options *o, int opt, const char *arg,
                        const char *name)
{
    unsigned long long n;
    char err[160];

    switch (opt) {
    case 'f':
        o->fixtures = arg;
        return 0;
    case 'j':
        o->journal = arg;
        return 0;
    case OPT_CAPTURE:
        o->capture = arg;
        return 0;
    case OPT_CAPTURE_MAX:
        if (parse_size(arg, UINT64_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a size in bytes, e.g. 100M");
        o->capture_max = n;
        return 0;
    case 'q':
        o->quiet = true;
        return 0;
    case 'l':
        if (o->n_listen == MAX_LISTEN)
            return bad_value(name, arg,
                             "too many listen addresses (16 at most)");
        if (xdi_listen_addr_parse(arg, &o->listen[o->n_listen], err,
                                  sizeof err) < 0) {
            fprintf(stderr, "xdi-server: --listen %s\n", err);
            return -1;
        }
        o->n_listen++;
        return 0;
    case OPT_JOURNAL_FD:
        if (parse_size(arg, INT_MAX, &n) < 0)
            return bad_value(name, arg, "expected a descriptor number");
        o->journal_fd = (int)n;
        return 0;
    case OPT_JOURNAL_ERRORS:
        if (strcmp(arg, "fatal") == 0)
            o->journal_fatal = true;
        else if (strcmp(arg, "warn") == 0)
            o->journal_fatal = false;
        else
            return bad_value(name, arg, "expected 'fatal' or 'warn'");
        return 0;
    case OPT_RANDOM_IDS:
        o->cfg.random_ids = true;
        return 0;
    case OPT_NO_WATCH:
        o->no_watch = true;
        return 0;
    case OPT_RELOAD_DELAY:
        if (parse_seconds(arg, &o->reload_delay_ms) < 0)
            return bad_value(name, arg, "expected seconds, e.g. 0.2");
        return 0;
    case OPT_MAX_INFO_OBJECTS:
        if (parse_size(arg, UINT32_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a positive number");
        o->cfg.max_info_objects = (uint32_t)n;
        return 0;
    case OPT_JOURNAL_MAX_RAW:
        if (parse_size(arg, SIZE_MAX, &n) < 0)
            return bad_value(name, arg, "expected a size in bytes, e.g. 4K");
        o->cfg.journal_max_raw = (size_t)n;
        return 0;
    case OPT_MAX_HELD:
        if (parse_size(arg, SIZE_MAX, &n) < 0)
            return bad_value(name, arg, "expected a number");
        o->cfg.max_held_triggers = (size_t)n;
        return 0;
    case OPT_XDI_DOWN:
        o->cfg.xdi_down = true;
        return 0;
    case OPT_SEED:
        if (parse_size(arg, UINT64_MAX, &n) < 0)
            return bad_value(name, arg, "expected a number");
        o->cfg.id_seed = n;
        o->seed_given = true;
        return 0;
    case OPT_MAX_NACCB:
        if (parse_size(arg, UINT32_MAX, &n) < 0 || n < NACCB_HEADER_SIZE)
            return bad_value(
                name, arg,
                "expected a size of at least 36 bytes, at most 4G-1");
        o->cfg.max_naccb_size = (uint32_t)n;
        return 0;
    case OPT_MAX_OUTPUT:
        if (parse_size(arg, SIZE_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a size in bytes, e.g. 64M");
        o->cfg.max_output_queue = (size_t)n;
        return 0;
    case OPT_MAX_CONN:
        if (parse_size(arg, UINT_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a positive number");
        o->cfg.max_connections = (unsigned)n;
        return 0;
    case OPT_LOGIN_TO:
    case OPT_PARTIAL_TO:
    case OPT_IDLE_TO:
    case OPT_GRACE: {
        unsigned *ms = opt == OPT_LOGIN_TO     ? &o->cfg.login_timeout_ms
                       : opt == OPT_PARTIAL_TO ? &o->cfg.partial_timeout_ms
                       : opt == OPT_IDLE_TO    ? &o->cfg.idle_timeout_ms
                                               : &o->cfg.grace_ms;
        if (parse_seconds(arg, ms) < 0)
            return bad_value(name, arg, "expected seconds, e.g. 30 or 0.5");
        return 0;
    }
    default:
        return -1;
    }
}

static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"fixtures", required_argument, NULL, 'f'},
        {"listen", required_argument, NULL, 'l'},
        {"journal", required_argument, NULL, 'j'},
        {"journal-fd", required_argument, NULL, OPT_JOURNAL_FD},
        {"journal-errors", required_argument, NULL, OPT_JOURNAL_ERRORS},
        {"random-ids", no_argument, NULL, OPT_RANDOM_IDS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"xdi-down", no_argument, NULL, OPT_XDI_DOWN},
        {"max-naccb-size", required_argument, NULL, OPT_MAX_NACCB},
        {"max-output", required_argument, NULL, OPT_MAX_OUTPUT},
        {"max-connections", required_argument, NULL, OPT_MAX_CONN},
        {"login-timeout", required_argument, NULL, OPT_LOGIN_TO},
        {"partial-timeout", required_argument, NULL, OPT_PARTIAL_TO},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TO},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"max-held-triggers", required_argument, NULL, OPT_MAX_HELD},
        {"max-info-objects", required_argument, NULL, OPT_MAX_INFO_OBJECTS},
        {"journal-max-raw", required_argument, NULL, OPT_JOURNAL_MAX_RAW},
        {"no-watch", no_argument, NULL, OPT_NO_WATCH},
        {"reload-delay", required_argument, NULL, OPT_RELOAD_DELAY},
        {"capture", required_argument, NULL, OPT_CAPTURE},
        {"capture-max", required_argument, NULL, OPT_CAPTURE_MAX},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int opt, idx;

    while ((opt = getopt_long(argc, argv, "f:l:j:qhV", longopts, &idx)) != -1) {
        if (opt == 'h') {
            usage(stdout);
            exit(EXIT_OK);
        }
        if (opt == 'V') {
            printf("xdi-server (xdi-emu) libnaccb %s\n", naccb_version());
            exit(EXIT_OK);
        }
        if (opt == '?')
            return -1;
        const char *name = opt < 256 ? NULL : longopts[idx].name;
        char shortname[2] = {(char)opt, 0};
        if (apply_option(o, opt, optarg, name ? name : shortname) < 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "xdi-server: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->fixtures) {
        fprintf(stderr, "xdi-server: --fixtures DIR is required\n");
        return -1;
    }
    if (o->n_listen == 0) {
        char err[160];
        xdi_listen_addr_parse(DEFAULT_LISTEN, &o->listen[0], err, sizeof err);
        o->n_listen = 1;
    }
    return 0;
}

struct signals {
    uv_signal_t sigint, sigterm, sighup;
    struct xdi_net *net;
    struct xdi_watch *watch;
    bool quiet;
};

static void on_signal(uv_signal_t *h, int signum)
{
    struct signals *s = h->data;
    if (!s->quiet)
        fprintf(stderr,
                "xdi-server: %s: stopping (shutdown sent to every agent)\n",
                signum == SIGINT ? "SIGINT" : "SIGTERM");
    xdi_net_stop(s->net);
}

/* SIGHUP: reload the fixture set now (the classic "reread your
 * configuration"). */
static void on_sighup(uv_signal_t *h, int signum)
{
    struct signals *s = h->data;
    (void)signum;
    if (!s->quiet)
        fprintf(stderr, "xdi-server: SIGHUP: reloading the fixtures\n");
    xdi_watch_reload(s->watch, "sighup");
}

static void signals_start(uv_loop_t *loop, struct signals *s)
{
    uv_signal_init(loop, &s->sigint);
    uv_signal_init(loop, &s->sigterm);
    uv_signal_init(loop, &s->sighup);
    s->sigint.data = s->sigterm.data = s->sighup.data = s;
    uv_signal_start(&s->sigint, on_signal, SIGINT);
    uv_signal_start(&s->sigterm, on_signal, SIGTERM);
    uv_signal_start(&s->sighup, on_sighup, SIGHUP);
    /* Signal handles do not keep the loop alive: it ends when the
     * listeners and connections are closed. */
    uv_unref((uv_handle_t *)&s->sigint);
    uv_unref((uv_handle_t *)&s->sigterm);
    uv_unref((uv_handle_t *)&s->sighup);
}

static void signals_stop(struct signals *s)
{
    uv_close((uv_handle_t *)&s->sigint, NULL);
    uv_close((uv_handle_t *)&s->sigterm, NULL);
    uv_close((uv_handle_t *)&s->sighup, NULL);
    xdi_watch_close(s->watch);
}

/* The application's end of the core's records: the journal file. */
struct journal {
    struct xdi_journal_sink *sink;
    bool fatal;
};

/*
 * struct xdi_output_ops.record.  Under --journal-errors fatal a record that
 * could not be written ends the process right here, inside the core's call:
 * the core hands a received NACCB's record over before it answers it, so
 * nothing is ever answered that the journal lacks.  A graceful stop would
 * go on sending (shutdowns) with nowhere to record them.
 */
static void journal_record(void *ctx, const struct xdi_record *rec)
{
    struct journal *j = ctx;

    if (xdi_journal_sink_write(j->sink, rec) == 0 || !j->fatal)
        return;
    fprintf(stderr,
            "xdi-server: journal write failed: %s; exiting "
            "(--journal-errors fatal)\n",
            strerror(errno));
    fflush(stderr);
    _exit(EXIT_RUNTIME);
}

/* The capture reached --capture-max: said on stderr, and journalled by
 * the core (which has no journal under --journal none). */
struct capture_note {
    struct xdi_net *net; /* set once the network layer exists */
    const char *path;
    uint64_t max;
};

static void capture_stopped(void *ctx, uint64_t bytes)
{
    struct capture_note *n = ctx;

    fprintf(stderr,
            "xdi-server: capture %s: --capture-max %" PRIu64
            " reached at %" PRIu64 " bytes; capturing stopped\n",
            n->path, n->max, bytes);
    if (n->net != NULL)
        xdi_server_capture_stopped(xdi_net_server(n->net), n->path, bytes,
                                   n->max);
}

static int run(struct options *o, struct xdi_fixture_set *set,
               struct journal *journal)
{
    uv_loop_t loop;
    struct signals sig = {.quiet = o->quiet};
    char err[256];
    int rc = EXIT_OK;
    size_t n_hosts = set->n_hosts;

    uv_loop_init(&loop);
    struct capture_note note = {.path = o->capture, .max = o->capture_max};
    struct xdi_capture *cap = NULL;
    if (o->capture) {
        cap = xdi_capture_open(o->capture, o->capture_max, capture_stopped,
                               &note, err, sizeof err);
        if (!cap) {
            fprintf(stderr, "xdi-server: --capture: %s\n", err);
            uv_loop_close(&loop);
            return EXIT_RUNTIME;
        }
    }
    struct xdi_net *net =
        xdi_net_new(&loop, &o->cfg, set, journal ? journal_record : NULL,
                    journal, err, sizeof err);
    if (!net) {
        fprintf(stderr, "xdi-server: %s\n", err);
        xdi_capture_close(cap);
        uv_loop_close(&loop);
        return EXIT_RUNTIME;
    }
    note.net = net;
    sig.net = net;
    xdi_net_set_capture(net, cap);
    sig.watch = xdi_watch_new(&loop, net, o->fixtures, o->reload_delay_ms,
                              !o->no_watch, o->quiet);
    if (!sig.watch) {
        fprintf(stderr, "xdi-server: out of memory\n");
        xdi_net_stop(net);
        uv_run(&loop, UV_RUN_DEFAULT);
        xdi_net_free(net);
        xdi_capture_close(cap);
        uv_loop_close(&loop);
        return EXIT_RUNTIME;
    }
    signals_start(&loop, &sig);
    if (xdi_net_listen(net, o->listen, o->n_listen, err, sizeof err) < 0) {
        fprintf(stderr, "xdi-server: %s\n", err);
        rc = EXIT_RUNTIME;
        xdi_net_stop(net);
    } else if (!o->quiet) {
        fprintf(stderr, "xdi-server: serving %zu host%s from %s; journal: %s\n",
                n_hosts, n_hosts == 1 ? "" : "s", o->fixtures,
                o->journal_fd >= 0 ? "(descriptor)" : o->journal);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    signals_stop(&sig);
    uv_run(&loop, UV_RUN_DEFAULT); /* let the close callbacks run */
    note.net = NULL; /* the server goes; the capture's last bytes stay */
    xdi_net_free(net);
    xdi_capture_close(cap);
    if (uv_loop_close(&loop) != 0)
        fprintf(stderr, "xdi-server: warning: handles left open at exit\n");
    if (rc == EXIT_OK && !o->quiet)
        fprintf(stderr, "xdi-server: stopped\n");
    return rc;
}

int main(int argc, char **argv)
{
    struct options o = {.journal = DEFAULT_JOURNAL,
                        .journal_fd = -1,
                        .reload_delay_ms = DEFAULT_RELOAD_DELAY_MS};
    struct xdi_fixture_set *set = NULL;
    struct journal journal;
    int rc;

    xdi_config_defaults(&o.cfg);
    if (parse_args(argc, argv, &o) < 0) {
        fprintf(stderr, "Try 'xdi-server --help'.\n");
        return EXIT_USAGE;
    }
    if (o.cfg.random_ids && !o.seed_given)
        o.cfg.id_seed = uv_hrtime() ^ ((uint64_t)uv_os_getpid() << 32);
    /* A peer that resets its connection must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

    rc = xdi_fixture_load(o.fixtures, &set, NULL, NULL);
    if (rc != 0) {
        fprintf(stderr,
                "xdi-server: %s: fixtures refused (%d error%s); not starting\n",
                o.fixtures, rc < 0 ? 1 : rc, rc == 1 ? "" : "s");
        return EXIT_FIXTURES;
    }
    /* --journal none: no sink at all, so the core builds no records (the
     * records hook is NULL); for measuring the ingest path without it. */
    bool no_journal = o.journal_fd < 0 && strcmp(o.journal, "none") == 0;
    if (no_journal)
        journal.sink = NULL;
    else if (o.journal_fd >= 0)
        journal.sink = xdi_journal_sink_fdopen(o.journal_fd, true);
    else
        journal.sink = xdi_journal_sink_open(o.journal);
    if (!journal.sink && !no_journal) {
        if (o.journal_fd >= 0)
            fprintf(stderr,
                    "xdi-server: cannot use journal descriptor %d: %s\n",
                    o.journal_fd, strerror(errno));
        else
            fprintf(stderr, "xdi-server: cannot open journal %s: %s\n",
                    o.journal, strerror(errno));
        xdi_fixture_free(set);
        return EXIT_RUNTIME;
    }
    journal.fatal = o.journal_fatal;
    if (!o.quiet && journal.sink)
        xdi_journal_sink_set_echo(journal.sink, stderr);
    rc = run(&o, set, no_journal ? NULL : &journal);
    xdi_journal_sink_close(journal.sink);
    return rc;
}
