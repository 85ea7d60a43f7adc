/*
 * eotinfo.c - the 162-byte EOTINFO (docs/protocol.md §9, the reading
 * with two 40-byte work areas): encode, decode, the checks for an SCD table
 * entry and for an agent's report, and the match of a report against a
 * table entry (§11.1 step 4).
 */
#include "naccb/eotinfo.h"

#include "naccb/errors.h"

#include "naccb/bytes.h"

#include <string.h>

/* ---- encode / decode -------------------------------------------------- */

/* Field by field at the offsets of §9; integers are big-endian
 * halfwords (§1).  Every byte of the 162 is a field, so decode then
 * encode gives back the input exactly. */
void naccb_eotinfo_encode(const struct naccb_eotinfo *e,
                          uint8_t out[NACCB_EOTINFO_SIZE])
{
    memcpy(out + NACCB_EOT_WORK_AREA1, e->work_area1, sizeof e->work_area1);
    memcpy(out + NACCB_EOT_WORK_AREA2, e->work_area2, sizeof e->work_area2);
    out[NACCB_EOT_FLAG1] = e->flag1;
    out[NACCB_EOT_FLAG2] = e->flag2;
    memcpy(out + NACCB_EOT_RESERVED1, e->reserved1, sizeof e->reserved1);
    memcpy(out + NACCB_EOT_JOB_ID, e->job_id, NACCB_NAME_SIZE);
    memcpy(out + NACCB_EOT_SYSTEM_NAME, e->system_name, NACCB_NAME_SIZE);
    memcpy(out + NACCB_EOT_JOB_NAME, e->job_name, NACCB_NAME_SIZE);
    memcpy(out + NACCB_EOT_STEP_NAME, e->step_name, NACCB_NAME_SIZE);
    memcpy(out + NACCB_EOT_PROC_STEP_NAME, e->proc_step_name,
           NACCB_NAME_SIZE);
    naccb_put_u16be(out + NACCB_EOT_STEP_NUMBER, e->step_number);
    naccb_put_u16be(out + NACCB_EOT_SCC, e->scc);
    naccb_put_u16be(out + NACCB_EOT_UCC, e->ucc);
    naccb_put_u16be(out + NACCB_EOT_MAX_CC, e->max_cc);
    memcpy(out + NACCB_EOT_NOTES, e->notes, sizeof e->notes);
    memcpy(out + NACCB_EOT_RESERVED2, e->reserved2, sizeof e->reserved2);
}

void naccb_eotinfo_decode(const uint8_t in[NACCB_EOTINFO_SIZE],
                          struct naccb_eotinfo *out)
{
    memcpy(out->work_area1, in + NACCB_EOT_WORK_AREA1, sizeof out->work_area1);
    memcpy(out->work_area2, in + NACCB_EOT_WORK_AREA2, sizeof out->work_area2);
    out->flag1 = in[NACCB_EOT_FLAG1];
    out->flag2 = in[NACCB_EOT_FLAG2];
    memcpy(out->reserved1, in + NACCB_EOT_RESERVED1, sizeof out->reserved1);
    memcpy(out->job_id, in + NACCB_EOT_JOB_ID, NACCB_NAME_SIZE);
    memcpy(out->system_name, in + NACCB_EOT_SYSTEM_NAME, NACCB_NAME_SIZE);
    memcpy(out->job_name, in + NACCB_EOT_JOB_NAME, NACCB_NAME_SIZE);
    memcpy(out->step_name, in + NACCB_EOT_STEP_NAME, NACCB_NAME_SIZE);
    memcpy(out->proc_step_name, in + NACCB_EOT_PROC_STEP_NAME,
           NACCB_NAME_SIZE);
    out->step_number = naccb_get_u16be(in + NACCB_EOT_STEP_NUMBER);
    out->scc = naccb_get_u16be(in + NACCB_EOT_SCC);
    out->ucc = naccb_get_u16be(in + NACCB_EOT_UCC);
    out->max_cc = naccb_get_u16be(in + NACCB_EOT_MAX_CC);
    memcpy(out->notes, in + NACCB_EOT_NOTES, sizeof out->notes);
    memcpy(out->reserved2, in + NACCB_EOT_RESERVED2, sizeof out->reserved2);
}

/* ---- validation helpers ----------------------------------------------- */

