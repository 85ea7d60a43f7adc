/*
 * fixture_internal.h - private to the fixture loader (fixture*.c): the
 * loader's state, the YAML node helpers and the per-section parsers.
 *
 * The loader works in passes over libyaml documents kept in memory, so that
 * the code page (which may sit in any file) is known before any text field
 * is converted, and a trigger may name a host defined further down.  Every
 * problem is reported with the line of the YAML node it concerns and
 * counted; the set is handed out only when the count stays zero.
 */
#ifndef XDI_FIXTURE_INTERNAL_H
#define XDI_FIXTURE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "fixture.h"

/* Printf-style checking for the error reporter (-Wformat=2 needs it). */
#if defined(__GNUC__)
#define XDI_FX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define XDI_FX_PRINTF(f, a)
#endif

/* One YAML document of one file, with its two top-level sections. */
struct fx_doc {
    const char *file; /* the loader's copy of the path */
    yaml_document_t doc;
    yaml_node_t *settings; /* NULL when absent */
    yaml_node_t *hosts;
};

/* A host name to look up once every host is known (trigger `host:`,
 * event `target:`). */
struct fx_target_check {
    char name[NACCB_NAME_SIZE + 1];
    const char *file;
    int line;
    const char *key; /* the YAML key that named it, for the message */
};

struct fx_loader {
    const char *dir;
    xdi_fixture_error_fn on_error;
    void *ctx;
    int n_errors;
    struct xdi_fixture_set *set;
    size_t hosts_cap;
    char **paths; /* the YAML files, in reading order */
    size_t n_paths;
    struct fx_doc *docs;
    size_t n_docs;
    size_t docs_cap;
    struct fx_target_check *targets;
    size_t n_targets;
    size_t targets_cap;
    /* settings: raw_outside: true lets `raw:` name files outside dir. */
    bool raw_outside;
    /* xdi_fixture_load_text: no file is read (raw: refused). */
    bool no_files;
    /* Alias expansion (xdi__fx_expand): which event and job nodes of the
     * document being parsed were parsed already, and how many events and
     * jobs the set has parsed a second time or more. */
    const yaml_document_t *seen_doc;
    uint8_t *seen;
    size_t seen_len;
    size_t expanded;
    bool expanded_reported;
};

/* At most this many events and jobs of a set may come from YAML aliases
 * (a node parsed more than once): a small file of nested aliases must not
 * become a set of millions of EVBLOKs (docs/fixtures.md). */
#define XDI_FX_MAX_EXPANDED 100000u

/* Where a node is: the loader, the file and document it belongs to. */
struct fx_ctx {
    struct fx_loader *ld;
    const char *file;
    yaml_document_t *doc;
};

/* One key of a mapping: xdi__fx_fields() fills key/value for present keys. */
struct fx_field {
    const char *name;
    yaml_node_t *key;
    yaml_node_t *value;
};

/* ---- fixture_yaml.c: reporting and typed access to nodes ------------- */

void xdi__fx_error(struct fx_loader *ld, const char *file, int line,
                   const char *fmt, ...) XDI_FX_PRINTF(4, 5);
void xdi__fx_nomem(struct fx_loader *ld, const char *file, int line);

/* Called before parsing the event or job at node index: 0 to go on, -1
 * when aliases expanded the set past XDI_FX_MAX_EXPANDED events and jobs
 * (reported once, at line: the section whose list is an alias). */
int xdi__fx_expand(struct fx_ctx *c, yaml_node_item_t index, int line);
int xdi__fx_line(const yaml_node_t *node);
yaml_node_t *xdi__fx_node(struct fx_ctx *c, yaml_node_item_t index);
bool xdi__fx_is_null(const yaml_node_t *node);

/* Reports and returns -1 unless node is a mapping (sequence). */
int xdi__fx_expect_mapping(struct fx_ctx *c, const yaml_node_t *node,
                           const char *what);
int xdi__fx_expect_sequence(struct fx_ctx *c, const yaml_node_t *node,
                            const char *what);

/* Splits a mapping into the named fields; unknown, repeated and non-scalar
 * keys are reported (each one error) and skipped.  what names the
 * mapping in messages ("host", "event", ...). */
