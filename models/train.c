/*
 * train.c - see train.h: the settings and the order of the work. Two
 * rounds, each on the thread pool: first the headline cross-validation
 * (grouped folds; every grid point), then the paragraph-level folds and
 * the final model at the chosen parameters. A round prepares its splits
 * (vectorise, kernel matrix) and then trains every libsvm problem of them
 * as independent tasks; see train_internal.h for the parts.
 */
#include "models/train.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pool.h"
#include "models/folds.h"
#include "models/train_internal.h"

static const char *const kernel_names[] = {"linear", "rbf", NULL};
/* in rk_scheme_t order */
static const char *const scheme_names[] = {"ovo", "ovr", NULL};

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
        "choose C (and gamma for rbf) by grouped cross-validated macro-F1"),
    ROW("train.scheme", RK_SETTING_ENUM, scheme, 0, 0, 0, scheme_names, "ovo",
        "multi-class: ovo (libsvm's pairwise models) or ovr (a binary model "
        "and sigmoid per label)"),
    ROW("train.max_abstain", RK_SETTING_DOUBLE, max_abstain, 0, 1, 0, NULL,
        "0.1",
        "largest share of paragraphs the model may abstain on (grouped CV); "
        "the threshold is chosen under it"),
    ROW("train.class_weights", RK_SETTING_BOOL, class_weights, 0, 1, 0, NULL,
        "true", "weight each class's C inversely to its frequency"),
    ROW("train.threads", RK_SETTING_INT, threads, 0, RK_TRAIN_MAX_THREADS, 0,
        NULL, "0",
        "training threads; 0: the online CPUs (at most " RK_XSTR(
            RK_TRAIN_MAX_THREADS) ")"),
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
    j->ncols = j->conf->scheme == RK_SCHEME_OVR
                   ? j->nlabels
                   : j->nlabels * (j->nlabels - 1) / 2;
    return RK_OK;
}

/* ---- the thread pool's tasks ------------------------------------------ */

static void tick(void *opaque, size_t finished) {
    job_t *j = opaque;
    (void)finished;
    j->step++;
    if (j->conf->progress)
        j->conf->progress(j->conf->opaque, j->step, j->steps);
}

typedef struct round_s {
    job_t *j;
    split_t *splits;
    int nsplits;
} round_t;

static rk_err_t vectorise_task(void *opaque, size_t t, char *errstr,
                               size_t errstr_size) {
    round_t *r = opaque;
    return rk_train_split_vectorise(r->j, &r->splits[t], errstr, errstr_size);
}

static rk_err_t gram_task(void *opaque, size_t t, char *errstr,
                          size_t errstr_size) {
    round_t *r = opaque;
    return rk_train_split_gram(r->j, &r->splits[t / RK_TRAIN_GRAM_TASKS],
                               (int)(t % RK_TRAIN_GRAM_TASKS), errstr,
                               errstr_size);
}

static int units(const job_t *j) {
    return j->conf->scheme == RK_SCHEME_OVR ? j->nlabels : 1;
}

static size_t gram_tasks(const job_t *j) {
    return j->conf->kernel == RK_KERNEL_RBF ? 0 : RK_TRAIN_GRAM_TASKS;
}

/* Vectorises the round's splits, then computes their kernel matrices. */
static rk_err_t prepare(round_t *r, char *errstr, size_t errstr_size) {
    job_t *j = r->j;
    rk_pool_done_t done = {tick, j};
    rk_err_t err = rk_pool_run((size_t)r->nsplits, j->threads, vectorise_task,
                               r, &done, errstr, errstr_size);
    if (err || !gram_tasks(j))
        return err;
    for (int s = 0; !err && s < r->nsplits; s++)
        err = rk_train_split_alloc_gram(&r->splits[s], errstr, errstr_size);
    if (!err)
        err = rk_pool_run((size_t)r->nsplits * RK_TRAIN_GRAM_TASKS, j->threads,
                          gram_task, r, &done, errstr, errstr_size);
    return err;
}

typedef struct fit_task_s {
    const split_t *split;
    param_t p;
    int unit;
    double *dec;
    fitted_t *fitted;
} fit_task_t;

typedef struct fits_s {
    job_t *j;
    fit_task_t *tasks;
} fits_t;

static rk_err_t fit_task(void *opaque, size_t t, char *errstr,
                         size_t errstr_size) {
    fits_t *f = opaque;
    fit_task_t *k = &f->tasks[t];
    return rk_train_fit(f->j, k->split, k->p, k->unit, k->dec, k->fitted,
                        errstr, errstr_size);
}

