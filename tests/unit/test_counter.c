/*
 * test_counter.c — counter tables: add/get, merge, sorted order with ties,
 * byte-identical serialisation, rejection of malformed input, a million
 * distinct keys, paired counters (a document count per key), and arrays
 * of entries shrunk.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "counter.h"
#include "tablemem.h"
#include "testutil.h"
#include "token.h"

#define ADD(c, s, n) assert_int_equal(asy_counter_add(c, s, strlen(s), n), 0)
#define GET(c, s) asy_counter_get(c, s, strlen(s))

static void test_add_get(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    assert_non_null(c);
    ADD(c, "the", 1);
    ADD(c, "the", 2);
    ADD(c, "cat", 1);
    ADD(c, "", 4); /* the empty key is a key */
    assert_int_equal(asy_counter_add(c, "a\0b", 3, 5), 0);
    assert_int_equal(GET(c, "the"), 3);
    assert_int_equal(GET(c, "cat"), 1);
    assert_int_equal(GET(c, ""), 4);
    assert_int_equal(GET(c, "dog"), 0);
    assert_int_equal(asy_counter_get(c, "a\0b", 3), 5);
    assert_int_equal(GET(c, "a"), 0);
    assert_int_equal(asy_counter_size(c), 4);
    assert_int_equal(asy_counter_total(c), 13);
    ADD(c, "cat", -1); /* a key at zero stays (like Python's Counter) */
    assert_int_equal(GET(c, "cat"), 0);
    assert_int_equal(asy_counter_size(c), 4);
    assert_int_equal(asy_counter_total(c), 12);
    /* Saturation instead of signed overflow. */
    ADD(c, "big", INT64_MAX);
    ADD(c, "big", 10);
    assert_int_equal(GET(c, "big"), INT64_MAX);
    assert_true(asy_counter_memory(c) > 64 * 16);
    asy_counter_free(c);
    asy_counter_free(NULL);
}

/* Keys of every length 0..40 around the hash's 4/8/16-byte paths. */
static void test_lengths(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    char k[64];
    memset(k, 'x', sizeof k);
    for (int n = 0; n <= 40; n++)
        assert_int_equal(asy_counter_add(c, k, (size_t)n, n + 1), 0);
    for (int n = 0; n <= 40; n++)
        assert_int_equal(asy_counter_get(c, k, (size_t)n), n + 1);
    k[39] = 'y'; /* differs only in the last byte */
    assert_int_equal(asy_counter_get(c, k, 40), 0);
    assert_int_equal(asy_counter_size(c), 41);
    asy_counter_free(c);
}

static void test_sorted(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    ADD(c, "b", 2);
    ADD(c, "a", 2);
    ADD(c, "ab", 2);
    ADD(c, "z", 5);
    ADD(c, "\xC3\xA9", 1); /* é sorts after ASCII bytewise */
    ADD(c, "y", 1);
    size_t n;
    asy_counter_entry *e = asy_counter_sorted(c, 0, &n);
    assert_int_equal(n, 6);
    const char *want[] = {"z", "a", "ab", "b", "y", "\xC3\xA9"};
    const int64_t cnt[] = {5, 2, 2, 2, 1, 1};
    for (size_t k = 0; k < n; k++) {
        assert_string_equal(e[k].key, want[k]);
        assert_int_equal(e[k].len, strlen(want[k]));
        assert_int_equal(e[k].count, cnt[k]);
    }
    asy_counter_entries_free(e);
    e = asy_counter_sorted(c, 1, &n);
    const char *bykey[] = {"a", "ab", "b", "y", "z", "\xC3\xA9"};
    for (size_t k = 0; k < n; k++)
        assert_string_equal(e[k].key, bykey[k]);
    asy_counter_entries_free(e);
    asy_counter_free(c);
    c = asy_counter_new();
    e = asy_counter_sorted(c, 0, &n);
    assert_null(e);
    assert_int_equal(n, 0);
    asy_counter_free(c);
}

static void test_merge(void **state)
{
    (void)state;
    asy_counter *a = asy_counter_new(), *b = asy_counter_new();
    ADD(a, "x", 1);
    ADD(a, "y", 2);
    ADD(b, "y", 3);
    ADD(b, "z", 4);
    assert_int_equal(asy_counter_merge(a, b), 0);
    assert_int_equal(GET(a, "x"), 1);
    assert_int_equal(GET(a, "y"), 5);
    assert_int_equal(GET(a, "z"), 4);
    assert_int_equal(asy_counter_total(a), 10);
    assert_int_equal(GET(b, "y"), 3); /* source unchanged */
    assert_int_equal(asy_counter_merge(a, a), 0);
    assert_int_equal(GET(a, "y"), 10);
    assert_int_equal(asy_counter_total(a), 20);
    asy_counter_free(a);
    asy_counter_free(b);
}

/* A paired counter of `keys` keys "k<i>" (i from `first`, every `step`),
 * counts from seed, one of them `odd` (a negative, or a huge count). */
static asy_counter *big_pair(unsigned first, unsigned step, int keys,
                             unsigned seed, int64_t odd)
{
    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_counter_pair(c), 0);
    char k[32];
    for (int i = 0; i < keys; i++) {
        seed = seed * 1103515245u + 12345u;
        int n = snprintf(k, sizeof k, "k%u", first + step * (unsigned)i);
        int64_t count = i == keys / 2 && odd ? odd : 1 + (seed >> 24);
        assert_int_equal(asy_counter_add2_h(c, k, (size_t)n,
                                            asy_counter_hash(k, (size_t)n),
                                            count, 1 + (seed >> 30)),
                         0);
    }
    return c;
}

/* Merging a large counter on 2 and 3 threads (keys dst holds, on the
 * threads; new keys after) gives what one thread gives: every key's count
 * and document count, the size and the total. Half of src's keys are new
 * to dst. The totals: plain (case 0); a saturated dst total meeting a
 * large negative count in src, where only the one-thread order of
 * additions gives the one-thread total (1); a negative dst total meeting
 * a src whose counts sum past INT64_MAX (2); both saturating (3). */
static void test_merge_threads(void **state)
{
    (void)state;
    static const int64_t src_odd[] = {0, -(INT64_MAX / 2), 0,
                                      INT64_MAX / 2};
    for (int oi = 0; oi < 4; oi++) {
        for (int threads = 2; threads <= 3; threads++) {
            asy_counter *one = big_pair(0, 2, 200000, 1, 0);
            asy_counter *many = big_pair(0, 2, 200000, 1, 0);
            asy_counter *src = big_pair(1, 1, 200000, 2, src_odd[oi]);
            asy_counter *dsts[2] = {one, many};
            for (int d = 0; d < 2; d++) {
                if (oi == 1 || oi == 3)
                    ADD(dsts[d], "huge", INT64_MAX - 1000);
                if (oi == 2)
                    ADD(dsts[d], "neg", -(INT64_MAX / 2) - 1000000000);
            }
            if (oi == 2) { /* src's counts sum past INT64_MAX */
                ADD(src, "s1", INT64_MAX / 2);
                ADD(src, "s2", INT64_MAX / 2);
                ADD(src, "s3", INT64_MAX / 2);
            }
            assert_int_equal(asy_counter_merge_mt(one, src, 1), 0);
            assert_int_equal(asy_counter_merge_mt(many, src, threads), 0);
            assert_int_equal(asy_counter_size(many), asy_counter_size(one));
            assert_true(asy_counter_total(many) == asy_counter_total(one));
            size_t n;
            asy_counter_entry *e = asy_counter_sorted(one, 1, &n);
            assert_true(n >= 300000);
            for (size_t i = 0; i < n; i++) {
                assert_true(asy_counter_get(many, e[i].key, e[i].len) ==
                            e[i].count);
                assert_true(asy_counter_get_docs(many, e[i].key,
                                                 e[i].len) == e[i].docs);
            }
            asy_counter_entries_free(e);
            asy_counter_free(one);
            asy_counter_free(many);
            asy_counter_free(src);
        }
    }
}

