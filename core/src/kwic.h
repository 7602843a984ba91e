/*
 * kwic.h — keyword in context. A kwic pattern is compiled into a topic
 * dictionary (dict.h), so that kwic and topics match text by the same
 * rules (case folding, tokens split like the text: `e-mail` is the phrase
 * `e mail`, longest match wins); each match gets a context window counted
 * in words of a word stream (ngram.h), as byte offsets into the text.
 *
 * Pattern syntax: alternatives separated by "|" or ","; an alternative is
 * any dictionary entry: a word, a glob ("energ*", "*ism", "colo?r") or a
 * phrase ("belt and road", "oil-gas*").
 */
#ifndef ASY_KWIC_H
#define ASY_KWIC_H

#include <stddef.h>

#include "dict.h"
#include "ngram.h"
#include "status.h"

/* Compile spec[0..len) into a dictionary with one category, "pattern",
 * holding one entry per alternative (trimmed of white space). Returns
 * ASSAY_OK, ASSAY_E_USAGE (an empty alternative, or one that can never
 * match such as "-" or "*-*"; err names it) or ASSAY_E_NOMEM.
 * Ownership: free *out with asy_dict_free. */
int asy_kwic_pattern(const char *spec, size_t len, asy_dict **out,
                     asy_error *err);

/* The next alternative of spec from *pos (start at 0): spec[*a..*a+*n),
 * trimmed of white space (n may be 0: an empty alternative); *pos moves
 * past its separator. Returns 0 when there is none left. */
int asy_kwic_next(const char *spec, size_t len, size_t *pos, size_t *a,
                  size_t *n);

typedef struct asy_kwic_hit {
    size_t entry;        /* dictionary entry that matched */
    size_t cstart, cend; /* code points of the match, end-exclusive */
    size_t first, last;  /* words of the stream in the match [first, last) */
    /* bytes: left context [left, match), the match [match, right_start),
     * right context [right_start, right_end) */
    size_t left, match, right_start, right_end;
} asy_kwic_hit;

/* Fill h's word and byte fields for the match text[start..end) (bytes):
 * `window` words of ws on each side, fewer at the document's edges. The
 * words of the match are those starting inside it. */
void asy_kwic_context(const asy_wordstream *ws, size_t start, size_t end,
                      size_t window, asy_kwic_hit *h);

/* All matches of d in text[0..len) (asy_dict_scan: text order, no
 * overlaps) with their contexts in ws, a word stream of the same text.
 * *out is malloc'd (NULL when *n == 0). Returns ASSAY_OK or
 * ASSAY_E_NOMEM. */
int asy_kwic_find(const asy_dict *d, asy_dict_scratch *s, const char *text,
                  size_t len, const asy_wordstream *ws, size_t window,
                  asy_kwic_hit **out, size_t *n);

#endif
