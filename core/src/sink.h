/*
 * sink.h — named outputs as files, written atomically.
 *
 * A sink writes to DIR/.NAME.EXT.tmp-PID-N and renames it to DIR/NAME.EXT on
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
/* `rows` rows (one, or a block of them) already formatted by
 * asy_csvout_format with this sink's writer, bytes[0..n) (asy_sink_writer:
 * a worker thread may format while the engine writes). */
int asy_sink_write_raw(asy_sink *s, const char *bytes, size_t n, size_t rows,
                       asy_error *err);
const asy_csvout *asy_sink_writer(const asy_sink *s);
/* First half of a commit: flush, fsync and close the file, which stays
 * under its temporary name (a full disk shows up here). Committing several
 * sinks as one means finishing all of them before committing any. The
 * sink must still be committed or aborted. */
int asy_sink_finish(asy_sink *s, asy_error *err);
/* Finish (if not done) and rename into place; frees the sink. */
int asy_sink_commit(asy_sink *s, asy_error *err);
/* Remove the temporary file; frees the sink. NULL allowed. */
void asy_sink_abort(asy_sink *s);
/* Final path ("-" for stdout). */
const char *asy_sink_path(const asy_sink *s);
unsigned long long asy_sink_rows(const asy_sink *s);

/* ---- the process's temporary files ------------------------------------
 * Every temporary file a sink (or the manifest writer) creates is listed
 * process-wide, so that a program about to die of a signal can remove
 * them all: a run interrupted by Ctrl-C leaves nothing behind either. */

/* Create path exclusively (O_EXCL, mode 0666 & umask) and list it.
 * Returns the fd, or -1 with errno set (ECANCELED once
 * asy_tmp_remove_all() has run). */
int asy_tmp_create(const char *path);
/* rename(tmp, final) and unlist tmp, atomically with respect to
 * asy_tmp_remove_all(). Returns 0, or -1 with errno set (tmp is then
 * still listed; asy_tmp_discard it). */
int asy_tmp_commit(const char *tmp, const char *final);
/* Unlink tmp and unlist it. */
void asy_tmp_discard(const char *tmp);
/* Unlink every listed file and refuse new ones from now on. Thread-safe
 * but not async-signal-safe: call it from a thread that took the signal
 * with sigwait(), not from a signal handler. */
void asy_tmp_remove_all(void);

#endif
