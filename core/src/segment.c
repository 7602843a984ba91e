/*
 * segment.c — paragraph spans. A text with a blank line between two
 * non-blank lines is split on blank lines; otherwise each non-empty line
 * is a paragraph. Blank lines only at the very start or end do not switch
 * conventions (a one-record-per-line export often ends in "\n\n").
 */
#include <stdlib.h>
#include <string.h>

#include "segment.h"

/* Byte length of the white-space character at p (0 if none): ASCII white
 * space plus the Unicode spaces common in news text (NBSP, the U+2000
 * block, narrow NBSP, ideographic space, BOM used as a space). */
static size_t ws_len(const unsigned char *p, const unsigned char *end)
{
    if (p >= end)
        return 0;
    unsigned char c = p[0];
    if (c == ' ' || (c >= '\t' && c <= '\r'))
        return 1;
    if (c == 0xC2 && end - p >= 2 && p[1] == 0xA0)
        return 2;
    if (end - p < 3)
        return 0;
    if (c == 0xE2 && p[1] == 0x80 && (p[2] <= 0x8A || p[2] == 0xA8 ||
                                      p[2] == 0xA9 || p[2] == 0xAF))
        return 3;
    if (c == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
        return 3;
    if (c == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    if (c == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    return 0;
}

/* Trim white space at both ends of [a, b). Returns 0 if nothing is left. */
static int trim(const char *text, size_t *a, size_t *b)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t k;
    while (*a < *b && (k = ws_len(t + *a, t + *b)) > 0)
        *a += k;
    /* Trailing: scan forward, remembering the end of the last
     * non-white character (multi-byte spaces cannot be found backwards
     * without decoding). */
    size_t last = *a;
    for (size_t i = *a; i < *b;) {
        k = ws_len(t + i, t + *b);
        if (k) {
            i += k;
        } else {
            i++;
            while (i < *b && (t[i] & 0xC0) == 0x80)
                i++;
            last = i;
        }
    }
    *b = last;
    return *b > *a;
}

static size_t line_end(const char *text, size_t len, size_t p)
{
    const char *nl = memchr(text + p, '\n', len - p);
    return nl ? (size_t)(nl - text) : len;
}

static int blank(const char *text, size_t a, size_t b)
{
    size_t x = a, y = b;
    return !trim(text, &x, &y);
}

/* 1 if a blank line separates two non-blank lines. */
static int has_separator(const char *text, size_t len)
{
    int seen_content = 0, pending_blank = 0;
    for (size_t p = 0; p < len;) {
        size_t e = line_end(text, len, p);
        if (blank(text, p, e)) {
            pending_blank = seen_content;
        } else {
            if (pending_blank)
                return 1;
            seen_content = 1;
        }
        p = e + 1;
    }
    return 0;
}

typedef struct spans {
    asy_span *v;
    size_t n, cap;
    int oom;
} spans;

static void add(spans *s, const char *text, size_t a, size_t b)
{
    if (!trim(text, &a, &b) || s->oom)
        return;
    if (s->n == s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 16;
        asy_span *v = realloc(s->v, nc * sizeof *v);
        if (!v) {
            s->oom = 1;
            return;
        }
        s->v = v;
        s->cap = nc;
    }
    s->v[s->n].start = a;
    s->v[s->n++].end = b;
}

int asy_paragraphs(const char *text, size_t len, asy_span **out, size_t *n)
{
    spans s = {NULL, 0, 0, 0};
    int by_blank = has_separator(text, len);
    size_t start = 0; /* start of the paragraph being gathered */
    for (size_t p = 0; p < len;) {
        size_t e = line_end(text, len, p);
        if (!by_blank) {
            add(&s, text, p, e);
        } else if (blank(text, p, e)) {
            add(&s, text, start, p);
            start = e + 1 < len ? e + 1 : len;
        }
        p = e + 1;
    }
    if (by_blank && start < len)
        add(&s, text, start, len);
    if (s.oom) {
        free(s.v);
        *out = NULL;
        *n = 0;
        return -1;
    }
    *out = s.v;
    *n = s.n;
    return 0;
}
