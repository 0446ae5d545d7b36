/*
 * train.c - see train.h. Each fold's vectors are computed once and reused
 * for every grid point.
 */
#include "models/train.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/limits.h"
#include "models/evaluate.h"

typedef struct fold_s {
    rk_vec_t *vec;
    struct svm_node **x; /* every sample vectorised with this fold's vec */
} fold_t;

typedef struct job_s {
    const rk_sample_set_t *data;
    const rk_train_conf_t *conf;
    const char *labels[RK_MAX_LABELS];
    int nlabels;
    double *y;    /* label index per sample */
    int *fold_of; /* fold per sample */
    fold_t *folds;
    size_t step, steps;
} job_t;

static const char *const kernel_names[] = {"linear", "rbf", NULL};

#define ROW(name, type, field, lo, hi, open, choices, def, desc)               \
    {                                                                          \
        name, type, offsetof(rk_train_conf_t, field), 0, lo, hi, open,         \
            choices, def, desc                                                 \
    }

const rk_setting_t rk_train_settings[] = {
    ROW("train.folds", RK_SETTING_INT, folds, 2, 100, 0, NULL, "5",
        "cross-validation folds"),
    ROW("train.seed", RK_SETTING_UINT, seed, 0, 0, 0, NULL, "1",
        "seed for the folds and libsvm: same seed, same model"),
    ROW("train.kernel", RK_SETTING_ENUM, kernel, 0, 0, 0, kernel_names,
        "linear", "libsvm kernel"),
    ROW("train.c", RK_SETTING_DOUBLE, C, 0, 1e6, 1, NULL, "1",
        "libsvm's C when the grid is off"),
    ROW("train.gamma", RK_SETTING_DOUBLE, gamma, 0, 1e6, 0, NULL, "0",
        "rbf gamma when the grid is off; 0: 1 / number of features"),
    ROW("train.grid", RK_SETTING_BOOL, grid, 0, 1, 0, NULL, "false",
        "choose C (and gamma for rbf) by cross-validated macro-F1"),
    {NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL}};

rk_train_conf_t rk_train_conf_default(void) {
    rk_train_conf_t conf = {0};
    char err[128];
    rk_err_t r = rk_settings_reset(rk_train_settings, &conf, err, sizeof err);
    assert(r == RK_OK); /* the table's defaults are valid by construction */
    (void)r;
    return conf;
}

rk_err_t rk_train_conf_set(rk_train_conf_t *conf, const char *key,
                           const char *value, char *errstr,
                           size_t errstr_size) {
    return rk_settings_set(rk_train_settings, conf, key, value, errstr,
                           errstr_size);
}

static void quiet(const char *s) {
    (void)s; /* libsvm prints its progress to stdout otherwise */
}

/* xorshift64*: small, seedable, the same on every platform. */
static uint64_t next_rand(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static rk_err_t collect_labels(job_t *j, char *errstr, size_t errstr_size) {
    const rk_sample_set_t *d = j->data;
    for (size_t i = 0; i < d->count; i++) {
        int found = 0;
        for (int k = 0; k < j->nlabels && !found; k++)
            found = !strcmp(j->labels[k], d->items[i].label);
        if (found)
            continue;
        if (j->nlabels == RK_MAX_LABELS)
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "more than %d labels", RK_MAX_LABELS);
        j->labels[j->nlabels++] = d->items[i].label;
    }
    if (j->nlabels < 2)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "training needs at least two labels, the data has %d",
                       j->nlabels);
    qsort(j->labels, (size_t)j->nlabels, sizeof *j->labels, cmp_str);
    for (size_t i = 0; i < d->count; i++)
        for (int k = 0; k < j->nlabels; k++)
            if (!strcmp(j->labels[k], d->items[i].label))
                j->y[i] = k;
    return RK_OK;
}

/* Stratified: each label's samples, shuffled, dealt round-robin. */
static rk_err_t assign_folds(job_t *j, char *errstr, size_t errstr_size) {
    uint64_t s = 0x9E3779B97F4A7C15ULL ^ j->conf->seed;
    size_t n = j->data->count;
    size_t *idx = malloc(n * sizeof *idx);
    if (!idx)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (int k = 0; k < j->nlabels; k++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if ((int)j->y[i] == k)
                idx[m++] = i;
        for (size_t i = m; i > 1; i--) {
            size_t r = next_rand(&s) % i;
            size_t t = idx[i - 1];
            idx[i - 1] = idx[r];
            idx[r] = t;
        }
        for (size_t i = 0; i < m; i++)
            j->fold_of[idx[i]] =
                (int)((i + (size_t)k) % (size_t)j->conf->folds);
    }
    free(idx);
    return RK_OK;
}

