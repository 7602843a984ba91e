/*
 * test_structure.c — the lazy per-document cache: code-point offsets on
 * multibyte text (checked against a naive count at every boundary, across
 * many 256-byte checkpoints), length, cached paragraphs.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small),
        cmocka_unit_test(test_long_multibyte),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_paragraphs_cached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
