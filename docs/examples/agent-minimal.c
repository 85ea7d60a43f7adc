/*
 * agent-minimal.c - a small XDI agent in C: libnaccb and the C library only.
 *
 * The starting point to copy.  It connects to the host with a plain
 * blocking socket, logs in, acquires the EMS and SCD tables, follows one
 * file like `tail -F -n0` (each new line is a message event), reports the
 * events that match an EVBLOK and are in its time frame as info MSG,
 * reports each exec command as a command event (it runs nothing), refuses
 * every exec job (it has no jobs), and logs out on the host's shutdown or on
 * SIGTERM / SIGINT.  When the connection drops it connects again.
 * The protocol is docs/protocol.md; the section numbers below are its own.
 *
 * Build against an installed libnaccb:
 *     cc -std=c11 agent-minimal.c $(pkg-config --cflags --libs naccb) -o agent-minimal
 * Run:
 *     agent-minimal HOST PORT SYSTEM FILE [HOLIDAYS]
 * HOLIDAYS is a file of YYYY-MM-DD lines (the day-list's holiday byte, §8.3).
 * Code page IBM-037, no password.  What it leaves out, on purpose: jobs and
 * EOTINFO reports, several files, a password, a configurable code page.
 */
#define _POSIX_C_SOURCE 200809L
#include <naccb.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CP NACCB_CP_037
#define TICK_MS 20   /* poll timeout: how often the followed file is read */
#define MAX_HOLIDAYS 366 /* later lines of the calendar are ignored */

enum { AGAIN, DONE }; /* what a session ends with: reconnect, or exit */

static volatile sig_atomic_t stop_asked;
static const char *host, *port, *sysname, *path;
static struct naccb_date holidays[MAX_HOLIDAYS];
static size_t n_holidays;

/* The session's state; reset at each connection (the table stays unused
 * until a new one arrives). */
static int sock = -1;
static uint32_t agent_id;
static int accepted;
static int ems, scd; /* 0 not answered yet, 1 received, -1 no table (§7, A10) */
static struct naccb_evblok *table;
static size_t n_table;
static int relogin_ticks; /* > 0: a login is due after that many ticks */

/* The followed file (kept across reconnections). */
static off_t offset;
static ino_t inode;
static char line[NACCB_TEXT_MAX];
static size_t line_len;

static void on_signal(int sig)
{
    (void)sig;
    stop_asked = 1;
}

static void say(const char *what, const char *detail)
{
    fprintf(stderr, "agent-minimal: %s%s%s\n", what, detail ? " " : "",
            detail ? detail : "");
}

