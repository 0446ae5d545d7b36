/*
 * predict.c - see predict.h. libsvm reports one-vs-one probabilities in
 * its internal class order (svm_get_labels); they are mapped back to label
 * indices.
 */
#include "models/predict.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "models/calibrate.h"

struct rk_pred_s {
    rk_scheme_t scheme;
    struct svm_model **models; /* one-vs-one: 1; one-vs-rest: nlabels */
    int nmodels;
    double *sig_a, *sig_b; /* one-vs-rest: label i's sigmoid */
    double *sign; /* one-vs-rest: +1 when model i's first libsvm label is 1
                     (its positive decision values are label i's), else -1 */
    char **labels;
    int nlabels;
    double threshold;
    int *order; /* order[j]: our label index of libsvm's j-th class (ovo) */
    /* Linear models only: the models collapsed to one weight per feature
     * and column, so scoring is one pass over the paragraph's features
     * instead of one per support vector. Columns are decision values: the
     * class pairs in libsvm's order (i < j over its internal classes) for
     * one-vs-one, the labels for one-vs-rest. Only features some support
     * vector has get weights: feature idx (0..max_index) has row row[idx]
     * of w, w[row * cols + col]; row 0 is all zeros, for the rest. The
     * table stays a few MB (a dense one, 2^hash_bits rows, was 21 MB and
     * missed the cache once vectorising had evicted it). */
    double *w, *rho;
    int32_t *row;
    int max_index, cols;
};

static int all_linear(const rk_pred_t *p) {
    for (int i = 0; i < p->nmodels; i++)
        if (p->models[i]->param.kernel_type != LINEAR)
            return 0;
    return 1;
}

/* Adds coef * sv to column col of w. */
static void add_sv(rk_pred_t *p, const struct svm_node *sv, double coef,
                   int col) {
    double *w = p->w + col; /* stride: cols */
    for (const struct svm_node *x = sv; x->index != -1; x++)
        if (x->index >= 0)
            w[(size_t)p->row[x->index] * (size_t)p->cols] += coef * x->value;
}

/* One-vs-one: each pair's weights from the support vectors of its two
 * classes (libsvm: class i's SVs use coefficient row j-1, class j's SVs
 * row i; svm_predict_values). */
static void collapse_pairs(rk_pred_t *p) {
    const struct svm_model *m = p->models[0];
    int k = m->nr_class, start[RK_MAX_LABELS], pair = 0;
    start[0] = 0;
    for (int i = 1; i < k; i++)
        start[i] = start[i - 1] + m->nSV[i - 1];
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, pair++) {
            for (int s = 0; s < m->nSV[i]; s++)
                add_sv(p, m->SV[start[i] + s], m->sv_coef[j - 1][start[i] + s],
                       pair);
            for (int s = 0; s < m->nSV[j]; s++)
                add_sv(p, m->SV[start[j] + s], m->sv_coef[i][start[j] + s],
                       pair);
            p->rho[pair] = m->rho[pair];
        }
}

/* One-vs-rest: label c's weights from its binary model's SVs. */
static void collapse_labels(rk_pred_t *p) {
    for (int c = 0; c < p->nmodels; c++) {
        const struct svm_model *m = p->models[c];
        for (int s = 0; s < m->l; s++)
            add_sv(p, m->SV[s], p->sign[c] * m->sv_coef[0][s], c);
        p->rho[c] = p->sign[c] * m->rho[0];
    }
}

/* Collapses linear models into row, w and rho (see the struct). Returns 0
 * when out of memory. */
static int collapse_linear(rk_pred_t *p) {
    if (!all_linear(p))
        return 1;
    int max = 0, k = p->nlabels;
    for (int i = 0; i < p->nmodels; i++)
        for (int s = 0; s < p->models[i]->l; s++)
            for (const struct svm_node *x = p->models[i]->SV[s]; x->index != -1;
                 x++)
                if (x->index > max)
                    max = x->index;
    p->max_index = max;
    p->cols = p->scheme == RK_SCHEME_OVO ? k * (k - 1) / 2 : k;
    p->row = calloc((size_t)max + 1, sizeof *p->row);
    p->rho = calloc((size_t)p->cols, sizeof *p->rho);
    if (!p->row || !p->rho)
        return 0;
    for (int i = 0; i < p->nmodels; i++)
        for (int s = 0; s < p->models[i]->l; s++)
            for (const struct svm_node *x = p->models[i]->SV[s]; x->index != -1;
                 x++)
                if (x->index >= 0)
                    p->row[x->index] = 1;
    int32_t rows = 1; /* rows in index order, so a paragraph's sorted
                         features walk w forwards */
    for (int idx = 0; idx <= max; idx++)
        if (p->row[idx])
            p->row[idx] = rows++;
    p->w = calloc((size_t)p->cols * (size_t)rows, sizeof *p->w);
    if (!p->w)
        return 0;
    if (p->scheme == RK_SCHEME_OVO)
        collapse_pairs(p);
    else
        collapse_labels(p);
    return 1;
}

