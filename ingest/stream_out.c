/*
 * stream_out.c - the output side of the streaming service
 * (stream_internal.h): reorder buffers, produce, acknowledgements, offsets,
 * commits, transactions, rebalances and rewinds. Driving thread only.
 *
 * Each input partition keeps its documents in offset order. When the
 * worker pool hands a document back it becomes ready; the ready documents
 * at each partition's cursor are produced at once, in offset order: a
 * document's records keyed by its id, or the message to the dead-letter
 * topic (with dlq "none", only to the log). The producer queue is bounded:
 * when it refuses a record the document stays at the cursor, half
 * produced, and the driver stops reading until delivery reports make room.
 *
 * at-least-once: each record carries its document as opaque; the delivery
 *   report counts it off. A partition's done prefix - documents whose
 *   every record is acknowledged, with none before them still waiting -
 *   leaves the buffer and its next offset is stored
 *   (rd_kafka_offsets_store; enable.auto.offset.store is off), and the
 *   stored offsets are committed asynchronously every commit interval and
 *   synchronously on revocation and at stop. A failed delivery keeps its
 *   document in the buffer forever, so neither its offset nor any later
 *   one of the partition is stored: the service stops (s->fatal) and a
 *   restart reads from there.
 * exactly-once: the first document produced after a commit opens a
 *   transaction; when the commit interval is up the documents produced in
 *   it (a prefix of each partition, never half a document) send their
 *   offsets to it and it commits, while the workers go on classifying. A
 *   failed delivery or transactional call aborts it: every document not
 *   yet committed is dropped and the consumer rewound to the committed
 *   offsets; a fatal error, or an abort or rewind that fails, stops the
 *   service.
 * Revocation (eager: every partition goes): the ready documents at the
 *   cursors are produced, delivered and committed (or their transaction
 *   committed); the rest are dropped, not committed, and the next owner
 *   reads them from the commit - whole documents, never part of one.
 * Written output is counted (stream_obs.h) when it is done: acknowledged
 * (at-least-once) or its transaction committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/stream_internal.h"
#include "obs/health.h"
#include "obs/log.h"

typedef enum { PRODUCED_ALL, QUEUE_FULL, PRODUCE_FAILED } produce_res_t;

/* ---- documents -------------------------------------------------------- */

static part_t *part_of(rk_stream_t *s, int32_t partition) {
    if (partition < 0)
        return NULL;
    if (partition >= s->nparts) {
        int n = partition + 1 > 2 * s->nparts ? partition + 1 : 2 * s->nparts;
        part_t **p = realloc(s->parts, (size_t)n * sizeof *p);
        if (!p)
            return NULL;
        memset(p + s->nparts, 0, (size_t)(n - s->nparts) * sizeof *p);
        s->parts = p;
        s->nparts = n;
    }
    if (!s->parts[partition]) {
        s->parts[partition] = calloc(1, sizeof **s->parts);
        if (s->parts[partition])
            s->parts[partition]->partition = partition;
    }
    return s->parts[partition];
}

static void free_doc(rk_stream_t *s, doc_t *d) {
    if (d->msg)
        rd_kafka_message_destroy(d->msg);
    rk_record_list_free(&d->records);
    free(d->doc_id);
    rk_work_release(s, d->model);
    free(d);
    s->inflight--;
}

doc_t *rk_out_add(rk_stream_t *s, rd_kafka_message_t *m) {
    part_t *p = part_of(s, m->partition);
    doc_t *d = p ? calloc(1, sizeof *d) : NULL;
    if (!d) {
        rd_kafka_message_destroy(m);
        return NULL;
    }
    d->msg = m;
    d->part = p;
    d->state = DOC_QUEUED;
    if (p->tail)
        p->tail->next = d;
    else
        p->head = d;
    p->tail = d;
    if (!p->cursor)
        p->cursor = d;
    s->inflight++;
    return d;
}

/* A dropped document the driver holds: freed, or kept until its last
 * delivery report comes (the report names it). */
static void bury(rk_stream_t *s, doc_t *d) {
    if (d->pending == 0) {
        free_doc(s, d);
        return;
    }
    rd_kafka_message_destroy(d->msg); /* only the reports are awaited */
    d->msg = NULL;
    d->qnext = s->graveyard;
    s->graveyard = d;
}

void rk_out_ready(rk_stream_t *s, doc_t *list) {
    while (list) {
        doc_t *d = list;
        list = d->qnext;
        d->qnext = NULL;
        if (d->dropped)
            bury(s, d);
        else
            d->state = DOC_READY;
    }
}

