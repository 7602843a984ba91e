/*
 * counter_rows.c — asy_counter_format_rows (counter_rows.h): each slice
 * of the sorted entries formatted into a buffer of its own by its own
 * thread; the caller appends the buffers in order.
 */
#include <string.h>

#include "counter_rows.h"

typedef struct slice {
    const asy_counter_entry *e;
    size_t n;
    int ncols;
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
    assay_value v[3];
    memset(v, 0, sizeof v);
    v[0].type = ASSAY_STRING;
    v[1].type = v[2].type = ASSAY_INTEGER;
    asy_buf out = *s->out;
    asy_buf_clear(&out);
    int ok = 1;
    char key[16];
    for (size_t i = 0; i < s->n && ok; i++) {
        v[0].s = asy_counter_entry_key(&s->e[i], key);
        v[0].len = s->e[i].len;
        v[1].i = s->e[i].count;
        v[2].i = s->e[i].docs;
        ok = s->f->format(s->f->ud, s->f->output, v, s->ncols, &out) == 1;
    }
    *s->out = out;
    s->ok = ok;
}

int asy_counter_format_rows(const asy_counter_entry *e, size_t n, int docs,
                            const asy_rowfmt *f, int threads,
                            size_t slice_min, asy_buf *bufs, size_t *rows)
{
    if (n == 0)
        return 0;
    int k = threads < 1 ? 1 : threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (k > 1 && n / (size_t)k < slice_min)
        k--;
    slice s[ASY_PAR_MAX];
    for (int i = 0; i < k; i++) {
        size_t from = n / (size_t)k * (size_t)i;
        size_t to = i == k - 1 ? n : n / (size_t)k * (size_t)(i + 1);
        s[i] = (slice){e + from, to - from, docs ? 3 : 2, f, &bufs[i], 0};
        rows[i] = to - from;
    }
    asy_par_run(format_slice, s, sizeof *s, k);
    for (int i = 0; i < k; i++)
        if (!s[i].ok)
            return -1;
    return k;
}
