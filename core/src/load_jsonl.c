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
#include "utf8.h"

typedef struct jsonl_state {
    asy_load_base b;           /* first: see loader_int.h */
    asy_input_opts field_opts; /* the line is decoded once: no latin1 here */
    asy_jsonl_record rec;      /* parser buffers, reused line after line */
    char *id_prefix;           /* "display#": record ids are this + line */
    size_t id_prefix_len;
} jsonl_state;

static const char *const jsonl_ext[] = {".jsonl", ".ndjson", NULL};

static void jsonl_close(void *st)
{
    jsonl_state *s = st;
    if (s) {
        asy_jsonl_free(&s->rec);
        free(s->id_prefix);
    }
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
    size_t n = strlen(s->b.display);
    s->id_prefix = malloc(n + 2);
    if (!s->id_prefix) {
        jsonl_close(s);
        *state = NULL;
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    memcpy(s->id_prefix, s->b.display, n);
    memcpy(s->id_prefix + n, "#", 2);
    s->id_prefix_len = n + 1;
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

/* The record's own id (its id field, a string or an integer, formatted
 * into num), or NULL when it has none. */
static const char *field_id(const asy_jsonl_member *v, char num[32])
{
    if (v && v->type == ASY_JSON_STRING)
        return v->str;
    if (v && v->type == ASY_JSON_INTEGER) {
        snprintf(num, 32, "%" PRId64, v->i);
        return num;
    }
    return NULL;
}

static int set_id(asy_doc *d, const asy_jsonl_member *v)
{
    char num[32];
    const char *id = field_id(v, num);
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

/* Parse the cleaned line text[0..len); messages name the document id.
 * Returns 1 = an object, 0 = skipped (reported), < 0 fatal. */
static int parse_object(const rec *r, const char *id, const char *text,
                        size_t len, asy_error *err)
{
    asy_jsonl_record *jr = &r->s->rec;
    int p = asy_jsonl_parse(jr, text, len);
    if (p < 0)
        return nomem(err);
    if (p == 0) {
        asy_report_skip(r->s->b.rep, src_path(r), id, r->where,
                        "malformed JSON at column %d: %s", jr->column,
                        jr->message);
        return 0;
    }
    if (jr->type != ASY_JSON_OBJECT) {
        asy_report_skip(r->s->b.rep, src_path(r), id, r->where,
                        "not a JSON object (got %s)", type_name(jr->type));
        return 0;
    }
    return 1;
}

/* Metadata and text of the parsed record into d (whose id is final).
 * Returns 1 = document ready, 0 = skipped, < 0 fatal. */
static int fill_doc(const rec *r, asy_doc *d, asy_error *err)
{
    int m = fill_meta(r, d);
    return m < 0 ? nomem(err) : m > 0 ? 0 : load_field_text(r, d, err);
}

/* Append s[0..n) at *at in buf (size cap), cut off as snprintf would. */
static void put(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
    size_t room = cap - 1 - *at;
    if (n > room)
        n = room;
    memcpy(buf + *at, s, n);
    *at += n;
    buf[*at] = '\0';
}

/* buf = prefix followed by the decimal v, as snprintf "%s%lld" writes it
 * (this runs once per record, where snprintf's cost showed). */
static void with_number(char *buf, size_t cap, const char *prefix, size_t plen,
                        long long v)
{
    char digits[24];
    size_t k = sizeof digits;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v
                                 : (unsigned long long)v;
    do
        digits[--k] = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        digits[--k] = '-';
    size_t at = 0;
    buf[0] = '\0';
    put(buf, cap, &at, prefix, plen);
    put(buf, cap, &at, digits + k, sizeof digits - k);
}

/* The line needs none of the shared cleaning (the common case): it can
 * be parsed where the source holds it, without a cleaned copy. */
static int line_is_clean(const jsonl_state *s, const char *line, size_t len)
{
    const asy_input_opts *o = s->b.o;
    return !o->latin1 && (!o->max_doc_bytes || len <= o->max_doc_bytes) &&
           asy_utf8_clean_check(line, len, ASY_UTF8_IMPL_BEST) == 1;
}

/* Keep d as *out when rc says it is ready, else free it. */
static int finish_doc(int rc, asy_doc *d, asy_doc **out)
{
    if (rc <= 0) {
        asy_doc_free(d);
        return rc;
    }
    *out = d;
    return 1;
}

/* A line that needs no cleaning (the common case) is parsed where the
 * source holds it, and the document is made with its final id. */
static int record_clean(const rec *r, const char *line_id, const char *line,
                        size_t len, asy_doc **out, asy_error *err)
{
    int rc = parse_object(r, line_id, line, len, err);
    if (rc <= 0)
        return rc;
    char num[32];
    const char *id = field_id(asy_jsonl_get(&r->s->rec, r->s->b.o->id_field),
                              num);
    asy_doc *d = asy_doc_new(id ? id : line_id, src_path(r));
    if (!d)
        return nomem(err);
    return finish_doc(fill_doc(r, d, err), d, out);
}

/* Otherwise the whole line goes through the shared cleaning first: NUL
 * bytes, invalid UTF-8 (jansson would reject it outright) and Latin-1 are
 * handled with file byte offsets before JSON parsing. */
static int record_cleaned(const rec *r, const char *line_id,
                          const char *line, size_t len, asy_doc **out,
                          asy_error *err)
{
    const jsonl_state *s = r->s;
    asy_doc *d = asy_doc_new(line_id, src_path(r));
    if (!d)
        return nomem(err);
    int rc = asy_load_text_into(d, line, len, s->b.o, s->b.rep,
                                asy_source_line_offset(s->b.src), r->where,
                                err);
    if (rc > 0)
        rc = parse_object(r, d->id, d->text, d->len, err);
    if (rc > 0 && set_id(d, asy_jsonl_get(&s->rec, s->b.o->id_field)) < 0)
        rc = nomem(err);
    if (rc > 0)
        rc = fill_doc(r, d, err);
    return finish_doc(rc, d, out);
}

static int record(jsonl_state *s, const char *line, size_t len,
                  asy_doc **out, asy_error *err)
{
    rec r = {s, asy_source_lineno(s->b.src), ""};
    with_number(r.where, sizeof r.where, "line ", 5, r.line);
    char id[1200];
    with_number(id, sizeof id, s->id_prefix, s->id_prefix_len, r.line);
    return line_is_clean(s, line, len)
               ? record_clean(&r, id, line, len, out, err)
               : record_cleaned(&r, id, line, len, out, err);
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
