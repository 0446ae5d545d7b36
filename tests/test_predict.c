/*
 * test_predict.c - the fast linear path against libsvm itself, on every
 * labelled sample with the shipped model: decision values within 1e-9 of
 * svm_predict_values and probabilities within 1e-6 of
 * svm_predict_probability. If this fails, the fast path scores something
 * other than the model that was trained.
 */
#include <math.h>
#include <string.h>

#include "models/labelled.h"
#include "models/model.h"
#include "testutil.h"

static rk_model_t *load_shipped(void) {
    char err[1024];
    rk_model_t *m = NULL;
    CHECK(rk_model_load("models/default.rkz", &m, err, sizeof err) == RK_OK,
          "the shipped model loads: %s", err);
    return m;
}

static void test_fast_path(void) {
    /* If it fails: the shipped model is scored by slow libsvm calls. */
    rk_model_t *m = load_shipped();
    if (!m)
        return;
    CHECK(rk_pred_is_fast(rk_model_pred(m)),
          "the shipped linear model takes the fast path");
    rk_model_destroy(m);
}

static void test_matches_libsvm(void) {
    /* If it fails: the fast path scores something other than the model. */
    char err[1024];
    rk_model_t *m = load_shipped();
    if (!m)
        return;
    const rk_pred_t *pred = rk_model_pred(m);
    rk_sample_set_t data = {0};
    rk_labelled_load("models/data/hand.jsonl", &data, err, sizeof err);
    rk_labelled_load("models/data/seed002_sections.jsonl", &data, err,
                     sizeof err);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    const struct svm_model *svm = rk_pred_svm(pred);
    int k = rk_pred_nlabels(pred), pairs = k * (k - 1) / 2;
    double worst_dec = 0, worst_prob = 0;
    size_t same_label = 0;
    for (size_t i = 0; i < data.count; i++) {
        const struct svm_node *x;
        int n, top_fast, top_slow;
        rk_vec_transform(rk_model_vec(m), ctx, data.items[i].text,
                         data.items[i].text_len, NULL, &x, &n, err, sizeof err);
        double fast[64 * 63 / 2], slow[64 * 63 / 2], pf[64], ps[64];
        rk_pred_decision_values(pred, x, fast);
        svm_predict_values(svm, x, slow);
        for (int q = 0; q < pairs; q++)
            if (fabs(fast[q] - slow[q]) > worst_dec)
                worst_dec = fabs(fast[q] - slow[q]);
        int bf = rk_pred_score_with(pred, x, 0, pf, &top_fast);
        int bs = rk_pred_score_with(pred, x, 1, ps, &top_slow);
        double sum = 0;
        for (int c = 0; c < k; c++) {
            sum += pf[c];
            if (fabs(pf[c] - ps[c]) > worst_prob)
                worst_prob = fabs(pf[c] - ps[c]);
        }
        CHECK(fabs(sum - 1) < 1e-9, "sample %zu: scores sum to 1 (%f)", i, sum);
        same_label += bf == bs && top_fast == top_slow;
    }
    CHECK(data.count > 600, "all %zu labelled samples were scored", data.count);
    CHECK(worst_dec <= 1e-9, "decision values within 1e-9 of libsvm (worst %g)",
          worst_dec);
    CHECK(worst_prob <= 1e-6, "probabilities within 1e-6 of libsvm (worst %g)",
          worst_prob);
    CHECK(same_label == data.count, "same label on every sample (%zu of %zu)",
          same_label, data.count);
    rk_vec_ctx_destroy(ctx);
    rk_labelled_free(&data);
    rk_model_destroy(m);
}

TEST_LIST = {{"fast_path", test_fast_path},
             {"matches_libsvm", test_matches_libsvm},
             {NULL, NULL}};
