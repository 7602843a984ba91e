/*
 * test_strbuf.c — the growable byte buffer: appends keep a terminating
 * NUL, growth across many reallocations, printf, clear/free/detach,
 * embedded NULs, and the overflow guard in reserve.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "testutil.h"

static void test_append_and_nul(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    assert_null(b.data);
    assert_int_equal(asy_buf_append(&b, "abc", 3), 0);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_int_equal(asy_buf_putc(&b, 'd'), 0);
    assert_int_equal(asy_buf_puts(&b, "ef"), 0);
    assert_string_equal(b.data, "abcdef");
    assert_int_equal(asy_buf_append(&b, "\0x", 2), 0); /* embedded NUL */
    assert_int_equal(b.len, 8);
    assert_memory_equal(b.data, "abcdef\0x", 9);
    assert_int_equal(asy_buf_append(&b, NULL, 0), 0);
    assert_int_equal(b.len, 8);
    asy_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
}

static void test_growth(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    for (int i = 0; i < 100000; i++)
        assert_int_equal(asy_buf_putc(&b, 'a' + i % 26), 0);
    assert_int_equal(b.len, 100000);
    assert_true(b.cap > b.len);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(b.data[i], 'a' + i % 26);
    assert_int_equal(b.data[100000], '\0');
    asy_buf_free(&b);
}

static void test_printf(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    assert_int_equal(asy_buf_printf(&b, "%s=%d", "n", 42), 0);
    assert_int_equal(asy_buf_printf(&b, ";%05.1f", 3.14159), 0);
    assert_string_equal(b.data, "n=42;003.1");
    assert_int_equal(b.len, strlen("n=42;003.1"));
    char big[5000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(asy_buf_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, 10 + 2 + 4999);
    assert_int_equal(b.data[b.len - 1], ']');
    asy_buf_free(&b);
}

static void test_clear_reserve_detach(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    asy_buf_clear(&b); /* on an empty buffer: harmless */
    assert_int_equal(asy_buf_reserve(&b, 1000), 0);
    assert_true(b.cap >= 1001);
    size_t cap = b.cap;
    asy_buf_puts(&b, "hello");
    asy_buf_clear(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(b.cap, cap); /* memory kept */
    asy_buf_puts(&b, "kept");
    size_t n = 0;
    char *s = asy_buf_detach(&b, &n);
    assert_string_equal(s, "kept");
    assert_int_equal(n, 4);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    s = asy_buf_detach(&b, NULL); /* empty buffer: "" malloc'd */
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void test_overflow_guard(void **st)
{
    (void)st;
    asy_buf b = ASY_BUF_INIT;
    asy_buf_puts(&b, "xy");
    assert_int_equal(asy_buf_reserve(&b, SIZE_MAX), -1);
    assert_int_equal(asy_buf_reserve(&b, SIZE_MAX - 2), -1);
    assert_string_equal(b.data, "xy"); /* unchanged */
    assert_int_equal(b.len, 2);
    asy_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_and_nul),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_clear_reserve_detach),
        cmocka_unit_test(test_overflow_guard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
