/*
 * stats.c — contingency-table scores for collocations and keyness (see
 * stats.h). Formulas: Dunning (1993) for G², Manning & Schütze (1999,
 * ch. 5) for t-score, chi² and pointwise MI, Hardie (2014) for log ratio.
 * Whole-table scoring walks counters once and sorts deterministically.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "par.h"
#include "stats.h"
#include "tablemem.h"

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

/*
 * The bigrams are read from the slots of their settled table, one range a
 * thread; those seen min_count times or more are scored into rows, each
 * range's rows from where the occupied slots before it end (the gaps
 * closed up after). The rows are then ordered through a counter entry
 * each, the score as its count, the row's index as its document count,
 * sorted on the threads (asy_counter_sort_mt: score descending, then key
 * bytewise), and the rows permuted into that order in place. (Before:
 * every bigram sorted by count on one thread to find those over
 * min_count, and glibc's qsort, a merge sort through a scratch copy, on
 * the 80-byte rows.)
 */
#define SCORE_CHUNK 256          /* slots read at a time */
#define SCORE_SLOTS_MIN 65536    /* fewer slots a thread: not worth one */

typedef enum { BY_G2, BY_MI, BY_T, BY_CHI2, BY_COUNT } colloc_by;

static int colloc_by_name(const char *sort_by, colloc_by *by)
{
    static const struct {
        const char *name;
        colloc_by by;
    } t[] = {{"log_likelihood", BY_G2}, {"mi", BY_MI}, {"t_score", BY_T},
             {"chi2", BY_CHI2},         {"count", BY_COUNT}};
    if (!sort_by) {
        *by = BY_G2;
        return 0;
    }
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (strcmp(sort_by, t[k].name) == 0) {
            *by = t[k].by;
            return 0;
        }
    return -1;
}

/* A score as an integer that orders like it: -0 as 0, NaN below all. */
static int64_t score_order(double d)
{
    if (d != d)
        return INT64_MIN;
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    int64_t m = (int64_t)(b & ~((uint64_t)1 << 63));
    return b >> 63 ? -m : m;
}

static int64_t row_order(const asy_colloc *r, colloc_by by)
{
    switch (by) {
    case BY_MI: return score_order(r->s.mi);
    case BY_T: return score_order(r->s.t);
    case BY_CHI2: return score_order(r->s.chi2);
    case BY_COUNT: return r->c12;
    default: return score_order(r->s.g2);
    }
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

/* One thread's share: slots lo .. hi of the bigrams, counted (OCCUPIED)
 * or scored into r (SCORE), k of them; or rows lo .. hi made entries at
 * e (ORDER). */
typedef struct colloc_task {
    enum { OCCUPIED, SCORE, ORDER } kind;
    const asy_counter *bi, *uni;
    int64_t n, min_count;
    colloc_by by;
    size_t lo, hi, k;
    asy_colloc *r;
    asy_counter_entry *e;
} colloc_task;

/* The count kept in a local and stored once: the tasks lie side by side,
 * and a store for every row would pass their cache lines between the
 * threads. */
static void score_slots(colloc_task *t)
{
    asy_counter_entry chunk[SCORE_CHUNK];
    asy_colloc *r = t->r;
    size_t k = 0;
    for (size_t s = t->lo; s < t->hi; s += SCORE_CHUNK) {
        size_t to = t->hi - s < SCORE_CHUNK ? t->hi : s + SCORE_CHUNK;
        size_t m = asy_counter_slot_entries(t->bi, s, to, chunk);
        for (size_t i = 0; i < m; i++)
            if (chunk[i].count >= t->min_count)
                k += (size_t)score_bigram(&chunk[i], t->uni, t->n, &r[k]);
    }
    t->k = k;
}

static void run_colloc_task(void *arg)
{
    colloc_task *t = arg;
    switch (t->kind) {
    case OCCUPIED:
        t->k = asy_counter_slot_entries(t->bi, t->lo, t->hi, NULL);
        break;
    case SCORE: score_slots(t); break;
    default:
        for (size_t j = t->lo; j < t->hi; j++)
            t->e[j] = (asy_counter_entry){t->r[j].key, t->r[j].len,
                                          row_order(&t->r[j], t->by),
                                          (int64_t)j, 0, 0};
        asy_counter_sort_keys(t->e + t->lo, t->hi - t->lo);
    }
}

/* Put r[0..n) in the order of e (e[j].docs: the row that goes to j), one
 * cycle of the permutation at a time; e's document counts are spent. */
static void permute_rows(asy_colloc *r, asy_counter_entry *e, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        if ((size_t)e[j].docs == j)
            continue;
        asy_colloc first = r[j];
        size_t k = j;
        for (;;) {
            size_t from = (size_t)e[k].docs;
            e[k].docs = (int64_t)k;
            if (from == j) {
                r[k] = first;
                break;
            }
            r[k] = r[from];
            k = from;
        }
    }
}

