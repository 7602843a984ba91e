/*
 * test_source.c — byte streams: plain and gzip files read alike, stdin,
 * errors (missing file, directory, corrupt and truncated gzip), the line
 * reader (CRLF, no final newline, a 50 MB single line, the length cap),
 * the hash of what is read.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"
#include "testutil.h"

static asy_source *open_ok(const char *path)
{
    asy_source *s = NULL;
    asy_error err;
    asy_error_clear(&err);
    assert_int_equal(asy_source_open(&s, path, &err), ASSAY_OK);
    assert_non_null(s);
    return s;
}

static char *slurp(asy_source *s, size_t *n)
{
    asy_buf b = ASY_BUF_INIT;
    asy_error err;
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
    return asy_buf_detach(&b, n);
}

static void test_plain_and_gzip_same(void **st)
{
    (void)st;
    const char *text = "line one\nline two\n";
    char *p = tu_write_str(tu_dir, "a.txt", text);
    char *g = tu_write_gz(tu_dir, "a.txt.gz", text, strlen(text));
    asy_source *s1 = open_ok(p), *s2 = open_ok(g);
    assert_false(asy_source_is_gzip(s1));
    assert_true(asy_source_is_gzip(s2));
    size_t n1, n2;
    char *a = slurp(s1, &n1), *b = slurp(s2, &n2);
    assert_int_equal(n1, strlen(text));
    assert_int_equal(n2, strlen(text));
    assert_string_equal(a, text);
    assert_string_equal(b, text);
    assert_string_equal(asy_source_path(s2), g);
    free(a);
    free(b);
    asy_source_close(s1);
    asy_source_close(s2);
    free(p);
    free(g);
}

/* Large reads (which bypass the read-ahead) after a peek and a small
 * read, plain and gzip: every byte arrives once, in order. */
static void test_large_reads_after_peek(void **st)
{
    (void)st;
    size_t n = 1500000;
    char *text = malloc(n);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + (i * 7 + i / 13 + i / 70001) % 26);
    char *p = tu_write(tu_dir, "large.txt", text, n);
    char *g = tu_write_gz(tu_dir, "large.txt.gz", text, n);
    const char *paths[2] = {p, g};
    for (int k = 0; k < 2; k++) {
        asy_source *s = open_ok(paths[k]);
        const char *head;
        assert_int_equal(asy_source_peek(s, &head, 100), 100);
        assert_memory_equal(head, text, 100);
        char small[10];
        asy_error err;
        assert_int_equal(asy_source_read(s, small, 10, &err), 10);
        assert_memory_equal(small, text, 10);
        size_t got;
        char *rest = slurp(s, &got);
        assert_int_equal(got, n - 10);
        assert_memory_equal(rest, text + 10, n - 10);
        assert_int_equal(asy_source_read(s, small, 10, &err), 0);
        free(rest);
        asy_source_close(s);
        /* over a limit: refused having read one byte past it, no more */
        s = open_ok(paths[k]);
        asy_buf b = ASY_BUF_INIT;
        assert_int_equal(asy_source_read_all(s, &b, 100000, &err), ASSAY_E_LIMIT);
        assert_int_equal(b.len, 100001);
        assert_memory_equal(b.data, text, b.len);
        asy_buf_free(&b);
        asy_source_close(s);
    }
    free(p);
    free(g);
    free(text);
}

/* Files shorter than the gzip magic, or starting with half of it, are
 * plain text and come back byte for byte. */
static void test_short_files_are_plain(void **st)
{
    (void)st;
    const char *bodies[3] = {"x", "\x1f", "\x1fx"};
    for (int k = 0; k < 3; k++) {
        char *p = tu_write_str(tu_dir, "short.txt", bodies[k]);
        asy_source *s = open_ok(p);
        assert_false(asy_source_is_gzip(s));
        size_t n;
        char *got = slurp(s, &n);
        assert_int_equal(n, strlen(bodies[k]));
        assert_memory_equal(got, bodies[k], n);
        free(got);
        asy_source_close(s);
        free(p);
    }
}

