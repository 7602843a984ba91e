/*
 * manifest.c — writing run manifests (JSON text through jsonw.c: a jansson
 * tree, keys in a fixed order, with the inputs' file lists written from C
 * lists) and reading them back (jansson) to repeat a run exactly.
 * Input files are listed with the loader's directory listing (dirlist.c:
 * sorted bytewise, hidden entries, unknown types and links to directories
 * skipped) and hashed with filehash.c (XXH3-128, or SHA-256 with the
 * setting manifest_hash; plugins' sources always with SHA-256). A run
 * that writes a manifest has the loader hash each file as it reads it
 * (asy_readlog): the manifest records the digest of the bytes the run
 * analysed, and hashes only the files the run did not read whole.
 * Manifests of format 1, whose every file has a SHA-256, are still read
 * and checked.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "clocale.h"
#include "csvout.h"
#include "dirlist.h"
#include "filehash.h"
#include "jsonw.h"
#include "manifest.h"
#include "sha256.h"
#include "sink.h"
#include "strbuf.h"
#include "utf8.h"

/* ===================================================================== */
/* Building JSON                                                         */
/* ===================================================================== */

/* A builder remembers that some allocation failed, so the many small
 * json_*() calls need no individual checks; the result is discarded. */
typedef struct mb {
    int bad;
} mb;

static void put(mb *b, json_t *obj, const char *key, json_t *v)
{
    if (!obj || !v || json_object_set_new(obj, key, v) < 0)
        b->bad = 1;
}

static void push(mb *b, json_t *arr, json_t *v)
{
    if (!arr || !v || json_array_append_new(arr, v) < 0)
        b->bad = 1;
}

/* s as valid UTF-8, as JSON strings must be: bytes that are not (a
 * Latin-1 file name) become U+FFFD; docs/cli.md says such names cannot
 * be rerun. NULL when out of memory. */
static char *utf8_name(const char *s)
{
    size_t n = strlen(s), bad;
    char *clean = NULL;
    if (asy_utf8_valid(s, n, &bad))
        return strdup(s);
    return asy_text_clean(s, n, 0, &clean, NULL, NULL) < 0 ? NULL : clean;
}

static json_t *jstr(const char *s)
{
    if (!s)
        return json_null();
    char *clean = utf8_name(s);
    json_t *j = clean ? json_string(clean) : NULL;
    free(clean);
    return j;
}

static json_t *jint(unsigned long long v)
{
    return json_integer((json_int_t)(v > (unsigned long long)LLONG_MAX
                                         ? LLONG_MAX : v));
}

/* "2024-07-02T10:11:12Z", or null when t is 0 (not run). */
static json_t *jtime(time_t t)
{
    if (!t)
        return json_null();
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) ||
        !strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return json_null();
    return json_string(buf);
}

/* An option's current value, typed as the plugin declared it. */
static json_t *joption(const asy_option *o)
{
    char *end;
    switch (o->type) {
    case ASSAY_INTEGER:
        return json_integer((json_int_t)strtoll(o->value, NULL, 10));
    case ASSAY_NUMBER: {
        double d = strtod(o->value, &end);
        json_t *j = json_real(d); /* NULL for inf/nan: keep the text */
        return j ? j : jstr(o->value);
    }
    case ASSAY_BOOLEAN:
        return json_boolean(strcmp(o->value, "true") == 0);
    default:
        return jstr(o->value);
    }
}

/* ===================================================================== */
/* Engine settings                                                       */
/* ===================================================================== */

static const char *fmt_name(asy_fmt f)
{
    return f == ASY_FMT_TSV ? "tsv" : f == ASY_FMT_JSONL ? "jsonl" : "csv";
}

static const char *policy_name(asy_utf8_policy p)
{
    return p == ASY_UTF8_SKIP ? "skip" : p == ASY_UTF8_FAIL ? "fail"
                                                            : "replace";
}

/* Every setting that can change a result, in assay_engine_set()'s names. */
static json_t *j_settings(mb *b, const assay_engine *e, int ran)
{
    json_t *s = json_object();
    put(b, s, "format", json_string(fmt_name(e->sink_opts.fmt)));
    put(b, s, "bom", json_boolean(e->sink_opts.bom));
    put(b, s, "safe_csv", json_boolean(e->sink_opts.safe));
    put(b, s, "text_field", jstr(e->in.text_field));
    put(b, s, "id_field", jstr(e->in.id_field));
    put(b, s, "date_field", jstr(e->in.date_field));
    put(b, s, "encoding", json_string(e->in.latin1 ? "latin-1" : "utf-8"));
    put(b, s, "invalid_utf8", json_string(policy_name(e->in.invalid_utf8)));
    put(b, s, "max_doc_bytes", jint(e->in.max_doc_bytes));
    put(b, s, "threads", json_integer(e->threads));
    put(b, s, "workers", ran ? json_integer(e->nworkers) : json_null());
    put(b, s, "plugin_path", jstr(e->plugin_path));
    put(b, s, "trust", json_boolean(e->trust));
    put(b, s, "mem_limit_mb", jint(e->mem_limit >> 20));
    put(b, s, "instr_limit", jint(e->instr_limit));
    put(b, s, "manifest_hash",
        json_string(asy_filehash_name(e->manifest_hash)));
    return s;
}

