/*
 * control.c - the control plane's request core (control.h): its life
 * cycle, the records it learns from (history for /xdi/journal and the
 * stream, the job registry, metrics, waits), the JSON response helpers and
 * the first step of routing (/xdi/ to control_api.c, /zosmf/ to the
 * z/OSMF facade).
 *
 * Time: the core keeps no timer.  Waits and delayed answers carry a
 * deadline on the server's wall clock; the HTTP layer asks
 * xdi_control_deadline() after every call and calls xdi_control_expire()
 * then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_internal.h"

/* An open stream that has had nothing to say this long gets a comment
 * line, so that proxies and clients see it is alive. */
#define KEEPALIVE_S 15

void xdi_control_config_defaults(struct xdi_control_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->token_idle_s = 900;
    cfg->history = 10000;
    cfg->token = NULL;
    cfg->fail_delay_ms = 2000;
}

void xdi_http_response_free(struct xdi_http_response *resp)
{
    if (resp == NULL)
        return;
    free(resp->body);
    for (size_t i = 0; i < resp->n_headers; i++)
        free(resp->headers[i].value);
    memset(resp, 0, sizeof(*resp));
}

/* ---- responses ----------------------------------------------------------- */

void xdi__resp_raw(struct xdi_http_response *resp, int status,
                   const char *content_type, const char *body, size_t len)
{
    resp->status = status;
    resp->content_type = content_type;
    free(resp->body);
    resp->body = malloc(len > 0 ? len : 1);
    resp->body_len = 0;
    if (resp->body == NULL) {
        resp->status = 500;
        return;
    }
    memcpy(resp->body, body, len);
    resp->body_len = len;
}

