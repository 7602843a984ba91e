/*
 * par.c — asy_par_run (par.h). A thread per task, started and joined
 * each time: the callers run a handful of tasks of milliseconds each at
 * the end of a run, where a pool's upkeep would cost more than it saves.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "clocale.h"
#include "par.h"
#include "thread.h"

static atomic_ullong started; /* threads started, for asy_par_started */

typedef struct start {
    void (*fn)(void *task);
    void *task;
} start;

static void *run_one(void *arg)
{
    start *s = arg;
    asy_clocale_enter(); /* the library's thread: for good (clocale.h) */
    s->fn(s->task);
    return NULL;
}

/* Tasks args[0..n), n <= ASY_PAR_MAX, at once. */
static void run_group(void (*fn)(void *task), char *args, size_t size, int n)
{
    pthread_t th[ASY_PAR_MAX];
    start st[ASY_PAR_MAX];
    int up[ASY_PAR_MAX];
    /* from a held thread: started on the next processors (all of the
     * run's, not the one it is held on), then free, as tasks of unequal
     * length need */
    int held = asy_thread_is_held();
    for (int i = 1; i < n; i++) {
        st[i] = (start){fn, args + (size_t)i * size};
        up[i] = (held ? asy_thread_start(&th[i], run_one, &st[i], i, 0)
                      : pthread_create(&th[i], NULL, run_one, &st[i])) == 0;
        if (up[i])
            atomic_fetch_add_explicit(&started, 1, memory_order_relaxed);
    }
    fn(args);
    for (int i = 1; i < n; i++) {
        if (up[i])
            pthread_join(th[i], NULL);
        else
            fn(st[i].task);
    }
}

uint64_t asy_par_started(void)
{
    return atomic_load_explicit(&started, memory_order_relaxed);
}

void asy_par_run(void (*fn)(void *task), void *args, size_t size, int n)
{
    for (int i = 0; i < n; i += ASY_PAR_MAX)
        run_group(fn, (char *)args + (size_t)i * size,
                  size, n - i < ASY_PAR_MAX ? n - i : ASY_PAR_MAX);
}
