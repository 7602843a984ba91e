/*
 * test_stats.c — association and keyness scores against published worked
 * examples and hand computation:
 *  - Manning & Schütze (1999), Foundations of Statistical NLP, ch. 5, on
 *    14,307,668 tokens of New York Times newswire: "new companies"
 *    (c(new) = 15,828, c(companies) = 4,675, c(new companies) = 8) has
 *    t = 0.999932 (sec. 5.3.1) and chi² = 1.55 (sec. 5.3.3); "Ayatollah
 *    Ruhollah" (42, 20, 20) has I = 18.38 bits (sec. 5.4).
 *  - Dunning (1993), Accurate methods for the statistics of surprise and
 *    coincidence: -2 log λ for two binomials, computed here by hand from
 *    his formula (eq. for H(p;k,n)) and compared with the 4-cell G².
 *  - Rayson & Garside (2000), Comparing corpora using frequency profiling:
 *    keyness contingency table a, b, c - a, d - b; and worked examples by
 *    the same author: Paul Rayson's answer on the Corpora list (18 Jan
 *    2002, "statistics in learner English"), a learner and a native
 *    corpus of 1,000,000 words each, LL rounded to whole numbers: keep 348
 *    vs 99 -> 147, keeping 9 vs 32 -> 14, keeps 15 vs 14 -> 0, kept 21 vs
 *    25 -> 0, the lemma 392 vs 170 -> 90; and the worked example of
 *    Lancaster's log-likelihood calculator (UCREL LL wizard): 52 in 50,000
 *    tokens vs 57 in 75,000 -> LL +2.65 (more frequent in corpus 1).
 * And a collocation table large enough for several threads (200,000
 * bigrams, some below min_count, some with a word the unigrams lack),
 * in every sort order, against a reference made here: each bigram scored
 * on its own, then qsort by score descending, key ascending.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "testutil.h"

#define NYT 14307668

static void test_manning_schutze(void **state)
{
    (void)state;
    asy_assoc s;
    assert_int_equal(asy_stats_bigram(8, 15828, 4675, NYT, &s), 0);
    assert_float_equal(s.t, 0.999932, 5e-7);
    assert_float_equal(s.chi2, 1.55, 0.005);
    assert_int_equal(asy_stats_bigram(20, 42, 20, NYT, &s), 0);
    assert_float_equal(s.mi, 18.38, 0.005);
}

/* Dunning's log-likelihood of a binomial: k log p + (n-k) log(1-p). */
static double binom_ll(double p, double k, double n)
{
    double a = k > 0 ? k * log(p) : 0, b = n - k > 0 ? (n - k) * log(1 - p) : 0;
    return a + b;
}

/* -2 log λ for k1 of n1 vs k2 of n2 (Dunning 1993, sec. 6). */
static double dunning(double k1, double n1, double k2, double n2)
{
    double p1 = k1 / n1, p2 = k2 / n2, p = (k1 + k2) / (n1 + n2);
    return 2 * (binom_ll(p1, k1, n1) + binom_ll(p2, k2, n2) - binom_ll(p, k1, n1) -
                binom_ll(p, k2, n2));
}

static void test_g2_is_dunning(void **state)
{
    (void)state;
    /* bigram "most powerful" (M&S table 5.12 counts): w2 after w1 vs
     * w2 after other words */
    double c1 = 12593, c2 = 932, c12 = 150, n = NYT;
    double want = dunning(c12, c1, c2 - c12, n - c1);
    assert_float_equal(asy_stats_g2(c12, c1 - c12, c2 - c12, n - c1 - c2 + c12),
                       want, want * 1e-9);
    assert_float_equal(want, 1291.32, 0.01); /* by hand, M&S print 1291.42 */
    asy_assoc s;
    assert_int_equal(asy_stats_bigram(150, 12593, 932, NYT, &s), 0);
    assert_float_equal(s.g2, want, want * 1e-9);
    /* symmetric table, no association: G2 = chi2 = 0 */
    assert_float_equal(asy_stats_g2(10, 10, 10, 10), 0.0, 1e-12);
    assert_float_equal(asy_stats_chi2(10, 10, 10, 10), 0.0, 1e-12);
    /* small hand-computed table: a=10 b=0 c=0 d=10 -> G2 = 40 ln 2 */
    assert_float_equal(asy_stats_g2(10, 0, 0, 10), 40 * log(2.0), 1e-9);
    assert_float_equal(asy_stats_chi2(10, 0, 0, 10), 20.0, 1e-9);
    assert_float_equal(asy_stats_g2(0, 0, 5, 5), 0.0, 1e-12); /* empty row */
}

