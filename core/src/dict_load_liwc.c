/*
 * dict_load_liwc.c — LIWC dictionaries: the .dic format of LIWC 2001, 2007
 * and 2015 (a %-delimited legend of numbered categories, then one entry per
 * line with category numbers or names), single-category word lists, and
 * LIWC-22 .dicx (CSV: the term, then one column per category marked "X" or
 * a weight).
 */
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"

#define MAXCAT 4096

typedef struct legend {
    long id[MAXCAT];
    int cat[MAXCAT];
    int n;
} legend;

static int is_pct(const char *s, size_t n)
{
    size_t k = strspn(s, " \t");
    return k < n && s[k] == '%' && strspn(s + k + 1, " \t") == n - k - 1;
}

/* Next white-space separated word of s[*i..n), or 0 when none. */
static size_t word(const char *s, size_t n, size_t *i, const char **w)
{
    while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
    size_t k = *i;
    while (k < n && s[k] != ' ' && s[k] != '\t')
        k++;
    *w = s + *i;
    size_t len = k - *i;
    *i = k;
    return len;
}

/* "12  name (description)" */
static int legend_line(asy_dict *d, legend *lg, const char *name, long line,
                       const char *s, size_t n, asy_error *err)
{
    size_t i = 0;
    const char *w;
    size_t wl = word(s, n, &i, &w);
    char *end;
    long id = strtol(w, &end, 10);
    if (!wl || end != w + wl)
        return asy_dict_parse_error(err, name, line, "legend lines are "
                                    "'NUMBER<tab>name' between two % lines",
                                    "expected a category number");
    wl = word(s, n, &i, &w);
    if (!wl)
        return asy_dict_parse_error(err, name, line, NULL,
                                    "category %ld has no name", id);
    if (lg->n == MAXCAT)
        return asy_dict_parse_error(err, name, line, NULL,
                                    "more than %d categories", MAXCAT);
    char *cname = strndup(w, wl);
    int cat = cname ? asy_dict_category(d, cname, err) : ASSAY_E_NOMEM;
    free(cname);
    if (cat < 0)
        return cat;
    lg->id[lg->n] = id;
    lg->cat[lg->n++] = cat;
    return ASSAY_OK;
}

/* The category for a code: a legend number, or a category name. -1 when
 * unknown; -2 for LIWC 2007 conditional codes ("(02 134)125/464"), which
 * are skipped. */
static int code_cat(const asy_dict *d, const legend *lg, const char *w,
                    size_t wl)
{
    if (memchr(w, '(', wl) || memchr(w, ')', wl) || memchr(w, '/', wl))
        return -2;
    char *end;
    long id = strtol(w, &end, 10);
    if (end == w + wl) {
        for (int k = 0; k < lg->n; k++)
            if (lg->id[k] == id)
                return lg->cat[k];
        return -1;
    }
    for (int k = 0; k < lg->n; k++) {
        const char *p = asy_dict_category_path(d, lg->cat[k]);
        if (strlen(p) == wl && !memcmp(p, w, wl))
            return lg->cat[k];
    }
    return -1;
}

/* "term<tab>1<tab>2" (a term with spaces needs the tab) or "term 1 2". */
static int entry_line(asy_dict *d, const legend *lg, const char *name,
                      long line, const char *s, size_t n, asy_error *err)
{
    const char *tab = memchr(s, '\t', n);
    size_t i = 0;
    const char *term;
    size_t tl = tab ? (size_t)(tab - s) : word(s, n, &i, &term);
    if (tab) {
        term = s;
        i = tl;
    }
    int codes = 0;
    const char *w;
    size_t wl;
    while ((wl = word(s, n, &i, &w)) > 0) {
        int cat = code_cat(d, lg, w, wl);
        codes++;
        if (cat == -2)
            continue;
        if (cat < 0)
            return asy_dict_parse_error(err, name, line, "every code must "
                                        "be a number from the % legend",
                                        "unknown category '%.*s'", (int)wl, w);
        int rc = asy_dict_add(d, cat, term, tl, 1, name, line, err);
        if (rc != ASSAY_OK)
            return rc == ASSAY_E_PARSE
                       ? asy_dict_parse_error(err, name, line, NULL,
                                              "empty term")
                       : rc;
    }
    if (!codes)
        return asy_dict_parse_error(err, name, line, "add the category "
                                    "numbers after the term",
                                    "entry '%.*s' has no category", (int)tl,
                                    term);
    return ASSAY_OK;
}

/* The category of a single-category list: the file's base name. */
static int base_cat(asy_dict *d, const char *name, asy_error *err)
{
    const char *b = strrchr(name, '/');
    b = b ? b + 1 : name;
    size_t n = strcspn(b, ".");
    char *c = strndup(b, n ? n : strlen(b));
    int cat = c ? asy_dict_category(d, *c ? c : "words", err) : ASSAY_E_NOMEM;
    free(c);
    return cat;
}

