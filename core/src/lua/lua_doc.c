/*
 * lua_doc.c — "assay.Document": a read-only view of the document being
 * analysed. Fields are computed on first access and cached in the view's
 * user value; the text model (words, sentences, paragraphs, sections,
 * quotations) comes from the document's C cache (structure.h) and each
 * list is built once per view (per options for words). Adding a lazily
 * computed entry means one builder function and one line in `fields` or
 * `methods`. A view is retired when document() returns, and any later use
 * fails loudly instead of reading freed memory.
 */
#include <string.h>

#include <lauxlib.h>

#include "../structure.h"
#include "../token.h"
#include "lua_types.h"

typedef struct Document {
    asy_doc *doc; /* NULL once retired */
    size_t idlen;
    char id[];    /* the document's id, for messages after retirement */
} Document;

/* The text string is shared by every plugin's view of the same document
 * (strings are immutable, so sharing is safe and saves a copy). Registry
 * entry: {generation, text, text pointer}. */
static const char TEXTKEY = 0;

static Document *todoc(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, ASY_DOC_MT);
}

void asy_lua_doc_pushid(lua_State *L, int idx)
{
    Document *d = lua_touserdata(L, idx);
    if (d)
        lua_pushlstring(L, d->id, d->idlen);
    else
        lua_pushliteral(L, "");
}

/* Push the view's cache (its user value), made on first use: most
 * document() calls never read a field, and an empty table per document
 * was a visible share of the per-document cost. */
static void push_cache(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (lua_getiuservalue(L, idx, 1) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, idx, 1);
}

/* The live document, or an error naming it. */
static asy_doc *live(lua_State *L, int idx)
{
    Document *d = todoc(L, idx);
    if (!d->doc) {
        asy_lua_doc_pushid(L, idx);
        luaL_error(L, "document '%s' used after document() returned (keep "
                   "values you need, not the doc)", lua_tostring(L, -1));
    }
    return d->doc;
}

asy_doc *asy_lua_doc_peek(lua_State *L, int idx)
{
    return todoc(L, idx)->doc;
}

asy_doc *asy_lua_doc_test(lua_State *L, int idx)
{
    if (!luaL_testudata(L, idx, ASY_DOC_MT))
        return NULL;
    return live(L, idx);
}

/* ===== lazily computed fields ========================================= */

static void f_id(lua_State *L, asy_doc *d)
{
    lua_pushstring(L, d->id ? d->id : "");
}

static void f_source(lua_State *L, asy_doc *d)
{
    lua_pushstring(L, d->source ? d->source : "");
}

static void f_text(lua_State *L, asy_doc *d)
{
    int top = lua_gettop(L);
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &TEXTKEY) == LUA_TTABLE && /* c */
        lua_rawgeti(L, -1, 1) == LUA_TNUMBER &&                     /* c gen */
        (uint64_t)lua_tointeger(L, -1) == d->generation &&
        lua_rawgeti(L, -2, 3) == LUA_TLIGHTUSERDATA &&              /* c gen p */
        lua_touserdata(L, -1) == (void *)d->text &&
        lua_rawgeti(L, -3, 2) == LUA_TSTRING &&                     /* c gen p s */
        lua_rawlen(L, -1) == d->len) {
        lua_replace(L, top + 1);
        lua_settop(L, top + 1);
        return;
    }
    lua_settop(L, top);
    lua_pushlstring(L, d->text ? d->text : "", d->len); /* text */
    lua_createtable(L, 2, 0);                            /* text c */
    lua_pushinteger(L, (lua_Integer)d->generation);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, 2);
    lua_pushlightuserdata(L, d->text); /* the text may be replaced in place */
    lua_rawseti(L, -2, 3);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &TEXTKEY); /* text */
}

