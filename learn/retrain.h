/*
 * retrain.h - one retraining decision of `rakiza learn`: a candidate
 * trained with the current model's settings on the trusted base set plus
 * the streamed labels, judged against the current model's procedure on
 * the same grouped folds of the base set (judge.h for the rule).
 *
 * The sets, for a current model M, base samples B and streamed samples S
 * (latest per key, labels.h):
 *   - a streamed sample whose normalised text equals a base sample's
 *     replaces it: that base sample leaves B (and so the judging folds);
 *     the rest of B is the judging set J;
 *   - "new" streamed samples are those whose digest (label and normalised
 *     text) is not in M's list of training digests (meta
 *     training.sample_digests, written by rk_retrain_set_digests; a model
 *     without the list knows no streamed sample); the others are "known";
 *   - J is cut into K grouped folds (models/folds.h; K = M's cv.folds,
 *     fewer when J has fewer cross-validation groups, labelled.h). In
 *     fold f the current side trains on J's other folds plus the known
 *     samples, the candidate on the same plus the new ones; both predict
 *     fold f. New samples train, they never judge.
 * Training is rk_train with M's settings (kernel, scheme, class weights,
 * C or the grid, the abstention bound, folds, seed and vectoriser
 * settings, from its metadata), so it is deterministic: the same M, B and
 * S reach the same decision. With no new sample nothing is trained and
 * the decision is to keep M.
 */
#ifndef RK_LEARN_RETRAIN_H
#define RK_LEARN_RETRAIN_H

#include <jansson.h>
#include <stddef.h>

#include "models/labelled.h"
#include "models/model.h"
#include "models/train.h"

typedef struct rk_retrain_result_s {
    int promoted;
    char reason[512];
    json_t *candidate_eval; /* rk_eval_json of the pooled folds; NULL when
                               nothing was trained */
    json_t *current_eval;
    rk_model_t *candidate; /* trained on J plus S, only when promoted */
    size_t n;              /* samples judged (J) */
    size_t new_labels;
    size_t trainings; /* models trained for this decision */
} rk_retrain_result_t;

void rk_retrain_result_clear(rk_retrain_result_t *r);

/* M's training settings: *conf (with *vec, which the caller frees with
 * rk_vec_conf_destroy, as conf->vec) from m's metadata. */
rk_err_t rk_retrain_conf(const rk_model_t *m, rk_train_conf_t *conf,
                         rk_vec_conf_t **vec, char *errstr, size_t errstr_size);

/* A sample's digest: FNV-1a 64 of its label, a NUL and its normalised
 * text, as 16 hex digits. */
rk_err_t rk_retrain_digest(const rk_sample_t *s, char out[17], char *errstr,
                           size_t errstr_size);

/* Writes the sorted digests of data into m's metadata
 * (training.sample_digests: one string of 16-digit digests). */
rk_err_t rk_retrain_set_digests(rk_model_t *m, const rk_sample_set_t *data,
                                char *errstr, size_t errstr_size);

/* Whether a sample with this digest is in m's training list. */
int rk_retrain_known(const rk_model_t *m, const char digest[17]);

/* How many of streamed are new to m. */
rk_err_t rk_retrain_count_new(const rk_model_t *m,
                              const rk_sample_set_t *streamed, size_t *out,
                              char *errstr, size_t errstr_size);

/* The decision (see above) into *out (zeroed first; the caller clears it).
 * tolerance as in judge.h. */
rk_err_t rk_retrain_decide(const rk_model_t *current,
                           const rk_sample_set_t *base,
                           const rk_sample_set_t *streamed, double tolerance,
                           rk_retrain_result_t *out, char *errstr,
                           size_t errstr_size);

#endif
