/*
 * main.c - xdi-replay's command line (docs/replay.md).  One subcommand
 * so far: extract.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "naccb.h"
#include "replay.h"

static void usage(FILE *out)
{
    fprintf(out,
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
"      --max-size N    largest plausible NACCB, bytes (default 16M)\n"
"  -h, --help          this text\n"
"  -V, --version       version\n"
"\n"
"Exit codes: 0 every conversation complete and every NACCB valid;\n"
"1 a NACCB broke a rule, a conversation is incomplete (hole, capture started\n"
"mid-connection, lost framing), or no XDI conversation was found;\n"
"2 usage; 3 the capture cannot be read or the output written.\n");
}

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "xdi-replay: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'xdi-replay --help'.\n");
    va_end(ap);
    return REPLAY_EXIT_USAGE;
}

enum { OPT_CODEPAGE = 256, OPT_MAX_SIZE };

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},
        {"codepage", required_argument, NULL, OPT_CODEPAGE},
        {"max-size", required_argument, NULL, OPT_MAX_SIZE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct extract_options opt = {.port = -1, .cp = NACCB_CP_037,
                                  .max_size = NACCB_DEFAULT_MAX_SIZE};
    int c;
    uint64_t v;

    while ((c = getopt_long(argc, argv, "+p:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            usage(stdout);
            return REPLAY_EXIT_OK;
        case 'V':
            printf("xdi-replay (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
                   naccb_version());
            return REPLAY_EXIT_OK;
        default:
            return usage_error("unknown option");
        }
    }
    if (optind >= argc)
        return usage_error("a command is required: extract");
    if (strcmp(argv[optind], "extract") != 0)
        return usage_error("unknown command '%s' (known: extract)", argv[optind]);
    optind++;
    /* The options of extract. */
    int sub_argc = argc - optind + 1;
    char **sub_argv = argv + optind - 1;
    optind = 1;
    while ((c = getopt_long(sub_argc, sub_argv, "p:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (xdi_cli_size(optarg, 1, 65535, &v) != 0)
                return usage_error("--port: '%s' is not a port (1-65535)", optarg);
            opt.port = (int)v;
            break;
        case OPT_CODEPAGE: {
            enum naccb_codepage cp;
            if (naccb_codepage_parse(optarg, &cp) != 0)
                return usage_error("--codepage: unknown code page '%s' (give "
                                   "037, 1047, 500 or ascii)", optarg);
            opt.cp = (int)cp;
            break;
        }
        case OPT_MAX_SIZE:
            if (xdi_cli_size(optarg, NACCB_HEADER_SIZE, UINT32_MAX, &v) != 0)
                return usage_error("--max-size: '%s' is not a number of bytes "
                                   "(36 or more)", optarg);
            opt.max_size = (uint32_t)v;
            break;
        case 'h':
            usage(stdout);
            return REPLAY_EXIT_OK;
        case 'V':
            printf("xdi-replay (xdi-emu) %s\n", XDI_VERSION);
            return REPLAY_EXIT_OK;
        default:
            return usage_error("bad option of extract");
        }
    }
    if (optind + 1 != sub_argc)
        return usage_error(optind >= sub_argc ? "extract: CAPTURE is required"
                                              : "extract: one CAPTURE only");
    opt.file = sub_argv[optind];
    return cmd_extract(&opt);
}
