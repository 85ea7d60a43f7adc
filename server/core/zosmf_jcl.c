/*
 * zosmf_jcl.c - what the z/OSMF face reads of a submitted job's JCL (the
 * job name, its class and the system it is to run on), the cancel
 * template of the fixtures, and the name patterns of a job list.
 *
 * The fake host runs no JCL: the agent is told "run job NAME" (exec job,
 * docs/protocol.md §9) and does what its own scheduler does with it.  So
 * the JCL is read only as far as JES would read it before a job is queued:
 * the JOB statement and the JES2/JES3 statements that route it.  Every
 * complaint names the line, as a person fixing the JCL needs it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "zosmf.h"

/* Columns 73-80 of a JCL record are its sequence number, never part of a
 * statement. */
#define JCL_STATEMENT_COLS 72

/* One record (line) of the JCL, without its line end. */
struct jcl_line {
    const char *s;
    size_t len;
    int no; /* 1-based */
};

struct jcl_reader {
    const char *p, *end;
    int no;
};

static void jcl_err(char *err, size_t size, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void jcl_err(char *err, size_t size, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (err == NULL || size == 0)
        return;
    n = snprintf(err, size, "line %d: ", line);
    if (n < 0 || (size_t)n >= size)
        return;
    va_start(ap, fmt);
    vsnprintf(err + n, size - (size_t)n, fmt, ap);
    va_end(ap);
}

/* The next line; false at the end.  A CR before the LF is dropped. */
static bool next_line(struct jcl_reader *r, struct jcl_line *l)
{
    const char *nl;

    if (r->p >= r->end)
        return false;
    nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    l->s = r->p;
    l->len = (size_t)((nl != NULL ? nl : r->end) - r->p);
    r->p = nl != NULL ? nl + 1 : r->end;
    if (l->len > 0 && l->s[l->len - 1] == '\r')
        l->len--;
    l->no = ++r->no;
    if (l->len > JCL_STATEMENT_COLS)
        l->len = JCL_STATEMENT_COLS;
    return true;
}

static bool blank_line(const struct jcl_line *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t')
            return false;
    return true;
}

/* -1 and the message when the line holds a control character. */
static int check_chars(const struct jcl_line *l, char *err, size_t size)
{
    for (size_t i = 0; i < l->len; i++) {
        unsigned char ch = (unsigned char)l->s[i];
        if (ch < 0x20 && ch != '\t') {
            jcl_err(err, size, l->no,
                    "column %zu holds the control character 0x%02X; JCL is "
                    "text",
                    i + 1, ch);
            return -1;
        }
    }
    return 0;
}

static bool national(int ch)
{
    return ch == '@' || ch == '#' || ch == '$';
}

int xdi__zosmf_valid_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > XDI_ZOSMF_NAME_MAX || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++) {
        int ch = (unsigned char)s[i];
        if (!(ch >= 'A' && ch <= 'Z') && !isdigit(ch) && !national(ch))
            return 0;
    }
    return 1;
}

/* Copies len bytes upper-cased into a name buffer; false when too long. */
static bool copy_name(char out[XDI_ZOSMF_NAME_MAX + 1], const char *s,
                      size_t len)
{
    if (len > XDI_ZOSMF_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    out[len] = '\0';
    return true;
}

/* Length of the field starting at s (up to a blank or the end). */
static size_t field_len(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && s[i] != ' ' && s[i] != '\t')
        i++;
    return i;
}

