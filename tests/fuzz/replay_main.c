/*
 * replay_main.c - the plain (non-fuzzing) build of a fuzz target: runs
 * LLVMFuzzerTestOneInput once over every file named on the command line
 * and every file of every directory named (sorted, dot files skipped), so
 * that the regression corpus (tests/fuzz/regress/<target>/) and the seed
 * corpus (tests/fuzz/corpus/<target>/) run in every preset's ctest
 * (fuzz.regress.<target>, tests/fuzz/CMakeLists.txt).  A crash is the
 * test failing; under the asan preset a sanitizer report is one too.
 *
 * Each input is copied into a buffer of exactly its size, as libFuzzer
 * does, so that a read past the input is caught under ASan.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Defined by the targets that need a set-up (weak: the others do not). */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf;
    long size;

    if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
        fseek(fp, 0, SEEK_SET) != 0) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        if (fp != NULL)
            fclose(fp);
        return -1;
    }
    /* +1 keeps malloc(0) away; the target sees exactly size bytes. */
    buf = malloc((size_t)size + 1);
    if (buf == NULL || fread(buf, 1, (size_t)size, fp) != (size_t)size) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        free(buf);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(buf, (size_t)size);
    free(buf);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; returns the count or -1. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    long ran = 0;

    if (d == NULL) {
        fprintf(stderr, "replay: %s: cannot open\n", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
            if (names == NULL)
                abort();
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (names[n] == NULL)
            abort();
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof(*names), by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]) != 0)
                ran = -1;
            else if (ran >= 0)
                ran++;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    long total = 0;
    int failed = 0;

    if (LLVMFuzzerInitialize != NULL)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long ran;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: no such file or directory\n", argv[i]);
            failed = 1;
            continue;
        }
        ran = S_ISDIR(st.st_mode) ? run_dir(argv[i])
                                  : (run_file(argv[i]) == 0 ? 1 : -1);
        if (ran < 0)
            failed = 1;
        else
            total += ran;
    }
    printf("replay: %ld inputs ran\n", total);
    return failed;
}
