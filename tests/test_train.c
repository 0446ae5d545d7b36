/*
 * test_train.c - training (models/train.h) and its folds (models/folds.h)
 * on a small real labelled set: every 5th hand-labelled paragraph of
 * models/data/hand.jsonl (120 of them: all five labels, Arabic and
 * English, from the four seed documents and 20-odd resolutions of seed
 * 003), 3 folds, a 2^14 feature space to keep it quick. If these fail,
 * `rakiza train` gives a different model for the same data and seed, lets
 * a document sit on both sides of a split, reports cross-validation
 * numbers that are not there, stores probabilities it does not compute,
 * or trains on settings or data it should refuse.
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/calibrate.h"
#include "models/folds.h"
#include "models/labelled.h"
#include "models/train.h"
#include "testutil.h"

#define SUBSET 120
#define EVERY 5

typedef struct fixture_s {
    rk_sample_set_t all;    /* hand.jsonl, owned */
    rk_sample_set_t subset; /* SUBSET rows, SUBSET / 5 per label (the
                               items are copies of all's: borrowed) */
    rk_vec_conf_t *vec;
    rk_train_conf_t conf;
} fixture_t;

static int setup(fixture_t *f) {
    char err[512] = "";
    memset(f, 0, sizeof *f);
    CHECK(rk_labelled_load("models/data/hand.jsonl", &f->all, err,
                           sizeof err) == RK_OK &&
              f->all.count > (SUBSET - 1) * EVERY,
          "the hand labels load: %s", err);
    /* Every EVERY-th row, at most SUBSET / 5 of each label, so the
     * subset keeps all five labels however the data grows (most of the
     * hand rows are `none`). */
    f->subset.items = calloc(SUBSET, sizeof *f->subset.items);
    static const char *const labels[] = {"capacity", "conditions",
                                         "human_rights", "none", "prevention"};
    size_t per[5] = {0};
    for (size_t k = 0; f->subset.items && k < EVERY; k++)
        for (size_t i = k; f->subset.count < SUBSET && i < f->all.count;
             i += EVERY)
            for (size_t l = 0; l < 5; l++)
                if (!strcmp(f->all.items[i].label, labels[l]) &&
                    per[l] < SUBSET / 5) {
                    per[l]++;
                    f->subset.items[f->subset.count++] = f->all.items[i];
                }
    f->subset.cap = f->subset.count;
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
    free(f->subset.items); /* the samples themselves belong to f->all */
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
    CHECK(c.scheme == RK_SCHEME_OVO && c.max_abstain == 0.1 &&
              c.class_weights == 1 && c.threads == 0,
          "defaults: one-vs-one, at most 10%% abstained, class weights, "
          "every CPU (got %d, %g, %d, %d)",
          c.scheme, c.max_abstain, c.class_weights, c.threads);
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
    CHECK(t >= 0 && t < 1 && fabs(t * 100 - round(t * 100)) < 1e-9 &&
              t == rk_pred_threshold(pred),
          "the threshold is a step of 0.01 in [0,1), the one scoring uses "
          "(%g)",
          t);
    const char *scheme = json_string_value(json_object_get(meta, "scheme"));
    CHECK(rk_pred_scheme(pred) == RK_SCHEME_OVO && scheme &&
              !strcmp(scheme, "ovo") && rk_pred_nsvm(pred) == 1 &&
              !json_object_get(meta, "sigmoids") &&
              json_integer_value(json_object_get(meta, "format")) == 1,
          "one-vs-one by default: one libsvm model with its pairwise "
          "probabilities, in the format every rakiza reads (1)");
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
    const char *kind = json_string_value(json_object_get(cv, "kind"));
    CHECK(kind && !strcmp(kind, "grouped"),
          "the headline figures are grouped cross-validation's (%s)",
          kind ? kind : "NULL");
    json_t *para = json_object_get(rk_model_meta(m), "cv_paragraph");
    kind = json_string_value(json_object_get(para, "kind"));
    CHECK(kind && !strcmp(kind, "paragraph") && number(para, "macro_f1") > 0 &&
              json_integer_value(json_object_get(para, "n")) == SUBSET,
          "paragraph-level figures sit beside them");
    json_t *cov = json_object_get(cv, "coverage");
    double rate = number(cov, "rate");
    CHECK(rate > 0 && rate <= 1 && 1 - rate <= f.conf.max_abstain + 1e-12,
          "coverage is reported, and the model abstains on no more than "
          "train.max_abstain in CV (coverage %g)",
          rate);
    json_t *rc = json_object_get(cv, "risk_coverage");
    static const double shares[] = {1.0, 0.95, 0.90, 0.80, 0.70};
    int rows_ok = json_array_size(rc) == 5;
    for (size_t i = 0; rows_ok && i < 5; i++) {
        json_t *row = json_array_get(rc, i);
        rows_ok = number(row, "coverage") == shares[i] &&
                  json_integer_value(json_object_get(row, "n")) ==
                      (json_int_t)(shares[i] * SUBSET + 0.5) &&
                  number(row, "accuracy") >= 0 && number(row, "macro_f1") >= 0;
    }
    CHECK(rows_ok, "a risk-coverage row for 100, 95, 90, 80 and 70%% of the "
                   "paragraphs, with their counts");
    json_t *groups = json_object_get(cv, "groups");
    json_t *ar = json_object_get(json_object_get(groups, "per_lang"), "ar");
    CHECK(json_integer_value(json_object_get(groups, "n")) >= 10 &&
              json_integer_value(json_object_get(ar, "groups")) >= 10 &&
              json_object_get(ar, "largest"),
          "the groups are counted, per language with the largest named");
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
    /* Per split - the 3 grouped folds, then the 3 paragraph-level folds
     * and the final model: vectorise, 16 parts of the kernel matrix, one
     * libsvm problem (one-vs-one). */
    size_t want = 3 * (1 + 16 + 1) + 4 * (1 + 16 + 1);
    CHECK(p.calls == want && p.last == want && p.total == want &&
              p.backwards == 0,
          "progress counts up to its total, one step per task, %zu (%zu "
          "calls, last %zu of %zu)",
          want, p.calls, p.last, p.total);
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

static void test_threads_do_not_matter(void) {
    /* If it fails: the same data and seed give another model on a machine
     * with another number of cores. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    f.conf.threads = 1;
    rk_model_t *a = train(&f.subset, &f.conf);
    f.conf.threads = 3;
    rk_model_t *b = train(&f.subset, &f.conf);
    CHECK(a && b && !strcmp(rk_model_id(a), rk_model_id(b)),
          "1 and 3 threads train the same model (%s, %s)",
          a ? rk_model_id(a) : "-", b ? rk_model_id(b) : "-");
    rk_model_destroy(a);
    rk_model_destroy(b);
    teardown(&f);
}

/* The group ids of a sample set (rk_folds_intern over their groups). */
static int group_ids(const rk_sample_set_t *d, int *gid) {
    const char **names = malloc(d->count * sizeof *names);
    for (size_t i = 0; i < d->count; i++)
        names[i] = d->items[i].group;
    int n = rk_folds_intern(d->count, names, gid);
    free(names);
    return n;
}

static void test_grouped_folds_no_leak(void) {
    /* If it fails: a document (or resolution, or web page) is trained on
     * and scored in the same fold, and the headline figure flatters. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    size_t n = f.subset.count;
    int gid[SUBSET], fold[SUBSET], ngroups = group_ids(&f.subset, gid);
    CHECK(ngroups >= 10, "the subset spans many groups (%d)", ngroups);
    char err[256] = "";
    CHECK(rk_folds_grouped(n, gid, ngroups, 3, 7, fold, err, sizeof err) ==
              RK_OK,
          "%s", err);
    size_t leaks = 0, per_fold[3] = {0};
    for (size_t i = 0; i < n; i++) {
        per_fold[fold[i]] += fold[i] >= 0 && fold[i] < 3;
        for (size_t t = 0; t < n; t++)
            leaks += gid[i] == gid[t] && fold[i] != fold[t];
    }
    CHECK(leaks == 0, "no group on both sides of a split (%zu pairs apart)",
          leaks);
    CHECK(per_fold[0] + per_fold[1] + per_fold[2] == n && per_fold[0] &&
              per_fold[1] && per_fold[2],
          "every sample is in one of 3 folds, none empty (%zu, %zu, %zu)",
          per_fold[0], per_fold[1], per_fold[2]);
    /* Seed 003's resolutions are groups of their own, not one document. */
    int r1 = -1, r2 = -1;
    for (size_t i = 0; i < n; i++)
        if (!strncmp(f.subset.items[i].group, "003:res-", 8))
            r1 < 0 ? (r1 = gid[i]) : (gid[i] != r1 ? (r2 = gid[i]) : 0);
    CHECK(r1 >= 0 && r2 >= 0,
          "seed 003's rows are grouped by resolution (003:res-44/N)");
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

static void test_few_groups_fall_back(void) {
    /* If it fails: data from one or two documents (a single TSV file is
     * one group) cannot be trained on at all, or its figures pose as
     * grouped ones. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    rk_sample_set_t two = {0};
    two.items = f.all.items; /* the first rows: seeds 000 and 002 */
    two.count = two.cap = 120;
    rk_model_t *m = train(&two, &f.conf);
    json_t *meta = m ? rk_model_meta(m) : NULL,
           *cv = json_object_get(meta, "cv");
    const char *kind = json_string_value(json_object_get(cv, "kind"));
    const char *note = json_string_value(json_object_get(cv, "note"));
    CHECK(kind && !strcmp(kind, "paragraph") && note &&
              strstr(note, "2 group(s)") &&
              !json_object_get(meta, "cv_paragraph"),
          "2 groups for 3 folds: paragraph-level folds, saying why (%s: %s)",
          kind ? kind : "-", note ? note : "-");
    rk_model_destroy(m);
    teardown(&f);
}

/* Label i's binary model as stored: its weights (dense, 2^14 + 1) and
 * rho, read from the libsvm text the bundle holds. */
static int read_binary(const char *text, double *w, double *rho) {
    const char *p = strstr(text, "\nrho ");
    const char *sv = strstr(text, "\nSV\n");
    if (!p || !sv || !strstr(text, "\nlabel 1 0\n") ||
        !strstr(text, "\ntotal_sv 1\n"))
        return 0;
    *rho = strtod(p + 5, NULL);
    char *end;
    p = sv + 4;
    if (strtod(p, &end) != 1.0) /* the coefficient */
        return 0;
    for (p = end; *p && *p != '\n';) {
        while (*p == ' ')
            p++;
        if (!*p || *p == '\n')
            break;
        long idx = strtol(p, &end, 10);
        if (end == p || *end != ':' || idx < 1 || idx > (1 << 14))
            return 0;
        w[idx] = strtod(end + 1, &end);
        p = end;
    }
    return 1;
}

static void test_ovr_probabilities(void) {
    /* If it fails: the scores in a record are not what the stored weights
     * and sigmoids give, so nobody can reproduce them (svm-predict, the
     * README's recipe), or they do not sum to 1. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    f.conf.scheme = RK_SCHEME_OVR;
    rk_model_t *m = train(&f.subset, &f.conf);
    if (!m) {
        teardown(&f);
        return;
    }
    const rk_pred_t *pred = rk_model_pred(m);
    int k = rk_pred_nlabels(pred);
    CHECK(rk_pred_scheme(pred) == RK_SCHEME_OVR && rk_pred_nsvm(pred) == 5 &&
              json_integer_value(json_object_get(rk_model_meta(m), "format")) ==
                  2,
          "train.scheme ovr: a binary model per label, meta format 2");
    double *w = calloc((size_t)k * ((1 << 14) + 1), sizeof *w), rho[8] = {0};
    double A[8] = {0}, B[8] = {0};
    json_t *sig = json_object_get(rk_model_meta(m), "sigmoids");
    int parsed = k == 5;
    for (int c = 0; parsed && c < k; c++) {
        size_t len;
        parsed = read_binary(rk_model_svm_text(m, c, &len),
                             w + (size_t)c * ((1 << 14) + 1), &rho[c]);
        A[c] = json_real_value(json_array_get(json_array_get(sig, c), 0));
        B[c] = json_real_value(json_array_get(json_array_get(sig, c), 1));
    }
    CHECK(parsed, "each label's stored model is one support vector w with "
                  "coefficient 1, its rho, libsvm labels 1 0");
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    double worst = 0, worst_sum = 0;
    for (size_t i = 0; parsed && i < f.all.count; i += 3) {
        const rk_sample_t *s = &f.all.items[i];
        const struct svm_node *x;
        int nx, top;
        char err[256];
        rk_vec_transform(rk_model_vec(m), ctx, s->text, s->text_len, s->lang,
                         &x, &nx, err, sizeof err);
        double probs[8], p[8], sum = 0, total = 0;
        rk_pred_score(pred, x, probs, &top);
        for (int c = 0; c < k; c++) {
            double dec = -rho[c];
            for (const struct svm_node *y = x; y->index != -1; y++)
                dec += w[(size_t)c * ((1 << 14) + 1) + (size_t)y->index] *
                       y->value;
            p[c] = 1 / (1 + exp(A[c] * dec + B[c])); /* Platt */
            p[c] = p[c] < 1e-7 ? 1e-7 : p[c] > 1 - 1e-7 ? 1 - 1e-7 : p[c];
            sum += p[c];
        }
        for (int c = 0; c < k; c++) {
            double d = fabs(p[c] / sum - probs[c]);
            worst = d > worst ? d : worst;
            total += probs[c];
        }
        worst_sum = fabs(total - 1) > worst_sum ? fabs(total - 1) : worst_sum;
    }
    CHECK(worst < 1e-9,
          "every probability is the label's clipped sigmoid of w.x - rho "
          "divided by their sum, as computed here from the stored text "
          "(worst difference %g)",
          worst);
    CHECK(worst_sum < 1e-12, "the probabilities sum to 1 (worst %g)",
          worst_sum);
    rk_vec_ctx_destroy(ctx);
    free(w);
    rk_model_destroy(m);
    teardown(&f);
}

static void test_ovo_scheme(void) {
    /* If it fails: train.scheme ovo trains something else than libsvm's
     * pairwise model, or its collapsed form scores unlike libsvm's own. */
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
    const rk_pred_t *pred = rk_model_pred(m);
    const struct svm_model *svm = rk_pred_svm(pred, 0);
    CHECK(rk_pred_scheme(pred) == RK_SCHEME_OVO && rk_pred_nsvm(pred) == 1 &&
              svm_get_nr_class(svm) == 5 && svm_get_nr_sv(svm) == 10 &&
              svm_check_probability_model(svm) && rk_pred_is_fast(pred),
          "one libsvm model of 5 classes, collapsed to one support vector "
          "per class pair (10), with pairwise probabilities");
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    double worst_dec = 0, worst_prob = 0;
    for (size_t i = 0; i < f.all.count; i += 3) {
        const rk_sample_t *s = &f.all.items[i];
        const struct svm_node *x;
        int nx, t1, t2;
        char err[256];
        rk_vec_transform(rk_model_vec(m), ctx, s->text, s->text_len, s->lang,
                         &x, &nx, err, sizeof err);
        double fast[10], slow[10], pf[5], ps[5];
        rk_pred_decision_values(pred, x, fast);
        svm_predict_values(svm, x, slow);
        for (int q = 0; q < 10; q++)
            worst_dec = fmax(worst_dec, fabs(fast[q] - slow[q]));
        rk_pred_score_with(pred, x, 0, pf, &t1);
        rk_pred_score_with(pred, x, 1, ps, &t2);
        for (int c = 0; c < 5; c++)
            worst_prob = fmax(worst_prob, fabs(pf[c] - ps[c]));
    }
    CHECK(worst_dec < 1e-9 && worst_prob < 1e-6,
          "the fast path matches svm_predict_values (%g) and "
          "svm_predict_probability (%g)",
          worst_dec, worst_prob);
    rk_vec_ctx_destroy(ctx);
    rk_model_destroy(m);
    teardown(&f);
}

static void test_max_abstain(void) {
    /* If it fails: the model abstains on more paragraphs than the stated
     * coverage allows. */
    fixture_t f;
    if (!setup(&f)) {
        teardown(&f);
        return;
    }
    f.conf.max_abstain = 0;
    rk_model_t *none = train(&f.subset, &f.conf);
    f.conf.max_abstain = 0.3;
    rk_model_t *some = train(&f.subset, &f.conf);
    if (none && some) {
        json_t *c0 = json_object_get(rk_model_meta(none), "cv"),
               *c1 = json_object_get(rk_model_meta(some), "cv");
        double r0 = number(json_object_get(c0, "coverage"), "rate"),
               r1 = number(json_object_get(c1, "coverage"), "rate");
        CHECK(r0 == 1.0 && rk_pred_threshold(rk_model_pred(none)) == 0.0,
              "train.max_abstain 0: no abstention in CV and threshold 0 "
              "(the lowest of the ties), coverage %g",
              r0);
        CHECK(1 - r1 <= 0.3 + 1e-12 &&
                  number(c1, "macro_f1") >= number(c0, "macro_f1"),
              "train.max_abstain 0.3: at most 30%% abstained (%g), and the "
              "chosen threshold scores at least as well as none",
              1 - r1);
    }
    rk_model_destroy(none);
    rk_model_destroy(some);
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

TEST_LIST = {{"defaults", test_defaults},
             {"trains_and_describes", test_trains_and_describes},
             {"cv_scores", test_cv_scores},
             {"deterministic", test_deterministic},
             {"progress", test_progress},
             {"scores_like_saved", test_scores_like_saved},
             {"bad_settings", test_bad_settings},
             {"single_label", test_single_label},
             {"null_vectoriser_is_defaults", test_null_vectoriser_is_defaults},
             {"threads_do_not_matter", test_threads_do_not_matter},
             {"grouped_folds_no_leak", test_grouped_folds_no_leak},
             {"grouped_folds_deterministic", test_grouped_folds_deterministic},
             {"grouped_folds_balanced", test_grouped_folds_balanced},
             {"grouped_folds_refused", test_grouped_folds_refused},
             {"few_groups_fall_back", test_few_groups_fall_back},
             {"ovr_probabilities", test_ovr_probabilities},
             {"ovo_scheme", test_ovo_scheme},
             {"max_abstain", test_max_abstain},
             {NULL, NULL}};
