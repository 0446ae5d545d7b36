/*
 * fuzz_normalize_vectorize.c - any bytes through normalise, tokenise and
 * vectorise: refused as invalid UTF-8, or a well-formed libsvm vector
 * (ascending indices within the space, -1 terminated, finite values). The
 * normaliser must also be idempotent on whatever it accepts.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/normalize.h"
#include "text/vectorize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static rk_vec_t *vec;
    static rk_vec_ctx_t *ctx;
    static rk_norm_t *norm;
    char err[256];
    if (!vec) {
        rk_vec_conf_t *conf = rk_vec_conf_new();
        rk_vec_conf_set(conf, "hash_bits", "12", err, sizeof err);
        if (rk_vec_new(conf, &vec, err, sizeof err) ||
            rk_norm_new(&norm, err, sizeof err))
            abort();
        rk_vec_conf_destroy(conf);
        ctx = rk_vec_ctx_new();
    }
    const struct svm_node *x;
    int n;
    if (rk_vec_transform(vec, ctx, (const char *)data, size, NULL, &x, &n, err,
                         sizeof err) == RK_OK) {
        for (int i = 0; i < n; i++)
            if (x[i].index < 1 || x[i].index > rk_vec_dim(vec) ||
                (i && x[i].index <= x[i - 1].index) || !isfinite(x[i].value))
                abort();
        if (x[n].index != -1)
            abort();
    }
    rk_norm_opts_t o = rk_norm_opts_default();
    o.replace_invalid = 1;
    const char *once;
    size_t len1;
    if (rk_norm_text(norm, &o, (const char *)data, size, &once, &len1, err,
                     sizeof err) == RK_OK) {
        char *copy = malloc(len1 + 1);
        memcpy(copy, once, len1);
        const char *twice;
        size_t len2;
        if (rk_norm_text(norm, &o, copy, len1, &twice, &len2, err,
                         sizeof err) != RK_OK ||
            len1 != len2 || memcmp(copy, twice, len1))
            abort(); /* not idempotent */
        free(copy);
    }
    return 0;
}
