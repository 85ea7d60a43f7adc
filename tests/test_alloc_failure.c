/*
 * test_alloc_failure.c - every allocation of the codec (libnaccb) and of
 * the server core (xdi_core), made to fail in turn.
 *
 * Each workload runs once with the seam of tests/support/failalloc.h
 * counting (K allocations), then K more times with the N-th allocation
 * failing, N = 1..K.  A run must not crash, must end in the clean error the
 * API promises (or succeed, when the allocation was optional), and must
 * free everything it allocated: under the asan preset (detect_leaks=1) a
 * leak of any run fails the test at exit.  The workloads:
 *   framer   every golden stream of fixtures/streams/ *.hex, whole and in
 *            pieces of 1, 5 and 64 bytes: the frames handed out before the
 *            failure are those of the clean run, then NACCB_ENOMEM, sticky;
 *   decode   header, EVBLOK and EOTINFO decode and validate over the same
 *            streams: they allocate nothing (K = 0 is asserted);
 *   fixtures xdi_fixture_load of fixtures/test and fixtures/demo: errors
 *            and no set, or the set;
 *   session  the server core over a whole session: login with errors
 *            before and after, acquire EMS / SCD, infos firing an exec
 *            command, an exec job and a held trigger, a second host whose
 *            login releases it, a takeover, a reload, a logout, an
 *            unavailable table, lost framing over the output limit, a
 *            timeout, a refused connection and reload, failed logins
 *            with a reject held back and a login behind it, stop and
 *            free.
 *            Afterwards the server must still accept a login (the
 *            failure left its state whole), and what each connection was
 *            sent must be whole, well-formed NACCBs.
 *
 * What the seam does not see: allocations inside shared libraries (libc's
 * own fopen / opendir / getline, libyaml's parser, cmocka).  jansson's go
 * through it (json_set_alloc_funcs), so journal records are covered.
 *
 * The session driver uses only the wire vocabulary of
 * tests/support/core_harness.h (LOGIN, ACQ_EMS, ..., th_unhex) and the
 * public entry points of server.h; its transport is its own, because the
 * harness's allocates (and fails tests on its own) inside the seam.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core_harness.h"
#include "failalloc.h"
#include "server.h"

#ifndef XDI_SOURCE_DIR
#error "XDI_SOURCE_DIR must name the source tree"
#endif

/* Reads a whole file into a fresh buffer (outside the seam). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f;
    char *buf = NULL;
    long n;

    failalloc_pause();
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    failalloc_resume();
    *len = (size_t)n;
    return buf;
}

/* ---- the golden streams ------------------------------------------------- */

#define MAX_STREAMS 32

struct stream {
    uint8_t *bytes;
    size_t len;
};

static struct stream streams[MAX_STREAMS];
static size_t n_streams;

static void load_streams(void)
{
    char dir[512], path[1024];
    DIR *d;
    struct dirent *de;

    snprintf(dir, sizeof(dir), "%s/fixtures/streams", XDI_SOURCE_DIR);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        size_t l = strlen(de->d_name), tl;
        char *text;
        if (l < 5 || strcmp(de->d_name + l - 4, ".hex") != 0)
            continue;
        assert_true(n_streams < MAX_STREAMS);
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        text = slurp(path, &tl);
        streams[n_streams].bytes = th_unhex(text, &streams[n_streams].len);
        free(text);
        n_streams++;
    }
    closedir(d);
    assert_true(n_streams >= 5);
}

/* ---- framer ------------------------------------------------------------- */

#define MAX_FRAMES 256

struct frames {
    size_t n;
    size_t len[MAX_FRAMES];
    uint8_t first[MAX_FRAMES][8]; /* enough to tell the NACCBs apart */
    int rc;                       /* the last framer result */
};

/* Frames s in pieces of chunk bytes (0: whole), into *fr. */
static void frame_stream(const struct stream *s, size_t chunk,
                         struct frames *fr)
{
    struct naccb_framer f;
    size_t step = chunk ? chunk : s->len;

