/*
 * test_load_jsonl.c — JSON Lines: fields to id/text/meta, configurable
 * field names, every malformed-line case (truncated JSON, not an object,
 * text missing or not a string, NUL, invalid UTF-8 per policy, over-long
 * line), blank lines, gzip, Latin-1, and the fallback ids path#line;
 * escapes, BOM and CR in the text, duplicate keys, integers beyond int64,
 * nested values and the parser's error wording as the loader reports it.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "testutil.h"
#include "tu_collect.h"

static const asy_meta_entry *meta(const asy_doc *d, const char *k)
{
    const asy_meta_entry *e = asy_meta_get(&d->meta, k);
    assert_non_null(e);
    return e;
}

static void test_fields(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "a.jsonl",
        "{\"id\":\"art-1\",\"date\":\"2024-07-02\",\"title\":\"T\",\"text\":\"Hello\\r\\nworld\","
        "\"n\":3,\"x\":1.5,\"ok\":true,\"no\":false,\"nil\":null,\"tags\":[\"a\",1],"
        "\"o\":{\"k\":\"v\"}}\n"
        "\n   \n"
        "{\"text\":\"second\",\"id\":42}\n"
        "{\"text\":\"third\"}");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 3);
    asy_doc *d = r.docs[0];
    assert_string_equal(d->id, "art-1");
    assert_string_equal(d->source, p);
    assert_string_equal(d->text, "Hello\nworld");
    assert_string_equal(meta(d, "date")->str, "2024-07-02");
    assert_string_equal(meta(d, "title")->str, "T");
    assert_int_equal(meta(d, "n")->type, ASY_META_INTEGER);
    assert_int_equal(meta(d, "n")->i, 3);
    assert_true(meta(d, "x")->d == 1.5);
    assert_int_equal(meta(d, "ok")->type, ASY_META_BOOLEAN);
    assert_int_equal(meta(d, "ok")->i, 1);
    assert_int_equal(meta(d, "no")->i, 0);
    assert_null(asy_meta_get(&d->meta, "nil"));
    assert_null(asy_meta_get(&d->meta, "text"));
    assert_null(asy_meta_get(&d->meta, "id"));
    assert_string_equal(meta(d, "tags")->str, "[\"a\",1]");
    assert_string_equal(meta(d, "o")->str, "{\"k\":\"v\"}");
    /* metadata in record order */
    assert_string_equal(d->meta.items[0].key, "date");
    assert_string_equal(d->meta.items[1].key, "title");
    assert_string_equal(r.docs[1]->id, "42");
    assert_string_equal(r.docs[1]->text, "second");
    char *id3 = NULL;
    assert_true(asprintf(&id3, "%s#5", p) > 0);
    assert_string_equal(r.docs[2]->id, id3); /* 1-based line of the record */
    free(id3);
    assert_int_equal(r.c.skips + r.c.warns, 0);
    tu_run_free(&r);
    free(p);
}

