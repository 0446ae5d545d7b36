/*
 * evaluate.c - see evaluate.h. Labels are interned in first-seen order;
 * the confusion matrix is indexed [truth][pred], pred 0 meaning abstained.
 * Coverage, risk-coverage and the threshold rule are coverage.c.
 */
#include "models/evaluate.h"
#include "models/eval_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/grow.h"

rk_eval_t *rk_eval_new(void) {
    return calloc(1, sizeof(rk_eval_t));
}

void rk_eval_destroy(rk_eval_t *ev) {
    if (!ev)
        return;
    free(ev->scored);
    for (size_t i = 0; i < ev->nlabels; i++)
        free(ev->labels[i]);
    for (size_t i = 0; i < ev->nlangs; i++) {
        free(ev->langs[i]);
        free(ev->by_lang[i]);
    }
    free(ev);
}

int rk_eval_intern(rk_eval_t *ev, const char *label) {
    for (size_t i = 0; i < ev->nlabels; i++)
        if (!strcmp(ev->labels[i], label))
            return (int)i;
    if (ev->nlabels == RK_MAX_LABELS ||
        !(ev->labels[ev->nlabels] = strdup(label)))
        return -1;
    return (int)ev->nlabels++;
}

static counts_t *lang_counts(rk_eval_t *ev, const char *lang) {
    int i = rk_eval_lang(ev, lang);
    return i >= 0 ? ev->by_lang[i] : NULL;
}

int rk_eval_lang(rk_eval_t *ev, const char *lang) {
    for (size_t i = 0; i < ev->nlangs; i++)
        if (!strcmp(ev->langs[i], lang))
            return (int)i;
    if (ev->nlangs == RK_EVAL_MAX_LANGS)
        return -1;
    counts_t *c = calloc(1, sizeof *c);
    char *name = strdup(lang);
    if (!c || !name) {
        free(c);
        free(name);
        return -1;
    }
    ev->langs[ev->nlangs] = name;
    ev->by_lang[ev->nlangs++] = c;
    return (int)ev->nlangs - 1;
}

int rk_eval_add(rk_eval_t *ev, const char *truth, const char *pred,
                const char *lang) {
    int t = rk_eval_intern(ev, truth), p = pred ? rk_eval_intern(ev, pred) : -1;
    if (t < 0 || (pred && p < 0))
        return 0;
    ev->all.m[t][p + 1]++;
    ev->all.n++;
    counts_t *c = lang ? lang_counts(ev, lang) : NULL;
    if (c) {
        c->m[t][p + 1]++;
        c->n++;
    }
    return 1;
}

int rk_eval_add_scored(rk_eval_t *ev, const char *truth, const char *pred,
                       const char *best, double conf, const char *lang) {
    if (ev->nscored == ev->scored_cap &&
        !rk_grow(&ev->scored, &ev->scored_cap, ev->nscored + 1,
                 sizeof *ev->scored, 256))
        return 0;
    if (!rk_eval_add(ev, truth, pred, lang)) /* interns truth, then pred */
        return 0;
    int b = rk_eval_intern(ev, best);
    if (b < 0)
        return 0;
    ev->scored[ev->nscored++] =
        (scored_t){rk_eval_intern(ev, truth), b,
                   lang ? rk_eval_lang(ev, lang) : -1, pred == NULL, conf};
    return 1;
}

prf_t rk_eval_prf(const rk_eval_t *ev, const counts_t *c, size_t label) {
    size_t tp = c->m[label][label + 1], predicted = 0, support = 0;
    for (size_t t = 0; t < ev->nlabels; t++)
        predicted += c->m[t][label + 1];
    for (size_t p = 0; p <= ev->nlabels; p++)
        support += c->m[label][p];
    prf_t r = {0, 0, 0, support};
    r.precision = predicted ? (double)tp / predicted : 0.0;
    r.recall = support ? (double)tp / support : 0.0;
    r.f1 = r.precision + r.recall > 0
               ? 2 * r.precision * r.recall / (r.precision + r.recall)
               : 0.0;
    return r;
}

double rk_eval_counts_macro_f1(const rk_eval_t *ev, const counts_t *c) {
    double sum = 0;
    size_t k = 0;
    for (size_t l = 0; l < ev->nlabels; l++) {
        if (!strcmp(ev->labels[l], "none"))
            continue;
        prf_t r = rk_eval_prf(ev, c, l);
        if (!r.support)
            continue; /* only labels present in the true labels */
        sum += r.f1;
        k++;
    }
    return k ? sum / (double)k : 0.0;
}

