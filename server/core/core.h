/*
 * core.h - what the files of the server core share (private: not for the
 * network layer, the tools or the tests).
 *
 * The core is split by concept: server.c (the public entry points of
 * server.h and the connection list), registry.c (agent-IDs and which host
 * has a live session), tables.c (each host's EMS and SCD tables, encoded
 * once), session.c (the order of checks of docs/protocol.md §11 and
 * what each request does), checks.c (the content checks of info objects),
 * reply.c (building and sending the NACCBs the server sends), record.c
 * (the fields every journal record shares, and the line it becomes), automation.c (EMS actions, SCD
 * triggers and the triggers held for hosts that are not logged in),
 * reload.c (a new fixture set swapped in under live sessions) and
 * ondemand.c (what the control plane asks for now, and the host status it
 * shows) and guard.c (failed logins' budgets and delays, connections per
 * address, the takeover policy, the rate of violation records).  Internal
 * names carry xdi__.
 */
#ifndef XDI_CORE_H
#define XDI_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "server.h"

/* One table of a host, encoded once: the objects of its receive NACCB.
 * blob NULL means "not available": the agent gets no-EMS / no-SCD. */
struct xdi__table {
    struct xdi_blob *blob;
    uint32_t count; /* objects in blob */
    uint32_t size;  /* 230 (EVBLOK) or 162 (EOTINFO) */
};

/* A host's EVBLOKs indexed by (KL, event type, key) (evindex.c). */
struct xdi__evindex {
    uint8_t kls[NACCB_KEY_SIZE]; /* the distinct KLs, ascending */
    unsigned n_kls;
    uint32_t *slots; /* open addressing: a group's first EVBLOK + 1, 0 empty */
    size_t mask;     /* slots - 1 (a power of two less one) */
    uint32_t *next;  /* per EVBLOK: the next of its group + 1, 0 last */
};

/* A host of the fixture set, as the server runs it. */
struct xdi__host {
    const struct xdi_host *fixture; /* in the server's fixture set */
    bool name_ok;                   /* the name fits the 8-byte field */
    uint8_t wire_name[NACCB_NAME_SIZE]; /* EBCDIC, blank padded */
    struct xdi__table ems, scd;
    /* The tables decoded back from their blobs, for the info checks: what
     * is matched is exactly what the agent was sent.  The event / job
     * pointers are the fixture entries behind each object (NULL for raw
     * tables), for the automation that later fires on a match. */
    struct naccb_evblok *evbloks;
    struct xdi__evindex ems_index; /* of evbloks */
    const struct xdi_event **evblok_events;
    struct naccb_eotinfo *entries;
    const struct xdi_job **entry_jobs;
    struct xdi_conn *session; /* the live session's connection, or NULL */
    /* A table given on demand (xdi_server_replace_entries) in force
     * instead of the fixture's until the next reload: the set its events
     * or jobs live in (owned), or NULL. */
    struct xdi_fixture_set *ems_set, *scd_set;
};

/*
 * An exec job a trigger fired for a host whose agent was not logged in: it
 * waits (FIFO, across reloads) until that host's next accept.  Names are
 * Latin-1 so that a reload that changes the code page still sends the
 * right wire bytes.
 */
struct xdi__held {
    struct xdi__held *next;
    uint64_t id;                          /* "held" in the journal, from 1 */
    char target[NACCB_NAME_SIZE + 1];     /* the host to run it on */
    char run_job[NACCB_NAME_SIZE + 1];    /* the job to run */
    char from_system[NACCB_NAME_SIZE + 1]; /* the host that reported */
    char from_job[NACCB_NAME_SIZE + 1];    /* the job whose end fired it */
    struct timespec since;                /* when it was held */
};

/* Agent-IDs: never reused during the server's life (§11.1 step 2). */
struct xdi__ids {
    bool random;
    bool exhausted;  /* every ID has been handed out */
    uint32_t next;   /* sequential: the next ID to hand out */
    uint64_t rng;    /* random: splitmix64 state */
    uint32_t *used;  /* random: open-addressing set, 0 = empty slot */
    size_t used_cap; /* a power of two, or 0 */
    size_t used_n;
};

/* The journal record being written straight as its line (record_line.c):
 * one at a time, in a buffer the server reuses. */
struct xdi__line {
    struct xdi_server *srv;
    char *buf;
    size_t len, cap;
    bool failed; /* out of memory: the record is lost, the wire goes on */
    bool first;  /* the next field opens its object: no comma */
    struct timespec now;
    uint64_t jseq;
};

