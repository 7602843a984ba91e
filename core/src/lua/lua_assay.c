/*
 * lua_assay.c — the `assay` module: shared functions (counter, version),
 * the embedded prelude, and per-plugin functions bound to the plugin's
 * name and directory (log, read_file, read_lines, data_path). Also the one
 * helper that registers every assay.* metatable.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "lua_toolkit.h"
#include "lua_quotes.h"
#include "../dict.h"
#include "lua_dict.h"
#include "lua_types.h"

extern const unsigned char asy_prelude_lua[];
extern const size_t asy_prelude_lua_len;

static const char MODKEY = 0; /* registry: the shared module table */

void asy_lua_newclass(lua_State *L, const char *name, const luaL_Reg *methods,
                      const luaL_Reg *meta)
{
    luaL_newmetatable(L, name); /* mt */
    if (meta)
        luaL_setfuncs(L, meta, 0);
    if (methods) {
        lua_newtable(L);
        luaL_setfuncs(L, methods, 0);
        lua_setfield(L, -2, "__index");
    }
    lua_pushstring(L, name); /* getmetatable(x) gives only the name */
    lua_setfield(L, -2, "__metatable");
}

/* ===== printing ======================================================== */

/* "[plugin NAME] a\tb\n" written with one fwrite, so lines from worker
 * threads do not interleave. Never stdout: it may carry CSV. */
int asy_lua_assay_log(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "[plugin ");
    lua_getfield(L, lua_upvalueindex(1), "name");
    luaL_addvalue(&b);
    luaL_addstring(&b, "]");
    for (int i = 1; i <= n; i++) {
        luaL_addchar(&b, i == 1 ? ' ' : '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    fwrite(s, 1, len, stderr);
    return 0;
}

/* ===== files =========================================================== */

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Push the first existing candidate for rel: itself when absolute, else
 * the plugin's directory, then each plugin directory, then the working
 * directory (so that a file a researcher names in -O is found as typed).
 * Returns 0 (and pushes nothing) when none exists. */
static int resolve(lua_State *L, const char *rel)
{
    if (rel[0] == '/') {
        if (!exists(rel))
            return 0;
        lua_pushstring(L, rel);
        return 1;
    }
    if (lua_getfield(L, lua_upvalueindex(1), "dir") == LUA_TSTRING) {
        lua_pushfstring(L, "%s/%s", lua_tostring(L, -1), rel);
        if (exists(lua_tostring(L, -1))) {
            lua_remove(L, -2);
            return 1;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_getfield(L, lua_upvalueindex(1), "dirs"); /* dirs */
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) == LUA_TSTRING; i++) {
        lua_pushfstring(L, "%s/%s", lua_tostring(L, -1), rel);
        if (exists(lua_tostring(L, -1))) {
            lua_replace(L, -3);
            lua_pop(L, 1);
            return 1;
        }
        lua_pop(L, 2);
    }
    lua_pop(L, 2);
    if (!exists(rel)) /* last: the working directory */
        return 0;
    lua_pushstring(L, rel);
    return 1;
}

/* assay.data_path(rel) -> path or nil */
static int assay_data_path(lua_State *L)
{
    if (!resolve(L, luaL_checkstring(L, 1)))
        lua_pushnil(L);
    return 1;
}

/* Read a whole file into a Lua string. Every allocation (charged to the
 * memory cap, and able to raise) happens while no FILE is open, so an
 * error cannot leak it. Returns 1 (string pushed) or 2 (nil, msg). */
static int slurp(lua_State *L, const char *rel)
{
    struct stat st;
    if (!resolve(L, rel)) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: not found (looked next to the plugin, in "
                        "the plugin directories and in the working "
                        "directory)", rel);
        return 2;
    }
    const char *path = lua_tostring(L, -1);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: not a readable file", path);
        return 2;
    }
    size_t size = (size_t)st.st_size;
    char *buf = lua_newuserdatauv(L, size ? size : 1, 0); /* path buf */
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(buf, 1, size, f) : 0;
    int bad = !f || ferror(f);
    int e = errno;
    if (f)
        fclose(f);
    if (bad) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, asy_errno_text(e));
        return 2;
    }
    lua_pushlstring(L, buf, got);
    return 1;
}

/* assay.read_file(path) -> string, or nil, message */
static int assay_read_file(lua_State *L)
{
    return slurp(L, luaL_checkstring(L, 1));
}

