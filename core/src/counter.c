/*
 * counter.c — string -> int64 count tables (see counter.h): the kernel of
 * word-frequency counting, so the insert path is kept short and branch-light.
 *
 * Open addressing with linear probing over a power-of-two table, load
 * factor <= 0.7. A slot is 16 bytes: 32 bits of the key's hash (which
 * pick the bucket, filter comparisons, and are reused when growing or
 * merging), the key length and a pointer to the key's record in an arena
 * of large blocks: the int64 count, then the key bytes and a NUL. The count
 * lives next to the key because the key is read anyway to confirm a match,
 * so a hit touches one table line and one arena line, and small slots keep
 * more of the table in cache. Adding a new key costs no malloc of its own.
 * A paired counter's records hold a second int64 (the document count)
 * between the count and the key, so that word counts and document
 * frequencies cost one probe and one record, not two of each.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "counter.h"
#include "par.h"
#include "tablemem.h"

typedef struct slot {
    uint32_t h32; /* hash: the bucket is h32 & mask */
    uint32_t len; /* key length (keys >= 4 GiB are refused) */
    char *rec;    /* int64 count, key bytes, NUL; NULL: empty slot */
} slot;

/* The record is 8-byte aligned (the arena rounds every record up). */
static inline int64_t *slot_count(const slot *s)
{
    return (int64_t *)(void *)s->rec;
}

/* The document count of a paired counter's record. */
static inline int64_t *slot_docs(const slot *s)
{
    return (int64_t *)(void *)(s->rec + 8);
}

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(8) char data[];
} block;

struct asy_counter {
    slot *tab;
    size_t mask;  /* capacity - 1 */
    size_t size;  /* occupied slots */
    size_t limit; /* grow when size would exceed this */
    int64_t total;
    block *arena;
    size_t arena_bytes;
    size_t next_block; /* size of the next arena block */
    uint8_t *stamp;    /* per slot: the distinct round that last counted
                          it (NULL until asy_counter_begin_distinct); a
                          byte, cleared when the rounds wrap every 255 */
    uint8_t round;     /* current distinct round, 0 = none yet */
    int round_open;    /* a round is under way (asy_counter_end_round) */
    size_t koff;       /* key offset in a record: 8, or 16 when paired */
    asy_wordtab *words; /* counts not yet settled (asy_counter_words_begin) */
    size_t nshort;      /* keys of up to 16 bytes in the table proper: none,
                           and none is in the word table too (count_twins) */
};

static inline const char *slot_key(const asy_counter *c, const slot *s)
{
    return s->rec + c->koff;
}

#define MIN_CAP 64
#define FIRST_BLOCK 4096
#define MAX_BLOCK (1u << 20)

/* ===================================================================== */
/* Hashing                                                               */
/* ===================================================================== */

/*
 * Keys longer than 16 bytes are hashed a word at a time: the key is
 * consumed 8 bytes at a time and each word is folded in with a
 * 64x64->128-bit multiply whose halves are xor-ed together ("folded
 * multiply"), which mixes every input bit into every output bit in one
 * instruction pair. Keys of up to 16 bytes — most words — are read with
 * overlapping loads into two zero-padded words and hashed once
 * (asy_counter_hash16 in counter.h: CRC32C where the CPU has it, else the
 * folded multiply; so that the word table, which holds short words that
 * way, computes the same hash without the bytes); there is no byte loop
 * at all. Values are only used in-process (the saved form is ordered by
 * key), so native byte order is fine.
 */
int asy_counter_hash_crc = 0;
uint64_t asy_counter_hash_key[2] = {0x9E3779B97F4A7C15ull,
                                    0xC2B2AE3D27D4EB4Full};

static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static atomic_int hash_fixed; /* a hashed table exists: no more changes */

static int cpu_has_crc(void)
{
#if ASY_HASH_CRC
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
#else
    return 0;
#endif
}

static void pick_hash(void)
{
    asy_counter_hash_crc = cpu_has_crc();
    uint64_t k[2];
    if (getrandom(k, sizeof k, GRND_NONBLOCK) == (ssize_t)sizeof k) {
        asy_counter_hash_key[0] = k[0] | 1; /* odd: a bijection */
        asy_counter_hash_key[1] = k[1] | 1;
    } /* else the fixed odd defaults: still not linear, only not secret */
}

/* Chosen before main() too, so that no thread ever sees it change (the
 * earliest priority a program may use: a table made in a constructor of
 * the embedding program's own calls asy_counter_hash_ready first anyway). */
__attribute__((constructor(101))) static void pick_hash_early(void)
{
    pthread_once(&hash_once, pick_hash);
}

void asy_counter_hash_ready(void)
{
    pthread_once(&hash_once, pick_hash);
    if (!atomic_load_explicit(&hash_fixed, memory_order_relaxed))
        atomic_store_explicit(&hash_fixed, 1, memory_order_relaxed);
}

int asy_counter_hash_select(int crc)
{
    pthread_once(&hash_once, pick_hash);
    if (atomic_load_explicit(&hash_fixed, memory_order_relaxed))
        return -1;
    asy_counter_hash_crc = crc && cpu_has_crc();
    return asy_counter_hash_crc;
}

#define K0 0x9E3779B97F4A7C15ull
#define K1 0xC2B2AE3D27D4EB4Full
#define K2 0x165667B19E3779F9ull

static inline uint64_t fold(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t ld64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t ld32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* A key of n <= 16 bytes as two zero-padded words in memory order
 * (asy_counter_hash16's form), read without touching p[n]: overlapping
 * loads, the overlap shifted out. */
static inline void load_short(const char *p, size_t n, uint64_t w[2])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n >= 8) {
        w[0] = ld64(p);
        w[1] = n > 8 ? ld64(p + n - 8) >> (8 * (16 - n)) : 0;
    } else if (n >= 4) {
        w[0] = ld32(p) | ld32(p + n - 4) << (8 * (n - 4));
        w[1] = 0;
    } else {
        w[0] = n ? (uint64_t)(unsigned char)p[0] |
                       (uint64_t)(unsigned char)p[n >> 1] << (8 * (n >> 1)) |
                       (uint64_t)(unsigned char)p[n - 1] << (8 * (n - 1))
                 : 0;
        w[1] = 0;
    }
#else
    char buf[16] = {0};
    memcpy(buf, p, n);
    memcpy(w, buf, 16);
#endif
}

/* Keys longer than 16 bytes (rare among words): 8 bytes a step. */
static uint32_t hash_long(const char *p, size_t n)
{
    uint64_t h = K0 ^ ((uint64_t)n * K1);
    const char *end = p + n;
    while (end - p > 8) {
        h = fold(ld64(p) ^ K1, h ^ K2);
        p += 8;
    }
    h = fold(ld64(end - 8) ^ K2, h ^ K1);
    return (uint32_t)(h ^ h >> 32);
}

static inline uint32_t hash_key(const char *p, size_t n)
{
    if (n > 16)
        return hash_long(p, n);
    uint64_t w[2];
    load_short(p, n, w);
    return asy_counter_hash16(w[0], w[1], n);
}

uint32_t asy_counter_hash(const char *key, size_t len)
{
    return hash_key(key ? key : "", key ? len : 0);
}

/* Key equality without a libc call for the short keys that dominate. */
static inline int key_eq(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16)
        return ld64(a) == ld64(b) && ld64(a + n - 8) == ld64(b + n - 8);
    if (n >= 4 && n < 8)
        return ld32(a) == ld32(b) && ld32(a + n - 4) == ld32(b + n - 4);
    if (n < 4) {
        for (size_t k = 0; k < n; k++)
            if (a[k] != b[k])
                return 0;
        return 1;
    }
    return memcmp(a, b, n) == 0;
}

