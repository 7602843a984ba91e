/*
 * jsonw.h — JSON text written straight into a buffer: a jansson tree in
 * the layout json_dumps(v, JSON_INDENT(2)) gives it (byte for byte), and
 * the pieces of lists too long to build as trees first. A manifest's file
 * list is written this way: for a corpus of 50,000 files, a jansson
 * object per file and their dump were half the manifest's time.
 */
#ifndef ASY_JSONW_H
#define ASY_JSONW_H

#include <stddef.h>

#include <jansson.h>

#include "strbuf.h"

typedef struct asy_jsonw {
    asy_buf out;
    int bad; /* out of memory on the way: the text is incomplete */
} asy_jsonw;

/* A value (any tree) whose first line is already indented to `depth`. */
void asy_jsonw_value(asy_jsonw *w, const json_t *v, int depth);

/* The pieces, for objects written by hand at `depth`: "{" / "[", then
 * each member opened by asy_jsonw_key (the ",", new line and indent
 * before all but the first) or array item by asy_jsonw_item, then
 * asy_jsonw_close (new line, indent, "}" / "]"; "{}" / "[]" if empty). */
void asy_jsonw_key(asy_jsonw *w, const char *key, int first, int depth);
void asy_jsonw_item(asy_jsonw *w, int first, int depth);
void asy_jsonw_close(asy_jsonw *w, char bracket, int empty, int depth);

/* A string of valid UTF-8, quoted and escaped as jansson escapes it. */
void asy_jsonw_string(asy_jsonw *w, const char *s, size_t n);
void asy_jsonw_uint(asy_jsonw *w, unsigned long long v);
/* Text as it is ("{", "null", "true"). */
void asy_jsonw_raw(asy_jsonw *w, const char *s);

#endif
