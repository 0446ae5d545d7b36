/*
 * predict.c - see predict.h. libsvm reports probabilities in its internal
 * class order (svm_get_labels); they are mapped back to label indices.
 */
#include "models/predict.h"
#include "core/limits.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct rk_pred_s {
    struct svm_model *model;
    char **labels;
    int nlabels;
    double threshold;
    int *order; /* order[j]: our label index of libsvm's j-th class */
    /* Linear models only: the model collapsed to one weight per feature
     * and class pair, so scoring is one pass over the paragraph's
     * features instead of one per support vector. Only features some
     * support vector has get weights: feature idx (0..max_index) has row
     * row[idx] of w, w[row * pairs + pair] (pairs in libsvm's order: i < j
     * over its internal classes); row 0 is all zeros, for the rest. The
     * table stays a few MB (a dense one, 2^hash_bits rows, was 21 MB and
     * missed the cache once vectorising had evicted it). */
    double *w;
    int32_t *row;
    int max_index, pairs;
};

/* Collapses a linear model's support vectors into row and w (see the
 * struct). Returns 0 when out of memory. */
static int collapse_linear(rk_pred_t *p) {
    const struct svm_model *m = p->model;
    if (m->param.kernel_type != LINEAR)
        return 1;
    int k = m->nr_class, max = 0;
    for (int s = 0; s < m->l; s++)
        for (const struct svm_node *x = m->SV[s]; x->index != -1; x++)
            if (x->index > max)
                max = x->index;
    int pairs = k * (k - 1) / 2;
    p->max_index = max;
    p->pairs = pairs;
    p->row = calloc((size_t)max + 1, sizeof *p->row);
    if (!p->row)
        return 0;
    for (int s = 0; s < m->l; s++)
        for (const struct svm_node *x = m->SV[s]; x->index != -1; x++)
            if (x->index >= 0)
                p->row[x->index] = 1;
    int32_t rows = 1; /* rows in index order, so a paragraph's sorted
                         features walk w forwards */
    for (int idx = 0; idx <= max; idx++)
        if (p->row[idx])
            p->row[idx] = rows++;
    p->w = calloc((size_t)pairs * (size_t)rows, sizeof *p->w);
    int *start = malloc((size_t)k * sizeof *start);
    if (!p->w || !start) {
        free(start);
        free(p->w);
        p->w = NULL;
        return 0;
    }
    start[0] = 0;
    for (int i = 1; i < k; i++)
        start[i] = start[i - 1] + m->nSV[i - 1];
    int pair = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, pair++) {
            double *w = p->w + pair; /* stride: pairs */
            /* libsvm: class i's SVs use coefficient row j-1, class j's
             * SVs row i (svm_predict_values). */
            for (int s = 0; s < m->nSV[i]; s++) {
                double c = m->sv_coef[j - 1][start[i] + s];
                for (const struct svm_node *x = m->SV[start[i] + s];
                     x->index != -1; x++)
                    if (x->index >= 0)
                        w[(size_t)p->row[x->index] * (size_t)pairs] +=
                            c * x->value;
            }
            for (int s = 0; s < m->nSV[j]; s++) {
                double c = m->sv_coef[i][start[j] + s];
                for (const struct svm_node *x = m->SV[start[j] + s];
                     x->index != -1; x++)
                    if (x->index >= 0)
                        w[(size_t)p->row[x->index] * (size_t)pairs] +=
                            c * x->value;
            }
        }
    free(start);
    return 1;
}

/* Prefetch distances in rk_pred_decision_values, in features. */
#define ROW_AHEAD 32
#define W_AHEAD 16

/* Feature idx's weights, one per class pair (row 0, all zeros, when no
 * support vector has it). */
static const double *weights_of(const rk_pred_t *p, int idx) {
    size_t row = idx >= 0 && idx <= p->max_index ? (size_t)p->row[idx] : 0;
    return p->w + row * (size_t)p->pairs;
}

double rk_pred_contribution(const rk_pred_t *p, int label, int idx, double v) {
    if (!p->w)
        return 0.0;
    const double *w = weights_of(p, idx);
    int k = p->nlabels, pair = 0;
    double sum = 0.0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, pair++) {
            double t = w[pair] * v;
            if (p->order[i] == label)
                sum += t; /* a positive decision value votes for class i */
            else if (p->order[j] == label)
                sum -= t;
        }
    return sum;
}

