/*
 * thread.c — holding a run's threads on processors of their own
 * (thread.h), with sched_setaffinity: Linux, glibc.
 */
#define _GNU_SOURCE /* cpu_set_t, sched_getcpu, pthread_attr_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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
    int n = run_set(&set) ? CPU_COUNT(&set) : 1;
    return n > 0 ? n : 1;
}

int asy_thread_is_held(void)
{
    return held;
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
    h->tid = (pid_t)syscall(SYS_gettid);
    h->held = 1;
    held_from = was;
    held = 1;
    return 1;
}

void asy_thread_release(asy_thread_held *h)
{
    if (!h->held)
        return;
    cpu_set_t was;
    memcpy(&was, h->was, sizeof was);
    sched_setaffinity(h->tid, sizeof was, &was);
    if (h->tid == (pid_t)syscall(SYS_gettid))
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
                it on its first processor, which still runs it) */
        sched_setaffinity(0, sizeof l.run, &l.run);
    }
    return l.fn(l.arg);
}

/* The k-th processor of set after cur (cyclically, cur itself not
 * counted), or -1 when there is no other. */
static int pick(const cpu_set_t *set, int cur, int k)
{
    int others = CPU_COUNT(set) - (CPU_ISSET(cur, set) ? 1 : 0);
    if (others < 1 || k < 1)
        return -1;
    k = (k - 1) % others; /* the k-th other, from 0 */
    for (int i = 1; i <= CPU_SETSIZE; i++) {
        int c = (cur + i) % CPU_SETSIZE;
        if (c != cur && CPU_ISSET(c, set) && k-- == 0)
            return c;
    }
    return -1;
}

int asy_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, int k,
                     int hold)
{
    launch *l = malloc(sizeof *l);
    int cur = sched_getcpu();
    int to = l && cur >= 0 && cur < CPU_SETSIZE && run_set(&l->run)
                 ? pick(&l->run, cur, k)
                 : -1;
    if (to >= 0) {
        pthread_attr_t attr;
        cpu_set_t first;
        CPU_ZERO(&first);
        CPU_SET(to, &first);
        l->fn = fn;
        l->arg = arg;
        l->hold = hold;
        int rc = -1;
        if (pthread_attr_init(&attr) == 0) {
            if (pthread_attr_setaffinity_np(&attr, sizeof first, &first) == 0)
                rc = pthread_create(th, &attr, trampoline, l);
            pthread_attr_destroy(&attr);
        }
        if (rc == 0)
            return 0;
        /* the processor may have gone offline: as the system places it */
    }
    free(l);
    return pthread_create(th, NULL, fn, arg);
}
