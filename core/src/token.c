/*
 * token.c — the interim word tokenizer (see token.h): maximal runs of
 * letters, marks and digits, with ' ’ . joining letters and . , joining
 * digits. Bytes < 0x80 are classified through a 256-entry table; only bytes
 * >= 0x80 are decoded and classified with utf8proc.
 *
 * Rules, precisely:
 *  - word characters: Unicode categories L*, M*, N*; format characters
 *    (Cf: soft hyphen, ZWJ, ZWNJ as in Persian "می‌خواهم") continue a word
 *    but never start one; '_' and everything else separate words.
 *  - ' (U+0027) and ’ (U+2019) join when a letter (or letter + marks) is
 *    before and a letter right after: "Kazakhstan’s", "rock'n'roll";
 *    never at the edges: "'tis" -> tis, "students'" -> students.
 *  - '.' joins letter.letter ("U.S" — the final period of "U.S." is not
 *    part of the token) and digit.digit ("3.14"); ',' joins digit,digit
 *    ("1,000"). '-' never joins: "China-Kazakhstan" is two tokens.
 *  - A token is a number when it holds no letter or mark (digits, and the
 *    , . joined between them); numbers are reported only with
 *    ASY_TOK_NUMBERS.
 *  - Runs of letters are not split further: CJK or Thai text without
 *    spaces yields one token per run until the UAX #29 segmenter lands.
 *  - ASY_TOK_LOWER: ASCII letters are lowered through the table; any token
 *    with non-ASCII text gets full Unicode case folding (CaseFolding.txt
 *    C+F mappings: "Straße" -> "strasse", "ΣΟΦΟΣ" -> "σοφοσ"), code point
 *    by code point with utf8proc_decompose_char(UTF8PROC_CASEFOLD) into a
 *    buffer reused across tokens. Tokens containing combining marks are
 *    also NFC-composed (utf8proc_map, one allocation for such rare tokens)
 *    so decomposed and precomposed spellings fold to the same string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "token.h"

enum {
    CL_LET = 1,     /* letter */
    CL_UP = 2,      /* ASCII uppercase letter */
    CL_DIG = 4,     /* digit (N*) */
    CL_MARK = 8,    /* combining mark (M*) */
    CL_FMT = 16,    /* format character: continues a word */
    CL_APOS = 32,   /* ' or U+2019 */
    CL_DOT = 64,    /* . */
    CL_COMMA = 128, /* , */
    CL_HIGH = 256,  /* byte >= 0x80: decode to classify */
};
#define CL_WORD (CL_LET | CL_DIG)

/* Class of every byte; bytes >= 0x80 are only "decode me". */
static const uint16_t TAB[256] = {
    ['\''] = CL_APOS, ['.'] = CL_DOT, [','] = CL_COMMA,
    ['0' ... '9'] = CL_DIG,
    ['A' ... 'Z'] = CL_LET | CL_UP,
    ['a' ... 'z'] = CL_LET,
    [0x80 ... 0xFF] = CL_HIGH,
};

/* Class of a non-ASCII code point. */
static int cp_class(int32_t cp)
{
    if (cp == 0x2019)
        return CL_APOS;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return CL_LET;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return CL_MARK;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return CL_DIG;
    case UTF8PROC_CATEGORY_CF:
        return CL_FMT;
    default:
        return 0;
    }
}

/* Class of the character at s[i] and its length in *n (invalid UTF-8 is
 * a one-byte separator; the text is valid by contract anyway). */
static int class_at(const unsigned char *s, size_t len, size_t i, int *n)
{
    int cl = TAB[s[i]];
    *n = 1;
    if (!(cl & CL_HIGH))
        return cl;
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i),
                                          &cp);
    if (k <= 0)
        return 0;
    *n = (int)k;
    return cp_class(cp) | CL_HIGH;
}

/* Does the joiner class j, between a word char of kind `before` (CL_LET
 * or CL_DIG) and a character of class `after`, join them? */
static int joins(int j, int before, int after)
{
    int let = before == CL_LET && (after & CL_LET);
    int dig = before == CL_DIG && (after & CL_DIG);
    if (j & CL_APOS)
        return let;
    if (j & CL_DOT)
        return let || dig;
    return (j & CL_COMMA) && dig;
}

/* Kind (CL_LET or CL_DIG) of the character before s[i]: from the table
 * when it is ASCII, else the kind remembered when it was decoded. */
static inline int kind_before(const unsigned char *s, size_t i, int hkind)
{
    if (s[i - 1] < 0x80)
        return (TAB[s[i - 1]] & CL_DIG) ? CL_DIG : CL_LET;
    return hkind;
}

/* Scan the token starting at s[i] (a word character). Returns its end;
 * *bits collects the classes it contains. The inner loop handles ASCII
 * letters and digits; everything else leaves it. */
static size_t scan(const unsigned char *s, size_t len, size_t i, int *bits)
{
    int b = 0, hkind = CL_LET, cl, n;
    for (;;) {
        while (i < len && ((cl = TAB[s[i]]) & CL_WORD)) {
            b |= cl;
            i++;
        }
        if (i >= len || !(cl & (CL_HIGH | CL_APOS | CL_DOT | CL_COMMA)))
            break; /* the common case: a space or other ASCII punctuation */
        cl = class_at(s, len, i, &n);
        if (cl & (CL_WORD | CL_MARK)) {
            hkind = (cl & CL_DIG) ? CL_DIG : CL_LET; /* mark: part of letter */
        } else if (cl & CL_FMT) {
            hkind = kind_before(s, i, hkind); /* transparent */
        } else if (cl & (CL_APOS | CL_DOT | CL_COMMA)) {
            int m;
            if (i + (size_t)n >= len ||
                !joins(cl, kind_before(s, i, hkind),
                       class_at(s, len, i + (size_t)n, &m)))
                break;
        } else {
            break;
        }
        b |= cl;
        i += (size_t)n;
    }
    *bits = b;
    return i;
}

