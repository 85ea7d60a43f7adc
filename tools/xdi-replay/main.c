/*
 * main.c - xdi-replay's command line (docs/replay.md): extract, agent,
 * host and fixtures, each with its own options after the command name.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentcmd.h"
#include "cli.h"
#include "fixtures_out.h"
#include "naccb.h"
#include "net.h"
#include "play.h"
#include "replay.h"

static const char overview[] =
"Usage: xdi-replay COMMAND [options] INPUT\n"
"\n"
"NACCB conversations out of packet captures, and played again:\n"
"  extract CAPTURE            every NACCB as `naccb decode` JSON Lines\n"
"  agent INPUT --connect H:P  play the captured agent against a live host\n"
"  host INPUT --agent CMD     play the captured host to an agent under test\n"
"  host INPUT --listen A:P    ... to an agent started by hand\n"
"  fixtures CAPTURE --out DIR the tables the host sent, as a fixture set\n"
"\n"
"INPUT is a capture (pcap or pcapng) or the JSON Lines extract writes.\n"
"`xdi-replay COMMAND --help` lists the options of each command.\n"
"\n"
"Exit codes: 0 success (agent, host: no difference); 1 invalid or\n"
"incomplete input (extract), differences (agent, host), no table\n"
"(fixtures); 2 usage; 3 input unreadable, output unwritable, could not\n"
"connect or start the agent.\n";

static const char extract_help[] =
"Usage: xdi-replay extract [options] CAPTURE\n"
"\n"
"Every NACCB of every XDI conversation in CAPTURE (pcap or pcapng; link\n"
"types Ethernet, Linux cooked v1/v2, raw IP, BSD loopback; IPv4 and IPv6),\n"
"one JSON object per line on stdout in the format of `naccb decode`, plus\n"
"\"conversation\", \"from\" (agent|host), \"time\" (seconds since the\n"
"conversation's first packet), \"src\" and \"dst\".  `naccb encode` turns\n"
"one side's lines back into the exact bytes that side sent.  Holes,\n"
"resynchronisations and broken NACCBs are said on stderr.\n"
"\n"
"Options:\n"
"  -p, --port N        only TCP connections with port N on either side\n"
"                      (default: every connection that carries NACCBs)\n"
"      --codepage CP   037 (default), 1047, 500 or ascii: the code page of\n"
"                      the texts\n"
"      --max-naccb-size SIZE  largest plausible NACCB, 36 to 2G-1 (default\n"
"                      16M; SIZE: 4096, 64K, 16M)\n"
"  -h, --help          this text\n"
"  -V, --version       version\n"
"\n"
"Exit codes: 0 every conversation complete and every NACCB valid;\n"
"1 a NACCB broke a rule, a conversation is incomplete (hole, capture started\n"
"mid-connection, lost framing), or no XDI conversation was found;\n"
"2 usage; 3 the capture cannot be read or the output written.\n";

static const char play_common_help[] =
"  -s, --system OLD=NEW  play system name OLD as NEW (both sides; every\n"
"                      header, EVBLOK and EOTINFO); repeatable\n"
"  -i, --ignore F,...  fields not compared: a member name (agent_id,\n"
"                      forward, user_area) or a path (objects[2].sdate);\n"
"                      repeatable\n"
"  -t, --timeout T     wait at most T for each NACCB of the peer (default\n"
"                      5s; 0.5, 500ms, 2m)\n"
"      --timing MODE   none (default: as fast as the peer answers),\n"
"                      as-captured, or xN: the captured delays N times\n"
"                      faster (x10, x0.5)\n"
"      --loop N        play each conversation N times (default 1)\n"
"  -c, --conversations all|N,M,...\n"
"                      which conversations of INPUT (default all); each\n"
"                      has its own connection, all run at once\n"
"      --junit FILE    a JUnit XML report: one testcase per conversation\n"
"      --codepage CP   037 (default), 1047, 500 or ascii\n"
"      --max-naccb-size SIZE  largest NACCB, 36 to 2G-1 (default 16M;\n"
"                      SIZE: 4096, 64K, 16M)\n"
"  -p, --port N        a capture: only connections with port N\n"
"  -h, --help          this text\n"
"\n"
"INPUT is a capture (pcap or pcapng) or JSON Lines as `xdi-replay extract`\n"
"writes them (- reads them from stdin; edited with jq or by hand: lines\n"
"are played in file order;\n"
"\"conversation\" defaults to 1 and \"from\" follows the direction).\n"
"Each difference is one line on stdout: conversation, NACCB number (its\n"
"place in the conversation, counting both sides from 1), key name, field,\n"
"captured and live value; then a summary line.  The agent-ID is templated:\n"
"the captured accept's ID stands for the live one in every later NACCB.\n"
"A conversation with no NACCB of the peer (xdi-fuzz's reproducers hold\n"
"the host's side only) is paced by its captured times (unless --timing\n"
"says otherwise); what the peer sends is read, not compared, and the\n"
"peer closing the connection (or the agent ending) is the difference.\n"
"A progress line goes to stderr when it is a terminal.\n"
"\n"
"Exit codes: 0 no difference; 1 differences; 2 usage; 3 INPUT unreadable,\n"
"could not connect, or the agent could not be run.\n";

static const char agent_help[] =
"Usage: xdi-replay agent [options] INPUT --connect HOST:PORT\n"
"\n"
"Plays the agent's side of each conversation of INPUT against a live host\n"
"(zJOS-XDI or xdi-server): sends what the agent sent, in order, waits for\n"
"each NACCB the host sent and compares the host's answer with it field by\n"
"field (header, then each object's fields).\n"
"\n"
"Options:\n"
"  -C, --connect HOST:PORT  the host (IPv6 as [::1]:7012); required\n";

static const char host_help[] =
"Usage: xdi-replay host [options] INPUT --agent 'COMMAND {host} {port} {system}'\n"
"       xdi-replay host [options] INPUT --listen ADDR:PORT\n"
"\n"
"Plays the host's side of each conversation of INPUT to an agent under\n"
"test: answers each NACCB the agent sends as the captured host did, sends\n"
"the host's own NACCBs (exec, replace, shutdown) at the same point of the\n"
"conversation, and compares what the agent sends with the capture.\n"
"\n"
"Options:\n"
"  -a, --agent COMMAND  started for each conversation (its own port): the\n"
"                      placeholders {host} {port} {system} are replaced by\n"
"                      shell-quoted values and the line runs under\n"
"                      /bin/sh -c, as with xdi-conform; stopped (its whole\n"
"                      process group) when the conversation is over\n"
"  -l, --listen ADDR:PORT  without --agent: wait there for agents started\n"
"                      by hand, up to 60 s each (\"listening on ADDR:PORT\" on\n"
"                      stderr; port 0 picks one); with --agent: the address\n"
"                      to listen on (default 127.0.0.1:0; the agent has 10 s\n"
"                      to connect)\n"
"      --agent-log FILE  the agent's output, appended (default: stderr)\n"
"      --agent-id N    issue agent-ID N instead of the captured one\n"
"      --logout-signal SIG  sent to the --agent's process group when the\n"
"                      capture has a logout the host did not ask for (a\n"
"                      local shutdown): TERM (default), INT, HUP, USR1,\n"
"                      USR2, or none\n";

static const char fixtures_help[] =
"Usage: xdi-replay fixtures [options] INPUT --out DIR\n"
"\n"
"Cuts every EMS and SCD table the host sent in INPUT (a capture, or JSON\n"
"Lines as extract writes them) into a fixture set that xdi-server serves\n"
"byte for byte: one raw table file per table (EVBLOKs or EOTINFOs back to\n"
"back) and DIR/hosts.yaml with one host per system name seen.  A table the\n"
"host replaced later is kept as its current one, and hosts.yaml says so.\n"
"\n"
"Options:\n"
"  -o, --out DIR       the fixture directory (created; files in it are\n"
"                      overwritten); required\n"
"  -s, --system OLD=NEW  system name OLD as NEW; repeatable\n"
"      --codepage CP   037 (default), 1047, 500 or ascii (also written as\n"
"                      the set's code page)\n"
"      --max-naccb-size SIZE  largest NACCB, 36 to 2G-1 (default 16M;\n"
"                      SIZE: 4096, 64K, 16M)\n"
"  -p, --port N        a capture: only connections with port N\n"
"  -h, --help          this text\n"
"\n"
"Exit codes: 0 done; 1 the host sent no table; 2 usage; 3 INPUT unreadable\n"
"or DIR not writable.\n";

static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "xdi-replay: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'xdi-replay %s%s--help'.\n", cmd ? cmd : "",
            cmd ? " " : "");
    va_end(ap);
    return REPLAY_EXIT_USAGE;
}

enum {
    OPT_CODEPAGE = 256, OPT_MAX_SIZE, OPT_TIMING, OPT_LOOP, OPT_JUNIT,
    OPT_AGENT_LOG, OPT_AGENT_ID, OPT_LOGOUT_SIGNAL,
};

static const struct option longopts[] = {
    {"port", required_argument, NULL, 'p'},
    {"codepage", required_argument, NULL, OPT_CODEPAGE},
    {"max-naccb-size", required_argument, NULL, OPT_MAX_SIZE},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE}, /* its old name */
    {"connect", required_argument, NULL, 'C'},
    {"agent", required_argument, NULL, 'a'},
    {"listen", required_argument, NULL, 'l'},
    {"agent-log", required_argument, NULL, OPT_AGENT_LOG},
    {"agent-id", required_argument, NULL, OPT_AGENT_ID},
    {"logout-signal", required_argument, NULL, OPT_LOGOUT_SIGNAL},
    {"system", required_argument, NULL, 's'},
    {"ignore", required_argument, NULL, 'i'},
    {"timeout", required_argument, NULL, 't'},
    {"timing", required_argument, NULL, OPT_TIMING},
    {"loop", required_argument, NULL, OPT_LOOP},
    {"conversations", required_argument, NULL, 'c'},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"out", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* Which options each command takes (long names; the rest are refused). */
