/*
 * store.h - what `rakiza review` knows: the classified paragraphs read from
 * the output topic and the labelled samples read from the labels topic,
 * and the queue an analyst works through, least certain first.
 *
 * Paragraphs. One per (doc_id, index): a later record for the same
 * paragraph replaces the earlier (a redelivery, or a newer model's
 * verdict) and counts as the newest. At most max_paragraphs are kept, and
 * at most RK_REVIEW_MAX_STORE_BYTES of their records: past either bound
 * the oldest (least recently received) paragraph is dropped, labelled or
 * not. Document summary records and other types are ignored.
 *
 * Samples. One per key (the labels topic's message key, "DOC_ID:INDEX"
 * for a paragraph): a later message replaces the earlier, a tombstone (no
 * value) withdraws it. A paragraph whose key has a sample is labelled and
 * leaves the queue; withdrawing the sample brings it back. At most
 * RK_REVIEW_MAX_SAMPLES keys are remembered (the oldest forgotten first).
 * Counts by annotator and by label follow every change.
 *
 * The queue. rk_review_store_select() orders the unlabelled paragraphs
 * that pass a filter: abstained (label null) first, then by the top score,
 * lowest first (the paragraphs whose labels teach a model most), ties by
 * document id, then index.
 *
 * Costs: adding a record or a sample is O(1) on average (a hash per map,
 * and an arrival list for the eviction order); select is O(n log n) in the
 * paragraphs kept. Not thread-safe: the caller serialises access (the
 * service holds one lock around every call).
 */
#ifndef RK_REVIEW_STORE_H
#define RK_REVIEW_STORE_H

#include <jansson.h>
#include <stddef.h>

#include "core/err.h"

/* --max-paragraphs: the default and the largest accepted. */
#define RK_REVIEW_DEFAULT_MAX_PARAGRAPHS 20000
#define RK_REVIEW_MAX_PARAGRAPHS_LIMIT 1000000

/* A record or sample larger than this is refused (RK_ERR_LIMIT). Paragraph
 * text is at most 64 KiB (RK_SEG_MAX_PARAGRAPH_BYTES), so a real record is
 * far smaller. */
#define RK_REVIEW_MAX_RECORD_BYTES (256 * 1024)

/* All kept records together, in bytes: the oldest are dropped past it. */
#define RK_REVIEW_MAX_STORE_BYTES ((size_t)512 * 1024 * 1024)

/* Sample keys remembered (labels topic): the oldest forgotten past it. */
#define RK_REVIEW_MAX_SAMPLES 500000

/* A document id longer than this is refused (it is part of every key). */
#define RK_REVIEW_MAX_ID_BYTES 4096

typedef struct rk_review_store_s rk_review_store_t;

/* A kept paragraph, read-only for callers; the store owns it, and it
 * stays valid until the next call that adds to the store. */
typedef struct rk_review_para_s {
    const char *key;    /* "DOC_ID:INDEX" */
    const char *doc_id; /* as in the record */
    long long index;
    const char *lang;  /* the record's, "und" when absent */
    const char *label; /* the predicted label; NULL when abstained */
    double top;        /* the highest score */
    int has_text;      /* the record carries the paragraph's text */
    const char *json;  /* the record as received, json_len bytes */
    size_t json_len;
} rk_review_para_t;

/* max_paragraphs in 1..RK_REVIEW_MAX_PARAGRAPHS_LIMIT (asserted). NULL
 * when out of memory. */
rk_review_store_t *rk_review_store_new(size_t max_paragraphs);
void rk_review_store_destroy(rk_review_store_t *s);

/* Adds one output-topic message value. A paragraph record is kept (and
 * *kept set to 1 when kept is not NULL); any other type is ignored.
 * RK_ERR_DATA names the field at fault, RK_ERR_LIMIT a record over
 * RK_REVIEW_MAX_RECORD_BYTES; either way the store is unchanged. */
rk_err_t rk_review_store_add_record(rk_review_store_t *s, const char *json,
                                    size_t len, int *kept, char *errstr,
                                    size_t errstr_size);

/* Adds one labels-topic message: key[0..key_len) and value[0..len), value
 * NULL for a tombstone. The value must be a JSON object with a string
 * "label" ("annotator" a string when present); RK_ERR_DATA otherwise,
 * RK_ERR_LIMIT over RK_REVIEW_MAX_RECORD_BYTES, and the store is then
 * unchanged. */
rk_err_t rk_review_store_add_sample(rk_review_store_t *s, const char *key,
                                    size_t key_len, const char *value,
                                    size_t len, char *errstr,
                                    size_t errstr_size);

/* The paragraph (doc_id, index), or NULL when it is not kept. */
const rk_review_para_t *rk_review_store_get(const rk_review_store_t *s,
                                            const char *doc_id,
                                            long long index);

/* Whether the key has a sample (the paragraph is labelled); when it has
 * and label/annotator are not NULL, they point at the sample's (valid
 * until the next call that adds to the store; annotator "" when none). */
int rk_review_store_labelled(const rk_review_store_t *s, const char *key,
                             const char **label, const char **annotator);

/* Which paragraphs the queue shows: each field NULL (or abstained 0) for
 * any. label is a predicted label; abstained 1 keeps only the abstained. */
typedef struct rk_review_filter_s {
    const char *doc_id;
    const char *label;
    int abstained;
    const char *lang;
} rk_review_filter_t;

/* The unlabelled paragraphs passing f, in queue order: writes up to max
 * of them from position offset into out, and returns how many pass f in
 * all (*n_out how many were written). RK_ERR_NOMEM leaves *n_out 0. */
rk_err_t rk_review_store_select(const rk_review_store_t *s,
                                const rk_review_filter_t *f, size_t offset,
                                const rk_review_para_t **out, size_t max,
                                size_t *n_out, size_t *total);

/* Paragraphs kept, and samples remembered. */
size_t rk_review_store_count(const rk_review_store_t *s);
size_t rk_review_store_samples(const rk_review_store_t *s);

/* The label set: every label named in a kept record's scores, the
 * contract's pillars and "none" first in pillar order, then the others
 * sorted. A new JSON array of strings (caller's), NULL when out of memory. */
json_t *rk_review_store_labels(const rk_review_store_t *s);

/* A new JSON object (caller's) describing what the store holds:
 *   "documents": [{"id", "kept", "waiting"}] sorted by id,
 *   "langs": [str] sorted, "kept", "waiting" (unlabelled), "dropped"
 *   (paragraphs dropped at the bounds so far),
 *   "labelled": {"total", "by_annotator": {name: n}, "by_label": {l: n}}
 * (an unnamed annotator counts under ""). NULL when out of memory. */
json_t *rk_review_store_summary(const rk_review_store_t *s);

#endif