/* Build the same counts in two different insertion orders. */
static asy_counter *sample(int reverse)
{
    static const char *words[] = {"alpha", "beta", "", "gamma", "δέλτα",
                                  "a much longer key that spans words"};
    asy_counter *c = asy_counter_new();
    for (int k = 0; k < 6; k++) {
        int i = reverse ? 5 - k : k;
        ADD(c, words[i], (int64_t)(i + 1) * (i % 2 ? -300 : 7));
    }
    return c;
}

static void test_save_load(void **state)
{
    (void)state;
    asy_counter *a = sample(0), *b = sample(1);
    asy_buf sa = ASY_BUF_INIT, sb = ASY_BUF_INIT, s2 = ASY_BUF_INIT;
    assert_int_equal(asy_counter_save(a, &sa), 0);
    assert_int_equal(asy_counter_save(b, &sb), 0);
    assert_int_equal(sa.len, sb.len);
    assert_memory_equal(sa.data, sb.data, sa.len);
    /* Exact bytes of the header and the first entry ("" -> 21). */
    assert_memory_equal(sa.data, "AYC\x01\x06\0\0\0\0\0\0\0", 12);
    assert_memory_equal(sa.data + 12, "\x00\x15\0\0\0\0\0\0\0", 9);

    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_counter_load(c, sa.data, sa.len), (long)sa.len);
    assert_int_equal(asy_counter_save(c, &s2), 0);
    assert_int_equal(s2.len, sa.len);
    assert_memory_equal(s2.data, sa.data, sa.len);
    assert_int_equal(GET(c, "beta"), -600);
    assert_int_equal(GET(c, "δέλτα"), 35);
    /* Loading adds into existing counts. */
    assert_int_equal(asy_counter_load(c, sa.data, sa.len), (long)sa.len);
    assert_int_equal(GET(c, "beta"), -1200);
    /* Trailing bytes are not consumed. */
    assert_int_equal(asy_buf_append(&sa, "junk", 4), 0);
    assert_int_equal(asy_counter_load(c, sa.data, sa.len), (long)sa.len - 4);
    /* An empty counter round-trips too. */
    asy_counter *e = asy_counter_new();
    asy_buf_clear(&s2);
    assert_int_equal(asy_counter_save(e, &s2), 0);
    assert_int_equal(s2.len, 12);
    assert_int_equal(asy_counter_load(e, s2.data, s2.len), 12);
    assert_int_equal(asy_counter_size(e), 0);
    asy_counter_free(e);
    asy_buf_free(&sa);
    asy_buf_free(&sb);
    asy_buf_free(&s2);
    asy_counter_free(a);
    asy_counter_free(b);
    asy_counter_free(c);
}

static void test_load_rejects(void **state)
{
    (void)state;
    asy_counter *a = sample(0);
    asy_buf s = ASY_BUF_INIT;
    assert_int_equal(asy_counter_save(a, &s), 0);
    asy_counter *c = asy_counter_new();
    /* Every truncation is rejected, and nothing is added. Each prefix is
     * copied into an exact-size allocation so ASan catches overreads. */
    for (size_t n = 0; n < s.len; n++) {
        char *p = malloc(n ? n : 1);
        memcpy(p, s.data, n);
        assert_int_equal(asy_counter_load(c, p, n), -1);
        free(p);
    }
    assert_int_equal(asy_counter_size(c), 0);
    /* Bad magic, bad version, a huge count, a huge key length, keys out of
     * order, an overlong varint. */
    char bad[64];
    memcpy(bad, s.data, 12);
    bad[0] = 'X';
    assert_int_equal(asy_counter_load(c, bad, 12), -1);
    memcpy(bad, s.data, 12);
    bad[3] = 3;
    assert_int_equal(asy_counter_load(c, bad, 12), -1);
    bad[3] = 0;
    assert_int_equal(asy_counter_load(c, bad, 12), -1);
    memcpy(bad, "AYC\x01\xff\xff\xff\xff\xff\xff\xff\x7f", 12);
    assert_int_equal(asy_counter_load(c, bad, 12), -1);
    memcpy(bad, "AYC\x01\x01\0\0\0\0\0\0\0\xff\xff\xff\xff\x0f" "abcdefgh", 25);
    assert_int_equal(asy_counter_load(c, bad, 25), -1);
    memcpy(bad, "AYC\x01\x02\0\0\0\0\0\0\0"
                "\x01" "b" "\1\0\0\0\0\0\0\0"
                "\x01" "a" "\1\0\0\0\0\0\0\0", 32);
    assert_int_equal(asy_counter_load(c, bad, 32), -1);
    bad[13] = 'a', bad[23] = 'b'; /* now in order: accepted */
    assert_int_equal(asy_counter_load(c, bad, 32), 32);
    assert_int_equal(GET(c, "b"), 1);
    memcpy(bad, "AYC\x01\x01\0\0\0\0\0\0\0"
                "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01" "0000000", 30);
    assert_int_equal(asy_counter_load(c, bad, 30), -1);
    assert_int_equal(asy_counter_load(c, NULL, 0), -1);
    /* Pseudo-random garbage after a valid header never crashes. */
    unsigned x = 12345;
    for (int round = 0; round < 2000; round++) {
        unsigned char g[48];
        memcpy(g, "AYC\x01", 4);
        for (size_t k = 4; k < sizeof g; k++) {
            x = x * 1103515245u + 12345u;
            g[k] = (unsigned char)(x >> 16);
        }
        g[4] = (unsigned char)(round % 4);
        memset(g + 5, 0, 7);
        size_t n = 12 + (size_t)round % 36;
        char *p = malloc(n);
        memcpy(p, g, n);
        long r = asy_counter_load(c, p, n);
        assert_true(r == -1 || (r >= 12 && (size_t)r <= n));
        free(p);
    }
    asy_buf_free(&s);
    asy_counter_free(a);
    asy_counter_free(c);
}

static void test_million(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    char k[32];
    for (int i = 0; i < 1000000; i++) {
        int n = snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(asy_counter_add(c, k, (size_t)n, i % 7 + 1), 0);
    }
    for (int i = 0; i < 1000000; i += 3) {
        int n = snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(asy_counter_add(c, k, (size_t)n, 1), 0);
    }
    assert_int_equal(asy_counter_size(c), 1000000);
    for (int i = 0; i < 1000000; i += 9973) {
        int n = snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(asy_counter_get(c, k, (size_t)n),
                         i % 7 + 1 + (i % 3 == 0));
    }
    size_t n;
    asy_counter_entry *e = asy_counter_sorted(c, 0, &n);
    assert_int_equal(n, 1000000);
    for (size_t i = 1; i < n; i++)
        assert_true(e[i - 1].count >= e[i].count);
    assert_int_equal(e[0].count, 8); /* i % 7 == 6 and i % 3 == 0 */
    assert_string_equal(e[0].key, "k100008"); /* smallest such key, bytewise */
    asy_counter_entries_free(e);
    assert_true(asy_counter_memory(c) < 64u << 20);
    asy_counter_free(c);
}

/* The reference orders, for qsort. */
static int ref_key(const void *pa, const void *pb)
{
    const asy_counter_entry *a = pa, *b = pb;
    int r = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
    return r ? r : (a->len > b->len) - (a->len < b->len);
}

static int ref_count(const void *pa, const void *pb)
{
    const asy_counter_entry *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return ref_key(pa, pb);
}

/* Entries equal one by one: keys (with their NUL), counts, document
 * counts. */
static void assert_same_entries(const asy_counter_entry *e, size_t n,
                                const asy_counter_entry *want, size_t m)
{
    assert_int_equal(n, m);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].len, want[i].len);
        assert_memory_equal(e[i].key, want[i].key, e[i].len + 1);
        assert_int_equal(e[i].count, want[i].count);
        assert_int_equal(e[i].docs, want[i].docs);
    }
}

/* The sorted views against qsort with the documented orders, for sizes
 * around the insertion-sort cut-off and beyond, with many tied counts,
 * keys that are prefixes of each other, counts already in order and in
 * reverse (the quicksort's bad cases). */
