/*
 * agent.h - the core of xdi-agent, the reference zJOS-XDI agent.
 *
 * The core knows nothing of libuv, sockets, files or processes.  The libuv
 * layer (tools/xdi-agent/uv) feeds it what happened - connected, bytes
 * received, disconnected, a timer fired, an event occurred, a job ended -
 * and then asks it for two things:
 *   - bytes to send (xdi_agent_take_output), built from the outgoing queue
 *     at the moment the socket can take them, so that events that piled up
 *     while a write was in flight go out batched (protocol.md §5:
 *     same-length texts may share one NACCB);
 *   - actions (xdi_agent_next_action): connect, arm the backoff timer,
 *     close, run a command or a job, start the event sources, stop.
 * Everything is single-threaded; tests drive the core with byte arrays.
 *
 * The session follows the seed's interaction steps (2) to (14) as
 * protocol.md §11.1 reads them from the server's side.
 *
 * Character data crossing this API is host-side ISO-8859-1 (Latin-1); the
 * core converts to and from the wire's EBCDIC with the configured code page.
 */
#ifndef XDI_AGENT_H
#define XDI_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naccb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes of xdi-agent: why it stopped (docs/agent.md). */
enum xdi_agent_exit {
    XDI_EXIT_OK = 0,             /* local shutdown (signal, simulation) */
    XDI_EXIT_FAILURE = 1,        /* internal error: out of memory, I/O */
    XDI_EXIT_USAGE = 2,          /* bad command line or input file */
    XDI_EXIT_HOST_SHUTDOWN = 10, /* the host sent shutdown (01020400) */
    XDI_EXIT_NO_TABLES = 11,     /* neither EMS nor SCD is available */
    XDI_EXIT_REJECTED = 12,      /* login rejected, retries used up */
    XDI_EXIT_LOST = 13,          /* connection lost/refused, retries used up */
};

enum xdi_agent_state {
    XDI_AGENT_IDLE,          /* not started */
    XDI_AGENT_CONNECTING,    /* the libuv layer is connecting */
    XDI_AGENT_LOGIN,         /* login sent, waiting for accept/reject */
    XDI_AGENT_LOGIN_BACKOFF, /* rejected: waiting to log in again */
    XDI_AGENT_RECONNECT_BACKOFF, /* no connection: waiting to reconnect */
    XDI_AGENT_ACQUIRING,     /* accepted; waiting for both table answers */
    XDI_AGENT_RUNNING,       /* both tables answered, at least one here */
    XDI_AGENT_CLOSING,       /* logout queued / close asked; then stop */
    XDI_AGENT_STOPPED,       /* XDI_ACT_STOP was issued */
};

/* Default limits and timings (xdi_agent_config_defaults). */
#define XDI_AGENT_DEFAULT_RETRIES 5u
#define XDI_AGENT_DEFAULT_BACKOFF_MS 500u
#define XDI_AGENT_DEFAULT_BACKOFF_MAX_MS 30000u
#define XDI_AGENT_DEFAULT_MAX_BATCH 256u
#define XDI_AGENT_DEFAULT_MAX_QUEUE 10000u
/* Bytes one xdi_agent_take_output() returns at most (one NACCB may be
 * larger: it is never split). */
#define XDI_AGENT_OUTPUT_CHUNK (256u * 1024u)

struct xdi_agent_config {
    char system_name[NACCB_NAME_SIZE + 1]; /* Latin-1, 1..8 bytes */
    char password[NACCB_PASSWORD_SIZE + 1]; /* Latin-1, "" = no password */
    enum naccb_codepage codepage;
    unsigned retries;        /* failed attempts tolerated before giving up */
    unsigned backoff_ms;     /* first retry delay; doubles each failure */
    unsigned backoff_max_ms; /* ceiling of the delay */
    uint32_t max_naccb_size; /* largest NACCB accepted (0 = 16 MiB) */
    uint32_t max_batch;      /* objects per info NACCB at most (>= 1) */
    size_t max_queue;        /* queued outgoing objects at most (>= 1) */
};

void xdi_agent_config_defaults(struct xdi_agent_config *cfg);

