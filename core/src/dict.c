/*
 * dict.c — building a dictionary: categories as a path tree, entries parsed
 * into words / globs / phrases (tokenised with the same UAX #29 rules and
 * case folding as the text), and compiling them into the matcher's tables
 * (a token hash, prefix and suffix byte tries, a phrase trie).
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "dict_int.h"
#include "token.h"
#include "wordbreak.h"

/* ===== hash tables ===================================================== */

uint64_t asy_dict_hash(const char *s, size_t n)
{
    /* 8 bytes per step (tokens are short; FNV's byte loop showed in
     * profiles), then a final avalanche */
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
    for (; n >= 8; s += 8, n -= 8) {
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    w = 0;
    memcpy(&w, s, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    return h | 1; /* never 0: 0 marks an empty slot */
}

static int ihash_grow(asy_ihash *h)
{
    size_t cap = h->cap ? h->cap * 2 : 64;
    asy_ihash g = {calloc(cap, sizeof *g.keys), malloc(cap * sizeof *g.vals),
                   cap, 0};
    if (!g.keys || !g.vals) {
        asy_ihash_free(&g);
        return -1;
    }
    for (size_t i = 0; i < h->cap; i++)
        if (h->keys[i])
            asy_ihash_put(&g, h->keys[i] - 1, h->vals[i]);
    asy_ihash_free(h);
    *h = g;
    return 0;
}

int asy_ihash_put(asy_ihash *h, uint64_t key, int32_t val)
{
    if ((h->n + 1) * 2 > h->cap && ihash_grow(h) < 0)
        return -1;
    uint64_t k = key + 1, m = h->cap - 1;
    uint64_t i = (k * 0x9E3779B97F4A7C15ull) >> 20 & m;
    while (h->keys[i] && h->keys[i] != k)
        i = (i + 1) & m;
    h->n += !h->keys[i];
    h->keys[i] = k;
    h->vals[i] = val;
    return 0;
}

void asy_ihash_free(asy_ihash *h)
{
    free(h->keys);
    free(h->vals);
    memset(h, 0, sizeof *h);
}

static int shash_grow(asy_shash *h)
{
    size_t cap = h->cap ? h->cap * 2 : 64;
    asy_shash_slot *s = calloc(cap, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->slots[i].hash)
            continue;
        size_t j = h->slots[i].hash & (cap - 1);
        while (s[j].hash)
            j = (j + 1) & (cap - 1);
        s[j] = h->slots[i];
    }
    free(h->slots);
    h->slots = s;
    h->cap = cap;
    return 0;
}

asy_shash_slot *asy_shash_find(asy_shash *h, const char *s, size_t n,
                               uint64_t hash, int create)
{
    if (create && (h->n + 1) * 2 > h->cap && shash_grow(h) < 0)
        return NULL;
    if (!h->cap || n > UINT32_MAX)
        return NULL;
    size_t m = h->cap - 1;
    for (size_t i = hash & m;; i = (i + 1) & m) {
        asy_shash_slot *e = &h->slots[i];
        if (!e->hash) {
            if (!create || h->arena.len + n > UINT32_MAX)
                return NULL;
            size_t off = h->arena.len;
            if (asy_buf_append(&h->arena, s, n) < 0)
                return NULL;
            *e = (asy_shash_slot){hash, (uint32_t)off, (uint32_t)n, -1, -1, -1};
            h->n++;
            return e;
        }
        if (e->hash == hash && e->len == n &&
            memcmp(h->arena.data + e->off, s, n) == 0)
            return e;
    }
}

void asy_shash_free(asy_shash *h)
{
    free(h->slots);
    asy_buf_free(&h->arena);
    memset(h, 0, sizeof *h);
}

/* ===== folding ========================================================= */

/* Case folding + NFC, with ’ (U+2019) read as ' so "don’t" = "don't". */
int asy_dict_fold(const char *s, size_t n, asy_buf *out)
{
    size_t i = 0;
    while (i < n && (unsigned char)s[i] < 0x80)
        i++;
    if (i == n) {
        if (asy_buf_reserve(out, n) < 0)
            return -1;
        char *o = out->data + out->len;
        for (size_t k = 0; k < n; k++)
            o[k] = (char)(s[k] >= 'A' && s[k] <= 'Z' ? s[k] | 0x20 : s[k]);
        out->len += n;
        out->data[out->len] = '\0';
        return 0;
    }
    utf8proc_uint8_t *r = NULL;
    utf8proc_ssize_t m =
        utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &r,
                     UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
    if (m < 0) { /* invalid UTF-8 cannot come from wordbreak tokens */
        free(r);
        return m == UTF8PROC_ERROR_NOMEM ? -1 : asy_buf_append(out, s, n);
    }
    int rc = 0;
    for (utf8proc_ssize_t k = 0; k < m && rc == 0; k++) {
        if (k + 2 < m && r[k] == 0xE2 && r[k + 1] == 0x80 && r[k + 2] == 0x99) {
            rc = asy_buf_putc(out, '\'');
            k += 2;
        } else
            rc = asy_buf_putc(out, r[k]);
    }
    free(r);
    return rc;
}

/* ===== categories ======================================================= */

static int find_cat(const asy_dict *d, const char *path, size_t n)
{
    for (size_t i = 0; i < d->ncats; i++)
        if (strlen(d->cats[i].path) == n && !memcmp(d->cats[i].path, path, n))
            return (int)i;
    return -1;
}

static int new_cat(asy_dict *d, const char *path, size_t n, int parent)
{
    if (d->ncats == d->capcats) {
        size_t cap = d->capcats ? d->capcats * 2 : 16;
        dict_cat *c = realloc(d->cats, cap * sizeof *c);
        if (!c)
            return -1;
        d->cats = c;
        d->capcats = cap;
    }
    char *p = strndup(path, n);
    if (!p)
        return -1;
    int depth = parent < 0 ? 1 : d->cats[parent].depth + 1;
    d->cats[d->ncats] = (dict_cat){p, parent, depth};
    return (int)d->ncats++;
}

/* Normalise "a / b//c/" to "a/b/c" in buf. */
static int clean_path(const char *path, asy_buf *buf)
{
    const char *p = path;
    while (*p) {
        while (*p == '/' || *p == ' ' || *p == '\t')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > p && ((buf->len && asy_buf_putc(buf, '/') < 0) ||
                      asy_buf_append(buf, p, (size_t)(t - p)) < 0))
            return -1;
        p = e;
    }
    return 0;
}

