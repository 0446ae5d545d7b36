/*
 * fuzz_vec_load.c - any bytes as a saved vectoriser: refused, or loaded
 * into something that vectorises without reading out of bounds. This is
 * the part of a model bundle a hostile file controls.
 */
#include <stdint.h>
#include <stdlib.h>

#include "text/vectorize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static rk_vec_ctx_t *ctx;
    if (!ctx)
        ctx = rk_vec_ctx_new();
    char err[256];
    rk_vec_t *vec = NULL;
    if (rk_vec_load(data, size, &vec, err, sizeof err) == RK_OK) {
        const struct svm_node *x;
        int n;
        const char text[] = "مكافحة الإرهاب counter-terrorism";
        if (rk_vec_transform(vec, ctx, text, sizeof text - 1, NULL, &x, &n, err,
                             sizeof err) == RK_OK &&
            x[n].index != -1)
            abort();
        rk_vec_destroy(vec);
    }
    return 0;
}
