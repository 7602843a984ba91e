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
#define AVX512 __attribute__((target("avx512f,avx512bw")))
#else
#define HAVE_AVX512 0
#endif

#define INLINE_MAX 16 /* longest key the word table takes */
#define FILL 64       /* segments fetched per asy_wb_fill call */

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

typedef int (*stage_fn)(staged *st, int i, const asy_wordtab *t,
                        const asy_tok_opts *o, const char *s, size_t n,
                        const char *end, int any_kind);

#if HAVE_AVX512
/* stage() with AVX-512BW: the word loaded with a byte mask (no read past
 * it, no length-dependent masking), tested for non-ASCII and lowered in
 * three vector instructions. Words with a non-ASCII byte go to stage(). */
static inline AVX512 int stage512(staged *st, int i, const asy_wordtab *t,
                                  const asy_tok_opts *o, const char *s,
                                  size_t n, const char *end, int any_kind)
{
    if (n > INLINE_MAX || o->stop || o->stem)
        return SLOW;
    __m512i v = _mm512_maskz_loadu_epi8((__mmask64)((1u << n) - 1), s);
    if (_mm512_movepi8_mask(v))
        return stage(st, i, t, o, s, n, end, any_kind);
    if (n < o->min_length)
        return DROP;
    if (o->flags & ASY_TOK_LOWER) {
        __mmask64 up = _mm512_cmple_epu8_mask(
            _mm512_sub_epi8(v, _mm512_set1_epi8('A')), _mm512_set1_epi8(25));
        v = _mm512_mask_add_epi8(v, up, v, _mm512_set1_epi8(0x20));
    }
    __m128i x = _mm512_castsi512_si128(v);
    uint64_t *key = st->key[i];
    key[0] = (uint64_t)_mm_cvtsi128_si64(x);
    key[1] = (uint64_t)_mm_extract_epi64(x, 1);
    if (any_kind && asy_wordtab_len(key) != n) /* words hold no NUL */
        return SLOW;
    st->hash[i] = asy_counter_hash16(key[0], key[1], n);
    asy_wordtab_prefetch(t, st->hash[i]);
    return FAST;
}
#endif

/* Count the wanted segments of text[0..len) into k, each staged by
 * stage_with (a constant: inlined). */
static inline __attribute__((always_inline)) int
count_segments(sink *k, const char *text, size_t len, const asy_tok_opts *o,
               stage_fn stage_with)
{
    asy_wb_iter it;
    asy_wb_seg seg[FILL];
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    staged *st = malloc(sizeof *st); /* ~2 KB, off the stack */
    const char *end = text + len;
    size_t got;
    int rc = st ? 0 : -1;
    int any_kind = (o->kinds & ~(unsigned)ASY_WB_WORDLIKE) != 0;
    asy_wb_init(&it, text, len,
                (o->kinds ? o->kinds : ASY_WB_WORDLIKE) | ASY_WB_BYTES_ONLY);
    while (rc == 0 && (got = asy_wb_fill(&it, seg, FILL)) > 0) {
        for (size_t i = 0; i < got; i++)
            st->state[i] = (uint8_t)stage_with(st, (int)i, k->w, o,
                                               text + seg[i].start,
                                               seg[i].end - seg[i].start,
                                               end, any_kind);
        size_t fast = 0;
        for (size_t i = 0; i < got && rc == 0; i++) {
            const char *w;
            size_t wn;
            int r = 0;
            if (st->state[i] == FAST) {
                r = asy_wordtab_add(k->w, st->key[i], st->hash[i]);
                fast++;
            } else if (st->state[i] == SLOW) {
                r = asy_tok_normalise(&nm, o, text + seg[i].start,
                                      seg[i].end - seg[i].start,
                                      (int)seg[i].kind, &w, &wn);
                if (r > 0)
                    r = add_norm(k, w, wn);
            }
            rc = r < 0 ? -1 : 0;
        }
        k->counted += k->counts ? fast : 0;
    }
    asy_tok_norm_free(&nm);
    free(st);
    return rc;
}

static int count_plain(sink *k, const char *text, size_t len,
                       const asy_tok_opts *o)
{
    return count_segments(k, text, len, o, stage);
}

#if HAVE_AVX512
static AVX512 int count_avx512(sink *k, const char *text, size_t len,
                               const asy_tok_opts *o)
{
    return count_segments(k, text, len, o, stage512);
}
#endif

/* count_segments at the vector level the word segmenter uses. */
static int count_words(sink *k, const char *text, size_t len,
                       const asy_tok_opts *o)
{
#if HAVE_AVX512
    if (asy_wb_simd(-1) == ASY_WB_SIMD_AVX512)
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
    sink k = {NULL, {NULL, NULL, 0, 0, 0, 0}, counts, docs, paired, 0, 0};
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

