/*
 * counter_sort_mt.c — asy_counter_sorted_mt (counter.h): a large
 * counter's entries sorted by several threads at the end of a -j run,
 * where the rows of a vocabulary are sorted once, on one thread, while
 * the others wait. Each thread builds the entries of a slice (from the
 * word table, when the counter's is not settled: asy_counter_entries_split;
 * the first thread the table proper's entries too) and sets their sort
 * keys; then the array is split in place into one part a thread (round by
 * round: each part and its threads halved, a round's splits done at once,
 * each by its part's threads: split_round), and the threads sort the
 * parts where they lie, sharing the ranges still to sort (sort_parts).
 * (Before: the sorted slices were merged pairwise
 * into a scratch copy of the entries, 84 MB more at the end of a run
 * over 1.75 million n-grams, and a merge round that took 3.3 ms of a
 * -j 2 run over a 216,165-word vocabulary, against 1 ms for the split.)
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "par.h"

#define SLICE_MIN 65536 /* fewer entries a thread: not worth a thread */
#define THREADS_MAX 16 /* parts */

enum { BUILD, COUNT, FILL, SPLIT, PART, SWAP, SORT };

/* Swap e[a .. a + n) with e[b .. b + n) (SWAP). */
typedef struct swap_op {
    size_t a, b, n;
} swap_op;

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
    int front; /* BUILD: e[0 .. fixed) too, from the table proper */
    const asy_counter_entry *pivot; /* PART */
    const swap_op *ops;             /* SWAP: ops[lo .. lo + n) */
} task;