/* ===================================================================== */
/* Plugins                                                               */
/* ===================================================================== */

static int from_string(const asy_plugin_def *d)
{
    return d->chunkname && d->chunkname[0] == '=';
}

static json_t *j_plugin(mb *b, const asy_plugin_def *d)
{
    char hex[ASY_SHA256_HEX];
    asy_sha256_buf(d->source, d->source_len, hex);
    json_t *p = json_object();
    put(b, p, "name", jstr(d->name));
    put(b, p, "version", jstr(d->version));
    put(b, p, "origin", json_string(from_string(d) ? "string" : "file"));
    put(b, p, "path", jstr(d->path));
    put(b, p, "sha256", json_string(hex));
    put(b, p, "source_bytes", jint(d->source_len));
    json_t *opts = json_object();
    for (int i = 0; i < d->noptions; i++)
        put(b, opts, d->options[i].name, joption(&d->options[i]));
    put(b, p, "options", opts);
    json_t *outs = json_array();
    for (int i = 0; i < d->noutputs; i++)
        push(b, outs, jstr(d->outputs[i].name));
    put(b, p, "outputs", outs);
    /* A plugin from a string has no file to find again: keep its code. */
    if (from_string(d))
        put(b, p, "source", jstr(d->source));
    return p;
}

/* ===================================================================== */
/* Input files                                                           */
/* ===================================================================== */

/* Called for each file of a walk; may set *bad to stop the walk. */
typedef void (*visit_fn)(void *ud, int *bad, const char *full,
                         const char *rel);

/* Walk root/rel depth-first in sorted order, visiting every file the
 * loader would read, under the full path the loader opens it by (the
 * read log's key). */
static void walk(int *bad, const char *root, const char *rel, visit_fn fn,
                 void *ud)
{
    char *dir = *rel ? asy_dirlist_join(root, rel) : strdup(root);
    asy_dirent *v = NULL;
    size_t n = 0;
    if (!dir || asy_dirlist_read(dir, &v, &n) < 0) {
        *bad |= errno == ENOMEM || !dir;
        free(dir);
        return;
    }
    for (size_t i = 0; i < n && !*bad; i++) {
        char *r = asy_dirlist_join(rel, v[i].name);
        char *full = r ? asy_dirlist_join(root, r) : NULL;
        asy_entry_kind k = full ? asy_dirlist_kind(full, &v[i])
                                : ASY_ENTRY_GONE;
        if (!full)
            *bad = 1;
        else if (k == ASY_ENTRY_DIR)
            walk(bad, root, r, fn, ud);
        else if (k == ASY_ENTRY_FILE && asy_format_for_path(r))
            fn(ud, bad, full, r);
        /* else not a corpus file, not a regular one, or gone (seen only
         * where the directory gave no type: else it is listed, with the
         * error of its hash) */
        free(full);
        free(r);
    }
    asy_dirlist_free(v, n);
    free(dir);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* ===================================================================== */
/* What the run read: digests taken by the loader as it read each file   */
/* ===================================================================== */

typedef struct read_file {
    char *path; /* as the loader opened it: the walk's root/rel */
    unsigned long long size;
    size_t order; /* of the reports: a path read twice keeps both */
    int used;     /* taken by a manifest entry */
    char hex[ASY_FILEHASH_HEX];
} read_file;

struct asy_readlog {
    pthread_mutex_t lock;
    asy_filehash hash;
    read_file *v;
    size_t n, cap;
    int sorted; /* v sorted by path, for look-ups (after the run) */
};

asy_readlog *asy_readlog_new(asy_filehash hash)
{
    asy_readlog *log = calloc(1, sizeof *log);
    if (!log)
        return NULL;
    if (pthread_mutex_init(&log->lock, NULL) != 0) {
        free(log);
        return NULL;
    }
    log->hash = hash;
    return log;
}

void asy_readlog_free(asy_readlog *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->n; i++)
        free(log->v[i].path);
    free(log->v);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

/* A file left out (out of memory) is hashed again when the manifest is
 * written, as one the run did not read whole. */
void asy_readlog_add(void *ud, const char *path, const char *hex,
                     unsigned long long size)
{
    asy_readlog *log = ud;
    read_file f = {strdup(path), size, 0, 0, {0}};
    if (!f.path || strlen(hex) >= sizeof f.hex) {
        free(f.path);
        return;
    }
    strcpy(f.hex, hex);
    pthread_mutex_lock(&log->lock);
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 256;
        read_file *v = realloc(log->v, cap * sizeof *v);
        if (v) {
            log->v = v;
            log->cap = cap;
        }
    }
    if (log->n < log->cap) {
        f.order = log->n;
        log->v[log->n++] = f;
        f.path = NULL;
        log->sorted = 0;
    }
    pthread_mutex_unlock(&log->lock);
    free(f.path);
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const read_file *)a)->path, ((const read_file *)b)->path);
}

