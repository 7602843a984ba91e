/*
 * wordtab.c — the word table's cold paths (wordtab.h): sizing, growing,
 * packing. Adding is inline in the header, on the hot path of
 * counting. Tables of 2 MB and more get huge pages (tablemem.h): with the
 * word table at 4 MB, wordfreq takes 15 % less CPU on 2 MB texts and 18 %
 * less on 4 KB JSON Lines documents (best of 6 interleaved runs).
 */
#include <stdlib.h>
#include <string.h>

#include "counter.h"
#include "par.h"
#include "tablemem.h"
#include "wordtab.h"

#define MIN_SLOTS 64

static uint32_t entry_hash(const asy_wordtab_entry *e)
{
    return asy_counter_hash16(e->key[0], e->key[1], asy_wordtab_len(e->key));
}

int asy_wordtab_init(asy_wordtab *t, size_t hint)
{
    asy_counter_hash_ready(); /* its slots depend on it */
    size_t cap = MIN_SLOTS;
    while (asy_wordtab_room(cap) < hint && cap < ((size_t)1 << 31))
        cap *= 2;
    t->tab = asy_table_calloc(cap, sizeof *t->tab);
    t->order = malloc(asy_wordtab_room(cap) * sizeof *t->order);
    t->mask = cap - 1;
    t->used = 0;
    t->round = 0;
    t->packed = 0;
    t->merged = 0;
    if (t->tab && t->order)
        return 0;
    asy_wordtab_free(t);
    return -1;
}

void asy_wordtab_free(asy_wordtab *t)
{
    /* freed whole: the next block of entries may take its pages (the
     * other workers' tables, merged at the end of a -j run) */
    if (t->tab)
        asy_table_retire(t->tab, (t->mask + 1) * sizeof *t->tab);
    free(t->order);
    t->tab = NULL;
    t->order = NULL;
    t->mask = 0;
    t->used = 0;
}

/* The empty slot for hash h in tab (mask), by linear probing. */
static size_t empty_slot(const asy_wordtab_entry *tab, size_t mask,
                         uint32_t h)
{
    size_t j = h & mask;
    while (tab[j].key[0] | tab[j].key[1])
        j = (j + 1) & mask;
    return j;
}

#define GROW_BATCH 32 /* entries of a merge whose slots load together */

/*
 * Growing in place. The table doubles where it lies (asy_table_grow: a
 * mapped table's pages are kept, not copied or cleared again; only the new
 * half is fresh), and its entries move to their slots for the new mask
 * within it. Each entry leaves its slot before it is put back, slot by
 * slot from just after an empty one (no cluster runs across it), so that
 * no probe passes a slot not yet reached, whose entry could still leave:
 * - an entry's new home is its old one, at or before its slot in this
 *   order, or that plus the old size n, in the new half;
 * - from the empty slot to the end of the old half, an entry from slot s
 *   bound for the new half lands at s + n at the latest (every entry put
 *   there before it came from an earlier slot), so none runs off the end
 *   of the table;
 * - from the start of the old half to the empty slot, a probe that runs
 *   off the end comes round to slots already reached and stops at the
 *   latest at the entry's own, now empty.
 * (Before: a new table twice the size, the entries copied over and the
 * old table given back. In one sitting the guest spent 14 ms zeroing
 * pages in a one-thread wordfreq run over 200 MB, half of it on the sizes
 * the table went through; tables made at their final size saved 13 ms of
 * 269 there, and 9.4 of 150 at -j 2.)
 */

/* The first empty slot at or after i (the table is at most half full). */
static size_t free_from(const asy_wordtab_entry *tab, size_t mask, size_t i)
{
    while (tab[i].key[0] | tab[i].key[1])
        i = (i + 1) & mask;
    return i;
}

/* Move the entries of tab[0 .. n), now the front of tab[0 .. 2n), to their
 * slots for mask 2n - 1; moved[s] = where the entry of slot s went. */
static void rehash_in_place(asy_wordtab_entry *tab, size_t n,
                            uint32_t *moved)
{
    const size_t mask = 2 * n - 1;
    size_t gap = free_from(tab, n - 1, 0);
    for (size_t k = 1; k <= n; k++) {
        size_t s = (gap + k) & (n - 1);
        if (!(tab[s].key[0] | tab[s].key[1]))
            continue;
        asy_wordtab_entry e = tab[s];
        tab[s] = (asy_wordtab_entry){{0, 0}, 0, 0, 0};
        size_t j = free_from(tab, mask, entry_hash(&e) & mask);
        tab[j] = e;
        moved[s] = (uint32_t)j;
    }
}

