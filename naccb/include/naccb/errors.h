/*
 * naccb/errors.h - the codec's error codes.
 *
 * Every libnaccb function that can fail returns 0 (or a byte count >= 0) on
 * success and one of the negative codes below on failure.  The codes live in
 * a reserved range (-1000 .. -1999) so they can never be mistaken for a
 * count or for -errno.  NACCB_EINCOMPLETE is not an error: it means "give me
 * more bytes".  The numbers are part of the ABI: never renumber a code, only
 * add new ones at the end of their group.
 *
 * The list is written once (NACCB_ERRNO_MAP) and expanded into the enum and
 * the name/message tables, so they cannot drift apart.
 */
#ifndef NACCB_ERRORS_H
#define NACCB_ERRORS_H

#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(NAME, value, message) */
#define NACCB_ERRNO_MAP(X)                                                     \
    X(EINCOMPLETE, -1000, "more bytes are needed")                             \
    X(EINVAL, -1001, "invalid argument")                                       \
    X(ENOBUFS, -1002, "output buffer too small")                               \
    X(ENOMEM, -1003, "out of memory")                                          \
    /* framing and header: docs/protocol.md §3 */                         \
    X(ELENGTH_SHORT, -1010, "total length is below the 36-byte header")        \
    X(ELENGTH_MAX, -1011, "total length is above the maximum NACCB size")      \
    X(ELENGTH_MISMATCH, -1012, "total length is not 36 + count * size")        \
    X(ECOUNT_SIZE, -1013,                                                      \
      "object size must be 0 when the object count is 0, and > 0 otherwise")   \
    X(EDIRECTION, -1014, "direction is neither 0x0102 nor 0x0201")             \
    X(EREQUEST, -1015, "request code not valid here")                          \
    X(EOBJECT, -1016, "object code not valid for this request")                \
    X(EOBJECT_SIZE, -1017, "object size does not fit the object code")         \
    X(EOBJECT_COUNT, -1018, "object count not valid for this request")         \
    /* packed decimal and dates: docs/protocol.md §1 and §8 */            \
    X(EBCD_DIGIT, -1020, "packed decimal nibble above 9")                      \
    X(EBCD_ZONE, -1021, "leading nibble of a packed Julian date is not 0")     \
    X(EYEAR, -1022, "year outside 1900..9999")                                 \
    X(EDAY_OF_YEAR, -1023, "Julian day outside 001..365 (366 in leap years)")  \
    X(EMONTH, -1024, "month outside 01..12")                                   \
    X(EDAY_OF_MONTH, -1025, "day outside its month")                           \
    X(EHOUR, -1026, "hour above 23")                                           \
    X(EMINUTE, -1027, "minute above 59")                                       \
    X(ESECOND, -1028, "second above 59")                                       \
    X(ETIME_FILLER, -1029, "last byte of a packed time HHMMSS00 is not 00")    \
    /* EVBLOK: docs/protocol.md §8 */                                     \
    X(EKEY_LENGTH, -1040, "KL outside 1..20")                                  \
    X(EVERB_LENGTH, -1041, "VL greater than KL")                               \
    X(EID_LENGTH, -1042, "IL is not 8 + KL")                                   \
    X(EDATE_ORDER, -1043, "EDATE is before SDATE")                             \
    X(ETIME_ORDER, -1044, "ETIME is before STIME")                             \
    X(ESECONDS_MISMATCH, -1045,                                                \
      "STSEC/ETSEC is not STIME/ETIME in seconds since midnight")              \
    X(ESTDDATE_MISMATCH, -1046, "SSDT/ESDT is not the same day as SDATE/EDATE")\
    X(EDAY_LIST, -1047, "day-list byte is neither 0x00 nor 0x01")              \
    X(EEVENT_TYPE, -1048, "event type outside 01..06")                         \
    X(ERESERVED, -1049, "reserved bytes are not zero")                         \
    /* EOTINFO: docs/protocol.md §9 */                                    \
    X(ENOTES, -1060, "notes letter not valid in its position")                 \
    X(ENOT_REMOTE, -1061, "notes[3] is not R (an agent always sends R)")       \
    X(ESTEP_NUMBER, -1062, "step number outside its range")                    \
    X(EFLAG2, -1063, "flag2 marks no name field as captured")                  \
    X(ECAPTURED_BLANK, -1064, "a name field marked captured is blank")         \
    X(ESTATUS_IN_TABLE, -1065,                                                 \
      "status fields (step, SCC, UCC, max CC, notes) set in an SCD table "     \
      "entry")                                                                 \
    X(EJOB_NAME, -1066, "job name is blank")                                   \
    /* event texts: docs/protocol.md §5 */                                \
    X(ETEXT_LENGTH, -1080, "text length outside 1..128")                       \
    /* code pages */                                                           \
    X(ECODEPAGE, -1090, "unknown code page")

enum naccb_errno {
#define NACCB_ERRNO_ENUM_(name, value, msg) NACCB_##name = (value),
    NACCB_ERRNO_MAP(NACCB_ERRNO_ENUM_)
#undef NACCB_ERRNO_ENUM_
};

/* "NACCB_ELENGTH_SHORT" for NACCB_ELENGTH_SHORT; "NACCB_UNKNOWN" for a value
 * not in the list.  The string is static. */
NACCB_API const char *naccb_err_name(int err);

/* A one-line English description; "unknown error" for a value not in the
 * list.  The string is static. */
NACCB_API const char *naccb_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_ERRORS_H */