/* By path, then in the order the reads were reported. */
static int cmp_read(const void *a, const void *b)
{
    const read_file *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The run's digest of full, of kind `hash`, if the run read it whole: 1
 * with hex and size set, else 0 (hash it now). The digest is of the bytes
 * the run analysed, even if the file has changed since. A path the run
 * read more than once (an input given twice) has its reads taken in the
 * order they were reported, one per entry, so that a file changed
 * between them is recorded as each read found it. */
static int read_hash(asy_readlog *log, asy_filehash hash, const char *full,
                     char hex[ASY_FILEHASH_HEX], unsigned long long *size)
{
    if (!log || log->hash != hash || log->n == 0)
        return 0;
    if (!log->sorted) {
        qsort(log->v, log->n, sizeof *log->v, cmp_read);
        log->sorted = 1;
    }
    read_file key = {(char *)full, 0, 0, 0, {0}};
    read_file *f = bsearch(&key, log->v, log->n, sizeof *log->v, cmp_path);
    if (!f)
        return 0;
    while (f > log->v && strcmp(f[-1].path, full) == 0)
        f--; /* the first read of full */
    while (f->used && f + 1 < log->v + log->n &&
           strcmp(f[1].path, full) == 0)
        f++; /* the first not taken yet, else the last */
    f->used = 1;
    memcpy(hex, f->hex, ASY_FILEHASH_HEX);
    *size = f->size;
    return 1;
}

/* One file of an input as the manifest lists it. */
typedef struct mfile {
    char *rel;    /* path relative to the input, as valid UTF-8 */
    unsigned long long size;
    char hex[ASY_FILEHASH_HEX]; /* its hash, of the list's kind */
    char *error;  /* why it has none, or NULL */
} mfile;

/* The files of one input, in walk order, hashed with `hash` (taken from
 * the run's read log where it read them). */
typedef struct mlist {
    asy_readlog *log;
    asy_filehash hash;
    mfile *v;
    size_t n, cap;
    unsigned long long total;
    int bad; /* out of memory */
} mlist;

static void mlist_free(mlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].rel);
        free(l->v[i].error);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* The walk's visitor: one file appended to the list. */
static void visit_file(void *ud, int *bad, const char *full, const char *rel)
{
    mlist *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        mfile *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            *bad = l->bad = 1;
            return;
        }
        l->v = v;
        l->cap = cap;
    }
    mfile *f = &l->v[l->n];
    asy_error err;
    memset(f, 0, sizeof *f);
    if (!(f->rel = utf8_name(rel))) {
        *bad = l->bad = 1;
        return;
    }
    l->n++;
    if (read_hash(l->log, l->hash, full, f->hex, &f->size) ||
        asy_filehash_file(l->hash, full, f->hex, &f->size, NULL, &err) ==
            ASSAY_OK)
        l->total += f->size;
    else if (!(f->error = utf8_name(err.message)))
        *bad = l->bad = 1;
}

/* The kind of an input path other than "-": "directory", "file" (a
 * regular file, or one that cannot be stat()ed: its entry says why, and
 * *ok is 0), "pipe" (a named pipe, or a process substitution's /dev/fd/N)
 * or "device"; its stat() in *st. */
static const char *input_kind(const char *path, struct stat *st, int *ok)
{
    *ok = stat(path, st) == 0;
    if (!*ok || S_ISREG(st->st_mode))
        return "file";
    if (S_ISDIR(st->st_mode))
        return "directory";
    return S_ISFIFO(st->st_mode) ? "pipe" : "device";
}

/* Whether an input of this kind is a stream that cannot be hashed. */
static int is_stream(const char *kind)
{
    return strcmp(kind, "pipe") == 0 || strcmp(kind, "device") == 0;
}

/* The files an input of kind `kind` (a directory, or a file) covers,
 * appended to l. */
static void list_input(mlist *l, const char *path, const char *kind)
{
    if (strcmp(kind, "directory") == 0)
        walk(&l->bad, path, "", visit_file, l);
    else
        visit_file(l, &l->bad, path, base_name(path));
}

/* A string member: key and value (NULL: null; as valid UTF-8). */
static void w_str(asy_jsonw *w, const char *key, const char *v, int depth)
{
    asy_jsonw_key(w, key, 0, depth);
    char *clean = v ? utf8_name(v) : NULL;
    if (v && !clean)
        w->bad = 1;
    else if (clean)
        asy_jsonw_string(w, clean, strlen(clean));
    else
        asy_jsonw_raw(w, "null");
    free(clean);
}

/* One file entry at `depth`: path, size and hash under its name, or nulls
 * and the reason. */
static void w_file(asy_jsonw *w, const mfile *f, asy_filehash hash,
                   int depth)
{
    asy_jsonw_raw(w, "{");
    asy_jsonw_key(w, "path", 1, depth + 1);
    asy_jsonw_string(w, f->rel, strlen(f->rel));
    asy_jsonw_key(w, "size", 0, depth + 1);
    if (f->error) {
        asy_jsonw_raw(w, "null");
        asy_jsonw_key(w, asy_filehash_name(hash), 0, depth + 1);
        asy_jsonw_raw(w, "null");
        w_str(w, "error", f->error, depth + 1);
    } else {
        asy_jsonw_uint(w, f->size);
        asy_jsonw_key(w, asy_filehash_name(hash), 0, depth + 1);
        asy_jsonw_string(w, f->hex, strlen(f->hex));
    }
    asy_jsonw_close(w, '}', 0, depth);
}

