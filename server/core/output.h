/*
 * output.h - everything the protocol core puts out, through one interface
 * the application gives it (in the manner of nghttp2's callbacks).
 *
 * The core's input side is sans-IO (the application feeds it bytes with
 * xdi_conn_feed()); this is its output side.  The core does no I/O of its
 * own: it builds the NACCBs to send and the journal records to keep, and
 * hands each one, in the order it happens, to one of the three callbacks
 * of struct xdi_output_ops, set once when the server is created:
 *
 * - send: bytes for a connection.  It says what became of them, and the
 *   record of the send, written after it returns, says the same;
 * - record: one journal record, for a sink the application owns (a file in
 *   xdi-server, memory in the unit tests).  A record about a received
 *   NACCB is handed over before anything that answers it is sent, so a
 *   sink that keeps each record before it returns keeps every NACCB that
 *   was answered (docs/journal.md);
 * - close: the core is done with a connection.
 *
 * The callbacks are called from within xdi_conn_feed(), xdi_conn_eof(),
 * xdi_conn_timeout(), xdi_server_stop(), xdi_server_reload() and the like,
 * never later, and may not call back into the core.
 */
#ifndef XDI_OUTPUT_H
#define XDI_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "blob.h"

/* What became of the bytes given to send. */
enum xdi_send_result {
    /* Queued for the connection, after everything sent before them (not a
     * promise that the agent read them). */
    XDI_SEND_WRITTEN = 0,
    /* Not sent, and nothing more will be: the connection is closing, or
     * the application failed to queue them (out of memory, a write
     * error).  The core treats the connection as closing from then on. */
    XDI_SEND_DROPPED = 1,
    /* Not sent: the connection's output queue would exceed
     * max_output_queue (an agent that does not read).  The core journals
     * "output_limit" and closes the connection. */
    XDI_SEND_OVER_LIMIT = 2,
};

/* The journal name of a send result: "written", "dropped", "over_limit". */
const char *xdi_send_result_name(enum xdi_send_result r);

/*
 * One journal record, valid only during the record callback.  line is the
 * record serialized as one compact JSON line without its newline
 * (NUL-terminated, len bytes): "ts" first, "jseq" (the record's number in
 * the server's life, from 1) second, then "event" and the fields of
 * docs/journal.md; NULL when there was no memory to serialize it.  ts is
 * the instant in "ts", from the server's clock.
 *
 * The same record as a JSON object: xdi_record_fields(rec) (borrowed: a
 * sink that keeps it takes a reference with json_incref and does not
 * modify it).  The records made per received object are written straight
 * as their line, without a tree (record_line.c); for those, fields is NULL
 * and the first xdi_record_fields() parses the line, so a sink that only
 * writes lines never pays for a tree.
 */
struct xdi_record {
    json_t *fields; /* the tree, when the record was built as one; or NULL */
    const char *line;
    size_t len;
    const struct timespec *ts;
    uint64_t jseq;    /* the record's "jseq" */
    json_t **parsed;  /* xdi_record_fields()'s cache of the parsed line */
};

/* The record as a JSON object (above); NULL only when out of memory or
 * when the record has no line. */
json_t *xdi_record_fields(const struct xdi_record *rec);

/* How the core reaches the application.  conn_io is the opaque handle the
 * application gave xdi_conn_open(). */
struct xdi_output_ops {
    void *ctx;
    /*
     * Queue head (head_len bytes; the callee copies them) followed by body
     * (may be NULL; a callee that keeps it takes its own reference with
     * xdi_blob_ref) for sending on conn_io.  Required.
     */
    enum xdi_send_result (*send)(void *ctx, void *conn_io,
                                 const uint8_t *head, size_t head_len,
                                 struct xdi_blob *body);
    /* One journal record (above).  NULL: records are not kept. */
    void (*record)(void *ctx, const struct xdi_record *rec);
    /* Close the connection once the output queued on it is written; the
     * application later calls xdi_conn_closed().  Required. */
    void (*close)(void *ctx, void *conn_io);
};

#endif /* XDI_OUTPUT_H */