static size_t skip_blanks(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* Case-insensitive: the field is exactly word. */
static bool field_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* ---- the JOB statement's operands ------------------------------------- */

/* The operand field of the JOB statement with its continuation lines
 * (a field ending in a comma continues on the next "//  " line), as one
 * string.  Quotes ('...', '' inside) keep blanks and commas. */
struct operands {
    char buf[1024];
    size_t len;
};

/* Appends the operands that start at s[i]; *more when they end in a
 * comma outside quotes and parentheses.  -1 on an unclosed quote. */
static int add_operands(struct operands *ops, const struct jcl_line *l,
                        size_t i, bool *more, char *err, size_t size)
{
    bool quoted = false;

    while (i < l->len) {
        char ch = l->s[i];
        if (!quoted && (ch == ' ' || ch == '\t'))
            break; /* the rest of the line is a comment */
        if (ch == '\'')
            quoted = !quoted;
        if (ops->len + 1 >= sizeof ops->buf) {
            jcl_err(err, size, l->no,
                    "the JOB statement's operands are longer than %zu "
                    "characters",
                    sizeof ops->buf - 1);
            return -1;
        }
        ops->buf[ops->len++] = ch;
        i++;
    }
    ops->buf[ops->len] = '\0';
    if (quoted) {
        /* JCL continues a quoted string through column 71 only; this
         * reader takes no such string: it asks for the quote closed. */
        jcl_err(err, size, l->no,
                "a quoted operand of the JOB statement is not closed on "
                "this line");
        return -1;
    }
    *more = ops->len > 0 && ops->buf[ops->len - 1] == ',';
    return 0;
}

/* One keyword's value among the operands (at depth 0, outside quotes):
 * "CLASS" -> "A".  false when absent. */
static bool keyword_value(const struct operands *ops, const char *kw,
                          const char **val, size_t *val_len)
{
    size_t kl = strlen(kw);
    int depth = 0;
    bool quoted = false;
    size_t start = 0;

    for (size_t i = 0; i <= ops->len; i++) {
        char ch = i < ops->len ? ops->buf[i] : ',';
        if (ch == '\'')
            quoted = !quoted;
        if (quoted)
            continue;
        if (ch == '(')
            depth++;
        else if (ch == ')')
            depth--;
        if (ch != ',' || depth > 0)
            continue;
        if (i - start > kl && ops->buf[start + kl] == '=' &&
            strncasecmp(ops->buf + start, kw, kl) == 0) {
            *val = ops->buf + start + kl + 1;
            *val_len = i - start - kl - 1;
            return true;
        }
        start = i + 1;
    }
    return false;
}

static int read_class(const struct operands *ops, struct xdi__jcl_info *out,
                      int line, char *err, size_t size)
{
    const char *v;
    size_t n;

    strcpy(out->jobclass, "A");
    if (!keyword_value(ops, "CLASS", &v, &n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)v[i])) {
            n = 0;
            break;
        }
    }
    if (n == 0 || !copy_name(out->jobclass, v, n)) {
        jcl_err(err, size, line,
                "CLASS= of the JOB statement takes 1 to 8 letters or digits");
        return -1;
    }
    return 0;
}

/* The JOB statement: "//NAME JOB operands" and its continuations.  On
 * return *r is past its last line. */
static int read_job(struct jcl_reader *r, const struct jcl_line *l,
                    struct xdi__jcl_info *out, char *err, size_t size)
{
    struct operands ops = {.len = 0};
    size_t name_len, i, op_len;
    bool more = false;
    char name[XDI_ZOSMF_NAME_MAX + 1];

    if (l->len < 2 || l->s[0] != '/' || l->s[1] != '/' ||
        (l->len > 2 && l->s[2] == '*')) {
        jcl_err(err, size, l->no,
                "the JCL must begin with the JOB statement "
                "(//NAME JOB ...), not with '%.*s'",
                (int)(l->len > 20 ? 20 : l->len), l->s);
        return -1;
    }
    name_len = field_len(l->s + 2, l->len - 2);
    if (name_len == 0) {
        jcl_err(err, size, l->no,
                "the JOB statement has no job name (//NAME JOB ...: the name "
                "starts in column 3)");
        return -1;
    }
    if (!copy_name(name, l->s + 2, name_len) || !xdi__zosmf_valid_name(name)) {
        jcl_err(err, size, l->no,
                "'%.*s' is not a valid job name (1 to 8 of A-Z, 0-9, @, #, $, "
                "not starting with a digit)",
                (int)name_len, l->s + 2);
        return -1;
    }
    i = skip_blanks(l->s, l->len, 2 + name_len);
    op_len = field_len(l->s + i, l->len - i);
    if (!field_is(l->s + i, op_len, "JOB")) {
        jcl_err(err, size, l->no,
                "the first statement is not a JOB statement (its operation "
                "is '%.*s')",
                (int)op_len, l->s + i);
        return -1;
    }
    memcpy(out->jobname, name, sizeof name);
    i = skip_blanks(l->s, l->len, i + op_len);
    if (add_operands(&ops, l, i, &more, err, size) != 0)
        return -1;
    while (more) {
        struct jcl_reader save = *r;
        struct jcl_line c;
        if (!next_line(r, &c) || c.len < 3 || c.s[0] != '/' || c.s[1] != '/' ||
            (c.s[2] != ' ' && c.s[2] != '\t')) {
            /* JES would flag the missing continuation; the operands read
             * so far stand, and the line is read as a statement. */
            *r = save;
            break;
        }
        out->lines++;
        if (check_chars(&c, err, size) != 0)
            return -1;
        if (add_operands(&ops, &c, skip_blanks(c.s, c.len, 2), &more, err,
                         size) != 0)
            return -1;
    }
    return read_class(&ops, out, l->no, err, size);
}

