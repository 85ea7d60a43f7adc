/*
 * conversation.c - INPUT of agent, host and fixtures as conversations:
 * a capture (read through extract, so that both give the same NACCBs) or
 * the JSON Lines extract writes, which people edit with jq or by hand.
 *
 * Every line is encoded to bytes here, once, with the mapping of `naccb
 * encode` (jn_naccb_from_json): what is sent is exactly what that tool
 * would write, and a line it refuses is reported before anything is
 * played, with its line number.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "tool.h"

void convs_free(struct convs *c)
{
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->v[i].n; j++) {
            json_decref(c->v[i].steps[j].line);
            free(c->v[i].steps[j].bytes);
        }
        free(c->v[i].steps);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

struct conv *convs_find(struct convs *c, int n)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].number == n)
            return &c->v[i];
    return NULL;
}

const char *step_key_name(const struct step *s, char *buf, size_t len)
{
    const char *name = naccb_key_name(s->key, s->error_code);
    if (name)
        return name;
    snprintf(buf, len, "%08X", (unsigned)s->key);
    return buf;
}

/* Rewrites the system names --system names: the header's and each
 * object's system_name (EVBLOKs and EOTINFOs carry one too). */
static void rewrite_systems(const struct load_options *opt, json_t *line)
{
    for (size_t i = 0; i < opt->n_sys; i++) {
        const struct sysmap *m = &opt->sys[i];
        json_t *v = json_object_get(line, "system_name");
        if (json_is_string(v) && strcmp(json_string_value(v), m->from) == 0)
            json_object_set_new(line, "system_name", json_string(m->to));
        json_t *objs = json_object_get(line, "objects");
        size_t k;
        json_t *o;
        json_array_foreach(objs, k, o)
        {
            v = json_object_get(o, "system_name");
            if (json_is_string(v) && strcmp(json_string_value(v), m->from) == 0)
                json_object_set_new(o, "system_name", json_string(m->to));
        }
    }
}

static struct conv *conv_get(struct convs *c, int number)
{
    struct conv *v = convs_find(c, number);
    if (v)
        return v;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        struct conv *nv = realloc(c->v, cap * sizeof *nv);
        if (!nv)
            return NULL;
        c->v = nv;
        c->cap = cap;
    }
    v = &c->v[c->n++];
    memset(v, 0, sizeof *v);
    v->number = number;
    return v;
}

/* Takes one line (the reference is the step's from now on, or dropped). */
static int add_line(const struct load_options *opt, struct convs *out,
                    json_t *line, unsigned long lineno)
{
    const char *name = opt->file;
    char where[64] = "";
    if (lineno)
        snprintf(where, sizeof where, " line %lu", lineno);
    if (!json_is_object(line)) {
        fprintf(stderr, "xdi-replay: %s%s: not a JSON object\n", name, where);
        json_decref(line);
        return REPLAY_EXIT_IO;
    }
    json_t *jc = json_object_get(line, "conversation");
    json_int_t number = 1;
    if (jc && (!json_is_integer(jc) || json_integer_value(jc) < 1 ||
               json_integer_value(jc) > 1000000000)) {
        fprintf(stderr,
                "xdi-replay: %s%s: field conversation: must be a "
                "number from 1\n",
                name, where);
        json_decref(line);
        return REPLAY_EXIT_IO;
    }
    if (jc)
        number = json_integer_value(jc);
    rewrite_systems(opt, line);

    struct buf b = {0};
    struct jf_error err = {{0}, {0}};
    if (jn_naccb_from_json(line, (enum naccb_codepage)opt->cp, opt->max_size,
                           &b, &err) != 0) {
        fprintf(stderr, "xdi-replay: %s%s: field %s: %s\n", name, where,
                err.field, err.msg);
        buf_free(&b);
        json_decref(line);
        return REPLAY_EXIT_IO;
    }
    struct naccb_header h;
    naccb_header_decode(b.data, b.len, &h);

    bool from_agent = h.direction == NACCB_DIR_TO_SERVER;
    json_t *jf = json_object_get(line, "from");
    if (jf) {
        const char *f = json_string_value(jf);
        if (!f || (strcmp(f, "agent") != 0 && strcmp(f, "host") != 0)) {
            fprintf(stderr,
                    "xdi-replay: %s%s: field from: must be \"agent\" "
                    "or \"host\"\n",
                    name, where);
            buf_free(&b);
            json_decref(line);
            return REPLAY_EXIT_IO;
        }
        from_agent = strcmp(f, "agent") == 0;
    }
    json_t *jt = json_object_get(line, "time");
    struct conv *cv = conv_get(out, (int)number);
    if (!cv)
        goto nomem;
    if (cv->n == cv->cap) {
        size_t cap = cv->cap ? cv->cap * 2 : 32;
        struct step *ns = realloc(cv->steps, cap * sizeof *ns);
        if (!ns)
            goto nomem;
        cv->steps = ns;
        cv->cap = cap;
    }
    if (json_is_true(json_object_get(line, "incomplete")))
        cv->incomplete = true;
    cv->steps[cv->n++] =
        (struct step){.from_agent = from_agent,
                      .time = json_is_number(jt) ? json_number_value(jt) : 0,
                      .line = line,
                      .bytes = b.data,
                      .len = b.len,
                      .key = naccb_header_key(&h),
                      .error_code = h.error_code,
                      .agent_id = h.agent_id,
                      .lineno = lineno};
    return 0;
nomem:
    fprintf(stderr, "xdi-replay: out of memory\n");
    buf_free(&b);
    json_decref(line);
    return REPLAY_EXIT_IO;
}

