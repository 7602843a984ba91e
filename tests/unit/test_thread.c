/*
 * test_thread.c — thread.h: holding a thread on its processor and giving
 * its processors back; threads started held on the k-th processor after
 * their creator's (k wrapping round), or started there and then free to
 * run on all of their creator's; a held thread's threads placed among the
 * processors it was held from, not on its one; nothing held where the
 * process may use a single processor; a pool with hold set and as many
 * threads as processors holds its pushing thread for its life. The cases that need two processors are
 * skipped, saying so, where this process may use only one.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "thread.h"
#include "worker.h"

typedef struct seen {
    int cpu;           /* where the function ran */
    cpu_set_t allowed; /* its processors */
    int held, cpus;    /* asy_thread_is_held, asy_thread_cpus */
    int value;
} seen;

static void *look(void *arg)
{
    seen *s = arg;
    s->cpu = sched_getcpu();
    assert_int_equal(sched_getaffinity(0, sizeof s->allowed, &s->allowed),
                     0);
    s->held = asy_thread_is_held();
    s->cpus = asy_thread_cpus();
    return &s->value;
}

static int mine(cpu_set_t *set)
{
    assert_int_equal(sched_getaffinity(0, sizeof *set, set), 0);
    return CPU_COUNT(set);
}

/* The k-th processor of set after cur, cur not counted (thread.h). */
static int kth_after(const cpu_set_t *set, int cur, int k)
{
    int others = CPU_COUNT(set) - (CPU_ISSET(cur, set) ? 1 : 0);
    k = (k - 1) % others;
    for (int i = 1; i <= CPU_SETSIZE; i++) {
        int c = (cur + i) % CPU_SETSIZE;
        if (c != cur && CPU_ISSET(c, set) && k-- == 0)
            return c;
    }
    return -1;
}

static int two_or_skip(cpu_set_t *set)
{
    int n = mine(set);
    if (n < 2) {
        printf("SKIP: this process may use %d processor; holding threads "
               "needs two\n", n);
        skip();
    }
    return n;
}

static void test_hold_and_release(void **state)
{
    (void)state;
    cpu_set_t all, now;
    int n = two_or_skip(&all);
    asy_thread_held h, again;
    assert_int_equal(asy_thread_hold(&h), 1);
    assert_true(h.held);
    assert_true(asy_thread_is_held());
    int cur = sched_getcpu();
    mine(&now);
    assert_int_equal(CPU_COUNT(&now), 1);
    assert_true(CPU_ISSET(cur, &now));
    assert_int_equal(asy_thread_cpus(), n); /* the run's, not its one */
    assert_int_equal(asy_thread_hold(&again), 0); /* held already */
    assert_false(again.held);
    asy_thread_release(&again); /* nothing */
    assert_true(asy_thread_is_held());
    asy_thread_release(&h);
    assert_false(asy_thread_is_held());
    mine(&now);
    assert_true(CPU_EQUAL(&now, &all));
    asy_thread_release(&h); /* once is enough */
    mine(&now);
    assert_true(CPU_EQUAL(&now, &all));
}

/* Held, the creator cannot move: where each thread starts is known. */
static void test_started_held(void **state)
{
    (void)state;
    cpu_set_t all;
    int n = two_or_skip(&all);
    asy_thread_held h;
    assert_int_equal(asy_thread_hold(&h), 1);
    int cur = sched_getcpu();
    for (int k = 1; k <= 2 * n + 1; k++) {
        seen s = {.cpu = -1, .value = k};
        pthread_t th;
        void *ret = NULL;
        assert_int_equal(asy_thread_start(&th, look, &s, k, 1), 0);
        assert_int_equal(pthread_join(th, &ret), 0);
        assert_ptr_equal(ret, &s.value);
        int want = kth_after(&all, cur, k);
        assert_int_not_equal(want, cur);
        assert_int_equal(s.cpu, want);
        assert_int_equal(CPU_COUNT(&s.allowed), 1); /* held there */
        assert_true(CPU_ISSET(want, &s.allowed));
        assert_true(s.held);
        assert_int_equal(s.cpus, n);
    }
    asy_thread_release(&h);
}

/* Not held: started on the k-th processor, then free on all of the
 * creator's run's (here those the creator was held from). */
