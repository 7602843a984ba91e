/*
 * par.c — asy_par_run (par.h). A thread per task, started and joined
 * each time: the callers run a handful of tasks of milliseconds each at
 * the end of a run, where a pool's upkeep would cost more than it saves.
 * Or, for a held thread that has a crew (asy_par_crew_begin), the crew's
 * threads, waiting on processors of their own.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "clocale.h"
#include "par.h"
#include "thread.h"

static atomic_ullong started; /* threads started, for asy_par_started */

/*
 * The crew. Starting a thread for a task and joining it cost 35-60 us a
 * call of asy_par_run with two tasks, and so did waking a thread asleep
 * on a condition variable when its processor had gone idle (the host
 * wakes an idle virtual processor; 39-49 us measured, bench/RESULTS.md
 * session 21), where the end of a -j 2 wordfreq run calls asy_par_run
 * about nine times. A crew member is held on a processor of its own and,
 * between tasks, first spins on its task counter for up to SPIN_NS, then
 * sleeps; the owner likewise waits for the task's end. Only a held owner
 * gets a crew, and only members that are held spin: a spinning thread on
 * its owner's processor would take the owner's time. The owner spins only
 * for a member that does. A spinning thread yields its processor every
 * few microseconds (asy_thread_spin), so that another process's thread
 * there (a second run at once) is held back little. The gaps between the
 * calls at the end of a -j 2 wordfreq run are 0.003-0.55 ms.
 */
#define SPIN_NS 1000000L /* 1 ms */
#define STOP UINT32_MAX  /* member->seq: leave */

typedef struct member {
    pthread_t th;
    void (*fn)(void *task); /* the posted task, read after seq */
    void *task;
    _Atomic uint32_t seq;  /* tasks posted (or STOP), by the owner */
    _Atomic uint32_t done; /* tasks finished, by the member */
    _Atomic int sleeping;  /* owner or member asleep on cv */
    _Atomic int spin;      /* the member is held: it spins, and the owner
                              may spin waiting for it */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} member;

struct asy_par_crew {
    int n;       /* members started */
    int busy;    /* its members have tasks (read and set by the owner) */
    member m[ASY_PAR_MAX - 1];
};

static _Thread_local asy_par_crew *mine; /* the calling thread's crew */

/* What await waits for: *v != val (change) or *v == val. */
typedef struct awaited {
    _Atomic uint32_t *v;
    uint32_t val;
    int change;
} awaited;

static int is_awaited(const void *arg)
{
    const awaited *a = arg;
    uint32_t x = atomic_load_explicit(a->v, memory_order_acquire);
    return a->change ? x != a->val : x == a->val;
}

/* Wait until *v != val (want_change) or *v == val, spinning first when
 * spin, then asleep on m's condition variable; returns *v then. */
static uint32_t await(member *m, _Atomic uint32_t *v, uint32_t val,
                      int want_change, int spin)
{
    awaited a = {v, val, want_change};
    if (!(spin && asy_thread_spin(is_awaited, &a, SPIN_NS))) {
        pthread_mutex_lock(&m->mu);
        atomic_fetch_add(&m->sleeping, 1); /* seq_cst: see publish */
        while (!is_awaited(&a))
            pthread_cond_wait(&m->cv, &m->mu);
        atomic_fetch_sub(&m->sleeping, 1);
        pthread_mutex_unlock(&m->mu);
    }
    return atomic_load(v);
}

/* *v = val, waking whoever sleeps on m. Both stores and loads here and in
 * await are sequentially consistent: a waiter that has not yet counted
 * itself asleep will see val when it looks again under the mutex, and
 * one that has is woken, the broadcast taken under the mutex it waits
 * with. */
static void publish(member *m, _Atomic uint32_t *v, uint32_t val)
{
    atomic_store(v, val);
    if (atomic_load(&m->sleeping)) {
        pthread_mutex_lock(&m->mu);
        pthread_cond_broadcast(&m->cv);
        pthread_mutex_unlock(&m->mu);
    }
}

