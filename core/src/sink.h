/*
 * sink.h — named outputs as files, written atomically.
 *
 * A sink writes to DIR/.NAME.EXT.tmp-PID and renames it to DIR/NAME.EXT on
 * commit, so a failed or interrupted run never leaves a truncated file that
 * looks complete. With dir == NULL the sink writes to standard output
 * (nothing to rename). The errors file (skipped documents) is a sink too.
 */
#ifndef ASY_SINK_H
#define ASY_SINK_H

#include "csvout.h"
#include "status.h"

typedef struct asy_sink asy_sink;

typedef struct asy_sink_opts {
    asy_fmt fmt;
    int bom;
    int safe;
} asy_sink_opts;

/* Open DIR/NAME.EXT (dir created if missing; NULL = stdout). `path`, when
 * not NULL, overrides dir/name with an explicit file path. */
int asy_sink_open(asy_sink **out, const char *dir, const char *name,
                  const char *path, const asy_sink_opts *o,
                  const char *const *columns, int ncols, asy_error *err);
int asy_sink_write(asy_sink *s, const assay_value *vals, asy_error *err);
/* Flush and rename into place; frees the sink. */
int asy_sink_commit(asy_sink *s, asy_error *err);
/* Remove the temporary file; frees the sink. NULL allowed. */
void asy_sink_abort(asy_sink *s);
/* Final path ("-" for stdout). */
const char *asy_sink_path(const asy_sink *s);
unsigned long long asy_sink_rows(const asy_sink *s);

#endif
