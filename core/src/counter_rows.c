/*
 * counter_rows.c — asy_rows_format (counter_rows.h): each slice of a
 * table's rows formatted into a buffer of its own by its own thread; the
 * caller appends the buffers in order. And a counter's sorted entries as
 * such rows.
 */
#include <string.h>

#include "counter_rows.h"

typedef struct slice {
    const asy_rowsrc *src;
    size_t from, n;
    const asy_rowfmt *f;
    asy_buf *out;
    int ok;
} slice;

/* The buffer and the outcome are kept in locals while the rows are
 * formatted, and stored at the end: the slices' buffers and tasks lie
 * side by side, and a store to them for every row would pass their
 * shared cache lines back and forth between the threads (two threads
 * formatted no faster than one). */
static void format_slice(void *arg)
{
    slice *s = arg;
    const asy_rowsrc *src = s->src;
    assay_value v[ASY_ROWSRC_MAX];
    memset(v, 0, sizeof v);
    asy_buf out = *s->out;
    asy_buf_clear(&out);
    int ok = 1;
    char key[16];
    for (size_t i = s->from, end = s->from + s->n; i < end && ok; i++) {
        src->fill(src->ud, i, v, key);
        ok = s->f->format(s->f->ud, s->f->output, v, src->ncols, &out) == 1;
    }
    *s->out = out;
    s->ok = ok;
}

int asy_rows_format(const asy_rowsrc *src, size_t from, size_t n,
                    const asy_rowfmt *f, int threads, size_t slice_min,
                    asy_buf *bufs, size_t *rows)
{
    if (n == 0)
        return 0;
    if (src->ncols < 1 || src->ncols > ASY_ROWSRC_MAX)
        return -1;
    int k = threads < 1 ? 1 : threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (k > 1 && n / (size_t)k < slice_min)
        k--;
    slice s[ASY_PAR_MAX];
    for (int i = 0; i < k; i++) {
        size_t lo = n / (size_t)k * (size_t)i;
        size_t hi = i == k - 1 ? n : n / (size_t)k * (size_t)(i + 1);
        s[i] = (slice){src, from + lo, hi - lo, f, &bufs[i], 0};
        rows[i] = hi - lo;
    }
    asy_par_run(format_slice, s, sizeof *s, k);
    for (int i = 0; i < k; i++)
        if (!s[i].ok)
            return -1;
    return k;
}

/* Words in an n-gram key: words are joined by single spaces. */
static int64_t key_words(const char *key, size_t len)
{
    int64_t n = 1;
    for (const char *p = key, *end = key + len;
         (p = memchr(p, ' ', (size_t)(end - p))) != NULL; p++)
        n++;
    return n;
}

static void fill_entry(const void *ud, size_t i, assay_value *v,
                       char key[16])
{
    const asy_counter_rowset *rs = ud;
    const asy_counter_entry *e = &rs->e[i];
    /* a key longer than 16 bytes is read where it lies, scattered over the
     * counter's records: fetched a few rows ahead */
    if (i + 8 < rs->n && rs->e[i + 8].len > 16)
        __builtin_prefetch(rs->e[i + 8].key);
    int words = (rs->cols & ASY_ROWS_WORDS) != 0;
    v[0].type = ASSAY_STRING;
    v[0].s = asy_counter_entry_key(e, key);
    v[0].len = e->len;
    if (words) {
        v[1].type = ASSAY_INTEGER;
        v[1].i = key_words(v[0].s, e->len);
    }
    v[1 + words].type = ASSAY_INTEGER;
    v[1 + words].i = e->count;
    v[2 + words].type = ASSAY_INTEGER;
    v[2 + words].i = e->docs;
}

asy_rowsrc asy_counter_rowsrc(const asy_counter_rowset *rs)
{
    int words = (rs->cols & ASY_ROWS_WORDS) != 0;
    int ncols = 2 + words + ((rs->cols & ASY_ROWS_DOCS) != 0);
    return (asy_rowsrc){fill_entry, rs, ncols};
}
