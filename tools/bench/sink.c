/*
 * sink.c - xdi-bench-sink: the bare libuv baseline for xdi-server's ingest
 * path (docs/performance.md, section 3).
 *
 * It does the least a host can do with the agents' byte stream: read it,
 * find each NACCB's end by its 4-byte big-endian total length (the first
 * field of the 36-byte header, docs/protocol.md §2 and §3), count it and
 * throw it away.  So that xdi-load's modes run against it unchanged, it
 * answers the three requests they wait on with what xdi-server would send
 * for the same generated fixture set: a login with an accept (a new
 * agent-ID), an acquire EMS or SCD with the host's raw table from the set
 * (DIR/raw/<host>.ems or .scd: the same bytes, so the same size, and
 * xdi-load's byte-for-byte check passes), and a logout by closing the
 * connection.  Nothing is checked, decoded or journalled: that is the
 * point of a baseline.
 *
 * Counts are kept where the work is done: --count-file FILE is rewritten
 * in place every millisecond while the count moves (xdi-load
 * --count-file), and SIGTERM or SIGINT print
 * `naccbs=N infos=N bytes=N cpu_us=N` on standard output and exit 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "cli.h"
#include "naccb.h"
#include "naccb/bytes.h"
#include "naccb/ebcdic.h"

#define TOOL "xdi-bench-sink"

enum {
    MAX_NACCB = 16 * 1024 * 1024, /* docs/protocol.md §2 default */
    READ_BUF = 256 * 1024,
    TABLE_SLOTS = 1 << 18, /* open addressing, at most 3/4 full */
    COUNT_MS = 1,
};

/* A host's two replies' objects, read from the set once, then shared by
 * every write (they live until exit). */
struct table {
    uint8_t name[NACCB_NAME_SIZE]; /* wire (EBCDIC) system name; key */
    bool used;
    uint8_t *objects[2]; /* EMS, SCD; NULL: no such table */
    uint32_t count[2];
};

struct conn {
    uv_tcp_t tcp; /* first: the handle's address is the connection's */
    uint8_t hdr[NACCB_HEADER_SIZE]; /* a header split across reads */
    uint32_t have;                  /* bytes of it held */
    uint64_t skip;                  /* body bytes of the NACCB still to come */
    uint32_t agent_id;
    bool closing;
};

/* A reply: its own header, and the host's shared objects. */
struct reply {
    uv_write_t req;
    uint8_t header[NACCB_HEADER_SIZE];
};

static struct {
    uv_loop_t *loop;
    uv_tcp_t listener;
    uv_signal_t sigterm, sigint;
    uv_timer_t count_timer;
    const char *fixtures;
    const char *count_path;
    int count_fd;
    uint64_t written_count; /* what the count file says */
    uint64_t naccbs, infos, bytes;
    uint32_t next_agent_id;
    uint32_t hosts; /* slots used */
    struct table *tables;
    uint8_t read_buf[READ_BUF];
} sink;

/* ---- tables ----------------------------------------------------------------- */

static uint32_t name_hash(const uint8_t *name)
{
    uint32_t h = 2166136261u;

    for (int i = 0; i < NACCB_NAME_SIZE; i++)
        h = (h ^ name[i]) * 16777619u;
    return h;
}

/* Reads DIR/raw/<host>.<ext>; NULL (and *count 0) when there is none. */
static uint8_t *read_table(const char *host, const char *ext, uint32_t size,
                           uint32_t *count)
{
    char path[PATH_MAX];
    uint8_t *data = NULL;
    long len;
    FILE *f;

    *count = 0;
    snprintf(path, sizeof path, "%s/raw/%s.%s", sink.fixtures, host, ext);
    if ((f = fopen(path, "rb")) == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
        len <= MAX_NACCB - NACCB_HEADER_SIZE && len % size == 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)len)) != NULL &&
        fread(data, 1, (size_t)len, f) == (size_t)len) {
        *count = (uint32_t)(len / size);
    } else {
        fprintf(stderr, TOOL ": cannot use %s as a raw table\n", path);
        free(data);
        data = NULL;
    }
    fclose(f);
    return data;
}

