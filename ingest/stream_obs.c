/*
 * stream_obs.c - see stream_obs.h. The registry is the one source of the
 * numbers: /metrics renders it and the throughput line reads it.
 */
#include "ingest/stream_obs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "ingest/drift.h"
#include "obs/health.h"
#include "obs/kafka_stats.h"
#include "obs/log.h"
#include "obs/metrics.h"
#include "obs/metrics_http.h"

/* Longest gap between loop turns that is still healthy (health.h). */
#define STALL_SECONDS 60.0

typedef struct set_s {
    rk_metric_t *msg_in, *bytes_in, *para_in, *latency, *docs, *msg_out,
        *para_out, *labels, *abstained, *dlq, *delivery_err, *assigned, *lag,
        *model_info, *model_load, *model_loaded_at, *reloads, *reload_failures,
        *start_time, *confidence, *share, *trained_share, *drift;
} set_t;

struct rk_obs_s {
    rk_metrics_t *reg;
    set_t m;
    rk_drift_t *drift; /* the label shares of the last paragraphs */
    rk_metrics_http_t *http;
    rk_health_t *health;
    char *in_topic;
    int summary_ms;
    /* The throughput line: totals at the last one. */
    double started, last_at, last_in, last_bytes, last_paras;
};

/* Seconds to classify one document: well under a millisecond for a short
 * message, seconds for a long report on a loaded machine. */
static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,  0.1,    0.25,  0.5,
                                        1,      2.5,   5,      10};

/* A paragraph's top-label probability: 1/K at the least. */
static const double confidence_bounds[] = {0.2, 0.3, 0.4, 0.5,  0.6,
                                           0.7, 0.8, 0.9, 0.95, 0.99};

static rk_err_t register_set(rk_obs_t *o, char *errstr, size_t n) {
    set_t *m = &o->m;
    const struct {
        rk_metric_t **slot;
        rk_metric_type_t type;
        const char *name, *label, *help;
    } defs[] = {
        {&m->msg_in, RK_METRIC_COUNTER, "rakiza_messages_in_total", NULL,
         "Input messages consumed (again after a rewind)."},
        {&m->bytes_in, RK_METRIC_COUNTER, "rakiza_bytes_in_total", NULL,
         "Payload bytes of the input messages consumed."},
        {&m->para_in, RK_METRIC_COUNTER, "rakiza_paragraphs_in_total", NULL,
         "Paragraphs segmented and classified."},
        {&m->latency, RK_METRIC_HISTOGRAM, "rakiza_classification_seconds",
         NULL, "Time to classify one document, segmentation to records."},
        {&m->docs, RK_METRIC_COUNTER, "rakiza_documents_total", NULL,
         "Documents written: every record acknowledged (at-least-once) or "
         "committed (exactly-once)."},
        {&m->msg_out, RK_METRIC_COUNTER, "rakiza_messages_out_total", NULL,
         "Records (paragraph and document) of the documents written."},
        {&m->para_out, RK_METRIC_COUNTER, "rakiza_paragraphs_out_total", NULL,
         "Paragraph records written to the output topic."},
        {&m->labels, RK_METRIC_COUNTER, "rakiza_paragraph_labels_total",
         "label", "Paragraph records written, by top label."},
        {&m->abstained, RK_METRIC_COUNTER, "rakiza_paragraphs_abstained_total",
         NULL,
         "Paragraph records written with label null (top score under the "
         "model's threshold)."},
        {&m->dlq, RK_METRIC_COUNTER, "rakiza_dlq_messages_total", "code",
         "Input messages dead-lettered, by the contract's error code."},
        {&m->delivery_err, RK_METRIC_COUNTER, "rakiza_delivery_errors_total",
         NULL,
         "Output messages not delivered (refused or timed out, or purged "
         "by an aborted transaction)."},
        {&m->assigned, RK_METRIC_GAUGE, "rakiza_assigned_partitions", NULL,
         "Input partitions assigned to this process."},
        {&m->lag, RK_METRIC_GAUGE, "rakiza_consumer_lag", "partition",
         "Messages between the committed offset and the high watermark, per "
         "assigned input partition (librdkafka statistics)."},
        {&m->model_info, RK_METRIC_GAUGE, "rakiza_model_info", "model",
         "1 for the id of the model in use."},
        {&m->model_load, RK_METRIC_GAUGE, "rakiza_model_load_seconds", NULL,
         "How long loading the model in use took."},
        {&m->model_loaded_at, RK_METRIC_GAUGE,
         "rakiza_model_loaded_timestamp_seconds", NULL,
         "When the model in use was loaded (Unix time)."},
        {&m->reloads, RK_METRIC_COUNTER, "rakiza_model_reloads_total", NULL,
         "Models replaced while running (SIGHUP, --watch or a new model on "
         "--model-topic)."},
        {&m->reload_failures, RK_METRIC_COUNTER,
         "rakiza_model_reload_failures_total", NULL,
         "New models refused while running; the old one kept serving."},
        {&m->start_time, RK_METRIC_GAUGE, "rakiza_start_time_seconds", NULL,
         "When the service started (Unix time)."},
        {&m->confidence, RK_METRIC_HISTOGRAM, "rakiza_top_label_confidence",
         NULL, "Top-label probability of each paragraph record written."},
        {&m->share, RK_METRIC_GAUGE, "rakiza_label_share", "label",
         "Share of each top label among the last 1000 labelled paragraphs "
         "written (abstentions left out)."},
        {&m->trained_share, RK_METRIC_GAUGE, "rakiza_training_label_share",
         "label", "Share of each label in the serving model's training data."},
        {&m->drift, RK_METRIC_GAUGE, "rakiza_label_share_drift", NULL,
         "Total variation distance between rakiza_label_share and "
         "rakiza_training_label_share (0 agree, 1 disjoint); stays 0 until "
         "the window holds 100 labelled paragraphs."},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        int hist = defs[i].type == RK_METRIC_HISTOGRAM;
        int conf = defs[i].slot == &m->confidence;
        const double *b = conf ? confidence_bounds : latency_bounds;
        size_t nb = !hist ? 0
                    : conf
                        ? sizeof confidence_bounds / sizeof confidence_bounds[0]
                        : sizeof latency_bounds / sizeof latency_bounds[0];
        rk_err_t err = rk_metrics_register(
            o->reg, defs[i].type, defs[i].name, defs[i].help, defs[i].label,
            hist ? b : NULL, nb, defs[i].slot, errstr, n);
        if (err)
            return err;
    }
    return RK_OK;
}

