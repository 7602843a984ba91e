/*
 * test_load_csv.c — CSV/TSV corpora: header mapping, quoting (commas,
 * doubled quotes, fields spanning lines), record/line numbers in ids and
 * messages, wrong field counts, missing text column, unterminated and
 * stray quotes, the size cap, NUL and invalid UTF-8, BOM/CRLF, gzip, TSV.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "testutil.h"
#include "tu_collect.h"

static const char *meta(const asy_doc *d, const char *k)
{
    const asy_meta_entry *e = asy_meta_get(&d->meta, k);
    assert_non_null(e);
    assert_int_equal(e->type, ASY_META_STRING);
    return e->str;
}

static void test_basic(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "a.csv",
        "\xEF\xBB\xBFid,date,title,text\r\n"
        "a1,2024-07-02,\"Hello, world\",\"She said \"\"hi\"\".\"\r\n"
        "\r\n"
        ",,Untitled,\"two\r\nlines\"\r\n"
        "a3,,T3,plain\r\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 3);
    asy_doc *d = r.docs[0];
    assert_string_equal(d->id, "a1");
    assert_string_equal(d->source, p);
    assert_string_equal(d->text, "She said \"hi\".");
    assert_string_equal(meta(d, "date"), "2024-07-02");
    assert_string_equal(meta(d, "title"), "Hello, world");
    assert_int_equal(d->meta.n, 2);
    char *id = NULL;
    assert_true(asprintf(&id, "%s#4", p) > 0); /* empty id: path#line */
    assert_string_equal(r.docs[1]->id, id);
    free(id);
    assert_string_equal(r.docs[1]->text, "two\nlines");
    assert_null(asy_meta_get(&r.docs[1]->meta, "date")); /* empty date */
    assert_string_equal(r.docs[2]->id, "a3");
    assert_string_equal(r.docs[2]->text, "plain");
    assert_int_equal(r.c.skips + r.c.warns, 0);
    tu_run_free(&r);
    free(p);
}

static void test_field_count_and_stray_quote(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "b.csv",
        "id,text\n"
        "r1,one\n"
        "r2,two,extra\n"        /* record 2, line 3 */
        "r3\n"                  /* record 3, line 4 */
        "r4,he said \"x\" ok\n" /* stray quotes in an unquoted field */
        "\"r5\",\"multi\nline\nfield\",3\n" /* record 5, lines 6-8, 3 fields */
        "r6,six\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.docs[0]->text, "one");
    assert_string_equal(r.docs[1]->text, "he said \"x\" ok");
    assert_string_equal(r.docs[2]->id, "r6");
    char *expect = NULL;
    assert_true(asprintf(&expect,
        "skip|%1$s|%1$s#3|record 2 (line 3)|3 fields, header has 2\n"
        "skip|%1$s|%1$s#4|record 3 (line 4)|1 field, header has 2\n"
        "skip|%1$s|%1$s#6|record 5 (line 6)|3 fields, header has 2\n", p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);
    free(p);
}

static void test_missing_text_column(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "c.csv", "id,body\nx,y\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, ASSAY_E_PARSE);
    char *expect = NULL;
    assert_true(asprintf(&expect, "'%s' has no column 'text'; its header has "
                         "'id', 'body'", p) > 0);
    assert_string_equal(r.err.message, expect);
    assert_string_equal(r.err.hint, "set text_field to the column holding the text");
    assert_int_equal(r.err.line, 1);
    free(expect);
    tu_run_free(&r);
    /* ...and with the right text_field it reads */
    o.text_field = "body";
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0]->text, "y");
    tu_run_free(&r);
    free(p);
}

static void test_unterminated_quote(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "u.csv",
        "id,text\n"
        "a,ok\n"
        "b,\"never closed\n"
        "c,lost\n"
        "d,lost too\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0]->id, "a");
    char *expect = NULL;
    assert_true(asprintf(&expect,
        "skip|%1$s|%1$s#3|record 2 (line 3)|unterminated quoted field: lines 3 "
        "to 5 were read as one record and skipped\n", p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);
    free(p);
}

static void test_size_cap_recovers(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    asy_buf_puts(&b, "id,text\na,\"open quote\n");
    for (int i = 0; i < 30; i++)
        asy_buf_puts(&b, "filler line that keeps the quoted field growing\n");
    asy_buf_puts(&b, "end\"\nz,after\n");
    char *p = tu_write(tu_dir, "big.csv", b.data, b.len);
    asy_input_opts o;
    asy_input_opts_default(&o);
    o.max_doc_bytes = 500;
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    /* The cap trips part-way through the open field; the lines after it
     * are parsed afresh (each a 1-field record, reported), then "z". */
    assert_true(r.c.skips >= 2);
    char *expect = NULL;
    assert_true(asprintf(&expect, "skip|%1$s|%1$s#2|record 1 (line 2)|record "
                         "is larger than max_doc_bytes (500)", p) > 0);
    assert_int_equal(strncmp(tu_log(&r.c), expect, strlen(expect)), 0);
    free(expect);
    assert_non_null(strstr(tu_log(&r.c), "|record 1 (line 2)|record is larger"));
    assert_non_null(strstr(tu_log(&r.c), "(line 33)|1 field, header has 2\n"));
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0]->id, "z");
    assert_string_equal(r.docs[0]->text, "after");
    tu_run_free(&r);
    asy_buf_free(&b);
    free(p);
}

