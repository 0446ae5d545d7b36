/*
 * model.h - a trained model: its metadata, vectoriser and classifier, as
 * stored in an .rkz bundle (bundle.h) with three sections:
 *   meta        JSON: format, id, created, rakiza_version, labels,
 *               threshold, kernel, C, gamma, vectorizer (settings),
 *               training (n, label_counts, digest), cv (scores)
 *   vectorizer  the saved vectoriser (vectorize.h)
 *   libsvm      the libsvm model in libsvm's own text format
 * Loading validates every part before use; a model is immutable once
 * loaded and may be shared by threads.
 */
#ifndef RK_MODEL_H
#define RK_MODEL_H

#include <jansson.h>
#include <libsvm/svm.h>

#include "models/predict.h"
#include "text/vectorize.h"

typedef struct rk_model_s rk_model_t;

rk_err_t rk_model_load(const char *path, rk_model_t **out, char *errstr,
                       size_t errstr_size);

/* Builds a model from trained parts, taking ownership of vec and svm
 * (also on failure); svm may point into the caller's training vectors,
 * which may be freed once this returns. meta holds everything but id, created,
 * labels and threshold, which this fills in; it is borrowed (a reference is
 * taken). created comes from $SOURCE_DATE_EPOCH when set, so builds can be
 * reproduced byte for byte. */
rk_err_t rk_model_build(json_t *meta, rk_vec_t *vec, struct svm_model *svm,
                        const char *const *labels, int nlabels,
                        double threshold, rk_model_t **out, char *errstr,
                        size_t errstr_size);

rk_err_t rk_model_save(const rk_model_t *m, const char *path, char *errstr,
                       size_t errstr_size);

/* Writes the libsvm model in libsvm's own text format to path. */
rk_err_t rk_model_export_libsvm(const rk_model_t *m, const char *path,
                                char *errstr, size_t errstr_size);

void rk_model_destroy(rk_model_t *m);

const rk_vec_t *rk_model_vec(const rk_model_t *m);
const rk_pred_t *rk_model_pred(const rk_model_t *m);
json_t *rk_model_meta(const rk_model_t *m); /* borrowed */
const char *rk_model_id(const rk_model_t *m);
const char *rk_model_created(const rk_model_t *m);

/* The shipped default model: $RAKIZA_HOME/models/default.rkz, else the
 * source tree's models/default.rkz. Valid until the next call. */
const char *rk_model_default_path(void);

#endif
