/*
 * jsonl_scan.c — the JSON reader behind load_jsonl.c. The tokenizer and
 * the recursive parser follow jansson's load.c step for step, so a bad
 * line fails at the same place with the same words; strings are decoded
 * in runs found 64 (AVX-512, with their one-byte escapes), 16 (SSE2) or 8
 * (SWAR) bytes at a time, not byte by byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define JSONL_AVX512 1
#define AVX512 __attribute__((target("avx512f,avx512bw,bmi")))
#endif

#include <jansson.h>

#include "clocale.h"
#include "jsonl_scan.h"

#define MAX_DEPTH 2048  /* jansson's JSON_PARSER_MAX_DEPTH */
#define CONTEXT_MAX 20  /* jansson quotes the token only up to 20 bytes */

/* Tokens: the structural characters stand for themselves. */
enum {
    T_ERROR = -2,   /* the tokenizer already recorded an error */
    T_INVALID = -1, /* not a token; no error recorded yet */
    T_EOF = 0,
    T_STRING = 256,
    T_INTEGER,
    T_REAL,
    T_TRUE,
    T_FALSE,
    T_NULL
};

typedef struct lexer {
    const unsigned char *s;
    size_t n;
    size_t pos;      /* next byte to read */
    size_t start;    /* first byte of the current token */
    int tok;
    size_t str;      /* T_STRING: decoded bytes at out + str */
    size_t str_len;
    unsigned flags;  /* T_STRING: ASY_JSON_STR_* */
    int64_t i;       /* T_INTEGER */
    double d;        /* T_REAL */
    char *out;       /* scratch: room for n + 1 bytes */
    size_t outpos;
    asy_jsonl_record *r;
    int wide; /* strings decoded 64 bytes at a time (run_avx512) */
} lexer;

static int wide_allowed = 1; /* asy_jsonl_scan_wide */

void asy_jsonl_scan_wide(int on)
{
    wide_allowed = on != 0;
}

/* ==================================================================== */
/* Errors                                                               */
/* ==================================================================== */

/* jansson counts characters since the last newline (a cleaned line has
 * none unless a lone CR became one). */
static int column_at(const unsigned char *s, size_t end)
{
    size_t b = end;
    while (b > 0 && s[b - 1] != '\n')
        b--;
    int col = 0;
    for (size_t i = b; i < end; i++)
        col += (s[i] & 0xC0) != 0x80;
    return col;
}

/* Record an error worded like jansson's error_set: the token read so far,
 * s[start..end), is quoted when it has 1 to 20 bytes; with no token it is
 * "near end of file". jansson may cut a character in two there; we quote
 * it whole so the message stays valid UTF-8. Returns T_ERROR. */
static int fail(lexer *lx, size_t end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(lexer *lx, size_t end, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    asy_jsonl_record *r = lx->r;
    size_t k = end - lx->start;
    size_t q = end;
    while (q < lx->n && (lx->s[q] & 0xC0) == 0x80)
        q++;
    if (k == 0)
        snprintf(r->message, sizeof r->message, "%s near end of file", msg);
    else if (k <= CONTEXT_MAX)
        snprintf(r->message, sizeof r->message, "%s near '%.*s'", msg,
                 (int)(q - lx->start), (const char *)lx->s + lx->start);
    else
        snprintf(r->message, sizeof r->message, "%s", msg);
    r->column = column_at(lx->s, end);
    return T_ERROR;
}

/* ==================================================================== */
/* Plain runs inside strings                                            */
/* ==================================================================== */

static int is_plain(unsigned char c)
{
    return c >= 0x20 && c != '"' && c != '\\';
}

/* A word has a byte b < n (n <= 128) iff this is non-zero (no false
 * negatives; a false positive only costs a byte-wise look). */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_LESS(w, n) (((w) - ONES * (n)) & ~(w) & HIGHS)
#define HAS_ZERO(w) HAS_LESS(w, 1)

size_t asy_jsonl_plain_len_swar(const unsigned char *s, size_t n)
{
    const uint64_t quotes = ONES * '"', slashes = ONES * '\\';
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (HAS_ZERO(w ^ quotes) | HAS_ZERO(w ^ slashes) | HAS_LESS(w, 0x20))
            break;
    }
    while (i < n && is_plain(s[i]))
        i++;
    return i;
}

