/*
 * test_counter_oom.c — the counter's threaded paths when memory runs out:
 * allocation number f fails (malloc, calloc, realloc and mmap of libassay
 * are wrapped at link time: tests/CMakeLists.txt), for every f until the call
 * succeeds. A merge on threads that fails leaves a total equal to the sum
 * of the counts it holds, and one that succeeds equals the one-thread
 * merge; a threaded sort and the n-gram rows return nothing or the right
 * entries. (A merge failing half-way once left the total of the keys
 * found in both tables out.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "counter.h"
#include "ngram.h"
#include "testutil.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_mmap(void *addr, size_t n, int prot, int flags, int fd,
                  off_t off);

/* The allocation that fails: 0 = the next. A plain variable: with the
 * thread counts used here, every allocation of the calls under test is
 * made by the calling thread (the merge's and the sort's other threads
 * allocate nothing; a round of one split runs on the caller). */
static long countdown = -1;

static int fail_now(void)
{
    return countdown >= 0 && countdown-- == 0;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

/* Large tables and arrays of entries are mappings (tablemem.h). */
void *__wrap_mmap(void *addr, size_t n, int prot, int flags, int fd,
                  off_t off)
{
    return fail_now() ? MAP_FAILED
                      : __real_mmap(addr, n, prot, flags, fd, off);
}

/* n paired keys "key-<base + step i>", counts 1..7. */
static asy_counter *keys(size_t n, unsigned base, unsigned step)
{
    asy_counter *c = asy_counter_new();
    assert_non_null(c);
    assert_int_equal(asy_counter_pair(c), 0);
    char k[32];
    for (size_t i = 0; i < n; i++) {
        int len = snprintf(k, sizeof k, "key-%u", base + step * (unsigned)i);
        assert_int_equal(asy_counter_add2_h(c, k, (size_t)len,
                                            asy_counter_hash(k, (size_t)len),
                                            (int64_t)(i % 7) + 1, 1),
                         0);
    }
    return c;
}

static int64_t sum_counts(const asy_counter *c)
{
    size_t n;
    asy_counter_entry *e = asy_counter_entries(c, &n);
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += e[i].count;
    asy_counter_entries_free(e);
    return s;
}

static void test_merge_out_of_memory(void **state)
{
    (void)state;
    asy_counter *want = keys(30000, 0, 2), *src = keys(40000, 1, 1);
    assert_int_equal(asy_counter_merge_mt(want, src, 1), 0);
    int failed = 0, done = 0;
    for (long f = 0; !done; f++) {
        asy_counter *d = keys(30000, 0, 2);
        countdown = f;
        int rc = asy_counter_merge_mt(d, src, 2);
        done = countdown >= 0; /* fewer than f + 1 allocations: all seen */
        countdown = -1;
        if (rc < 0) {
            failed++;
            assert_true(asy_counter_total(d) == sum_counts(d));
        } else { /* the failure was met by a fallback, or none was made */
            assert_int_equal(asy_counter_size(d), asy_counter_size(want));
            assert_true(asy_counter_total(d) == asy_counter_total(want));
            assert_true(sum_counts(d) == sum_counts(want));
        }
        asy_counter_free(d);
    }
    assert_true(failed > 0); /* some allocation has no fallback */
    asy_counter_free(want);
    asy_counter_free(src);
}

static void test_sort_out_of_memory(void **state)
{
    (void)state;
    asy_counter *c = keys(200000, 0, 1);
    size_t n1;
    asy_counter_entry *one = asy_counter_sorted(c, 0, &n1);
    int failed = 0, done = 0;
    for (long f = 0; !done; f++) {
        size_t n;
        countdown = f;
        asy_counter_entry *e = asy_counter_sorted_mt(c, 0, &n, 3);
        done = countdown >= 0;
        countdown = -1;
        if (!e) {
            failed++;
            continue;
        }
        assert_int_equal(n, n1);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(e[i].key, one[i].key);
        asy_counter_entries_free(e);
    }
    done = 0;
    for (long f = 0; !done; f++) {
        asy_ngram_rows r;
        countdown = f;
        int rc = asy_ngram_rows_build(c, 2, 3, &r);
        done = countdown >= 0;
        countdown = -1;
        if (rc < 0) {
            failed++;
            continue;
        }
        assert_true(r.n > 0 && r.e[0].count == 7);
        for (size_t i = 0; i < r.n; i++)
            assert_true(r.e[i].count >= 2 &&
                        (i == 0 || r.e[i].count <= r.e[i - 1].count));
        asy_ngram_rows_free(&r);
    }
    assert_true(failed > 0);
    asy_counter_entries_free(one);
    asy_counter_free(c);
}

int main(int argc, char **argv)
{
    tu_select_hash(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_out_of_memory),
        cmocka_unit_test(test_sort_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
