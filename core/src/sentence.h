/*
 * sentence.h — `news` sentence segmentation: abbreviation-, initial-,
 * number-, ellipsis- and quotation-aware splitting of UTF-8 text into
 * sentence spans, driven by a per-language word list (plugins/data/
 * abbreviations/<lang>.txt). The UAX #29 `unicode` mode is sentbreak.h.
 */
#ifndef ASY_SENTENCE_H
#define ASY_SENTENCE_H

#include <stddef.h>

#include "segment.h"
#include "status.h"

/* Word classes of the list file. A word may be in several classes. */
enum {
    ASY_AB_NEVER_FINAL = 1,   /* "Mr.", "e.g.": never ends a sentence */
    ASY_AB_MAY_END = 2,       /* "Inc.", "U.S.": ends one before a starter */
    ASY_AB_BEFORE_NUMBER = 4, /* "No.": an abbreviation only before a digit */
    ASY_AB_STARTER = 8,       /* "The", "He": words that open sentences */
    ASY_AB_REPORTING = 16     /* "said", "asked": speech verbs */
};

/* An immutable-after-loading word set; safe to share between threads
 * once built (lookups never write). */
typedef struct asy_abbrevs asy_abbrevs;

/* New empty set; NULL when out of memory. Free with asy_abbrevs_free. */
asy_abbrevs *asy_abbrevs_new(void);
void asy_abbrevs_free(asy_abbrevs *ab);

/* Add `word` (len bytes) to class bit(s) `cls`. A final "." is dropped
 * ("U.S." and "U.S" are the same entry). Returns ASSAY_OK, ASSAY_E_NOMEM
 * or ASSAY_E_USAGE (empty word, bad class). */
int asy_abbrevs_add(asy_abbrevs *ab, int cls, const char *word, size_t len);

/* Parse the list syntax into ab: "#" starts a comment line; "[name]"
 * switches the class (never-final, may-end, before-number,
 * sentence-starters, reporting-verbs); any other non-blank line is one
 * word (surrounding white space ignored). `name` labels errors (file
 * name). Returns ASSAY_OK, ASSAY_E_PARSE (unknown section, word before
 * any section: err names the line) or ASSAY_E_NOMEM. */
int asy_abbrevs_parse(asy_abbrevs *ab, const char *text, size_t len,
                      const char *name, asy_error *err);

/* Read and parse the file at path into ab. ASSAY_E_IO when unreadable. */
int asy_abbrevs_load(asy_abbrevs *ab, const char *path, asy_error *err);

/* Class bits of word[0..len) (a final "." is ignored), 0 if absent.
 * ab may be NULL (always 0). */
int asy_abbrevs_lookup(const asy_abbrevs *ab, const char *word, size_t len);

/* Number of distinct words in the set. */
size_t asy_abbrevs_count(const asy_abbrevs *ab);

/*
 * Split text[0..len) into `news` sentences: a malloc'd array of byte
 * spans (end-exclusive, trimmed of white space, in order; caller frees;
 * NULL when *n == 0). Paragraph breaks (segment.h) always end a sentence,
 * so a heading paragraph is its own sentence. ab may be NULL: then only
 * the rules that need no word list apply (initials, "U.S."-style dotted
 * letters, numbers, quotes, ellipses). Rules are documented in
 * sentence.c. Returns ASSAY_OK or ASSAY_E_NOMEM (*out NULL, *n 0).
 */
int asy_sentences_news(const char *text, size_t len, const asy_abbrevs *ab,
                       asy_span **out, size_t *n, asy_error *err);

/* The same inside one paragraph-like range [start, end): no paragraph
 * detection, spans appended to *out / *n / *cap (a growable array the
 * caller owns). Returns ASSAY_OK or ASSAY_E_NOMEM. */
int asy_sentences_news_range(const char *text, size_t start, size_t end,
                             const asy_abbrevs *ab, asy_span **out,
                             size_t *n, size_t *cap, asy_error *err);

#endif
