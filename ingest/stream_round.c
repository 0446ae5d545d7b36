/*
 * stream_round.c - one round of the streaming service (stream.h): the
 * messages read since the last round are classified, their output is
 * produced, and the round is closed.
 *
 * Classification fans out to up to conf->threads workers, worker t taking
 * messages t, t+n, t+2n, ... (a worker that cannot be started has its share
 * done by the calling thread); each worker fills only its own items, and
 * the round waits for all of them. The output then goes out in the order
 * the messages were read: a message's records keyed by its document id, or
 * the message itself to the dead-letter topic (with dlq "none", only to the
 * log). Every input offset of the round is noted before anything is
 * produced, so an abort rewinds every partition the round read from. Then
 * the round is closed:
 *   at-least-once: the producer is flushed, and the offsets are committed
 *     only when every message was acknowledged; otherwise the service stops
 *     without committing (s->fatal). A refused commit is kept and retried.
 *   exactly-once: the offsets are sent in the round's transaction and
 *     committed with it; on failure the transaction is aborted and the
 *     consumer rewound to the last commit, and the service stops when the
 *     error is fatal or either step cannot be done.
 * Written output is counted (stream_obs.h) only once its round is closed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "ingest/stream_internal.h"
#include "obs/health.h"
#include "obs/log.h"

typedef struct work_s {
    rk_stream_t *s;
    int worker, nworkers;
} work_t;

static void classify_item(rk_stream_t *s, rk_pipeline_ctx_t *ctx, item_t *it) {
    const rd_kafka_message_t *m = it->msg;
    const char *topic = rd_kafka_topic_name(m->rkt);
    rk_env_msg_t env = {m->payload, m->len,       m->key,   m->key_len,
                        topic,      m->partition, m->offset};
    rk_env_doc_t doc;
    double started = rk_health_now();
    it->error = rk_env_decode(&s->conf->limits, &env, &doc, it->reason,
                              sizeof it->reason);
    if (it->error)
        return;
    rk_pipeline_opts_t po = {s->conf->explain, s->conf->include_text};
    rk_doc_t d = {doc.id, doc.text,     doc.text_len,
                  topic,  m->partition, m->offset};
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
    pthread_t tid[RK_MAX_THREADS];
    work_t w[RK_MAX_THREADS];
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
           rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
           code);
    rk_log(RK_LOG_DEBUG, "dead letter %s [%d] @%lld: %s: %s",
           rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
           code, it->reason);
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
    rd_kafka_resp_err_t err =
        produce(s, s->conf->dlq, m->key, m->key_len, m->payload, len, h);
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

void rk_stream_clear_round(rk_stream_t *s) {
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
        rk_log(RK_LOG_WARN,
               "offset commit failed: %s (kept, retried with "
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

/* See stream_internal.h. */
rk_err_t rk_stream_close_round(rk_stream_t *s) {
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
            err = produce(s, s->conf->out_topic, it->doc_id, strlen(it->doc_id),
                          it->records.items[r].json, it->records.items[r].len,
                          NULL);
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
                                                         s->offsets, meta, -1);
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
            rk_stream_clear_round(s);
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
            rk_stream_clear_round(s);
            forget_offsets(s); /* never commit past undelivered output */
            return RK_ERR_KAFKA;
        }
        count_round(s);
        commit_offsets(s);
    }
    rk_stream_clear_round(s);
    return RK_OK;
}

void rk_stream_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
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
        rk_stream_close_round(s);
        if (s->offsets->cnt)
            rk_log(RK_LOG_WARN, "revoked with offsets still uncommitted: "
                                "their last round may be repeated by the "
                                "next owner");
        forget_offsets(s);
        rd_kafka_assign(rk, NULL);
        rk_obs_revoked(s->obs);
    }
}
