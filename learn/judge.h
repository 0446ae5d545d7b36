/*
 * judge.h - the rule that decides whether a candidate model replaces the
 * current one (the contract's `rakiza learn`): both are scored on the same
 * held-out folds of the trusted base set, and the candidate is promoted only
 * when its macro-F1 is at least the current's minus a tolerance and no
 * class's F1 falls by more than RK_JUDGE_MAX_CLASS_DROP. Pure: it reads two
 * `eval --json` objects (models/evaluate.h) and writes a reason.
 */
#ifndef RK_LEARN_JUDGE_H
#define RK_LEARN_JUDGE_H

#include <jansson.h>
#include <stddef.h>

#define RK_JUDGE_DEFAULT_TOLERANCE 0.01
#define RK_JUDGE_MAX_CLASS_DROP 0.05

/* 1 when the candidate (cand, an rk_eval_json object) is to be promoted
 * over the current model (cur, scored on the same samples), 0 when it is
 * kept out. reason gets one line saying why, naming the class at fault.
 * Every class with support in cur's per_class is checked; a class the
 * candidate never predicts has F1 0. */
int rk_judge(const json_t *cand, const json_t *cur, double tolerance,
             char *reason, size_t reason_size);

#endif
