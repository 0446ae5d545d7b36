/*
 * stream_internal.h - private to the streaming service (stream.h): the state
 * its two files share. Nothing outside ingest/stream.c and
 * ingest/stream_round.c includes it.
 *
 *   stream.c        life cycle: the Kafka clients and their callbacks, the
 *                   model and its reload, the read loop (rk_stream_run)
 *   stream_round.c  one round: classify, produce, then commit or abort
 *
 * All of it is used from the one thread that drives Kafka (librdkafka's
 * callbacks run there too), except while a round is classified: then each
 * worker reads conf and model, uses its own ctx[], fills its own items of
 * round[] and reports to obs (rk_obs_classified), and the driving thread
 * waits for them.
 */
#ifndef RK_STREAM_INTERNAL_H
#define RK_STREAM_INTERNAL_H

#include <librdkafka/rdkafka.h>
#include <sys/stat.h>

#include "classify/pipeline.h"
#include "ingest/model_feed.h"
#include "ingest/stream.h"
#include "ingest/stream_obs.h"

/* What became of one input message; the round owns msg, records and
 * doc_id until rk_stream_clear_round. */
typedef struct item_s {
    rd_kafka_message_t *msg;
    rk_env_code_t error; /* RK_ENV_OK: records hold its output */
    char reason[256];
    rk_record_list_t records;
    char *doc_id;
} item_t;

/* conf is borrowed (the caller's, kept until rk_stream_destroy), and so is
 * model_path (conf's, or rk_model_default_path()'s buffer); everything else
 * is owned and freed by rk_stream_destroy. */
struct rk_stream_s {
    const rk_stream_conf_t *conf;
    rd_kafka_t *consumer, *producer;
    rk_model_t *model;
    rk_model_feed_t *feed; /* --model-topic; NULL without */
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

/* Classifies, produces and closes the current round (see stream.h); with
 * no message in it, only retries a pending at-least-once commit. Returns
 * RK_ERR_KAFKA, with s->fatal set, when the service must stop. */
rk_err_t rk_stream_close_round(rk_stream_t *s);

/* Frees the round's messages and what became of them, and empties it. */
void rk_stream_clear_round(rk_stream_t *s);

/* The consumer's rebalance callback (opaque: the service). On a
 * revocation the round is closed before the partitions go (stream.h). */
void rk_stream_on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                            rd_kafka_topic_partition_list_t *parts,
                            void *opaque);

#endif
