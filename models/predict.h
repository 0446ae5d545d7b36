/*
 * predict.h - a sparse vector to class probabilities, a label and labels.
 *
 * An rk_pred_t owns a libsvm model trained with probability estimates on
 * labels 0..n-1 (the index of each label name) and the model's abstention
 * threshold. The top label is reported only when its probability is at or
 * over the threshold; every label at or over it is in the multi-label set.
 * An rk_pred_t is immutable and may be shared by threads.
 */
#ifndef RK_PREDICT_H
#define RK_PREDICT_H

#include <libsvm/svm.h>

#include "core/err.h"

typedef struct rk_pred_s rk_pred_t;

/* Takes ownership of model (also on failure). labels[i] names libsvm
 * label i; they are copied. */
rk_err_t rk_pred_new(struct svm_model *model, const char *const *labels,
                     int nlabels, double threshold, rk_pred_t **out,
                     char *errstr, size_t errstr_size);
void rk_pred_destroy(rk_pred_t *pred);

int rk_pred_nlabels(const rk_pred_t *pred);
const char *rk_pred_label(const rk_pred_t *pred, int i);
double rk_pred_threshold(const rk_pred_t *pred);
const struct svm_model *rk_pred_svm(const rk_pred_t *pred);

/* Scores x: probs[i] (nlabels of them, summing to 1) for label i; *top is
 * the best label's index, or -1 when its probability is under the
 * threshold. Returns the best label's index whatever the threshold. */
int rk_pred_score(const rk_pred_t *pred, const struct svm_node *x,
                  double *probs, int *top);

/* Linear models are collapsed at load time into one weight per feature
 * and class pair, and scored in one pass over the paragraph's features,
 * then through libsvm's own sigmoid and pairwise-coupling steps; the
 * results match svm_predict_values within 1e-9 and
 * svm_predict_probability within 1e-6 (tests/test_predict.c). Other
 * kernels are scored by libsvm. */
int rk_pred_is_fast(const rk_pred_t *pred);

/* The pairwise decision values, in libsvm's order (as svm_predict_values). */
void rk_pred_decision_values(const rk_pred_t *pred, const struct svm_node *x,
                             double *dec);

/* rk_pred_score, choosing the path: use_libsvm forces
 * svm_predict_probability (for comparisons and benchmarks). */
int rk_pred_score_with(const rk_pred_t *pred, const struct svm_node *x,
                       int use_libsvm, double *probs, int *top);

/* How much feature idx with value v pushes a paragraph toward label:
 * the sum over label's pairwise classifiers of the feature's signed term
 * in the decision value. Exact for linear models; 0 for other kernels. */
double rk_pred_contribution(const rk_pred_t *pred, int label, int idx,
                            double v);

#endif