/*
 * What guard.c keeps of one source address (an IPv4 address, or an IPv6
 * /64, which one holder usually has whole): its open connections and its
 * failed logins.  It lives while a connection from it is open or its
 * failures still count.
 */
struct xdi__addr_key {
    uint8_t family; /* AF_INET, AF_INET6, or 0 (no address) */
    uint8_t bytes[8];
};

struct xdi__addr {
    struct xdi__addr *next;          /* in its hash bucket */
    struct xdi__addr *older, *newer; /* the failure list */
    struct xdi__addr_key key;
    unsigned open;     /* connections open from it */
    unsigned failures; /* failed logins, none more than the window apart */
    struct timespec last_failure;
    bool listed; /* in the failure list (failures > 0) */
};

#define XDI__ADDR_BUCKETS 4096u
/* Addresses kept for their failures alone, at most: past it the one whose
 * last failure is oldest is forgotten (a peer with more addresses than
 * this gains nothing it could not have by using each only once). */
#define XDI__ADDR_FAILED_MAX 65536u

struct xdi__guard {
    struct xdi__addr *buckets[XDI__ADDR_BUCKETS];
    /* Addresses with failures, the oldest last failure first. */
    struct xdi__addr *oldest, *newest;
    size_t n_listed;
};

struct xdi_server {
    struct xdi_config cfg;
    struct xdi_fixture_set *fixtures; /* owned */
    struct xdi_output_ops ops;        /* output.h: send, record, close */
    struct xdi_clock clock;
    struct xdi__host *hosts; /* one per fixture host, same order */
    size_t n_hosts;
    struct xdi__ids ids;
    struct xdi_conn *conns; /* every open connection, newest first */
    size_t n_conns;
    size_t n_sessions;
    uint64_t next_conn_id;
    bool stopping; /* xdi_server_stop() was called */
    struct xdi__held *held; /* held triggers, oldest first */
    struct xdi__held **held_tail;
    size_t n_held;
    uint64_t next_held_id;
    uint64_t next_jseq; /* the last record's "jseq" (record.c) */
    struct xdi__line line; /* record_line.c's buffer */
    /* "YYYY-MM-DDTHH:MM:SS" of ts_sec, for the records' "ts" (record.c) */
    bool ts_valid;
    time_t ts_sec;
    char ts_text[64];
    /* Totals over the server's life, every connection (xdi_server_totals). */
    struct xdi_traffic traffic;
    struct xdi__guard *guard; /* guard.c; owned */
};

/* A failed login's reject held back (guard.c): what sending it needs. */
struct xdi__delayed {
    json_t *rec;        /* the "reject" record, owned */
    uint8_t error_code; /* the reject's error byte */
    uint8_t echo[NACCB_NAME_SIZE]; /* the login's system name */
    uint64_t seq;       /* the login's seq */
    unsigned ms;        /* how long it is held */
    /* The budget ran out with it: "login_budget" (scope, failures, limit)
     * is journalled after it, and the connection closed. */
    const char *close_scope; /* "connection", "address", or NULL */
    unsigned close_failures, close_limit;
};

struct xdi_conn {
    struct xdi_server *srv;
    struct xdi_conn *prev, *next;
    void *io; /* the network layer's handle */
    uint64_t id;
    struct sockaddr_storage addr;
    bool has_addr;
    char peer[64]; /* "192.0.2.7:40000", "[2001:db8::7]:40000", "unknown" */
    struct naccb_framer framer;
    uint64_t received; /* complete NACCBs received so far */
    bool closing;      /* close requested: input is ignored from now on */
    struct xdi__host *host; /* the session's host; NULL without a session */
    uint32_t agent_id;      /* the session's agent-ID (kept after it) */
    /* The last session's system name, for records.  A copy, not a host
     * pointer: a reload may free the host while the record is still due. */
    bool had_session;
    char had_system[NACCB_NAME_SIZE + 1];
    bool ems_sent, scd_sent; /* the table went out on this session */
    /* The agent asked for the table on this session, whatever the answer:
     * only such sessions get replace EMS / SCD when a reload changes it. */
    bool ems_acquired, scd_acquired;
    /* For the control plane (xdi_server_host_status): what went each way
     * on this connection, when its session began, and the last event an
     * agent reported: its kind ("MSG", ...; NULL before any), when, and
     * its text's wire bytes (has_last_text false for an EOTINFO).  Bytes,
     * not JSON: this is kept for every object received, and decoded only
     * when someone asks; the buffer only grows. */
    struct xdi_traffic traffic;
    struct timespec login_ts;
    const char *last_kind;
    struct timespec last_ts;
    bool has_last_text;
    uint8_t *last_text;
    size_t last_text_len, last_text_cap;
    /* guard.c: the source address's entry (alive while c is open), the
     * failed logins on c, the reject held back (delaying) and the input
     * received meanwhile (held, held_len of held_cap bytes). */
    struct xdi__addr *addr_entry;
    unsigned login_failures;
    bool delaying;
    struct xdi__delayed delayed;
    uint8_t *held;
    size_t held_len, held_cap;
    /* The violation records' token bucket, in thousandths of a record,
     * as of vio_ts; those suppressed since the last one journalled, and
     * in all. */
    uint64_t vio_tokens;
    struct timespec vio_ts;
    bool vio_started;
    uint64_t vio_suppressed, vio_suppressed_total;
};

