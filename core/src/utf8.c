/*
 * utf8.c — strict UTF-8 decoding, the cleaning pass every loader runs on
 * incoming bytes (BOM, newlines, invalid sequences, Latin-1), and fast
 * code-point counting. Invalid input is replaced per "maximal subpart"
 * (Unicode ch. 3, U+FFFD substitution), the same choice as WHATWG decoders.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "utf8.h"

/* ==================================================================== */
/* Decoding                                                             */
/* ==================================================================== */

/* Length announced by a lead byte, 0 for bytes that can never start a
 * sequence (continuations, C0/C1 overlong leads, F5..FF). */
static int seqlen(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0;
    if (c < 0xE0)
        return 2;
    if (c < 0xF0)
        return 3;
    if (c < 0xF5)
        return 4;
    return 0;
}

/* Valid range of the second byte: it carries the overlong, surrogate and
 * > U+10FFFF checks, so later bytes need only be continuations. */
static int second_ok(unsigned char lead, unsigned char c)
{
    switch (lead) {
    case 0xE0: return c >= 0xA0 && c <= 0xBF;
    case 0xED: return c >= 0x80 && c <= 0x9F;
    case 0xF0: return c >= 0x90 && c <= 0xBF;
    case 0xF4: return c >= 0x80 && c <= 0x8F;
    default: return c >= 0x80 && c <= 0xBF;
    }
}

/* Bytes of s[0..n) that form a valid (possibly incomplete) prefix of a
 * sequence: equals seqlen when the sequence is complete and valid. The
 * result is at least 1 for a non-empty input, so an invalid byte is
 * always consumed. */
static int valid_prefix(const unsigned char *s, size_t n, int *complete)
{
    int want = seqlen(s[0]);
    *complete = 0;
    if (want == 0)
        return 1;
    int k = 1;
    while (k < want && (size_t)k < n) {
        int ok = k == 1 ? second_ok(s[0], s[1]) : (s[k] & 0xC0) == 0x80;
        if (!ok)
            return k;
        k++;
    }
    *complete = k == want;
    return k;
}

int asy_utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    if (n == 0)
        return 0;
    int complete;
    int k = valid_prefix(s, n, &complete);
    if (!complete)
        return 0;
    static const unsigned char mask[5] = {0, 0x7F, 0x1F, 0x0F, 0x07};
    int32_t v = s[0] & mask[k];
    for (int i = 1; i < k; i++)
        v = (v << 6) | (s[i] & 0x3F);
    *cp = v;
    return k;
}

int asy_utf8_encode(int32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int asy_utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        int complete;
        int k = valid_prefix(u + i, n - i, &complete);
        if (!complete) {
            if (bad)
                *bad = i;
            return 0;
        }
        i += (size_t)k;
    }
    return 1;
}

size_t asy_utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

/* ==================================================================== */
/* Cleaning                                                             */
/* ==================================================================== */

/* The cleaner runs twice: once with out == NULL to measure the exact
 * output size, once to write. That keeps the worst case (every byte
 * replaced by three) from dictating a 3x allocation on huge documents. */
typedef struct cleaner {
    char *out;  /* NULL while measuring */
    size_t n;   /* bytes produced so far */
} cleaner;

static void emit(cleaner *c, const void *p, size_t k)
{
    if (c->out)
        memcpy(c->out + c->n, p, k);
    c->n += k;
}

static void emit_byte(cleaner *c, char b)
{
    if (c->out)
        c->out[c->n] = b;
    c->n++;
}

/* Newlines: CRLF and lone CR become LF. Returns bytes consumed. */
static size_t do_cr(cleaner *c, const unsigned char *s, size_t n)
{
    emit_byte(c, '\n');
    return n > 1 && s[1] == '\n' ? 2 : 1;
}

static void note_nul(asy_clean_report *r, size_t i)
{
    if (r->first_nul < 0)
        r->first_nul = (long long)i;
}