    memset(fr, 0, sizeof(*fr));
    naccb_framer_init(&f, 0);
    for (size_t off = 0; off < s->len && fr->rc >= 0; off += step) {
        const uint8_t *p = s->bytes + off;
        size_t n = s->len - off < step ? s->len - off : step;
        for (;;) {
            const uint8_t *msg;
            size_t msg_len;
            int rc = naccb_framer_next(&f, &p, &n, &msg, &msg_len);
            if (rc == NACCB_EINCOMPLETE)
                break;
            fr->rc = rc;
            if (rc < 0)
                break;
            assert_true(fr->n < MAX_FRAMES);
            fr->len[fr->n] = msg_len;
            memcpy(fr->first[fr->n], msg, msg_len < 8 ? msg_len : 8);
            fr->n++;
        }
    }
    /* A failed framer keeps its error, even with more input. */
    if (fr->rc == NACCB_ENOMEM) {
        const uint8_t *p = s->bytes, *msg;
        size_t n = s->len, msg_len;
        assert_int_equal(naccb_framer_next(&f, &p, &n, &msg, &msg_len),
                         NACCB_ENOMEM);
    }
    naccb_framer_free(&f);
}

static unsigned long framer_runs;

static void test_framer_streams(void **state)
{
    static const size_t chunks[] = {0, 1, 5, 64};

    (void)state;
    for (size_t i = 0; i < n_streams; i++) {
        for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
            struct frames ref, got;
            unsigned long k;

            failalloc_arm(0);
            frame_stream(&streams[i], chunks[c], &ref);
            k = failalloc_count();
            /* Whole NACCBs are handed out in place: nothing allocated. */
            if (chunks[c] == 0)
                assert_int_equal(k, 0);
            for (unsigned long n = 1; n <= k; n++) {
                failalloc_arm(n);
                frame_stream(&streams[i], chunks[c], &got);
                assert_true(failalloc_failed());
                assert_int_equal(got.rc, NACCB_ENOMEM);
                assert_true(got.n <= ref.n);
                for (size_t j = 0; j < got.n; j++) {
                    assert_int_equal(got.len[j], ref.len[j]);
                    assert_memory_equal(got.first[j], ref.first[j], 8);
                }
                framer_runs++;
            }
            failalloc_disarm();
        }
    }
    print_message("framer: %lu runs with one allocation failing\n",
                  framer_runs);
}

/* ---- decode ------------------------------------------------------------- */

/* Decodes and validates every NACCB of s, and every object of the sizes
 * of docs/protocol.md §8 (EVBLOK) and §9 (EOTINFO). */
static void decode_stream(const struct stream *s)
{
    size_t off = 0;

    while (off + NACCB_HEADER_SIZE <= s->len) {
        struct naccb_header h;
        size_t eoff = 0;
        assert_int_equal(naccb_header_decode(s->bytes + off, s->len - off, &h),
                         NACCB_HEADER_SIZE);
        if (h.total_length < NACCB_HEADER_SIZE ||
            h.total_length > s->len - off)
            break;
        (void)naccb_header_check_length(&h, NACCB_DEFAULT_MAX_SIZE, &eoff);
        (void)naccb_message_check_objects(&h, &eoff);
        for (uint32_t i = 0; h.size > 0 && i < h.count; i++) {
            const uint8_t *obj =
                s->bytes + off + NACCB_HEADER_SIZE + (size_t)i * h.size;
            if ((size_t)(obj - s->bytes) + h.size > off + h.total_length)
                break;
            if (h.size == NACCB_EVBLOK_SIZE) {
                struct naccb_evblok e;
                naccb_evblok_decode(obj, &e);
                (void)naccb_evblok_validate(&e, &eoff);
            } else if (h.size == NACCB_EOTINFO_SIZE) {
                struct naccb_eotinfo e;
                naccb_eotinfo_decode(obj, &e);
                (void)naccb_eotinfo_validate(&e, NACCB_EOTINFO_REPORT,
                                             NACCB_CP_037, &eoff);
                (void)naccb_eotinfo_validate(&e, NACCB_EOTINFO_TABLE_ENTRY,
                                             NACCB_CP_037, &eoff);
            }
        }
        off += h.total_length;
    }
}