static rk_err_t run_fits(job_t *j, fit_task_t *tasks, size_t n, char *errstr,
                         size_t errstr_size) {
    fits_t f = {j, tasks};
    rk_pool_done_t done = {tick, j};
    return rk_pool_run(n, j->threads, fit_task, &f, &done, errstr, errstr_size);
}

static void clear_splits(split_t *splits, int n, size_t samples) {
    for (int s = 0; splits && s < n; s++)
        rk_train_split_clear(&splits[s], samples);
    free(splits);
}

/* ---- the two rounds ----------------------------------------------------- */

typedef struct plan_s {
    int *fold_head; /* the headline folds: grouped, or paragraph-level */
    int *fold_para; /* paragraph-level folds; NULL when headline is */
    int grouped;    /* the headline folds are grouped */
    param_t params[32];
    int nparams;
    double *dec_grid; /* headline held-out decision values per param */
    double *dec_para; /* paragraph-level ones at the chosen param */
} plan_t;

/* The headline round: every fold trained at every grid point. */
static rk_err_t headline_round(job_t *j, plan_t *pl, char *errstr,
                               size_t errstr_size) {
    int K = j->conf->folds, U = units(j);
    size_t n = j->data->count, per = n * (size_t)j->ncols;
    split_t *splits = calloc((size_t)K, sizeof *splits);
    size_t ntasks = (size_t)K * (size_t)pl->nparams * (size_t)U;
    fit_task_t *tasks = calloc(ntasks, sizeof *tasks);
    rk_err_t err = splits && tasks ? RK_OK
                                   : rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                                             "out of memory");
    for (int f = 0; !err && f < K; f++)
        err = rk_train_split_init(j, &splits[f], pl->fold_head, f, errstr,
                                  errstr_size);
    round_t r = {j, splits, K};
    if (!err)
        err = prepare(&r, errstr, errstr_size);
    size_t t = 0;
    for (int p = 0; !err && p < pl->nparams; p++)
        for (int f = 0; f < K; f++)
            for (int u = 0; u < U; u++)
                tasks[t++] = (fit_task_t){&splits[f], pl->params[p], u,
                                          pl->dec_grid + (size_t)p * per, NULL};
    if (!err)
        err = run_fits(j, tasks, ntasks, errstr, errstr_size);
    free(tasks);
    clear_splits(splits, K, n);
    return err;
}

/* The second round: paragraph-level folds (when the headline is grouped)
 * and the final model, at the chosen parameters. The final split's
 * vectoriser is handed over in *vec. */
static rk_err_t final_round(job_t *j, plan_t *pl, param_t best,
                            fitted_t *fitted, rk_vec_t **vec, char *errstr,
                            size_t errstr_size) {
    int K = pl->fold_para ? j->conf->folds : 0, U = units(j);
    size_t n = j->data->count;
    split_t *splits = calloc((size_t)K + 1, sizeof *splits);
    size_t ntasks = ((size_t)K + 1) * (size_t)U;
    fit_task_t *tasks = calloc(ntasks, sizeof *tasks);
    double *scratch = calloc(1, sizeof *scratch); /* the final's dec: none */
    rk_err_t err =
        splits && tasks && scratch
            ? rk_train_split_init(j, &splits[0], NULL, -1, errstr, errstr_size)
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (int f = 0; !err && f < K; f++)
        err = rk_train_split_init(j, &splits[f + 1], pl->fold_para, f, errstr,
                                  errstr_size);
    round_t r = {j, splits, K + 1};
    if (!err)
        err = prepare(&r, errstr, errstr_size);
    size_t t = 0;
    for (int s = 0; !err && s <= K; s++) /* the final model's tasks first */
        for (int u = 0; u < U; u++)
            tasks[t++] =
                (fit_task_t){&splits[s], best, u, s ? pl->dec_para : scratch,
                             s ? NULL : fitted};
    if (!err)
        err = run_fits(j, tasks, ntasks, errstr, errstr_size);
    if (!err) {
        *vec = splits[0].vec;
        splits[0].vec = NULL;
    }
    free(tasks);
    free(scratch);
    clear_splits(splits, K + 1, n);
    return err;
}

/* ---- choices and figures ------------------------------------------------ */