static struct table *table_of(const uint8_t *name)
{
    uint32_t i = name_hash(name) & (TABLE_SLOTS - 1);
    char host[4 * NACCB_NAME_SIZE + 1];
    struct table *t;
    size_t n;

    for (;; i = (i + 1) & (TABLE_SLOTS - 1)) {
        t = &sink.tables[i];
        if (!t->used || memcmp(t->name, name, NACCB_NAME_SIZE) == 0)
            break;
    }
    if (t->used)
        return t;
    if (sink.hosts >= TABLE_SLOTS / 4 * 3)
        return NULL; /* answered "no EMS" / "no SCD" */
    sink.hosts++;
    t->used = true;
    memcpy(t->name, name, NACCB_NAME_SIZE);
    n = naccb_field_get(NACCB_CP_037, name, NACCB_NAME_SIZE, host);
    host[n] = '\0';
    t->objects[0] = read_table(host, "ems", NACCB_EVBLOK_SIZE, &t->count[0]);
    t->objects[1] = read_table(host, "scd", NACCB_EOTINFO_SIZE, &t->count[1]);
    return t;
}

/* ---- connections ------------------------------------------------------------ */

static void on_conn_close(uv_handle_t *h)
{
    free(h);
}

static void conn_close(struct conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    uv_close((uv_handle_t *)&c->tcp, on_conn_close);
}

static void on_reply_written(uv_write_t *req, int status)
{
    (void)status;
    free(req);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    conn_close((struct conn *)req->handle);
    free(req);
}

/* Sends a header (key, this session's agent-ID, the agent's system name)
 * and, for a table, the host's objects. */
static void reply(struct conn *c, const uint8_t *in, uint32_t key,
                  uint8_t *objects, uint32_t count, uint32_t size)
{
    struct reply *r = calloc(1, sizeof *r);
    uv_buf_t bufs[2];
    int rc;

    if (r == NULL) {
        conn_close(c);
        return;
    }
    naccb_put_u32be(r->header, NACCB_HEADER_SIZE + count * size);
    naccb_put_u32be(r->header + 4, c->agent_id);
    memcpy(r->header + 8, in + 8, NACCB_NAME_SIZE);
    naccb_put_u32be(r->header + 16, key);
    naccb_put_u32be(r->header + 28, count);
    naccb_put_u32be(r->header + 32, count ? size : 0);
    bufs[0] = uv_buf_init((char *)r->header, NACCB_HEADER_SIZE);
    bufs[1] = uv_buf_init((char *)objects, count * size);
    rc = uv_write(&r->req, (uv_stream_t *)&c->tcp, bufs, count ? 2 : 1,
                  on_reply_written);
    if (rc < 0) {
        free(r);
        conn_close(c);
    }
}

/* One NACCB's header: count it, answer what xdi-load waits for. */
static void dispatch(struct conn *c, const uint8_t *h)
{
    uint32_t key = naccb_get_u32be(h + 16);
    struct table *t;
    int which;

    sink.naccbs++;
    if ((key & 0xFFFFFF00u) == 0x02010A00u) { /* info, any object */
        sink.infos++;
        return;
    }
    switch (key) {
    case 0x02010500u: /* login -> accept */
        c->agent_id = ++sink.next_agent_id;
        if (c->agent_id == 0)
            c->agent_id = ++sink.next_agent_id;
        reply(c, h, 0x01020700u, NULL, 0, 0);
        return;
    case 0x02010901u: /* acquire EMS -> receive EMS */
    case 0x02010902u: /* acquire SCD -> receive SCD */
        which = key == 0x02010901u ? 0 : 1;
        t = table_of(h + 8);
        if (t == NULL || t->objects[which] == NULL) /* no EMS / no SCD */
            reply(c, h, which ? 0x01020B02u : 0x01020B01u, NULL, 0, 0);
        else
            reply(c, h, which ? 0x01020202u : 0x01020201u, t->objects[which],
                  t->count[which], which ? NACCB_EOTINFO_SIZE : NACCB_EVBLOK_SIZE);
        return;
    case 0x02010600u: { /* logout -> close, once the replies are out */
        uv_shutdown_t *req = malloc(sizeof *req);

        uv_read_stop((uv_stream_t *)&c->tcp);
        if (req == NULL ||
            uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
            free(req);
            conn_close(c);
        }
        return;
    }
    default:
        return; /* counted, discarded */
    }
}

