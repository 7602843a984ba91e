/*
 * lua_ngram.c — Lua side of the counting toolkit's counting half:
 * assay.ngrams (n-gram counts and document frequencies into counters),
 * assay.ngram_table / ngram_rows (both numbers in one paired counter,
 * rows written from C), assay.collocations and assay.keyness (score
 * whole counters in C and return sorted rows), assay.count_corpus (word
 * counts of a second corpus, for keyness against it). Every per-token
 * loop runs in C.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "../loader.h"
#include "../sentence.h"
#include "../stats.h"
#include "../token.h"
#include "lua_state.h"
#include "lua_toolkit.h"
#include "lua_types.h"

static const char WSKEY = 0; /* registry: scratch word stream */
static const char ABKEY = 0; /* registry: path -> loaded abbreviation box */
#define WS_MT "assay.WordStream"
#define AB_MT "assay.Abbreviations"
#define ROWS_MT "assay.NgramRows"
#define CROWS_MT "assay.CollocationRows"

/* ===== shared helpers ================================================== */

const char *asy_lua_tk_text(lua_State *L, int idx, size_t *len)
{
    asy_doc *d = asy_lua_doc_test(L, idx);
    if (d) {
        *len = d->len;
        return d->text ? d->text : "";
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        return lua_tolstring(L, idx, len);
    luaL_typeerror(L, idx, "assay.Document or string");
    return NULL;
}

int asy_lua_tk_optbool(lua_State *L, int idx, const char *name, int dflt)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        return dflt;
    int t = lua_getfield(L, idx, name);
    int v = t == LUA_TNIL ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

lua_Integer asy_lua_tk_optint(lua_State *L, int idx, const char *name,
                              lua_Integer dflt)
{
    if (lua_type(L, idx) != LUA_TTABLE)
        return dflt;
    int t = lua_getfield(L, idx, name);
    if (t != LUA_TNIL && !lua_isinteger(L, -1))
        luaL_error(L, "option '%s' must be an integer", name);
    lua_Integer v = t == LUA_TNIL ? dflt : lua_tointeger(L, -1);
    lua_pop(L, 1);
    return v;
}

asy_counter *asy_lua_tk_counter(lua_State *L, int idx, int nil_ok)
{
    if (nil_ok && lua_isnoneornil(L, idx))
        return NULL;
    asy_counter *c = asy_lua_counter_test(L, idx);
    if (!c)
        luaL_typeerror(L, idx, "assay.Counter");
    return c;
}

static int ws_gc(lua_State *L)
{
    asy_wordstream_free(luaL_checkudata(L, 1, WS_MT));
    return 0;
}

static asy_wordstream *scratch(lua_State *L)
{
    asy_wordstream *ws;
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &WSKEY) == LUA_TUSERDATA) {
        ws = lua_touserdata(L, -1);
        lua_pop(L, 1);
        return ws;
    }
    lua_pop(L, 1);
    ws = lua_newuserdatauv(L, sizeof *ws, 0);
    *ws = (asy_wordstream)ASY_WORDSTREAM_INIT;
    luaL_setmetatable(L, WS_MT);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &WSKEY);
    return ws;
}

static int ab_gc(lua_State *L)
{
    asy_abbrevs **b = luaL_checkudata(L, 1, AB_MT);
    asy_abbrevs_free(*b);
    *b = NULL;
    return 0;
}

/* The abbreviation list named by option "abbreviations" (NULL if none),
 * loaded on first use and kept for the state's lifetime. */
static const asy_abbrevs *abbrevs(lua_State *L, int optidx)
{
    if (lua_type(L, optidx) != LUA_TTABLE ||
        lua_getfield(L, optidx, "abbreviations") != LUA_TSTRING) {
        if (lua_type(L, optidx) == LUA_TTABLE)
            lua_pop(L, 1);
        return NULL;
    }
    const char *path = lua_tostring(L, -1); /* path */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ABKEY); /* path cache */
    if (lua_getfield(L, -1, path) == LUA_TUSERDATA) { /* path cache box */
        asy_abbrevs *ab = *(asy_abbrevs **)lua_touserdata(L, -1);
        lua_pop(L, 3);
        return ab;
    }
    lua_pop(L, 1);
    asy_abbrevs **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    luaL_setmetatable(L, AB_MT); /* path cache box */
    asy_error err = {0};
    if (!(*box = asy_abbrevs_new()) ||
        asy_abbrevs_load(*box, path, &err) != ASSAY_OK)
        luaL_error(L, "abbreviations '%s': %s", path,
                   err.message[0] ? err.message : "out of memory");
    lua_setfield(L, -2, path);
    lua_getfield(L, -1, path);
    asy_abbrevs *ab = *(asy_abbrevs **)lua_touserdata(L, -1);
    lua_pop(L, 3);
    return ab;
}

