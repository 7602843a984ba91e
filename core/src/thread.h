/*
 * thread.h — a run's threads held each on a processor of its own.
 *
 * Left to the scheduler, the threads of a -j run do not always stay on
 * processors of their own. On the two-core Linux 6.18 hosts we measure on:
 *  - a thread started while its creator goes on working was put on the
 *    creator's processor, the other one idle, in 175-183 of 200 rounds,
 *    and ran only when the creator blocked (bench/thread_start_bench.sh);
 *  - a thread woken by another (a job pushed, a lock released) may be
 *    moved to the waker's processor, and both then share it until the
 *    periodic balancing parts them, milliseconds later.
 * Held (the engine's "pin" setting, which the CLI sets), a -j 2 wordfreq
 * run over 200 MB took 2.6 ms less on 2 MB text files (1.4 to 3.3 in
 * eight sittings, 1.7 %) and 6.7 ms less on JSON Lines (2.2 to 8.7, 2.4
 * to 2.8 %) (bench/RESULTS.md, session 20). A held thread's own threads are
 * placed among the processors it was held from, never all on its one;
 * asy_par_run's, short and of unequal length, are only started there
 * (a crew's, par.h, are held each on another).
 */
#ifndef ASY_THREAD_H
#define ASY_THREAD_H

#include <pthread.h>
#include <sys/types.h>

/* What asy_thread_hold changed, for asy_thread_release. */
typedef struct asy_thread_held {
    int held;  /* 1 when the hold took */
    pid_t tid; /* the held thread */
    unsigned long was[1024 / (8 * sizeof(unsigned long))]; /* its processors
                                                before (a cpu_set_t) */
} asy_thread_held;

/* The number of processors the calling thread's run may use: those it may
 * run on, or, when it is held, those it was held from (the online ones
 * where the mask cannot be read). At least 1. */
int asy_thread_cpus(void);

/* Hold the calling thread on the processor it is on, until
 * asy_thread_release(h). Returns 1, or 0 when it is held already, may use
 * only one processor, or the system refuses (h->held says which). */
int asy_thread_hold(asy_thread_held *h);

/* Give the held thread back its processors (or, where they have changed
 * meanwhile, every one it may now use). Nothing when h->held is 0, or on
 * another thread than the one held: a thread's hold is its own. */
void asy_thread_release(asy_thread_held *h);

/* Non-zero when the calling thread is held. */
int asy_thread_is_held(void);

/* pthread_create(th, NULL, fn, arg), but the new thread runs on the k-th
 * processor (k >= 1) after the caller's own among the caller's run's
 * (asy_thread_cpus): k = 1, 2, ... gives each of the others in turn, then
 * the caller's, then round again. Held there when `hold` is non-zero,
 * else free to go anywhere among them once started. Where there is no
 * other processor, or it cannot be had, the system places it among the
 * run's, not held (never on the one a held caller is held on alone).
 * Returns pthread_create's result. */
int asy_thread_start(pthread_t *th, void *(*fn)(void *), void *arg, int k,
                     int hold);

/* Spin until ready(arg) is non-zero, for up to ns nanoseconds, yielding
 * the processor (sched_yield) every few microseconds, for a held thread
 * about to wait for another: on this guest, waking a thread asleep on an
 * idle processor takes 39-49 us (bench/RESULTS.md, session 21). 1 when
 * ready, 0 when the time ran out. */
int asy_thread_spin(int (*ready)(const void *arg), const void *arg, long ns);

#endif
