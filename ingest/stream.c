/*
 * stream.c - the streaming service's life cycle (stream.h): the Kafka
 * clients and their callbacks, the model and its reload, and the driving
 * loop that keeps reading, classifying, producing and committing going at
 * once (stream_work.c classifies, stream_out.c produces and commits).
 *
 * One thread drives Kafka. Each turn of its loop serves the producer's
 * delivery reports, takes the documents the workers are done with,
 * produces what is ready in input order, stores and commits offsets (or
 * commits the transaction) when the commit interval is up, and reads as
 * many messages as the in-flight bound (rakiza.batch.size documents) and
 * the producer queue allow, handing each to the workers at once. Then it
 * sleeps in poll(2) until something happens: a message arrives (librdkafka
 * writes to consumer_ev), a delivery report (producer_ev), a worker
 * finishes a document (wake), the commit interval is up, or 100 ms pass
 * (signals and the model file). Nothing waits for a batch to fill.
 * Backpressure: with the bound reached or the producer queue full the loop
 * does not read, and sleeps until a document is done or a report makes
 * room.
 *
 * A new model (a reload signal, with conf->watch the model file changing,
 * or with conf->model_topic a newer model published there: model_feed.h;
 * both looked at once a second) is loaded here and handed to the pool;
 * documents already started finish with the old one. A model that
 * does not load is refused and the old one serves on. On a stop signal
 * the loop stops reading and turns until everything read is delivered and
 * committed, then the consumer is closed and the producer flushed.
 */
#include "ingest/stream.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/stream_internal.h"
#include "obs/health.h"
#include "obs/kafka_log.h"
#include "obs/log.h"

/* Longest sleep of the loop: how soon a signal or a changed model file is
 * seen at worst. */
#define LOOP_WAIT_MS 100

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque) {
    (void)rk;
    (void)offsets;
    rk_stream_t *s = opaque;
    if (!err || err == RD_KAFKA_RESP_ERR__NO_OFFSET)
        return;
    /* The offsets stay stored: the next commit carries them again. A
     * commit refused during a rebalance is retried on revocation. */
    rk_log(RK_LOG_WARN, "offset commit failed: %s (kept, retried)",
           rd_kafka_err2str(err));
    if (!s->stored)
        s->pending_since = rk_health_now();
    s->stored = 1;
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    rk_stream_t *s = opaque;
    rk_obs_kafka_stats(s->obs, rd_kafka_type(rk) == RD_KAFKA_CONSUMER, json,
                       len);
    return 0; /* librdkafka frees json */
}

static void on_error(rd_kafka_t *rk, int err, const char *reason,
                     void *opaque) {
    rk_stream_t *s = opaque;
    rk_obs_kafka_error(s->obs, rd_kafka_type(rk) == RD_KAFKA_CONSUMER,
                       (rd_kafka_resp_err_t)err, reason);
}

/* ---- model -------------------------------------------------------------- */

static void reload_model(rk_stream_t *s, const char *why) {
    char err[1024];
    rk_model_t *m = NULL;
    double started = rk_health_now();
    const char *old = rk_model_id(rk_work_model(s));
    if (rk_model_load(s->model_path, &m, err, sizeof err) != RK_OK) {
        rk_log(RK_LOG_ERROR, "%s: new model refused, still serving %s: %s", why,
               old, err);
        rk_obs_model_refused(s->obs);
        return;
    }
    rk_obs_model(s->obs, m, rk_health_now() - started, 1);
    rk_log(RK_LOG_INFO, "%s: model %s replaces %s", why, rk_model_id(m), old);
    if (rk_work_set_model(s, m) != 0) {
        rk_log(RK_LOG_ERROR, "%s: out of memory, still serving %s", why, old);
        rk_model_destroy(m);
    }
    stat(s->model_path, &s->model_stat);
}

/* With --model-topic: a newer model published there replaces the one
 * serving for the documents started from now on (catch_up_ms: how long to
 * wait for the topic's end, for SIGHUP and the start). */
