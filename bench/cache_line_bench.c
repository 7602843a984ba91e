/*
 * cache_line_bench.c — how far apart the host has put two of this
 * machine's processors: the time for one cache line to go from the first
 * processor this process may use to the second and back (two threads,
 * each held on one, taking turns to write it). On the two-vCPU guest we
 * measure on it reads 84-150 ns in the host's fast state and 378-388 ns
 * in its slow one, when a -j 2 run over JSON Lines takes a fifth longer
 * (bench/RESULTS.md, session 21). Prints the median of 9 batches.
 *   cache_line_bench [ROUNDS_PER_BATCH=100000]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static _Atomic long line __attribute__((aligned(64)));
static long rounds;
static int cpu[2];

static int hold(int c)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(c, &s);
    return pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

/* The second processor's side: answers each odd value with the next. */
static void *answer(void *arg)
{
    long batches = *(long *)arg;
    hold(cpu[1]); /* where it cannot be held, it answers from anywhere */
    for (long v = 1; v < 2 * rounds * batches; v += 2) {
        while (atomic_load_explicit(&line, memory_order_acquire) != v)
            ;
        atomic_store_explicit(&line, v + 1, memory_order_release);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : 100000;
    cpu_set_t all;
    if (rounds < 1 || sched_getaffinity(0, sizeof all, &all) != 0)
        return 2;
    int n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &all))
            cpu[n++] = c;
    if (n < 2) {
        printf("cache line round trip: one processor only\n");
        return 0;
    }
    enum { BATCHES = 9 };
    long batches = BATCHES;
    pthread_t th;
    if (hold(cpu[0]) != 0 || pthread_create(&th, NULL, answer, &batches))
        return 2;
    double ns[BATCHES];
    long v = 1;
    for (int b = 0; b < BATCHES; b++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long r = 0; r < rounds; r++, v += 2) {
            atomic_store_explicit(&line, v, memory_order_release);
            while (atomic_load_explicit(&line, memory_order_acquire) != v + 1)
                ;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ns[b] = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
                 (double)(t1.tv_nsec - t0.tv_nsec)) / (double)rounds;
    }
    pthread_join(th, NULL);
    qsort(ns, BATCHES, sizeof *ns, cmp);
    printf("cache line round trip, processors %d and %d: %.0f ns "
           "(batches %.0f-%.0f)\n", cpu[0], cpu[1], ns[BATCHES / 2], ns[0],
           ns[BATCHES - 1]);
    return 0;
}
