/*
 * test_lua_runtime.c — the Lua runtime (lua/runtime.h) end to end: rows by
 * name and position, named outputs, errors with file:line and document id
 * (and their rows taken back), views used after document() returned,
 * paragraphs on multibyte text, the Counter API, state save/merge across
 * two runtimes, memory cap and instruction budget.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua/lua_state.h"
#include "lua/runtime.h"
#include "par.h"
#include "plugin.h"
#include "testutil.h"

/* ---- helpers ---------------------------------------------------------- */

static asy_rt_config config(void)
{
    asy_rt_config c;
    memset(&c, 0, sizeof c);
    c.nworkers = 1;
    return c;
}

static asy_doc *mkdoc(const char *id, const char *text)
{
    asy_doc *d = asy_doc_new(id, "corpus.txt");
    assert_non_null(d);
    asy_doc_take_text(d, strdup(text), strlen(text));
    return d;
}

/* A runtime with one plugin from source; asserts success. */
static asy_rt *rt_with(const asy_rt_config *cfg, const char *name,
                       const char *src, asy_plugin_def *def)
{
    asy_error err;
    asy_error_clear(&err);
    int rc = asy_plugin_def_load_string(def, name, src, &err);
    if (rc != ASSAY_OK)
        fail_msg("load: %s", err.message);
    asy_rt *rt = asy_rt_new(cfg, &err);
    assert_non_null(rt);
    rc = asy_rt_add_plugin(rt, def, &err);
    if (rc != ASSAY_OK)
        fail_msg("add: %s", err.message);
    return rt;
}

/* Rows as text: "OUT:v|v|v\n" per row. */
static char *rows_text(const asy_rowbuf *rb)
{
    asy_buf b = ASY_BUF_INIT;
    asy_rowbuf_iter it;
    assay_value v[16];
    int out, n;
    asy_rowbuf_iter_init(&it, rb);
    while (asy_rowbuf_next(&it, &out, v, 16, &n)) {
        asy_buf_printf(&b, "%d:", out);
        for (int i = 0; i < n; i++) {
            if (i)
                asy_buf_putc(&b, '|');
            switch (v[i].type) {
            case ASSAY_NIL: asy_buf_puts(&b, "nil"); break;
            case ASSAY_INTEGER: asy_buf_printf(&b, "%lld", (long long)v[i].i); break;
            case ASSAY_NUMBER: asy_buf_printf(&b, "%g", v[i].d); break;
            case ASSAY_BOOLEAN: asy_buf_puts(&b, v[i].i ? "true" : "false"); break;
            case ASSAY_STRING: asy_buf_append(&b, v[i].s, v[i].len); break;
            }
        }
        asy_buf_putc(&b, '\n');
    }
    return asy_buf_detach(&b, NULL);
}

static void assert_rows(const asy_rowbuf *rb, const char *want)
{
    char *got = rows_text(rb);
    assert_string_equal(got, want);
    free(got);
}

/* Run document() of plugin 0 on (id, text); returns the status. */
static int run_doc(asy_rt *rt, const char *id, const char *text,
                   asy_rowbuf *rb, asy_error *err)
{
    asy_doc *d = mkdoc(id, text);
    int rc = asy_rt_document(rt, 0, d, rb, err);
    asy_doc_free(d);
    return rc;
}

/* ---- rows ------------------------------------------------------------- */

static void test_rows(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "rows.lua",
        "return { name = 'rows', columns = {'word', 'count', 'docs'},\n"
        "  document = function(doc, ctx, out)\n"
        "    out:row{word = 'a', count = 1, docs = 2}\n"
        "    out:row{'b', 2.5, true}\n"
        "    out:row{word = 'c', [3] = false}\n"
        "    out:row{}\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "d1", "text", &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:a|1|2\n0:b|2.5|true\n0:c|nil|false\n0:nil|nil|nil\n");
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* Each snippet fails inside document(): the message is exact. */
static void test_row_errors(void **state)
{
    (void)state;
    static const struct { const char *code, *msg; } cases[] = {
        {"out:row{foo = 1}", "bad.lua:2: bad argument #1 to 'row' (unknown column 'foo' "
                             "for output 'bad' (columns: word, count, docs))"},
        {"out:row{word = {}}", "bad.lua:2: bad argument #1 to 'row' (column 'word' of "
                               "output 'bad' cannot hold a table value)"},
        {"out:row{'a', 'b', 'c', 'd'}", "bad.lua:2: bad argument #1 to 'row' (position 4 "
                                        "is beyond the 3 columns of output 'bad')"},
        {"out:row('x', {})", "bad.lua:2: plugin 'bad' has no output 'x' (outputs: bad)"},
        {"local o = out.nope", "bad.lua:2: plugin 'bad' has no output 'nope' (outputs: bad)"},
        {"out:row(42)", "bad.lua:2: bad argument #1 to 'row' (table expected, got number)"},
        {"out.x = 1", "bad.lua:2: an output is read-only; write rows with out:row{...}"},
        {"doc.text = ''", "bad.lua:2: a document is read-only (cannot set 'text')"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *src = NULL;
        assert_true(asprintf(&src, "return { name = 'bad', columns = {'word', 'count', "
                             "'docs'}, document = function(doc, ctx, out)\n%s\nend }",
                             cases[i].code) > 0);
        asy_rt_config cfg = config();
        asy_plugin_def def;
        asy_rt *rt = rt_with(&cfg, "bad.lua", src, &def);
        asy_rowbuf rb = ASY_ROWBUF_INIT;
        asy_error err;
        assert_int_equal(run_doc(rt, "doc-7", "x", &rb, &err), ASSAY_E_PLUGIN);
        assert_string_equal(err.message, cases[i].msg);
        assert_string_equal(err.file, "bad.lua");
        assert_int_equal(err.line, 2);
        assert_string_equal(err.doc_id, "doc-7");
        assert_int_equal(rb.nrows, 0);
        asy_rowbuf_free(&rb);
        asy_rt_free(rt);
        asy_plugin_def_free(&def);
        free(src);
    }
}

static char *fixture(const char *name)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/tests/data/plugins/%s.lua", tu_source_dir(), name) > 0);
    return p;
}

