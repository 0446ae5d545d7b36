/*
 * explain.c - see explain.h. Keeps the k strongest contributions in a
 * small array (k is small), so an explanation costs one pass over x.
 */
#include "classify/explain.h"

#include <stdlib.h>

typedef struct term_s {
    int idx;
    double weight;
} term_t;

struct rk_explain_s {
    int k;
    term_t *top;
};

rk_explain_t *rk_explain_new(int k) {
    if (k < 1)
        return NULL;
    rk_explain_t *e = calloc(1, sizeof *e);
    if (e && !(e->top = malloc((size_t)k * sizeof *e->top))) {
        free(e);
        return NULL;
    }
    if (e)
        e->k = k;
    return e;
}

int rk_explain_k(const rk_explain_t *e) {
    return e->k;
}

void rk_explain_destroy(rk_explain_t *e) {
    if (!e)
        return;
    free(e->top);
    free(e);
}

json_t *rk_explain_terms(rk_explain_t *e, const rk_model_t *model,
                         const rk_vec_ctx_t *vec_ctx, const struct svm_node *x,
                         int label) {
    const rk_pred_t *pred = rk_model_pred(model);
    int n = 0;
    for (; x->index != -1; x++) {
        double w = rk_pred_contribution(pred, label, x->index, x->value);
        if (w <= 0.0 || (n == e->k && w <= e->top[n - 1].weight))
            continue;
        int at = n < e->k ? n++ : n - 1; /* replace the weakest */
        while (at > 0 && e->top[at - 1].weight < w) {
            e->top[at] = e->top[at - 1];
            at--;
        }
        e->top[at] = (term_t){x->index, w};
    }
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const char *term = rk_vec_ctx_term(vec_ctx, e->top[i].idx);
        json_array_append_new(arr,
                              json_pack("{s:s,s:f}", "term", term ? term : "?",
                                        "weight", e->top[i].weight));
    }
    return arr;
}
