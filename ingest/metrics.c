/*
 * metrics.c - see metrics.h. A registry is an array of metrics behind one
 * mutex; a labelled metric keeps its series in first-seen order (label
 * cardinality here is small: error codes, model labels, partitions).
 */
#include "metrics.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct series_s {
    char *label_value;
    double value;
} series_t;

struct rk_metric_s {
    rk_metrics_t *reg;
    rk_metric_type_t type;
    char *name, *help, *label; /* label NULL: one unlabelled series */
    double value;              /* the unlabelled series */
    series_t *series;
    size_t nseries, cap;
    double *bounds; /* histogram: upper bounds; buckets[nbounds] is +Inf */
    uint64_t *buckets, count;
    size_t nbounds;
    double sum;
};

/* The service's metrics, NULL in an empty registry. */
typedef struct svc_s {
    rk_metric_t *msg_in, *msg_out, *para_in, *para_out, *docs, *dlq,
        *delivery_err, *labels, *abstained, *latency, *lag, *model_info,
        *model_load, *model_loaded_at, *start_time;
} svc_t;

struct rk_metrics_s {
    pthread_mutex_t lock;
    rk_metric_t **items;
    size_t count, cap;
    svc_t svc;
};

rk_metrics_t *rk_metrics_new_empty(void) {
    rk_metrics_t *m = calloc(1, sizeof *m);
    if (m && pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

static void metric_free(rk_metric_t *mt) {
    for (size_t i = 0; i < mt->nseries; i++)
        free(mt->series[i].label_value);
    free(mt->series);
    free(mt->name);
    free(mt->help);
    free(mt->label);
    free(mt->bounds);
    free(mt->buckets);
    free(mt);
}

void rk_metrics_destroy(rk_metrics_t *m) {
    if (!m)
        return;
    for (size_t i = 0; i < m->count; i++)
        metric_free(m->items[i]);
    free(m->items);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* ---- registration ------------------------------------------------------ */

static int valid_name(const char *s, int colon) {
    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || (colon && c == ':')))
            return 0;
    }
    return 1;
}

static rk_metric_t *find_locked(rk_metrics_t *m, const char *name) {
    for (size_t i = 0; i < m->count; i++)
        if (!strcmp(m->items[i]->name, name))
            return m->items[i];
    return NULL;
}

rk_metric_t *rk_metrics_find(rk_metrics_t *m, const char *name) {
    pthread_mutex_lock(&m->lock);
    rk_metric_t *mt = find_locked(m, name);
    pthread_mutex_unlock(&m->lock);
    return mt;
}

static rk_err_t check_spec(rk_metric_type_t type, const char *name,
                           const char *label, const double *bounds,
                           size_t nbounds, char *errstr, size_t errstr_size) {
    if (!valid_name(name, 1))
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "invalid metric name '%s'", name ? name : "(null)");
    if (label && (!valid_name(label, 0) || !strncmp(label, "__", 2)))
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "metric %s: invalid label name '%s'", name, label);
    if (type != RK_METRIC_HISTOGRAM) {
        if (nbounds)
            return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                           "metric %s: only histograms have buckets", name);
        return RK_OK;
    }
    if (label)
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "histogram %s: labelled histograms are not supported",
                       name);
    if (!bounds || !nbounds)
        return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                       "histogram %s: needs bucket bounds", name);
    for (size_t i = 0; i < nbounds; i++)
        if (!isfinite(bounds[i]) || (i && bounds[i] <= bounds[i - 1]))
            return rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                           "histogram %s: bucket bound %zu is not finite and "
                           "above the previous one",
                           name, i);
    return RK_OK;
}

rk_err_t rk_metrics_register(rk_metrics_t *m, rk_metric_type_t type,
                             const char *name, const char *help,
                             const char *label, const double *bounds,
                             size_t nbounds, rk_metric_t **out, char *errstr,
                             size_t errstr_size) {
    rk_err_t err =
        check_spec(type, name, label, bounds, nbounds, errstr, errstr_size);
    if (err)
        return err;
    rk_metric_t *mt = calloc(1, sizeof *mt);
    int ok = mt != NULL;
    if (ok) {
        mt->reg = m;
        mt->type = type;
        mt->name = strdup(name);
        mt->help = strdup(help ? help : "");
        mt->label = label ? strdup(label) : NULL;
        ok = mt->name && mt->help && (!label || mt->label);
    }
    if (ok && nbounds) {
        mt->bounds = malloc(nbounds * sizeof *mt->bounds);
        mt->buckets = calloc(nbounds + 1, sizeof *mt->buckets);
        ok = mt->bounds && mt->buckets;
        if (ok)
            memcpy(mt->bounds, bounds, nbounds * sizeof *bounds);
        mt->nbounds = nbounds;
    }
    if (!ok) {
        if (mt)
            metric_free(mt);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    pthread_mutex_lock(&m->lock);
    if (find_locked(m, name))
        err = rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                      "metric %s is already registered", name);
    if (!err && m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        rk_metric_t **items = realloc(m->items, cap * sizeof *items);
        if (items) {
            m->items = items;
            m->cap = cap;
        } else {
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        }
    }
    if (!err)
        m->items[m->count++] = mt;
    pthread_mutex_unlock(&m->lock);
    if (err) {
        metric_free(mt);
        return err;
    }
    if (out)
        *out = mt;
    return RK_OK;
}