static void test_escapes_duplicates_numbers(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "e.jsonl",
        "{\"text\":\"It\\u2019s \\\"q\\\"\\r\\nend\\ud83d\\ude00\",\"id\":\"d1\"}\n"
        "{\"text\":\"\\ufeffBOM first\",\"id\":\"d2\"}\r\n"
        "{\"id\":\"d3\",\"text\":\"first\",\"n\":1,\"text\":\"second\",\"n\":2}\n"
        "{\"id\":18446744073709551616,\"text\":\"big\",\"b\":-18446744073709551616,"
        "\"nested\":{\"b\":[1, 2.5, \"\\u00e9\"], \"b\":null},\"x\":[ 1 ]}\n"
        "{\"text\":\"x\",\"k\":\"a\\u0000b\"}\n"
        "{\"text\":\"x\"} trailing\n"
        "{\"text\":\"\\ud800\"}\n"
        "{\"text\":\"tab\there\"}\n"
        "{\"n\":01,\"text\":\"x\"}\n"
        "{\"text\":\"caf\xC3\xA9\", \"t\":tru}\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.docs[0]->id, "d1");
    assert_string_equal(r.docs[0]->text,
                        "It\xE2\x80\x99s \"q\"\nend\xF0\x9F\x98\x80");
    assert_string_equal(r.docs[1]->text, "BOM first");
    /* a key given twice: its last value, in its first place */
    asy_doc *d = r.docs[2];
    assert_string_equal(d->text, "second");
    assert_int_equal(d->meta.n, 1);
    assert_int_equal(meta(d, "n")->i, 2);
    /* beyond int64: a number, and not an id */
    d = r.docs[3];
    char *id = NULL;
    assert_true(asprintf(&id, "%s#4", p) > 0);
    assert_string_equal(d->id, id);
    free(id);
    assert_int_equal(meta(d, "b")->type, ASY_META_NUMBER);
    assert_true(meta(d, "b")->d == -18446744073709551616.0);
    assert_string_equal(meta(d, "nested")->str, "{\"b\":null}");
    assert_string_equal(meta(d, "x")->str, "[1]");
    assert_string_equal(d->meta.items[0].key, "b");
    char *expect = NULL;
    assert_true(asprintf(&expect,
        "skip|%1$s|%1$s#5|line 5|binary content (NUL character in field 'k')\n"
        "skip|%1$s|%1$s#6|line 6|malformed JSON at column 21: end of file expected near 'trailing'\n"
        "skip|%1$s|%1$s#7|line 7|malformed JSON at column 16: invalid Unicode '\\uD800' near '\"\\ud800\"'\n"
        "skip|%1$s|%1$s#8|line 8|malformed JSON at column 12: control character 0x9 near '\"tab'\n"
        "skip|%1$s|%1$s#9|line 9|malformed JSON at column 6: invalid token near '0'\n"
        "skip|%1$s|%1$s#10|line 10|malformed JSON at column 23: invalid token near 'tru'\n",
        p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);
    free(p);
}

static void test_custom_fields(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "c.ndjson",
        "{\"body\":\"B\",\"key\":\"k1\",\"published\":\"2020-01-01\",\"text\":\"other\"}\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    o.text_field = "body";
    o.id_field = "key";
    o.date_field = "published";
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0]->id, "k1");
    assert_string_equal(r.docs[0]->text, "B");
    assert_string_equal(meta(r.docs[0], "date")->str, "2020-01-01");
    assert_string_equal(meta(r.docs[0], "text")->str, "other");
    assert_null(asy_meta_get(&r.docs[0]->meta, "published"));
    tu_run_free(&r);
    free(p);
}

static void test_malformed_lines(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "m.jsonl",
        "{\"text\":\"good1\"}\n"
        "{\"text\":\"trunc\n"                 /* 2: truncated */
        "[1,2]\n"                             /* 3: not an object */
        "{\"id\":\"x4\",\"body\":\"no text\"}\n" /* 4: text missing */
        "{\"text\":17}\n"                     /* 5: text not a string */
        "{\"text\":\"a\\u0000b\"}\n"          /* 6: NUL in the text */
        "{\"text\":\"good2\"}\n");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[0]->text, "good1");
    assert_string_equal(r.docs[1]->text, "good2");
    assert_int_equal(r.c.skips, 5);
    char *expect = NULL;
    assert_true(asprintf(&expect,
        "skip|%1$s|%1$s#2|line 2|malformed JSON at column 14: premature end of input near '\"trunc'\n"
        "skip|%1$s|%1$s#3|line 3|not a JSON object (got an array)\n"
        "skip|%1$s|x4|line 4|no field 'text' (set text_field to the field holding the text)\n"
        "skip|%1$s|%1$s#5|line 5|field 'text' is an integer, not a string\n"
        "skip|%1$s|%1$s#6|line 6, field 'text', byte 1|binary content (NUL byte at byte 1)\n",
        p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);
    free(p);
}

