/*
 * lua_dict.c — "assay.Dictionary": a topic dictionary (dict.c) loaded from
 * a file or a Lua table, matched in C over a document's tokens. Lua sees
 * per-category counts, the matched spans for auditing, and can add counts
 * straight into a Counter so that aggregation never loops in Lua.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "../dict.h"
#include "lua_dict.h"
#include "lua_state.h"
#include "lua_types.h"

typedef struct Dict {
    asy_dict *d;         /* NULL until loaded, and after __gc */
    asy_dict_scratch *s; /* this state's matcher memory */
    long long charged;
    int *lvcats;         /* categories counted at level lvlevel (rows) */
    size_t *lvlen;       /* their paths' lengths */
    int64_t *counts;     /* per-category counts of the last text */
    size_t ncounts;
    int nlv, lvlevel;    /* lvlevel -1: not computed */
} Dict;

static Dict *todict(lua_State *L, int idx)
{
    Dict *k = luaL_checkudata(L, idx, ASY_DICT_MT);
    if (!k->d)
        luaL_error(L, "attempt to use a freed dictionary");
    return k;
}

static int dict_gc(lua_State *L)
{
    Dict *k = luaL_checkudata(L, 1, ASY_DICT_MT);
    asy_dict_free(k->d);
    asy_dict_scratch_free(k->s);
    free(k->lvcats);
    free(k->lvlen);
    free(k->counts);
    k->d = NULL;
    k->s = NULL;
    k->lvcats = NULL;
    k->lvlen = NULL;
    k->counts = NULL;
    k->ncounts = 0;
    asy_lstate_charge(L, -k->charged);
    k->charged = 0;
    return 0;
}

/* ===== building from a Lua table ======================================== */

static void raise_err(lua_State *L, const asy_error *err)
{
    char buf[2048];
    luaL_error(L, "%s", asy_error_format(err, buf, sizeof buf));
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void from_table(lua_State *L, asy_dict *d, int idx, const char *path,
                       int depth);

/* One string key of a dictionary table: a subtable or a single term. */
static void from_key(lua_State *L, asy_dict *d, int idx, const char *key,
                     const char *path, int depth)
{
    asy_error err;
    lua_pushfstring(L, "%s%s%s", path, *path ? "/" : "", key); /* path */
    lua_getfield(L, idx, key);                                /* path v */
    const char *sub = lua_tostring(L, -2);
    if (lua_type(L, -1) == LUA_TTABLE)
        from_table(L, d, -1, sub, depth + 1);
    else if (lua_type(L, -1) == LUA_TSTRING) {
        size_t len;
        const char *t = lua_tolstring(L, -1, &len);
        int c = asy_dict_category(d, sub, &err);
        if (c < 0 || asy_dict_add(d, c, t, len, 1, NULL, 0, &err) != ASSAY_OK)
            luaL_error(L, "dictionary table: '%s': %s", sub, err.message);
    } else
        luaL_error(L, "dictionary table: '%s' must be a table of terms or a "
                   "term", sub);
    lua_pop(L, 2);
}

/* Entries of the table at idx under category `path`: array items are
 * terms (strings), string keys are subcategories, visited in sorted order
 * so that category order never depends on the hash order. */
static void from_table(lua_State *L, asy_dict *d, int idx, const char *path,
                       int depth)
{
    asy_error err;
    if (depth > 32)
        luaL_error(L, "dictionary table nested more than 32 levels");
    idx = lua_absindex(L, idx);
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > 0 && !*path)
        luaL_error(L, "dictionary table: terms need a category key");
    int cat = *path ? asy_dict_category(d, path, &err) : -1;
    if (*path && cat < 0)
        raise_err(L, &err);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len;
        lua_rawgeti(L, idx, i); /* term */
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "dictionary table: entry %I of '%s' is not a "
                       "string", i, path);
        const char *t = lua_tolstring(L, -1, &len);
        if (asy_dict_add(d, cat, t, len, 1, NULL, 0, &err) != ASSAY_OK)
            luaL_error(L, "dictionary table: category '%s' entry %I: %s",
                       path, i, err.message);
        lua_pop(L, 1);
    }
    size_t nk = 0;
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1))
        nk += lua_type(L, -2) == LUA_TSTRING;
    const char **keys = lua_newuserdatauv(L, (nk ? nk : 1) * sizeof *keys, 0);
    nk = 0; /* keys stay alive: the table holds them */
    for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
        if (lua_type(L, -2) == LUA_TSTRING)
            keys[nk++] = lua_tostring(L, -2);
        else if (!lua_isinteger(L, -2))
            luaL_error(L, "dictionary table: keys are category names");
    }
    qsort(keys, nk, sizeof *keys, cmpstr);
    for (size_t i = 0; i < nk; i++)
        from_key(L, d, idx, keys[i], path, depth);
    lua_pop(L, 1); /* keys */
}

