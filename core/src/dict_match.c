/*
 * dict_match.c — the dictionary matcher: walks a text's UAX #29 word
 * tokens through a sliding window (bounded memory whatever the document
 * size), folds each token once, and at every position takes the longest
 * entry starting there (phrase trie, then exact word, then globs).
 * Short ASCII tokens take a fast path: folded into two machine words and
 * looked up in the dictionary's compiled table (dict_compile.c).
 */
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dict_int.h"
#include "token.h"
#include "wordbreak.h"

/* A token of the window; its offsets are the asy_wb_seg at the same index
 * of scratch->seg (filled in place by asy_wb_fill). */
typedef struct wtok {
    size_t noff, nlen; /* folded form in scratch->norm (keepnorm) */
    int32_t tok;  /* phrase token id, or -1 */
    int32_t best; /* best one-token entry (exact, else glob), or -1 */
    int32_t lead; /* 1 when a phrase starts with it (phrase trie root) */
} wtok;

#define BATCH 512

/* Distinct tokens remembered per thread: a Zipfian vocabulary makes the
 * glob tries and the dictionary hash run once per distinct word instead
 * of once per token. Emptied when it grows past CACHE_MAX words or the
 * dictionary changes. */
#define CACHE_MAX 65536

#define GC_BITS 14 /* glob answers remembered per thread: 16384 */
#define GC_SIZE (1u << GC_BITS)


struct asy_dict_scratch {
    wtok *w;
    asy_wb_seg *seg;
    size_t n, cap, pos;
    asy_buf norm;
    asy_shash cache;
    uint64_t owner; /* generation of the dictionary the cache describes */
    asy_stemmer *stem; /* for the dictionary's stem language, or NULL */
    int keepnorm;      /* folded text needed (phrase glob edges) */
    /* asy_dict_count without weights: matches per entry, and the entries
     * touched in this text (so that clearing costs what was used) */
    int64_t *hits;
    int32_t *touched;
    size_t ntouched, nhits;
    /* glob answers of recent words outside the fast table, direct-mapped
     * by their fast hash (len 0 = empty); emptied with the cache */
    struct gslot { uint64_t k0, k1; uint32_t len; int32_t glob; } gc[GC_SIZE];
    /* run_count: the glob candidates of a run, and its tokens that may be
     * in the fast table (key and hash) */
    const asy_wb_seg *cand[BATCH];
    struct maybe { const asy_wb_seg *g; uint64_t h, k[2]; } maybe[BATCH];
};

asy_dict_scratch *asy_dict_scratch_new(void)
{
    return calloc(1, sizeof(asy_dict_scratch));
}

size_t asy_dict_scratch_size(void)
{
    return sizeof(asy_dict_scratch);
}

void asy_dict_scratch_free(asy_dict_scratch *s)
{
    if (!s)
        return;
    free(s->w);
    free(s->seg);
    asy_buf_free(&s->norm);
    asy_shash_free(&s->cache);
    asy_stemmer_free(s->stem);
    free(s->hits);
    free(s->touched);
    free(s);
}

/* ===== globs ============================================================ */

static size_t cp_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Iterative glob match with one backtrack point (the last '*'): linear in
 * practice, never exponential. */
int asy_dict_glob_match(const char *p, size_t plen, const char *s, size_t slen)
{
    size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
    while (j < slen) {
        if (i < plen && p[i] == '*') {
            star = i++;
            mark = j;
        } else if (i < plen && p[i] == '?') {
            i++;
            j += cp_len((unsigned char)s[j]);
        } else if (i < plen && p[i] == s[j]) {
            i++;
            j++;
        } else if (star != (size_t)-1) {
            i = star + 1;
            mark += cp_len((unsigned char)s[mark]);
            j = mark;
        } else
            return 0;
    }
    while (i < plen && p[i] == '*')
        i++;
    return i == plen && j == slen;
}

/* ===== the token window ================================================== */

static const char *tnorm(const asy_dict_scratch *s, const wtok *t)
{
    return s->norm.data + t->noff;
}

/* Drop the tokens before pos (keeping their folded bytes compact). */
static void shift(asy_dict_scratch *s)
{
    if (!s->pos)
        return;
    size_t keep = s->n - s->pos;
    memmove(s->w, s->w + s->pos, keep * sizeof *s->w);
    memmove(s->seg, s->seg + s->pos, keep * sizeof *s->seg);
    if (s->keepnorm) {
        size_t off = keep ? s->w[0].noff : s->norm.len;
        for (size_t i = 0; i < keep; i++)
            s->w[i].noff -= off;
        memmove(s->norm.data, s->norm.data + off, s->norm.len - off);
        s->norm.len -= off;
    }
    s->n = keep;
    s->pos = 0;
}

/* Fold one token into buf: ASCII lower-cased in one pass (the common
 * case), anything else through asy_dict_fold. */
static int fold_tok(asy_buf *buf, const char *src, size_t n)
{
    if (asy_buf_reserve(buf, n) < 0)
        return -1;
    char *o = buf->data + buf->len;
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)src[i];
        any |= b;
        o[i] = (char)((unsigned char)(b - 'A') < 26u ? b | 0x20 : b);
    }
    if (any & 0x80)
        return asy_dict_fold(src, n, buf);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return 0;
}

