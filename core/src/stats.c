/*
 * stats.c — contingency-table scores for collocations and keyness (see
 * stats.h). Formulas: Dunning (1993) for G², Manning & Schütze (1999,
 * ch. 5) for t-score, chi² and pointwise MI, Hardie (2014) for log ratio.
 * Whole-table scoring walks counters once and sorts deterministically.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* ===================================================================== */
/* Cell formulas                                                         */
/* ===================================================================== */

static double xlogx_e(double o, double e)
{
    return o > 0 ? o * log(o / e) : 0.0;
}

double asy_stats_g2(double o11, double o12, double o21, double o22)
{
    double r1 = o11 + o12, r2 = o21 + o22, k1 = o11 + o21, k2 = o12 + o22;
    double n = r1 + r2;
    if (r1 <= 0 || r2 <= 0 || k1 <= 0 || k2 <= 0)
        return 0.0;
    double s = xlogx_e(o11, r1 * k1 / n) + xlogx_e(o12, r1 * k2 / n) +
               xlogx_e(o21, r2 * k1 / n) + xlogx_e(o22, r2 * k2 / n);
    return s > 0 ? 2.0 * s : 0.0; /* rounding can give -1e-13 */
}

double asy_stats_chi2(double o11, double o12, double o21, double o22)
{
    double r1 = o11 + o12, r2 = o21 + o22, k1 = o11 + o21, k2 = o12 + o22;
    if (r1 <= 0 || r2 <= 0 || k1 <= 0 || k2 <= 0)
        return 0.0;
    double d = o11 * o22 - o12 * o21;
    /* divide step by step: r1*r2*k1*k2 overflows nothing in double, but
     * keeps precision better this way for large N */
    return (r1 + r2) * (d / r1) * (d / r2) / k1 / k2;
}

int asy_stats_bigram(int64_t c12, int64_t c1, int64_t c2, int64_t n,
                     asy_assoc *out)
{
    if (c12 < 1 || c12 > c1 || c12 > c2 || c1 + c2 - c12 > n)
        return -1;
    double o11 = (double)c12, o12 = (double)(c1 - c12),
           o21 = (double)(c2 - c12), o22 = (double)(n - c1 - c2 + c12);
    double e11 = (double)c1 * (double)c2 / (double)n;
    out->mi = log2(o11 / e11);
    out->t = (o11 - e11) / sqrt(o11);
    out->g2 = asy_stats_g2(o11, o12, o21, o22);
    out->chi2 = asy_stats_chi2(o11, o12, o21, o22);
    return 0;
}

int asy_stats_keyness(int64_t a, int64_t b, int64_t c, int64_t d,
                      asy_keyness *out)
{
    if (a < 0 || b < 0 || a > c || b > d || c <= 0 || d <= 0)
        return -1;
    double o11 = (double)a, o12 = (double)b, o21 = (double)(c - a),
           o22 = (double)(d - b);
    double sign = o11 / (double)c >= o12 / (double)d ? 1.0 : -1.0;
    out->g2 = sign * asy_stats_g2(o11, o12, o21, o22);
    out->chi2 = sign * asy_stats_chi2(o11, o12, o21, o22);
    double fa = a ? o11 : 0.5, fb = b ? o12 : 0.5;
    out->log_ratio = log2((fa / (double)c) / (fb / (double)d));
    return 0;
}

/* ===================================================================== */
/* Collocation tables                                                    */
/* ===================================================================== */

/* qsort has no context argument: the sort key is chosen by a comparator
 * per score, all sharing the tie-break. */
static int key_order(const char *a, size_t al, const char *b, size_t bl)
{
    int r = memcmp(a, b, al < bl ? al : bl);
    return r ? r : (al > bl) - (al < bl);
}

#define DESC(x, y) ((x) > (y) ? -1 : (x) < (y) ? 1 : 0)
#define COLLOC_CMP(fname, expr)                                        \
    static int fname(const void *pa, const void *pb)                   \
    {                                                                  \
        const asy_colloc *a = pa, *b = pb;                             \
        int r = DESC(a->expr, b->expr);                                \
        return r ? r : key_order(a->key, a->len, b->key, b->len);      \
    }
COLLOC_CMP(by_g2, s.g2)
COLLOC_CMP(by_mi, s.mi)
COLLOC_CMP(by_t, s.t)
COLLOC_CMP(by_chi2, s.chi2)
COLLOC_CMP(by_count, c12)

typedef int (*cmp_fn)(const void *, const void *);

