/*
 * fixtures.c - the fixture set xdi-load runs against, and what it expects
 * the server to send from it.
 *
 * `xdi-load --make-fixtures DIR --hosts N` writes N hosts LD000001.. with
 * raw tables (docs/fixtures.md section 7), so a set of a thousand hosts
 * with a thousand EVBLOKs each loads in well under a second, and a
 * manifest (xdi-load.txt) from which the load run regenerates every table
 * byte and every info text: a reply is expected only if it is exactly the
 * table the fixture defines.  Each host's tables are the same entries with
 * that host's system name (the server checks the name, docs/protocol.md
 * §11.1 step 4), so one template serves every host.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "load.h"
#include "naccb/ebcdic.h"
#include "naccb/eotinfo.h"
#include "naccb/errors.h"
#include "naccb/evblok.h"

#define CP       NACCB_CP_037 /* the fixture set's default code page */
#define MANIFEST "xdi-load.txt"
#define MAGIC    "xdi-load-fixtures 1"

void host_name(uint32_t i, char out[NACCB_NAME_SIZE + 1])
{
    snprintf(out, NACCB_NAME_SIZE + 1, "LD%06u", (unsigned)(i + 1) % 1000000u);
}

void host_wire_name(uint32_t i, uint8_t out[NACCB_NAME_SIZE])
{
    char name[NACCB_NAME_SIZE + 1];

    host_name(i, name);
    (void)naccb_field_put(CP, out, NACCB_NAME_SIZE, name, strlen(name));
}

static void put_text(uint8_t *field, size_t width, const char *s)
{
    size_t n = strlen(s);

    (void)naccb_field_put(CP, field, width, s, n > width ? width : n);
}

/* ---- the tables (docs/protocol.md §8 and §9) ------------------------- */

/* EVBLOK i: a message event "EV000001" (KL 8, no verb), always in frame,
 * so every info text the agents send matches and triggers nothing. */
static int make_evblok(const uint8_t system[NACCB_NAME_SIZE], uint32_t i,
                       uint8_t *out)
{
    struct naccb_evblok e;
    char s[NACCB_ADDTEXT_SIZE + 1];
    size_t off = 0;
    int rc;

    memset(&e, 0, sizeof e);
    memcpy(e.system_name, system, NACCB_NAME_SIZE);
    snprintf(s, sizeof s, "EV%06u", (unsigned)(i + 1));
    put_text(e.event_key, NACCB_KEY_SIZE, s);
    snprintf(s, sizeof s, "xdi-load event %u of the generated table",
             (unsigned)(i + 1));
    put_text(e.additional_text, NACCB_ADDTEXT_SIZE, s);
    e.kl = LOAD_KEY_LEN;
    e.il = NACCB_NAME_SIZE + LOAD_KEY_LEN;
    e.event_type = NACCB_ET_MESSAGE;
    naccb_evblok_set_always(&e);
    rc = naccb_evblok_validate(&e, &off);
    if (rc != 0) {
        fprintf(stderr,
                "xdi-load: generated EVBLOK %u invalid: %s (offset %zu)\n",
                (unsigned)i, naccb_strerror(rc), off);
        return -1;
    }
    naccb_evblok_encode(&e, out);
    return 0;
}

/* SCD entry j: job JB000001 matched on its name (flag2 bit 0). */
static int make_entry(const uint8_t system[NACCB_NAME_SIZE], uint32_t j,
                      uint8_t *out)
{
    struct naccb_eotinfo e;
    char job[NACCB_NAME_SIZE + 1];
    size_t off = 0;
    int rc;

    memset(&e, 0, sizeof e);
    snprintf(job, sizeof job, "JB%06u", (unsigned)(j + 1) % 1000000u);
    put_text(e.job_id, NACCB_NAME_SIZE, "");
    memcpy(e.system_name, system, NACCB_NAME_SIZE);
    put_text(e.job_name, NACCB_NAME_SIZE, job);
    put_text(e.step_name, NACCB_NAME_SIZE, "");
    put_text(e.proc_step_name, NACCB_NAME_SIZE, "");
    e.flag2 = NACCB_FLAG2_JOB_NAME;
    rc = naccb_eotinfo_validate(&e, NACCB_EOTINFO_TABLE_ENTRY, CP, &off);
    if (rc != 0) {
        fprintf(stderr,
                "xdi-load: generated EOTINFO %u invalid: %s (offset %zu)\n",
                (unsigned)j, naccb_strerror(rc), off);
        return -1;
    }
    naccb_eotinfo_encode(&e, out);
    return 0;
}

