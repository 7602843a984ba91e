/*
 * tu_collect.h — an asy_report that records every skip and warning as one
 * line ("skip|source|doc_id|where|reason"), and a reader of every document
 * of an input path (tu_read_docs), for the loader unit tests.
 * Header-only so that each test binary gets its own copy.
 */
#ifndef ASSAY_TU_COLLECT_H
#define ASSAY_TU_COLLECT_H

#include <string.h>

#include "loader.h"
#include "strbuf.h"
#include "testutil.h"

typedef struct tu_collect {
    asy_buf log;
    int skips, warns;
} tu_collect;

static inline void tu_collect_line(tu_collect *c, const char *kind,
                                   const char *source, const char *doc_id,
                                   const char *where, const char *reason)
{
    asy_buf_printf(&c->log, "%s|%s|%s|%s|%s\n", kind, source, doc_id, where,
                   reason);
}

static inline void tu_on_skip(void *ud, const char *source,
                              const char *doc_id, const char *where,
                              const char *reason)
{
    tu_collect *c = ud;
    c->skips++;
    tu_collect_line(c, "skip", source, doc_id, where, reason);
}

static inline void tu_on_warn(void *ud, const char *source,
                              const char *doc_id, const char *where,
                              const char *reason)
{
    tu_collect *c = ud;
    c->warns++;
    tu_collect_line(c, "warn", source, doc_id, where, reason);
}

static inline asy_report tu_report(tu_collect *c)
{
    memset(c, 0, sizeof *c);
    asy_report r = {tu_on_skip, tu_on_warn, c, NULL, NULL, 0};
    return r;
}

static inline const char *tu_log(const tu_collect *c)
{
    return c->log.data ? c->log.data : "";
}

/* Every document of one input path, read through asy_reader with a
 * collecting report (at most 16 documents). */
typedef struct tu_run {
    asy_doc *docs[16];
    int n;
    int status;
    tu_collect c;
    asy_error err;
} tu_run;

static inline void tu_read_docs(tu_run *r, const char *path,
                                const asy_input_opts *o)
{
    asy_report rep = tu_report(&r->c);
    asy_reader *rd;
    r->n = 0;
    r->status = asy_reader_open(&rd, path, o, &rep, &r->err);
    if (r->status < 0)
        return;
    asy_doc *d;
    while ((r->status = asy_reader_next(rd, &d, &r->err)) == 1) {
        assert_true(r->n < 16);
        r->docs[r->n++] = d;
    }
    asy_reader_close(rd);
}

static inline void tu_run_free(tu_run *r)
{
    for (int i = 0; i < r->n; i++)
        asy_doc_free(r->docs[i]);
    r->n = 0;
    asy_buf_free(&r->c.log);
}

#endif