static double unix_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int health_cb(void *opaque, char *reason, size_t size) {
    rk_obs_t *o = opaque;
    return rk_health_check(o->health, rk_health_now(), reason, size);
}

rk_err_t rk_obs_new(const rk_stream_conf_t *conf, rk_obs_t **out, char *errstr,
                    size_t n) {
    *out = NULL;
    rk_obs_t *o = calloc(1, sizeof *o);
    if (!o)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    o->summary_ms = conf->summary_ms;
    o->started = o->last_at = rk_health_now();
    o->reg = rk_metrics_new();
    o->health = rk_health_new(STALL_SECONDS);
    o->in_topic = strdup(conf->in_topic ? conf->in_topic : "");
    o->drift = rk_drift_new(RK_DRIFT_WINDOW);
    rk_err_t err = o->reg && o->health && o->in_topic && o->drift
                       ? register_set(o, errstr, n)
                       : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err)
        rk_metric_set(o->m.start_time, NULL, unix_now());
    if (!err && conf->metrics_port) {
        err = rk_metrics_http_start(o->reg, conf->metrics_address,
                                    conf->metrics_port, health_cb, o, &o->http,
                                    errstr, n);
        if (!err)
            rk_log(RK_LOG_INFO, "metrics on http://%s:%d/metrics and /healthz",
                   conf->metrics_address ? conf->metrics_address : "127.0.0.1",
                   rk_metrics_http_port(o->http));
    }
    if (err) {
        rk_obs_destroy(o);
        return err;
    }
    *out = o;
    return RK_OK;
}

void rk_obs_destroy(rk_obs_t *o) {
    if (!o)
        return;
    rk_metrics_http_stop(o->http); /* before what it reads goes */
    rk_health_destroy(o->health);
    rk_metrics_destroy(o->reg);
    rk_drift_destroy(o->drift);
    free(o->in_topic);
    free(o);
}

/* ---- Kafka --------------------------------------------------------------- */

rk_err_t rk_obs_kafka_defaults(rd_kafka_conf_t *k, char *errstr, size_t n) {
    if (rd_kafka_conf_set(k, "statistics.interval.ms", "5000", errstr, n) !=
        RD_KAFKA_CONF_OK)
        return RK_ERR_USAGE;
    return RK_OK;
}

