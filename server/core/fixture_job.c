/*
 * fixture_job.c - one SCD job of a fixture host: the EOTINFO table entry
 * it becomes (names and flag2, docs/protocol.md §9) and its triggers
 * ("when this job or step ends and the conditions hold, run job J on host
 * H").
 *
 * The entry is checked by the codec (naccb_eotinfo_validate as a table
 * entry); a failure is reported at the YAML line that decides the failing
 * field.
 */
#include "fixture_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT_(a) (sizeof(a) / sizeof((a)[0]))

struct cond_key {
    const char *name;
    enum xdi_cond_field field;
};

static const struct cond_key cond_keys[] = {
    {"max_cc", XDI_COND_MAX_CC},
    {"scc", XDI_COND_SCC},
    {"ucc", XDI_COND_UCC},
    {"notes", XDI_COND_NOTES},
};

struct op_name {
    const char *text;
    enum xdi_cond_op op;
};

/* Two-character operators first, so "<=" is not read as "<". */
static const struct op_name op_names[] = {
    {"==", XDI_OP_EQ}, {"!=", XDI_OP_NE}, {"<=", XDI_OP_LE},
    {">=", XDI_OP_GE}, {"<", XDI_OP_LT},  {">", XDI_OP_GT},
};

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "<= 4" -> LE and "4"; no operator means ==. */
static const char *parse_op(const char *s, enum xdi_cond_op *op)
{
    s = skip_blanks(s);
    *op = XDI_OP_EQ;
    for (size_t i = 0; i < COUNT_(op_names); i++) {
        size_t n = strlen(op_names[i].text);
        if (strncmp(s, op_names[i].text, n) == 0) {
            *op = op_names[i].op;
            return skip_blanks(s + n);
        }
    }
    return s;
}

/* notes[2]: normal / abend / not-executed (docs/protocol.md §9). */
static int parse_note_value(const char *s, uint32_t *letter)
{
    static const struct {
        const char *a, *b;
        char letter;
    } notes[] = {
        {"normal", "N", 'N'},
        {"abend", "A", 'A'},
        {"not-executed", "C", 'C'},
    };

    for (size_t i = 0; i < COUNT_(notes); i++) {
        if (strcmp(s, notes[i].a) == 0 || strcmp(s, notes[i].b) == 0) {
            *letter = (uint32_t)notes[i].letter;
            return 0;
        }
    }
    return -1;
}

static int parse_condition(struct fx_ctx *c, const yaml_node_t *item,
                           const struct cond_key *k, struct xdi_condition *out)
{
    char buf[64];
    const char *s;
    unsigned long v;

    if (item->type != YAML_SCALAR_NODE || xdi__fx_is_null(item)) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "%s: expected a condition such as \"<= 4\"", k->name);
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", (const char *)item->data.scalar.value);
    for (size_t n = strlen(buf);
         n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'); n--)
        buf[n - 1] = '\0';
    out->field = k->field;
    s = parse_op(buf, &out->op);
    if (k->field == XDI_COND_NOTES) {
        if (out->op != XDI_OP_EQ && out->op != XDI_OP_NE) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                          "notes: compares only with == or !=");
            return -1;
        }
        if (parse_note_value(s, &out->value) != 0) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                          "notes: '%s' is not normal, abend or not-executed",
                          s);
            return -1;
        }
        return 0;
    }
    if (xdi__fx_parse_uint(s, UINT16_MAX, &v) != 0) {
        xdi__fx_error(
            c->ld, c->file, xdi__fx_line(item),
            "%s: '%s' is not a condition: write an operator (==, !=, "
            "<, <=, >, >=) and a number from 0 to 65535 (0x hex allowed)",
            k->name, buf);
        return -1;
    }
    out->value = (uint32_t)v;
    return 0;
}

enum { WH_MAX_CC, WH_SCC, WH_UCC, WH_NOTES, WH_N };

/* when: {max_cc: "<= 4", scc: ["!= 0", "< 0x100"], notes: abend}: every
 * condition must hold.  A list gives several on one field (a range). */
static int parse_when(struct fx_ctx *c, const struct fx_field *when,
                      struct xdi_trigger *t)
{
    struct fx_field f[WH_N] = {
        {.name = "max_cc"},
        {.name = "scc"},
        {.name = "ucc"},
        {.name = "notes"},
    };
    size_t count = 0;
    int bad = 0;

