/*
 * failalloc.c - the allocation seam of failalloc.h.
 *
 * The __real_ functions are the link editor's names for the originals
 * (under ASan, the sanitizer's interceptors): nothing here reimplements an
 * allocator, it only decides whether to forward the call.
 */
#include "failalloc.h"

#include <string.h>

#include <jansson.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

static bool armed, failed, sticky;
static unsigned paused; /* pause depth: pauses nest */
static unsigned long count, fail_at;

void failalloc_arm(unsigned long n)
{
    sticky = false;
    armed = true;
    paused = 0;
    failed = false;
    count = 0;
    fail_at = n;
}

void failalloc_arm_from(unsigned long n)
{
    failalloc_arm(n);
    sticky = n > 0;
}

void failalloc_disarm(void)
{
    armed = false;
}

void failalloc_pause(void)
{
    paused++;
}

void failalloc_resume(void)
{
    if (paused > 0)
        paused--;
}

unsigned long failalloc_count(void)
{
    return count;
}

bool failalloc_failed(void)
{
    return failed;
}

/* Counts one allocation; true when it is the one to fail. */
static bool should_fail(void)
{
    if (!armed || paused > 0)
        return false;
    ++count;
    if (count != fail_at && !(sticky && count > fail_at))
        return false;
    failed = true;
    return true;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    /* A failed realloc leaves p as it was, as the real one does. */
    return should_fail() ? NULL : __real_realloc(p, size);
}

/* strdup and strndup allocate inside libc, where --wrap=malloc does not
 * reach: they are rebuilt on the wrapped malloc. */
char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = __wrap_malloc(len + 1);

    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static void json_free(void *p)
{
    free(p);
}

void failalloc_json_hooks(void)
{
    json_set_alloc_funcs(__wrap_malloc, json_free);
}
