/*
 * svm_text.h - libsvm models to and from libsvm's own text format, in
 * memory. libsvm reads and writes models only by path, so the text goes
 * through an anonymous memory file (memfd); nothing touches the disk.
 *
 * rk_svm_from_text validates the text first (header fields, class and
 * support-vector counts, feature indices within 1..dim, finite numbers),
 * because libsvm's own loader trusts its input: a hostile bundle must be
 * refused here, not crash there.
 */
#ifndef RK_SVM_TEXT_H
#define RK_SVM_TEXT_H

#include <libsvm/svm.h>
#include <stddef.h>

#include "core/err.h"

/* Significant digits of a collapsed weight in the text. */
#define RK_SVM_WEIGHT_DIGITS 8

/* The model as libsvm text; the caller frees *text. */
rk_err_t rk_svm_to_text(const struct svm_model *m, char **text, size_t *len,
                        char *errstr, size_t errstr_size);

/* Parses and validates text (of a model with nr_class classes labelled
 * 0..nr_class-1, features within 1..dim, and probability estimates when
 * need_prob), then loads it. The caller frees the model with
 * svm_free_and_destroy_model. */
rk_err_t rk_svm_from_text(const char *text, size_t len, int nr_class, int dim,
                          int need_prob, struct svm_model **out, char *errstr,
                          size_t errstr_size);

/* A linear model collapsed to one support vector per decision value, as
 * libsvm text (what svm_save_model would write for it):
 *   k classes, libsvm labels label[0..k-1]; for each class pair q = (i, j),
 *   i < j in that order, the weight vector w[q] (svm_nodes ending with
 *   index -1, ascending indices) is one support vector of class i with
 *   coefficient 1 in row j-1 and 0 in the others, so libsvm's decision
 *   value for the pair is w[q].x - rho[q] exactly;
 *   probA/probB (k(k-1)/2 each) are written when not NULL.
 * A binary model (k = 2) is one support vector: w[0].x - rho[0], positive
 * for label[0]. Weights are written with RK_SVM_WEIGHT_DIGITS significant
 * digits (libsvm's own writer uses 8 for support vectors). The caller
 * frees *text. */
rk_err_t rk_svm_text_collapsed(int k, const int *label,
                               const struct svm_node *const *w,
                               const double *rho, const double *probA,
                               const double *probB, char **text, size_t *len,
                               char *errstr, size_t errstr_size);

#endif
