/*
 * kwic.c — keyword in context (see kwic.h): a pattern becomes a one-category
 * dictionary matched by dict.c, and each match gets a window of words found
 * by binary search over the word stream's byte offsets.
 */
#include <stdlib.h>

#include "kwic.h"

/* ===================================================================== */
/* Patterns                                                              */
/* ===================================================================== */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int asy_kwic_next(const char *spec, size_t len, size_t *pos, size_t *a,
                  size_t *n)
{
    size_t i = *pos, j = i;
    if (i > len)
        return 0;
    while (j < len && spec[j] != '|' && spec[j] != ',')
        j++;
    *pos = j + 1;
    while (i < j && is_space(spec[i]))
        i++;
    while (j > i && is_space(spec[j - 1]))
        j--;
    *a = i;
    *n = j - i;
    return 1;
}

/* The first entry that can never match, or -1. */
static long never_entry(const asy_dict *d)
{
    asy_dict_entry_info e;
    for (size_t i = 0; i < asy_dict_nentries(d); i++)
        if (asy_dict_entry(d, i, &e) == ASSAY_OK && e.kind == ASY_DICT_NEVER)
            return (long)i;
    return -1;
}

static int fail(asy_dict *d, asy_dict **out, int rc)
{
    asy_dict_free(d);
    *out = NULL;
    return rc;
}

int asy_kwic_pattern(const char *spec, size_t len, asy_dict **out,
                     asy_error *err)
{
    asy_dict *d = *out = asy_dict_new();
    if (!d)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    int cat = asy_dict_category(d, "pattern", err), rc;
    if (cat < 0)
        return fail(d, out, cat);
    size_t pos = 0, a, n;
    while (asy_kwic_next(spec, len, &pos, &a, &n)) {
        rc = n ? asy_dict_add(d, cat, spec + a, n, 1.0, NULL, 0, err)
               : asy_error_set(err, ASSAY_E_USAGE,
                               "kwic pattern '%.*s': empty alternative at "
                               "byte %zu (use words, globs or phrases "
                               "separated by '|' or ',')", (int)len, spec, a);
        if (rc != ASSAY_OK)
            return fail(d, out, rc);
    }
    if ((rc = asy_dict_compile(d, err)) != ASSAY_OK)
        return fail(d, out, rc);
    long bad = never_entry(d);
    if (bad >= 0) {
        asy_dict_entry_info e;
        asy_dict_entry(d, (size_t)bad, &e);
        asy_error_set(err, ASSAY_E_USAGE,
                      "kwic pattern: '%s' can never match: a word needs "
                      "letters or digits", e.term);
        return fail(d, out, ASSAY_E_USAGE);
    }
    return ASSAY_OK;
}

/* ===================================================================== */
/* Contexts                                                              */
/* ===================================================================== */

/* Index of the first word starting at or after byte b. */
static size_t first_from(const asy_wordstream *ws, size_t b)
{
    size_t lo = 0, hi = ws->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ws->w[mid].start < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void asy_kwic_context(const asy_wordstream *ws, size_t start, size_t end,
                      size_t window, asy_kwic_hit *h)
{
    size_t first = first_from(ws, start);
    size_t last = first_from(ws, end);
    if (last < first)
        last = first;
    size_t lw = first > window ? first - window : 0;
    size_t rw = ws->n - last > window ? last + window : ws->n;
    h->first = first;
    h->last = last;
    h->left = lw < first ? ws->w[lw].start : start;
    h->match = start;
    h->right_start = end;
    h->right_end = rw > last ? ws->w[rw - 1].end : end;
}

typedef struct finder {
    const asy_wordstream *ws;
    size_t window, cap, n;
    asy_kwic_hit *hits;
} finder;

static int on_match(void *ud, const asy_dict_match *m)
{
    finder *f = ud;
    if (f->n == f->cap) {
        size_t c = f->cap ? f->cap * 2 : 16;
        asy_kwic_hit *p = realloc(f->hits, c * sizeof *p);
        if (!p)
            return ASSAY_E_NOMEM;
        f->hits = p;
        f->cap = c;
    }
    asy_kwic_hit *h = &f->hits[f->n++];
    h->entry = m->entry;
    h->cstart = m->cstart;
    h->cend = m->cend;
    asy_kwic_context(f->ws, m->start, m->end, f->window, h);
    return 0;
}

int asy_kwic_find(const asy_dict *d, asy_dict_scratch *s, const char *text,
                  size_t len, const asy_wordstream *ws, size_t window,
                  asy_kwic_hit **out, size_t *n)
{
    finder f = {ws, window, 0, 0, NULL};
    int rc = asy_dict_scan(d, s, text, len, on_match, &f, NULL);
    if (rc != ASSAY_OK || !f.n) {
        free(f.hits);
        f.hits = NULL;
        f.n = 0;
    }
    *out = f.hits;
    *n = f.n;
    return rc == ASSAY_OK ? ASSAY_OK : ASSAY_E_NOMEM;
}