/* ===================================================================== */
/* Arena                                                                 */
/* ===================================================================== */

/* New record (count 0, key, NUL) in the arena. Blocks grow geometrically
 * from 4 KiB to 1 MiB so that small per-document counters stay small. */
static char *intern(asy_counter *c, const char *key, size_t len)
{
    block *b = c->arena;
    size_t need = (c->koff + len + 1 + 7) & ~(size_t)7;
    if (!b || b->cap - b->used < need) {
        size_t cap = c->next_block;
        if (cap < need)
            cap = need;
        if (cap > SIZE_MAX - sizeof *b)
            return NULL;
        block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->cap = cap;
        nb->used = 0;
        nb->next = c->arena;
        c->arena = b = nb;
        c->arena_bytes += sizeof *nb + cap;
        if (c->next_block < MAX_BLOCK)
            c->next_block *= 2;
    }
    char *rec = b->data + b->used;
    memset(rec, 0, c->koff);
    if (len)
        memcpy(rec + c->koff, key, len);
    rec[c->koff + len] = '\0';
    b->used += need;
    return rec;
}

/* ===================================================================== */
/* Table                                                                 */
/* ===================================================================== */

static int64_t sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

asy_counter *asy_counter_new(void)
{
    asy_counter_hash_ready();
    asy_counter *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->tab = asy_table_calloc(MIN_CAP, sizeof *c->tab);
    if (!c->tab) {
        free(c);
        return NULL;
    }
    c->mask = MIN_CAP - 1;
    c->limit = MIN_CAP * 7 / 10;
    c->next_block = FIRST_BLOCK;
    c->koff = 8;
    return c;
}

/* The slots and the stamps (tablemem.h: freed with their sizes). */
static void release_tables(asy_counter *c)
{
    asy_table_release(c->tab, (c->mask + 1) * sizeof *c->tab);
    asy_table_release(c->stamp, (c->mask + 1) * sizeof *c->stamp);
}

static void free_blocks(block *b)
{
    for (block *next; b; b = next) {
        next = b->next;
        free(b);
    }
}

void asy_counter_retire_words(asy_counter *c)
{
    if (c && c->words) /* freed whole: retired (wordtab.c) */
        asy_wordtab_free(c->words);
}

void asy_counter_free(asy_counter *c)
{
    if (!c)
        return;
    free_blocks(c->arena);
    /* freed whole: the next block of entries may take its pages */
    asy_table_retire(c->tab, (c->mask + 1) * sizeof *c->tab);
    asy_table_release(c->stamp, (c->mask + 1) * sizeof *c->stamp);
    if (c->words)
        asy_wordtab_free(c->words);
    free(c->words);
    free(c);
}

/* The table at cap slots (a larger power of two), re-placing every slot
 * (and its stamp) by its cached hash. Between rounds the stamps are not
 * carried over but given back: the next round takes fresh ones. (A
 * table of n-grams growing as a worker's is merged into it at the end of
 * a -j run held its old stamps and new ones twice as large.) */
static int grow_to(asy_counter *c, size_t cap)
{
    if (cap > ((size_t)1 << 32))
        return -1; /* h32 cannot address more buckets */
    int stamps = c->stamp && c->round_open;
    slot *t = asy_table_calloc(cap, sizeof *t);
    uint8_t *st = stamps ? asy_table_calloc(cap, sizeof *st) : NULL;
    if (!t || (stamps && !st)) {
        asy_table_release(t, cap * sizeof *t);
        asy_table_release(st, cap * sizeof *st);
        return -1;
    }
    for (size_t k = 0; k <= c->mask; k++) {
        if (!c->tab[k].rec)
            continue;
        size_t i = c->tab[k].h32 & (cap - 1);
        while (t[i].rec)
            i = (i + 1) & (cap - 1);
        t[i] = c->tab[k];
        if (st)
            st[i] = c->stamp[k];
    }
    release_tables(c);
    c->stamp = st;
    c->tab = t;
    c->mask = cap - 1;
    c->limit = cap / 10 * 7 + (cap % 10) * 7 / 10;
    return 0;
}

static int grow(asy_counter *c)
{
    return grow_to(c, (c->mask + 1) * 2);
}

/* Grow the table at once to where n keys fit without growing again. */
static int reserve(asy_counter *c, size_t n)
{
    size_t cap = c->mask + 1;
    while (cap / 10 * 7 + (cap % 10) * 7 / 10 < n && cap <= ((size_t)1 << 32))
        cap *= 2;
    return cap > c->mask + 1 ? grow_to(c, cap) : 0;
}

/* The slot holding key, or the empty slot where it would go. */
static inline slot *find(const asy_counter *c, const char *key, size_t len,
                         uint32_t h)
{
    size_t i = h & c->mask;
    for (;;) {
        slot *s = &c->tab[i];
        if (!s->rec ||
            (s->h32 == h && s->len == len && key_eq(slot_key(c, s), key, len)))
            return s;
        i = (i + 1) & c->mask;
    }
}

/* Fill the empty slot s (found for key) with a new record; the slot may
 * move when the table grows. NULL when out of memory. */
static slot *insert(asy_counter *c, slot *s, const char *key, size_t len,
                    uint32_t h)
{
    if (len > UINT32_MAX)
        return NULL;
    if (c->size >= c->limit) {
        if (grow(c) < 0)
            return NULL;
        s = find(c, key, len, h);
    }
    char *rec = intern(c, key, len);
    if (!rec)
        return NULL;
    s->h32 = h;
    s->len = (uint32_t)len;
    s->rec = rec;
    c->size++;
    c->nshort += len <= 16;
    return s;
}

/* The slot of key, a new record (count 0) if it has none; NULL when out
 * of memory. */
static inline slot *upsert(asy_counter *c, const char *key, size_t len,
                           uint32_t h)
{
    slot *s = find(c, key, len, h);
    return s->rec ? s : insert(c, s, key, len, h);
}

/* n to the count of s (and to the counter's total). */
static inline void bump(asy_counter *c, slot *s, int64_t n)
{
    int64_t *cnt = slot_count(s);
    *cnt = sat_add(*cnt, n);
    c->total = sat_add(c->total, n);
}

/* 1 the first time the current distinct round meets s (stamped now),
 * else 0. */
static inline int first_in_round(asy_counter *c, const slot *s)
{
    uint8_t *st = &c->stamp[s - c->tab];
    if (*st == c->round)
        return 0;
    *st = c->round;
    return 1;
}

static inline int add_hashed(asy_counter *c, const char *key, size_t len,
                             uint32_t h, int64_t n)
{
    slot *s = upsert(c, key, len, h);
    if (!s)
        return -1;
    bump(c, s, n);
    return 0;
}

/* add_hashed for a paired counter: n to the count, d to the document
 * count. */
static inline int add_pair(asy_counter *c, const char *key, size_t len,
                           uint32_t h, int64_t n, int64_t d)
{
    slot *s = upsert(c, key, len, h);
    if (!s)
        return -1;
    bump(c, s, n);
    int64_t *docs = slot_docs(s);
    *docs = sat_add(*docs, d);
    return 0;
}

int asy_counter_add_h(asy_counter *c, const char *key, size_t len,
                      uint32_t h, int64_t n)
{
    return add_hashed(c, key, len, h, n);
}

int asy_counter_add2_h(asy_counter *c, const char *key, size_t len,
                       uint32_t h, int64_t n, int64_t docs)
{
    if (c->koff != 16)
        return -1;
    return add_pair(c, key, len, h, n, docs);
}