/* Writers loop on send() until every byte is out (§2). */
static int send_all(const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(sock, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One NACCB to the host: our agent-ID and system name in every header
 * (§10), count objects of size bytes each. */
static int send_naccb(uint32_t key, uint8_t error_code, const uint8_t *objects,
                      uint32_t count, uint32_t size)
{
    struct naccb_header h = {0};
    uint8_t out[NACCB_HEADER_SIZE + NACCB_TEXT_MAX];
    int n;

    h.agent_id = agent_id;
    naccb_field_put(CP, h.system_name, NACCB_NAME_SIZE, sysname,
                    strlen(sysname));
    naccb_header_set_key(&h, key);
    h.error_code = error_code;
    h.count = count;
    h.size = size;
    n = naccb_message_encode(&h, objects, out, sizeof out);
    if (n < 0) {
        say("cannot encode:", naccb_strerror(n));
        return -1;
    }
    return send_all(out, (size_t)n);
}

static int is_holiday(void *ctx, const struct naccb_date *d)
{
    (void)ctx;
    for (size_t i = 0; i < n_holidays; i++)
        if (holidays[i].year == d->year && holidays[i].month == d->month &&
            holidays[i].day == d->day)
            return 1;
    return 0;
}

/* An event (wire bytes, 1..128) is reported when it matches an EVBLOK and
 * is in its frame by the local clock (§8.3), once, at its own length (§5). */
static void text_event(unsigned object, const uint8_t *text, size_t len)
{
    unsigned et = naccb_event_type_for_object(object);
    struct naccb_local_time now;
    struct tm tm;
    time_t t = time(NULL);

    if (ems != 1) {
        say("event ignored: no EMS table", NULL);
        return;
    }
    localtime_r(&t, &tm);
    naccb_local_time_from_tm(&tm, &now);
    for (size_t i = 0; i < n_table; i++) {
        if (naccb_evblok_match(&table[i], et, text, len, &now, is_holiday,
                               NULL) == NACCB_MATCH_IN_FRAME) {
            send_naccb(NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER, NACCB_REQ_INFO,
                                      object),
                       0, text, 1, (uint32_t)len);
            say("reported an event", NULL);
            return;
        }
    }
    say("event not reported: no EVBLOK matches in frame", NULL);
}

/* A whole new EMS table: keep the valid EVBLOKs an agent may be given (§10:
 * drop invalid ones and ET 03 / 04). */
static void load_table(const struct naccb_message *m)
{
    struct naccb_evblok *t = calloc(m->header.count, sizeof *t);
    size_t n = 0;

    if (t == NULL) {
        say("out of memory: table dropped", NULL);
        return;
    }
    for (uint32_t i = 0; i < m->header.count; i++) {
        naccb_evblok_decode(naccb_message_object(m, i), &t[n]);
        if (naccb_evblok_validate(&t[n], NULL) == 0 &&
            naccb_event_type_for_agent(t[n].event_type))
            n++;
    }
    free(table);
    table = t;
    n_table = n;
    ems = 1;
}

/* The host's NACCBs (§7).  Returns DONE when the agent must stop. */
static int handle(const uint8_t *bytes, size_t len)
{
    struct naccb_message m;
    uint32_t key;

    /* Anything not well formed or not meant for an agent is ignored: an
     * agent survives what it does not understand. */
    if (naccb_message_decode(bytes, len, 0, &m, NULL) < 0 ||
        m.header.direction != NACCB_DIR_TO_AGENT ||
        naccb_message_check_objects(&m.header, NULL) != 0)
        return AGAIN;
    key = naccb_header_key(&m.header);
    if (!accepted) {
        if (key == NACCB_KEY_ACCEPT) {
            accepted = 1;
            agent_id = m.header.agent_id; /* in every NACCB from now on */
            say("logged in", NULL);
            send_naccb(NACCB_KEY_ACQ_EMS, 0, NULL, 0, 0);
            send_naccb(NACCB_KEY_ACQ_SCD, 0, NULL, 0, 0);
        } else if (key == NACCB_KEY_REJECT) {
            say("login rejected:", naccb_error_code_name(m.header.error_code));
            relogin_ticks = 5; /* retry on the same connection (§11.1) */
        }
        return AGAIN;
    }
    switch (key) {
    case NACCB_KEY_RCV_EMS:
    case NACCB_KEY_REP_EMS:
        load_table(&m);
        break;
    case NACCB_KEY_RCV_SCD:
    case NACCB_KEY_REP_SCD:
        scd = 1; /* no jobs here: the SCD table is not used */
        break;
    case NACCB_KEY_NO_EMS:
    case NACCB_KEY_NO_SCD:
        /* "No table" only with error 08; else an error about an acquire
         * (A10), and the table we hold stays. */
        if (m.header.error_code != NACCB_ERR_NOT_AVAILABLE)
            break;
        if (key == NACCB_KEY_NO_SCD) {
            scd = -1;
            break;
        }
        ems = -1;
        free(table);
        table = NULL;
        n_table = 0;
        break;
    case NACCB_KEY_EXEC_CMD:
        /* Nothing is run: the command is a command event (ET 02). */
        text_event(NACCB_OBJ_CMD, m.objects, m.header.size);
        break;
    case NACCB_KEY_EXEC_JOB: {
        static const char why[] = "no jobs on this agent";
        uint8_t text[sizeof why - 1];
        naccb_ebcdic_encode(CP, (const uint8_t *)why, sizeof text, text);
        send_naccb(NACCB_MAKE_KEY(NACCB_DIR_TO_SERVER, NACCB_REQ_ERROR,
                                  NACCB_OBJ_JOBNAME),
                   NACCB_ERR_INFORMATION, text, 1, sizeof text); /* A11 */
        break;
    }
    case NACCB_KEY_SHUTDOWN:
        say("shutdown from the host", NULL);
        return DONE;
    default:
        break; /* an accept in session, an error: nothing to do */
    }
    if (ems == -1 && scd == -1) {
        say("neither table: stopping", NULL); /* §11.1 step 3 */
        return DONE;
    }
    return AGAIN;
}

/* A complete line of the file: a message event (§5: 1..128 bytes, the
 * file's bytes taken as Latin-1 and sent in EBCDIC). */
static void on_line(void)
{
    uint8_t text[NACCB_TEXT_MAX];
    size_t n = line_len;

    line_len = 0;
    if (n > 0 && line[n - 1] == '\r')
        n--;
    if (n == 0)
        return;
    naccb_ebcdic_encode(CP, (const uint8_t *)line, n, text);
    text_event(NACCB_OBJ_MSG, text, n);
}

/* Read what was appended since the last call.  A new file at the path
 * (rotation) or a shorter one (truncation) is read from its start; what
 * was appended to a rotated file after the last call is not read (the
 * reference agent drains it first). */
static void follow(void)
{
    char buf[4096];
    struct stat st;
    ssize_t got;
    int fd = open(path, O_RDONLY);

    if (fd < 0)
        return; /* not there yet */
    if (fstat(fd, &st) == 0 && (st.st_ino != inode || st.st_size < offset)) {
        inode = st.st_ino;
        offset = 0;
        line_len = 0;
    }
    while ((got = pread(fd, buf, sizeof buf, offset)) > 0) {
        offset += got;
        for (ssize_t i = 0; i < got; i++) {
            if (buf[i] == '\n')
                on_line();
            else if (line_len < sizeof line) /* longer lines are cut */
                line[line_len++] = buf[i];
        }
    }
    close(fd);
}

/* Logout, then a graceful close: our side shut down, then wait (briefly)
 * for the host to close, so the logout is not lost to a reset. */
static void logout_and_close(void)
{
    struct pollfd p = {.fd = sock, .events = POLLIN};
    char sink[512];

    if (accepted)
        send_naccb(NACCB_KEY_LOGOUT, 0, NULL, 0, 0);
    shutdown(sock, SHUT_WR);
    while (poll(&p, 1, 2000) > 0 && recv(sock, sink, sizeof sink, 0) > 0)
        ;
}

/* One connection: login, then NACCBs and the file until it ends. */
static int session(void)
{
    struct naccb_framer fr;
    uint8_t chunk[65536];
    int rc = AGAIN;

    accepted = 0;
    agent_id = 0; /* a login carries agent-ID 0 (§3) */
    ems = scd = 0;
    relogin_ticks = 0;
    naccb_framer_init(&fr, 0);
    if (send_naccb(NACCB_KEY_LOGIN, 0, NULL, 0, 0) < 0)
        goto out;
    for (;;) {
        struct pollfd p = {.fd = sock, .events = POLLIN};
        int ready;

        if (stop_asked) {
            rc = DONE;
            break;
        }
        ready = poll(&p, 1, TICK_MS);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0) {
            /* Reads end anywhere: the framer hands out whole NACCBs (§2). */
            const uint8_t *c = chunk, *msg;
            size_t n, msg_len;
            ssize_t got = recv(sock, chunk, sizeof chunk, 0);
            int r;

            if (got <= 0) {
                say("connection closed by the host", NULL);
                goto out; /* reconnect */
            }
            n = (size_t)got;
            while ((r = naccb_framer_next(&fr, &c, &n, &msg, &msg_len)) > 0)
                if (handle(msg, msg_len) == DONE) {
                    rc = DONE;
                    goto done;
                }
            if (r != NACCB_EINCOMPLETE) {
                say("lost framing:", naccb_strerror(r));
                goto out;
            }
        }
        if (relogin_ticks > 0 && --relogin_ticks == 0 &&
            send_naccb(NACCB_KEY_LOGIN, 0, NULL, 0, 0) < 0)
            goto out;
        if (ems == 1) /* events are taken once the table is here (§10) */
            follow();
    }
done:
    logout_and_close();
out:
    naccb_framer_free(&fr);
    return rc;
}

