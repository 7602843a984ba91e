/*
 * lua_counter.c — "assay.Counter": string -> integer counts kept in C
 * (counter.c), so counting words never loops over tokens in Lua. Sorted
 * views (top, each) are deterministic: count descending, then key
 * ascending. The C memory a counter holds is charged to the state's
 * memory cap.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "../counter_rows.h"
#include "../token.h"
#include "lua_state.h"
#include "lua_types.h"

typedef struct Counter {
    asy_counter *c;  /* NULL until created, and after __gc */
    size_t charged;  /* bytes charged to the memory cap */
} Counter;

static Counter *tocounter(lua_State *L, int idx)
{
    Counter *k = luaL_checkudata(L, idx, ASY_COUNTER_MT);
    if (!k->c)
        luaL_error(L, "attempt to use a freed counter");
    return k;
}

asy_counter *asy_lua_counter_test(lua_State *L, int idx)
{
    Counter *k = luaL_testudata(L, idx, ASY_COUNTER_MT);
    return k ? k->c : NULL;
}

int asy_lua_counter_is(lua_State *L, int idx)
{
    return luaL_testudata(L, idx, ASY_COUNTER_MT) != NULL;
}

asy_counter *asy_lua_counter_take(lua_State *L, int idx)
{
    Counter *k = luaL_testudata(L, idx, ASY_COUNTER_MT);
    if (!k)
        return NULL;
    asy_counter *c = k->c;
    k->c = NULL;
    if (c) /* its rounds (a document each) ended with its state's calls */
        asy_counter_end_rounds(c);
    asy_lstate_charge(L, -(long long)k->charged); /* a release: no error */
    k->charged = 0;
    return c;
}

void asy_lua_counter_push_empty(lua_State *L)
{
    Counter *k = lua_newuserdatauv(L, sizeof *k, 0);
    k->c = NULL;
    k->charged = 0;
    luaL_setmetatable(L, ASY_COUNTER_MT);
}

void asy_lua_counter_adopt(lua_State *L, int idx, asy_counter **c)
{
    Counter *k = luaL_checkudata(L, idx, ASY_COUNTER_MT);
    if (k->c)
        luaL_error(L, "a counter can adopt only when empty");
    k->c = *c; /* the Counter's now: nothing in between can raise */
    *c = NULL;
    asy_lua_counter_charge(L, idx);
}

/* Charge delta bytes of C memory to the cap: 0, or -1 when the cap is
 * exceeded even after a full collection. Counters no longer reachable
 * keep their charge until collected, and Lua's own emergency collection
 * runs no finalizers: collect once (finalizers included), then decide. */
static int charge_collecting(lua_State *L, long long delta)
{
    if (asy_lstate_charge(L, delta) == 0)
        return 0;
    lua_gc(L, LUA_GCCOLLECT);
    const asy_lstate *s = asy_lstate_get(L);
    return s->used + s->external > s->limit ? -1 : 0;
}

void asy_lua_counter_charge(lua_State *L, int idx)
{
    Counter *k = luaL_checkudata(L, idx, ASY_COUNTER_MT);
    size_t now = k->c ? asy_counter_memory(k->c) : 0;
    long long delta = (long long)now - (long long)k->charged;
    k->charged = now;
    if (charge_collecting(L, delta) < 0)
        luaL_error(L, "not enough memory (counter of %I keys)",
                   (lua_Integer)(k->c ? asy_counter_size(k->c) : 0));
}

/* liolib's newprefile pattern: the userdata exists in an empty, valid
 * state before the C counter is allocated, so an error in between leaks
 * nothing. */
int asy_lua_counter_new(lua_State *L)
{
    Counter *k = lua_newuserdatauv(L, sizeof *k, 0);
    k->c = NULL;
    k->charged = 0;
    luaL_setmetatable(L, ASY_COUNTER_MT);
    k->c = asy_counter_new();
    if (!k->c)
        return luaL_error(L, "not enough memory");
    asy_lua_counter_charge(L, -1);
    return 1;
}

static void nomem(lua_State *L)
{
    luaL_error(L, "not enough memory");
}

