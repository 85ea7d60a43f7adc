/*
 * core_harness.c - the shared scaffolding of the server-core test suites
 * (see core_harness.h): hex parsing, the fake output and clock, the
 * server life cycle, connection drivers and the journal reader.
 *
 * Linked into tests/test_server.c and tests/test_automation.c through the
 * static library xdi_test_support (tests/CMakeLists.txt).  Failures go
 * through cmocka's assert_* / fail_msg, which end the running test.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_harness.h"

/* ---- hex ---------------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    fail_msg("bad hex digit '%c'", c);
    return 0; /* not reached: fail_msg ends the test */
}

uint8_t *th_unhex(const char *hex, size_t *len)
{
    size_t n = 0;
    /* Exactly as large as the bytes need (the +1 only keeps malloc(0) away):
     * a read past the end is a read past the allocation. */
    uint8_t *out = malloc(strlen(hex) / 2 + 1);
    int hi = -1;

    assert_non_null(out);
    for (const char *p = hex; *p != '\0'; p++) {
        int v;
        if (*p == '#') { /* a comment of the .hex format, to the line's end */
            while (p[1] != '\0' && p[1] != '\n')
                p++;
            continue;
        }
        if (isspace((unsigned char)*p))
            continue;
        v = hex_digit(*p);
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_int_equal(hi, -1);
    *len = n;
    return out;
}

/* ---- fake output and clock ----------------------------------------------- */

static void append(struct th_io *io, const uint8_t *p, size_t n)
{
    if (io->len + n > io->cap) {
        io->cap = (io->len + n) * 2;
        io->out = realloc(io->out, io->cap);
        assert_non_null(io->out);
    }
    memcpy(io->out + io->len, p, n);
    io->len += n;
}

/* struct xdi_output_ops.send: keeps head and body in the connection's io
 * and a reference on the body, as the network layer would until written. */
static enum xdi_send_result fake_send(void *ctx, void *conn_io,
                                      const uint8_t *head, size_t head_len,
                                      struct xdi_blob *body)
{
    struct th_io *io = conn_io;

    (void)ctx;
    if (io->fail_send)
        return XDI_SEND_OVER_LIMIT;
    if (io->drop_send)
        return XDI_SEND_DROPPED;
    io->sends++;
    append(io, head, head_len);
    if (body != NULL) {
        append(io, body->data, body->len);
        assert_true(io->n_blobs < TH_MAX_BLOBS);
        io->blobs[io->n_blobs++] = xdi_blob_ref(body);
    }
    return XDI_SEND_WRITTEN;
}

/* struct xdi_output_ops.record: the line parsed back, after the checks a
 * JSON Lines reader relies on (core_harness.h). */
static void fake_record(void *ctx, const struct xdi_record *rec)
{
    struct th_journal *j = ctx;
    json_error_t err;
    json_t *back;

    assert_non_null(rec->line);
    assert_non_null(xdi_record_fields(rec));
    assert_non_null(rec->ts);
    assert_int_equal(strlen(rec->line), rec->len);
    assert_null(strchr(rec->line, '\n'));
    /* \u0000 is valid JSON (a system name of NUL bytes gives it). */
    back = json_loads(rec->line, JSON_ALLOW_NUL, &err);
    if (back == NULL)
        fail_msg("record line does not parse: %s (%s)", rec->line, err.text);
    assert_true(json_is_object(back));
    assert_true(json_equal(back, xdi_record_fields(rec)));
    assert_int_equal(json_array_append_new(j->records, back), 0);
    if (j->tap != NULL)
        j->tap(j->tap_ctx, rec);
}

/* struct xdi_output_ops.close: only counted; the test plays the network
 * layer and calls xdi_conn_closed itself when it wants to. */
static void fake_close(void *ctx, void *conn_io)
{
    struct th_io *io = conn_io;

    (void)ctx;
    io->closes++;
}

/* struct xdi_clock.wall: the instant in the time_t that ctx points to. */
static void fake_wall(void *ctx, struct timespec *now)
{
    const time_t *t = ctx;

    now->tv_sec = *t;
    now->tv_nsec = 0;
}

void th_io_reset(struct th_io *io)
{
    for (size_t i = 0; i < io->n_blobs; i++)
        xdi_blob_unref(io->blobs[i]);
    free(io->out);
    memset(io, 0, sizeof(*io));
}

/* ---- server life cycle --------------------------------------------------- */

void th_journal_init(struct th_journal *j)
{
    j->records = json_array();
    assert_non_null(j->records);
    j->tap = NULL;
    j->tap_ctx = NULL;
}

void th_journal_free(struct th_journal *j)
{
    json_decref(j->records);
    j->records = NULL;
}

struct xdi_server *th_server_new(const struct xdi_config *cfg,
                                 struct xdi_fixture_set *set,
                                 struct th_journal *journal, time_t *now)
{
    struct xdi_output_ops ops = {journal, fake_send,
                                 journal != NULL ? fake_record : NULL,
                                 fake_close};
    struct xdi_clock clock = {now, fake_wall};
    struct xdi_server *srv = xdi_server_new(cfg, set, &ops, &clock);

    assert_non_null(srv);
    return srv;
}

void th_server_stop(struct xdi_server **srv, struct xdi_conn **conn,
                    struct th_io *io, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (conn[i] != NULL)
            xdi_conn_closed(conn[i], XDI_CLOSE_PEER, NULL);
        conn[i] = NULL;
    }
    xdi_server_free(*srv);
    *srv = NULL;
    for (size_t i = 0; i < n; i++)
        th_io_reset(&io[i]);
}

