/*
 * metrics.h - what `rakiza run --metrics-port P` publishes: a thread-safe
 * registry of counters, gauges and histograms, rendered in the Prometheus
 * text exposition format (version 0.0.4), and the streaming service's own
 * metric set on top of it (the rk_metrics_* event functions below).
 *
 * Any thread may update a metric while another renders; one mutex per
 * registry guards everything (updates are a few loads and stores, far
 * cheaper than classifying the paragraph they count). ingest/metrics_http.h
 * serves the rendering over HTTP.
 *
 * The service's metrics (README "Metrics" is the operator-facing list):
 *
 *   rakiza_messages_in_total             counter  input messages consumed
 *   rakiza_messages_out_total            counter  output records delivered
 *                                                 (paragraph + document)
 *   rakiza_paragraphs_in_total           counter  paragraphs segmented
 *   rakiza_paragraphs_out_total          counter  paragraph records delivered
 *   rakiza_documents_total               counter  documents classified
 *   rakiza_dlq_messages_total{code}      counter  messages dead-lettered, by
 *                                                 the contract's error code
 *   rakiza_delivery_errors_total         counter  records the producer failed
 *                                                 to deliver
 *   rakiza_paragraph_labels_total{label} counter  paragraphs by top label
 *   rakiza_paragraphs_abstained_total    counter  paragraphs with label null
 *   rakiza_classification_seconds        histogram time to classify one
 *                                                 document (segment to records)
 *   rakiza_consumer_lag{partition}       gauge    messages behind the high
 *                                                 watermark, per assigned
 *                                                 partition (librdkafka stats)
 *   rakiza_model_info{model}             gauge    1 for the loaded model's id
 *   rakiza_model_load_seconds            gauge    how long loading it took
 *   rakiza_model_loaded_timestamp_seconds gauge   when it was loaded (Unix)
 *   rakiza_start_time_seconds            gauge    when the registry was made
 */
#ifndef RK_METRICS_H
#define RK_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "classify/rk_common.h"

typedef struct rk_metrics_s rk_metrics_t;
typedef struct rk_metric_s rk_metric_t; /* owned by its registry */

typedef enum rk_metric_type_e {
    RK_METRIC_COUNTER,
    RK_METRIC_GAUGE,
    RK_METRIC_HISTOGRAM
} rk_metric_type_t;

/* An empty registry (no metrics). NULL when out of memory. */
rk_metrics_t *rk_metrics_new_empty(void);

/* A registry holding the service's metrics listed above, all at zero
 * (counters with a label have no series until first counted). */
rk_metrics_t *rk_metrics_new(void);

/* NULL-safe. Metric handles die with it. */
void rk_metrics_destroy(rk_metrics_t *m);

/* ---- the generic registry -------------------------------------------- */

/* Registers a metric. name must match [a-zA-Z_:][a-zA-Z0-9_:]*; label is
 * NULL (one unlabelled series) or a label name ([a-zA-Z_][a-zA-Z0-9_]*,
 * not starting with "__"; not "le" for histograms, which take no label).
 * bounds are a histogram's bucket upper bounds, strictly increasing and
 * finite (+Inf is implied); NULL/0 for other types. A name already
 * registered is an error. *out is valid until rk_metrics_destroy. */
rk_err_t rk_metrics_register(rk_metrics_t *m, rk_metric_type_t type,
                             const char *name, const char *help,
                             const char *label, const double *bounds,
                             size_t nbounds, rk_metric_t **out, char *errstr,
                             size_t errstr_size);

/* The registered metric called name, or NULL. */
rk_metric_t *rk_metrics_find(rk_metrics_t *m, const char *name);

/* Counters add (v >= 0; negative or NaN v is ignored: counters only go
 * up), gauges add or set, histograms observe. label_value is the value of
 * the metric's label (any UTF-8; escaped on output), NULL for a metric
 * without one. A metric keeps at most RK_METRICS_MAX_SERIES label values;
 * updates for further values are dropped. Mismatched calls (a label value
 * for an unlabelled metric, set on a counter...) are ignored. */
#define RK_METRICS_MAX_SERIES 1024
void rk_metric_add(rk_metric_t *mt, const char *label_value, double v);
void rk_metric_set(rk_metric_t *mt, const char *label_value, double v);
void rk_metric_observe(rk_metric_t *mt, double v);
/* Drops every series of a labelled metric (e.g. partitions revoked). */
void rk_metric_clear(rk_metric_t *mt);
/* The current value of a counter or gauge series (0 when absent); for a
 * histogram, its observation count. For tests and summaries. */
double rk_metric_value(rk_metric_t *mt, const char *label_value);

/* The whole registry in the text exposition format, metrics in
 * registration order, label values in first-seen order. The caller frees
 * the NUL-terminated result; NULL when out of memory. */
char *rk_metrics_render(rk_metrics_t *m, size_t *len);

/* ---- the streaming service's events (registry from rk_metrics_new) ---- */

void rk_metrics_message_in(rk_metrics_t *m);
/* One output record (paragraph or document) confirmed delivered. */
void rk_metrics_record_out(rk_metrics_t *m, int is_paragraph);
void rk_metrics_delivery_error(rk_metrics_t *m);
/* A document classified into n paragraphs in `seconds`. */
void rk_metrics_document(rk_metrics_t *m, size_t paragraphs, double seconds);
/* One paragraph's top label; NULL when the model abstained. */
void rk_metrics_label(rk_metrics_t *m, const char *label);
/* A message sent to the dead-letter topic with the contract's code. */
void rk_metrics_dlq(rk_metrics_t *m, const char *code);
/* The model now serving: its id, how long loading took, when (Unix s).
 * Replaces the previous model's info series. */
void rk_metrics_model(rk_metrics_t *m, const char *id, double load_seconds,
                      double loaded_at);
/* Replaces the lag gauges with those in a librdkafka statistics JSON
 * document (the stats_cb payload; statistics.interval.ms must be set) for
 * topic: topics.<topic>.partitions.<p>.consumer_lag, skipping the internal
 * partition -1 and unknown lags (-1). Malformed JSON is RK_ERR_DATA and
 * leaves the gauges as they were. */
rk_err_t rk_metrics_lag_from_stats(rk_metrics_t *m, const char *topic,
                                   const char *json, size_t len, char *errstr,
                                   size_t errstr_size);

#endif