int tables_build(const struct manifest *m, struct tables *out)
{
    uint8_t system[NACCB_NAME_SIZE];
    int rc = 0;

    memset(out, 0, sizeof *out);
    host_wire_name(0, system);
    out->ems = malloc((size_t)m->events * NACCB_EVBLOK_SIZE);
    out->scd = malloc((size_t)m->jobs * NACCB_EOTINFO_SIZE);
    if (out->ems == NULL || out->scd == NULL) {
        fprintf(stderr, "xdi-load: out of memory\n");
        return -1;
    }
    out->ems_count = m->events;
    out->scd_count = m->jobs;
    for (uint32_t i = 0; rc == 0 && i < m->events; i++)
        rc = make_evblok(system, i, out->ems + (size_t)i * NACCB_EVBLOK_SIZE);
    for (uint32_t j = 0; rc == 0 && j < m->jobs; j++)
        rc = make_entry(system, j, out->scd + (size_t)j * NACCB_EOTINFO_SIZE);
    return rc;
}

void tables_free(struct tables *t)
{
    free(t->ems);
    free(t->scd);
    memset(t, 0, sizeof *t);
}

/* Every entry equals the template except the system name at name_off. */
static int entries_match(const uint8_t *tmpl, const uint8_t *got,
                         uint32_t count, size_t size, size_t name_off,
                         const uint8_t name[NACCB_NAME_SIZE])
{
    size_t rest = name_off + NACCB_NAME_SIZE;

    for (uint32_t i = 0; i < count; i++, tmpl += size, got += size) {
        if (memcmp(got, tmpl, name_off) != 0 ||
            memcmp(got + name_off, name, NACCB_NAME_SIZE) != 0 ||
            memcmp(got + rest, tmpl + rest, size - rest) != 0)
            return 0;
    }
    return 1;
}

int tables_match(const struct tables *t, uint32_t host, uint32_t size,
                 uint32_t count, const uint8_t *objects)
{
    uint8_t name[NACCB_NAME_SIZE];

    host_wire_name(host, name);
    if (size == NACCB_EVBLOK_SIZE && count == t->ems_count)
        return entries_match(t->ems, objects, count, size,
                             NACCB_EVB_SYSTEM_NAME, name);
    if (size == NACCB_EOTINFO_SIZE && count == t->scd_count)
        return entries_match(t->scd, objects, count, size,
                             NACCB_EOT_SYSTEM_NAME, name);
    return 0;
}

void info_text(const struct manifest *m, uint32_t host, uint32_t n,
               uint8_t *out)
{
    char text[NACCB_TEXT_MAX + 1];
    uint32_t ev = (uint32_t)(((uint64_t)host * 7919u + n) % m->events);
    int k =
        snprintf(text, sizeof text, "EV%06u LOAD TEST EVENT %u FROM HOST %u",
                 (unsigned)(ev + 1), (unsigned)n, (unsigned)host);
    size_t len = k < 0 ? 0 : (size_t)k;

    if (len > m->text_length)
        len = m->text_length;
    memset(text + len, ' ', m->text_length - len);
    naccb_ebcdic_encode(CP, (const uint8_t *)text, m->text_length, out);
}

/* ---- writing the set ---------------------------------------------------------- */

static int path_join(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

    if (n < 0 || n >= PATH_MAX) {
        fprintf(stderr, "xdi-load: path too long: %s/%s\n", dir, name);
        return -1;
    }
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "xdi-load: cannot create %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok = f != NULL && fwrite(data, 1, len, f) == len;

    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (!ok)
        fprintf(stderr, "xdi-load: cannot write %s: %s\n", path,
                strerror(errno));
    return ok ? 0 : -1;
}

/* The template's entries renamed for host i (into buf), written to path. */
static int write_table(const char *path, const uint8_t *tmpl, uint32_t count,
                       size_t size, size_t name_off, uint32_t host,
                       uint8_t *buf)
{
    uint8_t name[NACCB_NAME_SIZE];

    host_wire_name(host, name);
    memcpy(buf, tmpl, (size_t)count * size);
    for (uint32_t i = 0; i < count; i++)
        memcpy(buf + (size_t)i * size + name_off, name, NACCB_NAME_SIZE);
    return write_file(path, buf, (size_t)count * size);
}

static int write_host_tables(const char *dir, const struct tables *t,
                             uint32_t host, uint8_t *buf)
{
    char name[NACCB_NAME_SIZE + 1], rel[64], path[PATH_MAX];

    host_name(host, name);
    snprintf(rel, sizeof rel, "raw/%s.ems", name);
    if (path_join(path, dir, rel) != 0 ||
        write_table(path, t->ems, t->ems_count, NACCB_EVBLOK_SIZE,
                    NACCB_EVB_SYSTEM_NAME, host, buf) != 0)
        return -1;
    snprintf(rel, sizeof rel, "raw/%s.scd", name);
    if (path_join(path, dir, rel) != 0 ||
        write_table(path, t->scd, t->scd_count, NACCB_EOTINFO_SIZE,
                    NACCB_EOT_SYSTEM_NAME, host, buf) != 0)
        return -1;
    return 0;
}

