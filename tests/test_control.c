/*
 * test_control.c - the control plane's request core (server/core/control.h)
 * driven with requests, on a server core with the fake output of
 * tests/support/core_harness.c: routing (404, 405), authentication (token,
 * users file and crypt(3), wrong credentials and their delay, token idle
 * expiry and address binding, logoff, :newpassword), the systems, exec
 * command and exec job with and without waits (the agent's answer, the
 * timeout, the client going away), the job registry routes, host down /
 * up / reset, the journal history and stream, metrics, and the OpenAPI
 * file against the route table.
 *
 * Wire bytes are written by hand from docs/protocol.md §3 and §7 (EBCDIC
 * IBM-037), never produced by the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "control.h"
#include "control_internal.h"
#include "core_harness.h"
#include "server.h"

#define T0 1795428000 /* Monday 2026-11-23 10:00:00 UTC */
#define TOKEN "ci-token-0123456789abcdefghijklmnop"
#define CLIENT "127.0.0.1"

/* "D A,L" in EBCDIC: D=C4 blank=40 A=C1 ,=6B L=D3. */
#define TXT_DAL "C440C16BD3"
#define EXEC_DAL(id, sys)                                                      \
    "00000029 " id " " sys " 01020104 " EXT0 " 00000000 00000001 00000005 "   \
    TXT_DAL
#define INFO_CMD_DAL(id, sys)                                                  \
    "00000029 " id " " sys " 02010A04 " EXT0 " 00000000 00000001 00000005 "   \
    TXT_DAL
#define PAYROLL2 "D7C1E8D9D6D3D3F2"
#define EXEC_JOB(id, sys, job)                                                 \
    "0000002C " id " " sys " 01020108 " EXT0 " 00000000 00000001 00000008 " job
/* An EOTINFO report (§9): end of job PAYROLL2 on SYSA, max CC 4, notes
 * J blank N R (D1 40 D5 D9). */
#define Z32 Z8 Z8 Z8 Z8
#define EOT(sys, job, step, stepno, scc, ucc, maxcc, notes)                    \
    Z40 Z40 "00 80" Z24 B8 sys job step B8 stepno scc ucc maxcc notes          \
    "00000000"
#define INFO_EOT(id, sys)                                                      \
    "000000C6 " id " " sys " 02010A07 " EXT0 " 00000000 00000001 000000A2 "
/* Agent error about an exec job (§7 A11): 02010B08, error 05. */
#define AGENT_ERR_JOB(id, sys)                                                 \
    "00000024 " id " " sys " 02010B08 05000000 " NOOBJ
#define REJECT06(sys) "00000024 00000000 " sys " 01020800 06000000 " NOOBJ
#define LOGOUT(id, sys) "00000024 " id " " sys " 02010600 " EXT0 " " NOOBJ

static const char *const fixtures_yaml =
    "settings:\n"
    "  codepage: \"037\"\n"
    "hosts:\n"
    "  - system: SYSA\n"
    "    ems:\n"
    "      events:\n"
    "        - {key: D, type: command}\n"
    "    scd:\n"
    "      jobs:\n"
    "        - job: PAYROLL2\n"
    "  - system: SYSB\n"
    "    ems:\n"
    "      events: [{key: HELLO, type: message}]\n";

static time_t fake_now = T0;

/* ---- the application side: env callbacks ------------------------------------ */

#define MAX_ANSWERS 8

struct env {
    char dir[64], yaml[96];
    struct xdi_server *srv;
    struct xdi_control *ctl;
    struct th_journal journal;
    struct th_io io[2];
    struct xdi_conn *conn[2];
    /* What env->respond was given, in order. */
    struct xdi_http_response answers[MAX_ANSWERS];
    void *answer_reply[MAX_ANSWERS];
    size_t n_answers;
    /* What env->stream_write was given. */
    char *stream;
    size_t stream_len;
    bool stream_full; /* stream_write says the client is too slow */
    uint64_t rnd;     /* env->random: an LCG, distinct tokens */
    int reloads;
    char openapi[1 << 16];
};

static void respond(void *ctx, void *reply, struct xdi_http_response *resp)
{
    struct env *e = ctx;

    assert_true(e->n_answers < MAX_ANSWERS);
    e->answers[e->n_answers] = *resp;
    e->answer_reply[e->n_answers] = reply;
    e->n_answers++;
    memset(resp, 0, sizeof(*resp));
}

static bool stream_write(void *ctx, void *reply, const char *data, size_t len)
{
    struct env *e = ctx;

    (void)reply;
    if (e->stream_full)
        return false;
    e->stream = realloc(e->stream, e->stream_len + len + 1);
    assert_non_null(e->stream);
    memcpy(e->stream + e->stream_len, data, len);
    e->stream_len += len;
    e->stream[e->stream_len] = '\0';
    return true;
}

static int reload(void *ctx, char *msg, size_t cap)
{
    struct env *e = ctx;

    e->reloads++;
    snprintf(msg, cap, "hosts.yaml:3: bad");
    return -1;
}

static void random_bytes(void *ctx, uint8_t *buf, size_t len)
{
    struct env *e = ctx;

    for (size_t i = 0; i < len; i++) {
        e->rnd = e->rnd * 6364136223846793005u + 1442695040888963407u;
        buf[i] = (uint8_t)(e->rnd >> 56);
    }
}

static void tap(void *ctx, const struct xdi_record *rec)
{
    struct env *e = ctx;

    if (e->ctl != NULL)
        xdi_control_record(e->ctl, rec);
}

static void fake_wall(void *ctx, struct timespec *now)
{
    now->tv_sec = *(const time_t *)ctx;
    now->tv_nsec = 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void boot(struct env *e, const struct xdi_control_config *cfg_in)
{
    struct xdi_fixture_set *set = NULL;
    FILE *f = fopen(e->yaml, "w");
    struct xdi_control_config cfg;
    struct xdi_control_env env = {e, respond, stream_write, reload, NULL,
                                  random_bytes};
    struct xdi_clock clock = {&fake_now, fake_wall};

    assert_non_null(f);
    fputs(fixtures_yaml, f);
    fclose(f);
    assert_int_equal(xdi_fixture_load(e->dir, &set, NULL, NULL), 0);
    th_journal_init(&e->journal);
    e->journal.tap = tap;
    e->journal.tap_ctx = e;
    e->srv = th_server_new(NULL, set, &e->journal, &fake_now);
    if (cfg_in != NULL) {
        cfg = *cfg_in;
    } else {
        xdi_control_config_defaults(&cfg);
        cfg.token = TOKEN;
    }
    e->ctl = xdi_control_new(e->srv, &cfg, &env, &clock);
    assert_non_null(e->ctl);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof(*e));

    assert_non_null(e);
    snprintf(e->dir, sizeof e->dir, "/tmp/test_control_XXXXXX");
    assert_non_null(mkdtemp(e->dir));
    snprintf(e->yaml, sizeof e->yaml, "%s/hosts.yaml", e->dir);
    fake_now = T0;
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;

    xdi_control_free(e->ctl);
    e->ctl = NULL;
    th_server_stop(&e->srv, e->conn, e->io, 2);
    th_journal_free(&e->journal);
    for (size_t i = 0; i < e->n_answers; i++)
        xdi_http_response_free(&e->answers[i]);
    free(e->stream);
    unlink(e->yaml);
    rmdir(e->dir);
    free(e);
    return 0;
}

/* ---- requests --------------------------------------------------------------- */

static char *b64(const char *s)
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), k = 0;
    char *out = malloc(n * 2 + 8);

    assert_non_null(out);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)(unsigned char)s[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)s[i + 2];
        out[k++] = a[(v >> 18) & 63];
        out[k++] = a[(v >> 12) & 63];
        out[k++] = i + 1 < n ? a[(v >> 6) & 63] : '=';
        out[k++] = i + 2 < n ? a[v & 63] : '=';
    }
    out[k] = '\0';
    return out;
}

