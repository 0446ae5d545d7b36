/*
 * eval_model.c - a model scored on labelled samples (rk_eval_model in
 * evaluate.h): each sample vectorised and predicted as `rakiza classify`
 * would a one-paragraph document, then counted against its label.
 */
#include <stdio.h>

#include "core/limits.h"
#include "models/evaluate.h"

rk_err_t
rk_eval_model(const rk_model_t *m, const rk_sample_set_t *data,
              void (*progress)(void *opaque, size_t done, size_t total),
              void *opaque, rk_eval_t **out, char *errstr, size_t errstr_size) {
    const rk_pred_t *pred = rk_model_pred(m);
    rk_vec_ctx_t *ctx = rk_vec_ctx_new();
    rk_eval_t *ev = rk_eval_new();
    double probs[RK_MAX_LABELS];
    rk_err_t err =
        ctx && ev ? RK_OK
                  : rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    for (size_t i = 0; !err && i < data->count; i++) {
        const rk_sample_t *s = &data->items[i];
        const struct svm_node *x;
        int n, top;
        char inner[512];
        err = rk_vec_transform(rk_model_vec(m), ctx, s->text, s->text_len,
                               s->lang, &x, &n, inner, sizeof inner);
        if (err) {
            rk_fail(err, errstr, errstr_size, "%s: %s", s->source, inner);
            break;
        }
        int best = rk_pred_score(pred, x, probs, &top);
        if (!rk_eval_add_scored(
                ev, s->label, top >= 0 ? rk_pred_label(pred, top) : NULL,
                rk_pred_label(pred, best), probs[best], s->lang))
            err = rk_fail(RK_ERR_LIMIT, errstr, errstr_size,
                          "%s: more than %d labels", s->source, RK_MAX_LABELS);
        if (progress)
            progress(opaque, i + 1, data->count);
    }
    rk_vec_ctx_destroy(ctx);
    if (err) {
        rk_eval_destroy(ev);
        return err;
    }
    *out = ev;
    return RK_OK;
}
