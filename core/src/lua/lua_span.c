/*
 * lua_span.c — "assay.Span": a view of a stretch of the current document.
 * start/stop are code-point offsets (0-based, end-exclusive, as Python
 * slicing); byte_start/byte_end are 1-based inclusive byte positions for
 * Lua's string.sub. A span keeps its Document view alive and checks it on
 * every use, so a span kept past document() fails with a clear error.
 * Typed spans add fields: words (kind, norm), quotations (open, close,
 * status, depth, inner, segments) and sections (heading, paragraphs); the
 * quotation and section data are read back from the document's C cache.
 */
#include <string.h>

#include <lauxlib.h>

#include "../structure.h"
#include "lua_types.h"

typedef struct Span {
    size_t bstart, bend;   /* bytes, 0-based, end-exclusive */
    size_t cpstart, cpend; /* code points, 0-based, end-exclusive */
    int index;             /* position in its list, 1-based; 0 if none */
    int type;              /* ASY_SPAN_* */
    int kind;              /* words: asy_wb_kind */
    size_t ref;            /* quotations, sections: cache index */
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

/* Push a plain span over [b0, b1) of the same document as span 1. */
static void push_plain(lua_State *L, asy_doc *d, size_t b0, size_t b1,
                       int index)
{
    lua_getiuservalue(L, 1, 1); /* docview */
    asy_lua_span_push(L, -1, b0, b1, asy_doc_cp_offset(d, b0),
                      asy_doc_cp_offset(d, b1), index);
    lua_remove(L, -2);
}

/* ===== quotations ======================================================= */

/* The cached quotation behind span 1 (raises if it is not one). */
static const asy_quote *quote_of(lua_State *L, asy_doc **d,
                                 const asy_quotes **all)
{
    Span *s = live(L, 1, d);
    const asy_quotes *q;
    if (s->type != ASY_SPAN_QUOTE)
        luaL_error(L, "not a quotation span");
    if (asy_doc_quotations(*d, &q, NULL) != ASSAY_OK || s->ref >= q->n)
        luaL_error(L, "not enough memory");
    if (all)
        *all = q;
    return &q->q[s->ref];
}

/* A mark as a string, nil for none (code point 0). */
static void push_cp(lua_State *L, uint32_t cp)
{
    if (cp == 0)
        lua_pushnil(L);
    else
        lua_pushfstring(L, "%U", (long)cp);
}

static const char *status_name(asy_quote_status st)
{
    switch (st) {
    case ASY_QUOTE_CLOSED: return "closed";
    case ASY_QUOTE_UNCLOSED: return "unclosed";
    case ASY_QUOTE_CONTINUED: return "continued";
    default: return "stray";
    }
}

/* q:inner() -> span without the marks (and the spaces next to them) */
static int quote_inner(lua_State *L)
{
    asy_doc *d;
    const asy_quote *q = quote_of(L, &d, NULL);
    push_plain(L, d, q->inner_start, q->inner_end, 0);
    return 1;
}

/* q:segments() -> list of one span per paragraph (marks included) */
static int quote_segments(lua_State *L)
{
    asy_doc *d;
    const asy_quotes *all;
    const asy_quote *q = quote_of(L, &d, &all);
    lua_createtable(L, (int)q->nseg, 0);
    for (size_t i = 0; i < q->nseg; i++) {
        const asy_quote_seg *g = &all->seg[q->seg + i];
        push_plain(L, d, g->start, g->end, (int)i + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_lua_spanlist_setmeta(L);
    return 1;
}

/* Quotation fields; 1 if k was one (value pushed). */
static int quote_field(lua_State *L, const char *k)
{
    asy_doc *d;
    const asy_quote *q = quote_of(L, &d, NULL);
    if (strcmp(k, "open") == 0)
        push_cp(L, q->open_cp);
    else if (strcmp(k, "close") == 0)
        push_cp(L, q->close_cp);
    else if (strcmp(k, "status") == 0)
        lua_pushstring(L, status_name(q->status));
    else if (strcmp(k, "depth") == 0)
        lua_pushinteger(L, q->depth);
    else
        return 0;
    return 1;
}

/* ===== sections ========================================================= */

static const asy_section *section_of(lua_State *L, asy_doc **d)
{
    Span *s = live(L, 1, d);
    const asy_section *sec;
    size_t n;
    if (s->type != ASY_SPAN_SECTION)
        luaL_error(L, "not a section span");
    if (asy_doc_sections(*d, &sec, &n, NULL) != ASSAY_OK || s->ref >= n)
        luaL_error(L, "not enough memory");
    return &sec[s->ref];
}

/* Per-span memo table (user value 2), created on first use. */
static void memo(lua_State *L)
{
    if (lua_getiuservalue(L, 1, 2) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, 1, 2);
}

/* s:paragraphs() -> the body paragraphs (list, built once per span) */
static int section_paragraphs(lua_State *L)
{
    asy_doc *d;
    const asy_section *sec = section_of(L, &d);
    const asy_span *p;
    size_t np;
    memo(L);
    if (lua_getfield(L, -1, "paragraphs") == LUA_TTABLE)
        return 1;
    lua_pop(L, 1);
    if (asy_doc_paragraphs(d, &p, &np) < 0 || sec->first + sec->count > np)
        return luaL_error(L, "not enough memory");
    lua_createtable(L, (int)sec->count, 0);
    for (size_t i = 0; i < sec->count; i++) {
        const asy_span *x = &p[sec->first + i];
        push_plain(L, d, x->start, x->end, (int)i + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_lua_spanlist_setmeta(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "paragraphs");
    return 1;
}

static int section_heading(lua_State *L)
{
    asy_doc *d;
    const asy_section *sec = section_of(L, &d);
    if (!sec->has_heading) {
        lua_pushnil(L);
        return 1;
    }
    memo(L);
    if (lua_getfield(L, -1, "heading") != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    push_plain(L, d, sec->heading.start, sec->heading.end, 0);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "heading");
    return 1;
}

/* ===== generic access ================================================== */

static const luaL_Reg methods[] = {{"text", span_text},
                                   {"inner", quote_inner},
                                   {"segments", quote_segments},
                                   {"paragraphs", section_paragraphs},
                                   {NULL, NULL}};

/* Fields of typed spans; 1 if k was one (value pushed). */
static int typed_field(lua_State *L, Span *s, const char *k)
{
    if (s->type == ASY_SPAN_WORD && strcmp(k, "kind") == 0) {
        lua_pushstring(L, asy_wb_kind_name(s->kind));
        return 1;
    }
    if (s->type == ASY_SPAN_WORD && strcmp(k, "norm") == 0) {
        if (lua_getiuservalue(L, 1, 2) == LUA_TSTRING)
            return 1;
        lua_pop(L, 1);
        return span_text(L);
    }
    if (s->type == ASY_SPAN_QUOTE)
        return quote_field(L, k);
    if (s->type == ASY_SPAN_SECTION && strcmp(k, "heading") == 0)
        return section_heading(L);
    return 0;
}

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
    else if (typed_field(L, s, k))
        return 1;
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

void asy_lua_span_push_ex(lua_State *L, int docidx,
                          const asy_lua_spaninfo *si)
{
    docidx = lua_absindex(L, docidx);
    Span *s = lua_newuserdatauv(L, sizeof *s, si->type ? 2 : 1);
    s->bstart = si->bstart;
    s->bend = si->bend;
    s->cpstart = si->cpstart;
    s->cpend = si->cpend;
    s->index = si->index;
    s->type = si->type;
    s->kind = si->kind;
    s->ref = si->ref;
    luaL_setmetatable(L, ASY_SPAN_MT);
    lua_pushvalue(L, docidx);
    lua_setiuservalue(L, -2, 1);
}

void asy_lua_span_push(lua_State *L, int docidx, size_t bstart, size_t bend,
                       size_t cpstart, size_t cpend, int index)
{
    asy_lua_spaninfo si = {bstart, bend, cpstart, cpend, index,
                           ASY_SPAN_PLAIN, 0, 0};
    asy_lua_span_push_ex(L, docidx, &si);
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
