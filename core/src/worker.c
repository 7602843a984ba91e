/*
 * worker.c — thread pool with ordered completion (see worker.h).
 *
 * Jobs live in a ring indexed by their push sequence. Workers take the
 * oldest unclaimed job; the pushing thread delivers jobs strictly from the
 * oldest undelivered one, so output order equals push order. The ring's
 * depth bounds memory: a slow document holds back delivery, never reorders.
 * A pusher blocked on a full ring waits for half of it to be finished, not
 * for one job: with many small documents, waking it (a futex call and a
 * context switch) once per document cost more than the documents' own
 * hand-over.
 */
#include <pthread.h>
#include <stdlib.h>

#include "clocale.h"
#include "thread.h"
#include "worker.h"

typedef struct slot {
    asy_job *job;
    int needs_work;
    int done;
} slot;

struct asy_pool {
    int nthreads, depth;
    asy_process_fn process;
    asy_deliver_fn deliver;
    void *ud;
    slot *ring;
    uint64_t pushed;    /* next sequence to push */
    uint64_t taken;     /* next sequence a worker may claim */
    uint64_t delivered; /* next sequence to deliver */
    int closing;
    int failed;
    uint64_t want;      /* the pusher sleeps until this many are ready */
    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* workers: a job is available or closing */
    pthread_cond_t done_cv; /* pusher: a job finished */
    pthread_t *threads;
    int started;
    asy_thread_held caller; /* the pushing thread, when the run is held */
};

typedef struct thread_arg {
    asy_pool *pool;
    int worker;
} thread_arg;

/* The next unclaimed job that needs work, now claimed; skips jobs that
 * need none. NULL when there is none. Called with the mutex held. */
static slot *take(asy_pool *p)
{
    /* Jobs before `delivered` are finished or needed no work; their slots
     * may already hold newer jobs, so never look at them. */
    if (p->taken < p->delivered)
        p->taken = p->delivered;
    while (p->taken < p->pushed) {
        slot *s = &p->ring[p->taken % (uint64_t)p->depth];
        p->taken++;
        if (s->needs_work)
            return s;
    }
    return NULL;
}

/* take(), waiting for a job. NULL when closing and nothing is left. */
static slot *claim(asy_pool *p)
{
    for (;;) {
        slot *s = take(p);
        if (s || p->closing)
            return s;
        pthread_cond_wait(&p->work_cv, &p->mu);
    }
}

/* Process a claimed job (mutex held, released meanwhile) as `worker`. */
static void run(asy_pool *p, slot *s, int worker)
{
    asy_job *job = s->job;
    pthread_mutex_unlock(&p->mu);
    p->process(p->ud, worker, job);
    pthread_mutex_lock(&p->mu);
    s->done = 1;
}

/* Whether the `n` oldest undelivered jobs are all finished or need no
 * work. Called with the mutex held. */
static int ready(const asy_pool *p, uint64_t n)
{
    for (uint64_t q = p->delivered; q < p->delivered + n; q++) {
        const slot *s = &p->ring[q % (uint64_t)p->depth];
        if (q >= p->pushed || (s->needs_work && !s->done))
            return 0;
    }
    return 1;
}

/* Until the `n` oldest undelivered jobs are ready, the pushing thread
 * works on jobs nobody has claimed (it is the last worker), then sleeps.
 * Called with the mutex held, by the pushing thread only. */
static void wait_ready(asy_pool *p, uint64_t n)
{
    while (!ready(p, n)) {
        slot *s = take(p);
        if (s) {
            run(p, s, p->nthreads);
            continue;
        }
        p->want = n;
        pthread_cond_wait(&p->done_cv, &p->mu);
        p->want = 0;
    }
}