int asy_wordtab_grow(asy_wordtab *t)
{
    size_t n = t->mask + 1, cap = n * 2;
    if (cap > ((size_t)1 << 32)) /* hashes are 32 bits; order too */
        return -1;
    uint32_t *moved = malloc(n * sizeof *moved);
    uint32_t *order = moved ? realloc(t->order, asy_wordtab_room(cap) *
                                                    sizeof *order)
                            : NULL;
    if (order)
        t->order = order;
    asy_wordtab_entry *tab =
        order ? asy_table_grow(t->tab, n * sizeof *tab, cap * sizeof *tab)
              : NULL;
    if (!tab) {
        free(moved);
        return -1;
    }
    rehash_in_place(tab, n, moved);
    for (size_t k = 0; k < t->used; k++)
        t->order[k] = moved[t->order[k]];
    free(moved);
    t->tab = tab;
    t->mask = cap - 1;
    return 0;
}

int asy_wordtab_grow_add(asy_wordtab *t, const uint64_t key[2], uint32_t h)
{
    if (asy_wordtab_grow(t) < 0)
        return -1;
    return asy_wordtab_add(t, key, h); /* now with room: no second grow */
}

/*
 * Merging runs in two phases. First src's entries already in t add their
 * numbers there, src's slots cut into one range a thread: each key is in
 * src once, so each entry of t is written by one thread at most, and
 * nothing moves. Then the keys new to t are put in, t grown first as
 * needed: on the same threads when there are many (place_part), else on
 * this one. src is read in slot order, not in the order its
 * keys came: its home slots then rise through the table, and so do t's
 * for the same keys (the same hash, and a mask as large or twice or half
 * as large: the usual merge of two workers' vocabularies), so both tables
 * are read as streams rather than at random. (One pass on one thread in
 * the order the keys came, the 216,165 words of a worker's table took 8-9
 * ms of the end of a -j 2 run; in that order on two threads, 4.1 ms of
 * CPU in phase one, and 2.7-3.1 in slot order.)
 */
typedef struct merge_part {
    asy_wordtab *t;
    const asy_wordtab *src;
    size_t from, to; /* src's slots from .. to */
    int docs;
    uint32_t *fresh; /* src's slots whose keys are new to t, in order */
    size_t nfresh;
    uint32_t *placed; /* phase two on threads: t's slot of fresh[i], or
                         DEFERRED */
} merge_part;

/* Add the numbers of src entry s to those of t's entry e. */
static void add_numbers(asy_wordtab_entry *e, const asy_wordtab_entry *s,
                        int docs)
{
    e->count = e->count > UINT64_MAX - s->count ? UINT64_MAX
                                                : e->count + s->count;
    e->docs += docs ? s->docs : 0; /* bounded: see merged */
}

/* Put src entry s in t's empty slot e: its key and numbers, no round. */
static void put_new(asy_wordtab_entry *e, const asy_wordtab_entry *s,
                    int docs)
{
    *e = (asy_wordtab_entry){{s->key[0], s->key[1]}, s->count,
                             docs ? s->docs : 0, 0};
}

/* Phase one for a range, GROW_BATCH entries at a time, their slots in t
 * fetched first. */
static void update_part(void *arg)
{
    merge_part *p = arg;
    const asy_wordtab_entry *stab = p->src->tab;
    asy_wordtab *t = p->t;
    uint32_t h[GROW_BATCH], at[GROW_BATCH];
    p->nfresh = 0;
    for (size_t k = p->from; k < p->to;) {
        size_t m = 0;
        for (; k < p->to && m < GROW_BATCH; k++) {
            if (!(stab[k].key[0] | stab[k].key[1]))
                continue;
            h[m] = entry_hash(&stab[k]);
            __builtin_prefetch(&t->tab[h[m] & t->mask]);
            at[m++] = (uint32_t)k;
        }
        for (size_t i = 0; i < m; i++) {
            const asy_wordtab_entry *e = &stab[at[i]];
            long j = asy_wordtab_find(t, e->key, h[i]);
            if (j < 0)
                p->fresh[p->nfresh++] = at[i];
            else
                add_numbers(&t->tab[j], e, p->docs);
        }
    }
}

