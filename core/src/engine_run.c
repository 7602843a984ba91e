/*
 * engine_run.c — the run loop: begin (workers, init, outputs), feed
 * (documents in, rows out in corpus order), end (merge, finish, commit).
 *
 * Documents are read on the calling thread and handed to the worker pool
 * (worker.c), which gives them back in corpus order. Loader messages
 * (skipped records, warnings) travel through the same ordered stream, so
 * outputs and the errors file are byte-identical for any number of
 * threads. Outputs are committed (renamed into place) only at the end of a
 * run that can be trusted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clocale.h"
#include "engine.h"
#include "manifest.h"
#include "par.h"
#include "tablemem.h"
#include "thread.h"

static const char *const errors_columns[] = {"severity", "source", "doc_id",
                                             "where", "reason"};

/* ===================================================================== */
/* Messages and failures                                                 */
/* ===================================================================== */

void asy_engine_message(assay_engine *e, const char *fmt, ...)
{
    if (!e->msg_fn)
        return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    locale_t c = asy_engine_callback_begin(e);
    e->msg_fn(e->msg_ud, line);
    asy_engine_callback_end(c);
}

/* Record the first fatal error of a run; later ones are consequences. */
static void set_fatal(assay_engine *e, const asy_error *err)
{
    if (e->fatal)
        return;
    e->fatal = err->code < 0 ? err->code : ASSAY_E_USAGE;
    asy_error_copy(&e->fatal_err, err);
}

static void fatal_nomem(assay_engine *e)
{
    asy_error err;
    asy_error_set(&err, ASSAY_E_NOMEM, "out of memory");
    set_fatal(e, &err);
}

/* One skipped document or warning: errors file row + (limited) message. */
static void record_note(assay_engine *e, int skip, const char *source,
                        const char *doc_id, const char *where,
                        const char *reason)
{
    if (e->errors_sink) {
        assay_value v[5];
        const char *s[5] = {skip ? "skipped" : "warning", source, doc_id,
                            where, reason};
        for (int i = 0; i < 5; i++) {
            v[i].type = ASSAY_STRING;
            v[i].s = s[i] ? s[i] : "";
            v[i].len = strlen(v[i].s);
        }
        asy_error err;
        if (asy_sink_write(e->errors_sink, v, &err) < 0)
            set_fatal(e, &err);
    }
    if (e->notes_printed < MAX_PRINTED_NOTES) {
        char doc[600] = "", at[300] = "";
        if (doc_id && *doc_id)
            snprintf(doc, sizeof doc, " (document %s)", doc_id);
        if (where && *where)
            snprintf(at, sizeof at, ", %s", where);
        asy_engine_message(e, "%s %s%s%s: %s", skip ? "skipped" : "warning:",
                     source && *source ? source : "-", at, doc, reason);
    } else if (e->notes_printed == MAX_PRINTED_NOTES) {
        asy_engine_message(e, "further messages suppressed%s",
                     e->errors_path ? "; all of them are in the errors file"
                                    : "; use --errors FILE to list them all");
    }
    e->notes_printed++;
}

/* ===================================================================== */
/* Progress                                                              */
/* ===================================================================== */

static double elapsed(const assay_engine *e)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - e->t0.tv_sec) +
           (double)(now.tv_nsec - e->t0.tv_nsec) / 1e9;
}

/* Total input size for ETAs, only worth a directory walk when someone
 * listens; -1 when unknown (stdin, nothing added). */
static void progress_start(assay_engine *e)
{
    clock_gettime(CLOCK_MONOTONIC, &e->t0);
    /* A run shorter than one interval shows only the final report. */
    e->next_progress = e->progress_ms > 0 ? e->progress_ms / 1000.0 : 0;
    e->in_total = e->ninputs && e->progress_fn ? 0 : -1;
    for (size_t i = 0; i < e->ninputs && e->in_total >= 0; i++) {
        long long n = asy_input_size(e->inputs[i]);
        e->in_total = n < 0 ? -1 : e->in_total + n;
    }
    e->in_done = 0;
    free(e->cur_source);
    e->cur_source = NULL;
    e->cur_size = -1;
    e->cur_text = 0;
}

/* Which file the delivered documents come from. Files finish in corpus
 * order, so the bytes behind us are the sizes of the files we left. */
static void progress_doc(assay_engine *e, const asy_doc *doc)
{
    if (!e->progress_fn || e->in_total < 0)
        return;
    if (!e->cur_source || strcmp(e->cur_source, doc->source) != 0) {
        if (e->cur_size > 0)
            e->in_done += e->cur_size;
        free(e->cur_source);
        e->cur_source = strdup(doc->source);
        struct stat st;
        e->cur_size = e->cur_source && stat(doc->source, &st) == 0
                          ? (int64_t)st.st_size : -1;
        e->cur_text = 0;
    }
    e->cur_text += doc->len;
}

