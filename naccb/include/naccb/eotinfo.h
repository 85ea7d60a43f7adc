/*
 * naccb/eotinfo.h - the 162-byte EOTINFO, one entry of an SCD table and the
 * object of an info EOT NACCB.
 *
 * Layout (docs/protocol.md §9 - the two-work-area reading), integers
 * big-endian:
 *     0 work area 1 (40)     40 work area 2 (40)     80 flag1 (1)
 *    81 flag2 (1)            82 reserved (24)       106 job-id (8)
 *   114 system name (8)     122 job name (8)        130 step name (8)
 *   138 proc-step name (8)  146 step number (2)     148 SCC (2)
 *   150 UCC (2)             152 max CC (2)          154 notes (4, EBCDIC
 *   letters in every code page)                     158 reserved (4)
 */
#ifndef NACCB_EOTINFO_H
#define NACCB_EOTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/codes.h"
#include "naccb/ebcdic.h"
#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naccb_eotinfo {
    uint8_t work_area1[40];
    uint8_t work_area2[40];
    uint8_t flag1;
    uint8_t flag2;
    uint8_t reserved1[24];
    uint8_t job_id[NACCB_NAME_SIZE];
    uint8_t system_name[NACCB_NAME_SIZE];
    uint8_t job_name[NACCB_NAME_SIZE];
    uint8_t step_name[NACCB_NAME_SIZE];
    uint8_t proc_step_name[NACCB_NAME_SIZE];
    uint16_t step_number;
    uint16_t scc;
    uint16_t ucc;
    uint16_t max_cc;
    uint8_t notes[4];
    uint8_t reserved2[4];
};

enum naccb_eotinfo_offsets {
    NACCB_EOT_WORK_AREA1 = 0,
    NACCB_EOT_WORK_AREA2 = 40,
    NACCB_EOT_FLAG1 = 80,
    NACCB_EOT_FLAG2 = 81,
    NACCB_EOT_RESERVED1 = 82,
    NACCB_EOT_JOB_ID = 106,
    NACCB_EOT_SYSTEM_NAME = 114,
    NACCB_EOT_JOB_NAME = 122,
    NACCB_EOT_STEP_NAME = 130,
    NACCB_EOT_PROC_STEP_NAME = 138,
    NACCB_EOT_STEP_NUMBER = 146,
    NACCB_EOT_SCC = 148,
    NACCB_EOT_UCC = 150,
    NACCB_EOT_MAX_CC = 152,
    NACCB_EOT_NOTES = 154,
    NACCB_EOT_RESERVED2 = 158,
};

/* flag2 bits (IBM numbering: bit 0 is 0x80). */
enum naccb_flag2 {
    NACCB_FLAG2_JOB_NAME = 0x80,
    NACCB_FLAG2_JOB_ID = 0x40,
    NACCB_FLAG2_STEP_NAME = 0x20,
    NACCB_FLAG2_PROC_STEP_NAME = 0x10,
    NACCB_FLAG2_CAPTURE_MASK = 0xF0,
};

/* Notes letters, EBCDIC in every code page. */
enum naccb_notes_letter {
    NACCB_NOTE_J = 0xD1, /* [0] end of job */
    NACCB_NOTE_S = 0xE2, /* [0] end of step; [1] started */
    NACCB_NOTE_I = 0xC9, /* [1] initiated */
    NACCB_NOTE_N = 0xD5, /* [2] normal */
    NACCB_NOTE_A = 0xC1, /* [2] abend */
    NACCB_NOTE_C = 0xC3, /* [2] not executed */
    NACCB_NOTE_L = 0xD3, /* [3] local */
    NACCB_NOTE_R = 0xD9, /* [3] remote */
    NACCB_NOTE_BLANK = 0x40,
};

NACCB_API void naccb_eotinfo_encode(const struct naccb_eotinfo *e,
                                    uint8_t out[NACCB_EOTINFO_SIZE]);
NACCB_API void naccb_eotinfo_decode(const uint8_t in[NACCB_EOTINFO_SIZE],
                                    struct naccb_eotinfo *out);

enum naccb_eotinfo_role {
    /* An SCD table entry sent to an agent: flag2 marks at least one name
     * (NACCB_EFLAG2), each marked name is non-blank (NACCB_ECAPTURED_BLANK),
     * status fields are zero (NACCB_ESTATUS_IN_TABLE). */
    NACCB_EOTINFO_TABLE_ENTRY = 0,
    /* An EOTINFO an agent reports: job name non-blank (NACCB_EJOB_NAME),
     * notes letters valid for their positions (NACCB_ENOTES), notes[3] R
     * (NACCB_ENOT_REMOTE), step number 1..256 when notes[0] is S and 0 when
     * it is J (NACCB_ESTEP_NUMBER). */
    NACCB_EOTINFO_REPORT = 1,
};

/*
 * Check an EOTINFO for its role.  Both roles: reserved bytes 82..105 and
 * 158..161 zero (NACCB_ERESERVED).  A name is blank when every byte is the
 * code page's blank or 0x00.  Returns 0 or the first failing rule in offset
 * order, with *err_offset (may be NULL) the field's offset.
 */
NACCB_API int naccb_eotinfo_validate(const struct naccb_eotinfo *e,
                                     enum naccb_eotinfo_role role,
                                     enum naccb_codepage cp,
                                     size_t *err_offset);

/*
 * 1 when a reported EOTINFO matches an SCD table entry: equal system names
 * and equal contents in every name field that the ENTRY's flag2 marks
 * (job name, job-id, step name, proc-step name); else 0.
 */
NACCB_API int naccb_eotinfo_matches_entry(const struct naccb_eotinfo *entry,
                                          const struct naccb_eotinfo *report);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_EOTINFO_H */