/* Frames a read: skip bodies, gather headers, dispatch each.  Returns -1
 * when the total length is impossible (lost framing: close). */
static int feed(struct conn *c, const uint8_t *p, size_t n)
{
    while (n > 0 && !c->closing) {
        const uint8_t *h;
        uint32_t total;

        if (c->skip > 0) {
            size_t take = c->skip < n ? (size_t)c->skip : n;
            c->skip -= take;
            p += take;
            n -= take;
            continue;
        }
        if (c->have == 0 && n >= NACCB_HEADER_SIZE) {
            h = p; /* the usual case: the header lies whole in the read */
            p += NACCB_HEADER_SIZE;
            n -= NACCB_HEADER_SIZE;
        } else {
            size_t take = NACCB_HEADER_SIZE - c->have;
            if (take > n)
                take = n;
            memcpy(c->hdr + c->have, p, take);
            c->have += (uint32_t)take;
            p += take;
            n -= take;
            if (c->have < NACCB_HEADER_SIZE)
                return 0;
            h = c->hdr;
            c->have = 0;
        }
        total = naccb_get_u32be(h);
        if (total < NACCB_HEADER_SIZE || total > MAX_NACCB)
            return -1;
        c->skip = total - NACCB_HEADER_SIZE;
        dispatch(c, h);
    }
    return 0;
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    *buf = uv_buf_init((char *)sink.read_buf, sizeof sink.read_buf);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct conn *c = (struct conn *)s;

    if (nread > 0) {
        sink.bytes += (uint64_t)nread;
        if (feed(c, (const uint8_t *)buf->base, (size_t)nread) != 0)
            conn_close(c);
    } else if (nread < 0) {
        conn_close(c);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    struct conn *c;

    if (status < 0 || (c = calloc(1, sizeof *c)) == NULL)
        return;
    uv_tcp_init(sink.loop, &c->tcp);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    (void)uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
        conn_close(c);
}

/* ---- counts ----------------------------------------------------------------- */

/* Fixed width, in place: a reader never sees a shorter, torn number. */
static void write_count(void)
{
    char text[32];
    int n;

    if (sink.count_fd < 0)
        return;
    n = snprintf(text, sizeof text, "%20" PRIu64 "\n", sink.infos);
    if (pwrite(sink.count_fd, text, (size_t)n, 0) != n)
        fprintf(stderr, TOOL ": writing %s: %s\n", sink.count_path,
                strerror(errno));
    sink.written_count = sink.infos;
}

static void on_count_timer(uv_timer_t *t)
{
    (void)t;
    if (sink.infos != sink.written_count)
        write_count();
}

static void on_signal(uv_signal_t *s, int signum)
{
    struct rusage ru;
    uint64_t cpu_us = 0;

    (void)s;
    (void)signum;
    write_count();
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000u +
                 (uint64_t)ru.ru_utime.tv_usec +
                 (uint64_t)ru.ru_stime.tv_sec * 1000000u +
                 (uint64_t)ru.ru_stime.tv_usec;
    printf("naccbs=%" PRIu64 " infos=%" PRIu64 " bytes=%" PRIu64
           " cpu_us=%" PRIu64 "\n",
           sink.naccbs, sink.infos, sink.bytes, cpu_us);
    fflush(stdout);
    exit(0); /* a benchmark sink: nothing is left to flush or to say */
}

/* ---- main ------------------------------------------------------------------- */

static const char usage_text[] =
    "Usage: " TOOL " --fixtures DIR [--listen ADDR:PORT] [--count-file FILE]\n"
    "\n"
    "The bare libuv baseline for xdi-server (docs/performance.md): reads\n"
    "NACCBs, frames them by their total length, counts and discards them.\n"
    "It answers a login with an accept, an acquire EMS or SCD with the\n"
    "host's raw table from the xdi-load fixture set DIR, and a logout by\n"
    "closing, so that xdi-load runs against it unchanged.  Prints\n"
    "'listening on ADDR:PORT' once listening; on SIGTERM or SIGINT prints\n"
    "'naccbs=N infos=N bytes=N cpu_us=N' and exits 0.\n"
    "\n"
    "  --fixtures DIR      the set made by xdi-load --make-fixtures\n"
    "  --listen ADDR:PORT  where to listen (default 127.0.0.1:0: a port the\n"
    "                      kernel picks); ADDR is an IPv4 address or [IPv6]\n"
    "  --count-file FILE   keep the count of info NACCBs in FILE, rewritten\n"
    "                      every millisecond while it moves\n"
    "  -h, --help          this text\n"
    "  -V, --version       the version, and libnaccb's\n";

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, TOOL ": %s%s%s\nTry '" TOOL " --help'.\n", msg,
            arg ? ": " : "", arg ? arg : "");
    return 2;
}