int asy_dict_category(asy_dict *d, const char *path, asy_error *err)
{
    asy_buf b = ASY_BUF_INIT;
    if (clean_path(path, &b) < 0)
        goto nomem;
    if (!b.len) {
        asy_buf_free(&b);
        return asy_error_set(err, ASSAY_E_PARSE, "empty category name");
    }
    int parent = -1, c = -1;
    for (size_t i = 0; i <= b.len; i++) {
        if (i < b.len && b.data[i] != '/')
            continue;
        c = find_cat(d, b.data, i);
        if (c < 0 && (c = new_cat(d, b.data, i, parent)) < 0)
            goto nomem;
        parent = c;
    }
    asy_buf_free(&b);
    return c;
nomem:
    asy_buf_free(&b);
    return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
}

size_t asy_dict_ncategories(const asy_dict *d) { return d->ncats; }

const char *asy_dict_category_path(const asy_dict *d, int cat)
{
    return cat >= 0 && (size_t)cat < d->ncats ? d->cats[cat].path : NULL;
}

int asy_dict_category_parent(const asy_dict *d, int cat)
{
    return cat >= 0 && (size_t)cat < d->ncats ? d->cats[cat].parent : -1;
}

int asy_dict_category_depth(const asy_dict *d, int cat)
{
    return cat >= 0 && (size_t)cat < d->ncats ? d->cats[cat].depth : 0;
}

int asy_dict_category_at(const asy_dict *d, int cat, int level)
{
    if (level <= 0)
        return cat;
    while (d->cats[cat].depth > level)
        cat = d->cats[cat].parent;
    return cat;
}

int asy_dict_max_depth(const asy_dict *d)
{
    int m = 0;
    for (size_t i = 0; i < d->ncats; i++)
        if (d->cats[i].depth > m)
            m = d->cats[i].depth;
    return m;
}

/* ===== life cycle ======================================================= */

