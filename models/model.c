/*
 * model.c - see model.h. Export for libsvm's tools is model_export.c.
 */
#include "models/model.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/version.h"
#include "models/bundle.h"
#include "models/svm_text.h"

#define FORMAT_OVO 1 /* also bundles from before there was a choice */
#define FORMAT_OVR 2

struct rk_model_s {
    json_t *meta;
    rk_vec_t *vec;
    rk_pred_t *pred;
    int nsvm;
    char *svm_text[RK_MAX_LABELS]; /* as stored, for export and saving */
    size_t svm_len[RK_MAX_LABELS];
};

void rk_model_destroy(rk_model_t *m) {
    if (!m)
        return;
    json_decref(m->meta);
    rk_vec_destroy(m->vec);
    rk_pred_destroy(m->pred);
    for (int i = 0; i < RK_MAX_LABELS; i++)
        free(m->svm_text[i]);
    free(m);
}

const rk_vec_t *rk_model_vec(const rk_model_t *m) {
    return m->vec;
}
const rk_pred_t *rk_model_pred(const rk_model_t *m) {
    return m->pred;
}
json_t *rk_model_meta(const rk_model_t *m) {
    return m->meta;
}

const char *rk_model_id(const rk_model_t *m) {
    return json_string_value(json_object_get(m->meta, "id"));
}

const char *rk_model_created(const rk_model_t *m) {
    return json_string_value(json_object_get(m->meta, "created"));
}

const char *rk_model_svm_text(const rk_model_t *m, int i, size_t *len) {
    if (i < 0 || i >= m->nsvm)
        return NULL;
    *len = m->svm_len[i];
    return m->svm_text[i];
}

/* Labels from meta: 2..RK_MAX_LABELS distinct non-empty strings. */
static rk_err_t meta_labels(json_t *meta, const char **labels, int *n,
                            char *errstr, size_t errstr_size) {
    json_t *arr = json_object_get(meta, "labels");
    size_t k = json_array_size(arr);
    if (!json_is_array(arr) || k < 2 || k > RK_MAX_LABELS)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "metadata: 'labels' must list 2 to %d labels",
                       RK_MAX_LABELS);
    for (size_t i = 0; i < k; i++) {
        json_t *l = json_array_get(arr, i);
        if (!json_is_string(l) || !*json_string_value(l))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "metadata: label %zu is not a non-empty string", i);
        labels[i] = json_string_value(l);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(labels[i], labels[j]))
                return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                               "metadata: label '%s' appears twice", labels[i]);
    }
    *n = (int)k;
    return RK_OK;
}

/* The scheme meta declares: format 1 (or none) one-vs-one, 2 either. */
static rk_err_t meta_scheme(json_t *meta, rk_scheme_t *scheme, char *errstr,
                            size_t errstr_size) {
    json_t *f = json_object_get(meta, "format"),
           *s = json_object_get(meta, "scheme");
    json_int_t format = json_is_integer(f) ? json_integer_value(f) : 1;
    if (f && !json_is_integer(f))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "metadata: format is not an integer");
    if (format < 1 || format > RK_MODEL_FORMAT_MAX)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "metadata: format %lld is not one this rakiza reads "
                       "(1 to %d); a newer rakiza wrote it",
                       (long long)format, RK_MODEL_FORMAT_MAX);
    const char *name = json_is_string(s) ? json_string_value(s) : "ovo";
    if ((s && !json_is_string(s)) ||
        (strcmp(name, "ovo") && strcmp(name, "ovr")) ||
        (!strcmp(name, "ovr") && format < FORMAT_OVR))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "metadata: scheme must be \"ovo\" or \"ovr\" (format "
                       "%d or later)",
                       FORMAT_OVR);
    *scheme = !strcmp(name, "ovr") ? RK_SCHEME_OVR : RK_SCHEME_OVO;
    return RK_OK;
}

