/*
 * counter_rows.h — a frequency table's rows formatted on several threads
 * (counter:rows at the end of a -j run, where formatting 216,165 rows one
 * by one kept the other threads waiting).
 */
#ifndef ASY_COUNTER_ROWS_H
#define ASY_COUNTER_ROWS_H

#include "counter.h"
#include "par.h"
#include "rowbuf.h"

/* Format e[0..n) as rows (key, count, and the document count when docs)
 * with f, in up to `threads` slices of at least `slice_min` rows, one a
 * thread: slice i into bufs[i] (cleared first), its row count into
 * rows[i]. Returns the number of slices (at most ASY_PAR_MAX; 0 when n is
 * 0), or -1 when f failed or did not format a row (out of memory). */
int asy_counter_format_rows(const asy_counter_entry *e, size_t n, int docs,
                            const asy_rowfmt *f, int threads,
                            size_t slice_min, asy_buf *bufs, size_t *rows);

#endif
