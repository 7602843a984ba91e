/*
 * test_kwic.c — keyword-in-context: patterns compiled into dictionaries
 * (globs, phrases, alternatives, longest match, case folding, the
 * dictionary's normalisation: e-mail, U.S.), context windows at the
 * edges, and pattern errors.
 */
#include <stdlib.h>
#include <string.h>

#include "kwic.h"
#include "testutil.h"

typedef struct found {
    asy_wordstream ws;
    asy_kwic_hit *h;
    size_t n;
} found;

/* Compile pat, scan text with `window` words of context. */
static void find(found *f, const char *pat, const char *text, size_t window)
{
    asy_dict *d;
    asy_error err = {0};
    assert_int_equal(asy_kwic_pattern(pat, strlen(pat), &d, &err), ASSAY_OK);
    asy_dict_scratch *s = asy_dict_scratch_new();
    assert_non_null(s);
    f->ws = (asy_wordstream)ASY_WORDSTREAM_INIT;
    assert_int_equal(asy_wordstream_build(&f->ws, text, strlen(text),
                                          ASY_WS_NUMBERS, NULL, 0), 0);
    assert_int_equal(asy_kwic_find(d, s, text, strlen(text), &f->ws, window,
                                   &f->h, &f->n), ASSAY_OK);
    asy_dict_scratch_free(s);
    asy_dict_free(d);
}

static void done(found *f)
{
    free(f->h);
    asy_wordstream_free(&f->ws);
}

/* The matched text of hit i. */
static int match_is(const char *text, const asy_kwic_hit *h, const char *want)
{
    size_t n = h->right_start - h->match;
    return n == strlen(want) && memcmp(text + h->match, want, n) == 0;
}

static void test_hits_and_context(void **state)
{
    (void)state;
    const char *t = "Energy talks: the Belt and Road, energy prices and the belt.";
    found f;
    find(&f, "ENERG*|belt and road|belt", t, 2);
    assert_int_equal(f.n, 4);
    asy_kwic_hit *h = f.h;
    assert_int_equal(h[0].first, 0); /* at the start: no left context */
    assert_int_equal(h[0].left, 0);
    assert_int_equal(h[0].match, 0);
    assert_int_equal(h[0].right_start, 6);
    assert_int_equal(h[0].right_end, strlen("Energy talks: the"));
    assert_int_equal(h[1].last - h[1].first, 3); /* longest alternative */
    assert_int_equal(h[1].match, strlen("Energy talks: the "));
    assert_int_equal(h[1].left, strlen("Energy ")); /* 2 words back */
    assert_int_equal(h[1].right_start, strlen("Energy talks: the Belt and Road"));
    assert_int_equal(h[1].cstart, 18);
    assert_int_equal(h[1].cend, 31);
    assert_int_equal(h[2].first, 6);
    assert_int_equal(h[3].last, f.ws.n); /* "belt" alone at the end */
    assert_int_equal(h[3].right_end, h[3].right_start);
    done(&f);
}

/* Patterns follow the dictionary's rules: an entry is split into tokens
 * like the text, punctuation between tokens is ignored (the old kwic
 * matcher found none of these). */
static void test_dictionary_rules(void **state)
{
    (void)state;
    const char *t = "An E-mail, an e mail, the U.S. and Belt-and-Road oil-gas.";
    found f;
    find(&f, "e-mail|U.S.|Belt-and-Road|oil gas*", t, 1);
    assert_int_equal(f.n, 5);
    assert_true(match_is(t, &f.h[0], "E-mail"));
    assert_true(match_is(t, &f.h[1], "e mail"));
    assert_true(match_is(t, &f.h[2], "U.S"));
    assert_true(match_is(t, &f.h[3], "Belt-and-Road"));
    assert_true(match_is(t, &f.h[4], "oil-gas"));
    assert_int_equal(f.h[0].entry, 0);
    assert_int_equal(f.h[4].entry, 3);
    /* window 1: "the" before U.S, "and" after (the "." is no word) */
    assert_int_equal(f.h[2].left, strlen("An E-mail, an e mail, "));
    assert_int_equal(f.h[2].right_end, strlen("An E-mail, an e mail, the U.S. and"));
    done(&f);
}