void rk_obs_kafka_stats(rk_obs_t *o, int consumer, const char *json,
                        size_t len) {
    rk_kstats_t st;
    char err[256];
    if (rk_kstats_parse(json, len, consumer ? o->in_topic : NULL, &st, err,
                        sizeof err) != RK_OK) {
        rk_log(RK_LOG_DEBUG, "%s", err);
        return;
    }
    rk_health_brokers(o->health, consumer, st.brokers_up > 0,
                      (long long)st.queued);
    if (consumer) {
        char(*names)[16] = calloc(st.nlags + 1, sizeof *names);
        const char **labels = calloc(st.nlags + 1, sizeof *labels);
        double *values = calloc(st.nlags + 1, sizeof *values);
        if (names && labels && values) {
            for (size_t i = 0; i < st.nlags; i++) {
                snprintf(names[i], sizeof names[i], "%d",
                         (int)st.lags[i].partition);
                labels[i] = names[i];
                values[i] = (double)st.lags[i].lag;
            }
            rk_metric_replace(o->m.lag, st.nlags, labels, values);
        }
        free(names);
        free(labels);
        free(values);
    }
    rk_kstats_clear(&st);
}

void rk_obs_kafka_error(rk_obs_t *o, int consumer, rd_kafka_resp_err_t err,
                        const char *reason) {
    const char *who = consumer ? "consumer" : "producer";
    int fatal = err == RD_KAFKA_RESP_ERR__FATAL;
    /* librdkafka retries everything but a fatal error by itself. */
    rk_log(fatal ? RK_LOG_ERROR : RK_LOG_WARN, "kafka %s: %s: %s", who,
           rd_kafka_err2name(err), reason);
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        rk_health_brokers(o->health, consumer, 0, -1);
    if (fatal) {
        char why[300];
        snprintf(why, sizeof why, "fatal %s error: %s", who, reason);
        rk_health_failed(o->health, why);
    }
}

/* ---- messages ------------------------------------------------------------ */

void rk_obs_consumed(rk_obs_t *o, size_t bytes) {
    rk_metric_add(o->m.msg_in, NULL, 1);
    rk_metric_add(o->m.bytes_in, NULL, (double)bytes);
    /* A message is news from a broker too: what clears an "all brokers
     * down" when statistics are turned off (statistics.interval.ms=0). */
    rk_health_brokers(o->health, 1, 1, -1);
}

void rk_obs_classified(rk_obs_t *o, size_t paragraphs, double seconds) {
    rk_metric_add(o->m.para_in, NULL, (double)paragraphs);
    rk_metric_observe(o->m.latency, seconds);
}

/* The window's and the training's label shares, and their distance. */
static void show_drift(rk_obs_t *o) {
    const char *names[RK_DRIFT_MAX_LABELS];
    double window[RK_DRIFT_MAX_LABELS], training[RK_DRIFT_MAX_LABELS];
    size_t k =
        rk_drift_shares(o->drift, names, window, training, RK_DRIFT_MAX_LABELS);
    rk_metric_replace(o->m.share, k, names, window);
    rk_metric_replace(o->m.trained_share, k, names, training);
    double d = rk_drift_distance(o->drift);
    if (d >= 0)
        rk_metric_set(o->m.drift, NULL, d);
}

void rk_obs_written(rk_obs_t *o, const rk_model_t *m,
                    const rk_record_list_t *records) {
    const rk_pred_t *pred = rk_model_pred(m);
    int k = rk_pred_nlabels(pred);
    size_t paragraphs = 0, abstained = 0;
    for (size_t i = 0; i < records->count; i++) {
        int label = records->items[i].label;
        if (label == RK_RECORD_DOCUMENT)
            continue;
        paragraphs++;
        rk_metric_observe(o->m.confidence, records->items[i].score);
        if (label >= 0 && label < k) {
            rk_metric_add(o->m.labels, rk_pred_label(pred, label), 1);
            rk_drift_add(o->drift, rk_pred_label(pred, label));
        } else {
            abstained++;
        }
    }
    if (paragraphs)
        show_drift(o);
    rk_metric_add(o->m.abstained, NULL, (double)abstained);
    rk_metric_add(o->m.docs, NULL, 1);
    rk_metric_add(o->m.para_out, NULL, (double)paragraphs);
    rk_metric_add(o->m.msg_out, NULL, (double)records->count);
}

void rk_obs_dead_letter(rk_obs_t *o, const char *code) {
    rk_metric_add(o->m.dlq, code, 1);
}

