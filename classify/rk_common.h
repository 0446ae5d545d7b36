/*
 * rk_common.h - what every rakiza module shares: the error code type and the
 * convention for human-readable error messages.
 *
 * Every fallible function returns an rk_err_t (RK_OK is 0) and, on failure,
 * writes a one-line message into a caller-supplied (errstr, errstr_size)
 * buffer naming the input, offset or key at fault. Library code never prints
 * and never exits; cli/ decides what to do with the message.
 */
#ifndef RK_COMMON_H
#define RK_COMMON_H

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

/* FNV-1a, 64 bits: the one hash for feature indices, model ids and data
 * digests. Start with RK_FNV_OFFSET; chain calls to hash several parts. */
#define RK_FNV_OFFSET 14695981039346656037ULL
unsigned long long rk_fnv1a(unsigned long long h, const void *data, size_t n);

/* The version string recorded in model bundles and printed by --version. */
#define RK_VERSION "0.1.0"

#endif
