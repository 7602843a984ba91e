/*
 * lua_plugin.h — pieces of plugin loading shared by lua_plugin.c (plugin
 * descriptions) and lua_runtime.c (plugins running in a worker's state).
 */
#ifndef ASY_LUA_PLUGIN_H
#define ASY_LUA_PLUGIN_H

#include <lua.h>

#include "../plugin.h"

/* Push a plugin info table {name, dir (of path, or nil), dirs = {...}}
 * used by print, assay.log and assay.read_* of that plugin. */
void asy_lua_push_pinfo(lua_State *L, const char *name, const char *path,
                        char *const *dirs);
/* Push an option's current value with its declared type. */
void asy_lua_push_option(lua_State *L, const asy_option *o);

#endif
