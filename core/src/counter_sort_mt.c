/*
 * counter_sort_mt.c — asy_counter_sorted_mt (counter.h): a large
 * counter's entries sorted by several threads at the end of a -j run,
 * where the rows of a vocabulary are sorted once, on one thread, while
 * the others wait. Each thread builds the entries of a slice (from the
 * word table, when the counter's is not settled: asy_counter_entries_split)
 * and sorts them (asy_counter_sort); then the sorted slices are merged
 * pairwise, round by round, each merge done by two threads at once, one
 * from the front and one from the back. The slices are built in whichever
 * of the two arrays lets the last round write into the one returned.
 * (Before: the entries built on one thread, the slices sorted where they
 * were and the merged result copied back: 13 and 3 ms of the end of a
 * -j 2 run over a 216,165-word vocabulary.)
 */
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "par.h"

#define SLICE_MIN 65536 /* fewer entries a thread: not worth a thread */
#define THREADS_MAX 16 /* slices; a merge round runs as many tasks */

enum { BUILD, FRONT, BACK, COPY };

/* One piece of work: build entries k .. k + na of the block a, those below
 * nb (its first ones, already there) copied, the others from the word
 * table of c (asy_counter_words_entries), into out[k ..] and sort them
 * there (BUILD); or write the first (FRONT) or last (BACK) k entries of the
 * merge of a[0..na) and b[0..nb) to out; or copy a[0..na) to out. */
typedef struct task {
    int kind, by_key;
    asy_counter_entry *a, *b, *out;
    size_t na, nb, k;
    const asy_counter *c;
} task;

static void build_slice(const task *t)
{
    size_t lo = t->k, hi = t->k + t->na, fixed = t->nb;
    if (lo < fixed && t->out != t->a)
        memcpy(t->out + lo, t->a + lo,
               ((hi < fixed ? hi : fixed) - lo) * sizeof *t->out);
    if (hi > fixed) {
        size_t from = lo > fixed ? lo : fixed;
        asy_counter_words_entries(t->c, t->a, from - fixed, hi - fixed,
                                  t->out + from);
    }
    asy_counter_sort(t->out + lo, t->na, t->by_key, -1);
}

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
    case BUILD: build_slice(t); break;
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
                             end - a, 0, 0, NULL};
        } else {
            size_t na = b - a, nb = end - b, half = (na + nb) / 2;
            t[nt++] = (task){FRONT, by_key, src + a, src + b, dst + a,
                             na, nb, half, NULL};
            t[nt++] = (task){BACK, by_key, src + a, src + b, dst + a,
                             na, nb, na + nb - half, NULL};
        }
        at[r] = a;
    }
    at[r] = at[*runs];
    *runs = r;
    run_tasks(t, nt);
}

/* The entries of c in a block (its first *fixed already there, the rest
 * for asy_counter_words_entries); *n all of them; NULL when empty or out
 * of memory. */
static asy_counter_entry *entries(const asy_counter *c, int threads,
                                  size_t *fixed, size_t *n)
{
    asy_counter_entry *e;
    size_t words;
    int split = asy_counter_entries_split(c, threads < 2, &e, fixed, &words);
    if (split < 0)
        return NULL;
    if (split == 0) { /* all built here */
        e = asy_counter_entries(c, n);
        *fixed = *n;
        return e;
    }
    *n = *fixed + words;
    return e;
}

asy_counter_entry *asy_counter_sorted_mt(const asy_counter *c, int by_key,
                                         size_t *n, int threads)
{
    size_t fixed;
    asy_counter_entry *e = entries(c, threads, &fixed, n);
    if (!e)
        return NULL;
    size_t m = *n;
    int k = threads < THREADS_MAX ? threads : THREADS_MAX;
    while (k > 1 && m / (size_t)k < SLICE_MIN)
        k--;
    asy_counter_entry *tmp = k > 1 ? malloc(m * sizeof *tmp) : NULL;
    if (!tmp) { /* one thread, or no room to merge */
        task all = {BUILD, by_key, e, NULL, e, m, fixed, 0, c};
        build_slice(&all);
        return e;
    }
    int rounds = 0;
    for (int runs = k; runs > 1; runs = (runs + 1) / 2)
        rounds++;
    /* the last round writes into e, which also holds the keys of a word
     * table read unsettled (asy_counter_entries) */
    asy_counter_entry *src = rounds % 2 ? tmp : e, *dst = src == e ? tmp : e;
    task t[THREADS_MAX];
    size_t at[THREADS_MAX + 1];
    for (int i = 0; i <= k; i++)
        at[i] = m / (size_t)k * (size_t)i + (i == k ? m % (size_t)k : 0);
    for (int i = 0; i < k; i++)
        t[i] = (task){BUILD, by_key, e, NULL, src, at[i + 1] - at[i], fixed,
                      at[i], c};
    run_tasks(t, k);
    for (int runs = k; runs > 1;) {
        merge_round(src, dst, at, &runs, by_key);
        asy_counter_entry *swap = src;
        src = dst;
        dst = swap;
    }
    free(tmp);
    return e;
}
