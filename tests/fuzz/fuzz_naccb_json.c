/*
 * fuzz_naccb_json.c - the JSON reader of `naccb encode` (tools/naccb):
 * one input is JSON Lines, each line parsed as encode parses it
 * (tool_encode_line() in tools/naccb/encode.c: jansson, duplicates
 * rejected, NUL allowed) and turned into NACCB bytes by
 * jn_naccb_from_json(), then written as annotated hex to /dev/null (the
 * --hex output).
 *
 * Byte 0 picks the code page (low 2 bits) and a small maximum size (bit
 * 2); the rest is the text, cut into lines at each newline as getline()
 * does.  Beyond the sanitizers: a line that converts gives at least a
 * header's bytes, and the error of one that does not is a terminated
 * string (the tool prints it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "tool.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    if (devnull == NULL)
        abort();
    return 0;
}

static void line(const struct tool_options *opt, const char *text, size_t len)
{
    struct buf out = {0};
    struct jf_error err = {{0}, {0}};
    json_error_t jerr;
    int rc = tool_encode_line(opt, text, len, &out, &err, &jerr);

    if (rc == 0) {
        if (out.len < NACCB_HEADER_SIZE)
            abort();
        if (hextext_write_naccb(devnull, out.data, out.len, 0) != 0)
            abort();
    } else if (rc == TOOL_LINE_JSON) {
        if (memchr(jerr.text, '\0', sizeof(jerr.text)) == NULL)
            abort();
    } else if (err.field[sizeof(err.field) - 1] != '\0' ||
               err.msg[sizeof(err.msg) - 1] != '\0') {
        abort();
    }
    buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz in = {data, size};
    uint8_t mode = fz_u8(&in);
    struct tool_options opt = {0};
    const char *p = (const char *)in.p, *end = p + in.n;

    if (devnull == NULL)
        LLVMFuzzerInitialize(NULL, NULL);
    opt.cp = (enum naccb_codepage)(mode & 3);
    opt.max_size = (mode & 4) ? 4096 : NACCB_DEFAULT_MAX_SIZE;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        line(&opt, p, n);
        p += n;
    }
    return 0;
}
