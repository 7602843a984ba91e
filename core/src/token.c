/*
 * token.c — the word layer of token.h: UAX #29 segments from wordbreak.c,
 * normalised with utf8proc into reusable buffers (ASCII words take a
 * byte-loop fast path; no allocation per token once the buffers are
 * warm), stop words in an asy_counter used as a set, and Snowball
 * stemming through libstemmer when the build found its header
 * (ASSAY_HAVE_STEMMER). libstemmer is loaded (dlopen) when a stemmer is
 * first asked for, not linked: linked, its relocations cost every run
 * 0.26 ms of start-up, and few runs stem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#ifdef ASSAY_HAVE_STEMMER
#include <libstemmer.h>
#include <pthread.h>
#endif

#include "ascii8.h"
#include "counter.h"
#include "dynlib.h"
#include "source.h"
#include "token.h"

/* ===================================================================== */
/* Normalisation                                                         */
/* ===================================================================== */

void asy_tok_norm_free(asy_tok_norm *nm)
{
    asy_buf_free(&nm->buf);
    asy_buf_free(&nm->alt);
    free(nm->u);
    nm->u = NULL;
    nm->ucap = 0;
}

/* Copy s[0..n) to out lowering A-Z, 8 bytes at a time (out has room for n
 * rounded up to 8). Returns 0, or 1 when s is not all ASCII (out is then
 * garbage). *changed is set when some byte was upper case. */
static int fold_ascii(char *out, const char *s, size_t n, int *changed)
{
    uint64_t hi = 0, diff = 0, v, w;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&v, s + i, 8);
        w = asy_lower8(v);
        hi |= v;
        diff |= v ^ w;
        memcpy(out + i, &w, 8);
    }
    if (i < n) {
        v = 0;
        memcpy(&v, s + i, n - i);
        w = asy_lower8(v);
        hi |= v;
        diff |= v ^ w;
        memcpy(out + i, &w, 8);
    }
    *changed = diff != 0;
    return (hi & ASY_HIGH) != 0;
}

/* 1 if s[0..n) is all ASCII; *upper set when it has an A-Z. */
static int ascii(const char *s, size_t n, int *upper)
{
    unsigned char any = 0;
    int up = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        any |= c;
        up |= (unsigned)(c - 'A') < 26u;
    }
    *upper = up;
    return any < 0x80;
}

static int lower_ascii(asy_buf *out, const char *s, size_t n)
{
    int changed;
    if (asy_buf_reserve(out, (n | 7) + 1) < 0)
        return -1;
    fold_ascii(out->data, s, n, &changed);
    out->len = n;
    out->data[n] = '\0';
    return 0;
}

/* utf8proc options for flags (0 when nothing changes the text). */
static int uoptions(unsigned flags)
{
    int o = 0;
    if (flags & ASY_TOK_LOWER)
        o |= UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE;
    if (flags & (ASY_TOK_NFC | ASY_TOK_NFKC))
        o |= UTF8PROC_COMPOSE;
    if (flags & ASY_TOK_NFKC)
        o |= UTF8PROC_COMPAT;
    return o ? o | UTF8PROC_STABLE : 0;
}

/* Full normalisation of non-ASCII s[0..n) into out: decompose into the
 * reusable code-point buffer (growing it when utf8proc asks for more),
 * then compose and re-encode in place, as utf8proc_map does but without
 * its allocation. Malformed input is copied unchanged. */
static int map_unicode(asy_tok_norm *nm, asy_buf *out, const char *s,
                       size_t n, int opts)
{
    const utf8proc_uint8_t *u8 = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t m;
    for (;;) {
        m = utf8proc_decompose(u8, (utf8proc_ssize_t)n, nm->u,
                               (utf8proc_ssize_t)nm->ucap, opts);
        if (m < 0) {
            asy_buf_clear(out);
            return asy_buf_append(out, s, n);
        }
        if ((size_t)m + 1 <= nm->ucap)
            break;
        size_t cap = (size_t)m + 1 > 2 * nm->ucap ? (size_t)m + 1 : 2 * nm->ucap;
        int32_t *u = realloc(nm->u, cap * sizeof *u);
        if (!u)
            return -1;
        nm->u = u;
        nm->ucap = cap;
    }
    m = utf8proc_reencode(nm->u, m, opts);
    asy_buf_clear(out);
    if (m < 0)
        return asy_buf_append(out, s, n);
    return asy_buf_append(out, nm->u, (size_t)m);
}

