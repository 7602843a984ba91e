/*
 * test_ngram.c — the toolkit word stream (UAX #29 words, folding, sentence
 * tags, runs broken by dropped numbers, offsets) and n-gram counting:
 * exact counts and document frequencies, sentence boundaries, n ranges,
 * paired n-gram tables and their row order, and argument checks.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "ngram.h"
#include "testutil.h"

#define GET(c, s) asy_counter_get(c, s, strlen(s))

static void test_stream_fold_offsets(void **state)
{
    (void)state;
    const char *t = "Kazakhstan\xE2\x80\x99s ÉNERGIE, 3.5 units; U.S. rail";
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t), ASY_WS_LOWER,
                                          NULL, 0), 0);
    assert_int_equal(ws.n, 5); /* 3.5 dropped: numbers not asked for */
    assert_memory_equal(asy_wordstream_norm(&ws, 0),
                        "kazakhstan\xE2\x80\x99s", ws.w[0].nlen);
    assert_int_equal(ws.w[1].nlen, strlen("énergie"));
    assert_memory_equal(asy_wordstream_norm(&ws, 1), "énergie", 8);
    assert_int_equal(ws.w[1].cstart, 13); /* code points, ’ counts once */
    assert_int_equal(ws.w[1].start, 15);
    assert_memory_equal(asy_wordstream_norm(&ws, 3), "u.s", 3);
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t),
                                          ASY_WS_NUMBERS, NULL, 0), 0);
    assert_int_equal(ws.n, 6);
    assert_memory_equal(asy_wordstream_norm(&ws, 2), "3.5", 3);
    assert_memory_equal(asy_wordstream_norm(&ws, 1), "ÉNERGIE", 8);
    asy_wordstream_free(&ws);
}

static void test_bigrams_and_docs(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new(), *d = asy_counter_new();
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    const char *a = "The cat sat. The cat ran, the cat sat!";
    assert_int_equal(asy_wordstream_build(&ws, a, strlen(a), ASY_WS_LOWER,
                                          NULL, 0), 0);
    assert_int_equal(asy_ngram_count(&ws, 2, 2, 0, c, d), 8);
    assert_int_equal(GET(c, "the cat"), 3);
    assert_int_equal(GET(c, "cat sat"), 2);
    assert_int_equal(GET(c, "sat the"), 1); /* crosses the sentence */
    assert_int_equal(GET(d, "the cat"), 1);
    const char *b = "the cat";
    assert_int_equal(asy_wordstream_build(&ws, b, strlen(b), ASY_WS_LOWER,
                                          NULL, 0), 0);
    assert_int_equal(asy_ngram_count(&ws, 2, 2, 0, c, d), 1);
    assert_int_equal(GET(c, "the cat"), 4);
    assert_int_equal(GET(d, "the cat"), 2);
    assert_int_equal(GET(d, "cat sat"), 1);
    asy_wordstream_free(&ws);
    asy_counter_free(c);
    asy_counter_free(d);
}

static void test_sentence_bounds(void **state)
{
    (void)state;
    const char *t = "one two three. four five";
    asy_span s[2] = {{0, 14}, {15, 24}};
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t), 0, s, 2), 0);
    assert_int_equal(ws.w[2].sent, 0);
    assert_int_equal(ws.w[3].sent, 1);
    asy_counter *c = asy_counter_new();
    /* 2..3-grams: sentence 1 gives 2 + 1, sentence 2 gives 1 */
    assert_int_equal(asy_ngram_count(&ws, 2, 3, 1, c, NULL), 4);
    assert_int_equal(GET(c, "one two three"), 1);
    assert_int_equal(GET(c, "three four"), 0);
    assert_int_equal(GET(c, "two three four"), 0);
    assert_int_equal(GET(c, "four five"), 1);
    assert_int_equal(asy_ngram_count(&ws, 1, 1, 1, c, NULL), 5);
    assert_int_equal(GET(c, "five"), 1);
    asy_counter_free(c);
    asy_wordstream_free(&ws);
}

static void test_bad_sizes(void **state)
{
    (void)state;
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_ngram_count(&ws, 0, 2, 0, c, NULL), -1);
    assert_int_equal(asy_ngram_count(&ws, 2, 6, 0, c, NULL), -1);
    assert_int_equal(asy_ngram_count(&ws, 3, 2, 0, c, NULL), -1);
    assert_int_equal(asy_ngram_count(&ws, 5, 5, 0, c, NULL), 0); /* empty */
    asy_counter_free(c);
}

static void test_five_grams(void **state)
{
    (void)state;
    const char *t = "a b c d e f";
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t), 0, NULL, 0), 0);
    assert_int_equal(asy_ngram_count(&ws, 2, 5, 0, c, NULL), 5 + 4 + 3 + 2);
    assert_int_equal(GET(c, "b c d e f"), 1);
    assert_int_equal(asy_counter_size(c), 14);
    asy_counter_free(c);
    asy_wordstream_free(&ws);
}

