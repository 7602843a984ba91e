/*
 * lua_sandbox.c — the plugin sandbox: an allowlist of globals, read-only
 * proxies for the libraries, `load` restricted to text chunks in the
 * plugin's own environment, and collectgarbage limited to "count". The
 * memory cap and instruction budget live in lua_state.c, out of reach.
 * With --trust every library is open and the plugin's _ENV falls through
 * to _G, keeping only print/load/assay bound to the plugin.
 */
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_sandbox.h"
#include "lua_state.h"
#include "lua_types.h"

static const char ALLOWKEY = 0; /* registry: name -> allowed global */

static const char *const base_names[] = {
    "assert",       "error",    "ipairs",       "next",     "pairs",
    "pcall",        "rawequal", "rawget",       "rawlen",   "rawset",
    "select",       "setmetatable", "getmetatable", "tonumber", "tostring",
    "type",         "xpcall",   "_VERSION",     NULL};
static const char *const lib_names[] = {"string", "table", "math", "utf8",
                                        "coroutine", NULL};
static const char *const os_names[] = {"time", "clock", "date", "difftime",
                                       NULL};

/* ===== replacements ==================================================== */

/* collectgarbage("count") only: stopping or driving the collector would
 * let a plugin defeat the memory cap or stall other plugins. */
static int safe_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage('%s') is not available in the "
                          "sandbox (only 'count')", opt);
    lua_pushnumber(L, (lua_Number)asy_lstate_get(L)->used / 1024.0);
    return 1;
}

/* load(chunk [, chunkname [, mode [, env]]]): text chunks only (binary
 * chunks can crash the VM), and env defaults to the plugin's own _ENV.
 * Upvalues: the real load, the plugin env, sandboxed?. */
static int safe_load(lua_State *L)
{
    int sandboxed = lua_toboolean(L, lua_upvalueindex(3));
    int has_env = !lua_isnone(L, 4);
    lua_settop(L, 4);
    lua_pushvalue(L, lua_upvalueindex(1)); /* args load */
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    if (sandboxed)
        lua_pushliteral(L, "t");
    else
        lua_pushvalue(L, 3);
    if (has_env)
        lua_pushvalue(L, 4);
    else
        lua_pushvalue(L, lua_upvalueindex(2));
    lua_call(L, 4, LUA_MULTRET);
    return lua_gettop(L) - 4;
}

/* ===== read-only proxies =============================================== */

static int ro_newindex(lua_State *L)
{
    return luaL_error(L, "attempt to modify read-only table '%s'",
                      lua_tostring(L, lua_upvalueindex(1)));
}

/* pairs(string) iterates the real table behind the proxy. */
static int ro_pairs(lua_State *L)
{
    lua_getglobal(L, "next");
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushnil(L);
    return 3;
}

/* Replace the table on top of the stack by an empty proxy that reads
 * through to it and refuses writes. The proxy's metatable is hidden, so
 * the real table stays unreachable. */
static void push_proxy(lua_State *L, const char *name)
{
    int real = lua_gettop(L);
    lua_newtable(L);             /* real P */
    lua_createtable(L, 0, 4);    /* real P mt */
    lua_pushvalue(L, real);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_pushcclosure(L, ro_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, real);
    lua_pushcclosure(L, ro_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);     /* real P */
    lua_replace(L, real);
}

/* ===== one-time preparation ============================================ */

static void copy_fields(lua_State *L, int from, const char *const *names)
{
    for (const char *const *n = names; *n; n++) {
        lua_getfield(L, from, *n);
        lua_setfield(L, -2, *n);
    }
}

/* Registry ALLOWKEY: the allowed base functions, the real library tables
 * (proxied per plugin) and an os table with time functions only. */
static void build_allowlist(lua_State *L)
{
    lua_pushglobaltable(L); /* G */
    int g = lua_gettop(L);
    lua_newtable(L); /* G A */
    copy_fields(L, g, base_names);
    copy_fields(L, g, lib_names);
    lua_pushcfunction(L, safe_collectgarbage);
    lua_setfield(L, -2, "collectgarbage");
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0); /* G A os */
    lua_createtable(L, 0, 4);                       /* G A os subset */
    copy_fields(L, -2, os_names);
    lua_setfield(L, -3, "os");
    lua_pop(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ALLOWKEY);
    lua_pop(L, 1);
}

/* The string metatable is shared by every string: hide it, and drop
 * string.dump (bytecode is only useful for loading binary chunks). */
static void lock_strings(lua_State *L)
{
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) { /* "" mt */
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
}

int asy_sandbox_init(lua_State *L)
{
    if (!asy_lstate_get(L)->trust) {
        lock_strings(L);
        build_allowlist(L);
    }
    asy_lua_assay_open(L);
    return 0;
}

/* ===== per-plugin environment ========================================== */

/* Functions bound to this plugin: print, load (env = E) and assay. The
 * table to fill is on top of the stack; E at env. */
static void bind_plugin(lua_State *L, int pinfo, int env, int sandboxed)
{
    lua_pushvalue(L, pinfo);
    lua_pushcclosure(L, asy_lua_assay_log, 1);
    lua_setfield(L, -2, "print");
    lua_getglobal(L, "load"); /* the real one; only reachable as an upvalue */
    lua_pushvalue(L, env);
    lua_pushboolean(L, sandboxed);
    lua_pushcclosure(L, safe_load, 3);
    lua_setfield(L, -2, "load");
    asy_lua_assay_push(L, pinfo); /* ... T A */
    if (sandboxed)
        push_proxy(L, "assay");
    lua_setfield(L, -2, "assay");
}

/* The per-plugin globals table of a sandboxed plugin. */
static void push_sandbox_globals(lua_State *L, int pinfo, int env)
{
    lua_newtable(L); /* T */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ALLOWKEY); /* T A */
    lua_pushnil(L);
    while (lua_next(L, -2)) { /* T A k v */
        if (lua_istable(L, -1))
            push_proxy(L, lua_tostring(L, -2));
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -5);
    }
    lua_pop(L, 1); /* T */
    bind_plugin(L, pinfo, env, 1);
    lua_pushvalue(L, env);
    lua_setfield(L, -2, "_G");
}

void asy_sandbox_push_env(lua_State *L, int pinfo)
{
    int trust = asy_lstate_get(L)->trust;
    pinfo = lua_absindex(L, pinfo);
    lua_newtable(L); /* E */
    int env = lua_gettop(L);
    if (trust) {
        lua_newtable(L); /* E T: overlay falling through to _G */
        bind_plugin(L, pinfo, env, 0);
        lua_createtable(L, 0, 1);
        lua_pushglobaltable(L);
        lua_setfield(L, -2, "__index");
        lua_setmetatable(L, -2);
    } else
        push_sandbox_globals(L, pinfo, env); /* E T */
    lua_createtable(L, 0, 2); /* E T mt */
    lua_insert(L, -2);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, env); /* E */
}