static void test_sorted_orders(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 15, 16, 17, 33, 100, 1000, 20000};
    unsigned x = 7;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (int shape = 0; shape < 4; shape++) {
            asy_counter *c = asy_counter_new();
            char k[32];
            for (size_t i = 0; i < sizes[si]; i++) {
                x = x * 1103515245u + 12345u;
                int n = snprintf(k, sizeof k, "%u", (x >> 8) % 100000 + (unsigned)i * 100000u);
                n -= shape == 3 ? (int)(i % 3) : 0; /* prefixes */
                int64_t by = shape == 0 ? (int64_t)((x >> 20) % 5)
                             : shape == 1 ? (int64_t)i : (int64_t)(sizes[si] - i);
                assert_int_equal(asy_counter_add(c, k, (size_t)n, by + 1), 0);
            }
            for (int by_key = 0; by_key < 2; by_key++) {
                size_t n;
                asy_counter_entry *e = asy_counter_sorted(c, by_key, &n);
                assert_int_equal(n, asy_counter_size(c));
                asy_counter_entry *ref = malloc(n * sizeof *ref);
                memcpy(ref, e, n * sizeof *ref);
                qsort(ref, n, sizeof *ref, by_key ? ref_key : ref_count);
                assert_same_entries(e, n, ref, n);
                free(ref);
                asy_counter_entries_free(e);
            }
            asy_counter_free(c);
        }
    }
}

/* The heap sort that takes over from a quicksort gone too deep, alone
 * (depth 0), and a shallow mix of both, against qsort. */
static void test_sort_fallback(void **state)
{
    (void)state;
    static const size_t sizes[] = {17, 18, 100, 5000};
    unsigned x = 3;
    for (size_t si = 0; si < 4; si++) {
        size_t n = sizes[si];
        char (*keys)[16] = malloc(n * sizeof *keys);
        asy_counter_entry *e = malloc(n * sizeof *e), *ref = malloc(n * sizeof *ref);
        assert_non_null(keys);
        assert_non_null(e);
        assert_non_null(ref);
        for (int depth = 0; depth < 3; depth += 2) {
            for (int by_key = 0; by_key < 2; by_key++) {
                for (size_t i = 0; i < n; i++) {
                    x = x * 1103515245u + 12345u;
                    int len = snprintf(keys[i], 16, "k%zu", (i * 7919) % n);
                    e[i] = (asy_counter_entry){keys[i], (size_t)len,
                                               (int64_t)((x >> 16) % 7),
                                               0, 0, 0};
                }
                memcpy(ref, e, n * sizeof *e);
                qsort(ref, n, sizeof *ref, by_key ? ref_key : ref_count);
                asy_counter_sort(e, n, by_key, depth);
                for (size_t i = 0; i < n; i++)
                    assert_ptr_equal(e[i].key, ref[i].key);
            }
        }
        free(keys);
        free(e);
        free(ref);
    }
}

/* e[0..n) sorted by asy_counter_sort (returned, for the caller to free)
 * and into ref by qsort with the documented order. */
static asy_counter_entry *sort_both(const asy_counter_entry *e,
                                    asy_counter_entry *ref, size_t n,
                                    int by_key)
{
    memcpy(ref, e, n * sizeof *e);
    qsort(ref, n, sizeof *ref, by_key ? ref_key : ref_count);
    asy_counter_entry *got = malloc(n * sizeof *got);
    assert_non_null(got);
    memcpy(got, e, n * sizeof *e);
    asy_counter_sort(got, n, by_key, -1);
    return got;
}

/* The sort against qsort with extreme counts: negative ones, 0, those
 * around 2^24 and far above it, each shared by keys that agree in their
 * first 5 and 8 bytes or are longer than 16. */
static void test_sort_extreme_counts(void **state)
{
    (void)state;
    static const int64_t counts[] = {-7, -1, 0, 1, 2, 3, 0xFFFFFE, 0xFFFFFF,
                                     0x1000000, (int64_t)1 << 40, INT64_MAX};
    enum { N = 9000 };
    char (*keys)[40] = malloc(N * sizeof *keys);
    asy_counter_entry *e = malloc(N * sizeof *e), *ref = malloc(N * sizeof *ref);
    assert_non_null(keys);
    assert_non_null(e);
    assert_non_null(ref);
    unsigned x = 5;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        static const char *const stems[] = {"inter", "internat", "international",
                                            "internationalisation-", "b"};
        int len = snprintf(keys[i], sizeof keys[i], "%s%zu",
                           stems[(x >> 16) % 5], i);
        x = x * 1103515245u + 12345u;
        e[i] = (asy_counter_entry){keys[i], (size_t)len,
                                   counts[(x >> 16) % 11], 0, 0, 0};
    }
    for (int by_key = 0; by_key < 2; by_key++) {
        asy_counter_entry *got = sort_both(e, ref, N, by_key);
        assert_same_entries(got, N, ref, N);
        free(got);
    }
    free(keys);
    free(e);
    free(ref);
}

/* Key order is bytewise and unsigned whatever the lengths: keys of 0 to
 * 12 bytes over a small alphabet with bytes above 0x7F, so that many share
 * their first 8 bytes or are prefixes of each other, each in a heap block
 * of its exact length (ASan sees any read past it), against qsort. */
static void test_sort_bytes(void **state)
{
    (void)state;
    static const char alphabet[] = {'a', 'b', 0x7f, (char)0x80, (char)0xff};
    enum { N = 3000 };
    char **keys = calloc(N, sizeof *keys);
    asy_counter_entry *e = malloc(N * sizeof *e), *ref = malloc(N * sizeof *ref);
    assert_non_null(keys);
    assert_non_null(e);
    assert_non_null(ref);
    unsigned x = 11;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 16) % 13;
        keys[i] = malloc(len ? len : 1);
        assert_non_null(keys[i]);
        for (size_t j = 0; j < len; j++) {
            x = x * 1103515245u + 12345u;
            /* mostly 'a' so that long common prefixes are frequent */
            keys[i][j] = (x >> 16) % 4 ? 'a' : alphabet[(x >> 20) % 5];
        }
        e[i] = (asy_counter_entry){keys[i], len, (int64_t)((x >> 8) % 3), 0,
                                   0, 0};
    }
    for (int by_key = 0; by_key < 2; by_key++) {
        asy_counter_entry *got = sort_both(e, ref, N, by_key);
        for (size_t i = 0; i < N; i++) {
            /* a key may repeat here (a counter's never do), so compare
             * contents, and counts only where they decide the order */
            assert_int_equal(got[i].len, ref[i].len);
            if (got[i].len)
                assert_memory_equal(got[i].key, ref[i].key, got[i].len);
            if (!by_key)
                assert_int_equal(got[i].count, ref[i].count);
        }
        free(got);
    }
    for (size_t i = 0; i < N; i++)
        free(keys[i]);
    free(keys);
    free(e);
    free(ref);
}

/* Distinct rounds (document frequencies): a key counts once per round,
 * stamps survive the table growing, and the precomputed-hash add agrees
 * with the plain one. */
static void test_distinct(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_counter_add_distinct(c, "a", 1,
                                              asy_counter_hash("a", 1)), -1);
    char k[32];
    for (int doc = 0; doc < 3; doc++) {
        assert_int_equal(asy_counter_begin_distinct(c), 0);
        for (int rep = 0; rep < 2; rep++)
            for (int i = 0; i < 2000; i++) { /* grows 64 -> 4096 slots */
                int n = snprintf(k, sizeof k, "w%d", i % (doc == 1 ? 10 : 2000));
                uint32_t h = asy_counter_hash(k, (size_t)n);
                int r = asy_counter_add_distinct(c, k, (size_t)n, h);
                assert_int_equal(r, rep == 0 && (doc != 1 || i < 10));
            }
    }
    assert_int_equal(GET(c, "w5"), 3);
    assert_int_equal(GET(c, "w1999"), 2);
    assert_int_equal(asy_counter_total(c), 2000 + 10 + 2000);
    assert_true(asy_counter_memory(c) > 4096 * (16 + 4));
    assert_int_equal(asy_counter_add_h(c, "w5", 2, asy_counter_hash("w5", 2),
                                       10), 0);
    assert_int_equal(GET(c, "w5"), 13);
    assert_int_equal(asy_counter_hash(NULL, 0), asy_counter_hash("", 0));
    asy_counter_free(c);
}