static void *member_main(void *arg)
{
    member *m = arg;
    asy_clocale_enter(); /* the library's thread: for good (clocale.h) */
    atomic_store(&m->spin, asy_thread_is_held());
    uint32_t seen = 0;
    for (;;) {
        uint32_t s = await(m, &m->seq, seen, 1, m->spin);
        if (s == STOP)
            break;
        seen = s;
        m->fn(m->task);
        publish(m, &m->done, s);
    }
    return NULL;
}

asy_par_crew *asy_par_crew_begin(int n)
{
    int most = asy_thread_cpus() - 1;
    if (n > most)
        n = most;
    if (n > ASY_PAR_MAX - 1)
        n = ASY_PAR_MAX - 1;
    if (n < 1 || mine || !asy_thread_is_held())
        return NULL;
    asy_par_crew *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    for (int i = 0; i < n; i++) {
        member *m = &c->m[i];
        atomic_init(&m->seq, 0);
        atomic_init(&m->done, 0);
        atomic_init(&m->sleeping, 0);
        atomic_init(&m->spin, 0);
        if (pthread_mutex_init(&m->mu, NULL) != 0)
            break;
        if (pthread_cond_init(&m->cv, NULL) != 0) {
            pthread_mutex_destroy(&m->mu);
            break;
        }
        if (asy_thread_start(&m->th, member_main, m, i + 1, 1) != 0) {
            pthread_cond_destroy(&m->cv);
            pthread_mutex_destroy(&m->mu);
            break;
        }
        atomic_fetch_add_explicit(&started, 1, memory_order_relaxed);
        c->n++;
    }
    if (c->n == 0) {
        free(c);
        return NULL;
    }
    mine = c;
    return c;
}

void asy_par_crew_end(asy_par_crew *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++) {
        publish(&c->m[i], &c->m[i].seq, STOP);
        pthread_join(c->m[i].th, NULL);
        pthread_cond_destroy(&c->m[i].cv);
        pthread_mutex_destroy(&c->m[i].mu);
    }
    if (mine == c)
        mine = NULL;
    free(c);
}

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
    /* the crew's members take the first tasks after this thread's (only
     * while it is held: see the crew), unless they are at this thread's
     * outer call's tasks (a task of its own that calls asy_par_run) */
    asy_par_crew *c = held && mine && !mine->busy ? mine : NULL;
    int crew = c ? (n - 1 < c->n ? n - 1 : c->n) : 0;
    if (crew)
        c->busy = 1;
    uint32_t posted[ASY_PAR_MAX];
    for (int i = 1; i <= crew; i++) {
        member *m = &c->m[i - 1];
        m->fn = fn;
        m->task = args + (size_t)i * size;
        posted[i] = atomic_load_explicit(&m->seq, memory_order_relaxed) + 1;
        if (posted[i] == STOP) /* round past it (after 2^32 - 1 tasks) */
            posted[i] = 1;
        publish(m, &m->seq, posted[i]);
    }
    for (int i = crew + 1; i < n; i++) {
        st[i] = (start){fn, args + (size_t)i * size};
        up[i] = (held ? asy_thread_start(&th[i], run_one, &st[i], i, 0)
                      : pthread_create(&th[i], NULL, run_one, &st[i])) == 0;
        if (up[i])
            atomic_fetch_add_explicit(&started, 1, memory_order_relaxed);
    }
    fn(args);
    /* done reaches posted[i] exactly: one task a member at a time (busy) */
    for (int i = 1; i <= crew; i++)
        await(&c->m[i - 1], &c->m[i - 1].done, posted[i], 0,
              atomic_load(&c->m[i - 1].spin));
    if (crew)
        c->busy = 0;
    for (int i = crew + 1; i < n; i++) {
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