/* A failed rule: record where, hand back the code. */
static int fail(int err, size_t offset, size_t *err_offset)
{
    if (err_offset != NULL)
        *err_offset = offset;
    return err;
}

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* §9: "blanks if none".  Agents that never touch a field leave it
 * binary zero, so 0x00 counts as blank as well (naccb/eotinfo.h). */
static int name_is_blank(const uint8_t name[NACCB_NAME_SIZE],
                         enum naccb_codepage cp)
{
    uint8_t blank = naccb_ebcdic_blank(cp);

    for (size_t i = 0; i < NACCB_NAME_SIZE; i++)
        if (name[i] != blank && name[i] != 0x00)
            return 0;
    return 1;
}

/* §9, notes: the letters each position may hold.  EBCDIC in every
 * code page (the seed: an ASCII agent must not convert them). */
static int note_letter_valid(size_t pos, uint8_t c)
{
    switch (pos) {
    case 0:
        return c == NACCB_NOTE_J || c == NACCB_NOTE_S;
    case 1:
        return c == NACCB_NOTE_I || c == NACCB_NOTE_S || c == NACCB_NOTE_BLANK;
    case 2:
        return c == NACCB_NOTE_N || c == NACCB_NOTE_A || c == NACCB_NOTE_C;
    default:
        return c == NACCB_NOTE_L || c == NACCB_NOTE_R;
    }
}

/* ---- report (info EOT from an agent) ----------------------------------- */

/* §9: 1..256 for a step (notes[0] S), 0 for end of job (J).  When
 * notes[0] is neither, the range is unknown: the notes check reports it. */
static int report_step_number_valid(const struct naccb_eotinfo *e)
{
    if (e->notes[0] == NACCB_NOTE_S)
        return e->step_number >= 1 && e->step_number <= 256;
    if (e->notes[0] == NACCB_NOTE_J)
        return e->step_number == 0;
    return 1;
}

/* Each letter in its position; then notes[3] must be R, since "an agent
 * always sends R" (§9), so a well-formed L is its own error. */
static int report_check_notes(const struct naccb_eotinfo *e,
                              size_t *err_offset)
{
    for (size_t i = 0; i < sizeof e->notes; i++)
        if (!note_letter_valid(i, e->notes[i]))
            return fail(NACCB_ENOTES, NACCB_EOT_NOTES + i, err_offset);
    if (e->notes[3] != NACCB_NOTE_R)
        return fail(NACCB_ENOT_REMOTE, NACCB_EOT_NOTES + 3, err_offset);
    return 0;
}

/* Rules in offset order: reserved 82, job name 122, step number 146,
 * notes 154..157, reserved 158. */
static int validate_report(const struct naccb_eotinfo *e,
                           enum naccb_codepage cp, size_t *err_offset)
{
    int rc;

    if (!all_zero(e->reserved1, sizeof e->reserved1))
        return fail(NACCB_ERESERVED, NACCB_EOT_RESERVED1, err_offset);
    if (name_is_blank(e->job_name, cp))
        return fail(NACCB_EJOB_NAME, NACCB_EOT_JOB_NAME, err_offset);
    if (!report_step_number_valid(e))
        return fail(NACCB_ESTEP_NUMBER, NACCB_EOT_STEP_NUMBER, err_offset);
    rc = report_check_notes(e, err_offset);
    if (rc != 0)
        return rc;
    if (!all_zero(e->reserved2, sizeof e->reserved2))
        return fail(NACCB_ERESERVED, NACCB_EOT_RESERVED2, err_offset);
    return 0;
}

/* ---- SCD table entry (sent by the server) ----------------------------- */

/* The name fields flag2 can mark, in offset order (§9). */
struct captured_name {
    uint8_t bit;
    size_t offset;
};

static const struct captured_name captured_names[] = {
    {NACCB_FLAG2_JOB_ID, NACCB_EOT_JOB_ID},
    {NACCB_FLAG2_JOB_NAME, NACCB_EOT_JOB_NAME},
    {NACCB_FLAG2_STEP_NAME, NACCB_EOT_STEP_NAME},
    {NACCB_FLAG2_PROC_STEP_NAME, NACCB_EOT_PROC_STEP_NAME},
};

enum { CAPTURED_NAME_COUNT = sizeof captured_names / sizeof captured_names[0] };

