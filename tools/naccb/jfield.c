/*
 * jfield.c - one wire field <-> one JSON member, both ways.
 *
 * The rule that makes `naccb decode | naccb encode` the identity: decode
 * writes a field's readable form (text, ISO date, HH:MM:SS, notes letters)
 * only after checking that encoding that form gives back exactly the
 * field's bytes; otherwise it writes the member NAME_hex with the raw bytes
 * instead (docs/naccb-tool.md, "Raw hex fallbacks").  Encode takes either.
 * All packed-decimal and code-page work is libnaccb's.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Longest fixed character field: the EVBLOK's additional text. */
#define FIXED_MAX NACCB_ADDTEXT_SIZE

void jf_fail(struct jf_error *err, const char *prefix, const char *name,
             const char *fmt, ...)
{
    if (prefix && *prefix)
        snprintf(err->field, sizeof err->field, "%s.%s", prefix, name);
    else
        snprintf(err->field, sizeof err->field, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* ---- strings: Latin-1 on the host side, UTF-8 in JSON ---- */

json_t *jf_latin1_string(const char *s, size_t len)
{
    char *u = malloc(2 * len + 1);
    if (u == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            u[n++] = (char)c;
        } else {
            u[n++] = (char)(0xC0 | c >> 6);
            u[n++] = (char)(0x80 | (c & 0x3F));
        }
    }
    json_t *j = json_stringn(u, n);
    free(u);
    return j;
}

/* UTF-8 (valid: jansson checked it) to Latin-1 in place; -1 with *cp the
 * first code point above U+00FF. */
static int utf8_to_latin1(char *s, size_t *len, unsigned long *cp)
{
    size_t n = 0;
    for (size_t i = 0; i < *len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            s[n++] = (char)c;
            i++;
        } else if ((c == 0xC2 || c == 0xC3) && i + 1 < *len) {
            s[n++] = (char)((c & 0x03) << 6 | ((unsigned char)s[i + 1] & 0x3F));
            i += 2;
        } else {
            unsigned long v = c >= 0xF0 ? c & 0x07u : c >= 0xE0 ? c & 0x0Fu : c & 0x1Fu;
            size_t k = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            for (size_t j = 1; j <= k && i + j < *len; j++)
                v = v << 6 | ((unsigned char)s[i + j] & 0x3Fu);
            *cp = v;
            return -1;
        }
    }
    *len = n;
    return 0;
}

json_t *jf_hex_string(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789ABCDEF";
    char *s = malloc(2 * n + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = digits[p[i] >> 4];
        s[2 * i + 1] = digits[p[i] & 0x0F];
    }
    json_t *j = json_stringn(s, 2 * n);
    free(s);
    return j;
}

/* A character a person can read: no C0/C1 controls, no DEL.  A field
 * holding anything else (0x00 padding!) is shown as hex. */
static int printable(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || (c >= 0x7F && c < 0xA0))
            return 0;
    }
    return 1;
}

/* ---- decode side ---- */

static int set(json_t *o, const char *name, json_t *v)
{
    return v == NULL ? -1 : json_object_set_new(o, name, v);
}

static int set_hex(json_t *o, const char *name, const uint8_t *p, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "%s_hex", name);
    return set(o, key, jf_hex_string(p, n));
}

int jf_put_hex(json_t *o, const char *name, const uint8_t *p, size_t n)
{
    return set_hex(o, name, p, n);
}

int jf_put_uint(json_t *o, const char *name, uint64_t v)
{
    return set(o, name, json_integer((json_int_t)v));
}

int jf_put_str(json_t *o, const char *name, const char *s)
{
    return set(o, name, s ? json_string(s) : json_null());
}

int jf_put_fixed_text(json_t *o, const char *name, enum naccb_codepage cp,
                      const uint8_t *field, size_t width)
{
    char text[FIXED_MAX + 1];
    uint8_t back[FIXED_MAX];
    if (width > FIXED_MAX)
        return set_hex(o, name, field, width);
    size_t len = naccb_field_get(cp, field, width, text);
    if (printable(text, len) &&
        naccb_field_put(cp, back, width, text, len) == 0 &&
        memcmp(back, field, width) == 0)
        return set(o, name, jf_latin1_string(text, len));
    return set_hex(o, name, field, width);
}

