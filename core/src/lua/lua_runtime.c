/*
 * lua_runtime.c — runtime.h: one lua_State per worker with every plugin of
 * the run loaded in its own environment. Each entry point runs its Lua
 * work inside one protected C function (so even an allocation failure
 * outside plugin code is an error, not a panic) and calls plugin code
 * through asy_lua_pcall. Rows of a failed callback are taken back out of
 * the row buffer, and the document and output views are retired after
 * every callback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "lua_call.h"
#include "lua_plugin.h"
#include "lua_sandbox.h"
#include "lua_serialize.h"
#include "lua_state.h"
#include "lua_types.h"
#include "runtime.h"

typedef struct rtplugin {
    char *name, *path;
    asy_lua_outputs outs; /* points at defs */
    asy_output_def *defs;
    int tab_ref, ctx_ref; /* registry refs: plugin table, ctx */
} rtplugin;

struct asy_rt {
    lua_State *L;
    int trust;
    char **dirs;       /* copy of cfg->plugin_dirs */
    int worker, nworkers;
    asy_input_opts input; /* ctx.input; its strings are copies (dirs-style) */
    char *fields[3];      /* owned copies of input's field names */
    asy_lua_sink sink; /* Outputs point here: rt must not move */
    rtplugin **p;
    int np, cap;
};

/* What one protected body needs; rc is its result. */
typedef struct job {
    asy_rt *rt;
    rtplugin *p;
    const asy_plugin_def *def;
    asy_doc *doc;
    asy_handover *h; /* state handed over (save, merge) */
    asy_error *err;
    int rc;
} job;

/* ===== plumbing ======================================================== */

static char **strv_dup(char *const *v)
{
    int n = 0;
    while (v && v[n])
        n++;
    char **r = calloc((size_t)n + 1, sizeof *r);
    for (int i = 0; r && i < n; i++)
        if (!(r[i] = strdup(v[i]))) {
            asy_strv_free(r);
            return NULL;
        }
    return r;
}

/* Run body(job) protected. A failure outside plugin code (the body's own
 * allocations) becomes a limit or out-of-memory error. */
static int protect(job *j, lua_CFunction body, const char *callback)
{
    lua_State *L = j->rt->L;
    asy_lstate *s = asy_lstate_get(L);
    j->rc = ASSAY_OK;
    s->mem_refused = 0;
    lua_pushcfunction(L, body);
    lua_pushlightuserdata(L, j);
    if (lua_pcall(L, 1, 0, 0) == LUA_OK)
        return j->rc;
    const char *m = lua_tostring(L, -1);
    const char *name = j->p ? j->p->name : j->def ? j->def->name : "?";
    if (s->mem_refused)
        j->rc = asy_error_set(j->err, ASSAY_E_LIMIT, "plugin %s exceeded the "
                              "memory limit of %zu MB (mem_limit_mb)", name,
                              s->limit >> 20);
    else
        j->rc = asy_error_set(j->err, ASSAY_E_NOMEM, "plugin %s: %s", name,
                              m ? m : "out of memory");
    asy_error_hint(j->err, "in %s() of plugin %s", callback, name);
    if (j->doc)
        asy_error_doc(j->err, j->doc->id);
    lua_pop(L, 1);
    return j->rc;
}

static void push_ref(lua_State *L, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
}

/* Push plugin p's callback `name` (rawget: the plugin table is data we
 * read, not code we run). Returns 0 and pushes nothing if absent. */
static int push_callback(lua_State *L, rtplugin *p, const char *name)
{
    push_ref(L, p->tab_ref);
    lua_pushstring(L, name);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (lua_isfunction(L, -1))
        return 1;
    lua_pop(L, 1);
    return 0;
}

static asy_lcall callinfo(rtplugin *p, const char *callback, asy_doc *doc)
{
    asy_lcall ci = {p->name, p->path, callback, doc ? doc->id : NULL};
    return ci;
}

/* ===== creation ======================================================== */

/* rt->input from the run's settings (or the defaults), with its own copies
 * of the field names. 0, or -1 when out of memory. */