#ifdef __SSE2__
/* The bytes of x that end a plain run: '"', '\\' and controls, one bit
 * each (bit k for byte k). */
static inline int not_plain16(__m128i x)
{
    const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1F);
    /* unsigned x <= 0x1F  <=>  min(x, 0x1F) == x */
    __m128i hit = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, slash)),
        _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
    return _mm_movemask_epi8(hit);
}

size_t asy_jsonl_plain_len(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int mask = not_plain16(
            _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
    return i + asy_jsonl_plain_len_swar(s + i, n - i);
}
#else
size_t asy_jsonl_plain_len(const unsigned char *s, size_t n)
{
    return asy_jsonl_plain_len_swar(s, n);
}
#endif

/* The plain run at s[0..n) copied to o while it is found: each 16-byte
 * block is stored whole before its mask is looked at, so the copy needs no
 * second pass (nor a memcpy call per run). The store may run up to 15
 * bytes past the run; that is safe because a decoded string never gets
 * ahead of its source (o <= s in the same coordinates), so o + 16 stays
 * within the n + 1 bytes of scratch wherever s + 16 stays within n. The
 * bytes written past the run are scratch not yet in use. Returns the
 * run's length. */
static size_t copy_plain(char *o, const unsigned char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        _mm_storeu_si128((__m128i *)(void *)(o + i), x);
        int mask = not_plain16(x);
        if (mask)
            return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#endif
    size_t k = asy_jsonl_plain_len_swar(s + i, n - i);
    memcpy(o + i, s + i, k);
    return i + k;
}

/* ==================================================================== */
/* Strings                                                              */
/* ==================================================================== */

/* The first bad surrogate of a string. jansson finds those only after
 * the closing quote (its second pass), so any other error in the string
 * wins over them: we note the first and report it at the quote. */
typedef struct surrogate {
    int count; /* 0 none, 1 "\uD800", 2 "\uD800\u0041" */
    long v1, v2;
} surrogate;

static void note(surrogate *sg, long v1, long v2, int count)
{
    if (!sg->count) {
        sg->count = count;
        sg->v1 = v1;
        sg->v2 = v2;
    }
}

/* Hex digit values plus one (0: not a hex digit). */
static const unsigned char hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,
    ['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
    ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12,
    ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hexval(unsigned char c)
{
    return hex1[c] - 1;
}

/* Four hex digits at s (n bytes available) or -1. */
static long hex4(const unsigned char *s, size_t n)
{
    if (n < 4)
        return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(s[k]);
        if (h < 0)
            return -1;
        v = v << 4 | h;
    }
    return v;
}

static char *put_utf8(char *o, long cp)
{
    unsigned char *u = (unsigned char *)o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xC0 | cp >> 6);
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xE0 | cp >> 12);
        *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *u++ = (unsigned char)(0xF0 | cp >> 18);
        *u++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        *u++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    return (char *)u;
}

/* The hex digits of "\u" at i. Returns the code unit, or -1 with the error
 * recorded where jansson stops: just after the first non-hex byte. */
static long unicode_unit(lexer *lx, size_t i)
{
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        if (i + k == lx->n) {
            fail(lx, lx->n, "invalid escape");
            return -1;
        }
        int h = hexval(lx->s[i + k]);
        if (h < 0) {
            fail(lx, i + k + 1, "invalid escape");
            return -1;
        }
        v = v << 4 | h;
    }
    return v;
}

/* "\u" escape whose digits start at i: writes the character and returns
 * the index after the escape (after both halves of a surrogate pair), or
 * 0 on a malformed escape (error recorded). */
