/*
 * naccb/header.h - the 36-byte NACCB header and whole-NACCB views.
 *
 * Layout (docs/protocol.md §3), all integers big-endian:
 *   0 total length (4)   4 agent-ID (4)      8 system name (8, EBCDIC)
 *  16 direction (2)     18 request (1)      19 object (1)
 *  20 error code (1)    21 OS code (1)      22 coding convention (1)
 *  23 unused (1)        24 forward ptr (4)  28 object count (4)
 *  32 object size (4)
 *
 * Decoding never allocates and never copies objects: a struct
 * naccb_message points into the caller's buffer and is valid as long as
 * that buffer is.
 */
#ifndef NACCB_HEADER_H
#define NACCB_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/codes.h"
#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

struct naccb_header {
    uint32_t total_length;
    uint32_t agent_id;
    uint8_t system_name[NACCB_NAME_SIZE]; /* raw bytes as on the wire */
    uint16_t direction;
    uint8_t request;
    uint8_t object;
    uint8_t error_code; /* extended byte 0 */
    uint8_t os_code;    /* extended byte 1 */
    uint8_t coding;     /* extended byte 2 */
    uint8_t unused;     /* extended byte 3 */
    uint32_t forward;
    uint32_t count;
    uint32_t size;
};

/* Byte offsets of the header fields, for error reports. */
enum naccb_header_offsets {
    NACCB_OFF_TOTAL_LENGTH = 0,
    NACCB_OFF_AGENT_ID = 4,
    NACCB_OFF_SYSTEM_NAME = 8,
    NACCB_OFF_DIRECTION = 16,
    NACCB_OFF_REQUEST = 18,
    NACCB_OFF_OBJECT = 19,
    NACCB_OFF_ERROR_CODE = 20,
    NACCB_OFF_OS_CODE = 21,
    NACCB_OFF_CODING = 22,
    NACCB_OFF_UNUSED = 23,
    NACCB_OFF_FORWARD = 24,
    NACCB_OFF_COUNT = 28,
    NACCB_OFF_SIZE = 32,
};

/* The key as one fullword: direction << 16 | request << 8 | object. */
NACCB_API uint32_t naccb_header_key(const struct naccb_header *h);

/* Split a key into direction, request and object. */
NACCB_API void naccb_header_set_key(struct naccb_header *h, uint32_t key);

/* Write all 36 bytes exactly as the struct says (no field is computed or
 * checked, so tests and fuzzers can write hostile headers).  Returns 36. */
NACCB_API int naccb_header_encode(const struct naccb_header *h,
                                  uint8_t out[NACCB_HEADER_SIZE]);

/* Read 36 bytes.  Returns 36, or NACCB_EINCOMPLETE when len < 36.  Checks
 * nothing. */
NACCB_API int naccb_header_decode(const uint8_t *buf, size_t len,
                                  struct naccb_header *out);

/*
 * The framing checks of a header: total length >= 36
 * (NACCB_ELENGTH_SHORT), total length <= max_size (NACCB_ELENGTH_MAX),
 * total length == 36 + count * size computed in 64 bits
 * (NACCB_ELENGTH_MISMATCH), size == 0 exactly when count == 0
 * (NACCB_ECOUNT_SIZE).  *err_offset (may be NULL) gets the offset of the
 * offending field.  max_size 0 means NACCB_DEFAULT_MAX_SIZE.  A total above
 * INT_MAX counts as above any maximum, since byte counts are returned as
 * int.
 */
NACCB_API int naccb_header_check_length(const struct naccb_header *h,
                                        uint32_t max_size, size_t *err_offset);

/* A whole NACCB: its header and a view of its objects. */
struct naccb_message {
    struct naccb_header header;
    const uint8_t *objects; /* count * size bytes, points into the input */
};

/*
 * Decode one whole NACCB from buf (len >= its total length).  Returns the
 * number of bytes it spans, NACCB_EINCOMPLETE when buf holds less, or the
 * error of naccb_header_check_length().  Object contents are not checked.
 */
NACCB_API int naccb_message_decode(const uint8_t *buf, size_t len,
                                   uint32_t max_size,
                                   struct naccb_message *out,
                                   size_t *err_offset);

/* Object i (0-based) of a decoded message; NULL when i >= count. */
NACCB_API const uint8_t *naccb_message_object(const struct naccb_message *m,
                                              uint32_t i);

/* 36 + count * size, in 64 bits so the caller can check it. */
NACCB_API uint64_t naccb_message_length(uint32_t count, uint32_t size);

/*
 * Encode a NACCB: the header h with total_length computed from count and
 * size, followed by count * size bytes from objects (may be NULL when count
 * is 0).  Returns the bytes written, NACCB_ENOBUFS when cap is too small,
 * NACCB_ELENGTH_MAX when the total does not fit 32 bits, NACCB_ECOUNT_SIZE
 * when count and size disagree.
 */
NACCB_API int naccb_message_encode(const struct naccb_header *h,
                                   const uint8_t *objects, uint8_t *out,
                                   size_t cap);

/*
 * The object rules of docs/protocol.md §5, §7 and §11 for a NACCB's key
 * and its objects (not their content): for each key, which object codes,
 * counts and sizes are allowed.  Checks a header whose length was already
 * checked.  Returns 0 or NACCB_EDIRECTION, NACCB_EREQUEST, NACCB_EOBJECT,
 * NACCB_EOBJECT_COUNT, NACCB_EOBJECT_SIZE with *err_offset at the field.
 * Login: object 00, count 0 or (1, size 8).  Logout, acquire: no objects.
 * Acquire: object 01 or 02 (else NACCB_EOBJECT).  Info: object 03..07,
 * count >= 1, texts 1..128 bytes, EOTINFO 162.  Agent error (02010Bxx):
 * object 01..08, count 0 or 1 text of 1..128.  To-agent keys: receive and
 * replace (EVBLOK 230 / EOTINFO 162, count >= 1), exec command (1 text of
 * 1..128), exec job (1 object of 8), accept, reject, shutdown, no-EMS/SCD
 * and errors (no objects).
 */
NACCB_API int naccb_message_check_objects(const struct naccb_header *h,
                                          size_t *err_offset);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_HEADER_H */
