/*
 * test_sentence_litbank.c — scores `news` sentence splitting against the
 * gold sentence boundaries of LitBank (CC BY 4.0; Bamman et al.; the
 * sentence-per-line, PTB-tokenised *_brat.txt files of 100 novels).
 *
 * The gold files are tokenised, so each is detokenised into running text
 * (rules in detok() below) with all its sentences joined by one space —
 * LitBank keeps no paragraph or line layout — and the end offset of every
 * sentence but the last is a gold boundary. The splitter's sentence ends
 * are compared by exact offset: precision, recall, F1 over all texts.
 * A naive baseline (". ! ?" + space + capital) is scored alongside.
 * Set ASSAY_LITBANK_ERRORS=N to print N error contexts of each kind.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sentence.h"
#include "strbuf.h"
#include "testutil.h"

/* The floor asserted below, just under the score reached (see
 * bench/RESULTS.md); a drop means a regression in sentence.c or en.txt. */
#define F1_FLOOR 0.980

/* ---- detokenisation ---------------------------------------------------- */

typedef struct detok {
    asy_buf text;
    size_t *gold; /* end offset of each sentence */
    size_t ngold, capgold;
    int dq, sq, us; /* inside "..." / '...' / _..._ (parity) */
    int glue;       /* no space before the next token */
} detok;

static int is_tok(const char *t, size_t n, const char *lit)
{
    return strlen(lit) == n && !memcmp(t, lit, n);
}

static int starts(const char *t, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && !memcmp(t, lit, k);
}

/* Tokens written against the previous one: closing punctuation, clitics
 * ("n't", "'s", "’ll"), closing quotes; "--" joins both sides. */
static int attach_left(detok *d, const char *t, size_t n)
{
    static const char *const tight[] = {",", ".", ";", ":", "!", "?", ")",
                                        "]", "}", "%", "”", "...", "…",
                                        "--", "—", "n't", "n’t"};
    for (size_t i = 0; i < sizeof tight / sizeof *tight; i++)
        if (is_tok(t, n, tight[i]))
            return 1;
    if (is_tok(t, n, "\""))
        return d->dq;
    if (is_tok(t, n, "'"))
        return d->sq;
    if (is_tok(t, n, "_"))
        return d->us;
    return starts(t, n, "’") || (starts(t, n, "'") && n > 1);
}

/* Tokens after which no space follows: opening marks and "--". */
static int attach_right(detok *d, const char *t, size_t n)
{
    static const char *const open[] = {"(", "[", "{", "“", "‘", "$", "#",
                                       "--", "—"};
    for (size_t i = 0; i < sizeof open / sizeof *open; i++)
        if (is_tok(t, n, open[i]))
            return 1;
    if (is_tok(t, n, "\""))
        return d->dq;
    if (is_tok(t, n, "'"))
        return d->sq;
    if (is_tok(t, n, "_"))
        return d->us;
    return 0;
}

static void put_token(detok *d, const char *t, size_t n)
{
    int left = attach_left(d, t, n);
    if (d->text.len && !d->glue && !left)
        assert_int_equal(asy_buf_putc(&d->text, ' '), 0);
    assert_int_equal(asy_buf_append(&d->text, t, n), 0);
    /* straight quotes and "_" toggle: an opener attaches rightwards */
    if (is_tok(t, n, "\""))
        d->dq = !d->dq;
    else if (is_tok(t, n, "'"))
        d->sq = !d->sq;
    else if (is_tok(t, n, "_"))
        d->us = !d->us;
    d->glue = attach_right(d, t, n);
}

/* A straight quote opening a gold sentence is an opening quote: the
 * tokeniser keeps closing quotes on the sentence they close, so this
 * re-synchronises the parity after a quotation left open in the original
 * (a multi-paragraph quote). */
static void put_line(detok *d, const char *line, size_t n)
{
    if (n && line[0] == '"' && (n == 1 || line[1] == ' '))
        d->dq = 0;
    if (n && line[0] == '\'' && (n == 1 || line[1] == ' '))
        d->sq = 0;
    for (size_t a = 0; a < n;) {
        const char *sp = memchr(line + a, ' ', n - a);
        size_t b = sp ? (size_t)(sp - line) : n;
        if (b > a)
            put_token(d, line + a, b - a);
        a = b + 1;
    }
    if (d->ngold == d->capgold) {
        d->capgold = d->capgold ? d->capgold * 2 : 256;
        d->gold = realloc(d->gold, d->capgold * sizeof *d->gold);
        assert_non_null(d->gold);
    }
    d->gold[d->ngold++] = d->text.len;
}

static void detok_file(detok *d, const char *data, size_t len)
{
    for (size_t p = 0; p < len;) {
        const char *nl = memchr(data + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - data) : len;
        if (e > p)
            put_line(d, data + p, e - p);
        p = e + 1;
    }
}

/* ---- scoring ---------------------------------------------------------- */

typedef struct score {
    long tp, fp, fn;
} score;

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int errors_wanted(void)
{
    const char *e = getenv("ASSAY_LITBANK_ERRORS");
    return e ? atoi(e) : 0;
}

static void show(const char *kind, const char *name, const char *t,
                 size_t len, size_t at)
{
    size_t a = at > 60 ? at - 60 : 0, b = at + 50 < len ? at + 50 : len;
    printf("%s %s: %.*s|%.*s\n", kind, name, (int)(at - a), t + a,
           (int)(b - at), t + at);
}

