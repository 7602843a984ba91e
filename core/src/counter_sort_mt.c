/*
 * counter_sort_mt.c — asy_counter_sorted_mt (counter.h): a large
 * counter's entries sorted by several threads at the end of a -j run,
 * where the rows of a vocabulary are sorted once, on one thread, while
 * the others wait. Each thread builds the entries of a slice (from the
 * word table, when the counter's is not settled: asy_counter_entries_split)
 * and sets their sort keys; then the array is split in place into one
 * part a thread (asy_counter_split, round by round: each part and its
 * threads halved, a round's splits done at once), and each thread sorts
 * its part where it lies. (Before: the sorted slices were merged pairwise
 * into a scratch copy of the entries, 84 MB more at the end of a run
 * over 1.75 million n-grams, and a merge round that took 3.3 ms of a
 * -j 2 run over a 216,165-word vocabulary, against 1 ms for the split.)
 */
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "par.h"

#define SLICE_MIN 65536 /* fewer entries a thread: not worth a thread */
#define THREADS_MAX 16 /* parts */

enum { BUILD, COUNT, FILL, SPLIT, SORT };

/* One piece of work on the block e: build entries lo .. lo + n (those
 * below `fixed` are there already; the others come from the word table
 * of c: asy_counter_words_entries) and set their sort keys (BUILD); count
 * the keys in slots lo .. lo + n of c's table proper, into k (COUNT), or
 * put their entries, sort keys set, at e + fixed (FILL); split the part
 * e[lo .. lo + n) for `threads` threads, about n * (threads / 2) / threads
 * entries to the first half, at k (SPLIT); or sort that part (SORT). */
typedef struct task {
    int kind, by_key, threads;
    asy_counter_entry *e;
    size_t lo, n, fixed, k;
    const asy_counter *c;
} task;

static void build_slice(const task *t)
{
    size_t lo = t->lo, hi = t->lo + t->n, fixed = t->fixed;
    if (hi > fixed) {
        size_t from = lo > fixed ? lo : fixed;
        asy_counter_words_entries(t->c, t->e, from - fixed, hi - fixed,
                                  t->e + from);
    }
    asy_counter_sort_keys(t->e + lo, t->n);
}

static void run_task(void *arg)
{
    task *t = arg;
    switch (t->kind) {
    case BUILD: build_slice(t); break;
    case COUNT:
        t->k = asy_counter_slot_entries(t->c, t->lo, t->lo + t->n, NULL);
        break;
    case FILL:
        t->k = asy_counter_slot_entries(t->c, t->lo, t->lo + t->n,
                                        t->e + t->fixed);
        asy_counter_sort_keys(t->e + t->fixed, t->k);
        break;
    case SPLIT:
        t->k = asy_counter_split(t->e + t->lo, t->n,
                                 t->n / (size_t)t->threads *
                                     (size_t)(t->threads / 2),
                                 t->by_key);
        break;
    default: asy_counter_sort_ready(t->e + t->lo, t->n, t->by_key); break;
    }
}

/* Run t[0..n) at once (par.h). */
static void run_tasks(task *t, int n)
{
    asy_par_run(run_task, t, sizeof *t, n);
}

/* The entries of c's table proper, built by k threads, each reading a
 * range of its slots (counted first, for where each range's entries go);
 * sort keys set. Returns how many. */
static size_t fill_from_slots(const asy_counter *c, asy_counter_entry *e,
                              size_t slots, int k)
{
    task t[THREADS_MAX];
    for (int i = 0; i < k; i++) {
        size_t lo = slots / (size_t)k * (size_t)i;
        size_t hi = i == k - 1 ? slots : slots / (size_t)k * (size_t)(i + 1);
        t[i] = (task){COUNT, 0, 1, e, lo, hi - lo, 0, 0, c};
    }
    if (k > 1) /* one thread puts its entries at the start uncounted */
        run_tasks(t, k);
    size_t at = 0;
    for (int i = 0; i < k; i++) {
        t[i].kind = FILL;
        t[i].fixed = at;
        at += t[i].k;
    }
    run_tasks(t, k);
    size_t n = 0; /* FILL: how many each put */
    for (int i = 0; i < k; i++)
        n += t[i].k;
    return n;
}

