/*
 * retrain.c - see retrain.h. The folds' models are trained one after the
 * other with rk_train (each does its own inner cross-validation to choose
 * the threshold, and C when M used the grid), and their predictions on the
 * held-out fold are pooled into one evaluation per side.
 */
#include "learn/retrain.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"
#include "learn/judge.h"
#include "learn/labels.h"
#include "models/evaluate.h"
#include "models/folds.h"
#include "text/normalize.h"

#define DIGEST_HEX 16

void rk_retrain_result_clear(rk_retrain_result_t *r) {
    json_decref(r->candidate_eval);
    json_decref(r->current_eval);
    rk_model_destroy(r->candidate);
    memset(r, 0, sizeof *r);
}

static int json_int_or(json_t *v, int def) {
    return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

rk_err_t rk_retrain_conf(const rk_model_t *m, rk_train_conf_t *conf,
                         rk_vec_conf_t **vec, char *errstr, size_t n) {
    json_t *meta = rk_model_meta(m), *cv = json_object_get(meta, "cv");
    *conf = rk_train_conf_default();
    *vec = rk_vec_conf_new();
    if (!*vec)
        return rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    const char *key;
    json_t *v;
    rk_err_t err = RK_OK;
    json_object_foreach(json_object_get(meta, "vectorizer"), key, v) {
        if (!err && json_is_string(v))
            err = rk_vec_conf_set(*vec, key, json_string_value(v), errstr, n);
    }
    conf->folds = json_int_or(json_object_get(cv, "folds"), conf->folds);
    conf->seed =
        (unsigned)json_int_or(json_object_get(cv, "seed"), (int)conf->seed);
    const char *kernel = json_string_value(json_object_get(meta, "kernel"));
    if (!err && kernel)
        err = rk_train_conf_set(conf, "train.kernel", kernel, errstr, n);
    if (json_is_number(json_object_get(meta, "C")))
        conf->C = json_number_value(json_object_get(meta, "C"));
    if (json_is_number(json_object_get(meta, "gamma")))
        conf->gamma = json_number_value(json_object_get(meta, "gamma"));
    conf->grid = json_array_size(json_object_get(cv, "grid")) > 1;
    const char *scheme = json_string_value(json_object_get(meta, "scheme"));
    if (!err && scheme)
        err = rk_train_conf_set(conf, "train.scheme", scheme, errstr, n);
    json_t *weights = json_object_get(meta, "class_weights");
    if (json_is_boolean(weights))
        conf->class_weights = json_is_true(weights);
    json_t *abstain = json_object_get(cv, "max_abstain");
    if (json_is_number(abstain))
        conf->max_abstain = json_number_value(abstain);
    conf->vec = *vec;
    if (err) {
        char inner[512];
        snprintf(inner, sizeof inner, "%s", errstr);
        rk_fail(err, errstr, n, "model %s's settings: %s", rk_model_id(m),
                inner);
    }
    return err;
}

/* A sample's text as digests see it: normalised, invalid UTF-8 replaced. */
static rk_err_t normalised(rk_norm_t *nm, const rk_sample_t *s, const char **t,
                           size_t *len, char *errstr, size_t n) {
    rk_norm_opts_t opts = rk_norm_opts_default();
    opts.replace_invalid = 1;
    return rk_norm_text(nm, &opts, s->text, s->text_len, t, len, errstr, n);
}

static rk_err_t digest_with(rk_norm_t *nm, const rk_sample_t *s,
                            char out[DIGEST_HEX + 1], char *errstr, size_t n) {
    const char *t;
    size_t len;
    rk_err_t err = normalised(nm, s, &t, &len, errstr, n);
    if (err)
        return err;
    uint64_t h = rk_fnv1a(RK_FNV_OFFSET, s->label, strlen(s->label) + 1);
    h = rk_fnv1a(h, t, len);
    snprintf(out, DIGEST_HEX + 1, "%016llx", (unsigned long long)h);
    return RK_OK;
}

/* The FNV-1a 64 of a sample's normalised text alone (to match texts). */
static rk_err_t text_key(rk_norm_t *nm, const rk_sample_t *s, uint64_t *out,
                         char *errstr, size_t n) {
    const char *t;
    size_t len;
    rk_err_t err = normalised(nm, s, &t, &len, errstr, n);
    if (!err)
        *out = rk_fnv1a(RK_FNV_OFFSET, t, len);
    return err;
}

rk_err_t rk_retrain_digest(const rk_sample_t *s, char out[17], char *errstr,
                           size_t n) {
    rk_norm_t *nm = NULL;
    rk_err_t err = rk_norm_new(&nm, errstr, n);
    if (!err)
        err = digest_with(nm, s, out, errstr, n);
    rk_norm_destroy(nm);
    return err;
}

static int cmp_digest(const void *a, const void *b) {
    return memcmp(a, b, DIGEST_HEX);
}

rk_err_t rk_retrain_set_digests(rk_model_t *m, const rk_sample_set_t *data,
                                char *errstr, size_t n) {
    char *all = malloc(data->count * DIGEST_HEX + 1);
    rk_norm_t *nm = NULL;
    rk_err_t err = all ? rk_norm_new(&nm, errstr, n)
                       : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    for (size_t i = 0; !err && i < data->count; i++) {
        char d[DIGEST_HEX + 1];
        err = digest_with(nm, &data->items[i], d, errstr, n);
        memcpy(all + i * DIGEST_HEX, d, DIGEST_HEX);
    }
    rk_norm_destroy(nm);
    if (!err) {
        qsort(all, data->count, DIGEST_HEX, cmp_digest);
        all[data->count * DIGEST_HEX] = '\0';
        json_t *training = json_object_get(rk_model_meta(m), "training");
        if (!json_is_object(training) ||
            json_object_set_new(training, "sample_digests", json_string(all)))
            err = rk_fail(RK_ERR_DATA, errstr, n,
                          "model %s: no training object in its metadata",
                          rk_model_id(m));
    }
    free(all);
    return err;
}

int rk_retrain_known(const rk_model_t *m, const char digest[17]) {
    json_t *training = json_object_get(rk_model_meta(m), "training");
    const char *all =
        json_string_value(json_object_get(training, "sample_digests"));
    if (!all)
        return 0;
    size_t count = strlen(all) / DIGEST_HEX;
    return bsearch(digest, all, count, DIGEST_HEX, cmp_digest) != NULL;
}

/* known[i]: streamed sample i is in m's training list. */
static rk_err_t mark_known(const rk_model_t *m, const rk_sample_set_t *s,
                           int *known, size_t *new_count, char *errstr,
                           size_t n) {
    rk_norm_t *nm = NULL;
    rk_err_t err = rk_norm_new(&nm, errstr, n);
    *new_count = 0;
    for (size_t i = 0; !err && i < s->count; i++) {
        char d[DIGEST_HEX + 1];
        err = digest_with(nm, &s->items[i], d, errstr, n);
        known[i] = !err && rk_retrain_known(m, d);
        *new_count += !err && !known[i];
    }
    rk_norm_destroy(nm);
    return err;
}

rk_err_t rk_retrain_count_new(const rk_model_t *m, const rk_sample_set_t *s,
                              size_t *out, char *errstr, size_t n) {
    int *known = malloc((s->count + 1) * sizeof *known);
    rk_err_t err = known ? mark_known(m, s, known, out, errstr, n)
                         : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    free(known);
    return err;
}

/* ---- the judging set and its folds ------------------------------------ */

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* J: the base samples whose normalised text no streamed sample has. */
static rk_err_t judging_set(const rk_sample_set_t *base,
                            const rk_sample_set_t *streamed, rk_sample_set_t *J,
                            char *errstr, size_t n) {
    uint64_t *keys = malloc((streamed->count + 1) * sizeof *keys);
    rk_norm_t *nm = NULL;
    rk_err_t err = keys ? rk_norm_new(&nm, errstr, n)
                        : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    for (size_t i = 0; !err && i < streamed->count; i++)
        err = text_key(nm, &streamed->items[i], &keys[i], errstr, n);
    if (!err)
        qsort(keys, streamed->count, sizeof *keys, cmp_u64);
    for (size_t i = 0; !err && i < base->count; i++) {
        uint64_t k;
        err = text_key(nm, &base->items[i], &k, errstr, n);
        if (!err && !bsearch(&k, keys, streamed->count, sizeof k, cmp_u64) &&
            !rk_sample_set_push(J, &base->items[i]))
            err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    rk_norm_destroy(nm);
    free(keys);
    return err;
}

/* Grouped folds of J (models/folds.h): fold_of[i] in 0..K-1; returns K,
 * at most folds and fewer when J has fewer groups; with one group the
 * samples are dealt one by one. 0 with errstr on failure. */
static int judging_folds(const rk_sample_set_t *J, int folds, unsigned seed,
                         int *fold_of, char *errstr, size_t n) {
    const char **names = malloc((J->count + 1) * sizeof *names);
    int *group = malloc((J->count + 1) * sizeof *group);
    int K = 0;
    if (names && group) {
        for (size_t i = 0; i < J->count; i++)
            names[i] =
                J->items[i].group ? J->items[i].group : J->items[i].source;
        int ng = rk_folds_intern(J->count, names, group);
        K = ng < 0 ? 0 : ng < 2 ? folds : ng < folds ? ng : folds;
        if (ng >= 2 && rk_folds_grouped(J->count, group, ng, K, seed, fold_of,
                                        errstr, n) != RK_OK)
            K = 0;
        for (size_t i = 0; ng >= 0 && ng < 2 && i < J->count; i++)
            fold_of[i] = (int)(i % (size_t)K);
    }
    if (!K && (!names || !group))
        rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    free(names);
    free(group);
    return K;
}

/* ---- training and scoring ---------------------------------------------- */

/* Trains on train, predicts J's fold f into ev. */
static rk_err_t train_and_score(const rk_sample_set_t *train,
                                const rk_train_conf_t *conf,
                                const rk_sample_set_t *J, const int *fold_of,
                                int f, rk_eval_t *ev, char *errstr, size_t n) {
    rk_model_t *m = NULL;
    rk_err_t err = rk_train(train, conf, &m, errstr, n);
    rk_vec_ctx_t *ctx = err ? NULL : rk_vec_ctx_new();
    if (!err && !ctx)
        err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    double probs[RK_MAX_LABELS];
    for (size_t i = 0; !err && i < J->count; i++) {
        if (fold_of[i] != f)
            continue;
        const rk_sample_t *s = &J->items[i];
        const struct svm_node *x;
        int k, top;
        err = rk_vec_transform(rk_model_vec(m), ctx, s->text, s->text_len,
                               s->lang, &x, &k, errstr, n);
        if (err)
            break;
        /* As rk_eval_model scores, into the pooled evaluation. */
        const rk_pred_t *pred = rk_model_pred(m);
        int best = rk_pred_score(pred, x, probs, &top);
        if (!rk_eval_add_scored(
                ev, s->label, top >= 0 ? rk_pred_label(pred, top) : NULL,
                rk_pred_label(pred, best), probs[best], s->lang))
            err = rk_fail(RK_ERR_LIMIT, errstr, n, "more than %d labels",
                          RK_MAX_LABELS);
    }
    rk_vec_ctx_destroy(ctx);
    rk_model_destroy(m);
    return err;
}

typedef struct sides_s {
    const rk_sample_set_t *J, *S;
    const int *known, *fold_of;
    const rk_train_conf_t *conf;
    rk_eval_t *cur, *cand;
} sides_t;

/* Fold f: the current side on J's other folds plus the known streamed
 * samples, the candidate on the same plus the new ones. */
static rk_err_t one_fold(const sides_t *x, int f, size_t *trainings,
                         char *errstr, size_t n) {
    rk_sample_set_t cur = {0}, cand = {0};
    int ok = 1;
    for (size_t i = 0; ok && i < x->J->count; i++)
        if (x->fold_of[i] != f)
            ok = rk_sample_set_push(&cur, &x->J->items[i]) &&
                 rk_sample_set_push(&cand, &x->J->items[i]);
    for (size_t i = 0; ok && i < x->S->count; i++)
        ok = (!x->known[i] || rk_sample_set_push(&cur, &x->S->items[i])) &&
             rk_sample_set_push(&cand, &x->S->items[i]);
    rk_err_t err =
        ok ? RK_OK : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    char inner[512];
    if (!err && (err = train_and_score(&cur, x->conf, x->J, x->fold_of, f,
                                       x->cur, inner, sizeof inner)))
        rk_fail(err, errstr, n, "fold %d, current model's procedure: %s", f + 1,
                inner);
    else if (!err)
        ++*trainings;
    if (!err && (err = train_and_score(&cand, x->conf, x->J, x->fold_of, f,
                                       x->cand, inner, sizeof inner)))
        rk_fail(err, errstr, n, "fold %d, candidate: %s", f + 1, inner);
    else if (!err)
        ++*trainings;
    free(cur.items);
    free(cand.items);
    return err;
}

/* The candidate for promotion: trained on J and every streamed sample,
 * carrying the digests of what it was trained on. */
static rk_err_t final_candidate(const rk_sample_set_t *J,
                                const rk_sample_set_t *S,
                                const rk_train_conf_t *conf, rk_model_t **out,
                                char *errstr, size_t n) {
    rk_sample_set_t all = {0};
    int ok = 1;
    for (size_t i = 0; ok && i < J->count; i++)
        ok = rk_sample_set_push(&all, &J->items[i]);
    for (size_t i = 0; ok && i < S->count; i++)
        ok = rk_sample_set_push(&all, &S->items[i]);
    rk_err_t err = ok ? rk_train(&all, conf, out, errstr, n)
                      : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err && (err = rk_retrain_set_digests(*out, &all, errstr, n))) {
        rk_model_destroy(*out);
        *out = NULL;
    }
    free(all.items);
    return err;
}

rk_err_t rk_retrain_decide(const rk_model_t *current,
                           const rk_sample_set_t *base,
                           const rk_sample_set_t *S, double tolerance,
                           rk_retrain_result_t *out, char *errstr, size_t n) {
    memset(out, 0, sizeof *out);
    rk_train_conf_t conf;
    rk_vec_conf_t *vec = NULL;
    rk_sample_set_t J = {0};
    int *known = malloc((S->count + 1) * sizeof *known);
    int *fold_of = malloc((base->count + 1) * sizeof *fold_of);
    rk_eval_t *ev_cur = rk_eval_new(), *ev_cand = rk_eval_new();
    rk_err_t err = known && fold_of && ev_cur && ev_cand
                       ? rk_retrain_conf(current, &conf, &vec, errstr, n)
                       : rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    if (!err)
        err = mark_known(current, S, known, &out->new_labels, errstr, n);
    if (!err)
        err = judging_set(base, S, &J, errstr, n);
    out->n = J.count;
    int K = 0;
    if (!err && out->new_labels == 0)
        snprintf(out->reason, sizeof out->reason,
                 "no new labels: every streamed label is in model %s's "
                 "training set",
                 rk_model_id(current));
    else if (!err && J.count < 2)
        err = rk_fail(RK_ERR_DATA, errstr, n,
                      "%zu base samples left to judge on; at least 2 needed",
                      J.count);
    else if (!err && !(K = judging_folds(&J, conf.folds, conf.seed, fold_of,
                                         errstr, n)))
        err = RK_ERR_DATA;
    sides_t x = {&J, S, known, fold_of, &conf, ev_cur, ev_cand};
    for (int f = 0; !err && out->new_labels && f < K; f++)
        err = one_fold(&x, f, &out->trainings, errstr, n);
    if (!err && out->new_labels) {
        out->current_eval = rk_eval_json(ev_cur);
        out->candidate_eval = rk_eval_json(ev_cand);
        if (!out->current_eval || !out->candidate_eval)
            err = rk_fail(RK_ERR_NOMEM, errstr, n, "out of memory");
    }
    if (!err && out->new_labels)
        out->promoted = rk_judge(out->candidate_eval, out->current_eval,
                                 tolerance, out->reason, sizeof out->reason);
    if (!err && out->promoted) {
        err = final_candidate(&J, S, &conf, &out->candidate, errstr, n);
        out->trainings += !err;
    }
    if (err)
        rk_retrain_result_clear(out);
    rk_eval_destroy(ev_cur);
    rk_eval_destroy(ev_cand);
    rk_vec_conf_destroy(vec);
    free(J.items);
    free(known);
    free(fold_of);
    return err;
}
