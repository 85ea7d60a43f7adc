/*
 * fixture_yaml.c - error reporting and typed access to libyaml nodes for
 * the fixture loader.
 *
 * libyaml leaves every scalar untyped (a string with a style), which is
 * what a fixture wants: `037` stays the code page "037", `2026-11-21` stays
 * a date string.  The getters below give each key its one type and report a
 * value of any other shape at the value's own line, so a person can find
 * it.  Only plain (unquoted) scalars count as booleans and numbers: a quoted
 * "true" is a string, as YAML means it.
 */
#include "fixture_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reporting --------------------------------------------------------- */

void xdi__fx_error(struct fx_loader *ld, const char *file, int line,
                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ld->n_errors++;
    if (ld->on_error != NULL)
        ld->on_error(ld->ctx, file, line, msg);
    else if (line > 0)
        fprintf(stderr, "%s:%d: %s\n", file, line, msg);
    else
        fprintf(stderr, "%s: %s\n", file, msg);
}

void xdi__fx_nomem(struct fx_loader *ld, const char *file, int line)
{
    xdi__fx_error(ld, file, line, "out of memory");
}

/* libyaml counts lines from 0; people and editors from 1. */
int xdi__fx_line(const yaml_node_t *node)
{
    return (int)node->start_mark.line + 1;
}

yaml_node_t *xdi__fx_node(struct fx_ctx *c, yaml_node_item_t index)
{
    return yaml_document_get_node(c->doc, index);
}

/* libyaml resolves an alias to the node it names, so a list reused through
 * aliases is walked once per use: "events: *ev" in 400 hosts parses the
 * same 500 event nodes 400 times.  A node met again is an expansion. */
int xdi__fx_expand(struct fx_ctx *c, yaml_node_item_t index, int line)
{
    struct fx_loader *ld = c->ld;
    size_t n = (size_t)(c->doc->nodes.top - c->doc->nodes.start);
    size_t i = (size_t)index - 1; /* node indices start at 1 */

    if (ld->seen_doc != c->doc) {
        uint8_t *seen = realloc(ld->seen, n ? n : 1);
        if (seen == NULL) {
            xdi__fx_nomem(ld, c->file, line);
            return -1;
        }
        memset(seen, 0, n ? n : 1);
        ld->seen = seen;
        ld->seen_len = n;
        ld->seen_doc = c->doc;
    }
    if (index < 1 || i >= ld->seen_len)
        return 0;
    if (!ld->seen[i]) {
        ld->seen[i] = 1;
        return 0;
    }
    if (++ld->expanded <= XDI_FX_MAX_EXPANDED)
        return 0;
    if (!ld->expanded_reported) {
        ld->expanded_reported = true;
        xdi__fx_error(ld, c->file, line,
                      "YAML aliases expand the fixture set past %u events "
                      "and jobs; define each table where it is used, or "
                      "split the set",
                      XDI_FX_MAX_EXPANDED);
    }
    return -1;
}

static bool is_plain(const yaml_node_t *node)
{
    return node->type == YAML_SCALAR_NODE &&
           node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *scalar(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

/* YAML's null: an empty plain value (`key:`), `~` or `null`. */
bool xdi__fx_is_null(const yaml_node_t *node)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

    if (!is_plain(node))
        return false;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp(scalar(node), nulls[i]) == 0)
            return true;
    return false;
}

