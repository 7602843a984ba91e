/*
 * test_doc.c — the document object, ordered metadata, and the plain-text
 * header conventions: "date YYYY-MM-DD" (including the seed article) and
 * YAML-style front matter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "structure.h"
#include "testutil.h"

static asy_doc *doc_with(const char *text)
{
    asy_doc *d = asy_doc_new("id", "src");
    assert_non_null(d);
    char *t = strdup(text);
    assert_non_null(t);
    asy_doc_take_text(d, t, strlen(t));
    return d;
}

static const char *meta_str(const asy_doc *d, const char *key)
{
    const asy_meta_entry *e = asy_meta_get(&d->meta, key);
    if (!e)
        return NULL;
    assert_int_equal(e->type, ASY_META_STRING);
    return e->str;
}

static void test_new_and_generation(void **st)
{
    (void)st;
    asy_doc *a = asy_doc_new("a.txt", "dir/a.txt");
    asy_doc *b = asy_doc_new(NULL, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->id, "a.txt");
    assert_string_equal(a->source, "dir/a.txt");
    assert_string_equal(a->text, "");
    assert_int_equal(a->len, 0);
    assert_string_equal(b->id, "");
    assert_true(b->generation > a->generation);
    assert_true(a->generation > 0);
    assert_null(a->structure);
    asy_doc_free(a);
    asy_doc_free(b);
    asy_doc_free(NULL);
}

static void test_take_text_drops_structure(void **st)
{
    (void)st;
    asy_doc *d = doc_with("h\xC3\xA9llo");
    assert_int_equal(asy_doc_cp_length(d), 5);
    assert_non_null(d->structure);
    char *t = strdup("ab");
    asy_doc_take_text(d, t, 2);
    assert_null(d->structure);
    assert_int_equal(asy_doc_cp_length(d), 2);
    asy_doc_free(d);
}

static void test_meta_order_and_types(void **st)
{
    (void)st;
    asy_meta m = {0};
    assert_int_equal(asy_meta_set_string(&m, "title", "T", 1), 0);
    assert_int_equal(asy_meta_set_integer(&m, "n", -42), 0);
    assert_int_equal(asy_meta_set_number(&m, "x", 2.5), 0);
    assert_int_equal(asy_meta_set_boolean(&m, "b", 7), 0);
    assert_int_equal(asy_meta_set_string(&m, "title", "New title", 9), 0);
    assert_int_equal(m.n, 4);
    assert_string_equal(m.items[0].key, "title"); /* replaced in place */
    assert_string_equal(m.items[0].str, "New title");
    assert_int_equal(m.items[0].len, 9);
    assert_int_equal(asy_meta_get(&m, "n")->i, -42);
    assert_true(asy_meta_get(&m, "x")->d == 2.5);
    assert_int_equal(asy_meta_get(&m, "b")->i, 1);
    assert_int_equal(asy_meta_get(&m, "b")->type, ASY_META_BOOLEAN);
    /* string -> integer replaces type and frees the string */
    assert_int_equal(asy_meta_set_integer(&m, "title", 3), 0);
    assert_int_equal(m.items[0].type, ASY_META_INTEGER);
    assert_null(m.items[0].str);
    assert_int_equal(asy_meta_remove(&m, "n"), 1);
    assert_int_equal(asy_meta_remove(&m, "n"), 0);
    assert_int_equal(m.n, 3);
    assert_string_equal(m.items[1].key, "x");
    assert_null(asy_meta_get(&m, "missing"));
    /* embedded NUL kept with its length */
    assert_int_equal(asy_meta_set_string(&m, "z", "a\0b", 3), 0);
    assert_int_equal(asy_meta_get(&m, "z")->len, 3);
    asy_meta_free(&m);
    assert_int_equal(m.n, 0);
}

static void test_date_same_line(void **st)
{
    (void)st;
    asy_doc *d = doc_with(" date 2024-07-02 ASTANA \xE2\x80\x93 On July 2.\n\nMore.");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(meta_str(d, "date"), "2024-07-02");
    assert_string_equal(d->text, "ASTANA \xE2\x80\x93 On July 2.\n\nMore.");
    assert_int_equal(d->len, strlen(d->text));
    asy_doc_free(d);
}

static void test_date_own_line(void **st)
{
    (void)st;
    asy_doc *d = doc_with("\n\t date\t2020-02-29  \n  \n\n  Indented first.\nNext");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(meta_str(d, "date"), "2020-02-29");
    assert_string_equal(d->text, "  Indented first.\nNext");
    asy_doc_free(d);
    d = doc_with("date 2024-01-31");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(meta_str(d, "date"), "2024-01-31");
    assert_string_equal(d->text, "");
    asy_doc_free(d);
}