static void run_utf8(cleaner *c, const unsigned char *s, size_t len,
                     asy_clean_report *r)
{
    static const char fffd[3] = {(char)0xEF, (char)0xBF, (char)0xBD};
    size_t i = 0;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        i = 3;
    while (i < len) {
        unsigned char b = s[i];
        if (b < 0x80) {
            if (b == '\r') {
                i += do_cr(c, s + i, len - i);
                continue;
            }
            if (b == 0)
                note_nul(r, i);
            emit_byte(c, (char)b);
            i++;
            continue;
        }
        int complete;
        int k = valid_prefix(s + i, len - i, &complete);
        if (complete) {
            emit(c, s + i, (size_t)k);
        } else {
            if (r->first_invalid < 0)
                r->first_invalid = (long long)i;
            r->invalid++;
            emit(c, fffd, 3);
        }
        i += (size_t)k;
    }
}

static void run_latin1(cleaner *c, const unsigned char *s, size_t len,
                       asy_clean_report *r)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        if (b == '\r') {
            i += do_cr(c, s + i, len - i);
            continue;
        }
        if (b == 0)
            note_nul(r, i);
        if (b < 0x80) {
            emit_byte(c, (char)b);
        } else {
            char two[2] = {(char)(0xC0 | (b >> 6)), (char)(0x80 | (b & 0x3F))};
            emit(c, two, 2);
        }
        i++;
    }
}

static void run(cleaner *c, const char *in, size_t len, int latin1,
                asy_clean_report *r)
{
    r->invalid = 0;
    r->first_invalid = r->first_nul = -1;
    if (latin1)
        run_latin1(c, (const unsigned char *)in, len, r);
    else
        run_utf8(c, (const unsigned char *)in, len, r);
}

/* Fast path: most text is valid UTF-8 with LF newlines and no BOM, and
 * then cleaning is a plain copy. Eight bytes at a time, a word without
 * high bits, CR or NUL needs no look at its bytes. Returns 1 when the
 * whole input needs no change. */
static int clean_scalar(const unsigned char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t crs = 0x0d0d0d0d0d0d0d0dull;
    size_t i = 0;
    if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 0;
    while (i < len) {
#if defined(__SSE2__)
        /* 16 plain bytes (no high bit, NUL or CR) a step */
        while (i + 16 <= len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_setzero_si128()),
                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
            if (_mm_movemask_epi8(_mm_or_si128(v, bad)))
                break;
            i += 16;
        }
        if (i == len) /* the 16-byte steps reached the end exactly */
            break;
#endif
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t x = w ^ crs;
            if (!(w & highs) && !((w - ones) & ~w & highs) &&
                !((x - ones) & ~x & highs)) {
                i += 8;
                continue;
            }
        }
        unsigned char b = s[i];
        if (b == '\r' || b == 0)
            return 0;
        if (b < 0x80) {
            i++;
            continue;
        }
        int complete;
        int k = valid_prefix(s + i, len - i, &complete);
        if (!complete)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

/* ==================================================================== */
/* Vector fast check                                                    */
/* ==================================================================== */

/* The scalar check above leaves its 16-byte ASCII loop at every non-ASCII
 * byte. This one validates 16 (SSSE3) or 32 (AVX2) bytes a step with the
 * lookup scheme of Keiser & Lemire, "Validating UTF-8 in less than one
 * instruction per byte" (2020): three 16-entry tables indexed by the high
 * and low nibble of the previous byte and the high nibble of the current
 * one each give the set of errors that pair could be part of; their AND
 * is the set actually present. Three- and four-byte sequences add one
 * rule: a byte two or three after an E0..FF / F0..FF lead must be a
 * continuation, which is exactly where the tables report "two
 * continuations in a row". A tail is padded with spaces, so a sequence
 * cut off by the end meets a non-continuation and fails like any other. */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define HAVE_VECTOR_CHECK 1
#include <immintrin.h>

/* Error classes of a byte pair (prev1, cur). */
#define TOO_SHORT (1 << 0)  /* lead not followed by a continuation */
#define TOO_LONG (1 << 1)   /* ASCII followed by a continuation */
#define OVERLONG_3 (1 << 2) /* E0 80..9F */
#define TOO_LARGE (1 << 3)  /* F4 90..BF, F5..FF 90..BF */
#define SURROGATE (1 << 4)  /* ED A0..BF */
#define OVERLONG_2 (1 << 5) /* C0, C1 then a continuation */
#define TOO_LARGE_1000 (1 << 6) /* F5..FF 80..8F */
#define OVERLONG_4 (1 << 6)     /* F0 80..8F (shares the bit: same 2nd) */
/* continuation after continuation: bit 7, written as the signed char it
 * is in the tables (_mm_setr_epi8 takes chars; 128 would be converted) */
