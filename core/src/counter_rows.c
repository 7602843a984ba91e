/*
 * counter_rows.c — asy_rows_format (counter_rows.h): a table's rows
 * formatted a chunk at a time on several threads, each chunk handed on in
 * row order by the thread that formatted it while the others format the
 * next ones. And a counter's sorted entries as such rows.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "counter_rows.h"

/* The run: chunks of rows claimed in order by the threads, and handed to
 * emit in that order (turn: the chunk whose text goes next). */
typedef struct run {
    const asy_rowsrc *src;
    const asy_rowfmt *f;
    size_t from, n, chunk, nchunks;
    asy_rows_emit emit;
    void *ud;
    atomic_size_t next; /* the next chunk to claim */
    atomic_int stop;    /* a chunk failed: claim no more */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t turn; /* under mu, as is held */
    size_t held; /* bytes the threads' buffers hold */
} run;

typedef struct worker {
    run *r;
    asy_buf out;
    size_t charged; /* out.cap, as last counted in r->held */
} worker;

/* Format chunk c into w->out: 1, or 0 when the formatter failed. The
 * buffer is kept in a local while the rows are formatted: the workers'
 * buffers lie side by side, and a store to them for every row would pass
 * their shared cache lines back and forth between the threads. */
static int format_chunk(worker *w, size_t c)
{
    const run *r = w->r;
    const asy_rowsrc *src = r->src;
    size_t lo = r->from + c * r->chunk;
    size_t hi = c == r->nchunks - 1 ? r->from + r->n : lo + r->chunk;
    assay_value v[ASY_ROWSRC_MAX];
    memset(v, 0, sizeof v);
    char key[16];
    asy_buf out = w->out;
    asy_buf_clear(&out);
    int ok = 1;
    for (size_t i = lo; i < hi && ok; i++) {
        src->fill(src->ud, i, v, key);
        ok = r->f->format(r->f->ud, r->f->output, v, src->ncols, &out) == 1;
    }
    w->out = out;
    return ok;
}

/* Claim chunks until none is left: format each, wait for its turn, emit
 * it. A thread waits only for chunks claimed before its own, which their
 * threads are formatting: the turns always come. */
static void work(void *arg)
{
    worker *w = arg;
    run *r = w->r;
    for (;;) {
        if (atomic_load_explicit(&r->stop, memory_order_relaxed))
            return;
        size_t c = atomic_fetch_add_explicit(&r->next, 1,
                                             memory_order_relaxed);
        if (c >= r->nchunks)
            return;
        int ok = format_chunk(w, c);
        pthread_mutex_lock(&r->mu);
        while (r->turn != c && !atomic_load(&r->stop))
            pthread_cond_wait(&r->cv, &r->mu);
        if (!atomic_load(&r->stop)) {
            r->held += w->out.cap - w->charged;
            w->charged = w->out.cap;
            size_t rows = c == r->nchunks - 1 ? r->n - c * r->chunk
                                               : r->chunk;
            if (ok && r->emit(r->ud, w->out.data, w->out.len, rows,
                              r->held) == 0)
                r->turn++;
            else
                atomic_store(&r->stop, 1);
        }
        pthread_cond_broadcast(&r->cv);
        pthread_mutex_unlock(&r->mu);
    }
}

int asy_rows_format(const asy_rowsrc *src, size_t from, size_t n,
                    const asy_rowfmt *f, int threads, size_t chunk,
                    asy_rows_emit emit, void *ud)
{
    if (n == 0)
        return 0;
    if (src->ncols < 1 || src->ncols > ASY_ROWSRC_MAX || chunk == 0)
        return -1;
    size_t nchunks = n / chunk + (n % chunk != 0);
    int k = threads < 1 ? 1 : threads < ASY_PAR_MAX ? threads : ASY_PAR_MAX;
    while (k > 1 && nchunks / (size_t)k < 2) /* two chunks a thread */
        k--;
    run r = {src, f, from, n, chunk, nchunks, emit, ud, 0, 0,
             PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    worker w[ASY_PAR_MAX];
    for (int i = 0; i < k; i++)
        w[i] = (worker){&r, ASY_BUF_INIT, 0};
    asy_par_run(work, w, sizeof *w, k);
    for (int i = 0; i < k; i++)
        asy_buf_free(&w[i].out);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    return atomic_load(&r.stop) ? -1 : 0;
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
