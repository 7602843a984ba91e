/*
 * lua_report.c — report scripts in Lua (report.h, docs/reports.md): load a
 * script in the plugin sandbox, type its options, load the plugins it names
 * into an engine through the public API, and after the run call
 * render(ctx) with the CSVs read back, the manifest and a write API that
 * only reaches plain file names inside the output directory.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <lauxlib.h>

#include "lua_call.h"
#include "lua_plugin.h"
#include "lua_sandbox.h"
#include "lua_state.h"
#include "../report.h"
#include "../sha256.h"
#include "../source.h"
#include "../strbuf.h"

#define REPORT_MEM ((size_t)2048 << 20) /* render holds whole tables */
#define MAX_WRITTEN 64
#define JSON_DEPTH 64

struct asy_report {
    lua_State *L;
    char *name, *summary, *path;
    char *source;
    size_t source_len;
    char **dirs;                 /* script directories (a copy) */
    char **data_dirs;            /* script, then plugin directories: where
                                    assay.read_file/data_path look */
    int tab_ref, env_ref, opts_ref;
    /* during render */
    const char *outdir;
    assay_engine *e;
    char *written[MAX_WRITTEN + 1];
    int nwritten;
};

typedef struct job {
    asy_report *r;
    asy_error *err;
    int rc;
    const void *arg;
} job;

/* ===== small helpers =================================================== */

static char *read_source(const char *path, size_t *len, asy_error *err)
{
    asy_buf b = ASY_BUF_INIT;
    if (asy_read_file(path, "report script", &b, err) != ASSAY_OK) {
        asy_buf_free(&b);
        return NULL;
    }
    return asy_buf_detach(&b, len);
}

static int count(char *const *v)
{
    int n = 0;
    while (v && v[n])
        n++;
    return n;
}

/* A malloc'd copy of a then b (NULL-terminated string arrays). */
static char **copy_dirs(char *const *a, char *const *b)
{
    int na = count(a), nb = count(b);
    char **v = calloc((size_t)(na + nb) + 1, sizeof *v);
    for (int i = 0; v && i < na + nb; i++)
        if (!(v[i] = strdup(i < na ? a[i] : b[i - na]))) {
            asy_strv_free(v);
            return NULL;
        }
    return v;
}

static void push_ref(lua_State *L, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
}

/* Run fn(job) protected: an allocation failure outside script code is an
 * error, never a panic. */
static int protect(job *j, lua_CFunction fn, const char *what)
{
    lua_State *L = j->r->L;
    int top = lua_gettop(L);
    lua_pushcfunction(L, fn);
    lua_pushlightuserdata(L, j);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "%s: %s (%s)",
                              j->r->path, m ? m : "error", what);
    }
    lua_settop(L, top);
    return j->rc;
}

static asy_lcall callinfo(const asy_report *r, const char *cb)
{
    asy_lcall ci = {r->name ? r->name : "report", r->path, cb, NULL};
    return ci;
}

/* ===== require("lib.html"): modules next to the scripts ================ */

/* Push the first existing "<dir>/<rel>" (the script's directory, then each
 * script directory); 0 if none. */
static int find_module(lua_State *L, asy_report *r, const char *rel)
{
    const char *slash = strrchr(r->path, '/');
    int n = slash ? (int)(slash - r->path) : 1;
    const char *base = slash ? r->path : ".";
    FILE *f;
    char *p = NULL;
    if (asprintf(&p, "%.*s/%s", n, base, rel) >= 0 && (f = fopen(p, "rb"))) {
        fclose(f);
        lua_pushstring(L, p);
        free(p);
        return 1;
    }
    free(p);
    for (int i = 0; r->dirs && r->dirs[i]; i++) {
        p = NULL;
        if (asprintf(&p, "%s/%s", r->dirs[i], rel) >= 0 && (f = fopen(p, "rb"))) {
            fclose(f);
            lua_pushstring(L, p);
            free(p);
            return 1;
        }
        free(p);
    }
    return 0;
}

/* "lib.html" or "lib/html" -> "lib/html.lua"; NULL for anything that could
 * leave the script directories. */
