/*
 * mode.c - xdi-load's throughput modes, run on agents that have logged in
 * and hold both tables (the setup is agent.c's session, unchanged):
 *
 *   flood  every agent writes info MSG NACCBs (one text each, matching
 *          one of its host's EVBLOKs) flat out for --duration; the rate is
 *          what the server handled in that window (count.c), then the
 *          agents stop, wait until the server has handled every NACCB
 *          written (the drain), and log out;
 *   fixed  exactly --total info NACCBs in all, shared out over the
 *          agents; the figure is --total over the time from the release to
 *          the moment the server has handled the last one;
 *   rr     every agent: acquire EMS, wait for the whole table, again, for
 *          --duration; round trips per second (a round trip is complete
 *          only when its reply is in, so the generator counts them).
 *
 * One write per agent at a time, of a batch of --batch NACCBs built once
 * with libnaccb (agent_build_batch): libuv writes it at once when the
 * socket has room, so each agent writes once per loop turn.
 *
 * Flow control: loopback sockets buffer megabytes per connection
 * (tcp_rmem grows to 32 MiB here), so a generator that writes while the
 * socket takes it is gigabytes ahead of a slow server and the drain takes
 * minutes.  The count is read every millisecond, and an agent writes only
 * while the NACCBs written and not yet counted stay below a cap: 50 ms of
 * the rate counted so far, at least --backlog.  The server always has
 * work queued, and stops within about 50 ms of work after the window.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

enum { POLL_MS = 1 }; /* how often the count is read */
#define BACKLOG_SECONDS 0.05 /* the cap, in time at the rate counted */

const char *mode_name(enum load_mode m)
{
    static const char *const names[] = {"sessions", "flood", "fixed", "rr"};

    return names[m];
}

static double secs(uint64_t ns)
{
    return (double)ns / 1e9;
}

static uint32_t info_size(const struct load *l)
{
    return NACCB_HEADER_SIZE + l->man.text_length;
}

static double server_cpu(const struct load *l)
{
    return l->server_pid ? proc_cpu(l->server_pid) : 0;
}

/* ---- the end: drain, then log out ------------------------------------------ */

static void logout_all(struct load *l)
{
    for (uint32_t i = 0; i < l->phase->agents; i++)
        if (l->agents[i].state == A_FLOOD || l->agents[i].state == A_HOLD)
            agent_logout(&l->agents[i]);
}

static void flood_write(struct agent *a);
static void stop_writing(struct agent *a);

/* The window is over (or the count is lost): parked agents stop. */
static void unpark_all(struct load *l)
{
    for (uint32_t i = 0; i < l->phase->agents; i++) {
        struct agent *a = &l->agents[i];

        if (a->parked) {
            a->parked = false;
            stop_writing(a);
        }
    }
}

/* While agents write: raise the cap with the rate and let parked agents
 * go on while the backlog is below it. */
static void flow_control(struct load *l, uint64_t now)
{
    double elapsed = secs(now - l->t_mode);
    double cap = elapsed > 0 ? (double)l->counted_now / elapsed * BACKLOG_SECONDS
                             : 0;

    l->backlog_cap = cap > (double)l->backlog_min ? (uint64_t)cap : l->backlog_min;
    for (uint32_t i = 0; i < l->phase->agents; i++) {
        struct agent *a = &l->agents[i];

        if (l->issued - l->counted_now >= l->backlog_cap)
            break;
        if (a->parked) {
            a->parked = false;
            flood_write(a);
        }
    }
}

/* Reads the count: flow control while agents write; once every write is
 * done and the server has handled every NACCB written, the window (fixed)
 * or the drain (flood) is over. */
static void on_poll(uv_timer_t *t)
{
    struct load *l = t->data;
    struct phase *ph = l->phase;
    uint64_t n, now = uv_hrtime();

    if (counter_since(&l->counter, &n) != 0) {
        uv_timer_stop(t);
        ph->unexpected++; /* no count: the run cannot be trusted */
        l->stopping = true;
        unpark_all(l);
        logout_all(l);
        return;
    }
    l->counted_now = n;
    if (l->writers > 0) {
        if (!l->stopping)
            flow_control(l, now);
        return;
    }
    if (n < ph->sent)
        return;
    /* rchar also counts the loop's own small reads (eventfd, signals): a
     * few bytes above the NACCBs', not more NACCBs. */
    if (l->counter.kind == COUNT_READ)
        n = ph->sent;
    uv_timer_stop(t);
    ph->window_cpu = server_cpu(l) - l->cpu_mode;
    if (l->mode == MODE_FIXED) {
        ph->counted = n;
        ph->mode_secs = secs(now - l->t_mode);
    } else {
        ph->drain = secs(now - l->t_stop);
    }
    if (n > ph->sent) {
        fprintf(stderr,
                "xdi-load: the server counted %" PRIu64 " info NACCBs, %" PRIu64
                " were sent\n",
                n, ph->sent);
        ph->unexpected++;
    }
    logout_all(l);
}

