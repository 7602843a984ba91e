/*
 * lua_quotes.c — quote attribution for plugins: assay.quote_model{...}
 * builds the language data once per worker (a QuoteModel userdata), and
 * assay.quotes(doc, opts) returns the records of attrib.h as plain Lua
 * tables with code-point offsets into doc.text: type, start, end, text,
 * speaker/speaker_start/speaker_end, speaker_name, cue/cue_start/cue_end,
 * rule, confidence (two decimals), status ("closed"/"unclosed") and
 * segments ("start-end;start-end"). Absent parts are nil. The field names
 * are the quotes.csv column names, so a record can be a row as it is.
 * assay.quote_rows(doc, opts, output) writes the same records straight
 * into an Output as positional rows (QUOTE_COLUMNS order) through one
 * reused table, and returns only the per-document speaker sums: the fast
 * path of plugins/quotes.lua. Both read the document's cached words,
 * sentences and quotations (structure.h) instead of recomputing them.
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

/* Code-point offset of byte b. Records start and end on word segments,
 * whose code-point offsets the document's word cache already holds: a
 * binary search there spares counting the text (asy_doc_cp_offset) for
 * documents where nothing else needs it. */
static size_t cpo(asy_doc *d, size_t b)
{
    const asy_wb_seg *w;
    size_t n, lo = 0, hi;
    if (asy_doc_words(d, &w, &n, NULL) != ASSAY_OK || n == 0)
        return asy_doc_cp_offset(d, b);
    hi = n;
    while (lo < hi) { /* first segment ending at or after b */
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid].end < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && w[lo].end == b)
        return w[lo].cend;
    if (lo < n && w[lo].start == b)
        return w[lo].cstart;
    return asy_doc_cp_offset(d, b);
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
    setint(L, key, (lua_Integer)cpo(d, s));
    snprintf(key, sizeof key, "%s_end", k);
    setint(L, key, (lua_Integer)cpo(d, e));
}

/* Push "start-end;start-end" in code points: the CSV form of the parts. */
static void push_segments(lua_State *L, asy_doc *d, const asy_attrs *r,
                          const asy_attr *a)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < a->nseg; i++) {
        const asy_span *s = &r->seg[a->seg + i];
        char part[64];
        int n = snprintf(part, sizeof part, "%s%zu-%zu", i ? ";" : "",
                         cpo(d, s->start),
                         cpo(d, s->end));
        luaL_addlstring(&b, part, (size_t)n);
    }
    luaL_pushresult(&b);
}

/* The columns of quote_rows, in order (plugins/quotes.lua declares the
 * same list). */
static const char *const QUOTE_COLUMNS[] = {
    "doc_id", "date", "quote_id", "type", "start", "end", "text", "speaker",
    "speaker_start", "speaker_end", "speaker_name", "cue", "cue_start",
    "cue_end", "rule", "confidence", "status", "segments"};
enum { NCOLS = sizeof QUOTE_COLUMNS / sizeof QUOTE_COLUMNS[0] };

/* Confidence rounded to two decimals: a number, or (as_text) its text
 * "0.94", which the CSV writer copies instead of formatting a double. */
static void push_conf(lua_State *L, double c, int as_text)
{
    long h = (long)(c * 100 + 0.5);
    if (h < 0)
        h = 0;
    if (h > 100)
        h = 100;
    if (!as_text) {
        lua_pushnumber(L, (double)h / 100);
        return;
    }
    char b[8];
    if (h == 100 || h == 0)
        lua_pushstring(L, h ? "1" : "0");
    else if (h % 10 == 0)
        lua_pushlstring(L, b, (size_t)snprintf(b, sizeof b, "0.%ld", h / 10));
    else
        lua_pushlstring(L, b, (size_t)snprintf(b, sizeof b, "0.%02ld", h));
}

