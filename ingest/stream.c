/*
 * stream.c - see stream.h. One thread drives Kafka; classification of a
 * round fans out to worker threads and comes back in read order.
 */
#include "ingest/stream.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "classify/pipeline.h"
#include "obs/health.h"
#include "obs/log.h"
#include "ingest/stream_obs.h"

/* What became of one input message. */
typedef struct item_s {
    rd_kafka_message_t *msg;
    rk_env_code_t error;     /* RK_ENV_OK: records hold its output */
    char reason[256];
    rk_record_list_t records;
    char *doc_id;
} item_t;

struct rk_stream_s {
    const rk_stream_conf_t *conf;
    rd_kafka_t *consumer, *producer;
    rk_model_t *model;
    struct stat model_stat;
    const char *model_path;
    rk_pipeline_ctx_t **ctx; /* one per worker */
    item_t *round;
    int nround;
    /* Input offsets to commit when the round closes. */
    rd_kafka_topic_partition_list_t *offsets;
    volatile int delivery_failures;
    int fatal;
    rk_obs_t *obs; /* metrics, /healthz, the throughput line */
};

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
    rk_log(level <= 3 ? RK_LOG_ERROR : level <= 4 ? RK_LOG_WARN
                                                  : RK_LOG_DEBUG,
           "kafka %s: %s", fac, buf);
}

/* ---- one round ---------------------------------------------------------- */

typedef struct work_s {
    rk_stream_t *s;
    int worker, nworkers;
} work_t;

static void classify_item(rk_stream_t *s, rk_pipeline_ctx_t *ctx,
                          item_t *it) {
    const rd_kafka_message_t *m = it->msg;
    const char *topic = rd_kafka_topic_name(m->rkt);
    rk_env_msg_t env = {m->payload, m->len, m->key, m->key_len,
                        topic, m->partition, m->offset};
    rk_env_doc_t doc;
    double started = rk_health_now();
    it->error = rk_env_decode(&s->conf->limits, &env, &doc, it->reason,
                              sizeof it->reason);
    if (it->error)
        return;
    rk_pipeline_opts_t po = {s->conf->explain, s->conf->include_text};
    rk_doc_t d = {doc.id, doc.text, doc.text_len, topic, m->partition,
                  m->offset};
    if (rk_pipeline_run(ctx, s->model, &po, &d, &it->records, it->reason,
                        sizeof it->reason) != RK_OK)
        it->error = RK_ENV_INTERNAL;
    else
        it->doc_id = strdup(doc.id);
    if (!it->error && !it->doc_id) {
        it->error = RK_ENV_INTERNAL;
        snprintf(it->reason, sizeof it->reason, "out of memory");
    }
    if (!it->error)
        rk_obs_classified(s->obs, it->records.count - 1,
                          rk_health_now() - started);
    rk_env_doc_clear(&doc);
}

static void *worker_main(void *arg) {
    work_t *w = arg;
    for (int i = w->worker; i < w->s->nround; i += w->nworkers)
        classify_item(w->s, w->s->ctx[w->worker], &w->s->round[i]);
    return NULL;
}

static void classify_round(rk_stream_t *s) {
    int n = s->conf->threads < s->nround ? s->conf->threads : s->nround;
    if (n <= 1) {
        work_t w = {s, 0, 1};
        worker_main(&w);
        return;
    }
    pthread_t tid[64];
    work_t w[64];
    for (int t = 0; t < n; t++) {
        w[t] = (work_t){s, t, n};
        if (pthread_create(&tid[t], NULL, worker_main, &w[t]) != 0) {
            /* No thread: do its share here, in order. */
            worker_main(&w[t]);
            tid[t] = 0;
        }
    }
    for (int t = 0; t < n; t++)
        if (tid[t])
            pthread_join(tid[t], NULL);
}

/* Produces one message, waiting while the producer queue is full (this
 * is the backpressure: no reading happens meanwhile). */
