/*
 * predict.c - see predict.h. libsvm reports probabilities in its internal
 * class order (svm_get_labels); they are mapped back to label indices.
 */
#include "predict.h"

#include <stdlib.h>
#include <string.h>

struct rk_pred_s {
    struct svm_model *model;
    char **labels;
    int nlabels;
    double threshold;
    int *order; /* order[j]: our label index of libsvm's j-th class */
    /* Linear models only: one weight vector per class pair, in libsvm's
     * pair order (i < j over internal classes), each over 0..max_index. */
    double *w;
    int max_index;
};

/* Collapses a linear model's support vectors into w (see the struct). */
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
    p->w = calloc((size_t)pairs * ((size_t)max + 1), sizeof *p->w);
    if (!p->w)
        return 0;
    int *start = malloc((size_t)k * sizeof *start);
    if (!start)
        return 0;
    start[0] = 0;
    for (int i = 1; i < k; i++)
        start[i] = start[i - 1] + m->nSV[i - 1];
    int pair = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, pair++) {
            double *w = p->w + (size_t)pair * ((size_t)max + 1);
            /* libsvm: class i's SVs use coefficient row j-1, class j's
             * SVs row i (svm_predict_values). */
            for (int s = 0; s < m->nSV[i]; s++) {
                double c = m->sv_coef[j - 1][start[i] + s];
                for (const struct svm_node *x = m->SV[start[i] + s];
                     x->index != -1; x++)
                    w[x->index] += c * x->value;
            }
            for (int s = 0; s < m->nSV[j]; s++) {
                double c = m->sv_coef[i][start[j] + s];
                for (const struct svm_node *x = m->SV[start[j] + s];
                     x->index != -1; x++)
                    w[x->index] += c * x->value;
            }
        }
    free(start);
    return 1;
}

double rk_pred_contribution(const rk_pred_t *p, int label, int idx,
                            double v) {
    if (!p->w || idx < 1 || idx > p->max_index)
        return 0.0;
    int k = p->nlabels, pair = 0;
    double sum = 0.0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, pair++) {
            double t = p->w[(size_t)pair * ((size_t)p->max_index + 1) +
                            (size_t)idx] *
                       v;
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
    rk_err_t err = (p->labels && p->order)
                       ? RK_OK
                       : rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                                 "out of memory");
    if (!err && (svm_get_nr_class(model) != nlabels || nlabels < 2 ||
                 !svm_check_probability_model(model)))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "the libsvm model has %d classes and %s probability "
                      "estimates; %d labels with probabilities are needed",
                      svm_get_nr_class(model),
                      svm_check_probability_model(model) ? "" : "no",
                      nlabels);
    if (!err && !(threshold >= 0.0 && threshold <= 1.0))
        err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "threshold %g is outside 0..1", threshold);
    if (!err) {
        int ids[64];
        svm_get_labels(model, nlabels <= 64 ? ids : NULL);
        for (int j = 0; j < nlabels && !err; j++) {
            if (nlabels > 64 || ids[j] < 0 || ids[j] >= nlabels)
                err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                              "libsvm label %d is outside 0..%d",
                              nlabels > 64 ? -1 : ids[j], nlabels - 1);
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

int rk_pred_score(const rk_pred_t *p, const struct svm_node *x,
                  double *probs, int *top) {
    double raw[64];
    svm_predict_probability(p->model, x, raw);
    int best = 0;
    for (int j = 0; j < p->nlabels; j++)
        probs[p->order[j]] = raw[j];
    for (int i = 1; i < p->nlabels; i++)
        if (probs[i] > probs[best])
            best = i;
    *top = probs[best] >= p->threshold ? best : -1;
    return best;
}