    if (xdi__fx_expect_mapping(c, when->value, "when") != 0)
        return -1;
    xdi__fx_fields(c, when->value, "when", f, WH_N);
    for (size_t i = 0; i < WH_N; i++)
        if (f[i].value != NULL)
            count += f[i].value->type == YAML_SEQUENCE_NODE
                         ? xdi__fx_seq_len(f[i].value)
                         : 1;
    t->conditions =
        xdi__fx_alloc_array(c, count, sizeof *t->conditions, t->line);
    if (count > 0 && t->conditions == NULL)
        return -1;
    for (size_t i = 0; i < WH_N; i++) {
        const yaml_node_t *v = f[i].value;
        if (v == NULL)
            continue;
        if (v->type != YAML_SEQUENCE_NODE) {
            if (parse_condition(c, v, &cond_keys[i],
                                &t->conditions[t->n_conditions]) == 0)
                t->n_conditions++;
            else
                bad = -1;
            continue;
        }
        for (yaml_node_item_t *it = v->data.sequence.items.start;
             it < v->data.sequence.items.top; it++) {
            yaml_node_t *item = xdi__fx_node(c, *it);
            if (item != NULL &&
                parse_condition(c, item, &cond_keys[i],
                                &t->conditions[t->n_conditions]) == 0)
                t->n_conditions++;
            else
                bad = -1;
        }
    }
    return bad;
}

enum { TR_ON, TR_STEP, TR_WHEN, TR_RUN, TR_HOST, TR_N };

static int parse_trigger_on(struct fx_ctx *c, const struct fx_field *f,
                            struct xdi_trigger *t)
{
    char *s;
    size_t len;
    int rc = 0;

    if (xdi__fx_get_string(c, f, &s, &len) != 0)
        return -1;
    if (strcmp(s, "eoj") == 0) {
        t->on = XDI_TRIGGER_EOJ;
    } else if (strcmp(s, "eos") == 0) {
        t->on = XDI_TRIGGER_EOS;
    } else {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f->value),
                      "on: '%.40s' is neither eoj (end of job) nor eos (end of "
                      "step)",
                      s);
        rc = -1;
    }
    free(s);
    return rc;
}

/* "When this job (step) ends and every condition holds, run job `run` on
 * host `host`" - the target host defaults to the job's own. */
static void parse_trigger(struct fx_ctx *c, const struct xdi_host *h,
                          const yaml_node_t *node, struct xdi_trigger *t)
{
    struct fx_field f[TR_N] = {
        {.name = "on"},  {.name = "step"}, {.name = "when"},
        {.name = "run"}, {.name = "host"},
    };

    t->line = xdi__fx_line(node);
    t->source_file = strdup(c->file);
    if (t->source_file == NULL)
        xdi__fx_nomem(c->ld, c->file, t->line);
    snprintf(t->target_host, sizeof t->target_host, "%s", h->system_name);
    if (xdi__fx_expect_mapping(c, node, "trigger") != 0)
        return;
    xdi__fx_fields(c, node, "trigger", f, TR_N);
    if (f[TR_ON].value == NULL)
        xdi__fx_error(c->ld, c->file, t->line,
                      "trigger has no 'on' (eoj or eos)");
    else if (parse_trigger_on(c, &f[TR_ON], t) == 0 &&
             f[TR_STEP].value != NULL && t->on != XDI_TRIGGER_EOS)
        xdi__fx_error(c->ld, c->file, xdi__fx_line(f[TR_STEP].value),
                      "step: only an 'on: eos' trigger names a step");
    if (f[TR_STEP].value != NULL)
        xdi__fx_get_name(c, &f[TR_STEP], t->step_name);
    if (f[TR_WHEN].value != NULL)
        parse_when(c, &f[TR_WHEN], t);
    if (f[TR_RUN].value == NULL)
        xdi__fx_error(c->ld, c->file, t->line,
                      "trigger has no 'run' (the job to run)");
    else
        xdi__fx_get_name(c, &f[TR_RUN], t->run_job);
    if (f[TR_HOST].value != NULL &&
        xdi__fx_get_name(c, &f[TR_HOST], t->target_host) == 0)
        xdi__fx_check_target_later(c, t->target_host,
                                   xdi__fx_line(f[TR_HOST].value), "host");
}

enum {
    JB_JOB,
    JB_JOB_ID,
    JB_STEP,
    JB_PROC_STEP,
    JB_CAPTURE,
    JB_TRIGGERS,
    JB_N
};

