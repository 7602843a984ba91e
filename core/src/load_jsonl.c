/*
 * load_jsonl.c — JSON Lines corpora (.jsonl, .ndjson): one object per line,
 * read by our own strict parser (jsonl_scan.c), which accepts, rejects and
 * words its errors like jansson but decodes strings in runs. Object members
 * keep record order. A bad line is reported and skipped, never fatal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl_scan.h"
#include "loader.h"
#include "loader_int.h"

typedef struct jsonl_state {
    asy_load_base b;           /* first: see loader_int.h */
    asy_input_opts field_opts; /* the line is decoded once: no latin1 here */
    asy_jsonl_record rec;      /* parser buffers, reused line after line */
} jsonl_state;

static const char *const jsonl_ext[] = {".jsonl", ".ndjson", NULL};

static void jsonl_close(void *st)
{
    jsonl_state *s = st;
    if (s)
        asy_jsonl_free(&s->rec);
    asy_load_state_free(s);
}

static int jsonl_open(void **state, asy_source *src, const char *display,
                      const asy_input_opts *o, const asy_report *rep,
                      asy_error *err)
{
    jsonl_state *s = asy_load_state_new(sizeof *s, src, display, o, rep, err);
    *state = s;
    if (!s)
        return ASSAY_E_NOMEM;
    s->field_opts = *o;
    s->field_opts.latin1 = 0;
    asy_jsonl_init(&s->rec);
    return ASSAY_OK;
}

/* ==================================================================== */
/* One record                                                           */
/* ==================================================================== */

