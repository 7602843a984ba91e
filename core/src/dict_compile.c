/*
 * dict_compile.c — turns a dictionary's entries into the matcher's tables:
 * one hash from folded token to its exact entry and phrase token id, byte
 * tries for "prefix*" (forward) and "*suffix" (reversed) globs, a list of
 * the other globs, and a trie over phrase token ids (with glob edges for
 * phrase elements such as "cut*").
 */
#include <stdlib.h>
#include <string.h>

#include "dict_int.h"
#include "token.h"

typedef struct nodes {
    int32_t **term, **gfirst; /* gfirst may be NULL */
    size_t *n, cap;
} nodes;

/* A new trie node (no entry, no glob edge); its index, or -1. */
static int32_t add_node(nodes *t)
{
    if (*t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        int32_t *a = realloc(*t->term, cap * sizeof *a);
        if (!a)
            return -1;
        *t->term = a;
        if (t->gfirst) {
            int32_t *g = realloc(*t->gfirst, cap * sizeof *g);
            if (!g)
                return -1;
            *t->gfirst = g;
        }
        t->cap = cap;
    }
    (*t->term)[*t->n] = -1;
    if (t->gfirst)
        (*t->gfirst)[*t->n] = -1;
    return (int32_t)(*t->n)++;
}

/* Child of node along key (created when missing), or -1. */
static int32_t child(asy_ihash *h, nodes *t, uint64_t key)
{
    int32_t c = asy_ihash_get(h, key);
    if (c >= 0)
        return c;
    if ((c = add_node(t)) < 0 || asy_ihash_put(h, key, c) < 0)
        return -1;
    return c;
}

/* Insert bytes s[0..n) (reversed when rev) into a byte trie; mark the
 * last node with entry id unless a better entry is there. */
static int byte_insert(asy_dict *d, asy_ihash *h, nodes *t, const char *s,
                       size_t n, int rev, int32_t id)
{
    int32_t node = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[rev ? n - 1 - i : i];
        if ((node = child(h, t, (uint64_t)node << 8 | b)) < 0)
            return -1;
    }
    int32_t *term = &(*t->term)[node];
    if (asy_dict_entry_better(d, id, *term))
        *term = id;
    return 0;
}

/* The phrase token id of a literal element (assigned when new). */
static int64_t tok_id(asy_dict *d, const char *s, size_t n)
{
    if (asy_dict_key(d, d->stemmer, s, n, &s, &n) < 0)
        return -1;
    asy_shash_slot *sl =
        asy_shash_find(&d->words, s, n, asy_dict_hash(s, n), 1);
    if (!sl)
        return -1;
    if (sl->tok < 0)
        sl->tok = d->ntoks++;
    return sl->tok;
}

/* The child of node through the glob edge for pattern s (new if none). */
static int32_t glob_child(asy_dict *d, nodes *t, int32_t node, const char *s,
                          size_t n)
{
    for (int32_t g = d->ph_gfirst[node]; g >= 0; g = d->gedges[g].next)
        if (d->gedges[g].plen == n && !memcmp(d->gedges[g].pat, s, n))
            return d->gedges[g].child;
    dict_gedge *v = realloc(d->gedges, (d->ngedges + 1) * sizeof *v);
    if (!v)
        return -1;
    d->gedges = v;
    int32_t c = add_node(t);
    if (c < 0)
        return -1;
    v[d->ngedges] = (dict_gedge){s, n, c, d->ph_gfirst[node]};
    d->ph_gfirst[node] = (int32_t)d->ngedges++;
    return c;
}

static int phrase_insert(asy_dict *d, nodes *t, int32_t id)
{
    const char *s = d->entries[id].norm;
    int32_t node = 0;
    while (*s) {
        size_t n = strcspn(s, " ");
        if (memchr(s, '*', n) || memchr(s, '?', n))
            node = glob_child(d, t, node, s, n);
        else {
            int64_t tok = tok_id(d, s, n);
            node = tok < 0 ? -1
                   : child(&d->ph, t, (uint64_t)node << 32 | (uint64_t)tok);
        }
        if (node < 0)
            return -1;
        s += n + (s[n] == ' ');
    }
    if (asy_dict_entry_better(d, id, d->ph_term[node]))
        d->ph_term[node] = id;
    if (d->entries[id].ntok > d->maxtok)
        d->maxtok = d->entries[id].ntok;
    return 0;
}

