/*
 * priv.h - what the files of the agent core share (not for the libuv layer
 * or the tests: they use agent.h).
 *
 * The core is split by concept: agent.c (life cycle, connection and
 * session state machine, dispatch of received NACCBs), outq.c (the
 * outgoing queue, batching, NACCB encoding), tables.c (EMS and SCD tables,
 * event matching, EOTINFO building), requests.c (exec command and exec
 * job), util.c (logging, actions, holidays, job names).  Internal names
 * carry xdi_agent__ (XDI_AGENT__ for macros and enums), public ones
 * xdi_agent_, so that none meets the server's xdi__ in one program.
 */
#ifndef XDI_AGENT_PRIV_H
#define XDI_AGENT_PRIV_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent.h"

/* One queued outgoing NACCB or info object.  The seed's forward pointer
 * (protocol.md §3) is this list's next: it stays in memory,
 * since a 31-bit field cannot hold a pointer here; the wire field is 0. */
struct xdi_agent__item {
    struct xdi_agent__item *next;
    uint32_t key;       /* NACCB key */
    uint8_t error_code; /* extended byte 0 (agent errors) */
    bool batch;         /* info object: may share a NACCB (§6) */
    uint32_t len;       /* object bytes; 0 = a NACCB without objects */
    uint8_t data[];     /* the object, wire bytes */
};

struct xdi_agent__action_node {
    struct xdi_agent__action_node *next;
    struct xdi_agent_action act;
};

/* What this session knows of one table. */
enum xdi_agent__table_state {
    XDI_AGENT__T_NONE,    /* no session, or not asked yet */
    XDI_AGENT__T_PENDING, /* acquire sent, no answer yet */
    XDI_AGENT__T_READY,   /* received (possibly with every entry dropped) */
    XDI_AGENT__T_MISSING, /* no-EMS / no-SCD, or an error about the acquire */
};

enum xdi_agent__failure { XDI_AGENT__FAIL_LOST, XDI_AGENT__FAIL_REJECTED };

struct xdi_agent {
    struct xdi_agent_config cfg;
    struct xdi_agent_hooks hooks;
    uint8_t wire_name[NACCB_NAME_SIZE]; /* EBCDIC, blank padded */

    enum xdi_agent_state state;
    bool connected;
    bool input_lost;       /* framing lost: input ignored until reconnect */
    bool logging_out;      /* the logout is queued or sent */
    uint32_t agent_id;     /* 0 without a session */
    unsigned failures;     /* since the last accept */
    enum xdi_agent__failure last_failure;
    int exit_code;         /* for XDI_ACT_STOP once CLOSING ends */
    struct naccb_framer framer;

    /* Tables of this session (section 11.1 step 3), invalid entries dropped. */
    enum xdi_agent__table_state ems_state, scd_state;
    struct naccb_evblok *ems;
    size_t n_ems;
    struct naccb_eotinfo *scd;
    size_t n_scd;

    struct xdi_agent__item *q_head, **q_tail;
    size_t q_len;

    struct xdi_agent__action_node *act_head, **act_tail;

    regex_t *allow;
    size_t n_allow;
    struct naccb_date *holidays;
    size_t n_holidays;
};

/* Events are taken (matched, queued) only in a session that is not
 * closing: the acquire was sent and no logout was queued. */
bool xdi_agent__events_open(const struct xdi_agent *a);

/* ---- util.c ------------------------------------------------------------- */
void xdi_agent__log(struct xdi_agent *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* naccb_key_name(), or "NACCB" for a key without a name. */
const char *xdi_agent__key_name(uint32_t key, uint8_t error_code);
/* Appends an action; text may be NULL. */
void xdi_agent__act(struct xdi_agent *a, enum xdi_agent_action_kind kind,
                    unsigned delay_ms, int exit_code, const char *text);
/* Room for a quoted text: 128 bytes, each escaped as \xNN, two quotes. */
#define XDI_AGENT__QUOTE_SIZE (NACCB_TEXT_MAX * 4 + 3)
/* Latin-1 bytes as a quoted, escaped string for a log line, written to
 * buf (XDI_AGENT__QUOTE_SIZE bytes), which is returned; at most 128 shown. */
const char *xdi_agent__quote(char *buf, const char *s, size_t len);
/* A wire (EBCDIC) text quoted the same way, converted first. */
const char *xdi_agent__quote_wire(const struct xdi_agent *a, char *buf,
                                  const uint8_t *w, size_t len);
void xdi_agent__local_time(struct xdi_agent *a, struct naccb_local_time *t);
int xdi_agent__is_holiday(void *agent, const struct naccb_date *d);

/* ---- outq.c ------------------------------------------------------------- */
/* Queues a NACCB: key, error code, one object of len bytes (or none).
 * batch marks info objects.  Returns 0, or -1 when the queue is full or
 * out of memory (logged). */
int xdi_agent__queue(struct xdi_agent *a, uint32_t key, uint8_t error_code,
                     const uint8_t *obj, uint32_t len, bool batch);
/* Agent error 02010Bxx (§8) with a Latin-1 reason text. */
void xdi_agent__queue_agent_error(struct xdi_agent *a, uint8_t object,
                                  uint8_t error_code, const char *why);
/* Removes every queued item that is not an info object (they belong to
 * the session that was lost). */
void xdi_agent__queue_drop_control(struct xdi_agent *a);
/* Keeps a queued info object of the given table kind only when keep()
 * says so (a new table arrived); returns how many were dropped. */
size_t xdi_agent__queue_filter(
    struct xdi_agent *a, bool scd_kind,
    bool (*keep)(struct xdi_agent *a, const struct xdi_agent__item *it));
void xdi_agent__queue_free(struct xdi_agent *a);

/* ---- tables.c ----------------------------------------------------------- */
/* A received EMS (object 01) or SCD (02) table NACCB: decode, validate,
 * drop bad entries (agent error 05 for the first), replace the table. */
void xdi_agent__table_load(struct xdi_agent *a, const struct naccb_message *m);
void xdi_agent__tables_clear(struct xdi_agent *a);
/* The best match of a wire text of an info object code (03..06). */
enum xdi_event_result xdi_agent__match_text(struct xdi_agent *a,
                                            unsigned object,
                                            const uint8_t *wire, size_t len);
/* Matches and queues a wire text; logs the result. */
enum xdi_event_result xdi_agent__text_event(struct xdi_agent *a,
                                            unsigned object,
                                            const uint8_t *wire, size_t len);

/* ---- requests.c --------------------------------------------------------- */
void xdi_agent__exec_command(struct xdi_agent *a,
                             const struct naccb_message *m);
void xdi_agent__exec_job(struct xdi_agent *a, const struct naccb_message *m);

#endif /* XDI_AGENT_PRIV_H */
