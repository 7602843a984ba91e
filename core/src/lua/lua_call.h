/*
 * lua_call.h — the one door into Lua: asy_lua_pcall runs a function under a
 * message handler that adds a traceback, then turns a failure into an
 * asy_error naming the plugin file and line, the callback and the document.
 */
#ifndef ASY_LUA_CALL_H
#define ASY_LUA_CALL_H

#include <lua.h>

#include "../status.h"

/* What is being called, for the error record. All may be NULL. */
typedef struct asy_lcall {
    const char *plugin;   /* plugin name */
    const char *path;     /* plugin file (err->file when the error is in it) */
    const char *callback; /* "document", "init", "merge", "finish", ... */
    const char *doc_id;   /* document being processed */
} asy_lcall;

/* Call the function below nargs arguments (as lua_pcall), first resetting
 * the instruction budget. On success returns ASSAY_OK with nresults values
 * pushed. On failure nothing is left on the stack and err holds:
 * ASSAY_E_LIMIT (memory cap or instruction budget) or ASSAY_E_PLUGIN, the
 * Lua message ("path:line: ..."), file/line parsed from it, doc_id and a
 * hint "in CALLBACK() of plugin NAME" plus a short traceback. */
int asy_lua_pcall(lua_State *L, int nargs, int nresults, const asy_lcall *ci,
                  asy_error *err);

/* Parse "SOURCE:LINE:" at the start of msg. Returns the line (or -1) and
 * the length of SOURCE in *srclen. */
long long asy_lua_msg_line(const char *msg, size_t *srclen);

#endif