/* NULL when the config is usable, else why not (a static string). */
const char *xdi_agent_config_check(const struct xdi_agent_config *cfg);

/* What the core needs from outside.  NULL members: no logging; the real
 * clock (time() + localtime_r(), so libfaketime works on it). */
struct xdi_agent_hooks {
    void *ctx;
    /* One log line, without a newline; valid during the call only. */
    void (*log)(void *ctx, const char *line);
    /* The local time now, for the EVBLOK time frames (§9). */
    void (*local_time)(void *ctx, struct naccb_local_time *out);
};

struct xdi_agent;

/* NULL when the config fails xdi_agent_config_check() or out of memory.
 * Both arguments are copied; hooks may be NULL. */
struct xdi_agent *xdi_agent_new(const struct xdi_agent_config *cfg,
                                const struct xdi_agent_hooks *hooks);
void xdi_agent_free(struct xdi_agent *a);

/*
 * Adds a POSIX ERE to the exec-command allow-list; it must match the whole
 * command (it is anchored).  With an empty list (the default) exec command
 * runs nothing.  Returns 0, or -1 with the regcomp message in err.
 */
int xdi_agent_allow(struct xdi_agent *a, const char *ere, char *err,
                    size_t errlen);

/* The host's holiday calendar for day-list byte 7 (section 8.3, rule 5);
 * without one the weekday bytes alone count.  The dates are copied.
 * Returns 0 or -1 (out of memory). */
int xdi_agent_set_holidays(struct xdi_agent *a, const struct naccb_date *d,
                           size_t n);

/*
 * A holidays file: one YYYY-MM-DD per line; blank lines and lines starting
 * with '#' are skipped.  On success *out (malloc'd, free() it) and *n.
 * Returns 0, or -1 with *err_line the 1-based bad line (0: out of memory).
 */
int xdi_holidays_parse(const char *text, size_t len, struct naccb_date **out,
                       size_t *n, int *err_line);

/* ---- actions ------------------------------------------------------------ */

enum xdi_agent_action_kind {
    XDI_ACT_CONNECT,     /* open the TCP connection now */
    XDI_ACT_TIMER,       /* call xdi_agent_timer() in delay_ms (replaces an
                            earlier request) */
    XDI_ACT_CLOSE,       /* close the connection once the output taken so
                            far is written; then xdi_agent_disconnected() */
    XDI_ACT_RUN_COMMAND, /* spawn text split on blanks, without a shell */
    XDI_ACT_RUN_JOB,     /* run text from the jobs directory, or tell
                            xdi_agent_job_missing() */
    XDI_ACT_READY,       /* tables answered: start the event sources */
    XDI_ACT_STOP,        /* finished: exit with exit_code */
};

struct xdi_agent_action {
    enum xdi_agent_action_kind kind;
    unsigned delay_ms; /* XDI_ACT_TIMER */
    int exit_code;     /* XDI_ACT_STOP */
    /* XDI_ACT_RUN_*: Latin-1, NUL-terminated, no control characters. */
    char text[NACCB_TEXT_MAX + 1];
};

/* 1 with *out filled, or 0 when no action is pending. */
int xdi_agent_next_action(struct xdi_agent *a, struct xdi_agent_action *out);

/* ---- output ------------------------------------------------------------- */

/* true when xdi_agent_take_output() would return bytes now. */
bool xdi_agent_want_write(const struct xdi_agent *a);

/*
 * Builds NACCBs from the outgoing queue: every sendable item, info objects
 * of the same key and length batched into one NACCB (up to max_batch), at
 * most about XDI_AGENT_OUTPUT_CHUNK bytes.  Returns a malloc'd buffer (the
 * caller frees it) and *len, or NULL when nothing is sendable (or out of
 * memory, logged).  Items leave the queue here: the core counts them as
 * sent.
 */
uint8_t *xdi_agent_take_output(struct xdi_agent *a, size_t *len);

/* ---- what happened ------------------------------------------------------ */

