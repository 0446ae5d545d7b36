/*
 * drift.h - how far the labels `rakiza run` gives have moved from the ones
 * its model was trained on: the share of each top label over a sliding
 * window of the last RK_DRIFT_WINDOW labelled paragraphs (abstentions are
 * not in it), beside the training data's shares (the bundle's training
 * label_counts), and their total variation distance (half the sum of the
 * absolute differences: 0 when they agree, 1 when they share nothing).
 *
 * Costs: add is O(1) (a ring of label indexes and a count per label);
 * shares and distance are O(labels). Labels are interned once each, at most
 * RK_DRIFT_MAX_LABELS over the life of the window (a model swap may bring
 * new ones); past that, further labels are not counted. Not thread-safe:
 * the service reports from its driving thread.
 */
#ifndef RK_DRIFT_H
#define RK_DRIFT_H

#include <stddef.h>

#define RK_DRIFT_WINDOW 1000    /* labelled paragraphs */
#define RK_DRIFT_MIN 100        /* in the window before a distance is given */
#define RK_DRIFT_MAX_LABELS 128 /* distinct labels ever seen */

typedef struct rk_drift_s rk_drift_t;

/* A window of `window` paragraphs (RK_DRIFT_WINDOW normally); NULL when
 * out of memory. */
rk_drift_t *rk_drift_new(size_t window);
void rk_drift_destroy(rk_drift_t *d); /* NULL-safe */

/* The training shares: n labels with their sample counts (replacing the
 * previous model's). */
void rk_drift_training(rk_drift_t *d, const char *const *labels,
                       const double *counts, int n);

/* One paragraph's top label (NULL: abstained, not counted). */
void rk_drift_add(rk_drift_t *d, const char *label);

/* Labelled paragraphs in the window now. */
size_t rk_drift_count(const rk_drift_t *d);

/* Every label seen or trained on, at most max: names[i] (valid while d
 * lives), its share of the window (0 when the window is empty) and its
 * training share (0 when not trained on). Returns how many. */
size_t rk_drift_shares(const rk_drift_t *d, const char **names, double *window,
                       double *training, size_t max);

/* The total variation distance between the window's and the training's
 * shares; -1 while the window holds fewer than RK_DRIFT_MIN paragraphs or
 * no training shares are known. */
double rk_drift_distance(const rk_drift_t *d);

#endif
