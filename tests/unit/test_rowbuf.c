/*
 * test_rowbuf.c — packing rows into one buffer and replaying them: every
 * value type, strings with NULs, capping at maxvals, clear and reuse;
 * rows kept formatted (asy_rowbuf.format) among typed ones, and spilled;
 * blocks of formatted rows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rowbuf.h"
#include "testutil.h"

static void test_round_trip(void **state)
{
    (void)state;
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    assay_value row1[5] = {
        {.type = ASSAY_STRING, .s = "héllo", .len = 6},
        {.type = ASSAY_INTEGER, .i = INT64_MIN},
        {.type = ASSAY_NUMBER, .d = -0.0},
        {.type = ASSAY_BOOLEAN, .i = 1},
        {.type = ASSAY_NIL},
    };
    assay_value row2[2] = {
        {.type = ASSAY_STRING, .s = "a\0b", .len = 3},
        {.type = ASSAY_STRING, .s = "", .len = 0},
    };
    assert_int_equal(asy_rowbuf_add(&rb, 3, row1, 5), 0);
    assert_int_equal(asy_rowbuf_add(&rb, 0, row2, 2), 0);
    assert_int_equal(asy_rowbuf_add(&rb, 7, NULL, 0), 0);
    assert_int_equal(rb.nrows, 3);

    asy_rowbuf_iter it;
    assay_value v[8];
    int out, n;
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 1);
    assert_int_equal(out, 3);
    assert_int_equal(n, 5);
    assert_int_equal(v[0].type, ASSAY_STRING);
    assert_int_equal(v[0].len, 6);
    assert_string_equal(v[0].s, "héllo");
    assert_int_equal(v[1].type, ASSAY_INTEGER);
    assert_true(v[1].i == INT64_MIN);
    assert_int_equal(v[2].type, ASSAY_NUMBER);
    assert_true(v[2].d == 0.0 && signbit(v[2].d));
    assert_int_equal(v[3].type, ASSAY_BOOLEAN);
    assert_int_equal(v[3].i, 1);
    assert_int_equal(v[4].type, ASSAY_NIL);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 1);
    assert_int_equal(out, 0);
    assert_int_equal(n, 2);
    assert_int_equal(v[0].len, 3);
    assert_memory_equal(v[0].s, "a\0b", 4); /* NUL-terminated too */
    assert_int_equal(v[1].len, 0);
    assert_string_equal(v[1].s, "");
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 1);
    assert_int_equal(out, 7);
    assert_int_equal(n, 0);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 0);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 0);

    /* maxvals caps the values returned but the next row is still found. */
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 2, &n), 1);
    assert_int_equal(n, 2);
    assert_int_equal(v[1].type, ASSAY_INTEGER);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 2, &n), 1);
    assert_int_equal(out, 0);
    assert_int_equal(v[0].len, 3);

    asy_rowbuf_clear(&rb);
    assert_int_equal(rb.nrows, 0);
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 0);
    assert_int_equal(asy_rowbuf_add(&rb, 1, row2, 1), 0);
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 8, &n), 1);
    assert_int_equal(out, 1);
    assert_int_equal(n, 1);
    asy_rowbuf_free(&rb);
    assert_int_equal(asy_rowbuf_add(&rb, 0, NULL, -1), -1);
}

static void test_empty(void **state)
{
    (void)state;
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_rowbuf_iter it;
    assay_value v[1];
    int out, n;
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 1, &n), 0);
    asy_rowbuf_free(&rb);
}

/* Many rows: the buffer grows (and moves) and every row is intact. */
static void test_many(void **state)
{
    (void)state;
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    char s[32];
    for (int k = 0; k < 10000; k++) {
        int len = snprintf(s, sizeof s, "row %d", k);
        assay_value v[2] = {{.type = ASSAY_INTEGER, .i = k},
                            {.type = ASSAY_STRING, .s = s, .len = (size_t)len}};
        assert_int_equal(asy_rowbuf_add(&rb, k % 3, v, 2), 0);
    }
    asy_rowbuf_iter it;
    assay_value v[2];
    int out, n, k = 0;
    asy_rowbuf_iter_init(&it, &rb);
    while (asy_rowbuf_next(&it, &out, v, 2, &n)) {
        snprintf(s, sizeof s, "row %d", k);
        assert_int_equal(out, k % 3);
        assert_int_equal(v[0].i, k);
        assert_string_equal(v[1].s, s);
        k++;
    }
    assert_int_equal(k, 10000);
    asy_rowbuf_free(&rb);
}

/* A format callback: outputs 0 and 2 as "k=v" text, output 1 typed,
 * output 9 out of memory. */
static int fmt_kv(void *ud, int output, const assay_value *vals, int n,
                  asy_buf *out)
{
    int *calls = ud;
    (*calls)++;
    if (output == 9)
        return -1;
    if (output == 1)
        return 0;
    for (int k = 0; k < n; k++)
        if (asy_buf_printf(out, "%s%d=%lld", k ? "," : "", k,
                           (long long)vals[k].i) < 0)
            return -1;
    return asy_buf_putc(out, '\n') < 0 ? -1 : 1;
}

