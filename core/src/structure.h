/*
 * structure.h — the lazy per-document cache: code-point offsets, word
 * segments, paragraphs, sentences (per mode), sections and quotations,
 * each built on first request and freed with the document. A document is
 * used by one thread at a time, so the cache needs no lock.
 */
#ifndef ASY_STRUCTURE_H
#define ASY_STRUCTURE_H

#include <stddef.h>

#include "doc.h"
#include "quote.h"
#include "section.h"
#include "segment.h"
#include "sentence.h"
#include "status.h"
#include "wordbreak.h"

/* Code-point offset of byte offset b (b must be a character boundary or
 * len). O(1) amortised after the first call (checkpoint table). */
size_t asy_doc_cp_offset(asy_doc *d, size_t b);
/* Total code points. */
size_t asy_doc_cp_length(asy_doc *d);
/* Paragraph spans (byte offsets), computed once. NULL on OOM with *n = 0
 * and return -1. */
int asy_doc_paragraphs(asy_doc *d, const asy_span **spans, size_t *n);

/* Every UAX #29 segment that is not white space (ASY_WB_NOSPACE: words,
 * numbers, emoji, punctuation, symbols, other), in order, with byte and
 * code-point offsets. ASSAY_OK or ASSAY_E_NOMEM (*segs NULL, *n 0). */
int asy_doc_words(asy_doc *d, const asy_wb_seg **segs, size_t *n,
                  asy_error *err);

typedef enum asy_sent_mode {
    ASY_SENT_NEWS = 0,   /* sentence.h: abbreviation-aware (default) */
    ASY_SENT_UNICODE = 1 /* sentbreak.h: UAX #29, trimmed */
} asy_sent_mode;

/* Sentence spans (byte offsets, trimmed) of one mode, computed once per
 * mode. News mode splits each cached paragraph with the word list ab
 * (may be NULL; the list given on the first call is the one cached, so
 * callers pass the same list every time). ASSAY_OK, ASSAY_E_NOMEM or
 * ASSAY_E_USAGE (unknown mode). */
int asy_doc_sentences(asy_doc *d, asy_sent_mode mode, const asy_abbrevs *ab,
                      const asy_span **spans, size_t *n, asy_error *err);

/* Sections over the cached paragraphs (section.h). ASSAY_OK or
 * ASSAY_E_NOMEM. */
int asy_doc_sections(asy_doc *d, const asy_section **secs, size_t *n,
                     asy_error *err);

/* Quotations (quote.h, default options: English conventions, paragraph
 * continuation) over the cached paragraphs. ASSAY_OK or ASSAY_E_NOMEM. */
int asy_doc_quotations(asy_doc *d, const asy_quotes **q, asy_error *err);

/* Free the cache (called by asy_doc_free). */
void asy_structure_free(struct asy_structure *s);

#endif
