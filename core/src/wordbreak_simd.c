/*
 * wordbreak_simd.c — asy_wb_fill, the bulk form of the UAX #29 word
 * iterator: it decides the boundaries of 64 bytes at a time from byte-class
 * bit masks (SSE2, or AVX-512BW when the CPU has it, chosen at run time)
 * and falls back on the per-character rules of wordbreak.c (asy_wb_next)
 * wherever a window cannot decide. Both give the same segments; the tests
 * check every level against the Unicode test file and each other. The
 * word-like kinds (what counting asks for) take the shortest path: all
 * the ends and kinds of a window from a few mask operations, and the
 * iterator's rule context set once per run of windows.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "ucd_tables.h"
#include "wordbreak.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_SSE2 1
#else
#define HAVE_SSE2 0
#endif
#if HAVE_SSE2 && defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define HAVE_AVX512 1
#else
#define HAVE_AVX512 0
#endif

/* The block helpers are inlined into each instruction-set variant of the
 * fill loop, so each is compiled for that variant's target. */
#define ALWAYS inline __attribute__((always_inline))

#if HAVE_SSE2
/* ============================================================
 * Windows of 64 bytes
 * ============================================================
 *
 * Within plain ASCII the rules reduce to: [A-Za-z0-9_] runs join
 * (WB5/8/9/10/13a/13b), spaces join (WB3d), CR joins LF (WB3), a letter
 * mark (. ' :) between two letters joins them (WB6/7) and a number mark
 * (. ' , ;) between two digits joins them (WB11/12); everything else
 * breaks. So the boundaries of a whole 64-byte window come from a few
 * byte-class bit masks (bit i = byte i), and the segments are read off
 * the boundary bits without a branch per byte.
 *
 * News text also carries a few non-ASCII characters every couple of
 * hundred bytes, and the window knows them too: ’ and ‘ (MidNumLet, so
 * "Kazakhstan’s" joins by WB6/7 like "Kazakhstan's"), “ ” – — ― …
 * (Other: a break on both sides) and NO-BREAK SPACE (Other). Their
 * continuation bytes are never boundaries, and code-point offsets
 * subtract the continuation bytes before them.
 *
 * A boundary before byte j depends on bytes j-1 .. j+1 (j+3 when byte j
 * starts a ’), and only while they are ASCII or known characters: any
 * other non-ASCII byte may be an Extend that joins what precedes it. So
 * the window stops that far before its first unknown byte, and the
 * per-segment scan takes over from there. The window starts at a segment
 * start, so its first byte cannot be a joining middle mark. */

typedef struct bmask {
    uint64_t aln, let, dig, sp, cr, lf, midl, midn;
    uint64_t ws;   /* white space: \t .. \r, ' ', the first byte of NBSP */
    uint64_t quo;  /* first bytes of ’ and ‘ */
    uint64_t cont; /* the other bytes of the known non-ASCII characters */
    uint64_t unk;  /* bytes >= 0x80 outside known characters */
} bmask;

typedef void (*classify_fn)(const unsigned char *s, bmask *m);

static inline uint64_t mm(__m128i x, int k)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(x) << (16 * k);
}

static inline __m128i eq(__m128i v, unsigned char c)
{
    return _mm_cmpeq_epi8(v, _mm_set1_epi8((char)c));
}

static inline __m128i within(__m128i v, char lo, char hi)
{
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1))));
}

static inline __m128i load16(const unsigned char *s)
{
    return _mm_loadu_si128((const __m128i *)(const void *)s);
}

/* Find the known non-ASCII characters among the bytes >= 0x80 (bits of
 * hi): E2 80 {98 99} (‘ ’), E2 80 {93 94 95 9C 9D A6} (– — ― “ ” …) and
 * C2 A0 (NO-BREAK SPACE). A character cut by the window's end is not
 * recognised, so it counts as unknown. */
