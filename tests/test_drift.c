/*
 * test_drift.c - the label shares `rakiza run` compares with its model's
 * training data (ingest/drift.h). If these fail, the drift gauges and the
 * RakizaLabelDrift alert report a shift that is not there, or miss one.
 */
#include <math.h>
#include <string.h>

#include "ingest/drift.h"
#include "testutil.h"

static double share_of(const rk_drift_t *d, const char *label, int trained) {
    const char *names[RK_DRIFT_MAX_LABELS];
    double w[RK_DRIFT_MAX_LABELS], t[RK_DRIFT_MAX_LABELS];
    size_t n = rk_drift_shares(d, names, w, t, RK_DRIFT_MAX_LABELS);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], label))
            return trained ? t[i] : w[i];
    return -1;
}

static void test_agreeing(void) {
    /* If it fails: a stream labelled as the training data was reports
     * drift. */
    rk_drift_t *d = rk_drift_new(RK_DRIFT_WINDOW);
    const char *const labels[] = {"a", "b"};
    const double counts[] = {300, 100};
    rk_drift_training(d, labels, counts, 2);
    CHECK(rk_drift_distance(d) < 0, "no distance before any paragraph");
    for (int i = 0; i < 400; i++)
        rk_drift_add(d, i % 4 == 3 ? "b" : "a");
    CHECK(fabs(share_of(d, "a", 0) - 0.75) < 1e-9 &&
              fabs(share_of(d, "a", 1) - 0.75) < 1e-9,
          "window and training shares of a: %g, %g", share_of(d, "a", 0),
          share_of(d, "a", 1));
    CHECK(fabs(rk_drift_distance(d)) < 1e-9, "distance 0, got %g",
          rk_drift_distance(d));
    rk_drift_add(d, NULL);
    CHECK(rk_drift_count(d) == 400, "abstentions are not in the window");
    rk_drift_destroy(d);
}

static void test_window_slides(void) {
    /* If it fails: old paragraphs never leave, so a shift shows late or
     * never, or the counts go wrong as the ring wraps. */
    rk_drift_t *d = rk_drift_new(200);
    const char *const labels[] = {"a", "b"};
    const double counts[] = {1, 1};
    rk_drift_training(d, labels, counts, 2);
    for (int i = 0; i < 99; i++)
        rk_drift_add(d, "a");
    CHECK(rk_drift_distance(d) < 0, "under RK_DRIFT_MIN: no distance");
    for (int i = 0; i < 101; i++)
        rk_drift_add(d, "a");
    CHECK(fabs(rk_drift_distance(d) - 0.5) < 1e-9, "all a vs half a: 0.5");
    for (int i = 0; i < 200; i++)
        rk_drift_add(d, "c"); /* a label the model was not trained on */
    CHECK(rk_drift_count(d) == 200, "the window holds 200");
    CHECK(share_of(d, "a", 0) == 0 && share_of(d, "c", 0) == 1,
          "the a paragraphs left the window");
    CHECK(fabs(rk_drift_distance(d) - 1) < 1e-9, "disjoint: 1, got %g",
          rk_drift_distance(d));
    /* A new model's training shares replace the old ones. */
    const char *const now[] = {"c"};
    const double one[] = {5};
    rk_drift_training(d, now, one, 1);
    CHECK(fabs(rk_drift_distance(d)) < 1e-9 && share_of(d, "a", 1) == 0,
          "after a model swap the new training shares count");
    rk_drift_destroy(d);
}

TEST_LIST = {{"agreeing", test_agreeing},
             {"window_slides", test_window_slides},
             {NULL, NULL}};
