/*
 * test_status.c — status strings and the error record: set/clear,
 * location, document, hint, copy, the one-line format, truncation.
 */
#include <errno.h>
#include <string.h>

#include "status.h"
#include "testutil.h"

static void test_strerror(void **st)
{
    (void)st;
    assert_string_equal(assay_strerror(ASSAY_OK), "ok");
    assert_string_equal(assay_strerror(3), "ok"); /* positive counts */
    assert_string_equal(assay_strerror(ASSAY_E_NOMEM), "out of memory");
    assert_string_equal(assay_strerror(ASSAY_E_USAGE), "usage error");
    assert_string_equal(assay_strerror(ASSAY_E_IO), "input/output error");
    assert_string_equal(assay_strerror(ASSAY_E_PARSE), "malformed input");
    assert_string_equal(assay_strerror(ASSAY_E_PLUGIN), "plugin error");
    assert_string_equal(assay_strerror(ASSAY_E_LIMIT), "limit exceeded");
    assert_string_equal(assay_strerror(ASSAY_E_ENCODING), "invalid text encoding");
    assert_string_equal(assay_strerror(-99), "unknown error");
}

static void test_set_and_clear(void **st)
{
    (void)st;
    asy_error e;
    asy_error_clear(&e);
    assert_int_equal(e.code, ASSAY_OK);
    assert_int_equal(e.line, -1);
    assert_int_equal(e.byte, -1);
    assert_string_equal(e.message, "");
    assert_int_equal(asy_error_set(&e, ASSAY_E_IO, "cannot open '%s'", "x"),
                     ASSAY_E_IO);
    assert_int_equal(e.code, ASSAY_E_IO);
    assert_string_equal(e.message, "cannot open 'x'");
    asy_error_at(&e, "x.txt", 3, 40);
    asy_error_doc(&e, "doc-7");
    asy_error_hint(&e, "try %d", 2);
    assert_string_equal(e.file, "x.txt");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.byte, 40);
    assert_string_equal(e.doc_id, "doc-7");
    assert_string_equal(e.hint, "try 2");
    /* set clears the previous location */
    asy_error_set(&e, ASSAY_E_PARSE, "again");
    assert_string_equal(e.file, "");
    assert_int_equal(e.line, -1);
    /* at(NULL) keeps the file */
    asy_error_at(&e, "f", 1, -1);
    asy_error_at(&e, NULL, 2, -1);
    assert_string_equal(e.file, "f");
    assert_int_equal(e.line, 2);
}

static void test_null_is_allowed(void **st)
{
    (void)st;
    asy_error_clear(NULL);
    assert_int_equal(asy_error_set(NULL, ASSAY_E_LIMIT, "x"), ASSAY_E_LIMIT);
    asy_error_at(NULL, "f", 1, 1);
    asy_error_doc(NULL, "d");
    asy_error_hint(NULL, "h");
    asy_error_copy(NULL, NULL);
    asy_error e;
    asy_error_set(&e, ASSAY_E_IO, "m");
    asy_error_doc(&e, NULL);
    assert_string_equal(e.doc_id, "");
}

static void test_copy(void **st)
{
    (void)st;
    asy_error a, b;
    asy_error_set(&a, ASSAY_E_PLUGIN, "boom");
    asy_error_at(&a, "p.lua", 9, -1);
    asy_error_clear(&b);
    asy_error_copy(&b, &a);
    assert_int_equal(b.code, ASSAY_E_PLUGIN);
    assert_string_equal(b.message, "boom");
    assert_string_equal(b.file, "p.lua");
    assert_int_equal(b.line, 9);
    asy_error_copy(&a, &a); /* self-copy is a no-op */
    assert_string_equal(a.message, "boom");
}

static void test_format(void **st)
{
    (void)st;
    char buf[512];
    asy_error e;
    asy_error_set(&e, ASSAY_E_PARSE, "bad record");
    asy_error_at(&e, "c.csv", 12, -1);
    asy_error_doc(&e, "c.csv#12");
    asy_error_hint(&e, "fix it");
    assert_string_equal(asy_error_format(&e, buf, sizeof buf),
                        "c.csv:12: bad record (document c.csv#12)\n  hint: fix it");
    asy_error_set(&e, ASSAY_E_ENCODING, "invalid UTF-8");
    asy_error_at(&e, "t.txt", -1, 7);
    assert_string_equal(asy_error_format(&e, buf, sizeof buf),
                        "t.txt: byte 7: invalid UTF-8");
    /* a Lua-style message already starting with the file is not repeated */
    asy_error_set(&e, ASSAY_E_PLUGIN, "p.lua:3: attempt to call nil");
    asy_error_at(&e, "p.lua", 3, -1);
    assert_string_equal(asy_error_format(&e, buf, sizeof buf),
                        "p.lua:3: attempt to call nil");
    /* no message: the status string */
    asy_error_set(&e, ASSAY_E_NOMEM, "%s", "");
    assert_string_equal(asy_error_format(&e, buf, sizeof buf), "out of memory");
    /* truncation is safe and NUL-terminated */
    asy_error_set(&e, ASSAY_E_IO, "a rather long message that will not fit");
    asy_error_at(&e, "file.txt", 1, -1);
    char small[12];
    asy_error_format(&e, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_string_equal(small, "file.txt:1:");
    assert_ptr_equal(asy_error_format(&e, small, 0), small);
}

static void test_long_message_truncated(void **st)
{
    (void)st;
    char big[3000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    asy_error e;
    asy_error_set(&e, ASSAY_E_IO, "%s", big);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
    asy_error_at(&e, big, 1, 1);
    assert_int_equal(strlen(e.file), sizeof e.file - 1);
}

/* strerror's text without its shared buffer (worker threads use it). */
static void test_errno_text(void **state)
{
    (void)state;
    assert_string_equal(asy_errno_text(ENOENT), "No such file or directory");
    assert_string_equal(asy_errno_text(EACCES), "Permission denied");
    const char *u = asy_errno_text(123456);
    assert_non_null(u);
    assert_true(strlen(u) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_set_and_clear),
        cmocka_unit_test(test_null_is_allowed),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_long_message_truncated),
        cmocka_unit_test(test_errno_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
