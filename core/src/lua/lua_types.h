/*
 * lua_types.h — the C types assay hands to Lua (Document, Span, Counter,
 * Output) and the `assay` module: each lives in its own lua_<type>.c file
 * and exposes only what the runtime needs to create, check and retire it.
 * Internal to core/src/lua/.
 */
#ifndef ASY_LUA_TYPES_H
#define ASY_LUA_TYPES_H

#include <stdint.h>

#include <lauxlib.h>
#include <lua.h>

#include "../counter.h"
#include "../counter_rows.h"
#include "../doc.h"
#include "../plugin.h"
#include "../rowbuf.h"

#define ASY_DOC_MT "assay.Document"
#define ASY_SPAN_MT "assay.Span"
#define ASY_SPANLIST_MT "assay.SpanList"
#define ASY_COUNTER_MT "assay.Counter"
#define ASY_OUTPUT_MT "assay.Output"

/* Register a metatable: `name` in the registry with __name, __index methods
 * (unless NULL), the metamethods in `meta`, and __metatable = name so that
 * getmetatable() from a plugin sees only the name. Leaves it on the stack. */
void asy_lua_newclass(lua_State *L, const char *name, const luaL_Reg *methods,
                      const luaL_Reg *meta);

/* ---- lua_doc.c ---- */
void asy_lua_doc_open(lua_State *L);
/* Push a new Document view of d (valid until asy_lua_doc_invalidate). */
void asy_lua_doc_push(lua_State *L, asy_doc *d);
/* Retire the Document at idx: any later use raises an error. */
void asy_lua_doc_invalidate(lua_State *L, int idx);
/* The live document of the Document at idx; NULL if idx is not a
 * Document; raises an error if it was retired. */
asy_doc *asy_lua_doc_test(lua_State *L, int idx);
/* The document of the Document at idx, NULL when retired (no error). */
asy_doc *asy_lua_doc_peek(lua_State *L, int idx);
/* Push the id of the Document at idx (works after it was retired). */
void asy_lua_doc_pushid(lua_State *L, int idx);

/* ---- lua_span.c ---- */
void asy_lua_span_open(lua_State *L);
/* Push a Span over the Document at docidx. index = its 1-based position in
 * the list it belongs to (0 if none), used by the list iterator. */
void asy_lua_span_push(lua_State *L, int docidx, size_t bstart, size_t bend,
                       size_t cpstart, size_t cpend, int index);
/* Give the table on top of the stack the span-list metatable (array and
 * iterator at once). */
void asy_lua_spanlist_setmeta(lua_State *L);

/* Typed spans: a word (.kind, .norm), a quotation (.open, .close,
 * .status, .depth, :inner(), :segments()) or a section (.heading,
 * :paragraphs()). `ref` is the quotation's or section's index in the
 * document's structure cache (structure.h), read back on access. */
enum { ASY_SPAN_PLAIN = 0, ASY_SPAN_WORD, ASY_SPAN_QUOTE, ASY_SPAN_SECTION };
typedef struct asy_lua_spaninfo {
    size_t bstart, bend;   /* bytes, 0-based, end-exclusive */
    size_t cpstart, cpend; /* code points, 0-based, end-exclusive */
    int index;             /* 1-based position in its list, 0 if none */
    int type;              /* ASY_SPAN_* */
    int kind;              /* words: asy_wb_kind */
    size_t ref;            /* quotations, sections: index in the cache */
} asy_lua_spaninfo;
/* Push a typed span over the Document at docidx. A word span's normalised
 * form is its user value 2: push the string and lua_setiuservalue(L, -2,
 * 2) (without it, .norm is the text). */
void asy_lua_span_push_ex(lua_State *L, int docidx,
                          const asy_lua_spaninfo *si);

/* ---- lua_text.c: word options and per-state text resources ---- */
/* Parse the word options table at idx (or nil) into *o: lower (default
 * lower_dflt), normalize ("nfc" | "nfkc"), stem (a language), stopwords
 * (a bundled name or a file path), kinds (array of kind names, default
 * kinds_dflt), min_length. Stemmers and stop-word sets are loaded once per
 * lua_State and shared. With push_key, pushes a cache key string
 * describing *o (doc:words caches by it; counting, called once per
 * document, does not need one). Raises a clear error on a bad option. */
struct asy_tok_opts;
void asy_lua_tokopts(lua_State *L, int idx, int lower_dflt,
                     unsigned kinds_dflt, struct asy_tok_opts *o,
                     int push_key);