static void test_decode_allocates_nothing(void **state)
{
    (void)state;
    failalloc_arm(0);
    for (size_t i = 0; i < n_streams; i++)
        decode_stream(&streams[i]);
    /* Nothing to fail: the decoders work in the caller's memory. */
    assert_int_equal(failalloc_count(), 0);
    failalloc_disarm();
}

/* ---- fixtures ----------------------------------------------------------- */

static void count_error(void *ctx, const char *file, int line,
                        const char *message)
{
    (void)file;
    (void)line;
    (void)message;
    (*(int *)ctx)++;
}

/* 0 with the set, or -1 / the error count with none: nothing else. */
static int load_set(const char *dir, struct xdi_fixture_set **set)
{
    int errs = 0;
    int rc = xdi_fixture_load(dir, set, count_error, &errs);

    if (rc == 0) {
        assert_non_null(*set);
        assert_int_equal(errs, 0);
    } else {
        assert_null(*set);
        assert_true(rc == -1 || rc == errs);
        assert_true(errs > 0);
    }
    return rc;
}

static void fixture_workload(const char *name)
{
    char dir[512];
    struct xdi_fixture_set *set = NULL;
    unsigned long k, failed = 0;
    size_t n_files, n_hosts;

    snprintf(dir, sizeof(dir), "%s/fixtures/%s", XDI_SOURCE_DIR, name);
    failalloc_arm(0);
    assert_int_equal(load_set(dir, &set), 0);
    n_files = set->n_files;
    n_hosts = set->n_hosts;
    xdi_fixture_free(set);
    k = failalloc_count();
    assert_true(k > 0);
    for (unsigned long n = 1; n <= 2 * k; n++) {
        /* Once each allocation alone, then each with all after it. */
        if (n <= k)
            failalloc_arm(n);
        else
            failalloc_arm_from(n - k);
        set = NULL;
        if (load_set(dir, &set) == 0) {
            /* Loaded whole or not at all: a set that loads despite the
             * failure has every file and host (the loader once skipped a
             * file whose path it could not allocate). */
            assert_int_equal(set->n_files, n_files);
            assert_int_equal(set->n_hosts, n_hosts);
            xdi_fixture_free(set);
        } else
            failed++;
        assert_true(failalloc_failed());
    }
    failalloc_disarm();
    print_message("fixtures/%s: 2 x %lu runs, %lu ended in an error\n", name,
                  k, failed);
}

static void test_fixtures_test(void **state)
{
    (void)state;
    fixture_workload("test");
}

static void test_fixtures_demo(void **state)
{
    (void)state;
    fixture_workload("demo");
}

/* ---- the server core ---------------------------------------------------- */

/* Monday 2026-11-23 10:00:00 UTC (TZ is UTC, set in main()). */
static time_t monday_1000 = 1795428000;

/* SYSA: a command with an action on itself, a message with an action on
 * SYSB, an EOJ; PAYROLL1's end runs PAYROLL2 here and NOTIFY on SYSB
 * (held while SYSB is not logged in).  SYSB: one event, one job.  SYSC:
 * no tables at all (no-EMS / no-SCD). */
#define SESSION_YAML(extra)                                                    \
    "settings:\n"                                                              \
    "  codepage: \"037\"\n"                                                    \
    "hosts:\n"                                                                 \
    "  - system: SYSA\n"                                                       \
    "    ems:\n"                                                               \
    "      events:\n"                                                          \
    "        - {key: KILL, vl: 4, type: command, action: \"CANCEL U=&arg\"}\n" \
    "        - {key: IEF450I, type: message, action: \"D A,L\","          \
    " target: SYSB}\n"                                                        \
    "        - {key: PAYROLL1, type: eoj}\n" extra                             \
    "    scd:\n"                                                               \
    "      jobs:\n"                                                            \
    "        - job: PAYROLL1\n"                                                \
    "          triggers:\n"                                                    \
    "            - {on: eoj, when: {max_cc: \"<= 4\"},"                       \
    " run: PAYROLL2}\n"                                                       \
    "            - {on: eoj, run: NOTIFY, host: SYSB}\n"                       \
    "  - system: SYSB\n"                                                       \
    "    ems:\n"                                                               \
    "      events:\n"                                                          \
    "        - {key: HELLO, type: message}\n"                                  \
    "    scd:\n"                                                               \
    "      jobs:\n"                                                            \
    "        - job: NOTIFY\n"                                                  \
    "  - system: SYSC\n"

