/*
 * ngram.c — the toolkit's word stream (UAX #29 words from wordbreak.c,
 * folded, tagged by sentence) and n-gram counting over it. Keys are the
 * normalised words joined by one space; a document's n-grams are counted
 * in a local table first so document frequency costs one pass over its
 * distinct n-grams, not a look-up per occurrence.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "ngram.h"
#include "wordbreak.h"

/* ===================================================================== */
/* Word stream                                                           */
/* ===================================================================== */

int asy_fold_append(asy_buf *out, const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && !((unsigned char)s[k] & 0x80))
        k++;
    if (k == n) { /* ASCII: lower in place after the copy */
        if (asy_buf_reserve(out, n) < 0)
            return -1;
        char *d = out->data + out->len;
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)s[i];
            d[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        out->len += n;
        out->data[out->len] = '\0';
        return 0;
    }
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s,
                                      (utf8proc_ssize_t)n, &m,
                                      UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE |
                                          UTF8PROC_STABLE);
    if (r < 0) /* invalid UTF-8 cannot reach here (doc text is valid) */
        return asy_buf_append(out, s, n);
    int rc = asy_buf_append(out, m, (size_t)r);
    free(m);
    return rc;
}

static int push_word(asy_wordstream *ws, const asy_word *w)
{
    if (ws->n == ws->cap) {
        size_t cap = ws->cap ? ws->cap * 2 : 256;
        asy_word *v = realloc(ws->w, cap * sizeof *v);
        if (!v)
            return -1;
        ws->w = v;
        ws->cap = cap;
    }
    ws->w[ws->n++] = *w;
    return 0;
}

/* Append one segment as a word: its normalised form, then the record. */
static int add_seg(asy_wordstream *ws, const char *text, const asy_wb_seg *s,
                   unsigned flags, uint32_t sent)
{
    size_t before = ws->norm.len;
    size_t n = s->end - s->start;
    int rc = (flags & ASY_WS_LOWER)
                 ? asy_fold_append(&ws->norm, text + s->start, n)
                 : asy_buf_append(&ws->norm, text + s->start, n);
    if (rc < 0 || ws->norm.len - before > UINT32_MAX)
        return -1;
    asy_word w = {s->start, s->end, s->cstart, s->cend, before,
                  (uint32_t)(ws->norm.len - before), sent};
    return push_word(ws, &w);
}

int asy_wordstream_build(asy_wordstream *ws, const char *text, size_t len,
                         unsigned flags, const asy_span *sents,
                         size_t nsents)
{
    unsigned mask = ASY_WB_KIND(ASY_WB_WORD);
    if (flags & ASY_WS_NUMBERS)
        mask |= ASY_WB_KIND(ASY_WB_NUMBER);
    ws->n = 0;
    asy_buf_clear(&ws->norm);
    asy_wb_iter it;
    asy_wb_seg seg[64];
    size_t got, si = 0;
    asy_wb_init(&it, text, len, mask);
    while ((got = asy_wb_fill(&it, seg, 64)) > 0) {
        for (size_t k = 0; k < got; k++) {
            while (sents && si < nsents && sents[si].end <= seg[k].start)
                si++;
            if (add_seg(ws, text, &seg[k], flags, (uint32_t)si) < 0)
                return -1;
        }
    }
    return 0;
}

void asy_wordstream_free(asy_wordstream *ws)
{
    free(ws->w);
    ws->w = NULL;
    ws->n = ws->cap = 0;
    asy_buf_free(&ws->norm);
}

/* ===================================================================== */
/* N-grams                                                               */
/* ===================================================================== */

/* Per-document state: a local table, and the distinct keys in the order
 * first seen (length-prefixed), so document frequency needs no sort. */
typedef struct doc_grams {
    asy_counter *local;
    asy_buf firsts;
    asy_buf key;
} doc_grams;

static int count_key(doc_grams *g)
{
    size_t before = asy_counter_size(g->local);
    if (asy_counter_add(g->local, g->key.data, g->key.len, 1) < 0)
        return -1;
    if (asy_counter_size(g->local) == before)
        return 0;
    uint32_t n = (uint32_t)g->key.len;
    return asy_buf_append(&g->firsts, &n, sizeof n) |
           asy_buf_append(&g->firsts, g->key.data, g->key.len);
}

/* Count every n-gram starting at word i; returns how many. */
static long grams_at(const asy_wordstream *ws, size_t i, int nmin, int nmax,
                     int same_sentence, doc_grams *g)
{
    long counted = 0;
    asy_buf_clear(&g->key);
    for (int k = 1; k <= nmax && i + (size_t)k <= ws->n; k++) {
        const asy_word *w = &ws->w[i + (size_t)k - 1];
        if (same_sentence && w->sent != ws->w[i].sent)
            break;
        if (w->nlen > UINT32_MAX - 64 - g->key.len)
            return -1;
        if ((k > 1 && asy_buf_putc(&g->key, ' ') < 0) ||
            asy_buf_append(&g->key, ws->norm.data + w->noff, w->nlen) < 0)
            return -1;
        if (k < nmin)
            continue;
        if (count_key(g) < 0)
            return -1;
        counted++;
    }
    return counted;
}

/* Counts into the corpus table, 1 per distinct key into docs. */
static int fold_firsts(doc_grams *g, asy_counter *counts, asy_counter *docs)
{
    if (asy_counter_merge(counts, g->local) < 0)
        return -1;
    for (size_t p = 0; docs && p < g->firsts.len;) {
        uint32_t n;
        memcpy(&n, g->firsts.data + p, sizeof n);
        p += sizeof n;
        if (asy_counter_add(docs, g->firsts.data + p, n, 1) < 0)
            return -1;
        p += n;
    }
    return 0;
}

int asy_ngram_fold_doc(asy_counter *local, asy_counter *counts,
                       asy_counter *docs)
{
    if (asy_counter_merge(counts, local) < 0)
        return -1;
    if (!docs || asy_counter_size(local) == 0)
        return 0;
    size_t m;
    asy_counter_entry *e = asy_counter_sorted(local, 1, &m);
    if (!e)
        return -1;
    int rc = 0;
    for (size_t k = 0; k < m && rc == 0; k++)
        rc = asy_counter_add(docs, e[k].key, e[k].len, 1);
    free(e);
    return rc;
}

long asy_ngram_count(const asy_wordstream *ws, int nmin, int nmax,
                     int same_sentence, asy_counter *counts,
                     asy_counter *docs)
{
    if (nmin < 1 || nmax > 5 || nmin > nmax || !counts)
        return -1;
    doc_grams g = {asy_counter_new(), ASY_BUF_INIT, ASY_BUF_INIT};
    if (!g.local)
        return -1;
    long total = 0;
    for (size_t i = 0; i < ws->n && total >= 0; i++) {
        long c = grams_at(ws, i, nmin, nmax, same_sentence, &g);
        total = c < 0 ? -1 : total + c;
    }
    if (total >= 0 && fold_firsts(&g, counts, docs) < 0)
        total = -1;
    asy_buf_free(&g.key);
    asy_buf_free(&g.firsts);
    asy_counter_free(g.local);
    return total;
}
