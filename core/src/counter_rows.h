/*
 * counter_rows.h — a frequency table's rows formatted on several threads
 * (counter:rows and assay.ngram_rows at the end of a -j run, where
 * formatting 216,165 rows one by one kept the other threads waiting, and
 * 1.75 million n-gram rows took 0.48 s).
 */
#ifndef ASY_COUNTER_ROWS_H
#define ASY_COUNTER_ROWS_H

#include "counter.h"
#include "par.h"
#include "rowbuf.h"

/* The columns of a row, after its key: ASY_ROWS_WORDS, the number of
 * words in the key (its spaces + 1: an n-gram's n); then always the
 * count; then ASY_ROWS_DOCS, the document count. */
enum { ASY_ROWS_DOCS = 1, ASY_ROWS_WORDS = 2 };

/* A table's rows, e[i] row i, and what each holds. */
typedef struct asy_counter_rowset {
    const asy_counter_entry *e;
    unsigned cols; /* ASY_ROWS_* */
} asy_counter_rowset;

/* Format rows from .. from + n of rs with f, in up to `threads` slices of
 * at least `slice_min` rows, one a thread: slice i into bufs[i] (cleared
 * first), its row count into rows[i]. Returns the number of slices (at
 * most ASY_PAR_MAX; 0 when n is 0), or -1 when f failed or did not format
 * a row (out of memory). */
int asy_counter_format_rows(const asy_counter_rowset *rs, size_t from,
                            size_t n, const asy_rowfmt *f, int threads,
                            size_t slice_min, asy_buf *bufs, size_t *rows);

#endif