static void tick(job_t *j) {
    j->step++;
    if (j->conf->progress)
        j->conf->progress(j->conf->opaque, j->step, j->steps);
}

/* Fits a vectoriser on the samples where use[i] and vectorises all. */
static rk_err_t vectorise(job_t *j, const int *use, rk_vec_t **vec_out,
                          struct svm_node ***x_out, char *errstr,
                          size_t errstr_size) {
    const rk_sample_set_t *d = j->data;
    size_t n = d->count, m = 0;
    const char **texts = malloc(n * sizeof *texts);
    size_t *lens = malloc(n * sizeof *lens);
    struct svm_node **x = calloc(n, sizeof *x);
    rk_vec_t *vec = NULL;
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    rk_err_t err =
        texts && lens && x && ctx
            ? RK_OK
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t i = 0; !err && i < n; i++)
        if (!use || use[i])
            texts[m] = d->items[i].text, lens[m++] = d->items[i].text_len;
    if (!err)
        err = rk_vec_new(j->conf->vec, &vec, errstr, errstr_size);
    if (!err)
        err = rk_vec_fit(vec, texts, lens, NULL, m, errstr, errstr_size);
    for (size_t i = 0; !err && i < n; i++) {
        const struct svm_node *nodes;
        int k;
        err =
            rk_vec_transform(vec, ctx, d->items[i].text, d->items[i].text_len,
                             d->items[i].lang, &nodes, &k, errstr, errstr_size);
        if (err) {
            char inner[256];
            snprintf(inner, sizeof inner, "%s", errstr);
            rk_fail(err, errstr, errstr_size, "sample %s: %s",
                    d->items[i].source, inner);
        } else if (!(x[i] = malloc((size_t)(k + 1) * sizeof *nodes))) {
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        } else {
            memcpy(x[i], nodes, (size_t)(k + 1) * sizeof *nodes);
        }
    }
    free(texts);
    free(lens);
    rk_vec_ctx_destroy(ctx);
    if (err) {
        for (size_t i = 0; x && i < n; i++)
            free(x[i]);
        free(x);
        rk_vec_destroy(vec);
        return err;
    }
    *vec_out = vec;
    *x_out = x;
    return RK_OK;
}

