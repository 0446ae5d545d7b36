/*
 * evaluate.h - scoring predictions against true labels, as `rakiza eval`
 * and cross-validation report them.
 *
 * Macro-F1 is over the labels present in the true labels, `none` excluded
 * when present. A prediction of NULL (the model abstained) counts as wrong
 * unless the true label is `none`; in the confusion matrix it is the
 * predicted label "null".
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

double rk_eval_accuracy(const rk_eval_t *ev);
double rk_eval_macro_f1(const rk_eval_t *ev);

/* The contract's `eval --json` object: accuracy, macro_f1, per_class,
 * confusion, per_lang, n. The caller owns the reference. */
json_t *rk_eval_json(const rk_eval_t *ev);

/* The same figures for people: per-class table, macro-F1 and accuracy,
 * per language, and the confusion matrix, written to out. */
void rk_eval_write_table(const rk_eval_t *ev, FILE *out);

/* Scores model m on every sample of data (each sample's text one
 * paragraph) into *out, which the caller destroys. progress, when not
 * NULL, is called after each sample. A sample that cannot be vectorised
 * is an error naming its source. */
rk_err_t
rk_eval_model(const rk_model_t *m, const rk_sample_set_t *data,
              void (*progress)(void *opaque, size_t done, size_t total),
              void *opaque, rk_eval_t **out, char *errstr, size_t errstr_size);

#endif
