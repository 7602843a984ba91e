/*
 * test_worker.c — the thread pool delivers jobs in push order whatever the
 * number of threads and however long each job takes, processes each job
 * exactly once, skips processing for jobs that need none, bounds the
 * number of jobs in flight, and puts the pushing thread to work while it
 * waits.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"
#include "worker.h"

struct asy_job {
    int seq;
    int needs_work;
    int processed;
    int worker;
};

typedef struct ctx {
    int next_expected;
    int delivered;
    int out_of_order;
    int processed_wrongly;
    int inflight, max_inflight;
    int nthreads, by_pusher, bad_worker;
    pthread_mutex_t mu;
} ctx;

static void process(void *ud, int worker, asy_job *job)
{
    ctx *c = ud;
    pthread_mutex_lock(&c->mu);
    c->inflight++;
    if (c->inflight > c->max_inflight)
        c->max_inflight = c->inflight;
    pthread_mutex_unlock(&c->mu);
    /* uneven work so later jobs often finish first */
    struct timespec ts = {0, (long)((job->seq * 7919) % 13) * 20000L};
    nanosleep(&ts, NULL);
    job->processed++;
    job->worker = worker;
    pthread_mutex_lock(&c->mu);
    c->inflight--;
    pthread_mutex_unlock(&c->mu);
}

static int deliver(void *ud, asy_job *job)
{
    ctx *c = ud;
    if (job->seq != c->next_expected)
        c->out_of_order++;
    if (job->processed != job->needs_work)
        c->processed_wrongly++;
    if (job->processed && job->worker == c->nthreads)
        c->by_pusher++;
    if (job->processed && (job->worker < 0 || job->worker > c->nthreads))
        c->bad_worker++;
    c->next_expected = job->seq + 1;
    c->delivered++;
    free(job);
    return 0;
}

static void run_pool(int nthreads, int depth, int njobs)
{
    ctx c = {0};
    c.nthreads = nthreads;
    pthread_mutex_init(&c.mu, NULL);
    asy_pool *p = asy_pool_new(nthreads, depth, process, deliver, &c, 0);
    assert_non_null(p);
    for (int i = 0; i < njobs; i++) {
        asy_job *j = calloc(1, sizeof *j);
        assert_non_null(j);
        j->seq = i;
        j->needs_work = (i % 11) != 5; /* some "notes" need no work */
        assert_int_equal(asy_pool_push(p, j, j->needs_work), 0);
    }
    asy_pool_drain(p);
    assert_int_equal(c.delivered, njobs);
    assert_int_equal(c.out_of_order, 0);
    assert_int_equal(c.processed_wrongly, 0);
    /* the threads, and the pusher as worker `nthreads` while it waits */
    assert_true(c.max_inflight <= nthreads + 1);
    assert_int_equal(c.bad_worker, 0);
    if (nthreads == 0)
        assert_int_equal(c.by_pusher, c.delivered - c.delivered / 11);
    else /* a full ring makes it work (not every job: the threads do too) */
        assert_true(c.by_pusher > 0 && c.by_pusher < njobs - njobs / 11);
    assert_false(asy_pool_failed(p));
    asy_pool_free(p);
    pthread_mutex_destroy(&c.mu);
}

static void test_inline(void **state)
{
    (void)state;
    run_pool(0, 1, 500);
}

static void test_threads_keep_order(void **state)
{
    (void)state;
    run_pool(2, 4, 800);
    run_pool(4, 16, 800);
    run_pool(8, 3, 400); /* depth smaller than the thread count */
}

static int failing_deliver(void *ud, asy_job *job)
{
    (void)ud;
    int fail = job->seq == 3;
    free(job);
    return fail;
}

static void test_deliver_failure_is_remembered(void **state)
{
    (void)state;
    ctx c = {0};
    pthread_mutex_init(&c.mu, NULL);
    asy_pool *p = asy_pool_new(2, 4, process, failing_deliver, &c, 0);
    for (int i = 0; i < 10; i++) {
        asy_job *j = calloc(1, sizeof *j);
        j->seq = i;
        j->needs_work = 1;
        asy_pool_push(p, j, 1);
    }
    asy_pool_drain(p);
    assert_true(asy_pool_failed(p));
    asy_pool_free(p);
    pthread_mutex_destroy(&c.mu);
}

static void test_free_drains(void **state)
{
    (void)state;
    ctx c = {0};
    pthread_mutex_init(&c.mu, NULL);
    asy_pool *p = asy_pool_new(3, 8, process, deliver, &c, 0);
    for (int i = 0; i < 50; i++) {
        asy_job *j = calloc(1, sizeof *j);
        j->seq = i;
        j->needs_work = 1;
        asy_pool_push(p, j, 1);
    }
    asy_pool_free(p); /* must deliver (and so free) every job */
    assert_int_equal(c.delivered, 50);
    assert_int_equal(c.out_of_order, 0);
    pthread_mutex_destroy(&c.mu);
}

/* Push njobs, every `nowork`-th needing no work (0: all need work); then
 * drain and check order, exactly-once processing and worker numbers. The
 * share the pusher takes is left free: on a small ring it may be all. */
static void run_small(int nthreads, int depth, int njobs, int nowork)
{
    ctx c = {0};
    c.nthreads = nthreads;
    pthread_mutex_init(&c.mu, NULL);
    asy_pool *p = asy_pool_new(nthreads, depth, process, deliver, &c, 0);
    assert_non_null(p);
    int work = 0;
    for (int i = 0; i < njobs; i++) {
        asy_job *j = calloc(1, sizeof *j);
        assert_non_null(j);
        j->seq = i;
        j->needs_work = nowork == 1 ? 0 : !(nowork && i % nowork == 0);
        work += j->needs_work;
        assert_int_equal(asy_pool_push(p, j, j->needs_work), 0);
    }
    asy_pool_drain(p);
    assert_int_equal(c.delivered, njobs);
    assert_int_equal(c.out_of_order, 0);
    assert_int_equal(c.processed_wrongly, 0);
    assert_int_equal(c.bad_worker, 0);
    assert_true(c.max_inflight <= nthreads + 1);
    assert_true(c.by_pusher <= work);
    asy_pool_free(p);
    pthread_mutex_destroy(&c.mu);
}

/* Rings of one and two slots (the pusher's "half the ring" is then one
 * job), odd depths, and rings smaller than the thread count. */
static void test_small_rings(void **state)
{
    (void)state;
    for (int t = 1; t <= 7; t += 2) {
        run_small(t, 1, 120, 0);
        run_small(t, 2, 120, 3);
        run_small(t, 3, 120, 0);
        run_small(t, 5, 150, 4);
    }
}

/* Jobs that need no work are delivered in order without being processed,
 * by anyone; mixed with a few that do, on a full ring. */
static void test_jobs_without_work(void **state)
{
    (void)state;
    run_small(3, 4, 300, 1); /* none needs work */
    run_small(2, 4, 300, 2); /* every other */
    run_small(1, 6, 300, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inline),
        cmocka_unit_test(test_threads_keep_order),
        cmocka_unit_test(test_deliver_failure_is_remembered),
        cmocka_unit_test(test_free_drains),
        cmocka_unit_test(test_small_rings),
        cmocka_unit_test(test_jobs_without_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
