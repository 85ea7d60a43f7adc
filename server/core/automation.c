/*
 * automation.c - what the fake host does when an agent reports an event:
 * EMS actions (exec command, 01020104) and SCD triggers (exec job,
 * 01020108), docs/protocol.md §7, §8 ("Verb substitution") and §11
 * step 5, and the triggers held for hosts whose agent is not logged in.
 *
 * session.c calls in only for an info NACCB whose every object passed its
 * checks, after all of its info records.  Decisions where the notes are
 * silent (docs/journal.md "action", "trigger"):
 * - an action whose target host has no live session is dropped, not held:
 *   a command reacts to what happens now; a job is work a scheduler keeps
 *   queued, so a trigger is held until its host logs in;
 * - an EOJ / EOS event text carries no codes, so only a trigger without
 *   conditions fires on one ("needs_eotinfo" otherwise);
 * - a text fires the triggers of the reporting host's jobs whose job name
 *   is the text's first 8 bytes (blank padded), whether or not the SCD
 *   table is ready: triggers are the host's own automation.
 * Every firing, hold, release and drop is one journal record; a firing or
 * release that sends is journalled once the send's result is known, with
 * that result as its outcome (sent, send_dropped, send_over_limit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* ---- sending one object -------------------------------------------------- */

/* A NACCB with one object (exec command, exec job) on c; the object's
 * bytes go into the send record too (they are small, and they are what a
 * test wants to see).  why (owned) is the record that says why it is sent:
 * journalled with the send's outcome, just before the send's record. */
void xdi__send_one(struct xdi_conn *c, uint32_t key, const uint8_t *obj,
                   size_t len, const char *job, json_t *why)
{
    struct xdi_blob *b = xdi_blob_new(obj, len);
    struct xdi__out out = {.key = key, .body = b, .count = 1,
                           .size = (uint32_t)len, .why = why};
    json_t *rec;

    if (b == NULL) {
        xdi__rec_str(why, "outcome", "send_dropped");
        xdi__journal(c->srv, why);
        rec = xdi__rec(c, "internal_error", NULL);
        xdi__rec_str(rec, "reason", "out of memory for an exec NACCB");
        xdi__journal(c->srv, rec);
        return;
    }
    rec = xdi__rec(c, "send", NULL);
    xdi__rec_hex(rec, "object", obj, len);
    if (job != NULL) /* exec job: the name, for readers of the journal */
        xdi__rec_str(rec, "job", job);
    xdi__send(c, &out, NULL, NULL, rec);
    xdi_blob_unref(b); /* the send callback took its own reference */
}

/* Exec job: one 8-byte object, the job name in EBCDIC, blank padded. */
void xdi__send_exec_job(struct xdi_conn *c, const char *job, json_t *why)
{
    uint8_t name[NACCB_NAME_SIZE];

    if (naccb_field_put(c->srv->fixtures->codepage, name, sizeof(name), job,
                        strlen(job)) != 0) {
        /* The loader allows 8 characters at most: cannot happen. */
        xdi__rec_str(why, "outcome", "send_dropped");
        xdi__journal(c->srv, why);
        return;
    }
    xdi__send_one(c, NACCB_KEY_EXEC_JOB, name, sizeof(name), job, why);
}

/* The live session of host h, or NULL (a closing one does not count). */
struct xdi_conn *xdi__live(const struct xdi__host *h)
{
    if (h == NULL || h->session == NULL || h->session->closing)
        return NULL;
    return h->session;
}

/* ---- EMS actions --------------------------------------------------------- */

/*
 * The action of EVBLOK i (fixture event ev) for text: verb substitution
 * with the EVBLOK's VL, then exec command to the target host (the event's
 * target, else the reporting host).  A command that would be empty or
 * longer than 128 bytes is journalled and not sent (never truncated).
 */
