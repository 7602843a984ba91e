/*
 * test_plugin.c — plugin descriptions (plugin.h): loading fixture plugins
 * from tests/data/plugins, the load errors that name the file, typed
 * options set from text, and the plugin search path.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"
#include "testutil.h"

static char *fixture_dir(void)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/tests/data/plugins", tu_source_dir()) > 0);
    return p;
}

/* Load tests/data/plugins/NAME.lua by path; returns the status. */
static int load_fixture(asy_plugin_def *def, const char *name, asy_error *err)
{
    char *dir = fixture_dir(), *path = NULL;
    assert_true(asprintf(&path, "%s/%s.lua", dir, name) > 0);
    int rc = asy_plugin_def_load(def, path, NULL, err);
    free(path);
    free(dir);
    return rc;
}

/* The message must be exactly "DIR/NAME.lua" + rest. */
static void assert_msg(const asy_error *err, const char *name, const char *rest)
{
    char *dir = fixture_dir(), *want = NULL;
    assert_true(asprintf(&want, "%s/%s.lua%s", dir, name, rest) > 0);
    assert_string_equal(err->message, want);
    free(want);
    free(dir);
}

static void test_good(void **state)
{
    (void)state;
    asy_plugin_def d;
    asy_error err;
    asy_error_clear(&err);
    assert_int_equal(load_fixture(&d, "good", &err), ASSAY_OK);
    assert_string_equal(d.name, "good");
    assert_string_equal(d.version, "1.2");
    assert_string_equal(d.summary, "counts words");
    assert_int_equal(d.noutputs, 1);
    assert_string_equal(d.outputs[0].name, "good");
    assert_int_equal(d.outputs[0].ncols, 3);
    assert_string_equal(d.outputs[0].columns[2], "docs");
    assert_int_equal(d.noptions, 4); /* sorted by name */
    assert_string_equal(d.options[0].name, "label");
    assert_int_equal(d.options[0].type, ASSAY_STRING);
    assert_string_equal(d.options[1].name, "lower");
    assert_int_equal(d.options[1].type, ASSAY_BOOLEAN);
    assert_string_equal(d.options[1].value, "true");
    assert_string_equal(d.options[2].name, "min_count");
    assert_int_equal(d.options[2].type, ASSAY_INTEGER);
    assert_string_equal(d.options[2].value, "2");
    assert_string_equal(d.options[3].name, "ratio");
    assert_int_equal(d.options[3].type, ASSAY_NUMBER);
    assert_string_equal(d.options[3].value, "0.5");
    assert_true(d.has_init && d.has_document && !d.has_merge && !d.has_finish);
    assert_non_null(strstr(d.chunkname, "@"));
    assert_string_equal(d.chunkname + 1, d.path);
    assert_non_null(strstr(d.source, "name = \"good\""));
    assert_int_equal(d.source_len, strlen(d.source));
    asy_plugin_def_free(&d);
}

static void expect_load_error(const char *name, const char *rest)
{
    asy_plugin_def d;
    asy_error err;
    asy_error_clear(&err);
    assert_int_equal(load_fixture(&d, name, &err), ASSAY_E_PLUGIN);
    assert_msg(&err, name, rest);
    assert_non_null(strstr(err.file, name));
    assert_null(d.name); /* freed and zeroed on failure */
}

static void test_load_errors(void **state)
{
    (void)state;
    expect_load_error("syntax_error", ":3: '}' expected (to close '{' at line 2) near '\"oops\"'");
    expect_load_error("no_name", ": missing 'name' (a string such as \"wordfreq\")");
    expect_load_error("bad_name", ": 'name' must be a string of a-z, 0-9, '_' and '-' (got Bad Name)");
    expect_load_error("bad_columns", ": 'columns' must be an array of strings of letters, "
                      "digits, '_', '.' and '-' (item 2 is number)");
    expect_load_error("dup_column", ": 'columns': column 'a' appears twice");
    expect_load_error("bad_option", ": option 'words' has a default of type table; use an "
                      "integer, number, boolean or string");
    expect_load_error("not_table", ": the plugin must return a table (got string)");
    expect_load_error("no_callbacks", ": defines neither document(doc, ctx, out) nor finish(ctx, out)");
    expect_load_error("no_output", ": declares no output; add columns = {...} or outputs = {...}");
    expect_load_error("both_outputs", ": declare either 'columns' (one output) or 'outputs', not both");
}

