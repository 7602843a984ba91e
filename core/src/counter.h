/*
 * counter.h — string -> count tables, the C kernel behind assay.counter().
 *
 * Open addressing over interned keys: every distinct key is stored once in
 * an arena, so memory tracks the number of distinct terms, not the number
 * of occurrences. Iteration in sorted order and merging are deterministic,
 * and a counter serialises to bytes (for -j merges and shard partials).
 */
#ifndef ASY_COUNTER_H
#define ASY_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "wordtab.h"

typedef struct asy_counter asy_counter;

asy_counter *asy_counter_new(void);
void asy_counter_free(asy_counter *c);
/* Give back c's word table at once (tablemem.h: as the spare, for the
 * next block of entries), its counts lost: c is only to be freed
 * afterwards (asy_counter_free, perhaps later or on another thread).
 * NULL allowed. */
void asy_counter_retire_words(asy_counter *c);

/* Add n to key (n may be negative). Returns 0 or -1 when out of memory. */
int asy_counter_add(asy_counter *c, const char *key, size_t len, int64_t n);
int64_t asy_counter_get(const asy_counter *c, const char *key, size_t len);
size_t asy_counter_size(const asy_counter *c);   /* distinct keys */
int64_t asy_counter_total(const asy_counter *c); /* sum of counts */
/* Bytes of memory held (table + arena), for memory accounting. */
size_t asy_counter_memory(const asy_counter *c);

/* The hash the counter uses for key (stable within one process), and
 * asy_counter_add with that hash precomputed: a caller that adds one key
 * to several counters hashes it once. h must be asy_counter_hash(key, len). */
uint32_t asy_counter_hash(const char *key, size_t len);
int asy_counter_add_h(asy_counter *c, const char *key, size_t len,
                      uint32_t h, int64_t n);

/* asy_counter_hash of a key of n <= 16 bytes held as two words in memory
 * order, zero past n (ascii8.h's asy_load16 form): callers that keep short
 * keys that way (the word table, wordtab.h) hash them once, inline,
 * for their own table and the counter's.
 *
 * Two hashes, one chosen for the whole process before its first table
 * (asy_counter_hash_crc): where the CPU has the CRC32C instruction (SSE4.2,
 * every x86-64 CPU since 2008), each word multiplied by an odd number drawn
 * at random for the process, then two CRC32C steps seeded with the length;
 * elsewhere a folded multiply (the two words' 128-bit product, its halves
 * xor-ed). Both spread the slots of real vocabularies alike (linear
 * probing over the peers text's 183,450 short words at 35 % load: 0.270
 * and 0.268 slots of displacement per key; "0" .. "999999" at 48 %: 0.440
 * and 0.456; test_hash_spread), and the CRC takes about 5 instructions
 * where the multiply takes about 10, on the path of every word counted:
 * wordfreq -j 1 takes 5-7 % less CPU. The secret multipliers matter: CRC32C alone is
 * linear over GF(2), so a crafted text could hold any number of distinct
 * words with one hash (found by elimination, no search) and make counting
 * quadratic; a known multiplier only moves the elimination (2^32 steps
 * per half of the key). (Folding the CRC's high half into its low half
 * cost 10 % instead: it spread numbered names such as "item_0000001"
 * worse.) Values therefore differ from run to run: they are only ever
 * compared within one process, and nothing a run writes depends on them
 * (counters are read sorted, saved ordered by key). */
#if defined(__x86_64__) && defined(__GNUC__)
#define ASY_HASH_CRC 1
#else
#define ASY_HASH_CRC 0
#endif

/* 1 when asy_counter_hash16 is the CRC32C one, and its multipliers (odd,
 * random). Chosen once, before the first counter or word table is made
 * (and before main()); read them, never write them. */
extern int asy_counter_hash_crc;
extern uint64_t asy_counter_hash_key[2];

/* Make sure the hash is chosen, and fix it for good: called by everything
 * that makes a hashed table (asy_counter_new, asy_wordtab_init). */