/* "Basic base64(cred)" into buf. */
static const char *basic(char *buf, size_t cap, const char *cred)
{
    char *x = b64(cred);

    snprintf(buf, cap, "Basic %s", x);
    free(x);
    return buf;
}

struct answer {
    enum xdi_control_verdict verdict;
    struct xdi_http_response resp;
    json_t *json; /* the body parsed (DONE, JSON) */
};

static void answer_free(struct answer *a)
{
    xdi_http_response_free(&a->resp);
    json_decref(a->json);
    memset(a, 0, sizeof(*a));
}

static int reply_tag; /* its address is the reply handle of the requests */

static struct answer call_full(struct env *e, const char *method,
                               const char *path, const char *query,
                               const char *auth, const char *body,
                               const char *client, const char *last_id)
{
    struct xdi_http_request req;
    struct answer a;

    memset(&req, 0, sizeof req);
    memset(&a, 0, sizeof a);
    req.method = method;
    req.path = path;
    req.query = query != NULL ? query : "";
    req.authorization = auth;
    req.body = (const uint8_t *)body;
    req.body_len = body != NULL ? strlen(body) : 0;
    req.client = client;
    req.last_event_id = last_id;
    req.reply = &reply_tag;
    a.verdict = xdi_control_handle(e->ctl, &req, &a.resp);
    if (a.verdict == XDI_CONTROL_DONE && a.resp.content_type != NULL &&
        strcmp(a.resp.content_type, "application/json") == 0 &&
        strcmp(path, "/xdi/openapi.json") != 0 &&
        strncmp(path, "/zosmf", 6) != 0) { /* z/OSMF's shapes differ */
        json_error_t err;
        a.json = json_loadb(a.resp.body, a.resp.body_len, 0, &err);
        if (a.json == NULL)
            fail_msg("response is not JSON: %.*s", (int)a.resp.body_len,
                     a.resp.body);
        /* Every JSON answer: rc = the status, a message array. */
        assert_int_equal(json_integer_value(json_object_get(a.json, "rc")),
                         a.resp.status);
        assert_true(json_is_array(json_object_get(a.json, "message")));
    }
    return a;
}

static struct answer call(struct env *e, const char *method, const char *path,
                          const char *body)
{
    return call_full(e, method, path, NULL, "Bearer " TOKEN, body, CLIENT,
                     NULL);
}

/* A request that must answer status at once; its JSON. */
static json_t *expect_status(struct env *e, const char *method,
                             const char *path, const char *body, int status)
{
    struct answer a = call(e, method, path, body);
    json_t *j;

    assert_int_equal(a.verdict, XDI_CONTROL_DONE);
    if (a.resp.status != status)
        fail_msg("%s %s: %d, want %d: %.*s", method, path, a.resp.status,
                 status, (int)a.resp.body_len, a.resp.body);
    j = json_incref(a.json);
    answer_free(&a);
    return j;
}

