/*
 * pool.h - run N independent tasks on up to T threads and wait for them.
 *
 * The one primitive, rk_pool_run, hands task indices 0..N-1 to the threads
 * in increasing order (each thread takes the next index when it is free)
 * and returns when every started task has finished. Tasks must not depend
 * on each other or on the order they run in; whatever they write must go
 * to places of their own (task i writes slot i), so the result is the same
 * for any thread count. The first failure (lowest task index among the
 * failed) is returned with its message; no new task starts after a failure.
 * T = 1 runs every task on the calling thread. Costs one thread creation
 * per extra thread per call.
 */
#ifndef RK_POOL_H
#define RK_POOL_H

#include <stddef.h>

#include "core/err.h"

/* A task: returns RK_OK or an error with its message in errstr. */
typedef rk_err_t (*rk_pool_task_fn)(void *opaque, size_t task, char *errstr,
                                    size_t errstr_size);

/* A finished task's report: how many have finished so far. */
typedef struct rk_pool_done_s {
    void (*fn)(void *opaque, size_t finished);
    void *opaque;
} rk_pool_done_t;

/* Runs tasks 0..ntasks-1 of fn (given opaque) on min(threads, ntasks)
 * threads (threads < 1 counts as 1). done, when not NULL, is called after
 * each finished task, one call at a time. */
rk_err_t rk_pool_run(size_t ntasks, int threads, rk_pool_task_fn fn,
                     void *opaque, const rk_pool_done_t *done, char *errstr,
                     size_t errstr_size);

/* The number of online CPUs, at least 1. */
int rk_pool_online_cpus(void);

#endif