static void follow_topic(rk_stream_t *s, int catch_up_ms, const char *why) {
    rk_model_t *m = NULL;
    double started = rk_health_now();
    const char *old = rk_model_id(rk_work_model(s));
    int r = rk_model_feed_poll(s->feed, catch_up_ms, &m);
    if (r < 0) {
        rk_log(RK_LOG_ERROR, "%s: new model on %s refused, still serving %s",
               why, rk_model_feed_topic(s->feed), old);
        rk_obs_model_refused(s->obs);
    }
    if (r <= 0)
        return;
    if (!strcmp(rk_model_id(m), old)) {
        rk_model_destroy(m); /* already serving it */
        return;
    }
    rk_obs_model(s->obs, m, rk_health_now() - started, 1);
    rk_log(RK_LOG_INFO, "%s: model %s from %s replaces %s", why, rk_model_id(m),
           rk_model_feed_topic(s->feed), old);
    if (rk_work_set_model(s, m) != 0) {
        rk_log(RK_LOG_ERROR, "%s: out of memory, still serving %s", why, old);
        rk_model_destroy(m);
    }
}

/* The model to start with: the newest complete one on the model topic,
 * else the file. */
static rk_err_t first_model(rk_stream_t *s, rk_model_t **out, char *errstr,
                            size_t n) {
    const rk_stream_conf_t *c = s->conf;
    if (c->model_topic) {
        rd_kafka_conf_t *k = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(k, rk_kafka_log_cb);
        rk_err_t err = rk_stream_conf_apply(c, k, errstr, n);
        if (err) {
            rd_kafka_conf_destroy(k);
            return err;
        }
        if ((err = rk_model_feed_new(k, c->model_topic, &s->feed, errstr, n)))
            return err;
        if (rk_model_feed_poll(s->feed, 10000, out) > 0) {
            rk_log(RK_LOG_INFO, "model %s from the model topic %s",
                   rk_model_id(*out), c->model_topic);
            return RK_OK;
        }
        rk_log(RK_LOG_INFO, "no usable model on %s yet: starting with %s",
               c->model_topic, s->model_path);
    }
    return rk_model_load(s->model_path, out, errstr, n);
}

static int model_file_changed(rk_stream_t *s) {
    struct stat st;
    if (stat(s->model_path, &st) != 0)
        return 0;
    return st.st_mtim.tv_sec != s->model_stat.st_mtim.tv_sec ||
           st.st_mtim.tv_nsec != s->model_stat.st_mtim.tv_nsec ||
           st.st_size != s->model_stat.st_size ||
           st.st_ino != s->model_stat.st_ino;
}

/* ---- life cycle ------------------------------------------------------- */