static size_t unicode_escape(lexer *lx, size_t i, char **o, surrogate *sg)
{
    long v = unicode_unit(lx, i);
    if (v < 0)
        return 0;
    i += 4;
    if (v >= 0xDC00 && v <= 0xDFFF) {
        note(sg, v, 0, 1);
        return i;
    }
    if (v >= 0xD800 && v <= 0xDBFF) {
        long v2 = i + 2 <= lx->n && lx->s[i] == '\\' && lx->s[i + 1] == 'u'
                      ? hex4(lx->s + i + 2, lx->n - i - 2) : -2;
        if (v2 == -2 || v2 == -1) {
            /* not followed by a complete "\uXXXX": a lone high half (and
             * a broken escape after it is found by the caller's loop) */
            note(sg, v, 0, 1);
            return i;
        }
        if (v2 < 0xDC00 || v2 > 0xDFFF) {
            note(sg, v, v2, 2);
            return i; /* the second escape is read on its own */
        }
        v = ((v - 0xD800) << 10) + (v2 - 0xDC00) + 0x10000;
        i += 6;
    }
    if (v == 0)
        lx->flags |= ASY_JSON_STR_NUL;
    else if (v == '\r')
        lx->flags |= ASY_JSON_STR_CR;
    *o = put_utf8(*o, v);
    return i;
}

/* The escapes that stand for one byte, except "\r" (the string must be
 * flagged): by escape letter, 0 for any other byte. */
static const char plain_escape[256] = {
    ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
    ['f'] = '\f', ['n'] = '\n', ['t'] = '\t',
};

/* The escape after a backslash at i - 1. Returns the index after it, or
 * 0 when malformed (error recorded). */
static size_t escape(lexer *lx, size_t i, char **o, surrogate *sg)
{
    if (i == lx->n) {
        fail(lx, i, "invalid escape");
        return 0;
    }
    unsigned char c = lx->s[i];
    if (c == 'u')
        return unicode_escape(lx, i + 1, o, sg);
    char e = c == 'r' ? '\r' : plain_escape[c];
    if (!e) {
        fail(lx, i + 1, "invalid escape");
        return 0;
    }
    if (e == '\r')
        lx->flags |= ASY_JSON_STR_CR;
    *(*o)++ = e;
    return i + 1;
}

#ifdef JSONL_AVX512
/* The plain bytes and the one-byte escapes ("\\n", "\\\"", ... but "\\r",
 * which flags the string) of a string at s[0..n), decoded to *o, 64 bytes
 * of input a step: the special bytes of a block (quote, backslash,
 * control) found at once, then each one-byte escape among them decoded
 * and the plain bytes after it stored, with the block's mask in hand, no
 * new load and compare per escape. Stops at any other special byte (or an
 * escape whose second byte is in the next block), which the caller
 * handles; returns the bytes of input read, *o advanced. Each store may
 * run up to 63 bytes past what it writes, safe as copy_plain's: the
 * output never gets ahead of the input, and the input loaded stays within
 * s[0..n) (a block is taken only with 128 bytes left; the rest goes to
 * copy_plain). News text is full of escapes (one every 38 bytes in the
 * peers text: a "\\n" a line, quotes): taken 16 bytes at a time, each
 * escape cost a load, a compare and a mispredicted branch. */
AVX512 static inline size_t run_avx512(char **op, const unsigned char *s,
                                       size_t n)
{
    const __m512i quote = _mm512_set1_epi8('"');
    const __m512i slash = _mm512_set1_epi8('\\');
    const __m512i ctl = _mm512_set1_epi8(0x20);
    char *o = *op;
    size_t i = 0;
    while (i + 128 <= n) {
        __m512i x = _mm512_loadu_si512((const void *)(s + i));
        uint64_t m = _mm512_cmpeq_epi8_mask(x, quote) |
                     _mm512_cmpeq_epi8_mask(x, slash) |
                     _mm512_cmplt_epu8_mask(x, ctl);
        size_t cur = 0; /* the block's bytes before cur are written */
        while (m) {
            size_t p = (size_t)__builtin_ctzll(m);
            __m512i rest = _mm512_loadu_si512((const void *)(s + i + cur));
            _mm512_storeu_si512((void *)o, rest);
            o += p - cur;
            char e = p < 63 && s[i + p] == '\\' ? plain_escape[s[i + p + 1]]
                                                 : 0;
            if (!e) { /* not one this loop decodes: the caller's */
                *op = o;
                return i + p;
            }
            *o++ = e;
            cur = p + 2;
            m &= ~(3ull << p); /* the escape's second byte may be special */
        }
        _mm512_storeu_si512((void *)o,
                            _mm512_loadu_si512((const void *)(s + i + cur)));
        o += 64 - cur;
        i += 64;
    }
    size_t k = copy_plain(o, s + i, n - i);
    *op = o + k;
    return i + k;
}