double rk_eval_counts_accuracy(const rk_eval_t *ev, const counts_t *c) {
    size_t right = 0;
    for (size_t l = 0; l < ev->nlabels; l++) {
        right += c->m[l][l + 1];
        if (!strcmp(ev->labels[l], "none"))
            right += c->m[l][0]; /* abstaining on none is right */
    }
    return c->n ? (double)right / (double)c->n : 0.0;
}

double rk_eval_accuracy(const rk_eval_t *ev) {
    return rk_eval_counts_accuracy(ev, &ev->all);
}

double rk_eval_macro_f1(const rk_eval_t *ev) {
    return rk_eval_counts_macro_f1(ev, &ev->all);
}

json_t *rk_eval_json(const rk_eval_t *ev) {
    json_t *o = json_object(), *per_class = json_object(),
           *confusion = json_object(), *per_lang = json_object();
    for (size_t l = 0; l < ev->nlabels; l++) {
        prf_t r = rk_eval_prf(ev, &ev->all, l);
        json_object_set_new(per_class, ev->labels[l],
                            json_pack("{s:f,s:f,s:f,s:I}", "precision",
                                      r.precision, "recall", r.recall, "f1",
                                      r.f1, "support", (json_int_t)r.support));
        if (!r.support)
            continue;
        json_t *row = json_object();
        for (size_t p = 0; p <= ev->nlabels; p++)
            if (ev->all.m[l][p])
                json_object_set_new(row, p ? ev->labels[p - 1] : "null",
                                    json_integer((json_int_t)ev->all.m[l][p]));
        json_object_set_new(confusion, ev->labels[l], row);
    }
    for (size_t i = 0; i < ev->nlangs; i++)
        json_object_set_new(
            per_lang, ev->langs[i],
            json_pack("{s:f,s:I}", "macro_f1",
                      rk_eval_counts_macro_f1(ev, ev->by_lang[i]), "n",
                      (json_int_t)ev->by_lang[i]->n));
    json_object_set_new(o, "accuracy", json_real(rk_eval_accuracy(ev)));
    json_object_set_new(o, "macro_f1", json_real(rk_eval_macro_f1(ev)));
    json_object_set_new(o, "per_class", per_class);
    json_object_set_new(o, "confusion", confusion);
    json_object_set_new(o, "per_lang", per_lang);
    json_object_set_new(o, "n", json_integer((json_int_t)ev->all.n));
    rk_eval_coverage_json(ev, o);
    return o;
}

void rk_eval_write_table(const rk_eval_t *ev, FILE *out) {
    fprintf(out, "%-14s %9s %9s %9s %8s\n", "label", "precision", "recall",
            "f1", "support");
    for (size_t l = 0; l < ev->nlabels; l++) {
        prf_t r = rk_eval_prf(ev, &ev->all, l);
        fprintf(out, "%-14s %9.3f %9.3f %9.3f %8lld\n", ev->labels[l],
                r.precision, r.recall, r.f1, (long long)r.support);
    }
    fprintf(out, "\nmacro-F1 %.3f   accuracy %.3f   n %lld\n",
            rk_eval_macro_f1(ev), rk_eval_accuracy(ev), (long long)ev->all.n);
    for (size_t i = 0; i < ev->nlangs; i++)
        fprintf(out, "  %-4s macro-F1 %.3f (n %lld)\n", ev->langs[i],
                rk_eval_counts_macro_f1(ev, ev->by_lang[i]),
                (long long)ev->by_lang[i]->n);
    rk_eval_coverage_table(ev, out);
    fprintf(out,
            "\nconfusion (rows: true label, columns: predicted; null = "
            "abstained)\n%-14s",
            "");
    for (size_t l = 0; l < ev->nlabels; l++)
        fprintf(out, " %12.12s", ev->labels[l]);
    fprintf(out, " %12s\n", "null");
    for (size_t t = 0; t < ev->nlabels; t++) {
        if (!rk_eval_prf(ev, &ev->all, t).support)
            continue; /* a label only ever predicted has no row */
        fprintf(out, "%-14s", ev->labels[t]);
        for (size_t p = 1; p <= ev->nlabels; p++)
            fprintf(out, " %12lld", (long long)ev->all.m[t][p]);
        fprintf(out, " %12lld\n", (long long)ev->all.m[t][0]);
    }
}
