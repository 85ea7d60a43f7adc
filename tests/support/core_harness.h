/*
 * core_harness.h - test scaffolding shared by the cmocka suites that drive
 * the protocol core of the fake XDI host (server/core) with byte arrays:
 * tests/test_server.c and tests/test_automation.c.
 *
 * It holds the one copy of what both suites need: the hex spelling of the
 * common NACCBs, a hex parser, a fake output (server/core/output.h) that
 * keeps what each connection is sent and every journal record in memory,
 * a fake clock, the server life cycle, connection drivers and the journal
 * reader.  What only one suite uses
 * (its fixture set, its own NACCBs, its checks) stays in that suite.
 *
 * Every helper fails the running cmocka test on its own (assert_* /
 * fail_msg) instead of returning an error, so a test reads as a list of
 * steps.
 */
#ifndef XDI_TESTS_CORE_HARNESS_H
#define XDI_TESTS_CORE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "server.h"

/* ---- wire vocabulary ------------------------------------------------------
 *
 * Hex literals written by hand from docs/protocol.md §3 and §7 (EBCDIC
 * IBM-037: SYSA = E2E8E2C1, blank = 40), never produced by the code under
 * test.  They keep their short names, without the th_ prefix, because the
 * golden vectors of both suites are spelled with them on every line.
 */

/* System names (header offset 8, 8 bytes, blank padded). */
#define SYSA "E2E8E2C140404040"
#define SYSB "E2E8E2C240404040"
#define SYSC "E2E8E2C340404040"
#define B8 "4040404040404040"
#define Z8 "0000000000000000"
#define Z24 Z8 Z8 Z8
#define Z40 Z8 Z8 Z8 Z8 Z8
/* Extended bytes all zero (§3, offset 20). */
#define EXT0 "00000000"
/* Forward pointer, count 0, size 0 (§3, offsets 24..35). */
#define NOOBJ "00000000 00000000 00000000"

/* The header-only NACCBs of §7; id and sys are hex. */
#define LOGIN(sys) "00000024 00000000 " sys " 02010500 " EXT0 " " NOOBJ
#define ACCEPT(id, sys) "00000024 " id " " sys " 01020700 " EXT0 " " NOOBJ
#define ACQ_EMS(id, sys) "00000024 " id " " sys " 02010901 " EXT0 " " NOOBJ
#define ACQ_SCD(id, sys) "00000024 " id " " sys " 02010902 " EXT0 " " NOOBJ
#define SHUTDOWN(id, sys) "00000024 " id " " sys " 01020400 " EXT0 " " NOOBJ
/* Error NACCB (§7): key 01020Bxx, extended byte 0 = err. */
#define ERR(id, sys, xx, err)                                                  \
    "00000024 " id " " sys " 01020B" xx " " err "000000 " NOOBJ

/* ---- hex ---------------------------------------------------------------- */

/* Parses hex into a fresh malloc'd buffer of exactly its length, so that
 * ASan catches any read past the NACCB; *len gets the length.  The .hex
 * format of docs/naccb-tool.md: blanks and newlines between digit pairs,
 * '#' comments to the end of a line.  A bad digit or an odd count fails
 * the test. */
uint8_t *th_unhex(const char *hex, size_t *len);

/* ---- fake output: sends ------------------------------------------------- */

#define TH_MAX_BLOBS 16

/* One connection's side of the fake output (its conn_io handle). */
struct th_io {
    uint8_t *out; /* everything sent, bodies included */
    size_t len, cap;
    struct xdi_blob *blobs[TH_MAX_BLOBS]; /* the bodies, with a reference */
    size_t n_blobs;
    int closes;    /* how often the core asked to close it */
    int fail_send; /* send returns XDI_SEND_OVER_LIMIT: the output limit */
    int drop_send; /* send returns XDI_SEND_DROPPED (a write error) */
    int sends;
};

/* Drops the blob references and the output; the io is zeroed. */
void th_io_reset(struct th_io *io);

/* ---- fake output: the journal in memory ---------------------------------- */

/*
 * The records the core handed over, in order.  Each is kept as its line
 * parsed back (what a file sink would have written), after checking that
 * the line is one JSON object with no newline inside, len bytes long, and
 * the same as the record's fields.
 */
struct th_journal {
    json_t *records; /* a JSON array */
    /* Also handed every record, after it was kept (the control plane's
     * xdi_control_record in tests/test_control.c); NULL: none. */
    void (*tap)(void *ctx, const struct xdi_record *rec);
    void *tap_ctx;
};

void th_journal_init(struct th_journal *j);
void th_journal_free(struct th_journal *j);

/* ---- server life cycle --------------------------------------------------- */

/*
 * A server on set (which it takes over) with the fake output (records into
 * journal, which must outlive the server; NULL: records are not kept) and
 * a fake clock that reads *now on every call: a suite that moves time
 * assigns the variable, one with a fixed instant never changes it.  *now
 * must outlive the server.
 */
struct xdi_server *th_server_new(const struct xdi_config *cfg,
                                 struct xdi_fixture_set *set,
                                 struct th_journal *journal, time_t *now);

/* Closes every connection still in conn[0..n) as if the peer went, frees
 * *srv (set to NULL), then resets io[0..n).  In that order: the core
 * journals the disconnects while it still lives, and the ios go last so
 * that the blob references of anything sent during the teardown are
 * dropped too (ASan would report them as leaks). */
void th_server_stop(struct xdi_server **srv, struct xdi_conn **conn,
                    struct th_io *io, size_t n);

/* ---- driving connections ------------------------------------------------ */

/* The peer address the suites use when the address does not matter. */
#define TH_PEER "192.0.2.7"

/* A new connection from ip (IPv4 or IPv6, port 40000) on the fake io. */
struct xdi_conn *th_open_from(struct xdi_server *srv, struct th_io *io,
                              const char *ip);

/* Feeds n bytes: whole when chunk is 0, else in pieces of chunk bytes, each
 * in its own buffer so that an over-read is caught. */
void th_feed_bytes(struct xdi_conn *conn, const uint8_t *b, size_t n,
                   size_t chunk);

/* th_feed_bytes on the bytes of hex. */
void th_feed(struct xdi_conn *conn, const char *hex, size_t chunk);

/* What io was sent since the last th_expect is exactly hex; then forgets
 * it, so the next check sees only what comes after. */
void th_expect(struct th_io *io, const char *hex);

/* io was sent nothing since the last th_expect. */
void th_expect_nothing(const struct th_io *io);

/* Opens a connection from TH_PEER into *conn and logs sys in, expecting
 * the accept with agent-ID id (both hex).  The whole login is fed at once. */
void th_login(struct xdi_server *srv, struct xdi_conn **conn,
              struct th_io *io, const char *sys, const char *id);

/* ---- reading the journal ------------------------------------------------- */

/* Every record so far, as a new reference to the array. */
json_t *th_journal_lines(const struct th_journal *j);

/* The nth (0-based) record with "event" == event, or NULL; a new
 * reference. */
json_t *th_jrec(const struct th_journal *j, const char *event, size_t nth);

/* How many records have "event" == event. */
size_t th_jcount(const struct th_journal *j, const char *event);

/* rec's string / integer field; failing the test when it is missing. */
const char *th_jstr(const json_t *rec, const char *field);
json_int_t th_jint(const json_t *rec, const char *field);

#endif
