/*
 * loader.c — from input paths to documents: the format registry, the text
 * cleaning policy every format shares (invalid UTF-8, NUL bytes, size
 * cap), and the reader that walks a file, a directory (recursively, in
 * bytewise sorted order, hidden entries skipped) or standard input.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dirlist.h"
#include "loader.h"
#include "loader_int.h"
#include "utf8.h"

/* ==================================================================== */
/* Registry and options                                                 */
/* ==================================================================== */

static const asy_format *const formats[] = {
    &asy_format_text, &asy_format_jsonl, &asy_format_csv, &asy_format_tsv,
};

static int ends_with(const char *s, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

const asy_format *asy_format_for_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (ends_with(base, n, ".gz"))
        n -= 3;
    for (size_t f = 0; f < sizeof formats / sizeof *formats; f++)
        for (const char *const *e = formats[f]->extensions; *e; e++)
            if (n > strlen(*e) && ends_with(base, n, *e))
                return formats[f];
    return NULL;
}

void asy_input_opts_default(asy_input_opts *o)
{
    o->text_field = "text";
    o->id_field = "id";
    o->date_field = "date";
    o->latin1 = 0;
    o->invalid_utf8 = ASY_UTF8_REPLACE;
    o->max_doc_bytes = 268435456;
}

/* ==================================================================== */
/* Reporting                                                            */
/* ==================================================================== */

void *asy_load_state_new(size_t size, asy_source *src, const char *display,
                         const asy_input_opts *o, const asy_report *rep,
                         asy_error *err)
{
    asy_load_base *b = calloc(1, size);
    if (!b || !(b->display = strdup(display))) {
        free(b);
        asy_source_close(src);
        asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        return NULL;
    }
    b->src = src;
    b->o = o;
    b->rep = rep;
    return b;
}

void asy_load_state_free(void *state)
{
    asy_load_base *b = state;
    if (!b)
        return;
    asy_source_close(b->src);
    free(b->display);
    free(b);
}

char *asy_strdup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

void asy_report_skip(const asy_report *rep, const char *source,
                     const char *doc_id, const char *where,
                     const char *fmt, ...)
{
    if (!rep || !rep->skip)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rep->skip(rep->ud, source, doc_id, where ? where : "", msg);
}

void asy_report_warn(const asy_report *rep, const char *source,
                     const char *doc_id, const char *where,
                     const char *fmt, ...)
{
    if (!rep || !rep->warn)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rep->warn(rep->ud, source, doc_id, where ? where : "", msg);
}

void asy_report_too_big(const asy_report *rep, const char *source,
                        const char *doc_id, const char *where,
                        long long size, size_t max)
{
    if (size >= 0)
        asy_report_skip(rep, source, doc_id, where,
                        "document is %lld bytes, larger than max_doc_bytes "
                        "(%zu); raise max_doc_bytes to read it", size, max);
    else
        asy_report_skip(rep, source, doc_id, where,
                        "document is larger than max_doc_bytes (%zu); raise "
                        "max_doc_bytes to read it", max);
}

/* ==================================================================== */
/* Text cleaning policy                                                 */
/* ==================================================================== */

static void where_at(char *buf, size_t size, const char *prefix,
                     long long byte)
{
    if (prefix && *prefix)
        snprintf(buf, size, "%s, byte %lld", prefix, byte);
    else
        snprintf(buf, size, "byte %lld", byte);
}

/* Apply the invalid-UTF-8 policy. Returns 1 keep, 0 skipped, < 0 fatal. */
static int invalid_policy(asy_doc *d, const asy_input_opts *o,
                          const asy_report *rep, const asy_clean_report *cr,
                          long long at, const char *prefix, asy_error *err)
{
    char where[512];
    where_at(where, sizeof where, prefix, at);
    if (o->invalid_utf8 == ASY_UTF8_REPLACE) {
        asy_report_warn(rep, d->source, d->id, where,
                        "invalid UTF-8 (%zu sequence%s replaced by U+FFFD)",
                        cr->invalid, cr->invalid == 1 ? "" : "s");
        return 1;
    }
    if (o->invalid_utf8 == ASY_UTF8_SKIP) {
        asy_report_skip(rep, d->source, d->id, where,
                        "invalid UTF-8 at byte %lld", at);
        return 0;
    }
    asy_error_set(err, ASSAY_E_ENCODING, "invalid UTF-8 in '%s' at %s",
                  d->source, where);
    asy_error_at(err, d->source, -1, prefix && *prefix ? -1 : at);
    asy_error_doc(err, d->id);
    asy_error_hint(err, "set invalid_utf8=replace (or skip) to carry on, or "
                        "encoding=latin-1 if the file is ISO-8859-1");
    return ASSAY_E_ENCODING;
}

