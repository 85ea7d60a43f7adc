/*
 * tool.h - shared declarations of the `naccb` command-line tool.
 *
 * The tool turns NACCB byte streams into JSON Lines (decode) and back
 * (encode), for people debugging agents.  Every wire field goes through
 * libnaccb; this tool only maps decoded fields to JSON members and back.
 * The JSON format is documented in docs/naccb-tool.md.
 */
#ifndef NACCB_TOOL_H
#define NACCB_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "naccb.h"

/* Exit codes (docs/naccb-tool.md, "Exit codes"). */
enum tool_exit {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_INVALID = 1, /* invalid content: bad NACCB, bad hex, bad JSON */
    TOOL_EXIT_USAGE = 2,   /* bad command line, unknown code page, binary to a tty */
    TOOL_EXIT_IO = 3,      /* a file cannot be opened, read or written */
};

struct tool_options {
    enum naccb_codepage cp;
    uint32_t max_size; /* framer and header check; never 0 here */
    size_t chunk;      /* decode reads binary input this many bytes at a time */
    int hex;           /* decode: input is annotated hex; encode: write hex */
    const char *file;  /* NULL or "-" for stdin */
    int resync;        /* decode: after lost framing, go on at the next
                          plausible NACCB header */
};

/* ---- growable byte buffer (buf.c) ---- */

struct buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Appends n bytes; returns 0, or -1 when memory runs out. */
int buf_append(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);

/* ---- annotated hex text (hextext.c) ---- */

/* The value of one hex digit (either case), or -1: the one reader of hex
 * digits of the tool (hex text and the JSON *_hex members). */
int hextext_digit(int c);

/*
 * Converts one line of annotated hex (pairs of hex digits, blanks, a '#'
 * comment to the end of the line) to bytes appended to out.  Returns 0, or
 * -1 with *col (1-based) at the offending character and *why set.
 */
int hextext_line(const char *line, size_t len, struct buf *out, size_t *col,
                 const char **why);

/* Writes a NACCB as annotated hex: a comment, the header split by field,
 * then each object 16 bytes a line.  Returns 0 or -1 on a write error. */
int hextext_write_naccb(FILE *fp, const uint8_t *msg, size_t len,
                        uint64_t offset);

/* ---- JSON fields (jfield.c) ---- */

/*
 * Where a JSON-to-bytes conversion failed: the member's path
 * ("objects[1].sdate") and why.  Filled by the jf_get_* functions.
 */
struct jf_error {
    char field[96];
    char msg[256];
};

