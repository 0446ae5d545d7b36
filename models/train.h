/*
 * train.h - training a model from labelled samples with libsvm.
 *
 * Cross-validation is honest first: the headline scores come from folds
 * grouped by source (folds.h: no group - a document, a resolution, a web
 * page - on both sides of a split), with paragraph-level stratified folds
 * reported beside them. In every fold the vectoriser's IDF is fitted on
 * the training part only, so no held-out text leaks in.
 *
 * The classifier is libsvm's one-vs-one (train.scheme ovo, the default:
 * it scored 0.004 to 0.017 higher in grouped cross-validation on the
 * project's data, README) or one-vs-rest (ovr: a binary libsvm model per
 * label). Its probabilities come from Platt sigmoids (calibrate.h) fitted
 * on the grouped cross-validation's held-out decision values (a column
 * those do not rank, A >= 0, on the paragraph-level ones), not from
 * libsvm's internal 5-fold cross-validation (-b 1), which is never run.
 * A linear model is stored collapsed to one weight vector per decision
 * value (collapse.h), so the bundle does not grow with the training set.
 * With train.grid, C (and gamma for rbf) is chosen by grouped
 * cross-validated macro-F1 of the top label. The abstention threshold is
 * chosen for a stated coverage: among thresholds in steps of
 * RK_TRAIN_THRESHOLD_STEP whose grouped-CV abstention rate is at most
 * train.max_abstain, the one with the best macro-F1 (abstentions counted
 * wrong unless the truth is `none`; ties go to the lower threshold).
 *
 * The work - vectorising each fold, its kernel matrix, each binary
 * problem - runs on train.threads threads (core/pool.h); the result does
 * not depend on their number. Deterministic for a given seed.
 */
#ifndef RK_TRAIN_H
#define RK_TRAIN_H

#include <stdio.h>

#include "core/settings.h"
#include "models/labelled.h"
#include "models/model.h"

#define RK_TRAIN_THRESHOLD_STEP 0.01
#define RK_TRAIN_MAX_THREADS 64

typedef enum { RK_KERNEL_LINEAR, RK_KERNEL_RBF } rk_kernel_t;

/* The settings rows of rk_train_settings fill; the rest is set by hand. */
typedef struct rk_train_conf_s {
    int folds;          /* train.folds: 2..100 */
    unsigned seed;      /* train.seed */
    int kernel;         /* train.kernel: an rk_kernel_t */
    double C;           /* train.c: used when grid is off */
    double gamma;       /* train.gamma: rbf only; 0 means 1 / features */
    int grid;           /* train.grid */
    int scheme;         /* train.scheme: an rk_scheme_t */
    double max_abstain; /* train.max_abstain: 0..1 */
    int class_weights;  /* train.class_weights */
    int threads;        /* train.threads: 0 means the online CPUs, at most
                           RK_TRAIN_MAX_THREADS */
    const rk_vec_conf_t
        *vec; /* vectoriser settings (borrowed); NULL: defaults */
    /* When not NULL (borrowed), the headline cross-validation is written
     * to it, one line per sample in data order:
     * index<TAB>group<TAB>fold<TAB>lang<TAB>true label<TAB>prediction,
     * the prediction being the held-out one at the chosen threshold and
     * its field empty when the model abstains (tabs and line breaks in a
     * group are written as spaces). Another program can train on the very
     * same folds (bench/bench_quality.py). */
    FILE *cv_out;
    /* Called as work advances (done of total steps, one call at a time,
     * maybe from another thread); may be NULL. */
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

/* Trains on data. On success *out is the model; its metadata holds the
 * grouped cross-validation's scores under "cv" (in the `eval --json`
 * form, with coverage, risk_coverage, the groups per language, the grid
 * and the threshold rule) and the paragraph-level ones under
 * "cv_paragraph". When the data has fewer groups than folds, "cv" is
 * paragraph-level and says so ("kind"), and there is no "cv_paragraph". */
rk_err_t rk_train(const rk_sample_set_t *data, const rk_train_conf_t *conf,
                  rk_model_t **out, char *errstr, size_t errstr_size);

#endif
