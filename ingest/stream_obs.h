/*
 * stream_obs.h - what the streaming service tells its operators: the
 * Prometheus metrics and /healthz of `rakiza run --metrics-port P`
 * (metrics.h, metrics_http.h, health.h) and the periodic throughput line
 * in the log. ingest/stream*.c report events here and nothing else.
 *
 * The metrics (README "Metrics" is the operator's list):
 *   rakiza_messages_in_total              input messages consumed
 *   rakiza_bytes_in_total                 their payload bytes
 *   rakiza_paragraphs_in_total            paragraphs segmented and classified
 *   rakiza_classification_seconds         histogram: one document, segment
 *                                         to records
 *   rakiza_documents_total                documents whose records were written
 *   rakiza_messages_out_total             records written (paragraph+document)
 *   rakiza_paragraphs_out_total           paragraph records written
 *   rakiza_paragraph_labels_total{label}  paragraph records by top label
 *   rakiza_paragraphs_abstained_total     paragraph records with label null
 *   rakiza_dlq_messages_total{code}       messages dead-lettered, by code
 *   rakiza_delivery_errors_total          output messages not delivered
 *   rakiza_assigned_partitions            input partitions assigned now
 *   rakiza_consumer_lag{partition}        messages behind the high watermark
 *   rakiza_model_info{model}              1 for the id of the model in use
 *   rakiza_model_load_seconds             how long loading it took
 *   rakiza_model_loaded_timestamp_seconds when it was loaded
 *   rakiza_model_reloads_total            models replaced (SIGHUP, --watch,
 *                                         --model-topic)
 *   rakiza_model_reload_failures_total    new models refused
 *   rakiza_start_time_seconds             when the service started
 *   rakiza_top_label_confidence           histogram: each paragraph's top
 *                                         probability
 *   rakiza_label_share{label}             top labels over the last 1000
 *                                         labelled paragraphs (drift.h)
 *   rakiza_training_label_share{label}    the serving model's training data
 *   rakiza_label_share_drift              their total variation distance
 * "Written" counts are counted when a document is done (at-least-once:
 * every record acknowledged; exactly-once: its transaction committed), so
 * they match what a read_committed consumer of the output topic sees; "in"
 * counts are counted when read (again after a rewind), paragraphs in and
 * the histogram when a worker has classified the document.
 *
 * Thread use: rk_obs_classified from the classifying workers; everything
 * else from the thread driving Kafka (librdkafka's callbacks run there).
 */
#ifndef RK_STREAM_OBS_H
#define RK_STREAM_OBS_H

#include <librdkafka/rdkafka.h>

#include "classify/pipeline.h"
#include "ingest/stream_conf.h"

typedef struct rk_obs_s rk_obs_t;

/* Builds the metric set and, when conf->metrics_port is set, starts
 * serving it (a port in use is an error). */
rk_err_t rk_obs_new(const rk_stream_conf_t *conf, rk_obs_t **out, char *errstr,
                    size_t errstr_size);
/* Stops the server. NULL-safe. */
void rk_obs_destroy(rk_obs_t *o);

/* Defaults a Kafka client needs for rk_obs_kafka_stats (statistics every
 * 5 s); set before the user's properties, which win. */
rk_err_t rk_obs_kafka_defaults(rd_kafka_conf_t *k, char *errstr,
                               size_t errstr_size);
/* A client's statistics (its stats_cb) and errors (its error_cb, which this
 * also logs). */
void rk_obs_kafka_stats(rk_obs_t *o, int consumer, const char *json,
                        size_t len);
void rk_obs_kafka_error(rk_obs_t *o, int consumer, rd_kafka_resp_err_t err,
                        const char *reason);

void rk_obs_consumed(rk_obs_t *o, size_t bytes);
void rk_obs_classified(rk_obs_t *o, size_t paragraphs, double seconds);
/* A document is done: its records (labels resolved against m, the model
 * that classified them), or one dead-lettered message. */
void rk_obs_written(rk_obs_t *o, const rk_model_t *m,
                    const rk_record_list_t *records);
void rk_obs_dead_letter(rk_obs_t *o, const char *code);
/* stops: the service stops on it (at-least-once), so /healthz fails. */
void rk_obs_delivery_failed(rk_obs_t *o, const char *why, int stops);

void rk_obs_assigned(rk_obs_t *o, int partitions);
void rk_obs_revoked(rk_obs_t *o);

/* The model now serving and how long loading it took; reload says it
 * replaced another. */
void rk_obs_model(rk_obs_t *o, const rk_model_t *m, double load_seconds,
                  int reload);
void rk_obs_model_refused(rk_obs_t *o);

/* Once per loop turn: the loop's heartbeat, and the throughput line every
 * conf->summary_ms. */
void rk_obs_tick(rk_obs_t *o);
/* The service stops: /healthz says why from now on. */
void rk_obs_stopping(rk_obs_t *o, const char *why);
/* Logs the totals; call once everything in flight is settled. */
void rk_obs_final(rk_obs_t *o);

#endif
