/*
 * token_count.c — asy_tok_count and asy_tok_count_paired (token.h), the
 * counting kernel behind counter:add_words and the wordfreq plugin.
 *
 * Words of up to 16 bytes are counted in a word table (wordtab.h): keys
 * held inline and compared as two 64-bit words, one probe per occurrence,
 * document frequencies by a per-entry stamp. When the words go to one
 * counter — its counts, or counts and document counts of a paired counter
 * — the table is the counter's own (asy_counter_words_begin): it lives
 * from text to text and is settled into the counter only when something
 * reads it, so a corpus costs one probe per occurrence and no per-text
 * set-up or drain. (Before: a table per text, drained into the counter
 * at its end; 19 % more CPU on 2 MB texts, more on short ones.) When
 * counts and document counts go to two counters, or the text's counts
 * to a paired counter without its document counts, the table is the
 * text's own, drained at its end (asy_counter_absorb). ASCII words are
 * loaded, folded and hashed 16 bytes at a time: taken a 64-byte window at
 * a time from the word segmenter where the options allow (count_spans,
 * the words' keys from one folded copy of the window), else one segment
 * at a time (no copy); other words go through asy_tok_normalise first.
 * The table's hash is the counter's own (asy_counter_hash16). Longer words
 * go to the counters directly (document frequency by the counter's
 * per-round stamp).
 */
#include <stdlib.h>
#include <string.h>

#include "ascii8.h"
#include "counter.h"
#include "token.h"
#include "wordbreak.h"
#include "wordtab.h"

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define HAVE_SPANS 1 /* count_spans (64-bit SSE2 at least) */
#else
#define HAVE_SPANS 0
#endif
#if HAVE_SPANS && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define HAVE_AVX512 1
#define AVX512 __attribute__((target("avx512f,avx512bw,bmi2")))
#else
#define HAVE_AVX512 0
#endif

#define INLINE_MAX 16 /* longest key the word table takes */
#define FILL 64       /* words staged per batch (segments per asy_wb_fill
                         call) */
#define STAGED (FILL + 32) /* count_spans: a window adds 32 words at most */

/* One batch of words between the word segmenter and the word table. The
 * fast words (ASCII, or ASCII and ’, up to 16 bytes) are loaded, folded and
 * hashed first and their slots prefetched, so that the probes of a large
 * table overlap their cache misses; the others wait as segments for
 * asy_tok_normalise. Counts do not depend on the order of the adds. */
typedef struct staged {
    uint64_t key[STAGED][2]; /* the fast words' keys ... */
    uint32_t hash[STAGED];   /* ... and hashes */
    asy_wb_seg slow[STAGED]; /* the other words */
    size_t fast, nslow;
} staged;

/* Where the words of one text go. */
typedef struct sink {
    asy_wordtab *w;   /* the counter's word table, or `own` */
    asy_wordtab own;  /* the text's own, when w is not the counter's */
    asy_counter *counts, *docs; /* both the same counter when paired */
    int paired;
    int begun;      /* asy_counter_begin_distinct called on docs */
    size_t counted; /* occurrences (or distinct words, counts NULL) */
} sink;

/* Start the docs counter's distinct round for this text (once). */
static int begin(sink *k)
{
    if (!k->begun && asy_counter_begin_distinct(k->docs) < 0)
        return -1;
    k->begun = 1;
    return 0;
}

/* A normalised word the word table does not take (longer than 16 bytes,
 * or ending in a NUL byte): straight into the counters (document
 * frequency by the counter's per-round stamp). */
static int add_long(sink *k, const char *w, size_t n)
{
    uint32_t h = asy_counter_hash(w, n);
    if (k->paired) {
        if (begin(k) < 0 || asy_counter_add_doc(k->docs, w, n, h, 1) < 0)
            return -1;
        k->counted++;
        return 0;
    }
    if (k->counts) {
        if (asy_counter_add_h(k->counts, w, n, h, 1) < 0)
            return -1;
        k->counted++;
    }
    if (k->docs) {
        if (begin(k) < 0)
            return -1;
        int r = asy_counter_add_distinct(k->docs, w, n, h);
        if (r < 0)
            return -1;
        k->counted += !k->counts && r;
    }
    return 0;
}

