/*
 * drift.c - see drift.h.
 */
#include "ingest/drift.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rk_drift_s {
    char *names[RK_DRIFT_MAX_LABELS];
    size_t nnames;
    size_t counts[RK_DRIFT_MAX_LABELS]; /* in the window */
    double trained[RK_DRIFT_MAX_LABELS];
    double trained_total;
    unsigned char *ring; /* label index per slot */
    size_t window, head, filled;
};

rk_drift_t *rk_drift_new(size_t window) {
    rk_drift_t *d = calloc(1, sizeof *d);
    if (!d || !window || !(d->ring = malloc(window))) {
        free(d);
        return NULL;
    }
    d->window = window;
    return d;
}

void rk_drift_destroy(rk_drift_t *d) {
    if (!d)
        return;
    for (size_t i = 0; i < d->nnames; i++)
        free(d->names[i]);
    free(d->ring);
    free(d);
}

/* The index of label, interned; -1 when the table is full. */
static int intern(rk_drift_t *d, const char *label) {
    for (size_t i = 0; i < d->nnames; i++)
        if (!strcmp(d->names[i], label))
            return (int)i;
    if (d->nnames == RK_DRIFT_MAX_LABELS ||
        !(d->names[d->nnames] = strdup(label)))
        return -1;
    return (int)d->nnames++;
}

void rk_drift_training(rk_drift_t *d, const char *const *labels,
                       const double *counts, int n) {
    memset(d->trained, 0, sizeof d->trained);
    d->trained_total = 0;
    for (int i = 0; i < n; i++) {
        int k = intern(d, labels[i]);
        if (k >= 0 && counts[i] > 0) {
            d->trained[k] += counts[i];
            d->trained_total += counts[i];
        }
    }
}

void rk_drift_add(rk_drift_t *d, const char *label) {
    int k = label ? intern(d, label) : -1;
    if (k < 0)
        return;
    if (d->filled == d->window)
        d->counts[d->ring[d->head]]--; /* the oldest leaves */
    else
        d->filled++;
    d->ring[d->head] = (unsigned char)k;
    d->counts[k]++;
    d->head = (d->head + 1) % d->window;
}

size_t rk_drift_count(const rk_drift_t *d) {
    return d->filled;
}

size_t rk_drift_shares(const rk_drift_t *d, const char **names, double *window,
                       double *training, size_t max) {
    size_t n = d->nnames < max ? d->nnames : max;
    for (size_t i = 0; i < n; i++) {
        names[i] = d->names[i];
        window[i] = d->filled ? (double)d->counts[i] / (double)d->filled : 0;
        training[i] =
            d->trained_total > 0 ? d->trained[i] / d->trained_total : 0;
    }
    return n;
}

double rk_drift_distance(const rk_drift_t *d) {
    if (d->filled < RK_DRIFT_MIN || d->trained_total <= 0)
        return -1;
    double sum = 0;
    for (size_t i = 0; i < d->nnames; i++)
        sum += fabs((double)d->counts[i] / (double)d->filled -
                    d->trained[i] / d->trained_total);
    return sum / 2;
}
