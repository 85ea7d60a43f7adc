/* fuzz_files.c - files of the fixture-loading fuzz targets (fuzz_files.h). */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_files.h"

static const char *const set_files[] = FZ_SET_FILES;
static char tmpset[64]; /* the directory fz_tmpset made, for cleanup */

uint8_t *fz_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;

    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
        fread(buf, 1, (size_t)n, fp) != (size_t)n)
        abort();
    fclose(fp);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

void fz_spill(const char *path, const uint8_t *p, size_t n)
{
    FILE *fp = fopen(path, "wb");

    if (fp == NULL || fwrite(p, 1, n, fp) != n || fclose(fp) != 0)
        abort();
}

static void cleanup(void)
{
    char path[128];

    for (size_t i = 0; i < sizeof(set_files) / sizeof(set_files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", tmpset, set_files[i]);
        unlink(path);
    }
    snprintf(path, sizeof(path), "%s/raw", tmpset);
    rmdir(path);
    rmdir(tmpset);
}

void fz_tmpset(const char *tag, char *dir, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    char path[128];

    snprintf(tmpset, sizeof(tmpset), "%s/xdi-fuzz-%s.XXXXXX",
             tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp", tag);
    if (mkdtemp(tmpset) == NULL || strlen(tmpset) >= size)
        abort();
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/raw", tmpset);
    if (mkdir(path, 0700) != 0)
        abort();
    memcpy(dir, tmpset, strlen(tmpset) + 1);
}