void xdi__resp_json(struct xdi_http_response *resp, int status, json_t *body)
{
    json_t *out = json_object();
    char *text;

    /* "rc" first, as seed 004's responses have it. */
    json_object_set_new(out, "rc", json_integer(status));
    if (body != NULL)
        json_object_update(out, body);
    if (json_object_get(out, "message") == NULL)
        json_object_set_new(out, "message", json_array());
    json_decref(body);
    text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (text == NULL) {
        static const char oom[] =
            "{\"rc\":500,\"msgid\":\"XDIC011E\",\"message\":"
            "[\"XDIC011E out of memory\"]}";
        xdi__resp_raw(resp, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    xdi__resp_raw(resp, status, "application/json", text, strlen(text));
    free(text);
}

void xdi__resp_error(struct xdi_http_response *resp, int status,
                     const char *msgid, const char *fmt, ...)
{
    char text[512], line[600];
    va_list ap;
    json_t *body = json_object();

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s %s", msgid, text);
    json_object_set_new(body, "msgid", json_string(msgid));
    json_object_set_new(body, "message", json_pack("[s]", line));
    xdi__resp_json(resp, status, body);
}

void xdi__resp_header(struct xdi_http_response *resp, const char *name,
                      const char *value)
{
    char *v;

    if (resp->n_headers >= XDI_HTTP_MAX_HEADERS)
        return;
    v = strdup(value);
    if (v == NULL)
        return;
    resp->headers[resp->n_headers].name = name;
    resp->headers[resp->n_headers].value = v;
    resp->n_headers++;
}

/* ---- requests ------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool xdi__url_decode(const char *s, size_t n, char *buf, size_t cap,
                     bool plus_is_blank)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%') {
            int hi, lo;
            if (i + 2 >= n)
                return false;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            ch = (char)(hi * 16 + lo);
            i += 2;
        } else if (ch == '+' && plus_is_blank) {
            ch = ' ';
        }
        if (ch == '\0' || k + 1 >= cap)
            return false;
        buf[k++] = ch;
    }
    if (cap == 0)
        return false;
    buf[k] = '\0';
    return true;
}

bool xdi__query_get(const char *query, const char *name, char *buf, size_t cap)
{
    size_t nlen = strlen(name);
    const char *p = query;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '&');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len >= nlen && strncmp(p, name, nlen) == 0 &&
            (len == nlen || p[nlen] == '=')) {
            const char *v = len == nlen ? p + len : p + nlen + 1;
            size_t vlen = len == nlen ? 0 : len - nlen - 1;
            if (!xdi__url_decode(v, vlen, buf, cap, true))
                buf[0] = '\0';
            return true;
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

json_t *xdi__body_object(const struct xdi_http_request *req,
                         struct xdi_http_response *resp)
{
    json_error_t err;
    json_t *body;
    size_t i = 0;

    while (i < req->body_len && (req->body[i] == ' ' || req->body[i] == '\n' ||
                                 req->body[i] == '\r' || req->body[i] == '\t'))
        i++;
    if (i == req->body_len)
        return json_object();
    body = json_loadb((const char *)req->body, req->body_len,
                      JSON_REJECT_DUPLICATES, &err);
    if (body == NULL) {
        xdi__resp_error(resp, 400, "XDIC006E",
                        "request body is not JSON: line %d, column %d "
                        "(offset %d): %s",
                        err.line, err.column, err.position, err.text);
        return NULL;
    }
    if (!json_is_object(body)) {
        json_decref(body);
        xdi__resp_error(resp, 400, "XDIC006E",
                        "request body must be a JSON object");
        return NULL;
    }
    return body;
}

/* ---- life cycle ---------------------------------------------------------- */

struct xdi_control *xdi_control_new(struct xdi_server *srv,
                                    const struct xdi_control_config *cfg,
                                    const struct xdi_control_env *env,
                                    const struct xdi_clock *clock)
{
    struct xdi_control *ctl;

    if (srv == NULL || env == NULL || env->random == NULL)
        return NULL;
    ctl = calloc(1, sizeof(*ctl));
    if (ctl == NULL)
        return NULL;
    ctl->srv = srv;
    if (cfg != NULL)
        ctl->cfg = *cfg;
    else
        xdi_control_config_defaults(&ctl->cfg);
    if (ctl->cfg.history == 0)
        ctl->cfg.history = 1;
    ctl->env = *env;
    if (clock != NULL)
        ctl->clock = *clock;
    if (ctl->cfg.token != NULL) {
        ctl->token = strdup(ctl->cfg.token);
        if (ctl->token == NULL)
            goto fail;
    }
    ctl->cfg.token = ctl->token;
    ctl->hist = calloc(ctl->cfg.history, sizeof(*ctl->hist));
    ctl->jobs = xdi_jobs_new();
    if (ctl->hist == NULL || ctl->jobs == NULL)
        goto fail;
    ctl->zosmf = xdi__zosmf_new(ctl);
    return ctl;
fail:
    xdi_control_free(ctl);
    return NULL;
}

static void wait_free(struct xdi__wait *w)
{
    if (w->ops.free != NULL)
        w->ops.free(w->arg);
    free(w);
}

static void stream_free(struct xdi__stream *s)
{
    free(s->systems);
    free(s->kinds);
    free(s);
}

static void counters_free(struct xdi__counters *c)
{
    free(c->v);
    memset(c, 0, sizeof(*c));
}

void xdi_control_free(struct xdi_control *ctl)
{
    if (ctl == NULL)
        return;
    xdi__zosmf_free(ctl->zosmf);
    while (ctl->deferred != NULL) {
        struct xdi__deferred *d = ctl->deferred;
        ctl->deferred = d->next;
        free(d);
    }
    while (ctl->waits != NULL) {
        struct xdi__wait *w = ctl->waits;
        ctl->waits = w->next;
        wait_free(w);
    }
    while (ctl->streams != NULL) {
        struct xdi__stream *s = ctl->streams;
        ctl->streams = s->next;
        stream_free(s);
    }
    if (ctl->hist != NULL)
        for (size_t i = 0; i < ctl->hist_n; i++) {
            struct xdi__hist *h =
                &ctl->hist[(ctl->hist_start + i) % ctl->cfg.history];
            free(h->line);
        }
    free(ctl->hist);
    xdi_jobs_free(ctl->jobs);
    xdi__auth_free(ctl);
    counters_free(&ctl->naccbs_in);
    counters_free(&ctl->naccbs_out);
    counters_free(&ctl->errors);
    counters_free(&ctl->rejects);
    free(ctl->token);
    free(ctl);
}

struct xdi_server *xdi__control_server(struct xdi_control *ctl)
{
    return ctl->srv;
}

struct xdi_jobs *xdi__control_jobs(struct xdi_control *ctl)
{
    return ctl->jobs;
}

const struct xdi_control_env *xdi__control_env(struct xdi_control *ctl)
{
    return &ctl->env;
}

struct xdi__zosmf *xdi__control_zosmf(struct xdi_control *ctl)
{
    return ctl->zosmf;
}

void xdi__control_now(const struct xdi_control *ctl, struct timespec *now)
{
    if (ctl->clock.wall != NULL)
        ctl->clock.wall(ctl->clock.ctx, now);
    else
        clock_gettime(CLOCK_REALTIME, now);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec ||
           (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void add_ms(struct timespec *t, unsigned ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

/* ---- the records ---------------------------------------------------------- */

/* Is s in the comma-separated list (NULL or "": everything is)? */
static bool in_list(const char *list, const char *s)
{
    size_t n = strlen(s);
    const char *p = list;

    if (list == NULL || list[0] == '\0')
        return true;
    while (p != NULL) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, s, n) == 0)
            return true;
        p = end != NULL ? end + 1 : NULL;
    }
    return false;
}

static bool passes_names(const char *sys, const char *ev, const char *systems,
                         const char *kinds)
{
    return in_list(systems, sys != NULL ? sys : "") &&
           in_list(kinds, ev != NULL ? ev : "");
}

static bool passes(const json_t *fields, const char *systems, const char *kinds)
{
    return passes_names(json_string_value(json_object_get(fields, "system")),
                        json_string_value(json_object_get(fields, "event")),
                        systems, kinds);
}

/* A kept record: only the line and what the filters look at (a parsed
 * record costs ten times its line). */
static bool hist_passes(const struct xdi__hist *h, const char *systems,
                        const char *kinds)
{
    return passes_names(h->system, h->event, systems, kinds);
}

static void count(struct xdi__counters *c, const char *label)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].label, label) == 0) {
            c->v[i].n++;
            return;
        }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        struct xdi__counter *v;
        /* A peer chooses keys and codes: the label sets stay bounded. */
        if (cap > 1024)
            return;
        v = realloc(c->v, cap * sizeof(*v));
        if (v == NULL)
            return;
        c->v = v;
        c->cap = cap;
    }
    snprintf(c->v[c->n].label, sizeof c->v[c->n].label, "%s", label);
    c->v[c->n].n = 1;
    c->n++;
}

