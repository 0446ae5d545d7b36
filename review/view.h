/*
 * view.h - the review page's data: what GET /api/items answers (the queue
 * with each paragraph's text, scores, terms and neighbours), the labelled
 * sample a label choice publishes, and JSON made safe to serve.
 *
 * The page renders this data with DOM text nodes only, never as markup,
 * so nothing here is HTML-escaped; instead rk_review_json_dumps writes
 * '<', '>' and '&' (and U+2028, U+2029) as \u escapes, so the JSON holds
 * no character that could open markup even if a browser mis-sniffed it.
 */
#ifndef RK_REVIEW_VIEW_H
#define RK_REVIEW_VIEW_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "core/err.h"
#include "review/store.h"
#include "text/normalize.h"

/* Context shown of a neighbouring paragraph: at most this many bytes of
 * its text (cut at a character boundary, "…" added). */
#define RK_REVIEW_CONTEXT_BYTES 1024

/* Items on one page of the queue: the default and the most asked for. */
#define RK_REVIEW_DEFAULT_PAGE_ITEMS 50
#define RK_REVIEW_MAX_PAGE_ITEMS 500

/* The queue as the page shows it, a new JSON object (caller's), NULL when
 * out of memory: rk_review_store_summary()'s fields plus
 *   "labels": the label set (rk_review_store_labels), in button order,
 *   "total": unlabelled paragraphs passing f, "offset",
 *   "items": up to limit of them from offset, in queue order, each
 *     {"key", "doc_id", "index", "count"?, "kind", "lang", "dir",
 *      "label": str|null, "top", "scores": [{"label", "p"}] highest first,
 *      "text": [[piece, marked 0|1], ...] | null, "why"?: why it cannot be
 *      labelled, "terms": [{"term", "weight"}], "model": id|null,
 *      "prev"/"next": {"index", "lang", "dir", "label", "text": str|null}
 *      | null (the neighbouring paragraphs when kept)}.
 * Explanation terms are marked in the text with norm (NULL: unmarked). */
json_t *rk_review_view_items(const rk_review_store_t *s,
                             const rk_review_filter_t *f, size_t offset,
                             size_t limit, rk_norm_t *norm);

/* The labelled sample for paragraph p labelled label by annotator (NULL
 * or "" for none) at now, in the contract's schema: {"text", "label",
 * "doc_id", "index", "lang", "annotator"?, "time" (RFC 3339, UTC),
 * "model"?: {"id"}, "predicted": str|null}. Writes a new string (caller
 * frees) to *value. RK_ERR_DATA when the record has no text, RK_ERR_USAGE
 * when label is not one of its scores' labels. */
rk_err_t rk_review_view_sample(const rk_review_para_t *p, const char *label,
                               const char *annotator, time_t now, char **value,
                               char *errstr, size_t errstr_size);

/* j as compact JSON with '<', '>', '&', U+2028 and U+2029 as \u escapes;
 * a new string (caller frees), its length in *len. NULL when out of
 * memory. */
char *rk_review_json_dumps(const json_t *j, size_t *len);

#endif
