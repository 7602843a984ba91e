/*
 * worker.h — the thread pool: N worker threads, each owning one Lua runtime,
 * processing jobs that the engine pushes in corpus order, and an ordered
 * completion ring so results are delivered in exactly that order whatever
 * the number of threads (the determinism contract of DESIGN.md).
 */
#ifndef ASY_WORKER_H
#define ASY_WORKER_H

#include <stdint.h>

typedef struct asy_job asy_job; /* defined by the engine */
typedef struct asy_pool asy_pool;

/* Runs on a worker thread (or inline when nthreads == 0). */
typedef void (*asy_process_fn)(void *ud, int worker, asy_job *job);
/* Runs on the pushing thread, once per job, in push order. Returns 0 to go
 * on, non-zero to report failure (remembered; see asy_pool_failed). */
typedef int (*asy_deliver_fn)(void *ud, asy_job *job);

/* nthreads worker threads (numbered 0 .. nthreads - 1), plus the pushing
 * thread: while it waits on a full ring it processes unclaimed jobs itself,
 * as worker `nthreads`, so N processors need N - 1 threads (and a runtime
 * for each of the N). nthreads == 0: jobs are processed inline on push, as
 * worker 0. `depth` is the number of jobs that may be in flight (bounded
 * memory). hold != 0, with as many threads as the processors this thread
 * may use (nthreads + 1): the pushing thread is held on its processor until
 * asy_pool_free, the workers each on one of the others (thread.h). */
asy_pool *asy_pool_new(int nthreads, int depth, asy_process_fn process,
                       asy_deliver_fn deliver, void *ud, int hold);
/* Queue a job; blocks while the ring is full, delivering finished jobs in
 * order meanwhile. Jobs with job_needs_work == 0 are delivered in order
 * without being processed. Returns 0, or -1 when out of memory. */
int asy_pool_push(asy_pool *p, asy_job *job, int needs_work);
/* Wait for every queued job and deliver it. */
void asy_pool_drain(asy_pool *p);
/* Non-zero once a deliver call returned non-zero. */
int asy_pool_failed(const asy_pool *p);
/* Drain, stop and join the threads, free the pool. NULL allowed. */
void asy_pool_free(asy_pool *p);

#endif