/* Add a normalised word w[0..n). */
static int add_norm(sink *k, const char *w, size_t n)
{
    if (n > INLINE_MAX || n == 0 || w[n - 1] == '\0')
        return add_long(k, w, n);
    uint64_t key[2];
    asy_load16(w, n, w, key); /* w may end at n: copy */
    k->counted += k->counts != NULL;
    return asy_wordtab_add(k->w, key, asy_counter_hash16(key[0], key[1], n));
}

enum { FAST, DROP, SLOW };

/*
 * Code points of a word made of ASCII and U+2019 RIGHT SINGLE QUOTATION
 * MARK (E2 80 99) only, or 0 when it has any other non-ASCII byte. News
 * text writes its apostrophes that way (Kazakhstan’s, don’t): about one
 * word in 150, the commonest by far of the words that are not ASCII. The
 * mark has no case folding, no decomposition and no compatibility form,
 * so every normalisation asy_tok_normalise applies (case folding, NFC,
 * NFKC) leaves it as it is and lowers only the ASCII letters around it:
 * such a word can take the fast path instead of utf8proc.
 */
static size_t apos_word(const char *s, size_t n)
{
    size_t cps = 0;
    for (size_t i = 0; i < n; cps++) {
        if (!((unsigned char)s[i] & 0x80)) {
            i++;
        } else if (n - i >= 3 && memcmp(s + i, "\xe2\x80\x99", 3) == 0) {
            i += 3;
        } else {
            return 0;
        }
    }
    return cps;
}

/* asy_lower8 on the ASCII bytes of v, the others kept: they are cleared
 * first, since asy_lower8's adds would carry out of them. */
static inline uint64_t lower_ascii8(uint64_t v)
{
    uint64_t high = ((v & ASY_HIGH) >> 7) * 0xff; /* 0xff per byte >= 0x80 */
    return asy_lower8(v & ~high) | (v & high);
}

/* Stage segment s[0..n): FAST (key and hash filled in at st->fast), DROP
 * (a word of the fast path shorter than min_length) or SLOW (needs
 * asy_tok_normalise: non-ASCII other than apostrophes U+2019, longer than
 * 16 bytes, ending in NUL (not a word, but o->kinds may ask for other
 * segments), or stop words / stemming asked for). */
static inline int stage(staged *st, const asy_wordtab *t,
                        const asy_tok_opts *o, const char *s, size_t n,
                        const char *end, int any_kind)
{
    if (n > INLINE_MAX || o->stop || o->stem)
        return SLOW;
    const size_t i = st->fast;
    uint64_t *key = st->key[i];
    asy_load16(s, n, end, key);
    if ((key[0] | key[1]) & ASY_HIGH) {
        size_t cps = apos_word(s, n);
        if (!cps)
            return SLOW;
        if (cps < o->min_length)
            return DROP;
        if (o->flags & ASY_TOK_LOWER) {
            key[0] = lower_ascii8(key[0]);
            key[1] = lower_ascii8(key[1]);
        }
    } else if (n < o->min_length) {
        return DROP;
    } else if (o->flags & ASY_TOK_LOWER) {
        key[0] = asy_lower8(key[0]);
        key[1] = asy_lower8(key[1]);
    }
    if (any_kind && asy_wordtab_len(key) != n) /* words hold no NUL */
        return SLOW;
    st->hash[i] = asy_counter_hash16(key[0], key[1], n);
    asy_wordtab_prefetch(t, st->hash[i]);
    return FAST;
}

/* Stage the segment text[start..stop) of kind `kind` (stage): a fast word
 * is kept, a slow one waits as its segment. */