/* Room for BATCH more tokens in the window. */
static int reserve(asy_dict_scratch *s)
{
    if (s->n + BATCH <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 2 * BATCH;
    wtok *w = realloc(s->w, cap * sizeof *w);
    if (w)
        s->w = w;
    asy_wb_seg *g = realloc(s->seg, cap * sizeof *g);
    if (g)
        s->seg = g;
    if (!w || !g)
        return -1;
    s->cap = cap;
    return 0;
}

/* The per-thread cache slot of folded token k[0..n) (filled on first
 * sight: phrase token id, exact entry, best glob). */
static asy_shash_slot *cached(const asy_dict *d, asy_dict_scratch *s,
                              const char *k, size_t n)
{
    uint64_t h = asy_dict_hash(k, n);
    asy_shash_slot *c = asy_shash_find(&s->cache, k, n, h, 0);
    if (c)
        return c;
    if (s->cache.n >= CACHE_MAX)
        asy_shash_free(&s->cache);
    if (!(c = asy_shash_find(&s->cache, k, n, h, 1)))
        return NULL;
    const char *key;
    size_t kn;
    if (asy_dict_key(d, s->stem, k, n, &key, &kn) < 0)
        return NULL;
    asy_shash_slot *sl = asy_shash_find((asy_shash *)&d->words, key, kn,
                                        key == k ? h : asy_dict_hash(key, kn),
                                        0);
    c->tok = sl ? sl->tok : -1;
    c->exact = sl ? sl->exact : -1;
    c->glob = c->exact >= 0 ? -1 : asy_dict_best_glob(d, k, n);
    return c;
}

/* Any token: folded into the window's buffer, then looked up. */
static int push_slow(const asy_dict *d, asy_dict_scratch *s, const char *text,
                     const asy_wb_seg *g, wtok *t)
{
    t->noff = s->norm.len;
    if (fold_tok(&s->norm, text + g->start, g->end - g->start) < 0)
        return -1;
    t->nlen = s->norm.len - t->noff;
    asy_shash_slot *c = cached(d, s, tnorm(s, t), t->nlen);
    if (!c)
        return -1;
    t->tok = c->tok;
    t->best = c->exact >= 0 ? c->exact : c->glob;
    t->lead = c->tok >= 0 && asy_ihash_get(&d->ph, (uint64_t)c->tok) >= 0;
    if (!s->keepnorm)
        s->norm.len = t->noff; /* nobody reads it again */
    return 0;
}

#define ONES 0x0101010101010101ull
#define HIGH 0x8080808080808080ull

/* 'A'..'Z' to lower case in 8 ASCII bytes at once. */
static inline uint64_t lower8(uint64_t w)
{
    uint64_t ge_a = w + ONES * (0x80 - 'A');
    uint64_t gt_z = w + ONES * (0x80 - 'Z' - 1);
    return w | ((ge_a & ~gt_z & HIGH) >> 2);
}

/* The glob pre-filters of a dictionary, read once per scan: both maps
 * exist whenever the dictionary has one-token globs (dict_compile.c). */
typedef struct gfilter {
    const uint8_t *pre, *suf;
    uint32_t pmask; /* the low gpre_k bytes of a word's first four */
    uint32_t smask; /* the high gsuf_k bytes of the four ending a word */
    uint32_t sfold; /* 0x20 in each byte of smask (case folding) */
} gfilter;

static inline gfilter gfilter_of(const asy_dict *d)
{
    uint32_t sm = asy_dict_fmask(d->gsuf_k, 1);
    gfilter g = {d->gpre, d->gsuf, asy_dict_fmask(d->gpre_k, 0), sm,
                 sm & 0x20202020u};
    return g;
}

static inline uint32_t load4(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The suffix filter's word for the bytes ending at text[end): the last
 * gsuf_k of four, each with 0x20 set, which lower-cases ASCII letters
 * (other bytes may collide: a false "may" only). Bytes before the text
 * read as zeros. */
static inline uint32_t last4(const gfilter *g, const char *text, size_t end)
{
    uint32_t v = 0;
    if (__builtin_expect(end >= 4, 1))
        memcpy(&v, text + end - 4, 4);
    else
        memcpy((char *)&v + 4 - end, text, end);
    return (v & g->smask) | g->sfold;
}

/* Can the ASCII word (folded key w0 ..., zero-padded; not in the fast
 * table) whose last4() is s4 match a glob? One load per map, no test of
 * the word's length: a false "yes" only costs a look in the glob memory,
 * and a word shorter than a filter's bytes cannot match the globs it
 * stands for. */
static inline unsigned may_glob_f(const gfilter *g, uint64_t w0, uint32_t s4)
{
    return g->pre[asy_dict_fidx((uint32_t)w0 & g->pmask)] |
           g->suf[asy_dict_fidx(s4)];
}

#define L16 0x0001000100010001ull
#define H16 0x8000800080008000ull

/* The 16-bit lanes of x that are zero (the lowest flagged lane always is;
 * lanes above a zero one may be flagged falsely). */
static inline uint64_t zero16(uint64_t x)
{
    return (x - L16) & ~x & H16;
}

/* Every slot of the chain of h, for the rare probes the one-bucket test
 * cannot settle (a full bucket, or two tags alike). */
static const dict_fslot *fprobe_slow(const asy_dict *d, uint64_t h,
                                     uint64_t k0, uint64_t k1, size_t n)
{
    uint64_t tag = asy_dict_ftag(h);
    for (size_t b = (size_t)(h >> d->fshift);; b = (b + 1) & d->fastmask) {
        uint64_t tw = d->ftag[b];
        for (unsigned i = 0; i < ASY_DICT_FWAY; i++) {
            const dict_fslot *f = &d->fast[b * ASY_DICT_FWAY + i];
            if ((tw >> (16 * i) & 0xffff) == tag && f->k0 == k0 &&
                f->k1 == k1 && f->len == n)
                return f;
        }
        if (zero16(tw))
            return &d->fast[(d->fastmask + 1) * ASY_DICT_FWAY];
    }
}

/* The fast table's slot for key (k0, k1, n) whose hash is h
 * (asy_dict_fhash), or its miss slot: the four tags of one bucket
 * compared at once; most misses end there. */
static inline const dict_fslot *fprobe_h(const asy_dict *d, uint64_t h,
                                         uint64_t k0, uint64_t k1, size_t n)
{
    size_t b = (size_t)(h >> d->fshift);
    uint64_t tw = d->ftag[b];
    for (uint64_t m = zero16(tw ^ asy_dict_ftag(h) * L16); m; m &= m - 1) {
        const dict_fslot *f =
            &d->fast[b * ASY_DICT_FWAY + (size_t)__builtin_ctzll(m) / 16];
        if (f->k0 == k0 && f->k1 == k1 && f->len == n)
            return f;
    }
    if (__builtin_expect(!zero16(tw), 0)) /* full bucket: the chain */
        return fprobe_slow(d, h, k0, k1, n);
    return &d->fast[(d->fastmask + 1) * ASY_DICT_FWAY];
}

static inline const dict_fslot *fprobe(const asy_dict *d, uint64_t k0,
                                       uint64_t k1, size_t n)
{
    return fprobe_h(d, asy_dict_fhash(k0, k1), k0, k1, n);
}

/* The low k bytes of a word (k <= 8). */
static const uint64_t keep[9] = {
    0, 0xff, 0xffff, 0xffffff, 0xffffffffull, 0xffffffffffull,
    0xffffffffffffull, 0xffffffffffffffull, ~0ull};

/* An ASCII token of <= 16 bytes against the compiled table: 1 done, 0 not
 * eligible (use push_slow), -1 no memory. */
static int push_fast(const asy_dict *d, asy_dict_scratch *s, const char *text,
                     size_t tlen, const asy_wb_seg *g, wtok *t)
{
    size_t n = g->end - g->start;
    if (n > ASY_DICT_FAST_MAX)
        return 0;
    uint64_t w0, w1;
    if (__builtin_expect(g->start + 16 <= tlen, 1)) { /* load, then mask */
        size_t n0 = n < 8 ? n : 8;
        memcpy(&w0, text + g->start, 8);
        memcpy(&w1, text + g->start + 8, 8);
        w0 &= keep[n0];
        w1 &= keep[n - n0];
    } else {
        char c[16] = {0};
        memcpy(c, text + g->start, n);
        memcpy(&w0, c, 8);
        memcpy(&w1, c + 8, 8);
    }
    if ((w0 | w1) & HIGH)
        return 0;
    w0 = lower8(w0);
    w1 = lower8(w1);
    if (s->keepnorm) {
        uint64_t c[2] = {w0, w1};
        if (asy_buf_append(&s->norm, (const char *)c, n) < 0)
            return -1;
        t->nlen = n;
    }
    const dict_fslot *f = fprobe(d, w0, w1, n);
    t->tok = f->tok;
    t->best = f->best;
    t->lead = f->lead;
    gfilter gf = gfilter_of(d);
    if (f->len == 0 && gf.pre &&
        may_glob_f(&gf, w0, last4(&gf, text, g->end))) {
        /* not a dictionary word: globs only */
        union { char c[24]; uint64_t w[3]; } b = {{0}};
        b.w[0] = w0;
        b.w[1] = w1;
        asy_shash_slot *c = cached(d, s, b.c, n);
        if (!c)
            return -1;
        t->best = c->glob;
    }
    return 1;
}

/* Look up the token of segment g into *t. */
static int lookup(const asy_dict *d, asy_dict_scratch *s, const char *text,
                  size_t tlen, const asy_wb_seg *g, wtok *t)
{
    t->noff = s->norm.len;
    t->nlen = 0;
    int r = d->fast ? push_fast(d, s, text, tlen, g, t) : 0;
    return r ? (r > 0 ? 0 : -1) : push_slow(d, s, text, g, t);
}

/* The folded key of the token of segment g, zero-padded into two words;
 * returns 0 when the fast table cannot answer it (a byte >= 0x80, or
 * more than ASY_DICT_FAST_MAX bytes). No branch on the text. */
#if defined(__SSE2__)
static inline int fkey_v(const char *text, size_t tlen, const asy_wb_seg *g,
                         __m128i *key)
{
    static const unsigned char ones[48] = { /* 32 x 0xff, then 16 x 0 */
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255};
    size_t n = g->end - g->start;
    __m128i v;
    if (__builtin_expect(g->start + 16 <= tlen, 1))
        v = _mm_loadu_si128((const __m128i *)(text + g->start));
    else {
        char c[16] = {0};
        memcpy(c, text + g->start, n < 16 ? n : 16);
        v = _mm_loadu_si128((const __m128i *)c);
    }
    /* the low n bytes (any mask past 16 bytes: such a token is refused) */
    v = _mm_and_si128(
        v, _mm_loadu_si128((const __m128i *)(ones + 32 - (n & 31))));
    int high = _mm_movemask_epi8(v); /* bytes >= 0x80 */
    /* 'A'..'Z' moved to -128..-103 (signed), below every other byte */
    __m128i up = _mm_cmpgt_epi8(_mm_set1_epi8(-128 + 26),
                                _mm_add_epi8(v, _mm_set1_epi8(0x80 - 'A')));
    *key = _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
    return !(high | (n > ASY_DICT_FAST_MAX));
}

static inline int fkey(const char *text, size_t tlen, const asy_wb_seg *g,
                       uint64_t *k0, uint64_t *k1)
{
    __m128i v;
    int ok = fkey_v(text, tlen, g, &v);
    *k0 = (uint64_t)_mm_cvtsi128_si64(v);
    *k1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
    return ok;
}

/* fkey, the key's 16 bytes also stored at to (as k0, k1): one store of
 * the vector instead of the two words put together again */
static inline int fkey_to(const char *text, size_t tlen, const asy_wb_seg *g,
                          uint64_t *k0, uint64_t *k1, uint64_t *to)
{
    __m128i v;
    int ok = fkey_v(text, tlen, g, &v);
    _mm_storeu_si128((__m128i *)to, v);
    *k0 = (uint64_t)_mm_cvtsi128_si64(v);
    *k1 = (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v));
    return ok;
}
#else
static inline int fkey(const char *text, size_t tlen, const asy_wb_seg *g,
                       uint64_t *k0, uint64_t *k1)
{
    size_t n = g->end - g->start;
    uint64_t w0, w1;
    if (__builtin_expect(g->start + 16 <= tlen, 1)) {
        memcpy(&w0, text + g->start, 8);
        memcpy(&w1, text + g->start + 8, 8);
    } else {
        char c[16] = {0};
        memcpy(c, text + g->start, n < 16 ? n : 16);
        memcpy(&w0, c, 8);
        memcpy(&w1, c + 8, 8);
    }
    size_t n0 = n < 8 ? n : 8, n1 = n < 16 ? n - n0 : 8;
    w0 &= keep[n0];
    w1 &= keep[n1];
    *k0 = lower8(w0);
    *k1 = lower8(w1);
    return (n <= ASY_DICT_FAST_MAX) & !((w0 | w1) & HIGH);
}

static inline int fkey_to(const char *text, size_t tlen, const asy_wb_seg *g,
                          uint64_t *k0, uint64_t *k1, uint64_t *to)
{
    int ok = fkey(text, tlen, g, k0, k1);
    to[0] = *k0;
    to[1] = *k1;
    return ok;
}
#endif

/* The best glob for an ASCII word outside the fast table (key k0 k1 of n
 * bytes, hash h), computed and remembered in slot g of the thread's
 * direct-mapped table. */
static int32_t glob_fill(const asy_dict *d, struct gslot *g, uint64_t k0,
                         uint64_t k1, size_t n)
{
    union { char c[24]; uint64_t w[3]; } b = {{0}};
    b.w[0] = k0;
    b.w[1] = k1;
    *g = (struct gslot){k0, k1, (uint32_t)n, asy_dict_best_glob(d, b.c, n)};
    return g->glob;
}

/* The answer for the token of segment g on the fast path (folded text
 * not kept): key, fast table, and when the dictionary has globs the glob
 * answer remembered for words outside the table. Branches only for the
 * rare tokens that need the general path (non-ASCII, long) and for glob
 * candidates. 0, or -1 when out of memory. */
static inline __attribute__((always_inline)) int
answer(const asy_dict *d, asy_dict_scratch *s, const char *text, size_t tlen,
       const asy_wb_seg *g, int globs, wtok *t)
{
    uint64_t k0, k1;
    size_t n = g->end - g->start;
    if (__builtin_expect(!fkey(text, tlen, g, &k0, &k1), 0))
        return push_slow(d, s, text, g, t);
    uint64_t h = asy_dict_fhash(k0, k1);
    const dict_fslot *f = fprobe_h(d, h, k0, k1, n);
    *t = (wtok){s->norm.len, 0, f->tok, f->best, f->lead};
    gfilter gf = gfilter_of(d);
    if (globs && f->len == 0 &&
        may_glob_f(&gf, k0, last4(&gf, text, g->end))) {
        struct gslot *gs = &s->gc[h >> (64 - GC_BITS)];
        t->best = gs->len == n && gs->k0 == k0 && gs->k1 == k1
                      ? gs->glob : glob_fill(d, gs, k0, k1, n);
    }
    return 0;
}

/* ===== matching at one position ============================================ */

static int32_t walk_bytes(const asy_ihash *h, const int32_t *term,
                          const char *k, size_t n, int rev,
                          const asy_dict *d, int32_t best)
{
    int32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)k[rev ? n - 1 - i : i];
        if ((node = asy_ihash_get(h, (uint64_t)node << 8 | b)) < 0)
            break;
        if (asy_dict_entry_better(d, term[node], best))
            best = term[node];
    }
    return best;
}

