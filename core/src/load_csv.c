/*
 * load_csv.c — CSV and TSV corpora through libcsv's streaming parser.
 * The first record is the header; each later record is a document. Lines
 * are fed to the parser one at a time so every record knows the line it
 * starts on, and completed records wait in a small queue.
 *
 * Malformed input policy: libcsv runs in its lenient (non-strict) mode, so
 * a stray quote inside a field is kept literally. A record whose field
 * count differs from the header is skipped and reported. A quoted field
 * left open at the end of the file swallows the lines after it; that
 * record is reported (with the line range it covered) rather than emitted.
 * A record growing past max_doc_bytes (usually an unbalanced quote) is
 * reported, and parsing restarts on the next line.
 *
 * Speed: a line that starts a record, has no CR and no field opening with
 * a quote is split here exactly as libcsv would split it (fields trimmed
 * of spaces, and of tabs when tab is not the delimiter; inner quotes
 * literal), with memchr instead of libcsv's byte-at-a-time state machine;
 * every other line goes through libcsv.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "loader.h"
#include "loader_int.h"
#include "utf8.h"

/* libcsv's parser states (libcsv.c keeps them private; the struct member
 * is public): between records, and a field in progress. */
#define CSV_ROW_NOT_BEGUN 0
#define CSV_FIELD_BEGUN 2

typedef struct record {
    char **f;       /* fields, each NUL-terminated */
    size_t *len;
    size_t n, cap;
    size_t bytes;   /* total field bytes */
    long long line; /* line where the record starts */
    long long recno;/* 0 = header, data records from 1 */
} record;

typedef struct csv_state {
    asy_load_base b; /* first: see loader_int.h */
    struct csv_parser p;
    unsigned char delim;
    record cur;
    record *q;      /* completed records, q[qhead..qlen) pending */
    size_t qhead, qlen, qcap;
    char **head;    /* header names (cleaned UTF-8) */
    size_t nhead;
    long text_col, id_col, date_col;
    long long rec_start; /* line where the record in progress began, or -1 */
    long long nrec;      /* records completed or dropped so far */
    int eof, oom;
} csv_state;

static const char *const csv_ext[] = {".csv", NULL};
static const char *const tsv_ext[] = {".tsv", NULL};

/* ==================================================================== */
/* Records and the queue                                                */
/* ==================================================================== */

static void record_free(record *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->f[i]);
    free(r->f);
    free(r->len);
    memset(r, 0, sizeof *r);
}

static int record_add(record *r, const void *p, size_t n)
{
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 8;
        char **f = realloc(r->f, nc * sizeof *f);
        if (f)
            r->f = f;
        size_t *l = realloc(r->len, nc * sizeof *l);
        if (l)
            r->len = l;
        if (!f || !l)
            return -1;
        r->cap = nc;
    }
    char *c = malloc(n + 1);
    if (!c)
        return -1;
    if (n)
        memcpy(c, p, n);
    c[n] = '\0';
    r->f[r->n] = c;
    r->len[r->n++] = n;
    r->bytes += n;
    return 0;
}

static void on_field(void *p, size_t n, void *ud)
{
    csv_state *s = ud;
    if (record_add(&s->cur, p ? p : "", p ? n : 0) < 0)
        s->oom = 1;
}

static void on_record(int c, void *ud)
{
    (void)c;
    csv_state *s = ud;
    if (s->qlen == s->qcap) {
        size_t nc = s->qcap ? s->qcap * 2 : 4;
        record *q = realloc(s->q, nc * sizeof *q);
        if (!q) {
            s->oom = 1;
            record_free(&s->cur);
            return;
        }
        s->q = q;
        s->qcap = nc;
    }
    s->cur.line = s->rec_start;
    s->cur.recno = s->nrec++;
    s->q[s->qlen++] = s->cur;
    memset(&s->cur, 0, sizeof s->cur);
    s->rec_start = -1;
}

/* Take the oldest completed record; 0 if none. */
static int dequeue(csv_state *s, record *out)
{
    if (s->qhead == s->qlen) {
        s->qhead = s->qlen = 0;
        return 0;
    }
    *out = s->q[s->qhead++];
    return 1;
}

/* ==================================================================== */
/* Feeding lines                                                        */
/* ==================================================================== */

