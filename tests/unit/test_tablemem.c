/*
 * test_tablemem.c — tables (tablemem.h): zeroed memory, small and large
 * (from 2 MB up aligned to 2 MB, except under ASan, where all come from
 * malloc), released by size, sizes that overflow or come near it refused,
 * zeroed again when malloc hands back memory a table had written (tables
 * under 2 MB are malloc'd and cleared); and shrinking, which keeps the
 * first bytes whether the table stays mapped, moves to malloc or was
 * malloc's; growing, which keeps the first bytes and zeroes the rest from
 * malloc to malloc, from malloc to a mapping, and from mapping to mapping
 * (its pages moved, not copied). Blocks (asy_table_block): malloc'd
 * under 2 MB, else mapped and advised for huge pages (VmFlags "hg" in
 * /proc/self/smaps), and given the spare, a retired table's mapping
 * (asy_table_retire) while tables are kept (asy_table_keep), when it is
 * large enough, its pages past the block given back; a retired table when
 * none are kept, a smaller spare, one retired after a larger, and the
 * spare when a table is mapped, the engine trims or the last keeping
 * stops, are unmapped at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "tablemem.h"

#define MB ((size_t)1 << 20)

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_sizes(void **state)
{
    (void)state;
    size_t sizes[] = {1, 4096, 2 * MB - 32, 2 * MB, 3 * MB};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = (sizes[k] / 32 ? sizes[k] / 32 : 1) * 32;
        unsigned char *p = asy_table_calloc(n / 32, 32);
        assert_non_null(p);
        assert_true(all_zero(p, n));
        if (n >= 2 * MB && asy_table_maps())
            assert_int_equal((uintptr_t)p % (2 * MB), 0);
        memset(p, 0xab, n); /* all of it is ours */
        asy_table_release(p, n);
    }
    asy_table_release(NULL, 4 * MB); /* nothing */
    assert_null(asy_table_calloc(SIZE_MAX / 8 + 1, 16)); /* n * size wraps */
    /* no wrap, but within a page of the top: page rounding would wrap */
    assert_null(asy_table_calloc(SIZE_MAX / 16, 16));
    assert_null(asy_table_calloc(1, SIZE_MAX - 100));
}

/* A table of `bytes` filled with a pattern, shrunk to keep: the first
 * keep bytes survive and all of them can be written. */
static void shrink(size_t bytes, size_t keep)
{
    unsigned char *p = asy_table_calloc(bytes, 1);
    assert_non_null(p);
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)(i * 7 + 1);
    unsigned char *q = asy_table_shrink(p, bytes, keep);
    assert_non_null(q);
    for (size_t i = 0; i < keep; i++)
        assert_int_equal(q[i], (unsigned char)(i * 7 + 1));
    memset(q, 0, keep);
    asy_table_release(q, keep);
}

/* A small table written all over and released, then one of the same
 * size: malloc may well hand back the same block, and it must read as
 * zero all the same. (glibc hands back the sizes up to 256 KB; 1 MB is
 * mapped afresh each time, zero anyway.) */
static void test_reused(void **state)
{
    (void)state;
    size_t sizes[] = {64, 4096, 256 * 1024, MB};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        for (int round = 0; round < 3; round++) {
            unsigned char *p = asy_table_calloc(sizes[k] / 16, 16);
            assert_non_null(p);
            assert_true(all_zero(p, sizes[k]));
            memset(p, 0xcd, sizes[k]);
            asy_table_release(p, sizes[k]);
        }
    }
}

static void test_shrink(void **state)
{
    (void)state;
    shrink(8 * MB, 3 * MB + 100); /* stays mapped, its tail given back */
    shrink(4 * MB, 4 * MB);       /* nothing to give back */
    shrink(4 * MB, 1 * MB + 5);   /* to malloc */
    shrink(64 * 1024, 100);       /* malloc's realloc */
}

static void grow(size_t bytes, size_t more)
{
    unsigned char *p = asy_table_calloc(bytes, 1);
    assert_non_null(p);
    for (size_t i = 0; i < bytes; i += 4093)
        p[i] = (unsigned char)(i / 4093 % 255 + 1);
    p[bytes - 1] = 0xEE;
    unsigned char *q = asy_table_grow(p, bytes, more);
    assert_non_null(q);
    for (size_t i = 0; i < bytes - 1; i++)
        if (q[i] != (i % 4093 ? 0 : (unsigned char)(i / 4093 % 255 + 1)))
            fail_msg("%zu -> %zu: byte %zu changed", bytes, more, i);
    assert_int_equal(q[bytes - 1], 0xEE);
    assert_true(all_zero(q + bytes, more - bytes));
    q[more - 1] = 1; /* all of it writable */
    asy_table_release(q, more);
}

