/*
 * lua_quotes.c — quote attribution for plugins: assay.quote_model{...}
 * builds the language data once per worker (a QuoteModel userdata), and
 * assay.quotes(doc, opts) returns the records of attrib.h as plain Lua
 * tables with code-point offsets into doc.text: type, start, end, text,
 * speaker/speaker_start/speaker_end, speaker_name, cue/cue_start/cue_end,
 * rule, confidence (two decimals), status ("closed"/"unclosed") and
 * segments ("start-end;start-end"). Absent parts are nil. The field names
 * are the quotes.csv column names, so a record can be a row as it is.
 */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "../attrib.h"
#include "../structure.h"
#include "lua_quotes.h"
#include "lua_types.h"

#define QMODEL_MT "assay.QuoteModel"
#define QBOX_MT "assay.QuoteRecords"

typedef struct qmodel_ud {
    asy_qmodel *m;
} qmodel_ud;

static int qmodel_gc(lua_State *L)
{
    qmodel_ud *u = luaL_checkudata(L, 1, QMODEL_MT);
    asy_qmodel_free(u->m);
    u->m = NULL;
    return 0;
}

static void raise_err(lua_State *L, const asy_error *err)
{
    char buf[2048];
    luaL_error(L, "%s", asy_error_format(err, buf, sizeof buf));
}

/* Parse each string of the array at field `name` of table 1. */
static void load_lists(lua_State *L, asy_qmodel *m)
{
    asy_error err;
    if (lua_getfield(L, 1, "lists") != LUA_TTABLE)
        luaL_error(L, "quote_model: field 'lists' must be an array of "
                      "word-list texts");
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
        size_t n;
        const char *s = luaL_checklstring(L, -1, &n);
        char name[32];
        snprintf(name, sizeof name, "lists[%lld]", (long long)i);
        if (asy_qlex_parse(m->lex, s, n, name, &err) != ASSAY_OK)
            raise_err(L, &err);
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
}

/* assay.quote_model{ lists = {text, ...}, abbreviations = text }:
 * the texts of plugins/data/quotes/<lang>/ *.txt and of the abbreviation
 * list (read by the plugin with assay.read_file). */
static int quote_model(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    qmodel_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->m = NULL;
    luaL_setmetatable(L, QMODEL_MT);
    if (!(u->m = asy_qmodel_new()))
        return luaL_error(L, "not enough memory");
    load_lists(L, u->m);
    if (lua_getfield(L, 1, "abbreviations") == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        asy_error err;
        if (asy_abbrevs_parse(u->m->ab, s, n, "abbreviations", &err) !=
            ASSAY_OK)
            raise_err(L, &err);
    }
    lua_pop(L, 1);
    return 1;
}

static void setint(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* text, start, end of an optional span (fields k, k_start, k_end). */
static void setspan(lua_State *L, asy_doc *d, const char *k, size_t s,
                    size_t e)
{
    char key[32];
    if (s == ASY_ATTR_NONE)
        return;
    lua_pushlstring(L, d->text + s, e - s);
    lua_setfield(L, -2, k);
    snprintf(key, sizeof key, "%s_start", k);
    setint(L, key, (lua_Integer)asy_doc_cp_offset(d, s));
    snprintf(key, sizeof key, "%s_end", k);
    setint(L, key, (lua_Integer)asy_doc_cp_offset(d, e));
}

/* "start-end;start-end" in code points: the CSV form of the parts. */
static void push_segments(lua_State *L, asy_doc *d, const asy_attrs *r,
                          const asy_attr *a)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < a->nseg; i++) {
        const asy_span *s = &r->seg[a->seg + i];
        char part[64];
        int n = snprintf(part, sizeof part, "%s%zu-%zu", i ? ";" : "",
                         asy_doc_cp_offset(d, s->start),
                         asy_doc_cp_offset(d, s->end));
        luaL_addlstring(&b, part, (size_t)n);
    }
    luaL_pushresult(&b);
    lua_setfield(L, -2, "segments");
}