static void push_meta_value(lua_State *L, const asy_meta_entry *e)
{
    switch (e->type) {
    case ASY_META_STRING: lua_pushlstring(L, e->str ? e->str : "", e->len); break;
    case ASY_META_INTEGER: lua_pushinteger(L, (lua_Integer)e->i); break;
    case ASY_META_NUMBER: lua_pushnumber(L, e->d); break;
    case ASY_META_BOOLEAN: lua_pushboolean(L, e->i != 0); break;
    default: lua_pushnil(L);
    }
}

static void f_meta(lua_State *L, asy_doc *d)
{
    lua_createtable(L, 0, (int)d->meta.n);
    for (size_t i = 0; i < d->meta.n; i++) {
        push_meta_value(L, &d->meta.items[i]);
        lua_setfield(L, -2, d->meta.items[i].key);
    }
}

static void f_date(lua_State *L, asy_doc *d)
{
    const asy_meta_entry *e = asy_meta_get(&d->meta, "date");
    if (e)
        push_meta_value(L, e);
    else
        lua_pushnil(L);
}

static void f_bytes(lua_State *L, asy_doc *d)
{
    lua_pushinteger(L, (lua_Integer)d->len);
}

static void f_length(lua_State *L, asy_doc *d)
{
    lua_pushinteger(L, (lua_Integer)asy_doc_cp_length(d));
}

/* name, builder, cache the result in the view? (date is not cached: it
 * reads meta, which is cheap and may not be needed as a table.) */
static const struct field {
    const char *name;
    void (*build)(lua_State *L, asy_doc *d);
    int cache;
} fields[] = {
    {"id", f_id, 1},
    {"source", f_source, 1}, {"text", f_text, 1},    {"meta", f_meta, 1},
    {"date", f_date, 0},     {"bytes", f_bytes, 0},  {"length", f_length, 1},
    {NULL, NULL, 0}};

/* ===== methods ========================================================= */

/* Paragraph spans, built once per view: an array that is also an
 * iterator (`for p in doc:paragraphs() do`). */