static asy_rt *rt_fixture(const asy_rt_config *cfg, const char *name,
                          asy_plugin_def *def)
{
    char *path = fixture(name);
    asy_error err;
    if (asy_plugin_def_load(def, path, NULL, &err) != ASSAY_OK)
        fail_msg("load: %s", err.message);
    free(path);
    asy_rt *rt = asy_rt_new(cfg, &err);
    assert_non_null(rt);
    if (asy_rt_add_plugin(rt, def, &err) != ASSAY_OK)
        fail_msg("add: %s", err.message);
    return rt;
}

static void test_named_outputs(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_fixture(&cfg, "multi", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "n1", "x", &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:n1|q1\n1:Ann|1\n1:Bob|2\n0:n1|q2\n");
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* An error in document(): file:line, document id, hint; the rows of that
 * call are removed; the next document works. */
static void test_runtime_error(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_fixture(&cfg, "fails", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "ok1", "x", &rb, &err), ASSAY_OK);
    size_t len = rb.buf.len;
    assert_int_equal(run_doc(rt, "bad", "x", &rb, &err), ASSAY_E_PLUGIN);
    char *path = fixture("fails"), *want = NULL;
    assert_true(asprintf(&want, "%s:8: cannot handle bad", path) > 0);
    assert_string_equal(err.message, want);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, 8);
    assert_string_equal(err.doc_id, "bad");
    assert_true(strncmp(err.hint, "in document() of plugin fails\n", 30) == 0);
    assert_non_null(strstr(err.hint, "fails.lua:8: in function"));
    assert_true(strlen(err.hint) < sizeof err.hint);
    assert_int_equal(rb.nrows, 1);
    assert_int_equal(rb.buf.len, len);
    assert_int_equal(run_doc(rt, "ok2", "x", &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:ok1\n0:ok2\n");
    free(want);
    free(path);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* A doc, span or output kept past its callback fails loudly. */
static void test_views_after_return(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "views.lua",
        "local d, s, o\n"
        "local function try(f) local ok, e = pcall(f) return ok and 'ok' or e end\n"
        "return { name = 'views', columns = {'what'},\n"
        "  document = function(doc, ctx, out)\n"
        "    if d then\n"
        "      out:row{try(function() return d.text end)}\n"
        "      out:row{try(function() return s:text() end)}\n"
        "      out:row{try(function() return s.start end)}\n"
        "      out:row{try(function() o:row{'x'} end)}\n"
        "      out:row{tostring(s)}\n"
        "    end\n"
        "    d, s, o = doc, doc:paragraphs()[1], out.views\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "first", "Hello there.", &rb, &err), ASSAY_OK);
    assert_int_equal(run_doc(rt, "second", "x", &rb, &err), ASSAY_OK);
    assert_rows(&rb,
        "0:views.lua:6: document 'first' used after document() returned (keep values "
        "you need, not the doc)\n"
        "0:views.lua:7: span from document 'first' used after document() returned\n"
        "0:views.lua:8: span from document 'first' used after document() returned\n"
        "0:views.lua:9: output 'views' used after its callback returned\n"
        "0:Span(0, 12)\n");
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

static void test_doc_fields(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "fields.lua",
        "return { name = 'fields', columns = {'k', 'v'},\n"
        "  document = function(doc, ctx, out)\n"
        "    out:row{'id', doc.id}\n"
        "    out:row{'source', doc.source}\n"
        "    out:row{'bytes', doc.bytes}\n"
        "    out:row{'length', doc.length}\n"
        "    out:row{'date', doc.date}\n"
        "    out:row{'meta.n', doc.meta.n}\n"
        "    out:row{'meta.ok', doc.meta.ok}\n"
        "    out:row{'same text', doc.text == doc.text}\n"
        "    out:row{'same meta', rawequal(doc.meta, doc.meta)}\n"
        "    out:row{'missing', doc.nothing}\n"
        "    out:row{'tostring', tostring(doc)}\n"
        "    out:row{'text', doc.text}\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    asy_doc *d = mkdoc("doc/1", "Straße – ok");
    assert_int_equal(asy_meta_set_string(&d->meta, "date", "2024-07-02", 10), 0);
    assert_int_equal(asy_meta_set_integer(&d->meta, "n", 42), 0);
    assert_int_equal(asy_meta_set_boolean(&d->meta, "ok", 1), 0);
    assert_int_equal(asy_rt_document(rt, 0, d, &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:id|doc/1\n0:source|corpus.txt\n0:bytes|14\n0:length|11\n"
                     "0:date|2024-07-02\n0:meta.n|42\n0:meta.ok|true\n0:same text|true\n"
                     "0:same meta|true\n0:missing|nil\n0:tostring|Document(doc/1)\n"
                     "0:text|Straße – ok\n");
    asy_doc_free(d);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* Code-point offsets on multibyte text; byte_start/byte_end match
 * doc.text:sub(); the list is an array and an iterator. */
static void test_paragraphs(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "paras.lua",
        "return { name = 'paras', columns = {'a', 'b', 'c', 'd', 'e', 'f', 'g'},\n"
        "  document = function(doc, ctx, out)\n"
        "    local ps = doc:paragraphs()\n"
        "    assert(rawequal(ps, doc:paragraphs()))\n"
        "    for i, p in ipairs(ps) do\n"
        "      assert(doc.text:sub(p.byte_start, p.byte_end) == p:text())\n"
        "      assert(p.stop == p['end'])\n"
        "      out:row{p.start, p.stop, p.byte_start, p.byte_end, #p, p:text(), tostring(p)}\n"
        "    end\n"
        "    local n, pairs_seen = 0, 0\n"
        "    for p in doc:paragraphs() do\n"
        "      n = n + 1\n"
        "      for q in ps do pairs_seen = pairs_seen + 1 end\n"
        "    end\n"
        "    out:row{#ps, n, pairs_seen, ps[3] == nil}\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "u", "Ünïcode first para.\n\nSecond — para ç.\n",
                             &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:0|19|1|21|19|Ünïcode first para.|Span(0, 19)\n"
                     "0:21|37|24|42|16|Second — para ç.|Span(21, 37)\n"
                     "0:2|2|4|true|nil|nil|nil\n");
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

static void test_counter(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "count.lua",
        "return { name = 'count', columns = {'k', 'v'},\n"
        "  document = function(doc, ctx, out)\n"
        "    local c = assay.counter()\n"
        "    c:add('b', 2); c:add('a', 2); c:add('c')\n"
        "    out:row{'get a', c:get('a')}; out:row{'get zz', c:get('zz')}\n"
        "    out:row{'len', #c}; out:row{'total', c:total()}\n"
        "    out:row{'str', tostring(c)}\n"
        "    for _, e in ipairs(c:top(2)) do out:row{e[1], e[2]} end\n"
        "    for k, n in c:each('key') do out:row{'key ' .. k, n} end\n"
        "    local w = assay.counter()\n"
        "    out:row{'words', w:add_words(doc)}\n"
        "    for k, n in w:each() do out:row{k, n} end\n"
        "    local d = assay.counter()\n"
        "    out:row{'distinct', d:add_words(doc, {distinct = true, numbers = true})}\n"
        "    out:row{'d the', d:get('the')}; out:row{'d 42', d:get('42')}\n"
        "    local m = assay.counter()\n"
        "    out:row{'min4', m:add_words('The cats and dogs', {min_length = 4})}\n"
        "    local u = assay.counter()\n"
        "    u:add_words('The the', {lower = false})\n"
        "    out:row{'upper', u:get('The')}\n"
        "    c:merge(d)\n"
        "    out:row{'merged', c:get('the') + c:get('a')}\n"
        "    out:row{'top0', #c:top(0)}\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "c", "The cat and the Cat. 42 dogs", &rb, &err),
                     ASSAY_OK);
    assert_rows(&rb, "0:get a|2\n0:get zz|0\n0:len|3\n0:total|5\n"
                     "0:str|Counter(3 keys, total 5)\n0:a|2\n0:b|2\n"
                     "0:key a|2\n0:key b|2\n0:key c|1\n"
                     "0:words|6\n0:cat|2\n0:the|2\n0:and|1\n0:dogs|1\n"
                     "0:distinct|5\n0:d the|1\n0:d 42|1\n0:min4|2\n0:upper|1\n"
                     "0:merged|3\n0:top0|0\n");
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* ---- state across workers --------------------------------------------- */

static const char *const corpus[][2] = {
    {"d1", "The quick brown fox."}, {"d2", "The lazy dog, the end."},
    {"d3", "Fox and dog and fox."}, {"d4", "Ünïcode words: straße STRASSE."},
};

static char *finish_rows(asy_rt *rt)
{
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    if (asy_rt_finish(rt, 0, &rb, &err) != ASSAY_OK)
        fail_msg("finish: %s", err.message);
    char *s = rows_text(&rb);
    asy_rowbuf_free(&rb);
    return s;
}

static void feed(asy_rt *rt, int from, int step)
{
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    for (int i = from; i < 4; i += step)
        assert_int_equal(run_doc(rt, corpus[i][0], corpus[i][1], &rb, &err), ASSAY_OK);
    asy_rowbuf_free(&rb);
}

static void test_merge_workers(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *one = rt_fixture(&cfg, "wordstate", &def);
    feed(one, 0, 1);
    char *want = finish_rows(one);
    assert_non_null(strstr(want, "0:fox|3\n"));
    assert_non_null(strstr(want, "0:strasse|2\n"));
    assert_non_null(strstr(want, "0:#docs|4\n0:d1|20\n"));

    cfg.nworkers = 2;
    asy_rt *a = asy_rt_new(&cfg, NULL), *b = NULL;
    cfg.worker = 1;
    b = asy_rt_new(&cfg, NULL);
    asy_error err;
    assert_int_equal(asy_rt_add_plugin(a, &def, &err), ASSAY_OK);
    assert_int_equal(asy_rt_add_plugin(b, &def, &err), ASSAY_OK);
    feed(a, 0, 2);
    feed(b, 1, 2);
    asy_handover h = ASY_HANDOVER_INIT, again = ASY_HANDOVER_INIT;
    assert_int_equal(asy_rt_save_state(b, 0, &h, &err), ASSAY_OK);
    assert_int_equal(h.nmoved, 1); /* the counter, moved whole */
    assert_non_null(h.moved[0]);
    /* b's counter is gone: handed over again, it goes as an empty one
     * (what a second plugin sharing it would send) */
    assert_int_equal(asy_rt_save_state(b, 0, &again, &err), ASSAY_OK);
    assert_int_equal(again.nmoved, 0);
    asy_handover_clear(&again);
    /* malformed bytes are a parse error, the counter is not taken, and
     * the runtime stays usable */
    h.bytes.len--;
    assert_int_equal(asy_rt_merge_state(a, 0, &h, &err), ASSAY_E_PARSE);
    assert_non_null(strstr(err.message, "plugin wordstate: malformed state"));
    assert_non_null(h.moved[0]);
    h.bytes.len++;
    assert_int_equal(asy_rt_merge_state(a, 0, &h, &err), ASSAY_OK);
    assert_null(h.moved[0]); /* adopted by a */
    char *got = finish_rows(a);
    assert_string_equal(got, want);
    free(got);
    free(want);
    asy_handover_clear(&h);
    asy_rt_free(one);
    asy_rt_free(a);
    asy_rt_free(b);
    asy_plugin_def_free(&def);
}

/* After a merge, the state handed over is collected at once: the counter
 * it brought (whose memory Lua's collector does not see) is freed and its
 * charge released, unless merge() kept it; a run under a memory cap must
 * not need room for every worker's tables at the end. And a counter
 * adopted over the cap is released by a full collection first. */
static void test_merge_releases_handover(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    cfg.nworkers = 2;
    cfg.mem_limit = 64u << 20;
    asy_plugin_def def;
    const char *src =
        "return { name = 'big', columns = {'n'},\n"
        "  init = function(ctx) return { c = assay.counter() } end,\n"
        "  document = function(doc, ctx, out) local c = ctx.state.c\n"
        "    for i = 1, 40000 do c:add('key' .. i) end end,\n"
        "  merge = function(s, o) s.c:merge(o.c) end,\n"
        "  finish = function(ctx, out) out:row{ctx.state.c:get('key7')} end }";
    asy_rt *a = rt_with(&cfg, "big.lua", src, &def);
    asy_error err;
    cfg.worker = 1;
    asy_rt *b = asy_rt_new(&cfg, &err);
    assert_non_null(b);
    assert_int_equal(asy_rt_add_plugin(b, &def, &err), ASSAY_OK);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    assert_int_equal(run_doc(a, "d1", "x", &rb, &err), ASSAY_OK);
    assert_int_equal(run_doc(b, "d2", "x", &rb, &err), ASSAY_OK);
    size_t before = asy_rt_memory(a), theirs = asy_rt_memory(b);
    assert_true(theirs > (1u << 20)); /* the counter's C memory counts */
    asy_handover h = ASY_HANDOVER_INIT;
    assert_int_equal(asy_rt_save_state(b, 0, &h, &err), ASSAY_OK);
    asy_rt_free(b);
    assert_int_equal(asy_rt_merge_state(a, 0, &h, &err), ASSAY_OK);
    asy_handover_clear(&h);
    /* the same keys: a's table does not grow, and b's is gone */
    size_t after = asy_rt_memory(a);
    assert_true(after < before + theirs / 4);
    char *rows = finish_rows(a);
    assert_string_equal(rows, "0:2\n");
    free(rows);
    asy_rowbuf_free(&rb);
    asy_rt_free(a);
    asy_plugin_def_free(&def);
}

/* Frees put off (asy_lstate_defer): refused unless asked for; those put
 * off since the last asy_lstate_defer_begin wait for the close, earlier
 * ones are done at the next begin. (The runtime puts off the rest of a
 * merged worker's counters, collected after merge(), to its close.) */
static int freed[8], nfreed;

static void note_free(void *p)
{
    freed[nfreed++] = *(const int *)p;
}

static void test_deferred_frees(void **state)
{
    (void)state;
    lua_State *L = asy_lstate_new(0, 0, 0);
    assert_non_null(L);
    asy_lstate *s = asy_lstate_get(L);
    static const int one = 1, two = 2, three = 3;
    nfreed = 0;
    assert_int_equal(asy_lstate_defer(s, note_free, (void *)&one), -1);
    asy_lstate_defer_begin(s);
    assert_int_equal(asy_lstate_defer(s, note_free, (void *)&one), 0);
    assert_int_equal(asy_lstate_defer(s, note_free, (void *)&two), 0);
    s->defer = 0;
    assert_int_equal(asy_lstate_defer(s, note_free, (void *)&three), -1);
    assert_int_equal(nfreed, 0);
    asy_lstate_defer_begin(s); /* the two from before, now */
    assert_int_equal(nfreed, 2);
    assert_int_equal(asy_lstate_defer(s, note_free, (void *)&three), 0);
    s->defer = 0;
    assert_int_equal(nfreed, 2);
    asy_lstate_close(L);
    assert_int_equal(nfreed, 3);
    assert_int_equal(freed[2], 3);
    /* taken out of the state: done by whoever runs them, not at close */
    L = asy_lstate_new(0, 0, 0);
    assert_non_null(L);
    s = asy_lstate_get(L);
    asy_lstate_defer_begin(s);
    assert_int_equal(asy_lstate_defer(s, note_free, (void *)&one), 0);
    struct asy_deferred *d = asy_lstate_take_deferred(s);
    assert_non_null(d);
    assert_null(asy_lstate_take_deferred(s));
    asy_lstate_close(L);
    assert_int_equal(nfreed, 3);
    asy_deferred_run(d);
    assert_int_equal(nfreed, 4);
    assert_int_equal(freed[3], 1);
    asy_deferred_run(NULL);
}

static void test_merge_rules(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "nomerge.lua",
        "return { name = 'nomerge', columns = {'n'},\n"
        "  init = function(ctx) if ctx.options.keep then return {n = 1} end end,\n"
        "  options = { keep = true },\n"
        "  finish = function(ctx, out) end }", &def);
    asy_handover b = ASY_HANDOVER_INIT;
    asy_error err;
    assert_int_equal(asy_rt_save_state(rt, 0, &b, &err), ASSAY_OK);
    assert_int_equal(asy_rt_merge_state(rt, 0, &b, &err), ASSAY_E_PLUGIN);
    assert_string_equal(err.message, "plugin nomerge keeps state but defines no "
                        "merge(); run with -j 1 or add merge()");
    asy_rt_free(rt);
    asy_handover_clear(&b);
    /* an empty state merges silently */
    assert_int_equal(asy_plugin_def_set_option(&def, "keep", "no", &err), ASSAY_OK);
    rt = asy_rt_new(&cfg, &err);
    assert_int_equal(asy_rt_add_plugin(rt, &def, &err), ASSAY_OK);
    assert_int_equal(asy_rt_save_state(rt, 0, &b, &err), ASSAY_OK);
    assert_int_equal(asy_rt_merge_state(rt, 0, &b, &err), ASSAY_OK);
    asy_rt_free(rt);
    asy_handover_clear(&b);
    asy_plugin_def_free(&def);

    /* merge() may return the new state; functions cannot be saved */
    rt = rt_with(&cfg, "ret.lua",
        "return { name = 'ret', columns = {'n'},\n"
        "  init = function(ctx) return 5 end,\n"
        "  merge = function(s, o) return s * 10 + o end,\n"
        "  document = function(doc, ctx, out) ctx.state = {seen = {1, 2, print}} end,\n"
        "  finish = function(ctx, out) out:row{ctx.state} end }", &def);
    assert_int_equal(asy_rt_save_state(rt, 0, &b, &err), ASSAY_OK);
    assert_int_equal(asy_rt_merge_state(rt, 0, &b, &err), ASSAY_OK);
    char *rows = finish_rows(rt);
    assert_string_equal(rows, "0:55\n");
    free(rows);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    assert_int_equal(run_doc(rt, "x", "y", &rb, &err), ASSAY_OK);
    size_t len = b.bytes.len;
    assert_int_equal(asy_rt_save_state(rt, 0, &b, &err), ASSAY_E_PLUGIN);
    assert_string_equal(err.message, "plugin ret: ctx.state.seen[3]: cannot save a function");
    assert_int_equal(b.bytes.len, len);
    asy_rowbuf_free(&rb);
    asy_handover_clear(&b);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* ctx fields and typed options */
static void test_ctx(void **state)
{
    (void)state;
    asy_plugin_def def;
    asy_error err;
    assert_int_equal(asy_plugin_def_load_string(&def, "ctx.lua",
        "return { name = 'ctx', columns = {'k', 'v'},\n"
        "  options = { n = 1, x = 0.5, flag = false, s = 'a' },\n"
        "  init = function(ctx) ctx.seen_init = true end,\n"
        "  finish = function(ctx, out)\n"
        "    out:row{'plugin', ctx.plugin}; out:row{'worker', ctx.worker}\n"
        "    out:row{'threads', ctx.threads}; out:row{'init', ctx.seen_init}\n"
        "    out:row{'state', type(ctx.state)}\n"
        "    for k, v in assay.spairs(ctx.options) do\n"
        "      out:row{k, math.type(v) or type(v)}; out:row{k, v} end\n"
        "  end }", &err), ASSAY_OK);
    assert_int_equal(asy_plugin_def_set_option(&def, "n", "7", &err), ASSAY_OK);
    assert_int_equal(asy_plugin_def_set_option(&def, "x", "2.25", &err), ASSAY_OK);
    assert_int_equal(asy_plugin_def_set_option(&def, "flag", "on", &err), ASSAY_OK);
    assert_int_equal(asy_plugin_def_set_option(&def, "s", "hi", &err), ASSAY_OK);
    asy_rt_config cfg = config();
    cfg.worker = 2;
    cfg.nworkers = 3;
    asy_rt *rt = asy_rt_new(&cfg, &err);
    assert_int_equal(asy_rt_add_plugin(rt, &def, &err), ASSAY_OK);
    char *rows = finish_rows(rt);
    assert_string_equal(rows, "0:plugin|ctx\n0:worker|2\n0:threads|3\n0:init|true\n"
                              "0:state|table\n0:flag|boolean\n0:flag|true\n0:n|integer\n"
                              "0:n|7\n0:s|string\n0:s|hi\n0:x|float\n0:x|2.25\n");
    free(rows);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* A counter large enough to be sorted on several threads (two slices of
 * at least 65,536 entries) is sorted on one in document(), where each
 * worker has a thread of its own already, and on the run's threads in
 * init() and finish(), where nothing else runs: threads started by
 * asy_par_run, counted. */
static void test_bulk_threads(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    cfg.nworkers = 4;
    asy_plugin_def def;
    uint64_t start = asy_par_started();
    asy_rt *rt = rt_with(&cfg, "big.lua",
        "local function big()\n"
        "  local c = assay.counter()\n"
        "  for i = 1, 140000 do c:add('k' .. i, i % 7 + 1) end\n"
        "  return c:top(2)\n"
        "end\n"
        "return { name = 'big', columns = {'k', 'v'},\n"
        "  init = function(ctx) ctx.first = big()[1][1] end,\n"
        "  document = function(doc, ctx, out)\n"
        "    local t = big(); out:row{t[1][1], t[1][2]} end,\n"
        "  finish = function(ctx, out)\n"
        "    local t = big(); out:row{t[2][1], t[2][2]} end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    uint64_t before = asy_par_started();
    assert_true(before > start); /* init() */
    assert_int_equal(run_doc(rt, "d", "text", &rb, &err), ASSAY_OK);
    assert_int_equal(asy_par_started(), before);
    char *rows = finish_rows(rt);
    assert_true(asy_par_started() > before);
    /* the same order either way: count 7 (i % 7 == 6), then key bytewise */
    assert_rows(&rb, "0:k1000|7\n");
    assert_string_equal(rows, "0:k100001|7\n");
    free(rows);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* ---- limits ----------------------------------------------------------- */

static void test_memory_cap(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    cfg.mem_limit = (size_t)16 << 20;
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "mem.lua",
        "return { name = 'mem', columns = {'n'},\n"
        "  document = function(doc, ctx, out)\n"
        "    out:row{1}\n"
        "    if doc.id == 'big' then\n"
        "      local t = {}\n"
        "      for i = 1, 1e9 do t[i] = string.rep('x', 1000) .. i end\n"
        "    end\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "big", "x", &rb, &err), ASSAY_E_LIMIT);
    assert_string_equal(err.message, "plugin mem exceeded the memory limit of 16 MB "
                        "(mem_limit_mb)");
    assert_string_equal(err.doc_id, "big");
    assert_int_equal(rb.nrows, 0);
    assert_int_equal(run_doc(rt, "small", "x", &rb, &err), ASSAY_OK);
    assert_int_equal(rb.nrows, 1);
    assert_true(asy_rt_memory(rt) <= cfg.mem_limit);
    /* a counter's C memory counts too */
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
    rt = rt_with(&cfg, "cmem.lua",
        "return { name = 'cmem', columns = {'n'},\n"
        "  document = function(doc, ctx, out)\n"
        "    local c = assay.counter()\n"
        "    for i = 1, 1e9 do c:add('key number ' .. i) end\n"
        "  end }", &def);
    assert_int_equal(run_doc(rt, "c", "x", &rb, &err), ASSAY_E_LIMIT);
    assert_string_equal(err.message, "plugin cmem exceeded the memory limit of 16 MB "
                        "(mem_limit_mb)");
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

static void test_instruction_budget(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    cfg.instr_limit = 200000;
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "loop.lua",
        "return { name = 'loop', columns = {'n'},\n"
        "  document = function(doc, ctx, out)\n"
        "    if doc.id == 'forever' then\n"
        "      while true do end\n"
        "    elseif doc.id == 'swallow' then\n"
        "      while true do pcall(function() while true do end end) end\n"
        "    end\n"
        "    local n = 0\n"
        "    for i = 1, 30000 do n = n + i end\n"
        "    out:row{n}\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    /* 30000 iterations (~120k instructions) fit; the budget resets per call */
    for (int i = 0; i < 3; i++)
        assert_int_equal(run_doc(rt, "fine", "x", &rb, &err), ASSAY_OK);
    assert_int_equal(run_doc(rt, "forever", "x", &rb, &err), ASSAY_E_LIMIT);
    assert_string_equal(err.message, "loop.lua:4: plugin loop exceeded the instruction "
                        "limit of 200000 (instr_limit)");
    assert_int_equal(err.line, 4);
    assert_int_equal(run_doc(rt, "swallow", "x", &rb, &err), ASSAY_E_LIMIT);
    assert_non_null(strstr(err.message, "plugin loop exceeded the instruction limit"));
    assert_int_equal(run_doc(rt, "fine", "x", &rb, &err), ASSAY_OK);
    assert_int_equal(rb.nrows, 4);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* ---- the assay module -------------------------------------------------- */

static void test_assay_module(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp();
    free(tu_write_str(tmp, "plugins/data/words.txt", "alpha\r\nbeta\n\ngamma"));
    free(tu_write_str(tmp, "shared/common.txt", "from the plugin dirs"));
    char *path = tu_write_str(tmp, "plugins/reader.lua",
        "return { name = 'reader', columns = {'k', 'v'},\n"
        "  finish = function(ctx, out)\n"
        "    local lines = assay.read_lines('data/words.txt')\n"
        "    out:row{'lines', #lines}; out:row{'3', lines[3]}; out:row{'4', lines[4]}\n"
        "    out:row{'file', assay.read_file('common.txt')}\n"
        "    local none, msg = assay.read_file('absent.txt')\n"
        "    out:row{tostring(none), msg}\n"
        "    out:row{'path', assay.data_path('data/words.txt') ~= nil}\n"
        "    out:row{'version', assay.version == '" ASSAY_VERSION_STRING "'}\n"
        "    out:row{'lua', assay.lua_version}\n"
        "    local t = {b = 1, a = 2, [2] = 'x', [1] = 'y', [true] = 0}\n"
        "    local keys = {}\n"
        "    for k in assay.spairs(t) do keys[#keys + 1] = tostring(k) end\n"
        "    out:row{'spairs', table.concat(keys, ',')}\n"
        "    local m = assay.merge_add({n = 1, t = {x = 1}}, {n = 2, t = {x = 3, y = 1}, z = 'new'})\n"
        "    out:row{'merge_add', m.n .. ',' .. m.t.x .. ',' .. m.t.y .. ',' .. m.z}\n"
        "  end }");
    char *shared = NULL;
    assert_true(asprintf(&shared, "%s/shared", tmp) > 0);
    char *dirs[] = {shared, NULL};
    asy_plugin_def def;
    asy_error err;
    if (asy_plugin_def_load(&def, path, dirs, &err) != ASSAY_OK)
        fail_msg("%s", err.message);
    asy_rt_config cfg = config();
    cfg.plugin_dirs = dirs;
    asy_rt *rt = asy_rt_new(&cfg, &err);
    assert_int_equal(asy_rt_add_plugin(rt, &def, &err), ASSAY_OK);
    char *rows = finish_rows(rt);
    assert_string_equal(rows, "0:lines|4\n0:3|\n0:4|gamma\n0:file|from the plugin dirs\n"
                              "0:nil|absent.txt: not found (looked next to the plugin, in "
                              "the plugin directories and in the working "
                              "directory)\n0:path|true\n0:version|true\n"
                              "0:lua|Lua 5.4.4\n0:spairs|true,1,2,a,b\n"
                              "0:merge_add|3,4,1,new\n");
    free(rows);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
    free(shared);
    free(path);
    tu_rmtree(tmp);
    free(tmp);
}

/* print() and assay.log() go to stderr with the plugin's prefix. */
static void test_print_to_stderr(void **state)
{
    (void)state;
    char *tmp = tu_mkdtemp(), *file = NULL;
    assert_true(asprintf(&file, "%s/err.txt", tmp) > 0);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    dup2(fileno(f), 2);
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "talk.lua",
        "return { name = 'talk', columns = {'n'},\n"
        "  finish = function(ctx, out) print('hello', 42, nil); assay.log('x') end }", &def);
    char *rows = finish_rows(rt);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fclose(f);
    char *got = tu_read(file, NULL);
    assert_string_equal(got, "[plugin talk] hello\t42\tnil\n[plugin talk] x\n");
    free(got);
    free(rows);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
    free(file);
    tu_rmtree(tmp);
    free(tmp);
}

/* Two plugins in one runtime: indexes follow the order of addition; a
 * finish() error takes its rows back too. */
static void test_two_plugins(void **state)
{
    (void)state;
    asy_plugin_def a, b;
    asy_error err;
    assert_int_equal(asy_plugin_def_load_string(&a, "a.lua",
        "return { name = 'a', columns = {'x'}, document = function(d, c, o) o:row{'a'} end }",
        &err), ASSAY_OK);
    assert_int_equal(asy_plugin_def_load_string(&b, "b.lua",
        "return { name = 'b', columns = {'x'}, document = function(d, c, o) o:row{'b'} end,\n"
        "  finish = function(c, o) o:row{'partial'}; error('late') end }", &err), ASSAY_OK);
    asy_rt_config cfg = config();
    asy_rt *rt = asy_rt_new(&cfg, &err);
    assert_int_equal(asy_rt_add_plugin(rt, &a, &err), ASSAY_OK);
    assert_int_equal(asy_rt_add_plugin(rt, &b, &err), ASSAY_OK);
    asy_doc *d = mkdoc("d", "t");
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    assert_int_equal(asy_rt_document(rt, 1, d, &rb, &err), ASSAY_OK);
    assert_int_equal(asy_rt_document(rt, 0, d, &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:b\n0:a\n");
    assert_int_equal(asy_rt_finish(rt, 1, &rb, &err), ASSAY_E_PLUGIN);
    assert_string_equal(err.message, "b.lua:2: late");
    assert_true(strncmp(err.hint, "in finish() of plugin b", 23) == 0);
    assert_int_equal(rb.nrows, 2);
    assert_int_equal(asy_rt_document(rt, 5, d, &rb, &err), ASSAY_E_USAGE);
    asy_doc_free(d);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&a);
    asy_plugin_def_free(&b);
}

/* ---- review: finalizers, re-entrancy, row memory ---------------------- */

/* A finalizer run by lua_close (asy_rt_free) may touch an Output or a
 * Document the plugin kept: the C data behind them must still exist (a
 * use-after-free under ASan otherwise) and the use must fail cleanly. */
static void test_finalizer_at_close(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "gc.lua",
        "local kept_out, kept_doc\n"
        "local probe = setmetatable({}, {__gc = function()\n"
        "  local a = tostring(kept_out) .. tostring(kept_doc)\n"
        "  pcall(kept_out.row, kept_out, {'late'})\n"
        "  pcall(function() return kept_doc.text end)\n"
        "end})\n"
        "return { name = 'gc', columns = {'x'},\n"
        "  document = function(doc, ctx, out)\n"
        "    kept_out, kept_doc = out, doc\n"
        "    ctx.probe = probe\n"
        "    out:row{'ok'}\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "d", "text", &rb, &err), ASSAY_OK);
    assert_rows(&rb, "0:ok\n");
    asy_rt_free(rt); /* runs the finalizer */
    asy_rowbuf_free(&rb);
    asy_plugin_def_free(&def);
}

/* A finalizer can run at any allocation inside a C method, and may call
 * back into the binding. doc:words() built word spans while holding a
 * pointer into the per-state normalisation scratch buffer, which a
 * finalizer calling doc:word_list() with other options reallocated. */
static void test_finalizer_reentrancy(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "reent.lua",
        "local D, fired = nil, 0\n"
        "local function arm()\n"
        "  setmetatable({}, {__gc = function()\n"
        "    fired = fired + 1\n"
        "    if D then D:word_list{lower = true, normalize = 'nfkc',\n"
        "                          min_length = fired % 7 + 1} end\n"
        "    local junk = {} for i = 1, 50 do junk[i] = {i} end\n"
        "    arm()\n"
        "  end})\n"
        "end\n"
        "return { name = 'reent', columns = {'bad', 'fired'},\n"
        "  document = function(doc, ctx, out)\n"
        "    D = doc\n"
        "    arm()\n"
        "    local bad = 0\n"
        "    for round = 1, 3 do\n"
        "      local ws = doc:words{lower = true, min_length = round}\n"
        "      for _, w in ipairs(ws) do\n"
        "        if w.norm ~= w:text():lower() then bad = bad + 1 end\n"
        "      end\n"
        "    end\n"
        "    D = nil\n"
        "    out:row{bad, fired > 0 and 'yes' or 'no'}\n"
        "  end }", &def);
    /* Many distinct upper-case words: every one is normalised (folded), so
     * every span carries a norm string copied from the scratch buffer. */
    asy_buf text = ASY_BUF_INIT;
    for (int i = 0; i < 40000; i++)
        asy_buf_printf(&text, "W%dQX%s ", i, i % 3 ? "ABCDEFGHIJKLMNOP" : "");
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    int rc = run_doc(rt, "d", text.data, &rb, &err);
    if (rc != ASSAY_OK)
        fail_msg("%s", err.message);
    assert_rows(&rb, "0:0|yes\n");
    asy_buf_free(&text);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

/* Rows are held in C until the engine delivers them; they count against
 * the memory cap like the Lua heap, so a runaway out:row loop stops with
 * a limit error instead of exhausting the machine. */
static void test_rows_memory_cap(void **state)
{
    (void)state;
    asy_rt_config cfg = config();
    cfg.mem_limit = (size_t)16 << 20;
    asy_plugin_def def;
    asy_rt *rt = rt_with(&cfg, "rowmem.lua",
        "return { name = 'rowmem', columns = {'s'},\n"
        "  document = function(doc, ctx, out)\n"
        "    local s = string.rep('x', 1000)\n"
        "    local n = doc.id == 'big' and 1e7 or 1000\n"
        "    for i = 1, n do out:row{s} end\n"
        "  end,\n"
        "  finish = function(ctx, out)\n"
        "    local s = string.rep('y', 1000)\n"
        "    for i = 1, 1e7 do out:row{s} end\n"
        "  end }", &def);
    asy_rowbuf rb = ASY_ROWBUF_INIT;
    asy_error err;
    assert_int_equal(run_doc(rt, "big", "x", &rb, &err), ASSAY_E_LIMIT);
    assert_string_equal(err.message, "plugin rowmem exceeded the memory limit "
                        "of 16 MB (mem_limit_mb)");
    assert_int_equal(rb.nrows, 0);
    /* the charge is released: later documents have the whole cap again */
    for (int i = 0; i < 20; i++) { /* the engine: one row buffer per job */
        assert_int_equal(run_doc(rt, "small", "x", &rb, &err), ASSAY_OK);
        assert_int_equal(rb.nrows, 1000);
        asy_rowbuf_free(&rb);
    }
    assert_int_equal(asy_rt_finish(rt, 0, &rb, &err), ASSAY_E_LIMIT);
    assert_int_equal(rb.nrows, 0);
    asy_rowbuf_free(&rb);
    asy_rt_free(rt);
    asy_plugin_def_free(&def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_row_errors),
        cmocka_unit_test(test_named_outputs),
        cmocka_unit_test(test_runtime_error),
        cmocka_unit_test(test_views_after_return),
        cmocka_unit_test(test_doc_fields),
        cmocka_unit_test(test_paragraphs),
        cmocka_unit_test(test_counter),
        cmocka_unit_test(test_merge_workers),
        cmocka_unit_test(test_merge_releases_handover),
        cmocka_unit_test(test_deferred_frees),
        cmocka_unit_test(test_merge_rules),
        cmocka_unit_test(test_ctx),
        cmocka_unit_test(test_bulk_threads),
        cmocka_unit_test(test_memory_cap),
        cmocka_unit_test(test_instruction_budget),
        cmocka_unit_test(test_assay_module),
        cmocka_unit_test(test_print_to_stderr),
        cmocka_unit_test(test_two_plugins),
        cmocka_unit_test(test_finalizer_at_close),
        cmocka_unit_test(test_finalizer_reentrancy),
        cmocka_unit_test(test_rows_memory_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