static int add_glob(asy_dict *d, int32_t id)
{
    int32_t *g = realloc(d->globs, (d->nglobs + 1) * sizeof *g);
    if (!g)
        return -1;
    d->globs = g;
    g[d->nglobs++] = id;
    return 0;
}

static int add_word(asy_dict *d, int32_t id)
{
    const char *s = d->entries[id].norm;
    size_t n = strlen(s);
    if (asy_dict_key(d, d->stemmer, s, n, &s, &n) < 0)
        return -1;
    asy_shash_slot *sl =
        asy_shash_find(&d->words, s, n, asy_dict_hash(s, n), 1);
    if (!sl)
        return -1;
    if (asy_dict_entry_better(d, id, sl->exact))
        sl->exact = id;
    return 0;
}

typedef struct tries {
    nodes pre, suf, ph;
} tries;

static int insert_entry(asy_dict *d, tries *t, int32_t id)
{
    const dict_entry *e = &d->entries[id];
    size_t n = strlen(e->norm);
    if (!e->ncats)
        return 0;
    switch (e->kind) {
    case ASY_DICT_WORD:
        return add_word(d, id);
    case ASY_DICT_PREFIX:
        return byte_insert(d, &d->pre, &t->pre, e->norm, n - 1, 0, id);
    case ASY_DICT_SUFFIX:
        return byte_insert(d, &d->suf, &t->suf, e->norm + 1, n - 1, 1, id);
    case ASY_DICT_GLOB:
        return add_glob(d, id);
    case ASY_DICT_PHRASE:
        return phrase_insert(d, &t->ph, id);
    default:
        return 0; /* never matches: left to lint */
    }
}

/* ===== the fast path ====================================================== */

static int is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* A free slot for hash h in the bucketed fast table (open addressing
 * over buckets: the next bucket when one is full). */
static size_t fast_slot(const asy_dict *d, uint64_t h)
{
    for (size_t b = (size_t)(h >> d->fshift);; b = (b + 1) & d->fastmask)
        for (unsigned i = 0; i < ASY_DICT_FWAY; i++)
            if (!(d->ftag[b] >> (16 * i) & 0xffff)) {
                d->ftag[b] |= (uint64_t)asy_dict_ftag(h) << (16 * i);
                return b * ASY_DICT_FWAY + i;
            }
}

/* The table of every short ASCII key of d->words with its final answer
 * for a one-token match (exact entry, else best glob), so that most
 * tokens need one probe of a small table and no per-thread cache. */
static int build_fast(asy_dict *d)
{
    size_t nb = 2;
    unsigned bits = 1;
    /* load <= 1/8 (1/4 past 64K slots): buckets are rarely full */
    size_t want = d->words.n * (d->words.n <= 8192 ? 8 : 4);
    while (nb * ASY_DICT_FWAY < want) {
        nb *= 2;
        bits++;
    }
    /* the presence bits: >= 64 per key (few false "maybe"s), within
     * 512 B .. 32 KB so that they stay in the first-level cache */
    unsigned fb = 12;
    while (fb < 18 && ((size_t)1 << fb) < d->words.n * 64)
        fb++;
    size_t nbw = ((size_t)1 << fb) / 64;
    uint64_t *pres;
    if (!(d->fast = calloc(nb * ASY_DICT_FWAY + 1, sizeof *d->fast)) ||
        !(d->ftag = calloc(nb + nbw, sizeof *d->ftag)))
        return -1;
    pres = d->ftag + nb;
    d->fbits = pres;
    d->fbshift = 64 - fb;
    d->fastmask = nb - 1;
    d->fshift = 64 - bits;
    d->fast[nb * ASY_DICT_FWAY] = (dict_fslot){0, 0, 0, -1, -1, 0}; /* miss */
    for (size_t i = 0; i < d->words.cap; i++) {
        const asy_shash_slot *w = &d->words.slots[i];
        const char *k = d->words.arena.data + w->off;
        if (!w->hash || !w->len || w->len > ASY_DICT_FAST_MAX ||
            !is_ascii(k, w->len))
            continue;
        char b[16] = {0};
        uint64_t k0, k1;
        memcpy(b, k, w->len);
        memcpy(&k0, b, 8);
        memcpy(&k1, b + 8, 8);
        uint64_t h = asy_dict_fhash(k0, k1);
        size_t j = fast_slot(d, h);
        pres[h >> d->fbshift >> 6] |= 1ull << (h >> d->fbshift & 63);
        int32_t best = w->exact >= 0 ? w->exact
                                     : asy_dict_best_glob(d, k, w->len);
        int32_t lead = w->tok >= 0 && /* a phrase starts with it */
                       asy_ihash_get(&d->ph, (uint64_t)w->tok) >= 0;
        d->fast[j] = (dict_fslot){k0, k1, w->len, w->tok, best, lead};
    }
    return 0;
}