/* The end of asy_load_text_into/_owned: the cleaned text (owned) becomes
 * the document's, unless it holds a NUL or invalid UTF-8 the policy
 * rejects. */
static int take_cleaned(asy_doc *d, char *text, size_t n,
                        const asy_clean_report *c, const asy_input_opts *o,
                        const asy_report *rep, long long base_offset,
                        const char *where_prefix, asy_error *err)
{
    asy_clean_report cr = *c;
    if (cr.first_nul >= 0) {
        char where[512];
        long long at = base_offset + cr.first_nul;
        where_at(where, sizeof where, where_prefix, at);
        asy_report_skip(rep, d->source, d->id, where,
                        "binary content (NUL byte at byte %lld)", at);
        free(text);
        return 0;
    }
    if (cr.invalid) {
        int r = invalid_policy(d, o, rep, &cr, base_offset + cr.first_invalid,
                               where_prefix, err);
        if (r <= 0) {
            free(text);
            return r;
        }
    }
    asy_doc_take_text(d, text, n);
    return 1;
}

/* asy_load_text_into and _owned: `owned` is raw when the caller hands
 * the buffer over, else NULL. */
static int load_text(asy_doc *d, char *owned, const char *raw, size_t len,
                     const asy_input_opts *o, const asy_report *rep,
                     long long base_offset, const char *where_prefix,
                     asy_error *err)
{
    if (o->max_doc_bytes && len > o->max_doc_bytes) {
        free(owned);
        asy_report_too_big(rep, d->source, d->id, where_prefix,
                           (long long)len, o->max_doc_bytes);
        return 0;
    }
    char *text;
    size_t n;
    asy_clean_report cr;
    int rc = owned ? asy_text_clean_owned(owned, len, o->latin1, &text, &n, &cr)
                   : asy_text_clean(raw, len, o->latin1, &text, &n, &cr);
    if (rc < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory cleaning "
                             "document '%s'", d->id);
    return take_cleaned(d, text, n, &cr, o, rep, base_offset, where_prefix,
                        err);
}

int asy_load_text_into(asy_doc *d, const char *raw, size_t len,
                       const asy_input_opts *o, const asy_report *rep,
                       long long base_offset, const char *where_prefix,
                       asy_error *err)
{
    return load_text(d, NULL, raw, len, o, rep, base_offset, where_prefix,
                     err);
}

int asy_load_text_owned(asy_doc *d, char *raw, size_t len,
                        const asy_input_opts *o, const asy_report *rep,
                        long long base_offset, const char *where_prefix,
                        asy_error *err)
{
    return load_text(d, raw, raw, len, o, rep, base_offset, where_prefix,
                     err);
}

/* ==================================================================== */
/* Directory listing                                                    */
/* ==================================================================== */

typedef struct level {
    char *rel;         /* directory relative to the root, "" for the root */
    asy_dirent *ents;  /* sorted entries, hidden ones removed */
    size_t n, i;
} level;

/* ==================================================================== */
/* What was read (asy_report.read)                                      */
/* ==================================================================== */

/* Start hashing a source just opened, when the report asks for it. */
static void hash_begin(const asy_report *rep, asy_source *src)
{
    if (rep && rep->read)
        asy_source_hash_begin(src, rep->hash);
}

/* Report a format's file as read, if it was read whole: before the format
 * closes it (its state starts with an asy_load_base). A gzip file that
 * changed while it was read is hashed by the manifest as it is then: the
 * warning says the record is not of what was read. */