static void test_nul_and_invalid(void **st)
{
    (void)st;
    const char data[] = "id,note,text\n"
                        "n1,x,bad\0text\n"
                        "n2,caf\xE9,good\n"
                        "n3,ok,fine\xFF\n";
    char *p = tu_write(tu_dir, "n.csv", data, sizeof data - 1);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(meta(r.docs[0], "note"), "caf\xEF\xBF\xBD");
    assert_string_equal(r.docs[1]->text, "fine\xEF\xBF\xBD");
    char *expect = NULL;
    assert_true(asprintf(&expect,
        "skip|%1$s|n1|record 1 (line 2), field 'text', byte 3|binary content (NUL byte at byte 3)\n"
        "warn|%1$s|n2|record 2 (line 3), field 'note', byte 3|invalid UTF-8 (1 sequence replaced by U+FFFD)\n"
        "warn|%1$s|n3|record 3 (line 4), field 'text', byte 4|invalid UTF-8 (1 sequence replaced by U+FFFD)\n",
        p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);
    o.invalid_utf8 = ASY_UTF8_FAIL;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, ASSAY_E_ENCODING);
    assert_int_equal(r.n, 0);
    assert_string_equal(r.err.doc_id, "n2");
    tu_run_free(&r);
    o.invalid_utf8 = ASY_UTF8_REPLACE;
    o.latin1 = 1;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.n, 2);
    assert_string_equal(meta(r.docs[0], "note"), "caf\xC3\xA9");
    tu_run_free(&r);
    free(p);
}

static void test_empty_header_only_gzip_tsv(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "e.csv", "");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.c.warns, 1);
    assert_non_null(strstr(tu_log(&r.c), "empty file"));
    tu_run_free(&r);
    free(p);
    p = tu_write_str(tu_dir, "h.csv", "id,text\n");
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.c.warns + r.c.skips, 0);
    tu_run_free(&r);
    free(p);
    const char *csv = "text,id\n\"gz, text\",g1\n";
    p = tu_write_gz(tu_dir, "g.csv.gz", csv, strlen(csv));
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0]->text, "gz, text");
    assert_string_equal(r.docs[0]->id, "g1");
    tu_run_free(&r);
    free(p);
    p = tu_write_str(tu_dir, "t.tsv", "id\ttext\tsrc\nt1\thas, commas\tx\nt2\t\"quoted\ttab\"\ty\n");
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[0]->text, "has, commas");
    assert_string_equal(meta(r.docs[0], "src"), "x");
    assert_string_equal(r.docs[1]->text, "quoted\ttab");
    tu_run_free(&r);
    free(p);
}

static void test_many_records_stream(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    asy_buf_puts(&b, "id,text\n");
    for (int i = 0; i < 2000; i++)
        asy_buf_printf(&b, "r%d,\"text %d\nsecond line\"\n", i, i);
    char *p = tu_write_gz(tu_dir, "many.csv.gz", b.data, b.len);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    asy_report rep = tu_report(&c);
    asy_reader *rd;
    asy_error err;
    assert_int_equal(asy_reader_open(&rd, p, &o, &rep, &err), 0);
    asy_doc *d;
    int n = 0;
    while (asy_reader_next(rd, &d, &err) == 1) {
        char want[64];
        snprintf(want, sizeof want, "r%d", n);
        assert_string_equal(d->id, want);
        snprintf(want, sizeof want, "text %d\nsecond line", n);
        assert_string_equal(d->text, want);
        asy_doc_free(d);
        n++;
    }
    assert_int_equal(n, 2000);
    assert_int_equal(c.skips + c.warns, 0);
    asy_reader_close(rd);
    asy_buf_free(&b);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_field_count_and_stray_quote),
        cmocka_unit_test(test_missing_text_column),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_size_cap_recovers),
        cmocka_unit_test(test_nul_and_invalid),
        cmocka_unit_test(test_empty_header_only_gzip_tsv),
        cmocka_unit_test(test_many_records_stream),
    };
    return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
