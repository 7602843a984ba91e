/*
 * lua_plugin.c — plugin descriptions (plugin.h): read a plugin's source,
 * evaluate it once in a scratch sandboxed state and turn the table it
 * returns into plain C data (name, options, outputs), with load errors that
 * name the file. Also typed option setting from text (command line).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "lua_call.h"
#include "lua_plugin.h"
#include "lua_sandbox.h"
#include "lua_state.h"
#include "../source.h"
#include "../strbuf.h"

/* The scratch evaluation reads metadata only: a top level that needs more
 * than this is almost surely an infinite loop (real work belongs in
 * init). */
#define DESCRIBE_INSTR 10000000u
#define DESCRIBE_MEM ((size_t)256 << 20)

/* ===== small helpers =================================================== */

static int charset_ok(const char *s, size_t n, const char *extra, int upper)
{
    if (n == 0 || n > 128)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || (upper && isupper(c)) ||
              (c && strchr(extra, c))))
            return 0;
    }
    return 1;
}

/* strdup that raises a Lua memory error (used inside protected code). */
static char *ldup(lua_State *L, const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        luaL_error(L, "not enough memory");
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static const char *type_name(int t)
{
    switch (t) {
    case ASSAY_INTEGER: return "integer";
    case ASSAY_NUMBER: return "number";
    case ASSAY_BOOLEAN: return "boolean";
    default: return "string";
    }
}

/* Shortest "%.Ng" that reads back as exactly d. */
static void fmt_number(char *buf, size_t size, double d)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* ===== reading the returned table (runs protected) ===================== */

typedef struct describe {
    asy_plugin_def *def;
} describe;

#define FAIL(L, d, ...) \
    luaL_error(L, "%s: %s", (d)->path, lua_pushfstring(L, __VA_ARGS__))

/* Optional string field with a default. */
static char *opt_string(lua_State *L, asy_plugin_def *d, int t,
                        const char *key, const char *dflt)
{
    int ty = lua_getfield(L, t, key);
    size_t n;
    const char *s = dflt;
    if (ty == LUA_TSTRING)
        s = lua_tolstring(L, -1, &n);
    else if (ty != LUA_TNIL)
        FAIL(L, d, "'%s' must be a string (got %s)", key, luaL_typename(L, -1));
    char *r = ldup(L, s, strlen(s));
    lua_pop(L, 1);
    return r;
}

static void read_name(lua_State *L, asy_plugin_def *d, int t)
{
    int ty = lua_getfield(L, t, "name");
    size_t n = 0;
    const char *s = ty == LUA_TSTRING ? lua_tolstring(L, -1, &n) : NULL;
    if (ty == LUA_TNIL)
        FAIL(L, d, "missing 'name' (a string such as \"wordfreq\")");
    if (!s || !charset_ok(s, n, "_-", 0))
        FAIL(L, d, "'name' must be a string of a-z, 0-9, '_' and '-' "
             "(got %s)", s ? s : luaL_typename(L, -1));
    d->name = ldup(L, s, n);
    lua_pop(L, 1);
}

/* One option default (key at -2, value at -1) into o. */
static void read_option(lua_State *L, asy_plugin_def *d, asy_option *o)
{
    char buf[64];
    size_t n;
    if (lua_type(L, -2) != LUA_TSTRING ||
        !charset_ok(lua_tostring(L, -2), lua_rawlen(L, -2), "_-", 1))
        FAIL(L, d, "option names must be strings of letters, digits, '_' "
             "and '-' (got %s)", luaL_tolstring(L, -2, NULL));
    o->name = ldup(L, lua_tostring(L, -2), lua_rawlen(L, -2));
    const char *v = buf;
    switch (lua_type(L, -1)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, -1)) {
            o->type = ASSAY_INTEGER;
            snprintf(buf, sizeof buf, "%lld", (long long)lua_tointeger(L, -1));
        } else {
            o->type = ASSAY_NUMBER;
            fmt_number(buf, sizeof buf, (double)lua_tonumber(L, -1));
        }
        break;
    case LUA_TBOOLEAN:
        o->type = ASSAY_BOOLEAN;
        v = lua_toboolean(L, -1) ? "true" : "false";
        break;
    case LUA_TSTRING:
        o->type = ASSAY_STRING;
        v = lua_tolstring(L, -1, &n);
        break;
    default:
        FAIL(L, d, "option '%s' has a default of type %s; use an integer, "
             "number, boolean or string", o->name, luaL_typename(L, -1));
    }
    o->value = ldup(L, v, strlen(v));
    o->default_value = ldup(L, v, strlen(v));
}

