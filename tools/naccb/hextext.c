/*
 * hextext.c - the annotated hex text format of the golden streams and of
 * `--hex`: pairs of hex digits, blanks between them anywhere, and '#'
 * comments to the end of the line (docs/naccb-tool.md, "Hex text").
 */
#include <ctype.h>
#include <inttypes.h>

#include "tool.h"

int hextext_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A run of hex digits must have an even length: "0 1" is not 0x01, since a
 * byte split over two tokens is almost surely a typo in a golden file. */
static int hex_token(const char *s, size_t n, struct buf *out, size_t *bad,
                     const char **why)
{
    if (n % 2 != 0) {
        *bad = n - 1;
        *why = "odd number of hex digits (a byte is two digits)";
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        uint8_t b = (uint8_t)(hextext_digit((unsigned char)s[i]) << 4 |
                              hextext_digit((unsigned char)s[i + 1]));
        if (buf_append(out, &b, 1) != 0) {
            *bad = i;
            *why = "out of memory";
            return -1;
        }
    }
    return 0;
}

int hextext_line(const char *line, size_t len, struct buf *out, size_t *col,
                 const char **why)
{
    size_t i = 0;
    while (i < len && line[i] != '#') {
        unsigned char c = (unsigned char)line[i];
        if (isspace(c)) {
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && hextext_digit((unsigned char)line[i]) >= 0)
            i++;
        if (i < len && line[i] != '#' && !isspace((unsigned char)line[i])) {
            *col = i + 1;
            *why = "not a hex digit, blank or '#' comment";
            return -1;
        }
        size_t bad = 0;
        if (hex_token(line + start, i - start, out, &bad, why) != 0) {
            *col = start + bad + 1;
            return -1;
        }
    }
    return 0;
}

static int write_hex(FILE *fp, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fprintf(fp, "%02X", p[i]) < 0)
            return -1;
    return 0;
}

/* The header on one line, split at its field boundaries (docs/protocol.md
 * §3), so the reader can see each field. */
static int write_header(FILE *fp, const uint8_t *h)
{
    static const size_t widths[] = {4, 4, 8, 2, 1, 1, 1, 1, 1, 1, 4, 4, 4};
    size_t off = 0;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        if ((i > 0 && fputc(' ', fp) == EOF) ||
            write_hex(fp, h + off, widths[i]) != 0)
            return -1;
        off += widths[i];
    }
    return fputc('\n', fp) == EOF ? -1 : 0;
}

static int write_block(FILE *fp, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 16) {
        size_t k = n - i < 16 ? n - i : 16;
        for (size_t j = 0; j < k; j += 4) {
            size_t w = k - j < 4 ? k - j : 4;
            if ((j > 0 && fputc(' ', fp) == EOF) ||
                write_hex(fp, p + i + j, w) != 0)
                return -1;
        }
        if (fputc('\n', fp) == EOF)
            return -1;
    }
    return 0;
}

int hextext_write_naccb(FILE *fp, const uint8_t *msg, size_t len,
                        uint64_t offset)
{
    struct naccb_header h;
    if (naccb_header_decode(msg, len, &h) != NACCB_HEADER_SIZE)
        return write_block(fp, msg, len);
    const char *name = naccb_key_name(naccb_header_key(&h), h.error_code);
    if (fprintf(fp, "# NACCB at offset %" PRIu64 ": key %08" PRIX32 " %s\n",
                offset, naccb_header_key(&h), name ? name : "(no name)") < 0 ||
        write_header(fp, msg) != 0)
        return -1;
    const uint8_t *body = msg + NACCB_HEADER_SIZE;
    size_t body_len = len - NACCB_HEADER_SIZE;
    if (h.count == 0 || naccb_message_length(h.count, h.size) != len)
        return body_len ? write_block(fp, body, body_len) : 0;
    for (uint32_t i = 0; i < h.count; i++) {
        uint64_t at = offset + NACCB_HEADER_SIZE + (uint64_t)i * h.size;
        if (fprintf(fp, "# object %" PRIu32 " at offset %" PRIu64 "\n", i,
                    at) < 0 ||
            write_block(fp, body + (size_t)i * h.size, h.size) != 0)
            return -1;
    }
    return 0;
}
