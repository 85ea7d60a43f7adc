/*
 * play.c - one side of a captured conversation against a live peer, as a
 * script: our side's NACCBs are sent in the captured order, and where the
 * capture has a NACCB of the peer, the next NACCB the peer sends is read
 * (at most --timeout) and compared with it (diff.c).  The host's
 * unsolicited NACCBs (exec, replace, shutdown) thereby come at the same
 * point of the conversation as in the capture.
 *
 * The agent-ID is templated: the ID of the captured accept stands for the
 * ID of the live one, in every later NACCB sent and compared.  As agent,
 * the live ID is the host's; as host, it is the captured one unless
 * --agent-id gives another (to catch agents that assume an ID).
 *
 * Each selected conversation runs in a thread of its own with its own
 * connection; --loop plays it again on a new connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "net.h"
#include "play.h"
#include "tool.h"

struct diff_arg {
    struct play *p;
    struct run *r;
    size_t index;
    const struct step *s;
};

static void on_diff(void *arg, const char *field, const char *cap,
                    const char *now)
{
    struct diff_arg *d = arg;
    report_diff(d->p, d->r, d->index, d->s, field, cap, now);
}

static void sleep_until(double t)
{
    for (;;) {
        double left = t - net_now();
        if (left <= 0)
            return;
        struct timespec ts = {(time_t)left,
                              (long)((left - (double)(time_t)left) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static bool ours(const struct play *p, const struct step *s)
{
    return (p->opt->role == PLAY_AGENT) == s->from_agent;
}

static const char *peer_name(const struct play *p)
{
    return p->opt->role == PLAY_AGENT ? "host" : "agent";
}

/* What came instead of the NACCB awaited. */
static void missing(struct play *p, struct run *r, struct peer *peer, size_t i,
                    const struct step *s, int rc, const uint8_t *buf,
                    size_t have)
{
    char why[160];
    switch (rc) {
    case 0:
        snprintf(why, sizeof why, "the %s closed the connection", peer_name(p));
        break;
    case NET_TIMEOUT:
        snprintf(why, sizeof why, "no NACCB within %g s", p->opt->timeout);
        break;
    case NET_FRAMING:
        snprintf(why, sizeof why, "a total length of %u: framing lost",
                 have >= 4 ? (unsigned)naccb_get_u32be(buf) : 0u);
        break;
    case NET_PARTIAL:
        snprintf(why, sizeof why, "the %s closed the connection inside a NACCB",
                 peer_name(p));
        break;
    default:
        snprintf(why, sizeof why, "the connection failed");
        break;
    }
    char cap[48], kn[32];
    snprintf(cap, sizeof cap, "\"%s\"", step_key_name(s, kn, sizeof kn));
    char nowtxt[260], state[64] = "";
    if (peer->has_agent && rc != NET_TIMEOUT) {
        /* The agent closed the connection: say how it ended (a crash is
         * the finding), once it has, within a moment. */
        double until = net_now() + 1.0;
        while (agentcmd_poll(&peer->agent) && net_now() < until) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (!peer->agent.running) {
            char d[48];
            agentcmd_describe(&peer->agent, d, sizeof d);
            snprintf(state, sizeof state, "; the agent %s", d);
        }
    }
    snprintf(nowtxt, sizeof nowtxt, "(%s%s)", why, state);
    report_diff(p, r, i, s, "key", cap, nowtxt);
}

/* The agent under --agent asks for a logout of its own when the capture
 * has one the host did not ask for (no shutdown right before it): an
 * agent logs out on a local shutdown, SIGTERM for xdi-agent. */
static void maybe_signal(struct play *p, struct peer *peer,
                         const struct conv *c, size_t i)
{
    const struct step *s = &c->steps[i];
    if (!peer->has_agent || peer->signalled || s->key != NACCB_KEY_LOGOUT ||
        p->opt->logout_signal == 0)
        return;
    for (size_t j = i; j-- > 0;) {
        if (c->steps[j].key == NACCB_KEY_SHUTDOWN)
            return;
        if (c->steps[j].from_agent)
            break;
    }
    agentcmd_signal(&peer->agent, p->opt->logout_signal);
    peer->signalled = true;
}