static inline void stage_seg(staged *st, const asy_wordtab *t,
                             const asy_tok_opts *o, const char *text,
                             size_t start, size_t stop, asy_wb_kind kind,
                             const char *end, int any_kind)
{
    int r = stage(st, t, o, text + start, stop - start, end, any_kind);
    if (r == FAST)
        st->fast++;
    else if (r == SLOW)
        st->slow[st->nslow++] = (asy_wb_seg){start, stop, 0, 0, kind};
}

/* Stage seg[0..got), a batch from asy_wb_fill, into st: any options,
 * one word at a time. */
static void stage_batch(staged *st, const asy_wb_seg *seg, size_t got,
                        const char *text, const char *end,
                        const asy_wordtab *t, const asy_tok_opts *o)
{
    int any_kind = (o->kinds & ~(unsigned)ASY_WB_WORDLIKE) != 0;
    for (size_t i = 0; i < got; i++)
        stage_seg(st, t, o, text, seg[i].start, seg[i].end, seg[i].kind, end,
                  any_kind);
}

/* Add the staged batch to k and empty it: the fast words first, then the
 * others. The table's slots and mask are kept in locals (reloaded only
 * when an add may have grown the table): read through k->w, they would be
 * loaded again after every count stored, the stores being of the same
 * type. An occurrence of a key already in its home slot, most of them, is
 * counted right here. (Before: asy_wordtab_add for each; wordfreq took 6 %
 * more CPU.) Not inlined: on its own it keeps its loop's values in
 * registers. */
static __attribute__((noinline)) int
add_staged(sink *k, staged *st, const char *text, const asy_tok_opts *o,
           asy_tok_norm *nm)
{
    asy_wordtab *w = k->w;
    asy_wordtab_entry *tab = w->tab;
    size_t mask = w->mask;
    const uint32_t round = w->round;
    const size_t fast = st->fast, nslow = st->nslow;
    st->fast = st->nslow = 0;
    for (size_t i = 0; i < fast; i++) {
        const uint64_t *key = st->key[i];
        asy_wordtab_entry *e = &tab[st->hash[i] & mask];
        if (e->key[0] == key[0] && e->key[1] == key[1]) {
            e->count++;
            e->docs += e->stamp != round;
            e->stamp = round;
            continue;
        }
        if (asy_wordtab_add(w, key, st->hash[i]) < 0)
            return -1;
        tab = w->tab; /* the add may have grown the table */
        mask = w->mask;
    }
    k->counted += k->counts ? fast : 0;
    for (size_t i = 0; i < nslow; i++) {
        const asy_wb_seg *g = &st->slow[i];
        const char *nw;
        size_t wn;
        int r = asy_tok_normalise(nm, o, text + g->start, g->end - g->start,
                                  (int)g->kind, &nw, &wn);
        if (r > 0)
            r = add_norm(k, nw, wn);
        if (r < 0)
            return -1;
    }
    return 0;
}

/* Count the wanted segments of text[0..len) into k, a batch of segments
 * at a time (any options). */
static int count_segments(sink *k, const char *text, size_t len,
                          const asy_tok_opts *o)
{
    asy_wb_iter it;
    asy_wb_seg seg[FILL];
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    staged *st = malloc(sizeof *st); /* ~6 KB, off the stack */
    size_t got;
    int rc = st ? 0 : -1;
    asy_wb_init(&it, text, len,
                (o->kinds ? o->kinds : ASY_WB_WORDLIKE) | ASY_WB_BYTES_ONLY);
    if (st)
        st->fast = st->nslow = 0;
    while (rc == 0 && (got = asy_wb_fill(&it, seg, FILL)) > 0) {
        stage_batch(st, seg, got, text, text + len, k->w, o);
        rc = add_staged(k, st, text, o, &nm);
    }
    asy_tok_norm_free(&nm);
    free(st);
    return rc;
}

#if HAVE_AVX512
/* asy_counter_mul16 with BMI2's MULX: the same value, but GCC keeps the
 * product in registers (as an __int128 it went through the stack). */
