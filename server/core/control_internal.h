/*
 * control_internal.h - what the files of the control plane's request core
 * share (control.c: life cycle, records, history, streams, waits, metrics;
 * control_auth.c: users, tokens, verification; control_api.c: the /xdi
 * routes) and what a sibling module built on it needs: the z/OSMF facade
 * (zosmf.c), which the router hands every request under /zosmf/.
 *
 * Not for the HTTP layer (control.h is its seam).  Internal names carry
 * xdi__.  Single-threaded, no I/O, like the rest of the core.
 */
#ifndef XDI_CONTROL_INTERNAL_H
#define XDI_CONTROL_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control.h"
#include "jobs.h"

#if defined(__GNUC__)
#define XDI__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define XDI__PRINTF(f, a)
#endif

/* ---- JSON responses (control.c) ------------------------------------------ */

/* resp becomes status with body (owned; NULL: {}) as application/json;
 * "rc" (the status) is put first and "message" ([] when body has none). */
void xdi__resp_json(struct xdi_http_response *resp, int status, json_t *body);
/* An error: {"rc":status,"msgid":msgid,"message":["MSGID text"]}. */
void xdi__resp_error(struct xdi_http_response *resp, int status,
                     const char *msgid, const char *fmt, ...) XDI__PRINTF(4, 5);
/* A response of any type: body copied (len bytes). */
void xdi__resp_raw(struct xdi_http_response *resp, int status,
                   const char *content_type, const char *body, size_t len);
/* Adds a header (value copied); ignored past XDI_HTTP_MAX_HEADERS. */
void xdi__resp_header(struct xdi_http_response *resp, const char *name,
                      const char *value);

/* The value of query parameter name (percent-decoded, '+' a blank) into
 * buf: true when present (then NUL-terminated, cut at cap - 1). */
bool xdi__query_get(const char *query, const char *name, char *buf, size_t cap);
/* Percent-decodes n bytes of s into buf (cap); false when it does not fit
 * or has a bad escape. */
bool xdi__url_decode(const char *s, size_t n, char *buf, size_t cap,
                     bool plus_is_blank);
/* The request body as a JSON object: an empty body is {}.  NULL (with a
 * 400 in resp) when it is not a JSON object. */
json_t *xdi__body_object(const struct xdi_http_request *req,
                         struct xdi_http_response *resp);

/* ---- who asked (control_auth.c) ------------------------------------------ */

struct xdi__who {
    char user[64];
    char system[16]; /* the user's default system ("" when none) */
    bool by_token;   /* a token, not the password, authenticated it */
    char client[64]; /* the request's client address */
};

/* Builds the 401 a failed authentication gets (the z/OSMF module gives its
 * own; NULL: the control plane's {"rc":401,"msgid":"XDIC002E",...} with
 * WWW-Authenticate). */
typedef void (*xdi__fail_fn)(struct xdi_http_response *resp, const char *why);

/*
 * Authenticates req: Authorization "Bearer TOKEN", or "Basic" with
 * user:TOKEN, or user:password (crypt(3)), or xdi:TOKEN for the
 * --control-token.  true with *who.  false: a failure, journalled
 * ("control_auth_failed"), answered in *verdict: DONE with the 401 in resp,
 * or PENDING when repeated failures from the client delay it (the 401 then
 * comes through env->respond for req->reply).  fail may be NULL.
 */
bool xdi__authenticate(struct xdi_control *ctl,
                       const struct xdi_http_request *req, struct xdi__who *who,
                       struct xdi_http_response *resp,
                       enum xdi_control_verdict *verdict, xdi__fail_fn fail);

/* ---- waits (control.c) ---------------------------------------------------- */

struct xdi__wait_ops {
    /* true when rec answers the wait (NULL: only the deadline ends it). */
    bool (*match)(void *arg, const struct xdi_record *rec);
    /* The answer: rec the record that matched, or NULL when the deadline
     * passed.  resp is empty; fill it. */
    void (*done)(void *arg, struct xdi_control *ctl,
                 const struct xdi_record *rec, struct xdi_http_response *resp);
    /* Frees arg (after done, or when the client went away); may be NULL. */
    void (*free)(void *arg);
};