/* ===== construction ======================================================= */

/* Account the dictionary's memory (roughly: entries and categories, the
 * matcher scratch's fixed tables, and ~100 KB for its token window and
 * word cache as they grow) against the state's cap. */
static void charge(lua_State *L, Dict *k)
{
    long long now = (long long)(asy_dict_nentries(k->d) * 160 +
                                asy_dict_ncategories(k->d) * 64 + 100000 +
                                asy_dict_scratch_size());
    long long delta = now - k->charged;
    k->charged = now;
    if (asy_lstate_charge(L, delta) < 0)
        luaL_error(L, "not enough memory (dictionary of %I entries)",
                   (lua_Integer)asy_dict_nentries(k->d));
}

static const char *optstring(lua_State *L, int opts, const char *name)
{
    if (lua_isnoneornil(L, opts))
        return NULL;
    lua_getfield(L, opts, name);
    const char *s = lua_isnil(L, -1) ? NULL : lua_tostring(L, -1);
    if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "option '%s' must be a string", name);
    lua_pop(L, 1); /* the string stays referenced by opts */
    return s;
}

/* assay.dictionary(path_or_table [, {format=, stem=LANG}]) -> Dictionary.
 * A bad file raises an error naming the file and line. Userdata first,
 * like liolib's newprefile, so an error while filling it leaks nothing. */
int asy_lua_dict_new(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TTABLE)
        return luaL_typeerror(L, 1, "file path or table");
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    const char *format = optstring(L, 2, "format");
    Dict *k = lua_newuserdatauv(L, sizeof *k, 0); /* ... D */
    memset(k, 0, sizeof *k);
    k->lvlevel = -1;
    luaL_setmetatable(L, ASY_DICT_MT);
    asy_error err;
    if (lua_type(L, 1) == LUA_TSTRING) {
        k->d = asy_dict_load(lua_tostring(L, 1), format, &err);
        if (!k->d)
            raise_err(L, &err);
    } else {
        if (!(k->d = asy_dict_new()))
            return luaL_error(L, "not enough memory");
        from_table(L, k->d, 1, "", 0);
        if (asy_dict_compile(k->d, &err) != ASSAY_OK)
            raise_err(L, &err);
    }
    const char *stem = optstring(L, 2, "stem");
    if (stem && *stem && asy_dict_set_stem(k->d, stem, &err) != ASSAY_OK)
        raise_err(L, &err);
    if (!(k->s = asy_dict_scratch_new()))
        return luaL_error(L, "not enough memory");
    charge(L, k);
    return 1;
}

/* ===== matching ================================================================ */

/* The text of argument idx: a Document (its own bytes, no copy) or a
 * string. */
static const char *totext(lua_State *L, int idx, size_t *len)
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

static lua_Integer optlevel(lua_State *L, int opts)
{
    if (lua_isnoneornil(L, opts))
        return 0;
    luaL_checktype(L, opts, LUA_TTABLE);
    lua_getfield(L, opts, "level");
    lua_Integer v = lua_isnil(L, -1) ? 0 : lua_tointeger(L, -1);
    if (!lua_isnil(L, -1) && (!lua_isinteger(L, -1) || v < 0))
        luaL_error(L, "option 'level' must be an integer >= 0");
    lua_pop(L, 1);
    return v;
}

