/*
 * test_train.c - training (models/train.h) on a small real labelled set:
 * the first 120 hand-labelled paragraphs of models/data/hand.jsonl (all
 * five labels, Arabic and English), 3 folds, a 2^14 feature space to keep
 * it quick. If these fail, `rakiza train` gives a different model for the
 * same data and seed, reports cross-validation numbers that are not
 * there, or trains on settings or data it should refuse.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/folds.h"
#include "models/labelled.h"
#include "models/train.h"
#include "testutil.h"

#define SUBSET 120

typedef struct fixture_s {
    rk_sample_set_t all;    /* hand.jsonl, owned */
    rk_sample_set_t subset; /* its first SUBSET rows (borrowed items) */
    rk_vec_conf_t *vec;
    rk_train_conf_t conf;
} fixture_t;

static int setup(fixture_t *f) {
    char err[512];
    memset(f, 0, sizeof *f);
    CHECK(rk_labelled_load("models/data/hand.jsonl", &f->all, err,
                           sizeof err) == RK_OK &&
              f->all.count >= SUBSET,
          "the hand labels load: %s", err);
    f->subset.items = f->all.items;
    f->subset.count = f->subset.cap =
        f->all.count < SUBSET ? f->all.count : SUBSET;
    f->vec = rk_vec_conf_new();
    CHECK(rk_vec_conf_set(f->vec, "hash_bits", "14", err, sizeof err) == RK_OK,
          "%s", err);
    f->conf = rk_train_conf_default();
    f->conf.folds = 3;
    f->conf.seed = 7;
    f->conf.vec = f->vec;
    return rk_test_case_failures() == 0;
}

static void teardown(fixture_t *f) {
    rk_labelled_free(&f->all);
    rk_vec_conf_destroy(f->vec);
}

static rk_model_t *train(const rk_sample_set_t *data,
                         const rk_train_conf_t *conf) {
    char err[512] = "";
    rk_model_t *m = NULL;
    CHECK(rk_train(data, conf, &m, err, sizeof err) == RK_OK && m,
          "%zu real samples train (%d folds, seed %u): %s", data->count,
          conf->folds, conf->seed, err);
    return m;
}

static double number(json_t *o, const char *key) {
    return json_number_value(json_object_get(o, key));
}

static void test_defaults(void) {
    /* If it fails: `rakiza train` without flags is not what the docs say. */
    rk_train_conf_t c = rk_train_conf_default();
    CHECK(c.folds == 5 && c.seed == 1 && c.kernel == RK_KERNEL_LINEAR &&
              c.C == 1.0 && c.gamma == 0.0 && !c.grid && !c.progress,
          "defaults: 5 folds, seed 1, linear, C = 1, no grid (got %d, %u, "
          "%d, %g, %g, %d)",
          c.folds, c.seed, (int)c.kernel, c.C, c.gamma, c.grid);
}