asy_dict *asy_dict_new(void)
{
    return calloc(1, sizeof(asy_dict));
}

void asy_dict_uncompile(asy_dict *d)
{
    asy_shash_free(&d->words);
    asy_ihash_free(&d->pre);
    asy_ihash_free(&d->suf);
    asy_ihash_free(&d->ph);
    free(d->pre_term);
    free(d->suf_term);
    free(d->globs);
    free(d->ph_term);
    free(d->ph_gfirst);
    free(d->gedges);
    free(d->fast);
    free(d->ftag);
    d->ftag = NULL;
    free(d->gpre);
    free(d->gsuf);
    d->fast = NULL;
    d->gpre = d->gsuf = NULL;
    d->fastmask = 0;
    d->gpre_k = d->gsuf_k = d->gany = 0;
    d->pre_term = d->suf_term = d->globs = d->ph_term = d->ph_gfirst = NULL;
    d->gedges = NULL;
    d->npre = d->nsuf = d->nglobs = d->nph = d->ngedges = 0;
    d->ntoks = 0;
    d->maxtok = 1;
    d->compiled = 0;
}

void asy_dict_free(asy_dict *d)
{
    if (!d)
        return;
    asy_dict_uncompile(d);
    for (size_t i = 0; i < d->ncats; i++)
        free(d->cats[i].path);
    for (size_t i = 0; i < d->nentries; i++) {
        free(d->entries[i].term);
        free(d->entries[i].norm);
        free(d->entries[i].cats);
        free(d->entries[i].weights);
    }
    for (size_t i = 0; i < d->nfiles; i++)
        free(d->files[i]);
    free(d->stem_lang);
    asy_stemmer_free(d->stemmer);
    free(d->files);
    free(d->cats);
    free(d->entries);
    asy_shash_free(&d->byterm);
    free(d);
}

/* ===== entries ========================================================== */

/* One glob element: '*' and '?' stand for letters; it must stay one token
 * under UAX #29, else no token can ever match it. */
static int glob_is_token(const char *p, size_t n)
{
    char buf[256];
    if (n >= sizeof buf)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = p[i] == '*' || p[i] == '?' ? 'a' : p[i];
    asy_wb_iter it;
    asy_wb_seg seg;
    asy_wb_init(&it, buf, n, ASY_WB_NOSPACE);
    return asy_wb_next(&it, &seg) && seg.start == 0 && seg.end == n &&
           seg.kind <= ASY_WB_NUMBER && seg.kind != ASY_WB_SPACE;
}

static asy_dict_kind glob_kind(const char *p, size_t n, int *literal)
{
    int stars = 0, q = 0;
    for (size_t i = 0; i < n; i++) {
        stars += p[i] == '*';
        q += p[i] == '?';
    }
    *literal = (int)n - stars; /* a '?' stands for one known character */
    if (!stars && !q)
        return ASY_DICT_WORD;
    if (!q && stars == 1 && n > 1 && p[n - 1] == '*')
        return ASY_DICT_PREFIX;
    if (!q && stars == 1 && n > 1 && p[0] == '*')
        return ASY_DICT_SUFFIX;
    return ASY_DICT_GLOB;
}

typedef struct parsed {
    asy_buf norm;
    int ntok, literal, globs, never;
    asy_dict_kind kind1; /* kind of the single element */
} parsed;

/* Add the word tokens of a folded literal element to p->norm. */
static int add_literal(parsed *p, const char *s, size_t n)
{
    asy_wb_iter it;
    asy_wb_seg seg;
    int k = 0;
    asy_wb_init(&it, s, n, ASY_WB_WORDLIKE);
    while (asy_wb_next(&it, &seg)) {
        if ((p->norm.len && asy_buf_putc(&p->norm, ' ') < 0) ||
            asy_buf_append(&p->norm, s + seg.start, seg.end - seg.start) < 0)
            return -1;
        p->ntok++;
        p->literal += (int)(seg.end - seg.start);
        p->kind1 = ASY_DICT_WORD;
        k++;
    }
    if (!k)
        p->never = 1; /* only punctuation: the tokenizer drops it */
    return 0;
}

