/*
 * folds.h - cross-validation folds: which fold holds each sample out.
 *
 * Two ways, both deterministic for a seed (the same xorshift64* stream on
 * every platform):
 *   rk_folds_grouped     no group on both sides of a split: the groups are
 *                        shuffled, then taken largest first (ties in
 *                        shuffled order) and each given to the fold that
 *                        holds the fewest samples so far (ties: the lowest
 *                        fold), so folds come out balanced in samples;
 *   rk_folds_stratified  paragraph level: each label's samples shuffled and
 *                        dealt round-robin, so every fold has each label in
 *                        proportion (paragraphs of one document may sit on
 *                        both sides: an optimistic figure).
 * Cost: O(n + g log g) and O(n * labels).
 */
#ifndef RK_FOLDS_H
#define RK_FOLDS_H

#include <stddef.h>

#include "core/err.h"

/* group[i] in 0..ngroups-1 is sample i's group; fold_of[i] gets its fold
 * in 0..folds-1. RK_ERR_DATA (naming both counts) when there are fewer
 * groups than folds; RK_ERR_NOMEM. */
rk_err_t rk_folds_grouped(size_t n, const int *group, int ngroups, int folds,
                          unsigned seed, int *fold_of, char *errstr,
                          size_t errstr_size);

/* y[i] in 0..nlabels-1 is sample i's label; fold_of[i] gets its fold. */
rk_err_t rk_folds_stratified(size_t n, const int *y, int nlabels, int folds,
                             unsigned seed, int *fold_of, char *errstr,
                             size_t errstr_size);

/* Interns strings: id[i] numbers the distinct values of names[i] in order
 * of first appearance; returns how many there are, or -1 when out of
 * memory. */
int rk_folds_intern(size_t n, const char *const *names, int *id);

#endif
