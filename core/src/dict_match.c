/*
 * dict_match.c — the dictionary matcher: walks a text's UAX #29 word
 * tokens through a sliding window (bounded memory whatever the document
 * size), folds each token once, and at every position takes the longest
 * entry starting there (phrase trie, then exact word, then globs).
 */
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"
#include "token.h"
#include "wordbreak.h"

typedef struct wtok {
    size_t start, end, cstart, cend;
    size_t noff, nlen; /* folded form in scratch->norm */
    int32_t tok;  /* phrase token id, or -1 */
    int32_t best; /* best one-token entry (exact, else glob), or -1 */
} wtok;

#define BATCH 512

/* Distinct tokens remembered per thread: a Zipfian vocabulary makes the
 * glob tries and the dictionary hash run once per distinct word instead
 * of once per token. Emptied when it grows past CACHE_MAX words or the
 * dictionary changes. */
#define CACHE_MAX 65536

struct asy_dict_scratch {
    wtok *w;
    size_t n, cap, pos;
    asy_buf norm;
    asy_shash cache;
    uint64_t owner; /* generation of the dictionary the cache describes */
    asy_stemmer *stem; /* for the dictionary's stem language, or NULL */
    asy_wb_seg segs[BATCH];
};

asy_dict_scratch *asy_dict_scratch_new(void)
{
    return calloc(1, sizeof(asy_dict_scratch));
}

void asy_dict_scratch_free(asy_dict_scratch *s)
{
    if (!s)
        return;
    free(s->w);
    asy_buf_free(&s->norm);
    asy_shash_free(&s->cache);
    asy_stemmer_free(s->stem);
    free(s);
}

/* ===== globs ============================================================ */

static size_t cp_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* Iterative glob match with one backtrack point (the last '*'): linear in
 * practice, never exponential. */
int asy_dict_glob_match(const char *p, size_t plen, const char *s, size_t slen)
{
    size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
    while (j < slen) {
        if (i < plen && p[i] == '*') {
            star = i++;
            mark = j;
        } else if (i < plen && p[i] == '?') {
            i++;
            j += cp_len((unsigned char)s[j]);
        } else if (i < plen && p[i] == s[j]) {
            i++;
            j++;
        } else if (star != (size_t)-1) {
            i = star + 1;
            mark += cp_len((unsigned char)s[mark]);
            j = mark;
        } else
            return 0;
    }
    while (i < plen && p[i] == '*')
        i++;
    return i == plen && j == slen;
}

/* ===== the token window ================================================== */

static const char *tnorm(const asy_dict_scratch *s, const wtok *t)
{
    return s->norm.data + t->noff;
}

/* Drop the tokens before pos (keeping their folded bytes compact). */
static void shift(asy_dict_scratch *s)
{
    if (!s->pos)
        return;
    size_t keep = s->n - s->pos;
    size_t off = keep ? s->w[s->pos].noff : s->norm.len;
    memmove(s->w, s->w + s->pos, keep * sizeof *s->w);
    for (size_t i = 0; i < keep; i++)
        s->w[i].noff -= off;
    memmove(s->norm.data, s->norm.data + off, s->norm.len - off);
    s->norm.len -= off;
    s->n = keep;
    s->pos = 0;
}

/* Fold one token into buf: ASCII lower-cased in one pass (the common
 * case), anything else through asy_dict_fold. */
static int fold_tok(asy_buf *buf, const char *src, size_t n)
{
    if (asy_buf_reserve(buf, n) < 0)
        return -1;
    char *o = buf->data + buf->len;
    unsigned char any = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)src[i];
        any |= b;
        o[i] = (char)((unsigned char)(b - 'A') < 26u ? b | 0x20 : b);
    }
    if (any & 0x80)
        return asy_dict_fold(src, n, buf);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return 0;
}

