/*
 * test_tablemem.c — tables (tablemem.h): zeroed memory, small and large
 * (from 2 MB up aligned to 2 MB, except under ASan, where all come from
 * malloc), released by size, sizes that overflow or come near it refused,
 * zeroed again when malloc hands back memory a table had written (tables
 * under 2 MB are malloc'd and cleared); and shrinking, which keeps the
 * first bytes whether the table stays mapped, moves to malloc or was
 * malloc's; growing, which keeps the first bytes and zeroes the rest from
 * malloc to malloc, from malloc to a mapping, and from mapping to mapping
 * (its pages moved, not copied). And the huge-page hint for a malloc'd block
 * (asy_table_advise): the block's bytes kept, the whole 2 MB pages
 * inside it advised (VmFlags "hg" in /proc/self/smaps), nothing outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void test_advise(void **state)
{
    (void)state;
    asy_table_advise(NULL, 64 * MB); /* nothing */
    unsigned char *small = malloc(MB);
    assert_non_null(small);
    memset(small, 5, MB);
    asy_table_advise(small, MB); /* under 4 MB: nothing */
    for (size_t i = 0; i < MB; i++)
        assert_int_equal(small[i], 5);
    free(small);
    size_t n = 12 * MB + 12345;
    unsigned char *p = malloc(n);
    assert_non_null(p);
    memset(p, 7, n);
    asy_table_advise(p + 3, n - 3);
    for (size_t i = 0; i < n; i++)
        if (p[i] != 7)
            fail_msg("byte %zu changed", i);
    if (!asy_table_maps() ||
        access("/sys/kernel/mm/transparent_hugepage", F_OK) != 0 ||
        advised(p) < 0) {
        free(p);
        skip(); /* no huge pages here, or tables come from malloc (ASan) */
    }
    const uintptr_t huge = 2 * MB;
    uintptr_t from = ((uintptr_t)(p + 3) + huge - 1) & ~(huge - 1);
    uintptr_t to = ((uintptr_t)(p + n)) & ~(huge - 1);
    assert_true(to - from >= 8 * MB);
    assert_int_equal(advised((void *)from), 1);
    assert_int_equal(advised((void *)(to - 1)), 1);
    assert_int_equal(advised((void *)(from - 1)), 0);
    if (to < (uintptr_t)(p + n))
        assert_int_equal(advised((void *)to), 0);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sizes),
                                       cmocka_unit_test(test_reused),
                                       cmocka_unit_test(test_shrink),
                                       cmocka_unit_test(test_grow),
                                       cmocka_unit_test(test_advise)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