/* assay.read_lines(path) -> array of lines ("\n" or "\r\n" separated),
 * or nil, message */
static int assay_read_lines(lua_State *L)
{
    int r = slurp(L, luaL_checkstring(L, 1));
    if (r != 1)
        return r;
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    lua_newtable(L); /* text lines */
    lua_Integer n = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        size_t k = e;
        if (k > i && s[k - 1] == '\r')
            k--;
        lua_pushlstring(L, s + i, k - i);
        lua_rawseti(L, -2, ++n);
        i = e + 1;
    }
    return 1;
}

/* assay.dictionary(name_or_path_or_table [, opts]): a bare name (no '/'
 * or '.') is a bundled dictionary, dictionaries/NAME.EXT looked for like
 * a data file; everything else is asy_lua_dict_new's. */
static int assay_dictionary(lua_State *L)
{
    if (lua_type(L, 1) != LUA_TSTRING) /* (lua_tostring would convert) */
        return asy_lua_dict_new(L);
    const char *name = lua_tostring(L, 1);
    if (strpbrk(name, "/.")) /* a path; "./NAME" for a file without a dot */
        return asy_lua_dict_new(L);
    for (const asy_dict_ext *x = asy_dict_exts; x->ext; x++) {
        if (!x->bundled)
            continue;
        lua_pushfstring(L, "dictionaries/%s%s", name, x->ext); /* rel */
        if (resolve(L, lua_tostring(L, -1))) {                   /* rel path */
            lua_replace(L, 1);
            lua_pop(L, 1);
            return asy_lua_dict_new(L);
        }
        lua_pop(L, 1);
    }
    return luaL_error(L, "no bundled dictionary named '%s' (looked for "
                      "dictionaries/%s.yml, .csv, ... in the plugin "
                      "directories)", name, name);
}

/* ===== module ========================================================== */

static int load_prelude(lua_State *L)
{
    int st = luaL_loadbufferx(L, (const char *)asy_prelude_lua,
                              asy_prelude_lua_len, "@assay/prelude.lua", "t");
    if (st != LUA_OK)
        lua_error(L);
    return 1;
}

void asy_lua_assay_open(lua_State *L)
{
    static const luaL_Reg fns[] = {{"counter", asy_lua_counter_new},
                                   {"dictionary", asy_lua_dict_new},
                                   {NULL, NULL}};
    asy_lua_doc_open(L);
    asy_lua_span_open(L);
    asy_lua_counter_open(L);
    asy_lua_dict_open(L);
    asy_lua_out_open(L);
    luaL_newlib(L, fns); /* M */
    asy_lua_quotes_open(L); /* assay.quotes, assay.quote_model */
    asy_lua_toolkit_open(L); /* ngrams, keyness, kwic, entities, ... */
    lua_pushstring(L, ASSAY_VERSION_STRING);
    lua_setfield(L, -2, "version");
    lua_pushstring(L, LUA_RELEASE);
    lua_setfield(L, -2, "lua_version");
    lua_newtable(L); /* the extensions assay.dictionary(NAME) looks for */
    lua_Integer nx = 0;
    for (const asy_dict_ext *x = asy_dict_exts; x->ext; x++)
        if (x->bundled) {
            lua_pushstring(L, x->ext);
            lua_rawseti(L, -2, ++nx);
        }
    lua_setfield(L, -2, "dictionary_extensions");
    load_prelude(L); /* M prelude */
    lua_pushvalue(L, -2);
    lua_call(L, 1, 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &MODKEY);
}

void asy_lua_assay_push(lua_State *L, int pinfo)
{
    static const luaL_Reg bound[] = {
        {"log", asy_lua_assay_log},         {"read_file", assay_read_file},
        {"read_lines", assay_read_lines},   {"data_path", assay_data_path},
        {"dictionary", assay_dictionary},   {NULL, NULL}};
    pinfo = lua_absindex(L, pinfo);
    lua_newtable(L); /* A */
    lua_rawgetp(L, LUA_REGISTRYINDEX, &MODKEY); /* A M */
    lua_pushnil(L);
    while (lua_next(L, -2)) { /* A M k v */
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -5);
    }
    lua_pop(L, 1); /* A */
    lua_pushvalue(L, pinfo);
    luaL_setfuncs(L, bound, 1);
}