/* ---- updates (callers hold the registry lock) -------------------------- */

/* The slot for label_value, created when missing; NULL when the call does
 * not fit the metric, out of memory or over RK_METRICS_MAX_SERIES. */
static double *slot_locked(rk_metric_t *mt, const char *label_value,
                           int create) {
    if (!mt->label)
        return label_value ? NULL : &mt->value;
    if (!label_value)
        return NULL;
    for (size_t i = 0; i < mt->nseries; i++)
        if (!strcmp(mt->series[i].label_value, label_value))
            return &mt->series[i].value;
    if (!create || mt->nseries >= RK_METRICS_MAX_SERIES)
        return NULL;
    if (mt->nseries == mt->cap) {
        size_t cap = mt->cap ? mt->cap * 2 : 8;
        series_t *s = realloc(mt->series, cap * sizeof *s);
        if (!s)
            return NULL;
        mt->series = s;
        mt->cap = cap;
    }
    char *v = strdup(label_value);
    if (!v)
        return NULL;
    mt->series[mt->nseries] = (series_t){v, 0.0};
    return &mt->series[mt->nseries++].value;
}

static void clear_locked(rk_metric_t *mt) {
    for (size_t i = 0; i < mt->nseries; i++)
        free(mt->series[i].label_value);
    mt->nseries = 0;
}

static void update(rk_metric_t *mt, const char *label_value, double v,
                   int set) {
    if (!mt || mt->type == RK_METRIC_HISTOGRAM)
        return;
    if (mt->type == RK_METRIC_COUNTER && (set || !(v >= 0)))
        return;
    pthread_mutex_lock(&mt->reg->lock);
    double *slot = slot_locked(mt, label_value, 1);
    if (slot)
        *slot = set ? v : *slot + v;
    pthread_mutex_unlock(&mt->reg->lock);
}

void rk_metric_add(rk_metric_t *mt, const char *label_value, double v) {
    update(mt, label_value, v, 0);
}

void rk_metric_set(rk_metric_t *mt, const char *label_value, double v) {
    update(mt, label_value, v, 1);
}

void rk_metric_observe(rk_metric_t *mt, double v) {
    if (!mt || mt->type != RK_METRIC_HISTOGRAM || isnan(v))
        return;
    pthread_mutex_lock(&mt->reg->lock);
    size_t b = 0;
    while (b < mt->nbounds && v > mt->bounds[b])
        b++;
    mt->buckets[b]++;
    mt->count++;
    mt->sum += v;
    pthread_mutex_unlock(&mt->reg->lock);
}

void rk_metric_clear(rk_metric_t *mt) {
    if (!mt)
        return;
    pthread_mutex_lock(&mt->reg->lock);
    clear_locked(mt);
    pthread_mutex_unlock(&mt->reg->lock);
}

double rk_metric_value(rk_metric_t *mt, const char *label_value) {
    if (!mt)
        return 0.0;
    pthread_mutex_lock(&mt->reg->lock);
    double v = 0.0;
    if (mt->type == RK_METRIC_HISTOGRAM) {
        v = (double)mt->count;
    } else {
        double *slot = slot_locked(mt, label_value, 0);
        v = slot ? *slot : 0.0;
    }
    pthread_mutex_unlock(&mt->reg->lock);
    return v;
}

/* ---- rendering --------------------------------------------------------- */

typedef struct buf_s {
    char *data;
    size_t len, cap;
    int failed;
} buf_t;

