/*
 * model_feed.c - see model_feed.h. The consumer is assigned partition 0
 * from the beginning and polled without waiting; the chunk set keeps the
 * records until their model is complete.
 */
#include "ingest/model_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/chunks.h"
#include "obs/health.h"
#include "obs/log.h"

#define FEED_PARTITION 0
#define FEED_HEADER_MAX 128 /* a header value we read */

struct rk_model_feed_s {
    rd_kafka_t *consumer;
    char *topic;
    rk_chunk_set_t *set;
    int64_t after;     /* the last offered or refused model's last chunk */
    int64_t read;      /* the last offset read; -1: none */
    size_t bad_record; /* records without valid chunk headers */
    size_t refused;    /* models warned about by the chunk set */
};

const char *rk_model_feed_topic(const rk_model_feed_t *f) {
    return f->topic;
}

void rk_model_feed_destroy(rk_model_feed_t *f) {
    if (!f)
        return;
    if (f->consumer) {
        rd_kafka_consumer_close(f->consumer);
        rd_kafka_destroy(f->consumer);
    }
    rk_chunk_set_destroy(f->set);
    free(f->topic);
    free(f);
}

rk_err_t rk_model_feed_new(rd_kafka_conf_t *k, const char *topic,
                           rk_model_feed_t **out, char *errstr, size_t n) {
    *out = NULL;
    rk_model_feed_t *f = calloc(1, sizeof *f);
    if (!f || !(f->topic = strdup(topic)) || !(f->set = rk_chunk_set_new())) {
        rd_kafka_conf_destroy(k);
        rk_model_feed_destroy(f);
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    f->after = f->read = -1;
    char group[96];
    snprintf(group, sizeof group, "rakiza-model-feed-%ld-%ld", (long)getpid(),
             (long)time(NULL));
    int ok = 1;
#define SET(key, val)                                                          \
    ok = ok && rd_kafka_conf_set(k, key, val, errstr, n) == RD_KAFKA_CONF_OK
    SET("group.id", group); /* never joins: the partition is assigned */
    SET("enable.auto.commit", "false");
    SET("enable.auto.offset.store", "false");
    SET("auto.offset.reset", "earliest");
    SET("enable.partition.eof", "false");
#undef SET
    if (ok && !(f->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, k, errstr, n)))
        ok = 0;
    if (!ok) {
        if (!f->consumer)
            rd_kafka_conf_destroy(k);
        rk_model_feed_destroy(f);
        return RK_ERR_KAFKA;
    }
    rd_kafka_topic_partition_list_t *parts =
        rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, topic, FEED_PARTITION)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t kerr = rd_kafka_assign(f->consumer, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (kerr) {
        rk_model_feed_destroy(f);
        return rk_fail(RK_ERR_KAFKA, errstr, n, "model topic %s: %s", topic,
                       rd_kafka_err2str(kerr));
    }
    *out = f;
    return RK_OK;
}

/* A header's value as a string in buf, or NULL when absent or too long. */
static const char *header(rd_kafka_headers_t *h, const char *name, char *buf,
                          size_t size) {
    const void *v;
    size_t len;
    if (!h || rd_kafka_header_get_last(h, name, &v, &len) || !v || len >= size)
        return NULL;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return buf;
}

static void add_record(rk_model_feed_t *f, rd_kafka_message_t *m) {
    rd_kafka_headers_t *h = NULL;
    char id[FEED_HEADER_MAX], index[32], count[32], sha[FEED_HEADER_MAX],
        err[256];
    rk_chunk_t c;
    rd_kafka_message_headers(m, &h);
    f->read = m->offset;
    rk_err_t e = rk_chunk_from_headers(
        header(h, RK_CHUNK_HDR_ID, id, sizeof id),
        header(h, RK_CHUNK_HDR_INDEX, index, sizeof index),
        header(h, RK_CHUNK_HDR_COUNT, count, sizeof count),
        header(h, RK_CHUNK_HDR_SHA256, sha, sizeof sha), &c, err, sizeof err);
    if (!e) {
        c.data = m->payload;
        c.len = m->len;
        c.offset = m->offset;
        e = rk_chunk_set_add(f->set, &c, err, sizeof err);
    }
    if (e && f->bad_record++ < 20)
        rk_log(RK_LOG_WARN, "model topic %s offset %lld ignored: %s", f->topic,
               (long long)m->offset, err);
}

/* Reads what has arrived; with a deadline, until the end as of now. */
static void drain(rk_model_feed_t *f, int catch_up_ms) {
    int64_t lo = 0, hi = -1;
    if (catch_up_ms > 0 && rd_kafka_query_watermark_offsets(
                               f->consumer, f->topic, FEED_PARTITION, &lo, &hi,
                               catch_up_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        hi = -1;
    double until = rk_health_now() + catch_up_ms / 1000.0;
    for (;;) {
        int behind = hi > 0 && f->read + 1 < hi && hi > lo;
        int wait = behind && rk_health_now() < until ? 100 : 0;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(f->consumer, wait);
        if (!m) {
            if (!wait)
                return;
            continue;
        }
        if (!m->err && m->partition == FEED_PARTITION)
            add_record(f, m);
        else if (m->err)
            rk_log(RK_LOG_DEBUG, "model topic %s: %s", f->topic,
                   rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
}

static void warn(void *opaque, const char *reason) {
    rk_model_feed_t *f = opaque;
    f->refused++;
    rk_log(RK_LOG_WARN, "model topic %s: refused: %s", f->topic, reason);
}

/* Loads a bundle from memory through a private temporary file. */
static rk_err_t load_bytes(const unsigned char *data, size_t len,
                           rk_model_t **out, char *errstr, size_t n) {
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/rakiza-model-XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return rk_fail(RK_ERR_IO, errstr, n, "cannot create %s", path);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    close(fd);
    rk_err_t err = done == len
                       ? rk_model_load(path, out, errstr, n)
                       : rk_fail(RK_ERR_IO, errstr, n, "cannot write %s", path);
    unlink(path);
    return err;
}

int rk_model_feed_poll(rk_model_feed_t *f, int catch_up_ms,
                       rk_model_t **model) {
    *model = NULL;
    drain(f, catch_up_ms);
    const unsigned char *data;
    size_t len;
    const char *id;
    int64_t offset;
    size_t refused = f->refused;
    /* The newest that loads: one that does not is refused and the next
     * newest (still newer than the one serving) is tried. */
    while (rk_chunk_set_newest(f->set, f->after, &data, &len, &id, &offset,
                               warn, f)) {
        char err[1024];
        if (load_bytes(data, len, model, err, sizeof err) == RK_OK) {
            f->after = offset;
            return 1;
        }
        rk_log(RK_LOG_WARN, "model topic %s: model %s refused: %s", f->topic,
               id, err);
        rk_chunk_set_refuse(f->set, offset);
        f->refused++;
    }
    return f->refused > refused ? -1 : 0;
}