/* Input bytes consumed: finished files plus the text delivered from the
 * current one, capped at its size (text and file bytes differ by JSON
 * escapes, front matter and compression, so this is an estimate). */
static int64_t input_done(const assay_engine *e)
{
    if (e->in_total < 0)
        return -1;
    int64_t cur = 0;
    if (e->cur_size > 0)
        cur = (int64_t)e->cur_text < e->cur_size ? (int64_t)e->cur_text
                                                 : e->cur_size;
    int64_t done = e->in_done + cur;
    return done < e->in_total ? done : e->in_total;
}

/* Rate-limited report; `done` forces the final one. */
static void progress_report(assay_engine *e, int done)
{
    if (!e->progress_fn)
        return;
    double t = elapsed(e);
    if (!done && e->progress_ms >= 0 && t < e->next_progress)
        return;
    e->next_progress = t + e->progress_ms / 1000.0;
    assay_progress p = {e->stats.documents_read, e->stats.documents_skipped,
                        e->stats.bytes_read, input_done(e), e->in_total, t,
                        done};
    if (done && !e->fatal && e->in_total >= 0)
        p.input_bytes_done = e->in_total;
    locale_t c = asy_engine_callback_begin(e);
    e->progress_fn(e->progress_ud, &p);
    asy_engine_callback_end(c);
}

/* ===================================================================== */
/* Jobs                                                                  */
/* ===================================================================== */