static int word_list(asy_dict *d, dict_lines *r, const char *name,
                     asy_error *err)
{
    int cat = base_cat(d, name, err);
    const char *s;
    size_t n;
    while (cat >= 0 && asy_dict_next_line(r, &s, &n)) {
        size_t k = strspn(s, " \t");
        if (k >= n || s[k] == '#')
            continue;
        int rc = asy_dict_add(d, cat, s, n, 1, name, r->line, err);
        if (rc != ASSAY_OK)
            return rc;
    }
    return cat < 0 ? cat : ASSAY_OK;
}

int asy_dict_load_liwc(asy_dict *d, const char *name, const char *data,
                       size_t len, asy_error *err)
{
    dict_lines r = {data, data + len, 0};
    const char *s;
    size_t n;
    int state = 0, rc = ASSAY_OK; /* 0 before, 1 legend, 2 entries */
    legend *lg = calloc(1, sizeof *lg);
    if (!lg)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    while (rc == ASSAY_OK && asy_dict_next_line(&r, &s, &n)) {
        size_t k = strspn(s, " \t");
        if (k >= n)
            continue;
        if (state == 0 && !is_pct(s, n)) {
            r = (dict_lines){data, data + len, 0};
            free(lg);
            return word_list(d, &r, name, err);
        }
        if (is_pct(s, n)) {
            if (state == 2)
                rc = asy_dict_parse_error(err, name, r.line, NULL,
                                          "a third %% line");
            state++;
        } else if (state == 1)
            rc = legend_line(d, lg, name, r.line, s, n, err);
        else
            rc = entry_line(d, lg, name, r.line, s, n, err);
    }
    if (rc == ASSAY_OK && state == 1)
        rc = asy_dict_parse_error(err, name, r.line, "close the legend with "
                                  "a line holding only %",
                                  "the %% legend is not closed");
    free(lg);
    return rc;
}

/* ===== LIWC-22 .dicx =========================================================== */

static int dicx_cell(asy_dict *d, const char *name, long line, int cat,
                     const char *term, const char *cell, asy_error *err)
{
    while (*cell == ' ')
        cell++;
    if (!*cell)
        return ASSAY_OK;
    double w = 1;
    if (strcmp(cell, "X") && strcmp(cell, "x")) {
        char *end;
        w = strtod(cell, &end);
        if (end == cell || *end)
            return asy_dict_parse_error(err, name, line, "cells are empty, "
                                        "X, or a weight", "bad cell '%s'",
                                        cell);
    }
    int rc = asy_dict_add(d, cat, term, strlen(term), w, name, line, err);
    return rc == ASSAY_E_PARSE
               ? asy_dict_parse_error(err, name, line, NULL, "empty term")
               : rc;
}

int asy_dict_load_dicx(asy_dict *d, const char *name, const char *data,
                       size_t len, asy_error *err)
{
    dict_lines r = {data, data + len, 0};
    asy_buf buf = ASY_BUF_INIT;
    const char *s, *f[64];
    int cats[64], ncats = -1, rc = ASSAY_OK;
    size_t n;
    while (rc == ASSAY_OK && asy_dict_next_line(&r, &s, &n)) {
        if (strspn(s, " \t,") >= n)
            continue;
        int nf = asy_dict_split_fields(s, n, ',', &buf, f, 64);
        if (nf < 0) {
            rc = asy_dict_parse_error(err, name, r.line, NULL,
                                      "unterminated quoted field");
        } else if (ncats < 0) { /* header: Entry,cat1,cat2,... */
            for (ncats = 0; ncats + 1 < nf && rc == ASSAY_OK; ncats++)
                if ((cats[ncats] = asy_dict_category(d, f[ncats + 1], err)) < 0)
                    rc = asy_dict_parse_error(err, name, r.line, NULL,
                                              "empty category name in column "
                                              "%d", ncats + 2);
            if (rc == ASSAY_OK && !ncats)
                rc = asy_dict_parse_error(err, name, r.line, "the first line "
                                          "is Entry,Category1,Category2,...",
                                          "no category columns");
        } else if (nf > ncats + 1) {
            rc = asy_dict_parse_error(err, name, r.line, NULL, "%d cells, the "
                                      "header has %d", nf, ncats + 1);
        } else {
            for (int k = 1; k < nf && rc == ASSAY_OK; k++)
                rc = dicx_cell(d, name, r.line, cats[k - 1], f[0], f[k], err);
        }
    }
    asy_buf_free(&buf);
    return rc;
}