/* The entries of c in a block, sort keys set, built by up to k threads;
 * *n of them; NULL when empty or out of memory. */
static asy_counter_entry *entries(const asy_counter *c, int k, size_t *n)
{
    asy_counter_entry *e;
    size_t fixed, words;
    *n = 0;
    int split = asy_counter_entries_split(c, k < 2, &e, &fixed, &words);
    if (split < 0)
        return NULL;
    if (split == 0) {
        size_t slots;
        int r = asy_counter_entries_slots(c, &e, &slots);
        if (r < 0)
            return NULL;
        if (r > 0) { /* the table proper: its slots shared out */
            *n = fill_from_slots(c, e, slots, k);
            return e;
        }
        /* a word table with keys also in the table proper: on one thread */
        if (!(e = asy_counter_entries(c, n)))
            return NULL;
        fixed = *n;
        words = 0;
    }
    /* the word table's entries: each thread a slice, keys set */
    size_t m = fixed + words;
    task t[THREADS_MAX];
    for (int i = 0; i < k; i++) {
        size_t lo = m / (size_t)k * (size_t)i;
        size_t hi = i == k - 1 ? m : m / (size_t)k * (size_t)(i + 1);
        t[i] = (task){BUILD, 0, 1, e, lo, hi - lo, fixed, 0, c};
    }
    run_tasks(t, k);
    *n = m;
    return e;
}

/* A part of the block and the threads it has. */
typedef struct part {
    size_t lo, n;
    int threads;
} part;

/* Split every part with more than one thread, the splits at once. */
static int split_round(asy_counter_entry *e, int by_key, part *parts,
                       int nparts)
{
    task t[THREADS_MAX];
    int nt = 0;
    for (int i = 0; i < nparts; i++)
        if (parts[i].threads > 1)
            t[nt++] = (task){SPLIT, by_key, parts[i].threads, e,
                             parts[i].lo, parts[i].n, 0, 0, NULL};
    if (nt == 0)
        return nparts;
    run_tasks(t, nt);
    part was[THREADS_MAX];
    memcpy(was, parts, (size_t)nparts * sizeof *parts);
    int m = 0, j = 0;
    for (int i = 0; i < nparts; i++) {
        if (was[i].threads < 2) {
            parts[m++] = was[i];
            continue;
        }
        size_t k = t[j++].k;
        int left = was[i].threads / 2;
        parts[m++] = (part){was[i].lo, k, left};
        parts[m++] = (part){was[i].lo + k, was[i].n - k,
                            was[i].threads - left};
    }
    return m;
}

/* Threads for m entries: up to `threads`, each with SLICE_MIN at least. */
static int threads_for(size_t m, int threads)
{
    int k = threads < THREADS_MAX ? threads : THREADS_MAX;
    while (k > 1 && m / (size_t)k < SLICE_MIN)
        k--;
    return k < 1 ? 1 : k;
}

/* Split e[0..m) into one part a thread, then sort the parts at once. */
static void sort_parts(asy_counter_entry *e, size_t m, int by_key, int k)
{
    part parts[THREADS_MAX] = {{0, m, k}};
    int nparts = 1, was;
    do {
        was = nparts;
        nparts = split_round(e, by_key, parts, nparts);
    } while (nparts != was);
    task t[THREADS_MAX];
    for (int i = 0; i < nparts; i++)
        t[i] = (task){SORT, by_key, 1, e, parts[i].lo, parts[i].n, 0, 0,
                      NULL};
    run_tasks(t, nparts);
}

asy_counter_entry *asy_counter_sorted_mt(const asy_counter *c, int by_key,
                                         size_t *n, int threads)
{
    /* about as many keys as c holds (without settling it to count them) */
    size_t m = asy_counter_entries_bytes(c) / sizeof(asy_counter_entry);
    int k = threads_for(m, threads);
    asy_counter_entry *e = entries(c, k, n);
    if (!e)
        return NULL;
    sort_parts(e, *n, by_key, k);
    return e;
}

void asy_counter_sort_mt(asy_counter_entry *e, size_t n, int by_key,
                         int threads)
{
    if (n > 1)
        sort_parts(e, n, by_key, threads_for(n, threads));
}
