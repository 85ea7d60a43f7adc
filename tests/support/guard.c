/* guard.c - bytes against a guard page (guard.h). */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "guard.h"

struct guarded guard(const uint8_t *src, size_t n)
{
    struct guarded g;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (n + page - 1) / page + 1;
    void *p = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    assert_true(p != MAP_FAILED);
    g.map = p;
    g.map_len = pages * page;
    assert_int_equal(mprotect(g.map + (pages - 1) * page, page, PROT_NONE),
                     0);
    g.data = g.map + (pages - 1) * page - n;
    if (n > 0)
        memcpy(g.data, src, n);
    return g;
}

void unguard(struct guarded *g)
{
    munmap(g->map, g->map_len);
}
