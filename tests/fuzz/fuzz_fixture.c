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
#include "fuzz_files.h"

#ifndef XDI_FUZZ_FIXTURES
#error "XDI_FUZZ_FIXTURES: the fixture directory (tests/fuzz/CMakeLists.txt)"
#endif

static char dir[64];
static char hosts_path[96], settings_path[96];
static uint8_t *default_settings;
static size_t default_settings_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const raw[] = {"testr.ems", "testr.scd"};
    char path[512];
    uint8_t *b;
    size_t n;

    (void)argc;
    (void)argv;
    fz_tmpset("fixture", dir, sizeof(dir));
    snprintf(hosts_path, sizeof(hosts_path), "%s/hosts.yaml", dir);
    snprintf(settings_path, sizeof(settings_path), "%s/settings.yaml", dir);
    default_settings = fz_slurp(XDI_FUZZ_FIXTURES "/settings.yaml",
                             &default_settings_len);
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", XDI_FUZZ_FIXTURES "/raw", raw[i]);
        b = fz_slurp(path, &n);
        snprintf(path, sizeof(path), "%s/raw/%s", dir, raw[i]);
        fz_spill(path, b, n);
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

    fz_spill(hosts_path, data, hosts_len);
    if (nul != NULL)
        fz_spill(settings_path, nul + 1, size - hosts_len - 1);
    else
        fz_spill(settings_path, default_settings, default_settings_len);
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