static void build_slice(const task *t)
{
    size_t lo = t->lo, hi = t->lo + t->n, fixed = t->fixed;
    if (t->front) /* every key of the table proper: fixed of them */
        asy_counter_slot_entries(t->c, 0, asy_counter_slots(t->c), t->e);
    if (hi > fixed) {
        size_t from = lo > fixed ? lo : fixed;
        asy_counter_words_entries(t->c, t->e, from - fixed, hi - fixed,
                                  t->e + from);
    }
    /* the word table's come with their sort keys */
    if (lo < fixed)
        asy_counter_sort_keys(t->e + lo, (hi < fixed ? hi : fixed) - lo);
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
    case PART:
        t->k = asy_counter_partition(t->e + t->lo, t->n, t->pivot,
                                     t->by_key);
        break;
    case SWAP:
        for (size_t i = t->lo; i < t->lo + t->n; i++)
            for (size_t j = 0; j < t->ops[i].n; j++) {
                asy_counter_entry x = t->e[t->ops[i].a + j];
                t->e[t->ops[i].a + j] = t->e[t->ops[i].b + j];
                t->e[t->ops[i].b + j] = x;
            }
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
        t[i] = (task){COUNT, 0, 1, e, lo, hi - lo, 0, 0, c, 0, NULL, NULL};
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
    /* one thread packs the word table and builds the table proper's
     * entries first; several build those in their first slice */
    int split = asy_counter_entries_split(c, k < 2, k < 2, &e, &fixed,
                                          &words);
    if (split < 0)
        return NULL;
    int front = split > 0 && k > 1;
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
    /* the word table's entries: each thread a slice, keys set; with the
     * table proper's to build, the first slice has them all and as many
     * of the word table's as make its share, one of the table proper's
     * counted as 1.5 of the word table's (its record read where it lies,
     * its sort keys set: 22 ns against 14 in a -j 2 wordfreq run) */
    size_t m = fixed + words;
    size_t first = m / (size_t)k;
    if (front) {
        size_t share = (m + fixed / 2) / (size_t)k; /* in word entries */
        first = share > fixed + fixed / 2 ? share - fixed / 2 : fixed;
    }
    task t[THREADS_MAX];
    for (int i = 0; i < k; i++) {
        size_t lo = i == 0 ? 0 : first + (m - first) / (size_t)(k - 1) *
                                             (size_t)(i - 1);
        size_t hi = i == 0       ? first
                    : i == k - 1 ? m
                                 : first + (m - first) / (size_t)(k - 1) *
                                               (size_t)i;
        t[i] = (task){BUILD, 0, 1, e, lo, hi - lo, fixed, 0, c,
                      front && i == 0, NULL, NULL};
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

/*
 * Split every part with more than one thread, the splits at once, each on
 * the part's threads: a pivot picked here (asy_counter_pivot), then each
 * thread partitions a slice of the part around it (PART); the entries of
 * the slices' right sides that lie in the room of the part's left side
 * are then swapped with the left-side entries past it (SWAP, the swaps
 * shared out among the threads). (One thread splitting the 216,165 words
 * of a -j 2 run took 0.9-1 ms, the other thread waiting.) A part too
 * short to sample is sorted whole by one thread (SPLIT).
 */
static int split_round(asy_counter_entry *e, int by_key, part *parts,
                       int nparts)
{
    task t[THREADS_MAX];
    asy_counter_entry pivot[THREADS_MAX];
    int first[THREADS_MAX + 1], nt = 0;
    for (int i = 0; i < nparts; i++) {
        first[i] = nt;
        int tn = parts[i].threads;
        if (tn < 2)
            continue;
        size_t lo = parts[i].lo, n = parts[i].n;
        size_t rank = n / (size_t)tn * (size_t)(tn / 2);
        if (!asy_counter_pivot(e + lo, n, rank, by_key, &pivot[i])) {
            t[nt++] = (task){SPLIT, by_key, tn, e, lo, n, 0, 0, NULL, 0,
                             NULL, NULL};
            continue;
        }
        for (int j = 0; j < tn; j++) {
            size_t a = n / (size_t)tn * (size_t)j;
            size_t b = j == tn - 1 ? n : n / (size_t)tn * (size_t)(j + 1);
            t[nt++] = (task){PART, by_key, 1, e, lo + a, b - a, 0, 0, NULL,
                             0, &pivot[i], NULL};
        }
    }
    first[nparts] = nt;
    if (nt == 0)
        return nparts;
    run_tasks(t, nt);
    /* each part's split, and the swaps that put its left sides first */
    swap_op ops[4 * THREADS_MAX];
    task sw[THREADS_MAX];
    int nops = 0, nsw = 0;
    size_t split[THREADS_MAX];
    for (int i = 0; i < nparts; i++) {
        if (first[i] == first[i + 1])
            continue;
        const task *pt = &t[first[i]];
        int tn = first[i + 1] - first[i];
        if (pt->kind == SPLIT) {
            split[i] = pt->k;
            continue;
        }
        size_t left = 0;
        for (int j = 0; j < tn; j++)
            left += pt[j].k;
        split[i] = left;
        size_t bound = parts[i].lo + left, moved = 0;
        /* right sides before the bound, left sides after it, in order:
         * as many entries of either */
        int r = 0, l = 0;
        size_t ra = 0, la = 0; /* how far into the current one */
        int at = nops;
        for (;;) {
            while (r < tn) { /* the next right side before the bound */
                size_t from = pt[r].lo + pt[r].k + ra;
                size_t to = pt[r].lo + pt[r].n < bound ? pt[r].lo + pt[r].n
                                                       : bound;
                if (from < to)
                    break;
                r++;
                ra = 0;
            }
            while (l < tn) { /* the next left side past the bound */
                size_t from = (pt[l].lo > bound ? pt[l].lo : bound) + la;
                size_t to = pt[l].lo + pt[l].k;
                if (from < to)
                    break;
                l++;
                la = 0;
            }
            if (r == tn || l == tn)
                break;
            size_t a = pt[r].lo + pt[r].k + ra;
            size_t aend = pt[r].lo + pt[r].n < bound ? pt[r].lo + pt[r].n
                                                     : bound;
            size_t b = (pt[l].lo > bound ? pt[l].lo : bound) + la;
            size_t bend = pt[l].lo + pt[l].k;
            size_t n = aend - a < bend - b ? aend - a : bend - b;
            ops[nops++] = (swap_op){a, b, n};
            ra += n;
            la += n;
            moved += n;
        }
        /* the swaps cut into one share a thread */
        size_t share = moved / (size_t)tn + 1;
        for (int op = at; op < nops;) {
            size_t got = 0;
            int from = op;
            while (op < nops && got + ops[op].n <= share)
                got += ops[op++].n;
            if (op < nops && got < share) { /* cut this op in two */
                size_t cut = share - got;
                memmove(&ops[op + 1], &ops[op],
                        (size_t)(nops - op) * sizeof *ops);
                nops++;
                ops[op].n = cut;
                ops[op + 1].a += cut;
                ops[op + 1].b += cut;
                ops[op + 1].n -= cut;
                op++;
            }
            sw[nsw++] = (task){SWAP, by_key, 1, e, (size_t)from,
                               (size_t)(op - from), 0, 0, NULL, 0, NULL, ops};
        }
    }
    if (nsw)
        run_tasks(sw, nsw);
    part was[THREADS_MAX];
    memcpy(was, parts, (size_t)nparts * sizeof *parts);
    int m = 0;
    for (int i = 0; i < nparts; i++) {
        if (was[i].threads < 2) {
            parts[m++] = was[i];
            continue;
        }
        size_t k = split[i];
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

/*
 * The parts sorted by the threads together: ranges of entries still to
 * sort are shared on a stack; a thread takes one, partitions it (the
 * larger side back on the stack, for any thread) until it is short, then
 * sorts that, and takes another. Parts of the same size need not take the
 * same time (ties of counts are decided by the keys, in the low counts
 * more than in the high): one thread per part left the other waiting 0.1
 * to 1.3 ms of the 7 ms sort of a -j 2 run over 216,165 words.
 */
#define SHARE_MIN 4096 /* shorter ranges are sorted by the thread that has
                          them */

typedef struct range {
    size_t lo, n;
    int depth; /* partitions left before sorting it whole anyway */
} range;

typedef struct sharing {
    asy_counter_entry *e;
    int by_key;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    range *stack;
    size_t top; /* under mu, as is busy */
    int busy;   /* threads holding a range */
} sharing;

static void sort_shared(sharing *s)
{
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (s->top == 0 && s->busy > 0)
            pthread_cond_wait(&s->cv, &s->mu);
        if (s->top == 0)
            break; /* none left, none being split: done */
        range r = s->stack[--s->top];
        s->busy++;
        pthread_mutex_unlock(&s->mu);
        while (r.n > SHARE_MIN && r.depth > 0) {
            size_t k = asy_counter_partition_step(s->e + r.lo, r.n,
                                                  s->by_key);
            range a = {r.lo, k, r.depth - 1};
            range b = {r.lo + k, r.n - k, r.depth - 1};
            pthread_mutex_lock(&s->mu);
            s->stack[s->top++] = a.n > b.n ? a : b;
            pthread_cond_signal(&s->cv);
            pthread_mutex_unlock(&s->mu);
            r = a.n > b.n ? b : a;
        }
        asy_counter_sort_ready(s->e + r.lo, r.n, s->by_key);
        pthread_mutex_lock(&s->mu);
        if (--s->busy == 0 && s->top == 0)
            pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
}

static void sort_one(void *arg)
{
    sort_shared(*(sharing **)arg);
}

/* Split e[0..m) into one part a thread, then sort the parts, the threads
 * sharing the work (or each its own part, when there is no memory for the
 * stack of ranges or its lock). */
static void sort_parts(asy_counter_entry *e, size_t m, int by_key, int k)
{
    part parts[THREADS_MAX] = {{0, m, k}};
    int nparts = 1, was;
    do {
        was = nparts;
        nparts = split_round(e, by_key, parts, nparts);
    } while (nparts != was);
    /* each range pushed is more than SHARE_MIN / 2 entries of m, or a part */
    size_t cap = 2 * (m / SHARE_MIN) + (size_t)nparts + 1;
    range *stack = nparts > 1 ? malloc(cap * sizeof *stack) : NULL;
    sharing sh = {.e = e, .by_key = by_key};
    int mu = stack && pthread_mutex_init(&sh.mu, NULL) == 0;
    int cv = mu && pthread_cond_init(&sh.cv, NULL) == 0;
    if (!cv) {
        if (mu)
            pthread_mutex_destroy(&sh.mu);
        free(stack);
        task t[THREADS_MAX];
        for (int i = 0; i < nparts; i++)
            t[i] = (task){SORT, by_key, 1, e, parts[i].lo, parts[i].n, 0, 0,
                          NULL, 0, NULL, NULL};
        run_tasks(t, nparts);
        return;
    }
    sh.stack = stack;
    for (int i = nparts; i-- > 0;) /* the first part on top */
        stack[sh.top++] = (range){parts[i].lo, parts[i].n,
                                  asy_counter_sort_depth(parts[i].n)};
    sharing *each[THREADS_MAX];
    for (int i = 0; i < nparts; i++)
        each[i] = &sh;
    asy_par_run(sort_one, each, sizeof *each, nparts);
    pthread_cond_destroy(&sh.cv);
    pthread_mutex_destroy(&sh.mu);
    free(stack);
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