static void classify_known(const unsigned char *s, uint64_t hi, bmask *m)
{
    uint64_t e2 = 0, x80 = 0, q3 = 0, o3 = 0, c2 = 0, a0 = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = load16(s + 16 * k);
        e2 |= mm(eq(v, 0xE2), k);
        x80 |= mm(eq(v, 0x80), k);
        q3 |= mm(_mm_or_si128(eq(v, 0x98), eq(v, 0x99)), k);
        __m128i dash = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)0x92)),
                                     _mm_cmplt_epi8(v, _mm_set1_epi8((char)0x96)));
        o3 |= mm(_mm_or_si128(_mm_or_si128(dash, eq(v, 0xA6)),
                              _mm_or_si128(eq(v, 0x9C), eq(v, 0x9D))), k);
        c2 |= mm(eq(v, 0xC2), k);
        a0 |= mm(eq(v, 0xA0), k);
    }
    uint64_t lead3 = e2 & x80 >> 1;
    uint64_t q = lead3 & q3 >> 2, o = lead3 & o3 >> 2, nb = c2 & a0 >> 1;
    uint64_t three = q | o;
    m->quo = q;
    m->cont = three << 1 | three << 2 | nb << 1;
    m->unk = hi & ~(three | nb | m->cont);
    m->ws |= nb;
}

/* Byte-class masks of s[0..64), with SSE2 (every x86-64 CPU). */
static inline void classify_sse2(const unsigned char *s, bmask *m)
{
    uint64_t hi = 0;
    *m = (bmask){0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int k = 0; k < 4; k++) {
        __m128i v = load16(s + 16 * k);
        __m128i let = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), 'a', 'z');
        __m128i dig = within(v, '0', '9');
        __m128i both = _mm_or_si128(eq(v, '.'), eq(v, '\''));
        m->let |= mm(let, k);
        m->dig |= mm(dig, k);
        m->aln |= mm(_mm_or_si128(_mm_or_si128(let, dig), eq(v, '_')), k);
        m->sp |= mm(eq(v, ' '), k);
        m->ws |= mm(_mm_or_si128(eq(v, ' '), within(v, '\t', '\r')), k);
        m->cr |= mm(eq(v, '\r'), k);
        m->lf |= mm(eq(v, '\n'), k);
        m->midl |= mm(_mm_or_si128(both, eq(v, ':')), k);
        m->midn |= mm(_mm_or_si128(both, _mm_or_si128(eq(v, ','),
                                                      eq(v, ';'))), k);
        hi |= mm(v, k);
    }
    if (hi) /* about one window in four, in news text */
        classify_known(s, hi, m);
}

#if HAVE_AVX512
/* The same masks with AVX-512BW: one 64-byte register, comparisons
 * straight into 64-bit masks (a quarter of the SSE2 instructions). */
#define AVX512 __attribute__((target("avx512f,avx512bw,popcnt,bmi,bmi2")))

/* The byte constants as whole registers in memory: a comparison then
 * reads its constant with a load (which runs beside it), where building
 * it from a general register would take the vector port that every
 * comparison needs. Each row repeats one byte. */
enum { K_20, K_A, K_Z25, K_0, K_D9, K_US, K_SP, K_TAB, K_D4, K_CR, K_LF,
       K_DOT, K_APO, K_COLON, K_COMMA, K_SEMI, K_E2, K_80, K_98, K_99,
       K_93, K_D2, K_9C, K_9D, K_A6, K_C2, K_A0, K_N };
#define ROW(c) {[0 ... 63] = (c)}
static const unsigned char k512[K_N][64] __attribute__((aligned(64))) = {
    ROW(0x20), ROW('a'), ROW(25), ROW('0'), ROW(9), ROW('_'), ROW(' '),
    ROW('\t'), ROW('\r' - '\t'), ROW('\r'), ROW('\n'), ROW('.'),
    ROW('\''), ROW(':'), ROW(','), ROW(';'), ROW(0xE2), ROW(0x80),
    ROW(0x98), ROW(0x99), ROW(0x93), ROW(0x95 - 0x93), ROW(0x9C),
    ROW(0x9D), ROW(0xA6), ROW(0xC2), ROW(0xA0)};
#undef ROW

typedef const unsigned char (*krow)[64];

AVX512 static inline __m512i kv(krow k, int i)
{
    return _mm512_load_si512((const void *)k[i]);
}

/* Bytes in [lo, lo + span]: one unsigned comparison after a subtraction. */
AVX512 static inline uint64_t in512(krow k, __m512i v, int lo, int span)
{
    return _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, kv(k, lo)), kv(k, span));
}

AVX512 static inline uint64_t eq512(krow k, __m512i v, int c)
{
    return _mm512_cmpeq_epi8_mask(v, kv(k, c));
}