/* ---- flood and fixed ----------------------------------------------------------- */

static void stop_writing(struct agent *a)
{
    struct load *l = a->load;

    if (!a->writing)
        return;
    a->writing = false;
    l->writers--; /* at 0, on_poll waits for the server to catch up */
}

static void on_flood_write(uv_write_t *req, int status)
{
    struct agent *a = req->data;
    struct load *l = a->load;

    if (status < 0) {
        stop_writing(a);
        if (status != UV_ECANCELED)
            agent_fail(a, "write failed", uv_strerror(status));
        return;
    }
    l->phase->sent += a->in_flight;
    if (l->mode == MODE_FIXED)
        a->quota -= a->in_flight;
    a->in_flight = 0;
    flood_write(a);
}

static void flood_write(struct agent *a)
{
    struct load *l = a->load;
    uint64_t n = l->batch;
    uv_buf_t b;
    int rc;

    if (l->mode == MODE_FIXED && a->quota < n)
        n = a->quota;
    if (n == 0 || l->stopping || a->state != A_FLOOD) {
        stop_writing(a);
        return;
    }
    if (l->issued - l->counted_now >= l->backlog_cap) {
        a->parked = true; /* on_poll lets it go on */
        return;
    }
    l->issued += n;
    b = uv_buf_init((char *)a->batch, (unsigned)(n * info_size(l)));
    a->flood_req.data = a;
    a->in_flight = (uint32_t)n;
    rc = uv_write(&a->flood_req, (uv_stream_t *)&a->tcp, &b, 1, on_flood_write);
    if (rc < 0) {
        a->in_flight = 0;
        stop_writing(a);
        agent_fail(a, "write failed", uv_strerror(rc));
    }
}

/* flood: the time is up.  The count now over the time since the release
 * is the figure; then wait for the writes still out and the server. */
static void on_window_end(uv_timer_t *t)
{
    struct load *l = t->data;
    struct phase *ph = l->phase;
    uint64_t n = 0;

    if (counter_since(&l->counter, &n) != 0)
        ph->unexpected++;
    l->t_stop = uv_hrtime();
    l->stopping = true;
    ph->counted = n;
    ph->mode_secs = secs(l->t_stop - l->t_mode);
    ph->sent_at_stop = ph->sent;
    if (l->mode == MODE_RR) {
        ph->window_cpu = server_cpu(l) - l->cpu_mode;
        return; /* each agent logs out when its table is in */
    }
    unpark_all(l);
}

/* ---- rr ---------------------------------------------------------------------------- */

void mode_round_trip(struct agent *a)
{
    struct load *l = a->load;

    if (l->stopping) {
        agent_logout(a);
        return;
    }
    l->phase->round_trips++;
    agent_acquire(a);
}

/* ---- start and end ------------------------------------------------------------------ */

void mode_release(struct load *l)
{
    struct phase *ph = l->phase;
    uint32_t held = 0, k = 0;

    for (uint32_t i = 0; i < ph->agents; i++)
        held += l->agents[i].state == A_HOLD;
    l->stopping = false;
    l->writers = 0;
    l->issued = l->counted_now = 0;
    l->backlog_cap = l->backlog_min;
    if (counter_mark(&l->counter) != 0) {
        ph->unexpected++;
        logout_all(l);
        return;
    }
    l->cpu_mode = server_cpu(l);
    l->t_mode = uv_hrtime();
    for (uint32_t i = 0; i < ph->agents; i++) {
        struct agent *a = &l->agents[i];

        if (a->state != A_HOLD)
            continue;
        if (l->mode == MODE_RR) {
            agent_acquire(a);
            continue;
        }
        if (agent_build_batch(a) != 0)
            continue;
        a->state = A_FLOOD;
        a->quota = l->total / held + (k++ < l->total % held);
        a->writing = true;
        l->writers++;
    }
    for (uint32_t i = 0; i < ph->agents; i++)
        if (l->agents[i].state == A_FLOOD)
            flood_write(&l->agents[i]);
    if (l->mode != MODE_FIXED)
        uv_timer_start(&l->mode_timer, on_window_end, l->duration_ms, 0);
    if (l->mode != MODE_RR)
        uv_timer_start(&l->poll_timer, on_poll, POLL_MS, POLL_MS);
}

