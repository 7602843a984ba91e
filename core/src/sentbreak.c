/*
 * sentbreak.c — UAX #29 sentence boundaries (see sentbreak.h). Scans
 * forward to the next sentence terminator (ATerm/STerm), then consumes
 * Close* Sp* ParaSep? and decides SB6–SB11 with at most one lookahead
 * scan (SB8). Extend and Format characters fold into the character before
 * them (SB5) inside eff().
 */
#include <stdint.h>
#include <stdlib.h>

#include "sentbreak.h"
#include "ucd_tables.h"
#include "utf8.h"

#define EOT ASY_SBP__COUNT /* end of text: matches no rule */
#define BIT(c) (1u << (c))
#define IN(c, set) (((set) >> (c)) & 1u)

#define S_PARA (BIT(ASY_SBP_SEP) | BIT(ASY_SBP_CR) | BIT(ASY_SBP_LF))
#define S_TERM (BIT(ASY_SBP_ATERM) | BIT(ASY_SBP_STERM))
#define S_FOLD (BIT(ASY_SBP_EXTEND) | BIT(ASY_SBP_FORMAT))
#define S_SPACE (S_PARA | BIT(ASY_SBP_SP))
/* What SB8 may skip on its way to a lowercase letter: everything else. */
#define S_SB8_STOP                                                     \
    (BIT(ASY_SBP_OLETTER) | BIT(ASY_SBP_UPPER) | BIT(ASY_SBP_LOWER) \
     | S_PARA | S_TERM)

/* Sentence_Break of the character at i (< len); *len gets its length.
 * Invalid bytes count as U+FFFD (Other). */
static unsigned cls(const asy_sb_iter *it, size_t i, size_t *len)
{
    const unsigned char *s = it->text + i;
    if (s[0] < 0x80) {
        *len = 1;
        return asy_ucd_sb(s[0]);
    }
    int32_t cp;
    int l = asy_utf8_decode(s, it->len - i, &cp);
    if (l <= 0) {
        *len = 1;
        return ASY_SBP_OTHER;
    }
    *len = (size_t)l;
    return asy_ucd_sb((uint32_t)cp);
}

/* Class of the character at i, or EOT at the end; *next is where the
 * following character starts once SB3 (CR LF) and SB5 (trailing Extend
 * and Format fold in, except after a paragraph separator) are applied. */
static unsigned eff(const asy_sb_iter *it, size_t i, size_t *next)
{
    size_t l;
    if (i >= it->len) {
        *next = it->len;
        return EOT;
    }
    unsigned c = cls(it, i, &l);
    i += l;
    if (c == ASY_SBP_CR && i < it->len && it->text[i] == '\n')
        i++;
    else if (!IN(c, S_PARA))
        while (i < it->len && IN(cls(it, i, &l), S_FOLD))
            i += l;
    *next = i;
    return c;
}

/* SB8: from i, does a lowercase letter come before any letter, paragraph
 * separator or terminator? */
static int lower_follows(const asy_sb_iter *it, size_t i)
{
    while (i < it->len) {
        unsigned c = eff(it, i, &i);
        if (IN(c, S_SB8_STOP))
            return c == ASY_SBP_LOWER;
    }
    return 0;
}

/* After the terminator `term` ending at j, where does the sentence end?
 * Returns the boundary, or 0 with *resume set when SB6–SB8a forbid a
 * break there (*last: the class before *resume, for SB7). */
static size_t after_term(const asy_sb_iter *it, unsigned term,
                         unsigned before, size_t j, size_t *resume,
                         unsigned *last)
{
    size_t k;
    unsigned d = eff(it, j, &k), lastc = term;
    if (term == ASY_SBP_ATERM
        && (d == ASY_SBP_NUMERIC                                   /* SB6 */
            || (d == ASY_SBP_UPPER
                && (before == ASY_SBP_UPPER || before == ASY_SBP_LOWER))))
        goto no_break;                                             /* SB7 */
    for (; d == ASY_SBP_CLOSE; d = eff(it, j, &k))                 /* SB9 */
        j = k, lastc = d;
    for (; d == ASY_SBP_SP; d = eff(it, j, &k))                    /* SB10 */
        j = k, lastc = d;
    if (IN(d, S_PARA))
        return k;                                           /* SB9/10, SB4 */
    if (d == EOT)
        return it->len;                                             /* SB2 */
    if ((term == ASY_SBP_ATERM && lower_follows(it, j))            /* SB8 */
        || IN(d, S_TERM | BIT(ASY_SBP_SCONTINUE)))                 /* SB8a */
        goto no_break;
    return j;                                                      /* SB11 */
no_break:
    *resume = j;
    *last = lastc;
    return 0;
}

/* End of the sentence that starts at i (< len). */
static size_t sentence_end(const asy_sb_iter *it, size_t i)
{
    unsigned before = EOT;
    while (i < it->len) {
        size_t j;
        unsigned c = eff(it, i, &j);
        if (IN(c, S_PARA))
            return j;                                               /* SB4 */
        if (!IN(c, S_TERM)) {
            before = c;
            i = j;
            continue;
        }
        size_t end = after_term(it, c, before, j, &i, &before);
        if (end)
            return end;
    }
    return it->len;
}

/* Narrow [*a, *b) to exclude white space at both ends. */
static void trim(const asy_sb_iter *it, size_t *a, size_t *b)
{
    size_t i = *a, l, keep;
    while (i < *b && IN(cls(it, i, &l), S_SPACE))
        i += l;
    *a = keep = i;
    while (i < *b) {
        unsigned c = cls(it, i, &l);
        i += l;
        if (!IN(c, S_SPACE))
            keep = i;
    }
    *b = keep;
}

void asy_sb_init(asy_sb_iter *it, const char *text, size_t len,
                 unsigned flags)
{
    it->text = (const unsigned char *)text;
    it->len = text ? len : 0;
    it->pos = 0;
    it->flags = flags;
}

int asy_sb_next(asy_sb_iter *it, size_t *start, size_t *end)
{
    while (it->pos < it->len) {
        size_t a = it->pos, b = sentence_end(it, a);
        it->pos = b;
        if (it->flags & ASY_SB_TRIM) {
            trim(it, &a, &b);
            if (a == b)
                continue;
        }
        *start = a;
        *end = b;
        return 1;
    }
    return 0;
}

int asy_sb_sentences(const char *text, size_t len, unsigned flags,
                     asy_span **out, size_t *n)
{
    asy_sb_iter it;
    asy_span *arr = NULL;
    size_t cap = 0, cnt = 0, a, b;
    asy_sb_init(&it, text, len, flags);
    while (asy_sb_next(&it, &a, &b)) {
        if (cnt == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            asy_span *p = realloc(arr, ncap * sizeof *p);
            if (!p) {
                free(arr);
                *out = NULL;
                *n = 0;
                return -1;
            }
            arr = p;
            cap = ncap;
        }
        arr[cnt].start = a;
        arr[cnt++].end = b;
    }
    *out = arr;
    *n = cnt;
    return 0;
}