/* A received NACCB being handled: its bytes and decoded header. */
struct xdi__rx {
    const uint8_t *bytes;
    size_t len;
    struct naccb_header h;
    uint64_t seq; /* its number on the connection, from 1 */
    size_t max_raw; /* xdi_config.journal_max_raw: what its records keep */
};

/* ---- server.c ----------------------------------------------------------- */
void xdi__now(const struct xdi_server *srv, struct timespec *now);
/* Marks c closing and asks the network layer to close it. */
void xdi__conn_close(struct xdi_conn *c);

/* Runs the framer over bytes (p, n) and handles each complete NACCB, until
 * they are used up, c closes, or a reply is held back (then the rest is
 * held for later: xdi__guard_hold). */
void xdi__conn_process(struct xdi_conn *c, const uint8_t *p, size_t n);

/* ---- guard.c ------------------------------------------------------------ */
int xdi__guard_init(struct xdi_server *srv);
void xdi__guard_free(struct xdi_server *srv);
/* Every address's failed logins are forgotten (xdi_server_reset). */
void xdi__guard_forget(struct xdi_server *srv);
/* c opened / is being freed: its address's count of open connections. */
void xdi__guard_conn_open(struct xdi_conn *c);
void xdi__guard_conn_free(struct xdi_conn *c);
/* The address of c has used up its login failure budget: every login
 * from it is refused.  *failures gets the count. */
bool xdi__guard_address_blocked(struct xdi_conn *c, unsigned *failures);
/* May the login on c take over host's live session (cfg.takeover)?
 * true, or false with *why (static text). */
bool xdi__guard_takeover_allowed(const struct xdi_conn *c,
                                 const struct xdi__host *host,
                                 const char **why);
/*
 * A failed login on c, answered with reject (key 01020800) error_code,
 * echo the login's system name, answering rx; rec is the "reject" record
 * (owned) with the failure's fields.  Counts the failure for c and its
 * address, adds "failures", "address_failures" and "delay_ms" to rec, and
 * sends the reject now or holds it back (XDI_TIMER_DELAY); when a budget
 * is used up, "login_budget" follows the reject and c is closed.
 */
void xdi__guard_login_failed(struct xdi_conn *c, const struct xdi__rx *rx,
                             uint8_t error_code, json_t *rec);
/* The DELAY timer fired: the reject held back goes out, then the input
 * held meanwhile is handled. */
void xdi__guard_release(struct xdi_conn *c);
/* Keeps (p, n) for when the reply held back has gone out; false when out
 * of memory. */
bool xdi__guard_hold(struct xdi_conn *c, const uint8_t *p, size_t n);
/* c closes or is freed with a reject held back: it is journalled as not
 * sent (outcome "dropped"), and the held input is freed. */
void xdi__guard_drop(struct xdi_conn *c);
/* Journals a "violation" record (owned) about c, unless c's rate of them
 * is used up (cfg.violation_rate, violation_burst): then it is counted as
 * suppressed, and the next one journalled says how many ("suppressed").
 * force: journalled whatever the rate (the last record of a connection). */
void xdi__journal_violation(struct xdi_conn *c, json_t *rec, bool force);

/* ---- registry.c --------------------------------------------------------- */
int xdi__ids_init(struct xdi__ids *ids, const struct xdi_config *cfg);
void xdi__ids_free(struct xdi__ids *ids);
/* A fresh agent-ID into *id: 0, or -1 when none is left (or out of
 * memory for the set of random IDs). */
