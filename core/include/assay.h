/*
 * assay.h — the public C API of libassay, the assay document-analysis engine.
 *
 * This header is the whole contract for embedders. The `assay` command-line
 * tool and the Python module are clients of exactly this API.
 *
 * OVERVIEW
 * ========
 *
 * An *engine* (assay_engine) holds a configuration, a list of *plugins* and a
 * list of *inputs*. Running the engine reads every document of every input in
 * order, hands each document to every plugin's `document` callback (Lua),
 * collects the rows the plugins emit, and delivers them either to files in an
 * output directory (CSV, TSV or JSON Lines) or to a row callback.
 *
 *     assay_engine *e = NULL;
 *     assay_engine_new(&e);
 *     assay_engine_load_plugin(e, "wordfreq", NULL);    // bundled name or path
 *     assay_engine_add_input(e, "corpus/");             // file, directory, "-"
 *     assay_engine_set_row_callback(e, on_row, userdata);
 *     if (assay_engine_run(e) < 0)
 *         fprintf(stderr, "%s\n", assay_last_error(e)->message);
 *     assay_engine_free(e);
 *
 * Documents can also be fed from memory, one at a time, between
 * assay_engine_begin() and assay_engine_end() (see "Streaming").
 *
 * DOCUMENTS
 * ---------
 * A document has an id, a source (the file it came from), metadata (`date`,
 * `title`, any other field) and a text in valid UTF-8 with "\n" newlines.
 * Offsets reported by the bundled plugins are Unicode code points, 0-based
 * and end-exclusive, into that text. docs/formats.md describes the loaders.
 *
 * THREADING
 * ---------
 * An engine may run documents on N threads (assay_engine_set_threads), each
 * with its own Lua state: N - 1 workers and the calling thread, which works
 * on documents while the queue is full. Rows are always delivered in corpus
 * order, from the thread that called
 * assay_engine_run()/assay_engine_feed()/assay_engine_end().
 * An engine object itself must not be used from two threads at once;
 * distinct engines are independent.
 *
 * LOCALE
 * ------
 * The library works in the C locale whatever locale the program set:
 * numbers are read and written with '.', as the command line does. The
 * calls that run plugins or read or write numbers (loading plugins and
 * manifests, options, begin/add_document/feed_input/end/run, writing a
 * manifest, reports) switch the calling thread to the C locale for the
 * call (uselocale: every category) and back; the row, message and
 * progress callbacks run in the caller's own locale.
 *
 * OWNERSHIP
 * ---------
 * Every function documents who owns what. In short: the engine owns
 * everything it returns; pointers handed to callbacks are valid only during
 * the callback; strings passed in are copied.
 *
 * ERRORS
 * ------
 * Functions return an assay_status: ASSAY_OK (0) or a positive count on
 * success, a negative ASSAY_E_* code on failure. assay_strerror() names the
 * code; assay_last_error() gives the detail (message, file, line or byte,
 * document id, hint) of the last failure on an engine.
 */
#ifndef ASSAY_H
#define ASSAY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ASSAY_BUILDING) && defined(__GNUC__)
#define ASSAY_API __attribute__((visibility("default")))
#else
#define ASSAY_API
#endif

/* ===================================================================== */
/* Version                                                               */
/* ===================================================================== */

#define ASSAY_VERSION_MAJOR 0
#define ASSAY_VERSION_MINOR 1
#define ASSAY_VERSION_PATCH 0
#define ASSAY_VERSION_STRING "0.1.0"

/**
 * The version of the library actually linked, as "MAJOR.MINOR.PATCH".
 * @return a static string. Ownership: static, never free it.
 * @since 0.1
 */
ASSAY_API const char *assay_version(void);

/* ===================================================================== */
/* Status codes                                                          */
/* ===================================================================== */

typedef enum assay_status {
    ASSAY_OK = 0,
    ASSAY_E_NOMEM = -1,   /* out of memory */
    ASSAY_E_USAGE = -2,   /* invalid argument or call out of order */
    ASSAY_E_IO = -3,      /* a file could not be read or written */
    ASSAY_E_PARSE = -4,   /* malformed input (JSON, CSV, options) */
    ASSAY_E_PLUGIN = -5,  /* a plugin failed to load or raised an error */
    ASSAY_E_LIMIT = -6,   /* a configured limit was exceeded */
    ASSAY_E_ENCODING = -7 /* invalid text encoding under a strict policy */
} assay_status;

