/*
 * coverage.c - coverage, risk-coverage and the abstention threshold for a
 * stated coverage (evaluate.h), from the scored samples of an rk_eval_t.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/eval_internal.h"

const double RK_EVAL_COVERAGES[] = {1.0, 0.95, 0.90, 0.80, 0.70, 0};

static int all_scored(const rk_eval_t *ev) {
    return ev->nscored > 0 && ev->nscored == ev->all.n;
}

rk_eval_t *rk_eval_at_threshold(const rk_eval_t *scored, double t) {
    if (!all_scored(scored))
        return NULL;
    rk_eval_t *ev = rk_eval_new();
    for (size_t i = 0; ev && i < scored->nscored; i++) {
        const scored_t *s = &scored->scored[i];
        const char *best = scored->labels[s->best];
        if (!rk_eval_add_scored(ev, scored->labels[s->truth],
                                s->conf >= t ? best : NULL, best, s->conf,
                                s->lang >= 0 ? scored->langs[s->lang] : NULL)) {
            rk_eval_destroy(ev);
            ev = NULL;
        }
    }
    return ev;
}

double rk_eval_abstain_rate(const rk_eval_t *ev) {
    size_t abstained = 0;
    for (size_t t = 0; t < ev->nlabels; t++)
        abstained += ev->all.m[t][0];
    return ev->all.n ? (double)abstained / (double)ev->all.n : 0.0;
}

double rk_eval_pick_threshold(const rk_eval_t *scored, double max_abstain,
                              double step) {
    if (!all_scored(scored) || !(step > 0))
        return -1;
    double best_t = 0, best_f1 = -1, per = 1.0 / step;
    int whole = fabs(per - round(per)) < 1e-9; /* 0.41, not 41 x 0.01 */
    for (int s = 0; s * step < 1.0; s++) {
        double t = whole ? s / round(per) : s * step;
        rk_eval_t *ev = rk_eval_at_threshold(scored, t);
        if (!ev)
            return -1;
        double rate = rk_eval_abstain_rate(ev), f1 = rk_eval_macro_f1(ev);
        rk_eval_destroy(ev);
        if (rate > max_abstain)
            break; /* abstention only grows with t */
        if (f1 > best_f1)
            best_f1 = f1, best_t = t;
    }
    return best_t;
}

/* The counts of the samples in idx[0..m): pred = best (no abstention). */
static void count_best(const rk_eval_t *ev, const size_t *idx, size_t m,
                       counts_t *c) {
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < m; i++) {
        const scored_t *s = &ev->scored[idx[i]];
        c->m[s->truth][s->best + 1]++;
        c->n++;
    }
}

typedef struct ranked_s {
    double conf;
    size_t at;
} ranked_t;

static int by_conf_desc(const void *a, const void *b) {
    const ranked_t *x = a, *y = b;
    if (x->conf != y->conf)
        return x->conf > y->conf ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at; /* ties: the order added */
}

/* The scored samples' indices, surest first; NULL when out of memory. */
static size_t *surest_first(const rk_eval_t *ev) {
    ranked_t *r = malloc(ev->nscored * sizeof *r);
    size_t *idx = malloc(ev->nscored * sizeof *idx);
    if (r && idx) {
        for (size_t i = 0; i < ev->nscored; i++)
            r[i] = (ranked_t){ev->scored[i].conf, i};
        qsort(r, ev->nscored, sizeof *r, by_conf_desc);
        for (size_t i = 0; i < ev->nscored; i++)
            idx[i] = r[i].at;
    } else {
        free(idx);
        idx = NULL;
    }
    free(r);
    return idx;
}

/* How many samples a share of n is: rounded, at least 1. */
static size_t share_of(double share, size_t n) {
    size_t m = (size_t)(share * (double)n + 0.5);
    return m < 1 ? 1 : m > n ? n : m;
}

void rk_eval_coverage_json(const rk_eval_t *ev, json_t *o) {
    if (!all_scored(ev))
        return;
    counts_t *c = malloc(sizeof *c);
    size_t *idx = c ? surest_first(ev) : NULL;
    if (!idx) {
        free(c);
        return;
    }
    /* coverage: the samples given a label */
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < ev->nscored; i++)
        if (!ev->scored[i].abstained) {
            c->m[ev->scored[i].truth][ev->scored[i].best + 1]++;
            c->n++;
        }
    json_object_set_new(o, "coverage",
                        json_pack("{s:f,s:I,s:f,s:f}", "rate",
                                  (double)c->n / (double)ev->all.n, "n",
                                  (json_int_t)c->n, "accuracy",
                                  rk_eval_counts_accuracy(ev, c), "macro_f1",
                                  rk_eval_counts_macro_f1(ev, c)));
    json_t *rc = json_array();
    for (const double *share = RK_EVAL_COVERAGES; *share > 0; share++) {
        size_t m = share_of(*share, ev->nscored);
        count_best(ev, idx, m, c);
        json_array_append_new(
            rc,
            json_pack("{s:f,s:I,s:f,s:f,s:f}", "coverage", *share, "n",
                      (json_int_t)m, "min_score", ev->scored[idx[m - 1]].conf,
                      "accuracy", rk_eval_counts_accuracy(ev, c), "macro_f1",
                      rk_eval_counts_macro_f1(ev, c)));
    }
    json_object_set_new(o, "risk_coverage", rc);
    free(idx);
    free(c);
}

void rk_eval_coverage_table(const rk_eval_t *ev, FILE *out) {
    json_t *o = json_object();
    rk_eval_coverage_json(ev, o);
    json_t *cov = json_object_get(o, "coverage"),
           *rc = json_object_get(o, "risk_coverage");
    if (cov) {
        long long n = (long long)json_integer_value(json_object_get(cov, "n"));
        fprintf(out,
                "\ncoverage %.1f%%: %lld of %lld labelled (%lld abstained); "
                "accuracy %.3f, macro-F1 %.3f on those\n",
                100 * json_real_value(json_object_get(cov, "rate")), n,
                (long long)ev->all.n, (long long)ev->all.n - n,
                json_real_value(json_object_get(cov, "accuracy")),
                json_real_value(json_object_get(cov, "macro_f1")));
        fprintf(out,
                "\nrisk-coverage (the surest paragraphs first, each "
                "given its top label)\n%8s %6s %9s %9s %9s\n",
                "coverage", "n", "min score", "accuracy", "macro-F1");
    }
    size_t i;
    json_t *row;
    json_array_foreach(rc, i, row) {
        fprintf(out, "%7.0f%% %6lld %9.3f %9.3f %9.3f\n",
                100 * json_real_value(json_object_get(row, "coverage")),
                (long long)json_integer_value(json_object_get(row, "n")),
                json_real_value(json_object_get(row, "min_score")),
                json_real_value(json_object_get(row, "accuracy")),
                json_real_value(json_object_get(row, "macro_f1")));
    }
    json_decref(o);
}
