/*
 * test_segment.c — paragraphs under both conventions: blank-line
 * separated (blank = only white space, Unicode spaces included) and one
 * paragraph per line; trimming; edge cases; the seed article's headings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "segment.h"
#include "testutil.h"

/* Paragraphs joined as "[...]" for compact exact assertions. */
static char *paras(const char *text)
{
    asy_span *s = NULL;
    size_t n = 99;
    assert_int_equal(asy_paragraphs(text, strlen(text), &s, &n), 0);
    size_t cap = strlen(text) + 2 * n + 1;
    char *out = malloc(cap), *o = out;
    for (size_t i = 0; i < n; i++) {
        assert_true(s[i].start < s[i].end);
        assert_true(s[i].end <= strlen(text));
        o += sprintf(o, "[%.*s]", (int)(s[i].end - s[i].start),
                     text + s[i].start);
    }
    *o = '\0';
    if (n == 0)
        assert_null(s);
    free(s);
    return out;
}

#define EXPECT(text, want)                                                 \
    do {                                                                   \
        char *got_ = paras(text);                                          \
        assert_string_equal(got_, want);                                   \
        free(got_);                                                        \
    } while (0)

static void test_blank_line_convention(void **st)
{
    (void)st;
    EXPECT("One line\ncontinues.\n\nTwo.\n", "[One line\ncontinues.][Two.]");
    EXPECT("  a  \n \t \n\n b\n   \nc", "[a][b][c]");
    /* a line of only NBSP / ideographic space counts as blank */
    EXPECT("a\n\xC2\xA0\xE3\x80\x80\nb", "[a][b]");
    /* trimming removes Unicode spaces at the ends, keeps them inside */
    EXPECT("\xE2\x80\x83x\xC2\xA0y\xC2\xA0\n\nz", "[x\xC2\xA0y][z]");
}

static void test_line_convention(void **st)
{
    (void)st;
    EXPECT("first\nsecond\n  third  \n", "[first][second][third]");
    /* blank lines only at the ends do not switch conventions */
    EXPECT("\n\nfirst\nsecond\n\n\n", "[first][second]");
    EXPECT("single", "[single]");
}

static void test_edges(void **st)
{
    (void)st;
    EXPECT("", "");
    EXPECT("   \n\t\n", "");
    EXPECT("\n", "");
    asy_span *s = (asy_span *)1;
    size_t n = 5;
    assert_int_equal(asy_paragraphs("", 0, &s, &n), 0);
    assert_null(s);
    assert_int_equal(n, 0);
    /* length bound respected: text beyond len is not looked at */
    assert_int_equal(asy_paragraphs("ab\n\ncd", 2, &s, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].start, 0);
    assert_int_equal(s[0].end, 2);
    free(s);
}

static void test_offsets(void **st)
{
    (void)st;
    const char *t = "  x\n\n  y z  ";
    asy_span *s;
    size_t n;
    assert_int_equal(asy_paragraphs(t, strlen(t), &s, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].start, 2);
    assert_int_equal(s[0].end, 3);
    assert_int_equal(s[1].start, 7);
    assert_int_equal(s[1].end, 10);
    free(s);
}

static void test_seed_headings(void **st)
{
    (void)st;
    const char *corp = tu_corpora_dir();
    if (!corp)
        TU_SKIP("shared corpora absent (../shared/corpora)");
    char path[4096];
    snprintf(path, sizeof path, "%s/seed/xi-kazakhstan-2024-07-02.txt", corp);
    size_t len;
    char *t = tu_read(path, &len);
    if (!t)
        TU_SKIP("seed article absent");
    asy_span *s;
    size_t n;
    assert_int_equal(asy_paragraphs(t, len, &s, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i].end - s[i].start == 17 &&
            memcmp(t + s[i].start, "Political support", 17) == 0)
            found = 1;
    assert_true(found); /* the heading is a paragraph of its own */
    assert_true(n >= 10);
    free(s);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_line_convention),
        cmocka_unit_test(test_line_convention),
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_seed_headings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
