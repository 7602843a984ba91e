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

typedef struct asy_readlog asy_readlog;

/* Write the manifest of engine e to path, atomically (temporary file in the
 * same directory, then rename; the directory is created if missing).
 * ran = 0: the configured run, not run (no counts or times of a run);
 * ran = 1: the run that just ended with `status` (what assay_engine_end
 * returned). A file the run read whole takes the digest the loader took
 * as it read it (e->readlog); any other file is hashed now. */
int asy_manifest_write(assay_engine *e, const char *path, int ran,
                       int status, asy_error *err);

/* The files a run read, each with the digest (kind `hash`) the loader
 * took of its bytes as it read them: what asy_report.read reports
 * (asy_readlog_add is such a callback, safe from any thread; a file it
 * cannot keep, out of memory, is hashed by the manifest instead).
 * _new: NULL when out of memory. */
asy_readlog *asy_readlog_new(asy_filehash hash);
void asy_readlog_add(void *log, const char *path, const char *hex,
                     unsigned long long size);
void asy_readlog_free(asy_readlog *log);

/* Configure an empty engine from a manifest and check every plugin and
 * input against its recorded SHA-256 (see assay_engine_load_manifest). */
int asy_manifest_load(assay_engine *e, const char *path, int flags,
                      asy_error *err);

/* The CLI's exit status for an engine result (docs/cli.md): 0 ok,
 * 1 documents skipped, 2 usage error, 3 failure. */
int asy_manifest_exit_status(int status);

#endif