void asy_counter_hash_ready(void);

/* For tests: use the CRC32C hash (crc = 1, where the CPU has it) or the
 * multiply (crc = 0). Returns 1 if the CRC is in use then, 0 if not, or
 * -1 (nothing changed) once a counter or word table has been made. */
int asy_counter_hash_select(int crc);

static inline uint32_t asy_counter_mul16(uint64_t a, uint64_t b, size_t n)
{
    __uint128_t r = (__uint128_t)(a ^ 0x9E3779B97F4A7C15ull) *
                    (b ^ 0xC2B2AE3D27D4EB4Full ^ ((uint64_t)n << 56));
    uint64_t h = (uint64_t)r ^ (uint64_t)(r >> 64);
    return (uint32_t)(h ^ h >> 32);
}

#if ASY_HASH_CRC
/* Only where asy_counter_hash_crc is 1 (the instruction is there); k0 and
 * k1 are asy_counter_hash_key (a loop keeps them in registers). */
static inline uint32_t asy_counter_crc16k(uint64_t a, uint64_t b, size_t n,
                                          uint64_t k0, uint64_t k1)
{
    uint64_t h = (uint32_t)n ^ 0x9E3779B9u;
    a *= k0; /* not linear over GF(2), and secret: see above */
    b *= k1;
    __asm__("crc32q %1, %0" : "+r"(h) : "rm"(a));
    __asm__("crc32q %1, %0" : "+r"(h) : "rm"(b));
    return (uint32_t)h;
}

static inline uint32_t asy_counter_crc16(uint64_t a, uint64_t b, size_t n)
{
    return asy_counter_crc16k(a, b, n, asy_counter_hash_key[0],
                              asy_counter_hash_key[1]);
}
#endif

static inline uint32_t asy_counter_hash16(uint64_t a, uint64_t b, size_t n)
{
#if ASY_HASH_CRC
    if (asy_counter_hash_crc)
        return asy_counter_crc16(a, b, n);
#endif
    return asy_counter_mul16(a, b, n);
}

/* Distinct counting (document frequencies) without a per-document set:
 * asy_counter_begin_distinct starts a round (one per document); within a
 * round asy_counter_add_distinct adds 1 to a key only the first time it
 * sees it (a per-slot stamp, 4 bytes per slot, allocated on first use).
 * begin returns 0 or -1 when out of memory; add_distinct returns 1 when
 * counted, 0 when already counted in this round, -1 when out of memory.
 * h must be asy_counter_hash(key, len). */
int asy_counter_begin_distinct(asy_counter *c);
int asy_counter_add_distinct(asy_counter *c, const char *key, size_t len,
                             uint32_t h);

/* A paired counter keeps a second number per key next to its count, the
 * key's document count (in how many texts it occurs), so that word counts
 * and document frequencies cost one table and one probe per word instead
 * of two counters' worth. asy_counter_pair makes c paired (existing keys
 * get a document count of 0; 0, or -1 when out of memory, c unchanged);
 * it stays paired. The other functions treat it as a plain counter (add
 * changes counts only). The adds below return -1 on an unpaired counter. */
int asy_counter_pair(asy_counter *c);
int asy_counter_paired(const asy_counter *c);
int64_t asy_counter_get_docs(const asy_counter *c, const char *key,
                             size_t len); /* 0 when absent or unpaired */
/* n to key's count and docs to its document count (h as for add_h). */
int asy_counter_add2_h(asy_counter *c, const char *key, size_t len,
                       uint32_t h, int64_t n, int64_t docs);
/* Within a round of asy_counter_begin_distinct: n to key's count, and 1 to
 * its document count the first time the round sees it. 1 when the
 * document count was added, 0 when not, -1 when out of memory, unpaired
 * or no round begun. */
int asy_counter_add_doc(asy_counter *c, const char *key, size_t len,
                        uint32_t h, int64_t n);
/* The round begun last is over: until the next begins, a table that
 * grows (a merge into it, a key added) gives its stamps back rather than
 * carrying them over, and the next round takes fresh ones. Optional: a
 * round not ended keeps its stamps through growth. */
