/*
 * test_par.c — asy_par_run (par.h): every task runs exactly once, on as
 * many threads as tasks (up to ASY_PAR_MAX at once), in groups beyond
 * that, and none for n = 0.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "par.h"

typedef struct task {
    int runs;
    pthread_t by;
} task;

static void run(void *arg)
{
    task *t = arg;
    t->runs++;
    t->by = pthread_self();
}

static void test_runs(void **state)
{
    (void)state;
    static task t[3 * ASY_PAR_MAX + 5];
    int sizes[] = {0, 1, 2, ASY_PAR_MAX, 3 * ASY_PAR_MAX + 5};
    for (int s = 0; s < 5; s++) {
        int n = sizes[s];
        for (int i = 0; i < n + 1 && i < 3 * ASY_PAR_MAX + 5; i++)
            t[i] = (task){0, pthread_self()};
        asy_par_run(run, t, sizeof *t, n);
        int here = 0;
        for (int i = 0; i < n; i++) {
            assert_int_equal(t[i].runs, 1);
            here += pthread_equal(t[i].by, pthread_self()) != 0;
        }
        /* the first of each group runs on the calling thread */
        assert_true(here >= (n + ASY_PAR_MAX - 1) / ASY_PAR_MAX);
        if (n < 3 * ASY_PAR_MAX + 5)
            assert_int_equal(t[n].runs, 0); /* nothing past n */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