void rk_out_sweep(rk_stream_t *s) {
    doc_t **p = &s->graveyard;
    while (*p) {
        doc_t *d = *p;
        if (d->pending == 0) {
            *p = d->qnext;
            free_doc(s, d);
        } else {
            p = &d->qnext;
        }
    }
}

/* Drops one partition's documents (see stream_internal.h). */
static void drop_part(rk_stream_t *s, part_t *p) {
    doc_t *d = p->head;
    p->head = p->tail = p->cursor = NULL;
    while (d) {
        doc_t *next = d->next;
        d->next = NULL;
        d->part = NULL;
        if (d->state == DOC_READY || d->state == DOC_PRODUCED) {
            d->dropped = 1;
            bury(s, d);
        } else if (rk_work_recall(s, d)) {
            free_doc(s, d); /* taken back from the queue */
        }
        /* else a worker has it: it comes back dropped, and is freed */
        d = next;
    }
}

void rk_out_drop_all(rk_stream_t *s) {
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i])
            drop_part(s, s->parts[i]);
    s->producer_full = 0;
}

static void release_list(doc_t *d, int by_next) {
    for (; d; d = by_next ? d->next : d->qnext)
        if (d->msg) {
            rd_kafka_message_destroy(d->msg);
            d->msg = NULL;
        }
}

void rk_out_release_input(rk_stream_t *s) {
    for (int i = 0; i < s->nparts; i++)
        if (s->parts[i])
            release_list(s->parts[i]->head, 1);
    release_list(s->graveyard, 0);
    release_list(s->done, 0); /* the workers are stopped */
}

void rk_out_free_all(rk_stream_t *s) {
    /* The workers are stopped: what they returned and the driver has not
     * taken is either dropped (only there) or in a partition's list. */
    for (doc_t *d = rk_work_take_done(s), *next; d; d = next) {
        next = d->qnext;
        if (d->dropped)
            free_doc(s, d);
    }
    s->queue_head = s->queue_tail = NULL;
    for (int i = 0; i < s->nparts; i++) {
        part_t *p = s->parts[i];
        for (doc_t *d = p ? p->head : NULL, *next; d; d = next) {
            next = d->next;
            free_doc(s, d);
        }
        free(p);
    }
    free(s->parts);
    s->parts = NULL;
    s->nparts = 0;
    for (doc_t *d = s->graveyard, *next; d; d = next) {
        next = d->qnext;
        free_doc(s, d);
    }
    s->graveyard = NULL;
}

/* ---- failures --------------------------------------------------------- */

/* At-least-once: output that cannot all be delivered stops the service;
 * nothing past it is stored, so nothing past it is committed. */
static void output_failed(rk_stream_t *s, const char *why) {
    if (!s->fatal)
        rk_log(RK_LOG_ERROR,
               "output not acknowledged (%s); stopping without committing "
               "past it, a restart resumes from the last commit",
               why);
    s->fatal = 1;
}

static void txn_failed(rk_stream_t *s, const char *why) {
    if (!s->txn_failed)
        rk_log(RK_LOG_WARN, "transaction failed (%s); aborting the transaction",
               why);
    s->txn_failed = 1;
}

void rk_out_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
    (void)rk;
    rk_stream_t *s = opaque;
    doc_t *d = m->_private;
    if (d)
        d->pending--;
    if (!m->err)
        return;
    s->delivery_failures++;
    rk_log(RK_LOG_ERROR, "delivery to %s failed: %s",
           rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    rk_obs_delivery_failed(s->obs, rd_kafka_err2str(m->err),
                           !s->conf->exactly_once);
    if (!d || d->dropped)
        return; /* purged by an abort, or its partition is gone */
    d->failed = 1;
    if (s->conf->exactly_once)
        txn_failed(s, rd_kafka_err2str(m->err));
    else
        output_failed(s, rd_kafka_err2str(m->err));
}

/* ---- produce ---------------------------------------------------------- */

static rd_kafka_resp_err_t produce_one(rk_stream_t *s, doc_t *d,
                                       const char *topic, const void *key,
                                       size_t key_len, const void *val,
                                       size_t len, rd_kafka_headers_t *hdrs) {
    rd_kafka_resp_err_t err =
        hdrs ? rd_kafka_producev(s->producer, RD_KAFKA_V_TOPIC(topic),
                                 RD_KAFKA_V_KEY(key, key_len),
                                 RD_KAFKA_V_VALUE((void *)val, len),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(d),
                                 RD_KAFKA_V_END)
             : rd_kafka_producev(s->producer, RD_KAFKA_V_TOPIC(topic),
                                 RD_KAFKA_V_KEY(key, key_len),
                                 RD_KAFKA_V_VALUE((void *)val, len),
                                 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                 RD_KAFKA_V_OPAQUE(d), RD_KAFKA_V_END);
    if (!err)
        d->pending++;
    return err;
}