static void fire_action(struct xdi_conn *c, size_t i,
                        const struct xdi_event *ev, const uint8_t *text,
                        size_t len)
{
    struct xdi_server *srv = c->srv;
    enum naccb_codepage cp = srv->fixtures->codepage;
    const struct naccb_evblok *b = &c->host->evbloks[i];
    size_t alen = strlen(ev->action);
    uint8_t act[NACCB_TEXT_MAX], cmd[NACCB_TEXT_MAX];
    struct xdi__host *target =
        ev->action_target != NULL ? xdi__host_by_name(srv, ev->action_target)
                                  : c->host;
    struct xdi_conn *to = xdi__live(target);
    json_t *rec = xdi__rec(c, "action", NULL);
    int n = NACCB_ETEXT_LENGTH;

    xdi__rec_int(rec, "evblok", (json_int_t)i);
    xdi__rec_ebcdic(rec, srv, "event_key", b->event_key, b->kl, false);
    xdi__rec_ebcdic(rec, srv, "text", text, len, false);
    xdi__rec_latin1(rec, "action", ev->action, alen);
    xdi__rec_int(rec, "vl", b->vl);
    xdi__rec_str(rec, "target", ev->action_target != NULL
                                    ? ev->action_target
                                    : c->host->fixture->system_name);
    if (alen <= sizeof(act)) { /* the loader allows 128 at most */
        naccb_ebcdic_encode(cp, (const uint8_t *)ev->action, alen, act);
        n = naccb_substitute_verb(cp, act, alen, text, len, b->vl, cmd,
                                  sizeof(cmd));
    }
    if (n < 0) {
        /* The length it would have (snprintf contract, docs/protocol.md). */
        int want = alen <= sizeof(act)
                       ? naccb_substitute_verb(cp, act, alen, text, len,
                                               b->vl, NULL, 0)
                       : (int)alen;
        xdi__rec_str(rec, "outcome", want == 0 ? "empty" : "too_long");
        xdi__rec_int(rec, "length", (json_int_t)want);
        xdi__rec_str(rec, "reason", "an exec command is 1 to 128 bytes and "
                                    "is never truncated: not sent");
        xdi__journal(srv, rec);
        return;
    }
    xdi__rec_ebcdic(rec, srv, "command", cmd, (size_t)n, false);
    xdi__rec_int(rec, "length", n);
    if (to == NULL) {
        xdi__rec_str(rec, "outcome", "target_not_connected");
        xdi__journal(srv, rec);
        return;
    }
    /* Journalled with its outcome once the send's result is known. */
    xdi__rec_int(rec, "target_conn", (json_int_t)to->id);
    xdi__send_one(to, NACCB_KEY_EXEC_CMD, cmd, (size_t)n, NULL, rec);
}

/* ---- SCD triggers -------------------------------------------------------- */

/* What fired a trigger, for its record. */
struct origin {
    const char *source;     /* "eotinfo" or "text" */
    size_t entry;           /* the job's index in the host's SCD list */
    const uint8_t *job;     /* 8 wire bytes */
    const uint8_t *step;    /* 8 wire bytes, or NULL (EOJ) */
    size_t trigger;         /* index in the job's triggers */
};

static json_t *trigger_record(struct xdi_conn *c, const struct origin *o,
                              const struct xdi_trigger *t)
{
    json_t *rec = xdi__rec(c, "trigger", NULL);
    char where[300];

    xdi__rec_str(rec, "source", o->source);
    xdi__rec_int(rec, "entry", (json_int_t)o->entry);
    xdi__rec_ebcdic(rec, c->srv, "job", o->job, NACCB_NAME_SIZE, true);
    if (o->step != NULL)
        xdi__rec_ebcdic(rec, c->srv, "step", o->step, NACCB_NAME_SIZE, true);
    xdi__rec_int(rec, "trigger", (json_int_t)o->trigger);
    xdi__rec_str(rec, "on", t->on == XDI_TRIGGER_EOJ ? "eoj" : "eos");
    xdi__rec_str(rec, "run_job", t->run_job);
    xdi__rec_str(rec, "target", t->target_host);
    if (t->source_file != NULL) {
        snprintf(where, sizeof(where), "%s:%d", t->source_file, t->line);
        xdi__rec_str(rec, "fixture", where);
    }
    return rec;
}

/* Holds an exec job for a host that is not logged in.  The outcome goes
 * into rec: "held" with its id, or "dropped" (limit, out of memory). */