/* Prefetch the buckets of a batch, then the records already in them, so
 * that the batch's cache misses overlap. Always inlined: as a function of
 * its own, GCC finds it free of side effects (a prefetch has none) and
 * drops the call. (Tried: a pipeline prefetching the bucket of key i + 16
 * and the record of key i + 8 while adding key i; slower on wordfreq.) */
static inline __attribute__((always_inline)) void
prefetch_batch(const asy_counter *c, size_t n, const uint32_t *h)
{
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&c->tab[h[i] & c->mask]);
    for (size_t i = 0; i < n; i++) { /* the buckets are arriving */
        const char *rec = c->tab[h[i] & c->mask].rec;
        if (rec)
            __builtin_prefetch(rec);
    }
}

int asy_counter_begin_distinct(asy_counter *c)
{
    if (!c->stamp &&
        !(c->stamp = asy_table_calloc(c->mask + 1, sizeof *c->stamp)))
        return -1;
    if (++c->round == 0) { /* wrapped: forget every old round */
        memset(c->stamp, 0, (c->mask + 1) * sizeof *c->stamp);
        c->round = 1;
    }
    c->round_open = 1;
    return 0;
}

void asy_counter_end_round(asy_counter *c)
{
    c->round_open = 0;
}

void asy_counter_end_rounds(asy_counter *c)
{
    c->round_open = 0;
    if (!c->stamp)
        return;
    asy_table_release(c->stamp, (c->mask + 1) * sizeof *c->stamp);
    c->stamp = NULL;
}

int asy_counter_add_distinct(asy_counter *c, const char *key, size_t len,
                             uint32_t h)
{
    if (!c->stamp)
        return -1; /* no round begun */
    slot *s = upsert(c, key, len, h);
    if (!s)
        return -1;
    if (!first_in_round(c, s))
        return 0;
    bump(c, s, 1);
    return 1;
}

static inline int add_doc(asy_counter *c, const char *key, size_t len,
                          uint32_t h, int64_t n)
{
    slot *s = upsert(c, key, len, h);
    if (!s)
        return -1;
    bump(c, s, n);
    if (!first_in_round(c, s))
        return 0;
    int64_t *docs = slot_docs(s);
    *docs = sat_add(*docs, 1);
    return 1;
}

int asy_counter_add_doc(asy_counter *c, const char *key, size_t len,
                        uint32_t h, int64_t n)
{
    if (!c->stamp || c->koff != 16)
        return -1; /* no round begun, or not paired */
    return add_doc(c, key, len, h, n);
}

int asy_counter_add_keys(asy_counter *c, const char *const *keys,
                         const uint32_t *lens, const uint32_t *h, size_t n)
{
    if (n > ASY_COUNTER_BATCH)
        return -1;
    prefetch_batch(c, n, h);
    for (size_t i = 0; i < n; i++)
        if (add_hashed(c, keys[i], lens[i], h[i], 1) < 0)
            return -1;
    return 0;
}

int asy_counter_add_docs(asy_counter *c, const char *const *keys,
                         const uint32_t *lens, const uint32_t *h, size_t n)
{
    if (!c->stamp || c->koff != 16 || n > ASY_COUNTER_BATCH)
        return -1; /* no round begun, not paired, or too many */
    prefetch_batch(c, n, h);
    for (size_t i = 0; i < n; i++)
        if (add_doc(c, keys[i], lens[i], h[i], 1) < 0)
            return -1;
    return 0;
}

/* ===================================================================== */
/* The word table in front                                               */
/* ===================================================================== */

#define ABSORB_BATCH 64 /* keys whose buckets are prefetched together */
/* Or-ed into `what` by merges: add t's numbers into c, leaving t as it is
 * (a merge's source is read only). */
#define ABSORB_KEEP 0x10

/* Move entries t->order[from .. from + n) of t into c (see absorb). */
static int absorb_batch(asy_counter *c, asy_wordtab *t, size_t from,
                        size_t n, int what)
{
    const int keep = what & ABSORB_KEEP;
    what &= ~ABSORB_KEEP;
    uint32_t h[ABSORB_BATCH], len[ABSORB_BATCH];
    for (size_t j = 0; j < n; j++) {
        const asy_wordtab_entry *e = &t->tab[t->order[from + j]];
        len[j] = asy_wordtab_len(e->key);
        h[j] = asy_counter_hash16(e->key[0], e->key[1], len[j]);
    }
    prefetch_batch(c, n, h);
    for (size_t j = 0; j < n; j++) {
        asy_wordtab_entry *e = &t->tab[t->order[from + j]];
        slot *s = upsert(c, (const char *)e->key, len[j], h[j]);
        if (!s)
            return -1;
        if (what == ASY_ABSORB_DOCS) {
            bump(c, s, e->docs);
            if (!keep)
                e->docs = 0;
            continue;
        }
        bump(c, s, (int64_t)e->count);
        if (!keep)
            e->count = 0;
        if (what == ASY_ABSORB_PAIRED) {
            *slot_docs(s) = sat_add(*slot_docs(s), e->docs);
            if (!keep)
                e->docs = 0;
        }
    }
    return 0;
}

int asy_counter_absorb(asy_counter *c, asy_wordtab *t, int what)
{
    if ((what & ~ABSORB_KEEP) == ASY_ABSORB_PAIRED && c->koff != 16)
        return -1;
    for (size_t i = 0; i < t->used; i += ABSORB_BATCH) {
        size_t n = t->used - i < ABSORB_BATCH ? t->used - i : ABSORB_BATCH;
        if (absorb_batch(c, t, i, n, what) < 0)
            return -1;
    }
    return 0;
}

/* Move the word table into the table proper and free it (kept, its moved
 * entries at 0, when memory runs out: -1). Reads call it through a cast:
 * they change no count, only where the counts are kept. */
static int settle(asy_counter *c)
{
    if (!c->words)
        return 0;
    /* the table's entries packed first (its memory given back) and this
     * table made large enough for them at once: the word table and this
     * one, growing, are never both whole in memory */
    asy_wordtab_pack(c->words);
    if (reserve(c, c->size + c->words->used) < 0)
        return -1;
    if (asy_counter_absorb(c, c->words, c->koff == 16 ? ASY_ABSORB_PAIRED
                                                      : ASY_ABSORB_COUNTS) < 0)
        return -1;
    asy_wordtab_free(c->words);
    free(c->words);
    c->words = NULL;
    return 0;
}

asy_wordtab *asy_counter_words_begin(asy_counter *c)
{
    if (c->words && !c->words->packed && asy_wordtab_begin(c->words) == 0)
        return c->words;
    if (c->words && settle(c) < 0) /* its stamps would wrap, or a settle
                                      ran out of memory half-way */
        return NULL;
    asy_wordtab *t = malloc(sizeof *t);
    if (!t || asy_wordtab_init(t, 512) < 0) {
        free(t);
        return NULL;
    }
    c->words = t;
    asy_wordtab_begin(t);
    return t;
}

/* Re-intern every record with room for a document count (0): into a new
 * arena first, so that running out of memory leaves c as it was. */
