/*
 * test_report.c — the plain-C half of report scripts (report.c): reading a
 * CSV back, safe file names, atomic writes inside a directory, finding
 * scripts by name. The Lua half is tested end to end (test_report.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "report.h"
#include "testutil.h"

static void test_read_csv(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char *p = tu_write_str(dir, "t.csv",
                           "a,b,c\r\n1,\"x, \"\"y\"\"\nz\",3\r\nshort\r\n4,5,6,7\r\n");
    asy_table t;
    asy_error err;
    assert_int_equal(asy_table_read_csv(&t, p, &err), ASSAY_OK);
    assert_int_equal(t.ncols, 3);
    assert_string_equal(t.cols[2], "c");
    assert_int_equal(t.nrows, 3);
    assert_string_equal(t.cells[1], "x, \"y\"\nz");   /* quotes, newline */
    assert_string_equal(t.cells[3], "short");
    assert_string_equal(t.cells[4], "");               /* padded */
    assert_string_equal(t.cells[8], "6");              /* extra cell dropped */
    asy_table_free(&t);
    free(p);
    p = tu_write_str(dir, "h.csv", "only,header\n");
    assert_int_equal(asy_table_read_csv(&t, p, &err), ASSAY_OK);
    assert_int_equal(t.ncols, 2);
    assert_int_equal(t.nrows, 0);
    asy_table_free(&t);
    free(p);
    assert_int_equal(asy_table_read_csv(&t, "/nonexistent/x.csv", &err), ASSAY_E_IO);
    assert_non_null(strstr(err.message, "/nonexistent/x.csv"));
    tu_rmtree(dir);
    free(dir);
}

static void test_safe_name(void **state)
{
    (void)state;
    assert_true(asy_report_safe_name("report.html"));
    assert_true(asy_report_safe_name("topics_by-period.csv"));
    assert_false(asy_report_safe_name("../x.html"));
    assert_false(asy_report_safe_name("a/b"));
    assert_false(asy_report_safe_name(".hidden"));
    assert_false(asy_report_safe_name(""));
    assert_false(asy_report_safe_name(NULL));
    assert_false(asy_report_safe_name("sp ace"));
}

static void test_write_file(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    asy_error err;
    assert_int_equal(asy_report_write_file(dir, "r.html", "abc", 3, &err), ASSAY_OK);
    assert_int_equal(asy_report_write_file(dir, "r.html", "xy", 2, &err), ASSAY_OK);
    char path[4200];
    snprintf(path, sizeof path, "%s/r.html", dir);
    size_t n;
    char *got = tu_read(path, &n);
    assert_int_equal(n, 2);
    assert_memory_equal(got, "xy", 2);
    free(got);
    assert_int_equal(asy_report_write_file(dir, "../r.html", "x", 1, &err), ASSAY_E_USAGE);
    assert_int_equal(asy_report_write_file("/nonexistent", "r.html", "x", 1, &err),
                     ASSAY_E_IO);
    tu_rmtree(dir);
    free(dir);
}

static void test_find(void **state)
{
    (void)state;
    char *a = tu_mkdtemp(), *b = tu_mkdtemp();
    free(tu_write_str(a, "news.lua", "return {}"));
    free(tu_write_str(b, "news.lua", "return {}"));
    free(tu_write_str(b, "alpha.lua", "return {}"));
    free(tu_write_str(b, "notes.txt", "x"));
    char *dirs[] = {a, b, NULL};
    asy_report_entry *v = NULL;
    int n = 0;
    asy_error err;
    assert_int_equal(asy_report_find_all(dirs, &v, &n, &err), ASSAY_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, "alpha");
    assert_string_equal(v[1].name, "news");
    assert_non_null(strstr(v[1].path, a)); /* the earlier directory wins */
    asy_report_entries_free(v, n);
    char *p = asy_report_resolve("alpha", dirs, &err);
    assert_non_null(p);
    free(p);
    assert_null(asy_report_resolve("nosuch", dirs, &err));
    assert_int_equal(err.code, ASSAY_E_USAGE);
    assert_null(asy_report_resolve("./nosuch.lua", dirs, &err));
    tu_rmtree(a);
    tu_rmtree(b);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_csv),
        cmocka_unit_test(test_safe_name),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
