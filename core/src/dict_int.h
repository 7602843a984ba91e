/*
 * dict_int.h — the insides of a dictionary shared by dict.c (building,
 * compiling), dict_match.c (scanning), dict_lint.c and the loaders.
 * Not for use outside core/src/dict*.c.
 */
#ifndef ASY_DICT_INT_H
#define ASY_DICT_INT_H

#include <stdint.h>
#include <string.h>

#include "dict.h"

/* ---- small hash tables ---------------------------------------------------- */

/* uint64 key -> int32 value, open addressing (trie edges). */
typedef struct asy_ihash {
    uint64_t *keys; /* key + 1; 0 = empty slot */
    int32_t *vals;
    size_t cap, n;  /* cap is a power of two */
} asy_ihash;

int asy_ihash_put(asy_ihash *h, uint64_t key, int32_t val);
/* The value for key, or -1. */
static inline int32_t asy_ihash_get(const asy_ihash *h, uint64_t key)
{
    if (!h->cap)
        return -1;
    uint64_t k = key + 1, m = h->cap - 1;
    for (uint64_t i = (k * 0x9E3779B97F4A7C15ull) >> 20 & m;; i = (i + 1) & m) {
        if (h->keys[i] == k)
            return h->vals[i];
        if (!h->keys[i])
            return -1;
    }
}
void asy_ihash_free(asy_ihash *h);

/* string -> slot of two ints (exact entry, phrase token id). */
typedef struct asy_shash_slot {
    uint64_t hash;  /* 0 = empty */
    uint32_t off, len; /* key bytes in the arena */
    int32_t exact;  /* entry index of the one-token exact entry, or -1 */
    int32_t tok;    /* token id in phrases, or -1 */
    int32_t glob;   /* matcher cache only: best glob entry, -1 none */
} asy_shash_slot;

typedef struct asy_shash {
    asy_shash_slot *slots;
    size_t cap, n;
    asy_buf arena;
} asy_shash;

uint64_t asy_dict_hash(const char *s, size_t n);
/* Find (or with create != 0, insert) key; NULL when absent / no memory. */
asy_shash_slot *asy_shash_find(asy_shash *h, const char *s, size_t n,
                               uint64_t hash, int create);
void asy_shash_free(asy_shash *h);

/* ---- the matcher's fast path ------------------------------------------ */

/* One slot of the compiled table of short ASCII keys (no stemming): the
 * folded key zero-padded into two words, so a probe compares two
 * integers instead of calling memcmp. len 0 = empty slot. */
typedef struct dict_fslot {
    uint64_t k0, k1;
    uint32_t len;
    int32_t tok;  /* phrase token id, or -1 */
    int32_t best; /* exact entry, else the best glob for the word, or -1 */
    int32_t lead; /* 1 when some phrase starts with this word */
} dict_fslot;

#define ASY_DICT_FAST_MAX 16 /* longest key in the fast table, in bytes */
#define ASY_DICT_FWAY 4      /* slots per bucket of the fast table */

/* One multiply: the bucket is taken from the top bits of the product
 * (which depend on every key bit), the tag from bits 32..47. The length
 * is not hashed: keys are zero-padded and tokens have no NUL byte, and a
 * probe compares it anyway. */
static inline uint64_t asy_dict_fhash(uint64_t k0, uint64_t k1)
{
    uint64_t x = k0 ^ (k1 << 29 | k1 >> 35);
    return x * 0x9E3779B97F4A7C15ull;
}

static inline uint16_t asy_dict_ftag(uint64_t h)
{
    return (uint16_t)(h >> 32 | 1);
}

/* The glob pre-filters are byte maps of 1 << ASY_DICT_GBITS entries: a
 * byte each rather than a bit, so that a test is one load (a false "may"
 * only costs a look in the thread's glob cache). The prefix map is
 * indexed by the first k bytes of a word (the low bytes of its
 * little-endian key, the rest masked off), the suffix map by its last k
 * bytes (the high bytes of the four ending it, the rest masked off), each
 * byte with 0x20 set (case folding for letters). */
#define ASY_DICT_GBITS 12

/* The mask of k (<= 4) bytes of a filter word: low bytes for prefixes,
 * high bytes for suffixes. */
static inline uint32_t asy_dict_fmask(int k, int high)
{
    if (k <= 0)
        return 0;
    if (k >= 4)
        return ~0u;
    return high ? ~0u << (8 * (4 - k)) : (1u << (8 * k)) - 1;
}

/* The map entry of a masked filter word. */
static inline uint32_t asy_dict_fidx(uint32_t v)
{
    return (v * 0x9E3779B1u) >> (32 - ASY_DICT_GBITS);
}

/* ---- the dictionary ------------------------------------------------------ */

typedef struct dict_cat {
    char *path;
    int parent, depth;
} dict_cat;

typedef struct dict_entry {
    char *term, *norm;  /* norm: elements joined by ' ' */
    asy_dict_kind kind;
    int ntok;
    int *cats;
    double *weights;
    int ncats, capcats;
    int rank;           /* priority among equal token counts */
    const char *file;   /* interned in d->files */
    long line;
    int dups;           /* times the same (term, category) was repeated */
    long dup_line;      /* line of the first repeat */
} dict_entry;