static int copy_input(asy_rt *rt, const asy_input_opts *in)
{
    asy_input_opts_default(&rt->input);
    if (!in)
        return 0;
    rt->input = *in;
    const char *names[3] = {in->text_field, in->id_field, in->date_field};
    for (int i = 0; i < 3; i++)
        if (names[i] && !(rt->fields[i] = strdup(names[i])))
            return -1;
    asy_input_opts def;
    asy_input_opts_default(&def);
    rt->input.text_field = rt->fields[0] ? rt->fields[0] : def.text_field;
    rt->input.id_field = rt->fields[1] ? rt->fields[1] : def.id_field;
    rt->input.date_field = rt->fields[2] ? rt->fields[2] : def.date_field;
    return 0;
}

static int init_main(lua_State *L)
{
    asy_sandbox_init(L);
    return 0;
}

asy_rt *asy_rt_new(const asy_rt_config *cfg, asy_error *err)
{
    asy_rt *rt = calloc(1, sizeof *rt);
    if (!rt || !(rt->dirs = strv_dup(cfg->plugin_dirs)) ||
        copy_input(rt, cfg->input) < 0) {
        asy_rt_free(rt);
        asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        return NULL;
    }
    rt->trust = cfg->trust;
    rt->worker = cfg->worker;
    rt->nworkers = cfg->nworkers;
    rt->L = asy_lstate_new(cfg->mem_limit, cfg->trust ? 0 : cfg->instr_limit,
                           cfg->trust);
    if (rt->L) {
        lua_pushcfunction(rt->L, init_main);
        if (lua_pcall(rt->L, 0, 0, 0) == LUA_OK)
            return rt;
    }
    asy_error_set(err, ASSAY_E_NOMEM, "cannot create a Lua state (%s)",
                  rt->L ? lua_tostring(rt->L, -1) : "out of memory");
    asy_rt_free(rt);
    return NULL;
}

static void free_plugin(rtplugin *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->outs.n; i++) {
        for (int k = 0; k < p->defs[i].ncols; k++)
            free(p->defs[i].columns[k]);
        free(p->defs[i].columns);
        free(p->defs[i].name);
    }
    free(p->defs);
    free(p->name);
    free(p->path);
    free(p);
}

/* The state is closed first: lua_close runs the finalizers of plugin
 * objects, and those may still reach an Output (whose output names live in
 * rt->p) or the sink; everything they point at must outlive them. */
void asy_rt_free(asy_rt *rt)
{
    if (!rt)
        return;
    asy_lstate_close(rt->L);
    for (int i = 0; i < rt->np; i++)
        free_plugin(rt->p[i]);
    free(rt->p);
    asy_strv_free(rt->dirs);
    for (int i = 0; i < 3; i++)
        free(rt->fields[i]);
    free(rt);
}

struct asy_deferred *asy_rt_take_deferred(asy_rt *rt)
{
    return rt ? asy_lstate_take_deferred(asy_lstate_get(rt->L)) : NULL;
}

size_t asy_rt_memory(const asy_rt *rt)
{
    asy_lstate *s = asy_lstate_get(rt->L);
    return s->used + s->external;
}

const char *asy_rt_lua_version(void)
{
    return LUA_RELEASE;
}

/* ===== adding a plugin ================================================= */

/* Copy what the runtime needs from def (the def may be freed later). */
static rtplugin *copy_plugin(const asy_plugin_def *def)
{
    rtplugin *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->tab_ref = p->ctx_ref = LUA_NOREF;
    p->name = strdup(def->name);
    p->path = strdup(def->path);
    p->defs = calloc((size_t)(def->noutputs ? def->noutputs : 1), sizeof *p->defs);
    if (!p->name || !p->path || !p->defs) {
        free_plugin(p);
        return NULL;
    }
    p->outs.plugin = p->name;
    p->outs.defs = p->defs;
    for (int i = 0; i < def->noutputs; i++, p->outs.n++) {
        asy_output_def *o = &p->defs[i];
        o->name = strdup(def->outputs[i].name);
        o->columns = calloc((size_t)def->outputs[i].ncols + 1, sizeof *o->columns);
        if (!o->name || !o->columns) {
            p->outs.n++;
            free_plugin(p);
            return NULL;
        }
        for (; o->ncols < def->outputs[i].ncols; o->ncols++)
            if (!(o->columns[o->ncols] = strdup(def->outputs[i].columns[o->ncols]))) {
                p->outs.n++;
                free_plugin(p);
                return NULL;
            }
    }
    return p;
}

