/*
 * lua_state.h — creating a lua_State for assay: a counting, capped
 * allocator, the selected standard libraries, a panic handler and the
 * per-callback instruction budget (a count hook a plugin cannot swallow).
 */
#ifndef ASY_LUA_STATE_H
#define ASY_LUA_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

/* Limits and flags of one state, reachable through lua_getallocf(). */
typedef struct asy_lstate {
    lua_State *L;          /* the main thread */
    size_t used;           /* bytes held by the Lua heap */
    size_t external;       /* bytes held by C objects owned by Lua values */
    size_t limit;          /* 0 = no cap */
    int mem_refused;       /* an allocation was refused since the last begin */
    uint64_t instr_limit;  /* 0 = no budget */
    uint64_t instr_used;
    int instr_tripped;     /* the budget ran out since the last begin */
    int trust;
    int threads;           /* threads a bulk operation may use (sorting a
                              large counter at the end): the run's -j in
                              init(), merge() and finish(), 1 in document()
                              (lua_runtime.c all_threads) */
    int defer;             /* frees may be put off (asy_lstate_defer) */
    struct asy_deferred *deferred; /* put off: done at close */
} asy_lstate;

/* New state with a capped allocator; opens base, string, table, math,
 * utf8 and coroutine (every library when trust != 0). NULL on OOM. */
lua_State *asy_lstate_new(size_t mem_limit, uint64_t instr_limit, int trust);
/* Close the state and free its control block. NULL is allowed. */
void asy_lstate_close(lua_State *L);
asy_lstate *asy_lstate_get(lua_State *L);

/* Start a callback: reset the instruction budget and the limit flags. */
void asy_lstate_begin(lua_State *L);
/* Change the instruction budget (0 = none) for later callbacks. */
void asy_lstate_set_instr_limit(lua_State *L, uint64_t limit);

/* Put off free_fn(p) to the close of the state (asy_lstate_close, after
 * lua_close): 0, or -1 when frees are not put off now (s->defer is 0) or
 * there is no memory to note it; the caller then frees p itself. Only the
 * frees put off since defer was last set stay put off: those from before
 * are done at once. (The runtime sets defer while it collects a worker's
 * state merged at the end of a -j run: the rest of a worker's counter
 * whose word table, given back already, was most of it, is then freed
 * where the runtime is freed, on a thread of its own while the outputs
 * are committed, rather than on the one that goes on to sort and write
 * the rows; what it keeps stays charged to the cap until then.) */
int asy_lstate_defer(asy_lstate *s, void (*free_fn)(void *), void *p);
/* Set s->defer, doing the frees put off before. */
void asy_lstate_defer_begin(asy_lstate *s);
/* The frees put off so far, taken from s (its close will not do them):
 * NULL when none. asy_deferred_run does them, on any thread, and frees
 * the list; NULL allowed. */
struct asy_deferred *asy_lstate_take_deferred(asy_lstate *s);
void asy_deferred_run(struct asy_deferred *d);

/* Account for `delta` bytes held outside the Lua heap (C counters).
 * Returns 0, or -1 (and sets mem_refused) when the cap is now exceeded;
 * the caller then raises an error. */
int asy_lstate_charge(lua_State *L, long long delta);
/* The same with the state at hand: what a thread of the run's may call
 * while the state's own thread waits for it (no Lua API call). */
int asy_lstate_charge_to(asy_lstate *s, long long delta);

#endif