static void job_free(asy_job *job)
{
    if (!job)
        return;
    asy_doc_free(job->doc);
    for (int i = 0; i < job->nrows; i++)
        asy_rowbuf_free(&job->rows[i]);
    /* a document job's rows share its block (push_doc) */
    for (int i = 0; i < job->nfails; i++)
        free(job->fails[i].message);
    free(job->fails);
    for (int i = 0; i < job->nnotes; i++) {
        free(job->notes[i].source);
        free(job->notes[i].doc_id);
        free(job->notes[i].where);
        free(job->notes[i].reason);
    }
    free(job->notes);
    free(job->fatal);
    free(job);
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

/* Append a loader note to a job; -1 when out of memory (nothing added). */
static int add_note(asy_job *job, int skip, const char *source,
                    const char *doc_id, const char *where, const char *reason)
{
    note *v = realloc(job->notes, (size_t)(job->nnotes + 1) * sizeof *v);
    if (!v)
        return -1;
    job->notes = v;
    note n = {skip, dup0(source), dup0(doc_id), dup0(where), dup0(reason)};
    if (!n.source || !n.doc_id || !n.where || !n.reason) {
        free(n.source);
        free(n.doc_id);
        free(n.where);
        free(n.reason);
        return -1;
    }
    job->notes[job->nnotes++] = n;
    return 0;
}

/* Queue a loader note (skip or warning) into the ordered stream. */
static void push_note(assay_engine *e, int skip, const char *source,
                      const char *doc_id, const char *where,
                      const char *reason)
{
    asy_job *job = calloc(1, sizeof *job);
    if (!job || add_note(job, skip, source, doc_id, where, reason) < 0) {
        free(job);
        fatal_nomem(e);
        return;
    }
    asy_pool_push(e->pool, job, 0);
}

/* Stop the run at this point of the ordered stream: the documents queued
 * before it are analysed and delivered first, as with -j 1, so that what a
 * failed run reports (rows analysed, errors noted) is the same for any
 * -j. Then nothing more is read: the drain delivers it before returning. */
static void push_fatal(assay_engine *e, const asy_error *err)
{
    asy_job *job = calloc(1, sizeof *job);
    if (job && (job->fatal = malloc(sizeof *job->fatal)) != NULL) {
        asy_error_copy(job->fatal, err);
        if (asy_pool_push(e->pool, job, 0) == 0) {
            asy_pool_drain(e->pool);
            return;
        }
    }
    job_free(job);
    set_fatal(e, err);
}

static void on_skip(void *ud, const char *source, const char *doc_id,
                    const char *where, const char *reason)
{
    push_note(ud, 1, source, doc_id, where, reason);
}

static void on_warn(void *ud, const char *source, const char *doc_id,
                    const char *where, const char *message)
{
    push_note(ud, 0, source, doc_id, where, message);
}

/* The report of a pending document's load, on a worker: its notes go
 * with its job. */
static void job_skip(void *ud, const char *source, const char *doc_id,
                     const char *where, const char *reason)
{
    asy_job *job = ud;
    if (add_note(job, 1, source, doc_id, where, reason) < 0)
        job->lost = 1;
}

static void job_warn(void *ud, const char *source, const char *doc_id,
                     const char *where, const char *message)
{
    asy_job *job = ud;
    if (add_note(job, 0, source, doc_id, where, message) < 0)
        job->lost = 1;
}

static void add_failure(asy_job *job, int plugin, const asy_error *err)
{
    failure *f = realloc(job->fails, (size_t)(job->nfails + 1) * sizeof *f);
    if (!f)
        return; /* the doc still counts as skipped via nfails below */
    job->fails = f;
    char buf[2048];
    f[job->nfails].plugin = plugin;
    f[job->nfails].code = err->code;
    f[job->nfails].message = strdup(asy_error_format(err, buf, sizeof buf));
    job->nfails++;
}

/* Worker side: read a pending document. 1 when there is one to analyse. */
static int load_pending(assay_engine *e, asy_job *job)
{
    asy_report rep = {job_skip, job_warn, job, e->report.read,
                      e->report.read_ud, e->report.hash};
    asy_error err;
    asy_error_clear(&err);
    uint64_t seq = job->doc->seq; /* the loaded document replaces it */
    int rc = asy_reader_load_pending(&job->doc, &e->in, &rep, &err);
    if (job->doc)
        job->doc->seq = seq;
    if (rc < 0 && (job->fatal = malloc(sizeof *job->fatal)) != NULL)
        asy_error_copy(job->fatal, &err);
    else if (rc < 0)
        job->lost = 1;
    return rc > 0;
}

/* Worker side: every plugin's document() on one document. */
static void process_job(void *ud, int worker, asy_job *job)
{
    assay_engine *e = ud;
    int own = job->doc->pending; /* this thread allocates its text */
    if (own && !load_pending(e, job))
        return;
    asy_rt *rt = e->rts[worker];
    for (int p = 0; p < e->nplugins; p++) {
        if (!e->plugins[p].def.has_document)
            continue;
        asy_error err;
        asy_error_clear(&err);
        if (asy_rt_document(rt, p, job->doc, &job->rows[p], &err) < 0)
            add_failure(job, p, &err);
    }
    /* Delivery needs the id, source and length, not the text: a text
     * this thread read is freed now, for the next one it reads, rather
     * than when the document reaches the head of the stream. (Texts the
     * feeding thread made are freed there: freeing them here would
     * contend for its malloc arena.) */
    if (own)
        asy_doc_drop_text(job->doc);
}

/* ===================================================================== */
/* Delivery (calling thread, corpus order)                               */
/* ===================================================================== */

/* asy_rowbuf.format for a plugin whose outputs are files: the row in its
 * output's format, on the worker thread (the writer's settings are fixed
 * once the run has opened it). */
static int format_row(void *ud, int output, const assay_value *vals, int n,
                      asy_buf *out)
{
    const plugin_slot *ps = ud;
    if (!ps->sinks || output < 0 || output >= ps->def.noutputs ||
        n != ps->def.outputs[output].ncols)
        return 0; /* typed, and checked again at delivery */
    return asy_csvout_format(asy_sink_writer(ps->sinks[output]), vals, out) < 0
               ? -1 : 1;
}

/* Rows of plugin p go formatted to its files when it has them. */
static void bind_rows(assay_engine *e, asy_rowbuf *rows, int p)
{
    rows->format = e->plugins[p].sinks ? format_row : NULL;
    rows->format_ud = &e->plugins[p];
}

static int deliver_rows(assay_engine *e, const asy_rowbuf *rows, int plugin,
                        const char *doc_id)
{
    asy_rowbuf_iter it;
    asy_rowbuf_iter_init(&it, rows);
    int out, n;
    while (asy_rowbuf_next(&it, &out, e->vals, e->maxcols, &n)) {
        plugin_slot *ps = &e->plugins[plugin];
        if (out < 0 || out >= ps->def.noutputs)
            continue;
        asy_output_def *od = &ps->def.outputs[out];
        for (int i = n; i < od->ncols; i++)
            e->vals[i].type = ASSAY_NIL;
        e->stats.rows_written += it.rows;
        if (ps->first_sink + out < e->out_nrows)
            e->out_rows[ps->first_sink + out] += it.rows;
        asy_error err;
        if (it.raw) { /* formatted by the worker (format_row), or a block */
            if (asy_sink_write_raw(e->sinks[ps->first_sink + out], it.raw,
                                   it.rawlen, it.rows, &err) < 0) {
                set_fatal(e, &err);
                return -1;
            }
            continue;
        }
        if (e->row_fn) {
            assay_row row = {ps->def.name, od->name, doc_id, od->ncols,
                             (const char *const *)od->columns, e->vals};
            locale_t c = asy_engine_callback_begin(e);
            int stop = e->row_fn(e->row_ud, &row);
            asy_engine_callback_end(c);
            if (stop != 0) {
                e->stopped = 1;
                return -1;
            }
            continue;
        }
        if (asy_sink_write(e->sinks[ps->first_sink + out], e->vals, &err) < 0) {
            set_fatal(e, &err);
            return -1;
        }
    }
    return 0;
}

static int deliver_doc(assay_engine *e, asy_job *job)
{
    e->stats.documents_read++;
    e->stats.bytes_read += job->doc->len;
    progress_doc(e, job->doc);
    int rc = 0;
    for (int p = 0; p < job->nrows && rc == 0; p++)
        rc = deliver_rows(e, &job->rows[p], p, job->doc->id);
    if (job->nfails) {
        e->stats.documents_skipped++;
        for (int i = 0; i < job->nfails; i++) {
            char where[300];
            snprintf(where, sizeof where, "plugin %s, document()",
                     e->plugins[job->fails[i].plugin].def.name);
            record_note(e, 1, job->doc->source, job->doc->id, where,
                        job->fails[i].message ? job->fails[i].message
                                              : "plugin error");
        }
    } else {
        e->stats.documents_analysed++;
    }
    return rc;
}

static void deliver_note(assay_engine *e, const note *n)
{
    if (n->skip) {
        e->stats.documents_read++;
        e->stats.documents_skipped++;
    } else {
        e->stats.warnings++;
    }
    record_note(e, n->skip, n->source, n->doc_id, n->where, n->reason);
}

static int deliver_job(void *ud, asy_job *job)
{
    assay_engine *e = ud;
    int rc = 0;
    for (int i = 0; i < job->nnotes; i++)
        deliver_note(e, &job->notes[i]);
    if (job->lost)
        fatal_nomem(e);
    if (job->fatal)
        set_fatal(e, job->fatal);
    if (job->doc && !e->fatal && !e->stopped)
        rc = deliver_doc(e, job);
    job_free(job);
    progress_report(e, 0);
    return rc;
}

/* ===================================================================== */
/* Begin: runtimes, init(), outputs                                       */
/* ===================================================================== */

/* 0: the processors this thread may use, as nproc counts them (under
 * taskset or a batch system's CPU set, fewer than the machine has). */
static int resolve_threads(int n)
{
    if (n > 0)
        return n;
    int c = asy_thread_cpus();
    return c > 256 ? 256 : c;
}

static int new_runtimes(assay_engine *e)
{
    e->rts = calloc((size_t)e->nworkers, sizeof *e->rts);
    if (!e->rts)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    char **dirs = asy_plugin_dirs(e->plugin_path);
    int rc = ASSAY_OK;
    for (int w = 0; w < e->nworkers && rc == ASSAY_OK; w++) {
        asy_rt_config cfg = {e->trust, e->mem_limit, e->instr_limit, w,
                             e->nworkers, e->output_dir, dirs, &e->in};
        e->rts[w] = asy_rt_new(&cfg, &e->err);
        if (!e->rts[w]) {
            rc = e->err.code < 0 ? e->err.code : ASSAY_E_NOMEM;
            break;
        }
        for (int p = 0; p < e->nplugins && rc == ASSAY_OK; p++)
            rc = asy_rt_add_plugin(e->rts[w], &e->plugins[p].def, &e->err);
    }
    asy_strv_free(dirs);
    return rc;
}

/* Every output name must be unique across plugins (one file each). */
static int check_outputs(assay_engine *e)
{
    e->nsinks = 0;
    e->maxcols = 5;
    for (int p = 0; p < e->nplugins; p++) {
        asy_plugin_def *d = &e->plugins[p].def;
        e->plugins[p].first_sink = e->nsinks;
        for (int o = 0; o < d->noutputs; o++) {
            if (d->outputs[o].ncols > e->maxcols)
                e->maxcols = d->outputs[o].ncols;
            for (int q = 0; q <= p; q++) {
                asy_plugin_def *d2 = &e->plugins[q].def;
                int lim = q == p ? o : d2->noutputs;
                for (int k = 0; k < lim; k++)
                    if (strcmp(d2->outputs[k].name, d->outputs[o].name) == 0)
                        return asy_error_set(&e->err, ASSAY_E_USAGE,
                            "plugins '%s' and '%s' both write an output "
                            "named '%s'", d2->name, d->name,
                            d->outputs[o].name);
            }
        }
        e->nsinks += d->noutputs;
    }
    free(e->out_rows);
    e->out_nrows = 0;
    e->out_rows = calloc((size_t)(e->nsinks ? e->nsinks : 1),
                         sizeof *e->out_rows);
    if (!e->out_rows)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    e->out_nrows = e->nsinks;
    return ASSAY_OK;
}

static int stdout_check(assay_engine *e)
{
    if (e->row_fn || e->output_dir || e->nsinks == 1)
        return ASSAY_OK;
    asy_buf names = ASY_BUF_INIT;
    for (int p = 0; p < e->nplugins; p++)
        for (int o = 0; o < e->plugins[p].def.noutputs; o++)
            asy_buf_printf(&names, "%s%s", names.len ? ", " : "",
                           e->plugins[p].def.outputs[o].name);
    asy_error_set(&e->err, ASSAY_E_USAGE,
                  "the plugins write %d outputs (%s); standard output can "
                  "carry only one", e->nsinks, names.data ? names.data : "");
    asy_error_hint(&e->err, "give an output directory with -o DIR");
    asy_buf_free(&names);
    return ASSAY_E_USAGE;
}

static int open_sinks(assay_engine *e)
{
    e->vals = calloc((size_t)e->maxcols, sizeof *e->vals);
    if (!e->vals)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    if (e->errors_path) {
        int rc = asy_sink_open(&e->errors_sink, NULL, "errors",
                               e->errors_path, &e->sink_opts, errors_columns,
                               5, &e->err);
        if (rc < 0)
            return rc;
    }
    if (e->row_fn)
        return ASSAY_OK;
    e->sinks = calloc((size_t)e->nsinks, sizeof *e->sinks);
    if (!e->sinks)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    for (int p = 0; p < e->nplugins; p++) {
        asy_plugin_def *d = &e->plugins[p].def;
        for (int o = 0; o < d->noutputs; o++) {
            int rc = asy_sink_open(&e->sinks[e->plugins[p].first_sink + o],
                                   e->output_dir, d->outputs[o].name, NULL,
                                   &e->sink_opts,
                                   (const char *const *)d->outputs[o].columns,
                                   d->outputs[o].ncols, &e->err);
            if (rc < 0)
                return rc;
        }
        e->plugins[p].sinks = e->sinks + e->plugins[p].first_sink;
    }
    return ASSAY_OK;
}

static void close_run(assay_engine *e, int commit);

static void forget_fed(assay_engine *e)
{
    for (size_t i = 0; i < e->nfed; i++)
        free(e->fed[i]);
    free(e->fed);
    e->fed = NULL;
    e->nfed = 0;
}

static int do_begin(assay_engine *e)
{
    asy_error_clear(&e->err);
    if (e->running)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "a run is in progress");
    if (e->nplugins == 0)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "no plugin loaded");
    memset(&e->stats, 0, sizeof e->stats);
    e->fatal = 0;
    e->stopped = 0;
    e->input_failures = 0;
    e->notes_printed = 0;
    e->seq = 0;
    e->memory_docs = 0;
    forget_fed(e);
    e->started = time(NULL);
    e->finished = 0;
    progress_start(e);
    asy_error_clear(&e->fatal_err);
    e->report = (asy_report){on_skip, on_warn, e, NULL, NULL, 0};
    /* The loader hashes what it reads for the manifest: no second read. */
    asy_readlog_free(e->readlog);
    e->readlog = e->manifest_path ? asy_readlog_new(e->manifest_hash) : NULL;
    if (e->readlog)
        e->report = (asy_report){on_skip, on_warn, e, asy_readlog_add,
                                 e->readlog, e->manifest_hash};
    e->nworkers = resolve_threads(e->threads);
    e->running = 1;
    int rc = check_outputs(e);
    if (rc == ASSAY_OK)
        rc = stdout_check(e);
    if (rc == ASSAY_OK)
        rc = new_runtimes(e);
    if (rc == ASSAY_OK)
        rc = open_sinks(e);
    if (rc == ASSAY_OK) {
        /* this thread is the last of the workers (worker.h) */
        e->pool = asy_pool_new(e->nworkers - 1, 4 * e->nworkers + 4,
                               process_job, deliver_job, e,
                               e->pin && e->whole);
        if (!e->pool)
            rc = asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    }
    if (rc < 0) {
        asy_error saved;
        asy_error_copy(&saved, &e->err);
        close_run(e, 0);
        asy_error_copy(&e->err, &saved);
    }
    return rc;
}

