/*
 * decode.c - `naccb decode`: a NACCB stream (binary or annotated hex) to
 * one JSON object per line per NACCB.
 *
 * The input goes through the libnaccb framer exactly as a socket's bytes
 * would (in --chunk pieces, or one hex line at a time), so the tool also
 * shows what a server would make of a capture: lost framing stops it
 * (docs/protocol.md §11), a NACCB whose length fields disagree or whose
 * objects break a rule is still printed, with an "errors" array.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct decoder {
    const struct tool_options *opt;
    const char *name;   /* input name for messages */
    struct naccb_framer fr;
    uint64_t fed;       /* stream bytes given to the framer */
    uint64_t start;     /* stream offset of the NACCB being assembled */
    uint8_t head[4];    /* its first bytes: the total length, for messages */
    size_t head_len;
    int invalid;        /* an invalid NACCB was printed */
    int fatal;          /* exit code when decoding had to stop, else 0 */
};

static int print_naccb(struct decoder *d, const uint8_t *msg, size_t len,
                       uint64_t offset)
{
    struct jd_ctx jd = {.prog = "naccb", .cp = d->opt->cp,
                        .max_size = d->opt->max_size};
    json_t *line = jd_naccb_json(&jd, msg, len, offset);
    int rc = line ? 0 : -1;
    if (jd.invalid)
        d->invalid = 1;
    if (rc == 0 && (json_dumpf(line, stdout, 0) != 0 || putchar('\n') == EOF))
        rc = -1;
    json_decref(line);
    if (rc != 0) {
        fprintf(stderr, "naccb: cannot write the JSON of the NACCB at offset "
                        "%" PRIu64 " (out of memory or output error)\n", offset);
        d->fatal = TOOL_EXIT_IO;
    }
    return rc;
}

/* ---- the stream ---- */

/* Keeps the first 4 bytes of the NACCB being assembled, which may arrive
 * over several chunks, so that a truncation or a bad length can be shown
 * with its value.  The framer keeps them too, but privately. */
static void track_head(struct decoder *d, const uint8_t *chunk, size_t n,
                       uint64_t base)
{
    for (uint64_t a = d->start + d->head_len;
         d->head_len < sizeof d->head && a >= base && a < base + n; a++)
        d->head[d->head_len++] = chunk[a - base];
}

static uint32_t head_value(const struct decoder *d)
{
    return naccb_get_u32be(d->head);
}

static void lost_framing(struct decoder *d, int rc)
{
    if (rc == NACCB_ENOMEM) {
        fprintf(stderr, "naccb: offset %" PRIu64 ": %s: %s\n",
                d->fr.error_offset, naccb_err_name(rc), naccb_strerror(rc));
        d->fatal = TOOL_EXIT_IO;
        return;
    }
    fprintf(stderr, "naccb: offset %" PRIu64 ": header field total_length",
            d->fr.error_offset);
    if (d->head_len == sizeof d->head)
        fprintf(stderr, " = %" PRIu32, head_value(d));
    fprintf(stderr, ": %s: %s", naccb_err_name(rc), naccb_strerror(rc));
    if (rc == NACCB_ELENGTH_MAX)
        fprintf(stderr, " (%" PRIu32 ", see --max-size)", d->opt->max_size);
    fprintf(stderr, "; framing is lost, decoding stops\n");
    d->fatal = TOOL_EXIT_INVALID;
}

/* Feeds one chunk; returns -1 when decoding must stop (d->fatal set). */
static int feed(struct decoder *d, const uint8_t *chunk, size_t n)
{
    uint64_t base = d->fed;
    const uint8_t *p = chunk;
    size_t left = n;
    d->fed += n;
    for (;;) {
        const uint8_t *msg = NULL;
        size_t len = 0;
        int rc = naccb_framer_next(&d->fr, &p, &left, &msg, &len);
        if (rc == 1) {
            uint64_t at = d->start;
            d->start += len;
            d->head_len = 0;
            if (print_naccb(d, msg, len, at) != 0)
                return -1;
            continue;
        }
        track_head(d, chunk, n, base);
        if (rc == NACCB_EINCOMPLETE)
            return 0;
        lost_framing(d, rc);
        return -1;
    }
}

/* End of input inside a NACCB: say where it began and what is missing. */
static void check_truncated(struct decoder *d)
{
    size_t got = naccb_framer_pending(&d->fr);
    if (got == 0)
        return;
    if (d->head_len == sizeof d->head && head_value(d) > got)
        fprintf(stderr,
                "naccb: offset %" PRIu64 ": truncated NACCB at end of input: "
                "total length %" PRIu32 ", got %zu bytes, %" PRIu64
                " bytes missing\n",
                d->start, head_value(d), got, (uint64_t)head_value(d) - got);
    else
        fprintf(stderr,
                "naccb: offset %" PRIu64 ": truncated NACCB at end of input: "
                "got %zu bytes, the 4-byte total length is incomplete (at "
                "least %zu bytes missing)\n",
                d->start, got, (size_t)NACCB_HEADER_SIZE - got);
    d->fatal = TOOL_EXIT_INVALID;
}

static int read_binary(struct decoder *d, FILE *in)
{
    uint8_t *chunk = malloc(d->opt->chunk);
    if (chunk == NULL) {
        fprintf(stderr, "naccb: out of memory\n");
        d->fatal = TOOL_EXIT_IO;
        return -1;
    }
    size_t n;
    int rc = 0;
    while (rc == 0 && (n = fread(chunk, 1, d->opt->chunk, in)) > 0)
        rc = feed(d, chunk, n);
    free(chunk);
    return rc;
}

/* Annotated hex: each line's bytes are one chunk, so a golden file with a
 * field per line also exercises the framer's reassembly. */
static int read_hex(struct decoder *d, FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = 0;
    struct buf bytes = {0};
    while (rc == 0 && (n = getline(&line, &cap, in)) >= 0) {
        size_t col = 0;
        const char *why = NULL;
        lineno++;
        bytes.len = 0;
        if (hextext_line(line, (size_t)n, &bytes, &col, &why) != 0) {
            unsigned char ch = (unsigned char)line[col - 1];
            fprintf(stderr, "naccb: %s line %lu, column %zu: '%c': %s\n",
                    d->name, lineno, col, ch >= 0x20 && ch < 0x7F ? ch : '?',
                    why);
            d->fatal = TOOL_EXIT_INVALID;
            rc = -1;
        } else {
            rc = feed(d, bytes.data, bytes.len);
        }
    }
    free(line);
    buf_free(&bytes);
    return rc;
}

int cmd_decode(const struct tool_options *opt)
{
    FILE *in = tool_open_input(opt->file);
    if (in == NULL)
        return TOOL_EXIT_IO;
    struct decoder d = {.opt = opt, .name = tool_input_name(opt->file)};
    naccb_framer_init(&d.fr, opt->max_size);
    int rc = opt->hex ? read_hex(&d, in) : read_binary(&d, in);
    if (rc == 0 && ferror(in)) {
        fprintf(stderr, "naccb: %s: read error\n", d.name);
        d.fatal = TOOL_EXIT_IO;
    } else if (rc == 0) {
        check_truncated(&d);
    }
    naccb_framer_free(&d.fr);
    if (in != stdin)
        fclose(in);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "naccb: cannot write the output\n");
        return TOOL_EXIT_IO;
    }
    if (d.fatal)
        return d.fatal;
    return d.invalid ? TOOL_EXIT_INVALID : TOOL_EXIT_OK;
}