/* ctx.input: how the run reads its inputs, so that a plugin reading a
 * corpus of its own (keyness's reference) reads it the same way. */
static void push_input(lua_State *L, const asy_input_opts *in)
{
    static const char *const policies[] = {"replace", "skip", "fail"};
    lua_createtable(L, 0, 6);
    lua_pushstring(L, in->text_field);
    lua_setfield(L, -2, "text_field");
    lua_pushstring(L, in->id_field);
    lua_setfield(L, -2, "id_field");
    lua_pushstring(L, in->date_field);
    lua_setfield(L, -2, "date_field");
    lua_pushstring(L, in->latin1 ? "latin-1" : "utf-8");
    lua_setfield(L, -2, "encoding");
    unsigned pol = (unsigned)in->invalid_utf8;
    lua_pushstring(L, pol < 3 ? policies[pol] : "replace");
    lua_setfield(L, -2, "invalid_utf8");
    lua_pushinteger(L, (lua_Integer)in->max_doc_bytes);
    lua_setfield(L, -2, "max_doc_bytes");
    lua_setfield(L, -2, "input");
}

/* ctx = {options, state = {}, plugin, worker, threads, input} */
static void push_ctx(lua_State *L, asy_rt *rt, const asy_plugin_def *def)
{
    lua_createtable(L, 0, 6);
    lua_createtable(L, 0, def->noptions);
    for (int i = 0; i < def->noptions; i++) {
        asy_lua_push_option(L, &def->options[i]);
        lua_setfield(L, -2, def->options[i].name);
    }
    lua_setfield(L, -2, "options");
    lua_newtable(L);
    lua_setfield(L, -2, "state");
    lua_pushstring(L, def->name);
    lua_setfield(L, -2, "plugin");
    lua_pushinteger(L, rt->worker);
    lua_setfield(L, -2, "worker");
    lua_pushinteger(L, rt->nworkers);
    lua_setfield(L, -2, "threads");
    push_input(L, &rt->input);
}

/* Set ctx.state = the value on top of the stack if it is not nil (pops). */
static void maybe_set_state(lua_State *L, rtplugin *p)
{
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    push_ref(L, p->ctx_ref);
    lua_insert(L, -2);
    lua_pushliteral(L, "state");
    lua_insert(L, -2);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

/* Load the chunk in its env, keep the returned table, build ctx, init. */
static int add_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    const asy_plugin_def *d = j->def;
    rtplugin *p = j->p;
    asy_lua_push_pinfo(L, d->name, d->path, j->rt->dirs);
    asy_sandbox_push_env(L, -1); /* pinfo env */
    asy_lcall ci = callinfo(p, "load", NULL);
    if (luaL_loadbufferx(L, d->source, d->source_len, d->chunkname, "t")) {
        const char *m = lua_tostring(L, -1);
        j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "%s", m);
        asy_error_at(j->err, d->path, asy_lua_msg_line(m, NULL), -1);
        return 0;
    }
    lua_pushvalue(L, -2);
    lua_setupvalue(L, -2, 1); /* _ENV */
    if ((j->rc = asy_lua_pcall(L, 0, 1, &ci, j->err)) != ASSAY_OK)
        return 0;
    if (!lua_istable(L, -1)) {
        j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "%s: the plugin must "
                              "return a table", d->path);
        return 0;
    }
    p->tab_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    push_ctx(L, j->rt, d);
    p->ctx_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (!push_callback(L, p, "init"))
        return 0;
    push_ref(L, p->ctx_ref);
    ci.callback = "init";
    if ((j->rc = asy_lua_pcall(L, 1, 1, &ci, j->err)) == ASSAY_OK)
        maybe_set_state(L, p);
    return 0;
}

static int grow(asy_rt *rt)
{
    if (rt->np < rt->cap)
        return 0;
    int cap = rt->cap ? rt->cap * 2 : 4;
    rtplugin **n = realloc(rt->p, (size_t)cap * sizeof *n);
    if (!n)
        return -1;
    rt->p = n;
    rt->cap = cap;
    return 0;
}