/* ---- driving connections ------------------------------------------------ */

struct xdi_conn *th_open_from(struct xdi_server *srv, struct th_io *io,
                              const char *ip)
{
    struct sockaddr_storage ss;
    struct xdi_conn *conn;

    memset(&ss, 0, sizeof(ss));
    if (strchr(ip, ':') != NULL) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(40000);
        assert_int_equal(inet_pton(AF_INET6, ip, &in6->sin6_addr), 1);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)&ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(40000);
        assert_int_equal(inet_pton(AF_INET, ip, &in->sin_addr), 1);
    }
    conn = xdi_conn_open(srv, io, (struct sockaddr *)&ss);
    assert_non_null(conn);
    return conn;
}

void th_feed_bytes(struct xdi_conn *conn, const uint8_t *b, size_t n,
                   size_t chunk)
{
    if (chunk == 0) {
        xdi_conn_feed(conn, b, n);
        return;
    }
    for (size_t off = 0; off < n; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        /* Each piece in its own buffer: an over-read is caught. */
        uint8_t *piece = malloc(k);
        assert_non_null(piece);
        memcpy(piece, b + off, k);
        xdi_conn_feed(conn, piece, k);
        free(piece);
    }
}

void th_feed(struct xdi_conn *conn, const char *hex, size_t chunk)
{
    size_t n;
    uint8_t *b = th_unhex(hex, &n);

    th_feed_bytes(conn, b, n, chunk);
    free(b);
}

void th_expect(struct th_io *io, const char *hex)
{
    size_t n;
    uint8_t *want = th_unhex(hex, &n);

    /* The length first, with both numbers: assert_memory_equal alone would
     * read past whichever side is shorter. */
    if (io->len != n)
        fail_msg("the connection was sent %zu bytes, expected %zu", io->len,
                 n);
    assert_memory_equal(io->out, want, n);
    free(want);
    io->len = 0;
}

void th_expect_nothing(const struct th_io *io)
{
    assert_int_equal(io->len, 0);
}

void th_login(struct xdi_server *srv, struct xdi_conn **conn,
              struct th_io *io, const char *sys, const char *id)
{
    char buf[160];

    /* Stored before anything can fail, so that teardown closes it. */
    *conn = th_open_from(srv, io, TH_PEER);
    /* LOGIN / ACCEPT with printf conversions in place of their hex
     * arguments: the same literals the tests spell, filled at run time. */
    snprintf(buf, sizeof(buf), LOGIN("%s"), sys);
    th_feed(*conn, buf, 0);
    snprintf(buf, sizeof(buf), ACCEPT("%s", "%s"), id, sys);
    th_expect(io, buf);
}

/* ---- reading the journal ------------------------------------------------- */

json_t *th_journal_lines(const struct th_journal *j)
{
    return json_incref(j->records);
}

json_t *th_jrec(const struct th_journal *j, const char *event, size_t nth)
{
    json_t *rec;
    size_t i;

    json_array_foreach(j->records, i, rec) {
        if (strcmp(json_string_value(json_object_get(rec, "event")), event) ==
                0 &&
            nth-- == 0)
            return json_incref(rec);
    }
    return NULL;
}

size_t th_jcount(const struct th_journal *j, const char *event)
{
    size_t n = 0, i;
    json_t *rec;

    json_array_foreach(j->records, i, rec)
        n += strcmp(json_string_value(json_object_get(rec, "event")), event) ==
             0;
    return n;
}

const char *th_jstr(const json_t *rec, const char *field)
{
    const char *s = json_string_value(json_object_get(rec, field));
    if (s == NULL)
        fail_msg("record has no string field %s", field);
    return s;
}

json_int_t th_jint(const json_t *rec, const char *field)
{
    json_t *v = json_object_get(rec, field);
    if (!json_is_integer(v))
        fail_msg("record has no integer field %s", field);
    return json_integer_value(v);
}
