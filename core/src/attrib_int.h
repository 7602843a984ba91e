/*
 * attrib_int.h — what the files of quote attribution share: the token
 * array, the working context of one run, and the speaker-phrase and
 * coreference helpers (attrib_coref.c). Internal to attrib*.c.
 */
#ifndef ASY_ATTRIB_INT_H
#define ASY_ATTRIB_INT_H

#include <stddef.h>
#include <stdint.h>

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

int at_punct(const actx *c, size_t i, char ch);
int tok_is(const actx *c, size_t i, const char *w);
size_t cue_at(const actx *c, size_t i);

/* Speaker phrase ending just before token i, starting at or after lo. */
int np_before(const actx *c, size_t i, size_t lo, match *m);
/* Speaker phrase starting at token i. */
int np_after(const actx *c, size_t i, match *m);
/* Canonical names of the records of c->out (in text order). */
int asy_attrib_coref(actx *c);

#endif