void asy_counter_end_round(asy_counter *c);
/* End the rounds of asy_counter_begin_distinct: their stamps (a byte a
 * slot) are given back now; the next round starts with fresh ones. For a
 * counter that counts no more documents (a worker's, handed over at the
 * end of a -j run). */
void asy_counter_end_rounds(asy_counter *c);
/* asy_counter_add_doc (n = 1) for n <= ASY_COUNTER_BATCH keys, their
 * buckets, then the records in them, fetched together first so that
 * their cache misses overlap: keys[i] is lens[i] bytes, h[i] its hash. 0,
 * or -1 when out of memory, unpaired, no round begun or n too large. */
#define ASY_COUNTER_BATCH 32
int asy_counter_add_docs(asy_counter *c, const char *const *keys,
                         const uint32_t *lens, const uint32_t *h, size_t n);
/* The same without document counts: 1 to the count of each key (any
 * counter, no round). 0, or -1 when out of memory or n too large. */
int asy_counter_add_keys(asy_counter *c, const char *const *keys,
                         const uint32_t *lens, const uint32_t *h, size_t n);

/*
 * Counting words fast (token_count.c): a counter can keep a word table
 * (wordtab.h) in front of its own table, where words of up to 16 bytes are
 * counted per occurrence, inline, each with its document count by stamp.
 * asy_counter_words_begin starts a round (one text) in it, creating it on
 * first use; the caller then adds with asy_wordtab_add. A read of single
 * keys or totals (get, get_docs, size, total) and pair first settle the
 * word table into the counter's own table — its counts, and its document
 * counts when the counter is paired — and free it; sorted entries, save
 * and merge as src read it where it is (the entries may pack it: then the
 * next round settles it). Either way a counter with a word table must not
 * be read from two threads at once.
 * A read that cannot report failure (get, size, total) shows what could be
 * settled when memory runs out: call asy_counter_settle first where that
 * matters. asy_counter_memory counts the word table. Counts are exact up
 * to INT64_MAX and saturate there; a sum that saturates may then depend on
 * when the word table was settled. NULL when out of memory.
 */
asy_wordtab *asy_counter_words_begin(asy_counter *c);
/* Settle the word table now (nothing to do without one): 0, or -1 when
 * out of memory (the counter still holds every count, part of them in the
 * word table). Logically const: where counts are kept changes, not what
 * they are. */
int asy_counter_settle(const asy_counter *c);

/* Move a word table's numbers into c: each key's occurrences
 * (ASY_ABSORB_COUNTS), its document count as the count (ASY_ABSORB_DOCS:
 * c counts documents), or both into a paired counter (ASY_ABSORB_PAIRED).
 * What was moved is left at 0 in t (so COUNTS into one counter and DOCS
 * into another may follow each other). 0, or -1 when out of memory (then
 * absorbing again adds the rest exactly once) or when PAIRED is asked of
 * an unpaired counter. */
enum { ASY_ABSORB_COUNTS, ASY_ABSORB_DOCS, ASY_ABSORB_PAIRED };
int asy_counter_absorb(asy_counter *c, asy_wordtab *t, int what);

/* Add every entry of src into dst (a paired src's document counts too:
 * dst becomes paired). */
int asy_counter_merge(asy_counter *dst, const asy_counter *src);
/* The same on up to `threads` threads (the end of a -j run): the keys of
 * src's word table already in dst's (asy_wordtab_merge), and those of
 * src's own table already in dst's when it holds 8,192 keys a thread or
 * more; the new keys then go in on this thread. The counts, document
 * counts and total are those of asy_counter_merge. -1 when out of memory:
 * dst then holds part of src, and its total is the sum of its counts. */
int asy_counter_merge_mt(asy_counter *dst, const asy_counter *src,
                         int threads);

