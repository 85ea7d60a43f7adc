/*
 * naccb/evblok.h - the 230-byte EVBLOK, one entry of an EMS table.
 *
 * Layout (docs/protocol.md §8), integers big-endian:
 *     0 system name (8)        8 event key (20)      28 additional text (108)
 *   136 IL (2)               138 KL (2)             140 VL (2)
 *   142 SDATE 0YYYYDDD (4)   146 EDATE (4)          150 STIME HHMMSS00 (4)
 *   154 STSEC (4)            158 ETIME (4)          162 ETSEC (4)
 *   166 day-list (8: Sun..Sat, holiday)             174 ET (1)
 *   175 reserved (15)        190 SSDT YYYYMMDD (4)  194 ESDT (4)
 *   198 user working area (32)
 *
 * The struct holds the fields exactly as on the wire (packed values as
 * fullwords, character fields as raw EBCDIC bytes), so decode -> encode is
 * the identity on any 230 bytes, valid or not.
 */
#ifndef NACCB_EVBLOK_H
#define NACCB_EVBLOK_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/codes.h"
#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naccb_evblok {
    uint8_t system_name[NACCB_NAME_SIZE];
    uint8_t event_key[NACCB_KEY_SIZE];
    uint8_t additional_text[NACCB_ADDTEXT_SIZE];
    uint16_t il;
    uint16_t kl;
    uint16_t vl;
    uint32_t sdate; /* packed 0YYYYDDD */
    uint32_t edate; /* packed 0YYYYDDD */
    uint32_t stime; /* packed HHMMSS00 */
    uint32_t stsec; /* binary seconds */
    uint32_t etime; /* packed HHMMSS00 */
    uint32_t etsec; /* binary seconds */
    uint8_t day_list[8]; /* [0..6] Sunday..Saturday, [7] holiday */
    uint8_t event_type;  /* ET, enum naccb_event_type */
    uint8_t reserved[15];
    uint32_t ssdt; /* packed YYYYMMDD */
    uint32_t esdt; /* packed YYYYMMDD */
    uint8_t user_area[32];
};

enum naccb_evblok_offsets {
    NACCB_EVB_SYSTEM_NAME = 0,
    NACCB_EVB_EVENT_KEY = 8,
    NACCB_EVB_ADDITIONAL_TEXT = 28,
    NACCB_EVB_IL = 136,
    NACCB_EVB_KL = 138,
    NACCB_EVB_VL = 140,
    NACCB_EVB_SDATE = 142,
    NACCB_EVB_EDATE = 146,
    NACCB_EVB_STIME = 150,
    NACCB_EVB_STSEC = 154,
    NACCB_EVB_ETIME = 158,
    NACCB_EVB_ETSEC = 162,
    NACCB_EVB_DAY_LIST = 166,
    NACCB_EVB_EVENT_TYPE = 174,
    NACCB_EVB_RESERVED = 175,
    NACCB_EVB_SSDT = 190,
    NACCB_EVB_ESDT = 194,
    NACCB_EVB_USER_AREA = 198,
};

/* The "always" time frame of docs/protocol.md §8. */
#define NACCB_ALWAYS_SDATE 0x01900001u
#define NACCB_ALWAYS_EDATE 0x09999365u
#define NACCB_ALWAYS_STIME 0x00000000u
#define NACCB_ALWAYS_STSEC 0u
#define NACCB_ALWAYS_ETIME 0x23595900u
#define NACCB_ALWAYS_ETSEC 86399u
#define NACCB_ALWAYS_SSDT 0x19000101u
#define NACCB_ALWAYS_ESDT 0x99991231u

/* Writes 230 bytes.  No field is checked. */
NACCB_API void naccb_evblok_encode(const struct naccb_evblok *e,
                                   uint8_t out[NACCB_EVBLOK_SIZE]);

/* Reads 230 bytes.  No field is checked. */
NACCB_API void naccb_evblok_decode(const uint8_t in[NACCB_EVBLOK_SIZE],
                                   struct naccb_evblok *out);

/* Sets the time frame fields to the "always" frame and every day-list
 * byte to 1. */
NACCB_API void naccb_evblok_set_always(struct naccb_evblok *e);

/*
 * Every rule of docs/protocol.md §8.  Returns 0 or the first failing
 * rule's code, with *err_offset (may be NULL) the offset of the field within
 * the EVBLOK.  The rules run in this order, the first that fails is
 * reported (a rule relating two fields is reported at the field it names
 * as wrong):
 *   KL 1..20 (NACCB_EKEY_LENGTH, at KL), IL = 8 + KL (NACCB_EID_LENGTH, at
 *   IL, once KL is known to be in range), VL <= KL (NACCB_EVERB_LENGTH, at
 *   VL); SDATE then EDATE valid Julian dates (packed errors), EDATE >= SDATE
 *   (NACCB_EDATE_ORDER, at EDATE); STIME a valid time, STSEC = its seconds
 *   (NACCB_ESECONDS_MISMATCH, at STSEC), ETIME a valid time, ETIME >= STIME
 *   (NACCB_ETIME_ORDER, at ETIME), ETSEC = its seconds (at ETSEC); day-list
 *   bytes 0/1 (NACCB_EDAY_LIST), ET 01..06 (NACCB_EEVENT_TYPE), reserved
 *   zero (NACCB_ERESERVED); SSDT then ESDT valid dates naming the same day
 *   as SDATE / EDATE (NACCB_ESTDDATE_MISMATCH).
 * ET 03 and 04 are valid here; naccb_event_type_for_agent() tells whether
 * an agent may be given them.
 */
NACCB_API int naccb_evblok_validate(const struct naccb_evblok *e,
                                    size_t *err_offset);

/* 1 for ET 01, 02, 05, 06 (those an agent's table may hold), else 0. */
NACCB_API int naccb_event_type_for_agent(unsigned event_type);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_EVBLOK_H */
