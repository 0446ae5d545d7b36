/*
 * stream.c - the streaming service's life cycle (stream.h): the Kafka
 * clients and their callbacks, the model and its reload, and the read loop
 * that fills rounds and has stream_round.c close them.
 *
 * One thread drives Kafka. It polls the consumer and adds each message to
 * the round, which is closed when it holds conf->batch_size messages, when
 * conf->batch_ms has passed since its first message, or when a poll brings
 * nothing. A new model (a reload signal, or with conf->watch the model file
 * changing, looked at once a second) is swapped in only between rounds: the
 * messages already read are classified and delivered with the old model
 * first. A model that does not load is refused and the old one serves on.
 * On a stop signal the last round is closed, then the consumer is closed and
 * the producer flushed.
 */
#include "ingest/stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/stream_internal.h"
#include "obs/health.h"
#include "obs/log.h"

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
    (void)rk;
    rk_stream_t *s = opaque;
    if (m->err) {
        s->delivery_failures++;
        rk_log(RK_LOG_ERROR, "delivery to %s failed: %s",
               rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
        /* At-least-once stops on it; a transaction aborts and retries. */
        rk_obs_delivery_failed(s->obs, rd_kafka_err2str(m->err),
                               !s->conf->exactly_once);
    }
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

static void on_log(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
    (void)rk;
    /* A connection failure (FAIL) also reaches on_error, which logs it:
     * one event, one line. */
    if (!strcmp(fac, "FAIL"))
        level = 7;
    rk_log(level <= 3   ? RK_LOG_ERROR
           : level <= 4 ? RK_LOG_WARN
                        : RK_LOG_DEBUG,
           "kafka %s: %s", fac, buf);
}

/* ---- model -------------------------------------------------------------- */

static void reload_model(rk_stream_t *s, const char *why) {
    char err[1024];
    rk_model_t *m = NULL;
    double started = rk_health_now();
    if (rk_model_load(s->model_path, &m, err, sizeof err) != RK_OK) {
        rk_log(RK_LOG_ERROR, "%s: new model refused, still serving %s: %s", why,
               rk_model_id(s->model), err);
        rk_obs_model_refused(s->obs);
        return;
    }
    rk_obs_model(s->obs, m, rk_health_now() - started, 1);
    rk_log(RK_LOG_INFO, "%s: model %s replaces %s", why, rk_model_id(m),
           rk_model_id(s->model));
    rk_model_destroy(s->model);
    s->model = m;
    stat(s->model_path, &s->model_stat);
}

/* With --model-topic: a newer model published there replaces the one
 * serving, between rounds (catch_up_ms: how long to wait for the topic's
 * end, for SIGHUP and the start). */
static void follow_topic(rk_stream_t *s, int catch_up_ms, const char *why) {
    rk_model_t *m = NULL;
    double started = rk_health_now();
    int r = rk_model_feed_poll(s->feed, catch_up_ms, &m);
    if (r < 0) {
        rk_log(RK_LOG_ERROR, "%s: new model on %s refused, still serving %s",
               why, rk_model_feed_topic(s->feed), rk_model_id(s->model));
        rk_obs_model_refused(s->obs);
    }
    if (r <= 0)
        return;
    if (!strcmp(rk_model_id(m), rk_model_id(s->model))) {
        rk_model_destroy(m); /* already serving it */
        return;
    }
    rk_stream_close_round(s); /* the swap happens between rounds */
    rk_obs_model(s->obs, m, rk_health_now() - started, 1);
    rk_log(RK_LOG_INFO, "%s: model %s from %s replaces %s", why, rk_model_id(m),
           rk_model_feed_topic(s->feed), rk_model_id(s->model));
    rk_model_destroy(s->model);
    s->model = m;
}

/* The model to start with: the newest complete one on the model topic,
 * else the file. */
static rk_err_t first_model(rk_stream_t *s, char *errstr, size_t n) {
    const rk_stream_conf_t *c = s->conf;
    if (c->model_topic) {
        rd_kafka_conf_t *k = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(k, on_log);
        rk_err_t err = rk_stream_conf_apply(c, k, errstr, n);
        if (err) {
            rd_kafka_conf_destroy(k);
            return err;
        }
        if ((err = rk_model_feed_new(k, c->model_topic, &s->feed, errstr, n)))
            return err;
        if (rk_model_feed_poll(s->feed, 10000, &s->model) > 0) {
            rk_log(RK_LOG_INFO, "model %s from the model topic %s",
                   rk_model_id(s->model), c->model_topic);
            return RK_OK;
        }
        rk_log(RK_LOG_INFO, "no usable model on %s yet: starting with %s",
               c->model_topic, s->model_path);
    }
    return rk_model_load(s->model_path, &s->model, errstr, n);
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
    rd_kafka_conf_set_log_cb(k, on_log);
    rd_kafka_conf_set_stats_cb(k, on_stats);
    rd_kafka_conf_set_error_cb(k, on_error);
    char tid[256];
    int ok = rk_obs_kafka_defaults(k, errstr, n) == RK_OK;
#define SET(key, val)                                                          \
    ok = ok && rd_kafka_conf_set(k, key, val, errstr, n) == RD_KAFKA_CONF_OK
    if (type == RD_KAFKA_CONSUMER) {
        SET("group.id", c->group);
        SET("enable.auto.commit", "false");
        SET("auto.offset.reset", "earliest");
        SET("isolation.level", "read_committed");
        /* Room for one fetch holding a message far over the limits, so it
         * reaches the envelope and the DLQ instead of stalling the fetch. */
        SET("receive.message.max.bytes", "1073741824");
        rd_kafka_conf_set_rebalance_cb(k, rk_stream_on_rebalance);
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
        rd_kafka_conf_set_dr_msg_cb(k, on_delivery);
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
    s->model_path =
        conf->model_path ? conf->model_path : rk_model_default_path();
    s->offsets = rd_kafka_topic_partition_list_new(16);
    s->round = calloc((size_t)conf->batch_size, sizeof *s->round);
    s->ctx = calloc((size_t)conf->threads, sizeof *s->ctx);
    err = s->round && s->ctx
              ? rk_obs_new(conf, &s->obs, errstr, n)
              : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    double started = rk_health_now();
    if (!err)
        err = first_model(s, errstr, n);
    if (!err)
        rk_obs_model(s->obs, s->model, rk_health_now() - started, 0);
    for (int t = 0; !err && t < conf->threads; t++)
        if (!(s->ctx[t] = rk_pipeline_ctx_new()))
            err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err) {
        stat(s->model_path, &s->model_stat);
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
        rd_kafka_poll_set_consumer(s->consumer);
        rd_kafka_topic_partition_list_t *t =
            rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(t, conf->in_topic,
                                          RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t kerr = rd_kafka_subscribe(s->consumer, t);
        rd_kafka_topic_partition_list_destroy(t);
        if (kerr)
            err = rk_fail(RK_ERR_KAFKA, errstr, n, "cannot subscribe to %s: %s",
                          conf->in_topic, rd_kafka_err2str(kerr));
    }
    if (err) {
        rk_stream_destroy(s);
        return err;
    }
    *out = s;
    return RK_OK;
}

rk_err_t rk_stream_run(rk_stream_t *s, rk_stream_signals_t *sig, char *errstr,
                       size_t n) {
    rk_log(RK_LOG_INFO, "consuming %s as group %s, writing %s (%s), model %s",
           s->conf->in_topic, s->conf->group, s->conf->out_topic,
           s->conf->exactly_once ? "exactly-once" : "at-least-once",
           rk_model_id(s->model));
    struct timespec started = {0};
    time_t last_watch = time(NULL);
    rk_err_t err = RK_OK;
    while (!sig->stop && !s->fatal) {
        rk_obs_tick(s->obs);
        if (sig->reload && s->feed) {
            sig->reload = 0;
            follow_topic(s, 5000, "SIGHUP");
        } else if (sig->reload) {
            sig->reload = 0;
            rk_stream_close_round(s); /* the swap happens between rounds */
            reload_model(s, "SIGHUP");
        }
        if ((s->conf->watch || s->feed) && time(NULL) != last_watch) {
            last_watch = time(NULL);
            if (s->feed)
                follow_topic(s, 0, "model topic");
            if (s->conf->watch && model_file_changed(s)) {
                rk_stream_close_round(s);
                reload_model(s, "model file changed");
            }
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, 100);
        if (m && m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                rk_log(RK_LOG_WARN, "consumer: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            m = NULL;
        }
        if (m) {
            rk_obs_consumed(s->obs, m->len);
            if (s->nround == 0)
                clock_gettime(CLOCK_MONOTONIC, &started);
            s->round[s->nround++].msg = m;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - started.tv_sec) * 1000 +
                      (now.tv_nsec - started.tv_nsec) / 1000000;
        if (s->nround == s->conf->batch_size ||
            (s->nround && (!m || waited >= s->conf->batch_ms)))
            err = rk_stream_close_round(s);
        rd_kafka_poll(s->producer, 0);
        if (err)
            break;
    }
    rk_obs_stopping(s->obs, sig->stop && !err && !s->fatal
                                ? "shutting down on a signal"
                                : "a Kafka error (see the log)");
    if (!err && !s->fatal) {
        rk_log(RK_LOG_INFO, "stopping: delivering what is in flight");
        err = rk_stream_close_round(s);
    }
    rd_kafka_consumer_close(s->consumer);
    rd_kafka_flush(s->producer, 10000);
    rk_obs_final(s->obs);
    if (err || s->fatal)
        return rk_fail(RK_ERR_KAFKA, errstr, n,
                       "stopped on a Kafka error (see the log above); "
                       "uncommitted input will be read again on restart");
    return RK_OK;
}

void rk_stream_destroy(rk_stream_t *s) {
    if (!s)
        return;
    rk_stream_clear_round(s); /* a round never closed */
    if (s->consumer)
        rd_kafka_destroy(s->consumer);
    if (s->producer)
        rd_kafka_destroy(s->producer);
    for (int t = 0; s->ctx && t < s->conf->threads; t++)
        rk_pipeline_ctx_destroy(s->ctx[t]);
    free(s->ctx);
    free(s->round);
    if (s->offsets)
        rd_kafka_topic_partition_list_destroy(s->offsets);
    rk_model_destroy(s->model);
    rk_model_feed_destroy(s->feed);
    rk_obs_destroy(s->obs); /* after the clients: their callbacks use it */
    free(s);
}