/* The threads a bulk operation (sorting, merging or writing a large
 * counter) may use: every thread of the run where nothing else runs,
 * that is in init() (the engine loads each worker's plugins one after
 * another before the first document), merge() and finish() (at the end,
 * the workers done); one in document(), where each worker runs on a
 * thread of its own already (a counter sorted in document() at -j 8 would
 * otherwise start 8 threads on each of 8 busy ones). */
static void all_threads(asy_rt *rt, int on)
{
    asy_lstate_get(rt->L)->threads = on && rt->nworkers > 1 ? rt->nworkers : 1;
}

int asy_rt_add_plugin(asy_rt *rt, const asy_plugin_def *def, asy_error *err)
{
    rtplugin *p = NULL;
    if (grow(rt) < 0 || !(p = copy_plugin(def)))
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    rt->p[rt->np++] = p; /* kept even on failure: indexes match calls */
    job j = {rt, p, def, NULL, NULL, err, ASSAY_OK};
    all_threads(rt, 1); /* init() */
    int rc = protect(&j, add_main, "load");
    all_threads(rt, 0);
    return rc;
}

/* ===== callbacks with rows ============================================= */

static rtplugin *plugin_at(asy_rt *rt, int i, asy_error *err)
{
    if (i >= 0 && i < rt->np && rt->p[i]->ctx_ref != LUA_NOREF)
        return rt->p[i];
    asy_error_set(err, ASSAY_E_USAGE, "no loaded plugin with index %d", i);
    return NULL;
}

/* document(doc, ctx, out). The Document is allocated last, right before
 * the call, so that nothing between its creation and its retirement can
 * raise and leave a live view of a document that will be freed. */
static int doc_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    luaL_checkstack(L, 8, NULL);
    if (!push_callback(L, j->p, "document"))
        return 0;
    int base = lua_gettop(L); /* fn */
    asy_lua_out_push(L, &j->rt->sink, &j->p->outs, 0); /* fn out */
    push_ref(L, j->p->ctx_ref);                        /* fn out ctx */
    asy_lua_doc_push(L, j->doc);                       /* fn out ctx doc */
    lua_pushvalue(L, -1);
    lua_rotate(L, base, 1);     /* doc fn out ctx doc */
    lua_rotate(L, base + 2, 1); /* doc fn doc out ctx */
    lua_rotate(L, base + 3, 1); /* doc fn doc ctx out */
    asy_lcall ci = callinfo(j->p, "document", j->doc);
    j->rc = asy_lua_pcall(L, 3, 0, &ci, j->err);
    asy_lua_doc_invalidate(L, base);
    return 0;
}

static int finish_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    if (!push_callback(L, j->p, "finish"))
        return 0;
    push_ref(L, j->p->ctx_ref);
    asy_lua_out_push(L, &j->rt->sink, &j->p->outs, 0);
    asy_lcall ci = callinfo(j->p, "finish", NULL);
    j->rc = asy_lua_pcall(L, 2, 0, &ci, j->err);
    return 0;
}

/* Run a callback that writes rows; on failure remove its rows again. */
static int with_rows(job *j, asy_rowbuf *rows, lua_CFunction body,
                     const char *callback)
{
    size_t len = rows->buf.len, nrows = rows->nrows;
    asy_lua_sink *sink = &j->rt->sink;
    sink->rb = rows;
    sink->call++;
    int rc = protect(j, body, callback);
    sink->rb = NULL; /* retire every Output of this call */
    sink->call++;
    asy_lstate_charge(j->rt->L, -(long long)sink->charged);
    sink->charged = 0;
    if (rc != ASSAY_OK) {
        rows->buf.len = len;
        if (rows->buf.data)
            rows->buf.data[len] = '\0';
        rows->nrows = nrows;
    }
    return rc;
}

int asy_rt_document(asy_rt *rt, int p, asy_doc *doc, asy_rowbuf *rows,
                    asy_error *err)
{
    rtplugin *pl = plugin_at(rt, p, err);
    if (!pl)
        return ASSAY_E_USAGE;
    job j = {rt, pl, NULL, doc, NULL, err, ASSAY_OK};
    return with_rows(&j, rows, doc_main, "document");
}

int asy_rt_finish(asy_rt *rt, int p, asy_rowbuf *rows, asy_error *err)
{
    rtplugin *pl = plugin_at(rt, p, err);
    if (!pl)
        return ASSAY_E_USAGE;
    job j = {rt, pl, NULL, NULL, NULL, err, ASSAY_OK};
    all_threads(rt, 1);
    int rc = with_rows(&j, rows, finish_main, "finish");
    all_threads(rt, 0);
    return rc;
}