AVX512 static ALWAYS void classify_avx512(const unsigned char *s, bmask *m)
{
    krow k = k512;
    __asm__("" : "+r"(k)); /* hide the values: load them, do not build them */
    __m512i v = _mm512_loadu_si512((const void *)s);
    uint64_t both = eq512(k, v, K_DOT) | eq512(k, v, K_APO);
    m->let = in512(k, _mm512_or_si512(v, kv(k, K_20)), K_A, K_Z25);
    m->dig = in512(k, v, K_0, K_D9);
    m->aln = m->let | m->dig | eq512(k, v, K_US);
    m->sp = eq512(k, v, K_SP);
    m->ws = m->sp | in512(k, v, K_TAB, K_D4);
    m->cr = eq512(k, v, K_CR);
    m->lf = eq512(k, v, K_LF);
    m->midl = both | eq512(k, v, K_COLON);
    m->midn = both | eq512(k, v, K_COMMA) | eq512(k, v, K_SEMI);
    m->quo = m->cont = m->unk = 0;
    uint64_t hi = _mm512_movepi8_mask(v);
    if (!hi)
        return;
    uint64_t lead3 = eq512(k, v, K_E2) & eq512(k, v, K_80) >> 1;
    uint64_t q = lead3 & (eq512(k, v, K_98) | eq512(k, v, K_99)) >> 2;
    uint64_t o = lead3 & (in512(k, v, K_93, K_D2) | eq512(k, v, K_9C)
                          | eq512(k, v, K_9D) | eq512(k, v, K_A6)) >> 2;
    uint64_t nb = eq512(k, v, K_C2) & eq512(k, v, K_A0) >> 1;
    uint64_t three = q | o;
    m->quo = q;
    m->cont = three << 1 | three << 2 | nb << 1;
    m->unk = hi & ~(three | nb | m->cont);
    m->ws |= nb;
}
#endif
/* Bits j (1..) with a boundary before byte j of the window, up to the
 * last one the window can decide. */
static ALWAYS uint64_t boundaries(const bmask *m)
{
    uint64_t join = (m->aln & m->aln << 1) | (m->sp & m->sp << 1)
                    | (m->lf & m->cr << 1) | m->cont;
    uint64_t mid = ((m->midl & m->let << 1 & m->let >> 1)
                    | (m->midn & m->dig << 1 & m->dig >> 1)) & ~1ull;
    uint64_t qmid = m->quo & ((m->let << 1 & m->let >> 3)
                              | (m->dig << 1 & m->dig >> 3)) & ~1ull;
    join |= mid | mid << 1 | qmid | qmid << 3;
    unsigned limit = m->unk ? (unsigned)__builtin_ctzll(m->unk) : 64;
    unsigned reach = m->quo ? 4 : 2; /* bytes looked ahead */
    uint64_t valid = limit > reach ? ((1ull << (limit - reach + 1)) - 1)
                                     & ~1ull : 0;
    return ~join & valid;
}

/* Code-point offset of byte j of the window (j <= 63). */
static ALWAYS unsigned cp_at(const bmask *m, unsigned j)
{
    return m->cont ? j - (unsigned)__builtin_popcountll(
                             m->cont & ((1ull << j) - 1))
                   : j;
}

/* Store one segment. The offsets pass through an empty asm so that each
 * is a plain 8-byte store: left alone, GCC packs start and end into a
 * vector register first (several shuffles on the port the window's
 * comparisons need) to save one store. */
static ALWAYS void put(asy_wb_seg *o, size_t start, size_t end, size_t cstart,
                       size_t cend, unsigned kind, int cp)
{
    __asm__("" : "+r"(start), "+r"(end));
    if (cp)
        __asm__("" : "+r"(cstart), "+r"(cend));
    else
        cstart = cend = 0;
    *o = (asy_wb_seg){start, end, cstart, cend, (asy_wb_kind)kind};
}

/* Kind of a single-character segment (or a space run, CR LF), by its
 * first byte: the non-ASCII ones are the known characters. */
