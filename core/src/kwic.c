/*
 * kwic.c — keyword-in-context matching (see kwic.h). A pattern is a flat
 * list of alternatives, each a short list of word patterns stored in one
 * byte buffer; exact words compare with memcmp, globs with an iterative
 * star-backtracking matcher (linear in practice, no recursion).
 */
#include <stdlib.h>
#include <string.h>

#include "kwic.h"

typedef struct wpat {
    size_t off, len; /* bytes in pat->bytes */
    int glob;        /* contains * or ? */
} wpat;

typedef struct alt {
    size_t first, n; /* words pat->w[first..first+n) */
} alt;

struct asy_kwic_pat {
    asy_buf bytes;
    wpat *w;
    size_t nw, capw;
    alt *a;
    size_t na, capa;
};

/* ===================================================================== */
/* Globs                                                                 */
/* ===================================================================== */

/* Length of the UTF-8 character at s[0] (1 for a stray byte). */
static size_t ulen(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return k <= n ? k : n;
}

int asy_glob_match(const char *g, size_t gn, const char *s, size_t n)
{
    size_t gi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < n) {
        if (gi < gn && g[gi] == '*') {
            star = ++gi; /* remember where the star's tail starts */
            mark = si;
        } else if (gi < gn && g[gi] == '?') {
            gi++;
            si += ulen(s + si, n - si);
        } else if (gi < gn && g[gi] == s[si]) {
            gi++;
            si++;
        } else if (star != (size_t)-1) {
            gi = star; /* let the star swallow one more character */
            mark += ulen(s + mark, n - mark);
            si = mark;
        } else
            return 0;
    }
    while (gi < gn && g[gi] == '*')
        gi++;
    return gi == gn;
}

/* ===================================================================== */
/* Compiling                                                             */
/* ===================================================================== */

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    void *p = realloc(*v, c * size);
    if (!p)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static int add_word(asy_kwic_pat *p, const char *s, size_t n, int fold)
{
    if (grow((void **)&p->w, &p->capw, p->nw + 1, sizeof *p->w) < 0)
        return -1;
    size_t off = p->bytes.len;
    int rc = fold ? asy_fold_append(&p->bytes, s, n)
                  : asy_buf_append(&p->bytes, s, n);
    if (rc < 0)
        return -1;
    size_t len = p->bytes.len - off;
    int glob = memchr(p->bytes.data + off, '*', len) ||
               memchr(p->bytes.data + off, '?', len);
    p->w[p->nw++] = (wpat){off, len, glob};
    return 0;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One alternative: words separated by white space. */
static int add_alt(asy_kwic_pat *p, const char *s, size_t n, int fold)
{
    if (grow((void **)&p->a, &p->capa, p->na + 1, sizeof *p->a) < 0)
        return -1;
    size_t first = p->nw;
    for (size_t i = 0; i < n;) {
        while (i < n && is_sep(s[i]))
            i++;
        size_t j = i;
        while (j < n && !is_sep(s[j]))
            j++;
        if (j > i && add_word(p, s + i, j - i, fold) < 0)
            return -1;
        i = j;
    }
    if (p->nw == first)
        return 1; /* empty */
    p->a[p->na++] = (alt){first, p->nw - first};
    return 0;
}

int asy_kwic_compile(const char *spec, size_t len, int fold,
                     asy_kwic_pat **out, asy_error *err)
{
    *out = NULL;
    asy_kwic_pat *p = calloc(1, sizeof *p);
    if (!p)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    for (size_t i = 0; i <= len;) {
        size_t j = i;
        while (j < len && spec[j] != '|' && spec[j] != ',')
            j++;
        int rc = add_alt(p, spec + i, j - i, fold);
        if (rc != 0) {
            asy_kwic_free(p);
            if (rc < 0)
                return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
            return asy_error_set(err, ASSAY_E_USAGE,
                                 "kwic pattern '%.*s': empty alternative at "
                                 "byte %zu (use words or globs separated "
                                 "by '|' or ',')", (int)len, spec, i);
        }
        i = j + 1;
    }
    *out = p;
    return ASSAY_OK;
}

void asy_kwic_free(asy_kwic_pat *p)
{
    if (!p)
        return;
    asy_buf_free(&p->bytes);
    free(p->w);
    free(p->a);
    free(p);
}

/* ===================================================================== */
/* Matching                                                              */
/* ===================================================================== */

static int word_match(const asy_kwic_pat *p, const wpat *w,
                      const asy_wordstream *ws, size_t i)
{
    const char *s = asy_wordstream_norm(ws, i);
    size_t n = ws->w[i].nlen;
    const char *g = p->bytes.data + w->off;
    if (!w->glob)
        return n == w->len && memcmp(s, g, n) == 0;
    return asy_glob_match(g, w->len, s, n);
}

size_t asy_kwic_match_at(const asy_kwic_pat *p, const asy_wordstream *ws,
                         size_t i)
{
    size_t best = 0;
    for (size_t k = 0; k < p->na; k++) {
        const alt *a = &p->a[k];
        if (a->n <= best || i + a->n > ws->n)
            continue;
        size_t j = 0;
        while (j < a->n && word_match(p, &p->w[a->first + j], ws, i + j))
            j++;
        if (j == a->n)
            best = a->n;
    }
    return best;
}

int asy_kwic_find(const asy_kwic_pat *p, const asy_wordstream *ws,
                  size_t window, asy_kwic_hit **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < ws->n;) {
        size_t m = asy_kwic_match_at(p, ws, i);
        if (!m) {
            i++;
            continue;
        }
        if (grow((void **)out, &cap, *n + 1, sizeof **out) < 0) {
            free(*out);
            *out = NULL;
            *n = 0;
            return -1;
        }
        size_t lw = i > window ? i - window : 0;
        size_t rw = i + m + window < ws->n ? i + m + window : ws->n;
        (*out)[(*n)++] = (asy_kwic_hit){
            i, i + m, ws->w[lw].start, ws->w[i].start,
            ws->w[i + m - 1].end, ws->w[rw - 1].end};
        i += m;
    }
    return 0;
}