/**
 * A short English description of a status code.
 * @return a static string ("ok", "out of memory", ...). Ownership: static.
 * @since 0.1
 */
ASSAY_API const char *assay_strerror(int status);

/** Detail of the last failure on an engine. All strings may be "" but are
 *  never NULL; `line` and `byte` are -1 when unknown. */
typedef struct assay_error_info {
    int code;            /* the assay_status returned */
    const char *message; /* one line, no trailing newline */
    const char *file;    /* input or plugin file concerned, or "" */
    long long line;      /* 1-based line in `file`, or -1 */
    long long byte;      /* 0-based byte offset in `file`, or -1 */
    const char *doc_id;  /* document being processed, or "" */
    const char *hint;    /* what the user can do about it, or "" */
} assay_error_info;

/* ===================================================================== */
/* Engine                                                                */
/* ===================================================================== */

typedef struct assay_engine assay_engine;

/**
 * Create an engine with default settings (threads = 1, CSV output,
 * invalid UTF-8 replaced and reported).
 * @param out receives the new engine.
 * @return ASSAY_OK or ASSAY_E_NOMEM.
 * Ownership: the caller frees the engine with assay_engine_free().
 * @since 0.1
 */
ASSAY_API int assay_engine_new(assay_engine **out);

/**
 * Free an engine and everything it owns. NULL is allowed.
 * Ownership: every pointer obtained from this engine becomes invalid.
 * @since 0.1
 */
ASSAY_API void assay_engine_free(assay_engine *e);

/**
 * The last error recorded on the engine.
 * @return never NULL; code is ASSAY_OK when nothing failed.
 * Ownership: owned by the engine, valid until the next call on it.
 * @since 0.1
 */
ASSAY_API const assay_error_info *assay_last_error(const assay_engine *e);

/**
 * Set an engine setting by name; values are strings as on the command line.
 *
 * | key              | values                                   | default   |
 * |------------------|------------------------------------------|-----------|
 * | threads          | 1..256, or 0 for the cores it may use    | 1         |
 * | format           | csv, tsv, jsonl                          | csv       |
 * | bom              | true/false: UTF-8 BOM before CSV output  | false     |
 * | safe_csv         | true/false: neutralise = + - @ cells     | false     |
 * | text_field       | JSONL/CSV field holding the text         | text      |
 * | id_field         | JSONL/CSV field holding the id           | id        |
 * | date_field       | JSONL/CSV field holding the date         | date      |
 * | encoding         | utf-8, latin-1                           | utf-8     |
 * | invalid_utf8     | replace, skip, fail                      | replace   |
 * | max_doc_bytes    | largest document accepted, in bytes      | 268435456 |
 * | plugin_path      | extra directory searched for plugins     | (none)    |
 * | trust            | true/false: lift the plugin sandbox      | false     |
 * | mem_limit_mb     | Lua memory cap per worker, 0 = none      | 1024      |
 * | instr_limit      | Lua instructions per document, 0 = none  | 0         |
 * | manifest_hash    | xxh3_128, sha256: the manifest's file hash | xxh3_128 |
 * | pin              | true/false: a processor a thread (below) | false     |
 *
 * pin: in assay_engine_run, when the run has as many threads as the
 * processors the calling thread may use (threads 0 gives that), each is
 * held on a processor of its own until the run ends, the calling thread
 * on the one it is on (its processors given back before the call returns;
 * threads and processes it starts meanwhile, in a callback, inherit the
 * one), so that the scheduler never stacks two of them on one processor
 * while another idles. With fewer threads nothing is held: two runs at
 * once could hold theirs on the same processors. Runs driven with
 * assay_engine_begin/end are never held (they may move between threads).
 * The command line sets it (`--no-pin` leaves placement to the system).
 *
 * @return ASSAY_OK, or ASSAY_E_USAGE for an unknown key or bad value.
 * Ownership: key and value are copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_set(assay_engine *e, const char *key,
                               const char *value);

/** Shorthand for assay_engine_set(e, "threads", n). @since 0.1 */
ASSAY_API int assay_engine_set_threads(assay_engine *e, int n);

/* ===================================================================== */
/* Plugins                                                               */
/* ===================================================================== */

