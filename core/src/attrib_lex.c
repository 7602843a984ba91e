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

typedef struct slot {
    char key[KEYMAX]; /* lower-cased, NUL-terminated; "" = empty slot */
    uint32_t cls;
    uint32_t h;       /* low bits of the key's hash: most misses stop here */
} slot;

struct asy_qlex {
    slot *tab;
    size_t cap, n; /* cap is a power of two */
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Fold w into buf (NUL-terminated). Returns the length or -1 if too long. */
static int fold(char *buf, const char *w, size_t n)
{
    if (n >= KEYMAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        buf[i] = lower(w[i]);
    buf[n] = 0;
    return (int)n;
}

static slot *find(const asy_qlex *lx, const char *key, size_t n)
{
    size_t mask = lx->cap - 1;
    uint64_t h = hash(key, n);
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot *s = &lx->tab[i];
        if (!s->key[0] || (s->h == (uint32_t)h && !memcmp(s->key, key, n) &&
                           !s->key[n]))
            return s;
    }
}

static int grow(asy_qlex *lx)
{
    size_t ncap = lx->cap ? lx->cap * 2 : 512;
    slot *old = lx->tab, *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    size_t ocap = lx->cap;
    lx->tab = nt;
    lx->cap = ncap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key[0])
            *find(lx, old[i].key, strlen(old[i].key)) = old[i];
    free(old);
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
    free(lx);
}

int asy_qlex_add(asy_qlex *lx, uint32_t cls, const char *w, size_t n)
{
    char key[KEYMAX];
    if (n > 1 && w[n - 1] == '.')
        n--;
    if (n == 0 || fold(key, w, n) < 0)
        return ASSAY_E_USAGE;
    if ((lx->n + 1) * 2 > lx->cap && grow(lx) != 0)
        return ASSAY_E_NOMEM;
    slot *s = find(lx, key, n);
    if (!s->key[0]) {
        memcpy(s->key, key, n + 1);
        s->h = (uint32_t)hash(key, n);
        lx->n++;
    }
    s->cls |= cls;
    const char *sp = memchr(key, ' ', n);
    if (sp && sp > key && !(cls & ASY_QL_HEAD)) /* "called for": "called" */
        return asy_qlex_add(lx, ASY_QL_HEAD, key, (size_t)(sp - key));
    return ASSAY_OK;
}

uint32_t asy_qlex_get(const asy_qlex *lx, const char *w, size_t n)
{
    char key[KEYMAX];
    if (!lx || n == 0 || fold(key, w, n) < 0)
        return 0;
    return find(lx, key, n)->cls;
}

uint32_t asy_qlex_get2(const asy_qlex *lx, const char *a, size_t an,
                       const char *b, size_t bn)
{
    char key[KEYMAX];
    if (!lx || an == 0 || bn == 0 || an + bn + 1 >= KEYMAX)
        return 0;
    fold(key, a, an);
    key[an] = ' ';
    fold(key + an + 1, b, bn);
    return find(lx, key, an + bn + 1)->cls;
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
