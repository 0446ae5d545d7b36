/*
 * stream_work.c - the streaming service's worker pool (stream_internal.h).
 *
 * conf->threads workers share one FIFO of documents to classify, fed by
 * the driving thread, which bounds it (rakiza.batch.size documents in
 * flight). A worker takes the oldest document and, in the same step, a
 * reference to the current model: documents start in input order and a
 * model swap falls between two documents, so every record of a document
 * comes from one model and, within a partition, no document classified
 * with the new model precedes one classified with the old. The worker
 * decodes the message (envelope.h), runs the pipeline with its own
 * context, puts the document on the done list and writes a byte to the
 * wake pipe so the driver produces it without waiting.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/stream_internal.h"
#include "obs/health.h"

static void classify(rk_stream_t *s, rk_pipeline_ctx_t *ctx, doc_t *d) {
    const rd_kafka_message_t *m = d->msg;
    const char *topic = rd_kafka_topic_name(m->rkt);
    rk_env_msg_t env = {m->payload, m->len,       m->key,   m->key_len,
                        topic,      m->partition, m->offset};
    rk_env_doc_t doc;
    double started = rk_health_now();
    d->error = rk_env_decode(&s->conf->limits, &env, &doc, d->reason,
                             sizeof d->reason);
    if (d->error)
        return;
    rk_pipeline_opts_t po = {s->conf->explain, s->conf->include_text};
    rk_doc_t in = {doc.id, doc.text,     doc.text_len,
                   topic,  m->partition, m->offset};
    if (rk_pipeline_run(ctx, d->model->model, &po, &in, &d->records, d->reason,
                        sizeof d->reason) != RK_OK)
        d->error = RK_ENV_INTERNAL;
    else if (!(d->doc_id = strdup(doc.id))) {
        d->error = RK_ENV_INTERNAL;
        snprintf(d->reason, sizeof d->reason, "out of memory");
    }
    if (!d->error)
        rk_obs_classified(s->obs, d->records.count - 1,
                          rk_health_now() - started);
    rk_env_doc_clear(&doc);
}

int rk_stream_pipe(int fd[2]) {
    if (pipe(fd) != 0)
        return -1;
    for (int i = 0; i < 2; i++)
        if (fcntl(fd[i], F_SETFL, O_NONBLOCK) != 0 ||
            fcntl(fd[i], F_SETFD, FD_CLOEXEC) != 0)
            return -1;
    return 0;
}

static void *worker_main(void *arg) {
    const rk_worker_t *w = arg;
    rk_stream_t *s = w->s;
    for (;;) {
        pthread_mutex_lock(&s->pool_mu);
        while (!s->queue_head && !s->pool_stop)
            pthread_cond_wait(&s->pool_cv, &s->pool_mu);
        if (s->pool_stop) {
            pthread_mutex_unlock(&s->pool_mu);
            return NULL;
        }
        doc_t *d = s->queue_head;
        s->queue_head = d->qnext;
        if (!s->queue_head)
            s->queue_tail = NULL;
        d->qnext = NULL;
        d->state = DOC_WORKING;
        d->model = s->model;
        d->model->refs++;
        pthread_mutex_unlock(&s->pool_mu);

        classify(s, s->ctx[w->index], d);

        pthread_mutex_lock(&s->pool_mu);
        d->qnext = s->done;
        s->done = d;
        pthread_mutex_unlock(&s->pool_mu);
        /* A full pipe already holds a wake-up. */
        char one = 1;
        if (write(s->wake[1], &one, 1) < 0 && errno != EAGAIN)
            abort(); /* the pipe is ours: cannot happen */
    }
}

rk_err_t rk_work_start(rk_stream_t *s, rk_model_t *model, char *errstr,
                       size_t n) {
    pthread_mutex_init(&s->pool_mu, NULL);
    pthread_cond_init(&s->pool_cv, NULL);
    s->pool_ready = 1;
    s->model = calloc(1, sizeof *s->model);
    if (!s->model) {
        rk_model_destroy(model);
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    s->model->model = model;
    s->model->refs = 1;
    if (rk_stream_pipe(s->wake) != 0)
        return rk_fail(RK_ERR_IO, errstr, n, "cannot make a pipe: %s",
                       strerror(errno));
    for (int t = 0; t < s->conf->threads; t++)
        if (!(s->ctx[t] = rk_pipeline_ctx_new()))
            return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    /* Workers take no signals: the driver's poll sees them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    rk_err_t err = RK_OK;
    for (int t = 0; t < s->conf->threads && !err; t++) {
        s->workers[t] = (rk_worker_t){s, t};
        if (pthread_create(&s->tid[t], NULL, worker_main, &s->workers[t]))
            err = rk_fail(RK_ERR_NOMEM, errstr, n,
                          "cannot start classifying thread %d", t + 1);
        else
            s->nthreads++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

void rk_work_stop(rk_stream_t *s) {
    if (!s->pool_ready)
        return;
    pthread_mutex_lock(&s->pool_mu);
    s->pool_stop = 1;
    pthread_cond_broadcast(&s->pool_cv);
    pthread_mutex_unlock(&s->pool_mu);
    for (int t = 0; t < s->nthreads; t++)
        pthread_join(s->tid[t], NULL);
    s->nthreads = 0;
}

void rk_work_push(rk_stream_t *s, doc_t *first, doc_t *last) {
    pthread_mutex_lock(&s->pool_mu);
    if (s->queue_tail)
        s->queue_tail->qnext = first;
    else
        s->queue_head = first;
    s->queue_tail = last;
    pthread_cond_broadcast(&s->pool_cv);
    pthread_mutex_unlock(&s->pool_mu);
}

doc_t *rk_work_take_done(rk_stream_t *s) {
    if (!s->pool_ready)
        return NULL;
    pthread_mutex_lock(&s->pool_mu);
    doc_t *d = s->done;
    s->done = NULL;
    pthread_mutex_unlock(&s->pool_mu);
    return d;
}

int rk_work_recall(rk_stream_t *s, doc_t *d) {
    int taken = 0;
    pthread_mutex_lock(&s->pool_mu);
    if (d->state == DOC_QUEUED) {
        doc_t **p = &s->queue_head, *prev = NULL;
        while (*p && *p != d) {
            prev = *p;
            p = &(*p)->qnext;
        }
        if (*p) {
            *p = d->qnext;
            if (s->queue_tail == d)
                s->queue_tail = prev;
            d->qnext = NULL;
            taken = 1;
        }
    }
    d->dropped = 1;
    pthread_mutex_unlock(&s->pool_mu);
    return taken;
}

void rk_work_release(rk_stream_t *s, model_ref_t *ref) {
    if (!ref)
        return;
    assert(s->pool_ready);
    pthread_mutex_lock(&s->pool_mu);
    int last = --ref->refs == 0;
    pthread_mutex_unlock(&s->pool_mu);
    if (last) {
        rk_model_destroy(ref->model);
        free(ref);
    }
}

int rk_work_set_model(rk_stream_t *s, rk_model_t *m) {
    model_ref_t *ref = calloc(1, sizeof *ref);
    if (!ref)
        return -1;
    ref->model = m;
    ref->refs = 1;
    pthread_mutex_lock(&s->pool_mu);
    model_ref_t *old = s->model;
    s->model = ref;
    pthread_mutex_unlock(&s->pool_mu);
    rk_work_release(s, old);
    return 0;
}

const rk_model_t *rk_work_model(rk_stream_t *s) {
    return s->model ? s->model->model : NULL;
}