static const char *module_file(lua_State *L, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 200 || name[0] == '.' || name[0] == '/' || strstr(name, ".."))
        return NULL;
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(c == '_' || c == '-' || c == '.' || c == '/' ||
              (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return NULL;
        luaL_addchar(&b, c == '.' ? '/' : c);
    }
    luaL_addstring(&b, ".lua");
    luaL_pushresult(&b);
    return lua_tostring(L, -1);
}

/* require(name): upvalues 1 = report (light), 2 = env, 3 = cache. */
static int report_require(lua_State *L)
{
    asy_report *r = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 1);
    if (lua_getfield(L, lua_upvalueindex(3), name) != LUA_TNIL)
        return 1;
    const char *rel = module_file(L, name);
    if (!rel)
        return luaL_error(L, "require: bad module name '%s' (use names such "
                          "as \"lib.html\")", name);
    if (!find_module(L, r, rel))
        return luaL_error(L, "module '%s' not found (%s next to the script "
                          "or in the script directories)", name, rel);
    const char *path = lua_tostring(L, -1);
    size_t len = 0;
    char *src = read_source(path, &len, NULL);
    if (!src)
        return luaL_error(L, "module '%s': cannot read %s", name, path);
    lua_pushfstring(L, "@%s", path);
    int st = luaL_loadbufferx(L, src, len, lua_tostring(L, -1), "t");
    free(src);
    if (st != LUA_OK)
        return lua_error(L);
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_setupvalue(L, -2, 1); /* _ENV */
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, lua_upvalueindex(3), name);
    return 1;
}

/* ===== loading the script ============================================== */

static char *field_string(lua_State *L, int t, const char *key)
{
    char *s = NULL;
    if (lua_getfield(L, t, key) == LUA_TSTRING)
        s = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    return s;
}

/* Check the returned table; keep name, summary and a typed option table. */
static int check_table(lua_State *L, job *j, int t)
{
    asy_report *r = j->r;
    if (lua_getfield(L, t, "render") != LUA_TFUNCTION)
        return luaL_error(L, "the script must return a table with render(ctx)");
    lua_pop(L, 1);
    int ty = lua_getfield(L, t, "plugins");
    if (ty != LUA_TTABLE && ty != LUA_TFUNCTION)
        return luaL_error(L, "'plugins' must be a list of plugins or a "
                          "function(options) returning one");
    lua_pop(L, 1);
    ty = lua_getfield(L, t, "options");
    if (ty != LUA_TTABLE && ty != LUA_TNIL)
        return luaL_error(L, "'options' must be a table of defaults");
    lua_newtable(L); /* opts: a copy of the defaults */
    for (lua_pushnil(L); ty == LUA_TTABLE && lua_next(L, -3); lua_pop(L, 1)) {
        int vt = lua_type(L, -1);
        if (lua_type(L, -2) != LUA_TSTRING ||
            (vt != LUA_TNUMBER && vt != LUA_TBOOLEAN && vt != LUA_TSTRING))
            return luaL_error(L, "option defaults must be numbers, booleans "
                              "or strings, keyed by name");
        lua_pushvalue(L, -2);
        lua_pushvalue(L, -2);
        lua_rawset(L, -5);
    }
    r->opts_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    r->summary = field_string(L, t, "summary");
    char *nm = field_string(L, t, "name");
    if (nm) {
        free(r->name);
        r->name = nm;
    }
    return 0;
}

/* Protected: env with require, evaluate the chunk, check its table. */
static int load_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    asy_report *r = j->r;
    asy_sandbox_init(L);
    asy_lua_push_pinfo(L, r->name, r->path, r->data_dirs);
    asy_sandbox_push_env(L, -1); /* pinfo env */
    int env = lua_gettop(L);
    lua_pushlightuserdata(L, r);
    lua_pushvalue(L, env);
    lua_newtable(L);
    lua_pushcclosure(L, report_require, 3);
    lua_setfield(L, env, "require");
    lua_pushvalue(L, env);
    r->env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushfstring(L, "@%s", r->path);
    if (luaL_loadbufferx(L, r->source, r->source_len, lua_tostring(L, -1), "t")) {
        const char *m = lua_tostring(L, -1);
        j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "%s", m);
        asy_error_at(j->err, r->path, asy_lua_msg_line(m, NULL), -1);
        return 0;
    }
    lua_pushvalue(L, env);
    lua_setupvalue(L, -2, 1);
    asy_lcall ci = callinfo(r, "load");
    if ((j->rc = asy_lua_pcall(L, 0, 1, &ci, j->err)) != ASSAY_OK)
        return 0;
    if (!lua_istable(L, -1))
        return luaL_error(L, "the script must return a table");
    int t = lua_gettop(L);
    check_table(L, j, t);
    lua_pushvalue(L, t);
    r->tab_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static char *stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".lua") == 0)
        n -= 4;
    return strndup(b, n);
}