/**
 * Load a plugin by bundled name ("wordfreq") or by path ("my/plugin.lua").
 * @param plugin_index receives the plugin's index (0-based), may be NULL.
 * @return ASSAY_OK, ASSAY_E_IO (not found), ASSAY_E_PLUGIN (load error).
 * Ownership: name is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_load_plugin(assay_engine *e, const char *name,
                                       int *plugin_index);

/**
 * Load a plugin from Lua source held in memory.
 * @param chunkname name used in error messages, e.g. "inline.lua".
 * Ownership: both strings are copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_load_plugin_string(assay_engine *e,
                                              const char *chunkname,
                                              const char *source,
                                              int *plugin_index);

/**
 * Set a plugin option. `key` is either "name" (applies to every loaded
 * plugin that declares the option) or "plugin.name". The value is typed by
 * the option's declared default (integer, number, boolean, string).
 * @return ASSAY_OK, or ASSAY_E_USAGE when no plugin declares the option or
 *         the value does not fit its type.
 * Ownership: copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_set_option(assay_engine *e, const char *key,
                                      const char *value);

/** Number of plugins loaded. @since 0.1 */
ASSAY_API int assay_engine_plugin_count(const assay_engine *e);

/**
 * Describe a loaded plugin.
 * Ownership: the returned struct and its strings belong to the engine and
 * stay valid until the engine is freed.
 * @since 0.1
 */
typedef struct assay_plugin_info {
    const char *name;
    const char *version;
    const char *summary;
    const char *path;     /* file it was loaded from, or its chunk name */
    int n_outputs;
    const char *const *output_names;     /* n_outputs entries */
    const int *output_ncolumns;          /* n_outputs entries */
    const char *const *const *output_columns; /* [output][column] */
    int n_options;
    const char *const *option_names;
    const char *const *option_types;     /* "integer", "number", "boolean", "string" */
    const char *const *option_values;    /* current values, as text */
} assay_plugin_info;

ASSAY_API const assay_plugin_info *assay_engine_plugin_info(
    const assay_engine *e, int plugin_index);

/* ===================================================================== */
/* Inputs                                                                */
/* ===================================================================== */

/**
 * Add an input: a file (.txt, .md, .jsonl, .ndjson, .csv, optionally .gz),
 * a directory (walked recursively in sorted order, hidden entries skipped)
 * or "-" for standard input (format sniffed, text by default).
 * Inputs are read in the order they were added, when the engine runs.
 * @return ASSAY_OK or ASSAY_E_NOMEM. Existence is checked when running.
 * Ownership: path is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_add_input(assay_engine *e, const char *path);

/* ===================================================================== */
/* Outputs                                                               */
/* ===================================================================== */

typedef enum assay_value_type {
    ASSAY_NIL = 0,
    ASSAY_INTEGER = 1,
    ASSAY_NUMBER = 2,
    ASSAY_BOOLEAN = 3,
    ASSAY_STRING = 4
} assay_value_type;

typedef struct assay_value {
    assay_value_type type;
    int64_t i;     /* ASSAY_INTEGER, ASSAY_BOOLEAN (0 or 1) */
    double d;      /* ASSAY_NUMBER */
    const char *s; /* ASSAY_STRING: UTF-8, NUL-terminated */
    size_t len;    /* ASSAY_STRING: length in bytes */
} assay_value;

/** One row emitted by a plugin. Ownership: everything is borrowed and valid
 *  only during the callback. */
typedef struct assay_row {
    const char *plugin;           /* plugin name */
    const char *output;           /* output name, e.g. "quotes" */
    const char *doc_id;           /* document, or NULL for finish() rows */
    int ncolumns;
    const char *const *columns;   /* declared column names */
    const assay_value *values;    /* ncolumns values */
} assay_row;

/**
 * Row callback: return 0 to continue, non-zero to stop the run (the run then
 * fails with ASSAY_E_USAGE and message "stopped by row callback").
 */
typedef int (*assay_row_fn)(void *userdata, const assay_row *row);

/**
 * Deliver rows to a callback instead of files. Replaces any output
 * directory. Called from the thread that drives the engine, in corpus order.
 * Ownership: userdata is borrowed; it must outlive the run.
 * @since 0.1
 */
ASSAY_API int assay_engine_set_row_callback(assay_engine *e, assay_row_fn fn,
                                            void *userdata);

