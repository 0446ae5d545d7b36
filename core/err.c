/*
 * err.c - the shared error-message helper declared in err.h.
 */
#include "core/err.h"

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
