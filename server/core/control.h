/*
 * control.h - the control plane's request core (docs/control.md).
 *
 * What an HTTP request to the control plane does lives here, beside the
 * protocol core and like it without libuv and without file I/O: the HTTP
 * layer (server/uv/control_http.c) parses the request with its library,
 * hands it over as a struct xdi_http_request and sends back the struct
 * xdi_http_response it gets.  Everything the control plane knows of the
 * host it learns from the server core's API (server.h) and from the
 * records the core makes: the application's record callback hands every
 * record to xdi_control_record() as well as to the journal sink, so the
 * control plane never tails the journal file.
 *
 * Some answers come later: a request with "wait" answers when the agent
 * does (or the wait times out), a repeated wrong password is answered
 * after a delay, and the journal stream (Server-Sent Events) stays open.
 * xdi_control_handle() then returns PENDING or STREAM and the answer or
 * the stream's further bytes reach the HTTP layer through the env
 * callbacks.  The core keeps no timer of its own: after every call the
 * HTTP layer asks xdi_control_deadline() when to call
 * xdi_control_expire().
 *
 * Single-threaded, like the server core.  The env callbacks may not call
 * back into the control core.
 */
#ifndef XDI_CONTROL_H
#define XDI_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "output.h"
#include "server.h"

struct xdi_control;

/* One request, as the HTTP layer parsed it; valid during the call only. */
struct xdi_http_request {
    const char *method;        /* "GET", "POST", "PUT", "DELETE", ... */
    const char *path;          /* without the query: "/xdi/systems/SYSA" */
    const char *query;         /* after '?', not decoded; "" when none */
    const char *authorization; /* the Authorization header, or NULL */
    const char *content_type;  /* or NULL */
    const char *last_event_id; /* Last-Event-ID, or NULL */
    bool csrf_header;          /* X-CSRF-ZOSMF-HEADER was sent (z/OSMF) */
    const uint8_t *body;
    size_t body_len;
    const char *client; /* the client's address without port: "127.0.0.1",
                           "::1" (tokens are tied to it) */
    void *reply;        /* the HTTP layer's handle for a later answer */
    const char *host;   /* the Host header ("127.0.0.1:8080"), or NULL:
                           for the absolute URLs of the z/OSMF facade */
};

/* A response header the core sets (name a static string, value owned). */
struct xdi_http_header {
    const char *name;
    char *value;
};

#define XDI_HTTP_MAX_HEADERS 4

/* One answer.  Owned by whoever holds it; xdi_http_response_free(). */
struct xdi_http_response {
    int status;               /* 200, 401, 404, ... */
    const char *content_type; /* a static string */
    char *body;               /* malloc'd, body_len bytes (no NUL needed) */
    size_t body_len;
    struct xdi_http_header headers[XDI_HTTP_MAX_HEADERS];
    size_t n_headers; /* Authentication-Info, WWW-Authenticate, ... */
};

void xdi_http_response_free(struct xdi_http_response *resp);

enum xdi_control_verdict {
    XDI_CONTROL_DONE,    /* resp is the answer: send it */
    XDI_CONTROL_PENDING, /* the answer comes later through env->respond */
    XDI_CONTROL_STREAM,  /* resp is the head and first bytes of a stream
                            that stays open; more through
                            env->stream_write until either side ends it */
};

/* How the control core reaches the application. */
struct xdi_control_env {
    void *ctx;
    /* The later answer of a PENDING request (resp becomes the callee's). */
    void (*respond)(void *ctx, void *reply, struct xdi_http_response *resp);
    /* More bytes of an open stream.  false: the client is gone or too slow
     * (its buffer is full); the core forgets the stream and the HTTP layer
     * closes it. */
    bool (*stream_write)(void *ctx, void *reply, const char *data,
                         size_t len);
    /* POST /xdi/host/reload: load the fixture set again and swap it in
     * with xdi_server_reload().  0, or -1 with what went wrong in msg. */
    int (*reload)(void *ctx, char *msg, size_t msg_size);
    /* POST /xdi/host/reset with "rotate_journal": start a new journal
     * file (the old one renamed).  0, or -1 with msg.  May be NULL. */
    int (*rotate_journal)(void *ctx, char *msg, size_t msg_size);
    /* len random bytes (tokens, session numbers). */
    void (*random)(void *ctx, uint8_t *buf, size_t len);
};

