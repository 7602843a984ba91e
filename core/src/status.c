/*
 * status.c — status strings and the error record (see status.h).
 */
#define _GNU_SOURCE /* strerrordesc_np */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "status.h"

const char *assay_strerror(int status)
{
    if (status >= 0)
        return "ok";
    switch (status) {
    case ASSAY_E_NOMEM: return "out of memory";
    case ASSAY_E_USAGE: return "usage error";
    case ASSAY_E_IO: return "input/output error";
    case ASSAY_E_PARSE: return "malformed input";
    case ASSAY_E_PLUGIN: return "plugin error";
    case ASSAY_E_LIMIT: return "limit exceeded";
    case ASSAY_E_ENCODING: return "invalid text encoding";
    default: return "unknown error";
    }
}

const char *asy_errno_text(int errnum)
{
#if defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    const char *s = strerrordesc_np(errnum); /* static table, no buffer */
    return s ? s : "unknown error";
#else
    /* strerror_r into a thread-local buffer, for C libraries without
     * strerrordesc_np. */
    static _Thread_local char buf[128];
    if (strerror_r(errnum, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "error %d", errnum);
    return buf;
#endif
}

void asy_error_clear(asy_error *e)
{
    if (!e)
        return;
    e->code = ASSAY_OK;
    e->message[0] = e->file[0] = e->doc_id[0] = e->hint[0] = '\0';
    e->line = e->byte = -1;
}

int asy_error_set(asy_error *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    asy_error_clear(e);
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return code;
}

void asy_error_at(asy_error *e, const char *file, long long line,
                  long long byte)
{
    if (!e)
        return;
    if (file)
        snprintf(e->file, sizeof e->file, "%s", file);
    e->line = line;
    e->byte = byte;
}

void asy_error_doc(asy_error *e, const char *doc_id)
{
    if (e && doc_id)
        snprintf(e->doc_id, sizeof e->doc_id, "%s", doc_id);
}

void asy_error_hint(asy_error *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

void asy_error_copy(asy_error *dst, const asy_error *src)
{
    if (dst && src && dst != src)
        memcpy(dst, src, sizeof *dst);
}

const char *asy_error_format(const asy_error *e, char *buf, size_t size)
{
    size_t n = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
#define ADD(...)                                                           \
    do {                                                                   \
        if (n < size) {                                                    \
            int k_ = snprintf(buf + n, size - n, __VA_ARGS__);             \
            n += k_ > 0 ? (size_t)k_ : 0;                                  \
        }                                                                  \
    } while (0)
    /* Lua messages already start with "file:line:"; don't repeat it. */
    int has_loc = e->file[0] && strncmp(e->message, e->file,
                                        strlen(e->file)) != 0;
    if (has_loc) {
        ADD("%s", e->file);
        if (e->line >= 0)
            ADD(":%lld", e->line);
        else if (e->byte >= 0)
            ADD(": byte %lld", e->byte);
        ADD(": ");
    }
    ADD("%s", e->message[0] ? e->message : assay_strerror(e->code));
    if (e->doc_id[0])
        ADD(" (document %s)", e->doc_id);
    if (e->hint[0])
        ADD("\n  hint: %s", e->hint);
#undef ADD
    return buf;
}