/* c:add(key, n = 1) */
static int counter_add(lua_State *L)
{
    Counter *k = tocounter(L, 1);
    size_t len;
    const char *key = luaL_checklstring(L, 2, &len);
    lua_Integer n = luaL_optinteger(L, 3, 1);
    if (asy_counter_add(k->c, key, len, (int64_t)n) < 0)
        nomem(L);
    asy_lua_counter_charge(L, 1);
    return 0;
}

/* The counter at idx with its word table settled (counter.h), so that a
 * read that runs out of memory raises instead of showing part of it. */
static Counter *readable(lua_State *L, int idx)
{
    Counter *k = tocounter(L, idx);
    if (asy_counter_settle(k->c) < 0)
        nomem(L);
    return k;
}

static int counter_get(lua_State *L)
{
    Counter *k = readable(L, 1);
    size_t len;
    const char *key = luaL_checklstring(L, 2, &len);
    lua_pushinteger(L, (lua_Integer)asy_counter_get(k->c, key, len));
    return 1;
}

/* c:docs(key) -> the key's document count (add_words with docs = true);
 * 0 when absent or never counted. */
static int counter_docs(lua_State *L)
{
    Counter *k = readable(L, 1);
    size_t len;
    const char *key = luaL_checklstring(L, 2, &len);
    lua_pushinteger(L, (lua_Integer)asy_counter_get_docs(k->c, key, len));
    return 1;
}

/* ---- add_words -------------------------------------------------------- */

