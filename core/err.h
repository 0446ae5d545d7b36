/*
 * err.h - what every rakiza module shares: the error code type and the
 * convention for human-readable error messages.
 *
 * Every fallible function returns an rk_err_t (RK_OK is 0) and, on failure,
 * writes a one-line message into a caller-supplied (errstr, errstr_size)
 * buffer naming the input, offset or key at fault. Library code never prints
 * and never exits; cli/ decides what to do with the message.
 */
#ifndef RK_ERR_H
#define RK_ERR_H

#include <stddef.h>

typedef enum rk_err_e {
    RK_OK = 0,
    RK_ERR_USAGE,   /* bad setting, flag or argument */
    RK_ERR_IO,      /* a file or socket could not be read or written */
    RK_ERR_DATA,    /* input data is malformed (bad UTF-8, JSON, bundle) */
    RK_ERR_LIMIT,   /* input exceeds an explicit limit */
    RK_ERR_NOMEM,   /* allocation failed */
    RK_ERR_KAFKA,   /* librdkafka reported an error */
    RK_ERR_INTERNAL /* a bug: an invariant did not hold */
} rk_err_t;

/* Writes a printf-style message into errstr (always NUL-terminated when
 * errstr_size > 0) and returns err, so callers can `return rk_fail(...)`. */
rk_err_t rk_fail(rk_err_t err, char *errstr, size_t errstr_size,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