/* One input at `depth`: its kind, total size and every file it covers,
 * hashed with `hash`. Standard input, pipes and devices are not hashed:
 * their bytes are the run's, and reading them again would take the run's
 * bytes or wait for a writer that is gone. */
static void w_input(asy_jsonw *w, asy_readlog *log, asy_filehash hash,
                    const char *path, int depth)
{
    asy_jsonw_raw(w, "{");
    asy_jsonw_key(w, "path", 1, depth + 1);
    char *clean = utf8_name(path);
    asy_jsonw_string(w, clean ? clean : "", clean ? strlen(clean) : 0);
    w->bad |= !clean;
    free(clean);
    struct stat st;
    int ok;
    const char *kind = strcmp(path, "-") == 0 ? "stdin"
                                              : input_kind(path, &st, &ok);
    w_str(w, "kind", kind, depth + 1);
    if (strcmp(kind, "stdin") == 0 || is_stream(kind)) {
        char why[64];
        snprintf(why, sizeof why, "%s%s, not hashed",
                 is_stream(kind) ? "a " : "", kind);
        asy_jsonw_key(w, "hashed", 0, depth + 1);
        asy_jsonw_raw(w, "false");
        w_str(w, "note", why, depth + 1);
    } else {
        mlist l = {log, hash, NULL, 0, 0, 0, 0};
        list_input(&l, path, kind);
        w->bad |= l.bad;
        asy_jsonw_key(w, "size", 0, depth + 1);
        asy_jsonw_uint(w, l.total);
        asy_jsonw_key(w, "files", 0, depth + 1);
        asy_jsonw_raw(w, "[");
        for (size_t i = 0; i < l.n; i++) {
            asy_jsonw_item(w, i == 0, depth + 2);
            w_file(w, &l.v[i], hash, depth + 2);
        }
        asy_jsonw_close(w, ']', l.n == 0, depth + 1);
        mlist_free(&l);
    }
    asy_jsonw_close(w, '}', 0, depth);
}

/* ===================================================================== */
/* The manifest                                                          */
/* ===================================================================== */

int asy_manifest_exit_status(int status)
{
    if (status >= 0)
        return status > 0 ? 1 : 0;
    return status == ASSAY_E_USAGE ? 2 : 3;
}

static json_t *j_counts(mb *b, const assay_engine *e)
{
    json_t *d = json_object();
    put(b, d, "read", jint(e->stats.documents_read));
    put(b, d, "analysed", jint(e->stats.documents_analysed));
    put(b, d, "skipped", jint(e->stats.documents_skipped));
    put(b, d, "from_memory", jint(e->memory_docs));
    put(b, d, "bytes_read", jint(e->stats.bytes_read));
    put(b, d, "warnings", jint(e->stats.warnings));
    put(b, d, "rows", jint(e->stats.rows_written));
    return d;
}

/* Each output: its plugin, file (or "-" / null for the row callback) and
 * rows delivered in the run. */
static json_t *j_outputs(mb *b, const assay_engine *e, int ran)
{
    json_t *arr = json_array();
    int k = 0;
    for (int p = 0; p < e->nplugins; p++) {
        const asy_plugin_def *d = &e->plugins[p].def;
        for (int o = 0; o < d->noutputs; o++, k++) {
            json_t *out = json_object();
            char file[600];
            snprintf(file, sizeof file, "%s%s", d->outputs[o].name,
                     asy_fmt_extension(e->sink_opts.fmt));
            put(b, out, "plugin", jstr(d->name));
            put(b, out, "output", jstr(d->outputs[o].name));
            put(b, out, "file", e->row_fn ? json_null()
                                : e->output_dir ? jstr(file)
                                                : json_string("-"));
            put(b, out, "rows", ran && k < e->out_nrows
                                    ? jint(e->out_rows[k]) : json_null());
            push(b, arr, out);
        }
    }
    return arr;
}

static json_t *j_status(int ran, int status)
{
    if (!ran)
        return json_string("not run (manifest only)");
    if (status == 0)
        return json_string("ok");
    if (status > 0)
        return json_sprintf("%d documents skipped", status);
    return json_string(assay_strerror(status));
}

static json_t *build(mb *b, assay_engine *e, int ran, int status)
{
    json_t *m = json_object();
    char cwd[PATH_MAX];
    put(b, m, "assay_manifest", json_integer(ASY_MANIFEST_VERSION));
    put(b, m, "assay_version", json_string(assay_version()));
    put(b, m, "lua_version", json_string(asy_rt_lua_version()));
    put(b, m, "ran", json_boolean(ran));
    put(b, m, "started", jtime(ran ? e->started : 0));
    put(b, m, "finished", jtime(ran ? e->finished : 0));
    put(b, m, "written", jtime(time(NULL)));
    put(b, m, "exit_status",
        ran ? json_integer(asy_manifest_exit_status(status)) : json_null());
    put(b, m, "status", j_status(ran, status));
    put(b, m, "working_directory", jstr(getcwd(cwd, sizeof cwd)));
    put(b, m, "settings", j_settings(b, e, ran));
    json_t *plugins = json_array();
    for (int p = 0; p < e->nplugins; p++)
        push(b, plugins, j_plugin(b, &e->plugins[p].def));
    put(b, m, "plugins", plugins);
    put(b, m, "inputs", json_null()); /* written by w_inputs */
    put(b, m, "documents", ran ? j_counts(b, e) : json_null());
    put(b, m, "outputs", j_outputs(b, e, ran));
    put(b, m, "output_dir", e->row_fn ? json_null() : jstr(e->output_dir));
    put(b, m, "errors_file", jstr(e->errors_path));
    return m;
}

