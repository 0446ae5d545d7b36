/*
 * vectorize.h - paragraph text to the sparse vector a model scores.
 *
 * Raw paragraph text goes in; the vectoriser normalises it (normalize.h),
 * tokenises and stems it (tokenize.h), hashes word unigrams/bigrams and
 * character n-grams into a fixed-size space, weights them by sublinear TF
 * times the IDF learned at training time, and L2-normalises. Every setting
 * lives in an rk_vec_conf_t, and rk_vec_save() stores the settings with the
 * learned tables, so training and serving can never disagree.
 *
 * Ownership: an rk_vec_t is immutable once fitted or loaded and may be
 * shared by any number of threads; each thread owns its rk_vec_ctx_t, whose
 * buffers are reused from call to call (the hot path allocates nothing per
 * token).
 */
#ifndef RK_VECTORIZE_H
#define RK_VECTORIZE_H

#include <libsvm/svm.h>
#include <stddef.h>

#include "core/err.h"
#include "core/settings.h"

/* ---- settings ---------------------------------------------------------- */

typedef struct rk_vec_conf_s rk_vec_conf_t;

/* Every vectoriser setting: key, type, range, default, description. */
extern const rk_setting_t rk_vec_settings[];

/* A conf holding every default. The caller frees with rk_vec_conf_destroy. */
rk_vec_conf_t *rk_vec_conf_new(void);
void rk_vec_conf_destroy(rk_vec_conf_t *conf);

/* The one setter for CLI flags, properties files and bundles alike: an
 * unknown key or a bad value is RK_ERR_USAGE with a message naming it. */
rk_err_t rk_vec_conf_set(rk_vec_conf_t *conf, const char *key,
                         const char *value, char *errstr, size_t errstr_size);

/* Calls fn for every setting, in a stable order, with values as strings
 * that rk_vec_conf_set accepts back. */
void rk_vec_conf_foreach(const rk_vec_conf_t *conf,
                         void (*fn)(const char *key, const char *value,
                                    void *opaque),
                         void *opaque);

/* ---- the vectoriser ---------------------------------------------------- */

typedef struct rk_vec_s rk_vec_t;
typedef struct rk_vec_ctx_s rk_vec_ctx_t;

/* A vectoriser with a copy of conf and no IDF yet (all IDF weights 1). */
rk_err_t rk_vec_new(const rk_vec_conf_t *conf, rk_vec_t **out, char *errstr,
                    size_t errstr_size);
void rk_vec_destroy(rk_vec_t *vec);

/* Feature indices run from 1 to rk_vec_dim() inclusive. */
int rk_vec_dim(const rk_vec_t *vec);

/* Learns IDF from n training paragraphs (texts[i] of lens[i] bytes, in
 * language langs[i] - "ar", "en" or NULL to detect). */
rk_err_t rk_vec_fit(rk_vec_t *vec, const char *const *texts, const size_t *lens,
                    const char *const *langs, size_t n, char *errstr,
                    size_t errstr_size);

rk_vec_ctx_t *rk_vec_ctx_new(void);
void rk_vec_ctx_destroy(rk_vec_ctx_t *ctx);

/* Vectorises one paragraph. *out points into ctx (valid until the next
 * call with ctx): nodes in ascending index order, terminated by a node
 * with index -1 as libsvm expects; *n counts the nodes before it.
 * Invalid UTF-8 is RK_ERR_DATA naming the byte offset. */
rk_err_t rk_vec_transform(const rk_vec_t *vec, rk_vec_ctx_t *ctx,
                          const char *text, size_t len, const char *lang,
                          const struct svm_node **out, int *n, char *errstr,
                          size_t errstr_size);

/* rk_vec_transform for text already known to be valid UTF-8 (a paragraph
 * from rk_seg_split, which checked the whole document), without checking
 * it again (asserted in debug builds). The same vector. */
rk_err_t rk_vec_transform_valid(const rk_vec_t *vec, rk_vec_ctx_t *ctx,
                                const char *text, size_t len, const char *lang,
                                const struct svm_node **out, int *n,
                                char *errstr, size_t errstr_size);

/* The fast paths of normalising and splitting words on (1, default) or off
 * (ICU for every text; see normalize.h, tokenize.h): the same vectors
 * either way, which the tests and the fuzzer check. */
void rk_vec_ctx_set_fast(rk_vec_ctx_t *ctx, int on);

/* A readable term (token, bigram "a b" or char n-gram "#abc") that fed
 * feature idx in the last rk_vec_transform with ctx, or NULL. Valid until
 * the next call with ctx. For explanations. */
const char *rk_vec_ctx_term(const rk_vec_ctx_t *ctx, int idx);

/* ---- persistence ------------------------------------------------------- */

/* Serialises settings and learned tables into a malloc'd blob (the caller
 * frees *buf). rk_vec_load validates every size and index before use, so a
 * damaged or hostile blob is refused, never read out of bounds. */
rk_err_t rk_vec_save(const rk_vec_t *vec, unsigned char **buf, size_t *len,
                     char *errstr, size_t errstr_size);
rk_err_t rk_vec_load(const unsigned char *buf, size_t len, rk_vec_t **out,
                     char *errstr, size_t errstr_size);

#endif
