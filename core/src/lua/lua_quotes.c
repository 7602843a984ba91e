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

/* The model, and the records of the last document: they stay here while
 * they are turned into Lua values, so that a Lua error (memory cap)
 * cannot leak them, without a finalised userdata per document. */
typedef struct qmodel_ud {
    asy_qmodel *m;
    asy_attrs last;
} qmodel_ud;

static int qmodel_gc(lua_State *L)
{
    qmodel_ud *u = luaL_checkudata(L, 1, QMODEL_MT);
    asy_qmodel_free(u->m);
    u->m = NULL;
    asy_attrs_free(&u->last);
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
    memset(&u->last, 0, sizeof u->last);
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

/* Code-point offsets of byte offsets. Records start and end on word
 * segments, whose code-point offsets the document's word cache already
 * holds: a search there spares counting the text (asy_doc_cp_offset) for
 * documents where nothing else needs it. The offsets of one record lie
 * close together and records come in text order, so the search gallops
 * from the previous answer. */
typedef struct cpmap {
    asy_doc *d;
    const asy_wb_seg *w;
    size_t n, hint;
} cpmap;

static void cpmap_init(cpmap *m, asy_doc *d)
{
    m->d = d;
    m->hint = 0;
    if (asy_doc_words(d, &m->w, &m->n, NULL) != ASSAY_OK)
        m->n = 0;
}

/* Bounds [*lo, *hi] holding the first segment ending at or after b,
 * found by doubling steps away from the hint. */
static void gallop(const cpmap *m, size_t b, size_t *lo, size_t *hi)
{
    const asy_wb_seg *w = m->w;
    size_t h = m->hint < m->n ? m->hint : 0, step = 1;
    if (w[h].end < b) { /* the answer lies after h */
        *lo = *hi = h + 1;
        while (*hi < m->n && w[*hi].end < b) {
            *lo = *hi + 1;
            *hi = *lo + step;
            step *= 2;
        }
        if (*hi > m->n)
            *hi = m->n;
        return;
    }
    *lo = *hi = h; /* at h or before */
    while (*lo > 0 && w[*lo - 1].end >= b) {
        *hi = *lo - 1;
        *lo = *hi >= step ? *hi - step : 0;
        step *= 2;
    }
}

static size_t cpo(cpmap *m, size_t b)
{
    const asy_wb_seg *w = m->w;
    size_t lo, hi;
    if (m->n == 0)
        return asy_doc_cp_offset(m->d, b);
    gallop(m, b, &lo, &hi);
    while (lo < hi) { /* first segment ending at or after b */
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid].end < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    m->hint = lo;
    if (lo < m->n && w[lo].end == b)
        return w[lo].cend;
    if (lo < m->n && w[lo].start == b)
        return w[lo].cstart;
    return asy_doc_cp_offset(m->d, b);
}

static void setint(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

/* text, start, end of an optional span (fields k, k_start, k_end). */
static void setspan(lua_State *L, cpmap *cm, const char *k, size_t s,
                    size_t e)
{
    char key[32];
    if (s == ASY_ATTR_NONE)
        return;
    lua_pushlstring(L, cm->d->text + s, e - s);
    lua_setfield(L, -2, k);
    snprintf(key, sizeof key, "%s_start", k);
    setint(L, key, (lua_Integer)cpo(cm, s));
    snprintf(key, sizeof key, "%s_end", k);
    setint(L, key, (lua_Integer)cpo(cm, e));
}

/* Push "start-end;start-end" in code points: the CSV form of the parts. */
static void push_segments(lua_State *L, cpmap *cm, const asy_attrs *r,
                          const asy_attr *a)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < a->nseg; i++) {
        const asy_span *s = &r->seg[a->seg + i];
        char part[64];
        int n = snprintf(part, sizeof part, "%s%zu-%zu", i ? ";" : "",
                         cpo(cm, s->start),
                         cpo(cm, s->end));
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

static void push_record(lua_State *L, cpmap *cm, const asy_attrs *r,
                        const asy_attr *a)
{
    lua_createtable(L, 0, 18);
    lua_pushstring(L, asy_attr_type_name(a->type));
    lua_setfield(L, -2, "type");
    setint(L, "start", (lua_Integer)cpo(cm, a->start));
    setint(L, "end", (lua_Integer)cpo(cm, a->end));
    lua_pushlstring(L, cm->d->text + a->start, a->end - a->start);
    lua_setfield(L, -2, "text");
    setspan(L, cm, "speaker", a->spk_start, a->spk_end);
    if (a->name_start != ASY_ATTR_NONE) {
        lua_pushlstring(L, cm->d->text + a->name_start,
                        a->name_end - a->name_start);
        lua_setfield(L, -2, "speaker_name");
    }
    setspan(L, cm, "cue", a->cue_start, a->cue_end);
    lua_pushstring(L, a->rule ? a->rule : "");
    lua_setfield(L, -2, "rule");
    push_conf(L, a->confidence, 0);
    lua_setfield(L, -2, "confidence");
    lua_pushstring(L, a->closed ? "closed" : "unclosed");
    lua_setfield(L, -2, "status");
    push_segments(L, cm, r, a);
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

/* Shared start of quotes/quote_rows: check the arguments and run the
 * attribution; the records are the model's `last` (freed by the caller,
 * or by the next run or the model's collection after an error). */
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
    asy_attrs *r = &u->last;
    asy_attrs_free(r);
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
    cpmap cm;
    cpmap_init(&cm, d);
    lua_createtable(L, (int)r->n, 0);
    for (size_t i = 0; i < r->n; i++) {
        push_record(L, &cm, r, &r->a[i]);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    asy_attrs_free(r);
    return 1;
}

/* The document's date (metadata "date") as doc.date shows it: a string,
 * an integer, or nil. */
static assay_value date_value(const asy_doc *d)
{
    assay_value v = {ASSAY_NIL, 0, 0, NULL, 0};
    const asy_meta_entry *e = asy_meta_get(&d->meta, "date");
    if (e && e->type == ASY_META_STRING) {
        v.type = ASSAY_STRING;
        v.s = e->str;
        v.len = e->len;
    } else if (e && e->type == ASY_META_INTEGER) {
        v.type = ASSAY_INTEGER;
        v.i = (int64_t)e->i;
    }
    return v;
}

static assay_value v_str(const char *s, size_t n)
{
    assay_value v = {ASSAY_STRING, 0, 0, s, n};
    return v;
}

static assay_value v_int(size_t i)
{
    assay_value v = {ASSAY_INTEGER, (int64_t)i, 0, NULL, 0};
    return v;
}

static const assay_value V_NIL = {ASSAY_NIL, 0, 0, NULL, 0};

/* An optional span: its text, start and end in three cells from v. */
static void span_vals(assay_value *v, cpmap *cm, size_t s, size_t e)
{
    if (s == ASY_ATTR_NONE) {
        v[0] = v[1] = v[2] = V_NIL;
        return;
    }
    v[0] = v_str(cm->d->text + s, e - s);
    v[1] = v_int(cpo(cm, s));
    v[2] = v_int(cpo(cm, e));
}

/* Confidence rounded to two decimals as its text ("0.94", "1", "0"),
 * written into b[8]; the CSV writer copies it instead of formatting a
 * double. */
static assay_value conf_text(double c, char *b)
{
    long h = (long)(c * 100 + 0.5);
    h = h < 0 ? 0 : h > 100 ? 100 : h;
    size_t n = 0;
    if (h == 100 || h == 0) {
        b[n++] = h ? '1' : '0';
    } else {
        b[n++] = '0';
        b[n++] = '.';
        b[n++] = (char)('0' + h / 10);
        if (h % 10)
            b[n++] = (char)('0' + h % 10);
    }
    return v_str(b, n);
}

/* Decimal digits of v at p; returns the end. */
static char *put_dec(char *p, size_t v)
{
    char tmp[24];
    int k = 0;
    do
        tmp[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (k)
        *p++ = tmp[--k];
    return p;
}

/* "start-end;start-end" of record a, in code points: into b (SEGMAX
 * bytes) when it fits, else as a Lua string left on the stack. */
enum { SEGMAX = 512 };
static assay_value segments_val(lua_State *L, cpmap *cm, const asy_attrs *r,
                                const asy_attr *a, char *b, int *pushed)
{
    *pushed = 0;
    if (a->nseg > SEGMAX / 44) {
        push_segments(L, cm, r, a);
        *pushed = 1;
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        return v_str(s, n);
    }
    char *p = b;
    for (size_t i = 0; i < a->nseg; i++) {
        const asy_span *s = &r->seg[a->seg + i];
        if (i)
            *p++ = ';';
        p = put_dec(p, cpo(cm, s->start));
        *p++ = '-';
        p = put_dec(p, cpo(cm, s->end));
    }
    return v_str(b, (size_t)(p - b));
}

/* The cells of record i (columns 2..; 0 and 1, the document id and date,
 * are set once per document). conf and seg are scratch text buffers. */
static void fill_vals(assay_value *v, cpmap *cm, const asy_attrs *r,
                      size_t i, char *conf)
{
    const asy_attr *a = &r->a[i];
    const char *ty = asy_attr_type_name(a->type);
    v[2] = v_int(i + 1);
    v[3] = v_str(ty, strlen(ty));
    v[4] = v_int(cpo(cm, a->start));
    v[5] = v_int(cpo(cm, a->end));
    v[6] = v_str(cm->d->text + a->start, a->end - a->start);
    span_vals(v + 7, cm, a->spk_start, a->spk_end);
    v[10] = a->name_start != ASY_ATTR_NONE
                ? v_str(cm->d->text + a->name_start, a->name_end - a->name_start)
                : V_NIL;
    span_vals(v + 11, cm, a->cue_start, a->cue_end);
    v[14] = a->rule ? v_str(a->rule, strlen(a->rule)) : v_str("", 0);
    v[15] = conf_text(a->confidence, conf);
    v[16] = a->closed ? v_str("closed", 6) : v_str("unclosed", 8);
}

/* Per-document speaker sums, kept in C while the rows are written: one
 * entry per distinct canonical name (a record's name span). */
typedef struct spk {
    size_t s, e;  /* a byte span of the name in the text */
    size_t quotes, words;
} spk;

/* Index of the name of record a in sp[0..n), or n when new. Documents
 * name few speakers, so a linear scan beats hashing. */
static size_t spk_find(const spk *sp, size_t n, const char *text,
                       const asy_attr *a)
{
    size_t len = a->name_end - a->name_start;
    for (size_t k = 0; k < n; k++)
        if (sp[k].e - sp[k].s == len &&
            memcmp(text + sp[k].s, text + a->name_start, len) == 0)
            return k;
    return n;
}

/* Tally every named record of r into sp (r->n entries at most);
 * returns the number of distinct names, in order of first appearance. */
static size_t spk_tally(spk *sp, const char *text, const asy_attrs *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++) {
        const asy_attr *a = &r->a[i];
        if (a->name_start == ASY_ATTR_NONE)
            continue;
        size_t k = spk_find(sp, n, text, a);
        if (k == n) {
            sp[n].s = a->name_start;
            sp[n].e = a->name_end;
            sp[n].quotes = sp[n].words = 0;
            n++;
        }
        sp[k].quotes++;
        sp[k].words += a->words;
    }
    return n;
}

/* Push the three parallel arrays names, quotes, words of sp[0..n). */
static void push_sums(lua_State *L, const char *text, const spk *sp, size_t n)
{
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    lua_createtable(L, (int)n, 0);
    int t = lua_gettop(L) - 2;
    for (size_t k = 0; k < n; k++) {
        lua_pushlstring(L, text + sp[k].s, sp[k].e - sp[k].s);
        lua_rawseti(L, t, (lua_Integer)k + 1);
        lua_pushinteger(L, (lua_Integer)sp[k].quotes);
        lua_rawseti(L, t + 1, (lua_Integer)k + 1);
        lua_pushinteger(L, (lua_Integer)sp[k].words);
        lua_rawseti(L, t + 2, (lua_Integer)k + 1);
    }
}

/* The counter in field k of the table at t (raises unless a Counter);
 * leaves it on the stack. */
static asy_counter *state_counter(lua_State *L, int t, const char *k)
{
    lua_getfield(L, t, k);
    asy_counter *c = asy_lua_counter_test(L, -1);
    if (!c)
        luaL_error(L, "assay.quote_rows: speakers.%s must be a Counter", k);
    return c;
}

/* dates[name] = date when it has none or when date compares (Lua <)
 * below it (lt) or above it (!lt); the name is on top of the stack. */
static void keep_date(lua_State *L, int dates, int date, int lt)
{
    lua_pushvalue(L, -1);
    int has = lua_rawget(L, dates) != LUA_TNIL;
    if (!has || (lt ? lua_compare(L, date, -1, LUA_OPLT)
                    : lua_compare(L, -1, date, LUA_OPLT))) {
        lua_pushvalue(L, -2);
        lua_pushvalue(L, date);
        lua_rawset(L, dates);
    }
    lua_pop(L, 1);
}

/* Fold sp[0..n) into the speakers state at st: { quotes, words,
 * documents = Counters of the canonical name, first, last = tables name
 * -> earliest / latest document date } (date at index date, 0 for
 * none). The counts go straight into C counters: no Lua table per
 * speaker and per document. */
static void fold_speakers(lua_State *L, int st, int date, const char *text,
                          const spk *sp, size_t n)
{
    static const char *const K[3] = {"quotes", "words", "documents"};
    asy_counter *c[3];
    int top = lua_gettop(L);
    for (int f = 0; f < 3; f++)
        c[f] = state_counter(L, st, K[f]);
    for (size_t k = 0; k < n; k++) {
        const char *name = text + sp[k].s;
        size_t len = sp[k].e - sp[k].s;
        uint32_t h = asy_counter_hash(name, len); /* once for all three */
        if (asy_counter_add_h(c[0], name, len, h, (int64_t)sp[k].quotes) <
                0 ||
            asy_counter_add_h(c[1], name, len, h, (int64_t)sp[k].words) < 0 ||
            asy_counter_add_h(c[2], name, len, h, 1) < 0)
            luaL_error(L, "not enough memory");
    }
    for (int f = 0; f < 3; f++)
        asy_lua_counter_charge(L, top + 1 + f);
    if (date) {
        if (lua_getfield(L, st, "first") != LUA_TTABLE ||
            lua_getfield(L, st, "last") != LUA_TTABLE)
            luaL_error(L, "assay.quote_rows: speakers.first and "
                          "speakers.last must be tables");
        for (size_t k = 0; k < n; k++) {
            lua_pushlstring(L, text + sp[k].s, sp[k].e - sp[k].s);
            keep_date(L, top + 4, date, 1);
            keep_date(L, top + 5, date, 0);
            lua_pop(L, 1);
        }
    }
    lua_settop(L, top);
}

/* assay.quote_rows(doc, opts, output [, speakers [, date]]): writes every
 * record as a row of output (columns in QUOTE_COLUMNS order). Without
 * `speakers` it returns, per canonical speaker of this document, parallel
 * arrays of the name, its records and the words inside them; with a
 * speakers state { quotes = Counter, words = Counter, documents =
 * Counter, first = {}, last = {} } it folds them in instead (per name:
 * records, words, documents, earliest and latest date; date a string or
 * nil) and returns nothing. The rows go through the Output's C path
 * (asy_lua_out_emit): no Lua value per cell. */
static int quote_rows(lua_State *L)
{
    int fold = !lua_isnoneornil(L, 4);
    if (fold)
        luaL_checktype(L, 4, LUA_TTABLE);
    int date = 0;
    if (fold && !lua_isnoneornil(L, 5)) {
        luaL_checktype(L, 5, LUA_TSTRING);
        date = 5;
    }
    const asy_output_def *def = asy_lua_out_def(L, 3);
    if (def->ncols != NCOLS)
        return luaL_error(L, "assay.quote_rows: output '%s' has %d columns, "
                             "not the %d of assay.quote_columns()",
                          def->name, def->ncols, (int)NCOLS);
    asy_lua_output *out = asy_lua_out_check(L, 3);
    asy_doc *d;
    asy_attrs *r = run_doc(L, &d);
    assay_value v[NCOLS];
    char conf[8], seg[SEGMAX];
    cpmap cm;
    cpmap_init(&cm, d);
    v[0] = d->id ? v_str(d->id, strlen(d->id)) : v_str("", 0);
    v[1] = date_value(d);
    for (size_t i = 0; i < r->n; i++) {
        int pushed;
        fill_vals(v, &cm, r, i, conf);
        v[17] = segments_val(L, &cm, r, &r->a[i], seg, &pushed);
        asy_lua_out_emit_to(L, out, v, NCOLS);
        if (pushed)
            lua_pop(L, 1);
    }
    spk small[32];
    spk *sp = r->n <= 32 ? small
                         : lua_newuserdatauv(L, r->n * sizeof *sp, 0);
    size_t ns = spk_tally(sp, d->text, r);
    asy_attrs_free(r);
    if (fold) {
        fold_speakers(L, 4, date, d->text, sp, ns);
        return 0;
    }
    push_sums(L, d->text, sp, ns);
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
    static const luaL_Reg fns[] = {{"quotes", quotes},
                                   {"quote_rows", quote_rows},
                                   {"quote_columns", quote_columns},
                                   {"quote_model", quote_model},
                                   {NULL, NULL}};
    asy_lua_newclass(L, QMODEL_MT, NULL, meta);
    lua_pop(L, 1);
    luaL_setfuncs(L, fns, 0);
}