static int push_tok(const asy_dict *d, asy_dict_scratch *s, const char *text,
                    const asy_wb_seg *g)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 2 * BATCH;
        wtok *w = realloc(s->w, cap * sizeof *w);
        if (!w)
            return -1;
        s->w = w;
        s->cap = cap;
    }
    wtok *t = &s->w[s->n];
    t->start = g->start;
    t->end = g->end;
    t->cstart = g->cstart;
    t->cend = g->cend;
    t->noff = s->norm.len;
    if (fold_tok(&s->norm, text + g->start, g->end - g->start) < 0)
        return -1;
    t->nlen = s->norm.len - t->noff;
    const char *k = tnorm(s, t);
    uint64_t h = asy_dict_hash(k, t->nlen);
    asy_shash_slot *c = asy_shash_find(&s->cache, k, t->nlen, h, 0);
    if (!c) {
        if (s->cache.n >= CACHE_MAX)
            asy_shash_free(&s->cache);
        if (!(c = asy_shash_find(&s->cache, k, t->nlen, h, 1)))
            return -1;
        const char *key;
        size_t kn;
        if (asy_dict_key(d, s->stem, k, t->nlen, &key, &kn) < 0)
            return -1;
        asy_shash_slot *sl = asy_shash_find(
            (asy_shash *)&d->words, key, kn,
            key == k ? h : asy_dict_hash(key, kn), 0);
        c->tok = sl ? sl->tok : -1;
        c->exact = sl ? sl->exact : -1;
        c->glob = c->exact >= 0 ? -1 : asy_dict_best_glob(d, k, t->nlen);
    }
    t->tok = c->tok;
    t->best = c->exact >= 0 ? c->exact : c->glob;
    s->n++;
    return 0;
}

/* Make sure the window holds maxtok tokens from pos (or the text's end).
 * Returns 1 when more tokens came, 0 at the end, -1 on no memory. */
static int refill(const asy_dict *d, asy_dict_scratch *s, asy_wb_iter *it,
                  const char *text, int64_t *words)
{
    shift(s);
    size_t got = asy_wb_fill(it, s->segs, BATCH);
    for (size_t i = 0; i < got; i++)
        if (push_tok(d, s, text, &s->segs[i]) < 0)
            return -1;
    *words += (int64_t)got;
    return got > 0;
}

/* ===== matching at one position ============================================ */

static int32_t walk_bytes(const asy_ihash *h, const int32_t *term,
                          const char *k, size_t n, int rev,
                          const asy_dict *d, int32_t best)
{
    int32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)k[rev ? n - 1 - i : i];
        if ((node = asy_ihash_get(h, (uint64_t)node << 8 | b)) < 0)
            break;
        if (asy_dict_entry_better(d, term[node], best))
            best = term[node];
    }
    return best;
}

int32_t asy_dict_best_glob(const asy_dict *d, const char *k, size_t n)
{
    int32_t best = -1;
    if (d->npre > 1)
        best = walk_bytes(&d->pre, d->pre_term, k, n, 0, d, best);
    if (d->nsuf > 1)
        best = walk_bytes(&d->suf, d->suf_term, k, n, 1, d, best);
    for (size_t g = 0; g < d->nglobs; g++) {
        const char *p = d->entries[d->globs[g]].norm;
        if (asy_dict_entry_better(d, d->globs[g], best) &&
            asy_dict_glob_match(p, strlen(p), k, n))
            best = d->globs[g];
    }
    return best;
}

/* The best one-token entry for t (exact beats every glob). */
static int32_t single(const asy_dict *d, const asy_dict_scratch *s,
                      const wtok *t)
{
    (void)d;
    (void)s;
    return t->best; /* exact word, else the best glob (push_tok) */
}

typedef struct phbest {
    int32_t id;
    int len;
} phbest;

static void ph_walk(const asy_dict *d, const asy_dict_scratch *s,
                    int32_t node, size_t i, int depth, phbest *b)
{
    if (depth > 1 && d->ph_term[node] >= 0 &&
        (depth > b->len ||
         (depth == b->len && asy_dict_entry_better(d, d->ph_term[node], b->id))))
        *b = (phbest){d->ph_term[node], depth};
    if (i >= s->n)
        return;
    const wtok *t = &s->w[i];
    if (t->tok >= 0) {
        int32_t c = asy_ihash_get(&d->ph, (uint64_t)node << 32 |
                                              (uint64_t)t->tok);
        if (c >= 0)
            ph_walk(d, s, c, i + 1, depth + 1, b);
    }
    for (int32_t g = d->ph_gfirst[node]; g >= 0; g = d->gedges[g].next)
        if (asy_dict_glob_match(d->gedges[g].pat, d->gedges[g].plen,
                                tnorm(s, t), t->nlen))
            ph_walk(d, s, d->gedges[g].child, i + 1, depth + 1, b);
}