void xdi_agent_start(struct xdi_agent *a);         /* -> XDI_ACT_CONNECT */
void xdi_agent_connected(struct xdi_agent *a);     /* queues the login */
void xdi_agent_connect_failed(struct xdi_agent *a, const char *why);
void xdi_agent_disconnected(struct xdi_agent *a, const char *why);
void xdi_agent_feed(struct xdi_agent *a, const uint8_t *bytes, size_t len);
void xdi_agent_timer(struct xdi_agent *a);         /* XDI_ACT_TIMER is due */
/* Local shutdown (signal, simulation script): logout when in a session. */
void xdi_agent_shutdown(struct xdi_agent *a, const char *why);

enum xdi_event_kind {
    XDI_EVENT_MSG = NACCB_OBJ_MSG, /* a message (log line) */
    XDI_EVENT_CMD = NACCB_OBJ_CMD, /* a command told to run */
};

enum xdi_event_result {
    XDI_EV_QUEUED,       /* matched, in frame: queued for the host */
    XDI_EV_IGNORED,      /* no EMS table in this session, or empty text */
    XDI_EV_UNMATCHED,    /* no EVBLOK of that type has its key */
    XDI_EV_OUT_OF_FRAME, /* matched, but outside every matching frame */
    XDI_EV_DROPPED,      /* the outgoing queue is full, or out of memory */
};

/* A message or command event of len Latin-1 bytes (texts longer than 128
 * are cut to 128: only the first KL <= 20 bytes are ever matched). */
enum xdi_event_result xdi_agent_event(struct xdi_agent *a,
                                      enum xdi_event_kind kind,
                                      const char *text, size_t len);

/* The end of a job (EOJ) or of one of its steps (EOS). */
struct xdi_job_end {
    char job[NACCB_NAME_SIZE + 1];  /* Latin-1, 1..8 */
    char step[NACCB_NAME_SIZE + 1]; /* "" for EOJ */
    unsigned step_number;           /* 1..256 for EOS, 0 for EOJ */
    uint16_t scc, ucc, max_cc;      /* §11 */
    char status;                    /* 'N' normal, 'A' abend, 'C' not run */
};

/*
 * Reports an EOJ/EOS: the EOJ (object 05) or EOS (object 06) text event
 * when it matches the EMS table in frame, and one EOTINFO per SCD entry
 * that the job (and step) matches: a copy of the entry with the status
 * fields set (§11).  Returns the number of objects queued.
 */
int xdi_agent_job_end(struct xdi_agent *a, const struct xdi_job_end *e);

/* XDI_ACT_RUN_JOB could not find the job: agent error 02010B08, extended
 * error 05, with why as its text. */
void xdi_agent_job_missing(struct xdi_agent *a, const char *job,
                           const char *why);

/* XDI_ACT_RUN_COMMAND could not be spawned: agent error 02010B04,
 * extended error 04, with why as its text. */
void xdi_agent_command_failed(struct xdi_agent *a, const char *cmd,
                              const char *why);

/* A request the libuv layer cannot carry out for another reason (too many
 * processes running): agent error 02010B<object> with error_code and why. */
void xdi_agent_refuse(struct xdi_agent *a, uint8_t object, uint8_t error_code,
                      const char *why);

/* 1 when name (len bytes) is a valid job name: [A-Z0-9$#@]{1,8}. */
int xdi_job_name_valid(const char *name, size_t len);

/* ---- inspection (logs, tests) ------------------------------------------- */

enum xdi_agent_state xdi_agent_state(const struct xdi_agent *a);
const char *xdi_agent_state_name(enum xdi_agent_state s);
uint32_t xdi_agent_id(const struct xdi_agent *a);
/* Entries kept from the last table received; -1 when the host has none
 * for this session (no-EMS / no-SCD, or not answered yet). */
long xdi_agent_ems_entries(const struct xdi_agent *a);
long xdi_agent_scd_entries(const struct xdi_agent *a);
size_t xdi_agent_queued(const struct xdi_agent *a);
/* true once a logout was queued: the host will close the connection
 * (protocol.md §11.1 step 6), so the libuv layer waits for that. */
bool xdi_agent_logging_out(const struct xdi_agent *a);
unsigned xdi_agent_failures(const struct xdi_agent *a);

#ifdef __cplusplus
}
#endif

#endif /* XDI_AGENT_H */