static const uint8_t char_kind[256] = {
    [0 ... 8] = ASY_WB_OTHER, ['\t' ... '\r'] = ASY_WB_SPACE,
    [14 ... 31] = ASY_WB_OTHER, [' '] = ASY_WB_SPACE,
    ['!' ... '#'] = ASY_WB_PUNCT, ['$'] = ASY_WB_SYMBOL,
    ['%' ... '*'] = ASY_WB_PUNCT, ['+'] = ASY_WB_SYMBOL,
    [',' ... '/'] = ASY_WB_PUNCT, ['0' ... '9'] = ASY_WB_NUMBER,
    [':' ... ';'] = ASY_WB_PUNCT, ['<' ... '>'] = ASY_WB_SYMBOL,
    ['?' ... '@'] = ASY_WB_PUNCT, ['A' ... 'Z'] = ASY_WB_WORD,
    ['[' ... ']'] = ASY_WB_PUNCT, ['^'] = ASY_WB_SYMBOL,
    ['_'] = ASY_WB_PUNCT, ['`'] = ASY_WB_SYMBOL, ['a' ... 'z'] = ASY_WB_WORD,
    ['{'] = ASY_WB_PUNCT, ['|'] = ASY_WB_SYMBOL, ['}'] = ASY_WB_PUNCT,
    ['~'] = ASY_WB_SYMBOL, [127] = ASY_WB_OTHER,
    [0xC2] = ASY_WB_SPACE, /* NO-BREAK SPACE */
    [0xE2] = ASY_WB_PUNCT, /* ‘ ’ “ ” – — ― … */
};

/* Kind of the window segment [a, e): letters make a word, else digits a
 * number (a run of '_' alone is punctuation); other segments are one
 * character, a space run or CR LF. */
static ALWAYS unsigned block_kind(const bmask *m, const unsigned char *s,
                                  unsigned a, unsigned e)
{
    uint64_t rng = ((1ull << e) - 1) & ~((1ull << a) - 1);
    unsigned run = (m->let & rng) ? ASY_WB_WORD
                   : (m->dig & rng) ? ASY_WB_NUMBER : ASY_WB_PUNCT;
    return (m->aln >> a) & 1 ? run : char_kind[s[a]];
}

/* Word-break class of the window character that ends before byte j
 * (j >= 1); *first gets the byte it starts at. */
static ALWAYS unsigned class_before(const bmask *m, const unsigned char *s,
                             unsigned j, unsigned *first)
{
    unsigned i = j - 1;
    while (i > 0 && ((m->cont >> i) & 1))
        i--;
    *first = i;
    if (s[i] < 0x80)
        return asy_ucd_wb_ascii[s[i]];
    return (m->quo >> i) & 1 ? ASY_WBP_MIDNUMLET : ASY_WBP_OTHER;
}

/* Move the iterator to byte j of the window (a boundary, j >= 1) and set
 * the rule context from the characters before it; no character in the
 * window is folded by WB4. */
static ALWAYS void block_advance(asy_wb_iter *it, const bmask *m, unsigned j)
{
    const unsigned char *s = it->text + it->pos;
    unsigned first, dummy;
    unsigned cl = class_before(m, s, j, &first);
    it->last2 = first > 0 ? (uint8_t)class_before(m, s, first, &dummy)
                          : it->last;
    it->last = it->prev = (uint8_t)cl;
    it->ri = 0;
    it->cpos += cp_at(m, j);
    it->pos += j;
}

/* block() for masks that leave out the commonest segments: only the
 * segment starts in `pick` are visited, each with its end read off the
 * next boundary bit. Every segment but a space starts with a byte that is
 * not white space (pick = ~ws: about half of them in news text). The
 * word-like kinds have a loop of their own (block_words). */
static ALWAYS size_t block_sparse(asy_wb_iter *it, const bmask *m,
                                  uint64_t b, uint64_t pick,
                                  asy_wb_seg *out, size_t room, int cp)
{
    const unsigned char *s = it->text + it->pos;
    unsigned last = 63u - (unsigned)__builtin_clzll(b);
    uint64_t ws = (b | 1u) & pick & ((1ull << last) - 1);
    size_t k = 0, base = it->pos, cbase = it->cpos;
    const unsigned want = it->mask; /* out[] may alias *it: keep a copy */
    while (ws && k < room) {
        unsigned a = (unsigned)__builtin_ctzll(ws); /* a < last <= 62 */
        unsigned e = (unsigned)__builtin_ctzll(b & ~((2ull << a) - 1));
        unsigned kind = block_kind(m, s, a, e);
        put(&out[k], base + a, base + e, cbase + cp_at(m, a),
            cbase + cp_at(m, e), kind, cp);
        k += (want >> kind) & 1;
        ws &= ws - 1;
    }
    /* Resume at the first segment not yet looked at. */
    block_advance(it, m, ws ? (unsigned)__builtin_ctzll(ws) : last);
    return k;
}

