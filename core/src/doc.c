/*
 * doc.c — the document object, its ordered metadata, and the plain-text
 * header conventions of DESIGN.md ("date YYYY-MM-DD" as first field, or a
 * YAML-style front-matter block of `key: value` lines).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "structure.h"

/* Process-wide so that a view from any freed document can never match a
 * live one, whichever thread created it. */
static atomic_uint_fast64_t next_generation = 1;

/* ==================================================================== */
/* Metadata                                                             */
/* ==================================================================== */

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static asy_meta_entry *find(const asy_meta *m, const char *key)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->items[i].key, key) == 0)
            return &m->items[i];
    return NULL;
}

/* The entry for key, existing (its old string value freed) or appended.
 * NULL when out of memory. */
static asy_meta_entry *slot(asy_meta *m, const char *key)
{
    asy_meta_entry *e = find(m, key);
    if (e) {
        free(e->str);
        e->str = NULL;
        e->len = 0;
        return e;
    }
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        asy_meta_entry *p = realloc(m->items, cap * sizeof *p);
        if (!p)
            return NULL;
        m->items = p;
        m->cap = cap;
    }
    char *k = dupn(key, strlen(key));
    if (!k)
        return NULL;
    e = &m->items[m->n++];
    memset(e, 0, sizeof *e);
    e->key = k;
    return e;
}

int asy_meta_set_string(asy_meta *m, const char *key, const char *val,
                        size_t len)
{
    char *s = dupn(val, len);
    if (!s)
        return -1;
    asy_meta_entry *e = slot(m, key);
    if (!e) {
        free(s);
        return -1;
    }
    e->type = ASY_META_STRING;
    e->str = s;
    e->len = len;
    return 0;
}

static int set_scalar(asy_meta *m, const char *key, asy_meta_type t,
                      int64_t i, double d)
{
    asy_meta_entry *e = slot(m, key);
    if (!e)
        return -1;
    e->type = t;
    e->i = i;
    e->d = d;
    return 0;
}

int asy_meta_set_integer(asy_meta *m, const char *key, int64_t v)
{
    return set_scalar(m, key, ASY_META_INTEGER, v, 0);
}

int asy_meta_set_number(asy_meta *m, const char *key, double v)
{
    return set_scalar(m, key, ASY_META_NUMBER, 0, v);
}

int asy_meta_set_boolean(asy_meta *m, const char *key, int v)
{
    return set_scalar(m, key, ASY_META_BOOLEAN, v != 0, 0);
}

const asy_meta_entry *asy_meta_get(const asy_meta *m, const char *key)
{
    return find(m, key);
}

int asy_meta_remove(asy_meta *m, const char *key)
{
    asy_meta_entry *e = find(m, key);
    if (!e)
        return 0;
    free(e->key);
    free(e->str);
    size_t i = (size_t)(e - m->items);
    memmove(e, e + 1, (m->n - i - 1) * sizeof *e);
    m->n--;
    return 1;
}

void asy_meta_free(asy_meta *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->items[i].key);
        free(m->items[i].str);
    }
    free(m->items);
    m->items = NULL;
    m->n = m->cap = 0;
}

/* ==================================================================== */
/* Document                                                             */
/* ==================================================================== */

asy_doc *asy_doc_new(const char *id, const char *source)
{
    asy_doc *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->id = dupn(id ? id : "", id ? strlen(id) : 0);
    d->source = dupn(source ? source : "", source ? strlen(source) : 0);
    d->text = dupn("", 0);
    if (!d->id || !d->source || !d->text) {
        asy_doc_free(d);
        return NULL;
    }
    d->generation = atomic_fetch_add(&next_generation, 1);
    return d;
}

static void drop_structure(asy_doc *d)
{
    if (d->structure) {
        asy_structure_free(d->structure);
        d->structure = NULL;
    }
}

void asy_doc_take_text(asy_doc *d, char *text, size_t len)
{
    drop_structure(d);
    free(d->text);
    d->text = text;
    d->len = len;
}

void asy_doc_drop_text(asy_doc *d)
{
    drop_structure(d);
    free(d->text);
    d->text = NULL;
}

void asy_doc_free(asy_doc *d)
{
    if (!d)
        return;
    drop_structure(d);
    free(d->id);
    free(d->source);
    free(d->text);
    asy_meta_free(&d->meta);
    free(d);
}

