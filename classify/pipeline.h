/*
 * pipeline.h - one document in, its output records out:
 * segment -> vectorise -> predict -> record JSON, per the contract.
 *
 * `rakiza classify` and `rakiza run` both call this, so a paragraph is
 * classified and written the same way whichever way it came in. The
 * records are one "paragraph" record per paragraph, in order, then one
 * "document" summary record. A model is shared (read-only); each thread
 * owns its rk_pipeline_ctx_t.
 */
#ifndef RK_PIPELINE_H
#define RK_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "models/model.h"
#include "text/segment.h"

typedef struct rk_pipeline_opts_s {
    int explain;      /* terms per paragraph in "explanation"; 0 = none */
    int include_text; /* "text" in paragraph records */
} rk_pipeline_opts_t;

typedef struct rk_doc_s {
    const char *id;
    const char *text;
    size_t len;
    const char *source_topic; /* NULL outside streaming: no "source" */
    int32_t source_partition;
    int64_t source_offset;
} rk_doc_t;

/* A paragraph record's label is its top label's index in the model
 * (rk_pred_label), or RK_RECORD_ABSTAINED (label null); the document
 * record's is RK_RECORD_DOCUMENT. Counting needs no JSON parsing. */
#define RK_RECORD_ABSTAINED (-1)
#define RK_RECORD_DOCUMENT (-2)
typedef struct rk_record_s {
    char *json; /* one line, no newline; owned by the list */
    size_t len;
    int label;
    double score; /* a paragraph's top probability; 0 for the document */
} rk_record_t;

/* Zero-initialise; rk_pipeline_run clears it before filling. */
typedef struct rk_record_list_s {
    rk_record_t *items;
    size_t count, cap;
} rk_record_list_t;

typedef struct rk_pipeline_ctx_s rk_pipeline_ctx_t;

rk_pipeline_ctx_t *rk_pipeline_ctx_new(void);
void rk_pipeline_ctx_destroy(rk_pipeline_ctx_t *ctx);

/* Classifies doc with model. Errors (invalid UTF-8 at an offset) leave
 * out empty. */
rk_err_t rk_pipeline_run(rk_pipeline_ctx_t *ctx, const rk_model_t *model,
                         const rk_pipeline_opts_t *opts, const rk_doc_t *doc,
                         rk_record_list_t *out, char *errstr,
                         size_t errstr_size);

void rk_record_list_free(rk_record_list_t *list);

/* The paragraphs of the last document run with ctx (record i is paragraph
 * i), valid until the next rk_pipeline_run with ctx: for writers that
 * show the text beside the scores. */
const rk_seg_list_t *rk_pipeline_paragraphs(const rk_pipeline_ctx_t *ctx);

#endif