static const char *header(const struct xdi_http_response *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static const char *msgid(const json_t *j)
{
    return json_string_value(json_object_get(j, "msgid"));
}

static void login_sysa(struct env *e)
{
    th_login(e->srv, &e->conn[0], &e->io[0], SYSA, "00000001");
    th_feed(e->conn[0], ACQ_EMS("00000001", SYSA), 0);
    th_feed(e->conn[0], ACQ_SCD("00000001", SYSA), 0);
    e->io[0].len = 0;
}

/* ---- routing -------------------------------------------------------------- */

static void test_control_unknown_route_and_method(void **state)
{
    struct env *e = *state;
    json_t *j;

    boot(e, NULL);
    j = expect_status(e, "GET", "/xdi/nothing", NULL, 404);
    assert_string_equal(msgid(j), "XDIC004E");
    json_decref(j);
    j = expect_status(e, "GET", "/elsewhere", NULL, 404);
    json_decref(j);
    j = expect_status(e, "DELETE", "/xdi/systems", NULL, 405);
    assert_string_equal(msgid(j), "XDIC005E");
    json_decref(j);
    /* /zosmf goes to the facade, which wants credentials first. */
    {
        struct answer a = call_full(e, "GET", "/zosmf/restjobs/jobs", NULL,
                                    NULL, NULL, CLIENT, NULL);
        assert_int_equal(a.verdict, XDI_CONTROL_DONE);
        assert_int_equal(a.resp.status, 401);
        answer_free(&a);
    }
}

/* ---- authentication ------------------------------------------------------- */

/* Token text: url-safe base64 of the 32 bytes (vectors by hand: 0x00 x3
 * is "AAAA", 0xFB 0xEF 0xBE is "----", 0xFF x3 is "____"), but never a
 * '-' or '_' first: a generated token that began with '-' was taken for an
 * option by `xdi-ctl --token TOKEN`. */
static void test_control_token_text_never_begins_with_a_dash(void **state)
{
    uint8_t raw[XDI_CONTROL_TOKEN_RAW];
    char out[XDI_CONTROL_TOKEN_LEN + 1];

    (void)state;
    memset(raw, 0, sizeof raw);
    xdi_control_token_text(raw, out);
    assert_int_equal(strlen(out), XDI_CONTROL_TOKEN_LEN);
    assert_string_equal(out, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for (size_t i = 0; i < sizeof raw; i += 3) {
        raw[i] = 0xFB;
        if (i + 1 < sizeof raw)
            raw[i + 1] = 0xEF;
        if (i + 2 < sizeof raw)
            raw[i + 2] = 0xBE;
    }
    xdi_control_token_text(raw, out);
    /* 30 bytes are "----" x10; the last two, 0xFB 0xEF, are "--8" (their
     * last 4 bits padded with zeros: 111100 is '8'); the first '-' becomes
     * 'A'. */
    assert_string_equal(out, "A-----------------------------------------8");
    memset(raw, 0xFF, sizeof raw);
    xdi_control_token_text(raw, out);
    assert_string_equal(out, "B_________________________________________8");
}

static void test_control_logon_with_token_and_bearer(void **state)
{
    struct env *e = *state;
    char auth[256], bearer[128];
    const char *info, *q1, *q2;
    char token[64];
    struct answer a;
    json_t *j;

    boot(e, NULL);
    a = call_full(e, "POST", "/xdi/logon", NULL,
                  basic(auth, sizeof auth, "xdi:" TOKEN), NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    assert_int_equal(json_integer_value(json_object_get(a.json, "session")) > 0,
                     1);
    assert_string_equal(json_string_value(json_object_get(a.json, "user")),
                        "xdi");
    assert_int_equal(json_integer_value(json_object_get(a.json, "expires_s")),
                     900);
    assert_non_null(strstr(json_string_value(json_array_get(
                               json_object_get(a.json, "message"), 0)),
                           "XDIC001I"));
    info = header(&a.resp, "Authentication-Info");
    assert_non_null(info);
    q1 = strchr(info, '"');
    assert_non_null(q1);
    q2 = strchr(q1 + 1, '"');
    assert_non_null(q2);
    assert_true(q2 - q1 - 1 >= 32);
    snprintf(token, sizeof token, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
    for (const char *p = token; *p != '\0'; p++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                               "vwxyz0123456789-_",
                               *p));
    answer_free(&a);
    /* The logon is journalled. */
    j = th_jrec(&e->journal, "control", 0);
    assert_non_null(j);
    assert_string_equal(th_jstr(j, "action"), "logon");
    assert_string_equal(th_jstr(j, "user"), "xdi");
    assert_string_equal(th_jstr(j, "client"), CLIENT);
    json_decref(j);

    snprintf(bearer, sizeof bearer, "Bearer %s", token);
    a = call_full(e, "GET", "/xdi/systems", NULL, bearer, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    /* Basic user:TOKEN works too. */
    {
        char cred[128];
        snprintf(cred, sizeof cred, "xdi:%s", token);
        a = call_full(e, "GET", "/xdi/host", NULL,
                      basic(auth, sizeof auth, cred), NULL, CLIENT, NULL);
        assert_int_equal(a.resp.status, 200);
        answer_free(&a);
    }
    /* Tied to the client address. */
    a = call_full(e, "GET", "/xdi/systems", NULL, bearer, NULL, "192.0.2.9",
                  NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);
    /* Logoff: the token is gone. */
    a = call_full(e, "POST", "/xdi/logoff", NULL, bearer, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/systems", NULL, bearer, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);
}

static void test_control_wrong_password_401_and_delay(void **state)
{
    struct env *e = *state;
    char auth[256];
    struct answer a;
    struct timespec when;
    json_t *j;

    boot(e, NULL);
    assert_false(xdi_control_deadline(e->ctl, &when));
    a = call_full(e, "GET", "/xdi/systems", NULL,
                  basic(auth, sizeof auth, "xdi:wrong"), NULL, CLIENT, NULL);
    assert_int_equal(a.verdict, XDI_CONTROL_DONE);
    assert_int_equal(a.resp.status, 401);
    assert_string_equal(msgid(a.json), "XDIC002E");
    assert_string_equal(header(&a.resp, "WWW-Authenticate"),
                        "Basic realm=\"xdi-emu\"");
    /* Nothing but the 401: no systems. */
    assert_null(json_object_get(a.json, "systems"));
    answer_free(&a);
    j = th_jrec(&e->journal, "control_auth_failed", 0);
    assert_non_null(j);
    assert_string_equal(th_jstr(j, "user"), "xdi");
    assert_string_equal(th_jstr(j, "client"), CLIENT);
    json_decref(j);
    /* No header at all is a failure too. */
    a = call_full(e, "GET", "/xdi/systems", NULL, NULL, NULL, "192.0.2.50",
                  NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);

    /* The second failure from the client comes late. */
    a = call_full(e, "GET", "/xdi/systems", NULL,
                  basic(auth, sizeof auth, "xdi:wrong2"), NULL, CLIENT, NULL);
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    answer_free(&a);
    assert_true(xdi_control_deadline(e->ctl, &when));
    assert_true(when.tv_sec >= T0 && when.tv_sec <= T0 + 3);
    xdi_control_expire(e->ctl);
    assert_int_equal(e->n_answers, 0); /* not yet: the clock did not move */
    fake_now = T0 + 3;
    xdi_control_expire(e->ctl);
    assert_int_equal(e->n_answers, 1);
    assert_int_equal(e->answers[0].status, 401);
    assert_false(xdi_control_deadline(e->ctl, &when));
    assert_int_equal(th_jcount(&e->journal, "control_auth_failed"), 3);
    /* A correct credential still works (and clears the count). */
    a = call(e, "GET", "/xdi/systems", NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
}

static void test_control_delayed_401_cancelled(void **state)
{
    struct env *e = *state;
    char auth[256];
    struct answer a;
    struct timespec when;

    boot(e, NULL);
    for (int i = 0; i < 2; i++) {
        a = call_full(e, "GET", "/xdi/host", NULL,
                      basic(auth, sizeof auth, "xdi:bad"), NULL, CLIENT, NULL);
        answer_free(&a);
    }
    assert_true(xdi_control_deadline(e->ctl, &when));
    xdi_control_cancel(e->ctl, &reply_tag);
    assert_false(xdi_control_deadline(e->ctl, &when));
    fake_now = T0 + 10;
    xdi_control_expire(e->ctl);
    assert_int_equal(e->n_answers, 0);
}

static void test_control_token_idle_expiry(void **state)
{
    struct env *e = *state;
    char auth[256], bearer[128];
    struct answer a;
    const char *info;

    boot(e, NULL);
    a = call_full(e, "GET", "/xdi/logon", NULL,
                  basic(auth, sizeof auth, "xdi:" TOKEN), NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    info = header(&a.resp, "Authentication-Info");
    snprintf(bearer, sizeof bearer, "Bearer %.*s",
             (int)(strlen(info) - strlen("auth=\"\"")), info + 6);
    answer_free(&a);
    /* Used within the idle time: it stays alive from each use. */
    fake_now = T0 + 899;
    a = call_full(e, "GET", "/xdi/host", NULL, bearer, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    fake_now = T0 + 899 + 899;
    a = call_full(e, "GET", "/xdi/host", NULL, bearer, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    fake_now = T0 + 899 + 899 + 900;
    a = call_full(e, "GET", "/xdi/host", NULL, bearer, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);
}

/* The bearer token of a logon's answer, into buf. */
static void logon_token(struct env *e, char *buf, size_t cap)
{
    char auth[256];
    struct answer a = call_full(e, "POST", "/xdi/logon", NULL,
                                basic(auth, sizeof auth, "xdi:" TOKEN), NULL,
                                CLIENT, NULL);
    const char *info = header(&a.resp, "Authentication-Info");

    assert_int_equal(a.resp.status, 200);
    assert_non_null(info);
    snprintf(buf, cap, "Bearer %.*s",
             (int)(strlen(info) - strlen("auth=\"\"")), info + 6);
    answer_free(&a);
}

static void test_control_tokens_bounded(void **state)
{
    struct env *e = *state;
    char first[128], last[128];
    struct answer a;

    boot(e, NULL);
    logon_token(e, first, sizeof first);
    for (int i = 0; i < 1024; i++) {
        fake_now = T0 + 1; /* each newer than the first */
        logon_token(e, last, sizeof last);
    }
    a = call_full(e, "GET", "/xdi/host", NULL, last, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    /* The least recently used of 1025 went. */
    a = call_full(e, "GET", "/xdi/host", NULL, first, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);
}

static char *hash_of(const char *pw)
{
    struct crypt_data data;
    const char *h;

    memset(&data, 0, sizeof data);
    h = crypt_r(pw, "$6$testsalt$", &data);
    assert_non_null(h);
    return strdup(h);
}

static void test_control_users_file(void **state)
{
    struct env *e = *state;
    struct xdi_control_config cfg;
    char err[256], auth[256], text[512];
    char *h = hash_of("secret");
    struct answer a;

    xdi_control_config_defaults(&cfg);
    boot(e, &cfg);
    /* Errors name the file and line; nothing of a bad text is added. */
    snprintf(text, sizeof text, "# users\n\nalice:%s:SYSA\nbob\n", h);
    assert_int_equal(xdi_control_load_users(e->ctl, text, strlen(text),
                                            "users.txt", err, sizeof err),
                     -1);
    assert_string_equal(err,
                        "users.txt:4: expected name:hash[:default-system]");
    snprintf(text, sizeof text, "carol:notahash\n");
    assert_int_equal(xdi_control_load_users(e->ctl, text, strlen(text),
                                            "users.txt", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "users.txt:1: the hash is not one crypt(3)"));
    snprintf(text, sizeof text, "alice:%s\nalice:%s\n", h, h);
    assert_int_equal(xdi_control_load_users(e->ctl, text, strlen(text),
                                            "users.txt", err, sizeof err),
                     -1);
    assert_string_equal(err, "users.txt:2: this user is defined twice");
    a = call_full(e, "GET", "/xdi/host", NULL,
                  basic(auth, sizeof auth, "alice:secret"), NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);

    snprintf(text, sizeof text, "  # users\r\nalice:%s:SYSA\r\n", h);
    if (xdi_control_load_users(e->ctl, text, strlen(text), "users.txt", err,
                               sizeof err) != 0)
        fail_msg("%s", err);
    /* z/OSMF style: the password on every request. */
    a = call_full(e, "GET", "/xdi/host", NULL,
                  basic(auth, sizeof auth, "alice:secret"), NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/host", NULL,
                  basic(auth, sizeof auth, "alice:Secret"), NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);
    /* No --control-token: user xdi does not exist. */
    a = call_full(e, "GET", "/xdi/host", NULL,
                  basic(auth, sizeof auth, "xdi:" TOKEN), NULL, "10.0.0.1",
                  NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);

    /* :newpassword on logon changes it. */
    a = call_full(e, "POST", "/xdi/logon", NULL,
                  basic(auth, sizeof auth, "alice:secret:n3w"), NULL,
                  "10.0.0.2", NULL);
    assert_int_equal(a.resp.status, 200);
    assert_string_equal(json_string_value(json_object_get(a.json, "system")),
                        "SYSA");
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/host", NULL,
                  basic(auth, sizeof auth, "alice:secret"), NULL, "10.0.0.3",
                  NULL);
    assert_int_equal(a.resp.status, 401);
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/host", NULL,
                  basic(auth, sizeof auth, "alice:n3w"), NULL, "10.0.0.3",
                  NULL);
    assert_int_equal(a.resp.status, 200);
    answer_free(&a);
    free(h);
}

/* ---- systems and requests to agents -------------------------------------- */

static void test_control_systems(void **state)
{
    struct env *e = *state;
    json_t *j, *sys, *agent;

    boot(e, NULL);
    j = expect_status(e, "GET", "/xdi/systems", NULL, 200);
    sys = json_object_get(j, "systems");
    assert_int_equal(json_array_size(sys), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(sys, 0), "name")),
        "SYSA");
    assert_true(json_is_null(json_object_get(json_array_get(sys, 0), "agent")));
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(json_array_get(sys, 0),
                                                         "tables"),
                                         "ems"),
                         "entries")),
                     1);
    json_decref(j);
    j = expect_status(e, "GET", "/xdi/systems/SYSZ", NULL, 404);
    assert_string_equal(msgid(j), "XDIC007E");
    json_decref(j);

    login_sysa(e);
    j = expect_status(e, "GET", "/xdi/systems/SYSA", NULL, 200);
    agent = json_object_get(json_object_get(j, "system"), "agent");
    assert_true(json_is_object(agent));
    assert_int_equal(json_integer_value(json_object_get(agent, "agent_id")), 1);
    assert_int_equal(json_integer_value(json_object_get(agent, "conn")), 1);
    assert_string_equal(json_string_value(json_object_get(agent, "peer")),
                        "192.0.2.7:40000");
    assert_string_equal(json_string_value(json_object_get(agent, "login")),
                        "2026-11-23T10:00:00.000Z");
    /* login + 2 acquires in; accept + 2 tables out. */
    assert_int_equal(json_integer_value(json_object_get(agent, "naccbs_in")), 3);
    assert_int_equal(json_integer_value(json_object_get(agent, "naccbs_out")),
                     3);
    assert_int_equal(json_integer_value(json_object_get(agent, "bytes_in")),
                     3 * 36);
    /* accept 36, EMS 36 + 230, SCD 36 + 162. */
    assert_int_equal(json_integer_value(json_object_get(agent, "bytes_out")),
                     36 + 36 + 230 + 36 + 162);
    assert_true(json_is_null(json_object_get(agent, "last_event")));
    json_decref(j);
}

static void test_control_command_errors(void **state)
{
    struct env *e = *state;
    json_t *j;

    boot(e, NULL);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/commands",
                      "{\"command\":\"D A,L\"}", 409);
    assert_string_equal(msgid(j), "XDIC008E");
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSZ/commands",
                      "{\"command\":\"D A,L\"}", 404);
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/commands", "{\"command\":",
                      400);
    assert_non_null(strstr(json_string_value(json_array_get(
                               json_object_get(j, "message"), 0)),
                           "line 1"));
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/commands", "{}", 400);
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/commands", "[1]", 400);
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/commands",
                      "{\"command\":\"D\",\"wait\":\"x\"}", 400);
    json_decref(j);
    login_sysa(e);
    {
        char body[300];
        memset(body, 0, sizeof body);
        strcpy(body, "{\"command\":\"");
        memset(body + strlen(body), 'X', 129);
        strcat(body, "\"}");
        j = expect_status(e, "POST", "/xdi/systems/SYSA/commands", body, 400);
        json_decref(j);
    }
    /* Nothing was sent for any of them. */
    th_expect_nothing(&e->io[0]);
    /* The 409 was journalled as a control action that went nowhere. */
    j = th_jrec(&e->journal, "control", 0);
    assert_string_equal(th_jstr(j, "outcome"), "not_connected");
    json_decref(j);
}

