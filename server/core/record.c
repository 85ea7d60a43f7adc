/*
 * record.c - the fields every journal record shares, and the conversions
 * records need (hex dumps of NACCBs, EBCDIC and Latin-1 text to the UTF-8
 * that JSON requires), and the one line each record becomes.  The record
 * types and their fields are listed in docs/journal.md.  Where the line
 * goes is the application's business (output.h: the record callback); the
 * core only builds it.
 *
 * A journal failure never changes what the server does on the wire: every
 * helper here takes a NULL record (out of memory) as a no-op.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Latin-1 bytes to UTF-8: one byte below 0x80, two above.  The result is
 * NUL-terminated and *out_len long; NULL when out of memory. */
static char *latin1_to_utf8(const char *s, size_t len, size_t *out_len)
{
    char *out;
    size_t n = 0;

    if (len > (SIZE_MAX - 1) / 2)
        return NULL;
    out = malloc(len * 2 + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x80) {
            out[n++] = (char)ch;
        } else {
            out[n++] = (char)(0xC0 | (ch >> 6));
            out[n++] = (char)(0x80 | (ch & 0x3F));
        }
    }
    out[n] = '\0';
    *out_len = n;
    return out;
}

void xdi__rec_latin1(json_t *rec, const char *field, const char *s,
                     size_t len)
{
    size_t n = 0;
    char *utf8;

    if (rec == NULL)
        return;
    utf8 = latin1_to_utf8(s, len, &n);
    if (utf8 != NULL)
        json_object_set_new(rec, field, json_stringn(utf8, n));
    free(utf8);
}

void xdi__rec_ebcdic(json_t *rec, const struct xdi_server *srv,
                     const char *field, const uint8_t *bytes, size_t len,
                     bool trim)
{
    enum naccb_codepage cp = srv->fixtures->codepage;
    uint8_t blank = naccb_ebcdic_blank(cp);
    char *latin1;

    if (rec == NULL)
        return;
    if (trim)
        while (len > 0 && bytes[len - 1] == blank)
            len--;
    latin1 = malloc(len + 1);
    if (latin1 == NULL)
        return;
    naccb_ebcdic_decode(cp, bytes, len, (uint8_t *)latin1);
    xdi__rec_latin1(rec, field, latin1, len);
    free(latin1);
}