int assay_engine_begin(assay_engine *e)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_begin(e);
    asy_engine_leave(e, was);
    return rc;
}

/* ===================================================================== */
/* Feeding documents                                                     */
/* ===================================================================== */

_Static_assert(sizeof(asy_job) % _Alignof(asy_rowbuf) == 0,
               "push_doc puts a job's rows right after it");

/* Take ownership of doc and queue it. */
static int push_doc(assay_engine *e, asy_doc *doc)
{
    /* One block, the job then its rows: one allocation per document
     * fewer (alignment: see the assertion above). */
    asy_job *job = calloc(1, sizeof *job +
                                 (size_t)e->nplugins * sizeof *job->rows);
    if (!job) {
        asy_doc_free(doc);
        fatal_nomem(e);
        return ASSAY_E_NOMEM;
    }
    job->rows = (asy_rowbuf *)(void *)(job + 1);
    job->nrows = e->nplugins;
    for (int p = 0; p < e->nplugins; p++)
        bind_rows(e, &job->rows[p], p);
    job->doc = doc;
    doc->seq = e->seq++;
    asy_pool_push(e->pool, job, 1);
    return ASSAY_OK;
}

static int feed_status(assay_engine *e)
{
    if (asy_pool_failed(e->pool) && !e->fatal && e->stopped) {
        asy_error err;
        asy_error_set(&err, ASSAY_E_USAGE, "stopped by row callback");
        set_fatal(e, &err);
    }
    if (!e->fatal)
        return ASSAY_OK;
    asy_error_copy(&e->err, &e->fatal_err);
    return e->fatal;
}

