/*
 * main.c - xdi-agent, the reference zJOS-XDI agent: command line, log
 * lines, signals, and the pump that carries out what the core asks for.
 * Exit codes (enum xdi_agent_exit): 0 local shutdown, 1 internal error,
 * 2 usage, 10 shut down by the host, 11 both tables missing, 12 login
 * rejected and retries used up, 13 connection lost and retries used up.
 */
#include <errno.h>
#include <getopt.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "naccb.h"
#include "uvagent.h"

#define DEFAULT_POLL_MS 250u

static void usage(FILE *out)
{
    fprintf(out,
"Usage: xdi-agent --server HOST:PORT --system NAME [options]\n"
"\n"
"The reference zJOS-XDI agent: logs in to an XDI host (or xdi-server),\n"
"acquires its EMS and SCD tables, reports the events that match them, and\n"
"carries out the host's exec command / exec job requests.\n"
"\n"
"  -C, --server HOST:PORT   the XDI host: a name or an address, IPv6 as\n"
"                           [::1]:PORT; resolved at each connect (required)\n"
"  -s, --system NAME        this host's system name, 1-8 chars (required)\n"
"  -f, --follow FILE        report FILE's new lines as message events,\n"
"                           following rotation and truncation (tail -F);\n"
"                           '-' reads standard input; repeatable\n"
"  -j, --jobs DIR           exec job runs DIR/JOBNAME (no shell); its exit\n"
"                           status and steps become EOJ/EOS and EOTINFOs\n"
"  -a, --allow REGEX        exec command runs a command only when this POSIX\n"
"                           ERE matches all of it; repeatable.  Without any,\n"
"                           commands are only reported as command events\n"
"      --simulate SCRIPT    play a script of timed events once running\n"
"  -c, --codepage CP        037 (default), 1047, 500 or ascii\n"
"  -r, --retries N          failed logins/connections in a row before giving\n"
"                           up (default %u)\n"
"  -p, --password PW        login password, 1-8 chars\n"
"  -H, --holidays FILE      holiday calendar (YYYY-MM-DD per line) for\n"
"                           day-list byte 7; default: no holidays\n"
"      --backoff MS         first retry delay, doubled each time (default %u)\n"
"      --poll-ms MS         how often followed files are checked (default %u)\n"
"  -q, --quiet              no log lines\n"
"  -h, --help               this text\n"
"  -V, --version            xdi-agent's and libnaccb's versions\n"
"\n"
"Log lines go to stderr.  SIGINT/SIGTERM: logout, then exit 0.\n"
"Exit codes: 0 local shutdown, 1 internal error, 2 usage, 10 shut down by\n"
"the host, 11 neither EMS nor SCD available, 12 login rejected (retries\n"
"used up), 13 connection lost or refused (retries used up).\n"
"The short options mean what they mean in xdi-replay (-C the host to\n"
"connect to, -s the system name); -n is still taken for --system.\n"
"See docs/agent.md.\n",
            XDI_AGENT_DEFAULT_RETRIES, XDI_AGENT_DEFAULT_BACKOFF_MS,
            DEFAULT_POLL_MS);
}

static bool quiet;

void app_log(struct app *app, const char *fmt, ...)
{
    char line[1100]; /* a core line (at most 1023) and some */
    va_list ap;

    (void)app;
    if (quiet)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* A whole line into line-buffered stderr goes out in one write, so
     * lines of the agent and of its children do not interleave. */
    fprintf(stderr, "xdi-agent: %s\n", line);
}

void app_core_log(void *ctx, const char *line)
{
    app_log(ctx, "%s", line);
}

static void on_backoff(uv_timer_t *t)
{
    struct app *app = t->data;

    xdi_agent_timer(app->agent);
    app_pump(app);
}

static void run_action(struct app *app, const struct xdi_agent_action *act)
{
    switch (act->kind) {
    case XDI_ACT_CONNECT:
        net_connect(app);
        break;
    case XDI_ACT_TIMER:
        uv_timer_start(&app->backoff_timer, on_backoff, act->delay_ms, 0);
        break;
    case XDI_ACT_CLOSE:
        net_close_requested(app);
        break;
    case XDI_ACT_RUN_COMMAND:
        proc_run_command(app, act->text);
        break;
    case XDI_ACT_RUN_JOB:
        proc_run_job(app, act->text);
        break;
    case XDI_ACT_READY:
        follow_ready(app);
        sim_ready(app);
        break;
    case XDI_ACT_STOP:
        app_stop(app, act->exit_code);
        break;
    }
}

void app_pump(struct app *app)
{
    struct xdi_agent_action act;

    if (app->in_pump || app->stopping)
        return;
    app->in_pump = true;
    /* Actions may call back into the core and so add actions: the loop
     * takes them too.  Output is written last, so that everything the
     * actions queued leaves batched.  net_flush() adds no actions. */
    while (!app->stopping && xdi_agent_next_action(app->agent, &act))
        run_action(app, &act);
    if (!app->stopping)
        net_flush(app);
    app->in_pump = false;
}