/* One-vs-rest sigmoids from meta: [[A, B], ...], one per label. */
static rk_err_t meta_sigmoids(json_t *meta, int nlabels, double *A, double *B,
                              char *errstr, size_t errstr_size) {
    json_t *arr = json_object_get(meta, "sigmoids");
    if (!json_is_array(arr) || json_array_size(arr) != (size_t)nlabels)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "metadata: 'sigmoids' must hold one [A, B] per label "
                       "(%d)",
                       nlabels);
    for (int i = 0; i < nlabels; i++) {
        json_t *ab = json_array_get(arr, (size_t)i);
        json_t *a = json_array_get(ab, 0), *b = json_array_get(ab, 1);
        if (json_array_size(ab) != 2 || !json_is_number(a) ||
            !json_is_number(b) || !isfinite(json_number_value(a)) ||
            !isfinite(json_number_value(b)))
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "metadata: sigmoid %d is not two finite numbers", i);
        A[i] = json_number_value(a);
        B[i] = json_number_value(b);
    }
    return RK_OK;
}

/* Copies text into m's slot i and loads it into *out. */
static rk_err_t take_text(rk_model_t *m, int i, const char *text, size_t len,
                          int nr_class, int need_prob, struct svm_model **out,
                          char *errstr, size_t errstr_size) {
    if (!(m->svm_text[i] = malloc(len + 1)))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    memcpy(m->svm_text[i], text, len);
    m->svm_text[i][len] = '\0';
    m->svm_len[i] = len;
    m->nsvm = i + 1;
    return rk_svm_from_text(text, len, nr_class, rk_vec_dim(m->vec), need_prob,
                            out, errstr, errstr_size);
}

/* The classifier of a bundle: its libsvm section(s), validated, as m's
 * predictor. */
static rk_err_t load_classifier(rk_model_t *m, const rk_bundle_t *b,
                                rk_scheme_t scheme, const char **labels,
                                int nlabels, double threshold, char *errstr,
                                size_t errstr_size) {
    if (scheme == RK_SCHEME_OVO) {
        const rk_bundle_section_t *s = rk_bundle_get(b, "libsvm");
        struct svm_model *model = NULL;
        if (!s)
            return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                           "missing section libsvm");
        rk_err_t err = take_text(m, 0, (const char *)s->data, s->len, nlabels,
                                 1, &model, errstr, errstr_size);
        if (err)
            return err;
        return rk_pred_new(model, labels, nlabels, threshold, &m->pred, errstr,
                           errstr_size);
    }
    double A[RK_MAX_LABELS], B[RK_MAX_LABELS];
    struct svm_model *models[RK_MAX_LABELS] = {NULL};
    rk_err_t err = meta_sigmoids(m->meta, nlabels, A, B, errstr, errstr_size);
    for (int i = 0; !err && i < nlabels; i++) {
        char name[32];
        snprintf(name, sizeof name, "libsvm.%d", i);
        const rk_bundle_section_t *s = rk_bundle_get(b, name);
        if (!s)
            err = rk_fail(RK_ERR_DATA, errstr, errstr_size,
                          "missing section %s (label %s)", name, labels[i]);
        else
            err = take_text(m, i, (const char *)s->data, s->len, 2, 0,
                            &models[i], errstr, errstr_size);
        if (err && s) { /* name the label whose model is bad */
            char inner[400];
            snprintf(inner, sizeof inner, "%s", errstr);
            rk_fail(err, errstr, errstr_size, "%s (label %s): %s", name,
                    labels[i], inner);
        }
    }
    if (err) {
        for (int i = 0; i < nlabels; i++)
            svm_free_and_destroy_model(&models[i]);
        return err;
    }
    return rk_pred_new_ovr(models, A, B, labels, nlabels, threshold, &m->pred,
                           errstr, errstr_size);
}