/* A JSON Lines file: its first non-blank byte is '{'.  (A pcap starts
 * with its magic number, a pcapng with 0x0A0D0D0A.) */
static int is_json_lines(const char *file, bool *yes)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "xdi-replay: %s: %s\n", file, strerror(errno));
        return REPLAY_EXIT_IO;
    }
    int c;
    while ((c = getc(f)) == ' ' || c == '\t' || c == '\r' || c == '\n')
        ;
    *yes = c == '{' || f == stdin;
    if (f == stdin) {
        if (c != EOF)
            ungetc(c, f);
    } else {
        fclose(f);
    }
    return 0;
}

static int load_json_lines(const struct load_options *opt, struct convs *out)
{
    FILE *f = strcmp(opt->file, "-") == 0 ? stdin : fopen(opt->file, "rb");
    if (!f) {
        fprintf(stderr, "xdi-replay: %s: %s\n", opt->file, strerror(errno));
        return REPLAY_EXIT_IO;
    }
    char *text = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&text, &cap, f)) >= 0) {
        lineno++;
        size_t i = 0;
        while (i < (size_t)n && strchr(" \t\r\n", text[i]))
            i++;
        if (i == (size_t)n)
            continue;
        json_error_t jerr;
        json_t *line = json_loadb(
            text, (size_t)n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        if (!line) {
            fprintf(stderr,
                    "xdi-replay: %s line %lu, column %d: invalid JSON: "
                    "%s\n",
                    opt->file, lineno, jerr.column, jerr.text);
            rc = REPLAY_EXIT_IO;
            break;
        }
        rc = add_line(opt, out, line, lineno);
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "xdi-replay: %s: read error\n", opt->file);
        rc = REPLAY_EXIT_IO;
    }
    free(text);
    if (f != stdin)
        fclose(f);
    return rc;
}

int convs_load(const struct load_options *opt, struct convs *out)
{
    memset(out, 0, sizeof *out);
    bool json;
    int rc = is_json_lines(opt->file, &json);
    if (rc)
        return rc;
    if (json) {
        rc = load_json_lines(opt, out);
    } else {
        struct extract_options eo = {.port = opt->port,
                                     .cp = opt->cp,
                                     .max_size = opt->max_size,
                                     .file = opt->file};
        json_t **lines;
        size_t n;
        int invalid = 0;
        rc = extract_lines(&eo, &lines, &n, &invalid);
        if (rc == REPLAY_EXIT_INVALID)
            rc = REPLAY_EXIT_IO; /* no conversation: nothing to play */
        for (size_t i = 0; i < n; i++) {
            if (rc == 0)
                rc = add_line(opt, out, lines[i], 0);
            else
                json_decref(lines[i]);
        }
        free(lines);
    }
    if (rc == 0 && out->n == 0) {
        fprintf(stderr, "xdi-replay: %s: no NACCB in it\n", opt->file);
        rc = REPLAY_EXIT_IO;
    }
    /* The order of the lines is the order of the conversation (extract
     * writes them in the order they were completed on the wire); they are
     * not sorted by "time", so that a line added by hand without one
     * stays where it was put. */
    if (rc)
        convs_free(out);
    return rc;
}