int32_t asy_dict_best_glob(const asy_dict *d, const char *k, size_t n)
{
    int32_t best = -1;
    if (d->npre > 1)
        best = walk_bytes(&d->pre, d->pre_term, k, n, 0, d, best);
    if (d->nsuf > 1)
        best = walk_bytes(&d->suf, d->suf_term, k, n, 1, d, best);
    for (size_t g = 0; g < d->nglobs; g++) {
        const char *p = d->entries[d->globs[g]].norm;
        if (asy_dict_entry_better(d, d->globs[g], best) &&
            asy_dict_glob_match(p, strlen(p), k, n))
            best = d->globs[g];
    }
    return best;
}

/* The best one-token entry for t (exact beats every glob). */
static int32_t single(const asy_dict *d, const asy_dict_scratch *s,
                      const wtok *t)
{
    (void)d;
    (void)s;
    return t->best; /* exact word, else the best glob (push_tok) */
}

typedef struct phbest {
    int32_t id;
    int len;
} phbest;

static void ph_walk(const asy_dict *d, const asy_dict_scratch *s,
                    int32_t node, size_t i, int depth, phbest *b)
{
    if (depth > 1 && d->ph_term[node] >= 0 &&
        (depth > b->len ||
         (depth == b->len && asy_dict_entry_better(d, d->ph_term[node], b->id))))
        *b = (phbest){d->ph_term[node], depth};
    if (i >= s->n)
        return;
    const wtok *t = &s->w[i];
    if (t->tok >= 0) {
        int32_t c = asy_ihash_get(&d->ph, (uint64_t)node << 32 |
                                              (uint64_t)t->tok);
        if (c >= 0)
            ph_walk(d, s, c, i + 1, depth + 1, b);
    }
    for (int32_t g = d->ph_gfirst[node]; g >= 0; g = d->gedges[g].next)
        if (asy_dict_glob_match(d->gedges[g].pat, d->gedges[g].plen,
                                tnorm(s, t), t->nlen))
            ph_walk(d, s, d->gedges[g].child, i + 1, depth + 1, b);
}