static void test_date_not_matching(void **st)
{
    (void)st;
    const char *cases[] = {
        "Date: 2024-07-02 text",   /* not this convention */
        "Date 2024-07-02 text",    /* upper case */
        "date 2024-7-02 text",     /* not 4-2-2 */
        "date 2023-02-29 text",    /* not a leap year */
        "date 2024-13-01 text",    /* month */
        "date 2024-04-31 text",    /* day */
        "date 2024-07-021 text",   /* trailing digit */
        "date2024-07-02 text",     /* no separator */
        "update 2024-07-02",       /* not the first field */
        "The date 2024-07-02 was", /* not first */
        "",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        asy_doc *d = doc_with(cases[i]);
        assert_int_equal(asy_doc_parse_header(d), 0);
        assert_null(asy_meta_get(&d->meta, "date"));
        assert_string_equal(d->text, cases[i]);
        asy_doc_free(d);
    }
}

static void test_front_matter(void **st)
{
    (void)st;
    asy_doc *d = doc_with("---\n"
                          "title: \"A: quoted title\"\n"
                          "date: 2024-07-02\n"
                          "url:   https://example.org/x?a=1  \n"
                          "# a comment\n"
                          "  - a list item, ignored\n"
                          "no colon here\n"
                          ": empty key\n"
                          "author: 'O''Brien'\n"
                          "empty:\n"
                          "---\n"
                          "Body line.\n");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(d->text, "Body line.\n");
    assert_string_equal(meta_str(d, "title"), "A: quoted title");
    assert_string_equal(meta_str(d, "date"), "2024-07-02");
    assert_string_equal(meta_str(d, "url"), "https://example.org/x?a=1");
    assert_string_equal(meta_str(d, "author"), "O''Brien");
    assert_string_equal(meta_str(d, "empty"), "");
    assert_int_equal(d->meta.n, 5);
    assert_string_equal(d->meta.items[0].key, "title");
    asy_doc_free(d);
}

static void test_front_matter_variants(void **st)
{
    (void)st;
    /* "..." closes; no newline after the closing marker. */
    asy_doc *d = doc_with("---\nk: v\n...");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(d->text, "");
    assert_string_equal(meta_str(d, "k"), "v");
    asy_doc_free(d);
    /* never closed: left alone */
    d = doc_with("---\nk: v\nno end");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(d->text, "---\nk: v\nno end");
    assert_int_equal(d->meta.n, 0);
    asy_doc_free(d);
    /* must be the very first line */
    d = doc_with("\n---\nk: v\n---\nx");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_int_equal(d->meta.n, 0);
    assert_string_equal(d->text, "\n---\nk: v\n---\nx");
    asy_doc_free(d);
    /* front matter wins; a date line after it stays text */
    d = doc_with("---\ntitle: t\n---\ndate 2024-07-02 body");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(d->text, "date 2024-07-02 body");
    assert_null(asy_meta_get(&d->meta, "date"));
    asy_doc_free(d);
}

static void test_no_header(void **st)
{
    (void)st;
    asy_doc *d = doc_with("Just text.\nMore text.");
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(d->text, "Just text.\nMore text.");
    assert_int_equal(d->meta.n, 0);
    asy_doc_free(d);
}

static void test_seed_article(void **st)
{
    (void)st;
    const char *corp = tu_corpora_dir();
    if (!corp)
        TU_SKIP("shared corpora absent (../shared/corpora)");
    char path[4096];
    snprintf(path, sizeof path, "%s/seed/xi-kazakhstan-2024-07-02.txt", corp);
    size_t n;
    char *raw = tu_read(path, &n);
    if (!raw)
        TU_SKIP("seed article absent");
    asy_doc *d = asy_doc_new("seed", path);
    asy_doc_take_text(d, raw, n);
    assert_int_equal(asy_doc_parse_header(d), 0);
    assert_string_equal(meta_str(d, "date"), "2024-07-02");
    assert_int_equal(strncmp(d->text, "ASTANA \xE2\x80\x93 On July 2,", 17), 0);
    assert_int_equal(d->len, strlen(d->text));
    asy_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_and_generation),
        cmocka_unit_test(test_take_text_drops_structure),
        cmocka_unit_test(test_meta_order_and_types),
        cmocka_unit_test(test_date_same_line),
        cmocka_unit_test(test_date_own_line),
        cmocka_unit_test(test_date_not_matching),
        cmocka_unit_test(test_front_matter),
        cmocka_unit_test(test_front_matter_variants),
        cmocka_unit_test(test_no_header),
        cmocka_unit_test(test_seed_article),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