static inline AVX512 uint32_t hash16_mulx(uint64_t a, uint64_t b, size_t n,
                                          uint64_t k0, uint64_t k1)
{
    (void)k0; /* the CRC's multipliers */
    (void)k1;
    unsigned long long hi;
    uint64_t lo = _mulx_u64(a ^ 0x9E3779B97F4A7C15ull,
                            b ^ 0xC2B2AE3D27D4EB4Full ^ ((uint64_t)n << 56),
                            &hi);
    uint64_t h = lo ^ hi;
    return (uint32_t)(h ^ h >> 32);
}

#endif

#if HAVE_SPANS
/*
 * Counting a window at a time (asy_wb_fill_spans), what wordfreq asks for
 * (word-like kinds, no stop words, no stemming). Each window's 64 bytes
 * are folded at once (ASCII capitals lowered, when asked) into a buffer,
 * and each of its words of up to 16 ASCII bytes takes its key from there:
 * one unaligned load, cut to the word's length by a mask. So a word costs
 * no segment written and read back, no load of its own from the text, and
 * no test of its own for non-ASCII bytes or capitals. The other words
 * (longer than 16 bytes, or with a non-ASCII byte: about one in a hundred)
 * and the segments from outside windows are staged by stage(). (Before:
 * asy_wb_fill's segments, each staged on its own with a masked load:
 * about 5 % more CPU on the seed and peers texts, -j 1.)
 */
#define SPANS 8 /* spans fetched per asy_wb_fill_spans call */

/* keep[n]: n bytes of 0xff, then zeros: a key cut to n bytes. */
#define K(n) {[0 ... (n) - 1] = 0xff}
static const unsigned char keep[INLINE_MAX + 1][16]
    __attribute__((aligned(16))) = {
        {0},   K(1),  K(2),  K(3),  K(4),  K(5),  K(6),  K(7),  K(8),
        K(9),  K(10), K(11), K(12), K(13), K(14), K(15), K(16)};
#undef K

static inline __m128i load128(const void *p)
{
    return _mm_loadu_si128((const __m128i *)p);
}

/* Copy the window s[0..64) into win[0..64), its ASCII capitals lowered
 * when fold; return the bit mask of its bytes >= 0x80. */
typedef uint64_t (*window_fn)(unsigned char *win, const char *s, int fold);

static inline uint64_t window_sse2(unsigned char *win, const char *s,
                                   int fold)
{
    uint64_t hi = 0;
    for (int i = 0; i < 4; i++) {
        __m128i v = load128(s + 16 * i);
        if (fold) { /* bytes >= 0x80 are negative: never capitals */
            __m128i cap = _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
            v = _mm_add_epi8(v, _mm_and_si128(cap, _mm_set1_epi8(0x20)));
        }
        _mm_storeu_si128((__m128i *)(void *)(win + 16 * i), v);
        hi |= (uint64_t)(unsigned)_mm_movemask_epi8(v) << (16 * i);
    }
    return hi;
}

#if HAVE_AVX512
static inline AVX512 uint64_t window_avx512(unsigned char *win,
                                            const char *s, int fold)
{
    __m512i v = _mm512_loadu_si512((const void *)s);
    __mmask64 cap = _mm512_cmple_epu8_mask(
        _mm512_sub_epi8(v, _mm512_set1_epi8('A')), _mm512_set1_epi8(25));
    v = _mm512_mask_add_epi8(v, fold ? cap : 0, v, _mm512_set1_epi8(0x20));
    _mm512_storeu_si512((void *)win, v);
    return (uint64_t)_mm512_movepi8_mask(v);
}
#endif

/* asy_counter_hash16, one of its two forms; k0, k1: the process's
 * multipliers (asy_counter_hash_key), kept in registers by the loop. */
typedef uint32_t (*hash16_fn)(uint64_t a, uint64_t b, size_t n, uint64_t k0,
                              uint64_t k1);