int xdi__ids_next(struct xdi__ids *ids, uint32_t *id);
/* The host whose wire name is name (8 bytes), or NULL. */
struct xdi__host *xdi__host_find(struct xdi_server *srv,
                                 const uint8_t name[NACCB_NAME_SIZE]);
/* The host with that Latin-1 system name (unpadded), or NULL. */
struct xdi__host *xdi__host_by_name(struct xdi_server *srv, const char *name);
void xdi__session_begin(struct xdi_conn *c, struct xdi__host *host,
                        uint32_t agent_id);
/* Ends c's session, if any: the host is free for a new login. */
void xdi__session_end(struct xdi_conn *c);

/* ---- tables.c ----------------------------------------------------------- */
/* Builds every host's tables; 0, or -1 when out of memory. */
int xdi__tables_build(struct xdi_server *srv);
void xdi__tables_free(struct xdi_server *srv);
/* The same for any set: *out gets one host per host of set (fixture
 * pointers into set), *n their number.  -1 when out of memory, with
 * nothing left allocated. */
int xdi__hosts_build(const struct xdi_fixture_set *set,
                     struct xdi__host **out, size_t *n);
void xdi__hosts_free(struct xdi__host *hosts, size_t n);
/* h's EMS (ems) or SCD table rebuilt from host `from` of set (which h
 * then owns: from's events or jobs stay behind the table's objects).
 * 0, or -1 when out of memory (h unchanged, set still the caller's). */
int xdi__table_override(struct xdi__host *h, bool ems,
                        struct xdi_fixture_set *set,
                        const struct xdi_host *from);
/* Two tables are the same when both are unavailable or both hold the
 * same bytes (what the agent would be sent). */
bool xdi__table_same(const struct xdi__table *a, const struct xdi__table *b);

/* ---- session.c ---------------------------------------------------------- */
/* One complete NACCB (the framer's output) in the order of §11. */
void xdi__handle(struct xdi_conn *c, const uint8_t *bytes, size_t len);
/* The framer lost the frame boundary (rc its error): error 05, close. */
void xdi__lost_framing(struct xdi_conn *c, int rc);

/* ---- checks.c ----------------------------------------------------------- */
enum xdi__verdict_kind {
    XDI__V_IN_FRAME,     /* text matched an EVBLOK in its time frame */
    XDI__V_OUT_OF_FRAME, /* matched, outside the frame: journalled only */
    XDI__V_UNMATCHED,    /* text matches no EVBLOK of the host */
    XDI__V_NO_TABLE,     /* the table was not sent on this session */
    XDI__V_OK,           /* EOTINFO matched an SCD entry and is valid */
    XDI__V_WRONG_SYSTEM, /* EOTINFO names another host */
    XDI__V_NO_ENTRY,     /* EOTINFO matches no SCD entry */
    XDI__V_INVALID,      /* EOTINFO fails naccb_eotinfo_validate(REPORT) */
};

struct xdi__verdict {
    enum xdi__verdict_kind kind;
    size_t index;      /* the EVBLOK or SCD entry matched, when matched */
    /* Automation would act on it (an in-frame EVBLOK with an action, an
     * EOJ / EOS text in frame, an EOTINFO of an SCD entry): when no
     * object of a NACCB fires, its automation pass is skipped. */
    bool fires;
    int err;           /* XDI__V_INVALID: the codec's error */
    size_t err_offset; /* XDI__V_INVALID: offset in the EOTINFO */
};

bool xdi__verdict_ok(enum xdi__verdict_kind kind);
const char *xdi__verdict_name(enum xdi__verdict_kind kind);
/* The server's local time now (localtime_r of the injected wall clock). */
void xdi__local_time(const struct xdi_server *srv, struct naccb_local_time *t);
void xdi__check_text(const struct xdi_server *srv, const struct xdi__host *h,
                     unsigned object, const uint8_t *text, size_t len,
                     const struct naccb_local_time *t, struct xdi__verdict *v);
void xdi__check_eotinfo(const struct xdi_server *srv,
                        const struct xdi__host *h,
                        const struct naccb_eotinfo *e, struct xdi__verdict *v);

/* ---- automation.c ------------------------------------------------------- */
/*
 * An info text that passed (its NACCB had no failed object): every EVBLOK
 * it matches in frame at t fires its action; an EOJ / EOS text (object 05 /
 * 06) also fires the condition-free triggers of the host's jobs of that
 * name.
 */
