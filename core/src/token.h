/*
 * token.h — the word layer shared by doc:words() and counter:add_words():
 * UAX #29 word segments (wordbreak.h) filtered by kind, then normalised
 * (case folding, NFC/NFKC), filtered by a stop-word set and optionally
 * stemmed (Snowball via libstemmer, when assay was built with it). One
 * definition of "a word" for all of assay.
 */
#ifndef ASY_TOKEN_H
#define ASY_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "counter.h"
#include "status.h"
#include "strbuf.h"
#include "wordbreak.h"

enum {
    ASY_TOK_LOWER = 1,   /* Unicode case folding (implies NFC for
                            non-ASCII words) */
    ASY_TOK_NUMBERS = 2, /* asy_tokenize only: also NUMBER segments */
    ASY_TOK_NFC = 4,     /* canonical composition */
    ASY_TOK_NFKC = 8,    /* compatibility composition (ﬁ -> fi, ² -> 2) */
};

typedef struct asy_token {
    size_t start, end;   /* byte offsets, end-exclusive */
    int is_number;       /* kind == ASY_WB_NUMBER */
    size_t cstart, cend; /* code-point offsets, end-exclusive */
    int kind;            /* asy_wb_kind */
} asy_token;

/* ---- stop words --------------------------------------------------------- */

/* A set of words compared after case folding + NFC. Immutable after
 * loading, so one set may be shared read-only between threads. */
typedef struct asy_stopwords asy_stopwords;

asy_stopwords *asy_stopwords_new(void); /* NULL when out of memory */
void asy_stopwords_free(asy_stopwords *sw);
/* Add one word (folded on the way in). ASSAY_OK or ASSAY_E_NOMEM. */
int asy_stopwords_add(asy_stopwords *sw, const char *w, size_t len);
/* One word per line; "#" starts a comment; white space around words is
 * ignored. `name` labels errors. ASSAY_OK or ASSAY_E_NOMEM. */
int asy_stopwords_parse(asy_stopwords *sw, const char *text, size_t len,
                        const char *name, asy_error *err);
/* Read the file at path (ASSAY_E_IO naming it when unreadable). */
int asy_stopwords_load(asy_stopwords *sw, const char *path, asy_error *err);
/* 1 if the already folded word w[0..len) is in the set. */
int asy_stopwords_has(const asy_stopwords *sw, const char *w, size_t len);
size_t asy_stopwords_count(const asy_stopwords *sw);

/* ---- stemming ------------------------------------------------------------ */

/* A Snowball stemmer for one language. Not thread-safe (it owns a
 * buffer): one per thread. */
typedef struct asy_stemmer asy_stemmer;

/* 1 when assay was built with libstemmer and it loads (it is looked for
 * once, on the first call; thread-safe). */
int asy_stemmer_available(void);
/* NULL-terminated list of language names ("english", "french", ...);
 * empty without libstemmer. Static; do not free. */
const char *const *asy_stemmer_languages(void);
/* New stemmer for `lang` (a name from the list, or an ISO code libstemmer
 * knows, such as "en"). NULL with err set: ASSAY_E_USAGE for an unknown
 * language (the message lists the known ones), when built without
 * libstemmer ("this assay was built without libstemmer") or when it does
 * not load ("libstemmer could not be loaded"). */
asy_stemmer *asy_stemmer_new(const char *lang, asy_error *err);
void asy_stemmer_free(asy_stemmer *st);
/* Stem w[0..n) (UTF-8, ideally case-folded). *out is valid until the
 * next call on st. 0, or -1 when out of memory. */
int asy_stemmer_stem(asy_stemmer *st, const char *w, size_t n,
                     const char **out, size_t *outn);

/* ---- options and normalisation ----------------------------------------- */

typedef struct asy_tok_opts {
    unsigned flags;            /* ASY_TOK_LOWER | ASY_TOK_NFC | ASY_TOK_NFKC */
    unsigned kinds;            /* ASY_WB_KIND() mask; 0 = ASY_WB_WORDLIKE */
    asy_stemmer *stem;         /* NULL: no stemming (WORD segments only) */
    const asy_stopwords *stop; /* NULL: no stop words */
    size_t min_length;         /* shortest normalised form kept, in code
                                  points (0 and 1: all) */
} asy_tok_opts;

/* Reusable scratch space for asy_tok_normalise (no allocation per token
 * once warm). Initialise with ASY_TOK_NORM_INIT, free with
 * asy_tok_norm_free. */
typedef struct asy_tok_norm {
    asy_buf buf, alt;
    int32_t *u;
    size_t ucap;
} asy_tok_norm;
#define ASY_TOK_NORM_INIT {ASY_BUF_INIT, ASY_BUF_INIT, NULL, 0}
void asy_tok_norm_free(asy_tok_norm *nm);

/* Normalise the segment s[0..n) of kind `kind` under o: fold/compose,
 * drop stop words (compared on the folded form even without
 * ASY_TOK_LOWER) and short words, stem WORD segments. Returns 1 with
 * *norm and *nlen set (pointing into s or into nm, valid until the next call),
 * 0 when the word is filtered out, -1 when out of memory. */
int asy_tok_normalise(asy_tok_norm *nm, const asy_tok_opts *o,
                      const char *s, size_t n, int kind, const char **norm,
                      size_t *nlen);

/* Call fn for each kept token of text[0..len) (segments whose kind is in
 * o->kinds, normalised as above). fn returns 0 to continue. `norm` is
 * valid during the call only. Returns 0, -1 on OOM, or fn's non-zero
 * result. o may be NULL (words and numbers, unchanged). */
typedef int (*asy_token_fn)(void *ud, const asy_token *t, const char *norm,
                            size_t normlen);
int asy_tokenize_ex(const char *text, size_t len, const asy_tok_opts *o,
                    asy_token_fn fn, void *ud);

/* The counting kernel behind counter:add_words: each kept token of
 * text[0..len) (as asy_tokenize_ex gives them) is added once to `counts`
 * per occurrence and once to `docs` per call (document frequency); either
 * counter may be NULL. Words are counted in a word table (wordtab.h): the
 * counter's own when counts alone go to an unpaired counter (settled when
 * the counter is read), else the text's, moved into the counters at its
 * end. ASCII words are folded and hashed without a copy or utf8proc.
 * *counted gets the number of occurrences (or, with counts NULL, of
 * distinct words). Returns 0 or -1 when out of memory (the counters then
 * hold part of the text's words). */
int asy_tok_count(const char *text, size_t len, const asy_tok_opts *o,
                  asy_counter *counts, asy_counter *docs, size_t *counted);
/* asy_tok_count into one paired counter (counter.h): each occurrence adds
 * 1 to its word's count in c and each distinct word 1 to its document
 * count, in the counter's word table (one probe per occurrence, the
 * document count by the entry's stamp). Makes c paired if it is not.
 * *counted gets the number of occurrences. */
int asy_tok_count_paired(const char *text, size_t len, const asy_tok_opts *o,
                         asy_counter *c, size_t *counted);

/* The original interface: WORD segments (plus NUMBER with
 * ASY_TOK_NUMBERS), case-folded with ASY_TOK_LOWER. */
int asy_tokenize(const char *text, size_t len, int flags, asy_token_fn fn,
                 void *ud);

#endif
