/*
 * lua_toolkit.h — the counting toolkit's Lua functions (assay.ngrams,
 * assay.ngram_table/ngram_rows, assay.collocations, assay.keyness,
 * assay.count_corpus in lua_ngram.c; assay.pattern, assay.kwic and
 * assay.entities in lua_kwic.c) and the helpers the two files share.
 * Internal to core/src/lua/.
 */
#ifndef ASY_LUA_TOOLKIT_H
#define ASY_LUA_TOOLKIT_H

#include <lauxlib.h>
#include <lua.h>

#include "../ngram.h"

/* Add the toolkit's functions to the module table on top of the stack
 * and register its metatables. */
void asy_lua_toolkit_open(lua_State *L);

/* ---- lua_ngram.c: shared helpers ---- */
/* Text of the Document or string at idx (raises otherwise). */
const char *asy_lua_tk_text(lua_State *L, int idx, size_t *len);
/* Boolean / integer option `name` of the table at idx (or none/nil). */
int asy_lua_tk_optbool(lua_State *L, int idx, const char *name, int dflt);
lua_Integer asy_lua_tk_optint(lua_State *L, int idx, const char *name,
                              lua_Integer dflt);
/* The per-state scratch word stream, filled from text[0..len) with
 * flags; with sentences, words are tagged with news-mode sentences
 * (abbreviation list from option "abbreviations" of the table at optidx,
 * a path; loaded once per state). Raises on OOM or a bad list. Valid until
 * the next call. */
asy_wordstream *asy_lua_tk_words(lua_State *L, const char *text, size_t len,
                                 unsigned flags, int sentences, int optidx);
/* The counter at idx (raises "bad argument" otherwise); NULL if nil and
 * nil_ok. */
asy_counter *asy_lua_tk_counter(lua_State *L, int idx, int nil_ok);

/* ---- lua_kwic.c ---- */
void asy_lua_kwic_open(lua_State *L);

#endif
