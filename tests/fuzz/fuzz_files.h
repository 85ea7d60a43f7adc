/*
 * fuzz_files.h - the files of the fuzz targets that load fixture sets
 * (fuzz_fixture, fuzz_server): whole-file reads and writes that abort on
 * failure (a target's setup has no one to report to), and one temporary
 * fixture directory per process, removed at exit.
 */
#ifndef XDI_FUZZ_FILES_H
#define XDI_FUZZ_FILES_H

#include <stddef.h>
#include <stdint.h>

/* The whole file, malloc'd and NUL-terminated (not counted in *len). */
uint8_t *fz_slurp(const char *path, size_t *len);

/* Writes n bytes to path, replacing it. */
void fz_spill(const char *path, const uint8_t *p, size_t n);

/* Makes $TMPDIR (or /tmp)/xdi-fuzz-TAG.XXXXXX with a raw/ folder into dir
 * (size bytes), removed at exit with the files of a fixture set named in
 * FZ_SET_FILES. */
void fz_tmpset(const char *tag, char *dir, size_t size);

/* The files a fixture set of fixtures/test's shape has. */
#define FZ_SET_FILES                                                           \
    {"hosts.yaml", "settings.yaml", "raw/testr.ems", "raw/testr.scd"}

#endif