static void push_record(lua_State *L, asy_doc *d, const asy_attrs *r,
                        const asy_attr *a)
{
    lua_createtable(L, 0, 18);
    lua_pushstring(L, asy_attr_type_name(a->type));
    lua_setfield(L, -2, "type");
    setint(L, "start", (lua_Integer)cpo(d, a->start));
    setint(L, "end", (lua_Integer)cpo(d, a->end));
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
    push_conf(L, a->confidence, 0);
    lua_setfield(L, -2, "confidence");
    lua_pushstring(L, a->closed ? "closed" : "unclosed");
    lua_setfield(L, -2, "status");
    push_segments(L, d, r, a);
    lua_setfield(L, -2, "segments");
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

/* The records live in a userdata while they are turned into Lua values,
 * so that a Lua error (memory cap) cannot leak them. */
static int box_gc(lua_State *L)
{
    asy_attrs_free(luaL_checkudata(L, 1, QBOX_MT));
    return 0;
}

/* The document's cached structure as attribution options. */
static void cached_opts(lua_State *L, asy_doc *d, const asy_qmodel *m,
                        asy_attrib_opts *o)
{
    asy_error err;
    asy_error_clear(&err);
    if (asy_doc_paragraphs(d, &o->paras, &o->npara) != 0)
        luaL_error(L, "not enough memory");
    if (asy_doc_words(d, &o->words, &o->nwords, &err) != ASSAY_OK ||
        asy_doc_sentences(d, ASY_SENT_NEWS, m->ab, &o->sents, &o->nsent,
                          &err) != ASSAY_OK ||
        asy_doc_quotations(d, &o->quotes, &err) != ASSAY_OK)
        raise_err(L, &err);
}

/* Shared start of quotes/quote_rows: check the arguments, run the
 * attribution and leave the records box on the stack. */
static asy_attrs *run_doc(lua_State *L, asy_doc **dp)
{
    asy_doc *d = asy_lua_doc_test(L, 1);
    if (!d)
        luaL_typeerror(L, 1, "Document");
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_getfield(L, 2, "model");
    qmodel_ud *u = luaL_testudata(L, -1, QMODEL_MT);
    if (!u || !u->m)
        luaL_error(L, "assay.quotes: opts.model must come from "
                      "assay.quote_model{...}");
    lua_pop(L, 1);
    asy_attrib_opts o;
    asy_attrib_opts_init(&o);
    read_opts(L, &o);
    cached_opts(L, d, u->m, &o);
    asy_attrs *r = lua_newuserdatauv(L, sizeof *r, 0);
    memset(r, 0, sizeof *r);
    luaL_setmetatable(L, QBOX_MT);
    asy_error err;
    asy_error_clear(&err);
    if (asy_attrib_run(d->text, d->len, u->m, &o, r, &err) != ASSAY_OK)
        raise_err(L, &err);
    *dp = d;
    return r;
}

/* assay.quotes(doc, { model = m, indirect = true, floating = true,
 * min_confidence = 0 }) -> array of records */
static int quotes(lua_State *L)
{
    asy_doc *d;
    asy_attrs *r = run_doc(L, &d);
    lua_createtable(L, (int)r->n, 0);
    for (size_t i = 0; i < r->n; i++) {
        push_record(L, d, r, &r->a[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_attrs_free(r);
    return 1;
}

/* Column col of the reused row table at idx: the value on top, or nil. */
static void put(lua_State *L, int idx, int col)
{
    lua_rawseti(L, idx, col + 1);
}

static void put_str(lua_State *L, int idx, int col, const char *s, size_t n)
{
    lua_pushlstring(L, s, n);
    put(L, idx, col);
}

static void put_int(lua_State *L, int idx, int col, size_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    put(L, idx, col);
}

/* An optional span: its text, start and end in three columns from col. */
static void put_span(lua_State *L, int idx, int col, asy_doc *d, size_t s,
                     size_t e)
{
    if (s == ASY_ATTR_NONE) {
        for (int k = 0; k < 3; k++) {
            lua_pushnil(L);
            put(L, idx, col + k);
        }
        return;
    }
    put_str(L, idx, col, d->text + s, e - s);
    put_int(L, idx, col + 1, cpo(d, s));
    put_int(L, idx, col + 2, cpo(d, e));
}

/* The document's date (metadata "date") as doc.date shows it, or nil. */
static void push_date(lua_State *L, const asy_doc *d)
{
    const asy_meta_entry *e = asy_meta_get(&d->meta, "date");
    if (e && e->type == ASY_META_STRING)
        lua_pushlstring(L, e->str, e->len);
    else if (e && e->type == ASY_META_INTEGER)
        lua_pushinteger(L, (lua_Integer)e->i);
    else
        lua_pushnil(L);
}

/* Fill the row table at idx with record i (columns 2.. ; 0 and 1, the
 * document id and date, are set once per document). */
static void fill_row(lua_State *L, int idx, asy_doc *d, const asy_attrs *r,
                     size_t i)
{
    const asy_attr *a = &r->a[i];
    put_int(L, idx, 2, i + 1);
    lua_pushstring(L, asy_attr_type_name(a->type));
    put(L, idx, 3);
    put_int(L, idx, 4, cpo(d, a->start));
    put_int(L, idx, 5, cpo(d, a->end));
    put_str(L, idx, 6, d->text + a->start, a->end - a->start);
    put_span(L, idx, 7, d, a->spk_start, a->spk_end);
    if (a->name_start != ASY_ATTR_NONE)
        put_str(L, idx, 10, d->text + a->name_start,
                a->name_end - a->name_start);
    else {
        lua_pushnil(L);
        put(L, idx, 10);
    }
    put_span(L, idx, 11, d, a->cue_start, a->cue_end);
    lua_pushstring(L, a->rule ? a->rule : "");
    put(L, idx, 14);
    push_conf(L, a->confidence, 1);
    put(L, idx, 15);
    lua_pushstring(L, a->closed ? "closed" : "unclosed");
    put(L, idx, 16);
    push_segments(L, d, r, a);
    put(L, idx, 17);
}

/* Add record a to the per-document speaker sums: names (idx) is the
 * array of names, index (idx + 1) name -> position, quotes and words
 * (idx + 2, idx + 3) parallel arrays. */
static void tally(lua_State *L, int idx, const asy_doc *d, const asy_attr *a)
{
    if (a->name_start == ASY_ATTR_NONE)
        return;
    lua_pushlstring(L, d->text + a->name_start, a->name_end - a->name_start);
    lua_Integer k;
    if (lua_rawget(L, idx + 1) == LUA_TNUMBER) { /* copy of the name used */
        k = lua_tointeger(L, -1);
        lua_pop(L, 1);
    } else {
        lua_pop(L, 1);
        k = (lua_Integer)lua_rawlen(L, idx) + 1;
        lua_pushlstring(L, d->text + a->name_start,
                        a->name_end - a->name_start);
        lua_pushvalue(L, -1);
        lua_rawseti(L, idx, k);
        lua_pushinteger(L, k);
        lua_rawset(L, idx + 1);
        lua_pushinteger(L, 0);
        lua_rawseti(L, idx + 2, k);
        lua_pushinteger(L, 0);
        lua_rawseti(L, idx + 3, k);
    }
    lua_rawgeti(L, idx + 2, k);
    lua_pushinteger(L, lua_tointeger(L, -1) + 1);
    lua_rawseti(L, idx + 2, k);
    lua_rawgeti(L, idx + 3, k);
    lua_pushinteger(L, lua_tointeger(L, -1) + (lua_Integer)a->words);
    lua_rawseti(L, idx + 3, k);
    lua_pop(L, 2);
}

/* assay.quote_rows(doc, opts, output) -> names, quotes, words: writes
 * every record as a row of output (columns in QUOTE_COLUMNS order) and
 * returns, per canonical speaker of this document, parallel arrays of
 * the name, its records and the words inside them. */
static int quote_rows(lua_State *L)
{
    if (lua_getfield(L, 3, "row") != LUA_TFUNCTION)
        return luaL_typeerror(L, 3, "Output");
    int fn = lua_gettop(L);
    asy_doc *d;
    asy_attrs *r = run_doc(L, &d);
    lua_createtable(L, NCOLS, 0);
    int row = lua_gettop(L);
    put_str(L, row, 0, d->id ? d->id : "", d->id ? strlen(d->id) : 0);
    push_date(L, d);
    put(L, row, 1);
    for (int k = 0; k < 4; k++)
        lua_newtable(L); /* names, name -> index, quotes, words */
    int sums = row + 1;
    for (size_t i = 0; i < r->n; i++) {
        fill_row(L, row, d, r, i);
        lua_pushvalue(L, fn);
        lua_pushvalue(L, 3);
        lua_pushvalue(L, row);
        lua_call(L, 2, 0);
        tally(L, sums, d, &r->a[i]);
    }
    asy_attrs_free(r);
    lua_pushvalue(L, sums);
    lua_pushvalue(L, sums + 2);
    lua_pushvalue(L, sums + 3);
    return 3;
}

/* assay.quote_columns(): the column names of quote_rows, in order. */
static int quote_columns(lua_State *L)
{
    lua_createtable(L, NCOLS, 0);
    for (int i = 0; i < NCOLS; i++) {
        lua_pushstring(L, QUOTE_COLUMNS[i]);
        lua_rawseti(L, -2, i + 1);
    }
    return 1;
}

void asy_lua_quotes_open(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__gc", qmodel_gc}, {NULL, NULL}};
    static const luaL_Reg bmeta[] = {{"__gc", box_gc}, {NULL, NULL}};
    static const luaL_Reg fns[] = {{"quotes", quotes},
                                   {"quote_rows", quote_rows},
                                   {"quote_columns", quote_columns},
                                   {"quote_model", quote_model},
                                   {NULL, NULL}};
    asy_lua_newclass(L, QMODEL_MT, NULL, meta);
    asy_lua_newclass(L, QBOX_MT, NULL, bmeta);
    lua_pop(L, 2);
    luaL_setfuncs(L, fns, 0);
}