static int do_add_document(assay_engine *e, const char *id, const char *text,
                           size_t len, const char *const *keys,
                           const char *const *values, size_t n_meta)
{
    asy_error_clear(&e->err);
    if (!e->running)
        return asy_error_set(&e->err, ASSAY_E_USAGE,
                             "assay_engine_add_document outside begin/end");
    if (!id || (!text && len))
        return asy_error_set(&e->err, ASSAY_E_USAGE, "id and text required");
    asy_doc *d = asy_doc_new(id, "<memory>");
    if (!d)
        return fatal_nomem(e), feed_status(e);
    for (size_t i = 0; i < n_meta; i++)
        if (keys[i] && values[i] &&
            asy_meta_set_string(&d->meta, keys[i], values[i],
                                strlen(values[i])) < 0) {
            asy_doc_free(d);
            return fatal_nomem(e), feed_status(e);
        }
    asy_error err;
    asy_error_clear(&err);
    int rc = asy_load_text_into(d, text ? text : "", len, &e->in, &e->report,
                                0, "", &err);
    if (rc <= 0) {
        asy_doc_free(d);
        if (rc < 0)
            set_fatal(e, &err);
        return feed_status(e);
    }
    e->memory_docs++;
    push_doc(e, d);
    return feed_status(e);
}