static void test_control_command_sent_and_answered(void **state)
{
    struct env *e = *state;
    struct answer a;
    json_t *j, *ans;

    boot(e, NULL);
    login_sysa(e);
    /* Without wait: answered once written. */
    j = expect_status(e, "POST", "/xdi/systems/SYSA/commands",
                      "{\"command\":\"D A,L\"}", 200);
    th_expect(&e->io[0], EXEC_DAL("00000001", SYSA));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "sent"), "key")),
                        "01020104");
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(j, "sent"), "conn")),
                     1);
    assert_true(json_is_null(json_object_get(j, "answer")));
    json_decref(j);
    /* Journalled with who asked, just before the send. */
    j = th_jrec(&e->journal, "control", 0);
    assert_string_equal(th_jstr(j, "action"), "exec_command");
    assert_string_equal(th_jstr(j, "user"), "xdi");
    assert_string_equal(th_jstr(j, "client"), CLIENT);
    assert_string_equal(th_jstr(j, "command"), "D A,L");
    assert_string_equal(th_jstr(j, "outcome"), "sent");
    json_decref(j);

    /* With wait: the agent's command event on that session answers. */
    a = call(e, "POST", "/xdi/systems/SYSA/commands",
             "{\"command\":\"D A,L\",\"wait\":5}");
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    answer_free(&a);
    th_expect(&e->io[0], EXEC_DAL("00000001", SYSA));
    assert_int_equal(e->n_answers, 0);
    th_feed(e->conn[0], INFO_CMD_DAL("00000001", SYSA), 0);
    assert_int_equal(e->n_answers, 1);
    assert_int_equal(e->answers[0].status, 200);
    j = json_loadb(e->answers[0].body, e->answers[0].body_len, 0, NULL);
    assert_non_null(j);
    ans = json_object_get(j, "answer");
    assert_string_equal(json_string_value(json_object_get(ans, "event")),
                        "info");
    assert_string_equal(json_string_value(json_object_get(ans, "kind")), "CMD");
    assert_string_equal(json_string_value(json_object_get(ans, "text")),
                        "D A,L");
    assert_true(json_is_false(json_object_get(j, "timed_out")));
    json_decref(j);
    /* The host status shows it as the last event. */
    j = expect_status(e, "GET", "/xdi/systems/SYSA", NULL, 200);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(json_object_get(j, "system"),
                                            "agent"),
                            "last_event"),
            "text")),
        "D A,L");
    json_decref(j);
}

static void test_control_command_wait_times_out(void **state)
{
    struct env *e = *state;
    struct answer a;
    struct timespec when;
    json_t *j;

    boot(e, NULL);
    login_sysa(e);
    a = call(e, "POST", "/xdi/systems/SYSA/commands",
             "{\"command\":\"D A,L\",\"wait\":2}");
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    answer_free(&a);
    assert_true(xdi_control_deadline(e->ctl, &when));
    assert_int_equal(when.tv_sec, T0 + 2);
    /* Another session's event does not answer it. */
    th_login(e->srv, &e->conn[1], &e->io[1], SYSB, "00000002");
    fake_now = T0 + 1;
    xdi_control_expire(e->ctl);
    assert_int_equal(e->n_answers, 0);
    fake_now = T0 + 2;
    xdi_control_expire(e->ctl);
    assert_int_equal(e->n_answers, 1);
    j = json_loadb(e->answers[0].body, e->answers[0].body_len, 0, NULL);
    assert_true(json_is_true(json_object_get(j, "timed_out")));
    assert_true(json_is_null(json_object_get(j, "answer")));
    json_decref(j);

    /* A client that goes away gets nothing. */
    a = call(e, "POST", "/xdi/systems/SYSA/commands",
             "{\"command\":\"D A,L\",\"wait\":2}");
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    answer_free(&a);
    xdi_control_cancel(e->ctl, &reply_tag);
    th_feed(e->conn[0], INFO_CMD_DAL("00000001", SYSA), 0);
    assert_int_equal(e->n_answers, 1);
}

