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

/* What every format's state starts with: the source it owns, the name
 * used in messages, and the borrowed options and report. */
typedef struct asy_load_base {
    asy_source *src;
    char *display;
    const asy_input_opts *o;
    const asy_report *rep;
} asy_load_base;

/* A zeroed format state of `size` bytes whose first member is an
 * asy_load_base, filled in; the state owns src from then on. NULL (src
 * closed, err set to ASSAY_E_NOMEM) when out of memory. */
void *asy_load_state_new(size_t size, asy_source *src, const char *display,
                         const asy_input_opts *o, const asy_report *rep,
                         asy_error *err);
/* Close the state's source and free its name and the state (NULL: no-op).
 * A format frees its own members first. */
void asy_load_state_free(void *state);

/* strdup that returns NULL for NULL. */
char *asy_strdup0(const char *s);

#endif