#define TWO_CONTS (-128)
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

/* By the previous byte's high nibble. */
#define TABLE_PREV_HIGH                                                    \
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,  \
    TOO_LONG, TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,                  \
    TOO_SHORT | OVERLONG_2, TOO_SHORT,                                     \
    TOO_SHORT | OVERLONG_3 | SURROGATE,                                    \
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4
/* By the previous byte's low nibble. */
#define TABLE_PREV_LOW                                                     \
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4, CARRY | OVERLONG_2,      \
    CARRY, CARRY, CARRY | TOO_LARGE,                                       \
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, \
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, \
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, \
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, \
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,                        \
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000
/* By the current byte's high nibble. */
#define TABLE_CUR_HIGH                                                     \
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,      \
    TOO_SHORT, TOO_SHORT,                                                  \
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 |      \
        OVERLONG_4,                                                        \
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,            \
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,             \
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,             \
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT

/* SSSE3: the UTF-8 errors of the 16-byte block `in` that follows `prev`
 * (non-zero lanes; NUL and CR are nul_cr16's). */
__attribute__((target("ssse3"))) static inline __m128i
block16(__m128i in, __m128i prev)
{
    const __m128i t_ph = _mm_setr_epi8(TABLE_PREV_HIGH);
    const __m128i t_pl = _mm_setr_epi8(TABLE_PREV_LOW);
    const __m128i t_ch = _mm_setr_epi8(TABLE_CUR_HIGH);
    const __m128i nib = _mm_set1_epi8(0x0F);
    __m128i p1 = _mm_alignr_epi8(in, prev, 15);
    __m128i sc = _mm_and_si128(
        _mm_and_si128(
            _mm_shuffle_epi8(t_ph, _mm_and_si128(_mm_srli_epi16(p1, 4), nib)),
            _mm_shuffle_epi8(t_pl, _mm_and_si128(p1, nib))),
        _mm_shuffle_epi8(t_ch, _mm_and_si128(_mm_srli_epi16(in, 4), nib)));
    /* 0x80 where prev2 >= E0 or prev3 >= F0: must be a continuation */
    __m128i third = _mm_subs_epu8(_mm_alignr_epi8(in, prev, 14),
                                  _mm_set1_epi8((char)(0xE0 - 0x80)));
    __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(in, prev, 13),
                                   _mm_set1_epi8((char)(0xF0 - 0x80)));
    __m128i must = _mm_and_si128(_mm_or_si128(third, fourth),
                                 _mm_set1_epi8((char)0x80));
    return _mm_xor_si128(must, sc);
}

/* NUL or CR lanes of a block. */
__attribute__((target("ssse3"))) static inline __m128i nul_cr16(__m128i in)
{
    return _mm_or_si128(_mm_cmpeq_epi8(in, _mm_setzero_si128()),
                        _mm_cmpeq_epi8(in, _mm_set1_epi8('\r')));
}

/* Non-zero when the block ends inside a sequence (a lead in its last
 * byte, a 3/4-byte lead in the second last, a 4-byte lead in the third
 * last): then a following ASCII block is an error. */
__attribute__((target("ssse3"))) static inline __m128i incomplete16(__m128i in)
{
    const __m128i max = _mm_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                      -1, -1, -1, (char)(0xF0 - 1),
                                      (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm_subs_epu8(in, max);
}

__attribute__((target("ssse3"))) static int clean_ssse3(const unsigned char *s,
                                                        size_t len)
{
    __m128i prev = _mm_setzero_si128(), inc = prev, err = prev;
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        __m128i in = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        err = _mm_or_si128(err, nul_cr16(in));
        if (!_mm_movemask_epi8(in)) { /* ASCII: only a cut-off sequence */
            err = _mm_or_si128(err, inc);
            inc = _mm_setzero_si128();
        } else {
            err = _mm_or_si128(err, block16(in, prev));
            inc = incomplete16(in);
        }
        prev = in;
    }
    /* The tail (possibly empty) padded with spaces: at least one space
     * follows the last byte, so a cut-off sequence shows as an error. */
    unsigned char pad[16];
    memset(pad, ' ', sizeof pad);
    if (len > i)
        memcpy(pad, s + i, len - i);
    __m128i in = _mm_loadu_si128((const __m128i *)(const void *)pad);
    err = _mm_or_si128(err, _mm_or_si128(nul_cr16(in), block16(in, prev)));
    err = _mm_cmpeq_epi8(err, _mm_setzero_si128());
    return _mm_movemask_epi8(err) == 0xFFFF;
}