/* Prefetch distances in rk_pred_decision_values, in features. */
#define ROW_AHEAD 32
#define W_AHEAD 16

/* Feature idx's weights, one per column (row 0, all zeros, when no
 * support vector has it). */
static const double *weights_of(const rk_pred_t *p, int idx) {
    size_t row = idx >= 0 && idx <= p->max_index ? (size_t)p->row[idx] : 0;
    return p->w + row * (size_t)p->cols;
}

double rk_pred_contribution(const rk_pred_t *p, int label, int idx, double v) {
    if (!p->w)
        return 0.0;
    const double *w = weights_of(p, idx);
    if (p->scheme == RK_SCHEME_OVR)
        return w[label] * v;
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

/* The parts both schemes share: labels, threshold, the fast path. */
static rk_err_t finish(rk_pred_t *p, const char *const *labels,
                       double threshold, char *errstr, size_t errstr_size) {
    p->threshold = threshold;
    if (!(threshold >= 0.0 && threshold <= 1.0))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "threshold %g is outside 0..1", threshold);
    if (!(p->labels = calloc((size_t)p->nlabels, sizeof *p->labels)))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (int i = 0; i < p->nlabels; i++)
        if (!(p->labels[i] = strdup(labels[i])))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!collapse_linear(p))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    return RK_OK;
}

/* libsvm's class order of a one-vs-one model into p->order. */
static rk_err_t ovo_order(rk_pred_t *p, char *errstr, size_t errstr_size) {
    const struct svm_model *model = p->models[0];
    int nlabels = p->nlabels, ids[RK_MAX_LABELS];
    if (svm_get_nr_class(model) != nlabels || nlabels < 2 ||
        !svm_check_probability_model(model))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "the libsvm model has %d classes and %s probability "
                       "estimates; %d labels with probabilities are needed",
                       svm_get_nr_class(model),
                       svm_check_probability_model(model) ? "" : "no", nlabels);
    svm_get_labels(model, nlabels <= RK_MAX_LABELS ? ids : NULL);
    for (int j = 0; j < nlabels; j++) {
        if (nlabels > RK_MAX_LABELS || ids[j] < 0 || ids[j] >= nlabels)
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "libsvm label %d is outside 0..%d",
                           nlabels > RK_MAX_LABELS ? -1 : ids[j], nlabels - 1);
        p->order[j] = ids[j];
    }
    return RK_OK;
}

rk_err_t rk_pred_new(struct svm_model *model, const char *const *labels,
                     int nlabels, double threshold, rk_pred_t **out,
                     char *errstr, size_t errstr_size) {
    *out = NULL;
    rk_pred_t *p = calloc(1, sizeof *p);
    struct svm_model **models = calloc(1, sizeof *models);
    if (!p || !models) {
        free(p);
        free(models);
        svm_free_and_destroy_model(&model);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    p->scheme = RK_SCHEME_OVO;
    p->models = models;
    p->models[0] = model;
    p->nmodels = 1;
    p->nlabels = nlabels;
    p->order = calloc((size_t)nlabels, sizeof *p->order);
    rk_err_t err =
        p->order ? ovo_order(p, errstr, errstr_size)
                 : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err)
        err = finish(p, labels, threshold, errstr, errstr_size);
    if (err) {
        rk_pred_destroy(p);
        return err;
    }
    *out = p;
    return RK_OK;
}

/* Checks label i's binary model and sigmoid, and notes its sign. */
static rk_err_t ovr_check(rk_pred_t *p, int i, char *errstr,
                          size_t errstr_size) {
    const struct svm_model *m = p->models[i];
    int ids[2];
    if (svm_get_nr_class(m) != 2)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "label %d's libsvm model has %d classes; a binary "
                       "model (labels 1 and 0) is needed",
                       i, svm_get_nr_class(m));
    svm_get_labels(m, ids);
    if (!((ids[0] == 1 && ids[1] == 0) || (ids[0] == 0 && ids[1] == 1)))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "label %d's libsvm model has labels %d and %d; 1 and "
                       "0 are needed",
                       i, ids[0], ids[1]);
    if (!isfinite(p->sig_a[i]) || !isfinite(p->sig_b[i]))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "label %d's sigmoid is not finite", i);
    p->sign[i] = ids[0] == 1 ? 1.0 : -1.0;
    return RK_OK;
}