/* Per-category counts of a text, in the Dict's own array (reused from
 * text to text instead of a new userdata each time: valid until the
 * next call). */
static int64_t *count(lua_State *L, Dict *k, int textidx, int level,
                      double *scores, int64_t *words)
{
    size_t len, nc = asy_dict_ncategories(k->d);
    const char *text = totext(L, textidx, &len);
    if (k->ncounts < (nc ? nc : 1)) {
        free(k->counts);
        k->ncounts = 0;
        if (!(k->counts = malloc((nc ? nc : 1) * sizeof *k->counts)))
            luaL_error(L, "not enough memory");
        k->ncounts = nc ? nc : 1;
    }
    int64_t *c = k->counts;
    memset(c, 0, (nc ? nc : 1) * sizeof *c);
    if (asy_dict_count(k->d, k->s, text, len, level, c, scores, words) != 0)
        luaL_error(L, "not enough memory");
    return c;
}

/* Is option `weighted` true in the table at opts? */
static int optweighted(lua_State *L, int opts)
{
    if (lua_isnoneornil(L, opts))
        return 0;
    lua_getfield(L, opts, "weighted");
    if (!lua_isnil(L, -1) && !lua_isboolean(L, -1))
        luaL_error(L, "option 'weighted' must be a boolean");
    int on = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return on;
}

/* d:match(doc_or_string [, {level=N, weighted=false}]) ->
 * {category = count, ...}, words. Only categories with a non-zero count
 * appear. With weighted = true the values are the sums of the matched
 * entries' weights (weighted dictionaries: CSV's third column, .dicx
 * numbers, WordStat's); an entry without a weight weighs 1. */
static int dict_match(lua_State *L)
{
    Dict *k = todict(L, 1);
    int level = (int)optlevel(L, 3);
    size_t nc = asy_dict_ncategories(k->d);
    double *w = NULL; /* weight sums, Lua-owned: an error frees them */
    if (optweighted(L, 3)) {
        w = lua_newuserdatauv(L, (nc ? nc : 1) * sizeof *w, 0);
        memset(w, 0, (nc ? nc : 1) * sizeof *w);
    }
    int64_t words;
    int64_t *c = count(L, k, 2, level, w, &words);
    lua_newtable(L); /* ... t */
    for (size_t i = 0; i < nc; i++) {
        if (!c[i])
            continue;
        if (w)
            lua_pushnumber(L, w[i]);
        else
            lua_pushinteger(L, (lua_Integer)c[i]);
        lua_setfield(L, -2, asy_dict_category_path(k->d, (int)i));
    }
    lua_pushinteger(L, (lua_Integer)words);
    return 2;
}

/* d:count_into(doc_or_string, counter [, {level=N, prefix=""}]) -> words.
 * Adds each category's count under the key prefix..category (nothing for
 * zero counts), so a plugin can aggregate by date or field in C. */
static int dict_count_into(lua_State *L)
{
    Dict *k = todict(L, 1);
    asy_counter *ctr = asy_lua_counter_test(L, 3);
    if (!ctr)
        return luaL_typeerror(L, 3, ASY_COUNTER_MT);
    int level = (int)optlevel(L, 4);
    const char *prefix = optstring(L, 4, "prefix");
    int64_t words;
    int64_t *c = count(L, k, 2, level, NULL, &words);
    luaL_Buffer b;
    for (size_t i = 0; i < asy_dict_ncategories(k->d); i++) {
        if (!c[i])
            continue;
        luaL_buffinit(L, &b);
        luaL_addstring(&b, prefix ? prefix : "");
        luaL_addstring(&b, asy_dict_category_path(k->d, (int)i));
        luaL_pushresult(&b); /* ... key */
        size_t kl;
        const char *key = lua_tolstring(L, -1, &kl);
        if (asy_counter_add(ctr, key, kl, c[i]) < 0)
            return luaL_error(L, "not enough memory");
        lua_pop(L, 1);
    }
    asy_lua_counter_charge(L, 3);
    lua_pushinteger(L, (lua_Integer)words);
    return 1;
}

/* The categories counted at `level`, in dictionary order: every category
 * (level 0), else those at depth `level` and the shallower leaves. A
 * child always comes after its parent (asy_dict_category creates the
 * ancestors first). Cached for the last level asked. */