/* ===================================================================== */
/* Atomic write                                                          */
/* ===================================================================== */

/* mkdir -p for the directory part of path. */
static int make_parent(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    char *slash = strrchr(p, '/');
    for (char *s = p + 1; slash && s <= slash; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        struct stat st;
        if (stat(p, &st) != 0 && mkdir(p, 0777) < 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    free(p);
    return 0;
}

static int io_fail(asy_error *err, const char *what, const char *path)
{
    asy_error_set(err, ASSAY_E_IO, "cannot %s manifest '%s': %s", what, path,
                  asy_errno_text(errno));
    asy_error_at(err, path, -1, -1);
    return ASSAY_E_IO;
}

/* DIR/.NAME.tmp-PID-N, fsync, rename: never a half-written manifest. N
 * keeps two engines of one process apart. The text is written at once
 * (json_dumpf called fwrite, and took the FILE's lock, for every token). */
static int write_atomic(const char *text, size_t len, const char *path,
                        asy_error *err)
{
    static unsigned long seq;
    char *tmp = NULL;
    const char *base = base_name(path);
    int dirlen = (int)(base - path);
    unsigned long n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);
    if (asprintf(&tmp, "%.*s.%s.tmp-%ld-%lu", dirlen, path, base,
                 (long)getpid(), n) < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (make_parent(path) < 0) {
        free(tmp);
        return io_fail(err, "create the directory of", path);
    }
    /* Created exclusively and listed (sink.h), so an interrupted run
     * removes it too. */
    int fd = asy_tmp_create(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = f ? ASSAY_OK : io_fail(err, "write", path);
    if (!f && fd >= 0) {
        close(fd);
        asy_tmp_discard(tmp);
    }
    if (f) {
        int bad = fwrite(text, 1, len, f) != len || fputc('\n', f) < 0 ||
                  fflush(f) != 0 || fsync(fileno(f)) != 0;
        if (fclose(f) != 0 || bad || asy_tmp_commit(tmp, path) != 0) {
            rc = io_fail(err, "write", path);
            asy_tmp_discard(tmp);
        }
    }
    free(tmp);
    return rc;
}

/* The manifest as text: the tree m in jansson's layout, its "inputs" (a
 * placeholder there) written from the file lists, which for a large
 * corpus are too long to build as a tree first. */
static void render(asy_jsonw *w, json_t *m, assay_engine *e, int ran)
{
    char **paths = ran ? e->fed : e->inputs;
    size_t n = ran ? e->nfed : e->ninputs;
    int first = 1;
    asy_jsonw_raw(w, "{");
    for (void *it = json_object_iter(m); it;
         it = json_object_iter_next(m, it), first = 0) {
        const char *key = json_object_iter_key(it);
        asy_jsonw_key(w, key, first, 1);
        if (strcmp(key, "inputs") == 0) {
            asy_jsonw_raw(w, "[");
            for (size_t i = 0; i < n; i++) {
                asy_jsonw_item(w, i == 0, 2);
                w_input(w, ran ? e->readlog : NULL, e->manifest_hash,
                        paths[i], 2);
            }
            asy_jsonw_close(w, ']', n == 0, 1);
        } else {
            asy_jsonw_value(w, json_object_iter_value(it), 1);
        }
    }
    asy_jsonw_close(w, '}', first, 0);
}

int asy_manifest_write(assay_engine *e, const char *path, int ran,
                       int status, asy_error *err)
{
    mb b = {0};
    asy_jsonw w = {ASY_BUF_INIT, 0};
    json_t *m = build(&b, e, ran, status);
    if (m && !b.bad)
        render(&w, m, e, ran);
    json_decref(m);
    int rc = b.bad || !m || w.bad
                 ? asy_error_set(err, ASSAY_E_NOMEM, "out of memory")
                 : write_atomic(w.out.data, w.out.len, path, err);
    asy_buf_free(&w.out);
    return rc;
}

/* ===================================================================== */
/* Public entry points                                                   */
/* ===================================================================== */

static int do_write_manifest(assay_engine *e, const char *path)
{
    asy_error_clear(&e->err);
    if (e->running)
        return asy_error_set(&e->err, ASSAY_E_USAGE,
                             "cannot write a manifest during a run");
    if (!path)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "manifest path required");
    for (size_t i = 0; i < e->ninputs; i++) {
        struct stat st;
        if (strcmp(e->inputs[i], "-") == 0 || stat(e->inputs[i], &st) == 0)
            continue;
        asy_error_set(&e->err, ASSAY_E_IO, "cannot read input '%s': %s",
                      e->inputs[i], asy_errno_text(errno));
        asy_error_at(&e->err, e->inputs[i], -1, -1);
        return ASSAY_E_IO;
    }
    return asy_manifest_write(e, path, 0, 0, &e->err);
}

int assay_engine_write_manifest(assay_engine *e, const char *path)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_write_manifest(e, path);
    asy_engine_leave(e, was);
    return rc;
}

static int do_load_manifest(assay_engine *e, const char *path, int flags)
{
    asy_error_clear(&e->err);
    if (!path)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "manifest path required");
    return asy_manifest_load(e, path, flags, &e->err);
}