static void test_trains_and_describes(void) {
    /* If it fails: a trained model's labels or metadata misdescribe it. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_model_t *m = train(&f.subset, &f.conf);
    if (!m) {
        teardown(&f);
        return;
    }
    static const char *const labels[] = {"capacity", "conditions",
                                         "human_rights", "none", "prevention"};
    const rk_pred_t *pred = rk_model_pred(m);
    int same = rk_pred_nlabels(pred) == 5;
    for (int i = 0; same && i < 5; i++)
        same = !strcmp(rk_pred_label(pred, i), labels[i]);
    CHECK(same, "the model's labels are the data's five, sorted (%d)",
          rk_pred_nlabels(pred));
    CHECK(rk_pred_is_fast(pred), "a linear model takes the fast path");

    json_t *meta = rk_model_meta(m),
           *training = json_object_get(meta, "training");
    CHECK(json_integer_value(json_object_get(training, "n")) == SUBSET,
          "the metadata counts the %d training samples", SUBSET);
    json_t *lc = json_object_get(training, "label_counts"), *v;
    const char *label;
    json_int_t sum = 0;
    size_t wrong = 0;
    json_object_foreach(lc, label, v) {
        json_int_t n = 0;
        for (size_t i = 0; i < f.subset.count; i++)
            n += !strcmp(f.subset.items[i].label, label);
        wrong += json_integer_value(v) != n;
        sum += json_integer_value(v);
    }
    CHECK(json_object_size(lc) == 5 && wrong == 0 && sum == SUBSET,
          "label_counts are the data's, per label (%zu differ)", wrong);
    const char *digest = json_string_value(json_object_get(training, "digest"));
    CHECK(digest && !strncmp(digest, "fnv1a64:", 8) && strlen(digest) == 24,
          "the data's digest is recorded: %s", digest ? digest : "NULL");
    const char *kernel = json_string_value(json_object_get(meta, "kernel"));
    CHECK(kernel && !strcmp(kernel, "linear") && number(meta, "C") == 1.0,
          "kernel and C are recorded as trained");
    json_t *vs = json_object_get(meta, "vectorizer");
    const char *bits = json_string_value(json_object_get(vs, "hash_bits"));
    CHECK(bits && !strcmp(bits, "14") && rk_vec_dim(rk_model_vec(m)) == 1 << 14,
          "the vectoriser settings are recorded and used (hash_bits %s)",
          bits ? bits : "NULL");
    double t = number(meta, "threshold");
    CHECK(t >= 0 && t < 1 && fabs(t * 20 - round(t * 20)) < 1e-9 &&
              t == rk_pred_threshold(pred),
          "the threshold is a step of 0.05 in [0,1), the one scoring uses "
          "(%g)",
          t);
    rk_model_destroy(m);
    teardown(&f);
}

static void test_cv_scores(void) {
    /* If it fails: the model's reported quality is missing or impossible. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_model_t *m = train(&f.subset, &f.conf);
    if (!m) {
        teardown(&f);
        return;
    }
    json_t *cv = json_object_get(rk_model_meta(m), "cv");
    CHECK(json_is_object(cv), "cross-validation scores are in the metadata");
    json_t *f1 = json_object_get(cv, "macro_f1");
    double acc = number(cv, "accuracy");
    CHECK(json_is_number(f1) && json_number_value(f1) >= 0 &&
              json_number_value(f1) <= 1,
          "macro_f1 is a number in [0,1]: %g", json_number_value(f1));
    CHECK(acc >= 0 && acc <= 1 && json_number_value(f1) > 0.2,
          "accuracy in [0,1] (%g), and real labels learn something "
          "(macro_f1 %g over five labels)",
          acc, json_number_value(f1));
    CHECK(json_integer_value(json_object_get(cv, "folds")) == 3 &&
              json_integer_value(json_object_get(cv, "seed")) == 7 &&
              json_integer_value(json_object_get(cv, "n")) == SUBSET,
          "folds, seed and the number of samples scored are recorded");
    json_t *per_class = json_object_get(cv, "per_class");
    CHECK(json_object_size(per_class) == 5,
          "there is a score for each label (%zu)", json_object_size(per_class));
    json_t *grid = json_object_get(cv, "grid");
    CHECK(json_array_size(grid) == 1 &&
              number(json_array_get(grid, 0), "C") == 1.0,
          "without a grid, the one C tried is recorded");
    rk_model_destroy(m);
    teardown(&f);
}

static void test_deterministic(void) {
    /* If it fails: the same data and seed give a different model. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_model_t *a = train(&f.subset, &f.conf);
    rk_model_t *b = train(&f.subset, &f.conf);
    f.conf.seed = 8;
    rk_model_t *c = train(&f.subset, &f.conf);
    if (a && b && c) {
        CHECK(!strcmp(rk_model_id(a), rk_model_id(b)),
              "twice with seed 7: the same model id (%s, %s)", rk_model_id(a),
              rk_model_id(b));
        char *ja =
            json_dumps(json_object_get(rk_model_meta(a), "cv"), JSON_SORT_KEYS);
        char *jb =
            json_dumps(json_object_get(rk_model_meta(b), "cv"), JSON_SORT_KEYS);
        CHECK(ja && jb && !strcmp(ja, jb),
              "and the same cross-validation scores");
        free(ja);
        free(jb);
        CHECK(strcmp(rk_model_id(a), rk_model_id(c)),
              "the seed matters: seed 8 gives another model (%s)",
              rk_model_id(c));
    }
    rk_model_destroy(a);
    rk_model_destroy(b);
    rk_model_destroy(c);
    teardown(&f);
}

typedef struct progress_s {
    size_t calls, last, total, backwards;
} progress_t;

static void on_progress(void *opaque, size_t done, size_t total) {
    progress_t *p = opaque;
    p->backwards += done < p->last || (p->total && total != p->total);
    p->calls++;
    p->last = done;
    p->total = total;
}

static void test_progress(void) {
    /* If it fails: `rakiza train` shows progress that stalls or overshoots. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    progress_t p = {0};
    f.conf.progress = on_progress;
    f.conf.opaque = &p;
    rk_model_t *m = train(&f.subset, &f.conf);
    /* Per fold: vectorise, cross-validate; then the final model. */
    CHECK(p.calls == 7 && p.last == 7 && p.total == 7 && p.backwards == 0,
          "progress counts up to its total, 3 x 2 + 1 steps (%zu calls, "
          "last %zu of %zu)",
          p.calls, p.last, p.total);
    rk_model_destroy(m);
    teardown(&f);
}

