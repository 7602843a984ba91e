/*
 * attrib_lex.c — the word lists of quote attribution: a case-insensitive
 * (ASCII folding) hash from words and two-word phrases to class bits, the
 * parser of the plugins/data/quotes/<lang>/ *.txt format, and the model
 * that pairs the lexicon with the sentence splitter's abbreviations.
 */
#include <stdlib.h>
#include <string.h>

#include "attrib.h"

#define KEYMAX 64

/* A slot holds the hash, the classes and the first 8 bytes of its key
 * (folded to lower case, packed little-endian): 16 bytes, so that the
 * English lists' table (2048 slots) stays within 32 KB and a lookup of a
 * word of up to 8 bytes touches one slot and nothing else. Longer keys
 * keep their further words in `kw` (koff: where, per slot). The low six
 * bits of a stored hash are the key's length (keys are shorter than 64
 * bytes), so equal hashes and first words mean equal keys up to 8 bytes;
 * the top bit is set (h == 0 marks an empty slot). Hashing and comparing
 * take a step per 8 bytes. */
typedef struct slot {
    uint32_t h;
    uint32_t cls;
    uint64_t w0;
} slot;

enum { KEYWORDS = KEYMAX / 8 };

/* A one-bit-per-hash filter (1 KB, always in the first-level cache) in
 * front of the table: most words of a text are not in the lists, and
 * their lookups stop here instead of touching a random slot. */
enum { FILTER_BITS = 8192 };

struct asy_qlex {
    uint64_t filter[FILTER_BITS / 64];
    slot *tab;
    uint32_t *koff; /* per slot: words 2.. of a key longer than 8 bytes */
    uint64_t *kw;
    size_t kwlen, kwcap;
    size_t cap, n;  /* cap is a power of two */
};

/* ASCII A–Z to a–z in each byte of v at once; other bytes (UTF-8
 * included) unchanged. No carry crosses a byte: the low seven bits plus
 * at most 0x3F stay below 0x100. */
static inline uint64_t fold8(uint64_t v)
{
    const uint64_t ones = 0x0101010101010101ull, high = ones * 0x80;
    uint64_t low7 = v & ~high;
    uint64_t ge_a = low7 + ones * (0x80 - 'A');
    uint64_t gt_z = low7 + ones * (0x7F - 'Z');
    return v | (((ge_a & ~gt_z & ~v) & high) >> 2);
}

/* Pack w[0..n) (0 < n < KEYMAX; room >= n bytes readable at w) into
 * folded little-endian words, the last one zero-padded; returns the
 * number of words. With 8 bytes per word readable, one unaligned load
 * each, else byte by byte. */
static inline size_t pack(const char *w, size_t n, size_t room,
                          uint64_t *out)
{
    size_t nw = (n + 7) / 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (room >= nw * 8) {
        for (size_t k = 0; k < nw; k++) {
            uint64_t v;
            memcpy(&v, w + 8 * k, 8);
            out[k] = v;
        }
        if (n % 8)
            out[nw - 1] &= (1ull << (8 * (n % 8))) - 1;
        for (size_t k = 0; k < nw; k++)
            out[k] = fold8(out[k]);
        return nw;
    }
#endif
    (void)room;
    for (size_t k = 0; k < nw; k++)
        out[k] = 0;
    for (size_t i = 0; i < n; i++)
        out[i / 8] |= (uint64_t)(unsigned char)w[i] << (8 * (i % 8));
    for (size_t k = 0; k < nw; k++)
        out[k] = fold8(out[k]);
    return nw;
}

/* Hash of a packed key of n bytes, top bit set (0 = empty slot): the
 * high half of a multiply chain (well mixed, one multiply per word). */
static inline uint32_t hash(const uint64_t *kw, size_t nw, size_t n)
{
    const uint64_t K = 0x9E3779B97F4A7C15ull;
    uint64_t h = (uint64_t)n;
    for (size_t k = 0; k < nw; k++)
        h = ((h ^ kw[k]) * K) ^ (h >> 32);
    return (((uint32_t)(h >> 32) & ~0x3Fu) | (uint32_t)n) | 0x80000000u;
}

/* Does slot s hold the packed key kw (nw words, n bytes)? */
static inline int same_key(const asy_qlex *lx, size_t i, const uint64_t *kw,
                           size_t nw)
{
    if (lx->tab[i].w0 != kw[0])
        return 0;
    for (size_t j = 1; j < nw; j++)
        if (lx->kw[lx->koff[i] + j - 1] != kw[j])
            return 0;
    return 1;
}

/* The slot of the packed key (found, or the empty slot where it would
 * go). */
static inline size_t find(const asy_qlex *lx, const uint64_t *kw, size_t nw,
                          size_t n, uint32_t h)
{
    size_t mask = lx->cap - 1;
    (void)n; /* in the low bits of h */
    for (size_t i = (h >> 6) & mask;; i = (i + 1) & mask) {
        const slot *s = &lx->tab[i];
        if (!s->h || (s->h == h && same_key(lx, i, kw, nw)))
            return i;
    }
}

