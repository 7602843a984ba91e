/*
 * loader_int.h — helpers shared by loader.c and the load_*.c formats only
 * (not a contract for other modules): report wrappers that tolerate NULL
 * callbacks, and the one wording for over-sized documents.
 */
#ifndef ASY_LOADER_INT_H
#define ASY_LOADER_INT_H

#include "loader.h"

void asy_report_skip(const asy_report *rep, const char *source,
                     const char *doc_id, const char *where,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void asy_report_warn(const asy_report *rep, const char *source,
                     const char *doc_id, const char *where,
                     const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Report a document of `size` bytes (or "more than max" when size < 0)
 * skipped for exceeding o->max_doc_bytes. */
void asy_report_too_big(const asy_report *rep, const char *source,
                        const char *doc_id, const char *where,
                        long long size, size_t max);

/* strdup that returns NULL for NULL. */
char *asy_strdup0(const char *s);

#endif