/* The counters a record moves (docs/control.md, metrics). */
static void metrics_record(struct xdi_control *ctl,
                           const struct xdi_record *rec)
{
    const json_t *f = rec->fields;
    const char *ev = json_string_value(json_object_get(f, "event"));
    const char *key = json_string_value(json_object_get(f, "key"));
    const char *outcome = json_string_value(json_object_get(f, "outcome"));
    char label[32];

    ctl->records++;
    ctl->record_bytes += rec->len + 1; /* the line and its newline */
    if (ev == NULL)
        return;
    if (key != NULL && (strcmp(ev, "send") == 0 || strcmp(ev, "accept") == 0 ||
                        strcmp(ev, "reject") == 0)) {
        if (outcome != NULL && strcmp(outcome, "written") == 0)
            count(&ctl->naccbs_out, key);
    } else if (key != NULL &&
               (strcmp(ev, "login") == 0 || strcmp(ev, "acquire") == 0 ||
                strcmp(ev, "logout") == 0 || strcmp(ev, "agent_error") == 0 ||
                (strcmp(ev, "violation") == 0 &&
                 json_object_get(f, "seq") != NULL) ||
                (strcmp(ev, "info") == 0 &&
                 json_integer_value(json_object_get(f, "index")) == 0))) {
        /* One count per NACCB: an info NACCB has one record per object. */
        count(&ctl->naccbs_in, key);
    }
    if (strcmp(ev, "violation") == 0) {
        snprintf(label, sizeof label, "%02X",
                 (unsigned)json_integer_value(json_object_get(f, "error")));
        count(&ctl->errors, label);
    } else if (strcmp(ev, "reject") == 0) {
        const char *check = json_string_value(json_object_get(f, "check"));
        count(&ctl->rejects, check != NULL ? check : "unknown");
    }
}