int assay_engine_load_manifest(assay_engine *e, const char *path, int flags)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_load_manifest(e, path, flags);
    asy_engine_leave(e, was);
    return rc;
}

/* ===================================================================== */
/* Reading a manifest back                                               */
/* ===================================================================== */


/* A difference from the manifest: an error, or a warning under --force. */
static int differs(assay_engine *e, int flags, const char *what,
                   asy_error *err)
{
    if (flags & ASSAY_MANIFEST_FORCE) {
        asy_engine_message(e, "warning: %s (rerunning anyway: --force)", what);
        return ASSAY_OK;
    }
    asy_error_set(err, ASSAY_E_IO, "%s", what);
    asy_error_hint(err, "the run cannot be repeated exactly; use --force "
                        "(ASSAY_MANIFEST_FORCE) to rerun anyway");
    return ASSAY_E_IO;
}

static const char *jget_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A JSON scalar as the text assay_engine_set()/set_option() accept. */
static int scalar_text(json_t *v, char *buf, size_t size)
{
    if (json_is_string(v))
        return snprintf(buf, size, "%s", json_string_value(v)) < (int)size
                   ? 0 : -1;
    if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(buf, size, "%.17g", json_real_value(v));
    else if (json_is_boolean(v))
        snprintf(buf, size, "%s", json_is_true(v) ? "true" : "false");
    else
        return -1;
    return 0;
}

static int bad_manifest(asy_error *err, const char *path, const char *what)
{
    asy_error_set(err, ASSAY_E_PARSE, "'%s' is not an assay run manifest: %s",
                  path, what);
    asy_error_at(err, path, -1, -1);
    return ASSAY_E_PARSE;
}

/* Settings first: they decide how plugins load (trust, plugin_path). */
static int load_settings(assay_engine *e, json_t *s, asy_error *err)
{
    static const char *keys[] = {
        "format", "bom", "safe_csv", "text_field", "id_field", "date_field",
        "encoding", "invalid_utf8", "max_doc_bytes", "threads",
        "plugin_path", "mem_limit_mb", "instr_limit", "manifest_hash"};
    if (json_is_true(json_object_get(s, "trust")) && !e->trust) {
        asy_error_set(err, ASSAY_E_USAGE, "the recorded run lifted the "
                      "plugin sandbox (trust)");
        asy_error_hint(err, "pass --trust (setting \"trust\") to rerun it");
        return ASSAY_E_USAGE;
    }
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        json_t *v = json_object_get(s, keys[i]);
        char text[4096];
        if (!v || json_is_null(v))
            continue;
        if (scalar_text(v, text, sizeof text) < 0)
            return asy_error_set(err, ASSAY_E_PARSE,
                                 "manifest setting '%s' has a bad value",
                                 keys[i]);
        int rc = assay_engine_set(e, keys[i], text);
        if (rc < 0)
            return asy_error_copy(err, &e->err), rc;
    }
    return ASSAY_OK;
}

/* Load one plugin as recorded: from its source if it came from a string,
 * else from its path, else (moved installation) by its bundled name. */
static int load_one_plugin(assay_engine *e, json_t *p, asy_error *err)
{
    const char *name = jget_str(p, "name"), *path = jget_str(p, "path");
    const char *origin = jget_str(p, "origin");
    if (!name || !path || !origin)
        return asy_error_set(err, ASSAY_E_PARSE, "manifest plugin entry "
                             "without name, path or origin");
    int rc;
    struct stat st;
    if (strcmp(origin, "string") == 0) {
        const char *src = jget_str(p, "source");
        if (!src)
            return asy_error_set(err, ASSAY_E_PARSE, "plugin '%s' came from "
                                 "a string but the manifest has no source",
                                 name);
        rc = assay_engine_load_plugin_string(e, path, src, NULL);
    } else if (stat(path, &st) == 0) {
        rc = assay_engine_load_plugin(e, path, NULL);
    } else {
        asy_engine_message(e, "warning: plugin file '%s' is gone; looking for the bundled "
                "plugin '%s'", path, name);
        rc = assay_engine_load_plugin(e, name, NULL);
    }
    if (rc < 0)
        asy_error_copy(err, &e->err);
    return rc;
}