static char set_dir[2][64]; /* the set, and the set the reload brings */

static void write_set(char *dir, const char *yaml)
{
    char path[128];
    FILE *f;

    snprintf(dir, 64, "/tmp/xdi_alloc_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/hosts.yaml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(yaml, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void remove_set(const char *dir)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/hosts.yaml", dir);
    unlink(path);
    rmdir(dir);
}

/* The transport: what each connection was sent, kept outside the seam
 * (the network layer's memory is not the core's). */
#define NCONN 6
#define MAX_REFS 32

struct io {
    uint8_t *out;
    size_t len, cap;
    struct xdi_blob *refs[MAX_REFS];
    size_t n_refs;
    int closes;
    bool full; /* send says: over the output limit */
};

static enum xdi_send_result io_send(void *ctx, void *conn_io,
                                    const uint8_t *head, size_t head_len,
                                    struct xdi_blob *body)
{
    struct io *io = conn_io;
    size_t need = head_len + (body != NULL ? body->len : 0);

    (void)ctx;
    if (io->full)
        return XDI_SEND_OVER_LIMIT;
    failalloc_pause();
    if (io->len + need > io->cap) {
        io->cap = (io->len + need) * 2;
        io->out = realloc(io->out, io->cap);
        assert_non_null(io->out);
    }
    failalloc_resume();
    memcpy(io->out + io->len, head, head_len);
    io->len += head_len;
    if (body != NULL) {
        memcpy(io->out + io->len, body->data, body->len);
        io->len += body->len;
        assert_true(io->n_refs < MAX_REFS);
        io->refs[io->n_refs++] = xdi_blob_ref(body);
    }
    return XDI_SEND_WRITTEN;
}

/* Journal records: each must be whole JSON or, out of memory, absent;
 * what became of the line is the sink's business, not the core's. */
static void io_record(void *ctx, const struct xdi_record *rec)
{
    (void)ctx;
    if (rec->line != NULL)
        assert_true(rec->len > 0 && rec->line[0] == '{' &&
                    rec->line[rec->len - 1] == '}');
}

static void io_close(void *ctx, void *conn_io)
{
    (void)ctx;
    ((struct io *)conn_io)->closes++;
}

static void io_wall(void *ctx, struct timespec *now)
{
    now->tv_sec = *(const time_t *)ctx;
    now->tv_nsec = 0;
}

/* What a connection was sent is whole NACCBs with consistent headers,
 * whatever failed: a failure never puts a torn NACCB on the wire. */
static void check_wire(const struct io *io)
{
    size_t off = 0;

    while (off < io->len) {
        struct naccb_header h;
        size_t eoff = 0;
        assert_int_equal(naccb_header_decode(io->out + off, io->len - off, &h),
                         NACCB_HEADER_SIZE);
        assert_int_equal(
            naccb_header_check_length(&h, NACCB_DEFAULT_MAX_SIZE, &eoff), 0);
        assert_true(h.total_length <= io->len - off);
        assert_int_equal(h.direction, NACCB_DIR_TO_AGENT);
        off += h.total_length;
    }
}

static void io_reset(struct io *io)
{
    check_wire(io);
    for (size_t i = 0; i < io->n_refs; i++)
        xdi_blob_unref(io->refs[i]);
    failalloc_pause();
    free(io->out);
    failalloc_resume();
    memset(io, 0, sizeof(*io));
}

struct env {
    struct xdi_server *srv;
    struct xdi_conn *conn[NCONN];
    struct io io[NCONN];
};

static struct xdi_conn *open_conn(struct env *e, size_t i)
{
    struct sockaddr_in in;

    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_port = htons(40000);
    in.sin_addr.s_addr = htonl(0xC0000207); /* 192.0.2.7 */
    e->conn[i] = xdi_conn_open(e->srv, &e->io[i], (struct sockaddr *)&in);
    return e->conn[i];
}