/* Whether the CPU has run_avx512's instructions (once; a benign race:
 * every thread finds the same). */
static int wide_ok(void)
{
    static int ok = -1;
    if (ok < 0)
        ok = __builtin_cpu_supports("avx512f") &&
             __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("bmi");
    return ok;
}
#endif

/* copy_plain as a run: *o advanced, the bytes read returned. */
static inline size_t run_plain(char **o, const unsigned char *s, size_t n)
{
    size_t k = copy_plain(*o, s, n);
    *o += k;
    return k;
}

/* A string whose opening quote is at lx->start. Plain runs (and, with
 * run_avx512, one-byte escapes) are decoded by run; the decoded text
 * (never longer than its source) goes to the scratch buffer,
 * NUL-terminated. */
static inline __attribute__((always_inline)) int
scan_string_with(lexer *lx, size_t (*run)(char **, const unsigned char *,
                                          size_t))
{
    const unsigned char *s = lx->s;
    size_t i = lx->start + 1, n = lx->n;
    char *o0 = lx->out + lx->outpos, *o = o0;
    surrogate sg = {0, 0, 0};
    lx->flags = 0;
    for (;;) {
        i += run(&o, s + i, n - i);
        /* the common escapes without the general path's checks */
        if (i + 1 < n && s[i] == '\\' && plain_escape[s[i + 1]]) {
            *o++ = plain_escape[s[i + 1]];
            i += 2;
            continue;
        }
        if (i == n)
            return fail(lx, n, "premature end of input");
        unsigned char c = s[i];
        if (c == '"')
            break;
        if (c == '\n')
            return fail(lx, i, "unexpected newline");
        if (c < 0x20)
            return fail(lx, i, "control character 0x%x", c);
        if (!(i = escape(lx, i + 1, &o, &sg)))
            return T_ERROR;
    }
    lx->pos = i + 1;
    if (sg.count == 1)
        return fail(lx, lx->pos, "invalid Unicode '\\u%04lX'", sg.v1);
    if (sg.count == 2)
        return fail(lx, lx->pos, "invalid Unicode '\\u%04lX\\u%04lX'", sg.v1,
                    sg.v2);
    *o = '\0';
    lx->str = (size_t)(o0 - lx->out);
    lx->str_len = (size_t)(o - o0);
    lx->outpos += lx->str_len + 1;
    return T_STRING;
}

static int scan_string(lexer *lx)
{
    return scan_string_with(lx, run_plain);
}

#ifdef JSONL_AVX512
AVX512 static int scan_string_avx512(lexer *lx)
{
    return scan_string_with(lx, run_avx512);
}
#endif

/* ==================================================================== */
/* Numbers and words                                                    */
/* ==================================================================== */

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* strtod on the token s[a..b) in the C locale (a program may have set
 * one with a decimal comma). The copy goes to free scratch space: output
 * never outruns input, so outpos + (b - a) < b + 1 <= the scratch size.
 * Returns 0, or -1 on overflow. */
static int token_to_double(lexer *lx, size_t a, size_t b, double *out)
{
    char *t = lx->out + lx->outpos;
    memcpy(t, lx->s + a, b - a);
    t[b - a] = '\0';
    errno = 0;
    locale_t c = asy_clocale();
    double v = c ? strtod_l(t, NULL, c) : strtod(t, NULL);
    *out = v;
    return errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL) ? -1 : 0;
}

/* An integer token s[a..b): int64 when it fits, else (where jansson
 * says "too big integer") a double. */
