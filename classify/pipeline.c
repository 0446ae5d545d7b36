/*
 * pipeline.c - see pipeline.h. Records are written straight into one
 * buffer per context (classify/jsonw.h: jansson's bytes, without building
 * a jansson tree per record), then copied out whole.
 */
#include "classify/pipeline.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "classify/explain.h"
#include "classify/jsonw.h"
#include "core/grow.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "text/segment.h"

struct rk_pipeline_ctx_s {
    rk_seg_list_t paras;
    rk_vec_ctx_t *vec;
    rk_explain_t *explain;
    rk_jsonw_t json; /* the record being written */
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
    rk_jsonw_free(&c->json);
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

/* Appends w's text as one record (a copy; w is reused). */
static int emit(rk_record_list_t *l, const rk_jsonw_t *w, int label,
                double score) {
    if (w->failed)
        return 0;
    if (l->count == l->cap &&
        !rk_grow(&l->items, &l->cap, l->count + 1, sizeof *l->items, 64))
        return 0;
    char *s = malloc(w->len + 1);
    if (!s)
        return 0;
    memcpy(s, w->p, w->len);
    s[w->len] = '\0';
    l->items[l->count++] = (rk_record_t){s, w->len, label, score};
    // cppcheck-suppress memleak ; l->items holds s (stored above)
    return 1;
}

/* ,"model":{...}[,"source":{...}]} : how every record ends. */
static void put_refs(rk_jsonw_t *w, const rk_model_t *m, const rk_doc_t *d) {
    const char *id = rk_model_id(m), *created = rk_model_created(m);
    rk_jsonw_lit(w, ",\"model\":{\"id\":");
    rk_jsonw_str(w, id, strlen(id));
    rk_jsonw_lit(w, ",\"created\":");
    rk_jsonw_str(w, created, strlen(created));
    rk_jsonw_lit(w, "}");
    if (d->source_topic) {
        rk_jsonw_lit(w, ",\"source\":{\"topic\":");
        rk_jsonw_str_valid(w, d->source_topic, strlen(d->source_topic));
        rk_jsonw_lit(w, ",\"partition\":");
        rk_jsonw_int(w, (long long)d->source_partition);
        rk_jsonw_lit(w, ",\"offset\":");
        rk_jsonw_int(w, (long long)d->source_offset);
        rk_jsonw_lit(w, "}");
    }
    rk_jsonw_lit(w, "}");
}

/* The label names (a model's are valid UTF-8 without NULs: its metadata
 * is JSON), as a JSON string. */
static void put_label(rk_jsonw_t *w, const rk_pred_t *pred, int l) {
    const char *name = rk_pred_label(pred, l);
    rk_jsonw_str(w, name, strlen(name));
}

/* Paragraph i's record, the fields in the contract's order. */
static void put_paragraph(rk_pipeline_ctx_t *c, const rk_model_t *m,
                          const rk_pipeline_opts_t *opts, const rk_doc_t *d,
                          size_t i, const struct svm_node *x, int best, int top,
                          const double *probs) {
    const rk_pred_t *pred = rk_model_pred(m);
    const rk_seg_para_t *p = &c->paras.items[i];
    rk_jsonw_t *w = &c->json;
    int k = rk_pred_nlabels(pred);
    double threshold = rk_pred_threshold(pred);
    rk_jsonw_reset(w);
    rk_jsonw_lit(w, "{\"type\":\"paragraph\",\"doc_id\":");
    rk_jsonw_str_valid(w, d->id, strlen(d->id)); /* checked: run */
    rk_jsonw_lit(w, ",\"index\":");
    rk_jsonw_int(w, (long long)i);
    rk_jsonw_lit(w, ",\"count\":");
    rk_jsonw_int(w, (long long)c->paras.count);
    rk_jsonw_lit(w, ",\"kind\":\"");
    rk_jsonw_lit(w, rk_seg_kind_name(p->kind));
    rk_jsonw_lit(w, "\",\"start\":");
    rk_jsonw_int(w, (long long)p->start);
    rk_jsonw_lit(w, ",\"end\":");
    rk_jsonw_int(w, (long long)p->end);
    rk_jsonw_lit(w, ",\"lang\":\"");
    rk_jsonw_lit(w, p->lang);
    rk_jsonw_lit(w, "\",\"label\":");
    if (top >= 0)
        put_label(w, pred, top);
    else
        rk_jsonw_lit(w, "null");
    rk_jsonw_lit(w, ",\"labels\":[");
    for (int l = 0, n = 0; l < k; l++)
        if (probs[l] >= threshold) {
            if (n++)
                rk_jsonw_lit(w, ",");
            put_label(w, pred, l);
        }
    rk_jsonw_lit(w, "],\"scores\":{");
    for (int l = 0, n = 0; l < k; l++) {
        if (!isfinite(probs[l]))
            continue; /* jansson has no value for it: no key either */
        if (n++)
            rk_jsonw_lit(w, ",");
        put_label(w, pred, l);
        rk_jsonw_lit(w, ":");
        rk_jsonw_real(w, probs[l]);
    }
    rk_jsonw_lit(w, "}");
    if (opts->explain) {
        /* Rare, and explain.c builds jansson values: dumped by jansson. */
        json_t *terms = rk_explain_terms(c->explain, m, c->vec, x, best);
        char *s = terms ? json_dumps(terms, JSON_COMPACT | JSON_PRESERVE_ORDER)
                        : NULL;
        json_decref(terms);
        if (s) {
            rk_jsonw_lit(w, ",\"explanation\":");
            rk_jsonw_lit(w, s);
        }
        free(s);
    }
    if (opts->include_text) {
        rk_jsonw_lit(w, ",\"text\":");
        rk_jsonw_str_valid(w, p->text, p->text_len); /* checked: segmenter */
    }
    put_refs(w, m, d);
}

/* The document's summary record: labels by how many paragraphs they top,
 * most first. */
static void put_document(rk_pipeline_ctx_t *c, const rk_model_t *m,
                         const rk_doc_t *d, const size_t *counts,
                         size_t abstained) {
    const rk_pred_t *pred = rk_model_pred(m);
    int k = rk_pred_nlabels(pred), order[RK_MAX_LABELS];
    rk_jsonw_t *w = &c->json;
    for (int l = 0; l < k; l++)
        order[l] = l;
    for (int a = 1; a < k; a++)
        for (int b = a; b > 0 && counts[order[b]] > counts[order[b - 1]]; b--) {
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    rk_jsonw_reset(w);
    rk_jsonw_lit(w, "{\"type\":\"document\",\"doc_id\":");
    rk_jsonw_str_valid(w, d->id, strlen(d->id)); /* checked: run */
    rk_jsonw_lit(w, ",\"count\":");
    rk_jsonw_int(w, (long long)c->paras.count);
    rk_jsonw_lit(w, ",\"labels\":[");
    for (int l = 0, n = 0; l < k; l++)
        if (counts[order[l]]) {
            if (n++)
                rk_jsonw_lit(w, ",");
            put_label(w, pred, order[l]);
        }
    rk_jsonw_lit(w, "],\"label_counts\":{");
    for (int l = 0; l < k; l++) {
        if (l)
            rk_jsonw_lit(w, ",");
        put_label(w, pred, l);
        rk_jsonw_lit(w, ":");
        rk_jsonw_int(w, (long long)counts[l]);
    }
    rk_jsonw_lit(w, "},\"abstained\":");
    rk_jsonw_int(w, (long long)abstained);
    put_refs(w, m, d);
}

rk_err_t rk_pipeline_run(rk_pipeline_ctx_t *c, const rk_model_t *m,
                         const rk_pipeline_opts_t *opts, const rk_doc_t *d,
                         rk_record_list_t *out, char *errstr,
                         size_t errstr_size) {
    clear(out);
    if (!rk_utf8_valid(d->id, strlen(d->id), NULL) ||
        (d->source_topic &&
         !rk_utf8_valid(d->source_topic, strlen(d->source_topic), NULL)))
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "the document id or source topic is not valid UTF-8");
    rk_err_t err =
        rk_seg_split(d->text, d->len, &c->paras, errstr, errstr_size);
    if (err)
        return err;
    const rk_pred_t *pred = rk_model_pred(m);
    double probs[RK_MAX_LABELS];
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
        /* The segmenter has checked the document's UTF-8. */
        err = rk_vec_transform_valid(rk_model_vec(m), c->vec, p->text,
                                     p->text_len, p->lang, &x, &nx, errstr,
                                     errstr_size);
        if (err)
            break;
        int best = rk_pred_score(pred, x, probs, &top);
        if (top >= 0)
            counts[top]++;
        else
            abstained++;
        put_paragraph(c, m, opts, d, i, x, best, top, probs);
        if (!emit(out, &c->json, top >= 0 ? top : RK_RECORD_ABSTAINED,
                  probs[best])) {
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
            break;
        }
    }
    if (!err) {
        put_document(c, m, d, counts, abstained);
        if (!emit(out, &c->json, RK_RECORD_DOCUMENT, 0.0))
            err = rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    }
    if (err)
        clear(out);
    return err;
}
