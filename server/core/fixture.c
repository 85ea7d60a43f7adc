/*
 * fixture.c - loads a fixture set (a directory of YAML files, format in
 * docs/fixtures.md) into struct xdi_fixture_set, and answers the questions
 * the server asks of it: which host, which peer, which holiday.
 *
 * Why libyaml (its document API) and not libcyaml: a fixture error must
 * say FILE:LINE of the very value that is wrong, for every error in the
 * set at once.  libyaml's document tree carries the start mark (line) of
 * every node and leaves scalars untyped; libcyaml maps YAML straight onto
 * C structs from a schema and reports only its first error, without the
 * line of most values, and it cannot express our cross-field rules (KL
 * against the key, a trigger's host against the set) or the conversion
 * into EBCDIC wire fields.
 *
 * Loading runs in passes over the documents of every *.yaml / *.yml file
 * of the directory, read in name order: (1) parse every file and check the
 * top-level keys, (2) `settings:` (the code page and the holiday calendar,
 * needed before any text is converted), (3) every `hosts:` entry, (4) the
 * hosts named by triggers and actions, which may be defined in any file.
 * Every error is reported and counted; the set is handed out only whole.
 */
#include "fixture_internal.h"

#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

/* ======================================================================
 * files
 * ==================================================================== */

/* dir/name, without doubling a slash the user typed ("fixtures/demo/"),
 * so that messages name files the way a person would. */
char *xdi__fx_join_path(const char *dir, const char *name)
{
    size_t dlen = strlen(dir);
    size_t n = dlen + strlen(name) + 2;
    char *p = malloc(n);

    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    if (p != NULL)
        snprintf(p, n, "%.*s/%s", (int)dlen, dir, name);
    return p;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* Fixture files: *.yaml and *.yml, not hidden (editor swap and backup
 * files stay out), regular files only.  1 yes, 0 no, -1 out of memory. */
static int is_fixture_file(const char *dir, const char *name)
{
    struct stat st;
    char *path;
    int ok;

    if (name[0] == '.' ||
        !(has_suffix(name, ".yaml") || has_suffix(name, ".yml")))
        return 0;
    /* Out of memory is not "not a fixture file": skipping the file would
     * load the set without it. */
    path = xdi__fx_join_path(dir, name);
    if (path == NULL)
        return -1;
    ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    free(path);
    return ok;
}

static int cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int xdi__fx_add_watched_file(struct fx_loader *ld, const char *path)
{
    struct xdi_fixture_set *set = ld->set;
    size_t n = strlen(path) + 1;
    char **files = realloc(set->files, (set->n_files + 1) * sizeof *files);

    if (files == NULL)
        return -1;
    set->files = files;
    files[set->n_files] = malloc(n);
    if (files[set->n_files] == NULL)
        return -1;
    memcpy(files[set->n_files++], path, n);
    return 0;
}

/* The fixture files of dir, sorted by name (the C locale's byte order, so
 * the order never depends on the user's locale). */
static int list_files(struct fx_loader *ld)
{
    DIR *d = opendir(ld->dir);
    struct dirent *de;
    size_t cap = 0;

    if (d == NULL) {
        xdi__fx_error(ld, ld->dir, 0, "cannot read the fixture directory: %s",
                      strerror(errno));
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        int is = is_fixture_file(ld->dir, de->d_name);
        if (is < 0)
            break;
        if (is == 0)
            continue;
        if (ld->n_paths == cap) {
            char **p = realloc(ld->paths, (cap ? cap * 2 : 8) * sizeof *p);
            if (p == NULL)
                break;
            ld->paths = p;
            cap = cap ? cap * 2 : 8;
        }
        ld->paths[ld->n_paths] = xdi__fx_join_path(ld->dir, de->d_name);
        if (ld->paths[ld->n_paths] == NULL)
            break;
        ld->n_paths++;
    }
    closedir(d);
    if (de != NULL)
        xdi__fx_nomem(ld, ld->dir, 0);
    if (ld->n_paths > 1) /* qsort may not be given a NULL array */
        qsort(ld->paths, ld->n_paths, sizeof *ld->paths, cmp_paths);
    return 0;
}

/* ======================================================================
 * pass 1: parse every document, check the top level
 * ==================================================================== */

static void report_parser_error(struct fx_loader *ld, const char *path,
                                const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "syntax error";

    /* The reader (encoding) stage knows a byte offset, not a line. */
    if (p->error == YAML_READER_ERROR)
        xdi__fx_error(ld, path, 0,
                      "YAML: %s at byte offset %zu (fixture files "
                      "are UTF-8)",
                      problem, p->problem_offset);
    else if (p->context != NULL)
        xdi__fx_error(ld, path, (int)p->problem_mark.line + 1,
                      "YAML: %s (%s at line %d)", problem, p->context,
                      (int)p->context_mark.line + 1);
    else
        xdi__fx_error(ld, path, (int)p->problem_mark.line + 1, "YAML: %s",
                      problem);
}

enum { TOP_SETTINGS, TOP_HOSTS, TOP_N };

static void check_top_level(struct fx_loader *ld, struct fx_doc *d)
{
    struct fx_ctx c = {ld, d->file, &d->doc};
    struct fx_field f[TOP_N] = {{.name = "settings"}, {.name = "hosts"}};
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);

    if (xdi__fx_is_null(root))
        return; /* an empty document: nothing to do */
    if (xdi__fx_expect_mapping(&c, root, "fixture file") != 0)
        return;
    xdi__fx_fields(&c, root, "a fixture file", f, TOP_N);
    d->settings = f[TOP_SETTINGS].value;
    d->hosts = f[TOP_HOSTS].value;
    if (d->hosts != NULL && xdi__fx_expect_sequence(&c, d->hosts, "hosts") != 0)
        d->hosts = NULL;
}

