/*
 * xdi-fixture - check, compile, dump and show fixture sets of xdi-server
 * (format: docs/fixtures.md).
 *
 *   validate DIR          load DIR as the server would; FILE:LINE errors
 *   compile DIR OUT       OUT/<SYSTEM>.ems and .scd: the raw tables
 *   dump [--ems|--scd] [--codepage CP] FILE
 *                         a raw table back into fixture YAML
 *   show DIR              a readable table per host
 *
 * It uses the server's own loader, so "validate says ok" means "the server
 * starts on it".  Exit codes: 0 ok, 1 invalid fixture or table, 2 usage,
 * 3 I/O.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "fixture.h"
#include "fixture_dump.h"
#include "naccb.h"

enum exit_code { EXIT_OK = 0, EXIT_INVALID = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

static const char usage_text[] =
    "usage: xdi-fixture COMMAND ARGS\n"
    "\n"
    "  validate DIR       load the fixture set in DIR as xdi-server would;\n"
    "                     print every error as FILE:LINE: message\n"
    "  compile DIR OUT    write each host's tables as OUT/<SYSTEM>.ems\n"
    "                     (EVBLOKs) and OUT/<SYSTEM>.scd (EOTINFOs), in\n"
    "                     wire form (no NACCB header); OUT is created\n"
    "  dump [--ems|--scd] [--codepage CP] FILE\n"
    "                     write a raw table as fixture YAML on stdout; the\n"
    "                     kind follows the size (230-byte EVBLOKs or\n"
    "                     162-byte EOTINFOs); a size that fits both needs\n"
    "                     --ems or --scd; CP: 037 (default), 1047, 500, ascii\n"
    "  show DIR           print a readable table per host\n"
    "  --help             this text\n"
    "\n"
    "exit codes: 0 ok, 1 invalid fixture or table, 2 usage, 3 I/O error\n"
    "format: docs/fixtures.md\n";

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int
usage_error(const char *fmt, ...);

/* Prints a usage error (fmt with one %s) and the hint; returns 2. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("xdi-fixture: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'xdi-fixture --help'.\n", stderr);
    return EXIT_USAGE;
}

/* Loads DIR; prints the errors (the loader's default) and a count. */
static int load(const char *dir, struct xdi_fixture_set **set)
{
    int rc = xdi_fixture_load(dir, set, NULL, NULL);

    if (rc < 0)
        return EXIT_IO;
    if (rc > 0) {
        fprintf(stderr, "%s: %d error%s: the fixture set is invalid\n", dir, rc,
                rc == 1 ? "" : "s");
        return EXIT_INVALID;
    }
    return EXIT_OK;
}

/* Host-side strings are Latin-1; the terminal is taken to be UTF-8. */
static void print_latin1(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || (ch >= 0x7F && ch <= 0x9F))
            putchar('.');
        else if (ch >= 0xA0)
            printf("%c%c", 0xC0 | (ch >> 6), 0x80 | (ch & 0x3F));
        else
            putchar(ch);
    }
}

/* ======================================================================
 * validate
 * ==================================================================== */

static int cmd_validate(const char *dir)
{
    struct xdi_fixture_set *set;
    size_t events = 0, jobs = 0;
    int rc = load(dir, &set);

    if (rc != EXIT_OK)
        return rc;
    for (size_t i = 0; i < set->n_hosts; i++) {
        const struct xdi_host *h = &set->hosts[i];
        events += h->ems_raw ? h->ems_raw_len / NACCB_EVBLOK_SIZE : h->n_events;
        jobs += h->scd_raw ? h->scd_raw_len / NACCB_EOTINFO_SIZE : h->n_jobs;
    }
    printf("%s: ok: %zu hosts, %zu EMS events, %zu SCD jobs, code page %s, "
           "%zu holidays\n",
           dir, set->n_hosts, events, jobs, naccb_codepage_name(set->codepage),
           set->n_holidays);
    xdi_fixture_free(set);
    return EXIT_OK;
}

/* ======================================================================
 * compile
 * ==================================================================== */

static int write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *fp = fopen(path, "wb");
    int ok;

    if (fp == NULL) {
        fprintf(stderr, "xdi-fixture: %s: %s\n", path, strerror(errno));
        return EXIT_IO;
    }
    ok = fwrite(data, 1, len, fp) == len;
    ok = fclose(fp) == 0 && ok;
    if (!ok) {
        fprintf(stderr, "xdi-fixture: %s: write failed\n", path);
        return EXIT_IO;
    }
    return EXIT_OK;
}