static void test_open_errors(void **st)
{
    (void)st;
    asy_source *s = (asy_source *)1;
    asy_error err;
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/nope.txt", tu_dir);
    assert_int_equal(asy_source_open(&s, missing, &err), ASSAY_E_IO);
    assert_null(s);
    assert_int_equal(err.code, ASSAY_E_IO);
    assert_non_null(strstr(err.message, missing));
    assert_non_null(strstr(err.message, "No such file or directory"));
    assert_string_equal(err.file, missing);
    assert_int_equal(asy_source_open(&s, tu_dir, &err), ASSAY_E_IO);
    assert_non_null(strstr(err.message, "is a directory"));
    assert_int_equal(asy_source_open(&s, missing, NULL), ASSAY_E_IO);
}

/* A file from a directory walk must be a regular file: a named pipe (a
 * file replaced by one after the walk saw it) is refused at once, where a
 * plain open would wait for a writer for ever; a regular file reads as
 * with asy_source_open, with blocking reads. */
static void test_open_file_regular_only(void **st)
{
    (void)st;
    asy_source *s = NULL;
    asy_error err;
    char fifo[4096];
    snprintf(fifo, sizeof fifo, "%s/pipe.txt", tu_dir);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(asy_source_open_file(&s, fifo, &err), ASSAY_E_IO);
    assert_null(s);
    assert_non_null(strstr(err.message, "not a regular file"));
    assert_int_equal(asy_source_open_file(&s, tu_dir, &err), ASSAY_E_IO);
    unlink(fifo);
    char *path = tu_write_str(tu_dir, "regular.txt", "some words\n");
    assert_int_equal(asy_source_open_file(&s, path, &err), ASSAY_OK);
    asy_buf b = ASY_BUF_INIT;
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
    assert_int_equal(b.len, 11);
    assert_memory_equal(b.data, "some words\n", 11);
    asy_buf_free(&b);
    asy_source_close(s);
    free(path);
}

static void test_corrupt_gzip(void **st)
{
    (void)st;
    /* A long, compressible text so the damage lands inside the deflate
     * stream; then flip bytes in the middle. */
    size_t n = 200000;
    char *text = malloc(n);
    for (size_t i = 0; i < n; i++)
        text[i] = (char)('a' + (i * 7 + i / 13) % 26);
    char *g = tu_write_gz(tu_dir, "bad.gz", text, n);
    size_t gn;
    char *gz = tu_read(g, &gn);
    for (size_t i = gn / 2; i < gn / 2 + 16; i++)
        gz[i] ^= 0x5A;
    free(tu_write(tu_dir, "bad.gz", gz, gn));
    asy_source *s = open_ok(g);
    asy_buf b = ASY_BUF_INIT;
    asy_error err;
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_E_IO);
    assert_non_null(strstr(err.message, "corrupt gzip data"));
    assert_non_null(strstr(err.message, g));
    assert_true(err.byte >= 0);
    /* zlib's own name for the stream, "<fd:N>", varies with the files
     * open at the time (worker threads): errors files must not carry it */
    assert_non_null(strstr(err.message, "(zlib: "));
    assert_null(strstr(err.message, "<fd:"));
    /* the failure is sticky */
    char c;
    assert_int_equal(asy_source_read(s, &c, 1, &err), -1);
    asy_source_close(s);
    /* truncated: cut the gzip in half */
    free(tu_write(tu_dir, "trunc.gz", gz, gn / 2));
    char *t = NULL;
    assert_true(asprintf(&t, "%s/trunc.gz", tu_dir) > 0);
    s = open_ok(t);
    asy_buf_clear(&b);
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_E_IO);
    assert_non_null(strstr(err.message, "trunc.gz"));
    assert_null(strstr(err.message, "<fd:"));
    asy_source_close(s);
    asy_buf_free(&b);
    free(t);
    free(gz);
    free(g);
    free(text);
}