asy_wordstream *asy_lua_tk_words(lua_State *L, const char *text, size_t len,
                                 unsigned flags, int sentences, int optidx)
{
    asy_wordstream *ws = scratch(L);
    asy_span *sp = NULL;
    size_t ns = 0;
    if (sentences &&
        asy_sentences_news(text, len, abbrevs(L, optidx), &sp, &ns, NULL) !=
            ASSAY_OK)
        luaL_error(L, "not enough memory");
    int rc = asy_wordstream_build(ws, text, len, flags, sp, ns);
    free(sp);
    if (rc < 0)
        luaL_error(L, "not enough memory");
    return ws;
}

static unsigned ws_flags(lua_State *L, int optidx, int numbers_dflt)
{
    return (asy_lua_tk_optbool(L, optidx, "lower", 1) ? ASY_WS_LOWER : 0) |
           (asy_lua_tk_optbool(L, optidx, "numbers", numbers_dflt)
                ? ASY_WS_NUMBERS
                : 0);
}

/* ===== assay.ngrams ==================================================== */

/* The words of the text at 1 for the n-gram options at optidx: sizes
 * into *nmin, *nmax, sentence splitting into *sent. */
static asy_wordstream *gram_words(lua_State *L, int optidx, int *nmin,
                                  int *nmax, int *sent)
{
    size_t len;
    const char *text = asy_lua_tk_text(L, 1, &len);
    if (!lua_isnoneornil(L, optidx))
        luaL_checktype(L, optidx, LUA_TTABLE);
    lua_Integer n = asy_lua_tk_optint(L, optidx, "n", 2);
    lua_Integer lo = asy_lua_tk_optint(L, optidx, "nmin", n);
    lua_Integer hi = asy_lua_tk_optint(L, optidx, "nmax", lo > n ? lo : n);
    if (lo < 1 || hi > 5 || lo > hi)
        luaL_error(L, "n-gram sizes must satisfy 1 <= nmin <= nmax <= 5 "
                   "(got %I..%I)", lo, hi);
    *nmin = (int)lo;
    *nmax = (int)hi;
    *sent = asy_lua_tk_optbool(L, optidx, "sentences", 1);
    return asy_lua_tk_words(L, text, len, ws_flags(L, optidx, 0), *sent,
                            optidx);
}

/* assay.ngrams(doc_or_string, counts, docs_or_nil, {n = 2 | nmin, nmax,
 * lower = true, numbers = false, sentences = true, abbreviations = path})
 * -> number of n-grams counted */
static int tk_ngrams(lua_State *L)
{
    asy_counter *counts = asy_lua_tk_counter(L, 2, 0);
    asy_counter *docs = asy_lua_tk_counter(L, 3, 1);
    int nmin, nmax, sent;
    asy_wordstream *ws = gram_words(L, 4, &nmin, &nmax, &sent);
    long got = asy_ngram_count(ws, nmin, nmax, sent, counts, docs);
    if (got < 0)
        return luaL_error(L, "not enough memory");
    asy_lua_counter_charge(L, 2);
    if (docs)
        asy_lua_counter_charge(L, 3);
    lua_pushinteger(L, got);
    return 1;
}

/* assay.ngram_table(doc_or_string, table, opts) -> number of n-grams
 * counted. Options as assay.ngrams; table is a counter that keeps each
 * n-gram's count and document count (made paired: ngram.h), for
 * assay.ngram_rows (and t:get / t:docs). */
static int tk_ngram_table(lua_State *L)
{
    asy_counter *table = asy_lua_tk_counter(L, 2, 0);
    int nmin, nmax, sent;
    asy_wordstream *ws = gram_words(L, 3, &nmin, &nmax, &sent);
    long got = asy_ngram_count_table(ws, nmin, nmax, sent, table);
    if (got < 0)
        return luaL_error(L, "not enough memory");
    asy_lua_counter_charge(L, 2);
    lua_pushinteger(L, got);
    return 1;
}