/* The hash of a short key from its zero-padded words (the tally's form)
 * is the hash of its bytes, for every length 0..16 and bytes of every
 * value (high bits, NUL); keys differing in one byte or only in length
 * hash apart. */
static void test_hash16(void **state)
{
    (void)state;
    unsigned x = 7;
    for (int round = 0; round < 200; round++) {
        for (size_t n = 0; n <= 16; n++) {
            char key[16] = {0};
            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                key[i] = (char)(x >> 16);
            }
            char *exact = malloc(n ? n : 1); /* ASan: no read past n */
            memcpy(exact, key, n);
            uint64_t w[2];
            memcpy(w, key, 16);
            uint32_t h = asy_counter_hash(exact, n);
            assert_int_equal(h, asy_counter_hash16(w[0], w[1], n));
            if (n > 0 && n < 16) /* one more NUL byte: another key */
                assert_int_not_equal(h, asy_counter_hash16(w[0], w[1], n + 1));
            free(exact);
        }
    }
    assert_int_not_equal(asy_counter_hash("ab", 2), asy_counter_hash("ba", 2));
    assert_int_not_equal(asy_counter_hash("abcdefghijklmnop", 16),
                         asy_counter_hash("abcdefghijklmnoq", 16));
}

/* The hash spreads keys over a power-of-two table as linear probing needs
 * (its low bits): 200,000 keys each of decimal numbers, numbered names and
 * random short words, at 38 % load. Uniform hashing gives a mean
 * displacement of about 0.31 slots (the CRC32C hash 0.42 on the numbers);
 * a hash that ignored some bytes, or whose low bits were weak, gives
 * many times more. Run with each hash (the mul_hash ctest entry). */
static void test_hash_spread(void **state)
{
    (void)state;
    const size_t slots = (size_t)1 << 19, n = 200000;
    uint8_t *used = malloc(slots);
    assert_non_null(used);
    unsigned x = 4242;
    for (int set = 0; set < 3; set++) {
        memset(used, 0, slots);
        size_t total = 0, worst = 0;
        for (size_t i = 0; i < n; i++) {
            char k[24];
            int len;
            if (set == 0)
                len = snprintf(k, sizeof k, "%zu", i);
            else if (set == 1)
                len = snprintf(k, sizeof k, "item_%07zu", i);
            else {
                x = x * 1103515245u + 12345u;
                len = 3 + (int)((x >> 16) % 10);
                for (int j = 0; j < len; j++) {
                    x = x * 1103515245u + 12345u;
                    k[j] = (char)('a' + (x >> 16) % 26);
                }
            }
            size_t s = asy_counter_hash(k, (size_t)len) & (slots - 1), d = 0;
            while (used[s]) {
                s = (s + 1) & (slots - 1);
                d++;
            }
            used[s] = 1;
            total += d;
            worst = d > worst ? d : worst;
        }
        print_message("hash spread, key set %d: mean displacement %.3f, "
                      "longest %zu\n", set, (double)total / (double)n, worst);
        assert_true(total < n * 6 / 10); /* mean < 0.6 */
        assert_true(worst < 80);
    }
    free(used);
}

/* The hash of short keys is not affine over GF(2): for an affine hash,
 * h(x) ^ h(x^d) ^ h(x^e) ^ h(x^d^e) is 0 for every key x and differences
 * d, e, which lets a crafted text hold any number of distinct words with
 * one hash, found by elimination (CRC32C alone is so). Lowercase words of
 * 16 letters, differences in bits 1..3 of their bytes (they stay
 * letters). The multiply hash breaks the identity for all of them; the
 * CRC32C hash, whose multipliers are odd 64-bit numbers (products of bytes
 * 8 apart vanish mod 2^64), for about half: enough that elimination finds
 * nothing, and its multipliers are secret (random for the process). */
static void test_hash_not_affine(void **state)
{
    (void)state;
    unsigned x = 99, affine = 0;
    for (int t = 0; t < 2000; t++) {
        char k[4][16];
        for (int i = 0; i < 16; i++) {
            x = x * 1103515245u + 12345u;
            k[0][i] = (char)('a' + 2 * ((x >> 16) % 8)); /* a c e .. o */
        }
        x = x * 1103515245u + 12345u;
        int bd = (int)((x >> 16) % 48), be = (int)((x >> 8) % 48);
        if (bd == be)
            be = (be + 1) % 48;
        memcpy(k[1], k[0], 16);
        k[1][bd / 3] ^= (char)(2 << (bd % 3));
        memcpy(k[2], k[0], 16);
        k[2][be / 3] ^= (char)(2 << (be % 3));
        memcpy(k[3], k[1], 16);
        k[3][be / 3] ^= (char)(2 << (be % 3));
        uint32_t s4 = 0;
        for (int j = 0; j < 4; j++)
            s4 ^= asy_counter_hash(k[j], 16);
        affine += s4 == 0;
    }
    print_message("affine identity held for %u of 2000 key quartets\n", affine);
    assert_true(affine < (asy_counter_hash_crc ? 1400u : 20u));
    if (asy_counter_hash_crc) /* odd multipliers */
        assert_true(asy_counter_hash_key[0] & asy_counter_hash_key[1] & 1);
}

#define DOCS(c, s) asy_counter_get_docs(c, s, strlen(s))
#define H(s) asy_counter_hash(s, strlen(s))

/* Paired counters: the document count rides with the count; the plain
 * calls change counts only; pairing keeps existing keys (of every length)
 * with a document count of 0; the paired adds refuse a plain counter. */
static void test_paired(void **state)
{
    (void)state;
    const char *long_key = "a key much longer than sixteen bytes";
    asy_counter *c = asy_counter_new();
    ADD(c, "x", 5);
    ADD(c, "", 2);
    ADD(c, long_key, 3);
    assert_false(asy_counter_paired(c));
    assert_int_equal(asy_counter_add2_h(c, "x", 1, H("x"), 1, 1), -1);
    assert_int_equal(DOCS(c, "x"), 0);
    assert_int_equal(asy_counter_pair(c), 0);
    assert_true(asy_counter_paired(c));
    assert_int_equal(asy_counter_pair(c), 0); /* once is enough */
    assert_int_equal(GET(c, "x"), 5);
    assert_int_equal(GET(c, ""), 2);
    assert_int_equal(GET(c, long_key), 3);
    assert_int_equal(DOCS(c, long_key), 0);
    assert_int_equal(asy_counter_add2_h(c, "x", 1, H("x"), 4, 2), 0);
    assert_int_equal(asy_counter_add2_h(c, long_key, strlen(long_key),
                                        H(long_key), 1, 7), 0);
    ADD(c, "x", 1); /* counts only */
    assert_int_equal(GET(c, "x"), 10);
    assert_int_equal(DOCS(c, "x"), 2);
    assert_int_equal(DOCS(c, long_key), 7);
    assert_int_equal(DOCS(c, "absent"), 0);
    assert_int_equal(asy_counter_total(c), 10 + 2 + 4);
    /* grow a lot: documents counts move with their keys */
    char k[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(asy_counter_add2_h(c, k, (size_t)n,
                                            asy_counter_hash(k, (size_t)n),
                                            i, i % 3), 0);
    }
    assert_int_equal(GET(c, "k4999"), 4999);
    assert_int_equal(DOCS(c, "k4999"), 4999 % 3);
    assert_int_equal(DOCS(c, "x"), 2);
    size_t n;
    asy_counter_entry *e = asy_counter_sorted(c, 0, &n);
    assert_int_equal(n, 5003);
    assert_string_equal(e[0].key, "k4999");
    assert_int_equal(e[0].docs, 4999 % 3);
    asy_counter_entries_free(e);
    asy_counter_free(c);
}

/* The rounds' stamps are a byte: after 255 rounds they wrap and are
 * cleared. A key met in the first round and next in the 256th (whose
 * number is the first's again) counts its second document. Growth
 * within and between rounds. */