static void build_paragraphs(lua_State *L, asy_doc *d)
{
    const asy_span *sp = NULL;
    size_t n = 0;
    if (asy_doc_paragraphs(d, &sp, &n) < 0)
        luaL_error(L, "not enough memory");
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0); /* list */
    for (size_t i = 0; i < n; i++) {
        size_t cs = asy_doc_cp_offset(d, sp[i].start);
        size_t ce = asy_doc_cp_offset(d, sp[i].end);
        asy_lua_span_push(L, 1, sp[i].start, sp[i].end, cs, ce, (int)i + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_lua_spanlist_setmeta(L);
}

/* Return cache[name], building it with fn on first use. */
static int cached(lua_State *L, const char *name,
                  void (*fn)(lua_State *L, asy_doc *d))
{
    asy_doc *d = live(L, 1);
    push_cache(L, 1); /* cache */
    if (lua_getfield(L, -1, name) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    fn(L, d); /* cache value */
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, name);
    return 1;
}

static int doc_paragraphs(lua_State *L)
{
    return cached(L, "paragraphs", build_paragraphs);
}

/* Raise the message of a failed structure call. */
static void fail(lua_State *L, int rc, const asy_error *e)
{
    if (rc == ASSAY_E_NOMEM)
        luaL_error(L, "not enough memory");
    luaL_error(L, "%s", e->message);
}

/* Spans for byte spans sp[0..n) (a list with the span-list metatable). */
static void push_spans(lua_State *L, asy_doc *d, const asy_span *sp,
                       size_t n)
{
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
    for (size_t i = 0; i < n; i++) {
        size_t cs = asy_doc_cp_offset(d, sp[i].start);
        size_t ce = asy_doc_cp_offset(d, sp[i].end);
        asy_lua_span_push(L, 1, sp[i].start, sp[i].end, cs, ce, (int)i + 1);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_lua_spanlist_setmeta(L);
}

static void build_sections(lua_State *L, asy_doc *d)
{
    const asy_section *s;
    size_t n;
    asy_error e;
    int rc = asy_doc_sections(d, &s, &n, &e);
    if (rc != ASSAY_OK)
        fail(L, rc, &e);
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
    for (size_t i = 0; i < n; i++) {
        asy_lua_spaninfo si = {s[i].span.start, s[i].span.end,
                               asy_doc_cp_offset(d, s[i].span.start),
                               asy_doc_cp_offset(d, s[i].span.end),
                               (int)i + 1, ASY_SPAN_SECTION, 0, i};
        asy_lua_span_push_ex(L, 1, &si);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_lua_spanlist_setmeta(L);
}

static int doc_sections(lua_State *L)
{
    return cached(L, "sections", build_sections);
}

static void build_quotations(lua_State *L, asy_doc *d)
{
    const asy_quotes *q;
    asy_error e;
    int rc = asy_doc_quotations(d, &q, &e);
    if (rc != ASSAY_OK)
        fail(L, rc, &e);
    lua_createtable(L, q->n < 1000000 ? (int)q->n : 0, 0);
    int k = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (q->q[i].status == ASY_QUOTE_STRAY)
            continue;
        asy_lua_spaninfo si = {q->q[i].start, q->q[i].end,
                               asy_doc_cp_offset(d, q->q[i].start),
                               asy_doc_cp_offset(d, q->q[i].end), k + 1,
                               ASY_SPAN_QUOTE, 0, i};
        asy_lua_span_push_ex(L, 1, &si);
        lua_rawseti(L, -2, ++k);
    }
    asy_lua_spanlist_setmeta(L);
}

static int doc_quotations(lua_State *L)
{
    return cached(L, "quotations", build_quotations);
}

/* doc:sentences{mode = "news" | "unicode"}: news mode uses the English
 * abbreviation list, loaded once per runtime. */
static int doc_sentences(lua_State *L)
{
    static const char *const modes[] = {"news", "unicode", NULL};
    asy_doc *d = live(L, 1);
    int mode = ASY_SENT_NEWS;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "mode");
        mode = luaL_checkoption(L, -1, "news", modes);
        lua_pop(L, 1);
    }
    lua_settop(L, 1);
    push_cache(L, 1); /* doc cache */
    const char *key = mode ? "sentences|unicode" : "sentences|news";
    if (lua_getfield(L, -1, key) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    const asy_abbrevs *ab = mode ? NULL : asy_lua_abbrevs(L, "en");
    const asy_span *sp;
    size_t n;
    asy_error e;
    int rc = asy_doc_sentences(d, (asy_sent_mode)mode, ab, &sp, &n, &e);
    if (rc != ASSAY_OK)
        fail(L, rc, &e);
    push_spans(L, d, sp, n);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, key);
    return 1;
}

/* Push the word list of the doc at 1 under o: spans (as_strings 0) or
 * the normalised strings (as_strings 1). */
static void build_words(lua_State *L, asy_doc *d, const asy_tok_opts *o,
                        int as_strings)
{
    const asy_wb_seg *w;
    size_t n;
    asy_error e;
    int rc = asy_doc_words(d, &w, &n, &e);
    if (rc != ASSAY_OK)
        fail(L, rc, &e);
    asy_tok_norm *nm = asy_lua_tokscratch(L);
    lua_createtable(L, n < 1000000 ? (int)n : 0, 0);
    lua_Integer k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *norm, *s = d->text + w[i].start;
        size_t nlen, len = w[i].end - w[i].start;
        if (!(o->kinds & ASY_WB_KIND(w[i].kind)))
            continue;
        int r = asy_tok_normalise(nm, o, s, len, (int)w[i].kind, &norm, &nlen);
        if (r < 0)
            luaL_error(L, "not enough memory");
        if (r == 0)
            continue;
        /* norm may point into the per-state scratch buffer: copy it into
         * a Lua string before anything else allocates, because any
         * allocation can run a finalizer that calls back in here. */
        int has_norm = as_strings || norm != s || nlen != len;
        if (has_norm)
            lua_pushlstring(L, norm, nlen); /* list norm */
        if (!as_strings) {
            asy_lua_spaninfo si = {w[i].start, w[i].end, w[i].cstart,
                                   w[i].cend, (int)k + 1, ASY_SPAN_WORD,
                                   (int)w[i].kind, 0};
            asy_lua_span_push_ex(L, 1, &si); /* list [norm] span */
            if (has_norm) {
                lua_insert(L, -2);           /* list span norm */
                lua_setiuservalue(L, -2, 2);
            }
        }
        lua_rawseti(L, -2, ++k);
    }
    if (!as_strings)
        asy_lua_spanlist_setmeta(L);
}

