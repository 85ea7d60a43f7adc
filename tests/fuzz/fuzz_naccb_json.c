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
 *
 * With bit 3 of byte 0 the rest is NACCB bytes instead, and the target
 * checks the tool's promise (docs/naccb-tool.md): the JSON line `naccb
 * decode` would write for the first NACCB (built with the same functions
 * as tools/naccb/decode.c: the header and its objects, or the header and
 * body_hex when its length does not match its objects), printed and read
 * back by encode's reader, gives exactly the same bytes.
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

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_naccb_json: %s\n", what);
        abort();
    }
}

/* decode -> JSON text -> encode gives back the bytes (see above). */
static void round_trip(const struct tool_options *opt, const uint8_t *p,
                       size_t n)
{
    struct naccb_message m;
    struct naccb_header h;
    struct buf out = {0};
    struct jf_error err = {{0}, {0}};
    json_error_t jerr;
    size_t eoff = 0;
    json_t *line;
    uint32_t total;
    char *text;

    if (n < NACCB_HEADER_SIZE)
        return;
    /* What the framer would cut: one NACCB of its stated length. */
    total = naccb_get_u32be(p);
    if (total < NACCB_HEADER_SIZE || total > n || total > opt->max_size)
        return;
    n = total;
    if (naccb_message_decode(p, n, opt->max_size, &m, &eoff) > 0) {
        enum obj_kind kind = jn_object_kind(&m.header);
        json_t *arr = json_array();
        line = jn_header_to_json(&m.header, 0, opt->cp);
        check(line != NULL && arr != NULL &&
                  json_object_set_new(line, "objects", arr) == 0,
              "out of memory");
        for (uint32_t i = 0; i < m.header.count; i++)
            check(json_array_append_new(
                      arr, jn_object_to_json(kind, naccb_message_object(&m, i),
                                             m.header.size,
                                             NACCB_HEADER_SIZE +
                                                 (uint64_t)i * m.header.size,
                                             opt->cp)) == 0,
                  "out of memory");
    } else {
        naccb_header_decode(p, n, &h);
        line = jn_header_to_json(&h, 0, opt->cp);
        check(line != NULL && jf_put_hex(line, "body", p + NACCB_HEADER_SIZE,
                                         n - NACCB_HEADER_SIZE) == 0,
              "out of memory");
    }
    text = json_dumps(line, 0);
    json_decref(line);
    check(text != NULL, "out of memory");
    if (tool_encode_line(opt, text, strlen(text), &out, &err, &jerr) != 0) {
        fprintf(stderr, "fuzz_naccb_json: %s\nfield %s: %s / %s\n", text,
                err.field, err.msg, jerr.text);
        abort();
    }
    if (out.len != n || memcmp(out.data, p, n) != 0) {
        fprintf(stderr, "fuzz_naccb_json: %s\n", text);
        check(0, "decode -> encode changed the bytes");
    }
    free(text);
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
    if (mode & 8) {
        round_trip(&opt, in.p, in.n);
        return 0;
    }
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        line(&opt, p, n);
        p += n;
    }
    return 0;
}
