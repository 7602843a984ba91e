/*
 * test_ngram.c — the toolkit word stream (UAX #29 words, folding, sentence
 * tags, offsets) and n-gram counting: exact counts and document
 * frequencies, sentence boundaries, n ranges, and argument checks.
 */
#include <stdlib.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_fold_offsets),
        cmocka_unit_test(test_bigrams_and_docs),
        cmocka_unit_test(test_sentence_bounds),
        cmocka_unit_test(test_bad_sizes),
        cmocka_unit_test(test_five_grams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
