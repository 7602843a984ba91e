/*
 * section.c — section headings and sections (section.h). A heading is
 * recognised from its shape alone, so the rule works on any plain text:
 * short (≤ 12 words, ≤ 100 characters: news subheads and chapter titles
 * fit, while body sentences rarely stay under both without final
 * punctuation), one line, capital-initial, no final sentence punctuation,
 * not a quotation, and followed by a body paragraph (so a run of short
 * lines, such as a sign-off block, does not become a chain of headings).
 */
#include <stdint.h>
#include <stdlib.h>

#include <utf8proc.h>

#include "section.h"

static int32_t cp_at(const char *t, size_t i, size_t e, size_t *n)
{
    int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)t + i,
                                          (utf8proc_ssize_t)(e - i), &c);
    *n = k > 0 ? (size_t)k : 1;
    return k > 0 ? c : 0xFFFD;
}

static int32_t last_cp(const char *t, size_t a, size_t b)
{
    size_t q = b, n;
    do
        q--;
    while (q > a && ((unsigned char)t[q] & 0xC0) == 0x80);
    return cp_at(t, q, b, &n);
}

/* Final marks that make a line a sentence (or a quotation), not a title. */
static int final_mark(int32_t c)
{
    return c == '.' || c == '!' || c == '?' || c == ':' || c == ';' ||
           c == ',' || c == 0x2026 || c == 0x201D || c == 0x2019 ||
           c == '"' || c == '\'' || c == 0xBB || c == 0x3002;
}

static int opening_quote(int32_t c)
{
    return c == 0x201C || c == 0x2018 || c == '"' || c == '\'' ||
           c == 0xAB || c == 0x201E || c == 0x300C;
}

/* Capital letters, other scripts' letters and digits may open a title. */
static int title_initial(int32_t c)
{
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LT ||
           k == UTF8PROC_CATEGORY_LO || k == UTF8PROC_CATEGORY_ND;
}

int asy_heading_like(const char *text, asy_span p)
{
    size_t n, chars = 0, words = 0;
    int in_word = 0;
    if (p.end <= p.start)
        return 0;
    size_t k;
    int32_t first = cp_at(text, p.start, p.end, &k);
    if (!title_initial(first) || opening_quote(first) ||
        final_mark(last_cp(text, p.start, p.end)))
        return 0;
    for (size_t i = p.start; i < p.end; i += n, chars++) {
        int32_t c = cp_at(text, i, p.end, &n);
        if (c == '\n')
            return 0;
        int ws = c == ' ' || c == '\t' ||
                 utf8proc_category(c) == UTF8PROC_CATEGORY_ZS;
        words += !ws && !in_word;
        in_word = !ws;
    }
    return words <= ASY_HEADING_MAX_WORDS && chars <= ASY_HEADING_MAX_CHARS;
}

typedef struct list {
    asy_section *v;
    size_t n, cap;
} list;

/* Append a section (its span is set when it is closed). NULL on OOM. */
static asy_section *push(list *l)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        asy_section *v = realloc(l->v, nc * sizeof *v);
        if (!v)
            return NULL;
        l->v = v;
        l->cap = nc;
    }
    asy_section *s = &l->v[l->n++];
    *s = (asy_section){0, {0, 0}, 0, 0, {0, 0}};
    return s;
}

/* Fix the section's overall span from its heading and paragraphs. */
static void close_span(asy_section *s, const asy_span *paras)
{
    s->span.start = s->has_heading ? s->heading.start : paras[s->first].start;
    s->span.end = s->count ? paras[s->first + s->count - 1].end
                           : s->heading.end;
}

int asy_sections(const char *text, const asy_span *paras, size_t np,
                 asy_section **out, size_t *n)
{
    list l = {NULL, 0, 0};
    asy_section *cur = NULL;
    int next_like = np ? asy_heading_like(text, paras[0]) : 0;
    for (size_t i = 0; i < np; i++) {
        int like = next_like;
        next_like = i + 1 < np ? asy_heading_like(text, paras[i + 1]) : 1;
        int heading = like && !next_like;
        if (heading || !cur) {
            if (cur)
                close_span(cur, paras);
            if (!(cur = push(&l))) {
                free(l.v);
                *out = NULL;
                *n = 0;
                return -1;
            }
            cur->first = heading ? i + 1 : i;
            if ((cur->has_heading = heading)) {
                cur->heading = paras[i];
                continue;
            }
        }
        cur->count++;
    }
    if (cur)
        close_span(cur, paras);
    *out = l.v;
    *n = l.n;
    return 0;
}
