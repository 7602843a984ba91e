/*
 * lua_serialize.h — plugin state (ctx.state) to bytes and back, for -j
 * merges and shard partials. Deterministic: equal states give identical
 * bytes (table keys are written sorted) — except in the transfer form
 * (asy_lua_state_save_transfer), whose counters are not written at all
 * but moved, whole, to a handover (handover.h). Loading checks every
 * length, so malformed or hostile input yields an error, never an
 * out-of-bounds read; bytes name moved counters by index only, so no
 * input can make a loader take a pointer from them.
 *
 * Format ("ASYS" 0x01, then one value; integers little-endian):
 *   'n' nil | 'f' false | 't' true | 'i' int64 | 'd' double bits
 *   's' u64 length + bytes | 'T' u64 count + count (key, value) pairs
 *   'C' u64 length + asy_counter_save bytes (an assay.Counter)
 *   'M' u64 index of a counter in the handover (the transfer form only; a
 *       Counter met twice in the state is named twice, and loads as one)
 * Keys are booleans, numbers or strings, sorted: false, true, integers,
 * floats (numerically), strings (bytewise). Shared subtables are written
 * once per reference; cycles, functions, threads and other userdata are
 * errors naming the path ("ctx.state.seen[3]: cannot save a function").
 */
#ifndef ASY_LUA_SERIALIZE_H
#define ASY_LUA_SERIALIZE_H

#include <stddef.h>

#include <lua.h>

#include "../strbuf.h"
#include "handover.h"

#define ASY_STATE_MAX_DEPTH 200

/* Append the value at idx to out. `root` names it in error messages
 * ("ctx.state"). Returns 0, or -1 with msg filled and out unchanged.
 * Runs protected (memory errors are reported, not thrown). */
int asy_lua_state_save(lua_State *L, int idx, const char *root, asy_buf *out,
                       char *msg, size_t msgsize);

/* asy_lua_state_save for a handover between the runtimes of one process
 * (-j merges), appending to h->bytes: each Counter's C counter is moved to
 * h->moved as it is held (neither sorted nor settled: no copy is made),
 * leaving the Counter in L empty. On failure, counters moved so far stay
 * in h (asy_handover_clear frees them). */
int asy_lua_state_save_transfer(lua_State *L, int idx, const char *root,
                                asy_handover *h, char *msg, size_t msgsize);

/* Push the value encoded in data[0..len). Returns 0, or -1 with msg filled
 * and nothing pushed. */
int asy_lua_state_load(lua_State *L, const char *data, size_t len, char *msg,
                       size_t msgsize);
/* Push the state in h (from asy_lua_state_save_transfer, possibly of
 * another lua_State of this process): its moved counters are adopted by
 * Counters of L (their entries in h set to NULL). 0, or -1 with msg and
 * every counter left in h. */
int asy_lua_state_load_transfer(lua_State *L, asy_handover *h, char *msg,
                                size_t msgsize);

#endif