static rd_kafka_resp_err_t produce(rk_stream_t *s, const char *topic,
                                   const void *key, size_t key_len,
                                   const void *val, size_t len,
                                   rd_kafka_headers_t *hdrs) {
    for (;;) {
        rd_kafka_resp_err_t err =
            hdrs ? rd_kafka_producev(s->producer, RD_KAFKA_V_TOPIC(topic),
                                     RD_KAFKA_V_KEY(key, key_len),
                                     RD_KAFKA_V_VALUE((void *)val, len),
                                     RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                     RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END)
                 : rd_kafka_producev(s->producer, RD_KAFKA_V_TOPIC(topic),
                                     RD_KAFKA_V_KEY(key, key_len),
                                     RD_KAFKA_V_VALUE((void *)val, len),
                                     RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                     RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            return err;
        rd_kafka_poll(s->producer, 100);
    }
}

static rd_kafka_resp_err_t dead_letter(rk_stream_t *s, const item_t *it) {
    const rd_kafka_message_t *m = it->msg;
    const char *code = rk_env_code_name(it->error);
    /* The reason may quote the payload (a JSON parser's "near '...'"): it
     * goes in the rakiza.error.message header, and in the log at debug. */
    rk_log(RK_LOG_WARN, "dead letter %s [%d] @%lld: %s",
           rd_kafka_topic_name(m->rkt), (int)m->partition,
           (long long)m->offset, code);
    rk_log(RK_LOG_DEBUG, "dead letter %s [%d] @%lld: %s: %s",
           rd_kafka_topic_name(m->rkt), (int)m->partition,
           (long long)m->offset, code, it->reason);
    if (!strcmp(s->conf->dlq, "none"))
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    char part[16], off[32];
    snprintf(part, sizeof part, "%d", (int)m->partition);
    snprintf(off, sizeof off, "%lld", (long long)m->offset);
    /* A payload the DLQ topic could not take (Kafka refuses records over
     * the broker's message.max.bytes) is cut, and says so: the whole of it
     * stays on the input topic at the source offset named here. */
    size_t len = m->len;
    char full[32];
    rd_kafka_headers_t *h = rd_kafka_headers_new(6);
    if (len > s->conf->dlq_max_bytes) {
        len = s->conf->dlq_max_bytes;
        snprintf(full, sizeof full, "%zu", m->len);
        rd_kafka_header_add(h, "rakiza.payload.truncated", -1, full, -1);
    }
    rd_kafka_header_add(h, "rakiza.error", -1, code, -1);
    rd_kafka_header_add(h, "rakiza.error.message", -1, it->reason, -1);
    rd_kafka_header_add(h, "rakiza.source.topic", -1,
                        rd_kafka_topic_name(m->rkt), -1);
    rd_kafka_header_add(h, "rakiza.source.partition", -1, part, -1);
    rd_kafka_header_add(h, "rakiza.source.offset", -1, off, -1);
    rd_kafka_resp_err_t err = produce(s, s->conf->dlq, m->key, m->key_len,
                                      m->payload, len, h);
    if (err)
        rd_kafka_headers_destroy(h); /* not handed over on failure */
    return err;
}

static void note_offset(rk_stream_t *s, const rd_kafka_message_t *m) {
    rd_kafka_topic_partition_t *p = rd_kafka_topic_partition_list_find(
        s->offsets, rd_kafka_topic_name(m->rkt), m->partition);
    if (!p)
        p = rd_kafka_topic_partition_list_add(
            s->offsets, rd_kafka_topic_name(m->rkt), m->partition);
    p->offset = m->offset + 1;
}

/* The round's output is written (acknowledged, or its transaction
 * committed): count it. */
static void count_round(rk_stream_t *s) {
    for (int i = 0; i < s->nround; i++) {
        const item_t *it = &s->round[i];
        if (it->error)
            rk_obs_dead_letter(s->obs, rk_env_code_name(it->error));
        else
            rk_obs_written(s->obs, s->model, &it->records);
    }
}

static void clear_round(rk_stream_t *s) {
    for (int i = 0; i < s->nround; i++) {
        rd_kafka_message_destroy(s->round[i].msg);
        rk_record_list_free(&s->round[i].records);
        free(s->round[i].doc_id);
        /* The slot is reused by the next round, where a dead letter never
         * sets doc_id: leave nothing behind to be freed twice. */
        s->round[i] = (item_t){0};
    }
    s->nround = 0;
}

static void forget_offsets(rk_stream_t *s) {
    rd_kafka_topic_partition_list_destroy(s->offsets);
    s->offsets = rd_kafka_topic_partition_list_new(16);
}

/* At-least-once: commits the offsets of every delivered round. A commit
 * refused during a rebalance keeps them, to be retried with the next
 * round or when the partitions are revoked; otherwise the next owner
 * would repeat the round. */
static void commit_offsets(rk_stream_t *s) {
    if (s->conf->exactly_once || s->offsets->cnt == 0)
        return;
    rd_kafka_resp_err_t err = rd_kafka_commit(s->consumer, s->offsets, 0);
    if (err) {
        rk_log(RK_LOG_WARN, "offset commit failed: %s (kept, retried with "
                            "the next round)",
               rd_kafka_err2str(err));
        return;
    }
    forget_offsets(s);
}

/* Rewinds the consumer to the committed offsets of the round's
 * partitions (after an aborted transaction). */
static void rewind_round(rk_stream_t *s) {
    rd_kafka_topic_partition_list_t *c =
        rd_kafka_topic_partition_list_copy(s->offsets);
    int ok = rd_kafka_committed(s->consumer, c, 10000) == 0;
    for (int i = 0; ok && i < c->cnt; i++) {
        ok = !c->elems[i].err;
        if (c->elems[i].offset < 0)
            c->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (ok) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(s->consumer, c, 10000);
        ok = !e;
        if (e)
            rd_kafka_error_destroy(e);
        for (int i = 0; ok && i < c->cnt; i++)
            ok = !c->elems[i].err;
    }
    /* A partition not rewound would go on past the aborted round's input
     * (lost): stop instead, so a restart resumes from the last commit. */
    if (!ok) {
        rk_log(RK_LOG_ERROR, "cannot rewind the input after an aborted "
                             "transaction; stopping");
        s->fatal = 1;
    }
    rd_kafka_topic_partition_list_destroy(c);
}

/* Classifies, produces and closes the current round (see stream.h). */
static rk_err_t close_round(rk_stream_t *s) {
    if (s->nround == 0) {
        commit_offsets(s);
        return RK_OK;
    }
    classify_round(s);
    rd_kafka_error_t *txerr = NULL;
    if (s->conf->exactly_once)
        txerr = rd_kafka_begin_transaction(s->producer);
    rd_kafka_resp_err_t err = txerr ? rd_kafka_error_code(txerr) : 0;
    /* Every message of the round, before anything can fail: an abort
     * must rewind all the partitions the round read from. Noting them as
     * they were produced lost the rest of the round when a produce failed
     * mid-round (the fault tests found it). */
    for (int i = 0; i < s->nround; i++)
        note_offset(s, s->round[i].msg);
    for (int i = 0; i < s->nround && !err; i++) {
        item_t *it = &s->round[i];
        if (it->error) {
            err = dead_letter(s, it);
            continue;
        }
        for (size_t r = 0; r < it->records.count && !err; r++)
            err = produce(s, s->conf->out_topic, it->doc_id,
                          strlen(it->doc_id), it->records.items[r].json,
                          it->records.items[r].len, NULL);
    }
    if (txerr) {
        rd_kafka_error_destroy(txerr);
        txerr = NULL;
    }
    if (s->conf->exactly_once) {
        if (!err) {
            rd_kafka_consumer_group_metadata_t *meta =
                rd_kafka_consumer_group_metadata(s->consumer);
            txerr = rd_kafka_send_offsets_to_transaction(s->producer,
                                                         s->offsets, meta,
                                                         -1);
            rd_kafka_consumer_group_metadata_destroy(meta);
            if (!txerr)
                txerr = rd_kafka_commit_transaction(s->producer, -1);
        }
        if (txerr || err) {
            rk_log(RK_LOG_WARN, "transaction failed (%s); aborting the round",
                   txerr ? rd_kafka_error_string(txerr)
                         : rd_kafka_err2str(err));
            if (txerr && rd_kafka_error_is_fatal(txerr))
                s->fatal = 1;
            if (txerr)
                rd_kafka_error_destroy(txerr);
            rd_kafka_error_t *a = rd_kafka_abort_transaction(s->producer, -1);
            if (a) {
                s->fatal = 1;
                rd_kafka_error_destroy(a);
            }
            rewind_round(s);
            clear_round(s);
            forget_offsets(s);
            return s->fatal ? RK_ERR_KAFKA : RK_OK;
        }
        count_round(s);
        forget_offsets(s); /* committed in the transaction */
    } else {
        /* At-least-once: all acknowledged, then commit. */
        if (!err)
            err = rd_kafka_flush(s->producer, -1);
        if (err || s->delivery_failures) {
            s->fatal = 1;
            rk_log(RK_LOG_ERROR,
                   "output not acknowledged (%s); stopping without "
                   "committing, a restart resumes from the last commit",
                   err ? rd_kafka_err2str(err) : "delivery failed");
            clear_round(s);
            forget_offsets(s); /* never commit past undelivered output */
            return RK_ERR_KAFKA;
        }
        count_round(s);
        commit_offsets(s);
    }
    clear_round(s);
    return RK_OK;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts,
                         void *opaque) {
    rk_stream_t *s = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rk_log(RK_LOG_INFO, "assigned %d partition(s)", parts->cnt);
        rd_kafka_assign(rk, parts);
        rk_obs_assigned(s->obs, parts->cnt);
    } else {
        rk_log(RK_LOG_INFO, "revoking %d partition(s): closing the round",
               parts->cnt);
        close_round(s);
        if (s->offsets->cnt)
            rk_log(RK_LOG_WARN, "revoked with offsets still uncommitted: "
                                "their last round may be repeated by the "
                                "next owner");
        forget_offsets(s);
        rd_kafka_assign(rk, NULL);
        rk_obs_revoked(s->obs);
    }
}