/* ===================================================================== */
/* Normalisation                                                         */
/* ===================================================================== */

static int fold_ascii(asy_buf *out, const unsigned char *s, size_t n)
{
    if (asy_buf_reserve(out, n) < 0)
        return -1;
    for (size_t k = 0; k < n; k++)
        out->data[k] = (char)(TAB[s[k]] & CL_UP ? s[k] | 0x20 : s[k]);
    out->len = n;
    out->data[n] = '\0';
    return 0;
}

/* Append the case folding of one code point. */
static int fold_cp(asy_buf *out, int32_t cp)
{
    utf8proc_int32_t seq[8];
    utf8proc_ssize_t m = utf8proc_decompose_char(cp, seq, 8, UTF8PROC_CASEFOLD,
                                                 NULL);
    if (m < 1 || m > 8) {
        seq[0] = cp;
        m = 1;
    }
    if (asy_buf_reserve(out, 4 * (size_t)m) < 0)
        return -1;
    for (utf8proc_ssize_t k = 0; k < m; k++)
        out->len += (size_t)utf8proc_encode_char(
            seq[k], (utf8proc_uint8_t *)out->data + out->len);
    out->data[out->len] = '\0';
    return 0;
}

static int fold_unicode(asy_buf *out, const unsigned char *s, size_t n)
{
    asy_buf_clear(out);
    for (size_t k = 0; k < n;) {
        utf8proc_int32_t cp = s[k];
        utf8proc_ssize_t m = 1;
        if (cp >= 0x80) {
            m = utf8proc_iterate(s + k, (utf8proc_ssize_t)(n - k), &cp);
            if (m <= 0) {
                cp = 0xFFFD;
                m = 1;
            }
        } else {
            if (asy_buf_putc(out, TAB[cp] & CL_UP ? cp | 0x20 : cp) < 0)
                return -1;
            k++;
            continue;
        }
        if (fold_cp(out, cp) < 0)
            return -1;
        k += (size_t)m;
    }
    return 0;
}

/* Fold + NFC for tokens with combining marks. */
static int fold_nfc(asy_buf *out, const unsigned char *s, size_t n)
{
    utf8proc_uint8_t *r = NULL;
    utf8proc_ssize_t m = utf8proc_map(s, (utf8proc_ssize_t)n, &r,
                                      UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE |
                                          UTF8PROC_STABLE);
    if (m < 0) {
        free(r);
        return m == UTF8PROC_ERROR_NOMEM ? -1 : fold_unicode(out, s, n);
    }
    asy_buf_clear(out);
    int rc = asy_buf_append(out, r, (size_t)m);
    free(r);
    return rc;
}

/* Normalised form of token s[0..n) with classes `bits`: the result
 * (*norm, *nlen) points either into the text or into buf. */
static int normalise(const unsigned char *s, size_t n, int bits, int flags,
                     asy_buf *buf, const char **norm, size_t *nlen)
{
    *norm = (const char *)s;
    *nlen = n;
    if (!(flags & ASY_TOK_LOWER))
        return 0;
    int r;
    if (!(bits & CL_HIGH)) {
        if (!(bits & CL_UP))
            return 0;
        r = fold_ascii(buf, s, n);
    } else if (bits & CL_MARK) {
        r = fold_nfc(buf, s, n);
    } else {
        r = fold_unicode(buf, s, n);
    }
    if (r < 0)
        return -1;
    *norm = buf->data;
    *nlen = buf->len;
    return 0;
}

/* ===================================================================== */
/* Driver                                                                */
/* ===================================================================== */

/* Offset of the next character that can start a word, at or after i. */
static size_t skip_gap(const unsigned char *s, size_t len, size_t i)
{
    while (i < len) {
        int cl = TAB[s[i]];
        if (cl & CL_WORD)
            return i;
        if (!(cl & CL_HIGH)) {
            i++;
            continue;
        }
        int n;
        if (class_at(s, len, i, &n) & (CL_WORD | CL_MARK))
            return i;
        i += (size_t)n;
    }
    return len;
}

int asy_tokenize(const char *text, size_t len, int flags, asy_token_fn fn,
                 void *ud)
{
    const unsigned char *s = (const unsigned char *)text;
    asy_buf buf = ASY_BUF_INIT;
    int rc = 0;
    size_t i = skip_gap(s, len, 0);
    while (i < len && rc == 0) {
        int bits;
        size_t end = scan(s, len, i, &bits);
        asy_token t = {i, end, !(bits & (CL_LET | CL_MARK))};
        if (!t.is_number || (flags & ASY_TOK_NUMBERS)) {
            const char *norm;
            size_t nlen;
            if (normalise(s + i, end - i, bits, flags, &buf, &norm, &nlen) < 0)
                rc = -1;
            else
                rc = fn(ud, &t, norm, nlen);
        }
        i = skip_gap(s, len, end);
    }
    asy_buf_free(&buf);
    return rc;
}