/* ---- the routing statements ------------------------------------------- */

/* Takes a system name value: NAME or (NAME[,...]); '*' and ANY name no
 * system (the default one).  -1 when it is no name. */
static int take_system(const char *v, size_t n, struct xdi__jcl_info *out,
                       int line, const char *what, char *err, size_t size)
{
    char name[XDI_ZOSMF_NAME_MAX + 1];

    if (n > 0 && v[0] == '(') {
        v++;
        n--;
        for (size_t i = 0; i < n; i++) {
            if (v[i] == ',' || v[i] == ')') {
                n = i;
                break;
            }
        }
    }
    if ((n == 1 && v[0] == '*') || (n == 3 && strncasecmp(v, "ANY", 3) == 0))
        return 0;
    if (n == 0 || !copy_name(name, v, n) || !xdi__zosmf_valid_name(name)) {
        jcl_err(err, size, line,
                "%s '%.*s' is not a system name (1 to 8 of A-Z, 0-9, @, #, $)",
                what, (int)n, v);
        return -1;
    }
    memcpy(out->system, name, sizeof name);
    out->system_line = line;
    return 0;
}

/* JES2 "JOBPARM SYSAFF=name" (or S=name) after slash-asterisk. */
static int read_jobparm(const struct jcl_line *l, size_t i,
                        struct xdi__jcl_info *out, char *err, size_t size)
{
    const char *s = l->s + i;
    size_t n = field_len(s, l->len - i);
    size_t start = 0;
    int depth = 0;

    for (size_t k = 0; k <= n; k++) {
        char ch = k < n ? s[k] : ',';
        if (ch == '(')
            depth++;
        else if (ch == ')')
            depth--;
        if (ch != ',' || depth > 0)
            continue;
        const char *kw = s + start;
        size_t kwl = k - start;
        const char *eq = memchr(kw, '=', kwl);
        if (eq != NULL) {
            size_t name_len = (size_t)(eq - kw);
            if (field_is(kw, name_len, "SYSAFF") || field_is(kw, name_len, "S"))
                return take_system(eq + 1, kwl - name_len - 1, out, l->no,
                                   "SYSAFF=", err, size);
        }
        start = k + 1;
    }
    return 0;
}

/* JES3 "MAIN SYSTEM=name" (after slash-slash-asterisk). */
static int read_main(const struct jcl_line *l, size_t i,
                     struct xdi__jcl_info *out, char *err, size_t size)
{
    const char *s = l->s + i;
    size_t n = field_len(s, l->len - i);
    size_t start = 0;

    for (size_t k = 0; k <= n; k++) {
        if (k < n && s[k] != ',')
            continue;
        if (k - start > 7 && strncasecmp(s + start, "SYSTEM=", 7) == 0)
            return take_system(s + start + 7, k - start - 7, out, l->no,
                               "SYSTEM=", err, size);
        start = k + 1;
    }
    return 0;
}