/* The row arrays live in a userdata box, so a raise while writing frees
 * them (and gives back their charge against the memory cap). */
typedef struct rows_box {
    asy_ngram_rows r;
    long long charged;
} rows_box;

static int rows_gc(lua_State *L)
{
    rows_box *b = luaL_checkudata(L, 1, ROWS_MT);
    asy_ngram_rows_free(&b->r);
    asy_lstate_charge(L, -b->charged);
    b->charged = 0;
    return 0;
}

static const asy_ngram_rows *build_rows(lua_State *L, asy_counter *t,
                                        lua_Integer min_count)
{
    rows_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = (rows_box){{NULL, 0}, 0};
    luaL_setmetatable(L, ROWS_MT);
    if (asy_ngram_rows_build(t, min_count, asy_lstate_get(L)->threads,
                             &b->r) < 0)
        luaL_error(L, "not enough memory (%I n-grams to sort)",
                   (lua_Integer)asy_counter_size(t));
    b->charged = (long long)(b->r.n * sizeof *b->r.e);
    if (asy_lstate_charge(L, b->charged) < 0) /* __gc gives it back */
        luaL_error(L, "not enough memory (%I n-grams to sort)",
                   (lua_Integer)asy_counter_size(t));
    return &b->r;
}

/* The arguments of a function writing a table's rows: the Output at idx
 * (*def its declared columns), then an options table or none, whose
 * min_count and top go to *minc and *top. */
static asy_lua_output *rows_args(lua_State *L, int idx,
                                 const asy_output_def **def,
                                 lua_Integer *minc, lua_Integer *top)
{
    *def = asy_lua_out_def(L, idx);
    asy_lua_output *o = asy_lua_out_check(L, idx);
    if (!lua_isnoneornil(L, idx + 1))
        luaL_checktype(L, idx + 1, LUA_TTABLE);
    *minc = asy_lua_tk_optint(L, idx + 1, "min_count", 1);
    *top = asy_lua_tk_optint(L, idx + 1, "top", 0);
    return o;
}

/* assay.ngram_rows(table, out, {min_count = 1, top = 0}) -> rows written.
 * Writes ngram, n, count, docs straight from C into the 4-column Output
 * out, count descending then n-gram ascending, with no Lua table or
 * string per row: keys sorted and rows formatted on the run's threads
 * when the rows go to a file (1.75 million rows one by one on one thread
 * took 0.48 s), else one by one to the row callback. */
