/*
 * calibrate.h - decision values to probabilities, as libsvm computes them.
 *
 * Platt's sigmoid P(positive | f) = 1 / (1 + exp(A f + B)) turns one
 * binary classifier's decision value f into a probability; its (A, B) are
 * fitted to decision values of samples the classifier did not train on
 * (rakiza: the outer cross-validation's held-out folds), by libsvm's own
 * algorithm. Two ways to combine the binary classifiers of k labels:
 *   one-vs-rest  one classifier per label (positive: that label); each
 *                label's sigmoid probability, clipped to [1e-7, 1 - 1e-7]
 *                as libsvm clips it, then all k divided by their sum;
 *   one-vs-one   one classifier per pair i < j (positive: i); the pairwise
 *                probabilities coupled into k by libsvm's
 *                multiclass_probability (Wu, Lin and Weng, method 2).
 * Both give k probabilities summing to 1. Every function here is pure and
 * allocates nothing.
 */
#ifndef RK_CALIBRATE_H
#define RK_CALIBRATE_H

#include <stddef.h>

/* libsvm clips every sigmoid probability to [RK_CAL_MIN_PROB, 1 - it]. */
#define RK_CAL_MIN_PROB 1e-7

/* libsvm's sigmoid_train (svm.cpp), step for step: Newton's method with a
 * backtracking line search on Platt's regularised targets. pos[i] != 0
 * marks dec[i] as a positive sample's. Writes A and B. */
void rk_cal_sigmoid_fit(size_t n, const double *dec, const unsigned char *pos,
                        double *A, double *B);

/* libsvm's sigmoid_predict: the sigmoid, written to avoid cancellation. */
double rk_cal_sigmoid(double dec, double A, double B);

/* One-vs-rest: dec[c], A[c], B[c] for each of k labels -> probs[c]. */
void rk_cal_ovr(int k, const double *dec, const double *A, const double *B,
                double *probs);

/* One-vs-one: dec[q], A[q], B[q] for each pair q (i < j, in order: (0,1),
 * (0,2), ..., (k-2,k-1)) -> probs[i] (as libsvm's svm_predict_probability,
 * in the same class order as the pairs). */
void rk_cal_ovo(int k, const double *dec, const double *A, const double *B,
                double *probs);

#endif