static void test_formatted(void **state)
{
    (void)state;
    int calls = 0;
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    rb.format = fmt_kv;
    rb.format_ud = &calls;
    assay_value v2[2] = {{.type = ASSAY_INTEGER, .i = 5},
                         {.type = ASSAY_INTEGER, .i = -7}};
    assert_int_equal(asy_rowbuf_add(&rb, 0, v2, 2), 0);
    assert_int_equal(asy_rowbuf_add(&rb, 1, v2, 2), 0); /* kept typed */
    assert_int_equal(asy_rowbuf_add(&rb, 2, v2, 1), 0);
    size_t len = rb.buf.len;
    assert_int_equal(asy_rowbuf_add(&rb, 9, v2, 2), -1);
    assert_int_equal(rb.buf.len, len); /* the failed row left nothing */
    assert_int_equal(rb.nrows, 3);
    assert_int_equal(calls, 4);

    asy_rowbuf_iter it;
    assay_value v[4];
    int out, n;
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 4, &n), 1);
    assert_int_equal(out, 0);
    assert_int_equal(n, 0);
    assert_non_null(it.raw);
    assert_int_equal(it.rawlen, 9);
    assert_memory_equal(it.raw, "0=5,1=-7\n", 9);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 4, &n), 1);
    assert_null(it.raw);
    assert_int_equal(out, 1);
    assert_int_equal(n, 2);
    assert_int_equal(v[1].i, -7);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 4, &n), 1);
    assert_int_equal(out, 2);
    assert_int_equal(it.rawlen, 4);
    assert_memory_equal(it.raw, "0=5\n", 4);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 4, &n), 0);
    asy_rowbuf_free(&rb);
}

/* Spilling hands over formatted rows intact, every row exactly once. */
typedef struct spilled {
    asy_buf text;
    int rows;
} spilled;

static int take_spill(void *ud, const asy_rowbuf *rb)
{
    spilled *sp = ud;
    asy_rowbuf_iter it;
    assay_value v[2];
    int out, n;
    asy_rowbuf_iter_init(&it, rb);
    while (asy_rowbuf_next(&it, &out, v, 2, &n)) {
        assert_non_null(it.raw);
        assert_int_equal(asy_buf_append(&sp->text, it.raw, it.rawlen), 0);
        sp->rows++;
    }
    return 0;
}

static void test_formatted_spill(void **state)
{
    (void)state;
    int calls = 0;
    spilled sp = {ASY_BUF_INIT, 0};
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    rb.format = fmt_kv;
    rb.format_ud = &calls;
    rb.spill = take_spill;
    rb.spill_ud = &sp;
    rb.spill_at = 100;
    asy_buf want = ASY_BUF_INIT;
    for (int k = 0; k < 1000; k++) {
        assay_value v = {.type = ASSAY_INTEGER, .i = k};
        assert_int_equal(asy_rowbuf_add(&rb, 0, &v, 1), 0);
        assert_int_equal(asy_buf_printf(&want, "0=%d\n", k), 0);
    }
    assert_int_equal(take_spill(&sp, &rb), 0); /* what is left */
    assert_int_equal(sp.rows, 1000);
    assert_int_equal(sp.text.len, want.len);
    assert_memory_equal(sp.text.data, want.data, want.len);
    asy_buf_free(&sp.text);
    asy_buf_free(&want);
    asy_rowbuf_free(&rb);
}

/* A block of formatted rows reads back as its bytes and its row count,
 * among single rows; it counts its rows, spills as a whole, and is
 * refused by a buffer whose rows are kept typed. */
static void test_block(void **state)
{
    (void)state;
    int calls = 0;
    spilled sp = {ASY_BUF_INIT, 0};
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    assert_int_equal(asy_rowbuf_add_block(&rb, 0, "a\n", 2, 1), -1);
    rb.format = fmt_kv;
    rb.format_ud = &calls;
    assay_value v = {.type = ASSAY_INTEGER, .i = 3};
    assert_int_equal(asy_rowbuf_add(&rb, 0, &v, 1), 0);
    assert_int_equal(asy_rowbuf_add_block(&rb, 2, "x\ny\nz\n", 6, 3), 0);
    assert_int_equal(asy_rowbuf_add_block(&rb, 2, "", 0, 0), 0); /* none */
    assert_int_equal(asy_rowbuf_add(&rb, 0, &v, 1), 0);
    assert_int_equal(rb.nrows, 5);
    asy_rowbuf_iter it;
    assay_value vals[2];
    int out, n;
    asy_rowbuf_iter_init(&it, &rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, vals, 2, &n), 1);
    assert_int_equal(it.rows, 1);
    assert_memory_equal(it.raw, "0=3\n", 4);
    assert_int_equal(asy_rowbuf_next(&it, &out, vals, 2, &n), 1);
    assert_int_equal(out, 2);
    assert_int_equal(n, 0);
    assert_int_equal(it.rows, 3);
    assert_int_equal(it.rawlen, 6);
    assert_memory_equal(it.raw, "x\ny\nz\n", 6);
    assert_int_equal(asy_rowbuf_next(&it, &out, vals, 2, &n), 1);
    assert_int_equal(it.rows, 1);
    assert_int_equal(asy_rowbuf_next(&it, &out, vals, 2, &n), 0);
    asy_rowbuf_clear(&rb);
    rb.spill = take_spill;
    rb.spill_ud = &sp;
    rb.spill_at = 4;
    assert_int_equal(asy_rowbuf_add_block(&rb, 0, "p\nq\n", 4, 2), 0);
    assert_int_equal(rb.buf.len, 0); /* spilled */
    assert_int_equal(sp.text.len, 4);
    assert_memory_equal(sp.text.data, "p\nq\n", 4);
    asy_buf_free(&sp.text);
    asy_rowbuf_free(&rb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_formatted),
        cmocka_unit_test(test_formatted_spill),
        cmocka_unit_test(test_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