static int check_plugin(assay_engine *e, json_t *p, int flags,
                        asy_error *err)
{
    const asy_plugin_def *d = &e->plugins[e->nplugins - 1].def;
    const char *want = jget_str(p, "sha256");
    char hex[ASY_SHA256_HEX];
    asy_sha256_buf(d->source, d->source_len, hex);
    if (want && strcmp(want, hex) == 0)
        return ASSAY_OK;
    char what[2048];
    snprintf(what, sizeof what, "plugin '%s' (%s) has changed since the "
             "manifest was written: SHA-256 %.12s... then, %.12s... now",
             d->name, d->path, want ? want : "(none)", hex);
    return differs(e, flags, what, err);
}

static int set_options(assay_engine *e, json_t *opts, asy_error *err)
{
    asy_plugin_def *d = &e->plugins[e->nplugins - 1].def;
    const char *key;
    json_t *v;
    json_object_foreach(opts, key, v) {
        char text[8192];
        if (scalar_text(v, text, sizeof text) < 0)
            return asy_error_set(err, ASSAY_E_PARSE, "option '%s' of plugin "
                                 "'%s' has a bad value in the manifest", key,
                                 d->name);
        int rc = asy_plugin_def_set_option(d, key, text, err);
        if (rc < 0)
            return rc;
    }
    return ASSAY_OK;
}

static int load_plugins(assay_engine *e, json_t *arr, int flags,
                        asy_error *err)
{
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p) {
        int rc = load_one_plugin(e, p, err);
        if (rc == ASSAY_OK)
            rc = check_plugin(e, p, flags, err);
        if (rc == ASSAY_OK)
            rc = set_options(e, json_object_get(p, "options"), err);
        if (rc < 0)
            return rc;
    }
    return ASSAY_OK;
}

/* The recorded entry a and the file now, b: the same size and hash, or
 * both without (unreadable then and now). */
static int same_file(json_t *a, const mfile *b, asy_filehash hash)
{
    json_t *h = json_object_get(a, asy_filehash_name(hash));
    json_t *size = json_object_get(a, "size");
    if (b->error)
        return json_is_null(h) && json_is_null(size);
    return json_is_string(h) && strcmp(json_string_value(h), b->hex) == 0 &&
           json_is_integer(size) &&
           (unsigned long long)json_integer_value(size) == b->size;
}

/* The hash a manifest's input recorded its files with: `dflt` when the
 * manifest says (settings.manifest_hash: `said`), else the first file
 * entry's, else `dflt` (the format's). */
static asy_filehash recorded_hash(json_t *files, asy_filehash dflt, int said)
{
    if (said)
        return dflt;
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f) {
        if (json_object_get(f, "sha256"))
            return ASY_FILEHASH_SHA256;
        if (json_object_get(f, "xxh3_128"))
            return ASY_FILEHASH_XXH3;
    }
    return dflt;
}

/* Compare the recorded file list of one input with what is there now:
 * the same files (both lists are in walk order), sizes and hashes. Every
 * difference is counted; the error names the first. */
static int compare_files(assay_engine *e, const char *input, json_t *was,
                         const mlist *now, asy_filehash hash, int flags,
                         asy_error *err)
{
    size_t nw = json_array_size(was), nn = now->n;
    size_t i = 0, k = 0, ndiff = 0;
    char what[3072], first[3072] = "";
    while (i < nw || k < nn) {
        json_t *a = json_array_get(was, i);
        const mfile *b = k < nn ? &now->v[k] : NULL;
        const char *pa = a ? jget_str(a, "path") : NULL;
        const char *pb = b ? b->rel : NULL;
        if (a && !pa)
            return asy_error_set(err, ASSAY_E_PARSE, "malformed manifest: "
                                 "input '%s', file entry %zu has no path",
                                 input, i + 1);
        int c = !pa ? 1 : !pb ? -1 : strcmp(pa, pb);
        i += c <= 0;
        k += c >= 0;
        if (c == 0 && same_file(a, b, hash))
            continue;
        if (c < 0)
            snprintf(what, sizeof what, "input '%s': file '%s' is listed in "
                     "the manifest but is missing now", input, pa);
        else if (c > 0)
            snprintf(what, sizeof what, "input '%s': file '%s' is new (not "
                     "in the manifest)", input, pb);
        else
            snprintf(what, sizeof what, "input '%s': file '%s' has changed "
                     "since the manifest was written (size or %s differs)",
                     input, pa, hash == ASY_FILEHASH_SHA256 ? "SHA-256"
                                                             : "XXH3 hash");
        if (flags & ASSAY_MANIFEST_FORCE)
            differs(e, flags, what, err);
        else if (ndiff++ == 0)
            memcpy(first, what, sizeof first);
    }
    /* A message cut at 3 kB is still a message: truncation is fine. */
    if (ndiff > 1 && snprintf(what, sizeof what, "%s; and %zu more change%s",
                              first, ndiff - 1, ndiff > 2 ? "s" : "") < 0)
        ndiff = 1;
    return ndiff ? differs(e, flags, ndiff > 1 ? what : first, err)
                 : ASSAY_OK;
}