/* The reviewer's sentence: with numbers left out, no n-gram may join the
 * words around a number ("rose pct", "in to", "to billion" are not in the
 * text). Punctuation is a separator, not a token: "dlrs" after "billion"
 * still pairs, and a comma does not end a run. */
static void test_dropped_numbers_break(void **state)
{
    (void)state;
    const char *t = "Profits rose 5 pct in 1987 to 3.5 billion dlrs.";
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    asy_counter *c = asy_counter_new();
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t), ASY_WS_LOWER,
                                          NULL, 0), 0);
    assert_int_equal(ws.n, 7);
    assert_int_equal(ws.w[0].run, ws.w[1].run);
    assert_true(ws.w[1].run != ws.w[2].run); /* "rose" | 5 | "pct" */
    assert_int_equal(asy_ngram_count(&ws, 2, 3, 0, c, NULL), 3);
    assert_int_equal(GET(c, "profits rose"), 1);
    assert_int_equal(GET(c, "pct in"), 1);
    assert_int_equal(GET(c, "billion dlrs"), 1);
    assert_int_equal(GET(c, "rose pct"), 0);
    assert_int_equal(GET(c, "in to"), 0);
    assert_int_equal(GET(c, "to billion"), 0);
    assert_int_equal(asy_counter_size(c), 3);
    asy_counter_free(c);
    c = asy_counter_new(); /* kept numbers join as words do */
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t),
                                          ASY_WS_LOWER | ASY_WS_NUMBERS,
                                          NULL, 0), 0);
    assert_int_equal(asy_ngram_count(&ws, 2, 2, 0, c, NULL), 9);
    assert_int_equal(GET(c, "rose 5"), 1);
    assert_int_equal(GET(c, "to 3.5"), 1);
    asy_counter_free(c);
    const char *u = "rail, port; e-mail (x) 12 vs 12.3 mln";
    c = asy_counter_new();
    assert_int_equal(asy_wordstream_build(&ws, u, strlen(u), 0, NULL, 0), 0);
    assert_int_equal(asy_ngram_count(&ws, 2, 5, 0, c, NULL), 4 + 3 + 2 + 1);
    assert_int_equal(GET(c, "rail port e mail x"), 1);
    assert_int_equal(GET(c, "x vs"), 0);
    assert_int_equal(GET(c, "vs mln"), 0);
    asy_counter_free(c);
    asy_wordstream_free(&ws);
}

#define DOCS(c, k) asy_counter_get_docs(c, k, strlen(k))

/* Put count and docs on key of a paired table. */
static void put2(asy_counter *t, const char *k, int64_t count, int64_t docs)
{
    assert_int_equal(asy_counter_add2_h(t, k, strlen(k),
                                        asy_counter_hash(k, strlen(k)), count,
                                        docs), 0);
}

/* A table whose rounds were ended (its stamps given back, as
 * assay.ngram_rows and a handed-over counter do) counts on: the next
 * document starts a round of fresh stamps, and each document still
 * counts once per key. */
static void test_rounds_end(void **state)
{
    (void)state;
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    asy_counter *t = asy_counter_new();
    const char *a = "x y x y x y", *b = "x y z";
    assert_int_equal(asy_wordstream_build(&ws, a, strlen(a), 0, NULL, 0), 0);
    assert_int_equal(asy_ngram_count_table(&ws, 2, 2, 0, t), 5);
    asy_counter_end_rounds(t);
    asy_counter_end_rounds(t); /* twice: nothing left to give back */
    assert_int_equal(asy_wordstream_build(&ws, b, strlen(b), 0, NULL, 0), 0);
    assert_int_equal(asy_ngram_count_table(&ws, 2, 2, 0, t), 2);
    assert_int_equal(asy_ngram_count_table(&ws, 2, 2, 0, t), 2);
    assert_int_equal(GET(t, "x y"), 5);
    assert_int_equal(DOCS(t, "x y"), 3);
    assert_int_equal(GET(t, "y x"), 2);
    assert_int_equal(DOCS(t, "y x"), 1);
    assert_int_equal(DOCS(t, "y z"), 2);
    asy_wordstream_free(&ws);
    asy_counter_free(t);
}

/* One table carries count and documents; merging two tables (what -j N
 * does) adds both; rows come count descending, then key ascending, those
 * below min_count left out; counts past 2^32 are plain counts. */