rk_err_t rk_pred_new(struct svm_model *model, const char *const *labels,
                     int nlabels, double threshold, rk_pred_t **out,
                     char *errstr, size_t errstr_size) {
    *out = NULL;
    rk_pred_t *p = calloc(1, sizeof *p);
    if (!p) {
        svm_free_and_destroy_model(&model);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    p->model = model;
    p->nlabels = nlabels;
    p->threshold = threshold;
    p->labels = calloc((size_t)nlabels, sizeof *p->labels);
    p->order = calloc((size_t)nlabels, sizeof *p->order);
    rk_err_t err =
        (p->labels && p->order)
            ? RK_OK
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err && (svm_get_nr_class(model) != nlabels || nlabels < 2 ||
                 !svm_check_probability_model(model)))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "the libsvm model has %d classes and %s probability "
                      "estimates; %d labels with probabilities are needed",
                      svm_get_nr_class(model),
                      svm_check_probability_model(model) ? "" : "no", nlabels);
    if (!err && !(threshold >= 0.0 && threshold <= 1.0))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "threshold %g is outside 0..1", threshold);
    if (!err) {
        int ids[RK_MAX_LABELS];
        svm_get_labels(model, nlabels <= RK_MAX_LABELS ? ids : NULL);
        for (int j = 0; j < nlabels && !err; j++) {
            if (nlabels > RK_MAX_LABELS || ids[j] < 0 || ids[j] >= nlabels)
                err =
                    rk_fail(RK_ERR_DATA, errstr, errstr_size,
                            "libsvm label %d is outside 0..%d",
                            nlabels > RK_MAX_LABELS ? -1 : ids[j], nlabels - 1);
            else
                p->order[j] = ids[j];
        }
    }
    for (int i = 0; !err && i < nlabels; i++)
        if (!(p->labels[i] = strdup(labels[i])))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err && !collapse_linear(p))
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (err) {
        rk_pred_destroy(p);
        return err;
    }
    *out = p;
    return RK_OK;
}

void rk_pred_destroy(rk_pred_t *p) {
    if (!p)
        return;
    svm_free_and_destroy_model(&p->model);
    for (int i = 0; p->labels && i < p->nlabels; i++)
        free(p->labels[i]);
    free(p->labels);
    free(p->order);
    free(p->w);
    free(p->row);
    free(p);
}

int rk_pred_nlabels(const rk_pred_t *p) {
    return p->nlabels;
}

const char *rk_pred_label(const rk_pred_t *p, int i) {
    return i >= 0 && i < p->nlabels ? p->labels[i] : NULL;
}

double rk_pred_threshold(const rk_pred_t *p) {
    return p->threshold;
}

const struct svm_model *rk_pred_svm(const rk_pred_t *p) {
    return p->model;
}

/* libsvm's sigmoid_predict (svm.cpp): Platt's sigmoid, written to avoid
 * cancellation. */
static double sigmoid_predict(double dec, double A, double B) {
    double fApB = dec * A + B;
    if (fApB >= 0)
        return exp(-fApB) / (1.0 + exp(-fApB));
    return 1.0 / (1 + exp(fApB));
}

/* libsvm's multiclass_probability (svm.cpp): pairwise coupling, method 2
 * of Wu, Lin and Weng, step for step so the results match libsvm's. */