int asy_report_load(asy_report **out, const char *name, char *const *dirs,
                    int trust, asy_error *err)
{
    *out = NULL;
    asy_report *r = calloc(1, sizeof *r);
    if (!r)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    r->tab_ref = r->env_ref = r->opts_ref = LUA_NOREF;
    int rc = ASSAY_OK;
    if (!(r->path = asy_report_resolve(name, dirs, err)))
        rc = err && err->code ? err->code : ASSAY_E_NOMEM;
    else if (!(r->source = read_source(r->path, &r->source_len, err)))
        rc = ASSAY_E_IO;
    else if (!(r->name = stem_of(r->path)) || !(r->dirs = copy_dirs(dirs, NULL)) ||
             !(r->L = asy_lstate_new(REPORT_MEM, 0, trust)))
        rc = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (rc == ASSAY_OK) {
        char **pd = asy_plugin_dirs(NULL);
        if (!pd || !(r->data_dirs = copy_dirs(dirs, pd)))
            rc = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        asy_strv_free(pd);
    }
    if (rc == ASSAY_OK) {
        job j = {r, err, ASSAY_OK, NULL};
        rc = protect(&j, load_main, "load");
    }
    if (rc != ASSAY_OK) {
        asy_report_free(r);
        return rc;
    }
    *out = r;
    return ASSAY_OK;
}

const char *asy_report_name(const asy_report *r) { return r->name; }
const char *asy_report_summary(const asy_report *r)
{
    return r->summary ? r->summary : "";
}
const char *asy_report_path(const asy_report *r) { return r->path; }

void asy_report_free(asy_report *r)
{
    if (!r)
        return;
    asy_lstate_close(r->L);
    asy_strv_free(r->dirs);
    asy_strv_free(r->data_dirs);
    for (int i = 0; i < r->nwritten; i++)
        free(r->written[i]);
    free(r->name);
    free(r->summary);
    free(r->path);
    free(r->source);
    free(r);
}

/* ===== options ========================================================= */

static const char *type_of(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TBOOLEAN)
        return "boolean";
    if (lua_type(L, idx) == LUA_TSTRING)
        return "string";
    return lua_isinteger(L, idx) ? "integer" : "number";
}

/* Sorted "name" list of the option table on top (pushes one string). */
static void push_option_names(lua_State *L)
{
    int t = lua_gettop(L), n = 0;
    lua_newtable(L);
    for (lua_pushnil(L); lua_next(L, t); lua_pop(L, 1)) {
        lua_pushvalue(L, -2);
        lua_rawseti(L, t + 1, ++n);
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, t + 1);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "concat");
    lua_pushvalue(L, t + 1);
    lua_pushliteral(L, ", ");
    lua_call(L, 2, 1);
    lua_replace(L, t + 1);
    lua_settop(L, t + 1);
}

/* Convert text to the type of the default at idx; pushes the value or
 * returns 0. */
static int convert(lua_State *L, int idx, const char *v)
{
    int t = lua_type(L, idx);
    if (t == LUA_TSTRING) {
        lua_pushstring(L, v);
        return 1;
    }
    if (t == LUA_TBOOLEAN) {
        static const char *yes[] = {"true", "yes", "on", "1"};
        static const char *no[] = {"false", "no", "off", "0"};
        for (int i = 0; i < 4; i++)
            if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
                lua_pushboolean(L, !strcasecmp(v, yes[i]));
                return 1;
            }
        return 0;
    }
    if (!lua_stringtonumber(L, v))
        return 0;
    if (lua_isinteger(L, idx) && !lua_isinteger(L, -1)) {
        lua_pop(L, 1);
        return 0;
    }
    if (!lua_isinteger(L, idx) && lua_isinteger(L, -1))
        lua_pushnumber(L, (lua_Number)lua_tointeger(L, -1)), lua_remove(L, -2);
    return 1;
}