static int to_integer(lexer *lx, size_t a, size_t b)
{
    int neg = lx->s[a] == '-';
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    size_t i = a + (size_t)neg;
    for (; i < b; i++) {
        unsigned d = lx->s[i] - '0';
        if (v > (limit - d) / 10)
            break;
        v = v * 10 + d;
    }
    if (i == b) {
        lx->i = neg ? (int64_t)(0 - v) : (int64_t)v;
        return T_INTEGER;
    }
    if (token_to_double(lx, a, b, &lx->d) < 0)
        return fail(lx, b, neg ? "too big negative integer"
                               : "too big integer");
    return T_REAL;
}

static size_t skip_digits(const unsigned char *s, size_t i, size_t n)
{
    while (i < n && is_digit(s[i]))
        i++;
    return i;
}

/* A number at lx->start, by jansson's grammar: on a malformed one,
 * lx->pos ends the bytes jansson had read as the token. */
static int scan_number(lexer *lx)
{
    const unsigned char *s = lx->s;
    size_t a = lx->start, i = a, n = lx->n;
    int real = 0;
    if (s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        if (++i < n && is_digit(s[i]))
            return lx->pos = i, T_INVALID; /* leading zero */
    } else if (i < n && is_digit(s[i])) {
        i = skip_digits(s, i, n);
    } else {
        return lx->pos = i, T_INVALID;
    }
    if (i < n && s[i] == '.') {
        if (i + 1 >= n || !is_digit(s[i + 1]))
            return lx->pos = i + 1, T_INVALID;
        i = skip_digits(s, i + 1, n);
        real = 1;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return lx->pos = i, T_INVALID;
        i = skip_digits(s, i, n);
        real = 1;
    }
    lx->pos = i;
    if (!real)
        return to_integer(lx, a, i);
    if (token_to_double(lx, a, i, &lx->d) < 0)
        return fail(lx, i, "real number overflow");
    return T_REAL;
}

/* jansson reads a whole run of letters, so "tru" and "nulls" are one
 * invalid token. */
static int scan_word(lexer *lx)
{
    size_t a = lx->start, i = a;
    while (i < lx->n && is_alpha(lx->s[i]))
        i++;
    lx->pos = i;
    const char *w = (const char *)lx->s + a;
    size_t k = i - a;
    if (k == 4 && memcmp(w, "true", 4) == 0)
        return T_TRUE;
    if (k == 5 && memcmp(w, "false", 5) == 0)
        return T_FALSE;
    if (k == 4 && memcmp(w, "null", 4) == 0)
        return T_NULL;
    return T_INVALID;
}

static int scan(lexer *lx)
{
    const unsigned char *s = lx->s;
    size_t i = lx->pos, n = lx->n;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
                     s[i] == '\r'))
        i++;
    lx->start = lx->pos = i;
    if (i == n)
        return T_EOF;
    unsigned char c = s[i];
    lx->pos = i + 1;
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ',')
        return c;
    if (c == '"')
#ifdef JSONL_AVX512
        return lx->wide ? scan_string_avx512(lx) : scan_string(lx);
#else
        return scan_string(lx);
#endif
    if (c == '-' || is_digit(c))
        return scan_number(lx);
    if (is_alpha(c))
        return scan_word(lx);
    /* any other byte: jansson keeps its whole character as the token */
    while (lx->pos < n && (s[lx->pos] & 0xC0) == 0x80)
        lx->pos++;
    return T_INVALID;
}

/* Next token; 0 when the tokenizer recorded an error. */
static int next(lexer *lx)
{
    lx->tok = scan(lx);
    return lx->tok != T_ERROR;
}

/* ==================================================================== */
/* Parser (nested values are validated, not built)                      */
/* ==================================================================== */

static int parse_value(lexer *lx, int depth);

/* After a key token: checks it and reads up to the value's first token.
 * Returns 1, or 0 with the error recorded. */
static int after_key(lexer *lx)
{
    if (lx->tok != T_STRING)
        return fail(lx, lx->pos, "string or '}' expected"), 0;
    if (lx->flags & ASY_JSON_STR_NUL)
        return fail(lx, lx->pos, "NUL byte in object key not supported"), 0;
    if (!next(lx))
        return 0;
    if (lx->tok != ':')
        return fail(lx, lx->pos, "':' expected"), 0;
    return next(lx);
}

