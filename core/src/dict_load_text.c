/*
 * dict_load_text.c — two indented/marked plain-text formats: Lexicoder
 * (.lc3/.lcd: "+Category" lines, each followed by its entries) and WordStat
 * (.cat: categories as lines without "(n)", nested by indentation; entries
 * "WORD (1)" where the number is the weight and "_" joins a phrase).
 */
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"

static int add_entry(asy_dict *d, int cat, const char *s, size_t n,
                     double w, const char *name, long line, asy_error *err)
{
    int rc = asy_dict_add(d, cat, s, n, w, name, line, err);
    return rc == ASSAY_E_PARSE
               ? asy_dict_parse_error(err, name, line, NULL, "empty entry")
               : rc;
}

int asy_dict_load_lexicoder(asy_dict *d, const char *name, const char *data,
                            size_t len, asy_error *err)
{
    dict_lines r = {data, data + len, 0};
    const char *s;
    size_t n;
    int cat = -1, rc = ASSAY_OK;
    while (rc == ASSAY_OK && asy_dict_next_line(&r, &s, &n)) {
        size_t k = strspn(s, " \t");
        if (k >= n || s[k] == '#')
            continue;
        if (s[k] == '+') {
            char *c = strndup(s + k + 1, n - k - 1);
            cat = c ? asy_dict_category(d, c, err) : ASSAY_E_NOMEM;
            free(c);
            if (cat < 0)
                rc = asy_dict_parse_error(err, name, r.line, NULL,
                                          "empty category name after '+'");
        } else if (cat < 0) {
            rc = asy_dict_parse_error(err, name, r.line, "start the file with "
                                      "a +Category line",
                                      "entry before any +Category line");
        } else
            rc = add_entry(d, cat, s + k, n - k, 1, name, r.line, err);
    }
    return rc;
}

/* ===== WordStat ===================================================================== */

#define MAXDEPTH 32

typedef struct wsstack {
    size_t indent[MAXDEPTH];
    int cat[MAXDEPTH];
    int n;
} wsstack;

static size_t indent_of(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
        w += s[i] == '\t' ? 8 - w % 8 : 1;
    return w;
}

/* "WORD (1)" -> term length and weight; 0 when the line is no entry. */
static size_t ws_entry(const char *s, size_t n, double *w)
{
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n || s[n - 1] != ')')
        return 0;
    const char *open = NULL;
    for (size_t i = n - 1; i-- > 0;)
        if (s[i] == '(') {
            open = s + i;
            break;
        }
    if (!open)
        return 0;
    char *end;
    *w = strtod(open + 1, &end);
    if (end == open + 1 || end != s + n - 1)
        return 0;
    return (size_t)(open - s);
}

static int ws_category(asy_dict *d, wsstack *st, size_t ind, const char *s,
                       size_t n)
{
    while (st->n && st->indent[st->n - 1] >= ind)
        st->n--;
    if (st->n == MAXDEPTH)
        return ASSAY_E_PARSE;
    asy_buf path = ASY_BUF_INIT;
    if (st->n && (asy_buf_puts(&path, asy_dict_category_path(
                                          d, st->cat[st->n - 1])) < 0 ||
                  asy_buf_putc(&path, '/') < 0))
        goto nomem;
    for (size_t i = 0; i < n; i++) /* '/' would read as a deeper level */
        if (asy_buf_putc(&path, s[i] == '/' ? '-' : s[i]) < 0)
            goto nomem;
    int cat = asy_dict_category(d, path.data, NULL);
    asy_buf_free(&path);
    if (cat < 0)
        return cat;
    st->indent[st->n] = ind;
    st->cat[st->n++] = cat;
    return ASSAY_OK;
nomem:
    asy_buf_free(&path);
    return ASSAY_E_NOMEM;
}

static int ws_line(asy_dict *d, wsstack *st, const char *name, long line,
                   const char *s, size_t n, asy_error *err)
{
    size_t k = strspn(s, " \t"), ind = indent_of(s, n);
    double w;
    size_t tl = ws_entry(s + k, n - k, &w);
    if (!tl) {
        int rc = ws_category(d, st, ind, s + k, n - k);
        return rc == ASSAY_OK ? rc : asy_dict_parse_error(
            err, name, line, NULL, "bad category line (nested too deep?)");
    }
    while (st->n && st->indent[st->n - 1] >= ind)
        st->n--;
    if (!st->n)
        return asy_dict_parse_error(err, name, line, "indent entries under "
                                    "a category line", "entry outside any "
                                    "category");
    char *t = strndup(s + k, tl);
    if (!t)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    for (char *p = t; *p; p++)
        *p = *p == '_' ? ' ' : *p;
    int rc = add_entry(d, st->cat[st->n - 1], t, tl, w, name, line, err);
    free(t);
    return rc;
}

int asy_dict_load_wordstat(asy_dict *d, const char *name, const char *data,
                           size_t len, asy_error *err)
{
    dict_lines r = {data, data + len, 0};
    wsstack st = {.n = 0};
    const char *s;
    size_t n;
    int rc = ASSAY_OK;
    while (rc == ASSAY_OK && asy_dict_next_line(&r, &s, &n))
        if (strspn(s, " \t") < n)
            rc = ws_line(d, &st, name, r.line, s, n, err);
    return rc;
}
