/*
 * review.c - see review.h. Two threads: the caller's runs the consumer
 * loop (rk_review_run) and the server's answers the page; they share the
 * store under one lock, taken per message on one side and per request on
 * the other. The producer is used from the server's thread only (it
 * publishes a label and polls until the delivery report comes back, which
 * librdkafka guarantees within message.timeout.ms).
 *
 * Partitions: every RK_REVIEW_METADATA_MS the metadata of both topics is
 * read, and each partition not yet assigned is added from its beginning
 * (incremental assign, with a group id of the process's own that never
 * joins a group or commits: librdkafka needs one to assign, the brokers
 * keep nothing for it).
 */
#include "review/review.h"

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "obs/kafka_log.h"
#include "obs/log.h"
#include "review/auth.h"
#include "review/server.h"
#include "review/store.h"

/* Skipped messages logged one by one, then only counted (a topic full of
 * something else must not flood the log). */
#define RK_REVIEW_LOGGED_SKIPS 20

struct rk_review_s {
    const rk_review_conf_t *c;
    rk_review_store_t *store;
    pthread_mutex_t lock;
    rd_kafka_t *consumer, *producer;
    rk_review_server_t *server;
    rd_kafka_topic_partition_list_t *assigned;
    size_t read[2], skipped[2]; /* [0] output topic, [1] labels topic */
};

typedef struct delivery_s {
    volatile int done;
    rd_kafka_resp_err_t err;
} delivery_t;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- Kafka clients ---------------------------------------------------- */

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque) {
    (void)rk;
    (void)opaque;
    delivery_t *d = m->_private;
    d->err = m->err;
    d->done = 1;
}

static rd_kafka_t *client(const rk_review_conf_t *c, rd_kafka_type_t type,
                          char *errstr, size_t n) {
    rd_kafka_conf_t *k = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(k, rk_kafka_log_cb);
    rd_kafka_conf_set_error_cb(k, rk_kafka_error_cb);
    char group[96], hex[RK_REVIEW_SECRET_HEX + 1], timeout[32];
    int ok =
        rk_review_random_hex(hex, RK_REVIEW_SECRET_BYTES, errstr, n) == RK_OK;
#define SET(key, val)                                                          \
    ok = ok && rd_kafka_conf_set(k, key, val, errstr, n) == RD_KAFKA_CONF_OK
    SET("bootstrap.servers", c->brokers);
    if (type == RD_KAFKA_CONSUMER) {
        snprintf(group, sizeof group, "rakiza-review-%ld-%s", (long)getpid(),
                 hex);
        SET("group.id", group);
        SET("enable.auto.commit", "false");
        SET("enable.auto.offset.store", "false");
        SET("auto.offset.reset", "earliest");
        SET("enable.partition.eof", "false");
        SET("isolation.level", "read_committed");
    } else {
        snprintf(timeout, sizeof timeout, "%d", RK_REVIEW_DELIVERY_TIMEOUT_MS);
        SET("acks", "all");
        SET("message.timeout.ms", timeout);
        SET("queue.buffering.max.ms", "0");
        rd_kafka_conf_set_dr_msg_cb(k, on_delivery);
    }
    /* The user's properties last: they win over these defaults. */
    for (size_t i = 0; i < c->n_props; i++)
        SET(c->props[2 * i], c->props[2 * i + 1]);
#undef SET
    rd_kafka_t *rk = ok ? rd_kafka_new(type, k, errstr, n) : NULL;
    if (!rk)
        rd_kafka_conf_destroy(k);
    return rk;
}

/* The server's publish function: one sample to the labels topic, waited
 * for until delivered. */
static rk_err_t publish(void *opaque, const char *key, const char *value,
                        char *errstr, size_t n) {
    rk_review_t *r = opaque;
    delivery_t d = {0, RD_KAFKA_RESP_ERR_NO_ERROR};
    rd_kafka_resp_err_t err =
        rd_kafka_producev(r->producer, RD_KAFKA_V_TOPIC(r->c->labels_topic),
                          RD_KAFKA_V_KEY(key, strlen(key)),
                          RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_OPAQUE(&d), RD_KAFKA_V_END);
    if (err)
        return rk_fail(RK_ERR_KAFKA, errstr, n, "cannot produce to %s: %s",
                       r->c->labels_topic, rd_kafka_err2str(err));
    while (!d.done) /* the report comes within message.timeout.ms */
        rd_kafka_poll(r->producer, 50);
    if (d.err)
        return rk_fail(RK_ERR_KAFKA, errstr, n, "delivery to %s failed: %s",
                       r->c->labels_topic, rd_kafka_err2str(d.err));
    rk_log(RK_LOG_INFO, "review: labelled %s", key);
    return RK_OK;
}