rk_err_t rk_model_load(const char *path, rk_model_t **out, char *errstr,
                       size_t errstr_size) {
    *out = NULL;
    rk_bundle_t b;
    rk_err_t err = rk_bundle_read(path, &b, errstr, errstr_size);
    if (err)
        return err;
    char inner[512] = "";
    rk_model_t *m = calloc(1, sizeof *m);
    const rk_bundle_section_t *meta = rk_bundle_get(&b, "meta"),
                              *vec = rk_bundle_get(&b, "vectorizer");
    if (!m)
        err = rk_fail(RK_ERR_NOMEM, inner, sizeof inner, "out of memory");
    else if (!meta || !vec)
        err = rk_fail(RK_ERR_DATA, inner, sizeof inner,
                      "missing section (meta and vectorizer needed)");
    json_error_t jerr;
    if (!err &&
        !(m->meta = json_loadb((const char *)meta->data, meta->len, 0, &jerr)))
        err = rk_fail(RK_ERR_DATA, inner, sizeof inner, "metadata: %s",
                      jerr.text);
    const char *labels[RK_MAX_LABELS];
    int nlabels = 0;
    rk_scheme_t scheme = RK_SCHEME_OVO;
    json_t *th = m && m->meta ? json_object_get(m->meta, "threshold") : NULL;
    if (!err && (!json_is_object(m->meta) ||
                 !json_is_string(json_object_get(m->meta, "id")) ||
                 !json_is_string(json_object_get(m->meta, "created")) ||
                 !json_is_number(th)))
        err = rk_fail(RK_ERR_DATA, inner, sizeof inner,
                      "metadata: id, created and threshold are required");
    if (!err)
        err = meta_scheme(m->meta, &scheme, inner, sizeof inner);
    if (!err)
        err = meta_labels(m->meta, labels, &nlabels, inner, sizeof inner);
    if (!err)
        err = rk_vec_load(vec->data, vec->len, &m->vec, inner, sizeof inner);
    if (!err)
        err = load_classifier(m, &b, scheme, labels, nlabels,
                              json_number_value(th), inner, sizeof inner);
    rk_bundle_free(&b);
    if (err) {
        rk_model_destroy(m);
        return rk_fail(err, errstr, errstr_size, "%s: %s", path, inner);
    }
    *out = m;
    return RK_OK;
}