/* s[0..n) under flags into out; *same = 1 when unchanged (out unused). */
static int apply(asy_tok_norm *nm, asy_buf *out, unsigned flags,
                 const char *s, size_t n, int *same)
{
    int upper, opts = uoptions(flags);
    *same = 0;
    if (!opts) {
        *same = 1;
        return 0;
    }
    if (ascii(s, n, &upper)) {
        if (!(flags & ASY_TOK_LOWER) || !upper) {
            *same = 1;
            return 0;
        }
        return lower_ascii(out, s, n);
    }
    return map_unicode(nm, out, s, n, opts);
}

static size_t cp_count(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Is s[0..n) (normalised under o) a stop word? Without ASY_TOK_LOWER the
 * folded form is computed in nm->alt for the lookup. -1 on OOM. */
static int stopped(asy_tok_norm *nm, const asy_tok_opts *o, const char *s,
                   size_t n)
{
    if (o->flags & ASY_TOK_LOWER)
        return asy_stopwords_has(o->stop, s, n);
    int same;
    if (apply(nm, &nm->alt, ASY_TOK_LOWER, s, n, &same) < 0)
        return -1;
    return same ? asy_stopwords_has(o->stop, s, n)
                : asy_stopwords_has(o->stop, nm->alt.data, nm->alt.len);
}

int asy_tok_normalise(asy_tok_norm *nm, const asy_tok_opts *o,
                      const char *s, size_t n, int kind, const char **norm,
                      size_t *nlen)
{
    int same;
    if (apply(nm, &nm->buf, o->flags, s, n, &same) < 0)
        return -1;
    if (!same) {
        s = nm->buf.data;
        n = nm->buf.len;
    }
    if (o->min_length > 1 && (n < o->min_length || /* bytes >= code points */
                              cp_count(s, n) < o->min_length))
        return 0;
    if (o->stop) {
        int r = stopped(nm, o, s, n);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    if (o->stem && kind == ASY_WB_WORD &&
        asy_stemmer_stem(o->stem, s, n, &s, &n) < 0)
        return -1;
    *norm = s;
    *nlen = n;
    return 1;
}

/* ===================================================================== */
/* Driver                                                                */
/* ===================================================================== */

#define FILL 64 /* segments fetched per asy_wb_fill call */

int asy_tokenize_ex(const char *text, size_t len, const asy_tok_opts *o,
                    asy_token_fn fn, void *ud)
{
    static const asy_tok_opts none = {0, 0, NULL, NULL, 0};
    if (!o)
        o = &none;
    asy_wb_iter it;
    asy_wb_seg seg[FILL];
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    int rc = 0;
    size_t got;
    asy_wb_init(&it, text, len, o->kinds ? o->kinds : ASY_WB_WORDLIKE);
    while (rc == 0 && (got = asy_wb_fill(&it, seg, FILL)) > 0) {
        for (size_t i = 0; i < got && rc == 0; i++) {
            const char *norm;
            size_t nlen;
            int r = asy_tok_normalise(&nm, o, text + seg[i].start,
                                      seg[i].end - seg[i].start,
                                      (int)seg[i].kind, &norm, &nlen);
            if (r < 0) {
                rc = -1;
                break;
            }
            if (r == 0)
                continue;
            asy_token t = {seg[i].start, seg[i].end,
                           seg[i].kind == ASY_WB_NUMBER, seg[i].cstart,
                           seg[i].cend, (int)seg[i].kind};
            rc = fn(ud, &t, norm, nlen);
        }
    }
    asy_tok_norm_free(&nm);
    return rc;
}

int asy_tokenize(const char *text, size_t len, int flags, asy_token_fn fn,
                 void *ud)
{
    asy_tok_opts o = {(unsigned)flags & ASY_TOK_LOWER,
                      ASY_WB_KIND(ASY_WB_WORD) |
                          (flags & ASY_TOK_NUMBERS ? ASY_WB_KIND(ASY_WB_NUMBER)
                                                   : 0),
                      NULL, NULL, 0};
    return asy_tokenize_ex(text, len, &o, fn, ud);
}

/* ===================================================================== */
/* Stop words                                                            */
/* ===================================================================== */

struct asy_stopwords {
    asy_counter *set;
};

asy_stopwords *asy_stopwords_new(void)
{
    asy_stopwords *sw = malloc(sizeof *sw);
    if (sw && !(sw->set = asy_counter_new())) {
        free(sw);
        return NULL;
    }
    return sw;
}

void asy_stopwords_free(asy_stopwords *sw)
{
    if (!sw)
        return;
    asy_counter_free(sw->set);
    free(sw);
}

int asy_stopwords_add(asy_stopwords *sw, const char *w, size_t len)
{
    asy_tok_norm nm = ASY_TOK_NORM_INIT;
    int same, rc = apply(&nm, &nm.buf, ASY_TOK_LOWER, w, len, &same);
    if (rc == 0 && asy_counter_get(sw->set, same ? w : nm.buf.data,
                                   same ? len : nm.buf.len) == 0)
        rc = asy_counter_add(sw->set, same ? w : nm.buf.data,
                             same ? len : nm.buf.len, 1);
    asy_tok_norm_free(&nm);
    return rc < 0 ? ASSAY_E_NOMEM : ASSAY_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int asy_stopwords_parse(asy_stopwords *sw, const char *text, size_t len,
                        const char *name, asy_error *err)
{
    size_t line = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len, a = i, b;
        const char *hash = memchr(text + i, '#', e - i);
        b = hash ? (size_t)(hash - text) : e;
        line++;
        while (a < b && is_space(text[a]))
            a++;
        while (b > a && is_space(text[b - 1]))
            b--;
        if (b > a && asy_stopwords_add(sw, text + a, b - a) != ASSAY_OK) {
            asy_error_set(err, ASSAY_E_NOMEM, "out of memory reading "
                          "stop words");
            asy_error_at(err, name, (long long)line, -1);
            return ASSAY_E_NOMEM;
        }
        i = e + 1;
    }
    return ASSAY_OK;
}

int asy_stopwords_load(asy_stopwords *sw, const char *path, asy_error *err)
{
    asy_buf b = ASY_BUF_INIT;
    int rc = asy_read_file(path, "stop-word list", &b, err);
    if (rc != ASSAY_OK)
        asy_error_hint(err, "bundled lists live in plugins/stopwords/");
    if (rc == ASSAY_OK)
        rc = asy_stopwords_parse(sw, b.data ? b.data : "", b.len, path, err);
    asy_buf_free(&b);
    return rc;
}

int asy_stopwords_has(const asy_stopwords *sw, const char *w, size_t len)
{
    return sw && asy_counter_get(sw->set, w, len) != 0;
}

size_t asy_stopwords_count(const asy_stopwords *sw)
{
    return sw ? asy_counter_size(sw->set) : 0;
}

/* ===================================================================== */
/* Stemming                                                              */
/* ===================================================================== */

#ifdef ASSAY_HAVE_STEMMER

struct asy_stemmer {
    struct sb_stemmer *sb;
};

/* libstemmer's functions, loaded once on first want: their types from
 * its header (typeof does not refer to the symbols, so nothing links). */
static struct {
    __typeof__(&sb_stemmer_list) list;
    __typeof__(&sb_stemmer_new) make;
    __typeof__(&sb_stemmer_delete) drop;
    __typeof__(&sb_stemmer_stem) stem;
    __typeof__(&sb_stemmer_length) length;
} sb;
static int sb_ok;         /* written once, under sb_once */
static char sb_why[256];  /* why it did not load, for the message */
static pthread_once_t sb_once = PTHREAD_ONCE_INIT;

static void load_stemmer(void)
{
    /* Debian's soname, the usual one, then the development link */
    static const char *const names[] = {"libstemmer.so.0d", "libstemmer.so.0",
                                        "libstemmer.so"};
    static const char *const syms[] = {"sb_stemmer_list", "sb_stemmer_new",
                                       "sb_stemmer_delete", "sb_stemmer_stem",
                                       "sb_stemmer_length"};
    void *f[sizeof syms / sizeof *syms];
    if (!asy_dynlib_load(names, sizeof names / sizeof *names, syms,
                         sizeof f / sizeof *f, f, NULL, sb_why,
                         sizeof sb_why))
        return;
    sb.list = (__typeof__(sb.list))f[0];
    sb.make = (__typeof__(sb.make))f[1];
    sb.drop = (__typeof__(sb.drop))f[2];
    sb.stem = (__typeof__(sb.stem))f[3];
    sb.length = (__typeof__(sb.length))f[4];
    sb_ok = 1;
}

int asy_stemmer_available(void)
{
    pthread_once(&sb_once, load_stemmer);
    return sb_ok;
}

const char *const *asy_stemmer_languages(void)
{
    static const char *const none[] = {NULL};
    if (!asy_stemmer_available())
        return none;
    return (const char *const *)sb.list();
}

/* "danish, dutch, ..." into buf, for the unknown-language message. */
static void list_languages(char *buf, size_t size)
{
    const char *const *l = asy_stemmer_languages();
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; l[i] && used + 1 < size; i++) {
        int k = snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                         l[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

asy_stemmer *asy_stemmer_new(const char *lang, asy_error *err)
{
    if (!asy_stemmer_available()) {
        asy_error_set(err, ASSAY_E_USAGE, "cannot stem '%s': libstemmer "
                      "could not be loaded (%s)", lang, sb_why);
        asy_error_hint(err, "install libstemmer (Debian: libstemmer0d)");
        return NULL;
    }
    asy_stemmer *st = malloc(sizeof *st);
    if (!st) {
        asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        return NULL;
    }
    st->sb = sb.make(lang, "UTF_8");
    if (!st->sb) {
        char langs[400];
        free(st);
        list_languages(langs, sizeof langs);
        asy_error_set(err, ASSAY_E_USAGE, "no stemmer for language '%s'",
                      lang);
        asy_error_hint(err, "libstemmer knows: %s", langs);
        return NULL;
    }
    return st;
}

void asy_stemmer_free(asy_stemmer *st)
{
    if (!st)
        return;
    sb.drop(st->sb);
    free(st);
}

int asy_stemmer_stem(asy_stemmer *st, const char *w, size_t n,
                     const char **out, size_t *outn)
{
    if (n > (size_t)1 << 30) { /* libstemmer takes an int */
        *out = w;
        *outn = n;
        return 0;
    }
    const sb_symbol *r = sb.stem(st->sb, (const sb_symbol *)w, (int)n);
    if (!r)
        return -1;
    *out = (const char *)r;
    *outn = (size_t)sb.length(st->sb);
    return 0;
}

#else /* built without libstemmer */

struct asy_stemmer {
    int unused;
};

int asy_stemmer_available(void)
{
    return 0;
}

const char *const *asy_stemmer_languages(void)
{
    static const char *const none[] = {NULL};
    return none;
}

asy_stemmer *asy_stemmer_new(const char *lang, asy_error *err)
{
    asy_error_set(err, ASSAY_E_USAGE, "cannot stem '%s': this assay was "
                  "built without libstemmer", lang);
    asy_error_hint(err, "install libstemmer-dev and rebuild");
    return NULL;
}

void asy_stemmer_free(asy_stemmer *st)
{
    free(st);
}

int asy_stemmer_stem(asy_stemmer *st, const char *w, size_t n,
                     const char **out, size_t *outn)
{
    (void)st;
    *out = w;
    *outn = n;
    return 0;
}

#endif