static void push_record(lua_State *L, asy_doc *d, const asy_attrs *r,
                        const asy_attr *a)
{
    lua_createtable(L, 0, 18);
    lua_pushstring(L, asy_attr_type_name(a->type));
    lua_setfield(L, -2, "type");
    setint(L, "start", (lua_Integer)asy_doc_cp_offset(d, a->start));
    setint(L, "end", (lua_Integer)asy_doc_cp_offset(d, a->end));
    lua_pushlstring(L, d->text + a->start, a->end - a->start);
    lua_setfield(L, -2, "text");
    setspan(L, d, "speaker", a->spk_start, a->spk_end);
    if (a->name_start != ASY_ATTR_NONE) {
        lua_pushlstring(L, d->text + a->name_start,
                        a->name_end - a->name_start);
        lua_setfield(L, -2, "speaker_name");
    }
    setspan(L, d, "cue", a->cue_start, a->cue_end);
    lua_pushstring(L, a->rule ? a->rule : "");
    lua_setfield(L, -2, "rule");
    lua_pushnumber(L, (double)(long)(a->confidence * 100 + 0.5) / 100);
    lua_setfield(L, -2, "confidence");
    lua_pushstring(L, a->closed ? "closed" : "unclosed");
    lua_setfield(L, -2, "status");
    push_segments(L, d, r, a);
}

static void read_opts(lua_State *L, asy_attrib_opts *o)
{
    if (lua_getfield(L, 2, "indirect") != LUA_TNIL)
        o->indirect = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "floating") != LUA_TNIL)
        o->floating = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (lua_getfield(L, 2, "min_confidence") != LUA_TNIL)
        o->min_confidence = luaL_checknumber(L, -1);
    lua_pop(L, 1);
}

/* The records live in a userdata while they are turned into tables, so
 * that a Lua error (memory cap) cannot leak them. */
static int box_gc(lua_State *L)
{
    asy_attrs_free(luaL_checkudata(L, 1, QBOX_MT));
    return 0;
}

/* assay.quotes(doc, { model = m, indirect = true, floating = true,
 * min_confidence = 0 }) -> array of records */
static int quotes(lua_State *L)
{
    asy_doc *d = asy_lua_doc_test(L, 1);
    if (!d)
        return luaL_typeerror(L, 1, "Document");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "model");
    qmodel_ud *u = luaL_testudata(L, -1, QMODEL_MT);
    if (!u || !u->m)
        return luaL_error(L, "assay.quotes: opts.model must come from "
                             "assay.quote_model{...}");
    lua_pop(L, 1);
    asy_attrib_opts o;
    asy_attrib_opts_init(&o);
    read_opts(L, &o);
    if (asy_doc_paragraphs(d, &o.paras, &o.npara) != 0)
        return luaL_error(L, "not enough memory");
    asy_attrs *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, QBOX_MT);
    asy_error err;
    if (asy_attrib_run(d->text, d->len, u->m, &o, r, &err) != ASSAY_OK)
        return luaL_error(L, "not enough memory");
    lua_createtable(L, (int)r->n, 0);
    for (size_t i = 0; i < r->n; i++) {
        push_record(L, d, r, &r->a[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_attrs_free(r);
    return 1;
}

void asy_lua_quotes_open(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__gc", qmodel_gc}, {NULL, NULL}};
    static const luaL_Reg bmeta[] = {{"__gc", box_gc}, {NULL, NULL}};
    static const luaL_Reg fns[] = {{"quotes", quotes},
                                   {"quote_model", quote_model},
                                   {NULL, NULL}};
    asy_lua_newclass(L, QMODEL_MT, NULL, meta);
    asy_lua_newclass(L, QBOX_MT, NULL, bmeta);
    lua_pop(L, 2);
    luaL_setfuncs(L, fns, 0);
}