/* ===== state =========================================================== */

static int save_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    char msg[1024];
    push_ref(L, j->p->ctx_ref);
    lua_pushliteral(L, "state");
    lua_rawget(L, -2);
    /* a handover to another runtime of this run: counters moved whole */
    if (asy_lua_state_save_transfer(L, -1, "ctx.state", j->h, msg,
                                    sizeof msg) < 0) {
        j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "plugin %s: %s",
                              j->p->name, msg);
        asy_error_at(j->err, j->p->path, -1, -1);
        asy_error_hint(j->err, "keep only tables, strings, numbers, booleans "
                       "and assay counters in ctx.state");
    }
    return 0;
}

int asy_rt_save_state(asy_rt *rt, int p, asy_handover *h, asy_error *err)
{
    rtplugin *pl = plugin_at(rt, p, err);
    if (!pl)
        return ASSAY_E_USAGE;
    job j = {rt, pl, NULL, NULL, h, err, ASSAY_OK};
    return protect(&j, save_main, "save");
}

/* nil, or a table with no entries */
static int is_empty(lua_State *L, int idx)
{
    if (lua_isnil(L, idx))
        return 1;
    if (!lua_istable(L, idx))
        return 0;
    lua_pushnil(L);
    if (!lua_next(L, idx))
        return 1;
    lua_pop(L, 2);
    return 0;
}

static int merge_main(lua_State *L)
{
    job *j = lua_touserdata(L, 1);
    char msg[1024];
    if (asy_lua_state_load_transfer(L, j->h, msg, sizeof msg) < 0) {
        const asy_lstate *s = asy_lstate_get(L);
        if (s->limit && strstr(msg, "not enough memory")) {
            j->rc = asy_error_set(j->err, ASSAY_E_LIMIT, "plugin %s exceeded "
                                  "the memory limit of %zu MB (mem_limit_mb) "
                                  "taking over a worker's state", j->p->name,
                                  s->limit >> 20);
            asy_error_hint(j->err, "raise mem_limit_mb, or run with fewer "
                           "threads (-j)");
        } else {
            j->rc = asy_error_set(j->err, ASSAY_E_PARSE, "plugin %s: %s",
                                  j->p->name, msg);
        }
        return 0;
    }
    int other = lua_gettop(L);
    if (!push_callback(L, j->p, "merge")) {
        if (!is_empty(L, other)) {
            j->rc = asy_error_set(j->err, ASSAY_E_PLUGIN, "plugin %s keeps "
                                  "state but defines no merge(); run with -j 1 "
                                  "or add merge()", j->p->name);
            asy_error_at(j->err, j->p->path, -1, -1);
        }
        return 0;
    }
    push_ref(L, j->p->ctx_ref);
    lua_pushliteral(L, "state");
    lua_rawget(L, -2);
    lua_remove(L, -2); /* other merge state */
    lua_pushvalue(L, other);
    asy_lcall ci = callinfo(j->p, "merge", NULL);
    if ((j->rc = asy_lua_pcall(L, 2, 1, &ci, j->err)) == ASSAY_OK)
        maybe_set_state(L, j->p);
    /* The other state is garbage now, unless merge() kept parts of it:
     * collect it, so that the counters it brought (the memory of a whole
     * worker's tables, which Lua's collector does not see) go now rather
     * than at the end of the run, and their charge with them. */
    if (j->h->nmoved) {
        lua_settop(L, 1);
        asy_lstate *s = asy_lstate_get(L);
        asy_lstate_defer_begin(s); /* the rest of their memory: later */
        lua_gc(L, LUA_GCCOLLECT);
        s->defer = 0;
    }
    return 0;
}

int asy_rt_merge_state(asy_rt *rt, int p, asy_handover *h, asy_error *err)
{
    rtplugin *pl = plugin_at(rt, p, err);
    if (!pl)
        return ASSAY_E_USAGE;
    job j = {rt, pl, NULL, NULL, h, err, ASSAY_OK};
    all_threads(rt, 1);
    int rc = protect(&j, merge_main, "merge");
    all_threads(rt, 0);
    return rc;
}
