/*
 * model.c - see model.h.
 */
#include "models/model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/limits.h"
#include "core/version.h"
#include "models/bundle.h"
#include "models/svm_text.h"

#define MODEL_FORMAT 1

struct rk_model_s {
    json_t *meta;
    rk_vec_t *vec;
    rk_pred_t *pred;
    char *svm_text; /* as stored, for export and saving */
    size_t svm_len;
};

void rk_model_destroy(rk_model_t *m) {
    if (!m)
        return;
    json_decref(m->meta);
    rk_vec_destroy(m->vec);
    rk_pred_destroy(m->pred);
    free(m->svm_text);
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
                              *vec = rk_bundle_get(&b, "vectorizer"),
                              *svm = rk_bundle_get(&b, "libsvm");
    if (!m)
        err = rk_fail(RK_ERR_NOMEM, inner, sizeof inner, "out of memory");
    else if (!meta || !vec || !svm)
        err = rk_fail(RK_ERR_DATA, inner, sizeof inner,
                      "missing section (meta, vectorizer and libsvm needed)");
    json_error_t jerr;
    if (!err &&
        !(m->meta = json_loadb((const char *)meta->data, meta->len, 0, &jerr)))
        err = rk_fail(RK_ERR_DATA, inner, sizeof inner, "metadata: %s",
                      jerr.text);
    const char *labels[RK_MAX_LABELS];
    int nlabels = 0;
    json_t *th = m && m->meta ? json_object_get(m->meta, "threshold") : NULL;
    if (!err && (!json_is_object(m->meta) ||
                 !json_is_string(json_object_get(m->meta, "id")) ||
                 !json_is_string(json_object_get(m->meta, "created")) ||
                 !json_is_number(th)))
        err = rk_fail(RK_ERR_DATA, inner, sizeof inner,
                      "metadata: id, created and threshold are required");
    if (!err)
        err = meta_labels(m->meta, labels, &nlabels, inner, sizeof inner);
    if (!err)
        err = rk_vec_load(vec->data, vec->len, &m->vec, inner, sizeof inner);
    struct svm_model *model = NULL;
    if (!err)
        err = rk_svm_from_text((const char *)svm->data, svm->len, nlabels,
                               rk_vec_dim(m->vec), &model, inner, sizeof inner);
    if (!err)
        err = rk_pred_new(model, labels, nlabels, json_number_value(th),
                          &m->pred, inner, sizeof inner);
    if (!err && !(m->svm_text = malloc(svm->len + 1)))
        err = rk_fail(RK_ERR_NOMEM, inner, sizeof inner, "out of memory");
    if (!err) {
        memcpy(m->svm_text, svm->data, svm->len);
        m->svm_text[svm->len] = '\0';
        m->svm_len = svm->len;
    }
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

rk_err_t rk_model_build(json_t *meta, rk_vec_t *vec, struct svm_model *svm,
                        const char *const *labels, int nlabels,
                        double threshold, rk_model_t **out, char *errstr,
                        size_t errstr_size) {
    *out = NULL;
    rk_model_t *m = calloc(1, sizeof *m);
    if (!m) {
        rk_vec_destroy(vec);
        svm_free_and_destroy_model(&svm);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    m->vec = vec;
    m->meta = json_incref(meta);
    /* A freshly trained libsvm model points into the caller's training
     * vectors; scoring uses the model reloaded from its text instead, which
     * owns its memory and proves the stored text is what scores. */
    rk_err_t err =
        rk_svm_to_text(svm, &m->svm_text, &m->svm_len, errstr, errstr_size);
    svm_free_and_destroy_model(&svm);
    struct svm_model *loaded = NULL;
    if (!err)
        err = rk_svm_from_text(m->svm_text, m->svm_len, nlabels,
                               rk_vec_dim(vec), &loaded, errstr, errstr_size);
    if (!err)
        err = rk_pred_new(loaded, labels, nlabels, threshold, &m->pred, errstr,
                          errstr_size);
    unsigned char *blob = NULL;
    size_t blob_len = 0;
    if (!err)
        err = rk_vec_save(vec, &blob, &blob_len, errstr, errstr_size);
    if (err) {
        rk_model_destroy(m);
        return err;
    }
    /* The id names what scores: vectoriser, classifier, labels, threshold. */
    uint64_t h = rk_fnv1a(RK_FNV_OFFSET, blob, blob_len);
    h = rk_fnv1a(h, m->svm_text, m->svm_len);
    json_t *arr = json_array();
    for (int i = 0; i < nlabels; i++) {
        h = rk_fnv1a(h, labels[i], strlen(labels[i]) + 1);
        json_array_append_new(arr, json_string(labels[i]));
    }
    h = rk_fnv1a(h, &threshold, sizeof threshold);
    free(blob);
    char id[32], created[32];
    snprintf(id, sizeof id, "%016llx", (unsigned long long)h);
    iso_now(created, sizeof created);
    json_object_set_new(meta, "format", json_integer(MODEL_FORMAT));
    json_object_set_new(meta, "id", json_string(id));
    json_object_set_new(meta, "created", json_string(created));
    json_object_set_new(meta, "rakiza_version", json_string(RK_VERSION));
    json_object_set_new(meta, "labels", arr);
    json_object_set_new(meta, "threshold", json_real(threshold));
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
    rk_bundle_section_t sec[] = {
        {"meta", (const unsigned char *)meta, strlen(meta)},
        {"vectorizer", blob, blob_len},
        {"libsvm", (const unsigned char *)m->svm_text, m->svm_len}};
    err = rk_bundle_write(path, sec, 3, errstr, errstr_size);
    free(meta);
    free(blob);
    return err;
}

rk_err_t rk_model_export_libsvm(const rk_model_t *m, const char *path,
                                char *errstr, size_t errstr_size) {
    FILE *f = fopen(path, "w");
    int ok = f && fwrite(m->svm_text, 1, m->svm_len, f) == m->svm_len;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok)
        return rk_fail(RK_ERR_IO, errstr, errstr_size, "cannot write '%s'",
                       path);
    return RK_OK;
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