static void iso_now(char *buf, size_t n) {
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    time_t t = sde ? (time_t)strtoll(sde, NULL, 10) : time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The predictor from svm's texts, now m's (loaded back from the text). */
static rk_err_t build_pred(rk_model_t *m, rk_model_svm_t *svm,
                           const char *const *labels, int nlabels,
                           double threshold, char *errstr, size_t errstr_size) {
    int ovo = svm->scheme == RK_SCHEME_OVO, n = ovo ? 1 : nlabels;
    struct svm_model *models[RK_MAX_LABELS] = {NULL};
    rk_err_t err =
        svm->ntext == n
            ? RK_OK
            : rk_fail(RK_ERR_INTERNAL, errstr, errstr_size,
                      "%d libsvm texts for %d labels", svm->ntext, nlabels);
    for (int i = 0; i < svm->ntext; i++) {
        m->svm_text[i] = svm->text[i];
        m->svm_len[i] = svm->len[i];
        svm->text[i] = NULL;
    }
    m->nsvm = svm->ntext;
    for (int i = 0; !err && i < n; i++)
        err = rk_svm_from_text(m->svm_text[i], m->svm_len[i], ovo ? nlabels : 2,
                               rk_vec_dim(m->vec), ovo, &models[i], errstr,
                               errstr_size);
    if (err) {
        for (int i = 0; i < n; i++)
            svm_free_and_destroy_model(&models[i]);
        return err;
    }
    if (ovo)
        return rk_pred_new(models[0], labels, nlabels, threshold, &m->pred,
                           errstr, errstr_size);
    return rk_pred_new_ovr(models, svm->A, svm->B, labels, nlabels, threshold,
                           &m->pred, errstr, errstr_size);
}

/* The id names what scores: vectoriser, classifier (and one-vs-rest's
 * sigmoids), labels, threshold. A one-vs-one model's id is computed as it
 * always was. */
static uint64_t model_hash(const rk_model_t *m, const unsigned char *blob,
                           size_t blob_len, const rk_model_svm_t *svm,
                           const char *const *labels, int nlabels,
                           double threshold) {
    uint64_t h = rk_fnv1a(RK_FNV_OFFSET, blob, blob_len);
    for (int i = 0; i < m->nsvm; i++)
        h = rk_fnv1a(h, m->svm_text[i], m->svm_len[i]);
    for (int i = 0; i < nlabels; i++)
        h = rk_fnv1a(h, labels[i], strlen(labels[i]) + 1);
    h = rk_fnv1a(h, &threshold, sizeof threshold);
    if (svm->scheme == RK_SCHEME_OVR)
        for (int i = 0; i < nlabels; i++) {
            h = rk_fnv1a(h, &svm->A[i], sizeof svm->A[i]);
            h = rk_fnv1a(h, &svm->B[i], sizeof svm->B[i]);
        }
    return h;
}

rk_err_t rk_model_build(json_t *meta, rk_vec_t *vec, rk_model_svm_t *svm,
                        const char *const *labels, int nlabels,
                        double threshold, rk_model_t **out, char *errstr,
                        size_t errstr_size) {
    *out = NULL;
    rk_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        rk_vec_destroy(vec);
        for (int i = 0; i < svm->ntext; i++) {
            free(svm->text[i]);
            svm->text[i] = NULL;
        }
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    m->vec = vec;
    m->meta = json_incref(meta);
    rk_err_t err =
        build_pred(m, svm, labels, nlabels, threshold, errstr, errstr_size);
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    if (!err)
        err = rk_vec_save(vec, &blob, &blob_len, errstr, errstr_size);
    if (err) {
        rk_model_destroy(m);
        return err;
    }
    uint64_t h = model_hash(m, blob, blob_len, svm, labels, nlabels, threshold);
    free(blob);
    json_t *arr = json_array();
    for (int i = 0; i < nlabels; i++)
        json_array_append_new(arr, json_string(labels[i]));
    char id[32], created[32];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)h);
    iso_now(created, sizeof created);
    int ovr = svm->scheme == RK_SCHEME_OVR;
    json_object_set_new(meta, "format",
                        json_integer(ovr ? FORMAT_OVR : FORMAT_OVO));
    json_object_set_new(meta, "scheme", json_string(ovr ? "ovr" : "ovo"));
    json_object_set_new(meta, "id", json_string(id));
    json_object_set_new(meta, "created", json_string(created));
    json_object_set_new(meta, "rakiza_version", json_string(RK_VERSION));
    json_object_set_new(meta, "labels", arr);
    json_object_set_new(meta, "threshold", json_real(threshold));
    if (ovr) {
        json_t *sig = json_array();
        for (int i = 0; i < nlabels; i++)
            json_array_append_new(sig,
                                  json_pack("[f,f]", svm->A[i], svm->B[i]));
        json_object_set_new(meta, "sigmoids", sig);
    }
    *out = m;
    return RK_OK;
}

rk_err_t rk_model_save(const rk_model_t *m, const char *path, char *errstr,
                       size_t errstr_size) {
    unsigned char *blob;
    size_t blob_len;
    rk_err_t err = rk_vec_save(m->vec, &blob, &blob_len, errstr, errstr_size);
    if (err)
        return err;
    char *meta = json_dumps(m->meta, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!meta) {
        free(blob);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    rk_bundle_section_t sec[RK_MAX_LABELS + 2] = {
        {"meta", (const unsigned char *)meta, strlen(meta)},
        {"vectorizer", blob, blob_len}};
    char names[RK_MAX_LABELS][32];
    int ovr = rk_pred_scheme(m->pred) == RK_SCHEME_OVR;
    for (int i = 0; i < m->nsvm; i++) {
        if (ovr)
            snprintf(names[i], sizeof names[i], "libsvm.%d", i);
        else
            snprintf(names[i], sizeof names[i], "libsvm");
        sec[2 + i] = (rk_bundle_section_t){
            names[i], (const unsigned char *)m->svm_text[i], m->svm_len[i]};
    }
    err = rk_bundle_write(path, sec, 2 + (size_t)m->nsvm, errstr, errstr_size);
    free(meta);
    free(blob);
    return err;
}

const char *rk_model_default_path(void) {
    static char path[4096];
    const char *home = getenv("RAKIZA_HOME");
    if (home) {
        snprintf(path, sizeof path, "%s/models/default.rkz", home);
        return path;
    }
    snprintf(path, sizeof path, "%s/models/default.rkz", RAKIZA_SOURCE_DIR);
    return path;
}
