/*
 * test_load_text.c — the plain-text format through the reader: one file is
 * one document; header conventions applied; CRLF/CR/BOM; Latin-1; each
 * invalid-UTF-8 policy; NUL bytes; the size cap; gzip; empty files; the
 * seed article.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "testutil.h"
#include "tu_collect.h"

/* Open path, read one document (or none), check the end, close. */
static asy_doc *load_one(const char *path, const asy_input_opts *o,
                         tu_collect *c, int *status)
{
    asy_report rep = tu_report(c);
    asy_reader *r;
    asy_error err;
    asy_doc *d = NULL;
    *status = asy_reader_open(&r, path, o, &rep, &err);
    if (*status < 0)
        return NULL;
    *status = asy_reader_next(r, &d, &err);
    if (*status == 1) {
        asy_doc *extra;
        assert_int_equal(asy_reader_next(r, &extra, &err), 0);
    }
    asy_reader_close(r);
    return d;
}

static void test_basic_and_newlines(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "a.txt", "\xEF\xBB\xBFTitle\r\n\r\nBody\rend");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    assert_int_equal(status, 1);
    assert_string_equal(d->id, p);
    assert_string_equal(d->source, p);
    assert_string_equal(d->text, "Title\n\nBody\nend");
    assert_int_equal(d->len, 15);
    assert_int_equal(d->meta.n, 0);
    assert_int_equal(c.skips + c.warns, 0);
    asy_doc_free(d);
    free(p);
}

static void test_header_conventions(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "h.md", "---\ntitle: Hi\n---\nText");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    assert_string_equal(d->text, "Text");
    assert_string_equal(asy_meta_get(&d->meta, "title")->str, "Hi");
    asy_doc_free(d);
    free(p);
    p = tu_write_gz(tu_dir, "d.txt.gz", "date 1999-12-31\r\nParty.", 23);
    d = load_one(p, &o, &c, &status);
    assert_int_equal(status, 1);
    assert_string_equal(d->text, "Party.");
    assert_string_equal(asy_meta_get(&d->meta, "date")->str, "1999-12-31");
    asy_doc_free(d);
    free(p);
}

static void test_invalid_utf8_policies(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "bad.txt", "ok \xC3\x28 and \xFF.");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    assert_int_equal(status, 1);
    assert_string_equal(d->text, "ok \xEF\xBF\xBD( and \xEF\xBF\xBD.");
    char *expect = NULL;
    assert_true(asprintf(&expect, "warn|%s|%s|byte 3|invalid UTF-8 (2 "
                         "sequences replaced by U+FFFD)\n", p, p) > 0);
    assert_string_equal(tu_log(&c), expect);
    free(expect);
    asy_doc_free(d);
    asy_buf_free(&c.log);

    o.invalid_utf8 = ASY_UTF8_SKIP;
    d = load_one(p, &o, &c, &status);
    assert_null(d);
    assert_int_equal(status, 0);
    assert_true(asprintf(&expect, "skip|%s|%s|byte 3|invalid UTF-8 at byte 3\n",
                         p, p) > 0);
    assert_string_equal(tu_log(&c), expect);
    free(expect);
    asy_buf_free(&c.log);

    o.invalid_utf8 = ASY_UTF8_FAIL;
    asy_report rep = tu_report(&c);
    asy_reader *r;
    asy_error err;
    assert_int_equal(asy_reader_open(&r, p, &o, &rep, &err), 0);
    assert_int_equal(asy_reader_next(r, &d, &err), ASSAY_E_ENCODING);
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "byte 3"));
    assert_int_equal(err.byte, 3);
    assert_int_equal(asy_reader_next(r, &d, &err), 0);
    asy_reader_close(r);
    free(p);
}

static void test_latin1(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "l1.txt", "Caf\xE9 cr\xE8me \xA9");
    asy_input_opts o;
    asy_input_opts_default(&o);
    o.latin1 = 1;
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    assert_string_equal(d->text, "Caf\xC3\xA9 cr\xC3\xA8me \xC2\xA9");
    assert_int_equal(c.warns, 0);
    asy_doc_free(d);
    free(p);
}

static void test_binary_and_empty(void **st)
{
    (void)st;
    char *p = tu_write(tu_dir, "bin.txt", "PK\x03\x04\0\0data", 10);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    assert_null(d);
    assert_int_equal(status, 0);
    char *expect = NULL;
    assert_true(asprintf(&expect, "skip|%s|%s|byte 4|binary content (NUL byte "
                         "at byte 4)\n", p, p) > 0);
    assert_string_equal(tu_log(&c), expect);
    free(expect);
    free(p);
    asy_buf_free(&c.log);
    p = tu_write_str(tu_dir, "empty.txt", "");
    d = load_one(p, &o, &c, &status);
    assert_int_equal(status, 1);
    assert_string_equal(d->text, "");
    assert_int_equal(d->len, 0);
    asy_doc_free(d);
    free(p);
    p = tu_write_gz(tu_dir, "empty.txt.gz", "", 0);
    d = load_one(p, &o, &c, &status);
    assert_int_equal(status, 1);
    assert_int_equal(d->len, 0);
    asy_doc_free(d);
    free(p);
}

static void test_too_big(void **st)
{
    (void)st;
    size_t n = 300000;
    char *big = malloc(n);
    memset(big, 'a', n);
    char *p = tu_write_gz(tu_dir, "big.txt.gz", big, n);
    asy_input_opts o;
    asy_input_opts_default(&o);
    o.max_doc_bytes = 1000;
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    assert_null(d);
    assert_int_equal(status, 0);
    char *expect = NULL;
    assert_true(asprintf(&expect, "skip|%s|%s||document is 300000 bytes, larger "
                         "than max_doc_bytes (1000); raise max_doc_bytes to "
                         "read it\n", p, p) > 0);
    assert_string_equal(tu_log(&c), expect);
    free(expect);
    free(p);
    free(big);
    asy_buf_free(&c.log);
}

static void test_seed(void **st)
{
    (void)st;
    const char *corp = tu_corpora_dir();
    if (!corp)
        TU_SKIP("shared corpora absent (../shared/corpora)");
    char *p = NULL;
    assert_true(asprintf(&p, "%s/seed/xi-kazakhstan-2024-07-02.txt", corp) > 0);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    asy_doc *d = load_one(p, &o, &c, &status);
    if (!d) {
        free(p);
        TU_SKIP("seed article absent");
    }
    assert_string_equal(asy_meta_get(&d->meta, "date")->str, "2024-07-02");
    assert_int_equal(strncmp(d->text, "ASTANA \xE2\x80\x93 On July 2, Chinese", 25), 0);
    assert_non_null(strstr(d->text, "\n\nPolitical support\n\n"));
    assert_int_equal(c.skips + c.warns, 0);
    asy_doc_free(d);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_and_newlines),
        cmocka_unit_test(test_header_conventions),
        cmocka_unit_test(test_invalid_utf8_policies),
        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_binary_and_empty),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_seed),
    };
    return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
