/*
 * thread.c — holding a run's threads on processors of their own
 * (thread.h), with sched_setaffinity: Linux, glibc. A fixed cpu_set_t
 * (1,024 processors): on a machine with more, the masks cannot be read,
 * nothing is held and the processors are counted as online.
 */
#define _GNU_SOURCE /* cpu_set_t, sched_getcpu, pthread_attr_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "thread.h"

_Static_assert(sizeof(((asy_thread_held *)0)->was) == sizeof(cpu_set_t),
               "asy_thread_held.was holds a cpu_set_t");

/* A held thread's run: the processors it was held from. */
static __thread int held;
static __thread cpu_set_t held_from;

/* The calling thread's run's processors into *set: 1, or 0 when unknown. */
static int run_set(cpu_set_t *set)
{
    if (held) {
        *set = held_from;
        return 1;
    }
    return sched_getaffinity(0, sizeof *set, set) == 0;
}

int asy_thread_cpus(void)
{
    cpu_set_t set;
    long n = run_set(&set) ? CPU_COUNT(&set) : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 1 << 20 ? 1 << 20 : (int)n;
}

int asy_thread_is_held(void)
{
    return held;
}

static pid_t my_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

int asy_thread_hold(asy_thread_held *h)
{
    cpu_set_t was, one;
    h->held = 0;
    int cur = sched_getcpu();
    if (held || cur < 0 || cur >= CPU_SETSIZE ||
        sched_getaffinity(0, sizeof was, &was) != 0 || CPU_COUNT(&was) < 2 ||
        !CPU_ISSET(cur, &was))
        return 0;
    CPU_ZERO(&one);
    CPU_SET(cur, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0)
        return 0;
    memcpy(h->was, &was, sizeof was);
    h->tid = my_tid();
    h->held = 1;
    held_from = was;
    held = 1;
    return 1;
}

void asy_thread_release(asy_thread_held *h)
{
    if (!h->held || h->tid != my_tid())
        return; /* (thread.h: only the held thread gives its hold back) */
    cpu_set_t was;
    memcpy(&was, h->was, sizeof was);
    if (sched_setaffinity(0, sizeof was, &was) != 0) {
        /* its processors changed meanwhile (a CPU set shrunk, one went
         * offline): every one, which the system cuts to those allowed */
        memset(&was, 0xff, sizeof was);
        sched_setaffinity(0, sizeof was, &was);
    }
    held = 0;
    h->held = 0;
}

typedef struct launch {
    void *(*fn)(void *);
    void *arg;
    int hold;
    cpu_set_t run; /* the creator's run's processors */
} launch;

static void *trampoline(void *p)
{
    launch l = *(launch *)p;
    free(p);
    if (l.hold) { /* stays where it was started */
        held_from = l.run;
        held = 1;
    } else { /* may go anywhere the creator's run may (a failure leaves
                it where it started, which still runs it) */
        sched_setaffinity(0, sizeof l.run, &l.run);
    }
    return l.fn(l.arg);
}

/* The k-th processor of set after cur, in the order cur + 1, cur + 2, ...
 * round to cur itself, then again: k up to the number of other processors
 * gives each of them once; beyond, the threads are spread over all of
 * them, cur's too. -1 when set has no processor but cur. */
static int pick(const cpu_set_t *set, int cur, int k)
{
    int count = CPU_COUNT(set);
    if (count - (CPU_ISSET(cur, set) ? 1 : 0) < 1 || k < 1)
        return -1;
    k = (k - 1) % count; /* from 0 */
    for (int i = 1; i <= CPU_SETSIZE; i++) {
        int c = (cur + i) % CPU_SETSIZE; /* cur last */
        if (CPU_ISSET(c, set) && k-- == 0)
            return c;
    }
    return -1;
}

/* Start l's thread first on the processors of *first; 0, or -1 or
 * pthread_create's error. */
static int create(pthread_t *th, launch *l, const cpu_set_t *first)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return -1;
    int rc = pthread_attr_setaffinity_np(&attr, sizeof *first, first);
    if (rc == 0)
        rc = pthread_create(th, &attr, trampoline, l);
    pthread_attr_destroy(&attr);
    return rc;
}

int asy_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, int k,
                     int hold)
{
    launch *l = malloc(sizeof *l);
    int cur = sched_getcpu();
    if (!l || !run_set(&l->run)) {
        free(l);
        /* nothing known of the processors: nothing held either (a held
         * thread knows its run's), so it gets the caller's */
        return pthread_create(th, NULL, fn, arg);
    }
    l->fn = fn;
    l->arg = arg;
    l->hold = hold;
    int to = cur >= 0 && cur < CPU_SETSIZE ? pick(&l->run, cur, k) : -1;
    if (to >= 0) {
        cpu_set_t first;
        CPU_ZERO(&first);
        CPU_SET(to, &first);
        if (create(th, l, &first) == 0)
            return 0;
    }
    /* no other processor, or it could not be had (gone offline): the
     * system places it among the run's, free, not held on one the caller
     * may be held on */
    l->hold = 0;
    if (create(th, l, &l->run) == 0)
        return 0;
    int rc = pthread_create(th, NULL, trampoline, l); /* it resets its own */
    if (rc != 0)
        free(l);
    return rc;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int asy_thread_spin(int (*ready)(const void *arg), const void *arg, long ns)
{
    long long until = now_ns() + ns;
    for (unsigned i = 1;; i++) {
        if (ready(arg))
            return 1;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (i % 128 == 0) {
            if (now_ns() > until)
                return ready(arg);
            sched_yield();
        }
    }
}