/* After a member or element: 1 and the next token read when a ',' was
 * found, 0 at the end (lx->tok is the token after the value), -1 on a
 * tokenizer error. */
static int more(lexer *lx)
{
    if (!next(lx))
        return -1;
    if (lx->tok != ',')
        return 0;
    return next(lx) ? 1 : -1;
}

static int parse_object(lexer *lx, int depth)
{
    size_t mark = lx->outpos; /* nested strings are decoded, then dropped */
    if (!next(lx))
        return 0;
    if (lx->tok == '}')
        return 1;
    int m;
    do {
        if (!after_key(lx) || !parse_value(lx, depth + 1))
            return 0;
        lx->outpos = mark;
    } while ((m = more(lx)) > 0);
    if (m < 0)
        return 0;
    if (lx->tok != '}')
        return fail(lx, lx->pos, "'}' expected"), 0;
    return 1;
}

static int parse_array(lexer *lx, int depth)
{
    size_t mark = lx->outpos;
    if (!next(lx))
        return 0;
    if (lx->tok == ']')
        return 1;
    int m = 0;
    while (lx->tok != T_EOF) {
        if (!parse_value(lx, depth + 1))
            return 0;
        lx->outpos = mark;
        if ((m = more(lx)) <= 0)
            break;
    }
    if (m < 0)
        return 0;
    if (lx->tok != ']')
        return fail(lx, lx->pos, "']' expected"), 0;
    return 1;
}

/* The value starting with the current token, at nesting depth (the
 * top-level value is 1). Returns 1, or 0 with the error recorded. */
static int parse_value(lexer *lx, int depth)
{
    if (depth > MAX_DEPTH)
        return fail(lx, lx->pos, "maximum parsing depth reached"), 0;
    switch (lx->tok) {
    case T_STRING:
    case T_INTEGER:
    case T_REAL:
    case T_TRUE:
    case T_FALSE:
    case T_NULL: return 1;
    case '{': return parse_object(lx, depth);
    case '[': return parse_array(lx, depth);
    case T_INVALID: return fail(lx, lx->pos, "invalid token"), 0;
    default: return fail(lx, lx->pos, "unexpected token"), 0;
    }
}

/* ==================================================================== */
/* The top-level object                                                 */
/* ==================================================================== */

static asy_jsonl_member *new_member(asy_jsonl_record *r)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        asy_jsonl_member *p = realloc(r->members, cap * sizeof *p);
        if (!p)
            return NULL;
        r->members = p;
        r->cap = cap;
    }
    asy_jsonl_member *m = &r->members[r->n++];
    memset(m, 0, sizeof *m);
    return m;
}

/* The value of member m, at depth 2. Returns 1 or 0 (error recorded). */
static int member_value(lexer *lx, asy_jsonl_member *m)
{
    size_t a = lx->start;
    if (!parse_value(lx, 2))
        return 0;
    switch (lx->tok) {
    case T_STRING:
        m->type = ASY_JSON_STRING;
        m->str = lx->out + lx->str;
        m->len = lx->str_len;
        m->flags = lx->flags;
        break;
    case T_INTEGER: m->type = ASY_JSON_INTEGER; m->i = lx->i; break;
    case T_REAL: m->type = ASY_JSON_REAL; m->d = lx->d; break;
    case T_TRUE: m->type = ASY_JSON_TRUE; break;
    case T_FALSE: m->type = ASY_JSON_FALSE; break;
    case T_NULL: m->type = ASY_JSON_NULL; break;
    default: /* '}' or ']' closing a nested value */
        m->type = lx->tok == '}' ? ASY_JSON_OBJECT : ASY_JSON_ARRAY;
        m->str = (const char *)lx->s + a;
        m->len = lx->pos - a;
    }
    return 1;
}

/* Members of the top-level object, whose '{' is the current token.
 * Returns 1, 0 malformed, -1 out of memory. */