static struct fx_doc *new_doc(struct fx_loader *ld, const char *path)
{
    if (ld->n_docs == ld->docs_cap) {
        size_t cap = ld->docs_cap ? ld->docs_cap * 2 : 8;
        struct fx_doc *d = realloc(ld->docs, cap * sizeof *d);
        if (d == NULL) {
            xdi__fx_nomem(ld, path, 0);
            return NULL;
        }
        ld->docs = d;
        ld->docs_cap = cap;
    }
    memset(&ld->docs[ld->n_docs], 0, sizeof ld->docs[0]);
    ld->docs[ld->n_docs].file = path;
    return &ld->docs[ld->n_docs];
}

/* Every document of the file (a file may hold several, split by ---). */
static void parse_documents(struct fx_loader *ld, const char *path,
                            yaml_parser_t *parser)
{
    for (;;) {
        struct fx_doc *d = new_doc(ld, path);
        if (d == NULL)
            return;
        if (!yaml_parser_load(parser, &d->doc)) {
            report_parser_error(ld, path, parser);
            return; /* libyaml cannot resume after an error */
        }
        if (yaml_document_get_root_node(&d->doc) == NULL) {
            yaml_document_delete(&d->doc); /* end of the stream */
            return;
        }
        ld->n_docs++;
        check_top_level(ld, d);
    }
}

static void load_file(struct fx_loader *ld, const char *path)
{
    FILE *fp = fopen(path, "rb");
    yaml_parser_t parser;

    if (fp == NULL) {
        xdi__fx_error(ld, path, 0, "cannot open: %s", strerror(errno));
        return;
    }
    if (xdi__fx_add_watched_file(ld, path) != 0 ||
        !yaml_parser_initialize(&parser)) {
        xdi__fx_nomem(ld, path, 0);
        fclose(fp);
        return;
    }
    yaml_parser_set_input_file(&parser, fp);
    parse_documents(ld, path, &parser);
    yaml_parser_delete(&parser);
    fclose(fp);
}

/* ======================================================================
 * pass 2: settings
 * ==================================================================== */

static int date_key(const struct naccb_date *d)
{
    return d->year * 10000 + d->month * 100 + d->day;
}