static void multiclass_probability(int k,
                                   double r[RK_MAX_LABELS][RK_MAX_LABELS],
                                   double *p) {
    double Q[RK_MAX_LABELS][RK_MAX_LABELS], Qp[RK_MAX_LABELS], pQp,
        eps = 0.005 / k;
    int max_iter = k > 100 ? k : 100;
    for (int t = 0; t < k; t++) {
        p[t] = 1.0 / k;
        Q[t][t] = 0;
        for (int j = 0; j < t; j++) {
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = Q[j][t];
        }
        for (int j = t + 1; j < k; j++) {
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = -r[j][t] * r[t][j];
        }
    }
    for (int iter = 0; iter < max_iter; iter++) {
        pQp = 0;
        for (int t = 0; t < k; t++) {
            Qp[t] = 0;
            for (int j = 0; j < k; j++)
                Qp[t] += Q[t][j] * p[j];
            pQp += p[t] * Qp[t];
        }
        double max_error = 0;
        for (int t = 0; t < k; t++) {
            double error = fabs(Qp[t] - pQp);
            if (error > max_error)
                max_error = error;
        }
        if (max_error < eps)
            break;
        for (int t = 0; t < k; t++) {
            double diff = (-Qp[t] + pQp) / Q[t][t];
            p[t] += diff;
            pQp = (pQp + diff * (diff * Q[t][t] + 2 * Qp[t])) / (1 + diff) /
                  (1 + diff);
            for (int j = 0; j < k; j++) {
                Qp[j] = (Qp[j] + diff * Q[t][j]) / (1 + diff);
                p[j] /= (1 + diff);
            }
        }
    }
}

int rk_pred_is_fast(const rk_pred_t *p) {
    return p->w != NULL;
}

void rk_pred_decision_values(const rk_pred_t *p, const struct svm_node *x,
                             double *dec) {
    const struct svm_model *m = p->model;
    if (!p->w) {
        svm_predict_values(m, x, dec);
        return;
    }
    for (int q = 0; q < p->pairs; q++)
        dec[q] = 0.0;
    size_t n = 0;
    while (x[n].index != -1)
        n++;
    for (size_t i = 0; i < n; i++) {
        /* A feature's row number (a table the size of the space) and then
         * its row (in megabytes of weights) miss the cache for most
         * features: fetch the number ROW_AHEAD features ahead and the row
         * W_AHEAD ahead, once its number is in. The sums are the same, in
         * the same order. */
        if (i + ROW_AHEAD < n) {
            int ahead = x[i + ROW_AHEAD].index;
            if (ahead >= 0 && ahead <= p->max_index)
                __builtin_prefetch(&p->row[ahead]);
        }
        if (i + W_AHEAD < n) {
            const double *ahead = weights_of(p, x[i + W_AHEAD].index);
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + p->pairs - 1);
        }
        const double *w = weights_of(p, x[i].index);
        for (int q = 0; q < p->pairs; q++)
            dec[q] += w[q] * x[i].value;
    }
    for (int q = 0; q < p->pairs; q++)
        dec[q] -= m->rho[q];
}

/* Probabilities in libsvm's internal class order, as
 * svm_predict_probability computes them. */
static void fast_probability(const rk_pred_t *p, const struct svm_node *x,
                             double *out) {
    const struct svm_model *m = p->model;
    int k = m->nr_class;
    double dec[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2],
        r[RK_MAX_LABELS][RK_MAX_LABELS], min_prob = 1e-7;
    rk_pred_decision_values(p, x, dec);
    int q = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, q++) {
            double v = sigmoid_predict(dec[q], m->probA[q], m->probB[q]);
            v = v < min_prob ? min_prob : v;
            r[i][j] = v > 1 - min_prob ? 1 - min_prob : v;
            r[j][i] = 1 - r[i][j];
        }
    if (k == 2) {
        out[0] = r[0][1];
        out[1] = r[1][0];
    } else {
        multiclass_probability(k, r, out);
    }
}

int rk_pred_score_with(const rk_pred_t *p, const struct svm_node *x,
                       int use_libsvm, double *probs, int *top) {
    double raw[RK_MAX_LABELS];
    if (p->w && !use_libsvm)
        fast_probability(p, x, raw);
    else
        svm_predict_probability(p->model, x, raw);
    int best = 0;
    double sum = 0;
    for (int j = 0; j < p->nlabels; j++)
        probs[p->order[j]] = raw[j], sum += raw[j];
    /* The header's promise: probabilities over the labels sum to 1. */
    assert(fabs(sum - 1.0) < 1e-6);
    (void)sum;
    for (int i = 1; i < p->nlabels; i++)
        if (probs[i] > probs[best])
            best = i;
    *top = probs[best] >= p->threshold ? best : -1;
    return best;
}

int rk_pred_score(const rk_pred_t *p, const struct svm_node *x, double *probs,
                  int *top) {
    return rk_pred_score_with(p, x, 0, probs, top);
}
