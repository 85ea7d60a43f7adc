/*
 * fuzz_server.c - the server core (server/core) driven with arbitrary
 * byte streams on several connections of one server, over the tests'
 * fixed fixture set (fixtures/test, loaded once per input: the server
 * takes the set over and frees it).
 *
 * The output (server/core/output.h) is an in-memory sink that keeps
 * nothing but counts: sends are counted per connection (with an output
 * limit when byte 0 asks for one), journal records are checked to be one
 * line of their stated length (what a JSON Lines reader relies on,
 * docs/journal.md), closes are remembered and carried out after the step,
 * as the network layer would once the output is written.
 *
 * Input: byte 0 sets the server up (bit 0 random agent-IDs, bit 1 XDI
 * down, bit 2 a small max_naccb_size, bit 3 an output limit of 4 KiB per
 * connection, bit 4 max_info_objects 2, bit 5 the login guard tight: 3
 * failures a connection, 5 an address, every failure alike, takeover only
 * from the same address, bit 6 takeover with the password and 1
 * violation record a second in bursts of 2).  Then steps, each one byte (low
 * 3 bits what, bits 3..4 which of 4 connections, bits 5..7 a parameter)
 * and its operands:
 *   0 bytes: 1 length byte (0 = 256) then the bytes; 1 bytes: 2 length
 *     bytes (big-endian) then the bytes.  A connection that is not open is
 *     opened first, from the peer address the parameter picks (192.0.2.7,
 *     127.0.0.1, ::1, 10.0.0.1), so logins of the same host on two
 *     connections are takeovers and the allow lists are exercised
 *   2 EOF from the peer; 3 the socket is gone (a read error)
 *   4 a timer fires (login, partial, idle, delay by the parameter; the
 *     delay releases a reject held back and the input behind it)
 *   5 the clock moves on by parameter * 7 minutes (time frames, ages)
 *   6 a connection refused (max_connections) is journalled
 *   7 by the parameter: 0 the server begins a graceful stop; 1 a hot
 *     reload of the same set (nothing changes); 2 a reload of a variant
 *     of it (TESTA's KILL event renamed, so its EMS table is replaced on
 *     the sessions that acquired it; TESTE gone and TESTQ new, so TESTE's
 *     sessions are shut down), made once per process in a temporary
 *     directory; 3 a reload that failed to load (refused); else nothing
 * The seeds (tests/fuzz/make_corpus.py) are login, acquire, info and
 * logout streams of the fixture hosts, on one and on two connections.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_files.h"
#include "server.h"

#ifndef XDI_FUZZ_FIXTURES
#error "XDI_FUZZ_FIXTURES: the fixture directory (tests/fuzz/CMakeLists.txt)"
#endif

#define N_CONN 4

/* Where sink_send folds the bytes it is given (never read). */
static volatile uint8_t sink_sum;

struct sink_conn {
    struct xdi_conn *conn;
    size_t sent;
    size_t limit; /* 0: none */
    int close_asked;
};

static enum xdi_send_result sink_send(void *ctx, void *conn_io,
                                      const uint8_t *head, size_t head_len,
                                      struct xdi_blob *body)
{
    struct sink_conn *c = conn_io;
    size_t n = head_len + (body != NULL ? body->len : 0);

    (void)ctx;
    /* Touch every byte, so that a send of freed or short memory shows. */
    for (size_t i = 0; i < head_len; i++)
        sink_sum ^= head[i];
    if (body != NULL)
        for (size_t i = 0; i < body->len; i++)
            sink_sum ^= body->data[i];
    if (c->close_asked)
        return XDI_SEND_DROPPED;
    if (c->limit != 0 && c->sent + n > c->limit)
        return XDI_SEND_OVER_LIMIT;
    c->sent += n;
    return XDI_SEND_WRITTEN;
}

static void sink_record(void *ctx, const struct xdi_record *rec)
{
    (void)ctx;
    if (rec->ts == NULL || (rec->line == NULL && rec->fields == NULL))
        abort();
    if (rec->line != NULL &&
        (strlen(rec->line) != rec->len || strchr(rec->line, '\n') != NULL))
        abort();
    /* Every line parses: the tree a consumer asks for comes from it when
     * the core wrote the record straight as its line. */
    if (rec->line != NULL && !json_is_object(xdi_record_fields(rec)))
        abort();
}

static void sink_close(void *ctx, void *conn_io)
{
    (void)ctx;
    ((struct sink_conn *)conn_io)->close_asked = 1;
}

static void clock_wall(void *ctx, struct timespec *now)
{
    now->tv_sec = *(const time_t *)ctx;
    now->tv_nsec = 0;
}

static void peer_addr(unsigned which, struct sockaddr_storage *ss)
{
    static const char *const v4[] = {"192.0.2.7", "127.0.0.1", NULL, "10.0.0.1"};

    memset(ss, 0, sizeof(*ss));
    if (which % 4 == 2) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(40000);
        inet_pton(AF_INET6, "::1", &in6->sin6_addr);
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons(40000);
        inet_pton(AF_INET, v4[which % 4], &in->sin_addr);
    }
}

static char variant[64]; /* the variant set's directory */

static const char *const files[] = FZ_SET_FILES;