void xdi__auto_text(struct xdi_conn *c, unsigned object, const uint8_t *text,
                    size_t len, const struct naccb_local_time *t);
/* An EOTINFO that passed, matched to SCD entry `entry`: its job's
 * triggers whose kind and conditions fit fire. */
void xdi__auto_eotinfo(struct xdi_conn *c, size_t entry,
                       const struct naccb_eotinfo *e);
/* A NACCB with one object (exec command, exec job) on c, with its send
 * record (job: the exec job's name for it, or NULL); why (owned) is
 * journalled with the outcome just before it. */
void xdi__send_one(struct xdi_conn *c, uint32_t key, const uint8_t *obj,
                   size_t len, const char *job, json_t *why);
/* Exec job: one 8-byte object, the job name (Latin-1) in EBCDIC. */
void xdi__send_exec_job(struct xdi_conn *c, const char *job, json_t *why);
/* The live session of host h, or NULL (a closing one does not count). */
struct xdi_conn *xdi__live(const struct xdi__host *h);
/* c's session was just accepted: the triggers held for its host go out. */
void xdi__auto_release(struct xdi_conn *c);
/* Drops (journalled with reason) every held trigger for which keep()
 * returns false; keep NULL drops all. */
void xdi__held_drop(struct xdi_server *srv,
                    bool (*keep)(struct xdi_server *, const struct xdi__held *),
                    const char *reason);

/* ---- reply.c ------------------------------------------------------------ */
/* A NACCB to send: its key, error byte and objects (body NULL: none). */
struct xdi__out {
    uint32_t key;
    uint8_t error_code;
    struct xdi_blob *body; /* count * size bytes; the send callback refs it */
    uint32_t count, size;
    bool table; /* body is a host's shared table (record.c: journalled once) */
    /* A record saying why this NACCB is sent ("action", "trigger",
     * "trigger_release"; owned, may be NULL): journalled once the send's
     * result is known, just before the send's own record, with "outcome"
     * "sent", "send_dropped" or "send_over_limit". */
    json_t *why;
};

/*
 * Sends out, then journals it: rec (owned; NULL for a plain "send" record)
 * gets the NACCB's fields and "outcome" (xdi_send_result_name).  Agent-ID
 * and system name follow §3: the session's once there is one, else
 * 0 and echo (the bytes of the NACCB being answered; blanks when echo is
 * NULL).  answering (may be NULL) is the received NACCB this one answers.
 * Nothing is sent on a connection that is closing (the result is
 * XDI_SEND_DROPPED, journalled as such).  A dropped send closes the
 * connection; one over the output limit is journalled as "output_limit"
 * instead of rec, and closes it too.
 */
enum xdi_send_result xdi__send(struct xdi_conn *c, const struct xdi__out *out,
                               const uint8_t *echo,
                               const struct xdi__rx *answering, json_t *rec);
/*
 * The host's EMS (ems) or SCD table to c, as receive (01020201/02) or, with
 * replacement, replace (01020301/02): the whole shared blob.  When the
 * table is not available (not ready, empty): no-EMS / no-SCD with error 08
 * (§7).  c->ems_sent / scd_sent becomes true exactly when a table
 * went out.  answering: the acquire being answered, or NULL.
 */
void xdi__send_table(struct xdi_conn *c, bool ems, bool replacement,
                     const struct xdi__rx *answering);
/* The error NACCB 01020Bxx of §7 answering rx, with object code
 * object (00 when rx's header cannot be trusted).  rx NULL: no NACCB to
 * echo (lost framing). */
enum xdi_send_result xdi__send_error(struct xdi_conn *c, uint8_t error_code,
                                     uint8_t object, const struct xdi__rx *rx);

/* ---- ondemand.c --------------------------------------------------------- */
/* The last event c's agent reported (an info object): kept for the host
 * status.  kind "MSG", "CMD", ... (a constant); text its wire bytes, or
 * NULL (an EOTINFO). */
void xdi__conn_last_event(struct xdi_conn *c, const char *kind,
                          const uint8_t *text, size_t len);

/* ---- evindex.c ---------------------------------------------------------- */
/* Candidates of one text a match keeps at hand; more (EVBLOKs sharing one
 * key and event type) and the table is scanned instead. */
#define XDI__MATCH_CANDIDATES 64
/* Builds the index of n EVBLOKs (which must outlive it).  -1: out of
 * memory (ix then holds nothing). */