/* doc:words(opts) and doc:word_list(opts), cached per view and options. */
static int words(lua_State *L, int as_strings)
{
    asy_doc *d = live(L, 1);
    asy_tok_opts o;
    lua_settop(L, 2);
    asy_lua_tokopts(L, 2, 0, ASY_WB_WORDLIKE, &o, 1); /* key */
    lua_pushfstring(L, "%s|%s", as_strings ? "word_list" : "words",
                    lua_tostring(L, -1));
    push_cache(L, 1); /* key key cache */
    lua_pushvalue(L, -2);
    if (lua_rawget(L, -2) != LUA_TNIL)
        return 1;
    lua_pop(L, 1);
    build_words(L, d, &o, as_strings); /* key key cache list */
    lua_pushvalue(L, -3);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    return 1;
}

static int doc_words(lua_State *L)
{
    return words(L, 0);
}

static int doc_word_list(lua_State *L)
{
    return words(L, 1);
}

static const luaL_Reg methods[] = {{"paragraphs", doc_paragraphs},
                                   {"sentences", doc_sentences},
                                   {"sections", doc_sections},
                                   {"quotations", doc_quotations},
                                   {"words", doc_words},
                                   {"word_list", doc_word_list},
                                   {NULL, NULL}};

/* ===== metamethods ===================================================== */

/* doc.key: methods first, then the cache, then a lazily built field. */
static int doc_index(lua_State *L)
{
    asy_doc *d = live(L, 1);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) /* a method */
        return 1;
    push_cache(L, 1); /* key nil cache */
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) != LUA_TNIL)
        return 1;
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "";
    for (const struct field *f = fields; f->name; f++) {
        if (strcmp(f->name, k) != 0)
            continue;
        f->build(L, d); /* ... cache nil value */
        if (f->cache) {
            lua_pushvalue(L, 2);
            lua_pushvalue(L, -2);
            lua_rawset(L, -5);
        }
        return 1;
    }
    lua_pushnil(L);
    return 1;
}

static int doc_newindex(lua_State *L)
{
    live(L, 1);
    return luaL_error(L, "a document is read-only (cannot set '%s')",
                      luaL_tolstring(L, 2, NULL));
}

static int doc_tostring(lua_State *L)
{
    todoc(L, 1);
    asy_lua_doc_pushid(L, 1);
    lua_pushfstring(L, "Document(%s)", lua_tostring(L, -1));
    return 1;
}

void asy_lua_doc_open(lua_State *L)
{
    static const luaL_Reg meta[] = {{"__newindex", doc_newindex},
                                    {"__tostring", doc_tostring},
                                    {NULL, NULL}};
    asy_lua_newclass(L, ASY_DOC_MT, NULL, meta); /* mt */
    luaL_newlib(L, methods);
    lua_pushcclosure(L, doc_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

void asy_lua_doc_push(lua_State *L, asy_doc *doc)
{
    const char *id = doc->id ? doc->id : "";
    size_t n = strlen(id);
    Document *d = lua_newuserdatauv(L, sizeof *d + n + 1, 1);
    d->doc = NULL; /* valid empty state before anything can fail */
    d->idlen = n;
    memcpy(d->id, id, n + 1);
    luaL_setmetatable(L, ASY_DOC_MT);
    d->doc = doc; /* the cache table comes with the first field read */
}

void asy_lua_doc_invalidate(lua_State *L, int idx)
{
    Document *d = luaL_testudata(L, idx, ASY_DOC_MT);
    if (d)
        d->doc = NULL;
}
