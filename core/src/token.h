/*
 * token.h — word tokens over UTF-8 text (words, numbers), with an ASCII
 * fast path, for counting kernels. The full UAX #29 segmenter arrives with
 * the text-model work; this tokenizer is the documented interim rule:
 * a word is a maximal run of letters, marks and digits, also joining an
 * apostrophe (' or U+2019) or a period between two letters ("Kazakhstan's",
 * "U.S") and a hyphen between two alphanumerics is NOT joined (so
 * "China-Kazakhstan" is two words).
 */
#ifndef ASY_TOKEN_H
#define ASY_TOKEN_H

#include <stddef.h>

#include "strbuf.h"

enum {
    ASY_TOK_LOWER = 1,   /* Unicode case folding (utf8proc) */
    ASY_TOK_NUMBERS = 2, /* keep tokens made only of digits */
};

typedef struct asy_token {
    size_t start, end; /* byte offsets, end-exclusive */
    int is_number;     /* digits (and , . between digits) only */
} asy_token;

/* Call fn for each token of text[0..len). fn returns 0 to continue.
 * `norm` receives the normalised form (case-folded when ASY_TOK_LOWER);
 * its bytes are valid during the call only. Returns 0, -1 on OOM, or
 * fn's non-zero result. */
typedef int (*asy_token_fn)(void *ud, const asy_token *t, const char *norm,
                            size_t normlen);
int asy_tokenize(const char *text, size_t len, int flags, asy_token_fn fn,
                 void *ud);

#endif
