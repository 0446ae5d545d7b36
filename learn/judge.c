/*
 * judge.c - see judge.h.
 */
#include "learn/judge.h"

#include <stdio.h>

static double class_f1(const json_t *ev, const char *label) {
    json_t *c = json_object_get(json_object_get(ev, "per_class"), label);
    return c ? json_number_value(json_object_get(c, "f1")) : 0.0;
}

int rk_judge(const json_t *cand, const json_t *cur, double tolerance,
             char *reason, size_t n) {
    double f_cand = json_number_value(json_object_get(cand, "macro_f1"));
    double f_cur = json_number_value(json_object_get(cur, "macro_f1"));
    if (f_cand < f_cur - tolerance) {
        snprintf(reason, n,
                 "macro-F1 %.4f is under the current model's %.4f minus the "
                 "tolerance %.4f",
                 f_cand, f_cur, tolerance);
        return 0;
    }
    const char *label, *worst = NULL;
    json_t *c;
    double worst_drop = 0;
    json_object_foreach(json_object_get(cur, "per_class"), label, c) {
        if (json_number_value(json_object_get(c, "support")) <= 0)
            continue;
        double drop =
            json_number_value(json_object_get(c, "f1")) - class_f1(cand, label);
        if (drop > RK_JUDGE_MAX_CLASS_DROP && drop > worst_drop)
            worst = label, worst_drop = drop;
    }
    if (worst) {
        snprintf(reason, n,
                 "F1 of '%s' falls from %.4f to %.4f, more than %.2f", worst,
                 class_f1(cur, worst), class_f1(cand, worst),
                 RK_JUDGE_MAX_CLASS_DROP);
        return 0;
    }
    snprintf(reason, n,
             "macro-F1 %.4f against the current model's %.4f (tolerance "
             "%.4f), no class's F1 falls by more than %.2f",
             f_cand, f_cur, tolerance, RK_JUDGE_MAX_CLASS_DROP);
    return 1;
}