static int dial(void)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    int fd = -1;

    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static void read_holidays(const char *file)
{
    char buf[64];
    FILE *f = fopen(file, "r");
    struct naccb_date d;
    int lineno = 0;

    if (f == NULL) {
        perror(file);
        exit(2);
    }
    while (fgets(buf, sizeof buf, f) != NULL) {
        lineno++;
        if (sscanf(buf, "%d-%d-%d", &d.year, &d.month, &d.day) != 3 ||
            naccb_date_decode(naccb_date_encode(&d), &d) != 0) {
            fprintf(stderr, "%s:%d: not a date YYYY-MM-DD\n", file, lineno);
            exit(2);
        }
        if (n_holidays < MAX_HOLIDAYS)
            holidays[n_holidays++] = d;
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART */
    struct stat st;
    int done;
    static const char usage[] =
        "usage: agent-minimal HOST PORT SYSTEM FILE [HOLIDAYS]\n"
        "Log in to the XDI host HOST:PORT as SYSTEM (at most 8 characters),\n"
        "report the new lines of FILE that match the EMS table, until the\n"
        "host's shutdown or SIGTERM.  HOLIDAYS: a file of YYYY-MM-DD lines.\n";

    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (argc < 5 || argc > 6 || strlen(argv[3]) > NACCB_NAME_SIZE) {
        fputs(usage, stderr);
        return 2;
    }
    host = argv[1];
    port = argv[2];
    sysname = argv[3];
    path = argv[4];
    if (argc == 6)
        read_holidays(argv[5]);
    if (stat(path, &st) == 0) { /* lines already there are no events */
        offset = st.st_size;
        inode = st.st_ino;
    }
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stop_asked) {
        sock = dial();
        if (sock < 0) {
            nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
            continue;
        }
        done = session() == DONE;
        close(sock);
        if (done)
            break;
    }
    free(table);
    return 0;
}
