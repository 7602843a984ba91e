/*
 * tablemem.c — asy_table_calloc (tablemem.h): calloc, or for a table of
 * 2 MB or more, 2 MB-aligned memory with MADV_HUGEPAGE (Linux; Debian's
 * transparent huge pages are in "madvise" mode, so nothing is huge unless
 * asked). The table is zeroed at once: it is about to be touched all over.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tablemem.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *asy_table_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size;
    if (bytes < HUGE_PAGE)
        return calloc(n, size);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint: fine if refused */
#endif
    memset(p, 0, bytes);
    return p;
}