static const int *level_cats(lua_State *L, Dict *k, int level, int *n)
{
    size_t nc = asy_dict_ncategories(k->d);
    if (k->lvlevel != level || !k->lvcats) {
        free(k->lvcats);
        free(k->lvlen);
        k->lvlevel = -1;
        k->lvcats = malloc((nc ? nc : 1) * 2 * sizeof *k->lvcats);
        k->lvlen = malloc((nc ? nc : 1) * sizeof *k->lvlen);
        if (!k->lvcats || !k->lvlen)
            luaL_error(L, "not enough memory");
        int *inner = k->lvcats + nc; /* 1: has a child after it */
        memset(inner, 0, (nc ? nc : 1) * sizeof *inner);
        for (size_t j = 0; j < nc; j++) {
            int p = asy_dict_category_parent(k->d, (int)j);
            if (p >= 0 && (size_t)p < j)
                inner[p] = 1;
        }
        k->nlv = 0;
        for (size_t i = 0; i < nc; i++) {
            int depth = asy_dict_category_depth(k->d, (int)i);
            if (level > 0 && !(depth == level || (depth < level && !inner[i])))
                continue;
            k->lvlen[k->nlv] = strlen(asy_dict_category_path(k->d, (int)i));
            k->lvcats[k->nlv++] = (int)i;
        }
        k->lvlevel = level;
    }
    *n = k->nlv;
    return k->lvcats;
}

/* per_1000 as topics.lua computed it: floor(count * 1e6 / words + 0.5)
 * / 1000 (an integer 0 when there are no words). */
static assay_value rate(int64_t count, int64_t words)
{
    assay_value v = {ASSAY_INTEGER, 0, 0, NULL, 0};
    if (words <= 0)
        return v;
    v.type = ASSAY_NUMBER;
    /* wraps like Lua integer arithmetic */
    int64_t scaled = (int64_t)((uint64_t)count * 1000000u);
    double r = floor((double)scaled / (double)words + 0.5);
    v.d = (double)(int64_t)r / 1000;
    return v;
}

/* The document's date as tostring(doc.date) gives it, or nil; a non-string
 * value is converted by Lua and left on the stack. */
static assay_value doc_date(lua_State *L, const asy_doc *doc)
{
    assay_value v = {ASSAY_NIL, 0, 0, NULL, 0};
    const asy_meta_entry *e = asy_meta_get(&doc->meta, "date");
    if (!e || (e->type == ASY_META_BOOLEAN && !e->i))
        return v;
    v.type = ASSAY_STRING;
    if (e->type == ASY_META_STRING) {
        v.s = e->str ? e->str : "";
        v.len = e->len;
        return v;
    }
    if (e->type == ASY_META_INTEGER)
        lua_pushinteger(L, (lua_Integer)e->i);
    else if (e->type == ASY_META_NUMBER)
        lua_pushnumber(L, e->d);
    else
        lua_pushboolean(L, 1);
    v.s = luaL_tolstring(L, -1, &v.len);
    return v;
}

enum { C_ID, C_DATE, C_TOPIC, C_COUNT, C_RATE, C_NONE };

