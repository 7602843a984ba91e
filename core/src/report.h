/*
 * report.h — report scripts (`assay report NAME CORPUS...`, docs/reports.md):
 * a Lua file that names the plugins to run in one pass and renders their
 * CSVs into files such as report.html. The Lua side (loading, options,
 * render) is lua/lua_report.c; the plain-C helpers (finding scripts,
 * reading a CSV back, writing a file inside the output directory) are
 * report.c, so they can be tested without Lua.
 */
#ifndef ASY_REPORT_H
#define ASY_REPORT_H

#include <stddef.h>

#include "assay.h"
#include "status.h"

/* ===== plain C (report.c) ============================================== */

/* A CSV file read back: the header and every row as NUL-terminated cells
 * (a short row is padded with "" so every row has ncols cells). */
typedef struct asy_table {
    int ncols;
    char **cols;      /* ncols header cells */
    size_t nrows;
    char **cells;     /* nrows * ncols, row-major */
} asy_table;

int asy_table_read_csv(asy_table *t, const char *path, asy_error *err);
void asy_table_free(asy_table *t);

/* 1 if name may be written by a script: [A-Za-z0-9_.-], 1..128 bytes, not
 * starting with '.', so it always stays inside the output directory. */
int asy_report_safe_name(const char *name);

/* Write dir/name atomically (temporary file in dir, then rename). */
int asy_report_write_file(const char *dir, const char *name, const void *data,
                          size_t len, asy_error *err);

/* Resolve a report name: a path (contains '/' or ends in ".lua") must
 * exist; otherwise DIR/NAME.lua in each script directory. Returns a
 * malloc'd path, or NULL (err: ASSAY_E_USAGE "unknown report"). */
char *asy_report_resolve(const char *name, char *const *dirs, asy_error *err);

/* The scripts of every directory (DIR/NAME.lua, not lib/); a name in
 * an earlier directory hides the same name later. Sorted by name. */
typedef struct asy_report_entry {
    char *name;
    char *path;
} asy_report_entry;
int asy_report_find_all(char *const *dirs, asy_report_entry **out, int *n,
                        asy_error *err);
void asy_report_entries_free(asy_report_entry *v, int n);

/* ===== the script (lua/lua_report.c) =================================== */

typedef struct asy_report asy_report;

/* Load a script by name or path and evaluate it in a sandboxed state
 * (trust != 0 lifts the sandbox, as for plugins). dirs are the script
 * directories (for lib/ modules). */
int asy_report_load(asy_report **r, const char *name, char *const *dirs,
                    int trust, asy_error *err);
const char *asy_report_name(const asy_report *r);
const char *asy_report_summary(const asy_report *r);
const char *asy_report_path(const asy_report *r);
/* "  name = default  (type)" lines describing the options, malloc'd. */
char *asy_report_describe_options(const asy_report *r);

/* Set one of the script's own options from text (typed by its default).
 * ASSAY_E_USAGE names the known options when key is unknown. */
int asy_report_set_option(asy_report *r, const char *key, const char *value,
                          asy_error *err);

/* Load the script's plugins into e with their options (through the public
 * API only). Errors from the engine are copied into err. */
int asy_report_configure(asy_report *r, assay_engine *e, asy_error *err);

/* After a run with outputs in outdir: call render(ctx). Files the script
 * writes are listed by asy_report_written(). */
int asy_report_render(asy_report *r, assay_engine *e, const char *outdir,
                      const char *const *inputs, int ninputs,
                      asy_error *err);
/* NULL-terminated names written by render (owned by r). */
const char *const *asy_report_written(const asy_report *r);

void asy_report_free(asy_report *r);

#endif