static void put(buf_t *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void puts_(buf_t *b, const char *s) { put(b, s, strlen(s)); }

/* HELP text escapes backslash and newline; label values also '"'. */
static void put_escaped(buf_t *b, const char *s, int quote) {
    for (; *s; s++) {
        if (*s == '\\')
            puts_(b, "\\\\");
        else if (*s == '\n')
            puts_(b, "\\n");
        else if (quote && *s == '"')
            puts_(b, "\\\"");
        else
            put(b, s, 1);
    }
}

/* Prometheus parses Go floats: integers print as integers, the rest with
 * round-trip precision, and the infinities and NaN by their names. */
static void put_number(buf_t *b, double v) {
    char num[64];
    if (isnan(v))
        snprintf(num, sizeof num, "NaN");
    else if (isinf(v))
        snprintf(num, sizeof num, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(num, sizeof num, "%.0f", v);
    else
        snprintf(num, sizeof num, "%.17g", v);
    puts_(b, num);
}

static void put_sample(buf_t *b, const char *name, const char *suffix,
                       const char *label, const char *label_value,
                       double v) {
    puts_(b, name);
    puts_(b, suffix);
    if (label) {
        puts_(b, "{");
        puts_(b, label);
        puts_(b, "=\"");
        put_escaped(b, label_value, 1);
        puts_(b, "\"}");
    }
    puts_(b, " ");
    put_number(b, v);
    puts_(b, "\n");
}

static void render_metric(buf_t *b, const rk_metric_t *mt) {
    static const char *types[] = {"counter", "gauge", "histogram"};
    puts_(b, "# HELP ");
    puts_(b, mt->name);
    puts_(b, " ");
    put_escaped(b, mt->help, 0);
    puts_(b, "\n# TYPE ");
    puts_(b, mt->name);
    puts_(b, " ");
    puts_(b, types[mt->type]);
    puts_(b, "\n");
    if (mt->type == RK_METRIC_HISTOGRAM) {
        uint64_t cumulative = 0;
        char le[64];
        for (size_t i = 0; i <= mt->nbounds; i++) {
            cumulative += mt->buckets[i];
            if (i < mt->nbounds)
                snprintf(le, sizeof le, "%.17g", mt->bounds[i]);
            else
                snprintf(le, sizeof le, "+Inf");
            put_sample(b, mt->name, "_bucket", "le", le, (double)cumulative);
        }
        put_sample(b, mt->name, "_sum", NULL, NULL, mt->sum);
        put_sample(b, mt->name, "_count", NULL, NULL, (double)mt->count);
    } else if (!mt->label) {
        put_sample(b, mt->name, "", NULL, NULL, mt->value);
    } else {
        for (size_t i = 0; i < mt->nseries; i++)
            put_sample(b, mt->name, "", mt->label, mt->series[i].label_value,
                       mt->series[i].value);
    }
}

char *rk_metrics_render(rk_metrics_t *m, size_t *len) {
    buf_t b = {0};
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++)
        render_metric(&b, m->items[i]);
    pthread_mutex_unlock(&m->lock);
    if (!b.failed && !b.data)
        puts_(&b, "");
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    if (len)
        *len = b.len;
    return b.data;
}

/* ---- the service's metric set ------------------------------------------ */

/* Seconds to classify one document: sub-millisecond for a short message,
 * seconds for a long report on a loaded machine. */
static const double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,  0.1,    0.25,  0.5,
                                        1,      2.5,   5,      10};