static void test_control_job_registry_end_to_end(void **state)
{
    struct env *e = *state;
    struct answer a;
    json_t *j, *job, *jobs;

    boot(e, NULL);
    login_sysa(e);
    a = call(e, "POST", "/xdi/systems/SYSA/jobs",
             "{\"job\":\"PAYROLL2\",\"wait\":30}");
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    answer_free(&a);
    th_expect(&e->io[0], EXEC_JOB("00000001", SYSA, PAYROLL2));
    j = expect_status(e, "GET", "/xdi/jobs/SYSA/JOB00001", NULL, 200);
    job = json_object_get(j, "job");
    assert_string_equal(json_string_value(json_object_get(job, "state")),
                        "sent");
    assert_string_equal(json_string_value(json_object_get(job, "by")),
                        "control");
    assert_string_equal(json_string_value(json_object_get(job, "name")),
                        "PAYROLL2");
    json_decref(j);
    /* The EOJ text first (as the reference agent sends it): not the
     * answer, the SCD table lists the job, so its EOTINFO will follow. */
    th_feed(e->conn[0],
            "0000002C 00000001 " SYSA " 02010A05 " EXT0
            " 00000000 00000001 00000008 " PAYROLL2,
            0);
    assert_int_equal(e->n_answers, 0);
    e->io[0].len = 0; /* no EVBLOK matches it: error 05, not the point */
    /* The agent reports the end of job: max CC 4, normal end. */
    th_feed(e->conn[0],
            INFO_EOT("00000001", SYSA)
                EOT(SYSA, PAYROLL2, B8, "0000", "0000", "0000", "0004",
                    "D140D5D9"),
            0);
    assert_int_equal(e->n_answers, 1);
    j = json_loadb(e->answers[0].body, e->answers[0].body_len, 0, NULL);
    job = json_object_get(j, "job");
    assert_string_equal(json_string_value(json_object_get(job, "state")),
                        "ended");
    assert_int_equal(json_integer_value(json_object_get(job, "max_cc")), 4);
    assert_string_equal(json_string_value(json_object_get(job, "ended")),
                        "2026-11-23T10:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(j, "answer"),
                                            "eotinfo"),
                            "job_name")),
                        "PAYROLL2");
    json_decref(j);

    /* Rerun, then the agent cannot run it. */
    j = expect_status(e, "POST", "/xdi/jobs/SYSA/JOB00001/rerun", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "job"), "jobid")),
                        "JOB00002");
    json_decref(j);
    th_expect(&e->io[0], EXEC_JOB("00000001", SYSA, PAYROLL2));
    th_feed(e->conn[0], AGENT_ERR_JOB("00000001", SYSA), 0);
    j = expect_status(e, "GET", "/xdi/jobs", NULL, 200);
    jobs = json_object_get(j, "jobs");
    assert_int_equal(json_array_size(jobs), 2);
    /* Newest first. */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(jobs, 0), "jobid")),
                        "JOB00002");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(jobs, 0), "state")),
                        "not_run");
    json_decref(j);
    /* Filters. */
    {
        struct answer b = call_full(e, "GET", "/xdi/jobs",
                                    "prefix=PAY%2A&status=ended",
                                    "Bearer " TOKEN, NULL, CLIENT, NULL);
        assert_int_equal(b.resp.status, 200);
        jobs = json_object_get(b.json, "jobs");
        assert_int_equal(json_array_size(jobs), 1);
        assert_string_equal(json_string_value(json_object_get(
                                json_array_get(jobs, 0), "jobid")),
                            "JOB00001");
        answer_free(&b);
        b = call_full(e, "GET", "/xdi/jobs", "prefix=X*", "Bearer " TOKEN,
                      NULL, CLIENT, NULL);
        assert_int_equal(json_array_size(json_object_get(b.json, "jobs")), 0);
        answer_free(&b);
        b = call_full(e, "GET", "/xdi/jobs", "status=bogus", "Bearer " TOKEN,
                      NULL, CLIENT, NULL);
        assert_int_equal(b.resp.status, 400);
        answer_free(&b);
    }
    /* Purge. */
    j = expect_status(e, "DELETE", "/xdi/jobs/SYSA/JOB00001", NULL, 200);
    json_decref(j);
    j = expect_status(e, "GET", "/xdi/jobs/SYSA/JOB00001", NULL, 404);
    assert_string_equal(msgid(j), "XDIC009E");
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/jobs/SYSA/JOB00009/rerun", NULL, 404);
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/jobs",
                      "{\"job\":\"payroll\"}", 400);
    json_decref(j);
    /* A job the SCD table does not list: its EOJ text is the answer. */
    {
        struct answer w = call(e, "POST", "/xdi/systems/SYSA/jobs",
                               "{\"job\":\"OTHER\",\"wait\":30}");
        assert_int_equal(w.verdict, XDI_CONTROL_PENDING);
        answer_free(&w);
    }
    th_feed(e->conn[0],
            "0000002C 00000001 " SYSA " 02010A05 " EXT0
            " 00000000 00000001 00000008 D6E3C8C5D9404040",
            0); /* "OTHER   " */
    assert_int_equal(e->n_answers, 2);
    j = json_loadb(e->answers[1].body, e->answers[1].body_len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "answer"), "kind")),
                        "EOJ");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "job"), "state")),
                        "ended");
    json_decref(j);
}

static void test_control_host_down_up_reset(void **state)
{
    struct env *e = *state;
    json_t *j;

    boot(e, NULL);
    j = expect_status(e, "POST", "/xdi/host/down", NULL, 200);
    assert_true(json_is_true(json_object_get(json_object_get(j, "host"),
                                             "down")));
    json_decref(j);
    /* Logins are rejected with error 06 while down. */
    e->conn[0] = th_open_from(e->srv, &e->io[0], TH_PEER);
    th_feed(e->conn[0], LOGIN(SYSA), 0);
    th_expect(&e->io[0], REJECT06(SYSA));
    j = expect_status(e, "POST", "/xdi/host/up", NULL, 200);
    assert_true(json_is_false(json_object_get(json_object_get(j, "host"),
                                              "down")));
    json_decref(j);
    th_feed(e->conn[0], LOGIN(SYSA), 0);
    th_expect(&e->io[0], ACCEPT("00000001", SYSA));
    j = expect_status(e, "POST", "/xdi/systems/SYSA/jobs",
                      "{\"job\":\"PAYROLL2\"}", 200);
    json_decref(j);
    e->io[0].len = 0;

    /* Reset: shutdown and close every session, jobs forgotten. */
    j = expect_status(e, "POST", "/xdi/host/reset", NULL, 200);
    json_decref(j);
    th_expect(&e->io[0], SHUTDOWN("00000001", SYSA));
    assert_int_equal(e->io[0].closes, 1);
    assert_int_equal(xdi_server_sessions(e->srv), 0);
    j = expect_status(e, "GET", "/xdi/jobs", NULL, 200);
    assert_int_equal(json_array_size(json_object_get(j, "jobs")), 0);
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/host/reset",
                      "{\"rotate_journal\":true}", 400);
    json_decref(j);
    /* Reload: the application's loader said no. */
    j = expect_status(e, "POST", "/xdi/host/reload", NULL, 400);
    assert_string_equal(msgid(j), "XDIC014E");
    json_decref(j);
    assert_int_equal(e->reloads, 1);
    j = th_jrec(&e->journal, "control", 3);
    assert_string_equal(th_jstr(j, "action"), "reset");
    json_decref(j);
}