/* The longest entry starting at window index i: *len tokens, or -1. */
static int32_t match_at(const asy_dict *d, const asy_dict_scratch *s,
                        size_t i, int *len)
{
    phbest b = {-1, 0};
    if (s->w[i].tok >= 0 || d->ph_gfirst[0] >= 0)
        ph_walk(d, s, 0, i, 0, &b);
    if (b.id >= 0) {
        *len = b.len;
        return b.id;
    }
    *len = 1;
    return single(d, s, &s->w[i]);
}

/* ===== the scan ============================================================= */

/* Per-thread state that depends on the dictionary: a new compilation
 * empties the cache and gets its own stemmer and hit counters. */
static int adopt(const asy_dict *d, asy_dict_scratch *s)
{
    if (s->owner == d->generation)
        return 0;
    asy_shash_free(&s->cache);
    memset(s->gc, 0, sizeof s->gc);
    asy_stemmer_free(s->stem); /* a stemmer for this dictionary */
    s->stem = d->stem_lang ? asy_stemmer_new(d->stem_lang, NULL) : NULL;
    if (d->stem_lang && !s->stem)
        return -1;
    free(s->hits);
    free(s->touched);
    s->nhits = d->nentries;
    s->hits = calloc(s->nhits ? s->nhits : 1, sizeof *s->hits);
    s->touched = malloc((s->nhits + 1) * sizeof *s->touched);
    s->ntouched = 0;
    if (!s->hits || !s->touched)
        return -1;
    s->keepnorm = d->ngedges > 0 || !d->fast;
    s->owner = d->generation;
    return 0;
}

