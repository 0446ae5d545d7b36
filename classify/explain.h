/*
 * explain.h - why a paragraph got its label: the K features that pushed
 * it most toward that label, named readably (the word, stem bigram or
 * character n-gram behind each hashed feature) with their weights.
 *
 * A feature's weight is its contribution to the label's pairwise decision
 * values (predict.h); only features that push toward the label are listed.
 * Linear models only; for other kernels the list is empty.
 */
#ifndef RK_EXPLAIN_H
#define RK_EXPLAIN_H

#include <jansson.h>

#include "models/model.h"

typedef struct rk_explain_s rk_explain_t;

/* Per-thread scratch for explanations of k >= 1 terms; NULL when k < 1 or
 * out of memory. */
rk_explain_t *rk_explain_new(int k);
int rk_explain_k(const rk_explain_t *e);
void rk_explain_destroy(rk_explain_t *e);

/* [{"term": str, "weight": number}, ...], strongest first, for x as last
 * vectorised with vec_ctx, toward label. The caller owns the reference. */
json_t *rk_explain_terms(rk_explain_t *e, const rk_model_t *model,
                         const rk_vec_ctx_t *vec_ctx, const struct svm_node *x,
                         int label);

#endif