static inline uint32_t mul16k(uint64_t a, uint64_t b, size_t n, uint64_t k0,
                              uint64_t k1)
{
    (void)k0;
    (void)k1;
    return asy_counter_mul16(a, b, n);
}

/* Count the wanted words of text[0..len) into k, a window at a time
 * (window and hash are constants: inlined). */
static inline __attribute__((always_inline)) int
count_spans(sink *k, const char *text, size_t len, const asy_tok_opts *o,
            window_fn window, hash16_fn hash)
{
    asy_wb_iter it;
    asy_wb_span sp[SPANS];
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    staged *st = malloc(sizeof *st); /* ~6 KB, off the stack */
    /* the window, and room for a key loaded from its last byte */
    unsigned char win[64 + 16] __attribute__((aligned(64))) = {0};
    const int fold = (o->flags & ASY_TOK_LOWER) != 0;
    const size_t min_length = o->min_length;
    const char *end = text + len;
    const uint64_t k0 = asy_counter_hash_key[0], k1 = asy_counter_hash_key[1];
    size_t got;
    int rc = st ? 0 : -1;
    if (st)
        st->fast = st->nslow = 0;
    asy_wb_init(&it, text, len,
                (o->kinds ? o->kinds : ASY_WB_WORDLIKE) | ASY_WB_BYTES_ONLY);
    while (rc == 0 && (got = asy_wb_fill_spans(&it, sp, SPANS)) > 0) {
        const asy_wordtab_entry *tab = k->w->tab;
        size_t mask = k->w->mask;
        size_t nf = st->fast; /* st->fast, in a register */
        for (size_t j = 0; j < got; j++) {
            const size_t base = sp[j].base;
            if (!sp[j].starts) { /* one segment, from outside windows */
                st->fast = nf;
                stage_seg(st, k->w, o, text, base, sp[j].end, sp[j].kind, end,
                          0);
                nf = st->fast;
            } else {
                uint64_t hi = window(win, text + base, fold);
                uint64_t S = sp[j].starts, E = sp[j].ends;
                do {
                    unsigned a = (unsigned)__builtin_ctzll(S);
                    unsigned e = (unsigned)__builtin_ctzll(E);
                    unsigned wl = e - a;
                    uint64_t other = hi ? (hi >> a) & ((1ull << wl) - 1) : 0;
                    if (__builtin_expect(wl > INLINE_MAX && !other, 0)) {
                        /* ASCII longer than 16 bytes: the window holds it
                         * as normalised, straight into the counters */
                        if (wl >= min_length
                            && add_long(k, (const char *)win + a, wl) < 0) {
                            rc = -1;
                            break;
                        }
                    } else if (__builtin_expect(other != 0, 0)) {
                        asy_wb_kind kind = (sp[j].numbers >> e) & 1
                                               ? ASY_WB_NUMBER : ASY_WB_WORD;
                        st->fast = nf;
                        stage_seg(st, k->w, o, text, base + a, base + e, kind,
                                  end, 0);
                        nf = st->fast;
                    } else {
                        __m128i x = _mm_and_si128(load128(win + a),
                                                  load128(keep[wl]));
                        uint64_t w0 = (uint64_t)_mm_cvtsi128_si64(x);
                        uint64_t w1 = (uint64_t)_mm_cvtsi128_si64(
                            _mm_unpackhi_epi64(x, x));
                        uint32_t h = hash(w0, w1, wl, k0, k1);
                        _mm_storeu_si128((__m128i *)(void *)st->key[nf], x);
                        st->hash[nf] = h;
                        __builtin_prefetch(&tab[h & mask]);
                        nf += wl >= min_length; /* else dropped */
                    }
                    S &= S - 1;
                    E &= E - 1;
                } while (S);
                if (rc < 0)
                    break;
            }
            /* room for the next window's 32 words at most */
            if (nf >= FILL || st->nslow >= FILL) {
                st->fast = nf;
                if ((rc = add_staged(k, st, text, o, &nm)) < 0)
                    break;
                nf = 0;
                tab = k->w->tab; /* the adds may have grown the table */
                mask = k->w->mask;
            }
        }
        st->fast = nf;
    }
    if (rc == 0 && (st->fast || st->nslow))
        rc = add_staged(k, st, text, o, &nm);
    asy_tok_norm_free(&nm);
    free(st);
    return rc;
}

