/*
 * thread_start_bench.c — does a thread started while its creator goes on
 * working run beside it, or wait for it? Each round starts a thread for
 * one task and does an equal task on the creating thread, then joins, as
 * asy_par_run does at the end of a -j run. Started with pthread_create
 * (as the system places it) and with asy_thread_start (thread.h), rounds
 * alternating. Prints, for each, the median round, the median delay from
 * the start call to the task's start on the new thread, and how many
 * rounds the new thread began on its creator's processor or began only
 * after the creator's task was over. Built and run by
 * bench/thread_start_bench.sh.
 *   thread_start_bench [ROUNDS=200] [TASK_US=700]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "thread.h"

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

typedef struct task {
    double until_us; /* spin this long */
    double start, end;
    int cpu;
} task;

/* Busy for until_us of wall time: what the other task's thread does. */
static void spin(task *t)
{
    t->start = now_us();
    t->cpu = sched_getcpu();
    while (now_us() - t->start < t->until_us)
        ;
    t->end = now_us();
}

static void *run(void *arg)
{
    spin(arg);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct tally {
    double *round, *delay;
    int same_cpu, after; /* rounds */
} tally;

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    double task_us = argc > 2 ? atof(argv[2]) : 700;
    if (rounds < 1 || task_us <= 0) {
        fprintf(stderr, "usage: thread_start_bench [ROUNDS] [TASK_US]\n");
        return 2;
    }
    tally t[2];
    for (int w = 0; w < 2; w++) {
        t[w].round = malloc((size_t)rounds * sizeof *t[w].round);
        t[w].delay = malloc((size_t)rounds * sizeof *t[w].delay);
        t[w].same_cpu = t[w].after = 0;
        if (!t[w].round || !t[w].delay)
            return 1;
    }
    for (int r = 0; r < 2 * rounds; r++) {
        int w = r % 2; /* 0: pthread_create, 1: asy_thread_start */
        task other = {task_us, 0, 0, -1}, mine = {task_us, 0, 0, -1};
        pthread_t th;
        int cpu = sched_getcpu();
        double t0 = now_us();
        int rc = w ? asy_thread_start(&th, run, &other, 1, 0)
                   : pthread_create(&th, NULL, run, &other);
        if (rc != 0) {
            fprintf(stderr, "thread_start_bench: cannot start a thread\n");
            return 1;
        }
        spin(&mine);
        pthread_join(th, NULL);
        double t1 = now_us();
        t[w].round[r / 2] = t1 - t0;
        t[w].delay[r / 2] = other.start - t0;
        t[w].same_cpu += other.cpu == cpu;
        t[w].after += other.start >= mine.end;
    }
    printf("%d rounds of two %.0f us tasks, one on a new thread; "
           "processors: %ld\n", rounds, task_us,
           sysconf(_SC_NPROCESSORS_ONLN));
    const char *name[2] = {"pthread_create", "asy_thread_start"};
    for (int w = 0; w < 2; w++) {
        qsort(t[w].round, (size_t)rounds, sizeof *t[w].round, cmp);
        qsort(t[w].delay, (size_t)rounds, sizeof *t[w].delay, cmp);
        printf("%-17s round %7.1f us (median; p90 %7.1f), start delay "
               "%7.1f us (median), on the creator's processor %3d, "
               "started after the creator's task %3d\n",
               name[w], t[w].round[rounds / 2],
               t[w].round[rounds * 9 / 10], t[w].delay[rounds / 2],
               t[w].same_cpu, t[w].after);
        free(t[w].round);
        free(t[w].delay);
    }
    return 0;
}
