/*
 * test_predict.c - prediction against libsvm itself, and collapsed linear
 * models against the support vectors they came from.
 *
 * On every labelled sample: the fast linear path of the shipped model
 * (one-vs-rest) and of the one-vs-one model shipped before it
 * (tests/data/models/ovo-default-a996a4d.rkz) gives decision values
 * within 1e-9 of libsvm's svm_predict_values and probabilities within
 * 1e-6 of those computed from libsvm's; the old model still gives the
 * scores it gave when it shipped; a linear libsvm model collapsed to one
 * weight vector per decision value decides as its support vectors do. If
 * this fails, the fast path scores something other than the model that
 * was trained, or an upgrade changed what a deployed model says.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "models/collapse.h"
#include "models/labelled.h"
#include "models/model.h"
#include "models/svm_text.h"
#include "testutil.h"
#include "text/segment.h"

#define OLD_MODEL "tests/data/models/ovo-default-a996a4d"

static rk_model_t *load(const char *path) {
    char err[1024];
    rk_model_t *m = NULL;
    CHECK(rk_model_load(path, &m, err, sizeof err) == RK_OK, "%s loads: %s",
          path, err);
    return m;
}

static void test_fast_path(void) {
    /* If it fails: the shipped model is scored by slow libsvm calls. */
    rk_model_t *m = load("models/default.rkz"), *old = load(OLD_MODEL ".rkz");
    CHECK(m && rk_pred_is_fast(rk_model_pred(m)),
          "the shipped linear model takes the fast path");
    CHECK(old && rk_pred_is_fast(rk_model_pred(old)) &&
              rk_pred_scheme(rk_model_pred(old)) == RK_SCHEME_OVO,
          "so does the one-vs-one model shipped before it");
    rk_model_destroy(m);
    rk_model_destroy(old);
}

/* libsvm's own decision values: svm_predict_values of the one model
 * (one-vs-one) or of each label's (one-vs-rest, positive for the label). */
static void libsvm_values(const rk_pred_t *pred, const struct svm_node *x,
                          double *dec) {
    if (rk_pred_scheme(pred) == RK_SCHEME_OVO) {
        svm_predict_values(rk_pred_svm(pred, 0), x, dec);
        return;
    }
    for (int c = 0; c < rk_pred_nsvm(pred); c++) {
        const struct svm_model *m = rk_pred_svm(pred, c);
        int ids[2];
        svm_get_labels(m, ids);
        svm_predict_values(m, x, &dec[c]);
        dec[c] *= ids[0] == 1 ? 1 : -1;
    }
}

/* web: the web corpus's samples too (libsvm scoring a model of 626
 * support vectors over all of them takes long). */
static void matches_libsvm(const char *path, int web) {
    char err[1024];
    rk_model_t *m = load(path);
    if (!m)
        return;
    const rk_pred_t *pred = rk_model_pred(m);
    rk_sample_set_t data = {0};
    rk_labelled_load("models/data/hand.jsonl", &data, err, sizeof err);
    rk_labelled_load("models/data/seed002_sections.jsonl", &data, err,
                     sizeof err);
    if (web)
        rk_labelled_load("models/data/web.jsonl", &data, err, sizeof err);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    int k = rk_pred_nlabels(pred), ndec = rk_pred_ndec(pred);
    double worst_dec = 0, worst_prob = 0, worst_sum = 0;
    size_t same_label = 0;
    for (size_t i = 0; i < data.count; i++) {
        const struct svm_node *x;
        int n, top_fast, top_slow;
        rk_vec_transform(rk_model_vec(m), ctx, data.items[i].text,
                         data.items[i].text_len, NULL, &x, &n, err, sizeof err);
        double fast[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2],
            slow[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2], pf[RK_MAX_LABELS],
            ps[RK_MAX_LABELS];
        rk_pred_decision_values(pred, x, fast);
        libsvm_values(pred, x, slow);
        for (int q = 0; q < ndec; q++)
            worst_dec = fmax(worst_dec, fabs(fast[q] - slow[q]));
        int bf = rk_pred_score_with(pred, x, 0, pf, &top_fast);
        int bs = rk_pred_score_with(pred, x, 1, ps, &top_slow);
        double sum = 0;
        for (int c = 0; c < k; c++) {
            sum += pf[c];
            worst_prob = fmax(worst_prob, fabs(pf[c] - ps[c]));
        }
        worst_sum = fmax(worst_sum, fabs(sum - 1));
        same_label += bf == bs && top_fast == top_slow;
    }
    CHECK(data.count > (web ? 1400u : 600u),
          "%s: all %zu labelled samples were scored", path, data.count);
    CHECK(worst_sum < 1e-9, "%s: scores sum to 1 (worst %g)", path, worst_sum);
    CHECK(worst_dec <= 1e-9,
          "%s: decision values within 1e-9 of libsvm (worst %g)", path,
          worst_dec);
    CHECK(worst_prob <= 1e-6,
          "%s: probabilities within 1e-6 of libsvm's (worst %g)", path,
          worst_prob);
    CHECK(same_label == data.count,
          "%s: same label on every sample (%zu of "
          "%zu)",
          path, same_label, data.count);
    rk_vec_ctx_destroy(ctx);
    rk_labelled_free(&data);
    rk_model_destroy(m);
}