static void test_control_shutdown_waits_for_logout(void **state)
{
    struct env *e = *state;
    struct answer a;
    json_t *j;

    boot(e, NULL);
    login_sysa(e);
    a = call(e, "POST", "/xdi/systems/SYSA/shutdown", "{\"wait\":5}");
    assert_int_equal(a.verdict, XDI_CONTROL_PENDING);
    answer_free(&a);
    th_expect(&e->io[0], SHUTDOWN("00000001", SYSA));
    th_feed(e->conn[0], LOGOUT("00000001", SYSA), 0);
    assert_int_equal(e->n_answers, 1);
    j = json_loadb(e->answers[0].body, e->answers[0].body_len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "answer"), "event")),
                        "logout");
    json_decref(j);
}

/* The EVBLOK of KILL (§8), as tests/test_automation.c spells it: system
 * SYSA, key KILL, blank additional text, IL 12, KL 4, VL 4, the "always"
 * frame, ET 02, reserved zero, SSDT/ESDT, user area zero. */
#define TEXT_BLANK B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 B8 "40404040"
#define EVBLOK_KILL                                                            \
    SYSA "D2C9D3D3" B8 B8 TEXT_BLANK "000C 0004 0004"                        \
    " 01900001 09999365 00000000 00000000 23595900 0001517F"                \
    " 0101010101010101 02" "00000000000000" Z8 " 19000101 99991231" Z32
#define REPLACE_EMS_1(id, sys)                                                 \
    "0000010A " id " " sys " 01020301 " EXT0 " 00000000 00000001 000000E6 "
/* "KILL JOKO" and the exec command its action makes, "CANCEL U=JOKO". */
#define INFO_KILL_JOKO(id, sys)                                                \
    "0000002D " id " " sys " 02010A04 " EXT0 " 00000000 00000001 00000009 "   \
    "D2C9D3D340D1D6D2D6"
#define EXEC_CANCEL_JOKO(id, sys)                                              \
    "00000031 " id " " sys " 01020104 " EXT0 " 00000000 00000001 0000000D"   \
    " C3C1D5C3C5D3 40 E4 7E D1D6D2D6"

static void test_control_replace_current_and_given(void **state)
{
    struct env *e = *state;
    json_t *j, *ems;

    boot(e, NULL);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/replace",
                      "{\"table\":\"ems\"}", 409);
    json_decref(j);
    j = expect_status(e, "POST", "/xdi/systems/SYSA/replace",
                      "{\"table\":\"xyz\"}", 400);
    json_decref(j);
    login_sysa(e);
    /* The current SCD table again, as replace SCD. */
    j = expect_status(e, "POST", "/xdi/systems/SYSA/replace",
                      "{\"table\":\"scd\"}", 200);
    json_decref(j);
    assert_int_equal(e->io[0].len, 36 + 162);
    assert_memory_equal(e->io[0].out + 16, "\x01\x02\x03\x02", 4);
    e->io[0].len = 0;
    /* A bad entry: 400 naming it, nothing sent. */
    j = expect_status(e, "POST", "/xdi/systems/SYSA/replace",
                      "{\"table\":\"ems\",\"entries\":[{\"key\":\"KILL\","
                      "\"type\":\"command\",\"vl\":4},{\"key\":\"X\"}]}",
                      400);
    assert_non_null(strstr(json_string_value(json_array_get(
                               json_object_get(j, "message"), 0)),
                           "entries[1]: "));
    json_decref(j);
    th_expect_nothing(&e->io[0]);
    /* A table given in the fixture format: sent, and in force. */
    j = expect_status(e, "POST", "/xdi/systems/SYSA/replace",
                      "{\"table\":\"ems\",\"entries\":[{\"key\":\"KILL\","
                      "\"vl\":4,\"type\":\"command\","
                      "\"action\":\"CANCEL U=&arg\"}]}",
                      200);
    json_decref(j);
    th_expect(&e->io[0], REPLACE_EMS_1("00000001", SYSA) EVBLOK_KILL);
    th_feed(e->conn[0], INFO_KILL_JOKO("00000001", SYSA), 0);
    th_expect(&e->io[0], EXEC_CANCEL_JOKO("00000001", SYSA));
    j = expect_status(e, "GET", "/xdi/systems/SYSA", NULL, 200);
    ems = json_object_get(json_object_get(json_object_get(j, "system"),
                                          "tables"),
                          "ems");
    assert_true(json_is_true(json_object_get(ems, "given")));
    assert_int_equal(json_integer_value(json_object_get(ems, "entries")), 1);
    json_decref(j);
    j = th_jrec(&e->journal, "control", 2);
    assert_string_equal(th_jstr(j, "action"), "replace");
    assert_string_equal(th_jstr(j, "outcome"), "bad_request");
    json_decref(j);
    /* A reset brings back the fixture's table. */
    j = expect_status(e, "POST", "/xdi/host/reset", NULL, 200);
    json_decref(j);
    j = expect_status(e, "GET", "/xdi/systems/SYSA", NULL, 200);
    ems = json_object_get(json_object_get(json_object_get(j, "system"),
                                          "tables"),
                          "ems");
    assert_true(json_is_false(json_object_get(ems, "given")));
    json_decref(j);
}

/* The fixture loader from memory (what replace with entries uses). */
struct load_err {
    int n, line;
    char msg[256];
};

static void on_load_error(void *ctx, const char *file, int line,
                          const char *message)
{
    struct load_err *l = ctx;

    assert_string_equal(file, "request");
    if (l->n++ == 0) {
        l->line = line;
        snprintf(l->msg, sizeof l->msg, "%s", message);
    }
}

static void test_control_fixture_from_text(void **state)
{
    static const char good[] = "hosts:\n"
                               "  - system: SYSQ\n"
                               "    ems: {events: [{key: K, type: message}]}\n";
    static const char raw[] = "hosts:\n"
                              "  - system: SYSQ\n"
                              "    ems: {raw: /etc/passwd}\n";
    struct xdi_fixture_set *set = NULL;
    struct load_err l;

    (void)state;
    memset(&l, 0, sizeof l);
    assert_int_equal(xdi_fixture_load_text("request", good, strlen(good), &set,
                                           on_load_error, &l),
                     0);
    assert_non_null(set);
    assert_int_equal(set->n_hosts, 1);
    assert_int_equal(set->hosts[0].n_events, 1);
    assert_int_equal(set->n_files, 0);
    xdi_fixture_free(set);
    /* No file is read from a text. */
    set = NULL;
    assert_int_equal(xdi_fixture_load_text("request", raw, strlen(raw), &set,
                                           on_load_error, &l),
                     1);
    assert_null(set);
    assert_int_equal(l.line, 3);
    assert_non_null(strstr(l.msg, "raw:"));
    /* Not YAML at all. */
    memset(&l, 0, sizeof l);
    assert_true(xdi_fixture_load_text("request", "{[", 2, &set, on_load_error,
                                      &l) > 0);
    assert_null(set);
}

/* ---- journal, stream, metrics -------------------------------------------- */

