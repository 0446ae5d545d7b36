/*
 * predict.h - a sparse vector to class probabilities, a label and labels.
 *
 * An rk_pred_t owns a classifier over labels 0..n-1 (the index of each
 * label name) and the model's abstention threshold, in one of two schemes:
 *   one-vs-one   one libsvm model of n classes (labelled 0..n-1, in any
 *                internal order) with libsvm's pairwise probability
 *                estimates (probA/probB); its probabilities are libsvm's
 *                svm_predict_probability;
 *   one-vs-rest  n binary libsvm models, model i telling label i (libsvm
 *                label 1) from the rest (label 0), and each its Platt
 *                sigmoid (A_i, B_i); the probabilities are the clipped
 *                sigmoids of the n decision values divided by their sum
 *                (calibrate.h).
 * The top label is reported only when its probability is at or over the
 * threshold; every label at or over it is in the multi-label set. An
 * rk_pred_t is immutable and may be shared by threads.
 */
#ifndef RK_PREDICT_H
#define RK_PREDICT_H

#include <libsvm/svm.h>

#include "core/err.h"

typedef enum { RK_SCHEME_OVO, RK_SCHEME_OVR } rk_scheme_t;

typedef struct rk_pred_s rk_pred_t;

/* One-vs-one. Takes ownership of model (also on failure). labels[i] names
 * libsvm label i; they are copied. */
rk_err_t rk_pred_new(struct svm_model *model, const char *const *labels,
                     int nlabels, double threshold, rk_pred_t **out,
                     char *errstr, size_t errstr_size);

/* One-vs-rest. Takes ownership of models[0..nlabels-1] (also on failure;
 * the array itself stays the caller's); models[i] and (A[i], B[i]) are
 * label i's. */
rk_err_t rk_pred_new_ovr(struct svm_model **models, const double *A,
                         const double *B, const char *const *labels,
                         int nlabels, double threshold, rk_pred_t **out,
                         char *errstr, size_t errstr_size);
void rk_pred_destroy(rk_pred_t *pred);

rk_scheme_t rk_pred_scheme(const rk_pred_t *pred);
int rk_pred_nlabels(const rk_pred_t *pred);
const char *rk_pred_label(const rk_pred_t *pred, int i);
double rk_pred_threshold(const rk_pred_t *pred);

/* The libsvm models: one-vs-one has one (i = 0), one-vs-rest one per
 * label (i = the label's index). */
int rk_pred_nsvm(const rk_pred_t *pred);
const struct svm_model *rk_pred_svm(const rk_pred_t *pred, int i);

/* One-vs-rest: label i's sigmoid. */
void rk_pred_sigmoid(const rk_pred_t *pred, int i, double *A, double *B);

/* Scores x: probs[i] (nlabels of them, summing to 1) for label i; *top is
 * the best label's index, or -1 when its probability is under the
 * threshold. Returns the best label's index whatever the threshold. */
int rk_pred_score(const rk_pred_t *pred, const struct svm_node *x,
                  double *probs, int *top);

/* Linear models are collapsed at load time into one weight per feature
 * and decision value (class pair, or label for one-vs-rest), and scored
 * in one pass over the paragraph's features, then through the same
 * sigmoid and coupling steps as libsvm; the results match
 * svm_predict_values within 1e-9 and the probabilities computed from
 * libsvm's decision values within 1e-6 (tests/test_predict.c). Other
 * kernels are scored by libsvm. */
int rk_pred_is_fast(const rk_pred_t *pred);

/* How many decision values a paragraph gets: one per class pair
 * (one-vs-one, in libsvm's order) or one per label (one-vs-rest). */
int rk_pred_ndec(const rk_pred_t *pred);

/* The decision values (rk_pred_ndec of them): as svm_predict_values for
 * one-vs-one; label i's binary model's for one-vs-rest (positive: i). */
void rk_pred_decision_values(const rk_pred_t *pred, const struct svm_node *x,
                             double *dec);

/* rk_pred_score, choosing the path: use_libsvm forces libsvm's own
 * scoring (svm_predict_probability for one-vs-one, svm_predict_values for
 * each one-vs-rest model) for comparisons and benchmarks. */
int rk_pred_score_with(const rk_pred_t *pred, const struct svm_node *x,
                       int use_libsvm, double *probs, int *top);

/* How much feature idx with value v pushes a paragraph toward label: its
 * term in label's decision value (one-vs-rest), or the sum over label's
 * pairwise classifiers of its signed term (one-vs-one). Exact for linear
 * models; 0 for other kernels. */
double rk_pred_contribution(const rk_pred_t *pred, int label, int idx,
                            double v);

#endif