/* The grid (or the one point when it is off). */
static void make_params(const job_t *j, plan_t *pl) {
    static const double Cs[] = {0.1, 0.3, 1, 3, 10, 30},
                        gammas[] = {0.1, 0.3, 1, 3};
    const rk_train_conf_t *c = j->conf;
    int nC = c->grid ? 6 : 1,
        nG = c->grid && c->kernel == RK_KERNEL_RBF ? 4 : 1;
    pl->nparams = 0;
    for (int a = 0; a < nC; a++)
        for (int g = 0; g < nG; g++)
            pl->params[pl->nparams++] =
                (param_t){c->grid ? Cs[a] : c->C,
                          c->grid && nG > 1 ? gammas[g] : c->gamma};
}

/* The grid point with the best headline macro-F1 of the top label (the
 * first on ties), each point scored with sigmoids fitted on its own
 * held-out decision values; those of the best in A, B. */
static rk_err_t choose(const job_t *j, const plan_t *pl, int *best, double *A,
                       double *B, json_t *grid, char *errstr,
                       size_t errstr_size) {
    size_t per = j->data->count * (size_t)j->ncols;
    double best_f1 = -1, a[RK_MAX_LABELS * RK_MAX_LABELS],
           b[RK_MAX_LABELS * RK_MAX_LABELS];
    for (int p = 0; p < pl->nparams; p++) {
        const double *dec = pl->dec_grid + (size_t)p * per;
        rk_train_sigmoids(j, dec, a, b);
        rk_eval_t *ev = rk_train_scored(j, dec, a, b);
        if (!ev)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        double f1 = rk_eval_macro_f1(ev);
        rk_eval_destroy(ev);
        json_array_append_new(
            grid, json_pack("{s:f,s:f,s:f}", "C", pl->params[p].C, "gamma",
                            pl->params[p].gamma, "macro_f1", f1));
        if (f1 > best_f1) {
            best_f1 = f1, *best = p;
            memcpy(A, a, (size_t)j->ncols * sizeof *A);
            memcpy(B, b, (size_t)j->ncols * sizeof *B);
        }
    }
    return RK_OK;
}

/* What a training run settles after its rounds. */
typedef struct result_s {
    int best;      /* index into the plan's params */
    double *A, *B; /* the model's sigmoids, one per column */
    double threshold;
    rk_eval_t *scored;   /* headline held-out decision values, scored */
    rk_eval_t *scored_p; /* paragraph-level ones (NULL when headline is) */
    json_t *grid, *note, *fallback;
    fitted_t *fitted;
    rk_vec_t *vec;
} result_t;

/* "capacity" (one-vs-rest) or "capacity/none" (one-vs-one): column col. */
static json_t *column_name(const job_t *j, int col) {
    if (j->conf->scheme == RK_SCHEME_OVR)
        return json_string(j->labels[col]);
    for (int a = 0; a < j->nlabels; a++)
        for (int b = a + 1; b < j->nlabels; b++)
            if (rk_train_pair_col(j->nlabels, a, b) == col)
                return json_sprintf("%s/%s", j->labels[a], j->labels[b]);
    return json_null();
}

/* The model's sigmoids and threshold. Each column's sigmoid is fitted on
 * the grouped held-out decision values, unless they do not rank its
 * samples at all (A >= 0: a higher value would mean less likely; small
 * data sets do this when other documents teach a pair nothing): then on
 * the paragraph-level ones, and the column is listed in r->fallback. The
 * headline figures and the threshold are the grouped decision values
 * under the sigmoids the model keeps. */
