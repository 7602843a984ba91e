/*
 * lua_sandbox.h — the environment plugins run in. The sandbox is built
 * from an allowlist (Redis style), not stripped from a full state: each
 * plugin gets its own _ENV whose __index is a per-plugin table of the
 * allowed globals, with library tables behind read-only proxies.
 */
#ifndef ASY_LUA_SANDBOX_H
#define ASY_LUA_SANDBOX_H

#include <lua.h>

/* lua_CFunction: prepare the state once (lock the string metatable, drop
 * string.dump, build the allowlist and the `assay` module). Call it with
 * lua_pcall; it reads the trust flag of the state (asy_lstate). */
int asy_sandbox_init(lua_State *L);

/* Push a new _ENV for one plugin. pinfo is the index of the plugin's info
 * table (name, dir, dirs) used by print, assay.log and assay.read_*.
 * Sandboxed: globals are the allowlist (read-only libraries); trusted:
 * the full _G, with print, load and assay bound to the plugin. */
void asy_sandbox_push_env(lua_State *L, int pinfo);

#endif