/* Score the bigrams on k threads into *rows (NULL when there are none),
 * *nrows of them: 0, or -1 when out of memory. */
static int score_all(const asy_counter *bi, const asy_counter *uni,
                     int64_t n, int64_t min_count, int k, asy_colloc **rows,
                     size_t *nrows)
{
    size_t slots = asy_counter_slots(bi);
    colloc_task t[ASY_PAR_MAX];
    for (int i = 0; i < k; i++)
        t[i] = (colloc_task){OCCUPIED, bi, uni, n, min_count, BY_G2,
                             slots / (size_t)k * (size_t)i,
                             i == k - 1 ? slots
                                        : slots / (size_t)k * (size_t)(i + 1),
                             0, NULL, NULL};
    asy_par_run(run_colloc_task, t, sizeof *t, k);
    size_t room = 0;
    for (int i = 0; i < k; i++)
        room += t[i].k;
    *rows = NULL;
    *nrows = 0;
    if (room == 0)
        return 0;
    asy_colloc *r = malloc(room * sizeof *r);
    if (!r)
        return -1;
    size_t at = 0; /* each range's rows where its occupied slots' would go */
    for (int i = 0; i < k; i++) {
        size_t occupied = t[i].k;
        t[i].kind = SCORE;
        t[i].r = r + at;
        at += occupied;
    }
    asy_par_run(run_colloc_task, t, sizeof *t, k);
    size_t m = 0; /* the gaps closed up: slots not scored */
    for (int i = 0; i < k; i++) {
        if (t[i].r != r + m)
            memmove(r + m, t[i].r, t[i].k * sizeof *r);
        m += t[i].k;
    }
    if (m == 0) {
        free(r);
        return 0;
    }
    *rows = r;
    *nrows = m;
    return 0;
}

int asy_stats_collocations(const asy_counter *bigrams,
                           const asy_counter *unigrams, int64_t n,
                           int64_t min_count, const char *sort_by,
                           int threads, asy_colloc **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    colloc_by by;
    if (colloc_by_name(sort_by, &by) < 0)
        return -2;
    if (asy_counter_settle(bigrams) < 0 || asy_counter_settle(unigrams) < 0)
        return -1; /* else a look-up would miss what is not settled */
    /* the rows and their order come from malloc: a table retired for the
     * next block of entries (tablemem.h) is given back first, so that it
     * is not held under them (a -j 2 run's other bigram table: 69 MB more
     * at the peak) */
    asy_table_trim();
    if (asy_counter_size(bigrams) == 0)
        return 0;
    int k = threads < 1 ? 1 : threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (k > 1 && asy_counter_slots(bigrams) / (size_t)k < SCORE_SLOTS_MIN)
        k--;
    size_t m;
    asy_colloc *r;
    if (score_all(bigrams, unigrams, n, min_count, k, &r, &m) < 0)
        return -1;
    if (m == 0)
        return 0;
    asy_counter_entry *e = malloc(m * sizeof *e);
    if (!e) {
        free(r);
        return -1;
    }
    colloc_task t[ASY_PAR_MAX];
    for (int i = 0; i < k; i++)
        t[i] = (colloc_task){ORDER, NULL, NULL, 0, 0, by,
                             m / (size_t)k * (size_t)i,
                             i == k - 1 ? m : m / (size_t)k * (size_t)(i + 1),
                             0, r, e};
    asy_par_run(run_colloc_task, t, sizeof *t, k);
    asy_counter_sort_mt(e, m, 0, k);
    permute_rows(r, e, m);
    free(e);
    *out = r;
    *nout = m;
    return 0;
}

/* ===================================================================== */
/* Keyness tables                                                        */
/* ===================================================================== */

/* Keys bytewise, the shorter first when one begins the other. */
static int key_order(const char *a, size_t al, const char *b, size_t bl)
{
    int r = memcmp(a, b, al < bl ? al : bl);
    return r ? r : (al > bl) - (al < bl);
}

#define DESC(x, y) ((x) > (y) ? -1 : (x) < (y) ? 1 : 0)

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
    asy_counter_entries_free(et);
    asy_counter_entries_free(er);
    free(r);
    return rc;
}
