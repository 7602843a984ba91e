/*
 * test_loader.c — the format registry, the shared text policy
 * (asy_load_text_into: invalid UTF-8 in each policy, NUL bytes, size cap),
 * and the reader: directory walk order, hidden and unknown files,
 * symlinks, unreadable entries, single files, standard input, input size,
 * named pipes in a directory, and deferred text files (asy_reader_defer,
 * asy_reader_load_pending).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "testutil.h"
#include "tu_collect.h"

static char *path_in(const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", tu_dir, name) > 0);
    return p;
}

/* Read every document of an input; returns "id=text;" pairs. */
static char *read_all_docs(const char *path, const asy_input_opts *o,
                           tu_collect *c, int *status)
{
    asy_report rep = tu_report(c);
    asy_reader *r = NULL;
    asy_error err;
    asy_buf out = ASY_BUF_INIT;
    asy_buf_puts(&out, "");
    *status = asy_reader_open(&r, path, o, &rep, &err);
    if (*status < 0)
        return asy_buf_detach(&out, NULL);
    asy_doc *d;
    int rc;
    while ((rc = asy_reader_next(r, &d, &err)) == 1) {
        asy_buf_printf(&out, "%s=%s;", d->id, d->text);
        asy_doc_free(d);
    }
    *status = rc;
    asy_reader_close(r);
    return asy_buf_detach(&out, NULL);
}

static void test_format_for_path(void **st)
{
    (void)st;
    assert_ptr_equal(asy_format_for_path("a.txt"), &asy_format_text);
    assert_ptr_equal(asy_format_for_path("dir.d/a.md"), &asy_format_text);
    assert_ptr_equal(asy_format_for_path("A.TXT.GZ"), &asy_format_text);
    assert_ptr_equal(asy_format_for_path("x.jsonl"), &asy_format_jsonl);
    assert_ptr_equal(asy_format_for_path("x.ndjson.gz"), &asy_format_jsonl);
    assert_ptr_equal(asy_format_for_path("x.csv"), &asy_format_csv);
    assert_ptr_equal(asy_format_for_path("x.tsv.gz"), &asy_format_tsv);
    assert_null(asy_format_for_path("x.pdf"));
    assert_null(asy_format_for_path("x.gz"));
    assert_null(asy_format_for_path(".txt"));
    assert_null(asy_format_for_path("txt"));
    assert_null(asy_format_for_path("a.txt/b"));
    assert_string_equal(asy_format_csv.name, "csv");
    assert_string_equal(asy_format_tsv.name, "tsv");
}

static void test_opts_default(void **st)
{
    (void)st;
    asy_input_opts o;
    asy_input_opts_default(&o);
    assert_string_equal(o.text_field, "text");
    assert_string_equal(o.id_field, "id");
    assert_string_equal(o.date_field, "date");
    assert_int_equal(o.latin1, 0);
    assert_int_equal(o.invalid_utf8, ASY_UTF8_REPLACE);
    assert_int_equal(o.max_doc_bytes, 268435456);
}

static void test_load_text_into_policies(void **st)
{
    (void)st;
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    asy_report rep = tu_report(&c);
    asy_error err;
    asy_doc *d = asy_doc_new("doc1", "f.txt");
    const char raw[] = "ab\xFF" "cd\xC0\xAF";
    /* replace: FF, C0, AF are three maximal subparts, so three U+FFFD */
    assert_int_equal(asy_load_text_into(d, raw, sizeof raw - 1, &o, &rep, 100,
                                        "", &err), 1);
    assert_string_equal(d->text, "ab\xEF\xBF\xBD" "cd\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_string_equal(tu_log(&c), "warn|f.txt|doc1|byte 102|invalid UTF-8 "
                        "(3 sequences replaced by U+FFFD)\n");
    /* skip */
    o.invalid_utf8 = ASY_UTF8_SKIP;
    asy_buf_clear(&c.log);
    assert_int_equal(asy_load_text_into(d, raw, sizeof raw - 1, &o, &rep, 0,
                                        "line 4, field 'text'", &err), 0);
    assert_string_equal(tu_log(&c), "skip|f.txt|doc1|line 4, field 'text', "
                        "byte 2|invalid UTF-8 at byte 2\n");
    /* fail */
    o.invalid_utf8 = ASY_UTF8_FAIL;
    assert_int_equal(asy_load_text_into(d, raw, sizeof raw - 1, &o, &rep, 10,
                                        "", &err), ASSAY_E_ENCODING);
    assert_int_equal(err.code, ASSAY_E_ENCODING);
    assert_string_equal(err.message, "invalid UTF-8 in 'f.txt' at byte 12");
    assert_string_equal(err.file, "f.txt");
    assert_int_equal(err.byte, 12);
    assert_string_equal(err.doc_id, "doc1");
    assert_true(err.hint[0] != '\0');
    /* latin1 never fails */
    o.latin1 = 1;
    assert_int_equal(asy_load_text_into(d, "\xE9t\xE9", 3, &o, &rep, 0, "",
                                        &err), 1);
    assert_string_equal(d->text, "\xC3\xA9t\xC3\xA9");
    asy_doc_free(d);
    asy_buf_free(&c.log);
}