/* One statement after the JOB statement. */
static int read_statement(const struct jcl_line *l, struct xdi__jcl_info *out,
                          char *err, size_t size)
{
    size_t i, n;

    if (l->len >= 2 && l->s[0] == '/' && l->s[1] == '*') {
        /* JES2 control statements: the verb follows the slash-asterisk. */
        n = field_len(l->s + 2, l->len - 2);
        i = skip_blanks(l->s, l->len, 2 + n);
        if (field_is(l->s + 2, n, "JOBPARM"))
            return read_jobparm(l, i, out, err, size);
        if (field_is(l->s + 2, n, "XEQ"))
            return take_system(l->s + i, field_len(l->s + i, l->len - i), out,
                               l->no, "XEQ", err, size);
        if (field_is(l->s + 2, n, "ROUTE")) {
            size_t w = field_len(l->s + i, l->len - i);
            if (field_is(l->s + i, w, "XEQ")) {
                size_t j = skip_blanks(l->s, l->len, i + w);
                return take_system(l->s + j, field_len(l->s + j, l->len - j),
                                   out, l->no, "ROUTE XEQ", err, size);
            }
        }
        return 0;
    }
    if (l->len >= 3 && l->s[0] == '/' && l->s[1] == '/') {
        if (l->s[2] == '*') {
            n = field_len(l->s + 3, l->len - 3);
            if (field_is(l->s + 3, n, "MAIN"))
                return read_main(l, skip_blanks(l->s, l->len, 3 + n), out, err,
                                 size);
            return 0; /* a comment */
        }
        if (l->s[2] != ' ' && l->s[2] != '\t') {
            n = field_len(l->s + 2, l->len - 2);
            i = skip_blanks(l->s, l->len, 2 + n);
            if (field_is(l->s + i, field_len(l->s + i, l->len - i), "JOB")) {
                jcl_err(err, size, l->no,
                        "a second JOB statement: submit one job at a time");
                return -1;
            }
        }
    }
    return 0; /* EXEC, DD, in-stream data, ... : the agent's business */
}

int xdi__zosmf_jcl_parse(const char *jcl, size_t len, struct xdi__jcl_info *out,
                         char *err, size_t err_size)
{
    struct jcl_reader r = {.p = jcl, .end = jcl + len, .no = 0};
    struct jcl_line l;
    bool found = false;

    memset(out, 0, sizeof *out);
    if (err != NULL && err_size > 0)
        err[0] = '\0';
    while (next_line(&r, &l)) {
        out->lines++;
        if (check_chars(&l, err, err_size) != 0)
            return -1;
        if (!found) {
            if (blank_line(&l))
                continue;
            if (read_job(&r, &l, out, err, err_size) != 0)
                return -1;
            found = true;
            continue;
        }
        if (read_statement(&l, out, err, err_size) != 0)
            return -1;
    }
    if (!found) {
        jcl_err(err, err_size, r.no > 0 ? r.no : 1,
                "the JCL is empty: it needs a JOB statement (//NAME JOB ...)");
        return -1;
    }
    return 0;
}

/* ---- the cancel template ----------------------------------------------- */

int xdi__zosmf_cancel_command(const char *tmpl, const char *jobname,
                              const char *jobid, size_t max, char *out,
                              size_t cap)
{
    size_t n = 0;

    for (const char *p = tmpl; *p != '\0';) {
        const char *put = p;
        size_t put_len = 1;
        /* The longer variable first: "&jobid" starts with "&job". */
        if (strncmp(p, "&jobid", 6) == 0) {
            put = jobid;
            put_len = strlen(jobid);
            p += 6;
        } else if (strncmp(p, "&job", 4) == 0) {
            put = jobname;
            put_len = strlen(jobname);
            p += 4;
        } else {
            p++;
        }
        if (n + put_len > max || n + put_len >= cap)
            return -1;
        memcpy(out + n, put, put_len);
        n += put_len;
    }
    if (n == 0 || n >= cap)
        return -1;
    out[n] = '\0';
    return (int)n;
}

/* ---- name patterns ---------------------------------------------------- */

int xdi__zosmf_match(const char *pattern, const char *name)
{
    /* Iterative glob with one backtrack point: linear enough for 8-byte
     * names, and no recursion a long pattern could exhaust. */
    const char *star = NULL, *resume = NULL;

    while (*name != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = name;
        } else if (*pattern != '\0' &&
                   (*pattern == '%' || toupper((unsigned char)*pattern) ==
                                           toupper((unsigned char)*name))) {
            pattern++;
            name++;
        } else if (star != NULL) {
            pattern = star + 1;
            name = ++resume;
        } else {
            return 0;
        }
    }
    while (*pattern == '*')
        pattern++;
    return *pattern == '\0';
}
