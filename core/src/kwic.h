/*
 * kwic.h — keyword in context: match a pattern (words, globs, phrases)
 * against a document's word stream and return each hit with a context
 * window counted in words, as byte offsets into the text.
 *
 * Pattern syntax: alternatives separated by "|" or ","; an alternative is
 * one or more words separated by spaces (a phrase: "belt and road"); a
 * word is matched exactly or as a glob ("energ*", "*ism", "colo?r": "*"
 * any run of characters, "?" one character). Matching is on the
 * normalised (case-folded) words, so patterns are case-insensitive when
 * the stream is folded; the pattern is folded the same way.
 */
#ifndef ASY_KWIC_H
#define ASY_KWIC_H

#include <stddef.h>

#include "ngram.h"
#include "status.h"

typedef struct asy_kwic_pat asy_kwic_pat;

/* Compile spec[0..len). fold != 0 folds pattern words (use it when the
 * stream was built with ASY_WS_LOWER). Returns ASSAY_OK, ASSAY_E_USAGE
 * (empty pattern or alternative; err says which) or ASSAY_E_NOMEM.
 * Ownership: free *out with asy_kwic_free. */
int asy_kwic_compile(const char *spec, size_t len, int fold,
                     asy_kwic_pat **out, asy_error *err);
void asy_kwic_free(asy_kwic_pat *p);

/* Words matched at position i (0 = no match); the longest alternative
 * wins. */
size_t asy_kwic_match_at(const asy_kwic_pat *p, const asy_wordstream *ws,
                         size_t i);

/* Glob match of s[0..n) against g[0..gn) ("*", "?" one UTF-8 character). */
int asy_glob_match(const char *g, size_t gn, const char *s, size_t n);

typedef struct asy_kwic_hit {
    size_t first, last; /* matched words [first, last) */
    /* bytes: left context [left, match), the match [match, right_start),
     * right context [right_start, right_end) */
    size_t left, match, right_start, right_end;
} asy_kwic_hit;

/* All non-overlapping hits, scanning left to right, with `window` words of
 * context each side (fewer at the document's edges). *out is malloc'd
 * (NULL when *n == 0). Returns 0 or -1 when out of memory. */
int asy_kwic_find(const asy_kwic_pat *p, const asy_wordstream *ws,
                  size_t window, asy_kwic_hit **out, size_t *n);

#endif
