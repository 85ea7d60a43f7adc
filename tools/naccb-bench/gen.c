/*
 * gen.c - naccb-bench's inputs: realistic, valid NACCB streams, an EMS
 * table and event texts, all from a seeded PRNG so every run (and every
 * machine) measures the same bytes.
 *
 * Everything generated is checked with libnaccb as it is made (EVBLOKs
 * with naccb_evblok_validate, EOTINFOs with naccb_eotinfo_validate, whole
 * NACCBs with naccb_message_check_objects), so a benchmark figure is never
 * the speed of rejecting garbage.  Character fields are EBCDIC (code page
 * 037, docs/protocol.md §1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "naccb/codes.h"
#include "naccb/ebcdic.h"
#include "naccb/eotinfo.h"
#include "naccb/errors.h"
#include "naccb/header.h"
#include "naccb/packed.h"

#define CP NACCB_CP_037

/* Plausible z/OS message prefixes and operator verbs, so keys share
 * leading bytes the way real tables do (memcmp does not stop at byte 0). */
static const char *const msg_prefixes[] = {
    "IEF", "IEA", "IEC", "IST", "$HASP", "ICH", "IRR", "DFH", "CSQ", "IXC",
    "IOS", "ARC"};
static const char *const verbs[] = {
    "KILL", "START", "STOP", "CANCEL", "DISPLAY", "MODIFY", "REPLY", "VARY",
    "SEND", "ROUTE"};