int asy_counter_pair(asy_counter *c)
{
    if (c->koff == 16)
        return 0;
    if (settle(c) < 0)
        return -1;
    block *old = c->arena;
    size_t old_bytes = c->arena_bytes, old_next = c->next_block;
    c->arena = NULL;
    c->arena_bytes = 0;
    c->next_block = FIRST_BLOCK;
    c->koff = 16;
    char **recs = c->size ? malloc(c->size * sizeof *recs) : NULL;
    size_t m = 0;
    for (size_t k = 0; k <= c->mask && (recs || !c->size); k++) {
        const slot *s = &c->tab[k];
        if (!s->rec)
            continue;
        if (!(recs[m] = intern(c, s->rec + 8, s->len)))
            break;
        memcpy(recs[m++], s->rec, 8); /* the count */
    }
    if (m != c->size) { /* out of memory: back to the old records */
        free(recs);
        free_blocks(c->arena);
        c->arena = old;
        c->arena_bytes = old_bytes;
        c->next_block = old_next;
        c->koff = 8;
        return -1;
    }
    for (size_t k = 0, i = 0; k <= c->mask; k++)
        if (c->tab[k].rec)
            c->tab[k].rec = recs[i++];
    free(recs);
    free_blocks(old);
    return 0;
}

int asy_counter_paired(const asy_counter *c)
{
    return c->koff == 16;
}

int asy_counter_add(asy_counter *c, const char *key, size_t len, int64_t n)
{
    if (!key && len)
        return -1;
    if (!key)
        key = "";
    return add_hashed(c, key, len, hash_key(key, len), n);
}

int asy_counter_settle(const asy_counter *c)
{
    return c->words ? settle((asy_counter *)c) : 0;
}

/* settle() for a read: it changes where counts are kept, not what they
 * are (see counter.h). */
static inline void settle_read(const asy_counter *c)
{
    asy_counter_settle(c);
}

int64_t asy_counter_get(const asy_counter *c, const char *key, size_t len)
{
    settle_read(c);
    if (!key) {
        if (len)
            return 0;
        key = "";
    }
    const slot *s = find(c, key, len, hash_key(key, len));
    return s->rec ? *slot_count(s) : 0;
}

int64_t asy_counter_get_docs(const asy_counter *c, const char *key,
                             size_t len)
{
    if (c->koff != 16 || (!key && len))
        return 0;
    settle_read(c);
    if (!key)
        key = "";
    const slot *s = find(c, key, len, hash_key(key, len));
    return s->rec ? *slot_docs(s) : 0;
}

size_t asy_counter_size(const asy_counter *c)
{
    settle_read(c);
    return c->size;
}

int64_t asy_counter_total(const asy_counter *c)
{
    settle_read(c);
    return c->total;
}

size_t asy_counter_memory(const asy_counter *c)
{
    return sizeof *c + (c->mask + 1) * sizeof(slot) + c->arena_bytes +
           (c->stamp ? (c->mask + 1) * sizeof *c->stamp : 0) +
           (c->words ? sizeof *c->words + asy_wordtab_memory(c->words) : 0);
}

/* Merging is a walk of random look-ups in two tables (and their records)
 * that no longer fit in cache: done a batch at a time, each step
 * prefetching what the next needs, so that the batch's misses overlap. */
#define MERGE_BATCH 32

/* Visit src's slots in a scrambled order (an odd multiplier is a bijection
 * modulo a power of two): in slot order the keys come sorted by their low
 * hash bits, and a smaller dst growing mid-walk would take them as long
 * runs of neighbouring buckets, each insert probing further than the
 * last. This is slot k of that order. */
static inline const slot *scrambled(const asy_counter *src, size_t k)
{
    return &src->tab[(k * 0x9E3779B97F4A7C15ull) & src->mask];
}

/* Add src's slots from scrambled position k on (MERGE_BATCH of them, or
 * what is left) to dst. */
static int merge_batch(asy_counter *dst, const asy_counter *src, size_t k)
{
    size_t n = src->mask + 1 - k < MERGE_BATCH ? src->mask + 1 - k
                                               : MERGE_BATCH;
    const slot *b[MERGE_BATCH];
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(scrambled(src, k + i));
    for (size_t i = 0; i < n; i++) { /* the slots are arriving */
        const slot *s = scrambled(src, k + i);
        if (!s->rec)
            continue;
        __builtin_prefetch(s->rec);
        __builtin_prefetch(&dst->tab[s->h32 & dst->mask]);
        b[m++] = s;
    }
    for (size_t i = 0; i < m; i++) { /* dst's buckets are arriving */
        const char *rec = dst->tab[b[i]->h32 & dst->mask].rec;
        if (rec)
            __builtin_prefetch(rec);
    }
    for (size_t i = 0; i < m; i++) {
        const slot *s = b[i];
        int r = dst->koff == 16
                    ? add_pair(dst, slot_key(src, s), s->len, s->h32,
                               *slot_count(s),
                               src->koff == 16 ? *slot_docs(s) : 0)
                    : add_hashed(dst, slot_key(src, s), s->len, s->h32,
                                 *slot_count(s));
        if (r < 0)
            return -1;
    }
    return 0;
}

/*
 * A large table proper is merged in two phases, as a word table is
 * (wordtab.c): first the keys dst already holds get src's numbers, src's
 * slots (in the scrambled order) cut into one range a thread: each key is
 * in src once, so each of dst's records is written by one thread at most,
 * and nothing in dst moves. Then, on this thread, the keys new to dst go
 * in, range after range, in the order each range met them. dst's total is
 * src's counts added to it in that scrambled order, as one thread adds
 * them: when no count is negative and dst's total is not, the order does
 * not matter and the ranges' sums are added; otherwise src is walked again.
 * When memory runs out half-way, the total becomes the sum of the counts
 * dst then holds. The lists of new keys take 4 bytes a slot of src while
 * the merge runs.
 * (On one thread, 1.75 million n-grams of a worker took 120-220 ms of the
 * end of a -j 2 run.)
 */
#define MERGE_RANGE_MIN 8192 /* fewer of src's keys a thread: one thread */

typedef struct merge_range {
    asy_counter *dst;
    const asy_counter *src;
    size_t from, to;     /* scrambled positions in src */
    uint32_t *fresh;     /* those (less from) whose keys dst lacks */
    size_t nfresh;
    int64_t sum;         /* of src's counts (saturating), */
    int negative;        /* unless one was negative */
} merge_range;

/* n and src slot s's document count into dst's record d. */
static void add_into(asy_counter *dst, slot *d, const asy_counter *src,
                     const slot *s, int64_t n)
{
    *slot_count(d) = sat_add(*slot_count(d), n);
    if (dst->koff == 16)
        *slot_docs(d) = sat_add(*slot_docs(d),
                                src->koff == 16 ? *slot_docs(s) : 0);
}

/* Phase one for a range, a batch at a time, fetched as merge_batch does. */
static void merge_found(void *arg)
{
    merge_range *r = arg;
    asy_counter *dst = r->dst;
    const asy_counter *src = r->src;
    r->nfresh = 0;
    for (size_t k = r->from; k < r->to; k += MERGE_BATCH) {
        size_t n = r->to - k < MERGE_BATCH ? r->to - k : MERGE_BATCH;
        const slot *b[MERGE_BATCH];
        uint32_t at[MERGE_BATCH];
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            __builtin_prefetch(scrambled(src, k + i));
        for (size_t i = 0; i < n; i++) {
            const slot *s = scrambled(src, k + i);
            if (!s->rec)
                continue;
            __builtin_prefetch(s->rec);
            __builtin_prefetch(&dst->tab[s->h32 & dst->mask]);
            at[m] = (uint32_t)(k + i - r->from);
            b[m++] = s;
        }
        for (size_t i = 0; i < m; i++) {
            const char *rec = dst->tab[b[i]->h32 & dst->mask].rec;
            if (rec)
                __builtin_prefetch(rec);
        }
        for (size_t i = 0; i < m; i++) {
            const slot *s = b[i];
            int64_t c = *slot_count(s);
            if (c < 0)
                r->negative = 1;
            else
                r->sum = sat_add(r->sum, c);
            slot *d = find(dst, slot_key(src, s), s->len, s->h32);
            if (d->rec)
                add_into(dst, d, src, s, c);
            else
                r->fresh[r->nfresh++] = at[i];
        }
    }
}