struct xdi_control_config {
    unsigned token_idle_s;  /* a token unused this long expires: 900 */
    size_t history;         /* records kept for /xdi/journal and for a
                               reconnecting stream: 10000 */
    const char *token;      /* --control-token (CI), or NULL */
    unsigned fail_delay_ms; /* answer of a repeated wrong password delayed
                               up to this: 2000 */
    /* The text of server/control/openapi.json (the HTTP layer reads the
     * installed file), served at GET /xdi/openapi.json without
     * authentication; NULL: that route answers 404.  Borrowed: must
     * outlive the control plane. */
    const char *openapi_json;
    size_t openapi_len;
};

void xdi_control_config_defaults(struct xdi_control_config *cfg);

/* A control plane over srv (which must outlive it).  clock as the server's
 * (may be NULL: the real clock).  NULL when out of memory. */
struct xdi_control *xdi_control_new(struct xdi_server *srv,
                                    const struct xdi_control_config *cfg,
                                    const struct xdi_control_env *env,
                                    const struct xdi_clock *clock);
void xdi_control_free(struct xdi_control *ctl);

/* The users of --control-users FILE, from the file's text (the HTTP layer
 * reads it): one "name:hash[:default-system]" per line, '#' comments and
 * blank lines ignored, hash anything crypt(3) verifies.  0, or -1 with
 * "FILE:LINE: what" in err; on error no user of the text is added. */
int xdi_control_load_users(struct xdi_control *ctl, const char *text,
                           size_t len, const char *filename, char *err,
                           size_t err_size);

/* A token's text: XDI_CONTROL_TOKEN_RAW random bytes as url-safe base64
 * without padding, XDI_CONTROL_TOKEN_LEN characters, never beginning with
 * '-' or '_' (so that no command line takes it for an option).  For the
 * session tokens of logon and for the token xdi-server generates when it
 * is given neither users nor a token. */
#define XDI_CONTROL_TOKEN_RAW 32
#define XDI_CONTROL_TOKEN_LEN 43
void xdi_control_token_text(const uint8_t raw[XDI_CONTROL_TOKEN_RAW],
                            char out[XDI_CONTROL_TOKEN_LEN + 1]);

/* Every record the server core makes (call it from the record callback,
 * after the journal sink kept it).  The core makes records during the
 * control plane's own calls too (a request that sends, a reload, an
 * expiry): entering it then is expected and safe. */
void xdi_control_record(struct xdi_control *ctl, const struct xdi_record *rec);

/* One request.  resp is filled on DONE and STREAM. */
enum xdi_control_verdict xdi_control_handle(struct xdi_control *ctl,
                                            const struct xdi_http_request *req,
                                            struct xdi_http_response *resp);

/* The client of a PENDING request or a STREAM went away: forget it (no
 * callback for it follows). */
void xdi_control_cancel(struct xdi_control *ctl, void *reply);

/* The earliest instant at which xdi_control_expire() has work (a wait or
 * delayed answer due): true and *when, or false when nothing waits. */
bool xdi_control_deadline(const struct xdi_control *ctl,
                          struct timespec *when);

/* The routes under /xdi (OpenAPI path templates, "/xdi/systems/{name}"):
 * what server/control/openapi.json describes.  *n gets their number. */
struct xdi_control_route {
    const char *method; /* "GET", "POST", "DELETE" */
    const char *path;
    bool auth; /* false: answered without credentials */
};
const struct xdi_control_route *xdi_control_routes(size_t *n);

/* Answer everything whose deadline has passed (timed-out waits answer
 * with what they have). */
void xdi_control_expire(struct xdi_control *ctl);

#endif /* XDI_CONTROL_H */