/* Phase two for src's slots fresh[0 .. n) (n <= GROW_BATCH): their
 * slots in t fetched, then put in. */
static int insert_batch(asy_wordtab *t, const asy_wordtab *src,
                        const uint32_t *fresh, size_t n, int docs)
{
    uint32_t h[GROW_BATCH];
    if (t->used + n > asy_wordtab_room(t->mask + 1) &&
        asy_wordtab_grow(t) < 0) /* once is enough: n <= half the room */
        return -1;
    for (size_t i = 0; i < n; i++) {
        h[i] = entry_hash(&src->tab[fresh[i]]);
        __builtin_prefetch(&t->tab[h[i] & t->mask], 1);
    }
    for (size_t i = 0; i < n; i++) {
        const asy_wordtab_entry *s = &src->tab[fresh[i]];
        size_t at = empty_slot(t->tab, t->mask, h[i]);
        put_new(&t->tab[at], s, docs);
        t->order[t->used++] = (uint32_t)at;
    }
    return 0;
}

/* Phase two: the keys new to t, of every part, in src's slot order. */
static int insert_fresh(asy_wordtab *t, const asy_wordtab *src,
                        const merge_part *parts, int n, int docs)
{
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < parts[i].nfresh; j += GROW_BATCH) {
            size_t left = parts[i].nfresh - j;
            if (insert_batch(t, src, parts[i].fresh + j,
                             left < GROW_BATCH ? left : GROW_BATCH, docs) < 0)
                return -1;
        }
    return 0;
}

/*
 * Phase two on threads, when t has at least src's slots: each part puts
 * its new keys in the slots of t it owns, those whose low bits (src's
 * mask) are its range of src's slots, where its keys' homes are. A key
 * whose home, or whose probe, leaves them is left to this thread
 * afterwards (DEFERRED; only near the ranges' ends). A part reads and
 * writes its own slots only, and no key is in two parts, so the parts
 * need no lock; the order of t's keys stays that of one thread: part by
 * part, in src's slot order.
 */
#define DEFERRED UINT32_MAX
#define PLACE_MIN 4096 /* fewer new keys: on this thread */

static void place_part(void *arg)
{
    merge_part *p = arg;
    asy_wordtab *t = p->t;
    const asy_wordtab *src = p->src;
    const size_t smask = src->mask, from = p->from, span = p->to - p->from;
    uint32_t h[GROW_BATCH];
    for (size_t k = 0; k < p->nfresh; k += GROW_BATCH) {
        size_t n = p->nfresh - k < GROW_BATCH ? p->nfresh - k : GROW_BATCH;
        for (size_t i = 0; i < n; i++) {
            h[i] = entry_hash(&src->tab[p->fresh[k + i]]);
            __builtin_prefetch(&t->tab[h[i] & t->mask], 1);
        }
        for (size_t i = 0; i < n; i++) {
            size_t j = h[i] & t->mask;
            uint32_t at = DEFERRED;
            while (((j & smask) - from) < span) { /* a slot of this part */
                if (!(t->tab[j].key[0] | t->tab[j].key[1])) {
                    at = (uint32_t)j;
                    break;
                }
                j = (j + 1) & t->mask;
            }
            p->placed[k + i] = at;
            if (at == DEFERRED)
                continue;
            const asy_wordtab_entry *e = &src->tab[p->fresh[k + i]];
            put_new(&t->tab[at], e, p->docs);
        }
    }
}

/* Phase two on n threads (place_part), then the order of the new keys
 * and those deferred, here. 0, or -1 when out of memory (nothing put). */