static rd_kafka_resp_err_t dead_letter(rk_stream_t *s, doc_t *d) {
    const rd_kafka_message_t *m = d->msg;
    const char *code = rk_env_code_name(d->error);
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
    rd_kafka_header_add(h, "rakiza.error.message", -1, d->reason, -1);
    rd_kafka_header_add(h, "rakiza.source.topic", -1,
                        rd_kafka_topic_name(m->rkt), -1);
    rd_kafka_header_add(h, "rakiza.source.partition", -1, part, -1);
    rd_kafka_header_add(h, "rakiza.source.offset", -1, off, -1);
    rd_kafka_resp_err_t err =
        produce_one(s, d, s->conf->dlq, m->key, m->key_len, m->payload, len, h);
    if (err)
        rd_kafka_headers_destroy(h); /* not handed over on failure */
    return err;
}

static void log_dead_letter(const doc_t *d) {
    const rd_kafka_message_t *m = d->msg;
    const char *code = rk_env_code_name(d->error);
    /* The reason may quote the payload (a JSON parser's "near '...'"): it
     * goes in the rakiza.error.message header, and in the log at debug. */
    rk_log(RK_LOG_WARN, "dead letter %s [%d] @%lld: %s",
           rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
           code);
    rk_log(RK_LOG_DEBUG, "dead letter %s [%d] @%lld: %s: %s",
           rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
           code, d->reason);
}