static int cmp_option(const void *a, const void *b)
{
    return strcmp(((const asy_option *)a)->name, ((const asy_option *)b)->name);
}

static void read_options(lua_State *L, asy_plugin_def *d, int t)
{
    int ty = lua_getfield(L, t, "options");
    if (ty == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (ty != LUA_TTABLE)
        FAIL(L, d, "'options' must be a table of name = default");
    int n = 0;
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
        n++;
    d->options = calloc(n ? (size_t)n : 1, sizeof *d->options);
    if (!d->options)
        luaL_error(L, "not enough memory");
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
        read_option(L, d, &d->options[d->noptions++]);
    qsort(d->options, (size_t)d->noptions, sizeof *d->options, cmp_option);
    lua_pop(L, 1);
}

/* The columns array at the top of the stack into out. */
static void read_columns(lua_State *L, asy_plugin_def *d, asy_output_def *out,
                         int named)
{
    const char *what = named ? lua_pushfstring(L, "columns of output '%s'", out->name)
                             : lua_pushliteral(L, "'columns'");
    lua_insert(L, -2); /* what cols */
    lua_Integer n = lua_istable(L, -1) ? (lua_Integer)lua_rawlen(L, -1) : 0;
    if (n == 0 || n > 10000)
        FAIL(L, d, "%s must be a non-empty array of strings", what);
    out->columns = calloc((size_t)n, sizeof *out->columns);
    if (!out->columns)
        luaL_error(L, "not enough memory");
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len = 0;
        const char *c = lua_rawgeti(L, -1, i) == LUA_TSTRING
                            ? lua_tolstring(L, -1, &len) : NULL;
        if (!c || !charset_ok(c, len, "_.-", 1))
            FAIL(L, d, "%s must be an array of strings of letters, digits, "
                 "'_', '.' and '-' (item %I is %s)", what, i,
                 c ? c : luaL_typename(L, -1));
        for (int k = 0; k < out->ncols; k++)
            if (strcmp(out->columns[k], c) == 0)
                FAIL(L, d, "%s: column '%s' appears twice", what, c);
        out->columns[out->ncols++] = ldup(L, c, len);
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
}

static asy_output_def *new_output(lua_State *L, asy_plugin_def *d, int cap,
                                  const char *name)
{
    if (!d->outputs) {
        d->outputs = calloc((size_t)cap, sizeof *d->outputs);
        if (!d->outputs)
            luaL_error(L, "not enough memory");
    }
    if (!charset_ok(name, strlen(name), "_.-", 1))
        FAIL(L, d, "output names must be strings of letters, digits, '_', "
             "'.' and '-' (got '%s')", name);
    for (int i = 0; i < d->noutputs; i++)
        if (strcmp(d->outputs[i].name, name) == 0)
            FAIL(L, d, "output '%s' is declared twice", name);
    asy_output_def *o = &d->outputs[d->noutputs++];
    o->name = ldup(L, name, strlen(name));
    return o;
}

/* outputs entry at the top: {name=, columns=} (array form) or, in the map
 * form, either {columns=...} or the columns array itself. */
static void read_output_entry(lua_State *L, asy_plugin_def *d, int cap,
                              const char *mapname)
{
    if (!lua_istable(L, -1))
        FAIL(L, d, "each entry of 'outputs' must be a table");
    const char *name = mapname;
    if (!name) {
        if (lua_getfield(L, -1, "name") != LUA_TSTRING)
            FAIL(L, d, "each entry of 'outputs' needs a name = \"...\"");
        name = lua_tostring(L, -1);
        lua_insert(L, -2); /* keep the name alive below the entry */
    }
    asy_output_def *o = new_output(L, d, cap, name);
    if (lua_getfield(L, -1, "columns") == LUA_TNIL && mapname) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
    }
    read_columns(L, d, o, 1);
    if (!mapname)
        lua_remove(L, -2);
}

static int cmp_output(const void *a, const void *b)
{
    return strcmp(((const asy_output_def *)a)->name,
                  ((const asy_output_def *)b)->name);
}