static int optbool(lua_State *L, int opts, const char *name, int dflt)
{
    if (lua_isnoneornil(L, opts))
        return dflt;
    int t = lua_getfield(L, opts, name);
    int v = t == LUA_TNIL ? dflt : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* The text of argument idx: an assay.Document or a string. */
static const char *text_arg(lua_State *L, int idx, size_t *len)
{
    asy_doc *d = asy_lua_doc_test(L, idx);
    *len = 0;
    if (d) {
        *len = d->len;
        return d->text ? d->text : "";
    }
    if (lua_type(L, idx) == LUA_TSTRING)
        return lua_tolstring(L, idx, len);
    luaL_typeerror(L, idx, "assay.Document or string");
    return NULL;
}

/* c:add_words(doc_or_string, {lower=true, numbers=false, distinct=false,
 * docs=false, min_length=1, normalize, stem, stopwords, kinds} [, docs])
 * -> number of words counted. The words are doc:words()'s (token.h: UAX
 * #29 word segments, WORD kind, plus NUMBER with numbers=true or the kinds
 * given); segmenting, normalising and counting run in C over the
 * document's own bytes (no copy of the text), in one pass (asy_tok_count).
 * With a second counter `docs`, each distinct word of the call also adds 1
 * there: word counts and document frequencies from one tokenisation. With
 * docs = true the document frequencies go to c's own document counts
 * (c:docs(key), rows' docs column): one table instead of two, the fast
 * way. */
static int counter_add_words(lua_State *L)
{
    Counter *k = tocounter(L, 1);
    size_t len, counted;
    const char *text = text_arg(L, 2, &len);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    Counter *docs = lua_isnoneornil(L, 4) ? NULL : tocounter(L, 4);
    if (docs == k)
        return luaL_argerror(L, 4, "must be another counter");
    unsigned kinds = ASY_WB_KIND(ASY_WB_WORD);
    if (optbool(L, 3, "numbers", 0))
        kinds |= ASY_WB_KIND(ASY_WB_NUMBER);
    asy_tok_opts o;
    asy_lua_tokopts(L, 3, 1, kinds, &o, 0);
    int rc, distinct = optbool(L, 3, "distinct", 0);
    int own = optbool(L, 3, "docs", 0);
    if (distinct && docs)
        return luaL_argerror(L, 4, "not with distinct = true");
    if (own && (distinct || docs))
        return luaL_argerror(L, docs ? 4 : 3,
                             "docs = true takes no docs counter and not "
                             "distinct = true");
    if (own)
        rc = asy_tok_count_paired(text, len, &o, k->c, &counted);
    else if (distinct)
        rc = asy_tok_count(text, len, &o, NULL, k->c, &counted);
    else
        rc = asy_tok_count(text, len, &o, k->c, docs ? docs->c : NULL,
                           &counted);
    asy_lua_counter_charge(L, 1);
    if (docs)
        asy_lua_counter_charge(L, 4);
    if (rc != 0)
        nomem(L);
    lua_pushinteger(L, (lua_Integer)counted);
    return 1;
}

/* ---- merging and views ------------------------------------------------ */

static int counter_merge(lua_State *L)
{
    Counter *k = tocounter(L, 1);
    Counter *o = tocounter(L, 2);
    if (asy_counter_merge_mt(k->c, o->c, asy_lstate_get(L)->threads) < 0)
        nomem(L);
    asy_lua_counter_charge(L, 1);
    lua_settop(L, 1);
    return 1;
}

#define ENTRIES_MT "assay.counter.entries"

/* The sorted entries of a call, freed by the GC even if pushing the
 * results raises (a box, so that the array is not copied). */
typedef struct entries {
    asy_counter_entry *e;
    size_t charged; /* bytes charged to the memory cap */
} entries;

/* Free the sorted entries in the box at idx (and give back their
 * charge) now: a callback that reads a large counter several times would
 * otherwise hold every copy until the next collection. */
static void drop_sorted(lua_State *L, int idx)
{
    entries *b = luaL_checkudata(L, idx, ENTRIES_MT);
    asy_counter_entries_free(b->e);
    b->e = NULL;
    asy_lstate_charge(L, -(long long)b->charged);
    b->charged = 0;
}

static int entries_gc(lua_State *L)
{
    drop_sorted(L, 1);
    return 0;
}

/* The Counter at idx's entries, sorted, owned by a box pushed on the
 * stack (at *box); NULL with *n = 0 when empty. */
static asy_counter_entry *sorted(lua_State *L, int idx, int by_key,
                                 size_t *n, int *box)
{
    Counter *k = tocounter(L, idx);
    *n = 0;
    entries *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->e = NULL;
    b->charged = 0;
    luaL_setmetatable(L, ENTRIES_MT);
    *box = lua_gettop(L);
    size_t bytes = asy_counter_entries_bytes(k->c);
    if (bytes == 0)
        return NULL;
    if (!(b->e = asy_counter_sorted_mt(k->c, by_key, n,
                                       asy_lstate_get(L)->threads)))
        nomem(L);
    asy_lua_counter_charge(L, idx); /* its word table may be packed now */
    /* the array is C memory the memory cap must see (the box gives the
     * charge back when dropped or collected) */
    b->charged = bytes;
    if (charge_collecting(L, (long long)b->charged) < 0)
        luaL_error(L, "not enough memory (sorting a counter of %I keys)",
                   (lua_Integer)*n);
    return b->e;
}

/* c:top(n) -> { {key, count}, ... } */
static int counter_top(lua_State *L)
{
    lua_Integer want = luaL_optinteger(L, 2, LUA_MAXINTEGER);
    size_t n;
    int box;
    asy_counter_entry *e = sorted(L, 1, 0, &n, &box); /* box */
    if (want >= 0 && (lua_Unsigned)want < n)
        n = (size_t)want;
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0); /* buf list */
    for (size_t i = 0; i < n; i++) {
        lua_createtable(L, 2, 0);
        lua_pushlstring(L, e[i].key, e[i].len);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)e[i].count);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    drop_sorted(L, box);
    return 1;
}

/* Iterator over a snapshot (keys, counts, position), so changing the
 * counter inside the loop is safe. */
static int each_next(lua_State *L)
{
    lua_Integer i = lua_tointeger(L, lua_upvalueindex(3)) + 1;
    if (lua_rawgeti(L, lua_upvalueindex(1), i) == LUA_TNIL)
        return 1;
    lua_rawgeti(L, lua_upvalueindex(2), i);
    lua_pushinteger(L, i);
    lua_replace(L, lua_upvalueindex(3));
    return 2;
}

/* c:each([order]) -> iterator of key, count; order "count" (default) or
 * "key". */
static int counter_each(lua_State *L)
{
    static const char *const orders[] = {"count", "key", NULL};
    int by_key = luaL_checkoption(L, 2, "count", orders);
    size_t n;
    int box;
    asy_counter_entry *e = sorted(L, 1, by_key, &n, &box); /* box */
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);  /* box keys */
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);  /* box keys counts */
    for (size_t i = 0; i < n; i++) {
        lua_pushlstring(L, e[i].key, e[i].len);
        lua_rawseti(L, -3, (lua_Integer)i + 1);
        lua_pushinteger(L, (lua_Integer)e[i].count);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    drop_sorted(L, box);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, each_next, 3);
    return 1;
}