typedef struct asy_counter_entry {
    const char *key; /* NUL-terminated, owned by the counter or the array */
    size_t len;
    int64_t count;
    int64_t docs; /* document count (paired counters; else 0) */
    uint64_t pfx; /* set by the sort: the key's first 8 bytes, zero
                     padded, as a number that orders like them */
    uint64_t sfx; /* set by the sort: its bytes 8 to 15 likewise */
} asy_counter_entry;

/* Entries sorted by count descending, then key bytewise ascending
 * (by_key != 0: key ascending only). Returns an array of
 * asy_counter_size() entries, freed with asy_counter_entries_free (the
 * array, not the keys), or NULL when empty/out of memory. The keys of a
 * word table not yet settled are copies in the array's own block, valid
 * until it is freed; the others are the counter's, valid until it
 * changes: a caller that keeps keys past the array settles the counter
 * first (asy_counter_settle). Every array of entries below comes that
 * way. */
asy_counter_entry *asy_counter_sorted(const asy_counter *c, int by_key,
                                      size_t *n);
/* Free an array of entries of this interface (NULL: nothing). A large one
 * is a mapping of its own (tablemem.h: asy_table_block), which may have
 * taken the pages of a counter freed before it. */
void asy_counter_entries_free(asy_counter_entry *e);
/* Keep the first n entries (no more than it holds) of such an array whose
 * keys are the counter's, not copies in its block (a settled counter's),
 * and give back the memory of the rest where it can: the array, which
 * may have moved. */
asy_counter_entry *asy_counter_entries_shrink(asy_counter_entry *e, size_t n);
/* The sort behind it, in place, for entries with distinct keys: depth < 0
 * bounds the quicksort at 2 log2 n levels before heap sort takes over;
 * tests pass 0 to check the heap sort alone. */
void asy_counter_sort(asy_counter_entry *e, size_t n, int by_key, int depth);
/* How many of e[0..n), sorted by count descending, count min or more:
 * found by halving (a walk over a large vocabulary's entries took 1 ms),
 * where a table written with min_count ends. */
size_t asy_counter_count_at_least(const asy_counter_entry *e, size_t n,
                                  int64_t min);
/* asy_counter_sort in two steps: the entries' sort keys (pfx and sfx),
 * then the sort of entries whose keys are set. */
void asy_counter_sort_keys(asy_counter_entry *e, size_t n);
void asy_counter_sort_ready(asy_counter_entry *e, size_t n, int by_key);
/* The levels of partitions asy_counter_sort_ready allows n entries before
 * it sorts them by heap instead (2 log2 n). */
int asy_counter_sort_depth(size_t n);
/* Reorder e[0..n) (sort keys set, keys distinct) in place so that
 * e[0..k) all come before e[k..n) in asy_counter_sort's order, with k
 * about `rank` (a pivot picked from an even sample of the entries; a
 * short array is sorted instead, and k = min(rank, n)). Returns k. One
 * pass over the entries, no scratch copy. */
size_t asy_counter_split(asy_counter_entry *e, size_t n, size_t rank,
                         int by_key);
/* asy_counter_split in steps, for several threads to split one array: the
 * pivot for about `rank` of e[0..n) (as asy_counter_split picks it): 1, or
 * 0 when e is too short to sample (sort it instead); then each thread
 * partitions a slice around it: e[0..k) before the pivot or it, e[k..n)
 * after it or it (keys distinct: the pivot's own entry, when in the
 * slice, goes to either side). Returns k. */
int asy_counter_pivot(const asy_counter_entry *e, size_t n, size_t rank,
                      int by_key, asy_counter_entry *pivot);
size_t asy_counter_partition(asy_counter_entry *e, size_t n,
                             const asy_counter_entry *pivot, int by_key);
/* One step of asy_counter_sort_ready (sort keys set, n > 16): e[0..n)
 * partitioned around the median of its first, middle and last entries;
 * returns k, 0 < k < n, e[0..k) before e[k..n). */
size_t asy_counter_partition_step(asy_counter_entry *e, size_t n,
                                  int by_key);
