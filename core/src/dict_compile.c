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
    if (rc)
        return asy_error_set(err, ASSAY_E_NOMEM,
                             "out of memory compiling the dictionary");
    static uint64_t next_generation; /* shared: updated atomically */
    d->generation = __atomic_add_fetch(&next_generation, 1, __ATOMIC_RELAXED);
    d->compiled = 1;
    return ASSAY_OK;
}