/* The script's `choices = {key = {"a", "b"}}`: is the value at idx one of
 * them? Sets a usage error naming them when it is not. */
static int in_choices(lua_State *L, job *j, const char *key, int idx)
{
    idx = lua_absindex(L, idx);
    push_ref(L, j->r->tab_ref);
    if (lua_getfield(L, -1, "choices") != LUA_TTABLE ||
        lua_getfield(L, -1, key) != LUA_TTABLE) {
        lua_settop(L, idx);
        return 1;
    }
    int list = lua_gettop(L);
    for (lua_Integer i = 1; lua_rawgeti(L, list, i) != LUA_TNIL; i++) {
        int same = lua_rawequal(L, -1, idx);
        lua_pop(L, 1);
        if (same) {
            lua_settop(L, idx);
            return 1;
        }
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "concat");
    lua_pushvalue(L, list);
    lua_pushliteral(L, ", ");
    lua_call(L, 2, 1);
    const char *names = lua_tostring(L, -1);
    const char *got = luaL_tolstring(L, idx, NULL);
    j->rc = asy_error_set(j->err, ASSAY_E_USAGE, "option '%s' of report '%s' "
                          "must be one of: %s (got '%s')", key, j->r->name,
                          names, got);
    lua_settop(L, idx);
    return 0;
}

static int setopt_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    const char *const *kv = j->arg;
    push_ref(L, j->r->opts_ref);
    int t = lua_gettop(L);
    if (lua_getfield(L, t, kv[0]) == LUA_TNIL) {
        lua_pushvalue(L, t);
        push_option_names(L);
        j->rc = asy_error_set(j->err, ASSAY_E_USAGE, "report '%s' has no "
                              "option '%s' (its options: %s)", j->r->name,
                              kv[0], lua_tostring(L, -1));
        asy_error_hint(j->err, "set a plugin's option with -O PLUGIN.KEY=VALUE");
        return 0;
    }
    if (!convert(L, -1, kv[1])) {
        j->rc = asy_error_set(j->err, ASSAY_E_USAGE, "option '%s' of report "
                              "'%s' expects a value of type %s, got '%s'", kv[0],
                              j->r->name, type_of(L, -1), kv[1]);
        return 0;
    }
    if (!in_choices(L, j, kv[0], -1))
        return 0;
    lua_setfield(L, t, kv[0]);
    return 0;
}

int asy_report_set_option(asy_report *r, const char *key, const char *value,
                          asy_error *err)
{
    const char *kv[2] = {key, value};
    job j = {r, err, ASSAY_OK, kv};
    return protect(&j, setopt_main, "options");
}

static int describe_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    asy_buf *b = (asy_buf *)j->arg;
    push_ref(L, j->r->opts_ref);
    int t = lua_gettop(L);
    lua_pushvalue(L, t);
    push_option_names(L);
    const char *names = lua_tostring(L, -1);
    while (names && *names) {
        const char *c = strstr(names, ", ");
        size_t n = c ? (size_t)(c - names) : strlen(names);
        lua_pushlstring(L, names, n);
        lua_gettable(L, t);
        const char *type = type_of(L, -1);
        const char *value = luaL_tolstring(L, -1, NULL);
        if (asy_buf_printf(b, "  %.*s = %s  (%s)\n", (int)n, names, value,
                           type) < 0)
            return luaL_error(L, "not enough memory");
        lua_pop(L, 2);
        names = c ? c + 2 : NULL;
    }
    return 0;
}

char *asy_report_describe_options(const asy_report *r)
{
    asy_buf b = ASY_BUF_INIT;
    job j = {(asy_report *)r, NULL, ASSAY_OK, &b};
    if (protect(&j, describe_main, "options") != ASSAY_OK) {
        asy_buf_free(&b);
        return NULL;
    }
    return asy_buf_detach(&b, NULL);
}

