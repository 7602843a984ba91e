/*
 * test_section.c — section headings and sections (section.c): the shape
 * rules of a heading one by one, synthetic documents, and the seed
 * article's five subheads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "section.h"
#include "testutil.h"

static int like(const char *s)
{
    asy_span p = {0, strlen(s)};
    return asy_heading_like(s, p);
}

static void test_heading_shape(void **st)
{
    (void)st;
    assert_true(like("Political support"));
    assert_true(like("SCO Summit"));
    assert_true(like("2024 in review"));
    assert_true(like("Q&A (part 1)"));
    assert_false(like("China pledged support."));
    assert_false(like("What next?"));
    assert_false(like("Wow!"));
    assert_false(like("Note:"));
    assert_false(like("However,"));
    assert_false(like("lowercase start"));
    assert_false(like("“A quotation”"));
    assert_false(like("\"Quoted\""));
    assert_false(like("Two\nlines"));
    assert_false(like(""));
    /* 12 words pass, 13 do not */
    assert_true(like("One two three four five six seven eight nine ten a b"));
    assert_false(
        like("One two three four five six seven eight nine ten a b c"));
    char longline[128];
    memset(longline, 'x', sizeof longline);
    longline[0] = 'X';
    longline[101] = '\0';
    assert_false(like(longline)); /* 101 characters */
    longline[100] = '\0';
    assert_true(like(longline));
}

/* Sections rendered "{heading|p,p}" with "-" for no heading. */
static char *render(const char *text)
{
    asy_span *p = NULL;
    asy_section *s = NULL;
    size_t np = 0, ns = 99;
    assert_int_equal(asy_paragraphs(text, strlen(text), &p, &np), 0);
    assert_int_equal(asy_sections(text, p, np, &s, &ns), 0);
    char *out = malloc(4 * strlen(text) + 16), *o = out;
    *o = '\0';
    for (size_t i = 0; i < ns; i++) {
        if (s[i].has_heading)
            o += sprintf(o, "{%.*s|", (int)(s[i].heading.end -
                                            s[i].heading.start),
                         text + s[i].heading.start);
        else
            o += sprintf(o, "{-|");
        for (size_t k = 0; k < s[i].count; k++) {
            asy_span q = p[s[i].first + k];
            o += sprintf(o, "%s%.*s", k ? "," : "", (int)(q.end - q.start),
                         text + q.start);
        }
        o += sprintf(o, "}");
        size_t a = s[i].has_heading ? s[i].heading.start
                                    : p[s[i].first].start;
        assert_int_equal(s[i].span.start, a);
    }
    if (!ns)
        assert_null(s);
    free(p);
    free(s);
    return out;
}

#define EXPECT(text, want)                                                 \
    do {                                                                   \
        char *got_ = render(text);                                         \
        assert_string_equal(got_, want);                                   \
        free(got_);                                                        \
    } while (0)

static void test_synthetic(void **st)
{
    (void)st;
    EXPECT("", "");
    EXPECT("Intro one.\n\nIntro two.\n\nFirst\n\nBody a.\n\nBody b.\n\n"
           "Second part\n\nBody c.",
           "{-|Intro one.,Intro two.}{First|Body a.,Body b.}"
           "{Second part|Body c.}");
    /* a document that opens with a heading has no heading-less section */
    EXPECT("Title\n\nText.", "{Title|Text.}");
    /* a heading-like last paragraph is not followed by body: no heading */
    EXPECT("Text.\n\nThe End", "{-|Text.,The End}");
    /* a run of short lines: only the last, followed by body, heads */
    EXPECT("Text.\n\nJohn Smith\n\nReuters\n\nMore text.",
           "{-|Text.,John Smith}{Reuters|More text.}");
    /* one-paragraph-per-line documents work the same way */
    EXPECT("Intro.\nHeading\nBody.\n", "{-|Intro.}{Heading|Body.}");
}

static void test_span_end(void **st)
{
    (void)st;
    const char *t = "A.\n\nHead\n\nB b.\n\nC c.";
    asy_span *p = NULL;
    asy_section *s = NULL;
    size_t np, ns;
    assert_int_equal(asy_paragraphs(t, strlen(t), &p, &np), 0);
    assert_int_equal(asy_sections(t, p, np, &s, &ns), 0);
    assert_int_equal(ns, 2);
    assert_int_equal(s[0].span.start, 0);
    assert_int_equal(s[0].span.end, 2);
    assert_int_equal(s[1].heading.start, 4);
    assert_int_equal(s[1].heading.end, 8);
    assert_int_equal(s[1].first, 2);
    assert_int_equal(s[1].count, 2);
    assert_int_equal(s[1].span.start, 4);
    assert_int_equal(s[1].span.end, strlen(t));
    free(p);
    free(s);
}

static void test_seed(void **st)
{
    (void)st;
    const char *corp = tu_corpora_dir();
    char path[4096];
    size_t len;
    if (!corp)
        TU_SKIP("../shared/corpora not found");
    snprintf(path, sizeof path, "%s/seed/xi-kazakhstan-2024-07-02.txt", corp);
    char *raw = tu_read(path, &len), *t = raw ? strstr(raw, "ASTANA") : NULL;
    if (!t) {
        free(raw);
        TU_SKIP("seed article not found");
    }
    asy_span *p = NULL;
    asy_section *s = NULL;
    size_t np, ns;
    assert_int_equal(asy_paragraphs(t, strlen(t), &p, &np), 0);
    assert_int_equal(asy_sections(t, p, np, &s, &ns), 0);
    static const char *const heads[] = {
        "Political support", "Mutual benefit and win-win cooperation",
        "Stronger China-Kazakhstan friendship", "Responding to global changes",
        "SCO Summit"};
    static const size_t counts[] = {2, 1, 3, 2, 2, 2};
    assert_int_equal(ns, 6);
    assert_false(s[0].has_heading);
    assert_int_equal(s[0].span.start, 0);
    for (size_t i = 0; i < ns; i++) {
        assert_int_equal(s[i].count, counts[i]);
        if (!i)
            continue;
        assert_true(s[i].has_heading);
        assert_int_equal(s[i].heading.end - s[i].heading.start,
                         strlen(heads[i - 1]));
        assert_memory_equal(t + s[i].heading.start, heads[i - 1],
                            strlen(heads[i - 1]));
    }
    assert_int_equal(s[1].heading.start, 685);
    assert_int_equal(s[5].span.end, strlen(t));
    free(p);
    free(s);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heading_shape),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_span_end),
        cmocka_unit_test(test_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