static void report_read(const asy_report *rep, void *state)
{
    asy_source *src = ((asy_load_base *)state)->src;
    char hex[ASY_FILEHASH_HEX];
    unsigned long long size;
    if (!rep || !rep->read)
        return;
    int r = asy_source_hash_end(src, hex, &size);
    if (r > 0)
        rep->read(rep->read_ud, asy_source_path(src), hex, size);
    else if (r < 0)
        asy_report_warn(rep, asy_source_path(src), "", "",
                        "changed while it was read: the manifest records it "
                        "as it is at the end of the run");
}

/* ==================================================================== */
/* Reader                                                               */
/* ==================================================================== */

enum { R_FILE, R_DIR, R_STDIN };

struct asy_reader {
    char *root;
    int kind;
    asy_input_opts opts;
    asy_report rep;
    const asy_format *fmt; /* format of the file being read, if any */
    void *state;
    int defer;             /* yield text files pending (asy_reader_defer) */
    asy_doc *ready;        /* a pending document visit() made */
    level *stack;
    size_t depth, cap;
};

static int grow_stack(asy_reader *r)
{
    if (r->depth < r->cap)
        return 0;
    size_t nc = r->cap ? r->cap * 2 : 8;
    level *p = realloc(r->stack, nc * sizeof *p);
    if (!p)
        return -1;
    r->stack = p;
    r->cap = nc;
    return 0;
}

/* List directory root/rel and push it on the walk stack. */
static int push_level(asy_reader *r, const char *rel, asy_error *err)
{
    char *dir = *rel ? asy_dirlist_join(r->root, rel) : strdup(r->root);
    level lv = {strdup(rel), NULL, 0, 0};
    if (!dir || !lv.rel || grow_stack(r) < 0) {
        free(dir);
        free(lv.rel);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    if (asy_dirlist_read(dir, &lv.ents, &lv.n) < 0) {
        int saved = errno;
        int code = saved == ENOMEM ? ASSAY_E_NOMEM : ASSAY_E_IO;
        if (*rel && saved == ENOENT) { /* gone since its parent was listed */
            asy_report_skip(&r->rep, dir, rel, "", "%s",
                            asy_errno_text(saved));
            code = ASSAY_OK;
        } else {
            asy_error_set(err, code, "cannot read directory '%s': %s", dir,
                          asy_errno_text(saved));
            asy_error_at(err, dir, -1, -1);
        }
        free(dir);
        free(lv.rel);
        return code;
    }
    free(dir);
    r->stack[r->depth++] = lv;
    return ASSAY_OK;
}

static void pop_level(asy_reader *r)
{
    level *lv = &r->stack[--r->depth];
    asy_dirlist_free(lv->ents, lv->n);
    free(lv->rel);
}

static void close_current(asy_reader *r)
{
    if (r->state) {
        report_read(&r->rep, r->state);
        r->fmt->close(r->state);
    }
    r->state = NULL;
}

/* Open path with format f under the given id base. The format's open
 * takes the source even when it fails. */
static int start_file(asy_reader *r, const asy_format *f, asy_source *src,
                      const char *display, asy_error *err)
{
    r->fmt = f;
    return f->open(&r->state, src, display, &r->opts, &r->rep, err);
}

/* The stdin format: '{' as first non-blank byte means JSON Lines. */
static const asy_format *sniff(asy_source *src)
{
    const char *p;
    size_t n = asy_source_peek(src, &p, 4096);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r')
            continue;
        return p[i] == '{' ? &asy_format_jsonl : &asy_format_text;
    }
    return &asy_format_text;
}

static int open_single(asy_reader *r, const char *path, asy_error *err)
{
    asy_source *src;
    int rc = asy_source_open(&src, path, err);
    if (rc < 0)
        return rc;
    hash_begin(&r->rep, src);
    const asy_format *f;
    if (r->kind == R_STDIN)
        f = sniff(src);
    else if (!(f = asy_format_for_path(path)))
        f = &asy_format_text; /* an explicit file of unknown type: text */
    return start_file(r, f, src, path, err);
}

