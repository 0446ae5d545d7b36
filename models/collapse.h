/*
 * collapse.h - a linear libsvm model as weight vectors.
 *
 * A linear C-SVC model decides each class pair q by the sum over its
 * support vectors of coefficient x (sv . x), minus rho[q]. The sum is
 * w[q] . x with w[q] = sum of coefficient x sv: one weight vector per
 * decision value, however many support vectors there were. rakiza stores
 * linear models that way (svm_text.h: rk_svm_text_collapsed), so a bundle
 * grows with the feature space, not with the training set.
 *
 * The support vectors' feature vectors come from a callback: a model
 * trained on feature vectors has them in m->SV; one trained on a
 * precomputed kernel (as rakiza trains) names its training samples in
 * m->sv_indices and the caller maps them back to their vectors.
 */
#ifndef RK_COLLAPSE_H
#define RK_COLLAPSE_H

#include <libsvm/svm.h>

#include "core/err.h"

/* Support vector s's feature vector (ascending indices, index -1 last). */
typedef const struct svm_node *(*rk_collapse_sv_fn)(void *opaque, int s);

/* w[q] (k(k-1)/2 of them for k classes, libsvm's pair order; 1 for a
 * binary model, positive for m->label[0]) as malloc'd svm_node arrays of
 * the nonzero weights, ascending, index -1 last; rho[q] as the model's.
 * dense is scratch of dim + 1 zeros (feature indices 1..dim), left zeroed.
 * On failure nothing is left allocated. */
rk_err_t rk_collapse(const struct svm_model *m, rk_collapse_sv_fn sv,
                     void *opaque, int dim, double *dense, struct svm_node **w,
                     double *rho, char *errstr, size_t errstr_size);

/* The libsvm models' own vectors: rk_collapse's sv for a model trained on
 * feature vectors (opaque: the model). */
const struct svm_node *rk_collapse_model_sv(void *opaque, int s);

#endif