static void test_rounds_wrap(void **state)
{
    (void)state;
    asy_counter *d = asy_counter_new();
    assert_int_equal(asy_counter_pair(d), 0);
    for (int round = 1; round <= 520; round++) {
        assert_int_equal(asy_counter_begin_distinct(d), 0);
        if (round == 1 || round == 256 || round == 512)
            assert_int_equal(asy_counter_add_doc(d, "a", 1, H("a"), 1), 1);
        assert_int_equal(asy_counter_add_doc(d, "b", 1, H("b"), 1), 1);
    }
    assert_int_equal(asy_counter_get_docs(d, "a", 1), 3);
    assert_int_equal(asy_counter_get_docs(d, "b", 1), 520);
    /* a table growing within a round keeps what the round has met; one
     * growing between rounds (ended) gives its stamps back, and the next
     * round starts afresh */
    char k[24];
    assert_int_equal(asy_counter_begin_distinct(d), 0);
    assert_int_equal(asy_counter_add_doc(d, "x", 1, H("x"), 1), 1);
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(k, sizeof k, "k%d", i);
        assert_int_equal(asy_counter_add_doc(d, k, (size_t)n,
                                             asy_counter_hash(k, (size_t)n),
                                             1), 1);
    }
    assert_int_equal(asy_counter_add_doc(d, "x", 1, H("x"), 1), 0);
    asy_counter_end_round(d);
    for (int i = 0; i < 400000; i++) { /* grows twice, between rounds */
        int n = snprintf(k, sizeof k, "m%d", i);
        assert_int_equal(asy_counter_add(d, k, (size_t)n, 1), 0);
    }
    assert_int_equal(asy_counter_begin_distinct(d), 0);
    assert_int_equal(asy_counter_add_doc(d, "x", 1, H("x"), 1), 1);
    assert_int_equal(asy_counter_add_doc(d, "x", 1, H("x"), 1), 0);
    assert_int_equal(asy_counter_add_doc(d, "k7", 2, H("k7"), 1), 1);
    assert_int_equal(asy_counter_get_docs(d, "x", 1), 2);
    assert_int_equal(asy_counter_get(d, "x", 1), 4);
    asy_counter_free(d);
}

/* add2_h adds a count and a document count, key by key; add_doc counts a
 * key's document once per round and its occurrences every time (tables
 * growing; 600 rounds, so the one-byte stamps wrap twice), against counts
 * kept in arrays. */
static void test_paired_adds(void **state)
{
    (void)state;
    asy_counter *a = asy_counter_new(), *d = asy_counter_new();
    assert_int_equal(asy_counter_add2_h(a, "a", 1, H("a"), 1, 1), -1);
    assert_int_equal(asy_counter_pair(a) | asy_counter_pair(d), 0);
    assert_int_equal(asy_counter_add_doc(d, "a", 1, H("a"), 1), -1);
    enum { KEYS = 997 };
    static int64_t count[KEYS], docs[KEYS], dcount[KEYS], ddocs[KEYS];
    static int last[KEYS];
    memset(last, -1, sizeof last);
    char k[16];
    for (int round = 0; round < 600; round++) {
        size_t n = (size_t)(round * 7 % 300) + 1;
        assert_int_equal(asy_counter_begin_distinct(d), 0);
        for (size_t i = 0; i < n; i++) {
            size_t key = (i * 31 + (size_t)round * 17) % KEYS;
            size_t len = (size_t)snprintf(k, sizeof k, "k%zu", key);
            uint32_t h = asy_counter_hash(k, len);
            int64_t m = round % 2 ? (int64_t)(i % 5) + 1 : 1;
            assert_int_equal(asy_counter_add2_h(a, k, len, h, m, round % 3),
                             0);
            count[key] += m;
            docs[key] += round % 3;
            int first = last[key] != round;
            assert_int_equal(asy_counter_add_doc(d, k, len, h, m), first);
            /* a key again in the same round: counted, no document */
            assert_int_equal(asy_counter_add_doc(d, k, len, h, 0), 0);
            dcount[key] += m;
            ddocs[key] += first;
            last[key] = round;
        }
    }
    for (size_t key = 0; key < KEYS; key++) {
        size_t len = (size_t)snprintf(k, sizeof k, "k%zu", key);
        assert_int_equal(asy_counter_get(a, k, len), count[key]);
        assert_int_equal(asy_counter_get_docs(a, k, len), docs[key]);
        assert_int_equal(asy_counter_get(d, k, len), dcount[key]);
        assert_int_equal(asy_counter_get_docs(d, k, len), ddocs[key]);
    }
    assert_int_equal(asy_counter_get_docs(d, "k0", 2), ddocs[0]);
    assert_true(ddocs[0] >= 1);
    asy_counter_free(a);
    asy_counter_free(d);
}

/* add_docs adds a batch as add_doc adds its keys one by one (a key twice
 * in one batch: counted twice, one document), over rounds of batches
 * while the table grows; it refuses an unpaired counter, no round begun
 * and a batch over ASY_COUNTER_BATCH. add_keys, into a plain counter,
 * gives the same counts and no document counts. */
static void test_add_docs(void **state)
{
    (void)state;
    asy_counter *one = asy_counter_new(), *b = asy_counter_new();
    asy_counter *plain = asy_counter_new();
    const char *keys[ASY_COUNTER_BATCH + 1];
    uint32_t lens[ASY_COUNTER_BATCH + 1], h[ASY_COUNTER_BATCH + 1];
    char k[ASY_COUNTER_BATCH + 1][24];
    keys[0] = "a";
    lens[0] = 1;
    h[0] = H("a");
    assert_int_equal(asy_counter_add_docs(b, keys, lens, h, 1), -1);
    assert_int_equal(asy_counter_pair(one) | asy_counter_pair(b), 0);
    assert_int_equal(asy_counter_add_docs(b, keys, lens, h, 1), -1);
    for (int round = 0; round < 300; round++) {
        assert_int_equal(asy_counter_begin_distinct(one), 0);
        assert_int_equal(asy_counter_begin_distinct(b), 0);
        for (int batch = 0; batch < 3; batch++) {
            size_t n = (size_t)(round * 7 + batch) % ASY_COUNTER_BATCH + 1;
            size_t prev = 0;
            for (size_t i = 0; i < n; i++) {
                /* keys alike in their first 16 bytes, some shared */
                size_t key = (i * 37 + (size_t)round * 11 +
                              (size_t)batch) % 5000;
                if (i % 7 == 3)
                    key = prev; /* the key before it again */
                prev = key;
                lens[i] = (uint32_t)snprintf(k[i], sizeof k[i],
                                             "sixteen-bytes-ab%zu", key);
                keys[i] = k[i];
                h[i] = asy_counter_hash(k[i], lens[i]);
                assert_true(asy_counter_add_doc(one, k[i], lens[i], h[i],
                                                1) >= 0);
            }
            assert_int_equal(asy_counter_add_docs(b, keys, lens, h, n), 0);
            assert_int_equal(asy_counter_add_keys(plain, keys, lens, h, n),
                             0);
        }
    }
    assert_int_equal(asy_counter_add_keys(plain, keys, lens, h,
                                          ASY_COUNTER_BATCH + 1), -1);
    assert_int_equal(asy_counter_add_docs(b, keys, lens, h,
                                          ASY_COUNTER_BATCH + 1), -1);
    size_t n1, n2;
    asy_counter_entry *e1 = asy_counter_sorted(one, 1, &n1);
    asy_counter_entry *e2 = asy_counter_sorted(b, 1, &n2);
    assert_int_equal(n1, n2);
    assert_true(n1 > 1000);
    for (size_t i = 0; i < n1; i++) {
        assert_string_equal(e1[i].key, e2[i].key);
        assert_int_equal(e1[i].count, e2[i].count);
        assert_int_equal(e1[i].docs, e2[i].docs);
        assert_int_equal(asy_counter_get(plain, e1[i].key, e1[i].len),
                         e1[i].count);
    }
    assert_int_equal(asy_counter_size(plain), n1);
    assert_false(asy_counter_paired(plain));
    assert_true(asy_counter_total(b) == asy_counter_total(one));
    assert_true(asy_counter_total(plain) == asy_counter_total(one));
    asy_counter_entries_free(e1);
    asy_counter_entries_free(e2);
    asy_counter_free(one);
    asy_counter_free(b);
    asy_counter_free(plain);
}