/* The name fields of an SCD entry: YAML key, capture word, flag2 bit
 * (docs/protocol.md §9). */
struct job_name_field {
    int index;
    const char *capture;
    uint8_t bit;
    size_t offset;
};

static const struct job_name_field job_names[] = {
    {JB_JOB, "job", NACCB_FLAG2_JOB_NAME, NACCB_EOT_JOB_NAME},
    {JB_JOB_ID, "job_id", NACCB_FLAG2_JOB_ID, NACCB_EOT_JOB_ID},
    {JB_STEP, "step", NACCB_FLAG2_STEP_NAME, NACCB_EOT_STEP_NAME},
    {JB_PROC_STEP, "proc_step", NACCB_FLAG2_PROC_STEP_NAME,
     NACCB_EOT_PROC_STEP_NAME},
};

static uint8_t *eot_name(struct naccb_eotinfo *e, size_t offset)
{
    switch (offset) {
    case NACCB_EOT_JOB_NAME:
        return e->job_name;
    case NACCB_EOT_JOB_ID:
        return e->job_id;
    case NACCB_EOT_STEP_NAME:
        return e->step_name;
    default:
        return e->proc_step_name;
    }
}

/* EOTINFO field names as docs/protocol.md §9 writes them. */
const char *xdi__fx_eotinfo_field_name(size_t offset)
{
    static const struct {
        size_t offset;
        const char *name;
    } names[] = {
        {NACCB_EOT_WORK_AREA1, "work area 1"},
        {NACCB_EOT_WORK_AREA2, "work area 2"},
        {NACCB_EOT_FLAG1, "flag1"},
        {NACCB_EOT_FLAG2, "flag2"},
        {NACCB_EOT_RESERVED1, "reserved"},
        {NACCB_EOT_JOB_ID, "job-id"},
        {NACCB_EOT_SYSTEM_NAME, "system name"},
        {NACCB_EOT_JOB_NAME, "job name"},
        {NACCB_EOT_STEP_NAME, "job-step name"},
        {NACCB_EOT_PROC_STEP_NAME, "procedure-step name"},
        {NACCB_EOT_STEP_NUMBER, "step number"},
        {NACCB_EOT_SCC, "SCC"},
        {NACCB_EOT_UCC, "UCC"},
        {NACCB_EOT_MAX_CC, "max CC"},
        {NACCB_EOT_NOTES, "notes"},
        {NACCB_EOT_RESERVED2, "reserved"},
    };
    const char *name = "?";

    for (size_t i = 0; i < COUNT_(names); i++)
        if (names[i].offset <= offset)
            name = names[i].name;
    return name;
}

static int capture_bit(const char *word)
{
    for (size_t i = 0; i < COUNT_(job_names); i++)
        if (strcmp(word, job_names[i].capture) == 0)
            return job_names[i].bit;
    return -1;
}

static int parse_capture_item(struct fx_ctx *c, const yaml_node_t *item,
                              uint8_t *flag2)
{
    int bit = item->type == YAML_SCALAR_NODE
                  ? capture_bit((const char *)item->data.scalar.value)
                  : -1;

    if (bit < 0) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "capture: expected job, job_id, step or proc_step");
        return -1;
    }
    if (*flag2 & bit) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                      "capture: %s is listed twice",
                      (const char *)item->data.scalar.value);
        return -1;
    }
    *flag2 |= (uint8_t)bit;
    return 0;
}

/* The names the agent must match (flag2).  A list, or one word. */
static int parse_capture(struct fx_ctx *c, const struct fx_field *f,
                         uint8_t *flag2)
{
    const yaml_node_t *v = f->value;
    int bad = 0;

    *flag2 = 0;
    if (v->type == YAML_SCALAR_NODE && !xdi__fx_is_null(v))
        return parse_capture_item(c, v, flag2);
    if (xdi__fx_expect_sequence(c, v, "capture") != 0)
        return -1;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            bad |= parse_capture_item(c, item, flag2);
    }
    return bad;
}

