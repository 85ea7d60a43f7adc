/*
 * record_line.c - journal records written straight as their JSON line.
 *
 * The records made for every received object ("info") are the server's
 * hot path: building a jansson tree, serializing it with json_dumps and
 * freeing it cost about half of the server's time under a flood.  These
 * records are written here instead, field by field, into one buffer the
 * server keeps and reuses, so that once it has grown to the longest record
 * a record costs no allocation at all.  The fields, their order and their
 * values are those the tree helpers of record.c give (docs/journal.md);
 * a consumer that wants the tree asks xdi_record_fields(), which parses the
 * line (output.h).  Records made elsewhere, a few per session, keep the
 * tree: jansson is the simpler tool where speed does not matter.
 *
 * One record is built at a time (the core is single-threaded and no
 * record is journalled while another is being built); the writer lives in
 * the server.  Strings are Latin-1 (the code pages decode to it) written
 * as UTF-8 with JSON's escapes; field names are the core's own constants
 * and are written as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Makes room for n more bytes and returns where they go; NULL when out of
 * memory, and then the record is marked lost and the rest of its fields
 * are no-ops.  The writers below fill the room without a check per byte. */
static char *reserve(struct xdi__line *l, size_t n)
{
    if (l->failed)
        return NULL;
    if (n > l->cap - l->len) {
        size_t cap = l->cap ? l->cap : 1024;
        while (cap - l->len < n) {
            if (cap > SIZE_MAX / 2) {
                l->failed = true;
                return NULL;
            }
            cap *= 2;
        }
        char *b = realloc(l->buf, cap);
        if (b == NULL) {
            l->failed = true;
            return NULL;
        }
        l->buf = b;
        l->cap = cap;
    }
    return l->buf + l->len;
}

static void put(struct xdi__line *l, const void *p, size_t n)
{
    char *to = reserve(l, n);

    if (to != NULL) {
        memcpy(to, p, n);
        l->len += n;
    }
}

static void put_c(struct xdi__line *l, char ch)
{
    put(l, &ch, 1);
}

/* ,"field": (the comma unless the field opens its object) */
static void put_key(struct xdi__line *l, const char *field)
{
    size_t n = strlen(field);
    char *p = reserve(l, n + 4);

    if (p == NULL)
        return;
    if (!l->first)
        *p++ = ',';
    l->first = false;
    *p++ = '"';
    memcpy(p, field, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    l->len = (size_t)(p - l->buf);
}

/*
 * A Latin-1 string's content as JSON: '"' and '\\' escaped, control
 * characters as \b \f \n \r \t or \u00XX, bytes above 0x7F as two-byte
 * UTF-8.  At most 6 output bytes per input byte.
 */
static void put_latin1_body(struct xdi__line *l, const uint8_t *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    char *p;

    if (len > (SIZE_MAX - l->len) / 6) {
        l->failed = true;
        return;
    }
    p = reserve(l, len * 6);
    if (p == NULL)
        return;
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = s[i];
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') {
            *p++ = (char)ch;
        } else if (ch >= 0x80) {
            *p++ = (char)(0xC0 | (ch >> 6));
            *p++ = (char)(0x80 | (ch & 0x3F));
        } else {
            *p++ = '\\';
            switch (ch) {
            case '"':
                *p++ = '"';
                break;
            case '\\':
                *p++ = '\\';
                break;
            case '\b':
                *p++ = 'b';
                break;
            case '\f':
                *p++ = 'f';
                break;
            case '\n':
                *p++ = 'n';
                break;
            case '\r':
                *p++ = 'r';
                break;
            case '\t':
                *p++ = 't';
                break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hex[ch >> 4];
                *p++ = hex[ch & 0x0F];
            }
        }
    }
    l->len = (size_t)(p - l->buf);
}

static void put_uint(struct xdi__line *l, unsigned long long v)
{
    char digits[24];
    size_t n = 0;

    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put(l, digits + sizeof digits - n, n);
}

void xdi__line_int(struct xdi__line *l, const char *field, long long v)
{
    if (l == NULL)
        return;
    put_key(l, field);
    if (v < 0) {
        put_c(l, '-');
        put_uint(l, 0ULL - (unsigned long long)v);
    } else {
        put_uint(l, (unsigned long long)v);
    }
}

void xdi__line_latin1(struct xdi__line *l, const char *field, const char *s,
                      size_t len)
{
    if (l == NULL)
        return;
    put_key(l, field);
    put_c(l, '"');
    put_latin1_body(l, (const uint8_t *)s, len);
    put_c(l, '"');
}

void xdi__line_str(struct xdi__line *l, const char *field, const char *s)
{
    if (l != NULL && s != NULL)
        xdi__line_latin1(l, field, s, strlen(s));
}

