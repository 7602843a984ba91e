/*
 * structure.c — the lazy per-document cache (structure.h): a table of
 * code-point counts every 256 bytes, so byte -> code-point conversion is
 * one table lookup plus a scan of at most 255 bytes, and the text model
 * (words, paragraphs, sentences, sections, quotations), each built by its
 * own module on first request. Everything here is derived from the text,
 * so a failed build leaves the entry unset and the next request retries.
 */
#include <stdlib.h>

#include "sentbreak.h"
#include "structure.h"
#include "utf8.h"

#define STEP 256 /* bytes between checkpoints */

struct asy_structure {
    size_t *ckpt; /* ckpt[i] = code points in text[0 .. i*STEP) */
    size_t nckpt;
    size_t cp_len;
    int have_cp;
    asy_span *paras;
    size_t npara;
    int have_paras;
    asy_wb_seg *words;
    size_t nwords;
    int have_words;
    asy_span *sent[2]; /* by asy_sent_mode */
    size_t nsent[2];
    int have_sent[2];
    asy_section *secs;
    size_t nsec;
    int have_secs;
    asy_quotes quotes;
    int have_quotes;
};

static struct asy_structure *get(asy_doc *d)
{
    if (!d->structure)
        d->structure = calloc(1, sizeof *d->structure);
    return d->structure;
}

static int nomem(asy_error *err, asy_doc *d, const char *what)
{
    asy_error_set(err, ASSAY_E_NOMEM, "out of memory finding %s", what);
    asy_error_doc(err, d->id);
    return ASSAY_E_NOMEM;
}

/* Build the checkpoint table. Returns 0, -1 when out of memory. */
static int build_cp(asy_doc *d, struct asy_structure *s)
{
    size_t n = d->len / STEP + 1;
    size_t *t = malloc(n * sizeof *t);
    if (!t)
        return -1;
    size_t c = 0;
    t[0] = 0;
    for (size_t i = 1; i < n; i++) {
        c += asy_utf8_count(d->text + (i - 1) * STEP, STEP);
        t[i] = c;
    }
    size_t tail = (n - 1) * STEP;
    s->cp_len = c + asy_utf8_count(d->text + tail, d->len - tail);
    s->ckpt = t;
    s->nckpt = n;
    s->have_cp = 1;
    return 0;
}

static struct asy_structure *with_cp(asy_doc *d)
{
    struct asy_structure *s = get(d);
    if (s && !s->have_cp && build_cp(d, s) < 0)
        return NULL;
    return s;
}

size_t asy_doc_cp_offset(asy_doc *d, size_t b)
{
    if (b > d->len)
        b = d->len;
    struct asy_structure *s = with_cp(d);
    if (!s) /* out of memory: still correct, just linear */
        return asy_utf8_count(d->text, b);
    size_t i = b / STEP;
    return s->ckpt[i] + asy_utf8_count(d->text + i * STEP, b - i * STEP);
}

size_t asy_doc_cp_length(asy_doc *d)
{
    struct asy_structure *s = with_cp(d);
    return s ? s->cp_len : asy_utf8_count(d->text, d->len);
}

int asy_doc_paragraphs(asy_doc *d, const asy_span **spans, size_t *n)
{
    struct asy_structure *s = get(d);
    if (s && !s->have_paras &&
        asy_paragraphs(d->text, d->len, &s->paras, &s->npara) == 0)
        s->have_paras = 1;
    if (!s || !s->have_paras) {
        *spans = NULL;
        *n = 0;
        return -1;
    }
    *spans = s->paras;
    *n = s->npara;
    return 0;
}