/* Per-state scratch buffers for asy_tok_normalise (owned by the state). */
struct asy_tok_norm;
struct asy_tok_norm *asy_lua_tokscratch(lua_State *L);
/* The abbreviation list of `lang` ("en"): plugins/data/abbreviations/
 * <lang>.txt found in the plugin directories, loaded once per lua_State
 * (one per runtime) and shared read-only. Raises when missing. */
struct asy_abbrevs;
const struct asy_abbrevs *asy_lua_abbrevs(lua_State *L, const char *lang);

/* ---- lua_counter.c ---- */
void asy_lua_counter_open(lua_State *L);
/* assay.counter(): push a new empty Counter. */
int asy_lua_counter_new(lua_State *L);
/* The counter of the Counter at idx, or NULL if idx is not a Counter. */
asy_counter *asy_lua_counter_test(lua_State *L, int idx);
/* Is the value at idx a Counter (possibly emptied by asy_lua_counter_take)? */
int asy_lua_counter_is(lua_State *L, int idx);
/* Move the counter out of the Counter at idx (which is left empty: using
 * it raises, as after __gc) and release its charge; NULL when idx is not
 * a Counter or is empty. The caller owns the result. */
asy_counter *asy_lua_counter_take(lua_State *L, int idx);
/* Push a Counter holding nothing yet (using it raises, as after __gc). */
void asy_lua_counter_push_empty(lua_State *L);
/* Make the empty Counter at idx own *c (from asy_lua_counter_take, maybe
 * in another lua_State of this process), set *c to NULL, then charge its
 * memory here (which may raise: the Counter owns it by then). */
void asy_lua_counter_adopt(lua_State *L, int idx, asy_counter **c);
/* Re-account the C memory of the Counter at idx against the memory cap;
 * raises "not enough memory" when the cap is exceeded even after a full
 * collection (which frees the counters no longer reachable). */
void asy_lua_counter_charge(lua_State *L, int idx);

/* ---- lua_out.c ---- */
/* Where the rows of the current callback go. `call` changes after every
 * callback, which retires every Output created during it. */
typedef struct asy_lua_sink {
    asy_rowbuf *rb; /* NULL outside callbacks */
    uint64_t call;
    size_t charged; /* row bytes charged to the memory cap in this call */
} asy_lua_sink;

/* The declared outputs of one plugin (owned by the runtime). */
typedef struct asy_lua_outputs {
    const char *plugin;
    int n;
    const asy_output_def *defs;
} asy_lua_outputs;

void asy_lua_out_open(lua_State *L);
/* Push an Output for output number `output` of outs, bound to the sink's
 * current call. Both pointers must outlive the lua_State. */
void asy_lua_out_push(lua_State *L, asy_lua_sink *sink,
                      const asy_lua_outputs *outs, int output);
/* C fast path for bindings that write many rows (quotes, topics): the
 * declared columns of the live Output at idx (raises if idx is not an
 * Output or its callback has returned). */
const asy_output_def *asy_lua_out_def(lua_State *L, int idx);
/* Pack one row of n values, in the declared column order, into the
 * Output at idx, exactly as out:row would (strings are copied; the row
 * counts against the memory cap). Raises when n differs from the
 * declared column count or when out of memory. */
void asy_lua_out_emit(lua_State *L, int idx, const assay_value *vals, int n);
/* For a binding that writes many rows in one call: the Output at idx,
 * checked once (raises as asy_lua_out_emit would), and the same emission
 * through that handle without looking the userdata's type up again. The
 * handle is valid while the Output stays on the stack. */
typedef struct asy_lua_output asy_lua_output;
asy_lua_output *asy_lua_out_check(lua_State *L, int idx);
void asy_lua_out_emit_to(lua_State *L, asy_lua_output *o,
                         const assay_value *vals, int n);
/* Rows from .. from + n of src into the Output o. When they go to a
 * file, formatted by its writer's format (rowbuf.h) 8,192 at a time on
 * the run's threads (counter_rows.h: each chunk appended as a block, in
 * row order, while the next ones are formatted; the formatting buffers
 * charged to the memory cap while held); to a row callback, one by one.
 * Raises when out of memory. */
void asy_lua_out_rows(lua_State *L, asy_lua_output *o, const asy_rowsrc *src,
                      size_t from, size_t n);

/* ---- lua_assay.c ---- */
/* Build the shared `assay` module (C functions + prelude) in the registry.
 * Raises on error (run it protected). */
void asy_lua_assay_open(lua_State *L);
/* Push a fresh `assay` table for one plugin: the shared functions plus
 * log/read_file/read_lines/data_path bound to the plugin info table at
 * pinfo (fields name, dir, dirs). */
void asy_lua_assay_push(lua_State *L, int pinfo);
/* print/assay.log for the plugin info table at upvalue 1. */
int asy_lua_assay_log(lua_State *L);

#endif
