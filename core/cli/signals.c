/*
 * signals.c — interruption of `assay run` (see signals.h).
 *
 * The signals are taken with sigwait() in a thread of their own rather
 * than in a handler: removing the temporary files needs a mutex and a
 * list (sink.h), which a handler could not safely use. Once the files are
 * gone the thread restores the default action and raises the signal, so
 * the shell sees the usual "killed by SIGINT" status (130). The thread is
 * stopped with a signal of its own (SIGRTMIN, blocked throughout), not
 * cancelled: pthread_cancel loads libgcc_s for unwinding, 0.3-0.5 ms at
 * the end of every run.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "signals.h"
#include "sink.h"

static const int caught[] = {SIGINT, SIGTERM, SIGHUP};

static sigset_t waited; /* the caught signals that were not ignored */
static pthread_t waiter;
static int running;
static atomic_int stopping; /* a SIGRTMIN is cli_signals_stop's, not
                               another process's */

/* write(2) only: the main thread may be inside stdio. */
static void say(const char *s)
{
    ssize_t r = write(STDERR_FILENO, s, strlen(s));
    (void)r;
}

static void *wait_main(void *arg)
{
    (void)arg;
    sigset_t set = waited;
    sigaddset(&set, SIGRTMIN);
    int sig = 0;
    while (sigwait(&set, &sig) != 0 ||
           (sig == SIGRTMIN && !atomic_load(&stopping)))
        ; /* another process's SIGRTMIN: still on watch */
    if (sig == SIGRTMIN) /* cli_signals_stop */
        return NULL;
    asy_tmp_remove_all();
    say("\nassay: interrupted; no output was written\n");
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached */
}

int cli_signals_start(void)
{
    sigemptyset(&waited);
    for (size_t i = 0; i < sizeof caught / sizeof *caught; i++) {
        struct sigaction old;
        /* A signal ignored when we started (nohup, a background job of a
         * non-interactive shell) stays ignored. */
        if (sigaction(caught[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaddset(&waited, caught[i]);
    }
    sigset_t block = waited;
    sigaddset(&block, SIGRTMIN); /* stays blocked: its default kills */
    if (pthread_sigmask(SIG_BLOCK, &block, NULL) != 0)
        return -1;
    atomic_store(&stopping, 0);
    if (pthread_create(&waiter, NULL, wait_main, NULL) != 0) {
        pthread_sigmask(SIG_UNBLOCK, &waited, NULL);
        return -1;
    }
    running = 1;
    return 0;
}

void cli_signals_stop(void)
{
    if (!running)
        return;
    atomic_store(&stopping, 1);
    pthread_kill(waiter, SIGRTMIN);
    pthread_join(waiter, NULL);
    running = 0;
    pthread_sigmask(SIG_UNBLOCK, &waited, NULL);
}