/* A conversation in which the peer sent nothing (xdi-fuzz writes the
 * host's side only): there is nothing to compare what the peer sends
 * with, so it is read and counted while our side is sent at its captured
 * times, and what is a difference is the peer going away: the connection
 * closed (and how the agent ended) before our last NACCB, or within a
 * moment after it. */
static bool peer_silent(const struct play *p, const struct conv *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!ours(p, &c->steps[i]))
            return false;
    return true;
}

/* Reads the peer's NACCBs until the deadline.  0, or the reader_next()
 * result that ended the connection. */
static int drain_until(struct play *p, struct run *r, struct reader *rd,
                       double deadline)
{
    for (;;) {
        double left = deadline - net_now();
        const uint8_t *m;
        size_t len;
        int rc = reader_next(rd, left > 0 ? left : 0, &m, &len);
        if (rc == 1) {
            report_naccb(p, r);
            continue;
        }
        return rc == NET_TIMEOUT ? 0 : rc == 0 ? -10 : rc;
    }
}

static void gone(struct play *p, struct run *r, struct peer *peer, size_t i,
                 const struct step *s, int rc)
{
    (void)rc;
    char state[64] = "", now[160];
    if (peer->has_agent) {
        double until = net_now() + 1.0;
        while (agentcmd_poll(&peer->agent) && net_now() < until) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (!peer->agent.running) {
            char d[48];
            agentcmd_describe(&peer->agent, d, sizeof d);
            snprintf(state, sizeof state, "; the agent %s", d);
        }
    }
    snprintf(now, sizeof now, "(the %s closed the connection%s)", peer_name(p),
             state);
    report_diff(p, r, i, s, "connection", "(open)", now);
}

static void play_one_sided(struct play *p, struct run *r, struct peer *peer)
{
    const struct play_options *o = p->opt;
    const struct conv *c = r->conv;
    struct reader rd;
    reader_init(&rd, peer->fd, o->max_size);
    double factor = o->timing_given ? o->factor : 1.0;
    double t0 = net_now();
    double first = c->n ? c->steps[0].time : 0;
    size_t i;
    int rc = 0;
    bool id_known = false;
    uint32_t id_old = 0;
    for (i = 0; i < c->n && rc == 0; i++) {
        const struct step *s = &c->steps[i];
        if (factor > 0)
            rc = drain_until(p, r, &rd, t0 + (s->time - first) / factor);
        if (s->key == NACCB_KEY_ACCEPT && o->role == PLAY_HOST) {
            id_known = o->have_agent_id;
            id_old = s->agent_id;
        }
        uint8_t *msg = rc == 0 ? malloc(s->len) : NULL;
        if (rc == 0 && !msg) {
            report_error(p, r, "out of memory");
            break;
        }
        if (msg) {
            memcpy(msg, s->bytes, s->len);
            if (id_known && s->agent_id == id_old)
                naccb_put_u32be(msg + 4, o->agent_id);
            if (net_send(peer->fd, msg, s->len, o->timeout) != 0)
                rc = -10;
            free(msg);
        }
        if (rc == 0)
            report_naccb(p, r);
        else
            gone(p, r, peer, i, s, rc);
    }
    if (rc == 0 && c->n > 0) {
        rc = drain_until(p, r, &rd,
                         net_now() + (o->timeout < 1 ? o->timeout : 1));
        if (rc != 0)
            gone(p, r, peer, c->n - 1, &c->steps[c->n - 1], rc);
    }
    reader_free(&rd);
}