static void test_scores_like_saved(void) {
    /* If it fails: a saved and reloaded model scores unlike the trained. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_model_t *m = train(&f.subset, &f.conf), *back = NULL;
    char path[4200], err[512] = "";
    snprintf(path, sizeof path, "%s/small.rkz", rk_test_tmpdir());
    CHECK(m && rk_model_save(m, path, err, sizeof err) == RK_OK &&
              rk_model_load(path, &back, err, sizeof err) == RK_OK,
          "the trained model saves and loads: %s", err);
    if (m && back) {
        CHECK(!strcmp(rk_model_id(m), rk_model_id(back)),
              "the id survives the round trip");
        rk_vec_ctx_t *c1 = rk_vec_ctx_new(), *c2 = rk_vec_ctx_new();
        size_t differ = 0;
        for (size_t i = 0; i < f.all.count; i++) {
            const rk_sample_t *s = &f.all.items[i];
            const struct svm_node *x, *y;
            int nx, ny, tx, ty;
            double px[64], py[64];
            rk_vec_transform(rk_model_vec(m), c1, s->text, s->text_len, s->lang,
                             &x, &nx, err, sizeof err);
            rk_vec_transform(rk_model_vec(back), c2, s->text, s->text_len,
                             s->lang, &y, &ny, err, sizeof err);
            rk_pred_score(rk_model_pred(m), x, px, &tx);
            rk_pred_score(rk_model_pred(back), y, py, &ty);
            int same = tx == ty;
            for (int l = 0; l < 5; l++)
                same &= fabs(px[l] - py[l]) < 1e-12;
            differ += !same;
        }
        CHECK(differ == 0,
              "on all %zu hand-labelled samples the reloaded model gives the "
              "same scores and label (%zu differ)",
              f.all.count, differ);
        rk_vec_ctx_destroy(c1);
        rk_vec_ctx_destroy(c2);
    }
    rk_model_destroy(m);
    rk_model_destroy(back);
    teardown(&f);
}

static void test_bad_settings(void) {
    /* If it fails: impossible fold counts start (or crash) a training run. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    static const int folds[] = {1, 0, -3, SUBSET + 1};
    static char sentinel; /* *out must be reset to NULL on refusal */
    for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++) {
        char err[512] = "";
        rk_model_t *m = (rk_model_t *)(void *)&sentinel;
        f.conf.folds = folds[i];
        CHECK(rk_train(&f.subset, &f.conf, &m, err, sizeof err) ==
                      RK_ERR_USAGE &&
                  !m && strstr(err, "folds") && strstr(err, "120"),
              "%d folds of %d samples are refused, naming the folds and the "
              "limit: %s",
              folds[i], SUBSET, err);
    }
    teardown(&f);
}

