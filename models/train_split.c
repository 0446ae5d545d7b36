/*
 * train_split.c - a split's parts, vectors and kernel matrix
 * (train_internal.h). The kernel matrix of a linear model is x_r . x_c
 * for every pair of training samples, computed once per split and shared
 * by every libsvm problem trained on it (each label, each C): libsvm then
 * looks kernel values up (its precomputed kernel) instead of merging two
 * sparse vectors each time, which is where its training time went. Rows
 * are computed GRAM_BLOCK at a time, blocks dealt round-robin to the
 * RK_TRAIN_GRAM_TASKS parts; block b costs about b, so the parts are
 * balanced.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/train_internal.h"

/* Kernel rows computed together (see gram_block). */
#define GRAM_BLOCK 16

rk_err_t rk_train_split_init(const job_t *j, split_t *s, const int *fold_of,
                             int f, char *errstr, size_t errstr_size) {
    size_t n = j->data->count;
    memset(s, 0, sizeof *s);
    s->train = malloc(n * sizeof *s->train);
    s->test = malloc(n * sizeof *s->test);
    if (!s->train || !s->test)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    /* Training samples grouped by label (in label order), so libsvm
     * numbers its classes as the labels are numbered. */
    for (int k = 0; k < j->nlabels; k++)
        for (size_t i = 0; i < n; i++)
            if (j->y[i] == k && (f < 0 || fold_of[i] != f))
                s->train[s->ntrain++] = (int)i;
    for (size_t i = 0; f >= 0 && i < n; i++)
        if (fold_of[i] == f)
            s->test[s->ntest++] = (int)i;
    return RK_OK;
}

rk_err_t rk_train_split_vectorise(const job_t *j, split_t *s, char *errstr,
                                  size_t errstr_size) {
    const rk_sample_set_t *d = j->data;
    size_t n = d->count;
    const char **texts = malloc(s->ntrain * sizeof *texts + 1);
    size_t *lens = malloc(s->ntrain * sizeof *lens + 1);
    s->x = calloc(n, sizeof *s->x);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    rk_err_t err =
        texts && lens && s->x && ctx
            ? RK_OK
            : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t r = 0; !err && r < s->ntrain; r++) {
        texts[r] = d->items[s->train[r]].text;
        lens[r] = d->items[s->train[r]].text_len;
    }
    if (!err)
        err = rk_vec_new(j->conf->vec, &s->vec, errstr, errstr_size);
    if (!err)
        err = rk_vec_fit(s->vec, texts, lens, NULL, s->ntrain, errstr,
                         errstr_size);
    for (size_t i = 0; !err && i < n; i++) {
        const struct svm_node *nodes;
        int k;
        err = rk_vec_transform(s->vec, ctx, d->items[i].text,
                               d->items[i].text_len, d->items[i].lang, &nodes,
                               &k, errstr, errstr_size);
        if (err) {
            char inner[256];
            snprintf(inner, sizeof inner, "%s", errstr);
            rk_fail(err, errstr, errstr_size, "sample %s: %s",
                    d->items[i].source, inner);
        } else if (!(s->x[i] = malloc((size_t)(k + 1) * sizeof *nodes))) {
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        } else {
            memcpy(s->x[i], nodes, (size_t)(k + 1) * sizeof *nodes);
        }
    }
    free(texts);
    free(lens);
    rk_vec_ctx_destroy(ctx);
    return err;
}

rk_err_t rk_train_split_alloc_gram(split_t *s, char *errstr,
                                   size_t errstr_size) {
    size_t l = s->ntrain;
    s->kx = malloc(l * (l + 2) * sizeof *s->kx);
    if (!s->kx)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                       "out of memory for the kernel matrix of %zu samples", l);
    return RK_OK;
}

/* Rows r0 .. r0+b-1 against every column c < r0 + b, for c <= r. The
 * rows' features are gathered into slots (slot[feature], -1 when none of
 * them has it) holding the b values side by side, so each column's
 * features are looked up once for all b rows. */
static void gram_block(split_t *s, size_t r0, size_t b, int32_t *slot,
                       double *vals) {
    size_t l = s->ntrain, stride = l + 2, nslots = 0;
    for (size_t t = 0; t < b; t++)
        for (const struct svm_node *x = s->x[s->train[r0 + t]]; x->index != -1;
             x++) {
            if (slot[x->index] < 0) {
                slot[x->index] = (int32_t)nslots;
                memset(vals + nslots * GRAM_BLOCK, 0,
                       GRAM_BLOCK * sizeof *vals);
                nslots++;
            }
            vals[(size_t)slot[x->index] * GRAM_BLOCK + t] = x->value;
        }
    for (size_t t = 0; t < b; t++) {
        struct svm_node *row = s->kx + (r0 + t) * stride;
        row[0] = (struct svm_node){0, (double)(r0 + t + 1)};
        row[l + 1] = (struct svm_node){-1, 0.0};
    }
    for (size_t c = 0; c < r0 + b; c++) {
        double dot[GRAM_BLOCK] = {0};
        for (const struct svm_node *x = s->x[s->train[c]]; x->index != -1;
             x++) {
            int32_t k = slot[x->index];
            if (k < 0)
                continue;
            const double *v = vals + (size_t)k * GRAM_BLOCK;
            for (size_t t = 0; t < GRAM_BLOCK; t++)
                dot[t] += x->value * v[t];
        }
        /* Cell (r, c) and its mirror (c, r), c <= r: each written by
         * exactly one block, and K is symmetric bit for bit. */
        for (size_t t = c > r0 ? c - r0 : 0; t < b; t++) {
            size_t r = r0 + t;
            s->kx[r * stride + c + 1] = (struct svm_node){(int)c + 1, dot[t]};
            s->kx[c * stride + r + 1] = (struct svm_node){(int)r + 1, dot[t]};
        }
    }
    for (size_t t = 0; t < b; t++)
        for (const struct svm_node *x = s->x[s->train[r0 + t]]; x->index != -1;
             x++)
            slot[x->index] = -1;
}

rk_err_t rk_train_split_gram(const job_t *j, split_t *s, int part, char *errstr,
                             size_t errstr_size) {
    size_t l = s->ntrain, most = 0;
    int dim = rk_vec_dim(s->vec);
    (void)j;
    for (size_t r = 0; r < l; r++) {
        size_t k = 0;
        for (const struct svm_node *x = s->x[s->train[r]]; x->index != -1; x++)
            k++;
        most = k > most ? k : most;
    }
    int32_t *slot = malloc(((size_t)dim + 1) * sizeof *slot);
    double *vals = malloc((most * GRAM_BLOCK + 1) * GRAM_BLOCK * sizeof *vals);
    if (!slot || !vals) {
        free(slot);
        free(vals);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    for (int i = 0; i <= dim; i++)
        slot[i] = -1;
    size_t blocks = (l + GRAM_BLOCK - 1) / GRAM_BLOCK;
    for (size_t bl = (size_t)part; bl < blocks; bl += RK_TRAIN_GRAM_TASKS) {
        size_t r0 = bl * GRAM_BLOCK;
        gram_block(s, r0, l - r0 < GRAM_BLOCK ? l - r0 : GRAM_BLOCK, slot,
                   vals);
    }
    free(slot);
    free(vals);
    return RK_OK;
}

void rk_train_split_clear(split_t *s, size_t n) {
    for (size_t i = 0; s->x && i < n; i++)
        free(s->x[i]);
    free(s->x);
    free(s->kx);
    free(s->train);
    free(s->test);
    rk_vec_destroy(s->vec);
    memset(s, 0, sizeof *s);
}