/* "a list", "a mapping", "nothing" or the scalar itself, for messages. */
static const char *describe(const yaml_node_t *node, char *buf, size_t cap)
{
    if (node->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (node->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (xdi__fx_is_null(node))
        return "nothing";
    snprintf(buf, cap, "'%.60s'", scalar(node));
    return buf;
}

static int expect_type(struct fx_ctx *c, const yaml_node_t *node,
                       yaml_node_type_t type, const char *what,
                       const char *type_name)
{
    char buf[80];

    if (node->type == type)
        return 0;
    xdi__fx_error(c->ld, c->file, xdi__fx_line(node), "%s: expected %s, got %s",
                  what, type_name, describe(node, buf, sizeof buf));
    return -1;
}

int xdi__fx_expect_mapping(struct fx_ctx *c, const yaml_node_t *node,
                           const char *what)
{
    return expect_type(c, node, YAML_MAPPING_NODE, what, "a mapping");
}

int xdi__fx_expect_sequence(struct fx_ctx *c, const yaml_node_t *node,
                            const char *what)
{
    return expect_type(c, node, YAML_SEQUENCE_NODE, what, "a list");
}

/* ---- mappings ---------------------------------------------------------- */

/* The edit distance of a and b (insertions, deletions, substitutions and
 * swaps of neighbours: optimal string alignment), for keys of up to 31
 * characters; longer ones count as far from everything. */
static size_t key_distance(const char *a, const char *b)
{
    enum { MAX = 32 };
    size_t la = strlen(a), lb = strlen(b);
    size_t d[MAX][MAX];

    if (la >= MAX || lb >= MAX)
        return SIZE_MAX;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* The known key a mistyped one most likely meant: the nearest, when it is
 * within a third of its length (at least 1) of the key; else NULL. */
static const char *nearest_key(const char *key, const struct fx_field *fields,
                               size_t n_fields)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;

    for (size_t i = 0; i < n_fields; i++) {
        size_t d = key_distance(key, fields[i].name);
        size_t limit = strlen(fields[i].name) / 3;
        if (d <= (limit < 1 ? 1 : limit) && d < best_d) {
            best = fields[i].name;
            best_d = d;
        }
    }
    return best;
}

static void report_unknown(struct fx_ctx *c, const yaml_node_t *key,
                           const char *what, const struct fx_field *fields,
                           size_t n_fields)
{
    char expected[256] = "";
    char hint[96] = "";
    size_t used = 0;
    const char *near = nearest_key(scalar(key), fields, n_fields);

    for (size_t i = 0; i < n_fields && used < sizeof expected; i++) {
        int n = snprintf(expected + used, sizeof expected - used, "%s%s",
                         i == 0 ? "" : ", ", fields[i].name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    if (near != NULL)
        snprintf(hint, sizeof hint, "did you mean '%s'? ", near);
    xdi__fx_error(c->ld, c->file, xdi__fx_line(key),
                  "unknown key '%.60s' in %s (%sknown keys: %s)", scalar(key),
                  what, hint, expected);
}

/* One pair of the mapping: find its field, or report it. */
static void take_pair(struct fx_ctx *c, const yaml_node_pair_t *pair,
                      const char *what, struct fx_field *fields,
                      size_t n_fields)
{
    yaml_node_t *key = xdi__fx_node(c, pair->key);
    yaml_node_t *value = xdi__fx_node(c, pair->value);

    if (key == NULL || value == NULL)
        return;
    if (key->type != YAML_SCALAR_NODE) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(key),
                      "a key in %s must be a plain name, not %s", what,
                      key->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping");
        return;
    }
    for (size_t i = 0; i < n_fields; i++) {
        if (strcmp(scalar(key), fields[i].name) != 0)
            continue;
        /* libyaml keeps repeated keys; YAML forbids them, and silently
         * taking the first or the last would hide a typo. */
        if (fields[i].key != NULL) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(key),
                          "key '%s' given twice in %s (first at line %d)",
                          fields[i].name, what, xdi__fx_line(fields[i].key));
            return;
        }
        fields[i].key = key;
        fields[i].value = value;
        return;
    }
    report_unknown(c, key, what, fields, n_fields);
}

void xdi__fx_fields(struct fx_ctx *c, const yaml_node_t *map, const char *what,
                    struct fx_field *fields, size_t n_fields)
{
    for (size_t i = 0; i < n_fields; i++)
        fields[i].key = fields[i].value = NULL;
    for (const yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++)
        take_pair(c, p, what, fields, n_fields);
}

/* ---- strings ------------------------------------------------------------ */

/* Decodes one UTF-8 sequence at in[*i]; libyaml has already checked the
 * encoding, so only the length and value matter here. */
static unsigned long utf8_next(const unsigned char *in, size_t len, size_t *i)
{
    unsigned char b = in[*i];
    size_t extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    unsigned long cp = extra == 0 ? b : (unsigned long)(b & (0x3F >> extra));

    for (size_t k = 1; k <= extra && *i + k < len; k++)
        cp = cp << 6 | (in[*i + k] & 0x3Fu);
    *i += extra + 1;
    return cp;
}

int xdi__fx_utf8_to_latin1(const char *in, size_t in_len, char **out,
                           size_t *out_len, unsigned long *bad)
{
    /* Latin-1 never needs more bytes than its UTF-8 form. */
    char *s = malloc(in_len + 1);
    size_t n = 0;

    *bad = 0;
    if (s == NULL)
        return -2;
    for (size_t i = 0; i < in_len;) {
        unsigned long cp = utf8_next((const unsigned char *)in, in_len, &i);
        /* A NUL would cut the C string the set hands out. */
        if (cp == 0 || cp > 0xFF) {
            *bad = cp;
            free(s);
            return -1;
        }
        s[n++] = (char)cp;
    }
    s[n] = '\0';
    *out = s;
    *out_len = n;
    return 0;
}

/* A scalar that is neither null nor a collection, or -1 reported. */
static int expect_scalar(struct fx_ctx *c, const struct fx_field *f,
                         const char *type_name)
{
    char buf[80];

    if (f->value->type == YAML_SCALAR_NODE && !xdi__fx_is_null(f->value))
        return 0;
    xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                  "%s: expected %s, got %s", f->name, type_name,
                  describe(f->value, buf, sizeof buf));
    return -1;
}

