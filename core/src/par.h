/*
 * par.h — a few independent pieces of work run at once, one thread each:
 * the end of a -j run (sorting a vocabulary, formatting its rows), where
 * the other workers' threads would otherwise wait.
 */
#ifndef ASY_PAR_H
#define ASY_PAR_H

#include <stddef.h>
#include <stdint.h>

#define ASY_PAR_MAX 32 /* most tasks asy_par_run runs at once */

/* Run fn on each of the n tasks at args, `size` bytes apart, up to
 * ASY_PAR_MAX at once: the first of each group here, the others on
 * threads of their own (here too, one after another, any whose thread
 * cannot be started). Returns when all are done. */
void asy_par_run(void (*fn)(void *task), void *args, size_t size, int n);
/* A crew: up to n threads (at most one a processor besides the caller's)
 * that run the calling thread's asy_par_run tasks from now until
 * asy_par_crew_end, instead of a thread started for each task. Each is
 * held on a processor of its own and waits between tasks spinning for up
 * to 1 ms (yielding its processor every few microseconds), then asleep.
 * For a run of several calls in a row on all of a held run's processors
 * (the end of a -j run). NULL, and asy_par_run as
 * before, when the caller is not held (thread.h), already has a crew, or
 * no thread can be started. */
typedef struct asy_par_crew asy_par_crew;
asy_par_crew *asy_par_crew_begin(int n);
/* Stop and join the crew's threads (on the thread that began it; NULL:
 * nothing). */
void asy_par_crew_end(asy_par_crew *c);
/* How many threads asy_par_run has started in this process so far (the
 * tests check where a bulk operation used threads). A crew's threads
 * count once, when it begins; the tasks they run do not. */
uint64_t asy_par_started(void);

#endif