static bool takes(const char *cmd, int opt)
{
    switch (opt) {
    case 'p': case OPT_CODEPAGE: case OPT_MAX_SIZE: case 'h': case 'V':
        return true;
    case 'C':
        return strcmp(cmd, "agent") == 0;
    case 'a': case 'l': case OPT_AGENT_LOG: case OPT_AGENT_ID:
    case OPT_LOGOUT_SIGNAL:
        return strcmp(cmd, "host") == 0;
    case 's':
        return strcmp(cmd, "extract") != 0;
    case 'i': case 't': case OPT_TIMING: case OPT_LOOP: case 'c': case OPT_JUNIT:
        return strcmp(cmd, "agent") == 0 || strcmp(cmd, "host") == 0;
    case 'o':
        return strcmp(cmd, "fixtures") == 0;
    default:
        return false;
    }
}

static const char *option_name(int c)
{
    for (const struct option *o = longopts; o->name; o++)
        if (o->val == c)
            return o->name;
    return "?";
}

/* A system name as the fixtures have them: 1..8 of A-Z 0-9 $ # @. */
static bool system_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 8)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              strchr("$#@", s[i])))
            return false;
    return true;
}

static int parse_signal(const char *text, int *sig)
{
    static const struct {
        const char *name;
        int sig;
    } sigs[] = {{"TERM", SIGTERM}, {"INT", SIGINT},   {"HUP", SIGHUP},
                {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"QUIT", SIGQUIT},
                {"none", 0}};
    const char *t = strncmp(text, "SIG", 3) == 0 ? text + 3 : text;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (strcmp(t, sigs[i].name) == 0) {
            *sig = sigs[i].sig;
            return 0;
        }
    uint64_t v;
    if (xdi_cli_uint(text, 1, 64, &v) == 0) {
        *sig = (int)v;
        return 0;
    }
    return -1;
}

