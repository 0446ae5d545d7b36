/*
 * stream_conf.c - see stream_conf.h.
 */
#include "ingest/stream_conf.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"

#define ROW(name, type, field, lo, hi, def, desc)                              \
    {                                                                          \
        name, type, offsetof(rk_stream_conf_t, field), 0, lo, hi, 0, NULL,     \
            def, desc                                                          \
    }

const rk_setting_t rk_stream_settings[] = {
    ROW("rakiza.in.topic", RK_SETTING_STRING, in_topic, 0, 0, NULL,
        "input topic (-i)"),
    ROW("rakiza.out.topic", RK_SETTING_STRING, out_topic, 0, 0, NULL,
        "output topic (-o)"),
    ROW("group.id", RK_SETTING_STRING, group, 0, 0, "rakiza",
        "consumer group (-g)"),
    ROW("rakiza.dlq", RK_SETTING_STRING, dlq, 0, 0, NULL,
        "dead-letter topic, or none to log and skip bad input (--dlq)"),
    ROW("rakiza.model", RK_SETTING_STRING, model_path, 0, 0, NULL,
        "model bundle; unset: the shipped default (--model)"),
    ROW("rakiza.model.topic", RK_SETTING_STRING, model_topic, 0, 0, NULL,
        "follow the newest model published there (--model-topic)"),
    ROW("rakiza.exactly.once", RK_SETTING_BOOL, exactly_once, 0, 1, "false",
        "output and input offsets commit in one transaction (--exactly-once)"),
    ROW("rakiza.threads", RK_SETTING_INT, threads, 1, RK_MAX_THREADS, "1",
        "classifying threads (--threads)"),
    ROW("rakiza.watch", RK_SETTING_BOOL, watch, 0, 1, "false",
        "reload the model when its file changes (--watch)"),
    ROW("rakiza.explain", RK_SETTING_INT, explain, 0, 100, "0",
        "explanation terms per paragraph record (--explain)"),
    ROW("rakiza.text", RK_SETTING_BOOL, include_text, 0, 1, "true",
        "paragraph text in the records (--no-text sets false)"),
    ROW("rakiza.batch.size", RK_SETTING_INT, batch_size, 1, 100000, "200",
        "most documents in flight (read, not yet committed); reading "
        "pauses at it"),
    ROW("rakiza.batch.ms", RK_SETTING_INT, batch_ms, 1, 60000, "200",
        "deprecated and ignored (rakiza no longer waits to fill a batch)"),
    ROW("rakiza.commit.interval.ms", RK_SETTING_INT, commit_ms, -1, 3600000,
        "-1",
        "commit offsets (exactly-once: the transaction) every N ms; -1: "
        "1000, or 100 with exactly-once"),
    ROW("rakiza.metrics.port", RK_SETTING_INT, metrics_port, 0, 65535, "0",
        "port of /metrics and /healthz; 0: off (--metrics-port)"),
    ROW("rakiza.metrics.address", RK_SETTING_STRING, metrics_address, 0, 0,
        NULL, "address the metrics endpoint binds; unset: 127.0.0.1"),
    ROW("rakiza.summary.interval.ms", RK_SETTING_INT, summary_ms, 0, 86400000,
        "10000", "throughput line in the log every N ms; 0: off"),
    ROW("rakiza.max.message.bytes", RK_SETTING_SIZE, limits.max_message_bytes,
        1, 4294967296.0, RK_XSTR(RK_ENV_DEFAULT_MAX_MESSAGE_BYTES),
        "larger input messages go to the dead-letter topic (too_large)"),
    ROW("rakiza.max.decompressed.bytes", RK_SETTING_SIZE,
        limits.max_decompressed_bytes, 1, 4294967296.0,
        RK_XSTR(RK_ENV_DEFAULT_MAX_DECOMPRESSED_BYTES),
        "gzip input inflating past this is dead-lettered (too_large)"),
    /* Kafka's default broker limit (message.max.bytes 1048588) less room
     * for the record's key and headers. */
    ROW("rakiza.dlq.max.bytes", RK_SETTING_SIZE, dlq_max_bytes, 1024, 536870912,
        "1000000",
        "dead-letter payloads are cut to this (header "
        "rakiza.payload.truncated)"),
    {NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL}};

rk_stream_conf_t *rk_stream_conf_new(void) {
    rk_stream_conf_t *c = calloc(1, sizeof *c);
    char err[128];
    if (c && rk_settings_reset(rk_stream_settings, c, err, sizeof err)) {
        rk_stream_conf_destroy(c);
        return NULL;
    }
    return c;
}

void rk_stream_conf_destroy(rk_stream_conf_t *c) {
    if (!c)
        return;
    rk_settings_free(rk_stream_settings, c);
    rk_kafka_props_clear(&c->kafka);
    free(c);
}

rk_err_t rk_stream_conf_set(rk_stream_conf_t *c, const char *key, const char *v,
                            char *errstr, size_t n) {
    if (rk_settings_find(rk_stream_settings, key) ||
        !strncmp(key, "rakiza.", 7))
        return rk_settings_set(rk_stream_settings, c, key, v, errstr, n);
    /* Any other key is a librdkafka property, for both clients. */
    return rk_kafka_props_add(&c->kafka, key, v, errstr, n);
}

static rk_err_t set_any(void *conf, const char *key, const char *value,
                        char *errstr, size_t n) {
    return rk_stream_conf_set(conf, key, value, errstr, n);
}

rk_err_t rk_stream_conf_load_file(rk_stream_conf_t *c, const char *path,
                                  char *errstr, size_t n) {
    return rk_settings_load_file(path, set_any, c, errstr, n);
}

rk_err_t rk_stream_conf_check(const rk_stream_conf_t *c, char *errstr,
                              size_t n) {
    int brokers = rk_kafka_props_have_brokers(&c->kafka);
    if (!brokers)
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "no brokers (bootstrap.servers)");
    if (!c->in_topic || !c->out_topic)
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "the input and output topics are required "
                       "(rakiza.in.topic, rakiza.out.topic)");
    if (!c->dlq)
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "no dead-letter topic (rakiza.dlq): give a topic, or "
                       "none to log and skip bad input");
    if (!strcmp(c->in_topic, c->out_topic) || !strcmp(c->dlq, c->in_topic))
        return rk_fail(RK_ERR_USAGE, errstr, n,
                       "the input topic cannot also be the output or "
                       "dead-letter topic");
    return RK_OK;
}

long rk_stream_conf_commit_ms(const rk_stream_conf_t *c) {
    if (c->commit_ms >= 0)
        return c->commit_ms;
    return c->exactly_once ? RK_STREAM_EOS_COMMIT_MS : RK_STREAM_COMMIT_MS;
}

rk_err_t rk_stream_conf_apply(const rk_stream_conf_t *c, rd_kafka_conf_t *kconf,
                              char *errstr, size_t n) {
    return rk_kafka_props_apply(&c->kafka, kconf, errstr, n);
}
