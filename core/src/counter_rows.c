/*
 * counter_rows.c — asy_rows_format (counter_rows.h): a table's rows
 * formatted a chunk at a time on several threads and handed on in row
 * order while the next ones are formatted. And a counter's sorted entries
 * as such rows.
 */
#include <pthread.h>
#include <string.h>

#include "counter_rows.h"

/*
 * The run: chunks of rows claimed in order by the threads, each formatted
 * into a buffer of the ring (chunk c into slots[c % nslots]), and handed to
 * emit in order (turn: the chunk whose text goes next) by whichever thread
 * finds the turn's chunk formatted and nobody handing on: the others go on
 * formatting the next chunks meanwhile, as far as the ring has room. (With
 * each thread handing on its own chunks, the one whose chunks came with a
 * write to the file left the other waiting: a quarter of its time at -j 2.)
 */
#define SLOTS_A_THREAD 2

typedef struct slot_buf {
    asy_buf out;
    size_t charged; /* out.cap, as last counted in held */
    size_t chunk;   /* the chunk it holds, when full */
    int full;       /* formatted, not yet handed on */
    int ok;         /* the formatter did not fail */
} slot_buf;

typedef struct run {
    const asy_rowsrc *src;
    const asy_rowfmt *f;
    size_t from, n, chunk, nchunks;
    asy_rows_emit emit;
    void *ud;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    slot_buf *slots;
    size_t nslots;
    /* under mu, as are the slots' chunk, full and ok */
    size_t next, turn; /* the next chunk to claim, to hand on */
    size_t held;       /* bytes the slots' buffers hold, as formatted */
    int emitting;      /* a thread is handing chunks on */
    int stop;          /* a chunk failed: nothing more is handed on */
} run;

/* Format chunk c into s->out: 1, or 0 when the formatter failed. The
 * buffer is kept in a local while the rows are formatted: the slots lie
 * side by side, and a store to them for every row would pass their shared
 * cache lines back and forth between the threads. */
static int format_chunk(const run *r, slot_buf *s, size_t c)
{
    const asy_rowsrc *src = r->src;
    size_t lo = r->from + c * r->chunk;
    size_t hi = c == r->nchunks - 1 ? r->from + r->n : lo + r->chunk;
    assay_value v[ASY_ROWSRC_MAX];
    memset(v, 0, sizeof v);
    char key[16];
    asy_buf out = s->out;
    asy_buf_clear(&out);
    int ok = 1;
    for (size_t i = lo; i < hi && ok; i++) {
        src->fill(src->ud, i, v, key);
        ok = r->f->format(r->f->ud, r->f->output, v, src->ncols, &out) == 1;
    }
    s->out = out;
    return ok;
}

/* Hand on the formatted chunks from the turn on, in order, until one is
 * not ready (mutex held; released while emit runs). */
static void hand_on(run *r)
{
    r->emitting = 1;
    while (!r->stop && r->turn < r->nchunks) {
        slot_buf *s = &r->slots[r->turn % r->nslots];
        if (!s->full || s->chunk != r->turn)
            break;
        size_t rows = r->turn == r->nchunks - 1 ? r->n - r->turn * r->chunk
                                                : r->chunk;
        int ok = s->ok;
        size_t held = r->held;
        pthread_mutex_unlock(&r->mu);
        /* the slot is this thread's: no chunk is claimed into it before
         * the turn passes it */
        ok = ok && r->emit(r->ud, s->out.data, s->out.len, rows, held) == 0;
        pthread_mutex_lock(&r->mu);
        s->full = 0;
        if (ok)
            r->turn++;
        else
            r->stop = 1;
        pthread_cond_broadcast(&r->cv);
    }
    r->emitting = 0;
}

/* Hand on what is ready, else format the next chunk the ring has room
 * for, else wait; until every chunk is handed on or one failed. */
static void work(void *arg)
{
    run *r = *(run **)arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop && r->turn < r->nchunks) {
        const slot_buf *t = &r->slots[r->turn % r->nslots];
        if (!r->emitting && t->full && t->chunk == r->turn) {
            hand_on(r);
            continue;
        }
        if (r->next < r->nchunks && r->next < r->turn + r->nslots) {
            size_t c = r->next++;
            slot_buf *s = &r->slots[c % r->nslots];
            pthread_mutex_unlock(&r->mu);
            int ok = format_chunk(r, s, c);
            pthread_mutex_lock(&r->mu);
            s->chunk = c;
            s->ok = ok;
            s->full = 1;
            r->held += s->out.cap - s->charged;
            s->charged = s->out.cap;
            pthread_cond_broadcast(&r->cv);
            continue;
        }
        pthread_cond_wait(&r->cv, &r->mu);
    }
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
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
    slot_buf slots[SLOTS_A_THREAD * ASY_PAR_MAX];
    size_t nslots = SLOTS_A_THREAD * (size_t)k;
    for (size_t i = 0; i < nslots; i++)
        slots[i] = (slot_buf){ASY_BUF_INIT, 0, 0, 0, 0};
    run r = {.src = src, .f = f, .from = from, .n = n, .chunk = chunk,
             .nchunks = nchunks, .emit = emit, .ud = ud, .slots = slots,
             .nslots = nslots};
    if (pthread_mutex_init(&r.mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&r.cv, NULL) != 0) {
        pthread_mutex_destroy(&r.mu);
        return -1;
    }
    run *each[ASY_PAR_MAX];
    for (int i = 0; i < k; i++)
        each[i] = &r;
    asy_par_run(work, each, sizeof *each, k);
    for (size_t i = 0; i < nslots; i++)
        asy_buf_free(&slots[i].out);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    return r.stop ? -1 : 0;
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