static int cmp_dates(const void *a, const void *b)
{
    int x = date_key(a), y = date_key(b);

    return (x > y) - (x < y);
}

static void add_holiday(struct fx_ctx *c, yaml_node_t *item)
{
    struct xdi_fixture_set *set = c->ld->set;
    struct fx_field f = {.name = "holidays", .value = item};
    struct naccb_date d;

    if (xdi__fx_get_date(c, &f, &d) != 0)
        return;
    /* A repeated date is harmless to match but usually a typo for
     * another day. */
    for (size_t i = 0; i < set->n_holidays; i++) {
        if (cmp_dates(&set->holidays[i], &d) == 0) {
            xdi__fx_error(c->ld, c->file, xdi__fx_line(item),
                          "holidays: %04d-%02d-%02d is listed twice", d.year,
                          d.month, d.day);
            return;
        }
    }
    set->holidays[set->n_holidays++] = d;
}

static void parse_holidays(struct fx_ctx *c, const struct fx_field *f)
{
    struct xdi_fixture_set *set = c->ld->set;
    const yaml_node_t *v = f->value;
    size_t n;

    if (xdi__fx_expect_sequence(c, v, "holidays") != 0)
        return;
    n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (n == 0)
        return;
    set->holidays = calloc(n, sizeof *set->holidays);
    if (set->holidays == NULL) {
        xdi__fx_nomem(c->ld, c->file, xdi__fx_line(v));
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start;
         it < v->data.sequence.items.top; it++) {
        yaml_node_t *item = xdi__fx_node(c, *it);
        if (item != NULL)
            add_holiday(c, item);
    }
    /* Sorted, so xdi_fixture_is_holiday can bsearch. */
    qsort(set->holidays, set->n_holidays, sizeof *set->holidays, cmp_dates);
}

enum { ST_CODEPAGE, ST_HOLIDAYS, ST_RAW_OUTSIDE, ST_N };

static void parse_settings(struct fx_ctx *c, const yaml_node_t *node)
{
    struct fx_field f[ST_N] = {
        {.name = "codepage"}, {.name = "holidays"}, {.name = "raw_outside"}};
    char *cp;
    size_t len;

    if (xdi__fx_expect_mapping(c, node, "settings") != 0)
        return;
    xdi__fx_fields(c, node, "settings", f, ST_N);
    if (f[ST_CODEPAGE].value != NULL &&
        xdi__fx_get_string(c, &f[ST_CODEPAGE], &cp, &len) == 0) {
        if (naccb_codepage_parse(cp, &c->ld->set->codepage) != 0)
            xdi__fx_error(c->ld, c->file, xdi__fx_line(f[ST_CODEPAGE].value),
                          "codepage: unknown code page '%.40s' (use 037, 1047, "
                          "500 or ascii)",
                          cp);
        free(cp);
    }
    if (f[ST_HOLIDAYS].value != NULL)
        parse_holidays(c, &f[ST_HOLIDAYS]);
    if (f[ST_RAW_OUTSIDE].value != NULL)
        xdi__fx_get_bool(c, &f[ST_RAW_OUTSIDE], &c->ld->raw_outside);
}

/* One `settings:` per set: two would make the code page depend on the
 * file order. */
static void pass_settings(struct fx_loader *ld)
{
    const struct fx_doc *first = NULL;

    ld->set->codepage = NACCB_CP_037; /* docs/protocol.md §1 */
    for (size_t i = 0; i < ld->n_docs; i++) {
        struct fx_doc *d = &ld->docs[i];
        struct fx_ctx c = {ld, d->file, &d->doc};
        if (d->settings == NULL)
            continue;
        if (first != NULL) {
            xdi__fx_error(ld, d->file, xdi__fx_line(d->settings),
                          "settings: already given at %s:%d; a set has one",
                          first->file, xdi__fx_line(first->settings));
            continue;
        }
        first = d;
        parse_settings(&c, d->settings);
    }
}

/* ======================================================================
 * passes 3 and 4: hosts, then the hosts they name
 * ==================================================================== */

