/*
 * structure.c — the lazy per-document cache (structure.h): a table of
 * code-point counts every 256 bytes, so byte -> code-point conversion is
 * one table lookup plus a scan of at most 255 bytes, and the paragraphs.
 * A document is used by one thread at a time, so the cache needs no lock.
 */
#include <stdlib.h>

#include "structure.h"
#include "utf8.h"

#define STEP 256 /* bytes between checkpoints */

struct asy_structure {
    size_t *ckpt;      /* ckpt[i] = code points in text[0 .. i*STEP) */
    size_t nckpt;
    size_t cp_len;
    int have_cp;
    asy_span *paras;
    size_t npara;
    int have_paras;
};

static struct asy_structure *get(asy_doc *d)
{
    if (!d->structure)
        d->structure = calloc(1, sizeof *d->structure);
    return d->structure;
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

void asy_structure_free(struct asy_structure *s)
{
    if (!s)
        return;
    free(s->ckpt);
    free(s->paras);
    free(s);
}