void xdi__line_ebcdic(struct xdi__line *l, const char *field,
                      const uint8_t *bytes, size_t len, bool trim)
{
    enum naccb_codepage cp;
    uint8_t chunk[256];

    if (l == NULL)
        return;
    cp = l->srv->fixtures->codepage;
    if (trim) {
        uint8_t blank = naccb_ebcdic_blank(cp);
        while (len > 0 && bytes[len - 1] == blank)
            len--;
    }
    put_key(l, field);
    put_c(l, '"');
    /* Decoded a chunk at a time: no buffer the size of the text. */
    for (size_t off = 0; off < len; off += sizeof chunk) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
        naccb_ebcdic_decode(cp, bytes + off, n, chunk);
        put_latin1_body(l, chunk, n);
    }
    put_c(l, '"');
}

void xdi__line_hex(struct xdi__line *l, const char *field,
                   const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    char *p;

    if (l == NULL)
        return;
    put_key(l, field);
    if (len > (SIZE_MAX - l->len) / 2 - 2) {
        l->failed = true;
        return;
    }
    p = reserve(l, len * 2 + 2);
    if (p == NULL)
        return;
    *p++ = '"';
    for (size_t i = 0; i < len; i++) {
        *p++ = digits[bytes[i] >> 4];
        *p++ = digits[bytes[i] & 0x0F];
    }
    *p++ = '"';
    l->len = (size_t)(p - l->buf);
}

void xdi__line_open(struct xdi__line *l, const char *field)
{
    if (l == NULL)
        return;
    put_key(l, field);
    put_c(l, '{');
    l->first = true;
}

void xdi__line_close(struct xdi__line *l)
{
    if (l == NULL)
        return;
    put_c(l, '}');
    l->first = false;
}

/* v as `digits` upper-case hex digits, zero-padded ("%08X"). */
static void line_hex_number(struct xdi__line *l, const char *field,
                            uint64_t v, int digits)
{
    static const char hex[] = "0123456789ABCDEF";
    char text[16];

    for (int i = 0; i < digits; i++)
        text[i] = hex[(v >> (4 * (digits - 1 - i))) & 0x0F];
    xdi__line_latin1(l, field, text, (size_t)digits);
}

void xdi__line_rx(struct xdi__line *l, const struct xdi__rx *rx,
                  bool header_only)
{
    size_t len = header_only ? NACCB_HEADER_SIZE : rx->len;

    if (l == NULL)
        return;
    xdi__line_int(l, "seq", (long long)rx->seq);
    line_hex_number(l, "key", naccb_header_key(&rx->h), 8);
    /* As xdi__rec_rx: at most max_raw bytes, never less than the header,
     * and what was cut said with the length and a hash. */
    if (rx->max_raw == 0 || len <= rx->max_raw) {
        xdi__line_hex(l, "naccb", rx->bytes, len);
        return;
    }
    len = rx->max_raw < NACCB_HEADER_SIZE ? NACCB_HEADER_SIZE : rx->max_raw;
    xdi__line_hex(l, "naccb", rx->bytes, len);
    xdi__line_int(l, "naccb_len", (long long)rx->len);
    line_hex_number(l, "naccb_fnv1a64", xdi__fnv1a64(rx->bytes, rx->len), 16);
}

struct xdi__line *xdi__line_begin(const struct xdi_conn *c, const char *event,
                                  const uint8_t *sysname)
{
    struct xdi_server *srv = c->srv;
    struct xdi__line *l = &srv->line;
    char ts[32];

    /* No record callback: nothing is built at all (as xdi__journal drops
     * a tree it cannot hand to anyone). */
    if (srv->ops.record == NULL)
        return NULL;
    l->srv = srv;
    l->len = 0;
    l->failed = false;
    l->first = false;
    xdi__now(srv, &l->now);
    l->jseq = ++srv->next_jseq;
    xdi__iso_timestamp(srv, &l->now, ts);
    put(l, "{\"ts\":\"", 7);
    put(l, ts, strlen(ts));
    put_c(l, '"');
    xdi__line_int(l, "jseq", (long long)l->jseq);
    xdi__line_str(l, "event", event);
    xdi__line_int(l, "conn", (long long)c->id);
    xdi__line_str(l, "peer", c->peer);
    xdi__line_int(l, "agent_id", c->had_session ? (long long)c->agent_id : 0);
    if (c->had_session)
        xdi__line_str(l, "system", c->had_system);
    else if (sysname != NULL)
        xdi__line_ebcdic(l, "system", sysname, NACCB_NAME_SIZE, true);
    else
        xdi__line_str(l, "system", "");
    return l;
}

void xdi__line_end(struct xdi__line *l)
{
    if (l == NULL)
        return;
    put_c(l, '}');
    put_c(l, '\0'); /* NUL-terminated, as struct xdi_record says */
    xdi__emit(l->srv, l->failed ? NULL : l->buf, l->failed ? 0 : l->len - 1,
              NULL, &l->now, l->jseq);
}

void xdi__line_free(struct xdi__line *l)
{
    free(l->buf);
    l->buf = NULL;
    l->len = l->cap = 0;
}
