/*
 * train_fit.c - one libsvm problem of a split and what it gives
 * (train_internal.h). libsvm trains with probability estimates off: the
 * sigmoids are fitted on the outer cross-validation's decision values
 * (train_report.c). A linear problem uses the split's precomputed kernel
 * matrix and is collapsed afterwards (collapse.h) into one weight vector
 * per decision value; the held-out decision values are w . x - rho.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/collapse.h"
#include "models/svm_text.h"
#include "models/train_internal.h"

#define CACHE_MB 100

int rk_train_pair_col(int k, int a, int b) {
    /* pairs before row a: (k-1) + (k-2) + ... + (k-a) */
    return a * (2 * k - a - 1) / 2 + (b - a - 1);
}

static int is_linear(const job_t *j) {
    return j->conf->kernel != RK_KERNEL_RBF;
}

/* The problem's labels: 1 (unit) and 0 (the rest) for one-vs-rest, the
 * label index for one-vs-one. */
static double target(const job_t *j, int sample, int unit) {
    int y = j->y[sample];
    return j->conf->scheme == RK_SCHEME_OVR ? (y == unit) : y;
}

static rk_err_t make_problem(const job_t *j, const split_t *s, int unit,
                             struct svm_problem *prob, char *errstr,
                             size_t errstr_size) {
    size_t l = s->ntrain;
    prob->l = (int)l;
    prob->y = malloc((l ? l : 1) * sizeof *prob->y);
    prob->x = malloc((l ? l : 1) * sizeof *prob->x);
    if (!prob->y || !prob->x)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t r = 0; r < l; r++) {
        prob->y[r] = target(j, s->train[r], unit);
        prob->x[r] = is_linear(j) ? s->kx + r * (l + 2) : s->x[s->train[r]];
    }
    return RK_OK;
}

/* Class weights: each class's C scaled inversely to its size (one-vs-one:
 * m / (labels x count), as before; one-vs-rest: m / (2 x count) for the
 * label and for the rest). Returns how many classes are present. */
static int weights(const job_t *j, const struct svm_problem *prob, int *label,
                   double *weight) {
    int counts[RK_MAX_LABELS] = {0}, present = 0;
    int ovr = j->conf->scheme == RK_SCHEME_OVR, k = ovr ? 2 : j->nlabels;
    for (int r = 0; r < prob->l; r++)
        counts[(int)prob->y[r]]++;
    for (int c = 0; c < k; c++) {
        label[c] = c;
        weight[c] = counts[c] ? (double)prob->l /
                                    ((ovr ? 2 : j->nlabels) * (double)counts[c])
                              : 1.0;
        present += counts[c] > 0;
    }
    return present;
}

static struct svm_parameter params(const job_t *j, param_t p, int dim,
                                   int *label, double *weight) {
    struct svm_parameter q;
    memset(&q, 0, sizeof q);
    q.svm_type = C_SVC;
    q.kernel_type = is_linear(j) ? PRECOMPUTED : RBF;
    q.gamma = p.gamma > 0 ? p.gamma : 1.0 / dim;
    q.C = p.C;
    q.cache_size = CACHE_MB;
    q.eps = 1e-3;
    q.shrinking = 1;
    q.probability = 0; /* no internal cross-validation: see calibrate.h */
    q.nr_weight = j->conf->class_weights
                      ? (j->conf->scheme == RK_SCHEME_OVR ? 2 : j->nlabels)
                      : 0;
    q.weight_label = label;
    q.weight = weight;
    return q;
}

/* The training vector behind a precomputed-kernel model's support
 * vector: sv_indices count training rows from 1. */
typedef struct sv_ctx_s {
    const split_t *s;
    const struct svm_model *m;
} sv_ctx_t;

static const struct svm_node *train_sv(void *opaque, int sv) {
    const sv_ctx_t *c = opaque;
    return c->s->x[c->s->train[c->m->sv_indices[sv] - 1]];
}

/* Column col: the held-out samples' decision values w . x - rho (w spread
 * into dense for the products, then cleared), and w into fitted, which
 * then owns it (else it is freed). */
