/*
 * metrics.h - a thread-safe registry of counters, gauges and histograms,
 * rendered in the Prometheus text exposition format (version 0.0.4).
 *
 * Any thread may update a metric while another renders; one mutex per
 * registry guards everything. An update is a lock, a short scan and a store
 * (tens of nanoseconds uncontended), far cheaper than classifying the
 * document it counts. obs/metrics_http.h serves the rendering over HTTP.
 *
 * The streaming service's metric set is built on it in ingest/stream_obs.c.
 */
#ifndef RK_METRICS_H
#define RK_METRICS_H

#include <stddef.h>

#include "core/err.h"

typedef struct rk_metrics_s rk_metrics_t;
typedef struct rk_metric_s rk_metric_t; /* owned by its registry */

typedef enum rk_metric_type_e {
    RK_METRIC_COUNTER,
    RK_METRIC_GAUGE,
    RK_METRIC_HISTOGRAM
} rk_metric_type_t;

/* An empty registry. NULL when out of memory. */
rk_metrics_t *rk_metrics_new(void);

/* NULL-safe. Metric handles die with it. */
void rk_metrics_destroy(rk_metrics_t *m);

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
/* Replaces every series of a labelled counter or gauge with the n given
 * ones in one step, so a scrape never sees a half-updated set. */
void rk_metric_replace(rk_metric_t *mt, size_t n,
                       const char *const *label_values, const double *values);
/* The current value of a counter or gauge series (0 when absent); for a
 * histogram, its observation count. For tests and summaries. */
double rk_metric_value(rk_metric_t *mt, const char *label_value);
/* A counter's or gauge's sum over all its series (a histogram's sum of
 * observations), and how many series it has (1 when unlabelled). */
double rk_metric_sum(rk_metric_t *mt);
size_t rk_metric_series(rk_metric_t *mt);

/* The whole registry in the text exposition format, metrics in
 * registration order, label values in first-seen order. The caller frees
 * the NUL-terminated result; NULL when out of memory. */
char *rk_metrics_render(rk_metrics_t *m, size_t *len);

#endif