/* Compare sorted predicted ends with gold ends (text end excluded). */
static void compare(score *s, const char *name, const char *t, size_t len,
                    const size_t *gold, size_t ng, const size_t *pred,
                    size_t np)
{
    static int shown_fp, shown_fn;
    int want = errors_wanted();
    size_t i = 0, j = 0;
    while (i < ng || j < np) {
        if (j >= np || (i < ng && gold[i] < pred[j])) {
            s->fn++;
            if (shown_fn++ < want)
                show("FN", name, t, len, gold[i]);
            i++;
        } else if (i >= ng || pred[j] < gold[i]) {
            s->fp++;
            if (shown_fp++ < want)
                show("FP", name, t, len, pred[j]);
            j++;
        } else {
            s->tp++;
            i++;
            j++;
        }
    }
}

/* The naive baseline: after . ! ? (and closing quotes), a space, then an
 * uppercase ASCII letter or an opening quote. */
static size_t naive(const char *t, size_t len, size_t *ends)
{
    size_t n = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (t[i] != '.' && t[i] != '!' && t[i] != '?')
            continue;
        size_t k = i + 1;
        while (k + 2 < len && !memcmp(t + k, "”", 3))
            k += 3;
        while (k < len && (t[k] == '"' || t[k] == '\''))
            k++;
        if (k + 1 < len && t[k] == ' ' &&
            ((t[k + 1] >= 'A' && t[k + 1] <= 'Z') || t[k + 1] == '"' ||
             !memcmp(t + k + 1, "“", 3)))
            ends[n++] = k;
    }
    return n;
}

static void score_text(const asy_abbrevs *ab, const char *name,
                       const char *data, size_t len, score *news,
                       score *base)
{
    detok d = {ASY_BUF_INIT, NULL, 0, 0, 0, 0, 0, 0};
    detok_file(&d, data, len);
    assert_true(d.ngold > 0);
    const char *t = d.text.data;
    asy_span *sp = NULL;
    size_t ns = 0;
    assert_int_equal(asy_sentences_news(t, d.text.len, ab, &sp, &ns, NULL),
                     ASSAY_OK);
    size_t *ends = malloc((ns + d.text.len / 2 + 1) * sizeof *ends);
    assert_non_null(ends);
    for (size_t i = 0; i < ns; i++)
        ends[i] = sp[i].end;
    size_t ne = ns && ends[ns - 1] == d.text.len ? ns - 1 : ns;
    qsort(ends, ne, sizeof *ends, cmp_size);
    compare(news, name, t, d.text.len, d.gold, d.ngold - 1, ends, ne);
    size_t nb = naive(t, d.text.len, ends);
    compare(base, "(naive)", t, d.text.len, d.gold, d.ngold - 1, ends, nb);
    free(ends);
    free(sp);
    free(d.gold);
    asy_buf_free(&d.text);
}

static double f1(score s, double *p, double *r)
{
    *p = s.tp + s.fp ? (double)s.tp / (double)(s.tp + s.fp) : 0;
    *r = s.tp + s.fn ? (double)s.tp / (double)(s.tp + s.fn) : 0;
    return *p + *r > 0 ? 2 * *p * *r / (*p + *r) : 0;
}

static void report(const char *what, score s)
{
    double p, r, f = f1(s, &p, &r);
    printf("%-6s boundaries: tp %ld fp %ld fn %ld  P %.4f R %.4f F1 %.4f\n",
           what, s.tp, s.fp, s.fn, p, r, f);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted *_brat.txt names in dir (malloc'd array of malloc'd names). */
static char **list_texts(const char *dir, size_t *n)
{
    DIR *dh = opendir(dir);
    char **v = NULL;
    *n = 0;
    if (!dh)
        return NULL;
    for (struct dirent *e; (e = readdir(dh));) {
        if (!ends_with(e->d_name, "_brat.txt"))
            continue;
        v = realloc(v, (*n + 1) * sizeof *v);
        assert_non_null(v);
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(dh);
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void test_litbank_f1(void **st)
{
    (void)st;
    const char *corp = tu_corpora_dir();
    char dir[4096], path[8192];
    if (!corp)
        TU_SKIP("../shared/corpora not found");
    snprintf(dir, sizeof dir, "%s/litbank-quotations/quotations/tsv", corp);
    size_t nt = 0;
    char **names = list_texts(dir, &nt);
    if (!nt)
        TU_SKIP("litbank-quotations not staged");
    asy_abbrevs *ab = asy_abbrevs_new();
    snprintf(path, sizeof path, "%s/plugins/data/abbreviations/en.txt",
             tu_source_dir());
    assert_int_equal(asy_abbrevs_load(ab, path, NULL), ASSAY_OK);
    score news = {0, 0, 0}, base = {0, 0, 0};
    for (size_t i = 0; i < nt; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *data = tu_read(path, &len);
        assert_non_null(data);
        score_text(ab, names[i], data, len, &news, &base);
        free(data);
        free(names[i]);
    }
    free(names);
    asy_abbrevs_free(ab);
    printf("LitBank: %zu texts\n", nt);
    report("news", news);
    report("naive", base);
    double p, r;
    assert_true(f1(news, &p, &r) >= F1_FLOOR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_litbank_f1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