/* Answers reply later: when a record matches, or after timeout_ms.  0, or
 * -1 when out of memory (arg then still the caller's). */
int xdi__wait_start(struct xdi_control *ctl, void *reply, unsigned timeout_ms,
                    const struct xdi__wait_ops *ops, void *arg);

/* fn(arg) from the next xdi_control_expire() (the deadline is then "now"):
 * for work a module may not do inside xdi_control_record() (which runs
 * inside the server core), such as sending.  Never called when the
 * control plane is freed first (arg is then the caller's to free: keep
 * it in the module and free it there).  0, or -1 when out of memory. */
int xdi__control_defer(struct xdi_control *ctl, void (*fn)(void *arg),
                       void *arg);

/* ---- the control plane's state, for its modules -------------------------- */

struct xdi_server *xdi__control_server(struct xdi_control *ctl);
struct xdi_jobs *xdi__control_jobs(struct xdi_control *ctl);
const struct xdi_control_env *xdi__control_env(struct xdi_control *ctl);
/* The wall clock of the control plane (the server's injected one). */
void xdi__control_now(const struct xdi_control *ctl, struct timespec *now);

/* A "control" record (docs/journal.md): event, user, client, interface
 * ("control" or "zosmf") and action, to which the caller adds what it did,
 * then hands to the server (xdi_server_journal, or as the why of an
 * on-demand request). */
json_t *xdi__control_rec(const struct xdi__who *who, const char *interface,
                         const char *action);

/*
 * On-demand requests as the /xdi routes make them (the z/OSMF module uses
 * the same): the control record is built and journalled, the NACCB sent.
 * *jseq gets the jseq of the "send" record (0 when nothing was sent),
 * *conn its connection.  The result as server.h.
 */
enum xdi_od_result xdi__od_command(struct xdi_control *ctl,
                                   const struct xdi__who *who,
                                   const char *interface, const char *system,
                                   const char *command, uint64_t *conn,
                                   uint64_t *jseq);
/* Exec job; *job (may be NULL) gets the job-registry entry it created (a
 * new reference, NULL when nothing was sent). */
enum xdi_od_result xdi__od_job(struct xdi_control *ctl,
                               const struct xdi__who *who,
                               const char *interface, const char *system,
                               const char *name, uint64_t *conn, uint64_t *jseq,
                               json_t **job);

/* ---- the z/OSMF facade (zosmf.c; zosmf_stub.c until it exists) ---------- */

struct xdi__zosmf;

/* Made with the control plane (NULL is allowed: no facade). */
struct xdi__zosmf *xdi__zosmf_new(struct xdi_control *ctl);
void xdi__zosmf_free(struct xdi__zosmf *z);
/* A request whose path begins with /zosmf/ (or is /zosmf).  As
 * xdi_control_handle; authentication is the facade's business
 * (xdi__authenticate on every request). */
enum xdi_control_verdict xdi__zosmf_handle(struct xdi__zosmf *z,
                                           const struct xdi_http_request *req,
                                           struct xdi_http_response *resp);
/* Every record, after the control plane's own bookkeeping. */
void xdi__zosmf_record(struct xdi__zosmf *z, const struct xdi_record *rec);
/* POST /xdi/host/reset: forget what the facade keeps. */
void xdi__zosmf_reset(struct xdi__zosmf *z);
/* The client of a PENDING request went away (before the control plane's
 * own waits are searched); true when the facade knew the reply. */
bool xdi__zosmf_cancel(struct xdi__zosmf *z, void *reply);

/* ---- the /xdi routes (control_api.c) ------------------------------------- */

enum xdi_control_verdict xdi__api_handle(struct xdi_control *ctl,
                                         const struct xdi_http_request *req,
                                         struct xdi_http_response *resp);