static void test_load_text_into_nul_and_size(void **st)
{
    (void)st;
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    asy_report rep = tu_report(&c);
    asy_doc *d = asy_doc_new("d", "s");
    assert_int_equal(asy_load_text_into(d, "abc\0def", 7, &o, &rep, 5, "",
                                        NULL), 0);
    assert_string_equal(tu_log(&c), "skip|s|d|byte 8|binary content (NUL byte "
                        "at byte 8)\n");
    assert_string_equal(d->text, ""); /* untouched */
    asy_buf_clear(&c.log);
    o.max_doc_bytes = 4;
    assert_int_equal(asy_load_text_into(d, "12345", 5, &o, &rep, 0, "", NULL), 0);
    assert_string_equal(tu_log(&c), "skip|s|d||document is 5 bytes, larger "
                        "than max_doc_bytes (4); raise max_doc_bytes to read "
                        "it\n");
    assert_int_equal(asy_load_text_into(d, "1234", 4, &o, NULL, 0, "", NULL), 1);
    assert_string_equal(d->text, "1234");
    asy_doc_free(d);
    asy_buf_free(&c.log);
}

static void make_tree(void)
{
    free(tu_write_str(tu_dir, "corpus/b.txt", "B"));
    free(tu_write_str(tu_dir, "corpus/a.txt", "A"));
    free(tu_write_str(tu_dir, "corpus/B.md", "upper B"));
    free(tu_write_str(tu_dir, "corpus/sub/z.txt", "Z"));
    free(tu_write_str(tu_dir, "corpus/sub/deeper/y.txt", "Y"));
    free(tu_write_str(tu_dir, "corpus/a b.txt", "space"));
    free(tu_write_str(tu_dir, "corpus/.hidden.txt", "H"));
    free(tu_write_str(tu_dir, "corpus/.git/config.txt", "G"));
    free(tu_write_str(tu_dir, "corpus/notes.pdf", "%PDF"));
    free(tu_write_str(tu_dir, "corpus/recs.jsonl", "{\"id\":\"r1\",\"text\":\"R1\"}\n"));
    free(tu_write_gz(tu_dir, "corpus/sub/g.txt.gz", "GZ", 2));
}

static void test_dir_walk_order(void **st)
{
    (void)st;
    make_tree();
    char *root = path_in("corpus");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs(root, &o, &c, &status);
    assert_int_equal(status, 0);
    /* bytewise order: "B.md" < "a b.txt" < "a.txt" < "b.txt" < "recs" < "sub" */
    assert_string_equal(got, "B.md=upper B;a b.txt=space;a.txt=A;b.txt=B;"
                             "r1=R1;sub/deeper/y.txt=Y;sub/g.txt.gz=GZ;"
                             "sub/z.txt=Z;");
    char *expect = NULL;
    assert_true(asprintf(&expect, "warn|%s/notes.pdf|notes.pdf||ignored: "
                         "unknown file type\n", root) > 0);
    assert_string_equal(tu_log(&c), expect);
    assert_int_equal(c.warns, 1);
    assert_int_equal(c.skips, 0);
    free(expect);
    free(got);
    asy_buf_free(&c.log);
    /* a trailing slash changes neither ids nor sources' shape */
    char *slash = NULL;
    assert_true(asprintf(&slash, "%s/", root) > 0);
    got = read_all_docs(slash, &o, &c, &status);
    assert_non_null(strstr(got, "sub/z.txt=Z;"));
    assert_null(strstr(tu_log(&c), "//"));
    free(got);
    free(slash);
    asy_buf_free(&c.log);
    free(root);
}