int assay_engine_add_document(assay_engine *e, const char *id,
                              const char *text, size_t len,
                              const char *const *keys,
                              const char *const *values, size_t n_meta)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_add_document(e, id, text, len, keys, values, n_meta);
    asy_engine_leave(e, was);
    return rc;
}

/* The manifest lists the paths a run actually read. */
static void remember_fed(assay_engine *e, const char *path)
{
    char **v = realloc(e->fed, (e->nfed + 1) * sizeof *v);
    if (v)
        e->fed = v;
    if (!v || !(v[e->nfed] = strdup(path)))
        fatal_nomem(e);
    else
        e->nfed++;
}

/* An input that ends early (I/O error, corrupt gzip) is reported and the
 * run goes on with the next input: the run's exit status says so. */
static void input_failed(assay_engine *e, const char *path, asy_error *err)
{
    char where[64] = "";
    if (err->line >= 0)
        snprintf(where, sizeof where, "line %lld", err->line);
    else if (err->byte >= 0)
        snprintf(where, sizeof where, "byte %lld", err->byte);
    e->input_failures++;
    push_note(e, 1, err->file[0] ? err->file : path, "", where,
              err->message);
}

static int do_feed_input(assay_engine *e, const char *path)
{
    asy_error_clear(&e->err);
    if (!e->running)
        return asy_error_set(&e->err, ASSAY_E_USAGE,
                             "assay_engine_feed_input outside begin/end");
    remember_fed(e, path);
    asy_reader *r = NULL;
    asy_error err;
    asy_error_clear(&err);
    if (asy_reader_open(&r, path, &e->in, &e->report, &err) < 0) {
        set_fatal(e, &err);
        return feed_status(e);
    }
    /* Worker threads read text files themselves (with none, this thread
     * reads either way). Not under the "fail" policy: its stop must come
     * before anything later is reported. */
    asy_reader_defer(r, e->nworkers > 1 &&
                            e->in.invalid_utf8 != ASY_UTF8_FAIL);
    asy_doc *d = NULL;
    int rc;
    while (!e->fatal && (rc = asy_reader_next(r, &d, &err)) != 0) {
        if (rc < 0) {
            if (rc == ASSAY_E_ENCODING) /* the "fail" policy */
                push_fatal(e, &err);
            else if (rc == ASSAY_E_NOMEM)
                set_fatal(e, &err);
            else
                input_failed(e, path, &err);
            break;
        }
        push_doc(e, d);
        d = NULL;
        if (asy_pool_failed(e->pool))
            break;
    }
    asy_reader_close(r);
    return feed_status(e);
}

int assay_engine_feed_input(assay_engine *e, const char *path)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_feed_input(e, path);
    asy_engine_leave(e, was);
    return rc;
}

/* ===================================================================== */
/* End: merge, finish, commit                                            */
/* ===================================================================== */