int xdi__evindex_build(struct xdi__evindex *ix,
                       const struct naccb_evblok *evbloks, uint32_t n);
void xdi__evindex_free(struct xdi__evindex *ix);
/*
 * The EVBLOKs whose key is the text's first KL bytes and whose event type
 * is et (rules 1 and 2), in table order: their indices go to out (at most
 * cap) and their number is returned.  A return above cap means out holds
 * only the first cap: the caller then scans the whole table instead.
 */
size_t xdi__evindex_find(const struct xdi__evindex *ix,
                         const struct naccb_evblok *evbloks, unsigned et,
                         const uint8_t *text, size_t len, uint32_t *out,
                         size_t cap);

/* ---- record.c ----------------------------------------------------------- */
/*
 * A journal record about connection c: "event", "conn", "peer",
 * "agent_id" and "system" (the session's, or the last session's on this
 * connection; before any session 0 and the Latin-1 decoding of sysname,
 * the name in the NACCB the record is about, or "").  NULL
 * only when out of memory (the json_object_* calls take NULL as a no-op).
 */
json_t *xdi__rec(const struct xdi_conn *c, const char *event,
                 const uint8_t *sysname);
/* The fields of a received NACCB: "seq", "key", "naccb" (all its bytes in
 * hex; only the header when header_only). */
void xdi__rec_rx(json_t *rec, const struct xdi__rx *rx, bool header_only);
/* FNV-1a, 64 bits (record.c): identifies, does not prove. */
uint64_t xdi__fnv1a64(const uint8_t *p, size_t n);
void xdi__rec_hex(json_t *rec, const char *field, const uint8_t *bytes,
                  size_t len);
/* A wire (EBCDIC) character field as a JSON string: converted with the
 * fixture set's code page, then Latin-1 to UTF-8; trailing blanks removed
 * when trim. */
void xdi__rec_ebcdic(json_t *rec, const struct xdi_server *srv,
                     const char *field, const uint8_t *bytes, size_t len,
                     bool trim);
/* A Latin-1 string as a JSON string (UTF-8). */
void xdi__rec_latin1(json_t *rec, const char *field, const char *s,
                     size_t len);
void xdi__rec_int(json_t *rec, const char *field, json_int_t v);
void xdi__rec_str(json_t *rec, const char *field, const char *s);
/* Hands rec (owned) to the record callback, if any, with the clock's time
 * as "ts" in front and serialized as one line (struct xdi_record). */
void xdi__journal(struct xdi_server *srv, json_t *rec);
/* now as the journal's "ts": "2026-11-21T08:30:00.123Z" (24 bytes + NUL). */
void xdi__iso_timestamp(struct xdi_server *srv, const struct timespec *now,
                        char out[32]);
/* One finished record to the record callback (line NULL: lost for want of
 * memory; fields NULL: written straight as its line). */
void xdi__emit(struct xdi_server *srv, const char *line, size_t len,
               json_t *fields, const struct timespec *ts, uint64_t jseq);

/* ---- record_line.c ------------------------------------------------------ */
/*
 * A record written straight as its line, for the per-object records (the
 * hot path): xdi__line_begin gives the same first fields as xdi__rec, the
 * xdi__line_* calls add fields in order, xdi__line_end journals it.  NULL
 * (no record callback) makes every call a no-op.
 */
struct xdi__line *xdi__line_begin(const struct xdi_conn *c, const char *event,
                                  const uint8_t *sysname);
void xdi__line_int(struct xdi__line *l, const char *field, long long v);
void xdi__line_str(struct xdi__line *l, const char *field, const char *s);
void xdi__line_latin1(struct xdi__line *l, const char *field, const char *s,
                      size_t len);
void xdi__line_ebcdic(struct xdi__line *l, const char *field,
                      const uint8_t *bytes, size_t len, bool trim);
void xdi__line_hex(struct xdi__line *l, const char *field,
                   const uint8_t *bytes, size_t len);
void xdi__line_rx(struct xdi__line *l, const struct xdi__rx *rx,
                  bool header_only);
/* A nested object as the value of field, up to xdi__line_close. */
void xdi__line_open(struct xdi__line *l, const char *field);
void xdi__line_close(struct xdi__line *l);
void xdi__line_end(struct xdi__line *l);
void xdi__line_free(struct xdi__line *l);

#endif /* XDI_CORE_H */