static void test_dir_sources_and_size(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "s/one.txt", "12345"));
    free(tu_write_str(tu_dir, "s/in/two.md", "123"));
    free(tu_write_str(tu_dir, "s/.skip.txt", "1234567"));
    free(tu_write_str(tu_dir, "s/x.bin", "1234567"));
    char *root = path_in("s");
    asy_input_opts o;
    asy_input_opts_default(&o);
    asy_reader *r;
    asy_error err;
    assert_int_equal(asy_reader_open(&r, root, &o, NULL, &err), 0);
    asy_doc *d;
    assert_int_equal(asy_reader_next(r, &d, &err), 1);
    assert_string_equal(d->id, "in/two.md");
    char *src = path_in("s/in/two.md");
    assert_string_equal(d->source, src);
    asy_doc_free(d);
    assert_int_equal(asy_reader_next(r, &d, &err), 1);
    assert_string_equal(d->id, "one.txt");
    asy_doc_free(d);
    assert_int_equal(asy_reader_next(r, &d, &err), 0);
    assert_null(d);
    assert_int_equal(asy_reader_next(r, &d, &err), 0);
    asy_reader_close(r);
    assert_int_equal(asy_input_size(root), 8);
    char *one = path_in("s/one.txt");
    assert_int_equal(asy_input_size(one), 5);
    assert_int_equal(asy_input_size("-"), -1);
    assert_int_equal(asy_input_size("/nonexistent/assay"), -1);
    free(one);
    free(src);
    free(root);
}

static void test_symlinks_and_unreadable(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "l/real/r.txt", "R"));
    free(tu_write_str(tu_dir, "target.txt", "T"));
    char *root = path_in("l");
    char *p = path_in("l/link.txt");
    char *t = path_in("target.txt");
    assert_int_equal(symlink(t, p), 0); /* symlink to a file: followed */
    free(p);
    p = path_in("l/linkdir");
    char *real = path_in("l/real");
    assert_int_equal(symlink(real, p), 0); /* to a directory: not followed */
    free(p);
    /* Tests run as root, so chmod 000 would not stop reading: a dangling
     * symlink stands in for an unreadable file. */
    p = path_in("l/dangling.txt");
    assert_int_equal(symlink("/nonexistent/assay/x.txt", p), 0);
    free(p);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs(root, &o, &c, &status);
    assert_int_equal(status, 0);
    assert_string_equal(got, "link.txt=T;real/r.txt=R;");
    assert_int_equal(c.skips, 1);
    assert_int_equal(c.warns, 1);
    assert_non_null(strstr(tu_log(&c), "|dangling.txt||cannot open"));
    assert_non_null(strstr(tu_log(&c), "No such file or directory\n"));
    assert_non_null(strstr(tu_log(&c), "warn|"));
    assert_non_null(strstr(tu_log(&c), "|linkdir||ignored: symbolic link to "
                                       "a directory (not followed)\n"));
    free(got);
    asy_buf_free(&c.log);
    free(real);
    free(t);
    free(root);
}

static void test_single_file_and_errors(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "README", "date 2024-01-02 Hello");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs(p, &o, &c, &status); /* unknown ext: text */
    assert_int_equal(status, 0);
    char *expect = NULL;
    assert_true(asprintf(&expect, "%s=Hello;", p) > 0);
    assert_string_equal(got, expect);
    free(expect);
    free(got);
    free(p);
    asy_reader *r = (asy_reader *)1;
    asy_error err;
    p = path_in("missing.txt");
    assert_int_equal(asy_reader_open(&r, p, &o, NULL, &err), ASSAY_E_IO);
    assert_null(r);
    assert_non_null(strstr(err.message, p));
    assert_non_null(strstr(err.message, "No such file or directory"));
    free(p);
    /* dangling symlink as the argument: also ASSAY_E_IO */
    p = path_in("dangle.txt");
    assert_int_equal(symlink("/nonexistent/assay", p), 0);
    assert_int_equal(asy_reader_open(&r, p, &o, NULL, &err), ASSAY_E_IO);
    free(p);
    asy_buf_free(&c.log);
}

static void test_dir_in_place_of_file(void **st)
{
    (void)st;
    /* A directory named like a file inside a corpus is walked as a
     * directory; an empty one yields nothing and no report. */
    char *d = path_in("d");
    char *p = path_in("d/fake.txt");
    assert_int_equal(mkdir(d, 0755), 0);
    assert_int_equal(mkdir(p, 0755), 0);
    free(d);
    free(tu_write_str(tu_dir, "d/ok.txt", "ok"));
    char *root = path_in("d");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs(root, &o, &c, &status);
    assert_int_equal(status, 0);
    assert_string_equal(got, "ok.txt=ok;");
    assert_int_equal(c.skips + c.warns, 0);
    free(got);
    free(root);
    free(p);
}