/* Merging keeps document counts (a paired source pairs a plain
 * destination; a plain source adds none), also into itself; saving a
 * paired counter writes version 2 with the document counts, which load
 * back (pairing a fresh counter) byte for byte; version 1 loads into a
 * paired counter with document counts of 0; truncated version 2 data
 * is refused and adds nothing. */
static void test_paired_merge_save(void **state)
{
    (void)state;
    asy_counter *p = asy_counter_new(), *plain = asy_counter_new();
    assert_int_equal(asy_counter_pair(p), 0);
    assert_int_equal(asy_counter_add2_h(p, "", 0, H(""), 3, 1), 0);
    assert_int_equal(asy_counter_add2_h(p, "cat", 3, H("cat"), 5, 2), 0);
    ADD(plain, "cat", 1);
    ADD(plain, "dog", 4);
    assert_int_equal(asy_counter_merge(plain, p), 0);
    assert_true(asy_counter_paired(plain));
    assert_int_equal(GET(plain, "cat"), 6);
    assert_int_equal(DOCS(plain, "cat"), 2);
    assert_int_equal(DOCS(plain, "dog"), 0);
    assert_int_equal(DOCS(plain, ""), 1);
    asy_counter *q = asy_counter_new();
    ADD(q, "cat", 10);
    assert_int_equal(asy_counter_merge(p, q), 0); /* plain into paired */
    assert_int_equal(GET(p, "cat"), 15);
    assert_int_equal(DOCS(p, "cat"), 2);
    assert_int_equal(asy_counter_merge(p, p), 0);
    assert_int_equal(GET(p, "cat"), 30);
    assert_int_equal(DOCS(p, "cat"), 4);
    assert_int_equal(DOCS(p, ""), 2);

    asy_buf s = ASY_BUF_INIT, s2 = ASY_BUF_INIT;
    assert_int_equal(asy_counter_save(p, &s), 0);
    assert_int_equal(s.len, 12 + (1 + 0 + 16) + (1 + 3 + 16));
    assert_memory_equal(s.data, "AYC\x02\x02\0\0\0\0\0\0\0", 12);
    assert_memory_equal(s.data + 12,
                        "\x00\x06\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0", 17);
    assert_memory_equal(s.data + 29, "\x03" "cat" "\x1e\0\0\0\0\0\0\0"
                                     "\x04\0\0\0\0\0\0\0", 20);
    asy_counter *back = asy_counter_new();
    assert_int_equal(asy_counter_load(back, s.data, s.len), (long)s.len);
    assert_true(asy_counter_paired(back));
    assert_int_equal(DOCS(back, "cat"), 4);
    assert_int_equal(asy_counter_save(back, &s2), 0);
    assert_int_equal(s2.len, s.len);
    assert_memory_equal(s2.data, s.data, s.len);
    /* version 1 into a paired counter */
    asy_buf_clear(&s2);
    assert_int_equal(asy_counter_save(q, &s2), 0);
    assert_int_equal(((const char *)s2.data)[3], 1);
    assert_int_equal(asy_counter_load(back, s2.data, s2.len), (long)s2.len);
    assert_int_equal(GET(back, "cat"), 40);
    assert_int_equal(DOCS(back, "cat"), 4);
    /* every truncation of version 2 is refused, nothing added */
    asy_counter *c = asy_counter_new();
    for (size_t n = 0; n < s.len; n++) {
        char *t = malloc(n ? n : 1);
        memcpy(t, s.data, n);
        assert_int_equal(asy_counter_load(c, t, n), -1);
        free(t);
    }
    assert_int_equal(asy_counter_size(c), 0);
    asy_buf_free(&s);
    asy_buf_free(&s2);
    asy_counter_free(p);
    asy_counter_free(plain);
    asy_counter_free(q);
    asy_counter_free(back);
    asy_counter_free(c);
}

/* Fill src: "cat" counted directly (its table), then three texts (its word
 * table, "cat" again); dst: a text settled, then the same text in its
 * word table. */
static void fill_pair(asy_counter *src, asy_counter *dst, int paired,
                      int dpaired)
{
    asy_tok_opts o = {ASY_TOK_LOWER, 0, NULL, NULL, 0};
    const char *text = "The cat and the hat; a remarkably_long_word_here.";
    const char *other = "A hat, a bat and the CAT.";
    size_t k;
    ADD(src, "cat", 10);
    for (int d = 0; d < 3; d++)
        assert_int_equal(paired ? asy_tok_count_paired(text, strlen(text), &o,
                                                       src, &k)
                                : asy_tok_count(text, strlen(text), &o, src,
                                                NULL, &k), 0);
    for (int d = 0; d < 2; d++) {
        assert_int_equal(dpaired ? asy_tok_count_paired(other, strlen(other),
                                                        &o, dst, &k)
                                 : asy_tok_count(other, strlen(other), &o,
                                                 dst, NULL, &k), 0);
        if (d == 0)
            assert_int_equal(asy_counter_settle(dst), 0);
    }
}

/* A counter whose words are still in its word table merges like its
 * settled self, into a plain and a paired counter (each holding words of
 * its own, settled and not), and is left as it was (a merge reads its
 * source only): against twins filled alike and settled first. */
static void test_merge_unsettled(void **state)
{
    (void)state;
    for (int paired = 0; paired < 2; paired++) {
        for (int dpaired = 0; dpaired < 2; dpaired++) {
            asy_counter *src = asy_counter_new(), *dst = asy_counter_new();
            asy_counter *src2 = asy_counter_new(), *dst2 = asy_counter_new();
            fill_pair(src, dst, paired, dpaired);
            fill_pair(src2, dst2, paired, dpaired);
            assert_int_equal(asy_counter_merge(dst, src), 0);
            assert_int_equal(asy_counter_settle(src2), 0);
            assert_int_equal(asy_counter_settle(dst2), 0);
            assert_int_equal(asy_counter_merge(dst2, src2), 0);
            tu_assert_same_counter(dst, dst2);
            tu_assert_same_counter(src, src2);
            assert_int_equal(GET(dst, "cat"), 10 + 3 + 2);
            assert_int_equal(DOCS(dst, "cat"),
                             (paired ? 3 : 0) + (dpaired ? 2 : 0));
            assert_int_equal(GET(dst, "remarkably_long_word_here"), 3);
            assert_int_equal(asy_counter_total(dst), asy_counter_total(dst2));
            asy_counter_free(src);
            asy_counter_free(dst);
            asy_counter_free(src2);
            asy_counter_free(dst2);
        }
    }
}

/* e[0..n) and want[0..m) hold the same keys (bytes and NUL), counts and
 * document counts, in the same order. */
/* Entries read from a word table not yet settled equal those of the
 * counter settled (a key in both tables is one entry, its counts summed;
 * a key ending in NUL, held in the table proper, stays apart from the
 * word it would read as), leave it unsettled, and outlive its settling:
 * the keys are the array's own. */
static void test_entries_unsettled(void **state)
{
    (void)state;
    for (int paired = 0; paired < 2; paired++) {
        asy_counter *a = asy_counter_new(), *b = asy_counter_new(),
                    *x = asy_counter_new(), *y = asy_counter_new();
        fill_pair(a, x, paired, paired);
        fill_pair(b, y, paired, paired);
        assert_int_equal(asy_counter_add(a, "hat\0", 4, 7), 0);
        assert_int_equal(asy_counter_add(b, "hat\0", 4, 7), 0);
        size_t before = asy_counter_memory(a), n, m;
        asy_counter_entry *e = asy_counter_sorted(a, 0, &n);
        assert_int_equal(asy_counter_memory(a), before); /* not settled */
        assert_int_equal(asy_counter_settle(b), 0);
        asy_counter_entry *want = asy_counter_sorted(b, 0, &m);
        assert_int_equal(asy_counter_settle(a), 0); /* e's keys stay */
        assert_same_entries(e, n, want, m);
        assert_string_equal(e[0].key, "cat"); /* 10 + 3 */
        assert_int_equal(e[0].count, 13);
        assert_int_equal(e[0].docs, paired ? 3 : 0);
        asy_counter_entries_free(e);
        asy_counter_entries_free(want);
        asy_counter_free(a);
        asy_counter_free(b);
        asy_counter_free(x);
        asy_counter_free(y);
    }
}

