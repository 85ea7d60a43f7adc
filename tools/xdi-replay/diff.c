/*
 * diff.c - a captured NACCB against the one the peer sends now, field by
 * field, on their `naccb decode` JSON: the header first (the key as one
 * field, in hex, since its three parts change together), then each
 * object's fields, with the names docs/naccb-tool.md gives them.
 *
 * Members that only name or place a value are not compared: key_name and
 * the other *_name members (they follow from the codes), offset (where
 * the NACCB was in its stream), errors (the rules broken follow from the
 * fields), and what extract adds (conversation, from, time, src, dst,
 * incomplete).  The agent-ID the host issues changes from run to run: a
 * captured ID the templating knows stands for the live one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* clang-format off */
static const char *const not_compared[] = {
    "offset", "key_name", "direction_name", "request_name", "object_name",
    "error_name", "event_type_name", "direction", "request", "object",
    "errors", "conversation", "from", "time", "src", "dst", "incomplete",
    "objects", NULL};
/* clang-format on */

static bool skipped(const char *name)
{
    for (const char *const *p = not_compared; *p; p++)
        if (strcmp(*p, name) == 0)
            return true;
    return false;
}

bool diff_ignored(const struct diff_ctx *c, const char *path)
{
    /* "objects[2].user_area_hex": its member name is user_area_hex, which
     * --ignore user_area names too. */
    const char *member = strrchr(path, '.');
    member = member ? member + 1 : path;
    size_t mlen = strlen(member);
    if (mlen > 4 && strcmp(member + mlen - 4, "_hex") == 0)
        mlen -= 4;
    for (size_t i = 0; i < c->n_ignore; i++) {
        const char *g = c->ignore[i];
        if (strcmp(g, path) == 0 || strcmp(g, member) == 0 ||
            (strlen(g) == mlen && strncmp(g, member, mlen) == 0))
            return true;
    }
    return false;
}

static char *text_of(json_t *v)
{
    if (!v)
        return strdup("(none)");
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    return s ? s : strdup("?");
}

/* hex_cap, hex_now: that side's value is the _hex form of the member. */
static size_t one_as(const struct diff_ctx *c, const char *path, json_t *cap,
                     json_t *now, bool hex_cap, bool hex_now, diff_fn *fn,
                     void *arg)
{
    if (json_equal(cap, now) || diff_ignored(c, path))
        return 0;
    char *a = text_of(cap), *b = text_of(now);
    char *ha = NULL, *hb = NULL;
    if (a && hex_cap && (ha = malloc(strlen(a) + 5)) != NULL)
        sprintf(ha, "hex %s", a);
    if (b && hex_now && (hb = malloc(strlen(b) + 5)) != NULL)
        sprintf(hb, "hex %s", b);
    fn(arg, path, ha ? ha : a ? a : "?", hb ? hb : b ? b : "?");
    free(a);
    free(b);
    free(ha);
    free(hb);
    return 1;
}

static size_t one(const struct diff_ctx *c, const char *path, json_t *cap,
                  json_t *now, diff_fn *fn, void *arg)
{
    return one_as(c, path, cap, now, false, false, fn, arg);
}

/* The other spelling of a member: "system_name" <-> "system_name_hex"
 * (decode writes the hex form when the text would not give the bytes
 * back), or NULL when o has neither. */
static json_t *other_form(json_t *o, const char *k, char *name, size_t len)
{
    size_t n = strlen(k);
    if (n > 4 && strcmp(k + n - 4, "_hex") == 0)
        snprintf(name, len, "%.*s", (int)(n - 4), k);
    else
        snprintf(name, len, "%s_hex", k);
    return json_object_get(o, name);
}

/* Every compared member of two objects: cap's in its order, then those
 * only now has.  A text on one side and its hex form on the other is one
 * difference, named by the text's member. */
static size_t members(const struct diff_ctx *c, const char *prefix, json_t *cap,
                      json_t *now, diff_fn *fn, void *arg)
{
    size_t n = 0;
    const char *k;
    json_t *v;
    char path[160], alt[96];
    json_object_foreach(cap, k, v)
    {
        if (skipped(k))
            continue;
        json_t *w = json_object_get(now, k);
        if (strcmp(k, "agent_id") == 0 && c->id_known && json_is_integer(v) &&
            (uint32_t)json_integer_value(v) == c->id_old &&
            json_is_integer(w) && (uint32_t)json_integer_value(w) == c->id_new)
            continue;
        const char *field = k;
        bool hex_cap = false, hex_now = false;
        if (!w && (w = other_form(now, k, alt, sizeof alt)) != NULL) {
            hex_cap = strlen(alt) < strlen(k);
            hex_now = !hex_cap;
            if (hex_cap)
                field = alt;
        }
        snprintf(path, sizeof path, "%s%s", prefix, field);
        n += one_as(c, path, v, w, hex_cap, hex_now, fn, arg);
    }
    json_object_foreach(now, k, v)
    {
        if (skipped(k) || json_object_get(cap, k) ||
            other_form(cap, k, alt, sizeof alt))
            continue;
        snprintf(path, sizeof path, "%s%s", prefix, k);
        n += one(c, path, NULL, v, fn, arg);
    }
    return n;
}

size_t diff_naccb(const struct diff_ctx *c, json_t *captured, json_t *now,
                  diff_fn *fn, void *arg)
{
    size_t n = members(c, "", captured, now, fn, arg);
    json_t *a = json_object_get(captured, "objects");
    json_t *b = json_object_get(now, "objects");
    size_t na = json_array_size(a), nb = json_array_size(b);
    char prefix[48];
    for (size_t i = 0; i < na || i < nb; i++) {
        snprintf(prefix, sizeof prefix, "objects[%zu].", i);
        json_t *x = json_array_get(a, i), *y = json_array_get(b, i);
        if (x && y) {
            n += members(c, prefix, x, y, fn, arg);
        } else {
            /* One side has fewer objects (count says it already): the
             * whole object is the difference. */
            prefix[strlen(prefix) - 1] = '\0';
            if (!diff_ignored(c, prefix) && !diff_ignored(c, "objects"))
                n += one(c, prefix, x, y, fn, arg);
        }
    }
    return n;
}
