/*
 * abbrev.c — the word lists behind `news` sentence splitting
 * (sentence.h): abbreviations by class, sentence-starter words and
 * reporting verbs, parsed from plugins/data/abbreviations/<lang>.txt into
 * an open-addressing hash set that is read-only once built.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentence.h"
#include "source.h"
#include "strbuf.h"

typedef struct slot {
    char *word; /* NULL = empty slot */
    size_t len;
    int cls;
} slot;

struct asy_abbrevs {
    slot *v;
    size_t cap; /* power of two */
    size_t n;
};

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

/* The entry's key drops one final ".", so "U.S." and "U.S" match. */
static size_t keylen(const char *w, size_t len)
{
    return len && w[len - 1] == '.' ? len - 1 : len;
}

asy_abbrevs *asy_abbrevs_new(void)
{
    asy_abbrevs *ab = calloc(1, sizeof *ab);
    if (!ab)
        return NULL;
    ab->cap = 256;
    ab->v = calloc(ab->cap, sizeof *ab->v);
    if (!ab->v) {
        free(ab);
        return NULL;
    }
    return ab;
}

void asy_abbrevs_free(asy_abbrevs *ab)
{
    if (!ab)
        return;
    for (size_t i = 0; i < ab->cap; i++)
        free(ab->v[i].word);
    free(ab->v);
    free(ab);
}

static slot *find(const slot *v, size_t cap, const char *w, size_t n)
{
    size_t i = (size_t)hash(w, n) & (cap - 1);
    while (v[i].word && !(v[i].len == n && !memcmp(v[i].word, w, n)))
        i = (i + 1) & (cap - 1);
    return (slot *)&v[i];
}

/* Double the table when it is half full. Returns 0 or -1 (OOM). */
static int grow(asy_abbrevs *ab)
{
    if (ab->n * 2 < ab->cap)
        return 0;
    size_t nc = ab->cap * 2;
    slot *nv = calloc(nc, sizeof *nv);
    if (!nv)
        return -1;
    for (size_t i = 0; i < ab->cap; i++)
        if (ab->v[i].word)
            *find(nv, nc, ab->v[i].word, ab->v[i].len) = ab->v[i];
    free(ab->v);
    ab->v = nv;
    ab->cap = nc;
    return 0;
}

int asy_abbrevs_add(asy_abbrevs *ab, int cls, const char *word, size_t len)
{
    len = keylen(word, len);
    if (!ab || !len || cls <= 0 || cls > 31)
        return ASSAY_E_USAGE;
    if (grow(ab) < 0)
        return ASSAY_E_NOMEM;
    slot *s = find(ab->v, ab->cap, word, len);
    if (!s->word) {
        if (!(s->word = malloc(len + 1)))
            return ASSAY_E_NOMEM;
        memcpy(s->word, word, len);
        s->word[len] = '\0';
        s->len = len;
        ab->n++;
    }
    s->cls |= cls;
    return ASSAY_OK;
}

int asy_abbrevs_lookup(const asy_abbrevs *ab, const char *word, size_t len)
{
    len = keylen(word, len);
    if (!ab || !len)
        return 0;
    const slot *s = find(ab->v, ab->cap, word, len);
    return s->word ? s->cls : 0;
}

size_t asy_abbrevs_count(const asy_abbrevs *ab)
{
    return ab ? ab->n : 0;
}

/* ---- the list syntax ----------------------------------------------- */

static const struct {
    const char *name;
    int cls;
} sections[] = {
    {"never-final", ASY_AB_NEVER_FINAL},
    {"may-end", ASY_AB_MAY_END},
    {"before-number", ASY_AB_BEFORE_NUMBER},
    {"sentence-starters", ASY_AB_STARTER},
    {"reporting-verbs", ASY_AB_REPORTING},
};

static int section_class(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        if (strlen(sections[i].name) == n && !memcmp(sections[i].name, s, n))
            return sections[i].cls;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* One line [a, b): updates *cls on "[section]", adds a word otherwise. */
static int parse_line(asy_abbrevs *ab, const char *t, size_t a, size_t b,
                      int *cls, const char *name, long long line,
                      asy_error *err)
{
    while (a < b && is_space(t[a]))
        a++;
    while (b > a && is_space(t[b - 1]))
        b--;
    if (a == b || t[a] == '#')
        return ASSAY_OK;
    if (t[a] == '[' && t[b - 1] == ']') {
        if ((*cls = section_class(t + a + 1, b - a - 2)))
            return ASSAY_OK;
        asy_error_set(err, ASSAY_E_PARSE, "unknown section '%.*s'",
                      (int)(b - a), t + a);
        asy_error_hint(err, "sections are [never-final] [may-end] "
                            "[before-number] [sentence-starters] "
                            "[reporting-verbs]");
    } else if (!*cls) {
        asy_error_set(err, ASSAY_E_PARSE, "word '%.*s' before any section",
                      (int)(b - a), t + a);
        asy_error_hint(err, "start the list with a line such as [may-end]");
    } else {
        int rc = asy_abbrevs_add(ab, *cls, t + a, b - a);
        if (rc == ASSAY_E_NOMEM)
            return asy_error_set(err, rc, "out of memory loading %s", name);
        return ASSAY_OK; /* a lone "." adds nothing */
    }
    asy_error_at(err, name, line, (long long)a);
    return ASSAY_E_PARSE;
}

int asy_abbrevs_parse(asy_abbrevs *ab, const char *text, size_t len,
                      const char *name, asy_error *err)
{
    int cls = 0, rc = ASSAY_OK;
    long long line = 1;
    if (!ab)
        return asy_error_set(err, ASSAY_E_USAGE, "no word set given");
    for (size_t p = 0; p < len && rc == ASSAY_OK; line++) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) : len;
        rc = parse_line(ab, text, p, e, &cls, name ? name : "(string)",
                        line, err);
        p = e + 1;
    }
    return rc;
}

int asy_abbrevs_load(asy_abbrevs *ab, const char *path, asy_error *err)
{
    asy_buf b = ASY_BUF_INIT;
    int rc = asy_read_file(path, "abbreviation list", &b, err);
    if (rc != ASSAY_OK)
        asy_error_hint(err, "lists live in plugins/data/abbreviations/");
    if (rc == ASSAY_OK)
        rc = asy_abbrevs_parse(ab, b.data ? b.data : "", b.len, path, err);
    asy_buf_free(&b);
    return rc;
}
