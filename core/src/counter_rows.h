/*
 * counter_rows.h — a table's rows formatted on several threads (counter:rows,
 * assay.ngram_rows and assay.collocation_rows at the end of a -j run, where
 * formatting 216,165 rows one by one kept the other threads waiting, and
 * 1.75 million n-gram rows took 0.48 s).
 */
#ifndef ASY_COUNTER_ROWS_H
#define ASY_COUNTER_ROWS_H

#include "counter.h"
#include "par.h"
#include "rowbuf.h"

#define ASY_ROWSRC_MAX 8 /* most columns a row source gives */

/* Where a table's rows come from: fill(ud, i, vals, key) puts the ncols
 * values of row i into vals (a string may point into key, 16 bytes, until
 * the next call). Called from several threads at once, for different
 * rows. */
typedef struct asy_rowsrc {
    void (*fill)(const void *ud, size_t i, assay_value *vals, char key[16]);
    const void *ud;
    int ncols; /* <= ASY_ROWSRC_MAX */
} asy_rowsrc;

/* Where formatted rows go, in row order: emit(ud, text, len, rows, held)
 * is called once a chunk, `rows` rows formatted as text[0..len), one
 * call at a time (on whichever thread finds the chunk's turn come),
 * `held` being the bytes the formatting buffers hold then. Returns 0, or
 * -1 to stop. */
typedef int (*asy_rows_emit)(void *ud, const char *text, size_t len,
                             size_t rows, size_t held);
/* Format rows from .. from + n of src with f, `chunk` rows at a time, on
 * up to `threads` threads (par.h; fewer, so that each has two chunks at
 * least; two chunks' buffers a thread), and hand each chunk's text to
 * emit in row order: while one is handed on, the other threads format the
 * next. 0, or -1 when f failed (out of memory) or emit stopped (no chunk
 * is handed on after that). */
int asy_rows_format(const asy_rowsrc *src, size_t from, size_t n,
                    const asy_rowfmt *f, int threads, size_t chunk,
                    asy_rows_emit emit, void *ud);
/* The columns of a counter's row, after its key: ASY_ROWS_WORDS, the
 * number of words in the key (its spaces + 1: an n-gram's n); then always
 * the count; then ASY_ROWS_DOCS, the document count. */
enum { ASY_ROWS_DOCS = 1, ASY_ROWS_WORDS = 2 };

/* A counter's sorted entries e[0..n) as rows, e[i] row i. */
typedef struct asy_counter_rowset {
    const asy_counter_entry *e;
    size_t n;
    unsigned cols; /* ASY_ROWS_* */
} asy_counter_rowset;

/* The row source of rs (which must outlive it). */
asy_rowsrc asy_counter_rowsrc(const asy_counter_rowset *rs);

#endif