/**
 * Write each output to DIR/OUTPUT.csv (or .tsv/.jsonl). The directory is
 * created if missing. Files are written to a temporary name and renamed when
 * the run succeeds, so a failed run leaves no truncated output.
 * Passing NULL writes the single output to standard output (it is an error
 * at run time if there are several outputs).
 * Ownership: dir is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_set_output_dir(assay_engine *e, const char *dir);

/**
 * Write a CSV of skipped documents (source, doc_id, where, reason) to path.
 * Ownership: path is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_set_errors_file(assay_engine *e, const char *path);

/** Message callback for warnings and skipped documents (one line each, no
 *  trailing newline). Default: print to standard error. Pass NULL to
 *  silence. @since 0.1 */
typedef void (*assay_message_fn)(void *userdata, const char *line);
ASSAY_API void assay_engine_set_message_callback(assay_engine *e,
                                                 assay_message_fn fn,
                                                 void *userdata);

/* ===================================================================== */
/* Running                                                               */
/* ===================================================================== */

/** Counts kept by a run. documents_read = analysed + skipped. */
typedef struct assay_stats {
    uint64_t documents_read;
    uint64_t documents_analysed;
    uint64_t documents_skipped;
    uint64_t bytes_read;   /* bytes of document text handed to plugins */
    uint64_t rows_written;
    uint64_t warnings;
} assay_stats;

/**
 * Run every plugin over every input, then each plugin's finish().
 * @return ASSAY_OK when every document was analysed; a positive value
 *         (the number of skipped documents) when the run completed but some
 *         documents were skipped; a negative status when the run failed and
 *         no output was committed.
 * @since 0.1
 */
ASSAY_API int assay_engine_run(assay_engine *e);

/**
 * Streaming: begin a run (opens outputs, starts workers, calls init()).
 * Then feed documents with assay_engine_add_document() or
 * assay_engine_feed_input(), and finish with assay_engine_end(), which
 * returns what assay_engine_run() would.
 * @since 0.1
 */
ASSAY_API int assay_engine_begin(assay_engine *e);

/**
 * Feed one in-memory document (only between begin and end).
 * @param id     document id (required).
 * @param text   text bytes; must be UTF-8 (policy "invalid_utf8" applies).
 * @param len    length in bytes.
 * @param meta_keys, meta_values  n_meta metadata pairs (may be NULL if 0).
 *               A "date" key sets the document date.
 * @return ASSAY_OK, or a negative status if the run cannot continue.
 * Ownership: everything is copied before return.
 * @since 0.1
 */
ASSAY_API int assay_engine_add_document(assay_engine *e, const char *id,
                                        const char *text, size_t len,
                                        const char *const *meta_keys,
                                        const char *const *meta_values,
                                        size_t n_meta);

/** Feed every document of one input path (only between begin and end).
 *  @since 0.1 */
ASSAY_API int assay_engine_feed_input(assay_engine *e, const char *path);

/** End a streaming run: merge states, run finish(), commit outputs.
 *  @since 0.1 */
ASSAY_API int assay_engine_end(assay_engine *e);

/**
 * Counts of the current or last run.
 * Ownership: copied into *out.
 * @since 0.1
 */
ASSAY_API void assay_engine_stats(const assay_engine *e, assay_stats *out);

/* ===================================================================== */
/* Progress                                                              */
/* ===================================================================== */

/** What a progress callback receives. Fields may be added at the end in
 *  later versions; the library allocates the struct. */
typedef struct assay_progress {
    uint64_t documents_read;    /* delivered so far (analysed + skipped) */
    uint64_t documents_skipped;
    uint64_t bytes_read;        /* bytes of document text handed to plugins */
    int64_t input_bytes_done;   /* estimated bytes of input files consumed,
                                   -1 when unknown */
    int64_t input_bytes_total;  /* total size of the inputs added with
                                   assay_engine_add_input(), -1 when unknown
                                   (standard input, no inputs) */
    double elapsed;             /* seconds since the run began */
    int done;                   /* 1 on the last call, when the run ends */
} assay_progress;

/** Progress callback; it must not call back into the engine. */
typedef void (*assay_progress_fn)(void *userdata, const assay_progress *p);

/**
 * Report progress during runs. The callback is called on the thread that
 * drives the engine, after documents are delivered, at most once per
 * `interval_ms` milliseconds (0 = every 250 ms; a negative value = after
 * every document), and once more with done = 1 when the run ends (also
 * when it fails). Pass fn = NULL to stop reporting.
 * @return ASSAY_OK, or ASSAY_E_USAGE during a run.
 * Ownership: userdata is borrowed and must outlive the runs; the struct is
 * valid only during the call.
 * @since 0.1
 */