/* Plays the network layer: a connection the core asked to close goes. */
static void reap(struct env *e)
{
    for (size_t i = 0; i < NCONN; i++)
        if (e->conn[i] != NULL && e->io[i].closes > 0) {
            xdi_conn_closed(e->conn[i], XDI_CLOSE_REQUESTED, NULL);
            e->conn[i] = NULL;
        }
}

/* Feeds hex (with ID where the agent-ID goes) to connection i, in pieces
 * of chunk bytes (0: whole).  Nothing happens on a connection that did
 * not open. */
static void feed(struct env *e, size_t i, size_t chunk, const char *fmt,
                 uint32_t id)
{
    char hex[1024], idhex[9];
    uint8_t *b;
    size_t n;

    if (e->conn[i] == NULL)
        return;
    snprintf(idhex, sizeof(idhex), "%08X", (unsigned)id);
    /* fmt holds ID ("%s") where the agent-ID goes. */
    n = 0;
    for (const char *p = fmt; *p != '\0'; p++) {
        assert_true(n + 9 < sizeof(hex));
        if (p[0] == '%' && p[1] == 's') {
            memcpy(hex + n, idhex, 8);
            n += 8;
            p++;
        } else {
            hex[n++] = *p;
        }
    }
    hex[n] = '\0';
    failalloc_pause();
    b = th_unhex(hex, &n);
    failalloc_resume();
    if (chunk == 0)
        chunk = n;
    for (size_t off = 0; off < n && e->conn[i] != NULL; off += chunk)
        xdi_conn_feed(e->conn[i], b + off, n - off < chunk ? n - off : chunk);
    failalloc_pause();
    free(b);
    failalloc_resume();
    reap(e);
}

/* The agent-ID of the last accept connection i was sent, or 0. */
static uint32_t accepted_id(const struct io *io)
{
    uint32_t id = 0;

    for (size_t off = 0; off + NACCB_HEADER_SIZE <= io->len;) {
        const uint8_t *p = io->out + off;
        uint32_t total = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                         (uint32_t)p[2] << 8 | p[3];
        if (p[16] == 0x01 && p[17] == 0x02 && p[18] == 0x07)
            id = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
                 (uint32_t)p[6] << 8 | p[7];
        assert_true(total >= NACCB_HEADER_SIZE);
        off += total;
    }
    return id;
}

#define ID "%s"
/* "KILL JOKO": fires CANCEL U=JOKO on SYSA. */
#define INFO_KILL                                                              \
    "0000002D " ID " " SYSA " 02010A04 " EXT0 " 00000000 00000001 00000009"  \
    " D2C9D3D340D1D6D2D6"
/* "IEF450I PAYROLL": fires D A,L on SYSB. */
#define INFO_IEF450I                                                           \
    "00000033 " ID " " SYSA " 02010A03 " EXT0 " 00000000 00000001 0000000F"  \
    " C9C5C6F4F5F0C940D7C1E8D9D6D3D3"
/* "NOTHING": matches no EVBLOK. */
#define INFO_UNMATCHED                                                         \
    "0000002B " ID " " SYSA " 02010A03 " EXT0 " 00000000 00000001 00000007"  \
    " D5D6E3C8C9D5C7"
/* An EOJ EOTINFO of PAYROLL1, max CC 0, notes J blank N R
 * (docs/protocol.md §9). */
#define INFO_EOJ_PAYROLL1                                                      \
    "000000C6 " ID " " SYSA " 02010A07 " EXT0 " 00000000 00000001 000000A2 " \
    Z40 Z40 "00 80" Z24 B8 SYSA "D7C1E8D9D6D3D3F1" B8 B8                      \
    "0000 0000 0000 0000 D140D5D9 00000000"
/* The same EOTINFO with a job name no entry has: no_entry. */
#define INFO_EOJ_OTHER                                                         \
    "000000C6 " ID " " SYSA " 02010A07 " EXT0 " 00000000 00000001 000000A2 " \
    Z40 Z40 "00 80" Z24 B8 SYSA "D6E3C8C5D9404040" B8 B8                      \
    "0000 0000 0000 0000 D140D5D9 00000000"
