/*
 * model_feed.h - the model topic as `rakiza run --model-topic` reads it
 * (the contract's "Model topic"): partition 0 of the topic, read from its
 * beginning by a consumer of its own (no group: nothing committed, every
 * instance sees every record), each record's chunk collected in a chunk
 * set (models/chunks.h), and the newest complete model whose bytes match
 * their digest offered to the service, loaded from memory (a private
 * temporary file: hosts share no file system).
 *
 * A model is offered at most once: the newest complete one newer than the
 * last offered or refused. One that is incomplete, fails its digest or does
 * not load is refused with a warning in the log and never offered again;
 * the service keeps the model it has. Used from one thread.
 */
#ifndef RK_MODEL_FEED_H
#define RK_MODEL_FEED_H

#include <librdkafka/rdkafka.h>

#include "core/err.h"
#include "models/model.h"

typedef struct rk_model_feed_s rk_model_feed_t;

/* Starts reading topic with a consumer made from kconf (bootstrap servers
 * and the user's properties already set; the feed takes ownership, also on
 * failure). */
rk_err_t rk_model_feed_new(rd_kafka_conf_t *kconf, const char *topic,
                           rk_model_feed_t **out, char *errstr,
                           size_t errstr_size);

void rk_model_feed_destroy(rk_model_feed_t *f); /* NULL-safe */

/* Reads the records that have arrived; with catch_up_ms > 0, waits up to
 * that long to reach the topic's end as of now. Returns 1 with *model (the
 * caller's) when a newer complete model loaded, -1 when a newer one was
 * refused (see above) and nothing newer loaded, 0 when there is nothing
 * new. */
int rk_model_feed_poll(rk_model_feed_t *f, int catch_up_ms, rk_model_t **model);

/* The topic read. */
const char *rk_model_feed_topic(const rk_model_feed_t *f);

#endif