static const uint8_t *name_field(const struct naccb_eotinfo *e, size_t offset)
{
    switch (offset) {
    case NACCB_EOT_JOB_ID:
        return e->job_id;
    case NACCB_EOT_JOB_NAME:
        return e->job_name;
    case NACCB_EOT_STEP_NAME:
        return e->step_name;
    default:
        return e->proc_step_name;
    }
}

static int entry_check_captured(const struct naccb_eotinfo *e,
                                enum naccb_codepage cp, size_t *err_offset)
{
    for (size_t i = 0; i < CAPTURED_NAME_COUNT; i++) {
        const struct captured_name *c = &captured_names[i];
        if ((e->flag2 & c->bit) && name_is_blank(name_field(e, c->offset), cp))
            return fail(NACCB_ECAPTURED_BLANK, c->offset, err_offset);
    }
    return 0;
}

/* §9: "the status fields (step number, codes, notes) are zero" in a
 * table; the agent fills them in its report. */
static int entry_check_status(const struct naccb_eotinfo *e,
                              size_t *err_offset)
{
    if (e->step_number != 0)
        return fail(NACCB_ESTATUS_IN_TABLE, NACCB_EOT_STEP_NUMBER, err_offset);
    if (e->scc != 0)
        return fail(NACCB_ESTATUS_IN_TABLE, NACCB_EOT_SCC, err_offset);
    if (e->ucc != 0)
        return fail(NACCB_ESTATUS_IN_TABLE, NACCB_EOT_UCC, err_offset);
    if (e->max_cc != 0)
        return fail(NACCB_ESTATUS_IN_TABLE, NACCB_EOT_MAX_CC, err_offset);
    if (!all_zero(e->notes, sizeof e->notes))
        return fail(NACCB_ESTATUS_IN_TABLE, NACCB_EOT_NOTES, err_offset);
    return 0;
}

/* Rules in offset order: flag2 81, reserved 82, captured names 106..138,
 * status 146..154, reserved 158.  flag1 and flag2's low nibble are "server
 * only" (§9) and carry no rule. */
static int validate_entry(const struct naccb_eotinfo *e,
                          enum naccb_codepage cp, size_t *err_offset)
{
    int rc;

    if ((e->flag2 & NACCB_FLAG2_CAPTURE_MASK) == 0)
        return fail(NACCB_EFLAG2, NACCB_EOT_FLAG2, err_offset);
    if (!all_zero(e->reserved1, sizeof e->reserved1))
        return fail(NACCB_ERESERVED, NACCB_EOT_RESERVED1, err_offset);
    rc = entry_check_captured(e, cp, err_offset);
    if (rc == 0)
        rc = entry_check_status(e, err_offset);
    if (rc != 0)
        return rc;
    if (!all_zero(e->reserved2, sizeof e->reserved2))
        return fail(NACCB_ERESERVED, NACCB_EOT_RESERVED2, err_offset);
    return 0;
}

int naccb_eotinfo_validate(const struct naccb_eotinfo *e,
                           enum naccb_eotinfo_role role,
                           enum naccb_codepage cp, size_t *err_offset)
{
    if (e == NULL)
        return NACCB_EINVAL;
    switch (role) {
    case NACCB_EOTINFO_TABLE_ENTRY:
        return validate_entry(e, cp, err_offset);
    case NACCB_EOTINFO_REPORT:
        return validate_report(e, cp, err_offset);
    default:
        return NACCB_EINVAL;
    }
}

/* ---- matching ----------------------------------------------------------- */

/* §11.1 step 4: the report names the entry's host and equals it, byte
 * for byte, in every name the ENTRY's flag2 marks; unmarked names are free
 * (the agent fills them from what it saw). */
int naccb_eotinfo_matches_entry(const struct naccb_eotinfo *entry,
                                const struct naccb_eotinfo *report)
{
    if (entry == NULL || report == NULL)
        return 0;
    if (memcmp(entry->system_name, report->system_name, NACCB_NAME_SIZE) != 0)
        return 0;
    for (size_t i = 0; i < CAPTURED_NAME_COUNT; i++) {
        const struct captured_name *c = &captured_names[i];
        if ((entry->flag2 & c->bit) &&
            memcmp(name_field(entry, c->offset), name_field(report, c->offset),
                   NACCB_NAME_SIZE) != 0)
            return 0;
    }
    return 1;
}
