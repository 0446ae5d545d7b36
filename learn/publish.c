/*
 * publish.c - see publish.h. Each chunk carries a pointer to the call's
 * tally as its message opaque; the producer's delivery callback (the
 * learner's, learn.c) reports into it through rk_publish_delivered, which
 * rd_kafka_flush runs before it returns.
 */
#include "learn/publish.h"

#include <stdio.h>
#include <string.h>

#include "core/digest.h"
#include "models/chunks.h"

void rk_publish_delivered(const rd_kafka_message_t *m) {
    rk_publish_tally_t *t = m->_private;
    if (!t)
        return;
    t->done++;
    if (m->err && !t->err)
        t->err = m->err;
}

rk_err_t rk_publish_model(rd_kafka_t *producer, const char *topic,
                          const char *model_id, const void *bundle, size_t len,
                          int timeout_ms, char *errstr, size_t n) {
    char sha[RK_SHA256_HEX_LEN + 1], index[24], count[24];
    rk_sha256_hex(bundle, len, sha);
    size_t chunks = rk_chunk_count(len);
    if (chunks > RK_CHUNK_MAX_COUNT)
        return rk_fail(RK_ERR_LIMIT, errstr, n,
                       "model %s: %zu bytes need %zu chunks, over %d", model_id,
                       len, chunks, RK_CHUNK_MAX_COUNT);
    snprintf(count, sizeof count, "%zu", chunks);
    rk_publish_tally_t tally = {0, RD_KAFKA_RESP_ERR_NO_ERROR};
    size_t sent = 0;
    for (size_t i = 0; i < chunks; i++) {
        size_t start, k;
        rk_chunk_slice(len, i, &start, &k);
        snprintf(index, sizeof index, "%zu", i);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
            RD_KAFKA_V_KEY(model_id, strlen(model_id)),
            RD_KAFKA_V_VALUE((char *)bundle + start, k),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER(RK_CHUNK_HDR_ID, model_id, -1),
            RD_KAFKA_V_HEADER(RK_CHUNK_HDR_INDEX, index, -1),
            RD_KAFKA_V_HEADER(RK_CHUNK_HDR_COUNT, count, -1),
            RD_KAFKA_V_HEADER(RK_CHUNK_HDR_SHA256, sha, -1),
            RD_KAFKA_V_OPAQUE(&tally), RD_KAFKA_V_END);
        if (err) {
            rd_kafka_flush(producer, timeout_ms); /* the tally outlives none */
            return rk_fail(RK_ERR_KAFKA, errstr, n,
                           "model %s: cannot produce chunk %zu to %s: %s",
                           model_id, i, topic, rd_kafka_err2str(err));
        }
        sent++;
    }
    rd_kafka_flush(producer, timeout_ms);
    if (tally.done < sent)
        return rk_fail(RK_ERR_KAFKA, errstr, n,
                       "model %s: %zu of %zu chunks unacknowledged after %d "
                       "ms on %s",
                       model_id, sent - tally.done, sent, timeout_ms, topic);
    if (tally.err)
        return rk_fail(RK_ERR_KAFKA, errstr, n,
                       "model %s: a chunk was not delivered to %s: %s",
                       model_id, topic, rd_kafka_err2str(tally.err));
    return RK_OK;
}