static void test_getline(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "l.txt", "first\r\nsecond\n\nlast no newline");
    asy_source *s = open_ok(p);
    const char *line;
    size_t len;
    asy_error err;
    assert_int_equal(asy_source_lineno(s), 0);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "first");
    assert_int_equal(len, 5);
    assert_int_equal(asy_source_line_offset(s), 0);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "second");
    assert_int_equal(asy_source_lineno(s), 2);
    assert_int_equal(asy_source_line_offset(s), 7);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "");
    assert_int_equal(len, 0);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "last no newline");
    assert_int_equal(asy_source_lineno(s), 4);
    assert_int_equal(asy_source_line_offset(s), 15);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 0);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 0);
    asy_source_close(s);
    free(p);
}

static void test_getline_limit_continues(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "m.txt", "short\nthis line is too long\nok\n");
    asy_source *s = open_ok(p);
    const char *line;
    size_t len;
    asy_error err;
    assert_int_equal(asy_source_getline(s, &line, &len, 10, &err), 1);
    assert_string_equal(line, "short");
    assert_int_equal(asy_source_getline(s, &line, &len, 10, &err), ASSAY_E_LIMIT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.byte, 6);
    assert_non_null(strstr(err.message, "line 2"));
    assert_int_equal(asy_source_lineno(s), 2);
    assert_int_equal(asy_source_getline(s, &line, &len, 10, &err), 1);
    assert_string_equal(line, "ok");
    assert_int_equal(asy_source_lineno(s), 3);
    assert_int_equal(asy_source_getline(s, &line, &len, 10, &err), 0);
    asy_source_close(s);
    free(p);
    /* exactly max bytes is allowed */
    p = tu_write_str(tu_dir, "e.txt", "0123456789\n");
    s = open_ok(p);
    assert_int_equal(asy_source_getline(s, &line, &len, 10, &err), 1);
    assert_int_equal(len, 10);
    asy_source_close(s);
    free(p);
}

static void test_getline_50mb(void **st)
{
    (void)st;
    size_t n = 50u * 1024 * 1024;
    char *big = malloc(n + 8);
    assert_non_null(big);
    memset(big, 'x', n);
    big[n / 2] = 'M';
    memcpy(big + n, "\nend\n", 5);
    char *p = tu_write(tu_dir, "big.txt", big, n + 5);
    asy_source *s = open_ok(p);
    const char *line;
    size_t len;
    asy_error err;
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_int_equal(len, n);
    assert_int_equal(line[n / 2], 'M');
    assert_int_equal(line[n], '\0');
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "end");
    asy_source_close(s);
    /* with a cap: the 50 MB line is skipped, the next one read */
    s = open_ok(p);
    assert_int_equal(asy_source_getline(s, &line, &len, 1024, &err), ASSAY_E_LIMIT);
    assert_int_equal(asy_source_getline(s, &line, &len, 1024, &err), 1);
    assert_string_equal(line, "end");
    assert_int_equal(asy_source_line_offset(s), (long long)n + 1);
    asy_source_close(s);
    free(p);
    free(big);
}

static void test_read_all_limit_and_peek(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "p.txt", "  {\"a\":1}\n");
    asy_source *s = open_ok(p);
    const char *pk;
    assert_int_equal(asy_source_peek(s, &pk, 3), 3);
    assert_memory_equal(pk, "  {", 3);
    assert_int_equal(asy_source_peek(s, &pk, 4096), 10); /* all there is */
    asy_buf b = ASY_BUF_INIT;
    asy_error err;
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
    assert_string_equal(b.data, "  {\"a\":1}\n"); /* peek consumed nothing */
    asy_source_close(s);
    s = open_ok(p);
    asy_buf_clear(&b);
    assert_int_equal(asy_source_read_all(s, &b, 4, &err), ASSAY_E_LIMIT);
    asy_source_close(s);
    asy_buf_free(&b);
    free(p);
}

