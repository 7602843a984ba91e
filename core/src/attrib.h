/*
 * attrib.h — quote attribution: from the quotation spans (quote.h), news
 * sentences (sentence.h) and UAX #29 words (wordbreak.h) of one text,
 * find who says what: direct, mixed, indirect, "according to" and
 * floating quotations with their speaker mention, cue verb, canonical
 * speaker name (coreference-lite), rule and confidence.
 *
 * Overview
 * --------
 * A model (asy_qmodel) holds the language data: the word lists of
 * plugins/data/quotes/<lang>/ *.txt (cue verbs, titles, pronouns, nouns,
 * function words, first names) and the abbreviation list of the sentence
 * splitter. It is built once per worker and is read-only afterwards, so it
 * may be shared between threads.
 *
 * asy_attrib_run() finds the records of one text. Offsets are byte
 * offsets into the text, end-exclusive; the Lua binding converts them to
 * code points. A record's span covers a direct quotation with its marks
 * (all its parts for an interrupted quotation "A," she said, "B."; the
 * parts are its segments) or the reported content of an indirect one.
 * The speaker and cue spans are the words as written; `name` is the span
 * of the mention chosen as canonical name (a pronoun resolves to the
 * nearest compatible person before it, "President Xi" to an earlier
 * "Xi Jinping"), with titles stripped. The rules are documented in
 * attrib.c.
 */
#ifndef ASY_ATTRIB_H
#define ASY_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "quote.h"
#include "segment.h"
#include "sentence.h"
#include "status.h"
#include "wordbreak.h"

/* Word classes of the model's lexicon (bits; a word may have several). */
enum {
    ASY_QL_CUE = 1u << 0,        /* speech verb form: "said" */
    ASY_QL_CUE_THAT = 1u << 1,   /* usually followed by a that-clause */
    ASY_QL_ACCORDING = 1u << 2,  /* "according" (to X) */
    ASY_QL_TITLE = 1u << 3,      /* "President" */
    ASY_QL_MODIFIER = 1u << 4,   /* "former", "Chinese" before a title */
    ASY_QL_PRON_M = 1u << 5,
    ASY_QL_PRON_F = 1u << 6,
    ASY_QL_PRON_N = 1u << 7,
    ASY_QL_PRON_PL = 1u << 8,
    ASY_QL_PRON_1 = 1u << 9,
    ASY_QL_PERSON = 1u << 10,    /* "spokesman", "officials" */
    ASY_QL_ORG = 1u << 11,       /* "Post", "Committee" */
    ASY_QL_DET = 1u << 12,       /* "the", "his" */
    ASY_QL_AUX = 1u << 13,       /* "also", "has" between speaker and cue */
    ASY_QL_STOP = 1u << 14,      /* ends a speaker phrase: "that", "in" */
    ASY_QL_TIME = 1u << 15,      /* "Monday" after a cue */
    ASY_QL_FEMALE = 1u << 16,    /* first names */
    ASY_QL_MALE = 1u << 17,
    ASY_QL_HEAD = 1u << 31       /* first word of a two-word entry (set
                                    by asy_qlex_add, not a list section) */
};
#define ASY_QL_PRONOUN                                                     \
    (ASY_QL_PRON_M | ASY_QL_PRON_F | ASY_QL_PRON_N | ASY_QL_PRON_PL |      \
     ASY_QL_PRON_1)

typedef struct asy_qlex asy_qlex;

/* Lexicon: lower-cased (ASCII case folding) words and two-word phrases
 * mapped to class bits. Read-only lookups are thread-safe. */
asy_qlex *asy_qlex_new(void);
void asy_qlex_free(asy_qlex *lx);
/* Add one entry (word or "w1 w2"; a final "." dropped) to classes cls.
 * ASSAY_OK, ASSAY_E_USAGE (empty or longer than 63 bytes), ASSAY_E_NOMEM. */
int asy_qlex_add(asy_qlex *lx, uint32_t cls, const char *w, size_t n);
/* Parse the list format of plugins/data/quotes/en/README.txt. `name`
 * labels errors. ASSAY_OK, ASSAY_E_PARSE (unknown section, entry before a
 * section: err names the line), ASSAY_E_NOMEM. */
