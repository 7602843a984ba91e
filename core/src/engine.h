/*
 * engine.h — the engine's internal state, shared by engine.c (settings,
 * plugins, inputs) and engine_run.c (the run loop). Never installed.
 */
#ifndef ASY_ENGINE_H
#define ASY_ENGINE_H

#include <locale.h>
#include <stdint.h>
#include <time.h>

#include "assay.h"
#include "doc.h"
#include "filehash.h"
#include "loader.h"
#include "lua/runtime.h"
#include "par.h"
#include "plugin.h"
#include "rowbuf.h"
#include "sink.h"
#include "status.h"
#include "worker.h"

#define MAX_PRINTED_NOTES 20

/* ===================================================================== */
/* Types                                                                 */
/* ===================================================================== */

typedef struct failure {
    int plugin;
    int code;
    char *message; /* formatted, one line (plus hint) */
} failure;

/* A loader message: a skipped document or a warning. */
typedef struct note {
    int skip; /* 1 = document skipped, 0 = warning */
    char *source, *doc_id, *where, *reason;
} note;

/* One entry of the ordered stream: a document with the rows and failures
 * of its plugins, or loader notes alone (doc NULL), or both: the notes of
 * a pending document the worker read (asy_reader_defer). Notes are
 * delivered first, as the reader would have reported them. */
struct asy_job {
    asy_doc *doc;
    asy_rowbuf *rows; /* one per plugin (outputs are plugin-local) */
    int nrows;
    failure *fails;
    int nfails;
    note *notes;
    int nnotes;
    int lost;         /* a note was lost to lack of memory */
    asy_error *fatal; /* reading the pending document stopped the run */
};

typedef struct plugin_slot {
    asy_plugin_def def;
    int first_sink;       /* index of its first output in e->sinks */
    asy_sink **sinks;     /* e->sinks + first_sink while a run writes files
                             (its rows are then formatted by the workers),
                             else NULL */
    assay_plugin_info info;
    const char **out_names;
    int *out_ncols;
    const char *const **out_cols;
    const char **opt_names, **opt_types, **opt_values;
} plugin_slot;

struct assay_engine {
    asy_error err;
    assay_error_info info;
    /* settings */
    int threads;
    asy_sink_opts sink_opts;
    asy_input_opts in;
    char *text_field, *id_field, *date_field;
    char *plugin_path;
    int trust;
    int pin; /* hold the run's threads each on a processor (thread.h)... */
    size_t mem_limit;
    uint64_t instr_limit;
    char *output_dir;
    char *errors_path;
    assay_row_fn row_fn;
    void *row_ud;
    assay_message_fn msg_fn;
    void *msg_ud;
    /* plugins and inputs */
    plugin_slot *plugins;
    int nplugins;
    char **inputs;
    size_t ninputs;
    /* run state */
    int running;
    int whole; /* ...in assay_engine_run: begin to end in one call, on one
                  thread (the incremental API's may move between threads) */
    int nworkers;
    asy_rt **rts;
    asy_pool *pool;
    asy_par_crew *crew; /* threads for the end's asy_par_run calls, from
                           the drain to the close (held runs only) */
    asy_sink **sinks;
    int nsinks;
    asy_sink *errors_sink;
    assay_value *vals; /* scratch, max columns */
    int maxcols;
    asy_report report;
    assay_stats stats;
    uint64_t seq;
    int fatal;           /* negative status once the run cannot be trusted */
    asy_error fatal_err;
    int input_failures;
    int stopped;
    unsigned long notes_printed;
    /* progress (engine_run.c) */
    assay_progress_fn progress_fn;
    void *progress_ud;
    int progress_ms;
    struct timespec t0;      /* monotonic time at begin */
    double next_progress;    /* elapsed seconds of the next report */
    int64_t in_total;        /* bytes of all inputs, -1 unknown */
    int64_t in_done;         /* bytes of input files finished */
    char *cur_source;        /* file of the last delivered document */
    int64_t cur_size;        /* its size on disk, -1 unknown */
    uint64_t cur_text;       /* text bytes delivered from it */
    /* run manifest (manifest.c) */
    char *manifest_path;
    asy_filehash manifest_hash; /* of its input files (setting manifest_hash) */
    time_t started, finished; /* wall-clock time of begin and end */
    char **fed;              /* paths fed with assay_engine_feed_input */
    size_t nfed;
    struct asy_readlog *readlog; /* files the run read, with their digests,
                                    when it writes a manifest; or NULL */
    uint64_t memory_docs;    /* documents from assay_engine_add_document */
    uint64_t *out_rows;      /* rows per output, indexed like sinks */
    int out_nrows;
    /* the locale (clocale.h) */
    locale_t caller_locale;  /* the caller's, during an entry point */
    int calls;               /* entry points under way (nested) */
};


/* An entry point's start and end (engine.c): the calling thread in the C
 * locale (clocale.h) and back; the caller's locale is kept for the
 * callbacks, which run in it (asy_engine_callback_begin/_end around each,
 * on the calling thread). */
locale_t asy_engine_enter(assay_engine *e);
void asy_engine_leave(assay_engine *e, locale_t was);
locale_t asy_engine_callback_begin(const assay_engine *e);
void asy_engine_callback_end(locale_t c);

/* One line to the engine's message callback (engine_run.c). */
void asy_engine_message(assay_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