static int write_hosts_yaml(const char *dir, const struct manifest *m)
{
    char path[PATH_MAX], name[NACCB_NAME_SIZE + 1];
    FILE *f;
    int ok;

    if (path_join(path, dir, "hosts.yaml") != 0 ||
        (f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "xdi-load: cannot write %s/hosts.yaml\n", dir);
        return -1;
    }
    fprintf(f,
            "# Generated by xdi-load --make-fixtures (docs/performance.md):\n"
            "# %u hosts, each with %u EVBLOKs and %u EOTINFOs in raw tables.\n"
            "hosts:\n",
            (unsigned)m->hosts, (unsigned)m->events, (unsigned)m->jobs);
    for (uint32_t i = 0; i < m->hosts; i++) {
        host_name(i, name);
        fprintf(f,
                "  - system: %s\n    ems: {raw: raw/%s.ems}\n"
                "    scd: {raw: raw/%s.scd}\n",
                name, name, name);
    }
    ok = !ferror(f);
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "xdi-load: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static int write_manifest(const char *dir, const struct manifest *m)
{
    char path[PATH_MAX], text[256];
    int n = snprintf(text, sizeof text,
                     MAGIC "\nhosts %u\nevents %u\njobs %u\ntext-length %u\n",
                     (unsigned)m->hosts, (unsigned)m->events, (unsigned)m->jobs,
                     (unsigned)m->text_length);

    if (path_join(path, dir, MANIFEST) != 0)
        return -1;
    return write_file(path, text, (size_t)n);
}

int fixtures_make(const char *dir, const struct manifest *m)
{
    char raw[PATH_MAX];
    struct tables t;
    size_t biggest = (size_t)m->events * NACCB_EVBLOK_SIZE;
    uint8_t *buf;
    int rc;

    if ((size_t)m->jobs * NACCB_EOTINFO_SIZE > biggest)
        biggest = (size_t)m->jobs * NACCB_EOTINFO_SIZE;
    if (make_dir(dir) != 0 || path_join(raw, dir, "raw") != 0 ||
        make_dir(raw) != 0)
        return -1;
    rc = tables_build(m, &t);
    buf = malloc(biggest);
    if (buf == NULL)
        rc = -1;
    for (uint32_t i = 0; rc == 0 && i < m->hosts; i++)
        rc = write_host_tables(dir, &t, i, buf);
    free(buf);
    tables_free(&t);
    if (rc == 0)
        rc = write_hosts_yaml(dir, m);
    /* Last: a set without its manifest is visibly incomplete. */
    if (rc == 0)
        rc = write_manifest(dir, m);
    return rc;
}

/* ---- reading the manifest ------------------------------------------------------- */

static int manifest_field(struct manifest *m, const char *key, unsigned long v)
{
    if (strcmp(key, "hosts") == 0 && v >= 1 && v <= LOAD_MAX_HOSTS)
        m->hosts = (uint32_t)v;
    else if (strcmp(key, "events") == 0 && v >= 1 && v <= LOAD_MAX_EVENTS)
        m->events = (uint32_t)v;
    else if (strcmp(key, "jobs") == 0 && v >= 1 && v <= LOAD_MAX_JOBS)
        m->jobs = (uint32_t)v;
    else if (strcmp(key, "text-length") == 0 && v >= LOAD_KEY_LEN &&
             v <= NACCB_TEXT_MAX)
        m->text_length = (uint32_t)v;
    else
        return -1;
    return 0;
}

int fixtures_read(const char *dir, struct manifest *out)
{
    char path[PATH_MAX], line[128], key[32];
    unsigned long v;
    int rc = 0, magic = 0;
    FILE *f;

    memset(out, 0, sizeof *out);
    if (path_join(path, dir, MANIFEST) != 0)
        return -1;
    if ((f = fopen(path, "r")) == NULL) {
        fprintf(stderr,
                "xdi-load: cannot read %s: %s (make the set with "
                "xdi-load --make-fixtures %s)\n",
                path, strerror(errno), dir);
        return -1;
    }
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, MAGIC "\n", sizeof MAGIC) == 0)
            magic = 1;
        else if (sscanf(line, "%31s %lu", key, &v) != 2 ||
                 manifest_field(out, key, v) != 0)
            rc = -1;
    }
    fclose(f);
    if (rc != 0 || !magic || !out->hosts || !out->events || !out->jobs ||
        !out->text_length) {
        fprintf(stderr,
                "xdi-load: %s is not a manifest written by this xdi-load\n",
                path);
        return -1;
    }
    return 0;
}