/* The mapping of /proc/self/maps that holds p: its start and end; 0 when
 * there is none or no /proc. */
static int mapping_of(const void *p, uintptr_t *lo, uintptr_t *hi)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx", &a, &b) == 2 && (uintptr_t)p >= a &&
            (uintptr_t)p < b) {
            *lo = a;
            *hi = b;
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static void test_grow(void **state)
{
    (void)state;
    grow(4096, 8192);        /* malloc to malloc */
    grow(1 * MB, 2 * MB);    /* malloc to a mapping */
    grow(2 * MB, 4 * MB);    /* mapping to mapping */
    grow(8 * MB, 16 * MB);
    grow(64 * 1024, 4 * MB); /* more than doubled */
    /* grown three times, a mapped table is still one mapping (a table
     * split into several could not be moved again by kernels before
     * 6.17) */
    size_t size = 2 * MB;
    char *p = asy_table_calloc(size, 1);
    assert_non_null(p);
    for (int i = 0; i < 3; i++, size *= 2) {
        p[size - 1] = (char)(i + 1);
        p = asy_table_grow(p, size, 2 * size);
        assert_non_null(p);
        assert_int_equal(p[size - 1], i + 1);
    }
    uintptr_t lo, hi;
    if (asy_table_maps() && mapping_of(p, &lo, &hi)) {
        assert_true(lo <= (uintptr_t)p); /* one mapping holds it all */
        assert_true(hi >= (uintptr_t)p + size);
    }
    asy_table_release(p, size);
}

/* Whether the mapping holding p is advised for huge pages: 1 or 0; -1
 * when /proc/self/smaps does not say. */
static int advised(const void *p)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
    char line[512];
    int in = 0, r = -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') &&
            line[0] != 'V') {
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
            continue;
        }
        if (in && strncmp(line, "VmFlags:", 8) == 0) {
            r = strstr(line, " hg") != NULL;
            break;
        }
    }
    fclose(f);
    return r;
}

/* Whether [p, p + n) is all mapped: 1, or 0 when some page is not. */
static int mapped(const void *p, size_t n)
{
    unsigned char vec[64];
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t at = 0; at < n; at += 64 * page) {
        size_t k = n - at < 64 * page ? n - at : 64 * page;
        if (mincore((void *)((uintptr_t)p + at), k, vec) != 0)
            return 0;
    }
    return 1;
}

/* That the mapping of old (len bytes) was given back, when a mapping made
 * since, at p (n bytes), does not lie over it: if it does, the kernel
 * could only have put it there once old was gone. */
static void assert_gone(const void *old, size_t len, const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)old, b = (uintptr_t)p;
    if (b + n <= a || a + len <= b)
        assert_false(mapped(old, 4096));
}

static void test_block(void **state)
{
    (void)state;
    asy_table_trim();
    unsigned char *small = asy_table_block(MB);
    assert_non_null(small);
    memset(small, 5, MB);
    asy_table_release(small, MB);
    size_t n = 12 * MB + 12345;
    unsigned char *p = asy_table_block(n);
    assert_non_null(p);
    memset(p, 7, n); /* all of it is ours */
    if (!asy_table_maps()) {
        asy_table_release(p, n);
        skip(); /* blocks come from malloc here (ASan) */
    }
    assert_int_equal((uintptr_t)p % (2 * MB), 0);
    if (access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0 &&
        advised(p) >= 0)
        assert_int_equal(advised(p), 1);
    asy_table_release(p, n);
    assert_false(mapped(p, 4096));
    assert_null(asy_table_block(SIZE_MAX / 2 + 1));
}