static int tk_ngram_rows(lua_State *L)
{
    asy_counter *t = asy_lua_tk_counter(L, 1, 0);
    const asy_output_def *def;
    lua_Integer minc, top;
    asy_lua_output *o = rows_args(L, 2, &def, &minc, &top);
    if (def->ncols != 4)
        return luaL_error(L, "ngram_rows: output '%s' has %d columns; it "
                          "writes 4 (ngram, n, count, docs)", def->name,
                          def->ncols);
    /* the table is written, not counted into: its stamps (a byte a slot)
     * are given back before its rows take their memory */
    asy_counter_end_rounds(t);
    asy_lua_counter_charge(L, 1);
    const asy_ngram_rows *r = build_rows(L, t, minc);
    size_t n = top > 0 && (size_t)top < r->n ? (size_t)top : r->n;
    asy_counter_rowset rs = {r->e, n, ASY_ROWS_WORDS | ASY_ROWS_DOCS};
    asy_rowsrc src = asy_counter_rowsrc(&rs);
    asy_lua_out_rows(L, o, &src, 0, n);
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

/* ===== assay.collocations ============================================== */

static void setnum(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, int64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void push_colloc(lua_State *L, const asy_colloc *r)
{
    lua_createtable(L, 0, 9);
    lua_pushlstring(L, r->key, r->split);
    lua_setfield(L, -2, "w1");
    lua_pushlstring(L, r->key + r->split + 1, r->len - r->split - 1);
    lua_setfield(L, -2, "w2");
    setint(L, "count", r->c12);
    setint(L, "c1", r->c1);
    setint(L, "c2", r->c2);
    setnum(L, "mi", r->s.mi);
    setnum(L, "t_score", r->s.t);
    setnum(L, "log_likelihood", r->s.g2);
    setnum(L, "chi2", r->s.chi2);
}

/* Sorted C rows in Lua-owned memory, so a raise while pushing frees them. */
static void *own(lua_State *L, void *rows, size_t n, size_t size)
{
    void *copy = lua_newuserdatauv(L, n ? n * size : 1, 0);
    if (n)
        memcpy(copy, rows, n * size);
    free(rows);
    return copy;
}

/* Scored bigrams in a userdata box, so a raise while writing them frees
 * them (and gives back their charge against the memory cap). */
typedef struct crows_box {
    asy_colloc *r;
    long long charged;
} crows_box;

static int crows_gc(lua_State *L)
{
    crows_box *b = luaL_checkudata(L, 1, CROWS_MT);
    free(b->r);
    b->r = NULL;
    asy_lstate_charge(L, -b->charged);
    b->charged = 0;
    return 0;
}

static void fill_colloc(const void *ud, size_t i, assay_value *v,
                        char key[16])
{
    (void)key;
    const asy_colloc *r = (const asy_colloc *)ud + i;
    v[0] = (assay_value){.type = ASSAY_STRING, .s = r->key, .len = r->split};
    v[1] = (assay_value){.type = ASSAY_STRING, .s = r->key + r->split + 1,
                         .len = r->len - r->split - 1};
    v[2] = (assay_value){.type = ASSAY_INTEGER, .i = r->c12};
    v[3] = (assay_value){.type = ASSAY_NUMBER, .d = r->s.mi};
    v[4] = (assay_value){.type = ASSAY_NUMBER, .d = r->s.t};
    v[5] = (assay_value){.type = ASSAY_NUMBER, .d = r->s.g2};
    v[6] = (assay_value){.type = ASSAY_NUMBER, .d = r->s.chi2};
}

/* The scored bigrams of the two counters (asy_stats_collocations, on the
 * run's threads) into *r, *n of them; raises on an unknown sort or when
 * out of memory. */
static void score_collocations(lua_State *L, asy_counter *bi,
                               asy_counter *uni, lua_Integer minc,
                               const char *sort, asy_colloc **r, size_t *n)
{
    int rc = asy_stats_collocations(bi, uni, asy_counter_total(uni), minc,
                                    sort, asy_lstate_get(L)->threads, r, n);
    if (rc == -2)
        luaL_error(L, "unknown sort '%s' (log_likelihood, mi, t_score, "
                   "chi2, count)", sort);
    if (rc < 0)
        luaL_error(L, "not enough memory");
}

/* assay.collocation_rows(bigrams, unigrams, out, {min_count = 1, sort =
 * "log_likelihood", top = 0}) -> rows written. The rows of
 * assay.collocations written straight from C into the 7-column Output
 * out (w1, w2, count, mi, t_score, log_likelihood, chi2), formatted on the
 * run's threads when they go to a file, with no Lua table per row (1.55
 * million of them took 13 s and 1.1 GB as tables). */
static int tk_collocation_rows(lua_State *L)
{
    asy_counter *bi = asy_lua_tk_counter(L, 1, 0);
    asy_counter *uni = asy_lua_tk_counter(L, 2, 0);
    const asy_output_def *def;
    lua_Integer minc, top;
    asy_lua_output *o = rows_args(L, 3, &def, &minc, &top);
    const char *sort = NULL;
    if (lua_type(L, 4) == LUA_TTABLE &&
        lua_getfield(L, 4, "sort") != LUA_TNIL)
        sort = luaL_checkstring(L, -1);
    if (def->ncols != 7)
        return luaL_error(L, "collocation_rows: output '%s' has %d columns; "
                          "it writes 7 (w1, w2, count, mi, t_score, "
                          "log_likelihood, chi2)", def->name, def->ncols);
    crows_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = (crows_box){NULL, 0};
    luaL_setmetatable(L, CROWS_MT);
    size_t n;
    score_collocations(L, bi, uni, minc, sort, &b->r, &n);
    b->charged = (long long)(n * sizeof *b->r);
    if (asy_lstate_charge(L, b->charged) < 0) /* __gc gives it back */
        return luaL_error(L, "not enough memory (%I collocations)",
                          (lua_Integer)n);
    if (top > 0 && (size_t)top < n)
        n = (size_t)top;
    asy_rowsrc src = {fill_colloc, b->r, 7};
    asy_lua_out_rows(L, o, &src, 0, n);
    lua_pushinteger(L, (lua_Integer)n);
    return 1;
}

/* assay.collocations(bigrams, unigrams, {min_count = 1, sort =
 * "log_likelihood", top = 0}) -> { {w1, w2, count, c1, c2, mi, t_score,
 * log_likelihood, chi2}, ... }; N is unigrams:total(). */
static int tk_collocations(lua_State *L)
{
    asy_counter *bi = asy_lua_tk_counter(L, 1, 0);
    asy_counter *uni = asy_lua_tk_counter(L, 2, 0);
    lua_Integer minc = asy_lua_tk_optint(L, 3, "min_count", 1);
    lua_Integer top = asy_lua_tk_optint(L, 3, "top", 0);
    const char *sort = NULL;
    if (lua_type(L, 3) == LUA_TTABLE &&
        lua_getfield(L, 3, "sort") != LUA_TNIL)
        sort = luaL_checkstring(L, -1);
    asy_colloc *r;
    size_t n;
    score_collocations(L, bi, uni, minc, sort, &r, &n);
    r = own(L, r, n, sizeof *r); /* rows */
    if (top > 0 && (size_t)top < n)
        n = (size_t)top;
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
    for (size_t i = 0; i < n; i++) {
        push_colloc(L, &r[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* ===== assay.keyness =================================================== */

/* assay.keyness(target, reference, {min_count = 1, top = 0}) ->
 * { {word, target_count, reference_count, log_likelihood, chi2,
 * log_ratio}, ... } sorted by signed log-likelihood, descending. */
static int tk_keyness(lua_State *L)
{
    asy_counter *t = asy_lua_tk_counter(L, 1, 0);
    asy_counter *ref = asy_lua_tk_counter(L, 2, 0);
    lua_Integer minc = asy_lua_tk_optint(L, 3, "min_count", 1);
    lua_Integer top = asy_lua_tk_optint(L, 3, "top", 0);
    asy_keyrow *r;
    size_t n;
    if (asy_counter_settle(t) < 0 || asy_counter_settle(ref) < 0)
        return luaL_error(L, "not enough memory");
    if (asy_stats_keywords(t, ref, minc, &r, &n) < 0) {
        if (asy_counter_total(t) <= 0 || asy_counter_total(ref) <= 0)
            return luaL_error(L, "keyness needs words on both sides "
                              "(target %I, reference %I tokens)",
                              (lua_Integer)asy_counter_total(t),
                              (lua_Integer)asy_counter_total(ref));
        return luaL_error(L, "not enough memory");
    }
    r = own(L, r, n, sizeof *r);
    if (top > 0 && (size_t)top < n)
        n = (size_t)top;
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 0, 6);
        lua_pushlstring(L, r[i].key, r[i].len);
        lua_setfield(L, -2, "word");
        setint(L, "target_count", r[i].a);
        setint(L, "reference_count", r[i].b);
        setnum(L, "log_likelihood", r[i].k.g2);
        setnum(L, "chi2", r[i].k.chi2);
        setnum(L, "log_ratio", r[i].k.log_ratio);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

/* ===== assay.count_corpus ============================================== */

/* Count the words of every document under path into c; returns the
 * number of documents, or -1 with err set. */
/* A string option of the table at optidx, or NULL (the string stays in
 * the table, which is on the stack for the whole call). */
static const char *opt_str(lua_State *L, int optidx, const char *name)
{
    if (lua_isnoneornil(L, optidx))
        return NULL;
    lua_getfield(L, optidx, name);
    const char *v = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!v && !lua_isnil(L, -1))
        luaL_error(L, "option '%s' must be a string", name);
    lua_pop(L, 1);
    return v;
}

/* How count_corpus reads: the loader defaults, overridden by the fields of
 * the options table at optidx that ctx.input has (text_field, id_field,
 * date_field, encoding, invalid_utf8, max_doc_bytes). */
static void input_opts(lua_State *L, int optidx, asy_input_opts *o)
{
    static const char *const pols[] = {"replace", "skip", "fail", NULL};
    asy_input_opts_default(o);
    const char *v;
    if ((v = opt_str(L, optidx, "text_field")))
        o->text_field = v;
    if ((v = opt_str(L, optidx, "id_field")))
        o->id_field = v;
    if ((v = opt_str(L, optidx, "date_field")))
        o->date_field = v;
    if ((v = opt_str(L, optidx, "encoding")))
        o->latin1 = strcmp(v, "latin-1") == 0 || strcmp(v, "latin1") == 0;
    if ((v = opt_str(L, optidx, "invalid_utf8"))) {
        int k = 0;
        while (pols[k] && strcmp(pols[k], v) != 0)
            k++;
        if (!pols[k])
            luaL_error(L, "invalid_utf8 must be replace, skip or fail");
        o->invalid_utf8 = (asy_utf8_policy)k;
    }
    lua_Integer max = asy_lua_tk_optint(L, optidx, "max_doc_bytes", -1);
    if (max >= 0)
        o->max_doc_bytes = (size_t)max;
}

static long count_path(lua_State *L, const char *path, asy_counter *c,
                       const asy_tok_opts *words, asy_error *err)
{
    asy_input_opts o;
    input_opts(L, 3, &o);
    asy_reader *r;
    if (asy_reader_open(&r, path, &o, NULL, err) != ASSAY_OK)
        return -1;
    asy_doc *d;
    long docs = 0;
    int st;
    while ((st = asy_reader_next(r, &d, err)) == 1) {
        size_t counted;
        int rc = asy_tok_count(d->text, d->len, words, c, NULL, &counted);
        asy_doc_free(d);
        if (rc < 0) {
            st = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
            break;
        }
        docs++;
    }
    asy_reader_close(r);
    return st < 0 ? -1 : docs;
}

/* assay.count_corpus(path, counter, {lower = true, numbers = false,
 * text_field, id_field, date_field, encoding, invalid_utf8, max_doc_bytes})
 * -> number of documents read, or nil, message. Reads any corpus format
 * assay reads (file or directory); the loader settings default to assay's
 * defaults (pass ctx.input's to read as the run does). */
static int tk_count_corpus(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    asy_counter *c = asy_lua_tk_counter(L, 2, 0);
    asy_error err = {0};
    /* the words of counter:add_words, read from the options as it reads
     * them (the same as the n-gram words', counted by the word kernel) */
    unsigned kinds = ASY_WB_KIND(ASY_WB_WORD);
    if (asy_lua_tk_optbool(L, 3, "numbers", 0))
        kinds |= ASY_WB_KIND(ASY_WB_NUMBER);
    asy_tok_opts words;
    asy_lua_tokopts(L, 3, 1, kinds, &words, 0);
    long n = count_path(L, path, c, &words, &err);
    asy_lua_counter_charge(L, 2);
    if (n < 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path,
                        err.message[0] ? err.message : "cannot read");
        return 2;
    }
    lua_pushinteger(L, n);
    return 1;
}

/* ===== registration ==================================================== */

void asy_lua_toolkit_open(lua_State *L)
{
    static const luaL_Reg fns[] = {{"ngrams", tk_ngrams},
                                   {"ngram_table", tk_ngram_table},
                                   {"ngram_rows", tk_ngram_rows},
                                   {"collocations", tk_collocations},
                                   {"collocation_rows", tk_collocation_rows},
                                   {"keyness", tk_keyness},
                                   {"count_corpus", tk_count_corpus},
                                   {NULL, NULL}};
    static const luaL_Reg ws_meta[] = {{"__gc", ws_gc}, {NULL, NULL}};
    static const luaL_Reg ab_meta[] = {{"__gc", ab_gc}, {NULL, NULL}};
    static const luaL_Reg rows_meta[] = {{"__gc", rows_gc}, {NULL, NULL}};
    static const luaL_Reg crows_meta[] = {{"__gc", crows_gc}, {NULL, NULL}};
    asy_lua_newclass(L, WS_MT, NULL, ws_meta);
    asy_lua_newclass(L, AB_MT, NULL, ab_meta);
    asy_lua_newclass(L, ROWS_MT, NULL, rows_meta);
    asy_lua_newclass(L, CROWS_MT, NULL, crows_meta);
    lua_pop(L, 4);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ABKEY);
    luaL_setfuncs(L, fns, 0);
    asy_lua_kwic_open(L);
}
