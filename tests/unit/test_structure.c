/*
 * test_structure.c — the lazy per-document cache: code-point offsets on
 * multibyte text (checked against a naive count at every boundary, across
 * many 256-byte checkpoints), length, cached paragraphs, and the text
 * model built on first request and cached: words (with code-point
 * offsets), sentences per mode, sections and quotations.
 */
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "structure.h"
#include "testutil.h"
#include "utf8.h"

static asy_doc *doc_with(const char *text, size_t len)
{
    asy_doc *d = asy_doc_new("id", "src");
    char *t = malloc(len + 1);
    memcpy(t, text, len);
    t[len] = '\0';
    asy_doc_take_text(d, t, len);
    return d;
}

static void test_small(void **st)
{
    (void)st;
    const char *t = "a\xC3\xA9\xE2\x80\x93\xF0\x9F\x98\x80z"; /* a é – 😀 z */
    asy_doc *d = doc_with(t, strlen(t));
    assert_null(d->structure); /* lazy */
    assert_int_equal(asy_doc_cp_offset(d, 0), 0);
    assert_non_null(d->structure);
    assert_int_equal(asy_doc_cp_offset(d, 1), 1);
    assert_int_equal(asy_doc_cp_offset(d, 3), 2);
    assert_int_equal(asy_doc_cp_offset(d, 6), 3);
    assert_int_equal(asy_doc_cp_offset(d, 10), 4);
    assert_int_equal(asy_doc_cp_offset(d, 11), 5);
    assert_int_equal(asy_doc_cp_offset(d, 999), 5); /* clamped to len */
    assert_int_equal(asy_doc_cp_length(d), 5);
    asy_doc_free(d);
}

static void test_long_multibyte(void **st)
{
    (void)st;
    /* 3000 characters cycling through 1-, 2-, 3- and 4-byte forms, so
     * characters straddle many checkpoint boundaries. */
    const char *forms[4] = {"a", "\xC3\xA9", "\xE2\x80\x94", "\xF0\x9F\x98\x80"};
    size_t cap = 3000 * 4 + 1, len = 0;
    char *t = malloc(cap);
    size_t *bounds = malloc(3001 * sizeof *bounds);
    for (int i = 0; i < 3000; i++) {
        bounds[i] = len;
        const char *f = forms[(i * 7) % 4];
        memcpy(t + len, f, strlen(f));
        len += strlen(f);
    }
    bounds[3000] = len;
    asy_doc *d = doc_with(t, len);
    for (int i = 0; i <= 3000; i++)
        assert_int_equal(asy_doc_cp_offset(d, bounds[i]), i);
    /* out of order queries too */
    assert_int_equal(asy_doc_cp_offset(d, bounds[1500]), 1500);
    assert_int_equal(asy_doc_cp_offset(d, bounds[7]), 7);
    assert_int_equal(asy_doc_cp_length(d), 3000);
    assert_int_equal(asy_doc_cp_length(d), asy_utf8_count(t, len));
    asy_doc_free(d);
    free(bounds);
    free(t);
}

static void test_empty(void **st)
{
    (void)st;
    asy_doc *d = asy_doc_new("e", "s");
    assert_int_equal(asy_doc_cp_length(d), 0);
    assert_int_equal(asy_doc_cp_offset(d, 0), 0);
    const asy_span *s = (const asy_span *)1;
    size_t n = 7;
    assert_int_equal(asy_doc_paragraphs(d, &s, &n), 0);
    assert_int_equal(n, 0);
    assert_null(s);
    asy_doc_free(d);
    /* exactly one checkpoint block */
    char buf[256];
    memset(buf, 'x', sizeof buf);
    d = doc_with(buf, sizeof buf);
    assert_int_equal(asy_doc_cp_length(d), 256);
    assert_int_equal(asy_doc_cp_offset(d, 256), 256);
    asy_doc_free(d);
}

static void test_paragraphs_cached(void **st)
{
    (void)st;
    const char *t = "P\xC3\xA9one\n\nPtwo";
    asy_doc *d = doc_with(t, strlen(t));
    const asy_span *a, *b;
    size_t na, nb;
    assert_int_equal(asy_doc_paragraphs(d, &a, &na), 0);
    assert_int_equal(asy_doc_paragraphs(d, &b, &nb), 0);
    assert_ptr_equal(a, b); /* computed once */
    assert_int_equal(na, 2);
    assert_int_equal(nb, 2);
    assert_int_equal(a[1].start, 8);
    assert_int_equal(a[1].end, 12);
    assert_int_equal(asy_doc_cp_offset(d, a[1].start), 7);
    asy_doc_free(d);
}

static const char *MODEL =
    "Mr. Smith arrived. He said: \xE2\x80\x9C" "Caf\xC3\xA9 time.\xE2\x80\x9D\n"
    "\n"
    "Trade news\n"
    "\n"
    "\xE2\x80\x9C" "One part.\n"
    "\n"
    "\xE2\x80\x9C" "Two parts,\xE2\x80\x9D he said. Ok 42.\n";