/* ---- control.c internals used by control_api.c ---------------------------- */

/* GET /xdi/journal: records with jseq > since passing the filters
 * (comma-separated lists, NULL or "" = any), at most limit. */
json_t *xdi__history_query(struct xdi_control *ctl, uint64_t since,
                           const char *systems, const char *kinds, size_t limit,
                           uint64_t *next);
/* GET /xdi/journal/stream: the head and the replay into resp, the stream
 * kept open. */
enum xdi_control_verdict xdi__stream_open(struct xdi_control *ctl,
                                          const struct xdi_http_request *req,
                                          uint64_t since, const char *systems,
                                          const char *kinds,
                                          struct xdi_http_response *resp);
/* GET /xdi/metrics text. */
char *xdi__metrics_text(struct xdi_control *ctl, size_t *len);
/* Logon / logoff (control_auth.c). */
enum xdi_control_verdict xdi__auth_logon(struct xdi_control *ctl,
                                         const struct xdi_http_request *req,
                                         struct xdi_http_response *resp);
void xdi__auth_logoff(struct xdi_control *ctl,
                      const struct xdi_http_request *req,
                      const struct xdi__who *who);
/* Forgets every token (host reset keeps them; the free needs this). */
void xdi__auth_free(struct xdi_control *ctl);
/* The zosmf facade of ctl. */
struct xdi__zosmf *xdi__control_zosmf(struct xdi_control *ctl);

/* ---- the state (control*.c only; a sibling module uses the functions) --- */

struct xdi__user {
    char *name;
    char *hash;   /* crypt(3) */
    char *system; /* default system, or NULL */
};

struct xdi__token {
    struct xdi__token *next;
    char token[48];
    char user[64];
    char system[16];
    char client[64];
    struct timespec last; /* last use: idle expiry counts from it */
    uint32_t session;
};

/* Wrong credentials from one client: repeated ones are answered late. */
struct xdi__failure {
    char client[64];
    unsigned count;
    struct timespec last;
};

#define XDI__FAILURES 64

struct xdi__deferred {
    struct xdi__deferred *next;
    void (*fn)(void *arg);
    void *arg;
};

struct xdi__wait {
    struct xdi__wait *next;
    uint64_t after_jseq; /* records up to this one were made before it */
    void *reply;
    struct timespec deadline;
    struct xdi__wait_ops ops;
    void *arg;
};

struct xdi__stream {
    struct xdi__stream *next;
    void *reply;
    char *systems; /* comma list, or NULL */
    char *kinds;
    struct timespec last_write; /* for the keep-alive comment */
};

/* One record kept for /xdi/journal and a reconnecting stream. */
struct xdi__hist {
    uint64_t jseq;
    char event[32];  /* for the filters */
    char system[24]; /* (8 characters: 16 bytes of UTF-8 at most) */
    char *line;
    size_t len;
};

/* Prometheus counters learnt from records. */
struct xdi__counter {
    char label[40];
    uint64_t n;
};

struct xdi__counters {
    struct xdi__counter *v;
    size_t n, cap;
};

struct xdi_control {
    struct xdi_server *srv;
    struct xdi_control_config cfg;
    struct xdi_control_env env;
    struct xdi_clock clock;
    char *token; /* cfg.token, copied */
    struct xdi__user *users;
    size_t n_users;
    struct xdi__token *tokens;
    struct xdi__failure failures[XDI__FAILURES];
    struct xdi__wait *waits;
    struct xdi__deferred *deferred;
    struct xdi__stream *streams;
    struct xdi__hist *hist; /* ring of cfg.history */
    size_t hist_start, hist_n;
    struct xdi_jobs *jobs;
    struct xdi__zosmf *zosmf;
    /* metrics */
    struct xdi__counters naccbs_in, naccbs_out, errors, rejects;
    uint64_t records, record_bytes;
};

#endif /* XDI_CONTROL_INTERNAL_H */
