/*
 * test_kwic.c — keyword-in-context patterns: globs, phrases, alternatives,
 * longest match, case folding, context windows at the edges, and pattern
 * errors.
 */
#include <stdlib.h>
#include <string.h>

#include "kwic.h"
#include "testutil.h"

static void test_glob(void **state)
{
    (void)state;
#define G(g, s) asy_glob_match(g, strlen(g), s, strlen(s))
    assert_true(G("energ*", "energy"));
    assert_true(G("energ*", "energ"));
    assert_false(G("energ*", "synergy"));
    assert_true(G("*ism", "nationalism"));
    assert_true(G("colo?r", "colour"));
    assert_false(G("colo?r", "color"));
    assert_true(G("?", "é")); /* one character, two bytes */
    assert_true(G("a*b*c", "aXbYbZc"));
    assert_false(G("a*b*c", "aXbYbZ"));
    assert_true(G("*", ""));
#undef G
}

static asy_kwic_hit *find(const char *pat, const char *text, size_t window,
                          asy_wordstream *ws, size_t *n)
{
    asy_kwic_pat *p;
    assert_int_equal(asy_kwic_compile(pat, strlen(pat), 1, &p, NULL),
                     ASSAY_OK);
    assert_int_equal(asy_wordstream_build(ws, text, strlen(text),
                                          ASY_WS_LOWER | ASY_WS_NUMBERS,
                                          NULL, 0), 0);
    asy_kwic_hit *h;
    assert_int_equal(asy_kwic_find(p, ws, window, &h, n), 0);
    asy_kwic_free(p);
    return h;
}

static void test_hits_and_context(void **state)
{
    (void)state;
    const char *t = "Energy talks: the Belt and Road, energy prices and the belt.";
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    size_t n;
    asy_kwic_hit *h = find("ENERG*|belt and road|belt", t, 2, &ws, &n);
    assert_int_equal(n, 4);
    assert_int_equal(h[0].first, 0); /* at the start: no left context */
    assert_int_equal(h[0].left, 0);
    assert_int_equal(h[0].match, 0);
    assert_int_equal(h[0].right_start, 6);
    assert_int_equal(h[0].right_end, strlen("Energy talks: the"));
    assert_int_equal(h[1].last - h[1].first, 3); /* longest alternative */
    assert_int_equal(h[1].match, strlen("Energy talks: the "));
    assert_int_equal(h[1].left, strlen("Energy ")); /* 2 words back */
    assert_int_equal(h[1].right_start, strlen("Energy talks: the Belt and Road"));
    assert_int_equal(h[2].first, 6);
    assert_int_equal(h[3].last, ws.n); /* "belt" alone at the end */
    assert_int_equal(h[3].right_end, h[3].right_start);
    free(h);
    asy_wordstream_free(&ws);
}

static void test_no_match_and_errors(void **state)
{
    (void)state;
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    size_t n;
    asy_kwic_hit *h = find("trade", "no such word here", 5, &ws, &n);
    assert_int_equal(n, 0);
    assert_null(h);
    asy_wordstream_free(&ws);
    asy_kwic_pat *p;
    asy_error err;
    assert_int_equal(asy_kwic_compile("oil||gas", 8, 1, &p, &err),
                     ASSAY_E_USAGE);
    assert_null(p);
    assert_non_null(strstr(err.message, "empty alternative"));
    assert_int_equal(asy_kwic_compile("  ", 2, 1, &p, &err), ASSAY_E_USAGE);
}

static void test_numbers_and_case(void **state)
{
    (void)state;
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    size_t n;
    asy_kwic_hit *h = find("20*,ÉNERGIE", "In 2024 the Énergie plan", 1, &ws,
                           &n);
    assert_int_equal(n, 2);
    assert_int_equal(h[0].first, 1);
    assert_int_equal(h[1].first, 3);
    assert_int_equal(ws.w[3].cstart, 12);
    free(h);
    asy_wordstream_free(&ws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_hits_and_context),
        cmocka_unit_test(test_no_match_and_errors),
        cmocka_unit_test(test_numbers_and_case),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