/* With no key in both tables the word table is packed for the read
 * (its memory shrinks), and counting goes on after it: the next text
 * settles it and starts another. Every read equals the settled twin's. */
static void test_entries_packed(void **state)
{
    (void)state;
    asy_tok_opts o = {ASY_TOK_LOWER, 0, NULL, NULL, 0};
    const char *texts[] = {"The cat and the hat; a remarkably_long_word_here.",
                           "A hat, a bat and the CAT."};
    asy_counter *a = asy_counter_new(), *b = asy_counter_new();
    size_t k, n, m;
    for (int round = 0; round < 2; round++) {
        for (int d = 0; d < 2; d++) {
            const char *t = texts[(d + round) % 2];
            assert_int_equal(asy_tok_count_paired(t, strlen(t), &o, a, &k), 0);
            assert_int_equal(asy_tok_count_paired(t, strlen(t), &o, b, &k), 0);
        }
        size_t before = asy_counter_memory(a);
        asy_counter_entry *e = asy_counter_sorted(a, 0, &n);
        if (round == 0)
            assert_true(asy_counter_memory(a) < before); /* packed */
        assert_int_equal(asy_counter_settle(b), 0);
        asy_counter_entry *want = asy_counter_sorted(b, 0, &m);
        assert_same_entries(e, n, want, m);
        asy_counter_entries_free(e);
        asy_counter_entries_free(want);
    }
    assert_int_equal(GET(a, "the"), 6);
    asy_counter_free(a);
    asy_counter_free(b);
}

/* asy_counter_split puts every entry before the split ahead of every
 * entry after it (checked against qsort's order: the left part holds
 * exactly the first k of the sorted entries), keeps the entries, and
 * splits near the rank asked for: counts with many ties (decided by the
 * keys, some longer than 16 bytes and alike in their first 16), keys in
 * descending order (a pivot from the ends would split badly), short
 * arrays (sorted instead) and the ranks 0 and n. */
static void test_split(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 10, 2045, 2046, 5000, 100000};
    enum { NMAX = 100000 };
    char (*keys)[40] = malloc(NMAX * sizeof *keys);
    asy_counter_entry *e = malloc(NMAX * sizeof *e);
    asy_counter_entry *ref = malloc(NMAX * sizeof *ref);
    asy_counter_entry *left = malloc(NMAX * sizeof *left);
    assert_non_null(keys);
    assert_non_null(e);
    assert_non_null(ref);
    assert_non_null(left);
    unsigned x = 11;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        size_t n = sizes[si];
        for (int shape = 0; shape < 2; shape++) {
            for (int by_key = 0; by_key < 2; by_key++) {
                size_t ranks[] = {0, 1, n / 3, n / 2, n - 1, n};
                for (size_t ri = 0; ri < 6; ri++) {
                    for (size_t i = 0; i < n; i++) {
                        x = x * 1103515245u + 12345u;
                        size_t id = shape ? n - i : (i * 7919) % n;
                        int len = snprintf(keys[i], sizeof keys[i],
                                           i % 5 ? "w%zu"
                                                 : "sixteen-bytes-ab%zu",
                                           id);
                        e[i] = (asy_counter_entry){
                            keys[i], (size_t)len,
                            shape ? 1 : (int64_t)((x >> 16) % 9), 0, 0, 0};
                    }
                    memcpy(ref, e, n * sizeof *e);
                    qsort(ref, n, sizeof *ref,
                          by_key ? ref_key : ref_count);
                    asy_counter_sort_keys(e, n);
                    size_t k = asy_counter_split(e, n, ranks[ri], by_key);
                    assert_true(k <= n);
                    if (n >= 5000) /* a sample of 1023: within a few % */
                        assert_true(k + n / 16 >= ranks[ri] &&
                                    k <= ranks[ri] + n / 16);
                    /* the left part is the first k entries of the order */
                    memcpy(left, e, k * sizeof *e);
                    qsort(left, k, sizeof *left,
                          by_key ? ref_key : ref_count);
                    for (size_t i = 0; i < k; i++)
                        assert_ptr_equal(left[i].key, ref[i].key);
                    /* and the whole is the same entries */
                    qsort(e, n, sizeof *e, by_key ? ref_key : ref_count);
                    for (size_t i = 0; i < n; i++)
                        assert_ptr_equal(e[i].key, ref[i].key);
                }
            }
        }
    }
    free(keys);
    free(e);
    free(ref);
    free(left);
}

/* The steps of a split on several threads: a pivot picked from the
 * whole, then each slice partitioned around it on its own (bounds
 * checked: the pivot's entry is in one slice at most, and a slice may
 * lie wholly on one side): every entry left of a slice's split comes
 * before the pivot or is it, every one right of it after it or is it;
 * the entries stay the same; and the lefts together hold about `rank`. */
static void test_partition_slices(void **state)
{
    (void)state;
    enum { N = 60000 };
    char (*keys)[40] = malloc(N * sizeof *keys);
    asy_counter_entry *e = malloc(N * sizeof *e);
    asy_counter_entry *ref = malloc(N * sizeof *ref);
    assert_non_null(keys);
    assert_non_null(e);
    assert_non_null(ref);
    unsigned x = 7;
    for (int by_key = 0; by_key < 2; by_key++) {
        int (*cmp)(const void *, const void *) = by_key ? ref_key : ref_count;
        for (size_t i = 0; i < N; i++) {
            x = x * 1103515245u + 12345u;
            int len = snprintf(keys[i], sizeof keys[i],
                               i % 5 ? "w%zu" : "sixteen-bytes-ab%zu",
                               (i * 7919) % N);
            e[i] = (asy_counter_entry){keys[i], (size_t)len,
                                       (int64_t)((x >> 16) % 9), 0, 0, 0};
        }
        asy_counter_sort_keys(e, N);
        asy_counter_entry pivot;
        assert_int_equal(asy_counter_pivot(e, 100, 50, by_key, &pivot), 0);
        assert_int_equal(asy_counter_pivot(e, N, N / 3, by_key, &pivot), 1);
        memcpy(ref, e, N * sizeof *e);
        qsort(ref, N, sizeof *ref, cmp);
        /* slices of all sizes, one of them all of one side */
        static const size_t cuts[] = {0, 1, 2, 17, 9000, 30000, 59999, N};
        size_t left = 0;
        for (size_t c = 0; c + 1 < sizeof cuts / sizeof *cuts; c++) {
            size_t lo = cuts[c], n = cuts[c + 1] - lo;
            size_t k = asy_counter_partition(e + lo, n, &pivot, by_key);
            assert_true(k <= n);
            for (size_t i = 0; i < k; i++)
                assert_true(cmp(&e[lo + i], &pivot) <= 0);
            for (size_t i = k; i < n; i++)
                assert_true(cmp(&e[lo + i], &pivot) >= 0);
            left += k;
        }
        assert_true(left + N / 16 >= N / 3 && left <= N / 3 + N / 16);
        /* a slice wholly after the pivot: its split at 0 */
        size_t last = N - 100;
        qsort(e, N, sizeof *e, cmp);
        assert_true(cmp(&e[last], &pivot) > 0);
        assert_int_equal(asy_counter_partition(e + last, 100, &pivot, by_key),
                         0);
        qsort(e, N, sizeof *e, cmp);
        for (size_t i = 0; i < N; i++)
            assert_ptr_equal(e[i].key, ref[i].key);
    }
    free(keys);
    free(e);
    free(ref);
}

