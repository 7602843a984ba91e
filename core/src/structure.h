/*
 * structure.h — the lazy per-document cache: code-point offsets and
 * paragraphs, built on first request and freed with the document.
 */
#ifndef ASY_STRUCTURE_H
#define ASY_STRUCTURE_H

#include <stddef.h>

#include "doc.h"
#include "segment.h"

/* Code-point offset of byte offset b (b must be a character boundary or
 * len). O(1) amortised after the first call (checkpoint table). */
size_t asy_doc_cp_offset(asy_doc *d, size_t b);
/* Total code points. */
size_t asy_doc_cp_length(asy_doc *d);
/* Paragraph spans (byte offsets), computed once. NULL on OOM with *n = 0
 * and return -1. */
int asy_doc_paragraphs(asy_doc *d, const asy_span **spans, size_t *n);
/* Free the cache (called by asy_doc_free). */
void asy_structure_free(struct asy_structure *s);

#endif