/* The host's EMS table in wire form: the raw table, or its events
 * encoded.  *len 0 when it has none.  NULL only when out of memory. */
static uint8_t *ems_table(const struct xdi_host *h, size_t *len)
{
    uint8_t *buf;

    *len = h->ems_raw ? h->ems_raw_len : h->n_events * NACCB_EVBLOK_SIZE;
    buf = malloc(*len ? *len : 1);
    if (buf == NULL)
        return NULL;
    if (h->ems_raw)
        memcpy(buf, h->ems_raw, *len);
    for (size_t i = 0; !h->ems_raw && i < h->n_events; i++)
        naccb_evblok_encode(&h->events[i].evblok, buf + i * NACCB_EVBLOK_SIZE);
    return buf;
}

static uint8_t *scd_table(const struct xdi_host *h, size_t *len)
{
    uint8_t *buf;

    *len = h->scd_raw ? h->scd_raw_len : h->n_jobs * NACCB_EOTINFO_SIZE;
    buf = malloc(*len ? *len : 1);
    if (buf == NULL)
        return NULL;
    if (h->scd_raw)
        memcpy(buf, h->scd_raw, *len);
    for (size_t i = 0; !h->scd_raw && i < h->n_jobs; i++)
        naccb_eotinfo_encode(&h->jobs[i].entry, buf + i * NACCB_EOTINFO_SIZE);
    return buf;
}

/* A host without entries gets no file: an empty table is no table. */
static int compile_table(const char *out, const struct xdi_host *h, bool ems)
{
    char path[4096];
    size_t len;
    uint8_t *buf = ems ? ems_table(h, &len) : scd_table(h, &len);
    size_t size = ems ? NACCB_EVBLOK_SIZE : NACCB_EOTINFO_SIZE;
    int rc = EXIT_OK;

    if (buf == NULL) {
        fputs("xdi-fixture: out of memory\n", stderr);
        return EXIT_IO;
    }
    if (len > 0) {
        snprintf(path, sizeof path, "%s/%s.%s", out, h->system_name,
                 ems ? "ems" : "scd");
        rc = write_file(path, buf, len);
        if (rc == EXIT_OK)
            printf("%s: %zu %s\n", path, len / size,
                   ems ? "EVBLOKs" : "EOTINFOs");
    }
    free(buf);
    return rc;
}

/* mkdir -p: OUT and any missing parents. */
static int make_dir(const char *path)
{
    char buf[4096];
    struct stat st;

    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        fprintf(stderr, "xdi-fixture: %s: path too long\n", path);
        return EXIT_IO;
    }
    for (char *p = buf + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            break;
        *p = '/';
    }
    if (mkdir(path, 0777) == 0)
        return EXIT_OK;
    if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return EXIT_OK;
    fprintf(stderr, "xdi-fixture: %s: %s\n", path,
            errno == EEXIST ? "exists and is not a directory"
                            : strerror(errno));
    return EXIT_IO;
}

static int cmd_compile(const char *dir, const char *out)
{
    struct xdi_fixture_set *set;
    int rc = load(dir, &set);

    if (rc != EXIT_OK)
        return rc;
    rc = make_dir(out);
    for (size_t i = 0; rc == EXIT_OK && i < set->n_hosts; i++) {
        rc = compile_table(out, &set->hosts[i], true);
        if (rc == EXIT_OK)
            rc = compile_table(out, &set->hosts[i], false);
    }
    xdi_fixture_free(set);
    return rc;
}

/* ======================================================================
 * dump
 * ==================================================================== */

struct dump_args {
    int kind; /* 0 by size, 'e' EMS, 's' SCD */
    enum naccb_codepage cp;
    const char *file;
};

static int parse_dump_args(int argc, char **argv, struct dump_args *a)
{
    a->kind = 0;
    a->cp = NACCB_CP_037;
    a->file = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--ems") == 0 || strcmp(argv[i], "--scd") == 0) {
            int kind = argv[i][2];
            if (a->kind != 0 && a->kind != kind)
                return usage_error("dump: give --ems or --scd, not both");
            a->kind = kind;
        } else if (strcmp(argv[i], "--codepage") == 0) {
            if (i + 1 >= argc)
                return usage_error("dump: --codepage needs a value");
            if (naccb_codepage_parse(argv[++i], &a->cp) != 0)
                return usage_error("dump: unknown code page '%s' (037, 1047, "
                                   "500, ascii)",
                                   argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return usage_error("dump: unknown option '%s'", argv[i]);
        } else if (a->file != NULL) {
            return usage_error("dump: one FILE only ('%s' is extra)", argv[i]);
        } else {
            a->file = argv[i];
        }
    }
    if (a->file == NULL)
        return usage_error("dump: FILE is missing");
    return EXIT_OK;
}

