/*
 * tablemem.c — asy_table_calloc (tablemem.h): calloc, or for a table of
 * 2 MB or more an anonymous mapping of its own, 2 MB-aligned, with
 * MADV_HUGEPAGE (Linux; Debian's transparent huge pages are in "madvise"
 * mode, so nothing is huge unless asked). A fresh mapping reads as zero,
 * so nothing is written to it here: the kernel zeroes each page as it is
 * first touched. (Before: posix_memalign and memset, which wrote every
 * byte after the kernel had zeroed it, and whose freed blocks malloc
 * could give back to the system and take again, zeroed again, at each
 * doubling: clearing pages took 4.9 % of a -j 2 wordfreq run's CPU.)
 * A smaller table is malloc'd and cleared here, even where calloc would
 * know its pages to be fresh and leave them alone: a table's first touch
 * is a probe, a read, which maps the shared zero page, and the write
 * after it copies that page, so each page faulted twice, and, in a run
 * with threads on other CPUs, the copy's TLB flush interrupted them all
 * (an IPI). In a -j 2 wordfreq run those flushes and the lock they held
 * took 3.9 % of the samples (smp_call_function_many_cond and
 * __pv_queued_spin_lock_slowpath); written first, each page faults once.
 */
#define _GNU_SOURCE /* mremap */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "tablemem.h"

#define HUGE_PAGE ((size_t)2 << 20)
#define SPARE_MIN ((size_t)4 << 20) /* smaller tables are not kept */

/* Under AddressSanitizer every table comes from malloc, where ASan sees
 * an index past its end; a mapping of our own it does not watch. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#if defined(__linux__) && defined(MAP_ANONYMOUS) && !defined(UNDER_ASAN)
#define MAPPED 1

static size_t page_round(size_t bytes)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (bytes + page - 1) / page * page;
}

/* bytes (a multiple of the page size) mapped at a 2 MB boundary: a
 * mapping 2 MB larger, its ends beyond the aligned part given back. */
