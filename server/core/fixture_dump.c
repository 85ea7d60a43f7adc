/*
 * fixture_dump.c - a raw EMS or SCD table written back as fixture YAML
 * (docs/fixtures.md), the inverse of what the loader builds.
 *
 * Every key the loader would default is left out, so the YAML reads like
 * one a person wrote; every byte that the fixture format cannot say (user
 * area, server-only flags, a second system name) is named in a comment, so
 * nothing is lost silently.
 */
#include "fixture_dump.h"

#include <string.h>

#include "fixture_internal.h"

/* Indents of the generated document: host, section, entry, field. */
#define IND_ENTRY "        "
#define IND_FIELD "          "
#define IND_FRAME "            "

enum dump_verdict { DUMP_EXACT = 0, DUMP_LOSSY = 1, DUMP_SKIPPED = 2 };

void xdi_fixture_write_quoted(FILE *out, const char *latin1, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)latin1[i];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || (ch >= 0x7F && ch <= 0x9F))
            fprintf(out, "\\x%02X", ch); /* YAML reads U+00XX back */
        else if (ch >= 0xA0) /* Latin-1 is the first 256 code points */
            fprintf(out, "%c%c", 0xC0 | (ch >> 6), 0x80 | (ch & 0x3F));
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* Names are written plain when the loader accepts them and YAML reads
 * them as plain text ('#' and '@' may not start a plain scalar). */
