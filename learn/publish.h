/*
 * publish.h - a model bundle to the model topic (the contract's "Model
 * topic", chunk format in models/chunks.h): N records of at most
 * RK_CHUNK_MAX_BYTES, all to partition 0, keyed by the model id, with the
 * headers rakiza.model.id, rakiza.chunk.index, rakiza.chunk.count and
 * rakiza.model.sha256. Readers use a model only once every chunk is there
 * and the digest matches, so a publisher that dies midway leaves nothing a
 * reader would load.
 */
#ifndef RK_LEARN_PUBLISH_H
#define RK_LEARN_PUBLISH_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "core/err.h"

/* Deliveries of a batch of messages, counted by the producer's delivery
 * callback (rd_kafka_conf_set_dr_msg_cb), which must call
 * rk_publish_delivered for every message: the message's opaque is the
 * batch's tally (messages with a NULL opaque are ignored). */
typedef struct rk_publish_tally_s {
    size_t done;
    rd_kafka_resp_err_t err; /* the first failure */
} rk_publish_tally_t;

void rk_publish_delivered(const rd_kafka_message_t *m);

/* Produces bundle[0..len) as model_id's chunks to topic with producer
 * (borrowed; see rk_publish_delivered) and waits up to timeout_ms for
 * every chunk to be acknowledged. */
rk_err_t rk_publish_model(rd_kafka_t *producer, const char *topic,
                          const char *model_id, const void *bundle, size_t len,
                          int timeout_ms, char *errstr, size_t errstr_size);

#endif