static void *map_aligned(size_t bytes)
{
    if (bytes > SIZE_MAX - HUGE_PAGE)
        return NULL;
    char *p = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    char *a = (char *)(((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
    if (a > p)
        munmap(p, (size_t)(a - p));
    if (p + HUGE_PAGE > a)
        munmap(a + bytes, (size_t)(p + HUGE_PAGE - a));
#if defined(MADV_HUGEPAGE)
    madvise(a, bytes, MADV_HUGEPAGE); /* a hint: fine if refused */
#endif
    return a;
}
#else
#define MAPPED 0
#endif

/*
 * The spare: one retired table (asy_table_retire) whose mapping is kept,
 * its pages still faulted in, for the next block (asy_table_block), an
 * array written end to end that needs no zeroing. Memory touched for the
 * first time costs more than the writes that fill it: the kernel zeroes
 * each page, and under a hypervisor the host may back it only then. At
 * the end of a -j 2 wordfreq run the second worker's 16 MB word table was
 * unmapped just before the 15 MB block of entries was mapped and faulted
 * in, which took one thread 7 ms in a sitting where first touches were
 * slow (0.7-3 GB/s). A table is kept only while someone asks for it
 * (asy_table_keep: the engine, from merging its workers' states to the
 * end of finish), since what malloc and Lua allocate meanwhile lies on
 * top of it; any other large mapping gives the spare back first, and so
 * does asy_table_trim. (Kept at every retire, a counter collected in a
 * plugin's finish while it built 4 million rows as Lua tables added its
 * 32 MB to the peak: review26.)
 */
#if MAPPED
static atomic_int keeping; /* asy_table_keep(1) calls not yet undone */
static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static char *spare;       /* NULL: none */
static size_t spare_len;  /* its mapping's length, whole pages */

/* Take the spare when it holds `len` bytes (a multiple of the page size),
 * its pages past them given back; else give it back. NULL when there was
 * none or it was too small. */
static char *take_spare(size_t len)
{
    pthread_mutex_lock(&spare_lock);
    char *p = spare;
    size_t have = spare_len;
    spare = NULL;
    spare_len = 0;
    pthread_mutex_unlock(&spare_lock);
    if (!p)
        return NULL;
    if (have < len) {
        munmap(p, have);
        return NULL;
    }
    if (have > len)
        munmap(p + len, have - len);
    return p;
}
#endif

void asy_table_trim(void)
{
#if MAPPED
    take_spare(SIZE_MAX);
#endif
}

void asy_table_keep(int on)
{
#if MAPPED
    if (on) {
        atomic_fetch_add(&keeping, 1);
    } else if (atomic_fetch_sub(&keeping, 1) == 1) {
        asy_table_trim();
    }
#else
    (void)on;
#endif
}

void *asy_table_block(size_t bytes)
{
    if (bytes > SIZE_MAX / 2) /* as asy_table_calloc: refused */
        return NULL;
#if MAPPED
    if (bytes >= HUGE_PAGE) {
        size_t len = page_round(bytes);
        char *p = take_spare(len);
        return p ? p : map_aligned(len);
    }
#endif
    return malloc(bytes ? bytes : 1);
}

void asy_table_retire(void *p, size_t bytes)
{
#if MAPPED
    if (p && bytes >= SPARE_MIN && atomic_load(&keeping) > 0) {
        size_t len = page_round(bytes);
        pthread_mutex_lock(&spare_lock);
        char *drop = p;
        size_t drop_len = len;
        if (!spare || spare_len <= len) { /* keep the larger */
            drop = spare;
            drop_len = spare_len;
            spare = p;
            spare_len = len;
        }
        pthread_mutex_unlock(&spare_lock);
        if (drop)
            munmap(drop, drop_len);
        return;
    }
#endif
    asy_table_release(p, bytes);
}

void *asy_table_calloc(size_t n, size_t size)
{
    /* no table is half the address space: refused before the page
     * rounding below could wrap */
    if (size && n > SIZE_MAX / 2 / size)
        return NULL;
    size_t bytes = n * size;
    if (!MAPPED || bytes < HUGE_PAGE) {
        void *p = malloc(bytes ? bytes : 1);
        if (p)
            memset(p, 0, bytes);
        return p;
    }
#if MAPPED
    asy_table_trim(); /* not kept while a table is mapped */
    return map_aligned(page_round(bytes));
#endif
}

int asy_table_maps(void)
{
    return MAPPED;
}

void asy_table_release(void *p, size_t bytes)
{
    if (!p)
        return;
#if MAPPED
    if (bytes >= HUGE_PAGE) {
        munmap(p, page_round(bytes));
        return;
    }
#endif
    (void)bytes;
    free(p);
}

void *asy_table_grow(void *p, size_t bytes, size_t more)
{
#if MAPPED
    if (more >= HUGE_PAGE) {
        size_t have = page_round(bytes);
        asy_table_trim(); /* not kept while a table is mapped */
        char *q = more <= SIZE_MAX / 2 ? map_aligned(page_round(more)) : NULL;
        if (!q)
            return NULL;
        if (bytes < HUGE_PAGE) { /* from malloc: copied, once */
            memcpy(q, p, bytes);
            free(p);
            return q;
        }
        /* The pages themselves, moved to the new place (both 2 MB
         * aligned: whole huge pages) and grown there to its size in the
         * same call, so that the table stays one mapping at every size.
         * Moved only, a table would end up as one mapping per growth, and
         * kernels before 6.17 refuse to move a range over several
         * mappings (EFAULT), after unmapping the target. The same may
         * have happened here on failure, so q is not touched then: p is
         * as it was, and q's reservation (address space only, never
         * written) may remain; unmapping it could undo another thread's
         * mapping made there meanwhile. Found by review25. */
        if (mremap(p, have, page_round(more), MREMAP_MAYMOVE | MREMAP_FIXED,
                   q) == MAP_FAILED)
            return NULL;
        return q;
    }
#endif
    if (more > SIZE_MAX / 2)
        return NULL;
    char *q = realloc(p, more);
    if (q)
        memset(q + bytes, 0, more - bytes);
    return q;
}

void *asy_table_shrink(void *p, size_t bytes, size_t keep)
{
#if MAPPED
    if (bytes >= HUGE_PAGE && keep >= HUGE_PAGE) { /* stays mapped */
        size_t have = page_round(bytes), want = page_round(keep);
        if (want < have)
            munmap((char *)p + want, have - want);
        return p;
    }
    if (bytes >= HUGE_PAGE) { /* small enough for malloc now */
        void *q = malloc(keep);
        if (!q)
            return NULL;
        memcpy(q, p, keep);
        munmap(p, page_round(bytes));
        return q;
    }
#endif
    (void)bytes;
    return realloc(p, keep);
}