static void test_syntax_error_line(void **state)
{
    (void)state;
    asy_plugin_def d;
    asy_error err;
    assert_int_equal(load_fixture(&d, "syntax_error", &err), ASSAY_E_PLUGIN);
    assert_int_equal(err.line, 3);
}

static void test_top_level_loop(void **state)
{
    (void)state;
    asy_plugin_def d;
    asy_error err;
    assert_int_equal(load_fixture(&d, "top_loop", &err), ASSAY_E_PLUGIN);
    assert_msg(&err, "top_loop", ":3: the plugin's top level ran more than 10000000 "
               "instructions while loading (an infinite loop?)");
    assert_string_equal(err.hint, "do heavy work in init(ctx), not at the top level");
}

static void test_outputs_forms(void **state)
{
    (void)state;
    asy_plugin_def d;
    asy_error err;
    assert_int_equal(load_fixture(&d, "multi", &err), ASSAY_OK);
    assert_int_equal(d.noutputs, 2);
    assert_string_equal(d.outputs[0].name, "quotes");   /* declared order */
    assert_string_equal(d.outputs[1].name, "speakers");
    assert_string_equal(d.outputs[1].columns[1], "n");
    asy_plugin_def_free(&d);
    assert_int_equal(load_fixture(&d, "map_outputs", &err), ASSAY_OK);
    assert_int_equal(d.noutputs, 2);
    assert_string_equal(d.outputs[0].name, "alpha");    /* sorted */
    assert_int_equal(d.outputs[0].ncols, 1);
    assert_string_equal(d.outputs[1].name, "zeta");
    assert_string_equal(d.outputs[1].columns[1], "z2");
    assert_true(d.has_finish && !d.has_document);
    asy_plugin_def_free(&d);
}

static void test_string_plugin(void **state)
{
    (void)state;
    asy_plugin_def d;
    asy_error err;
    assert_int_equal(asy_plugin_def_load_string(&d, "inline.lua",
        "return { name = 'inline', columns = {'a'}, finish = function() end }",
        &err), ASSAY_OK);
    assert_string_equal(d.path, "inline.lua");
    assert_string_equal(d.chunkname, "=inline.lua");
    assert_string_equal(d.version, "0");
    assert_string_equal(d.summary, "");
    asy_plugin_def_free(&d);
    assert_int_equal(asy_plugin_def_load_string(&d, "rt.lua",
        "local x = nil\nreturn x.y", &err), ASSAY_E_PLUGIN);
    assert_string_equal(err.message, "rt.lua:2: attempt to index a nil value (local 'x')");
    assert_int_equal(err.line, 2);
    assert_string_equal(err.file, "rt.lua");
    assert_int_equal(asy_plugin_def_load_string(&d, "v.lua",
        "return { name = 'v', version = 2, columns = {'a'}, finish = print }",
        &err), ASSAY_E_PLUGIN);
    assert_string_equal(err.message, "v.lua: 'version' must be a string (got number)");
}

static void test_options(void **state)
{
    (void)state;
    asy_plugin_def d;
    asy_error err;
    assert_int_equal(load_fixture(&d, "good", &err), ASSAY_OK);
    assert_int_equal(asy_plugin_def_set_option(&d, "min_count", "-42", &err), ASSAY_OK);
    assert_string_equal(asy_plugin_def_option(&d, "min_count")->value, "-42");
    assert_string_equal(asy_plugin_def_option(&d, "min_count")->default_value, "2");
    assert_int_equal(asy_plugin_def_set_option(&d, "min_count", "abc", &err), ASSAY_E_USAGE);
    assert_string_equal(err.message, "option 'min_count' of plugin 'good' expects an "
                        "integer, got 'abc'");
    assert_int_equal(asy_plugin_def_set_option(&d, "min_count", "99999999999999999999", &err),
                     ASSAY_E_USAGE);
    assert_int_equal(asy_plugin_def_set_option(&d, "min_count", "1.5", &err), ASSAY_E_USAGE);
    assert_int_equal(asy_plugin_def_set_option(&d, "min_count", "", &err), ASSAY_E_USAGE);
    assert_string_equal(asy_plugin_def_option(&d, "min_count")->value, "-42");

    assert_int_equal(asy_plugin_def_set_option(&d, "ratio", "1e-3", &err), ASSAY_OK);
    assert_string_equal(asy_plugin_def_option(&d, "ratio")->value, "0.001");
    assert_int_equal(asy_plugin_def_set_option(&d, "ratio", "0.1x", &err), ASSAY_E_USAGE);
    assert_string_equal(err.message, "option 'ratio' of plugin 'good' expects a number, got '0.1x'");

    const char *yes[] = {"true", "YES", "On", "1"}, *no[] = {"false", "no", "OFF", "0"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(asy_plugin_def_set_option(&d, "lower", no[i], &err), ASSAY_OK);
        assert_string_equal(asy_plugin_def_option(&d, "lower")->value, "false");
        assert_int_equal(asy_plugin_def_set_option(&d, "lower", yes[i], &err), ASSAY_OK);
        assert_string_equal(asy_plugin_def_option(&d, "lower")->value, "true");
    }
    assert_int_equal(asy_plugin_def_set_option(&d, "lower", "maybe", &err), ASSAY_E_USAGE);
    assert_string_equal(err.message, "option 'lower' of plugin 'good' expects a boolean, got 'maybe'");

    assert_int_equal(asy_plugin_def_set_option(&d, "label", "any text, 1", &err), ASSAY_OK);
    assert_string_equal(asy_plugin_def_option(&d, "label")->value, "any text, 1");

    assert_int_equal(asy_plugin_def_set_option(&d, "nope", "1", &err), ASSAY_E_USAGE);
    assert_string_equal(err.message, "plugin 'good' has no option 'nope' (options: label, "
                        "lower, min_count, ratio)");
    assert_null(asy_plugin_def_option(&d, "nope"));
    asy_plugin_def_free(&d);
}