void app_stop(struct app *app, int exit_code)
{
    if (app->stopping)
        return;
    app->stopping = true;
    app->exit_code = exit_code;
    app_log(app, "stopping: exit code %d", exit_code);
    net_stop(app);
    follow_stop(app);
    proc_stop(app);
    sim_stop(app);
    uv_close((uv_handle_t *)&app->sigint, NULL);
    uv_close((uv_handle_t *)&app->sigterm, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct app *app = h->data;

    if (++app->signals > 1) {
        /* A second signal: the operator does not want to wait for the
         * logout to be written. */
        app_log(app, "signal %d again: stopping now", signum);
        app_stop(app, XDI_EXIT_OK);
        return;
    }
    xdi_agent_shutdown(app->agent,
                       signum == SIGINT ? "SIGINT" : "SIGTERM");
    app_pump(app);
}

/* ---- command line ----------------------------------------------------------- */

enum { OPT_BACKOFF = 256, OPT_POLL_MS, OPT_SIMULATE };

static const struct option long_options[] = {
    {"server", required_argument, NULL, 'C'},
    {"system", required_argument, NULL, 's'},
    {"follow", required_argument, NULL, 'f'},
    {"jobs", required_argument, NULL, 'j'},
    {"allow", required_argument, NULL, 'a'},
    {"simulate", required_argument, NULL, OPT_SIMULATE},
    {"codepage", required_argument, NULL, 'c'},
    {"retries", required_argument, NULL, 'r'},
    {"password", required_argument, NULL, 'p'},
    {"holidays", required_argument, NULL, 'H'},
    {"backoff", required_argument, NULL, OPT_BACKOFF},
    {"poll-ms", required_argument, NULL, OPT_POLL_MS},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

#define MAX_LIST 64

struct options {
    const char *server, *system, *jobs, *simulate, *holidays;
    const char *follow[MAX_LIST], *allow[MAX_LIST];
    size_t n_follow, n_allow;
    struct xdi_agent_config cfg;
    unsigned poll_ms;
};

/* A count in 0..max (tools/common/cli.h: digits only). */
static int parse_unsigned(const char *text, unsigned long max, unsigned *out)
{
    uint64_t v;

    if (xdi_cli_uint(text, 0, max, &v) != 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xdi-agent: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'xdi-agent --help'.\n");
    return XDI_EXIT_USAGE;
}

static int add_list(const char **list, size_t *n, const char *arg,
                    const char *what)
{
    if (*n >= MAX_LIST)
        return usage_error("too many %s options", what);
    list[(*n)++] = arg;
    return 0;
}

/* One option into o.  0, or an exit code (2 for usage, or -1 for --help). */
static int take_option(struct options *o, int c, const char *arg)
{
    switch (c) {
    case 'C': o->server = arg; return 0;
    case 's':
    case 'n': o->system = arg; return 0; /* -n: --system's old short form */
    case 'f': return add_list(o->follow, &o->n_follow, arg, "--follow");
    case 'j': o->jobs = arg; return 0;
    case 'a': return add_list(o->allow, &o->n_allow, arg, "--allow");
    case OPT_SIMULATE: o->simulate = arg; return 0;
    case 'H': o->holidays = arg; return 0;
    case 'q': quiet = true; return 0;
    case 'c':
        if (naccb_codepage_parse(arg, &o->cfg.codepage) != 0)
            return usage_error("unknown code page '%s' (037, 1047, 500, "
                               "ascii)", arg);
        return 0;
    case 'r':
        if (parse_unsigned(arg, 1000000, &o->cfg.retries) != 0)
            return usage_error("--retries takes a number, not '%s'", arg);
        return 0;
    case 'p':
        if (strlen(arg) < 1 || strlen(arg) > NACCB_PASSWORD_SIZE)
            return usage_error("the password must be 1 to 8 characters");
        memcpy(o->cfg.password, arg, strlen(arg) + 1);
        return 0;
    case OPT_BACKOFF:
        if (parse_unsigned(arg, 3600000, &o->cfg.backoff_ms) != 0)
            return usage_error("--backoff takes milliseconds, not '%s'", arg);
        if (o->cfg.backoff_max_ms < o->cfg.backoff_ms)
            o->cfg.backoff_max_ms = o->cfg.backoff_ms;
        return 0;
    case OPT_POLL_MS:
        if (parse_unsigned(arg, 60000, &o->poll_ms) != 0 || o->poll_ms == 0)
            return usage_error("--poll-ms takes 1..60000, not '%s'", arg);
        return 0;
    case 'h':
        usage(stdout);
        return -1;
    case 'V':
        printf("xdi-agent (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
               naccb_version());
        return -1;
    default:
        fprintf(stderr, "Try 'xdi-agent --help'.\n");
        return XDI_EXIT_USAGE;
    }
}

static int parse_args(int argc, char **argv, struct options *o)
{
    int c, rc;

    memset(o, 0, sizeof *o);
    xdi_agent_config_defaults(&o->cfg);
    o->poll_ms = DEFAULT_POLL_MS;
    while ((c = getopt_long(argc, argv, "C:s:n:f:j:a:c:r:p:H:qhV", long_options,
                            NULL)) != -1)
        if ((rc = take_option(o, c, optarg)) != 0)
            return rc;
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (o->system != NULL && strchr(o->system, ':') != NULL)
        return usage_error("the system name '%s' looks like HOST:PORT: the "
                           "server is -C (--server), -s is --system",
                           o->system);
    if (o->server == NULL)
        return usage_error("--server HOST:PORT is required (short: -C)");
    if (o->system == NULL)
        return usage_error("--system NAME is required");
    if (strlen(o->system) < 1 || strlen(o->system) > NACCB_NAME_SIZE)
        return usage_error("the system name '%s' is not 1 to 8 characters",
                           o->system);
    memcpy(o->cfg.system_name, o->system, strlen(o->system) + 1);
    return 0;
}

int app_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return -1;
    for (;;) {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 8192;
            char *p = cap <= (16u << 20) ? realloc(buf, cap) : NULL;
            if (p == NULL) {
                free(buf);
                fclose(f);
                errno = EFBIG;
                return -1;
            }
            buf = p;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf[n] = '\0'; /* room is left: the last fread() returned 0 */
    *out = buf;
    *len = n;
    return 0;
}


static int load_holidays(struct app *app, const char *path)
{
    char *text;
    size_t len, n;
    struct naccb_date *dates;
    int line;

    if (app_read_file(path, &text, &len) != 0) {
        app_log(app, "cannot read holidays %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = xdi_holidays_parse(text, len, &dates, &n, &line);
    free(text);
    if (rc != 0) {
        app_log(app, "%s:%d: not a date YYYY-MM-DD", path, line);
        return -1;
    }
    rc = xdi_agent_set_holidays(app->agent, dates, n);
    free(dates);
    if (rc == 0)
        app_log(app, "%zu holiday(s) from %s", n, path);
    return rc;
}

/* Everything after the command line: 0, or an exit code. */
static int setup(struct app *app, const struct options *o)
{
    char err[256];

    /* The handles app_stop() closes exist from here on, whatever fails. */
    net_init(app);
    app->backoff_timer.data = app;
    uv_timer_init(app->loop, &app->sim_timer);
    app->sim_timer.data = app;
    uv_signal_init(app->loop, &app->sigint);
    uv_signal_init(app->loop, &app->sigterm);
    app->sigint.data = app->sigterm.data = app;
    for (size_t i = 0; i < o->n_allow; i++)
        if (xdi_agent_allow(app->agent, o->allow[i], err, sizeof err) != 0)
            return usage_error("bad --allow expression: %s", err);
    if (o->holidays != NULL && load_holidays(app, o->holidays) != 0)
        return XDI_EXIT_USAGE;
    if (net_parse_server(app, o->server, err, sizeof err) != 0)
        return usage_error("--server %s", err);
    if (o->simulate != NULL && sim_load(app, o->simulate) != 0)
        return XDI_EXIT_USAGE;
    app->jobs_dir = o->jobs;
    app->poll_ms = o->poll_ms;
    for (size_t i = 0; i < o->n_follow; i++)
        if (follow_add(app, o->follow[i]) != 0)
            return XDI_EXIT_USAGE;
    uv_signal_start(&app->sigint, on_signal, SIGINT);
    uv_signal_start(&app->sigterm, on_signal, SIGTERM);
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct app app;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc < 0 ? XDI_EXIT_OK : rc;
    setvbuf(stderr, NULL, _IOLBF, 0);
    /* A write to a socket the host closed is an error to handle, not a
     * reason to die. */
    signal(SIGPIPE, SIG_IGN);
    memset(&app, 0, sizeof app);
    app.loop = uv_default_loop();
    struct xdi_agent_hooks hooks = {&app, quiet ? NULL : app_core_log, NULL};
    const char *why = xdi_agent_config_check(&o.cfg);
    if (why != NULL)
        return usage_error("%s", why);
    app.agent = xdi_agent_new(&o.cfg, &hooks);
    if (app.agent == NULL) {
        fprintf(stderr, "xdi-agent: out of memory\n");
        return XDI_EXIT_FAILURE;
    }
    rc = setup(&app, &o);
    if (rc == 0) {
        app_log(&app, "system %s, server %s, %zu followed, jobs %s, "
                      "%zu allow expression(s)%s",
                o.system, o.server, o.n_follow, o.jobs ? o.jobs : "(none)",
                o.n_allow, o.simulate ? ", simulation" : "");
        xdi_agent_start(app.agent);
        app_pump(&app);
        uv_run(app.loop, UV_RUN_DEFAULT);
        rc = app.exit_code;
    } else {
        app_stop(&app, rc);
        uv_run(app.loop, UV_RUN_DEFAULT);
    }
    xdi_sim_free(&app.script);
    xdi_agent_free(app.agent);
    free(app.host);
    free(app.port);
    uv_loop_close(app.loop);
    return rc;
}
