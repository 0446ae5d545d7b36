/*
 * pipeline.c - see pipeline.h.
 */
#include "classify/pipeline.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "classify/explain.h"
#include "core/limits.h"
#include "text/segment.h"

struct rk_pipeline_ctx_s {
    rk_seg_list_t paras;
    rk_vec_ctx_t *vec;
    rk_explain_t *explain;
};

rk_pipeline_ctx_t *rk_pipeline_ctx_new(void) {
    rk_pipeline_ctx_t *c = calloc(1, sizeof *c);
    if (c && !(c->vec = rk_vec_ctx_new())) {
        free(c);
        return NULL;
    }
    return c;
}

void rk_pipeline_ctx_destroy(rk_pipeline_ctx_t *c) {
    if (!c)
        return;
    rk_seg_list_free(&c->paras);
    rk_vec_ctx_destroy(c->vec);
    rk_explain_destroy(c->explain);
    free(c);
}

const rk_seg_list_t *rk_pipeline_paragraphs(const rk_pipeline_ctx_t *c) {
    return &c->paras;
}

static void clear(rk_record_list_t *l) {
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].json);
    l->count = 0;
}

void rk_record_list_free(rk_record_list_t *l) {
    if (!l)
        return;
    clear(l);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* Appends o as one compact JSON line (and releases o). */
static int emit(rk_record_list_t *l, json_t *o, int label, double score) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return 0;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        rk_record_t *items = realloc(l->items, cap * sizeof *items);
        if (!items) {
            free(s);
            return 0;
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->count++] = (rk_record_t){s, strlen(s), label, score};
    return 1;
}

static json_t *model_ref(const rk_model_t *m) {
    return json_pack("{s:s,s:s}", "id", rk_model_id(m), "created",
                     rk_model_created(m));
}

static json_t *source_ref(const rk_doc_t *d) {
    return json_pack("{s:s,s:i,s:I}", "topic", d->source_topic, "partition",
                     (int)d->source_partition, "offset",
                     (json_int_t)d->source_offset);
}

rk_err_t rk_pipeline_run(rk_pipeline_ctx_t *c, const rk_model_t *m,
                         const rk_pipeline_opts_t *opts, const rk_doc_t *d,
                         rk_record_list_t *out, char *errstr,
                         size_t errstr_size) {
    clear(out);
    rk_err_t err =
        rk_seg_split(d->text, d->len, &c->paras, errstr, errstr_size);
    if (err)
        return err;
    const rk_pred_t *pred = rk_model_pred(m);
    int k = rk_pred_nlabels(pred);
    double probs[RK_MAX_LABELS], threshold = rk_pred_threshold(pred);
    size_t counts[RK_MAX_LABELS] = {0}, abstained = 0, n = c->paras.count;
    if (opts->explain && c->explain &&
        rk_explain_k(c->explain) != opts->explain) {
        rk_explain_destroy(c->explain); /* a run asking for another K */
        c->explain = NULL;
    }
    if (opts->explain && !c->explain &&
        !(c->explain = rk_explain_new(opts->explain)))
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const rk_seg_para_t *p = &c->paras.items[i];
        const struct svm_node *x;
        int nx, top;
        err = rk_vec_transform(rk_model_vec(m), c->vec, p->text, p->text_len,
                               p->lang, &x, &nx, errstr, errstr_size);
        if (err)
            break;
        int best = rk_pred_score(pred, x, probs, &top);
        json_t *scores = json_object(), *labels = json_array();
        for (int l = 0; l < k; l++) {
            json_object_set_new(scores, rk_pred_label(pred, l),
                                json_real(probs[l]));
            if (probs[l] >= threshold)
                json_array_append_new(labels,
                                      json_string(rk_pred_label(pred, l)));
        }
        if (top >= 0)
            counts[top]++;
        else
            abstained++;
        json_t *rec = json_pack(
            "{s:s,s:s,s:I,s:I,s:s,s:I,s:I,s:s,s:o,s:o,s:o}", "type",
            "paragraph", "doc_id", d->id, "index", (json_int_t)i, "count",
            (json_int_t)n, "kind", rk_seg_kind_name(p->kind), "start",
            (json_int_t)p->start, "end", (json_int_t)p->end, "lang", p->lang,
            "label",
            top >= 0 ? json_string(rk_pred_label(pred, top)) : json_null(),
            "labels", labels, "scores", scores);
        if (opts->explain)
            json_object_set_new(
                rec, "explanation",
                rk_explain_terms(c->explain, m, c->vec, x, best));
        if (opts->include_text)
            json_object_set_new(rec, "text",
                                json_stringn(p->text, p->text_len));
        json_object_set_new(rec, "model", model_ref(m));
        if (d->source_topic)
            json_object_set_new(rec, "source", source_ref(d));
        if (!emit(out, rec, top >= 0 ? top : RK_RECORD_ABSTAINED,
                  probs[best])) {
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
            break;
        }
    }
    if (err) {
        clear(out);
        return err;
    }
    /* The summary: labels by how many paragraphs they top, most first. */
    json_t *label_counts = json_object(), *labels = json_array();
    int order[RK_MAX_LABELS];
    for (int l = 0; l < k; l++)
        order[l] = l;
    for (int a = 1; a < k; a++)
        for (int b = a; b > 0 && counts[order[b]] > counts[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (int l = 0; l < k; l++) {
        json_object_set_new(label_counts, rk_pred_label(pred, l),
                            json_integer((json_int_t)counts[l]));
        if (counts[order[l]])
            json_array_append_new(labels,
                                  json_string(rk_pred_label(pred, order[l])));
    }
    json_t *doc = json_pack("{s:s,s:s,s:I,s:o,s:o,s:I,s:o}", "type", "document",
                            "doc_id", d->id, "count", (json_int_t)n, "labels",
                            labels, "label_counts", label_counts, "abstained",
                            (json_int_t)abstained, "model", model_ref(m));
    if (d->source_topic)
        json_object_set_new(doc, "source", source_ref(d));
    if (!emit(out, doc, RK_RECORD_DOCUMENT, 0.0)) {
        clear(out);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    return RK_OK;
}
