/*
 * test_sandbox.c — one escape attempt per file in tests/sandbox/ (Redis
 * style). Each file's "-- expect:" line says what must happen:
 *   error TEXT  document() fails with ASSAY_E_PLUGIN and TEXT in the message
 *   limit TEXT  document() fails with ASSAY_E_LIMIT and TEXT in the message
 *   safe        document() writes the single row "safe"
 * Every file runs as two plugins in one runtime, followed by a canary
 * plugin that checks the shared state was not changed. Also: --trust opens
 * the full standard library.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/runtime.h"
#include "plugin.h"
#include "testutil.h"

static const char CANARY[] =
    "return { name = 'canary', columns = { 'result' },\n"
    "  document = function(doc, ctx, out)\n"
    "    local ok = string.upper('a') == 'A' and ('b'):upper() == 'B'\n"
    "      and math.floor(1.5) == 1 and type(os.time()) == 'number'\n"
    "      and LEAK == nil and LEAK2 == nil and made_by_load == nil\n"
    "      and string.dump == nil and io == nil and debug == nil\n"
    "      and getmetatable('') == false and type(assay.counter) == 'function'\n"
    "      and collectgarbage('count') > 0 and os.execute == nil\n"
    "    out:row { ok and 'safe' or 'pwned' }\n"
    "  end }";

static int is_lua(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 4 && strcmp(e->d_name + n - 4, ".lua") == 0;
}

/* The text after "-- expect: " in src (copied into buf). */
static void expectation(const char *src, char *buf, size_t size)
{
    const char *p = strstr(src, "-- expect: ");
    assert_non_null(p);
    p += strlen("-- expect: ");
    size_t n = strcspn(p, "\n");
    assert_true(n < size);
    memcpy(buf, p, n);
    buf[n] = '\0';
}

/* The single value of the single row in rb. */
static void assert_one_row(const asy_rowbuf *rb, const char *want, const char *file)
{
    asy_rowbuf_iter it;
    assay_value v[4];
    int out, n;
    asy_rowbuf_iter_init(&it, rb);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 4, &n), 1);
    assert_int_equal(v[0].type, ASSAY_STRING);
    if (strcmp(v[0].s, want) != 0)
        fail_msg("%s: got row '%s'", file, v[0].s);
    assert_int_equal(asy_rowbuf_next(&it, &out, v, 4, &n), 0);
}

static void check_result(const char *file, const char *expect, int rc,
                         const asy_error *err, const asy_rowbuf *rb)
{
    if (strcmp(expect, "safe") == 0) {
        if (rc != ASSAY_OK)
            fail_msg("%s: %s", file, err->message);
        assert_one_row(rb, "safe", file);
        return;
    }
    int want = strncmp(expect, "limit ", 6) == 0 ? ASSAY_E_LIMIT : ASSAY_E_PLUGIN;
    const char *text = strchr(expect, ' ') + 1;
    if (rc != want || !strstr(err->message, text))
        fail_msg("%s: expected %d '%s', got %d '%s'", file, want, text, rc,
                 rc ? err->message : "(success)");
    assert_int_equal(rb->nrows, 0);
}

static void add(asy_rt *rt, const char *name, const char *src, asy_plugin_def *def)
{
    asy_error err;
    if (asy_plugin_def_load_string_ex(def, name, src, 0, &err) != ASSAY_OK)
        fail_msg("%s: %s", name, err.message);
    if (asy_rt_add_plugin(rt, def, &err) != ASSAY_OK)
        fail_msg("%s: %s", name, err.message);
}

static void run_escape(const char *dir, const char *file)
{
    char path[8192], expect[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *src = tu_read(path, NULL);
    assert_non_null(src);
    expectation(src, expect, sizeof expect);
    asy_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.mem_limit = (size_t)32 << 20;
    cfg.instr_limit = 1000000;
    cfg.nworkers = 1;
    asy_error err;
    asy_rt *rt = asy_rt_new(&cfg, &err);
    assert_non_null(rt);
    asy_plugin_def defs[3];
    add(rt, file, src, &defs[0]);
    add(rt, file, src, &defs[1]);
    add(rt, "canary.lua", CANARY, &defs[2]);
    asy_doc *doc = asy_doc_new("doc-1", "test");
    asy_doc_take_text(doc, strdup("Some text."), 10);
    for (int p = 0; p < 3; p++) {
        asy_rowbuf rb = ASY_ROWBUF_INIT;
        asy_error_clear(&err);
        int rc = asy_rt_document(rt, p, doc, &rb, &err);
        check_result(p < 2 ? file : "canary", p < 2 ? expect : "safe", rc, &err, &rb);
        asy_rowbuf_free(&rb);
    }
    asy_doc_free(doc);
    asy_rt_free(rt);
    for (int i = 0; i < 3; i++)
        asy_plugin_def_free(&defs[i]);
    free(src);
}

static void test_escapes(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/sandbox", tu_source_dir());
    struct dirent **list;
    int n = scandir(dir, &list, is_lua, alphasort);
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) {
        print_message("[ SANDBOX  ] %s\n", list[i]->d_name);
        run_escape(dir, list[i]->d_name);
        free(list[i]);
    }
    free(list);
}

/* --trust: io, os and require are there; print still goes to stderr. */
static void test_trust(void **state)
{
    (void)state;
    asy_rt_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.trust = 1;
    cfg.instr_limit = 1000; /* ignored when trusted */
    asy_error err;
    asy_rt *rt = asy_rt_new(&cfg, &err);
    asy_plugin_def def;
    asy_error_clear(&err);
    assert_int_equal(asy_plugin_def_load_string(&def, "trusted.lua", "return require('x')",
                                                &err), ASSAY_E_PLUGIN);
    assert_string_equal(err.message, "trusted.lua:1: attempt to call a nil value (global 'require')");
    if (asy_plugin_def_load_string_ex(&def, "trusted.lua",
        "local lpeg_free = require('string')\n"
        "return { name = 'trusted', columns = { 'result' },\n"
        "  document = function(doc, ctx, out)\n"
        "    local n = 0\n"
        "    for i = 1, 100000 do n = n + 1 end\n"
        "    local ok = type(io.open) == 'function' and type(os.getenv) == 'function'\n"
        "      and type(debug.traceback) == 'function' and lpeg_free == string\n"
        "      and type(string.dump) == 'function'\n"
        "    out:row { ok and 'safe' or 'missing' }\n"
        "  end }", 1, &err) != ASSAY_OK)
        fail_msg("%s", err.message);
    if (asy_rt_add_plugin(rt, &def, &err) != ASSAY_OK)
        fail_msg("%s", err.message);
    asy_doc *doc = asy_doc_new("d", "t");
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    int rc = asy_rt_document(rt, 0, doc, &rb, &err);
    if (rc != ASSAY_OK)
        fail_msg("%s", err.message);
    assert_one_row(&rb, "safe", "trusted.lua");
    asy_rowbuf_free(&rb);
    asy_doc_free(doc);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_trust),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