/* The segments of a window for the word-like kinds, found for the whole
 * window at once rather than one by one: they start at the boundaries on
 * a letter, digit or '_' (bits *starts, below the last boundary, whose
 * segment may run on past the window). Each segment [s, e) has its bytes
 * s+1 .. e-1 off the boundaries, so adding bit s+1 to the non-boundary
 * bits carries into bit e: one addition gives every end (*ends). */
static ALWAYS unsigned word_spans(const bmask *m, uint64_t b, uint64_t *starts,
                                  uint64_t *ends)
{
    unsigned last = 63u - (unsigned)__builtin_clzll(b);
    uint64_t b1 = b | 1u;
    *starts = b1 & m->aln & ((1ull << last) - 1);
    *ends = (~b1 + (*starts << 1)) & b1;
    return last;
}

/* The ends of the segments that hold no letter (*nl: numbers, and runs of
 * '_'), and of those that hold no digit either (*nd: runs of '_', which
 * are punctuation). The carry of word_spans, run through the bytes of
 * the segments that are not letters, stops at a segment's first letter
 * and reaches its end only when it has none. */
static ALWAYS void word_kinds(const bmask *m, uint64_t S, uint64_t E,
                              uint64_t *nl, uint64_t *nd)
{
    uint64_t S0 = S & ~m->let; /* starts that are not letters */
    *nl = *nd = 0;
    if (!S0)
        return;
    uint64_t body = (E - S) & ~S; /* the bytes after each start */
    *nl = ((S0 << 1) + (body & ~m->let)) & E;
    uint64_t S1 = S0 & ~m->dig;
    if (S1)
        *nd = ((S1 << 1) + (body & ~m->let & ~m->dig)) & E;
}

/* Emit the first `room` (at most) of the segments S/E as words, then give
 * the numbers among them (ends nl) their kind: a few per window at most.
 * The common case: every segment wanted, no code points to count. */
static ALWAYS size_t words_all(size_t base, size_t cbase, uint64_t *S,
                               uint64_t E, uint64_t nl, asy_wb_seg *out,
                               size_t room, int cp)
{
    uint64_t s = *S, e0 = E;
    size_t k = (size_t)__builtin_popcountll(s);
    k = k < room ? k : room;
    for (asy_wb_seg *o = out; o != out + k; o++) {
        unsigned a = (unsigned)__builtin_ctzll(s);
        unsigned e = (unsigned)__builtin_ctzll(E);
        put(o, base + a, base + e, cbase + a, cbase + e, ASY_WB_WORD, cp);
        s &= s - 1;
        E &= E - 1;
    }
    for (; nl; nl &= nl - 1) {
        size_t i = (size_t)__builtin_popcountll(e0 & ((nl & -nl) - 1));
        if (i < k)
            out[i].kind = ASY_WB_NUMBER;
    }
    *S = s;
    return k;
}

/* Emit the wanted segments among S/E, each with its kind, until room is
 * full; *S keeps the starts not looked at. */
static ALWAYS size_t words_some(const bmask *m, size_t base, size_t cbase,
                                unsigned want, uint64_t *S, uint64_t E,
                                uint64_t nl, uint64_t nd, asy_wb_seg *out,
                                size_t room, int cp)
{
    uint64_t s = *S;
    size_t k = 0;
    while (s && k < room) {
        unsigned a = (unsigned)__builtin_ctzll(s);
        unsigned e = (unsigned)__builtin_ctzll(E);
        unsigned kind = ASY_WB_WORD + (unsigned)((nl >> e) & 1)
                        + 2u * (unsigned)((nd >> e) & 1);
        put(&out[k], base + a, base + e, cbase + cp_at(m, a),
            cbase + cp_at(m, e), kind, cp);
        k += (want >> kind) & 1;
        s &= s - 1;
        E &= E - 1;
    }
    *S = s;
    return k;
}