static int parse_members(lexer *lx)
{
    if (!next(lx))
        return 0;
    if (lx->tok == '}')
        return 1;
    int m;
    do {
        const char *key = lx->out + lx->str;
        size_t key_len = lx->str_len;
        if (!after_key(lx))
            return 0;
        asy_jsonl_member *mb = new_member(lx->r);
        if (!mb)
            return -1;
        mb->key = key;
        mb->key_len = key_len;
        if (!member_value(lx, mb))
            return 0;
    } while ((m = more(lx)) > 0);
    if (m < 0)
        return 0;
    if (lx->tok != '}')
        return fail(lx, lx->pos, "'}' expected"), 0;
    return 1;
}

static size_t find_key(const asy_jsonl_member *ms, size_t n, const char *key,
                       size_t len)
{
    for (size_t j = 0; j < n; j++)
        if (ms[j].key_len == len && memcmp(ms[j].key, key, len) == 0)
            return j;
    return n;
}

/* A key given twice keeps its first place and takes the last value, as
 * jansson's json_object_set does. Quadratic, like asy_meta's own lookups
 * that the members go into next. */
static void merge_duplicates(asy_jsonl_record *r)
{
    size_t w = 0;
    for (size_t i = 0; i < r->n; i++) {
        asy_jsonl_member m = r->members[i];
        size_t j = find_key(r->members, w, m.key, m.key_len);
        if (j == w)
            w++;
        else
            m.key = r->members[j].key;
        r->members[j] = m;
    }
    r->n = w;
}

void asy_jsonl_init(asy_jsonl_record *r)
{
    memset(r, 0, sizeof *r);
}

void asy_jsonl_free(asy_jsonl_record *r)
{
    free(r->members);
    free(r->scratch);
    asy_jsonl_init(r);
}

static int reserve_scratch(asy_jsonl_record *r, size_t len)
{
    if (len < SIZE_MAX && r->scratch_cap > len)
        return 0;
    if (len >= SIZE_MAX - 64)
        return -1;
    char *p = realloc(r->scratch, len + 64);
    if (!p)
        return -1;
    r->scratch = p;
    r->scratch_cap = len + 64;
    return 0;
}

int asy_jsonl_parse(asy_jsonl_record *r, const char *line, size_t len)
{
    r->n = 0;
    r->column = 0;
    r->message[0] = '\0';
    if (reserve_scratch(r, len) < 0)
        return -1;
    lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.s = (const unsigned char *)line;
    lx.n = len;
    lx.out = r->scratch;
    lx.r = r;
#ifdef JSONL_AVX512
    lx.wide = wide_allowed && wide_ok();
#endif
    if (!next(&lx))
        return 0;
    if (lx.tok != '{' && lx.tok != '[')
        return fail(&lx, lx.pos, "'[' or '{' expected"), 0;
    r->type = lx.tok == '{' ? ASY_JSON_OBJECT : ASY_JSON_ARRAY;
    int rc = r->type == ASY_JSON_OBJECT ? parse_members(&lx)
                                        : parse_array(&lx, 1);
    if (rc <= 0)
        return rc;
    if (!next(&lx))
        return 0;
    if (lx.tok != T_EOF)
        return fail(&lx, lx.pos, "end of file expected"), 0;
    merge_duplicates(r);
    return 1;
}

const asy_jsonl_member *asy_jsonl_get(const asy_jsonl_record *r,
                                      const char *key)
{
    size_t j = find_key(r->members, r->n, key, strlen(key));
    return j < r->n ? &r->members[j] : NULL;
}

/* ==================================================================== */
/* Nested values as compact text                                        */
/* ==================================================================== */

/* The source without white space outside strings: the fallback when
 * jansson cannot load a value we accepted (an integer beyond int64). */
static char *minify(const char *s, size_t n, size_t *len)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    int in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\' && i + 1 < n)
                out[k++] = s[i++];
            else if (c == '"')
                in_str = 0;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        } else if (c == '"') {
            in_str = 1;
        }
        out[k++] = s[i];
    }
    out[k] = '\0';
    *len = k;
    return out;
}

char *asy_jsonl_compact(const asy_jsonl_member *m, size_t *len)
{
    json_t *v = json_loadb(m->str, m->len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
                           NULL);
    if (!v)
        return minify(m->str, m->len, len);
    char *txt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(v);
    if (txt)
        *len = strlen(txt);
    return txt;
}