int asy_doc_words(asy_doc *d, const asy_wb_seg **segs, size_t *n,
                  asy_error *err)
{
    struct asy_structure *s = get(d);
    *segs = NULL;
    *n = 0;
    if (!s)
        return nomem(err, d, "words");
    if (!s->have_words) {
        if (asy_wb_segments(d->text, d->len, ASY_WB_NOSPACE, &s->words,
                            &s->nwords) < 0)
            return nomem(err, d, "words");
        s->have_words = 1;
    }
    *segs = s->words;
    *n = s->nwords;
    return ASSAY_OK;
}

/* News sentences: each cached paragraph split on its own. */
static int news(asy_doc *d, const asy_abbrevs *ab, asy_span **out,
                size_t *n, asy_error *err)
{
    const asy_span *p;
    size_t np, cap = 0;
    int rc = ASSAY_OK;
    *out = NULL;
    *n = 0;
    if (asy_doc_paragraphs(d, &p, &np) < 0)
        return nomem(err, d, "paragraphs");
    for (size_t i = 0; i < np && rc == ASSAY_OK; i++)
        rc = asy_sentences_news_range(d->text, p[i].start, p[i].end, ab, out,
                                      n, &cap, err);
    if (rc != ASSAY_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int asy_doc_sentences(asy_doc *d, asy_sent_mode mode, const asy_abbrevs *ab,
                      const asy_span **spans, size_t *n, asy_error *err)
{
    struct asy_structure *s = get(d);
    *spans = NULL;
    *n = 0;
    if (mode != ASY_SENT_NEWS && mode != ASY_SENT_UNICODE)
        return asy_error_set(err, ASSAY_E_USAGE, "unknown sentence mode %d",
                             (int)mode);
    if (!s)
        return nomem(err, d, "sentences");
    if (!s->have_sent[mode]) {
        int rc = mode == ASY_SENT_NEWS
                     ? news(d, ab, &s->sent[mode], &s->nsent[mode], err)
                     : asy_sb_sentences(d->text, d->len, ASY_SB_TRIM,
                                        &s->sent[mode], &s->nsent[mode]);
        if (rc != 0) /* news: an assay_status with err set; unicode: -1 */
            return mode == ASY_SENT_NEWS ? rc : nomem(err, d, "sentences");
        s->have_sent[mode] = 1;
    }
    *spans = s->sent[mode];
    *n = s->nsent[mode];
    return ASSAY_OK;
}

int asy_doc_sections(asy_doc *d, const asy_section **secs, size_t *n,
                     asy_error *err)
{
    struct asy_structure *s = get(d);
    const asy_span *p;
    size_t np;
    *secs = NULL;
    *n = 0;
    if (!s || asy_doc_paragraphs(d, &p, &np) < 0)
        return nomem(err, d, "sections");
    if (!s->have_secs) {
        if (asy_sections(d->text, p, np, &s->secs, &s->nsec) < 0)
            return nomem(err, d, "sections");
        s->have_secs = 1;
    }
    *secs = s->secs;
    *n = s->nsec;
    return ASSAY_OK;
}

int asy_doc_quotations(asy_doc *d, const asy_quotes **q, asy_error *err)
{
    struct asy_structure *s = get(d);
    const asy_span *p;
    size_t np;
    *q = NULL;
    if (!s || asy_doc_paragraphs(d, &p, &np) < 0)
        return nomem(err, d, "quotations");
    if (!s->have_quotes) {
        asy_quote_opts o;
        asy_quote_opts_init(&o);
        o.paras = p;
        o.npara = np;
        int rc = asy_quotes_scan(d->text, d->len, &o, &s->quotes, err);
        if (rc != ASSAY_OK) {
            asy_error_doc(err, d->id);
            return rc;
        }
        s->have_quotes = 1;
    }
    *q = &s->quotes;
    return ASSAY_OK;
}

void asy_structure_free(struct asy_structure *s)
{
    if (!s)
        return;
    free(s->ckpt);
    free(s->paras);
    free(s->words);
    free(s->sent[0]);
    free(s->sent[1]);
    free(s->secs);
    asy_quotes_free(&s->quotes);
    free(s);
}