static int parse_listen(const char *s, struct sockaddr_storage *out)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    uint64_t port;
    size_t n;

    if (colon == NULL || xdi_cli_uint(colon + 1, 0, 65535, &port) != 0)
        return -1;
    n = (size_t)(colon - s);
    if (n >= sizeof host)
        return -1;
    memcpy(host, s, n);
    host[n] = '\0';
    memset(out, 0, sizeof *out);
    if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
        host[n - 1] = '\0';
        return uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)out);
    }
    return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)out);
}

static int start(const char *listen_text)
{
    struct sockaddr_storage addr, bound;
    int len = sizeof bound, rc;
    char text[64];

    if (parse_listen(listen_text, &addr) != 0)
        return usage_error("bad --listen address", listen_text);
    uv_tcp_init(sink.loop, &sink.listener);
    rc = uv_tcp_bind(&sink.listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&sink.listener, 511, on_connection);
    if (rc < 0) {
        fprintf(stderr, TOOL ": cannot listen on %s: %s\n", listen_text,
                uv_strerror(rc));
        return 1;
    }
    uv_tcp_getsockname(&sink.listener, (struct sockaddr *)&bound, &len);
    if (bound.ss_family == AF_INET6) {
        uv_ip6_name((struct sockaddr_in6 *)&bound, text, sizeof text);
        printf("listening on [%s]:%d\n", text,
               ntohs(((struct sockaddr_in6 *)&bound)->sin6_port));
    } else {
        uv_ip4_name((struct sockaddr_in *)&bound, text, sizeof text);
        printf("listening on %s:%d\n", text,
               ntohs(((struct sockaddr_in *)&bound)->sin_port));
    }
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"fixtures", required_argument, NULL, 'f'},
        {"listen", required_argument, NULL, 'l'},
        {"count-file", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *listen_text = "127.0.0.1:0";
    int c, rc;

    while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
        if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        }
        if (c == 'V') {
            printf(TOOL " (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
                   naccb_version());
            return 0;
        }
        if (c == 'f')
            sink.fixtures = optarg;
        else if (c == 'l')
            listen_text = optarg;
        else if (c == 'c')
            sink.count_path = optarg;
        else {
            fputs("Try '" TOOL " --help'.\n", stderr);
            return 2;
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    if (sink.fixtures == NULL)
        return usage_error("--fixtures DIR is needed (the tables to answer with)",
                           NULL);
    sink.count_fd = -1;
    if (sink.count_path != NULL) {
        sink.count_fd = open(sink.count_path,
                             O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (sink.count_fd < 0) {
            fprintf(stderr, TOOL ": cannot write %s: %s\n", sink.count_path,
                    strerror(errno));
            return 1;
        }
        write_count();
    }
    sink.tables = calloc(TABLE_SLOTS, sizeof *sink.tables);
    if (sink.tables == NULL) {
        fprintf(stderr, TOOL ": out of memory\n");
        return 1;
    }
    sink.loop = uv_default_loop();
    if ((rc = start(listen_text)) != 0)
        return rc;
    uv_signal_init(sink.loop, &sink.sigterm);
    uv_signal_start(&sink.sigterm, on_signal, SIGTERM);
    uv_signal_init(sink.loop, &sink.sigint);
    uv_signal_start(&sink.sigint, on_signal, SIGINT);
    uv_timer_init(sink.loop, &sink.count_timer);
    if (sink.count_fd >= 0)
        uv_timer_start(&sink.count_timer, on_count_timer, COUNT_MS, COUNT_MS);
    return uv_run(sink.loop, UV_RUN_DEFAULT);
}