static void hold(struct xdi_conn *c, const struct origin *o,
                 const struct xdi_trigger *t, json_t *rec)
{
    struct xdi_server *srv = c->srv;
    struct xdi__held *h;

    if (srv->n_held >= srv->cfg.max_held_triggers) {
        xdi__rec_str(rec, "outcome", "dropped");
        xdi__rec_str(rec, "reason", "max_held_triggers reached");
        return;
    }
    h = calloc(1, sizeof(*h));
    if (h == NULL) {
        xdi__rec_str(rec, "outcome", "dropped");
        xdi__rec_str(rec, "reason", "out of memory");
        return;
    }
    h->id = ++srv->next_held_id;
    snprintf(h->target, sizeof(h->target), "%s", t->target_host);
    snprintf(h->run_job, sizeof(h->run_job), "%s", t->run_job);
    snprintf(h->from_system, sizeof(h->from_system), "%s", c->had_system);
    naccb_field_get(srv->fixtures->codepage, o->job, NACCB_NAME_SIZE,
                    h->from_job);
    xdi__now(srv, &h->since);
    *srv->held_tail = h;
    srv->held_tail = &h->next;
    srv->n_held++;
    xdi__rec_str(rec, "outcome", "held");
    xdi__rec_int(rec, "held", (json_int_t)h->id);
}

/* The trigger fires: exec job now if its host is logged in, else held. */
static void fire_trigger(struct xdi_conn *c, const struct origin *o,
                         const struct xdi_trigger *t)
{
    struct xdi_conn *to = xdi__live(xdi__host_by_name(c->srv, t->target_host));
    json_t *rec = trigger_record(c, o, t);

    if (to == NULL) {
        hold(c, o, t, rec);
        xdi__journal(c->srv, rec);
        return;
    }
    xdi__rec_int(rec, "target_conn", (json_int_t)to->id);
    xdi__send_exec_job(to, t->run_job, rec);
}

/* A trigger that did not fire, with why ("not_met" and the condition, or
 * "needs_eotinfo"). */
static void not_fired(struct xdi_conn *c, const struct origin *o,
                      const struct xdi_trigger *t, const char *outcome,
                      const char *condition, long got)
{
    json_t *rec = trigger_record(c, o, t);

    xdi__rec_str(rec, "outcome", outcome);
    if (condition != NULL)
        xdi__rec_str(rec, "condition", condition);
    if (got >= 0)
        xdi__rec_int(rec, "value", got);
    xdi__journal(c->srv, rec);
}

static const char *op_text(enum xdi_cond_op op)
{
    switch (op) {
    case XDI_OP_EQ:
        return "==";
    case XDI_OP_NE:
        return "!=";
    case XDI_OP_LT:
        return "<";
    case XDI_OP_LE:
        return "<=";
    case XDI_OP_GT:
        return ">";
    case XDI_OP_GE:
        return ">=";
    }
    return "?";
}

static const char *field_text(enum xdi_cond_field f)
{
    switch (f) {
    case XDI_COND_MAX_CC:
        return "max_cc";
    case XDI_COND_SCC:
        return "scc";
    case XDI_COND_UCC:
        return "ucc";
    case XDI_COND_NOTES:
        return "notes";
    }
    return "?";
}

static bool compare(uint32_t got, enum xdi_cond_op op, uint32_t want)
{
    switch (op) {
    case XDI_OP_EQ:
        return got == want;
    case XDI_OP_NE:
        return got != want;
    case XDI_OP_LT:
        return got < want;
    case XDI_OP_LE:
        return got <= want;
    case XDI_OP_GT:
        return got > want;
    case XDI_OP_GE:
        return got >= want;
    }
    return false;
}

/* The reported value a condition compares (§9): the halfwords, or
 * notes[2] as its letter (note letters are EBCDIC in every code page). */
static uint32_t cond_value(enum xdi_cond_field f, const struct naccb_eotinfo *e)
{
    switch (f) {
    case XDI_COND_MAX_CC:
        return e->max_cc;
    case XDI_COND_SCC:
        return e->scc;
    case XDI_COND_UCC:
        return e->ucc;
    case XDI_COND_NOTES:
        return naccb_ebcdic_to_latin1(NACCB_CP_037, e->notes[2]);
    }
    return 0;
}

/* The first condition of t that e fails, as text into buf (with *got),
 * or false when all hold. */