/* ===== configuring the engine ========================================== */

static void copy_engine_error(const assay_engine *e, asy_error *err, int rc)
{
    const assay_error_info *i = assay_last_error(e);
    asy_error_set(err, rc, "%s", i->message);
    asy_error_at(err, i->file[0] ? i->file : NULL, i->line, i->byte);
    if (i->doc_id[0])
        asy_error_doc(err, i->doc_id);
    if (i->hint[0])
        asy_error_hint(err, "%s", i->hint);
}

/* A plugin entry's file: "x.lua" next to the script or in the script
 * directories; anything else is a bundled plugin name. Pushes it. */
static void push_plugin_ref(lua_State *L, asy_report *r, const char *name)
{
    size_t n = strlen(name);
    if (n > 4 && !strcmp(name + n - 4, ".lua") && name[0] != '/' &&
        find_module(L, r, name))
        return;
    lua_pushstring(L, name);
}

static int set_plugin_options(lua_State *L, job *j, int entry, int idx)
{
    assay_engine *e = j->r->e;
    const assay_plugin_info *pi = assay_engine_plugin_info(e, idx);
    if (lua_getfield(L, entry, "options") != LUA_TTABLE)
        return 0;
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            return luaL_error(L, "plugin options must be keyed by name");
        lua_pushfstring(L, "%s.%s", pi->name, lua_tostring(L, -2));
        const char *v = luaL_tolstring(L, -2, NULL);
        int rc = assay_engine_set_option(e, lua_tostring(L, -2), v);
        lua_pop(L, 2);
        if (rc < 0) {
            copy_engine_error(e, j->err, rc);
            return j->rc = rc;
        }
    }
    return 0;
}

/* One entry of the plugin list: "name" or {"name", options = {...}}. */
static int add_plugin(lua_State *L, job *j, int entry)
{
    if (lua_type(L, entry) == LUA_TSTRING) {
        lua_newtable(L);
        lua_pushvalue(L, entry);
        lua_rawseti(L, -2, 1);
        lua_replace(L, entry);
    }
    if (!lua_istable(L, entry) || lua_rawgeti(L, entry, 1) != LUA_TSTRING)
        return luaL_error(L, "each plugin is \"name\" or {\"name\", options "
                          "= {...}}");
    push_plugin_ref(L, j->r, lua_tostring(L, -1));
    int idx = -1;
    int rc = assay_engine_load_plugin(j->r->e, lua_tostring(L, -1), &idx);
    lua_pop(L, 2);
    if (rc < 0) {
        copy_engine_error(j->r->e, j->err, rc);
        return j->rc = rc;
    }
    return set_plugin_options(L, j, entry, idx);
}

static int configure_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    push_ref(L, j->r->tab_ref);
    if (lua_getfield(L, -1, "plugins") == LUA_TFUNCTION) {
        push_ref(L, j->r->opts_ref);
        asy_lcall ci = callinfo(j->r, "plugins");
        if ((j->rc = asy_lua_pcall(L, 1, 1, &ci, j->err)) != ASSAY_OK)
            return 0;
    }
    if (!lua_istable(L, -1))
        return luaL_error(L, "plugins(options) must return a list");
    int list = lua_gettop(L);
    lua_Integer n = luaL_len(L, list);
    if (n == 0)
        return luaL_error(L, "the script names no plugins");
    for (lua_Integer i = 1; i <= n && j->rc == ASSAY_OK; i++) {
        lua_rawgeti(L, list, i);
        add_plugin(L, j, lua_gettop(L));
        lua_settop(L, list);
    }
    return 0;
}

int asy_report_configure(asy_report *r, assay_engine *e, asy_error *err)
{
    job j = {r, err, ASSAY_OK, NULL};
    r->e = e;
    int rc = protect(&j, configure_main, "plugins");
    r->e = NULL;
    return rc;
}

/* ===== ctx for render ================================================== */