static int column_role(const char *name)
{
    static const char *const names[] = {"doc_id", "date", "topic", "count",
                                        "per_1000"};
    for (int i = 0; i < C_NONE; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return C_NONE;
}

/* d:rows(doc, out [, {level=N}]) -> words, rows. Writes one row per
 * category with a non-zero count into out, in categories(level) order:
 * the columns named doc_id, date, topic, count and per_1000 (matches x
 * 1000 / words, 3 decimals) are filled, any other column is nil. The
 * per-document loop of topics.lua, without a Lua table per row. */
static int dict_rows(lua_State *L)
{
    Dict *k = todict(L, 1);
    asy_doc *doc = asy_lua_doc_test(L, 2);
    if (!doc)
        return luaL_typeerror(L, 2, ASY_DOC_MT);
    const asy_output_def *def = asy_lua_out_def(L, 3);
    asy_lua_output *out = asy_lua_out_check(L, 3);
    int level = (int)optlevel(L, 4), n, nrows = 0;
    int64_t words;
    int64_t *c = count(L, k, 2, level, NULL, &words);
    const int *cats = level_cats(L, k, level, &n);
    if (def->ncols > 64)
        return luaL_error(L, "d:rows: too many columns");
    /* the row's cells that are the same for every category, once; the
     * columns of the others */
    assay_value v[64], date = doc_date(L, doc);
    int topic = -1, cnt = -1, per = -1;
    for (int j = 0; j < def->ncols; j++) {
        v[j] = (assay_value){ASSAY_NIL, 0, 0, NULL, 0};
        switch (column_role(def->columns[j])) {
        case C_ID: v[j] = (assay_value){ASSAY_STRING, 0, 0, doc->id,
                                        strlen(doc->id)}; break;
        case C_DATE: v[j] = date; break;
        case C_TOPIC: topic = j; break;
        case C_COUNT: cnt = j; break;
        case C_RATE: per = j; break;
        default: break;
        }
    }
    for (int i = 0; i < n; i++) {
        int64_t m = c[cats[i]];
        if (!m)
            continue;
        if (topic >= 0) /* columns are unique (checked at load) */
            v[topic] = (assay_value){ASSAY_STRING, 0, 0,
                asy_dict_category_path(k->d, cats[i]), k->lvlen[i]};
        if (cnt >= 0)
            v[cnt] = (assay_value){ASSAY_INTEGER, m, 0, NULL, 0};
        if (per >= 0)
            v[per] = rate(m, words);
        asy_lua_out_emit_to(L, out, v, def->ncols);
        nrows++;
    }
    lua_pushinteger(L, (lua_Integer)words);
    lua_pushinteger(L, nrows);
    return 2;
}

/* ===== auditing ==================================================================== */

typedef struct collect {
    lua_State *L;
    Dict *k;
    const char *text;
    int level;
    lua_Integer n;
    asy_counter *terms; /* add_terms: category\tterm -> count */
    asy_buf fold, key;
} collect;

/* The matched text folded like tokens, white space runs as one space. */
static int folded(collect *c, const asy_dict_match *m)
{
    asy_buf_clear(&c->fold);
    if (asy_dict_fold(c->text + m->start, m->end - m->start, &c->fold) < 0)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < c->fold.len; i++) {
        char ch = c->fold.data[i];
        int sp = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
        if (sp && o && c->fold.data[o - 1] == ' ')
            continue;
        c->fold.data[o++] = sp ? ' ' : ch;
    }
    c->fold.len = o;
    return 0;
}

/* One row of d:matches(): {category, categories, term, text, start, stop,
 * byte_start, byte_end}; offsets like Span's. */
static int on_match(void *ud, const asy_dict_match *m)
{
    collect *c = ud;
    lua_State *L = c->L;
    asy_dict_entry_info e;
    asy_dict_entry(c->k->d, m->entry, &e);
    lua_createtable(L, 0, 8); /* list row */
    lua_createtable(L, e.ncats, 0);
    for (int i = 0; i < e.ncats; i++) {
        int cat = asy_dict_category_at(c->k->d, e.cats[i], c->level);
        lua_pushstring(L, asy_dict_category_path(c->k->d, cat));
        lua_rawseti(L, -2, i + 1);
    }
    lua_rawgeti(L, -1, 1);
    lua_setfield(L, -3, "category");
    lua_setfield(L, -2, "categories");
    lua_pushstring(L, e.term);
    lua_setfield(L, -2, "term");
    lua_pushlstring(L, c->text + m->start, m->end - m->start);
    lua_setfield(L, -2, "text");
    lua_pushinteger(L, (lua_Integer)m->cstart);
    lua_setfield(L, -2, "start");
    lua_pushinteger(L, (lua_Integer)m->cend);
    lua_setfield(L, -2, "stop");
    lua_pushinteger(L, (lua_Integer)m->start + 1);
    lua_setfield(L, -2, "byte_start");
    lua_pushinteger(L, (lua_Integer)m->end);
    lua_setfield(L, -2, "byte_end");
    lua_rawseti(L, -2, ++c->n);
    return 0;
}

