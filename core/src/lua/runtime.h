/*
 * runtime.h — the engine's view of the Lua binding, in plain C.
 *
 * One asy_rt is one lua_State (one per worker thread) with every plugin of
 * the run loaded in its own sandboxed environment. The engine never
 * includes lua.h: it calls these functions, and rows come back packed in an
 * asy_rowbuf. Plugin state (ctx.state) can be saved to bytes and merged
 * into another runtime, which is how -j workers and shard partials combine.
 */
#ifndef ASY_RUNTIME_H
#define ASY_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "../doc.h"
#include "../loader.h"
#include "../plugin.h"
#include "../rowbuf.h"
#include "../status.h"
#include "../strbuf.h"
#include "handover.h"

typedef struct asy_rt asy_rt;

typedef struct asy_rt_config {
    int trust;             /* 1 = no sandbox (io, os, require available) */
    size_t mem_limit;      /* bytes of Lua heap, 0 = none */
    uint64_t instr_limit;  /* VM instructions per callback, 0 = none */
    int worker;            /* 0-based worker index (ctx.worker) */
    int nworkers;          /* ctx.threads */
    const char *output_dir;/* where a trusted plugin may write, or NULL */
    char *const *plugin_dirs; /* for resolving dictionaries etc. */
    const asy_input_opts *input; /* the run's input settings (ctx.input),
                                    copied; NULL: the defaults */
} asy_rt_config;

asy_rt *asy_rt_new(const asy_rt_config *cfg, asy_error *err);
void asy_rt_free(asy_rt *rt);
/* The frees the runtime put off (a merged worker's counters, lua_state.h
 * asy_lstate_defer), taken from it so that another thread may do them
 * (asy_deferred_run) while it is freed: NULL when none. */
struct asy_deferred *asy_rt_take_deferred(asy_rt *rt);
void asy_deferred_run(struct asy_deferred *d);

/* Load a described plugin into this runtime (its index is the order of
 * calls, from 0), set ctx.options from def's current option values and
 * call init(ctx). Errors name the plugin file and line. */
int asy_rt_add_plugin(asy_rt *rt, const asy_plugin_def *def, asy_error *err);

/* Run plugin p's document(doc, ctx, out). Rows are appended to rows.
 * On error (ASSAY_E_PLUGIN / ASSAY_E_LIMIT), rows emitted by this call are
 * removed again and err names file:line, callback and document id. */
int asy_rt_document(asy_rt *rt, int p, asy_doc *doc, asy_rowbuf *rows,
                    asy_error *err);

/* Hand plugin p's ctx.state over to asy_rt_merge_state in this process
 * (asy_lua_state_save_transfer): its counters move into h whole, leaving
 * this runtime's empty, so only free the runtime afterwards. h starts
 * empty (ASY_HANDOVER_INIT, or cleared). */
int asy_rt_save_state(asy_rt *rt, int p, asy_handover *h, asy_error *err);
/* Take a handed-over state and call merge(ctx.state, other). A plugin
 * without merge() whose other state is not empty is an error. Clear h
 * afterwards either way (it frees what was not taken). */
int asy_rt_merge_state(asy_rt *rt, int p, asy_handover *h, asy_error *err);

/* Run plugin p's finish(ctx, out) (if any). */
int asy_rt_finish(asy_rt *rt, int p, asy_rowbuf *rows, asy_error *err);

/* Lua heap in use, bytes. */
size_t asy_rt_memory(const asy_rt *rt);
/* "Lua 5.4.4" */
const char *asy_rt_lua_version(void);

#endif