int jf_put_text(json_t *o, const char *name, enum naccb_codepage cp,
                const uint8_t *p, size_t n)
{
    uint8_t *text = malloc(n ? n : 1);
    uint8_t *back = malloc(n ? n : 1);
    int rc = -1;
    if (text && back) {
        naccb_ebcdic_decode(cp, p, n, text);
        naccb_ebcdic_encode(cp, text, n, back);
        if (printable((const char *)text, n) && memcmp(back, p, n) == 0)
            rc = set(o, name, jf_latin1_string((const char *)text, n));
        else
            rc = set_hex(o, name, p, n);
    }
    free(text);
    free(back);
    return rc;
}

static int put_packed_hex(json_t *o, const char *name, uint32_t packed)
{
    uint8_t b[4];

    naccb_put_u32be(b, packed);
    return set_hex(o, name, b, 4);
}

static int put_iso_date(json_t *o, const char *name, const struct naccb_date *d)
{
    char s[16];
    snprintf(s, sizeof s, "%04d-%02d-%02d", d->year, d->month, d->day);
    return set(o, name, json_string(s));
}

int jf_put_julian(json_t *o, const char *name, uint32_t packed)
{
    int year = 0, yday = 0, back = 0;
    struct naccb_date d;
    if (naccb_julian_decode(packed, &year, &yday) == 0 &&
        naccb_julian_to_date(year, yday, &d) == 0 &&
        naccb_date_to_julian(&d, &back) == 0 &&
        naccb_julian_encode(d.year, back) == packed)
        return put_iso_date(o, name, &d);
    return put_packed_hex(o, name, packed);
}

int jf_put_date(json_t *o, const char *name, uint32_t packed)
{
    struct naccb_date d;
    if (naccb_date_decode(packed, &d) == 0 && naccb_date_encode(&d) == packed)
        return put_iso_date(o, name, &d);
    return put_packed_hex(o, name, packed);
}

int jf_put_time(json_t *o, const char *name, uint32_t packed)
{
    struct naccb_time t;
    if (naccb_time_decode(packed, &t) == 0 && naccb_time_encode(&t) == packed) {
        char s[16];
        snprintf(s, sizeof s, "%02d:%02d:%02d", t.hour, t.minute, t.second);
        return set(o, name, json_string(s));
    }
    return put_packed_hex(o, name, packed);
}

/* Notes letters are EBCDIC in every code page (docs/protocol.md §9),
 * so they have their own fixed table, independent of --codepage. */
static const struct {
    uint8_t ebcdic;
    char letter;
} note_letters[] = {
    {NACCB_NOTE_J, 'J'}, {NACCB_NOTE_S, 'S'}, {NACCB_NOTE_I, 'I'},
    {NACCB_NOTE_N, 'N'}, {NACCB_NOTE_A, 'A'}, {NACCB_NOTE_C, 'C'},
    {NACCB_NOTE_L, 'L'}, {NACCB_NOTE_R, 'R'}, {NACCB_NOTE_BLANK, ' '},
};
#define N_NOTE_LETTERS (sizeof note_letters / sizeof note_letters[0])

static char note_letter(uint8_t b)
{
    for (size_t i = 0; i < N_NOTE_LETTERS; i++)
        if (note_letters[i].ebcdic == b)
            return note_letters[i].letter;
    return 0;
}

static int note_byte(char letter, uint8_t *b)
{
    for (size_t i = 0; i < N_NOTE_LETTERS; i++)
        if (note_letters[i].letter == letter) {
            *b = note_letters[i].ebcdic;
            return 0;
        }
    return -1;
}

int jf_put_notes(json_t *o, const char *name, const uint8_t notes[4])
{
    char s[5] = {0};
    for (size_t i = 0; i < 4; i++) {
        s[i] = note_letter(notes[i]);
        if (s[i] == 0)
            return set_hex(o, name, notes, 4);
    }
    return set(o, name, json_string(s));
}

/* ---- encode side ---- */

/* Finds `name` or `name`_hex (exactly one must be present unless
 * optional).  Returns 1 when found (*is_hex says which), 0 when optional
 * and absent, -1 on error. */
