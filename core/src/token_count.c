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
 * loaded, folded and hashed 16 bytes at a time, without a copy; other
 * words go through asy_tok_normalise first. The table's hash is the
 * counter's own (asy_counter_hash16). Longer words go to the counters
 * directly (document frequency by the counter's per-round stamp).
 */
#include <stdlib.h>
#include <string.h>

#include "ascii8.h"
#include "counter.h"
#include "token.h"
#include "wordbreak.h"
#include "wordtab.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define HAVE_AVX512 1
#define AVX512 __attribute__((target("avx512f,avx512bw,bmi2")))
#else
#define HAVE_AVX512 0
#endif

#define INLINE_MAX 16 /* longest key the word table takes */
#define FILL 64       /* segments fetched per asy_wb_fill call (<= 64:
                         stage_batch512 keeps a bit per segment) */

/* One batch of segments between asy_wb_fill and the word table: the ASCII
 * words are loaded, folded and hashed first and their slots prefetched,
 * so that the probes of a large table overlap their cache misses. */
typedef struct staged {
    uint64_t key[FILL][2];
    uint32_t hash[FILL];
    uint8_t state[FILL]; /* FAST, DROP or SLOW */
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

/* Stage segment s[0..n): FAST (key and hash filled in), DROP (a word of
 * the fast path shorter than min_length) or SLOW (needs asy_tok_normalise:
 * non-ASCII other than apostrophes U+2019, longer than 16 bytes, ending in
 * NUL (not a word, but o->kinds may ask for other segments), or stop words
 * / stemming asked for). */
static inline int stage(staged *st, int i, const asy_wordtab *t,
                        const asy_tok_opts *o, const char *s, size_t n,
                        const char *end, int any_kind)
{
    if (n > INLINE_MAX || o->stop || o->stem)
        return SLOW;
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

/* Stage seg[0..got), a batch from asy_wb_fill, into st. */
typedef void (*stage_batch_fn)(staged *st, const asy_wb_seg *seg, size_t got,
                               const char *text, const char *end,
                               const asy_wordtab *t, const asy_tok_opts *o);

/* Any options, one word at a time (stage). */
static void stage_batch(staged *st, const asy_wb_seg *seg, size_t got,
                        const char *text, const char *end,
                        const asy_wordtab *t, const asy_tok_opts *o)
{
    int any_kind = (o->kinds & ~(unsigned)ASY_WB_WORDLIKE) != 0;
    for (size_t i = 0; i < got; i++)
        st->state[i] = (uint8_t)stage(st, (int)i, t, o, text + seg[i].start,
                                      seg[i].end - seg[i].start, end,
                                      any_kind);
}

#if HAVE_AVX512
/* asy_counter_hash16 with BMI2's MULX: the same value, but GCC keeps the
 * product in registers (as an __int128 it went through the stack). */
static inline AVX512 uint32_t hash16_mulx(uint64_t a, uint64_t b, size_t n)
{
    unsigned long long hi;
    uint64_t lo = _mulx_u64(a ^ 0x9E3779B97F4A7C15ull,
                            b ^ 0xC2B2AE3D27D4EB4Full ^ ((uint64_t)n << 56),
                            &hi);
    uint64_t h = lo ^ hi;
    return (uint32_t)(h ^ h >> 32);
}

/*
 * stage_batch with AVX-512BW, for the common options only (no stop words,
 * no stemming, word-like kinds: what wordfreq asks). The constants are set
 * up once per batch, and each word costs a masked load (no read past it,
 * no length-dependent masking), a test for non-ASCII, a masked add to
 * lower it, one store of the key and one of its hash. Words with a
 * non-ASCII byte, about one in 150, are staged by stage() afterwards: a
 * call inside the loop would cost every word its constants, a call
 * clobbering every vector register. (Before: this per word, for any
 * options, reading the options and building the constants again for each
 * word; wordfreq took about 5 % more CPU.)
 */
static AVX512 void stage_batch512(staged *st, const asy_wb_seg *seg,
                                  size_t got, const char *text,
                                  const char *end, const asy_wordtab *t,
                                  const asy_tok_opts *o)
{
    const __m512i a = _mm512_set1_epi8('A'), z = _mm512_set1_epi8(25);
    const __m512i up = _mm512_set1_epi8(0x20);
    const __mmask64 fold = o->flags & ASY_TOK_LOWER ? ~0ull : 0;
    const size_t min_length = o->min_length;
    const asy_wordtab_entry *tab = t->tab;
    const size_t mask = t->mask;
    uint64_t other = 0; /* bit i: word i has a non-ASCII byte */
    for (size_t i = 0; i < got; i++) {
        const char *s = text + seg[i].start;
        size_t n = seg[i].end - seg[i].start;
        if (n > INLINE_MAX) {
            st->state[i] = SLOW;
            continue;
        }
        __m512i v = _mm512_maskz_loadu_epi8((__mmask64)((1u << n) - 1), s);
        if (_mm512_movepi8_mask(v)) {
            other |= 1ull << i;
            continue;
        }
        __mmask64 cap = _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, a), z);
        v = _mm512_mask_add_epi8(v, cap & fold, v, up);
        __m128i x = _mm512_castsi512_si128(v);
        uint32_t h = hash16_mulx((uint64_t)_mm_cvtsi128_si64(x),
                                 (uint64_t)_mm_extract_epi64(x, 1), n);
        _mm_storeu_si128((__m128i *)(void *)st->key[i], x);
        st->hash[i] = h;
        __builtin_prefetch(&tab[h & mask]);
        st->state[i] = n < min_length ? DROP : FAST;
    }
    for (; other; other &= other - 1) {
        unsigned i = (unsigned)__builtin_ctzll(other);
        st->state[i] = (uint8_t)stage(st, (int)i, t, o, text + seg[i].start,
                                      seg[i].end - seg[i].start, end, 0);
    }
}
#endif

