/*
 * labels.h - the labels topic as a set of labelled samples (the contract's
 * "Labelled samples as a stream"): one message per labelled paragraph,
 * keyed by a stable sample id (DOC_ID:INDEX), value a JSON object with at
 * least "text" and "label". A later message with the same key replaces the
 * earlier one; a null value (tombstone) withdraws the key. The learner
 * reads the whole topic from its beginning every time and applies each
 * message here in read order, so no log compaction is relied on.
 *
 * A message that cannot be a sample gets a dead-letter code (the
 * contract's rakiza.error values) and changes nothing: a value that is not
 * strict UTF-8 (bad_utf8), not a JSON object (bad_json), without a key or
 * with a missing or mistyped field (bad_field), empty (empty), over
 * RK_LABELS_MAX_BYTES (too_large), or a label outside the allowed set
 * (bad_label). The caller sends it to the dead-letter topic.
 *
 * Costs: apply is a hash lookup and a copy of the sample; a set holds each
 * key once (withdrawn keys keep their slot). Not thread-safe.
 */
#ifndef RK_LEARN_LABELS_H
#define RK_LEARN_LABELS_H

#include <stddef.h>

#include "core/err.h"
#include "models/labelled.h"

#define RK_LABELS_MAX_BYTES ((size_t)1 << 20) /* one message's value */

typedef enum rk_label_code_e {
    RK_LABEL_OK,        /* a sample, stored (replacing any earlier one) */
    RK_LABEL_TOMBSTONE, /* a null value: the key withdrawn */
    RK_LABEL_BAD_UTF8,
    RK_LABEL_BAD_JSON,
    RK_LABEL_BAD_FIELD,
    RK_LABEL_BAD_LABEL,
    RK_LABEL_EMPTY,
    RK_LABEL_TOO_LARGE
} rk_label_code_t;

/* The dead-letter code of c ("bad_label", ...); NULL for OK and TOMBSTONE. */
const char *rk_label_code_name(rk_label_code_t c);

typedef struct rk_labels_s rk_labels_t;

/* An empty set that allows no label yet (see rk_labels_allow). NULL when
 * out of memory. */
rk_labels_t *rk_labels_new(void);
void rk_labels_destroy(rk_labels_t *s); /* NULL-safe */

/* Sets the allowed labels (copied; replaces any earlier list). Samples
 * already stored are kept. */
rk_err_t rk_labels_allow(rk_labels_t *s, const char *const *labels, int n,
                         char *errstr, size_t errstr_size);

/* Applies one message: key (may be NULL), value (NULL for a tombstone).
 * *code says what became of it; when it is a dead-letter code, why holds a
 * one-line reason. Returns RK_ERR_NOMEM (and changes nothing) when out of
 * memory, else RK_OK. */
rk_err_t rk_labels_apply(rk_labels_t *s, const void *key, size_t key_len,
                         const void *value, size_t len, rk_label_code_t *code,
                         char *why, size_t why_size);

/* Samples held now (withdrawn keys not counted). */
size_t rk_labels_count(const rk_labels_t *s);

/* Appends copies of the samples held, in key order (so the order does not
 * depend on how partitions interleaved), to out; each sample's source is
 * "label:KEY" and its cross-validation group "label:DOC_ID" (the key up to
 * its last ':'). A sample without a lang gets its script's language. */
rk_err_t rk_labels_samples(const rk_labels_t *s, rk_sample_set_t *out,
                           char *errstr, size_t errstr_size);

/* Appends a copy of sample to set (zero-initialised before first use); a
 * sample without a group gets its source as group. RK_ERR_NOMEM leaves set
 * as it was. Shared by the learner's merging. */
rk_err_t rk_sample_push_copy(rk_sample_set_t *set, const rk_sample_t *sample,
                             char *errstr, size_t errstr_size);

#endif
