/*
 * utf8.c — strict UTF-8 decoding, the cleaning pass every loader runs on
 * incoming bytes (BOM, newlines, invalid sequences, Latin-1), and fast
 * code-point counting. Invalid input is replaced per "maximal subpart"
 * (Unicode ch. 3, U+FFFD substitution), the same choice as WHATWG decoders.
 */
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
static int already_clean(const unsigned char *s, size_t len)
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

int asy_text_clean_owned(char *in, size_t len, int latin1, char **out,
                         size_t *outlen, asy_clean_report *rep)
{
    if (latin1 || !already_clean((const unsigned char *)in, len)) {
        int rc = asy_text_clean(in, len, latin1, out, outlen, rep);
        free(in);
        return rc;
    }
    char *shrunk = realloc(in, len + 1); /* give back the read slack */
    if (shrunk)
        in = shrunk;
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
