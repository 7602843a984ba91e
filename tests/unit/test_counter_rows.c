/*
 * test_counter_rows.c — asy_rows_format: rows formatted a chunk at a time
 * on several threads come out in row order, byte for byte what one thread
 * makes, whatever the threads and the chunk size; a chunk is handed on
 * only after every chunk before it; a failing formatter or a refusing
 * emit stops the run, and nothing after the failure is handed on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "counter_rows.h"
#include "par.h"

/* Row i: the key "k<i>" and the count i * 7. */
static void fill(const void *ud, size_t i, assay_value *v, char key[16])
{
    (void)ud;
    int len = snprintf(key, 16, "k%zu", i);
    v[0].type = ASSAY_STRING;
    v[0].s = key;
    v[0].len = (size_t)len;
    v[1].type = ASSAY_INTEGER;
    v[1].i = (int64_t)i * 7;
}

static const asy_rowsrc SRC = {fill, NULL, 2};

typedef struct fmt_state {
    size_t fail_at; /* the row whose formatting fails; SIZE_MAX: none */
} fmt_state;

static int format(void *ud, int output, const assay_value *v, int n,
                  asy_buf *out)
{
    const fmt_state *st = ud;
    (void)output;
    if (n != 2 || v[0].type != ASSAY_STRING || v[1].type != ASSAY_INTEGER)
        return 0;
    if ((size_t)v[1].i / 7 == st->fail_at)
        return 0;
    return asy_buf_printf(out, "%.*s,%lld\n", (int)v[0].len, v[0].s,
                          (long long)v[1].i) == 0;
}

typedef struct sink {
    asy_buf text;
    size_t calls, rows, chunk, n, from;
    size_t stop_at; /* the call that refuses; 0: none */
    int bad;        /* a call out of order or with the wrong row count */
} sink;

static int emit(void *ud, const char *text, size_t len, size_t rows,
                size_t held)
{
    sink *s = ud;
    s->calls++;
    /* chunk after chunk: each full but the last */
    size_t want = s->n - s->rows < s->chunk ? s->n - s->rows : s->chunk;
    if (rows != want || held < len)
        s->bad = 1;
    /* the chunk's first row is the one after the rows handed on so far */
    char first[32];
    int k = snprintf(first, sizeof first, "k%zu,", s->from + s->rows);
    if (len < (size_t)k || memcmp(text, first, (size_t)k) != 0)
        s->bad = 1;
    if (s->stop_at && s->calls == s->stop_at)
        return -1;
    s->rows += rows;
    return asy_buf_append(&s->text, text, len) == 0 ? 0 : -1;
}

/* What one thread makes of rows from .. from + n, row by row. */
static char *serial(size_t from, size_t n)
{
    asy_buf b = ASY_BUF_INIT;
    for (size_t i = from; i < from + n; i++)
        assert_int_equal(asy_buf_printf(&b, "k%zu,%lld\n", i,
                                        (long long)i * 7), 0);
    assert_int_equal(asy_buf_putc(&b, 0), 0); /* "" when n is 0 */
    return b.data;
}

static void run_and_check(size_t from, size_t n, int threads, size_t chunk)
{
    fmt_state st = {SIZE_MAX};
    asy_rowfmt f = {format, &st, 0};
    sink s = {ASY_BUF_INIT, 0, 0, chunk, n, from, 0, 0};
    assert_int_equal(asy_rows_format(&SRC, from, n, &f, threads, chunk,
                                     emit, &s), 0);
    char *want = serial(from, n);
    assert_false(s.bad);
    assert_int_equal(s.rows, n);
    assert_int_equal(s.calls, n / chunk + (n % chunk != 0));
    assert_string_equal(s.text.data ? s.text.data : "", want);
    free(want);
    asy_buf_free(&s.text);
}

static void test_order(void **state)
{
    (void)state;
    static const int threads[] = {1, 2, 3, 4, 8};
    static const size_t chunks[] = {1, 7, 1000, 4096, 200000};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
            run_and_check(chunks[c] == 1 ? 5 : 17, chunks[c] == 1 ? 5000
                                                                  : 100003,
                          threads[t], chunks[c]);
}

/* Threads only where there are two chunks a thread at least. */
static void test_threads_used(void **state)
{
    (void)state;
    uint64_t before = asy_par_started();
    run_and_check(0, 30000, 1, 100);
    run_and_check(0, 150, 4, 100); /* two chunks: one thread */
    assert_int_equal(asy_par_started(), before);
    run_and_check(0, 30000, 4, 100);
    assert_int_equal(asy_par_started(), before + 3);
    run_and_check(0, 500, 4, 100); /* five chunks: two threads */
    assert_int_equal(asy_par_started(), before + 4);
}

/* An emit that refuses stops the run: no chunk is handed on after it. */
static void test_emit_refuses(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        fmt_state st = {SIZE_MAX};
        asy_rowfmt f = {format, &st, 0};
        sink s = {ASY_BUF_INIT, 0, 0, 64, 64 * 50, 0, 3, 0};
        assert_int_equal(asy_rows_format(&SRC, 0, s.n, &f, threads, 64,
                                         emit, &s), -1);
        assert_int_equal(s.calls, 3);
        assert_false(s.bad);
        char *want = serial(0, 128);
        assert_string_equal(s.text.data, want);
        free(want);
        asy_buf_free(&s.text);
    }
}

/* A formatter that fails: the chunks before the failing row's may be
 * handed on, in order; that chunk and the ones after never are. */
static void test_format_fails(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 4; threads++) {
        fmt_state st = {1000}; /* in chunk 15 of 64 rows */
        asy_rowfmt f = {format, &st, 0};
        sink s = {ASY_BUF_INIT, 0, 0, 64, 64 * 50, 0, 0, 0};
        assert_int_equal(asy_rows_format(&SRC, 0, s.n, &f, threads, 64,
                                         emit, &s), -1);
        assert_false(s.bad);
        assert_true(s.calls <= 15);
        char *want = serial(0, s.rows);
        assert_string_equal(s.text.data ? s.text.data : "", want);
        free(want);
        if (threads == 1) /* one thread: every chunk before it */
            assert_int_equal(s.rows, 15 * 64);
        asy_buf_free(&s.text);
    }
}

static void test_edges(void **state)
{
    (void)state;
    fmt_state st = {SIZE_MAX};
    asy_rowfmt f = {format, &st, 0};
    sink s = {ASY_BUF_INIT, 0, 0, 10, 0, 0, 0, 0};
    assert_int_equal(asy_rows_format(&SRC, 0, 0, &f, 4, 10, emit, &s), 0);
    assert_int_equal(s.calls, 0);
    assert_int_equal(asy_rows_format(&SRC, 0, 5, &f, 4, 0, emit, &s), -1);
    asy_rowsrc none = {fill, NULL, 0}, many = {fill, NULL, ASY_ROWSRC_MAX + 1};
    assert_int_equal(asy_rows_format(&none, 0, 5, &f, 4, 10, emit, &s), -1);
    assert_int_equal(asy_rows_format(&many, 0, 5, &f, 4, 10, emit, &s), -1);
    assert_int_equal(s.calls, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_threads_used),
        cmocka_unit_test(test_emit_refuses),
        cmocka_unit_test(test_format_fails),
        cmocka_unit_test(test_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