static int place_fresh(asy_wordtab *t, const asy_wordtab *src,
                       merge_part *parts, int n, size_t total, int docs)
{
    while (t->used + total > asy_wordtab_room(t->mask + 1))
        if (asy_wordtab_grow(t) < 0)
            return -1;
    if (t->mask >= DEFERRED) /* a slot could read as DEFERRED */
        return insert_fresh(t, src, parts, n, docs);
    uint32_t *placed = malloc(total * sizeof *placed);
    if (!placed)
        return -1;
    size_t off = 0;
    for (int i = 0; i < n; off += parts[i].nfresh, i++)
        parts[i].placed = placed + off;
    asy_par_run(place_part, parts, sizeof *parts, n);
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < parts[i].nfresh; j++) {
            size_t at = parts[i].placed[j];
            if (at == DEFERRED) {
                const asy_wordtab_entry *e = &src->tab[parts[i].fresh[j]];
                at = empty_slot(t->tab, t->mask, entry_hash(e));
                put_new(&t->tab[at], e, docs);
            }
            t->order[t->used++] = (uint32_t)at;
        }
    free(placed);
    return 0;
}

#define MERGE_SLICE_MIN 32768 /* fewer src entries a thread: one thread */

int asy_wordtab_merge(asy_wordtab *t, const asy_wordtab *src, int docs,
                      int threads)
{
    uint64_t theirs = (uint64_t)src->round + src->merged;
    if (t->packed || src->packed ||
        (docs && (uint64_t)t->round + t->merged + theirs > UINT32_MAX))
        return 1;
    /* room at once for the larger of the two: all a merge of overlapping
     * vocabularies needs */
    while (asy_wordtab_room(t->mask + 1) < src->used)
        if (asy_wordtab_grow(t) < 0)
            return -1;
    int n = threads < 1 ? 1 : threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (n > 1 && src->used / (size_t)n < MERGE_SLICE_MIN)
        n--;
    /* each range's list of new keys: as many as its slots can hold */
    size_t slots = src->mask + 1, at[ASY_PAR_MAX + 1] = {0};
    merge_part parts[ASY_PAR_MAX];
    for (int i = 0; i < n; i++) {
        size_t from = slots / (size_t)n * (size_t)i;
        size_t to = i == n - 1 ? slots : slots / (size_t)n * (size_t)(i + 1);
        parts[i] = (merge_part){t, src, from, to, docs, NULL, 0, NULL};
        at[i + 1] = at[i] + (to - from < src->used ? to - from : src->used);
    }
    uint32_t *fresh = malloc((at[n] ? at[n] : 1) * sizeof *fresh);
    if (!fresh)
        return -1;
    for (int i = 0; i < n; i++)
        parts[i].fresh = fresh + at[i];
    asy_par_run(update_part, parts, sizeof *parts, n);
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += parts[i].nfresh;
    int rc = n > 1 && total >= PLACE_MIN && t->mask >= src->mask &&
                     total <= UINT32_MAX
                 ? place_fresh(t, src, parts, n, total, docs)
                 : insert_fresh(t, src, parts, n, docs);
    free(fresh);
    if (rc < 0)
        return -1;
    if (docs)
        t->merged += theirs;
    return 0;
}

void asy_wordtab_pack(asy_wordtab *t)
{
    if (t->packed)
        return;
    size_t w = 0, end = 0; /* slots from end on were empty already */
    for (size_t k = 0; k <= t->mask && w < t->used; k++)
        if (t->tab[k].key[0] | t->tab[k].key[1]) {
            t->tab[w++] = t->tab[k]; /* w <= k: nothing unread is lost */
            end = k + 1;
        }
    for (size_t k = 0; k < w; k++)
        t->order[k] = (uint32_t)k;
    size_t keep = w ? w : 1;
    asy_wordtab_entry *tab = asy_table_shrink(t->tab, (t->mask + 1) *
                                              sizeof *tab, keep * sizeof *tab);
    uint32_t *order = realloc(t->order, keep * sizeof *order);
    if (tab) { /* memory: keep entries (not a power of two) */
        t->tab = tab;
        t->mask = keep - 1;
    } else if (end > w) { /* the old block stays, larger than needed, its
                              rest emptied (only where entries were: the
                              pages never touched stay so) */
        memset(t->tab + w, 0, (end - w) * sizeof *t->tab);
    }
    if (order)
        t->order = order;
    t->packed = 1;
}

size_t asy_wordtab_memory(const asy_wordtab *t)
{
    if (!t->tab)
        return 0;
    if (t->packed)
        return (t->mask + 1) * (sizeof *t->tab + sizeof *t->order);
    return (t->mask + 1) * sizeof *t->tab +
           asy_wordtab_room(t->mask + 1) * sizeof *t->order;
}