static void read_outputs(lua_State *L, asy_plugin_def *d, int t)
{
    int cols = lua_getfield(L, t, "columns") != LUA_TNIL;
    int outs = lua_getfield(L, t, "outputs") != LUA_TNIL; /* cols outs */
    if (cols && outs)
        FAIL(L, d, "declare either 'columns' (one output) or 'outputs', not both");
    if (!cols && !outs)
        FAIL(L, d, "declares no output; add columns = {...} or outputs = {...}");
    if (cols) {
        lua_pop(L, 1);
        read_columns(L, d, new_output(L, d, 1, d->name), 0);
        return;
    }
    if (!lua_istable(L, -1))
        FAIL(L, d, "'outputs' must be a table");
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1), total = 0;
    for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1))
        total++;
    if (total == 0 || total > 1000)
        FAIL(L, d, "'outputs' must declare between 1 and 1000 outputs");
    if (n == total) { /* array form: declared order */
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, -1, i);
            read_output_entry(L, d, (int)total, NULL);
            lua_pop(L, 1);
        }
    } else {
        for (lua_pushnil(L); lua_next(L, -2); lua_pop(L, 1)) {
            if (lua_type(L, -2) != LUA_TSTRING)
                FAIL(L, d, "'outputs' must be an array or a map of name = columns");
            read_output_entry(L, d, (int)total, lua_tostring(L, -2));
        }
        qsort(d->outputs, (size_t)d->noutputs, sizeof *d->outputs, cmp_output);
    }
    lua_pop(L, 2);
}

static int read_function(lua_State *L, asy_plugin_def *d, int t,
                         const char *key)
{
    int ty = lua_getfield(L, t, key);
    lua_pop(L, 1);
    if (ty != LUA_TNIL && ty != LUA_TFUNCTION)
        FAIL(L, d, "'%s' must be a function (got %s)", key, lua_typename(L, ty));
    return ty == LUA_TFUNCTION;
}

/* Protected: def (light userdata), plugin table. */
static int describe_main(lua_State *L)
{
    asy_plugin_def *d = lua_touserdata(L, 1);
    if (!lua_istable(L, 2))
        FAIL(L, d, "the plugin must return a table (got %s)",
             luaL_typename(L, 2));
    read_name(L, d, 2);
    d->version = opt_string(L, d, 2, "version", "0");
    d->summary = opt_string(L, d, 2, "summary", "");
    read_options(L, d, 2);
    read_outputs(L, d, 2);
    d->has_init = read_function(L, d, 2, "init");
    d->has_document = read_function(L, d, 2, "document");
    d->has_merge = read_function(L, d, 2, "merge");
    d->has_finish = read_function(L, d, 2, "finish");
    if (!d->has_document && !d->has_finish)
        FAIL(L, d, "defines neither document(doc, ctx, out) nor finish(ctx, out)");
    return 0;
}

/* ===== evaluating the source =========================================== */

/* "dir" of a path (NULL when it has no directory part). */
static void push_dirname(lua_State *L, const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        lua_pushnil(L);
    else
        lua_pushlstring(L, path, slash == path ? 1 : (size_t)(slash - path));
}

void asy_lua_push_pinfo(lua_State *L, const char *name, const char *path,
                        char *const *dirs)
{
    lua_createtable(L, 0, 3);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    push_dirname(L, path);
    lua_setfield(L, -2, "dir");
    lua_newtable(L);
    for (int i = 0; dirs && dirs[i]; i++) {
        lua_pushstring(L, dirs[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "dirs");
}

typedef struct evaljob {
    asy_plugin_def *def;
    char *const *dirs;
    asy_error *err;
    int rc;
} evaljob;

/* Error of the scratch evaluation, reworded when the top level ran out of
 * instructions or memory. */
static void eval_error(evaljob *j, const asy_lstate *s)
{
    asy_error *err = j->err;
    if (!err || err->code != ASSAY_E_LIMIT)
        return;
    char where[1100];
    snprintf(where, sizeof where, "%s", j->def->path);
    if (err->line >= 0)
        snprintf(where, sizeof where, "%s:%lld", j->def->path, err->line);
    if (s->instr_tripped || strstr(err->message, "instruction"))
        asy_error_set(err, ASSAY_E_PLUGIN, "%s: the plugin's top level ran "
                      "more than %u instructions while loading (an infinite "
                      "loop?)", where, DESCRIBE_INSTR);
    else
        asy_error_set(err, ASSAY_E_PLUGIN, "%s: the plugin's top level used "
                      "more than %zu MB while loading", where, DESCRIBE_MEM >> 20);
    asy_error_at(err, j->def->path, -1, -1);
    asy_error_hint(err, "do heavy work in init(ctx), not at the top level");
}

/* Protected: evaluate the chunk in a sandbox env and describe the table. */
static int eval_main(lua_State *L)
{
    evaljob *j = lua_touserdata(L, 1);
    asy_plugin_def *d = j->def;
    asy_sandbox_init(L);
    const char *base = strrchr(d->path, '/');
    asy_lua_push_pinfo(L, base ? base + 1 : d->path, d->path, j->dirs);
    asy_sandbox_push_env(L, -1); /* pinfo env */
    if (luaL_loadbufferx(L, d->source, d->source_len, d->chunkname, "t")) {
        j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "%s", lua_tostring(L, -1));
        asy_error_at(j->err, d->path, asy_lua_msg_line(lua_tostring(L, -1), NULL), -1);
        return 0;
    }
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1); /* _ENV */
    asy_lcall ci = {base ? base + 1 : d->path, d->path, "load", NULL};
    j->rc = asy_lua_pcall(L, 0, 1, &ci, j->err);
    if (j->rc != ASSAY_OK) {
        eval_error(j, asy_lstate_get(L));
        j->rc = ASSAY_E_PLUGIN;
        return 0;
    }
    lua_pushcfunction(L, describe_main);
    lua_pushlightuserdata(L, d);
    lua_rotate(L, -3, 2); /* describe def table */
    lua_call(L, 2, 0);
    return 0;
}