static void test_started_free(void **state)
{
    (void)state;
    cpu_set_t all;
    int n = two_or_skip(&all);
    asy_thread_held h;
    assert_int_equal(asy_thread_hold(&h), 1);
    for (int k = 1; k <= n; k++) {
        seen s = {.cpu = -1};
        pthread_t th;
        assert_int_equal(asy_thread_start(&th, look, &s, k, 0), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        assert_true(CPU_EQUAL(&s.allowed, &all));
        assert_false(s.held);
        assert_int_equal(s.cpus, n);
        assert_true(s.cpu >= 0);
    }
    asy_thread_release(&h);
    /* and from a thread that is not held: its own processors */
    seen s = {.cpu = -1};
    pthread_t th;
    assert_int_equal(asy_thread_start(&th, look, &s, 1, 0), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(CPU_EQUAL(&s.allowed, &all));
    assert_false(s.held);
}

static void test_one_processor(void **state)
{
    (void)state;
    cpu_set_t was, one, now;
    mine(&was);
    int cur = sched_getcpu();
    assert_true(cur >= 0);
    CPU_ZERO(&one);
    CPU_SET(cur, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    asy_thread_held h;
    assert_int_equal(asy_thread_hold(&h), 0); /* nothing to gain */
    assert_false(h.held);
    assert_false(asy_thread_is_held());
    assert_int_equal(asy_thread_cpus(), 1);
    seen s = {.cpu = -1};
    pthread_t th;
    assert_int_equal(asy_thread_start(&th, look, &s, 1, 1), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(s.cpu, cur);
    assert_false(s.held); /* placed by the system, as pthread_create */
    asy_thread_release(&h);
    mine(&now);
    assert_true(CPU_EQUAL(&now, &one)); /* release changed nothing */
    assert_int_equal(sched_setaffinity(0, sizeof was, &was), 0);
}

/* A pool that holds: with as many threads as processors, its pushing
 * thread held from asy_pool_new to asy_pool_free and its workers each on
 * another processor; with fewer threads, or hold = 0, nothing held. */
typedef struct pooled {
    int cpu[64], held[64];
} pooled;

static void process(void *ud, int worker, asy_job *job)
{
    (void)worker;
    pooled *p = ud;
    int i = (int)(intptr_t)job;
    p->cpu[i] = sched_getcpu();
    p->held[i] = asy_thread_is_held();
}

static int deliver(void *ud, asy_job *job)
{
    (void)ud;
    (void)job;
    return 0;
}

static void test_pool_holds(void **state)
{
    (void)state;
    cpu_set_t all, now;
    int n = two_or_skip(&all);
    pooled pl = {{0}, {0}};
    asy_pool *p = asy_pool_new(n - 1, 4, process, deliver, &pl, 1);
    assert_non_null(p);
    assert_true(asy_thread_is_held());
    mine(&now);
    assert_int_equal(CPU_COUNT(&now), 1);
    for (int i = 0; i < 64; i++)
        assert_int_equal(asy_pool_push(p, (asy_job *)(intptr_t)i, 1), 0);
    asy_pool_drain(p);
    asy_pool_free(p);
    assert_false(asy_thread_is_held());
    mine(&now);
    assert_true(CPU_EQUAL(&now, &all));
    /* every job ran held, on one of the run's processors */
    for (int i = 0; i < 64; i++) {
        assert_true(pl.held[i]);
        assert_true(CPU_ISSET(pl.cpu[i], &all));
    }
    /* fewer threads than processors, or hold = 0: nothing held */
    for (int k = 0; k < 2; k++) {
        p = k == 0 && n > 2 ? asy_pool_new(n - 2, 4, process, deliver, &pl, 1)
                            : asy_pool_new(n - 1, 4, process, deliver, &pl, 0);
        assert_non_null(p);
        assert_false(asy_thread_is_held());
        for (int i = 0; i < 64; i++)
            assert_int_equal(asy_pool_push(p, (asy_job *)(intptr_t)i, 1), 0);
        asy_pool_drain(p);
        asy_pool_free(p);
        for (int i = 0; i < 64; i++)
            assert_false(pl.held[i]);
        mine(&now);
        assert_true(CPU_EQUAL(&now, &all));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_and_release),
        cmocka_unit_test(test_started_held),
        cmocka_unit_test(test_started_free),
        cmocka_unit_test(test_one_processor),
        cmocka_unit_test(test_pool_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