static void test_numbers_case_and_globs(void **state)
{
    (void)state;
    found f;
    const char *t = "In 2024 the Énergie plan: synergy, colour, color.";
    find(&f, "20*,ÉNERGIE|colo?r", t, 1);
    assert_int_equal(f.n, 3);
    assert_int_equal(f.h[0].first, 1);
    assert_int_equal(f.h[1].first, 3);
    assert_int_equal(f.h[1].cstart, 12); /* code points, not bytes */
    assert_int_equal(f.h[1].match, 12);
    assert_true(match_is(t, &f.h[2], "colour")); /* ? is one character */
    done(&f);
    find(&f, "energ*", "energy and synergy", 3); /* anchored */
    assert_int_equal(f.n, 1);
    done(&f);
    find(&f, "trade", "no such word here", 5);
    assert_int_equal(f.n, 0);
    assert_null(f.h);
    done(&f);
}

static void test_context_edges(void **state)
{
    (void)state;
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    const char *t = "one two three";
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t), 0, NULL, 0), 0);
    asy_kwic_hit h;
    asy_kwic_context(&ws, 4, 7, 0, &h); /* window 0: the match only */
    assert_int_equal(h.first, 1);
    assert_int_equal(h.last, 2);
    assert_int_equal(h.left, 4);
    assert_int_equal(h.right_end, 7);
    asy_kwic_context(&ws, 4, 7, 1000, &h); /* larger than the text */
    assert_int_equal(h.left, 0);
    assert_int_equal(h.right_end, strlen(t));
    asy_wordstream_free(&ws);
}

static void test_next_alternative(void **state)
{
    (void)state;
    const char *spec = " oil | belt and road,,gas ";
    size_t pos = 0, a, n, len = strlen(spec);
    assert_int_equal(asy_kwic_next(spec, len, &pos, &a, &n), 1);
    assert_int_equal(a, 1);
    assert_int_equal(n, 3);
    assert_int_equal(asy_kwic_next(spec, len, &pos, &a, &n), 1);
    assert_memory_equal(spec + a, "belt and road", 13);
    assert_int_equal(n, 13);
    assert_int_equal(asy_kwic_next(spec, len, &pos, &a, &n), 1);
    assert_int_equal(n, 0); /* between ",," */
    assert_int_equal(asy_kwic_next(spec, len, &pos, &a, &n), 1);
    assert_memory_equal(spec + a, "gas", 3);
    assert_int_equal(n, 3);
    assert_int_equal(asy_kwic_next(spec, len, &pos, &a, &n), 0);
    pos = 0; /* the empty spec is one empty alternative */
    assert_int_equal(asy_kwic_next("", 0, &pos, &a, &n), 1);
    assert_int_equal(n, 0);
    assert_int_equal(asy_kwic_next("", 0, &pos, &a, &n), 0);
}

static void test_pattern_errors(void **state)
{
    (void)state;
    asy_dict *d;
    asy_error err;
    assert_int_equal(asy_kwic_pattern("oil||gas", 8, &d, &err), ASSAY_E_USAGE);
    assert_null(d);
    assert_non_null(strstr(err.message, "empty alternative at byte 4"));
    assert_int_equal(asy_kwic_pattern("  ", 2, &d, &err), ASSAY_E_USAGE);
    assert_int_equal(asy_kwic_pattern("oil|-", 5, &d, &err), ASSAY_E_USAGE);
    assert_non_null(strstr(err.message, "'-' can never match"));
    assert_int_equal(asy_kwic_pattern("oil|:-)", 7, &d, &err), ASSAY_E_USAGE);
    assert_non_null(strstr(err.message, "':-)' can never match"));
    /* a glob across punctuation is split like the text: a phrase */
    assert_int_equal(asy_kwic_pattern("oil-gas*", 8, &d, &err), ASSAY_OK);
    asy_dict_entry_info e;
    assert_int_equal(asy_dict_entry(d, 0, &e), ASSAY_OK);
    assert_string_equal(e.norm, "oil gas*");
    asy_dict_free(d);
    assert_int_equal(asy_kwic_pattern("oil, gas", 8, &d, &err), ASSAY_OK);
    assert_int_equal(asy_dict_nentries(d), 2);
    assert_int_equal(asy_dict_ncategories(d), 1);
    assert_string_equal(asy_dict_category_path(d, 0), "pattern");
    asy_dict_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_and_context),
        cmocka_unit_test(test_dictionary_rules),
        cmocka_unit_test(test_numbers_case_and_globs),
        cmocka_unit_test(test_context_edges),
        cmocka_unit_test(test_next_alternative),
        cmocka_unit_test(test_pattern_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
