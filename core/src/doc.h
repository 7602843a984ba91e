/*
 * doc.h — the document: id, source, ordered metadata and UTF-8 text.
 *
 * A document is created by a loader (or by assay_engine_add_document),
 * handed read-only to every plugin, then freed. Its text is valid UTF-8
 * with "\n" newlines and no BOM, NUL-terminated. `generation` is unique
 * within the process and lets Lua views detect use after free.
 */
#ifndef ASY_DOC_H
#define ASY_DOC_H

#include <stddef.h>
#include <stdint.h>

typedef enum asy_meta_type {
    ASY_META_STRING,
    ASY_META_INTEGER,
    ASY_META_NUMBER,
    ASY_META_BOOLEAN
} asy_meta_type;

typedef struct asy_meta_entry {
    char *key;
    asy_meta_type type;
    char *str;     /* ASY_META_STRING (NUL-terminated; len bytes) */
    size_t len;
    int64_t i;     /* ASY_META_INTEGER, ASY_META_BOOLEAN */
    double d;      /* ASY_META_NUMBER */
} asy_meta_entry;

/* Metadata in insertion order; setting an existing key replaces its value
 * in place (order kept). */
typedef struct asy_meta {
    asy_meta_entry *items;
    size_t n, cap;
} asy_meta;

int asy_meta_set_string(asy_meta *m, const char *key, const char *val,
                        size_t len);
int asy_meta_set_integer(asy_meta *m, const char *key, int64_t v);
int asy_meta_set_number(asy_meta *m, const char *key, double v);
int asy_meta_set_boolean(asy_meta *m, const char *key, int v);
const asy_meta_entry *asy_meta_get(const asy_meta *m, const char *key);
/* Removes key if present; returns 1 if removed. */
int asy_meta_remove(asy_meta *m, const char *key);
void asy_meta_free(asy_meta *m);

struct asy_structure; /* lazy per-document cache, see structure.h */

typedef struct asy_doc {
    char *id;          /* stable id: relative path, id field, or path#line */
    char *source;      /* the input file it came from ("-" for stdin) */
    asy_meta meta;
    char *text;        /* valid UTF-8, "\n" newlines, NUL-terminated */
    size_t len;        /* bytes */
    uint64_t seq;      /* 0-based position in the corpus, set by the engine */
    uint64_t generation;
    struct asy_structure *structure; /* NULL until first needed; owned */
    int pending;       /* not read yet: see asy_reader_defer (loader.h) */
} asy_doc;

/* New empty document (text "" ) with copies of id and source.
 * Returns NULL when out of memory. */
asy_doc *asy_doc_new(const char *id, const char *source);

/* Give the document its text. Takes ownership of `text` (malloc'd,
 * NUL-terminated at text[len]). Frees any previous text and structure. */
void asy_doc_take_text(asy_doc *d, char *text, size_t len);

/* Parse the plain-text conventions (DESIGN.md "Document model") at the
 * start of d->text, editing text and meta:
 *  - a leading "---\n" ... "\n---" block of `key: value` lines sets meta.*
 *    and is removed;
 *  - otherwise (after optional white space) a first field
 *    "date YYYY-MM-DD" sets meta.date and is removed together with the
 *    white space that follows it on the same line.
 * Returns 0, or -1 when out of memory. */
int asy_doc_parse_header(asy_doc *d);

/* Free the text and structure of a document whose analysis is over,
 * keeping its id, source, metadata and len: text is NULL after. */
void asy_doc_drop_text(asy_doc *d);
void asy_doc_free(asy_doc *d);

#endif