static void test_raw_nul_and_invalid_utf8(void **st)
{
    (void)st;
    const char data[] = "{\"text\":\"ok\"}\n"
                        "{\"text\":\"a\0b\"}\n"          /* raw NUL at byte 24 */
                        "{\"text\":\"caf\xE9\",\"id\":\"i3\"}\n"; /* bad at 41 */
    char *p = tu_write(tu_dir, "n.jsonl", data, sizeof data - 1);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[1]->text, "caf\xEF\xBF\xBD");
    assert_string_equal(r.docs[1]->id, "i3");
    char *expect = NULL;
    assert_true(asprintf(&expect,
        "skip|%1$s|%1$s#2|line 2, byte 24|binary content (NUL byte at byte 24)\n"
        "warn|%1$s|%1$s#3|line 3, byte 41|invalid UTF-8 (1 sequence replaced by U+FFFD)\n",
        p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);

    o.invalid_utf8 = ASY_UTF8_SKIP;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(tu_log(&r.c), "|line 3, byte 41|invalid UTF-8 at byte 41\n"));
    tu_run_free(&r);

    o.invalid_utf8 = ASY_UTF8_FAIL;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, ASSAY_E_ENCODING);
    assert_int_equal(r.n, 1);
    assert_non_null(strstr(r.err.message, p));
    assert_non_null(strstr(r.err.message, "line 3, byte 41"));
    tu_run_free(&r);

    o.invalid_utf8 = ASY_UTF8_REPLACE;
    o.latin1 = 1;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[1]->text, "caf\xC3\xA9");
    tu_run_free(&r);
    free(p);
}

/* A clean line is parsed where the source holds it, a line that needs
 * cleaning from its cleaned copy: both must give the same document,
 * nested values (kept as raw source bytes until compacted) included. */
static void test_clean_and_cleaned_lines_agree(void **st)
{
    (void)st;
    const char data[] =
        "{\"id\":\"a\",\"o\":{\"k\":[1, \"\xC3\xA9\"]},\"text\":\"x\\ny \xE2\x80\x9C\"}\n"
        "{\"id\":\"a\",\"o\":{\"k\":[1, \"\xC3\xA9\"]},\"text\":\"x\\ny \xE2\x80\x9C\","
        "\"bad\":\"\xFF\"}\n";
    char *p = tu_write(tu_dir, "c.jsonl", data, sizeof data - 1);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    for (int i = 0; i < 2; i++) {
        asy_doc *d = r.docs[i];
        assert_string_equal(d->id, "a");
        assert_string_equal(d->text, "x\ny \xE2\x80\x9C");
        assert_int_equal(d->len, 7);
        assert_string_equal(meta(d, "o")->str, "{\"k\":[1,\"\xC3\xA9\"]}");
    }
    assert_string_equal(meta(r.docs[1], "bad")->str, "\xEF\xBF\xBD");
    assert_int_equal(r.c.warns, 1); /* the U+FFFD on line 2 */
    tu_run_free(&r);
    free(p);
}

static void test_long_line_and_gzip(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    asy_buf_puts(&b, "{\"text\":\"first\"}\n{\"text\":\"");
    for (int i = 0; i < 5000; i++)
        asy_buf_puts(&b, "0123456789");
    asy_buf_puts(&b, "\"}\n{\"text\":\"third\"}\n");
    char *p = tu_write_gz(tu_dir, "long.jsonl.gz", b.data, b.len);
    asy_input_opts o;
    asy_input_opts_default(&o);
    o.max_doc_bytes = 1000;
    tu_run r;
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.docs[0]->text, "first");
    assert_string_equal(r.docs[1]->text, "third");
    char *expect = NULL;
    assert_true(asprintf(&expect, "skip|%1$s|%1$s#2|line 2|document is larger "
                         "than max_doc_bytes (1000); raise max_doc_bytes to "
                         "read it\n", p) > 0);
    assert_string_equal(tu_log(&r.c), expect);
    free(expect);
    tu_run_free(&r);
    o.max_doc_bytes = 0; /* no limit: the long one is read */
    tu_read_docs(&r, p, &o);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.docs[1]->len, 50000);
    tu_run_free(&r);
    asy_buf_free(&b);
    free(p);
}

static void test_empty_and_ids_in_dir(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "j/empty.jsonl", ""));
    free(tu_write_str(tu_dir, "j/sub/r.jsonl", "\n{\"text\":\"t\"}\n"));
    char *root = NULL;
    assert_true(asprintf(&root, "%s/j", tu_dir) > 0);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_run r;
    tu_read_docs(&r, root, &o);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.docs[0]->id, "sub/r.jsonl#2");
    assert_int_equal(r.c.skips + r.c.warns, 0);
    tu_run_free(&r);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_custom_fields),
        cmocka_unit_test(test_escapes_duplicates_numbers),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_raw_nul_and_invalid_utf8),
        cmocka_unit_test(test_clean_and_cleaned_lines_agree),
        cmocka_unit_test(test_long_line_and_gzip),
        cmocka_unit_test(test_empty_and_ids_in_dir),
    };
    return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