static void history_add(struct xdi_control *ctl, const struct xdi_record *rec)
{
    struct xdi__hist *h;
    char *line;

    if (rec->line == NULL)
        return;
    line = malloc(rec->len + 1);
    if (line == NULL)
        return;
    memcpy(line, rec->line, rec->len + 1);
    if (ctl->hist_n == ctl->cfg.history) {
        h = &ctl->hist[ctl->hist_start];
        free(h->line);
        ctl->hist_start = (ctl->hist_start + 1) % ctl->cfg.history;
        ctl->hist_n--;
    }
    h = &ctl->hist[(ctl->hist_start + ctl->hist_n) % ctl->cfg.history];
    h->jseq = rec->jseq;
    {
        const char *sys =
            json_string_value(json_object_get(rec->fields, "system"));
        const char *ev =
            json_string_value(json_object_get(rec->fields, "event"));
        snprintf(h->system, sizeof h->system, "%s", sys != NULL ? sys : "");
        snprintf(h->event, sizeof h->event, "%s", ev != NULL ? ev : "");
    }
    h->line = line;
    h->len = rec->len;
    ctl->hist_n++;
}

/* "id: N\ndata: LINE\n\n" for one record. */
static char *sse_event(uint64_t jseq, const char *line, size_t len,
                       size_t *out_len)
{
    char head[48];
    int hn = snprintf(head, sizeof head,
                      "id: %llu\ndata: ", (unsigned long long)jseq);
    char *buf = malloc((size_t)hn + len + 2);

    if (buf == NULL)
        return NULL;
    memcpy(buf, head, (size_t)hn);
    memcpy(buf + hn, line, len);
    memcpy(buf + (size_t)hn + len, "\n\n", 2);
    *out_len = (size_t)hn + len + 2;
    return buf;
}

static void streams_record(struct xdi_control *ctl,
                           const struct xdi_record *rec)
{
    struct xdi__stream **pp = &ctl->streams;
    char *ev = NULL;
    size_t len = 0;

    if (rec->line == NULL)
        return;
    while (*pp != NULL) {
        struct xdi__stream *s = *pp;
        if (!passes(rec->fields, s->systems, s->kinds)) {
            pp = &s->next;
            continue;
        }
        if (ev == NULL)
            ev = sse_event(rec->jseq, rec->line, rec->len, &len);
        if (ev == NULL ||
            !ctl->env.stream_write(ctl->env.ctx, s->reply, ev, len)) {
            /* Gone or too slow: forgotten; the HTTP layer closes it. */
            *pp = s->next;
            stream_free(s);
            continue;
        }
        xdi__control_now(ctl, &s->last_write);
        pp = &s->next;
    }
    free(ev);
}

static void answer(struct xdi_control *ctl, struct xdi__wait *w,
                   const struct xdi_record *rec)
{
    struct xdi_http_response resp;

    memset(&resp, 0, sizeof resp);
    w->ops.done(w->arg, ctl, rec, &resp);
    if (resp.status == 0)
        xdi__resp_error(&resp, 500, "XDIC011E", "no answer was built");
    ctl->env.respond(ctl->env.ctx, w->reply, &resp);
}