static const char *const words[] = {
    "JOB", "STEP", "CICSPROD", "DB2P", "TSO", "USER", "ABEND", "WAITING",
    "COMPLETE", "ALLOCATED", "DATASET", "VOLUME", "NOT", "FOUND", "RC=0000"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- character fields ---------------------------------------------------- */

/* Latin-1 text -> EBCDIC field, blank padded (never longer than width). */
static void put_field(uint8_t *field, size_t width, const char *s)
{
    size_t n = strlen(s);

    (void)naccb_field_put(CP, field, width, s, n > width ? width : n);
}

/* A job name: "PAY" and five digits, 8 characters. */
static void job_name(struct rng *r, char out[9])
{
    snprintf(out, 9, "PAY%05u", (unsigned)rng_below(r, 100000));
}

/* Words separated by blanks, at most max characters (max < cap). */
static size_t words_text(struct rng *r, char *out, size_t cap, size_t max)
{
    size_t n = 0;

    out[0] = '\0';
    while (n < max) {
        const char *w = words[rng_below(r, COUNT(words))];
        int k = snprintf(out + n, cap - n, "%s%s", n ? " " : "", w);
        if (k < 0 || n + (size_t)k > max)
            break;
        n += (size_t)k;
    }
    out[n] = '\0';
    return n;
}

/* ---- EVBLOKs (docs/protocol.md §8) ------------------------------------ */

/* A weekday frame in 2026: some days, some office hours. */
static void set_frame(struct rng *r, struct naccb_evblok *e)
{
    int sday = (int)rng_range(r, 1, 300);
    int eday = sday + (int)rng_range(r, 0, 65);
    struct naccb_date sd, ed;
    struct naccb_time st = {(int)rng_range(r, 0, 11), (int)rng_below(r, 60), 0};
    struct naccb_time et = {(int)rng_range(r, 12, 23), (int)rng_below(r, 60),
                            (int)rng_below(r, 60)};

    (void)naccb_julian_to_date(2026, sday, &sd);
    (void)naccb_julian_to_date(2026, eday, &ed);
    e->sdate = naccb_julian_encode(2026, sday);
    e->edate = naccb_julian_encode(2026, eday);
    e->ssdt = naccb_date_encode(&sd);
    e->esdt = naccb_date_encode(&ed);
    e->stime = naccb_time_encode(&st);
    e->stsec = naccb_time_seconds(&st);
    e->etime = naccb_time_encode(&et);
    e->etsec = naccb_time_seconds(&et);
    memset(e->day_list, 1, sizeof e->day_list);
    e->day_list[0] = 0; /* Sunday */
    e->day_list[6] = 0; /* Saturday */
    e->day_list[7] = 0; /* holidays */
}

/* The key (Latin-1), its event type and verb length, by kind. */
static unsigned make_key(struct rng *r, char key[21], unsigned *vl)
{
    uint32_t kind = rng_below(r, 10);
    char job[9];

    *vl = 0;
    if (kind < 6) { /* message: IEF450I */
        snprintf(key, 21, "%s%03u%c", msg_prefixes[rng_below(r, COUNT(msg_prefixes))],
                 (unsigned)rng_below(r, 1000), "IEWAD"[rng_below(r, 5)]);
        return NACCB_ET_MESSAGE;
    }
    if (kind < 8) { /* command: KILL, or START CICS with VL 5 */
        const char *v = verbs[rng_below(r, COUNT(verbs))];
        if (rng_below(r, 2))
            snprintf(key, 21, "%s", v);
        else
            snprintf(key, 21, "%s %.8s", v, words[rng_below(r, COUNT(words))]);
        *vl = (unsigned)strlen(v);
        return NACCB_ET_COMMAND;
    }
    job_name(r, job);
    if (kind == 8) { /* EOJ: the job name (§5) */
        snprintf(key, 21, "%s", job);
        return NACCB_ET_EOJ;
    }
    snprintf(key, 21, "%sSTEP%u", job, (unsigned)rng_range(r, 1, 9)); /* EOS */
    return NACCB_ET_EOS;
}

static void make_evblok(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
                        struct naccb_evblok *e)
{
    char key[21], text[109];
    unsigned vl;

    memset(e, 0, sizeof *e);
    memcpy(e->system_name, system, NACCB_NAME_SIZE);
    e->event_type = (uint8_t)make_key(r, key, &vl);
    put_field(e->event_key, NACCB_KEY_SIZE, key);
    words_text(r, text, sizeof text, rng_below(r, 109));
    put_field(e->additional_text, NACCB_ADDTEXT_SIZE, text);
    e->kl = (uint16_t)strlen(key);
    e->il = (uint16_t)(NACCB_NAME_SIZE + e->kl);
    e->vl = (uint16_t)vl;
    naccb_evblok_set_always(e);
    if (rng_below(r, 10) < 3)
        set_frame(r, e);
}

int gen_table(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
              uint32_t n, struct naccb_evblok *out)
{
    for (uint32_t i = 0; i < n; i++) {
        size_t off = 0;
        int rc;

        make_evblok(r, system, &out[i]);
        rc = naccb_evblok_validate(&out[i], &off);
        if (rc != 0) {
            fprintf(stderr, "naccb-bench: generated EVBLOK %u is invalid: %s "
                    "(offset %zu)\n", (unsigned)i, naccb_strerror(rc), off);
            return -1;
        }
    }
    return 0;
}

/* ---- EOTINFOs (docs/protocol.md §9) ----------------------------------- */

static void eot_names(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
                      struct naccb_eotinfo *e)
{
    char job[9];

    memset(e, 0, sizeof *e);
    job_name(r, job);
    put_field(e->job_id, NACCB_NAME_SIZE, "");
    memcpy(e->system_name, system, NACCB_NAME_SIZE);
    put_field(e->job_name, NACCB_NAME_SIZE, job);
    put_field(e->step_name, NACCB_NAME_SIZE, "");
    put_field(e->proc_step_name, NACCB_NAME_SIZE, "");
    e->flag2 = NACCB_FLAG2_JOB_NAME;
}

/* An SCD table entry: names to match, status fields zero. */
static void make_entry(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
                       struct naccb_eotinfo *e)
{
    eot_names(r, system, e);
    if (rng_below(r, 2)) {
        char id[9];
        snprintf(id, sizeof id, "JOB%05u", (unsigned)rng_below(r, 100000));
        put_field(e->job_id, NACCB_NAME_SIZE, id);
        e->flag2 |= NACCB_FLAG2_JOB_ID;
    }
}

/* A report an agent sends: an end of job or of a step, with codes. */
static void make_report(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
                        struct naccb_eotinfo *e)
{
    static const uint8_t second[] = {NACCB_NOTE_I, NACCB_NOTE_S, NACCB_NOTE_BLANK};
    static const uint8_t third[] = {NACCB_NOTE_N, NACCB_NOTE_A, NACCB_NOTE_C};

    eot_names(r, system, e);
    if (rng_below(r, 2)) {
        e->notes[0] = NACCB_NOTE_S;
        e->step_number = (uint16_t)rng_range(r, 1, 256);
        put_field(e->step_name, NACCB_NAME_SIZE, "STEP1");
    } else {
        e->notes[0] = NACCB_NOTE_J;
    }
    e->notes[1] = second[rng_below(r, 3)];
    e->notes[2] = third[rng_below(r, 3)];
    e->notes[3] = NACCB_NOTE_R;
    e->max_cc = (uint16_t)rng_below(r, 16);
    e->ucc = e->max_cc;
}

static int encode_eotinfo(const struct naccb_eotinfo *e,
                          enum naccb_eotinfo_role role, uint8_t *out)
{
    size_t off = 0;
    int rc = naccb_eotinfo_validate(e, role, CP, &off);

    if (rc != 0) {
        fprintf(stderr, "naccb-bench: generated EOTINFO is invalid: %s "
                "(offset %zu)\n", naccb_strerror(rc), off);
        return -1;
    }
    naccb_eotinfo_encode(e, out);
    return 0;
}

/* ---- NACCBs (docs/protocol.md §3 and §7) ------------------------------- */

/* One session's identity on the wire. */
struct who {
    uint8_t system[NACCB_NAME_SIZE];
    uint32_t agent_id;
};

/* Appends one NACCB (checked like a receiver would) to the stream. */
static int put_naccb(struct buf *out, struct stream_info *info,
                     const struct who *w, uint32_t key, uint32_t count,
                     uint32_t size, const uint8_t *objects)
{
    struct naccb_header h;
    uint64_t total = naccb_message_length(count, size);
    size_t off = 0;
    int n;

    memset(&h, 0, sizeof h);
    naccb_header_set_key(&h, key);
    h.agent_id = key == NACCB_KEY_LOGIN ? 0 : w->agent_id;
    memcpy(h.system_name, w->system, NACCB_NAME_SIZE);
    h.count = count;
    h.size = size;
    h.total_length = (uint32_t)total;
    if (naccb_message_check_objects(&h, &off) != 0 || buf_reserve(out, total) != 0)
        return -1;
    n = naccb_message_encode(&h, objects, out->data + out->len, out->cap - out->len);
    if (n < 0)
        return -1;
    out->len += (size_t)n;
    info->naccbs++;
    info->objects += count;
    return 0;
}

/* Scratch space for the objects of one NACCB. */
struct scratch {
    uint8_t *bytes;
    size_t cap;
};

static uint8_t *scratch_get(struct scratch *s, size_t n)
{
    if (n > s->cap) {
        uint8_t *p = realloc(s->bytes, n);
        if (p == NULL)
            return NULL;
        s->bytes = p;
        s->cap = n;
    }
    return s->bytes;
}

/* count texts of length len: message-like words, EBCDIC. */
static void fill_texts(struct rng *r, uint8_t *dst, uint32_t count, uint32_t len)
{
    char text[NACCB_TEXT_MAX + 1];

    for (uint32_t i = 0; i < count; i++) {
        size_t n = words_text(r, text, sizeof text, len);
        memset(text + n, ' ', len - n);
        naccb_ebcdic_encode(CP, (const uint8_t *)text, len, dst + (size_t)i * len);
    }
}

/* One info NACCB: MSG/CMD/EOJ/EOS texts or EOT reports (§7). */
static int put_info(struct rng *r, struct buf *out, struct stream_info *info,
                    const struct who *w, struct scratch *s)
{
    uint32_t kind = rng_below(r, 10), count = 1, size;
    uint32_t key;
    uint8_t *obj;

    if (kind == 9) { /* EOT */
        struct naccb_eotinfo e;
        count = rng_range(r, 1, 2);
        if ((obj = scratch_get(s, (size_t)count * NACCB_EOTINFO_SIZE)) == NULL)
            return -1;
        for (uint32_t i = 0; i < count; i++) {
            make_report(r, w->system, &e);
            if (encode_eotinfo(&e, NACCB_EOTINFO_REPORT, obj + i * NACCB_EOTINFO_SIZE) != 0)
                return -1;
        }
        info->eotinfos += count;
        return put_naccb(out, info, w, NACCB_KEY_INFO_EOT, count, NACCB_EOTINFO_SIZE, obj);
    }
    if (kind < 5) {
        key = NACCB_KEY_INFO_MSG;
        count = rng_range(r, 1, 4);
        size = rng_range(r, 16, 128);
    } else if (kind < 7) {
        key = NACCB_KEY_INFO_CMD;
        count = rng_range(r, 1, 2);
        size = rng_range(r, 8, 60);
    } else if (kind == 7) {
        key = NACCB_KEY_INFO_EOJ; /* the job name (§5) */
        size = 8;
    } else {
        key = NACCB_KEY_INFO_EOS; /* job name + step name */
        size = 16;
    }
    if ((obj = scratch_get(s, (size_t)count * size)) == NULL)
        return -1;
    fill_texts(r, obj, count, size);
    info->texts += count;
    return put_naccb(out, info, w, key, count, size, obj);
}

/* A table of n entries, encoded, with system name `system`. */
static int encode_ems(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
                      uint32_t n, uint8_t *dst)
{
    struct naccb_evblok *t = malloc((size_t)n * sizeof *t);
    int rc = t ? gen_table(r, system, n, t) : -1;

    for (uint32_t i = 0; rc == 0 && i < n; i++)
        naccb_evblok_encode(&t[i], dst + (size_t)i * NACCB_EVBLOK_SIZE);
    free(t);
    return rc;
}

static int encode_scd(struct rng *r, const uint8_t system[NACCB_NAME_SIZE],
                      uint32_t n, uint8_t *dst)
{
    struct naccb_eotinfo e;

    for (uint32_t i = 0; i < n; i++) {
        make_entry(r, system, &e);
        if (encode_eotinfo(&e, NACCB_EOTINFO_TABLE_ENTRY, dst + (size_t)i * NACCB_EOTINFO_SIZE) != 0)
            return -1;
    }
    return 0;
}

static void session_who(uint64_t n, struct who *w)
{
    char name[9];

    snprintf(name, sizeof name, "SYS%05u", (unsigned)(n % 100000));
    put_field(w->system, NACCB_NAME_SIZE, name);
    w->agent_id = (uint32_t)(n + 1);
}

/* Login (half with a password object, §11.1 step 2) and accept. */
static int put_login(struct rng *r, struct buf *out, struct stream_info *info,
                     const struct who *w)
{
    uint8_t pw[NACCB_PASSWORD_SIZE];

    uint32_t with_pw = rng_below(r, 2);

    put_field(pw, sizeof pw, "SECRET");
    if (put_naccb(out, info, w, NACCB_KEY_LOGIN, with_pw,
                  with_pw ? NACCB_PASSWORD_SIZE : 0, pw) != 0)
        return -1;
    return put_naccb(out, info, w, NACCB_KEY_ACCEPT, 0, 0, NULL);
}

struct tables {
    uint8_t *ems, *scd;
    uint32_t ems_n, scd_n;
};

/* The session's tables: generated once, then only the system name of each
 * entry changes (what a per-host table looks like on the wire). */
static void retarget(struct tables *t, const uint8_t system[NACCB_NAME_SIZE])
{
    for (uint32_t i = 0; i < t->ems_n; i++)
        memcpy(t->ems + (size_t)i * NACCB_EVBLOK_SIZE + NACCB_EVB_SYSTEM_NAME, system, NACCB_NAME_SIZE);
    for (uint32_t i = 0; i < t->scd_n; i++)
        memcpy(t->scd + (size_t)i * NACCB_EOTINFO_SIZE + NACCB_EOT_SYSTEM_NAME, system, NACCB_NAME_SIZE);
}

static int put_session(struct rng *r, const struct gen_params *p, struct tables *t,
                       struct buf *out, struct stream_info *info, struct scratch *s)
{
    struct who w;
    int rc;

    session_who(info->sessions, &w);
    retarget(t, w.system);
    rc = put_login(r, out, info, &w);
    if (rc == 0)
        rc = put_naccb(out, info, &w, NACCB_KEY_ACQ_EMS, 0, 0, NULL);
    if (rc == 0)
        rc = put_naccb(out, info, &w, NACCB_KEY_RCV_EMS, t->ems_n, NACCB_EVBLOK_SIZE, t->ems);
    if (rc == 0)
        rc = put_naccb(out, info, &w, NACCB_KEY_ACQ_SCD, 0, 0, NULL);
    if (rc == 0)
        rc = put_naccb(out, info, &w, NACCB_KEY_RCV_SCD, t->scd_n, NACCB_EOTINFO_SIZE, t->scd);
    for (uint32_t i = 0; rc == 0 && i < p->infos; i++)
        rc = put_info(r, out, info, &w, s);
    if (rc == 0)
        rc = put_naccb(out, info, &w, NACCB_KEY_LOGOUT, 0, 0, NULL);
    info->evbloks += t->ems_n;
    info->eotinfos += t->scd_n;
    info->sessions++;
    return rc;
}

int gen_sessions_stream(const struct gen_params *p, struct buf *out,
                        struct stream_info *info)
{
    struct rng r;
    struct scratch s = {NULL, 0};
    struct tables t = {NULL, NULL, p->table_size, p->scd_size};
    struct who w;
    int rc = -1;

    rng_seed(&r, p->seed);
    memset(info, 0, sizeof *info);
    session_who(0, &w);
    t.ems = malloc((size_t)t.ems_n * NACCB_EVBLOK_SIZE + 1);
    t.scd = malloc((size_t)t.scd_n * NACCB_EOTINFO_SIZE + 1);
    if (t.ems && t.scd && encode_ems(&r, w.system, t.ems_n, t.ems) == 0 &&
        encode_scd(&r, w.system, t.scd_n, t.scd) == 0) {
        rc = 0;
        while (rc == 0 && out->len < p->stream_bytes)
            rc = put_session(&r, p, &t, out, info, &s);
    }
    free(t.ems);
    free(t.scd);
    free(s.bytes);
    return rc;
}

int gen_events_stream(const struct gen_params *p, struct buf *out,
                      struct stream_info *info)
{
    struct rng r;
    struct scratch s = {NULL, 0};
    struct who w;
    int rc = 0;

    rng_seed(&r, p->seed ^ 0x5EED5EED5EED5EEDu);
    memset(info, 0, sizeof *info);
    while (rc == 0 && out->len < p->stream_bytes) {
        session_who(rng_below(&r, 1000), &w);
        rc = put_info(&r, out, info, &w, &s);
    }
    free(s.bytes);
    return rc;
}

/* ---- texts for matching (§8, rules 1 and 2) ------------------------- */

/* A text built to match entry e: its first KL key bytes, then for a
 * message or command an argument; EOJ/EOS texts are the 8/16-byte names. */
static uint32_t matching_text(struct rng *r, const struct naccb_evblok *e,
                              uint8_t *dst)
{
    char arg[NACCB_TEXT_MAX + 1];
    uint32_t len = e->kl;
    size_t n;

    memcpy(dst, e->event_key, e->kl);
    if (e->event_type == NACCB_ET_EOJ || e->event_type == NACCB_ET_EOS) {
        uint32_t want = e->event_type == NACCB_ET_EOJ ? 8 : 16;
        memset(dst + len, naccb_ebcdic_blank(CP), want - len);
        return want;
    }
    arg[0] = ' ';
    n = words_text(r, arg + 1, sizeof arg - 1, rng_below(r, NACCB_TEXT_MAX - len));
    naccb_ebcdic_encode(CP, (const uint8_t *)arg, n ? n + 1 : 0, dst + len);
    return len + (uint32_t)(n ? n + 1 : 0);
}

/* A text no key matches: it starts with EBCDIC lower-case 'x' (0xA7) and
 * every generated key starts with an upper-case letter or '$'. */
static uint32_t other_text(struct rng *r, uint8_t *dst)
{
    char t[NACCB_TEXT_MAX + 1];
    size_t n = words_text(r, t + 1, sizeof t - 1, rng_range(r, 8, 100));

    t[0] = 'x';
    naccb_ebcdic_encode(CP, (const uint8_t *)t, n + 1, dst);
    return (uint32_t)n + 1;
}

int gen_texts(struct rng *r, const struct naccb_evblok *table, uint32_t count,
              uint32_t n, struct text_set *out)
{
    static const uint8_t types[] = {NACCB_ET_MESSAGE, NACCB_ET_COMMAND, NACCB_ET_EOS, NACCB_ET_EOJ};
    uint32_t pos = 0;

    memset(out, 0, sizeof *out);
    out->bytes = malloc((size_t)n * NACCB_TEXT_MAX + 1);
    out->offset = malloc((size_t)n * sizeof *out->offset + 1);
    out->len = malloc((size_t)n + 1);
    out->event_type = malloc((size_t)n + 1);
    if (!out->bytes || !out->offset || !out->len || !out->event_type)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t len;
        out->offset[i] = pos;
        if (count > 0 && rng_below(r, 4) != 0) {
            const struct naccb_evblok *e = &table[rng_below(r, count)];
            len = matching_text(r, e, out->bytes + pos);
            out->event_type[i] = e->event_type;
            out->expect_matched++;
        } else {
            len = other_text(r, out->bytes + pos);
            out->event_type[i] = types[rng_below(r, COUNT(types))];
        }
        out->len[i] = (uint8_t)len;
        pos += len;
    }
    out->count = n;
    return 0;
}

void text_set_free(struct text_set *t)
{
    free(t->bytes);
    free(t->offset);
    free(t->len);
    free(t->event_type);
    memset(t, 0, sizeof *t);
}
