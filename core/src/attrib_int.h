/*
 * attrib_int.h — what the files of quote attribution share: the token
 * array, the working context of one run, and the speaker-phrase and
 * coreference helpers (attrib_coref.c). Internal to attrib*.c.
 */
#ifndef ASY_ATTRIB_INT_H
#define ASY_ATTRIB_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "attrib.h"
#include "quote.h"
#include "wordbreak.h"

enum { TK_WORD, TK_NUM, TK_PUNCT, TK_OTHER };

typedef struct tok {
    size_t s, e;       /* bytes */
    uint32_t cls;      /* lexicon classes (words only) */
    uint32_t cp;       /* first code point */
    long q;            /* outermost quotation holding it, -1 if none */
    size_t sent, para; /* indices */
    uint8_t kind, cap, qmark;
} tok;

typedef struct actx {
    const char *text;
    size_t len;
    const asy_qmodel *m;
    asy_attrib_opts opt;
    tok *t;
    size_t nt, tcap;
    asy_span *sent, *para, *own_para;
    size_t ns, np;
    asy_quotes qs;      /* owned unless borrowed from opt.quotes */
    int own_qs, own_sent;
    size_t *qt0, *qt1;  /* first/last token per quotation; -1 = none/used */
    unsigned char *busy;/* per sentence: holds a direct record */
    asy_attrs *out;
    size_t acap, segcap, ndirect;
    size_t *rtok;       /* per record: speaker's first and last token */
    size_t *names;      /* coreference: the name words' tokens, in order
                           (collected by tokenize, else by the coref step) */
    size_t nnames;
} actx;

/* A speaker/cue match; token indices, (size_t)-1 when absent. */
typedef struct match {
    size_t np0, np1;   /* speaker phrase */
    size_t cue0, cue1; /* cue */
    size_t end;        /* last token of the attribution clause */
    size_t from;       /* floating: the record lending its speaker */
    const char *rule;
    int pron;
} match;

/* A capitalised word that is not a title, determiner or [stop] word: a
 * word of a proper name (coreference). */
static inline int tok_name_word(const tok *t)
{
    return t->kind == TK_WORD && t->cap &&
           !(t->cls & (ASY_QL_TITLE | ASY_QL_DET | ASY_QL_STOP));
}

int at_punct(const actx *c, size_t i, char ch);
/* Token i is the word w (lower case; ASCII case ignored). Inline so that
 * the length of a literal w is known at compile time. */
static inline int tok_is(const actx *c, size_t i, const char *w)
{
    size_t n = strlen(w);
    const tok *t = &c->t[i];
    if (t->e - t->s != n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        char a = c->text[t->s + k];
        if ((a >= 'A' && a <= 'Z' ? a + 32 : a) != w[k])
            return 0;
    }
    return 1;
}
size_t asy_attrib_cue(const actx *c, size_t i);
/* A cue verb at token i (lowercase word outside quotations): its length
 * in tokens (2 for "called for"), or 0. Inline first test: only a word
 * the lexicon lists as a cue or as the head of a two-word cue can be one
 * (the rules ask this of nearly every token). */
static inline size_t cue_at(const actx *c, size_t i)
{
    if (i >= c->nt || !(c->t[i].cls & (ASY_QL_CUE | ASY_QL_HEAD)))
        return 0;
    return asy_attrib_cue(c, i);
}

/* Speaker phrase ending just before token i, starting at or after lo. */
int np_before(const actx *c, size_t i, size_t lo, match *m);
/* Speaker phrase starting at token i. */
int np_after(const actx *c, size_t i, match *m);
/* Canonical names of the records of c->out (in text order). */
int asy_attrib_coref(actx *c);

#endif
