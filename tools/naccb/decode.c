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
    /* After lost framing: the stream from the bad NACCB's first byte to
     * the end of input, kept to show its header and to find (and with
     * --resync, decode from) the next plausible NACCB header. */
    int lost;
    struct buf rest;
    uint64_t rest_base; /* stream offset of rest.data[0] */
    uint8_t first[256]; /* the input's first bytes: hex text given as binary? */
    size_t first_len;
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
        fprintf(stderr, " (%" PRIu32 ", see --max-naccb-size)",
                d->opt->max_size);
    fprintf(stderr, "; framing is lost\n");
    d->fatal = TOOL_EXIT_INVALID;
}

/* Appends input after lost framing to d->rest (n == -1: out of memory). */
static int keep_rest(struct decoder *d, const uint8_t *p, size_t n)
{
    if (n != (size_t)-1 && buf_append(&d->rest, p, n) == 0)
        return 0;
    fprintf(stderr, "naccb: out of memory\n");
    d->fatal = TOOL_EXIT_IO;
    return -1;
}

/* Feeds one chunk; returns -1 when decoding must stop (d->fatal set). */
static int feed(struct decoder *d, const uint8_t *chunk, size_t n)
{
    uint64_t base = d->fed;
    const uint8_t *p = chunk;
    size_t left = n;
    d->fed += n;
    /* Only the input's own start: not the bytes fed again by --resync. */
    if (base == d->first_len)
        for (size_t i = 0; i < n && d->first_len < sizeof d->first; i++)
            d->first[d->first_len++] = chunk[i];
    if (d->lost)
        return keep_rest(d, chunk, n);
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
        if (rc == NACCB_ENOMEM)
            return -1;
        /* The framer has taken the 4 bytes of the bad total length (kept
         * in d->head); the rest of the input is kept after them. */
        d->lost = 1;
        d->rest.len = 0;
        d->rest_base = d->start;
        if (buf_append(&d->rest, d->head, d->head_len) != 0)
            return keep_rest(d, NULL, (size_t)-1);
        uint64_t from = d->start + d->head_len;
        if (from < base)
            from = base;
        return keep_rest(d, chunk + (from - base), (size_t)(base + n - from));
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

/* ---- after lost framing ---- */

/* Could a NACCB start here?  Its 36 header bytes are in, its total length
 * is 36..max_size and is 36 + count * size, size is 0 exactly when count
 * is, and its key is one docs/protocol.md §7 names.  A random 36 bytes
 * pass all of this very rarely. */
static int plausible_header(const struct decoder *d, const uint8_t *p,
                            size_t n)
{
    struct naccb_header h;
    if (naccb_header_decode(p, n, &h) < 0)
        return 0;
    if (naccb_header_check_length(&h, d->opt->max_size, NULL) < 0)
        return 0;
    return naccb_key_name(naccb_header_key(&h), h.error_code) != NULL;
}

/* The bad NACCB's header as far as the input has it, on stderr: the person
 * sees what the broken length belongs to. */
static void show_lost_header(const struct decoder *d, const uint8_t *p,
                             size_t n)
{
    if (n < NACCB_HEADER_SIZE) {
        fprintf(stderr, "naccb: offset %" PRIu64 ": only %zu bytes of its "
                        "36-byte header arrived\n", d->rest_base, n);
        return;
    }
    struct naccb_header h;
    naccb_header_decode(p, n, &h);
    json_t *j = jn_header_to_json(&h, d->rest_base, d->opt->cp);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text)
        fprintf(stderr, "naccb: offset %" PRIu64 ": its header: %s\n",
                d->rest_base, text);
    free(text);
    json_decref(j);
}

/* Shows the NACCB that lost the framing and where the next plausible one
 * starts; with --resync decodes on from there, as often as it takes.
 * Returns -1 when decoding had to stop for good (out of memory). */
static int after_lost_framing(struct decoder *d)
{
    while (d->lost) {
        struct buf cur = d->rest;
        uint64_t base = d->rest_base;
        d->rest = (struct buf){0};
        show_lost_header(d, cur.data, cur.len);
        size_t at = 1;
        while (at < cur.len && !plausible_header(d, cur.data + at,
                                                 cur.len - at))
            at++;
        if (at >= cur.len) {
            fprintf(stderr, "naccb: offset %" PRIu64 ": no plausible NACCB "
                            "header in the %zu bytes after it; decoding stops\n",
                    base, cur.len);
            buf_free(&cur);
            return 0;
        }
        uint64_t next = base + at;
        if (!d->opt->resync) {
            fprintf(stderr, "naccb: offset %" PRIu64 ": the next plausible "
                            "NACCB header starts here (%zu bytes on); "
                            "decoding stops (--resync decodes on from it)\n",
                    next, at);
            buf_free(&cur);
            return 0;
        }
        fprintf(stderr, "naccb: offset %" PRIu64 ": resynchronised on the "
                        "next plausible NACCB header, %zu bytes skipped\n",
                next, at);
        naccb_framer_free(&d->fr);
        naccb_framer_init(&d->fr, d->opt->max_size);
        d->lost = 0;
        d->start = d->fed = next;
        d->head_len = 0;
        int rc = feed(d, cur.data + at, cur.len - at);
        buf_free(&cur);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The first bytes are annotated hex text (hex digits and blanks, '#'
 * comments to the end of a line) read as binary: its "total length" is then
 * ASCII (0x23204E41 = "# NA"), and the person needs --hex. */
static void hint_hex(const struct decoder *d)
{
    if (d->opt->hex || d->first_len < 4)
        return;
    int comment = 0, digits = 0;
    for (size_t i = 0; i < d->first_len; i++) {
        uint8_t c = d->first[i];
        if (c == '\n')
            comment = 0;
        else if (comment)
            continue;
        else if (c == '#')
            comment = 1;
        else if (hextext_digit(c) >= 0)
            digits++;
        else if (c != ' ' && c != '\t' && c != '\r')
            return;
    }
    if (digits < 2 && d->first[0] != '#')
        return;
    fprintf(stderr, "naccb: %s looks like hex text (hex digits, blanks, '#' "
                    "comments), not binary: decode it with --hex\n", d->name);
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
    } else if (rc == 0 && d.lost) {
        if (after_lost_framing(&d) == 0 && !d.lost)
            check_truncated(&d);
    } else if (rc == 0) {
        check_truncated(&d);
    }
    if (d.fatal == TOOL_EXIT_INVALID || (d.invalid && !d.fatal))
        hint_hex(&d);
    buf_free(&d.rest);
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