struct args {
    const char *cmd;
    struct load_options load;
    struct play_options play;
    struct sysmap sys[16];
    const char *ignore[64];
    char *ignore_text[64];
    size_t n_ignore_text;
    int convs[256];
    const char *out;
    const char *file;
};

static int parse_conversations(struct args *a, const char *text)
{
    if (strcmp(text, "all") == 0) {
        a->play.convs = NULL;
        a->play.n_convs = 0;
        return 0;
    }
    char *copy = strdup(text), *save = NULL;
    size_t n = 0;
    int rc = copy ? 0 : -1;
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && rc == 0;
         t = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (xdi_cli_uint(t, 1, 1000000000, &v) != 0 || n == 256)
            rc = -1;
        else
            a->convs[n++] = (int)v;
    }
    free(copy);
    if (rc != 0 || n == 0)
        return -1;
    a->play.convs = a->convs;
    a->play.n_convs = n;
    return 0;
}

static int parse_ignore(struct args *a, const char *text)
{
    if (a->n_ignore_text == 64)
        return -1;
    char *copy = strdup(text), *save = NULL;
    if (!copy)
        return -1;
    a->ignore_text[a->n_ignore_text++] = copy;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (a->play.diff.n_ignore == 64)
            return -1;
        a->ignore[a->play.diff.n_ignore++] = t;
    }
    a->play.diff.ignore = a->ignore;
    return 0;
}

