/*
 * eval_internal.h - what evaluate.c and coverage.c share: the counts and
 * the scored samples behind an rk_eval_t. Included by nothing else.
 */
#ifndef RK_EVAL_INTERNAL_H
#define RK_EVAL_INTERNAL_H

#include <stddef.h>

#include "core/limits.h"
#include "models/evaluate.h"

#define RK_EVAL_MAX_LANGS 16

typedef struct counts_s {
    size_t m[RK_MAX_LABELS][RK_MAX_LABELS + 1]; /* [truth][pred + 1] */
    size_t n;
} counts_t;

/* One sample as rk_eval_add_scored recorded it (label and language
 * indices into the rk_eval_t's tables; lang -1 when none). */
typedef struct scored_s {
    int truth, best, lang, abstained;
    double conf;
} scored_t;

struct rk_eval_s {
    char *labels[RK_MAX_LABELS];
    size_t nlabels;
    counts_t all;
    char *langs[RK_EVAL_MAX_LANGS];
    counts_t *by_lang[RK_EVAL_MAX_LANGS];
    size_t nlangs;
    scored_t *scored;
    size_t nscored, scored_cap;
};

typedef struct prf_s {
    double precision, recall, f1;
    size_t support;
} prf_t;

/* A label's index, added when new; -1 past RK_MAX_LABELS or out of
 * memory. */
int rk_eval_intern(rk_eval_t *ev, const char *label);
/* A language's index, added when new; -1 past RK_EVAL_MAX_LANGS. */
int rk_eval_lang(rk_eval_t *ev, const char *lang);

prf_t rk_eval_prf(const rk_eval_t *ev, const counts_t *c, size_t label);
double rk_eval_counts_macro_f1(const rk_eval_t *ev, const counts_t *c);
double rk_eval_counts_accuracy(const rk_eval_t *ev, const counts_t *c);

/* coverage.c: the coverage and risk-coverage fields of rk_eval_json, and
 * their lines in rk_eval_write_table, when every sample was scored. */
void rk_eval_coverage_json(const rk_eval_t *ev, json_t *o);
void rk_eval_coverage_table(const rk_eval_t *ev, FILE *out);

#endif