static void emit(const job_t *j, const split_t *s, struct svm_node *w,
                 double rho, int col, double *dense, double *dec,
                 fitted_t *fitted) {
    const struct svm_node *x;
    for (x = w; x->index != -1; x++)
        dense[x->index] = x->value;
    for (size_t t = 0; t < s->ntest; t++) {
        double d = 0.0;
        for (x = s->x[s->test[t]]; x->index != -1; x++)
            d += x->value * dense[x->index];
        dec[(size_t)s->test[t] * (size_t)j->ncols + (size_t)col] = d - rho;
    }
    for (x = w; x->index != -1; x++)
        dense[x->index] = 0.0;
    if (fitted) {
        fitted->w[col] = w;
        fitted->rho[col] = rho;
    } else {
        free(w);
    }
}

/* A linear model collapsed (collapse.h) into its columns: label unit's
 * (one-vs-rest; sign turned so positive is the label) or each pair of its
 * classes (one-vs-one). */
static rk_err_t collapse(const job_t *j, const split_t *s,
                         const struct svm_model *m, int unit, double *dense,
                         double *dec, fitted_t *fitted, char *errstr,
                         size_t errstr_size) {
    int k = m->nr_class, pairs = k * (k - 1) / 2;
    struct svm_node **w = calloc((size_t)pairs, sizeof *w);
    double *rho = calloc((size_t)pairs, sizeof *rho);
    sv_ctx_t ctx = {s, m};
    rk_err_t err =
        w && rho ? rk_collapse(m, train_sv, &ctx, rk_vec_dim(s->vec), dense, w,
                               rho, errstr, errstr_size)
                 : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    if (!err && j->conf->scheme == RK_SCHEME_OVR) {
        if (m->label[0] != 1) { /* positive for the rest: turn it round */
            for (struct svm_node *x = w[0]; x->index != -1; x++)
                x->value = -x->value;
            rho[0] = -rho[0];
        }
        emit(j, s, w[0], rho[0], unit, dense, dec, fitted);
    } else if (!err) {
        int pair = 0;
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++, pair++)
                emit(j, s, w[pair], rho[pair],
                     rk_train_pair_col(j->nlabels, m->label[a], m->label[b]),
                     dense, dec, fitted);
    }
    free(w);
    free(rho);
    return err;
}

/* An rbf model: held-out decision values from libsvm, and its text. */
static rk_err_t rbf_values(const job_t *j, const split_t *s,
                           const struct svm_model *m, int unit, double *dec,
                           fitted_t *fitted, char *errstr, size_t errstr_size) {
    double v[RK_MAX_LABELS * (RK_MAX_LABELS - 1) / 2];
    int ovr = j->conf->scheme == RK_SCHEME_OVR, k = m->nr_class;
    double sign = ovr && m->label[0] != 1 ? -1.0 : 1.0;
    for (size_t t = 0; t < s->ntest; t++) {
        double *row = dec + (size_t)s->test[t] * (size_t)j->ncols;
        svm_predict_values(m, s->x[s->test[t]], v);
        if (ovr) {
            row[unit] = sign * v[0];
            continue;
        }
        int pair = 0;
        for (int a = 0; a < k; a++)
            for (int b = a + 1; b < k; b++, pair++)
                row[rk_train_pair_col(j->nlabels, m->label[a], m->label[b])] =
                    v[pair];
    }
    if (!fitted)
        return RK_OK;
    int slot = ovr ? unit : 0;
    fitted->sign[slot] = sign;
    return rk_svm_to_text(m, &fitted->text[slot], &fitted->len[slot], errstr,
                          errstr_size);
}

/* Held-out decision values when the training part has one class only:
 * that class's side, for every column it decides. */
static void one_class(const job_t *j, const split_t *s,
                      const struct svm_problem *prob, int unit, double *dec) {
    double side = prob->l && prob->y[0] > 0 ? 1.0 : -1.0;
    for (size_t t = 0; t < s->ntest; t++)
        if (j->conf->scheme == RK_SCHEME_OVR)
            dec[(size_t)s->test[t] * (size_t)j->ncols + (size_t)unit] = side;
}