static void write_name(FILE *out, const char *name)
{
    size_t len = strlen(name);

    if (xdi__fx_name_valid(name, len) && name[0] != '#' && name[0] != '@')
        fputs(name, out);
    else
        xdi_fixture_write_quoted(out, name, len);
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

static void heading(FILE *out, const char *what, size_t count,
                    const char *source, enum naccb_codepage cp,
                    const char *system, const uint8_t *raw_name,
                    const char *section, const char *list)
{
    fprintf(out, "# %s table%s%s: %zu %s, code page %s (xdi-fixture dump)\n",
            strcmp(section, "ems") == 0 ? "EMS" : "SCD", source ? " " : "",
            source ? source : "", count, what, naccb_codepage_name(cp));
    /* The code page decides every text byte: a dump in another page than
     * the default loads back right only with its settings. */
    if (cp != NACCB_CP_037)
        fprintf(out, "settings:\n  codepage: \"%s\"\n",
                naccb_codepage_name(cp));
    fputs("hosts:\n  - system: ", out);
    if (raw_name != NULL) {
        /* Every byte, quoted with escapes: a name the loader refuses,
         * rather than one it loads as other bytes ("TES" for E3C5E200...). */
        char all[NACCB_NAME_SIZE];
        size_t len = NACCB_NAME_SIZE;
        naccb_ebcdic_decode(cp, raw_name, NACCB_NAME_SIZE, (uint8_t *)all);
        while (len > 0 && all[len - 1] == ' ')
            len--;
        xdi_fixture_write_quoted(out, all, len);
    } else {
        write_name(out, system);
    }
    fprintf(out, "\n    %s:\n      %s:\n", section, list);
}

/*
 * The table's system name as the loader would read it back, or false when
 * no fixture name gives these 8 bytes: a character outside the name
 * alphabet ("TESTR /"), a NUL or another control byte (E3C5E200 00000240),
 * blanks inside the name.  Such a name is refused: the dump still shows
 * the entries, but counts every one as not exact and says why, in a
 * comment at the top, with the bytes in hex; the YAML's quoted name then
 * fails to load instead of loading other bytes (issue 14, item 4).
 */
static bool system_name_exact(const uint8_t raw[NACCB_NAME_SIZE],
                              enum naccb_codepage cp, const char *name)
{
    uint8_t again[NACCB_NAME_SIZE];
    size_t len = strlen(name);

    if (!xdi__fx_name_valid(name, len))
        return false;
    naccb_field_put(cp, again, sizeof again, name, len);
    return memcmp(again, raw, sizeof again) == 0;
}

static void system_name_refused(FILE *out, const uint8_t raw[NACCB_NAME_SIZE])
{
    fputs("# NOT EXACT: the system name bytes", out);
    for (size_t i = 0; i < NACCB_NAME_SIZE; i++)
        fprintf(out, "%s%02X", i == 0 ? " " : i == 4 ? " " : "", raw[i]);
    fputs(" are no fixture name\n# (1 to 8 of A-Z, 0-9, $, #, @, blank "
          "padded): this file does not load back\n# to these bytes; use "
          "the raw table itself (`raw:`).\n",
          out);
}

/* ======================================================================
 * EVBLOKs
 * ==================================================================== */

static void write_date(FILE *out, const char *key, uint32_t julian)
{
    struct naccb_date d;
    int year = 0, yday = 0;

    naccb_julian_decode(julian, &year, &yday);
    naccb_julian_to_date(year, yday, &d);
    fprintf(out, IND_FRAME "%s: %04d-%02d-%02d\n", key, d.year, d.month, d.day);
}

/* Quoted: YAML 1.1 readers (PyYAML) take 17:00:00 for a number. */
static void write_time(FILE *out, const char *key, uint32_t packed)
{
    struct naccb_time t = {0, 0, 0};

    naccb_time_decode(packed, &t);
    fprintf(out, IND_FRAME "%s: \"%02d:%02d:%02d\"\n", key, t.hour, t.minute,
            t.second);
}

static void write_days(FILE *out, const uint8_t days[7])
{
    static const char *const names[7] = {"sun", "mon", "tue", "wed",
                                         "thu", "fri", "sat"};
    static const uint8_t weekdays[7] = {0, 1, 1, 1, 1, 1, 0};
    static const uint8_t weekend[7] = {1, 0, 0, 0, 0, 0, 1};
    static const uint8_t none[7] = {0};
    const char *sep = "";

    if (memcmp(days, weekdays, 7) == 0) {
        fputs(IND_FRAME "days: weekdays\n", out);
        return;
    }
    if (memcmp(days, weekend, 7) == 0) {
        fputs(IND_FRAME "days: weekend\n", out);
        return;
    }
    if (memcmp(days, none, 7) == 0) {
        fputs(IND_FRAME "days: none\n", out);
        return;
    }
    fputs(IND_FRAME "days: [", out);
    for (int i = 0; i < 7; i++) {
        if (days[i]) {
            fprintf(out, "%s%s", sep, names[i]);
            sep = ", ";
        }
    }
    fputs("]\n", out);
}

/* Only what differs from the "always" frame, which is the default of
 * every frame key. */
static void write_frame(FILE *out, const struct naccb_evblok *e)
{
    static const uint8_t all[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    bool days_default = memcmp(e->day_list, all, 7) == 0;

    if (e->sdate == NACCB_ALWAYS_SDATE && e->edate == NACCB_ALWAYS_EDATE &&
        e->stime == NACCB_ALWAYS_STIME && e->etime == NACCB_ALWAYS_ETIME &&
        memcmp(e->day_list, all, 8) == 0)
        return;
    fputs(IND_FIELD "frame:\n", out);
    if (e->sdate != NACCB_ALWAYS_SDATE)
        write_date(out, "start_date", e->sdate);
    if (e->edate != NACCB_ALWAYS_EDATE)
        write_date(out, "end_date", e->edate);
    if (e->stime != NACCB_ALWAYS_STIME)
        write_time(out, "start_time", e->stime);
    if (e->etime != NACCB_ALWAYS_ETIME)
        write_time(out, "end_time", e->etime);
    if (!days_default)
        write_days(out, e->day_list);
    if (!e->day_list[7])
        fputs(IND_FRAME "holidays: false\n", out);
}

static const char *type_word(unsigned et)
{
    switch (et) {
    case NACCB_ET_MESSAGE:
        return "message";
    case NACCB_ET_COMMAND:
        return "command";
    case NACCB_ET_EOS:
        return "eos";
    default:
        return "eoj";
    }
}

/* Why an EVBLOK cannot be written at all, or NULL. */
static const char *evblok_unwritable(const struct naccb_evblok *e,
                                     const uint8_t sysname[8], char *buf,
                                     size_t cap)
{
    size_t off = 0;
    int rc = naccb_evblok_validate(e, &off);

    if (rc != 0) {
        snprintf(buf, cap, "%s (field %s at offset %zu)", naccb_strerror(rc),
                 xdi__fx_evblok_field_name(off), off);
        return buf;
    }
    if (!naccb_event_type_for_agent(e->event_type))
        return "event type not for agents (docs/protocol.md section 8)";
    if (memcmp(e->system_name, sysname, NACCB_NAME_SIZE) != 0)
        return "another system name than the table's first entry";
    if (memchr(e->event_key, 0, NACCB_KEY_SIZE) != NULL ||
        memchr(e->additional_text, 0, NACCB_ADDTEXT_SIZE) != NULL)
        return "a NUL character in the key or text";
    return NULL;
}

/* The key as written: its significant bytes, and any others up to the
 * last non-blank, so the padded field comes back equal. */
static void write_key(FILE *out, const struct naccb_evblok *e,
                      enum naccb_codepage cp)
{
    char key[NACCB_KEY_SIZE + 1];
    size_t trimmed = naccb_field_get(cp, e->event_key, NACCB_KEY_SIZE, key);
    size_t len = e->kl > trimmed ? e->kl : trimmed;

    naccb_ebcdic_decode(cp, e->event_key, len, (uint8_t *)key);
    fputs(IND_ENTRY "- key: ", out);
    xdi_fixture_write_quoted(out, key, len);
    fputc('\n', out);
    if (e->kl != len)
        fprintf(out, IND_FIELD "kl: %u\n", (unsigned)e->kl);
}

static enum dump_verdict dump_evblok(FILE *out, const struct naccb_evblok *e,
                                     enum naccb_codepage cp,
                                     const uint8_t sysname[8], size_t index,
                                     size_t at)
{
    char buf[160], text[NACCB_ADDTEXT_SIZE + 1];
    const char *why = evblok_unwritable(e, sysname, buf, sizeof buf);
    size_t len;

    if (why != NULL) {
        fprintf(out,
                IND_ENTRY "# EVBLOK %zu at byte offset %zu left out: "
                          "%s\n",
                index, at, why);
        return DUMP_SKIPPED;
    }
    write_key(out, e, cp);
    if (e->vl != 0)
        fprintf(out, IND_FIELD "vl: %u\n", (unsigned)e->vl);
    fprintf(out, IND_FIELD "type: %s\n", type_word(e->event_type));
    len = naccb_field_get(cp, e->additional_text, NACCB_ADDTEXT_SIZE, text);
    if (len > 0) {
        fputs(IND_FIELD "text: ", out);
        xdi_fixture_write_quoted(out, text, len);
        fputc('\n', out);
    }
    write_frame(out, e);
    if (!all_zero(e->user_area, sizeof e->user_area)) {
        fprintf(out,
                IND_FIELD "# EVBLOK %zu: user working area not zero "
                          "(a fixture sends zeros)\n",
                index);
        return DUMP_LOSSY;
    }
    return DUMP_EXACT;
}

int xdi_fixture_dump_ems(FILE *out, const uint8_t *table, size_t len,
                         enum naccb_codepage cp, const char *source)
{
    size_t n = len / NACCB_EVBLOK_SIZE;
    struct naccb_evblok e;
    char system[NACCB_NAME_SIZE + 1] = "";
    const uint8_t *raw_name = NULL;
    int lossy = 0;

    if (len == 0 || len % NACCB_EVBLOK_SIZE != 0)
        return -1;
    naccb_evblok_decode(table, &e);
    naccb_field_get(cp, e.system_name, NACCB_NAME_SIZE, system);
    if (!system_name_exact(table + NACCB_EVB_SYSTEM_NAME, cp, system)) {
        system_name_refused(out, table + NACCB_EVB_SYSTEM_NAME);
        lossy = (int)n; /* no entry loads back to its bytes */
        raw_name = table + NACCB_EVB_SYSTEM_NAME;
    }
    heading(out, "EVBLOKs", n, source, cp, system, raw_name, "ems", "events");
    for (size_t i = 0; i < n; i++) {
        /* Every entry must name the first one's host. */
        const uint8_t *sysname = table + NACCB_EVB_SYSTEM_NAME;
        naccb_evblok_decode(table + i * NACCB_EVBLOK_SIZE, &e);
        if (dump_evblok(out, &e, cp, sysname, i, i * NACCB_EVBLOK_SIZE) !=
                DUMP_EXACT &&
            lossy < (int)n)
            lossy++;
    }
    return lossy;
}

/* ======================================================================
 * EOTINFOs
 * ==================================================================== */

struct eot_name {
    const char *key;
    uint8_t bit;
    size_t offset;
};

/* YAML keys and flag2 bits of the name fields (docs/protocol.md §9). */
static const struct eot_name eot_names[] = {
    {"job", NACCB_FLAG2_JOB_NAME, NACCB_EOT_JOB_NAME},
    {"job_id", NACCB_FLAG2_JOB_ID, NACCB_EOT_JOB_ID},
    {"step", NACCB_FLAG2_STEP_NAME, NACCB_EOT_STEP_NAME},
    {"proc_step", NACCB_FLAG2_PROC_STEP_NAME, NACCB_EOT_PROC_STEP_NAME},
};

#define EOT_NAME_COUNT (sizeof eot_names / sizeof eot_names[0])

static const uint8_t *eot_field(const uint8_t *obj, size_t offset)
{
    return obj + offset;
}

static const char *eotinfo_unwritable(const struct naccb_eotinfo *e,
                                      enum naccb_codepage cp,
                                      const uint8_t sysname[8], char *buf,
                                      size_t cap)
{
    size_t off = 0;
    int rc = naccb_eotinfo_validate(e, NACCB_EOTINFO_TABLE_ENTRY, cp, &off);

    if (rc != 0) {
        snprintf(buf, cap, "%s (field %s at offset %zu)", naccb_strerror(rc),
                 xdi__fx_eotinfo_field_name(off), off);
        return buf;
    }
    if (memcmp(e->system_name, sysname, NACCB_NAME_SIZE) != 0)
        return "another system name than the table's first entry";
    if (naccb_field_is_blank(cp, e->job_name, NACCB_NAME_SIZE))
        return "no job name (a fixture job entry always has one)";
    return NULL;
}

/* Bytes the fixture format has no key for. */
static const char *eotinfo_lossy(const struct naccb_eotinfo *e)
{
    if (!all_zero(e->work_area1, sizeof e->work_area1) ||
        !all_zero(e->work_area2, sizeof e->work_area2))
        return "work areas not zero (a fixture sends zeros)";
    if (e->flag1 != 0 || (e->flag2 & 0x0F) != 0)
        return "server-only flag bits set (a fixture sends zeros)";
    return NULL;
}

/* One name field; returns its flag2 bit when the name is there.  *bad is
 * set when the name is there but the loader would refuse it. */
static uint8_t write_eot_name(FILE *out, const uint8_t *obj,
                              const struct eot_name *n, enum naccb_codepage cp,
                              bool first, bool *bad)
{
    char name[NACCB_NAME_SIZE + 1];
    size_t len =
        naccb_field_get(cp, eot_field(obj, n->offset), NACCB_NAME_SIZE, name);

    if (len == 0)
        return 0;
    if (!xdi__fx_name_valid(name, len))
        *bad = true;
    fprintf(out, "%s%s: ", first ? IND_ENTRY "- " : IND_FIELD, n->key);
    write_name(out, name);
    fputc('\n', out);
    return n->bit;
}

static void write_capture(FILE *out, uint8_t flag2)
{
    const char *sep = "";

    fputs(IND_FIELD "capture: [", out);
    for (size_t i = 0; i < EOT_NAME_COUNT; i++) {
        if (flag2 & eot_names[i].bit) {
            fprintf(out, "%s%s", sep, eot_names[i].key);
            sep = ", ";
        }
    }
    fputs("]\n", out);
}

static enum dump_verdict dump_eotinfo(FILE *out, const uint8_t *obj,
                                      enum naccb_codepage cp,
                                      const uint8_t sysname[8], size_t index,
                                      size_t at)
{
    struct naccb_eotinfo e;
    char buf[160];
    const char *why;
    uint8_t given = 0;
    bool bad_name = false;

    naccb_eotinfo_decode(obj, &e);
    why = eotinfo_unwritable(&e, cp, sysname, buf, sizeof buf);
    if (why != NULL) {
        fprintf(out,
                IND_ENTRY "# EOTINFO %zu at byte offset %zu left out: "
                          "%s\n",
                index, at, why);
        return DUMP_SKIPPED;
    }
    for (size_t i = 0; i < EOT_NAME_COUNT; i++)
        given |= write_eot_name(out, obj, &eot_names[i], cp, i == 0, &bad_name);
    /* The loader captures every name given unless told otherwise. */
    if ((e.flag2 & NACCB_FLAG2_CAPTURE_MASK) != given)
        write_capture(out, e.flag2 & NACCB_FLAG2_CAPTURE_MASK);
    why = bad_name ? "a name the loader refuses (use A-Z, 0-9, $, #, @)"
                   : eotinfo_lossy(&e);
    if (why != NULL) {
        fprintf(out, IND_FIELD "# EOTINFO %zu: %s\n", index, why);
        return DUMP_LOSSY;
    }
    return DUMP_EXACT;
}

int xdi_fixture_dump_scd(FILE *out, const uint8_t *table, size_t len,
                         enum naccb_codepage cp, const char *source)
{
    size_t n = len / NACCB_EOTINFO_SIZE;
    char system[NACCB_NAME_SIZE + 1] = "";
    const uint8_t *sysname = table + NACCB_EOT_SYSTEM_NAME;
    const uint8_t *raw_name = NULL;
    int lossy = 0;

    if (len == 0 || len % NACCB_EOTINFO_SIZE != 0)
        return -1;
    naccb_field_get(cp, sysname, NACCB_NAME_SIZE, system);
    if (!system_name_exact(sysname, cp, system)) {
        system_name_refused(out, sysname);
        lossy = (int)n; /* no entry loads back to its bytes */
        raw_name = sysname;
    }
    heading(out, "EOTINFOs", n, source, cp, system, raw_name, "scd", "jobs");
    for (size_t i = 0; i < n; i++)
        if (dump_eotinfo(out, table + i * NACCB_EOTINFO_SIZE, cp, sysname, i,
                         i * NACCB_EOTINFO_SIZE) != DUMP_EXACT &&
            lossy < (int)n)
            lossy++;
    return lossy;
}