static bool failed_condition(const struct xdi_trigger *t,
                             const struct naccb_eotinfo *e, char *buf,
                             size_t cap, uint32_t *got)
{
    for (size_t i = 0; i < t->n_conditions; i++) {
        const struct xdi_condition *k = &t->conditions[i];
        uint32_t v = cond_value(k->field, e);
        if (compare(v, k->op, k->value))
            continue;
        if (k->field == XDI_COND_NOTES)
            snprintf(buf, cap, "notes %s %c", op_text(k->op),
                     (char)k->value);
        else
            snprintf(buf, cap, "%s %s %u", field_text(k->field),
                     op_text(k->op), (unsigned)k->value);
        *got = v;
        return true;
    }
    return false;
}

/* An EOS trigger naming a step fires only for that step. */
static bool step_fits(const struct xdi_server *srv,
                      const struct xdi_trigger *t, const uint8_t *step)
{
    uint8_t want[NACCB_NAME_SIZE];

    if (t->on != XDI_TRIGGER_EOS || t->step_name[0] == '\0')
        return true;
    if (naccb_field_put(srv->fixtures->codepage, want, sizeof(want),
                        t->step_name, strlen(t->step_name)) != 0)
        return false;
    return step != NULL && memcmp(want, step, NACCB_NAME_SIZE) == 0;
}

void xdi__auto_eotinfo(struct xdi_conn *c, size_t entry,
                       const struct naccb_eotinfo *e)
{
    const struct xdi_job *job =
        c->host->entry_jobs != NULL ? c->host->entry_jobs[entry] : NULL;
    enum xdi_trigger_on on;
    struct origin o = {"eotinfo", entry, e->job_name, NULL, 0};

    if (job == NULL) /* a raw table has no triggers */
        return;
    if (e->notes[0] == NACCB_NOTE_J) {
        on = XDI_TRIGGER_EOJ;
    } else if (e->notes[0] == NACCB_NOTE_S) {
        on = XDI_TRIGGER_EOS;
        o.step = e->step_name;
    } else {
        return; /* validated: cannot happen */
    }
    for (size_t i = 0; i < job->n_triggers && c->host != NULL; i++) {
        const struct xdi_trigger *t = &job->triggers[i];
        char cond[64];
        uint32_t got = 0;
        o.trigger = i;
        if (t->on != on)
            continue;
        if (!step_fits(c->srv, t, e->step_name))
            not_fired(c, &o, t, "not_met", "step", -1);
        else if (failed_condition(t, e, cond, sizeof(cond), &got))
            not_fired(c, &o, t, "not_met", cond, (long)got);
        else
            fire_trigger(c, &o, t);
    }
}

/* The condition-free triggers of the host's jobs named by an EOJ text
 * (the job name) or EOS text (job name + step name), docs/protocol.md
 * §5.  Texts shorter than 8 (16) bytes are blank padded. */
static void text_triggers(struct xdi_conn *c, unsigned object,
                          const uint8_t *text, size_t len)
{
    const struct xdi_host *fh = c->host->fixture;
    uint8_t blank = naccb_ebcdic_blank(c->srv->fixtures->codepage);
    uint8_t job[NACCB_NAME_SIZE], step[NACCB_NAME_SIZE];
    enum xdi_trigger_on on =
        object == NACCB_OBJ_EOJ ? XDI_TRIGGER_EOJ : XDI_TRIGGER_EOS;
    struct origin o = {"text", 0, job, NULL, 0};

    memset(job, blank, sizeof(job));
    memset(step, blank, sizeof(step));
    memcpy(job, text, len < sizeof(job) ? len : sizeof(job));
    if (on == XDI_TRIGGER_EOS) {
        if (len > NACCB_NAME_SIZE)
            memcpy(step, text + NACCB_NAME_SIZE,
                   len - NACCB_NAME_SIZE < sizeof(step)
                       ? len - NACCB_NAME_SIZE
                       : sizeof(step));
        o.step = step;
    }
    for (size_t j = 0; j < fh->n_jobs && c->host != NULL; j++) {
        const struct xdi_job *jb = &fh->jobs[j];
        if (memcmp(jb->entry.job_name, job, NACCB_NAME_SIZE) != 0)
            continue;
        o.entry = j;
        for (size_t i = 0; i < jb->n_triggers && c->host != NULL; i++) {
            const struct xdi_trigger *t = &jb->triggers[i];
            o.trigger = i;
            if (t->on != on)
                continue;
            if (!step_fits(c->srv, t, step))
                not_fired(c, &o, t, "not_met", "step", -1);
            else if (t->n_conditions > 0)
                not_fired(c, &o, t, "needs_eotinfo", NULL, -1);
            else
                fire_trigger(c, &o, t);
        }
    }
}

