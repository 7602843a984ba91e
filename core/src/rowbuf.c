/*
 * rowbuf.c — rows packed into one byte buffer (see rowbuf.h).
 *
 * Layout per row: i32 output, u32 n, then n cells. A cell is a u8 type,
 * followed by an 8-byte payload (int64 for integers and booleans, double
 * for numbers), nothing for nil, or a u64 length + bytes + NUL for strings.
 * Nothing is aligned, so every multi-byte field goes through memcpy. A
 * formatted row (asy_rowbuf.format) is i32 output, u32 RAW, u64 length,
 * then its bytes; a block of formatted rows (asy_rowbuf_add_block) is i32
 * output, u32 BLOCK, u64 rows, u64 length, then their bytes.
 */
#include <stdint.h>
#include <string.h>

#include "rowbuf.h"

/* Bytes a cell occupies once packed; 0 if a string length would overflow. */
static size_t cell_size(const assay_value *v)
{
    switch (v->type) {
    case ASSAY_INTEGER:
    case ASSAY_BOOLEAN:
    case ASSAY_NUMBER:
        return 1 + 8;
    case ASSAY_STRING:
        if (v->len > SIZE_MAX / 4)
            return 0;
        return 1 + 8 + v->len + 1;
    default:
        return 1;
    }
}

static char *put(char *p, const void *src, size_t n)
{
    memcpy(p, src, n);
    return p + n;
}

static char *put_cell(char *p, const assay_value *v)
{
    uint8_t type = (uint8_t)v->type;
    uint64_t len;
    switch (v->type) {
    case ASSAY_INTEGER:
    case ASSAY_BOOLEAN:
        p = put(p, &type, 1);
        return put(p, &v->i, 8);
    case ASSAY_NUMBER:
        p = put(p, &type, 1);
        return put(p, &v->d, 8);
    case ASSAY_STRING:
        p = put(p, &type, 1);
        len = v->len;
        p = put(p, &len, 8);
        if (v->len)
            p = put(p, v->s, v->len);
        *p++ = '\0';
        return p;
    default:
        type = ASSAY_NIL; /* unknown types are stored as nil */
        return put(p, &type, 1);
    }
}

#define RAW UINT32_MAX        /* the cell count of a formatted row */
#define BLOCK (UINT32_MAX - 1) /* and of a block of them */

/* `rows` rows once they are stored: spill when the buffer is full
 * enough. */
static int stored_n(asy_rowbuf *rb, size_t rows)
{
    rb->nrows += rows;
    if (rb->spill && rb->buf.len >= rb->spill_at) {
        if (rb->spill(rb->spill_ud, rb) < 0)
            return -1;
        asy_rowbuf_clear(rb);
    }
    return 0;
}

static int stored(asy_rowbuf *rb)
{
    return stored_n(rb, 1);
}

int asy_rowbuf_add_block(asy_rowbuf *rb, int output, const char *bytes,
                         size_t len, size_t rows)
{
    if (!rb->format || (len && !bytes) || len > SIZE_MAX / 2)
        return -1;
    if (rows == 0)
        return 0;
    if (asy_buf_reserve(&rb->buf, 24 + len) < 0)
        return -1;
    int32_t out = output;
    uint32_t cnt = BLOCK;
    uint64_t n = rows, l = len;
    char *p = put(rb->buf.data + rb->buf.len, &out, 4);
    p = put(p, &cnt, 4);
    p = put(p, &n, 8);
    p = put(p, &l, 8);
    if (len)
        memcpy(p, bytes, len);
    rb->buf.len += 24 + len;
    rb->buf.data[rb->buf.len] = '\0';
    return stored_n(rb, rows);
}

/* Store the row formatted, if rb->format takes it: 1, 0 (store it
 * typed) or -1. */
static int add_formatted(asy_rowbuf *rb, int output, const assay_value *vals,
                         int n)
{
    size_t mark = rb->buf.len;
    if (asy_buf_reserve(&rb->buf, 16) < 0)
        return -1;
    rb->buf.len += 16;
    int r = rb->format(rb->format_ud, output, vals, n, &rb->buf);
    if (r <= 0) {
        rb->buf.len = mark;
        rb->buf.data[mark] = '\0';
        return r;
    }
    int32_t out = output;
    uint32_t cnt = RAW;
    uint64_t len = rb->buf.len - mark - 16;
    char *p = put(rb->buf.data + mark, &out, 4);
    p = put(p, &cnt, 4);
    put(p, &len, 8);
    return stored(rb) < 0 ? -1 : 1;
}