static void run_stdin(const char *content, int gz, const char *expect)
{
    char *p = gz ? tu_write_gz(tu_dir, "stdin.gz", content, strlen(content))
                 : tu_write_str(tu_dir, "stdin.txt", content);
    int saved = dup(0);
    assert_non_null(freopen(p, "rb", stdin));
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs("-", &o, &c, &status);
    dup2(saved, 0);
    close(saved);
    assert_int_equal(status, 0);
    assert_string_equal(got, expect);
    free(got);
    free(p);
    asy_buf_free(&c.log);
}

static void test_stdin_sniff(void **st)
{
    (void)st;
    run_stdin("  \n{\"text\":\"one\"}\n{\"text\":\"two\",\"id\":7}\n", 0,
              "-#2=one;7=two;");
    run_stdin("plain text from stdin\n", 0, "-=plain text from stdin\n;");
    run_stdin("{\"text\":\"gz\"}\n", 1, "-#1=gz;");
    run_stdin("", 0, "-=;");
}

static void test_dir_empty_and_fatal_propagates(void **st)
{
    (void)st;
    char *e = path_in("empty");
    assert_int_equal(mkdir(e, 0755), 0);
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs(e, &o, &c, &status);
    assert_int_equal(status, 0);
    assert_string_equal(got, "");
    free(got);
    assert_int_equal(asy_input_size(e), 0);
    /* ASSAY_E_ENCODING under the fail policy ends the walk */
    free(tu_write_str(tu_dir, "enc/a.txt", "ok"));
    free(tu_write_str(tu_dir, "enc/b.txt", "bad \xFF"));
    free(tu_write_str(tu_dir, "enc/c.txt", "never read"));
    char *root = path_in("enc");
    o.invalid_utf8 = ASY_UTF8_FAIL;
    got = read_all_docs(root, &o, &c, &status);
    assert_int_equal(status, ASSAY_E_ENCODING);
    assert_string_equal(got, "a.txt=ok;");
    free(got);
    free(root);
    free(e);
    asy_buf_free(&c.log);
}

/* A file that cannot be opened as its format (a CSV without the text
 * column) is reported as skipped and the walk goes on to the files after
 * it, as for a damaged file (it used to end the input quietly). */
static void test_dir_bad_csv_header_goes_on(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "badcsv/a.csv", "foo,bar\n1,2\n"));
    free(tu_write_str(tu_dir, "badcsv/b.txt", "after it"));
    char *root = path_in("badcsv");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int status;
    char *got = read_all_docs(root, &o, &c, &status);
    assert_int_equal(status, 0);
    assert_string_equal(got, "b.txt=after it;");
    assert_non_null(strstr(tu_log(&c), "/badcsv/a.csv||line 1|"));
    assert_non_null(strstr(tu_log(&c), "has no column 'text'"));
    free(got);
    free(root);
    asy_buf_free(&c.log);
}

/* Every document of a directory with the reader deferring text files:
 * each pending one is loaded at once through the same report, so the
 * result must equal read_all_docs's. `pending` counts the deferred. */
static char *read_deferred(const char *path, const asy_input_opts *o,
                           tu_collect *c, int *pending)
{
    asy_report rep = tu_report(c);
    asy_reader *r = NULL;
    asy_error err;
    asy_buf out = ASY_BUF_INIT;
    asy_buf_puts(&out, "");
    assert_int_equal(asy_reader_open(&r, path, o, &rep, &err), 0);
    asy_reader_defer(r, 1);
    asy_doc *d;
    *pending = 0;
    while (asy_reader_next(r, &d, &err) == 1) {
        if (d->pending) {
            (*pending)++;
            assert_string_equal(d->text, ""); /* nothing read yet */
            assert_memory_equal(d->source, path, strlen(path));
            int rc = asy_reader_load_pending(&d, o, &rep, &err);
            assert_int_equal(rc, d ? 1 : 0);
            if (!d)
                continue;
            assert_false(d->pending);
        }
        asy_buf_printf(&out, "%s=%s;", d->id, d->text);
        asy_doc_free(d);
    }
    asy_reader_close(r);
    return asy_buf_detach(&out, NULL);
}

/* root read directly and deferred: the same documents and the same
 * messages both ways. Returns the documents; c holds the messages. */