/* ---- partitions --------------------------------------------------------
 */

static int assigned(const rk_review_t *r, const char *topic, int32_t p) {
    return rd_kafka_topic_partition_list_find(r->assigned, topic, p) != NULL;
}

/* Adds the partitions of topic not assigned yet to add. */
static void new_partitions(rk_review_t *r, const char *topic,
                           rd_kafka_topic_partition_list_t *add) {
    rd_kafka_topic_t *t = rd_kafka_topic_new(r->consumer, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    if (!t)
        return;
    rd_kafka_resp_err_t err = rd_kafka_metadata(r->consumer, 0, t, &md, 5000);
    if (!err && md->topic_cnt == 1 && !md->topics[0].err) {
        for (int i = 0; i < md->topics[0].partition_cnt; i++) {
            int32_t p = md->topics[0].partitions[i].id;
            if (!assigned(r, topic, p))
                rd_kafka_topic_partition_list_add(add, topic, p)->offset =
                    RD_KAFKA_OFFSET_BEGINNING;
        }
    } else if (r->read[0] + r->read[1] == 0) {
        rk_log(RK_LOG_DEBUG, "review: no partitions of %s yet: %s", topic,
               err ? rd_kafka_err2str(err)
                   : rd_kafka_err2str(md->topics[0].err));
    }
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
}

static void refresh_partitions(rk_review_t *r) {
    rd_kafka_topic_partition_list_t *add = rd_kafka_topic_partition_list_new(4);
    new_partitions(r, r->c->out_topic, add);
    if (strcmp(r->c->labels_topic, r->c->out_topic))
        new_partitions(r, r->c->labels_topic, add);
    if (add->cnt) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(r->consumer, add);
        if (e) {
            rk_log(RK_LOG_ERROR, "review: cannot assign partitions: %s",
                   rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        } else {
            for (int i = 0; i < add->cnt; i++) {
                rd_kafka_topic_partition_list_add(
                    r->assigned, add->elems[i].topic, add->elems[i].partition);
                rk_log(RK_LOG_INFO,
                       "review: reading %s partition %d from the beginning",
                       add->elems[i].topic, (int)add->elems[i].partition);
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(add);
}

/* ---- messages --------------------------------------------------------- */

static void handle(rk_review_t *r, const rd_kafka_message_t *m) {
    if (m->err) {
        rk_log(RK_LOG_WARN, "review: reading %s: %s",
               m->rkt ? rd_kafka_topic_name(m->rkt) : "?",
               rd_kafka_message_errstr(m));
        return;
    }
    const char *topic = rd_kafka_topic_name(m->rkt);
    int labels = !strcmp(topic, r->c->labels_topic);
    char err[512];
    rk_err_t e;
    r->read[labels]++;
    pthread_mutex_lock(&r->lock);
    if (labels)
        e = m->key
                ? rk_review_store_add_sample(r->store, m->key, m->key_len,
                                             m->payload, m->len, err,
                                             sizeof err)
                : rk_fail(RK_ERR_DATA, err, sizeof err, "a sample needs a key");
    else
        e = m->payload
                ? rk_review_store_add_record(r->store, m->payload, m->len, NULL,
                                             err, sizeof err)
                : RK_OK; /* a tombstone on the output: nothing */
    pthread_mutex_unlock(&r->lock);
    if (e && ++r->skipped[labels] <= RK_REVIEW_LOGGED_SKIPS)
        rk_log(RK_LOG_WARN, "review: skipped %s/%d/%lld: %s%s", topic,
               (int)m->partition, (long long)m->offset, err,
               r->skipped[labels] == RK_REVIEW_LOGGED_SKIPS
                   ? " (further skips are only counted)"
                   : "");
}

static void log_progress(rk_review_t *r) {
    pthread_mutex_lock(&r->lock);
    size_t kept = rk_review_store_count(r->store);
    size_t samples = rk_review_store_samples(r->store);
    pthread_mutex_unlock(&r->lock);
    rk_log(RK_LOG_INFO,
           "review: %zu paragraphs kept, %zu labelled samples; read %zu "
           "records (%zu skipped) and %zu samples (%zu skipped)",
           kept, samples, r->read[0], r->skipped[0], r->read[1], r->skipped[1]);
}

rk_err_t rk_review_run(rk_review_t *r, volatile sig_atomic_t *stop,
                       char *errstr, size_t n) {
    (void)errstr;
    (void)n;
    double next_md = 0, next_log = now_s() + 10;
    size_t logged = 0;
    while (!*stop) {
        if (now_s() >= next_md) {
            refresh_partitions(r);
            next_md = now_s() + RK_REVIEW_METADATA_MS / 1000.0;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, 200);
        if (m) {
            handle(r, m);
            rd_kafka_message_destroy(m);
        }
        size_t total = r->read[0] + r->read[1];
        if (now_s() >= next_log && total != logged) {
            log_progress(r);
            logged = total;
            next_log = now_s() + 10;
        }
    }
    log_progress(r);
    return RK_OK;
}

/* ---- life cycle ------------------------------------------------------- */

static rk_err_t check_conf(const rk_review_conf_t *c, char *errstr, size_t n) {
    if (!c->brokers || !*c->brokers)
        return rk_fail(RK_ERR_USAGE, errstr, n, "no brokers given");
    if (!c->out_topic || !*c->out_topic)
        return rk_fail(RK_ERR_USAGE, errstr, n, "no output topic given");
    if (!c->labels_topic || !*c->labels_topic)
        return rk_fail(RK_ERR_USAGE, errstr, n, "no labels topic given");
    if (!strcmp(c->out_topic, c->labels_topic))
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "the output topic and the labels topic must differ");
    if (c->max_paragraphs > RK_REVIEW_MAX_PARAGRAPHS_LIMIT)
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "max paragraphs %zu is over the limit of %d",
                       c->max_paragraphs, RK_REVIEW_MAX_PARAGRAPHS_LIMIT);
    return RK_OK;
}

rk_err_t rk_review_new(const rk_review_conf_t *c, rk_review_t **out,
                       char *errstr, size_t n) {
    *out = NULL;
    rk_err_t err = check_conf(c, errstr, n);
    if (err)
        return err;
    rk_review_t *r = calloc(1, sizeof *r);
    if (!r)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    r->c = c;
    pthread_mutex_init(&r->lock, NULL);
    size_t max = c->max_paragraphs ? c->max_paragraphs
                                   : RK_REVIEW_DEFAULT_MAX_PARAGRAPHS;
    r->store = rk_review_store_new(max);
    r->assigned = rd_kafka_topic_partition_list_new(4);
    if (!r->store || !r->assigned)
        err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err && (!(r->producer = client(c, RD_KAFKA_PRODUCER, errstr, n)) ||
                 !(r->consumer = client(c, RD_KAFKA_CONSUMER, errstr, n))))
        err = RK_ERR_KAFKA;
    if (!err) {
        rd_kafka_poll_set_consumer(r->consumer);
        rk_review_server_conf_t sc = {c->address,   c->port, c->token,
                                      c->annotator, max,     r->store,
                                      &r->lock,     publish, r};
        err = rk_review_server_start(&sc, &r->server, errstr, n);
    }
    if (err) {
        rk_review_destroy(r);
        return err;
    }
    *out = r;
    return RK_OK;
}

int rk_review_port(const rk_review_t *r) {
    return rk_review_server_port(r->server);
}

void rk_review_destroy(rk_review_t *r) {
    if (!r)
        return;
    rk_review_server_stop(r->server); /* no request runs after this */
    if (r->consumer) {
        rd_kafka_consumer_close(r->consumer);
        rd_kafka_destroy(r->consumer);
    }
    if (r->producer) {
        rd_kafka_flush(r->producer, RK_REVIEW_DELIVERY_TIMEOUT_MS);
        rd_kafka_destroy(r->producer);
    }
    if (r->assigned)
        rd_kafka_topic_partition_list_destroy(r->assigned);
    rk_review_store_destroy(r->store);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