int asy_rowbuf_add(asy_rowbuf *rb, int output, const assay_value *vals,
                   int n)
{
    if (n < 0 || (n > 0 && !vals))
        return -1;
    if (rb->format) {
        int r = add_formatted(rb, output, vals, n);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    size_t need = 8;
    for (int k = 0; k < n; k++) {
        size_t c = cell_size(&vals[k]);
        if (c == 0 || need > SIZE_MAX / 2 - c)
            return -1;
        need += c;
    }
    if (asy_buf_reserve(&rb->buf, need) < 0)
        return -1;
    char *p = rb->buf.data + rb->buf.len;
    int32_t out = output;
    uint32_t cnt = (uint32_t)n;
    p = put(p, &out, 4);
    p = put(p, &cnt, 4);
    for (int k = 0; k < n; k++)
        p = put_cell(p, &vals[k]);
    rb->buf.len += need;
    rb->buf.data[rb->buf.len] = '\0';
    return stored(rb);
}

void asy_rowbuf_clear(asy_rowbuf *rb)
{
    asy_buf_clear(&rb->buf);
    rb->nrows = 0;
}

void asy_rowbuf_free(asy_rowbuf *rb)
{
    asy_buf_free(&rb->buf);
    rb->nrows = 0;
}

void asy_rowbuf_iter_init(asy_rowbuf_iter *it, const asy_rowbuf *rb)
{
    it->p = rb->buf.data;
    it->end = rb->buf.data ? rb->buf.data + rb->buf.len : NULL;
    it->raw = NULL;
    it->rawlen = 0;
    it->rows = 0;
}

/* Copy n bytes out of the iterator; 0 if the buffer is too short (which
 * only a corrupted buffer can cause, but we never read past the end). */
static int take(asy_rowbuf_iter *it, void *dst, size_t n)
{
    if ((size_t)(it->end - it->p) < n)
        return 0;
    memcpy(dst, it->p, n);
    it->p += n;
    return 1;
}

/* Decode one cell into *v (v may be NULL to skip it). */
static int read_cell(asy_rowbuf_iter *it, assay_value *v)
{
    uint8_t type;
    assay_value tmp = {0};
    if (!take(it, &type, 1))
        return 0;
    tmp.type = (assay_value_type)type;
    if (type == ASSAY_INTEGER || type == ASSAY_BOOLEAN) {
        if (!take(it, &tmp.i, 8))
            return 0;
    } else if (type == ASSAY_NUMBER) {
        if (!take(it, &tmp.d, 8))
            return 0;
    } else if (type == ASSAY_STRING) {
        uint64_t len;
        if (!take(it, &len, 8) || len >= (uint64_t)(it->end - it->p))
            return 0;
        tmp.s = it->p;
        tmp.len = (size_t)len;
        it->p += len + 1; /* bytes + NUL */
    }
    if (v)
        *v = tmp;
    return 1;
}

int asy_rowbuf_next(asy_rowbuf_iter *it, int *output, assay_value *vals,
                    int maxvals, int *n)
{
    int32_t out;
    uint32_t cnt;
    if (!it->p || it->p >= it->end)
        return 0;
    it->raw = NULL;
    if (!take(it, &out, 4) || !take(it, &cnt, 4)) {
        it->p = it->end;
        return 0;
    }
    it->rows = 1;
    if (cnt == RAW || cnt == BLOCK) {
        uint64_t len, rows = 1;
        if ((cnt == BLOCK && !take(it, &rows, 8)) || !take(it, &len, 8) ||
            len > (uint64_t)(it->end - it->p) || rows > SIZE_MAX) {
            it->p = it->end;
            return 0;
        }
        it->rows = (size_t)rows;
        it->raw = it->p;
        it->rawlen = (size_t)len;
        it->p += len;
        *output = out;
        *n = 0;
        return 1;
    }
    int kept = 0;
    for (uint32_t k = 0; k < cnt; k++) {
        int keep = (int64_t)k < (int64_t)maxvals;
        if (!read_cell(it, keep ? &vals[k] : NULL)) {
            it->p = it->end;
            return 0;
        }
        kept += keep;
    }
    *output = out;
    *n = kept;
    return 1;
}
