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
/* How many threads asy_par_run has started in this process so far (the
 * tests check where a bulk operation used threads). */
uint64_t asy_par_started(void);

#endif