/* Push a JSON value as Lua (objects and arrays as tables, null as nil). */
static void push_json(lua_State *L, json_t *v, int depth)
{
    if (depth > JSON_DEPTH) {
        lua_pushnil(L);
        return;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        lua_newtable(L);
        json_object_foreach(v, k, x) {
            push_json(L, x, depth + 1);
            lua_setfield(L, -2, k);
        }
    } else if (json_is_array(v)) {
        lua_newtable(L);
        for (size_t i = 0; i < json_array_size(v); i++) {
            push_json(L, json_array_get(v, i), depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
    } else if (json_is_string(v))
        lua_pushlstring(L, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        lua_pushinteger(L, (lua_Integer)json_integer_value(v));
    else if (json_is_real(v))
        lua_pushnumber(L, json_real_value(v));
    else if (json_is_boolean(v))
        lua_pushboolean(L, json_is_true(v));
    else
        lua_pushnil(L);
}

static void push_manifest(lua_State *L, const char *outdir)
{
    char *p = NULL;
    json_t *root = NULL;
    if (asprintf(&p, "%s/manifest.json", outdir) >= 0)
        root = json_load_file(p, 0, NULL);
    free(p);
    if (!root) {
        lua_pushnil(L);
        return;
    }
    /* json_decref must run even if pushing raises: push into a protected
     * helper would be cleaner; tables here are small, and a memory error
     * at this point aborts the report anyway. */
    push_json(L, root, 0);
    json_decref(root);
}

static void set_int(lua_State *L, const char *k, unsigned long long v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, k);
}

static void push_stats(lua_State *L, const assay_engine *e)
{
    assay_stats st;
    assay_engine_stats(e, &st);
    lua_createtable(L, 0, 6);
    set_int(L, "documents_read", st.documents_read);
    set_int(L, "documents_analysed", st.documents_analysed);
    set_int(L, "documents_skipped", st.documents_skipped);
    set_int(L, "bytes_read", st.bytes_read);
    set_int(L, "rows_written", st.rows_written);
    set_int(L, "warnings", st.warnings);
}

static void push_plugins(lua_State *L, const assay_engine *e)
{
    int n = assay_engine_plugin_count(e);
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        const assay_plugin_info *pi = assay_engine_plugin_info(e, i);
        lua_createtable(L, 0, 4);
        lua_pushstring(L, pi->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, pi->version);
        lua_setfield(L, -2, "version");
        lua_pushstring(L, pi->path);
        lua_setfield(L, -2, "path");
        lua_createtable(L, pi->n_outputs, 0);
        for (int o = 0; o < pi->n_outputs; o++) {
            lua_pushstring(L, pi->output_names[o]);
            lua_rawseti(L, -2, o + 1);
        }
        lua_setfield(L, -2, "outputs");
        lua_rawseti(L, -2, i + 1);
    }
}

/* A name render may not write: the manifest and the plugins' outputs. */
static int reserved(const asy_report *r, const char *name)
{
    if (!strcmp(name, "manifest.json"))
        return 1;
    size_t n = strlen(name);
    for (int i = 0; i < assay_engine_plugin_count(r->e); i++) {
        const assay_plugin_info *pi = assay_engine_plugin_info(r->e, i);
        for (int o = 0; o < pi->n_outputs; o++) {
            size_t k = strlen(pi->output_names[o]);
            if (n > k && !strncmp(name, pi->output_names[o], k) &&
                name[k] == '.')
                return 1;
        }
    }
    return 0;
}

static int note_written(asy_report *r, const char *name)
{
    for (int i = 0; i < r->nwritten; i++)
        if (!strcmp(r->written[i], name))
            return 0;
    if (r->nwritten == MAX_WRITTEN)
        return -1;
    if (!(r->written[r->nwritten] = strdup(name)))
        return -1;
    r->written[++r->nwritten] = NULL;
    return 0;
}

/* Write name (checked) with the bytes on top of the stack. */
static int write_named(lua_State *L, asy_report *r, const char *name)
{
    size_t len;
    const char *data = lua_tolstring(L, -1, &len);
    asy_error e;
    if (!asy_report_safe_name(name))
        return luaL_error(L, "ctx:write: '%s' is not a plain file name "
                          "([A-Za-z0-9_.-], not starting with '.')", name);
    if (reserved(r, name))
        return luaL_error(L, "ctx:write: '%s' belongs to the run (manifest "
                          "or a plugin output); choose another name", name);
    if (r->nwritten == MAX_WRITTEN)
        return luaL_error(L, "ctx:write: at most %d files", MAX_WRITTEN);
    if (asy_report_write_file(r->outdir, name, data, len, &e) != ASSAY_OK)
        return luaL_error(L, "ctx:write: %s", e.message);
    if (note_written(r, name) < 0)
        return luaL_error(L, "not enough memory");
    return 0;
}

/* ctx:write(name, text) */
static int ctx_write(lua_State *L)
{
    asy_report *r = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 2);
    luaL_checkstring(L, 3);
    lua_settop(L, 3);
    write_named(L, r, name);
    return 0;
}