/* ---- rows ------------------------------------------------------------- */

#define MAX_ALSO 8

static lua_Integer optint(lua_State *L, int opts, const char *name,
                          lua_Integer dflt)
{
    if (lua_isnoneornil(L, opts))
        return dflt;
    lua_getfield(L, opts, name);
    lua_Integer v = lua_isnil(L, -1) ? dflt : luaL_checkinteger(L, -1);
    lua_pop(L, 1);
    return v;
}

/* Push opts[name] if it is a non-empty table, else nothing; 1 if pushed. */
static int opt_table(lua_State *L, int opts, const char *name)
{
    if (lua_isnoneornil(L, opts) || lua_getfield(L, opts, name) == LUA_TNIL) {
        if (!lua_isnoneornil(L, opts))
            lua_pop(L, 1);
        return 0;
    }
    luaL_argexpected(L, lua_istable(L, -1), opts, "a table for option");
    lua_pushnil(L);
    if (!lua_next(L, -2)) {
        lua_pop(L, 1);
        return 0;
    }
    lua_pop(L, 2);
    return 1;
}

/* Is key (or, with fold, its case-folded form) a key of the table at
 * skip? */
static int skipped(lua_State *L, int skip, const char *key, size_t len,
                   int fold)
{
    lua_pushlstring(L, key, len);
    int hit = lua_rawget(L, skip) != LUA_TNIL && lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (hit || !fold)
        return hit;
    static const asy_tok_opts lower = {ASY_TOK_LOWER, 0, NULL, NULL, 0};
    const char *w;
    size_t n;
    int r = asy_tok_normalise(asy_lua_tokscratch(L), &lower, key, len,
                              ASY_WB_WORD, &w, &n);
    if (r < 0)
        nomem(L);
    if (r == 0 || (n == len && memcmp(w, key, len) == 0))
        return 0;
    lua_pushlstring(L, w, n);
    hit = lua_rawget(L, skip) != LUA_TNIL && lua_toboolean(L, -1);
    lua_pop(L, 1);
    return hit;
}

/* c:rows(out [, {min_count = 1, top = 0, docs = false, also = {counter,
 * ...}, skip = set, fold = false}]) -> rows written. A frequency table
 * written straight from C into the Output out, by count descending then
 * key, without a Lua table or string per row: the columns are the key, its
 * count, its document count (docs = true), then its count in each counter
 * of `also` (out must declare exactly that many).
 * The table ends at the first count below min_count; top > 0 keeps the
 * first top rows; keys found in `skip` (a set such as stop words; with
 * fold = true also their case-folded form) are left out. */