/* The longest entry starting at window index i: *len tokens, or -1. */
static int32_t match_at(const asy_dict *d, const asy_dict_scratch *s,
                        size_t i, int *len)
{
    phbest b = {-1, 0};
    if (s->w[i].tok >= 0 || d->ph_gfirst[0] >= 0)
        ph_walk(d, s, 0, i, 0, &b);
    if (b.id >= 0) {
        *len = b.len;
        return b.id;
    }
    *len = 1;
    return single(d, s, &s->w[i]);
}

/* ===== the scan ============================================================= */

static int emit(const asy_dict_scratch *s, size_t i, int32_t id, int len,
                size_t base, asy_dict_match_fn fn, void *ud)
{
    const wtok *a = &s->w[i], *z = &s->w[i + (size_t)len - 1];
    asy_dict_match m = {(size_t)id,   a->start, z->end, a->cstart,
                        z->cend,      base + i, len};
    return fn(ud, &m);
}

int asy_dict_scan(const asy_dict *d, asy_dict_scratch *s, const char *text,
                  size_t len, asy_dict_match_fn fn, void *ud, int64_t *words)
{
    if (!d->compiled && asy_dict_compile((asy_dict *)d, NULL) != ASSAY_OK)
        return ASSAY_E_NOMEM;
    asy_wb_iter it;
    int64_t nw = 0;
    size_t base = 0; /* corpus index of window slot 0 */
    int more = 1, rc = 0;
    if (s->owner != d->generation) {
        asy_shash_free(&s->cache);
        asy_stemmer_free(s->stem); /* a stemmer for this dictionary */
        s->stem = d->stem_lang ? asy_stemmer_new(d->stem_lang, NULL) : NULL;
        if (d->stem_lang && !s->stem)
            return ASSAY_E_NOMEM;
    }
    s->owner = d->generation;
    s->n = s->pos = 0;
    asy_buf_clear(&s->norm);
    asy_wb_init(&it, text, len, ASY_WB_WORDLIKE);
    while (rc == 0) {
        if (more && s->n - s->pos < (size_t)d->maxtok) {
            base += s->pos;
            if ((more = refill(d, s, &it, text, &nw)) < 0)
                return ASSAY_E_NOMEM;
            continue;
        }
        if (s->pos >= s->n)
            break;
        int mlen;
        int32_t id = match_at(d, s, s->pos, &mlen);
        if (id >= 0)
            rc = emit(s, s->pos, id, mlen, base, fn, ud);
        s->pos += id >= 0 ? (size_t)mlen : 1;
    }
    if (words)
        *words = nw;
    return rc;
}

/* ===== counting per category ================================================ */

typedef struct counting {
    const asy_dict *d;
    int level;
    int64_t *counts;
    double *scores;
} counting;

static int on_count(void *ud, const asy_dict_match *m)
{
    counting *c = ud;
    const dict_entry *e = &c->d->entries[m->entry];
    for (int i = 0; i < e->ncats; i++) {
        int cat = asy_dict_category_at(c->d, e->cats[i], c->level);
        int seen = 0;
        for (int j = 0; j < i && !seen; j++)
            seen = asy_dict_category_at(c->d, e->cats[j], c->level) == cat;
        if (seen)
            continue; /* counted once per category at this level */
        c->counts[cat]++;
        if (c->scores)
            c->scores[cat] += e->weights[i];
    }
    return 0;
}

int asy_dict_count(const asy_dict *d, asy_dict_scratch *s, const char *text,
                   size_t len, int level, int64_t *counts, double *scores,
                   int64_t *words)
{
    counting c = {d, level, counts, scores};
    return asy_dict_scan(d, s, text, len, on_count, &c, words);
}