static void play_steps(struct play *p, struct run *r, struct peer *peer)
{
    if (peer_silent(p, r->conv)) {
        play_one_sided(p, r, peer);
        return;
    }
    const struct play_options *o = p->opt;
    const struct conv *c = r->conv;
    struct reader rd;
    reader_init(&rd, peer->fd, o->max_size);
    struct diff_ctx dc = o->diff;
    dc.id_known = false;
    char prog[64];
    snprintf(prog, sizeof prog, "xdi-replay: conversation %d, %s", c->number,
             peer_name(p));
    double last = net_now();
    bool stopped = false;
    uint64_t rx = 0; /* the peer's stream offset, for decode's messages */
    for (size_t i = 0; i < c->n && !stopped; i++) {
        const struct step *s = &c->steps[i];
        if (ours(p, s)) {
            if (o->factor > 0 && i > 0 && s->time > c->steps[i - 1].time)
                sleep_until(last +
                            (s->time - c->steps[i - 1].time) / o->factor);
            if (o->role == PLAY_HOST && s->key == NACCB_KEY_ACCEPT) {
                dc.id_known = true;
                dc.id_old = s->agent_id;
                dc.id_new = o->have_agent_id ? o->agent_id : s->agent_id;
            }
            uint8_t *msg = malloc(s->len);
            if (!msg) {
                report_error(p, r, "out of memory");
                break;
            }
            memcpy(msg, s->bytes, s->len);
            if (dc.id_known && s->agent_id == dc.id_old)
                naccb_put_u32be(msg + 4, dc.id_new);
            int rc = net_send(peer->fd, msg, s->len, o->timeout);
            free(msg);
            if (rc != 0) {
                char cap[48], why[32];
                snprintf(cap, sizeof cap, "\"%s\"",
                         step_key_name(s, why, sizeof why));
                report_diff(
                    p, r, i, s, "key", cap,
                    o->role == PLAY_AGENT
                        ? "(not sent: the host closed the connection)"
                        : "(not sent: the agent closed the connection)");
                stopped = true;
            } else {
                report_naccb(p, r);
            }
        } else {
            maybe_signal(p, peer, c, i);
            const uint8_t *m = NULL;
            size_t len = 0;
            int rc = reader_next(&rd, o->timeout, &m, &len);
            if (rc != 1) {
                missing(p, r, peer, i, s, rc, rd.buf, rd.len);
                stopped = true;
                break;
            }
            report_naccb(p, r);
            struct jd_ctx jd = {.prog = prog,
                                .cp = (enum naccb_codepage)o->cp,
                                .max_size = o->max_size};
            json_t *now = jd_naccb_json(&jd, m, len, rx);
            rx += len;
            if (!now) {
                report_error(p, r, "out of memory");
                break;
            }
            if (o->role == PLAY_AGENT && s->key == NACCB_KEY_ACCEPT &&
                len >= 8) {
                dc.id_known = true;
                dc.id_old = s->agent_id;
                dc.id_new = naccb_get_u32be(m + 4);
            }
            struct diff_arg da = {p, r, i, s};
            diff_naccb(&dc, s->line, now, on_diff, &da);
            json_decref(now);
        }
        last = net_now();
    }
    /* After the capture's last NACCB: what the peer still sends is a
     * difference.  After a logout (or a shutdown) the peer is to close the
     * connection; otherwise a short look. */
    if (!stopped && c->n > 0 && !r->error) {
        const struct step *end = &c->steps[c->n - 1];
        bool closing =
            end->key == NACCB_KEY_LOGOUT || end->key == NACCB_KEY_SHUTDOWN;
        if (!(o->role == PLAY_HOST && end->key == NACCB_KEY_LOGOUT)) {
            double wait = closing ? o->timeout : 0.2;
            const uint8_t *m;
            size_t len;
            size_t extra = c->n;
            while (reader_next(&rd, wait, &m, &len) == 1) {
                struct naccb_header h;
                naccb_header_decode(m, len, &h);
                struct step fake = {.key = naccb_header_key(&h),
                                    .error_code = h.error_code,
                                    .from_agent = o->role == PLAY_HOST};
                char kn[32], now[64];
                snprintf(now, sizeof now, "\"%s\"",
                         step_key_name(&fake, kn, sizeof kn));
                report_naccb(p, r);
                report_diff(p, r, extra++, &fake, "key",
                            "(none: the capture ends here)", now);
            }
        }
    }
    reader_free(&rd);
}

static int open_log(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        fprintf(stderr, "xdi-replay: --agent-log %s: %s\n", path,
                strerror(errno));
    return fd;
}