/* The variant set: fixtures/test with every TESTE renamed TESTQ and the
 * key KILL renamed KILZ (both the same length). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char path[512];

    (void)argc;
    (void)argv;
    fz_tmpset("server", variant, sizeof(variant));
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t n;
        uint8_t *b;
        char *q;
        snprintf(path, sizeof(path), "%s/%s", XDI_FUZZ_FIXTURES, files[i]);
        b = fz_slurp(path, &n);
        if (i == 0) {
            while ((q = strstr((char *)b, "TESTE")) != NULL)
                q[4] = 'Q';
            while ((q = strstr((char *)b, "\"KILL\"")) != NULL)
                q[4] = 'Z';
        }
        snprintf(path, sizeof(path), "%s/%s", variant, files[i]);
        fz_spill(path, b, n);
        free(b);
    }
    return 0;
}

static void quiet(void *ctx, const char *file, int line, const char *msg)
{
    (void)ctx;
    (void)file;
    (void)line;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz in = {data, size};
    uint8_t mode = fz_u8(&in);
    struct xdi_fixture_set *set = NULL;
    struct xdi_config cfg;
    struct sink_conn conns[N_CONN];
    time_t now = 1795168800; /* 2026-11-20 10:00:00 UTC, a Friday */
    struct xdi_output_ops ops = {NULL, sink_send, sink_record, sink_close};
    struct xdi_clock clock = {&now, clock_wall};
    struct xdi_server *srv;
    int steps = 0;

    if (xdi_fixture_load(XDI_FUZZ_FIXTURES, &set, quiet, NULL) != 0) {
        fprintf(stderr, "fuzz_server: %s does not load\n", XDI_FUZZ_FIXTURES);
        abort();
    }
    xdi_config_defaults(&cfg);
    cfg.random_ids = mode & 1;
    cfg.id_seed = 7;
    cfg.xdi_down = (mode & 2) != 0;
    if (mode & 4)
        cfg.max_naccb_size = 1024;
    if (mode & 16)
        cfg.max_info_objects = 2;
    if (mode & 32) {
        cfg.login_failures = 3;
        cfg.login_failures_per_address = 5;
        cfg.login_failures_alike = true;
        cfg.takeover = XDI_TAKEOVER_SAME_ADDRESS;
    }
    if (mode & 64) {
        cfg.takeover = XDI_TAKEOVER_PASSWORD;
        cfg.violation_rate = 1;
        cfg.violation_burst = 2;
    }
    memset(conns, 0, sizeof(conns));
    for (int i = 0; i < N_CONN; i++)
        conns[i].limit = (mode & 8) ? 4096 : 0;
    srv = xdi_server_new(&cfg, set, &ops, &clock);
    if (srv == NULL)
        abort();

    while (in.n > 0 && steps++ < 4096) {
        uint8_t op = fz_u8(&in);
        struct sink_conn *c = &conns[(op >> 3) & 3];
        unsigned param = op >> 5;
        struct sockaddr_storage ss;
        const uint8_t *p;
        size_t len;

        switch (op & 7) {
        case 0:
        case 1:
            len = fz_u8(&in);
            if ((op & 7) == 1)
                len = len << 8 | fz_u8(&in);
            else if (len == 0)
                len = 256;
            p = fz_bytes(&in, len, &len);
            if (c->conn == NULL) {
                peer_addr(param, &ss);
                c->sent = 0;
                c->close_asked = 0;
                c->conn = xdi_conn_open(srv, c, (struct sockaddr *)&ss);
                if (c->conn == NULL)
                    abort();
            }
            /* In its own allocation: an over-read is caught. */
            {
                uint8_t *copy = malloc(len ? len : 1);
                if (copy == NULL)
                    abort();
                memcpy(copy, p, len);
                xdi_conn_feed(c->conn, copy, len);
                free(copy);
            }
            (void)xdi_conn_timers(c->conn);
            break;
        case 2:
            if (c->conn != NULL)
                xdi_conn_eof(c->conn);
            break;
        case 3:
            if (c->conn != NULL) {
                xdi_conn_closed(c->conn, XDI_CLOSE_ERROR, "ECONNRESET");
                c->conn = NULL;
            }
            break;
        case 4:
            if (c->conn != NULL) {
                static const enum xdi_timer which[4] = {
                    XDI_TIMER_LOGIN, XDI_TIMER_PARTIAL, XDI_TIMER_IDLE,
                    XDI_TIMER_DELAY};
                xdi_conn_timeout(c->conn, which[param % 4]);
                (void)xdi_conn_delay_ms(c->conn);
                (void)xdi_conn_held_input(c->conn);
            }
            break;
        case 5:
            now += (time_t)param * 7 * 60;
            break;
        case 6:
            peer_addr(param, &ss);
            xdi_server_refused(srv, (struct sockaddr *)&ss, "max_connections");
            break;
        case 7:
            if (param == 0) {
                xdi_server_stop(srv);
            } else if (param == 1 || param == 2) {
                struct xdi_fixture_set *next = NULL;
                if (xdi_fixture_load(param == 1 ? XDI_FUZZ_FIXTURES : variant,
                                     &next, quiet, NULL) != 0)
                    abort();
                if (xdi_server_reload(srv, next, "fuzz") != 0)
                    xdi_fixture_free(next);
            } else if (param == 3) {
                static const char *const why[] = {"hosts.yaml:1: fuzz"};
                xdi_server_reload_refused(srv, "fuzz", 1, why, 1);
            }
            break;
        }
        /* The network layer: a close asked for happens once the output
         * is written, which in memory is at once. */
        for (int i = 0; i < N_CONN; i++) {
            if (conns[i].conn != NULL && conns[i].close_asked) {
                xdi_conn_closed(conns[i].conn, XDI_CLOSE_REQUESTED, NULL);
                conns[i].conn = NULL;
            }
        }
        (void)xdi_server_sessions(srv);
        (void)xdi_server_held_triggers(srv);
    }
    for (int i = 0; i < N_CONN; i++)
        if (conns[i].conn != NULL)
            xdi_conn_closed(conns[i].conn, XDI_CLOSE_PEER, NULL);
    xdi_server_free(srv);
    return 0;
}