static int evaluate(asy_plugin_def *d, char *const *dirs, int trust,
                    asy_error *err)
{
    lua_State *L = asy_lstate_new(DESCRIBE_MEM, trust ? 0 : DESCRIBE_INSTR, trust);
    if (!L)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory creating a Lua state");
    evaljob j = {d, dirs, err, ASSAY_OK};
    lua_pushcfunction(L, eval_main);
    lua_pushlightuserdata(L, &j);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        const char *m = lua_tostring(L, -1);
        int nomem = strstr(m ? m : "", "not enough memory") != NULL;
        j.rc = asy_error_set(err, ASSAY_E_PLUGIN, "%s",
                             nomem ? "not enough memory while loading the plugin"
                                   : m ? m : "error while loading the plugin");
        asy_error_at(err, d->path, -1, -1);
    }
    asy_lstate_close(L);
    return j.rc;
}

/* ===== plugin.h ======================================================== */

static int def_init(asy_plugin_def *d, const char *path, const char *chunk,
                    const char *src, size_t len, asy_error *err)
{
    memset(d, 0, sizeof *d);
    d->path = strdup(path);
    d->chunkname = strdup(chunk);
    d->source = malloc(len + 1);
    if (!d->path || !d->chunkname || !d->source)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    memcpy(d->source, src, len);
    d->source[len] = '\0';
    d->source_len = len;
    return ASSAY_OK;
}

static int def_from_source(asy_plugin_def *def, const char *path,
                           const char *chunk, const char *src, size_t len,
                           char *const *dirs, int trust, asy_error *err)
{
    int rc = def_init(def, path, chunk, src, len, err);
    if (rc == ASSAY_OK)
        rc = evaluate(def, dirs, trust, err);
    if (rc != ASSAY_OK)
        asy_plugin_def_free(def);
    return rc;
}

static char *read_all(const char *path, size_t *len, asy_error *err)
{
    asy_buf b = ASY_BUF_INIT;
    if (asy_read_file(path, "plugin", &b, err) != ASSAY_OK) {
        asy_buf_free(&b);
        return NULL;
    }
    return asy_buf_detach(&b, len);
}

int asy_plugin_def_load_ex(asy_plugin_def *def, const char *name,
                           char *const *dirs, int trust, asy_error *err)
{
    memset(def, 0, sizeof *def);
    char *path = asy_plugin_resolve(name, dirs, err);
    if (!path)
        return err ? err->code : ASSAY_E_IO;
    size_t len = 0;
    char *src = read_all(path, &len, err);
    char *chunk = malloc(strlen(path) + 2);
    int rc = ASSAY_E_NOMEM;
    if (src && chunk) {
        sprintf(chunk, "@%s", path);
        rc = def_from_source(def, path, chunk, src, len, dirs, trust, err);
    } else if (!src)
        rc = err ? err->code : ASSAY_E_IO;
    else
        asy_error_set(err, rc, "out of memory");
    free(src);
    free(chunk);
    free(path);
    return rc;
}

int asy_plugin_def_load(asy_plugin_def *def, const char *name,
                        char *const *dirs, asy_error *err)
{
    return asy_plugin_def_load_ex(def, name, dirs, 0, err);
}

int asy_plugin_def_load_string_ex(asy_plugin_def *def, const char *chunkname,
                                  const char *source, int trust,
                                  asy_error *err)
{
    memset(def, 0, sizeof *def);
    if (!chunkname || !source)
        return asy_error_set(err, ASSAY_E_USAGE, "plugin source and name required");
    char *chunk = malloc(strlen(chunkname) + 2);
    if (!chunk)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    sprintf(chunk, "=%s", chunkname);
    int rc = def_from_source(def, chunkname, chunk, source, strlen(source),
                             NULL, trust, err);
    free(chunk);
    return rc;
}

