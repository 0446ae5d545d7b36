/*
 * metrics.c - see metrics.h. A registry is an array of metrics behind one
 * mutex; a labelled metric keeps its series in first-seen order and finds
 * them by a linear scan (label cardinality here is small: error codes,
 * model labels, partitions).
 */
#include "obs/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

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

struct rk_metrics_s {
    pthread_mutex_t lock;
    rk_metric_t **items;
    size_t count, cap;
};

rk_metrics_t *rk_metrics_new(void) {
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
    if (!err && m->count == m->cap &&
        !rk_grow(&m->items, &m->cap, m->count + 1, sizeof *m->items, 16))
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err) /* m owns mt from here; metric_free runs at rk_metrics_destroy */
        m->items[m->count++] = mt;
    pthread_mutex_unlock(&m->lock);
    if (err) {
        metric_free(mt);
        return err;
    }
    if (out)
        *out = mt;
    // cppcheck-suppress memleak ; m->items holds mt (stored above)
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
    if (mt->nseries == mt->cap &&
        !rk_grow(&mt->series, &mt->cap, mt->nseries + 1, sizeof *mt->series, 8))
        return NULL;
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
    rk_metric_replace(mt, 0, NULL, NULL);
}

void rk_metric_replace(rk_metric_t *mt, size_t n,
                       const char *const *label_values, const double *values) {
    if (!mt || !mt->label || mt->type == RK_METRIC_HISTOGRAM)
        return;
    pthread_mutex_lock(&mt->reg->lock);
    clear_locked(mt);
    for (size_t i = 0; i < n; i++) {
        double *slot = slot_locked(mt, label_values[i], 1);
        if (slot)
            *slot = values[i];
    }
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

double rk_metric_sum(rk_metric_t *mt) {
    if (!mt)
        return 0.0;
    pthread_mutex_lock(&mt->reg->lock);
    double v = mt->type == RK_METRIC_HISTOGRAM ? mt->sum : mt->value;
    for (size_t i = 0; i < mt->nseries; i++)
        v += mt->series[i].value;
    pthread_mutex_unlock(&mt->reg->lock);
    return v;
}

size_t rk_metric_series(rk_metric_t *mt) {
    if (!mt)
        return 0;
    pthread_mutex_lock(&mt->reg->lock);
    size_t n = mt->label ? mt->nseries : 1;
    pthread_mutex_unlock(&mt->reg->lock);
    return n;
}

/* ---- rendering --------------------------------------------------------- */

/* HELP text escapes backslash and newline; label values also '"'. */
static void put_escaped(FILE *f, const char *s, int quote) {
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\\\", f);
        else if (*s == '\n')
            fputs("\\n", f);
        else if (quote && *s == '"')
            fputs("\\\"", f);
        else
            fputc(*s, f);
    }
}

/* Prometheus parses Go floats: integers print as integers, the rest in
 * the shortest form that reads back as the same double (0.0005, not
 * 0.00050000000000000001), the infinities and NaN by their names. */
static void format_number(char *num, size_t size, double v) {
    if (isnan(v))
        snprintf(num, size, "NaN");
    else if (isinf(v))
        snprintf(num, size, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(num, size, "%.0f", v);
    else
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(num, size, "%.*g", digits, v);
            if (strtod(num, NULL) == v)
                break;
        }
}

static void put_sample(FILE *f, const char *name, const char *suffix,
                       const char *label, const char *label_value, double v) {
    char num[64];
    format_number(num, sizeof num, v);
    fprintf(f, "%s%s", name, suffix);
    if (label && label_value) {
        fprintf(f, "{%s=\"", label);
        put_escaped(f, label_value, 1);
        fputs("\"}", f);
    }
    fprintf(f, " %s\n", num);
}

static void render_metric(FILE *f, const rk_metric_t *mt) {
    static const char *types[] = {"counter", "gauge", "histogram"};
    fprintf(f, "# HELP %s ", mt->name);
    put_escaped(f, mt->help, 0);
    fprintf(f, "\n# TYPE %s %s\n", mt->name, types[mt->type]);
    if (mt->type == RK_METRIC_HISTOGRAM) {
        uint64_t cumulative = 0;
        char le[64];
        for (size_t i = 0; i <= mt->nbounds; i++) {
            cumulative += mt->buckets[i];
            format_number(le, sizeof le,
                          i < mt->nbounds ? mt->bounds[i] : INFINITY);
            put_sample(f, mt->name, "_bucket", "le", le, (double)cumulative);
        }
        put_sample(f, mt->name, "_sum", NULL, NULL, mt->sum);
        put_sample(f, mt->name, "_count", NULL, NULL, (double)mt->count);
    } else if (!mt->label) {
        put_sample(f, mt->name, "", NULL, NULL, mt->value);
    } else {
        for (size_t i = 0; i < mt->nseries; i++)
            put_sample(f, mt->name, "", mt->label, mt->series[i].label_value,
                       mt->series[i].value);
    }
}

char *rk_metrics_render(rk_metrics_t *m, size_t *len) {
    char *data = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&data, &size);
    if (!f)
        return NULL;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count; i++)
        render_metric(f, m->items[i]);
    pthread_mutex_unlock(&m->lock);
    int failed = ferror(f);
    if (fclose(f) != 0 || failed) {
        free(data);
        return NULL;
    }
    if (len)
        *len = size;
    return data;
}
