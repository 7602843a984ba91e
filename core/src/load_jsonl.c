/*
 * load_jsonl.c — JSON Lines corpora (.jsonl, .ndjson), parsed with jansson
 * (chosen over cJSON for its precise error positions and its insertion-
 * ordered objects, which keep metadata columns in record order).
 * One object per line; a bad line is reported and skipped, never fatal.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "loader.h"
#include "loader_int.h"

typedef struct jsonl_state {
    asy_source *src;
    char *display;
    const asy_input_opts *o;
    asy_input_opts field_opts; /* the line is decoded once: no latin1 here */
    const asy_report *rep;
} jsonl_state;

static const char *const jsonl_ext[] = {".jsonl", ".ndjson", NULL};

static void jsonl_close(void *st)
{
    jsonl_state *s = st;
    if (!s)
        return;
    asy_source_close(s->src);
    free(s->display);
    free(s);
}

static int jsonl_open(void **state, asy_source *src, const char *display,
                      const asy_input_opts *o, const asy_report *rep,
                      asy_error *err)
{
    *state = NULL;
    jsonl_state *s = calloc(1, sizeof *s);
    if (!s || !(s->display = strdup(display))) {
        free(s);
        asy_source_close(src);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    s->src = src;
    s->o = o;
    s->field_opts = *o;
    s->field_opts.latin1 = 0;
    s->rep = rep;
    *state = s;
    return ASSAY_OK;
}

/* ==================================================================== */
/* One record                                                           */
/* ==================================================================== */

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
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
    return asy_source_path(r->s->src);
}

static int set_id(asy_doc *d, const json_t *v)
{
    char num[32];
    const char *id = NULL;
    if (json_is_string(v)) {
        id = json_string_value(v);
    } else if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%" PRId64, (int64_t)json_integer_value(v));
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
static int set_meta(const rec *r, asy_doc *d, const char *key, json_t *v)
{
    asy_meta *m = &d->meta;
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *str = json_string_value(v);
        size_t n = json_string_length(v);
        if (memchr(str, '\0', n)) {
            asy_report_skip(r->s->rep, src_path(r), d->id, r->where,
                            "binary content (NUL character in field '%s')",
                            key);
            return 1;
        }
        return asy_meta_set_string(m, key, str, n);
    }
    case JSON_INTEGER: return asy_meta_set_integer(m, key, json_integer_value(v));
    case JSON_REAL: return asy_meta_set_number(m, key, json_real_value(v));
    case JSON_TRUE: return asy_meta_set_boolean(m, key, 1);
    case JSON_FALSE: return asy_meta_set_boolean(m, key, 0);
    case JSON_NULL: return 0;
    default: {
        char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        int rc = txt ? asy_meta_set_string(m, key, txt, strlen(txt)) : -1;
        free(txt);
        return rc;
    }
    }
}

static int fill_meta(const rec *r, asy_doc *d, json_t *obj)
{
    const asy_input_opts *o = r->s->o;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, o->text_field) == 0 || strcmp(key, o->id_field) == 0)
            continue;
        const char *mkey = strcmp(key, o->date_field) == 0 ? "date" : key;
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

/* The text field: present, a string, then through the shared policy. */
static int load_field_text(const rec *r, asy_doc *d, json_t *obj,
                           asy_error *err)
{
    const char *tf = r->s->o->text_field;
    json_t *t = json_object_get(obj, tf);
    if (!t || !json_is_string(t)) {
        if (!t)
            asy_report_skip(r->s->rep, src_path(r), d->id, r->where,
                            "no field '%s' (set text_field to the field "
                            "holding the text)", tf);
        else
            asy_report_skip(r->s->rep, src_path(r), d->id, r->where,
                            "field '%s' is %s, not a string", tf,
                            type_name(t));
        return 0;
    }
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s, field '%s'", r->where, tf);
    return asy_load_text_into(d, json_string_value(t), json_string_length(t),
                              &r->s->field_opts, r->s->rep, 0, prefix, err);
}

/* Parse the (already cleaned) line held in d->text into the document.
 * Returns 1 = document ready, 0 = skipped, < 0 fatal. */
static int parse_record(const rec *r, asy_doc *d, asy_error *err)
{
    json_error_t je;
    json_t *obj = json_loadb(d->text, d->len, JSON_ALLOW_NUL, &je);
    if (!obj) {
        asy_report_skip(r->s->rep, src_path(r), d->id, r->where,
                        "malformed JSON at column %d: %s", je.column, je.text);
        return 0;
    }
    int rc = 1;
    if (!json_is_object(obj)) {
        asy_report_skip(r->s->rep, src_path(r), d->id, r->where,
                        "not a JSON object (got %s)", type_name(obj));
        rc = 0;
    } else if (set_id(d, json_object_get(obj, r->s->o->id_field)) < 0) {
        rc = nomem(err);
    } else {
        int m = fill_meta(r, d, obj);
        rc = m < 0 ? nomem(err) : m > 0 ? 0 : load_field_text(r, d, obj, err);
    }
    json_decref(obj);
    return rc;
}

static int record(jsonl_state *s, const char *line, size_t len,
                  asy_doc **out, asy_error *err)
{
    rec r = {s, asy_source_lineno(s->src), ""};
    snprintf(r.where, sizeof r.where, "line %lld", r.line);
    char id[1200];
    snprintf(id, sizeof id, "%s#%lld", s->display, r.line);
    asy_doc *d = asy_doc_new(id, asy_source_path(s->src));
    if (!d)
        return nomem(err);
    /* The whole line goes through the shared cleaning first: NUL bytes,
     * invalid UTF-8 (jansson would reject it outright) and Latin-1 are
     * handled with file byte offsets before JSON parsing. */
    int rc = asy_load_text_into(d, line, len, s->o, s->rep,
                                asy_source_line_offset(s->src), r.where, err);
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
        int rc = asy_source_getline(s->src, &line, &len, s->o->max_doc_bytes,
                                    err);
        if (rc == ASSAY_E_LIMIT) {
            long long l = asy_source_lineno(s->src);
            char id[1200], where[64];
            snprintf(id, sizeof id, "%s#%lld", s->display, l);
            snprintf(where, sizeof where, "line %lld", l);
            asy_report_too_big(s->rep, asy_source_path(s->src), id, where,
                               -1, s->o->max_doc_bytes);
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