/* ---- model -------------------------------------------------------------- */

static void reload_model(rk_stream_t *s, const char *why) {
    char err[1024];
    rk_model_t *m = NULL;
    double started = rk_health_now();
    if (rk_model_load(s->model_path, &m, err, sizeof err) != RK_OK) {
        rk_log(RK_LOG_ERROR, "%s: new model refused, still serving %s: %s",
               why, rk_model_id(s->model), err);
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
#define SET(key, val) \
    ok = ok && rd_kafka_conf_set(k, key, val, errstr, n) == RD_KAFKA_CONF_OK
    if (type == RD_KAFKA_CONSUMER) {
        SET("group.id", c->group);
        SET("enable.auto.commit", "false");
        SET("auto.offset.reset", "earliest");
        SET("isolation.level", "read_committed");
        /* Room for one fetch holding a message far over the limits, so it
         * reaches the envelope and the DLQ instead of stalling the fetch. */
        SET("receive.message.max.bytes", "1073741824");
        rd_kafka_conf_set_rebalance_cb(k, on_rebalance);
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
    s->model_path = conf->model_path ? conf->model_path
                                     : rk_model_default_path();
    s->offsets = rd_kafka_topic_partition_list_new(16);
    s->round = calloc((size_t)conf->batch_size, sizeof *s->round);
    s->ctx = calloc((size_t)conf->threads, sizeof *s->ctx);
    err = s->round && s->ctx ? rk_obs_new(conf, &s->obs, errstr, n)
                             : rk_fail(RK_ERR_NOMEM, errstr, n,
                                       "out of memory");
    double started = rk_health_now();
    if (!err)
        err = rk_model_load(s->model_path, &s->model, errstr, n);
    if (!err)
        rk_obs_model(s->obs, s->model, rk_health_now() - started, 0);
    for (int t = 0; !err && t < conf->threads; t++)
        if (!(s->ctx[t] = rk_pipeline_ctx_new()))
            err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err) {
        stat(s->model_path, &s->model_stat);
        s->producer = client(conf, RD_KAFKA_PRODUCER, s, errstr, n);
        s->consumer = s->producer
                          ? client(conf, RD_KAFKA_CONSUMER, s, errstr, n)
                          : NULL;
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

rk_err_t rk_stream_run(rk_stream_t *s, rk_stream_signals_t *sig,
                       char *errstr, size_t n) {
    rk_log(RK_LOG_INFO, "consuming %s as group %s, writing %s (%s), model %s",
           s->conf->in_topic, s->conf->group, s->conf->out_topic,
           s->conf->exactly_once ? "exactly-once" : "at-least-once",
           rk_model_id(s->model));
    struct timespec started = {0};
    time_t last_watch = time(NULL);
    rk_err_t err = RK_OK;
    while (!sig->stop && !s->fatal) {
        rk_obs_tick(s->obs);
        if (sig->reload) {
            sig->reload = 0;
            close_round(s); /* the swap happens between rounds */
            reload_model(s, "SIGHUP");
        }
        if (s->conf->watch && time(NULL) != last_watch) {
            last_watch = time(NULL);
            if (model_file_changed(s)) {
                close_round(s);
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
            err = close_round(s);
        rd_kafka_poll(s->producer, 0);
        if (err)
            break;
    }
    rk_obs_stopping(s->obs, sig->stop && !err && !s->fatal
                                ? "shutting down on a signal"
                                : "a Kafka error (see the log)");
    if (!err && !s->fatal) {
        rk_log(RK_LOG_INFO, "stopping: delivering what is in flight");
        err = close_round(s);
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
    for (int i = 0; i < s->nround; i++) {
        rd_kafka_message_destroy(s->round[i].msg);
        rk_record_list_free(&s->round[i].records);
        free(s->round[i].doc_id);
    }
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
    rk_obs_destroy(s->obs); /* after the clients: their callbacks use it */
    free(s);
}