void mode_phase_end(struct load *l)
{
    uv_timer_stop(&l->mode_timer);
    uv_timer_stop(&l->poll_timer);
}

/* ---- report --------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The figure of a phase: info NACCBs or round trips per second. */
static double rate_of(const struct phase *ph, enum load_mode m)
{
    double n = (double)(m == MODE_RR ? ph->round_trips : ph->counted);

    return ph->mode_secs > 0 ? n / ph->mode_secs : 0;
}

/* Server CPU per NACCB handled (flood, fixed) or per round trip, in µs. */
static double cpu_of(const struct phase *ph, enum load_mode m)
{
    double n = (double)(m == MODE_RR ? ph->round_trips : ph->sent);

    return n > 0 ? 1e6 * ph->window_cpu / n : 0;
}

static void print_phase(const struct phase *ph, const struct load *l)
{
    double rate = rate_of(ph, l->mode), cpu = cpu_of(ph, l->mode);

    printf("round %u: %u agents", ph->round, (unsigned)ph->done);
    if (l->mode == MODE_RR)
        printf(", %" PRIu64 " round trips in %.3f s: %.0f/s", ph->round_trips,
               ph->mode_secs, rate);
    else if (l->mode == MODE_FLOOD)
        printf(", %" PRIu64 " info NACCBs handled in %.3f s: %.0f/s; "
               "written by then %" PRIu64 " (%.1fx), in all %" PRIu64
               ", drained in %.3f s",
               ph->counted, ph->mode_secs, rate, ph->sent_at_stop,
               ph->counted ? (double)ph->sent_at_stop / (double)ph->counted : 0,
               ph->sent, ph->drain);
    else
        printf(", %" PRIu64 " info NACCBs sent, %" PRIu64
               " handled, the last after %.3f s: %.0f/s",
               ph->sent, ph->counted, ph->mode_secs, rate);
    if (l->server_pid)
        printf("; server CPU %.3f s, %.3f us per %s", ph->window_cpu, cpu,
               l->mode == MODE_RR ? "round trip" : "NACCB");
    printf("\n");
    /* One line per phase for scripts (tools/bench.sh). */
    printf("figure: mode=%s round=%u rate=%.1f cpu_us=%.4f counted=%" PRIu64
           " sent=%" PRIu64 " window=%.4f\n",
           mode_name(l->mode), ph->round, rate, cpu,
           l->mode == MODE_RR ? ph->round_trips : ph->counted, ph->sent,
           ph->mode_secs);
}

int mode_report(struct run *r)
{
    const struct load *l = &r->load;
    uint32_t unexpected = 0, failed = 0, done = 0, expected = 0;
    double rates[2 * LOAD_MAX_ROUNDS];

    printf("\nmode %s, counted from %s\n", mode_name(l->mode),
           l->mode == MODE_RR ? "the replies received"
                              : counter_describe(&l->counter));
    for (size_t i = 0; i < r->nphases; i++) {
        const struct phase *ph = &r->phases[i];

        unexpected += ph->unexpected;
        failed += ph->failed;
        done += ph->done;
        expected += ph->agents;
        rates[i] = rate_of(ph, l->mode);
        print_phase(ph, l);
    }
    if (r->nphases > 1) {
        qsort(rates, r->nphases, sizeof rates[0], cmp_double);
        printf("median %.0f/s [%.0f .. %.0f] over %zu rounds\n",
               rates[r->nphases / 2], rates[0], rates[r->nphases - 1],
               r->nphases);
    }
    for (size_t i = 0; l->mode == MODE_FIXED && i < r->nphases; i++)
        if (r->phases[i].sent != l->total || r->phases[i].counted != l->total)
            unexpected++; /* not one more, not one less */
    return report_result(r, unexpected, failed, done, expected);
}
