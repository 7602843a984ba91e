/*
 * lua_kwic.c — "assay.Pattern" (a compiled kwic.c pattern: words, globs,
 * phrases) with Pattern:kwic(doc) for keyword-in-context rows, and
 * assay.entities for capitalised names (entity.c). Matching and context
 * building run in C; Lua receives finished rows.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "../entity.h"
#include "../kwic.h"
#include "lua_toolkit.h"
#include "lua_types.h"

typedef struct Pattern {
    asy_kwic_pat *p; /* NULL until compiled, and after __gc */
    int lower;
} Pattern;

static Pattern *topattern(lua_State *L, int idx)
{
    Pattern *p = luaL_checkudata(L, idx, ASY_PATTERN_MT);
    if (!p->p)
        luaL_error(L, "attempt to use a freed pattern");
    return p;
}

/* assay.pattern(spec, {lower = true}) -> Pattern */
static int tk_pattern(lua_State *L)
{
    size_t len;
    const char *spec = luaL_checklstring(L, 1, &len);
    int lower = asy_lua_tk_optbool(L, 2, "lower", 1);
    Pattern *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->p = NULL;
    p->lower = lower;
    luaL_setmetatable(L, ASY_PATTERN_MT);
    asy_error err = {0};
    if (asy_kwic_compile(spec, len, lower, &p->p, &err) != ASSAY_OK)
        return luaL_error(L, "%s", err.message);
    return 1;
}

/* Push text[a..b) with every run of white space made one space and the
 * ends trimmed (contexts span line breaks). */
static void push_flat(lua_State *L, const char *text, size_t a, size_t b)
{
    luaL_Buffer buf;
    luaL_buffinit(L, &buf);
    int space = 0;
    for (size_t i = a; i < b; i++) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && luaL_bufflen(&buf) > 0)
            luaL_addchar(&buf, ' ');
        space = 0;
        luaL_addchar(&buf, c);
    }
    luaL_pushresult(&buf);
}

static void push_hit(lua_State *L, const char *text, const asy_wordstream *ws,
                     const asy_kwic_hit *h)
{
    lua_createtable(L, 0, 5);
    lua_pushinteger(L, (lua_Integer)ws->w[h->first].cstart);
    lua_setfield(L, -2, "start");
    lua_pushinteger(L, (lua_Integer)ws->w[h->last - 1].cend);
    lua_setfield(L, -2, "stop");
    push_flat(L, text, h->left, h->match);
    lua_setfield(L, -2, "left");
    push_flat(L, text, h->match, h->right_start);
    lua_setfield(L, -2, "match");
    push_flat(L, text, h->right_start, h->right_end);
    lua_setfield(L, -2, "right");
}

/* pattern:kwic(doc_or_string, {window = 5}) -> { {start, stop, left,
 * match, right}, ... } with start/stop in code points (end-exclusive). */
static int pattern_kwic(lua_State *L)
{
    Pattern *p = topattern(L, 1);
    size_t len;
    const char *text = asy_lua_tk_text(L, 2, &len);
    lua_Integer window = asy_lua_tk_optint(L, 3, "window", 5);
    if (window < 0 || window > 1000)
        return luaL_error(L, "window must be 0..1000 words (got %I)", window);
    unsigned flags = ASY_WS_NUMBERS | (p->lower ? ASY_WS_LOWER : 0);
    asy_wordstream *ws = asy_lua_tk_words(L, text, len, flags, 0, 3);
    asy_kwic_hit *h;
    size_t n;
    if (asy_kwic_find(p->p, ws, (size_t)window, &h, &n) < 0)
        return luaL_error(L, "not enough memory");
    asy_kwic_hit *copy = lua_newuserdatauv(L, n ? n * sizeof *h : 1, 0);
    if (n)
        memcpy(copy, h, n * sizeof *h);
    free(h);
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0); /* buf rows */
    for (size_t i = 0; i < n; i++) {
        push_hit(L, text, ws, &copy[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    return 1;
}

static int pattern_gc(lua_State *L)
{
    Pattern *p = luaL_checkudata(L, 1, ASY_PATTERN_MT);
    asy_kwic_free(p->p);
    p->p = NULL;
    return 0;
}

/* assay.entities(doc_or_string, counts, docs_or_nil, {min_words = 2,
 * abbreviations = path}) -> number of names counted */
static int tk_entities(lua_State *L)
{
    size_t len;
    const char *text = asy_lua_tk_text(L, 1, &len);
    asy_counter *counts = asy_lua_tk_counter(L, 2, 0);
    asy_counter *docs = asy_lua_tk_counter(L, 3, 1);
    lua_Integer minw = asy_lua_tk_optint(L, 4, "min_words", 2);
    if (minw < 1 || minw > 100)
        return luaL_error(L, "min_words must be 1..100 (got %I)", minw);
    asy_wordstream *ws = asy_lua_tk_words(L, text, len, 0, 1, 4);
    long n = asy_entities_count(text, ws, (int)minw, counts, docs);
    if (n < 0)
        return luaL_error(L, "not enough memory");
    asy_lua_counter_charge(L, 2);
    if (docs)
        asy_lua_counter_charge(L, 3);
    lua_pushinteger(L, n);
    return 1;
}

void asy_lua_kwic_open(lua_State *L)
{
    static const luaL_Reg methods[] = {{"kwic", pattern_kwic}, {NULL, NULL}};
    static const luaL_Reg meta[] = {{"__gc", pattern_gc}, {NULL, NULL}};
    static const luaL_Reg fns[] = {{"pattern", tk_pattern},
                                   {"entities", tk_entities},
                                   {NULL, NULL}};
    asy_lua_newclass(L, ASY_PATTERN_MT, methods, meta);
    lua_pop(L, 1);
    luaL_setfuncs(L, fns, 0);
}
