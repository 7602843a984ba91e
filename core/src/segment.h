/*
 * segment.h — paragraphs (more structure arrives with the text model).
 *
 * A document's paragraphs are separated by blank lines when it has any;
 * otherwise every non-empty line is a paragraph (the "one paragraph per
 * line" convention of many exports). Leading/trailing white space is
 * excluded from each span.
 */
#ifndef ASY_SEGMENT_H
#define ASY_SEGMENT_H

#include <stddef.h>

typedef struct asy_span {
    size_t start, end; /* byte offsets, end-exclusive */
} asy_span;

/* Fills a malloc'd array (caller frees; NULL when n == 0). Returns 0 or -1
 * when out of memory. */
int asy_paragraphs(const char *text, size_t len, asy_span **out, size_t *n);

#endif