static void *worker_main(void *arg)
{
    thread_arg *a = arg;
    asy_pool *p = a->pool;
    int w = a->worker;
    free(a);
    asy_clocale_enter(); /* the library's thread: for good (clocale.h) */
    pthread_mutex_lock(&p->mu);
    slot *s;
    while ((s = claim(p)) != NULL) {
        run(p, s, w);
        if (p->want && ready(p, p->want))
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static int start_threads(asy_pool *p)
{
    p->threads = calloc((size_t)p->nthreads, sizeof *p->threads);
    if (!p->threads)
        return -1;
    for (int i = 0; i < p->nthreads; i++) {
        thread_arg *a = malloc(sizeof *a);
        if (!a)
            return -1;
        a->pool = p;
        a->worker = i;
        pthread_t *th = &p->threads[i];
        /* (a thread held by another pool's run starts its threads among
         * that run's processors, not on its one) */
        int rc = p->caller.held || asy_thread_is_held()
                     ? asy_thread_start(th, worker_main, a, i + 1,
                                        p->caller.held)
                     : pthread_create(th, NULL, worker_main, a);
        if (rc != 0) {
            free(a);
            return -1;
        }
        p->started++;
    }
    return 0;
}

asy_pool *asy_pool_new(int nthreads, int depth, asy_process_fn process,
                       asy_deliver_fn deliver, void *ud, int hold)
{
    asy_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->nthreads = nthreads < 0 ? 0 : nthreads;
    p->depth = depth < 1 ? 1 : depth;
    p->process = process;
    p->deliver = deliver;
    p->ud = ud;
    p->ring = calloc((size_t)p->depth, sizeof *p->ring);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);
    /* a processor each: the pushing thread on its own, the workers on the
     * next ones (thread.h). Only when they take all of this process's
     * processors: with fewer threads, two runs at once would hold theirs
     * on the same processors, the others left idle. */
    if (hold && p->ring && p->nthreads > 0 &&
        p->nthreads + 1 == asy_thread_cpus())
        asy_thread_hold(&p->caller);
    if (!p->ring || (p->nthreads > 0 && start_threads(p) < 0)) {
        asy_pool_free(p);
        return NULL;
    }
    return p;
}

/* Deliver finished jobs from the head of the ring. With `wait`, block until
 * the head finishes while anything is in flight. Called with mu held;
 * delivery itself runs unlocked (it may write files). */
static void deliver_ready(asy_pool *p, int wait)
{
    while (p->delivered < p->pushed) {
        slot *s = &p->ring[p->delivered % (uint64_t)p->depth];
        if (s->needs_work && !s->done) {
            if (!wait)
                return;
            wait_ready(p, 1);
            continue;
        }
        asy_job *job = s->job;
        s->job = NULL;
        p->delivered++;
        pthread_mutex_unlock(&p->mu);
        if (p->deliver(p->ud, job) != 0)
            p->failed = 1;
        pthread_mutex_lock(&p->mu);
    }
}

int asy_pool_push(asy_pool *p, asy_job *job, int needs_work)
{
    if (p->nthreads == 0) {
        if (needs_work)
            p->process(p->ud, 0, job);
        if (p->deliver(p->ud, job) != 0)
            p->failed = 1;
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    while (p->pushed - p->delivered >= (uint64_t)p->depth) {
        if (!ready(p, 1))
            wait_ready(p, (uint64_t)(p->depth + 1) / 2);
        deliver_ready(p, 0);
    }
    slot *s = &p->ring[p->pushed % (uint64_t)p->depth];
    s->job = job;
    s->needs_work = needs_work;
    s->done = 0;
    p->pushed++;
    pthread_cond_signal(&p->work_cv);
    deliver_ready(p, 0);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void asy_pool_drain(asy_pool *p)
{
    if (!p || p->nthreads == 0)
        return;
    pthread_mutex_lock(&p->mu);
    deliver_ready(p, 1);
    pthread_mutex_unlock(&p->mu);
}

int asy_pool_failed(const asy_pool *p)
{
    return p->failed;
}

void asy_pool_free(asy_pool *p)
{
    if (!p)
        return;
    if (p->ring)
        asy_pool_drain(p);
    pthread_mutex_lock(&p->mu);
    p->closing = 1;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    asy_thread_release(&p->caller);
    free(p->threads);
    free(p->ring);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work_cv);
    pthread_cond_destroy(&p->done_cv);
    free(p);
}