static void test_keyness(void **state)
{
    (void)state;
    asy_keyness k;
    /* a word 100 times in 10,000 target words, 100 in 100,000 reference */
    assert_int_equal(asy_stats_keyness(100, 100, 10000, 100000, &k), 0);
    double g = dunning(100, 10000, 100, 100000);
    assert_float_equal(k.g2, g, g * 1e-9);
    assert_true(k.g2 > 0);
    assert_float_equal(k.log_ratio, log2(10.0), 1e-12);
    double chi = asy_stats_chi2(100, 100, 9900, 99900);
    assert_float_equal(k.chi2, chi, 1e-9);
    /* reversed: the same magnitude, negative */
    assert_int_equal(asy_stats_keyness(100, 100, 100000, 10000, &k), 0);
    assert_float_equal(k.g2, -g, g * 1e-9);
    assert_float_equal(k.log_ratio, -log2(10.0), 1e-12);
    /* zero in the reference: log ratio uses 0.5 (Hardie 2014) */
    assert_int_equal(asy_stats_keyness(4, 0, 1000, 1000, &k), 0);
    assert_float_equal(k.log_ratio, 3.0, 1e-12);
    assert_int_equal(asy_stats_keyness(5, 0, 4, 10, &k), -1);
    assert_int_equal(asy_stats_keyness(1, 0, 4, 0, &k), -1);
}

static asy_counter *table(const char *const *kv, const int *n)
{
    asy_counter *c = asy_counter_new();
    for (int i = 0; kv[i]; i++)
        assert_int_equal(asy_counter_add(c, kv[i], strlen(kv[i]), n[i]), 0);
    return c;
}

/* The published LL values above, to their printed precision. */
static void test_keyness_published(void **state)
{
    (void)state;
    static const struct { int64_t a, b; double ll; } rayson[] = {
        {348, 99, 147}, {9, 32, -14}, {15, 14, 0}, {21, 25, 0}, {392, 170, 90}};
    asy_keyness k;
    for (size_t i = 0; i < sizeof rayson / sizeof rayson[0]; i++) {
        assert_int_equal(asy_stats_keyness(rayson[i].a, rayson[i].b, 1000000,
                                           1000000, &k), 0);
        /* printed rounded to zero decimals, the sign from the word list */
        assert_float_equal(fabs(k.g2), fabs(rayson[i].ll), 0.5);
        assert_true(rayson[i].ll == 0 || (k.g2 > 0) == (rayson[i].ll > 0));
    }
    assert_int_equal(asy_stats_keyness(52, 57, 50000, 75000, &k), 0);
    assert_float_equal(k.g2, 2.65, 0.005);
    /* the M&S "most powerful" G2 (table 5.12 prints 1291.42; exact
     * arithmetic gives 1291.32, the book's rounding of its logs) */
    asy_assoc s;
    assert_int_equal(asy_stats_bigram(150, 12593, 932, NYT, &s), 0);
    assert_float_equal(s.g2, 1291.42, 0.15);
}