/* The state of one scan. */
typedef struct walk {
    size_t base;     /* corpus index of window slot 0 */
    int64_t nw;      /* word tokens so far */
    asy_dict_match_fn fn; /* NULL: count into scratch->hits */
    void *ud;
    int phroot;      /* phrases may start with a glob: every token a start */
} walk;

/* Record a match of tokens a..z (corpus index tok of a): into the hit
 * counters when counting, else through fn (its result). */
static int found(asy_dict_scratch *s, const walk *w, const asy_wb_seg *a,
                 const asy_wb_seg *z, size_t tok, int32_t id, int len)
{
    if (w->fn) {
        asy_dict_match m = {(size_t)id, a->start,  z->end, a->cstart,
                            z->cend,    tok,       len};
        return w->fn(w->ud, &m);
    }
    if (!s->hits[id]++)
        s->touched[s->ntouched++] = id;
    return 0;
}

/* Count entry id (-1: none) into the hit counters, listing it as touched
 * the first time. (A branch-free form, counting misses into spare
 * counters, measured slower: most tokens miss, and the branch is cheap
 * when it is predicted.) */
#define COUNT(id_)                                                          \
    do {                                                                    \
        int32_t id2_ = (id_);                                               \
        if (id2_ >= 0 && !hits[id2_]++)                                     \
            touched[nt++] = id2_;                                           \
    } while (0)

