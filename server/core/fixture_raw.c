/*
 * fixture_raw.c - a raw binary table named by a fixture (`raw:`): EVBLOKs
 * or EOTINFOs back to back, as cut from a real capture, served byte for
 * byte.
 *
 * "Byte for byte" does not mean "unchecked": the server never sends an
 * invalid EVBLOK (docs/protocol.md §8), so every object goes through
 * the codec's validator, and each bad one is reported with its byte offset
 * in the table file, at the line of the fixture's `raw:` key.
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include "fixture_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Enough to see a pattern in a wrong file without drowning in it. */
#define RAW_MAX_REPORTS 10

/* A table goes to the agent in one NACCB, whose default maximum size
 * (docs/protocol.md §11) also bounds what we read. */
#define RAW_MAX_LEN ((size_t)NACCB_DEFAULT_MAX_SIZE - NACCB_HEADER_SIZE)

/* Relative paths are relative to the fixture directory. */
static char *raw_path(const char *dir, const char *rel)
{
    size_t n = strlen(rel) + 1;
    char *p;

    if (rel[0] != '/')
        return xdi__fx_join_path(dir, rel);
    p = malloc(n);
    if (p != NULL)
        memcpy(p, rel, n);
    return p;
}

/* A ".." among the '/'-separated parts of rel. */
static bool has_dotdot(const char *rel)
{
    for (const char *p = rel; *p != '\0';) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return true;
        p += n;
        p += *p == '/';
    }
    return false;
}

/*
 * A fixture set is something one is handed (a colleague's, a CI
 * artefact's): by default its raw tables must be its own files, so that
 * loading it, and the server's journal of what it serves, cannot be made
 * to read /etc/shadow or a file beside the set.  Refuses an absolute path,
 * a ".." part, and a path that resolves (symbolic links followed) outside
 * the directory; settings `raw_outside: true` allows all three.  Returns 0
 * when path may be read.
 */
static int check_inside(struct fx_ctx *c, int line, const char *rel,
                        const char *path)
{
    const char *why = NULL;
    char *real_dir = NULL, *real_path = NULL;
    int rc = 0;

    if (c->ld->raw_outside)
        return 0;
    if (rel[0] == '/')
        why = "is an absolute path";
    else if (has_dotdot(rel))
        why = "goes up with '..'";
    if (why == NULL) {
        real_dir = realpath(c->ld->dir, NULL);
        real_path = realpath(path, NULL);
        /* A file that does not resolve is reported when it is read. */
        if (real_dir != NULL && real_path != NULL) {
            size_t n = strlen(real_dir);
            if (strncmp(real_path, real_dir, n) != 0 ||
                (real_path[n] != '/' && !(n == 1 && real_dir[0] == '/')))
                why = "resolves (through a symbolic link) to a file";
        }
    }
    if (why != NULL) {
        xdi__fx_error(c->ld, c->file, line,
                      "raw: '%s' %s outside the fixture directory %s; a raw "
                      "table must be a file of the set (settings: "
                      "raw_outside: true allows it)",
                      rel, why, c->ld->dir);
        rc = -1;
    }
    free(real_dir);
    free(real_path);
    return rc;
}

/* Reads the whole file; NULL with errno set, or errno 0 for "too big"
 * (*len then holds the size). */
static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    uint8_t *buf = NULL;

    if (fp == NULL)
        return NULL;
    if (fstat(fileno(fp), &st) != 0) {
        fclose(fp);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        fclose(fp);
        errno = EISDIR;
        return NULL;
    }
    *len = (size_t)st.st_size;
    if ((uintmax_t)st.st_size > RAW_MAX_LEN) {
        fclose(fp);
        errno = 0;
        return NULL;
    }
    buf = malloc(*len ? *len : 1);
    if (buf != NULL && fread(buf, 1, *len, fp) != *len) {
        free(buf);
        buf = NULL;
        errno = EIO;
    }
    fclose(fp);
    return buf;
}

/* The first problem of one EVBLOK, or 0: the codec's rules, then what an
 * agent's table needs (ET for agents, the host's system name). */
static int check_evblok(const uint8_t *obj, const uint8_t sysname[8],
                        size_t *off)
{
    struct naccb_evblok e;
    int rc;

    naccb_evblok_decode(obj, &e);
    rc = naccb_evblok_validate(&e, off);
    if (rc != 0)
        return rc;
    if (!naccb_event_type_for_agent(e.event_type)) {
        *off = NACCB_EVB_EVENT_TYPE;
        return 1;
    }
    if (memcmp(e.system_name, sysname, NACCB_NAME_SIZE) != 0) {
        *off = NACCB_EVB_SYSTEM_NAME;
        return 2;
    }
    return 0;
}