static int member(const struct jf_ctx *c, json_t *o, const char *name,
                  int optional, json_t **v, int *is_hex)
{
    char key[64];
    snprintf(key, sizeof key, "%s_hex", name);
    json_t *text = json_object_get(o, name);
    json_t *hex = json_object_get(o, key);
    if (text && hex) {
        jf_fail(c->err, c->prefix, name, "give %s or %s, not both", name, key);
        return -1;
    }
    if (!text && !hex) {
        if (optional)
            return 0;
        jf_fail(c->err, c->prefix, name, "missing (give %s or %s)", name, key);
        return -1;
    }
    *is_hex = hex != NULL;
    *v = hex ? hex : text;
    if (!json_is_string(*v)) {
        jf_fail(c->err, c->prefix, *is_hex ? key : name, "must be a string");
        return -1;
    }
    return 1;
}

/* Hex digits of a JSON string into out; `want` bytes exactly unless 0. */
static int parse_hex(const struct jf_ctx *c, const char *name, json_t *v,
                     size_t want, struct buf *out)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    char key[64];
    snprintf(key, sizeof key, "%s_hex", name);
    if (n % 2 != 0 || (want && n != 2 * want)) {
        if (want)
            jf_fail(c->err, c->prefix, key,
                    "needs exactly %zu hex digits (%zu bytes), got %zu",
                    2 * want, want, n);
        else
            jf_fail(c->err, c->prefix, key, "odd number of hex digits (%zu)", n);
        return -1;
    }
    for (size_t i = 0; i < n; i += 2) {
        int hi = hextext_digit(s[i]), lo = hextext_digit(s[i + 1]);
        if (hi < 0 || lo < 0) {
            jf_fail(c->err, c->prefix, key, "character %zu is not a hex digit",
                    i + (hi < 0 ? 1 : 2));
            return -1;
        }
        uint8_t b = (uint8_t)(hi << 4 | lo);
        if (buf_append(out, &b, 1) != 0) {
            jf_fail(c->err, c->prefix, key, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* A JSON string as Latin-1 bytes (allocated, caller frees). */
static char *latin1_of(const struct jf_ctx *c, const char *name, json_t *v,
                       size_t *len)
{
    *len = json_string_length(v);
    char *s = malloc(*len + 1);
    if (s == NULL) {
        jf_fail(c->err, c->prefix, name, "out of memory");
        return NULL;
    }
    memcpy(s, json_string_value(v), *len);
    unsigned long cp = 0;
    if (utf8_to_latin1(s, len, &cp) != 0) {
        jf_fail(c->err, c->prefix, name,
                "character U+%04lX is not in Latin-1 (ISO-8859-1)", cp);
        free(s);
        return NULL;
    }
    return s;
}

int jf_get_fixed_text(const struct jf_ctx *c, json_t *o, const char *name,
                      uint8_t *field, size_t width)
{
    json_t *v = NULL;
    int is_hex = 0;
    if (member(c, o, name, 0, &v, &is_hex) < 0)
        return -1;
    if (is_hex) {
        struct buf b = {0};
        int rc = parse_hex(c, name, v, width, &b);
        if (rc == 0)
            memcpy(field, b.data, width);
        buf_free(&b);
        return rc;
    }
    size_t len = 0;
    char *s = latin1_of(c, name, v, &len);
    if (s == NULL)
        return -1;
    int rc = naccb_field_put(c->cp, field, width, s, len);
    free(s);
    if (rc != 0) {
        jf_fail(c->err, c->prefix, name,
                "text of %zu characters does not fit the %zu-byte field", len,
                width);
        return -1;
    }
    return 0;
}

int jf_get_text(const struct jf_ctx *c, json_t *o, const char *name,
                struct buf *out)
{
    json_t *v = NULL;
    int is_hex = 0;
    if (member(c, o, name, 0, &v, &is_hex) < 0)
        return -1;
    if (is_hex)
        return parse_hex(c, name, v, 0, out);
    size_t len = 0;
    char *s = latin1_of(c, name, v, &len);
    if (s == NULL)
        return -1;
    naccb_ebcdic_encode(c->cp, (const uint8_t *)s, len, (uint8_t *)s);
    int rc = buf_append(out, s, len);
    free(s);
    if (rc != 0)
        jf_fail(c->err, c->prefix, name, "out of memory");
    return rc;
}

/* Blob fields exist only as NAME_hex. */
static json_t *hex_only(const struct jf_ctx *c, json_t *o, const char *name,
                        int optional, int *rc)
{
    char key[64];
    snprintf(key, sizeof key, "%s_hex", name);
    json_t *v = json_object_get(o, key);
    *rc = 0;
    if (v == NULL && !optional) {
        jf_fail(c->err, c->prefix, key, "missing");
        *rc = -1;
    } else if (v && !json_is_string(v)) {
        jf_fail(c->err, c->prefix, key, "must be a string of hex digits");
        *rc = -1;
    }
    return v;
}

int jf_get_hex(const struct jf_ctx *c, json_t *o, const char *name,
               uint8_t *field, size_t width, int optional)
{
    int rc = 0;
    json_t *v = hex_only(c, o, name, optional, &rc);
    if (rc != 0)
        return rc;
    if (v == NULL) {
        memset(field, 0, width);
        return 0;
    }
    struct buf b = {0};
    rc = parse_hex(c, name, v, width, &b);
    if (rc == 0)
        memcpy(field, b.data, width);
    buf_free(&b);
    return rc;
}

int jf_get_hex_any(const struct jf_ctx *c, json_t *o, const char *name,
                   struct buf *out)
{
    int rc = 0;
    json_t *v = hex_only(c, o, name, 0, &rc);
    return rc != 0 ? rc : parse_hex(c, name, v, 0, out);
}

/* Reads a 4-byte packed field given as NAME_hex. */
static int packed_hex(const struct jf_ctx *c, const char *name, json_t *v,
                      uint32_t *packed)
{
    struct buf b = {0};
    int rc = parse_hex(c, name, v, 4, &b);
    if (rc == 0)
        *packed = naccb_get_u32be(b.data);
    buf_free(&b);
    return rc;
}

/* "YYYY-MM-DD", digits only; the ranges are the codec's to check. */
static int parse_iso_date(const char *s, size_t n, struct naccb_date *d)
{
    int v[8];
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (size_t i = 0, k = 0; i < 10; i++) {
        if (i == 4 || i == 7)
            continue;
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v[k++] = s[i] - '0';
    }
    d->year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    d->month = v[4] * 10 + v[5];
    d->day = v[6] * 10 + v[7];
    return 0;
}

static int get_date_text(const struct jf_ctx *c, const char *name, json_t *v,
                         struct naccb_date *d, int *yday)
{
    const char *s = json_string_value(v);
    if (parse_iso_date(s, json_string_length(v), d) != 0) {
        jf_fail(c->err, c->prefix, name,
                "\"%s\" is not a date of the form YYYY-MM-DD", s);
        return -1;
    }
    int rc = naccb_date_to_julian(d, yday);
    if (rc != 0) {
        jf_fail(c->err, c->prefix, name, "\"%s\": %s: %s", s,
                naccb_err_name(rc), naccb_strerror(rc));
        return -1;
    }
    return 0;
}

/* A date member, readable ("2026-11-21") or raw hex, packed as a Julian
 * date 0YYYYDDD (julian) or a calendar date YYYYMMDD. */
static int get_packed_date(const struct jf_ctx *c, json_t *o,
                           const char *name, int julian, uint32_t *packed)
{
    json_t *v = NULL;
    int is_hex = 0;
    if (member(c, o, name, 0, &v, &is_hex) < 0)
        return -1;
    if (is_hex)
        return packed_hex(c, name, v, packed);
    struct naccb_date d;
    int yday = 0;
    if (get_date_text(c, name, v, &d, &yday) != 0)
        return -1;
    *packed = julian ? naccb_julian_encode(d.year, yday) : naccb_date_encode(&d);
    return 0;
}

int jf_get_julian(const struct jf_ctx *c, json_t *o, const char *name,
                  uint32_t *packed)
{
    return get_packed_date(c, o, name, 1, packed);
}

int jf_get_date(const struct jf_ctx *c, json_t *o, const char *name,
                uint32_t *packed)
{
    return get_packed_date(c, o, name, 0, packed);
}

int jf_get_time(const struct jf_ctx *c, json_t *o, const char *name,
                uint32_t *packed)
{
    json_t *v = NULL;
    int is_hex = 0;
    if (member(c, o, name, 0, &v, &is_hex) < 0)
        return -1;
    if (is_hex)
        return packed_hex(c, name, v, packed);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    int ok = n == 8 && s[2] == ':' && s[5] == ':';
    for (size_t i = 0; ok && i < 8; i++)
        ok = i == 2 || i == 5 || (s[i] >= '0' && s[i] <= '9');
    if (!ok) {
        jf_fail(c->err, c->prefix, name,
                "\"%s\" is not a time of the form HH:MM:SS", s);
        return -1;
    }
    struct naccb_time t = {(s[0] - '0') * 10 + (s[1] - '0'),
                           (s[3] - '0') * 10 + (s[4] - '0'),
                           (s[6] - '0') * 10 + (s[7] - '0')};
    /* Encode, then let the codec's decoder judge the ranges. */
    struct naccb_time check;
    *packed = naccb_time_encode(&t);
    int rc = naccb_time_decode(*packed, &check);
    if (rc != 0) {
        jf_fail(c->err, c->prefix, name, "\"%s\": %s: %s", s,
                naccb_err_name(rc), naccb_strerror(rc));
        return -1;
    }
    return 0;
}

int jf_get_notes(const struct jf_ctx *c, json_t *o, const char *name,
                 uint8_t notes[4])
{
    json_t *v = NULL;
    int is_hex = 0;
    if (member(c, o, name, 0, &v, &is_hex) < 0)
        return -1;
    if (is_hex) {
        struct buf b = {0};
        int rc = parse_hex(c, name, v, 4, &b);
        if (rc == 0)
            memcpy(notes, b.data, 4);
        buf_free(&b);
        return rc;
    }
    const char *s = json_string_value(v);
    if (json_string_length(v) != 4) {
        jf_fail(c->err, c->prefix, name,
                "\"%s\" is not 4 letters (J S I N A C L R or blank)", s);
        return -1;
    }
    for (size_t i = 0; i < 4; i++)
        if (note_byte(s[i], &notes[i]) != 0) {
            jf_fail(c->err, c->prefix, name,
                    "letter %zu of \"%s\" is not one of J S I N A C L R or "
                    "blank (use %s_hex for other bytes)", i, s, name);
            return -1;
        }
    return 0;
}

int jf_get_uint(const struct jf_ctx *c, json_t *o, const char *name,
                uint64_t max, int optional, uint64_t *v)
{
    json_t *j = json_object_get(o, name);
    if (j == NULL) {
        if (optional)
            return 1;
        jf_fail(c->err, c->prefix, name, "missing");
        return -1;
    }
    if (!json_is_integer(j) || json_integer_value(j) < 0 ||
        (uint64_t)json_integer_value(j) > max) {
        jf_fail(c->err, c->prefix, name, "must be an integer 0..%llu",
                (unsigned long long)max);
        return -1;
    }
    *v = (uint64_t)json_integer_value(j);
    return 0;
}

/* A list entry "sdate+hex" accepts "sdate" and "sdate_hex"; any other
 * entry accepts exactly its own name. */
static int known_member(const char *m, const char *const *known)
{
    size_t n = strlen(m);
    for (size_t i = 0; known[i]; i++) {
        const char *k = known[i];
        size_t kn = strlen(k);
        if (kn > 4 && strcmp(k + kn - 4, "+hex") == 0) {
            kn -= 4;
            if (strncmp(m, k, kn) == 0 &&
                (n == kn || (n == kn + 4 && strcmp(m + kn, "_hex") == 0)))
                return 1;
        } else if (strcmp(m, k) == 0) {
            return 1;
        }
    }
    return 0;
}

int jf_check_members(const struct jf_ctx *c, json_t *o,
                     const char *const *known)
{
    const char *m;
    json_t *v;
    json_object_foreach(o, m, v)
    {
        (void)v;
        if (!known_member(m, known)) {
            jf_fail(c->err, c->prefix, m, "unknown member");
            return -1;
        }
    }
    return 0;
}
