/*
 * fixture.h - the fixture set: what the fake host knows about its agents.
 *
 * A fixture set is loaded from a directory of YAML files (format: see
 * docs/fixtures.md) into the structures below.  Loading validates
 * everything through libnaccb: a loaded set holds only EVBLOKs and SCD
 * entries that are valid to send.  Every error is reported as FILE:LINE.
 *
 * Character data here is host-side (ISO-8859-1); wire encodings live in the
 * naccb structs, already converted with the set's code page.
 *
 * Ownership: a struct xdi_fixture_set owns everything it points to; free it
 * with xdi_fixture_free().
 */
#ifndef XDI_FIXTURE_H
#define XDI_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "naccb.h"

/* An allowed source network: family AF_INET or AF_INET6, address in
 * network byte order (4 or 16 bytes used), prefix length. */
struct xdi_cidr {
    int family;
    uint8_t addr[16];
    unsigned prefix;
};

/* One EMS entry: the EVBLOK the agent gets, and the host-side action. */
struct xdi_event {
    struct naccb_evblok evblok; /* validated, system name = its host's */
    char *action;               /* Latin-1 action text with &arg, or NULL */
    char *action_target;        /* system name to send the action to, or
                                   NULL for the reporting host */
    char *source_file;          /* where it was defined, for messages */
    int line;
};

/* A condition on the fields of the EOTINFO or event that fired a trigger. */
enum xdi_cond_field {
    XDI_COND_MAX_CC,
    XDI_COND_SCC,
    XDI_COND_UCC,
    XDI_COND_NOTES, /* compares notes[2]: value is 'N', 'A' or 'C' */
};
enum xdi_cond_op { XDI_OP_EQ, XDI_OP_NE, XDI_OP_LT, XDI_OP_LE, XDI_OP_GT, XDI_OP_GE };

struct xdi_condition {
    enum xdi_cond_field field;
    enum xdi_cond_op op;
    uint32_t value; /* a number, or the Latin-1 letter for XDI_COND_NOTES */
};

enum xdi_trigger_on { XDI_TRIGGER_EOJ, XDI_TRIGGER_EOS };

/* "When this job ends (or this step ends) and every condition holds, run
 * job run_job on host target_host." */
struct xdi_trigger {
    enum xdi_trigger_on on;
    char step_name[NACCB_NAME_SIZE + 1]; /* EOS only; "" = any step */
    struct xdi_condition *conditions;    /* all must hold */
    size_t n_conditions;
    char run_job[NACCB_NAME_SIZE + 1];
    char target_host[NACCB_NAME_SIZE + 1];
    char *source_file;
    int line;
};

/* One SCD entry: the EOTINFO the agent gets, and its triggers. */
struct xdi_job {
    struct naccb_eotinfo entry; /* validated as NACCB_EOTINFO_TABLE_ENTRY */
    struct xdi_trigger *triggers;
    size_t n_triggers;
    char *source_file;
    int line;
};

struct xdi_host {
    char system_name[NACCB_NAME_SIZE + 1]; /* Latin-1, no padding */
    struct xdi_cidr *allowed; /* empty = any source address */
    size_t n_allowed;
    char *password;           /* Latin-1, at most 8 bytes, or NULL */
    char *cancel_command;     /* how this host's operator cancels a job, the
                                 exec command z/OSMF's cancel sends: Latin-1
                                 with &job / &jobid, or NULL (none) */
    /* EMS: ready flag, and either events or a raw binary table. */
    bool ems_ready;
    struct xdi_event *events;
    size_t n_events;
    uint8_t *ems_raw;         /* concatenated 230-byte EVBLOKs, or NULL */
    size_t ems_raw_len;
    /* SCD: ready flag, and either jobs or a raw binary table. */
    bool scd_ready;
    struct xdi_job *jobs;
    size_t n_jobs;
    uint8_t *scd_raw;         /* concatenated 162-byte EOTINFOs, or NULL */
    size_t scd_raw_len;
    char *source_file;
    int line;
};

struct xdi_fixture_set {
    enum naccb_codepage codepage;
    struct naccb_date *holidays; /* sorted, unique */
    size_t n_holidays;
    struct xdi_host *hosts;      /* system names unique */
    size_t n_hosts;
    char **files;                /* the files read, for watching */
    size_t n_files;
};

/* Receives one error: file, line (1-based; 0 when it has none) and a
 * message without the location. */
typedef void (*xdi_fixture_error_fn)(void *ctx, const char *file, int line,
                                     const char *message);

/*
 * Load every fixture file of dir.  On success returns 0 and *out.  On
 * failure returns the number of errors (> 0), each reported through
 * on_error (NULL: printed to stderr as "FILE:LINE: message"), and *out is
 * NULL: a set is loaded whole or not at all.  Returns -1 when dir cannot be
 * read (also reported).
 */
int xdi_fixture_load(const char *dir, struct xdi_fixture_set **out,
                     xdi_fixture_error_fn on_error, void *ctx);

/*
 * The same from one text in memory (YAML, or JSON, which is YAML) instead
 * of a directory: name stands for the file in messages.  A `raw:` table in
 * the text is refused (a text names no directory to read it from), so
 * this reads no file.  Returns as xdi_fixture_load (never -1).
 */
int xdi_fixture_load_text(const char *name, const char *text, size_t len,
                          struct xdi_fixture_set **out,
                          xdi_fixture_error_fn on_error, void *ctx);

void xdi_fixture_free(struct xdi_fixture_set *set);

/* The host with that system name (Latin-1, unpadded), or NULL. */
const struct xdi_host *xdi_fixture_find_host(const struct xdi_fixture_set *set,
                                             const char *system_name);

/* 1 when peer (AF_INET or AF_INET6; an IPv4-mapped IPv6 address counts
 * as IPv4) is inside one of the host's allowed networks, or the host has
 * none; else 0. */
struct sockaddr;
int xdi_host_allows_peer(const struct xdi_host *host,
                         const struct sockaddr *peer);

/* 1 when date is one of the set's holidays.  Matches naccb_holiday_fn, with
 * ctx the set. */
int xdi_fixture_is_holiday(void *set, const struct naccb_date *date);

#endif /* XDI_FIXTURE_H */