/* src's table proper into dst's on up to `threads` threads: 0, -1 when
 * out of memory, 1 when not done (too small, or no room for the lists of
 * new keys: merge_batch, on this thread). */
static int merge_threaded(asy_counter *dst, const asy_counter *src,
                          int threads)
{
    size_t slots = src->mask + 1;
    int n = threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (n > 1 && src->size / (size_t)n < MERGE_RANGE_MIN)
        n--;
    if (n < 2 || slots / (size_t)n > UINT32_MAX)
        return 1;
    merge_range r[ASY_PAR_MAX];
    size_t at[ASY_PAR_MAX + 1] = {0}; /* where each range's list starts */
    for (int i = 0; i < n; i++) {
        size_t from = slots / (size_t)n * (size_t)i;
        size_t to = i == n - 1 ? slots : slots / (size_t)n * (size_t)(i + 1);
        r[i] = (merge_range){dst, src, from, to, NULL, 0, 0, 0};
        /* as many as the range's keys can be */
        at[i + 1] = at[i] + (to - from < src->size ? to - from : src->size);
    }
    uint32_t *fresh = malloc(at[n] * sizeof *fresh);
    if (!fresh)
        return 1;
    for (int i = 0; i < n; i++)
        r[i].fresh = fresh + at[i];
    int64_t before = dst->total;
    asy_par_run(merge_found, r, sizeof *r, n);
    int rc = 0, negative = 0;
    int64_t sum = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        negative |= r[i].negative;
        sum = sat_add(sum, r[i].sum);
        for (size_t j = 0; j < r[i].nfresh && rc == 0; j++) {
            const slot *s = scrambled(src, r[i].from + r[i].fresh[j]);
            slot *d = upsert(dst, slot_key(src, s), s->len, s->h32);
            if (d)
                add_into(dst, d, src, s, *slot_count(s));
            else
                rc = -1;
        }
    }
    free(fresh);
    if (rc < 0) { /* the total of the counts merged so far, as they are */
        dst->total = 0;
        for (size_t k = 0; k <= dst->mask; k++)
            if (dst->tab[k].rec)
                dst->total = sat_add(dst->total, *slot_count(&dst->tab[k]));
        return -1;
    }
    if (!negative && before >= 0) {
        dst->total = sat_add(before, sum);
    } else { /* in src's scrambled order, as merge_batch adds */
        dst->total = before;
        for (size_t k = 0; k < slots; k++) {
            const slot *s = scrambled(src, k);
            if (s->rec)
                dst->total = sat_add(dst->total, *slot_count(s));
        }
    }
    return 0;
}

/*
 * src's word table, when it has one, is added as it is rather than settled
 * into src first: a worker's counter handed over at the end of a -j run
 * (lua_serialize.h) comes with its whole vocabulary in its word table, and
 * settling it would build a second table of every key only to walk it
 * once. (Merging a 216,165-word counter handed over that way: 20 ms, was
 * 54 ms for serialising, loading and merging it.)
 */
int asy_counter_merge(asy_counter *dst, const asy_counter *src)
{
    return asy_counter_merge_mt(dst, src, 1);
}

int asy_counter_merge_mt(asy_counter *dst, const asy_counter *src,
                         int threads)
{
    if (dst == src && settle(dst) < 0)
        return -1;
    if (dst == src) { /* doubling in place: adding would grow mid-walk */
        for (size_t k = 0; k <= dst->mask; k++) {
            const slot *s = &dst->tab[k];
            if (!s->rec)
                continue;
            *slot_count(s) = sat_add(*slot_count(s), *slot_count(s));
            if (dst->koff == 16)
                *slot_docs(s) = sat_add(*slot_docs(s), *slot_docs(s));
        }
        dst->total = sat_add(dst->total, dst->total);
        return 0;
    }
    /* a paired src makes dst paired: its document counts are kept */
    if (src->koff == 16 && asy_counter_pair(dst) < 0)
        return -1;
    /* src's word table into dst's where both have one: entry to entry,
     * the keys inline (a worker's 216,165 words: 30 -> 9 ms), and no key
     * of it lands in dst's table proper, where reading the entries would
     * find it twice */
    int left = 1; /* src's word table is left to add to the table proper */
    if (src->words && dst->words)
        left = asy_wordtab_merge(dst->words, src->words, src->koff == 16,
                                 threads);
    if (left < 0)
        return -1;
    /* room at once for as many keys as the larger of the two holds: all
     * the merge needs when their keys overlap (vocabularies do), and never
     * more than it will take */
    size_t more = src->size + (src->words && left ? src->words->used : 0);
    if (reserve(dst, dst->size > more ? dst->size : more) < 0)
        return -1;
    int serial = merge_threaded(dst, src, threads);
    if (serial < 0)
        return -1;
    for (size_t k = 0; serial && k <= src->mask; k += MERGE_BATCH)
        if (merge_batch(dst, src, k) < 0)
            return -1;
    if (!src->words || !left)
        return 0;
    int what = src->koff == 16 ? ASY_ABSORB_PAIRED : ASY_ABSORB_COUNTS;
    /* with ABSORB_KEEP the word table is only read */
    return asy_counter_absorb(dst, (asy_wordtab *)src->words,
                              what | ABSORB_KEEP);
}

/* ===================================================================== */
/* Sorted iteration                                                      */
/* ===================================================================== */

/* A word of key bytes as a number that orders like them, and back. */
static inline uint64_t ordered(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return __builtin_bswap64(w);
#else
    return w;
#endif
}

/* The first k <= 8 bytes of p as a number that orders like the bytes. */
static inline uint64_t prefix8(const char *p, size_t k)
{
    uint64_t w[2];
    load_short(p, k, w);
    return ordered(w[0]);
}

/* Bytewise key order: the common prefix, then shorter first. Sorting a
 * large vocabulary by count is mostly ties broken here: the first 8 bytes
 * are compared as numbers, without a call. */
static inline int key_cmp(const char *a, size_t alen, const char *b,
                          size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    size_t k = n < 8 ? n : 8;
    uint64_t x = prefix8(a, k), y = prefix8(b, k);
    if (x != y)
        return x < y ? -1 : 1;
    if (n > 8) {
        int r = memcmp(a + 8, b + 8, n - 8);
        if (r)
            return r;
    }
    return (alen > blen) - (alen < blen);
}

/* The two orders: by key, or by count (descending) then key. Ties of a
 * vocabulary's counts are broken by the keys' first 16 bytes, kept in the
 * entries (pfx, sfx): without them every such comparison read two keys
 * scattered in memory, and sorting 216,165 words took 65 ms. */
static inline int entry_cmp(const asy_counter_entry *a,
                            const asy_counter_entry *b, int by_key)
{
    if (!by_key && a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->pfx != b->pfx)
        return a->pfx < b->pfx ? -1 : 1;
    if (a->sfx != b->sfx)
        return a->sfx < b->sfx ? -1 : 1;
    /* keys of up to 16 bytes, equal zero padded: the shorter first, as
     * bytewise (a padding zero is below any byte but a NUL, which pads
     * equal) */
    if (a->len <= 16 && b->len <= 16)
        return (a->len > b->len) - (a->len < b->len);
    return key_cmp(a->key, a->len, b->key, b->len);
}

