/*
 * test_thread.c — thread.h: holding a thread on its processor and giving
 * its processors back (only by the thread held); threads started on the
 * k-th processor after their creator's (the others in turn, then the
 * creator's own, then round again), held there or then free on all of
 * their creator's; a held thread's threads placed among the processors it
 * was held from, not on its one (a pool's workers; asy_par_run's helpers,
 * free); nothing held where the process may use a single processor; a
 * pool with hold set and as many threads as processors holds its pushing
 * thread for its life and each worker on another processor. The cases
 * that need two processors, or a system that lets a thread be held, are
 * skipped, saying so, where there are not. And asy_par_run's crew: a held
 * thread's tasks run by threads waiting on the other processors; and
 * asy_thread_spin, the wait they spin in.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "par.h"
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

static void busy(double us)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((double)(b.tv_sec - a.tv_sec) * 1e6 +
               (double)(b.tv_nsec - a.tv_nsec) / 1e3 <
           us);
}

static int mine(cpu_set_t *set)
{
    assert_int_equal(sched_getaffinity(0, sizeof *set, set), 0);
    return CPU_COUNT(set);
}

/* The k-th processor of set after cur: the others in turn, then cur, then
 * round again (thread.h). */
static int kth_after(const cpu_set_t *set, int cur, int k)
{
    k = (k - 1) % CPU_COUNT(set);
    for (int i = 1; i <= CPU_SETSIZE; i++) {
        int c = (cur + i) % CPU_SETSIZE;
        if (CPU_ISSET(c, set) && k-- == 0)
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

/* Two processors, and a system that lets a thread be held: else skip. */
static int hold_or_skip(cpu_set_t *set)
{
    int n = two_or_skip(set);
    asy_thread_held h;
    if (!asy_thread_hold(&h)) {
        printf("SKIP: the system does not let a thread be held on one "
               "processor\n");
        skip();
    }
    asy_thread_release(&h);
    return n;
}

/* hold_or_skip, then the calling thread held (h). */
static int held_or_skip(cpu_set_t *set, asy_thread_held *h)
{
    int n = hold_or_skip(set);
    assert_int_equal(asy_thread_hold(h), 1);
    return n;
}

static void test_hold_and_release(void **state)
{
    (void)state;
    cpu_set_t all, now;
    int n = hold_or_skip(&all);
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
    asy_thread_held h;
    int n = held_or_skip(&all, &h);
    int cur = sched_getcpu();
    for (int k = 1; k <= 2 * n + 1; k++) {
        seen s = {.cpu = -1, .value = k};
        pthread_t th;
        void *ret = NULL;
        assert_int_equal(asy_thread_start(&th, look, &s, k, 1), 0);
        assert_int_equal(pthread_join(th, &ret), 0);
        assert_ptr_equal(ret, &s.value);
        int want = kth_after(&all, cur, k);
        assert_true(k % n != 0 ? want != cur : want == cur);
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
    asy_thread_held h;
    int n = held_or_skip(&all, &h);
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
 * thread held from asy_pool_new to asy_pool_free and each worker held on
 * another processor; with fewer threads, or hold = 0, nothing held; from
 * a thread held already (another run's), its workers among that run's
 * processors, not on the one. Each job is busy for a while, so that the
 * workers take some (the pushing thread takes them only when the ring is
 * full). */
typedef struct pooled {
    int worker[64], cpu[64], held[64], ncpus[64], all[64];
    const cpu_set_t *run;
} pooled;

static void process(void *ud, int worker, asy_job *job)
{
    pooled *p = ud;
    int i = (int)(intptr_t)job;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    p->worker[i] = worker;
    p->cpu[i] = sched_getcpu();
    p->held[i] = asy_thread_is_held();
    p->ncpus[i] = CPU_COUNT(&set);
    p->all[i] = CPU_EQUAL(&set, p->run);
    busy(300);
}

static int deliver(void *ud, asy_job *job)
{
    (void)ud;
    (void)job;
    return 0;
}

/* Run 64 jobs through p; returns how many ran on its workers. */
static int run_jobs(asy_pool *p, pooled *pl, int nthreads)
{
    for (int i = 0; i < 64; i++)
        assert_int_equal(asy_pool_push(p, (asy_job *)(intptr_t)i, 1), 0);
    asy_pool_drain(p);
    asy_pool_free(p);
    int on_workers = 0;
    for (int i = 0; i < 64; i++)
        on_workers += pl->worker[i] < nthreads;
    return on_workers;
}

static void test_pool_holds(void **state)
{
    (void)state;
    cpu_set_t all, now;
    int n = hold_or_skip(&all);
    pooled pl = {.run = &all};
    asy_pool *p = asy_pool_new(n - 1, 4, process, deliver, &pl, 1);
    assert_non_null(p);
    assert_true(asy_thread_is_held());
    int cur = sched_getcpu();
    mine(&now);
    assert_int_equal(CPU_COUNT(&now), 1);
    assert_true(run_jobs(p, &pl, n - 1) > 0);
    assert_false(asy_thread_is_held());
    mine(&now);
    assert_true(CPU_EQUAL(&now, &all));
    for (int i = 0; i < 64; i++) { /* each on one processor, held */
        assert_true(pl.held[i]);
        assert_int_equal(pl.ncpus[i], 1);
        /* worker k - 1 on the k-th after cur; the pusher, k = n, on cur */
        assert_int_equal(pl.cpu[i], kth_after(&all, cur, pl.worker[i] + 1));
    }
    /* fewer threads than processors, or hold = 0: nothing held */
    for (int k = 0; k < 2; k++) {
        int t = k == 0 && n > 2 ? n - 2 : n - 1;
        p = asy_pool_new(t, 4, process, deliver, &pl, k == 0 && n > 2);
        assert_non_null(p);
        assert_false(asy_thread_is_held());
        run_jobs(p, &pl, t);
        for (int i = 0; i < 64; i++) {
            assert_false(pl.held[i]);
            assert_true(pl.all[i]);
        }
        mine(&now);
        assert_true(CPU_EQUAL(&now, &all));
    }
}

static void test_pool_in_held_thread(void **state)
{
    (void)state;
    cpu_set_t all;
    asy_thread_held h;
    int n = held_or_skip(&all, &h);
    pooled pl = {.run = &all};
    asy_pool *p = asy_pool_new(n - 1, 4, process, deliver, &pl, 1);
    assert_non_null(p);
    assert_true(run_jobs(p, &pl, n - 1) > 0);
    for (int i = 0; i < 64; i++)
        if (pl.worker[i] < n - 1) { /* free among the run's processors */
            assert_false(pl.held[i]);
            assert_true(pl.all[i]);
        }
    assert_true(asy_thread_is_held()); /* the outer hold is still on */
    asy_thread_release(&h);
    assert_false(asy_thread_is_held());
}

/* asy_par_run from a held thread: its helpers not on the caller's one
 * processor alone, free among the run's (more of them than processors
 * too), not held. */
typedef struct partask {
    int ncpus, held, all;
    const cpu_set_t *run;
} partask;

static void par_look(void *arg)
{
    partask *t = arg;
    cpu_set_t set;
    assert_int_equal(sched_getaffinity(0, sizeof set, &set), 0);
    t->ncpus = CPU_COUNT(&set);
    t->held = asy_thread_is_held();
    t->all = CPU_EQUAL(&set, t->run);
    busy(200);
}

static void test_par_from_held(void **state)
{
    (void)state;
    cpu_set_t all;
    asy_thread_held h;
    int n = held_or_skip(&all, &h);
    partask t[8];
    int m = 2 * n + 1 < 8 ? 2 * n + 1 : 8;
    for (int i = 0; i < m; i++)
        t[i].run = &all;
    asy_par_run(par_look, t, sizeof *t, m);
    assert_true(t[0].held); /* the caller's own task, on its one */
    assert_int_equal(t[0].ncpus, 1);
    for (int i = 1; i < m; i++) {
        assert_false(t[i].held);
        assert_true(t[i].all);
    }
    asy_thread_release(&h);
    asy_par_run(par_look, t, sizeof *t, 2); /* not held: as before */
    assert_false(t[1].held);
    assert_true(t[1].all);
}

/* A crew (par.h): none for a thread not held, one at a time; for a held
 * thread, its members run the first tasks after the caller's, each held
 * on another processor, and no thread is started for a call; every task
 * runs once, each time on the same member, also when the members have
 * gone to sleep (past their 1 ms of spinning) and when the caller waits
 * past its own; tasks beyond the crew go to threads as before; a
 * member's own asy_par_run works, and so does
 * the caller's from its own task while the members are at theirs; once the
 * caller is no longer held, or the crew has ended, threads again. */
typedef struct crewtask {
    int cpu, held, runs;
    pthread_t self;
    double work_us; /* busy this long */
    int nested;     /* asy_par_run(sub) from the task */
    int sub[3];
} crewtask;

static void sub_add(void *arg)
{
    (*(int *)arg)++;
}

static void crew_look(void *arg)
{
    crewtask *t = arg;
    t->cpu = sched_getcpu();
    t->held = asy_thread_is_held();
    t->self = pthread_self();
    t->runs++;
    busy(t->work_us);
    if (t->nested)
        asy_par_run(sub_add, t->sub, sizeof t->sub[0], 3);
}

static void test_par_crew(void **state)
{
    (void)state;
    assert_null(asy_par_crew_begin(1)); /* not held */
    cpu_set_t all;
    asy_thread_held h;
    int n = held_or_skip(&all, &h);
    if (n > ASY_PAR_MAX - 2)
        n = ASY_PAR_MAX - 2;
    asy_par_crew *c = asy_par_crew_begin(n + 3); /* n - 1 at most */
    assert_non_null(c);
    assert_null(asy_par_crew_begin(1)); /* one at a time */
    int me = sched_getcpu();
    uint64_t before = asy_par_started();
    crewtask t[ASY_PAR_MAX];
    pthread_t first[ASY_PAR_MAX]; /* the members, as seen in round 0 */
    for (int round = 0; round < 300; round++) {
        memset(t, 0, sizeof t);
        if (round % 10 == 5)
            t[1].work_us = 1000 + 50 * (round % 7); /* the caller waits
                                                       past its spin */
        asy_par_run(crew_look, t, sizeof *t, n);
        assert_int_equal(t[0].runs, 1);
        assert_true(pthread_equal(t[0].self, pthread_self()));
        cpu_set_t used;
        CPU_ZERO(&used);
        CPU_SET(me, &used);
        for (int i = 1; i < n; i++) {
            assert_int_equal(t[i].runs, 1);
            assert_false(pthread_equal(t[i].self, pthread_self()));
            assert_true(t[i].held);
            assert_false(CPU_ISSET(t[i].cpu, &used)); /* one each */
            CPU_SET(t[i].cpu, &used);
            if (round == 0)
                first[i] = t[i].self;
            assert_true(pthread_equal(t[i].self, first[i])); /* the same */
        }
        if (round % 10 == 0)
            busy(1000 + 50 * (round % 7)); /* the members go to sleep */
    }
    assert_int_equal(asy_par_started(), before); /* no thread started */
    memset(t, 0, sizeof t);
    asy_par_run(crew_look, t, sizeof *t, n + 2); /* two beyond the crew */
    for (int i = 0; i < n + 2; i++)
        assert_int_equal(t[i].runs, 1);
    assert_false(t[n].held);
    assert_false(t[n + 1].held);
    assert_int_equal(asy_par_started(), before + 2);
    memset(t, 0, sizeof t);
    t[1].nested = 1;
    asy_par_run(crew_look, t, sizeof *t, 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(t[1].sub[i], 1);
    /* the caller's own task calls it while the members are at theirs */
    for (int round = 0; round < 50; round++) {
        memset(t, 0, sizeof t);
        t[0].nested = 1;
        for (int i = 1; i < n; i++)
            t[i].work_us = round % 2 ? 0 : 300;
        asy_par_run(crew_look, t, sizeof *t, n);
        for (int i = 0; i < n; i++)
            assert_int_equal(t[i].runs, 1);
        for (int i = 0; i < 3; i++)
            assert_int_equal(t[0].sub[i], 1);
    }
    asy_thread_release(&h); /* not held: the crew stands by */
    before = asy_par_started();
    memset(t, 0, sizeof t);
    asy_par_run(crew_look, t, sizeof *t, 2);
    assert_int_equal(t[1].runs, 1);
    assert_false(t[1].held);
    assert_int_equal(asy_par_started(), before + 1);
    asy_par_crew_end(c);
    asy_par_crew_end(NULL);
    assert_int_equal(asy_thread_hold(&h), 1); /* ended: threads again */
    before = asy_par_started();
    memset(t, 0, sizeof t);
    asy_par_run(crew_look, t, sizeof *t, 2);
    assert_int_equal(t[1].runs, 1);
    assert_int_equal(asy_par_started(), before + 1);
    asy_thread_release(&h);
}

/* asy_thread_spin: 1 as soon as the condition holds (set by another
 * thread), 0 once the time has run out, not much later. */
static int flag_set(const void *arg)
{
    return atomic_load((const _Atomic int *)arg) != 0;
}

static void *set_flag(void *arg)
{
    busy(300);
    atomic_store((_Atomic int *)arg, 1);
    return NULL;
}

static double ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 +
           (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static void test_spin(void **state)
{
    (void)state;
    _Atomic int flag = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(asy_thread_spin(flag_set, &flag, 2000000L), 0);
    double took = ms_since(&t0);
    assert_true(took >= 2.0);
    assert_true(took < 1000.0); /* (a loaded machine may stretch it) */
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, set_flag, &flag), 0);
    assert_int_equal(asy_thread_spin(flag_set, &flag, 5000000000L), 1);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(asy_thread_spin(flag_set, &flag, 0), 1); /* at once */
}

/* A hold is given back only by the thread held: from another, nothing. */
static void *release_it(void *arg)
{
    asy_thread_release(arg);
    return NULL;
}

static void test_release_elsewhere(void **state)
{
    (void)state;
    cpu_set_t all, now;
    asy_thread_held h;
    held_or_skip(&all, &h);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, release_it, &h), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(h.held);
    assert_true(asy_thread_is_held());
    mine(&now);
    assert_int_equal(CPU_COUNT(&now), 1);
    asy_thread_release(&h);
    assert_false(asy_thread_is_held());
    mine(&now);
    assert_true(CPU_EQUAL(&now, &all));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hold_and_release),
        cmocka_unit_test(test_started_held),
        cmocka_unit_test(test_started_free),
        cmocka_unit_test(test_one_processor),
        cmocka_unit_test(test_pool_holds),
        cmocka_unit_test(test_pool_in_held_thread),
        cmocka_unit_test(test_par_from_held),
        cmocka_unit_test(test_release_elsewhere),
        cmocka_unit_test(test_par_crew),
        cmocka_unit_test(test_spin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