int asy_plugin_def_load_string(asy_plugin_def *def, const char *chunkname,
                               const char *source, asy_error *err)
{
    return asy_plugin_def_load_string_ex(def, chunkname, source, 0, err);
}

/* ===== options ========================================================= */

const asy_option *asy_plugin_def_option(const asy_plugin_def *def,
                                        const char *key)
{
    for (int i = 0; def && key && i < def->noptions; i++)
        if (strcmp(def->options[i].name, key) == 0)
            return &def->options[i];
    return NULL;
}

static int parse_bool(const char *v)
{
    static const char *const yes[] = {"true", "yes", "on", "1", NULL};
    static const char *const no[] = {"false", "no", "off", "0", NULL};
    for (int i = 0; yes[i]; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* Normalised text of value for type, or 0 when it does not parse. */
static int normalise(int type, const char *v, char *buf, size_t size)
{
    char *end;
    errno = 0;
    if (type == ASSAY_STRING)
        return snprintf(buf, size, "%s", v) < (int)size;
    if (!*v || isspace((unsigned char)*v))
        return 0;
    if (type == ASSAY_INTEGER) {
        long long i = strtoll(v, &end, 10);
        return !*end && errno == 0 && snprintf(buf, size, "%lld", i) > 0;
    }
    if (type == ASSAY_NUMBER) {
        double d = strtod(v, &end);
        if (*end || errno == ERANGE)
            return 0;
        fmt_number(buf, size, d);
        return 1;
    }
    int b = parse_bool(v);
    snprintf(buf, size, "%s", b ? "true" : "false");
    return b >= 0;
}

static int unknown_option(const asy_plugin_def *def, const char *key,
                          asy_error *err)
{
    char list[700] = "";
    size_t n = 0;
    for (int i = 0; i < def->noptions && n < sizeof list - 1; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              def->options[i].name);
    if (def->noptions)
        return asy_error_set(err, ASSAY_E_USAGE, "plugin '%s' has no option "
                             "'%s' (options: %s)", def->name, key, list);
    return asy_error_set(err, ASSAY_E_USAGE, "plugin '%s' has no option '%s' "
                         "(it declares no options)", def->name, key);
}

int asy_plugin_def_set_option(asy_plugin_def *def, const char *key,
                              const char *value, asy_error *err)
{
    asy_option *o = (asy_option *)asy_plugin_def_option(def, key);
    if (!o)
        return unknown_option(def, key ? key : "", err);
    size_t size = strlen(value ? value : "") + 64;
    char *buf = malloc(size);
    if (!buf)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (!value || !normalise(o->type, value, buf, size)) {
        free(buf);
        const char *t = type_name(o->type);
        return asy_error_set(err, ASSAY_E_USAGE, "option '%s' of plugin '%s' "
                             "expects %s %s, got '%s'", key, def->name,
                             t[0] == 'i' ? "an" : "a", t, value ? value : "");
    }
    free(o->value);
    o->value = buf;
    return ASSAY_OK;
}

void asy_lua_push_option(lua_State *L, const asy_option *o)
{
    switch (o->type) {
    case ASSAY_INTEGER: lua_pushinteger(L, (lua_Integer)strtoll(o->value, NULL, 10)); break;
    case ASSAY_NUMBER: lua_pushnumber(L, (lua_Number)strtod(o->value, NULL)); break;
    case ASSAY_BOOLEAN: lua_pushboolean(L, strcmp(o->value, "true") == 0); break;
    default: lua_pushstring(L, o->value);
    }
}

/* ===== freeing ========================================================= */

static void free_outputs(asy_output_def *o, int n)
{
    for (int i = 0; o && i < n; i++) {
        for (int k = 0; k < o[i].ncols; k++)
            free(o[i].columns[k]);
        free(o[i].columns);
        free(o[i].name);
    }
    free(o);
}

void asy_plugin_def_free(asy_plugin_def *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->version);
    free(def->summary);
    free(def->path);
    free(def->chunkname);
    free(def->source);
    free_outputs(def->outputs, def->noutputs);
    for (int i = 0; def->options && i < def->noptions; i++) {
        free(def->options[i].name);
        free(def->options[i].value);
        free(def->options[i].default_value);
    }
    free(def->options);
    memset(def, 0, sizeof *def);
}