static int check_input(assay_engine *e, json_t *in, const char *cwd,
                       asy_filehash dflt, int said, int flags,
                       asy_error *err)
{
    const char *path = jget_str(in, "path");
    const char *kind = jget_str(in, "kind");
    struct stat st;
    if (strcmp(path, "-") == 0) {
        asy_engine_message(e, "warning: standard input was not hashed in the manifest; "
                "it cannot be checked");
        return ASSAY_OK;
    }
    int ok;
    const char *now_kind = input_kind(path, &st, &ok);
    if (!ok) {
        asy_error_set(err, ASSAY_E_IO, "input '%s' of the manifest: %s", path,
                      asy_errno_text(errno));
        asy_error_at(err, path, -1, -1);
        if (path[0] != '/' && cwd)
            asy_error_hint(err, "relative paths are read from the current "
                           "directory; the run was made in %s", cwd);
        return ASSAY_E_IO;
    }
    if (kind && strcmp(kind, now_kind)) {
        char what[2048];
        snprintf(what, sizeof what, "input '%s' was a %s when the manifest "
                 "was written", path, kind);
        return differs(e, flags, what, err);
    }
    if (is_stream(now_kind)) {
        asy_engine_message(e, "warning: input '%s' is a %s, not hashed in "
                           "the manifest; it cannot be checked", path,
                           now_kind);
        return ASSAY_OK;
    }
    json_t *was = json_object_get(in, "files");
    asy_filehash hash = recorded_hash(was, dflt, said);
    mlist now = {NULL, hash, NULL, 0, 0, 0, 0};
    list_input(&now, path, now_kind);
    int rc = now.bad ? asy_error_set(err, ASSAY_E_NOMEM, "out of memory")
                     : compare_files(e, path, was, &now, hash, flags, err);
    mlist_free(&now);
    return rc;
}

static int load_inputs(assay_engine *e, json_t *arr, const char *cwd,
                       asy_filehash dflt, int said, int flags,
                       asy_error *err)
{
    size_t i;
    json_t *in;
    json_array_foreach(arr, i, in) {
        const char *path = jget_str(in, "path");
        if (!path)
            return asy_error_set(err, ASSAY_E_PARSE, "manifest input entry "
                                 "without a path");
        int rc = check_input(e, in, cwd, dflt, said, flags, err);
        if (rc == ASSAY_OK && assay_engine_add_input(e, path) < 0)
            rc = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        if (rc < 0)
            return rc;
    }
    return ASSAY_OK;
}

static void check_versions(assay_engine *e, json_t *m)
{
    const char *av = jget_str(m, "assay_version");
    const char *lv = jget_str(m, "lua_version");
    if (av && strcmp(av, assay_version()) != 0)
        asy_engine_message(e, "warning: the manifest was written by assay %s; this is %s",
             av, assay_version());
    if (lv && strcmp(lv, asy_rt_lua_version()) != 0)
        asy_engine_message(e, "warning: the manifest's run used %s; this assay uses %s", lv,
             asy_rt_lua_version());
}

static int configure(assay_engine *e, json_t *m, const char *path, int flags,
                     asy_error *err)
{
    json_int_t version = json_integer_value(json_object_get(m,
                                                            "assay_manifest"));
    if (version > ASY_MANIFEST_VERSION) {
        char what[128];
        snprintf(what, sizeof what, "its format, %lld, is newer than this "
                 "assay reads (1 to %d)", (long long)version,
                 ASY_MANIFEST_VERSION);
        return bad_manifest(err, path, what);
    }
    if (version < 1)
        return bad_manifest(err, path, "no \"assay_manifest\" format field");
    json_t *plugins = json_object_get(m, "plugins");
    json_t *inputs = json_object_get(m, "inputs");
    json_t *settings = json_object_get(m, "settings");
    if (!json_is_array(plugins) || !json_is_array(inputs) ||
        !json_is_object(settings))
        return bad_manifest(err, path, "settings, plugins or inputs missing");
    check_versions(e, m);
    /* format 1 hashed every file with SHA-256; the rerun's manifest too */
    e->manifest_hash = version == 1 ? ASY_FILEHASH_SHA256 : ASY_FILEHASH_XXH3;
    int rc = load_settings(e, settings, err);
    int said = json_object_get(settings, "manifest_hash") != NULL;
    if (rc == ASSAY_OK)
        rc = load_plugins(e, plugins, flags, err);
    if (rc == ASSAY_OK)
        rc = load_inputs(e, inputs, jget_str(m, "working_directory"),
                         e->manifest_hash, said, flags, err);
    return rc;
}

int asy_manifest_load(assay_engine *e, const char *path, int flags,
                      asy_error *err)
{
    if (e->running || e->nplugins || e->ninputs)
        return asy_error_set(err, ASSAY_E_USAGE, "a manifest configures a "
                             "fresh engine: plugins or inputs are already set");
    json_error_t jerr;
    json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!m) {
        struct stat st;
        if (stat(path, &st) != 0) {
            asy_error_set(err, ASSAY_E_IO, "cannot read manifest '%s': %s",
                          path, asy_errno_text(errno));
            asy_error_at(err, path, -1, -1);
            return ASSAY_E_IO;
        }
        asy_error_set(err, ASSAY_E_PARSE, "manifest '%s': %s", path,
                      jerr.text);
        asy_error_at(err, path, jerr.line, jerr.position);
        return ASSAY_E_PARSE;
    }
    int rc = configure(e, m, path, flags, err);
    json_decref(m);
    return rc;
}
