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
                   unsigned flags, uint32_t sent, uint32_t run)
{
    size_t before = ws->norm.len;
    size_t n = s->end - s->start;
    int rc = (flags & ASY_WS_LOWER)
                 ? asy_fold_append(&ws->norm, text + s->start, n)
                 : asy_buf_append(&ws->norm, text + s->start, n);
    if (rc < 0 || ws->norm.len - before > UINT32_MAX)
        return -1;
    asy_word w = {s->start, s->end, s->cstart, s->cend, before,
                  (uint32_t)(ws->norm.len - before), sent, run};
    return push_word(ws, &w);
}

/* Number segments are always asked for, even when they are not kept: a
 * token left out must end the run, or "rose 5 pct" would give the bigram
 * "rose pct", which is not in the text (quanteda's padding). Emoji,
 * punctuation and symbols are separators, as in scikit-learn's token
 * pattern; asking only for word-like kinds keeps asy_wb_fill's vector
 * path. */
#define SEEN_KINDS ASY_WB_WORDLIKE

static int kept(const asy_wb_seg *s, unsigned flags)
{
    return s->kind == ASY_WB_WORD ||
           (s->kind == ASY_WB_NUMBER && (flags & ASY_WS_NUMBERS));
}

int asy_wordstream_build(asy_wordstream *ws, const char *text, size_t len,
                         unsigned flags, const asy_span *sents,
                         size_t nsents)
{
    ws->n = 0;
    asy_buf_clear(&ws->norm);
    asy_wb_iter it;
    asy_wb_seg seg[64];
    size_t got, si = 0;
    uint32_t run = 0;
    asy_wb_init(&it, text, len, SEEN_KINDS);
    while ((got = asy_wb_fill(&it, seg, 64)) > 0) {
        for (size_t k = 0; k < got; k++) {
            if (!kept(&seg[k], flags)) {
                run++;
                continue;
            }
            while (sents && si < nsents && sents[si].end <= seg[k].start)
                si++;
            if (add_seg(ws, text, &seg[k], flags, (uint32_t)si, run) < 0)
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
 * first seen (length-prefixed), so document frequency needs no sort. With
 * a paired table, each occurrence goes straight into it instead: the
 * local table only tells whether this document has seen the key. */
typedef struct doc_grams {
    asy_counter *local;
    asy_buf firsts;
    asy_buf key;
    asy_counter *table; /* NULL: counts + docs through firsts */
} doc_grams;

/* One hash for both tables; the first sighting in the document also
 * adds one document. */
static int count_in_table(doc_grams *g)
{
    uint32_t h = asy_counter_hash(g->key.data, g->key.len);
    size_t before = asy_counter_size(g->local);
    if (asy_counter_add_h(g->local, g->key.data, g->key.len, h, 1) < 0)
        return -1;
    int64_t first = asy_counter_size(g->local) > before;
    return asy_counter_add2_h(g->table, g->key.data, g->key.len, h, 1, first);
}

static int count_key(doc_grams *g)
{
    if (g->table)
        return count_in_table(g);
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
        if (w->run != ws->w[i].run ||
            (same_sentence && w->sent != ws->w[i].sent))
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

static long count_doc(const asy_wordstream *ws, int nmin, int nmax,
                      int same_sentence, asy_counter *counts,
                      asy_counter *docs, asy_counter *table)
{
    if (nmin < 1 || nmax > 5 || nmin > nmax || !(counts || table))
        return -1;
    if (table && !asy_counter_paired(table) && asy_counter_pair(table) < 0)
        return -1;
    doc_grams g = {asy_counter_new(), ASY_BUF_INIT, ASY_BUF_INIT, table};
    if (!g.local)
        return -1;
    long total = 0;
    for (size_t i = 0; i < ws->n && total >= 0; i++) {
        long c = grams_at(ws, i, nmin, nmax, same_sentence, &g);
        total = c < 0 ? -1 : total + c;
    }
    if (total >= 0 && !table && fold_firsts(&g, counts, docs) < 0)
        total = -1;
    asy_buf_free(&g.key);
    asy_buf_free(&g.firsts);
    asy_counter_free(g.local);
    return total;
}

long asy_ngram_count(const asy_wordstream *ws, int nmin, int nmax,
                     int same_sentence, asy_counter *counts,
                     asy_counter *docs)
{
    return counts ? count_doc(ws, nmin, nmax, same_sentence, counts, docs,
                              NULL)
                  : -1;
}

long asy_ngram_count_table(const asy_wordstream *ws, int nmin, int nmax,
                           int same_sentence, asy_counter *table)
{
    return table ? count_doc(ws, nmin, nmax, same_sentence, NULL, NULL,
                             table)
                 : -1;
}

/* ===================================================================== */
/* Rows of a table                                                       */
/* ===================================================================== */

typedef struct big_row {
    int64_t count;
    uint32_t i; /* index in key order */
} big_row;

/* Count descending, then key order. */
static int cmp_big(const void *a, const void *b)
{
    const big_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

#define SMALL_COUNT 65536u /* counts below this are bucketed directly */

/* Is count c bucketed (0 <= c < SMALL_COUNT)? Counts of 2^16 and more
 * come before the buckets, negative ones (a table a plugin fed with
 * c:add(key, -n)) after them; both are few and sorted apart. */
static inline int bucketed(int64_t c)
{
    return (uint64_t)c < SMALL_COUNT;
}

/* The rows whose count is >= SMALL_COUNT (big = 1) or negative (big = 0),
 * sorted by count and index into o[0..): returns how many, or -1 when out
 * of memory. */
static long order_apart(const asy_ngram_rows *r, uint32_t *o, int big)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++)
        m += !bucketed(r->e[i].count) && (r->e[i].count > 0) == big;
    big_row *b = malloc((m ? m : 1) * sizeof *b);
    if (!b)
        return -1;
    for (size_t i = 0, k = 0; i < r->n; i++)
        if (!bucketed(r->e[i].count) && (r->e[i].count > 0) == big)
            b[k++] = (big_row){r->e[i].count, (uint32_t)i};
    qsort(b, m, sizeof *b, cmp_big);
    for (size_t k = 0; k < m; k++)
        o[k] = b[k].i;
    free(b);
    return (long)m;
}

/* The entries come sorted by key, so a stable counting sort by count
 * (descending) gives count descending, then key ascending, with 4 bytes
 * per row, no scratch copy and no string comparison. */
static int order_rows(asy_ngram_rows *r)
{
    uint32_t *o = malloc((r->n ? r->n : 1) * sizeof *o);
    size_t *at = calloc(SMALL_COUNT, sizeof *at), nsmall = 0;
    long nbig = -1, nneg = -1;
    if (!o || !at)
        goto fail;
    for (size_t i = 0; i < r->n; i++)
        if (bucketed(r->e[i].count)) {
            at[r->e[i].count]++;
            nsmall++;
        }
    if ((nbig = order_apart(r, o, 1)) < 0)
        goto fail;
    for (size_t c = SMALL_COUNT, pos = (size_t)nbig; c-- > 0;) {
        size_t k = at[c]; /* block starts */
        at[c] = pos;
        pos += k;
    }
    for (size_t i = 0; i < r->n; i++)
        if (bucketed(r->e[i].count))
            o[at[r->e[i].count]++] = (uint32_t)i;
    if ((nneg = order_apart(r, o + nbig + nsmall, 0)) < 0)
        goto fail;
    free(at);
    r->order = o;
    return 0;
fail:
    free(o);
    free(at);
    return -1;
}

/* Keep the rows of at least min_count, and give back the rest. */
static void drop_rare(asy_ngram_rows *r, size_t m, int64_t min_count)
{
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (r->e[i].count >= min_count)
            r->e[k++] = r->e[i];
    r->n = k;
    if (k < m && k > 0) {
        asy_counter_entry *e = realloc(r->e, k * sizeof *e);
        if (e) /* shrinking can only fail to give memory back */
            r->e = e;
    }
}

int asy_ngram_rows_build(const asy_counter *table, int64_t min_count,
                         int threads, asy_ngram_rows *r)
{
    *r = (asy_ngram_rows){NULL, NULL, 0};
    size_t m = 0;
    if (asy_counter_settle(table) < 0)
        return -1;
    if (asy_counter_size(table) == 0)
        return 0;
    if (!(r->e = asy_counter_sorted_mt(table, 1, &m, threads)))
        return -1;
    drop_rare(r, m, min_count);
    if (r->n > UINT32_MAX || order_rows(r) < 0) {
        asy_ngram_rows_free(r);
        return -1;
    }
    return 0;
}

void asy_ngram_rows_free(asy_ngram_rows *r)
{
    free(r->e);
    free(r->order);
    *r = (asy_ngram_rows){NULL, NULL, 0};
}
