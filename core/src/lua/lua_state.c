/*
 * lua_state.c — the lua_State factory: every byte the Lua heap takes goes
 * through a counting allocator that refuses to grow past the cap (Lua then
 * raises "not enough memory"), and a count hook enforces the per-callback
 * instruction budget the way Redis's script_lua.c does.
 */
#include <stdio.h>
#include <stdlib.h>

#include <lauxlib.h>
#include <lualib.h>

#include "lua_state.h"

/* The hook runs every HOOK_EVERY instructions until the budget is spent. */
#define HOOK_EVERY 10000

/* ===== allocator ======================================================= */

/* lua_Alloc contract: free when nsize == 0; shrinking must never fail
 * (Lua relies on it); growth beyond the cap returns NULL. */
static void *capped_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    asy_lstate *s = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        s->used -= old;
        return NULL;
    }
    if (nsize > old && s->limit &&
        s->used + s->external + (nsize - old) > s->limit) {
        s->mem_refused = 1;
        return NULL;
    }
    void *p = realloc(ptr, nsize);
    if (!p)
        return NULL;
    s->used = s->used - old + nsize;
    return p;
}

/* An error escaped every protected call: a bug in the binding, not in a
 * plugin. There is no safe way to continue. */
static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "assay: unprotected Lua error (internal bug): %s\n",
            msg ? msg : "(not a string)");
    fflush(stderr);
    abort();
    return 0;
}

/* ===== instruction budget ============================================== */

static void count_hook(lua_State *L, lua_Debug *ar);

static void arm(lua_State *L, int every)
{
    lua_sethook(L, count_hook, LUA_MASKCOUNT, every);
}

/* Once tripped, re-arm at count 1 on this thread and the main thread (new
 * coroutines inherit the hook of their creator), so that each further
 * instruction raises again and a pcall in the plugin cannot swallow it. */
static void count_hook(lua_State *L, lua_Debug *ar)
{
    asy_lstate *s = asy_lstate_get(L);
    if (!s->instr_tripped) {
        int every = lua_gethookcount(L);
        s->instr_used += (uint64_t)(every > 0 ? every : 1);
        if (every != HOOK_EVERY)
            arm(L, HOOK_EVERY); /* a thread left at 1 by an earlier trip */
        if (s->instr_limit == 0 || s->instr_used <= s->instr_limit)
            return;
        s->instr_tripped = 1;
    }
    arm(L, 1);
    arm(s->L, 1);
    lua_getinfo(L, "Sl", ar);
    lua_pushfstring(L, "%s:%d: exceeded the instruction limit of %I "
                    "(instr_limit)", ar->short_src, ar->currentline,
                    (lua_Integer)s->instr_limit);
    lua_error(L);
}

/* ===== state =========================================================== */

static void open_selected(lua_State *L)
{
    static const luaL_Reg libs[] = {
        {LUA_GNAME, luaopen_base},          {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table},    {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},    {LUA_COLIBNAME, luaopen_coroutine},
        {NULL, NULL}};
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
}

/* Runs protected so that an allocation failure while opening libraries is
 * reported instead of reaching the panic handler. */
static int open_libs(lua_State *L)
{
    if (asy_lstate_get(L)->trust)
        luaL_openlibs(L);
    else
        open_selected(L);
    return 0;
}

lua_State *asy_lstate_new(size_t mem_limit, uint64_t instr_limit, int trust)
{
    asy_lstate *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->limit = mem_limit;
    s->instr_limit = instr_limit;
    s->trust = trust;
    s->threads = 1;
    lua_State *L = lua_newstate(capped_alloc, s);
    if (!L) {
        free(s);
        return NULL;
    }
    s->L = L;
    /* Generational collection: the short-lived strings and tables of a
     * document() or a finish() loop are freed young, so a plugin's
     * memory stays near what it keeps. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    lua_atpanic(L, panic);
    lua_pushcfunction(L, open_libs);
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
        asy_lstate_close(L);
        return NULL;
    }
    asy_lstate_begin(L);
    return L;
}

typedef struct asy_deferred {
    struct asy_deferred *next;
    void (*free_fn)(void *);
    void *p;
} deferred;

void asy_deferred_run(deferred *d)
{
    for (deferred *next; d; d = next) {
        next = d->next;
        d->free_fn(d->p);
        free(d);
    }
}

deferred *asy_lstate_take_deferred(asy_lstate *s)
{
    deferred *d = s->deferred;
    s->deferred = NULL;
    return d;
}

static void run_deferred(asy_lstate *s)
{
    asy_deferred_run(asy_lstate_take_deferred(s));
}

int asy_lstate_defer(asy_lstate *s, void (*free_fn)(void *), void *p)
{
    deferred *d = s->defer ? malloc(sizeof *d) : NULL;
    if (!d)
        return -1;
    *d = (deferred){s->deferred, free_fn, p};
    s->deferred = d;
    return 0;
}

void asy_lstate_defer_begin(asy_lstate *s)
{
    run_deferred(s);
    s->defer = 1;
}

void asy_lstate_close(lua_State *L)
{
    if (!L)
        return;
    asy_lstate *s = asy_lstate_get(L);
    lua_close(L);
    run_deferred(s);
    free(s);
}

asy_lstate *asy_lstate_get(lua_State *L)
{
    void *ud = NULL;
    lua_getallocf(L, &ud);
    return ud;
}

void asy_lstate_begin(lua_State *L)
{
    asy_lstate *s = asy_lstate_get(L);
    s->instr_used = 0;
    s->instr_tripped = 0;
    s->mem_refused = 0;
    if (s->instr_limit)
        arm(s->L, HOOK_EVERY);
    else
        lua_sethook(s->L, NULL, 0, 0);
}

void asy_lstate_set_instr_limit(lua_State *L, uint64_t limit)
{
    asy_lstate_get(L)->instr_limit = limit;
    asy_lstate_begin(L);
}

int asy_lstate_charge(lua_State *L, long long delta)
{
    return asy_lstate_charge_to(asy_lstate_get(L), delta);
}

int asy_lstate_charge_to(asy_lstate *s, long long delta)
{
    if (delta < 0 && (size_t)(-delta) > s->external)
        s->external = 0;
    else
        s->external += (size_t)delta;
    if (delta > 0 && s->limit && s->used + s->external > s->limit) {
        s->mem_refused = 1;
        return -1;
    }
    return 0;
}