void xdi__fx_fields(struct fx_ctx *c, const yaml_node_t *map, const char *what,
                    struct fx_field *fields, size_t n_fields);

/* Typed values.  Each returns 0, or -1 after reporting at the value's line.
 * Strings come back as Latin-1 (the YAML is UTF-8; a character above U+00FF
 * or a NUL is an error). */
int xdi__fx_get_string(struct fx_ctx *c, const struct fx_field *f, char **out,
                       size_t *len);
int xdi__fx_get_bool(struct fx_ctx *c, const struct fx_field *f, bool *out);
int xdi__fx_get_uint(struct fx_ctx *c, const struct fx_field *f,
                     unsigned long max, unsigned long *out);
/* The whole of s as a decimal or 0x-hexadecimal number <= max: 0, -1 not
 * a number, -2 above max.  Nothing reported. */
int xdi__fx_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* A name: [A-Z0-9$#@]{1,8} (system, job, step names, job-id). */
int xdi__fx_get_name(struct fx_ctx *c, const struct fx_field *f,
                     char out[NACCB_NAME_SIZE + 1]);
bool xdi__fx_name_valid(const char *s, size_t len);
/* ISO 2026-11-21, checked with the codec's calendar. */
int xdi__fx_get_date(struct fx_ctx *c, const struct fx_field *f,
                     struct naccb_date *out);
/* 08:30:00 or 08:30. */
int xdi__fx_get_time(struct fx_ctx *c, const struct fx_field *f,
                     struct naccb_time *out);
/* Latin-1 of a UTF-8 scalar; -1 (nothing reported) with *bad the first
 * offending code point (0 for a NUL) when it has none. */
int xdi__fx_utf8_to_latin1(const char *in, size_t in_len, char **out,
                           size_t *out_len, unsigned long *bad);

/* Remember a host name to check once all hosts are loaded. */
void xdi__fx_check_target_later(struct fx_ctx *c, const char *name, int line,
                                const char *key);

/* Shared by the section parsers. */
size_t xdi__fx_seq_len(const yaml_node_t *seq);
/* n zeroed elements (reported when out of memory); NULL for n == 0. */
void *xdi__fx_alloc_array(struct fx_ctx *c, size_t n, size_t size, int line);
/* A text of 1..max Latin-1 characters, converted with the set's code page
 * into a blank-padded field of width bytes when field is not NULL; *out
 * (when out is not NULL) receives the Latin-1 text. */
int xdi__fx_get_text(struct fx_ctx *c, const struct fx_field *f, size_t max,
                     uint8_t *field, size_t width, char **out);

/* ---- fixture_host.c, fixture_event.c, fixture_job.c ------------------ */

void xdi__fx_parse_host(struct fx_ctx *c, const yaml_node_t *node);
void xdi__fx_parse_event(struct fx_ctx *c, const struct xdi_host *h,
                         const yaml_node_t *node, struct xdi_event *ev);
void xdi__fx_parse_job(struct fx_ctx *c, const struct xdi_host *h,
                       const yaml_node_t *node, struct xdi_job *job);

/* The docs/protocol.md name of the field holding byte offset of an EVBLOK
 * ("KL", "SDATE", ...) or an EOTINFO ("flag2", "job name", ...). */
const char *xdi__fx_evblok_field_name(size_t offset);
const char *xdi__fx_eotinfo_field_name(size_t offset);

/* ---- fixture_raw.c: a raw binary table named by a fixture ------------ */

/* Reads and validates a raw EMS (ems = true) or SCD table for host h.
 * f is the `raw:` field. */
void xdi__fx_load_raw(struct fx_ctx *c, struct xdi_host *h,
                      const struct fx_field *f, bool ems);

/* ---- fixture.c -------------------------------------------------------- */

/* dir + "/" + name, malloc'ed (NULL when out of memory). */
char *xdi__fx_join_path(const char *dir, const char *name);

/* Adds a file to set->files (for watching).  0 or -1 on out of memory. */
int xdi__fx_add_watched_file(struct fx_loader *ld, const char *path);

#endif /* XDI_FIXTURE_INTERNAL_H */