static void *conv_thread(void *arg)
{
    struct play *p = ((void **)arg)[0];
    struct run *first = ((void **)arg)[1];
    free(arg);
    for (unsigned k = 0; k < p->opt->loop; k++) {
        struct run *r = first + k;
        double t0 = net_now();
        struct peer peer = {.fd = -1};
        int rc = p->opt->role == PLAY_AGENT ? play_agent_open(p, r, &peer)
                                            : play_host_open(p, r, &peer);
        if (rc == 0)
            play_steps(p, r, &peer);
        play_peer_close(p, r, &peer);
        r->seconds = net_now() - t0;
        report_run_done(p, r);
    }
    return NULL;
}

int play_run(const struct play_options *opt, struct convs *convs)
{
    struct play p = {.opt = opt, .listen_fd = -1, .log_fd = STDERR_FILENO};
    pthread_mutex_init(&p.lock, NULL);
    size_t n_sel = opt->convs ? opt->n_convs : convs->n;
    const struct conv **sel = calloc(n_sel ? n_sel : 1, sizeof *sel);
    p.runs = calloc(n_sel * opt->loop + 1, sizeof *p.runs);
    if (!sel || !p.runs) {
        fprintf(stderr, "xdi-replay: out of memory\n");
        free(sel);
        free(p.runs);
        return REPLAY_EXIT_IO;
    }
    for (size_t i = 0; i < n_sel; i++) {
        sel[i] = opt->convs ? convs_find(convs, opt->convs[i]) : &convs->v[i];
        if (!sel[i]) {
            fprintf(stderr,
                    "xdi-replay: --conversations: the input has no "
                    "conversation %d\n",
                    opt->convs[i]);
            free(sel);
            free(p.runs);
            return REPLAY_EXIT_USAGE;
        }
    }
    int rc = 0;
    for (size_t i = 0; i < n_sel; i++)
        if (sel[i]->incomplete)
            fprintf(stderr, "xdi-replay: conversation %d is incomplete in the "
                            "input (the capture lost bytes of it): what was "
                            "lost is not played\n", sel[i]->number);
    if (opt->agent_log) {
        p.log_fd = open_log(opt->agent_log);
        if (p.log_fd < 0)
            rc = REPLAY_EXIT_IO;
    }
    if (rc == 0 && opt->role == PLAY_HOST && !opt->agent_cmd) {
        char bound[96], err[256];
        p.listen_fd =
            net_listen(opt->listen, bound, sizeof bound, err, sizeof err);
        if (p.listen_fd < 0) {
            fprintf(stderr, "xdi-replay: --listen: %s\n", err);
            rc = REPLAY_EXIT_IO;
        } else {
            /* The line a script waits for before it starts the agent. */
            fprintf(stderr, "xdi-replay: listening on %s\n", bound);
            fflush(stderr);
        }
    }
    if (opt->agent_cmd)
        agentcmd_cleanup_on_signals();
    double t0 = net_now();
    if (rc == 0) {
        for (size_t i = 0; i < n_sel; i++)
            for (unsigned k = 0; k < opt->loop; k++) {
                struct run *r = &p.runs[i * opt->loop + k];
                r->conv = sel[i];
                r->iteration = k + 1;
            }
        p.n_runs = n_sel * opt->loop;
        pthread_t *th = calloc(n_sel ? n_sel : 1, sizeof *th);
        size_t started = 0;
        for (size_t i = 0; th && i < n_sel; i++) {
            void **arg = malloc(2 * sizeof *arg);
            if (!arg)
                break;
            arg[0] = &p;
            arg[1] = &p.runs[i * opt->loop];
            if (pthread_create(&th[i], NULL, conv_thread, arg) != 0) {
                free(arg);
                break;
            }
            started++;
        }
        for (size_t i = 0; i < started; i++)
            pthread_join(th[i], NULL);
        if (started < n_sel) {
            fprintf(stderr, "xdi-replay: cannot start a thread per "
                            "conversation\n");
            rc = REPLAY_EXIT_IO;
        }
        free(th);
    }
    if (rc == 0)
        rc = report_finish(&p, net_now() - t0);
    if (p.listen_fd >= 0)
        close(p.listen_fd);
    if (p.log_fd != STDERR_FILENO && p.log_fd >= 0)
        close(p.log_fd);
    for (size_t i = 0; i < p.n_runs; i++)
        free(p.runs[i].log);
    free(p.runs);
    free(sel);
    pthread_mutex_destroy(&p.lock);
    return rc;
}