int asy_reader_open(asy_reader **out, const char *path,
                    const asy_input_opts *o, const asy_report *rep,
                    asy_error *err)
{
    *out = NULL;
    asy_reader *r = calloc(1, sizeof *r);
    if (!r || !(r->root = strdup(path))) {
        free(r);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    r->opts = *o;
    if (rep)
        r->rep = *rep;
    struct stat st;
    int rc;
    if (strcmp(path, "-") == 0) {
        r->kind = R_STDIN;
        rc = open_single(r, path, err);
    } else if (stat(path, &st) != 0) {
        rc = asy_error_set(err, ASSAY_E_IO, "cannot open '%s': %s", path,
                           asy_errno_text(errno));
        asy_error_at(err, path, -1, -1);
    } else if (S_ISDIR(st.st_mode)) {
        r->kind = R_DIR;
        rc = push_level(r, "", err);
    } else {
        r->kind = R_FILE;
        rc = open_single(r, path, err);
    }
    if (rc < 0) {
        asy_reader_close(r);
        return rc;
    }
    *out = r;
    return ASSAY_OK;
}

/* How a warning names an entry that is no regular file. */
static const char *odd_name(asy_entry_kind k)
{
    switch (k) {
    case ASY_ENTRY_PIPE:
        return "a named pipe";
    case ASY_ENTRY_SOCKET:
        return "a socket";
    case ASY_ENTRY_DEVICE:
        return "a device";
    default:
        return "a special file";
    }
}

/* One directory entry d, at rel: descend, open, or report why not.
 * Returns 1 when a file was opened, 0 to go on, < 0 fatal. Opening a
 * named pipe would wait for a writer for ever; a link that cannot be
 * followed is opened, for the open to say why it cannot be read. */
static int visit(asy_reader *r, const char *rel, const asy_dirent *d,
                 asy_error *err)
{
    char *full = asy_dirlist_join(r->root, rel);
    if (!full)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    int rc = 0;
    const asy_format *f = asy_format_for_path(rel);
    asy_entry_kind k = asy_dirlist_kind(full, d);
    if (k == ASY_ENTRY_GONE) {
        asy_report_skip(&r->rep, full, rel, "", "%s", asy_errno_text(errno));
    } else if (k == ASY_ENTRY_DIR) {
        rc = push_level(r, rel, err);
    } else if (k == ASY_ENTRY_LINK_DIR) {
        asy_report_warn(&r->rep, full, rel, "", "ignored: symbolic link to a "
                        "directory (not followed)");
    } else if (!f) {
        asy_report_warn(&r->rep, full, rel, "", "ignored: unknown file type");
    } else if (k != ASY_ENTRY_FILE && k != ASY_ENTRY_BROKEN) {
        asy_report_warn(&r->rep, full, rel, "", "ignored: %s, not a regular "
                        "file", odd_name(k));
    } else if (r->defer && f == &asy_format_text) {
        /* the id and source text_next would give it */
        if (!(r->ready = asy_doc_new(rel, full)))
            rc = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        else
            r->ready->pending = rc = 1;
    } else {
        asy_source *src;
        asy_error local;
        if (asy_source_open_file(&src, full, &local) < 0) {
            asy_report_skip(&r->rep, full, rel, "", "%s", local.message);
        } else {
            hash_begin(&r->rep, src);
            rc = start_file(r, f, src, rel, err);
            rc = rc < 0 ? rc : 1;
        }
    }
    free(full);
    return rc;
}

/* Advance the walk to the next file that opens. 1 opened, 0 end, < 0. */
static int next_file(asy_reader *r, asy_error *err)
{
    while (r->depth > 0) {
        level *lv = &r->stack[r->depth - 1];
        if (lv->i == lv->n) {
            pop_level(r);
            continue;
        }
        const asy_dirent *d = &lv->ents[lv->i++];
        char *rel = asy_dirlist_join(lv->rel, d->name);
        if (!rel)
            return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        int rc = visit(r, rel, d, err);
        free(rel);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* One damaged file (corrupt gzip, read error) must not hide the rest of a
 * directory: report it as skipped (under `name` when the error names no
 * file) and go on with the walk. Encoding failures under the "fail"
 * policy and out-of-memory still stop: 0 then. */
static int skip_damaged(const asy_report *rep, int rc, const asy_error *err,
                        const char *name)
{
    if (rc == ASSAY_E_ENCODING || rc == ASSAY_E_NOMEM)
        return 0;
    char where[64] = "";
    if (err && err->line >= 0)
        snprintf(where, sizeof where, "line %lld", err->line);
    else if (err && err->byte >= 0)
        snprintf(where, sizeof where, "byte %lld", err->byte);
    asy_report_skip(rep, err && err->file[0] ? err->file : name, "", where,
                    "%s", err ? err->message : "read error");
    return 1;
}

static int file_error_in_dir(asy_reader *r, int rc, const asy_error *err)
{
    return r->kind == R_DIR && skip_damaged(&r->rep, rc, err, r->root);
}

int asy_reader_next(asy_reader *r, asy_doc **out, asy_error *err)
{
    *out = NULL;
    for (;;) {
        if (r->state) {
            int rc = r->fmt->next(r->state, out, err);
            if (rc == 1)
                return 1;
            close_current(r);
            if (rc < 0 && !file_error_in_dir(r, rc, err))
                return rc;
        }
        if (r->kind != R_DIR)
            return 0;
        int rc = next_file(r, err);
        if (rc < 0 && file_error_in_dir(r, rc, err))
            continue; /* a file that cannot be opened (a CSV without the
                         text column) or a subdirectory that cannot be
                         listed: reported, and the walk goes on */
        if (rc <= 0)
            return rc;
        if (r->ready) {
            *out = r->ready;
            r->ready = NULL;
            return 1;
        }
    }
}

void asy_reader_defer(asy_reader *r, int on)
{
    r->defer = on;
}

/* What the reader does with a text file in a directory (visit, then
 * text_next, then file_error_in_dir), done later. */
int asy_reader_load_pending(asy_doc **d, const asy_input_opts *o,
                            const asy_report *rep, asy_error *err)
{
    asy_doc *p = *d;
    *d = NULL;
    asy_source *src;
    asy_error local;
    int rc = asy_source_open_file(&src, p->source, &local);
    if (rc < 0) {
        asy_report_skip(rep, p->source, p->id, "", "%s", local.message);
        rc = 0;
    } else {
        void *state;
        hash_begin(rep, src);
        rc = asy_format_text.open(&state, src, p->id, o, rep, err);
        if (rc == ASSAY_OK) {
            rc = asy_format_text.next(state, d, err);
            report_read(rep, state);
            asy_format_text.close(state);
        }
        if (rc < 0 && skip_damaged(rep, rc, err, p->source))
            rc = 0;
    }
    asy_doc_free(p);
    return rc;
}

void asy_reader_close(asy_reader *r)
{
    if (!r)
        return;
    close_current(r);
    asy_doc_free(r->ready);
    while (r->depth > 0)
        pop_level(r);
    free(r->stack);
    free(r->root);
    free(r);
}

/* ==================================================================== */
/* Input size                                                           */
/* ==================================================================== */

static long long dir_size(const char *dir)
{
    asy_dirent *v;
    size_t n;
    if (asy_dirlist_read(dir, &v, &n) < 0)
        return 0;
    long long total = 0;
    for (size_t i = 0; i < n; i++) {
        char *full = asy_dirlist_join(dir, v[i].name);
        struct stat st;
        asy_entry_kind k = full ? asy_dirlist_kind(full, &v[i])
                                : ASY_ENTRY_GONE;
        if (k == ASY_ENTRY_DIR)
            total += dir_size(full);
        else if (k == ASY_ENTRY_FILE && asy_format_for_path(v[i].name) &&
                 stat(full, &st) == 0)
            total += (long long)st.st_size;
        free(full);
    }
    asy_dirlist_free(v, n);
    return total;
}

long long asy_input_size(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0)
        return -1;
    if (S_ISDIR(st.st_mode))
        return dir_size(path);
    return (long long)st.st_size;
}