/* Hands d's remaining output to the producer. */
static produce_res_t produce_doc(rk_stream_t *s, doc_t *d) {
    rd_kafka_resp_err_t err = 0;
    if (d->error) {
        if (d->produced == 0) {
            err = dead_letter(s, d);
            if (!err) {
                log_dead_letter(d);
                d->produced = 1;
            }
        }
    } else {
        size_t key_len = strlen(d->doc_id);
        while (!err && d->produced < d->records.count) {
            const rk_record_t *r = &d->records.items[d->produced];
            err = produce_one(s, d, s->conf->out_topic, d->doc_id, key_len,
                              r->json, r->len, NULL);
            if (!err)
                d->produced++;
        }
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        return QUEUE_FULL;
    if (err) {
        if (s->conf->exactly_once)
            txn_failed(s, rd_kafka_err2str(err));
        else
            output_failed(s, rd_kafka_err2str(err));
        return PRODUCE_FAILED;
    }
    return PRODUCED_ALL;
}

static int begin_txn(rk_stream_t *s) {
    if (s->txn_open)
        return 0;
    rd_kafka_error_t *e = rd_kafka_begin_transaction(s->producer);
    if (e) {
        if (rd_kafka_error_is_fatal(e))
            s->fatal = 1;
        txn_failed(s, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
        return -1;
    }
    s->txn_open = 1;
    s->pending_since = rk_health_now();
    return 0;
}

/* Produces p's ready documents from its cursor on. Returns 0 when the
 * producer queue is full (without block), 1 otherwise. */
static int produce_part(rk_stream_t *s, part_t *p, int block) {
    while (p->cursor && p->cursor->state == DOC_READY && !s->fatal &&
           !s->txn_failed) {
        if (s->conf->exactly_once && begin_txn(s) != 0)
            return 1;
        produce_res_t r = produce_doc(s, p->cursor);
        if (r == QUEUE_FULL) {
            if (!block)
                return 0;
            /* Backpressure: room comes with delivery reports. */
            rd_kafka_poll(s->producer, 100);
            continue;
        }
        if (r == PRODUCE_FAILED)
            return 1;
        p->cursor->state = DOC_PRODUCED;
        p->cursor = p->cursor->next;
    }
    return 1;
}

void rk_out_produce(rk_stream_t *s, int block) {
    s->producer_full = 0;
    /* Round-robin start, so a full queue favours no partition. */
    for (int k = 0; k < s->nparts; k++) {
        part_t *p = s->parts[(s->next_part + k) % s->nparts];
        if (p && !produce_part(s, p, block)) {
            s->producer_full = 1;
            s->next_part = (s->next_part + k) % s->nparts;
            return;
        }
    }
    if (s->nparts)
        s->next_part = (s->next_part + 1) % s->nparts;
}

/* ---- at-least-once: acknowledged prefixes, stored offsets ------------- */

static void store_done(rk_stream_t *s) {
    rd_kafka_topic_partition_list_t *offsets = NULL;
    for (int i = 0; i < s->nparts; i++) {
        part_t *p = s->parts[i];
        int64_t next = -1;
        char topic[256];
        while (p && p->head && p->head->state == DOC_PRODUCED &&
               p->head->pending == 0 && !p->head->failed) {
            doc_t *d = p->head;
            if (d->error)
                rk_obs_dead_letter(s->obs, rk_env_code_name(d->error));
            else
                rk_obs_written(s->obs, d->model->model, &d->records);
            next = d->msg->offset + 1;
            snprintf(topic, sizeof topic, "%s",
                     rd_kafka_topic_name(d->msg->rkt));
            p->head = d->next;
            if (!p->head)
                p->tail = NULL;
            free_doc(s, d);
        }
        if (next < 0)
            continue;
        if (!offsets)
            offsets = rd_kafka_topic_partition_list_new(8);
        rd_kafka_topic_partition_list_add(offsets, topic, p->partition)
            ->offset = next;
    }
    if (!offsets)
        return;
    rd_kafka_resp_err_t err = rd_kafka_offsets_store(s->consumer, offsets);
    for (int i = 0; !err && i < offsets->cnt; i++)
        err = offsets->elems[i].err;
    if (err)
        /* The partition was revoked meanwhile: its next owner reads the
         * documents again (whole), nothing is lost. */
        rk_log(RK_LOG_WARN, "cannot store offsets: %s", rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(offsets);
    if (!s->stored)
        s->pending_since = rk_health_now();
    s->stored = 1;
}

static void commit_stored(rk_stream_t *s, int sync) {
    if (!s->stored)
        return;
    s->stored = 0;
    rd_kafka_resp_err_t err = rd_kafka_commit(s->consumer, NULL, !sync);
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        /* Kept by librdkafka: the next commit carries them again. */
        rk_log(RK_LOG_WARN, "offset commit failed: %s (kept, retried)",
               rd_kafka_err2str(err));
        s->stored = 1;
        s->pending_since = rk_health_now();
    }
}

/* ---- exactly-once: transactions ---------------------------------------- */

/* Rewinds every assigned partition to its committed offset (after an
 * aborted transaction). A partition not rewound would go on past the
 * aborted input (lost): the service stops instead. */
static void rewind_input(rk_stream_t *s) {
    rd_kafka_topic_partition_list_t *c = NULL;
    int ok = rd_kafka_assignment(s->consumer, &c) == 0;
    if (ok && c->cnt)
        ok = rd_kafka_committed(s->consumer, c, 10000) == 0;
    for (int i = 0; ok && i < c->cnt; i++) {
        ok = !c->elems[i].err;
        if (c->elems[i].offset < 0)
            c->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (ok && c->cnt) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(s->consumer, c, 10000);
        ok = !e;
        if (e)
            rd_kafka_error_destroy(e);
        for (int i = 0; ok && i < c->cnt; i++)
            ok = !c->elems[i].err;
    }
    if (!ok) {
        rk_log(RK_LOG_ERROR, "cannot rewind the input after an aborted "
                             "transaction; stopping");
        s->fatal = 1;
    }
    if (c)
        rd_kafka_topic_partition_list_destroy(c);
}

static void abort_txn(rk_stream_t *s, int rewind) {
    if (s->txn_open) {
        rd_kafka_error_t *a = rd_kafka_abort_transaction(s->producer, -1);
        if (a) {
            rk_log(RK_LOG_ERROR, "cannot abort the transaction: %s",
                   rd_kafka_error_string(a));
            s->fatal = 1;
            rd_kafka_error_destroy(a);
        }
    }
    rk_out_drop_all(s);
    s->txn_open = 0;
    s->txn_failed = 0;
    if (rewind && !s->fatal)
        rewind_input(s);
}

/* The documents produced in the open transaction: a prefix of each
 * partition, up to its cursor. Their offsets go in the transaction. */
static rd_kafka_topic_partition_list_t *txn_offsets(rk_stream_t *s) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
    for (int i = 0; i < s->nparts; i++) {
        part_t *p = s->parts[i];
        doc_t *last = NULL;
        for (doc_t *d = p ? p->head : NULL; d && d != p->cursor; d = d->next)
            last = d;
        if (last)
            rd_kafka_topic_partition_list_add(
                l, rd_kafka_topic_name(last->msg->rkt), p->partition)
                ->offset = last->msg->offset + 1;
    }
    return l;
}

static rd_kafka_error_t *send_and_commit(rk_stream_t *s) {
    rd_kafka_topic_partition_list_t *offsets = txn_offsets(s);
    rd_kafka_error_t *e = NULL;
    if (offsets->cnt) {
        rd_kafka_consumer_group_metadata_t *meta =
            rd_kafka_consumer_group_metadata(s->consumer);
        e = rd_kafka_send_offsets_to_transaction(s->producer, offsets, meta,
                                                 -1);
        rd_kafka_consumer_group_metadata_destroy(meta);
    }
    rd_kafka_topic_partition_list_destroy(offsets);
    if (!e)
        e = rd_kafka_commit_transaction(s->producer, -1);
    return e;
}

/* Finishes the half-produced documents at the cursors: a transaction
 * never holds part of a document. */
static void finish_partial(rk_stream_t *s) {
    for (int i = 0; i < s->nparts; i++) {
        part_t *p = s->parts[i];
        if (p && p->cursor && p->cursor->state == DOC_READY &&
            p->cursor->produced > 0)
            while (!s->fatal && !s->txn_failed &&
                   produce_doc(s, p->cursor) == QUEUE_FULL)
                rd_kafka_poll(s->producer, 100);
        if (p && p->cursor && p->cursor->state == DOC_READY &&
            p->cursor->produced > 0 && !s->fatal && !s->txn_failed) {
            p->cursor->state = DOC_PRODUCED;
            p->cursor = p->cursor->next;
        }
    }
}

static void commit_txn(rk_stream_t *s, int rewind) {
    finish_partial(s);
    rd_kafka_error_t *e = s->txn_failed ? NULL : send_and_commit(s);
    if (e) {
        if (rd_kafka_error_is_fatal(e))
            s->fatal = 1;
        txn_failed(s, rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    if (s->txn_failed) {
        abort_txn(s, rewind);
        return;
    }
    s->txn_open = 0;
    for (int i = 0; i < s->nparts; i++) {
        part_t *p = s->parts[i];
        while (p && p->head && p->head != p->cursor) {
            doc_t *d = p->head;
            if (d->error)
                rk_obs_dead_letter(s->obs, rk_env_code_name(d->error));
            else
                rk_obs_written(s->obs, d->model->model, &d->records);
            p->head = d->next;
            if (!p->head)
                p->tail = NULL;
            d->dropped = 1; /* out of the buffer */
            bury(s, d);
        }
    }
}

/* ---- both ------------------------------------------------------------- */

long rk_out_commit_due(rk_stream_t *s) {
    int waiting = s->conf->exactly_once ? s->txn_open : s->stored;
    if (s->txn_failed)
        return 0;
    if (!waiting)
        return -1;
    double left = s->commit_ms / 1000.0 - (rk_health_now() - s->pending_since);
    return left <= 0 ? 0 : (long)(left * 1000) + 1;
}

void rk_out_commit(rk_stream_t *s, int force) {
    if (s->conf->exactly_once) {
        if (s->txn_failed)
            abort_txn(s, 1);
        else if (s->txn_open && !s->fatal &&
                 (force || rk_out_commit_due(s) == 0))
            commit_txn(s, 1);
        return;
    }
    store_done(s);
    if (force || rk_out_commit_due(s) == 0)
        commit_stored(s, force);
}

void rk_stream_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t *parts,
                            void *opaque) {
    rk_stream_t *s = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rk_log(RK_LOG_INFO, "assigned %d partition(s)", parts->cnt);
        rd_kafka_assign(rk, parts);
        rk_obs_assigned(s->obs, parts->cnt);
        return;
    }
    rk_log(RK_LOG_INFO,
           "revoking %d partition(s): delivering and committing what is "
           "ready, dropping the rest",
           parts->cnt);
    if (!s->fatal) {
        rk_out_ready(s, rk_work_take_done(s));
        rk_out_produce(s, 1);
        if (!s->conf->exactly_once)
            rd_kafka_flush(s->producer, -1); /* the reports count them off */
    }
    if (s->conf->exactly_once) {
        if (s->txn_failed)
            abort_txn(s, 0);
        else if (s->txn_open && !s->fatal)
            commit_txn(s, 0); /* the partitions go: no rewind */
    } else {
        store_done(s); /* stops at a failed delivery */
        commit_stored(s, 1);
    }
    rk_out_drop_all(s);
    rd_kafka_assign(rk, NULL);
    rk_obs_revoked(s->obs);
}
