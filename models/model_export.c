/*
 * model_export.c - a model's classifier for libsvm's own tools
 * (rk_model_export_libsvm in model.h). One-vs-one is the stored text as
 * it is. One-vs-rest is one binary model per label, written by libsvm's
 * svm_save_model after its sigmoid is put in as probA/probB (in libsvm's
 * convention: the probability of its first label), and a README.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/model.h"
#include "models/svm_text.h"

static rk_err_t write_file(const char *path, const char *data, size_t len,
                           char *errstr, size_t errstr_size) {
    FILE *f = fopen(path, "w");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot write '%s'",
                       path);
    return RK_OK;
}

/* "path.L" with L's bytes outside [A-Za-z0-9_-] as '_'; malloc'd. */
static char *label_path(const char *path, const char *label) {
    size_t n = strlen(path), k = strlen(label);
    char *p = malloc(n + 1 + k + 1);
    if (!p)
        return NULL;
    memcpy(p, path, n);
    p[n] = '.';
    for (size_t i = 0; i < k; i++) {
        char c = label[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '_' || c == '-';
        p[n + 1 + i] = keep ? c : '_';
    }
    p[n + 1 + k] = '\0';
    return p;
}

/* Label i's binary model with its sigmoid as probA/probB, to file. */
static rk_err_t write_binary(const rk_model_t *m, int i, const char *file,
                             char *errstr, size_t errstr_size) {
    const rk_pred_t *pred = rk_model_pred(m);
    size_t len;
    const char *text = rk_model_svm_text(m, i, &len);
    struct svm_model *svm = NULL;
    rk_err_t err = rk_svm_from_text(text, len, 2, rk_vec_dim(rk_model_vec(m)),
                                    0, &svm, errstr, errstr_size);
    if (err)
        return err;
    double A, B;
    rk_pred_sigmoid(pred, i, &A, &B);
    int ids[2];
    svm_get_labels(svm, ids);
    /* (A, B) give label i's probability from decision values positive for
     * it; libsvm's probA/probB give its first label's, from its own
     * decision values: the same when that label is 1, else 1 - p of the
     * negated value, which is the sigmoid with B negated. */
    free(svm->probA);
    free(svm->probB);
    svm->probA = malloc(sizeof *svm->probA);
    svm->probB = malloc(sizeof *svm->probB);
    if (!svm->probA || !svm->probB)
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    else {
        svm->probA[0] = A;
        svm->probB[0] = ids[0] == 1 ? B : -B;
        svm->param.probability = 1;
    }
    char *out = NULL;
    size_t out_len = 0;
    if (!err)
        err = rk_svm_to_text(svm, &out, &out_len, errstr, errstr_size);
    svm_free_and_destroy_model(&svm);
    if (!err)
        err = write_file(file, out, out_len, errstr, errstr_size);
    free(out);
    return err;
}

static const char readme[] =
    "rakiza model %s: one-vs-rest, threshold %.17g\n\n"
    "One libsvm binary model per label, each telling that label (libsvm\n"
    "label 1) from the rest (label 0), over the vectors that\n"
    "`rakiza features --model M FILE` prints:\n\n"
    "  svm-predict -b 1 features.txt %s.<label> out.<label>\n\n"
    "prints, per paragraph, the label's own probability p(label) in the\n"
    "column of label 1: Platt's sigmoid 1 / (1 + exp(A f + B)) of the\n"
    "binary model's decision value f, with (A, B) stored in the file as\n"
    "probA and probB and the result clipped to [1e-7, 1 - 1e-7] (libsvm\n"
    "does both). rakiza's score for a label is p(label) divided by the sum\n"
    "of p over all the labels:\n\n  %s\n\n"
    "so the scores sum to 1. Its label is the one with the largest p (the\n"
    "largest score), or null when that score is under the threshold.\n"
    "Without -b 1, svm-predict prints 1 for each paragraph whose decision\n"
    "value for the label is positive and 0 otherwise; the label with the\n"
    "largest decision value is not always the one with the largest p (each\n"
    "label has its own sigmoid).\n";

static rk_err_t write_readme(const rk_model_t *m, const char *path,
                             const char *file, char *errstr,
                             size_t errstr_size) {
    const rk_pred_t *pred = rk_model_pred(m);
    char labels[RK_MAX_LABELS * 80] = "";
    size_t used = 0;
    for (int i = 0; i < rk_pred_nlabels(pred) && used < sizeof labels; i++)
        used += (size_t)snprintf(labels + used, sizeof labels - used, "%s%s",
                                 i ? " " : "", rk_pred_label(pred, i));
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    fprintf(f, readme, rk_model_id(m), rk_pred_threshold(pred), path, labels);
    fclose(f);
    rk_err_t err =
        text ? write_file(file, text, len, errstr, errstr_size)
             : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    free(text);
    return err;
}

/* Appends file to the newline-separated list *written. */
static int note(char **written, const char *file) {
    size_t old = *written ? strlen(*written) : 0, n = strlen(file);
    char *w = realloc(*written, old + n + 2);
    if (!w)
        return 0;
    memcpy(w + old, file, n);
    w[old + n] = '\n';
    w[old + n + 1] = '\0';
    *written = w;
    return 1;
}

static rk_err_t export_ovr(const rk_model_t *m, const char *path,
                           char **written, char *errstr, size_t errstr_size) {
    const rk_pred_t *pred = rk_model_pred(m);
    int k = rk_pred_nlabels(pred);
    char *files[RK_MAX_LABELS + 1] = {NULL};
    rk_err_t err = RK_OK;
    for (int i = 0; !err && i < k; i++) {
        if (!(files[i] = label_path(path, rk_pred_label(pred, i))))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        for (int j = 0; !err && j < i; j++)
            if (!strcmp(files[i], files[j]))
                err = rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                              "labels '%s' and '%s' would both be written "
                              "to '%s'",
                              rk_pred_label(pred, j), rk_pred_label(pred, i),
                              files[i]);
    }
    if (!err && !(files[k] = label_path(path, "README")))
        err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (int i = 0; !err && i < k; i++)
        if (!strcmp(files[i], files[k]))
            err = rk_fail(RK_ERR_USAGE, errstr, errstr_size,
                          "label '%s' would be written over the README '%s'",
                          rk_pred_label(pred, i), files[k]);
    for (int i = 0; !err && i < k; i++)
        err = write_binary(m, i, files[i], errstr, errstr_size);
    if (!err)
        err = write_readme(m, path, files[k], errstr, errstr_size);
    for (int i = 0; i <= k; i++) {
        if (!err && !note(written, files[i]))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
        free(files[i]);
    }
    return err;
}

rk_err_t rk_model_export_libsvm(const rk_model_t *m, const char *path,
                                char **written, char *errstr,
                                size_t errstr_size) {
    *written = NULL;
    rk_err_t err;
    if (rk_pred_scheme(rk_model_pred(m)) == RK_SCHEME_OVR) {
        err = export_ovr(m, path, written, errstr, errstr_size);
    } else {
        size_t len;
        const char *text = rk_model_svm_text(m, 0, &len);
        err = write_file(path, text, len, errstr, errstr_size);
        if (!err && !note(written, path))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    if (err) {
        free(*written);
        *written = NULL;
    }
    return err;
}
