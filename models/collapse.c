/*
 * collapse.c - see collapse.h. Each pair's weights are summed in a dense
 * array (support vectors in libsvm's order, as svm_predict_values sums
 * them), then read off in index order.
 */
#include "models/collapse.h"

#include <stdlib.h>

#include "core/limits.h"

const struct svm_node *rk_collapse_model_sv(void *opaque, int s) {
    const struct svm_model *m = opaque;
    return m->SV[s];
}

static void axpy(double *dense, const struct svm_node *x, double coef) {
    for (; x->index != -1; x++)
        dense[x->index] += coef * x->value;
}

/* dense's nonzero entries as svm_nodes (NULL when out of memory); then
 * dense is zeroed where support vectors svs[0..nsvs) have features, which
 * is everywhere it can be nonzero. */
static struct svm_node *take(double *dense, int dim, rk_collapse_sv_fn sv,
                             void *opaque, const int *svs, int nsvs) {
    size_t nnz = 0;
    for (int i = 1; i <= dim; i++)
        nnz += dense[i] != 0.0;
    struct svm_node *w = malloc((nnz + 1) * sizeof *w), *p = w;
    for (int i = 1; w && i <= dim; i++)
        if (dense[i] != 0.0)
            *p++ = (struct svm_node){i, dense[i]};
    if (w)
        *p = (struct svm_node){-1, 0.0};
    for (int v = 0; v < nsvs; v++)
        for (const struct svm_node *x = sv(opaque, svs[v]); x->index != -1; x++)
            dense[x->index] = 0.0;
    return w;
}

rk_err_t rk_collapse(const struct svm_model *m, rk_collapse_sv_fn sv,
                     void *opaque, int dim, double *dense, struct svm_node **w,
                     double *rho, char *errstr, size_t errstr_size) {
    int k = m->nr_class, start[RK_MAX_LABELS + 1];
    if (k < 2 || k > RK_MAX_LABELS)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "a model of %d classes cannot be collapsed", k);
    int *svs = malloc(((size_t)m->l + 1) * sizeof *svs);
    if (!svs)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    start[0] = 0;
    for (int i = 1; i <= k; i++)
        start[i] = start[i - 1] + m->nSV[i - 1];
    int pair = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, pair++) {
            /* libsvm: class i's SVs use coefficient row j-1, class j's
             * row i (svm_predict_values). */
            int n = 0;
            for (int s = start[i]; s < start[i + 1]; s++, n++) {
                axpy(dense, sv(opaque, s), m->sv_coef[j - 1][s]);
                svs[n] = s;
            }
            for (int s = start[j]; s < start[j + 1]; s++, n++) {
                axpy(dense, sv(opaque, s), m->sv_coef[i][s]);
                svs[n] = s;
            }
            rho[pair] = m->rho[pair];
            if (!(w[pair] = take(dense, dim, sv, opaque, svs, n))) {
                for (int q = 0; q < pair; q++) {
                    free(w[q]);
                    w[q] = NULL;
                }
                free(svs);
                return rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                               "out of memory");
            }
        }
    free(svs);
    return RK_OK;
}
