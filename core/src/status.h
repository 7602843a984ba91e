/*
 * status.h — the internal error record behind assay_last_error().
 *
 * Every fallible internal function takes an `asy_error *` (which may be NULL)
 * and returns an assay_status. The record carries what the user needs to
 * fix the problem: a message, the file and line/byte, the document and a hint.
 */
#ifndef ASY_STATUS_H
#define ASY_STATUS_H

#include "assay.h"

typedef struct asy_error {
    int code;              /* assay_status */
    char message[1024];
    char file[1024];
    long long line;        /* -1 when unknown */
    long long byte;        /* -1 when unknown */
    char doc_id[512];
    char hint[512];
} asy_error;

/* Reset to ASSAY_OK, empty strings, line = byte = -1. NULL is allowed. */
void asy_error_clear(asy_error *e);

/* Clear, then set code and a printf-formatted message. Returns `code`, so
 * that `return asy_error_set(err, ASSAY_E_IO, "...")` reads naturally. */
int asy_error_set(asy_error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Attach a location; file may be NULL (kept), line/byte -1 for unknown. */
void asy_error_at(asy_error *e, const char *file, long long line,
                  long long byte);
void asy_error_doc(asy_error *e, const char *doc_id);
void asy_error_hint(asy_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The text of an errno value ("No such file or directory"), as strerror()
 * but thread-safe: worker threads report file errors too. Static. */
const char *asy_errno_text(int errnum);

/* Copy src into dst (both may be NULL). */
void asy_error_copy(asy_error *dst, const asy_error *src);

/* Format the record as one line for standard error:
 * "FILE:LINE: MESSAGE (document ID) — hint: HINT". Returns buf. */
const char *asy_error_format(const asy_error *e, char *buf, size_t size);

#endif
