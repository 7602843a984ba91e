/*
 * lua_serialize.h — plugin state (ctx.state) to bytes and back, for -j
 * merges and shard partials. Deterministic: equal states give identical
 * bytes (table keys are written sorted) — except in the transfer form
 * (asy_lua_state_save_transfer), whose counters are written as held.
 * Loading checks every length, so malformed or hostile input yields an
 * error, never an out-of-bounds read.
 *
 * Format ("ASYS" 0x01, then one value; integers little-endian):
 *   'n' nil | 'f' false | 't' true | 'i' int64 | 'd' double bits
 *   's' u64 length + bytes | 'T' u64 count + count (key, value) pairs
 *   'C' u64 length + asy_counter_save bytes (an assay.Counter; in the
 *       transfer form asy_counter_save_unordered's)
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

#define ASY_STATE_MAX_DEPTH 200

/* Append the value at idx to out. `root` names it in error messages
 * ("ctx.state"). Returns 0, or -1 with msg filled and out unchanged.
 * Runs protected (memory errors are reported, not thrown). */
int asy_lua_state_save(lua_State *L, int idx, const char *root, asy_buf *out,
                       char *msg, size_t msgsize);

/* asy_lua_state_save for a handover between the runtimes of one process
 * (-j merges): counters are written as they are held
 * (asy_counter_save_unordered: neither sorted nor settled), so the bytes
 * are not canonical. asy_lua_state_load reads both. */
int asy_lua_state_save_transfer(lua_State *L, int idx, const char *root,
                                asy_buf *out, char *msg, size_t msgsize);

/* Push the value encoded in data[0..len). Returns 0, or -1 with msg filled
 * and nothing pushed. */
int asy_lua_state_load(lua_State *L, const char *data, size_t len, char *msg,
                       size_t msgsize);

#endif
