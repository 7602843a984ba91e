/*
 * section.h — sections: a heading paragraph plus the body paragraphs up
 * to the next heading (text before the first heading is a section
 * without one). Works on the paragraph spans of segment.h.
 */
#ifndef ASY_SECTION_H
#define ASY_SECTION_H

#include <stddef.h>

#include "segment.h"

typedef struct asy_section {
    int has_heading;  /* 0 for the text before the first heading */
    asy_span heading; /* byte span of the heading; {0, 0} when none */
    size_t first;     /* index of the first body paragraph */
    size_t count;     /* body paragraphs (the heading is not one of them) */
    asy_span span;    /* heading start (or first paragraph) .. last end */
} asy_section;

/* Limits of a heading line (see section.c for the reasons). */
#define ASY_HEADING_MAX_WORDS 12
#define ASY_HEADING_MAX_CHARS 100

/* 1 if paragraph p of text looks like a heading on its own: one line of
 * at most ASY_HEADING_MAX_WORDS words and ASY_HEADING_MAX_CHARS code
 * points, starting with a capital letter or digit, not ending in
 * sentence punctuation (. ! ? : ; , …) and not a quotation. */
int asy_heading_like(const char *text, asy_span p);

/* Sections of text given its paragraphs (paras[0..np), in order): a
 * heading-like paragraph followed by a paragraph that is not heading-like
 * starts a section. A malloc'd array (caller frees; NULL when *n == 0);
 * empty text gives no sections. Returns 0, or -1 when out of memory. */
int asy_sections(const char *text, const asy_span *paras, size_t np,
                 asy_section **out, size_t *n);

#endif