/* Acquire of object 03: error 03. */
#define ACQ_BAD "00000024 " ID " " SYSA " 02010903 " EXT0 " " NOOBJ
/* Total length 40 with count 0: error 05, the header untrusted. */
#define BAD_LENGTH                                                             \
    "00000028 " ID " " SYSA " 02010A03 " EXT0 " " NOOBJ " 00000000"
#define LOGOUT_SYSB "00000024 " ID " " SYSB " 02010600 " EXT0 " " NOOBJ
/* A declared length over the maximum: lost framing, error 05, close. */
#define HUGE_FRAME "7FFFFFFF 00000000"

static void session_workload(bool probe)
{
    struct xdi_config cfg;
    struct xdi_output_ops out = {NULL, io_send, io_record, io_close};
    struct xdi_clock clock = {&monday_1000, io_wall};
    struct xdi_fixture_set *set = NULL, *set2 = NULL;
    struct env e;
    uint32_t a, b;

    memset(&e, 0, sizeof(e));
    failalloc_pause();
    assert_int_equal(load_set(set_dir[0], &set), 0);
    assert_int_equal(load_set(set_dir[1], &set2), 0);
    failalloc_resume();

    xdi_config_defaults(&cfg);
    cfg.random_ids = true; /* the set of handed-out IDs allocates */
    cfg.id_seed = 7;
    cfg.idle_timeout_ms = 60000; /* for the timeout record */
    e.srv = xdi_server_new(&cfg, set, &out, &clock);
    if (e.srv == NULL) {
        /* Out of memory: the set stays the caller's. */
        xdi_fixture_free(set);
        goto out;
    }

    /* SYSA on connection 0, its stream in 7-byte pieces. */
    if (open_conn(&e, 0) != NULL) {
        feed(&e, 0, 7, ACQ_EMS(ID, SYSA), 1); /* before login: 01 */
        feed(&e, 0, 7, LOGIN(SYSA), 0);
    }
    a = accepted_id(&e.io[0]);
    feed(&e, 0, 7, ACQ_EMS(ID, SYSA), a);
    feed(&e, 0, 7, ACQ_SCD(ID, SYSA), a);
    feed(&e, 0, 7, INFO_KILL, a);
    feed(&e, 0, 7, INFO_IEF450I, a);
    feed(&e, 0, 7, INFO_UNMATCHED, a);
    feed(&e, 0, 7, INFO_EOJ_PAYROLL1, a);
    feed(&e, 0, 7, INFO_EOJ_OTHER, a);
    feed(&e, 0, 7, INFO_KILL, a + 1); /* wrong agent-ID: 01 */
    feed(&e, 0, 7, ACQ_BAD, a);
    feed(&e, 0, 7, BAD_LENGTH, a);

    /* SYSB logs in: the held NOTIFY goes out after its accept. */
    if (open_conn(&e, 1) != NULL)
        feed(&e, 1, 0, LOGIN(SYSB), 0);
    b = accepted_id(&e.io[1]);
    feed(&e, 1, 0, ACQ_EMS(ID, SYSB), b);

    /* SYSA again, elsewhere: takeover of connection 0. */
    if (open_conn(&e, 2) != NULL)
        feed(&e, 2, 0, LOGIN(SYSA), 0);
    a = accepted_id(&e.io[2]);
    feed(&e, 2, 0, ACQ_EMS(ID, SYSA), a);
    feed(&e, 2, 0, ACQ_SCD(ID, SYSA), a);

    /* A reload that changes SYSA's EMS table: replace EMS to connection
     * 2.  All or nothing: on failure the new set stays ours. */
    if (xdi_server_reload(e.srv, set2, "test") == 0)
        set2 = NULL;

    /* SYSC has no tables; SYSB logs out; a peer breaks the framing. */
    if (open_conn(&e, 3) != NULL)
        feed(&e, 3, 0, LOGIN(SYSC), 0);
    feed(&e, 3, 0, ACQ_EMS(ID, SYSC), accepted_id(&e.io[3]));
    feed(&e, 1, 0, LOGOUT_SYSB, b);
    if (open_conn(&e, 4) != NULL) {
        /* Its error 05 is over the output limit: journalled, closed. */
        e.io[4].full = true;
        feed(&e, 4, 0, HUGE_FRAME, 0);
    }
    {
        static const char *const msgs[] = {"hosts.yaml:3: bad"};
        struct sockaddr_in in;
        memset(&in, 0, sizeof(in));
        in.sin_family = AF_INET;
        xdi_server_refused(e.srv, (struct sockaddr *)&in, "max_connections");
        xdi_server_reload_refused(e.srv, "watch", 1, msgs, 1);
    }
    if (e.conn[3] != NULL) {
        xdi_conn_timeout(e.conn[3], XDI_TIMER_IDLE);
        reap(&e);
    }
    /* SYSA's peer ends its stream: its host is free at once. */
    if (e.conn[2] != NULL) {
        xdi_conn_eof(e.conn[2]);
        reap(&e);
    }

    /* Guessing from the same address: the second failed login's reject
     * is held back with a good login behind it (the held input
     * allocates), then the delay runs out and both are answered. */
    failalloc_pause();
    io_reset(&e.io[4]);
    failalloc_resume();
    if (open_conn(&e, 4) != NULL)
        feed(&e, 4, 0, LOGIN("E2E8E2E940404040") LOGIN("E2E8E2E940404040")
                           LOGIN(SYSC),
             0);
    if (e.conn[4] != NULL &&
        (xdi_conn_timers(e.conn[4]) & XDI_TIMER_DELAY) != 0) {
        xdi_conn_timeout(e.conn[4], XDI_TIMER_DELAY);
        reap(&e);
    }
    if (!failalloc_failed()) /* the clean run got there */
        assert_int_not_equal(accepted_id(&e.io[4]), 0);

    if (probe) {
        /* Whatever failed, the server is whole: a new login is accepted. */
        failalloc_pause();
        assert_non_null(open_conn(&e, 5));
        feed(&e, 5, 0, LOGIN(SYSC), 0);
        assert_int_not_equal(accepted_id(&e.io[5]), 0);
        failalloc_resume();
    }
    assert_true(xdi_server_sessions(e.srv) <= 3);

    xdi_server_stop(e.srv);
    for (size_t i = 0; i < NCONN; i++)
        if (e.conn[i] != NULL)
            xdi_conn_closed(e.conn[i], XDI_CLOSE_SERVER_STOP, NULL);
    assert_int_equal(xdi_server_connections(e.srv), 0);
    xdi_server_free(e.srv);

out:
    failalloc_pause();
    xdi_fixture_free(set2);
    for (size_t i = 0; i < NCONN; i++)
        io_reset(&e.io[i]);
    failalloc_resume();
}