static void test_null_vectoriser_is_defaults(void) {
    /* If it fails: a caller leaving conf.vec NULL (the header says: the
     * defaults) crashes or trains with other settings than the defaults. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_sample_set_t few = f.subset;
    few.count = few.cap = 40;
    rk_vec_conf_t *defaults = rk_vec_conf_new();
    f.conf.vec = NULL;
    rk_model_t *a = train(&few, &f.conf);
    f.conf.vec = defaults;
    rk_model_t *b = train(&few, &f.conf);
    CHECK(a && b && !strcmp(rk_model_id(a), rk_model_id(b)),
          "vec NULL trains the same model as the default settings (%s, %s)",
          a ? rk_model_id(a) : "-", b ? rk_model_id(b) : "-");
    rk_model_destroy(a);
    rk_model_destroy(b);
    rk_vec_conf_destroy(defaults);
    teardown(&f);
}

static void test_single_label(void) {
    /* If it fails: a one-label data set trains a model that cannot choose. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_sample_set_t one = {0};
    one.items = malloc(f.all.count * sizeof *one.items);
    for (size_t i = 0; i < f.all.count && one.count < 40; i++)
        if (!strcmp(f.all.items[i].label, "prevention"))
            one.items[one.count++] = f.all.items[i];
    one.cap = one.count;
    char err[512] = "";
    rk_model_t *m = NULL;
    CHECK(one.count == 40 &&
              rk_train(&one, &f.conf, &m, err, sizeof err) == RK_ERR_DATA &&
              !m && strstr(err, "two labels") && strstr(err, "1"),
          "40 samples all labelled prevention are refused, saying two "
          "labels are needed and the data has 1: %s",
          err);
    free(one.items); /* the samples themselves belong to f.all */
    teardown(&f);
}

static void test_grouped_folds_deterministic(void) {
    /* If it fails: the same seed gives other folds, so a model cannot be
     * retrained to the same figures. */
    int group[200], a[200], b[200], c[200];
    for (int i = 0; i < 200; i++)
        group[i] = (i * 7) % 37;
    char err[256] = "";
    rk_folds_grouped(200, group, 37, 5, 1, a, err, sizeof err);
    rk_folds_grouped(200, group, 37, 5, 1, b, err, sizeof err);
    rk_folds_grouped(200, group, 37, 5, 2, c, err, sizeof err);
    CHECK(!memcmp(a, b, sizeof a), "seed 1 twice: the same folds");
    CHECK(memcmp(a, c, sizeof a), "seed 2: other folds");
}

static void test_grouped_folds_balanced(void) {
    /* If it fails: one fold holds far more samples than another, so some
     * models train on much less data than others. */
    enum { NG = 60, FOLDS = 5 };
    int size[NG], largest = 0, group[2000], fold[2000];
    size_t n = 0;
    uint64_t s = 12345;
    for (int g = 0; g < NG; g++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        size[g] = 1 + (int)((s >> 33) % 40); /* 1..40 samples */
        largest = size[g] > largest ? size[g] : largest;
        for (int k = 0; k < size[g]; k++)
            group[n++] = g;
    }
    char err[256] = "";
    CHECK(rk_folds_grouped(n, group, NG, FOLDS, 3, fold, err, sizeof err) ==
              RK_OK,
          "%s", err);
    size_t load[FOLDS] = {0}, lo = n, hi = 0;
    for (size_t i = 0; i < n; i++)
        load[fold[i]]++;
    for (int f = 0; f < FOLDS; f++) {
        lo = load[f] < lo ? load[f] : lo;
        hi = load[f] > hi ? load[f] : hi;
    }
    /* Largest groups first, each to the lightest fold: the folds differ
     * by at most the largest group. */
    CHECK(hi - lo <= (size_t)largest,
          "fold sizes %zu..%zu differ by at most the largest group, %d", lo, hi,
          largest);
}

static void test_grouped_folds_refused(void) {
    /* If it fails: fewer groups than folds leave a fold empty (or crash)
     * instead of saying so. */
    int group[10] = {0, 0, 0, 1, 1, 1, 1, 0, 1, 0}, fold[10];
    char err[256] = "";
    CHECK(rk_folds_grouped(10, group, 2, 3, 1, fold, err, sizeof err) ==
                  RK_ERR_DATA &&
              strstr(err, "2 groups") && strstr(err, "3 folds"),
          "2 groups for 3 folds are refused, naming both: %s", err);
}

TEST_LIST = {{"defaults", test_defaults},
             {"trains_and_describes", test_trains_and_describes},
             {"cv_scores", test_cv_scores},
             {"deterministic", test_deterministic},
             {"progress", test_progress},
             {"scores_like_saved", test_scores_like_saved},
             {"bad_settings", test_bad_settings},
             {"single_label", test_single_label},
             {"null_vectoriser_is_defaults", test_null_vectoriser_is_defaults},
             {"grouped_folds_deterministic", test_grouped_folds_deterministic},
             {"grouped_folds_balanced", test_grouped_folds_balanced},
             {"grouped_folds_refused", test_grouped_folds_refused},
             {NULL, NULL}};