void jf_fail(struct jf_error *err, const char *prefix, const char *name,
             const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Latin-1 bytes as a JSON string (converted to UTF-8); NULL on no memory. */
json_t *jf_latin1_string(const char *s, size_t len);

/* Bytes as upper-case hex digits in a JSON string. */
json_t *jf_hex_string(const uint8_t *p, size_t n);

/* Decode side: set member `name` (or `name`_hex when the readable form
 * would not give the same bytes back; see docs/naccb-tool.md). */
int jf_put_fixed_text(json_t *o, const char *name, enum naccb_codepage cp,
                      const uint8_t *field, size_t width);
int jf_put_text(json_t *o, const char *name, enum naccb_codepage cp,
                const uint8_t *p, size_t n);
int jf_put_hex(json_t *o, const char *name, const uint8_t *p, size_t n);
int jf_put_julian(json_t *o, const char *name, uint32_t packed);
int jf_put_date(json_t *o, const char *name, uint32_t packed);
int jf_put_time(json_t *o, const char *name, uint32_t packed);
int jf_put_notes(json_t *o, const char *name, const uint8_t notes[4]);
int jf_put_uint(json_t *o, const char *name, uint64_t v);
int jf_put_str(json_t *o, const char *name, const char *s); /* NULL: null */

/* Encode side: read member `name` (or `name`_hex) into wire form.  Return
 * 0 or -1 with *err filled.  prefix names the enclosing object for errors. */
struct jf_ctx {
    const char *prefix;
    enum naccb_codepage cp;
    struct jf_error *err;
};
int jf_get_fixed_text(const struct jf_ctx *c, json_t *o, const char *name,
                      uint8_t *field, size_t width);
int jf_get_text(const struct jf_ctx *c, json_t *o, const char *name,
                struct buf *out);
/* A fixed-width binary field given only as `name`_hex; when optional and
 * absent the field is zeros. */
int jf_get_hex(const struct jf_ctx *c, json_t *o, const char *name,
               uint8_t *field, size_t width, int optional);
int jf_get_hex_any(const struct jf_ctx *c, json_t *o, const char *name,
                   struct buf *out);
int jf_get_julian(const struct jf_ctx *c, json_t *o, const char *name,
                  uint32_t *packed);
int jf_get_date(const struct jf_ctx *c, json_t *o, const char *name,
                uint32_t *packed);
int jf_get_time(const struct jf_ctx *c, json_t *o, const char *name,
                uint32_t *packed);
int jf_get_notes(const struct jf_ctx *c, json_t *o, const char *name,
                 uint8_t notes[4]);
/* An integer 0..max; when optional and absent, *v is left as it is and
 * the result is 1 (0 when present and valid). */
int jf_get_uint(const struct jf_ctx *c, json_t *o, const char *name,
                uint64_t max, int optional, uint64_t *v);
/* Rejects members not in the NULL-terminated list (typos would otherwise
 * silently fall back to a default). */
int jf_check_members(const struct jf_ctx *c, json_t *o,
                     const char *const *known);

/* ---- NACCB <-> JSON (jnaccb.c) ---- */

/* What the objects of a NACCB are, from its key (libnaccb's
 * naccb_key_object_kind) and object size: libnaccb's kinds, with "none"
 * shown as raw hex, as is an object of the wrong size. */
enum obj_kind {
    KIND_RAW = NACCB_KIND_NONE,
    KIND_EVBLOK = NACCB_KIND_EVBLOK,
    KIND_EOTINFO = NACCB_KIND_EOTINFO,
    KIND_TEXT = NACCB_KIND_TEXT,
    KIND_JOB_NAME = NACCB_KIND_JOB_NAME,
    KIND_PASSWORD = NACCB_KIND_PASSWORD,
};

enum obj_kind jn_object_kind(const struct naccb_header *h);

/* "evblok", "eotinfo", "text", "job_name", "password", "raw": the JSON
 * "kind" of an object. */
const char *jn_kind_name(enum obj_kind kind);

/* The JSON of a header (all fields, key and names), objects excluded. */
json_t *jn_header_to_json(const struct naccb_header *h, uint64_t offset,
                          enum naccb_codepage cp);
/* The JSON of one object of the given kind at stream offset `offset`. */
json_t *jn_object_to_json(enum obj_kind kind, const uint8_t *obj,
                          size_t size, uint64_t offset,
                          enum naccb_codepage cp);

/* Field name at an offset within the header, an EVBLOK or an EOTINFO. */
const char *jn_header_field(size_t off);
const char *jn_evblok_field(size_t off);
const char *jn_eotinfo_field(size_t off);

/* One JSON line back to the bytes of a NACCB, appended to out; a NACCB
 * above max_size is refused (decode would lose framing on it).  Returns 0
 * or -1 with *err filled. */
int jn_naccb_from_json(json_t *line, enum naccb_codepage cp,
                       uint32_t max_size, struct buf *out,
                       struct jf_error *err);

/* ---- one NACCB to its JSON line (jdecode.c) ---- */

struct jd_ctx {
    const char *prog;           /* prefix of the stderr messages: "naccb" */
    enum naccb_codepage cp;
    uint32_t max_size;
    int invalid;                /* set once a NACCB broke a rule */
};

/*
 * The `naccb decode` JSON object of one whole NACCB (len bytes: as the
 * framer delivers it) found at stream offset `offset`, with an "errors"
 * array when it breaks rules (each also said on stderr, and c->invalid
 * set).  NULL when out of memory.
 */
json_t *jd_naccb_json(struct jd_ctx *c, const uint8_t *msg, size_t len,
                      uint64_t offset);

/*
 * `naccb encode`'s reader of one line of text (len bytes, its newline
 * included or not): parsed as JSON (duplicate members rejected, \u0000
 * allowed) and converted with jn_naccb_from_json().  Returns 0 with the
 * bytes appended to out; TOOL_LINE_JSON when the text is not JSON (*jerr
 * says where and why); TOOL_LINE_FIELD when a member is wrong (*err).
 * Kept apart from cmd_encode() so that tests/fuzz/fuzz_naccb_json.c can
 * call it without the tool's main().
 */
enum { TOOL_LINE_JSON = -1, TOOL_LINE_FIELD = -2 };
int tool_encode_line(const struct tool_options *opt, const char *text,
                     size_t len, struct buf *out, struct jf_error *err,
                     json_error_t *jerr);

/* ---- commands ---- */

int cmd_decode(const struct tool_options *opt);
int cmd_encode(const struct tool_options *opt);

/* Opens opt->file, or stdin for NULL / "-".  Prints the error and returns
 * NULL when it cannot. */
FILE *tool_open_input(const char *file);
const char *tool_input_name(const char *file);

#endif /* NACCB_TOOL_H */