/* block_sparse for the word-like kinds (at most words and numbers wanted):
 * emit the window's wanted segments into out[0..room) and return how
 * many; *resume gets the byte to go on from. */
static ALWAYS size_t block_words(size_t base, size_t cbase, unsigned want,
                                 const bmask *m, uint64_t b, asy_wb_seg *out,
                                 size_t room, int cp, unsigned *resume)
{
    uint64_t S, E, nl, nd;
    unsigned last = word_spans(m, b, &S, &E);
    word_kinds(m, S, E, &nl, &nd);
    const unsigned wn = ASY_WB_WORDLIKE;
    int all = (want & ASY_WB_KIND(ASY_WB_WORD)) && !nd
              && (!nl || (want & wn) == wn);
    size_t k;
    if (all && (!cp || !m->cont)) /* then cbase + a is a's code point */
        k = words_all(base, cbase, &S, E, nl, out, room, cp);
    else
        k = words_some(m, base, cbase, want, &S, E, nl, nd, out, room, cp);
    /* Resume at the first segment not yet looked at. */
    *resume = S ? (unsigned)__builtin_ctzll(S) : last;
    return k;
}

/* Emit the wanted segments of one window at it->pos into out[0..room)
 * (room >= 1). Returns how many, or (size_t)-1 when the window decides
 * no segment (an unknown character or a token as long as the window is
 * near). */
static ALWAYS size_t block(asy_wb_iter *it, asy_wb_seg *out, size_t room,
                          classify_fn classify)
{
    const unsigned char *s = it->text + it->pos;
    bmask m;
    classify(s, &m);
    uint64_t b = boundaries(&m);
    if (!b)
        return (size_t)-1;
    unsigned kinds = it->mask & ASY_WB_ALL;
    int cp = !(it->mask & ASY_WB_BYTES_ONLY); /* one loop each */
    if (!(kinds & ASY_WB_KIND(ASY_WB_SPACE)))
        return block_sparse(it, &m, b, ~m.ws, out, room, cp);
    size_t k = 0, base = it->pos, cbase = it->cpos, ca = cbase;
    const unsigned want = it->mask; /* out[] may alias *it: keep a copy */
    unsigned a = 0;
    while (b && k < room) {
        unsigned e = (unsigned)__builtin_ctzll(b);
        unsigned kind = block_kind(&m, s, a, e);
        size_t ce = cbase + cp_at(&m, e); /* segments tile the window */
        put(&out[k], base + a, base + e, ca, ce, kind, 1);
        k += (want >> kind) & 1;
        a = e;
        ca = ce;
        b &= b - 1;
    }
    block_advance(it, &m, a);
    return k;
}

/* Can a window start at byte c (ASCII or the first byte of a known
 * character)? */
static inline int block_start(unsigned c)
{
    return c < 0x80 || c == 0xE2 || c == 0xC2;
}

/* The fill loop, over one classifier: windows while they decide, the
 * per-segment rules (asy_wb_next) where they do not (fill_words for the
 * word-like kinds). */
static ALWAYS size_t fill_loop(asy_wb_iter *it, asy_wb_seg *out, size_t cap,
                               classify_fn classify)
{
    asy_wb_iter st = *it; /* a local copy: out[] cannot alias it */
    size_t k = 0;
    while (k < cap) {
        if (st.len - st.pos >= 64 && block_start(st.text[st.pos])) {
            size_t got = block(&st, out + k, cap - k, classify);
            if (got != (size_t)-1) {
                k += got;
                continue;
            }
        }
        if (!asy_wb_next(&st, &out[k]))
            break;
        k++;
    }
    *it = st;
    return k;
}

/* Word-break class of the character that ends at byte p of the text,
 * when a window decided it (ASCII or a known character); *first gets the
 * byte it starts at, no lower than lo. */
static inline unsigned class_at(const unsigned char *t, size_t p, size_t lo,
                                size_t *first)
{
    size_t i = p - 1;
    while (i > lo && (t[i] & 0xC0) == 0x80)
        i--;
    *first = i;
    if (t[i] < 0x80)
        return asy_ucd_wb_ascii[t[i]];
    return p - i == 3 && t[i] == 0xE2 && t[i + 1] == 0x80
                   && (t[i + 2] & 0xFE) == 0x98 /* ‘ ’ */
               ? ASY_WBP_MIDNUMLET : ASY_WBP_OTHER;
}

