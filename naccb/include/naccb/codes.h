/*
 * naccb/codes.h - sizes, request/object/error codes and the named keys.
 *
 * The numbers are those of docs/protocol.md §4 to §7 (the seed's
 * assembler equates, read with the "lost accept at 07" decision).  A key is
 * the 4-byte NACCB key read as one big-endian fullword:
 * direction (2) | request (1) | object (1).
 */
#ifndef NACCB_CODES_H
#define NACCB_CODES_H

#include <stddef.h>
#include <stdint.h>

#include "naccb/export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum naccb_sizes {
    NACCB_HEADER_SIZE = 36,
    NACCB_EVBLOK_SIZE = 230,
    NACCB_EOTINFO_SIZE = 162,
    NACCB_NAME_SIZE = 8,       /* system, job, step, proc-step names, job-id */
    NACCB_PASSWORD_SIZE = 8,   /* login password object */
    NACCB_TEXT_MAX = 128,      /* event texts, exec command, agent error text */
    NACCB_KEY_SIZE = 20,       /* EVBLOK event key field */
    NACCB_ADDTEXT_SIZE = 108,  /* EVBLOK additional event text */
};

/* Default maximum NACCB size (docs/protocol.md §11): 16 MiB. */
#define NACCB_DEFAULT_MAX_SIZE (16u * 1024u * 1024u)

enum naccb_direction {
    NACCB_DIR_TO_AGENT = 0x0102,
    NACCB_DIR_TO_SERVER = 0x0201,
};

/* Key byte 2 (docs/protocol.md §4).  X(NAME, code, "name") */
#define NACCB_REQUEST_MAP(X)                                                   \
    X(EXECUTE, 0x01, "execute")                                                \
    X(SAVE, 0x02, "save")                                                      \
    X(REPLACE, 0x03, "replace")                                                \
    X(SHUTDOWN, 0x04, "shutdown")                                              \
    X(LOGIN, 0x05, "login")                                                    \
    X(LOGOUT, 0x06, "logout")                                                  \
    X(ACCEPT, 0x07, "accept")                                                  \
    X(REJECT, 0x08, "reject")                                                  \
    X(ACQUIRE, 0x09, "acquire")                                                \
    X(INFO, 0x0A, "information")                                               \
    X(ERROR, 0x0B, "error")

enum naccb_request {
#define NACCB_REQ_ENUM_(name, code, str) NACCB_REQ_##name = (code),
    NACCB_REQUEST_MAP(NACCB_REQ_ENUM_)
#undef NACCB_REQ_ENUM_
};

/* Key byte 3 (docs/protocol.md §5).  NOTE the trap: object EOJ = 05,
 * EOS = 06, but EVBLOK event types say EOS = 05, EOJ = 06. */
#define NACCB_OBJECT_MAP(X)                                                    \
    X(NONE, 0x00, "none")                                                      \
    X(EMS, 0x01, "EMS parameter table")                                        \
    X(SCD, 0x02, "scheduler table")                                            \
    X(MSG, 0x03, "message event text")                                         \
    X(CMD, 0x04, "command event text")                                         \
    X(EOJ, 0x05, "end-of-job event text")                                      \
    X(EOS, 0x06, "end-of-jobstep event text")                                  \
    X(EOTINFO, 0x07, "EOTINFO")                                                \
    X(JOBNAME, 0x08, "job name")

enum naccb_object {
#define NACCB_OBJ_ENUM_(name, code, str) NACCB_OBJ_##name = (code),
    NACCB_OBJECT_MAP(NACCB_OBJ_ENUM_)
#undef NACCB_OBJ_ENUM_
};

/* Extended key byte 0 (docs/protocol.md §6). */
#define NACCB_ERROR_CODE_MAP(X)                                                \
    X(NONE, 0x00, "no error")                                                  \
    X(AGENT_ID, 0x01, "invalid agent ID")                                      \
    X(DIRECTION, 0x02, "invalid direction")                                    \
    X(ACQUIRED_OBJECT, 0x03, "invalid acquired object")                        \
    X(REQUEST, 0x04, "invalid request")                                        \
    X(INFORMATION, 0x05, "invalid information")                                \
    X(RESOURCE_MANAGER, 0x06, "error returned from resource manager")          \
    X(EVX, 0x07, "error returned from EVX component")                          \
    X(NOT_AVAILABLE, 0x08, "parameters/table not available")                   \
    X(SYSTEM_NAME, 0x09, "unknown system name")