static char *read_both(const char *root, const asy_input_opts *o,
                       tu_collect *c, int *pending)
{
    tu_collect c2;
    int status;
    char *now = read_all_docs(root, o, c, &status);
    assert_int_equal(status, 0);
    char *later = read_deferred(root, o, &c2, pending);
    assert_string_equal(later, now);
    assert_string_equal(tu_log(&c2), tu_log(c));
    assert_int_equal(c2.skips, c->skips);
    assert_int_equal(c2.warns, c->warns);
    free(later);
    asy_buf_free(&c2.log);
    return now;
}

static void test_deferred_text_files(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "defer/a.txt", "date 2024-05-06 Alpha"));
    free(tu_write_str(tu_dir, "defer/b.md", "---\ntitle: T\n---\nBeta"));
    free(tu_write_gz(tu_dir, "defer/c.txt.gz", "Gamma", 5));
    free(tu_write_str(tu_dir, "defer/d.txt", ""));
    char *p = path_in("defer/e.txt");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("bin\0ary", 1, 7, f), 7);
    fclose(f);
    free(p);
    free(tu_write_str(tu_dir, "defer/f.txt", "bad \xFF byte"));
    free(tu_write_str(tu_dir, "defer/g.txt", "far too long for the cap"));
    free(tu_write_str(tu_dir, "defer/h.jsonl", "{\"id\":\"j\",\"text\":\"J\"}\n"));
    free(tu_write_str(tu_dir, "defer/i.pdf", "%PDF"));
    p = path_in("defer/z.txt");
    assert_int_equal(symlink("/nonexistent/assay/z.txt", p), 0);
    free(p);
    char *root = path_in("defer");
    asy_input_opts o;
    asy_input_opts_default(&o);
    o.max_doc_bytes = 23;
    for (int policy = ASY_UTF8_REPLACE; policy <= ASY_UTF8_SKIP; policy++) {
        o.invalid_utf8 = (asy_utf8_policy)policy;
        tu_collect c;
        int pending;
        char *now = read_both(root, &o, &c, &pending);
        assert_int_equal(pending, 8); /* every text file, .gz too */
        assert_int_equal(c.skips, policy == ASY_UTF8_SKIP ? 4 : 3);
        assert_string_equal(now, policy == ASY_UTF8_SKIP
                                     ? "a.txt=Alpha;b.md=Beta;c.txt.gz=Gamma;"
                                       "d.txt=;j=J;"
                                     : "a.txt=Alpha;b.md=Beta;c.txt.gz=Gamma;"
                                       "d.txt=;f.txt=bad \xEF\xBF\xBD byte;j=J;");
        assert_non_null(strstr(tu_log(&c), "|g.txt||document is 24 bytes"));
        assert_non_null(strstr(tu_log(&c), "|e.txt|byte 3|binary content"));
        assert_non_null(strstr(tu_log(&c), "|z.txt||cannot open"));
        free(now);
        asy_buf_free(&c.log);
    }
    free(root);
}

/* Damaged and odd entries read deferred report what the reader reports:
 * a corrupt and a truncated .txt.gz (skipped under their own name, the
 * walk going on), a symbolic link loop, a directory named like a text
 * file (walked, not read). */
static void test_deferred_damaged_files(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "defer_bad/a.txt", "Alpha"));
    free(tu_write(tu_dir, "defer_bad/b.txt.gz",
                  "\x1f\x8b\x08\x00garbage, not deflate data", 28));
    asy_buf big = ASY_BUF_INIT;
    for (int i = 0; i < 2000; i++)
        asy_buf_printf(&big, "line %d of a text that gzip shrinks\n", i);
    char *gz = tu_write_gz(tu_dir, "defer_bad/c.txt.gz", big.data, big.len);
    size_t n = 0;
    char *whole = tu_read(gz, &n);
    assert_true(n > 40);
    free(tu_write(tu_dir, "defer_bad/c.txt.gz", whole, n / 2)); /* cut */
    free(whole);
    free(gz);
    asy_buf_free(&big);
    char *p = path_in("defer_bad/d.txt");
    assert_int_equal(symlink("d.txt", p), 0); /* a loop: ELOOP */
    free(p);
    free(tu_write_str(tu_dir, "defer_bad/e.txt/inner.txt", "Inner"));
    free(tu_write_str(tu_dir, "defer_bad/f.txt", "Zeta"));
    char *root = path_in("defer_bad");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    int pending;
    char *now = read_both(root, &o, &c, &pending);
    assert_string_equal(now, "a.txt=Alpha;e.txt/inner.txt=Inner;f.txt=Zeta;");
    assert_int_equal(pending, 6);
    assert_int_equal(c.skips, 3);
    assert_int_equal(c.warns, 0);
    assert_non_null(strstr(tu_log(&c), "/defer_bad/b.txt.gz||byte 0|corrupt gzip"));
    assert_non_null(strstr(tu_log(&c), "/defer_bad/c.txt.gz||byte "));
    assert_non_null(strstr(tu_log(&c), "/defer_bad/d.txt|d.txt||cannot open"));
    free(now);
    asy_buf_free(&c.log);
    free(root);
}