int xdi__fx_get_string(struct fx_ctx *c, const struct fx_field *f, char **out,
                       size_t *len)
{
    unsigned long bad;
    int rc;

    if (expect_scalar(c, f, "a string") != 0)
        return -1;
    rc = xdi__fx_utf8_to_latin1(scalar(f->value), f->value->data.scalar.length,
                                out, len, &bad);
    if (rc == -2)
        xdi__fx_nomem(c->ld, c->file, xdi__fx_line(f->value));
    else if (rc != 0 && bad == 0)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: contains a NUL character", f->name);
    else if (rc != 0)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: character U+%04lX is not in ISO-8859-1 (Latin-1), "
                      "which is all the host side converts to EBCDIC",
                      f->name, bad);
    return rc == 0 ? 0 : -1;
}

int xdi__fx_get_bool(struct fx_ctx *c, const struct fx_field *f, bool *out)
{
    const char *s;

    if (expect_scalar(c, f, "true or false") != 0)
        return -1;
    s = scalar(f->value);
    if (is_plain(f->value)) {
        if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0) {
            *out = false;
            return 0;
        }
    }
    xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                  "%s: expected true or false, got '%.60s'", f->name, s);
    return -1;
}

/* Decimal, or hexadecimal with 0x: completion codes read best in hex. */
int xdi__fx_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    unsigned long v = 0;
    unsigned base = 10;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return -1;
        if (v > (max - d) / base)
            return -2;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int xdi__fx_get_uint(struct fx_ctx *c, const struct fx_field *f,
                     unsigned long max, unsigned long *out)
{
    int rc;

    if (expect_scalar(c, f, "a whole number") != 0)
        return -1;
    rc = is_plain(f->value) ? xdi__fx_parse_uint(scalar(f->value), max, out)
                            : -1;
    if (rc == -1)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: expected a whole number, got '%.60s'%s", f->name,
                      scalar(f->value),
                      is_plain(f->value) ? "" : " (a number is not quoted)");
    else if (rc == -2)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: %.60s is above %lu", f->name, scalar(f->value), max);
    return rc == 0 ? 0 : -1;
}

/* ---- names, dates, times ---------------------------------------------- */

/* z/OS names: upper-case letters, digits and the national characters.  A
 * name this strict fits every code page and needs no quoting in JCL. */
bool xdi__fx_name_valid(const char *s, size_t len)
{
    if (len < 1 || len > NACCB_NAME_SIZE)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '$' || s[i] == '#' || s[i] == '@'))
            return false;
    return true;
}

int xdi__fx_get_name(struct fx_ctx *c, const struct fx_field *f,
                     char out[NACCB_NAME_SIZE + 1])
{
    const char *s;
    size_t len;

    if (expect_scalar(c, f, "a name") != 0)
        return -1;
    s = scalar(f->value);
    len = f->value->data.scalar.length;
    if (len > NACCB_NAME_SIZE) {
        xdi__fx_error(
            c->ld, c->file, xdi__fx_line(f->value),
            "%s: '%.60s' is %zu characters long; a name has at most 8 "
            "(never truncated)",
            f->name, s, len);
        return -1;
    }
    if (!xdi__fx_name_valid(s, len)) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: '%.60s' is not a name: use 1 to 8 of A-Z, 0-9, $, # "
                      "and @",
                      f->name, s);
        return -1;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