static int reset_parser(csv_state *s)
{
    csv_free(&s->p);
    record_free(&s->cur);
    s->rec_start = -1;
    if (csv_init(&s->p, CSV_APPEND_NULL) != 0)
        return -1;
    csv_set_delim(&s->p, s->delim);
    return 0;
}

static int is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t')
            return 0;
    return 1;
}

static void where_rec(char *buf, size_t size, long long recno,
                      long long line)
{
    snprintf(buf, size, "record %lld (line %lld)", recno, line);
}

/* Drop the record in progress (too long / unterminated) with a report. */
static int drop_current(csv_state *s, const char *why)
{
    char where[96], id[1200];
    long long line = s->rec_start >= 0 ? s->rec_start
                                       : asy_source_lineno(s->b.src);
    where_rec(where, sizeof where, s->nrec++, line);
    snprintf(id, sizeof id, "%s#%lld", s->b.display, line);
    asy_report_skip(s->b.rep, asy_source_path(s->b.src), id, where, "%s", why);
    return reset_parser(s);
}

static int nomem(asy_error *err)
{
    return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
}

/* End of input: a quoted field still open means an unbalanced quote. */
static int finish(csv_state *s, asy_error *err)
{
    s->eof = 1;
    if (s->p.pstate == CSV_FIELD_BEGUN && s->p.quoted) {
        char why[200];
        snprintf(why, sizeof why, "unterminated quoted field: lines %lld to "
                 "%lld were read as one record and skipped",
                 s->rec_start, asy_source_lineno(s->b.src));
        if (drop_current(s, why) < 0)
            return nomem(err);
        return 0;
    }
    csv_fini(&s->p, on_field, on_record, s);
    return s->oom ? nomem(err) : 0;
}

static int too_long(csv_state *s, asy_error *err)
{
    char why[200];
    snprintf(why, sizeof why, "record is larger than max_doc_bytes (%zu), "
             "perhaps an unbalanced quote; raise max_doc_bytes if it is "
             "genuine", s->b.o->max_doc_bytes);
    asy_error_clear(err);
    return drop_current(s, why) < 0 ? nomem(err) : 0;
}

static int is_trim(const csv_state *s, char c)
{
    return c == ' ' || (c == '\t' && s->delim != '\t');
}

/* The libcsv result for a record of unquoted fields on one line: 1 when
 * done (or out of memory: s->oom), 0 when the line needs the real parser
 * (a field opening with a quote, a CR, a record in progress). A quote
 * inside an unquoted field is literal for libcsv too. */
static int fast_line(csv_state *s, const char *line, size_t len)
{
    if (s->p.pstate != CSV_ROW_NOT_BEGUN || is_blank(line, len) ||
        memchr(line, '\r', len))
        return 0;
    const char *p = line, *end = line + len;
    for (;;) {
        const char *q = memchr(p, s->delim, (size_t)(end - p));
        const char *a = p, *z = q ? q : end;
        while (a < z && is_trim(s, *a))
            a++;
        if (a < z && *a == '"') { /* quoted: undo, libcsv decides */
            record_free(&s->cur);
            return 0;
        }
        while (z > a && is_trim(s, z[-1]))
            z--;
        if (record_add(&s->cur, a, (size_t)(z - a)) < 0) {
            s->oom = 1;
            return 1;
        }
        if (!q)
            break;
        p = q + 1;
    }
    on_record(0, s);
    return 1;
}

/* Feed one more line. 1 = fed, 0 = end of input, < 0 = fatal. */
static int feed_line(csv_state *s, asy_error *err)
{
    const char *line;
    size_t len;
    size_t max = s->b.o->max_doc_bytes;
    int rc = asy_source_getline(s->b.src, &line, &len, max, err);
    if (rc == ASSAY_E_LIMIT)
        return too_long(s, err) < 0 ? ASSAY_E_NOMEM : 1;
    if (rc < 0)
        return rc;
    if (rc == 0)
        return finish(s, err) < 0 ? ASSAY_E_NOMEM : 0;
    if (s->rec_start < 0 && !is_blank(line, len))
        s->rec_start = asy_source_lineno(s->b.src);
    if (fast_line(s, line, len))
        return s->oom ? nomem(err) : 1;
    if (csv_parse(&s->p, line, len, on_field, on_record, s) != len ||
        csv_parse(&s->p, "\n", 1, on_field, on_record, s) != 1 || s->oom)
        return nomem(err);
    if (max && s->cur.bytes + s->p.entry_pos > max)
        return too_long(s, err) < 0 ? ASSAY_E_NOMEM : 1;
    return 1;
}

