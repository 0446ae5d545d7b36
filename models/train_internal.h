/*
 * train_internal.h - what the files of the trainer share: train.c (the
 * settings and the order of the work), train_split.c (a split's vectors
 * and kernel matrix), train_fit.c (one libsvm problem and what it gives:
 * held-out decision values, a collapsed weight vector, a stored text) and
 * train_report.c (the cross-validation figures). Included by nothing
 * else.
 *
 * A split is a training part and a held-out part: one per fold of each
 * cross-validation, and the whole data for the final model. Decision
 * values are "columns": one per label for one-vs-rest (positive: that
 * label), one per label pair a < b for one-vs-one (positive: a), in the
 * order (0,1), (0,2), ..., (k-2,k-1) of label indices.
 */
#ifndef RK_TRAIN_INTERNAL_H
#define RK_TRAIN_INTERNAL_H

#include <stddef.h>

#include "core/limits.h"
#include "models/evaluate.h"
#include "models/train.h"

/* Kernel-matrix tasks per split (row blocks dealt round-robin). */
#define RK_TRAIN_GRAM_TASKS 16

typedef struct split_s {
    int *train; /* samples trained on: by label index, then data order */
    size_t ntrain;
    int *test; /* held-out samples, in data order */
    size_t ntest;
    rk_vec_t *vec;       /* fitted on the training part */
    struct svm_node **x; /* every sample vectorised with vec (NULL: unused) */
    /* Linear kernel: libsvm's precomputed-kernel rows, row r (training
     * sample train[r]) at kx + r * (ntrain + 2): {0, r + 1}, then
     * {c + 1, x_r . x_c} for every c, then {-1, 0}. */
    struct svm_node *kx;
} split_t;

/* One choice of libsvm parameters tried. */
typedef struct param_s {
    double C, gamma;
} param_t;

typedef struct job_s {
    const rk_sample_set_t *data;
    const rk_train_conf_t *conf;
    const char *labels[RK_MAX_LABELS];
    int nlabels, ncols; /* ncols: decision values per sample */
    int *y;             /* label index per sample */
    int threads;
    size_t step, steps; /* progress */
} job_t;

/* The final model's trained parts, one per column (linear), or libsvm
 * models (rbf: one per label for one-vs-rest, one for one-vs-one). */
typedef struct fitted_s {
    struct svm_node *w[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2];
    double rho[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2];
    char *text[RK_MAX_LABELS]; /* rbf: each model's libsvm text */
    size_t len[RK_MAX_LABELS];
    double sign[RK_MAX_LABELS]; /* rbf one-vs-rest: +1 if libsvm's first
                                   label is 1 */
} fitted_t;

/* The column of label pair a < b among k labels. */
int rk_train_pair_col(int k, int a, int b);

/* train_split.c */
/* Sets the split's training and held-out parts from fold_of (test fold
 * f; f < 0: everything trains, nothing is held out). */
rk_err_t rk_train_split_init(const job_t *j, split_t *s, const int *fold_of,
                             int f, char *errstr, size_t errstr_size);
/* Fits the split's vectoriser on its training part and vectorises every
 * sample the split uses. */
rk_err_t rk_train_split_vectorise(const job_t *j, split_t *s, char *errstr,
                                  size_t errstr_size);
/* Allocates the kernel rows (linear kernel only). */
rk_err_t rk_train_split_alloc_gram(split_t *s, char *errstr,
                                   size_t errstr_size);
/* Fills the kernel rows of row blocks part, part + RK_TRAIN_GRAM_TASKS,
 * ... (train_split.c). */
rk_err_t rk_train_split_gram(const job_t *j, split_t *s, int part, char *errstr,
                             size_t errstr_size);
void rk_train_split_clear(split_t *s, size_t n);

/* train_fit.c */
/* Trains one libsvm problem of split s with parameters p: label `unit`
 * against the rest (one-vs-rest), or all labels (one-vs-one, unit 0).
 * Writes the held-out samples' decision values into dec[i * ncols + col]
 * (the columns this problem decides; a label pair absent from the
 * training part gets 0), and when fitted is not NULL its trained parts. */
rk_err_t rk_train_fit(const job_t *j, const split_t *s, param_t p, int unit,
                      double *dec, fitted_t *fitted, char *errstr,
                      size_t errstr_size);
/* The final model's libsvm texts from its trained parts and the sigmoids
 * (A, B per column). */
rk_err_t rk_train_texts(const job_t *j, fitted_t *fitted, int dim,
                        const double *A, const double *B, rk_model_svm_t *svm,
                        char *errstr, size_t errstr_size);
void rk_train_fitted_clear(fitted_t *f);

/* train_report.c */
/* Sigmoids fitted on held-out decision values dec (n x ncols): A, B per
 * column. */
void rk_train_sigmoids(const job_t *j, const double *dec, double *A, double *B);
/* A scored evaluation of held-out decision values under sigmoids A, B
 * (every sample with its best label, no threshold); NULL when out of
 * memory. */
rk_eval_t *rk_train_scored(const job_t *j, const double *dec, const double *A,
                           const double *B);
/* Writes the cross-validation of held-out decision values dec under
 * sigmoids A, B with folds fold_of at threshold t to out, as
 * train.h's cv_out says. RK_ERR_IO when it cannot be written. */
rk_err_t rk_train_write_cv(const job_t *j, const double *dec, const double *A,
                           const double *B, const int *fold_of, double t,
                           FILE *out, char *errstr, size_t errstr_size);
/* The data's groups per language: {"n", "per_lang": {lang: {"groups",
 * "n", "largest": {"group", "n"}}}}. */
json_t *rk_train_groups_json(const rk_sample_set_t *data);
/* The training data's description for the metadata: n, label_counts,
 * digest. */
json_t *rk_train_data_json(const job_t *j);

#endif
