/*
 * wordtab.h — the word table: short keys (1..16 bytes) held inline, each
 * with its occurrences and the number of rounds (documents) that met it.
 * It is the hot half of counting words (token_count.c): one probe per
 * occurrence touches one 32-byte entry, and a per-entry stamp counts
 * document frequencies without a set per document. A counter keeps one
 * in front of its own table (counter.h, asy_counter_words) and settles it
 * into itself before anything reads it; a caller may also keep one for a
 * single text and drain it (asy_counter_absorb).
 *
 * Keys are two 64-bit words in memory order, zero past the key (ascii8.h's
 * asy_load16 form), so a key must not end in a NUL byte: its length is
 * where its last non-zero byte is (asy_wordtab_len).
 */
#ifndef ASY_WORDTAB_H
#define ASY_WORDTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct asy_wordtab_entry {
    uint64_t key[2]; /* zero padded; all zero: an empty slot */
    uint64_t count;  /* occurrences */
    uint32_t docs;   /* rounds that met the key */
    uint32_t stamp;  /* the last round that met it */
} asy_wordtab_entry;

typedef struct asy_wordtab {
    asy_wordtab_entry *tab;
    uint32_t *order; /* occupied slots, in the order their keys came */
    size_t mask;     /* capacity - 1 */
    size_t used;     /* occupied slots */
    uint32_t round;  /* current round; 0 before the first */
    int packed;      /* asy_wordtab_pack'ed: entries tab[0 .. used) */
    uint64_t merged; /* rounds of the tables merged in: no docs exceeds
                        round + merged, which stays <= UINT32_MAX */
} asy_wordtab;

/* Most keys a table of cap slots holds: half. (Tried: 0.7, which keeps
 * the table half the size at times but probes further: 8 % slower on
 * wordfreq.) */
static inline size_t asy_wordtab_room(size_t cap)
{
    return cap / 2;
}

/* An empty table sized for about `hint` distinct keys (at least 64 slots).
 * 0, or -1 when out of memory (t is then empty but valid to free). */
int asy_wordtab_init(asy_wordtab *t, size_t hint);
void asy_wordtab_free(asy_wordtab *t);
/* Twice the slots; 0 or -1. */
int asy_wordtab_grow(asy_wordtab *t);
/* asy_wordtab_add's slow path: grow, then add the new key. */
int asy_wordtab_grow_add(asy_wordtab *t, const uint64_t key[2], uint32_t h);
size_t asy_wordtab_memory(const asy_wordtab *t);
/* Move the entries to the front of the table, tab[0 .. used) (order[k] =
 * k), and give the rest of its memory back: once a table is done with,
 * what it holds takes its keys' room only while it is moved on (a counter
 * settling its word table builds its own table meanwhile). A packed table
 * is no longer a hash table: only absorb and free it. */
void asy_wordtab_pack(asy_wordtab *t);

/* The length of a key: the position after its last non-zero byte (the
 * word's most significant non-zero byte on a little-endian machine, its
 * least significant one on a big-endian one). */
static inline uint32_t asy_wordtab_len(const uint64_t key[2])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if (key[1])
        return 16 - (uint32_t)__builtin_ctzll(key[1]) / 8;
    return key[0] ? 8 - (uint32_t)__builtin_ctzll(key[0]) / 8 : 0;
#else
    if (key[1])
        return 16 - (uint32_t)__builtin_clzll(key[1]) / 8;
    return key[0] ? 8 - (uint32_t)__builtin_clzll(key[0]) / 8 : 0;
#endif
}

/* Add src's numbers into t, src's document counts too when docs != 0;
 * entries new to t are stamped with no round. The keys already in t get
 * theirs on up to `threads` threads (par.h) when src is large, and many
 * new keys are put in on those threads too (in the order one thread
 * would put them in: src's slot order). 0; -1 when
 * out of memory (part of src added); 1, nothing added, when either table
 * is packed or a document count could pass 2^32 - 1 (t->round + t->merged
 * and src's would). */
int asy_wordtab_merge(asy_wordtab *t, const asy_wordtab *src, int docs,
                      int threads);

/* Start the next round: 0, or 1 when the stamps would wrap (after 2^32 - 1
 * rounds) or a document count could; the caller then drains the table
 * and starts another. */
static inline int asy_wordtab_begin(asy_wordtab *t)
{
    if ((uint64_t)t->round + t->merged >= UINT32_MAX)
        return 1;
    t->round++;
    return 0;
}

/* Start loading the slot of hash h. */
static inline void asy_wordtab_prefetch(const asy_wordtab *t, uint32_t h)
{
    __builtin_prefetch(&t->tab[h & t->mask]);
}

/* The slot holding key (hash h) in a table not packed, or -1. */
static inline long asy_wordtab_find(const asy_wordtab *t,
                                    const uint64_t key[2], uint32_t h)
{
    for (size_t i = h & t->mask;; i = (i + 1) & t->mask) {
        const asy_wordtab_entry *e = &t->tab[i];
        if (e->key[0] == key[0] && e->key[1] == key[1])
            return (long)i;
        if (!(e->key[0] | e->key[1]))
            return -1;
    }
}

/*
 * One occurrence of key (not all zero, not ending in NUL) whose
 * asy_counter_hash16 is h, in the current round: 0, or -1 when out of
 * memory. The round's first meeting with a key adds 1 to its docs, with no
 * branch: the stamp is stored either way. (Tried on the per-text tally
 * this grew from: a branch-free hit/insert path, 5-8 % slower.)
 */
static inline int asy_wordtab_add(asy_wordtab *t, const uint64_t key[2],
                                  uint32_t h)
{
    size_t i = h & t->mask;
    for (;;) {
        asy_wordtab_entry *e = &t->tab[i];
        if (e->key[0] == key[0] && e->key[1] == key[1]) {
            e->count++;
            e->docs += e->stamp != t->round;
            e->stamp = t->round;
            return 0;
        }
        if (!(e->key[0] | e->key[1]))
            break;
        i = (i + 1) & t->mask;
    }
    if (t->used + 1 > asy_wordtab_room(t->mask + 1))
        return asy_wordtab_grow_add(t, key, h);
    asy_wordtab_entry *e = &t->tab[i];
    e->key[0] = key[0];
    e->key[1] = key[1];
    e->count = 1;
    e->docs = 1;
    e->stamp = t->round;
    t->order[t->used++] = (uint32_t)i;
    return 0;
}

#endif