ASSAY_API int assay_engine_set_progress_callback(assay_engine *e,
                                                 assay_progress_fn fn,
                                                 void *userdata,
                                                 int interval_ms);

/* ===================================================================== */
/* Run manifests                                                         */
/* ===================================================================== */

/*
 * A run manifest (docs/cli.md, "Run manifests") is a JSON file recording
 * what a run did so it can be repeated exactly: the assay and Lua
 * versions, each plugin's name, version, path and SHA-256 of its source,
 * every option value, the settings that affect results, every input file
 * with its size and hash (XXH3-128, or SHA-256 with the setting
 * manifest_hash), the counts, rows per output, the start and end time
 * (UTC) and the exit status.
 */

/**
 * Write a manifest to `path` when a run's outputs are committed (when
 * assay_engine_run()/assay_engine_end() returns >= 0). Input files are
 * hashed as the run reads them (the hash is of the bytes the run
 * analysed); a file it did not read to its end is hashed after the run;
 * pipes and standard input are not hashed. Set it before
 * assay_engine_begin(). NULL turns it off (default).
 * If the manifest cannot be written the run returns ASSAY_E_IO (the outputs
 * are already in place).
 * @return ASSAY_OK, ASSAY_E_NOMEM, or ASSAY_E_USAGE during a run.
 * Ownership: path is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_set_manifest(assay_engine *e, const char *path);

/**
 * Write a manifest for the run as configured now, without running it: no
 * counts, no times of a run (`assay run --manifest-only`). Input files are
 * hashed now. The file is written atomically (temporary name, rename).
 * @return ASSAY_OK, ASSAY_E_IO, ASSAY_E_NOMEM, ASSAY_E_USAGE during a run.
 * Ownership: path is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_write_manifest(assay_engine *e, const char *path);

/** Flags for assay_engine_load_manifest(). @since 0.1 */
#define ASSAY_MANIFEST_FORCE 1 /* warn instead of failing on a changed
                                  plugin or input */

/**
 * Configure an engine with no plugins and no inputs yet from a manifest:
 * engine settings, plugins (by recorded path; a bundled plugin whose path
 * is gone is found by name; plugins loaded from strings are restored from
 * the source kept in the manifest), option values and inputs. Then every
 * plugin's SHA-256, every input file's hash (of the kind the manifest
 * recorded) and the list of files of each directory are compared with the
 * manifest: a difference is an ASSAY_E_IO
 * error naming the file, unless flags has ASSAY_MANIFEST_FORCE, in which
 * case each difference goes to the message callback as a warning. A run
 * that used "trust" is refused unless "trust" is already set on e. The
 * output directory, row callback, errors file and manifest path are not
 * touched; "threads" is restored and may be changed afterwards.
 * @return ASSAY_OK, ASSAY_E_IO (unreadable file, changed input or plugin),
 *         ASSAY_E_PARSE (not a manifest), ASSAY_E_USAGE (engine not empty,
 *         trust needed), ASSAY_E_PLUGIN, ASSAY_E_NOMEM.
 * Ownership: path is copied.
 * @since 0.1
 */
ASSAY_API int assay_engine_load_manifest(assay_engine *e, const char *path,
                                         int flags);

/* ===================================================================== */
/* Reports                                                               */
/* ===================================================================== */

/**
 * Run a report script end to end, as `assay report NAME` does: load the
 * script (a bundled name such as "news", or a path to a .lua file), apply
 * `options` ("KEY=VALUE" for the script's own options, "PLUGIN.KEY=VALUE"
 * for one of its plugins; NULL-terminated, may be NULL), load its plugins,
 * run one pass over the inputs already added with assay_engine_add_input(),
 * write every CSV and manifest.json into `outdir`, then call the script's
 * render() to write its files (report.html) there too.
 * The engine must have no plugin loaded yet; settings (threads, format,
 * trust, ...) apply as for a run.
 * @return as assay_engine_run(); a failing render() is ASSAY_E_PLUGIN
 *         (the CSVs and manifest are kept, the hint says so).
 * Ownership: all strings are copied; the engine keeps the plugins loaded.
 * @since 0.1
 */
ASSAY_API int assay_report_run(assay_engine *e, const char *name,
                               const char *const *options,
                               const char *outdir);

#ifdef __cplusplus
}
#endif
#endif /* ASSAY_H */