void xdi__rec_hex(json_t *rec, const char *field, const uint8_t *bytes,
                  size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    char *hex;

    if (rec == NULL || len > (SIZE_MAX - 1) / 2)
        return;
    hex = malloc(len * 2 + 1);
    if (hex == NULL)
        return;
    for (size_t i = 0; i < len; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    json_object_set_new(rec, field, json_stringn(hex, len * 2));
    free(hex);
}

void xdi__rec_int(json_t *rec, const char *field, json_int_t v)
{
    if (rec != NULL)
        json_object_set_new(rec, field, json_integer(v));
}

void xdi__rec_str(json_t *rec, const char *field, const char *s)
{
    if (rec != NULL && s != NULL)
        json_object_set_new(rec, field, json_string(s));
}

json_t *xdi__rec(const struct xdi_conn *c, const char *event,
                 const uint8_t *sysname)
{
    json_t *rec = json_object();

    xdi__rec_str(rec, "event", event);
    xdi__rec_int(rec, "conn", (json_int_t)c->id);
    xdi__rec_str(rec, "peer", c->peer);
    xdi__rec_int(rec, "agent_id", c->had_session ? c->agent_id : 0);
    if (c->had_session)
        xdi__rec_latin1(rec, "system", c->had_system, strlen(c->had_system));
    else if (sysname != NULL)
        xdi__rec_ebcdic(rec, c->srv, "system", sysname, NACCB_NAME_SIZE,
                        true);
    else
        xdi__rec_str(rec, "system", "");
    return rec;
}

/* FNV-1a, 64 bits: enough to tell two cut NACCBs apart in a journal, no
 * new dependency for the core.  Not a cryptographic hash: a peer can make
 * two NACCBs with one value, so it identifies, it does not prove. */
uint64_t xdi__fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;

    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

void xdi__rec_rx(json_t *rec, const struct xdi__rx *rx, bool header_only)
{
    char key[9], hash[17];
    size_t len = header_only ? NACCB_HEADER_SIZE : rx->len;

    if (rec == NULL)
        return;
    snprintf(key, sizeof(key), "%08X", (unsigned)naccb_header_key(&rx->h));
    xdi__rec_int(rec, "seq", (json_int_t)rx->seq);
    xdi__rec_str(rec, "key", key);
    /* A peer decides how long its NACCB is (up to --max-naccb-size): a
     * record keeps at most max_raw bytes of it, never less than the
     * header, and says what it cut (docs/journal.md). */
    if (rx->max_raw == 0 || len <= rx->max_raw) {
        xdi__rec_hex(rec, "naccb", rx->bytes, len);
        return;
    }
    len = rx->max_raw < NACCB_HEADER_SIZE ? NACCB_HEADER_SIZE : rx->max_raw;
    xdi__rec_hex(rec, "naccb", rx->bytes, len);
    xdi__rec_int(rec, "naccb_len", (json_int_t)rx->len);
    snprintf(hash, sizeof hash, "%016llX",
             (unsigned long long)xdi__fnv1a64(rx->bytes, rx->len));
    xdi__rec_str(rec, "naccb_fnv1a64", hash);
}

const char *xdi_send_result_name(enum xdi_send_result r)
{
    switch (r) {
    case XDI_SEND_WRITTEN:
        return "written";
    case XDI_SEND_DROPPED:
        return "dropped";
    case XDI_SEND_OVER_LIMIT:
        return "over_limit";
    }
    return "unknown";
}

/* "2026-11-21T08:30:00.123Z": UTC, ISO 8601, milliseconds, into out (at
 * least 25 bytes).  gmtime_r runs once a second, not once a record. */
void xdi__iso_timestamp(struct xdi_server *srv, const struct timespec *now,
                        char out[32])
{
    long ms = now->tv_nsec / 1000000L;

    if (!srv->ts_valid || srv->ts_sec != now->tv_sec) {
        struct tm tm;
        time_t secs = now->tv_sec;
        if (gmtime_r(&secs, &tm) == NULL)
            memset(&tm, 0, sizeof tm);
        snprintf(srv->ts_text, sizeof srv->ts_text,
                 "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        srv->ts_sec = now->tv_sec;
        srv->ts_valid = true;
    }
    if (ms < 0 || ms > 999)
        ms = 0;
    size_t n = strlen(srv->ts_text);
    if (n > 26)
        n = 26; /* a year past 9999: "ts" stays within out */
    memcpy(out, srv->ts_text, n);
    out[n++] = '.';
    out[n++] = (char)('0' + ms / 100);
    out[n++] = (char)('0' + ms / 10 % 10);
    out[n++] = (char)('0' + ms % 10);
    out[n++] = 'Z';
    out[n] = '\0';
}

void xdi__emit(struct xdi_server *srv, const char *line, size_t len,
               json_t *fields, const struct timespec *ts, uint64_t jseq)
{
    json_t *parsed = NULL;
    struct xdi_record out = {.fields = fields,
                             .line = line,
                             .len = len,
                             .ts = ts,
                             .jseq = jseq,
                             .parsed = &parsed};

    /* The sink decides what a failure to keep it means (output.h); the
     * wire goes on either way. */
    srv->ops.record(srv->ops.ctx, &out);
    json_decref(parsed);
}

json_t *xdi_record_fields(const struct xdi_record *rec)
{
    if (rec == NULL)
        return NULL;
    if (rec->fields != NULL)
        return rec->fields;
    if (rec->line == NULL || rec->parsed == NULL)
        return NULL;
    /* Written by record_line.c: parsed once, for whoever asks first. */
    if (*rec->parsed == NULL)
        *rec->parsed = json_loadb(rec->line, rec->len, JSON_ALLOW_NUL, NULL);
    return *rec->parsed;
}

void xdi__journal(struct xdi_server *srv, json_t *rec)
{
    /* The journal-wide number of the record (docs/journal.md "jseq"):
     * counted here and in xdi__line_begin, the two places every record
     * passes, so that a reader that reconnects (the control plane's
     * stream) knows exactly what it missed. */
    uint64_t *next = &srv->next_jseq;
    struct timespec now;
    json_t *line;
    char ts[32];
    char *text = NULL;

    if (rec == NULL)
        return;
    if (srv->ops.record == NULL) {
        json_decref(rec);
        return;
    }
    xdi__now(srv, &now);
    xdi__iso_timestamp(srv, &now, ts);
    /* "ts" first, "jseq", then the record's own fields in their order. */
    line = json_object();
    ++*next;
    if (line == NULL ||
        json_object_set_new(line, "ts", json_string(ts)) != 0 ||
        json_object_set_new(line, "jseq", json_integer((json_int_t)*next)) !=
            0 ||
        json_object_update(line, rec) != 0) {
        /* No memory for the stamped copy: the record as it is. */
        json_decref(line);
        line = json_incref(rec);
    }
    json_decref(rec);
    text = json_dumps(line, JSON_COMPACT);
    xdi__emit(srv, text, text != NULL ? strlen(text) : 0, line, &now, *next);
    free(text);
    json_decref(line);
}
