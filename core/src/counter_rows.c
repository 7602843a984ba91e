/*
 * counter_rows.c — asy_counter_format_rows (counter_rows.h): each slice
 * of the sorted rows formatted into a buffer of its own by its own
 * thread; the caller appends the buffers in order.
 */
#include <string.h>

#include "counter_rows.h"

typedef struct slice {
    const asy_counter_rowset *rs;
    size_t from, n;
    const asy_rowfmt *f;
    asy_buf *out;
    int ok;
} slice;

/* Words in an n-gram key: words are joined by single spaces. */
static int64_t key_words(const char *key, size_t len)
{
    int64_t n = 1;
    for (const char *p = key, *end = key + len;
         (p = memchr(p, ' ', (size_t)(end - p))) != NULL; p++)
        n++;
    return n;
}

/* The buffer and the outcome are kept in locals while the rows are
 * formatted, and stored at the end: the slices' buffers and tasks lie
 * side by side, and a store to them for every row would pass their
 * shared cache lines back and forth between the threads (two threads
 * formatted no faster than one). */
static void format_slice(void *arg)
{
    slice *s = arg;
    const asy_counter_rowset *rs = s->rs;
    int words = (rs->cols & ASY_ROWS_WORDS) != 0;
    int ncols = 2 + words + ((rs->cols & ASY_ROWS_DOCS) != 0);
    assay_value v[4];
    memset(v, 0, sizeof v);
    v[0].type = ASSAY_STRING;
    v[1].type = v[2].type = v[3].type = ASSAY_INTEGER;
    asy_buf out = *s->out;
    asy_buf_clear(&out);
    int ok = 1;
    char key[16];
    for (size_t i = s->from, end = s->from + s->n; i < end && ok; i++) {
        const asy_counter_entry *e = &rs->e[i];
        /* a key longer than 16 bytes is read where it lies, scattered
         * over the counter's records: fetched a few rows ahead */
        if (i + 8 < end && rs->e[i + 8].len > 16)
            __builtin_prefetch(rs->e[i + 8].key);
        v[0].s = asy_counter_entry_key(e, key);
        v[0].len = e->len;
        if (words)
            v[1].i = key_words(v[0].s, e->len);
        v[1 + words].i = e->count;
        v[2 + words].i = e->docs;
        ok = s->f->format(s->f->ud, s->f->output, v, ncols, &out) == 1;
    }
    *s->out = out;
    s->ok = ok;
}

int asy_counter_format_rows(const asy_counter_rowset *rs, size_t from,
                            size_t n, const asy_rowfmt *f, int threads,
                            size_t slice_min, asy_buf *bufs, size_t *rows)
{
    if (n == 0)
        return 0;
    int k = threads < 1 ? 1 : threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (k > 1 && n / (size_t)k < slice_min)
        k--;
    slice s[ASY_PAR_MAX];
    for (int i = 0; i < k; i++) {
        size_t lo = n / (size_t)k * (size_t)i;
        size_t hi = i == k - 1 ? n : n / (size_t)k * (size_t)(i + 1);
        s[i] = (slice){rs, from + lo, hi - lo, f, &bufs[i], 0};
        rows[i] = hi - lo;
    }
    asy_par_run(format_slice, s, sizeof *s, k);
    for (int i = 0; i < k; i++)
        if (!s[i].ok)
            return -1;
    return k;
}
