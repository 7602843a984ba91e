/*
 * sentbreak.h — UAX #29 sentence boundaries (Unicode 15.0, rules
 * SB1–SB998): the `unicode` sentence mode, and the base the abbreviation-
 * aware `news` mode builds on. An allocation-free iterator over UTF-8.
 *
 * Usage:
 *     asy_sb_iter it;
 *     size_t a, b;
 *     asy_sb_init(&it, text, len, ASY_SB_TRIM);
 *     while (asy_sb_next(&it, &a, &b))
 *         use(text + a, b - a);
 *
 * Raw UAX #29 sentences (flags 0) tile the text: each includes its
 * trailing spaces and paragraph separator, as the standard defines them.
 * Invalid UTF-8 bytes are treated one by one as U+FFFD (Sentence_Break
 * Other). Thread safety: an iterator is owned by one thread.
 */
#ifndef ASY_SENTBREAK_H
#define ASY_SENTBREAK_H

#include <stddef.h>

#include "segment.h" /* asy_span */

enum {
    /* Exclude leading and trailing white space (Sp, Sep, CR, LF) from
     * each sentence and skip sentences that are only white space. */
    ASY_SB_TRIM = 1,
};

/* Iterator state; fields are private. */
typedef struct asy_sb_iter {
    const unsigned char *text;
    size_t len, pos;
    unsigned flags;
} asy_sb_iter;

/* Start iterating over text[0..len) (need not be NUL-terminated; NULL is
 * allowed when len == 0). Ownership: borrows text, which must outlive the
 * iterator. */
void asy_sb_init(asy_sb_iter *it, const char *text, size_t len,
                 unsigned flags);

/* Store the next sentence's byte offsets [*start, *end) and return 1, or
 * return 0 at the end of the text. Never fails. */
int asy_sb_next(asy_sb_iter *it, size_t *start, size_t *end);

/* All sentences as a malloc'd array of byte spans (*out NULL when *n ==
 * 0). Returns 0, or -1 when out of memory. Ownership: caller frees *out. */
int asy_sb_sentences(const char *text, size_t len, unsigned flags,
                     asy_span **out, size_t *n);

#endif