static void test_spare(void **state)
{
    (void)state;
    asy_table_trim();
    if (asy_table_maps()) { /* not kept unless asked for */
        unsigned char *t = asy_table_calloc(8 * MB / 32, 32);
        assert_non_null(t);
        asy_table_retire(t, 8 * MB);
        assert_false(mapped(t, 4096));
    }
    asy_table_keep(1);
    if (!asy_table_maps()) { /* retired tables are simply freed */
        unsigned char *t = asy_table_calloc(8 * MB / 32, 32);
        assert_non_null(t);
        asy_table_retire(t, 8 * MB);
        unsigned char *b = asy_table_block(6 * MB);
        assert_non_null(b);
        memset(b, 1, 6 * MB);
        asy_table_release(b, 6 * MB);
        asy_table_keep(0);
        skip();
    }
    /* a retired table is the next block, what it has past it given back */
    unsigned char *t = asy_table_calloc(16 * MB / 32, 32);
    assert_non_null(t);
    memset(t, 9, 16 * MB);
    asy_table_retire(t, 16 * MB);
    assert_true(mapped(t, 16 * MB)); /* kept */
    size_t n = 15 * MB + 100;
    unsigned char *b = asy_table_block(n);
    assert_ptr_equal(b, t);
    assert_int_equal(b[0], 9); /* its pages as they were: not zeroed */
    size_t len = (n + 4095) / 4096 * 4096;
    assert_true(mapped(b, len));
    assert_false(mapped(b + len, 16 * MB - len));
    memset(b, 1, n);
    asy_table_release(b, n);
    assert_false(mapped(b, 4096));

    /* too small a spare is unmapped, not kept, when a block is had */
    t = asy_table_calloc(4 * MB / 32, 32);
    assert_non_null(t);
    memset(t, 9, 4 * MB);
    asy_table_retire(t, 4 * MB);
    b = asy_table_block(8 * MB);
    assert_non_null(b);
    assert_int_equal(b[0], 0); /* fresh pages, not the table's */
    assert_gone(t, 4 * MB, b, 8 * MB);
    asy_table_release(b, 8 * MB);

    /* the larger of two is kept, the other unmapped at once */
    unsigned char *big = asy_table_calloc(8 * MB / 32, 32);
    unsigned char *less = asy_table_calloc(4 * MB / 32, 32);
    assert_non_null(big);
    assert_non_null(less);
    asy_table_retire(big, 8 * MB);
    asy_table_retire(less, 4 * MB);
    assert_false(mapped(less, 4096));
    assert_true(mapped(big, 8 * MB));
    b = asy_table_block(6 * MB);
    assert_ptr_equal(b, big);
    asy_table_release(b, 6 * MB);
    less = asy_table_calloc(4 * MB / 32, 32);
    big = asy_table_calloc(8 * MB / 32, 32);
    asy_table_retire(less, 4 * MB);
    asy_table_retire(big, 8 * MB); /* replaces it */
    assert_false(mapped(less, 4096));
    assert_true(mapped(big, 8 * MB));

    /* mapping a table gives the spare back first, zeroed memory all the
     * same */
    unsigned char *z = asy_table_calloc(4 * MB / 32, 32);
    assert_non_null(z);
    assert_gone(big, 8 * MB, z, 4 * MB);
    assert_true(all_zero(z, 4 * MB));
    asy_table_release(z, 4 * MB);

    /* so does a table growing into a new mapping */
    t = asy_table_calloc(8 * MB / 32, 32);
    z = asy_table_calloc(2 * MB / 32, 32);
    assert_non_null(t);
    assert_non_null(z);
    asy_table_retire(t, 8 * MB);
    z = asy_table_grow(z, 2 * MB, 4 * MB);
    assert_non_null(z);
    assert_gone(t, 8 * MB, z, 4 * MB);
    asy_table_release(z, 4 * MB);

    /* and trimming, at the end of a run */
    t = asy_table_calloc(8 * MB / 32, 32);
    assert_non_null(t);
    asy_table_retire(t, 8 * MB);
    assert_true(mapped(t, 8 * MB));
    asy_table_trim();
    assert_false(mapped(t, 4096));
    asy_table_trim(); /* none: nothing */

    /* a table under 4 MB is not kept */
    t = asy_table_calloc(2 * MB / 32, 32);
    assert_non_null(t);
    asy_table_retire(t, 2 * MB);
    assert_false(mapped(t, 4096));
    asy_table_retire(NULL, 8 * MB); /* nothing */

    /* keeping nests; the last stop gives the spare back */
    asy_table_keep(1);
    t = asy_table_calloc(8 * MB / 32, 32);
    assert_non_null(t);
    asy_table_retire(t, 8 * MB);
    asy_table_keep(0);
    assert_true(mapped(t, 8 * MB)); /* still asked for once */
    asy_table_keep(0);
    assert_false(mapped(t, 4096));
    t = asy_table_calloc(8 * MB / 32, 32);
    assert_non_null(t);
    asy_table_retire(t, 8 * MB); /* no longer asked for: freed */
    assert_false(mapped(t, 4096));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sizes),
                                       cmocka_unit_test(test_reused),
                                       cmocka_unit_test(test_shrink),
                                       cmocka_unit_test(test_grow),
                                       cmocka_unit_test(test_block),
                                       cmocka_unit_test(test_spare)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