/* Trains *out on the samples where use[i] (all when use is NULL). */
static rk_err_t fit(job_t *j, struct svm_node **x, const int *use, double C,
                    double gamma, struct svm_model **out, char *errstr,
                    size_t errstr_size) {
    size_t n = j->data->count, m = 0;
    struct svm_problem prob;
    prob.y = malloc(n * sizeof *prob.y);
    prob.x = malloc(n * sizeof *prob.x);
    *out = NULL;
    if (!prob.y || !prob.x) {
        free(prob.y);
        free(prob.x);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    int counts[RK_MAX_LABELS] = {0}, weight_label[RK_MAX_LABELS];
    double weight[RK_MAX_LABELS];
    for (size_t i = 0; i < n; i++)
        if (!use || use[i]) {
            prob.y[m] = j->y[i];
            prob.x[m++] = x[i];
            counts[(int)j->y[i]]++;
        }
    prob.l = (int)m;
    for (int k = 0; k < j->nlabels; k++) {
        weight_label[k] = k;
        weight[k] =
            counts[k] ? (double)m / (j->nlabels * (double)counts[k]) : 1.0;
    }
    struct svm_parameter p = {0};
    p.svm_type = C_SVC;
    p.kernel_type = j->conf->kernel == RK_KERNEL_RBF ? RBF : LINEAR;
    p.gamma = gamma;
    p.C = C;
    p.cache_size = 100;
    p.eps = 1e-3;
    p.shrinking = 1;
    p.probability = 1;
    p.nr_weight = j->nlabels;
    p.weight_label = weight_label;
    p.weight = weight;
    rk_err_t err = RK_OK;
    const char *why = svm_check_parameter(&prob, &p);
    if (why) {
        err = rk_fail(RK_ERR_USAGE, errstr, errstr_size, "libsvm: %s", why);
    } else {
        srand(j->conf->seed); /* libsvm's probability CV uses rand() */
        *out = svm_train(&prob, &p);
        /* libsvm keeps pointers into prob for the support vectors and
         * copies nothing; the caller keeps x alive as long as model. */
    }
    free(prob.y);
    free(prob.x);
    return err;
}

/* Cross-validated probabilities for one (C, gamma): probs[i * k + c]. */
static rk_err_t cross_validate(job_t *j, double C, double gamma, double *probs,
                               char *errstr, size_t errstr_size) {
    size_t n = j->data->count;
    int *use = malloc(n * sizeof *use);
    double raw[RK_MAX_LABELS];
    if (!use)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (int f = 0; f < j->conf->folds; f++) {
        for (size_t i = 0; i < n; i++)
            use[i] = j->fold_of[i] != f;
        struct svm_model *m = NULL;
        rk_err_t err =
            fit(j, j->folds[f].x, use, C, gamma, &m, errstr, errstr_size);
        if (err) {
            free(use);
            return err;
        }
        int ids[RK_MAX_LABELS];
        svm_get_labels(m, ids);
        for (size_t i = 0; i < n; i++) {
            if (use[i])
                continue;
            svm_predict_probability(m, j->folds[f].x[i], raw);
            for (int c = 0; c < j->nlabels; c++)
                probs[i * (size_t)j->nlabels + (size_t)ids[c]] = raw[c];
        }
        svm_free_and_destroy_model(&m);
        tick(j);
    }
    free(use);
    return RK_OK;
}

/* Scores CV probabilities at a threshold; NULL when out of memory. */
static rk_eval_t *score(const job_t *j, const double *probs, double t) {
    rk_eval_t *ev = rk_eval_new();
    for (size_t i = 0; ev && i < j->data->count; i++) {
        const double *p = probs + i * (size_t)j->nlabels;
        int best = 0;
        for (int c = 1; c < j->nlabels; c++)
            if (p[c] > p[best])
                best = c;
        if (!rk_eval_add(ev, j->data->items[i].label,
                         p[best] >= t ? j->labels[best] : NULL,
                         j->data->items[i].lang)) {
            rk_eval_destroy(ev);
            ev = NULL;
        }
    }
    return ev;
}

/* The threshold by the rule in train.h; -1 when out of memory. */
static double pick_threshold(const job_t *j, const double *probs) {
    double best = -1, f1[20];
    for (int s = 0; s < 20; s++) {
        rk_eval_t *ev = score(j, probs, s * 0.05);
        if (!ev)
            return -1;
        f1[s] = rk_eval_macro_f1(ev);
        rk_eval_destroy(ev);
        if (f1[s] > best)
            best = f1[s];
    }
    int chosen = 0;
    for (int s = 0; s < 20; s++)
        if (f1[s] >= best - RK_TRAIN_THRESHOLD_SLACK)
            chosen = s;
    return chosen * 0.05;
}

static void add_setting(const char *key, const char *value, void *opaque) {
    json_object_set_new(opaque, key, json_string(value));
}

static json_t *training_meta(const job_t *j) {
    json_t *counts = json_object();
    uint64_t h = RK_FNV_OFFSET;
    for (size_t i = 0; i < j->data->count; i++) {
        const rk_sample_t *s = &j->data->items[i];
        json_t *c = json_object_get(counts, s->label);
        json_object_set_new(counts, s->label,
                            json_integer(c ? json_integer_value(c) + 1 : 1));
        h = rk_fnv1a(h, s->label, strlen(s->label) + 1);
        h = rk_fnv1a(h, s->text, s->text_len + 1);
    }
    char digest[40];
    snprintf(digest, sizeof digest, "fnv1a64:%016llx", (unsigned long long)h);
    return json_pack("{s:I,s:o,s:s}", "n", (json_int_t)j->data->count,
                     "label_counts", counts, "digest", digest);
}

static void free_folds(job_t *j) {
    for (int f = 0; j->folds && f < j->conf->folds; f++) {
        for (size_t i = 0; j->folds[f].x && i < j->data->count; i++)
            free(j->folds[f].x[i]);
        free(j->folds[f].x);
        rk_vec_destroy(j->folds[f].vec);
    }
    free(j->folds);
}

rk_err_t rk_train(const rk_sample_set_t *data, const rk_train_conf_t *conf,
                  rk_model_t **out, char *errstr, size_t errstr_size) {
    *out = NULL;
    if (conf->folds < 2 || (size_t)conf->folds > data->count)
        return rk_fail(
            RK_ERR_USAGE, errstr, errstr_size,
            "train.folds must be between 2 and the number of samples "
            "(%zu)",
            data->count);
    rk_vec_conf_t *default_vec = NULL;
    rk_train_conf_t with_vec;
    if (!conf->vec) { /* the header's promise: NULL is the defaults */
        if (!(default_vec = rk_vec_conf_new()))
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        with_vec = *conf;
        with_vec.vec = default_vec;
        conf = &with_vec;
    }
    svm_set_print_string_function(quiet);
    job_t j = {0};
    j.data = data;
    j.conf = conf;
    size_t n = data->count;
    j.y = malloc(n * sizeof *j.y);
    j.fold_of = malloc(n * sizeof *j.fold_of);
    j.folds = calloc((size_t)conf->folds, sizeof *j.folds);
    rk_err_t err =
        j.y && j.fold_of && j.folds
            ? collect_labels(&j, errstr, errstr_size)
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    /* The grid: C, and gamma for rbf. */
    double Cs[] = {0.1, 0.3, 1, 3, 10, 30}, gammas[] = {0.1, 0.3, 1, 3};
    size_t nC = conf->grid ? 6 : 1,
           nG = conf->grid && conf->kernel == RK_KERNEL_RBF ? 4 : 1;
    j.steps = (size_t)conf->folds * (1 + nC * nG) + 1;
    if (!err)
        err = assign_folds(&j, errstr, errstr_size);
    for (int f = 0; !err && f < conf->folds; f++) {
        int *use = malloc(n * sizeof *use);
        if (!use) {
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
            break;
        }
        for (size_t i = 0; i < n; i++)
            use[i] = j.fold_of[i] != f;
        err = vectorise(&j, use, &j.folds[f].vec, &j.folds[f].x, errstr,
                        errstr_size);
        free(use);
        tick(&j);
    }
    size_t k = (size_t)j.nlabels;
    double *probs = malloc(n * k * sizeof *probs),
           *best_probs = malloc(n * k * sizeof *probs);
    double best_f1 = -1, best_C = conf->C, best_gamma = conf->gamma;
    json_t *grid = json_array();
    if (!err && (!probs || !best_probs || !grid))
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t c = 0; !err && c < nC; c++)
        for (size_t g = 0; !err && g < nG; g++) {
            double C = conf->grid ? Cs[c] : conf->C;
            double gamma = conf->grid && nG > 1 ? gammas[g] : conf->gamma;
            err = cross_validate(&j, C, gamma, probs, errstr, errstr_size);
            if (err)
                break;
            rk_eval_t *ev = score(&j, probs, 0.0);
            if (!ev) {
                err =
                    rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
                break;
            }
            double f1 = rk_eval_macro_f1(ev);
            rk_eval_destroy(ev);
            json_array_append_new(grid,
                                  json_pack("{s:f,s:f,s:f}", "C", C, "gamma",
                                            gamma, "macro_f1", f1));
            if (f1 > best_f1) {
                best_f1 = f1, best_C = C, best_gamma = gamma;
                memcpy(best_probs, probs, n * k * sizeof *probs);
            }
        }
    free_folds(&j);
    rk_vec_t *vec = NULL;
    struct svm_node **x = NULL;
    struct svm_model *model = NULL;
    json_t *meta = NULL;
    double threshold = 0;
    rk_eval_t *ev = NULL;
    json_t *cv = NULL;
    if (!err) {
        threshold = pick_threshold(&j, best_probs);
        ev = threshold < 0 ? NULL : score(&j, best_probs, threshold);
        cv = ev ? rk_eval_json(ev) : NULL;
        rk_eval_destroy(ev);
        if (!cv)
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    if (!err) {
        json_object_set_new(cv, "folds", json_integer(conf->folds));
        json_object_set_new(cv, "seed", json_integer(conf->seed));
        json_object_set_new(cv, "grid", grid);
        grid = NULL;
        json_object_set_new(cv, "threshold_rule",
                            json_string("highest threshold (step 0.05) whose "
                                        "CV macro-F1 is within 0.01 of the "
                                        "best"));
        json_t *settings = json_object();
        rk_vec_conf_foreach(conf->vec, add_setting, settings);
        meta = json_pack("{s:s,s:f,s:f,s:o,s:o,s:o}", "kernel",
                         conf->kernel == RK_KERNEL_RBF ? "rbf" : "linear", "C",
                         best_C, "gamma", best_gamma, "vectorizer", settings,
                         "training", training_meta(&j), "cv", cv);
        err = vectorise(&j, NULL, &vec, &x, errstr, errstr_size);
    }
    if (!err)
        err = fit(&j, x, NULL, best_C, best_gamma, &model, errstr, errstr_size);
    tick(&j);
    if (!err)
        err = rk_model_build(meta, vec, model, j.labels, j.nlabels, threshold,
                             out, errstr, errstr_size);
    else
        rk_vec_destroy(vec);
    /* rk_model_build scores with a copy reloaded from the model's text,
     * so the training vectors are no longer referenced. */
    for (size_t i = 0; x && i < n; i++)
        free(x[i]);
    free(x);
    json_decref(meta);
    json_decref(grid);
    free(probs);
    free(best_probs);
    free(j.y);
    free(j.fold_of);
    rk_vec_conf_destroy(default_vec);
    return err;
}