/* Reads the table, at most one maximum-size NACCB's worth. */
static uint8_t *read_table(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf;
    size_t cap = NACCB_DEFAULT_MAX_SIZE;

    if (fp == NULL) {
        fprintf(stderr, "xdi-fixture: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    buf = malloc(cap + 1);
    if (buf == NULL) {
        fclose(fp);
        fputs("xdi-fixture: out of memory\n", stderr);
        return NULL;
    }
    *len = fread(buf, 1, cap + 1, fp);
    if (ferror(fp) || *len > cap) {
        fprintf(stderr, "xdi-fixture: %s: %s\n", path,
                ferror(fp) ? "read error" : "larger than any table");
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

/* EMS or SCD by size; a size that fits both (a multiple of 18630, the
 * least common multiple of 230 and 162) must be told. */
static int dump_kind(const struct dump_args *a, size_t len, int *kind)
{
    bool ems = len > 0 && len % NACCB_EVBLOK_SIZE == 0;
    bool scd = len > 0 && len % NACCB_EOTINFO_SIZE == 0;

    *kind = a->kind;
    if (*kind == 0 && ems && scd)
        return usage_error("dump: %s fits both EVBLOKs and EOTINFOs: give "
                           "--ems or --scd",
                           a->file);
    if (*kind == 0)
        *kind = ems ? 'e' : scd ? 's' : 0;
    if ((*kind == 'e' && !ems) || (*kind == 's' && !scd) || *kind == 0) {
        fprintf(stderr,
                "xdi-fixture: %s: %zu bytes is not a whole number of %s\n",
                a->file, len,
                *kind == 'e'   ? "230-byte EVBLOKs"
                : *kind == 's' ? "162-byte EOTINFOs"
                               : "EVBLOKs (230) or EOTINFOs (162)");
        return EXIT_INVALID;
    }
    return EXIT_OK;
}

static int cmd_dump(int argc, char **argv)
{
    struct dump_args a;
    uint8_t *buf;
    size_t len = 0;
    int kind, lossy;
    int rc = parse_dump_args(argc, argv, &a);

    if (rc != EXIT_OK)
        return rc;
    buf = read_table(a.file, &len);
    if (buf == NULL)
        return EXIT_IO;
    rc = dump_kind(&a, len, &kind);
    if (rc == EXIT_OK) {
        lossy = kind == 'e'
                    ? xdi_fixture_dump_ems(stdout, buf, len, a.cp, a.file)
                    : xdi_fixture_dump_scd(stdout, buf, len, a.cp, a.file);
        if (lossy > 0) {
            fprintf(stderr,
                    "xdi-fixture: %s: %d object%s could not be written "
                    "exactly (see the comments in the output)\n",
                    a.file, lossy, lossy == 1 ? "" : "s");
            rc = EXIT_INVALID;
        }
    }
    free(buf);
    return rc;
}

/* ======================================================================
 * show
 * ==================================================================== */

static void show_frame(const struct naccb_evblok *e)
{
    static const char *const days[7] = {"Su", "Mo", "Tu", "We",
                                        "Th", "Fr", "Sa"};
    int sy = 0, sd = 0, ey = 0, ed = 0;
    struct naccb_date s = {0, 0, 0}, en = {0, 0, 0};

    if (e->sdate == NACCB_ALWAYS_SDATE && e->edate == NACCB_ALWAYS_EDATE &&
        e->stime == NACCB_ALWAYS_STIME && e->etime == NACCB_ALWAYS_ETIME &&
        memchr(e->day_list, 0, 8) == NULL) {
        fputs("always", stdout);
        return;
    }
    naccb_julian_decode(e->sdate, &sy, &sd);
    naccb_julian_decode(e->edate, &ey, &ed);
    naccb_julian_to_date(sy, sd, &s);
    naccb_julian_to_date(ey, ed, &en);
    printf("%04d-%02d-%02d..%04d-%02d-%02d %02X:%02X:%02X-%02X:%02X:%02X ",
           s.year, s.month, s.day, en.year, en.month, en.day,
           (unsigned)(e->stime >> 24), (unsigned)(e->stime >> 16) & 0xFF,
           (unsigned)(e->stime >> 8) & 0xFF, (unsigned)(e->etime >> 24),
           (unsigned)(e->etime >> 16) & 0xFF, (unsigned)(e->etime >> 8) & 0xFF);
    for (int i = 0; i < 7; i++)
        fputs(e->day_list[i] ? days[i] : "--", stdout);
    fputs(e->day_list[7] ? " +hol" : " -hol", stdout);
}

static void show_event(enum naccb_codepage cp, size_t n,
                       const struct naccb_evblok *e, const struct xdi_event *ev)
{
    char key[NACCB_KEY_SIZE + 1];
    size_t klen = naccb_field_get(cp, e->event_key, NACCB_KEY_SIZE, key);
    const char *type = naccb_event_type_name(e->event_type);

    printf("    %3zu  ", n);
    print_latin1(key, klen);
    printf("%*s %2u %2u %-14s ", klen < 20 ? (int)(20 - klen) : 0, "",
           (unsigned)e->kl, (unsigned)e->vl, type ? type : "?");
    show_frame(e);
    if (ev != NULL && ev->action != NULL) {
        fputs("  => ", stdout);
        if (ev->action_target != NULL)
            printf("%s: ", ev->action_target);
        print_latin1(ev->action, strlen(ev->action));
    }
    putchar('\n');
}

static void show_ems(const struct xdi_fixture_set *set,
                     const struct xdi_host *h)
{
    size_t n = h->ems_raw ? h->ems_raw_len / NACCB_EVBLOK_SIZE : h->n_events;

    printf("  EMS       %s, %zu event%s%s\n",
           h->ems_ready ? "ready" : "not ready", n, n == 1 ? "" : "s",
           h->ems_raw ? " (raw table)" : "");
    if (n > 0)
        printf("      #  %-20s KL VL %-14s frame  => action\n", "key", "type");
    for (size_t i = 0; i < n; i++) {
        struct naccb_evblok e;
        if (h->ems_raw)
            naccb_evblok_decode(h->ems_raw + i * NACCB_EVBLOK_SIZE, &e);
        show_event(set->codepage, i + 1, h->ems_raw ? &e : &h->events[i].evblok,
                   h->ems_raw ? NULL : &h->events[i]);
    }
}

static void show_name(enum naccb_codepage cp, const uint8_t *field)
{
    char name[NACCB_NAME_SIZE + 1];

    naccb_field_get(cp, field, NACCB_NAME_SIZE, name);
    printf("%-8s ", name[0] ? name : "-");
}

static void show_condition(const struct xdi_condition *c)
{
    static const char *const fields[] = {"max_cc", "scc", "ucc", "notes"};
    static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};

    if (c->field == XDI_COND_NOTES)
        printf(" %s%s%c", fields[c->field], ops[c->op], (char)c->value);
    else if (c->field == XDI_COND_SCC) /* system codes read in hex */
        printf(" %s%s0x%03X", fields[c->field], ops[c->op], (unsigned)c->value);
    else
        printf(" %s%s%u", fields[c->field], ops[c->op], (unsigned)c->value);
}

static void show_trigger(const struct xdi_trigger *t)
{
    printf("          on %s", t->on == XDI_TRIGGER_EOJ ? "eoj" : "eos");
    if (t->step_name[0] != '\0')
        printf(" step %s", t->step_name);
    for (size_t i = 0; i < t->n_conditions; i++)
        show_condition(&t->conditions[i]);
    printf(" => run %s on %s\n", t->run_job, t->target_host);
}

static void show_job(enum naccb_codepage cp, size_t n,
                     const struct naccb_eotinfo *e, const struct xdi_job *job)
{
    printf("    %3zu  ", n);
    show_name(cp, e->job_name);
    show_name(cp, e->job_id);
    show_name(cp, e->step_name);
    show_name(cp, e->proc_step_name);
    printf("%s%s%s%s\n", e->flag2 & NACCB_FLAG2_JOB_NAME ? " job" : "",
           e->flag2 & NACCB_FLAG2_JOB_ID ? " job_id" : "",
           e->flag2 & NACCB_FLAG2_STEP_NAME ? " step" : "",
           e->flag2 & NACCB_FLAG2_PROC_STEP_NAME ? " proc_step" : "");
    for (size_t i = 0; job != NULL && i < job->n_triggers; i++)
        show_trigger(&job->triggers[i]);
}

static void show_scd(const struct xdi_fixture_set *set,
                     const struct xdi_host *h)
{
    size_t n = h->scd_raw ? h->scd_raw_len / NACCB_EOTINFO_SIZE : h->n_jobs;

    printf("  SCD       %s, %zu job%s%s\n",
           h->scd_ready ? "ready" : "not ready", n, n == 1 ? "" : "s",
           h->scd_raw ? " (raw table)" : "");
    if (n > 0)
        printf("      #  %-8s %-8s %-8s %-8s capture\n", "job", "job-id",
               "step", "proc");
    for (size_t i = 0; i < n; i++) {
        struct naccb_eotinfo e;
        if (h->scd_raw)
            naccb_eotinfo_decode(h->scd_raw + i * NACCB_EOTINFO_SIZE, &e);
        show_job(set->codepage, i + 1, h->scd_raw ? &e : &h->jobs[i].entry,
                 h->scd_raw ? NULL : &h->jobs[i]);
    }
}

static void show_allowed(const struct xdi_host *h)
{
    fputs("  allow    ", stdout);
    if (h->n_allowed == 0)
        fputs(" any address", stdout);
    for (size_t i = 0; i < h->n_allowed; i++) {
        char text[INET6_ADDRSTRLEN];
        const struct xdi_cidr *c = &h->allowed[i];
        if (inet_ntop(c->family, c->addr, text, sizeof text) == NULL)
            snprintf(text, sizeof text, "?");
        printf(" %s/%u", text, c->prefix);
    }
    putchar('\n');
}

static void show_host(const struct xdi_fixture_set *set,
                      const struct xdi_host *h)
{
    printf("%s  (%s:%d)\n", h->system_name, h->source_file, h->line);
    show_allowed(h);
    printf("  password  %s\n", h->password ? "yes" : "none");
    show_ems(set, h);
    show_scd(set, h);
    putchar('\n');
}

static int cmd_show(const char *dir)
{
    struct xdi_fixture_set *set;
    int rc = load(dir, &set);

    if (rc != EXIT_OK)
        return rc;
    printf("fixture set %s: code page %s, %zu holiday%s", dir,
           naccb_codepage_name(set->codepage), set->n_holidays,
           set->n_holidays == 1 ? "" : "s");
    for (size_t i = 0; i < set->n_holidays; i++)
        printf("%s%04d-%02d-%02d", i == 0 ? ": " : ", ", set->holidays[i].year,
               set->holidays[i].month, set->holidays[i].day);
    fputs("\n\n", stdout);
    for (size_t i = 0; i < set->n_hosts; i++)
        show_host(set, &set->hosts[i]);
    xdi_fixture_free(set);
    return EXIT_OK;
}

/* ======================================================================
 * main
 * ==================================================================== */

/* The command's positional arguments, exactly n of them. */
static int want_args(const char *cmd, int argc, char **argv, int n)
{
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usage_error("unknown option '%s'", argv[i]);
    if (argc != n) {
        fprintf(stderr, "xdi-fixture: %s takes %d argument%s, got %d\n", cmd, n,
                n == 1 ? "" : "s", argc);
        fputs("Try 'xdi-fixture --help'.\n", stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    int rc;

    if (cmd == NULL)
        return usage_error("a COMMAND is needed");
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("xdi-fixture (xdi-emu) %s, libnaccb %s\n", XDI_VERSION,
               naccb_version());
        return EXIT_OK;
    }
    argc -= 2;
    argv += 2;
    if (strcmp(cmd, "dump") == 0)
        return cmd_dump(argc, argv);
    if (strcmp(cmd, "validate") == 0)
        return (rc = want_args(cmd, argc, argv, 1)) ? rc
                                                    : cmd_validate(argv[0]);
    if (strcmp(cmd, "compile") == 0)
        return (rc = want_args(cmd, argc, argv, 2))
                   ? rc
                   : cmd_compile(argv[0], argv[1]);
    if (strcmp(cmd, "show") == 0)
        return (rc = want_args(cmd, argc, argv, 1)) ? rc : cmd_show(argv[0]);
    return usage_error("unknown command '%s'", cmd);
}