/*
 * Sorting in place: glibc's qsort is a merge sort with a scratch copy of
 * the whole array, which at the end of a large count (sorting for the
 * output rows) was the peak of the run's memory. Introsort instead:
 * quicksort on a median of three, insertion sort for short runs, heap
 * sort when the partitions go too deep (never quadratic). Keys are
 * distinct, so both orders are total and the result is unique.
 */
static void swap_e(asy_counter_entry *a, asy_counter_entry *b)
{
    asy_counter_entry t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(asy_counter_entry *e, size_t n, int by_key)
{
    for (size_t i = 1; i < n; i++) {
        asy_counter_entry x = e[i];
        size_t j = i;
        for (; j > 0 && entry_cmp(&x, &e[j - 1], by_key) < 0; j--)
            e[j] = e[j - 1];
        e[j] = x;
    }
}

static void sift_down(asy_counter_entry *e, size_t root, size_t n,
                      int by_key)
{
    for (size_t c; (c = 2 * root + 1) < n; root = c) {
        if (c + 1 < n && entry_cmp(&e[c], &e[c + 1], by_key) < 0)
            c++;
        if (entry_cmp(&e[root], &e[c], by_key) >= 0)
            return;
        swap_e(&e[root], &e[c]);
    }
}

static void heap_sort(asy_counter_entry *e, size_t n, int by_key)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(e, i, n, by_key);
    for (size_t i = n; i-- > 1;) {
        swap_e(&e[0], &e[i]);
        sift_down(e, 0, i, by_key);
    }
}

/* Hoare's partition of e[0..n) around the value of pivot, a copy of one of
 * its entries (which stops both scans: no bounds checks): returns k with
 * e[0..k) <= pivot <= e[k..n), 0 < k <= n. */
static size_t hoare(asy_counter_entry *e, size_t n,
                    const asy_counter_entry *pivot, int by_key)
{
    size_t i = 0, j = n - 1;
    for (;;) {
        while (entry_cmp(&e[i], pivot, by_key) < 0)
            i++;
        while (entry_cmp(pivot, &e[j], by_key) < 0)
            j--;
        if (i >= j)
            return j + 1;
        swap_e(&e[i++], &e[j--]);
    }
}

/* Partition around the median of e[0], e[n/2], e[n-1] (n > 16): returns k
 * with e[0..k) <= pivot <= e[k..n), 0 < k < n. */
static size_t partition(asy_counter_entry *e, size_t n, int by_key)
{
    size_t m = n / 2;
    if (entry_cmp(&e[m], &e[0], by_key) < 0)
        swap_e(&e[m], &e[0]);
    if (entry_cmp(&e[n - 1], &e[m], by_key) < 0) {
        swap_e(&e[n - 1], &e[m]);
        if (entry_cmp(&e[m], &e[0], by_key) < 0)
            swap_e(&e[m], &e[0]);
    }
    asy_counter_entry pivot = e[m];
    return hoare(e, n, &pivot, by_key);
}

static void sort_entries(asy_counter_entry *e, size_t n, int by_key,
                         int depth)
{
    while (n > 16) {
        if (depth-- == 0) {
            heap_sort(e, n, by_key);
            return;
        }
        size_t k = partition(e, n, by_key);
        if (k < n - k) { /* recurse on the smaller side: O(log n) stack */
            sort_entries(e, k, by_key, depth);
            e += k;
            n -= k;
        } else {
            sort_entries(e + k, n - k, by_key, depth);
            n = k;
        }
    }
    insertion_sort(e, n, by_key);
}

/* A key of the table proper that is also in the word table (its earlier
 * counts, settled before the word table began again): one entry, added
 * to the word table's at its slot. */
typedef struct twin {
    size_t slot;
    int64_t count, docs;
} twin;

static int twin_cmp(const void *a, const void *b)
{
    size_t x = ((const twin *)a)->slot, y = ((const twin *)b)->slot;
    return (x > y) - (x < y);
}

static int64_t sat_u64(uint64_t v)
{
    return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* The word table's slot holding the key of s, or -1 (never when t is
 * NULL). A key ending in NUL cannot be in the word table, and would read
 * there as the key without it. */
static long twin_slot(const asy_counter *c, const asy_wordtab *t,
                      const slot *s)
{
    if (!t || s->len == 0 || s->len > 16 || !slot_key(c, s)[s->len - 1])
        return -1;
    uint64_t w[2];
    load_short(slot_key(c, s), s->len, w);
    return asy_wordtab_find(t, w, asy_counter_hash16(w[0], w[1], s->len));
}

/* Keys of the table proper that are in the word table t too. */
static size_t count_twins(const asy_counter *c, const asy_wordtab *t)
{
    if (!c->nshort) /* the usual case: a walk over the table saved */
        return 0;
    size_t n = 0;
    for (size_t k = 0; k <= c->mask; k++)
        n += c->tab[k].rec && twin_slot(c, t, &c->tab[k]) >= 0;
    return n;
}

/* The table proper's entries at e (those whose key is not in the word
 * table t, or all when t is NULL) and, in *tw, those whose key is; the
 * number put at e, or -1 when out of memory. */
static long table_entries(const asy_counter *c, const asy_wordtab *t,
                          asy_counter_entry *e, twin **tw, size_t *ntw)
{
    size_t m = 0;
    for (size_t k = 0; k <= c->mask; k++) {
        const slot *s = &c->tab[k];
        if (!s->rec)
            continue;
        int64_t docs = c->koff == 16 ? *slot_docs(s) : 0;
        long at = twin_slot(c, t, s);
        if (at < 0) {
            e[m++] = (asy_counter_entry){slot_key(c, s), s->len,
                                         *slot_count(s), docs, 0, 0};
            continue;
        }
        if (!*tw && !(*tw = malloc(c->size * sizeof **tw)))
            return -1;
        (*tw)[(*ntw)++] = (twin){(size_t)at, *slot_count(s), docs};
    }
    return (long)m;
}

/* The entry of word-table entry w with count and docs, its key copied to
 * key (17 bytes, with its NUL). */
static asy_counter_entry word_entry(const asy_counter *c,
                                    const asy_wordtab_entry *w, char *key,
                                    int64_t count, int64_t docs)
{
    memcpy(key, w->key, 16);
    key[16] = '\0';
    /* its sort keys too: the word table's key is the zero-padded form
     * asy_counter_sort_keys would load */
    return (asy_counter_entry){key, asy_wordtab_len(w->key), count,
                               c->koff == 16 ? docs : 0,
                               ordered(w->key[0]), ordered(w->key[1])};
}

/*
 * Arrays of entries are blocks of tablemem.h (asy_table_block): a large
 * one is mapped on its own, and may take the pages of a table freed just
 * before (the other workers' counters, freed at the end of a -j run once
 * merged), already faulted in. The block's size is kept in front of the
 * array, for asy_counter_entries_free to give it back as it was had.
 */
#define ENTRIES_HEAD 64 /* keeps the array 64-byte aligned in a mapping */

static asy_counter_entry *entries_alloc(size_t bytes)
{
    if (bytes > SIZE_MAX / 2)
        return NULL;
    size_t total = bytes + ENTRIES_HEAD;
    char *p = asy_table_block(total);
    if (!p)
        return NULL;
    memcpy(p, &total, sizeof total);
    return (asy_counter_entry *)(void *)(p + ENTRIES_HEAD);
}

void asy_counter_entries_free(asy_counter_entry *e)
{
    if (!e)
        return;
    char *p = (char *)e - ENTRIES_HEAD;
    size_t total;
    memcpy(&total, p, sizeof total);
    asy_table_release(p, total);
}