static rd_kafka_t *client(const rk_stream_conf_t *c, rd_kafka_type_t type,
                          rk_stream_t *s, char *errstr, size_t n) {
    rd_kafka_conf_t *k = rd_kafka_conf_new();
    rd_kafka_conf_set_opaque(k, s);
    rd_kafka_conf_set_log_cb(k, rk_kafka_log_cb);
    rd_kafka_conf_set_stats_cb(k, on_stats);
    rd_kafka_conf_set_error_cb(k, on_error);
    char tid[256];
    int ok = rk_obs_kafka_defaults(k, errstr, n) == RK_OK;
#define SET(key, val)                                                          \
    ok = ok && rd_kafka_conf_set(k, key, val, errstr, n) == RD_KAFKA_CONF_OK
    if (type == RD_KAFKA_CONSUMER) {
        SET("group.id", c->group);
        SET("enable.auto.commit", "false");
        /* Offsets are stored when a document is done (stream_out.c). */
        SET("enable.auto.offset.store", "false");
        SET("auto.offset.reset", "earliest");
        SET("isolation.level", "read_committed");
        /* Room for one fetch holding a message far over the limits, so it
         * reaches the envelope and the DLQ instead of stalling the fetch. */
        SET("receive.message.max.bytes", "1073741824");
        rd_kafka_conf_set_rebalance_cb(k, rk_stream_on_rebalance);
        rd_kafka_conf_set_offset_commit_cb(k, on_commit);
    } else {
        SET("enable.idempotence", "true");
        SET("queue.buffering.max.ms", "5");
        /* Room for the largest dead letter plus its key and headers, and
         * never under librdkafka's own default of 1,000,000. */
        size_t max_record = c->dlq_max_bytes + ((size_t)1 << 16);
        char max_bytes[32];
        snprintf(max_bytes, sizeof max_bytes, "%zu",
                 max_record > 1000000 ? max_record : (size_t)1000000);
        SET("message.max.bytes", max_bytes);
        rd_kafka_conf_set_dr_msg_cb(k, rk_out_on_delivery);
        if (c->exactly_once) {
            snprintf(tid, sizeof tid, "rakiza-%s-%s-%ld-%ld", c->group,
                     c->in_topic, (long)getpid(), (long)time(NULL));
            SET("transactional.id", tid);
        }
    }
#undef SET
    /* The user's settings last: they win over these defaults. */
    if (ok && rk_stream_conf_apply(c, k, errstr, n) != RK_OK)
        ok = 0;
    rd_kafka_t *rk = ok ? rd_kafka_new(type, k, errstr, n) : NULL;
    if (!rk)
        rd_kafka_conf_destroy(k);
    return rk;
}

/* librdkafka writes a byte to fd[1] whenever rk's queue q (the consumer's,
 * or the producer's main queue) turns non-empty. */
static rk_err_t event_pipe(rd_kafka_queue_t *q, int fd[2], char *errstr,
                           size_t n) {
    if (rk_stream_pipe(fd) != 0) {
        rd_kafka_queue_destroy(q);
        return rk_fail(RK_ERR_IO, errstr, n, "cannot make a pipe: %s",
                       strerror(errno));
    }
    rd_kafka_queue_io_event_enable(q, fd[1], "1", 1);
    rd_kafka_queue_destroy(q);
    return RK_OK;
}

static rk_err_t subscribe(rk_stream_t *s, char *errstr, size_t n) {
    rd_kafka_poll_set_consumer(s->consumer);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, s->conf->in_topic,
                                      RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t kerr = rd_kafka_subscribe(s->consumer, t);
    rd_kafka_topic_partition_list_destroy(t);
    if (kerr)
        return rk_fail(RK_ERR_KAFKA, errstr, n, "cannot subscribe to %s: %s",
                       s->conf->in_topic, rd_kafka_err2str(kerr));
    rk_err_t err = event_pipe(rd_kafka_queue_get_consumer(s->consumer),
                              s->consumer_ev, errstr, n);
    return err ? err
               : event_pipe(rd_kafka_queue_get_main(s->producer),
                            s->producer_ev, errstr, n);
}