/* A phrase that starts at the lead token k (phrase token id tok, one-token
 * answer best) when phrases are two tokens long and have no glob
 * elements: decided here from the next token's answer instead of in the
 * window. Returns the entry to count (-1: none) and sets *adv to the
 * tokens it covers; -2 when out of memory. */
static __attribute__((noinline)) int32_t
lead_pair(const asy_dict *d, asy_dict_scratch *s, const char *text,
          size_t tlen, size_t k, int32_t tok, int32_t best, int globs,
          size_t *adv)
{
    wtok u;
    *adv = 1;
    if (answer(d, s, text, tlen, &s->seg[k + 1], globs, &u) < 0)
        return -2;
    if (u.tok >= 0) {
        int32_t c = asy_ihash_get(&d->ph, (uint64_t)tok);
        if (c >= 0)
            c = asy_ihash_get(&d->ph, (uint64_t)c << 32 | (uint64_t)u.tok);
        if (c >= 0 && d->ph_term[c] >= 0) {
            *adv = 2;
            return d->ph_term[c];
        }
    }
    return best;
}

/* Count the best glob of each listed candidate (a word outside the fast
 * table that passed the glob filter), from the thread's glob memory. */
static __attribute__((noinline)) void
tally_globs(const asy_dict *d, asy_dict_scratch *s, const char *text,
            const asy_wb_seg *const *cand, size_t nc)
{
    int64_t *hits = s->hits;
    int32_t *touched = s->touched;
    size_t nt = s->ntouched;
    for (size_t i = 0; i < nc; i++) {
        const asy_wb_seg *g = cand[i];
        uint64_t k0, k1;
        size_t n = g->end - g->start;
        fkey(text, g->start + 16, g, &k0, &k1); /* known short, ASCII */
        uint64_t h = asy_dict_fhash(k0, k1);
        struct gslot *gs = &s->gc[h >> (64 - GC_BITS)];
        COUNT(gs->len == n && gs->k0 == k0 && gs->k1 == k1
                  ? gs->glob : glob_fill(d, gs, k0, k1, n));
    }
    s->ntouched = nt;
}

/* Pass 1 of run_count_g over tokens g..stop: each token keyed, listed
 * in s->maybe (up to *mend) when its presence bit is set, and when the
 * dictionary has globs listed in s->cand (up to *cend) when it is not
 * but passes the glob filter; no branch on the text. Returns the token
 * where it stopped (stop, or a long or non-ASCII one). */
static inline __attribute__((always_inline)) const asy_wb_seg *
run_list(const asy_dict *d, asy_dict_scratch *s, const char *text,
         const asy_wb_seg *g, const asy_wb_seg *stop, const int globs,
         struct maybe **mend, const asy_wb_seg ***cend)
{
    /* the dictionary's constants in locals (registers) */
    const unsigned fbshift = d->fbshift;
    const uint64_t *fbits = d->fbits;
    const gfilter gf = gfilter_of(d);
    uint64_t mul = 0x9E3779B97F4A7C15ull;
    __asm__("" : "+r"(mul)); /* else rebuilt for every token */
    struct maybe *me = s->maybe;
    const asy_wb_seg **ce = s->cand;
    for (; g < stop; g++) {
        uint64_t k0, k1;
        if (__builtin_expect(!fkey_to(text, g->start + 16, g, &k0, &k1,
                                      me->k), 0))
            break;
        uint64_t h = (k0 ^ (k1 << 29 | k1 >> 35)) * mul; /* asy_dict_fhash */
        uint64_t bi = h >> fbshift;
        unsigned in = fbits[bi >> 6] >> (bi & 63) & 1;
        me->g = g;
        me->h = h;
        me += in;
        if (globs) { /* not a word: globs only */
            *ce = g;
            ce += may_glob_f(&gf, k0, (load4(text + g->end - 4) &
                                       gf.smask) | gf.sfold) & !in;
        }
    }
    *mend = me;
    *cend = ce;
    return g;
}

/* Pass 2 of run_count_g: the listed tokens (before top, the end of pass
 * 1) looked up in order and counted; a lead word decides its two-word
 * phrase here when phrases are no longer (else the general path takes
 * over at it). Returns where the general path goes on (top, or such a
 * lead word). */