static void pass_hosts(struct fx_loader *ld)
{
    for (size_t i = 0; i < ld->n_docs; i++) {
        struct fx_doc *d = &ld->docs[i];
        struct fx_ctx c = {ld, d->file, &d->doc};
        if (d->hosts == NULL)
            continue;
        for (yaml_node_item_t *it = d->hosts->data.sequence.items.start;
             it < d->hosts->data.sequence.items.top; it++) {
            yaml_node_t *node = xdi__fx_node(&c, *it);
            if (node != NULL)
                xdi__fx_parse_host(&c, node);
        }
    }
}

static void pass_targets(struct fx_loader *ld)
{
    for (size_t i = 0; i < ld->n_targets; i++) {
        const struct fx_target_check *t = &ld->targets[i];
        if (xdi_fixture_find_host(ld->set, t->name) == NULL)
            xdi__fx_error(ld, t->file, t->line,
                          "%s: host %s is not defined in this fixture set",
                          t->key, t->name);
    }
}

/* ======================================================================
 * load and free
 * ==================================================================== */

static void loader_free(struct fx_loader *ld)
{
    for (size_t i = 0; i < ld->n_docs; i++)
        yaml_document_delete(&ld->docs[i].doc);
    free(ld->docs);
    for (size_t i = 0; i < ld->n_paths; i++)
        free(ld->paths[i]);
    free(ld->paths);
    free(ld->targets);
    free(ld->seen);
}

static void run_passes(struct fx_loader *ld)
{
    if (ld->n_paths == 0) {
        xdi__fx_error(ld, ld->dir, 0, "no fixture files (*.yaml, *.yml) here");
        return;
    }
    for (size_t i = 0; i < ld->n_paths; i++)
        load_file(ld, ld->paths[i]);
    pass_settings(ld);
    pass_hosts(ld);
    pass_targets(ld);
    if (ld->set->n_hosts == 0 && ld->n_errors == 0)
        xdi__fx_error(ld, ld->dir, 0, "the fixture set defines no hosts");
}

int xdi_fixture_load(const char *dir, struct xdi_fixture_set **out,
                     xdi_fixture_error_fn on_error, void *ctx)
{
    struct fx_loader ld;
    int rc;

    memset(&ld, 0, sizeof ld);
    ld.dir = dir;
    ld.on_error = on_error;
    ld.ctx = ctx;
    *out = NULL;
    ld.set = calloc(1, sizeof *ld.set);
    if (ld.set == NULL) {
        xdi__fx_nomem(&ld, dir, 0);
        return 1;
    }
    rc = list_files(&ld);
    if (rc == 0)
        run_passes(&ld);
    loader_free(&ld);
    if (rc != 0 || ld.n_errors > 0) {
        xdi_fixture_free(ld.set);
        return rc != 0 ? -1 : ld.n_errors;
    }
    *out = ld.set;
    return 0;
}

int xdi_fixture_load_text(const char *name, const char *text, size_t len,
                          struct xdi_fixture_set **out,
                          xdi_fixture_error_fn on_error, void *ctx)
{
    struct fx_loader ld;
    yaml_parser_t parser;
    char *path;

    memset(&ld, 0, sizeof ld);
    ld.dir = name;
    ld.on_error = on_error;
    ld.ctx = ctx;
    ld.no_files = true;
    *out = NULL;
    ld.set = calloc(1, sizeof *ld.set);
    path = strdup(name);
    ld.paths = malloc(sizeof *ld.paths);
    if (ld.set == NULL || path == NULL || ld.paths == NULL ||
        !yaml_parser_initialize(&parser)) {
        xdi__fx_nomem(&ld, name, 0);
        free(path);
        free(ld.paths);
        xdi_fixture_free(ld.set);
        return 1;
    }
    /* The name stands for the file in messages and in source_file. */
    ld.paths[0] = path;
    ld.n_paths = 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    parse_documents(&ld, path, &parser);
    yaml_parser_delete(&parser);
    pass_settings(&ld);
    pass_hosts(&ld);
    pass_targets(&ld);
    if (ld.set->n_hosts == 0 && ld.n_errors == 0)
        xdi__fx_error(&ld, name, 0, "the fixture set defines no hosts");
    loader_free(&ld);
    if (ld.n_errors > 0) {
        xdi_fixture_free(ld.set);
        return ld.n_errors;
    }
    *out = ld.set;
    return 0;
}

