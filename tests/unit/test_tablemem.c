/*
 * test_tablemem.c — asy_table_calloc: zeroed memory, small and large (2 MB
 * aligned from 2 MB up), and the size overflow refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tablemem.h"

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_sizes(void **state)
{
    (void)state;
    size_t sizes[] = {1, 4096, ((size_t)2 << 20) - 32, (size_t)2 << 20,
                      (size_t)3 << 20};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        unsigned char *p = asy_table_calloc(sizes[k] / 32 ? sizes[k] / 32 : 1, 32);
        size_t n = (sizes[k] / 32 ? sizes[k] / 32 : 1) * 32;
        assert_non_null(p);
        assert_true(all_zero(p, n));
        if (n >= ((size_t)2 << 20))
            assert_int_equal((uintptr_t)p % ((size_t)2 << 20), 0);
        memset(p, 0xab, n); /* all of it is ours */
        free(p);
    }
    assert_null(asy_table_calloc(SIZE_MAX / 8 + 1, 16));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_sizes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
