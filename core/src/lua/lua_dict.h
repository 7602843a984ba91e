/*
 * lua_dict.h — "assay.Dictionary": the Lua face of dict.c (lua_dict.c).
 * Internal to core/src/lua/; registered by lua_assay.c.
 */
#ifndef ASY_LUA_DICT_H
#define ASY_LUA_DICT_H

#include <lua.h>

#define ASY_DICT_MT "assay.Dictionary"

/* Register the metatable (once per state). */
void asy_lua_dict_open(lua_State *L);
/* assay.dictionary(path_or_table [, opts]) -> Dictionary */
int asy_lua_dict_new(lua_State *L);

#endif
