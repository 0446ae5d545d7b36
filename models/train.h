/*
 * train.h - training a model from labelled samples with libsvm.
 *
 * Stratified k-fold cross-validation (the vectoriser's IDF is fitted on
 * each fold's training part only, so no held-out text leaks in), class
 * weights inversely proportional to class frequency, probability
 * estimates, an optional grid over C (and gamma for rbf) chosen by
 * cross-validated macro-F1, and an abstention threshold chosen from the
 * cross-validated probabilities: the highest threshold whose macro-F1
 * (abstentions counted wrong unless the truth is `none`) stays within
 * RK_TRAIN_THRESHOLD_SLACK of the best. Deterministic for a given seed.
 */
#ifndef RK_TRAIN_H
#define RK_TRAIN_H

#include "core/settings.h"
#include "models/labelled.h"
#include "models/model.h"

#define RK_TRAIN_THRESHOLD_SLACK 0.01

typedef enum { RK_KERNEL_LINEAR, RK_KERNEL_RBF } rk_kernel_t;

/* The settings rows of rk_train_settings fill; the rest is set by hand. */
typedef struct rk_train_conf_s {
    int folds;     /* train.folds: 2..100 */
    unsigned seed; /* train.seed */
    int kernel;    /* train.kernel: an rk_kernel_t */
    double C;      /* train.c: used when grid is off */
    double gamma;  /* train.gamma: rbf only; 0 means 1 / features */
    int grid;      /* train.grid */
    const rk_vec_conf_t
        *vec; /* vectoriser settings (borrowed); NULL: defaults */
    /* Called as work advances (done of total steps); may be NULL. */
    void (*progress)(void *opaque, size_t done, size_t total);
    void *opaque;
} rk_train_conf_t;

/* Every training setting: key, type, range, default, description. */
extern const rk_setting_t rk_train_settings[];

/* Every default (see rk_train_settings); vec NULL means the default
 * vectoriser, progress NULL means none. */
rk_train_conf_t rk_train_conf_default(void);

/* Sets one training setting by key (rk_train_settings). */
rk_err_t rk_train_conf_set(rk_train_conf_t *conf, const char *key,
                           const char *value, char *errstr, size_t errstr_size);

/* Trains on data. On success *out is the model (cross-validation scores
 * in its metadata under "cv"). */
rk_err_t rk_train(const rk_sample_set_t *data, const rk_train_conf_t *conf,
                  rk_model_t **out, char *errstr, size_t errstr_size);

#endif