/* Move the iterator to byte pos (code point cpos), a boundary that a run
 * of windows from byte lo reached, and set the rule context from the
 * characters before it, as block_advance would have after each window. */
static inline void land(asy_wb_iter *it, size_t pos, size_t cpos, size_t lo)
{
    size_t first, dummy;
    unsigned cl = class_at(it->text, pos, lo, &first);
    it->last2 = first > lo ? (uint8_t)class_at(it->text, first, lo, &dummy)
                           : it->last;
    it->last = it->prev = (uint8_t)cl;
    it->ri = 0;
    it->pos = pos;
    it->cpos = cpos;
}

/* Classify the window at byte pos of t[0..len) into *m and its boundaries
 * into *b, when a window can start there (64 bytes left, a start byte)
 * and decides a boundary: 1, else 0. */
static ALWAYS int window_at(const unsigned char *t, size_t pos, size_t len,
                            classify_fn classify, bmask *m, uint64_t *b)
{
    if (len - pos < 64 || !block_start(t[pos]))
        return 0;
    /* The next window's address waits for this one's boundaries, so a
     * miss costs its whole latency: ask for the text ahead. */
    __builtin_prefetch((const void *)((uintptr_t)(t + pos) + 512));
    classify(t + pos, m);
    *b = boundaries(m);
    return *b != 0;
}

/* fill_loop for the word-like kinds. A run of windows keeps its position
 * in registers and sets the iterator's rule context once, where it ends
 * (the windows themselves do not read it). */
static ALWAYS size_t fill_words(asy_wb_iter *it, asy_wb_seg *out, size_t cap,
                                classify_fn classify, int cp)
{
    asy_wb_iter st = *it; /* a local copy: out[] cannot alias it */
    const unsigned char *t = st.text;
    const unsigned want = st.mask;
    size_t k = 0;
    while (k < cap) {
        size_t pos = st.pos, cpos = st.cpos;
        bmask m;
        uint64_t b;
        while (k < cap && window_at(t, pos, st.len, classify, &m, &b)) {
            unsigned j;
            k += block_words(pos, cpos, want, &m, b, out + k, cap - k, cp, &j);
            pos += j;
            cpos += cp_at(&m, j);
        }
        if (pos != st.pos)
            land(&st, pos, cpos, st.pos);
        if (k >= cap || !asy_wb_next(&st, &out[k]))
            break;
        k++;
    }
    *it = st;
    return k;
}

/* asy_wb_fill_spans for the word-like kinds over one classifier: each
 * window that decides gives its wanted segments as the bit masks of
 * word_spans, less the unwanted ones (runs of '_', and numbers or words
 * when not asked for: a few a window at most, each end's start being the
 * last start before it); the next window starts at its last boundary, as
 * in fill_words. Where no window decides, one segment of asy_wb_next. */
static ALWAYS size_t spans_words(asy_wb_iter *it, asy_wb_span *out,
                                 size_t cap, classify_fn classify)
{
    asy_wb_iter st = *it;
    const unsigned char *t = st.text;
    const unsigned want = st.mask;
    const int words = (want & ASY_WB_KIND(ASY_WB_WORD)) != 0;
    const int nums = (want & ASY_WB_KIND(ASY_WB_NUMBER)) != 0;
    size_t k = 0;
    while (k < cap) {
        size_t pos = st.pos, cpos = st.cpos;
        bmask m;
        uint64_t b;
        while (k < cap && window_at(t, pos, st.len, classify, &m, &b)) {
            uint64_t S, E, nl, nd;
            unsigned last = word_spans(&m, b, &S, &E);
            word_kinds(&m, S, E, &nl, &nd);
            uint64_t drop = nd | (nums ? 0 : nl) | (words ? 0 : E & ~nl);
            for (; drop; drop &= drop - 1) {
                unsigned e = (unsigned)__builtin_ctzll(drop);
                unsigned a = 63u - (unsigned)__builtin_clzll(
                                       S & ((1ull << e) - 1));
                S &= ~(1ull << a);
                E &= ~(1ull << e);
            }
            if (S)
                out[k++] = (asy_wb_span){pos, 0, S, E, nl & E,
                                         ASY_WB_WORD};
            pos += last;
            cpos += cp_at(&m, last);
        }
        if (pos != st.pos)
            land(&st, pos, cpos, st.pos);
        asy_wb_seg g;
        if (k >= cap || !asy_wb_next(&st, &g))
            break;
        out[k++] = (asy_wb_span){g.start, g.end, 0, 0, 0, g.kind};
    }
    *it = st;
    return k;
}