enum naccb_error_code {
#define NACCB_ERRC_ENUM_(name, code, str) NACCB_ERR_##name = (code),
    NACCB_ERROR_CODE_MAP(NACCB_ERRC_ENUM_)
#undef NACCB_ERRC_ENUM_
};

/* EVBLOK event type, ET (docs/protocol.md §8). */
#define NACCB_EVENT_TYPE_MAP(X)                                                \
    X(MESSAGE, 0x01, "message")                                                \
    X(COMMAND, 0x02, "command")                                                \
    X(TIME_OF_DAY, 0x03, "time-of-day")                                        \
    X(END_OF_TASK, 0x04, "end-of-task")                                        \
    X(EOS, 0x05, "end-of-jobstep")                                             \
    X(EOJ, 0x06, "end-of-job")

enum naccb_event_type {
#define NACCB_ET_ENUM_(name, code, str) NACCB_ET_##name = (code),
    NACCB_EVENT_TYPE_MAP(NACCB_ET_ENUM_)
#undef NACCB_ET_ENUM_
};

#define NACCB_MAKE_KEY(dir, req, obj)                                          \
    ((uint32_t)(((uint32_t)(dir) << 16) | ((uint32_t)(req) << 8) |            \
                (uint32_t)(obj)))

/* What the objects of a NACCB are, by its key (docs/protocol.md §5,
 * 6 and 8).  NACCB_KIND_NONE: the key carries no objects, or is not a
 * named key.  The numbers are published (the Python harness reads them
 * through naccb_kind_table()). */
#define NACCB_OBJECT_KIND_MAP(X)                                               \
    X(NONE, 0, "none")                                                         \
    X(EVBLOK, 1, "evblok")                                                     \
    X(EOTINFO, 2, "eotinfo")                                                   \
    X(TEXT, 3, "text")                                                         \
    X(JOB_NAME, 4, "job_name")                                                 \
    X(PASSWORD, 5, "password")

enum naccb_object_kind {
#define NACCB_KIND_ENUM_(name, code, str) NACCB_KIND_##name = (code),
    NACCB_OBJECT_KIND_MAP(NACCB_KIND_ENUM_)
#undef NACCB_KIND_ENUM_
};

/* The named keys of docs/protocol.md §7.  X(NAME, key, "name", kind)
 * with kind what its objects are (NACCB_KIND_<kind>).  NO_EMS / NO_SCD are
 * those keys only with extended byte 0 = 08. */
#define NACCB_KEY_MAP(X)                                                       \
    X(LOGIN, 0x02010500u, "login", PASSWORD)                                   \
    X(LOGOUT, 0x02010600u, "logout", NONE)                                     \
    X(ACCEPT, 0x01020700u, "accept", NONE)                                     \
    X(REJECT, 0x01020800u, "reject", NONE)                                     \
    X(ACQ_EMS, 0x02010901u, "acquire EMS", NONE)                               \
    X(ACQ_SCD, 0x02010902u, "acquire SCD", NONE)                               \
    X(RCV_EMS, 0x01020201u, "receive EMS", EVBLOK)                             \
    X(RCV_SCD, 0x01020202u, "receive SCD", EOTINFO)                            \
    X(REP_EMS, 0x01020301u, "replace EMS", EVBLOK)                             \
    X(REP_SCD, 0x01020302u, "replace SCD", EOTINFO)                            \
    X(NO_EMS, 0x01020B01u, "no EMS", NONE)                                     \
    X(NO_SCD, 0x01020B02u, "no SCD", NONE)                                     \
    X(EXEC_CMD, 0x01020104u, "exec command", TEXT)                             \
    X(EXEC_JOB, 0x01020108u, "exec job", JOB_NAME)                             \
    X(SHUTDOWN, 0x01020400u, "shutdown", NONE)                                 \
    X(INFO_MSG, 0x02010A03u, "info MSG", TEXT)                                 \
    X(INFO_CMD, 0x02010A04u, "info CMD", TEXT)                                 \
    X(INFO_EOJ, 0x02010A05u, "info EOJ", TEXT)                                 \
    X(INFO_EOS, 0x02010A06u, "info EOS", TEXT)                                 \
    X(INFO_EOT, 0x02010A07u, "info EOT", EOTINFO)