static void test_words_cached(void **st)
{
    (void)st;
    asy_doc *d = doc_with(MODEL, strlen(MODEL));
    const asy_wb_seg *a, *b;
    size_t na, nb;
    assert_int_equal(asy_doc_words(d, &a, &na, NULL), ASSAY_OK);
    assert_int_equal(asy_doc_words(d, &b, &nb, NULL), ASSAY_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(na, nb);
    /* no white space; punctuation kept; code-point offsets exact */
    assert_int_equal(a[0].kind, ASY_WB_WORD);
    assert_int_equal(a[0].end, 2);  /* "Mr" */
    assert_int_equal(a[1].kind, ASY_WB_PUNCT); /* "." */
    size_t i = 0;
    while (i < na && memcmp(MODEL + a[i].start, "Caf", 3) != 0)
        i++;
    assert_true(i < na);
    assert_int_equal(a[i].start, 31);
    assert_int_equal(a[i].cstart, 29);
    assert_int_equal(a[i].cend, 33);
    assert_int_equal(a[i].cstart, asy_doc_cp_offset(d, a[i].start));
    for (size_t k = 0; k < na; k++) {
        assert_int_not_equal(a[k].kind, ASY_WB_SPACE);
        assert_int_equal(a[k].cend, asy_doc_cp_offset(d, a[k].end));
    }
    asy_doc_free(d);
}

static void test_sentences_modes(void **st)
{
    (void)st;
    asy_doc *d = doc_with(MODEL, strlen(MODEL));
    asy_abbrevs *ab = asy_abbrevs_new();
    assert_int_equal(asy_abbrevs_add(ab, ASY_AB_NEVER_FINAL, "Mr.", 3),
                     ASSAY_OK);
    const asy_span *news, *again, *uni;
    size_t nn, n2, nu;
    assert_int_equal(asy_doc_sentences(d, ASY_SENT_NEWS, ab, &news, &nn,
                                       NULL), ASSAY_OK);
    assert_int_equal(asy_doc_sentences(d, ASY_SENT_NEWS, ab, &again, &n2,
                                       NULL), ASSAY_OK);
    assert_ptr_equal(news, again);
    assert_int_equal(asy_doc_sentences(d, ASY_SENT_UNICODE, NULL, &uni, &nu,
                                       NULL), ASSAY_OK);
    /* news: "Mr. Smith arrived." | "He said: “Café time.”" | "Trade news"
     * | "“One part." | "“Two parts,” he said." | "Ok 42." */
    assert_int_equal(nn, 6);
    assert_int_equal(news[0].start, 0);
    assert_int_equal(news[0].end, strlen("Mr. Smith arrived."));
    assert_memory_equal(MODEL + news[2].start, "Trade news", 10);
    /* unicode: "Mr." is a sentence of its own */
    assert_int_equal(nu, 7);
    assert_int_equal(uni[0].end, 3);
    asy_error e;
    assert_int_equal(asy_doc_sentences(d, (asy_sent_mode)5, NULL, &uni, &nu,
                                       &e), ASSAY_E_USAGE);
    assert_null(uni);
    asy_abbrevs_free(ab);
    asy_doc_free(d);
}

static void test_sections_and_quotes(void **st)
{
    (void)st;
    asy_doc *d = doc_with(MODEL, strlen(MODEL));
    const asy_section *s, *s2;
    size_t ns, n2;
    assert_int_equal(asy_doc_sections(d, &s, &ns, NULL), ASSAY_OK);
    assert_int_equal(asy_doc_sections(d, &s2, &n2, NULL), ASSAY_OK);
    assert_ptr_equal(s, s2);
    assert_int_equal(ns, 2);
    assert_false(s[0].has_heading);
    assert_true(s[1].has_heading);
    assert_memory_equal(MODEL + s[1].heading.start, "Trade news", 10);
    assert_int_equal(s[1].first, 2); /* paragraphs 2 and 3 */
    assert_int_equal(s[1].count, 2);
    const asy_quotes *q, *q2;
    assert_int_equal(asy_doc_quotations(d, &q, NULL), ASSAY_OK);
    assert_int_equal(asy_doc_quotations(d, &q2, NULL), ASSAY_OK);
    assert_ptr_equal(q, q2);
    assert_int_equal(q->n, 2);
    assert_int_equal(q->q[0].status, ASY_QUOTE_CLOSED);
    assert_int_equal(q->q[0].open_cp, 0x201C);
    assert_int_equal(q->q[1].status, ASY_QUOTE_CONTINUED);
    assert_int_equal(q->q[1].nseg, 2);
    assert_int_equal(q->npara, 4); /* scanned over the cached paragraphs */
    asy_doc_free(d);
}

static void test_model_empty(void **st)
{
    (void)st;
    asy_doc *d = asy_doc_new("e", "s");
    const asy_wb_seg *w;
    const asy_span *sp;
    const asy_section *sec;
    const asy_quotes *q;
    size_t n = 9;
    assert_int_equal(asy_doc_words(d, &w, &n, NULL), ASSAY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(asy_doc_sentences(d, ASY_SENT_NEWS, NULL, &sp, &n, NULL),
                     ASSAY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(asy_doc_sections(d, &sec, &n, NULL), ASSAY_OK);
    assert_int_equal(n, 0);
    assert_int_equal(asy_doc_quotations(d, &q, NULL), ASSAY_OK);
    assert_int_equal(q->n, 0);
    asy_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_long_multibyte),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_paragraphs_cached),
        cmocka_unit_test(test_words_cached),
        cmocka_unit_test(test_sentences_modes),
        cmocka_unit_test(test_sections_and_quotes),
        cmocka_unit_test(test_model_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
