/*
 * csvout.h — writing rows as CSV (RFC 4180 via libcsv), TSV or JSON Lines.
 *
 * Knows nothing about plugins or files: it formats values onto a FILE *.
 * Numbers are written in the shortest form that reads back to the same
 * double; integers exactly; booleans as true/false; nil as an empty cell
 * (null in JSONL). See docs/formats.md "Output formats".
 */
#ifndef ASY_CSVOUT_H
#define ASY_CSVOUT_H

#include <stdio.h>

#include "assay.h"
#include "strbuf.h"

typedef enum asy_fmt { ASY_FMT_CSV = 0, ASY_FMT_TSV, ASY_FMT_JSONL } asy_fmt;

/* Parse "csv" / "tsv" / "jsonl"; -1 if unknown. */
int asy_fmt_parse(const char *s);
const char *asy_fmt_extension(asy_fmt f); /* ".csv", ".tsv", ".jsonl" */

typedef struct asy_csvout {
    FILE *fp;
    asy_fmt fmt;
    int safe;          /* spreadsheet-safe: prefix ' to = + - @ TAB CR cells */
    int ncols;
    char **columns;    /* owned copies */
    asy_buf scratch;
} asy_csvout;

/* Set up a writer and write the header (CSV/TSV) and, if bom, a UTF-8 BOM
 * (CSV/TSV only). Returns 0, or -1 on an I/O or memory error (errno set;
 * the writer is then already freed). */
int asy_csvout_open(asy_csvout *w, FILE *fp, asy_fmt fmt, int bom, int safe,
                    const char *const *columns, int ncols);
/* Write one row of exactly w->ncols values. Returns 0 or -1 (errno set). */
int asy_csvout_row(asy_csvout *w, const assay_value *vals);
/* The bytes asy_csvout_row would write for vals (w->ncols values),
 * appended to out: 0, or -1 when out of memory. Reads only the writer's
 * settings (format, safe mode, columns), which never change once it is
 * open, so worker threads may format rows while another thread writes. */
int asy_csvout_format(const asy_csvout *w, const assay_value *vals,
                      asy_buf *out);
/* Write a row formatted by asy_csvout_format (n bytes). 0 or -1 (errno). */
int asy_csvout_raw(asy_csvout *w, const char *row, size_t n);
/* Free the writer's memory (does not close fp). */
void asy_csvout_free(asy_csvout *w);

/* Text form of a value as it appears in a CSV cell (appended to out). */
int asy_value_text(const assay_value *v, asy_buf *out);
/* Shortest "%.*g" that reads back to d; "nan", "inf", "-inf" otherwise. */
void asy_format_double(double d, char *buf, size_t size);

#endif