/* The process's hash (counter.h) chosen once per text, not per word. */
static int count_spans_sse2(sink *k, const char *text, size_t len,
                            const asy_tok_opts *o)
{
#if ASY_HASH_CRC
    if (asy_counter_hash_crc)
        return count_spans(k, text, len, o, window_sse2, asy_counter_crc16k);
#endif
    return count_spans(k, text, len, o, window_sse2, mul16k);
}

#if HAVE_AVX512
static AVX512 int count_spans_avx512(sink *k, const char *text, size_t len,
                                     const asy_tok_opts *o)
{
#if ASY_HASH_CRC
    if (asy_counter_hash_crc)
        return count_spans(k, text, len, o, window_avx512,
                           asy_counter_crc16k);
#endif
    return count_spans(k, text, len, o, window_avx512, hash16_mulx);
}
#endif
#endif /* HAVE_SPANS */

/* Count the wanted words of text[0..len) into k: a window at a time where
 * the word segmenter has windows and the options allow, else segment by
 * segment. */
static int count_words(sink *k, const char *text, size_t len,
                       const asy_tok_opts *o)
{
#if HAVE_SPANS
    if (!o->stop && !o->stem && !(o->kinds & ~(unsigned)ASY_WB_WORDLIKE)) {
        int level = asy_wb_simd(-1);
#if HAVE_AVX512
        if (level == ASY_WB_SIMD_AVX512)
            return count_spans_avx512(k, text, len, o);
#endif
        if (level == ASY_WB_SIMD_SSE2)
            return count_spans_sse2(k, text, len, o);
    }
#endif
    return count_segments(k, text, len, o);
}

/* Count text into counts and docs (the same counter when paired). */
static int count_text(const char *text, size_t len, const asy_tok_opts *o,
                      asy_counter *counts, asy_counter *docs, int paired,
                      size_t *counted)
{
    static const asy_tok_opts none = {0, 0, NULL, NULL, 0};
    sink k = {NULL, {NULL, NULL, 0, 0, 0, 0, 0}, counts, docs, paired, 0, 0};
    *counted = 0;
    /* the counter's own word table when all goes to it, else the text's */
    int shared = paired || (!docs && !asy_counter_paired(counts));
    if (shared) {
        k.w = asy_counter_words_begin(counts);
        if (!k.w)
            return -1;
    } else {
        if (asy_wordtab_init(&k.own, len / 16 < 2048 ? len / 16 : 2048) < 0)
            return -1;
        k.w = &k.own;
        asy_wordtab_begin(k.w);
    }
    int rc = count_words(&k, text, len, o ? o : &none);
    if (!shared) {
        if (!counts) /* distinct words: the long ones are counted already */
            k.counted += k.own.used;
        if (rc == 0 && counts)
            rc = asy_counter_absorb(counts, &k.own, ASY_ABSORB_COUNTS);
        if (rc == 0 && docs)
            rc = asy_counter_absorb(docs, &k.own, ASY_ABSORB_DOCS);
        asy_wordtab_free(&k.own);
    }
    *counted = k.counted;
    return rc;
}

int asy_tok_count_paired(const char *text, size_t len, const asy_tok_opts *o,
                         asy_counter *c, size_t *counted)
{
    *counted = 0;
    if (asy_counter_pair(c) < 0)
        return -1;
    return count_text(text, len, o, c, c, 1, counted);
}

int asy_tok_count(const char *text, size_t len, const asy_tok_opts *o,
                  asy_counter *counts, asy_counter *docs, size_t *counted)
{
    *counted = 0;
    if (!counts && !docs)
        return 0;
    return count_text(text, len, o, counts, docs, 0, counted);
}