/* Filter bit of hash h: bits above those that index small tables. */
static inline size_t filter_bit(uint32_t h)
{
    return (h >> 16) % FILTER_BITS;
}

static void filter_set(asy_qlex *lx, uint32_t h)
{
    size_t b = filter_bit(h);
    lx->filter[b / 64] |= 1ull << (b % 64);
}

/* 0 when no key with hash h was added. */
static inline int filter_has(const asy_qlex *lx, uint32_t h)
{
    size_t b = filter_bit(h);
    return (lx->filter[b / 64] >> (b % 64)) & 1;
}

/* Classes of a packed key: 0 unless the filter lets it through to the
 * table. */
static inline uint32_t lookup(const asy_qlex *lx, const uint64_t *kw,
                              size_t nw, size_t n)
{
    uint32_t h = hash(kw, nw, n);
    if (!filter_has(lx, h))
        return 0;
    return lx->tab[find(lx, kw, nw, n, h)].cls;
}

/* The packed words of slot i's key into kw; returns their number. */
static size_t key_of(const asy_qlex *lx, size_t i, uint64_t *kw)
{
    size_t nw = ((lx->tab[i].h & 0x3F) + 7) / 8;
    kw[0] = lx->tab[i].w0;
    for (size_t j = 1; j < nw; j++)
        kw[j] = lx->kw[lx->koff[i] + j - 1];
    return nw;
}

static int grow(asy_qlex *lx)
{
    size_t ncap = lx->cap ? lx->cap * 2 : 512;
    slot *nt = calloc(ncap, sizeof *nt);
    uint32_t *nk = calloc(ncap, sizeof *nk);
    if (!nt || !nk) {
        free(nt);
        free(nk);
        return -1;
    }
    asy_qlex old = *lx;
    lx->tab = nt;
    lx->koff = nk;
    lx->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        uint64_t kw[KEYWORDS];
        if (!old.tab[i].h)
            continue;
        size_t nw = key_of(&old, i, kw);
        size_t j = find(lx, kw, nw, old.tab[i].h & 0x3F, old.tab[i].h);
        nt[j] = old.tab[i];
        nk[j] = old.koff[i];
    }
    free(old.tab);
    free(old.koff);
    return 0;
}

/* Store words 2..nw of a packed key in kw; their offset in *off. */
static int store_rest(asy_qlex *lx, const uint64_t *kw, size_t nw,
                      uint32_t *off)
{
    *off = 0;
    if (nw < 2)
        return 0;
    if (lx->kwlen + nw > lx->kwcap) {
        size_t nc = lx->kwcap ? lx->kwcap * 2 : 256;
        while (nc < lx->kwlen + nw)
            nc *= 2;
        if (nc > UINT32_MAX)
            return -1;
        uint64_t *nk = realloc(lx->kw, nc * sizeof *nk);
        if (!nk)
            return -1;
        lx->kw = nk;
        lx->kwcap = nc;
    }
    *off = (uint32_t)lx->kwlen;
    memcpy(lx->kw + lx->kwlen, kw + 1, (nw - 1) * sizeof *kw);
    lx->kwlen += nw - 1;
    return 0;
}

asy_qlex *asy_qlex_new(void)
{
    asy_qlex *lx = calloc(1, sizeof *lx);
    if (lx && grow(lx) != 0) {
        free(lx);
        return NULL;
    }
    return lx;
}

void asy_qlex_free(asy_qlex *lx)
{
    if (!lx)
        return;
    free(lx->tab);
    free(lx->koff);
    free(lx->kw);
    free(lx);
}

int asy_qlex_add(asy_qlex *lx, uint32_t cls, const char *w, size_t n)
{
    uint64_t kw[KEYWORDS];
    if (n > 1 && w[n - 1] == '.')
        n--;
    if (n == 0 || n >= KEYMAX)
        return ASSAY_E_USAGE;
    if ((lx->n + 1) * 4 > lx->cap * 3 && grow(lx) != 0) /* load <= 3/4 */
        return ASSAY_E_NOMEM;
    size_t nw = pack(w, n, n, kw);
    uint32_t h = hash(kw, nw, n);
    size_t i = find(lx, kw, nw, n, h);
    slot *sl = &lx->tab[i];
    if (!sl->h) {
        if (store_rest(lx, kw, nw, &lx->koff[i]) != 0)
            return ASSAY_E_NOMEM;
        sl->h = h;
        sl->w0 = kw[0];
        lx->n++;
        filter_set(lx, h);
    }
    lx->tab[i].cls |= cls;
    const char *sp = memchr(w, ' ', n);
    if (sp && sp > w && !(cls & ASY_QL_HEAD)) /* "called for": "called" */
        return asy_qlex_add(lx, ASY_QL_HEAD, w, (size_t)(sp - w));
    return ASSAY_OK;
}

/* Any key: packed into a word array first (the slow path, kept out of
 * line so that the one-word path below needs no array). */
