/*
 * fuzz_fixture.c - the fixture loader (server/core/fixture*.c, the YAML
 * of docs/fixtures.md) on arbitrary files.
 *
 * The loader reads a directory, so each input is written to a temporary
 * directory made once per process: the bytes before the first NUL become
 * hosts.yaml, the bytes after it (when there is one) settings.yaml, else
 * the tests' settings.yaml (fixtures/test) is used.  The tests' raw tables
 * are copied in once, so inputs that name raw/testr.ems and raw/testr.scd
 * reach the raw-table paths.  A set that loads is looked through (every
 * host found again by its name) and freed; errors go to a sink that checks
 * each message is a string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "fuzz.h"

#ifndef XDI_FUZZ_FIXTURES
#error "XDI_FUZZ_FIXTURES: the fixture directory (tests/fuzz/CMakeLists.txt)"
#endif

static char dir[64];
static char hosts_path[96], settings_path[96];
static uint8_t *default_settings;
static size_t default_settings_len;

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, fp) != (size_t)n)
        abort();
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void spill(const char *path, const uint8_t *p, size_t n)
{
    FILE *fp = fopen(path, "wb");

    if (fp == NULL || fwrite(p, 1, n, fp) != n || fclose(fp) != 0)
        abort();
}

static void cleanup(void)
{
    static const char *const names[] = {"hosts.yaml", "settings.yaml",
                                        "raw/testr.ems", "raw/testr.scd"};
    char path[128];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/raw", dir);
    rmdir(path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const raw[] = {"testr.ems", "testr.scd"};
    const char *tmp = getenv("TMPDIR");
    char path[512];
    uint8_t *b;
    size_t n;

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof(dir), "%s/xdi-fuzz-fixture.XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    atexit(cleanup);
    snprintf(hosts_path, sizeof(hosts_path), "%s/hosts.yaml", dir);
    snprintf(settings_path, sizeof(settings_path), "%s/settings.yaml", dir);
    default_settings = slurp(XDI_FUZZ_FIXTURES "/settings.yaml",
                             &default_settings_len);
    snprintf(path, sizeof(path), "%s/raw", dir);
    if (mkdir(path, 0700) != 0)
        abort();
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", XDI_FUZZ_FIXTURES "/raw", raw[i]);
        b = slurp(path, &n);
        snprintf(path, sizeof(path), "%s/raw/%s", dir, raw[i]);
        spill(path, b, n);
        free(b);
    }
    return 0;
}

static void on_error(void *ctx, const char *file, int line, const char *msg)
{
    (void)ctx;
    /* Each must be a string the reports can print. */
    if (msg == NULL || line < 0)
        abort();
    (void)strlen(msg);
    if (file != NULL)
        (void)strlen(file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);
    size_t hosts_len = nul != NULL ? (size_t)(nul - data) : size;
    struct xdi_fixture_set *set = NULL;
    int rc;

    spill(hosts_path, data, hosts_len);
    if (nul != NULL)
        spill(settings_path, nul + 1, size - hosts_len - 1);
    else
        spill(settings_path, default_settings, default_settings_len);
    rc = xdi_fixture_load(dir, &set, on_error, NULL);
    if (rc == 0) {
        if (set == NULL)
            abort();
        for (size_t i = 0; i < set->n_hosts; i++)
            if (xdi_fixture_find_host(set, set->hosts[i].system_name) !=
                &set->hosts[i])
                abort();
        xdi_fixture_free(set);
    } else if (set != NULL) {
        abort(); /* loaded whole or not at all (fixture.h) */
    }
    return 0;
}
