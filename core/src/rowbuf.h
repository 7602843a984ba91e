/*
 * rowbuf.h — rows emitted by a plugin, packed into one byte buffer.
 *
 * A worker thread appends the rows of one document here; the engine later
 * replays them, in corpus order, into the sinks or the row callback. Packing
 * keeps this to one allocation per document instead of one per cell.
 */
#ifndef ASY_ROWBUF_H
#define ASY_ROWBUF_H

#include <stddef.h>

#include "assay.h"
#include "strbuf.h"

typedef struct asy_rowbuf {
    asy_buf buf;
    size_t nrows;
    /* Optional (finish, whose rows can be delivered as they come): once
     * the buffer holds spill_at bytes, asy_rowbuf_add hands its rows to
     * spill and empties it, so a large table never waits whole in memory. */
    int (*spill)(void *ud, const struct asy_rowbuf *rb);
    void *spill_ud;
    size_t spill_at;
    /* Optional (rows bound for output files): format may append a row's
     * final bytes to out and return 1, and the row is then kept as those
     * bytes (a "formatted" row) instead of typed cells, so that a worker
     * thread formats its own rows and the writing thread only copies
     * them out. 0: keep the row typed; -1: out of memory. */
    int (*format)(void *ud, int output, const assay_value *vals, int n,
                  asy_buf *out);
    void *format_ud;
} asy_rowbuf;

#define ASY_ROWBUF_INIT {ASY_BUF_INIT, 0, NULL, NULL, 0, NULL, NULL}

/* A buffer's format with what it needs, for a caller that formats rows of
 * one output itself, in bulk (asy_rowbuf_add_block). */
typedef struct asy_rowfmt {
    int (*format)(void *ud, int output, const assay_value *vals, int n,
                  asy_buf *out);
    void *ud;
    int output;
} asy_rowfmt;

/* Append a row for plugin-local output `output` (copies strings).
 * Returns 0, or -1 when out of memory or when spill failed. */
int asy_rowbuf_add(asy_rowbuf *rb, int output, const assay_value *vals,
                   int n);
/* Append `rows` rows of output `output` that the caller formatted itself
 * with rb->format, as the bytes[0..len) they make together: a large
 * table written by a C kernel (counter:rows) is delivered as a few blocks
 * rather than row by row. 0, or -1 when out of memory, when spill failed
 * or when rb has no format (rows kept typed cannot come as bytes). */
int asy_rowbuf_add_block(asy_rowbuf *rb, int output, const char *bytes,
                         size_t len, size_t rows);
void asy_rowbuf_clear(asy_rowbuf *rb);
void asy_rowbuf_free(asy_rowbuf *rb);

typedef struct asy_rowbuf_iter {
    const char *p, *end;
    const char *raw; /* after next(): formatted rows' bytes, else NULL */
    size_t rawlen;
    size_t rows; /* after next(): the rows it gave (a block: several) */
} asy_rowbuf_iter;

void asy_rowbuf_iter_init(asy_rowbuf_iter *it, const asy_rowbuf *rb);
/* Next row: 1 and fills *output, vals[0..*n) (strings point into the
 * buffer; n is capped at maxvals), 0 at the end. A formatted row, or a
 * block of them, sets it->raw and it->rawlen instead, with *n = 0. */
int asy_rowbuf_next(asy_rowbuf_iter *it, int *output, assay_value *vals,
                    int maxvals, int *n);

#endif