/*
 * The first wait that rec answers, unlinked; NULL when none.  Every wait
 * is answered by a record made after it began (after_jseq).
 *
 * Re-entrancy: building an answer may make records (a facade that sends
 * from done()), which come back here while the caller's loop is on the
 * stack.  So nothing holds a pointer into the list across a call out:
 * each answer is found by a fresh scan from the head.  A wait that did
 * not match rec is asked again on the next scan with the same record;
 * match() is a pure test, so it says no again.
 */
static struct xdi__wait *unlink_match(struct xdi_control *ctl,
                                      const struct xdi_record *rec)
{
    for (struct xdi__wait **pp = &ctl->waits; *pp != NULL; pp = &(*pp)->next) {
        struct xdi__wait *w = *pp;
        if (w->ops.match != NULL && rec->jseq > w->after_jseq &&
            w->ops.match(w->arg, rec)) {
            *pp = w->next;
            return w;
        }
    }
    return NULL;
}

static void waits_record(struct xdi_control *ctl, const struct xdi_record *rec)
{
    struct xdi__wait *w;

    /* Unlinked first: the answer is final whatever done does. */
    while ((w = unlink_match(ctl, rec)) != NULL) {
        answer(ctl, w, rec);
        wait_free(w);
    }
}

void xdi_control_record(struct xdi_control *ctl,
                        const struct xdi_record *line_rec)
{
    struct xdi_record full;
    const struct xdi_record *rec = &full;

    if (ctl == NULL || line_rec == NULL)
        return;
    /* Everything below reads the tree: parsed here once when the core
     * wrote the record straight as its line (output.h). */
    full = *line_rec;
    full.fields = xdi_record_fields(line_rec);
    if (full.fields == NULL)
        return;
    metrics_record(ctl, rec);
    history_add(ctl, rec);
    xdi_jobs_record(ctl->jobs, rec->fields);
    xdi__zosmf_record(ctl->zosmf, rec);
    streams_record(ctl, rec);
    waits_record(ctl, rec);
}

/* ---- history and streams ---------------------------------------------- */

json_t *xdi__history_query(struct xdi_control *ctl, uint64_t since,
                           const char *systems, const char *kinds, size_t limit,
                           uint64_t *next)
{
    json_t *a = json_array();

    *next = since;
    for (size_t i = 0; i < ctl->hist_n && a != NULL; i++) {
        const struct xdi__hist *h =
            &ctl->hist[(ctl->hist_start + i) % ctl->cfg.history];
        if (h->jseq <= since)
            continue;
        if (limit > 0 && json_array_size(a) >= limit)
            break;
        /* next: the last record looked at, filtered or not, so that a
         * client polling with since=next never sees one twice. */
        *next = h->jseq;
        if (hist_passes(h, systems, kinds)) {
            /* The line parsed back: exactly what the journal file has. */
            json_t *r = json_loadb(h->line, h->len, JSON_ALLOW_NUL, NULL);
            if (r != NULL)
                json_array_append_new(a, r);
        }
    }
    if (*next < since)
        *next = since;
    return a;
}

enum xdi_control_verdict xdi__stream_open(struct xdi_control *ctl,
                                          const struct xdi_http_request *req,
                                          uint64_t since, const char *systems,
                                          const char *kinds,
                                          struct xdi_http_response *resp)
{
    struct xdi__stream *s = calloc(1, sizeof(*s));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    static const char hello[] = ": xdi-emu journal stream\nretry: 2000\n\n";
    /* since 0 (no Last-Event-ID): live from now, no replay. */
    bool replay = false;