static inline __attribute__((always_inline)) const asy_wb_seg *
run_take(const asy_dict *d, asy_dict_scratch *s, const char *text,
         size_t tlen, const asy_wb_seg *top, const struct maybe *me,
         const int globs, int *nomem)
{
    const asy_wb_seg *seg = s->seg, *skip = seg;
    const int pairs = d->maxtok <= 2;
    const gfilter gf = gfilter_of(d);
    int64_t *hits = s->hits;
    int32_t *touched = s->touched;
    size_t nt = s->ntouched;
    for (const struct maybe *mb = s->maybe; mb < me; mb++) {
        const asy_wb_seg *g = mb->g;
        if (__builtin_expect(g < skip, 0))
            continue; /* the second word of a phrase */
        const dict_fslot *f =
            fprobe_h(d, mb->h, mb->k[0], mb->k[1], g->end - g->start);
        int32_t best = f->best;
        if (__builtin_expect(!f->len, 0)) { /* not a word after all */
            s->ntouched = nt;
            if (globs && may_glob_f(&gf, mb->k[0], last4(&gf, text, g->end)))
                tally_globs(d, s, text, &g, 1);
            nt = s->ntouched;
            continue;
        }
        if (__builtin_expect(f->lead, 0)) {
            size_t adv;
            if (!pairs || g + 1 >= top)
                return s->ntouched = nt, g;
            best = lead_pair(d, s, text, tlen, (size_t)(g - seg), f->tok,
                             best, globs, &adv);
            if (best == -2) {
                *nomem = 1;
                return s->ntouched = nt, g;
            }
            skip = g + adv;
        }
        COUNT(best);
    }
    s->ntouched = nt;
    return top;
}

/* Counting with nothing pending: the window's tokens k.. (up to end)
 * looked up and counted at once, up to the first that the general path
 * must see (a word that may start a phrase the loop cannot decide, a long
 * or non-ASCII token, one too near either end of the text to load 16
 * bytes or read 4 before its end), whose index is returned with its
 * answer in *t (end: none). Two passes (run_list, run_take), so that the
 * first, which sees every token, has no branch on "may be a word"
 * (mispredicted for a third of the tokens with 200 frequent keywords);
 * then the glob memory answers the candidates (counting order does not
 * matter). A one-pass loop and one reading the next token's key ahead
 * measured slower. *nomem set when out of memory. */
static inline __attribute__((always_inline)) size_t
run_count_g(const asy_dict *d, asy_dict_scratch *s, const char *text,
            size_t tlen, size_t k, size_t end, wtok *t, int *nomem,
            const int globs)
{
    const asy_wb_seg *seg = s->seg, *g = seg + k, *stop = seg + end;
    while (stop > g && stop[-1].start + 16 > tlen)
        stop--; /* the last tokens: 16 bytes are not there to load */
    if (g < stop && g->end < 4)
        stop = g; /* a word within 4 bytes of the start */
    struct maybe *me;
    const asy_wb_seg **cend, **cand = s->cand;
    const asy_wb_seg *top = run_list(d, s, text, g, stop, globs, &me, &cend);
    top = run_take(d, s, text, tlen, top, me, globs, nomem);
    if (globs) {
        while (cend > cand && cend[-1] >= top)
            cend--; /* past where the general path takes over */
        tally_globs(d, s, text, cand, (size_t)(cend - cand));
    }
    k = (size_t)(top - seg);
    if (k < end && !*nomem &&
        answer(d, s, text, tlen, &seg[k], globs, t) < 0)
        *nomem = 1;
    return k;
}

/* run_count_g for a dictionary with or without globs (two loops, so
 * that the one without globs has no test for them). */
static __attribute__((noinline)) size_t
run_count_globs(const asy_dict *d, asy_dict_scratch *s, const char *text,
                size_t tlen, size_t k, size_t end, wtok *t, int *nomem)
{
    return run_count_g(d, s, text, tlen, k, end, t, nomem, 1);
}

static __attribute__((noinline)) size_t
run_count_words(const asy_dict *d, asy_dict_scratch *s, const char *text,
                size_t tlen, size_t k, size_t end, wtok *t, int *nomem)
{
    return run_count_g(d, s, text, tlen, k, end, t, nomem, 0);
}

static size_t run_count(const asy_dict *d, asy_dict_scratch *s,
                        const char *text, size_t tlen, size_t k, size_t end,
                        wtok *t, int *nomem)
{
    if (d->gany || d->gpre || d->gsuf)
        return run_count_globs(d, s, text, tlen, k, end, t, nomem);
    return run_count_words(d, s, text, tlen, k, end, t, nomem);
}

/* The next token's answer (fast path, general path). */
static int next_tok(const asy_dict *d, asy_dict_scratch *s, const char *text,
                    size_t tlen, size_t k, int batched, wtok *t)
{
    if (!batched)
        return lookup(d, s, text, tlen, &s->seg[k], t);
    if (d->gany || d->gpre || d->gsuf)
        return answer(d, s, text, tlen, &s->seg[k], 1, t);
    return answer(d, s, text, tlen, &s->seg[k], 0, t);
}

/* Decide at window position pos: the longest entry starting there. */
static int step(const asy_dict *d, asy_dict_scratch *s, const walk *w)
{
    int mlen, rc = 0;
    int32_t id = match_at(d, s, s->pos, &mlen);
    if (id >= 0)
        rc = found(s, w, &s->seg[s->pos], &s->seg[s->pos + (size_t)mlen - 1],
                   w->base + s->pos, id, mlen);
    s->pos += id >= 0 ? (size_t)mlen : 1;
    return rc;
}

/* One batch of tokens from the tokenizer (in place in the window): each
 * looked up, and decided as soon as the window holds the longest phrase's
 * worth of tokens after pos. A token that cannot start a phrase, with
 * nothing pending before it, is decided at once and never stored.
 * *more = 0 at the end of the text. Returns 0, a no-memory status or the
 * callback's non-zero result. */