rk_err_t rk_train_fit(const job_t *j, const split_t *s, param_t p, int unit,
                      double *dec, fitted_t *fitted, char *errstr,
                      size_t errstr_size) {
    struct svm_problem prob = {0, NULL, NULL};
    int label[RK_MAX_LABELS];
    double weight[RK_MAX_LABELS];
    int dim = rk_vec_dim(s->vec), ovr = j->conf->scheme == RK_SCHEME_OVR;
    double *dense = NULL;
    struct svm_model *m = NULL;
    rk_err_t err = make_problem(j, s, unit, &prob, errstr, errstr_size);
    if (!ovr) /* pairs absent from the training part stay undecided */
        for (size_t t = 0; t < s->ntest; t++)
            memset(dec + (size_t)s->test[t] * (size_t)j->ncols, 0,
                   (size_t)j->ncols * sizeof *dec);
    int present = err ? 0 : weights(j, &prob, label, weight);
    struct svm_parameter q = params(j, p, dim, label, weight);
    const char *why =
        err || present < 2 ? NULL : svm_check_parameter(&prob, &q);
    if (!err && why)
        err = rk_fail(RK_ERR_USAGE, errstr, errstr_size, "libsvm: %s", why);
    if (!err && present < 2) {
        if (fitted) /* the final model: every label has samples */
            err =
                rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                        "label %s has no samples to train on", j->labels[unit]);
        one_class(j, s, &prob, unit, dec);
    } else if (!err) {
        m = svm_train(&prob, &q);
        if (!m)
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                          "libsvm could not train");
    }
    if (m && !is_linear(j)) {
        err = rbf_values(j, s, m, unit, dec, fitted, errstr, errstr_size);
    } else if (m) {
        if (!(dense = calloc((size_t)dim + 1, sizeof *dense)))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        else
            err = collapse(j, s, m, unit, dense, dec, fitted, errstr,
                           errstr_size);
    }
    svm_free_and_destroy_model(&m);
    free(dense);
    free(prob.y);
    free(prob.x);
    return err;
}

/* An rbf one-vs-one text with the pairwise sigmoids put in. */
static rk_err_t with_prob(char **text, size_t *len, int k, int dim,
                          const double *A, const double *B, char *errstr,
                          size_t errstr_size) {
    struct svm_model *m = NULL;
    int pairs = k * (k - 1) / 2;
    rk_err_t err =
        rk_svm_from_text(*text, *len, k, dim, 0, &m, errstr, errstr_size);
    if (!err) {
        free(m->probA);
        free(m->probB);
        m->probA = malloc((size_t)pairs * sizeof *m->probA);
        m->probB = malloc((size_t)pairs * sizeof *m->probB);
        if (!m->probA || !m->probB)
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    for (int q = 0; !err && q < pairs; q++)
        m->probA[q] = A[q], m->probB[q] = B[q];
    char *out = NULL;
    size_t out_len = 0;
    if (!err)
        err = rk_svm_to_text(m, &out, &out_len, errstr, errstr_size);
    svm_free_and_destroy_model(&m);
    if (!err) {
        free(*text);
        *text = out;
        *len = out_len;
    }
    return err;
}

rk_err_t rk_train_texts(const job_t *j, fitted_t *fitted, int dim,
                        const double *A, const double *B, rk_model_svm_t *svm,
                        char *errstr, size_t errstr_size) {
    int k = j->nlabels, ovr = j->conf->scheme == RK_SCHEME_OVR;
    rk_err_t err = RK_OK;
    memset(svm, 0, sizeof *svm);
    svm->scheme = ovr ? RK_SCHEME_OVR : RK_SCHEME_OVO;
    svm->ntext = ovr ? k : 1;
    for (int c = 0; ovr && c < k; c++)
        svm->A[c] = A[c], svm->B[c] = B[c];
    if (!is_linear(j)) {
        for (int i = 0; i < svm->ntext; i++) {
            svm->text[i] = fitted->text[i], svm->len[i] = fitted->len[i];
            fitted->text[i] = NULL;
        }
        if (!ovr)
            err = with_prob(&svm->text[0], &svm->len[0], k, dim, A, B, errstr,
                            errstr_size);
        return err;
    }
    int one_zero[2] = {1, 0}, ids[RK_MAX_LABELS];
    for (int c = 0; c < k; c++)
        ids[c] = c;
    for (int c = 0; !err && c < svm->ntext; c++) {
        const struct svm_node *const *w =
            (const struct svm_node *const *)(ovr ? &fitted->w[c] : fitted->w);
        err = rk_svm_text_collapsed(
            ovr ? 2 : k, ovr ? one_zero : ids, w,
            ovr ? &fitted->rho[c] : fitted->rho, ovr ? NULL : A, ovr ? NULL : B,
            &svm->text[c], &svm->len[c], errstr, errstr_size);
    }
    return err;
}

void rk_train_fitted_clear(fitted_t *f) {
    for (size_t i = 0; i < sizeof f->w / sizeof *f->w; i++)
        free(f->w[i]);
    for (int i = 0; i < RK_MAX_LABELS; i++)
        free(f->text[i]);
    memset(f, 0, sizeof *f);
}
