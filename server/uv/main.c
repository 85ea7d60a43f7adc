/*
 * main.c - xdi-server: the fake zJOS-XDI host.
 *
 * Parses the command line, loads and validates the fixture set, opens the
 * journal, listens, and runs the libuv loop until SIGINT or SIGTERM has
 * stopped every connection gracefully.  The fixture directory is watched
 * and reloaded on change, and on SIGHUP (watch.c).  With --control, the
 * control plane's HTTP server runs on the same loop (control_http.c) and
 * sees every record the core makes.  Exit codes: 0 stopped normally,
 * 1 bad fixtures, 2 usage error, 3 runtime error (cannot listen, cannot
 * open the journal, a journal write failed under --journal-errors fatal).
 */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "capture.h"
#include "control_http.h"
#include "journal_sink.h"
#include "net.h"
#include "watch.h"

#define DEFAULT_LISTEN  "127.0.0.1:7012"
#define DEFAULT_JOURNAL "xdi-journal.jsonl"
/* Log lines a second on stderr: enough to follow a session, a small cost
 * under a flood (docs/server.md). */
#define DEFAULT_LOG_RATE 200
/* Output and partial input of all connections together (--max-memory). */
#define DEFAULT_MAX_MEMORY (512ull << 20)
#define DEFAULT_MAX_MEMORY_TEXT "512M"
#define MAX_LISTEN      16
#define MAX_CONTROL     4
/* The control plane's user when only a token is given (docs/control.md). */
#define CONTROL_TOKEN_USER "xdi"
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
    struct xdi_control_config cc;
    struct xdi_control_http_config hc;
    xdi_config_defaults(&d);
    xdi_control_config_defaults(&cc);
    xdi_control_http_config_defaults(&hc);
    char naccb_size[24], max_output[24], max_raw[24], max_body[24],
        stream_buffer[24];
    xdi_cli_size_format(d.max_naccb_size, naccb_size, sizeof naccb_size);
    xdi_cli_size_format(d.max_output_queue, max_output, sizeof max_output);
    xdi_cli_size_format(d.journal_max_raw, max_raw, sizeof max_raw);
    xdi_cli_size_format(hc.max_body, max_body, sizeof max_body);
    xdi_cli_size_format(hc.stream_buffer, stream_buffer, sizeof stream_buffer);
    fprintf(
        out,
        "Usage: xdi-server --fixtures DIR [--listen ADDR:PORT]... [options]\n"
        "\n"
        "A fake zJOS-XDI host: XDI agents log in, acquire their EMS and SCD tables\n"
        "(from the fixture set in DIR) and report events; everything is journalled.\n"
        "\n"
        "  -f, --fixtures DIR       fixture set to serve (see docs/fixtures.md)\n"
        "  -l, --listen ADDR:PORT   listen address, repeatable; ADDR an address or\n"
        "                           a host name (each of its addresses: localhost,\n"
        "                           0.0.0.0 for all); IPv6 as [::1]:PORT; port 0\n"
        "                           lets the kernel choose (default %s)\n"
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
        "      --max-naccb-size SIZE  largest NACCB accepted, 36 to 2G-1\n"
        "                           (default %s)\n"
        "      --max-output SIZE    output queued per connection before it is cut\n"
        "                           off (default %s)\n"
        "      --max-memory SIZE    output queued plus NACCBs partly received,\n"
        "                           all connections together, at most SIZE; beyond\n"
        "                           it the connection holding most is cut off\n"
        "                           (journalled, cause memory_limit; default %s,\n"
        "                           0 = no bound)\n"
        "      --max-connections N  open connections at most (default %u)\n"
        "      --max-info-objects N objects in one info NACCB at most; more is\n"
        "                           error 05 (default %u)\n"
        "      --login-timeout S    seconds to log in after connecting (default %u)\n"
        "      --partial-timeout S  seconds to complete a NACCB once begun (default %u)\n"
        "      --idle-timeout S     close a connection silent for S seconds\n"
        "                           (default 0 = never)\n"
        "      --grace S            seconds agents get to log out on stop (default %u)\n"
        "      --journal-max-raw SIZE  bytes of a received NACCB one journal\n"
        "                           record keeps; the rest is summarised by its\n"
        "                           length and FNV-1a hash (default %s, 0 = all)\n"
        "      --max-held-triggers N  exec jobs held for hosts not logged in, at\n"
        "                           most (default %zu; more are dropped)\n"
        "      --violation-rate N   violation records per second per connection\n"
        "                           at most (default %u, 0 = all); the next one\n"
        "                           journalled counts those left out\n"
        "      --violation-burst N  ... of which at once (default %u)\n"
        "      --no-watch           do not watch the fixture files (SIGHUP still\n"
        "                           reloads)\n"
        "      --reload-delay S     wait until changes to the fixture files have\n"
        "                           been quiet S seconds (0: at once), then reload\n"
        "                           (default %.1f)\n"
        "      --capture FILE       write every byte of every connection, both\n"
        "                           directions, to FILE as a pcap (raw IP, TCP headers\n"
        "                           synthesized; see docs/replay.md)\n"
        "      --capture-max SIZE   stop capturing before FILE exceeds SIZE\n"
        "                           (e.g. 100M; default: no bound); journalled as\n"
        "                           capture_stopped\n",
        DEFAULT_LISTEN, DEFAULT_JOURNAL, naccb_size, max_output,
        DEFAULT_MAX_MEMORY_TEXT,
        d.max_connections, d.max_info_objects, d.login_timeout_ms / 1000,
        d.partial_timeout_ms / 1000, d.grace_ms / 1000, max_raw,
        d.max_held_triggers, d.violation_rate, d.violation_burst,
        DEFAULT_RELOAD_DELAY_MS / 1000.0);
    fprintf(
        out,
        "  -q, --quiet              no log lines on stderr\n"
        "      --log-rate N         at most N log lines a second on stderr, the rest\n"
        "                           counted and said so (default %u; 0: no limit;\n"
        "                           the journal keeps every record)\n"
        "  -h, --help               this text\n"
        "  -V, --version            version\n"
        "\n"
        "SIZE is " XDI_CLI_SIZE_FORMS ".\n"
        "Seconds (S) may have decimals or a unit (250ms, 2m); 0 = off.\n"
        "Once listening, one line 'listening on ADDR:PORT' per listener goes to\n"
        "stdout. SIGINT/SIGTERM: shutdown NACCB to every agent, then exit 0.\n"
        "SIGHUP, or a change of a fixture file: reload the set (all or nothing;\n"
        "agents whose tables changed get replace EMS / SCD; docs/fixtures.md).\n"
        "Exit codes: 0 normal stop, 1 bad fixtures, 2 usage, 3 runtime error.\n",
        DEFAULT_LOG_RATE);
    fprintf(
        out,
        "\n"
        "Logins and peers (docs/security.md; 0 turns a bound off):\n"
        "      --login-failures N   failed logins on one connection; the last\n"
        "                           one's reject is sent, then it is closed\n"
        "                           (default %u)\n"
        "      --login-failures-per-address N\n"
        "                           failed logins from one address (IPv6: its\n"
        "                           /64), none more than the window apart; then\n"
        "                           its logins are refused until none came for a\n"
        "                           window (default %u)\n"
        "      --login-failure-window S  how long a failure from an address\n"
        "                           counts, in seconds (default %u)\n"
        "      --login-delay S      a failed login's reject is held back: 0 for\n"
        "                           the first failure (of the connection or its\n"
        "                           address, whichever has more), S for the\n"
        "                           second, doubling (default %.1f)\n"
        "      --login-delay-max S  the longest hold (default %.1f)\n"
        "      --login-failures-alike\n"
        "                           every failed login gets reject 05, so an\n"
        "                           unknown host (09) looks like a wrong password\n"
        "      --max-connections-per-address N\n"
        "                           open connections from one address (IPv6: /64)\n"
        "                           at most (default %u)\n"
        "      --takeover any|same-address|password\n"
        "                           a login for a host with a live session takes\n"
        "                           it over: always (any, the protocol's rule),\n"
        "                           only from the session's address, or from it\n"
        "                           or with the host's password (default any)\n",
        d.login_failures, d.login_failures_per_address,
        d.login_failure_window_ms / 1000, d.login_delay_ms / 1000.0,
        d.login_delay_max_ms / 1000.0, d.max_connections_per_address);
    fprintf(
        out,
        "\n"
        "Control plane (HTTP/JSON API and dashboard; see docs/control.md):\n"
        "      --control ADDR:PORT  serve the control plane on ADDR:PORT, repeatable;\n"
        "                           ADDR as for --listen; PORT or :PORT alone means\n"
        "                           127.0.0.1 (port 0: the kernel chooses). Prints\n"
        "                           'control on ADDR:PORT' once listening\n"
        "      --control-users FILE users allowed in, one 'name:hash[:system]' per\n"
        "                           line (hash from --control-passwd or\n"
        "                           'openssl passwd -6'; '#' comments)\n"
        "      --control-token TOKEN  also accept user '%s' with password TOKEN\n"
        "                           (for CI; visible to other local users in ps)\n"
        "      --control-token-file FILE\n"
        "                           without users and token a random token is made\n"
        "                           and written (mode 0600) to FILE (default\n"
        "                           $XDG_RUNTIME_DIR/xdi-emu/control-token, else\n"
        "                           ~/.xdi-emu/control-token); prints\n"
        "                           'control token in FILE'\n"
        "      --control-token-idle S  a logon token unused S seconds expires\n"
        "                           (default %u)\n"
        "      --control-www DIR    the dashboard's files, served at / (default:\n"
        "                           the installed share/xdi-emu/www; run from\n"
        "                           the build tree: the sources' server/www)\n"
        "      --control-max-body SIZE  larger request bodies get 413 (default %s)\n"
        "      --control-stream-buffer SIZE  journal stream output queued for\n"
        "                           one client at most; a client that reads\n"
        "                           slower is disconnected (default %s)\n"
        "      --control-timeout S  a client must send a whole request within S\n"
        "                           seconds of connecting or of its last answer, or\n"
        "                           is disconnected (default %.0f)\n"
        "      --control-passwd     read a password on standard input, print its\n"
        "                           SHA-512 crypt hash for --control-users, exit\n"
        "\n"
        "Without --control-users and --control-token the token is generated at\n"
        "each start; clients log on as '%s' with it (docs/control.md).\n",
        CONTROL_TOKEN_USER, cc.token_idle_s, max_body, stream_buffer,
        hc.request_timeout_ms / 1000.0, CONTROL_TOKEN_USER);
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
    unsigned log_rate; /* --log-rate */
    bool no_watch;
    unsigned reload_delay_ms;
    const char *capture;  /* --capture FILE, or NULL */
    uint64_t capture_max; /* --capture-max; 0: unbounded */
    uint64_t max_memory;  /* --max-memory; 0: unbounded */
    struct xdi_listen_addr control[MAX_CONTROL];
    size_t n_control;
    const char *control_users;      /* --control-users FILE */
    const char *control_token_file; /* --control-token-file FILE */
    struct xdi_control_config ccfg;
    struct xdi_control_http_config hcfg;
    bool control_passwd;
    bool control_opts; /* any --control-* besides --control */
};