/* A whole file is read into one block of its size (plus room to see the
 * end) rounded up to 4 KB, or 64 KB from 1 MB on, not into asy_buf's
 * doubling: blocks of one size class let malloc give the next document
 * the pages of the last one. */
static void test_read_all_block_size(void **st)
{
    (void)st;
    static const size_t sizes[] = {1, 100, 5000, 1040000, 2000033};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        char *data = malloc(n);
        assert_non_null(data);
        memset(data, 'a' + (int)k, n);
        char *p = tu_write(tu_dir, "block.txt", data, n);
        asy_source *s = open_ok(p);
        asy_buf b = ASY_BUF_INIT;
        asy_error err;
        assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
        assert_int_equal(b.len, n);
        assert_memory_equal(b.data, data, n);
        size_t need = n + 4096 + 1, round = need <= 1048576 ? 4096 : 65536;
        assert_int_equal(b.cap, (need + round - 1) / round * round);
        asy_source_close(s);
        asy_buf_free(&b);
        free(p);
        free(data);
    }
}

static void test_empty_and_gz_lines(void **st)
{
    (void)st;
    char *p = tu_write_str(tu_dir, "empty.txt", "");
    asy_source *s = open_ok(p);
    const char *line;
    size_t len;
    asy_error err;
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 0);
    char c;
    assert_int_equal(asy_source_read(s, &c, 1, &err), 0);
    asy_source_close(s);
    free(p);
    const char *t = "x\ny\n";
    p = tu_write_gz(tu_dir, "l.gz", t, strlen(t));
    s = open_ok(p);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "x");
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    assert_string_equal(line, "y");
    assert_int_equal(asy_source_line_offset(s), 2);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 0);
    asy_source_close(s);
    free(p);
}

static void test_stdin(void **st)
{
    (void)st;
    const char *t = "from stdin\n";
    char *p = tu_write_gz(tu_dir, "in.gz", t, strlen(t));
    int saved = dup(0);
    assert_true(saved >= 0);
    assert_non_null(freopen(p, "rb", stdin));
    asy_source *s = open_ok("-");
    assert_string_equal(asy_source_path(s), "-");
    size_t n;
    char *got = slurp(s, &n);
    assert_string_equal(got, t);
    assert_true(asy_source_is_gzip(s));
    asy_source_close(s);
    /* closing the source must not close the process's fd 0 */
    assert_true(fcntl(0, F_GETFD) >= 0);
    dup2(saved, 0);
    close(saved);
    free(got);
    free(p);
}

/* The hash of what is read (asy_source_hash_begin): the digest of the
 * bytes as stored, reported only for a file read to its end, whichever
 * way it was read (whole; line by line; after a peek; a gzip file's
 * compressed bytes), and equal to the digest of the file taken apart
 * (asy_filehash_file). Nothing for a file read in part, nor for a
 * stream, nor when hashing starts after a read; -1 for a gzip file that
 * changed after it was read. */
static void expect_hash(asy_source *s, const char *path, int whole)
{
    char hex[ASY_FILEHASH_HEX], want[ASY_FILEHASH_HEX];
    unsigned long long size = 0, want_size = 0;
    assert_int_equal(asy_source_hash_end(s, hex, &size), whole);
    if (!whole)
        return;
    assert_int_equal(asy_filehash_file(ASY_FILEHASH_XXH3, path, want,
                                       &want_size, NULL, NULL), ASSAY_OK);
    assert_string_equal(hex, want);
    assert_int_equal(size, want_size);
}

static asy_source *open_hashed(const char *path)
{
    asy_source *s = open_ok(path);
    assert_int_equal(asy_source_hash_begin(s, ASY_FILEHASH_XXH3), 0);
    return s;
}