asy_counter_entry *asy_counter_entries_shrink(asy_counter_entry *e, size_t n)
{
    char *p = (char *)e - ENTRIES_HEAD;
    size_t total, keep = ENTRIES_HEAD + n * sizeof *e;
    memcpy(&total, p, sizeof total);
    if (keep >= total)
        return e;
    char *q = asy_table_shrink(p, total, keep);
    if (!q) /* only memory not given back */
        return e;
    memcpy(q, &keep, sizeof keep);
    return (asy_counter_entry *)(void *)(q + ENTRIES_HEAD);
}

/*
 * asy_counter_entries of a counter whose word table is not settled,
 * leaving it so: settling would build a second hash table of every word
 * only to walk it once (22 ms of the end of a run over a 216,165-word
 * vocabulary). The word table's keys are copied after the entries, 17
 * bytes each with their NUL, so that the entries outlive the table (a
 * later read settles it). When no key is in both tables (the usual case)
 * the word table is packed first, so that its empty slots (9 of its 16 MB
 * for that vocabulary) are given back before the entries take their
 * memory; a packed table is only ever settled afterwards.
 */
/* The block of an unsettled read (room for every entry, then the word
 * table's keys), the table proper's entries at its front (*m0 of them;
 * with twins, those whose key is in the word table too go to *tw
 * instead); NULL when out of memory. */
static asy_counter_entry *unsettled_block(const asy_counter *c)
{
    const asy_wordtab *t = c->words;
    return entries_alloc((c->size + t->used) * sizeof(asy_counter_entry) +
                         t->used * 17 + 1);
}

static asy_counter_entry *front_entries(const asy_counter *c, int twins,
                                        twin **tw, size_t *ntw, size_t *m0)
{
    const asy_wordtab *t = c->words;
    asy_counter_entry *e = unsettled_block(c);
    long m = e ? table_entries(c, twins ? t : NULL, e, tw, ntw) : -1;
    if (m < 0) {
        asy_counter_entries_free(e);
        return NULL;
    }
    *m0 = (size_t)m;
    return e;
}

static asy_counter_entry *entries_unsettled(const asy_counter *c, size_t *n)
{
    asy_wordtab *t = c->words;
    int twins = count_twins(c, t) > 0;
    if (!twins)
        asy_wordtab_pack(t);
    size_t cap = c->size + t->used, m0;
    twin *tw = NULL;
    size_t ntw = 0;
    asy_counter_entry *e = front_entries(c, twins, &tw, &ntw, &m0);
    if (!e)
        return NULL;
    if (ntw)
        qsort(tw, ntw, sizeof *tw, twin_cmp);
    char *key = (char *)(e + cap);
    size_t m = m0, j = 0;
    for (size_t k = 0; k <= t->mask; k++) { /* packed: tab[0 .. used) */
        const asy_wordtab_entry *w = &t->tab[k];
        if (!(w->key[0] | w->key[1]))
            continue;
        int64_t count = sat_u64(w->count), docs = w->docs;
        for (; j < ntw && tw[j].slot == k; j++) {
            count = sat_add(count, tw[j].count);
            docs = sat_add(docs, tw[j].docs);
        }
        e[m++] = word_entry(c, w, key, count, docs);
        key += 17;
    }
    free(tw);
    *n = m;
    return e;
}

int asy_counter_entries_split(const asy_counter *c, int pack, int front,
                              asy_counter_entry **ents, size_t *fixed,
                              size_t *words)
{
    asy_wordtab *t = c->words;
    *ents = NULL;
    *fixed = *words = 0;
    if (!t || t->packed || !t->used || count_twins(c, t) > 0)
        return 0;
    if (pack)
        asy_wordtab_pack(t);
    twin *tw = NULL; /* no twins: stays NULL */
    size_t ntw = 0;
    if (!front) { /* the caller builds them: every key of the table proper */
        if (!(*ents = unsettled_block(c)))
            return -1;
        *fixed = c->size;
    } else if (!(*ents = front_entries(c, 0, &tw, &ntw, fixed))) {
        return -1;
    }
    *words = t->used;
    return 1;
}

void asy_counter_words_entries(const asy_counter *c, asy_counter_entry *ents,
                               size_t from, size_t to, asy_counter_entry *out)
{
    const asy_wordtab *t = c->words;
    char *key = (char *)(ents + c->size + t->used) + from * 17;
    for (size_t k = from; k < to; k++, key += 17) {
        if (k + 8 < to) /* the slots lie scattered over the table */
            __builtin_prefetch(&t->tab[t->order[k + 8]]);
        const asy_wordtab_entry *w = &t->tab[t->order[k]];
        *out++ = word_entry(c, w, key, sat_u64(w->count), w->docs);
    }
}

size_t asy_counter_entries_bytes(const asy_counter *c)
{
    const asy_wordtab *t = c->words;
    size_t keys = c->size + (t ? t->used : 0);
    if (keys == 0)
        return 0;
    return keys * sizeof(asy_counter_entry) +
           (t && !t->packed ? t->used * 17 + 1 : 0);
}

size_t asy_counter_slots(const asy_counter *c)
{
    return c->mask + 1;
}

size_t asy_counter_slot_entries(const asy_counter *c, size_t from,
                                size_t to, asy_counter_entry *out)
{
    size_t m = 0;
    for (size_t k = from; k < to; k++) {
        /* the records lie in the order their keys came, not the slots' */
        if (out && k + 16 < to && c->tab[k + 16].rec)
            __builtin_prefetch(c->tab[k + 16].rec);
        const slot *s = &c->tab[k];
        if (!s->rec)
            continue;
        if (out)
            out[m] = (asy_counter_entry){slot_key(c, s), s->len,
                                         *slot_count(s),
                                         c->koff == 16 ? *slot_docs(s) : 0,
                                         0, 0};
        m++;
    }
    return m;
}

int asy_counter_entries_slots(const asy_counter *c, asy_counter_entry **ents,
                              size_t *slots)
{
    *ents = NULL;
    *slots = 0;
    if (c->words && !c->words->packed && c->words->used)
        return 0; /* read unsettled: asy_counter_entries_split */
    if (c->words && settle((asy_counter *)c) < 0)
        return -1;
    if (c->size == 0)
        return 0;
    if (c->size > SIZE_MAX / 2 / sizeof **ents ||
        !(*ents = entries_alloc(c->size * sizeof **ents)))
        return -1;
    *slots = c->mask + 1;
    return 1;
}

asy_counter_entry *asy_counter_entries(const asy_counter *c, size_t *n)
{
    *n = 0;
    if (c->words && !c->words->packed && c->words->used)
        return entries_unsettled(c, n);
    asy_counter_entry *e;
    size_t slots;
    if (asy_counter_entries_slots(c, &e, &slots) <= 0)
        return NULL;
    *n = asy_counter_slot_entries(c, 0, slots, e);
    return e;
}

asy_counter_entry *asy_counter_sorted(const asy_counter *c, int by_key,
                                      size_t *n)
{
    asy_counter_entry *e = asy_counter_entries(c, n);
    if (e)
        asy_counter_sort(e, *n, by_key, -1);
    return e;
}

size_t asy_counter_count_at_least(const asy_counter_entry *e, size_t n,
                                  int64_t min)
{
    size_t lo = 0, hi = n; /* e[0..lo) >= min, e[hi..n) < min */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (e[mid].count >= min)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void asy_counter_sort_keys(asy_counter_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t w[2];
        load_short(e[i].key, e[i].len < 16 ? e[i].len : 16, w);
        e[i].pfx = ordered(w[0]);
        e[i].sfx = ordered(w[1]);
    }
}