/* Append one CSV cell (RFC 4180 quoting) for the value at idx. */
static void add_cell(lua_State *L, luaL_Buffer *b, int idx)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNIL)
        return;
    if (t == LUA_TBOOLEAN) {
        luaL_addstring(b, lua_toboolean(L, idx) ? "true" : "false");
        return;
    }
    if (t != LUA_TSTRING && t != LUA_TNUMBER)
        luaL_error(L, "ctx:write_csv: a cell is a %s", lua_typename(L, t));
    size_t n;
    const char *s = lua_tolstring(L, idx, &n); /* a copy for numbers */
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
        !memchr(s, '\r', n)) {
        luaL_addlstring(b, s, n);
        return;
    }
    luaL_addchar(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            luaL_addchar(b, '"');
        luaL_addchar(b, s[i]);
    }
    luaL_addchar(b, '"');
}

/* One row: a table keyed by column name, or an array in column order.
 * Stack: ... cols row buffer-slot; b is a buffer being built. */
static void add_row(lua_State *L, luaL_Buffer *b, int cols, int row, int ncols)
{
    for (int c = 1; c <= ncols; c++) {
        if (c > 1)
            luaL_addchar(b, ',');
        lua_rawgeti(L, cols, c);
        if (lua_rawget(L, row) == LUA_TNIL) {
            lua_pop(L, 1);
            lua_rawgeti(L, row, c);
        }
        int top = lua_gettop(L);
        add_cell(L, b, top);
        lua_settop(L, top - 1);
    }
    luaL_addstring(b, "\r\n");
}

/* ctx:write_csv(name, columns, rows) */
static int ctx_write_csv(lua_State *L)
{
    asy_report *r = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    luaL_checktype(L, 4, LUA_TTABLE);
    int ncols = (int)luaL_len(L, 3);
    lua_Integer nrows = luaL_len(L, 4);
    /* Rows are built into a table of strings and concatenated once, so the
     * luaL_Buffer is only ever on top of the stack while it grows. */
    lua_createtable(L, (int)(nrows + 1), 0); /* 5: pieces */
    for (lua_Integer i = 0; i <= nrows; i++) {
        luaL_Buffer b;
        if (i > 0 && lua_rawgeti(L, 4, i) != LUA_TTABLE)
            return luaL_error(L, "ctx:write_csv: row %d is not a table", (int)i);
        int row = i > 0 ? lua_gettop(L) : 3;
        luaL_buffinit(L, &b);
        if (i == 0) {
            for (int c = 1; c <= ncols; c++) {
                if (c > 1)
                    luaL_addchar(&b, ',');
                lua_rawgeti(L, 3, c);
                add_cell(L, &b, lua_gettop(L));
                lua_pop(L, 1);
            }
            luaL_addstring(&b, "\r\n");
        } else
            add_row(L, &b, 3, row, ncols);
        luaL_pushresult(&b);
        lua_rawseti(L, 5, i + 1);
        lua_settop(L, 5);
    }
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "concat");
    lua_pushvalue(L, 5);
    lua_call(L, 1, 1);
    write_named(L, r, name);
    return 0;
}

/* ctx:read(name) -> {columns = {...}, rows = {{col = "text", ...}, ...}}
 * for NAME.csv (or the file name given) in the output directory. */