enum naccb_key {
#define NACCB_KEY_ENUM_(name, key, str, kind) NACCB_KEY_##name = (int)(key),
    NACCB_KEY_MAP(NACCB_KEY_ENUM_)
#undef NACCB_KEY_ENUM_
};

/* Names for codes; NULL for a code not in the lists.  Static strings. */
NACCB_API const char *naccb_request_name(unsigned request);
NACCB_API const char *naccb_object_name(unsigned object);
NACCB_API const char *naccb_error_code_name(unsigned error_code);
NACCB_API const char *naccb_event_type_name(unsigned event_type);

/*
 * The name of a key as docs/protocol.md §7 names it: "login",
 * "no EMS", ...  The error byte is needed because 01020B01 is "no EMS" only
 * with error code 08; any other 01020Bxx is "error" and 02010Bxx is
 * "agent error".  NULL when the key has no name.
 */
NACCB_API const char *naccb_key_name(uint32_t key, unsigned error_code);

/* The EVBLOK event type that an info object code reports (docs/protocol.md
 * §5, the EOJ/EOS trap): MSG -> 01, CMD -> 02, EOJ(05) -> ET 06,
 * EOS(06) -> ET 05.  0 for any other object code. */
NACCB_API unsigned naccb_event_type_for_object(unsigned object);

/*
 * What the objects of a NACCB with this key are: the kind of the key's
 * entry in NACCB_KEY_MAP, NACCB_KIND_TEXT for every agent error 02010Bxx
 * (its optional object is a text saying why, docs/protocol.md §7),
 * NACCB_KIND_NONE for any other key.  The object size is not looked at: a
 * caller splitting fixed-size objects into fields checks it.
 */
NACCB_API enum naccb_object_kind naccb_key_object_kind(uint32_t key);

/* The identifier of an object code, the NAME of NACCB_OBJECT_MAP ("EMS",
 * "SCD", "MSG", "EOTINFO", "JOBNAME"); NULL for a code not in the list. */
NACCB_API const char *naccb_object_id(unsigned object);

/* The short name of an info object as §7 names its key ("info MSG"
 * -> "MSG"): "MSG", "CMD", "EOJ", "EOS", "EOT" for objects 03..07, NULL
 * for any other code. */
NACCB_API const char *naccb_info_kind_name(unsigned object);

/* "evblok", "eotinfo", "text", "job_name", "password", "none"; NULL for a
 * number that is not a kind. */
NACCB_API const char *naccb_object_kind_name(unsigned kind);

/*
 * The named key whose identifier (the NAME of NACCB_KEY_MAP: "LOGIN",
 * "ACQ_EMS", ...) or section-6 name ("login", "acquire EMS", ...) is name,
 * compared exactly.  Returns 0 with *key set, or NACCB_EINVAL.
 */
NACCB_API int naccb_key_from_name(const char *name, uint32_t *key);

/*
 * The lists above as tables, for bindings that must not copy them (the
 * Python harness reads them with ctypes).  Each returns the first entry
 * and sets *n (may be NULL) to the number of entries; the tables are
 * static and in the order of the lists.  id is the NAME of the list ("EMS",
 * "NOT_AVAILABLE", "INFO_MSG"), name the readable name.
 */
struct naccb_code_info {
    unsigned code;
    const char *id;
    const char *name;
};

struct naccb_key_info {
    uint32_t key;
    const char *id;
    const char *name;
    enum naccb_object_kind kind;
};

/* A named number of the codec's headers that a binding needs: sizes,
 * directions, code pages, EOTINFO roles and return codes, named as in C
 * ("NACCB_HEADER_SIZE", "NACCB_DIR_TO_AGENT", "NACCB_EINCOMPLETE"). */
struct naccb_constant_info {
    const char *name;
    long value;
};

NACCB_API const struct naccb_code_info *naccb_request_table(size_t *n);
NACCB_API const struct naccb_code_info *naccb_object_table(size_t *n);
NACCB_API const struct naccb_code_info *naccb_error_code_table(size_t *n);
NACCB_API const struct naccb_code_info *naccb_event_type_table(size_t *n);
NACCB_API const struct naccb_code_info *naccb_object_kind_table(size_t *n);
NACCB_API const struct naccb_key_info *naccb_key_table(size_t *n);
NACCB_API const struct naccb_constant_info *naccb_constant_table(size_t *n);

#ifdef __cplusplus
}
#endif

#endif /* NACCB_CODES_H */
