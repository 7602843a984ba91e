/*
 * test_dynlib.c — asy_dynlib_load (dynlib.h) against the C library and
 * libm: the first name that has every symbol and passes the check is
 * taken, its functions callable; a missing library, a missing symbol and
 * a refused check each say why and fall through to the next name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dynlib.h"

static void test_loads(void **state)
{
    (void)state;
    static const char *const names[] = {"libc.so.6"};
    static const char *const syms[] = {"strlen", "strcmp"};
    void *f[2] = {NULL, NULL};
    char why[128];
    assert_int_equal(asy_dynlib_load(names, 1, syms, 2, f, NULL, why,
                                     sizeof why), 1);
    size_t (*len)(const char *) = (size_t(*)(const char *))f[0];
    int (*cmp)(const char *, const char *) =
        (int (*)(const char *, const char *))f[1];
    assert_int_equal(len("abcd"), 4);
    assert_int_equal(cmp("a", "a"), 0);
}

static void test_missing_library(void **state)
{
    (void)state;
    static const char *const names[] = {"libassay-none.so.9"};
    static const char *const syms[] = {"strlen"};
    void *f[1];
    char why[256];
    assert_int_equal(asy_dynlib_load(names, 1, syms, 1, f, NULL, why,
                                     sizeof why), 0);
    assert_non_null(strstr(why, "libassay-none.so.9"));
}

/* libc lacks cos; libm, the next name, has it. */
static void test_missing_symbol_falls_through(void **state)
{
    (void)state;
    static const char *const syms[] = {"cos"};
    static const char *const one[] = {"libc.so.6"};
    void *f[1];
    char why[256];
    assert_int_equal(asy_dynlib_load(one, 1, syms, 1, f, NULL, why,
                                     sizeof why), 0);
    assert_string_equal(why, "libc.so.6 lacks cos");
    static const char *const two[] = {"libc.so.6", "libm.so.6"};
    assert_int_equal(asy_dynlib_load(two, 2, syms, 1, f, NULL, why,
                                     sizeof why), 1);
    double (*c)(double) = (double (*)(double))f[0];
    assert_true(c(0.0) == 1.0);
}

static int calls;

/* Refuses the first candidate it sees (calls 0 -> 1), takes the next. */
static int second(void **f)
{
    (void)f;
    return ++calls == 2;
}

static int never(void **f)
{
    (void)f;
    return 0;
}

static void test_check(void **state)
{
    (void)state;
    static const char *const syms[] = {"strlen"};
    static const char *const one[] = {"libc.so.6"};
    void *f[1];
    char why[256];
    assert_int_equal(asy_dynlib_load(one, 1, syms, 1, f, never, why,
                                     sizeof why), 0);
    assert_string_equal(why, "libc.so.6 failed its check");
    /* the same library twice: refused once, then taken */
    static const char *const twice[] = {"libc.so.6", "libc.so.6"};
    calls = 0;
    assert_int_equal(asy_dynlib_load(twice, 2, syms, 1, f, second, why,
                                     sizeof why), 1);
    assert_int_equal(calls, 2);
    assert_int_equal(((size_t(*)(const char *))f[0])("xy"), 2);
    /* a candidate that lacks a symbol is not checked */
    static const char *const cos_syms[] = {"cos"};
    static const char *const libs[] = {"libc.so.6", "libm.so.6"};
    calls = 1; /* so that libm, checked first, is taken */
    assert_int_equal(asy_dynlib_load(libs, 2, cos_syms, 1, f, second, why,
                                     sizeof why), 1);
    assert_int_equal(calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads),
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_missing_symbol_falls_through),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