static int check_eotinfo(const uint8_t *obj, const uint8_t sysname[8],
                         enum naccb_codepage cp, size_t *off)
{
    struct naccb_eotinfo e;
    int rc;

    naccb_eotinfo_decode(obj, &e);
    rc = naccb_eotinfo_validate(&e, NACCB_EOTINFO_TABLE_ENTRY, cp, off);
    if (rc != 0)
        return rc;
    if (memcmp(e.system_name, sysname, NACCB_NAME_SIZE) != 0) {
        *off = NACCB_EOT_SYSTEM_NAME;
        return 2;
    }
    return 0;
}

static const char *problem(int rc, const char *host, char *buf, size_t cap)
{
    if (rc == 1)
        return "event type not for agents (docs/protocol.md section 8)";
    if (rc == 2) {
        snprintf(buf, cap, "system name is not this host's (%s)", host);
        return buf;
    }
    return naccb_strerror(rc);
}

/* Every object of the table; returns the number of bad ones. */
static int check_table(struct fx_ctx *c, const struct xdi_host *h,
                       const char *path, int line, const uint8_t *buf,
                       size_t len, bool ems)
{
    enum naccb_codepage cp = c->ld->set->codepage;
    size_t size = ems ? NACCB_EVBLOK_SIZE : NACCB_EOTINFO_SIZE;
    uint8_t sysname[NACCB_NAME_SIZE];
    int bad = 0;

    naccb_field_put(cp, sysname, sizeof sysname, h->system_name,
                    strlen(h->system_name));
    for (size_t at = 0; at < len; at += size) {
        char why[96];
        size_t off = 0;
        int rc = ems ? check_evblok(buf + at, sysname, &off)
                     : check_eotinfo(buf + at, sysname, cp, &off);
        if (rc == 0)
            continue;
        if (++bad <= RAW_MAX_REPORTS)
            xdi__fx_error(
                c->ld, c->file, line,
                "raw: %s: %s %zu at byte offset %zu: %s (field %s, byte "
                "offset %zu)",
                path, ems ? "EVBLOK" : "EOTINFO", at / size, at,
                problem(rc, h->system_name, why, sizeof why),
                ems ? xdi__fx_evblok_field_name(off)
                    : xdi__fx_eotinfo_field_name(off),
                at + off);
    }
    if (bad > RAW_MAX_REPORTS)
        xdi__fx_error(c->ld, c->file, line, "raw: %s: %d more invalid objects",
                      path, bad - RAW_MAX_REPORTS);
    return bad;
}

static void report_read_error(struct fx_ctx *c, int line, const char *path,
                              size_t len)
{
    if (errno == 0)
        xdi__fx_error(c->ld, c->file, line,
                      "raw: %s is %zu bytes; a table must fit one NACCB of at "
                      "most %u bytes",
                      path, len, (unsigned)NACCB_DEFAULT_MAX_SIZE);
    else
        xdi__fx_error(c->ld, c->file, line, "raw: cannot read %s: %s", path,
                      strerror(errno));
}

void xdi__fx_load_raw(struct fx_ctx *c, struct xdi_host *h,
                      const struct fx_field *f, bool ems)
{
    size_t size = ems ? NACCB_EVBLOK_SIZE : NACCB_EOTINFO_SIZE;
    int line = xdi__fx_line(f->value);
    char *rel, *path;
    uint8_t *buf;
    size_t len = 0;

    if (c->ld->no_files) {
        /* xdi_fixture_load_text: a text in memory names no directory. */
        xdi__fx_error(c->ld, c->file, line,
                      "raw: a table from a file is not taken here");
        return;
    }
    if (xdi__fx_get_string(c, f, &rel, &len) != 0)
        return;
    path = raw_path(c->ld->dir, rel);
    /* Refused paths are not watched either: nothing outside is looked at. */
    if (path != NULL && check_inside(c, line, rel, path) != 0) {
        free(rel);
        free(path);
        return;
    }
    free(rel);
    if (path == NULL || xdi__fx_add_watched_file(c->ld, path) != 0) {
        xdi__fx_nomem(c->ld, c->file, line);
        free(path);
        return;
    }
    buf = read_all(path, &len);
    if (buf == NULL) {
        report_read_error(c, line, path, len);
    } else if (len == 0 || len % size != 0) {
        xdi__fx_error(c->ld, c->file, line,
                      "raw: %s is %zu bytes, not a whole number of %s (%zu "
                      "bytes each)",
                      path, len, ems ? "EVBLOKs" : "EOTINFOs", size);
    } else if (check_table(c, h, path, line, buf, len, ems) == 0) {
        if (ems) {
            h->ems_raw = buf;
            h->ems_raw_len = len;
        } else {
            h->scd_raw = buf;
            h->scd_raw_len = len;
        }
        buf = NULL;
    }
    free(buf);
    free(path);
}