/* Add the staged batch seg[0..got) to k, in order. The table's slots
 * and mask are kept in locals (reloaded only when an add may have grown
 * the table): read through k->w, they would be loaded again after every
 * count stored, the stores being of the same type. An occurrence of a key
 * already in its home slot, most of them, is counted right here. (Before:
 * asy_wordtab_add for each; wordfreq took 6 % more CPU.) */
static inline __attribute__((always_inline)) int
add_staged(sink *k, const staged *st, const asy_wb_seg *seg, size_t got,
           const char *text, const asy_tok_opts *o, asy_tok_norm *nm)
{
    asy_wordtab *w = k->w;
    asy_wordtab_entry *tab = w->tab;
    size_t mask = w->mask, fast = 0;
    const uint32_t round = w->round;
    for (size_t i = 0; i < got; i++) {
        int r = 0;
        if (st->state[i] == FAST) {
            const uint64_t *key = st->key[i];
            asy_wordtab_entry *e = &tab[st->hash[i] & mask];
            fast++;
            if (e->key[0] == key[0] && e->key[1] == key[1]) {
                e->count++;
                e->docs += e->stamp != round;
                e->stamp = round;
                continue;
            }
            r = asy_wordtab_add(w, key, st->hash[i]);
        } else if (st->state[i] == SLOW) {
            const char *nw;
            size_t wn;
            r = asy_tok_normalise(nm, o, text + seg[i].start,
                                  seg[i].end - seg[i].start,
                                  (int)seg[i].kind, &nw, &wn);
            if (r > 0)
                r = add_norm(k, nw, wn);
        } else {
            continue;
        }
        if (r < 0)
            return -1;
        tab = w->tab; /* the add may have grown the table */
        mask = w->mask;
    }
    k->counted += k->counts ? fast : 0;
    return 0;
}

/* Count the wanted segments of text[0..len) into k, each batch staged by
 * stage_with (a constant: inlined). */
static inline __attribute__((always_inline)) int
count_segments(sink *k, const char *text, size_t len, const asy_tok_opts *o,
               stage_batch_fn stage_with)
{
    asy_wb_iter it;
    asy_wb_seg seg[FILL];
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    staged *st = malloc(sizeof *st); /* ~2 KB, off the stack */
    size_t got;
    int rc = st ? 0 : -1;
    asy_wb_init(&it, text, len,
                (o->kinds ? o->kinds : ASY_WB_WORDLIKE) | ASY_WB_BYTES_ONLY);
    while (rc == 0 && (got = asy_wb_fill(&it, seg, FILL)) > 0) {
        stage_with(st, seg, got, text, text + len, k->w, o);
        rc = add_staged(k, st, seg, got, text, o, &nm);
    }
    asy_tok_norm_free(&nm);
    free(st);
    return rc;
}

static int count_plain(sink *k, const char *text, size_t len,
                       const asy_tok_opts *o)
{
    return count_segments(k, text, len, o, stage_batch);
}

#if HAVE_AVX512
static AVX512 int count_avx512(sink *k, const char *text, size_t len,
                               const asy_tok_opts *o)
{
    return count_segments(k, text, len, o, stage_batch512);
}
#endif

/* count_segments, with AVX-512 staging where the word segmenter uses it
 * and the options allow. */
static int count_words(sink *k, const char *text, size_t len,
                       const asy_tok_opts *o)
{
#if HAVE_AVX512
    if (asy_wb_simd(-1) == ASY_WB_SIMD_AVX512 && !o->stop && !o->stem
        && !(o->kinds & ~(unsigned)ASY_WB_WORDLIKE))
        return count_avx512(k, text, len, o);
#endif
    return count_plain(k, text, len, o);
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

