/*
 * evaluate.h - scoring predictions against true labels, as `rakiza eval`
 * and cross-validation report them.
 *
 * Macro-F1 is over the labels present in the true labels, `none` excluded
 * when present. A prediction of NULL (the model abstained) counts as wrong
 * unless the true label is `none`; in the confusion matrix it is the
 * predicted label "null".
 *
 * Samples added with their scores (rk_eval_add_scored: the model's best
 * label whatever the threshold, and its probability) also give
 *   coverage        the share of samples given a label (not abstained),
 *                   and accuracy and macro-F1 over those alone;
 *   risk-coverage   for each share in RK_EVAL_COVERAGES, the accuracy and
 *                   macro-F1 of that share of the samples the model is
 *                   surest of (highest probability first, ties in the
 *                   order added), each labelled with its best label;
 * and the abstention threshold can be chosen for a stated coverage
 * (rk_eval_pick_threshold).
 */
#ifndef RK_EVALUATE_H
#define RK_EVALUATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

#include "models/labelled.h"
#include "models/model.h"

typedef struct rk_eval_s rk_eval_t;

rk_eval_t *rk_eval_new(void);
void rk_eval_destroy(rk_eval_t *ev);

/* Records one sample. pred may be NULL (abstained); lang may be NULL. */
int rk_eval_add(rk_eval_t *ev, const char *truth, const char *pred,
                const char *lang);

/* Records one scored sample: pred as for rk_eval_add (NULL when the model
 * abstained), best the model's top label whatever its threshold and conf
 * that label's probability. */
int rk_eval_add_scored(rk_eval_t *ev, const char *truth, const char *pred,
                       const char *best, double conf, const char *lang);

/* The shares of the risk-coverage table, most first, ending with 0. */
extern const double RK_EVAL_COVERAGES[];

/* The samples of a scored evaluation labelled again at threshold t: each
 * gets its best label when conf >= t, else abstains. NULL when out of
 * memory or when not every sample was scored. */
rk_eval_t *rk_eval_at_threshold(const rk_eval_t *scored, double t);

/* The share of samples the model abstained on. */
double rk_eval_abstain_rate(const rk_eval_t *ev);

/* The abstention threshold for a stated coverage: among t = 0, step,
 * 2 step, ... below 1 whose abstention rate is at most max_abstain, the
 * one with the best macro-F1 (abstentions counted wrong unless the truth
 * is none); ties go to the lower t. -1 when out of memory or not every
 * sample was scored. */
double rk_eval_pick_threshold(const rk_eval_t *scored, double max_abstain,
                              double step);

double rk_eval_accuracy(const rk_eval_t *ev);
double rk_eval_macro_f1(const rk_eval_t *ev);

/* The contract's `eval --json` object: accuracy, macro_f1, per_class,
 * confusion, per_lang, n; when every sample was scored also coverage
 * ({rate, n, accuracy, macro_f1}) and risk_coverage ([{coverage, n,
 * min_score, accuracy, macro_f1}, ...]). The caller owns the reference. */
json_t *rk_eval_json(const rk_eval_t *ev);

/* The same figures for people: per-class table, macro-F1 and accuracy,
 * per language, coverage and risk-coverage (when scored) and the
 * confusion matrix, written to out. */
void rk_eval_write_table(const rk_eval_t *ev, FILE *out);

/* Scores model m on every sample of data (each sample's text one
 * paragraph, added with its scores) into *out, which the caller destroys.
 * progress, when not NULL, is called after each sample. A sample that cannot be
 * vectorised is an error naming its source. */
rk_err_t
rk_eval_model(const rk_model_t *m, const rk_sample_set_t *data,
              void (*progress)(void *opaque, size_t done, size_t total),
              void *opaque, rk_eval_t **out, char *errstr, size_t errstr_size);

#endif