/* Fold every worker's plugin state into worker 0, in worker order. A
 * worker's states are handed over first (its counters moved out whole, the
 * rest as bytes) and its runtime freed before they are merged, so that a
 * large table (n-grams, a vocabulary) is never held twice. (Before, the
 * counters were serialised and loaded again: for a 216,165-word
 * vocabulary, 38 ms and a copy of the table as bytes.) */
static int merge_states(assay_engine *e)
{
    asy_handover *hs = calloc((size_t)e->nplugins, sizeof *hs);
    int rc = hs ? ASSAY_OK
                : asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    for (int w = 1; w < e->nworkers && rc == ASSAY_OK; w++) {
        for (int p = 0; p < e->nplugins && rc == ASSAY_OK; p++)
            rc = asy_rt_save_state(e->rts[w], p, &hs[p], &e->err);
        asy_rt_free(e->rts[w]); /* its work is in hs now */
        e->rts[w] = NULL;
        for (int p = 0; p < e->nplugins && rc == ASSAY_OK; p++)
            rc = asy_rt_merge_state(e->rts[0], p, &hs[p], &e->err);
        for (int p = 0; p < e->nplugins; p++)
            asy_handover_clear(&hs[p]);
    }
    free(hs);
    return rc;
}

/* finish's rows as they come, 256 KB at a time, when they go to the
 * output files: those are committed only if the whole run succeeds, so a
 * finish that fails half-way leaves nothing behind anyway. (Rows for a
 * row callback wait for the end of finish, as document rows do.) */
#define FINISH_SPILL (256u * 1024u)

typedef struct finishing {
    assay_engine *e;
    int plugin;
} finishing;

static int spill_finish(void *ud, const asy_rowbuf *rows)
{
    finishing *f = ud;
    return deliver_rows(f->e, rows, f->plugin, NULL);
}

static int run_finish(assay_engine *e)
{
    asy_rowbuf rows = ASY_ROWBUF_INIT;
    finishing f = {e, 0};
    int rc = ASSAY_OK;
    if (!e->row_fn) {
        rows.spill = spill_finish;
        rows.spill_ud = &f;
        rows.spill_at = FINISH_SPILL;
    }
    for (int p = 0; p < e->nplugins && rc == ASSAY_OK; p++) {
        if (!e->plugins[p].def.has_finish)
            continue;
        asy_rowbuf_clear(&rows);
        bind_rows(e, &rows, p);
        f.plugin = p;
        rc = asy_rt_finish(e->rts[0], p, &rows, &e->err);
        asy_table_trim(); /* what this finish did not take is not kept
                             under the next one */
        if (rc == ASSAY_OK && deliver_rows(e, &rows, p, NULL) < 0)
            rc = e->fatal ? e->fatal : ASSAY_E_USAGE;
    }
    asy_rowbuf_free(&rows);
    return rc;
}

/* Committing is two phases, so that one output failing to reach the disk
 * (a full disk shows up at flush or fsync) leaves none committed. Phase
 * one: every output flushed and fsynced. */
static void finish_sinks(assay_engine *e)
{
    asy_error err;
    for (int i = 0; e->sinks && i < e->nsinks && !e->fatal; i++)
        if (e->sinks[i] && asy_sink_finish(e->sinks[i], &err) < 0)
            set_fatal(e, &err);
}

/* Phase two: every sink committed (renamed into place) when commit and
 * nothing failed, else aborted. */
static void close_sinks(assay_engine *e, int commit)
{
    asy_error err;
    for (int i = 0; e->sinks && i < e->nsinks; i++) {
        if (!e->sinks[i])
            continue;
        if (commit && !e->fatal) {
            if (asy_sink_commit(e->sinks[i], &err) < 0)
                set_fatal(e, &err);
        } else {
            asy_sink_abort(e->sinks[i]);
        }
    }
    free(e->sinks);
    e->sinks = NULL;
    for (int p = 0; p < e->nplugins; p++)
        e->plugins[p].sinks = NULL;
    /* The errors file is kept even when the run failed: it explains why. */
    if (e->errors_sink && asy_sink_commit(e->errors_sink, &err) < 0)
        set_fatal(e, &err);
    e->errors_sink = NULL;
}

static void free_runtimes(assay_engine *e)
{
    for (int w = 0; e->rts && w < e->nworkers; w++)
        asy_rt_free(e->rts[w]);
    free(e->rts);
    e->rts = NULL;
}

typedef struct closing {
    assay_engine *e;
    int commit; /* -1: free the runtimes */
    _Atomic(struct asy_deferred *) *deferred; /* the first done takes it */
} closing;

static void close_part(void *arg)
{
    const closing *c = arg;
    if (c->commit < 0)
        free_runtimes(c->e);
    else
        close_sinks(c->e, c->commit);
    asy_deferred_run(atomic_exchange(c->deferred, NULL));
}

