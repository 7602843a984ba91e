/*
 * plugin.h — a plugin's description as plain C data (no Lua types), shared
 * by the engine, the CLI ("assay plugins") and the Lua runtime.
 *
 * asy_plugin_def_load() finds the file (bundled name or path), reads its
 * source and evaluates it once in a scratch sandboxed Lua state to read
 * name, version, summary, options and outputs. Workers later load the same
 * source bytes, so every worker runs exactly the code that was described.
 * Implemented in lua/lua_plugin.c (the only place that needs Lua for it).
 */
#ifndef ASY_PLUGIN_H
#define ASY_PLUGIN_H

#include <stddef.h>

#include "status.h"

typedef struct asy_option {
    char *name;
    int type;    /* ASSAY_INTEGER, ASSAY_NUMBER, ASSAY_BOOLEAN, ASSAY_STRING */
    char *value; /* current value as text (default until set) */
    char *default_value;
} asy_option;

typedef struct asy_output_def {
    char *name;
    int ncols;
    char **columns;
} asy_output_def;

typedef struct asy_plugin_def {
    char *name, *version, *summary;
    char *path;        /* file path, or chunk name for string plugins */
    char *chunkname;   /* "@path" or "=name" as given to lua_load */
    char *source;      /* the Lua source, NUL-terminated */
    size_t source_len;
    int noutputs;
    asy_output_def *outputs; /* declared order; "columns" alone = one output
                                named after the plugin */
    int noptions;
    asy_option *options;     /* sorted by name */
    int has_merge, has_finish, has_document, has_init;
} asy_plugin_def;

/* Search path for bundled plugins, in order: extra dirs given by the user,
 * $ASSAY_PATH (colon-separated), <exe>/../share/assay/plugins, the install
 * prefix, and the source tree (build tree use). Returns a NULL-terminated
 * malloc'd array of malloc'd strings (asy_strv_free). */
char **asy_plugin_dirs(const char *extra);
/* Same for report scripts (".../scripts"). */
char **asy_script_dirs(const char *extra);
void asy_strv_free(char **v);

/* Resolve a name: a path (contains '/' or ends in ".lua") must exist;
 * otherwise DIR/NAME.lua in each dir. Returns malloc'd path or NULL
 * (err: ASSAY_E_IO "plugin 'x' not found in: dirs..."). */
char *asy_plugin_resolve(const char *name, char *const *dirs, asy_error *err);

int asy_plugin_def_load(asy_plugin_def *def, const char *name,
                        char *const *dirs, asy_error *err);
int asy_plugin_def_load_string(asy_plugin_def *def, const char *chunkname,
                               const char *source, asy_error *err);
/* Set an option by name from text, checked against its type. */
int asy_plugin_def_set_option(asy_plugin_def *def, const char *key,
                              const char *value, asy_error *err);
/* As above, evaluating the plugin's top level with every library open
 * when trust != 0 (--trust: a trusted plugin may require() at load). */
int asy_plugin_def_load_ex(asy_plugin_def *def, const char *name,
                           char *const *dirs, int trust, asy_error *err);
int asy_plugin_def_load_string_ex(asy_plugin_def *def, const char *chunkname,
                                  const char *source, int trust,
                                  asy_error *err);
const asy_option *asy_plugin_def_option(const asy_plugin_def *def,
                                        const char *key);
void asy_plugin_def_free(asy_plugin_def *def);

#endif