/* The fill loop for a classifier: word-like kinds with or without
 * code-point offsets, or any other mask. */
static ALWAYS size_t fill_any(asy_wb_iter *it, asy_wb_seg *out, size_t cap,
                              classify_fn classify)
{
    if (it->mask & ASY_WB_ALL & ~(unsigned)ASY_WB_WORDLIKE)
        return fill_loop(it, out, cap, classify);
    if (it->mask & ASY_WB_BYTES_ONLY)
        return fill_words(it, out, cap, classify, 0);
    return fill_words(it, out, cap, classify, 1);
}

static size_t fill_sse2(asy_wb_iter *it, asy_wb_seg *out, size_t cap)
{
    return fill_any(it, out, cap, classify_sse2);
}

#if HAVE_AVX512
AVX512 static size_t fill_avx512(asy_wb_iter *it, asy_wb_seg *out, size_t cap)
{
    return fill_any(it, out, cap, classify_avx512);
}

AVX512 static size_t spans_avx512(asy_wb_iter *it, asy_wb_span *out,
                                  size_t cap)
{
    return spans_words(it, out, cap, classify_avx512);
}
#endif

static size_t spans_sse2(asy_wb_iter *it, asy_wb_span *out, size_t cap)
{
    return spans_words(it, out, cap, classify_sse2);
}
#endif /* HAVE_SSE2 */

/* ============================================================
 * Dispatch
 * ============================================================ */

/* The highest level tests allow (asy_wb_simd); the CPU may offer less. */
static atomic_int simd_cap = ASY_WB_SIMD_AVX512;

/* What the CPU offers, found once (every thread finds the same value, so
 * a race only repeats the work). __builtin_cpu_init makes the answer
 * safe however early the library is first called. */
static atomic_int cpu_cached = -1;

static int cpu_level(void)
{
    int level = atomic_load_explicit(&cpu_cached, memory_order_relaxed);
    if (level >= 0)
        return level;
    level = HAVE_SSE2 ? ASY_WB_SIMD_SSE2 : ASY_WB_SIMD_NONE;
#if HAVE_AVX512
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("bmi2"))
        level = ASY_WB_SIMD_AVX512;
#endif
    atomic_store_explicit(&cpu_cached, level, memory_order_relaxed);
    return level;
}

int asy_wb_simd(int max_level)
{
    if (max_level >= 0)
        atomic_store_explicit(&simd_cap, max_level, memory_order_relaxed);
    int cap = atomic_load_explicit(&simd_cap, memory_order_relaxed);
    int cpu = cpu_level();
    return cap < cpu ? cap : cpu;
}

size_t asy_wb_fill(asy_wb_iter *it, asy_wb_seg *out, size_t cap)
{
    switch (asy_wb_simd(-1)) {
#if HAVE_AVX512
    case ASY_WB_SIMD_AVX512: return fill_avx512(it, out, cap);
#endif
#if HAVE_SSE2
    case ASY_WB_SIMD_SSE2: return fill_sse2(it, out, cap);
#endif
    default: break;
    }
    size_t k = 0;
    while (k < cap && asy_wb_next(it, &out[k]))
        k++;
    return k;
}

size_t asy_wb_fill_spans(asy_wb_iter *it, asy_wb_span *out, size_t cap)
{
    if (!(it->mask & ASY_WB_ALL & ~(unsigned)ASY_WB_WORDLIKE)) {
        switch (asy_wb_simd(-1)) {
#if HAVE_AVX512
        case ASY_WB_SIMD_AVX512: return spans_avx512(it, out, cap);
#endif
#if HAVE_SSE2
        case ASY_WB_SIMD_SSE2: return spans_sse2(it, out, cap);
#endif
        default: break;
        }
    }
    size_t k = 0;
    asy_wb_seg g;
    while (k < cap && asy_wb_next(it, &g))
        out[k++] = (asy_wb_span){g.start, g.end, 0, 0, 0, g.kind};
    return k;
}
