/*
 * segment.c — paragraph spans. A text with a blank line between two
 * non-blank lines is split on blank lines; otherwise each non-empty line
 * is a paragraph. Blank lines only at the very start or end do not switch
 * conventions (a one-record-per-line export often ends in "\n\n").
 * Lines are found with memchr and white space is only examined at line
 * edges, so the split runs at memory speed (the quotation scanner and the
 * sentence splitter both start from it).
 */
#include <stdlib.h>
#include <string.h>

#include "segment.h"

/* Byte length of the white-space character at p (0 if none): ASCII white
 * space plus the Unicode spaces common in news text (NBSP, the U+2000
 * block, line/paragraph separators, narrow NBSP, medium mathematical
 * space, ideographic space, BOM used as a space). */
static size_t ws_len(const unsigned char *p, const unsigned char *end)
{
    if (p >= end)
        return 0;
    if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        return 1;
    if (*p < 0xC2)
        return 0;
    if (p[0] == 0xC2)
        return end - p >= 2 && p[1] == 0xA0 ? 2 : 0;
    if (end - p < 3 || (p[0] != 0xE2 && p[0] != 0xE3 && p[0] != 0xEF))
        return 0;
    if (p[0] == 0xE2 && p[1] == 0x80)
        return p[2] <= 0x8A || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF
                   ? 3 : 0;
    if (p[0] == 0xE2)
        return p[1] == 0x81 && p[2] == 0x9F ? 3 : 0;
    if (p[0] == 0xE3)
        return p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
    return p[1] == 0xBB && p[2] == 0xBF ? 3 : 0;
}

/* Length of the white-space character ending at p (0 if none): back up
 * to the lead byte (at most 3 continuation bytes; the text is valid
 * UTF-8) and test that character. */
static size_t ws_before(const unsigned char *lo, const unsigned char *p)
{
    for (size_t k = 1; k <= 3 && (size_t)(p - lo) >= k; k++)
        if ((p[-(long)k] & 0xC0) != 0x80)
            return ws_len(p - k, p) == k ? k : 0;
    return 0;
}

/* Trim white space at both ends of [*a, *b). Returns 0 if nothing is
 * left. */
static int trim(const unsigned char *t, size_t *a, size_t *b)
{
    size_t k;
    while (*a < *b && (k = ws_len(t + *a, t + *b)) > 0)
        *a += k;
    while (*b > *a && (k = ws_before(t + *a, t + *b)) > 0)
        *b -= k;
    return *b > *a;
}

static size_t line_end(const unsigned char *t, size_t len, size_t p)
{
    const unsigned char *nl = memchr(t + p, '\n', len - p);
    return nl ? (size_t)(nl - t) : len;
}

static int blank(const unsigned char *t, size_t a, size_t b)
{
    size_t k;
    while (a < b && (k = ws_len(t + a, t + b)) > 0)
        a += k;
    return a >= b;
}

/* 1 if a blank line separates two non-blank lines. */
static int has_separator(const unsigned char *t, size_t len)
{
    int seen = 0, pending = 0;
    for (size_t p = 0; p < len;) {
        size_t e = line_end(t, len, p);
        if (blank(t, p, e))
            pending = seen;
        else if (pending)
            return 1;
        else
            seen = 1;
        p = e + 1;
    }
    return 0;
}

typedef struct spans {
    asy_span *v;
    size_t n, cap;
} spans;

/* Append the trimmed [a, b) unless it is empty. 0, or -1 on OOM. */
static int add(spans *s, const unsigned char *t, size_t a, size_t b)
{
    if (!trim(t, &a, &b))
        return 0;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 32;
        asy_span *v = realloc(s->v, nc * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = nc;
    }
    s->v[s->n++] = (asy_span){a, b};
    return 0;
}

int asy_paragraphs(const char *text, size_t len, asy_span **out, size_t *n)
{
    const unsigned char *t = (const unsigned char *)text;
    spans s = {NULL, 0, 0};
    int by_blank = len ? has_separator(t, len) : 0, rc = 0;
    size_t start = 0; /* start of the paragraph being gathered */
    for (size_t p = 0; p < len && !rc;) {
        size_t e = line_end(t, len, p);
        if (!by_blank) {
            rc = add(&s, t, p, e);
        } else if (blank(t, p, e)) {
            rc = add(&s, t, start, p);
            start = e + 1 < len ? e + 1 : len;
        }
        p = e + 1;
    }
    if (!rc && by_blank && start < len)
        rc = add(&s, t, start, len);
    if (rc) {
        free(s.v);
        s.v = NULL;
        s.n = 0;
    }
    *out = s.v;
    *n = s.n;
    return rc;
}
