/*
 * tu_collect.h — an asy_report that records every skip and warning as one
 * line ("skip|source|doc_id|where|reason"), for the loader unit tests.
 * Header-only so that each test binary gets its own copy.
 */
#ifndef ASSAY_TU_COLLECT_H
#define ASSAY_TU_COLLECT_H

#include <string.h>

#include "loader.h"
#include "strbuf.h"

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
    asy_report r = {tu_on_skip, tu_on_warn, c};
    return r;
}

static inline const char *tu_log(const tu_collect *c)
{
    return c->log.data ? c->log.data : "";
}

#endif