/* ==================================================================== */
/* Plain-text header conventions                                        */
/* ==================================================================== */

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_space(char c)
{
    return is_blank(c) || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Remove the first n bytes of the text in place. */
static void cut_front(asy_doc *d, size_t n)
{
    if (n == 0)
        return;
    drop_structure(d);
    memmove(d->text, d->text + n, d->len - n + 1);
    d->len -= n;
}

/* End of the line starting at p (index of its '\n', or len). */
static size_t line_end(const asy_doc *d, size_t p)
{
    const char *nl = memchr(d->text + p, '\n', d->len - p);
    return nl ? (size_t)(nl - d->text) : d->len;
}

/* Trim spaces/tabs around s[*a..*b). */
static void trim(const char *s, size_t *a, size_t *b)
{
    while (*a < *b && is_blank(s[*a]))
        (*a)++;
    while (*b > *a && is_blank(s[*b - 1]))
        (*b)--;
}

/* One front-matter line "key: value"; malformed lines are ignored, as a
 * YAML list item or comment would be. */
static int fm_line(asy_doc *d, size_t a, size_t b)
{
    const char *s = d->text;
    const char *colon = memchr(s + a, ':', b - a);
    if (!colon || s[a] == '#')
        return 0;
    size_t ka = a, kb = (size_t)(colon - s);
    size_t va = kb + 1, vb = b;
    trim(s, &ka, &kb);
    trim(s, &va, &vb);
    if (ka == kb)
        return 0;
    if (vb - va >= 2 && (s[va] == '"' || s[va] == '\'') && s[vb - 1] == s[va]) {
        va++;
        vb--;
    }
    char key[256];
    size_t kn = kb - ka < sizeof key - 1 ? kb - ka : sizeof key - 1;
    memcpy(key, s + ka, kn);
    key[kn] = '\0';
    return asy_meta_set_string(&d->meta, key, s + va, vb - va);
}

/* A closing "---" or "..." line (trailing blanks allowed). */
static int is_fm_close(const char *s, size_t a, size_t b)
{
    while (b > a && is_blank(s[b - 1]))
        b--;
    return b - a == 3 && (memcmp(s + a, "---", 3) == 0 ||
                          memcmp(s + a, "...", 3) == 0);
}

/* Returns 1 if a front-matter block was parsed and removed, 0 if the text
 * has none (or it is never closed, then it is left as text), -1 OOM. */
static int front_matter(asy_doc *d)
{
    if (d->len < 4 || memcmp(d->text, "---\n", 4) != 0)
        return 0;
    size_t close_at = 0, p = 4;
    while (p < d->len) {
        size_t e = line_end(d, p);
        if (is_fm_close(d->text, p, e)) {
            close_at = p;
            break;
        }
        p = e + 1;
    }
    if (!close_at)
        return 0;
    for (p = 4; p < close_at;) {
        size_t e = line_end(d, p);
        if (fm_line(d, p, e) < 0)
            return -1;
        p = e + 1;
    }
    size_t e = line_end(d, close_at);
    cut_front(d, e < d->len ? e + 1 : e);
    return 1;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* 1 if s[0..10) is a valid calendar date YYYY-MM-DD. */
static int valid_date(const char *s)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = digits(s, 4), m = digits(s + 5, 2), dd = digits(s + 8, 2);
    if (y < 0 || m < 1 || m > 12 || dd < 1 || s[4] != '-' || s[7] != '-')
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && dd == 29)
        return leap;
    return dd <= mdays[m - 1];
}

/* After the date field: if the rest of the line is blank, swallow it and
 * any blank lines that follow, so the text starts at the first content. */
static size_t skip_blank_lines(const asy_doc *d, size_t p)
{
    for (;;) {
        size_t q = p;
        while (q < d->len && (is_blank(d->text[q]) || d->text[q] == '\r'))
            q++;
        if (q < d->len && d->text[q] == '\n')
            p = q + 1;
        else
            return q == d->len ? q : p;
    }
}

/* The "date YYYY-MM-DD" convention. Returns 1 if found and removed. */
static int date_field(asy_doc *d)
{
    const char *s = d->text;
    size_t p = 0;
    while (p < d->len && is_space(s[p]))
        p++;
    if (d->len - p < 5 || memcmp(s + p, "date", 4) != 0 || !is_blank(s[p + 4]))
        return 0;
    size_t q = p + 4;
    while (q < d->len && is_blank(s[q]))
        q++;
    if (d->len - q < 10 || !valid_date(s + q))
        return 0;
    size_t e = q + 10;
    if (e < d->len && !is_space(s[e]))
        return 0; /* "date 2024-07-021" or "2024-07-02x": not the field */
    if (asy_meta_set_string(&d->meta, "date", s + q, 10) < 0)
        return -1;
    while (e < d->len && is_blank(s[e]))
        e++;
    if (e == d->len || s[e] == '\n' || s[e] == '\r')
        e = skip_blank_lines(d, e);
    cut_front(d, e);
    return 1;
}

int asy_doc_parse_header(asy_doc *d)
{
    int r = front_matter(d);
    if (r != 0)
        return r < 0 ? -1 : 0;
    return date_field(d) < 0 ? -1 : 0;
}