static rk_err_t calibrate(const job_t *j, const plan_t *pl, result_t *r,
                          char *errstr, size_t errstr_size) {
    size_t per = j->data->count * (size_t)j->ncols;
    const double *dec = pl->dec_grid + (size_t)r->best * per;
    if (pl->fold_para) {
        double *a = calloc((size_t)j->ncols, sizeof *a),
               *b = calloc((size_t)j->ncols, sizeof *b);
        if (a && b) {
            rk_train_sigmoids(j, pl->dec_para, a, b);
            r->scored_p = rk_train_scored(j, pl->dec_para, a, b);
            for (int c = 0; c < j->ncols; c++)
                if (r->A[c] >= 0 && a[c] < 0) {
                    r->A[c] = a[c], r->B[c] = b[c];
                    json_array_append_new(r->fallback, column_name(j, c));
                }
        }
        free(a);
        free(b);
        if (!r->scored_p)
            return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    if (!(r->scored = rk_train_scored(j, dec, r->A, r->B)) ||
        (r->threshold = rk_eval_pick_threshold(r->scored, j->conf->max_abstain,
                                               RK_TRAIN_THRESHOLD_STEP)) < 0)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    return RK_OK;
}

/* A cross-validation's figures at threshold t: the `eval --json` object
 * (with coverage and risk_coverage), its kind and folds. */
static json_t *cv_json(const rk_eval_t *scored, double t, const char *kind,
                       const rk_train_conf_t *conf) {
    rk_eval_t *ev = rk_eval_at_threshold(scored, t);
    json_t *o = ev ? rk_eval_json(ev) : NULL;
    rk_eval_destroy(ev);
    if (o) {
        json_object_set_new(o, "kind", json_string(kind));
        json_object_set_new(o, "folds", json_integer(conf->folds));
        json_object_set_new(o, "seed", json_integer(conf->seed));
        json_object_set_new(o, "threshold", json_real(t));
    }
    return o;
}

static void add_setting(const char *key, const char *value, void *opaque) {
    json_object_set_new(opaque, key, json_string(value));
}

static const char threshold_rule[] =
    "among thresholds in steps of 0.01 whose grouped-CV abstention rate is "
    "at most max_abstain, the one with the best CV macro-F1 (abstentions "
    "counted wrong unless the truth is none; ties: the lower)";

/* The metadata rk_model_build completes: settings, data, both CVs. */
static json_t *meta_json(const job_t *j, const plan_t *pl, result_t *r) {
    const rk_train_conf_t *c = j->conf;
    json_t *cv = cv_json(r->scored, r->threshold,
                         pl->grouped ? "grouped" : "paragraph", c);
    json_t *para =
        r->scored_p ? cv_json(r->scored_p, r->threshold, "paragraph", c) : NULL;
    json_t *settings = json_object();
    rk_vec_conf_foreach(c->vec, add_setting, settings);
    if (!cv || (r->scored_p && !para)) {
        json_decref(cv);
        json_decref(para);
        json_decref(settings);
        return NULL;
    }
    json_object_set(cv, "grid", r->grid);
    json_object_set_new(cv, "max_abstain", json_real(c->max_abstain));
    json_object_set_new(cv, "threshold_rule", json_string(threshold_rule));
    json_object_set_new(cv, "groups", rk_train_groups_json(j->data));
    json_object_set(cv, "sigmoids_from_paragraph_cv", r->fallback);
    if (r->note)
        json_object_set(cv, "note", r->note);
    param_t best = pl->params[r->best];
    json_t *meta = json_pack("{s:s,s:f,s:f,s:b,s:o,s:o,s:o}", "kernel",
                             c->kernel == RK_KERNEL_RBF ? "rbf" : "linear", "C",
                             best.C, "gamma", best.gamma, "class_weights",
                             c->class_weights, "vectorizer", settings,
                             "training", rk_train_data_json(j), "cv", cv);
    if (meta && para)
        json_object_set_new(meta, "cv_paragraph", para);
    else
        json_decref(para);
    return meta;
}

/* Folds: grouped when the data has enough groups, else paragraph-level
 * only (with a note saying so). */
static rk_err_t make_folds(job_t *j, plan_t *pl, json_t **note, char *errstr,
                           size_t errstr_size) {
    size_t n = j->data->count;
    const char **names = malloc(n * sizeof *names);
    int *gid = malloc(n * sizeof *gid);
    pl->fold_head = malloc(n * sizeof *pl->fold_head);
    pl->fold_para = malloc(n * sizeof *pl->fold_para);
    rk_err_t err =
        names && gid && pl->fold_head && pl->fold_para
            ? RK_OK
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t i = 0; !err && i < n; i++)
        names[i] = j->data->items[i].group;
    int ngroups = err ? 0 : rk_folds_intern(n, names, gid);
    if (!err && ngroups < 0)
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err)
        err = rk_folds_stratified(n, j->y, j->nlabels, j->conf->folds,
                                  j->conf->seed, pl->fold_para, errstr,
                                  errstr_size);
    pl->grouped = !err && ngroups >= j->conf->folds;
    if (!err && pl->grouped)
        err = rk_folds_grouped(n, gid, ngroups, j->conf->folds, j->conf->seed,
                               pl->fold_head, errstr, errstr_size);
    if (!err && !pl->grouped) { /* one set of folds: paragraph-level */
        free(pl->fold_head);
        pl->fold_head = pl->fold_para;
        pl->fold_para = NULL;
        *note = json_sprintf("the data has %d group(s), fewer than the %d "
                             "folds: the folds are paragraph-level",
                             ngroups, j->conf->folds);
    }
    free(names);
    free(gid);
    return err;
}