/* Next completed record. 1 = got one, 0 = end, < 0 = fatal. */
static int next_record(csv_state *s, record *out, asy_error *err)
{
    while (!dequeue(s, out)) {
        if (s->eof)
            return 0;
        int rc = feed_line(s, err);
        if (rc < 0)
            return rc;
    }
    return 1;
}

/* ==================================================================== */
/* Header                                                               */
/* ==================================================================== */

static long find_col(const csv_state *s, const char *name)
{
    for (size_t i = 0; i < s->nhead; i++)
        if (strcmp(s->head[i], name) == 0)
            return (long)i;
    return -1;
}

/* Header names are cleaned (BOM from spreadsheet exports, Latin-1). */
static int take_header(csv_state *s, record *h)
{
    s->head = calloc(h->n ? h->n : 1, sizeof *s->head);
    if (!s->head)
        return -1;
    s->nhead = h->n;
    for (size_t i = 0; i < h->n; i++)
        if (asy_text_clean(h->f[i], h->len[i], s->b.o->latin1, &s->head[i],
                           NULL, NULL) < 0)
            return -1;
    s->text_col = find_col(s, s->b.o->text_field);
    s->id_col = find_col(s, s->b.o->id_field);
    s->date_col = find_col(s, s->b.o->date_field);
    return 0;
}

static int missing_text(csv_state *s, asy_error *err)
{
    asy_buf cols = ASY_BUF_INIT;
    for (size_t i = 0; i < s->nhead && cols.len < 400; i++)
        asy_buf_printf(&cols, "%s'%s'", i ? ", " : "", s->head[i]);
    const char *path = asy_source_path(s->b.src);
    asy_error_set(err, ASSAY_E_PARSE, "'%s' has no column '%s'; its header "
                  "has %s", path, s->b.o->text_field,
                  cols.data ? cols.data : "no columns");
    asy_error_at(err, path, 1, -1);
    asy_error_hint(err, "set text_field to the column holding the text");
    asy_buf_free(&cols);
    return ASSAY_E_PARSE;
}

static int read_header(csv_state *s, asy_error *err)
{
    record h;
    int rc = next_record(s, &h, err);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        asy_report_warn(s->b.rep, asy_source_path(s->b.src), s->b.display, "",
                        "empty file: no header, no documents");
        return 0;
    }
    rc = take_header(s, &h);
    record_free(&h);
    if (rc < 0)
        return nomem(err);
    return s->text_col < 0 ? missing_text(s, err) : 0;
}

/* ==================================================================== */
/* Format vtable                                                        */
/* ==================================================================== */

static void csv_close_state(void *st)
{
    csv_state *s = st;
    if (!s)
        return;
    record r;
    while (dequeue(s, &r))
        record_free(&r);
    free(s->q);
    record_free(&s->cur);
    for (size_t i = 0; i < s->nhead; i++)
        free(s->head[i]);
    free(s->head);
    csv_free(&s->p);
    asy_load_state_free(s);
}

static int open_delim(void **state, asy_source *src, const char *display,
                      const asy_input_opts *o, const asy_report *rep,
                      unsigned char delim, asy_error *err)
{
    *state = NULL;
    csv_state *s = asy_load_state_new(sizeof *s, src, display, o, rep, err);
    if (!s)
        return ASSAY_E_NOMEM;
    if (csv_init(&s->p, CSV_APPEND_NULL) != 0) {
        asy_load_state_free(s);
        return nomem(err);
    }
    csv_set_delim(&s->p, delim);
    s->delim = delim;
    s->rec_start = -1;
    int rc = read_header(s, err);
    if (rc < 0) {
        csv_close_state(s);
        return rc;
    }
    *state = s;
    return ASSAY_OK;
}

static int csv_open_fmt(void **state, asy_source *src, const char *display,
                        const asy_input_opts *o, const asy_report *rep,
                        asy_error *err)
{
    return open_delim(state, src, display, o, rep, CSV_COMMA, err);
}