enum long_only {
    OPT_RANDOM_IDS = 256,
    OPT_SEED,
    OPT_XDI_DOWN,
    OPT_MAX_NACCB,
    OPT_MAX_OUTPUT,
    OPT_MAX_MEMORY,
    OPT_MAX_CONN,
    OPT_LOGIN_TO,
    OPT_PARTIAL_TO,
    OPT_IDLE_TO,
    OPT_GRACE,
    OPT_MAX_HELD,
    OPT_JOURNAL_MAX_RAW,
    OPT_LOG_RATE,
    OPT_NO_WATCH,
    OPT_RELOAD_DELAY,
    OPT_MAX_INFO_OBJECTS,
    OPT_JOURNAL_FD,
    OPT_JOURNAL_ERRORS,
    OPT_CAPTURE,
    OPT_CAPTURE_MAX,
    OPT_CONTROL,
    OPT_CONTROL_USERS,
    OPT_CONTROL_TOKEN,
    OPT_CONTROL_TOKEN_FILE,
    OPT_CONTROL_TOKEN_IDLE,
    OPT_CONTROL_WWW,
    OPT_CONTROL_MAX_BODY,
    OPT_CONTROL_TIMEOUT,
    OPT_CONTROL_PASSWD,
    OPT_CONTROL_STREAM_BUFFER,
    OPT_LOGIN_FAILURES,
    OPT_LOGIN_FAILURES_ADDR,
    OPT_LOGIN_WINDOW,
    OPT_LOGIN_DELAY,
    OPT_LOGIN_DELAY_MAX,
    OPT_LOGIN_ALIKE,
    OPT_MAX_CONN_ADDR,
    OPT_TAKEOVER,
    OPT_VIOLATION_RATE,
    OPT_VIOLATION_BURST,
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
    size_t got;
    char err[320];

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
    case OPT_CONTROL:
        if (o->n_control == MAX_CONTROL)
            return bad_value(name, arg,
                             "too many control addresses (4 at most)");
        if (xdi_control_addr_parse(arg, &o->control[o->n_control],
                                   MAX_CONTROL - o->n_control, &got, err,
                                   sizeof err) < 0) {
            fprintf(stderr, "xdi-server: --control %s\n", err);
            return -1;
        }
        o->n_control += got;
        return 0;
    case OPT_CONTROL_USERS:
        o->control_users = arg;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_TOKEN:
        if (strlen(arg) < 16 || strchr(arg, ':') != NULL)
            return bad_value(name, arg,
                             "a token needs 16 characters at least, and no "
                             "':'");
        o->ccfg.token = arg;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_TOKEN_FILE:
        o->control_token_file = arg;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_TOKEN_IDLE:
        if (parse_size(arg, UINT_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected seconds, e.g. 900");
        o->ccfg.token_idle_s = (unsigned)n;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_WWW:
        o->hcfg.www_dir = arg;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_MAX_BODY:
        if (parse_size(arg, SIZE_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a size in bytes, e.g. 1M");
        o->hcfg.max_body = (size_t)n;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_TIMEOUT: {
        unsigned ms;
        if (parse_seconds(arg, &ms) < 0 || ms == 0)
            return bad_value(name, arg, "expected seconds, e.g. 10 or 0.5");
        o->hcfg.request_timeout_ms = ms;
        o->control_opts = true;
        return 0;
    }
    case OPT_CONTROL_STREAM_BUFFER:
        if (parse_size(arg, SIZE_MAX, &n) < 0 || n < 1024)
            return bad_value(name, arg,
                             "expected a size of 1K at least, e.g. 1M");
        o->hcfg.stream_buffer = (size_t)n;
        o->control_opts = true;
        return 0;
    case OPT_CONTROL_PASSWD:
        o->control_passwd = true;
        return 0;
    case 'l':
        if (o->n_listen == MAX_LISTEN)
            return bad_value(name, arg,
                             "too many listen addresses (16 at most)");
        if (xdi_listen_addr_parse(arg, &o->listen[o->n_listen],
                                  MAX_LISTEN - o->n_listen, &got, err,
                                  sizeof err) < 0) {
            fprintf(stderr, "xdi-server: --listen %s\n", err);
            return -1;
        }
        o->n_listen += got;
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
    case OPT_LOG_RATE:
        if (parse_size(arg, UINT32_MAX, &n) < 0)
            return bad_value(name, arg, "expected lines a second, e.g. 100");
        o->log_rate = (unsigned)n;
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
    case OPT_LOGIN_FAILURES:
    case OPT_LOGIN_FAILURES_ADDR:
    case OPT_MAX_CONN_ADDR:
    case OPT_VIOLATION_RATE: {
        unsigned *v = opt == OPT_LOGIN_FAILURES ? &o->cfg.login_failures
                      : opt == OPT_LOGIN_FAILURES_ADDR
                          ? &o->cfg.login_failures_per_address
                      : opt == OPT_MAX_CONN_ADDR
                          ? &o->cfg.max_connections_per_address
                          : &o->cfg.violation_rate;
        if (parse_size(arg, UINT_MAX, &n) < 0)
            return bad_value(name, arg, "expected a number (0 = no bound)");
        *v = (unsigned)n;
        return 0;
    }
    case OPT_VIOLATION_BURST:
        if (parse_size(arg, UINT_MAX / 1000, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a positive number");
        o->cfg.violation_burst = (unsigned)n;
        return 0;
    case OPT_LOGIN_WINDOW:
        if (parse_seconds(arg, &o->cfg.login_failure_window_ms) < 0 ||
            o->cfg.login_failure_window_ms == 0)
            return bad_value(name, arg, "expected seconds above 0, e.g. 600");
        return 0;
    case OPT_LOGIN_DELAY:
    case OPT_LOGIN_DELAY_MAX:
        if (parse_seconds(arg, opt == OPT_LOGIN_DELAY
                                   ? &o->cfg.login_delay_ms
                                   : &o->cfg.login_delay_max_ms) < 0)
            return bad_value(name, arg, "expected seconds, e.g. 0.1 or 5");
        return 0;
    case OPT_LOGIN_ALIKE:
        o->cfg.login_failures_alike = true;
        return 0;
    case OPT_TAKEOVER:
        if (xdi_takeover_parse(arg, &o->cfg.takeover) < 0)
            return bad_value(name, arg,
                             "expected any, same-address or password");
        return 0;
    case OPT_SEED:
        if (parse_size(arg, UINT64_MAX, &n) < 0)
            return bad_value(name, arg, "expected a number");
        o->cfg.id_seed = n;
        o->seed_given = true;
        return 0;
    case OPT_MAX_NACCB:
        if (xdi_cli_naccb_size(arg, &o->cfg.max_naccb_size) < 0)
            return bad_value(name, arg, "expected " XDI_CLI_NACCB_SIZE_WANT);
        return 0;
    case OPT_MAX_OUTPUT:
        if (parse_size(arg, SIZE_MAX, &n) < 0 || n == 0)
            return bad_value(name, arg, "expected a size in bytes, e.g. 64M");
        o->cfg.max_output_queue = (size_t)n;
        return 0;
    case OPT_MAX_MEMORY:
        if (parse_size(arg, SIZE_MAX, &n) < 0)
            return bad_value(name, arg, "expected a size in bytes, e.g. 512M");
        o->max_memory = n;
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
        {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
        {"max-connections", required_argument, NULL, OPT_MAX_CONN},
        {"login-timeout", required_argument, NULL, OPT_LOGIN_TO},
        {"partial-timeout", required_argument, NULL, OPT_PARTIAL_TO},
        {"idle-timeout", required_argument, NULL, OPT_IDLE_TO},
        {"grace", required_argument, NULL, OPT_GRACE},
        {"max-held-triggers", required_argument, NULL, OPT_MAX_HELD},
        {"max-info-objects", required_argument, NULL, OPT_MAX_INFO_OBJECTS},
        {"journal-max-raw", required_argument, NULL, OPT_JOURNAL_MAX_RAW},
        {"log-rate", required_argument, NULL, OPT_LOG_RATE},
        {"no-watch", no_argument, NULL, OPT_NO_WATCH},
        {"reload-delay", required_argument, NULL, OPT_RELOAD_DELAY},
        {"capture", required_argument, NULL, OPT_CAPTURE},
        {"capture-max", required_argument, NULL, OPT_CAPTURE_MAX},
        {"control", required_argument, NULL, OPT_CONTROL},
        {"control-users", required_argument, NULL, OPT_CONTROL_USERS},
        {"control-token", required_argument, NULL, OPT_CONTROL_TOKEN},
        {"control-token-file", required_argument, NULL, OPT_CONTROL_TOKEN_FILE},
        {"control-token-idle", required_argument, NULL, OPT_CONTROL_TOKEN_IDLE},
        {"control-www", required_argument, NULL, OPT_CONTROL_WWW},
        {"control-max-body", required_argument, NULL, OPT_CONTROL_MAX_BODY},
        {"control-timeout", required_argument, NULL, OPT_CONTROL_TIMEOUT},
        {"control-passwd", no_argument, NULL, OPT_CONTROL_PASSWD},
        {"control-stream-buffer", required_argument, NULL,
         OPT_CONTROL_STREAM_BUFFER},
        {"login-failures", required_argument, NULL, OPT_LOGIN_FAILURES},
        {"login-failures-per-address", required_argument, NULL,
         OPT_LOGIN_FAILURES_ADDR},
        {"login-failure-window", required_argument, NULL, OPT_LOGIN_WINDOW},
        {"login-delay", required_argument, NULL, OPT_LOGIN_DELAY},
        {"login-delay-max", required_argument, NULL, OPT_LOGIN_DELAY_MAX},
        {"login-failures-alike", no_argument, NULL, OPT_LOGIN_ALIKE},
        {"max-connections-per-address", required_argument, NULL,
         OPT_MAX_CONN_ADDR},
        {"takeover", required_argument, NULL, OPT_TAKEOVER},
        {"violation-rate", required_argument, NULL, OPT_VIOLATION_RATE},
        {"violation-burst", required_argument, NULL, OPT_VIOLATION_BURST},
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
            printf("xdi-server (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
                   naccb_version());
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
    if (o->control_passwd)
        return 0;
    if (!o->fixtures) {
        fprintf(stderr, "xdi-server: --fixtures DIR is required\n");
        return -1;
    }
    if (o->control_token_file && (o->ccfg.token || o->control_users)) {
        fprintf(stderr, "xdi-server: --control-token-file is where a "
                        "generated token goes: not with --control-token or "
                        "--control-users\n");
        return -1;
    }
    if (o->control_opts && o->n_control == 0) {
        fprintf(stderr, "xdi-server: the --control-* options need --control "
                        "ADDR:PORT\n");
        return -1;
    }
    if (o->n_listen == 0) {
        char err[160];
        xdi_listen_addr_parse(DEFAULT_LISTEN, o->listen, 1, &o->n_listen, err,
                              sizeof err);
    }
    return 0;
}

struct signals {
    uv_signal_t sigint, sigterm, sighup;
    struct xdi_net *net;
    struct xdi_watch *watch;
    struct xdi_control_http *control; /* or NULL */
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
    xdi_control_http_stop(s->control);
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

/* The application's end of the core's records: the journal file and the
 * control plane. */
struct journal {
    struct xdi_journal_sink *sink;    /* NULL under --journal none */
    const char *path;                 /* a file's name, else NULL */
    struct xdi_control_http *control; /* NULL without --control */
    bool fatal;
};

/*
 * struct xdi_output_ops.record.  Under --journal-errors fatal a record that
 * could not be written ends the process right here, inside the core's call:
 * the core hands a received NACCB's record over before it answers it, so
 * nothing is ever answered that the journal lacks.  A graceful stop would
 * go on sending (shutdowns) with nowhere to record them.
 */
static void journal_failed(void)
{
    fprintf(stderr,
            "xdi-server: journal write failed: %s; exiting "
            "(--journal-errors fatal)\n",
            strerror(errno));
    fflush(stderr);
    _exit(EXIT_RUNTIME);
}

static void journal_record(void *ctx, const struct xdi_record *rec)
{
    struct journal *j = ctx;

    if (j->sink && xdi_journal_sink_write(j->sink, rec) != 0 && j->fatal)
        journal_failed();
    /* What the control plane shows is in the journal: written before it
     * sees the record (a control plane is not a flood's path). */
    if (j->control) {
        if (j->sink && xdi_journal_sink_flush(j->sink) != 0 && j->fatal)
            journal_failed();
        xdi_control_http_record(j->control, rec);
    }
}

/* The network layer's flush hook (net.h): the lines gathered are written
 * before anything goes to a socket and at the end of each loop turn.
 * Under --journal-errors fatal a batch that cannot be written ends the
 * process before the output that follows it is sent. */
static void journal_flush(void *ctx)
{
    struct journal *j = ctx;

    if (j->sink && xdi_journal_sink_pending(j->sink) > 0 &&
        xdi_journal_sink_flush(j->sink) != 0 && j->fatal)
        journal_failed();
}

/* POST /xdi/host/reset with rotate_journal: FILE becomes FILE.1 (an older
 * FILE.1 is replaced) and a new FILE is started. */
static int rotate_journal(struct journal *j, char *msg, size_t msg_size)
{
    char old[PATH_MAX];

    if (!j->sink || !j->path) {
        snprintf(msg, msg_size,
                 "the journal is not a file (none, standard output or a "
                 "descriptor): nothing to rotate");
        return -1;
    }
    if ((size_t)snprintf(old, sizeof old, "%s.1", j->path) >= sizeof old) {
        snprintf(msg, msg_size, "%s: name too long", j->path);
        return -1;
    }
    if (rename(j->path, old) != 0) {
        snprintf(msg, msg_size, "cannot rename %s to %s: %s", j->path, old,
                 strerror(errno));
        return -1;
    }
    if (xdi_journal_sink_reopen(j->sink, j->path) != 0) {
        snprintf(msg, msg_size,
                 "cannot open a new %s: %s (records go on to "
                 "%s)",
                 j->path, strerror(errno), old);
        return -1;
    }
    return 0;
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

/* ---- the control plane's setup ------------------------------------------- */

/* What the control core asks of the application. */
struct control_ctx {
    struct xdi_watch *watch;
    struct journal *journal;
};

static int control_reload(void *ctx, char *msg, size_t msg_size)
{
    struct control_ctx *c = ctx;
    return xdi_watch_reload_msg(c->watch, "control", msg, msg_size);
}

static int control_rotate(void *ctx, char *msg, size_t msg_size)
{
    struct control_ctx *c = ctx;
    return rotate_journal(c->journal, msg, msg_size);
}

/* Whether this binary runs from the build tree it was built in (then the
 * dashboard and the API description come from the source tree). */
static bool run_from_build_tree(void)
{
    char exe[PATH_MAX];
    struct stat here, build;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);

    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    /* The same directory, however either path is spelt. */
    return stat(exe, &here) == 0 && stat(XDI_BUILD_SERVER_DIR, &build) == 0 &&
           here.st_dev == build.st_dev && here.st_ino == build.st_ino;
}

/* The whole of a small file (users) as text.  NULL with errno set. */
static char *read_text_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > (16u << 20)) {
                errno = EFBIG;
                break;
            }
            char *t = realloc(text, cap);
            if (!t)
                break;
            text = t;
        }
        size_t got = fread(text + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                break;
            fclose(f);
            text[n] = '\0';
            *len = n;
            return text;
        }
    }
    int saved = errno;
    fclose(f);
    free(text);
    errno = saved ? saved : EIO;
    return NULL;
}

/* A fresh token (xdi_control_token_text: 43 characters). */
static void make_token(char out[XDI_CONTROL_TOKEN_LEN + 1])
{
    uint8_t raw[XDI_CONTROL_TOKEN_RAW];

    xdi_control_random(raw, sizeof raw);
    xdi_control_token_text(raw, out);
}

/* Where a generated token goes: --control-token-file, else
 * $XDG_RUNTIME_DIR/xdi-emu/control-token, else ~/.xdi-emu/control-token
 * (the directory made, mode 0700).  0, or -1 with a message. */
static int token_path(const char *given, char *path, size_t size, char *err,
                      size_t errlen)
{
    const char *base = getenv("XDG_RUNTIME_DIR");
    const char *sub = "xdi-emu";
    char dir[PATH_MAX];

    if (given) {
        snprintf(path, size, "%s", given);
        return 0;
    }
    if (!base || base[0] != '/') {
        base = getenv("HOME");
        sub = ".xdi-emu";
    }
    if (!base || base[0] != '/') {
        snprintf(err, errlen,
                 "neither XDG_RUNTIME_DIR nor HOME is set: say "
                 "where the token goes with --control-token-file");
        return -1;
    }
    snprintf(dir, sizeof dir, "%s/%s", base, sub);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot make %.300s: %s", dir, strerror(errno));
        return -1;
    }
    if ((size_t)snprintf(path, size, "%s/control-token", dir) >= size) {
        snprintf(err, errlen, "%.300s: name too long", dir);
        return -1;
    }
    return 0;
}

/* Writes token to path, readable by this user only. */
static int write_token_file(const char *path, const char *token, char *err,
                            size_t errlen)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    /* An older file may have had a wider mode: narrow it before the token
     * is in it. */
    size_t len = strlen(token);
    if (fchmod(fd, 0600) != 0 || write(fd, token, len) != (ssize_t)len ||
        write(fd, "\n", 1) != 1) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (close(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* xdi-server --control-passwd: one password on stdin -> its $6$ hash. */
static int control_passwd(void)
{
    struct termios saved, quiet;
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data data;
    const char *hash;

    if (tty) {
        fprintf(stderr, "Password: ");
        fflush(stderr);
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    n = getline(&line, &cap, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fprintf(stderr, "\n");
    }
    if (n > 0 && line[n - 1] == '\n')
        line[--n] = '\0';
    if (n > 0 && line[n - 1] == '\r')
        line[--n] = '\0';
    if (n <= 0) {
        fprintf(stderr, "xdi-server: --control-passwd: no password on "
                        "standard input\n");
        free(line);
        return EXIT_USAGE;
    }
    memset(&data, 0, sizeof data);
    if (crypt_gensalt_rn("$6$", 0, NULL, 0, salt, sizeof salt) == NULL ||
        (hash = crypt_rn(line, salt, &data, sizeof data)) == NULL ||
        hash[0] == '*') {
        fprintf(stderr, "xdi-server: --control-passwd: cannot hash: %s\n",
                strerror(errno));
        memset(line, 0, (size_t)n);
        free(line);
        return EXIT_RUNTIME;
    }
    printf("%s\n", hash);
    memset(line, 0, (size_t)n);
    free(line);
    memset(&data, 0, sizeof data);
    return EXIT_OK;
}

/* Creates the control plane (nothing listens yet): users, token, files.
 * NULL with the exit code in *rc. */
static struct xdi_control_http *control_setup(
    struct options *o, uv_loop_t *loop, struct xdi_net *net,
    struct control_ctx *cctx, char *token_file, size_t tf_size, int *rc)
{
    char err[512];
    char token[44];
    struct xdi_control_http_config hcfg = o->hcfg;
    static char www[PATH_MAX], openapi[PATH_MAX];

    bool build_tree = run_from_build_tree();
    struct stat st;
    if (hcfg.www_dir) {
        if (stat(hcfg.www_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "xdi-server: --control-www %s: not a directory\n",
                    hcfg.www_dir);
            *rc = EXIT_USAGE;
            return NULL;
        }
    } else {
        snprintf(www, sizeof www, "%s",
                 build_tree ? XDI_SOURCE_WWW_DIR : XDI_INSTALLED_WWW_DIR);
        hcfg.www_dir = www;
        if (!o->quiet && (stat(www, &st) != 0 || !S_ISDIR(st.st_mode)))
            fprintf(stderr,
                    "xdi-server: warning: no dashboard in %s (give "
                    "--control-www DIR); the API is served all the same\n",
                    www);
    }
    snprintf(openapi, sizeof openapi, "%s",
             build_tree ? XDI_SOURCE_OPENAPI : XDI_INSTALLED_OPENAPI);
    hcfg.openapi_path = openapi;

    token_file[0] = '\0';
    if (!o->ccfg.token && !o->control_users) {
        make_token(token);
        if (token_path(o->control_token_file, token_file, tf_size, err,
                       sizeof err) < 0 ||
            write_token_file(token_file, token, err, sizeof err) < 0) {
            fprintf(stderr, "xdi-server: control token: %s\n", err);
            *rc = EXIT_RUNTIME;
            return NULL;
        }
        o->ccfg.token = token; /* the core copies what it keeps */
    }

    struct xdi_control_app app = {.ctx = cctx,
                                  .reload = control_reload,
                                  .rotate_journal = control_rotate};
    struct xdi_control_http *h = xdi_control_http_new(
        loop, xdi_net_server(net), &o->ccfg, &hcfg, &app, err, sizeof err);
    if (o->ccfg.token == token)
        o->ccfg.token = NULL;
    memset(token, 0, sizeof token);
    if (!h) {
        fprintf(stderr, "xdi-server: %s\n", err);
        *rc = EXIT_RUNTIME;
        return NULL;
    }
    if (o->control_users) {
        size_t len;
        char *text = read_text_file(o->control_users, &len);
        if (!text) {
            fprintf(stderr, "xdi-server: --control-users %s: %s\n",
                    o->control_users, strerror(errno));
            xdi_control_http_free(h);
            *rc = EXIT_USAGE;
            return NULL;
        }
        int lrc = xdi_control_load_users(xdi_control_http_core(h), text, len,
                                         o->control_users, err, sizeof err);
        free(text);
        if (lrc != 0) {
            fprintf(stderr, "xdi-server: %s\n", err);
            xdi_control_http_free(h);
            *rc = EXIT_USAGE;
            return NULL;
        }
    }
    return h;
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
    bool records = journal->sink != NULL || o->n_control > 0;
    struct xdi_net *net =
        xdi_net_new(&loop, &o->cfg, set, records ? journal_record : NULL,
                    journal, err, sizeof err);
    if (!net) {
        fprintf(stderr, "xdi-server: %s\n", err);
        xdi_capture_close(cap);
        uv_loop_close(&loop);
        return EXIT_RUNTIME;
    }
    note.net = net;
    sig.net = net;
    if (journal->sink) {
        xdi_journal_sink_set_buffered(journal->sink, true);
        xdi_net_set_flush(net, journal_flush, journal);
    }
    xdi_net_set_capture(net, cap);
    xdi_net_set_max_memory(net, (size_t)o->max_memory);
    sig.watch = xdi_watch_new(&loop, net, o->fixtures, o->reload_delay_ms,
                              !o->no_watch, o->quiet);
    if (!sig.watch) {
        fprintf(stderr, "xdi-server: out of memory\n");
        xdi_net_abandon(net);
        uv_run(&loop, UV_RUN_DEFAULT);
        xdi_net_free(net);
        xdi_capture_close(cap);
        uv_loop_close(&loop);
        return EXIT_RUNTIME;
    }
    struct control_ctx cctx = {.watch = sig.watch, .journal = journal};
    char token_file[PATH_MAX] = "";
    if (o->n_control > 0) {
        sig.control = control_setup(o, &loop, net, &cctx, token_file,
                                    sizeof token_file, &rc);
        if (!sig.control) {
            xdi_watch_close(sig.watch);
            xdi_net_abandon(net);
            uv_run(&loop, UV_RUN_DEFAULT);
            xdi_net_free(net);
            xdi_capture_close(cap);
            uv_loop_close(&loop);
            return rc;
        }
        journal->control = sig.control;
    }
    signals_start(&loop, &sig);
    int lrc = xdi_net_listen(net, o->listen, o->n_listen, err, sizeof err);
    if (lrc == 0 && sig.control) {
        /* Before "control on": a client that waited for that line finds
         * the token already named. */
        if (token_file[0]) {
            printf("control token in %s\n", token_file);
            fflush(stdout);
        }
        lrc = xdi_control_http_listen(sig.control, o->control, o->n_control,
                                      err, sizeof err);
    }
    if (lrc < 0) {
        fprintf(stderr, "xdi-server: %s\n", err);
        rc = EXIT_RUNTIME;
        xdi_net_abandon(net);
        xdi_control_http_stop(sig.control);
    } else if (!o->quiet) {
        fprintf(stderr, "xdi-server: serving %zu host%s from %s; journal: %s\n",
                n_hosts, n_hosts == 1 ? "" : "s", o->fixtures,
                o->journal_fd >= 0 ? "(descriptor)" : o->journal);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    signals_stop(&sig);
    uv_run(&loop, UV_RUN_DEFAULT); /* let the close callbacks run */
    note.net = NULL; /* the server goes; the capture's last bytes stay */
    journal->control = NULL;
    xdi_control_http_free(sig.control); /* before the server it looks at */
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
                        .max_memory = DEFAULT_MAX_MEMORY,
                        .reload_delay_ms = DEFAULT_RELOAD_DELAY_MS,
                        .log_rate = DEFAULT_LOG_RATE};
    struct xdi_fixture_set *set = NULL;
    struct journal journal = {0};
    int rc;

    xdi_config_defaults(&o.cfg);
    xdi_control_config_defaults(&o.ccfg);
    xdi_control_http_config_defaults(&o.hcfg);
    if (parse_args(argc, argv, &o) < 0) {
        fprintf(stderr, "Try 'xdi-server --help'.\n");
        return EXIT_USAGE;
    }
    if (o.control_passwd)
        return control_passwd();
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
    /* --journal none: no sink at all, so without --control the core
     * builds no records (the records hook is NULL); for measuring the
     * ingest path without it.  With --control the records go to the
     * control plane only. */
    bool no_journal = o.journal_fd < 0 && strcmp(o.journal, "none") == 0;
    if (no_journal)
        journal.sink = NULL;
    else if (o.journal_fd >= 0)
        journal.sink = xdi_journal_sink_fdopen(o.journal_fd, true);
    else
        journal.sink = xdi_journal_sink_open(o.journal);
    if (o.journal_fd < 0 && !no_journal && strcmp(o.journal, "-") != 0)
        journal.path = o.journal;
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
    if (!o.quiet && journal.sink) {
        xdi_journal_sink_set_echo(journal.sink, stderr);
        xdi_journal_sink_set_echo_rate(journal.sink, o.log_rate);
    }
    rc = run(&o, set, &journal);
    xdi_journal_sink_close(journal.sink);
    return rc;
}