static void free_plan(plan_t *pl) {
    if (pl->fold_para != pl->fold_head)
        free(pl->fold_para);
    free(pl->fold_head);
    free(pl->dec_grid);
    free(pl->dec_para);
}

static void free_result(result_t *r) {
    free(r->A);
    free(r->B);
    rk_eval_destroy(r->scored);
    rk_eval_destroy(r->scored_p);
    json_decref(r->grid);
    json_decref(r->note);
    json_decref(r->fallback);
    if (r->fitted)
        rk_train_fitted_clear(r->fitted);
    free(r->fitted);
    rk_vec_destroy(r->vec);
}

/* Counts the progress steps of both rounds. */
static size_t count_steps(const job_t *j, const plan_t *pl) {
    size_t K = (size_t)j->conf->folds, U = (size_t)units(j), G = gram_tasks(j),
           P = (size_t)pl->nparams, K2 = pl->fold_para ? K : 0;
    return K * (1 + G + P * U) + (K2 + 1) * (1 + G + U);
}

/* Folds, grid and the buffers both rounds fill. */
static rk_err_t plan(job_t *j, plan_t *pl, result_t *r, char *errstr,
                     size_t errstr_size) {
    size_t per = j->data->count * (size_t)j->ncols;
    rk_err_t err = make_folds(j, pl, &r->note, errstr, errstr_size);
    make_params(j, pl);
    pl->dec_grid = calloc((size_t)pl->nparams * per, sizeof *pl->dec_grid);
    pl->dec_para = calloc(per, sizeof *pl->dec_para);
    r->A = calloc((size_t)j->ncols, sizeof *r->A);
    r->B = calloc((size_t)j->ncols, sizeof *r->B);
    r->grid = json_array();
    r->fallback = json_array();
    r->fitted = calloc(1, sizeof *r->fitted);
    if (!err && (!pl->dec_grid || !pl->dec_para || !r->A || !r->B || !r->grid ||
                 !r->fallback || !r->fitted))
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    j->steps = count_steps(j, pl);
    return err;
}

static rk_err_t train_job(job_t *j, rk_model_t **out, char *errstr,
                          size_t errstr_size) {
    plan_t pl;
    result_t r;
    memset(&pl, 0, sizeof pl);
    memset(&r, 0, sizeof r);
    rk_err_t err = plan(j, &pl, &r, errstr, errstr_size);
    if (!err)
        err = headline_round(j, &pl, errstr, errstr_size);
    if (!err)
        err = choose(j, &pl, &r.best, r.A, r.B, r.grid, errstr, errstr_size);
    if (!err)
        err = final_round(j, &pl, pl.params[r.best], r.fitted, &r.vec, errstr,
                          errstr_size);
    if (!err)
        err = calibrate(j, &pl, &r, errstr, errstr_size);
    if (!err && j->conf->cv_out)
        err = rk_train_write_cv(
            j, pl.dec_grid + (size_t)r.best * j->data->count * (size_t)j->ncols,
            r.A, r.B, pl.fold_head, r.threshold, j->conf->cv_out, errstr,
            errstr_size);
    rk_model_svm_t svm;
    memset(&svm, 0, sizeof svm);
    if (!err)
        err = rk_train_texts(j, r.fitted, rk_vec_dim(r.vec), r.A, r.B, &svm,
                             errstr, errstr_size);
    json_t *meta = err ? NULL : meta_json(j, &pl, &r);
    if (!err && !meta)
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err) {
        err = rk_model_build(meta, r.vec, &svm, j->labels, j->nlabels,
                             r.threshold, out, errstr, errstr_size);
        r.vec = NULL; /* rk_model_build took it */
    }
    for (int i = 0; i < svm.ntext; i++)
        free(svm.text[i]);
    json_decref(meta);
    free_result(&r);
    free_plan(&pl);
    return err;
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
    svm_set_print_string_function(quiet); /* before any thread starts */
    job_t j;
    memset(&j, 0, sizeof j);
    j.data = data;
    j.conf = conf;
    j.threads = conf->threads > 0 ? conf->threads : rk_pool_online_cpus();
    if (j.threads > RK_TRAIN_MAX_THREADS)
        j.threads = RK_TRAIN_MAX_THREADS;
    j.y = malloc(data->count * sizeof *j.y);
    rk_err_t err =
        j.y ? collect_labels(&j, errstr, errstr_size)
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err)
        err = train_job(&j, out, errstr, errstr_size);
    free(j.y);
    rk_vec_conf_destroy(default_vec);
    return err;
}