/* n decimal digits at s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int xdi__fx_get_date(struct fx_ctx *c, const struct fx_field *f,
                     struct naccb_date *out)
{
    const char *s;
    struct naccb_date d;
    int yday, rc;

    if (expect_scalar(c, f, "a date (YYYY-MM-DD)") != 0)
        return -1;
    s = scalar(f->value);
    if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        d.year = digits(s, 4);
        d.month = digits(s + 5, 2);
        d.day = digits(s + 8, 2);
    } else {
        d.year = d.month = d.day = -1;
    }
    if (d.year < 0 || d.month < 0 || d.day < 0) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: '%.60s' is not a date: write YYYY-MM-DD", f->name,
                      s);
        return -1;
    }
    /* The codec's calendar is the one the agent's table is checked with. */
    rc = naccb_date_to_julian(&d, &yday);
    if (rc != 0) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: %s is not a valid date (%s)", f->name, s,
                      naccb_strerror(rc));
        return -1;
    }
    *out = d;
    return 0;
}

int xdi__fx_get_time(struct fx_ctx *c, const struct fx_field *f,
                     struct naccb_time *out)
{
    const char *s;
    size_t len;
    struct naccb_time t, check;
    int rc;

    if (expect_scalar(c, f, "a time (HH:MM:SS)") != 0)
        return -1;
    s = scalar(f->value);
    len = strlen(s);
    t.hour = t.minute = t.second = -1;
    if ((len == 5 || (len == 8 && s[5] == ':')) && s[2] == ':') {
        t.hour = digits(s, 2);
        t.minute = digits(s + 3, 2);
        t.second = len == 5 ? 0 : digits(s + 6, 2);
    }
    if (t.hour < 0 || t.minute < 0 || t.second < 0) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: '%.60s' is not a time: write HH:MM:SS", f->name, s);
        return -1;
    }
    /* Two digits each fit the packed form; its decoder owns the ranges. */
    rc = naccb_time_decode(naccb_time_encode(&t), &check);
    if (rc != 0) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: %s is not a valid time (%s)", f->name, s,
                      naccb_strerror(rc));
        return -1;
    }
    *out = t;
    return 0;
}

/* ---- shared by the section parsers ------------------------------------ */

size_t xdi__fx_seq_len(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top -
                    seq->data.sequence.items.start);
}

/* Array of n zeroed elements; n == 0 gives NULL without an error. */
void *xdi__fx_alloc_array(struct fx_ctx *c, size_t n, size_t size, int line)
{
    void *p;

    if (n == 0)
        return NULL;
    p = calloc(n, size);
    if (p == NULL)
        xdi__fx_nomem(c->ld, c->file, line);
    return p;
}

/* A Latin-1 text of at most max characters (and at least 1), converted
 * with the set's code page into a blank-padded field of width bytes when
 * field is not NULL.  *out (may be NULL) receives the text. */
int xdi__fx_get_text(struct fx_ctx *c, const struct fx_field *f, size_t max,
                     uint8_t *field, size_t width, char **out)
{
    char *s;
    size_t len;

    if (xdi__fx_get_string(c, f, &s, &len) != 0)
        return -1;
    if (len == 0 || len > max) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "%s: %zu characters long; it must have 1 to %zu "
                      "(never truncated)",
                      f->name, len, max);
        free(s);
        return -1;
    }
    if (field != NULL)
        naccb_field_put(c->ld->set->codepage, field, width, s, len);
    if (out != NULL)
        *out = s;
    else
        free(s);
    return 0;
}

/* ---- cross references --------------------------------------------------- */

void xdi__fx_check_target_later(struct fx_ctx *c, const char *name, int line,
                                const char *key)
{
    struct fx_loader *ld = c->ld;
    struct fx_target_check *t;

    if (ld->n_targets == ld->targets_cap) {
        size_t cap = ld->targets_cap ? ld->targets_cap * 2 : 16;
        t = realloc(ld->targets, cap * sizeof *t);
        if (t == NULL) {
            xdi__fx_nomem(ld, c->file, line);
            return;
        }
        ld->targets = t;
        ld->targets_cap = cap;
    }
    t = &ld->targets[ld->n_targets++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->file = c->file;
    t->line = line;
    t->key = key;
}
