/*
 * counter_sort_mt.c — asy_counter_sorted_mt (counter.h): a large
 * counter's entries sorted by several threads at the end of a -j run,
 * where the rows of a vocabulary are sorted once, on one thread, while
 * the others wait. Each thread sorts a slice (asy_counter_sort); then the
 * sorted slices are merged pairwise, round by round, each merge done by
 * two threads at once, one from the front and one from the back.
 */
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "par.h"

#define SLICE_MIN 65536 /* fewer entries a thread: not worth a thread */
#define THREADS_MAX 16 /* slices; a merge round runs as many tasks */

enum { SORT, FRONT, BACK, COPY };

/* One piece of work: sort a[0..na) in place, or write the first (FRONT)
 * or last (BACK) k entries of the merge of a[0..na) and b[0..nb) to out,
 * or copy a[0..na) to out. */
typedef struct task {
    int kind, by_key;
    asy_counter_entry *a, *b, *out;
    size_t na, nb, k;
} task;

/* The merge is stable (a's entry first between equal ones), so that the
 * front and the back agree on where each entry goes. */
static void merge_front(const task *t)
{
    size_t i = 0, j = 0;
    for (size_t o = 0; o < t->k; o++) {
        if (j == t->nb || (i < t->na && asy_counter_entry_cmp(
                                            &t->a[i], &t->b[j], t->by_key) <= 0))
            t->out[o] = t->a[i++];
        else
            t->out[o] = t->b[j++];
    }
}

static void merge_back(const task *t)
{
    size_t i = t->na, j = t->nb, end = t->na + t->nb;
    for (size_t o = end; o-- > end - t->k;) {
        if (j == 0 || (i > 0 && asy_counter_entry_cmp(
                                    &t->a[i - 1], &t->b[j - 1], t->by_key) > 0))
            t->out[o] = t->a[--i];
        else
            t->out[o] = t->b[--j];
    }
}

static void run_task(void *arg)
{
    task *t = arg;
    switch (t->kind) {
    case SORT: asy_counter_sort(t->a, t->na, t->by_key, -1); break;
    case FRONT: merge_front(t); break;
    case BACK: merge_back(t); break;
    default: memcpy(t->out, t->a, t->na * sizeof *t->a); break;
    }
}

/* Run t[0..n) at once (par.h). */
static void run_tasks(task *t, int n)
{
    asy_par_run(run_task, t, sizeof *t, n);
}

/* Merge the sorted runs of src (starts at[0..runs], at[runs] = n) pairwise
 * into dst; *runs and at[] become those of dst. */
static void merge_round(asy_counter_entry *src, asy_counter_entry *dst,
                        size_t *at, int *runs, int by_key)
{
    task t[2 * THREADS_MAX];
    int nt = 0, r = 0;
    for (int i = 0; i < *runs; i += 2, r++) {
        size_t a = at[i], b = at[i + 1];
        size_t end = i + 1 < *runs ? at[i + 2] : b;
        if (i + 1 == *runs) { /* the odd one out */
            t[nt++] = (task){COPY, by_key, src + a, NULL, dst + a,
                             end - a, 0, 0};
        } else {
            size_t na = b - a, nb = end - b, half = (na + nb) / 2;
            t[nt++] = (task){FRONT, by_key, src + a, src + b, dst + a,
                             na, nb, half};
            t[nt++] = (task){BACK, by_key, src + a, src + b, dst + a,
                             na, nb, na + nb - half};
        }
        at[r] = a;
    }
    at[r] = at[*runs];
    *runs = r;
    run_tasks(t, nt);
}

asy_counter_entry *asy_counter_sorted_mt(const asy_counter *c, int by_key,
                                         size_t *n, int threads)
{
    asy_counter_entry *e = asy_counter_entries(c, n);
    if (!e)
        return NULL;
    size_t m = *n;
    int k = threads < THREADS_MAX ? threads : THREADS_MAX;
    while (k > 1 && m / (size_t)k < SLICE_MIN)
        k--;
    asy_counter_entry *tmp = k > 1 ? malloc(m * sizeof *tmp) : NULL;
    if (!tmp) { /* one thread, or no room to merge */
        asy_counter_sort(e, m, by_key, -1);
        return e;
    }
    task t[THREADS_MAX];
    size_t at[THREADS_MAX + 1];
    for (int i = 0; i <= k; i++)
        at[i] = m / (size_t)k * (size_t)i + (i == k ? m % (size_t)k : 0);
    for (int i = 0; i < k; i++)
        t[i] = (task){SORT, by_key, e + at[i], NULL, NULL,
                      at[i + 1] - at[i], 0, 0};
    run_tasks(t, k);
    int runs = k;
    asy_counter_entry *src = e, *dst = tmp;
    while (runs > 1) {
        merge_round(src, dst, at, &runs, by_key);
        asy_counter_entry *swap = src;
        src = dst;
        dst = swap;
    }
    /* the result goes back into e's block, which also holds the keys of
     * a word table read unsettled (asy_counter_entries) */
    if (src != e)
        memcpy(e, src, m * sizeof *e);
    free(tmp);
    return e;
}