static int counter_rows(lua_State *L)
{
    tocounter(L, 1); /* checked before the options */
    const asy_output_def *def = asy_lua_out_def(L, 2);
    asy_lua_output *out = asy_lua_out_check(L, 2);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_Integer min_count = optint(L, 3, "min_count", 1);
    lua_Integer top = optint(L, 3, "top", 0);
    int fold = optbool(L, 3, "fold", 0);
    int ndocs = optbool(L, 3, "docs", 0); /* 1: a document-count column */
    asy_counter *also[MAX_ALSO];
    int nalso = 0;
    if (opt_table(L, 3, "also")) {
        lua_getfield(L, 3, "also");
        lua_Integer m = luaL_len(L, -1);
        if (m > MAX_ALSO)
            return luaL_error(L, "rows: at most %d counters in also", MAX_ALSO);
        for (lua_Integer i = 1; i <= m; i++) {
            lua_rawgeti(L, -1, i);
            also[nalso++] = readable(L, lua_gettop(L))->c;
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
    int skip = 0;
    if (opt_table(L, 3, "skip")) {
        lua_getfield(L, 3, "skip");
        skip = lua_gettop(L);
    }
    if (def->ncols != 2 + ndocs + nalso)
        return luaL_error(L, "rows: output '%s' has %d columns; rows writes "
                          "the key, the count%s and %d from also",
                          def->name, def->ncols, ndocs ? ", docs" : "",
                          nalso);
    size_t n;
    int box;
    asy_counter_entry *e = sorted(L, 1, 0, &n, &box);
    if (!skip && nalso == 0) { /* the table as it is: from its rows */
        size_t end = asy_counter_count_at_least(e, n, min_count);
        if (top > 0 && (lua_Integer)end > top)
            end = (size_t)top;
        asy_counter_rowset rs = {e, end, ndocs ? ASY_ROWS_DOCS : 0};
        asy_rowsrc src = asy_counter_rowsrc(&rs);
        asy_lua_out_rows(L, out, &src, 0, end);
        drop_sorted(L, box);
        lua_pushinteger(L, (lua_Integer)end);
        return 1;
    }
    assay_value vals[3 + MAX_ALSO];
    memset(vals, 0, sizeof vals);
    lua_Integer rows = 0;
    for (size_t i = 0; i < n && e[i].count >= min_count; i++) {
        if (skip && skipped(L, skip, e[i].key, e[i].len, fold))
            continue;
        vals[0].type = ASSAY_STRING;
        vals[0].s = e[i].key;
        vals[0].len = e[i].len;
        vals[1].type = ASSAY_INTEGER;
        vals[1].i = e[i].count;
        vals[2].type = ASSAY_INTEGER;
        vals[2].i = e[i].docs; /* overwritten by also when !ndocs */
        for (int j = 0; j < nalso; j++) {
            vals[2 + ndocs + j].type = ASSAY_INTEGER;
            vals[2 + ndocs + j].i =
                asy_counter_get(also[j], e[i].key, e[i].len);
        }
        asy_lua_out_emit_to(L, out, vals, 2 + ndocs + nalso);
        if (++rows == top)
            break;
    }
    drop_sorted(L, box);
    lua_pushinteger(L, rows);
    return 1;
}

static int counter_total(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)asy_counter_total(readable(L, 1)->c));
    return 1;
}

static int counter_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)asy_counter_size(readable(L, 1)->c));
    return 1;
}

static int counter_tostring(lua_State *L)
{
    Counter *k = luaL_checkudata(L, 1, ASY_COUNTER_MT);
    if (!k->c)
        lua_pushliteral(L, "Counter(freed)");
    else
        lua_pushfstring(L, "Counter(%I keys, total %I)",
                        (lua_Integer)asy_counter_size(k->c),
                        (lua_Integer)asy_counter_total(k->c));
    return 1;
}

static void free_counter(void *c)
{
    asy_counter_free(c);
}

static int counter_gc(lua_State *L)
{
    Counter *k = luaL_checkudata(L, 1, ASY_COUNTER_MT);
    /* its word table at once (the spare for the entries to come); the
     * rest when the state closes if frees are put off now and it is small
     * beside the word table (the rest of a worker's vocabulary, not a
     * table of n-grams): still charged to the cap until then */
    size_t kept = 0, was = k->c ? asy_counter_memory(k->c) : 0;
    asy_counter_retire_words(k->c);
    size_t rest = k->c ? asy_counter_memory(k->c) : 0;
    if (k->c && rest <= (was - rest) / 2 &&
        asy_lstate_defer(asy_lstate_get(L), free_counter, k->c) == 0)
        kept = rest;
    else
        asy_counter_free(k->c);
    k->c = NULL;
    if (kept > k->charged)
        kept = k->charged;
    asy_lstate_charge(L, -(long long)(k->charged - kept));
    k->charged = 0;
    return 0;
}

void asy_lua_counter_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"add", counter_add},     {"get", counter_get},
        {"docs", counter_docs},
        {"add_words", counter_add_words},
        {"merge", counter_merge}, {"top", counter_top},
        {"each", counter_each},   {"total", counter_total},
        {"rows", counter_rows},
        {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__len", counter_len},
                                    {"__tostring", counter_tostring},
                                    {"__gc", counter_gc},
                                    {NULL, NULL}};
    asy_lua_newclass(L, ASY_COUNTER_MT, methods, meta);
    lua_pop(L, 1);
    luaL_newmetatable(L, ENTRIES_MT);
    lua_pushcfunction(L, entries_gc);
    lua_setfield(L, -2, "__gc");
    lua_pop(L, 1);
}