    if (s == NULL ||
        (systems != NULL && systems[0] != '\0' &&
         (s->systems = strdup(systems)) == NULL) ||
        (kinds != NULL && kinds[0] != '\0' &&
         (s->kinds = strdup(kinds)) == NULL)) {
        if (s != NULL)
            stream_free(s);
        xdi__resp_error(resp, 500, "XDIC011E", "out of memory");
        return XDI_CONTROL_DONE;
    }
    /* The head, then what the client missed (since its Last-Event-ID). */
    cap = sizeof hello + 256;
    buf = malloc(cap);
    if (buf == NULL) {
        stream_free(s);
        xdi__resp_error(resp, 500, "XDIC011E", "out of memory");
        return XDI_CONTROL_DONE;
    }
    memcpy(buf, hello, sizeof hello - 1);
    len = sizeof hello - 1;
    if (since > xdi_server_last_jseq(ctl->srv)) {
        /* An id this server never gave: the client saw another server
         * (this one was restarted, jseq begins at 1 again).  Everything
         * kept is what it missed. */
        static const char restarted[] =
            ": the server was restarted: numbering begins again\n\n";
        memcpy(buf + len, restarted, sizeof restarted - 1);
        len += sizeof restarted - 1;
        since = 0;
        replay = true;
    }
    if (!replay && since > 0)
        replay = true;
    if (since > 0 && ctl->hist_n > 0 &&
        ctl->hist[ctl->hist_start].jseq > since + 1) {
        char gap[128];
        int n = snprintf(
            gap, sizeof gap, ": records %llu to %llu are no longer kept\n\n",
            (unsigned long long)since + 1,
            (unsigned long long)ctl->hist[ctl->hist_start].jseq - 1);
        memcpy(buf + len, gap, (size_t)n);
        len += (size_t)n;
    }
    for (size_t i = 0; replay && i < ctl->hist_n; i++) {
        const struct xdi__hist *h =
            &ctl->hist[(ctl->hist_start + i) % ctl->cfg.history];
        size_t elen = 0;
        char *ev;
        if (h->jseq <= since || !hist_passes(h, s->systems, s->kinds))
            continue;
        ev = sse_event(h->jseq, h->line, h->len, &elen);
        if (ev == NULL)
            continue;
        if (len + elen > cap) {
            size_t ncap = (len + elen) * 2;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(ev);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        memcpy(buf + len, ev, elen);
        len += elen;
        free(ev);
    }
    resp->status = 200;
    resp->content_type = "text/event-stream";
    resp->body = buf;
    resp->body_len = len;
    xdi__resp_header(resp, "Cache-Control", "no-cache");
    s->reply = req->reply;
    xdi__control_now(ctl, &s->last_write);
    s->next = ctl->streams;
    ctl->streams = s;
    return XDI_CONTROL_STREAM;
}

/* ---- waits ------------------------------------------------------------ */

int xdi__wait_start(struct xdi_control *ctl, void *reply, unsigned timeout_ms,
                    const struct xdi__wait_ops *ops, void *arg)
{
    struct xdi__wait *w = calloc(1, sizeof(*w));
    struct xdi__wait **pp = &ctl->waits;

    if (w == NULL)
        return -1;
    w->reply = reply;
    w->ops = *ops;
    w->arg = arg;
    w->after_jseq = xdi_server_last_jseq(ctl->srv);
    xdi__control_now(ctl, &w->deadline);
    add_ms(&w->deadline, timeout_ms);
    /* Appended: waits on one record answer in the order they came. */
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = w;
    return 0;
}

void xdi_control_cancel(struct xdi_control *ctl, void *reply)
{
    struct xdi__wait **pp;
    struct xdi__stream **sp;

    if (ctl == NULL)
        return;
    if (xdi__zosmf_cancel(ctl->zosmf, reply))
        return;
    for (pp = &ctl->waits; *pp != NULL;) {
        struct xdi__wait *w = *pp;
        if (w->reply == reply) {
            *pp = w->next;
            wait_free(w);
        } else {
            pp = &w->next;
        }
    }
    for (sp = &ctl->streams; *sp != NULL;) {
        struct xdi__stream *s = *sp;
        if (s->reply == reply) {
            *sp = s->next;
            stream_free(s);
        } else {
            sp = &s->next;
        }
    }
}

bool xdi_control_deadline(const struct xdi_control *ctl, struct timespec *when)
{
    bool any = false;

    if (ctl->deferred != NULL) {
        /* Due now. */
        xdi__control_now(ctl, when);
        return true;
    }

    for (const struct xdi__wait *w = ctl->waits; w != NULL; w = w->next)
        if (!any || before(&w->deadline, when)) {
            *when = w->deadline;
            any = true;
        }
    for (const struct xdi__stream *s = ctl->streams; s != NULL; s = s->next) {
        struct timespec t = s->last_write;
        t.tv_sec += KEEPALIVE_S;
        if (!any || before(&t, when)) {
            *when = t;
            any = true;
        }
    }
    return any;
}

/* The first wait due at now, unlinked (a fresh scan each time: see
 * unlink_match). */
static struct xdi__wait *unlink_due(struct xdi_control *ctl,
                                    const struct timespec *now)
{
    for (struct xdi__wait **pp = &ctl->waits; *pp != NULL; pp = &(*pp)->next) {
        struct xdi__wait *w = *pp;
        if (!before(now, &w->deadline)) {
            *pp = w->next;
            return w;
        }
    }
    return NULL;
}

int xdi__control_defer(struct xdi_control *ctl, void (*fn)(void *arg),
                       void *arg)
{
    struct xdi__deferred *d = calloc(1, sizeof(*d));
    struct xdi__deferred **pp = &ctl->deferred;

    if (d == NULL)
        return -1;
    d->fn = fn;
    d->arg = arg;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = d;
    return 0;
}

void xdi_control_expire(struct xdi_control *ctl)
{
    struct timespec now;
    struct xdi__wait *w;
    struct xdi__stream **sp = &ctl->streams;
    static const char keepalive[] = ": keep-alive\n\n";

    /* Deferred calls first, in order; one deferred from within runs on
     * the next expire, not in this loop's tail (no endless loop). */
    {
        struct xdi__deferred *list = ctl->deferred;
        ctl->deferred = NULL;
        while (list != NULL) {
            struct xdi__deferred *d = list;
            list = d->next;
            d->fn(d->arg);
            free(d);
        }
    }
    xdi__control_now(ctl, &now);
    while ((w = unlink_due(ctl, &now)) != NULL) {
        answer(ctl, w, NULL);
        wait_free(w);
    }
    while (*sp != NULL) {
        struct xdi__stream *s = *sp;
        struct timespec t = s->last_write;
        t.tv_sec += KEEPALIVE_S;
        if (before(&now, &t)) {
            sp = &s->next;
            continue;
        }
        if (!ctl->env.stream_write(ctl->env.ctx, s->reply, keepalive,
                                   sizeof keepalive - 1)) {
            *sp = s->next;
            stream_free(s);
            continue;
        }
        s->last_write = now;
        sp = &s->next;
    }
}

/* ---- metrics ------------------------------------------------------------ */

struct text {
    char *buf;
    size_t len, cap;
    bool failed;
};

static void put(struct text *t, const char *fmt, ...) XDI__PRINTF(2, 3);

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = true;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        {
            size_t cap = (t->cap + (size_t)n) * 2;
            char *b = realloc(t->buf, cap);
            if (b == NULL) {
                t->failed = true;
                return;
            }
            t->buf = b;
            t->cap = cap;
        }
    }
}

