/*
 * test_entity.c — capitalised names: runs, connectors, hyphens,
 * possessives, sentence-initial capitals (dropped unless the word is
 * capitalised mid-sentence elsewhere), capitals after a dash, colon,
 * opening quote or bracket, document frequencies.
 */
#include <stdlib.h>
#include <string.h>

#include "entity.h"
#include "sentence.h"
#include "testutil.h"

#define GET(c, s) asy_counter_get(c, s, strlen(s))

static long run(const char *t, int min_words, asy_counter *c, asy_counter *d)
{
    asy_span *sp;
    size_t ns;
    assert_int_equal(asy_sentences_news(t, strlen(t), NULL, &sp, &ns, NULL),
                     ASSAY_OK);
    asy_wordstream ws = ASY_WORDSTREAM_INIT;
    assert_int_equal(asy_wordstream_build(&ws, t, strlen(t), 0, sp, ns), 0);
    long n = asy_entities_count(t, &ws, min_words, c, d);
    asy_wordstream_free(&ws);
    free(sp);
    return n;
}

static void test_names(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new(), *d = asy_counter_new();
    const char *t =
        "The United Nations met the Bank of China. Officials from "
        "Kassym-Jomart Tokayev\xE2\x80\x99s office and Leonardo da Vinci "
        "fans came. Kazakhstan agreed. Trade with Kazakhstan grew. "
        "Bank of the West said so, and the United Nations agreed.";
    assert_int_equal(run(t, 2, c, d), 6); /* occurrences */
    assert_int_equal(GET(c, "United Nations"), 2);
    assert_int_equal(GET(c, "The United Nations"), 0);
    assert_int_equal(GET(c, "Bank of China"), 1);
    assert_int_equal(GET(c, "Kassym-Jomart Tokayev"), 1);
    assert_int_equal(GET(c, "Leonardo da Vinci"), 1);
    assert_int_equal(GET(c, "Bank of the West"), 1);
    assert_int_equal(GET(d, "United Nations"), 1);
    assert_int_equal(asy_counter_size(c), 5);
    asy_counter_free(c);
    asy_counter_free(d);
}

static void test_single_words_and_initials(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    const char *t = "Kazakhstan agreed. Officials said. Trade with Kazakhstan "
                    "grew. ASTANA \xE2\x80\x93 On Monday, Astana wrote.";
    run(t, 1, c, NULL);
    assert_int_equal(GET(c, "Kazakhstan"), 2); /* vouched for mid-sentence */
    assert_int_equal(GET(c, "Officials"), 0);  /* only sentence-initial */
    assert_int_equal(GET(c, "Trade"), 0);
    assert_int_equal(GET(c, "On"), 0);         /* after a dateline dash */
    assert_int_equal(GET(c, "Monday"), 1);
    assert_int_equal(GET(c, "Astana"), 1);
    assert_int_equal(GET(c, "ASTANA"), 0);     /* sentence-initial */
    asy_counter_free(c);
}

/* A capital right after a dash, colon, opening quote or bracket (spaces
 * between or not) is as uninformative as one starting a sentence; after
 * any other mark, or a symbol whose UTF-8 ends in the same byte as the
 * en dash (U+2193, E2 86 93), it counts. */
static void test_clause_openers(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    const char *t =
        "they said: Alpha went, and \"Bravo\" and (Charlie) and "
        "\xE2\x80\x94 Delta and \xE2\x80\x9C Echo and \xE2\x80\x98" "Foxtrot "
        "and \xE2\x80\x93Golf came, Hotel too, and \xE2\x86\x93 India, "
        "and \xE2\x86\x93" "Juliett.";
    run(t, 1, c, NULL);
    static const char *const initial[] = {"Alpha", "Bravo", "Charlie",
                                          "Delta", "Echo", "Foxtrot",
                                          "Golf", NULL};
    for (int i = 0; initial[i]; i++)
        if (GET(c, initial[i]) != 0)
            fail_msg("%s counted after a clause opener", initial[i]);
    assert_int_equal(GET(c, "Hotel"), 1);
    assert_int_equal(GET(c, "India"), 1);
    assert_int_equal(GET(c, "Juliett"), 1);
    asy_counter_free(c);
}

static void test_breaks(void **state)
{
    (void)state;
    asy_counter *c = asy_counter_new();
    /* a comma, a trailing connector and a line break end a name; the
     * line break also ends the sentence (one paragraph per line), so
     * "Astana" there is sentence-initial and not vouched for */
    const char *t = "He met Xi Jinping, President Tokayev of\nAstana and "
                    "the Bank of. Then";
    run(t, 1, c, NULL);
    assert_int_equal(GET(c, "Xi Jinping"), 1);
    assert_int_equal(GET(c, "President Tokayev"), 1);
    assert_int_equal(GET(c, "Astana"), 0);
    assert_int_equal(GET(c, "Bank"), 1);
    assert_int_equal(asy_counter_size(c), 3);
    asy_counter_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_single_words_and_initials),
        cmocka_unit_test(test_clause_openers),
        cmocka_unit_test(test_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