rk_err_t rk_stream_new(const rk_stream_conf_t *conf, rk_stream_t **out,
                       char *errstr, size_t n) {
    *out = NULL;
    rk_err_t err = rk_stream_conf_check(conf, errstr, n);
    if (err)
        return err;
    rk_stream_t *s = calloc(1, sizeof *s);
    if (!s)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    s->conf = conf;
    s->wake[0] = s->wake[1] = -1;
    s->consumer_ev[0] = s->consumer_ev[1] = -1;
    s->producer_ev[0] = s->producer_ev[1] = -1;
    s->commit_ms = rk_stream_conf_commit_ms(conf);
    s->model_path =
        conf->model_path ? conf->model_path : rk_model_default_path();
    err = rk_obs_new(conf, &s->obs, errstr, n);
    double started = rk_health_now();
    rk_model_t *model = NULL;
    if (!err)
        err = first_model(s, &model, errstr, n);
    if (!err) {
        rk_obs_model(s->obs, model, rk_health_now() - started, 0);
        stat(s->model_path, &s->model_stat);
        err = rk_work_start(s, model, errstr, n); /* takes the model */
    }
    if (!err) {
        s->producer = client(conf, RD_KAFKA_PRODUCER, s, errstr, n);
        s->consumer =
            s->producer ? client(conf, RD_KAFKA_CONSUMER, s, errstr, n) : NULL;
        if (!s->producer || !s->consumer)
            err = RK_ERR_KAFKA;
    }
    if (!err && conf->exactly_once) {
        rd_kafka_error_t *e = rd_kafka_init_transactions(s->producer, 30000);
        if (e) {
            err = rk_fail(RK_ERR_KAFKA, errstr, n,
                          "cannot start transactions: %s",
                          rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    }
    if (!err) {
        /* Output topics known before the first record: librdkafka asks
         * for their metadata now rather than when a record waits for it
         * (up to a second on the embedded broker). */
        s->out_rkt = rd_kafka_topic_new(s->producer, conf->out_topic, NULL);
        if (strcmp(conf->dlq, "none"))
            s->dlq_rkt = rd_kafka_topic_new(s->producer, conf->dlq, NULL);
        err = subscribe(s, errstr, n);
    }
    if (err) {
        rk_stream_destroy(s);
        return err;
    }
    *out = s;
    return RK_OK;
}

/* ---- the loop ----------------------------------------------------------- */

static void drain_fd(int fd) {
    char buf[64];
    while (fd >= 0 && read(fd, buf, sizeof buf) > 0)
        ;
}

/* Reads while the bound and the producer queue allow; each message goes
 * to the workers at once. Returns 1 when the consumer queue was emptied. */
static int read_some(rk_stream_t *s) {
    while (s->inflight < s->conf->batch_size && !s->fatal) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, 0);
        if (!m)
            return 1;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                rk_log(RK_LOG_WARN, "consumer: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        rk_obs_consumed(s->obs, m->len);
        doc_t *d = rk_out_add(s, m);
        if (!d) {
            /* Its offset must never be passed: stop, commit what is done. */
            rk_log(RK_LOG_ERROR, "out of memory reading the input; stopping");
            s->fatal = 1;
            return 0;
        }
        rk_work_push(s, d, d);
    }
    return 0;
}

/* Sleeps until an event (see the top of this file) or wait_ms. */
static void wait_events(rk_stream_t *s, int consumer, long wait_ms) {
    struct pollfd fds[3] = {{s->wake[0], POLLIN, 0},
                            {s->producer_ev[0], POLLIN, 0},
                            {s->consumer_ev[0], POLLIN, 0}};
    if (wait_ms < 0 || wait_ms > LOOP_WAIT_MS)
        wait_ms = LOOP_WAIT_MS;
    poll(fds, consumer ? 3 : 2, (int)wait_ms);
}

/* Every document read is done: committed, or (at-least-once) acknowledged
 * and stored. */
static int all_done(const rk_stream_t *s) {
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i] && s->parts[i]->head)
            return 0;
    return 1;
}

/* Everything read is produced (exactly-once: waiting for the commit). */
static int all_produced(const rk_stream_t *s) {
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i] && s->parts[i]->cursor)
            return 0;
    return 1;
}

/* One turn of the loop (see the top of this file); when reading, it reads
 * after the documents done have made room (read_some stops at the bound).
 * Returns 1 when the consumer queue was emptied, so its event pipe may be
 * slept on. */
static int turn(rk_stream_t *s, int reading) {
    drain_fd(s->wake[0]);
    drain_fd(s->producer_ev[0]);
    drain_fd(s->consumer_ev[0]);
    rd_kafka_poll(s->producer, 0); /* delivery reports */
    rk_out_ready(s, rk_work_take_done(s));
    rk_out_produce(s, 0);
    rk_out_commit(s, 0);
    rk_out_sweep(s);
    if (!reading || s->producer_full || s->fatal)
        return 0;
    return read_some(s);
}

