/*
 * loader.h — turning input paths into documents.
 *
 * A reader walks one input (a file, a directory walked recursively in
 * sorted byte order with hidden entries skipped, or "-") and yields
 * documents one at a time, so corpora larger than memory stream through.
 * Formats are a registry of asy_format vtables chosen by extension (after
 * removing ".gz"): .txt/.md/.text (text), .jsonl/.ndjson (jsonl), .csv
 * (csv), .tsv (csv with tabs). A record that cannot be read is reported
 * through asy_report.skip and reading continues; only an I/O failure ends
 * an input early.
 */
#ifndef ASY_LOADER_H
#define ASY_LOADER_H

#include <stddef.h>

#include "doc.h"
#include "source.h"
#include "status.h"

typedef enum asy_utf8_policy {
    ASY_UTF8_REPLACE = 0, /* replace with U+FFFD, warn with file + byte */
    ASY_UTF8_SKIP = 1,    /* skip the document, reported as skipped */
    ASY_UTF8_FAIL = 2     /* stop the run (ASSAY_E_ENCODING) */
} asy_utf8_policy;

typedef struct asy_input_opts {
    const char *text_field; /* JSONL/CSV field with the text ("text") */
    const char *id_field;   /* JSONL/CSV field with the id ("id") */
    const char *date_field; /* JSONL/CSV field with the date ("date") */
    int latin1;             /* decode input as ISO-8859-1 */
    asy_utf8_policy invalid_utf8;
    size_t max_doc_bytes;   /* larger documents are skipped (0 = none) */
} asy_input_opts;

void asy_input_opts_default(asy_input_opts *o);

/* How loaders report what does not stop them. Each callback may be NULL.
 * `where` is "line 12", "byte 4031", "record 7" or "". */
typedef struct asy_report {
    void (*skip)(void *ud, const char *source, const char *doc_id,
                 const char *where, const char *reason);
    void (*warn)(void *ud, const char *source, const char *doc_id,
                 const char *where, const char *message);
    void *ud;
    /* With `read` set, the regular files read are hashed as they are read
     * (asy_source_hash_begin, digest `hash`), and each one read to its end
     * is reported with the hex digest and size of its bytes as stored,
     * under the path it was opened by (a directory's files as root/rel).
     * Called from the thread that read the file. */
    void (*read)(void *read_ud, const char *path, const char *hex,
                 unsigned long long size);
    void *read_ud;
    asy_filehash hash;
} asy_report;

/* ---- format vtable (one per load_*.c) ---- */
typedef struct asy_format {
    const char *name;                /* "text", "jsonl", "csv" */
    const char *const *extensions;   /* NULL-terminated, e.g. ".txt" */
    /* Open a loader over an already opened source. `display` is the id
     * base for documents (path relative to the input root). The loader
     * takes ownership of src. */
    int (*open)(void **state, asy_source *src, const char *display,
                const asy_input_opts *o, const asy_report *rep,
                asy_error *err);
    /* 1 = *out is a new document (caller frees), 0 = end, < 0 = error
     * that ends this file (err set). */
    int (*next)(void *state, asy_doc **out, asy_error *err);
    void (*close)(void *state);
} asy_format;

extern const asy_format asy_format_text;
extern const asy_format asy_format_jsonl;
extern const asy_format asy_format_csv;
extern const asy_format asy_format_tsv;

/* The format for a file name (".gz" stripped), or NULL if unknown. */
const asy_format *asy_format_for_path(const char *path);

/* Clean raw text bytes per the options into a document's text, reporting
 * invalid UTF-8 and NUL bytes. Shared by all loaders.
 * Returns 1 = ok (text set), 0 = document skipped (already reported via
 * rep->skip), < 0 = fatal (err set: ASSAY_E_ENCODING or ASSAY_E_NOMEM).
 * `base_offset` is added to byte offsets in messages; `where_prefix` is
 * e.g. "line 12, field text" (may be ""). */
int asy_load_text_into(asy_doc *d, const char *raw, size_t len,
                       const asy_input_opts *o, const asy_report *rep,
                       long long base_offset, const char *where_prefix,
                       asy_error *err);
/* The same, consuming raw (malloc'd, at least len + 1 bytes; freed or
 * handed to the document in every case): clean text becomes the
 * document's text without a copy. */
int asy_load_text_owned(asy_doc *d, char *raw, size_t len,
                        const asy_input_opts *o, const asy_report *rep,
                        long long base_offset, const char *where_prefix,
                        asy_error *err);

/* ---- reader over one input path ---- */
typedef struct asy_reader asy_reader;

/* ASSAY_E_IO when the path does not exist or cannot be read. */
int asy_reader_open(asy_reader **out, const char *path,
                    const asy_input_opts *o, const asy_report *rep,
                    asy_error *err);
/* 1 = *out is a new document (caller frees), 0 = end, < 0 = fatal. */
int asy_reader_next(asy_reader *r, asy_doc **out, asy_error *err);
void asy_reader_close(asy_reader *r);

/* ---- deferred text files ----
 * A reader told to defer does not read the plain-text files (one file,
 * one document) it meets walking a directory: it yields each as a
 * *pending* document (d->pending set; id and source filled in, no text),
 * and whoever holds it reads it later, possibly on another thread, with
 * asy_reader_load_pending. The engine defers so that its worker threads
 * read, check and clean their own files in parallel instead of the
 * feeding thread doing it for all of them. Messages are the same either
 * way; they reach `rep` of the load instead of the reader's. */
void asy_reader_defer(asy_reader *r, int on);
/* Read pending *d for real: *d is replaced by the loaded document (1), or
 * freed and set to NULL when the file is skipped (0, reported through
 * rep->skip: unreadable, too big, binary, invalid UTF-8 under the "skip"
 * policy, an I/O error half-way) or on a fatal error (< 0, err set:
 * ASSAY_E_ENCODING, ASSAY_E_NOMEM). Thread-safe for distinct documents. */
int asy_reader_load_pending(asy_doc **d, const asy_input_opts *o,
                            const asy_report *rep, asy_error *err);

/* Total size in bytes of the files an input path covers (for progress and
 * manifests); -1 if unknown (stdin). */
long long asy_input_size(const char *path);

#endif
