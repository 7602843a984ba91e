/*
 * strbuf.c — growable byte buffer (see strbuf.h). Growth is geometric;
 * every size computation is checked for overflow.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

int asy_buf_reserve(asy_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int asy_buf_append(asy_buf *b, const void *p, size_t n)
{
    if (asy_buf_reserve(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int asy_buf_puts(asy_buf *b, const char *s)
{
    return asy_buf_append(b, s, strlen(s));
}

int asy_buf_putc(asy_buf *b, int c)
{
    char ch = (char)c;
    return asy_buf_append(b, &ch, 1);
}

int asy_buf_vprintf(asy_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || asy_buf_reserve(b, (size_t)n) < 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int asy_buf_printf(asy_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = asy_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

void asy_buf_clear(asy_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void asy_buf_free(asy_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *asy_buf_detach(asy_buf *b, size_t *len)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (!p)
            return NULL;
        p[0] = '\0';
    }
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
