/*
 * stream_conf.h - the settings of `rakiza run`, filled from flags, -X
 * pairs and -F properties files through one setter.
 *
 * rakiza's own keys (rakiza.*) are the rows of rk_stream_settings; every
 * other key is a librdkafka property, checked at once against librdkafka
 * so a typo is refused naming the key, and passed to both the consumer and
 * the producer (as kcat does). A properties file holds key=value lines;
 * blank lines and lines starting with # are skipped.
 */
#ifndef RK_STREAM_CONF_H
#define RK_STREAM_CONF_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "core/err.h"
#include "core/kafka_props.h"
#include "core/settings.h"
#include "ingest/envelope.h"

typedef struct rk_stream_conf_s {
    char *in_topic, *out_topic, *group, *dlq; /* dlq NULL: not given */
    char *model_path;                         /* NULL: default model */
    char *model_topic; /* NULL: models come from model_path only */
    int exactly_once, threads, watch, explain, include_text;
    int batch_size;        /* documents in flight (read, not yet done) */
    int batch_ms;          /* deprecated: accepted and ignored */
    int commit_ms;         /* commit interval; -1: the mode's default */
    int metrics_port;      /* 0: off */
    char *metrics_address; /* NULL: 127.0.0.1 */
    int summary_ms;        /* throughput line in the log; 0: off */
    rk_env_limits_t limits;
    size_t dlq_max_bytes; /* longer dead-letter payloads are cut (see README) */
    rk_kafka_props_t kafka; /* the user's librdkafka properties */
} rk_stream_conf_t;

/* Every rakiza.* setting (and group.id): key, type, range, default,
 * description. */
extern const rk_setting_t rk_stream_settings[];

/* A conf holding every default; NULL when out of memory. */
rk_stream_conf_t *rk_stream_conf_new(void);
void rk_stream_conf_destroy(rk_stream_conf_t *conf);

rk_err_t rk_stream_conf_set(rk_stream_conf_t *conf, const char *key,
                            const char *value, char *errstr,
                            size_t errstr_size);

/* Reads key=value lines; errors name file:line and the key. */
rk_err_t rk_stream_conf_load_file(rk_stream_conf_t *conf, const char *path,
                                  char *errstr, size_t errstr_size);

/* Checks the settings belong together (topics given, a dlq or "none"). */
rk_err_t rk_stream_conf_check(const rk_stream_conf_t *conf, char *errstr,
                              size_t errstr_size);

/* The commit interval in force, in milliseconds: conf->commit_ms, or when
 * it is -1 RK_STREAM_COMMIT_MS (at-least-once) or RK_STREAM_EOS_COMMIT_MS
 * (exactly-once, as Kafka Streams). */
#define RK_STREAM_COMMIT_MS 1000
#define RK_STREAM_EOS_COMMIT_MS 100
long rk_stream_conf_commit_ms(const rk_stream_conf_t *conf);

/* Applies the librdkafka pairs to kconf. */
rk_err_t rk_stream_conf_apply(const rk_stream_conf_t *conf,
                              rd_kafka_conf_t *kconf, char *errstr,
                              size_t errstr_size);

#endif