static int parse_timing(struct args *a, const char *text)
{
    if (strcmp(text, "none") == 0) {
        a->play.factor = 0;
        return 0;
    }
    if (strcmp(text, "as-captured") == 0) {
        a->play.factor = 1;
        return 0;
    }
    uint64_t ms;
    /* xN: a duration parser reads "N" as N seconds, in milliseconds. */
    if (text[0] == 'x' && xdi_cli_duration_ms(text + 1, 1000000000, &ms) == 0 &&
        ms > 0 && strpbrk(text + 1, "msh") == NULL) {
        a->play.factor = (double)ms / 1000.0;
        return 0;
    }
    return -1;
}

static int parse(struct args *a, int argc, char **argv)
{
    int c;
    uint64_t v;
    const char *cmd = a->cmd;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:C:a:l:s:i:t:c:o:hV", longopts,
                            NULL)) != -1) {
        if (c != '?' && !takes(cmd, c))
            return usage_error(cmd, "%s does not take --%s", cmd, option_name(c));
        switch (c) {
        case 'h':
            fputs(strcmp(cmd, "extract") == 0 ? extract_help
                  : strcmp(cmd, "agent") == 0  ? agent_help
                  : strcmp(cmd, "host") == 0   ? host_help
                                               : fixtures_help,
                  stdout);
            if (strcmp(cmd, "agent") == 0 || strcmp(cmd, "host") == 0)
                fputs(play_common_help, stdout);
            return -1;
        case 'V':
            printf("xdi-replay (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
                   naccb_version());
            return -1;
        case 'p':
            if (xdi_cli_size(optarg, 1, 65535, &v) != 0)
                return usage_error(cmd, "--port: '%s' is not a port (1-65535)",
                                   optarg);
            a->load.port = (int)v;
            break;
        case OPT_CODEPAGE: {
            enum naccb_codepage cp;
            if (naccb_codepage_parse(optarg, &cp) != 0)
                return usage_error(cmd, "--codepage: unknown code page '%s' "
                                   "(give 037, 1047, 500 or ascii)", optarg);
            a->load.cp = a->play.cp = (int)cp;
            break;
        }
        case OPT_MAX_SIZE:
        {
            uint32_t max;
            if (xdi_cli_naccb_size(optarg, &max) != 0)
                return usage_error(cmd, "--max-naccb-size: '%s' is not "
                                   XDI_CLI_NACCB_SIZE_WANT, optarg);
            a->load.max_size = a->play.max_size = max;
        }
            break;
        case 'C': {
            char h[256], p[8];
            if (net_split(optarg, h, sizeof h, p, sizeof p) != 0)
                return usage_error(cmd, "--connect: '%s' is not HOST:PORT "
                                   "([::1]:7012 for IPv6)", optarg);
            a->play.connect = optarg;
            break;
        }
        case 'l': {
            char h[256], p[8];
            if (net_split(optarg, h, sizeof h, p, sizeof p) != 0)
                return usage_error(cmd, "--listen: '%s' is not ADDR:PORT "
                                   "(127.0.0.1:0, [::1]:7012)", optarg);
            a->play.listen = optarg;
            break;
        }
        case 'a': {
            char err[200];
            if (agentcmd_check(optarg, err, sizeof err) != 0)
                return usage_error(cmd, "--agent: %s", err);
            a->play.agent_cmd = optarg;
            break;
        }
        case OPT_AGENT_LOG:
            a->play.agent_log = optarg;
            break;
        case OPT_AGENT_ID:
            if (xdi_cli_uint(optarg, 1, UINT32_MAX, &v) != 0)
                return usage_error(cmd, "--agent-id: '%s' is not an agent-ID "
                                   "(1 to 4294967295)", optarg);
            a->play.have_agent_id = true;
            a->play.agent_id = (uint32_t)v;
            break;
        case OPT_LOGOUT_SIGNAL:
            if (parse_signal(optarg, &a->play.logout_signal) != 0)
                return usage_error(cmd, "--logout-signal: '%s' is not a "
                                   "signal (TERM, INT, HUP, USR1, USR2, a "
                                   "number, or none)", optarg);
            break;
        case 's': {
            const char *eq = strchr(optarg, '=');
            if (!eq || !system_name_ok(optarg, (size_t)(eq - optarg)) ||
                !system_name_ok(eq + 1, strlen(eq + 1)) ||
                a->load.n_sys == 16)
                return usage_error(cmd, "--system: '%s' is not OLD=NEW, two "
                                   "system names (1 to 8 of A-Z 0-9 $ # @)",
                                   optarg);
            struct sysmap *m = &a->sys[a->load.n_sys++];
            memcpy(m->from, optarg, (size_t)(eq - optarg));
            m->from[eq - optarg] = '\0';
            strcpy(m->to, eq + 1);
            a->load.sys = a->sys;
            break;
        }
        case 'i':
            if (parse_ignore(a, optarg) != 0)
                return usage_error(cmd, "--ignore: too many fields");
            break;
        case 't':
            if (xdi_cli_duration_ms(optarg, 86400000, &v) != 0 || v == 0)
                return usage_error(cmd, "--timeout: '%s' is not a duration "
                                   "(5, 0.5, 500ms, 2m)", optarg);
            a->play.timeout = (double)v / 1000.0;
            break;
        case OPT_TIMING:
            a->play.timing_given = true;
            if (parse_timing(a, optarg) != 0)
                return usage_error(cmd, "--timing: '%s' is not none, "
                                   "as-captured or xN (x10, x0.5)", optarg);
            break;
        case OPT_LOOP:
            if (xdi_cli_uint(optarg, 1, 1000000, &v) != 0)
                return usage_error(cmd, "--loop: '%s' is not a number from 1",
                                   optarg);
            a->play.loop = (unsigned)v;
            break;
        case 'c':
            if (parse_conversations(a, optarg) != 0)
                return usage_error(cmd, "--conversations: '%s' is not all or "
                                   "conversation numbers N,M,...", optarg);
            break;
        case OPT_JUNIT:
            a->play.junit = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        default:
            return usage_error(cmd, "bad option of %s", cmd);
        }
    }
    if (optind >= argc)
        return usage_error(cmd, "%s: %s is required", cmd,
                           strcmp(cmd, "extract") == 0 ? "CAPTURE" : "INPUT");
    if (optind + 1 != argc)
        return usage_error(cmd, "%s: one input only ('%s' is one too many)",
                           cmd, argv[optind + 1]);
    a->file = argv[optind];
    a->load.file = a->file;
    if (strcmp(cmd, "agent") == 0 && !a->play.connect)
        return usage_error(cmd, "agent: --connect HOST:PORT is required");
    if (strcmp(cmd, "host") == 0 && !a->play.agent_cmd && !a->play.listen)
        return usage_error(cmd, "host: --agent COMMAND or --listen ADDR:PORT "
                           "is required");
    if (strcmp(cmd, "fixtures") == 0 && !a->out)
        return usage_error(cmd, "fixtures: --out DIR is required");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        fputs(overview, stdout);
        return REPLAY_EXIT_OK;
    }
    if (argc >= 2 && (strcmp(argv[1], "-V") == 0 ||
                      strcmp(argv[1], "--version") == 0)) {
        printf("xdi-replay (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
               naccb_version());
        return REPLAY_EXIT_OK;
    }
    if (argc < 2)
        return usage_error(NULL, "a command is required: extract, agent, host "
                           "or fixtures");
    static const char *const cmds[] = {"extract", "agent", "host", "fixtures"};
    struct args *a = calloc(1, sizeof *a);
    if (!a)
        return REPLAY_EXIT_IO;
    for (size_t i = 0; i < 4; i++)
        if (strcmp(argv[1], cmds[i]) == 0)
            a->cmd = cmds[i];
    if (!a->cmd) {
        free(a);
        return usage_error(NULL, "unknown command '%s' (known: extract, agent, "
                           "host, fixtures)", argv[1]);
    }
    a->load = (struct load_options){.cp = NACCB_CP_037,
                                    .max_size = NACCB_DEFAULT_MAX_SIZE,
                                    .port = -1};
    a->play = (struct play_options){
        .role = strcmp(a->cmd, "host") == 0 ? PLAY_HOST : PLAY_AGENT,
        .timeout = 5, .loop = 1, .cp = NACCB_CP_037,
        .max_size = NACCB_DEFAULT_MAX_SIZE, .logout_signal = SIGTERM,
        .progress = isatty(STDERR_FILENO) != 0};
    int rc = parse(a, argc - 1, argv + 1);
    if (rc != 0) {
        rc = rc < 0 ? REPLAY_EXIT_OK : rc;
    } else if (strcmp(a->cmd, "extract") == 0) {
        struct extract_options eo = {.port = a->load.port, .cp = a->load.cp,
                                     .max_size = a->load.max_size,
                                     .file = a->file};
        rc = cmd_extract(&eo);
    } else {
        struct convs convs;
        rc = convs_load(&a->load, &convs);
        if (rc == 0) {
            if (strcmp(a->cmd, "fixtures") == 0)
                rc = fixtures_write(&convs, a->out, a->load.cp, a->file);
            else
                rc = play_run(&a->play, &convs);
            convs_free(&convs);
        }
    }
    for (size_t i = 0; i < a->n_ignore_text; i++)
        free(a->ignore_text[i]);
    free(a);
    return rc;
}
