/*
 * pool.c - see pool.h. One mutex guards the next task index, the finished
 * count (so done() calls never overlap) and the first error.
 */
#include "core/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POOL_ERR_BYTES 512

typedef struct pool_s {
    size_t ntasks, next, finished, failed_task;
    rk_pool_task_fn fn;
    void *opaque;
    const rk_pool_done_t *done;
    pthread_mutex_t lock;
    rk_err_t err;
    char errstr[POOL_ERR_BYTES];
} pool_t;

static void *worker(void *arg) {
    pool_t *p = arg;
    char err[POOL_ERR_BYTES];
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t task = p->err ? p->ntasks : p->next;
        if (task < p->ntasks)
            p->next++;
        pthread_mutex_unlock(&p->lock);
        if (task >= p->ntasks)
            return NULL;
        err[0] = '\0';
        rk_err_t e = p->fn(p->opaque, task, err, sizeof err);
        pthread_mutex_lock(&p->lock);
        if (e && (!p->err || task < p->failed_task)) {
            p->err = e;
            p->failed_task = task;
            snprintf(p->errstr, sizeof p->errstr, "%s", err);
        }
        p->finished++;
        if (p->done && p->done->fn)
            p->done->fn(p->done->opaque, p->finished);
        pthread_mutex_unlock(&p->lock);
    }
}

rk_err_t rk_pool_run(size_t ntasks, int threads, rk_pool_task_fn fn,
                     void *opaque, const rk_pool_done_t *done, char *errstr,
                     size_t errstr_size) {
    pool_t p;
    memset(&p, 0, sizeof p);
    p.ntasks = ntasks;
    p.fn = fn;
    p.opaque = opaque;
    p.done = done;
    pthread_mutex_init(&p.lock, NULL);
    size_t extra = threads > 1 ? (size_t)threads - 1 : 0;
    if (extra + 1 > ntasks)
        extra = ntasks > 0 ? ntasks - 1 : 0;
    pthread_t *tid = extra ? calloc(extra, sizeof *tid) : NULL;
    size_t started = 0;
    for (; tid && started < extra; started++)
        if (pthread_create(&tid[started], NULL, worker, &p) != 0)
            break; /* fewer threads: the others share the work */
    worker(&p);
    for (size_t t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
    pthread_mutex_destroy(&p.lock);
    if (p.err)
        return rk_fail(p.err, errstr, errstr_size, "%s", p.errstr);
    return RK_OK;
}

int rk_pool_online_cpus(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n > 4096 ? 4096 : n) : 1;
}