static void test_tables(void **state)
{
    (void)state;
    const char *uk[] = {"new", "york", "the", "city", NULL};
    const int un[] = {10, 6, 50, 34};
    const char *bk[] = {"new york", "the city", "the new", "york city", NULL};
    const int bn[] = {6, 5, 2, 1};
    asy_counter *uni = table(uk, un), *bi = table(bk, bn);
    asy_colloc *r;
    size_t n;
    assert_int_equal(
        asy_stats_collocations(bi, uni, 100, 2, NULL, 1, &r, &n), 0);
    assert_int_equal(n, 3); /* "york city" below min_count */
    assert_memory_equal(r[0].key, "new york", 8);
    assert_int_equal(r[0].split, 3);
    asy_assoc s;
    asy_stats_bigram(6, 10, 6, 100, &s);
    assert_float_equal(r[0].s.g2, s.g2, 1e-12);
    for (size_t i = 1; i < n; i++)
        assert_true(r[i - 1].s.g2 >= r[i].s.g2);
    free(r);
    assert_int_equal(
        asy_stats_collocations(bi, uni, 100, 1, "bogus", 1, &r, &n), -2);
    assert_int_equal(
        asy_stats_collocations(bi, uni, 100, 1, "count", 1, &r, &n), 0);
    assert_int_equal(r[3].c12, 1);
    free(r);
    /* keyness: uni as target, bi-words as reference */
    const char *rk[] = {"the", "city", "rail", NULL};
    const int rn[] = {500, 10, 90};
    asy_counter *ref = table(rk, rn);
    asy_keyrow *k;
    assert_int_equal(asy_stats_keywords(uni, ref, 1, &k, &n), 0);
    assert_int_equal(n, 5); /* new york the city + rail */
    assert_true(k[0].k.g2 >= k[1].k.g2);
    size_t rail = n;
    for (size_t i = 0; i < n; i++)
        if (k[i].len == 4 && memcmp(k[i].key, "rail", 4) == 0)
            rail = i;
    assert_true(rail < n); /* reference-only words are listed too */
    assert_int_equal(k[rail].a, 0);
    assert_int_equal(k[rail].b, 90);
    assert_true(k[rail].k.g2 < 0);
    assert_memory_equal(k[0].key, "city", 4); /* 34% vs 1.7%: top key word */
    assert_true(k[n - 1].k.g2 < 0);
    free(k);
    asy_counter_free(uni);
    asy_counter_free(bi);
    asy_counter_free(ref);
}

/* The reference order: score descending, then key bytewise. */
static const char *ref_sort;

static double ref_score(const asy_colloc *r)
{
    if (strcmp(ref_sort, "mi") == 0)
        return r->s.mi;
    if (strcmp(ref_sort, "t_score") == 0)
        return r->s.t;
    if (strcmp(ref_sort, "chi2") == 0)
        return r->s.chi2;
    if (strcmp(ref_sort, "count") == 0)
        return (double)r->c12;
    return r->s.g2;
}

static int ref_cmp(const void *pa, const void *pb)
{
    const asy_colloc *a = pa, *b = pb;
    double x = ref_score(a), y = ref_score(b);
    if (x != y)
        return x > y ? -1 : 1;
    int r = memcmp(a->key, b->key, a->len < b->len ? a->len : b->len);
    return r ? r : (a->len > b->len) - (a->len < b->len);
}