static const char *type_name(asy_json_type t)
{
    switch (t) {
    case ASY_JSON_OBJECT: return "an object";
    case ASY_JSON_ARRAY: return "an array";
    case ASY_JSON_STRING: return "a string";
    case ASY_JSON_INTEGER: return "an integer";
    case ASY_JSON_REAL: return "a number";
    case ASY_JSON_TRUE:
    case ASY_JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Per-line context for messages. */
typedef struct rec {
    jsonl_state *s;
    long long line;
    char where[64];
} rec;

static const char *src_path(const rec *r)
{
    return asy_source_path(r->s->b.src);
}

static int set_id(asy_doc *d, const asy_jsonl_member *v)
{
    char num[32];
    const char *id = NULL;
    if (v && v->type == ASY_JSON_STRING) {
        id = v->str;
    } else if (v && v->type == ASY_JSON_INTEGER) {
        snprintf(num, sizeof num, "%" PRId64, v->i);
        id = num;
    }
    if (!id)
        return 0;
    char *p = strdup(id);
    if (!p)
        return -1;
    free(d->id);
    d->id = p;
    return 0;
}

/* One metadata field. Returns 0, 1 when the record must be skipped
 * (reported), -1 out of memory. */
static int set_meta(const rec *r, asy_doc *d, const char *key,
                    const asy_jsonl_member *v)
{
    asy_meta *m = &d->meta;
    switch (v->type) {
    case ASY_JSON_STRING:
        if (v->flags & ASY_JSON_STR_NUL) {
            asy_report_skip(r->s->b.rep, src_path(r), d->id, r->where,
                            "binary content (NUL character in field '%s')",
                            key);
            return 1;
        }
        return asy_meta_set_string(m, key, v->str, v->len);
    case ASY_JSON_INTEGER: return asy_meta_set_integer(m, key, v->i);
    case ASY_JSON_REAL: return asy_meta_set_number(m, key, v->d);
    case ASY_JSON_TRUE: return asy_meta_set_boolean(m, key, 1);
    case ASY_JSON_FALSE: return asy_meta_set_boolean(m, key, 0);
    case ASY_JSON_NULL: return 0;
    default: {
        size_t n = 0;
        char *txt = asy_jsonl_compact(v, &n);
        int rc = txt ? asy_meta_set_string(m, key, txt, n) : -1;
        free(txt);
        return rc;
    }
    }
}

static int fill_meta(const rec *r, asy_doc *d)
{
    const asy_input_opts *o = r->s->b.o;
    const asy_jsonl_record *jr = &r->s->rec;
    for (size_t i = 0; i < jr->n; i++) {
        const asy_jsonl_member *v = &jr->members[i];
        if (strcmp(v->key, o->text_field) == 0 ||
            strcmp(v->key, o->id_field) == 0)
            continue;
        const char *mkey = strcmp(v->key, o->date_field) == 0 ? "date"
                                                               : v->key;
        int rc = set_meta(r, d, mkey, v);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int nomem(asy_error *err)
{
    return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
}

/* The decoded field is valid UTF-8 already (the line was cleaned and
 * escapes decode to whole characters), so only a NUL, a CR or a leading
 * BOM — rare, and only from escapes or a raw BOM — needs the shared
 * cleaning; everything else is a plain copy. */
static int take_field_text(const rec *r, asy_doc *d,
                           const asy_jsonl_member *t, asy_error *err)
{
    const unsigned char *u = (const unsigned char *)t->str;
    int bom = t->len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF;
    if (!t->flags && !bom) {
        char *copy = malloc(t->len + 1);
        if (!copy)
            return nomem(err);
        memcpy(copy, t->str, t->len + 1);
        asy_doc_take_text(d, copy, t->len);
        return 1;
    }
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s, field '%s'", r->where,
             r->s->b.o->text_field);
    return asy_load_text_into(d, t->str, t->len, &r->s->field_opts,
                              r->s->b.rep, 0, prefix, err);
}

/* The text field: present, a string, then through the shared policy. */
static int load_field_text(const rec *r, asy_doc *d, asy_error *err)
{
    const char *tf = r->s->b.o->text_field;
    const asy_jsonl_member *t = asy_jsonl_get(&r->s->rec, tf);
    if (!t) {
        asy_report_skip(r->s->b.rep, src_path(r), d->id, r->where,
                        "no field '%s' (set text_field to the field "
                        "holding the text)", tf);
        return 0;
    }
    if (t->type != ASY_JSON_STRING) {
        asy_report_skip(r->s->b.rep, src_path(r), d->id, r->where,
                        "field '%s' is %s, not a string", tf,
                        type_name(t->type));
        return 0;
    }
    return take_field_text(r, d, t, err);
}

/* Parse the (already cleaned) line held in d->text into the document.
 * Returns 1 = document ready, 0 = skipped, < 0 fatal. */
static int parse_record(const rec *r, asy_doc *d, asy_error *err)
{
    asy_jsonl_record *jr = &r->s->rec;
    int p = asy_jsonl_parse(jr, d->text, d->len);
    if (p < 0)
        return nomem(err);
    if (p == 0) {
        asy_report_skip(r->s->b.rep, src_path(r), d->id, r->where,
                        "malformed JSON at column %d: %s", jr->column,
                        jr->message);
        return 0;
    }
    if (jr->type != ASY_JSON_OBJECT) {
        asy_report_skip(r->s->b.rep, src_path(r), d->id, r->where,
                        "not a JSON object (got %s)", type_name(jr->type));
        return 0;
    }
    if (set_id(d, asy_jsonl_get(jr, r->s->b.o->id_field)) < 0)
        return nomem(err);
    int m = fill_meta(r, d);
    return m < 0 ? nomem(err) : m > 0 ? 0 : load_field_text(r, d, err);
}

static int record(jsonl_state *s, const char *line, size_t len,
                  asy_doc **out, asy_error *err)
{
    rec r = {s, asy_source_lineno(s->b.src), ""};
    snprintf(r.where, sizeof r.where, "line %lld", r.line);
    char id[1200];
    snprintf(id, sizeof id, "%s#%lld", s->b.display, r.line);
    asy_doc *d = asy_doc_new(id, asy_source_path(s->b.src));
    if (!d)
        return nomem(err);
    /* The whole line goes through the shared cleaning first: NUL bytes,
     * invalid UTF-8 (jansson would reject it outright) and Latin-1 are
     * handled with file byte offsets before JSON parsing. */
    int rc = asy_load_text_into(d, line, len, s->b.o, s->b.rep,
                                asy_source_line_offset(s->b.src), r.where, err);
    if (rc > 0)
        rc = parse_record(&r, d, err);
    if (rc <= 0) {
        asy_doc_free(d);
        return rc;
    }
    *out = d;
    return 1;
}

/* ==================================================================== */
/* Lines                                                                */
/* ==================================================================== */

static int is_blank_line(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

static int jsonl_next(void *st, asy_doc **out, asy_error *err)
{
    jsonl_state *s = st;
    *out = NULL;
    for (;;) {
        const char *line;
        size_t len;
        int rc = asy_source_getline(s->b.src, &line, &len, s->b.o->max_doc_bytes,
                                    err);
        if (rc == ASSAY_E_LIMIT) {
            long long l = asy_source_lineno(s->b.src);
            char id[1200], where[64];
            snprintf(id, sizeof id, "%s#%lld", s->b.display, l);
            snprintf(where, sizeof where, "line %lld", l);
            asy_report_too_big(s->b.rep, asy_source_path(s->b.src), id, where,
                               -1, s->b.o->max_doc_bytes);
            asy_error_clear(err);
            continue;
        }
        if (rc <= 0)
            return rc;
        if (is_blank_line(line, len))
            continue;
        rc = record(s, line, len, out, err);
        if (rc != 0)
            return rc;
    }
}

const asy_format asy_format_jsonl = {
    "jsonl", jsonl_ext, jsonl_open, jsonl_next, jsonl_close,
};
