/*
 * control_auth.c - who may use the control plane (docs/control.md,
 * "Security"), in the manner of seed 004 (MfC web services): LOGON with
 * Basic user:password[:newpassword] gives a session number and a token in
 * Authentication-Info; every later call carries the token (Bearer, or as
 * the Basic password) or, as z/OSMF clients do, the user's own password.
 *
 * - Users come from the text of --control-users (name:hash[:system]); a
 *   hash is anything libxcrypt's crypt(3) verifies ($6$ from
 *   `openssl passwd -6` or `xdi-server --control-passwd`).
 * - --control-token (or the token the server made when there is neither)
 *   is user "xdi"'s password; it neither expires nor is tied to an
 *   address.
 * - Tokens are 43 url-safe characters from env->random (256 bits), expire
 *   after token_idle_s without use, and work only from the client address
 *   that logged on.
 * - A wrong credential is a 401 and a "control_auth_failed" record; the
 *   second and later failures from one address within a minute are
 *   answered late (250 ms, doubling, up to fail_delay_ms), which makes
 *   guessing slow without a timer of the core's own (a PENDING answer the
 *   deadline releases).
 */
/* explicit_bzero() is a BSD function in glibc: _POSIX_C_SOURCE alone
 * hides it. */
#define _DEFAULT_SOURCE

#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control_internal.h"
#include "naccb/version.h"

/* Failures older than this no longer count towards the delay. */
#define FAIL_WINDOW_S 60

/* ---- helpers ------------------------------------------------------------ */

/* Compares without an early exit, so the time says nothing of where two
 * secrets differ (their lengths may show). */
static bool same_secret(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = (unsigned char)(na != nb);

    for (size_t i = 0; i < na && i < nb; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Base64 (standard or url-safe, '=' padding optional) into out (cap, NUL
 * terminated); false when it is not base64, holds a NUL or does not fit. */
static bool b64_decode(const char *s, char *out, size_t cap)
{
    unsigned acc = 0;
    int bits = 0;
    size_t k = 0;

    for (; *s != '\0' && *s != '='; s++) {
        int v = b64val(*s);
        if (v < 0)
            return false;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (k + 1 >= cap)
                return false;
            out[k] = (char)((acc >> bits) & 0xFF);
            if (out[k] == '\0')
                return false;
            k++;
        }
    }
    while (*s == '=')
        s++;
    if (*s != '\0' || cap == 0)
        return false;
    out[k] = '\0';
    return true;
}

void xdi_control_token_text(const uint8_t raw[XDI_CONTROL_TOKEN_RAW],
                            char out[XDI_CONTROL_TOKEN_LEN + 1])
{
    static const char a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t k = 0;
    unsigned acc = 0;
    int bits = 0;

    for (size_t i = 0; i < XDI_CONTROL_TOKEN_RAW; i++) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[k++] = a[(acc >> bits) & 0x3F];
        }
    }
    if (bits > 0)
        out[k++] = a[(acc << (6 - bits)) & 0x3F];
    out[k] = '\0';
    /* A token that begins with '-' is taken for an option by command
     * lines (xdi-ctl --token -x...): the first character is never '-' or
     * '_' (62 of its 64 values kept as they are). */
    if (out[0] == '-' || out[0] == '_')
        out[0] = out[0] == '-' ? 'A' : 'B';
}

static bool crypt_ok(const char *password, const char *hash)
{
    struct crypt_data *data = calloc(1, sizeof(*data));
    const char *out;
    bool ok = false;

    if (data == NULL)
        return false;
    out = crypt_rn(password, hash, data, (int)sizeof(*data));
    /* libxcrypt's failure tokens begin with '*'; they never equal a
     * hash read from a file we accepted. */
    if (out != NULL && out[0] != '*')
        ok = same_secret(out, hash);
    explicit_bzero(data, sizeof(*data));
    free(data);
    return ok;
}