static void test_resolve(void **state)
{
    (void)state;
    char *dir = fixture_dir();
    char *dirs[] = {"/nonexistent-assay-dir", dir, NULL};
    asy_error err;
    char *p = asy_plugin_resolve("good", dirs, &err);
    assert_non_null(p);
    assert_non_null(strstr(p, "tests/data/plugins/good.lua"));
    free(p);
    assert_null(asy_plugin_resolve("missing", dirs, &err));
    assert_int_equal(err.code, ASSAY_E_IO);
    char *want = NULL;
    assert_true(asprintf(&want, "plugin 'missing' not found in: /nonexistent-assay-dir, %s",
                         dir) > 0);
    assert_string_equal(err.message, want);
    free(want);
    assert_null(asy_plugin_resolve("./nothere.lua", dirs, &err));
    assert_string_equal(err.message, "plugin file './nothere.lua' does not exist");

    asy_plugin_def d;
    assert_int_equal(asy_plugin_def_load(&d, "multi", dirs, &err), ASSAY_OK);
    assert_string_equal(d.name, "multi");
    asy_plugin_def_free(&d);
    assert_int_equal(asy_plugin_def_load(&d, "missing", dirs, &err), ASSAY_E_IO);
    free(dir);
}

static void test_dirs(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    free(tu_write_str(tmp, "tree/plugins/a.lua", "--"));
    free(tu_write_str(tmp, "tree/scripts/s.lua", "--"));
    free(tu_write_str(tmp, "flat/b.lua", "--"));
    free(tu_write_str(tmp, "extra/c.lua", "--"));
    char *env = NULL, *extra = NULL;
    assert_true(asprintf(&env, "%s/tree:%s/flat:%s/missing", tmp, tmp, tmp) > 0);
    assert_true(asprintf(&extra, "%s/extra:%s/extra/", tmp, tmp) > 0);
    setenv("ASSAY_PATH", env, 1);
    char **v = asy_plugin_dirs(extra);
    assert_non_null(v);
    char want[3][4096];
    snprintf(want[0], sizeof want[0], "%s/extra", tmp);
    snprintf(want[1], sizeof want[1], "%s/tree/plugins", tmp);
    snprintf(want[2], sizeof want[2], "%s/flat", tmp);
    for (int i = 0; i < 3; i++) {
        assert_non_null(v[i]);
        assert_string_equal(v[i], want[i]);
    }
    for (int i = 3; v[i]; i++) /* later entries: install/source dirs only */
        assert_null(strstr(v[i], tmp));
    asy_strv_free(v);
    v = asy_script_dirs(NULL);
    snprintf(want[0], sizeof want[0], "%s/tree/scripts", tmp);
    assert_string_equal(v[0], want[0]);
    asy_strv_free(v);
    unsetenv("ASSAY_PATH");
    free(env);
    free(extra);
    tu_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_syntax_error_line),
        cmocka_unit_test(test_top_level_loop),
        cmocka_unit_test(test_outputs_forms),
        cmocka_unit_test(test_string_plugin),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_dirs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
