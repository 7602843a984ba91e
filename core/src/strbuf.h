/*
 * strbuf.h — a growable byte buffer, the one place where byte-buffer bounds
 * are checked. The data is always NUL-terminated once anything was added.
 */
#ifndef ASY_STRBUF_H
#define ASY_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct asy_buf {
    char *data;  /* NULL until the first append */
    size_t len;  /* bytes used, excluding the terminating NUL */
    size_t cap;  /* bytes allocated */
} asy_buf;

#define ASY_BUF_INIT {NULL, 0, 0}

/* All return 0 on success, -1 when out of memory (the buffer is unchanged). */
int asy_buf_reserve(asy_buf *b, size_t extra); /* room for extra bytes + NUL */
int asy_buf_append(asy_buf *b, const void *p, size_t n);
int asy_buf_puts(asy_buf *b, const char *s);
int asy_buf_putc(asy_buf *b, int c);
int asy_buf_printf(asy_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int asy_buf_vprintf(asy_buf *b, const char *fmt, va_list ap);

void asy_buf_clear(asy_buf *b); /* len = 0, keeps the memory */
void asy_buf_free(asy_buf *b);  /* frees, back to ASY_BUF_INIT */

/* Hand the (NUL-terminated, malloc'd) data to the caller and reset the
 * buffer. Returns an empty malloc'd string for an empty buffer, NULL on
 * out-of-memory. *len may be NULL. */
char *asy_buf_detach(asy_buf *b, size_t *len);

#endif
