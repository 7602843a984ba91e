/*
 * lua_span.c — "assay.Span": a view of a stretch of the current document.
 * start/stop are code-point offsets (0-based, end-exclusive, as Python
 * slicing); byte_start/byte_end are 1-based inclusive byte positions for
 * Lua's string.sub. A span keeps its Document view alive and checks it on
 * every use, so a span kept past document() fails with a clear error.
 */
#include <string.h>

#include <lauxlib.h>

#include "lua_types.h"

typedef struct Span {
    size_t bstart, bend;   /* bytes, 0-based, end-exclusive */
    size_t cpstart, cpend; /* code points, 0-based, end-exclusive */
    int index;             /* position in its list, 1-based; 0 if none */
} Span;

static Span *tospan(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, ASY_SPAN_MT);
}

/* The span at idx, checked live: its Document view (user value 1) must
 * not have been retired. */
static Span *live(lua_State *L, int idx, asy_doc **doc)
{
    Span *s = tospan(L, idx);
    lua_getiuservalue(L, idx, 1); /* docview */
    asy_doc *d = asy_lua_doc_peek(L, -1);
    if (!d) {
        asy_lua_doc_pushid(L, lua_gettop(L));
        luaL_error(L, "span from document '%s' used after document() "
                   "returned", lua_tostring(L, -1));
    }
    lua_pop(L, 1);
    if (doc)
        *doc = d;
    return s;
}

static int span_text(lua_State *L)
{
    asy_doc *d;
    Span *s = live(L, 1, &d);
    if (s->bend > d->len || s->bstart > s->bend)
        return luaL_error(L, "span outside its document");
    lua_pushlstring(L, d->text + s->bstart, s->bend - s->bstart);
    return 1;
}

static const luaL_Reg methods[] = {{"text", span_text}, {NULL, NULL}};

static int span_index(lua_State *L)
{
    Span *s = live(L, 1, NULL);
    const char *k = lua_tostring(L, 2);
    if (lua_type(L, 2) != LUA_TSTRING)
        k = "";
    lua_Integer v;
    if (strcmp(k, "start") == 0)
        v = (lua_Integer)s->cpstart;
    else if (strcmp(k, "stop") == 0 || strcmp(k, "end") == 0)
        v = (lua_Integer)s->cpend;
    else if (strcmp(k, "byte_start") == 0)
        v = (lua_Integer)s->bstart + 1;
    else if (strcmp(k, "byte_end") == 0)
        v = (lua_Integer)s->bend;
    else {
        lua_pushvalue(L, 2);
        lua_rawget(L, lua_upvalueindex(1)); /* a method or nil */
        return 1;
    }
    lua_pushinteger(L, v);
    return 1;
}

static int span_len(lua_State *L)
{
    Span *s = live(L, 1, NULL);
    lua_pushinteger(L, (lua_Integer)(s->cpend - s->cpstart));
    return 1;
}

/* Works on a retired span too: it only prints the stored offsets, and
 * error messages often call tostring. */
static int span_tostring(lua_State *L)
{
    Span *s = tospan(L, 1);
    lua_pushfstring(L, "Span(%I, %I)", (lua_Integer)s->cpstart,
                    (lua_Integer)s->cpend);
    return 1;
}

static int span_newindex(lua_State *L)
{
    return luaL_error(L, "a span is read-only");
}

/* `for p in list do`: the generic for calls list(nil, previous). The
 * previous span's index finds the next one, so nested loops over the same
 * list work. */
static int spanlist_call(lua_State *L)
{
    lua_Integer next = 1;
    if (!lua_isnoneornil(L, 3)) {
        Span *prev = tospan(L, 3);
        next = prev->index + 1;
        lua_rawgeti(L, 1, prev->index); /* must still be in place */
        if (prev->index <= 0 || !lua_rawequal(L, -1, 3))
            return luaL_error(L, "span list changed during iteration");
    }
    lua_rawgeti(L, 1, next);
    return 1;
}

void asy_lua_span_push(lua_State *L, int docidx, size_t bstart, size_t bend,
                       size_t cpstart, size_t cpend, int index)
{
    docidx = lua_absindex(L, docidx);
    Span *s = lua_newuserdatauv(L, sizeof *s, 1);
    s->bstart = bstart;
    s->bend = bend;
    s->cpstart = cpstart;
    s->cpend = cpend;
    s->index = index;
    luaL_setmetatable(L, ASY_SPAN_MT);
    lua_pushvalue(L, docidx);
    lua_setiuservalue(L, -2, 1);
}

void asy_lua_spanlist_setmeta(lua_State *L)
{
    luaL_setmetatable(L, ASY_SPANLIST_MT);
}

void asy_lua_span_open(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__len", span_len},
                                    {"__tostring", span_tostring},
                                    {"__newindex", span_newindex},
                                    {NULL, NULL}};
    static const luaL_Reg listmeta[] = {{"__call", spanlist_call},
                                        {NULL, NULL}};
    asy_lua_newclass(L, ASY_SPAN_MT, NULL, meta);
    luaL_newlib(L, methods);
    lua_pushcclosure(L, span_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    asy_lua_newclass(L, ASY_SPANLIST_MT, NULL, listmeta);
    lua_pop(L, 1);
}
