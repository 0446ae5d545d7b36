/*
 * model.h - a trained model: its metadata, vectoriser and classifier, as
 * stored in an .rkz bundle (bundle.h) with these sections:
 *   meta        JSON: format, id, created, rakiza_version, labels,
 *               threshold, scheme, kernel, C, gamma, vectorizer (settings),
 *               training (n, label_counts, digest), cv and cv_paragraph
 *               (scores), and for one-vs-rest sigmoids ([A, B] per label)
 *   vectorizer  the saved vectoriser (vectorize.h)
 *   libsvm      one-vs-one: the libsvm model in libsvm's own text format,
 *               with its pairwise probability estimates (probA/probB)
 *   libsvm.I    one-vs-rest: label I's binary libsvm model (I = 0, 1, ...
 *               in the order of meta's labels), libsvm labels 1 (label I)
 *               and 0 (the rest)
 * meta's "format" is 1 for one-vs-one (what every rakiza reads; bundles
 * from before one-vs-rest have no "scheme" and are one-vs-one) and 2 for
 * one-vs-rest; a later format is refused, naming it. Loading validates
 * every part before use; a model is immutable once loaded and may be
 * shared by threads.
 */
#ifndef RK_MODEL_H
#define RK_MODEL_H

#include <jansson.h>
#include <libsvm/svm.h>

#include "core/limits.h"
#include "models/predict.h"
#include "text/vectorize.h"

/* The newest meta format this rakiza reads and writes (one-vs-rest). */
#define RK_MODEL_FORMAT_MAX 2

typedef struct rk_model_s rk_model_t;

/* A trained classifier as libsvm texts (svm_text.h), handed to
 * rk_model_build: one-vs-one, one text of nlabels classes labelled
 * 0..nlabels-1 with probA/probB; one-vs-rest, ntext = nlabels binary
 * texts (labels 1 and 0) and a sigmoid per label. */
typedef struct rk_model_svm_s {
    rk_scheme_t scheme;
    int ntext;
    char *text[RK_MAX_LABELS]; /* malloc'd; rk_model_build takes them */
    size_t len[RK_MAX_LABELS];
    double A[RK_MAX_LABELS], B[RK_MAX_LABELS]; /* one-vs-rest */
} rk_model_svm_t;

rk_err_t rk_model_load(const char *path, rk_model_t **out, char *errstr,
                       size_t errstr_size);

/* Builds a model from trained parts, taking ownership of vec and of
 * svm's texts (also on failure; svm's text pointers are set to NULL). The
 * texts are loaded back through the same validation as a bundle's, so
 * what scores is what is stored. meta holds everything but format, id,
 * created, labels, threshold, scheme and sigmoids, which this fills in; it
 * is borrowed (a reference is taken). created comes from
 * $SOURCE_DATE_EPOCH when set, so builds can be reproduced byte for byte. */
rk_err_t rk_model_build(json_t *meta, rk_vec_t *vec, rk_model_svm_t *svm,
                        const char *const *labels, int nlabels,
                        double threshold, rk_model_t **out, char *errstr,
                        size_t errstr_size);

rk_err_t rk_model_save(const rk_model_t *m, const char *path, char *errstr,
                       size_t errstr_size);

/* Writes the classifier for libsvm's own tools. One-vs-one: the libsvm
 * model, in libsvm's text format, to path. One-vs-rest: label L's binary
 * model to "path.L" (L with bytes outside [A-Za-z0-9_-] written as '_'),
 * with its sigmoid as libsvm's probA/probB so that `svm-predict -b 1`
 * prints the label's own probability, and "path.README" saying how
 * rakiza combines them; the paths written are listed in *written (the
 * caller frees it; NULL on failure). */
rk_err_t rk_model_export_libsvm(const rk_model_t *m, const char *path,
                                char **written, char *errstr,
                                size_t errstr_size);

/* The stored libsvm text of classifier i (0 ..< rk_pred_nsvm). */
const char *rk_model_svm_text(const rk_model_t *m, int i, size_t *len);

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