static void test_matches_libsvm(void) {
    /* If it fails: the fast path scores something other than the model. */
    matches_libsvm("models/default.rkz", 1);
}

static void test_old_model_matches_libsvm(void) {
    /* If it fails: one-vs-one models (every bundle before one-vs-rest) are
     * scored unlike libsvm scores them. */
    matches_libsvm(OLD_MODEL ".rkz", 0);
}

static void test_old_model_scores_as_shipped(void) {
    /* If it fails: a deployed one-vs-one model gives other scores or labels
     * after an upgrade than it gave when it shipped. */
    rk_model_t *m = load(OLD_MODEL ".rkz");
    size_t len, rlen;
    char *doc = rk_test_read_seed("004", &len),
         *recs = rk_test_read_file(OLD_MODEL ".004.jsonl", &rlen), err[256];
    rk_seg_list_t paras = {0};
    CHECK(rk_seg_split(doc, len, &paras, err, sizeof err) == RK_OK, "%s", err);
    const rk_pred_t *pred = m ? rk_model_pred(m) : NULL;
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    size_t i = 0, differ = 0;
    for (char *line = strtok(recs, "\n"); pred && line;
         line = strtok(NULL, "\n")) {
        json_t *r = json_loads(line, 0, NULL);
        const char *type = json_string_value(json_object_get(r, "type"));
        if (type && !strcmp(type, "paragraph") && i < paras.count) {
            const rk_seg_para_t *p = &paras.items[i++];
            const struct svm_node *x;
            int n, top;
            double probs[RK_MAX_LABELS];
            rk_vec_transform(rk_model_vec(m), ctx, p->text, p->text_len,
                             p->lang, &x, &n, err, sizeof err);
            rk_pred_score(pred, x, probs, &top);
            json_t *scores = json_object_get(r, "scores"),
                   *label = json_object_get(r, "label");
            int same = top >= 0 ? json_is_string(label) &&
                                      !strcmp(json_string_value(label),
                                              rk_pred_label(pred, top))
                                : json_is_null(label);
            for (int c = 0; c < rk_pred_nlabels(pred); c++)
                same &= json_real_value(json_object_get(
                            scores, rk_pred_label(pred, c))) == probs[c];
            differ += !same;
        }
        json_decref(r);
    }
    CHECK(i == paras.count && i > 50 && differ == 0,
          "all %zu paragraphs of seed 004 get the label and the very scores "
          "(to the last bit) recorded when the model shipped (%zu differ)",
          i, differ);
    rk_vec_ctx_destroy(ctx);
    rk_seg_list_free(&paras);
    free(doc);
    free(recs);
    rk_model_destroy(m);
}

/* A libsvm problem of the first n hand samples vectorised (2^14): labels
 * 0..4 by label name, or 1/0 for label `one` against the rest. */
typedef struct problem_s {
    rk_sample_set_t data;
    rk_vec_t *vec;
    struct svm_node **x;
    double *y;
    size_t n;
} problem_t;

static int make_problem(problem_t *p, size_t n, const char *one) {
    static const char *const labels[] = {"capacity", "conditions",
                                         "human_rights", "none", "prevention"};
    char err[512] = "";
    memset(p, 0, sizeof *p);
    rk_vec_conf_t *conf = rk_vec_conf_new();
    rk_vec_conf_set(conf, "hash_bits", "14", err, sizeof err);
    CHECK(rk_labelled_load("models/data/hand.jsonl", &p->data, err,
                           sizeof err) == RK_OK &&
              p->data.count >= n * 3,
          "%s", err);
    rk_vec_new(conf, &p->vec, err, sizeof err);
    rk_vec_conf_destroy(conf);
    const char *texts[400];
    size_t lens[400];
    p->n = n;
    p->x = calloc(n, sizeof *p->x);
    p->y = calloc(n, sizeof *p->y);
    for (size_t i = 0; i < n; i++) { /* every 3rd: many groups and labels */
        texts[i] = p->data.items[3 * i].text;
        lens[i] = p->data.items[3 * i].text_len;
    }
    rk_vec_fit(p->vec, texts, lens, NULL, n, err, sizeof err);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    for (size_t i = 0; i < n; i++) {
        const rk_sample_t *s = &p->data.items[3 * i];
        const struct svm_node *x;
        int k;
        rk_vec_transform(p->vec, ctx, s->text, s->text_len, s->lang, &x, &k,
                         err, sizeof err);
        p->x[i] = malloc((size_t)(k + 1) * sizeof *x);
        memcpy(p->x[i], x, (size_t)(k + 1) * sizeof *x);
        for (int l = 0; l < 5; l++)
            if (!strcmp(s->label, labels[l]))
                p->y[i] = one ? !strcmp(s->label, one) : l;
    }
    rk_vec_ctx_destroy(ctx);
    return rk_test_case_failures() == 0;
}