/* AVX2: the same on 32-byte blocks; prev1..3 need the neighbouring lane,
 * which permute2x128 brings in before alignr (alignr works per lane). */
__attribute__((target("avx2"))) static inline __m256i block32(__m256i in,
                                                              __m256i prev)
{
    const __m256i t_ph = _mm256_setr_epi8(TABLE_PREV_HIGH, TABLE_PREV_HIGH);
    const __m256i t_pl = _mm256_setr_epi8(TABLE_PREV_LOW, TABLE_PREV_LOW);
    const __m256i t_ch = _mm256_setr_epi8(TABLE_CUR_HIGH, TABLE_CUR_HIGH);
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m256i sh = _mm256_permute2x128_si256(prev, in, 0x21);
    __m256i p1 = _mm256_alignr_epi8(in, sh, 15);
    __m256i sc = _mm256_and_si256(
        _mm256_and_si256(
            _mm256_shuffle_epi8(
                t_ph, _mm256_and_si256(_mm256_srli_epi16(p1, 4), nib)),
            _mm256_shuffle_epi8(t_pl, _mm256_and_si256(p1, nib))),
        _mm256_shuffle_epi8(t_ch,
                            _mm256_and_si256(_mm256_srli_epi16(in, 4), nib)));
    __m256i third = _mm256_subs_epu8(_mm256_alignr_epi8(in, sh, 14),
                                     _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(_mm256_alignr_epi8(in, sh, 13),
                                      _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must = _mm256_and_si256(_mm256_or_si256(third, fourth),
                                    _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must, sc);
}

__attribute__((target("avx2"))) static inline __m256i nul_cr32(__m256i in)
{
    return _mm256_or_si256(_mm256_cmpeq_epi8(in, _mm256_setzero_si256()),
                           _mm256_cmpeq_epi8(in, _mm256_set1_epi8('\r')));
}

__attribute__((target("avx2"))) static inline __m256i incomplete32(__m256i in)
{
    const __m256i max = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, (char)(0xF0 - 1),
        (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm256_subs_epu8(in, max);
}

__attribute__((target("avx2"))) static int clean_avx2(const unsigned char *s,
                                                      size_t len)
{
    __m256i prev = _mm256_setzero_si256(), inc = prev, err = prev;
    size_t i = 0;
    for (; i + 64 <= len; i += 64) { /* ASCII runs: 64 bytes a step */
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        __m256i b =
            _mm256_loadu_si256((const __m256i *)(const void *)(s + i + 32));
        err = _mm256_or_si256(err, _mm256_or_si256(nul_cr32(a), nul_cr32(b)));
        if (!_mm256_movemask_epi8(_mm256_or_si256(a, b))) {
            err = _mm256_or_si256(err, inc);
            inc = _mm256_setzero_si256();
        } else {
            err = _mm256_or_si256(err, _mm256_or_si256(block32(a, prev),
                                                       block32(b, a)));
            inc = incomplete32(b);
        }
        prev = b;
    }
    for (; i + 32 <= len; i += 32) {
        __m256i in = _mm256_loadu_si256((const __m256i *)(const void *)(s + i));
        err = _mm256_or_si256(err, nul_cr32(in));
        if (!_mm256_movemask_epi8(in)) {
            err = _mm256_or_si256(err, inc);
            inc = _mm256_setzero_si256();
        } else {
            err = _mm256_or_si256(err, block32(in, prev));
            inc = incomplete32(in);
        }
        prev = in;
    }
    unsigned char pad[32];
    memset(pad, ' ', sizeof pad);
    if (len > i)
        memcpy(pad, s + i, len - i);
    __m256i in = _mm256_loadu_si256((const __m256i *)(const void *)pad);
    err = _mm256_or_si256(err, nul_cr32(in));
    err = _mm256_or_si256(err, block32(in, prev));
    return _mm256_testz_si256(err, err);
}
#endif /* x86 */

/* Which implementations this CPU can run (bit per ASY_UTF8_IMPL_*). */
static int impls_available(void)
{
    int m = 1 << ASY_UTF8_IMPL_SCALAR;
#ifdef HAVE_VECTOR_CHECK
    if (__builtin_cpu_supports("ssse3"))
        m |= 1 << ASY_UTF8_IMPL_SSSE3;
    if (__builtin_cpu_supports("avx2"))
        m |= 1 << ASY_UTF8_IMPL_AVX2;
#endif
    return m;
}

int asy_utf8_clean_check(const char *s, size_t n, int impl)
{
    const unsigned char *u = (const unsigned char *)s;
    int have = impls_available();
    if (impl == ASY_UTF8_IMPL_BEST)
        impl = have & (1 << ASY_UTF8_IMPL_AVX2)    ? ASY_UTF8_IMPL_AVX2
               : have & (1 << ASY_UTF8_IMPL_SSSE3) ? ASY_UTF8_IMPL_SSSE3
                                                   : ASY_UTF8_IMPL_SCALAR;
    if (impl < 0 || impl > ASY_UTF8_IMPL_AVX2 || !(have & (1 << impl)))
        return -1;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        return 0;
#ifdef HAVE_VECTOR_CHECK
    if (impl == ASY_UTF8_IMPL_AVX2)
        return clean_avx2(u, n);
    if (impl == ASY_UTF8_IMPL_SSSE3)
        return clean_ssse3(u, n);
#endif
    return clean_scalar(u, n);
}

/* Fast path: most text is valid UTF-8 with LF newlines and no BOM, and
 * then cleaning is a plain copy. Returns 1 when the input needs no
 * change. */
static int already_clean(const unsigned char *s, size_t len)
{
    return asy_utf8_clean_check((const char *)s, len, ASY_UTF8_IMPL_BEST) == 1;
}

/* Only a slack that is large next to the text (a small file, a stream
 * read in doubling chunks) is worth a realloc: shrinking a 2 MB block by
 * its last few KB moves it out of its size class, and then malloc maps and
 * faults in fresh pages for every next file instead of reusing the pages
 * of the one just freed. */
static int worth_shrinking(char *in, size_t len)
{
    size_t have = malloc_usable_size(in);
    size_t slack = have > len ? have - len : 0;
    return slack > len / 8 + 64;
}

int asy_text_clean_owned(char *in, size_t len, int latin1, char **out,
                         size_t *outlen, asy_clean_report *rep)
{
    if (latin1 || !already_clean((const unsigned char *)in, len)) {
        int rc = asy_text_clean(in, len, latin1, out, outlen, rep);
        free(in);
        return rc;
    }
    if (worth_shrinking(in, len)) { /* give back the read slack */
        char *shrunk = realloc(in, len + 1);
        if (shrunk)
            in = shrunk;
    }
    in[len] = '\0';
    if (rep) {
        rep->invalid = 0;
        rep->first_invalid = rep->first_nul = -1;
    }
    *out = in;
    if (outlen)
        *outlen = len;
    return 0;
}

int asy_text_clean(const char *in, size_t len, int latin1, char **out,
                   size_t *outlen, asy_clean_report *rep)
{
    asy_clean_report scratch;
    asy_clean_report *r = rep ? rep : &scratch;
    if (!latin1 && len < SIZE_MAX && already_clean((const unsigned char *)in, len)) {
        char *copy = malloc(len + 1);
        if (!copy)
            return -1;
        memcpy(copy, in, len);
        copy[len] = '\0';
        r->invalid = 0;
        r->first_invalid = r->first_nul = -1;
        *out = copy;
        if (outlen)
            *outlen = len;
        return 0;
    }
    cleaner c = {NULL, 0};
    run(&c, in, len, latin1, r);
    if (c.n == SIZE_MAX)
        return -1;
    char *buf = malloc(c.n + 1);
    if (!buf)
        return -1;
    c.out = buf;
    c.n = 0;
    run(&c, in, len, latin1, r);
    buf[c.n] = '\0';
    *out = buf;
    if (outlen)
        *outlen = c.n;
    return 0;
}