/* The usual bound: 2 log2 n levels of partitions before heap sort. */
int asy_counter_sort_depth(size_t n)
{
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    return depth;
}

void asy_counter_sort(asy_counter_entry *e, size_t n, int by_key, int depth)
{
    asy_counter_sort_keys(e, n);
    sort_entries(e, n, by_key != 0, depth < 0 ? asy_counter_sort_depth(n) : depth);
}

void asy_counter_sort_ready(asy_counter_entry *e, size_t n, int by_key)
{
    sort_entries(e, n, by_key != 0, asy_counter_sort_depth(n));
}

#define SPLIT_SAMPLE 1023 /* entries a split picks its pivot from */
#define SPLIT_SMALL 31    /* when they cannot be had */

int asy_counter_pivot(const asy_counter_entry *e, size_t n, size_t rank,
                      int by_key, asy_counter_entry *pivot)
{
    if (n < 2 * SPLIT_SAMPLE)
        return 0;
    asy_counter_entry small[SPLIT_SMALL];
    asy_counter_entry *sample = malloc(SPLIT_SAMPLE * sizeof *sample);
    size_t s = sample ? SPLIT_SAMPLE : SPLIT_SMALL;
    if (!sample)
        sample = small;
    for (size_t i = 0; i < s; i++) /* evenly spread */
        sample[i] = e[i * (n / s)];
    asy_counter_sort_ready(sample, s, by_key);
    size_t at = (size_t)((double)rank / (double)n * (double)s);
    *pivot = sample[at < s ? at : s - 1];
    if (sample != small)
        free(sample);
    return 1;
}

size_t asy_counter_split(asy_counter_entry *e, size_t n, size_t rank,
                         int by_key)
{
    asy_counter_entry pivot;
    if (!asy_counter_pivot(e, n, rank, by_key, &pivot)) {
        /* short: sorted, so split anywhere */
        asy_counter_sort_ready(e, n, by_key);
        return rank < n ? rank : n;
    }
    return hoare(e, n, &pivot, by_key != 0);
}

size_t asy_counter_partition_step(asy_counter_entry *e, size_t n,
                                  int by_key)
{
    return partition(e, n, by_key != 0);
}

size_t asy_counter_partition(asy_counter_entry *e, size_t n,
                             const asy_counter_entry *pivot, int by_key)
{
    size_t i = 0, j = n;
    for (;;) {
        while (i < j && entry_cmp(&e[i], pivot, by_key != 0) < 0)
            i++;
        while (i < j && entry_cmp(pivot, &e[j - 1], by_key != 0) < 0)
            j--;
        if (j - i < 2) /* none, or one: the pivot's own entry */
            return i;
        swap_e(&e[i++], &e[--j]);
    }
}

const char *asy_counter_entry_key(const asy_counter_entry *e, char buf[16])
{
    if (e->len > 16)
        return e->key;
    uint64_t w[2] = {ordered(e->pfx), ordered(e->sfx)};
    memcpy(buf, w, 16);
    return buf;
}

/* ===================================================================== */
/* Serialisation                                                         */
/* ===================================================================== */

/*
 * Format (version 1), all integers little-endian:
 *   "AYC" 0x01                magic + version
 *   u64 entry count
 *   per entry, keys strictly ascending (bytewise, as in key_cmp):
 *     LEB128 varint key length, key bytes, int64 count
 * Version 2 (0x02, a paired counter) adds the int64 document count after
 * each count. Equal counters therefore serialise to identical bytes.
 */
static const char MAGIC[3] = {'A', 'Y', 'C'};

static int put_u64(asy_buf *out, uint64_t v)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    return asy_buf_append(out, b, 8);
}

static int put_varint(asy_buf *out, uint64_t v)
{
    unsigned char b[10];
    int n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    return asy_buf_append(out, b, (size_t)n);
}

/* One entry of the saved form. */
static int put_entry(asy_buf *out, const char *key, size_t len, int64_t n,
                     int paired, int64_t docs)
{
    return put_varint(out, len) | asy_buf_append(out, key, len) |
           put_u64(out, (uint64_t)n) |
           (paired ? put_u64(out, (uint64_t)docs) : 0);
}

int asy_counter_save(const asy_counter *c, asy_buf *out)
{
    size_t n;
    asy_counter_entry *e = asy_counter_sorted(c, 1, &n);
    if (!e && (c->size || c->words))
        return -1;
    int paired = c->koff == 16;
    char version = paired ? 2 : 1;
    int r = asy_buf_append(out, MAGIC, 3) | asy_buf_append(out, &version, 1) |
            put_u64(out, n);
    for (size_t k = 0; k < n && r == 0; k++)
        r = put_entry(out, e[k].key, e[k].len, e[k].count, paired, e[k].docs);
    asy_counter_entries_free(e);
    return r ? -1 : 0;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 7; k >= 0; k--)
        v = v << 8 | p[k];
    return v;
}

/* Read a varint at p[*pos..len); -1 if truncated or longer than 64 bits. */
static int get_varint(const unsigned char *p, size_t len, size_t *pos,
                      uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*pos >= len)
            return -1;
        unsigned char b = p[(*pos)++];
        if (shift == 63 && b > 1)
            return -1;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* Add a loaded entry (its document count d when c is paired). */
static int load_one(asy_counter *c, const char *key, size_t len, int64_t n,
                    int64_t d)
{
    if (len > UINT32_MAX)
        return -1;
    uint32_t h = hash_key(key, len);
    return c->koff == 16 ? add_pair(c, key, len, h, n, d)
                         : add_hashed(c, key, len, h, n);
}

/* Walk the entries; with c == NULL only validate. Returns the end offset
 * or -1. Keys must be strictly ascending. */
static long walk(asy_counter *c, const unsigned char *p, size_t len)
{
    if (len < 12 || memcmp(p, MAGIC, 3) != 0)
        return -1;
    size_t nval = p[3]; /* int64s per entry */
    if (nval < 1 || nval > 2)
        return -1;
    uint64_t count = get_u64(p + 4);
    size_t pos = 12;
    if (count > (len - pos) / (1 + 8 * nval)) /* the least an entry takes */
        return -1;
    if (c && nval == 2 && asy_counter_pair(c) < 0)
        return -1;
    if (c && reserve(c, c->size + (size_t)count) < 0) /* grown once */
        return -1;
    const char *prev = NULL;
    size_t prevlen = 0;
    for (uint64_t k = 0; k < count; k++) {
        uint64_t klen;
        if (get_varint(p, len, &pos, &klen) < 0 || klen > len - pos ||
            len - pos - klen < 8 * nval)
            return -1;
        const char *key = (const char *)p + pos;
        pos += klen;
        if (prev && key_cmp(prev, prevlen, key, klen) >= 0)
            return -1;
        prev = key, prevlen = klen;
        int64_t n = (int64_t)get_u64(p + pos);
        int64_t d = nval == 2 ? (int64_t)get_u64(p + pos + 8) : 0;
        pos += 8 * nval;
        if (c && load_one(c, key, klen, n, d) < 0)
            return -1;
    }
    return pos > (size_t)LONG_MAX ? -1 : (long)pos;
}

long asy_counter_load(asy_counter *c, const char *data, size_t len)
{
    if (!data)
        return -1;
    /* Validate everything first, so malformed input adds nothing. */
    if (walk(NULL, (const unsigned char *)data, len) < 0)
        return -1;
    return walk(c, (const unsigned char *)data, len);
}