/* A glob edge of the phrase trie (phrase elements that are globs). */
typedef struct dict_gedge {
    const char *pat; /* into the entry's norm, not NUL-terminated */
    size_t plen;
    int32_t child, next;
} dict_gedge;

struct asy_dict {
    dict_cat *cats;
    size_t ncats, capcats;
    dict_entry *entries;
    size_t nentries, capentries;
    asy_shash byterm;   /* building: norm -> entry (in .exact) */
    char **files;
    size_t nfiles;
    char *stem_lang;        /* NULL: no stemming */
    struct asy_stemmer *stemmer; /* compile-time stemmer */

    /* compiled */
    int compiled;
    uint64_t generation; /* unique per compilation (matcher caches) */
    asy_shash words;    /* token -> exact entry / phrase token id */
    asy_ihash pre, suf; /* byte tries: (node << 8 | byte) -> child */
    int32_t *pre_term, *suf_term; /* node -> entry or -1 */
    size_t npre, nsuf;
    int32_t *globs;     /* generic one-token globs (entry indices) */
    size_t nglobs;
    asy_ihash ph;       /* phrase trie: (node << 32 | tok) -> child */
    int32_t *ph_term, *ph_gfirst;
    size_t nph;
    dict_gedge *gedges;
    size_t ngedges;
    int32_t ntoks;      /* phrase token ids handed out */
    int maxtok;         /* longest phrase, in tokens */

    /* fast path for ASCII tokens of <= ASY_DICT_FAST_MAX bytes, built
     * when the dictionary does not stem (NULL otherwise) */
    dict_fslot *fast;   /* buckets * ASY_DICT_FWAY slots, then one miss
                           slot (len 0, no entry) */
    uint64_t *ftag;     /* per bucket: the 16-bit tags of its slots (0
                           empty, else asy_dict_ftag(hash)); a probe
                           compares the four at once */
    size_t fastmask;    /* buckets - 1 */
    unsigned fshift;    /* bucket = hash >> fshift */
    /* One bit per value of the hash's top bits (hash >> fbshift), set for
     * the keys of `fast`: a clear bit settles most misses in one load (in
     * the same allocation as ftag, after its buckets). */
    const uint64_t *fbits;
    unsigned fbshift;
    /* Pre-filter of one-token globs for words not in `fast`: a word can
     * only match a prefix glob when the entry of its first gpre_k bytes
     * is set in gpre (likewise suffixes, last gsuf_k bytes); gany when
     * some glob needs the full test whatever the word (gpre is then all
     * ones). Both maps exist when the dictionary has one-token globs of
     * any kind (all zeros for a kind it lacks, with k 0), else both are
     * NULL. */
    uint8_t *gpre, *gsuf; /* byte maps (ASY_DICT_GBITS) */
    int gpre_k, gsuf_k, gany;
};

/* Drop the compiled tables (entries and categories stay). */
void asy_dict_uncompile(asy_dict *d);
/* Is entry a a better match than b (-1 = none) of the same length? */
int asy_dict_entry_better(const asy_dict *d, int32_t a, int32_t b);

/* The lookup key of folded word k[0..n): itself, or its stem when the
 * dictionary stems (st is the caller's stemmer for d->stem_lang). */
int asy_dict_key(const asy_dict *d, struct asy_stemmer *st, const char *k,
                 size_t n, const char **key, size_t *keyn);

/* The best glob entry matching the folded token k[0..n), or -1. */
int32_t asy_dict_best_glob(const asy_dict *d, const char *k, size_t n);

/* ---- loader helpers (dict_load.c) -------------------------------------- */

/* A line-by-line reader over bytes in memory with 1-based line numbers. */
typedef struct dict_lines {
    const char *p, *end;
    long line;
} dict_lines;

/* Next line without its "\n"/"\r\n"; returns 0 at the end. */
int asy_dict_next_line(dict_lines *r, const char **s, size_t *n);
/* Set err to a parse error at name:line with a hint. */
int asy_dict_parse_error(asy_error *err, const char *name, long line,
                         const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

int asy_dict_load_csv(asy_dict *d, const char *name, const char *data,
                      size_t len, int tab, asy_error *err);
int asy_dict_load_liwc(asy_dict *d, const char *name, const char *data,
                       size_t len, asy_error *err);
int asy_dict_load_dicx(asy_dict *d, const char *name, const char *data,
                       size_t len, asy_error *err);
int asy_dict_load_yaml(asy_dict *d, const char *name, const char *data,
                       size_t len, asy_error *err);
int asy_dict_load_lexicoder(asy_dict *d, const char *name, const char *data,
                            size_t len, asy_error *err);
int asy_dict_load_wordstat(asy_dict *d, const char *name, const char *data,
                           size_t len, asy_error *err);

/* Split one CSV/TSV line into fields (quotes "" handled for CSV). Fields
 * are copied into buf, separated by NULs; returns the field count, or -1
 * on an unterminated quote / no memory. */
int asy_dict_split_fields(const char *s, size_t n, char sep, asy_buf *buf,
                          const char **fields, int maxf);

#endif