static cmp_fn colloc_cmp(const char *sort_by)
{
    static const struct {
        const char *name;
        cmp_fn fn;
    } t[] = {{"log_likelihood", by_g2}, {"mi", by_mi}, {"t_score", by_t},
             {"chi2", by_chi2},         {"count", by_count}};
    if (!sort_by)
        return by_g2;
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(sort_by, t[k].name) == 0)
            return t[k].fn;
    return NULL;
}

/* Fill r from one bigram entry; 0 when it cannot be scored. */
static int score_bigram(const asy_counter_entry *e, const asy_counter *uni,
                        int64_t n, asy_colloc *r)
{
    const char *sp = memchr(e->key, ' ', e->len);
    if (!sp)
        return 0;
    size_t split = (size_t)(sp - e->key);
    r->key = e->key;
    r->len = e->len;
    r->split = split;
    r->c12 = e->count;
    r->c1 = asy_counter_get(uni, e->key, split);
    r->c2 = asy_counter_get(uni, sp + 1, e->len - split - 1);
    return asy_stats_bigram(r->c12, r->c1, r->c2, n, &r->s) == 0;
}

int asy_stats_collocations(const asy_counter *bigrams,
                           const asy_counter *unigrams, int64_t n,
                           int64_t min_count, const char *sort_by,
                           asy_colloc **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    cmp_fn cmp = colloc_cmp(sort_by);
    if (!cmp)
        return -2;
    if (asy_counter_settle(bigrams) < 0 || asy_counter_settle(unigrams) < 0)
        return -1; /* else a look-up would miss what is not settled */
    size_t m;
    asy_counter_entry *e = asy_counter_sorted(bigrams, 0, &m);
    if (!e)
        return asy_counter_size(bigrams) ? -1 : 0;
    asy_colloc *r = malloc((m ? m : 1) * sizeof *r);
    if (!r) {
        free(e);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < m && e[i].count >= min_count; i++)
        k += (size_t)score_bigram(&e[i], unigrams, n, &r[k]);
    free(e);
    qsort(r, k, sizeof *r, cmp);
    *out = r;
    *nout = k;
    return 0;
}

/* ===================================================================== */
/* Keyness tables                                                        */
/* ===================================================================== */

static int by_keyness(const void *pa, const void *pb)
{
    const asy_keyrow *a = pa, *b = pb;
    int r = DESC(a->k.g2, b->k.g2);
    return r ? r : key_order(a->key, a->len, b->key, b->len);
}

/* Rows for the entries e[0..m) of one side, the other side's count looked
 * up in `other`. The reference side skips words the target side has
 * (already emitted), so each word appears once. */
static size_t key_rows(const asy_counter_entry *e, size_t m,
                       const asy_counter *other, int from_target,
                       int64_t min_count, int64_t c, int64_t d,
                       asy_keyrow *r)
{
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        int64_t o = asy_counter_get(other, e[i].key, e[i].len);
        if (!from_target && o)
            continue; /* counted from the target side */
        int64_t a = from_target ? e[i].count : 0;
        int64_t b = from_target ? o : e[i].count;
        if (a + b < min_count || a < 0 || b < 0)
            continue;
        r[k] = (asy_keyrow){e[i].key, e[i].len, a, b, {0, 0, 0}};
        k += asy_stats_keyness(a, b, c, d, &r[k].k) == 0;
    }
    return k;
}

int asy_stats_keywords(const asy_counter *target, const asy_counter *ref,
                       int64_t min_count, asy_keyrow **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (asy_counter_settle(target) < 0 || asy_counter_settle(ref) < 0)
        return -1; /* else totals and look-ups would miss part */
    int64_t c = asy_counter_total(target), d = asy_counter_total(ref);
    if (c <= 0 || d <= 0)
        return -1;
    size_t mt, mr;
    asy_counter_entry *et = asy_counter_sorted(target, 1, &mt);
    asy_counter_entry *er = asy_counter_sorted(ref, 1, &mr);
    asy_keyrow *r = malloc((mt + mr + 1) * sizeof *r);
    int rc = -1;
    if (et && er && r) {
        size_t k = key_rows(et, mt, ref, 1, min_count, c, d, r);
        k += key_rows(er, mr, target, 0, min_count, c, d, r + k);
        qsort(r, k, sizeof *r, by_keyness);
        *out = r;
        *nout = k;
        r = NULL;
        rc = 0;
    }
    free(et);
    free(er);
    free(r);
    return rc;
}