/* Sorting with threads gives what sorting with one does, for counts with
 * many ties (the splits' comparisons decided by the keys): 1 thread (its
 * entries read from the slots uncounted), 2 and 3 (each reads a range of
 * slots, counted first; a part of 3 threads splits into 1 and 2, then the
 * 2 again), 8 (as many parts as the size allows: 3), and 1 and 3 for the
 * order by key. */
static void test_sorted_threads(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    char k[32];
    unsigned x = 5;
    for (int i = 0; i < 230000; i++) {
        x = x * 1103515245u + 12345u;
        int n = snprintf(k, sizeof k, "w%u", (x >> 4) % 16000000u);
        assert_int_equal(asy_counter_add(c, k, (size_t)n, 1 + (x >> 28)), 0);
    }
    size_t n1;
    for (int by_key = 0; by_key < 2; by_key++) {
        asy_counter_entry *one = asy_counter_sorted(c, by_key, &n1);
        assert_true(n1 >= 3 * 65536); /* room for 3 slices */
        static const int tries[2][4] = {{1, 2, 3, 8}, {1, 3, 0, 0}};
        for (int ti = 0; ti < 4 && tries[by_key][ti]; ti++) {
            int threads = tries[by_key][ti];
            size_t n;
            asy_counter_entry *e = asy_counter_sorted_mt(c, by_key, &n,
                                                         threads);
            assert_int_equal(n, n1);
            for (size_t i = 0; i < n; i++) {
                assert_ptr_equal(e[i].key, one[i].key);
                assert_int_equal(e[i].count, one[i].count);
            }
            asy_counter_entries_free(e);
        }
        asy_counter_entries_free(one);
    }
    asy_counter_free(c);
}

/* A counter of 200,000 short words in its word table and 20,000 longer
 * than 16 bytes in its table proper, over two documents. */
static asy_counter *words_counter(void)
{
    static char text[220000 * 24];
    size_t len = 0, k;
    for (int i = 0; i < 200000; i++) {
        len += (size_t)sprintf(text + len, "w%d ", (i * 7919) % 200000);
        if (i % 10 == 0)
            len += (size_t)sprintf(text + len, "longerthansixteen%d ", i);
    }
    asy_tok_opts o = {0, 0, NULL, NULL, 0};
    size_t half = len / 2;
    while (text[half - 1] != ' ') /* whole words */
        half--;
    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_tok_count_paired(text, len, &o, c, &k), 0);
    assert_int_equal(asy_tok_count_paired(text, half, &o, c, &k), 0);
    return c;
}

/* The same for a counter whose words are in its word table, read
 * unsettled (the keys copied into the entries' block): the threads build
 * the entries of their slices, the table proper's and the word table's,
 * and the parts are split and sorted in that block, keys and all,
 * whatever the number of split rounds (2 threads: one round; 3: two). Each try starts from a
 * fresh counter (a read packs the word table: the next would take the
 * one-thread path); the last reads one already read. */
static void test_sorted_threads_words(void **state)
{
    (void)state;
    size_t n1, n;
    asy_counter *ref = words_counter();
    asy_counter_entry *one = asy_counter_sorted(ref, 0, &n1);
    assert_int_equal(n1, 220000);
    for (int threads = 2; threads <= 4; threads++) {
        asy_counter *c = threads < 4 ? words_counter() : ref;
        asy_counter_entry *e = asy_counter_sorted_mt(c, 0, &n, threads);
        assert_int_equal(n, n1);
        for (size_t i = 0; i < n; i++) {
            assert_string_equal(e[i].key, one[i].key);
            assert_int_equal(e[i].len, one[i].len);
            assert_int_equal(e[i].count, one[i].count);
            assert_int_equal(e[i].docs, one[i].docs);
        }
        asy_counter_entries_free(e);
        if (c != ref)
            asy_counter_free(c);
    }
    assert_int_equal(one[0].count, 2);
    assert_int_equal(one[0].docs, 2);
    assert_int_equal(one[n1 - 1].count, 1);
    asy_counter_entries_free(one);
    asy_counter_free(ref);
}

/* Whether the page at p is mapped. */
static int page_mapped(const void *p)
{
    unsigned char v;
    return mincore((void *)((uintptr_t)p & ~(uintptr_t)4095), 4096, &v) == 0;
}

/* Arrays of entries shrunk (asy_counter_entries_shrink): the first
 * entries kept, whether the block moves from a mapping to malloc (then
 * freeing it gives malloc its bytes back) or stays mapped (then freeing
 * it unmaps its pages and no page past them: a mapping put right after
 * them survives). Either way the block's size goes with it. */
static void test_entries_shrink(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    assert_non_null(c);
    char k[32];
    for (int i = 0; i < 200000; i++) { /* 9.6 MB of entries */
        int len = snprintf(k, sizeof k, "shrink-key-%d", i);
        assert_int_equal(asy_counter_add(c, k, (size_t)len, i % 97 + 1), 0);
    }
    size_t n;
    asy_counter_entry *e = asy_counter_sorted(c, 0, &n);
    assert_non_null(e);
    assert_int_equal(n, 200000);
    asy_counter_entry first[100];
    memcpy(first, e, sizeof first);
    struct mallinfo2 before = mallinfo2();
    e = asy_counter_entries_shrink(e, 100); /* under 2 MB: to malloc */
    for (int i = 0; i < 100; i++) {
        assert_ptr_equal(e[i].key, first[i].key);
        assert_int_equal(e[i].count, first[i].count);
    }
    struct mallinfo2 held = mallinfo2();
    asy_counter_entries_free(e);
    struct mallinfo2 after = mallinfo2();
    /* the copy came from malloc and went back (where glibc's malloc is the
     * one counted: not under a sanitizer's) */
    if (asy_table_maps() && held.uordblks >= before.uordblks + 100 * sizeof *e)
        assert_true(held.uordblks - after.uordblks >= 100 * sizeof *e);

    e = asy_counter_sorted(c, 0, &n);
    assert_non_null(e);
    size_t keep = 60000; /* 2.9 MB: stays mapped */
    e = asy_counter_entries_shrink(e, keep);
    assert_int_equal(e[0].count, first[0].count);
    void *past = (void *)(((uintptr_t)(e + keep) + 4095) & ~(uintptr_t)4095);
    void *guard = MAP_FAILED;
#if defined(MAP_FIXED_NOREPLACE)
    if (asy_table_maps() && !page_mapped(past))
        guard = mmap(past, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
#endif
    asy_counter_entries_free(e);
    if (guard != MAP_FAILED) {
        assert_ptr_equal(guard, past);
        assert_true(page_mapped(guard)); /* not unmapped with the block */
        assert_false(page_mapped((char *)past - 4096));
        munmap(guard, 4096);
    }
    asy_counter_free(c);
}

int main(int argc, char **argv)
{
    tu_select_hash(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_get),   cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_sorted),    cmocka_unit_test(test_merge),
        cmocka_unit_test(test_save_load), cmocka_unit_test(test_load_rejects),
        cmocka_unit_test(test_million),   cmocka_unit_test(test_distinct),
        cmocka_unit_test(test_sorted_orders),
        cmocka_unit_test(test_sort_fallback),
        cmocka_unit_test(test_sort_extreme_counts),
        cmocka_unit_test(test_hash16),
        cmocka_unit_test(test_hash_spread),
        cmocka_unit_test(test_hash_not_affine),
        cmocka_unit_test(test_paired),
        cmocka_unit_test(test_paired_adds),
        cmocka_unit_test(test_paired_merge_save),
        cmocka_unit_test(test_merge_unsettled),
        cmocka_unit_test(test_entries_unsettled),
        cmocka_unit_test(test_entries_packed),
        cmocka_unit_test(test_rounds_wrap),
        cmocka_unit_test(test_add_docs),
        cmocka_unit_test(test_merge_threads),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_partition_slices),
        cmocka_unit_test(test_sorted_threads),
        cmocka_unit_test(test_sorted_threads_words),
        cmocka_unit_test(test_sort_bytes),
        cmocka_unit_test(test_entries_shrink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