/* One glob token of an entry. */
static int add_glob(parsed *p, const char *s, size_t n)
{
    int lit;
    p->kind1 = glob_kind(s, n, &lit);
    if (!glob_is_token(s, n))
        p->never = 1;
    if ((p->norm.len && asy_buf_putc(&p->norm, ' ') < 0) ||
        asy_buf_append(&p->norm, s, n) < 0)
        return -1;
    p->ntok++;
    p->globs++;
    p->literal += lit;
    return 0;
}

/* A glob element the tokenizer would split ("oil-gas*", "co-operat*"):
 * its word tokens, found with '*' and '?' read as letters, become the
 * tokens of a phrase ("oil gas*"), as a literal "e-mail" becomes "e mail".
 * Longer than the token buffer: it can never match. */
static int split_glob(parsed *p, const char *s, size_t n)
{
    char buf[256];
    if (n >= sizeof buf) {
        p->never = 1;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = s[i] == '*' || s[i] == '?' ? 'a' : s[i];
    asy_wb_iter it;
    asy_wb_seg seg;
    int rc = 0, k = 0;
    asy_wb_init(&it, buf, n, ASY_WB_WORDLIKE);
    while (rc == 0 && asy_wb_next(&it, &seg)) {
        const char *t = s + seg.start;
        size_t tn = seg.end - seg.start;
        rc = memchr(t, '*', tn) || memchr(t, '?', tn) ? add_glob(p, t, tn)
                                                      : add_literal(p, t, tn);
        k++;
    }
    if (!k)
        p->never = 1;
    return rc;
}

static int add_element(parsed *p, const char *s, size_t n)
{
    if (!memchr(s, '*', n) && !memchr(s, '?', n))
        return add_literal(p, s, n);
    return glob_is_token(s, n) ? add_glob(p, s, n) : split_glob(p, s, n);
}

/* Parse a term: fold it, split it at white space into elements, and each
 * literal element into its UAX #29 word tokens. */
static int parse_term(const char *term, size_t len, parsed *p)
{
    asy_buf f = ASY_BUF_INIT;
    memset(p, 0, sizeof *p);
    if (asy_dict_fold(term, len, &f) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < f.len && rc == 0;) {
        while (i < f.len && (f.data[i] == ' ' || f.data[i] == '\t'))
            i++;
        size_t e = i;
        while (e < f.len && f.data[e] != ' ' && f.data[e] != '\t')
            e++;
        if (e > i)
            rc = add_element(p, f.data + i, e - i);
        i = e;
    }
    asy_buf_free(&f);
    if (!p->ntok)
        p->never = 1;
    return rc;
}

static asy_dict_kind entry_kind(const parsed *p)
{
    if (p->never)
        return ASY_DICT_NEVER;
    return p->ntok > 1 ? ASY_DICT_PHRASE : p->kind1;
}

static const char *intern_file(asy_dict *d, const char *file)
{
    if (!file)
        return NULL;
    for (size_t i = 0; i < d->nfiles; i++)
        if (!strcmp(d->files[i], file))
            return d->files[i];
    char **v = realloc(d->files, (d->nfiles + 1) * sizeof *v);
    if (!v)
        return NULL;
    d->files = v;
    return (v[d->nfiles] = strdup(file)) ? v[d->nfiles++] : NULL;
}

static int new_entry(asy_dict *d, const char *term, size_t len, parsed *p,
                     const char *file, long line)
{
    if (d->nentries == d->capentries) {
        size_t cap = d->capentries ? d->capentries * 2 : 64;
        dict_entry *e = realloc(d->entries, cap * sizeof *e);
        if (!e)
            return -1;
        d->entries = e;
        d->capentries = cap;
    }
    dict_entry *e = &d->entries[d->nentries];
    memset(e, 0, sizeof *e);
    e->term = strndup(term, len);
    e->norm = asy_buf_detach(&p->norm, NULL);
    if (!e->term || !e->norm) {
        free(e->term);
        free(e->norm);
        return -1;
    }
    e->kind = entry_kind(p);
    e->ntok = p->ntok ? p->ntok : 1;
    /* an exact word outranks any glob of the same token count */
    e->rank = p->globs ? p->literal : 1 << 20;
    e->file = intern_file(d, file);
    e->line = line;
    return (int)d->nentries++;
}

static int entry_add_cat(dict_entry *e, int cat, double w)
{
    for (int i = 0; i < e->ncats; i++)
        if (e->cats[i] == cat)
            return 1;
    if (e->ncats == e->capcats) {
        int cap = e->capcats ? e->capcats * 2 : 2;
        int *c = realloc(e->cats, (size_t)cap * sizeof *c);
        if (!c)
            return -1;
        e->cats = c;
        double *wv = realloc(e->weights, (size_t)cap * sizeof *wv);
        if (!wv)
            return -1;
        e->weights = wv;
        e->capcats = cap;
    }
    e->cats[e->ncats] = cat;
    e->weights[e->ncats++] = w;
    return 0;
}

static void trim(const char **s, size_t *n)
{
    while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t' || (*s)[0] == '\r')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
                  (*s)[*n - 1] == '\r'))
        (*n)--;
}

