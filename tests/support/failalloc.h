/*
 * failalloc.h - a link-time allocation seam for tests: the N-th allocation
 * fails (the malloc seam of nghttp2's and SQLite's test suites).
 *
 * A test executable linked with
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,
 *     --wrap=strndup
 * has every call to those functions from its own objects, and from the
 * members of the static libraries it links (libnaccb, xdi_core), go to the
 * __wrap_ functions below.  Calls made inside shared libraries (libc's own
 * fopen / getline / opendir, libyaml, cmocka) are not seen: --wrap only
 * rewrites the references the link editor resolves.  jansson is routed
 * through the seam with json_set_alloc_funcs (failalloc_json_hooks()).
 *
 * The counter only runs while armed: failalloc_arm(n) starts counting from
 * zero and makes the n-th allocation from then on return NULL (n = 0: none
 * fails, which is how a workload's allocations are counted).  Exactly one
 * allocation fails; the ones after it succeed again, so the code under test
 * must carry on, or fail cleanly, after the one that failed.
 * failalloc_arm_from(n) makes the n-th and every later one fail.
 */
#ifndef XDI_TESTS_FAILALLOC_H
#define XDI_TESTS_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Start counting from zero; the n-th allocation (1-based) fails, none when
 * n is 0. */
void failalloc_arm(unsigned long n);

/* The same, but every allocation from the n-th on fails (the "persistent"
 * mode of SQLite's malloc tests): error paths that allocate again fail
 * too. */
void failalloc_arm_from(unsigned long n);

/* Stop counting: allocations succeed and are not counted.  Pauses nest
 * (the test's own scaffolding pauses around what it allocates). */
void failalloc_disarm(void);
void failalloc_pause(void);
void failalloc_resume(void);

/* Allocations counted since the last failalloc_arm. */
unsigned long failalloc_count(void);

/* The armed allocation was reached and made to fail. */
bool failalloc_failed(void);

/* Routes jansson's allocations through the seam (call before any json_t
 * exists). */
void failalloc_json_hooks(void);

/* The wrappers the link editor substitutes for the real functions. */
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

#endif