static void put_counters(struct text *t, const char *name, const char *label,
                         const char *extra, const struct xdi__counters *c)
{
    for (size_t i = 0; i < c->n; i++)
        put(t, "%s{%s=\"%s\"%s} %llu\n", name, label, c->v[i].label, extra,
            (unsigned long long)c->v[i].n);
}

char *xdi__metrics_text(struct xdi_control *ctl, size_t *len)
{
    struct text t = {malloc(4096), 0, 4096, false};
    struct xdi_traffic tr;

    if (t.buf == NULL)
        return NULL;
    t.buf[0] = '\0';
    xdi_server_totals(ctl->srv, &tr);
    put(&t,
        "# HELP xdi_connections Agent connections open now.\n"
        "# TYPE xdi_connections gauge\nxdi_connections %zu\n",
        xdi_server_connections(ctl->srv));
    put(&t,
        "# HELP xdi_sessions Agents logged in now.\n"
        "# TYPE xdi_sessions gauge\nxdi_sessions %zu\n",
        xdi_server_sessions(ctl->srv));
    put(&t,
        "# HELP xdi_held_triggers Exec jobs held for hosts not logged "
        "in.\n# TYPE xdi_held_triggers gauge\nxdi_held_triggers %zu\n",
        xdi_server_held_triggers(ctl->srv));
    put(&t,
        "# HELP xdi_naccbs_total NACCBs by key and direction (in: from "
        "agents, out: written to them).\n# TYPE xdi_naccbs_total counter\n");
    put_counters(&t, "xdi_naccbs_total", "key", ",direction=\"in\"",
                 &ctl->naccbs_in);
    put_counters(&t, "xdi_naccbs_total", "key", ",direction=\"out\"",
                 &ctl->naccbs_out);
    put(&t,
        "# HELP xdi_bytes_total Bytes received from and written to "
        "agents.\n# TYPE xdi_bytes_total counter\n"
        "xdi_bytes_total{direction=\"in\"} %llu\n"
        "xdi_bytes_total{direction=\"out\"} %llu\n",
        (unsigned long long)tr.bytes_in, (unsigned long long)tr.bytes_out);
    put(&t, "# HELP xdi_errors_total Error NACCBs sent for violations, by "
            "error code.\n# TYPE xdi_errors_total counter\n");
    put_counters(&t, "xdi_errors_total", "code", "", &ctl->errors);
    put(&t, "# HELP xdi_rejects_total Logins rejected, by reason (the "
            "check that failed).\n# TYPE xdi_rejects_total counter\n");
    put_counters(&t, "xdi_rejects_total", "reason", "", &ctl->rejects);
    put(&t,
        "# HELP xdi_journal_records_total Journal records made.\n"
        "# TYPE xdi_journal_records_total counter\n"
        "xdi_journal_records_total %llu\n"
        "# HELP xdi_journal_bytes_total Bytes of journal lines, newlines "
        "included.\n# TYPE xdi_journal_bytes_total counter\n"
        "xdi_journal_bytes_total %llu\n",
        (unsigned long long)ctl->records,
        (unsigned long long)ctl->record_bytes);
    put(&t,
        "# HELP xdi_control_jobs Jobs in the job registry.\n"
        "# TYPE xdi_control_jobs gauge\nxdi_control_jobs %zu\n",
        xdi_jobs_count(ctl->jobs));
    if (t.failed) {
        free(t.buf);
        return NULL;
    }
    *len = t.len;
    return t.buf;
}

/* ---- routing ------------------------------------------------------------ */

static bool under(const char *path, const char *prefix)
{
    size_t n = strlen(prefix);

    return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

enum xdi_control_verdict xdi_control_handle(struct xdi_control *ctl,
                                            const struct xdi_http_request *req,
                                            struct xdi_http_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    if (req->method == NULL || req->path == NULL) {
        xdi__resp_error(resp, 400, "XDIC006E", "no method or path");
        return XDI_CONTROL_DONE;
    }
    if (under(req->path, "/zosmf"))
        return xdi__zosmf_handle(ctl->zosmf, req, resp);
    if (under(req->path, "/xdi"))
        return xdi__api_handle(ctl, req, resp);
    xdi__resp_error(resp, 404, "XDIC004E", "no such route: %s %s", req->method,
                    req->path);
    return XDI_CONTROL_DONE;
}
