/*
 * lua_quotes.h — registration of the quote-attribution functions
 * (assay.quotes, assay.quote_rows, assay.quote_columns, assay.quote_model;
 * lua_quotes.c). Internal to core/src/lua/.
 */
#ifndef ASY_LUA_QUOTES_H
#define ASY_LUA_QUOTES_H

#include <lua.h>

/* Register the QuoteModel metatables and add its functions to the
 * module table on top of the stack. Raises on error (run it protected). */
void asy_lua_quotes_open(lua_State *L);

#endif