/* d:matches(doc_or_string [, {level=N}]) -> array of matches in text order */
static int dict_matches(lua_State *L)
{
    Dict *k = todict(L, 1);
    size_t len;
    collect c = {L, k, totext(L, 2, &len), (int)optlevel(L, 3), 0, NULL,
                 ASY_BUF_INIT, ASY_BUF_INIT};
    lua_newtable(L);
    if (asy_dict_scan(k->d, k->s, c.text, len, on_match, &c, NULL) != 0)
        return luaL_error(L, "not enough memory");
    return 1;
}

static int on_term(void *ud, const asy_dict_match *m)
{
    collect *c = ud;
    asy_dict_entry_info e;
    asy_dict_entry(c->k->d, m->entry, &e);
    if (folded(c, m) < 0)
        return -1;
    for (int i = 0; i < e.ncats; i++) {
        int cat = asy_dict_category_at(c->k->d, e.cats[i], c->level);
        asy_buf_clear(&c->key);
        if (asy_buf_puts(&c->key, asy_dict_category_path(c->k->d, cat)) < 0 ||
            asy_buf_putc(&c->key, '\t') < 0 ||
            asy_buf_append(&c->key, c->fold.data, c->fold.len) < 0 ||
            asy_counter_add(c->terms, c->key.data, c->key.len, 1) < 0)
            return -1;
    }
    c->n++;
    return 0;
}

/* d:add_terms(doc_or_string, counter [, {level=N}]) -> matches.
 * Adds 1 under "category\tterm" for every match, term being the matched
 * text folded like tokens: what topic_terms.csv reports. */
static int dict_add_terms(lua_State *L)
{
    Dict *k = todict(L, 1);
    asy_counter *ctr = asy_lua_counter_test(L, 3);
    if (!ctr)
        return luaL_typeerror(L, 3, ASY_COUNTER_MT);
    size_t len;
    collect c = {L, k, totext(L, 2, &len), (int)optlevel(L, 4), 0, ctr,
                 ASY_BUF_INIT, ASY_BUF_INIT};
    int rc = asy_dict_scan(k->d, k->s, c.text, len, on_term, &c, NULL);
    asy_buf_free(&c.fold);
    asy_buf_free(&c.key);
    if (rc != 0)
        return luaL_error(L, "not enough memory");
    asy_lua_counter_charge(L, 3);
    lua_pushinteger(L, c.n);
    return 1;
}

/* ===== description ==================================================================== */

/* d:categories([level]) -> array of category paths in dictionary order:
 * every category (level 0, the default) or those counted at `level`. */
static int dict_categories(lua_State *L)
{
    Dict *k = todict(L, 1);
    lua_Integer level = luaL_optinteger(L, 2, 0);
    int n;
    const int *cats = level_cats(L, k, level < 0   ? 0
                                       : level > 1000 ? 1000
                                                     : (int)level, &n);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, asy_dict_category_path(k->d, cats[i]));
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

static int dict_len(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)asy_dict_nentries(todict(L, 1)->d));
    return 1;
}

static int dict_tostring(lua_State *L)
{
    Dict *k = luaL_checkudata(L, 1, ASY_DICT_MT);
    if (!k->d)
        lua_pushliteral(L, "assay.Dictionary (freed)");
    else
        lua_pushfstring(L, "assay.Dictionary (%I entries, %I categories)",
                        (lua_Integer)asy_dict_nentries(k->d),
                        (lua_Integer)asy_dict_ncategories(k->d));
    return 1;
}

void asy_lua_dict_open(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"match", dict_match},           {"matches", dict_matches},
        {"count_into", dict_count_into}, {"add_terms", dict_add_terms},
        {"categories", dict_categories}, {"rows", dict_rows},
        {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__gc", dict_gc},
                                    {"__close", dict_gc},
                                    {"__len", dict_len},
                                    {"__tostring", dict_tostring},
                                    {NULL, NULL}};
    asy_lua_newclass(L, ASY_DICT_MT, methods, meta);
    lua_pop(L, 1);
}