static int feed(const asy_dict *d, asy_dict_scratch *s, asy_wb_iter *it,
                const char *text, size_t tlen, walk *w, int *more)
{
    w->base += s->pos;
    shift(s);
    if (reserve(s) < 0)
        return ASSAY_E_NOMEM;
    size_t first = s->n, got = asy_wb_fill(it, s->seg + first, BATCH);
    w->nw += (int64_t)got;
    *more = got > 0;
    int batched = d->fast && !s->keepnorm;
    int runs = batched && !w->fn && !w->phroot;
    int nomem = 0;
    size_t end = first + got;
    for (size_t k = first; k < end; k++) {
        wtok t;
        int rc = 0;
        if (runs && s->pos == s->n) { /* t: the answer of token j */
            size_t j = run_count(d, s, text, tlen, k, end, &t, &nomem);
            if (nomem)
                return ASSAY_E_NOMEM;
            w->base += j - k;
            if ((k = j) == end)
                break;
        } else if (next_tok(d, s, text, tlen, k, batched, &t) < 0)
            return ASSAY_E_NOMEM;
        if (s->pos == s->n && !t.lead && !w->phroot) {
            if (t.best >= 0)
                rc = found(s, w, &s->seg[k], &s->seg[k], w->base + s->n,
                           t.best, 1);
            if (s->keepnorm)
                s->norm.len = t.noff;
            w->base++; /* consumed without taking a slot */
            if (rc)
                return rc;
            continue;
        }
        if (k != s->n)
            s->seg[s->n] = s->seg[k];
        s->w[s->n++] = t;
        while (rc == 0 && s->pos < s->n &&
               (s->n - s->pos >= (size_t)d->maxtok ||
                (!s->w[s->pos].lead && !w->phroot))) /* one-token */
            rc = step(d, s, w);
        if (rc)
            return rc;
    }
    return 0;
}

static int scan(const asy_dict *d, asy_dict_scratch *s, const char *text,
                size_t len, asy_dict_match_fn fn, void *ud, int64_t *words)
{
    if (!d->compiled && asy_dict_compile((asy_dict *)d, NULL) != ASSAY_OK)
        return ASSAY_E_NOMEM;
    if (adopt(d, s) < 0) {
        s->owner = 0;
        return ASSAY_E_NOMEM;
    }
    asy_wb_iter it;
    walk w = {0, 0, fn, ud, d->ph_gfirst[0] >= 0};
    int more = 1, rc = 0;
    s->n = s->pos = 0;
    asy_buf_clear(&s->norm);
    asy_wb_init(&it, text, len, ASY_WB_WORDLIKE | (fn ? 0 : ASY_WB_BYTES_ONLY));
    while (rc == 0 && more)
        rc = feed(d, s, &it, text, len, &w, &more);
    while (rc == 0 && s->pos < s->n) /* the text's last tokens */
        rc = step(d, s, &w);
    if (words)
        *words = w.nw;
    return rc;
}

int asy_dict_scan(const asy_dict *d, asy_dict_scratch *s, const char *text,
                  size_t len, asy_dict_match_fn fn, void *ud, int64_t *words)
{
    if (!fn)
        return ASSAY_E_USAGE;
    return scan(d, s, text, len, fn, ud, words);
}

/* ===== counting per category ================================================ */

typedef struct counting {
    const asy_dict *d;
    int level;
    int64_t *counts;
    double *scores;
} counting;

static int on_count(void *ud, const asy_dict_match *m)
{
    counting *c = ud;
    const dict_entry *e = &c->d->entries[m->entry];
    for (int i = 0; i < e->ncats; i++) {
        int cat = asy_dict_category_at(c->d, e->cats[i], c->level);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = asy_dict_category_at(c->d, e->cats[j], c->level) == cat;
        if (seen)
            continue; /* counted once per category at this level */
        c->counts[cat]++;
        if (c->scores)
            c->scores[cat] += e->weights[i];
    }
    return 0;
}

/* Add n matches of entry e to each distinct category it has at level. */
static void add_entry(const asy_dict *d, const dict_entry *e, int level,
                      int64_t n, int64_t *counts)
{
    if (e->ncats == 1) {
        counts[asy_dict_category_at(d, e->cats[0], level)] += n;
        return;
    }
    for (int i = 0; i < e->ncats; i++) {
        int cat = asy_dict_category_at(d, e->cats[i], level);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = asy_dict_category_at(d, e->cats[j], level) == cat;
        if (!seen) /* counted once per category at this level */
            counts[cat] += n;
    }
}

int asy_dict_count(const asy_dict *d, asy_dict_scratch *s, const char *text,
                   size_t len, int level, int64_t *counts, double *scores,
                   int64_t *words)
{
    if (scores) { /* weights are summed match by match, as always */
        counting c = {d, level, counts, scores};
        return asy_dict_scan(d, s, text, len, on_count, &c, words);
    }
    int rc = scan(d, s, text, len, NULL, NULL, words);
    for (size_t i = 0; i < s->ntouched; i++) {
        int32_t id = s->touched[i];
        if (rc == ASSAY_OK)
            add_entry(d, &d->entries[id], level, s->hits[id], counts);
        s->hits[id] = 0;
    }
    s->ntouched = 0;
    return rc;
}