static void watch_model(rk_stream_t *s, rk_stream_signals_t *sig,
                        time_t *last_watch) {
    if (sig->reload) {
        sig->reload = 0;
        if (s->feed) /* with --model-topic, SIGHUP re-reads the topic */
            follow_topic(s, 5000, "SIGHUP");
        else
            reload_model(s, "SIGHUP");
    }
    if ((s->conf->watch || s->feed) && time(NULL) != *last_watch) {
        *last_watch = time(NULL);
        if (s->feed)
            follow_topic(s, 0, "model topic");
        if (s->conf->watch && model_file_changed(s))
            reload_model(s, "model file changed");
    }
}

rk_err_t rk_stream_run(rk_stream_t *s, rk_stream_signals_t *sig, char *errstr,
                       size_t n) {
    rk_log(RK_LOG_INFO,
           "consuming %s as group %s, writing %s (%s, commit every %ld ms), "
           "model %s",
           s->conf->in_topic, s->conf->group, s->conf->out_topic,
           s->conf->exactly_once ? "exactly-once" : "at-least-once",
           s->commit_ms, rk_model_id(rk_work_model(s)));
    time_t last_watch = time(NULL);
    while (!sig->stop && !s->fatal) {
        rk_obs_tick(s->obs);
        watch_model(s, sig, &last_watch);
        int emptied = turn(s, 1);
        int reading =
            emptied && s->inflight < s->conf->batch_size && !s->producer_full;
        wait_events(s, reading, rk_out_commit_due(s));
    }
    rk_obs_stopping(s->obs, !s->fatal ? "shutting down on a signal"
                                      : "a Kafka error (see the log)");
    if (!s->fatal) {
        rk_log(RK_LOG_INFO, "stopping: delivering and committing what is "
                            "in flight");
        /* Everything read goes out; then the last commit. */
        while (!s->fatal &&
               !(s->conf->exactly_once ? all_produced(s) : all_done(s))) {
            rk_obs_tick(s->obs);
            turn(s, 0);
            if (!(s->conf->exactly_once ? all_produced(s) : all_done(s)))
                wait_events(s, 0, rk_out_commit_due(s));
        }
    }
    /* At-least-once commits what is done even after a failed delivery:
     * nothing past it is stored. */
    if (!s->fatal || !s->conf->exactly_once)
        rk_out_commit(s, 1);
    rk_work_stop(s);
    rd_kafka_consumer_close(s->consumer);
    rd_kafka_flush(s->producer, 10000);
    rk_obs_final(s->obs);
    if (s->fatal)
        return rk_fail(RK_ERR_KAFKA, errstr, n,
                       "stopped on a Kafka error (see the log above); "
                       "uncommitted input will be read again on restart");
    return RK_OK;
}

static void close_pipe(int fd[2]) {
    for (int i = 0; i < 2; i++)
        if (fd[i] >= 0)
            close(fd[i]);
}

void rk_stream_destroy(rk_stream_t *s) {
    if (!s)
        return;
    rk_work_stop(s);
    rk_out_release_input(s);
    if (s->consumer)
        rd_kafka_destroy(s->consumer);
    if (s->out_rkt)
        rd_kafka_topic_destroy(s->out_rkt);
    if (s->dlq_rkt)
        rd_kafka_topic_destroy(s->dlq_rkt);
    if (s->producer)
        rd_kafka_destroy(s->producer);
    rk_out_free_all(s); /* after the clients: reports name documents */
    for (int t = 0; t < s->conf->threads; t++)
        rk_pipeline_ctx_destroy(s->ctx[t]);
    if (s->model)
        rk_work_release(s, s->model);
    if (s->pool_ready) {
        pthread_mutex_destroy(&s->pool_mu);
        pthread_cond_destroy(&s->pool_cv);
    }
    /* After the clients: librdkafka writes to the event pipes. */
    close_pipe(s->wake);
    close_pipe(s->consumer_ev);
    close_pipe(s->producer_ev);
    rk_model_feed_destroy(s->feed);
    rk_obs_destroy(s->obs); /* after the clients: their callbacks use it */
    free(s);
}