static void test_large_table(void **state)
{
    (void)state;
    asy_counter *uni = asy_counter_new(), *bi = asy_counter_new();
    enum { WORDS = 3000, BIGRAMS = 200000 };
    char w[64], k[64];
    int64_t tokens = 0;
    for (int i = 0; i < WORDS; i++) {
        if (i % 97 == 5)
            continue; /* a word the unigrams lack: its bigrams are skipped */
        int64_t c = 400 + (i * 7919) % 5000;
        snprintf(w, sizeof w, "w%d", i);
        assert_int_equal(asy_counter_add(uni, w, strlen(w), c), 0);
        snprintf(w, sizeof w, "w%d-longer", i);
        assert_int_equal(asy_counter_add(uni, w, strlen(w), c / 3), 0);
        tokens += c + c / 3;
    }
    /* frequent words: their bigrams score below chance (negative MI and
     * t-score) */
    for (int i = 0; i < 50; i++) {
        snprintf(w, sizeof w, "f%d", i);
        int64_t c = 1000000 + i * 20000;
        assert_int_equal(asy_counter_add(uni, w, strlen(w), c), 0);
        tokens += c;
    }
    for (int a = 0; a < 50; a++)
        for (int b = 0; b < 50; b++) {
            int len = snprintf(k, sizeof k, "f%d f%d", a, b);
            assert_int_equal(asy_counter_add(bi, k, (size_t)len,
                                             1 + (a * b) % 40), 0);
        }
    /* keys of up to 16 bytes and longer ones; counts 1 .. 40 with ties */
    asy_colloc *ref = malloc(BIGRAMS * sizeof *ref);
    size_t nref = 0;
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < BIGRAMS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int a = (int)(x % WORDS), b = (int)((x >> 20) % WORDS);
        int len = snprintf(k, sizeof k, i % 5 ? "w%d w%d" : "w%d-longer w%d",
                           a, b);
        int64_t c = 1 + (int64_t)((x >> 40) % 40);
        if (asy_counter_get(bi, k, (size_t)len) > 0)
            continue;
        assert_int_equal(asy_counter_add(bi, k, (size_t)len, c), 0);
    }
    for (int s = 0; s < 5; s++) {
        static const char *sorts[] = {"log_likelihood", "mi", "t_score",
                                      "chi2", "count"};
        ref_sort = sorts[s];
        /* the reference, from the counter's entries one by one */
        size_t m;
        asy_counter_entry *e = asy_counter_entries(bi, &m);
        assert_non_null(e);
        nref = 0;
        for (size_t i = 0; i < m; i++) {
            if (e[i].count < 3)
                continue;
            const char *sp = memchr(e[i].key, ' ', e[i].len);
            asy_colloc *r = &ref[nref];
            r->key = e[i].key;
            r->len = e[i].len;
            r->split = (size_t)(sp - e[i].key);
            r->c12 = e[i].count;
            r->c1 = asy_counter_get(uni, e[i].key, r->split);
            r->c2 = asy_counter_get(uni, sp + 1, e[i].len - r->split - 1);
            nref += asy_stats_bigram(r->c12, r->c1, r->c2, tokens, &r->s) == 0;
        }
        asy_counter_entries_free(e);
        qsort(ref, nref, sizeof *ref, ref_cmp);
        if (s == 1) /* MI: scores of both signs */
            assert_true(ref[0].s.mi > 0 && ref[nref - 1].s.mi < 0);
        assert_true(nref > m / 2);
        assert_true(nref < m - m / 20); /* some below 3, some skipped */
        for (int threads = 1; threads <= 4; threads += 3) {
            asy_colloc *r;
            size_t n;
            assert_int_equal(asy_stats_collocations(bi, uni, tokens, 3,
                                                    sorts[s], threads, &r,
                                                    &n), 0);
            assert_int_equal(n, nref);
            for (size_t i = 0; i < n; i++) {
                if (r[i].len != ref[i].len ||
                    memcmp(r[i].key, ref[i].key, r[i].len) != 0 ||
                    r[i].c12 != ref[i].c12 || r[i].c1 != ref[i].c1 ||
                    r[i].c2 != ref[i].c2 || r[i].split != ref[i].split ||
                    memcmp(&r[i].s, &ref[i].s, sizeof r[i].s) != 0)
                    fail_msg("%s, %d threads: row %zu differs", sorts[s],
                             threads, i);
            }
            free(r);
        }
    }
    free(ref);
    asy_counter_free(uni);
    asy_counter_free(bi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manning_schutze),
        cmocka_unit_test(test_g2_is_dunning),
        cmocka_unit_test(test_keyness),
        cmocka_unit_test(test_keyness_published),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_large_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