/* The entries unsorted (as asy_counter_sorted otherwise). A word table
 * not yet settled is read where it is, not settled: its keys are copied
 * into the array's block, after the entries (asy_counter_entries_bytes:
 * the most that block takes). */
asy_counter_entry *asy_counter_entries(const asy_counter *c, size_t *n);
size_t asy_counter_entries_bytes(const asy_counter *c);
/* The key of a sorted entry: for a key of up to 16 bytes, its bytes put
 * back together from pfx and sfx into buf (the sorted entries are read in
 * order; their keys lie scattered), else e->key. */
const char *asy_counter_entry_key(const asy_counter_entry *e, char buf[16]);
/* asy_counter_entries in slices, for several threads to build: when c's
 * word table is not settled and no key is in both its tables (the usual
 * end of a run), set *ents to an array with room for every entry and the
 * word table's keys (asy_counter_entries' layout; the caller frees it),
 * its first *fixed entries those of the table proper (built when front
 * is non-zero; else left to the caller: asy_counter_slot_entries over all
 * of asy_counter_slots(c) puts exactly *fixed), and *words the word
 * table's, left to build: 1. 0 when c is not such (use
 * asy_counter_entries), -1 when out of memory. With pack, the word table
 * is packed first (its empty slots given back before the entries take
 * their memory: for one thread); without, its entries are read where they
 * lie, which several threads do faster than one thread packs them. */
int asy_counter_entries_split(const asy_counter *c, int pack, int front,
                              asy_counter_entry **ents, size_t *fixed,
                              size_t *words);
/* Build the word table's entries from .. to (<= *words, in the order its
 * keys came) of such an array into out[0 .. to - from), in any array,
 * their sort keys set: their keys go into ents' block.
 * Slices that do not overlap may be built at once. */
void asy_counter_words_entries(const asy_counter *c, asy_counter_entry *ents,
                               size_t from, size_t to, asy_counter_entry *out);
/* asy_counter_entries for several threads to build, when every key is in
 * c's table proper (settled first, as asy_counter_entries would): set
 * *ents to an array with room for every entry (the caller frees it) and
 * *slots to the table's slots, whose entries asy_counter_slot_entries
 * reads a range at a time: 1. 0 when c's word table is to be read
 * unsettled (asy_counter_entries_split) or c is empty, -1 when out of
 * memory. */
int asy_counter_entries_slots(const asy_counter *c, asy_counter_entry **ents,
                              size_t *slots);
/* The entries of the keys in slots from .. to of c's table proper into
 * out (none when out is NULL): how many. Ranges that do not overlap may
 * be read at once. */
size_t asy_counter_slot_entries(const asy_counter *c, size_t from,
                                size_t to, asy_counter_entry *out);
/* How many slots c's table proper has: asy_counter_slot_entries' range.
 * Every key is there once c is settled (asy_counter_settle). */
size_t asy_counter_slots(const asy_counter *c);
/* asy_counter_sorted with up to `threads` threads (counter_sort_mt.c):
 * the same entries in the same order, sorted where they lie (no scratch
 * copy). Threads are used only for a large counter (65,536 entries a
 * thread at least); a thread that cannot be had leaves its work to the
 * others (par.h). */
asy_counter_entry *asy_counter_sorted_mt(const asy_counter *c, int by_key,
                                         size_t *n, int threads);
/* Sort e[0..n) (sort keys set: asy_counter_sort_keys; keys distinct) where
 * they lie, as asy_counter_sort_ready does, on up to `threads` threads
 * (as asy_counter_sorted_mt: 65,536 entries a thread at least). */
void asy_counter_sort_mt(asy_counter_entry *e, size_t n, int by_key,
                         int threads);

/* Serialise to / read from a portable byte string (appends to out; with
 * the document counts when paired). asy_counter_load adds the entries
 * into c (making c paired if the data has document counts); returns bytes
 * consumed or -1 when the data is malformed. */
int asy_counter_save(const asy_counter *c, asy_buf *out);
long asy_counter_load(asy_counter *c, const char *data, size_t len);

#endif
