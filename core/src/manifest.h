/*
 * manifest.h — run manifests: a JSON record of what a run did (versions,
 * plugins and their SHA-256, options, settings, every input file with its
 * size and hash, counts, times, exit status), written beside the
 * outputs, and read back to configure an engine that repeats the run.
 */
#ifndef ASY_MANIFEST_H
#define ASY_MANIFEST_H

#include "engine.h"

/* 2: input files hashed with XXH3-128 by default (the key of each file's
 * hash names it); 1: every file with SHA-256, still read. */
#define ASY_MANIFEST_VERSION 2

typedef struct asy_prehash asy_prehash;

/* Write the manifest of engine e to path, atomically (temporary file in the
 * same directory, then rename; the directory is created if missing).
 * ran = 0: the configured run, not run (no counts or times of a run);
 * ran = 1: the run that just ended with `status` (what assay_engine_end
 * returned). Inputs are hashed now, in a separate pass over the files,
 * except those hashed early and unchanged (asy_manifest_prehash_start). */
int asy_manifest_write(assay_engine *e, const char *path, int ran,
                       int status, asy_error *err);

/* Early hashing for a one-shot run (assay_engine_run): start hashing the
 * inputs of e on a thread of its own while the run reads them (no-op
 * without a manifest path); asy_manifest_write joins it and uses a hash
 * only for a file whose size, inode, mtime and ctime are unchanged since
 * (any other file is hashed again). _free stops, joins and frees it; safe
 * to call when nothing was started. Never fails: on any trouble the
 * manifest hashes the files itself. */
int asy_manifest_prehash_start(assay_engine *e);
void asy_manifest_prehash_join(assay_engine *e);
void asy_manifest_prehash_free(assay_engine *e);

/* Configure an empty engine from a manifest and check every plugin and
 * input against its recorded SHA-256 (see assay_engine_load_manifest). */
int asy_manifest_load(assay_engine *e, const char *path, int flags,
                      asy_error *err);

/* The CLI's exit status for an engine result (docs/cli.md): 0 ok,
 * 1 documents skipped, 2 usage error, 3 failure. */
int asy_manifest_exit_status(int status);

#endif
