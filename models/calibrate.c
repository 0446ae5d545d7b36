/*
 * calibrate.c - see calibrate.h. The fitting, the sigmoid and the pairwise
 * coupling follow libsvm 3.24's svm.cpp line for line, so rakiza's
 * probabilities are libsvm's own (tests/test_predict.c compares them).
 */
#include "models/calibrate.h"

#include <math.h>

#include "core/limits.h"

/* The target of sample i: Platt's regularised 1 (hi) or 0 (lo). libsvm
 * keeps the targets in an array; they take two values, so they are looked
 * up here instead (the same numbers, no allocation). */
static double target(const unsigned char *pos, size_t i, double hi, double lo) {
    return pos[i] ? hi : lo;
}

/* Platt's objective at (A, B). */
static double objective(size_t n, const double *dec, const unsigned char *pos,
                        double hi, double lo, double A, double B) {
    double f = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = target(pos, i, hi, lo), fApB = dec[i] * A + B;
        if (fApB >= 0)
            f += t * fApB + log(1 + exp(-fApB));
        else
            f += (t - 1) * fApB + log(1 + exp(fApB));
    }
    return f;
}

void rk_cal_sigmoid_fit(size_t n, const double *dec, const unsigned char *pos,
                        double *A_out, double *B_out) {
    double prior1 = 0, prior0 = 0;
    for (size_t i = 0; i < n; i++)
        pos[i] ? (prior1 += 1) : (prior0 += 1);
    const int max_iter = 100;
    const double min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
    double hi = (prior1 + 1.0) / (prior1 + 2.0), lo = 1 / (prior0 + 2.0);
    double A = 0.0, B = log((prior0 + 1.0) / (prior1 + 1.0));
    double fval = objective(n, dec, pos, hi, lo, A, B);
    for (int iter = 0; iter < max_iter; iter++) {
        double h11 = sigma, h22 = sigma, h21 = 0.0, g1 = 0.0, g2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            double fApB = dec[i] * A + B, p, q;
            if (fApB >= 0) {
                p = exp(-fApB) / (1.0 + exp(-fApB));
                q = 1.0 / (1.0 + exp(-fApB));
            } else {
                p = 1.0 / (1.0 + exp(fApB));
                q = exp(fApB) / (1.0 + exp(fApB));
            }
            double d2 = p * q, d1 = target(pos, i, hi, lo) - p;
            h11 += dec[i] * dec[i] * d2;
            h22 += d2;
            h21 += dec[i] * d2;
            g1 += dec[i] * d1;
            g2 += d1;
        }
        if (fabs(g1) < eps && fabs(g2) < eps)
            break;
        double det = h11 * h22 - h21 * h21;
        double dA = -(h22 * g1 - h21 * g2) / det;
        double dB = -(-h21 * g1 + h11 * g2) / det;
        double gd = g1 * dA + g2 * dB, stepsize = 1;
        while (stepsize >= min_step) {
            double newA = A + stepsize * dA, newB = B + stepsize * dB;
            double newf = objective(n, dec, pos, hi, lo, newA, newB);
            if (newf < fval + 0.0001 * stepsize * gd) {
                A = newA, B = newB, fval = newf;
                break;
            }
            stepsize = stepsize / 2.0;
        }
        if (stepsize < min_step)
            break; /* libsvm: "line search fails" */
    }
    *A_out = A;
    *B_out = B;
}

double rk_cal_sigmoid(double dec, double A, double B) {
    double fApB = dec * A + B;
    if (fApB >= 0)
        return exp(-fApB) / (1.0 + exp(-fApB));
    return 1.0 / (1 + exp(fApB));
}

static double clip(double v) {
    v = v < RK_CAL_MIN_PROB ? RK_CAL_MIN_PROB : v;
    return v > 1 - RK_CAL_MIN_PROB ? 1 - RK_CAL_MIN_PROB : v;
}

void rk_cal_ovr(int k, const double *dec, const double *A, const double *B,
                double *probs) {
    double sum = 0.0;
    for (int c = 0; c < k; c++)
        sum += probs[c] = clip(rk_cal_sigmoid(dec[c], A[c], B[c]));
    for (int c = 0; c < k; c++)
        probs[c] /= sum;
}

/* libsvm's multiclass_probability (svm.cpp): pairwise coupling, method 2
 * of Wu, Lin and Weng, step for step so the results match libsvm's. */
static void multiclass_probability(int k,
                                   double r[RK_MAX_LABELS][RK_MAX_LABELS],
                                   double *p) {
    double Q[RK_MAX_LABELS][RK_MAX_LABELS], Qp[RK_MAX_LABELS], pQp,
        eps = 0.005 / k;
    int max_iter = k > 100 ? k : 100;
    for (int t = 0; t < k; t++) {
        p[t] = 1.0 / k;
        Q[t][t] = 0;
        for (int j = 0; j < t; j++) {
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = Q[j][t];
        }
        for (int j = t + 1; j < k; j++) {
            Q[t][t] += r[j][t] * r[j][t];
            Q[t][j] = -r[j][t] * r[t][j];
        }
    }
    for (int iter = 0; iter < max_iter; iter++) {
        pQp = 0;
        for (int t = 0; t < k; t++) {
            Qp[t] = 0;
            for (int j = 0; j < k; j++)
                Qp[t] += Q[t][j] * p[j];
            pQp += p[t] * Qp[t];
        }
        double max_error = 0;
        for (int t = 0; t < k; t++) {
            double error = fabs(Qp[t] - pQp);
            if (error > max_error)
                max_error = error;
        }
        if (max_error < eps)
            break;
        for (int t = 0; t < k; t++) {
            double diff = (-Qp[t] + pQp) / Q[t][t];
            p[t] += diff;
            pQp = (pQp + diff * (diff * Q[t][t] + 2 * Qp[t])) / (1 + diff) /
                  (1 + diff);
            for (int j = 0; j < k; j++) {
                Qp[j] = (Qp[j] + diff * Q[t][j]) / (1 + diff);
                p[j] /= (1 + diff);
            }
        }
    }
}

void rk_cal_ovo(int k, const double *dec, const double *A, const double *B,
                double *probs) {
    double r[RK_MAX_LABELS][RK_MAX_LABELS];
    int q = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, q++) {
            r[i][j] = clip(rk_cal_sigmoid(dec[q], A[q], B[q]));
            r[j][i] = 1 - r[i][j];
        }
    if (k == 2) {
        probs[0] = r[0][1];
        probs[1] = r[1][0];
    } else {
        multiclass_probability(k, r, probs);
    }
}