/* The entry for a parsed term, by its normalised form (created if new). */
static int entry_for(asy_dict *d, const char *term, size_t len, parsed *p,
                     const char *file, long line)
{
    uint64_t h = asy_dict_hash(p->norm.data ? p->norm.data : "", p->norm.len);
    asy_shash_slot *s = asy_shash_find(&d->byterm, p->norm.data ? p->norm.data
                                       : "", p->norm.len, h, 1);
    if (!s)
        return -1;
    if (s->exact < 0)
        s->exact = new_entry(d, term, len, p, file, line);
    return s->exact;
}

int asy_dict_add(asy_dict *d, int cat, const char *term, size_t len,
                 double weight, const char *file, long line, asy_error *err)
{
    trim(&term, &len);
    if (!len)
        return asy_error_set(err, ASSAY_E_PARSE, "empty entry");
    if (cat < 0 || (size_t)cat >= d->ncats)
        return asy_error_set(err, ASSAY_E_USAGE, "no such category %d", cat);
    parsed p;
    int id = parse_term(term, len, &p) < 0 ? -1
             : entry_for(d, term, len, &p, file, line);
    asy_buf_free(&p.norm);
    if (id < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    dict_entry *e = &d->entries[id];
    int r = entry_add_cat(e, cat, weight);
    if (r < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (r == 1 && e->dups++ == 0)
        e->dup_line = line;
    d->compiled = 0;
    return ASSAY_OK;
}

size_t asy_dict_nentries(const asy_dict *d) { return d->nentries; }

int asy_dict_entry(const asy_dict *d, size_t i, asy_dict_entry_info *out)
{
    if (i >= d->nentries)
        return ASSAY_E_USAGE;
    const dict_entry *e = &d->entries[i];
    *out = (asy_dict_entry_info){e->term, e->norm, e->kind, e->ntok,
                                 e->cats, e->weights, e->ncats, e->file,
                                 e->line};
    return ASSAY_OK;
}

/* Is entry a a better match than b for the same number of tokens? */
int asy_dict_entry_better(const asy_dict *d, int32_t a, int32_t b)
{
    if (b < 0)
        return a >= 0;
    if (a < 0)
        return 0;
    const dict_entry *x = &d->entries[a], *y = &d->entries[b];
    if (x->rank != y->rank)
        return x->rank > y->rank;
    return a < b;
}

/* ===== stemming ========================================================== */

int asy_dict_set_stem(asy_dict *d, const char *lang, asy_error *err)
{
    asy_stemmer *st = NULL;
    char *l = NULL;
    if (lang && *lang) {
        if (!(st = asy_stemmer_new(lang, err)))
            return err ? err->code : ASSAY_E_USAGE;
        if (!(l = strdup(lang))) {
            asy_stemmer_free(st);
            return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        }
    }
    free(d->stem_lang);
    asy_stemmer_free(d->stemmer);
    d->stem_lang = l;
    d->stemmer = st;
    d->compiled = 0;
    return ASSAY_OK;
}

int asy_dict_key(const asy_dict *d, struct asy_stemmer *st, const char *k,
                 size_t n, const char **key, size_t *keyn)
{
    *key = k;
    *keyn = n;
    if (!d->stem_lang || !st)
        return 0;
    return asy_stemmer_stem(st, k, n, key, keyn);
}
