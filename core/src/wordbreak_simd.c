/*
 * wordbreak_simd.c — asy_wb_fill, the bulk form of the UAX #29 word
 * iterator: it decides the boundaries of 64 bytes at a time from byte-class
 * bit masks (SSE2, or AVX-512BW when the CPU has it, chosen at run time)
 * and falls back on the per-character rules of wordbreak.c (asy_wb_next)
 * wherever a window cannot decide. Both give the same segments; the tests
 * check every level against the Unicode test file and each other.
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
#define AVX512 __attribute__((target("avx512f,avx512bw,popcnt,bmi")))

AVX512 static inline uint64_t in512(__m512i v, unsigned char lo,
                                    unsigned char hi)
{
    return _mm512_cmpge_epu8_mask(v, _mm512_set1_epi8((char)lo))
           & _mm512_cmple_epu8_mask(v, _mm512_set1_epi8((char)hi));
}

AVX512 static inline uint64_t eq512(__m512i v, unsigned char c)
{
    return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)c));
}

AVX512 static inline void classify_avx512(const unsigned char *s, bmask *m)
{
    __m512i v = _mm512_loadu_si512((const void *)s);
    uint64_t both = eq512(v, '.') | eq512(v, '\'');
    m->let = in512(_mm512_or_si512(v, _mm512_set1_epi8(0x20)), 'a', 'z');
    m->dig = in512(v, '0', '9');
    m->aln = m->let | m->dig | eq512(v, '_');
    m->sp = eq512(v, ' ');
    m->ws = m->sp | in512(v, '\t', '\r');
    m->cr = eq512(v, '\r');
    m->lf = eq512(v, '\n');
    m->midl = both | eq512(v, ':');
    m->midn = both | eq512(v, ',') | eq512(v, ';');
    m->quo = m->cont = m->unk = 0;
    uint64_t hi = _mm512_movepi8_mask(v);
    if (!hi)
        return;
    uint64_t lead3 = eq512(v, 0xE2) & eq512(v, 0x80) >> 1;
    uint64_t q = lead3 & (eq512(v, 0x98) | eq512(v, 0x99)) >> 2;
    uint64_t o = lead3 & (in512(v, 0x93, 0x95) | eq512(v, 0x9C)
                          | eq512(v, 0x9D) | eq512(v, 0xA6)) >> 2;
    uint64_t nb = eq512(v, 0xC2) & eq512(v, 0xA0) >> 1;
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
 * next boundary bit. Words and numbers start with a letter, digit or '_'
 * (pick = aln: about a third of the segments of news text); every
 * segment but a space starts with a byte that is not white space (pick =
 * ~ws: about half of them). */
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
        out[k] = (asy_wb_seg){base + a, base + e,
                              cp ? cbase + cp_at(m, a) : 0,
                              cp ? cbase + cp_at(m, e) : 0,
                              (asy_wb_kind)kind};
        k += (want >> kind) & 1;
        ws &= ws - 1;
    }
    /* Resume at the first segment not yet looked at. */
    block_advance(it, m, ws ? (unsigned)__builtin_ctzll(ws) : last);
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
    if (!(kinds & ~(unsigned)ASY_WB_WORDLIKE))
        return cp ? block_sparse(it, &m, b, m.aln, out, room, 1)
                  : block_sparse(it, &m, b, m.aln, out, room, 0);
    if (!(kinds & ASY_WB_KIND(ASY_WB_SPACE)))
        return block_sparse(it, &m, b, ~m.ws, out, room, cp);
    size_t k = 0, base = it->pos, cbase = it->cpos, ca = cbase;
    const unsigned want = it->mask; /* out[] may alias *it: keep a copy */
    unsigned a = 0;
    while (b && k < room) {
        unsigned e = (unsigned)__builtin_ctzll(b);
        unsigned kind = block_kind(&m, s, a, e);
        size_t ce = cbase + cp_at(&m, e); /* segments tile the window */
        out[k] = (asy_wb_seg){base + a, base + e, ca, ce, (asy_wb_kind)kind};
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
 * per-segment rules (asy_wb_next) where they do not. */
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

static size_t fill_sse2(asy_wb_iter *it, asy_wb_seg *out, size_t cap)
{
    return fill_loop(it, out, cap, classify_sse2);
}

#if HAVE_AVX512
AVX512 static size_t fill_avx512(asy_wb_iter *it, asy_wb_seg *out, size_t cap)
{
    return fill_loop(it, out, cap, classify_avx512);
}
#endif
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
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
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