static void free_job(struct xdi_job *j)
{
    for (size_t i = 0; i < j->n_triggers; i++) {
        free(j->triggers[i].conditions);
        free(j->triggers[i].source_file);
    }
    free(j->triggers);
    free(j->source_file);
}

static void free_host(struct xdi_host *h)
{
    for (size_t i = 0; i < h->n_events; i++) {
        free(h->events[i].action);
        free(h->events[i].action_target);
        free(h->events[i].source_file);
    }
    free(h->events);
    for (size_t i = 0; i < h->n_jobs; i++)
        free_job(&h->jobs[i]);
    free(h->jobs);
    free(h->allowed);
    free(h->password);
    free(h->cancel_command);
    free(h->ems_raw);
    free(h->scd_raw);
    free(h->source_file);
}

void xdi_fixture_free(struct xdi_fixture_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n_hosts; i++)
        free_host(&set->hosts[i]);
    free(set->hosts);
    free(set->holidays);
    for (size_t i = 0; i < set->n_files; i++)
        free(set->files[i]);
    free(set->files);
    free(set);
}

/* ======================================================================
 * queries
 * ==================================================================== */

const struct xdi_host *xdi_fixture_find_host(const struct xdi_fixture_set *set,
                                             const char *system_name)
{
    if (set == NULL || system_name == NULL || system_name[0] == '\0')
        return NULL;
    for (size_t i = 0; i < set->n_hosts; i++)
        if (strcmp(set->hosts[i].system_name, system_name) == 0)
            return &set->hosts[i];
    return NULL;
}

int xdi_fixture_is_holiday(void *set, const struct naccb_date *date)
{
    const struct xdi_fixture_set *s = set;

    if (s == NULL || date == NULL || s->n_holidays == 0)
        return 0;
    return bsearch(date, s->holidays, s->n_holidays, sizeof *s->holidays,
                   cmp_dates) != NULL;
}

/* The peer's family and address bytes; an IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, a dual-stack socket's view of an IPv4 peer) counts as
 * IPv4.  Copies through memcpy: no casts to wider pointer types. */
static int peer_address(const struct sockaddr *peer, int *family,
                        uint8_t addr[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xFF, 0xFF};

    if (peer == NULL)
        return -1;
    if (peer->sa_family == AF_INET) {
        struct sockaddr_in sin;
        memcpy(&sin, peer, sizeof sin);
        memcpy(addr, &sin.sin_addr, 4);
        *family = AF_INET;
        return 0;
    }
    if (peer->sa_family == AF_INET6) {
        struct sockaddr_in6 sin6;
        memcpy(&sin6, peer, sizeof sin6);
        memcpy(addr, &sin6.sin6_addr, 16);
        *family = AF_INET6;
        if (memcmp(addr, mapped, sizeof mapped) == 0) {
            memmove(addr, addr + 12, 4);
            *family = AF_INET;
        }
        return 0;
    }
    return -1;
}

/* The first prefix bits of a and b are equal. */
static int prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
    unsigned full = prefix / 8, rest = prefix % 8;

    if (memcmp(a, b, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    return ((a[full] ^ b[full]) & (uint8_t)(0xFFu << (8 - rest))) == 0;
}

int xdi_host_allows_peer(const struct xdi_host *host,
                         const struct sockaddr *peer)
{
    uint8_t addr[16];
    int family;

    if (host == NULL)
        return 0;
    if (host->n_allowed == 0)
        return 1;
    if (peer_address(peer, &family, addr) != 0)
        return 0;
    for (size_t i = 0; i < host->n_allowed; i++)
        if (host->allowed[i].family == family &&
            prefix_equal(host->allowed[i].addr, addr, host->allowed[i].prefix))
            return 1;
    return 0;
}