static void test_table_rows(void **state)
{
    (void)state;
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    asy_counter *t = asy_counter_new(), *u = asy_counter_new();
    const char *a = "b a b a b a c", *b = "b a x";
    assert_int_equal(asy_wordstream_build(&ws, a, strlen(a), 0, NULL, 0), 0);
    assert_int_equal(asy_ngram_count_table(&ws, 1, 2, 0, t), 7 + 6);
    assert_true(asy_counter_paired(t));
    assert_int_equal(GET(t, "b a"), 3);
    assert_int_equal(DOCS(t, "b a"), 1);
    assert_int_equal(GET(t, "a"), 3);
    assert_int_equal(asy_wordstream_build(&ws, b, strlen(b), 0, NULL, 0), 0);
    assert_int_equal(asy_ngram_count_table(&ws, 1, 2, 0, u), 3 + 2);
    assert_int_equal(asy_counter_merge(t, u), 0);
    assert_int_equal(GET(t, "b a"), 4);
    assert_int_equal(DOCS(t, "b a"), 2);
    assert_int_equal(DOCS(t, "x"), 1);
    asy_ngram_rows r;
    assert_int_equal(asy_ngram_rows_build(t, 2, 1, &r), 0);
    static const char *const want[] = {"a", "b", "b a", "a b"};
    static const int64_t counts[] = {4, 4, 4, 2};
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < r.n; i++) {
        const asy_counter_entry *e = &r.e[i];
        assert_string_equal(e->key, want[i]);
        assert_int_equal(e->count, counts[i]);
    }
    assert_int_equal(r.e[2].docs, 2);
    asy_ngram_rows_free(&r);
    assert_int_equal(asy_ngram_rows_build(u, 1, 1, &r), 0);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.e[0].key, "a");
    assert_string_equal(r.e[4].key, "x");
    asy_ngram_rows_free(&r);
    assert_int_equal(asy_counter_size(u), 5);
    asy_counter_free(t);
    asy_counter_free(u);
    t = asy_counter_new(); /* counts past 2^16 and 2^32; ties by key */
    assert_int_equal(asy_counter_pair(t), 0);
    put2(t, "z", 70000, 3);
    put2(t, "big", 70000, 2);
    put2(t, "most", (int64_t)1 << 33, 9); /* past 32 bits: no wrap */
    put2(t, "more", ((int64_t)1 << 32) + 1, (int64_t)1 << 32);
    put2(t, "mid", 65535, 1);
    put2(t, "a", 2, 1);
    put2(t, "b", 1, 1);
    assert_int_equal(asy_ngram_rows_build(t, 2, 1, &r), 0);
    static const char *const want2[] = {"most", "more", "big", "z", "mid",
                                        "a"};
    assert_int_equal(r.n, 6);
    for (size_t i = 0; i < r.n; i++)
        assert_string_equal(r.e[i].key, want2[i]);
    assert_true(r.e[0].count == (int64_t)1 << 33);
    assert_int_equal(r.e[0].docs, 9);
    assert_true(r.e[1].count == ((int64_t)1 << 32) + 1);
    assert_true(r.e[1].docs == (int64_t)1 << 32);
    asy_ngram_rows_free(&r);
    asy_counter_free(t);
    /* a table fed negative counts (c:add(key, -n) from Lua) and every
     * row asked for: negative counts come last, in order (an earlier
     * counting sort wrote outside its index array here) */
    t = asy_counter_new();
    assert_int_equal(asy_counter_pair(t), 0);
    put2(t, "neg", -1000, 0);
    put2(t, "low", INT64_MIN, 0);
    put2(t, "zero", 0, 0);
    put2(t, "huge", 100000, 1);
    put2(t, "one", 1, 1);
    put2(t, "minus", -1, 0);
    put2(t, "also", -1, 0);
    assert_int_equal(asy_ngram_rows_build(t, INT64_MIN, 1, &r), 0);
    static const char *const want3[] = {"huge", "one",   "zero", "also",
                                        "minus", "neg", "low"};
    assert_int_equal(r.n, 7);
    for (size_t i = 0; i < r.n; i++)
        assert_string_equal(r.e[i].key, want3[i]);
    asy_ngram_rows_free(&r);
    asy_counter_free(t);
    t = asy_counter_new(); /* empty table: no rows, no allocation */
    assert_int_equal(asy_ngram_rows_build(t, 1, 1, &r), 0);
    assert_int_equal(r.n, 0);
    asy_ngram_rows_free(&r);
    asy_counter_free(t);
    asy_wordstream_free(&ws);
}

int main(int argc, char **argv)
{
    tu_select_hash(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_fold_offsets),
        cmocka_unit_test(test_bigrams_and_docs),
        cmocka_unit_test(test_sentence_bounds),
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_five_grams),
        cmocka_unit_test(test_dropped_numbers_break),
        cmocka_unit_test(test_table_rows),
        cmocka_unit_test(test_rounds_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