rk_metrics_t *rk_metrics_new(void) {
    rk_metrics_t *m = rk_metrics_new_empty();
    if (!m)
        return NULL;
    const struct {
        rk_metric_t **slot;
        rk_metric_type_t type;
        const char *name, *label, *help;
    } defs[] = {
        {&m->svc.msg_in, RK_METRIC_COUNTER, "rakiza_messages_in_total", NULL,
         "Input messages consumed from the input topic."},
        {&m->svc.msg_out, RK_METRIC_COUNTER, "rakiza_messages_out_total",
         NULL,
         "Output records (paragraph and document) delivered to the output "
         "topic."},
        {&m->svc.para_in, RK_METRIC_COUNTER, "rakiza_paragraphs_in_total",
         NULL, "Paragraphs segmented from input documents."},
        {&m->svc.para_out, RK_METRIC_COUNTER, "rakiza_paragraphs_out_total",
         NULL, "Paragraph records delivered to the output topic."},
        {&m->svc.docs, RK_METRIC_COUNTER, "rakiza_documents_total", NULL,
         "Documents classified."},
        {&m->svc.dlq, RK_METRIC_COUNTER, "rakiza_dlq_messages_total", "code",
         "Input messages sent to the dead-letter topic, by error code."},
        {&m->svc.delivery_err, RK_METRIC_COUNTER,
         "rakiza_delivery_errors_total", NULL,
         "Output records the producer failed to deliver."},
        {&m->svc.labels, RK_METRIC_COUNTER, "rakiza_paragraph_labels_total",
         "label", "Classified paragraphs by top label."},
        {&m->svc.abstained, RK_METRIC_COUNTER,
         "rakiza_paragraphs_abstained_total", NULL,
         "Paragraphs whose top score was under the model's threshold "
         "(label null)."},
        {&m->svc.latency, RK_METRIC_HISTOGRAM, "rakiza_classification_seconds",
         NULL, "Time to classify one document, segmentation to records."},
        {&m->svc.lag, RK_METRIC_GAUGE, "rakiza_consumer_lag", "partition",
         "Messages between the committed position and the high watermark, "
         "per assigned input partition (librdkafka statistics)."},
        {&m->svc.model_info, RK_METRIC_GAUGE, "rakiza_model_info", "model",
         "1 for the id of the model in use."},
        {&m->svc.model_load, RK_METRIC_GAUGE, "rakiza_model_load_seconds",
         NULL, "How long loading the model in use took."},
        {&m->svc.model_loaded_at, RK_METRIC_GAUGE,
         "rakiza_model_loaded_timestamp_seconds", NULL,
         "When the model in use was loaded (Unix time)."},
        {&m->svc.start_time, RK_METRIC_GAUGE, "rakiza_start_time_seconds",
         NULL, "When the service started (Unix time)."},
    };
    char errstr[256];
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        int hist = defs[i].type == RK_METRIC_HISTOGRAM;
        size_t nb = hist ? sizeof latency_bounds / sizeof latency_bounds[0]
                         : 0;
        if (rk_metrics_register(m, defs[i].type, defs[i].name, defs[i].help,
                                defs[i].label, hist ? latency_bounds : NULL,
                                nb, defs[i].slot, errstr, sizeof errstr)) {
            rk_metrics_destroy(m);
            return NULL;
        }
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    rk_metric_set(m->svc.start_time, NULL,
                  (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    return m;
}

void rk_metrics_message_in(rk_metrics_t *m) {
    if (m)
        rk_metric_add(m->svc.msg_in, NULL, 1);
}

void rk_metrics_record_out(rk_metrics_t *m, int is_paragraph) {
    if (!m)
        return;
    rk_metric_add(m->svc.msg_out, NULL, 1);
    if (is_paragraph)
        rk_metric_add(m->svc.para_out, NULL, 1);
}

void rk_metrics_delivery_error(rk_metrics_t *m) {
    if (m)
        rk_metric_add(m->svc.delivery_err, NULL, 1);
}

void rk_metrics_document(rk_metrics_t *m, size_t paragraphs, double seconds) {
    if (!m)
        return;
    rk_metric_add(m->svc.docs, NULL, 1);
    rk_metric_add(m->svc.para_in, NULL, (double)paragraphs);
    rk_metric_observe(m->svc.latency, seconds);
}

void rk_metrics_label(rk_metrics_t *m, const char *label) {
    if (!m)
        return;
    if (label)
        rk_metric_add(m->svc.labels, label, 1);
    else
        rk_metric_add(m->svc.abstained, NULL, 1);
}

void rk_metrics_dlq(rk_metrics_t *m, const char *code) {
    if (m)
        rk_metric_add(m->svc.dlq, code ? code : "internal", 1);
}

void rk_metrics_model(rk_metrics_t *m, const char *id, double load_seconds,
                      double loaded_at) {
    if (!m || !m->svc.model_info)
        return;
    pthread_mutex_lock(&m->lock);
    clear_locked(m->svc.model_info);
    double *slot = slot_locked(m->svc.model_info, id ? id : "", 1);
    if (slot)
        *slot = 1;
    m->svc.model_load->value = load_seconds;
    m->svc.model_loaded_at->value = loaded_at;
    pthread_mutex_unlock(&m->lock);
}

rk_err_t rk_metrics_lag_from_stats(rk_metrics_t *m, const char *topic,
                                   const char *json, size_t len, char *errstr,
                                   size_t errstr_size) {
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "statistics JSON: %s at byte %d", jerr.text,
                       jerr.position);
    json_t *parts = json_object_get(
        json_object_get(json_object_get(root, "topics"), topic),
        "partitions");
    if (!json_is_object(parts) || !m->svc.lag) {
        json_decref(root);
        return RK_OK; /* topic not assigned (yet): nothing to report */
    }
    pthread_mutex_lock(&m->lock);
    clear_locked(m->svc.lag);
    const char *key;
    json_t *p;
    json_object_foreach(parts, key, p) {
        json_t *lag = json_object_get(p, "consumer_lag");
        if (!strcmp(key, "-1") || !json_is_integer(lag) ||
            json_integer_value(lag) < 0)
            continue;
        double *slot = slot_locked(m->svc.lag, key, 1);
        if (slot)
            *slot = (double)json_integer_value(lag);
    }
    pthread_mutex_unlock(&m->lock);
    json_decref(root);
    return RK_OK;
}