static void free_problem(problem_t *p) {
    for (size_t i = 0; p->x && i < p->n; i++)
        free(p->x[i]);
    free(p->x);
    free(p->y);
    rk_vec_destroy(p->vec);
    rk_labelled_free(&p->data);
}

static void quiet(const char *s) {
    (void)s;
}

/* Trains a linear libsvm model (support vectors, not collapsed) on p,
 * collapses it, and compares decision values on every hand sample. */
static void collapsed_like_uncollapsed(problem_t *p, const char *what) {
    struct svm_problem prob = {(int)p->n, p->y, p->x};
    struct svm_parameter q;
    memset(&q, 0, sizeof q);
    q.svm_type = C_SVC;
    q.kernel_type = LINEAR;
    q.C = 1;
    q.cache_size = 50;
    q.eps = 1e-3;
    q.shrinking = 1;
    svm_set_print_string_function(quiet);
    struct svm_model *u = svm_train(&prob, &q);
    if (!u) {
        CHECK(0, "%s: libsvm trains", what);
        return;
    }
    int k = u->nr_class, pairs = k * (k - 1) / 2, dim = rk_vec_dim(p->vec);
    struct svm_node *w[10] = {NULL};
    double rho[10], *dense = calloc((size_t)dim + 1, sizeof *dense);
    char err[512] = "";
    CHECK(u->l > 20 && rk_collapse(u, rk_collapse_model_sv, u, dim, dense, w,
                                   rho, err, sizeof err) == RK_OK,
          "%s: %d support vectors collapse: %s", what, u ? u->l : 0, err);
    char *text = NULL;
    size_t len = 0;
    struct svm_model *c = NULL;
    CHECK(rk_svm_text_collapsed(k, u->label, (const struct svm_node **)w, rho,
                                NULL, NULL, &text, &len, err,
                                sizeof err) == RK_OK &&
              rk_svm_from_text(text, len, k, dim, 0, &c, err, sizeof err) ==
                  RK_OK,
          "%s: the collapsed model is libsvm text libsvm loads: %s", what, err);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    double worst_mem = 0, worst_text = 0;
    size_t labels_differ = 0;
    for (size_t i = 0; c && i < p->data.count; i++) {
        const rk_sample_t *s = &p->data.items[i];
        const struct svm_node *x;
        int nx;
        rk_vec_transform(p->vec, ctx, s->text, s->text_len, s->lang, &x, &nx,
                         err, sizeof err);
        double du[10], dc[10];
        double lu = svm_predict_values(u, x, du),
               lc = svm_predict_values(c, x, dc);
        labels_differ += lu != lc;
        for (int q2 = 0; q2 < pairs; q2++) {
            for (const struct svm_node *v = w[q2]; v->index != -1; v++)
                dense[v->index] = v->value;
            double d = -rho[q2];
            for (const struct svm_node *v = x; v->index != -1; v++)
                d += v->value * dense[v->index];
            for (const struct svm_node *v = w[q2]; v->index != -1; v++)
                dense[v->index] = 0;
            worst_mem = fmax(worst_mem, fabs(d - du[q2]));
            worst_text = fmax(worst_text, fabs(dc[q2] - du[q2]));
        }
    }
    CHECK(worst_mem <= 1e-9,
          "%s: the collapsed weights decide within 1e-9 of the support "
          "vectors on all %zu hand samples (worst %g)",
          what, p->data.count, worst_mem);
    CHECK(worst_text <= 1e-6 && labels_differ == 0,
          "%s: stored (weights to %d digits, as libsvm stores support "
          "vectors) within 1e-6 and the same label everywhere (worst %g, %zu "
          "labels differ)",
          what, RK_SVM_WEIGHT_DIGITS, worst_text, labels_differ);
    rk_vec_ctx_destroy(ctx);
    svm_free_and_destroy_model(&c);
    free(text);
    for (int q2 = 0; q2 < pairs; q2++)
        free(w[q2]);
    free(dense);
    svm_free_and_destroy_model(&u);
}

static void test_collapse_exact(void) {
    /* If it fails: a stored (collapsed) model decides otherwise than the
     * support vectors libsvm trained. */
    problem_t p;
    if (make_problem(&p, 150, NULL))
        collapsed_like_uncollapsed(&p, "5 classes, one-vs-one");
    free_problem(&p);
    if (make_problem(&p, 150, "prevention"))
        collapsed_like_uncollapsed(&p, "prevention against the rest");
    free_problem(&p);
}

TEST_LIST = {{"fast_path", test_fast_path},
             {"matches_libsvm", test_matches_libsvm},
             {"old_model_matches_libsvm", test_old_model_matches_libsvm},
             {"old_model_scores_as_shipped", test_old_model_scores_as_shipped},
             {"collapse_exact", test_collapse_exact},
             {NULL, NULL}};
