/*
 * main.c - `naccb`: decode NACCB streams to JSON Lines and encode them
 * back, for people debugging XDI agents.  Parses the command line and
 * dispatches; see docs/naccb-tool.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tool.h"

#ifndef XDI_VERSION
#define XDI_VERSION "unknown"
#endif

static const char usage_text[] =
    "Usage: naccb decode [OPTIONS] [FILE]\n"
    "       naccb encode [OPTIONS] [FILE]\n"
    "\n"
    "decode  reads a NACCB stream (FILE, or standard input when FILE is\n"
    "        absent or -) and prints one JSON object per line per NACCB.\n"
    "encode  reads those JSON lines and writes the exact NACCB bytes, so\n"
    "        'naccb decode | naccb encode' gives back the stream.\n"
    "\n"
    "Options:\n"
    "  --hex              decode: the input is annotated hex text (hex digit\n"
    "                     pairs, blanks, '#' comments to the end of a line);\n"
    "                     encode: write annotated hex text instead of binary\n"
    "  --codepage CP      037 (default), 1047, 500 or ascii: the code page of\n"
    "                     every character field\n"
    "  --max-naccb-size SIZE\n"
    "                     largest NACCB accepted, 36 to 2G-1 (default 16M);\n"
    "                     a larger total length loses the stream's framing\n"
    "                     (--max-size is the same option)\n"
    "  --chunk SIZE       decode: read binary input SIZE bytes at a time\n"
    "                     (default 64K; small values test reassembly)\n"
    "  --resync           decode: after lost framing, carry on at the next\n"
    "                     plausible NACCB header (its offset is always said)\n"
    "  -h, --help         show this help and exit\n"
    "  -V, --version      show the version and exit\n"
    "\n"
    "SIZE is " XDI_CLI_SIZE_FORMS ".\n"
    "\n"
    "Exit status: 0 all input valid; 1 invalid content (a NACCB breaks a\n"
    "rule, lost framing, truncated stream, bad hex or JSON line); 2 usage\n"
    "error; 3 input/output error.\n";

FILE *tool_open_input(const char *file)
{
    if (file == NULL || strcmp(file, "-") == 0)
        return stdin;
    FILE *fp = fopen(file, "rb");
    if (fp == NULL)
        fprintf(stderr, "naccb: cannot open %s: %s\n", file, strerror(errno));
    return fp;
}

const char *tool_input_name(const char *file)
{
    return file == NULL || strcmp(file, "-") == 0 ? "<stdin>" : file;
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "naccb: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'naccb --help'.\n");
    va_end(ap);
    return TOOL_EXIT_USAGE;
}

enum { OPT_HEX = 256, OPT_CODEPAGE, OPT_MAX_SIZE, OPT_CHUNK, OPT_RESYNC };

static int parse_option(int c, struct tool_options *opt)
{
    uint64_t v = 0;
    switch (c) {
    case OPT_HEX:
        opt->hex = 1;
        return 0;
    case OPT_RESYNC:
        opt->resync = 1;
        return 0;
    case OPT_CODEPAGE:
        if (naccb_codepage_parse(optarg, &opt->cp) != 0)
            return usage_error("--codepage: unknown code page '%s' (give "
                               "037, 1047, 500 or ascii)", optarg);
        return 0;
    case OPT_MAX_SIZE:
        /* 36 to 2G-1 in every tool (cli.h): libnaccb reports NACCB
         * lengths as int. */
        if (xdi_cli_naccb_size(optarg, &opt->max_size) != 0)
            return usage_error("--max-naccb-size: '%s' is not "
                               XDI_CLI_NACCB_SIZE_WANT, optarg);
        return 0;
    case OPT_CHUNK:
        if (xdi_cli_size(optarg, 1, 1u << 30, &v) != 0)
            return usage_error("--chunk: '%s' is not a size from 1 to 1G "
                               "(e.g. 4096, 64K)", optarg);
        opt->chunk = (size_t)v;
        return 0;
    case 'h':
        fputs(usage_text, stdout);
        exit(TOOL_EXIT_OK);
    case 'V':
        printf("naccb (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
               naccb_version());
        exit(TOOL_EXIT_OK);
    default: /* getopt already named the bad option */
        fprintf(stderr, "Try 'naccb --help'.\n");
        return TOOL_EXIT_USAGE;
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"hex", no_argument, NULL, OPT_HEX},
        {"codepage", required_argument, NULL, OPT_CODEPAGE},
        {"max-naccb-size", required_argument, NULL, OPT_MAX_SIZE},
        {"max-size", required_argument, NULL, OPT_MAX_SIZE}, /* its old name */
        {"chunk", required_argument, NULL, OPT_CHUNK},
        {"resync", no_argument, NULL, OPT_RESYNC},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct tool_options opt = {NACCB_CP_037, NACCB_DEFAULT_MAX_SIZE, 65536, 0,
                               NULL, 0};
    int c;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
        int rc = parse_option(c, &opt);
        if (rc != 0)
            return rc;
    }
    int nargs = argc - optind;
    if (nargs < 1)
        return usage_error("%s", "missing command (decode or encode)");
    if (nargs > 2)
        return usage_error("too many arguments, starting at '%s'",
                           argv[optind + 2]);
    const char *cmd = argv[optind];
    opt.file = nargs == 2 ? argv[optind + 1] : NULL;
    if (strcmp(cmd, "decode") == 0)
        return cmd_decode(&opt);
    if (strcmp(cmd, "encode") == 0)
        return cmd_encode(&opt);
    if (strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return TOOL_EXIT_OK;
    }
    return usage_error("unknown command '%s' (decode or encode)", cmd);
}