/* A fresh $6$ hash of password (malloc'd), or NULL. */
static char *crypt_new(struct xdi_control *ctl, const char *password)
{
    uint8_t rnd[16];
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data *data;
    char *out = NULL;
    const char *h;

    ctl->env.random(ctl->env.ctx, rnd, sizeof rnd);
    if (crypt_gensalt_rn("$6$", 0, (const char *)rnd, (int)sizeof rnd, setting,
                         (int)sizeof setting) == NULL)
        return NULL;
    data = calloc(1, sizeof(*data));
    if (data == NULL)
        return NULL;
    h = crypt_rn(password, setting, data, (int)sizeof(*data));
    if (h != NULL && h[0] != '*')
        out = strdup(h);
    explicit_bzero(data, sizeof(*data));
    free(data);
    return out;
}

/* ---- users --------------------------------------------------------------- */

static bool user_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
              c == '@'))
            return false;
    }
    return true;
}

static struct xdi__user *find_user(struct xdi_control *ctl, const char *name)
{
    for (size_t i = 0; i < ctl->n_users; i++)
        if (strcmp(ctl->users[i].name, name) == 0)
            return &ctl->users[i];
    return NULL;
}

static void user_free(struct xdi__user *u)
{
    free(u->name);
    if (u->hash != NULL)
        explicit_bzero(u->hash, strlen(u->hash));
    free(u->hash);
    free(u->system);
    memset(u, 0, sizeof(*u));
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* One line "name:hash[:system]" (no newline) into *u; NULL, or what is
 * wrong with it. */
static const char *parse_user(const char *line, size_t n, struct xdi__user *u)
{
    const char *c1 = memchr(line, ':', n);
    const char *c2, *end = line + n;
    size_t sys_len = 0;

    memset(u, 0, sizeof(*u));
    if (c1 == NULL)
        return "expected name:hash[:default-system]";
    if (!user_name_ok(line, (size_t)(c1 - line)))
        return "the user name must be 1 to 63 of A-Z a-z 0-9 . _ - @";
    c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
    if (c2 == NULL)
        c2 = end;
    else
        sys_len = (size_t)(end - c2 - 1);
    if (c2 == c1 + 1)
        return "the hash is empty";
    if (sys_len > 8)
        return "the default system is longer than 8 characters";
    u->name = dupn(line, (size_t)(c1 - line));
    u->hash = dupn(c1 + 1, (size_t)(c2 - c1 - 1));
    if (sys_len > 0)
        u->system = dupn(c2 + 1, sys_len);
    if (u->name == NULL || u->hash == NULL ||
        (sys_len > 0 && u->system == NULL)) {
        user_free(u);
        return "out of memory";
    }
    {
        /* A hash crypt(3) does not know would lock the user out without
         * a word: say so now. */
        struct crypt_data *data = calloc(1, sizeof(*data));
        const char *out = data != NULL
                              ? crypt_rn("", u->hash, data, (int)sizeof(*data))
                              : NULL;
        /* A whole hash gives a result of its own length ("ab" alone is
         * a DES salt, not a hash: it would never verify). */
        bool ok =
            out != NULL && out[0] != '*' && strlen(out) == strlen(u->hash);
        free(data);
        if (!ok) {
            user_free(u);
            return "the hash is not one crypt(3) verifies (make one with "
                   "xdi-server --control-passwd or openssl passwd -6)";
        }
    }
    return NULL;
}

int xdi_control_load_users(struct xdi_control *ctl, const char *text,
                           size_t len, const char *filename, char *err,
                           size_t err_size)
{
    struct xdi__user *add = NULL;
    size_t n_add = 0, lineno = 0;
    const char *p = text, *end = text + len;
    const char *file = filename != NULL ? filename : "users";

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl != NULL ? nl : end;
        size_t n;
        const char *why;
        struct xdi__user u;
        lineno++;
        /* Trailing CR and blanks, leading blanks. */
        while (le > p && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
            le--;
        while (p < le && (*p == ' ' || *p == '\t'))
            p++;
        n = (size_t)(le - p);
        if (n == 0 || *p == '#') {
            p = nl != NULL ? nl + 1 : end;
            continue;
        }
        memset(&u, 0, sizeof u);
        if (memchr(p, '\0', n) != NULL) {
            why = "a NUL byte in the line";
        } else {
            why = parse_user(p, n, &u);
        }
        if (why == NULL && find_user(ctl, u.name) != NULL)
            why = "this user is defined already";
        for (size_t i = 0; why == NULL && i < n_add; i++)
            if (strcmp(add[i].name, u.name) == 0)
                why = "this user is defined twice";
        if (why == NULL) {
            struct xdi__user *v = realloc(add, (n_add + 1) * sizeof(*v));
            if (v == NULL)
                why = "out of memory";
            else
                add = v;
        }
        if (why != NULL) {
            user_free(&u);
            snprintf(err, err_size, "%s:%zu: %s", file, lineno, why);
            for (size_t i = 0; i < n_add; i++)
                user_free(&add[i]);
            free(add);
            return -1;
        }
        add[n_add++] = u;
        p = nl != NULL ? nl + 1 : end;
    }
    if (n_add > 0) {
        struct xdi__user *v =
            realloc(ctl->users, (ctl->n_users + n_add) * sizeof(*v));
        if (v == NULL) {
            snprintf(err, err_size, "%s: out of memory", file);
            for (size_t i = 0; i < n_add; i++)
                user_free(&add[i]);
            free(add);
            return -1;
        }
        memcpy(v + ctl->n_users, add, n_add * sizeof(*add));
        ctl->users = v;
        ctl->n_users += n_add;
    }
    free(add);
    return 0;
}

void xdi__auth_free(struct xdi_control *ctl)
{
    for (size_t i = 0; i < ctl->n_users; i++)
        user_free(&ctl->users[i]);
    free(ctl->users);
    ctl->users = NULL;
    ctl->n_users = 0;
    while (ctl->tokens != NULL) {
        struct xdi__token *t = ctl->tokens;
        ctl->tokens = t->next;
        explicit_bzero(t, sizeof(*t));
        free(t);
    }
}

/* ---- tokens --------------------------------------------------------------- */

static void expire_tokens(struct xdi_control *ctl, const struct timespec *now)
{
    struct xdi__token **pp = &ctl->tokens;

    while (*pp != NULL) {
        struct xdi__token *t = *pp;
        if (now->tv_sec - t->last.tv_sec >= (time_t)ctl->cfg.token_idle_s) {
            *pp = t->next;
            explicit_bzero(t, sizeof(*t));
            free(t);
        } else {
            pp = &t->next;
        }
    }
}

/* At most this many live tokens: a client that logs on in a loop (with
 * good credentials) costs bounded memory; the least recently used token
 * goes first. */
#define MAX_TOKENS 1024

static void cap_tokens(struct xdi_control *ctl)
{
    size_t n = 0;
    struct xdi__token **lru = NULL;

    for (struct xdi__token **pp = &ctl->tokens; *pp != NULL;
         pp = &(*pp)->next) {
        n++;
        if (lru == NULL || (*pp)->last.tv_sec < (*lru)->last.tv_sec ||
            ((*pp)->last.tv_sec == (*lru)->last.tv_sec &&
             (*pp)->last.tv_nsec <= (*lru)->last.tv_nsec))
            lru = pp;
    }
    if (n > MAX_TOKENS && lru != NULL) {
        struct xdi__token *t = *lru;
        *lru = t->next;
        explicit_bzero(t, sizeof(*t));
        free(t);
    }
}

static struct xdi__token *find_token(struct xdi_control *ctl, const char *token,
                                     const char *client)
{
    for (struct xdi__token *t = ctl->tokens; t != NULL; t = t->next)
        if (same_secret(t->token, token) && strcmp(t->client, client) == 0)
            return t;
    return NULL;
}

/* ---- failures ------------------------------------------------------------ */

static struct xdi__failure *failure_of(struct xdi_control *ctl,
                                       const char *client, bool make,
                                       const struct timespec *now)
{
    struct xdi__failure *oldest = &ctl->failures[0];

    for (size_t i = 0; i < XDI__FAILURES; i++) {
        struct xdi__failure *f = &ctl->failures[i];
        if (f->count > 0 && strcmp(f->client, client) == 0) {
            if (now->tv_sec - f->last.tv_sec > FAIL_WINDOW_S)
                f->count = 0;
            return f;
        }
        if (f->count == 0 || f->last.tv_sec < oldest->last.tv_sec)
            oldest = f;
    }
    if (!make)
        return NULL;
    memset(oldest, 0, sizeof(*oldest));
    snprintf(oldest->client, sizeof oldest->client, "%s", client);
    return oldest;
}

static void default_fail(struct xdi_http_response *resp, const char *why)
{
    xdi__resp_error(resp, 401, "XDIC002E", "authentication failed: %s", why);
    xdi__resp_header(resp, "WWW-Authenticate", "Basic realm=\"xdi-emu\"");
}

struct late_401 {
    xdi__fail_fn fail;
    char why[128];
};

static void late_done(void *arg, struct xdi_control *ctl,
                      const struct xdi_record *rec,
                      struct xdi_http_response *resp)
{
    struct late_401 *l = arg;

    (void)ctl;
    (void)rec;
    l->fail(resp, l->why);
}

/* Journals the failure and answers it, late when it is a repeat. */
static bool failed(struct xdi_control *ctl, const struct xdi_http_request *req,
                   const char *user, const char *why,
                   struct xdi_http_response *resp,
                   enum xdi_control_verdict *verdict, xdi__fail_fn fail)
{
    struct timespec now;
    struct xdi__failure *f;
    unsigned delay = 0;
    json_t *rec = json_object();
    const char *client = req->client != NULL ? req->client : "";

    if (fail == NULL)
        fail = default_fail;
    xdi__control_now(ctl, &now);
    f = failure_of(ctl, client, true, &now);
    f->count++;
    f->last = now;
    if (f->count >= 2) {
        unsigned shift = f->count - 2 > 16 ? 16 : f->count - 2;
        unsigned long d = 250ul << shift;
        delay =
            d > ctl->cfg.fail_delay_ms ? ctl->cfg.fail_delay_ms : (unsigned)d;
    }
    json_object_set_new(rec, "event", json_string("control_auth_failed"));
    json_object_set_new(rec, "user", json_string(user != NULL ? user : ""));
    json_object_set_new(rec, "client", json_string(client));
    json_object_set_new(rec, "method", json_string(req->method));
    json_object_set_new(rec, "path", json_string(req->path));
    json_object_set_new(rec, "reason", json_string(why));
    json_object_set_new(rec, "failures", json_integer(f->count));
    json_object_set_new(rec, "delay_ms", json_integer(delay));
    xdi_server_journal(ctl->srv, rec);
    if (delay > 0 && req->reply != NULL) {
        struct late_401 *l = calloc(1, sizeof(*l));
        static const struct xdi__wait_ops ops = {NULL, late_done, free};
        if (l != NULL) {
            l->fail = fail;
            snprintf(l->why, sizeof l->why, "%s", why);
            if (xdi__wait_start(ctl, req->reply, delay, &ops, l) == 0) {
                *verdict = XDI_CONTROL_PENDING;
                return false;
            }
            free(l);
        }
    }
    fail(resp, why);
    *verdict = XDI_CONTROL_DONE;
    return false;
}

/* ---- authentication -------------------------------------------------------- */

static void fill_who(struct xdi__who *who, const char *user, const char *system,
                     bool by_token, const char *client)
{
    memset(who, 0, sizeof(*who));
    snprintf(who->user, sizeof who->user, "%s", user);
    snprintf(who->system, sizeof who->system, "%s",
             system != NULL ? system : "");
    who->by_token = by_token;
    snprintf(who->client, sizeof who->client, "%s", client);
}

/* The credentials of req: 0 and who, -1 with why.  newpw: the Basic
 * third field (logon only; NULL elsewhere: a third field is then part of
 * nothing and fails). */
static int check(struct xdi_control *ctl, const struct xdi_http_request *req,
                 struct xdi__who *who, char *user_out, size_t user_cap,
                 char *newpw, size_t newpw_cap, const char **why)
{
    const char *auth = req->authorization;
    const char *client = req->client != NULL ? req->client : "";
    struct timespec now;
    char plain[512];
    char *colon, *pw, *np;
    struct xdi__token *t;
    struct xdi__user *u;

    xdi__control_now(ctl, &now);
    expire_tokens(ctl, &now);
    user_out[0] = '\0';
    if (newpw != NULL)
        newpw[0] = '\0';
    if (auth == NULL || auth[0] == '\0') {
        *why = "no Authorization header";
        return -1;
    }
    if (strncasecmp(auth, "Bearer ", 7) == 0) {
        const char *tok = auth + 7;
        while (*tok == ' ')
            tok++;
        if (ctl->token != NULL && same_secret(tok, ctl->token)) {
            fill_who(who, "xdi", NULL, true, client);
            snprintf(user_out, user_cap, "xdi");
            return 0;
        }
        t = find_token(ctl, tok, client);
        if (t == NULL) {
            *why = "unknown or expired token (or another client address)";
            return -1;
        }
        t->last = now;
        fill_who(who, t->user, t->system, true, client);
        snprintf(user_out, user_cap, "%s", t->user);
        return 0;
    }
    if (strncasecmp(auth, "Basic ", 6) != 0) {
        *why = "Authorization is neither Basic nor Bearer";
        return -1;
    }
    if (!b64_decode(auth + 6 + strspn(auth + 6, " "), plain, sizeof plain)) {
        *why = "Basic credentials are not base64 of user:password";
        return -1;
    }
    colon = strchr(plain, ':');
    if (colon == NULL) {
        explicit_bzero(plain, sizeof plain);
        *why = "Basic credentials are not user:password";
        return -1;
    }
    *colon = '\0';
    pw = colon + 1;
    if (strlen(plain) >= user_cap) {
        explicit_bzero(plain, sizeof plain);
        *why = "user name too long";
        return -1;
    }
    memcpy(user_out, plain, strlen(plain) + 1);
    np = strchr(pw, ':');
    if (np != NULL && newpw != NULL) {
        *np++ = '\0';
        snprintf(newpw, newpw_cap, "%s", np);
    }
    if (ctl->token != NULL && strcmp(plain, "xdi") == 0 &&
        same_secret(pw, ctl->token)) {
        fill_who(who, "xdi", NULL, false, client);
        explicit_bzero(plain, sizeof plain);
        return 0;
    }
    /* user:TOKEN, the token of that user from this address. */
    t = find_token(ctl, pw, client);
    if (t != NULL && strcmp(t->user, plain) == 0) {
        t->last = now;
        fill_who(who, t->user, t->system, true, client);
        explicit_bzero(plain, sizeof plain);
        return 0;
    }
    u = find_user(ctl, plain);
    if (u != NULL && crypt_ok(pw, u->hash)) {
        fill_who(who, u->name, u->system, false, client);
        explicit_bzero(plain, sizeof plain);
        return 0;
    }
    explicit_bzero(plain, sizeof plain);
    if (newpw != NULL)
        explicit_bzero(newpw, newpw_cap);
    *why = u == NULL && strcmp(user_out, "xdi") != 0 ? "unknown user"
                                                     : "wrong password";
    /* Unknown user and wrong password read the same to the client: the
     * record tells them apart for the operator. */
    return -1;
}

bool xdi__authenticate(struct xdi_control *ctl,
                       const struct xdi_http_request *req, struct xdi__who *who,
                       struct xdi_http_response *resp,
                       enum xdi_control_verdict *verdict, xdi__fail_fn fail)
{
    char user[128];
    const char *why = "";
    struct timespec now;
    struct xdi__failure *f;

    if (check(ctl, req, who, user, sizeof user, NULL, 0, &why) != 0)
        return failed(ctl, req, user, why, resp, verdict, fail);
    xdi__control_now(ctl, &now);
    f = failure_of(ctl, who->client, false, &now);
    if (f != NULL)
        f->count = 0;
    return true;
}

enum xdi_control_verdict xdi__auth_logon(struct xdi_control *ctl,
                                         const struct xdi_http_request *req,
                                         struct xdi_http_response *resp)
{
    struct xdi__who who;
    char user[128], newpw[256];
    const char *why = "";
    enum xdi_control_verdict verdict = XDI_CONTROL_DONE;
    struct xdi__token *t;
    uint8_t rnd[XDI_CONTROL_TOKEN_RAW];
    uint32_t session = 0;
    char header[80], msg[160];
    json_t *body, *rec;
    struct xdi__failure *f;
    bool changed = false;

    if (check(ctl, req, &who, user, sizeof user, newpw, sizeof newpw, &why) !=
        0) {
        failed(ctl, req, user, why, resp, &verdict, NULL);
        return verdict;
    }
    if (newpw[0] != '\0') {
        struct xdi__user *u = find_user(ctl, who.user);
        char *h;
        if (u == NULL || who.by_token) {
            explicit_bzero(newpw, sizeof newpw);
            xdi__resp_error(resp, 400, "XDIC013E",
                            "a new password needs the user's own password "
                            "(user %s is not from the users file, or a "
                            "token was given)",
                            who.user);
            return XDI_CONTROL_DONE;
        }
        h = crypt_new(ctl, newpw);
        explicit_bzero(newpw, sizeof newpw);
        if (h == NULL) {
            xdi__resp_error(resp, 500, "XDIC011E",
                            "could not hash the new password");
            return XDI_CONTROL_DONE;
        }
        explicit_bzero(u->hash, strlen(u->hash));
        free(u->hash);
        u->hash = h;
        changed = true;
    }
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        xdi__resp_error(resp, 500, "XDIC011E", "out of memory");
        return XDI_CONTROL_DONE;
    }
    ctl->env.random(ctl->env.ctx, rnd, sizeof rnd);
    xdi_control_token_text(rnd, t->token);
    ctl->env.random(ctl->env.ctx, (uint8_t *)&session, sizeof session);
    /* Seed 004: an integer session identifier; positive, never 0. */
    session = (session & 0x7FFFFFFFu) | 1u;
    t->session = session;
    snprintf(t->user, sizeof t->user, "%s", who.user);
    snprintf(t->system, sizeof t->system, "%s", who.system);
    snprintf(t->client, sizeof t->client, "%s", who.client);
    xdi__control_now(ctl, &t->last);
    t->next = ctl->tokens;
    ctl->tokens = t;
    cap_tokens(ctl);
    f = failure_of(ctl, who.client, false, &t->last);
    if (f != NULL)
        f->count = 0;

    rec = xdi__control_rec(&who, "control", "logon");
    json_object_set_new(rec, "session", json_integer(session));
    if (changed)
        json_object_set_new(rec, "password_changed", json_true());
    json_object_set_new(rec, "outcome", json_string("done"));
    xdi_server_journal(ctl->srv, rec);

    snprintf(msg, sizeof msg, "XDIC001I LOGON OK %s%s", who.user,
             changed ? " (password changed)" : "");
    body = json_object();
    json_object_set_new(body, "agentVersion",
                        json_string("xdi-emu " NACCB_VERSION_STRING));
    json_object_set_new(body, "session", json_integer(session));
    json_object_set_new(body, "message", json_pack("[s]", msg));
    json_object_set_new(body, "user", json_string(who.user));
    json_object_set_new(body, "system",
                        who.system[0] != '\0' ? json_string(who.system)
                                              : json_null());
    json_object_set_new(body, "expires_s", json_integer(ctl->cfg.token_idle_s));
    xdi__resp_json(resp, 200, body);
    snprintf(header, sizeof header, "auth=\"%s\"", t->token);
    xdi__resp_header(resp, "Authentication-Info", header);
    return XDI_CONTROL_DONE;
}

void xdi__auth_logoff(struct xdi_control *ctl,
                      const struct xdi_http_request *req,
                      const struct xdi__who *who)
{
    const char *auth = req->authorization;
    char plain[512];
    const char *tok = NULL;
    struct xdi__token **pp = &ctl->tokens;

    if (auth == NULL)
        return;
    if (strncasecmp(auth, "Bearer ", 7) == 0) {
        tok = auth + 7 + strspn(auth + 7, " ");
    } else if (strncasecmp(auth, "Basic ", 6) == 0 &&
               b64_decode(auth + 6 + strspn(auth + 6, " "), plain,
                          sizeof plain)) {
        char *c = strchr(plain, ':');
        tok = c != NULL ? c + 1 : NULL;
    }
    if (tok == NULL)
        return;
    while (*pp != NULL) {
        struct xdi__token *t = *pp;
        if (same_secret(t->token, tok) && strcmp(t->user, who->user) == 0) {
            *pp = t->next;
            explicit_bzero(t, sizeof(*t));
            free(t);
        } else {
            pp = &t->next;
        }
    }
    explicit_bzero(plain, sizeof plain);
}
