/*
 * lua_kwic.c — assay.pattern (a kwic pattern compiled into an
 * assay.Dictionary, kwic.c) and assay.kwic (the matches of any Dictionary
 * with their contexts in words), and assay.entities for capitalised names
 * (entity.c). Matching and context building run in C.
 */
#include <lauxlib.h>

#include "../entity.h"
#include "../kwic.h"
#include "lua_dict.h"
#include "lua_toolkit.h"
#include "lua_types.h"

/* assay.pattern(spec [, {stem = LANG}]) -> Dictionary with one category
 * "pattern": the alternatives of spec as entries, so that kwic patterns
 * follow the dictionary's rules. Checked by kwic.c (which says which
 * alternative is wrong), then built by assay.dictionary from a table, which
 * charges its memory. */
static int tk_pattern(lua_State *L)
{
    size_t len;
    const char *spec = luaL_checklstring(L, 1, &len);
    if (!lua_isnoneornil(L, 2))
        luaL_checktype(L, 2, LUA_TTABLE);
    if (!asy_lua_tk_optbool(L, 2, "lower", 1))
        return luaL_error(L, "assay.pattern: lower=false is not supported "
                          "(patterns match like dictionary entries, case "
                          "folded)");
    lua_settop(L, 2);
    lua_createtable(L, 0, 1); /* spec opts {stem = opts.stem} */
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_getfield(L, 2, "stem");
        lua_setfield(L, -2, "stem");
    }
    lua_replace(L, 2);
    asy_dict *d; /* checked here, built below from a table */
    asy_error err = {0};
    if (asy_kwic_pattern(spec, len, &d, &err) != ASSAY_OK)
        return luaL_error(L, "%s", err.message);
    asy_dict_free(d);
    lua_createtable(L, 0, 1); /* {pattern = {alternatives}} */
    lua_newtable(L);
    size_t pos = 0, a, n;
    for (lua_Integer k = 1; asy_kwic_next(spec, len, &pos, &a, &n); k++) {
        lua_pushlstring(L, spec + a, n);
        lua_rawseti(L, -2, k);
    }
    lua_setfield(L, -2, "pattern");
    lua_replace(L, 1); /* {pattern = ...} {stem = ...} */
    return asy_lua_dict_new(L);
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

/* Integer field `name` of the table on top, or -1 if not an integer. */
static lua_Integer intfield(lua_State *L, const char *name)
{
    lua_getfield(L, -1, name);
    lua_Integer v = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
    lua_pop(L, 1);
    return v;
}

/* Add left, match and right to the match table on top, from its
 * byte_start (1-based) and byte_end (inclusive), as d:matches gives them. */
static void add_context(lua_State *L, const char *text, size_t len,
                        const asy_wordstream *ws, size_t window)
{
    lua_Integer bs = intfield(L, "byte_start"), be = intfield(L, "byte_end");
    if (bs < 1 || be < bs - 1 || (size_t)be > len)
        luaL_error(L, "assay.kwic: a match has no valid byte_start/byte_end");
    asy_kwic_hit h;
    asy_kwic_context(ws, (size_t)bs - 1, (size_t)be, window, &h);
    push_flat(L, text, h.left, h.match);
    lua_setfield(L, -2, "left");
    push_flat(L, text, h.match, h.right_start);
    lua_setfield(L, -2, "match");
    push_flat(L, text, h.right_start, h.right_end);
    lua_setfield(L, -2, "right");
}

/* assay.kwic(doc_or_string, dictionary, {window = 5, level = 0}) ->
 * d:matches(doc, {level}) with left, match and right added to each row:
 * `window` words (UAX #29 words and numbers) of context each side, white
 * space flattened. */
static int tk_kwic(lua_State *L)
{
    size_t len;
    const char *text = asy_lua_tk_text(L, 1, &len);
    luaL_checkudata(L, 2, ASY_DICT_MT);
    if (!lua_isnoneornil(L, 3))
        luaL_checktype(L, 3, LUA_TTABLE);
    lua_Integer window = asy_lua_tk_optint(L, 3, "window", 5);
    lua_Integer level = asy_lua_tk_optint(L, 3, "level", 0);
    if (window < 0 || window > 1000)
        return luaL_error(L, "window must be 0..1000 words (got %I)", window);
    lua_settop(L, 3);
    lua_getfield(L, 2, "matches"); /* d:matches(doc, {level = level}) */
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 1);
    lua_createtable(L, 0, 1);
    lua_pushinteger(L, level);
    lua_setfield(L, -2, "level");
    lua_call(L, 3, 1); /* ... matches */
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    if (n == 0)
        return 1;
    asy_wordstream *ws = asy_lua_tk_words(L, text, len, ASY_WS_NUMBERS, 0, 3);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        luaL_checktype(L, -1, LUA_TTABLE);
        add_context(L, text, len, ws, (size_t)window);
        lua_pop(L, 1);
    }
    return 1;
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
    static const luaL_Reg fns[] = {{"pattern", tk_pattern},
                                   {"kwic", tk_kwic},
                                   {"entities", tk_entities},
                                   {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