static int ctx_read(lua_State *L)
{
    asy_report *r = lua_touserdata(L, lua_upvalueindex(1));
    const char *name = luaL_checkstring(L, 2);
    if (!asy_report_safe_name(name))
        return luaL_error(L, "ctx:read: '%s' is not a plain file name", name);
    const char *file = strchr(name, '.') ? name
                                         : lua_pushfstring(L, "%s.csv", name);
    char *path = NULL;
    asy_table t;
    asy_error e;
    if (asprintf(&path, "%s/%s", r->outdir, file) < 0)
        return luaL_error(L, "not enough memory");
    int rc = asy_table_read_csv(&t, path, &e);
    free(path);
    if (rc != ASSAY_OK)
        return luaL_error(L, "ctx:read: %s", e.message);
    /* t is C memory: push everything while a memory error cannot escape
     * unfreed (the cap is far above a CSV of this run; see REPORT_MEM). */
    lua_createtable(L, 0, 2);
    lua_createtable(L, t.ncols, 0);
    for (int c = 0; c < t.ncols; c++) {
        lua_pushstring(L, t.cols[c]);
        lua_rawseti(L, -2, c + 1);
    }
    lua_setfield(L, -2, "columns");
    lua_createtable(L, (int)(t.nrows < 1u << 30 ? t.nrows : 0), 0);
    for (size_t i = 0; i < t.nrows; i++) {
        lua_createtable(L, 0, t.ncols);
        for (int c = 0; c < t.ncols; c++) {
            lua_pushstring(L, t.cells[i * (size_t)t.ncols + (size_t)c]);
            lua_setfield(L, -2, t.cols[c]);
        }
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    lua_setfield(L, -2, "rows");
    asy_table_free(&t);
    return 1;
}

static void push_inputs(lua_State *L, const char *const *inputs, int n)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushstring(L, inputs[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

static void push_script(lua_State *L, const asy_report *r)
{
    char hex[ASY_SHA256_HEX];
    asy_sha256_buf(r->source, r->source_len, hex);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, r->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, r->path);
    lua_setfield(L, -2, "path");
    lua_pushstring(L, hex);
    lua_setfield(L, -2, "sha256");
}

static void set_method(lua_State *L, asy_report *r, const char *k,
                       lua_CFunction f)
{
    lua_pushlightuserdata(L, r);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, -2, k);
}

typedef struct render_arg {
    const char *const *inputs;
    int ninputs;
} render_arg;

static int render_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    asy_report *r = j->r;
    const render_arg *a = j->arg;
    push_ref(L, r->tab_ref);
    lua_getfield(L, -1, "render");
    lua_newtable(L); /* ctx */
    lua_pushstring(L, r->name);
    lua_setfield(L, -2, "name");
    push_ref(L, r->opts_ref);
    lua_setfield(L, -2, "options");
    lua_pushstring(L, r->outdir);
    lua_setfield(L, -2, "out_dir");
    push_inputs(L, a->inputs, a->ninputs);
    lua_setfield(L, -2, "inputs");
    push_stats(L, r->e);
    lua_setfield(L, -2, "stats");
    push_plugins(L, r->e);
    lua_setfield(L, -2, "plugins");
    push_script(L, r);
    lua_setfield(L, -2, "script");
    push_manifest(L, r->outdir);
    lua_setfield(L, -2, "manifest");
    set_method(L, r, "read", ctx_read);
    set_method(L, r, "write", ctx_write);
    set_method(L, r, "write_csv", ctx_write_csv);
    asy_lcall ci = callinfo(r, "render");
    j->rc = asy_lua_pcall(L, 1, 0, &ci, j->err);
    return 0;
}

int asy_report_render(asy_report *r, assay_engine *e, const char *outdir,
                      const char *const *inputs, int ninputs, asy_error *err)
{
    render_arg a = {inputs, ninputs};
    job j = {r, err, ASSAY_OK, &a};
    r->e = e;
    r->outdir = outdir;
    int rc = protect(&j, render_main, "render");
    r->e = NULL;
    r->outdir = NULL;
    return rc;
}

const char *const *asy_report_written(const asy_report *r)
{
    static const char *const none[] = {NULL};
    return r->nwritten ? (const char *const *)r->written : none;
}