static void test_control_journal_history(void **state)
{
    struct env *e = *state;
    struct answer a;
    json_t *recs, *lines;
    json_int_t next;

    boot(e, NULL);
    login_sysa(e);
    /* Every record carries jseq, 1, 2, 3, ... right after ts. */
    lines = th_journal_lines(&e->journal);
    for (size_t i = 0; i < json_array_size(lines); i++) {
        json_t *r = json_array_get(lines, i);
        const char *first = json_object_iter_key(json_object_iter(r));
        assert_int_equal(th_jint(r, "jseq"), (json_int_t)i + 1);
        assert_string_equal(first, "ts");
    }
    json_decref(lines);
    a = call_full(e, "GET", "/xdi/journal", "since=2&kind=send,accept",
                  "Bearer " TOKEN, NULL, CLIENT, NULL);
    assert_int_equal(a.resp.status, 200);
    recs = json_object_get(a.json, "records");
    assert_true(json_array_size(recs) >= 2);
    for (size_t i = 0; i < json_array_size(recs); i++) {
        const char *ev = th_jstr(json_array_get(recs, i), "event");
        assert_true(strcmp(ev, "send") == 0 || strcmp(ev, "accept") == 0);
        assert_true(th_jint(json_array_get(recs, i), "jseq") > 2);
    }
    next = json_integer_value(json_object_get(a.json, "next"));
    assert_int_equal((uint64_t)next, xdi_server_last_jseq(e->srv));
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/journal", "since=1&limit=2", "Bearer " TOKEN,
                  NULL, CLIENT, NULL);
    recs = json_object_get(a.json, "records");
    assert_int_equal(json_array_size(recs), 2);
    assert_int_equal(th_jint(json_array_get(recs, 0), "jseq"), 2);
    assert_int_equal(json_integer_value(json_object_get(a.json, "next")), 3);
    answer_free(&a);
    /* limit=0: where the journal is now, nothing else. */
    a = call_full(e, "GET", "/xdi/journal", "limit=0", "Bearer " TOKEN, NULL,
                  CLIENT, NULL);
    assert_int_equal(json_array_size(json_object_get(a.json, "records")), 0);
    assert_int_equal((uint64_t)json_integer_value(json_object_get(a.json,
                                                                  "next")),
                     xdi_server_last_jseq(e->srv));
    answer_free(&a);
    /* A since beyond the newest: the server was restarted. */
    a = call_full(e, "GET", "/xdi/journal", "since=999999", "Bearer " TOKEN,
                  NULL, CLIENT, NULL);
    assert_true(json_is_true(json_object_get(a.json, "restarted")));
    assert_int_equal(th_jint(json_array_get(json_object_get(a.json, "records"),
                                            0),
                             "jseq"),
                     1);
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/journal", "since=abc", "Bearer " TOKEN, NULL,
                  CLIENT, NULL);
    assert_int_equal(a.resp.status, 400);
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/journal", "system=SYSB", "Bearer " TOKEN,
                  NULL, CLIENT, NULL);
    assert_int_equal(json_array_size(json_object_get(a.json, "records")), 0);
    answer_free(&a);
}

static void test_control_stream_replay_and_live(void **state)
{
    struct env *e = *state;
    struct answer a;
    char want[64];
    char *head;

    boot(e, NULL);
    login_sysa(e); /* records 1..: connect, login, accept, ... */
    /* Reconnecting after record 2: 3 onwards is replayed. */
    a = call_full(e, "GET", "/xdi/journal/stream", "kind=accept,info",
                  "Bearer " TOKEN, NULL, CLIENT, "2");
    assert_int_equal(a.verdict, XDI_CONTROL_STREAM);
    assert_string_equal(a.resp.content_type, "text/event-stream");
    head = strndup(a.resp.body, a.resp.body_len); /* no NUL is promised */
    assert_non_null(head);
    if (strstr(head, "id: 3\ndata: {\"ts\":") == NULL)
        fail_msg("%s", head);
    assert_non_null(strstr(head, "\"event\":\"accept\""));
    assert_null(strstr(head, "\"event\":\"login\""));
    free(head);
    answer_free(&a);
    /* Live: only what passes the filter. */
    th_feed(e->conn[0], INFO_CMD_DAL("00000001", SYSA), 0);
    snprintf(want, sizeof want, "id: %llu\ndata: {",
             (unsigned long long)xdi_server_last_jseq(e->srv));
    assert_non_null(e->stream);
    assert_non_null(strstr(e->stream, want));
    assert_non_null(strstr(e->stream, "\"kind\":\"CMD\""));
    assert_null(strstr(e->stream, "\"event\":\"send\""));
    /* Keep-alive after 15 s of silence. */
    fake_now = T0 + 15;
    xdi_control_expire(e->ctl);
    assert_non_null(strstr(e->stream, ": keep-alive\n\n"));
    /* A client that cannot keep up is dropped. */
    e->stream_full = true;
    th_feed(e->conn[0], INFO_CMD_DAL("00000001", SYSA), 0);
    e->stream_full = false;
    {
        size_t before = e->stream_len;
        th_feed(e->conn[0], INFO_CMD_DAL("00000001", SYSA), 0);
        assert_int_equal(e->stream_len, before);
    }
}

/* The history keeps the newest cfg.history records; a reconnecting
 * stream older than that is told what it lost. */
static void test_control_history_bounded(void **state)
{
    struct env *e = *state;
    struct xdi_control_config cfg;
    struct answer a;
    json_t *recs;
    uint64_t last;
    char *head;

    xdi_control_config_defaults(&cfg);
    cfg.token = TOKEN;
    cfg.history = 3;
    boot(e, &cfg);
    login_sysa(e);
    last = xdi_server_last_jseq(e->srv);
    assert_true(last > 5);
    a = call_full(e, "GET", "/xdi/journal", "since=0", "Bearer " TOKEN, NULL,
                  CLIENT, NULL);
    recs = json_object_get(a.json, "records");
    assert_int_equal(json_array_size(recs), 3);
    assert_int_equal((uint64_t)th_jint(json_array_get(recs, 2), "jseq"), last);
    answer_free(&a);
    a = call_full(e, "GET", "/xdi/journal/stream", NULL, "Bearer " TOKEN, NULL,
                  CLIENT, "1");
    assert_int_equal(a.verdict, XDI_CONTROL_STREAM);
    head = strndup(a.resp.body, a.resp.body_len);
    {
        char want[96];
        snprintf(want, sizeof want, ": records 2 to %llu are no longer kept",
                 (unsigned long long)last - 3);
        if (strstr(head, want) == NULL)
            fail_msg("%s", head);
    }
    free(head);
    answer_free(&a);
    xdi_control_cancel(e->ctl, &reply_tag);
    /* An id from before a restart (beyond the newest): all that is kept. */
    a = call_full(e, "GET", "/xdi/journal/stream", NULL, "Bearer " TOKEN, NULL,
                  CLIENT, "999999");
    assert_int_equal(a.verdict, XDI_CONTROL_STREAM);
    head = strndup(a.resp.body, a.resp.body_len);
    assert_non_null(strstr(head, ": the server was restarted"));
    {
        char want[48];
        snprintf(want, sizeof want, "id: %llu\n",
                 (unsigned long long)last - 2);
        assert_non_null(strstr(head, want));
    }
    free(head);
    answer_free(&a);
    xdi_control_cancel(e->ctl, &reply_tag);
}

static void test_control_metrics(void **state)
{
    struct env *e = *state;
    struct answer a;

    boot(e, NULL);
    login_sysa(e);
    th_feed(e->conn[0], "00000024 00000001 " SYSA " 02010903 " EXT0 " " NOOBJ,
            0); /* acquire object 03: violation, error 03 */
    /* A login while XDI is down: a reject for reason xdi_down. */
    xdi_server_set_down(e->srv, true);
    e->conn[1] = th_open_from(e->srv, &e->io[1], TH_PEER);
    th_feed(e->conn[1], LOGIN(SYSB), 0);
    a = call(e, "GET", "/xdi/metrics", NULL);
    assert_int_equal(a.resp.status, 200);
    a.resp.body = realloc(a.resp.body, a.resp.body_len + 1);
    assert_non_null(a.resp.body);
    a.resp.body[a.resp.body_len] = '\0';
    assert_non_null(strstr(a.resp.content_type, "text/plain"));
    assert_non_null(strstr(a.resp.body, "\nxdi_sessions 1\n"));
    assert_non_null(strstr(a.resp.body, "\nxdi_connections 2\n"));
    assert_non_null(strstr(
        a.resp.body, "xdi_naccbs_total{key=\"02010500\",direction=\"in\"} 2\n"));
    assert_non_null(strstr(
        a.resp.body, "xdi_naccbs_total{key=\"01020700\",direction=\"out\"} 1\n"));
    /* login, 2 acquires, the bad acquire, the second login. */
    assert_non_null(strstr(a.resp.body,
                           "xdi_bytes_total{direction=\"in\"} 180\n"));
    assert_non_null(strstr(a.resp.body, "xdi_errors_total{code=\"03\"} 1\n"));
    assert_non_null(
        strstr(a.resp.body, "xdi_rejects_total{reason=\"xdi_down\"} 1\n"));
    assert_non_null(strstr(
        a.resp.body, "xdi_naccbs_total{key=\"01020800\",direction=\"out\"} 1\n"));
    assert_non_null(strstr(a.resp.body, "xdi_journal_records_total "));
    answer_free(&a);
}