void rk_obs_delivery_failed(rk_obs_t *o, const char *why, int stops) {
    rk_metric_add(o->m.delivery_err, NULL, 1);
    if (stops) {
        char msg[300];
        snprintf(msg, sizeof msg, "delivery failed: %s", why);
        rk_health_failed(o->health, msg);
    }
}

void rk_obs_assigned(rk_obs_t *o, int partitions) {
    rk_metric_set(o->m.assigned, NULL, partitions);
    rk_health_assigned(o->health);
}

void rk_obs_revoked(rk_obs_t *o) {
    rk_metric_set(o->m.assigned, NULL, 0);
    rk_metric_clear(o->m.lag);
}

/* ---- the model ----------------------------------------------------------- */

void rk_obs_model(rk_obs_t *o, const rk_model_t *m, double load_seconds,
                  int reload) {
    const char *id = rk_model_id(m);
    double one = 1;
    rk_metric_replace(o->m.model_info, 1, &id, &one);
    rk_metric_set(o->m.model_load, NULL, load_seconds);
    rk_metric_set(o->m.model_loaded_at, NULL, unix_now());
    if (reload)
        rk_metric_add(o->m.reloads, NULL, 1);
    /* The training shares, from the bundle's training label_counts. */
    json_t *counts = json_object_get(
        json_object_get(rk_model_meta(m), "training"), "label_counts");
    const char *names[RK_MAX_LABELS], *label;
    double values[RK_MAX_LABELS];
    int n = 0;
    json_t *v;
    json_object_foreach(counts, label, v) {
        if (n < RK_MAX_LABELS && json_is_number(v)) {
            names[n] = label;
            values[n++] = json_number_value(v);
        }
    }
    rk_drift_training(o->drift, names, values, n);
    show_drift(o);
}

void rk_obs_model_refused(rk_obs_t *o) {
    rk_metric_add(o->m.reload_failures, NULL, 1);
}

/* ---- the loop and the log ------------------------------------------------ */

/* "lag 12" (the sum over assigned partitions), or "lag unknown" before
 * the statistics have one. */
static void format_lag(rk_obs_t *o, char *buf, size_t size) {
    if (rk_metric_series(o->m.lag))
        snprintf(buf, size, "lag %.0f", rk_metric_sum(o->m.lag));
    else
        snprintf(buf, size, "lag unknown");
}

static void throughput(rk_obs_t *o, double now) {
    double in = rk_metric_value(o->m.msg_in, NULL);
    double bytes = rk_metric_value(o->m.bytes_in, NULL);
    double paras = rk_metric_value(o->m.para_out, NULL);
    double dt = now - o->last_at;
    char lag[64];
    format_lag(o, lag, sizeof lag);
    rk_log(RK_LOG_INFO,
           "throughput %.1f msg/s, %.1f paragraphs/s, %.3f MB/s over %.1f s; "
           "%.0f messages in, %.0f paragraphs out, %.0f dead letters, %s",
           (in - o->last_in) / dt, (paras - o->last_paras) / dt,
           (bytes - o->last_bytes) / dt / 1e6, dt, in, paras,
           rk_metric_sum(o->m.dlq), lag);
    o->last_at = now;
    o->last_in = in;
    o->last_bytes = bytes;
    o->last_paras = paras;
}

void rk_obs_tick(rk_obs_t *o) {
    double now = rk_health_now();
    rk_health_tick(o->health, now);
    if (o->summary_ms > 0 && (now - o->last_at) * 1000 >= o->summary_ms)
        throughput(o, now);
}

void rk_obs_stopping(rk_obs_t *o, const char *why) {
    rk_health_stopping(o->health, why);
}

void rk_obs_final(rk_obs_t *o) {
    rk_log(RK_LOG_INFO,
           "totals after %.1f s: %.0f messages in (%.0f bytes), %.0f "
           "documents and %.0f paragraphs written in %.0f records, %.0f dead "
           "letters, %.0f delivery errors",
           rk_health_now() - o->started, rk_metric_value(o->m.msg_in, NULL),
           rk_metric_value(o->m.bytes_in, NULL),
           rk_metric_value(o->m.docs, NULL),
           rk_metric_value(o->m.para_out, NULL),
           rk_metric_value(o->m.msg_out, NULL), rk_metric_sum(o->m.dlq),
           rk_metric_value(o->m.delivery_err, NULL));
}