/* The shortest literal (at most 4 bytes) of the prefix or suffix globs:
 * how many bytes of a word their filter hashes; -1 when there are none. */
static int filter_k(const asy_dict *d, asy_dict_kind kind)
{
    int k = -1;
    for (size_t i = 0; i < d->nentries; i++) {
        const dict_entry *e = &d->entries[i];
        if (e->ncats && e->kind == kind) {
            size_t lit = strlen(e->norm) - 1;
            k = k < 0 || lit < (size_t)k ? (lit < 4 ? (int)lit : 4) : k;
        }
    }
    return k;
}

/* Set the filter entry of every prefix or suffix glob's first / last k
 * bytes, placed as the scan reads them (dict_int.h). */
static void filter_mark(const asy_dict *d, asy_dict_kind kind, uint8_t *map,
                        int k)
{
    for (size_t i = 0; i < d->nentries; i++) {
        const dict_entry *e = &d->entries[i];
        if (!e->ncats || e->kind != kind)
            continue;
        size_t lit = strlen(e->norm) - 1;
        uint32_t v = 0;
        if (kind == ASY_DICT_PREFIX)
            memcpy(&v, e->norm, (size_t)k);
        else
            memcpy((char *)&v + 4 - k, e->norm + 1 + lit - (size_t)k,
                   (size_t)k);
        uint32_t m = asy_dict_fmask(k, kind != ASY_DICT_PREFIX);
        if (kind == ASY_DICT_PREFIX)
            v &= m;
        else /* as the scan folds it */
            v = (v & m) | (m & 0x20202020u);
        map[asy_dict_fidx(v)] = 1;
    }
}

/* The glob pre-filters: both maps whenever there are one-token globs; a
 * glob "*" or a generic one makes every word a candidate. */
static int build_filters(asy_dict *d)
{
    int pk = filter_k(d, ASY_DICT_PREFIX), sk = filter_k(d, ASY_DICT_SUFFIX);
    size_t size = (size_t)1 << ASY_DICT_GBITS;
    d->gany = d->nglobs > 0 || pk == 0 || sk == 0;
    if (!d->gany && pk < 0 && sk < 0)
        return 0;
    if (!(d->gpre = calloc(size, 1)) || !(d->gsuf = calloc(size, 1)))
        return -1;
    if (d->gany) {
        memset(d->gpre, 1, size); /* the prefix mask is 0: one entry */
        return 0;
    }
    if (pk > 0)
        filter_mark(d, ASY_DICT_PREFIX, d->gpre, d->gpre_k = pk);
    if (sk > 0)
        filter_mark(d, ASY_DICT_SUFFIX, d->gsuf, d->gsuf_k = sk);
    return 0;
}

static int build_fastpath(asy_dict *d)
{
    d->fbits = NULL;
    if (d->stem_lang)
        return 0; /* keys are stems: the general path only */
    return build_fast(d) < 0 || build_filters(d) < 0;
}

int asy_dict_compile(asy_dict *d, asy_error *err)
{
    asy_dict_uncompile(d);
    tries t = {{&d->pre_term, NULL, &d->npre, 0},
               {&d->suf_term, NULL, &d->nsuf, 0},
               {&d->ph_term, &d->ph_gfirst, &d->nph, 0}};
    /* the three roots */
    int rc = add_node(&t.pre) < 0 || add_node(&t.suf) < 0 ||
             add_node(&t.ph) < 0;
    for (size_t i = 0; i < d->nentries && !rc; i++)
        rc = insert_entry(d, &t, (int32_t)i);
    if (!rc)
        rc = build_fastpath(d);
    if (rc)
        return asy_error_set(err, ASSAY_E_NOMEM,
                             "out of memory compiling the dictionary");
    static uint64_t next_generation; /* shared: updated atomically */
    d->generation = __atomic_add_fetch(&next_generation, 1, __ATOMIC_RELAXED);
    d->compiled = 1;
    return ASSAY_OK;
}