static void test_hash_of_what_is_read(void **st)
{
    (void)st;
    size_t n = 300001; /* more than one read-ahead block */
    char *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = i % 61 == 60 ? '\n' : (char)('a' + i % 26);
    char *p = tu_write(tu_dir, "h.txt", data, n);
    char *g = tu_write_gz(tu_dir, "h.txt.gz", data, n);
    asy_buf b = ASY_BUF_INIT;
    asy_error err;
    const char *line, *pk;
    size_t len;
    /* whole, plain and gzip */
    for (int gz = 0; gz < 2; gz++) {
        asy_source *s = open_hashed(gz ? g : p);
        asy_buf_clear(&b);
        assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
        assert_int_equal(b.len, n);
        expect_hash(s, gz ? g : p, 1);
        asy_source_close(s);
    }
    /* line by line after a peek */
    asy_source *s = open_hashed(p);
    assert_int_equal(asy_source_peek(s, &pk, 10), 10);
    size_t lines = 0;
    while (asy_source_getline(s, &line, &len, 0, &err) == 1)
        lines++;
    assert_int_equal(lines, n / 61 + 1);
    expect_hash(s, p, 1);
    asy_source_close(s);
    /* a gzip file changed after zlib read it: its stored bytes are no
     * longer those read, so no digest (-1) */
    s = open_hashed(g);
    asy_buf_clear(&b);
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
    FILE *fa = fopen(g, "ab");
    assert_non_null(fa);
    assert_int_equal(fputs("appended", fa) >= 0, 1);
    assert_int_equal(fclose(fa), 0);
    char hex[ASY_FILEHASH_HEX];
    unsigned long long size;
    assert_int_equal(asy_source_hash_end(s, hex, &size), -1);
    asy_source_close(s);
    free(g);
    g = tu_write_gz(tu_dir, "h.txt.gz", data, n);
    /* in part: over a limit; one line of a gzip file */
    s = open_hashed(p);
    asy_buf_clear(&b);
    assert_int_equal(asy_source_read_all(s, &b, 1000, &err), ASSAY_E_LIMIT);
    expect_hash(s, p, 0);
    asy_source_close(s);
    s = open_hashed(g);
    assert_int_equal(asy_source_getline(s, &line, &len, 0, &err), 1);
    expect_hash(s, g, 0);
    asy_source_close(s);
    /* an empty file is read whole at once; a hash ends once */
    char *e = tu_write_str(tu_dir, "empty.txt", "");
    s = open_hashed(e);
    asy_buf_clear(&b);
    assert_int_equal(asy_source_read_all(s, &b, 0, &err), ASSAY_OK);
    expect_hash(s, e, 1);
    expect_hash(s, e, 0);
    asy_source_close(s);
    /* not after a read */
    s = open_ok(p);
    assert_int_equal(asy_source_peek(s, &pk, 10), 10);
    assert_int_equal(asy_source_hash_begin(s, ASY_FILEHASH_XXH3), -1);
    asy_source_close(s);
    /* a stream is not hashed */
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "abc", 3), 3);
    close(fds[1]);
    char fdpath[64];
    snprintf(fdpath, sizeof fdpath, "/dev/fd/%d", fds[0]);
    s = open_ok(fdpath);
    assert_int_equal(asy_source_hash_begin(s, ASY_FILEHASH_XXH3), -1);
    asy_source_close(s);
    close(fds[0]);
    asy_buf_free(&b);
    free(e);
    free(g);
    free(p);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_gzip_same),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_open_file_regular_only),
        cmocka_unit_test(test_corrupt_gzip),
        cmocka_unit_test(test_getline),
        cmocka_unit_test(test_getline_limit_continues),
        cmocka_unit_test(test_getline_50mb),
        cmocka_unit_test(test_read_all_limit_and_peek),
        cmocka_unit_test(test_read_all_block_size),
        cmocka_unit_test(test_large_reads_after_peek),
        cmocka_unit_test(test_short_files_are_plain),
        cmocka_unit_test(test_empty_and_gz_lines),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_hash_of_what_is_read),
    };
    return cmocka_run_group_tests(tests, tu_dir_setup, tu_dir_teardown);
}