static void validate_eotinfo(struct fx_ctx *c, const struct xdi_job *job,
                             const struct fx_field *capture)
{
    size_t off = 0;
    int rc = naccb_eotinfo_validate(&job->entry, NACCB_EOTINFO_TABLE_ENTRY,
                                    c->ld->set->codepage, &off);
    /* flag2 and the captured names are what `capture` decides. */
    bool by_capture =
        capture->value != NULL &&
        (off == NACCB_EOT_FLAG2 || off == NACCB_EOT_JOB_ID ||
         off == NACCB_EOT_JOB_NAME || off == NACCB_EOT_STEP_NAME ||
         off == NACCB_EOT_PROC_STEP_NAME);

    if (rc == 0)
        return;
    xdi__fx_error(c->ld, c->file,
                  by_capture ? xdi__fx_line(capture->value) : job->line,
                  "%s: %s (EOTINFO field %s at offset %zu)",
                  by_capture ? "capture" : "job", naccb_strerror(rc),
                  xdi__fx_eotinfo_field_name(off), off);
}

/* The job's name fields; flag2 defaults to every name given. */
static int parse_job_names(struct fx_ctx *c, const yaml_node_t *node,
                           struct fx_field *f, struct xdi_job *job)
{
    enum naccb_codepage cp = c->ld->set->codepage;
    int bad = 0;

    if (f[JB_JOB].value == NULL) {
        xdi__fx_error(c->ld, c->file, xdi__fx_line(node),
                      "job entry has no 'job' (its job name)");
        bad = -1;
    }
    for (size_t i = 0; i < COUNT_(job_names); i++) {
        const struct fx_field *nf = &f[job_names[i].index];
        char name[NACCB_NAME_SIZE + 1] = "";
        uint8_t *field = eot_name(&job->entry, job_names[i].offset);
        if (nf->value != NULL && xdi__fx_get_name(c, nf, name) != 0)
            bad = -1;
        /* Absent names are blanks ("blanks if none", §9). */
        naccb_field_put(cp, field, NACCB_NAME_SIZE, name, strlen(name));
        if (name[0] != '\0')
            job->entry.flag2 |= job_names[i].bit;
    }
    return bad;
}

/* Two equal entries would make every report match twice. */
static void check_job_unique(struct fx_ctx *c, const struct xdi_host *h,
                             const struct xdi_job *job)
{
    uint8_t a[NACCB_EOTINFO_SIZE], b[NACCB_EOTINFO_SIZE];

    naccb_eotinfo_encode(&job->entry, a);
    for (const struct xdi_job *o = h->jobs; o < job; o++) {
        naccb_eotinfo_encode(&o->entry, b);
        if (memcmp(a, b, sizeof a) == 0) {
            xdi__fx_error(c->ld, c->file, job->line,
                          "job: the same entry as at line %d (same names and "
                          "capture)",
                          o->line);
            return;
        }
    }
}

static void parse_triggers(struct fx_ctx *c, const struct xdi_host *h,
                           const struct fx_field *f, struct xdi_job *job)
{
    const yaml_node_t *v = f->value;

    if (xdi__fx_expect_sequence(c, v, "triggers") != 0)
        return;
    job->triggers = xdi__fx_alloc_array(c, xdi__fx_seq_len(v),
                                        sizeof *job->triggers, xdi__fx_line(v));
    if (job->triggers == NULL)
        return;
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            parse_trigger(c, h, item, &job->triggers[job->n_triggers++]);
    }
}

void xdi__fx_parse_job(struct fx_ctx *c, const struct xdi_host *h,
                       const yaml_node_t *node, struct xdi_job *job)
{
    struct fx_field f[JB_N] = {
        {.name = "job"},       {.name = "job_id"},  {.name = "step"},
        {.name = "proc_step"}, {.name = "capture"}, {.name = "triggers"},
    };
    enum naccb_codepage cp = c->ld->set->codepage;
    int bad;

    job->line = xdi__fx_line(node);
    job->source_file = strdup(c->file);
    if (job->source_file == NULL)
        xdi__fx_nomem(c->ld, c->file, job->line);
    if (xdi__fx_expect_mapping(c, node, "job entry") != 0)
        return;
    xdi__fx_fields(c, node, "job entry", f, JB_N);
    memset(&job->entry, 0, sizeof job->entry);
    naccb_field_put(cp, job->entry.system_name, NACCB_NAME_SIZE, h->system_name,
                    strlen(h->system_name));
    bad = parse_job_names(c, node, f, job);
    if (f[JB_CAPTURE].value != NULL)
        bad |= parse_capture(c, &f[JB_CAPTURE], &job->entry.flag2);
    if (!bad) {
        validate_eotinfo(c, job, &f[JB_CAPTURE]);
        check_job_unique(c, h, job);
    }
    if (f[JB_TRIGGERS].value != NULL)
        parse_triggers(c, h, &f[JB_TRIGGERS], job);
}
