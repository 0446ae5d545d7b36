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

/* The model as libsvm text; the caller frees *text. */
rk_err_t rk_svm_to_text(const struct svm_model *m, char **text, size_t *len,
                        char *errstr, size_t errstr_size);

/* Parses and validates text (of a model with nr_class classes labelled
 * 0..nr_class-1, probability estimates, features within 1..dim), then
 * loads it. The caller frees the model with svm_free_and_destroy_model. */
rk_err_t rk_svm_from_text(const char *text, size_t len, int nr_class, int dim,
                          struct svm_model **out, char *errstr,
                          size_t errstr_size);

#endif