static void test_server_session(void **state)
{
    unsigned long k;

    (void)state;
    failalloc_arm(0);
    session_workload(true);
    k = failalloc_count();
    assert_true(k > 0);
    for (unsigned long n = 1; n <= k; n++) {
        failalloc_arm(n);
        session_workload(true);
        assert_true(failalloc_failed());
    }
    /* Every allocation from the n-th on failing: error paths that
     * allocate again (a record of the failure) fail too. */
    for (unsigned long n = 1; n <= k; n++) {
        failalloc_arm_from(n);
        session_workload(true);
        assert_true(failalloc_failed());
    }
    failalloc_disarm();
    print_message("server session: 2 x %lu runs (one allocation failing; "
                  "all from the n-th on)\n",
                  k);
}

/* ---- main --------------------------------------------------------------- */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_framer_streams),
        cmocka_unit_test(test_decode_allocates_nothing),
        cmocka_unit_test(test_fixtures_test),
        cmocka_unit_test(test_fixtures_demo),
        cmocka_unit_test(test_server_session),
    };
    int rc;

    /* Before any json_t exists: jansson allocates through the seam. */
    failalloc_json_hooks();
    setenv("TZ", "UTC", 1);
    tzset();
    load_streams();
    write_set(set_dir[0], SESSION_YAML(""));
    write_set(set_dir[1],
              SESSION_YAML("        - {key: NEW, type: message}\n"));
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    remove_set(set_dir[0]);
    remove_set(set_dir[1]);
    for (size_t i = 0; i < n_streams; i++)
        free(streams[i].bytes);
    return rc;
}