int asy_qlex_parse(asy_qlex *lx, const char *text, size_t len,
                   const char *name, asy_error *err);
/* Class bits of w[0..n) (ASCII case ignored), 0 when absent. */
uint32_t asy_qlex_get(const asy_qlex *lx, const char *w, size_t n);
/* The same, when room >= n bytes may be read at w (a word inside a
 * longer text): the key is then loaded eight bytes at a time. */
uint32_t asy_qlex_get_in(const asy_qlex *lx, const char *w, size_t n,
                         size_t room);
/* Class bits of the phrase "a b" (both given separately), 0 if absent. */
uint32_t asy_qlex_get2(const asy_qlex *lx, const char *a, size_t an,
                       const char *b, size_t bn);
size_t asy_qlex_count(const asy_qlex *lx);

/* A model: lexicon plus sentence abbreviations. Both owned. */
typedef struct asy_qmodel {
    asy_qlex *lex;
    asy_abbrevs *ab;
} asy_qmodel;

/* New empty model; NULL when out of memory. */
asy_qmodel *asy_qmodel_new(void);
void asy_qmodel_free(asy_qmodel *m);

typedef enum asy_attr_type {
    ASY_ATTR_DIRECT = 0,
    ASY_ATTR_MIXED,
    ASY_ATTR_INDIRECT,
    ASY_ATTR_ACCORDING,
    ASY_ATTR_FLOATING
} asy_attr_type;

/* "direct", "mixed", "indirect", "according_to", "floating". */
const char *asy_attr_type_name(asy_attr_type t);

#define ASY_ATTR_NONE ((size_t)-1) /* an absent span's start and end */

typedef struct asy_attr {
    asy_attr_type type;
    size_t start, end;          /* the record's span */
    size_t seg, nseg;           /* its parts in asy_attrs.seg */
    size_t spk_start, spk_end;  /* speaker mention, or ASY_ATTR_NONE */
    size_t name_start, name_end;/* canonical name, or ASY_ATTR_NONE */
    size_t words;               /* word and number tokens in its parts */
    size_t cue_start, cue_end;  /* cue, or ASY_ATTR_NONE */
    const char *rule;           /* static string naming the rule */
    double confidence;          /* 0..1, see attrib.c */
    int closed;                 /* 0: a quotation without closing mark */
} asy_attr;

typedef struct asy_attrs {
    asy_attr *a;   /* in text order; malloc'd (NULL when n == 0) */
    size_t n;
    asy_span *seg; /* grouped by record */
    size_t nseg;
} asy_attrs;

typedef struct asy_attrib_opts {
    int indirect;        /* 1 (default): also indirect and according_to */
    int floating;        /* 1 (default): attribute uncued quotations */
    double min_confidence; /* drop records below (default 0) */
    const asy_span *paras; /* paragraph spans, NULL = compute */
    size_t npara;
    /* Structure already computed for the text (structure.h's document
     * cache): borrowed, NULL = compute here. words: the ASY_WB_NOSPACE
     * segments; sents: news sentences of each paragraph with the model's
     * abbreviations; quotes: the scan with default options over paras. */
    const asy_wb_seg *words;
    size_t nwords;
    const asy_span *sents;
    size_t nsent;
    const asy_quotes *quotes;
} asy_attrib_opts;

void asy_attrib_opts_init(asy_attrib_opts *o);

/* Attribute the quotations of text[0..len) (valid UTF-8) with model m
 * (not NULL). o may be NULL for the defaults. On success fills *out
 * (caller frees with asy_attrs_free) and returns ASSAY_OK; errors:
 * ASSAY_E_NOMEM, ASSAY_E_USAGE (o->words run past the text) (*out
 * empty). Linear in the text apart from the
 * bounded look-backs of the coreference step; thread-safe. */
int asy_attrib_run(const char *text, size_t len, const asy_qmodel *m,
                   const asy_attrib_opts *o, asy_attrs *out,
                   asy_error *err);

void asy_attrs_free(asy_attrs *r);

#endif
