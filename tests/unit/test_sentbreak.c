/*
 * test_sentbreak.c — UAX #29 sentence boundaries (the `unicode` mode):
 * every case of SentenceBreakTest.txt, hand cases for news text, trimming,
 * the array form and robustness on invalid UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentbreak.h"
#include "testutil.h"
#include "ucd_breaktest.h"

#define SB_TEST_FILE "/usr/share/unicode/auxiliary/SentenceBreakTest.txt"

/* Sentences rendered as "[text]" concatenated. */
static const char *sents(const char *text, unsigned flags)
{
    static char out[4096];
    asy_sb_iter it;
    size_t a, b;
    out[0] = '\0';
    asy_sb_init(&it, text, strlen(text), flags);
    while (asy_sb_next(&it, &a, &b)) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "[%.*s]", (int)(b - a), text + a);
        strncat(out, tmp, sizeof out - 1 - strlen(out));
    }
    return out;
}

static int check_case(const bt_case *c)
{
    asy_sb_iter it;
    size_t got[BT_MAX + 2], n = 0, a, b;
    got[n++] = 0;
    asy_sb_init(&it, c->text, c->len, 0);
    while (asy_sb_next(&it, &a, &b) && n < BT_MAX + 2) {
        if (a != got[n - 1])
            return 0; /* raw sentences must tile the text */
        got[n++] = b;
    }
    return n == c->nbreaks && !memcmp(got, c->breaks, n * sizeof got[0]);
}

static void test_unicode_file(void **state)
{
    (void)state;
    bt_run_file(SB_TEST_FILE, check_case, 500);
}

static void test_news(void **state)
{
    (void)state;
    assert_string_equal(sents("He left. She stayed! Why? Yes.", 0),
                        "[He left. ][She stayed! ][Why? ][Yes.]");
    assert_string_equal(sents("He left. She stayed! Why? Yes.", ASY_SB_TRIM),
                        "[He left.][She stayed!][Why?][Yes.]");
    /* SB6 decimals, SB7 initials-like "U.S.", SB8 lowercase continuation */
    assert_string_equal(sents("It grew 3.5 percent. The U.S. economy did "
                              "too, e.g. in Ohio.", ASY_SB_TRIM),
                        "[It grew 3.5 percent.][The U.S. economy did too, "
                        "e.g. in Ohio.]");
    /* a closing quotation mark stays with its sentence (SB9) */
    assert_string_equal(sents("\"We will work.\" He said. “Yes.” Done",
                              ASY_SB_TRIM),
                        "[\"We will work.\"][He said.][“Yes.”][Done]");
    /* UAX #29 alone splits after abbreviations followed by a capital: the
     * news mode fixes this */
    assert_string_equal(sents("Mr. Smith went.", ASY_SB_TRIM),
                        "[Mr.][Smith went.]");
    /* paragraph separators end sentences; blank lines are skipped */
    assert_string_equal(sents("Heading\n\nBody text\r\nmore", ASY_SB_TRIM),
                        "[Heading][Body text][more]");
    assert_string_equal(sents("a\n\n b", 0), "[a\n][\n][ b]");
    assert_string_equal(sents("", 0), "");
    assert_string_equal(sents("  \n ", ASY_SB_TRIM), "");
}

static void test_array_and_invalid(void **state)
{
    (void)state;
    const char *t = "One. Two\xFF. 三。四";
    asy_span *v;
    size_t n;
    assert_int_equal(asy_sb_sentences(t, strlen(t), ASY_SB_TRIM, &v, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(v[0].start, 0);
    assert_int_equal(v[0].end, 4);
    assert_int_equal(v[1].start, 5);
    assert_int_equal(v[1].end, 10);
    assert_int_equal(v[2].start, 11);
    assert_int_equal(v[2].end, 17);
    assert_int_equal(v[3].start, 17);
    assert_int_equal(v[3].end, strlen(t));
    free(v);
    /* a truncated sequence at the very end: two invalid bytes (Other)
     * after the full stop start a new sentence (SB11) */
    assert_int_equal(asy_sb_sentences("ab.\xE2\x80", 5, 0, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].end, 3);
    assert_int_equal(v[1].start, 3);
    assert_int_equal(v[1].end, 5);
    free(v);
    assert_int_equal(asy_sb_sentences(NULL, 0, 0, &v, &n), 0);
    assert_int_equal(n, 0);
    assert_null(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unicode_file),
        cmocka_unit_test(test_news),
        cmocka_unit_test(test_array_and_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
