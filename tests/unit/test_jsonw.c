/*
 * test_jsonw.c — JSON text written by jsonw.c equals jansson's own
 * json_dumps(v, JSON_INDENT(2)) byte for byte, for trees with every kind
 * of value (escapes of every control character, quotes, backslashes,
 * non-ASCII, embedded NUL; reals whole, tiny and huge; empty and nested
 * containers), and the pieces written by hand give the same text as the
 * tree they spell out; reals with '.' in a locale with a decimal comma
 * (de_DE, built with localedef when not installed; skipped without it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "testutil.h"

static void same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
    assert_non_null(want);
    asy_jsonw w = {ASY_BUF_INIT, 0};
    asy_jsonw_value(&w, v, 0);
    assert_false(w.bad);
    assert_string_equal(w.out.data, want);
    free(want);
    asy_buf_free(&w.out);
}

static void test_trees(void **state)
{
    (void)state;
    char all[40];
    for (int i = 0; i < 32; i++)
        all[i] = (char)(i + 1); /* every control character but NUL */
    memcpy(all + 31, "\"\\/\x7f\xc3\xa9", 7); /* then " \ / DEL é */
    json_t *o = json_object();
    json_object_set_new(o, "controls", json_stringn(all, 38));
    json_object_set_new(o, "nul", json_stringn("a\0b", 3));
    json_object_set_new(o, "k\"ey\n", json_string("\xe2\x80\xa8 line sep"));
    const double reals[] = {0.5, 3.0, -2.0, 0.1, 1e20, 1e-7, 1e-300,
                            -2.5e-300, 123456789012345678.0, 1e100,
                            5e-324, 1.7976931348623157e308, 0.0};
    json_t *r = json_array();
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++)
        json_array_append_new(r, json_real(reals[i]));
    json_object_set_new(o, "reals", r);
    json_t *ints = json_array();
    json_array_append_new(ints, json_integer(0));
    json_array_append_new(ints, json_integer(-1));
    json_array_append_new(ints, json_integer(9223372036854775807LL));
    json_array_append_new(ints, json_integer(-9223372036854775807LL - 1));
    json_object_set_new(o, "ints", ints);
    json_object_set_new(o, "empty_array", json_array());
    json_object_set_new(o, "empty_object", json_object());
    json_t *deep = json_pack("{s:[{s:[[],{},null,true,false]}]}", "a", "b");
    json_object_set_new(o, "deep", deep);
    json_t *deeper = json_deep_copy(deep);
    for (int d = 0; d < 20; d++) { /* deeper than one run of spaces */
        json_t *outer = json_array();
        json_array_append_new(outer, deeper);
        deeper = outer;
    }
    json_object_set_new(o, "deeper", deeper);
    same_as_jansson(o);
    same_as_jansson(json_object_get(o, "reals"));
    json_t *scalars[] = {json_string("alone"), json_integer(7), json_null(),
                         json_true(), json_real(2.5)};
    for (size_t i = 0; i < 5; i++) {
        same_as_jansson(scalars[i]);
        json_decref(scalars[i]);
    }
    json_decref(o);
}

/* {"a": [1, {"b": "c"}], "d": []} written piece by piece. */
static void test_pieces(void **state)
{
    (void)state;
    asy_jsonw w = {ASY_BUF_INIT, 0};
    asy_jsonw_raw(&w, "{");
    asy_jsonw_key(&w, "a", 1, 1);
    asy_jsonw_raw(&w, "[");
    asy_jsonw_item(&w, 1, 2);
    asy_jsonw_uint(&w, 1);
    asy_jsonw_item(&w, 0, 2);
    asy_jsonw_raw(&w, "{");
    asy_jsonw_key(&w, "b", 1, 3);
    asy_jsonw_string(&w, "c", 1);
    asy_jsonw_close(&w, '}', 0, 2);
    asy_jsonw_close(&w, ']', 0, 1);
    asy_jsonw_key(&w, "d", 0, 1);
    asy_jsonw_raw(&w, "[");
    asy_jsonw_close(&w, ']', 1, 1);
    asy_jsonw_close(&w, '}', 0, 0);
    json_t *v = json_pack("{s:[i,{s:s}],s:[]}", "a", 1, "b", "c", "d");
    char *want = json_dumps(v, JSON_INDENT(2));
    assert_string_equal(w.out.data, want);
    free(want);
    json_decref(v);
    asy_buf_free(&w.out);
}

/* 0 when reals come out with '.' in this thread's locale (the child's,
 * with a decimal comma). */
static int reals_with_dots(void *ud)
{
    (void)ud;
    asy_jsonw w = {ASY_BUF_INIT, 0};
    json_t *v = json_pack("[f,f,f]", 0.25, 1e-7, 3.0);
    asy_jsonw_value(&w, v, 0);
    int ok = strcmp(w.out.data, "[\n  0.25,\n  9.9999999999999995e-8,"
                                "\n  3.0\n]") == 0;
    if (!ok)
        fprintf(stderr, "written: %s\n", w.out.data);
    json_decref(v);
    asy_buf_free(&w.out);
    return ok ? 0 : 1;
}

/* Reals are written with '.' whatever the thread's locale (a decimal
 * comma made the manifest invalid JSON). */
static void test_reals_in_a_comma_locale(void **state)
{
    (void)state;
    tu_check_in_comma_locale(reals_with_dots, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trees),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_reals_in_a_comma_locale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