/* Commit or abort every sink, free the runtimes; leaves e->err alone. With
 * threads for the run, the runtimes are freed on one while the sinks are
 * committed on another: neither touches what the other does, and a
 * commit mostly waits for the disk (the rename) while freeing a runtime
 * is all work (a 216,165-word table: 1 to 1.5 ms each, at the end of a
 * run of 150). The frees the main runtime put off (the merged worker's
 * counter, about 1 ms more) go to whichever is done first. The fsyncs
 * come first, alone: beside the thread unmapping the tables, an fsync of
 * a -j 2 wordfreq output took 1.2-1.5 ms instead of 0.4-0.6, and the
 * close 2.8 ms instead of 2.2 (peers text, medians of 11 runs). */
static void close_run(assay_engine *e, int commit)
{
    asy_par_crew_end(e->crew); /* while this thread is held */
    e->crew = NULL;
    asy_pool_free(e->pool);
    e->pool = NULL;
    if (commit)
        finish_sinks(e);
    _Atomic(struct asy_deferred *) deferred =
        e->rts && e->nworkers > 1 ? asy_rt_take_deferred(e->rts[0]) : NULL;
    closing parts[2] = {{e, commit, &deferred}, {e, -1, &deferred}};
    if (e->nworkers > 1) {
        asy_par_run(close_part, parts, sizeof *parts, 2);
    } else {
        close_part(&parts[0]);
        close_part(&parts[1]);
    }
    free(e->vals);
    e->vals = NULL;
    e->running = 0;
}

/* The run's read log, once its manifest is written (or will not be):
 * about 100 bytes a file read. */
static void forget_reads(assay_engine *e)
{
    asy_readlog_free(e->readlog);
    e->readlog = NULL;
    e->report.read = NULL;
    e->report.read_ud = NULL;
}

static int do_end(assay_engine *e)
{
    if (!e->running)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "no run in progress");
    asy_pool_drain(e->pool);
    feed_status(e);
    int rc = e->fatal;
    /* merging the workers' states, sorting, formatting rows: about nine
     * calls of asy_par_run at the end of a -j 2 wordfreq run, each a
     * thread started (par.h) */
    if (rc == ASSAY_OK && e->nworkers > 1)
        e->crew = asy_par_crew_begin(e->nworkers - 1);
    /* the other workers' counters, merged, are freed just before finish
     * sorts the rows: their tables are kept for the sorted entries
     * (tablemem.h) until finish is over */
    int keep = e->nworkers > 1;
    if (keep)
        asy_table_keep(1);
    if (rc == ASSAY_OK)
        rc = merge_states(e);
    if (rc == ASSAY_OK)
        rc = run_finish(e);
    if (keep)
        asy_table_keep(0);
    if (rc < 0 && !e->fatal)
        set_fatal(e, &e->err);
    close_run(e, 1);
    e->finished = time(NULL);
    progress_report(e, 1);
    if (e->fatal) {
        asy_error_copy(&e->err, &e->fatal_err);
        forget_reads(e);
        return e->fatal;
    }
    asy_error_clear(&e->err);
    uint64_t bad = e->stats.documents_skipped;
    if (bad == 0 && e->input_failures)
        bad = (uint64_t)e->input_failures;
    int result = bad > 0x7fffffff ? 0x7fffffff : (int)bad;
    /* The manifest describes committed outputs, so it follows them. */
    if (e->manifest_path &&
        asy_manifest_write(e, e->manifest_path, 1, result, &e->err) < 0)
        result = e->err.code;
    forget_reads(e);
    return result;
}

int assay_engine_end(assay_engine *e)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_end(e);
    asy_engine_leave(e, was);
    return rc;
}

/* ===================================================================== */
/* One-shot run                                                          */
/* ===================================================================== */

/* Missing inputs are usage errors found before anything runs. */
static int check_inputs(assay_engine *e)
{
    for (size_t i = 0; i < e->ninputs; i++) {
        struct stat st;
        if (strcmp(e->inputs[i], "-") == 0 || stat(e->inputs[i], &st) == 0)
            continue;
        asy_error_set(&e->err, ASSAY_E_IO, "cannot read input '%s': %s",
                      e->inputs[i], asy_errno_text(errno));
        asy_error_at(&e->err, e->inputs[i], -1, -1);
        return ASSAY_E_IO;
    }
    if (e->ninputs == 0)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "no input given");
    return ASSAY_OK;
}

static int do_run(assay_engine *e)
{
    int rc = check_inputs(e);
    if (rc < 0)
        return rc;
    e->whole = 1;
    rc = assay_engine_begin(e);
    if (rc >= 0) {
        for (size_t i = 0; i < e->ninputs && !e->fatal; i++)
            assay_engine_feed_input(e, e->inputs[i]);
        rc = assay_engine_end(e);
    }
    e->whole = 0;
    return rc;
}

int assay_engine_run(assay_engine *e)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_run(e);
    asy_engine_leave(e, was);
    return rc;
}