/* A file that disappears between the walk and its deferred load is
 * skipped ("cannot open", under its id), not fatal. */
static void test_deferred_file_gone(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "defer_gone/a.txt", "Alpha"));
    char *root = path_in("defer_gone");
    asy_input_opts o;
    asy_input_opts_default(&o);
    tu_collect c;
    asy_report rep = tu_report(&c);
    asy_reader *r = NULL;
    asy_error err;
    assert_int_equal(asy_reader_open(&r, root, &o, &rep, &err), 0);
    asy_reader_defer(r, 1);
    asy_doc *d = NULL;
    assert_int_equal(asy_reader_next(r, &d, &err), 1);
    assert_non_null(d);
    assert_true(d->pending);
    assert_string_equal(d->id, "a.txt");
    char *p = path_in("defer_gone/a.txt");
    assert_int_equal(unlink(p), 0);
    assert_int_equal(asy_reader_load_pending(&d, &o, &rep, &err), 0);
    assert_null(d);
    assert_int_equal(c.skips, 1);
    char *want = NULL;
    assert_true(asprintf(&want, "skip|%s|a.txt||cannot open", p) > 0);
    assert_memory_equal(tu_log(&c), want, strlen(want));
    assert_int_equal(asy_reader_next(r, &d, &err), 0);
    asy_reader_close(r);
    free(want);
    free(p);
    free(root);
    asy_buf_free(&c.log);
}

/* A named pipe in a directory is reported and passed over: opening it
 * would wait for a writer for ever (the alarm turns a hang into a
 * failure). Named explicitly, a pipe is read: `<(zcat x.gz)` works. */
static void test_named_pipe_in_dir(void **st)
{
    (void)st;
    free(tu_write_str(tu_dir, "fifo/a.txt", "Alpha"));
    char *p = path_in("fifo/p.txt");
    assert_int_equal(mkfifo(p, 0600), 0);
    char *root = path_in("fifo");
    asy_input_opts o;
    asy_input_opts_default(&o);
    for (int defer = 0; defer < 2; defer++) {
        tu_collect c;
        int status, pending = 0;
        alarm(20);
        char *got = defer ? read_deferred(root, &o, &c, &pending)
                          : read_all_docs(root, &o, &c, &status);
        alarm(0);
        assert_string_equal(got, "a.txt=Alpha;");
        assert_int_equal(c.warns, 1);
        assert_int_equal(c.skips, 0);
        char *want = NULL;
        assert_true(asprintf(&want, "warn|%s|p.txt||ignored: a named pipe, "
                             "not a regular file\n", p) > 0);
        assert_string_equal(tu_log(&c), want);
        free(want);
        free(got);
        asy_buf_free(&c.log);
    }
    assert_int_equal(asy_input_size(root), 5);
    free(root);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_for_path),
        cmocka_unit_test(test_opts_default),
        cmocka_unit_test(test_load_text_into_policies),
        cmocka_unit_test(test_load_text_into_nul_and_size),
        cmocka_unit_test(test_dir_walk_order),
        cmocka_unit_test(test_dir_sources_and_size),
        cmocka_unit_test(test_symlinks_and_unreadable),
        cmocka_unit_test(test_single_file_and_errors),
        cmocka_unit_test(test_dir_in_place_of_file),
        cmocka_unit_test(test_stdin_sniff),
        cmocka_unit_test(test_dir_empty_and_fatal_propagates),
        cmocka_unit_test(test_deferred_text_files),
        cmocka_unit_test(test_deferred_damaged_files),
        cmocka_unit_test(test_deferred_file_gone),
        cmocka_unit_test(test_named_pipe_in_dir),
        cmocka_unit_test(test_dir_bad_csv_header_goes_on),
    };
    return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
