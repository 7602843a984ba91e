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

/* Per-document state for separate count and document-count tables: a
 * local table, and the distinct keys in the order first seen
 * (length-prefixed), so document frequency needs no sort. */
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

/* Words i, i + 1, ... that an n-gram starting at word i may join: up to
 * nmax, adjacent in the text (one run) and, with same_sentence, in word
 * i's sentence. */
static int gram_words(const asy_wordstream *ws, size_t i, int nmax,
                      int same_sentence)
{
    int k = 1;
    while (k < nmax && i + (size_t)k < ws->n &&
           ws->w[i + (size_t)k].run == ws->w[i].run &&
           (!same_sentence || ws->w[i + (size_t)k].sent == ws->w[i].sent))
        k++;
    return k;
}

/* Append word w (after a space unless first) to key: 0, or -1 when out of
 * memory or the key would pass 4 GiB. */
static int append_word(const asy_wordstream *ws, const asy_word *w,
                       asy_buf *key, size_t start, int first)
{
    if (w->nlen > UINT32_MAX - 64 - (key->len - start))
        return -1;
    if ((!first && asy_buf_putc(key, ' ') < 0) ||
        asy_buf_append(key, ws->norm.data + w->noff, w->nlen) < 0)
        return -1;
    return 0;
}

/* Count every n-gram starting at word i; returns how many. */
static long grams_at(const asy_wordstream *ws, size_t i, int nmin, int nmax,
                     int same_sentence, doc_grams *g)
{
    long counted = 0;
    asy_buf_clear(&g->key);
    int kmax = gram_words(ws, i, nmax, same_sentence);
    for (int k = 1; k <= kmax; k++) {
        if (append_word(ws, &ws->w[i + (size_t)k - 1], &g->key, 0, k == 1) <
            0)
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
    asy_counter_entries_free(e);
    return rc;
}

/*
 * Into one paired table, a document a round of its stamps (its document
 * counts: asy_counter_add_doc), the n-grams a batch at a time: their keys
 * are built back to back (those starting at one word are prefixes of the
 * longest, built once), then hashed, and the table's buckets and records
 * fetched for the whole batch before any is added, so that the batch's
 * cache misses overlap. (Before: each occurrence went to a per-document
 * table, to tell its first, then to the corpus table, one cache miss
 * after another: 4.4 s of counting for 200 MB.)
 */
typedef struct gram_batch {
    asy_buf keys;
    size_t off[ASY_COUNTER_BATCH];
    uint32_t len[ASY_COUNTER_BATCH];
    size_t n;
    int docs; /* into a paired table with document counts, or counts only */
} gram_batch;

static int flush_batch(gram_batch *b, asy_counter *table)
{
    const char *keys[ASY_COUNTER_BATCH];
    uint32_t h[ASY_COUNTER_BATCH];
    for (size_t i = 0; i < b->n; i++) {
        keys[i] = b->keys.data + b->off[i];
        h[i] = asy_counter_hash(keys[i], b->len[i]);
    }
    int rc = b->docs ? asy_counter_add_docs(table, keys, b->len, h, b->n)
                     : asy_counter_add_keys(table, keys, b->len, h, b->n);
    b->n = 0;
    asy_buf_clear(&b->keys);
    return rc;
}

/* The n-grams starting at word i into the batch (flushed first when it
 * has no room for them): how many, or -1. */
static long batch_grams_at(const asy_wordstream *ws, size_t i, int nmin,
                           int nmax, int same_sentence, gram_batch *b,
                           asy_counter *table)
{
    int kmax = gram_words(ws, i, nmax, same_sentence);
    if (kmax < nmin)
        return 0;
    if (b->n + (size_t)(kmax - nmin + 1) > ASY_COUNTER_BATCH &&
        flush_batch(b, table) < 0)
        return -1;
    size_t start = b->keys.len, need = (size_t)kmax - 1;
    for (int k = 0; k < kmax; k++) {
        need += ws->w[i + (size_t)k].nlen;
        if (need > UINT32_MAX - 64)
            return -1;
    }
    if (asy_buf_reserve(&b->keys, need) < 0)
        return -1;
    char *p = b->keys.data + start; /* the longest key, written once */
    for (int k = 1; k <= kmax; k++) {
        const asy_word *w = &ws->w[i + (size_t)k - 1];
        if (k > 1)
            *p++ = ' ';
        memcpy(p, ws->norm.data + w->noff, w->nlen);
        p += w->nlen;
        if (k >= nmin) {
            b->off[b->n] = start;
            b->len[b->n++] = (uint32_t)(p - (b->keys.data + start));
        }
    }
    b->keys.len += need;
    b->keys.data[b->keys.len] = '\0';
    return kmax - nmin + 1;
}

/* With docs, into a paired table with document counts; without, counts
 * only (assay.ngrams with no document counter: no table per document). */
static long count_doc_table(const asy_wordstream *ws, int nmin, int nmax,
                            int same_sentence, asy_counter *table, int docs)
{
    if (docs && !asy_counter_paired(table) && asy_counter_pair(table) < 0)
        return -1;
    if (docs && asy_counter_begin_distinct(table) < 0)
        return -1;
    gram_batch b = {ASY_BUF_INIT, {0}, {0}, 0, docs};
    long total = 0;
    for (size_t i = 0; i < ws->n && total >= 0; i++) {
        long c = batch_grams_at(ws, i, nmin, nmax, same_sentence, &b, table);
        total = c < 0 ? -1 : total + c;
    }
    if (total >= 0 && b.n && flush_batch(&b, table) < 0)
        total = -1;
    if (docs) /* the document's round: a merge may drop its stamps */
        asy_counter_end_round(table);
    asy_buf_free(&b.keys);
    return total;
}

static long count_doc(const asy_wordstream *ws, int nmin, int nmax,
                      int same_sentence, asy_counter *counts,
                      asy_counter *docs, asy_counter *table)
{
    if (nmin < 1 || nmax > 5 || nmin > nmax || !(counts || table))
        return -1;
    if (table)
        return count_doc_table(ws, nmin, nmax, same_sentence, table, 1);
    if (!docs)
        return count_doc_table(ws, nmin, nmax, same_sentence, counts, 0);
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

/* Sorted by count (descending), then key, in one sort on the run's
 * threads, so that the rows lie in their order and are formatted reading
 * forward. (Before: sorted by key, then a counting sort by count into an
 * index array, which the rows followed scattered over the entries: 20 ms
 * for the index and 140 -> 115 ms for formatting 1.75 million rows.) */
int asy_ngram_rows_build(const asy_counter *table, int64_t min_count,
                         int threads, asy_ngram_rows *r)
{
    *r = (asy_ngram_rows){NULL, 0};
    size_t m = 0;
    if (asy_counter_settle(table) < 0)
        return -1;
    if (asy_counter_size(table) == 0)
        return 0;
    if (!(r->e = asy_counter_sorted_mt(table, 0, &m, threads)))
        return -1;
    r->n = asy_counter_count_at_least(r->e, m, min_count);
    if (r->n == 0) {
        asy_ngram_rows_free(r);
        return 0;
    }
    if (r->n < m) /* keep the rows of at least min_count only (the table
                     is settled: no key lies in the array's block) */
        r->e = asy_counter_entries_shrink(r->e, r->n);
    return 0;
}

void asy_ngram_rows_free(asy_ngram_rows *r)
{
    asy_counter_entries_free(r->e);
    *r = (asy_ngram_rows){NULL, 0};
}