static __attribute__((noinline)) uint32_t
get_packed(const asy_qlex *lx, const char *w, size_t n, size_t room)
{
    uint64_t kw[KEYWORDS];
    size_t nw = pack(w, n, room < n ? n : room, kw);
    return lookup(lx, kw, nw, n);
}

uint32_t asy_qlex_get_in(const asy_qlex *lx, const char *w, size_t n,
                         size_t room)
{
    if (!lx || n == 0 || n >= KEYMAX)
        return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (n <= 8 && room >= 8) { /* most words: one load, one word */
        uint64_t v;
        memcpy(&v, w, 8);
        v = fold8(n == 8 ? v : v & ((1ull << (8 * n)) - 1));
        return lookup(lx, &v, 1, n);
    }
#endif
    return get_packed(lx, w, n, room);
}

uint32_t asy_qlex_get(const asy_qlex *lx, const char *w, size_t n)
{
    return asy_qlex_get_in(lx, w, n, n);
}

uint32_t asy_qlex_get2(const asy_qlex *lx, const char *a, size_t an,
                       const char *b, size_t bn)
{
    char key[KEYMAX];
    if (!lx || an == 0 || bn == 0 || an + bn + 1 >= KEYMAX)
        return 0;
    memcpy(key, a, an);
    key[an] = ' ';
    memcpy(key + an + 1, b, bn);
    return asy_qlex_get(lx, key, an + bn + 1);
}

size_t asy_qlex_count(const asy_qlex *lx)
{
    return lx ? lx->n : 0;
}

/* ===== list format ===================================================== */

static const struct {
    const char *name;
    uint32_t cls;
} SECTIONS[] = {
    {"cue", ASY_QL_CUE},
    {"cue-that", ASY_QL_CUE | ASY_QL_CUE_THAT},
    {"according", ASY_QL_ACCORDING},
    {"title", ASY_QL_TITLE},
    {"modifier", ASY_QL_MODIFIER},
    {"pronoun-male", ASY_QL_PRON_M},
    {"pronoun-female", ASY_QL_PRON_F},
    {"pronoun-neuter", ASY_QL_PRON_N},
    {"pronoun-plural", ASY_QL_PRON_PL},
    {"pronoun-first", ASY_QL_PRON_1},
    {"person-noun", ASY_QL_PERSON},
    {"org", ASY_QL_ORG},
    {"determiner", ASY_QL_DET},
    {"aux", ASY_QL_AUX},
    {"stop", ASY_QL_STOP},
    {"time", ASY_QL_TIME},
    {"female-name", ASY_QL_FEMALE},
    {"male-name", ASY_QL_MALE},
};

static uint32_t section_class(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof SECTIONS / sizeof SECTIONS[0]; i++)
        if (strlen(SECTIONS[i].name) == n && !memcmp(SECTIONS[i].name, s, n))
            return SECTIONS[i].cls;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int bad_line(asy_error *err, int code, const char *name, long long ln,
                    const char *what)
{
    asy_error_set(err, code, "%s", what);
    asy_error_at(err, name, ln, -1);
    asy_error_hint(err, "see plugins/data/quotes/en/README.txt for the "
                        "section names and the entry format");
    return code;
}

/* One trimmed, non-comment line: a section header or an entry. */
static int parse_line(asy_qlex *lx, const char *s, size_t n, uint32_t *cls,
                      const char *name, long long ln, asy_error *err)
{
    if (s[0] == '[') {
        if (n < 3 || s[n - 1] != ']' ||
            !(*cls = section_class(s + 1, n - 2)))
            return bad_line(err, ASSAY_E_PARSE, name, ln, "unknown section");
        return ASSAY_OK;
    }
    if (!*cls)
        return bad_line(err, ASSAY_E_PARSE, name, ln,
                        "entry before any [section]");
    int st = asy_qlex_add(lx, *cls, s, n);
    if (st == ASSAY_E_USAGE)
        return bad_line(err, ASSAY_E_PARSE, name, ln, "entry too long");
    if (st != ASSAY_OK)
        return asy_error_set(err, st, "out of memory");
    return ASSAY_OK;
}

int asy_qlex_parse(asy_qlex *lx, const char *text, size_t len,
                   const char *name, asy_error *err)
{
    uint32_t cls = 0;
    long long ln = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len, b = i;
        i = e + 1;
        ln++;
        while (b < e && is_space(text[b]))
            b++;
        while (e > b && is_space(text[e - 1]))
            e--;
        if (b == e || text[b] == '#')
            continue;
        int st = parse_line(lx, text + b, e - b, &cls, name, ln, err);
        if (st != ASSAY_OK)
            return st;
    }
    return ASSAY_OK;
}

/* ===== model =========================================================== */

asy_qmodel *asy_qmodel_new(void)
{
    asy_qmodel *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->lex = asy_qlex_new();
    m->ab = asy_abbrevs_new();
    if (!m->lex || !m->ab) {
        asy_qmodel_free(m);
        return NULL;
    }
    return m;
}

void asy_qmodel_free(asy_qmodel *m)
{
    if (!m)
        return;
    asy_qlex_free(m->lex);
    asy_abbrevs_free(m->ab);
    free(m);
}