static int deferred_runs;

static void deferred(void *arg)
{
    struct env *e = arg;

    deferred_runs++;
    /* Sending from a deferred call is what it is for. */
    assert_int_equal(xdi_server_exec_command(e->srv, "SYSA", "D A,L", NULL,
                                             NULL),
                     XDI_OD_SENT);
}

static void test_control_defer_runs_at_next_expire(void **state)
{
    struct env *e = *state;
    struct timespec when;

    boot(e, NULL);
    login_sysa(e);
    deferred_runs = 0;
    assert_false(xdi_control_deadline(e->ctl, &when));
    assert_int_equal(xdi__control_defer(e->ctl, deferred, e), 0);
    assert_true(xdi_control_deadline(e->ctl, &when));
    assert_int_equal(when.tv_sec, T0);
    assert_int_equal(deferred_runs, 0);
    xdi_control_expire(e->ctl);
    assert_int_equal(deferred_runs, 1);
    th_expect(&e->io[0], EXEC_DAL("00000001", SYSA));
    assert_false(xdi_control_deadline(e->ctl, &when));
    xdi_control_expire(e->ctl);
    assert_int_equal(deferred_runs, 1);
}

/* Waits whose answers make records (a module that sends from done()):
 * the records come back into the control plane while it answers. */
struct reentrant {
    struct env *e;
    int matched, done;
    bool sends;
};

static bool re_match(void *arg, const struct xdi_record *rec)
{
    struct reentrant *r = arg;
    const char *ev = json_string_value(json_object_get(rec->fields, "event"));

    (void)r;
    return ev != NULL && strcmp(ev, "info") == 0;
}

static bool re_match_send(void *arg, const struct xdi_record *rec)
{
    struct reentrant *r = arg;
    const char *ev = json_string_value(json_object_get(rec->fields, "event"));

    if (ev != NULL && strcmp(ev, "send") == 0) {
        r->matched++;
        return true;
    }
    return false;
}

static void re_done(void *arg, struct xdi_control *ctl,
                    const struct xdi_record *rec,
                    struct xdi_http_response *resp)
{
    struct reentrant *r = arg;

    (void)ctl;
    (void)rec;
    r->done++;
    if (r->sends)
        assert_int_equal(xdi_server_exec_command(r->e->srv, "SYSA", "D A,L",
                                                 NULL, NULL),
                         XDI_OD_SENT);
    xdi__resp_json(resp, 200, NULL);
}

static void test_control_waits_reentered(void **state)
{
    struct env *e = *state;
    struct reentrant first = {e, 0, 0, true}, second = {e, 0, 0, false};
    static const struct xdi__wait_ops sending = {re_match, re_done, NULL};
    static const struct xdi__wait_ops on_send = {re_match_send, re_done, NULL};
    int r1, r2;

    boot(e, NULL);
    login_sysa(e);
    /* The first answers the info and sends; the second waits for a send,
     * which the first one's answer makes (inside the loop answering). */
    assert_int_equal(xdi__wait_start(e->ctl, &r1, 5000, &sending, &first), 0);
    assert_int_equal(xdi__wait_start(e->ctl, &r2, 5000, &on_send, &second),
                     0);
    th_feed(e->conn[0], INFO_CMD_DAL("00000001", SYSA), 0);
    assert_int_equal(first.done, 1);
    assert_int_equal(second.done, 1);
    assert_int_equal(second.matched, 1);
    assert_int_equal(e->n_answers, 2);
    /* The answer made inside the first one's goes out first. */
    assert_ptr_equal(e->answer_reply[0], &r2);
    assert_ptr_equal(e->answer_reply[1], &r1);
    th_expect(&e->io[0], EXEC_DAL("00000001", SYSA));
    /* Only records made after a wait began answer it. */
    {
        struct reentrant late = {e, 0, 0, false};
        int r3;
        assert_int_equal(xdi__wait_start(e->ctl, &r3, 5000, &on_send, &late),
                         0);
        assert_int_equal(late.matched, 0);
        xdi_control_cancel(e->ctl, &r3);
    }
}

/* ---- OpenAPI ---------------------------------------------------------------- */

static void test_control_openapi_matches_routes(void **state)
{
    struct env *e = *state;
    size_t n = 0, len = 0, documented = 0;
    const struct xdi_control_route *r = xdi_control_routes(&n);
    char *text = read_file(XDI_SOURCE_DIR "/server/control/openapi.json", &len);
    json_t *doc, *paths;
    const char *path;
    json_t *item;
    struct xdi_control_config cfg;
    struct answer a;

    doc = json_loadb(text, len, 0, NULL);
    assert_non_null(doc);
    assert_non_null(strstr(json_string_value(json_object_get(doc, "openapi")),
                           "3."));
    paths = json_object_get(doc, "paths");
    /* Every route is documented... */
    for (size_t i = 0; i < n; i++) {
        char m[16];
        json_t *p = json_object_get(paths, r[i].path);
        size_t k;
        if (p == NULL)
            fail_msg("route %s %s is not in openapi.json", r[i].method,
                     r[i].path);
        for (k = 0; r[i].method[k] != '\0' && k < sizeof m - 1; k++)
            m[k] = (char)(r[i].method[k] - 'A' + 'a');
        m[k] = '\0';
        if (json_object_get(p, m) == NULL)
            fail_msg("route %s %s is not in openapi.json", r[i].method,
                     r[i].path);
    }
    /* ... and nothing else is. */
    json_object_foreach(paths, path, item)
    {
        const char *m;
        json_t *op;
        json_object_foreach(item, m, op)
        {
            bool found = false;
            if (strcmp(m, "parameters") == 0)
                continue;
            documented++;
            for (size_t i = 0; i < n && !found; i++)
                found = strcmp(r[i].path, path) == 0 &&
                        strcasecmp(r[i].method, m) == 0;
            if (!found)
                fail_msg("openapi.json has %s %s, the server does not", m,
                         path);
        }
    }
    assert_int_equal(documented, n);
    json_decref(doc);

    /* Served without credentials when the application gives the text. */
    xdi_control_config_defaults(&cfg);
    cfg.token = TOKEN;
    cfg.openapi_json = text;
    cfg.openapi_len = len;
    boot(e, &cfg);
    a = call_full(e, "GET", "/xdi/openapi.json", NULL, NULL, NULL, CLIENT,
                  NULL);
    assert_int_equal(a.resp.status, 200);
    assert_int_equal(a.resp.body_len, len);
    answer_free(&a);
    xdi_control_free(e->ctl);
    e->ctl = NULL;
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_token_text_never_begins_with_a_dash),
        cmocka_unit_test_setup_teardown(test_control_unknown_route_and_method,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_control_logon_with_token_and_bearer, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_control_wrong_password_401_and_delay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_delayed_401_cancelled,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_token_idle_expiry, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_users_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_tokens_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_systems, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_command_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_control_command_sent_and_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_command_wait_times_out,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_job_registry_end_to_end,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_host_down_up_reset, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_shutdown_waits_for_logout,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_replace_current_and_given,
                                        setup, teardown),
        cmocka_unit_test(test_control_fixture_from_text),
        cmocka_unit_test_setup_teardown(test_control_journal_history, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_stream_replay_and_live,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_history_bounded, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_defer_runs_at_next_expire,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_waits_reentered, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_openapi_matches_routes,
                                        setup, teardown),
    };

    setenv("TZ", "UTC", 1);
    tzset();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
