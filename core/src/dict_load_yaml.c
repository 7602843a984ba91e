/*
 * dict_load_yaml.c — quanteda-style YAML dictionaries via libyaml:
 *     economy:
 *       trade: [tariff*, export*, "free trade"]
 *       energy:
 *         - oil
 *         - gas
 * A mapping key is a category (nested keys are subcategories); sequence
 * items and scalar values are its entries.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "dict_int.h"

typedef struct yctx {
    asy_dict *d;
    yaml_parser_t p;
    const char *name;
    asy_error *err;
    asy_buf path;
    int depth;
} yctx;

static long line_of(const yaml_event_t *ev)
{
    return (long)ev->start_mark.line + 1;
}

static int next(yctx *y, yaml_event_t *ev)
{
    if (yaml_parser_parse(&y->p, ev))
        return ASSAY_OK;
    return asy_dict_parse_error(y->err, y->name, (long)y->p.problem_mark.line + 1,
                                "check the indentation and quoting",
                                "YAML: %s", y->p.problem ? y->p.problem
                                                         : "syntax error");
}

static int value(yctx *y, yaml_event_t *ev);

static int entry(yctx *y, const yaml_event_t *ev)
{
    if (!y->path.len)
        return asy_dict_parse_error(y->err, y->name, line_of(ev), "entries "
                                    "go under a category key",
                                    "entry outside any category");
    int cat = asy_dict_category(y->d, y->path.data, y->err);
    if (cat < 0)
        return cat;
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    if (!n)
        return ASSAY_OK; /* "key:" with no value: an empty category */
    int rc = asy_dict_add(y->d, cat, s, n, 1, y->name, line_of(ev), y->err);
    return rc == ASSAY_E_PARSE ? asy_dict_parse_error(y->err, y->name,
                                                      line_of(ev), NULL,
                                                      "empty entry")
                               : rc;
}

/* Items of a sequence: entries, or mappings of subcategories. */
static int sequence(yctx *y)
{
    for (;;) {
        yaml_event_t ev;
        int rc = next(y, &ev);
        if (rc != ASSAY_OK)
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return ASSAY_OK;
        }
        rc = ev.type == YAML_SEQUENCE_START_EVENT ? sequence(y) : value(y, &ev);
        yaml_event_delete(&ev);
        if (rc != ASSAY_OK)
            return rc;
    }
}

static int mapping(yctx *y)
{
    for (;;) {
        yaml_event_t k, v;
        int rc = next(y, &k);
        if (rc != ASSAY_OK)
            return rc;
        if (k.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&k);
            return ASSAY_OK;
        }
        if (k.type != YAML_SCALAR_EVENT) {
            rc = asy_dict_parse_error(y->err, y->name, line_of(&k), NULL,
                                      "category names must be plain text");
            yaml_event_delete(&k);
            return rc;
        }
        size_t keep = y->path.len;
        if ((keep && asy_buf_putc(&y->path, '/') < 0) ||
            asy_buf_append(&y->path, k.data.scalar.value,
                           k.data.scalar.length) < 0)
            rc = asy_error_set(y->err, ASSAY_E_NOMEM, "out of memory");
        if (rc == ASSAY_OK && (rc = asy_dict_category(y->d, y->path.data,
                                                      y->err)) >= 0)
            rc = next(y, &v);
        if (rc == ASSAY_OK) {
            rc = value(y, &v);
            yaml_event_delete(&v);
        }
        yaml_event_delete(&k);
        y->path.len = keep;
        if (y->path.data)
            y->path.data[keep] = '\0';
        if (rc != ASSAY_OK)
            return rc < 0 ? rc : ASSAY_OK;
    }
}

static int value(yctx *y, yaml_event_t *ev)
{
    if (++y->depth > 64)
        return asy_dict_parse_error(y->err, y->name, line_of(ev), NULL,
                                    "nested more than 64 levels");
    int rc;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        rc = entry(y, ev);
        break;
    case YAML_SEQUENCE_START_EVENT:
        rc = sequence(y);
        break;
    case YAML_MAPPING_START_EVENT:
        rc = mapping(y);
        break;
    default:
        rc = asy_dict_parse_error(y->err, y->name, line_of(ev), NULL,
                                  "unsupported YAML (aliases, tags)");
    }
    y->depth--;
    return rc;
}

/* Stream and document wrappers around the top-level mapping. */
int asy_dict_load_yaml(asy_dict *d, const char *name, const char *data,
                       size_t len, asy_error *err)
{
    yctx y = {.d = d, .name = name, .err = err, .path = ASY_BUF_INIT};
    if (!yaml_parser_initialize(&y.p))
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    yaml_parser_set_input_string(&y.p, (const unsigned char *)data, len);
    int rc = ASSAY_OK, done = 0;
    while (rc == ASSAY_OK && !done) {
        yaml_event_t ev;
        if ((rc = next(&y, &ev)) != ASSAY_OK)
            break;
        if (ev.type == YAML_MAPPING_START_EVENT)
            rc = mapping(&y);
        else if (ev.type == YAML_SEQUENCE_START_EVENT ||
                 ev.type == YAML_SCALAR_EVENT)
            rc = asy_dict_parse_error(err, name, line_of(&ev), "the top level "
                                      "maps category names to entries",
                                      "expected a mapping of categories");
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&y.p);
    asy_buf_free(&y.path);
    return rc;
}