static int tsv_open_fmt(void **state, asy_source *src, const char *display,
                        const asy_input_opts *o, const asy_report *rep,
                        asy_error *err)
{
    return open_delim(state, src, display, o, rep, CSV_TAB, err);
}

/* ==================================================================== */
/* Record -> document                                                   */
/* ==================================================================== */

/* Clean field i through the shared policy into d->text (the text field
 * itself, or a scratch pass for the id and metadata). 1/0/<0 as
 * asy_load_text_into. */
static int load_field(csv_state *s, asy_doc *d, const record *r, size_t i,
                      const char *where, asy_error *err)
{
    char prefix[700];
    snprintf(prefix, sizeof prefix, "%s, field '%s'", where, s->head[i]);
    return asy_load_text_into(d, r->f[i], r->len[i], s->b.o, s->b.rep, 0, prefix,
                              err);
}

static int set_id(asy_doc *d)
{
    if (d->len == 0)
        return 0; /* empty id: keep path#line */
    free(d->id);
    d->id = d->text;
    d->text = strdup("");
    d->len = 0;
    return d->text ? 0 : -1;
}

/* The text field, handed over to the document (no copy when it is
 * clean UTF-8); the record no longer owns it. */
static int take_text_field(csv_state *s, asy_doc *d, record *r, size_t i,
                           const char *where, asy_error *err)
{
    char prefix[700];
    snprintf(prefix, sizeof prefix, "%s, field '%s'", where, s->head[i]);
    char *f = r->f[i];
    r->f[i] = NULL;
    return asy_load_text_owned(d, f, r->len[i], s->b.o, s->b.rep, 0, prefix,
                               err);
}

static int fill_doc(csv_state *s, asy_doc *d, record *r,
                    const char *where, asy_error *err)
{
    int rc = 1;
    if (s->id_col >= 0) {
        rc = load_field(s, d, r, (size_t)s->id_col, where, err);
        if (rc > 0 && set_id(d) < 0)
            rc = nomem(err);
    }
    for (size_t i = 0; rc > 0 && i < r->n; i++) {
        if ((long)i == s->text_col || (long)i == s->id_col)
            continue;
        rc = load_field(s, d, r, i, where, err);
        const char *key = (long)i == s->date_col ? "date" : s->head[i];
        if (rc > 0 && (long)i == s->date_col && d->len == 0)
            continue;
        if (rc > 0 && asy_meta_set_string(&d->meta, key, d->text, d->len) < 0)
            rc = nomem(err);
    }
    if (rc > 0)
        rc = take_text_field(s, d, r, (size_t)s->text_col, where, err);
    return rc;
}

static int make_doc(csv_state *s, record *r, asy_doc **out,
                    asy_error *err)
{
    char where[96], id[1200];
    where_rec(where, sizeof where, r->recno, r->line);
    snprintf(id, sizeof id, "%s#%lld", s->b.display, r->line);
    if (r->n != s->nhead) {
        asy_report_skip(s->b.rep, asy_source_path(s->b.src), id, where,
                        "%zu field%s, header has %zu", r->n,
                        r->n == 1 ? "" : "s", s->nhead);
        return 0;
    }
    asy_doc *d = asy_doc_new(id, asy_source_path(s->b.src));
    if (!d)
        return nomem(err);
    int rc = fill_doc(s, d, r, where, err);
    if (rc <= 0) {
        asy_doc_free(d);
        return rc;
    }
    *out = d;
    return 1;
}

static int csv_next(void *st, asy_doc **out, asy_error *err)
{
    csv_state *s = st;
    *out = NULL;
    if (!s->head)
        return 0; /* empty file */
    for (;;) {
        record r;
        int rc = next_record(s, &r, err);
        if (rc <= 0)
            return rc;
        rc = make_doc(s, &r, out, err);
        record_free(&r);
        if (rc != 0)
            return rc;
    }
}

const asy_format asy_format_csv = {
    "csv", csv_ext, csv_open_fmt, csv_next, csv_close_state,
};

const asy_format asy_format_tsv = {
    "tsv", tsv_ext, tsv_open_fmt, csv_next, csv_close_state,
};