rk_err_t rk_pred_new_ovr(struct svm_model **models, const double *A,
                         const double *B, const char *const *labels,
                         int nlabels, double threshold, rk_pred_t **out,
                         char *errstr, size_t errstr_size) {
    *out = NULL;
    rk_pred_t *p = calloc(1, sizeof *p);
    int n = nlabels > 0 ? nlabels : 1;
    if (p) {
        p->scheme = RK_SCHEME_OVR;
        p->nlabels = nlabels;
        p->models = calloc((size_t)n, sizeof *p->models);
        p->sig_a = calloc((size_t)n, sizeof *p->sig_a);
        p->sig_b = calloc((size_t)n, sizeof *p->sig_b);
        p->sign = calloc((size_t)n, sizeof *p->sign);
        p->order = calloc((size_t)n, sizeof *p->order);
    }
    if (!p || !p->models || !p->sig_a || !p->sig_b || !p->sign || !p->order) {
        rk_pred_destroy(p);
        for (int i = 0; i < nlabels; i++)
            svm_free_and_destroy_model(&models[i]);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    for (int i = 0; i < nlabels; i++) {
        p->models[i] = models[i];
        models[i] = NULL;
        p->sig_a[i] = A[i];
        p->sig_b[i] = B[i];
        p->order[i] = i;
    }
    p->nmodels = nlabels;
    rk_err_t err =
        nlabels < 2 || nlabels > RK_MAX_LABELS
            ? rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "%d labels; 2 to %d are needed", nlabels, RK_MAX_LABELS)
            : RK_OK;
    for (int i = 0; !err && i < nlabels; i++)
        err = ovr_check(p, i, errstr, errstr_size);
    if (!err)
        err = finish(p, labels, threshold, errstr, errstr_size);
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
    for (int i = 0; p->models && i < p->nmodels; i++)
        svm_free_and_destroy_model(&p->models[i]);
    free(p->models);
    for (int i = 0; p->labels && i < p->nlabels; i++)
        free(p->labels[i]);
    free(p->labels);
    free(p->order);
    free(p->sig_a);
    free(p->sig_b);
    free(p->sign);
    free(p->w);
    free(p->rho);
    free(p->row);
    free(p);
}

rk_scheme_t rk_pred_scheme(const rk_pred_t *p) {
    return p->scheme;
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

int rk_pred_nsvm(const rk_pred_t *p) {
    return p->nmodels;
}

const struct svm_model *rk_pred_svm(const rk_pred_t *p, int i) {
    return i >= 0 && i < p->nmodels ? p->models[i] : NULL;
}

void rk_pred_sigmoid(const rk_pred_t *p, int i, double *A, double *B) {
    int ok = p->scheme == RK_SCHEME_OVR && i >= 0 && i < p->nlabels;
    *A = ok ? p->sig_a[i] : 0.0;
    *B = ok ? p->sig_b[i] : 0.0;
}

int rk_pred_is_fast(const rk_pred_t *p) {
    return p->w != NULL;
}

int rk_pred_ndec(const rk_pred_t *p) {
    int k = p->nlabels;
    return p->scheme == RK_SCHEME_OVO ? k * (k - 1) / 2 : k;
}

/* Decision values from libsvm itself. */
static void libsvm_decision_values(const rk_pred_t *p, const struct svm_node *x,
                                   double *dec) {
    if (p->scheme == RK_SCHEME_OVO) {
        svm_predict_values(p->models[0], x, dec);
        return;
    }
    for (int c = 0; c < p->nmodels; c++) {
        double d;
        svm_predict_values(p->models[c], x, &d);
        dec[c] = p->sign[c] * d;
    }
}

void rk_pred_decision_values(const rk_pred_t *p, const struct svm_node *x,
                             double *dec) {
    if (!p->w) {
        libsvm_decision_values(p, x, dec);
        return;
    }
    for (int q = 0; q < p->cols; q++)
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
            __builtin_prefetch(ahead + p->cols - 1);
        }
        const double *w = weights_of(p, x[i].index);
        for (int q = 0; q < p->cols; q++)
            dec[q] += w[q] * x[i].value;
    }
    for (int q = 0; q < p->cols; q++)
        dec[q] -= p->rho[q];
}

int rk_pred_score_with(const rk_pred_t *p, const struct svm_node *x,
                       int use_libsvm, double *probs, int *top) {
    double raw[RK_MAX_LABELS], dec[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2];
    const struct svm_model *m = p->models[0];
    if (p->scheme == RK_SCHEME_OVR) {
        if (use_libsvm)
            libsvm_decision_values(p, x, dec);
        else
            rk_pred_decision_values(p, x, dec);
        rk_cal_ovr(p->nlabels, dec, p->sig_a, p->sig_b, raw);
    } else if (p->w && !use_libsvm) {
        /* as svm_predict_probability, in libsvm's internal class order */
        rk_pred_decision_values(p, x, dec);
        rk_cal_ovo(m->nr_class, dec, m->probA, m->probB, raw);
    } else {
        svm_predict_probability(m, x, raw);
    }
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