void xdi__auto_text(struct xdi_conn *c, unsigned object, const uint8_t *text,
                    size_t len, const struct naccb_local_time *t)
{
    const struct xdi__host *h = c->host;
    unsigned et = naccb_event_type_for_object(object);
    bool matched = false;
    uint32_t found[XDI__MATCH_CANDIDATES];
    size_t n = xdi__evindex_find(&h->ems_index, h->evbloks, et, text, len,
                                 found, XDI__MATCH_CANDIDATES);
    bool scan = n > XDI__MATCH_CANDIDATES;

    /* Every EVBLOK the text matches in frame fires its own action, in
     * table order (the index's candidates, or the whole table). */
    for (size_t j = 0; j < (scan ? h->ems.count : n) && c->host != NULL;
         j++) {
        uint32_t i = scan ? (uint32_t)j : found[j];
        const struct xdi_event *ev;
        if (naccb_evblok_match(&h->evbloks[i], et, text, len, t,
                               xdi_fixture_is_holiday,
                               c->srv->fixtures) != NACCB_MATCH_IN_FRAME)
            continue;
        matched = true;
        ev = h->evblok_events[i];
        if (ev != NULL && ev->action != NULL)
            fire_action(c, i, ev, text, len);
    }
    if (matched && c->host != NULL &&
        (object == NACCB_OBJ_EOJ || object == NACCB_OBJ_EOS))
        text_triggers(c, object, text, len);
}

/* ---- held triggers ------------------------------------------------------- */

/* Unlinks *pp (whose node is h) from the held list. */
static void unlink_held(struct xdi_server *srv, struct xdi__held **pp,
                        struct xdi__held *h)
{
    *pp = h->next;
    if (srv->held_tail == &h->next)
        srv->held_tail = pp;
    srv->n_held--;
}

static json_int_t ms_since(const struct xdi_server *srv,
                           const struct timespec *since)
{
    struct timespec now;

    xdi__now(srv, &now);
    return (json_int_t)(now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void held_fields(json_t *rec, const struct xdi_server *srv,
                        const struct xdi__held *h)
{
    xdi__rec_int(rec, "held", (json_int_t)h->id);
    xdi__rec_str(rec, "run_job", h->run_job);
    xdi__rec_str(rec, "target", h->target);
    xdi__rec_str(rec, "from_system", h->from_system);
    xdi__rec_str(rec, "from_job", h->from_job);
    xdi__rec_int(rec, "held_ms", ms_since(srv, &h->since));
}

void xdi__auto_release(struct xdi_conn *c)
{
    struct xdi_server *srv = c->srv;
    struct xdi__held **pp = &srv->held;

    while (*pp != NULL && c->host != NULL && !c->closing) {
        struct xdi__held *h = *pp;
        json_t *rec;
        if (strcmp(h->target, c->host->fixture->system_name) != 0) {
            pp = &h->next;
            continue;
        }
        unlink_held(srv, pp, h);
        rec = xdi__rec(c, "trigger_release", NULL);
        held_fields(rec, srv, h);
        xdi__send_exec_job(c, h->run_job, rec);
        free(h);
    }
}

void xdi__held_drop(struct xdi_server *srv,
                    bool (*keep)(struct xdi_server *, const struct xdi__held *),
                    const char *reason)
{
    struct xdi__held **pp = &srv->held;

    while (*pp != NULL) {
        struct xdi__held *h = *pp;
        json_t *rec;
        if (keep != NULL && keep(srv, h)) {
            pp = &h->next;
            continue;
        }
        unlink_held(srv, pp, h);
        rec = json_object();
        xdi__rec_str(rec, "event", "trigger_dropped");
        held_fields(rec, srv, h);
        xdi__rec_str(rec, "reason", reason);
        xdi__journal(srv, rec);
        free(h);
    }
}
