/*
 * rk_common.c - the shared error-message helper declared in rk_common.h.
 */
#include "rk_common.h"

#include <stdarg.h>
#include <stdio.h>

rk_err_t rk_fail(rk_err_t err, char *errstr, size_t errstr_size,
                 const char *fmt, ...) {
    if (errstr && errstr_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errstr, errstr_size, fmt, ap);
        va_end(ap);
    }
    return err;
}

unsigned long long rk_fnv1a(unsigned long long h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}
